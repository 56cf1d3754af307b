//! `show table`, `clear table`, `set table`: stick-table entries with HAProxy 2.6.12's
//! output and error texts.

use std::fmt::Write as _;

use crate::proxy::engine::Engine;
use crate::proxy::stick::table::{DataType, Datum, Entry, StickTable};
use crate::proxy::stick::{Key, KeySample, KeyType};

const REQUIRED: &str = "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n";

fn lock(engine: &Engine) -> std::sync::MutexGuard<'_, crate::proxy::stick::Tables> {
    engine.tables.lock().unwrap_or_else(|e| e.into_inner())
}

/// A key typed on the CLI, for a table of type `t`.
fn parse_key(t: KeyType, s: &str) -> Option<Key> {
    let sample = match t {
        KeyType::Ip => KeySample::Ipv4(s.parse().ok()?),
        KeyType::Ipv6 => KeySample::Ipv6(s.parse().ok()?),
        KeyType::Integer => KeySample::Int(s.parse().ok()?),
        KeyType::String { .. } | KeyType::Binary { .. } => KeySample::Str(s.as_bytes()),
    };
    t.key_from(&sample)
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "le" => Op::Le,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "gt" => Op::Gt,
            _ => return None,
        })
    }

    fn test(self, a: i64, b: i64) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Le => a <= b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Gt => a > b,
        }
    }
}

/// What selects entries: `key K` or `data.X op V` filters.
enum Filter {
    All,
    Key(Option<Key>),
    Data(Vec<(DataType, Op, i64)>),
}

fn parse_filter(tbl: &StickTable, args: &[&str]) -> Result<Filter, String> {
    match args {
        [] => Ok(Filter::All),
        ["key", k, ..] => Ok(Filter::Key(parse_key(tbl.spec.key_type, k))),
        _ => {
            let mut v = Vec::new();
            let mut it = args.chunks(3);
            let mut n = 0;
            for c in it.by_ref() {
                n += 1;
                let Some(name) = c.first().and_then(|w| w.strip_prefix("data.")) else {
                    return Err(REQUIRED.into());
                };
                let Some(dt) = DataType::from_name(name) else {
                    return Err(format!("Filter entry #{n}: Unknown data type\n"));
                };
                if tbl.spec.stores(dt).is_none() {
                    return Err(format!(
                        "Filter entry #{n}: Data type not stored in this table\n"
                    ));
                }
                let Some(op) = c.get(1).and_then(|o| Op::parse(o)) else {
                    return Err(format!(
                        "Filter entry #{n}: Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n"
                    ));
                };
                let Some(val) = c.get(2).and_then(|x| x.parse::<i64>().ok()) else {
                    return Err(format!(
                        "Filter entry #{n}: Require a valid value to compare against\n"
                    ));
                };
                v.push((dt, op, val));
            }
            Ok(Filter::Data(v))
        }
    }
}

fn selected(tbl: &StickTable, f: &Filter, k: &Key, e: &Entry, now: u64) -> bool {
    match f {
        Filter::All => true,
        Filter::Key(want) => want.as_ref() == Some(k),
        Filter::Data(list) => list
            .iter()
            .all(|(dt, op, v)| tbl.read(e, *dt, now).is_some_and(|x| op.test(x, *v))),
    }
}

/// A pointer-like address per key (HAProxy prints the entry's address).
fn ptr_of(k: &Key) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    k.hash(&mut h);
    0x55e0_c9c0_0000 + (h.finish() & 0xf_fff0)
}

fn entry_line(tbl: &StickTable, k: &Key, e: &Entry, now: u64) -> String {
    let mut o = format!(
        "{:#x}: key={k} use={} exp={}",
        ptr_of(k),
        e.ref_cnt,
        if tbl.spec.expire_ms.is_some() {
            e.expire.saturating_sub(now)
        } else {
            0
        }
    );
    // HAProxy prints the stored types in its type order, not the `store` order
    let mut stored: Vec<(DataType, u32)> = tbl.spec.store.clone();
    stored.sort_by_key(|(d, _)| *d as u8);
    for (dt, period) in stored {
        let Some(i) = tbl.spec.store.iter().position(|(d, _)| *d == dt) else {
            continue;
        };
        match e.data.get(i) {
            Some(Datum::Text(t)) => {
                let _ = write!(o, " {}={}", dt.name(), t.as_deref().unwrap_or(""));
            }
            Some(Datum::Freq(_)) => {
                let _ = write!(
                    o,
                    " {}({period})={}",
                    dt.name(),
                    tbl.read(e, dt, now).unwrap_or(0)
                );
            }
            Some(Datum::Num(n)) => {
                let _ = write!(o, " {}={n}", dt.name());
            }
            None => {}
        }
    }
    o
}

/// `show table [name [filter]]`.
pub fn show(engine: &Engine, args: &[&str]) -> String {
    let now = engine.now_ms();
    let t = lock(engine);
    let name = args.first().copied();
    let mut o = String::new();
    let mut found = false;
    for (_, tbl) in t.iter() {
        if name.is_some_and(|n| n != tbl.name) {
            continue;
        }
        found = true;
        let filter = match parse_filter(tbl, args.get(1..).unwrap_or(&[])) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let live: Vec<(&Key, &Entry)> = tbl
            .iter()
            .filter(|(_, e)| tbl.spec.expire_ms.is_none() || e.ref_cnt > 0 || e.expire > now)
            .collect();
        let _ = writeln!(
            o,
            "# table: {}, type: {}, size:{}, used:{}",
            tbl.name,
            tbl.spec.key_type.name(),
            tbl.spec.size,
            live.len()
        );
        if name.is_some() {
            let mut rows: Vec<(&Key, &Entry)> = live
                .into_iter()
                .filter(|(k, e)| selected(tbl, &filter, k, e, now))
                .collect();
            rows.sort_by_key(|(k, _)| k.to_string());
            for (k, e) in rows {
                o.push_str(&entry_line(tbl, k, e, now));
                o.push('\n');
            }
        }
    }
    if name.is_some() && !found {
        return "No such table\n".into();
    }
    o
}

/// `clear table <name> [key K | data.X op V ...]`.
pub fn clear(engine: &Engine, args: &[&str]) -> String {
    let Some(name) = args.first() else {
        return REQUIRED.into();
    };
    let now = engine.now_ms();
    let mut t = lock(engine);
    let Some(tbl) = t.get_mut_by_name(name) else {
        return "No such table\n".into();
    };
    let filter = match parse_filter(tbl, &args[1..]) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let view = tbl.clone();
    tbl.remove_unused(now, |k, e| selected(&view, &filter, k, e, now));
    String::new()
}

/// `set table <name> key K [data.X V]...`.
pub fn set(engine: &Engine, args: &[&str]) -> String {
    let Some(name) = args.first() else {
        return REQUIRED.into();
    };
    let now = engine.now_ms();
    let mut t = lock(engine);
    let Some(tbl) = t.get_mut_by_name(name) else {
        return "No such table\n".into();
    };
    let (Some(&"key"), Some(k)) = (args.get(1), args.get(2)) else {
        return String::new();
    };
    let Some(key) = parse_key(tbl.spec.key_type, k) else {
        return String::new();
    };
    let mut values = Vec::new();
    let mut rest = args.get(3..).unwrap_or(&[]).iter();
    while let Some(w) = rest.next() {
        let Some(dt) = w.strip_prefix("data.").and_then(DataType::from_name) else {
            return "Unknown data type\n".into();
        };
        if tbl.spec.stores(dt).is_none() {
            return "Data type not stored in this table\n".into();
        }
        let Some(v) = rest.next().and_then(|v| v.parse::<i64>().ok()) else {
            return "Require a valid integer value to store\n".into();
        };
        values.push((dt, v));
    }
    match tbl.set_from_cli(&key, &values, now) {
        Ok(()) => String::new(),
        Err(_) => "Unable to allocate a new entry\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> std::sync::Arc<Engine> {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend tt\n stick-table type ip size 100 expire 60s store http_req_cnt,gpc0,conn_cnt\n",
        );
        Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine")
    }

    fn masked(s: &str) -> Vec<String> {
        s.lines()
            .map(|l| match l.split_once(": key=") {
                Some((_, rest)) => {
                    let w: Vec<&str> = rest.split(' ').filter(|w| !w.starts_with("exp=")).collect();
                    format!("key={}", w.join(" "))
                }
                None => l.to_string(),
            })
            .collect()
    }

    #[test]
    fn set_clear_show_as_haproxy() {
        let e = engine();
        assert_eq!(set(&e, &["tt", "key", "10.1.1.1", "data.gpc0", "5"]), "");
        assert_eq!(
            set(
                &e,
                &[
                    "tt",
                    "key",
                    "10.1.1.2",
                    "data.gpc0",
                    "7",
                    "data.conn_cnt",
                    "3"
                ]
            ),
            ""
        );
        // HAProxy 2.6.12 (pointers and expiry masked):
        // 0x558981f6e820: key=10.1.1.1 use=0 exp=59927 gpc0=5 conn_cnt=0 http_req_cnt=0
        assert_eq!(
            masked(&show(&e, &["tt"])),
            [
                "# table: tt, type: ip, size:100, used:2",
                "key=10.1.1.1 use=0 gpc0=5 conn_cnt=0 http_req_cnt=0",
                "key=10.1.1.2 use=0 gpc0=7 conn_cnt=3 http_req_cnt=0",
            ]
        );
        assert_eq!(
            masked(&show(&e, &["tt", "data.gpc0", "gt", "5"]))[1..],
            ["key=10.1.1.2 use=0 gpc0=7 conn_cnt=3 http_req_cnt=0"]
        );
        assert_eq!(
            set(&e, &["tt", "key", "1.1.1.1", "data.nope", "1"]),
            "Unknown data type\n"
        );
        assert_eq!(
            set(&e, &["tt", "key", "1.1.1.1", "data.gpc0"]),
            "Require a valid integer value to store\n"
        );
        assert_eq!(set(&e, &["nope", "key", "1.1.1.1"]), "No such table\n");
        assert_eq!(
            clear(&e, &["tt", "data.gpc0"]),
            "Filter entry #1: Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n"
        );
        assert_eq!(
            clear(&e, &["tt", "data.nope", "eq", "1"]),
            "Filter entry #1: Unknown data type\n"
        );
        assert_eq!(clear(&e, &[]), REQUIRED);
        assert_eq!(clear(&e, &["tt", "key", "10.1.1.1"]), "");
        assert_eq!(clear(&e, &["tt", "data.gpc0", "eq", "7"]), "");
        assert_eq!(
            show(&e, &["tt"]),
            "# table: tt, type: ip, size:100, used:0\n"
        );
    }
}
