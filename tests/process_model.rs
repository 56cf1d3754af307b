//! The process model end to end (issue 7): master-worker reloads under load,
//! a broken configuration on reload, Debian's haproxy.service command lines,
//! sockets from outside. Each scenario runs against tandem and, where it is
//! a comparison, against the real HAProxy 2.6 (/usr/sbin/haproxy) when it is
//! installed. Everything is on loopback, on ports picked in 20000-29999.
//!
//! `TANDEM_LONG=1` runs the reload-under-load scenario for 60 s per proxy
//! instead of 15 s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const HAPROXY: &str = "/usr/sbin/haproxy";

fn tandem_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tandem"))
}

/// A scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tandem-pm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    if let Err(e) = std::fs::create_dir_all(&d) {
        panic!("mkdir {}: {e}", d.display());
    }
    d
}

fn write(p: &Path, text: &str) {
    if let Err(e) = std::fs::write(p, text) {
        panic!("write {}: {e}", p.display());
    }
}

// A free port in 20000-29999, never handed out twice in this binary: the tests run in
// parallel, and a port only probed free could go to two of them (an origin then failed
// to bind: "origin bind: Address already in use").
#[path = "common/port.rs"]
mod port;
use port::free_port;

/// A tiny HTTP/1.1 origin: `200 ok` with keep-alive, one thread per connection.
fn origin() -> u16 {
    origin_named("ok")
}

/// An origin whose body is `body` (two letters), to tell servers apart.
fn origin_named(body: &'static str) -> u16 {
    let port = free_port();
    let l = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => panic!("origin bind: {e}"),
    };
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || serve_origin(c, body));
        }
    });
    port
}

fn serve_origin(c: TcpStream, body: &str) {
    let Ok(mut w) = c.try_clone() else { return };
    let mut r = BufReader::new(c);
    loop {
        let mut close = false;
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        loop {
            let mut h = String::new();
            match r.read_line(&mut h) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if h.to_ascii_lowercase().starts_with("connection: close") {
                close = true;
            }
            if h == "\r\n" {
                break;
            }
        }
        let resp = if close {
            format!("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{body}")
        } else {
            format!("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{body}")
        };
        if w.write_all(resp.as_bytes()).is_err() || close {
            return;
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    resets: AtomicU64,
    refused: AtomicU64,
    /// Closed by the proxy with no response (a reused keep-alive connection
    /// closed while the request was on its way).
    eof: AtomicU64,
}

impl Tally {
    fn fail(&self, e: &std::io::Error) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        match e.kind() {
            std::io::ErrorKind::ConnectionReset => {
                self.resets.fetch_add(1, Ordering::Relaxed);
            }
            std::io::ErrorKind::ConnectionRefused => {
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
            std::io::ErrorKind::UnexpectedEof => {
                self.eof.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }

    fn text(&self) -> String {
        format!(
            "ok {} failed {} (resets {}, refused {}, closed without response {})",
            self.ok.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.resets.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.eof.load(Ordering::Relaxed)
        )
    }
}

/// Read one response; returns whether the server announced `connection: close`.
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<bool> {
    let eof = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed");
    let mut status = String::new();
    if r.read_line(&mut status)? == 0 {
        return Err(eof());
    }
    if !status.starts_with("HTTP/1.1 200") {
        return Err(std::io::Error::other(format!("status {}", status.trim())));
    }
    let mut len = 0usize;
    let mut close = false;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 {
            return Err(eof());
        }
        let l = h.to_ascii_lowercase();
        if let Some(v) = l.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if l.starts_with("connection: close") {
            close = true;
        }
        if h == "\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(close)
}

fn connect(port: u16) -> std::io::Result<BufReader<TcpStream>> {
    let c = TcpStream::connect(("127.0.0.1", port))?;
    c.set_read_timeout(Some(Duration::from_secs(5)))?;
    c.set_nodelay(true)?;
    Ok(BufReader::new(c))
}

/// A keep-alive client: requests back to back on one connection, a new
/// connection when the proxy says `connection: close`.
fn keep_alive_client(port: u16, stop: Arc<AtomicBool>, t: Arc<Tally>) {
    let mut conn: Option<BufReader<TcpStream>> = None;
    while !stop.load(Ordering::Relaxed) {
        let c = match conn.take() {
            Some(c) => c,
            None => match connect(port) {
                Ok(c) => c,
                Err(e) => {
                    t.fail(&e);
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let mut c = c;
        let sent = c.get_mut().write_all(b"GET / HTTP/1.1\r\nhost: t\r\n\r\n");
        match sent.and_then(|_| read_response(&mut c)) {
            Ok(close) => {
                t.ok.fetch_add(1, Ordering::Relaxed);
                if !close {
                    conn = Some(c);
                }
            }
            Err(e) => t.fail(&e),
        }
    }
}

/// A client opening a new connection for every request.
fn new_conn_client(port: u16, stop: Arc<AtomicBool>, t: Arc<Tally>) {
    while !stop.load(Ordering::Relaxed) {
        let r = connect(port).and_then(|mut c| {
            c.get_mut()
                .write_all(b"GET / HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")?;
            read_response(&mut c)
        });
        match r {
            Ok(_) => {
                t.ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => t.fail(&e),
        }
    }
}

struct Load {
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn start_load(port: u16, keep_alive: usize, new_conn: usize) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let mut threads = Vec::new();
    for i in 0..keep_alive + new_conn {
        let (s, t) = (stop.clone(), tally.clone());
        threads.push(std::thread::spawn(move || {
            if i < keep_alive {
                keep_alive_client(port, s, t)
            } else {
                new_conn_client(port, s, t)
            }
        }));
    }
    Load {
        stop,
        tally,
        threads,
    }
}

impl Load {
    fn finish(self) -> Arc<Tally> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
        self.tally
    }
}

fn proxy_cfg(dir: &Path, port: u16, o1: u16, o2: u16, weight: u32) -> String {
    format!(
        "global\n    maxconn 2000\n    stats socket {}/api.sock level admin\n\
         defaults\n    mode http\n    timeout client 10s\n    timeout server 10s\n    timeout connect 2s\n\
         frontend fe\n    bind 127.0.0.1:{port}\n    default_backend b\n\
         backend b\n    balance roundrobin\n    server s1 127.0.0.1:{o1} weight {weight}\n    server s2 127.0.0.1:{o2} weight 10\n",
        dir.display()
    )
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status();
}

/// The pids whose parent is `pid` (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Some(n) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{n}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces, so parse after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(n);
        }
    }
    out
}

fn wait_port(port: u16, within: Duration) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < within {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A master-worker proxy under test.
struct Proc {
    child: Child,
    master: u32,
    log: PathBuf,
}

impl Proc {
    fn start(cmd: &mut Command, dir: &Path, port: u16) -> Proc {
        let log = dir.join("stderr.log");
        let f = match std::fs::File::create(&log) {
            Ok(f) => f,
            Err(e) => panic!("log: {e}"),
        };
        let child = match cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(f))
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("spawn: {e}"),
        };
        let master = child.id();
        let p = Proc { child, master, log };
        if !wait_port(port, Duration::from_secs(10)) {
            panic!("proxy not listening on {port}: {}", p.log_text());
        }
        p
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM to the master; true if it left within 10 s.
    fn stop(mut self) -> bool {
        signal(self.master, "TERM");
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            for c in children(self.master) {
                signal(c, "KILL");
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

struct RunResult {
    tally: Arc<Tally>,
    reloads: usize,
    workers_left: usize,
    log: String,
}

/// Load for `secs` seconds while the configuration is reloaded every second
/// with a changed weight; then the workers left once the clients are gone.
fn reload_under_load(name: &str, program: &[&Path], secs: u64) -> RunResult {
    let dir = scratch(name);
    let (o1, o2) = (origin(), origin());
    let port = free_port();
    let cfg = dir.join("haproxy.cfg");
    write(&cfg, &proxy_cfg(&dir, port, o1, o2, 10));
    let mut cmd = Command::new(program[0]);
    cmd.args(&program[1..])
        .arg("-W")
        .arg("-f")
        .arg(&cfg)
        .current_dir(&dir);
    let p = Proc::start(&mut cmd, &dir, port);
    let load = start_load(port, 8, 4);
    let t0 = Instant::now();
    let mut reloads = 0;
    while t0.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(Duration::from_secs(1));
        write(
            &cfg,
            &proxy_cfg(&dir, port, o1, o2, 1 + (reloads % 20) as u32),
        );
        signal(p.master, "USR2");
        reloads += 1;
    }
    std::thread::sleep(Duration::from_millis(1500));
    let tally = load.finish();
    // The clients are gone: the old workers have nothing left to finish.
    let t1 = Instant::now();
    let mut workers_left = children(p.master).len();
    while workers_left > 1 && t1.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
        workers_left = children(p.master).len();
    }
    let log = p.log_text();
    p.stop();
    RunResult {
        tally,
        reloads,
        workers_left,
        log,
    }
}

fn load_secs() -> u64 {
    if std::env::var_os("TANDEM_LONG").is_some() {
        60
    } else {
        15
    }
}

#[test]
fn reload_under_load_loses_no_request() {
    let secs = load_secs();
    let bin = tandem_bin();
    let t = reload_under_load("tandem", &[&bin, Path::new("haproxy")], secs);
    eprintln!(
        "tandem : {secs} s, {} reloads: {}; workers left: {}",
        t.reloads,
        t.tally.text(),
        t.workers_left
    );
    if Path::new(HAPROXY).exists() {
        let h = reload_under_load("haproxy", &[Path::new(HAPROXY)], secs);
        eprintln!(
            "haproxy: {secs} s, {} reloads: {}; workers left: {}",
            h.reloads,
            h.tally.text(),
            h.workers_left
        );
    }
    assert!(t.tally.ok.load(Ordering::Relaxed) > 100, "{}", t.log);
    assert_eq!(
        t.tally.failed.load(Ordering::Relaxed),
        0,
        "{}\n{}",
        t.tally.text(),
        t.log
    );
    assert_eq!(t.tally.resets.load(Ordering::Relaxed), 0);
    assert_eq!(t.workers_left, 1, "{}", t.log);
    assert_eq!(
        t.log.matches("Loading success.").count(),
        t.reloads + 1,
        "{}",
        t.log
    );
}

#[test]
fn broken_config_on_reload_keeps_serving() {
    let dir = scratch("broken");
    let (o1, o2) = (origin(), origin());
    let port = free_port();
    let cfg = dir.join("haproxy.cfg");
    let good = proxy_cfg(&dir, port, o1, o2, 10);
    write(&cfg, &good);
    let mut cmd = Command::new(tandem_bin());
    cmd.args(["haproxy", "-W", "-f", "haproxy.cfg"])
        .current_dir(&dir);
    let p = Proc::start(&mut cmd, &dir, port);
    let load = start_load(port, 2, 2);
    std::thread::sleep(Duration::from_millis(300));
    let first = children(p.master);
    write(&cfg, &format!("{good}    bogus line\n"));
    signal(p.master, "USR2");
    std::thread::sleep(Duration::from_millis(1500));
    // HAProxy 2.6.12's master on the same reload (pid masked):
    // [ALERT]    (M) : config : parsing [haproxy.cfg:16] : unknown keyword 'bogus' in 'backend' section
    // [ALERT]    (M) : config : Error(s) found in configuration file : haproxy.cfg
    // [ALERT]    (M) : config : Fatal errors found in configuration.
    // [WARNING]  (M) : Loading failure!
    let log = p.log_text();
    let m = p.master;
    for want in [
        format!(
            "[ALERT]    ({m}) : config : parsing [haproxy.cfg:16] : unknown keyword 'bogus' in 'backend' section"
        ),
        format!("[ALERT]    ({m}) : config : Error(s) found in configuration file : haproxy.cfg"),
        format!("[ALERT]    ({m}) : config : Fatal errors found in configuration."),
        format!("[WARNING]  ({m}) : Loading failure!"),
    ] {
        assert!(log.contains(&want), "missing {want:?} in\n{log}");
    }
    assert_eq!(children(p.master), first, "the old worker must stay");
    write(&cfg, &good);
    signal(p.master, "USR2");
    std::thread::sleep(Duration::from_millis(1500));
    let tally = load.finish();
    let log = p.log_text();
    assert_eq!(log.matches("Loading success.").count(), 2, "{log}");
    let now = children(p.master);
    assert_eq!(now.len(), 1, "{log}");
    assert_ne!(now, first);
    assert!(tally.ok.load(Ordering::Relaxed) > 10);
    assert_eq!(tally.failed.load(Ordering::Relaxed), 0, "{}", tally.text());
    assert!(p.stop());
}

/// The golden `-local` configurations (/work/shared/golden/haproxy), if present.
fn golden_local() -> Vec<PathBuf> {
    let dir = std::env::var_os("TANDEM_GOLDEN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/golden/haproxy"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with("-local.cfg"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The first `bind 127.0.0.1:PORT` of a configuration.
fn first_bind_port(text: &str) -> Option<u16> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("bind "))
        .find_map(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|a| a.rsplit_once(':'))
                .and_then(|(_, p)| p.split(['-', ',']).next())
                .and_then(|p| p.parse::<u16>().ok())
        })
}

/// What systemd would read on `$NOTIFY_SOCKET`.
fn notify_wait(
    sock: &std::os::unix::net::UnixDatagram,
    want: &str,
    within: Duration,
) -> Vec<String> {
    let mut seen = Vec::new();
    let t0 = Instant::now();
    let mut buf = [0u8; 512];
    while t0.elapsed() < within {
        if let Ok(n) = sock.recv(&mut buf) {
            let m = String::from_utf8_lossy(&buf[..n]).into_owned();
            let done = m.lines().any(|l| l == want);
            seen.push(m);
            if done {
                return seen;
            }
        }
    }
    panic!("no {want} on NOTIFY_SOCKET within {within:?}; got {seen:?}");
}

/// Debian 12's haproxy.service, its command lines run by hand in their order,
/// with tandem installed as `haproxy`:
/// `ExecStart=/usr/sbin/haproxy -Ws -f $CONFIG -p $PIDFILE $EXTRAOPTS` (Type=notify),
/// `ExecReload=/usr/sbin/haproxy -Ws -f $CONFIG -c -q $EXTRAOPTS` then
/// `ExecReload=/bin/kill -USR2 $MAINPID`, stop by SIGTERM (KillMode=mixed,
/// SuccessExitStatus=143), with `EXTRAOPTS=-S /run/haproxy-master.sock`.
#[test]
fn debian_unit_command_lines() {
    let configs = golden_local();
    if configs.is_empty() {
        eprintln!("no golden configurations: skipped");
        return;
    }
    let dir = scratch("debian");
    let haproxy = dir.join("haproxy");
    if let Err(e) = std::os::unix::fs::symlink(tandem_bin(), &haproxy) {
        panic!("symlink: {e}");
    }
    let pidfile = dir.join("haproxy.pid");
    let master_sock = dir.join("haproxy-master.sock");
    let notify_path = dir.join("notify.sock");
    let notify = match std::os::unix::net::UnixDatagram::bind(&notify_path) {
        Ok(s) => s,
        Err(e) => panic!("notify socket: {e}"),
    };
    let _ = notify.set_read_timeout(Some(Duration::from_millis(200)));
    let extra = ["-S".to_string(), master_sock.display().to_string()];
    for cfg in configs {
        let name = cfg
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&cfg).unwrap_or_default();
        let Some(port) = first_bind_port(&text) else {
            continue;
        };
        if TcpListener::bind(("127.0.0.1", port)).is_err() {
            eprintln!("{name}: port {port} busy, skipped");
            continue;
        }
        // `crt ../certs/...` paths are relative to the golden directory.
        let cwd = cfg.parent().map(Path::to_path_buf).unwrap_or_default();
        let check = || {
            Command::new(&haproxy)
                .args(["-Ws", "-f"])
                .arg(&cfg)
                .args(["-c", "-q"])
                .args(&extra)
                .current_dir(&cwd)
                .output()
        };
        let c = match check() {
            Ok(o) => o,
            Err(e) => panic!("{name}: check: {e}"),
        };
        assert_eq!(
            c.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&c.stderr)
        );
        let _ = std::fs::remove_file(&pidfile);
        let mut cmd = Command::new(&haproxy);
        cmd.args(["-Ws", "-f"])
            .arg(&cfg)
            .arg("-p")
            .arg(&pidfile)
            .args(&extra)
            .env("NOTIFY_SOCKET", &notify_path)
            .current_dir(&cwd);
        let p = Proc::start(&mut cmd, &dir, port);
        let seen = notify_wait(&notify, "READY=1", Duration::from_secs(10));
        let mainpid = format!("MAINPID={}", p.master);
        assert!(
            seen.iter().any(|m| m.contains(&mainpid)),
            "{name}: {seen:?}"
        );
        let pid = std::fs::read_to_string(&pidfile).unwrap_or_default();
        assert_eq!(pid.trim(), p.master.to_string(), "{name}: pid file");
        let before = children(p.master);
        assert_eq!(before.len(), 1, "{name}: {}", p.log_text());

        // Reload: the check, then SIGUSR2 to $MAINPID.
        let c = match check() {
            Ok(o) => o,
            Err(e) => panic!("{name}: check: {e}"),
        };
        assert_eq!(c.status.code(), Some(0), "{name}");
        signal(p.master, "USR2");
        notify_wait(&notify, "RELOADING=1", Duration::from_secs(5));
        notify_wait(&notify, "READY=1", Duration::from_secs(10));
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "{name}: after reload"
        );
        let t0 = Instant::now();
        let mut after = children(p.master);
        while (after.len() != 1 || after == before) && t0.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
            after = children(p.master);
        }
        assert_eq!(after.len(), 1, "{name}: {}", p.log_text());
        assert_ne!(after, before, "{name}: a new worker");

        // Stop: SIGTERM; HAProxy 2.6.12's master then exits 0.
        let log = p.log_text();
        let mut p = p;
        signal(p.master, "TERM");
        let st = p.child.wait();
        let code = st.as_ref().ok().and_then(|s| s.code());
        assert!(matches!(code, Some(0 | 143)), "{name}: {st:?}\n{log}");
        assert!(!master_sock.exists(), "{name}: master socket left behind");
        eprintln!("{name}: start, check, reload, stop: ok");
    }
}

/// A unix-socket bind (`unix@PATH mode 600`) and an abstract one carry HTTP,
/// and a master-worker reload keeps them.
#[test]
fn unix_socket_binds() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("unix");
    let o1 = origin();
    let port = free_port();
    let path = dir.join("fe.sock");
    let abns = format!("tandem-pm-{}", std::process::id());
    let cfg = dir.join("haproxy.cfg");
    write(
        &cfg,
        &format!(
            "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\n\
             frontend fe\n    bind 127.0.0.1:{port}\n    bind unix@{} mode 600\n    bind abns@{abns}\n    default_backend b\n\
             backend b\n    server s1 127.0.0.1:{o1}\n",
            path.display()
        ),
    );
    let mut cmd = Command::new(tandem_bin());
    cmd.args(["haproxy", "-W", "-f"])
        .arg(&cfg)
        .current_dir(&dir);
    let p = Proc::start(&mut cmd, &dir, port);
    let get = |s: &mut dyn ReadWrite| -> String {
        let _ = s.write_all(b"GET / HTTP/1.1\r\nhost: u\r\nconnection: close\r\n\r\n");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    let via_path = || {
        std::os::unix::net::UnixStream::connect(&path)
            .map(|mut c| get(&mut c))
            .unwrap_or_default()
    };
    let via_abns = || {
        use std::os::linux::net::SocketAddrExt;
        std::os::unix::net::SocketAddr::from_abstract_name(abns.as_bytes())
            .and_then(|a| std::os::unix::net::UnixStream::connect_addr(&a))
            .map(|mut c| get(&mut c))
            .unwrap_or_default()
    };
    assert!(via_path().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    assert!(via_abns().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o600));
    signal(p.master, "USR2");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        p.log_text().matches("Loading success.").count() == 2,
        "{}",
        p.log_text()
    );
    assert!(via_path().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    assert!(via_abns().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    assert!(p.stop());
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// `bind fd@3` on a listening socket inherited from the parent (as systemd's
/// socket activation passes it): python3 creates the socket and execs tandem.
/// A reload keeps serving on the same socket.
#[test]
fn inherited_fd_bind() {
    if Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_err()
    {
        eprintln!("python3 missing: skipped");
        return;
    }
    let dir = scratch("fd");
    let o1 = origin();
    let port = free_port();
    let cfg = dir.join("haproxy.cfg");
    write(
        &cfg,
        &format!(
            "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\n\
             frontend fe\n    bind fd@3\n    default_backend b\n\
             backend b\n    server s1 127.0.0.1:{o1}\n"
        ),
    );
    let script = format!(
        "import socket,os,sys\n\
         s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1',{port})); s.listen(128)\n\
         os.dup2(s.fileno(), 3); os.set_inheritable(3, True)\n\
         os.execv(sys.argv[1], ['haproxy','-W','-f',sys.argv[2]])\n"
    );
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(script)
        .arg(tandem_bin())
        .arg(&cfg)
        .current_dir(&dir);
    let p = Proc::start(&mut cmd, &dir, port);
    let get = || {
        TcpStream::connect(("127.0.0.1", port))
            .and_then(|mut c| {
                c.write_all(b"GET / HTTP/1.1\r\nhost: f\r\nconnection: close\r\n\r\n")?;
                let mut out = String::new();
                c.read_to_string(&mut out)?;
                Ok(out)
            })
            .unwrap_or_default()
    };
    assert!(get().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    let load = start_load(port, 2, 2);
    for _ in 0..3 {
        signal(p.master, "USR2");
        std::thread::sleep(Duration::from_millis(700));
    }
    let tally = load.finish();
    assert!(get().starts_with("HTTP/1.1 200"), "{}", p.log_text());
    assert_eq!(tally.failed.load(Ordering::Relaxed), 0, "{}", tally.text());
    assert_eq!(
        p.log_text().matches("Loading success.").count(),
        4,
        "{}",
        p.log_text()
    );
    assert!(p.stop());
}

/// A master's answer to its worker's end, as measured with HAProxy 2.6.12
/// (`haproxy -W`, then a signal to the worker): exit code and the master's
/// lines (NOTICE lines left out, pids masked).
#[test]
fn worker_exit_codes_as_haproxys() {
    let cases: [(&str, i32, &[&str]); 3] = [
        (
            "USR1",
            0,
            &[
                // FE: 1 is the readiness probe of `Proc::start` (HAProxy counts it too).
                "[WARNING]  (W) : Proxy fe stopped (cumulated conns: FE: 1, BE: 0).",
                "[WARNING]  (W) : Proxy b stopped (cumulated conns: FE: 0, BE: 0).",
                "[WARNING]  (W) : Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).",
                "[WARNING]  (M) : Current worker (W) exited with code 0 (Exit)",
                "[WARNING]  (M) : All workers exited. Exiting... (0)",
            ],
        ),
        (
            "TERM",
            0,
            &[
                "[ALERT]    (M) : Current worker (W) exited with code 143 (Terminated)",
                "[WARNING]  (M) : All workers exited. Exiting... (0)",
            ],
        ),
        (
            "KILL",
            137,
            &[
                "[ALERT]    (M) : exit-on-failure: killing every processes with SIGTERM",
                "[WARNING]  (M) : All workers exited. Exiting... (137)",
            ],
        ),
    ];
    for (sig, want_code, want_lines) in cases {
        let dir = scratch(&format!("exit-{sig}"));
        let port = free_port();
        let cfg = dir.join("e.cfg");
        write(
            &cfg,
            &format!(
                "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n\
                 frontend fe\n  bind 127.0.0.1:{port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n"
            ),
        );
        let mut cmd = Command::new(tandem_bin());
        cmd.args(["haproxy", "-W", "-f", "e.cfg"]).current_dir(&dir);
        let mut p = Proc::start(&mut cmd, &dir, port);
        let workers = children(p.master);
        assert_eq!(workers.len(), 1);
        let w = workers[0];
        signal(w, sig);
        let t0 = Instant::now();
        let mut status = None;
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(st)) = p.child.try_wait() {
                status = Some(st);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = p.log_text();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(want_code),
            "{sig}: {log}"
        );
        let masked: Vec<String> = log
            .lines()
            .filter(|l| !l.starts_with("[NOTICE]"))
            .map(|l| {
                l.replace(&format!("({})", p.master), "(M)")
                    .replace(&format!("({w})"), "(W)")
            })
            .collect();
        assert_eq!(masked, want_lines, "{sig}");
    }
}

/// `server-state-file` + `load-server-state-from-file global`: a state saved by
/// `show servers state` with s2 in forced maintenance and s1's weight changed is
/// applied at start (HAProxy 2.6.12 prints the same warning and sends nothing to s2).
#[test]
fn server_state_file_is_applied_at_start() {
    let mut programs: Vec<(&str, Vec<PathBuf>)> =
        vec![("tandem", vec![tandem_bin(), PathBuf::from("haproxy")])];
    if Path::new(HAPROXY).exists() {
        programs.push(("haproxy", vec![PathBuf::from(HAPROXY)]));
    }
    for (name, program) in programs {
        let dir = scratch(&format!("state-{name}"));
        let (o1, o2) = (origin_named("s1"), origin_named("s2"));
        let port = free_port();
        write(
            &dir.join("state"),
            &format!(
                "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n\
                 3 b 1 s1 127.0.0.1 2 0 5 10 1 1 0 2 0 0 0 0 - {o1} - 0 0 - - 0\n\
                 3 b 2 s2 127.0.0.1 0 1 20 20 0 1 0 0 0 0 0 0 - {o2} - 0 0 - - 0\n"
            ),
        );
        write(
            &dir.join("s.cfg"),
            &format!(
                "global\n  server-state-file {}/state\n\
                 defaults\n  mode http\n  timeout client 2s\n  timeout server 2s\n  timeout connect 1s\n  load-server-state-from-file global\n\
                 frontend fe\n  bind 127.0.0.1:{port}\n  default_backend b\n\
                 backend b\n  server s1 127.0.0.1:{o1} weight 10\n  server s2 127.0.0.1:{o2} weight 20\n",
                dir.display()
            ),
        );
        let mut cmd = Command::new(&program[0]);
        cmd.args(&program[1..])
            .args(["-W", "-f", "s.cfg"])
            .current_dir(&dir);
        let p = Proc::start(&mut cmd, &dir, port);
        let mut seen = Vec::new();
        for _ in 0..6 {
            let body = TcpStream::connect(("127.0.0.1", port))
                .and_then(|mut c| {
                    c.write_all(b"GET / HTTP/1.1\r\nhost: s\r\nconnection: close\r\n\r\n")?;
                    let mut out = String::new();
                    c.read_to_string(&mut out)?;
                    Ok(out)
                })
                .unwrap_or_default();
            seen.push(
                body.rsplit("\r\n\r\n")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        let log = p.log_text();
        assert!(seen.iter().all(|b| b == "s1"), "{name}: {seen:?}\n{log}");
        assert!(
            log.contains("config : Server b/s2 is DOWN, changed from server-state after a reload. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."),
            "{name}: {log}"
        );
        assert!(p.stop());
    }
}

/// The inodes of the sockets listening on 127.0.0.1:`port` (/proc/net/tcp).
fn listen_inodes(port: u16) -> Vec<u64> {
    let text = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let want = format!("0100007F:{port:04X}");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // local_address, st (0A = LISTEN), inode
            (f.get(1) == Some(&want.as_str()) && f.get(3) == Some(&"0A"))
                .then(|| f.get(9).and_then(|i| i.parse().ok()))
                .flatten()
        })
        .collect()
}

fn xfer_cfg(dir: &Path, port: u16, o1: u16, o2: u16, weight: u32) -> String {
    format!(
        "global\n    maxconn 2000\n    stats socket {}/api.sock mode 600 level admin expose-fd listeners\n\
         defaults\n    mode http\n    timeout client 10s\n    timeout server 10s\n    timeout connect 2s\n\
         frontend fe\n    bind 127.0.0.1:{port}\n    default_backend b\n\
         backend b\n    balance roundrobin\n    server s1 127.0.0.1:{o1} weight {weight}\n    server s2 127.0.0.1:{o2} weight 10\n",
        dir.display()
    )
}

/// A process started in the foreground (`-db`), no master.
fn spawn_db(program: &[&Path], extra: &[String], dir: &Path, n: usize) -> Child {
    let log = dir.join(format!("gen{n}.log"));
    let f = match std::fs::File::create(&log) {
        Ok(f) => f,
        Err(e) => panic!("log: {e}"),
    };
    let mut cmd = Command::new(program[0]);
    cmd.args(&program[1..])
        .args(["-db", "-f", "haproxy.cfg"])
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(f));
    match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("spawn: {e}"),
    }
}

struct XferRun {
    tally: Arc<Tally>,
    reloads: usize,
    inodes: Vec<u64>,
    left: usize,
    logs: String,
}

/// `-x api.sock -sf OLD` reloads without master-worker, one a second, under
/// load: each new process takes the listening socket from the old one.
fn xfer_reloads(name: &str, program: &[&Path], secs: u64) -> XferRun {
    let dir = scratch(name);
    let (o1, o2) = (origin(), origin());
    let port = free_port();
    let cfg = dir.join("haproxy.cfg");
    write(&cfg, &xfer_cfg(&dir, port, o1, o2, 10));
    let mut gens = vec![spawn_db(program, &[], &dir, 0)];
    if !wait_port(port, Duration::from_secs(10)) {
        panic!("{name}: not listening");
    }
    let load = start_load(port, 8, 4);
    let mut inodes = listen_inodes(port);
    let t0 = Instant::now();
    let mut reloads = 0;
    while t0.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(Duration::from_secs(1));
        write(
            &cfg,
            &xfer_cfg(&dir, port, o1, o2, 1 + (reloads % 20) as u32),
        );
        let old = gens.last().map_or(0, |c| c.id());
        let x = vec![
            "-x".to_string(),
            dir.join("api.sock").display().to_string(),
            "-sf".to_string(),
            old.to_string(),
        ];
        reloads += 1;
        gens.push(spawn_db(program, &x, &dir, reloads));
        std::thread::sleep(Duration::from_millis(200));
        inodes.extend(listen_inodes(port));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let tally = load.finish();
    let t1 = Instant::now();
    let last = gens.len() - 1;
    let mut left = usize::MAX;
    while t1.elapsed() < Duration::from_secs(10) {
        left = gens
            .iter_mut()
            .take(last)
            .filter_map(|c| matches!(c.try_wait(), Ok(None)).then_some(()))
            .count();
        if left == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut logs = String::new();
    for n in 0..gens.len() {
        logs.push_str(&format!("--- gen {n}\n"));
        logs.push_str(
            &std::fs::read_to_string(dir.join(format!("gen{n}.log"))).unwrap_or_default(),
        );
    }
    for c in &mut gens {
        let _ = c.kill();
        let _ = c.wait();
    }
    inodes.sort_unstable();
    inodes.dedup();
    XferRun {
        tally,
        reloads,
        inodes,
        left,
        logs,
    }
}

/// `-x <stats socket> -sf <old pid>` without master-worker (HAProxy 2.6's
/// "seamless reload" of management.txt): the listening socket is passed
/// from process to process (one socket inode the whole run), no request
/// fails, and every old process leaves. HAProxy's figures for the same run
/// are printed for comparison.
#[test]
fn xfer_reload_without_master_loses_no_request() {
    let secs = load_secs().clamp(8, 20);
    let bin = tandem_bin();
    let t = xfer_reloads("xfer-tandem", &[&bin, Path::new("haproxy")], secs);
    eprintln!(
        "tandem -x/-sf : {secs} s, {} reloads: {}; listening sockets seen: {}; old processes left: {}",
        t.reloads,
        t.tally.text(),
        t.inodes.len(),
        t.left
    );
    if Path::new(HAPROXY).exists() {
        let h = xfer_reloads("xfer-haproxy", &[Path::new(HAPROXY)], secs);
        eprintln!(
            "haproxy -x/-sf: {secs} s, {} reloads: {}; listening sockets seen: {}; old processes left: {}",
            h.reloads,
            h.tally.text(),
            h.inodes.len(),
            h.left
        );
    }
    assert!(t.tally.ok.load(Ordering::Relaxed) > 100, "{}", t.logs);
    assert_eq!(
        t.tally.failed.load(Ordering::Relaxed),
        0,
        "{}\n{}",
        t.tally.text(),
        t.logs
    );
    assert_eq!(
        t.inodes.len(),
        1,
        "one socket handed over: {:?}\n{}",
        t.inodes,
        t.logs
    );
    assert_eq!(t.left, 0, "{}", t.logs);
    assert!(!t.logs.contains("ALERT"), "{}", t.logs);
}

/// Interop both ways: tandem takes HAProxy 2.6.12's sockets with `-x`, and
/// HAProxy takes tandem's (same socket inode before and after).
#[test]
fn xfer_between_haproxy_and_tandem() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("no {HAPROXY}: skipped");
        return;
    }
    let bin = tandem_bin();
    let tandem: [&Path; 2] = [&bin, Path::new("haproxy")];
    let haproxy: [&Path; 1] = [Path::new(HAPROXY)];
    for (first, second, name) in [
        (&haproxy[..], &tandem[..], "haproxy-to-tandem"),
        (&tandem[..], &haproxy[..], "tandem-to-haproxy"),
    ] {
        let dir = scratch(name);
        let (o1, o2) = (origin(), origin());
        let port = free_port();
        write(&dir.join("haproxy.cfg"), &xfer_cfg(&dir, port, o1, o2, 10));
        let mut a = spawn_db(first, &[], &dir, 0);
        assert!(wait_port(port, Duration::from_secs(10)), "{name}");
        let before = listen_inodes(port);
        let x = vec![
            "-x".to_string(),
            dir.join("api.sock").display().to_string(),
            "-sf".to_string(),
            a.id().to_string(),
        ];
        let mut b = spawn_db(second, &x, &dir, 1);
        let t0 = Instant::now();
        let mut a_done = false;
        while t0.elapsed() < Duration::from_secs(10) {
            if matches!(a.try_wait(), Ok(Some(_))) {
                a_done = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let ok = TcpStream::connect(("127.0.0.1", port))
            .and_then(|mut c| {
                c.write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")?;
                let mut out = String::new();
                c.read_to_string(&mut out)?;
                Ok(out)
            })
            .unwrap_or_default();
        let after = listen_inodes(port);
        let logs = format!(
            "{}\n---\n{}",
            std::fs::read_to_string(dir.join("gen0.log")).unwrap_or_default(),
            std::fs::read_to_string(dir.join("gen1.log")).unwrap_or_default()
        );
        let _ = a.kill();
        let _ = b.kill();
        let _ = a.wait();
        let _ = b.wait();
        assert!(a_done, "{name}: the old process did not leave\n{logs}");
        assert!(ok.starts_with("HTTP/1.1 200"), "{name}: {ok:?}\n{logs}");
        assert_eq!(before.len(), 1, "{name}");
        assert_eq!(
            before, after,
            "{name}: the socket was not handed over\n{logs}"
        );
        eprintln!("{name}: socket inode {:?} kept", before);
    }
}

/// `-x` to a socket nobody listens on: HAProxy 2.6.12 prints
/// `[WARNING]  (P) : Failed to connect to the old process socket 'S'` and
/// `[ALERT]    (P) : Failed to get the sockets from the old process!`, and
/// exits 1; the same without `expose-fd listeners` on the old side, with
/// `Failed to get the number of sockets to be transferred !`.
#[test]
fn xfer_failures_as_haproxys() {
    let dir = scratch("xfer-fail");
    let (o1, o2) = (origin(), origin());
    let port = free_port();
    write(&dir.join("haproxy.cfg"), &xfer_cfg(&dir, port, o1, o2, 10));
    let sock = dir.join("nobody.sock");
    let out = Command::new(tandem_bin())
        .args(["haproxy", "-db", "-f", "haproxy.cfg", "-x"])
        .arg(&sock)
        .current_dir(&dir)
        .output();
    let Ok(out) = out else { panic!("spawn") };
    let err = String::from_utf8_lossy(&out.stderr);
    let pid_free: Vec<String> = err
        .lines()
        .map(|l| match (l.find('('), l.find(')')) {
            (Some(a), Some(b)) if a < b => format!("{}(P){}", &l[..a], &l[b + 1..]),
            _ => l.to_string(),
        })
        .filter(|l| !l.starts_with("[NOTICE]"))
        .collect();
    assert_eq!(
        pid_free,
        [
            format!(
                "[WARNING]  (P) : Failed to connect to the old process socket '{}'",
                sock.display()
            ),
            "[ALERT]    (P) : Failed to get the sockets from the old process!".to_string()
        ]
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!wait_port(port, Duration::from_millis(100)));
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `bind ADDR namespace NAME`: the listener lives in /var/run/netns/NAME, as
/// with HAProxy 2.6.12 (measured: `bind 10.211.0.1:24512 namespace tpxk`
/// answers `curl` run inside the namespace, nothing listens outside). The
/// test creates the namespace (root and `ip netns` needed; skipped otherwise).
#[test]
fn bind_in_network_namespace() {
    if !is_root() || Command::new("curl").arg("--version").output().is_err() {
        eprintln!("not root or no curl: skipped");
        return;
    }
    let ns = format!("tpm{}", std::process::id());
    if !ip(&["netns", "add", &ns]) {
        eprintln!("ip netns add failed: skipped");
        return;
    }
    struct Del(String);
    impl Drop for Del {
        fn drop(&mut self) {
            ip(&["netns", "del", &self.0]);
        }
    }
    let _del = Del(ns.clone());
    assert!(ip(&["-n", &ns, "link", "set", "lo", "up"]));
    assert!(ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "10.212.0.1/32",
        "dev",
        "lo"
    ]));
    let dir = scratch("netns");
    let port = free_port();
    write(
        &dir.join("haproxy.cfg"),
        &format!(
            "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\n\
             frontend fe\n    bind 10.212.0.1:{port} namespace {ns}\n    bind 127.0.0.1:{port}\n\
             \x20   http-request return status 200 content-type text/plain string \"in-ns\\n\"\n"
        ),
    );
    let mut p = spawn_db(&[&tandem_bin(), Path::new("haproxy")], &[], &dir, 0);
    assert!(wait_port(port, Duration::from_secs(10)), "not started");
    let out = Command::new("ip")
        .args(["netns", "exec", &ns, "curl", "-sS", "-m", "3"])
        .arg(format!("http://10.212.0.1:{port}/"))
        .output();
    let log = std::fs::read_to_string(dir.join("gen0.log")).unwrap_or_default();
    let _ = p.kill();
    let _ = p.wait();
    let body = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    assert_eq!(body.ok().as_deref(), Some("in-ns\n"), "{log}");
    // 10.212.0.1 exists only inside the namespace: binding it outside would have failed.
    assert!(!log.contains("ALERT"), "{log}");
}

/// One master CLI exchange: the command, then what comes back within 2 s.
fn master_cli(sock: &Path, cmd: &str) -> String {
    let Ok(mut c) = std::os::unix::net::UnixStream::connect(sock) else {
        return String::new();
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = c.write_all(format!("{cmd}\n").as_bytes());
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = c.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The master CLI forwards `@<relative pid>` / `@!<pid>` commands to a worker, as HAProxy
/// 2.6.12's does (measured with `haproxy -W -S`): `@1 show servers state` answers with the
/// worker's `1\n# be_id be_name ...`, `@!99999 show info` with `Can't find the target PID
/// matching the prefix '@!99999'\n` (then the connection closes), `@1` alone makes the
/// worker the target of the commands that follow on the same line.
#[test]
fn master_cli_forwards_to_workers() {
    let dir = scratch("mcli");
    let (o1, o2) = (origin(), origin());
    let port = free_port();
    write(&dir.join("haproxy.cfg"), &proxy_cfg(&dir, port, o1, o2, 10));
    let sock = dir.join("master.sock");
    let mut cmd = Command::new(tandem_bin());
    cmd.args(["haproxy", "-W", "-S"])
        .arg(&sock)
        .args(["-f", "haproxy.cfg"])
        .current_dir(&dir);
    let p = Proc::start(&mut cmd, &dir, port);
    let worker = children(p.master).first().copied().unwrap_or(0);
    let state = master_cli(&sock, "@1 show servers state");
    assert!(
        state.starts_with("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state"),
        "{state:?}"
    );
    assert!(state.contains(" b 1 s1 127.0.0.1 2 "), "{state:?}");
    // The same worker answers (column 10, srv_time_since_last_change, moves on).
    let head = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| {
                let mut w: Vec<&str> = l.split(' ').collect();
                if !l.starts_with('#') && w.len() > 9 {
                    w[9] = "T";
                }
                w.join(" ")
            })
            .collect()
    };
    assert_eq!(
        head(&master_cli(
            &sock,
            &format!("@!{worker} show servers state")
        )),
        head(&state)
    );
    assert_eq!(
        master_cli(&sock, "@!99999 show info"),
        "Can't find the target PID matching the prefix '@!99999'\n"
    );
    assert_eq!(
        master_cli(&sock, "@x show version"),
        "Can't find the target PID matching the prefix '@x'\n"
    );
    assert_eq!(
        head(&master_cli(&sock, "@1; show servers state")),
        head(&state)
    );
    assert!(master_cli(&sock, "@ show proc").starts_with("#<PID>"));
    assert!(p.stop());
}

/// Signals in the foreground (`-db`) with `-N` and `-L` given: SIGTTOU pauses the listener
/// (a connection is refused), SIGTTIN resumes it, SIGHUP dumps the states, SIGUSR1 stops
/// softly with exit 0. The lines are HAProxy 2.6.12's for the same run (measured:
/// `haproxy -db -N 100 -L peer1 -f sig.cfg`, then TTOU, a refused curl, TTIN, HUP, USR1;
/// pid masked, version notices left out).
#[test]
fn foreground_signals_as_haproxys() {
    let dir = scratch("signals");
    let port = free_port();
    let dead = free_port();
    write(
        &dir.join("haproxy.cfg"),
        &format!(
            "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 1s\n\
             frontend fe\n    bind 127.0.0.1:{port}\n    default_backend b\n\
             backend b\n    server s1 127.0.0.1:{dead}\n"
        ),
    );
    let extra = ["-N", "100", "-L", "peer1"].map(String::from);
    let mut p = spawn_db(&[&tandem_bin(), Path::new("haproxy")], &extra, &dir, 0);
    let pid = p.id();
    std::thread::sleep(Duration::from_millis(700));
    signal(pid, "TTOU");
    std::thread::sleep(Duration::from_millis(300));
    let refused = TcpStream::connect(("127.0.0.1", port)).is_err();
    signal(pid, "TTIN");
    std::thread::sleep(Duration::from_millis(300));
    signal(pid, "HUP");
    std::thread::sleep(Duration::from_millis(300));
    signal(pid, "USR1");
    let st = p.wait();
    let log = std::fs::read_to_string(dir.join("gen0.log")).unwrap_or_default();
    let got: Vec<String> = log
        .lines()
        .filter(|l| !l.starts_with("[NOTICE]"))
        .map(|l| l.replace(&format!("({pid})"), "(P)"))
        .collect();
    let want = [
        "[WARNING]  (P) : Paused frontend fe.",
        "[WARNING]  (P) : Resumed frontend fe.",
        "[WARNING]  (P) : SIGHUP received, dumping servers states.",
        "[WARNING]  (P) : SIGHUP: Proxy fe has no servers. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.",
        "[WARNING]  (P) : SIGHUP: Server b/s1 is UP. Conn: 0 act, 0 pend, 0 tot.",
        "[WARNING]  (P) : SIGHUP: Proxy b has 1 active servers and 0 backup servers available. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.",
        "[WARNING]  (P) : SIGHUP: Server <HTTPCLIENT>/<HTTPCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.",
        "[WARNING]  (P) : SIGHUP: Server <HTTPCLIENT>/<HTTPSCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.",
        "[WARNING]  (P) : SIGHUP: Proxy <HTTPCLIENT> has no server available ! Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.",
        "[WARNING]  (P) : Proxy fe stopped (cumulated conns: FE: 0, BE: 0).",
        "[WARNING]  (P) : Proxy b stopped (cumulated conns: FE: 0, BE: 0).",
        "[WARNING]  (P) : Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).",
    ];
    assert!(refused, "a paused listener refuses connections\n{log}");
    assert_eq!(got, want, "{log}");
    assert_eq!(st.ok().and_then(|s| s.code()), Some(0), "{log}");
}

/// `bind sockpair@3`: fd 3 is one end of a socket pair; the process at the other end
/// passes client connections over it (2 bytes and one descriptor each, as HAProxy's
/// `send_fd_uxst()`). HAProxy 2.6.12 answers both requests of this script with
/// `HTTP/1.1 200 OK | sp` (measured with the same script).
#[test]
fn sockpair_bind_serves_passed_connections() {
    if Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_err()
    {
        eprintln!("python3 missing: skipped");
        return;
    }
    let dir = scratch("sockpair");
    write(
        &dir.join("haproxy.cfg"),
        "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 1s\n\
         frontend fe\n    bind sockpair@3\n    http-request return status 200 content-type text/plain string \"sp\"\n",
    );
    let script = r#"
import socket, subprocess, sys, time, os
prog = sys.argv[1:-1]; cfg = sys.argv[-1]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
ha = os.dup(a.fileno()); hb = os.dup(b.fileno()); a.close(); b.close()
a = socket.socket(fileno=os.dup2(ha, 50)); os.close(ha)
os.dup2(hb, 3); os.close(hb); os.set_inheritable(3, True)
p = subprocess.Popen(prog + ["-db", "-f", cfg], pass_fds=(3,), stderr=subprocess.PIPE)
os.close(3)
time.sleep(1.0)
outs = []
for i in range(2):
    c1, c2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    socket.send_fds(a, [b"\0\0"], [c2.fileno()])
    c2.close()
    c1.settimeout(3)
    c1.sendall(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    r = b""
    try:
        while True:
            d = c1.recv(4096)
            if not d: break
            r += d
    except socket.timeout: r += b"<TIMEOUT>"
    outs.append((r.split(b"\r\n")[0] + b" | " + r.split(b"\r\n\r\n")[-1]).decode())
print(outs)
p.terminate(); p.wait()
sys.stderr.write(p.stderr.read().decode())
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(tandem_bin())
        .arg("haproxy")
        .arg(dir.join("haproxy.cfg"))
        .output();
    let Ok(out) = out else { panic!("python3") };
    let got = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        got.trim(),
        "['HTTP/1.1 200 OK | sp', 'HTTP/1.1 200 OK | sp']",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `stats socket "fd@${cli}"` on a socket the parent bound (HAProxy's own test harness,
/// vtest, passes every stats socket so), with a config of backends only: the stats
/// socket is the only listener, and the process must run and answer on it. Run with the
/// same script against HAProxy 2.6.12 when it is installed, whose answers are the same.
#[test]
fn stats_socket_on_inherited_fd_is_the_only_listener() {
    if Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_err()
    {
        eprintln!("python3 missing: skipped");
        return;
    }
    let dir = scratch("statsfd");
    write(
        &dir.join("haproxy.cfg"),
        "global\n    stats socket \"fd@${cli}\" level admin\n\
         defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 1s\n\
         backend be\n    server s1 127.0.0.1:1\n",
    );
    let script = r#"
import socket, subprocess, sys, time, os
prog = sys.argv[1:-2]; cfg = sys.argv[-2]; path = sys.argv[-1]
try: os.unlink(path)
except OSError: pass
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(path); l.listen(8)
os.set_inheritable(l.fileno(), True)
env = dict(os.environ, cli=str(l.fileno()))
p = subprocess.Popen(prog + ["-db", "-f", cfg], pass_fds=(l.fileno(),), env=env, stderr=subprocess.PIPE)
time.sleep(1.0)
out = []
for cmd in (b"show info\n", b"show servers state be\n"):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.settimeout(3)
    try:
        c.connect(path); c.sendall(cmd); r = b""
        while True:
            d = c.recv(4096)
            if not d: break
            r += d
    except Exception as e: r = repr(e).encode()
    out.append(r.decode().split("\n")[0 if cmd.startswith(b"show info") else 2].split(" ")[:4])
print(out, p.poll())
p.terminate(); p.wait()
sys.stderr.write(p.stderr.read().decode())
"#;
    let want = "[['Name:', 'HAProxy'], ['2', 'be', '1', 's1']] None";
    let mut progs = vec![(
        vec![tandem_bin().display().to_string(), "haproxy".into()],
        "tandem",
    )];
    if std::path::Path::new("/usr/sbin/haproxy").exists() {
        progs.push((vec!["/usr/sbin/haproxy".into()], "haproxy"));
    }
    for (prog, name) in progs {
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(&prog)
            .arg(dir.join("haproxy.cfg"))
            .arg(dir.join(format!("{name}.sock")))
            .output();
        let Ok(out) = out else { panic!("python3") };
        let got = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            got.trim(),
            want,
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
