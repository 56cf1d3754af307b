//! The keyword tables of both dialects, compiled in from `grammar/*.tbl`.
//!
//! One source of truth: the parsers look keywords up here (validity per
//! section, status), the diagnostics take their "did you mean" candidates from
//! here, and `tandem keywords`, the README support matrix and the man pages are
//! generated from here.
//!
//! Table format, one entry per line, `|`-separated, `#` starts a comment line:
//!
//! ```text
//! keyword | sections | args | status | note
//! ```
//!
//! * `keyword`: the keyword as written, multi-word ones with single spaces
//!   (`timeout connect`, `http-request set-header`, `option httplog`).
//! * `sections`: comma-separated section names where it is valid (for
//!   haproxy: global, defaults, frontend, listen, backend, userlist, peers,
//!   resolvers, mailers, http-errors, cache, ring, program; for the per-server
//!   and per-bind tables: server, bind; for fetches/converters/actions: the
//!   rule sets they are valid in). `*` means everywhere the table applies.
//! * `args`: the argument shape, in the notation of the HAProxy/keepalived docs.
//! * `status`: `implemented` (an engine acts on it), `parsed` (typed IR is
//!   built; the engine that acts on it has not landed yet), `noop` (accepted,
//!   documented no-op, warns where behavior could differ), `unsupported`
//!   (rejected with a clear error; note gives the reason), `removed` (the
//!   original removed it too; note gives the replacement).
//! * `note`: free text shown in docs and, for unsupported/removed, in errors.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Dialect {
    Haproxy,
    Keepalived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    Implemented,
    Parsed,
    Noop,
    Unsupported,
    Removed,
}

impl Status {
    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "implemented" => Status::Implemented,
            "parsed" => Status::Parsed,
            "noop" => Status::Noop,
            "unsupported" => Status::Unsupported,
            "removed" => Status::Removed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::Parsed => "parsed",
            Status::Noop => "noop",
            Status::Unsupported => "unsupported",
            Status::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Keyword {
    pub table: &'static str,
    pub keyword: &'static str,
    pub sections: Vec<&'static str>,
    pub args: &'static str,
    pub status: Status,
    pub note: &'static str,
}

impl Keyword {
    pub fn valid_in(&self, section: &str) -> bool {
        self.sections.iter().any(|s| *s == "*" || *s == section)
    }
}

/// The tables: (dialect, table name, text). Each table file has one owner
/// concern so that parsers of different areas do not edit the same file.
const TABLES: &[(Dialect, &str, &str)] = &[
    (
        Dialect::Haproxy,
        "haproxy-global",
        include_str!("../grammar/haproxy-global.tbl"),
    ),
    (
        Dialect::Haproxy,
        "haproxy-proxy",
        include_str!("../grammar/haproxy-proxy.tbl"),
    ),
    (
        Dialect::Haproxy,
        "haproxy-server",
        include_str!("../grammar/haproxy-server.tbl"),
    ),
    (
        Dialect::Haproxy,
        "haproxy-bind",
        include_str!("../grammar/haproxy-bind.tbl"),
    ),
    (
        Dialect::Haproxy,
        "haproxy-actions",
        include_str!("../grammar/haproxy-actions.tbl"),
    ),
    (
        Dialect::Haproxy,
        "haproxy-samples",
        include_str!("../grammar/haproxy-samples.tbl"),
    ),
    (
        Dialect::Keepalived,
        "keepalived",
        include_str!("../grammar/keepalived.tbl"),
    ),
];

/// A malformed table line is a bug in tandem, caught by the unit test below;
/// at run time such lines are skipped rather than taking the program down.
fn parse_table(table: &'static str, text: &'static str) -> Vec<Keyword> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&'static str> = l.split('|').map(str::trim).collect();
            if cols.len() != 5 {
                return None;
            }
            Some(Keyword {
                table,
                keyword: cols[0],
                sections: cols[1].split(',').map(str::trim).collect(),
                args: cols[2],
                status: Status::parse(cols[3])?,
                note: cols[4],
            })
        })
        .collect()
}

pub struct Grammar {
    pub keywords: Vec<Keyword>,
    by_table_kw: HashMap<(&'static str, &'static str), usize>,
}

impl Grammar {
    /// Look a keyword up in one table.
    pub fn get(&self, table: &str, keyword: &str) -> Option<&Keyword> {
        self.by_table_kw
            .get(&(table, keyword))
            .map(|&i| &self.keywords[i])
            .or_else(|| {
                // Keys borrow 'static strs; a lookup with a shorter-lived str
                // falls back to a scan (tables are small).
                self.keywords
                    .iter()
                    .find(|k| k.table == table && k.keyword == keyword)
            })
    }

    pub fn table<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Keyword> + 'a {
        self.keywords.iter().filter(move |k| k.table == table)
    }

    pub fn dialect(&self, d: Dialect) -> impl Iterator<Item = &Keyword> + '_ {
        let names: Vec<&str> = TABLES
            .iter()
            .filter(|t| t.0 == d)
            .map(|t| t.1)
            .collect();
        self.keywords
            .iter()
            .filter(move |k| names.contains(&k.table))
    }
}

pub fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(|| {
        let keywords: Vec<Keyword> = TABLES
            .iter()
            .flat_map(|(_, name, text)| parse_table(name, text))
            .collect();
        let by_table_kw = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| ((k.table, k.keyword), i))
            .collect();
        Grammar {
            keywords,
            by_table_kw,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_line_parses() {
        for (_, name, text) in TABLES {
            for (n, l) in text.lines().enumerate() {
                let t = l.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let cols: Vec<&str> = l.split('|').collect();
                assert_eq!(cols.len(), 5, "{name}.tbl:{}: need 5 columns: {l}", n + 1);
                assert!(
                    Status::parse(cols[3].trim()).is_some(),
                    "{name}.tbl:{}: bad status {:?}",
                    n + 1,
                    cols[3]
                );
            }
        }
    }
}
