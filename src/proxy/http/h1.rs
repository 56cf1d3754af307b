//! HTTP/1 codec with HAProxy 2.6's strictness (sans-IO): request/response head parsing,
//! body framing (content-length, chunked, until-close), head encoding as HAProxy emits it,
//! and the `Connection` header handling of the keep-alive / server-close / close modes.
//!
//! Behaviour measured on HAProxy 2.6.12 (Debian 2.6.12-1+deb12u4) on loopback; the tests in
//! `h1/tests.rs` carry the measured bytes. Summary of what HAProxy does and this codec copies:
//! - header names are lowercased on output (both directions), values are trimmed of SP/HTAB,
//!   obs-fold is accepted (CR and LF of the fold become spaces), bare LF ends lines;
//! - the request version is written `HTTP/1.1` for anything >= 1.1 (`HTTP/2.0`, `HTTP/9.9`),
//!   `HTTP/1.0` otherwise; `HTTP/1.10`, lowercase `http/1.1`, HTTP/0.9 (no version) -> 400;
//! - identical Content-Length values (repeated headers or `3, 3`) are merged, different ones
//!   -> 400; Transfer-Encoding wins over Content-Length (CL removed, connection closed after);
//!   a request Transfer-Encoding not ending in `chunked` -> 400, `gzip, chunked` -> 422;
//! - Host duplicates must be identical; an absolute URI's authority must match Host; the
//!   default port of http/https absolute URIs is removed;
//! - the head may use about 15 KiB of HAProxy's HTX buffer (tune.bufsize 16384 minus
//!   maxrewrite), at most 100 header lines; beyond that: 400 (not 414/431).

use super::msg::{Header, HeaderList, RequestHead, ResponseHead, Version};

mod body;
mod conn;
#[cfg(test)]
mod tests;

pub use body::{BodyTracker, Progress};
pub use conn::{
    ConnMode, client_keep_alive, prepare_request_for_server, prepare_response_for_client,
    server_keep_alive,
};

/// How the body of a message is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Length(u64),
    Chunked,
    /// A response without length, or a tunnel (101, CONNECT 2xx): ends when the peer closes.
    UntilClose,
}

/// A malformed or unsupported message. `status()` is what HAProxy answers the client with:
/// the request errors are answered with the raw error page and the connection is closed;
/// errors in a server's response are wrapped in [`H1Error::BadResponse`] (502).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum H1Error {
    #[error("invalid request or status line")]
    BadStartLine,
    #[error("unsupported HTTP version")]
    BadVersion,
    #[error("HTTP/0.9 request")]
    Http09,
    /// `PRI * HTTP/2.0` on an HTTP/1 listener: HAProxy switches to HTTP/2 (h2c prior
    /// knowledge); this codec only detects it.
    #[error("HTTP/2 connection preface")]
    H2Preface,
    #[error("invalid header line")]
    BadHeader,
    #[error("too many headers")]
    TooManyHeaders,
    #[error("message head too large")]
    HeadTooLarge,
    #[error("invalid or conflicting content-length")]
    BadContentLength,
    #[error("invalid transfer-encoding")]
    BadTransferEncoding,
    /// A transfer coding other than `chunked` before the final `chunked` (request only).
    #[error("transfer coding not supported")]
    UnsupportedTransferCoding,
    #[error("conflicting host headers")]
    BadHost,
    #[error("websocket upgrade without sec-websocket-key")]
    MissingWebSocketKey,
    #[error("invalid chunk framing")]
    BadChunk,
    /// An HTTP/1.0 GET, HEAD or DELETE with a body (measured: 413, sent raw, then close).
    #[error("body not allowed on this HTTP/1.0 request")]
    BodyNotAllowed,
    #[error("invalid response: {0}")]
    BadResponse(Box<H1Error>),
}

impl H1Error {
    /// The status HAProxy 2.6 answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            H1Error::UnsupportedTransferCoding => 422,
            H1Error::BodyNotAllowed => 413,
            H1Error::BadResponse(_) => 502,
            _ => 400,
        }
    }
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    /// The head as HAProxy carries it: values trimmed, duplicates of Content-Length/Host
    /// merged, Content-Length dropped when Transfer-Encoding is there, `keep-alive`/`close`
    /// tokens removed from `Connection` (the header is dropped when nothing else remains).
    pub head: RequestHead,
    /// Bytes of the input taken by the head (leading blank lines included).
    pub head_len: usize,
    pub body: BodyKind,
    /// `Connection: upgrade` with an `Upgrade` header.
    pub upgrade: bool,
    pub expect_continue: bool,
    /// The client wants keep-alive (1.1 unless `close`, 1.0 only with `keep-alive`), and
    /// the framing allows it (Content-Length with Transfer-Encoding forces close).
    pub keep_alive: bool,
}

/// A parsed response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResponse {
    pub head: ResponseHead,
    pub head_len: usize,
    pub body: BodyKind,
    /// The server connection can be reused after this response.
    pub keep_alive: bool,
    /// 1xx other than 101: the final response follows.
    pub informational: bool,
}

/// Size budget of a head in HAProxy's HTX buffer (measured: bufsize 16384 - maxrewrite 1024,
/// minus HTX overhead). Each block costs 8 bytes plus its payload.
const HTX_BUDGET: usize = 15291;
/// A head still incomplete after this many bytes can never fit (the raw form is smaller
/// than its HTX form), so HAProxy's full buffer means 400.
const RAW_LIMIT: usize = 16384;
/// Header lines allowed (tune.http.maxhdr 101 counts the start line): 101 -> 400.
pub(crate) const MAX_HEADERS: usize = 100;

/// `Ok(None)`: the head is incomplete, read more.
pub fn parse_request(buf: &[u8]) -> Result<Option<ParsedRequest>, H1Error> {
    let Some((start, end)) = find_head(buf)? else {
        return Ok(None);
    };
    let head = &buf[start..end];
    let (line, rest) = split_line(head).ok_or(H1Error::BadStartLine)?;
    if head.starts_with(b"PRI * HTTP/2.0\r\n") {
        return Err(H1Error::H2Preface);
    }
    let (method, uri, version) = parse_request_line(line)?;
    let raw_headers = parse_headers(rest)?;
    let req = RequestHead {
        method: ascii(method),
        uri: ascii(uri),
        version,
        headers: HeaderList(raw_headers),
    };
    finish_request(req, end).map(Some)
}

/// The checks and framing of a request head once its lines are read (what
/// [`parse_request`] does after the syntax): an HTTP/2 stream's head, built from its
/// decoded fields, goes through the same rules. `head_len`: bytes of input it took.
pub fn finish_request(mut req: RequestHead, head_len: usize) -> Result<ParsedRequest, H1Error> {
    let version = req.version;
    let info = analyse(&mut req.headers, version)?;
    if info.te_present && !info.chunked {
        return Err(H1Error::BadTransferEncoding);
    }
    if info.te_other {
        return Err(H1Error::UnsupportedTransferCoding);
    }
    check_host(&mut req)?;
    if htx_cost(req.method.len() + req.uri.len() + 8, &req.headers) > HTX_BUDGET {
        return Err(H1Error::HeadTooLarge);
    }
    let upgrade = info.conn_upgrade && req.headers.contains("upgrade");
    if upgrade
        && req
            .headers
            .get_all("upgrade")
            .any(|h| tokens(&h.value).any(|t| t.eq_ignore_ascii_case(b"websocket")))
        && !req.headers.contains("sec-websocket-key")
    {
        return Err(H1Error::MissingWebSocketKey);
    }
    let body = if info.chunked {
        BodyKind::Chunked
    } else if let Some(n) = info.content_length {
        BodyKind::Length(n)
    } else {
        BodyKind::None
    };
    // method names compare case-sensitively, as HAProxy's find_http_meth()
    if version == Version::Http10
        && matches!(req.method.as_str(), "GET" | "HEAD" | "DELETE")
        && !matches!(body, BodyKind::None | BodyKind::Length(0))
    {
        return Err(H1Error::BodyNotAllowed);
    }
    let expect_continue = version == Version::Http11
        && req
            .headers
            .get("expect")
            .is_some_and(|h| h.value.eq_ignore_ascii_case(b"100-continue"));
    // measured: CL + TE, or chunked in HTTP/1.0, close the connection after the exchange
    let keep_alive = wants_keep_alive(version, &info)
        && !(info.chunked && info.had_cl)
        && !(info.chunked && version == Version::Http10);
    Ok(ParsedRequest {
        head: req,
        head_len,
        body,
        upgrade,
        expect_continue,
        keep_alive,
    })
}

/// `req_method` is the method of the request this answers (HEAD and CONNECT change framing).
pub fn parse_response(buf: &[u8], req_method: &str) -> Result<Option<ParsedResponse>, H1Error> {
    parse_response_inner(buf, req_method).map_err(|e| H1Error::BadResponse(Box::new(e)))
}

fn parse_response_inner(buf: &[u8], req_method: &str) -> Result<Option<ParsedResponse>, H1Error> {
    let Some((start, end)) = find_head(buf)? else {
        return Ok(None);
    };
    let head = &buf[start..end];
    let (line, rest) = split_line(head).ok_or(H1Error::BadStartLine)?;
    let (version, status, reason) = parse_status_line(line)?;
    let raw_headers = parse_headers(rest)?;
    let resp = ResponseHead {
        version,
        status,
        reason: String::from_utf8_lossy(reason).into_owned(),
        headers: HeaderList(raw_headers),
    };
    finish_response_inner(resp, end, req_method).map(Some)
}

/// The checks and framing of a response head once its lines are read (what
/// [`parse_response`] does after the syntax): the HTTP/2 gateway takes the head the
/// session would write through the same rules. `head_len`: bytes of input it took.
pub fn finish_response(
    resp: ResponseHead,
    head_len: usize,
    req_method: &str,
) -> Result<ParsedResponse, H1Error> {
    finish_response_inner(resp, head_len, req_method).map_err(|e| H1Error::BadResponse(Box::new(e)))
}

fn finish_response_inner(
    mut resp: ResponseHead,
    head_len: usize,
    req_method: &str,
) -> Result<ParsedResponse, H1Error> {
    let (version, status) = (resp.version, resp.status);
    let info = analyse(&mut resp.headers, version)?;
    if info.te_present && (!info.chunked || info.te_other) {
        return Err(H1Error::BadTransferEncoding);
    }
    if htx_cost(resp.reason.len() + 3 + 8, &resp.headers) > HTX_BUDGET {
        return Err(H1Error::HeadTooLarge);
    }
    let informational = (100..200).contains(&status) && status != 101;
    let connect_ok = req_method.eq_ignore_ascii_case("CONNECT") && (200..300).contains(&status);
    let mut keep_alive = wants_keep_alive(version, &info)
        && !(info.chunked && info.had_cl)
        && !(info.te_present && version == Version::Http10);
    let body = if status == 101 || connect_ok {
        keep_alive = false;
        BodyKind::UntilClose
    } else if informational || status < 100 {
        resp.headers.remove("content-length");
        BodyKind::None
    } else if status == 204 {
        // never a body; the content-length stays in the message: HAProxy's HTTP/1 output
        // drops it (`prepare_response_for_client`), its h2 output keeps it (measured)
        BodyKind::None
    } else if status == 304 || req_method.eq_ignore_ascii_case("HEAD") {
        BodyKind::None
    } else if info.chunked {
        BodyKind::Chunked
    } else if let Some(n) = info.content_length {
        BodyKind::Length(n)
    } else {
        keep_alive = false;
        BodyKind::UntilClose
    };
    Ok(ParsedResponse {
        head: resp,
        head_len,
        body,
        keep_alive,
        informational,
    })
}

/// The request head as HAProxy emits it towards the server: `METHOD SP URI SP VERSION`,
/// lowercased header names, `name: value`.
pub fn write_request_head(head: &RequestHead, out: &mut Vec<u8>) {
    out.reserve(head.method.len() + head.uri.len() + 16 + head_size(&head.headers));
    out.extend_from_slice(head.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(head.uri.as_bytes());
    out.push(b' ');
    out.extend_from_slice(head.version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    write_headers(&head.headers, out);
}

/// The response head as HAProxy emits it towards the client. The reason is written even
/// when empty (`HTTP/1.1 200 \r\n`, as HAProxy does).
pub fn write_response_head(head: &ResponseHead, out: &mut Vec<u8>) {
    out.reserve(head.reason.len() + 16 + head_size(&head.headers));
    out.extend_from_slice(head.version.as_str().as_bytes());
    out.push(b' ');
    let mut n = [0u8; 5];
    out.extend_from_slice(fmt_u16(head.status, &mut n));
    out.push(b' ');
    out.extend_from_slice(head.reason.as_bytes());
    out.extend_from_slice(b"\r\n");
    write_headers(&head.headers, out);
}

/// The length of [`write_response_head`]'s text for `head`, without writing it.
pub fn response_head_len(head: &ResponseHead) -> usize {
    let mut n = [0u8; 5];
    head.version.as_str().len()
        + 1
        + fmt_u16(head.status, &mut n).len()
        + 1
        + head.reason.len()
        + 2
        + head_size(&head.headers)
}

/// Never panics, whatever the input (fuzzing entry point).
pub fn fuzz_parse(data: &[u8]) {
    if let Ok(Some(r)) = parse_request(data) {
        let mut out = Vec::new();
        write_request_head(&r.head, &mut out);
        let mut t = BodyTracker::new(r.body);
        let _ = t.advance(&data[r.head_len..]);
    }
    for m in ["GET", "HEAD", "CONNECT"] {
        if let Ok(Some(r)) = parse_response(data, m) {
            let mut out = Vec::new();
            write_response_head(&r.head, &mut out);
            let _ = BodyTracker::new(r.body).advance(&data[r.head_len..]);
        }
    }
    let mut t = BodyTracker::new(BodyKind::Chunked);
    let mut out = Vec::new();
    let mut pos = 0;
    // uneven splits exercise every state transition
    while pos < data.len() {
        let step = (data[pos] as usize % 7) + 1;
        let end = (pos + step).min(data.len());
        match t.advance_rechunk(&data[pos..end], &mut out) {
            Ok(p) if p.done => break,
            Ok(p) => pos += p.consumed.max(1),
            Err(_) => break,
        }
    }
}

// ---------------------------------------------------------------------------------------

fn ascii(b: &[u8]) -> String {
    // the request line parser only lets printable ASCII through
    std::str::from_utf8(b).map_or_else(|_| String::from_utf8_lossy(b).into_owned(), str::to_owned)
}

fn head_size(h: &HeaderList) -> usize {
    h.iter()
        .map(|h| h.name.len() + h.value.len() + 4)
        .sum::<usize>()
        + 2
}

fn write_headers(h: &HeaderList, out: &mut Vec<u8>) {
    for h in h.iter() {
        // copied, then lowercased in place: a slice copy and a vectorised pass instead
        // of a push per byte
        let start = out.len();
        out.extend_from_slice(h.name.as_bytes());
        if let Some(name) = out.get_mut(start..) {
            name.make_ascii_lowercase();
        }
        out.extend_from_slice(b": ");
        out.extend_from_slice(&h.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

fn fmt_u16(v: u16, buf: &mut [u8; 5]) -> &[u8] {
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

fn htx_cost(start_line_payload: usize, h: &HeaderList) -> usize {
    8 + start_line_payload
        + h.iter()
            .map(|h| 8 + h.name.len() + h.value.len())
            .sum::<usize>()
        + 8
}

/// HAProxy's `HTTP_IS_TOKEN`: RFC 7230 tchar.
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// Lookup table: the parser tests every byte of methods and header names.
static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = matches!(b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
            | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        i += 1;
    }
    t
};

fn is_lws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Finds the head: skips leading empty lines (HAProxy tolerates them), returns the start of
/// the start line and the end of the head (after the empty line).
fn find_head(buf: &[u8]) -> Result<Option<(usize, usize)>, H1Error> {
    let mut start = 0;
    while start < buf.len() {
        match buf[start] {
            b'\n' => start += 1,
            b'\r' => match buf.get(start + 1) {
                Some(b'\n') => start += 2,
                Some(_) => return Err(H1Error::BadStartLine),
                None => break,
            },
            _ => break,
        }
    }
    let mut i = start;
    while let Some(off) = memchr::memchr(b'\n', &buf[i..]) {
        let nl = i + off;
        match buf.get(nl + 1) {
            Some(b'\n') => return Ok(Some((start, nl + 2))),
            Some(b'\r') => match buf.get(nl + 2) {
                Some(b'\n') => return Ok(Some((start, nl + 3))),
                Some(_) => return Err(H1Error::BadHeader),
                None => break,
            },
            Some(_) => i = nl + 1,
            None => break,
        }
    }
    if buf.len() - start >= RAW_LIMIT {
        return Err(H1Error::HeadTooLarge);
    }
    Ok(None)
}

/// Splits off the first line (without CRLF/LF). A CR not followed by LF is an error.
fn split_line(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let nl = memchr::memchr(b'\n', b)?;
    let line = &b[..nl];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if memchr::memchr(b'\r', line).is_some() {
        return None;
    }
    Some((line, &b[nl + 1..]))
}

fn parse_version(v: &[u8]) -> Result<Version, H1Error> {
    // measured: exactly `HTTP/d.d`; >= 1.1 is carried (and written) as 1.1
    match v {
        [
            b'H',
            b'T',
            b'T',
            b'P',
            b'/',
            maj @ b'0'..=b'9',
            b'.',
            min @ b'0'..=b'9',
        ] => {
            if *maj > b'1' || (*maj == b'1' && *min >= b'1') {
                Ok(Version::Http11)
            } else {
                Ok(Version::Http10)
            }
        }
        _ => Err(H1Error::BadVersion),
    }
}

fn parse_request_line(line: &[u8]) -> Result<(&[u8], &[u8], Version), H1Error> {
    let mlen = line
        .iter()
        .position(|&b| !is_tchar(b))
        .unwrap_or(line.len());
    if mlen == 0 {
        return Err(H1Error::BadStartLine);
    }
    let method = &line[..mlen];
    let mut p = mlen;
    if p == line.len() {
        return Err(H1Error::Http09);
    }
    if !is_lws(line[p]) {
        return Err(H1Error::BadStartLine);
    }
    while p < line.len() && is_lws(line[p]) {
        p += 1;
    }
    let ustart = p;
    // measured: printable ASCII only; `#` (fragment) is refused too
    while p < line.len() && (33..=126).contains(&line[p]) {
        if line[p] == b'#' {
            return Err(H1Error::BadStartLine);
        }
        p += 1;
    }
    let uri = &line[ustart..p];
    if p == line.len() {
        return Err(H1Error::Http09);
    }
    if !is_lws(line[p]) || uri.is_empty() {
        return Err(H1Error::BadStartLine);
    }
    while p < line.len() && is_lws(line[p]) {
        p += 1;
    }
    if p == line.len() {
        return Err(H1Error::Http09);
    }
    let version = parse_version(&line[p..])?;
    Ok((method, uri, version))
}

fn parse_status_line(line: &[u8]) -> Result<(Version, u16, &[u8]), H1Error> {
    let sp = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or(H1Error::BadStartLine)?;
    let version = parse_version(&line[..sp])?;
    let mut p = sp;
    while p < line.len() && line[p] == b' ' {
        p += 1;
    }
    let dstart = p;
    let mut status: u32 = 0;
    while p < line.len() && line[p].is_ascii_digit() {
        status = status * 10 + u32::from(line[p] - b'0');
        if status > u32::from(u16::MAX) {
            return Err(H1Error::BadStartLine);
        }
        p += 1;
    }
    if p == dstart {
        return Err(H1Error::BadStartLine);
    }
    let reason = match line.get(p) {
        None => &line[p..],
        // measured: `299  x ` is written `299 x `: blanks before the reason are skipped
        Some(b' ') => {
            let skip = line[p..].iter().take_while(|&&b| b == b' ').count();
            &line[p + skip..]
        }
        Some(_) => return Err(H1Error::BadStartLine),
    };
    Ok((version, status as u16, reason))
}

/// Header lines (after the start line, up to and including the empty line).
fn parse_headers(mut rest: &[u8]) -> Result<Vec<Header>, H1Error> {
    let mut out: Vec<Header> = Vec::with_capacity(16);
    // length of the previous line's end (CRLF or LF): a fold turns it into spaces
    let mut prev_eol = 0;
    loop {
        // let-else, not `ok_or`: an eagerly built error is dropped on every line
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            return Err(H1Error::BadHeader);
        };
        let full = &rest[..nl];
        let line = full.strip_suffix(b"\r").unwrap_or(full);
        let eol_len = std::mem::replace(&mut prev_eol, nl + 1 - line.len());
        rest = &rest[nl + 1..];
        if line.is_empty() {
            return Ok(out);
        }
        if memchr::memchr(b'\r', line).is_some() {
            return Err(H1Error::BadHeader);
        }
        if is_lws(line[0]) {
            // obs-fold: HAProxy turns the CR/LF of the fold into spaces
            let Some(prev) = out.last_mut() else {
                return Err(H1Error::BadHeader);
            };
            prev.value.extend(std::iter::repeat_n(b' ', eol_len));
            prev.value.extend_from_slice(line);
            trim_end(&mut prev.value);
            continue;
        }
        let colon = line
            .iter()
            .position(|&b| !is_tchar(b))
            .unwrap_or(line.len());
        if colon == 0 || line.get(colon) != Some(&b':') {
            return Err(H1Error::BadHeader);
        }
        if out.len() >= MAX_HEADERS {
            return Err(H1Error::TooManyHeaders);
        }
        let mut v = &line[colon + 1..];
        while let [first, tail @ ..] = v {
            if !is_lws(*first) {
                break;
            }
            v = tail;
        }
        while let [head @ .., last] = v {
            if !is_lws(*last) {
                break;
            }
            v = head;
        }
        // the name is ASCII (tchar), so this never falls back
        let name =
            std::str::from_utf8(&line[..colon]).map_or_else(|_| String::new(), str::to_owned);
        out.push(Header {
            name,
            value: v.to_vec(),
        });
    }
}

fn trim_end(v: &mut Vec<u8>) {
    while v.last().is_some_and(|&b| is_lws(b)) {
        v.pop();
    }
}

/// Comma-separated tokens of a header value, trimmed (empty ones included).
pub(crate) fn tokens(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| b == b',').map(|t| {
        let s = t.iter().position(|&b| !is_lws(b)).unwrap_or(t.len());
        let e = t.iter().rposition(|&b| !is_lws(b)).map_or(s, |e| e + 1);
        &t[s..e.max(s)]
    })
}

#[derive(Default)]
struct Framing {
    content_length: Option<u64>,
    had_cl: bool,
    te_present: bool,
    chunked: bool,
    te_other: bool,
    conn_close: bool,
    conn_ka: bool,
    conn_upgrade: bool,
    /// A `connection` header is left empty (removed at the end).
    conn_emptied: bool,
}

fn wants_keep_alive(v: Version, f: &Framing) -> bool {
    match v {
        Version::Http11 => !f.conn_close,
        Version::Http10 => f.conn_ka && !f.conn_close,
    }
}

/// `name` is `lower` in any case; names are nearly always lowercase already, and a
/// slice compare is cheaper than a case-folding one.
fn name_is(name: &str, lower: &str) -> bool {
    name == lower || name.eq_ignore_ascii_case(lower)
}

/// Content-Length, Transfer-Encoding and Connection analysis, rewriting the headers the way
/// HAProxy's H1 parser does.
fn analyse(h: &mut HeaderList, _v: Version) -> Result<Framing, H1Error> {
    let mut f = Framing::default();
    let mut first_cl: Option<usize> = None;
    let mut drop_cl = false;
    for (i, hd) in h.0.iter_mut().enumerate() {
        // the three names differ in length: one compare picks the candidate
        if !matches!(hd.name.len(), 10 | 14 | 17) {
            continue;
        }
        if name_is(&hd.name, "content-length") {
            let (n, word) = parse_cl(&hd.value)?;
            let word = word.map(|w| hd.value.get(w).unwrap_or_default().to_vec());
            if f.content_length.is_some_and(|c| c != n) {
                return Err(H1Error::BadContentLength);
            }
            f.content_length = Some(n);
            f.had_cl = true;
            if first_cl.is_none() {
                first_cl = Some(i);
                if let Some(w) = word {
                    hd.value = w;
                }
            } else {
                drop_cl = true;
            }
        } else if name_is(&hd.name, "transfer-encoding") {
            f.te_present = true;
            for t in tokens(&hd.value) {
                if t.is_empty() {
                    continue;
                }
                if f.chunked {
                    // chunked not last, or applied twice
                    return Err(H1Error::BadTransferEncoding);
                }
                if t.eq_ignore_ascii_case(b"chunked") {
                    f.chunked = true;
                } else {
                    f.te_other = true;
                }
            }
        } else if name_is(&hd.name, "connection") {
            clean_connection(hd, &mut f);
            f.conn_emptied |= hd.value.is_empty();
        }
    }
    if f.te_present {
        if f.had_cl {
            h.remove("content-length");
        }
        f.content_length = None;
    } else if drop_cl && let Some(first) = first_cl {
        let mut idx = 0;
        h.0.retain(|hd| {
            let keep = idx == first || !hd.name.eq_ignore_ascii_case("content-length");
            idx += 1;
            keep
        });
    }
    if f.conn_emptied {
        h.0.retain(|hd| !(hd.name.eq_ignore_ascii_case("connection") && hd.value.is_empty()));
    }
    Ok(f)
}

/// HAProxy's `h1_parse_cont_len_header`: comma-separated digits, all equal; the cleaned
/// value (the last word, leading zeros kept) replaces the header. The word's range in
/// `v`, `None` when it is `v` whole (nothing to replace: no copy per message).
fn parse_cl(v: &[u8]) -> Result<(u64, Option<std::ops::Range<usize>>), H1Error> {
    let mut val: Option<u64> = None;
    let mut word: &[u8] = b"";
    for t in tokens(v) {
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return Err(H1Error::BadContentLength);
        }
        let mut n: u64 = 0;
        for &d in t {
            let Some(next) = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
            else {
                return Err(H1Error::BadContentLength);
            };
            n = next;
        }
        if val.is_some_and(|x| x != n) {
            return Err(H1Error::BadContentLength);
        }
        val = Some(n);
        word = t;
    }
    let Some(n) = val else {
        return Err(H1Error::BadContentLength);
    };
    if word.len() == v.len() {
        return Ok((n, None));
    }
    // `word` is a sub-slice of `v`
    let start = (word.as_ptr() as usize).saturating_sub(v.as_ptr() as usize);
    Ok((n, Some(start..start + word.len())))
}

/// HAProxy's `h1_parse_connection_header` with H1_MF_CLEAN_CONN_HDR: notes close /
/// keep-alive / upgrade and removes the first two from the value.
fn clean_connection(hd: &mut Header, f: &mut Framing) {
    let v = &hd.value;
    let mut out: Vec<u8> = Vec::new();
    // while every token so far was kept, the original bytes are kept as they are
    let mut contiguous = true;
    let mut pos = 0;
    for part in v.split(|&b| b == b',') {
        let part_end = pos + part.len();
        let s = part.iter().position(|&b| !is_lws(b));
        let Some(s) = s else {
            pos = part_end + 1;
            continue;
        };
        let e = part.iter().rposition(|&b| !is_lws(b)).map_or(s, |e| e + 1);
        let word = &part[s..e];
        let drop = if word.eq_ignore_ascii_case(b"keep-alive") {
            f.conn_ka = true;
            true
        } else if word.eq_ignore_ascii_case(b"close") {
            f.conn_close = true;
            true
        } else {
            if word.eq_ignore_ascii_case(b"upgrade") {
                f.conn_upgrade = true;
            }
            false
        };
        if drop {
            contiguous = false;
        } else if contiguous {
            out.clear();
            out.extend_from_slice(&v[..part_end]);
        } else {
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(word);
        }
        pos = part_end + 1;
    }
    hd.value = out;
}

/// Host header rules: identical duplicates merged, an absolute URI's authority must match,
/// default ports removed (scheme-based normalisation).
fn check_host(req: &mut RequestHead) -> Result<(), H1Error> {
    let mut first: Option<usize> = None;
    let mut dup = false;
    for (i, h) in req.headers.iter().enumerate() {
        if h.name.eq_ignore_ascii_case("host") {
            match first {
                None => first = Some(i),
                Some(f) => {
                    if !req.headers.0[f].value.eq_ignore_ascii_case(&h.value) {
                        return Err(H1Error::BadHost);
                    }
                    dup = true;
                }
            }
        }
    }
    if dup && let Some(f) = first {
        let mut idx = 0;
        req.headers.0.retain(|h| {
            let keep = idx == f || !h.name.eq_ignore_ascii_case("host");
            idx += 1;
            keep
        });
    }
    let is_connect = req.method.eq_ignore_ascii_case("CONNECT");
    let (scheme, auth_range) = if is_connect {
        (None, Some((0, req.uri.len())))
    } else {
        match split_absolute(&req.uri) {
            Some((scheme, a, b)) => (Some(scheme), Some((a, b))),
            None => (None, None),
        }
    };
    let Some((a, b)) = auth_range else {
        return Ok(());
    };
    let authority = req.uri[a..b].to_string();
    let host_idx = req
        .headers
        .iter()
        .position(|h| h.name.eq_ignore_ascii_case("host"));
    if is_connect {
        connect_authority(
            &authority,
            host_idx.map(|hi| req.headers.0[hi].value.as_slice()),
        )?;
    } else if let Some(hi) = host_idx {
        let host = &req.headers.0[hi].value;
        let auth_host = authority
            .rsplit_once('@')
            .map_or(authority.as_str(), |x| x.1);
        if !strip_default_port(auth_host.as_bytes(), None)
            .eq_ignore_ascii_case(strip_default_port(host, None))
        {
            return Err(H1Error::BadHost);
        }
    }
    // measured: `http://a:80/x` -> `http://a/x`, `https://a:443/` with Host `a:443` -> both
    // stripped, CONNECT keeps its URI but its Host loses a port 80/443
    let scheme_port = scheme.and_then(|s: String| {
        if s.eq_ignore_ascii_case("http") {
            Some("80")
        } else if s.eq_ignore_ascii_case("https") {
            Some("443")
        } else {
            None
        }
    });
    if is_connect {
        // measured (reg-test h1_host_normalization): `Host: h:` (empty port) stays as is
        if let Some(hi) = host_idx
            && !req.headers.0[hi].value.ends_with(b":")
        {
            let v = strip_default_port(&req.headers.0[hi].value, None).to_vec();
            req.headers.0[hi].value = v;
        }
        return Ok(());
    }
    if let Some(port) = scheme_port
        && let Some((h, p)) = authority.rsplit_once(':')
        && (p.is_empty() || p == port)
    {
        let new_auth = h.to_string();
        req.uri.replace_range(a..b, &new_auth);
        // measured: Host then takes the normalised authority (`Host: H` -> `host: h`)
        if let Some(hi) = host_idx {
            let host = new_auth.rsplit_once('@').map_or(new_auth.as_str(), |x| x.1);
            req.headers.0[hi].value = host.as_bytes().to_vec();
        }
    }
    Ok(())
}

/// A CONNECT target is `host:port` with a port, and a `Host` header names the same host
/// and port, or the host alone when the port is 80 or 443 (measured on 2.6.12, reg-test
/// h1_host_normalization: `CONNECT hostname`, `hostname:`, `/` are 400; `hostname:80` with
/// `Host: hostname:443`, `hostname:8080` with `Host: hostname` are 400).
fn connect_authority(authority: &str, host: Option<&[u8]>) -> Result<(), H1Error> {
    let (h, p) = authority.rsplit_once(':').ok_or(H1Error::BadHost)?;
    if h.is_empty() || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(H1Error::BadHost);
    }
    let Some(host) = host else {
        return Ok(());
    };
    // the port separator: the last ':' not inside an IPv6 literal
    let sep = host
        .iter()
        .rposition(|&b| b == b':')
        .filter(|&c| !host[c..].contains(&b']'));
    let same = match sep {
        Some(c) if c + 1 < host.len() => host.eq_ignore_ascii_case(authority.as_bytes()),
        Some(c) => host[..c].eq_ignore_ascii_case(h.as_bytes()) && matches!(p, "80" | "443"),
        None => host.eq_ignore_ascii_case(h.as_bytes()) && matches!(p, "80" | "443"),
    };
    if same { Ok(()) } else { Err(H1Error::BadHost) }
}

/// `scheme://authority/...`: the scheme and the authority's byte range.
fn split_absolute(uri: &str) -> Option<(String, usize, usize)> {
    // origin form (nearly every request): no scheme, and no substring search for one
    if uri.starts_with('/') {
        return None;
    }
    let i = uri.find("://")?;
    let scheme = &uri[..i];
    let mut cs = scheme.bytes();
    if !cs.next()?.is_ascii_alphabetic()
        || !cs.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let a = i + 3;
    let b = uri[a..].find('/').map_or(uri.len(), |j| a + j);
    Some((scheme.to_string(), a, b))
}

/// Removes `:port` when it is empty or a default port (80/443 when `port` is None).
fn strip_default_port<'a>(h: &'a [u8], port: Option<&str>) -> &'a [u8] {
    let Some(c) = h.iter().rposition(|&b| b == b':') else {
        return h;
    };
    let p = &h[c + 1..];
    if !p.iter().all(u8::is_ascii_digit) || h[..c].ends_with(b":") {
        return h;
    }
    let default = match port {
        Some(d) => p.is_empty() || p == d.as_bytes(),
        None => p.is_empty() || p == b"80" || p == b"443",
    };
    if default { &h[..c] } else { h }
}
