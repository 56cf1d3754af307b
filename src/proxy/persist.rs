//! Cookie persistence (`cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly]
//! [preserve] [httponly] [secure] [domain D]... [maxidle T] [maxlife T] [dynamic] [attr A]...`)
//! with HAProxy 2.6's semantics (`http_manage_client_side_cookie()`,
//! `http_manage_server_side_cookies()` and the Set-Cookie insertion of
//! `http_process_res_common()` in src/http_ana.c). Sans-IO: the session passes the heads,
//! the backend's servers with their states, and the time.
//!
//! Request: [`process_request`] says which server the cookie designates (and whether the
//! engine may use it), and strips our cookie (insert+indirect) or its `SRV~` prefix (prefix)
//! from the `Cookie` headers forwarded. Response: [`process_response`] rewrites/deletes the
//! server's own `Set-Cookie` for our name and adds HAProxy's `Set-Cookie` (and
//! `Cache-control: private` with `nocache`).

mod xxh64;

use std::net::IpAddr;

use thiserror::Error;

use crate::config::haproxy::values::{TimeUnit, parse_time};
use crate::ir::haproxy::Cookie;
use crate::proxy::http::msg::{RequestHead, ResponseHead};

/// The cookie mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CookieMode {
    /// No mode keyword: the cookie is only read (the server sets it).
    #[default]
    Passive,
    Rewrite,
    Insert,
    Prefix,
}

/// A backend's `cookie` line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CookieConfig {
    pub name: String,
    pub mode: CookieMode,
    pub indirect: bool,
    pub nocache: bool,
    pub postonly: bool,
    pub preserve: bool,
    pub httponly: bool,
    pub secure: bool,
    pub dynamic: bool,
    /// `domain` values in order (HAProxy emits `; domain=D` for each).
    pub domains: Vec<String>,
    /// Seconds; 0 = unset.
    pub maxidle: u32,
    pub maxlife: u32,
    /// `attr` values in order (each emitted as `; A`).
    pub attrs: Vec<String>,
    /// The backend's `dynamic-cookie-key` (used with `dynamic`).
    pub dynamic_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CookieError {
    #[error("cookie: '{0}' expects an argument")]
    MissingArg(String),
    #[error("cookie: invalid time '{value}' for '{keyword}'")]
    BadTime { keyword: String, value: String },
    #[error("cookie: unknown option '{0}'")]
    UnknownOption(String),
}

impl CookieConfig {
    /// From the IR (options as written; the config front end validated them).
    pub fn from_ir(c: &Cookie) -> Result<CookieConfig, CookieError> {
        let mut cfg = CookieConfig {
            name: c.name.clone(),
            ..CookieConfig::default()
        };
        let mut it = c.options.iter();
        while let Some(w) = it.next() {
            let mut arg = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| CookieError::MissingArg(w.clone()))
            };
            match w.as_str() {
                "rewrite" => cfg.mode = CookieMode::Rewrite,
                "insert" => cfg.mode = CookieMode::Insert,
                "prefix" => cfg.mode = CookieMode::Prefix,
                "indirect" => cfg.indirect = true,
                "nocache" => cfg.nocache = true,
                "postonly" => cfg.postonly = true,
                "preserve" => cfg.preserve = true,
                "httponly" => cfg.httponly = true,
                "secure" => cfg.secure = true,
                "dynamic" => cfg.dynamic = true,
                "domain" => cfg.domains.push(arg()?),
                "attr" => cfg.attrs.push(arg()?),
                "maxidle" | "maxlife" => {
                    let v = arg()?;
                    let t = parse_time(&v, TimeUnit::S)
                        .map_err(|_| CookieError::BadTime {
                            keyword: w.clone(),
                            value: v.clone(),
                        })?
                        .value;
                    if w == "maxidle" {
                        cfg.maxidle = t;
                    } else {
                        cfg.maxlife = t;
                    }
                }
                other => return Err(CookieError::UnknownOption(other.to_string())),
            }
        }
        Ok(cfg)
    }
}

impl CookieConfig {
    /// The backend's cookie settings (`cookie` line and `dynamic-cookie-key`), if it has a
    /// `cookie` line.
    pub fn from_proxy(
        settings: &crate::ir::haproxy::ProxySettings,
    ) -> Option<Result<CookieConfig, CookieError>> {
        let c = settings.cookie.as_ref()?;
        Some(CookieConfig::from_ir(c).map(|mut cfg| {
            cfg.dynamic_key = settings
                .other
                .iter()
                .rev()
                .find(|d| d.keyword == "dynamic-cookie-key")
                .and_then(|d| d.args.first().cloned());
            cfg
        }))
    }

    /// A server's cookie value: its `cookie`, else with `dynamic` and a key, the
    /// [`dynamic_cookie`] of its address and port; else none.
    pub fn server_cookie(&self, srv: &crate::ir::haproxy::expr::Server) -> Option<String> {
        if let Some(c) = &srv.opts.cookie {
            return Some(c.clone());
        }
        let key = self.dynamic_key.as_deref().filter(|_| self.dynamic)?;
        let addr = srv.address.as_ref()?;
        let port = u16::try_from(addr.port).ok()?;
        Some(dynamic_cookie(key, addr.ip?, port))
    }
}

/// The cookie value HAProxy 2.6 gives a server without `cookie` when the backend has
/// `cookie ... dynamic` and `dynamic-cookie-key KEY` (`srv_set_dyncookie()`): XXH64 (seed 0)
/// of the key, the server's address bytes and its port as 4 big-endian bytes, printed as 16
/// lowercase hex digits.
pub fn dynamic_cookie(key: &str, addr: IpAddr, port: u16) -> String {
    let mut buf = key.as_bytes().to_vec();
    match addr {
        IpAddr::V4(a) => buf.extend_from_slice(&a.octets()),
        IpAddr::V6(a) => buf.extend_from_slice(&a.octets()),
    }
    buf.extend_from_slice(&u32::from(port).to_be_bytes());
    format!("{:016x}", xxh64::xxh64(&buf, 0))
}

/// A server of the backend as persistence sees it, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerView<'a> {
    /// The server's `cookie` value (servers without one never match and, when they serve
    /// an insert-mode request, get a cookie-deletion Set-Cookie).
    pub cookie: Option<&'a str>,
    /// Not DOWN (HAProxy: `cur_state != SRV_ST_STOPPED`; maintenance counts as down).
    pub up: bool,
}

/// What the request cookie said (HAProxy's `TX_CK_*`, the log's first cookie letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CookieStatus {
    /// No cookie of our name (`N`).
    #[default]
    None,
    /// A value no server has, or empty (`I`).
    Invalid,
    /// The server is down and persistence is not forced (`D`).
    Down,
    /// A usable server (`V`).
    Valid,
    /// Older than `maxidle` (`E`).
    Expired,
    /// Older than `maxlife` (`O`).
    Old,
    /// Ignored: the server was already assigned or `ignore-persist` (`U`).
    Unused,
}

impl CookieStatus {
    /// The character HAProxy logs (`%cc`'s first letter in the termination state).
    pub fn log_char(self) -> char {
        match self {
            CookieStatus::None => 'N',
            CookieStatus::Invalid => 'I',
            CookieStatus::Down => 'D',
            CookieStatus::Valid => 'V',
            CookieStatus::Expired => 'E',
            CookieStatus::Old => 'O',
            CookieStatus::Unused => 'U',
        }
    }
}

/// Inputs of the request side besides the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestCtx {
    /// `option persist` in the backend.
    pub option_persist: bool,
    /// A `force-persist` rule matched.
    pub force_persist: bool,
    /// An `ignore-persist` rule matched.
    pub ignore_persist: bool,
    /// A server was already assigned (e.g. `use-server`).
    pub assigned: bool,
}

/// The request side's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Persistence {
    /// Index in the server list of the server to use directly (`SF_DIRECT|SF_ASSIGNED`):
    /// a usable server, or a down one when persistence is forced (`option persist`,
    /// `force-persist`; `option redispatch` then lets a failed connection go elsewhere).
    pub server: Option<usize>,
    pub status: CookieStatus,
    /// Dates read from the cookie (seconds, multiples of 4; 0 = none).
    pub first_date: u32,
    pub last_date: u32,
}

fn trim(s: &[u8]) -> &[u8] {
    let a = s
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(s.len());
    let b = s
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(a, |i| i + 1);
    &s[a..b.max(a)]
}

fn name_value(item: &[u8]) -> (&[u8], &[u8]) {
    match item.iter().position(|&c| c == b'=') {
        Some(i) => (trim(&item[..i]), trim(&item[i + 1..])),
        None => (item, &[]),
    }
}

fn is_spht(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// `http_find_cookie_value_end()`: the first `;` or `,` outside a quoted string.
fn cookie_value_end(h: &[u8], mut i: usize, end: usize) -> usize {
    let (mut quoted, mut qdpair) = (false, false);
    while i < end {
        let c = h[i];
        if qdpair {
            qdpair = false;
        } else if quoted {
            if c == b'\\' {
                qdpair = true;
            } else if c == b'"' {
                quoted = false;
            }
        } else if c == b'"' {
            quoted = true;
        } else if c == b',' || c == b';' {
            return i;
        }
        i += 1;
    }
    end
}

/// `http_del_hdr_value()`: removes `[*from, next)` from `h[..*end]` (a cookie and what
/// follows it up to the next delimiter), keeping one delimiter and one space as HAProxy does.
/// Returns the displacement (negative).
fn del_hdr_value(h: &mut Vec<u8>, end: &mut usize, from: &mut usize, next: usize) -> isize {
    let mut prev = *from;
    let mut next = next;
    if prev == 0 {
        if next < *end {
            next += 1;
        }
        while next < *end && is_spht(h[next]) {
            next += 1;
        }
    } else {
        while prev > 0 && is_spht(h[prev - 1]) {
            prev -= 1;
        }
        *from = prev;
        if next < *end {
            h[prev] = h[next];
            prev += 1;
            next += 1;
            if prev + 1 < next {
                h[prev] = b' ';
                prev += 1;
            }
            while next < *end && is_spht(h[next]) {
                next += 1;
            }
        }
    }
    h.drain(prev..next);
    let delta = prev as isize - next as isize;
    *end = (*end as isize + delta) as usize;
    delta
}

fn shift(p: usize, delta: isize) -> usize {
    (p as isize + delta) as usize
}

/// One `Cookie` header line, processed in place as `http_manage_client_side_cookie()` does:
/// spaces around `=` are removed, `$attributes` follow the cookie before them, our cookie
/// is handed to `ours(value) -> delim` (the server part's length in the value) and then
/// stripped of its `SRV~` prefix (prefix mode) or deleted (insert + indirect).
/// Returns false when the whole header must go.
fn client_cookie_line(
    h: &mut Vec<u8>,
    name: &[u8],
    prefix: bool,
    delete_ours: bool,
    mut ours: impl FnMut(&[u8]) -> usize,
) -> bool {
    let mut hdr_end = h.len();
    let mut prev = 0usize;
    let mut del_from: Option<usize> = None;
    let mut preserve = false;
    while prev < hdr_end {
        let mut att_beg = if prev > 0 { prev + 1 } else { prev };
        while att_beg < hdr_end && is_spht(h[att_beg]) {
            att_beg += 1;
        }
        let mut equal = att_beg;
        let mut att_end = att_beg;
        while equal < hdr_end {
            let c = h[equal];
            if c == b'=' || c == b',' || c == b';' {
                break;
            }
            equal += 1;
            if !is_spht(c) {
                att_end = equal;
            }
        }
        let (mut val_beg, mut val_end, mut next);
        if equal < hdr_end && h[equal] == b'=' {
            val_beg = equal + 1;
            while val_beg < hdr_end && is_spht(h[val_beg]) {
                val_beg += 1;
            }
            next = cookie_value_end(h, val_beg, hdr_end);
            val_end = next;
            while val_end > val_beg && is_spht(h[val_end - 1]) {
                val_end -= 1;
            }
        } else {
            val_beg = equal;
            val_end = equal;
            next = equal;
        }
        // `$attributes` belong to the cookie before them (deleted with it).
        if h.get(att_beg) == Some(&b'$') {
            prev = next;
            continue;
        }
        if equal == next {
            preserve = true;
            if let Some(mut df) = del_from.take() {
                let delta = del_hdr_value(h, &mut hdr_end, &mut df, prev);
                next = shift(next, delta);
            }
            prev = next;
            continue;
        }
        // Strip spaces around '='.
        if att_end != equal || val_beg > equal + 1 {
            let mut stripped: isize = 0;
            if att_end != equal {
                h.drain(att_end..equal);
                stripped = att_end as isize - equal as isize;
                equal = att_end;
                val_beg = shift(val_beg, stripped);
            }
            if val_beg > equal + 1 {
                let d = (equal + 1) as isize - val_beg as isize;
                h.drain(equal + 1..val_beg);
                val_beg = equal + 1;
                stripped += d;
            }
            val_end = shift(val_end, stripped);
            next = shift(next, stripped);
            hdr_end = shift(hdr_end, stripped);
        }
        if &h[att_beg..att_end] == name {
            let delim = val_beg + ours(&h[val_beg..val_end]);
            if prefix && delim != val_end {
                let delta = val_beg as isize - (delim + 1) as isize;
                h.drain(val_beg..delim + 1);
                next = shift(next, delta);
                hdr_end = shift(hdr_end, delta);
                del_from = None;
                preserve = true;
            } else if del_from.is_none() && delete_ours {
                del_from = Some(prev);
            }
        } else {
            preserve = true;
            if let Some(mut df) = del_from.take() {
                let delta = del_hdr_value(h, &mut hdr_end, &mut df, prev);
                next = shift(next, delta);
            }
        }
        prev = next;
    }
    if let Some(df) = del_from {
        hdr_end = if preserve { df } else { 0 };
    }
    h.truncate(hdr_end);
    hdr_end > 0
}

/// HAProxy's `base64tab`.
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `s30tob64()`: a 30-bit value as 5 base64 characters.
pub fn s30tob64(v: u32) -> String {
    (0..5)
        .map(|i| B64[((v >> (24 - 6 * i)) & 0x3f) as usize] as char)
        .collect()
}

/// `b64tos30()`: 5 base64 characters to a 30-bit value; `None` on a bad character.
pub fn b64tos30(s: &[u8]) -> Option<u32> {
    let mut out = 0u32;
    for &c in s.get(..5)? {
        let d = B64.iter().position(|&b| b == c)? as u32;
        out = (out << 6) + d;
    }
    Some(out)
}

/// Request side: finds our cookie in the `Cookie` headers, picks the server, and rewrites
/// the headers for the server (insert+indirect removes the cookie, prefix strips `SRV~`).
/// `now_s` is the wall-clock time in seconds (cookie dates are absolute).
pub fn process_request(
    cfg: &CookieConfig,
    req: &mut RequestHead,
    servers: &[ServerView<'_>],
    ctx: RequestCtx,
    now_s: u64,
) -> Persistence {
    let mut out = Persistence::default();
    let mut assigned = ctx.assigned;
    let now = now_s as i64;
    let prefix = cfg.mode == CookieMode::Prefix;
    let delete_ours = cfg.mode == CookieMode::Insert && cfg.indirect;
    let mut ours = |val: &[u8]| -> usize {
        // The server part ends at '~' (prefix) or at the first '|' (dates).
        let mut delim = val.len();
        if prefix {
            if let Some(i) = val.iter().position(|&c| c == b'~') {
                delim = i;
            }
        } else if let Some(i) = val.iter().position(|&c| c == b'|') {
            delim = i;
            let rest = &val[i + 1..];
            if rest.len() >= 5
                && let Some(v) = b64tos30(rest)
                && v > 0
            {
                out.last_date = v << 2;
            }
            if let Some(j) = rest.iter().position(|&c| c == b'|')
                && rest.len() - j > 5
                && let Some(v) = b64tos30(&rest[j + 1..])
                && v > 0
            {
                out.first_date = v << 2;
            }
            let (first, last) = (i64::from(out.first_date), i64::from(out.last_date));
            if first != 0
                && cfg.maxlife != 0
                && (now - first > i64::from(cfg.maxlife) || first - now > 86400)
            {
                out.status = CookieStatus::Old;
                delim = 0;
                out.first_date = 0;
                out.last_date = 0;
            } else if last != 0
                && cfg.maxidle != 0
                && (now - last > i64::from(cfg.maxidle) || last - now > 86400)
            {
                out.status = CookieStatus::Expired;
                delim = 0;
                out.first_date = 0;
                out.last_date = 0;
            }
        }
        // A later occurrence after the cookie already chose a server changes nothing
        // (measured: "SRV=c2; SRV=c1" logs V and goes to c2's server).
        if out.server.is_some() {
            return delim;
        }
        // Empty server parts are ignored (a client must not stick to a cookie-less
        // server), as is everything once a server is assigned.
        let mut found = None;
        if delim != 0 && !assigned && !ctx.ignore_persist {
            let sid = &val[..delim];
            for (i, s) in servers.iter().enumerate() {
                if s.cookie.map(str::as_bytes) == Some(sid) {
                    if s.up || ctx.option_persist || ctx.force_persist {
                        out.status = if s.up {
                            CookieStatus::Valid
                        } else {
                            CookieStatus::Down
                        };
                        found = Some(i);
                        break;
                    }
                    out.status = CookieStatus::Down;
                }
            }
        }
        if let Some(i) = found {
            out.server = Some(i);
            assigned = true;
        } else if !matches!(
            out.status,
            CookieStatus::Down | CookieStatus::Expired | CookieStatus::Old
        ) {
            out.status = if ctx.ignore_persist || assigned {
                CookieStatus::Unused
            } else {
                CookieStatus::Invalid
            };
        }
        delim
    };
    req.headers.0.retain_mut(|h| {
        if !h.name.eq_ignore_ascii_case("cookie") {
            return true;
        }
        client_cookie_line(
            &mut h.value,
            cfg.name.as_bytes(),
            prefix,
            delete_ours,
            &mut ours,
        )
    });
    out
}

/// What the response side did (HAProxy's `TX_SCK_*`, the log's second cookie letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetCookieStatus {
    /// `N`
    #[default]
    None,
    /// The server set our cookie and it was kept (`P`).
    Found,
    /// The server's cookie was removed (`D`).
    Deleted,
    /// HAProxy inserted one (`I`).
    Inserted,
    /// The server's cookie was rewritten or prefixed (`R`).
    Replaced,
    /// Only the date was refreshed (`U`).
    Updated,
}

impl SetCookieStatus {
    pub fn log_char(self) -> char {
        match self {
            SetCookieStatus::None => 'N',
            SetCookieStatus::Found => 'P',
            SetCookieStatus::Deleted => 'D',
            SetCookieStatus::Inserted => 'I',
            SetCookieStatus::Replaced => 'R',
            SetCookieStatus::Updated => 'U',
        }
    }
}

/// Inputs of the response side besides the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseCtx {
    /// Index of the server that answered; `None` when no server did (HAProxy's own reply).
    pub server: Option<usize>,
    /// The request went to the server its cookie named (`SF_DIRECT`): `Persistence.server`
    /// was used and not redispatched.
    pub direct: bool,
    /// The request method was POST (`postonly`).
    pub post: bool,
    /// GET or HEAD (HAProxy only considers those requests cacheable).
    pub cacheable_request: bool,
    pub ignore_persist: bool,
}

/// Whether HAProxy would let a cache store the response (`TX_CACHEABLE` without
/// `TX_CACHE_IGNORE` after `http_check_response_for_cacheability()`): a GET/HEAD request, a
/// cacheable status, no `Pragma: no-cache`, no `Cache-Control: private|no-cache|no-store|
/// max-age=0|s-maxage=0` (unless a later `public`), and freshness information (`max-age`,
/// `s-maxage`, `Expires`) or a validator (`ETag`, `Last-Modified`). Measured on HAProxy
/// 2.6.12: `nocache` adds `Cache-control: private` exactly in these cases.
pub fn response_cacheable(cacheable_request: bool, resp: &ResponseHead) -> bool {
    if !cacheable_request {
        return false;
    }
    if !matches!(
        resp.status,
        200 | 203 | 204 | 206 | 300 | 301 | 404 | 405 | 410 | 414 | 501
    ) {
        return false;
    }
    if resp
        .headers
        .get("pragma")
        .is_some_and(|h| trim(&h.value).eq_ignore_ascii_case(b"no-cache"))
    {
        return false;
    }
    let mut cacheable = true;
    let mut fresh = false;
    for h in resp.headers.get_all("cache-control") {
        for v in h.value.split(|&c| c == b',').map(trim) {
            let starts = |p: &[u8]| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p);
            if v.eq_ignore_ascii_case(b"public") {
                cacheable = true;
            } else if [
                &b"private"[..],
                b"no-cache",
                b"no-store",
                b"max-age=0",
                b"s-maxage=0",
            ]
            .iter()
            .any(|k| v.eq_ignore_ascii_case(k))
            {
                cacheable = false;
            } else if starts(b"no-cache=\"set-cookie") {
                // Only forbids caching the cookie, not the response.
            } else if starts(b"s-maxage") || starts(b"max-age") {
                fresh = true;
            }
        }
    }
    let validator = resp.headers.contains("etag") || resp.headers.contains("last-modified");
    cacheable && (fresh || resp.headers.contains("expires") || validator)
}

/// Response side: handles the server's `Set-Cookie` for our name (delete in insert mode or
/// indirect direct access, rewrite, prefix; left alone with `preserve`) and inserts
/// HAProxy's own (`NAME=VALUE[|last[|first]]; path=/[; domain=D][; HttpOnly][; Secure][; A]`).
pub fn process_response(
    cfg: &CookieConfig,
    resp: &mut ResponseHead,
    servers: &[ServerView<'_>],
    req: &Persistence,
    ctx: ResponseCtx,
    now_s: u64,
) -> SetCookieStatus {
    let mut status = SetCookieStatus::None;
    let mut found = false;
    let srv = ctx.server.and_then(|i| servers.get(i));
    if !ctx.ignore_persist {
        let mut kept = Vec::with_capacity(resp.headers.len());
        for mut h in resp.headers.0.drain(..) {
            if !h.name.eq_ignore_ascii_case("set-cookie") {
                kept.push(h);
                continue;
            }
            // Set-Cookie: NAME=VALUE; attributes...
            let (first, attrs) = match h.value.iter().position(|&c| c == b';') {
                Some(i) => h.value.split_at(i),
                None => (&h.value[..], &[][..]),
            };
            let (name, value) = name_value(first);
            if name != cfg.name.as_bytes() {
                kept.push(h);
                continue;
            }
            found = true;
            status = SetCookieStatus::Found;
            if cfg.preserve {
                kept.push(h);
            } else if (srv.is_some() && cfg.mode == CookieMode::Insert)
                || (ctx.direct && cfg.indirect)
            {
                status = SetCookieStatus::Deleted;
            } else if let Some(c) = srv.and_then(|s| s.cookie)
                && matches!(cfg.mode, CookieMode::Rewrite | CookieMode::Prefix)
            {
                let mut v = name.to_vec();
                v.push(b'=');
                v.extend_from_slice(c.as_bytes());
                if cfg.mode == CookieMode::Prefix {
                    v.push(b'~');
                    v.extend_from_slice(value);
                }
                v.extend_from_slice(attrs);
                h.value = v;
                kept.push(h);
                status = SetCookieStatus::Replaced;
            } else {
                kept.push(h);
            }
        }
        resp.headers.0 = kept;
    }
    let now = now_s as i64;
    let want = srv.is_some()
        && cfg.mode == CookieMode::Insert
        && !(found && cfg.preserve)
        && (!ctx.direct
            || ((cfg.maxidle != 0 || req.last_date != 0)
                && (req.last_date == 0 || i64::from(req.last_date) - now < 0))
            || (cfg.maxlife != 0 && req.first_date == 0)
            || (cfg.maxlife == 0 && req.first_date != 0))
        && (!cfg.postonly || ctx.post)
        && !ctx.ignore_persist;
    let Some(srv) = srv.filter(|_| want) else {
        return status;
    };
    let mut v = String::new();
    match srv.cookie {
        None => {
            v.push_str(&cfg.name);
            v.push_str("=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/");
        }
        Some(c) => {
            v.push_str(&cfg.name);
            v.push('=');
            v.push_str(c);
            if cfg.maxidle != 0 || cfg.maxlife != 0 {
                let stamp = ((now_s + 3) >> 2) as u32;
                v.push('|');
                v.push_str(&s30tob64(stamp));
                if cfg.maxlife != 0 {
                    v.push('|');
                    let first = if req.first_date != 0 {
                        req.first_date >> 2
                    } else {
                        stamp
                    };
                    v.push_str(&s30tob64(first));
                }
            }
            v.push_str("; path=/");
        }
    }
    for d in &cfg.domains {
        v.push_str("; domain=");
        v.push_str(d);
    }
    if cfg.httponly {
        v.push_str("; HttpOnly");
    }
    if cfg.secure {
        v.push_str("; Secure");
    }
    for a in &cfg.attrs {
        v.push_str("; ");
        v.push_str(a);
    }
    resp.headers.add("Set-Cookie", v);
    status = if srv.cookie.is_some() && ctx.direct {
        SetCookieStatus::Updated
    } else {
        SetCookieStatus::Inserted
    };
    if cfg.nocache && response_cacheable(ctx.cacheable_request, resp) {
        resp.headers.add("Cache-control", "private");
    }
    status
}

#[cfg(test)]
mod tests {
    //! Expected bytes were measured on HAProxy 2.6.12 (`haproxy -f cfg -db`, two Python
    //! backends `s1` (cookie c1) and `s2` (cookie c2 or none) on loopback, raw requests);
    //! each test quotes the response or forwarded header HAProxy produced.
    use super::*;
    use crate::proxy::http::msg::{Header, HeaderList};

    fn cfg(line: &str) -> CookieConfig {
        let mut w = line.split_whitespace().map(String::from);
        let name = w.next().unwrap();
        CookieConfig::from_ir(&Cookie {
            name,
            options: w.collect(),
        })
        .unwrap()
    }

    fn req(cookies: &[&str]) -> RequestHead {
        let mut r = RequestHead {
            method: "GET".into(),
            uri: "/".into(),
            ..Default::default()
        };
        r.headers.add("Host", "x");
        for c in cookies {
            r.headers.add("Cookie", *c);
        }
        r
    }

    fn resp(headers: &[(&str, &str)]) -> ResponseHead {
        ResponseHead {
            status: 200,
            reason: "OK".into(),
            headers: HeaderList(headers.iter().map(|(n, v)| Header::new(*n, *v)).collect()),
            ..Default::default()
        }
    }

    const BOTH: [ServerView<'static>; 2] = [
        ServerView {
            cookie: Some("c1"),
            up: true,
        },
        ServerView {
            cookie: Some("c2"),
            up: true,
        },
    ];

    fn cookies(r: &RequestHead) -> Vec<String> {
        r.headers
            .get_all("cookie")
            .map(|h| h.value_str().unwrap().to_string())
            .collect()
    }

    fn set_cookies(r: &ResponseHead) -> Vec<String> {
        r.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
            .map(|h| h.value_str().unwrap().to_string())
            .collect()
    }

    fn get_ctx(server: usize, p: &Persistence) -> ResponseCtx {
        ResponseCtx {
            server: Some(server),
            direct: p.server == Some(server),
            post: false,
            cacheable_request: true,
            ignore_persist: false,
        }
    }

    #[test]
    fn insert_indirect_nocache() {
        // cookie SERVERID insert indirect nocache; no cookie, plain 200 (no freshness info):
        // "set-cookie: SERVERID=c1; path=/\r\n" and no cache-control (HAProxy 2.6.12).
        let c = cfg("SERVERID insert indirect nocache");
        let mut r = req(&[]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        assert_eq!(p.server, None);
        assert_eq!(p.status, CookieStatus::None);
        let mut s = resp(&[("Content-Length", "19")]);
        let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SERVERID=c1; path=/"]);
        assert!(!s.headers.contains("cache-control"));
        assert_eq!(st, SetCookieStatus::Inserted);
        // With "cache-control: max-age=60" the response gets, in this order:
        // "set-cookie: SERVERID=c1; path=/\r\ncache-control: private\r\n".
        let mut s = resp(&[("Cache-Control", "max-age=60"), ("Content-Length", "19")]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        let tail: Vec<_> = s
            .headers
            .iter()
            .skip(2)
            .map(|h| h.value_str().unwrap())
            .collect();
        assert_eq!(tail, ["SERVERID=c1; path=/", "private"]);
        assert_eq!(s.headers.0[3].name, "Cache-control");
        // "Cookie: a=1; SERVERID=c2; b=2" reaches s2 as "a=1; b=2", no set-cookie.
        let mut r = req(&["a=1; SERVERID=c2; b=2"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        assert_eq!((p.server, p.status), (Some(1), CookieStatus::Valid));
        assert_eq!(cookies(&r), ["a=1; b=2"]);
        let mut s = resp(&[]);
        let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(1, &p), 0);
        assert!(set_cookies(&s).is_empty());
        assert_eq!(st, SetCookieStatus::None);
    }

    #[test]
    fn nocache_follows_cacheability() {
        // Measured: private added with Expires, ETag, Last-Modified, "public, max-age=10",
        // 404+max-age, public+ETag, no-cache="set-cookie", max-age=10; not added for
        // 302+max-age, Pragma: no-cache, "max-age=10, private", bare "public", POST.
        let yes: &[&[(&str, &str)]] = &[
            &[("Expires", "Thu, 01 Jan 2099 00:00:00 GMT")],
            &[("ETag", "\"x\"")],
            &[("Last-Modified", "Thu, 01 Jan 2020 00:00:00 GMT")],
            &[("Cache-Control", "public, max-age=10")],
            &[("Cache-Control", "no-cache=\"set-cookie\", max-age=10")],
            &[("Cache-Control", "public"), ("ETag", "\"y\"")],
        ];
        for h in yes {
            assert!(response_cacheable(true, &resp(h)), "{h:?}");
        }
        let mut r404 = resp(&[("Cache-Control", "max-age=10")]);
        r404.status = 404;
        assert!(response_cacheable(true, &r404));
        let mut r302 = resp(&[("Cache-Control", "max-age=10")]);
        r302.status = 302;
        assert!(!response_cacheable(true, &r302));
        let no: &[&[(&str, &str)]] = &[
            &[],
            &[("Cache-Control", "public")],
            &[("Cache-Control", "max-age=10"), ("Pragma", "no-cache")],
            &[("Cache-Control", "max-age=10, private")],
        ];
        for h in no {
            assert!(!response_cacheable(true, &resp(h)), "{h:?}");
        }
        assert!(!response_cacheable(
            false,
            &resp(&[("Cache-Control", "max-age=60")])
        ));
    }

    #[test]
    fn dates_domains_flags_attrs() {
        // cookie SRV insert indirect maxidle 30m maxlife 2h domain .a.com domain .b.org
        //   httponly secure attr SameSite=Lax attr Foo
        // at unix time 1795314722:
        // "set-cookie: SRV=c1|awJUJ|awJUJ; path=/; domain=.a.com; domain=.b.org; HttpOnly;
        //  Secure; SameSite=Lax; Foo"; a server without cookie gets
        // "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.a.com; ...".
        let c = cfg(
            "SRV insert indirect maxidle 30m maxlife 2h domain .a.com domain .b.org httponly \
             secure attr SameSite=Lax attr Foo",
        );
        assert_eq!((c.maxidle, c.maxlife), (1800, 7200));
        let now = 1_795_314_722;
        // "SRV=c1|AAAAA|AAAAA": zero dates are ignored, the cookie is valid and stripped.
        let mut r = req(&["SRV=c1|AAAAA|AAAAA"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), now);
        assert_eq!((p.server, p.status), (Some(0), CookieStatus::Valid));
        assert!(cookies(&r).is_empty());
        let mut s = resp(&[]);
        let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), now);
        assert_eq!(
            set_cookies(&s),
            [
                "SRV=c1|awJUJ|awJUJ; path=/; domain=.a.com; domain=.b.org; HttpOnly; Secure; SameSite=Lax; Foo"
            ]
        );
        assert_eq!(st, SetCookieStatus::Updated);
        let nocookie = [
            BOTH[0],
            ServerView {
                cookie: None,
                up: true,
            },
        ];
        let mut s = resp(&[]);
        process_response(
            &c,
            &mut s,
            &nocookie,
            &p,
            get_ctx(1, &Persistence::default()),
            now,
        );
        assert_eq!(
            set_cookies(&s),
            [
                "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.a.com; domain=.b.org; HttpOnly; Secure; SameSite=Lax; Foo"
            ]
        );
        assert_eq!(s30tob64((now as u32 + 3) >> 2), "awJUJ");
        assert_eq!(b64tos30(b"awJUJ"), Some(448_828_681));
    }

    #[test]
    fn maxidle_expiry() {
        // cookie SRV insert indirect maxidle 10s, at 1795314748: "SRV=c2|awJUJ" (24 s old)
        // logs "--EI" and is re-inserted as "SRV=c2|awJUP; path=/" when s2 serves.
        let c = cfg("SRV insert indirect maxidle 10s");
        let now = 1_795_314_748;
        let mut r = req(&["SRV=c2|awJUJ"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), now);
        assert_eq!((p.server, p.status), (None, CookieStatus::Expired));
        assert!(cookies(&r).is_empty());
        let mut s = resp(&[]);
        let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(1, &p), now);
        assert_eq!(set_cookies(&s), ["SRV=c2|awJUP; path=/"]);
        assert_eq!(st, SetCookieStatus::Inserted);
        // A fresh one is valid and not refreshed within its 4-second quantum.
        let mut r = req(&["SRV=c2|awJUP"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), now);
        assert_eq!((p.server, p.status), (Some(1), CookieStatus::Valid));
        let mut s = resp(&[]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(1, &p), now);
        assert!(set_cookies(&s).is_empty());
    }

    #[test]
    fn rewrite_and_prefix() {
        // rewrite: server's "SRV=xyz; path=/; HttpOnly" becomes "SRV=c1; path=/; HttpOnly".
        let c = cfg("SRV rewrite");
        let mut r = req(&[]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        let mut s = resp(&[("Set-Cookie", "SRV=xyz; path=/; HttpOnly")]);
        let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SRV=c1; path=/; HttpOnly"]);
        assert_eq!(st, SetCookieStatus::Replaced);
        // prefix: "SRV=abc; path=/" becomes "SRV=c1~abc; path=/"; the request cookie
        // "x=1; SRV=c2~abc; y=2" reaches s2 as "x=1; SRV=abc; y=2"; "SRV=abc" (no '~')
        // matches no server and is forwarded untouched.
        let c = cfg("SRV prefix");
        let mut s = resp(&[("Set-Cookie", "SRV=abc; path=/")]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SRV=c1~abc; path=/"]);
        let mut r = req(&["x=1; SRV=c2~abc; y=2"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        assert_eq!(p.server, Some(1));
        assert_eq!(cookies(&r), ["x=1; SRV=abc; y=2"]);
        let mut r = req(&["SRV=abc"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        assert_eq!((p.server, p.status), (None, CookieStatus::Invalid));
        assert_eq!(cookies(&r), ["SRV=abc"]);
    }

    #[test]
    fn indirect_deletes_server_cookie_and_strips_request() {
        // insert indirect: server's own "SRV=mine" is replaced by ours (new client) or just
        // dropped (direct access); "a=1;SRV=c2;b=2" and "a=1 ;  SRV=c2 ; b=2" both reach the
        // server as "a=1; b=2"; two Cookie headers "SRV=c1" + "SRV=c2; z=1" go to s1 and
        // only "z=1" is forwarded.
        let c = cfg("SRV insert indirect");
        let p = Persistence::default();
        let mut s = resp(&[("Set-Cookie", "SRV=mine; path=/")]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SRV=c1; path=/"]);
        for raw in ["a=1;SRV=c2;b=2", "a=1 ;  SRV=c2 ; b=2"] {
            let mut r = req(&[raw]);
            let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
            assert_eq!(p.server, Some(1));
            assert_eq!(cookies(&r), ["a=1; b=2"]);
            let mut s = resp(&[("Set-Cookie", "SRV=mine")]);
            let st = process_response(&c, &mut s, &BOTH, &p, get_ctx(1, &p), 0);
            assert!(set_cookies(&s).is_empty());
            assert_eq!(st, SetCookieStatus::Deleted);
        }
        let mut r = req(&["SRV=c1", "SRV=c2; z=1"]);
        let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
        assert_eq!(p.server, Some(0));
        assert_eq!(cookies(&r), ["z=1"]);
    }

    #[test]
    fn preserve_postonly_down_persist() {
        // preserve: the server's "SRV=mine; path=/" is kept and nothing is inserted.
        let c = cfg("SRV insert preserve");
        let p = Persistence::default();
        let mut s = resp(&[("Set-Cookie", "SRV=mine; path=/")]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SRV=mine; path=/"]);
        // postonly: nothing on GET, "SRV=c2; path=/" on POST.
        let c = cfg("SRV insert postonly");
        let mut s = resp(&[]);
        process_response(&c, &mut s, &BOTH, &p, get_ctx(0, &p), 0);
        assert!(set_cookies(&s).is_empty());
        let mut ctx = get_ctx(1, &p);
        ctx.post = true;
        process_response(&c, &mut s, &BOTH, &p, ctx, 0);
        assert_eq!(set_cookies(&s), ["SRV=c2; path=/"]);
        // s2 disabled, "Cookie: SRV=c2": without option persist HAProxy logs "--DI", sends
        // to s1 and inserts "SRV=c1; path=/"; with option persist it logs "--DN" and s2
        // (down) gets the request, no Set-Cookie.
        let c = cfg("SRV insert indirect");
        let down = [
            BOTH[0],
            ServerView {
                cookie: Some("c2"),
                up: false,
            },
        ];
        let mut r = req(&["SRV=c2"]);
        let p = process_request(&c, &mut r, &down, RequestCtx::default(), 0);
        assert_eq!((p.server, p.status.log_char()), (None, 'D'));
        let mut s = resp(&[]);
        let st = process_response(&c, &mut s, &down, &p, get_ctx(0, &p), 0);
        assert_eq!(set_cookies(&s), ["SRV=c1; path=/"]);
        assert_eq!(st.log_char(), 'I');
        let mut r = req(&["SRV=c2"]);
        let persist = RequestCtx {
            option_persist: true,
            ..Default::default()
        };
        let p = process_request(&c, &mut r, &down, persist, 0);
        assert_eq!((p.server, p.status.log_char()), (Some(1), 'D'));
        let mut s = resp(&[]);
        let st = process_response(&c, &mut s, &down, &p, get_ctx(1, &p), 0);
        assert!(set_cookies(&s).is_empty());
        assert_eq!(st.log_char(), 'N');
    }

    #[test]
    fn cookie_header_rewriting_is_byte_exact() {
        // (config, Cookie header sent, header the server received or None, server, log
        // letter) as measured on HAProxy 2.6.12 (the backend echoed its Cookie headers).
        type Case = (
            &'static str,
            &'static str,
            Option<&'static str>,
            Option<usize>,
            char,
        );
        let cases: &[Case] = &[
            (
                "SRV insert indirect",
                "a=1; SRV=c2; b=2",
                Some("a=1; b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1;SRV=c2;b=2",
                Some("a=1; b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1 ;  SRV=c2 ; b=2",
                Some("a=1; b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1, SRV=c2, b=2",
                Some("a=1, b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=\"x;y\"; SRV=c2",
                Some("a=\"x;y\""),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "SRV=c2 ; a=1",
                Some("a=1"),
                Some(1),
                'V',
            ),
            ("SRV insert indirect", "SRV=", None, None, 'I'),
            (
                "SRV insert indirect",
                "$Version=1; SRV=c2; $Path=/; a=1",
                Some("$Version=1; a=1"),
                Some(1),
                'V',
            ),
            ("SRV insert indirect", "SRV = c2", None, Some(1), 'V'),
            (
                "SRV insert indirect",
                "a=1;b=2 ;  c = 3",
                Some("a=1;b=2 ;  c=3"),
                None,
                'N',
            ),
            (
                "SRV insert indirect",
                "a=1;SRV=c2",
                Some("a=1"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "SRV=c2;a=1,b=2",
                Some("a=1,b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a = 1 ;SRV = c2 , b=2",
                Some("a=1, b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1;  SRV=c1 ;b=2",
                Some("a=1; b=2"),
                Some(0),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1 ; SRV=c2",
                Some("a=1 "),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "$Version=1; SRV=c2",
                None,
                Some(1),
                'V',
            ),
            ("SRV insert indirect", "SRV=c2; $Path=/", None, Some(1), 'V'),
            (
                "SRV insert indirect",
                "a; SRV=c2;b=2",
                Some("a; b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "SRV=c2; SRV=c1; a=1",
                Some("a=1"),
                Some(1),
                'V',
            ),
            (
                "SRV insert indirect",
                "a=1; SRV=c2; SRV=c1",
                Some("a=1"),
                Some(1),
                'V',
            ),
            (
                "SRV prefix",
                "a=1;SRV=c2~x;b=2",
                Some("a=1;SRV=x;b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV prefix",
                "a=1 ; SRV = c2~x  ;b=2",
                Some("a=1 ; SRV=x  ;b=2"),
                Some(1),
                'V',
            ),
            (
                "SRV prefix",
                "x=1; SRV=c2~abc; y=2",
                Some("x=1; SRV=abc; y=2"),
                Some(1),
                'V',
            ),
        ];
        for &(line, sent, got, server, letter) in cases {
            let c = cfg(line);
            let mut r = req(&[sent]);
            let p = process_request(&c, &mut r, &BOTH, RequestCtx::default(), 0);
            let seen = cookies(&r);
            assert_eq!(seen.first().map(String::as_str), got, "{line} / {sent}");
            assert_eq!(p.server, server, "{line} / {sent}");
            assert_eq!(p.status.log_char(), letter, "{line} / {sent}");
        }
    }

    #[test]
    fn dynamic_cookie_matches_haproxy() {
        // cookie SRV insert dynamic + dynamic-cookie-key mykey; server s2 127.0.0.1:23812
        // without `cookie`: HAProxy 2.6.12 sent "set-cookie: SRV=07972998eaca60e0; path=/".
        assert_eq!(
            dynamic_cookie("mykey", "127.0.0.1".parse().unwrap(), 23812),
            "07972998eaca60e0"
        );
    }

    #[test]
    fn from_proxy_reads_cookie_and_dynamic_key() {
        let text = b"defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n\
backend be\n  cookie SRV insert dynamic nocache maxidle 1h\n  dynamic-cookie-key mykey\n\
  server s1 127.0.0.1:23811 cookie c1\n  server s2 127.0.0.1:23812\n";
        let out = crate::config::haproxy::parser::load_from_memory(
            "t.cfg",
            text,
            &crate::config::haproxy::parser::LoadOptions::default(),
        );
        let cfg = out.config.expect("config");
        let be = cfg.proxies.iter().find(|p| p.name == "be").unwrap();
        let c = CookieConfig::from_proxy(&be.settings).unwrap().unwrap();
        assert_eq!(c.mode, CookieMode::Insert);
        assert!(c.dynamic && c.nocache);
        assert_eq!(c.maxidle, 3600);
        assert_eq!(c.dynamic_key.as_deref(), Some("mykey"));
        let values: Vec<_> = be
            .servers
            .iter()
            .map(|s| c.server_cookie(&s.value))
            .collect();
        // Same server as the measured dynamic cookie above.
        assert_eq!(
            values,
            [Some("c1".to_string()), Some("07972998eaca60e0".to_string())]
        );
    }
}
