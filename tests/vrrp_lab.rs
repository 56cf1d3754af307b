//! A real network for the VRRP engine: tandem and keepalived 2.2.7 as a pair.
//!
//! Topology (all made here, named `tdm-<pid>-*`, addresses from 192.0.2.0/24 only):
//! a bridge in a switch namespace with two nodes, n1 (192.0.2.11) running tandem and
//! n2 (192.0.2.12) running `/usr/sbin/keepalived`, VIP 192.0.2.100/24. Checked: one
//! election, the VIP on exactly one node, SIGTERM of the master moves it to the other node,
//! a restart gives preemption back (for the higher priority node).
//!
//! Needs root and `ip netns`; without them the tests skip, except with `CI=true` where they
//! must run (a skip there is a failure). Every wait is bounded and a guard deletes the
//! namespaces and stops the daemons on every path, panics included.
//!
//! How tandem is started: `TANDEM_VRRP_CMD` if set (a command line, `{conf}` replaced), else
//! `tandem keepalived -n -l -D -f CONF` when the binary's `keepalived` subcommand runs the
//! engine, else this test binary itself through the hidden `daemon_entry` test below (which
//! calls `tandem::vrrp::run` directly).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VIP: &str = "192.0.2.100";
const VIP6: &str = "2001:db8::100";

/// Not a test: the daemon side of this file. Runs the engine when `TANDEM_VRRP_CONF` is set
/// (the lab starts this binary with `daemon_entry --exact --nocapture`), returns otherwise.
#[test]
fn daemon_entry() {
    let Ok(conf) = std::env::var("TANDEM_VRRP_CONF") else {
        return;
    };
    let out = tandem::config::keepalived::check_file(
        &conf,
        &tandem::config::keepalived::Options::default(),
    );
    for l in &out.lines {
        eprintln!("{l}");
    }
    let opts = tandem::vrrp::RunOptions {
        log_console: true,
        log_detail: true,
        ..Default::default()
    };
    let code = tandem::vrrp::run(&out.config, &opts);
    assert_eq!(code, 0, "engine exit code");
}

/// This test binary, through a hard link: another `cargo test` in the same target directory
/// may replace the binary while the lab runs, and the daemons are started from it. Links
/// left by earlier runs (their process gone) are removed.
fn self_exe() -> PathBuf {
    static EXE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    EXE.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(Ok(entries)) = exe.parent().map(std::fs::read_dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix(&format!("{stem}.selfexec-"))
                    && !Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let link = exe.with_file_name(format!("{stem}.selfexec-{}", std::process::id()));
        let _ = std::fs::remove_file(&link);
        if std::fs::hard_link(&exe, &link).is_ok() {
            link
        } else {
            exe
        }
    })
    .clone()
}

fn sh(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{args:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn can_run() -> bool {
    let root = sh(&["id", "-u"]).is_ok_and(|s| s.trim() == "0");
    let ka = Path::new("/usr/sbin/keepalived").exists();
    // Tests run in parallel: each probe needs its own name.
    static PROBES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = format!("tdm-{}-probe{n}", std::process::id());
    let netns = sh(&["ip", "netns", "add", &probe]).is_ok();
    if netns {
        let _ = sh(&["ip", "netns", "del", &probe]);
    }
    let ok = root && ka && netns;
    if !ok {
        let why = format!("root={root} keepalived={ka} ip-netns={netns}");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the VRRP lab must run in CI but cannot: {why}");
        }
        eprintln!("skipping the VRRP lab: {why}");
    }
    ok
}

/// The lab; dropping it stops the daemons and deletes the namespaces.
struct Lab {
    tag: String,
    /// The VIP: 192.0.2.100, or 2001:db8::100 for an IPv6 lab (documentation ranges).
    vip: &'static str,
    dir: PathBuf,
    daemons: Vec<(String, Child)>,
}

impl Lab {
    fn ns(&self, n: &str) -> String {
        format!("tdm-{}-{n}", self.tag)
    }

    fn new(tag: &str, ipv6: bool) -> Lab {
        let tag = format!("{}{tag}", std::process::id());
        let dir = std::env::temp_dir().join(format!("tdm-vrrp-lab-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let lab = Lab {
            tag,
            vip: if ipv6 { VIP6 } else { VIP },
            dir,
            daemons: Vec::new(),
        };
        let sw = lab.ns("sw");
        for n in ["sw", "n1", "n2"] {
            let ns = lab.ns(n);
            sh(&["ip", "netns", "add", &ns]).unwrap();
            sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]).unwrap();
            // IPv6 off keeps an IPv4 lab quiet; an IPv6 lab skips DAD so that link-local
            // addresses are usable at once.
            let v6 = if ipv6 {
                [
                    "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0",
                ]
            } else {
                [
                    "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1",
                ]
            };
            sh(&["ip", "netns", "exec", &ns, "sysctl", "-qw", v6[0], v6[1]]).unwrap();
            sh(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "sysctl",
                "-qw",
                "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0",
            ])
            .unwrap();
        }
        sh(&[
            "ip",
            "-n",
            &sw,
            "link",
            "add",
            "br0",
            "type",
            "bridge",
            "stp_state",
            "0",
            "mcast_snooping",
            "0",
        ])
        .unwrap();
        sh(&["ip", "-n", &sw, "link", "set", "br0", "up"]).unwrap();
        for (n, ip, mac) in [
            ("n1", "192.0.2.11/24", "02:00:00:00:00:11"),
            ("n2", "192.0.2.12/24", "02:00:00:00:00:12"),
        ] {
            let ns = lab.ns(n);
            let port = format!("p-{n}");
            sh(&[
                "ip", "-n", &sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
                "netns", &ns,
            ])
            .unwrap();
            sh(&["ip", "-n", &sw, "link", "set", &port, "master", "br0", "up"]).unwrap();
            sh(&["ip", "-n", &ns, "link", "set", "eth0", "address", mac, "up"]).unwrap();
            sh(&["ip", "-n", &ns, "addr", "add", ip, "dev", "eth0"]).unwrap();
        }
        lab
    }

    fn write_conf(&self, node: &str, version: u8, priority: u8, unicast: bool) -> PathBuf {
        let auth = if version == 2 {
            "authentication {\n    auth_type PASS\n    auth_pass 1111\n  }"
        } else {
            ""
        };
        let (me, peer) = if node == "n1" {
            ("192.0.2.11", "192.0.2.12")
        } else {
            ("192.0.2.12", "192.0.2.11")
        };
        let (prefix, version) = if self.vip == VIP6 {
            (64, 3)
        } else {
            (24, version)
        };
        let auth = if version == 2 { auth } else { "" };
        let uni = if unicast {
            format!("unicast_src_ip {me}\n  unicast_peer {{\n    {peer}\n  }}")
        } else {
            String::new()
        };
        let text = format!(
            "global_defs {{\n  router_id {node}\n}}\n\
             vrrp_instance VI_1 {{\n  state BACKUP\n  interface eth0\n  version {version}\n\
             virtual_router_id 51\n  priority {priority}\n  advert_int 1\n  {auth}\n  {uni}\n\
             virtual_ipaddress {{\n    {vip}/{prefix} dev eth0\n  }}\n}}\n",
            vip = self.vip
        );
        let p = self.dir.join(format!("{node}.conf"));
        std::fs::write(&p, text).unwrap();
        p
    }

    fn log_file(&self, node: &str) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{node}.log")))
            .unwrap()
    }

    fn start_keepalived(&mut self, node: &str, conf: &Path) {
        let d = self.dir.join(node);
        std::fs::create_dir_all(&d).unwrap();
        let pid = |n: &str| d.join(n).to_string_lossy().into_owned();
        let ns = self.ns(node);
        let conf = conf.to_string_lossy().into_owned();
        let (kp, vp, cp, bp) = (pid("k.pid"), pid("v.pid"), pid("c.pid"), pid("b.pid"));
        for f in [&kp, &vp, &cp, &bp] {
            let _ = std::fs::remove_file(f);
        }
        let log = self.log_file(node);
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &ns,
                "/usr/sbin/keepalived",
                "-n",
                "-l",
                "-D",
                "-G",
            ])
            .args([
                "-P", "-f", &conf, "-p", &kp, "-r", &vp, "-c", &cp, "-b", &bp,
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemons.push((node.to_string(), child));
    }

    fn start_tandem(&mut self, node: &str, conf: &Path) {
        let ns = self.ns(node);
        let conf = conf.to_string_lossy().into_owned();
        let log = self.log_file(node);
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &ns]);
        if let Ok(t) = std::env::var("TANDEM_VRRP_CMD") {
            cmd.args(t.replace("{conf}", &conf).split_whitespace());
        } else if cli_runs_engine() {
            cmd.args([env!("CARGO_BIN_EXE_tandem"), "keepalived", "-n", "-l", "-D"])
                .args(["-f", &conf]);
        } else {
            cmd.arg(self_exe())
                .args(["daemon_entry", "--exact", "--nocapture", "--test-threads=1"])
                .env("TANDEM_VRRP_CONF", &conf);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemons.push((node.to_string(), child));
    }

    /// SIGTERM the node's daemon and wait (bounded) for it to exit; returns its exit status.
    fn stop(&mut self, node: &str) -> Option<std::process::ExitStatus> {
        let i = self.daemons.iter().position(|(n, _)| n == node)?;
        let (_, mut child) = self.daemons.remove(i);
        let _ = sh(&["kill", "-TERM", &child.id().to_string()]);
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(st)) = child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok()
    }

    fn has_vip(&self, node: &str) -> bool {
        sh(&["ip", "-n", &self.ns(node), "addr", "show", "dev", "eth0"])
            .is_ok_and(|s| s.contains(&format!(" {}/", self.vip)))
    }

    fn holders(&self) -> Vec<&'static str> {
        ["n1", "n2"]
            .into_iter()
            .filter(|n| self.has_vip(n))
            .collect()
    }

    /// Wait until exactly `node` holds the VIP; returns the time it took.
    fn wait_holder(&self, node: &str, limit: Duration) -> Result<Duration, String> {
        let t0 = Instant::now();
        while t0.elapsed() < limit {
            if self.holders() == [node] {
                return Ok(t0.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "VIP holders after {limit:?}: {:?}, wanted only {node}\n{}",
            self.holders(),
            self.logs()
        ))
    }

    /// The VIP stays on `node` alone for `d`.
    fn stays(&self, node: &str, d: Duration) -> Result<(), String> {
        let t0 = Instant::now();
        while t0.elapsed() < d {
            let h = self.holders();
            if h != [node] {
                return Err(format!(
                    "VIP holders {h:?}, wanted only {node}\n{}",
                    self.logs()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    fn logs(&self) -> String {
        ["n1", "n2"]
            .iter()
            .map(|n| {
                let t =
                    std::fs::read_to_string(self.dir.join(format!("{n}.log"))).unwrap_or_default();
                format!("--- {n} log ---\n{t}")
            })
            .collect()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for (_, c) in &mut self.daemons {
            let _ = sh(&["kill", "-TERM", &c.id().to_string()]);
        }
        for (_, c) in &mut self.daemons {
            let end = Instant::now() + Duration::from_secs(5);
            while Instant::now() < end && !matches!(c.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        for n in ["n1", "n2", "sw"] {
            let _ = sh(&["ip", "netns", "del", &self.ns(n)]);
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether `tandem keepalived -n` runs the engine (the CLI may not be wired yet): a config
/// with no instance makes a wired engine start and idle, an unwired one print its notice.
fn cli_runs_engine() -> bool {
    let dir = std::env::temp_dir().join(format!("tdm-cli-probe-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let conf = dir.join("empty.conf");
    let _ = std::fs::write(&conf, "global_defs {\n}\n");
    let res = Command::new("timeout")
        .args([
            "1",
            env!("CARGO_BIN_EXE_tandem"),
            "keepalived",
            "-n",
            "-l",
            "-f",
        ])
        .arg(&conf)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match res {
        Ok(o) => !String::from_utf8_lossy(&o.stderr).contains("not available in this build"),
        Err(_) => false,
    }
}

/// tandem on n1, keepalived on n2; `tandem_prio` vs `ka_prio` decides who should be master.
fn pair(version: u8, tandem_prio: u8, ka_prio: u8, unicast: bool) {
    pair_family(version, tandem_prio, ka_prio, unicast, false, false);
}

/// n1 runs tandem with `tandem_prio`; n2 runs keepalived (or tandem with `n2_tandem`) with
/// `ka_prio`.
fn pair_family(
    version: u8,
    tandem_prio: u8,
    ka_prio: u8,
    unicast: bool,
    ipv6: bool,
    n2_tandem: bool,
) {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new(
        &format!(
            "v{version}{}{}{}{}",
            u8::from(tandem_prio > ka_prio),
            if unicast { "u" } else { "" },
            if ipv6 { "6" } else { "" },
            if n2_tandem { "t" } else { "" }
        ),
        ipv6,
    );
    let c1 = lab.write_conf("n1", version, tandem_prio, unicast);
    let c2 = lab.write_conf("n2", version, ka_prio, unicast);
    if n2_tandem {
        lab.start_tandem("n2", &c2);
    } else {
        lab.start_keepalived("n2", &c2);
    }
    lab.start_tandem("n1", &c1);
    let (master, backup) = if tandem_prio > ka_prio {
        ("n1", "n2")
    } else {
        ("n2", "n1")
    };
    let start = |lab: &mut Lab, node: &str| {
        if node == "n1" {
            lab.start_tandem("n1", &c1);
        } else if n2_tandem {
            lab.start_tandem("n2", &c2);
        } else {
            lab.start_keepalived("n2", &c2);
        }
    };
    // One election: Master_Down_Interval is 3.6 s at most, keepalived may win first and be
    // preempted, hence 12 s.
    lab.wait_holder(master, Duration::from_secs(12)).unwrap();
    lab.stays(master, Duration::from_secs(3)).unwrap();
    // SIGTERM: priority 0 advert, the backup takes over after Skew_Time (< 1 s).
    let sent = Instant::now();
    let st = lab.stop(master);
    if master == "n1" || n2_tandem {
        assert!(
            st.is_some_and(|s| s.success()),
            "tandem exit status {st:?}\n{}",
            lab.logs()
        );
    }
    lab.wait_holder(backup, Duration::from_secs(3)).unwrap();
    let took = sent.elapsed();
    eprintln!("v{version}: {master} SIGTERM -> {backup} holds the VIP after {took:?}");
    lab.stays(backup, Duration::from_secs(2)).unwrap();
    // Restart: the higher priority preempts once its Master_Down_Interval has passed.
    start(&mut lab, master);
    let took = lab.wait_holder(master, Duration::from_secs(8)).unwrap();
    eprintln!("v{version}: {master} restarted -> preempted after {took:?}");
    lab.stays(master, Duration::from_secs(2)).unwrap();
    let logs = lab.logs();
    assert!(
        logs.contains("(VI_1) Entering MASTER STATE"),
        "no MASTER line in the logs\n{logs}"
    );
}

#[test]
fn tandem_master_keepalived_backup_v2() {
    pair(2, 100, 90, false);
}

#[test]
fn tandem_master_keepalived_backup_v3() {
    pair(3, 100, 90, false);
}

#[test]
fn keepalived_master_tandem_backup_v2() {
    pair(2, 90, 100, false);
}

#[test]
fn tandem_master_keepalived_backup_unicast_v2() {
    pair(2, 100, 90, true);
}

#[test]
fn keepalived_master_tandem_backup_unicast_v3() {
    pair(3, 90, 100, true);
}

#[test]
fn tandem_master_keepalived_backup_ipv6() {
    pair_family(3, 100, 90, false, true, false);
}

#[test]
fn keepalived_master_tandem_backup_ipv6() {
    pair_family(3, 90, 100, false, true, false);
}

#[test]
fn two_tandem_nodes_v2() {
    pair_family(2, 100, 90, false, false, true);
}

#[test]
fn two_tandem_nodes_unicast_v3() {
    pair_family(3, 100, 90, true, false, true);
}

/// A failing `vrrp_script` (weight -20: 100 -> 80 < 90) demotes the tandem master; its
/// recovery brings the VIP back.
#[test]
fn track_script_demotes_and_recovers() {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new("trk", false);
    let flag = lab.dir.join("maint");
    let c1 = lab.write_conf("n1", 2, 100, false);
    let text = std::fs::read_to_string(&c1).unwrap();
    let script = format!(
        "vrrp_script chk {{\n  script \"/usr/bin/test ! -e {}\"\n  interval 1\n  weight -20\n  fall 2\n  rise 2\n}}\n",
        flag.display()
    );
    let text = format!("{script}{text}").replace(
        "virtual_ipaddress {",
        "track_script {\n    chk\n  }\n  virtual_ipaddress {",
    );
    std::fs::write(&c1, text).unwrap();
    let c2 = lab.write_conf("n2", 2, 90, false);
    lab.start_keepalived("n2", &c2);
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(12)).unwrap();
    std::fs::write(&flag, "").unwrap();
    // fall 2 s, then keepalived's Master_Down_Interval (3.65 s) ignoring our 80.
    let took = lab.wait_holder("n2", Duration::from_secs(10)).unwrap();
    eprintln!("track_script failure -> n2 holds the VIP after {took:?}");
    std::fs::remove_file(&flag).unwrap();
    let took = lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
    eprintln!("track_script recovery -> n1 holds the VIP after {took:?}");
    let logs = lab.logs();
    assert!(logs.contains("VRRP_Script(chk) failed"), "{logs}");
    assert!(
        logs.contains("(VI_1) Changing effective priority from 100 to 80"),
        "{logs}"
    );
}
