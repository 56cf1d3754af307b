//! Backends at run time: server choice, connect with retries, server connection pool.
//!
//! Public API:
//! - [`Backend::connect`] (TCP mode and simple uses): balance (queueing with `timeout
//!   queue`, then 503), connect with `timeout connect`, `retries`, `option redispatch`, and
//!   a connection slot ([`Slot`]) held as long as the [`ServerConn`] lives.
//! - [`Backend::connect_with`] (HTTP): the same, plus a forced server (persistence,
//!   `use-server`), the client connection's idle server connections ([`IdleConns`]) and
//!   `http-reuse` semantics.
//! - [`Backend::set_server_state`]: health-check / admin state changes.
//! - [`Backend::connect_stream_with`] gives [`ServerStream`]s: TLS to `ssl` servers, and
//!   for `proto h2` / `alpn h2` servers a transaction on a shared h2 connection
//!   ([`h2`]), still HTTP/1.1 to the session. `sni <expr>` values come from
//!   [`Backend::eval_sni`] in [`ConnectOpts::sni`]; connections are reused only for the
//!   same SNI.
//!
//! A slot is HAProxy's `served` count: one per stream (per HTTP transaction), released when
//! the transaction ends even if the server connection stays open for reuse.

pub mod h2;
pub mod stick;
pub mod stream;

pub use stream::{ServerIo, ServerStream, ServerTlsCfg};

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::ir::haproxy as ir;
use crate::ir::haproxy::expr::ServerKind;
use crate::proxy::balance::queue::{Assignment, Dispatcher, QueueEffects};
use crate::proxy::balance::{Algorithm, RequestInfo, ServerIdx, ServerState};
use crate::proxy::engine::{ForwardFor, Mode, Timeouts, conn_mode_of};
use crate::proxy::http::h1::ConnMode;

/// Why a backend cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Balance(#[from] crate::proxy::balance::from_ir::FromIrError),
    #[error(transparent)]
    Cookie(#[from] crate::proxy::persist::CookieError),
    #[error("server '{0}': cannot resolve address '{1}'")]
    Resolve(String, String),
    #[error("server '{server}': sni '{expr}': {message}")]
    Sni {
        server: String,
        expr: String,
        message: String,
    },
    #[error("server '{server}': {source}")]
    Tls {
        server: String,
        source: crate::proxy::tls::TlsError,
    },
}

/// Why no server connection could be made (HAProxy answers 503 in HTTP mode for all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// No usable server (all down, or none configured).
    #[error("no server available")]
    NoServer,
    /// The server's queue is at `maxqueue`.
    #[error("server queue full")]
    QueueFull,
    /// `timeout queue` expired.
    #[error("queue timeout")]
    QueueTimeout,
    /// Every connection attempt (1 + `retries`) failed.
    #[error("connection failed: {0}")]
    Failed(Failure),
}

/// The last connection attempt that failed: HAProxy logs its server (`be/s9`, not
/// `<NOSRV>`) and counts the failure on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Failure {
    /// Index of the server in the backend's server list.
    pub server: usize,
    pub error: String,
    /// It ran into `timeout connect` (HAProxy logs `sC`, not `SC`).
    pub timeout: bool,
}

/// `http-reuse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reuse {
    Never,
    #[default]
    Safe,
    Aggressive,
    Always,
}

impl Reuse {
    fn parse(s: Option<&str>) -> Self {
        match s {
            Some("never") => Reuse::Never,
            Some("aggressive") => Reuse::Aggressive,
            Some("always") => Reuse::Always,
            _ => Reuse::Safe,
        }
    }
}

/// Where a server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerAddr {
    Fixed(SocketAddr),
    /// No port or `+N`/`-N`: the port the client connected to, plus the offset.
    Relative {
        ip: IpAddr,
        offset: i32,
    },
}

/// A server line at run time.
#[derive(Debug)]
pub struct ServerRt {
    pub name: Arc<str>,
    /// Index in the backend's server list (the balancer's index).
    pub idx: usize,
    /// Index in `proxy.servers` of the IR (which also holds `default-server` lines; the
    /// health checks report this one).
    pub ir_idx: usize,
    /// The address from the configuration; [`ServerRt::current_addr`] is the one in use.
    pub addr: ServerAddr,
    /// The address in use: `set server B/S addr` changes it at run time.
    cur_addr: std::sync::RwLock<ServerAddr>,
    pub backup: bool,
    /// `cookie` value for persistence.
    pub cookie: Option<String>,
    /// HAProxy's server id (`id` or the lowest free one): what stick tables store.
    pub puid: u32,
    /// `non-stick`: stick store rules do not store this server.
    pub non_stick: bool,
    pub ir: ir::expr::Server,
    /// `ssl`: the TLS client side, built by [`Backend::setup_tls`] (or on first use
    /// with the global defaults when the engine did not call it).
    tls: std::sync::OnceLock<Option<ServerTlsCfg>>,
    /// `proto h2` / `alpn h2`: h2 to the server (HTTP mode).
    pub h2: h2::H2Mode,
    /// An `sni` expression that is not a constant: its index in
    /// [`Backend::sni_exprs`] (the session evaluates them per request).
    pub sni_expr: Option<usize>,
    /// The retries that tried this server (`wretr`, `wredis`, per attempt).
    pub retry: crate::proxy::stats::RetryCounters,
    /// Its idle pool settings.
    pub pool: PoolLimits,
}

impl ServerRt {
    /// The TLS client side of an `ssl` server (`None`: plain TCP). Built by
    /// [`Backend::setup_tls`]; without that call, built here on first use with the
    /// global defaults of an empty `global` section.
    pub fn tls(&self) -> Option<&ServerTlsCfg> {
        self.tls
            .get_or_init(|| {
                stream::server_tls(&ir::Global::default(), &self.ir)
                    .ok()
                    .flatten()
            })
            .as_ref()
    }

    /// The address in use (the configured one until `set server B/S addr`).
    pub fn current_addr(&self) -> ServerAddr {
        *self.cur_addr.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the address new connections go to (`set server B/S addr`).
    pub fn set_addr(&self, addr: ServerAddr) {
        *self.cur_addr.write().unwrap_or_else(|e| e.into_inner()) = addr;
    }

    /// The address to connect to for a client that connected to `local`.
    pub fn dest(&self, local: Option<SocketAddr>) -> SocketAddr {
        match self.current_addr() {
            ServerAddr::Fixed(a) => a,
            ServerAddr::Relative { ip, offset } => {
                let base = local.map_or(0, |l| i32::from(l.port()));
                SocketAddr::new(ip, (base + offset).clamp(0, 65535) as u16)
            }
        }
    }
}

/// What a queued request is woken with.
#[derive(Debug)]
enum Wake {
    Granted(ServerIdx),
    /// Its server went down with `option redispatch`: balance again.
    Redispatch,
}

#[derive(Debug)]
struct State {
    disp: Dispatcher,
    waiters: std::collections::HashMap<u64, oneshot::Sender<Wake>>,
    rng: u32,
}

/// A server connection kept open for reuse.
#[derive(Debug)]
struct Idle {
    stream: ServerStream,
    since: Instant,
    /// The worker thread whose event loop the socket is registered with.
    thread: usize,
}

/// How long an idle server connection is kept in the shared pool: HAProxy's purge task
/// runs every `pool-purge-delay` (default 5s) and closes a lone idle connection at its
/// third run (measured with 2.6.12: kept after 11 s idle by default; with 300 ms, kept
/// after 620 ms, closed after 800 ms in 2 runs of 4, after 1.5 s always); 2.5 delays
/// is the middle of that window.
const IDLE_MAX_AGE: Duration = Duration::from_millis(12_500);
/// Idle connections kept per server in the shared pool.
const IDLE_MAX_PER_SERVER: usize = 256;

/// A server's idle pool settings (`pool-max-conn`, `pool-purge-delay`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Idle connections the shared pool keeps (`pool-max-conn`, -1: no limit of its own;
    /// 0: a connection is closed at the end of its transaction, measured).
    pub max: usize,
    /// How long an idle connection is kept (2.5 `pool-purge-delay`s, see
    /// [`IDLE_MAX_AGE`]; 0: none is kept, measured).
    pub max_age: Duration,
}

impl PoolLimits {
    /// From the server's keywords (the last one wins, `default-server` ones included).
    pub fn of(sv: &ir::expr::Server) -> Self {
        let mut lim = PoolLimits {
            max: IDLE_MAX_PER_SERVER,
            max_age: IDLE_MAX_AGE,
        };
        for (k, v) in &sv.opts.other {
            let v = v.as_deref().unwrap_or("");
            match k.as_str() {
                "pool-max-conn" => {
                    if let Ok(n) = v.parse::<i64>() {
                        lim.max = usize::try_from(n)
                            .map_or(IDLE_MAX_PER_SERVER, |n| n.min(IDLE_MAX_PER_SERVER));
                    }
                }
                "pool-purge-delay" => {
                    if let Ok(ms) = crate::config::haproxy::parser::util::parse_time(v, 1) {
                        lim.max_age = Duration::from_millis(ms.saturating_mul(5) / 2);
                    }
                }
                _ => {}
            }
        }
        lim
    }

    /// Whether the pool keeps idle connections at all.
    fn keeps(&self) -> bool {
        self.max > 0 && !self.max_age.is_zero()
    }
}

/// A server's idle connections in HAProxy's two lists, each oldest first: `safe` (the
/// last request was not the first of its client connection) and the others.
#[derive(Debug, Default)]
struct IdleLists {
    safe: VecDeque<Idle>,
    idle: VecDeque<Idle>,
}

impl IdleLists {
    fn len(&self) -> usize {
        self.safe.len() + self.idle.len()
    }

    fn expire(&mut self, now: Instant, max_age: Duration) {
        expire_idle(&mut self.safe, now, max_age);
        expire_idle(&mut self.idle, now, max_age);
    }
}

/// Drops a server's idle connections older than `max_age`. They are pushed in age
/// order, so the expired ones are the head of the list: the scan stops at the first
/// fresh one (checking every entry was ~10% of the instructions of an h2 request).
fn expire_idle(list: &mut VecDeque<Idle>, now: Instant, max_age: Duration) {
    let fresh = list
        .iter()
        .position(|i| now.duration_since(i.since) < max_age)
        .unwrap_or(list.len());
    list.drain(..fresh);
}

/// A backend (or the backend half of a `listen` section).
#[derive(Debug)]
pub struct Backend {
    pub name: String,
    /// The name, shared (per-request copies without allocating).
    pub name_arc: Arc<str>,
    pub mode: Mode,
    pub ir: ir::Proxy,
    pub timeouts: Timeouts,
    /// `retries`, default 3.
    pub retries: u32,
    /// `option redispatch [interval]`: `Some(interval)` (HAProxy's default -1: the last
    /// retry).
    pub redispatch: Option<i32>,
    /// `retry-on` (default `conn-failure`).
    pub retry_on: crate::proxy::rules::retry::RetryOn,
    pub conn_mode: ConnMode,
    pub forwardfor: Option<ForwardFor>,
    pub originalto: Option<ForwardFor>,
    pub abortonclose: bool,
    pub reuse: Reuse,
    /// `option prefer-last-server`.
    pub prefer_last_server: bool,
    /// Append-only (`add server`), indexes never reused: see
    /// [`crate::proxy::balance::slots`] for the design.
    pub servers: crate::proxy::balance::slots::AppendVec<ServerRt>,
    /// The algorithm uses headers (hdr/hash/url_param check_post...): the session must
    /// fill [`RequestInfo::headers`].
    pub needs_headers: bool,
    /// The algorithm is deterministic (hash-based): immediate redispatch on retry is off.
    hashed: bool,
    state: Mutex<State>,
    // a deque: the oldest is taken first (a `Vec` shifted the whole list per request)
    idle: Mutex<Vec<IdleLists>>,
    /// The h2 server connections, shared by the transactions of every client.
    h2: h2::Pool,
    next_id: AtomicU64,
    /// Requests answered 503 because no server was available, for stats.
    pub failed_conns: AtomicU64,
    /// Every retry of the backend (`wretr`, `wredis`, per attempt).
    pub retry: crate::proxy::stats::RetryCounters,
    /// Compiled HTTP rules (set by the engine).
    pub rules: Option<crate::proxy::rules::HttpRules>,
    /// Error pages (set by the engine).
    pub errors: crate::proxy::http::errors::ErrorPages,
    /// `cookie NAME ...` persistence.
    pub cookie: Option<crate::proxy::persist::CookieConfig>,
    /// `option persist`: a cookie designating a DOWN server is still honoured.
    pub option_persist: bool,
    /// `stick on|match|store-*` rules (set by the engine).
    pub stick_rules: Vec<stick::StickRule>,
    /// `balance hash <expr>`: the expression (set by the engine); the session passes its
    /// value as the hash key.
    pub hash_expr: Option<crate::proxy::acl::CompiledSample>,
    /// The servers' `sni` expressions that need the request (`req.hdr(host)`,
    /// `ssl_fc_sni`...), each once: see [`Backend::eval_sni`].
    pub sni_exprs: Vec<(String, crate::proxy::acl::CompiledSample)>,
    /// `observe layer4|layer7`: told of every connection attempt and HTTP response of
    /// the servers (set by the engine, see `checks::observe`).
    pub observer: std::sync::OnceLock<crate::proxy::checks::observe::Observer>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent-enough counters; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Backend {
    pub fn from_ir(p: &ir::Proxy, base_dir: &Path) -> Result<Backend, BackendError> {
        let _ = base_dir;
        let s = &p.settings;
        let bal = crate::proxy::balance::from_ir::balancer_for(p)?;
        let redispatch = s.option("redispatch").filter(|o| o.enabled).map(|o| {
            o.args
                .first()
                .and_then(|a| a.parse::<i32>().ok())
                .filter(|n| *n != 0)
                .unwrap_or(-1)
        });
        let disp = Dispatcher::new(bal).with_redispatch(redispatch.is_some());
        let algorithm = disp.balancer.config().algorithm.clone();
        let needs_headers = matches!(
            algorithm,
            Algorithm::Hdr { .. } | Algorithm::Hash { .. } | Algorithm::RdpCookie { .. }
        );
        let hashed = matches!(
            algorithm,
            Algorithm::Source
                | Algorithm::Uri { .. }
                | Algorithm::UrlParam { .. }
                | Algorithm::Hdr { .. }
                | Algorithm::Hash { .. }
                | Algorithm::RdpCookie { .. }
        );
        let mut servers = Vec::new();
        for (ir_idx, l) in p.servers.iter().enumerate() {
            let sv = &l.value;
            if sv.kind == ServerKind::DefaultServer {
                continue;
            }
            let addr = server_addr(sv)?;
            servers.push(ServerRt {
                name: Arc::from(sv.name.as_str()),
                idx: servers.len(),
                ir_idx,
                addr,
                cur_addr: std::sync::RwLock::new(addr),
                backup: sv.opts.backup,
                cookie: sv.opts.cookie.clone(),
                puid: 0,
                non_stick: sv.opts.non_stick,
                ir: sv.clone(),
                tls: std::sync::OnceLock::new(),
                h2: h2::H2Mode::of(sv),
                sni_expr: None,
                retry: Default::default(),
                pool: PoolLimits::of(sv),
            });
        }
        let n = servers.len();
        for (s, b) in servers.iter_mut().zip(disp.balancer.servers()) {
            s.puid = b.spec.puid;
        }
        Ok(Backend {
            name: p.name.clone(),
            name_arc: Arc::from(p.name.as_str()),
            mode: s.mode.unwrap_or(Mode::Tcp),
            ir: p.clone(),
            timeouts: Timeouts::from_ir(&s.timeouts),
            retries: s.retries.and_then(|r| u32::try_from(r).ok()).unwrap_or(3),
            redispatch,
            retry_on: crate::proxy::rules::retry::RetryOn::from_settings(s),
            conn_mode: conn_mode_of(s),
            forwardfor: ForwardFor::from_settings(s),
            originalto: ForwardFor::originalto(s),
            abortonclose: s.option("abortonclose").is_some_and(|o| o.enabled),
            reuse: Reuse::parse(s.http_reuse.as_deref()),
            prefer_last_server: s.option("prefer-last-server").is_some_and(|o| o.enabled),
            servers: servers.into(),
            needs_headers,
            hashed,
            state: Mutex::new(State {
                disp,
                waiters: Default::default(),
                rng: 0x2545_f491,
            }),
            idle: Mutex::new((0..n).map(|_| IdleLists::default()).collect()),
            h2: h2::Pool::new(n),
            next_id: AtomicU64::new(1),
            failed_conns: AtomicU64::new(0),
            retry: Default::default(),
            rules: None,
            errors: Default::default(),
            cookie: match &s.cookie {
                Some(c) => Some(crate::proxy::persist::CookieConfig::from_ir(c)?),
                None => None,
            },
            option_persist: s.option("persist").is_some_and(|o| o.enabled),
            stick_rules: Vec::new(),
            hash_expr: None,
            sni_exprs: Vec::new(),
            observer: std::sync::OnceLock::new(),
        })
    }

    /// Builds the TLS side of the `ssl` servers with the global `ssl-default-server-*`
    /// and `ssl-server-verify` settings. Returns what could not be applied exactly
    /// (warnings); an error is a configuration HAProxy rejects too.
    pub fn setup_tls(&mut self, global: &ir::Global) -> Result<Vec<String>, BackendError> {
        let notes = Vec::new();
        for s in self.servers.iter_mut() {
            let cfg = stream::server_tls(global, &s.ir).map_err(|e| BackendError::Tls {
                server: s.name.to_string(),
                source: e,
            })?;
            if let Some(c) = &cfg
                && c.sni_dynamic
                && let Some(expr) = s.ir.opts.sni.as_deref()
            {
                let pos = self.sni_exprs.iter().position(|(t, _)| t == expr);
                s.sni_expr = Some(match pos {
                    Some(i) => i,
                    None => {
                        let e =
                            compile_sni(expr, &self.name).map_err(|message| BackendError::Sni {
                                server: s.name.to_string(),
                                expr: expr.to_string(),
                                message,
                            })?;
                        self.sni_exprs.push((expr.to_string(), e));
                        self.sni_exprs.len() - 1
                    }
                });
            }
            s.tls = std::sync::OnceLock::from(cfg);
        }
        Ok(notes)
    }

    /// The values of the servers' `sni` expressions for one request, in the order of
    /// [`Backend::sni_exprs`] (`eval` gives an expression's value as text, `None` when
    /// the fetch finds nothing: no SNI is sent then, as in HAProxy). Empty when every
    /// `sni` is a constant. Pass the result in [`ConnectOpts::sni`].
    pub fn eval_sni(
        &self,
        mut eval: impl FnMut(&crate::proxy::acl::CompiledSample) -> Option<String>,
    ) -> Vec<Option<String>> {
        self.sni_exprs.iter().map(|(_, e)| eval(e)).collect()
    }

    /// The balancing algorithm.
    pub fn algorithm(&self) -> Algorithm {
        lock(&self.state).disp.balancer.config().algorithm.clone()
    }

    /// The algorithm takes servers added at run time (HAProxy's `BE_LB_PROP_DYN`: not
    /// static-rr nor the map-based hashes).
    /// `observe`: one connection attempt or HTTP response of server `si`.
    pub fn observe(&self, si: usize, h: crate::proxy::checks::observe::Hana) {
        if let Some(f) = self.observer.get() {
            f.call(si, h);
        }
    }

    pub fn dynamic_lb(&self) -> bool {
        let st = lock(&self.state);
        let cfg = st.disp.balancer.config();
        match cfg.algorithm {
            Algorithm::RoundRobin
            | Algorithm::LeastConn
            | Algorithm::First
            | Algorithm::Random { .. } => true,
            Algorithm::StaticRr => false,
            _ => cfg.hash.kind == crate::proxy::balance::HashKind::Consistent,
        }
    }

    /// The index of the server with HAProxy id `puid` (stick tables store ids).
    pub fn server_by_puid(&self, puid: i64) -> Option<usize> {
        self.servers.iter().position(|s| i64::from(s.puid) == puid)
    }

    /// The index of the server named `name`.
    pub fn server_index(&self, name: &str) -> Option<usize> {
        self.servers.iter().position(|s| &*s.name == name)
    }

    /// Server `i` can take new traffic (UP, weight > 0). Persistence checks this.
    pub fn server_usable(&self, i: usize) -> bool {
        lock(&self.state)
            .disp
            .balancer
            .servers()
            .get(i)
            .is_some_and(|s| s.currently_usable())
    }

    /// The servers as cookie persistence sees them (cookie value, not DOWN/maintenance).
    pub fn server_views(&self) -> Vec<crate::proxy::persist::ServerView<'_>> {
        let st = lock(&self.state);
        let srv = st.disp.balancer.servers();
        self.servers
            .iter()
            .enumerate()
            .map(|(i, s)| crate::proxy::persist::ServerView {
                cookie: s.cookie.as_deref(),
                up: srv.get(i).is_some_and(|b| {
                    !matches!(b.cur_state, ServerState::Down | ServerState::Maint)
                }),
            })
            .collect()
    }

    /// `option allbackups`.
    pub fn allbackups(&self) -> bool {
        lock(&self.state).disp.balancer.config().allbackups
    }

    /// Requests being served by the backend (`be_conn`).
    pub fn be_conn(&self) -> u32 {
        lock(&self.state).disp.balancer.pool_info().beconn
    }

    /// Requests being served by server `i` (`srv_conn`).
    pub fn served(&self, i: usize) -> Option<u32> {
        lock(&self.state)
            .disp
            .balancer
            .servers()
            .get(i)
            .map(|s| s.served)
    }

    /// Requests waiting in server `i`'s queue, or in the backend's own queue (`None`):
    /// the stats' `qcur`.
    pub fn queued(&self, i: Option<usize>) -> usize {
        let st = lock(&self.state);
        match i {
            Some(i) => st.disp.server_queue_len(i),
            None => st.disp.backend_queue_len(),
        }
    }

    /// Every queued request of the backend (its own queue and its servers'): HAProxy's
    /// `beconn` counts them with the served ones.
    pub fn queued_total(&self) -> usize {
        lock(&self.state).disp.total_queued()
    }

    /// Active and backup servers that can take traffic.
    pub fn usable_counts(&self) -> (usize, usize) {
        let st = lock(&self.state);
        let mut a = (0, 0);
        for s in st.disp.balancer.servers() {
            if s.currently_usable() {
                if s.spec.backup { a.1 += 1 } else { a.0 += 1 }
            }
        }
        a
    }

    /// Changes server `i`'s state (health checks, admin). Returns HAProxy's transition line
    /// prefix-less when the usable state changed (`None` otherwise). Woken queued requests
    /// proceed.
    pub fn set_server_state(&self, i: usize, state: ServerState, reason: &str) -> Option<String> {
        let mut st = lock(&self.state);
        let was = st.disp.balancer.servers().get(i)?.currently_usable();
        let served = st.disp.balancer.servers().get(i).map_or(0, |s| s.served);
        let fx = st.disp.set_state(i, state).ok()?;
        let now = st.disp.balancer.servers().get(i)?.currently_usable();
        let requeued = fx.redispatch.len();
        self.apply_effects(&mut st, fx);
        let remaining = st.disp.server_queue_len(i);
        drop(st);
        if was == now {
            return None;
        }
        let (act, bck) = self.usable_counts();
        let s = self.servers.get(i)?;
        let kind = if s.backup { "Backup Server" } else { "Server" };
        let updown = if now { "UP" } else { "DOWN" };
        let reason = if reason.is_empty() {
            String::new()
        } else if reason.starts_with(" via ") {
            // a `track`ing server: "Server b2/t1 is DOWN via be/s1. ..."
            reason.to_string()
        } else {
            format!(", reason: {reason}")
        };
        let on_backup = if bck > 0 && act == 0 {
            " Running on backup."
        } else {
            ""
        };
        Some(if now {
            format!(
                "{kind} {}/{} is {updown}{reason}. {act} active and {bck} backup servers online.{on_backup} {requeued} sessions requeued, {remaining} total in queue.",
                self.name, s.name
            )
        } else {
            format!(
                "{kind} {}/{} is {updown}{reason}. {act} active and {bck} backup servers left.{on_backup} {served} sessions active, {requeued} requeued, {remaining} remaining in queue.",
                self.name, s.name
            )
        })
    }

    /// Changes server `i`'s effective weight in the balancer (runtime `set weight`, the
    /// stats page): HAProxy's semantics, 0 = no new traffic; queued requests a change makes
    /// servable proceed.
    pub fn set_server_weight(
        &self,
        i: usize,
        weight: u32,
    ) -> Result<(), crate::proxy::balance::BalanceError> {
        let mut st = lock(&self.state);
        let fx = st.disp.set_weight(i, weight)?;
        self.apply_effects(&mut st, fx);
        Ok(())
    }

    /// `set maxconn server` (and the agent's `maxconn:N`): server `i`'s new limit (0:
    /// none); queued requests a higher limit makes room for proceed at once. An unknown
    /// index changes nothing.
    pub fn set_server_maxconn(&self, i: usize, maxconn: u32) {
        let mut st = lock(&self.state);
        let granted = st.disp.set_maxconn(i, maxconn).unwrap_or_default();
        for (id, s) in granted {
            self.grant(&mut st, id, s);
        }
    }

    /// Applies a state change's effect on the queues: granted requests proceed, requests
    /// to redispatch are woken to balance again.
    fn apply_effects(&self, st: &mut State, fx: QueueEffects) {
        for (id, srv) in fx.granted {
            self.grant(st, id, srv);
        }
        for id in fx.redispatch {
            if let Some(tx) = st.waiters.remove(&id) {
                let _ = tx.send(Wake::Redispatch);
            }
        }
    }

    /// Hands a slot on `srv` to queued request `id`; if that request is gone, the slot is
    /// released again (and may go to the next one).
    fn grant(&self, st: &mut State, id: u64, srv: ServerIdx) {
        let mut pending = vec![(id, srv)];
        while let Some((id, srv)) = pending.pop() {
            let delivered = match st.waiters.remove(&id) {
                Some(tx) => tx.send(Wake::Granted(srv)).is_ok(),
                None => false,
            };
            if !delivered {
                pending.extend(st.disp.release(srv));
            }
        }
    }

    fn release(&self, srv: ServerIdx) {
        let mut st = lock(&self.state);
        let granted = st.disp.release(srv);
        for (id, s) in granted {
            self.grant(&mut st, id, s);
        }
    }

    /// Takes a connection slot: balances, or waits in a queue up to `timeout queue`.
    /// `force`: a server chosen by persistence (`use-server`, cookie, stick table), used
    /// as long as it is usable (or `force_any` ignores its state: `option persist`,
    /// `force-persist`).
    pub async fn acquire(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        avoid: Option<ServerIdx>,
        force: Option<ServerIdx>,
    ) -> Result<Slot, ConnectError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let rx = {
            let mut st = lock(&self.state);
            if let Some(f) = force.filter(|f| *f < self.servers.len()) {
                // HAProxy queues on a persistent server that is full; keep it simple: a
                // forced server takes the slot directly when usable.
                let ok = st.disp.balancer.servers().get(f).is_some_and(|s| {
                    s.currently_usable()
                        || (self.option_persist && s.cur_state != ServerState::Maint)
                });
                if ok {
                    st.disp.balancer.take_conn(f);
                    return Ok(self.slot(f));
                }
            }
            let st = &mut *st;
            let mut rng = || {
                // xorshift32, HAProxy's statistical_prng
                let mut x = st.rng;
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                st.rng = x;
                x
            };
            let now = self.now_ms();
            match st.disp.assign(id, info, avoid, now, &mut rng) {
                Assignment::Server(s) => return Ok(self.slot(s)),
                Assignment::Full => return Err(ConnectError::QueueFull),
                Assignment::NoServer => return Err(ConnectError::NoServer),
                Assignment::QueuedOnServer(_) | Assignment::QueuedOnBackend => {
                    let (tx, rx) = oneshot::channel();
                    st.waiters.insert(id, tx);
                    rx
                }
            }
        };
        let mut guard = QueueGuard {
            be: self,
            id,
            armed: true,
        };
        let woke = match self.timeouts.queue {
            Some(d) => match tokio::time::timeout(d, rx).await {
                Ok(r) => r.ok(),
                Err(_) => None,
            },
            None => rx.await.ok(),
        };
        match woke {
            Some(Wake::Granted(s)) => {
                guard.armed = false;
                Ok(self.slot(s))
            }
            Some(Wake::Redispatch) => {
                guard.armed = false;
                Box::pin(self.acquire(info, avoid, None)).await
            }
            None => {
                // timed out: leave the queue unless a grant raced with the timeout
                guard.armed = false;
                let mut st = lock(&self.state);
                st.waiters.remove(&id);
                if st.disp.abandon(id) {
                    Err(ConnectError::QueueTimeout)
                } else {
                    // granted between the timeout and the lock: the grant found no
                    // receiver and released the slot already
                    Err(ConnectError::QueueTimeout)
                }
            }
        }
    }

    fn slot(self: &Arc<Self>, server: ServerIdx) -> Slot {
        Slot {
            be: Some(self.clone()),
            server,
        }
    }

    fn now_ms(&self) -> u64 {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        crate::proxy::clock::now()
            .saturating_duration_since(*EPOCH.get_or_init(Instant::now))
            .as_millis() as u64
    }

    /// Balances, takes a slot and connects (TCP mode). See [`Backend::connect_with`].
    pub async fn connect(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        local: Option<SocketAddr>,
    ) -> Result<ServerConn, ConnectError> {
        self.connect_inner(info, &mut ConnectOpts::new(local)).await
    }

    /// [`Backend::connect`] with TLS to `ssl` servers.
    pub async fn connect_stream(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        local: Option<SocketAddr>,
    ) -> Result<ServerConn<ServerStream>, ConnectError> {
        self.connect_inner(info, &mut ConnectOpts::new(local)).await
    }

    /// [`Backend::connect_with`] with TLS to `ssl` servers (and reuse of idle TLS
    /// connections): the stream is a [`ServerStream`].
    pub async fn connect_stream_with(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        opts: &mut ConnectOpts<'_>,
    ) -> Result<ServerConn<ServerStream>, ConnectError> {
        self.connect_inner(info, opts).await
    }

    /// Balances (or uses `opts.force`), takes a slot, then reuses an idle connection to
    /// that server (the client connection's own first, then the shared pool as
    /// `http-reuse` allows) or connects with `timeout connect`, retrying as HAProxy does
    /// (`retries`, turn-around delay of min(1s, timeout connect) after a refused
    /// connection, `option redispatch`).
    ///
    /// The stream is a plain `TcpStream`, also for `ssl` servers (use
    /// [`Backend::connect_stream_with`] for TLS).
    pub async fn connect_with(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        opts: &mut ConnectOpts<'_>,
    ) -> Result<ServerConn, ConnectError> {
        self.connect_inner(info, opts).await
    }

    /// A server with `ssl` gets a TLS connection (the handshake counts in `timeout
    /// connect`, as in HAProxy; a failed handshake is a failed connection attempt) when
    /// `S` can carry one ([`ServerStream`]); idle TLS connections are reused like plain
    /// ones.
    async fn connect_inner<S: ServerIo>(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        opts: &mut ConnectOpts<'_>,
    ) -> Result<ServerConn<S>, ConnectError> {
        // one count per stream: `retry-on` retries after a response count too
        let mut conn_retries: u32 = opts.retries_done;
        let mut avoid: Option<ServerIdx> = opts.avoid;
        let mut force = opts.force;
        let mut held: Option<Slot> = None;
        loop {
            let slot = match held.take() {
                Some(s) => s,
                None => match self.acquire(info, avoid, force).await {
                    Ok(s) => s,
                    Err(e) => {
                        self.failed_conns.fetch_add(1, Ordering::Relaxed);
                        return Err(e);
                    }
                },
            };
            let srv = slot.server;
            let Some(server) = self.servers.get(srv) else {
                return Err(ConnectError::NoServer);
            };
            let tls = if S::TLS { server.tls() } else { None };
            let sni: Option<Arc<str>> = match server.sni_expr {
                Some(i) => opts
                    .sni
                    .get(i)
                    .and_then(|v| v.as_deref())
                    .filter(|v| !v.is_empty())
                    .map(Arc::from),
                None => tls.and_then(|t| t.sni.clone()),
            };
            // h2 needs a caller that takes a ServerStream; TCP mode relays bytes as is
            let h2_mode = if S::TLS && self.mode == Mode::Http {
                server.h2
            } else {
                h2::H2Mode::Never
            };
            // the PROXY header of a new connection (HAProxy then shares an h2
            // connection only between streams with the same header)
            let pp: Option<Arc<[u8]>> = match (opts.client, opts.local) {
                (Some(c), Some(l)) => {
                    crate::proxy::tcp::proxy_header_for(&server.ir.opts, c, l).map(Arc::from)
                }
                _ => None,
            };
            if h2_mode != h2::H2Mode::Never
                && self.reuse != Reuse::Never
                && let Some(s) = self.h2.checkout(
                    srv,
                    sni.as_deref(),
                    pp.as_deref(),
                    opts.first_request,
                    self.reuse_rule(opts),
                )
                && let Ok(s) = S::from_stream(s)
            {
                // `reused`: no PROXY header in the pipe, and a request the connection
                // drops is sent again on a new one
                return Ok(self.conn(s, slot, true));
            }
            if let Some(stream) = self.take_idle::<S>(srv, sni.as_deref(), opts) {
                return Ok(self.conn(stream, slot, true));
            }
            let dest = server.dest(opts.local);
            let first = opts.first_request;
            // boxed: a new connection's future (connect, TLS handshake, h2 preface) is
            // over 1 KiB, and every transaction's state machine would carry that much
            // more; it is only made when no idle connection serves
            let attempt = Box::pin(async {
                let mut s = TcpStream::connect(dest).await?;
                let _ = s.set_nodelay(true);
                if let Some(ka) = crate::proxy::tcpka::server_side(&self.ir.settings) {
                    crate::proxy::tcpka::apply(socket2::SockRef::from(&s), &ka);
                }
                if let Some(h) = &pp {
                    tokio::io::AsyncWriteExt::write_all(&mut s, h).await?;
                }
                let s = match tls {
                    Some(t) => stream::handshake(t, sni.as_deref(), s).await?,
                    None => ServerStream::Plain(s),
                };
                let s = if h2_mode.speaks_h2(&s) {
                    let pooled = self.reuse != Reuse::Never;
                    self.h2
                        .open(srv, s, sni.clone(), pp.clone(), first, pooled)
                        .await?
                } else {
                    s
                };
                let h2 = s.is_h2();
                S::from_stream(s)
                    .map(|s| (s, h2))
                    .map_err(|_| std::io::Error::other("stream type"))
            });
            let res = match self.timeouts.connect {
                Some(d) => match tokio::time::timeout(d, attempt).await {
                    Ok(r) => r.map_err(|e| (e.to_string(), true)),
                    Err(_) => Err(("Connection timed out".to_string(), false)),
                },
                None => attempt.await.map_err(|e| (e.to_string(), true)),
            };
            let (err, immediate) = match res {
                Ok((stream, h2)) => {
                    self.observe(srv, crate::proxy::checks::observe::Hana::L4Ok);
                    let mut c = self.conn(stream, slot, h2);
                    c.proxy_sent = pp.is_some();
                    return Ok(c);
                }
                Err(e) => e,
            };
            self.observe(srv, crate::proxy::checks::observe::Hana::L4Err);
            // sess_update_st_cer (`retry-on` without `conn-failure`: no retry)
            if conn_retries >= self.retries || !self.retry_on.conn_failure() {
                drop(slot);
                self.failed_conns.fetch_add(1, Ordering::Relaxed);
                return Err(ConnectError::Failed(Failure {
                    server: srv,
                    error: err,
                    timeout: !immediate,
                }));
            }
            conn_retries += 1;
            opts.retries_done = conn_retries;
            let redisp =
                self.retry_redispatch(srv, conn_retries, force.is_some(), opts.force_persist);
            if redisp {
                drop(slot);
                avoid = Some(srv);
                // tells the caller the stream was redispatched (`%rc` gets a `+`)
                opts.avoid = avoid;
                force = None;
                continue;
            }
            if immediate {
                let delay = self
                    .timeouts
                    .connect
                    .map_or(Duration::from_secs(1), |c| c.min(Duration::from_secs(1)));
                tokio::time::sleep(delay).await;
            }
            held = Some(slot);
        }
    }

    /// Whether retry number `retries_done` leaves server `srv` for another (HAProxy 2.6
    /// `stream_choose_redispatch`, for connection and `retry-on` retries alike).
    /// `direct`: the server was named by persistence or a rule (SF_DIRECT). Counts the
    /// retry as HAProxy does, once per attempt: `wretr` (or `wredis` when it leaves the
    /// server) on `srv` and the backend.
    pub fn retry_redispatch(
        &self,
        srv: ServerIdx,
        retries_done: u32,
        direct: bool,
        force_persist: bool,
    ) -> bool {
        let redisp = self.choose_redispatch(srv, retries_done, direct, force_persist);
        let counters = self.servers.get(srv).map(|s| &s.retry);
        for c in counters.into_iter().chain([&self.retry]) {
            c.count(redisp);
        }
        redisp
    }

    fn choose_redispatch(
        &self,
        srv: ServerIdx,
        retries_done: u32,
        direct: bool,
        force_persist: bool,
    ) -> bool {
        match self.redispatch {
            // only `force-persist` (SF_FORCE_PRST) prevents it; a server named by a cookie
            // or a stick table (SF_DIRECT) is left at the interval like any other
            Some(after) if !force_persist => {
                let by_interval = if after > 0 {
                    retries_done.is_multiple_of(after as u32)
                } else {
                    let period = (self.retries as i64 + 1 + i64::from(after)).max(1) as u32;
                    retries_done.is_multiple_of(period)
                };
                let (act, _) = self.usable_counts();
                !self.server_usable(srv) || by_interval || (!direct && act > 1 && !self.hashed)
            }
            _ => false,
        }
    }

    fn conn<S>(&self, stream: S, slot: Slot, reused: bool) -> ServerConn<S> {
        let server = self.servers.get(slot.server);
        if reused {
            self.retry.count_reuse();
            if let Some(s) = server {
                s.retry.count_reuse();
            }
        }
        let name = server.map_or_else(|| Arc::from(""), |s| s.name.clone());
        ServerConn {
            stream,
            server: slot.server,
            name,
            reused,
            slot,
            proxy_sent: false,
        }
    }

    /// Which idle connections a request may take (HAProxy 2.6 `connect_server`).
    fn reuse_rule(&self, opts: &ConnectOpts<'_>) -> h2::ReuseRule {
        let (safe_ok, idle_ok) = match self.reuse {
            Reuse::Never => (false, false),
            Reuse::Safe => (!opts.first_request, !opts.first_request),
            Reuse::Aggressive => (true, !opts.first_request),
            Reuse::Always => (true, true),
        };
        h2::ReuseRule { safe_ok, idle_ok }
    }

    /// An idle connection to `srv` usable for this request, if any.
    fn take_idle<S: ServerIo>(
        &self,
        srv: ServerIdx,
        sni: Option<&str>,
        opts: &mut ConnectOpts<'_>,
    ) -> Option<S> {
        // the client connection's own idle connection is not probed (a syscall per
        // request): a request that finds it closed is sent again on a new connection
        if let Some(own) = opts.idle.as_deref_mut()
            && let Some(s) = own.take(self, srv, S::TLS, sni)
            && let Ok(s) = S::from_stream(s)
        {
            return Some(s);
        }
        // HAProxy 2.6 `connect_server`: a request that is not the first of its client
        // connection looks in the server's safe list, then (not for `aggressive`, whose
        // first requests may use safe ones only) in its idle list; `http-reuse safe`
        // never reuses for a first request. Within a list the oldest comes first (its
        // ebtree keeps duplicates in insertion order): measured, an HTTP/1.0 keep-alive
        // client's second request lands on the connection another client used before.
        let h2::ReuseRule { safe_ok, idle_ok } = self.reuse_rule(opts);
        if !safe_ok && !idle_ok {
            return None;
        }
        let max_age = self.servers.get(srv)?.pool.max_age;
        let now = crate::proxy::clock::now();
        let mut pool = lock(&self.idle);
        let lists = pool.get_mut(srv)?;
        // One clock read for the whole pool: per-entry `elapsed()` was ~4% of the CPU of a
        // new-connection-per-request benchmark.
        lists.expire(now, max_age);
        // HAProxy looks in the safe list, then the idle one; in each, the calling
        // thread's connections first, then one taken over from another thread. One pass
        // per list, ending at the first of this thread's.
        let me = crate::proxy::threads::current();
        for (list, ok) in [(&mut lists.safe, safe_ok), (&mut lists.idle, idle_ok)] {
            if !ok {
                continue;
            }
            loop {
                let mut found: Option<(bool, usize)> = None;
                for (pos, i) in list.iter().enumerate() {
                    // a caller that cannot carry TLS never made TLS connections: none
                    // to skip
                    if (!S::TLS && i.stream.is_tls()) || i.stream.sni() != sni {
                        continue;
                    }
                    if i.thread == me {
                        found = Some((true, pos));
                        break;
                    }
                    if found.is_none() {
                        found = Some((false, pos));
                    }
                }
                let Some((mine, pos)) = found else { break };
                let Some(mut i) = list.remove(pos) else { break };
                if !i.stream.alive() {
                    continue;
                }
                let stream = if mine {
                    Some(i.stream)
                } else {
                    i.stream.rehome()
                };
                if let Some(Ok(s)) = stream.map(S::from_stream) {
                    return Some(s);
                }
            }
        }
        None
    }

    /// Gives an idle server connection to the shared pool (when its client connection
    /// ends).
    /// `safe`: the connection's last request was not the first of its client connection.
    pub fn park<S: ServerIo>(&self, srv: ServerIdx, stream: S, safe: bool) {
        if self.reuse == Reuse::Never {
            return;
        }
        let stream = stream.into_stream();
        // an h2 stream ends with its transaction; its connection stays in the h2 pool
        if stream.is_h2() {
            return;
        }
        // `pool-max-conn 0` / `pool-purge-delay 0`: closed at once (measured)
        let Some(lim) = self
            .servers
            .get(srv)
            .map(|s| s.pool)
            .filter(PoolLimits::keeps)
        else {
            return;
        };
        let now = crate::proxy::clock::now();
        let mut pool = lock(&self.idle);
        if let Some(lists) = pool.get_mut(srv) {
            lists.expire(now, lim.max_age);
            if lists.len() < lim.max {
                // HAProxy's `srv_add_to_idle_list(..., is_not_first)`
                let list = if safe {
                    &mut lists.safe
                } else {
                    &mut lists.idle
                };
                list.push_back(Idle {
                    stream,
                    since: now,
                    thread: crate::proxy::threads::current(),
                });
                return;
            }
        }
        // A full pool closes the connection, after the lock is released.
        drop(pool);
        drop(stream);
    }

    /// Closes the shared pool's idle connections to `srv` (its address changed: new
    /// requests must reach the new one).
    pub fn purge_idle(&self, srv: ServerIdx) {
        let gone = lock(&self.idle).get_mut(srv).map(std::mem::take);
        drop(gone);
    }

    /// `add server`: appends server `sv` (id `puid`) in maintenance and returns its
    /// index. Once the server's settings are known good, `counters` appends its stats
    /// (the caller serializes adds, so they get the same index), before the server is
    /// visible: a reader that finds the server finds its counters. A non-constant `sni`
    /// expression is not evaluated for it (no SNI is sent).
    pub fn add_server(
        &self,
        sv: ir::expr::Server,
        puid: u32,
        global: &ir::Global,
        counters: impl FnOnce() -> Option<usize>,
    ) -> Result<usize, BackendError> {
        let addr = server_addr(&sv)?;
        let tls = stream::server_tls(global, &sv).map_err(|e| BackendError::Tls {
            server: sv.name.clone(),
            source: e,
        })?;
        let spec = crate::proxy::balance::from_ir::spec_of(&sv, puid);
        let mut st = lock(&self.state);
        counters();
        let idx = st
            .disp
            .add_server(spec)
            .map_err(|e| BackendError::Balance(e.into()))?;
        lock(&self.idle).push(IdleLists::default());
        let rt = ServerRt {
            name: Arc::from(sv.name.as_str()),
            idx,
            ir_idx: self.ir.servers.len() + idx,
            addr,
            cur_addr: std::sync::RwLock::new(addr),
            backup: sv.opts.backup,
            cookie: None,
            puid,
            non_stick: sv.opts.non_stick,
            h2: h2::H2Mode::of(&sv),
            pool: PoolLimits::of(&sv),
            ir: sv,
            tls: std::sync::OnceLock::from(tls),
            sni_expr: None,
            retry: Default::default(),
        };
        // the balancer holds it in maintenance: it takes no traffic before this push
        let _ = self.servers.push(rt);
        Ok(idx)
    }
}

/// Removes a request from the queue when its future is dropped (client gone).
struct QueueGuard<'a> {
    be: &'a Backend,
    id: u64,
    armed: bool,
}

impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut st = lock(&self.be.state);
            st.waiters.remove(&self.id);
            st.disp.abandon(self.id);
        }
    }
}

/// A connection slot on a server (HAProxy's `served`): released on drop, which hands it to
/// the next queued request.
#[derive(Debug)]
pub struct Slot {
    be: Option<Arc<Backend>>,
    pub server: ServerIdx,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(be) = self.be.take() {
            be.release(self.server);
        }
    }
}

/// A connection to a server with its slot. `S` is [`ServerStream`] for callers that
/// speak TLS to `ssl` servers; the `TcpStream` default keeps plain-only callers as they
/// were.
#[derive(Debug)]
pub struct ServerConn<S = TcpStream> {
    pub stream: S,
    /// Index in [`Backend::servers`].
    pub server: usize,
    pub name: Arc<str>,
    /// Taken from an idle pool (a failure before any response byte may be retried on a
    /// new connection).
    pub reused: bool,
    pub slot: Slot,
    /// The PROXY header went out when the connection was made ([`ConnectOpts::client`]).
    pub proxy_sent: bool,
}

impl<S> ServerConn<S> {
    /// Ends the transaction (frees the slot) and keeps the connection.
    pub fn into_idle(self) -> (ServerIdx, S) {
        (self.server, self.stream)
    }
}

/// Options of one [`Backend::connect_with`].
#[derive(Debug)]
pub struct ConnectOpts<'a> {
    /// The address the client connected to (servers without a port use its port).
    pub local: Option<SocketAddr>,
    /// A server chosen by persistence.
    pub force: Option<ServerIdx>,
    /// A `force-persist` rule matched (HAProxy's SF_FORCE_PRST: no redispatch).
    pub force_persist: bool,
    /// The client connection's idle server connections.
    pub idle: Option<&'a mut IdleConns>,
    /// First request of the client connection (`http-reuse safe` then uses only its own
    /// connections or a new one).
    pub first_request: bool,
    /// This request's values of the backend's `sni` expressions
    /// ([`Backend::eval_sni`]); empty when they are all constants.
    pub sni: &'a [Option<String>],
    /// Retries the stream made already (`retry-on`); updated by the connection retries.
    pub retries_done: u32,
    /// A server to leave if another is usable (a redispatched `retry-on` retry).
    pub avoid: Option<ServerIdx>,
    /// The client's address: with it (and `local`), a new connection to a `send-proxy`
    /// server gets its PROXY header first, before TLS and h2 as HAProxy sends it, and
    /// the caller must not write it ([`ServerConn::proxy_sent`]).
    pub client: Option<SocketAddr>,
}

impl ConnectOpts<'_> {
    pub fn new(local: Option<SocketAddr>) -> Self {
        ConnectOpts {
            local,
            force: None,
            force_persist: false,
            idle: None,
            first_request: true,
            sni: &[],
            retries_done: 0,
            avoid: None,
            client: None,
        }
    }
}

/// Idle server connections owned by one client connection (HAProxy's session connection
/// list). On drop they go to their servers' shared pools.
#[derive(Debug, Default)]
pub struct IdleConns {
    list: Vec<(Arc<Backend>, ServerIdx, ServerStream)>,
}

impl IdleConns {
    pub fn new() -> Self {
        Self::default()
    }

    /// `option prefer-last-server` (HAProxy 2.6 `assign_server`): a usable server of `be`
    /// this client connection holds an idle connection to, for an algorithm that is not
    /// a hash. Only a session's private connections count, and with HTTP/1 those are the
    /// ones of `http-reuse never` (measured: PROXY-header ones do not make it stick).
    pub fn last_server(&self, be: &Backend) -> Option<ServerIdx> {
        if !be.prefer_last_server || be.hashed || be.reuse != Reuse::Never {
            return None;
        }
        self.list
            .iter()
            .find(|(b, s, _)| std::ptr::eq(&**b, be) && be.server_usable(*s))
            .map(|(_, s, _)| *s)
    }

    pub fn put<S: ServerIo>(&mut self, be: &Arc<Backend>, srv: ServerIdx, stream: S) {
        let stream = stream.into_stream();
        if stream.is_h2() {
            return;
        }
        // HAProxy keeps a few per session (max-session-srv-conns, 10)
        if self.list.len() >= 10 {
            let (b, s, st) = self.list.remove(0);
            b.park(s, st, true);
        }
        self.list.push((be.clone(), srv, stream));
    }

    fn take(
        &mut self,
        be: &Backend,
        srv: ServerIdx,
        tls_ok: bool,
        sni: Option<&str>,
    ) -> Option<ServerStream> {
        let pos = self.list.iter().position(|(b, s, st)| {
            std::ptr::eq(&**b, be) && *s == srv && (tls_ok || !st.is_tls()) && st.sni() == sni
        })?;
        Some(self.list.swap_remove(pos).2)
    }

    /// Closes every idle connection (`option http-server-close`, soft stop).
    pub fn clear(&mut self) {
        self.list.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl Drop for IdleConns {
    fn drop(&mut self) {
        for (b, s, st) in self.list.drain(..) {
            b.park(s, st, true);
        }
    }
}

/// Compiles a server's `sni` expression (HAProxy checked it when parsing; an error here
/// is a fetch tandem does not have).
fn compile_sni(expr: &str, proxy: &str) -> Result<crate::proxy::acl::CompiledSample, String> {
    let s = crate::config::haproxy::expr::sample::parse_sample(expr)?;
    let env = crate::proxy::acl::CompileEnv {
        acls: &[],
        userlists: &[],
        base_dir: Path::new("."),
        proxy,
    };
    crate::proxy::acl::CompiledSample::compile(&s, &env).map_err(|e| e.to_string())
}

fn server_addr(sv: &ir::expr::Server) -> Result<ServerAddr, BackendError> {
    let bad = || BackendError::Resolve(sv.name.clone(), String::new());
    let a = sv.address.as_ref().ok_or_else(bad)?;
    let ip = match a.ip {
        Some(ip) => ip,
        None => {
            let host = a.fqdn.as_deref().unwrap_or(a.host.as_str());
            let host = if host.is_empty() { "0.0.0.0" } else { host };
            use std::net::ToSocketAddrs;
            (host, 0)
                .to_socket_addrs()
                .ok()
                .and_then(|mut i| i.next())
                .map(|s| s.ip())
                .ok_or_else(|| BackendError::Resolve(sv.name.clone(), a.text.clone()))?
        }
    };
    let port_text = a.text.rsplit_once(':').map(|(_, p)| p).unwrap_or("");
    let relative = port_text.starts_with('+') || port_text.starts_with('-') || a.port == 0;
    Ok(if relative {
        ServerAddr::Relative { ip, offset: a.port }
    } else {
        ServerAddr::Fixed(SocketAddr::new(ip, a.port.clamp(0, 65535) as u16))
    })
}
