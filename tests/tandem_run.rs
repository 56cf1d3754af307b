//! `tandem run` without a network: what it refuses before it starts anything. The running
//! pair (both engines, reload, planned handover, native probes) is in tests/vrrp_lab.rs
//! (`tandem_run_planned_handover_loses_nothing`, root and network namespaces).

use std::process::Command;

#[path = "common/netns.rs"]
mod netns;
use netns::Netns;

fn tandem_run(args: &[&str]) -> (String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("run")
        .args(args)
        .output()
        .expect("run tandem");
    (
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

fn tmp(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("tandem-run-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join(name);
    let _ = std::fs::write(&p, body);
    p.to_string_lossy().into_owned()
}

#[test]
fn needs_both_files() {
    let h = tmp("only.cfg", "frontend fe\n  bind 127.0.0.1:1\n");
    let (err, rc) = tandem_run(&["-f", &h]);
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("exactly one -k keepalived.conf"), "{err}");
}

/// A haproxy.cfg that `haproxy -c` rejects stops the start: nothing binds, nothing runs.
#[test]
fn invalid_haproxy_cfg_starts_nothing() {
    let h = tmp(
        "bad.cfg",
        "defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:1\n  default_backend nosuch\n",
    );
    let k = tmp(
        "k.conf",
        "vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 51\n  priority 100\n\
         virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n",
    );
    let (err, rc) = tandem_run(&["-f", &h, "-k", &k]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("haproxy configuration not valid"), "{err}");
    assert!(!err.contains("VRRP"), "{err}");
}

/// A keepalived.conf without any vrrp_instance: nothing to run.
#[test]
fn keepalived_conf_without_instance_starts_nothing() {
    let h = tmp(
        "ok.cfg",
        "defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
         frontend fe\n  bind 127.0.0.1:1\n  default_backend be\nbackend be\n  server s 127.0.0.1:2\n",
    );
    let k = tmp("empty.conf", "global_defs {\n  router_id x\n}\n");
    let (err, rc) = tandem_run(&["-f", &h, "-k", &k]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("no vrrp_instance"), "{err}");
}

fn run_cfgs(tag: &str, global: &str) -> (String, String, std::path::PathBuf) {
    let h = tmp(
        &format!("{tag}.cfg"),
        &format!(
            "global\n{global}defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
             frontend fe\n  bind 127.0.0.1:24613\n  http-request return status 200 content-type text/plain string ok\n"
        ),
    );
    let k = tmp(
        &format!("{tag}.conf"),
        "vrrp_instance V1 {\n  state BACKUP\n  interface d0\n  virtual_router_id 213\n  priority 100\n\
         advert_int 1\n  virtual_ipaddress {\n    192.0.2.213/24\n  }\n}\n",
    );
    let dir = std::path::PathBuf::from(&h)
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    (h, k, dir)
}

fn pid_in(f: &std::path::Path) -> Option<u32> {
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

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(") ").next().and_then(|r| r.chars().next()))
        .is_some_and(|st| st != 'Z')
}

/// `Type=notify` as tools/systemd/tandem.service uses it: `READY=1` with MAINPID once both
/// engines run, `RELOADING=1` then `READY=1` on SIGHUP, `STOPPING=1` on SIGTERM; the global
/// `pidfile` holds the pid while it runs and is removed at exit; `chroot`/`user` are named
/// as not applied. Root and `ip netns` needed (the VRRP instance runs on a veth pair in a
/// namespace the test creates); skipped otherwise.
#[test]
fn notify_pidfile_and_reload() {
    let Some(ns) = Netns::new("runn", "192.0.2.1/24") else {
        eprintln!("not root or no ip netns: skipped");
        return;
    };
    let (h, k, dir) = run_cfgs("notify", "  chroot /var/empty\n  uid 65534\n");
    let pidf = dir.join("notify.pid");
    let _ = std::fs::remove_file(&pidf);
    let h_text = std::fs::read_to_string(&h).unwrap_or_default();
    let _ = std::fs::write(
        &h,
        h_text.replace(
            "global\n",
            &format!("global\n  pidfile {}\n", pidf.display()),
        ),
    );
    let sock = dir.join("notify.sock");
    let _ = std::fs::remove_file(&sock);
    let rx = std::os::unix::net::UnixDatagram::bind(&sock).expect("notify socket");
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            env!("CARGO_BIN_EXE_tandem"),
            "run",
            "-f",
            &h,
            "-k",
            &k,
        ])
        .env("NOTIFY_SOCKET", &sock)
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
    let in_file = pid_in(&pidf);
    let _ = Command::new("kill")
        .args(["-HUP", &id.to_string()])
        .status();
    let on_hup = (next(), next());
    let _ = Command::new("kill")
        .args(["-TERM", &id.to_string()])
        .status();
    let on_term = next();
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(first, ready, "{err}");
    assert_eq!(in_file, Some(id), "{err}");
    assert_eq!(on_hup, ("RELOADING=1".to_string(), ready.clone()), "{err}");
    assert_eq!(on_term, "STOPPING=1", "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!pidf.exists(), "pid file removed at exit");
    assert!(
        err.contains("'chroot /var/empty' of the global section is not applied"),
        "{err}"
    );
    assert!(
        err.contains("'user/uid 65534' of the global section is not applied"),
        "{err}"
    );
}

/// `daemon` in the global section: `tandem run` returns 0 at once, the pid file holds the
/// daemon's pid, which serves until SIGTERM and then removes the file.
#[test]
fn daemon_mode_writes_the_daemons_pid() {
    let Some(ns) = Netns::new("rund", "192.0.2.1/24") else {
        eprintln!("not root or no ip netns: skipped");
        return;
    };
    let (h, k, dir) = run_cfgs("daemon", "  daemon\n");
    let pidf = dir.join("daemon.pid");
    let _ = std::fs::remove_file(&pidf);
    let h_text = std::fs::read_to_string(&h).unwrap_or_default();
    let _ = std::fs::write(
        &h,
        h_text.replace(
            "global\n",
            &format!("global\n  pidfile {}\n", pidf.display()),
        ),
    );
    let st = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            env!("CARGO_BIN_EXE_tandem"),
            "run",
            "-f",
            &h,
            "-k",
            &k,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run");
    assert_eq!(st.code(), Some(0));
    let pid = pid_in(&pidf).expect("daemon pid file");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(alive(pid), "the daemon runs");
    let served = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            "curl",
            "-s",
            "-m",
            "3",
            "http://127.0.0.1:24613/",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let t0 = std::time::Instant::now();
    while alive(pid) && t0.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(served, "ok");
    assert!(!alive(pid), "the daemon left on SIGTERM");
    assert!(!pidf.exists(), "pid file removed at exit");
}

/// Under `tandem run` the proxy's `/metrics` carries the VRRP engine's instances
/// (`keepalived_vrrp_*`), and keepalived's SIGJSON (signal 36) writes
/// /tmp/keepalived.json. Root and `ip netns` needed; skipped otherwise.
#[test]
fn metrics_show_vrrp_and_sigjson_dumps() {
    let Some(ns) = Netns::new("runm", "192.0.2.1/24") else {
        eprintln!("not root or no ip netns: skipped");
        return;
    };
    let (h, k, _) = run_cfgs("metrics", "");
    let h_text = std::fs::read_to_string(&h).unwrap_or_default();
    let _ = std::fs::write(
        &h,
        h_text.replace(
            "  http-request return",
            "  http-request use-service prometheus-exporter if { path /metrics }\n  http-request return",
        ),
    );
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            env!("CARGO_BIN_EXE_tandem"),
            "run",
            "-f",
            &h,
            "-k",
            &k,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let id = child.id().to_string();
    let metrics = || {
        Command::new("ip")
            .args([
                "netns",
                "exec",
                &ns.0,
                "curl",
                "-s",
                "http://127.0.0.1:24613/metrics",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let t0 = std::time::Instant::now();
    let mut m = String::new();
    while t0.elapsed() < std::time::Duration::from_secs(10) {
        m = metrics();
        if m.contains("keepalived_vrrp_state{instance=\"V1\"") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let json = std::path::Path::new("/tmp/keepalived.json");
    let _ = std::fs::remove_file(json);
    let _ = Command::new("kill").args(["-36", &id]).status();
    let t1 = std::time::Instant::now();
    let mut j = String::new();
    while t1.elapsed() < std::time::Duration::from_secs(5) && !j.ends_with(']') {
        j = std::fs::read_to_string(json).unwrap_or_default();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-TERM", &id]).status();
    let _ = child.wait();
    assert!(
        m.contains("keepalived_vrrp_state{instance=\"V1\",vrid=\"213\",interface=\"d0\",state=\"BACKUP\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("keepalived_vrrp_effective_priority{instance=\"V1\",vrid=\"213\"} 100"),
        "{m}"
    );
    assert!(j.starts_with("[{\"data\":{\"iname\":\"V1\""), "{j}");
}
