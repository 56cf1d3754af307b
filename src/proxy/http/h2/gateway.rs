//! One HTTP/2 stream carried through the HTTP/1.1 session: the request is handed to the
//! session as an HTTP/1.1 message on a [`StreamIo`] that the session serves exactly as a
//! client connection (rules, routing, balancing, error pages, logs); the HTTP/1.1
//! response it writes there is mapped to HTTP/2 frame by frame.
//!
//! Request mapping, as HAProxy 2.6.12 does it (measured with an h2 client against
//! `haproxy -db` and an echo server):
//! - the request line is `METHOD path HTTP/1.1` (origin form; `CONNECT authority`);
//! - `:authority` becomes the first header, `host`, with the scheme's default port removed
//!   (`a.example:80` -> `a.example` for http, `:443` for https); a `host` header the client
//!   also sent is then dropped; without `:authority` the `host` header stays as it is;
//! - several `cookie` headers are merged into one (`a=1; b=2`), placed after the others;
//! - a body without `content-length` is sent chunked (`transfer-encoding: chunked` added),
//!   a request whose HEADERS frame ends the stream gets neither.
//!
//! Response mapping: status, header names lowercase, the connection-specific headers
//! (`connection`, `keep-alive`, `proxy-connection`, `transfer-encoding`, `upgrade`)
//! dropped, `content-length` kept, a chunked body becomes DATA frames and its trailers an
//! HTTP/2 trailers HEADERS frame. 1xx interim responses (100-continue, 103) are sent as
//! interim HEADERS.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use h2::RecvStream;
use h2::server::SendResponse;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};

use super::stream_io::{StreamIo, StreamLink};
use crate::proxy::engine::{Engine, Frontend};
use crate::proxy::http::h1;
use crate::proxy::http::msg::{Header, HeaderList, RequestHead, ResponseHead, Version};
use crate::proxy::http::{ClientConn, session};
use crate::proxy::tls::TlsInfo;

/// What every stream of one client connection shares.
#[derive(Debug)]
pub struct ConnInfo {
    pub client: SocketAddr,
    pub local: SocketAddr,
    pub tls: Option<Arc<TlsInfo>>,
    pub fe: Arc<Frontend>,
    pub engine: Arc<Engine>,
    /// The frontend's name as every stream's transaction holds it.
    pub fe_name: Arc<str>,
    /// Server read buffers the connection's finished streams left (HAProxy takes its
    /// buffers from pools): a 16 KiB allocation and free per stream otherwise.
    pub spare: Mutex<Vec<BytesMut>>,
    /// A stream's record counted the connection in the frontend's stats already.
    pub counted: std::sync::atomic::AtomicBool,
}

impl ConnInfo {
    /// Spare buffers kept per connection.
    const SPARE: usize = 4;
    /// Larger buffers (a big response grew them) go back to the allocator.
    const SPARE_CAP: usize = 32 * 1024;
}

/// What the session of one stream gets besides its client stream.
#[derive(Debug)]
pub struct StreamEntry {
    /// The request, decoded (`Err`: the status a malformed one is answered with): the
    /// session's first request, taken instead of parsing HTTP/1 bytes. Boxed: the
    /// session future stays small.
    pub request: Option<Box<Result<h1::ParsedRequest, u16>>>,
    /// The request head's size as HAProxy counts it in `%U` / `bin` ([`htx_size`]).
    pub head_size: u64,
    /// Where the session hands its final response head over decoded.
    pub link: StreamLink,
    /// The connection (its spare buffers).
    pub conn: Arc<ConnInfo>,
}

impl StreamEntry {
    /// A buffer for the session's server reads: a spare one of the connection (empty,
    /// its capacity kept), else a new one.
    pub fn take_buffer(&self) -> BytesMut {
        let mut spare = self.conn.spare.lock().unwrap_or_else(|p| p.into_inner());
        spare.pop().unwrap_or_default()
    }

    /// Gives the session's server buffer back for the connection's next streams.
    pub fn give_buffer(&self, mut buf: BytesMut) {
        buf.clear();
        if buf.capacity() == 0 || buf.capacity() > ConnInfo::SPARE_CAP {
            return;
        }
        let mut spare = self.conn.spare.lock().unwrap_or_else(|p| p.into_inner());
        if spare.len() < ConnInfo::SPARE {
            spare.push(buf);
        }
    }
}

/// How a stream ended (the connection counts client resets for rapid-reset protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The response was sent completely.
    Done,
    /// The client reset the stream before the response was complete.
    ClientReset,
    /// The session gave no usable response, or the connection failed.
    Failed,
}

/// `:authority` without the scheme's default port (`a.example:80` -> `a.example` for
/// http, `:443` for https), as HAProxy's `host` header and URI carry it.
fn authority_of(parts: &http::request::Parts) -> Option<&str> {
    parts.uri.authority().map(|a| {
        let a = a.as_str();
        let default = match parts.uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => Some(":80"),
            Some(s) if s.eq_ignore_ascii_case("https") => Some(":443"),
            _ => None,
        };
        default.and_then(|d| a.strip_suffix(d)).unwrap_or(a)
    })
}

/// The HTTP/1.1 head the session receives for an HTTP/2 request, and whether the body is
/// sent chunked.
pub fn encode_request(parts: &http::request::Parts, end_stream: bool, out: &mut Vec<u8>) -> bool {
    let method = parts.method.as_str();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    let is_connect = parts.method == http::Method::CONNECT;
    match (
        is_connect,
        parts.uri.authority(),
        parts.uri.path_and_query(),
    ) {
        (true, Some(a), _) => out.extend_from_slice(a.as_str().as_bytes()),
        (_, _, Some(pq)) => out.extend_from_slice(pq.as_str().as_bytes()),
        _ => out.push(b'/'),
    }
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let authority = authority_of(parts);
    if let Some(a) = authority {
        out.extend_from_slice(b"host: ");
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let mut cookies: Vec<&[u8]> = Vec::new();
    let mut has_length = false;
    for (name, value) in &parts.headers {
        if name == http::header::COOKIE {
            cookies.push(value.as_bytes());
            continue;
        }
        if name == http::header::HOST && authority.is_some() {
            continue;
        }
        has_length |= name == http::header::CONTENT_LENGTH;
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !cookies.is_empty() {
        out.extend_from_slice(b"cookie: ");
        out.extend_from_slice(&cookies.join(&b"; "[..]));
        out.extend_from_slice(b"\r\n");
    }
    let chunked = !end_stream && !has_length;
    if chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"\r\n");
    chunked
}

/// The request the session's HTTP/1 parser reads from [`encode_request`]'s bytes, built
/// directly from the decoded fields (no HTTP/1 text in between): the same header list
/// (`host` first, cookies merged last, `transfer-encoding: chunked` for a body without
/// length), values trimmed as the parser trims them, the request line's and the header
/// count's limits, then the parser's own checks and framing ([`h1::finish_request`]).
/// `Err`: the status the session answers (as for an unparsable HTTP/1 head).
pub fn parsed_request(
    parts: &http::request::Parts,
    end_stream: bool,
) -> Result<h1::ParsedRequest, u16> {
    let bad = h1::H1Error::BadStartLine.status();
    let method = parts.method.as_str();
    let is_connect = parts.method == http::Method::CONNECT;
    let uri = match (
        is_connect,
        parts.uri.authority(),
        parts.uri.path_and_query(),
    ) {
        (true, Some(a), _) => a.as_str(),
        (_, _, Some(pq)) => pq.as_str(),
        _ => "/",
    };
    // the request line parser: a token method, a target of printable ASCII without `#`
    if method.is_empty() || !method.bytes().all(h1::is_tchar) {
        return Err(bad);
    }
    if uri.is_empty() || !uri.bytes().all(|b| (33..=126).contains(&b) && b != b'#') {
        return Err(bad);
    }
    let authority = authority_of(parts);
    let mut headers = Vec::with_capacity(parts.headers.len() + 2);
    if let Some(a) = authority {
        headers.push(Header::new("host", a.as_bytes()));
    }
    let mut cookie: Option<Vec<u8>> = None;
    let mut has_length = false;
    for (name, value) in &parts.headers {
        if name == http::header::COOKIE {
            let c = cookie.get_or_insert_with(Vec::new);
            if !c.is_empty() {
                c.extend_from_slice(b"; ");
            }
            c.extend_from_slice(value.as_bytes());
            continue;
        }
        if name == http::header::HOST && authority.is_some() {
            continue;
        }
        has_length |= name == http::header::CONTENT_LENGTH;
        headers.push(Header::new(name.as_str(), trim_lws(value.as_bytes())));
    }
    if let Some(c) = cookie {
        headers.push(Header::new("cookie", trim_lws(&c)));
    }
    if !end_stream && !has_length {
        headers.push(Header::new("transfer-encoding", "chunked"));
    }
    if headers.len() > h1::MAX_HEADERS {
        return Err(h1::H1Error::TooManyHeaders.status());
    }
    let head = RequestHead {
        method: method.to_owned(),
        uri: uri.to_owned(),
        version: Version::Http11,
        headers: HeaderList(headers),
    };
    h1::finish_request(head, 0).map_err(|e| e.status())
}

/// The size of the request head in HAProxy 2.6's message (HTX), which its `%U` and `bin`
/// count for an HTTP/2 request: method, URI and `HTTP/2.0`, 21 bytes of start line, then
/// each header's name and value. The URI is absolute (`scheme://authority/path`) when
/// `:authority` came, the authority (its default port removed) is the `host` header then,
/// and cookies are one header joined with `; `. Measured: 105 for h2load 1.52's GET
/// (`:authority 127.0.0.1:PORT`, `user-agent: h2load nghttp2/1.52.0`).
pub fn htx_size(parts: &http::request::Parts) -> u64 {
    let authority = authority_of(parts);
    let path = parts.uri.path_and_query().map_or(1, |p| p.as_str().len());
    let is_connect = parts.method == http::Method::CONNECT;
    let uri = match (authority, parts.uri.scheme_str()) {
        (Some(a), _) if is_connect => a.len(),
        (Some(a), Some(s)) => s.len() + 3 + a.len() + path,
        _ => path,
    };
    let mut n = parts.method.as_str().len() + uri + 8 + 21;
    if let Some(a) = authority {
        n += 4 + a.len();
    }
    let mut cookies = 0usize;
    for (name, value) in &parts.headers {
        if name == http::header::COOKIE {
            n += value.len() + if cookies == 0 { 6 } else { 2 };
            cookies += 1;
            continue;
        }
        if name == http::header::HOST && authority.is_some() {
            continue;
        }
        n += name.as_str().len() + value.len();
    }
    n as u64
}

/// A header value without the blanks around it (the HTTP/1 parser trims them).
fn trim_lws(v: &[u8]) -> &[u8] {
    let lws = |b: &u8| *b == b' ' || *b == b'\t';
    let start = v.iter().position(|b| !lws(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !lws(b)).map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or_default()
}

/// Whether a response header is specific to the HTTP/1.1 connection (not sent in h2).
pub(super) fn connection_specific(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// The HTTP/2 response for the session's HTTP/1.1 response head (a borrowed one: the
/// interim 1xx heads, rare enough for a copy).
pub fn map_response(head: &ResponseHead) -> Response<()> {
    into_response(head.clone())
}

/// [`map_response`] for a head the stream owns: the values move into the h2 header map
/// instead of being copied (an allocation and a copy per header).
pub fn into_response(head: ResponseHead) -> Response<()> {
    let mut res = Response::new(());
    *res.status_mut() = StatusCode::from_u16(head.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let h = res.headers_mut();
    h.reserve(head.headers.len());
    for hd in head.headers.0 {
        if connection_specific(&hd.name) {
            continue;
        }
        // a name or value HTTP/2 cannot carry is dropped rather than failing the stream
        let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(hd.name.as_bytes()),
            HeaderValue::from_maybe_shared(Bytes::from(hd.value)),
        ) else {
            continue;
        };
        if n == http::header::TE {
            continue;
        }
        h.append(n, v);
    }
    res
}

/// Serves one stream to its end: the session runs on a [`StreamIo`] that turns its reads
/// and writes into the stream's frames. Returns what makes the session's future and the
/// link that says how the stream ended once it is done.
///
/// Not an `async fn`: the request is decoded before the future is made, so the future
/// (placed in a reused slot per stream) holds the session's and nothing of the
/// request's head, and the head's allocations are freed at once. The future (some KiB)
/// is made where it is placed: returned by value, it was copied three times.
pub fn serve_stream(
    req: Request<RecvStream>,
    respond: SendResponse<Bytes>,
    conn: Arc<ConnInfo>,
) -> (StreamStart, StreamLink) {
    let (parts, body) = req.into_parts();
    let end_stream = body.is_end_stream();
    // the session gets the head decoded; only the body goes through the stream's bytes
    // (chunk-framed when the request has no content-length, as `encode_request` says)
    let request = parsed_request(&parts, end_stream);
    let head_size = htx_size(&parts);
    let chunked = !end_stream && !parts.headers.contains_key(http::header::CONTENT_LENGTH);
    let link = StreamLink::default();
    let io = StreamIo::new(body, chunked, parts.method, respond, link.clone());
    let mut cc = ClientConn::for_h2_stream(conn.client, conn.local, conn.tls.clone());
    let (fe, engine) = (conn.fe.clone(), conn.engine.clone());
    cc.h2 = Some(StreamEntry {
        request: Some(Box::new(request)),
        head_size,
        link: link.clone(),
        conn,
    });
    (StreamStart { io, cc, fe, engine }, link)
}

/// What a stream's session starts from ([`serve_stream`]).
pub struct StreamStart {
    io: StreamIo,
    cc: ClientConn,
    fe: Arc<Frontend>,
    engine: Arc<Engine>,
}

impl StreamStart {
    /// The session's future, to be placed where it will run.
    #[inline(always)]
    pub fn future(self) -> impl std::future::Future<Output = ()> + Send + 'static {
        session::serve_with(self.io, self.cc, self.fe, self.engine)
    }
}
