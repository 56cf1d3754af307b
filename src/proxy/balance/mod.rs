//! Load balancing, sans-IO: the same server choices as HAProxy 2.6 for the same servers and
//! the same sequence of requests and events.
//!
//! The caller owns all I/O. It builds a [`Balancer`] from a [`BalanceConfig`] and the
//! backend's servers in declaration order, asks [`Balancer::pick`] for a server for each
//! request (passing the request's fetchable parts and a random source), reports connection
//! slots with [`Balancer::take_conn`]/[`Balancer::drop_conn`] (HAProxy's
//! `sess_change_server`), and reports state and weight changes (health checks, CLI) with
//! [`Balancer::set_state`]/[`Balancer::set_weight`].
//!
//! The cores follow HAProxy's lookup kinds, one module each:
//! - [`fwrr`]: `roundrobin` (src/lb_fwrr.c),
//! - [`map`]: `static-rr` and `hash-type map-based` (src/lb_map.c),
//! - [`fwlc`]: `leastconn` (src/lb_fwlc.c),
//! - [`first`]: `first` (src/lb_fas.c),
//! - [`chash`]: `hash-type consistent` and `random` (src/lb_chash.c),
//!
//! and [`hash`] holds the hash functions and the key extraction of src/backend.c,
//! [`queue`] the server and backend queues (`maxconn`, `maxqueue`, `timeout queue`),
//! [`from_ir`] the construction from a parsed backend. Every sequence in `testdata/` was
//! recorded from HAProxy 2.6.12 by `tools/record-balance` and is replayed by the tests. Weights
//! are HAProxy's: the user weight (0..=256) is scaled to an effective weight by
//! `BE_WEIGHT_SCALE` (16) for the dynamic algorithms, and divided by the GCD of all weights
//! for the map-based ones.

pub mod chash;
pub mod first;
pub mod from_ir;
pub mod fwlc;
pub mod fwrr;
pub mod hash;
pub mod map;
pub mod queue;
pub mod slots;
pub mod tree;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod weights;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// HAProxy's `BE_WEIGHT_SCALE`.
pub const BE_WEIGHT_SCALE: u32 = 16;
/// HAProxy's `SRV_UWGHT_MAX`/`SRV_UWGHT_RANGE`: the largest user weight.
pub const SRV_UWGHT_MAX: u32 = 256;
/// HAProxy's `SRV_EWGHT_MAX`/`SRV_EWGHT_RANGE`.
pub const SRV_EWGHT_MAX: u32 = SRV_UWGHT_MAX * BE_WEIGHT_SCALE;

/// Errors from building a balancer or changing it at run time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("server weight {0} is out of range 0..=256")]
    WeightOutOfRange(u32),
    #[error("server id {0} is used twice")]
    DuplicateId(u32),
    #[error("server id 0 is reserved")]
    ZeroId,
    #[error("no server at index {0}")]
    NoSuchServer(usize),
    #[error("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")]
    StaticWeight,
    #[error("random : number of draws must be at least 1.")]
    ZeroDraws,
}

/// One `server` line of a backend, as far as balancing is concerned.
///
/// Servers are given to [`Balancer::new`] in declaration order; that order is the one of
/// HAProxy's server list (`px->srv`), which several algorithms use to break ties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSpec {
    /// HAProxy's `puid`: the `id` keyword's value, or the server's position counted from 1
    /// when no id is set (HAProxy assigns the lowest free id in declaration order). The
    /// consistent-hash points and `balance first` depend on it.
    pub puid: u32,
    pub name: String,
    /// The `weight` keyword, 0..=256, default 1.
    pub weight: u32,
    pub backup: bool,
    /// `disabled`: the server starts in maintenance.
    pub disabled: bool,
    /// `maxconn`, 0 = unlimited.
    pub maxconn: u32,
    /// `minconn`, 0 = same as maxconn.
    pub minconn: u32,
    /// `maxqueue`, 0 = unlimited.
    pub maxqueue: u32,
}

impl ServerSpec {
    /// A server with HAProxy's defaults (`weight 1`, no limits).
    pub fn new(puid: u32, name: impl Into<String>) -> Self {
        Self {
            puid,
            name: name.into(),
            weight: 1,
            backup: false,
            disabled: false,
            maxconn: 0,
            minconn: 0,
            maxqueue: 0,
        }
    }

    pub fn weight(mut self, w: u32) -> Self {
        self.weight = w;
        self
    }

    pub fn backup(mut self) -> Self {
        self.backup = true;
        self
    }

    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    pub fn maxconn(mut self, n: u32) -> Self {
        self.maxconn = n;
        self
    }
}

/// Assigns HAProxy's default ids: servers with an explicit id keep it, the others get the
/// lowest unused id, in declaration order (as `check_config_validity` does).
pub fn assign_puids(explicit: &[Option<u32>]) -> Vec<u32> {
    let used: std::collections::BTreeSet<u32> = explicit.iter().flatten().copied().collect();
    let mut next = 1u32;
    explicit
        .iter()
        .map(|e| match e {
            Some(id) => *id,
            None => {
                while used.contains(&next) {
                    next += 1;
                }
                let id = next;
                next += 1;
                id
            }
        })
        .collect()
}

/// A server's operational state as the balancer sees it. Only `Up` servers with a non-zero
/// weight receive new traffic (HAProxy's `srv_currently_usable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerState {
    Up,
    /// Failed health checks (SRV_ST_STOPPED) or stopping.
    Down,
    /// Administrative drain (SRV_ADMF_DRAIN): no new traffic from the balancer.
    Drain,
    /// Maintenance (SRV_ADMF_MAINT, `disabled`).
    Maint,
}

/// `hash-type` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HashFunction {
    #[default]
    Sdbm,
    Djb2,
    Wt6,
    Crc32,
}

/// `hash-type map-based|consistent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HashKind {
    #[default]
    MapBased,
    Consistent,
}

/// The `hash-type` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HashConfig {
    pub kind: HashKind,
    pub function: HashFunction,
    /// `avalanche`.
    pub avalanche: bool,
}

impl HashConfig {
    /// Parses the words after `hash-type` as HAProxy 2.6's cfgparse does: `map-based` or
    /// `consistent`, then an optional function and `avalanche`. With no function, sdbm is
    /// used, and `consistent` alone also implies `avalanche` (verified against HAProxy
    /// 2.6.12: testdata/uri_chash_111.json vs uri_chash_sdbm.json).
    pub fn parse(words: &[&str]) -> Option<Self> {
        let (kind, rest) = words.split_first()?;
        let kind = match *kind {
            "map-based" => HashKind::MapBased,
            "consistent" => HashKind::Consistent,
            _ => return None,
        };
        let mut hc = Self {
            kind,
            function: HashFunction::Sdbm,
            avalanche: false,
        };
        match rest {
            [] => hc.avalanche = kind == HashKind::Consistent,
            [f, more @ ..] => {
                hc.function = match *f {
                    "sdbm" => HashFunction::Sdbm,
                    "djb2" => HashFunction::Djb2,
                    "wt6" => HashFunction::Wt6,
                    "crc32" => HashFunction::Crc32,
                    _ => return None,
                };
                match more {
                    [] => {}
                    ["avalanche"] => hc.avalanche = true,
                    _ => return None,
                }
            }
        }
        Some(hc)
    }
}

/// The `balance` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    RoundRobin,
    StaticRr,
    LeastConn,
    First,
    Source,
    Uri {
        whole: bool,
        /// `len N`, 0 = unlimited.
        len: u32,
        /// `depth N`, 0 = unlimited.
        depth: u32,
        path_only: bool,
    },
    UrlParam {
        name: String,
        check_post: bool,
    },
    Hdr {
        name: String,
        use_domain_only: bool,
    },
    /// `random[(draws)]`, default 2 draws.
    Random {
        draws: u32,
    },
    /// `hash <expr>` (2.6): the caller evaluates the sample expression and passes its
    /// binary value as [`RequestInfo::hash_key`].
    Hash {
        expr: String,
    },
    /// `rdp-cookie[(name)]`: the caller extracts the cookie from the RDP payload and passes
    /// its value as [`RequestInfo::hash_key`].
    RdpCookie {
        name: String,
    },
}

impl Algorithm {
    /// Parses the words after `balance` the way `backend_parse_balance` does (the subset
    /// listed in [`Algorithm`]). Returns `None` for anything else.
    pub fn parse(words: &[&str]) -> Option<Self> {
        let (first, rest) = words.split_first()?;
        Some(match *first {
            "roundrobin" => Self::RoundRobin,
            "static-rr" => Self::StaticRr,
            "leastconn" => Self::LeastConn,
            "first" => Self::First,
            "source" => Self::Source,
            "uri" => {
                let (mut whole, mut len, mut depth, mut path_only) = (false, 0, 0, false);
                let mut it = rest.iter();
                while let Some(w) = it.next() {
                    match *w {
                        "whole" => whole = true,
                        "path-only" => path_only = true,
                        "len" => len = it.next()?.parse().ok().filter(|n| *n > 0)?,
                        "depth" => depth = it.next()?.parse().ok().filter(|n| *n > 0)?,
                        _ => return None,
                    }
                }
                Self::Uri {
                    whole,
                    len,
                    depth,
                    path_only,
                }
            }
            "url_param" => Self::UrlParam {
                name: rest.first()?.to_string(),
                check_post: rest.get(1) == Some(&"check_post"),
            },
            w if w.starts_with("hdr(") => {
                let name = w.strip_prefix("hdr(")?.split(')').next()?;
                if name.is_empty() || !w.contains(')') {
                    return None;
                }
                Self::Hdr {
                    name: name.to_string(),
                    use_domain_only: rest.first() == Some(&"use_domain_only"),
                }
            }
            "hash" => Self::Hash {
                expr: rest.join(" "),
            },
            w if w.starts_with("rdp-cookie") => {
                let arg = w.strip_prefix("rdp-cookie")?;
                let name = if arg.is_empty() {
                    "mstshash".to_string()
                } else {
                    let n = arg.strip_prefix('(')?.split(')').next()?;
                    if n.is_empty() || !arg.contains(')') {
                        return None;
                    }
                    n.to_string()
                };
                Self::RdpCookie { name }
            }
            w if w.starts_with("random") => {
                let arg = w.strip_prefix("random")?;
                let draws = if arg.is_empty() || arg == "()" {
                    2
                } else {
                    arg.strip_prefix('(')?.strip_suffix(')')?.parse().ok()?
                };
                Self::Random { draws }
            }
            _ => return None,
        })
    }

    /// The hash-based algorithms, whose lookup follows `hash-type`.
    fn is_hash(&self) -> bool {
        matches!(
            self,
            Self::Source
                | Self::Uri { .. }
                | Self::UrlParam { .. }
                | Self::Hdr { .. }
                | Self::Hash { .. }
                | Self::RdpCookie { .. }
        )
    }
}

/// Everything of a backend that balancing depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceConfig {
    pub algorithm: Algorithm,
    pub hash: HashConfig,
    /// `option allbackups`.
    pub allbackups: bool,
    /// `fullconn`, 0 = none (dynamic maxconn then always yields maxconn).
    pub fullconn: u32,
}

impl BalanceConfig {
    pub fn new(algorithm: Algorithm) -> Self {
        Self {
            algorithm,
            hash: HashConfig::default(),
            allbackups: false,
            fullconn: 0,
        }
    }
}

/// The parts of a request that the algorithms fetch.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestInfo<'a> {
    /// The client address (`source`).
    pub src: Option<IpAddr>,
    /// The request target exactly as received (origin or absolute form); `None` in TCP
    /// mode, where the HTTP algorithms fall back to round robin.
    pub uri: Option<&'a str>,
    /// Request headers in order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The method is POST (for `url_param ... check_post`).
    pub is_post: bool,
    /// The start of the body, when it is available (`check_post`).
    pub body: Option<&'a [u8]>,
    /// For `balance hash <expr>`: the expression's value as binary, `None` when the fetch
    /// failed; for `rdp-cookie`: the cookie value.
    pub hash_key: Option<&'a [u8]>,
}

/// Source of randomness for `random`: HAProxy's `statistical_prng()` values.
pub trait Rng {
    fn next_u32(&mut self) -> u32;
}

impl<F: FnMut() -> u32> Rng for F {
    fn next_u32(&mut self) -> u32 {
        self()
    }
}

/// Index of a server in the list given to [`Balancer::new`].
pub type ServerIdx = usize;

/// A server's run-time state, with HAProxy's "current" (committed) and "next" values: an
/// update computes the next values, the core moves the server in its structures comparing
/// both, then commits (`srv_lb_commit_status`).
#[derive(Debug, Clone)]
pub struct Srv {
    pub spec: ServerSpec,
    /// The user weight (`set weight` changes it).
    pub uweight: u32,
    pub cur_eweight: u32,
    pub next_eweight: u32,
    pub cur_state: ServerState,
    pub next_state: ServerState,
    /// Connections being served (`served`).
    pub served: u32,
    /// Requests queued on this server (`queue.length`/`nbpend`).
    pub nbpend: u32,
    /// Sum of the weights of the usable servers before this one (bounded-load hashing).
    pub cumulative_weight: u32,
}

impl Srv {
    pub fn currently_usable(&self) -> bool {
        self.cur_eweight > 0 && self.cur_state == ServerState::Up
    }

    pub fn willbe_usable(&self) -> bool {
        self.next_eweight > 0 && self.next_state == ServerState::Up
    }

    fn status_changed(&self) -> bool {
        self.cur_eweight != self.next_eweight || self.cur_state != self.next_state
    }

    fn commit(&mut self) {
        self.cur_eweight = self.next_eweight;
        self.cur_state = self.next_state;
    }

    /// `!s->maxconn || (!s->nbpend && s->served < srv_dynamic_maxconn(s))`: the test every
    /// round-robin-like core applies before taking a server.
    fn has_room(&self, pool: &PoolInfo) -> bool {
        self.spec.maxconn == 0 || (self.nbpend == 0 && self.served < pool.dynamic_maxconn(self))
    }
}

/// Backend-wide counters of `struct lbprm` and `struct proxy` that all cores share.
#[derive(Debug, Clone, Default)]
pub struct PoolInfo {
    pub srv_act: u32,
    pub srv_bck: u32,
    pub tot_wact: u32,
    pub tot_wbck: u32,
    pub tot_weight: u32,
    pub tot_used: u32,
    /// First usable backup server when `option allbackups` is off.
    pub fbck: Option<ServerIdx>,
    pub wmult: u32,
    pub wdiv: u32,
    pub allbackups: bool,
    /// Connections on the backend (`beconn`), for the dynamic maxconn.
    pub beconn: u32,
    pub fullconn: u32,
}

impl PoolInfo {
    /// `srv_dynamic_maxconn` without slowstart.
    pub fn dynamic_maxconn(&self, s: &Srv) -> u32 {
        let maxconn = s.spec.maxconn;
        let minconn = if s.spec.minconn == 0 {
            maxconn
        } else {
            s.spec.minconn
        };
        if self.fullconn == 0 || self.beconn >= self.fullconn || minconn == maxconn {
            maxconn
        } else {
            let dynamic =
                (u64::from(self.beconn) * u64::from(maxconn) / u64::from(self.fullconn)) as u32;
            minconn.max(dynamic)
        }
    }
}

/// The servers and the shared counters.
#[derive(Debug, Clone)]
pub struct Pool {
    pub srv: Vec<Srv>,
    pub info: PoolInfo,
}

impl Pool {
    /// `recount_servers`: counts and weights of the servers that will be usable.
    pub fn recount(&mut self) {
        let info = &mut self.info;
        info.srv_act = 0;
        info.srv_bck = 0;
        info.tot_wact = 0;
        info.tot_wbck = 0;
        info.fbck = None;
        for (i, s) in self.srv.iter_mut().enumerate() {
            if !s.willbe_usable() {
                continue;
            }
            if s.spec.backup {
                if info.srv_bck == 0 && !info.allbackups {
                    info.fbck = Some(i);
                }
                info.srv_bck += 1;
                s.cumulative_weight = info.tot_wbck;
                info.tot_wbck += s.next_eweight;
            } else {
                info.srv_act += 1;
                s.cumulative_weight = info.tot_wact;
                info.tot_wact += s.next_eweight;
            }
        }
    }

    /// `update_backend_weight`.
    pub fn update_backend_weight(&mut self) {
        let info = &mut self.info;
        if info.srv_act > 0 {
            info.tot_weight = info.tot_wact;
            info.tot_used = info.srv_act;
        } else if let Some(f) = info.fbck {
            info.tot_weight = self.srv.get(f).map_or(0, |s| s.next_eweight);
            info.tot_used = 1;
        } else {
            info.tot_weight = info.tot_wbck;
            info.tot_used = info.srv_bck;
        }
    }

    /// The bookkeeping every tree-based core does when server `i` stops being usable
    /// (the first half of `*_set_server_status_down`).
    fn account_down(&mut self, i: ServerIdx) {
        let cur = self.srv[i].cur_eweight;
        if self.srv[i].spec.backup {
            self.info.tot_wbck = self.info.tot_wbck.saturating_sub(cur);
            self.info.srv_bck = self.info.srv_bck.saturating_sub(1);
            if self.info.fbck == Some(i) {
                // we lost the first backup server: search the next usable one after it
                self.info.fbck = self.srv[i + 1..]
                    .iter()
                    .position(|s| s.spec.backup && s.willbe_usable())
                    .map(|p| p + i + 1);
            }
        } else {
            self.info.tot_wact = self.info.tot_wact.saturating_sub(cur);
            self.info.srv_act = self.info.srv_act.saturating_sub(1);
        }
    }

    /// The bookkeeping of `*_set_server_status_up`.
    fn account_up(&mut self, i: ServerIdx) {
        let next = self.srv[i].next_eweight;
        if self.srv[i].spec.backup {
            self.info.tot_wbck += next;
            self.info.srv_bck += 1;
            if !self.info.allbackups {
                match self.info.fbck {
                    None => self.info.fbck = Some(i),
                    // a backup declared before the current first one takes its place
                    Some(f) if f > i => self.info.fbck = Some(i),
                    Some(_) => {}
                }
            }
        } else {
            self.info.tot_wact += next;
            self.info.srv_act += 1;
        }
    }

    /// Effective weight of a user weight (`server_recalc_eweight` without slowstart):
    /// `ceil(uweight * wdiv / wmult)`.
    fn eweight_of(&self, uweight: u32) -> u32 {
        (uweight * self.info.wdiv).div_ceil(self.info.wmult.max(1))
    }

    /// The start of every core's init: sets `wdiv`, computes and commits every server's
    /// effective weight.
    fn init_eweights(&mut self, wdiv: u32) {
        self.info.wdiv = wdiv;
        for i in 0..self.srv.len() {
            let ew = self.eweight_of(self.srv[i].uweight);
            self.srv[i].next_eweight = ew;
            self.srv[i].commit();
        }
    }
}

/// A lookup core: how servers are arranged and changed. HAProxy's `lbprm` callbacks.
pub trait LbCore {
    /// `set_server_status_down`, called when server `i`'s next state is not usable.
    fn set_status_down(&mut self, pool: &mut Pool, i: ServerIdx);
    /// `set_server_status_up`, called when server `i`'s next state is usable.
    fn set_status_up(&mut self, pool: &mut Pool, i: ServerIdx);
    /// `update_server_eweight`; cores without one (map) recompute as on a status change.
    fn update_weight(&mut self, pool: &mut Pool, i: ServerIdx) {
        if pool.srv[i].willbe_usable() {
            self.set_status_up(pool, i);
        } else {
            self.set_status_down(pool, i);
        }
    }
    /// `server_take_conn`/`server_drop_conn` (only leastconn repositions).
    fn reposition(&mut self, _pool: &mut Pool, _i: ServerIdx) {}
    /// A server was appended to the pool (`add server`), not usable yet: the core makes
    /// room for its per-server state.
    fn add_slot(&mut self, pool: &Pool, i: ServerIdx);
}

#[derive(Debug, Clone)]
enum Core {
    Fwrr(fwrr::Fwrr),
    Map(map::Map),
    Fwlc(fwlc::Fwlc),
    First(first::Fas),
    Chash(chash::Chash),
}

impl Core {
    fn as_core(&mut self) -> &mut dyn LbCore {
        match self {
            Core::Fwrr(c) => c,
            Core::Map(c) => c,
            Core::Fwlc(c) => c,
            Core::First(c) => c,
            Core::Chash(c) => c,
        }
    }
}

/// A backend's balancer.
#[derive(Debug, Clone)]
pub struct Balancer {
    cfg: BalanceConfig,
    pool: Pool,
    core: Core,
}

impl Balancer {
    /// Builds the balancer for `servers` (in declaration order) as HAProxy does at start-up.
    pub fn new(cfg: BalanceConfig, servers: Vec<ServerSpec>) -> Result<Self, BalanceError> {
        let mut seen = std::collections::BTreeSet::new();
        for s in &servers {
            if s.weight > SRV_UWGHT_MAX {
                return Err(BalanceError::WeightOutOfRange(s.weight));
            }
            if s.puid == 0 {
                return Err(BalanceError::ZeroId);
            }
            if !seen.insert(s.puid) {
                return Err(BalanceError::DuplicateId(s.puid));
            }
        }
        if let Algorithm::Random { draws: 0 } = cfg.algorithm {
            return Err(BalanceError::ZeroDraws);
        }
        let srv = servers
            .into_iter()
            .map(|spec| {
                let state = if spec.disabled {
                    ServerState::Maint
                } else {
                    ServerState::Up
                };
                Srv {
                    uweight: spec.weight,
                    spec,
                    cur_eweight: 0,
                    next_eweight: 0,
                    cur_state: state,
                    next_state: state,
                    served: 0,
                    nbpend: 0,
                    cumulative_weight: 0,
                }
            })
            .collect();
        let mut pool = Pool {
            srv,
            info: PoolInfo {
                wmult: 1,
                wdiv: 1,
                allbackups: cfg.allbackups,
                fullconn: cfg.fullconn,
                ..PoolInfo::default()
            },
        };
        let core = match &cfg.algorithm {
            Algorithm::RoundRobin => Core::Fwrr(fwrr::Fwrr::init(&mut pool)),
            Algorithm::StaticRr => Core::Map(map::Map::init(&mut pool)),
            Algorithm::LeastConn => Core::Fwlc(fwlc::Fwlc::init(&mut pool)),
            Algorithm::First => Core::First(first::Fas::init(&mut pool)),
            Algorithm::Random { .. } => Core::Chash(chash::Chash::init(&mut pool)),
            a if a.is_hash() && cfg.hash.kind == HashKind::Consistent => {
                Core::Chash(chash::Chash::init(&mut pool))
            }
            _ => Core::Map(map::Map::init(&mut pool)),
        };
        Ok(Self { cfg, pool, core })
    }

    pub fn config(&self) -> &BalanceConfig {
        &self.cfg
    }

    pub fn servers(&self) -> &[Srv] {
        &self.pool.srv
    }

    pub fn pool_info(&self) -> &PoolInfo {
        &self.pool.info
    }

    /// The index of the server named `name`.
    pub fn find(&self, name: &str) -> Option<ServerIdx> {
        self.pool.srv.iter().position(|s| s.spec.name == name)
    }

    /// `assign_server` for a backend with a balancing algorithm: the server for this
    /// request, or `None` when no server is usable or all are saturated (the caller then
    /// queues on the backend or answers 503). `avoid` is the server a retry/redispatch
    /// tries to avoid.
    pub fn pick(
        &mut self,
        req: &RequestInfo<'_>,
        avoid: Option<ServerIdx>,
        rng: &mut dyn Rng,
    ) -> Option<ServerIdx> {
        if self.pool.info.tot_weight == 0 {
            return None;
        }
        let pool = &mut self.pool;
        match (&self.cfg.algorithm, &mut self.core) {
            (Algorithm::RoundRobin, Core::Fwrr(c)) => c.get_next_server(pool, avoid),
            (Algorithm::First, Core::First(c)) => c.get_next_server(pool, avoid),
            (Algorithm::LeastConn, Core::Fwlc(c)) => c.get_next_server(pool, avoid),
            (Algorithm::StaticRr, Core::Map(c)) => c.get_server_rr(pool, avoid),
            (Algorithm::Random { draws }, Core::Chash(c)) => {
                c.get_server_rnd(pool, *draws, avoid, rng)
            }
            (alg, core) => {
                let found = match hash_of(alg, &self.cfg.hash, &pool.info, req) {
                    Some(h) => match core {
                        Core::Chash(c) => c.get_server_hash(pool, h, avoid),
                        Core::Map(c) => c.get_server_hash(pool, h),
                        _ => None,
                    },
                    None => None,
                };
                // "If the hashing parameter was not found, let's fall back to round robin"
                found.or_else(|| match core {
                    Core::Chash(c) => c.get_next_server(pool, avoid),
                    Core::Map(c) => c.get_server_rr(pool, avoid),
                    _ => None,
                })
            }
        }
    }

    /// `add server`: appends a server in maintenance (HAProxy 2.6 creates dynamic servers
    /// with SRV_ADMF_FMAINT); `set_state` brings it in. Its effective weight is computed
    /// as for the servers of the configuration, so it gets its share once usable.
    pub fn add_server(&mut self, spec: ServerSpec) -> Result<ServerIdx, BalanceError> {
        if spec.weight > SRV_UWGHT_MAX {
            return Err(BalanceError::WeightOutOfRange(spec.weight));
        }
        if spec.puid == 0 {
            return Err(BalanceError::ZeroId);
        }
        // (no duplicate id check: a deleted server keeps its place, not its id)
        let ew = self.pool.eweight_of(spec.weight);
        let i = self.pool.srv.len();
        self.pool.srv.push(Srv {
            uweight: spec.weight,
            spec,
            cur_eweight: ew,
            next_eweight: ew,
            cur_state: ServerState::Maint,
            next_state: ServerState::Maint,
            served: 0,
            nbpend: 0,
            cumulative_weight: 0,
        });
        self.core.as_core().add_slot(&self.pool, i);
        Ok(i)
    }

    /// `set maxconn server`: the server's new limit (0: none). The caller serves its queue
    /// ([`queue::Dispatcher::set_maxconn`]).
    pub fn set_maxconn(&mut self, i: ServerIdx, maxconn: u32) -> Result<(), BalanceError> {
        let s = self
            .pool
            .srv
            .get_mut(i)
            .ok_or(BalanceError::NoSuchServer(i))?;
        s.spec.maxconn = maxconn;
        Ok(())
    }

    /// The request was given a connection slot on server `i` (`served++`).
    pub fn take_conn(&mut self, i: ServerIdx) {
        if let Some(s) = self.pool.srv.get_mut(i) {
            s.served += 1;
            self.pool.info.beconn += 1;
            self.core.as_core().reposition(&mut self.pool, i);
        }
    }

    /// The request on server `i` released its slot (`served--`).
    pub fn drop_conn(&mut self, i: ServerIdx) {
        if let Some(s) = self.pool.srv.get_mut(i) {
            s.served = s.served.saturating_sub(1);
            self.pool.info.beconn = self.pool.info.beconn.saturating_sub(1);
            self.core.as_core().reposition(&mut self.pool, i);
        }
    }

    /// Requests queued on server `i` (affects leastconn's ordering and "has room" tests).
    pub fn set_queued(&mut self, i: ServerIdx, n: u32) {
        if let Some(s) = self.pool.srv.get_mut(i) {
            s.nbpend = n;
        }
    }

    /// A state change (health check result, `set server ... state`, `disable server`).
    pub fn set_state(&mut self, i: ServerIdx, state: ServerState) -> Result<(), BalanceError> {
        let s = self
            .pool
            .srv
            .get_mut(i)
            .ok_or(BalanceError::NoSuchServer(i))?;
        s.next_state = state;
        self.propagate(i);
        Ok(())
    }

    /// `set weight`: a new user weight (0..=256). Map-based algorithms only accept 0 and the
    /// initial weight, as HAProxy's CLI.
    pub fn set_weight(&mut self, i: ServerIdx, weight: u32) -> Result<(), BalanceError> {
        if weight > SRV_UWGHT_MAX {
            return Err(BalanceError::WeightOutOfRange(weight));
        }
        let s = self.pool.srv.get(i).ok_or(BalanceError::NoSuchServer(i))?;
        if matches!(self.core, Core::Map(_)) && weight != 0 && weight != s.spec.weight {
            return Err(BalanceError::StaticWeight);
        }
        let next = self.pool.eweight_of(weight);
        let s = &mut self.pool.srv[i];
        s.uweight = weight;
        s.next_eweight = next;
        self.propagate(i);
        Ok(())
    }

    /// `srv_update_status`: hands the change to the core.
    fn propagate(&mut self, i: ServerIdx) {
        let s = &self.pool.srv[i];
        if !s.status_changed() {
            return;
        }
        let (old, new) = (s.currently_usable(), s.willbe_usable());
        let weight_changed = s.cur_eweight != s.next_eweight;
        let core = self.core.as_core();
        match (old, new) {
            (false, true) => core.set_status_up(&mut self.pool, i),
            (true, false) => core.set_status_down(&mut self.pool, i),
            (true, true) if weight_changed => core.update_weight(&mut self.pool, i),
            _ => self.pool.srv[i].commit(),
        }
    }
}

/// The hash of the request for a hash-based algorithm, or `None` when the key is missing
/// (then HAProxy falls back to round robin). With one usable server HAProxy skips hashing
/// (`tot_used == 1`) for `source`, `uri` and `hdr`.
fn hash_of(
    alg: &Algorithm,
    hc: &HashConfig,
    info: &PoolInfo,
    req: &RequestInfo<'_>,
) -> Option<u32> {
    let single = info.tot_used == 1;
    match alg {
        Algorithm::Source => {
            let src = req.src?;
            Some(if single {
                0
            } else {
                hash::source_hash(hc, src)
            })
        }
        Algorithm::Uri {
            whole,
            len,
            depth,
            path_only,
        } => {
            let uri = req.uri?.as_bytes();
            if single {
                return Some(0);
            }
            let uri = if *path_only { hash::uri_path(uri) } else { uri };
            Some(hash::gen_hash(hc, hash::uri_key(uri, *whole, *len, *depth)))
        }
        Algorithm::UrlParam { name, check_post } => {
            let uri = req.uri?.as_bytes();
            let v = hash::url_param_value(uri, name.as_bytes()).or_else(|| {
                // HAProxy 2.6 looks in the body of any POST, check_post or not.
                let _ = check_post;
                if req.is_post {
                    req.body
                        .and_then(|b| hash::post_param_value(b, name.as_bytes()))
                } else {
                    None
                }
            })?;
            Some(hash::gen_hash(hc, v))
        }
        Algorithm::Hdr {
            name,
            use_domain_only,
        } => {
            req.uri?;
            if single {
                return Some(0);
            }
            let v = hash::header_value(req.headers, name)?;
            if v.is_empty() {
                return None;
            }
            let key = if *use_domain_only {
                hash::domain_only(v.as_bytes())
            } else {
                v.as_bytes()
            };
            Some(hash::gen_hash(hc, key))
        }
        Algorithm::Hash { .. } => {
            if single {
                return Some(0);
            }
            Some(hash::gen_hash(hc, req.hash_key?))
        }
        Algorithm::RdpCookie { .. } => {
            // a missing or empty cookie falls back to round robin even with one server
            let key = req.hash_key.filter(|k| !k.is_empty())?;
            if single {
                return Some(0);
            }
            Some(hash::gen_hash(hc, key))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_balance_lines() {
        assert_eq!(
            Algorithm::parse(&["uri", "whole", "len", "3"]),
            Some(Algorithm::Uri {
                whole: true,
                len: 3,
                depth: 0,
                path_only: false
            })
        );
        assert_eq!(
            Algorithm::parse(&["random(3)"]),
            Some(Algorithm::Random { draws: 3 })
        );
        assert_eq!(
            Algorithm::parse(&["random"]),
            Some(Algorithm::Random { draws: 2 })
        );
        assert_eq!(
            Algorithm::parse(&["hdr(Host)", "use_domain_only"]),
            Some(Algorithm::Hdr {
                name: "Host".into(),
                use_domain_only: true
            })
        );
        assert_eq!(Algorithm::parse(&["hdr()"]), None);
        assert_eq!(Algorithm::parse(&["uri", "depth", "0"]), None);
        assert_eq!(Algorithm::parse(&["bogus"]), None);
    }

    #[test]
    fn default_ids_fill_gaps_in_order() {
        assert_eq!(
            assign_puids(&[None, Some(1), None, Some(5)]),
            vec![2, 1, 3, 5]
        );
    }

    #[test]
    fn rejects_bad_specs() {
        let cfg = BalanceConfig::new(Algorithm::RoundRobin);
        let e = Balancer::new(cfg.clone(), vec![ServerSpec::new(1, "a").weight(257)]);
        assert_eq!(e.err(), Some(BalanceError::WeightOutOfRange(257)));
        let e = Balancer::new(cfg, vec![ServerSpec::new(1, "a"), ServerSpec::new(1, "b")]);
        assert_eq!(e.err(), Some(BalanceError::DuplicateId(1)));
    }
}
