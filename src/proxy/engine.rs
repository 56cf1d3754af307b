//! Run-time state built from the IR: frontends, backends, servers.
//!
//! Public API (the listener/runtime and checks helpers code to this):
//! - [`Engine::from_ir`] builds everything once; the result is `Arc`-shared by every
//!   connection. Mutable state (server states, queues, idle connections) lives behind
//!   per-backend locks inside [`Backend`].
//! - [`Engine::frontend`] / [`Engine::frontends`]: what to listen for; a session is started
//!   with [`crate::proxy::http::session::serve`] (HTTP) or the TCP helper (TCP) using
//!   [`Backend::connect`].
//! - [`Engine::stopping`] / [`Engine::soft_stop`]: soft stop; sessions finish their
//!   in-flight transaction and close idle keep-alive connections.
//! - [`Engine::on_health_event`]: health-check results (UP/DOWN) go here; it updates the
//!   balancer and returns HAProxy's transition line for the runtime to print.

pub mod admin;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::ir::haproxy as ir;
use crate::proxy::backend::{Backend, BackendError};
use crate::proxy::http::errors::{ErrorPages, ErrorPagesError};
use crate::proxy::http::h1::ConnMode;
use crate::proxy::log::ProxyLog;
use crate::proxy::rules::{HttpRules, RulesEnv, RulesError};

pub use crate::ir::haproxy::Mode;

/// Why the engine cannot be built from a config.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("backend '{name}': {source}")]
    Backend {
        name: String,
        #[source]
        source: BackendError,
    },
    #[error("proxy '{proxy}': unable to find required default_backend: '{backend}'.")]
    MissingBackend { proxy: String, backend: String },
    #[error("proxy '{proxy}': {source}")]
    Rules {
        proxy: String,
        #[source]
        source: RulesError,
    },
    #[error("proxy '{proxy}': {source}")]
    Errors {
        proxy: String,
        #[source]
        source: ErrorPagesError,
    },
    #[error(transparent)]
    Tables(#[from] crate::proxy::stick::TableError),
    #[error("proxy '{proxy}': {message}")]
    Other { proxy: String, message: String },
    #[error("proxy '{proxy}': {source}")]
    Log {
        proxy: String,
        #[source]
        source: crate::proxy::log::ProxyLogError,
    },
}

/// Timeouts of a proxy with HAProxy's fallbacks applied (`None` = no timeout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub client: Option<Duration>,
    pub server: Option<Duration>,
    pub connect: Option<Duration>,
    /// Falls back to `connect` as in HAProxy.
    pub queue: Option<Duration>,
    /// Falls back to `client`.
    pub http_request: Option<Duration>,
    /// Falls back to `http_request`, then `client`.
    pub http_keep_alive: Option<Duration>,
    /// Used once a tunnel is established (WebSocket); falls back to client/server.
    pub tunnel: Option<Duration>,
    pub client_fin: Option<Duration>,
    pub server_fin: Option<Duration>,
    pub tarpit: Option<Duration>,
}

impl Timeouts {
    pub fn from_ir(t: &ir::Timeouts) -> Self {
        let d = |v: Option<u64>| v.filter(|ms| *ms > 0).map(Duration::from_millis);
        let client = d(t.client);
        let connect = d(t.connect);
        let http_request = d(t.http_request).or(client);
        Timeouts {
            client,
            server: d(t.server),
            connect,
            queue: d(t.queue).or(connect),
            http_request,
            http_keep_alive: d(t.http_keep_alive).or(http_request),
            tunnel: d(t.tunnel),
            client_fin: d(t.client_fin),
            server_fin: d(t.server_fin),
            tarpit: d(t.tarpit).or(connect),
        }
    }
}

/// `option forwardfor [except NET] [header NAME] [if-none]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardFor {
    /// Lowercase, as HAProxy emits it (`x-forwarded-for`).
    pub header: String,
    pub except: Option<(std::net::IpAddr, u8)>,
    pub if_none: bool,
}

impl ForwardFor {
    pub fn from_settings(s: &ir::ProxySettings) -> Option<Self> {
        Self::from_option(s, "forwardfor", "x-forwarded-for")
    }

    /// `option originalto [except NET] [header NAME]` (same words, no `if-none`).
    pub fn originalto(s: &ir::ProxySettings) -> Option<Self> {
        Self::from_option(s, "originalto", "x-original-to")
    }

    fn from_option(s: &ir::ProxySettings, name: &str, header: &str) -> Option<Self> {
        let o = s.option(name).filter(|o| o.enabled)?;
        let mut ff = ForwardFor {
            header: header.into(),
            except: None,
            if_none: false,
        };
        let mut it = o.args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "except" => ff.except = it.next().and_then(|n| parse_net(n)),
                "header" => {
                    if let Some(h) = it.next() {
                        ff.header = h.to_ascii_lowercase();
                    }
                }
                "if-none" => ff.if_none = true,
                _ => {}
            }
        }
        Some(ff)
    }

    /// The client address is in the `except` network.
    pub fn excepted(&self, ip: std::net::IpAddr) -> bool {
        let Some((net, len)) = self.except else {
            return false;
        };
        net_contains(net, len, ip)
    }
}

/// `1.2.3.4/24`, `1.2.3.4/255.255.255.0` or a bare address.
pub fn parse_net(s: &str) -> Option<(std::net::IpAddr, u8)> {
    use std::net::IpAddr;
    let (a, m) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let ip: IpAddr = a.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match m {
        None => max,
        Some(m) => match m.parse::<u8>() {
            Ok(n) if n <= max => n,
            Ok(_) => return None,
            Err(_) => {
                let mask: std::net::Ipv4Addr = m.parse().ok()?;
                u32::from(mask).count_ones() as u8
            }
        },
    };
    Some((ip, len))
}

/// `ip` is in `net/len` (IPv4-mapped IPv6 addresses compare as IPv4).
pub fn net_contains(net: std::net::IpAddr, len: u8, ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len.min(32)))
            };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len.min(128)))
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// The HTTP connection mode a proxy asks for (the last of `option http-keep-alive`,
/// `option http-server-close`, `option httpclose` set in it or its defaults).
pub fn conn_mode_of(s: &ir::ProxySettings) -> ConnMode {
    let mut mode = ConnMode::KeepAlive;
    for o in &s.options {
        match (o.name.as_str(), o.enabled) {
            ("httpclose", true) | ("forceclose", true) => mode = ConnMode::Close,
            ("http-server-close", true) => mode = ConnMode::ServerClose,
            ("http-keep-alive", true) => mode = ConnMode::KeepAlive,
            ("httpclose", false) | ("http-server-close", false) => mode = ConnMode::KeepAlive,
            _ => {}
        }
    }
    mode
}

/// The stronger of two modes (HAProxy combines frontend and backend this way: close wins
/// over server-close, which wins over keep-alive).
pub fn combine_modes(a: ConnMode, b: ConnMode) -> ConnMode {
    use ConnMode::*;
    match (a, b) {
        (Close, _) | (_, Close) => Close,
        (ServerClose, _) | (_, ServerClose) => ServerClose,
        _ => KeepAlive,
    }
}

fn option_on(s: &ir::ProxySettings, name: &str) -> bool {
    s.option(name).is_some_and(|o| o.enabled)
}

/// A frontend (or the frontend half of a `listen` section).
#[derive(Debug)]
pub struct Frontend {
    pub name: String,
    pub mode: Mode,
    /// The proxy as configured (binds, rules, ACLs, captures...).
    pub ir: ir::Proxy,
    pub timeouts: Timeouts,
    pub conn_mode: ConnMode,
    pub forwardfor: Option<ForwardFor>,
    pub originalto: Option<ForwardFor>,
    /// `option abortonclose` (also read from the backend).
    pub abortonclose: bool,
    /// `option http-ignore-probes`.
    pub ignore_probes: bool,
    /// The backend of a `listen` section (its own servers).
    pub own_backend: Option<Arc<Backend>>,
    /// `default_backend` resolved.
    pub default_backend: Option<Arc<Backend>>,
    /// Static `use_backend` targets resolved by name (dynamic ones stay `None`).
    pub use_backends: Vec<(ir::UseBackend, Option<Arc<Backend>>)>,
    /// Directory relative paths in the config (errorfile, return file) are resolved from.
    pub base_dir: PathBuf,
    /// Client connections being served (`fe_conn`).
    pub conns: std::sync::atomic::AtomicI64,
    /// Compiled `http-request`/`http-response`/`redirect`/`use_backend` rules (HTTP mode).
    pub rules: Option<HttpRules>,
    /// `errorfile`/`errorloc`/`errorfiles` pages over the built-in ones.
    pub errors: ErrorPages,
    /// Traffic logs (`log`, `option httplog|tcplog`, `log-format`); `None` when the proxy
    /// has no log target (`no log`, or none configured): nothing is recorded then.
    pub log: Option<Arc<ProxyLog>>,
    /// The `%[expr]` of the log formats, compiled once (keyed by the expression text).
    pub log_samples: HashMap<String, crate::proxy::rules::LogFormat>,
    /// `unique-id-format` / `unique-id-header` (its `%[expr]` are in `log_samples`).
    pub unique_id_format: Option<crate::proxy::log::LogFormat>,
    pub unique_id_header: Option<String>,
    /// Index of this frontend in [`Engine::frontends`] (stats accounting).
    pub index: usize,
}

impl Frontend {
    /// The backend used when no `use_backend` rule matches: `default_backend`, else the
    /// section's own servers (`listen`).
    pub fn fallback_backend(&self) -> Option<&Arc<Backend>> {
        self.default_backend.as_ref().or(self.own_backend.as_ref())
    }
}

fn lf_env<'a>(
    p: &'a ir::Proxy,
    acls: &'a [ir::expr::Acl],
    users: &'a [Arc<crate::proxy::acl::Users>],
    base_dir: &'a Path,
) -> crate::proxy::acl::CompileEnv<'a> {
    crate::proxy::acl::CompileEnv {
        acls,
        userlists: users,
        base_dir,
        proxy: &p.name,
    }
}

/// `unique-id-format`, compiled with the log-format engine (`%{+X}o%ci` gives
/// `7F000001` as in HAProxy).
fn unique_id(p: &ir::Proxy) -> Result<Option<crate::proxy::log::LogFormat>, EngineError> {
    let Some(f) = &p.settings.unique_id_format else {
        return Ok(None);
    };
    crate::proxy::log::LogFormat::compile(f)
        .map(Some)
        .map_err(|e| EngineError::Other {
            proxy: p.name.clone(),
            message: format!("unique-id-format: {e}"),
        })
}

/// The `%[expr]` parts of a proxy's `log-format` / `log-format-sd`.
fn log_samples(
    p: &ir::Proxy,
    users: &[Arc<crate::proxy::acl::Users>],
    base_dir: &Path,
) -> Result<HashMap<String, crate::proxy::rules::LogFormat>, EngineError> {
    let acls: Vec<ir::expr::Acl> = p.acls.iter().map(|a| a.value.clone()).collect();
    let env = lf_env(p, &acls, users, base_dir);
    let sd = p
        .settings
        .other
        .iter()
        .filter(|d| d.keyword == "log-format-sd")
        .filter_map(|d| d.args.first());
    let mut out = HashMap::new();
    for f in p
        .settings
        .log_format
        .iter()
        .chain(sd)
        .chain(p.settings.unique_id_format.iter())
    {
        for expr in crate::proxy::log::format::sample_exprs(f) {
            let lf = crate::proxy::rules::LogFormat::parse(&format!("%[{expr}]"), &env).map_err(
                |e| EngineError::Other {
                    proxy: p.name.clone(),
                    message: format!("log-format '%[{expr}]': {e}"),
                },
            )?;
            out.insert(expr, lf);
        }
    }
    Ok(out)
}

/// Global settings the engine uses.
#[derive(Debug, Clone, Default)]
pub struct GlobalSettings {
    pub maxconn: Option<i64>,
    pub nbthread: Option<u32>,
    pub hard_stop_after: Option<Duration>,
    pub spread_checks: Option<u32>,
    /// `tune.h2.*` (HTTP/2 limits).
    pub h2: crate::proxy::http::h2::Settings,
}

/// Everything a running proxy needs, shared by all connections.
#[derive(Debug)]
pub struct Engine {
    /// Every stick table of the configuration (`track-sc*`, `stick`, `sc_*` fetches).
    pub tables: crate::proxy::stick::SharedTables,
    /// There is at least one table (sessions then keep sticky counters).
    pub has_tables: bool,
    frontends: Vec<Arc<Frontend>>,
    backends: Vec<Arc<Backend>>,
    /// Log targets of each backend (same order as `backends`): server state changes and
    /// health-check results go there, as in HAProxy.
    backend_logs: Vec<Option<Arc<ProxyLog>>>,
    /// Looked up for every request (the rules name the backend): a fast hash.
    by_name: HashMap<String, usize, foldhash::fast::RandomState>,
    pub userlists: Vec<ir::Userlist>,
    pub global: GlobalSettings,
    /// Traffic counters for the stats page, `show stat` and Prometheus.
    pub stats: crate::proxy::stats::Registry,
    /// Live streams for the runtime API (`show sess`, `shutdown session`).
    pub sessions: crate::proxy::api::sess::Registry,
    /// Run-time settings the runtime API changes (rate limits, check overrides,
    /// captured errors) and the signal that wakes the accept loops.
    pub admin: admin::Runtime,
    stop_tx: watch::Sender<bool>,
    stop_rx: watch::Receiver<bool>,
    epoch: Instant,
    /// What the configuration asks for that is applied only approximately (warnings
    /// for the runtime to print at start).
    pub notes: Vec<String>,
}

impl Engine {
    /// Builds the run-time state. `base_dir` is the directory of the config file.
    pub fn from_ir(cfg: &ir::Config, base_dir: &Path) -> Result<Arc<Engine>, EngineError> {
        // `log ring@NAME` targets find their `ring` section when they send
        crate::proxy::log::ring::install(&cfg.other_sections);
        let users = crate::proxy::acl::CompileEnv::userlists(cfg);
        let env = RulesEnv {
            cfg,
            userlists: &users,
            base_dir,
        };
        let compile = |p: &ir::Proxy| -> Result<Option<HttpRules>, EngineError> {
            // `tcp-request content switch-mode http`: the upgraded stream runs them
            if p.settings.mode != Some(Mode::Http) && !crate::proxy::rules::switches_to_http(p) {
                return Ok(None);
            }
            HttpRules::compile_with(&env, p)
                .map(Some)
                .map_err(|source| EngineError::Rules {
                    proxy: p.name.clone(),
                    source,
                })
        };
        let pages = |p: &ir::Proxy| -> Result<ErrorPages, EngineError> {
            ErrorPages::from_ir(cfg, p).map_err(|source| EngineError::Errors {
                proxy: p.name.clone(),
                source,
            })
        };
        let tables = crate::proxy::stick::Tables::from_ir(cfg)?;
        let proxy_log = |p: &ir::Proxy| -> Result<Option<Arc<ProxyLog>>, EngineError> {
            let l =
                ProxyLog::from_ir(&cfg.global, &p.settings).map_err(|source| EngineError::Log {
                    proxy: p.name.clone(),
                    source,
                })?;
            Ok(l.is_active().then(|| Arc::new(l)))
        };
        let mut backend_logs = Vec::new();
        let mut backends = Vec::new();
        let mut by_name = HashMap::default();
        let mut notes = Vec::new();
        for p in cfg.proxies.iter().filter(|p| p.kind.is_backend()) {
            let mut be = Backend::from_ir(p, base_dir).map_err(|source| EngineError::Backend {
                name: p.name.clone(),
                source,
            })?;
            let tls_notes = be
                .setup_tls(&cfg.global)
                .map_err(|source| EngineError::Backend {
                    name: p.name.clone(),
                    source,
                })?;
            notes.extend(
                tls_notes
                    .into_iter()
                    .map(|n| format!("config : backend '{}': {n}", p.name)),
            );
            be.rules = compile(p)?;
            be.errors = pages(p)?;
            let acls: Vec<ir::expr::Acl> = p.acls.iter().map(|a| a.value.clone()).collect();
            let cenv = crate::proxy::acl::CompileEnv {
                acls: &acls,
                userlists: &users,
                base_dir,
                proxy: &p.name,
            };
            be.stick_rules = crate::proxy::backend::stick::StickRule::compile_all(
                p, &tables, &cenv,
            )
            .map_err(|e| EngineError::Other {
                proxy: p.name.clone(),
                message: e.to_string(),
            })?;
            if let Some(ir::Balance::Hash { expr }) = &p.settings.balance {
                // HAProxy 2.6 checked the expression at parse time; a failure here is ours
                let sample = crate::config::haproxy::expr::sample::parse_sample(expr)
                    .map_err(|m| m.to_string())
                    .and_then(|s| {
                        crate::proxy::acl::CompiledSample::compile(&s, &cenv)
                            .map_err(|e| e.to_string())
                    })
                    .map_err(|message| EngineError::Other {
                        proxy: p.name.clone(),
                        message: format!("balance hash '{expr}': {message}"),
                    })?;
                be.hash_expr = Some(sample);
            }
            by_name.insert(p.name.clone(), backends.len());
            backends.push(Arc::new(be));
            backend_logs.push(proxy_log(p)?);
        }
        let find = |n: &str| by_name.get(n).map(|i: &usize| backends[*i].clone());
        let mut frontends = Vec::new();
        for p in cfg.proxies.iter().filter(|p| p.kind.is_frontend()) {
            let s = &p.settings;
            let own_backend = if p.kind == ir::ProxyKind::Listen {
                find(&p.name)
            } else {
                None
            };
            let default_backend = match &s.default_backend {
                Some(n) => Some(find(&n.name).ok_or_else(|| EngineError::MissingBackend {
                    proxy: p.name.clone(),
                    backend: n.name.clone(),
                })?),
                None => None,
            };
            let use_backends = p
                .use_backends
                .iter()
                .map(|u| {
                    let b = if u.dynamic { None } else { find(&u.backend) };
                    (u.clone(), b)
                })
                .collect();
            frontends.push(Arc::new(Frontend {
                name: p.name.clone(),
                mode: s.mode.unwrap_or(Mode::Tcp),
                ir: p.clone(),
                timeouts: Timeouts::from_ir(&s.timeouts),
                conn_mode: conn_mode_of(s),
                forwardfor: ForwardFor::from_settings(s),
                originalto: ForwardFor::originalto(s),
                abortonclose: option_on(s, "abortonclose"),
                ignore_probes: option_on(s, "http-ignore-probes"),
                own_backend,
                default_backend,
                use_backends,
                base_dir: base_dir.to_path_buf(),
                rules: compile(p)?,
                errors: pages(p)?,
                conns: Default::default(),
                log: proxy_log(p)?,
                log_samples: log_samples(p, &users, base_dir)?,
                unique_id_format: unique_id(p)?,
                unique_id_header: s.unique_id_header.clone(),
                index: frontends.len(),
            }));
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let g = &cfg.global;
        let has_tables = tables.iter().next().is_some();
        let stats = crate::proxy::stats::Registry::new(
            frontends.len(),
            &backends.iter().map(|b| b.servers.len()).collect::<Vec<_>>(),
        );
        let engine = Arc::new(Engine {
            stats,
            sessions: Default::default(),
            admin: admin::Runtime::from_global(&cfg.global),
            tables: Arc::new(std::sync::Mutex::new(tables)),
            has_tables,
            frontends,
            backends,
            backend_logs,
            by_name,
            userlists: cfg.userlists.clone(),
            global: GlobalSettings {
                maxconn: g.maxconn,
                nbthread: g.nbthread,
                hard_stop_after: g.hard_stop_after_ms.map(Duration::from_millis),
                spread_checks: g.spread_checks,
                h2: crate::proxy::http::h2::Settings::from_global(g),
            },
            stop_tx,
            stop_rx,
            epoch: Instant::now(),
            notes,
        });
        // `observe`: the backends tell the health checks (checks/observe.rs)
        crate::proxy::checks::observe::install(&engine);
        Ok(engine)
    }

    pub fn frontend(&self, name: &str) -> Option<Arc<Frontend>> {
        self.frontends.iter().find(|f| f.name == name).cloned()
    }

    pub fn frontends(&self) -> &[Arc<Frontend>] {
        &self.frontends
    }

    pub fn backend(&self, name: &str) -> Option<Arc<Backend>> {
        self.by_name.get(name).map(|i| self.backends[*i].clone())
    }

    pub fn backends(&self) -> &[Arc<Backend>] {
        &self.backends
    }

    /// The index of a backend in [`Engine::backends`] (stats accounting).
    pub fn backend_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The log targets of a backend (server and health messages), if it has any.
    pub fn backend_log(&self, name: &str) -> Option<&Arc<ProxyLog>> {
        let i = *self.by_name.get(name)?;
        self.backend_logs.get(i)?.as_ref()
    }

    /// Becomes `true` on soft stop: finish in-flight transactions, close idle keep-alive.
    pub fn stopping(&self) -> &watch::Receiver<bool> {
        &self.stop_rx
    }

    pub fn is_stopping(&self) -> bool {
        *self.stop_rx.borrow()
    }

    /// Starts the soft stop (SIGUSR1 / `-sf`).
    pub fn soft_stop(&self) {
        let _ = self.stop_tx.send(true);
    }

    /// Milliseconds since the engine was built (the clock of the sans-IO cores).
    pub fn now_ms(&self) -> u64 {
        crate::proxy::clock::now()
            .saturating_duration_since(self.epoch)
            .as_millis() as u64
    }

    /// A server state change (health check or test): updates the balancer and queues and
    /// returns HAProxy's transition line, if the state really changed. The caller prints it
    /// (the runtime owns the `[WARNING]  (PID) : ` logger).
    pub fn server_transition(
        &self,
        backend: &Backend,
        server: usize,
        state: crate::proxy::balance::ServerState,
        reason: &str,
    ) -> Option<Transition> {
        let line = backend.set_server_state(server, state, reason)?;
        Some(Transition {
            line,
            no_server_left: backend.usable_counts() == (0, 0),
            backend: backend.name.clone(),
            followers: Vec::new(),
        })
    }

    /// Applies one event from the health checks (checks/run.rs): the one place where check
    /// results become server states.
    pub fn on_health_event(
        &self,
        ev: &crate::proxy::checks::run::HealthEvent,
    ) -> Option<Transition> {
        let be = self.backend(&ev.backend)?;
        let srv = be.servers.iter().find(|s| s.ir_idx == ev.server_idx)?;
        // `disable health`: the checks change nothing until `enable health`
        let bi = self.backend_index(&ev.backend)?;
        let ss = self
            .stats
            .backends
            .get(bi)
            .and_then(|b| b.servers.get(srv.idx));
        if ss.is_some_and(|s| s.checks_off.load(std::sync::atomic::Ordering::Relaxed)) {
            return None;
        }
        // every check feeds the stats and `option log-health-checks`; a transition gives
        // the checks' state combined with the admin state (maintenance stays)
        let (state, reason) = crate::proxy::stats::health::on_event(self, &be, srv.idx, ev)?;
        let mut t = self.server_transition(&be, srv.idx, state, &reason)?;
        // from the state: an agent's event does not carry the server's
        let up = !matches!(
            state,
            crate::proxy::balance::ServerState::Down | crate::proxy::balance::ServerState::Maint
        );
        self.log_transition(&t, up);
        // the servers that `track` this one follow (stats/health.rs), depth first
        t.followers = crate::proxy::stats::health::follow_trackers(self, &be, srv.idx);
        for f in &t.followers {
            self.log_transition(f, up);
        }
        Some(t)
    }

    /// HAProxy sends a transition's texts to the backend's log targets: the line at alert
    /// (DOWN) or notice (UP), then "backend X has no server available!" at emerg.
    fn log_transition(&self, t: &Transition, up: bool) {
        if let Some(l) = self.backend_log(&t.backend) {
            use crate::proxy::log::syslog::{Level, messages};
            let level = if up { Level::Notice } else { Level::Alert };
            l.event((level, t.line.clone()));
            if t.no_server_left {
                l.event(messages::no_server(&t.backend));
            }
        }
    }
}

/// What a server state change printed in HAProxy: the `[WARNING]` line, and whether the
/// `[ALERT]` "backend 'X' has no server available!" follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub line: String,
    pub no_server_left: bool,
    /// The backend of the server that changed.
    pub backend: String,
    /// The transitions of the servers that `track` this one, in HAProxy's order (print
    /// each after this one, with its own alert).
    pub followers: Vec<Transition>,
}

/// What the rules may ask about the running proxy (`nbsrv`, `srv_is_up`, `be_conn`...).
impl crate::proxy::acl::ProxyState for Engine {
    fn nbsrv(&self, backend: &str) -> Option<i64> {
        let be = self.backend(backend)?;
        let (act, bck) = be.usable_counts();
        // HAProxy: active servers, else the backups in use (one unless allbackups)
        Some(if act > 0 {
            act as i64
        } else if bck > 0 && !be.allbackups() {
            1
        } else {
            bck as i64
        })
    }

    fn srv_is_up(&self, backend: &str, server: &str) -> Option<bool> {
        let be = self.backend(backend)?;
        let i = be.server_index(server)?;
        Some(be.server_usable(i))
    }

    fn be_conn(&self, backend: &str) -> Option<i64> {
        Some(i64::from(self.backend(backend)?.be_conn()))
    }

    fn fe_conn(&self, frontend: &str) -> Option<i64> {
        let fe = self.frontends.iter().find(|f| f.name == frontend)?;
        Some(fe.conns.load(std::sync::atomic::Ordering::Relaxed))
    }

    fn srv_conn(&self, backend: &str, server: &str) -> Option<i64> {
        let be = self.backend(backend)?;
        let i = be.server_index(server)?;
        be.served(i).map(i64::from)
    }

    fn srv_id(&self, backend: &str, server: &str) -> Option<i64> {
        let be = self.backend(backend)?;
        let i = be.server_index(server)?;
        be.servers.get(i).map(|s| i64::from(s.puid))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Parses a config text through the real front end (the same path `haproxy -f` uses).
    pub(crate) fn config(text: &str) -> ir::Config {
        let out = crate::config::haproxy::parser::load_from_memory(
            "t.cfg",
            text.as_bytes(),
            &Default::default(),
        );
        match out.config {
            Some(c) => c,
            None => panic!("config does not load: {:?}", out.diags),
        }
    }

    #[test]
    fn timeouts_fall_back_as_haproxy() {
        let t = Timeouts::from_ir(&ir::Timeouts {
            client: Some(5000),
            connect: Some(1000),
            ..Default::default()
        });
        assert_eq!(t.http_request, Some(Duration::from_secs(5)));
        assert_eq!(t.http_keep_alive, Some(Duration::from_secs(5)));
        assert_eq!(t.queue, Some(Duration::from_secs(1)));
        assert_eq!(t.server, None);
    }

    #[test]
    fn nets() {
        let (n, l) = parse_net("10.0.0.0/8").expect("net");
        assert!(net_contains(n, l, "10.1.2.3".parse().expect("ip")));
        assert!(!net_contains(n, l, "11.1.2.3".parse().expect("ip")));
        let (n, l) = parse_net("127.0.0.1/255.255.255.0").expect("net");
        assert_eq!(l, 24);
        assert!(net_contains(n, l, "::ffff:127.0.0.9".parse().expect("ip")));
    }
}
