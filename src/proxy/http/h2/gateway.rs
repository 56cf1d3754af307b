//! One HTTP/2 stream carried through the HTTP/1.1 session: the request is written as an
//! HTTP/1.1 message into an in-memory pipe whose other end the session serves exactly as
//! a client connection (rules, routing, balancing, error pages, logs); the HTTP/1.1
//! response it writes back is mapped to HTTP/2.
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

use bytes::{Buf, Bytes, BytesMut};
use h2::server::SendResponse;
use h2::{Reason, RecvStream, SendStream};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::chunked::{self, Dechunker, Piece};
use crate::proxy::engine::{Engine, Frontend};
use crate::proxy::http::h1::{self, BodyKind};
use crate::proxy::http::msg::ResponseHead;
use crate::proxy::http::{ClientConn, session};
use crate::proxy::tls::TlsInfo;

/// In-memory pipe size between the gateway and the session (per direction).
const PIPE_SIZE: usize = 64 * 1024;
/// Largest response head accepted back from the session (it enforces `tune.bufsize`).
const MAX_HEAD: usize = 64 * 1024;
/// Largest DATA frame payload handed to the h2 connection at once.
const MAX_DATA: usize = 16 * 1024;

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
fn connection_specific(name: &str) -> bool {
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

/// Serves one stream to its end.
pub async fn serve_stream(
    req: Request<RecvStream>,
    respond: SendResponse<Bytes>,
    conn: Arc<ConnInfo>,
) -> Outcome {
    let (parts, body) = req.into_parts();
    let mut head = Vec::with_capacity(512);
    let chunked = encode_request(&parts, body.is_end_stream(), &mut head);
    let (ours, theirs) = tokio::io::duplex(PIPE_SIZE);
    let cc = ClientConn::for_h2_stream(conn.client, conn.local, conn.tls.clone());
    let session = session::serve_with(theirs, cc, conn.fe.clone(), conn.engine.clone());
    let gateway = exchange(ours, head, body, chunked, respond, parts.method);
    let ((), outcome) = tokio::join!(session, gateway);
    outcome
}

/// Drives the pipe: request out, response back, both bodies streamed.
async fn exchange<P>(
    pipe: P,
    head: Vec<u8>,
    body: RecvStream,
    chunked: bool,
    respond: SendResponse<Bytes>,
    method: http::Method,
) -> Outcome
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let (mut rd, mut wr) = tokio::io::split(pipe);
    let upload = async {
        wr.write_all(&head).await.map_err(|_| Upload::PipeClosed)?;
        drop(head);
        send_body(&mut wr, body, chunked).await
    };
    let download = respond_from(&mut rd, respond, &method);
    tokio::pin!(upload);
    tokio::pin!(download);
    let mut uploading = true;
    loop {
        tokio::select! {
            r = &mut upload, if uploading => {
                uploading = false;
                if r == Err(Upload::ClientReset) {
                    // the client gave up on the stream: the session is left to end
                    // when the pipe closes
                    return Outcome::ClientReset;
                }
            }
            o = &mut download => return o,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Upload {
    /// The session stopped reading (it answered, or closed).
    PipeClosed,
    ClientReset,
}

/// Copies the request body into the pipe (chunked when it has no length), returning
/// flow-control credit to the client as the session takes the bytes.
async fn send_body<W: AsyncWrite + Unpin>(
    wr: &mut W,
    mut body: RecvStream,
    chunked: bool,
) -> Result<(), Upload> {
    let mut framed = Vec::new();
    while let Some(data) = body.data().await {
        let data = data.map_err(|_| Upload::ClientReset)?;
        let n = data.len();
        if chunked {
            if n == 0 {
                continue;
            }
            framed.clear();
            chunked::encode_chunk(&data, &mut framed);
            wr.write_all(&framed).await
        } else {
            wr.write_all(&data).await
        }
        .map_err(|_| Upload::PipeClosed)?;
        let _ = body.flow_control().release_capacity(n);
    }
    if chunked {
        let trailers = body.trailers().await.map_err(|_| Upload::ClientReset)?;
        framed.clear();
        chunked::encode_end(trailers.as_ref(), &mut framed);
        wr.write_all(&framed)
            .await
            .map_err(|_| Upload::PipeClosed)?;
    }
    Ok(())
}

/// Waits until the client resets the stream.
async fn client_reset(respond: &mut SendResponse<Bytes>) {
    let _ = std::future::poll_fn(|cx| respond.poll_reset(cx)).await;
}

/// Reads the session's response from the pipe and sends it on the stream.
async fn respond_from<R: AsyncRead + Unpin>(
    rd: &mut R,
    mut respond: SendResponse<Bytes>,
    method: &http::Method,
) -> Outcome {
    let mut buf = BytesMut::with_capacity(4096);
    let parsed = loop {
        match h1::parse_response(&buf, method.as_str()) {
            Ok(Some(r)) if r.informational => {
                // 100-continue (a client waiting to send its body) and 103 go out as
                // interim HEADERS; 101 has no meaning in HTTP/2
                buf.advance(r.head_len);
                if r.head.status != 101 {
                    let _ = respond.send_informational(map_response(&r.head));
                }
                continue;
            }
            Ok(Some(r)) => break r,
            Ok(None) if buf.len() < MAX_HEAD => {}
            Ok(None) | Err(_) => {
                respond.send_reset(Reason::INTERNAL_ERROR);
                return Outcome::Failed;
            }
        }
        let n = tokio::select! {
            r = rd.read_buf(&mut buf) => r.unwrap_or(0),
            _ = client_reset(&mut respond) => return Outcome::ClientReset,
        };
        if n == 0 {
            // the session closed without answering (`silent-drop`, `reject`, a client
            // abort seen by the session): the stream is refused, not answered
            respond.send_reset(Reason::CANCEL);
            return Outcome::Failed;
        }
    };
    buf.advance(parsed.head_len);
    let res = map_response(&parsed.head);
    let no_body = matches!(parsed.body, BodyKind::None | BodyKind::Length(0));
    let send = match respond.send_response(res, no_body) {
        Ok(s) => s,
        Err(_) => return Outcome::ClientReset,
    };
    if no_body {
        return Outcome::Done;
    }
    match send_response_body(rd, send, buf, parsed.body).await {
        Ok(()) => Outcome::Done,
        Err(o) => o,
    }
}

/// Streams the response body from the pipe to the client, as the client's flow-control
/// window allows.
async fn send_response_body<R: AsyncRead + Unpin>(
    rd: &mut R,
    mut send: SendStream<Bytes>,
    mut buf: BytesMut,
    kind: BodyKind,
) -> Result<(), Outcome> {
    let mut remaining = match kind {
        BodyKind::Length(n) => Some(n),
        _ => None,
    };
    let mut dechunk = (kind == BodyKind::Chunked).then(Dechunker::new);
    loop {
        // what the buffer already holds goes out first
        loop {
            if let Some(d) = dechunk.as_mut() {
                match d.next(&mut buf) {
                    Ok(Some(Piece::Data(b))) => send_data(&mut send, b, false).await?,
                    Ok(Some(Piece::End(trailers))) => {
                        return finish(&mut send, trailers);
                    }
                    Ok(None) => break,
                    Err(_) => {
                        send.send_reset(Reason::INTERNAL_ERROR);
                        return Err(Outcome::Failed);
                    }
                }
            } else {
                if buf.is_empty() {
                    break;
                }
                let take = match remaining {
                    Some(r) => usize::try_from(r).unwrap_or(usize::MAX).min(buf.len()),
                    None => buf.len(),
                };
                let data = buf.split_to(take).freeze();
                if let Some(r) = remaining.as_mut() {
                    *r -= take as u64;
                }
                // the last piece of a sized body carries END_STREAM (no empty frame)
                let last = remaining == Some(0);
                send_data(&mut send, data, last).await?;
                if last {
                    return Ok(());
                }
                buf.clear();
            }
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(16 * 1024);
        }
        let n = tokio::select! {
            r = rd.read_buf(&mut buf) => r.unwrap_or(0),
            _ = std::future::poll_fn(|cx| send.poll_reset(cx)) => return Err(Outcome::ClientReset),
        };
        if n == 0 {
            if kind == BodyKind::UntilClose {
                return finish(&mut send, Vec::new());
            }
            // the session aborted the response (server gone mid-body)
            send.send_reset(Reason::INTERNAL_ERROR);
            return Err(Outcome::Failed);
        }
    }
}

/// Ends the stream, with the trailers of a chunked body when it had some.
fn finish(send: &mut SendStream<Bytes>, trailers: chunked::Trailers) -> Result<(), Outcome> {
    let mut map = HeaderMap::new();
    for (n, v) in trailers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(&n), HeaderValue::from_bytes(&v))
            && !connection_specific(n.as_str())
        {
            map.append(n, v);
        }
    }
    let r = if map.is_empty() {
        send.send_data(Bytes::new(), true)
    } else {
        send.send_trailers(map)
    };
    r.map_err(|_| Outcome::ClientReset)
}

/// Sends `data` as the window allows, in frames of at most [`MAX_DATA`] bytes; `last`:
/// the final frame ends the stream.
async fn send_data(
    send: &mut SendStream<Bytes>,
    mut data: Bytes,
    last: bool,
) -> Result<(), Outcome> {
    if data.is_empty() && last {
        return send.send_data(data, true).map_err(|_| Outcome::ClientReset);
    }
    while !data.is_empty() {
        send.reserve_capacity(data.len().min(MAX_DATA));
        let cap = match std::future::poll_fn(|cx| send.poll_capacity(cx)).await {
            Some(Ok(c)) if c > 0 => c,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(Outcome::ClientReset),
        };
        let piece = data.split_to(cap.min(data.len()));
        send.send_data(piece, last && data.is_empty())
            .map_err(|_| Outcome::ClientReset)?;
    }
    Ok(())
}
