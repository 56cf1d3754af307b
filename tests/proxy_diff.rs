//! The proxy differential suite: every case under `compat-tests/proxy/` runs against the
//! real HAProxy 2.6 (`haproxy -f CFG -db`) and against tandem (`tandem haproxy -f CFG
//! -db`), one after the other, with the same config, the same test backends and the same
//! request script; the transcripts must be equal step by step. See
//! `compat-tests/proxy/README.md` for the case format and what is compared.
//!
//! Known mismatches are listed in `compat-tests/proxy/known-failures.txt`; a mismatch not
//! listed fails the test, and so does a listed case that now matches, so the list stays
//! exact. `PROXY_DIFF_SUBJECT=haproxy` runs HAProxy against itself (every case must
//! match: that validates the harness and the cases' determinism); `PROXY_DIFF_CASES=a,b`
//! runs only the cases whose names contain one of the words; `PROXY_DIFF_WRITE_KNOWN=1`
//! rewrites the known-failures list from the run instead of judging it.

#[path = "proxy_diff/backend.rs"]
mod backend;
#[path = "proxy_diff/client.rs"]
mod client;
#[path = "proxy_diff/script.rs"]
mod script;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use backend::Backend;
use client::Conn;
use script::{Kind, Script, Step, escape};

/// How long a proxy gets to open its listeners.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const HAPROXY: &str = "/usr/sbin/haproxy";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory: the test binary lives in `TARGET/PROFILE/deps/`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .filter(|exe| exe.parent().is_some_and(|d| d.ends_with("deps")))
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// Which suite this binary runs: the proxy suite, or the log suite (`tests/log_diff.rs`
/// includes this file as its harness).
pub struct Suite {
    /// Case directories, relative to the crate root.
    pub cases: &'static str,
    /// Under the target directory: `<out>/<case>/...`, `<out>-report.txt`, `<out>-failures.txt`.
    pub out: &'static str,
    /// The case filter variable (`PROXY_DIFF_CASES`).
    pub cases_env: &'static str,
    pub title: &'static str,
}

pub const PROXY_SUITE: Suite = Suite {
    cases: "compat-tests/proxy",
    out: "proxy-diff",
    cases_env: "PROXY_DIFF_CASES",
    title: "proxy diff",
};

static SUITE: OnceLock<&'static Suite> = OnceLock::new();

fn suite() -> &'static Suite {
    SUITE.get().copied().unwrap_or(&PROXY_SUITE)
}

/// The tests of this file run only in its own binary, not where it is the harness.
fn own_binary() -> bool {
    env!("CARGO_CRATE_NAME") == "proxy_diff"
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

// ---------------------------------------------------------------- ports

static USED_PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
static RNG: AtomicU64 = AtomicU64::new(0);

fn rand_u64() -> u64 {
    let mut x = RNG.load(Ordering::Relaxed);
    if x == 0 {
        x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ (u64::from(std::process::id()) << 32)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    RNG.store(x, Ordering::Relaxed);
    x
}

/// A port in 20000-29999 that is free now and not handed out before in this process.
pub(crate) fn free_port() -> u16 {
    let used = USED_PORTS.get_or_init(|| Mutex::new(HashSet::new()));
    loop {
        let p = 20000 + (rand_u64() % 10000) as u16;
        let mut set = used.lock().unwrap_or_else(|e| e.into_inner());
        if set.contains(&p) || listening(p) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            set.insert(p);
            return p;
        }
    }
}

/// Whether something listens on the port (from /proc/net/tcp{,6}: no connection is
/// made, so the proxy sees no probe).
fn listening(port: u16) -> bool {
    let want = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|f| {
        fs::read_to_string(f)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .any(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols.get(1).is_some_and(|a| a.ends_with(&want)) && cols.get(3) == Some(&"0A")
            })
    })
}

// ---------------------------------------------------------------- processes

/// A proxy process; killed when dropped, also on panic.
struct Proxy {
    child: Child,
    stderr: PathBuf,
}

impl Proxy {
    fn start(argv: &[String], cwd: &Path, stderr: PathBuf) -> Result<Proxy, String> {
        let (prog, args) = argv.split_first().ok_or("empty command")?;
        let err = fs::File::create(&stderr).map_err(|e| format!("{}: {e}", stderr.display()))?;
        let out = err.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(prog)
            .args(args)
            .current_dir(cwd)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run {prog}: {e}"))?;
        Ok(Proxy { child, stderr })
    }

    fn output(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.stderr).unwrap_or_default()).into_owned()
    }

    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(st)) => Some(st.to_string()),
            _ => None,
        }
    }

    fn tail(&self) -> String {
        let out = self.output();
        let lines: Vec<&str> = out.lines().collect();
        lines
            .get(lines.len().saturating_sub(3)..)
            .unwrap_or_default()
            .join(" / ")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test backends of one case; all stopped when dropped.
struct Backends(BTreeMap<String, Arc<Backend>>);

impl Drop for Backends {
    fn drop(&mut self) {
        for b in self.0.values() {
            b.stop();
        }
    }
}

// ---------------------------------------------------------------- cases

struct Case {
    name: String,
    dir: PathBuf,
    script: Script,
    /// The config template (placeholders not yet replaced).
    template: String,
    /// Where the proxy runs (relative paths in the config are resolved from there).
    cwd: PathBuf,
}

fn load_case(dir: &Path) -> Result<Case, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = fs::read_to_string(dir.join("script")).map_err(|e| format!("script: {e}"))?;
    let script = script::parse(&text).map_err(|e| format!("script {e}"))?;
    let (template, cwd) = match &script.golden {
        Some(g) => {
            let path = dir.join(g);
            let cfg = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let cwd = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or(dir.to_path_buf());
            (script::templatize(&cfg, &script.maps), cwd)
        }
        None => (
            fs::read_to_string(dir.join("haproxy.cfg")).map_err(|e| format!("haproxy.cfg: {e}"))?,
            dir.to_path_buf(),
        ),
    };
    Ok(Case {
        name,
        dir: dir.to_path_buf(),
        script,
        template,
        cwd,
    })
}

fn discover() -> Vec<Result<Case, (String, String)>> {
    let root = manifest_dir().join(suite().cases);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .filter(|d| d.join("script").is_file())
        .map(|d| {
            load_case(&d).map_err(|e| {
                (
                    d.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    e,
                )
            })
        })
        .collect()
}

// ---------------------------------------------------------------- running a script

/// One step's record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    label: String,
    lines: Vec<String>,
}

#[derive(Debug, Default)]
struct Transcript {
    records: Vec<Record>,
    /// Set when the proxy could not be started or died: nothing else is comparable.
    fatal: Option<String>,
}

/// `Server BE/SRV is UP|DOWN` lines the proxy printed, in order.
fn transitions(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let i = l.find("Server ")?;
            let rest = l.get(i + 7..)?;
            let (srv, rest) = rest.split_once(" is ")?;
            let state = rest.split([' ', ',', '.']).next()?;
            matches!(state, "UP" | "DOWN").then(|| format!("{srv} {state}"))
        })
        .collect()
}

struct Run<'a> {
    ports: &'a HashMap<String, u16>,
    backends: &'a Backends,
    proxy: Proxy,
    conns: HashMap<String, Conn>,
    syslog: Option<Syslog>,
}

// ---------------------------------------------------------------- syslog capture

/// A UDP syslog listener on `@@syslog@@`: every datagram the proxy sends, in order.
struct Syslog {
    lines: Arc<Mutex<Vec<String>>>,
    seen: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Syslog {
    fn start(port: u16) -> Result<Syslog, String> {
        let sock = std::net::UdpSocket::bind(("127.0.0.1", port))
            .map_err(|e| format!("syslog port {port}: {e}"))?;
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(|e| e.to_string())?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (l, st) = (lines.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !st.load(Ordering::Relaxed) {
                if let Ok(n) = sock.recv(&mut buf) {
                    let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                    l.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(text.trim_end_matches('\n').to_string());
                }
            }
        });
        Ok(Syslog {
            lines,
            seen: 0,
            stop,
            thread: Some(thread),
        })
    }

    /// The lines received since the last call.
    fn take(&mut self) -> Vec<String> {
        let all = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let new = all.get(self.seen..).unwrap_or_default().to_vec();
        self.seen = all.len();
        new
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A syslog line with what differs between runs masked: the header date and PID, the
/// accept dates, client ports (any `IP:PORT` whose port is not one of the case's), the
/// timers (the first `a/b/c[/d/e]` group: every value but `-1` becomes `T`) and check
/// durations.
fn mask_log(line: &str, ports: &HashMap<String, u16>) -> String {
    use regex::Regex;
    static RES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let r = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        vec![
            // rfc3164 / local header date
            (
                r(r"^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d "),
                "<$1>DATE ",
            ),
            // rfc5424 header: <PRI>1 ISODATE HOST TAG PID
            (
                r(r"^<(\d+)>1 \S+ (\S+) (\S+) \d+ "),
                "<$1>1 DATE $2 $3 PID ",
            ),
            (r(r"\[\d+\]: "), "[PID]: "),
            (
                r(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(\.\d{3})?( [+-]\d{4})?"),
                "DATE",
            ),
            (r(r"check duration: \d+ms"), "check duration: Nms"),
        ]
    });
    let mut s = line.to_string();
    for (re, rep) in res {
        s = re.replace_all(&s, *rep).into_owned();
    }
    static ADDR: OnceLock<regex::Regex> = OnceLock::new();
    let addr = ADDR.get_or_init(|| {
        regex::Regex::new(r"(\d+\.\d+\.\d+\.\d+):(\d+)").unwrap_or_else(|e| panic!("{e}"))
    });
    let known: HashSet<String> = ports.values().map(|p| p.to_string()).collect();
    s = addr
        .replace_all(&s, |c: &regex::Captures<'_>| {
            if known.contains(&c[2]) {
                c[0].to_string()
            } else {
                format!("{}:PORT", &c[1])
            }
        })
        .into_owned();
    static TIMERS: OnceLock<regex::Regex> = OnceLock::new();
    let timers = TIMERS.get_or_init(|| {
        regex::Regex::new(r"^\+?-?\d+(/\+?-?\d+){2,4}$").unwrap_or_else(|e| panic!("{e}"))
    });
    let mut done = false;
    s.split(' ')
        .map(|tok| {
            if !done && timers.is_match(tok) {
                done = true;
                tok.split('/')
                    .map(|v| match v {
                        "-1" => "-1",
                        // `option logasap`: a timer still running
                        v if v.starts_with('+') => "+T",
                        _ => "T",
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            } else {
                tok.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Run<'_> {
    fn port(&self, fe: &str) -> Result<u16, String> {
        self.ports
            .get(fe)
            .copied()
            .ok_or_else(|| format!("no placeholder @@{fe}@@ in the config"))
    }

    fn conn(&mut self, name: &str, fe: &str) -> Result<&mut Conn, String> {
        if !self.conns.contains_key(name) {
            let port = self.port(fe)?;
            let c = Conn::open(port).map_err(|e| format!("connect: {:?}", e.kind()))?;
            self.conns.insert(name.to_string(), c);
        }
        self.conns
            .get_mut(name)
            .ok_or_else(|| "no connection".to_string())
    }

    fn backend(&self, name: &str) -> Result<&Arc<Backend>, String> {
        self.backends
            .0
            .get(name)
            .ok_or_else(|| format!("no backend {name}"))
    }

    fn step(&mut self, step: &Step) -> Vec<String> {
        match self.step_inner(step) {
            Ok(v) => v,
            Err(e) => vec![format!("error: {e}")],
        }
    }

    fn step_inner(&mut self, step: &Step) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        match step {
            Step::Request {
                conn,
                fe,
                data,
                repeat,
            } => {
                for k in 0..*repeat {
                    if *repeat > 1 {
                        out.push(format!("#{}", k + 1));
                    }
                    match conn {
                        Some(c) => {
                            let cn = match self.conn(c, fe) {
                                Ok(cn) => cn,
                                Err(e) if e.contains("ConnectionReset") => {
                                    out.extend(client::rejected());
                                    continue;
                                }
                                Err(e) => {
                                    out.push(e);
                                    continue;
                                }
                            };
                            // A failed send still gets a read: the proxy may have answered
                            // (an error page) before closing.
                            let _ = cn.send(data);
                            out.extend(client::render(&cn.read_response()));
                        }
                        None => {
                            let mut cn = match Conn::open(self.port(fe)?) {
                                Ok(c) => c,
                                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                                    out.extend(client::rejected());
                                    continue;
                                }
                                Err(e) => {
                                    out.push(format!("connect: {:?}", e.kind()));
                                    continue;
                                }
                            };
                            let _ = cn.send(data);
                            out.extend(client::render(&cn.read_response()));
                            cn.shutdown();
                        }
                    }
                }
            }
            Step::Send { conn, fe, data } => {
                let cn = self.conn(conn, fe)?;
                match cn.send(data) {
                    Ok(()) => out.push(format!("sent {} bytes", data.len())),
                    Err(e) => out.push(format!("send: {:?}", e.kind())),
                }
            }
            Step::Response { conn } => {
                let cn = self
                    .conns
                    .get_mut(conn)
                    .ok_or_else(|| format!("no connection {conn}"))?;
                out.extend(client::render(&cn.read_response()));
            }
            Step::Recv { conn, idle_ms } => {
                let cn = self
                    .conns
                    .get_mut(conn)
                    .ok_or_else(|| format!("no connection {conn}"))?;
                let (bytes, end) = cn.recv_raw(Duration::from_millis(*idle_ms));
                out.extend(raw_lines(&bytes));
                if let Some(e) = end {
                    out.push(format!("  end| {e}"));
                }
            }
            Step::Closed { conn, ms } => {
                let cn = self
                    .conns
                    .get_mut(conn)
                    .ok_or_else(|| format!("no connection {conn}"))?;
                out.push(cn.closed_within(Duration::from_millis(*ms)).to_string());
            }
            Step::Close { conn } => {
                if let Some(c) = self.conns.remove(conn) {
                    c.shutdown();
                }
                out.push("closed by client".into());
            }
            Step::Logs(ms) => {
                std::thread::sleep(Duration::from_millis(*ms));
                let ports = self.ports;
                match self.syslog.as_mut() {
                    Some(s) => out.extend(s.take().iter().map(|l| mask_log(l, ports))),
                    None => out.push("no @@syslog@@ in the config".into()),
                }
            }
            Step::Shut { conn } => match self.conns.get(conn) {
                Some(c) => {
                    c.shut_write();
                    out.push("half-closed by client".into());
                }
                None => out.push("no such connection".into()),
            },
            Step::Tcp { fe, data, idle_ms } => {
                // A connection the proxy rejects may fail at connect, at send or at the
                // first read, with a reset or a plain close, depending on timing: all of
                // them are "closed" here.
                let mut cn = match Conn::open(self.port(fe)?) {
                    Ok(c) => c,
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                        out.extend(raw_lines(b""));
                        out.push("  end| closed".into());
                        return Ok(out);
                    }
                    Err(e) => return Err(format!("connect: {:?}", e.kind())),
                };
                let _ = cn.send(data);
                let (bytes, end) = cn.recv_raw(Duration::from_millis(*idle_ms));
                out.extend(raw_lines(&bytes));
                let end = match end.as_deref() {
                    None => "open",
                    Some("eof" | "connection reset" | "broken pipe") => "closed",
                    Some(other) => other,
                };
                out.push(format!("  end| {end}"));
                cn.shutdown();
            }
            Step::Burst { n, fe, data } => {
                let port = self.port(fe)?;
                let handles: Vec<_> = (0..*n)
                    .map(|_| {
                        let data = data.clone();
                        std::thread::spawn(move || match Conn::open(port) {
                            Ok(mut c) => {
                                let _ = c.send(&data);
                                let r = c.read_response();
                                c.shutdown();
                                format!("status {} server {}", r.status, client::server_of(&r))
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                                "status 0 server -".to_string()
                            }
                            Err(e) => format!("connect: {:?}", e.kind()),
                        })
                    })
                    .collect();
                let mut counts: BTreeMap<String, u32> = BTreeMap::new();
                for h in handles {
                    let r = h.join().unwrap_or_else(|_| "panic".into());
                    *counts.entry(r).or_default() += 1;
                }
                out.extend(counts.iter().map(|(k, v)| format!("{v} x {k}")));
            }
            Step::Sleep(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::Stop(n) => {
                self.backend(n)?.stop();
            }
            Step::Start(n) => {
                self.backend(n)?
                    .start()
                    .map_err(|e| format!("start {n}: {e}"))?;
            }
            Step::Behave(n, spec) => self.backend(n)?.set_behave(spec),
            Step::Wait { server, state, ms } => {
                let want = format!("{server} {state}");
                let deadline = Instant::now() + Duration::from_millis(*ms);
                let seen = loop {
                    let t = transitions(&self.proxy.output());
                    let last = t
                        .iter()
                        .rev()
                        .find(|l| l.starts_with(&format!("{server} ")));
                    if last == Some(&want) {
                        break true;
                    }
                    if Instant::now() >= deadline {
                        break false;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                };
                out.push(if seen {
                    format!("{want}: reported")
                } else {
                    format!("{want}: NOT reported within {ms} ms")
                });
            }
            Step::Curl(args) => {
                let mut cmd = Command::new("curl");
                cmd.args(["-s", "-S", "-i", "--max-time", "5"]);
                for a in args {
                    cmd.arg(script::substitute(
                        a,
                        &self
                            .ports
                            .iter()
                            .map(|(k, v)| (k.clone(), *v))
                            .collect::<Vec<_>>(),
                    ));
                }
                match cmd.stdin(Stdio::null()).output() {
                    Ok(o) => {
                        out.push(format!("curl exit {:?}", o.status.code()));
                        for l in String::from_utf8_lossy(&o.stdout).split_inclusive('\n') {
                            out.push(format!(
                                "  out| {}",
                                escape(
                                    client::mask_header(l.trim_end_matches(['\r', '\n']))
                                        .as_bytes()
                                )
                            ));
                        }
                    }
                    Err(e) => out.push(format!("curl not runnable: {}", e.kind())),
                }
            }
        }
        Ok(out)
    }
}

fn raw_lines(bytes: &[u8]) -> Vec<String> {
    if bytes.is_empty() {
        return vec!["  raw| <nothing>".into()];
    }
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|l| format!("  raw| {}", escape(l)))
        .collect()
}

fn step_label(line: usize, step: &Step) -> String {
    let what = match step {
        Step::Request { conn, repeat, .. } => format!(
            "request {}{}",
            conn.as_deref().unwrap_or("(new conn)"),
            if *repeat > 1 {
                format!(" x{repeat}")
            } else {
                String::new()
            }
        ),
        Step::Send { conn, .. } => format!("send {conn}"),
        Step::Response { conn } => format!("response {conn}"),
        Step::Recv { conn, .. } => format!("recv {conn}"),
        Step::Closed { conn, .. } => format!("closed {conn}"),
        Step::Close { conn } => format!("close {conn}"),
        Step::Shut { conn } => format!("shut {conn}"),
        Step::Tcp { .. } => "tcp".into(),
        Step::Burst { n, .. } => format!("burst {n}"),
        Step::Sleep(ms) => format!("sleep {ms}"),
        Step::Stop(n) => format!("stop {n}"),
        Step::Start(n) => format!("start {n}"),
        Step::Behave(n, s) => format!("behave {n} {s}"),
        Step::Wait { server, state, .. } => format!("wait {server} {state}"),
        Step::Curl(_) => "curl".into(),
        Step::Logs(_) => "logs".into(),
    };
    format!("line {line}: {what}")
}

/// Starts the proxy, waits for its listeners, runs the script, stops the proxy.
fn run_script(
    case: &Case,
    argv: &[String],
    cfg_out: &Path,
    ports: &HashMap<String, u16>,
    backends: &Backends,
    who: &str,
) -> Transcript {
    let mut t = Transcript::default();
    for b in backends.0.values() {
        b.set_behave("-");
        if let Err(e) = b.start() {
            t.fatal = Some(format!("backend {} cannot listen: {e}", b.name));
            return t;
        }
    }
    let syslog = match ports.get("syslog") {
        Some(p) => match Syslog::start(*p) {
            Ok(s) => Some(s),
            Err(e) => {
                t.fatal = Some(e);
                return t;
            }
        },
        None => None,
    };
    let stderr = cfg_out.with_file_name(format!("{who}.stderr"));
    let mut proxy = match Proxy::start(argv, &case.cwd, stderr) {
        Ok(p) => p,
        Err(e) => {
            t.fatal = Some(e);
            return t;
        }
    };
    let ready: Vec<u16> = if case.script.ready.is_empty() {
        ports
            .iter()
            .filter(|(k, _)| k.starts_with("fe"))
            .map(|(_, v)| *v)
            .collect()
    } else {
        case.script
            .ready
            .iter()
            .filter_map(|k| ports.get(k).copied())
            .collect()
    };
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(st) = proxy.exited() {
            t.fatal = Some(format!("exited ({st}) before listening: {}", proxy.tail()));
            return t;
        }
        if ready.iter().all(|p| listening(*p)) {
            break;
        }
        if Instant::now() >= deadline {
            t.fatal = Some(format!(
                "not listening after {}s: {}",
                START_TIMEOUT.as_secs(),
                proxy.tail()
            ));
            return t;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut run = Run {
        ports,
        backends,
        proxy,
        conns: HashMap::new(),
        syslog,
    };
    for (line, step) in &case.script.steps {
        let lines = run.step(step);
        t.records.push(Record {
            label: step_label(*line, step),
            lines,
        });
        if let Some(st) = run.proxy.exited() {
            t.fatal = Some(format!(
                "died during the script ({st}): {}",
                run.proxy.tail()
            ));
            break;
        }
    }
    for c in run.conns.values() {
        c.shutdown();
    }
    if run.syslog.is_some() {
        // what the last steps left (the closes above may end logged sessions)
        std::thread::sleep(Duration::from_millis(500));
        let lines = run.step(&Step::Logs(0));
        t.records.push(Record {
            label: "log lines at the end".into(),
            lines,
        });
    }
    // Per server, in order; the interleaving of different servers' checks is timing.
    let mut all = transitions(&run.proxy.output());
    all.sort_by(|a, b| {
        let srv = |s: &str| s.split(' ').next().unwrap_or_default().to_string();
        srv(a).cmp(&srv(b))
    });
    t.records.push(Record {
        label: "health transitions (per server, in order)".into(),
        lines: all,
    });
    t
}

fn render_transcript(t: &Transcript) -> String {
    let mut s = String::new();
    if let Some(f) = &t.fatal {
        let _ = writeln!(s, "FATAL: {f}");
    }
    for r in &t.records {
        let _ = writeln!(s, "== {}", r.label);
        for l in &r.lines {
            let _ = writeln!(s, "{l}");
        }
    }
    s
}

/// How B's transcript differs from A's: one line per differing step.
fn compare(a: &Transcript, b: &Transcript, an: &str, bn: &str) -> Vec<String> {
    let mut diffs = Vec::new();
    if a.fatal.is_some() || b.fatal.is_some() {
        if a.fatal != b.fatal || a.fatal.is_some() {
            diffs.push(format!(
                "{an}: {} | {bn}: {}",
                a.fatal.as_deref().unwrap_or("ran"),
                b.fatal.as_deref().unwrap_or("ran")
            ));
        }
        return diffs;
    }
    for (ra, rb) in a.records.iter().zip(&b.records) {
        if ra.lines == rb.lines {
            continue;
        }
        let i = ra
            .lines
            .iter()
            .zip(&rb.lines)
            .take_while(|(x, y)| x == y)
            .count();
        let show = |v: &Vec<String>| v.get(i).map_or("<nothing>".into(), |s| format!("`{s}`"));
        diffs.push(format!(
            "{}: {an} {} vs {bn} {}",
            ra.label,
            show(&ra.lines),
            show(&rb.lines)
        ));
    }
    if a.records.len() != b.records.len() {
        diffs.push(format!(
            "{} steps for {an} vs {} for {bn}",
            a.records.len(),
            b.records.len()
        ));
    }
    diffs
}

struct CaseResult {
    name: String,
    diffs: Vec<String>,
    secs: f64,
}

fn run_case(case: &Case, subject: &[String], subject_name: &str, haproxy: &str) -> CaseResult {
    let t0 = Instant::now();
    let out_dir = target_dir().join(suite().out).join(&case.name);
    let _ = fs::create_dir_all(&out_dir);
    let names = script::placeholders(&case.template);
    let mut ports = HashMap::new();
    for n in &names {
        ports.insert(n.clone(), free_port());
    }
    let mut diffs = Vec::new();
    let mut backends = BTreeMap::new();
    for (name, kind) in &case.script.backends {
        match ports.get(name) {
            Some(p) => {
                backends.insert(name.clone(), Backend::new(name, *p, *kind));
            }
            None => diffs.push(format!("backend {name} has no @@{name}@@ in the config")),
        }
    }
    let backends = Backends(backends);
    let pv: Vec<(String, u16)> = ports.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let cfg = script::substitute(&case.template, &pv);
    let cfg_path = out_dir.join("haproxy.cfg");
    if let Err(e) = fs::write(&cfg_path, &cfg) {
        diffs.push(format!("cannot write {}: {e}", cfg_path.display()));
    }
    if !diffs.is_empty() {
        return CaseResult {
            name: case.name.clone(),
            diffs,
            secs: t0.elapsed().as_secs_f64(),
        };
    }
    let cfg_s = cfg_path.display().to_string();
    let a_argv = vec![
        haproxy.to_string(),
        "-f".into(),
        cfg_s.clone(),
        "-db".into(),
    ];
    let mut b_argv = subject.to_vec();
    b_argv.extend(["-f".to_string(), cfg_s, "-db".into()]);
    let a = run_script(case, &a_argv, &cfg_path, &ports, &backends, "haproxy");
    let b = run_script(case, &b_argv, &cfg_path, &ports, &backends, subject_name);
    let _ = fs::write(out_dir.join("haproxy.txt"), render_transcript(&a));
    let _ = fs::write(
        out_dir.join(format!("{subject_name}.txt")),
        render_transcript(&b),
    );
    diffs.extend(compare(&a, &b, "haproxy", subject_name));
    let _ = case.dir.as_path();
    CaseResult {
        name: case.name.clone(),
        diffs,
        secs: t0.elapsed().as_secs_f64(),
    }
}

/// `NAME reason...` lines (`#` starts a comment).
fn read_known_failures(path: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let l = l.trim();
            let (name, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (!name.is_empty()).then(|| (name.to_string(), reason.trim().to_string()))
        })
        .collect()
}

/// Rewrites the list from this run: the header comment and the reasons of cases still
/// failing are kept, cases that match now are dropped, new failures get their first
/// difference as the reason. Cases that did not run keep their line.
fn write_known_failures(path: &Path, known: &BTreeMap<String, String>, results: &[CaseResult]) {
    let old = fs::read_to_string(path).unwrap_or_default();
    let mut out: String = old
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut lines: BTreeMap<String, String> = known
        .iter()
        .filter(|(k, _)| !results.iter().any(|r| &r.name == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for r in results {
        let Some(first) = r.diffs.first() else {
            continue;
        };
        let reason = known
            .get(&r.name)
            .cloned()
            .unwrap_or_else(|| format!("NEW: {}", first.chars().take(150).collect::<String>()));
        lines.insert(r.name.clone(), reason);
    }
    for (k, v) in lines {
        let _ = writeln!(out, "{k:<28} {v}");
    }
    let _ = fs::write(path, out);
}

fn find_haproxy() -> Option<String> {
    if Path::new(HAPROXY).is_file() {
        return Some(HAPROXY.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("haproxy"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

fn haproxy_or_skip(what: &str) -> Option<String> {
    match find_haproxy() {
        Some(h) => Some(h),
        None if ci() => {
            panic!("{what}: CI=true and haproxy is not installed (.ci/run installs it)")
        }
        None => {
            eprintln!("{what}: haproxy not found, skipped (install the haproxy package)");
            None
        }
    }
}

fn subject() -> (Vec<String>, String) {
    match std::env::var("PROXY_DIFF_SUBJECT").as_deref() {
        Ok("haproxy") => (
            vec![find_haproxy().unwrap_or_else(|| HAPROXY.into())],
            "haproxy-again".into(),
        ),
        _ => (
            vec![env!("CARGO_BIN_EXE_tandem").to_string(), "haproxy".into()],
            "tandem".into(),
        ),
    }
}

fn selected(name: &str) -> bool {
    match std::env::var(suite().cases_env) {
        Ok(f) if !f.trim().is_empty() => f.split(',').any(|w| name.contains(w.trim())),
        _ => true,
    }
}

/// The suite and the load test take turns: load would skew the suite's timings.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn proxy_diff() {
    if !own_binary() {
        return;
    }
    run_suite(&PROXY_SUITE);
}

/// Runs every case of `s` against HAProxy and the subject and judges the result against
/// the suite's known-failures list.
pub fn run_suite(s: &'static Suite) {
    let _ = SUITE.set(s);
    let _one_at_a_time = serial();
    let Some(haproxy) = haproxy_or_skip(s.title) else {
        return;
    };
    let (subject, subject_name) = subject();
    let self_check = subject_name != "tandem";
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for c in discover() {
        match c {
            Ok(c) if selected(&c.name) => cases.push(c),
            Ok(_) => {}
            Err((name, e)) => problems.push(format!("{name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "bad cases:\n{}", problems.join("\n"));
    assert!(!cases.is_empty(), "no cases under {}/", s.cases);
    let known = if self_check {
        BTreeMap::new()
    } else {
        read_known_failures(&manifest_dir().join(s.cases).join("known-failures.txt"))
    };
    let t0 = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<CaseResult>> = Mutex::new(Vec::new());
    let retried: Mutex<Vec<String>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let mut r = run_case(case, &subject, &subject_name, &haproxy);
                    // A case that differs is played once more, both proxies again: on a
                    // loaded 2-core host a timer can fire late in either of them (seen:
                    // HAProxy itself answering 502 once). A real difference differs twice;
                    // the first run's differences stay in the report.
                    if !r.diffs.is_empty() && !known.contains_key(&case.name) {
                        let again = run_case(case, &subject, &subject_name, &haproxy);
                        if again.diffs.is_empty() {
                            eprintln!(
                                "{}: matched on the second run; first run: {:?}",
                                case.name, r.diffs
                            );
                            retried
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(format!("{} | first run: {:?}", case.name, r.diffs));
                            r = again;
                        }
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by(|a, b| a.name.cmp(&b.name));
    let retried = retried.into_inner().unwrap_or_else(|e| e.into_inner());
    let ran: BTreeSet<&str> = results.iter().map(|r| r.name.as_str()).collect();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{}: {haproxy} vs {subject_name} ({}), {} cases, {:.1}s\n",
        s.title,
        subject.join(" "),
        results.len(),
        t0.elapsed().as_secs_f64()
    );
    let _ = writeln!(
        report,
        "{:<40} {:<10} {:>6}  reason if known",
        "case", "result", "secs"
    );
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    let mut matched = 0;
    for r in &results {
        let k = known.get(&r.name);
        let res = match (r.diffs.is_empty(), k) {
            (true, None) => {
                matched += 1;
                "match"
            }
            (true, Some(_)) => {
                now_passing.push(r.name.clone());
                "MATCH(k)"
            }
            (false, Some(_)) => "known",
            (false, None) => {
                unexpected.push(r);
                "MISMATCH"
            }
        };
        let _ = writeln!(
            report,
            "{:<40} {:<10} {:>6.1}  {}",
            r.name,
            res,
            r.secs,
            k.map_or("", String::as_str)
        );
    }
    let _ = writeln!(report, "\nmatched {matched} of {}", results.len());
    if !retried.is_empty() {
        let _ = writeln!(report, "\nmatched only on a second run:");
        for r in &retried {
            let _ = writeln!(report, "{r}");
        }
    }
    let _ = writeln!(
        report,
        "\ndifferences (case | step | haproxy vs {subject_name}):"
    );
    for r in &results {
        for d in &r.diffs {
            let _ = writeln!(report, "{} | {d}", r.name);
        }
    }
    let _ = writeln!(
        report,
        "\ntranscripts: {}/<case>/{{haproxy,{subject_name}}}.txt",
        target_dir().join(s.out).display()
    );
    // The cases that differ now, with their first difference: a starting point for
    // known-failures.txt (review before copying: a reason should say why).
    let failing: String = results
        .iter()
        .filter_map(|r| {
            let d = r.diffs.first()?;
            let short: String = d.chars().take(150).collect();
            Some(format!("{:<28} {short}\n", r.name))
        })
        .collect();
    let _ = fs::write(
        target_dir().join(format!("{}-failures.txt", s.out)),
        failing,
    );
    let report_path = target_dir().join(format!("{}-report.txt", s.out));
    let _ = fs::write(&report_path, &report);
    eprintln!("{report}");
    // Only the cases that ran can be judged "now passing"; a listed name that is no case
    // at all is stale.
    let all: BTreeSet<String> = discover()
        .into_iter()
        .map(|c| match c {
            Ok(c) => c.name,
            Err((n, _)) => n,
        })
        .chain(std::iter::once("kill-under-load".to_string()))
        .collect();
    let stale: Vec<&String> = known.keys().filter(|k| !all.contains(*k)).collect();
    let _ = ran;
    if std::env::var("PROXY_DIFF_WRITE_KNOWN").is_ok_and(|v| v == "1") && !self_check {
        let path = manifest_dir().join(s.cases).join("known-failures.txt");
        write_known_failures(&path, &known, &results);
        eprintln!(
            "proxy diff: rewrote {} (review the diff: new reasons are first differences)",
            path.display()
        );
        return;
    }
    let mut msg = String::new();
    if !unexpected.is_empty() {
        let _ = writeln!(
            msg,
            "{} case(s) differ and are not in known-failures.txt:",
            unexpected.len()
        );
        for r in &unexpected {
            for d in r.diffs.iter().take(5) {
                let _ = writeln!(msg, "  {} | {d}", r.name);
            }
        }
    }
    if !now_passing.is_empty() {
        let _ = writeln!(
            msg,
            "case(s) in {}/known-failures.txt now match, remove them: {}",
            s.cases,
            now_passing.join(", ")
        );
    }
    if !stale.is_empty() {
        let _ = writeln!(msg, "known-failures.txt names no such case: {stale:?}");
    }
    assert!(
        msg.is_empty(),
        "{} ({}):\n{msg}",
        s.title,
        report_path.display()
    );
}

// ---------------------------------------------------------------- kill under load

/// Result of one kill-under-load run.
#[derive(Debug, Default)]
struct KillRun {
    requests: u64,
    status_5xx: u64,
    /// Requests that got no response at all (connection closed or reset).
    no_response: u64,
    inflight_at_kill: i64,
    per_server: BTreeMap<String, u64>,
    fatal: Option<String>,
}

const KILL_TOTAL: u64 = 20_000;
const KILL_CLIENTS: u64 = 8;

fn kill_run(argv: &[String], cfg: &Path, fe: u16, backends: &Backends) -> KillRun {
    let mut r = KillRun::default();
    for b in backends.0.values() {
        // A little service time, so that requests are in flight when s2 is killed.
        b.set_behave("slow=1");
        if let Err(e) = b.start() {
            r.fatal = Some(format!("backend {}: {e}", b.name));
            return r;
        }
    }
    let stderr = cfg.with_file_name(format!("kill-{}.stderr", std::process::id()));
    let mut proxy = match Proxy::start(argv, cfg.parent().unwrap_or(Path::new("/")), stderr) {
        Ok(p) => p,
        Err(e) => {
            r.fatal = Some(e);
            return r;
        }
    };
    let deadline = Instant::now() + START_TIMEOUT;
    while !listening(fe) {
        if let Some(st) = proxy.exited() {
            r.fatal = Some(format!("exited ({st}): {}", proxy.tail()));
            return r;
        }
        if Instant::now() >= deadline {
            r.fatal = Some("not listening".into());
            return r;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let done = Arc::new(AtomicU64::new(0));
    let results = Arc::new(Mutex::new(Vec::new()));
    let hard_deadline = Instant::now() + Duration::from_secs(60);
    let per = KILL_TOTAL / KILL_CLIENTS;
    let handles: Vec<_> = (0..KILL_CLIENTS)
        .map(|_| {
            let done = done.clone();
            let results = results.clone();
            std::thread::spawn(move || {
                let mut local: Vec<(u16, String)> = Vec::new();
                let mut conn: Option<Conn> = None;
                let req = b"GET /load HTTP/1.1\r\nHost: load\r\n\r\n";
                for _ in 0..per {
                    if Instant::now() > hard_deadline {
                        break;
                    }
                    if conn.is_none() {
                        conn = Conn::open(fe).ok();
                    }
                    let Some(c) = conn.as_mut() else {
                        local.push((0, "connect".into()));
                        done.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    let resp = if c.send(req).is_ok() {
                        c.read_response()
                    } else {
                        client::Response {
                            interim: vec![],
                            head: vec![],
                            status: 0,
                            body: vec![],
                            error: Some("send".into()),
                        }
                    };
                    let closing = resp.error.is_some()
                        || resp
                            .head
                            .iter()
                            .any(|l| l.eq_ignore_ascii_case("connection: close"));
                    local.push((resp.status, client::server_of(&resp)));
                    if closing {
                        conn = None;
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(local);
            })
        })
        .collect();
    // Kill s2 a quarter of the way in.
    while done.load(Ordering::Relaxed) < KILL_TOTAL / 4 && Instant::now() < hard_deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    if let Some(s2) = backends.0.get("s2") {
        r.inflight_at_kill = s2.stop();
    }
    for h in handles {
        let _ = h.join();
    }
    let all = results.lock().unwrap_or_else(|e| e.into_inner()).clone();
    r.requests = all.len() as u64;
    for (st, srv) in all {
        if st >= 500 {
            r.status_5xx += 1;
        } else if st == 0 {
            r.no_response += 1;
        }
        *r.per_server.entry(srv).or_default() += 1;
    }
    if let Some(st) = proxy.exited() {
        r.fatal = Some(format!("died ({st}): {}", proxy.tail()));
    }
    r
}

/// The issue's "server killed under load" check: 20,000 keep-alive requests from 8
/// clients through `retries 3` + `option redispatch`, server s2 killed (listener closed,
/// connections reset) a quarter of the way in. Prints the 5xx counts for HAProxy and the
/// subject; the subject must not give more 5xx than requests were in flight on s2.
#[test]
fn kill_under_load() {
    if !own_binary() {
        return;
    }
    let _one_at_a_time = serial();
    let Some(haproxy) = haproxy_or_skip("kill_under_load") else {
        return;
    };
    let (subject, subject_name) = subject();
    let tpl = fs::read_to_string(manifest_dir().join("compat-tests/proxy/kill-under-load.cfg"))
        .unwrap_or_else(|e| panic!("kill-under-load.cfg: {e}"));
    let names = script::placeholders(&tpl);
    let ports: Vec<(String, u16)> = names.iter().map(|n| (n.clone(), free_port())).collect();
    let port = |n: &str| ports.iter().find(|(k, _)| k == n).map(|(_, p)| *p);
    let mut map = BTreeMap::new();
    for s in ["s1", "s2", "s3"] {
        let p = port(s).unwrap_or_else(|| panic!("kill-under-load.cfg lacks @@{s}@@"));
        map.insert(s.to_string(), Backend::new(s, p, Kind::Http));
    }
    let backends = Backends(map);
    let fe = port("fe").unwrap_or_else(|| panic!("kill-under-load.cfg lacks @@fe@@"));
    let dir = target_dir().join("proxy-diff/kill-under-load");
    let _ = fs::create_dir_all(&dir);
    let cfg = dir.join("haproxy.cfg");
    fs::write(&cfg, script::substitute(&tpl, &ports)).unwrap_or_else(|e| panic!("{e}"));
    let cfg_s = cfg.display().to_string();
    let a = kill_run(
        &[haproxy, "-f".into(), cfg_s.clone(), "-db".into()],
        &cfg,
        fe,
        &backends,
    );
    let mut argv = subject.clone();
    argv.extend(["-f".to_string(), cfg_s, "-db".into()]);
    let b = kill_run(&argv, &cfg, fe, &backends);
    let mut report = String::new();
    for (name, r) in [("haproxy", &a), (subject_name.as_str(), &b)] {
        let _ = writeln!(
            report,
            "kill-under-load {name}: requests={} 5xx={} no_response={} inflight_on_s2_at_kill={} per_server={:?}{}",
            r.requests,
            r.status_5xx,
            r.no_response,
            r.inflight_at_kill,
            r.per_server,
            r.fatal
                .as_deref()
                .map(|f| format!(" FATAL: {f}"))
                .unwrap_or_default()
        );
    }
    eprintln!("{report}");
    let _ = fs::write(target_dir().join("proxy-kill-report.txt"), &report);
    let known = read_known_failures(&manifest_dir().join("compat-tests/proxy/known-failures.txt"));
    // The issue's criterion: no 5xx beyond the requests in flight on the killed server.
    // Requests answered by a bare close are reported (HAProxy does that too when a reused
    // idle server connection dies) but not counted as 5xx.
    let ok = b.fatal.is_none()
        && b.requests >= KILL_TOTAL
        && b.status_5xx as i64 <= b.inflight_at_kill.max(0);
    if subject_name == "tandem" && known.contains_key("kill-under-load") {
        assert!(
            !ok,
            "kill-under-load now passes: remove it from known-failures.txt\n{report}"
        );
    } else {
        assert!(ok, "kill-under-load failed:\n{report}");
    }
}

// ---------------------------------------------------------------- harness self-tests

#[test]
fn script_parses_every_form() {
    let text = "\
backend s1
backend s2 tcp
golden ../x.cfg
map 20100 fe
ready fe fe2
# comment
request c1 @fe2 x3
> GET / HTTP/1.1
> Host: a
>
send c2
= GET /\\x41 HTTP/1.0\\r\\n\\r\\n
response c2
recv c2 200
closed c2
close c2
tcp @fe2 400
= \\x16\\x03\\x01
burst 5
> GET / HTTP/1.1
>
sleep 10
stop s2
start s2
behave s1 slow=10,500
wait be/s2 DOWN 3000
curl -k https://127.0.0.1:@@fe@@/
";
    let sc = script::parse(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sc.backends,
        [("s1".into(), Kind::Http), ("s2".into(), Kind::Tcp)]
    );
    assert_eq!(sc.golden.as_deref(), Some("../x.cfg"));
    assert_eq!(sc.maps, [(20100, "fe".to_string())]);
    assert_eq!(sc.steps.len(), 14);
    assert_eq!(
        sc.steps.first().map(|s| &s.1),
        Some(&Step::Request {
            conn: Some("c1".into()),
            fe: "fe2".into(),
            data: b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(),
            repeat: 3
        })
    );
    assert_eq!(
        sc.steps.get(1).map(|s| &s.1),
        Some(&Step::Send {
            conn: "c2".into(),
            fe: "fe".into(),
            data: b"GET /A HTTP/1.0\r\n\r\n".to_vec()
        })
    );
    assert!(script::parse("stop nobody\n").is_err());
    assert!(script::parse("wait b/s UPP\n").is_err());
    assert!(script::parse("frobnicate\n").is_err());
}

#[test]
fn placeholders_and_golden_ports() {
    let tpl =
        "bind 127.0.0.1:@@fe@@\nserver a 127.0.0.1:@@s1@@\nserver b 127.0.0.1:@@s1@@ # @@ x\n";
    assert_eq!(script::placeholders(tpl), ["fe", "s1"]);
    let out = script::substitute(tpl, &[("fe".into(), 20001), ("s1".into(), 20002)]);
    assert!(out.contains("127.0.0.1:20001") && out.contains("127.0.0.1:20002"));
    let g = script::templatize(
        "bind 127.0.0.1:20100\nserver w 127.0.0.1:20111\n",
        &[(20100, "fe".into()), (20111, "web1".into())],
    );
    assert_eq!(g, "bind 127.0.0.1:@@fe@@\nserver w 127.0.0.1:@@web1@@\n");
}

#[test]
fn transitions_from_haproxy_stderr() {
    // HAProxy 2.6.12's messages with -db.
    let err = "[WARNING]  (3076) : Server b/s is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.\n\
[WARNING]  (3076) : Backup Server b/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n\
[ALERT]    (3076) : backend 'b' has no server available!\n\
[WARNING]  (3076) : Server b/s is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.\n";
    assert_eq!(transitions(err), ["b/s DOWN", "b/s2 DOWN", "b/s UP"]);
}

#[test]
fn compare_reports_first_difference() {
    let rec = |l: &[&str]| Record {
        label: "line 3: request".into(),
        lines: l.iter().map(|s| s.to_string()).collect(),
    };
    let a = Transcript {
        records: vec![rec(&["status 200 server s1", "  head| x"])],
        fatal: None,
    };
    let b = Transcript {
        records: vec![rec(&["status 200 server s2", "  head| x"])],
        fatal: None,
    };
    let d = compare(&a, &b, "haproxy", "tandem");
    assert_eq!(
        d,
        ["line 3: request: haproxy `status 200 server s1` vs tandem `status 200 server s2`"]
    );
    assert!(compare(&a, &a, "haproxy", "tandem").is_empty());
    let dead = Transcript {
        records: vec![],
        fatal: Some("exited".into()),
    };
    assert_eq!(compare(&a, &dead, "haproxy", "tandem").len(), 1);
    assert_eq!(client::mask_header("Date: Sun, 1 Jan"), "Date: <masked>");
    assert_eq!(
        backend::mask_proxy_v1("PROXY TCP4 127.0.0.1 127.0.0.1 54321 20100\r\n"),
        "PROXY TCP4 127.0.0.1 127.0.0.1 <port> 20100"
    );
}

#[test]
fn websocket_accept_key() {
    // RFC 6455's example.
    let mut k = b"dGhlIHNhbXBsZSBub25jZQ==".to_vec();
    k.extend_from_slice(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    assert_eq!(
        backend::base64(&backend::sha1(&k)),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_eq!(backend::base64(b"ab"), "YWI=");
}

/// A backend and the client against each other, no proxy: the echo and the behaviours.
#[test]
fn backend_echo_and_behaviours() {
    let port = free_port();
    let b = Backend::new("s9", port, Kind::Http);
    b.start().unwrap_or_else(|e| panic!("{e}"));
    let _guard = Backends(BTreeMap::from([("s9".to_string(), b.clone())]));
    let mut c = Conn::open(port).unwrap_or_else(|e| panic!("{e}"));
    let send = |c: &mut Conn, d: &[u8]| c.send(d).unwrap_or_else(|e| panic!("{e}"));
    send(
        &mut c,
        b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
    );
    let r = c.read_response();
    assert_eq!(r.status, 200);
    assert_eq!(client::server_of(&r), "s9");
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(
        body.starts_with("srv=s9\nnreq=1\nPOST /p HTTP/1.1\nHost: h\n"),
        "{body}"
    );
    assert!(body.ends_with("body-len=3 body=abc\n"), "{body}");
    send(
        &mut c,
        b"GET / HTTP/1.1\r\nx-behave: chunked,status=404\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    );
    let r = c.read_response();
    assert_eq!(r.status, 404);
    assert!(String::from_utf8_lossy(&r.body).contains("nreq=2"));
    assert!(r.body.ends_with(b"0\r\n\r\n"));
    send(&mut c, b"HEAD / HTTP/1.1\r\n\r\n");
    let r = c.read_response();
    assert!(r.body.is_empty() && r.error.is_none(), "{r:?}");
    send(&mut c, b"GET / HTTP/1.1\r\nx-behave: close\r\n\r\n");
    let r = c.read_response();
    assert_eq!(r.error.as_deref(), Some("closed without response"));
    assert_eq!(b.stop(), 0);
    assert!(
        Conn::open(port).is_err(),
        "a stopped backend refuses connections"
    );
    b.start().unwrap_or_else(|e| panic!("{e}"));
    let mut c = Conn::open(port).unwrap_or_else(|e| panic!("{e}"));
    send(
        &mut c,
        b"GET / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
    );
    let r = c.read_response();
    assert_eq!(r.interim, ["HTTP/1.1 100 Continue"]);
    assert_eq!(r.status, 200);
}
