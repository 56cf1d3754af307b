//! Stick tables and tracked counters (sans-IO), with HAProxy 2.6's semantics.
//!
//! * [`Tables`]: every table of the configuration, by name (a table belongs to the proxy
//!   that declares it; `peers` sections' tables are `PEERS/NAME`). The engine keeps one in
//!   a `Mutex` ([`SharedTables`]) and passes `&mut Tables` to the calls below.
//! * [`Tracked`]: the `sc0..sc2` trackers of one connection (session-level: `tcp-request
//!   connection|session track-sc*`) and of its current HTTP transaction (stream-level:
//!   `tcp-request content`, `http-request`, `http-response track-sc*`). In HAProxy 2.6 each
//!   HTTP request is a new stream, so stream-level trackers are released after every
//!   transaction ([`Tracked::end_stream`]), session-level ones when the connection closes
//!   ([`Tracked::end_session`]).
//! * [`SessionCounters`]: a connection's [`Tracked`] bound to the [`SharedTables`], the
//!   `acl::TableLookup` the rules use (`track-sc*`, `sc_*`, `src_*`, `table_*`), with the
//!   lifecycle calls below as `&self` methods. One per client connection; dropping it
//!   releases what it still tracks.
//! * [`StickRules`]: `stick on|match|store-request|store-response` processing for one
//!   transaction; the caller evaluates conditions and keys, this applies them.
//!
//! Time is `now_ms` (a monotonic millisecond clock); rates follow HAProxy's `freq_ctr`.
//!
//! When the engine calls what (HAProxy 2.6 order):
//! 1. connection accepted: `tcp-request connection` rules (`track(.., TrackStage::TcpConnection)`),
//!    then `tcp-request session` rules, then [`Tracked::session_started`] (sess_cnt/sess_rate);
//! 2. each HTTP request, once its head is parsed and before `http-request` rules:
//!    [`Tracked::http_request`]; then `http-request track-sc*` (`TrackStage::HttpRequest`,
//!    which counts that request itself);
//! 3. a server's response status: [`Tracked::http_status`] (4xx: http_err, 5xx but 501/505:
//!    http_fail), then `http-response track-sc*` (`TrackStage::HttpResponse { status }`);
//!    HAProxy's own refusals count http_err through [`Tracked::http_error`] whatever their
//!    status: `deny` (any `deny_status`, even 500), `tarpit`, `auth` (401/407) and a 400
//!    for an unparsable request. Measured on HAProxy 2.6.12 (`tcp-request connection
//!    track-sc0 src`, then `show table`): these give http_err_cnt=1; `return status 404`,
//!    `redirect`, 503 for no server / refused connection, 408 give neither err nor fail;
//!    every one of them (408 included) counts http_req_cnt=1;
//! 4. bytes forwarded: [`Tracked::add_bytes`];
//! 5. end of the transaction: [`Tracked::end_stream`]; connection closed:
//!    [`Tracked::end_session`] (which also ends a stream still open).

pub mod counters;
pub mod freq;
pub mod key;
pub mod table;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use thiserror::Error;

pub use self::counters::SessionCounters;
pub use self::freq::FreqCtr;
pub use self::key::{Key, KeySample, KeyType};
pub use self::table::{DataType, Entry, SpecError, StickTable, TableFull, TableSpec};

use crate::ir::haproxy::Config;
use crate::ir::haproxy::expr::Action;

/// Number of sticky counters (`sc0`..`sc2`, HAProxy's default `tune.stick-counters` 3).
pub const MAX_SC: usize = 3;

/// Index of a table in [`Tables`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// The tables shared by all sessions.
pub type SharedTables = Arc<Mutex<Tables>>;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("stick-table of '{table}': {source}")]
pub struct TableError {
    pub table: String,
    #[source]
    pub source: SpecError,
}

/// Every stick table, by name.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    tables: Vec<StickTable>,
    by_name: HashMap<String, TableId>,
}

impl Tables {
    pub fn new() -> Tables {
        Tables::default()
    }

    /// Builds the tables a configuration declares: each proxy's `stick-table` (named after
    /// the proxy) and each `peers` section's `table NAME ...` (named `PEERS/NAME`). Tables
    /// used by `stick` rules also store `server_id` and `server_key`, as HAProxy adds them.
    pub fn from_ir(cfg: &Config) -> Result<Tables, TableError> {
        let mut t = Tables::new();
        for px in &cfg.proxies {
            if let Some(st) = &px.stick_table {
                let spec = TableSpec::parse(&st.args).map_err(|source| TableError {
                    table: px.name.clone(),
                    source,
                })?;
                t.insert(StickTable::new(px.name.clone(), spec));
            }
        }
        for sec in cfg.other_sections.iter().filter(|s| s.kind == "peers") {
            for d in sec.directives.iter().filter(|d| d.keyword == "table") {
                let Some((name, args)) = d.args.split_first() else {
                    continue;
                };
                let full = format!("{}/{}", sec.name, name);
                let spec = TableSpec::parse(args).map_err(|source| TableError {
                    table: full.clone(),
                    source,
                })?;
                t.insert(StickTable::new(full, spec));
            }
        }
        for px in &cfg.proxies {
            for r in px.rules.iter().filter(|r| r.value.keyword == "stick") {
                if let Action::Stick { table, .. } = &r.value.action_args {
                    let name = table.as_deref().unwrap_or(&px.name);
                    if let Some(st) = t.get_mut_by_name(name) {
                        for dt in [DataType::ServerId, DataType::ServerKey] {
                            if st.spec.stores(dt).is_none() {
                                st.spec.store.push((dt, 0));
                            }
                        }
                    }
                }
            }
        }
        Ok(t)
    }

    /// Adds a table (replacing one of the same name).
    pub fn insert(&mut self, table: StickTable) -> TableId {
        if let Some(&id) = self.by_name.get(&table.name)
            && let Some(slot) = self.tables.get_mut(id.0)
        {
            *slot = table;
            return id;
        }
        let id = TableId(self.tables.len());
        self.by_name.insert(table.name.clone(), id);
        self.tables.push(table);
        id
    }

    pub fn id(&self, name: &str) -> Option<TableId> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, id: TableId) -> Option<&StickTable> {
        self.tables.get(id.0)
    }

    pub fn get_mut(&mut self, id: TableId) -> Option<&mut StickTable> {
        self.tables.get_mut(id.0)
    }

    pub fn get_by_name(&self, name: &str) -> Option<&StickTable> {
        self.id(name).and_then(|id| self.get(id))
    }

    pub fn get_mut_by_name(&mut self, name: &str) -> Option<&mut StickTable> {
        self.id(name).and_then(|id| self.tables.get_mut(id.0))
    }

    pub fn iter(&self) -> impl Iterator<Item = (TableId, &StickTable)> {
        self.tables.iter().enumerate().map(|(i, t)| (TableId(i), t))
    }

    /// `src_*` fetches and `table_*` converters: the value of `dt` for `key` in a table.
    /// An absent key reads as 0 (HAProxy returns a zero sample); `None` (the fetch fails)
    /// when the entry exists but the table does not store `dt`, or the table is unknown.
    /// `DataType` rates are read at `now_ms`.
    pub fn lookup_data(&self, table: TableId, key: &Key, dt: DataType, now_ms: u64) -> Option<i64> {
        let t = self.get(table)?;
        match t.lookup(key, now_ms) {
            None => Some(0),
            Some(e) => t.read(e, dt, now_ms),
        }
    }

    /// `src_trackers` / `table_trackers`: how many trackers reference `key` (0 if absent).
    pub fn trackers(&self, table: TableId, key: &Key, now_ms: u64) -> Option<i64> {
        let t = self.get(table)?;
        Some(t.lookup(key, now_ms).map_or(0, |e| i64::from(e.ref_cnt)))
    }

    /// `src_inc_gpc0` / `src_inc_gpc1` (`which` 0 or 1): creates the entry if needed, bumps
    /// gpcN_rate and gpcN; returns the new gpcN (0 when only the rate is stored).
    /// `None` when the entry cannot be created.
    pub fn inc_gpc(&mut self, table: TableId, key: &Key, which: u8, now_ms: u64) -> Option<i64> {
        let t = self.get_mut(table)?;
        t.acquire(key, now_ms).ok()?;
        let v = inc_gpc_entry(t, key, which, now_ms);
        t.release(key, v.is_some(), now_ms);
        Some(v.unwrap_or(0))
    }

    /// `src_clr_gpc0` / `src_clr_gpc1`: creates the entry if needed, returns the previous
    /// value and zeroes it. `None` when the entry cannot be created or gpcN is not stored.
    pub fn clr_gpc(&mut self, table: TableId, key: &Key, which: u8, now_ms: u64) -> Option<i64> {
        let t = self.get_mut(table)?;
        t.acquire(key, now_ms).ok()?;
        let prev = t.set(key, gpc_type(which), 0);
        t.release(key, prev.is_some(), now_ms);
        prev
    }

    /// Drops expired entries of every table.
    pub fn purge_expired(&mut self, now_ms: u64) {
        for t in &mut self.tables {
            t.purge_expired(now_ms);
        }
    }
}

fn gpc_type(which: u8) -> DataType {
    if which == 1 {
        DataType::Gpc1
    } else {
        DataType::Gpc0
    }
}

fn gpc_rate_type(which: u8) -> DataType {
    if which == 1 {
        DataType::Gpc1Rate
    } else {
        DataType::Gpc0Rate
    }
}

/// Bumps gpcN_rate and gpcN of an existing entry; `None` if neither is stored, else the
/// new gpcN (0 when only the rate is stored).
fn inc_gpc_entry(t: &mut StickTable, key: &Key, which: u8, now_ms: u64) -> Option<i64> {
    let rate = t.bump(key, gpc_rate_type(which), 1, now_ms);
    let cnt = t.bump(key, gpc_type(which), 1, now_ms);
    if !rate && !cnt {
        return None;
    }
    Some(if cnt {
        t.get(key, gpc_type(which), now_ms).unwrap_or(0)
    } else {
        0
    })
}

/// Where a `track-sc*` action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackStage {
    /// `tcp-request connection`: session-level.
    TcpConnection,
    /// `tcp-request session`: session-level.
    TcpSession,
    /// `tcp-request content`: stream-level.
    TcpContent,
    /// `http-request`: stream-level, counts the current request.
    HttpRequest,
    /// `http-response`: stream-level, counts the request and a 4xx/5xx status.
    HttpResponse { status: u16 },
}

impl TrackStage {
    fn session_level(self) -> bool {
        matches!(self, TrackStage::TcpConnection | TrackStage::TcpSession)
    }
}

/// A tracked entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctr {
    pub table: TableId,
    pub key: Key,
}

/// The sticky counters of one connection and its current transaction.
#[derive(Debug, Clone, Default)]
pub struct Tracked {
    sess: [Option<Ctr>; MAX_SC],
    strm: [Option<Ctr>; MAX_SC],
}

impl Tracked {
    pub fn new() -> Tracked {
        Tracked::default()
    }

    /// The entry `scN` refers to (the stream's first, then the session's), as
    /// `smp_fetch_sc_stkctr()` picks it.
    pub fn ctr(&self, sc: u8) -> Option<&Ctr> {
        let i = usize::from(sc);
        self.strm
            .get(i)
            .and_then(Option::as_ref)
            .or_else(|| self.sess.get(i).and_then(Option::as_ref))
    }

    /// `sc_tracked(N)`.
    pub fn is_tracked(&self, sc: u8) -> bool {
        self.ctr(sc).is_some()
    }

    /// A `track-scN` action with its key already converted (see [`KeyType::key_from`]).
    /// Only the first tracking of each counter applies: returns false when `scN` is
    /// already tracked at that level (a session-level tracker also blocks stream-level
    /// ones, as the stream inherits it), or when the table is full. On success counts
    /// conn_cnt, conn_cur, conn_rate (`stream_start_counters()`), plus the current
    /// request (and an error status) for HTTP stages.
    pub fn track(
        &mut self,
        tables: &mut Tables,
        sc: u8,
        table: TableId,
        key: Key,
        stage: TrackStage,
        now_ms: u64,
    ) -> bool {
        let i = usize::from(sc);
        if i >= MAX_SC {
            return false;
        }
        let taken = if stage.session_level() {
            self.sess[i].is_some()
        } else {
            self.strm[i].is_some() || self.sess[i].is_some()
        };
        if taken {
            return false;
        }
        let Some(t) = tables.get_mut(table) else {
            return false;
        };
        if t.acquire(&key, now_ms).is_err() {
            return false;
        }
        t.bump(&key, DataType::ConnCur, 1, now_ms);
        t.bump(&key, DataType::ConnCnt, 1, now_ms);
        t.bump(&key, DataType::ConnRate, 1, now_ms);
        t.touch(&key, now_ms);
        if let TrackStage::HttpRequest | TrackStage::HttpResponse { .. } = stage {
            let mut m = t.bump(&key, DataType::HttpReqCnt, 1, now_ms);
            m |= t.bump(&key, DataType::HttpReqRate, 1, now_ms);
            if let TrackStage::HttpResponse { status } = stage {
                m |= count_status(t, &key, status, now_ms);
            }
            if m {
                t.touch(&key, now_ms);
            }
        }
        let c = Some(Ctr { table, key });
        if stage.session_level() {
            self.sess[i] = c;
        } else {
            self.strm[i] = c;
        }
        true
    }

    fn each_ctr(&self) -> impl Iterator<Item = Ctr> + '_ {
        (0..MAX_SC as u8).filter_map(|sc| self.ctr(sc).cloned())
    }

    fn bump_all(
        &self,
        tables: &mut Tables,
        f: impl Fn(&mut StickTable, &Key) -> bool,
        now_ms: u64,
    ) {
        for c in self.each_ctr() {
            if let Some(t) = tables.get_mut(c.table)
                && f(t, &c.key)
            {
                t.touch(&c.key, now_ms);
            }
        }
    }

    /// After the `tcp-request connection` and `session` rules: sess_cnt and sess_rate of the
    /// session-level trackers (`session_count_new()`).
    pub fn session_started(&mut self, tables: &mut Tables, now_ms: u64) {
        for c in self.sess.iter().flatten() {
            if let Some(t) = tables.get_mut(c.table) {
                t.bump(&c.key, DataType::SessCnt, 1, now_ms);
                t.bump(&c.key, DataType::SessRate, 1, now_ms);
            }
        }
    }

    /// A new HTTP request was parsed (`stream_inc_http_req_ctr()`), before `http-request`
    /// rules run.
    pub fn http_request(&mut self, tables: &mut Tables, now_ms: u64) {
        self.bump_all(
            tables,
            |t, k| {
                let a = t.bump(k, DataType::HttpReqCnt, 1, now_ms);
                t.bump(k, DataType::HttpReqRate, 1, now_ms) | a
            },
            now_ms,
        );
    }

    /// The response status of the transaction: 4xx counts http_err, 5xx except 501 and 505
    /// counts http_fail (`stream_inc_http_err_ctr()`, `stream_inc_http_fail_ctr()`).
    pub fn http_status(&mut self, tables: &mut Tables, status: u16, now_ms: u64) {
        self.bump_all(tables, |t, k| count_status(t, k, status, now_ms), now_ms);
    }

    /// An HTTP error HAProxy produced itself (`deny`, `tarpit`, `auth`, 400 on a bad
    /// request): http_err_cnt and http_err_rate, whatever the status.
    pub fn http_error(&mut self, tables: &mut Tables, now_ms: u64) {
        self.bump_all(
            tables,
            |t, k| {
                let a = t.bump(k, DataType::HttpErrCnt, 1, now_ms);
                t.bump(k, DataType::HttpErrRate, 1, now_ms) | a
            },
            now_ms,
        );
    }

    /// Bytes received from the client (`bytes_in`) and sent to it (`bytes_out`).
    pub fn add_bytes(&mut self, tables: &mut Tables, bytes_in: u64, bytes_out: u64, now_ms: u64) {
        self.bump_all(
            tables,
            |t, k| {
                let mut m = false;
                if bytes_in > 0 {
                    m |= t.bump(k, DataType::BytesInCnt, bytes_in, now_ms);
                    m |= t.bump(k, DataType::BytesInRate, bytes_in, now_ms);
                }
                if bytes_out > 0 {
                    m |= t.bump(k, DataType::BytesOutCnt, bytes_out, now_ms);
                    m |= t.bump(k, DataType::BytesOutRate, bytes_out, now_ms);
                }
                m
            },
            now_ms,
        );
    }

    /// End of the transaction (stream): releases stream-level trackers (conn_cur - 1).
    pub fn end_stream(&mut self, tables: &mut Tables, now_ms: u64) {
        for slot in &mut self.strm {
            if let Some(c) = slot.take() {
                release(tables, &c, now_ms);
            }
        }
    }

    /// End of the connection: ends the stream, then releases session-level trackers.
    pub fn end_session(&mut self, tables: &mut Tables, now_ms: u64) {
        self.end_stream(tables, now_ms);
        for slot in &mut self.sess {
            if let Some(c) = slot.take() {
                release(tables, &c, now_ms);
            }
        }
    }

    /// `sc_*(N)` / `scN_*` fetches: the value of `dt` in the entry `scN` tracks. `None` (the
    /// fetch fails) when `scN` is not tracked or its table does not store `dt`.
    pub fn sc_get(&self, tables: &Tables, sc: u8, dt: DataType, now_ms: u64) -> Option<i64> {
        let c = self.ctr(sc)?;
        let t = tables.get(c.table)?;
        let e = t.lookup(&c.key, now_ms)?;
        t.read(e, dt, now_ms)
    }

    /// `sc_*(N,TABLE)`: the same key looked up in another table (0 when absent there).
    pub fn sc_get_in(
        &self,
        tables: &Tables,
        sc: u8,
        table: TableId,
        dt: DataType,
        now_ms: u64,
    ) -> Option<i64> {
        let c = self.ctr(sc)?;
        tables.lookup_data(table, &c.key, dt, now_ms)
    }

    /// `sc_trackers(N)`.
    pub fn sc_trackers(&self, tables: &Tables, sc: u8, now_ms: u64) -> Option<i64> {
        let c = self.ctr(sc)?;
        tables.trackers(c.table, &c.key, now_ms)
    }

    /// `sc_inc_gpc0(N)` / `sc_inc_gpc1(N)`: the new value (0 when only the rate is stored).
    pub fn sc_inc_gpc(&self, tables: &mut Tables, sc: u8, which: u8, now_ms: u64) -> Option<i64> {
        let c = self.ctr(sc)?;
        let t = tables.get_mut(c.table)?;
        let v = inc_gpc_entry(t, &c.key, which, now_ms);
        if v.is_some() {
            t.touch(&c.key, now_ms);
        }
        Some(v.unwrap_or(0))
    }

    /// `sc_clr_gpc0(N)` / `sc_clr_gpc1(N)`: the previous value.
    pub fn sc_clr_gpc(&self, tables: &mut Tables, sc: u8, which: u8, now_ms: u64) -> Option<i64> {
        let c = self.ctr(sc)?;
        let t = tables.get_mut(c.table)?;
        let prev = t.set(&c.key, gpc_type(which), 0)?;
        t.touch(&c.key, now_ms);
        Some(prev)
    }

    /// `sc-set-gpt0(N)`: sets gpt0 of the tracked entry; false when not tracked/stored.
    pub fn sc_set_gpt0(&self, tables: &mut Tables, sc: u8, v: i64, now_ms: u64) -> bool {
        let Some(c) = self.ctr(sc) else {
            return false;
        };
        let Some(t) = tables.get_mut(c.table) else {
            return false;
        };
        let ok = t.set(&c.key, DataType::Gpt0, i64::from(v as u32)).is_some();
        if ok {
            t.touch(&c.key, now_ms);
        }
        ok
    }
}

fn count_status(t: &mut StickTable, key: &Key, status: u16, now_ms: u64) -> bool {
    let mut m = false;
    if (400..500).contains(&status) {
        m |= t.bump(key, DataType::HttpErrCnt, 1, now_ms);
        m |= t.bump(key, DataType::HttpErrRate, 1, now_ms);
    }
    if (500..600).contains(&status) && status != 501 && status != 505 {
        m |= t.bump(key, DataType::HttpFailCnt, 1, now_ms);
        m |= t.bump(key, DataType::HttpFailRate, 1, now_ms);
    }
    m
}

/// `stream_store_counters()` / `session_store_counters()` for one tracker.
fn release(tables: &mut Tables, c: &Ctr, now_ms: u64) {
    if let Some(t) = tables.get_mut(c.table) {
        let had_cur = match t.get(&c.key, DataType::ConnCur, now_ms) {
            Some(n) if n > 0 => {
                t.set(&c.key, DataType::ConnCur, n - 1);
                true
            }
            Some(_) => true,
            None => false,
        };
        t.release(&c.key, had_cur, now_ms);
    }
}

/// The `server_id` (HAProxy's `puid`) of each server of a backend, in declaration order,
/// from their explicit `id`s: the others are numbered as `check_config_validity()` does,
/// with a counter that advances past every server, explicit or not, and skips used ids
/// (measured on HAProxy 2.6.12: `a`, `b id 1`, `c`, `d id 3`, `e` get 2, 1, 4, 3, 6).
/// Stick tables store this id; `stick match` maps it back to the server.
pub fn server_ids(explicit: &[Option<i64>]) -> Vec<i64> {
    let mut used: std::collections::HashSet<i64> = explicit.iter().flatten().copied().collect();
    let mut next = 1i64;
    explicit
        .iter()
        .map(|id| {
            let id = match *id {
                Some(id) => id,
                None => {
                    while used.contains(&next) {
                        next += 1;
                    }
                    used.insert(next);
                    next
                }
            };
            next += 1;
            id
        })
        .collect()
}

/// The kind of a `stick` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StickKind {
    /// `stick on`: match then store-request.
    On,
    Match,
    StoreRequest,
    StoreResponse,
}

impl StickKind {
    /// From the IR's rule set word (`on`, `match`, `store-request`, `store-response`).
    pub fn from_ruleset(s: &str) -> Option<StickKind> {
        Some(match s {
            "on" => StickKind::On,
            "match" => StickKind::Match,
            "store-request" => StickKind::StoreRequest,
            "store-response" => StickKind::StoreResponse,
            _ => return None,
        })
    }

    fn matches(self) -> bool {
        matches!(self, StickKind::On | StickKind::Match)
    }

    fn stores(self) -> bool {
        matches!(self, StickKind::On | StickKind::StoreRequest)
    }
}

/// Most pending stores a stream keeps (HAProxy's `s->store[8]`).
const MAX_STORES: usize = 8;

/// `stick` rule state of one transaction (`process_sticking_rules()` then
/// `process_store_rules()`).
///
/// Request side, for each `stick on|match|store-request` rule of the backend in order:
/// skip it if [`StickRules::skip_request_rule`]; evaluate its condition; if true evaluate its
/// key and call [`StickRules::request_rule`], which returns the `server_id` stored for the key
/// (match/on) when the server is not assigned yet. The engine maps that id to a server (the
/// server's `id`, auto-numbered from 1 in declaration order), and uses it if it is not DOWN,
/// or with `option persist` / `force-persist`, marking the stream assigned.
/// Response side: the same for `store-response` rules with [`StickRules::skip_response_rule`]
/// and [`StickRules::response_rule`], then [`StickRules::commit`] with the server that served.
#[derive(Debug, Clone, Default)]
pub struct StickRules {
    /// Pending stores: (table, key); the first `nbreq` come from the request.
    stores: Vec<(TableId, Key)>,
    nbreq: usize,
}

impl StickRules {
    pub fn new() -> StickRules {
        StickRules::default()
    }

    /// Only the first store-request (or `on`) rule of each table applies: later ones are
    /// skipped before their condition is evaluated.
    pub fn skip_request_rule(&self, kind: StickKind, table: TableId) -> bool {
        kind.stores() && self.stores.iter().any(|(t, _)| *t == table)
    }

    /// Applies a request-side rule whose condition passed, with its key (`None` if the
    /// sample was absent or not convertible: the rule is then ignored). Returns the
    /// `server_id` found for a match when `assigned` is false. A matched entry is touched.
    pub fn request_rule(
        &mut self,
        tables: &mut Tables,
        kind: StickKind,
        table: TableId,
        key: Option<Key>,
        assigned: bool,
        now_ms: u64,
    ) -> Option<i64> {
        let key = key?;
        let mut found = None;
        if kind.matches()
            && let Some(t) = tables.get_mut(table)
            && t.contains(&key, now_ms)
        {
            if !assigned {
                found = t.get(&key, DataType::ServerId, now_ms);
            }
            t.touch(&key, now_ms);
        }
        if kind.stores() && self.stores.len() < MAX_STORES {
            self.stores.push((table, key));
            self.nbreq = self.stores.len();
        }
        found
    }

    /// Only the first store-response rule of each table applies (request stores do not
    /// count).
    pub fn skip_response_rule(&self, table: TableId) -> bool {
        self.stores
            .iter()
            .skip(self.nbreq)
            .any(|(t, _)| *t == table)
    }

    /// A `store-response` rule whose condition passed, with its key.
    pub fn response_rule(&mut self, table: TableId, key: Option<Key>) {
        if let Some(key) = key
            && self.stores.len() < MAX_STORES
        {
            self.stores.push((table, key));
        }
    }

    /// Writes `server_id` (and `server_key` = the server's name) for every pending store,
    /// once the response arrived from `server_id`; servers with `non-stick` store nothing.
    /// Stores whose entry cannot be created (full table) are dropped.
    pub fn commit(
        &mut self,
        tables: &mut Tables,
        server_id: i64,
        server_name: &str,
        non_stick: bool,
        now_ms: u64,
    ) {
        let stores = std::mem::take(&mut self.stores);
        self.nbreq = 0;
        if non_stick {
            return;
        }
        for (table, key) in stores {
            let Some(t) = tables.get_mut(table) else {
                continue;
            };
            if t.acquire(&key, now_ms).is_err() {
                continue;
            }
            t.set(&key, DataType::ServerId, server_id);
            t.set_text(&key, DataType::ServerKey, Some(server_name.to_string()));
            t.release(&key, true, now_ms);
        }
    }

    /// Pending stores (for logs/tests).
    pub fn pending(&self) -> &[(TableId, Key)] {
        &self.stores
    }
}

#[cfg(test)]
mod tests;
