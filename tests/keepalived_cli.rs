//! `tandem keepalived ...` end to end: the golden keepalived configs give
//! keepalived 2.2.7's exit code and first line (as recorded in
//! shared/golden/keepalived/*.expected), and, when the real keepalived is
//! installed, exactly its `-t` output on this machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "common/netns.rs"]
mod netns;
use netns::Netns;

fn tandem() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.arg("keepalived");
    c
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/golden/keepalived")
}

fn text(o: &Output) -> (String, String, i32) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// (exit code, first stderr line) from a `.expected` file.
fn expected(path: &Path) -> Option<(i32, String)> {
    let t = std::fs::read_to_string(path).ok()?;
    let code = t
        .lines()
        .find_map(|l| l.strip_prefix("exit_code: "))?
        .trim()
        .parse()
        .ok()?;
    let mut lines = t.lines().skip_while(|l| *l != "==== stderr ====");
    lines.next();
    let first = lines.next().unwrap_or("").to_string();
    Some((code, first))
}

/// The recorded verdicts depend on the oracle machine having eth0 and
/// killall (see shared/golden/README.md); skip where that is not so.
fn machine_like_oracle() -> bool {
    Path::new("/sys/class/net/eth0").exists()
        && std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .any(|d| Path::new(d).join("killall").exists())
}

#[test]
fn golden_configs_match_recorded_verdicts() {
    let dir = golden_dir();
    if !dir.exists() || !machine_like_oracle() {
        eprintln!("skipped: no golden dir or machine unlike the oracle's");
        return;
    }
    let mut n = 0;
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "conf") {
            continue;
        }
        let name = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((code, first)) = expected(&dir.join(format!("{name}.expected"))) else {
            continue;
        };
        let o = tandem()
            .args(["-t", "-f", &name])
            .current_dir(&dir)
            .output()
            .expect("run tandem");
        let (_, err, rc) = text(&o);
        assert_eq!(rc, code, "{name}: {err}");
        assert_eq!(err.lines().next().unwrap_or(""), first, "{name}");
        n += 1;
    }
    assert_eq!(n, 4, "the four golden keepalived configs");
}

#[test]
fn golden_configs_match_live_oracle() {
    let oracle = Path::new("/usr/sbin/keepalived");
    let dir = golden_dir();
    if !oracle.exists() || !dir.exists() {
        eprintln!("skipped: keepalived or golden dir missing");
        return;
    }
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "conf") {
            continue;
        }
        let name = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let want = Command::new(oracle)
            .args(["-t", "-f", &name])
            .current_dir(&dir)
            .output()
            .expect("run keepalived");
        let got = tandem()
            .args(["-t", "-f", &name])
            .current_dir(&dir)
            .output()
            .expect("run tandem");
        assert_eq!(text(&got), text(&want), "{name}");
    }
}

/// keepalived 2.2.7: `keepalived -Z` prints `Unknown option -Z` on stderr, exit 1.
#[test]
fn unknown_flag() {
    let (out, err, rc) = text(&tandem().arg("-Z").output().expect("run"));
    assert_eq!(
        (out.as_str(), err.as_str(), rc),
        ("", "Unknown option -Z\n", 1)
    );
    let (_, err, rc) = text(&tandem().arg("-f").output().expect("run"));
    assert_eq!((err.as_str(), rc), ("Missing parameter for option -f\n", 1));
}

#[test]
fn version_and_help() {
    let (out, err, rc) = text(&tandem().arg("-v").output().expect("run"));
    assert_eq!((out.as_str(), rc), ("", 0));
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("Keepalived v2.2.7 (tandem "), "{first}");
    let (_, err, rc) = text(&tandem().arg("--help").output().expect("run"));
    assert_eq!(rc, 0);
    assert!(err.starts_with("Usage: keepalived [OPTION...]\n"));
}

fn write_tmp(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-kcli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join(name);
    let _ = std::fs::write(&p, body);
    p
}

/// A run (not `-t`) of an LVS-only config checks it, says IPVS is not run
/// and that there is no VRRP instance to run.
#[test]
fn run_lvs_only_says_so() {
    let p = write_tmp(
        "lvs.conf",
        "virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind DR\n}\n",
    );
    let (_, err, rc) = text(
        &tandem()
            .args(["-n", "-l", "-f"])
            .arg(&p)
            .output()
            .expect("run"),
    );
    assert_eq!(rc, 1);
    assert!(err.contains("tandem does not run IPVS"), "{err}");
    assert!(err.contains("no vrrp_instance"), "{err}");
}

/// keepalived 2.2.7 exits 0 with only `Config files missing '...'.`
#[test]
fn missing_config_file() {
    let (_, err, rc) = text(
        &tandem()
            .args(["-t", "-f", "/nonexistent-tandem.conf"])
            .output()
            .expect("run"),
    );
    assert_eq!(
        (err.as_str(), rc),
        ("Config files missing '/nonexistent-tandem.conf'.\n", 0)
    );
}

/// `--config-test=FILE` writes the report to FILE instead of stderr.
#[test]
fn config_test_log_file() {
    let conf = write_tmp("bad.conf", "bogus_top 1\n");
    let log = conf.with_file_name("t.log");
    let _ = std::fs::remove_file(&log);
    let (_, err, rc) = text(
        &tandem()
            .arg(format!("--config-test={}", log.display()))
            .arg("-f")
            .arg(&conf)
            .output()
            .expect("run"),
    );
    assert_eq!((err.as_str(), rc), ("", 5));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.starts_with("(Line 1) Unknown keyword 'bogus_top'\n"),
        "{logged}"
    );
}

/// Waits (bounded) for `f` to hold a pid; None after 5 s.
fn wait_pid_file(f: &Path) -> Option<u32> {
    let t0 = std::time::Instant::now();
    while t0.elapsed() < std::time::Duration::from_secs(5) {
        if let Some(p) = std::fs::read_to_string(f)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return Some(p);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

/// keepalived 2.2.7 with `-C` (checker only) on a VRRP-only config (measured in a network
/// namespace): `Warning - keepalived has no configuration to run`, it writes its main pid
/// file only (no VRRP child, so no VRRP pid file, no VRRP at all), idles until SIGTERM and
/// exits 0 removing the pid file. A second start with the same pid file logs `daemon is
/// already running` and exits 0. Runs without root: no VRRP socket is opened.
#[test]
fn check_only_runs_no_vrrp_and_idles() {
    let conf = write_tmp(
        "vrrp-only.conf",
        "vrrp_instance VI_1 {\n  interface nosuch0\n  virtual_router_id 51\n  priority 100\n\
         virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n",
    );
    let pid = conf.with_file_name("c-main.pid");
    let vpid = conf.with_file_name("c-vrrp.pid");
    let _ = std::fs::remove_file(&pid);
    let _ = std::fs::remove_file(&vpid);
    let mut child = tandem()
        .args(["-n", "-l", "-C", "-f"])
        .arg(&conf)
        .arg("-p")
        .arg(&pid)
        .arg("-r")
        .arg(&vpid)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let got = wait_pid_file(&pid);
    let alive = matches!(child.try_wait(), Ok(None));
    // A second daemon with the same pid file: already running, exit 0.
    let second = tandem()
        .args(["-n", "-l", "-C", "-f"])
        .arg(&conf)
        .arg("-p")
        .arg(&pid)
        .output()
        .expect("second");
    let id = child.id();
    let _ = Command::new("kill")
        .args(["-TERM", &id.to_string()])
        .status();
    let out = child.wait_with_output().expect("wait");
    let (_, err, rc) = text(&out);
    assert_eq!(got, Some(id), "main pid file: {err}");
    assert!(alive, "the daemon must idle, not exit: {err}");
    assert!(
        err.contains("Warning - keepalived has no configuration to run"),
        "{err}"
    );
    assert!(!err.contains("VRRP"), "no VRRP may run with -C: {err}");
    assert!(!vpid.exists(), "no VRRP pid file with -C");
    assert_eq!(rc, 0, "{err}");
    assert!(!pid.exists(), "pid file removed on stop");
    let (_, err2, rc2) = text(&second);
    assert_eq!(rc2, 0, "{err2}");
    assert!(err2.contains("daemon is already running"), "{err2}");
}

/// sd_notify as Debian's keepalived 2.2.7 sends it under its `Type=notify` unit
/// (core/systemd.c: `READY=1\nMAINPID=<pid>` at `Startup complete` and after a
/// reload, `RELOADING=1` on SIGHUP, `STOPPING=1` on SIGTERM), received on a
/// unix datagram socket given as $NOTIFY_SOCKET. Needs root and `ip netns`
/// (the instance runs on a veth pair in a namespace of its own); skips otherwise.
#[test]
fn sd_notify_ready_reloading_stopping() {
    let Some(ns) = Netns::new("kcli", "192.0.2.1/24") else {
        eprintln!("not root or no ip netns: skipped");
        return;
    };
    let conf = write_tmp(
        "notify.conf",
        "vrrp_instance V1 {\n  state BACKUP\n  interface d0\n  virtual_router_id 211\n  priority 100\n\
         advert_int 1\n  virtual_ipaddress {\n    192.0.2.211/24\n  }\n}\n",
    );
    let sock_path = conf.with_file_name("notify.sock");
    let _ = std::fs::remove_file(&sock_path);
    let rx = std::os::unix::net::UnixDatagram::bind(&sock_path).expect("bind notify socket");
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let pid = conf.with_file_name("n-main.pid");
    let vpid = conf.with_file_name("n-vrrp.pid");
    let child = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(env!("CARGO_BIN_EXE_tandem"))
        .args(["keepalived", "-n", "-l", "-f"])
        .arg(&conf)
        .arg("-p")
        .arg(&pid)
        .arg("-r")
        .arg(&vpid)
        .env("NOTIFY_SOCKET", &sock_path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let id = child.id();
    let mut buf = [0u8; 256];
    let mut next = || match rx.recv(&mut buf) {
        Ok(n) => String::from_utf8_lossy(&buf[..n]).into_owned(),
        Err(e) => format!("<nothing: {e}>"),
    };
    let ready = format!("READY=1\nMAINPID={id}");
    let first = next();
    let _ = Command::new("kill")
        .args(["-HUP", &id.to_string()])
        .status();
    let on_hup = (next(), next());
    let _ = Command::new("kill")
        .args(["-TERM", &id.to_string()])
        .status();
    let on_term = next();
    let out = child.wait_with_output().expect("wait");
    let (stdout, err, rc) = text(&out);
    assert_eq!(first, ready, "{stdout}{err}");
    assert_eq!(
        on_hup,
        ("RELOADING=1".to_string(), ready.clone()),
        "{stdout}{err}"
    );
    assert_eq!(on_term, "STOPPING=1", "{stdout}{err}");
    assert_eq!(rc, 0, "{stdout}{err}");
    for want in [
        "Startup complete",
        "Reloading ...",
        "Reload complete",
        "Stopping",
    ] {
        assert!(stdout.contains(want), "missing {want:?}: {stdout}");
    }
    assert!(!pid.exists() && !vpid.exists(), "pid files removed on stop");
}

/// `--signum=SIGFUNC` prints keepalived 2.2.7's signal numbers (measured on the real
/// binary: stdout, exit 0; an unknown name: `Unknown sigfunc NAME` on stderr, exit 1).
#[test]
fn signum_prints_keepalived_signal_numbers() {
    for (f, n) in [
        ("STOP", "15"),
        ("RELOAD", "1"),
        ("DATA", "10"),
        ("STATS", "12"),
        ("STATS_CLEAR", "63"),
        ("JSON", "36"),
    ] {
        let o = tandem().arg(format!("--signum={f}")).output().expect("run");
        assert_eq!(text(&o), (format!("{n}\n"), String::new(), 0), "{f}");
    }
    let o = tandem().arg("--signum=json").output().expect("run");
    assert_eq!(
        text(&o),
        (String::new(), "Unknown sigfunc json\n".to_string(), 1)
    );
}
