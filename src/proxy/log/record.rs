//! What one transaction (HTTP) or session (TCP) leaves for its log line.
//!
//! Timers follow HAProxy 2.6 (configuration.html section 8.4), all in
//! milliseconds, -1 when the step was never reached:
//! - `th`: accept -> end of the handshake (TLS/PROXY); 0 without one.
//! - `ti`: end of handshake -> first byte of the request (keep-alive idle).
//! - `tr_req` (`%TR`): first byte of the request -> full request head.
//! - `tw`: time in queues (server and backend), `tc`: TCP connect to the
//!   server, `tr` (`%Tr`): request sent -> full response head.
//! - `ta`: request start (accept + Th + Ti) -> last byte sent to the client.
//! - `tt`: accept -> session closed (both sides).
//!
//! `%Tq` = Th + Ti + TR, `%Td` = Tt - (Tq + Tw + Tc + Tr), `%Tu` = Tt - Ti;
//! they are derived at render time (see [`LogRecord::tq`]).
//!
//! Where the engine fills what (HTTP; TCP skips the request steps):
//! - accept: `accept_date_ms`, `client`, `frontend_addr`, `frontend_name`,
//!   `frontend_ssl`, `actconn`/`feconn` (after counting this one), `pid`,
//!   `hostname`, `mode`; captures vectors sized to the `capture` lines.
//! - TLS/PROXY header done: `th`. First request byte: `ti` (per request on
//!   keep-alive: idle since the previous response). Count every received
//!   byte in `bytes_in`, even of an incomplete request (dontlognull).
//! - request head parsed: `tr_req`, `request_line` (as received), request
//!   captures, `unique_id`. Errors here: leave `backend_name`/`server_name`
//!   None, `req_captures`/`res_captures` None, `status` 400/408, `term`
//!   `PR`/`CR`/`cR`, `bytes_out` 0 (HAProxy 2.6 logs 0 for these).
//! - backend chosen: `backend_name`; server chosen: `server_name`,
//!   `server_addr`; out of the queue: `tw` (0 when not queued), `srv_queue`,
//!   `backend_queue` as seen when queued; connected: `tc`, `backend_src`,
//!   `retries`, `redispatched`; `beconn`/`srv_conn` at log time.
//! - response head: `tr`, `status`, response captures, `cookie_state`.
//! - end: `ta`, `tt`, `bytes_out` (all bytes sent to the client, headers
//!   included), `term` (cause, phase) as in HAProxy's section 8.5.
//!   Error responses produced by tandem itself (503 no server, 504) keep the
//!   timers reached so far (`0/-1/-1/-1/0 503 ... SC--`).

use std::net::SocketAddr;
use std::sync::Arc;

use crate::ir::haproxy::ProxySettings;

/// The proxy mode as seen by the log (selects `%ts` vs `%tsc` semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Tcp,
    Http,
}

/// One log line's data. `Default` gives the "nothing happened yet" state:
/// every timer -1, termination `--`, cookie state `--`.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub mode: Mode,
    /// Client (`%ci %cp`), address the client reached (`%fi %fp`).
    pub client: Option<SocketAddr>,
    pub frontend_addr: Option<SocketAddr>,
    /// Our address towards the server (`%bi %bp`) and the server's (`%si %sp`).
    pub backend_src: Option<SocketAddr>,
    pub server_addr: Option<SocketAddr>,
    pub frontend_name: String,
    /// True when the listener is TLS: `%ft` gets a `~` suffix.
    pub frontend_ssl: bool,
    /// The backend; HAProxy logs the frontend's name when no backend was chosen.
    pub backend_name: Option<Arc<str>>,
    /// `None` logs `<NOSRV>`; applets use `<STATS>`, `<CACHE>`, ... here.
    pub server_name: Option<Arc<str>>,
    /// Accept date, milliseconds since the Unix epoch.
    pub accept_date_ms: i64,
    /// A fixed local time offset from UTC in seconds (for `%t`, `%tr`, `%Tl`; tests);
    /// `None`: the local zone at the record's dates ([`super::tz`]).
    pub tz_offset_secs: Option<i32>,
    pub th: i64,
    pub ti: i64,
    pub tr_req: i64,
    pub tw: i64,
    pub tc: i64,
    pub tr: i64,
    pub ta: i64,
    pub tt: i64,
    /// `option logasap`: the line is emitted before the end; `%Ta`, `%Tt`,
    /// `%B` get a `+` prefix.
    pub logasap: bool,
    /// HTTP status (`%ST`); 0 in TCP mode (measured).
    pub status: i32,
    /// Bytes sent to the client (`%B`) and received from it (`%U`).
    pub bytes_out: u64,
    pub bytes_in: u64,
    /// Captured request/response header values, one per `capture` line,
    /// `None` when that header was absent. `None` for the whole vector when
    /// no stream existed (early error): `%hr`/`%hrl` then print nothing.
    pub req_captures: Option<Vec<Option<String>>>,
    pub res_captures: Option<Vec<Option<String>>>,
    /// Captured cookies (`capture cookie`): `%CC`, `%CS`.
    pub captured_req_cookie: Option<String>,
    pub captured_res_cookie: Option<String>,
    /// Termination state: `[cause, phase]`, e.g. `*b"--"`, `*b"SC"`, `*b"cR"`.
    pub term: [u8; 2],
    /// Persistence cookie state (`%tsc` chars 3 and 4), HTTP only.
    pub cookie_state: [u8; 2],
    pub actconn: u64,
    pub feconn: u64,
    /// The first record of its client connection: the frontend's session and
    /// connection counters (`stot`, `conn_tot`, the rates) count the connection once,
    /// not each keep-alive request or HTTP/2 stream.
    pub new_conn: bool,
    pub beconn: u64,
    pub srv_conn: u64,
    pub retries: u32,
    /// The connection was redispatched: `%rc` gets a `+` prefix.
    pub redispatched: bool,
    pub srv_queue: u64,
    pub backend_queue: u64,
    /// Global request counter (`%rt`) and log counter (`%lc`).
    pub request_counter: u64,
    pub log_counter: u64,
    /// The request line as received (`%r`); `None` logs `<BADREQ>`.
    pub request_line: Option<String>,
    /// `%ID`: the unique id (unique-id-format), if generated.
    pub unique_id: Option<String>,
    pub ssl_version: Option<String>,
    pub ssl_cipher: Option<String>,
    /// `%H`: the host name (log-send-hostname value or the system name).
    pub hostname: String,
    pub pid: u32,
    /// Force the error classification (e.g. `http-request set-log-level err`
    /// is handled by the caller; this is for other engine-known errors).
    pub is_error: bool,
    /// For the stats (`Registry::account`): indexes in the engine's frontend and
    /// backend lists and in the backend's server list, when known.
    pub frontend_idx: Option<usize>,
    pub backend_idx: Option<usize>,
    pub server_idx: Option<usize>,
    /// The response (or error page) was produced by the proxy itself, not a server
    /// (deny, redirect, return, 503 without server, 504...).
    pub local_reply: bool,
}

impl Default for LogRecord {
    fn default() -> Self {
        LogRecord {
            mode: Mode::Tcp,
            client: None,
            frontend_addr: None,
            backend_src: None,
            server_addr: None,
            frontend_name: String::new(),
            frontend_ssl: false,
            backend_name: None,
            server_name: None,
            accept_date_ms: 0,
            tz_offset_secs: None,
            th: 0,
            ti: 0,
            tr_req: -1,
            tw: -1,
            tc: -1,
            tr: -1,
            ta: -1,
            tt: -1,
            logasap: false,
            status: 0,
            bytes_out: 0,
            bytes_in: 0,
            req_captures: None,
            res_captures: None,
            captured_req_cookie: None,
            captured_res_cookie: None,
            term: *b"--",
            cookie_state: *b"--",
            actconn: 0,
            feconn: 0,
            new_conn: true,
            beconn: 0,
            srv_conn: 0,
            retries: 0,
            redispatched: false,
            srv_queue: 0,
            backend_queue: 0,
            request_counter: 0,
            log_counter: 0,
            request_line: None,
            unique_id: None,
            ssl_version: None,
            ssl_cipher: None,
            hostname: String::new(),
            pid: process_id(),
            is_error: false,
            frontend_idx: None,
            backend_idx: None,
            server_idx: None,
            local_reply: false,
        }
    }
}

/// The process id, read once: `std::process::id()` is a getpid system call, and every
/// transaction builds records (3 calls per HTTP/2 request before this).
fn process_id() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

fn sum_or_neg(parts: &[i64]) -> i64 {
    if parts.iter().any(|&t| t < 0) {
        -1
    } else {
        parts.iter().sum()
    }
}

impl LogRecord {
    /// `%Tq` = Th + Ti + TR, -1 if the request never completed.
    pub fn tq(&self) -> i64 {
        sum_or_neg(&[self.th, self.ti, self.tr_req])
    }

    /// `%Td`: data transfer time, -1 when any earlier step is missing. In
    /// TCP mode the data phase starts once connected (Tt - (Th + Tw + Tc)).
    pub fn td(&self) -> i64 {
        let head = match self.mode {
            Mode::Http => sum_or_neg(&[self.tq(), self.tw, self.tc, self.tr]),
            Mode::Tcp => sum_or_neg(&[self.th, self.tw, self.tc]),
        };
        if head < 0 || self.tt < 0 {
            -1
        } else {
            self.tt - head
        }
    }

    /// `%Tu`: total time without the idle time.
    pub fn tu(&self) -> i64 {
        if self.tt < 0 {
            -1
        } else {
            self.tt - self.ti.max(0)
        }
    }

    /// Request date (`%tr`): accept date + Th + Ti.
    pub fn request_date_ms(&self) -> i64 {
        self.accept_date_ms + self.th.max(0) + self.ti.max(0)
    }

    /// The backend name as logged: the frontend's when none was chosen.
    pub fn backend_logged(&self) -> &str {
        self.backend_name.as_deref().unwrap_or(&self.frontend_name)
    }

    pub fn server_logged(&self) -> &str {
        self.server_name.as_deref().unwrap_or("<NOSRV>")
    }

    /// HAProxy's "error" classification for `option log-separate-errors` and
    /// `dontlog-normal` (2.6 `strm_log`): a termination cause other than
    /// `-`/`L`, a redispatch, any retry, or an HTTP status >= 500. Measured:
    /// a `200 ---- +1` (redispatched) line is sent at level err.
    pub fn is_error_log(&self) -> bool {
        self.is_error
            || !matches!(self.term[0], b'-' | b'L')
            || self.redispatched
            || self.retries > 0
            || (self.mode == Mode::Http && self.status >= 500)
    }
}

/// The log-related proxy options, read once from the IR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub dontlognull: bool,
    pub dontlog_normal: bool,
    pub log_separate_errors: bool,
    pub log_health_checks: bool,
    pub logasap: bool,
}

impl LogOptions {
    pub fn from_settings(s: &ProxySettings) -> Self {
        let on = |n: &str| s.option(n).is_some_and(|o| o.enabled);
        LogOptions {
            dontlognull: on("dontlognull"),
            dontlog_normal: on("dontlog-normal"),
            log_separate_errors: on("log-separate-errors"),
            log_health_checks: on("log-health-checks"),
            logasap: on("logasap"),
        }
    }

    /// The syslog level of a traffic log line: `info`, or `err` for errors
    /// under `option log-separate-errors` (HAProxy: LOG_INFO / LOG_ERR).
    pub fn level(&self, rec: &LogRecord) -> super::syslog::Level {
        if self.log_separate_errors && rec.is_error_log() {
            super::syslog::Level::Err
        } else {
            super::syslog::Level::Info
        }
    }
}

/// Whether this transaction is logged at all.
///
/// `dontlognull`: a connection that sent no byte at all (`bytes_in == 0`)
/// and got no response is not logged (HAProxy: "null" connections, the
/// `CR--` 400 / `cR--` 408 of port probes). `dontlog-normal`: only errors
/// are logged.
pub fn should_log(opts: &LogOptions, rec: &LogRecord) -> bool {
    if opts.dontlognull && rec.bytes_in == 0 && rec.request_line.is_none() {
        return false;
    }
    if opts.dontlog_normal && !rec.is_error_log() {
        return false;
    }
    true
}
