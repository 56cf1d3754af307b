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
use std::sync::Arc;

use bytes::Bytes;
use h2::RecvStream;
use h2::server::SendResponse;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};

use super::stream_io::{OutcomeCell, StreamIo};
use crate::proxy::engine::{Engine, Frontend};
use crate::proxy::http::msg::ResponseHead;
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
    let authority = parts.uri.authority().map(|a| {
        let a = a.as_str();
        let default = match parts.uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => Some(":80"),
            Some(s) if s.eq_ignore_ascii_case("https") => Some(":443"),
            _ => None,
        };
        default.and_then(|d| a.strip_suffix(d)).unwrap_or(a)
    });
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

/// The HTTP/2 response for the session's HTTP/1.1 response head.
pub fn map_response(head: &ResponseHead) -> Response<()> {
    let mut res = Response::new(());
    *res.status_mut() = StatusCode::from_u16(head.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let h = res.headers_mut();
    for hd in head.headers.iter() {
        if connection_specific(&hd.name) {
            continue;
        }
        // a name or value HTTP/2 cannot carry is dropped rather than failing the stream
        let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(hd.name.as_bytes()),
            HeaderValue::from_bytes(&hd.value),
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
/// and writes into the stream's frames.
pub async fn serve_stream(
    req: Request<RecvStream>,
    respond: SendResponse<Bytes>,
    conn: Arc<ConnInfo>,
) -> Outcome {
    let (parts, body) = req.into_parts();
    let mut head = Vec::with_capacity(512);
    let chunked = encode_request(&parts, body.is_end_stream(), &mut head);
    let outcome = OutcomeCell::default();
    let io = StreamIo::new(head, body, chunked, parts.method, respond, outcome.clone());
    let cc = ClientConn::for_h2_stream(conn.client, conn.local, conn.tls.clone());
    session::serve_with(io, cc, conn.fe.clone(), conn.engine.clone()).await;
    outcome.get()
}
