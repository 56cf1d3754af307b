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
//!   built; the engine does not act on it yet and warns at start), `noop` (accepted,
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

pub mod tables;

fn dialect_of(name: &str) -> Dialect {
    if name == "keepalived" {
        Dialect::Keepalived
    } else {
        Dialect::Haproxy
    }
}

/// A malformed table line is a bug in tandem, caught by the unit test below;
/// at run time such lines are skipped rather than taking the program down.
fn parse_table(table: &'static str, text: &'static str) -> Vec<Keyword> {
    text.lines()
        .filter_map(tables::row)
        .filter_map(|cols| {
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
        let names: Vec<&str> = tables::TABLES
            .iter()
            .filter(|t| dialect_of(t.dialect) == d)
            .map(|t| t.name)
            .collect();
        self.keywords
            .iter()
            .filter(move |k| names.contains(&k.table))
    }
}

/// The tables in their fixed order, with their dialect: docs list them so.
pub fn tables() -> impl Iterator<Item = (Dialect, &'static str)> {
    tables::TABLES
        .iter()
        .map(|t| (dialect_of(t.dialect), t.name))
}

/// A heading for a table in docs and man pages.
pub fn table_title(table: &str) -> &str {
    tables::TABLES
        .iter()
        .find(|t| t.name == table)
        .map_or(table, |t| t.title)
}

impl Status {
    /// Every status, in the order docs list them.
    pub const ALL: [Status; 5] = [
        Status::Implemented,
        Status::Parsed,
        Status::Noop,
        Status::Unsupported,
        Status::Removed,
    ];

    /// One line for legends in docs.
    pub fn meaning(self) -> &'static str {
        tables::STATUSES
            .iter()
            .find(|(n, _)| *n == self.as_str())
            .map_or("", |(_, m)| m)
    }
}

pub fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(|| {
        let keywords: Vec<Keyword> = tables::TABLES
            .iter()
            .flat_map(|t| parse_table(t.name, t.text))
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

/// HAProxy's character classes for fingerprints: 1..=26 letters
/// (case-folded), 27 digits, 28 anything else and also begin/end of word.
/// Bytes, not chars: HAProxy works on bytes with C-locale `tolower`, so a
/// non-ASCII byte is class 28 like punctuation.
fn char_class(b: u8) -> usize {
    match b.to_ascii_lowercase() {
        c @ b'a'..=b'z' => usize::from(c - b'a') + 1,
        b'0'..=b'9' => 27,
        _ => 28,
    }
}

/// Calls `f(index, is_presence_cell)` for each cell update of HAProxy's
/// word fingerprint (tools.c `make_word_fingerprint()`): a 32x32 matrix of
/// transition counts between classes, indexed `32*from + to`, where row 0
/// marks which classes occur (set to 1, not counted).
fn fingerprint_cells(word: &str, mut f: impl FnMut(usize, bool)) {
    let mut from = 28usize;
    for b in word.bytes() {
        let to = char_class(b);
        f(to, true);
        f(32 * from + to, false);
        from = to;
    }
    f(32 * from + 28, false);
}

fn apply(fp: &mut [u8; 1024], i: usize, presence: bool) {
    // uint8_t in HAProxy: counts wrap at 256 on absurdly repetitive words.
    fp[i] = if presence { 1 } else { fp[i].wrapping_add(1) };
}

fn word_fingerprint(word: &str) -> [u8; 1024] {
    let mut fp = [0u8; 1024];
    fingerprint_cells(word, |i, p| apply(&mut fp, i, p));
    fp
}

/// HAProxy's "did you mean" (cfgparse.c `cfg_find_best_match()`,
/// proxy.c `proxy_find_best_option()`, server.c `srv_find_best_kw()`): the
/// candidate with the smallest fingerprint distance (tools.c
/// `word_fingerprint_distance()`, the sum of absolute differences of the
/// 1024 cells), the first one on ties (so pass candidates in HAProxy's
/// registration order to get its answer), and none when the best distance
/// exceeds twice the length of either word.
///
/// A word touches at most 2*len+1 cells, so each candidate's distance is
/// computed from the cells it touches rather than from all 1024: the
/// parsers call this for every unknown keyword and fuzzing makes many.
pub fn best_match<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut fp = Fingerprinter::new(word);
    let mut best: Option<(&'a str, usize)> = None;
    for cand in candidates {
        let dist = fp.distance(cand);
        if best.is_none_or(|(_, d)| dist < d) {
            best = Some((cand, dist));
        }
    }
    let (cand, dist) = best?;
    if dist > 2 * word.len() || dist > 2 * cand.len() {
        return None;
    }
    Some(cand)
}

/// One word's fingerprint and the scratch space to measure candidates.
struct Fingerprinter {
    w: [u8; 1024],
    w_total: usize,
    c: [u8; 1024],
    seen: [bool; 1024],
    touched: Vec<usize>,
}

impl Fingerprinter {
    fn new(word: &str) -> Self {
        let w = word_fingerprint(word);
        Fingerprinter {
            w,
            w_total: w.iter().map(|&x| usize::from(x)).sum(),
            c: [0; 1024],
            seen: [false; 1024],
            touched: Vec::with_capacity(64),
        }
    }

    /// `word_fingerprint_distance()` between the word and `cand`.
    fn distance(&mut self, cand: &str) -> usize {
        let Fingerprinter {
            w,
            w_total,
            c,
            seen,
            touched,
        } = self;
        fingerprint_cells(cand, |i, p| {
            if !seen[i] {
                seen[i] = true;
                touched.push(i);
            }
            apply(c, i, p);
        });
        // Cells the candidate leaves at 0 contribute w[i] each.
        let mut dist = *w_total;
        for &i in touched.iter() {
            dist = dist - usize::from(w[i]) + usize::from(w[i].abs_diff(c[i]));
            c[i] = 0;
            seen[i] = false;
        }
        touched.clear();
        dist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HAProxy 2.6's `option` names, in the order proxy.c (`cfg_opts`,
    /// `cfg_opts2`) and cfgparse-listen.c (the extra list) present them.
    const OPTIONS: &[&str] = &[
        "abortonclose",
        "allbackups",
        "checkcache",
        "clitcpka",
        "contstats",
        "dontlognull",
        "http-buffer-request",
        "http-ignore-probes",
        "idle-close-on-response",
        "prefer-last-server",
        "logasap",
        "nolinger",
        "persist",
        "srvtcpka",
        "transparent",
        "splice-request",
        "splice-response",
        "splice-auto",
        "accept-invalid-http-request",
        "accept-invalid-http-response",
        "dontlog-normal",
        "log-separate-errors",
        "log-health-checks",
        "socket-stats",
        "tcp-smart-accept",
        "tcp-smart-connect",
        "independent-streams",
        "http-use-proxy-header",
        "http-pretend-keepalive",
        "http-no-delay",
        "h1-case-adjust-bogus-client",
        "h1-case-adjust-bogus-server",
        "disable-h2-upgrade",
        "http-restrict-req-hdr-names",
        "httpchk",
        "ssl-hello-chk",
        "smtpchk",
        "ldap-check",
        "redis-check",
        "mysql-check",
        "pgsql-check",
        "tcp-check",
        "external-check",
        "forwardfor",
        "originalto",
        "httpclose",
        "http-server-close",
        "http-keep-alive",
        "httplog",
        "httpslog",
        "tcplog",
        "tcpka",
        "redispatch",
        "spop-check",
    ];

    /// Proxy-section keywords (a subset is enough as long as it holds the
    /// expected answers and their near neighbours), including the removed
    /// ones HAProxy still lists as candidates (hence `clitimeout` below).
    const PROXY_KWS: &[&str] = &[
        "acl",
        "backlog",
        "balance",
        "bind",
        "capture",
        "clitimeout",
        "compression",
        "contimeout",
        "cookie",
        "default_backend",
        "default-server",
        "description",
        "errorfile",
        "force-persist",
        "fullconn",
        "hash-type",
        "http-check",
        "http-request",
        "http-response",
        "ignore-persist",
        "log",
        "maxconn",
        "mode",
        "monitor-uri",
        "option",
        "redirect",
        "retries",
        "server",
        "source",
        "srvtimeout",
        "stats",
        "stick",
        "stick-table",
        "tcp-check",
        "tcp-request",
        "tcp-response",
        "timeout",
        "unique-id-format",
        "use_backend",
        "use-server",
    ];

    const SERVER_KWS: &[&str] = &[
        "addr",
        "agent-check",
        "backup",
        "ca-file",
        "check",
        "check-ssl",
        "cookie",
        "disabled",
        "downinter",
        "enabled",
        "fall",
        "fastinter",
        "init-addr",
        "inter",
        "maxconn",
        "maxqueue",
        "on-marked-down",
        "port",
        "resolvers",
        "rise",
        "send-proxy",
        "send-proxy-v2",
        "slowstart",
        "sni",
        "ssl",
        "verify",
        "weight",
    ];

    /// Each (typo, answer) pair was measured with HAProxy 2.6.12
    /// (`haproxy -c -f`), e.g. for `option tcp-request` it printed:
    /// "unknown option 'tcp-request'; did you mean 'splice-request' maybe ?"
    /// and for `option abc`: "unknown option 'abc'." (no suggestion).
    #[test]
    fn best_match_agrees_with_haproxy() {
        let options = [
            ("tcp-request", Some("splice-request")),
            ("httplg", Some("httplog")),
            ("independant-streams", Some("independent-streams")),
            ("ctplog", Some("tcplog")),
            ("golptth", Some("httplog")),
            ("gollpth", None),
            ("aktpc", None),
            ("http-tufnel", None),
            ("tcpkaa", Some("tcpka")),
            ("foo", None),
            ("http-tunnle", Some("httpclose")),
            ("htpplog", Some("httplog")),
            ("forwardedfor", Some("forwardfor")),
            ("dontlognul", Some("dontlognull")),
            ("http-keepalive", Some("http-keep-alive")),
            ("httpchek", Some("httpchk")),
            ("redispatsh", Some("redispatch")),
            ("ssl-hello-check", Some("ssl-hello-chk")),
            ("tcpcheck", Some("tcp-check")),
            ("splice", Some("splice-auto")),
            ("abc", None),
            ("x", None),
        ];
        for (typo, want) in options {
            assert_eq!(
                best_match(typo, OPTIONS.iter().copied()),
                want,
                "option {typo}"
            );
        }
        let proxy = [
            ("optoin", Some("option")),
            ("balanse", Some("balance")),
            ("bnd", Some("bind")),
            ("acll", Some("acl")),
            ("http-requets", Some("http-request")),
            ("use-backend", Some("use_backend")),
            ("defualt_backend", Some("default_backend")),
            ("timeout-client", Some("clitimeout")),
            ("maxcon", Some("maxconn")),
            ("tcp-requset", Some("tcp-request")),
            ("compresion", Some("compression")),
            ("xyzzy", None),
        ];
        for (typo, want) in proxy {
            assert_eq!(
                best_match(typo, PROXY_KWS.iter().copied()),
                want,
                "keyword {typo}"
            );
        }
        let server = [
            ("chek", Some("check")),
            ("inetr", Some("inter")),
            ("backpu", Some("backup")),
            ("wieght", Some("weight")),
            ("maxcon", Some("maxconn")),
            ("send-proxy2", Some("send-proxy")),
            ("verfy", Some("verify")),
            ("zz", None),
        ];
        for (typo, want) in server {
            assert_eq!(
                best_match(typo, SERVER_KWS.iter().copied()),
                want,
                "server {typo}"
            );
        }
    }

    /// tools.c `word_fingerprint_distance()` as written: all 1024 cells.
    fn dense_distance(a: &str, b: &str) -> usize {
        let (x, y) = (word_fingerprint(a), word_fingerprint(b));
        x.iter()
            .zip(y.iter())
            .map(|(&p, &q)| usize::from(p.abs_diff(q)))
            .sum()
    }

    /// The reference `best_match`, straight from HAProxy's loop.
    fn dense_best<'a>(word: &str, cands: &[&'a str]) -> Option<&'a str> {
        let mut best: Option<(&'a str, usize)> = None;
        for &c in cands {
            let d = dense_distance(word, c);
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((c, d));
            }
        }
        best.filter(|&(c, d)| d <= 2 * word.len() && d <= 2 * c.len())
            .map(|(c, _)| c)
    }

    #[test]
    fn sparse_distance_equals_dense() {
        // Every word against every other, plus repetitive and odd words.
        let long = "a".repeat(300);
        let mut words: Vec<&str> = OPTIONS
            .iter()
            .chain(PROXY_KWS)
            .chain(SERVER_KWS)
            .copied()
            .collect();
        words.extend([
            "",
            "a",
            "aa",
            "a-a",
            "A1b2",
            "é",
            "x..y",
            "tcp-request",
            long.as_str(),
        ]);
        for &w in &words {
            assert_eq!(
                best_match(w, words.iter().copied()),
                dense_best(w, &words),
                "{w}"
            );
            let mut fp = Fingerprinter::new(w);
            for &c in &words {
                assert_eq!(fp.distance(c), dense_distance(w, c), "{w} vs {c}");
            }
        }
    }

    #[test]
    fn best_match_edge_cases() {
        // Nothing to choose from, an empty word, and a tie (first one wins,
        // as HAProxy's strict `<` keeps the earlier candidate).
        assert_eq!(best_match("abc", std::iter::empty()), None);
        assert_eq!(best_match("", ["a"]), None);
        assert_eq!(best_match("ab", ["ba", "ab"]), Some("ab")); // exact beats near
        assert_eq!(best_match("abc", ["acb", "bac"]), Some("acb"));
        // Non-ASCII and case: classes are per byte, letters case-folded.
        assert_eq!(best_match("BIND", ["bind", "mode"]), Some("bind"));
        assert_eq!(best_match("bïnd", ["bind", "mode"]), Some("bind"));
    }

    #[test]
    fn every_table_line_parses() {
        for t in tables::TABLES {
            let name = t.name;
            for (n, l) in t.text.lines().enumerate() {
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
        // The legend lists every status, in Status::ALL's order.
        let names: Vec<&str> = tables::STATUSES.iter().map(|(n, _)| *n).collect();
        let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, all);
    }
}
