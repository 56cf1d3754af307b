//! Administrative changes to the running state (runtime API, stats page admin actions):
//! server admin state, weights, frontend enable/disable, maxconn.
//!
//! HAProxy keeps a server's admin state (maintenance, drain: `SRV_ADMF_*`), its operational
//! state and its weight apart; the balancer here has one state per server, so every change
//! recomputes it from the three: maintenance wins, then a forced DOWN health, then drain or
//! a zero weight (no new traffic), else UP. The texts are HAProxy 2.6.12's CLI answers.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use super::Engine;
use crate::proxy::backend::ServerAddr;
use crate::proxy::stats::{admf, unix_now};

/// A server admin request (`set server B/S state ...`, `disable|enable server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminState {
    Ready,
    Drain,
    Maint,
}

/// Why an admin command failed: the text HAProxy answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("No such backend.")]
    NoBackend,
    #[error("No such server.")]
    NoServer,
    #[error("No such frontend.")]
    NoFrontend,
    #[error("Require 'backend/server'.")]
    NeedServer,
    #[error("{0}")]
    Text(String),
}

/// A `set server B/S check-addr|check-port` change (shown by `show servers state`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOverride {
    pub port: Option<u16>,
    pub addr: Option<String>,
}

/// Run-time settings the runtime API changes that have no place in the configuration
/// model, and the signal that wakes the accept loops after a change.
#[derive(Debug)]
pub struct Runtime {
    /// Bumped after `disable|enable frontend`, `set maxconn frontend|global` and
    /// `set rate-limit`: the accept loops re-read their limits.
    pub changed: tokio::sync::watch::Sender<u64>,
    /// `set rate-limit connections global` / `maxconnrate` (per second, 0 = none).
    pub conn_rate_limit: AtomicU32,
    /// `set rate-limit sessions global` / `maxsessrate`.
    pub sess_rate_limit: AtomicU32,
    /// `set rate-limit ssl-sessions global` / `maxsslrate`.
    pub ssl_rate_limit: AtomicU32,
    /// `set rate-limit http-compression global` / `maxcomprate`, in bytes per second.
    pub comp_rate_limit: AtomicU32,
    /// `set server B/S check-port|check-addr`, by (backend, server) index.
    pub checks: Mutex<HashMap<(usize, usize), CheckOverride>>,
    /// `show errors`: the last invalid request or response of each proxy.
    pub errors: crate::proxy::api::errors::Captures,
    /// `set maxconn frontend`, by frontend index (0 accepts nothing, as in HAProxy).
    fe_maxconn: Mutex<HashMap<usize, u32>>,
    /// The global maxconn the accept loops started with and the one applied to their
    /// semaphore (`set maxconn global`).
    global_maxconn: Mutex<Option<(u64, u64)>>,
    /// `set maxconn global` (0: the configured one).
    global_override: AtomicU32,
    /// Servers removed by `del server` (backend, server index): kept in maintenance,
    /// unknown to the commands.
    deleted: Mutex<std::collections::HashSet<(usize, usize)>>,
    /// A second descriptor of each TCP listening socket (frontend index, socket,
    /// backlog): `disable frontend` takes the socket out of the listening state at once,
    /// before the accept loop notices, as HAProxy's answer means it is done.
    listeners: Mutex<Vec<(usize, std::net::TcpListener, i32)>>,
    /// The global section (`add server` builds TLS to a new `ssl` server with its
    /// `ssl-default-server-*` and `ssl-server-verify`).
    pub global: crate::ir::haproxy::Global,
    /// Serializes `add server`s: a server's counters and its place in the backend must
    /// get the same index.
    adding: Mutex<()>,
    /// The running engine (set by the runtime API's start): `enable health` of an added
    /// server spawns its check task with it.
    engine: std::sync::OnceLock<std::sync::Weak<Engine>>,
    /// Added servers whose check task runs (backend, server index).
    checking: Mutex<std::collections::HashSet<(usize, usize)>>,
    /// Counts `disable frontend`s: an accept loop that finds it changed registers its
    /// socket again with the reactor (a disable and enable it did not see left a
    /// hang-up in its readiness).
    pub disables: std::sync::atomic::AtomicU64,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            changed: tokio::sync::watch::channel(0).0,
            conn_rate_limit: AtomicU32::new(0),
            sess_rate_limit: AtomicU32::new(0),
            ssl_rate_limit: AtomicU32::new(0),
            comp_rate_limit: AtomicU32::new(0),
            checks: Mutex::new(HashMap::new()),
            errors: Default::default(),
            fe_maxconn: Mutex::new(HashMap::new()),
            global_maxconn: Mutex::new(None),
            global_override: AtomicU32::new(0),
            deleted: Mutex::new(Default::default()),
            listeners: Mutex::new(Vec::new()),
            global: Default::default(),
            adding: Mutex::new(()),
            engine: std::sync::OnceLock::new(),
            checking: Mutex::new(Default::default()),
            disables: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl Runtime {
    /// The global `maxconnrate`, `maxsessrate`, `maxsslrate` and `maxcomprate` (kB/s).
    pub fn from_global(g: &crate::ir::haproxy::Global) -> Self {
        let r = Runtime {
            global: g.clone(),
            ..Runtime::default()
        };
        for d in &g.other {
            let v = d
                .args
                .first()
                .and_then(|a| a.parse::<u32>().ok())
                .unwrap_or(0);
            match d.keyword.as_str() {
                "maxconnrate" => r.conn_rate_limit.store(v, Relaxed),
                "maxsessrate" => r.sess_rate_limit.store(v, Relaxed),
                "maxsslrate" => r.ssl_rate_limit.store(v, Relaxed),
                "maxcomprate" => r.comp_rate_limit.store(v.saturating_mul(1024), Relaxed),
                _ => {}
            }
        }
        r
    }

    /// Remembers the running engine (once).
    pub fn set_engine(&self, engine: &std::sync::Arc<Engine>) {
        let _ = self.engine.set(std::sync::Arc::downgrade(engine));
    }

    /// Wakes the accept loops.
    pub fn notify(&self) {
        self.changed.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// The `set maxconn frontend` value of frontend `i`, if any.
    pub fn frontend_maxconn(&self, i: usize) -> Option<u32> {
        lock(&self.fe_maxconn).get(&i).copied()
    }

    /// Records the global maxconn the accept loops start with (once).
    pub fn init_global_maxconn(&self, n: u64) {
        lock(&self.global_maxconn).get_or_insert((n, n));
    }

    /// Calls `f(applied, wanted)` for the global semaphore when `set maxconn global`
    /// changed it; `f` resizes and updates `applied`.
    pub fn with_global_maxconn(&self, f: impl FnOnce(&mut u64, u64)) {
        let o = u64::from(self.global_override.load(Relaxed));
        let mut g = lock(&self.global_maxconn);
        if let Some((configured, applied)) = g.as_mut() {
            let want = if o > 0 { o } else { *configured };
            if want != *applied {
                f(applied, want);
            }
        }
    }

    /// `set rate-limit connections|sessions|ssl-sessions|http-compression global N`
    /// (HAProxy's `atoi`; compression in kB/s).
    pub fn set_rate_limit(&self, what: &str, v: &str) -> bool {
        let n = atoi(v).clamp(0, i64::from(u32::MAX)) as u32;
        let slot = match what {
            "connections" => &self.conn_rate_limit,
            "sessions" => &self.sess_rate_limit,
            "ssl-sessions" => &self.ssl_rate_limit,
            "http-compression" => {
                self.comp_rate_limit.store(n.saturating_mul(1024), Relaxed);
                self.notify();
                return true;
            }
            _ => return false,
        };
        slot.store(n, Relaxed);
        self.notify();
        true
    }

    /// Registers a duplicate of a listening socket of frontend `fe` (see `listeners`).
    pub fn register_listener(&self, fe: usize, sock: std::net::TcpListener, backlog: i32) {
        lock(&self.listeners).push((fe, sock, backlog));
    }

    /// Closes the duplicates of frontend `fe`'s sockets (its accept loops ended: a soft
    /// stop closes the listeners).
    pub fn drop_listeners(&self, fe: usize) {
        lock(&self.listeners).retain(|(i, _, _)| *i != fe);
    }

    /// Stops (a disconnect: new connections are refused) or resumes (listen)
    /// the listening sockets of frontend `fe`.
    fn pause_listeners(&self, fe: usize, pause: bool) {
        for (i, sock, backlog) in lock(&self.listeners).iter() {
            if *i != fe {
                continue;
            }
            let _ = if pause {
                crate::proxy::listen::suspend_listener(sock)
            } else {
                socket2::SockRef::from(sock).listen(*backlog)
            };
        }
    }

    /// Server `si` of backend `bi` was removed by `del server`.
    pub fn is_deleted(&self, bi: usize, si: usize) -> bool {
        lock(&self.deleted).contains(&(bi, si))
    }

    /// The check override of server `si` of backend `bi`.
    pub fn check_override(&self, bi: usize, si: usize) -> CheckOverride {
        lock(&self.checks)
            .get(&(bi, si))
            .cloned()
            .unwrap_or_default()
    }
}

/// Server keywords HAProxy 2.6.12 refuses in `add server` ("'X' option is not accepted
/// for dynamic server"), measured keyword by keyword.
const NOT_DYNAMIC: &[&str] = &[
    "cookie",
    "init-addr",
    "log-proto",
    "max-reuse",
    "namespace",
    "no-agent-check",
    "no-check",
    "no-check-send-proxy",
    "no-check-ssl",
    "no-send-proxy-v2-ssl",
    "no-send-proxy-v2-ssl-cn",
    "no-ssl",
    "non-stick",
    "redir",
    "resolve-net",
    "resolve-opts",
    "resolve-prefer",
    "resolvers",
    "socks4",
    "ssl-reuse",
    "stick",
    "tcp-ut",
];

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// C's `atoi`: optional blanks and sign, then the leading digits (0 without any).
fn atoi(v: &str) -> i64 {
    let t = v.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in t.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg { -n } else { n }
}

/// HAProxy's `atoi` on a port: the leading digits, wrapped to 16 bits (`70000` is 4464);
/// `None` without a leading digit.
fn port_atoi(p: &str) -> Option<u16> {
    let digits = p.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for b in p.bytes().take(digits) {
        v = v.wrapping_mul(10).wrapping_add(u32::from(b - b'0'));
    }
    Some(v as u16)
}

/// `inet_pton` for IPv4 or IPv6, brackets allowed around IPv6 (as HAProxy's
/// `str2ip2(..., 0)` without resolution).
fn parse_ip(a: &str) -> Option<IpAddr> {
    let a4 = a.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4);
    a4.or_else(|| {
        a.strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(a)
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(IpAddr::V6)
    })
}

impl Engine {
    /// `set server B/S addr IP [port P]`: HAProxy's report of what changed (the CLI
    /// prints it, with the `by 'stats socket command'` suffix). New connections go to the
    /// new address; the idle ones to the old address are closed.
    pub fn admin_set_addr(
        &self,
        spec: &str,
        addr: &str,
        port: Option<&str>,
    ) -> Result<String, AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let be = &self.backends[bi];
        let sv = &be.servers[si];
        let Some(ip) = parse_ip(addr) else {
            return Ok(format!("Invalid addr '{addr}'"));
        };
        let cur = sv.current_addr();
        let (cur_ip, cur_port) = match cur {
            ServerAddr::Fixed(a) => (a.ip(), Some(a.port())),
            ServerAddr::Relative { ip, .. } => (ip, None),
        };
        let mut msg = if cur_ip == ip {
            "no need to change the addr".to_string()
        } else {
            format!("IP changed from '{cur_ip}' to '{addr}'")
        };
        let mut new = match cur {
            ServerAddr::Fixed(a) => ServerAddr::Fixed(SocketAddr::new(ip, a.port())),
            ServerAddr::Relative { offset, .. } => ServerAddr::Relative { ip, offset },
        };
        if let Some(p) = port {
            if p.starts_with('+') || p.starts_with('-') {
                msg.push_str(", can't change <port> to port map because it is incompatible with current health check port configuration (use 'port' statement from the 'server' directive.");
            } else {
                match port_atoi(p) {
                    None => {
                        let _ = write!(msg, ", problem converting port '{p}' to an int");
                    }
                    Some(np) if cur_port == Some(np) => {
                        msg.push_str(", no need to change the port");
                    }
                    Some(np) => {
                        let _ = write!(
                            msg,
                            ", port changed from '{}' to '{np}'",
                            cur_port.unwrap_or(0)
                        );
                        new = ServerAddr::Fixed(SocketAddr::new(ip, np));
                    }
                }
            }
        }
        if new != cur {
            sv.set_addr(new);
            be.purge_idle(si);
        }
        Ok(msg)
    }

    /// `set server B/S check-port P` / `check-addr A [port P]`: recorded for `show servers
    /// state` (HAProxy's texts; without `check` on the server its refusal).
    pub fn admin_set_check(
        &self,
        spec: &str,
        addr: Option<&str>,
        port: Option<&str>,
    ) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        // `disable health` too (CHK_ST_ENABLED, measured)
        if !self.backends[bi].servers[si].ir.opts.check
            || self.stats.backends[bi].servers[si].checks_off.load(Relaxed)
        {
            return Err(AdminError::Text(
                "health checks are not enabled on this server".into(),
            ));
        }
        if let Some(a) = addr
            && parse_ip(a).is_none()
        {
            return Err(AdminError::Text(format!("invalid addr '{a}'")));
        }
        let port = match port {
            None => None,
            Some(p) => {
                let v: i64 = p
                    .parse()
                    .map_err(|_| AdminError::Text("provided port is not an integer".into()))?;
                Some(
                    u16::try_from(v)
                        .map_err(|_| AdminError::Text("provided port is invalid".into()))?,
                )
            }
        };
        let mut m = lock(self.checks_map());
        let o = m.entry((bi, si)).or_default();
        if let Some(a) = addr {
            o.addr = Some(a.to_string());
        }
        if port.is_some() {
            o.port = port;
        }
        Ok(())
    }

    fn checks_map(&self) -> &Mutex<HashMap<(usize, usize), CheckOverride>> {
        &self.admin.checks
    }

    /// `backend/server` to indices.
    pub fn admin_find(&self, spec: &str) -> Result<(usize, usize), AdminError> {
        let (b, s) = spec.split_once('/').ok_or(AdminError::NeedServer)?;
        let bi = self
            .backends
            .iter()
            .position(|x| x.name == b)
            .ok_or(AdminError::NoBackend)?;
        // a deleted server keeps its place: a server added again under its name is
        // another one
        let si = self.backends[bi]
            .servers
            .iter()
            .enumerate()
            .position(|(j, x)| &*x.name == s && !self.admin.is_deleted(bi, j))
            .ok_or(AdminError::NoServer)?;
        self.stats.bind(self, false);
        Ok((bi, si))
    }

    /// Applies the server's admin bits, forced health and weight to the balancer.
    fn admin_apply(&self, bi: usize, si: usize) {
        let (Some(be), Some(ss)) = (
            self.backends.get(bi),
            self.stats.backends.get(bi).and_then(|b| b.servers.get(si)),
        ) else {
            return;
        };
        let admin = ss.admin.load(Relaxed);
        // the weight first, so that a server coming back from weight 0 gets its share
        // at once; `effective_state` combines admin bits, forced health and the checks
        let w = ss.uweight.load(Relaxed);
        if w > 0 {
            let _ = be.set_server_weight(si, w);
        }
        let state = crate::proxy::stats::health::effective_state(ss);
        if state != crate::proxy::balance::ServerState::Maint {
            ss.fresh.store(false, Relaxed);
        }
        let reason = if admin & admf::MAINT != 0 {
            "Forced maintenance"
        } else {
            ""
        };
        // the transition line is for the log; the CLI answers nothing on success
        let _ = be.set_server_state(si, state, reason);
        ss.last_change.store(unix_now(), Relaxed);
        if let Some(bs) = self.stats.backends.get(bi) {
            bs.last_change.store(unix_now(), Relaxed);
        }
    }

    /// `set server B/S state ready|drain|maint`, `enable|disable server`.
    pub fn admin_set_state(&self, spec: &str, st: AdminState) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        match st {
            AdminState::Ready => {
                ss.admin
                    .fetch_and(!(admf::FMAINT | admf::CMAINT | admf::FDRAIN), Relaxed);
            }
            AdminState::Drain => {
                ss.admin.fetch_and(!(admf::FMAINT | admf::CMAINT), Relaxed);
                ss.admin.fetch_or(admf::FDRAIN, Relaxed);
            }
            AdminState::Maint => {
                ss.admin.fetch_and(!admf::FDRAIN, Relaxed);
                ss.admin.fetch_or(admf::FMAINT, Relaxed);
                ss.health_reset.store(true, Relaxed);
            }
        }
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `set server B/S health up|stopping|down`.
    pub fn admin_set_health(&self, spec: &str, up: bool) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        ss.forced_health.store(i64::from(up), Relaxed);
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `get weight B/S`: `W (initial I)`.
    pub fn admin_get_weight(&self, spec: &str) -> Result<String, AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        let initial = self.backends[bi].servers[si]
            .ir
            .opts
            .weight
            .unwrap_or(1)
            .clamp(0, 256);
        Ok(format!("{} (initial {initial})", ss.uweight.load(Relaxed)))
    }

    /// `set weight B/S W[%]` / `set server B/S weight W[%]`. A percentage is of the initial
    /// weight.
    pub fn admin_set_weight(&self, spec: &str, w: &str) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let initial = self.backends[bi].servers[si]
            .ir
            .opts
            .weight
            .unwrap_or(1)
            .clamp(0, 256) as u64;
        let weight = if let Some(p) = w.strip_suffix('%') {
            let pct: u64 = p
                .parse()
                .map_err(|_| AdminError::Text("Relative weight must be positive.".into()))?;
            initial * pct / 100
        } else {
            let v: i64 = w.parse().map_err(|_| {
                AdminError::Text("Absolute weight can only be between 0 and 256 inclusive.".into())
            })?;
            if !(0..=256).contains(&v) {
                return Err(AdminError::Text(
                    "Absolute weight can only be between 0 and 256 inclusive.".into(),
                ));
            }
            v as u64
        };
        if weight > 256 {
            return Err(AdminError::Text("Relative weight too large.".into()));
        }
        // static-rr refuses other weights than 0% and 100% with HAProxy's message
        if weight > 0 {
            self.backends[bi]
                .set_server_weight(si, weight as u32)
                .map_err(|e| AdminError::Text(e.to_string()))?;
        }
        let ss = &self.stats.backends[bi].servers[si];
        ss.uweight.store(weight as u32, Relaxed);
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `disable|enable frontend F`: its listeners stop accepting (connections are refused,
    /// as HAProxy's paused listeners refuse them) or accept again.
    pub fn admin_frontend(&self, name: &str, enable: bool) -> Result<(), AdminError> {
        let i = self
            .frontends
            .iter()
            .position(|f| f.name == name)
            .ok_or(AdminError::NoFrontend)?;
        if let Some(fs) = self.stats.frontends.get(i) {
            if fs.disabled.swap(!enable, Relaxed) != enable {
                return Err(AdminError::Text(if enable {
                    "All sockets are already enabled.".into()
                } else {
                    "All sockets are already disabled.".into()
                }));
            }
            if !enable {
                self.admin.disables.fetch_add(1, Relaxed);
            }
            self.admin.pause_listeners(i, !enable);
            self.admin.notify();
        }
        Ok(())
    }

    /// `set maxconn frontend F N` (HAProxy's `atoi`: a word is 0, which accepts nothing).
    pub fn admin_frontend_maxconn(&self, name: &str, v: &str) -> Result<(), AdminError> {
        let i = self
            .frontends
            .iter()
            .position(|f| f.name == name)
            .ok_or(AdminError::NoFrontend)?;
        let n = atoi(v);
        if n < 0 {
            return Err(AdminError::Text("Value out of range.".into()));
        }
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if let Some(fs) = self.stats.frontends.get(i) {
            fs.maxconn.store(n, Relaxed);
        }
        lock(&self.admin.fe_maxconn).insert(i, n);
        self.admin.notify();
        Ok(())
    }

    /// `set maxconn server B/S N` (HAProxy's `strl2ic`-style check: digits with an
    /// optional sign; a negative value is taken as HAProxy takes it, as is).
    pub fn admin_server_maxconn(&self, spec: &str, v: &str) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let t = v.strip_prefix(['-', '+']).unwrap_or(v);
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AdminError::Text(
                "maxconn string empty or preceded by garbage".into(),
            ));
        }
        let n = atoi(v).clamp(0, i64::from(u32::MAX)) as u32;
        if let Some(ss) = self.stats.backends.get(bi).and_then(|b| b.servers.get(si)) {
            ss.maxconn.store(n, Relaxed);
        }
        // a lower limit holds new requests back, a higher one serves the queue at once
        self.backends[bi].set_server_maxconn(si, n);
        Ok(())
    }

    /// `del server B/S`: HAProxy's conditions (maintenance, no connection); the server
    /// then disappears from the commands and stays in maintenance for the balancer.
    pub fn admin_del_server(&self, spec: &str) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        if ss.admin.load(Relaxed) & admf::MAINT == 0 {
            return Err(AdminError::Text(
                "Only servers in maintenance mode can be deleted.".into(),
            ));
        }
        if self.backends[bi].served(si).unwrap_or(0) > 0 {
            return Err(AdminError::Text(
                "Server still has connections attached to it, cannot remove it.".into(),
            ));
        }
        lock(&self.admin.deleted).insert((bi, si));
        Ok(())
    }

    /// `add server B/S ADDR [kw...]`: HAProxy 2.6's checks in its order, then the server
    /// joins the backend in forced maintenance (as HAProxy creates dynamic servers):
    /// `enable server` (or `set server ... state ready`) puts it into the balancer. The
    /// options are read by the configuration's own server-line parser; HAProxy's answer
    /// on success is "New server registered.".
    pub fn admin_add_server(&self, spec: &str, args: &[&str]) -> Result<String, AdminError> {
        let (b, s) = spec.split_once('/').ok_or(AdminError::NeedServer)?;
        if s.is_empty() {
            return Err(AdminError::NeedServer);
        }
        let bi = self
            .backends
            .iter()
            .position(|x| x.name == b)
            .ok_or(AdminError::NoBackend)?;
        let be = &self.backends[bi];
        if !be.dynamic_lb() {
            return Err(AdminError::Text(
                "Backend must use a dynamic load balancing to support dynamic servers.".into(),
            ));
        }
        if args.is_empty() {
            return Ok("'server' expects <name> and <addr>[:<port>] as arguments.".into());
        }
        // the keywords HAProxy 2.6 refuses on a dynamic server (no SRV_PARSE_DYNAMIC),
        // met in argument order (measured one by one against 2.6.12)
        let kws = crate::config::haproxy::server::server_keywords();
        let mut i = 1;
        while let Some(k) = args.get(i) {
            if NOT_DYNAMIC.contains(k) {
                return Ok(format!("'{k}' option is not accepted for dynamic server"));
            }
            let n = kws
                .iter()
                .find(|(n, _)| n == k)
                .map_or(0, |(_, n)| (*n).max(0) as usize);
            i += 1 + n;
        }
        let line: Vec<String> = ["server", s]
            .into_iter()
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let mut warnings = Vec::new();
        let mut ctx = crate::config::haproxy::expr::Ctx {
            file: "",
            line: 0,
            section: "backend",
            proxy: b,
            http: be.mode == super::Mode::Http,
            acl_names: &[],
            warnings: &mut warnings,
        };
        let who = format!("'server {b}/{s}' : ");
        let bare = |e: &str| -> String {
            // the CLI answers the parser's text without its `[file:line] : 'server B/S' : `
            let e = e.trim_start_matches(['\u{1}', '\u{2}', '\u{3}']);
            let e = e.split('\u{1e}').next().unwrap_or(e);
            let e = e.split_once(&who).map_or(e, |x| x.1);
            e.strip_prefix("[:0] : ").unwrap_or(e).to_string()
        };
        let sv = match crate::config::haproxy::server::parse_server(&line, None, &mut ctx) {
            Ok(mut v) if !v.is_empty() => v.remove(0),
            Ok(_) => return Ok("'server' expects <name> and <addr>[:<port>] as arguments.".into()),
            Err(e) => return Ok(bare(&e)),
        };
        let verify_none = self
            .admin
            .global
            .other
            .iter()
            .rev()
            .find(|d| d.keyword == "ssl-server-verify")
            .is_some_and(|d| d.args.first().is_some_and(|a| a == "none"));
        if let Some(e) = crate::config::haproxy::server::ssl_init_errors(&sv, verify_none).first() {
            return Ok(bare(e));
        }
        if let Some(t) = sv.opts.track.as_deref() {
            // HAProxy 2.6.12's checks of the tracked server (measured); tandem does not
            // make an added server follow it yet
            let (tb, ts) = t.split_once('/').unwrap_or((b, t));
            let Some(tbe) = self.backends.iter().find(|x| x.name == tb) else {
                return Ok(format!(
                    "unable to find required proxy '{tb}' for tracking."
                ));
            };
            let Some(target) = tbe.servers.iter().find(|x| &*x.name == ts) else {
                return Ok(format!(
                    "unable to find required server '{ts}' for tracking."
                ));
            };
            if !target.ir.opts.check && !target.ir.opts.agent_check {
                return Ok(format!(
                    "unable to use {tb}/{ts} for tracking as it does not have any check nor agent enabled."
                ));
            }
        }
        let _adding = lock(&self.admin.adding);
        let live = |j: usize| !self.admin.is_deleted(bi, j);
        if be
            .servers
            .iter()
            .enumerate()
            .any(|(j, x)| &*x.name == s && live(j))
        {
            return Ok("Already exists a server with the same name in backend.".into());
        }
        // HAProxy's `get_next_id`: the lowest id no live server holds
        let used: std::collections::HashSet<u32> = be
            .servers
            .iter()
            .enumerate()
            .filter(|(j, _)| live(*j))
            .map(|(_, x)| x.puid)
            .collect();
        let puid = match sv.opts.id {
            Some(id) => {
                let id = u32::try_from(id).unwrap_or(0);
                if let Some(x) = be
                    .servers
                    .iter()
                    .enumerate()
                    .find(|(j, x)| x.puid == id && live(*j))
                    .map(|(_, x)| x)
                {
                    // an added server has no file: HAProxy prints its NULL as `(null)`
                    let file = if x.ir.file.is_empty() {
                        "(null)"
                    } else {
                        x.ir.file.as_str()
                    };
                    return Ok(format!(
                        "'id' : custom id {id} already used at {file}:{} ('server {}').",
                        x.ir.line, x.name
                    ));
                }
                id
            }
            None => (1..).find(|id| !used.contains(id)).unwrap_or(1),
        };
        let weight = sv.opts.weight.unwrap_or(1).clamp(0, 256) as u32;
        let before = be.servers.len();
        let check = sv.opts.check;
        let disabled = sv.opts.disabled;
        let counters = || {
            let si = self.stats.add_server(bi, weight, check)?;
            if disabled {
                // `disabled` adds the configuration's maintenance (admin state 5)
                let ss = self.stats.backends.get(bi)?.servers.get(si)?;
                ss.admin
                    .fetch_or(crate::proxy::stats::admf::CMAINT, Relaxed);
            }
            Some(si)
        };
        match be.add_server(sv, puid, &self.admin.global, counters) {
            Ok(si) if si == before => {}
            Ok(_) | Err(_) => {
                return Err(AdminError::Text("Failed to register the server.".into()));
            }
        }
        // HAProxy 2.6.12 `-db` on stderr: `[NOTICE]   (PID) : CLI : 'server B/S' : New
        // server registered.`
        eprintln!(
            "{:<11}({}) : CLI : 'server {b}/{s}' : New server registered.",
            "[NOTICE]",
            std::process::id()
        );
        Ok("New server registered.".into())
    }

    /// `enable|disable health B/S`: HAProxy's answer for a server without `check`; the
    /// checks of a server added with `check` start at its first `enable health`.
    /// `disable health` pauses what the checks do to the server (its state stays) and
    /// shows it unchecked.
    pub fn admin_health_checks(&self, spec: &str, enable: bool) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let sv = &self.backends[bi].servers[si];
        let ss = &self.stats.backends[bi].servers[si];
        if !sv.ir.opts.check {
            return if enable {
                Err(AdminError::Text(
                    "Health check was not configured on this server, cannot enable.".into(),
                ))
            } else {
                Ok(())
            };
        }
        ss.checks_off.store(!enable, Relaxed);
        // pauses or resumes the check task (stats/health.rs)
        crate::proxy::stats::health::on_health_cli(self, bi, si, enable);
        let added = sv.ir_idx >= self.backends[bi].ir.servers.len();
        if enable && added && lock(&self.admin.checking).insert((bi, si)) {
            self.spawn_checks(bi, si);
        }
        Ok(())
    }

    /// Starts the check task of added server `si` of backend `bi`: planned as a server
    /// line of its backend would be; its results go through the engine as the
    /// configuration's checks do, transitions printed as the runtime prints them.
    fn spawn_checks(&self, bi: usize, si: usize) {
        let Some(engine) = self.admin.engine.get().and_then(std::sync::Weak::upgrade) else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let be = &self.backends[bi];
        let sv = &be.servers[si];
        let mut proxy = be.ir.clone();
        proxy.servers = vec![crate::ir::haproxy::Located {
            span: Default::default(),
            value: sv.ir.clone(),
        }];
        let cfg = crate::ir::haproxy::Config {
            global: self.admin.global.clone(),
            ..Default::default()
        };
        let mut plans = match crate::proxy::checks::run::plan_for_backend(&cfg, &proxy) {
            Ok(p) => p,
            Err(e) => {
                crate::proxy::log::stderr_warning(&format!(
                    "CLI : server {}/{} : health checks not started: {e}",
                    be.name, sv.name
                ));
                return;
            }
        };
        for p in &mut plans {
            // the engine finds the server by this index
            p.server_idx = sv.ir_idx;
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let stop = engine.stopping().clone();
        let _guard = rt.enter();
        crate::proxy::checks::run::spawn(plans, tx, stop);
        rt.spawn(async move {
            while let Some(ev) = rx.recv().await {
                let Some(t) = engine.on_health_event(&ev) else {
                    continue;
                };
                for t in std::iter::once(&t).chain(&t.followers) {
                    crate::proxy::log::stderr_warning(&t.line);
                    if t.no_server_left {
                        eprintln!(
                            "{:<11}({}) : {}",
                            "[ALERT]",
                            std::process::id(),
                            crate::proxy::checks::run::no_server_available_message(&t.backend)
                        );
                    }
                }
            }
        });
    }

    /// `set maxconn global N`: 0 or less is the configured (hard) maxconn, above it is
    /// refused.
    pub fn admin_global_maxconn(&self, v: &str) -> Result<(), AdminError> {
        let hard = self.stats.bind(self, false).maxconn;
        let n = atoi(v);
        if n > i64::from(hard) {
            return Err(AdminError::Text("Value out of range.".into()));
        }
        let n = if n <= 0 { 0 } else { n as u32 };
        self.stats.maxconn_override.store(n, Relaxed);
        self.admin.global_override.store(n, Relaxed);
        self.admin.notify();
        Ok(())
    }

    /// Whether frontend `i` accepts new connections (`disable frontend` stops it).
    pub fn frontend_enabled(&self, i: usize) -> bool {
        self.stats
            .frontends
            .get(i)
            .is_none_or(|f| !f.disabled.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::engine::tests::config;

    fn engine() -> std::sync::Arc<Engine> {
        let cfg = config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2 weight 4\n",
        );
        Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine")
    }

    /// `add server`: HAProxy 2.6.12's answers (measured), the server in maintenance until
    /// `enable server`, then usable; deleted, its name can be added again.
    #[test]
    fn add_server_in_maintenance_then_enabled() {
        let e = engine();
        let be = e.backend("be").expect("be");
        let add = |a: &[&str]| e.admin_add_server("be/n1", a).expect("answer");
        assert_eq!(
            add(&["127.0.0.1:3", "weight", "300"]),
            "weight of server n1 is not within 0 and 256 (300).."
        );
        assert_eq!(
            add(&["127.0.0.1:3", "foo"]),
            "unknown keyword 'foo'; did you mean 'tfo' maybe ?"
        );
        assert_eq!(
            add(&["127.0.0.1:3", "redir", "http://a"]),
            "'redir' option is not accepted for dynamic server"
        );
        assert_eq!(
            add(&["127.0.0.1:3", "weight", "3"]),
            "New server registered."
        );
        assert_eq!(
            add(&["127.0.0.1:3"]),
            "Already exists a server with the same name in backend."
        );
        let (bi, si) = e.admin_find("be/n1").expect("found");
        assert_eq!((bi, si), (0, 2));
        assert_eq!(be.servers[si].puid, 3);
        assert!(!be.server_usable(si));
        assert_eq!(e.admin_get_weight("be/n1").expect("w"), "3 (initial 3)");
        e.admin_set_state("be/n1", AdminState::Ready)
            .expect("ready");
        assert!(be.server_usable(si));
        assert_eq!(
            e.admin_del_server("be/n1").map_err(|x| x.to_string()),
            Err("Only servers in maintenance mode can be deleted.".into())
        );
        e.admin_set_state("be/n1", AdminState::Maint)
            .expect("maint");
        e.admin_del_server("be/n1").expect("deleted");
        assert_eq!(e.admin_find("be/n1"), Err(AdminError::NoServer));
        // a new server: a new place, the lowest free id
        assert_eq!(add(&["127.0.0.1:4"]), "New server registered.");
        assert_eq!(e.admin_find("be/n1").expect("found"), (0, 3));
        assert_eq!(be.servers[3].puid, 3);
        assert_eq!(e.stats.backends[0].servers.len(), be.servers.len());
    }

    #[test]
    fn maint_drain_ready_change_routing() {
        let e = engine();
        let be = e.backend("be").expect("be");
        e.admin_set_state("be/s1", AdminState::Maint).expect("ok");
        assert!(!be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Ready).expect("ok");
        assert!(be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Drain).expect("ok");
        assert!(!be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Ready).expect("ok");
        assert!(be.server_usable(0));
    }

    #[test]
    fn set_addr_texts_and_effect() {
        let e = engine();
        let be = e.backend("be").expect("be");
        // HAProxy 2.6.12's reports (without the ` by 'stats socket command'` suffix)
        assert_eq!(
            e.admin_set_addr("be/s1", "127.0.0.2", None).as_deref(),
            Ok("IP changed from '127.0.0.1' to '127.0.0.2'")
        );
        assert_eq!(be.servers[0].dest(None), "127.0.0.2:1".parse().expect("a"));
        assert_eq!(
            e.admin_set_addr("be/s1", "127.0.0.2", Some("70000"))
                .as_deref(),
            Ok("no need to change the addr, port changed from '1' to '4464'")
        );
        assert_eq!(
            e.admin_set_addr("be/s1", "[::1]", Some("4464")).as_deref(),
            Ok("IP changed from '127.0.0.2' to '[::1]', no need to change the port")
        );
        assert_eq!(be.servers[0].dest(None), "[::1]:4464".parse().expect("a"));
        assert_eq!(
            e.admin_set_addr("be/s1", "::1", Some("abc")).as_deref(),
            Ok("no need to change the addr, problem converting port 'abc' to an int")
        );
        assert_eq!(
            e.admin_set_addr("be/s1", "localhost", None).as_deref(),
            Ok("Invalid addr 'localhost'")
        );
        // the configured address is kept apart
        assert_eq!(
            be.servers[0].addr,
            ServerAddr::Fixed("127.0.0.1:1".parse().expect("a"))
        );
    }

    #[test]
    fn frontends_and_servers_lifecycle() {
        let cfg = config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2 disabled\nbackend st\n balance static-rr\n server s3 127.0.0.1:3\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let txt = |r: Result<(), AdminError>| r.map_err(|x| x.to_string());
        let gen_rx = e.admin.changed.subscribe();
        assert_eq!(txt(e.admin_frontend("fe", false)), Ok(()));
        assert!(gen_rx.has_changed().unwrap_or(false));
        assert!(!e.frontend_enabled(0));
        // HAProxy 2.6.12's answers
        assert_eq!(
            txt(e.admin_frontend("fe", false)),
            Err("All sockets are already disabled.".into())
        );
        assert_eq!(txt(e.admin_frontend("fe", true)), Ok(()));
        assert_eq!(
            txt(e.admin_frontend("fe", true)),
            Err("All sockets are already enabled.".into())
        );
        assert_eq!(txt(e.admin_frontend_maxconn("fe", "abc")), Ok(()));
        assert_eq!(e.admin.frontend_maxconn(0), Some(0));
        assert_eq!(
            txt(e.admin_frontend_maxconn("fe", "-1")),
            Err("Value out of range.".into())
        );
        assert_eq!(
            txt(e.admin_del_server("be/s1")),
            Err("Only servers in maintenance mode can be deleted.".into())
        );
        assert_eq!(txt(e.admin_del_server("be/s2")), Ok(()));
        assert_eq!(
            txt(e.admin_del_server("be/s2")),
            Err("No such server.".into())
        );
        assert_eq!(
            e.admin_add_server("st/x", &["127.0.0.1:1"])
                .map_err(|x| x.to_string()),
            Err("Backend must use a dynamic load balancing to support dynamic servers.".into())
        );
        assert_eq!(
            e.admin_add_server("be/s1", &["127.0.0.1:1"]).as_deref(),
            Ok("Already exists a server with the same name in backend.")
        );
        assert_eq!(
            e.admin_server_maxconn("be/s1", "x")
                .map_err(|x| x.to_string()),
            Err("maxconn string empty or preceded by garbage".into())
        );
    }

    #[test]
    fn weights_and_errors_as_haproxy() {
        let e = engine();
        // HAProxy 2.6.12 answers
        assert_eq!(e.admin_get_weight("be/s2").as_deref(), Ok("4 (initial 4)"));
        e.admin_set_weight("be/s2", "50%").expect("ok");
        assert_eq!(e.admin_get_weight("be/s2").as_deref(), Ok("2 (initial 4)"));
        assert_eq!(
            e.admin_set_weight("be/s2", "300")
                .map_err(|x| x.to_string()),
            Err("Absolute weight can only be between 0 and 256 inclusive.".into())
        );
        assert_eq!(
            e.admin_get_weight("be/zz").map_err(|x| x.to_string()),
            Err("No such server.".into())
        );
        assert_eq!(
            e.admin_get_weight("zz/s1").map_err(|x| x.to_string()),
            Err("No such backend.".into())
        );
        assert_eq!(
            e.admin_get_weight("be").map_err(|x| x.to_string()),
            Err("Require 'backend/server'.".into())
        );
        e.admin_set_weight("be/s1", "0").expect("ok");
        assert!(!e.backend("be").expect("be").server_usable(0));
    }
}
