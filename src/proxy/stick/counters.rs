//! [`SessionCounters`]: one connection's sticky counters bound to the shared tables, exposed
//! to the rules through `acl::TableLookup` (fetch names as written: `http_req_rate`,
//! `get_gpc0`, `inc_gpc0`, `tracked`, ...).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{DataType, Key, KeySample, SharedTables, Tables, TrackStage, Tracked};
use crate::proxy::acl::{TableLookup, Value};

/// The trackers of one connection plus a handle on the shared tables. The session keeps
/// one per client connection and calls the
/// lifecycle hooks ([`SessionCounters::http_request`], [`SessionCounters::end_stream`], ...).
#[derive(Debug)]
pub struct SessionCounters {
    tables: SharedTables,
    tracked: Mutex<Tracked>,
    /// The latest time seen, used when the session is dropped without `end_session`.
    last_now: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not wedge every later connection: keep the data.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Converts a rules sample into a key sample.
pub fn key_sample<'a>(v: &'a Value<'_>) -> KeySample<'a> {
    match v {
        Value::Bool(b) => KeySample::Bool(*b),
        Value::Int(i) => KeySample::Int(*i),
        Value::Str(s) => KeySample::Str(s),
        Value::Bin(b) => KeySample::Bin(b),
        Value::Addr(IpAddr::V4(a)) => KeySample::Ipv4(*a),
        Value::Addr(IpAddr::V6(a)) => KeySample::Ipv6(*a),
        Value::Meth(m) => KeySample::Meth(m.as_bytes()),
    }
}

/// The data type a fetch suffix reads, with a right shift (`kbytes_*` are bytes / 1024).
fn data_of(name: &str) -> Option<(DataType, u32)> {
    let n = name.strip_prefix("get_").unwrap_or(name);
    Some(match n {
        "kbytes_in" => (DataType::BytesInCnt, 10),
        "kbytes_out" => (DataType::BytesOutCnt, 10),
        _ => (DataType::from_name(n)?, 0),
    })
}

impl SessionCounters {
    pub fn new(tables: SharedTables) -> SessionCounters {
        SessionCounters {
            tables,
            tracked: Mutex::new(Tracked::new()),
            last_now: AtomicU64::new(0),
        }
    }

    pub fn tables(&self) -> &SharedTables {
        &self.tables
    }

    fn saw(&self, now_ms: u64) {
        self.last_now.fetch_max(now_ms, Ordering::Relaxed);
    }

    /// Runs `f` on the trackers and the locked tables.
    pub fn with<R>(&self, f: impl FnOnce(&mut Tracked, &mut Tables) -> R) -> R {
        let mut t = lock(&self.tracked);
        let mut tables = lock(&self.tables);
        f(&mut t, &mut tables)
    }

    /// See [`Tracked::session_started`].
    pub fn session_started(&self, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.session_started(tb, now_ms));
    }

    /// See [`Tracked::http_request`].
    pub fn http_request(&self, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.http_request(tb, now_ms));
    }

    /// See [`Tracked::http_status`].
    pub fn http_status(&self, status: u16, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.http_status(tb, status, now_ms));
    }

    /// See [`Tracked::http_error`].
    pub fn http_error(&self, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.http_error(tb, now_ms));
    }

    /// See [`Tracked::add_bytes`].
    pub fn add_bytes(&self, bytes_in: u64, bytes_out: u64, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.add_bytes(tb, bytes_in, bytes_out, now_ms));
    }

    /// See [`Tracked::end_stream`].
    pub fn end_stream(&self, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.end_stream(tb, now_ms));
    }

    /// See [`Tracked::end_session`].
    pub fn end_session(&self, now_ms: u64) {
        self.saw(now_ms);
        self.with(|t, tb| t.end_session(tb, now_ms));
    }
}

impl Drop for SessionCounters {
    /// A connection dropped without `end_session` still releases its entries (conn_cur).
    fn drop(&mut self) {
        let mut t = lock(&self.tracked);
        let mut tables = lock(&self.tables);
        // The clock is not passed here: use the latest time this session saw.
        t.end_session(&mut tables, self.last_now.load(Ordering::Relaxed));
    }
}

impl TableLookup for SessionCounters {
    fn track(
        &self,
        counter: u8,
        table: &str,
        key: &Value<'_>,
        stage: TrackStage,
        now_ms: u64,
    ) -> bool {
        self.saw(now_ms);
        self.with(|t, tb| {
            let Some(id) = tb.id(table) else {
                return false;
            };
            let Some(k) = tb
                .get(id)
                .and_then(|st| st.spec.key_type.key_from(&key_sample(key)))
            else {
                return false;
            };
            t.track(tb, counter, id, k, stage, now_ms)
        })
    }

    fn sc_fetch(&self, counter: u8, table: Option<&str>, data: &str, now_ms: u64) -> Option<i64> {
        self.with(|t, tb| {
            let alt = match table {
                Some(name) => Some(tb.id(name)?),
                None => None,
            };
            match data {
                "tracked" => return Some(i64::from(t.is_tracked(counter))),
                "trackers" => return t.sc_trackers(tb, counter, now_ms),
                "inc_gpc0" | "inc_gpc1" => {
                    let which = u8::from(data.ends_with('1'));
                    return t.sc_inc_gpc(tb, counter, which, now_ms);
                }
                "clr_gpc0" | "clr_gpc1" => {
                    let which = u8::from(data.ends_with('1'));
                    return t.sc_clr_gpc(tb, counter, which, now_ms);
                }
                _ => {}
            }
            let (dt, shift) = data_of(data)?;
            let v = match alt {
                Some(id) => t.sc_get_in(tb, counter, id, dt, now_ms)?,
                None => t.sc_get(tb, counter, dt, now_ms)?,
            };
            Some(v >> shift)
        })
    }

    fn key_fetch(&self, table: &str, key: &Value<'_>, data: &str, now_ms: u64) -> Option<i64> {
        let mut tb = lock(&self.tables);
        key_fetch(&mut tb, table, key, data, now_ms)
    }
}

/// `src_<data>(table)` / `table_<data>(table)` on a key (shared by [`SessionCounters`] and
/// callers without trackers).
pub fn key_fetch(
    tb: &mut Tables,
    table: &str,
    key: &Value<'_>,
    data: &str,
    now_ms: u64,
) -> Option<i64> {
    let id = tb.id(table)?;
    let k: Key = tb.get(id)?.spec.key_type.key_from(&key_sample(key))?;
    match data {
        "trackers" => tb.trackers(id, &k, now_ms),
        // `in_table` converter: whether the key has an entry (not created by the look-up).
        "in_table" => Some(i64::from(tb.get(id)?.lookup(&k, now_ms).is_some())),
        "inc_gpc0" | "inc_gpc1" => tb.inc_gpc(id, &k, u8::from(data.ends_with('1')), now_ms),
        "clr_gpc0" | "clr_gpc1" => tb.clr_gpc(id, &k, u8::from(data.ends_with('1')), now_ms),
        "updt_conn_cnt" => {
            // src_updt_conn_cnt: creates the entry, counts a connection, returns conn_cnt.
            let t = tb.get_mut(id)?;
            t.acquire(&k, now_ms).ok()?;
            let a = t.bump(&k, DataType::ConnCnt, 1, now_ms);
            t.bump(&k, DataType::ConnRate, 1, now_ms);
            let v = t.get(&k, DataType::ConnCnt, now_ms);
            t.release(&k, true, now_ms);
            if a { v } else { None }
        }
        _ => {
            let (dt, shift) = data_of(data)?;
            Some(tb.lookup_data(id, &k, dt, now_ms)? >> shift)
        }
    }
}
