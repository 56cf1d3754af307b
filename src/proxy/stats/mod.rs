//! HAProxy's statistics: per-proxy and per-server counters, and the reports built from
//! them (the stats page, `;csv`, `;json`, `show stat`, `show info`, Prometheus).
//!
//! The sessions report each finished transaction or TCP session with [`Registry::account`];
//! the reports read the counters. Counters are plain atomics so that the hot path takes no
//! lock. Names are resolved to indices once ([`Registry::bind`], done by the runtime API's
//! start and by the first report); until then `account` finds nothing to count.

pub mod fields;
pub mod health;
pub mod info;
pub mod page;
pub mod prom;
pub mod prom_table;
pub mod report;
pub mod vrrp;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::proxy::engine::Engine;
use crate::proxy::log::LogRecord;

/// HAProxy's `TIME_STATS_SAMPLES`: the window of the `qtime`/`ctime`/`rtime`/`ttime` averages.
const TIME_STATS_SAMPLES: u64 = 512;

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    crate::proxy::clock::unix_secs()
}

/// Milliseconds since the Unix epoch.
pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// An events-per-second counter (HAProxy's `freq_ctr` over one second): the current
/// second's count and the previous one's, read as HAProxy does (previous scaled by what is
/// left of the current second, plus current).
#[derive(Debug, Default)]
pub struct FreqCtr {
    /// Milliseconds since the registry's start at which the current period began.
    start_ms: AtomicU64,
    curr: AtomicU32,
    prev: AtomicU32,
    max: AtomicU32,
}

impl FreqCtr {
    fn rotate(&self, now_ms: u64) {
        let start = self.start_ms.load(Relaxed);
        if now_ms < start + 1000 {
            return;
        }
        if self
            .start_ms
            .compare_exchange(start, now_ms - (now_ms - start) % 1000, Relaxed, Relaxed)
            .is_ok()
        {
            let c = self.curr.swap(0, Relaxed);
            // more than one period elapsed: the previous one was empty
            self.prev
                .store(if now_ms < start + 2000 { c } else { 0 }, Relaxed);
        }
    }

    pub fn inc(&self, now_ms: u64) {
        self.rotate(now_ms);
        self.curr.fetch_add(1, Relaxed);
        let r = self.read(now_ms);
        self.max.fetch_max(r, Relaxed);
    }

    pub fn read(&self, now_ms: u64) -> u32 {
        self.rotate(now_ms);
        let start = self.start_ms.load(Relaxed);
        let elapsed = now_ms.saturating_sub(start).min(1000);
        let prev = u64::from(self.prev.load(Relaxed));
        let curr = u64::from(self.curr.load(Relaxed));
        (curr + prev * (1000 - elapsed) / 1000) as u32
    }

    pub fn max(&self) -> u32 {
        self.max.load(Relaxed)
    }
}

/// A sliding average over [`TIME_STATS_SAMPLES`] (HAProxy's `swrate_add`/`swrate_avg`), and
/// its maximum.
#[derive(Debug, Default)]
pub struct SwRate {
    sum: AtomicU64,
    max: AtomicU64,
}

impl SwRate {
    pub fn add(&self, v: u64) {
        let _ = self.sum.fetch_update(Relaxed, Relaxed, |s| {
            Some(s - s.div_ceil(TIME_STATS_SAMPLES) + v)
        });
        self.max.fetch_max(v, Relaxed);
    }

    /// The average over the samples seen, up to the window (`samples` = events counted).
    pub fn avg(&self, samples: u64) -> u64 {
        let n = samples.clamp(1, TIME_STATS_SAMPLES);
        self.sum.load(Relaxed).div_ceil(n)
    }

    pub fn max(&self) -> u64 {
        self.max.load(Relaxed)
    }
}

/// Which `tcp-request` rule set refused a connection ([`Registry::count_rejected`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Connection,
    Session,
    Content,
}

/// The counters HAProxy keeps for a frontend, a backend or a server (`struct fe_counters`,
/// `be_counters`); each report shows the ones its object type has.
#[derive(Debug, Default)]
pub struct Counters {
    pub cum_sess: AtomicU64,
    pub cum_conn: AtomicU64,
    pub cum_req: AtomicU64,
    pub cum_lbconn: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub denied_req: AtomicU64,
    pub denied_resp: AtomicU64,
    pub failed_req: AtomicU64,
    pub failed_conns: AtomicU64,
    pub failed_resp: AtomicU64,
    pub retries: AtomicU64,
    pub redispatches: AtomicU64,
    /// 1xx, 2xx, 3xx, 4xx, 5xx, other.
    pub hrsp: [AtomicU64; 6],
    pub cli_aborts: AtomicU64,
    pub srv_aborts: AtomicU64,
    pub intercepted: AtomicU64,
    pub failed_rewrites: AtomicU64,
    pub internal_errors: AtomicU64,
    pub connect: AtomicU64,
    pub reuse: AtomicU64,
    pub denied_conn: AtomicU64,
    pub denied_sess: AtomicU64,
    /// Highest concurrent sessions seen.
    pub smax: AtomicU64,
    /// Highest queue length seen.
    pub qmax: AtomicU64,
    /// Unix time of the last session (0: never).
    pub last_sess: AtomicU64,
    pub sess_rate: FreqCtr,
    pub conn_rate: FreqCtr,
    pub req_rate: FreqCtr,
    pub q_time: SwRate,
    pub c_time: SwRate,
    pub d_time: SwRate,
    pub t_time: SwRate,
}

impl Counters {
    fn add_status(&self, status: i32) {
        let i = match status {
            100..=199 => 0,
            200..=299 => 1,
            300..=399 => 2,
            400..=499 => 3,
            500..=599 => 4,
            _ => 5,
        };
        self.hrsp[i].fetch_add(1, Relaxed);
    }

    /// Resets everything (`clear counters all`).
    pub fn clear_all(&self) {
        for a in [
            &self.cum_sess,
            &self.cum_conn,
            &self.cum_req,
            &self.cum_lbconn,
            &self.bytes_in,
            &self.bytes_out,
            &self.denied_req,
            &self.denied_resp,
            &self.failed_req,
            &self.failed_conns,
            &self.failed_resp,
            &self.retries,
            &self.redispatches,
            &self.cli_aborts,
            &self.srv_aborts,
            &self.intercepted,
            &self.failed_rewrites,
            &self.internal_errors,
            &self.connect,
            &self.reuse,
            &self.denied_conn,
            &self.denied_sess,
        ] {
            a.store(0, Relaxed);
        }
        for h in &self.hrsp {
            h.store(0, Relaxed);
        }
        self.clear_max();
    }

    /// Resets the maxima (`clear counters`).
    pub fn clear_max(&self) {
        self.smax.store(0, Relaxed);
        self.qmax.store(0, Relaxed);
        self.sess_rate.max.store(0, Relaxed);
        self.conn_rate.max.store(0, Relaxed);
        self.req_rate.max.store(0, Relaxed);
        for r in [&self.q_time, &self.c_time, &self.d_time, &self.t_time] {
            r.max.store(0, Relaxed);
        }
    }
}

/// What the retries of the streams did to a server or a backend, counted once per attempt
/// as HAProxy 2.6's `stream_choose_redispatch` counts them (the backend module bumps them
/// when it decides a retry; the reports add them to the session counters).
#[derive(Debug, Default)]
pub struct RetryCounters {
    /// `wretr`: retries that stayed on the server.
    pub retries: AtomicU64,
    /// `wredis`: retries that left it for another one.
    pub redispatches: AtomicU64,
    /// Connection attempts a retry left behind: HAProxy counts every attempt in `stot`.
    pub left_attempts: AtomicU64,
    /// Balancing decisions a redispatch left behind (`lbtot`).
    pub left_lb: AtomicU64,
    /// Requests sent on an idle connection (`reuse`; HAProxy counts a request either there
    /// or in `connect`, in `connect_server`).
    pub reuses: AtomicU64,
}

impl RetryCounters {
    /// One retry after an attempt on this server (or backend); `redispatch`: it leaves the
    /// server.
    pub fn count(&self, redispatch: bool) {
        self.left_attempts.fetch_add(1, Relaxed);
        if redispatch {
            self.redispatches.fetch_add(1, Relaxed);
            self.left_lb.fetch_add(1, Relaxed);
        } else {
            self.retries.fetch_add(1, Relaxed);
        }
    }

    /// A request goes on an idle connection.
    pub fn count_reuse(&self) {
        self.reuses.fetch_add(1, Relaxed);
    }

    /// `clear counters all`.
    pub fn clear(&self) {
        for a in [
            &self.retries,
            &self.redispatches,
            &self.left_attempts,
            &self.left_lb,
            &self.reuses,
        ] {
            a.store(0, Relaxed);
        }
    }
}

/// Administrative state bits of a server, as HAProxy's `srv_admin_state` (`SRV_ADMF_*`).
pub mod admf {
    /// `SRV_ADMF_FMAINT`: forced maintenance (CLI, stats page).
    pub const FMAINT: u8 = 0x01;
    /// `SRV_ADMF_CMAINT`: maintenance from the configuration (`disabled`).
    pub const CMAINT: u8 = 0x04;
    /// `SRV_ADMF_FDRAIN`: forced drain.
    pub const FDRAIN: u8 = 0x08;
    pub const MAINT: u8 = FMAINT | CMAINT;
}

/// One server's counters and the run-time settings the admin actions change.
#[derive(Debug, Default)]
pub struct ServerStats {
    pub c: Counters,
    /// `SRV_ADMF_*` bits.
    pub admin: AtomicU8,
    /// The user weight (`set weight`), initially the configured one.
    pub uweight: AtomicU32,
    /// `set server ... maxconn` (0: the configured value).
    pub maxconn: AtomicU32,
    /// Unix time of the last state change.
    pub last_change: AtomicU64,
    /// Operational health as set by `set server ... health` (1 up, 0 down, -1 from checks).
    pub forced_health: AtomicI64,
    /// The check health counter was reset by a maintenance (HAProxy keeps it at 0 for a
    /// server without checks once it has been in maintenance).
    pub health_reset: std::sync::atomic::AtomicBool,
    /// The last health check and the counters derived from the checks.
    pub health: health::ServerHealth,
    /// Its health checks are not running: a server added by `add server` with `check`
    /// until `enable health`, or `disable health` (HAProxy then shows it as unchecked,
    /// with its check only configured: `srv_check_state` 2).
    pub checks_off: std::sync::atomic::AtomicBool,
    /// Added by `add server` and not out of maintenance yet: HAProxy 2.6 has not
    /// computed its effective weight then, and shows a weight of 1.
    pub fresh: std::sync::atomic::AtomicBool,
    /// `slowstart`: unix time in milliseconds the server came up and its weight started to ramp (0: at
    /// full weight).
    pub warm_since: std::sync::Arc<AtomicU64>,
}

impl ServerStats {
    /// A server's counters at `now` (unix seconds), health from the checks.
    fn new(now: u64) -> Self {
        ServerStats {
            last_change: AtomicU64::new(now),
            forced_health: AtomicI64::new(-1),
            ..Default::default()
        }
    }
}

/// One backend's counters and its servers'.
#[derive(Debug, Default)]
pub struct BackendStats {
    pub c: Counters,
    /// Indexed like the backend's servers, and grown with them (`add server`).
    pub servers: crate::proxy::balance::slots::AppendVec<ServerStats>,
    pub last_change: AtomicU64,
}

/// One frontend's counters and admin state.
#[derive(Debug, Default)]
pub struct FrontendStats {
    pub c: Counters,
    /// `disable frontend`.
    pub disabled: std::sync::atomic::AtomicBool,
    /// `set maxconn frontend` (0: configured).
    pub maxconn: AtomicU32,
}

/// Server indexes by name.
pub type NameMap = HashMap<String, usize, foldhash::fast::RandomState>;

/// Names and ids resolved once from the running configuration.
#[derive(Debug, Default)]
pub struct Meta {
    // looked up for every request: a fast hash
    pub fe_by_name: HashMap<String, usize, foldhash::fast::RandomState>,
    pub be_by_name: HashMap<String, (usize, NameMap), foldhash::fast::RandomState>,
    /// HAProxy's proxy ids (`iid`) by proxy name: declaration order, from 2 when the CLI's
    /// own proxy (`GLOBAL`) took 1.
    pub iid: HashMap<String, u32>,
    /// The default `fullconn` of each backend (index), as HAProxy computes it.
    pub fullconn: Vec<u32>,
    /// Global maxconn as HAProxy reports it.
    pub maxconn: u32,
}

/// Every counter of the running configuration, indexed like `Engine::frontends()` and
/// `Engine::backends()` (servers by their index in the backend).
#[derive(Debug)]
pub struct Registry {
    pub frontends: Vec<FrontendStats>,
    pub backends: Vec<BackendStats>,
    meta: OnceLock<Meta>,
    start: Instant,
    pub start_unix: u64,
    /// Process-wide: connections and requests accepted, and their rates.
    pub cum_conns: AtomicU64,
    pub cum_req: AtomicU64,
    pub conn_rate: FreqCtr,
    pub sess_rate: FreqCtr,
    pub bytes_out: AtomicU64,
    /// `set maxconn global` (0: configured).
    pub maxconn_override: AtomicU32,
    /// The VRRP engine's metrics, when `tandem run` runs it next to this proxy (set once
    /// by `tandem run`; see [`vrrp`]).
    pub vrrp: OnceLock<vrrp::VrrpFeed>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new(0, &[])
    }
}

impl Registry {
    /// Empty counters for a configuration with these proxies.
    pub fn new(frontends: usize, backends: &[usize]) -> Self {
        let now = unix_now();
        Registry {
            frontends: (0..frontends).map(|_| FrontendStats::default()).collect(),
            backends: backends
                .iter()
                .map(|n| BackendStats {
                    servers: (0..*n).map(|_| ServerStats::new(now)).collect(),
                    last_change: AtomicU64::new(now),
                    ..Default::default()
                })
                .collect(),
            meta: OnceLock::new(),
            start: Instant::now(),
            start_unix: now,
            cum_conns: AtomicU64::new(0),
            cum_req: AtomicU64::new(0),
            conn_rate: FreqCtr::default(),
            sess_rate: FreqCtr::default(),
            bytes_out: AtomicU64::new(0),
            maxconn_override: AtomicU32::new(0),
            vrrp: OnceLock::new(),
        }
    }

    /// Milliseconds since the registry was built (the rates' clock).
    pub fn now_ms(&self) -> u64 {
        crate::proxy::clock::now()
            .saturating_duration_since(self.start)
            .as_millis() as u64
    }

    pub fn uptime_secs(&self) -> u64 {
        self.start.elapsed().as_secs()
    }

    /// Resolves names and ids from the running engine (idempotent). `cli_proxy`: a `stats
    /// socket` exists, so HAProxy's internal CLI proxy holds id 1.
    pub fn bind(&self, engine: &Engine, cli_proxy: bool) -> &Meta {
        self.meta.get_or_init(|| {
            let mut m = Meta::default();
            for (i, f) in engine.frontends().iter().enumerate() {
                m.fe_by_name.insert(f.name.clone(), i);
            }
            for (i, b) in engine.backends().iter().enumerate() {
                let srv = b
                    .servers
                    .iter()
                    .enumerate()
                    .map(|(j, s)| (s.name.to_string(), j))
                    .collect();
                m.be_by_name.insert(b.name.clone(), (i, srv));
                if let Some(bs) = self.backends.get(i) {
                    for (j, s) in b.servers.iter().enumerate() {
                        if let Some(ss) = bs.servers.get(j) {
                            let w = s.ir.opts.weight.unwrap_or(1).clamp(0, 256) as u32;
                            ss.uweight.store(w, Relaxed);
                            if s.ir.opts.disabled {
                                ss.admin.fetch_or(admf::CMAINT, Relaxed);
                                ss.health_reset.store(true, Relaxed);
                            }
                        }
                    }
                }
            }
            // ids in declaration order: frontends and backends interleave as in the file
            let mut order: Vec<(u32, &str)> = Vec::new();
            for f in engine.frontends() {
                order.push((f.ir.span.line, &f.name));
            }
            for b in engine.backends() {
                if !m.fe_by_name.contains_key(&b.name) {
                    order.push((b.ir.span.line, &b.name));
                }
            }
            order.sort();
            let first = if cli_proxy { 2 } else { 1 };
            for (id, (_, n)) in (first..).zip(order) {
                m.iid.insert(n.to_string(), id);
            }
            m.maxconn = engine
                .global
                .maxconn
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(DEFAULT_MAXCONN);
            // HAProxy: a backend's default fullconn is 10% of the maxconn of the frontends
            // that can reach it, rounded up
            m.fullconn = engine
                .backends()
                .iter()
                .map(|b| {
                    if let Some(fc) = b.ir.settings.fullconn.and_then(|v| u32::try_from(v).ok()) {
                        return fc;
                    }
                    let total: u64 = engine
                        .frontends()
                        .iter()
                        .filter(|f| {
                            f.fallback_backend().is_some_and(|x| x.name == b.name)
                                || f.use_backends
                                    .iter()
                                    .any(|(_, t)| t.as_ref().is_some_and(|x| x.name == b.name))
                        })
                        .map(|f| u64::from(fe_maxconn(f, m.maxconn)))
                        .sum();
                    total.div_ceil(10) as u32
                })
                .collect();
            m
        })
    }

    /// `add server`: counters for a new server of backend `bi`, in forced maintenance
    /// with user weight `weight` (HAProxy 2.6 creates dynamic servers so; the health
    /// counter starts at 0 as for a server that has been in maintenance). Returns its
    /// index, the one the backend gives the server next. `check`: its checks wait for
    /// `enable health`.
    pub fn add_server(&self, bi: usize, weight: u32, check: bool) -> Option<usize> {
        let ss = ServerStats::new(unix_now());
        ss.checks_off.store(check, Relaxed);
        ss.admin.store(admf::FMAINT, Relaxed);
        ss.uweight.store(weight, Relaxed);
        ss.health_reset.store(true, Relaxed);
        ss.fresh.store(true, Relaxed);
        // HAProxy creates a checked one STOPPED: entering maintenance is no DOWN
        // transition here, and its checks bring it up; one without checks is up as soon
        // as it leaves maintenance
        if check {
            ss.start_stopped();
        }
        self.backends.get(bi)?.servers.push(ss)
    }

    pub fn meta(&self) -> Option<&Meta> {
        self.meta.get()
    }

    /// Counts one client connection and its session on frontend `fe` (index) and in the
    /// process totals: for a connection that ends without any record (an HTTP/2
    /// connection that opened no stream).
    pub fn count_conn(&self, fe: usize) {
        if let Some(f) = self.frontends.get(fe) {
            self.count_session(f, self.now_ms());
        }
    }

    /// A connection the frontend's `tcp-request` rules refused (HAProxy 2.6.12, measured):
    /// `connection` reject: `conn_tot` and `dcon`, no session; `session` reject:
    /// `conn_tot` and `dses`; `content` reject in HTTP mode: a session (`stot`) and
    /// `dreq`. Each counts in CumConns and the connection rate.
    pub fn count_rejected(&self, fe: usize, stage: Rejected) {
        let Some(f) = self.frontends.get(fe) else {
            return;
        };
        let now = self.now_ms();
        let c = &f.c;
        match stage {
            Rejected::Connection | Rejected::Session => {
                c.cum_conn.fetch_add(1, Relaxed);
                c.conn_rate.inc(now);
                self.cum_conns.fetch_add(1, Relaxed);
                self.conn_rate.inc(now);
                let d = if stage == Rejected::Connection {
                    &c.denied_conn
                } else {
                    &c.denied_sess
                };
                d.fetch_add(1, Relaxed);
            }
            Rejected::Content => {
                self.count_session(f, now);
                c.denied_req.fetch_add(1, Relaxed);
            }
        }
    }

    fn count_session(&self, f: &FrontendStats, now: u64) {
        let c = &f.c;
        c.cum_sess.fetch_add(1, Relaxed);
        c.cum_conn.fetch_add(1, Relaxed);
        c.sess_rate.inc(now);
        c.conn_rate.inc(now);
        self.cum_conns.fetch_add(1, Relaxed);
        self.conn_rate.inc(now);
        self.sess_rate.inc(now);
    }

    /// Counts one finished HTTP transaction or TCP session.
    pub fn account(&self, rec: &LogRecord) {
        let Some(m) = self.meta.get() else { return };
        let now = self.now_ms();
        let unix = unix_now();
        let http = rec.mode == crate::proxy::log::Mode::Http;
        let term = rec.term;
        let fe = rec
            .frontend_idx
            .or_else(|| m.fe_by_name.get(&rec.frontend_name).copied())
            .and_then(|i| self.frontends.get(i));
        if let Some(f) = fe {
            let c = &f.c;
            if rec.new_conn {
                self.count_session(f, now);
            }
            c.smax.fetch_max(rec.feconn.max(1), Relaxed);
            c.bytes_in.fetch_add(rec.bytes_in, Relaxed);
            c.bytes_out.fetch_add(rec.bytes_out, Relaxed);
            self.bytes_out.fetch_add(rec.bytes_out, Relaxed);
            if http {
                if rec.request_line.is_some() || rec.status > 0 {
                    c.cum_req.fetch_add(1, Relaxed);
                    c.req_rate.inc(now);
                    self.cum_req.fetch_add(1, Relaxed);
                }
                if rec.status > 0 {
                    c.add_status(rec.status);
                }
                if rec
                    .server_name
                    .as_deref()
                    .is_some_and(|s| s.starts_with('<'))
                {
                    c.intercepted.fetch_add(1, Relaxed);
                }
            }
            // the request never made it: bad request, timeout, or denied by a rule
            match term {
                [b'P', b'R'] => {
                    c.denied_req.fetch_add(1, Relaxed);
                }
                [b'C' | b'c', b'R'] if http => {
                    c.failed_req.fetch_add(1, Relaxed);
                }
                [b'P', b'H'] => {
                    c.denied_resp.fetch_add(1, Relaxed);
                }
                [b'I', _] => {
                    c.internal_errors.fetch_add(1, Relaxed);
                }
                _ => {}
            }
        }
        let Some(bname) = rec.backend_name.as_deref() else {
            return;
        };
        let Some((bi, srv_idx)) = m.be_by_name.get(bname) else {
            return;
        };
        let Some(b) = self.backends.get(rec.backend_idx.unwrap_or(*bi)) else {
            return;
        };
        let real_srv = rec.server_name.as_deref().filter(|s| !s.starts_with('<'));
        let srv = real_srv
            .and_then(|s| rec.server_idx.or_else(|| srv_idx.get(s).copied()))
            .and_then(|j| b.servers.get(j));
        if rec
            .server_name
            .as_deref()
            .is_some_and(|s| s.starts_with('<') && s != "<NOSRV>")
        {
            // an applet (`<STATS>`, `<PROMEX>`): HAProxy 2.6.12 counts its bytes and time on
            // the backend, not a session
            b.c.bytes_in.fetch_add(rec.bytes_in, Relaxed);
            b.c.bytes_out.fetch_add(rec.bytes_out, Relaxed);
            b.c.last_sess.store(unix, Relaxed);
            return;
        }
        // the backend, then the server (no allocation: this runs for every request)
        let targets = [Some(&b.c), srv.map(|s| &s.c)];
        for (k, c) in targets
            .into_iter()
            .enumerate()
            .filter_map(|(k, c)| Some((k, c?)))
        {
            let is_srv = k == 1;
            c.cum_sess.fetch_add(1, Relaxed);
            c.sess_rate.inc(now);
            c.bytes_in.fetch_add(rec.bytes_in, Relaxed);
            c.bytes_out.fetch_add(rec.bytes_out, Relaxed);
            c.last_sess.store(unix, Relaxed);
            c.smax.fetch_max(
                if is_srv { rec.srv_conn } else { rec.beconn }.max(1),
                Relaxed,
            );
            if real_srv.is_some() {
                // a connection that failed (`SC`, `sC`) logs its last server, but the
                // request and its 503 are the proxy's: HAProxy 2.6.12 counts them on the
                // backend only
                let conn_failed = matches!(term, [b'S' | b's', b'C']);
                if http && !(is_srv && conn_failed) {
                    c.cum_req.fetch_add(1, Relaxed);
                    if rec.status > 0 {
                        c.add_status(rec.status);
                    }
                }
                c.cum_lbconn.fetch_add(1, Relaxed);
                // every connection attempt counts, a failed one too (the ones a retry
                // left behind are in `RetryCounters`)
                if rec.tc >= 0 || conn_failed {
                    c.connect.fetch_add(1, Relaxed);
                }
                // (`wretr`/`wredis` are counted per attempt by the backend: see
                // `RetryCounters`)
                let samples = |v: i64| v.max(0) as u64;
                c.q_time.add(samples(rec.tw));
                c.c_time.add(samples(rec.tc));
                if http {
                    c.d_time.add(samples(rec.tr));
                }
                c.t_time.add(samples(rec.tt));
            }
            match term {
                [b'S' | b's', b'C'] => {
                    c.failed_conns.fetch_add(1, Relaxed);
                }
                [b'S' | b's', b'H'] => {
                    c.failed_resp.fetch_add(1, Relaxed);
                }
                [b'S', b'D'] => {
                    c.srv_aborts.fetch_add(1, Relaxed);
                }
                [b'C' | b'c', b'D' | b'H' | b'Q' | b'C'] => {
                    c.cli_aborts.fetch_add(1, Relaxed);
                }
                [b'P', b'H'] => {
                    c.denied_resp.fetch_add(1, Relaxed);
                }
                [b'P', b'R'] if !is_srv => {
                    c.denied_req.fetch_add(1, Relaxed);
                }
                _ => {}
            }
        }
        // a 503 without a server: the backend's failed connection count (HAProxy: `econ`
        // stays 0 there, the failure is in `hrsp_5xx` of the frontend only)
    }
}

/// HAProxy's default maxconn when neither `maxconn` nor a ulimit fixes it. HAProxy derives
/// it from `ulimit -n`; tandem reports the configured value when there is one.
pub const DEFAULT_MAXCONN: u32 = 4096;

/// A frontend's maxconn: its own, else the global one.
pub fn fe_maxconn(f: &crate::proxy::engine::Frontend, global: u32) -> u32 {
    f.ir.settings
        .maxconn
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(global)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freq_ctr_counts_per_second() {
        let f = FreqCtr::default();
        f.inc(10);
        f.inc(20);
        assert_eq!(f.read(30), 2);
        // half a second into the next period: half of the previous one still counts
        assert_eq!(f.read(1500), 1);
        assert_eq!(f.read(3500), 0);
        assert_eq!(f.max(), 2);
    }

    #[test]
    fn swrate_average() {
        let r = SwRate::default();
        r.add(10);
        assert_eq!(r.avg(1), 10);
        r.add(20);
        assert!(r.avg(2) >= 14 && r.avg(2) <= 15);
        assert_eq!(r.max(), 20);
    }
}
