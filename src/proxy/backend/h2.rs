//! HTTP/2 to servers: `server ... proto h2` (prior knowledge, in clear or over TLS) and
//! `server ... ssl alpn h2,http/1.1` when the server picks `h2`.
//!
//! Public API: [`H2Mode`] (what a server line asks for), [`Pool`] (the shared h2
//! connections of a backend's servers), [`H2Stream`] (what a session gets in
//! [`super::ServerStream::H2`]).
//!
//! The session speaks HTTP/1.1 to every server stream. An h2 server connection is shared:
//! each transaction gets an [`H2Stream`], an in-memory pipe whose other end a small task
//! serves. The task parses the HTTP/1.1 request the session writes, sends it as one h2
//! stream of the shared connection and writes the response back in HTTP/1.1, so rules,
//! routing, retries and logs are those of an HTTP/1 server.
//!
//! Measured on HAProxy 2.6.12 (`haproxy -db`, curl in HTTP/1.1 and h2, a Python `h2`
//! server printing what it received):
//! - a request with an origin-form target (an HTTP/1 client's) has no `:authority` and
//!   keeps its `host` header; HAProxy sends `:scheme https` even on a cleartext
//!   connection. The `h2` crate cannot send a scheme without an authority: tandem sends
//!   `:scheme http` there (the one difference; `host` and `:path` are the same);
//! - an absolute-form target (`GET http://a.test:8080/x`) gives `:scheme` and
//!   `:authority` from the target and no `host`;
//! - an HTTP/2 client's request (HAProxy keeps it absolute) keeps its scheme and
//!   authority, and has no `host` header (see [`H2Stream::set_client_scheme`]);
//! - several `cookie` headers stay several (the `http` crate's header map sends the
//!   values of one name together, at the place of the first);
//! - the HTTP/1 response has no reason phrase (`HTTP/1.1 200 `), the header names as the
//!   server sent them, `transfer-encoding: chunked` when the server gave no
//!   `content-length`, and neither for HEAD, 204 and 304;
//! - a connection with streams in flight takes any request (HAProxy's "available"
//!   list); one without follows `http-reuse` like an idle HTTP/1 connection (under `safe`
//!   a client connection's first request opens a new one); `http-reuse never` gives every
//!   transaction its own connection.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use h2::client::SendRequest;
use h2::{RecvStream, SendStream};
use http::{HeaderName, HeaderValue, Request};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

use super::ServerStream;
use crate::proxy::http::h1::{self, BodyKind, ParsedRequest};
use crate::proxy::tls::TlsInfo;

/// Pipe size between a session and its stream task (per direction).
const PIPE_SIZE: usize = 64 * 1024;
/// Largest request head read from the session (it enforces `tune.bufsize` already).
const MAX_HEAD: usize = 64 * 1024;
/// Largest DATA piece handed to the h2 connection at once.
const MAX_DATA: usize = 16 * 1024;
/// An h2 connection without streams is closed after this (HAProxy's `pool-purge-delay`).
const IDLE_MAX_AGE: Duration = Duration::from_secs(5);
/// The connection-level receive window.
const CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;
/// Streams opened before the server's SETTINGS say how many it takes.
const INITIAL_MAX_STREAMS: usize = 100;

/// What a server line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum H2Mode {
    /// HTTP/1.1 only.
    #[default]
    Never,
    /// `proto h2`: h2 from the first byte (over TLS when `ssl`).
    Always,
    /// `ssl alpn ...h2...`: h2 when the server picks it.
    Alpn,
}

impl H2Mode {
    pub fn of(server: &crate::ir::haproxy::expr::Server) -> H2Mode {
        let o = &server.opts;
        if o.proto.as_deref() == Some("h2") {
            H2Mode::Always
        } else if o.ssl
            && o.alpn
                .as_deref()
                .is_some_and(|a| a.split(',').any(|p| p == "h2"))
        {
            H2Mode::Alpn
        } else {
            H2Mode::Never
        }
    }

    /// A new connection (after its TLS handshake) speaks h2.
    pub fn speaks_h2(self, s: &ServerStream) -> bool {
        match self {
            H2Mode::Never => false,
            H2Mode::Always => true,
            H2Mode::Alpn => s
                .tls()
                .and_then(|c| c.alpn_protocol())
                .is_some_and(|p| p == b"h2"),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One h2 connection to a server.
#[derive(Debug)]
pub struct Conn {
    send: SendRequest<Bytes>,
    state: Mutex<ConnState>,
    /// The connection ended (GOAWAY, error, close).
    closed: Arc<AtomicBool>,
    /// The SNI it was opened with: reused only for the same one, as HAProxy does.
    sni: Option<Arc<str>>,
    /// Its TLS values (`ssl_bc_*`), for TLS connections.
    pub tls: Option<Arc<TlsInfo>>,
}

#[derive(Debug)]
struct ConnState {
    /// Transactions using the connection.
    active: usize,
    /// When it last went without transactions.
    since: Instant,
    /// Its last transaction was not the first of its client connection (HAProxy's
    /// safe list).
    safe: bool,
}

impl Conn {
    fn usable(&self, now: Instant) -> bool {
        if self.closed.load(Ordering::Relaxed) {
            return false;
        }
        let st = lock(&self.state);
        st.active > 0 || now.duration_since(st.since) < IDLE_MAX_AGE
    }

    fn release(&self, first: bool) {
        let mut st = lock(&self.state);
        st.active = st.active.saturating_sub(1);
        if st.active == 0 {
            st.since = Instant::now();
            st.safe = !first;
        }
    }
}

/// The h2 connections of a backend, per server.
#[derive(Debug, Default)]
pub struct Pool {
    per_server: Mutex<Vec<Vec<Arc<Conn>>>>,
}

/// How a request may take a connection without streams (`http-reuse`).
#[derive(Debug, Clone, Copy)]
pub struct ReuseRule {
    /// Connections whose last transaction was not a first one.
    pub safe_ok: bool,
    /// The others.
    pub idle_ok: bool,
}

impl Pool {
    pub fn new(servers: usize) -> Pool {
        Pool {
            per_server: Mutex::new((0..servers).map(|_| Vec::new()).collect()),
        }
    }

    /// A stream on an existing connection to `srv` opened with `sni`, if one has room.
    pub fn checkout(
        &self,
        srv: usize,
        sni: Option<&str>,
        first: bool,
        rule: ReuseRule,
    ) -> Option<ServerStream> {
        let now = Instant::now();
        let mut pool = lock(&self.per_server);
        let list = pool.get_mut(srv)?;
        list.retain(|c| c.usable(now));
        // busy connections first (HAProxy's available list), then idle ones as allowed
        for busy in [true, false] {
            for c in list.iter() {
                if c.sni.as_deref() != sni {
                    continue;
                }
                let max = c.send.current_max_send_streams();
                let mut st = lock(&c.state);
                if (st.active > 0) != busy || st.active >= max.max(1) {
                    continue;
                }
                let allowed = busy || if st.safe { rule.safe_ok } else { rule.idle_ok };
                if !allowed {
                    continue;
                }
                st.active += 1;
                drop(st);
                return Some(ServerStream::H2(Box::new(H2Stream::start(
                    c.clone(),
                    first,
                ))));
            }
        }
        None
    }

    /// Starts h2 on a new connection to `srv` and gives its first stream; `pooled`:
    /// other transactions may share it (not under `http-reuse never`).
    pub async fn open(
        &self,
        srv: usize,
        io: ServerStream,
        sni: Option<Arc<str>>,
        first: bool,
        pooled: bool,
    ) -> io::Result<ServerStream> {
        let tls = io.tls().map(|c| {
            let mut i = TlsInfo::from_client(c);
            i.sni = sni.as_deref().map(String::from);
            Arc::new(i)
        });
        let (send, connection) = h2::client::Builder::new()
            // each stream is bounded by its own window; a large connection window keeps
            // one stream whose client reads slowly from stalling the others (HAProxy
            // also opens the connection window wide)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .initial_max_send_streams(INITIAL_MAX_STREAMS)
            .max_concurrent_streams(INITIAL_MAX_STREAMS as u32)
            .handshake::<_, Bytes>(io)
            .await
            .map_err(io::Error::other)?;
        let closed = Arc::new(AtomicBool::new(false));
        let c2 = closed.clone();
        tokio::spawn(async move {
            let _ = connection.await;
            c2.store(true, Ordering::Relaxed);
        });
        let conn = Arc::new(Conn {
            send,
            state: Mutex::new(ConnState {
                active: 1,
                since: Instant::now(),
                safe: false,
            }),
            closed,
            sni,
            tls,
        });
        if pooled {
            let mut pool = lock(&self.per_server);
            if let Some(list) = pool.get_mut(srv) {
                let now = Instant::now();
                list.retain(|c| c.usable(now));
                list.push(conn.clone());
            }
        }
        Ok(ServerStream::H2(Box::new(H2Stream::start(conn, first))))
    }

    /// Open h2 connections to `srv` (tests, stats).
    pub fn connections(&self, srv: usize) -> usize {
        let now = Instant::now();
        lock(&self.per_server)
            .get(srv)
            .map_or(0, |l| l.iter().filter(|c| c.usable(now)).count())
    }
}

/// The scheme an HTTP/2 client's request came with, for the stream task.
const HINT_NONE: u8 = 0;
const HINT_HTTP: u8 = 1;
const HINT_HTTPS: u8 = 2;

/// One transaction's view of an h2 server connection: HTTP/1.1 in, HTTP/1.1 out.
#[derive(Debug)]
pub struct H2Stream {
    pipe: DuplexStream,
    conn: Arc<Conn>,
    hint: Arc<AtomicU8>,
    first: bool,
    task: tokio::task::JoinHandle<()>,
}

impl H2Stream {
    fn start(conn: Arc<Conn>, first: bool) -> H2Stream {
        let (ours, theirs) = tokio::io::duplex(PIPE_SIZE);
        let hint = Arc::new(AtomicU8::new(HINT_NONE));
        let task = tokio::spawn(serve(
            theirs,
            conn.send.clone(),
            conn.closed.clone(),
            hint.clone(),
        ));
        H2Stream {
            pipe: ours,
            conn,
            hint,
            first,
            task,
        }
    }

    /// The request about to be written came from an HTTP/2 client over `scheme`
    /// (`http`/`https`): HAProxy keeps such a request's scheme and authority (`host`
    /// becomes `:authority`). `None`: an HTTP/1 client's request, sent as it is.
    pub fn set_client_scheme(&self, scheme: Option<&str>) {
        let h = match scheme {
            Some("https") => HINT_HTTPS,
            Some(_) => HINT_HTTP,
            None => HINT_NONE,
        };
        self.hint.store(h, Ordering::Relaxed);
    }

    /// The SNI its connection was opened with.
    pub fn sni(&self) -> Option<&str> {
        self.conn.sni.as_deref()
    }

    /// The connection's TLS values (`ssl_bc_*`).
    pub fn tls_info(&self) -> Option<&Arc<TlsInfo>> {
        self.conn.tls.as_ref()
    }

    pub fn alive(&self) -> bool {
        !self.conn.closed.load(Ordering::Relaxed) && !self.task.is_finished()
    }
}

impl Drop for H2Stream {
    fn drop(&mut self) {
        // the task ends when it sees the pipe closed; its h2 stream is then reset
        self.conn.release(self.first);
    }
}

impl AsyncRead for H2Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().pipe).poll_read(cx, buf)
    }
}

impl AsyncWrite for H2Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().pipe).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().pipe).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().pipe).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------- the stream task

/// Serves the session's requests on the pipe, one after the other, until it closes.
/// Any failure closes the pipe: the session sees a server that closed (a reused
/// connection's request is then retried on a new one, else 502).
async fn serve(
    pipe: DuplexStream,
    send: SendRequest<Bytes>,
    closed: Arc<AtomicBool>,
    hint: Arc<AtomicU8>,
) {
    let (mut rd, mut wr) = tokio::io::split(pipe);
    let mut buf = BytesMut::with_capacity(4096);
    loop {
        let parsed = loop {
            match h1::parse_request(&buf) {
                Ok(Some(p)) => break p,
                Ok(None) if buf.len() < MAX_HEAD => {}
                _ => return,
            }
            match rd.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        buf.advance(parsed.head_len);
        let end = matches!(parsed.body, BodyKind::None | BodyKind::Length(0));
        let Some(req) = build_request(&parsed, hint.load(Ordering::Relaxed)) else {
            return;
        };
        let mut ready = match send.clone().ready().await {
            Ok(s) => s,
            Err(_) => {
                closed.store(true, Ordering::Relaxed);
                return;
            }
        };
        let Ok((response, body_tx)) = ready.send_request(req, end) else {
            closed.store(true, Ordering::Relaxed);
            return;
        };
        let head_only = parsed.head.method.eq_ignore_ascii_case("HEAD");
        let good = {
            let upload = upload(&mut rd, &mut buf, parsed.body, body_tx, end);
            let download = async {
                let Ok(res) = response.await else {
                    return false;
                };
                write_response(&mut wr, res, head_only).await
            };
            tokio::pin!(upload);
            tokio::pin!(download);
            let mut up_done = end;
            let ok = loop {
                tokio::select! {
                    r = &mut upload, if !up_done => {
                        if !r {
                            return;
                        }
                        up_done = true;
                    }
                    ok = &mut download => break ok,
                }
            };
            // the server answered before the whole request body: the rest is read (and
            // dropped if the stream is gone) so that the next request starts in place
            ok && (up_done || upload.await)
        };
        if !good {
            return;
        }
        if !parsed.keep_alive {
            let _ = wr.shutdown().await;
            return;
        }
    }
}

/// The h2 request for an HTTP/1.1 request head.
fn build_request(p: &ParsedRequest, hint: u8) -> Option<Request<()>> {
    let head = &p.head;
    let method = http::Method::from_bytes(head.method.as_bytes()).ok()?;
    let host = head.headers.get("host").and_then(|h| h.value_str());
    let absolute = head.uri.contains("://");
    let uri: http::Uri = if absolute || method == http::Method::CONNECT {
        head.uri.parse().ok()?
    } else if hint != HINT_NONE
        && let Some(h) = host
    {
        let scheme = if hint == HINT_HTTPS { "https" } else { "http" };
        format!("{scheme}://{h}{}", head.uri).parse().ok()?
    } else {
        head.uri.parse().ok()?
    };
    let drop_host = uri.authority().is_some();
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .version(http::Version::HTTP_11)
        .body(())
        .ok()?;
    let h = req.headers_mut();
    for hd in head.headers.iter() {
        let name = hd.name.as_str();
        if connection_specific(name) || (drop_host && name.eq_ignore_ascii_case("host")) {
            continue;
        }
        if name.eq_ignore_ascii_case("te") && !hd.value.eq_ignore_ascii_case(b"trailers") {
            continue;
        }
        let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&hd.value),
        ) else {
            continue;
        };
        h.append(n, v);
    }
    Some(req)
}

/// Headers of the HTTP/1.1 connection, not sent in h2.
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

/// Copies the request body from the pipe into the h2 stream (de-chunked). Once the
/// stream fails the body is still read to its end and dropped. False: the pipe closed
/// or the framing is broken.
async fn upload<R: AsyncRead + Unpin>(
    rd: &mut R,
    buf: &mut BytesMut,
    kind: BodyKind,
    mut tx: SendStream<Bytes>,
    ended: bool,
) -> bool {
    if ended {
        return true;
    }
    let mut live = true;
    match kind {
        BodyKind::Length(mut left) => {
            while left > 0 {
                if buf.is_empty() && !fill(rd, buf).await {
                    return false;
                }
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                let piece = buf.split_to(take).freeze();
                left -= take as u64;
                if live {
                    live = send_data(&mut tx, piece, left == 0).await;
                }
            }
            true
        }
        BodyKind::Chunked => {
            let mut d = Dechunker::default();
            loop {
                match d.next(buf) {
                    Err(()) => return false,
                    Ok(Some(Piece::Data(b))) => {
                        if live {
                            live = send_data(&mut tx, b, false).await;
                        }
                    }
                    Ok(Some(Piece::End)) => {
                        if live {
                            let _ = tx.send_data(Bytes::new(), true);
                        }
                        return true;
                    }
                    Ok(None) => {
                        if !fill(rd, buf).await {
                            return false;
                        }
                    }
                }
            }
        }
        // requests have no until-close body
        BodyKind::None | BodyKind::UntilClose => {
            let _ = tx.send_data(Bytes::new(), true);
            true
        }
    }
}

async fn fill<R: AsyncRead + Unpin>(rd: &mut R, buf: &mut BytesMut) -> bool {
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(16 * 1024);
    }
    matches!(rd.read_buf(buf).await, Ok(n) if n > 0)
}

/// Sends `data` as the server's window allows. False: the stream is gone.
async fn send_data(tx: &mut SendStream<Bytes>, mut data: Bytes, last: bool) -> bool {
    if data.is_empty() {
        return !last || tx.send_data(data, true).is_ok();
    }
    while !data.is_empty() {
        tx.reserve_capacity(data.len().min(MAX_DATA));
        let cap = match std::future::poll_fn(|cx| tx.poll_capacity(cx)).await {
            Some(Ok(c)) if c > 0 => c,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return false,
        };
        let piece = data.split_to(cap.min(data.len()));
        if tx.send_data(piece, last && data.is_empty()).is_err() {
            return false;
        }
    }
    true
}

/// Writes the h2 response to the pipe in HTTP/1.1. False: the stream or the pipe failed.
async fn write_response<W: AsyncWrite + Unpin>(
    wr: &mut W,
    res: http::Response<RecvStream>,
    head_only: bool,
) -> bool {
    let (parts, mut body) = res.into_parts();
    let status = parts.status.as_u16();
    let bodyless = head_only || status == 204 || status == 304 || status < 200;
    let has_length = parts.headers.contains_key(http::header::CONTENT_LENGTH);
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.to_string().as_bytes());
    out.extend_from_slice(b" \r\n");
    for (n, v) in &parts.headers {
        out.extend_from_slice(n.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let chunked = !bodyless && !has_length;
    if chunked {
        if body.is_end_stream() {
            // no DATA will follow: an empty body with its length
            out.extend_from_slice(b"content-length: 0\r\n\r\n");
            return wr.write_all(&out).await.is_ok();
        }
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if wr.write_all(&out).await.is_err() {
        return false;
    }
    if bodyless {
        return true;
    }
    while let Some(data) = body.data().await {
        let Ok(data) = data else {
            return false;
        };
        let n = data.len();
        if n == 0 {
            continue;
        }
        let w = if chunked {
            out.clear();
            out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\r\n");
            wr.write_all(&out).await
        } else {
            wr.write_all(&data).await
        };
        if w.is_err() {
            return false;
        }
        let _ = body.flow_control().release_capacity(n);
    }
    if chunked {
        let trailers = body.trailers().await.ok().flatten();
        out.clear();
        out.extend_from_slice(b"0\r\n");
        for (n, v) in trailers.iter().flatten() {
            out.extend_from_slice(n.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if wr.write_all(&out).await.is_err() {
            return false;
        }
    }
    true
}

/// A piece of a chunked body.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Data(Bytes),
    /// The last chunk and its trailer section were read (trailers are dropped).
    End,
}

/// Reads a chunked body out of a buffer, as far as it goes.
#[derive(Debug, Default)]
struct Dechunker {
    /// Data bytes left in the current chunk, then its CRLF.
    left: u64,
    in_data: bool,
    /// In the trailer section after the last chunk.
    trailers: bool,
}

impl Dechunker {
    /// `Ok(None)`: more input is needed.
    fn next(&mut self, buf: &mut BytesMut) -> Result<Option<Piece>, ()> {
        loop {
            if self.trailers {
                // lines until an empty one
                let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
                    return Ok(None);
                };
                let empty = buf[..nl].iter().all(|&b| b == b'\r');
                buf.advance(nl + 1);
                if empty {
                    return Ok(Some(Piece::End));
                }
                continue;
            }
            if self.in_data {
                if self.left > 0 {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let take = usize::try_from(self.left)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    self.left -= take as u64;
                    return Ok(Some(Piece::Data(buf.split_to(take).freeze())));
                }
                // the CRLF after the data
                let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
                    return Ok(None);
                };
                if !buf[..nl].iter().all(|&b| b == b'\r') {
                    return Err(());
                }
                buf.advance(nl + 1);
                self.in_data = false;
                continue;
            }
            let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
                return if buf.len() > 1024 { Err(()) } else { Ok(None) };
            };
            let line = &buf[..nl];
            let hex_end = line
                .iter()
                .position(|b| !b.is_ascii_hexdigit())
                .unwrap_or(line.len());
            if hex_end == 0 || hex_end > 15 {
                return Err(());
            }
            let size = std::str::from_utf8(&line[..hex_end])
                .ok()
                .and_then(|s| u64::from_str_radix(s, 16).ok())
                .ok_or(())?;
            buf.advance(nl + 1);
            if size == 0 {
                self.trailers = true;
            } else {
                self.left = size;
                self.in_data = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> ParsedRequest {
        h1::parse_request(raw.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn origin_form_keeps_host_and_cookies() {
        let p = parsed(
            "GET /p?q=1 HTTP/1.1\r\nhost: a.test\r\ncookie: a=1\r\nx-a: 1\r\ncookie: b=2\r\n\
             connection: keep-alive, x-hop\r\nte: gzip\r\n\r\n",
        );
        let r = build_request(&p, HINT_NONE).unwrap();
        assert_eq!(r.uri().to_string(), "/p?q=1");
        let names: Vec<_> = r
            .headers()
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            ["host: a.test", "cookie: a=1", "cookie: b=2", "x-a: 1"]
        );
    }

    #[test]
    fn absolute_form_and_h2_clients_get_an_authority() {
        let p = parsed("GET http://abs.test:8080/x HTTP/1.1\r\nhost: abs.test:8080\r\n\r\n");
        let r = build_request(&p, HINT_NONE).unwrap();
        assert_eq!(r.uri().to_string(), "http://abs.test:8080/x");
        assert!(r.headers().get("host").is_none());
        let p = parsed("GET /h2path HTTP/1.1\r\nhost: 127.0.0.1:23412\r\nx-b: 2\r\n\r\n");
        let r = build_request(&p, HINT_HTTPS).unwrap();
        assert_eq!(r.uri().to_string(), "https://127.0.0.1:23412/h2path");
        assert!(r.headers().get("host").is_none());
    }

    /// An h2 server in clear answering every stream with its path after a short
    /// delay (so that streams overlap); counts connections.
    async fn h2_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let n2 = n.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = l.accept().await {
                n2.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let Ok(mut c) = h2::server::handshake(tcp).await else {
                        return;
                    };
                    while let Some(Ok((req, mut respond))) = c.accept().await {
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            let body = format!("path={}", req.uri().path());
                            let res = http::Response::builder().status(200).body(()).unwrap();
                            if let Ok(mut s) = respond.send_response(res, false) {
                                let _ = s.send_data(Bytes::from(body), true);
                            }
                        });
                    }
                });
            }
        });
        (port, n)
    }

    #[tokio::test]
    async fn concurrent_transactions_share_one_connection() {
        use crate::proxy::backend::{Backend, ConnectOpts};
        use crate::proxy::balance::RequestInfo;
        let (port, accepted) = h2_server().await;
        let cfg = crate::proxy::engine::tests::config(&format!(
            "defaults\n    mode http\nbackend be\n    server s1 127.0.0.1:{port} proto h2\n"
        ));
        let be = Arc::new(Backend::from_ir(&cfg.proxies[0], std::path::Path::new(".")).unwrap());
        // one transaction first: the connection exists and is busy while the others come
        let mut tasks = Vec::new();
        for i in 0..8 {
            let be = be.clone();
            tasks.push(tokio::spawn(async move {
                let info = RequestInfo::default();
                let mut opts = ConnectOpts::new(None);
                opts.first_request = false;
                let mut c = be.connect_stream_with(&info, &mut opts).await.unwrap();
                assert!(c.stream.is_h2());
                let req = format!("GET /r{i} HTTP/1.1\r\nhost: h\r\n\r\n");
                c.stream.write_all(req.as_bytes()).await.unwrap();
                let mut buf = BytesMut::new();
                loop {
                    if let Ok(Some(r)) = h1::parse_response(&buf, "GET")
                        && let Some(end) = buf.windows(5).position(|w| w == b"\r\n0\r\n")
                    {
                        let body = String::from_utf8_lossy(&buf[r.head_len..end]).into_owned();
                        return body;
                    }
                    assert!(c.stream.read_buf(&mut buf).await.unwrap() > 0);
                }
            }));
            if i == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        for (i, t) in tasks.into_iter().enumerate() {
            let body = t.await.unwrap();
            assert!(body.ends_with(&format!("path=/r{i}")), "{body:?}");
        }
        assert_eq!(accepted.load(Ordering::Relaxed), 1);
        assert_eq!(be.h2.connections(0), 1);
    }

    #[test]
    fn dechunks_across_reads() {
        let mut d = Dechunker::default();
        let mut buf = BytesMut::from(&b"5\r\nhel"[..]);
        assert_eq!(
            d.next(&mut buf),
            Ok(Some(Piece::Data(Bytes::from_static(b"hel"))))
        );
        assert_eq!(d.next(&mut buf), Ok(None));
        buf.extend_from_slice(b"lo\r\n3;ext=1\r\nabc\r\n0\r\nx-t: 1\r\n\r\n");
        assert_eq!(
            d.next(&mut buf),
            Ok(Some(Piece::Data(Bytes::from_static(b"lo"))))
        );
        assert_eq!(
            d.next(&mut buf),
            Ok(Some(Piece::Data(Bytes::from_static(b"abc"))))
        );
        assert_eq!(d.next(&mut buf), Ok(Some(Piece::End)));
        let mut bad = BytesMut::from(&b"zz\r\n"[..]);
        assert_eq!(Dechunker::default().next(&mut bad), Err(()));
    }
}
