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
            // Own pid files, as for keepalived: the defaults (/run/keepalived.pid,
            // /run/vrrp.pid) are shared by every namespace, so a second daemon would find
            // the first one "already running".
            let d = self.dir.join(node);
            std::fs::create_dir_all(&d).unwrap();
            let (kp, vp) = (d.join("k.pid"), d.join("v.pid"));
            let _ = std::fs::remove_file(&kp);
            let _ = std::fs::remove_file(&vp);
            cmd.args([env!("CARGO_BIN_EXE_tandem"), "keepalived", "-n", "-l", "-D"])
                .args(["-f", &conf])
                .arg("-p")
                .arg(&kp)
                .arg("-r")
                .arg(&vp);
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
        for n in ["n1", "n2", "cl", "sw"] {
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
            "-p",
        ])
        .arg(dir.join("k.pid"))
        .arg("-f")
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
fn keepalived_master_tandem_backup_v3() {
    pair(3, 90, 100, false);
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
fn two_tandem_nodes_v3() {
    pair_family(3, 100, 90, false, false, true);
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

/// A `vrrp_track_process` (weight 0) on a copy of sleep with a name of its own: stopping
/// the process puts the tandem master in FAULT (the keepalived backup takes the VIP),
/// starting it again brings the VIP back. PIDs are not namespaced, so the process runs
/// outside the lab's namespaces.
#[test]
fn track_process_demotes_and_recovers() {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new("tpr", false);
    let name = format!("tdtp{}", std::process::id() % 100_000);
    let exe = lab.dir.join(&name);
    std::fs::copy("/bin/sleep", &exe).unwrap();
    let spawn = || std::process::Command::new(&exe).arg("600").spawn().unwrap();
    let mut child = spawn();
    let c1 = lab.write_conf("n1", 2, 100, false);
    let text = std::fs::read_to_string(&c1).unwrap();
    let block = format!("vrrp_track_process tp {{\n  process {name}\n}}\n");
    let text = format!("{block}{text}").replace(
        "virtual_ipaddress {",
        "track_process {\n    tp\n  }\n  virtual_ipaddress {",
    );
    std::fs::write(&c1, text).unwrap();
    let c2 = lab.write_conf("n2", 2, 90, false);
    lab.start_keepalived("n2", &c2);
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(12)).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let took = lab.wait_holder("n2", Duration::from_secs(10));
    eprintln!("tracked process stopped -> n2 holds the VIP after {took:?}");
    let mut child = spawn();
    let back = lab.wait_holder("n1", Duration::from_secs(12));
    eprintln!("tracked process restarted -> n1 holds the VIP after {back:?}");
    let _ = child.kill();
    let _ = child.wait();
    took.unwrap();
    back.unwrap();
    let logs = lab.logs();
    assert!(
        logs.contains("Quorum lost for tracked process tp"),
        "{logs}"
    );
    assert!(logs.contains("(VI_1) Entering FAULT STATE"), "{logs}");
    assert!(
        logs.contains("Quorum gained for tracked process tp"),
        "{logs}"
    );
}

// ---------------------------------------------------------------------------------------
// Sync groups, reload, capture, malformed adverts, failover timing.

impl Lab {
    fn write_raw(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn pid(&self, node: &str) -> Option<u32> {
        self.daemons
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, c)| c.id())
    }

    fn signal(&self, node: &str, sig: &str) {
        let pid = self.pid(node).expect("daemon running");
        sh(&["kill", &format!("-{sig}"), &pid.to_string()]).unwrap();
    }

    /// A crash: SIGKILL, no priority 0 (keepalived: its VRRP child first, which would
    /// otherwise notice its parent's death and stop cleanly).
    fn crash(&mut self, node: &str) {
        let vpid = self.dir.join(node).join("v.pid");
        if let Ok(p) = std::fs::read_to_string(&vpid) {
            let _ = sh(&["kill", "-KILL", p.trim()]);
        }
        if let Some(i) = self.daemons.iter().position(|(n, _)| n == node) {
            let (_, mut c) = self.daemons.remove(i);
            let _ = c.kill();
            let _ = c.wait();
        }
        // Whatever is left of a killed keepalived (its checker / parent) must not linger.
        let _ = std::fs::remove_file(&vpid);
    }

    fn has_addr(&self, node: &str, addr: &str) -> bool {
        sh(&["ip", "-n", &self.ns(node), "addr", "show", "dev", "eth0"])
            .is_ok_and(|s| s.contains(&format!(" {addr}/")))
    }

    fn wait_addr(
        &self,
        node: &str,
        addr: &str,
        want: bool,
        limit: Duration,
    ) -> Result<Duration, String> {
        let t0 = Instant::now();
        while t0.elapsed() < limit {
            if self.has_addr(node, addr) == want {
                return Ok(t0.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "{addr} on {node} is not {want} after {limit:?}\n{}",
            self.logs()
        ))
    }

    fn log_of(&self, node: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{node}.log"))).unwrap_or_default()
    }

    /// Run a command inside a node's namespace.
    fn run_in(&self, node: &str, args: &[&str]) -> Result<String, String> {
        let ns = self.ns(node);
        let mut a = vec!["ip", "netns", "exec", &ns];
        a.extend_from_slice(args);
        sh(&a)
    }
}

/// A keepalived.conf with a sync group VG_1 of VI_1 (VIP .100) and VI_2 (VIP .101, tracking
/// the interface trk0), group notify scripts logging to `notes`.
fn sync_conf(node: &str, prio: u8, notes: &Path) -> String {
    let note = notes.display();
    format!(
        "global_defs {{\n  router_id {node}\n}}\n\
         vrrp_sync_group VG_1 {{\n  group {{\n    VI_1\n    VI_2\n  }}\n\
         notify \"/bin/sh -c 'echo {node} $0 $1 $2 $3 >> {note}'\"\n}}\n\
         vrrp_instance VI_1 {{\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n\
         priority {prio}\n  advert_int 1\n  virtual_ipaddress {{\n    192.0.2.100/24 dev eth0\n  }}\n}}\n\
         vrrp_instance VI_2 {{\n  state BACKUP\n  interface eth0\n  virtual_router_id 52\n\
         priority {prio}\n  advert_int 1\n  track_interface {{\n    trk0\n  }}\n\
         virtual_ipaddress {{\n    192.0.2.101/24 dev eth0\n  }}\n\
         virtual_routes {{\n    198.51.100.0/24 via 192.0.2.1 dev eth0\n  }}\n}}\n"
    )
}

/// (5) A sync group moves together: tandem on n1 (priority 100), keepalived on n2 (90).
/// VI_2's tracked interface goes down on n1: both instances go FAULT there and n2 takes
/// both VIPs; it comes back: n1 takes both back. The group notify runs with keepalived's
/// arguments.
#[test]
fn sync_group_moves_together() {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new("sg", false);
    for n in ["n1", "n2"] {
        let ns = lab.ns(n);
        sh(&[
            "ip", "-n", &ns, "link", "add", "trk0", "type", "veth", "peer", "name", "trk1",
        ])
        .unwrap();
        sh(&["ip", "-n", &ns, "link", "set", "trk0", "up"]).unwrap();
        sh(&["ip", "-n", &ns, "link", "set", "trk1", "up"]).unwrap();
    }
    let notes = lab.dir.join("notes.log");
    let c1 = lab.write_raw("n1.conf", &sync_conf("n1", 100, &notes));
    let c2 = lab.write_raw("n2.conf", &sync_conf("n2", 90, &notes));
    lab.start_keepalived("n2", &c2);
    lab.start_tandem("n1", &c1);
    let both = |lab: &Lab, node: &str, limit| -> Result<(), String> {
        lab.wait_addr(node, "192.0.2.100", true, limit)?;
        lab.wait_addr(node, "192.0.2.101", true, limit)?;
        let other = if node == "n1" { "n2" } else { "n1" };
        lab.wait_addr(other, "192.0.2.100", false, limit)?;
        lab.wait_addr(other, "192.0.2.101", false, limit)?;
        Ok(())
    };
    both(&lab, "n1", Duration::from_secs(12)).unwrap();
    let routes = lab.run_in("n1", &["ip", "route"]).unwrap();
    assert!(
        routes.contains("198.51.100.0/24 via 192.0.2.1 dev eth0 proto keepalived"),
        "{routes}"
    );
    // VI_2's tracked interface loses its carrier on n1.
    sh(&["ip", "-n", &lab.ns("n1"), "link", "set", "trk1", "down"]).unwrap();
    both(&lab, "n2", Duration::from_secs(5)).unwrap();
    let routes = lab.run_in("n1", &["ip", "route"]).unwrap();
    assert!(
        !routes.contains("198.51.100.0/24"),
        "route removed: {routes}"
    );
    sh(&["ip", "-n", &lab.ns("n1"), "link", "set", "trk1", "up"]).unwrap();
    both(&lab, "n1", Duration::from_secs(8)).unwrap();
    let log = lab.log_of("n1");
    for l in [
        "(VI_2) Entering FAULT STATE",
        "VRRP_Group(VG_1) Syncing instances to FAULT state",
        "(VI_1) Entering FAULT STATE",
        "VRRP_Group(VG_1) Syncing instances to BACKUP state",
        "VRRP_Group(VG_1) Syncing instances to MASTER state",
        "(VI_2) setting Virtual Routes",
    ] {
        assert!(log.contains(l), "missing {l:?}\n{}", lab.logs());
    }
    std::thread::sleep(Duration::from_millis(300));
    let notes = std::fs::read_to_string(&notes).unwrap_or_default();
    // keepalived 2.2.7 passes GROUP NAME STATE 0 to a group's notify (measured).
    for l in [
        "n1 GROUP VG_1 BACKUP 0",
        "n1 GROUP VG_1 MASTER 0",
        "n1 GROUP VG_1 FAULT 0",
        "n2 GROUP VG_1 MASTER 0",
    ] {
        assert!(notes.contains(l), "missing {l:?} in notes:\n{notes}");
    }
}

/// SIGHUP: an unchanged instance keeps its state and VIP (no transition, no VIP flap), a
/// new one starts, a removed one stops, a broken config keeps the running one.
#[test]
fn reload_keeps_unchanged_instances() {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new("hup", false);
    let c1 = lab.write_conf("n1", 2, 100, false);
    let base = std::fs::read_to_string(&c1).unwrap();
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(8)).unwrap();
    let extra = "vrrp_instance VI_3 {\n  interface eth0\n  virtual_router_id 53\n  priority 100\n\
                 virtual_ipaddress {\n    192.0.2.103/24 dev eth0\n  }\n}\n";
    std::fs::write(&c1, format!("{base}{extra}")).unwrap();
    // Watch the VIP continuously while the reload happens.
    let watch = |lab: &Lab, d: Duration| {
        let t0 = Instant::now();
        while t0.elapsed() < d {
            assert!(
                lab.has_vip("n1"),
                "VIP flapped during reload\n{}",
                lab.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    // A capture on the switch for both reloads: the unchanged VI_1 (vrid 51) must send no
    // priority 0 advert (that would hand the VIP away), the removed VI_3 (vrid 53) must.
    let cap_file = lab.dir.join("hup.cap.txt");
    let cap = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns("sw"),
            "timeout",
            "30",
            "tcpdump",
            "-i",
            "br0",
        ])
        .args(["-l", "-nn", "-v", "ip proto 112"])
        .stdout(std::fs::File::create(&cap_file).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .ok();
    // tcpdump needs a moment before it sees packets.
    std::thread::sleep(Duration::from_millis(700));
    lab.signal("n1", "HUP");
    watch(&lab, Duration::from_millis(800));
    lab.wait_addr("n1", "192.0.2.103", true, Duration::from_secs(8))
        .unwrap();
    // Removed again: VI_3 stops (priority 0, VIP removed), VI_1 untouched.
    std::fs::write(&c1, &base).unwrap();
    lab.signal("n1", "HUP");
    lab.wait_addr("n1", "192.0.2.103", false, Duration::from_secs(3))
        .unwrap();
    watch(&lab, Duration::from_millis(300));
    if let Some(mut c) = cap {
        std::thread::sleep(Duration::from_millis(300));
        let _ = c.kill();
        let _ = c.wait();
        let text = std::fs::read_to_string(&cap_file).unwrap_or_default();
        let adverts = |vrid: u8, prio: u8| {
            text.lines()
                .filter(|l| l.contains(&format!("vrid {vrid}, prio {prio},")))
                .count()
        };
        assert!(
            adverts(51, 100) >= 1,
            "the capture saw VI_1's adverts\n{text}"
        );
        assert_eq!(adverts(51, 0), 0, "VI_1 sent priority 0 on reload\n{text}");
        assert!(adverts(53, 0) >= 1, "removed VI_3 sends priority 0\n{text}");
    }
    // A broken file: logged, the running config stays.
    std::fs::write(&c1, format!("{base}vrrp_instance BAD {{\n priority abc\n")).unwrap();
    lab.signal("n1", "HUP");
    watch(&lab, Duration::from_millis(500));
    let log = lab.log_of("n1");
    assert_eq!(
        log.matches("(VI_1) Entering MASTER STATE").count(),
        1,
        "no spurious transition\n{log}"
    );
    assert!(log.contains("(VI_3) sent 0 priority"), "{log}");
    assert!(log.contains("(BAD) Priority not valid!"), "{log}");
    assert!(
        log.contains("Reload failed - keeping the running configuration"),
        "{log}"
    );
    assert_eq!(log.matches("Reload complete").count(), 2, "{log}");
    let st = lab.stop("n1");
    assert!(st.is_some_and(|s| s.success()), "{st:?}\n{log}");
}

/// tandem's adverts as tcpdump decodes them carry the configured fields, and the peer
/// keepalived logs no complaint about them.
#[test]
fn capture_decodes_as_valid_vrrp() {
    if !can_run() {
        return;
    }
    if Command::new("tcpdump").arg("--version").output().is_err() {
        eprintln!("skipping the capture: no tcpdump");
        return;
    }
    let mut lab = Lab::new("cap", false);
    let c1 = lab.write_conf("n1", 2, 100, false);
    let c2 = lab.write_conf("n2", 2, 90, false);
    lab.start_keepalived("n2", &c2);
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(12)).unwrap();
    // Capture on n2 (what the peer receives), only tandem's source address.
    let out = lab
        .run_in(
            "n2",
            &[
                "timeout",
                "5",
                "tcpdump",
                "-i",
                "eth0",
                "-n",
                "-vv",
                "-c",
                "3",
                "-l",
                "ip proto 112 and src host 192.0.2.11",
            ],
        )
        .unwrap_or_else(|e| panic!("tcpdump: {e}"));
    eprintln!("{out}");
    let adverts: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("VRRPv2, Advertisement"))
        .collect();
    assert_eq!(adverts.len(), 3, "{out}");
    for a in adverts {
        for field in [
            "vrid 51",
            "prio 100",
            "authtype simple",
            "intvl 1s",
            "length 20",
            "addrs: 192.0.2.100",
            "auth \"1111",
        ] {
            assert!(a.contains(field), "{field:?} missing in {a}");
        }
    }
    // IP level: TTL 255 and keepalived's TOS 0xc0.
    assert!(out.contains("tos 0xc0, ttl 255"), "{out}");
    assert!(!out.contains("bad cksum"), "{out}");
    // Every line keepalived wrote about VI_1 is an ordinary state line, none a complaint
    // (keepalived's drop lines: "ip ttl", "bad ...", "Invalid ...", "... mismatch ...").
    let ka = lab.log_of("n2");
    let ordinary = [
        "Entering BACKUP STATE",
        "removing VIPs.",
        "setting VIPs.",
        "Entering MASTER STATE",
        "Receive advertisement timeout",
        "Sending/queueing gratuitous ARPs",
        "Master received advert from 192.0.2.11 with higher priority 100, ours 90",
        "received lower priority",
    ];
    for l in ka.lines().filter(|l| l.contains("(VI_1)")) {
        assert!(
            ordinary.iter().any(|o| l.contains(o)),
            "keepalived complained: {l}\n{ka}"
        );
    }
    assert!(ka.contains("(VI_1) Entering BACKUP STATE"), "{ka}");
}

/// Not a test: sends the raw IPv4 packets given (hex, comma separated) in
/// `TANDEM_VRRP_INJECT` out of eth0 of the namespace it runs in (the lab starts it with
/// `ip netns exec`).
#[test]
fn inject_entry() {
    let Ok(hex) = std::env::var("TANDEM_VRRP_INJECT") else {
        return;
    };
    use socket2::{Domain, Protocol, SockAddr, Socket, Type};
    let sock = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::from(255))).unwrap();
    sock.set_header_included_v4(true).unwrap();
    sock.bind_device(Some(b"eth0")).unwrap();
    let dst = SockAddr::from(std::net::SocketAddr::new("224.0.0.18".parse().unwrap(), 0));
    for p in hex.split(',') {
        let bytes: Vec<u8> = (0..p.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&p[i..i + 2], 16).unwrap())
            .collect();
        sock.send_to(&bytes, &dst).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The stats dump's counter `name` in `section` of instance VI_1.
fn stat(stats: &str, section: &str, name: &str) -> u64 {
    let mut in_section = section.is_empty();
    for l in stats.lines() {
        let t = l.trim();
        if l.starts_with("VRRP Instance:") && !l.ends_with("VI_1") {
            break;
        }
        if t.ends_with(':') {
            in_section = t == format!("{section}:");
            continue;
        }
        if in_section && let Some(v) = t.strip_prefix(&format!("{name}: ")) {
            return v.parse().unwrap();
        }
    }
    panic!("no {section}/{name} in\n{stats}")
}

/// Malformed adverts (bad checksum, TTL 64, wrong VRID, wrong password, truncated, wrong
/// version), all claiming priority 200 against a master of priority 100: every one is
/// dropped (the master stays master), counted in the SIGUSR2 stats dump, and the daemon
/// lives on.
#[test]
fn malformed_adverts_are_dropped_and_counted() {
    if !can_run() {
        return;
    }
    use tandem::vrrp::packet::{Advert, Auth, Version};
    let mut lab = Lab::new("bad", false);
    let c1 = lab.write_conf("n1", 2, 100, false);
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(8)).unwrap();
    let src: std::net::Ipv4Addr = "192.0.2.12".parse().unwrap();
    let grp: std::net::Ipv4Addr = "224.0.0.18".parse().unwrap();
    let adv = |edit: &dyn Fn(&mut Advert)| {
        let mut a = Advert {
            version: Version::V2,
            vrid: 51,
            priority: 200,
            auth: Auth::pass(b"1111"),
            adver_int: 1,
            addrs: vec!["192.0.2.100".parse().unwrap()],
        };
        edit(&mut a);
        a.encode_ipv4(src, grp, 7).unwrap()
    };
    let good = adv(&|_| {});
    let mut bad_sum = good.clone();
    bad_sum[20 + 6] ^= 0xff; // VRRP checksum
    let mut ttl = good.clone();
    ttl[8] = 64;
    let vrid = adv(&|a| a.vrid = 77);
    let auth = adv(&|a| a.auth = Auth::pass(b"9999"));
    let trunc = good[..26].to_vec();
    // A well-formed VRRPv3 advert to a v2 instance (a version 4 header would be dropped by
    // the length check first, as keepalived does: "vrrp packet too long").
    let vers = adv(&|a| {
        a.version = Version::V3;
        a.auth = Auth::None;
        a.adver_int = 100;
    });
    let packets = [bad_sum, ttl, vrid, auth, trunc, vers];
    let hex: Vec<String> = packets
        .iter()
        .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    let ns = lab.ns("n2");
    let out = Command::new("ip")
        .args(["netns", "exec", &ns])
        .arg(self_exe())
        .args(["inject_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env("TANDEM_VRRP_INJECT", hex.join(","))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(300));
    lab.stays("n1", Duration::from_millis(1500)).unwrap();
    let _ = std::fs::remove_file("/tmp/keepalived.stats");
    lab.signal("n1", "USR2");
    let t0 = Instant::now();
    let stats = loop {
        if let Ok(s) = std::fs::read_to_string("/tmp/keepalived.stats")
            && s.contains("Checksum")
        {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(3),
            "no stats dump\n{}",
            lab.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    eprintln!("{stats}");
    assert!(stat(&stats, "Other Errors", "Checksum") >= 1, "{stats}");
    assert!(stat(&stats, "Packet Errors", "TTL") >= 1, "{stats}");
    assert!(stat(&stats, "Other Errors", "VRID") >= 1, "{stats}");
    assert!(
        stat(&stats, "Authentication Errors", "Failure") >= 1,
        "{stats}"
    );
    assert!(stat(&stats, "Packet Errors", "Length") >= 1, "{stats}");
    assert!(stat(&stats, "Other Errors", "Version") >= 1, "{stats}");
    assert_eq!(stat(&stats, "Advertisements", "Received"), 0, "{stats}");
    assert!(lab.pid("n1").is_some());
    let st = lab.stop("n1");
    assert!(
        st.is_some_and(|s| s.success()),
        "tandem survived: {st:?}\n{}",
        lab.logs()
    );
}

/// The fast config of the timing runs: VRRPv3, advert_int 0.3 (Master_Down_Interval 0.9 s
/// + skew), the same for both daemons, so that 24 failovers fit in CI.
fn timing_conf(node: &str, prio: u8) -> String {
    format!(
        "global_defs {{\n  router_id {node}\n}}\n\
         vrrp_instance VI_1 {{\n  state BACKUP\n  interface eth0\n  version 3\n\
         virtual_router_id 51\n  priority {prio}\n  advert_int 0.3\n\
         virtual_ipaddress {{\n    192.0.2.100/24 dev eth0\n  }}\n}}\n"
    )
}

fn median(v: &mut [u128]) -> u128 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The lab's client: one HTTP GET to the VIP every 10 ms, each in its own thread (an outage
/// does not slow the cadence), timeout 0.5 s (or the 4th argument), until STOPFILE exists;
/// one line per request: `start_ms end_ms answer|FAIL:reason` (wall clock, as vrrp-lab's
/// client).
const CLIENT_PY: &str = r#"
import os, socket, sys, threading, time
host, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
lock, f = threading.Lock(), open(out, "w")
def get():
    t0, res = time.time(), "FAIL"
    try:
        with socket.create_connection((host, 80), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n"); data = b""
            while True:
                c = s.recv(4096)
                if not c: break
                data += c
        res = data.split(b"\r\n\r\n", 1)[-1].decode().strip() or "FAIL:empty"
    except Exception as e: res = "FAIL:" + type(e).__name__
    with lock: f.write("%d %d %s\n" % (t0 * 1000, time.time() * 1000, res)); f.flush()
end = time.time() + 900
while time.time() < end and not os.path.exists(stop):
    threading.Thread(target=get, daemon=True).start(); time.sleep(0.01)
"#;

fn wall_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

impl Lab {
    /// A client namespace `cl` (192.0.2.50) on the bridge.
    fn add_client(&self) {
        let (sw, cl) = (self.ns("sw"), self.ns("cl"));
        sh(&["ip", "netns", "add", &cl]).unwrap();
        sh(&["ip", "-n", &cl, "link", "set", "lo", "up"]).unwrap();
        sh(&[
            "ip",
            "netns",
            "exec",
            &cl,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.disable_ipv6=1",
        ])
        .unwrap();
        sh(&[
            "ip", "-n", &sw, "link", "add", "p-cl", "type", "veth", "peer", "name", "eth0",
            "netns", &cl,
        ])
        .unwrap();
        sh(&[
            "ip", "-n", &sw, "link", "set", "p-cl", "master", "br0", "up",
        ])
        .unwrap();
        sh(&["ip", "-n", &cl, "link", "set", "eth0", "up"]).unwrap();
        sh(&[
            "ip",
            "-n",
            &cl,
            "addr",
            "add",
            "192.0.2.50/24",
            "dev",
            "eth0",
        ])
        .unwrap();
    }

    /// An HTTP responder on port 80 of `node` answering its own name.
    fn start_http(&mut self, node: &str) {
        let www = self.dir.join(format!("www-{node}"));
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("index.html"), format!("{node}\n")).unwrap();
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(node),
                "python3",
                "-m",
                "http.server",
                "80",
            ])
            .args(["--bind", "0.0.0.0", "--directory"])
            .arg(&www)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.daemons.push((format!("http-{node}"), child));
    }

    /// Starts the client loop; returns (log file, stop file).
    fn start_client(&mut self) -> (PathBuf, PathBuf) {
        self.start_client_with_timeout(0.5)
    }

    /// The client loop with its own per-request timeout in seconds.
    fn start_client_with_timeout(&mut self, timeout: f64) -> (PathBuf, PathBuf) {
        let py = self.write_raw("client.py", CLIENT_PY);
        let (log, stop) = (self.dir.join("client.log"), self.dir.join("client.stop"));
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns("cl"), "python3"])
            .arg(&py)
            .arg(VIP)
            .arg(&log)
            .arg(&stop)
            .arg(timeout.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.daemons.push(("client".into(), child));
        (log, stop)
    }

    /// Blocks until `node` sees one VRRP advert from `from` (bounded), so that a failure
    /// can be placed at the same point of the advert cycle for every daemon.
    fn wait_advert(&self, node: &str, from: &str) {
        let _ = Command::new("timeout")
            .args([
                "2",
                "ip",
                "netns",
                "exec",
                &self.ns(node),
                "tcpdump",
                "-i",
                "eth0",
            ])
            .args(["-l", "-c", "1", "-nn", "-q"])
            .arg(format!("ip proto 112 and src {from}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    fn link(&self, node: &str, up: bool) {
        sh(&[
            "ip",
            "-n",
            &self.ns("sw"),
            "link",
            "set",
            &format!("p-{node}"),
            if up { "up" } else { "down" },
        ])
        .unwrap();
    }
}

/// One failover as seen from the client log: ms from the failure until the first answer
/// from `to`, and the requests that failed in between.
fn client_view(log: &Path, t_fail: u128, to: &str) -> Option<(u128, usize)> {
    let text = std::fs::read_to_string(log).ok()?;
    let rows: Vec<(u128, u128, &str)> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.parse().ok()?, w.next()?.parse().ok()?, w.next()?))
        })
        .collect();
    let first = rows
        .iter()
        .filter(|r| r.2 == to && r.1 >= t_fail)
        .map(|r| r.1)
        .min()?;
    // Requests that were in flight at the failure or started before the first answer.
    let failed = rows
        .iter()
        .filter(|r| r.2.starts_with("FAIL") && r.1 >= t_fail && r.0 <= first)
        .count();
    Some((first - t_fail, failed))
}

/// Failover, tandem against keepalived in the same roles, in the same lab, interleaved run
/// by run (the daemon under test is swapped between runs), as the daemon and as the
/// client sees it. VRRPv3, advert_int 0.3; n1 (priority 100) master, n2 (90) backup;
/// "master": the daemon under test is n1 (its stop / crash / link loss hands over to
/// keepalived on n2); "backup": it is n2 (taking over from keepalived on n1). Failures:
/// TERM (priority 0: Skew_Time, 194 ms), KILL (crash: Master_Down_Interval 1094 ms less
/// where the crash falls in the advert cycle) and LINK (n1's switch port down: the same).
/// Crashes are placed 150 ms after an advert of n1 seen on the wire, for both daemons, so
/// that the comparison is not drowned by the 0-300 ms phase of a random crash.
///
/// Figures per run: `vip` ms until the VIP is on n2 (`ip addr`, polled every 5 ms),
/// `client` ms until the client (a GET every 10 ms) gets its first answer from n2, and the
/// requests that failed. The medians are printed; tandem must be no slower than keepalived
/// with a tolerance of 40 ms on the medians: the spread measured between runs of the
/// same daemon on this 2-core shared machine is 10-30 ms around the median, while a real
/// regression (a missed timer tick, a late first advert or ARP) costs one advert interval,
/// 300 ms. `TANDEM_FAILOVER_RUNS` (default 3, about 2 minutes) sets the runs per daemon
/// and failure.
#[test]
fn failover_client_view_tandem_vs_keepalived() {
    if !can_run() || !cli_runs_engine() {
        return;
    }
    let runs: usize = std::env::var("TANDEM_FAILOVER_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // (role, kind, daemon) -> [(vip ms, client ms, failed)]
    let mut table: FailoverTable = Default::default();
    for role in ["master", "backup"] {
        let mut lab = Lab::new(&format!("cv{}", &role[..1]), false);
        lab.add_client();
        let c1 = lab.write_raw("n1.conf", &timing_conf("n1", 100));
        let c2 = lab.write_raw("n2.conf", &timing_conf("n2", 90));
        let test_node = if role == "master" { "n1" } else { "n2" };
        let start = |lab: &mut Lab, node: &str, daemon: &str| {
            let conf = if node == "n1" { &c1 } else { &c2 };
            if daemon == "tandem" && node == test_node {
                lab.start_tandem(node, conf);
            } else {
                lab.start_keepalived(node, conf);
            }
        };
        lab.start_http("n1");
        lab.start_http("n2");
        // Which daemon runs on the node under test now.
        let mut current = "keepalived";
        start(&mut lab, "n2", "keepalived");
        start(&mut lab, "n1", "keepalived");
        lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
        let (log, stop) = lab.start_client();
        for run in 0..runs {
            for kind in ["TERM", "KILL", "LINK"] {
                for daemon in ["keepalived", "tandem"] {
                    if current != daemon {
                        let _ = lab.stop(test_node);
                        start(&mut lab, test_node, daemon);
                        current = daemon;
                    }
                    lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
                    // A backup that just started must have seen the master first.
                    std::thread::sleep(Duration::from_millis(600));
                    if kind != "TERM" {
                        lab.wait_advert("n2", "192.0.2.11");
                        std::thread::sleep(Duration::from_millis(150));
                    } else {
                        std::thread::sleep(Duration::from_millis(37 * run as u64 % 300));
                    }
                    let (t0, t_fail) = (Instant::now(), wall_ms());
                    match kind {
                        "TERM" => {
                            let pid = lab.pid("n1").unwrap();
                            let _ = sh(&["kill", "-TERM", &pid.to_string()]);
                        }
                        "KILL" => lab.crash("n1"),
                        _ => lab.link("n1", false),
                    }
                    while t0.elapsed() < Duration::from_secs(5) && !lab.has_vip("n2") {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    let vip = t0.elapsed().as_millis();
                    assert!(lab.has_vip("n2"), "no takeover\n{}", lab.logs());
                    // The client's first answer from n2 (bounded wait).
                    let mut cv = None;
                    while cv.is_none() && t0.elapsed() < Duration::from_secs(8) {
                        std::thread::sleep(Duration::from_millis(50));
                        cv = client_view(&log, t_fail, "n2");
                    }
                    assert!(cv.is_some(), "the client never reached n2\n{}", lab.logs());
                    // Requests still waiting for their 0.5 s timeout are logged later.
                    std::thread::sleep(Duration::from_millis(600));
                    let (client, failed) = client_view(&log, t_fail, "n2").unwrap_or_default();
                    table
                        .entry((role.into(), kind.into(), daemon.into()))
                        .or_default()
                        .push((vip, client, failed));
                    // Recover: n1 back (it preempts).
                    match kind {
                        "TERM" => {
                            let _ = lab.stop("n1");
                            let d = if test_node == "n1" {
                                daemon
                            } else {
                                "keepalived"
                            };
                            start(&mut lab, "n1", d);
                        }
                        "KILL" => {
                            let d = if test_node == "n1" {
                                daemon
                            } else {
                                "keepalived"
                            };
                            start(&mut lab, "n1", d);
                        }
                        _ => lab.link("n1", true),
                    }
                }
            }
        }
        let _ = std::fs::write(&stop, "");
    }
    eprintln!(
        "failover, VRRPv3 advert_int 0.3, {runs} runs each, interleaved; ms from the failure \
         (vip: VIP on the other node; client: first answer from it; failed requests, one \
         every 10 ms):"
    );
    eprintln!(
        "{:<7} {:<5} {:<11} {:>8} {:>11} {:>7}  runs (vip/client/failed)",
        "role", "fail", "daemon", "vip med", "client med", "failed"
    );
    let mut med = std::collections::HashMap::new();
    for ((role, kind, daemon), rows) in &table {
        let mut v: Vec<u128> = rows.iter().map(|r| r.0).collect();
        let mut c: Vec<u128> = rows.iter().map(|r| r.1).collect();
        let mut f: Vec<u128> = rows.iter().map(|r| r.2 as u128).collect();
        let (mv, mc, mf) = (median(&mut v), median(&mut c), median(&mut f));
        let list: Vec<String> = rows
            .iter()
            .map(|r| format!("{}/{}/{}", r.0, r.1, r.2))
            .collect();
        eprintln!(
            "{role:<7} {kind:<5} {daemon:<11} {mv:>8} {mc:>11} {mf:>7}  {}",
            list.join(" ")
        );
        med.insert((role.clone(), kind.clone(), daemon.clone()), (mv, mc));
    }
    const TOLERANCE_MS: u128 = 40;
    for role in ["master", "backup"] {
        for kind in ["TERM", "KILL", "LINK"] {
            let get = |d: &str| med[&(role.to_string(), kind.to_string(), d.to_string())];
            let (t, k) = (get("tandem"), get("keepalived"));
            assert!(
                t.0 <= k.0 + TOLERANCE_MS && t.1 <= k.1 + TOLERANCE_MS,
                "tandem as {role} is slower on {kind}: vip/client medians {t:?} ms vs \
                 keepalived {k:?} ms"
            );
        }
    }
}

/// The config of the `nopreempt` cases: VRRPv3 with advert_int 0.5 (Master_Down_Interval
/// 1.5 s + Skew_Time) to keep them short; `nopreempt` on the node with priority 100.
fn nopreempt_conf(node: &str, prio: u8, nopreempt: bool) -> String {
    let np = if nopreempt { "nopreempt\n  " } else { "" };
    format!(
        "global_defs {{\n  router_id {node}\n}}\n\
         vrrp_instance VI_1 {{\n  state BACKUP\n  {np}interface eth0\n  version 3\n\
         virtual_router_id 51\n  priority {prio}\n  advert_int 0.5\n\
         virtual_ipaddress {{\n    192.0.2.100/24 dev eth0\n  }}\n}}\n"
    )
}

/// `nopreempt`: the higher priority node (100, `state BACKUP` + `nopreempt`) wins the first
/// election, is stopped (the other node, 90, takes over), is restarted and must NOT take
/// the VIP back: the lower priority master keeps it for 4 s beyond the restarted node's
/// Master_Down_Interval. n1 always runs tandem, n2 keepalived; `tandem_nopreempt` says
/// which of them is the nopreempt node.
fn nopreempt_case(tandem_nopreempt: bool) {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new(if tandem_nopreempt { "np1" } else { "np2" }, false);
    let (hi, lo) = if tandem_nopreempt {
        ("n1", "n2")
    } else {
        ("n2", "n1")
    };
    let c1 = lab.write_raw(
        "n1.conf",
        &nopreempt_conf("n1", if hi == "n1" { 100 } else { 90 }, hi == "n1"),
    );
    let c2 = lab.write_raw(
        "n2.conf",
        &nopreempt_conf("n2", if hi == "n2" { 100 } else { 90 }, hi == "n2"),
    );
    let start = |lab: &mut Lab, node: &str| {
        if node == "n1" {
            lab.start_tandem("n1", &c1);
        } else {
            lab.start_keepalived("n2", &c2);
        }
    };
    // The nopreempt node first, so that it is master before the other one runs (a
    // nopreempt node that lost the first election would never take over, by design).
    start(&mut lab, hi);
    lab.wait_holder(hi, Duration::from_secs(8)).unwrap();
    start(&mut lab, lo);
    lab.stays(hi, Duration::from_secs(3)).unwrap();
    let st = lab.stop(hi);
    if hi == "n1" {
        assert!(
            st.is_some_and(|s| s.success()),
            "tandem exit status {st:?}\n{}",
            lab.logs()
        );
    }
    let took = lab.wait_holder(lo, Duration::from_secs(3)).unwrap();
    eprintln!("nopreempt: {hi} SIGTERM -> {lo} holds the VIP after {took:?}");
    // Restarted: without nopreempt the VIP would be back within Master_Down_Interval
    // (1.5 s + 0.3 s skew at priority 100); it stays on the lower priority node.
    start(&mut lab, hi);
    lab.stays(lo, Duration::from_secs(6)).unwrap();
    let hi_log = lab.log_of(hi);
    assert!(
        hi_log.matches("(VI_1) Entering MASTER STATE").count() == 1,
        "one MASTER line (the first election) on the nopreempt node\n{}",
        lab.logs()
    );
    assert!(
        hi_log.matches("(VI_1) Entering BACKUP STATE").count() >= 2,
        "the restarted nopreempt node is BACKUP\n{}",
        lab.logs()
    );
}

#[test]
fn nopreempt_tandem_keeps_backup_after_restart() {
    nopreempt_case(true);
}

#[test]
fn nopreempt_keepalived_keeps_backup_after_restart() {
    nopreempt_case(false);
}

/// `vrrp_notify_fifo`: tandem creates the FIFO and writes keepalived 2.2.7's lines to it
/// (measured with keepalived on the same config: `INSTANCE "VI_1" BACKUP 100`, then
/// `... MASTER 100`, then `... STOP 100` on SIGTERM). The instance's `notify_master` and
/// `notify` scripts run with keepalived's arguments, and SIGUSR1 writes the data dump.
#[test]
fn notify_fifo_lines() {
    if !can_run() {
        return;
    }
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let mut lab = Lab::new("fifo", false);
    let fifo = lab.dir.join("notify.fifo");
    let notes = lab.dir.join("notes.log");
    let text = nopreempt_conf("n1", 100, false)
        .replace(
            "global_defs {\n",
            &format!("global_defs {{\n  vrrp_notify_fifo {}\n", fifo.display()),
        )
        .replace(
            "interface eth0\n",
            &format!(
                "interface eth0\n  notify_master \"/bin/sh -c 'echo master $0 >> {n}' x\"\n  \
                 notify \"/bin/sh -c 'echo $0 $1 $2 $3 >> {n}'\"\n",
                n = notes.display()
            ),
        );
    let c1 = lab.write_raw("n1.conf", &text);
    lab.start_tandem("n1", &c1);
    let t0 = Instant::now();
    while !std::fs::metadata(&fifo).is_ok_and(|m| m.file_type().is_fifo()) {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no FIFO\n{}",
            lab.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Held open across the stop: a FIFO keeps its data only while someone has it open.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    lab.wait_holder("n1", Duration::from_secs(6)).unwrap();
    // SIGUSR1: keepalived's data dump file (no other lab test uses it).
    let _ = std::fs::remove_file("/tmp/keepalived.data");
    lab.signal("n1", "USR1");
    let t1 = Instant::now();
    let data = loop {
        if let Ok(s) = std::fs::read_to_string("/tmp/keepalived.data")
            && s.contains("------< Interfaces >------")
        {
            break s;
        }
        assert!(
            t1.elapsed() < Duration::from_secs(3),
            "no data dump\n{}",
            lab.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    for l in [
        "------< VRRP Topology >------",
        " VRRP Instance = VI_1",
        "   State = MASTER",
        "   Virtual Router ID = 51",
        "------< VRRP Sockpool >------",
        "   Type = Multicast",
        "     VI_1 vrid 51",
        " Name = eth0",
        "   HW Type = ETHERNET",
        "   Tracking VRRP instances :\n     VI_1, weight 0",
    ] {
        assert!(data.contains(l), "{l:?} missing in the data dump\n{data}");
    }
    let st = lab.stop("n1");
    assert!(st.is_some_and(|s| s.success()), "{st:?}\n{}", lab.logs());
    std::thread::sleep(Duration::from_millis(300));
    let notes = std::fs::read_to_string(&notes).unwrap_or_default();
    for l in [
        "INSTANCE VI_1 BACKUP 100",
        "master x",
        "INSTANCE VI_1 MASTER 100",
        "INSTANCE VI_1 STOP 100",
    ] {
        assert!(
            notes.lines().any(|n| n == l),
            "missing {l:?} in notes:\n{notes}"
        );
    }
    let mut buf = vec![0u8; 4096];
    let n = reader.read(&mut buf).unwrap_or(0);
    let got = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert_eq!(
        got,
        "INSTANCE \"VI_1\" BACKUP 100\nINSTANCE \"VI_1\" MASTER 100\nINSTANCE \"VI_1\" STOP 100\n",
        "{}",
        lab.logs()
    );
}

/// Kills a daemon we know only by its pid on every path (the test's own guard).
struct PidGuard(Option<u32>);

impl Drop for PidGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = sh(&["kill", "-KILL", &p.to_string()]);
        }
    }
}

/// keepalived's default: without `-n` the command returns at once and the daemon runs in
/// the background; `-p` / `-r` name the pid files (tandem is one process: both hold its
/// pid), which are removed on SIGTERM, as the VIP is.
#[test]
fn daemon_by_default_with_pid_files() {
    if !can_run() || !cli_runs_engine() {
        return;
    }
    let lab = Lab::new("dmn", false);
    let c1 = lab.write_conf("n1", 2, 100, false);
    let (pf, vf) = (lab.dir.join("main.pid"), lab.dir.join("vrrp.pid"));
    let t0 = Instant::now();
    let out = Command::new("ip")
        .args(["netns", "exec", &lab.ns("n1")])
        .arg(env!("CARGO_BIN_EXE_tandem"))
        .args(["keepalived", "-G", "-f"])
        .arg(&c1)
        .arg("-p")
        .arg(&pf)
        .arg("-r")
        .arg(&vf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "the command did not return"
    );
    let read = |f: &Path| {
        std::fs::read_to_string(f)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
    };
    let mut guard = PidGuard(None);
    while guard.0.is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no pid file {}",
            pf.display()
        );
        guard.0 = read(&pf);
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = guard.0.unwrap_or_default();
    assert_eq!(read(&vf), Some(pid), "the VRRP pid file");
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    lab.wait_holder("n1", Duration::from_secs(8)).unwrap();
    sh(&["kill", "-TERM", &pid.to_string()]).unwrap();
    let t1 = Instant::now();
    // Gone, or a zombie nobody reaps (a container without an init).
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.rsplit(") ").next().is_some_and(|r| !r.starts_with('Z')))
    };
    while alive() {
        assert!(
            t1.elapsed() < Duration::from_secs(5),
            "daemon still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    guard.0 = None;
    assert!(!lab.has_vip("n1"), "VIP removed on stop");
    assert!(!pf.exists() && !vf.exists(), "pid files removed on stop");
}

/// `vrrp_strict` on both nodes, both configured `state MASTER` with PASS authentication:
/// strict mode ignores the authentication and makes the initial state follow address
/// ownership, so tandem (100) and keepalived (90) pair up as usual, keepalived logs no
/// authentication complaint, and the capture shows adverts without authentication.
#[test]
fn strict_mode_pairs_with_keepalived() {
    if !can_run() {
        return;
    }
    let mut lab = Lab::new("strict", false);
    let conf = |node: &str, prio: u8| {
        let base = std::fs::read_to_string(lab.write_conf(node, 2, prio, false)).unwrap();
        base.replace("global_defs {\n", "global_defs {\n  vrrp_strict\n")
            .replace("state BACKUP", "state MASTER")
    };
    let (t1, t2) = (conf("n1", 100), conf("n2", 90));
    let c1 = lab.write_raw("n1.conf", &t1);
    let c2 = lab.write_raw("n2.conf", &t2);
    lab.start_keepalived("n2", &c2);
    lab.start_tandem("n1", &c1);
    lab.wait_holder("n1", Duration::from_secs(12)).unwrap();
    lab.stays("n1", Duration::from_secs(2)).unwrap();
    // The config-time warnings aside (both daemons print them), no complaint at run time.
    let warned = [
        "(VI_1) Strict mode does not support authentication. Ignoring.",
        "(VI_1) State MASTER must match being address owner",
    ];
    let ka = lab.log_of("n2");
    for w in warned {
        assert!(
            ka.contains(w) && lab.log_of("n1").contains(w),
            "{w}\n{}",
            lab.logs()
        );
    }
    for bad in ["auth", "Auth", "mismatch", "Invalid"] {
        for l in ka
            .lines()
            .filter(|l| l.contains("(VI_1)") && !warned.iter().any(|w| l.contains(w)))
        {
            assert!(
                !l.contains(bad),
                "keepalived complained: {l}\n{}",
                lab.logs()
            );
        }
    }
    let t = lab.log_of("n1");
    assert!(t.contains("(VI_1) Entering BACKUP STATE (init)"), "{t}");
    // The firewall side of strict mode (keepalived 2.2.7 is built with nftables): the
    // master drops traffic to its VIPs through `table ip keepalived`; the backup blocks
    // nothing; on stop the table goes, and the new master (keepalived) makes its own.
    let nft = |lab: &Lab, node: &str| {
        lab.run_in(node, &["nft", "list", "ruleset"])
            .unwrap_or_default()
    };
    let have_nft = Path::new("/usr/sbin/nft").exists() || sh(&["which", "nft"]).is_ok();
    if have_nft {
        let t1 = Instant::now();
        while !nft(&lab, "n1").contains("192.0.2.100") && t1.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let r1 = nft(&lab, "n1");
        for want in [
            "table ip keepalived",
            "ip daddr @vips drop",
            "ip saddr @vips drop",
            "elements = { 192.0.2.100 }",
        ] {
            assert!(r1.contains(want), "tandem's ruleset lacks {want:?}:\n{r1}");
        }
        // (keepalived keeps its table once made, with the VIP taken out of the set.)
        assert!(
            !nft(&lab, "n2").contains("192.0.2.100"),
            "the backup blocks nothing:\n{}",
            nft(&lab, "n2")
        );
        // keepalived's own ruleset, as the reference the lines above come from.
        eprintln!("tandem master's nft ruleset:\n{r1}");
    } else {
        assert!(
            t.contains("cannot install the vrrp_strict/no_accept firewall rules"),
            "no nft and no warning\n{t}"
        );
    }
    let st = lab.stop("n1");
    assert!(st.is_some_and(|s| s.success()), "{st:?}\n{}", lab.logs());
    lab.wait_holder("n2", Duration::from_secs(4)).unwrap();
    if have_nft {
        assert!(
            !nft(&lab, "n1").contains("keepalived"),
            "table removed on stop"
        );
        let t2 = Instant::now();
        while !nft(&lab, "n2").contains("192.0.2.100") && t2.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let r2 = nft(&lab, "n2");
        assert!(
            r2.contains("ip daddr @vips drop") && r2.contains("192.0.2.100"),
            "keepalived's master ruleset:\n{r2}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// `tandem run`: both engines in one process.

/// A haproxy.cfg for `tandem run` in the lab: `:80` on every address (the VIP too) to the
/// node's own HTTP responder on 127.0.0.1:8080.
const RUN_HAPROXY: &str = "global\n  maxconn 200\n  nbthread 1\n\
defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\
frontend fe\n  bind :80\n  default_backend be\n\
backend be\n  server s1 127.0.0.1:8080\n";

impl Lab {
    /// An HTTP responder on 127.0.0.1:8080 of `node` answering its own name (behind the
    /// proxy of `tandem run`).
    fn start_backend(&mut self, node: &str) {
        let www = self.dir.join(format!("www-{node}"));
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("index.html"), format!("{node}\n")).unwrap();
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(node),
                "python3",
                "-m",
                "http.server",
                "8080",
            ])
            .args(["--bind", "127.0.0.1", "--directory"])
            .arg(&www)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.daemons.push((format!("http-{node}"), child));
    }

    fn start_run(&mut self, node: &str, hcfg: &Path, kcfg: &Path) {
        let log = self.log_file(node);
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(node),
                env!("CARGO_BIN_EXE_tandem"),
                "run",
            ])
            .arg("-f")
            .arg(hcfg)
            .arg("-k")
            .arg(kcfg)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemons.push((node.to_string(), child));
    }
}

/// Planned failover with `tandem run` on both nodes: SIGTERM to the master (priority 0,
/// the VIP kept and served until the peer's advert and one interval more, then released,
/// then the proxy drains) loses no request of a client that GETs the VIP every 10 ms.
/// The request that used to be lost in about every second handover was the one in
/// flight when the client took the new master's gratuitous ARP (tcpdump: its next
/// segment went to the new master, which reset the connection it did not know); the new
/// master now hands such segments back to the old one during the takeover
/// (`tandem::vrrp::takeover`). The client's timeout is the shared vrrp-lab's, 1 s.
/// `TANDEM_HANDOVER_RUNS` (default 3; 10 for the issue's figure) sets the repetitions.
/// Also checked: a proxy-probing `vrrp_script` (`killall -0 haproxy`) is served natively,
/// with the notice.
#[test]
fn tandem_run_planned_handover_loses_nothing() {
    if !can_run() {
        return;
    }
    let runs: usize = std::env::var("TANDEM_HANDOVER_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut lab = Lab::new("run", false);
    lab.add_client();
    let h = lab.write_raw("haproxy.cfg", RUN_HAPROXY);
    let probe = "vrrp_script chk_proxy {\n  script \"killall -0 haproxy\"\n  interval 1\n}\n";
    let k = |node: &str, prio: u8| {
        let c = timing_conf(node, prio);
        let c = c.replacen("vrrp_instance", &format!("{probe}vrrp_instance"), 1);
        c.replace(
            "virtual_ipaddress {",
            "track_script {\n    chk_proxy\n  }\n  virtual_ipaddress {",
        )
    };
    let k1 = lab.write_raw("n1.conf", &k("n1", 100));
    let k2 = lab.write_raw("n2.conf", &k("n2", 90));
    lab.start_backend("n1");
    lab.start_backend("n2");
    lab.start_run("n2", &h, &k2);
    lab.start_run("n1", &h, &k1);
    lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
    // The shared vrrp-lab's per-request timeout (VRRP_LAB_TIMEOUT=1): on this 2-core host
    // shared by several builds, an answer can take more than 0.5 s with no packet lost
    // (seen in captures: the SYN, the GET and its ACK on time, the response late).
    let (log, stop) = lab.start_client_with_timeout(1.0);
    // TANDEM_LAB_PCAP=1: captures in the client's and both nodes' namespaces, kept in the
    // lab's directory when the test fails (to see which segment of a lost request went
    // where).
    if std::env::var("TANDEM_LAB_PCAP").is_ok_and(|v| v == "1") {
        for n in ["cl", "n1", "n2"] {
            let child = Command::new("ip")
                .args([
                    "netns",
                    "exec",
                    &lab.ns(n),
                    "tcpdump",
                    "-i",
                    "eth0",
                    "-U",
                    "-w",
                ])
                .arg(lab.dir.join(format!("{n}.pcap")))
                .arg("arp or tcp port 80 or ip proto 112")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            lab.daemons.push((format!("pcap-{n}"), child));
        }
        eprintln!("captures in {}", lab.dir.display());
    }
    let mut failed_per_run = Vec::new();
    for _ in 0..runs {
        lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
        // Past the preemption's own switch-over (not what is measured here).
        std::thread::sleep(Duration::from_millis(2000));
        // The client reaches n1 through its proxy.
        let t_fail = wall_ms();
        let st = lab.stop("n1");
        let t_exit = wall_ms();
        assert!(st.is_some_and(|s| s.success()), "{st:?}\n{}", lab.logs());
        lab.wait_holder("n2", Duration::from_secs(5)).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let rows: Vec<(u128, &str)> = text
            .lines()
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                let start = w.next()?.parse().ok()?;
                let _end = w.next()?;
                Some((start, w.next()?))
            })
            .collect();
        // Requests in flight at the signal (a request takes a few ms here) up to the
        // proxy's exit after its drain, and a little more.
        let window: Vec<&(u128, &str)> = rows
            .iter()
            .filter(|r| r.0 + 100 >= t_fail && r.0 <= t_exit + 300)
            .collect();
        let lost: Vec<String> = window
            .iter()
            .filter(|r| r.1.starts_with("FAIL"))
            .map(|r| format!("{:+}ms {}", r.0 as i128 - t_fail as i128, r.1))
            .collect();
        if !lost.is_empty() {
            eprintln!(
                "lost (start relative to SIGTERM; exit after {} ms): {lost:?}",
                t_exit - t_fail
            );
        }
        assert!(
            window.iter().any(|r| r.1 == "n1") && window.iter().any(|r| r.1 == "n2"),
            "the client saw both nodes around the handover\n{}",
            lab.logs()
        );
        failed_per_run.push(window.iter().filter(|r| r.1.starts_with("FAIL")).count());
        lab.start_run("n1", &h, &k1);
    }
    // One reload path: a broken haproxy.cfg keeps both engines as they were; a good one
    // reloads both, with the VIP kept (no VRRP transition) and the client served.
    lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::write(
        &h,
        RUN_HAPROXY.replace("default_backend be", "default_backend nosuch"),
    )
    .unwrap();
    let t_bad = wall_ms();
    lab.signal("n1", "HUP");
    lab.stays("n1", Duration::from_millis(1000)).unwrap();
    std::fs::write(&h, RUN_HAPROXY).unwrap();
    lab.signal("n1", "HUP");
    lab.stays("n1", Duration::from_millis(1500)).unwrap();
    let t_end = wall_ms();
    let n1_log = lab.log_of("n1");
    assert!(
        n1_log.contains("reload failed - keeping the running configuration"),
        "{n1_log}"
    );
    assert!(n1_log.contains("tandem run: reload complete"), "{n1_log}");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let reload_lost = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let start: u128 = w.next()?.parse().ok()?;
            let _ = w.next()?;
            let res = w.next()?;
            (start >= t_bad && start + 600 <= t_end && res.starts_with("FAIL")).then_some(())
        })
        .count();
    eprintln!("tandem run: requests lost across a failed and a good reload: {reload_lost}");
    for l in text.lines().filter(|l| l.contains("FAIL")) {
        let start: u128 = l
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if start >= t_bad && start + 600 <= t_end {
            eprintln!(
                "  lost in the reload window ({} ms after the bad HUP): {l}",
                start - t_bad
            );
        }
    }
    // The new generation takes the old one's listening sockets over: a connection in the
    // accept queue of a listener the old generation closed was reset (1 lost in 2 of 7
    // runs before that).
    assert_eq!(
        reload_lost,
        0,
        "requests lost across the reloads\n{}",
        lab.logs()
    );
    let _ = std::fs::write(&stop, "");
    eprintln!(
        "tandem run, planned handover by SIGTERM: failed requests per run {failed_per_run:?}"
    );
    let logs = lab.logs();
    assert!(
        logs.contains("VRRP_Script(chk_proxy) only probes the proxy (killall -0 haproxy)"),
        "{logs}"
    );
    assert!(
        logs.contains("the peer is master: releasing the VIPs"),
        "{logs}"
    );
    // The new master handed the old master's segments back (its log says so each time),
    // and its takeover tables go when their window (here 5 s) is over.
    assert!(lab.log_of("n2").contains("are handed back to it"), "{logs}");
    let t0 = Instant::now();
    let tables = || {
        lab.run_in("n2", &["nft", "list", "tables"])
            .unwrap_or_default()
    };
    while tables().contains("tandem_takeover") && t0.elapsed() < Duration::from_secs(7) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!tables().contains("tandem_takeover"), "{}", tables());
    // Zero. keepalived alone loses 14-18 requests at this rate
    // (failover_client_view_tandem_vs_keepalived, TERM); without the takeover's hand-back
    // 5 of 10 handovers lost one request (a ConnectionReset from the new master).
    assert!(
        failed_per_run.iter().all(|f| *f == 0),
        "requests lost in a planned handover: {failed_per_run:?}\n{logs}"
    );
}

/// (role, kind, daemon) -> [(vip ms, client ms, failed requests)] per run.
type FailoverTable = std::collections::BTreeMap<(String, String, String), Vec<(u128, u128, usize)>>;

impl Lab {
    /// An HTTP responder on 127.0.0.1:`port` of `node` answering its own name, registered
    /// as `name` (so that it can be stopped alone).
    fn start_backend_on(&mut self, node: &str, port: u16, name: &str) {
        let www = self.dir.join(format!("www-{node}"));
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("index.html"), format!("{node}\n")).unwrap();
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(node),
                "python3",
                "-m",
                "http.server",
            ])
            .arg(port.to_string())
            .args(["--bind", "127.0.0.1", "--directory"])
            .arg(&www)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.daemons.push((name.to_string(), child));
    }

    /// SIGKILL one registered process (a backend, an HAProxy) and reap it.
    fn kill_named(&mut self, name: &str) {
        if let Some(i) = self.daemons.iter().position(|(n, _)| n == name) {
            let (_, mut c) = self.daemons.remove(i);
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The real HAProxy 2.6 in the foreground in `node`'s namespace (registered as
    /// `hap-NODE`), next to a real keepalived: the pair tandem replaces.
    fn start_haproxy(&mut self, node: &str, cfg: &Path) {
        let log = self.log_file(node);
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(node),
                "/usr/sbin/haproxy",
                "-db",
                "-f",
            ])
            .arg(cfg)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemons.push((format!("hap-{node}"), child));
    }
}

/// `track_backend` under `tandem run` on both nodes: every server of the tracked backend
/// stopped on the MASTER (n1) moves the VIP to n2 within `fall`×`inter` plus the
/// protocol's timers. The bound, term by term:
/// - `fall`×`inter` (3 × 200 ms): the failed checks that mark the last server DOWN
///   (a refused connect fails at once);
/// - one `inter` more: the stop falls anywhere in the check cycle;
/// - 100 ms: the engine reads the proxy's state on its tracking poll;
/// - Skew_Time of n2 ((256 - 90) / 256 × 0.3 s = 195 ms): n1 leaves MASTER for FAULT with
///   a priority 0 advert (as keepalived does) and n2 takes over after Skew_Time;
/// - 150 ms for the 5-ms `ip addr` polling of this test and a loaded 2-core host.
///
/// Then the servers come back, `rise` checks later n1 leaves FAULT and preempts.
/// `TANDEM_TRACK_RUNS` (default 1) repeats it; the times are printed.
#[test]
fn tandem_run_track_backend_moves_the_vip() {
    if !can_run() {
        return;
    }
    let runs: usize = std::env::var("TANDEM_TRACK_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let (inter_ms, fall, rise) = (200u64, 3u64, 2u64);
    let skew_ms = (256 - 90) * 300 / 256;
    let bound = Duration::from_millis(fall * inter_ms + inter_ms + 100 + skew_ms + 150);
    let mut lab = Lab::new("tbk", false);
    let h = lab.write_raw(
        "haproxy.cfg",
        &format!(
            "global\n  maxconn 200\n  nbthread 1\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\
             frontend fe\n  bind :80\n  default_backend be\n\
             backend be\n  default-server check inter {inter_ms} fall {fall} rise {rise}\n\
             \x20 server s1 127.0.0.1:8080\n  server s2 127.0.0.1:8081\n"
        ),
    );
    let k = |node: &str, prio: u8| {
        timing_conf(node, prio).replace(
            "virtual_ipaddress {",
            "track_backend be\n  virtual_ipaddress {",
        )
    };
    let k1 = lab.write_raw("n1.conf", &k("n1", 100));
    let k2 = lab.write_raw("n2.conf", &k("n2", 90));
    for n in ["n1", "n2"] {
        lab.start_backend_on(n, 8080, &format!("s1-{n}"));
        lab.start_backend_on(n, 8081, &format!("s2-{n}"));
    }
    lab.start_run("n2", &h, &k2);
    lab.start_run("n1", &h, &k1);
    lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
    let mut took = Vec::new();
    for _ in 0..runs {
        lab.stays("n1", Duration::from_millis(1500)).unwrap();
        let t0 = Instant::now();
        lab.kill_named("s1-n1");
        lab.kill_named("s2-n1");
        while t0.elapsed() < Duration::from_secs(5) && !lab.has_vip("n2") {
            std::thread::sleep(Duration::from_millis(5));
        }
        let t = t0.elapsed();
        assert!(lab.has_vip("n2"), "no move after {t:?}\n{}", lab.logs());
        eprintln!(
            "track_backend: VIP on n2 {} ms after the last server stopped",
            t.as_millis()
        );
        took.push(t);
        lab.wait_holder("n2", Duration::from_secs(2)).unwrap();
        let n1_log = lab.log_of("n1");
        assert!(n1_log.contains("Entering FAULT STATE"), "{n1_log}");
        assert!(
            t <= bound,
            "the VIP moved after {t:?}, more than fall x inter plus the protocol's timers \
             ({bound:?})\n{}",
            lab.logs()
        );
        // Servers back: n1 leaves FAULT after `rise` good checks and preempts.
        lab.start_backend_on("n1", 8080, "s1-n1");
        lab.start_backend_on("n1", 8081, "s2-n1");
        lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
    }
    let ms: Vec<u128> = took.iter().map(|d| d.as_millis()).collect();
    eprintln!(
        "track_backend: VIP moved after {ms:?} ms (bound {} ms)",
        bound.as_millis()
    );
}

/// Crash failover, `tandem run` on both nodes against keepalived + HAProxy 2.6 on both
/// nodes, in the same lab, interleaved run by run: n1 (priority 100) is master; its whole
/// stack is SIGKILLed (tandem run; or keepalived's VRRP child, its parent and HAProxy),
/// placed 150 ms after one of n1's adverts seen on the wire as in
/// `failover_client_view_tandem_vs_keepalived`. VRRPv3, advert_int 0.3 on both. Figures:
/// ms until the VIP is on n2 and until the client (a GET every 10 ms through the proxy) gets
/// its first answer from n2, with the requests lost. tandem's medians must not be slower
/// than keepalived's, with the same 40 ms tolerance as that test. `TANDEM_CRASH_RUNS`
/// (default 3) sets the runs per stack.
#[test]
fn tandem_run_crash_failover_vs_keepalived() {
    if !can_run() {
        return;
    }
    let runs: usize = std::env::var("TANDEM_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut lab = Lab::new("crash", false);
    lab.add_client();
    let h = lab.write_raw("haproxy.cfg", RUN_HAPROXY);
    let k1 = lab.write_raw("n1.conf", &timing_conf("n1", 100));
    let k2 = lab.write_raw("n2.conf", &timing_conf("n2", 90));
    lab.start_backend("n1");
    lab.start_backend("n2");
    let start = |lab: &mut Lab, node: &str, stack: &str| {
        let k = if node == "n1" { &k1 } else { &k2 };
        if stack == "tandem" {
            lab.start_run(node, &h, k);
        } else {
            lab.start_haproxy(node, &h);
            lab.start_keepalived(node, k);
        }
    };
    let stop = |lab: &mut Lab, node: &str| {
        let _ = lab.stop(node);
        lab.kill_named(&format!("hap-{node}"));
    };
    let mut current = "";
    let (log, stop_file) = lab.start_client();
    // stack -> [(vip ms, client ms, failed)]
    let mut rows: std::collections::BTreeMap<&str, Vec<(u128, u128, usize)>> = Default::default();
    for _ in 0..runs {
        for stack in ["keepalived", "tandem"] {
            if current != stack {
                stop(&mut lab, "n1");
                stop(&mut lab, "n2");
                start(&mut lab, "n2", stack);
                start(&mut lab, "n1", stack);
                current = stack;
            }
            lab.wait_holder("n1", Duration::from_secs(10)).unwrap();
            std::thread::sleep(Duration::from_millis(800));
            lab.wait_advert("n2", "192.0.2.11");
            std::thread::sleep(Duration::from_millis(150));
            let (t0, t_fail) = (Instant::now(), wall_ms());
            lab.crash("n1");
            lab.kill_named("hap-n1");
            while t0.elapsed() < Duration::from_secs(5) && !lab.has_vip("n2") {
                std::thread::sleep(Duration::from_millis(5));
            }
            let vip = t0.elapsed().as_millis();
            assert!(lab.has_vip("n2"), "no takeover ({stack})\n{}", lab.logs());
            let mut cv = None;
            while cv.is_none() && t0.elapsed() < Duration::from_secs(8) {
                std::thread::sleep(Duration::from_millis(50));
                cv = client_view(&log, t_fail, "n2");
            }
            assert!(cv.is_some(), "the client never reached n2\n{}", lab.logs());
            std::thread::sleep(Duration::from_millis(600));
            let (client, failed) = client_view(&log, t_fail, "n2").unwrap_or_default();
            rows.entry(stack).or_default().push((vip, client, failed));
            // n1 back (the crash left its VIP on eth0: the restarted daemon takes it
            // back by preemption).
            if stack == "keepalived" {
                lab.start_haproxy("n1", &h);
                lab.start_keepalived("n1", &k1);
            } else {
                lab.start_run("n1", &h, &k1);
            }
        }
    }
    let _ = std::fs::write(&stop_file, "");
    eprintln!(
        "crash (SIGKILL of the master's stack), VRRPv3 advert_int 0.3, {runs} runs each, \
         interleaved; medians of vip ms / client ms / failed requests:"
    );
    let mut med = std::collections::HashMap::new();
    for (stack, r) in &rows {
        let mut v: Vec<u128> = r.iter().map(|x| x.0).collect();
        let mut c: Vec<u128> = r.iter().map(|x| x.1).collect();
        let mut f: Vec<u128> = r.iter().map(|x| x.2 as u128).collect();
        let m = (median(&mut v), median(&mut c), median(&mut f));
        let list: Vec<String> = r
            .iter()
            .map(|x| format!("{}/{}/{}", x.0, x.1, x.2))
            .collect();
        let name = if *stack == "tandem" {
            "tandem run"
        } else {
            "keepalived + haproxy"
        };
        eprintln!(
            "{name:<21} {} / {} / {}  runs: {}",
            m.0,
            m.1,
            m.2,
            list.join(" ")
        );
        med.insert(*stack, m);
    }
    // A crash lands at a random point of the backup's 10 ms poll and of the client's
    // request cadence, and a loaded host (a CI run beside compilers) adds scheduling delay
    // to either stack: medians of 3 measured 63 ms apart with the same code. A third of
    // advert_int still catches a stack that needs one more advert to decide.
    const TOLERANCE_MS: u128 = 100;
    let (t, k) = (med["tandem"], med["keepalived"]);
    assert!(
        t.0 <= k.0 + TOLERANCE_MS && t.1 <= k.1 + TOLERANCE_MS,
        "tandem run is slower after a crash: vip/client medians {t:?} vs keepalived {k:?}"
    );
}
