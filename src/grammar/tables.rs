//! The raw keyword tables and their legend, with no dependency beyond std:
//! `build.rs` includes this file (`#[path]`) to render the section-5 man
//! pages at build time, and `crate::grammar` builds its typed view on it.
//! Keep it free of `crate::` paths and external crates.

/// One table file: dialect name (`haproxy` / `keepalived`), table name,
/// heading for docs and man pages, text.
pub struct Table {
    pub dialect: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// The tables in their fixed order (docs list them so). Each table file
/// has one owner concern so that parsers of different areas do not edit
/// the same file.
pub const TABLES: &[Table] = &[
    Table {
        dialect: "haproxy",
        name: "haproxy-global",
        title: "HAProxy: global section",
        text: include_str!("../../grammar/haproxy-global.tbl"),
    },
    Table {
        dialect: "haproxy",
        name: "haproxy-proxy",
        title: "HAProxy: proxy sections and the other sections",
        text: include_str!("../../grammar/haproxy-proxy.tbl"),
    },
    Table {
        dialect: "haproxy",
        name: "haproxy-server",
        title: "HAProxy: server and default-server options",
        text: include_str!("../../grammar/haproxy-server.tbl"),
    },
    Table {
        dialect: "haproxy",
        name: "haproxy-bind",
        title: "HAProxy: bind options",
        text: include_str!("../../grammar/haproxy-bind.tbl"),
    },
    Table {
        dialect: "haproxy",
        name: "haproxy-actions",
        title: "HAProxy: rule actions",
        text: include_str!("../../grammar/haproxy-actions.tbl"),
    },
    Table {
        dialect: "haproxy",
        name: "haproxy-samples",
        title: "HAProxy: sample fetches, converters and ACL matching",
        text: include_str!("../../grammar/haproxy-samples.tbl"),
    },
    Table {
        dialect: "keepalived",
        name: "keepalived",
        title: "keepalived.conf",
        text: include_str!("../../grammar/keepalived.tbl"),
    },
];

/// Every status, in the order docs list them, with its one-line meaning.
pub const STATUSES: &[(&str, &str)] = &[
    ("implemented", "an engine acts on it"),
    (
        "parsed",
        "parsed and checked into typed IR; the engine does not act on it yet (run mode warns at its line)",
    ),
    (
        "noop",
        "accepted as a documented no-op (warns where behavior could differ)",
    ),
    (
        "unsupported",
        "rejected with a clear error giving the reason",
    ),
    (
        "removed",
        "removed by the original too; the error names the replacement",
    ),
];

/// One table line split into its five columns (keyword, sections, args,
/// status, note), or None for comments, blank lines and malformed lines
/// (a malformed line is a bug in tandem, caught by grammar's unit tests).
pub fn row(line: &'static str) -> Option<[&'static str; 5]> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let mut cols = line.split('|').map(str::trim);
    let r = [
        cols.next()?,
        cols.next()?,
        cols.next()?,
        cols.next()?,
        cols.next()?,
    ];
    if cols.next().is_some() {
        return None;
    }
    Some(r)
}
