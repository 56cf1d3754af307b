//! Syslog framing (HAProxy 2.6 `log ... format F`) and non-blocking senders.
//!
//! [`frame`] is pure (bytes for one message); [`LogTargets`] resolves the
//! IR's `log` lines (`log global`, `no log`) and sends without blocking: a
//! full socket buffer drops the message and counts it, as HAProxy does.

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::format::Civil;
use crate::ir::haproxy::{Global, LogTarget};

/// Syslog severities, in HAProxy's (and RFC 5424's) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Emerg = 0,
    Alert,
    Crit,
    Err,
    Warning,
    Notice,
    Info,
    Debug,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        use Level::*;
        Some(match s {
            "emerg" => Emerg,
            "alert" => Alert,
            "crit" => Crit,
            "err" => Err,
            "warning" => Warning,
            "notice" => Notice,
            "info" => Info,
            "debug" => Debug,
            _ => return None,
        })
    }
}

/// HAProxy's facility names; the index is the facility code.
pub const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Rfc3164,
    Rfc5424,
    Raw,
    Short,
    Iso,
    Priority,
    Timed,
    Local,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        use Format::*;
        Some(match s {
            "rfc3164" => Rfc3164,
            "rfc5424" => Rfc5424,
            "raw" => Raw,
            "short" => Short,
            "iso" => Iso,
            "priority" => Priority,
            "timed" => Timed,
            "local" => Local,
            _ => return None,
        })
    }
}

/// Header data shared by all messages of the process.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// `log-send-hostname` value (None: no hostname in rfc3164).
    pub hostname: Option<String>,
    /// `log-tag`, default `haproxy`.
    pub tag: String,
    pub pid: u32,
    /// A fixed offset from UTC in seconds (tests); `None`: the local zone (`TZ`,
    /// /etc/localtime), as HAProxy's `localtime_r`.
    pub tz_offset_secs: Option<i32>,
}

fn iso_time(now_us: i64, tz: i32) -> String {
    let c = Civil::from_unix(now_us.div_euclid(1_000_000) + i64::from(tz));
    let sign = if tz < 0 { '-' } else { '+' };
    let a = tz.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}{}{:02}:{:02}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.min,
        c.sec,
        now_us.rem_euclid(1_000_000),
        sign,
        a / 3600,
        a % 3600 / 60
    )
}

/// One syslog datagram, byte for byte as HAProxy 2.6.12 sends it (measured;
/// see the tests), truncated to `maxlen` bytes before the final `\n` (a
/// `len 80` target receives 81-byte datagrams).
/// `now_us`: microseconds since the Unix epoch. `sd`: rfc5424 structured
/// data (`log-format-sd`), `-` when None.
#[allow(clippy::too_many_arguments)]
pub fn frame(
    fmt: Format,
    facility: u8,
    level: Level,
    id: &Identity,
    now_us: i64,
    sd: Option<&str>,
    msg: &str,
    maxlen: usize,
) -> Vec<u8> {
    let pri = u32::from(facility) * 8 + level as u32;
    let tz = id
        .tz_offset_secs
        .unwrap_or_else(|| super::tz::offset_at(now_us.div_euclid(1_000_000)));
    let stamp = || {
        let c = Civil::from_unix(now_us.div_euclid(1_000_000) + i64::from(tz));
        format!(
            "{} {:2} {:02}:{:02}:{:02} ",
            c.month_name(),
            c.day,
            c.hour,
            c.min,
            c.sec
        )
    };
    let mut out = match fmt {
        Format::Rfc3164 => {
            let host = id
                .hostname
                .as_deref()
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            format!("<{pri}>{}{host}{}[{}]: ", stamp(), id.tag, id.pid)
        }
        Format::Local => format!("<{pri}>{}{}[{}]: ", stamp(), id.tag, id.pid),
        Format::Rfc5424 => format!(
            "<{pri}>1 {} {} {} {} - {} ",
            iso_time(now_us, tz),
            id.hostname.as_deref().unwrap_or("-"),
            id.tag,
            id.pid,
            sd.unwrap_or("-")
        ),
        Format::Raw => String::new(),
        Format::Short => format!("<{}>", level as u32),
        Format::Priority => format!("<{pri}>"),
        Format::Iso => format!("{} ", iso_time(now_us, tz)),
        Format::Timed => format!("<{}>{} ", level as u32, iso_time(now_us, tz)),
    }
    .into_bytes();
    out.extend_from_slice(msg.as_bytes());
    if out.len() > maxlen {
        out.truncate(maxlen);
    }
    out.push(b'\n');
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogTargetError {
    #[error("log target '{0}': unsupported address")]
    BadAddress(String),
    #[error("log target '{0}': unknown facility '{1}'")]
    BadFacility(String, String),
    #[error("log target '{0}': bad option '{1}'")]
    BadOption(String, String),
    #[error("log target '{0}': {1}")]
    Io(String, String),
}

/// Where a target writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    Udp(SocketAddr),
    /// `ring@NAME`: a `ring` section (see [`super::ring`]).
    Ring(String),
    Unix(String),
    Stdout,
    Stderr,
}

/// `sample RANGES:SIZE`: send the messages whose 1-based index modulo SIZE
/// falls in one of the ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub ranges: Vec<(u64, u64)>,
    pub size: u64,
}

impl Sample {
    fn parse(s: &str) -> Option<Sample> {
        let (r, size) = s.rsplit_once(':')?;
        let size: u64 = size.parse().ok().filter(|&n| n > 0)?;
        let mut ranges = Vec::new();
        for part in r.split(',') {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let a = part.parse().ok()?;
                    (a, a)
                }
            };
            ranges.push((a, b));
        }
        Some(Sample { ranges, size })
    }

    fn keep(&self, n: u64) -> bool {
        let idx = (n % self.size) + 1;
        self.ranges.iter().any(|&(a, b)| (a..=b).contains(&idx))
    }
}

/// One resolved `log` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    pub dest: Dest,
    pub format: Format,
    pub facility: u8,
    /// Messages less severe than this are not sent.
    pub max_level: Level,
    /// Messages more severe than this are sent at this level.
    pub min_level: Level,
    pub maxlen: usize,
    pub sample: Option<Sample>,
}

/// Parses a `log` address as HAProxy's `log` keyword accepts it.
pub fn parse_dest(addr: &str) -> Result<Dest, LogTargetError> {
    let bad = || LogTargetError::BadAddress(addr.to_string());
    match addr {
        "stdout" | "fd@1" => return Ok(Dest::Stdout),
        "stderr" | "fd@2" => return Ok(Dest::Stderr),
        _ => {}
    }
    if let Some(name) = addr.strip_prefix("ring@") {
        return Ok(Dest::Ring(name.to_string()));
    }
    if let Some(p) = addr.strip_prefix("unix@") {
        return Ok(Dest::Unix(p.to_string()));
    }
    if addr.starts_with('/') {
        return Ok(Dest::Unix(addr.to_string()));
    }
    let hostport = ["udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"]
        .iter()
        .find_map(|p| addr.strip_prefix(p))
        .unwrap_or(addr);
    if hostport.contains('@') {
        return Err(bad());
    }
    // `[v6]:port`, `v4:port`, a bare host, or a bare IPv6 address.
    let candidates = if let Ok(a) = hostport.parse::<SocketAddr>() {
        vec![a]
    } else if let Ok(ip) = hostport.parse::<std::net::IpAddr>() {
        vec![SocketAddr::new(ip, 514)]
    } else if let Some((h, p)) = hostport.rsplit_once(':') {
        // HAProxy's str2sa_range: an empty host is INADDR_ANY, and the log keyword puts
        // port 514 where none (or 0) is given (`log ${UNSET}:${UNSET}` is `log :`)
        let port: u16 = if p.is_empty() {
            514
        } else {
            p.parse().map_err(|_| bad())?
        };
        let h = if h.is_empty() { "0.0.0.0" } else { h };
        (h, port).to_socket_addrs().map_err(|_| bad())?.collect()
    } else {
        (hostport, 514u16)
            .to_socket_addrs()
            .map_err(|_| bad())?
            .collect()
    };
    candidates
        .into_iter()
        .next()
        .map(|mut a| {
            if a.port() == 0 {
                a.set_port(514);
            }
            Dest::Udp(a)
        })
        .ok_or_else(bad)
}

impl TargetSpec {
    pub fn from_ir(t: &LogTarget) -> Result<Option<TargetSpec>, LogTargetError> {
        let LogTarget::Target {
            address,
            options,
            facility,
            level,
            min_level,
        } = t
        else {
            return Ok(None);
        };
        let fac = FACILITIES
            .iter()
            .position(|f| f == facility)
            .ok_or_else(|| LogTargetError::BadFacility(address.clone(), facility.clone()))?;
        let mut spec = TargetSpec {
            dest: parse_dest(address)?,
            format: Format::Rfc3164,
            facility: fac as u8,
            max_level: level
                .as_deref()
                .and_then(Level::parse)
                .unwrap_or(Level::Debug),
            min_level: min_level
                .as_deref()
                .and_then(Level::parse)
                .unwrap_or(Level::Emerg),
            maxlen: 1024,
            sample: None,
        };
        for o in options {
            let bad = || LogTargetError::BadOption(address.clone(), o.clone());
            let (k, v) = o.split_once(' ').ok_or_else(bad)?;
            match k {
                "len" => spec.maxlen = v.parse().map_err(|_| bad())?,
                "format" => spec.format = Format::parse(v).ok_or_else(bad)?,
                "sample" => spec.sample = Some(Sample::parse(v).ok_or_else(bad)?),
                _ => return Err(bad()),
            }
        }
        Ok(Some(spec))
    }

    /// The level to send `level` at, None if filtered out.
    pub fn effective_level(&self, level: Level) -> Option<Level> {
        if level > self.max_level {
            return None;
        }
        Some(level.max(self.min_level))
    }
}

/// Resolves a proxy's `log` lines: `log global` expands to the global
/// targets; an empty list (or `no log`, which the IR leaves empty) sends
/// nothing.
pub fn resolve_specs(
    global: &Global,
    proxy_log: &[LogTarget],
) -> Result<Vec<TargetSpec>, LogTargetError> {
    let mut out = Vec::new();
    for t in proxy_log {
        match t {
            LogTarget::Global => {
                for g in &global.log {
                    if let Some(s) = TargetSpec::from_ir(g)? {
                        out.push(s);
                    }
                }
            }
            t => {
                if let Some(s) = TargetSpec::from_ir(t)? {
                    out.push(s);
                }
            }
        }
    }
    Ok(out)
}

enum Sock {
    Udp(UdpSocket, SocketAddr),
    Ring(String),
    Unix(UnixDatagram, String),
    Stdout,
    Stderr,
}

struct Target {
    spec: TargetSpec,
    sock: Sock,
    counter: AtomicU64,
}

/// Live senders for one proxy (or for the process-wide messages).
pub struct LogTargets {
    targets: Vec<Target>,
    pub identity: Identity,
    dropped: AtomicU64,
    stdout_lock: Mutex<()>,
}

impl std::fmt::Debug for LogTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogTargets")
            .field("targets", &self.targets.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl LogTargets {
    /// Opens non-blocking sockets for `specs`.
    pub fn open(specs: Vec<TargetSpec>, identity: Identity) -> Result<Self, LogTargetError> {
        let mut targets = Vec::new();
        for spec in specs {
            let io =
                |e: std::io::Error| LogTargetError::Io(format!("{:?}", spec.dest), e.to_string());
            let sock = match &spec.dest {
                Dest::Udp(a) => {
                    let bind: SocketAddr = if a.is_ipv4() {
                        ([0, 0, 0, 0], 0).into()
                    } else {
                        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                    };
                    let s = UdpSocket::bind(bind).map_err(io)?;
                    s.set_nonblocking(true).map_err(io)?;
                    Sock::Udp(s, *a)
                }
                Dest::Unix(p) => {
                    let s = UnixDatagram::unbound().map_err(io)?;
                    s.set_nonblocking(true).map_err(io)?;
                    Sock::Unix(s, p.clone())
                }
                Dest::Ring(name) => Sock::Ring(name.clone()),
                Dest::Stdout => Sock::Stdout,
                Dest::Stderr => Sock::Stderr,
            };
            targets.push(Target {
                spec,
                sock,
                counter: AtomicU64::new(0),
            });
        }
        Ok(LogTargets {
            targets,
            identity,
            dropped: AtomicU64::new(0),
            stdout_lock: Mutex::new(()),
        })
    }

    /// The `Identity` HAProxy would use with this global section.
    pub fn identity_from(global: &Global) -> Identity {
        Identity {
            hostname: global
                .log_send_hostname
                .clone()
                .map(|h| if h.is_empty() { system_hostname() } else { h }),
            tag: global.log_tag.clone().unwrap_or_else(|| "haproxy".into()),
            pid: std::process::id(),
            tz_offset_secs: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Messages dropped because a socket would have blocked or failed.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Sends `msg` at `level` to every target that accepts it. Never blocks.
    pub fn send(&self, level: Level, msg: &str, now_us: i64) {
        self.send_sd(level, None, msg, now_us);
    }

    /// [`Self::send`] with rfc5424 structured data.
    pub fn send_sd(&self, level: Level, sd: Option<&str>, msg: &str, now_us: i64) {
        for t in &self.targets {
            let Some(lvl) = t.spec.effective_level(level) else {
                continue;
            };
            if let Some(s) = &t.spec.sample {
                let n = t.counter.fetch_add(1, Ordering::Relaxed);
                if !s.keep(n) {
                    continue;
                }
            }
            if let Sock::Ring(name) = &t.sock {
                if !self.to_ring(name, t.spec.facility, lvl, sd, msg, now_us) {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
                continue;
            }
            let bytes = frame(
                t.spec.format,
                t.spec.facility,
                lvl,
                &self.identity,
                now_us,
                sd,
                msg,
                t.spec.maxlen,
            );
            let ok = match &t.sock {
                Sock::Ring(_) => true,
                Sock::Udp(s, a) => s.send_to(&bytes, a).is_ok(),
                Sock::Unix(s, p) => s.send_to(&bytes, p).is_ok(),
                Sock::Stdout | Sock::Stderr => {
                    let _g = self.stdout_lock.lock();
                    if matches!(t.sock, Sock::Stdout) {
                        std::io::stdout().write_all(&bytes).is_ok()
                    } else {
                        std::io::stderr().write_all(&bytes).is_ok()
                    }
                }
            };
            if !ok {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl LogTargets {
    /// Stores a line in ring `name`, in the ring's format and length (measured on
    /// HAProxy 2.6.12: an rfc3164 or rfc5424 ring without `log-send-hostname` names
    /// the host `localhost`). False when the ring is gone.
    fn to_ring(
        &self,
        name: &str,
        facility: u8,
        level: Level,
        sd: Option<&str>,
        msg: &str,
        now_us: i64,
    ) -> bool {
        let Some(ring) = super::ring::get(name) else {
            return false;
        };
        let mut id = self.identity.clone();
        if id.hostname.is_none() {
            id.hostname = Some("localhost".into());
        }
        let mut line = frame(
            ring.format,
            facility,
            level,
            &id,
            now_us,
            sd,
            msg,
            ring.maxlen,
        );
        line.pop();
        ring.push(line);
        true
    }
}

fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Current time in microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Server, health and proxy texts HAProxy 2.6.12 logs (measured, see the
/// tests), with the level each is sent at.
pub mod messages {
    use super::Level;

    /// The reason part shared by the check messages:
    /// `Layer4 connection problem, info: "Connection refused", check duration: 0ms`.
    pub fn check_reason(reason: &str, info: Option<&str>, duration_ms: u64) -> String {
        let info = info.map(|i| format!(", info: \"{i}\"")).unwrap_or_default();
        format!("{reason}{info}, check duration: {duration_ms}ms")
    }

    /// With `option log-health-checks`, each check result that changes the
    /// health counter (level notice):
    /// `Health check for server be/s1 failed, reason: <check_reason>, status: 0/1 DOWN.`
    /// `health/of state` is HAProxy's: while DOWN (after this result),
    /// `health` successes so far out of `rise`; while UP, remaining
    /// failures allowed (`health - rise + 1`) out of `fall`. Measured with
    /// rise 2 fall 2: `1/2 DOWN`, `2/2 UP`, then failures `1/2 UP`, `0/2 DOWN`.
    pub fn health_check(
        backend: &str,
        server: &str,
        ok: bool,
        check_reason: &str,
        health: u32,
        of: u32,
        up: bool,
    ) -> (Level, String) {
        (
            Level::Notice,
            format!(
                "Health check for server {backend}/{server} {}, reason: {check_reason}, status: {health}/{of} {}.",
                if ok { "succeeded" } else { "failed" },
                if up { "UP" } else { "DOWN" }
            ),
        )
    }

    /// Level alert. `check_reason` is None under `option log-health-checks`
    /// (the health-check line carries it).
    #[allow(clippy::too_many_arguments)]
    pub fn server_down(
        backend: &str,
        server: &str,
        check_reason: Option<&str>,
        active: u32,
        backup: u32,
        sessions: u64,
        requeued: u64,
        queued: u64,
    ) -> (Level, String) {
        let reason = check_reason
            .map(|r| format!(", reason: {r}"))
            .unwrap_or_default();
        (
            Level::Alert,
            format!(
                "Server {backend}/{server} is DOWN{reason}. {active} active and {backup} backup servers left. {sessions} sessions active, {requeued} requeued, {queued} remaining in queue."
            ),
        )
    }

    /// Level notice.
    pub fn server_up(
        backend: &str,
        server: &str,
        check_reason: Option<&str>,
        active: u32,
        backup: u32,
        requeued: u64,
        queued: u64,
    ) -> (Level, String) {
        let reason = check_reason
            .map(|r| format!(", reason: {r}"))
            .unwrap_or_default();
        (
            Level::Notice,
            format!(
                "Server {backend}/{server} is UP{reason}. {active} active and {backup} backup servers online. {requeued} sessions requeued, {queued} total in queue."
            ),
        )
    }

    /// Level emerg.
    pub fn no_server(backend: &str) -> (Level, String) {
        (
            Level::Emerg,
            format!("backend {backend} has no server available!"),
        )
    }

    /// At soft stop, per proxy (level warning). HAProxy 2.6 also logs its
    /// internal `<HTTPCLIENT>` proxy last.
    pub fn proxy_stopped(name: &str, fe_conns: u64, be_conns: u64) -> (Level, String) {
        (
            Level::Warning,
            format!("Proxy {name} stopped (cumulated conns: FE: {fe_conns}, BE: {be_conns})."),
        )
    }
}
