//! One stick table: its declaration (`stick-table ...` arguments), its entries, HAProxy 2.6's
//! expiry, touch, reference counting and eviction of the oldest unreferenced entries.

use std::collections::{BTreeMap, HashMap};

use thiserror::Error;

use super::freq::FreqCtr;
use super::key::{Key, KeyType};
use crate::config::haproxy::values::{TimeUnit, parse_size, parse_time};

/// The data types a table can store (`store ...`), HAProxy 2.6's `stktable_data_types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    ServerId,
    Gpt0,
    Gpc0,
    Gpc0Rate,
    ConnCnt,
    ConnRate,
    ConnCur,
    SessCnt,
    SessRate,
    HttpReqCnt,
    HttpReqRate,
    HttpErrCnt,
    HttpErrRate,
    BytesInCnt,
    BytesInRate,
    BytesOutCnt,
    BytesOutRate,
    Gpc1,
    Gpc1Rate,
    ServerKey,
    HttpFailCnt,
    HttpFailRate,
}

/// How HAProxy stores a data type (`STD_T_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdType {
    Sint,
    /// 32-bit unsigned, wrapping.
    Uint,
    /// 64-bit unsigned.
    Ull,
    Frqp,
    Dict,
}

impl DataType {
    pub const ALL: [DataType; 22] = [
        DataType::ServerId,
        DataType::Gpt0,
        DataType::Gpc0,
        DataType::Gpc0Rate,
        DataType::ConnCnt,
        DataType::ConnRate,
        DataType::ConnCur,
        DataType::SessCnt,
        DataType::SessRate,
        DataType::HttpReqCnt,
        DataType::HttpReqRate,
        DataType::HttpErrCnt,
        DataType::HttpErrRate,
        DataType::BytesInCnt,
        DataType::BytesInRate,
        DataType::BytesOutCnt,
        DataType::BytesOutRate,
        DataType::Gpc1,
        DataType::Gpc1Rate,
        DataType::ServerKey,
        DataType::HttpFailCnt,
        DataType::HttpFailRate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DataType::ServerId => "server_id",
            DataType::Gpt0 => "gpt0",
            DataType::Gpc0 => "gpc0",
            DataType::Gpc0Rate => "gpc0_rate",
            DataType::ConnCnt => "conn_cnt",
            DataType::ConnRate => "conn_rate",
            DataType::ConnCur => "conn_cur",
            DataType::SessCnt => "sess_cnt",
            DataType::SessRate => "sess_rate",
            DataType::HttpReqCnt => "http_req_cnt",
            DataType::HttpReqRate => "http_req_rate",
            DataType::HttpErrCnt => "http_err_cnt",
            DataType::HttpErrRate => "http_err_rate",
            DataType::BytesInCnt => "bytes_in_cnt",
            DataType::BytesInRate => "bytes_in_rate",
            DataType::BytesOutCnt => "bytes_out_cnt",
            DataType::BytesOutRate => "bytes_out_rate",
            DataType::Gpc1 => "gpc1",
            DataType::Gpc1Rate => "gpc1_rate",
            DataType::ServerKey => "server_key",
            DataType::HttpFailCnt => "http_fail_cnt",
            DataType::HttpFailRate => "http_fail_rate",
        }
    }

    pub fn from_name(name: &str) -> Option<DataType> {
        DataType::ALL.into_iter().find(|d| d.name() == name)
    }

    pub fn std_type(self) -> StdType {
        match self {
            DataType::ServerId => StdType::Sint,
            DataType::BytesInCnt | DataType::BytesOutCnt => StdType::Ull,
            DataType::ServerKey => StdType::Dict,
            DataType::Gpc0Rate
            | DataType::ConnRate
            | DataType::SessRate
            | DataType::HttpReqRate
            | DataType::HttpErrRate
            | DataType::BytesInRate
            | DataType::BytesOutRate
            | DataType::Gpc1Rate
            | DataType::HttpFailRate => StdType::Frqp,
            _ => StdType::Uint,
        }
    }

    pub fn is_rate(self) -> bool {
        self.std_type() == StdType::Frqp
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    #[error("stick-table: missing 'type'")]
    MissingType,
    #[error("stick-table: missing 'size'")]
    MissingSize,
    #[error("stick-table: unknown type '{0}'")]
    UnknownType(String),
    #[error("stick-table: '{0}' expects an argument")]
    MissingArg(String),
    #[error("stick-table: invalid value '{value}' for '{keyword}'")]
    BadValue { keyword: String, value: String },
    #[error("stick-table: unknown data type '{0}'")]
    UnknownData(String),
    #[error("stick-table: data type '{0}' requires a period")]
    MissingPeriod(String),
    #[error("stick-table: unknown argument '{0}'")]
    UnknownKeyword(String),
}

/// A parsed `stick-table` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub key_type: KeyType,
    /// Maximum number of entries.
    pub size: u32,
    /// `expire` in ms; `None` = entries never expire (only eviction removes them).
    pub expire_ms: Option<u32>,
    pub nopurge: bool,
    pub peers: Option<String>,
    /// Stored data types with their period in ms for rates, in declaration order.
    pub store: Vec<(DataType, u32)>,
}

impl TableSpec {
    /// Parses the words after `stick-table` (`type ip size 100k expire 30s store ...`),
    /// as HAProxy 2.6's `stktable_parse_fields()`.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<TableSpec, SpecError> {
        let mut key_type = None;
        let mut size = 0u32;
        let mut expire_ms = None;
        let mut nopurge = false;
        let mut peers = None;
        let mut store: Vec<(DataType, u32)> = Vec::new();
        let mut i = 0;
        let arg = |i: usize, kw: &str| {
            args.get(i)
                .map(|s| s.as_ref())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| SpecError::MissingArg(kw.to_string()))
        };
        let bad = |kw: &str, v: &str| SpecError::BadValue {
            keyword: kw.to_string(),
            value: v.to_string(),
        };
        while let Some(word) = args.get(i).map(|s| s.as_ref()) {
            match word {
                "size" => {
                    let v = arg(i + 1, "size")?;
                    size = parse_size(v).map_err(|_| bad("size", v))?;
                    i += 2;
                }
                "peers" => {
                    peers = Some(arg(i + 1, "peers")?.to_string());
                    i += 2;
                }
                "nopurge" => {
                    nopurge = true;
                    i += 1;
                }
                "type" => {
                    let t = arg(i + 1, "type")?;
                    i += 2;
                    let mut len = 32usize;
                    let has_len = matches!(t, "string" | "binary")
                        && args.get(i).map(|s| s.as_ref()) == Some("len");
                    if has_len {
                        let v = arg(i + 1, "len")?;
                        len = v
                            .parse::<usize>()
                            .ok()
                            .filter(|&n| n > 0)
                            .ok_or_else(|| bad("len", v))?;
                        i += 2;
                    }
                    key_type = Some(match t {
                        "ip" => KeyType::Ip,
                        "ipv6" => KeyType::Ipv6,
                        "integer" => KeyType::Integer,
                        "string" => KeyType::String { len },
                        "binary" => KeyType::Binary { len },
                        other => return Err(SpecError::UnknownType(other.to_string())),
                    });
                }
                "store" => {
                    let list = arg(i + 1, "store")?;
                    i += 2;
                    for item in list.split(',').filter(|s| !s.is_empty()) {
                        let (name, period) = match item.find('(') {
                            Some(p) => (
                                &item[..p],
                                Some(item[p + 1..].trim_end_matches(')').to_string()),
                            ),
                            None => (item, None),
                        };
                        // Array types (gpt/gpc/gpc_rate) are not stored by this engine.
                        if matches!(name, "gpt" | "gpc" | "gpc_rate") {
                            continue;
                        }
                        let dt = DataType::from_name(name)
                            .ok_or_else(|| SpecError::UnknownData(name.to_string()))?;
                        let period = match (dt.is_rate(), period) {
                            (true, Some(p)) => {
                                parse_time(&p, TimeUnit::Ms)
                                    .map_err(|_| bad(name, &p))?
                                    .value
                            }
                            (true, None) => return Err(SpecError::MissingPeriod(name.into())),
                            (false, _) => 0,
                        };
                        match store.iter_mut().find(|(d, _)| *d == dt) {
                            Some(slot) => slot.1 = period,
                            None => store.push((dt, period)),
                        }
                    }
                }
                "expire" => {
                    let v = arg(i + 1, "expire")?;
                    let t = parse_time(v, TimeUnit::Ms).map_err(|_| bad("expire", v))?;
                    expire_ms = (t.value > 0).then_some(t.value);
                    i += 2;
                }
                // 2.6 keywords with no effect on a single-process engine.
                "write-to" | "srvkey" | "recv-only" => {
                    i += 2;
                }
                other => return Err(SpecError::UnknownKeyword(other.to_string())),
            }
        }
        let key_type = key_type.ok_or(SpecError::MissingType)?;
        if size == 0 {
            return Err(SpecError::MissingSize);
        }
        Ok(TableSpec {
            key_type,
            size,
            expire_ms,
            nopurge,
            peers,
            store,
        })
    }

    /// Whether the table stores `dt`, and its period for rates.
    pub fn stores(&self, dt: DataType) -> Option<u32> {
        self.store.iter().find(|(d, _)| *d == dt).map(|&(_, p)| p)
    }

    fn slot(&self, dt: DataType) -> Option<usize> {
        self.store.iter().position(|(d, _)| *d == dt)
    }
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datum {
    Num(i64),
    Freq(FreqCtr),
    Text(Option<String>),
}

/// An entry (HAProxy's `struct stksess`).
#[derive(Debug, Clone)]
pub struct Entry {
    pub data: Vec<Datum>,
    /// Expiration date in ms (for tables without `expire`: the last touch, the eviction order).
    pub expire: u64,
    /// Sessions/streams tracking it (and transient users); never evicted or expired while > 0.
    pub ref_cnt: u32,
    /// Position in the eviction/expiry order.
    order: (u64, u64),
}

/// A table and its entries.
#[derive(Debug, Clone)]
pub struct StickTable {
    /// The proxy (or `peers/NAME`) that declares it.
    pub name: String,
    pub spec: TableSpec,
    entries: HashMap<Key, Entry>,
    /// (expire, insertion sequence) -> key: the exps tree, oldest first.
    order: BTreeMap<(u64, u64), Key>,
    seq: u64,
}

/// A new entry could not be created: the table is full and nothing could be evicted
/// (`nopurge`, or every entry is referenced).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("stick table full")]
pub struct TableFull;

impl StickTable {
    pub fn new(name: impl Into<String>, spec: TableSpec) -> StickTable {
        StickTable {
            name: name.into(),
            spec,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            seq: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn exp_for(&self, now_ms: u64) -> u64 {
        now_ms + u64::from(self.spec.expire_ms.unwrap_or(0))
    }

    fn is_expired(&self, e: &Entry, now_ms: u64) -> bool {
        self.spec.expire_ms.is_some() && e.ref_cnt == 0 && e.expire <= now_ms
    }

    /// Drops expired unreferenced entries (HAProxy's expiry task, run lazily).
    pub fn purge_expired(&mut self, now_ms: u64) {
        if self.spec.expire_ms.is_none() {
            return;
        }
        let due: Vec<((u64, u64), Key)> = self
            .order
            .range(..(now_ms + 1, 0))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        for (ok, key) in due {
            if self.entries.get(&key).is_some_and(|e| e.ref_cnt == 0) {
                self.order.remove(&ok);
                self.entries.remove(&key);
            }
        }
    }

    /// Reads an entry (no touch, as HAProxy's `stktable_lookup_key()`); an expired entry is
    /// absent.
    pub fn lookup(&self, key: &Key, now_ms: u64) -> Option<&Entry> {
        self.entries
            .get(key)
            .filter(|e| !self.is_expired(e, now_ms))
    }

    /// `stktable_touch_local()`: pushes the expiration date to now + expire.
    pub fn touch(&mut self, key: &Key, now_ms: u64) {
        let exp = self.exp_for(now_ms);
        self.seq += 1;
        let seq = self.seq;
        if let Some(e) = self.entries.get_mut(key) {
            self.order.remove(&e.order);
            e.expire = exp;
            e.order = (exp, seq);
            self.order.insert(e.order, key.clone());
        }
    }

    /// HAProxy's `stktable_get_entry()`: finds or creates the entry, takes a reference on it
    /// and touches it. A full table first evicts its `(size >> 8) + 1` oldest unreferenced
    /// entries (`stktable_trash_oldest()`).
    pub fn acquire(&mut self, key: &Key, now_ms: u64) -> Result<(), TableFull> {
        self.purge_expired(now_ms);
        if !self.entries.contains_key(key) {
            if self.entries.len() >= self.spec.size as usize {
                if self.spec.nopurge {
                    return Err(TableFull);
                }
                if self.trash_oldest((self.spec.size >> 8) as usize + 1) == 0 {
                    return Err(TableFull);
                }
            }
            let data = self
                .spec
                .store
                .iter()
                .map(|(d, _)| match d.std_type() {
                    StdType::Frqp => Datum::Freq(FreqCtr::default()),
                    StdType::Dict => Datum::Text(None),
                    _ => Datum::Num(0),
                })
                .collect();
            self.entries.insert(
                key.clone(),
                Entry {
                    data,
                    expire: 0,
                    ref_cnt: 0,
                    order: (0, 0),
                },
            );
        }
        if let Some(e) = self.entries.get_mut(key) {
            e.ref_cnt += 1;
        }
        self.touch(key, now_ms);
        Ok(())
    }

    /// Drops a reference. `touch` first when the caller modified the entry; an entry whose
    /// date has passed is then removed (`stksess_kill_if_expired()`).
    pub fn release(&mut self, key: &Key, touch: bool, now_ms: u64) {
        if touch {
            self.touch(key, now_ms);
        }
        let Some(e) = self.entries.get_mut(key) else {
            return;
        };
        e.ref_cnt = e.ref_cnt.saturating_sub(1);
        if self.spec.expire_ms.is_some() && e.ref_cnt == 0 && e.expire <= now_ms {
            let ok = e.order;
            self.order.remove(&ok);
            self.entries.remove(key);
        }
    }

    fn trash_oldest(&mut self, batch: usize) -> usize {
        let victims: Vec<((u64, u64), Key)> = self
            .order
            .iter()
            .filter(|(_, k)| self.entries.get(*k).is_some_and(|e| e.ref_cnt == 0))
            .take(batch)
            .map(|(o, k)| (*o, k.clone()))
            .collect();
        for (o, k) in &victims {
            self.order.remove(o);
            self.entries.remove(k);
        }
        victims.len()
    }

    /// The value of `dt` for `key` as the fetches report it (rates read at `now_ms`);
    /// `None` when the table does not store `dt` or the key is absent.
    pub fn get(&self, key: &Key, dt: DataType, now_ms: u64) -> Option<i64> {
        let e = self.lookup(key, now_ms)?;
        self.read(e, dt, now_ms)
    }

    /// Reads `dt` from an entry.
    pub fn read(&self, e: &Entry, dt: DataType, now_ms: u64) -> Option<i64> {
        let i = self.spec.slot(dt)?;
        match e.data.get(i)? {
            Datum::Num(n) => Some(*n),
            Datum::Freq(f) => Some(i64::from(f.read(self.spec.store[i].1, now_ms))),
            Datum::Text(_) => None,
        }
    }

    /// Whether `key` has an entry (unexpired).
    pub fn contains(&self, key: &Key, now_ms: u64) -> bool {
        self.lookup(key, now_ms).is_some()
    }

    /// Adds `inc` to a counter or rate without touching; returns true if the table stores it.
    /// Counters wrap as HAProxy's (32 bits, bytes 64 bits).
    pub(crate) fn bump(&mut self, key: &Key, dt: DataType, inc: u64, now_ms: u64) -> bool {
        let Some(i) = self.spec.slot(dt) else {
            return false;
        };
        let period = self.spec.store[i].1;
        let Some(d) = self.entries.get_mut(key).and_then(|e| e.data.get_mut(i)) else {
            return false;
        };
        match d {
            Datum::Num(n) => {
                *n = match dt.std_type() {
                    StdType::Uint => i64::from((*n as u32).wrapping_add(inc as u32)),
                    _ => (*n as u64).wrapping_add(inc) as i64,
                }
            }
            Datum::Freq(f) => {
                f.update(period, inc as u32, now_ms);
            }
            Datum::Text(_) => return false,
        }
        true
    }

    /// Sets a plain value (server_id, gpt0, gpc0...); returns the previous one.
    pub fn set(&mut self, key: &Key, dt: DataType, v: i64) -> Option<i64> {
        let i = self.spec.slot(dt)?;
        match self.entries.get_mut(key).and_then(|e| e.data.get_mut(i))? {
            Datum::Num(n) => Some(std::mem::replace(n, v)),
            _ => None,
        }
    }

    /// Sets `server_key` (the server's name or address a stick rule stored, 2.6).
    pub fn set_text(&mut self, key: &Key, dt: DataType, v: Option<String>) {
        if let Some(i) = self.spec.slot(dt)
            && let Some(Datum::Text(t)) = self.entries.get_mut(key).and_then(|e| e.data.get_mut(i))
        {
            *t = v;
        }
    }

    /// The entries, in no particular order (for `show table`-like dumps and tests).
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.entries.iter()
    }

    /// `clear table`: removes the unreferenced entries `drop` selects (entries tracked by
    /// a live session stay, as in HAProxy); returns how many went.
    pub fn remove_unused(&mut self, now_ms: u64, drop: impl Fn(&Key, &Entry) -> bool) -> usize {
        let victims: Vec<(Key, (u64, u64))> = self
            .entries
            .iter()
            .filter(|(k, e)| e.ref_cnt == 0 && !self.is_expired(e, now_ms) && drop(k, e))
            .map(|(k, e)| (k.clone(), e.order))
            .collect();
        for (k, o) in &victims {
            self.order.remove(o);
            self.entries.remove(k);
        }
        victims.len()
    }

    /// `set table T key K data.X V`: creates the entry if needed, sets the value (a rate
    /// counter gets it as its current count) and touches the entry.
    pub fn set_from_cli(
        &mut self,
        key: &Key,
        values: &[(DataType, i64)],
        now_ms: u64,
    ) -> Result<(), TableFull> {
        self.acquire(key, now_ms)?;
        for (dt, v) in values {
            let Some(i) = self.spec.slot(*dt) else {
                continue;
            };
            let period = self.spec.store[i].1;
            if let Some(d) = self.entries.get_mut(key).and_then(|e| e.data.get_mut(i)) {
                match d {
                    Datum::Num(n) => *n = *v,
                    Datum::Freq(f) => {
                        *f = FreqCtr::default();
                        f.update(period, u32::try_from(*v).unwrap_or(0), now_ms);
                    }
                    Datum::Text(_) => {}
                }
            }
        }
        self.release(key, true, now_ms);
        Ok(())
    }
}
