//! HAProxy log-format strings: compiled once, rendered per transaction.
//!
//! Mirrors HAProxy 2.6 `parse_logformat_string()` / `sess_build_logline()`
//! (src/log.c): text, separators (a run of spaces; printed only when the
//! previous output was not already a space, so a field that prints nothing
//! does not leave a double space), `%var`, `%{+Q,-X}var`, `%[sample]`,
//! `%%`, and `%{+Q}o` which sets the default flags of all following fields.

use std::fmt::Write as _;
use std::net::SocketAddr;

use super::record::{LogRecord, Mode};
use crate::ir::haproxy::{Mode as IrMode, ProxySettings};

/// `option httplog` (HAProxy 2.6 `default_http_log_format`).
pub const DEFAULT_HTTP_LOG_FORMAT: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
/// `option httplog clf` (HAProxy 2.6 `clf_http_log_format`).
pub const CLF_LOG_FORMAT: &str = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl";
/// `option tcplog` (HAProxy 2.6 `default_tcp_log_format`).
pub const DEFAULT_TCP_LOG_FORMAT: &str =
    "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

const OPT_QUOTE: u8 = 1;
const OPT_HEXA: u8 = 2;
const OPT_ESC: u8 = 4;
const OPT_MANDATORY: u8 = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogFormatError {
    #[error(
        "no such format variable '{0}'. If you wanted to emit the '%' character verbatim, you need to use '%%'"
    )]
    UnknownVar(String),
    #[error("missing variable name after '%'")]
    MissingVar,
    #[error("unterminated argument list '%{{{0}'")]
    UnterminatedArgs(String),
    #[error("unterminated sample expression '%[{0}'")]
    UnterminatedExpr(String),
    #[error("format variable '{0}' is reserved for HTTP mode")]
    HttpOnly(String),
    #[error("unknown format flag '{0}'")]
    BadFlag(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    Ci,
    Cp,
    Fi,
    Fp,
    Bi,
    Bp,
    Si,
    Sp,
    F,
    Ft,
    B,
    S,
    AcceptLocal,   // %t
    AcceptGmt,     // %T
    AcceptLocalTz, // %Tl
    AcceptTs,      // %Ts
    Ms,            // %ms
    ReqLocal,      // %tr
    ReqGmt,        // %trg
    ReqLocalTz,    // %trl
    Th,
    Ti,
    TR,
    Tq,
    Tw,
    Tc,
    Tr,
    Ta,
    Tt,
    Td,
    Tu,
    St,
    BytesOut,
    BytesIn,
    Cc,
    Cs,
    Ts,
    Tsc,
    Ac,
    Fc,
    Bc,
    Sc,
    Rc,
    Rt,
    Lc,
    Sq,
    Bq,
    Hr,
    Hrl,
    Hs,
    Hsl,
    R,
    Hm,
    Hu,
    Hp,
    /// `%HPO`: the path alone, without scheme, authority or query.
    Hpo,
    Hq,
    Hv,
    Id,
    H,
    Pid,
    Sslv,
    Sslc,
}

fn lookup(name: &str) -> Option<Var> {
    use Var::*;
    Some(match name {
        "ci" => Ci,
        "cp" => Cp,
        "fi" => Fi,
        "fp" => Fp,
        "bi" => Bi,
        "bp" => Bp,
        "si" => Si,
        "sp" => Sp,
        "f" => F,
        "ft" => Ft,
        "b" => B,
        "s" => S,
        "t" => AcceptLocal,
        "T" => AcceptGmt,
        "Tl" => AcceptLocalTz,
        "Ts" => AcceptTs,
        "ms" => Ms,
        "tr" => ReqLocal,
        "trg" => ReqGmt,
        "trl" => ReqLocalTz,
        "Th" => Th,
        "Ti" => Ti,
        "TR" => TR,
        "Tq" => Tq,
        "Tw" => Tw,
        "Tc" => Tc,
        "Tr" => Tr,
        "Ta" => Ta,
        "Tt" => Tt,
        "Td" => Td,
        "Tu" => Tu,
        "ST" => St,
        "B" => BytesOut,
        "U" => BytesIn,
        "CC" => Cc,
        "CS" => Cs,
        "ts" => Ts,
        "tsc" => Tsc,
        "ac" => Ac,
        "fc" => Fc,
        "bc" => Bc,
        "sc" => Sc,
        "rc" => Rc,
        "rt" => Rt,
        "lc" => Lc,
        "sq" => Sq,
        "bq" => Bq,
        "hr" => Hr,
        "hrl" => Hrl,
        "hs" => Hs,
        "hsl" => Hsl,
        "r" => R,
        "HM" => Hm,
        "HU" => Hu,
        "HP" => Hp,
        "HPO" => Hpo,
        "HQ" => Hq,
        "HV" => Hv,
        "ID" => Id,
        "H" => H,
        "pid" => Pid,
        "sslv" => Sslv,
        "sslc" => Sslc,
        _ => return None,
    })
}

/// Variables HAProxy 2.6 refuses in a `mode tcp` log-format (measured).
const HTTP_ONLY: &[&str] = &[
    "r", "HM", "HU", "HP", "HPO", "HQ", "HV", "CC", "CS", "Ti", "TR", "Tq", "Ta", "Tr", "tr",
    "trg", "trl",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Sep,
    Var(Var, u8),
    Sample(String, u8),
}

/// A compiled log-format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFormat {
    nodes: Vec<Node>,
}

fn apply_flags(args: &str, mut opts: u8) -> Result<u8, LogFormatError> {
    for flag in args.split(',').filter(|f| !f.is_empty()) {
        let (on, name) = match flag.as_bytes().first() {
            Some(b'+') => (true, &flag[1..]),
            Some(b'-') => (false, &flag[1..]),
            _ => return Err(LogFormatError::BadFlag(flag.to_string())),
        };
        let bit = match name {
            "Q" => OPT_QUOTE,
            "X" => OPT_HEXA,
            "E" => OPT_ESC,
            "M" => OPT_MANDATORY,
            _ => return Err(LogFormatError::BadFlag(flag.to_string())),
        };
        if on {
            opts |= bit;
        } else {
            opts &= !bit;
        }
    }
    Ok(opts)
}

impl LogFormat {
    /// Compiles a log-format string as the config parser left it (quotes
    /// and backslash escapes already resolved), for an HTTP proxy.
    pub fn compile(src: &str) -> Result<Self, LogFormatError> {
        Self::compile_for(src, true)
    }

    /// Compiles for a proxy in `mode http` (`http`) or `mode tcp`: in TCP
    /// mode the HTTP-only variables are an error, as in HAProxy 2.6
    /// ("format variable 'r' is reserved for HTTP mode").
    pub fn compile_for(src: &str, http: bool) -> Result<Self, LogFormatError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        let mut defopts = 0u8;
        let mut chars = src.char_indices().peekable();
        let flush = |text: &mut String, nodes: &mut Vec<Node>| {
            if !text.is_empty() {
                nodes.push(Node::Text(std::mem::take(text)));
            }
        };
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                flush(&mut text, &mut nodes);
                while chars.peek().is_some_and(|&(_, c)| c == ' ') {
                    chars.next();
                }
                nodes.push(Node::Sep);
                continue;
            }
            if c != '%' {
                text.push(c);
                continue;
            }
            let rest = &src[i + 1..];
            if rest.starts_with('%') {
                text.push('%');
                chars.next();
                continue;
            }
            flush(&mut text, &mut nodes);
            let mut consumed = 0usize;
            let mut opts = defopts;
            let mut after = rest;
            if let Some(a) = after.strip_prefix('{') {
                let end = a
                    .find('}')
                    .ok_or_else(|| LogFormatError::UnterminatedArgs(a.to_string()))?;
                opts = apply_flags(&a[..end], defopts)?;
                consumed += end + 2;
                after = &a[end + 1..];
            }
            if let Some(e) = after.strip_prefix('[') {
                let mut depth = 1usize;
                let mut end = None;
                for (j, b) in e.char_indices() {
                    match b {
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| LogFormatError::UnterminatedExpr(e.to_string()))?;
                nodes.push(Node::Sample(e[..end].to_string(), opts));
                consumed += end + 2;
            } else {
                let len = after
                    .find(|ch: char| !ch.is_ascii_alphanumeric())
                    .unwrap_or(after.len());
                if len == 0 {
                    return Err(LogFormatError::MissingVar);
                }
                let name = &after[..len];
                consumed += len;
                if name == "o" {
                    defopts = opts;
                } else {
                    let v =
                        lookup(name).ok_or_else(|| LogFormatError::UnknownVar(name.to_string()))?;
                    if !http && HTTP_ONLY.contains(&name) {
                        return Err(LogFormatError::HttpOnly(name.to_string()));
                    }
                    nodes.push(Node::Var(v, opts));
                }
            }
            // Skip what the variable consumed (counted in bytes, all ASCII
            // up to the end of a name; sample expressions may hold UTF-8).
            let stop = i + 1 + consumed;
            while chars.peek().is_some_and(|&(j, _)| j < stop) {
                chars.next();
            }
        }
        flush(&mut text, &mut nodes);
        Ok(LogFormat { nodes })
    }

    /// The format a proxy logs with, `None` when it has neither a
    /// `log-format` nor a log option (HAProxy then logs only the legacy
    /// "Connect from" line, see [`legacy_connect_line`]). `log-format` wins
    /// over the options; `option httplog` in a TCP proxy falls back to
    /// tcplog as HAProxy does.
    pub fn for_proxy(s: &ProxySettings) -> Result<Option<Self>, LogFormatError> {
        let http = matches!(s.mode, Some(IrMode::Http));
        if let Some(f) = &s.log_format {
            return Self::compile_for(f, http).map(Some);
        }
        if let Some(o) = s.option("httplog").filter(|o| o.enabled) {
            if !http {
                return Self::compile(DEFAULT_TCP_LOG_FORMAT).map(Some);
            }
            let clf = o.args.iter().any(|a| a == "clf");
            return Self::compile(if clf {
                CLF_LOG_FORMAT
            } else {
                DEFAULT_HTTP_LOG_FORMAT
            })
            .map(Some);
        }
        if s.option("tcplog").is_some_and(|o| o.enabled) {
            return Self::compile(DEFAULT_TCP_LOG_FORMAT).map(Some);
        }
        Ok(None)
    }

    /// Renders the line (without the syslog header and the final `\n`).
    /// `sample` evaluates a `%[expr]` (the engine's ACL sample evaluator);
    /// `None` logs `-`.
    pub fn render(&self, rec: &LogRecord, sample: &dyn Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(256);
        let mut last_space = true;
        for node in &self.nodes {
            match node {
                Node::Sep => {
                    if !last_space {
                        out.push(' ');
                        last_space = true;
                    }
                }
                Node::Text(t) => {
                    out.push_str(t);
                    last_space = false;
                }
                Node::Sample(expr, opts) => {
                    match sample(expr) {
                        Some(v) if *opts & OPT_HEXA != 0 && !v.is_empty() => {
                            for b in v.bytes() {
                                let _ = write!(out, "{b:02X}");
                            }
                        }
                        v => text(&mut out, v.as_deref(), *opts),
                    }
                    last_space = false;
                }
                Node::Var(v, opts) => {
                    if render_var(&mut out, *v, *opts, rec) {
                        last_space = false;
                    }
                }
            }
        }
        out
    }
}

/// HAProxy `lf_text_len`: quoted/escaped text, `-` (or `""`) when empty.
fn text(out: &mut String, s: Option<&str>, opts: u8) {
    match s.filter(|s| !s.is_empty()) {
        Some(s) => {
            if opts & OPT_QUOTE != 0 {
                out.push('"');
            }
            if opts & OPT_ESC != 0 {
                for c in s.chars() {
                    if matches!(c, '"' | '\\' | ']') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            } else {
                out.push_str(s);
            }
            if opts & OPT_QUOTE != 0 {
                out.push('"');
            }
        }
        None => out.push_str(if opts & OPT_QUOTE != 0 { "\"\"" } else { "-" }),
    }
}

/// `lf_encode_string`: `#XX` for control chars, bytes >= 127 and `extra`.
fn encode(out: &mut String, s: &str, extra: &[u8]) {
    for b in s.bytes() {
        if !(32..127).contains(&b) || extra.contains(&b) {
            let _ = write!(out, "#{b:02X}");
        } else {
            out.push(b as char);
        }
    }
}

const URL_EXTRA: &[u8] = b"\"#";
const HDR_EXTRA: &[u8] = b"\"#{|}";

fn ip(out: &mut String, a: Option<SocketAddr>, opts: u8) {
    match a {
        Some(SocketAddr::V4(v4)) if opts & OPT_HEXA != 0 => {
            for o in v4.ip().octets() {
                let _ = write!(out, "{o:02X}");
            }
        }
        Some(SocketAddr::V6(v6)) if opts & OPT_HEXA != 0 => {
            for o in v6.ip().octets() {
                let _ = write!(out, "{o:02X}");
            }
        }
        Some(a) => text(out, Some(&a.ip().to_string()), opts),
        None => text(out, None, opts),
    }
}

fn port(out: &mut String, a: Option<SocketAddr>, opts: u8) {
    match a {
        Some(a) if opts & OPT_HEXA != 0 => {
            let _ = write!(out, "{:04X}", a.port());
        }
        Some(a) => {
            let _ = write!(out, "{}", a.port());
        }
        None => out.push('-'),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Broken-down civil time (proleptic Gregorian) of a Unix time in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
}

impl Civil {
    pub fn from_unix(secs: i64) -> Civil {
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (sod / 3600) as u32,
            min: (sod % 3600 / 60) as u32,
            sec: (sod % 60) as u32,
        }
    }

    pub fn month_name(&self) -> &'static str {
        MONTHS
            .get(self.month.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("Jan")
    }
}

/// `date2str_log`: `22/Nov/2026:03:20:46.835` (local time).
pub fn date_log(ms: i64, tz: i32) -> String {
    let c = Civil::from_unix(ms.div_euclid(1000) + i64::from(tz));
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02}.{:03}",
        c.day,
        c.month_name(),
        c.year,
        c.hour,
        c.min,
        c.sec,
        ms.rem_euclid(1000)
    )
}

/// `gmt2str_log` (`tz` = 0) / `localdate2str_log`: `22/Nov/2026:03:20:46 +0000`.
pub fn date_tz(ms: i64, tz: i32) -> String {
    let c = Civil::from_unix(ms.div_euclid(1000) + i64::from(tz));
    let sign = if tz < 0 { '-' } else { '+' };
    let a = tz.unsigned_abs();
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}{:02}{:02}",
        c.day,
        c.month_name(),
        c.year,
        c.hour,
        c.min,
        c.sec,
        sign,
        a / 3600,
        a % 3600 / 60
    )
}

fn num(out: &mut String, n: i64) {
    let _ = write!(out, "{n}");
}

/// The request line split as HAProxy's %HM/%HU/%HV see it.
fn req_parts(rec: &LogRecord) -> (Option<&str>, Option<&str>, Option<&str>) {
    let Some(line) = rec.request_line.as_deref() else {
        return (None, None, None);
    };
    let mut it = line.splitn(2, ' ');
    let method = it.next();
    let rest = it.next();
    let (uri, ver) = match rest {
        Some(r) => match r.rfind(' ') {
            Some(p) => (Some(&r[..p]), Some(&r[p + 1..])),
            None => (Some(r), None),
        },
        None => (None, None),
    };
    (method, uri, ver)
}

fn encoded_text(out: &mut String, s: Option<&str>, opts: u8) {
    let s = s.unwrap_or("<BADREQ>");
    if opts & OPT_QUOTE != 0 {
        out.push('"');
    }
    encode(out, s, URL_EXTRA);
    if opts & OPT_QUOTE != 0 {
        out.push('"');
    }
}

/// Returns whether something was printed (a field that prints nothing keeps
/// the previous separator state, as HAProxy's `last_isspace`).
/// The local offset for a date of the record: the record's fixed one (tests), else the
/// local zone's at that time.
fn local_tz(rec: &LogRecord, ms: i64) -> i32 {
    rec.tz_offset_secs
        .unwrap_or_else(|| super::tz::offset_at(ms.div_euclid(1000)))
}

fn render_var(out: &mut String, v: Var, opts: u8, rec: &LogRecord) -> bool {
    use Var::*;
    let plus = |out: &mut String| {
        if rec.logasap {
            out.push('+');
        }
    };
    match v {
        Ci => ip(out, rec.client, opts),
        Cp => port(out, rec.client, opts),
        Fi => ip(out, rec.frontend_addr, opts),
        Fp => port(out, rec.frontend_addr, opts),
        Bi => ip(out, rec.backend_src, opts),
        Bp => port(out, rec.backend_src, opts),
        Si => ip(out, rec.server_addr, opts),
        Sp => port(out, rec.server_addr, opts),
        F => text(out, Some(&rec.frontend_name), opts),
        Ft => {
            if rec.frontend_ssl {
                text(out, Some(&format!("{}~", rec.frontend_name)), opts);
            } else {
                text(out, Some(&rec.frontend_name), opts);
            }
        }
        B => text(out, Some(rec.backend_logged()), opts),
        S => text(out, Some(rec.server_logged()), opts),
        AcceptLocal => out.push_str(&date_log(
            rec.accept_date_ms,
            local_tz(rec, rec.accept_date_ms),
        )),
        AcceptGmt => out.push_str(&date_tz(rec.accept_date_ms, 0)),
        AcceptLocalTz => out.push_str(&date_tz(
            rec.accept_date_ms,
            local_tz(rec, rec.accept_date_ms),
        )),
        AcceptTs => {
            let s = rec.accept_date_ms.div_euclid(1000);
            if opts & OPT_HEXA != 0 {
                let _ = write!(out, "{s:04X}");
            } else {
                num(out, s);
            }
        }
        Ms => {
            let ms = rec.accept_date_ms.rem_euclid(1000);
            if opts & OPT_HEXA != 0 {
                let _ = write!(out, "{ms:02X}");
            } else {
                let _ = write!(out, "{ms:03}");
            }
        }
        ReqLocal => out.push_str(&date_log(
            rec.request_date_ms(),
            local_tz(rec, rec.request_date_ms()),
        )),
        ReqGmt => out.push_str(&date_tz(rec.request_date_ms(), 0)),
        ReqLocalTz => out.push_str(&date_tz(
            rec.request_date_ms(),
            local_tz(rec, rec.request_date_ms()),
        )),
        Th => num(out, rec.th),
        Ti => num(out, rec.ti),
        TR => num(out, rec.tr_req),
        Tq => num(out, rec.tq()),
        Tw => num(out, rec.tw),
        Tc => num(out, rec.tc),
        Tr => num(out, rec.tr),
        Ta => {
            plus(out);
            num(out, rec.ta)
        }
        Tt => {
            plus(out);
            num(out, rec.tt)
        }
        Td => num(out, rec.td()),
        Tu => num(out, rec.tu()),
        St => num(out, i64::from(rec.status)),
        BytesOut => {
            plus(out);
            let _ = write!(out, "{}", rec.bytes_out);
        }
        BytesIn => {
            let _ = write!(out, "{}", rec.bytes_in);
        }
        Cc => text(out, rec.captured_req_cookie.as_deref(), opts),
        Cs => text(out, rec.captured_res_cookie.as_deref(), opts),
        Ts => {
            out.push(rec.term[0] as char);
            out.push(rec.term[1] as char);
        }
        Tsc => {
            out.push(rec.term[0] as char);
            out.push(rec.term[1] as char);
            if rec.mode == Mode::Http {
                out.push(rec.cookie_state[0] as char);
                out.push(rec.cookie_state[1] as char);
            } else {
                out.push_str("--");
            }
        }
        Ac => num(out, rec.actconn as i64),
        Fc => num(out, rec.feconn as i64),
        Bc => num(out, rec.beconn as i64),
        Sc => num(out, rec.srv_conn as i64),
        Rc => {
            if rec.redispatched {
                out.push('+');
            }
            num(out, i64::from(rec.retries));
        }
        Rt => {
            if opts & OPT_HEXA != 0 {
                let _ = write!(out, "{:04X}", rec.request_counter);
            } else {
                num(out, rec.request_counter as i64);
            }
        }
        Lc => num(out, rec.log_counter as i64),
        Sq => num(out, rec.srv_queue as i64),
        Bq => num(out, rec.backend_queue as i64),
        Hr | Hs => {
            let caps = if v == Hr {
                &rec.req_captures
            } else {
                &rec.res_captures
            };
            let Some(caps) = caps.as_ref().filter(|c| !c.is_empty()) else {
                return false;
            };
            if opts & OPT_QUOTE != 0 {
                out.push('"');
            }
            out.push('{');
            for (i, c) in caps.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                if let Some(c) = c {
                    encode(out, c, HDR_EXTRA);
                }
            }
            out.push('}');
            if opts & OPT_QUOTE != 0 {
                out.push('"');
            }
        }
        Hrl | Hsl => {
            let caps = if v == Hrl {
                &rec.req_captures
            } else {
                &rec.res_captures
            };
            let Some(caps) = caps.as_ref().filter(|c| !c.is_empty()) else {
                return false;
            };
            for (i, c) in caps.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if opts & OPT_QUOTE != 0 {
                    out.push('"');
                }
                match c {
                    Some(c) => encode(out, c, HDR_EXTRA),
                    None if opts & OPT_QUOTE == 0 => out.push('-'),
                    None => {}
                }
                if opts & OPT_QUOTE != 0 {
                    out.push('"');
                }
            }
        }
        R => encoded_text(out, rec.request_line.as_deref(), opts),
        Hm => encoded_text(out, req_parts(rec).0, opts),
        Hu => encoded_text(out, req_parts(rec).1, opts),
        Hp => {
            let uri = req_parts(rec).1;
            encoded_text(out, uri.map(|u| u.split('?').next().unwrap_or(u)), opts)
        }
        Hpo => {
            let uri = req_parts(rec).1;
            let path = uri.map(|u| {
                let u = u.split('?').next().unwrap_or(u);
                // absolute form: skip `scheme://authority`
                match u.find("://") {
                    Some(i) if !u[..i].contains('/') => {
                        let rest = &u[i + 3..];
                        rest.find('/').map_or("", |j| &rest[j..])
                    }
                    _ => u,
                }
            });
            encoded_text(out, path, opts)
        }
        Hq => {
            let q = req_parts(rec).1.and_then(|u| u.find('?').map(|p| &u[p..]));
            // HAProxy 2.6.12 prints nothing (not `-`) for a request without a query.
            encoded_text(out, Some(q.unwrap_or("")), opts)
        }
        Hv => encoded_text(out, req_parts(rec).2, opts),
        Id => text(out, rec.unique_id.as_deref(), opts),
        H => text(out, Some(&rec.hostname), opts),
        Pid => {
            if opts & OPT_HEXA != 0 {
                let _ = write!(out, "{:04X}", rec.pid);
            } else {
                num(out, i64::from(rec.pid));
            }
        }
        Sslv => text(out, rec.ssl_version.as_deref(), opts),
        Sslc => text(out, rec.ssl_cipher.as_deref(), opts),
    }
    true
}

/// The `%[expr]` sample expressions of a log-format string, in order (the engine
/// compiles them once; [`LogFormat::render`] asks for them by this text).
pub fn sample_exprs(src: &str) -> Vec<String> {
    LogFormat::compile(src)
        .map(|f| {
            f.nodes
                .into_iter()
                .filter_map(|n| match n {
                    Node::Sample(e, _) => Some(e),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The line HAProxy logs at accept time for a proxy with `log` targets but
/// neither a log-format nor a log option (measured on HAProxy 2.6.12):
/// `Connect from 127.0.0.1:53994 to 127.0.0.1:23455 (fe_def/HTTP)`.
pub fn legacy_connect_line(
    client: SocketAddr,
    dst: SocketAddr,
    frontend: &str,
    mode: Mode,
) -> String {
    format!(
        "Connect from {}:{} to {}:{} ({}/{})",
        client.ip(),
        client.port(),
        dst.ip(),
        dst.port(),
        frontend,
        if mode == Mode::Http { "HTTP" } else { "TCP" }
    )
}
