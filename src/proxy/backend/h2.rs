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
//!   connection. The `h2` crate cannot send a scheme without an authority (it writes
//!   `http`): [`Wire`] turns that field into `https` on its way out;
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
    /// The PROXY header it was opened with (`send-proxy`): reused only by streams that
    /// would send the same one (HAProxy hashes its addresses into the connection's key).
    pp: Option<Arc<[u8]>>,
    /// Its TLS values (`ssl_bc_*`), for TLS connections.
    pub tls: Option<Arc<TlsInfo>>,
    /// The requests sent, in stream order, for [`Wire`]'s `:scheme` rewrite.
    intents: Intents,
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
        pp: Option<&[u8]>,
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
                if c.sni.as_deref() != sni || c.pp.as_deref() != pp {
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
    /// other transactions may share it (not under `http-reuse never`). `pp`: the PROXY
    /// header already sent on it.
    ///
    /// The connection counts as made once the server's SETTINGS arrive (measured on
    /// HAProxy 2.6.12: a `proto h2` server that answers the preface with an HTTP/1
    /// error is a failed connection, retried `retries` times one second apart, then
    /// 503 `SC--`; one that never answers runs into `timeout connect` at each attempt,
    /// `sC--`). An error here is a failed connection attempt for the caller.
    pub async fn open(
        &self,
        srv: usize,
        io: ServerStream,
        sni: Option<Arc<str>>,
        pp: Option<Arc<[u8]>>,
        first: bool,
        pooled: bool,
    ) -> io::Result<ServerStream> {
        let tls = io.tls().map(|c| {
            let mut i = TlsInfo::from_client(c);
            i.sni = sni.as_deref().map(String::from);
            Arc::new(i)
        });
        let (tx, settings) = tokio::sync::oneshot::channel();
        let intents = Intents::default();
        let wire = Wire::new(io, tx, intents.clone());
        let (send, connection) = h2::client::Builder::new()
            // each stream is bounded by its own window; a large connection window keeps
            // one stream whose client reads slowly from stalling the others (HAProxy
            // also opens the connection window wide)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .initial_max_send_streams(INITIAL_MAX_STREAMS)
            .max_concurrent_streams(INITIAL_MAX_STREAMS as u32)
            .handshake::<_, Bytes>(wire)
            .await
            .map_err(io::Error::other)?;
        let closed = Arc::new(AtomicBool::new(false));
        let c2 = closed.clone();
        let task = AbortOnDrop(Some(tokio::spawn(async move {
            let _ = connection.await;
            c2.store(true, Ordering::Relaxed);
        })));
        if !settings.await.unwrap_or(false) {
            return Err(io::Error::other("the server did not start HTTP/2"));
        }
        task.disarm();
        let conn = Arc::new(Conn {
            send,
            state: Mutex::new(ConnState {
                active: 1,
                since: Instant::now(),
                safe: false,
            }),
            closed,
            sni,
            pp,
            tls,
            intents,
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

/// Aborts a connection task that did not get its server's SETTINGS (a caller's timeout
/// drops the future that awaits them).
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl AbortOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.abort();
        }
    }
}

/// One request sent on an h2 connection: its stream (once known) and whether its
/// `:scheme` must read `https`.
#[derive(Debug)]
struct Intent {
    stream: Option<u32>,
    https: bool,
}

/// The requests of a connection in the order their streams were opened (the order of
/// their HEADERS frames on the wire).
#[derive(Debug, Clone, Default)]
struct Intents(Arc<Mutex<std::collections::VecDeque<Intent>>>);

type Sent = (h2::client::ResponseFuture, SendStream<Bytes>);

impl Intents {
    /// `send_request`, recording the request first: its HEADERS frame cannot reach the
    /// wire before its intent is queued, and the queue order is the stream order.
    fn send(
        &self,
        ready: &mut SendRequest<Bytes>,
        req: Request<()>,
        end: bool,
        https: bool,
    ) -> Result<Sent, h2::Error> {
        let mut q = lock(&self.0);
        q.push_back(Intent {
            stream: None,
            https,
        });
        match ready.send_request(req, end) {
            Ok(r) => {
                if let Some(i) = q.back_mut() {
                    i.stream = Some(r.0.stream_id().as_u32());
                }
                Ok(r)
            }
            Err(e) => {
                q.pop_back();
                Err(e)
            }
        }
    }

    /// Whether the request of new stream `id` wants `https`.
    fn take(&self, id: u32) -> bool {
        let mut q = lock(&self.0);
        // a stream reset before its HEADERS went out never shows up
        while q.front().is_some_and(|i| i.stream.is_some_and(|s| s < id)) {
            q.pop_front();
        }
        q.pop_front().is_some_and(|i| i.https)
    }
}

/// An HPACK integer with an `n`-bit prefix at `p[i]`: its value and the next offset.
fn hpack_int(p: &[u8], i: usize, n: u32) -> Option<(usize, usize)> {
    let mask = (1usize << n) - 1;
    let mut v = usize::from(*p.get(i)?) & mask;
    let mut i = i + 1;
    if v < mask {
        return Some((v, i));
    }
    let mut shift = 0u32;
    loop {
        let b = *p.get(i)?;
        i += 1;
        v = v.checked_add(usize::from(b & 0x7f).checked_shl(shift)?)?;
        if b & 0x80 == 0 {
            return Some((v, i));
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

/// Skips one HPACK field representation at `p[i]`.
fn hpack_skip(p: &[u8], i: usize) -> Option<usize> {
    let b = *p.get(i)?;
    let (name_bits, indexed) = if b & 0x80 != 0 {
        (7, true)
    } else if b & 0x40 != 0 {
        (6, false)
    } else {
        (4, false)
    };
    let (idx, mut i) = hpack_int(p, i, name_bits)?;
    if indexed {
        return Some(i);
    }
    let strings = if idx == 0 { 2 } else { 1 };
    for _ in 0..strings {
        let (len, j) = hpack_int(p, i, 7)?;
        i = j.checked_add(len)?;
    }
    Some(i)
}

/// Where the `:scheme` field of a request's header block is when it is the static
/// `:scheme http` (one byte, 0x86; `https` is 0x87, same size, no table change): after
/// any table size updates and the `:method` field, which the `h2` crate always sends
/// first. `Err(())`: more bytes are needed to tell.
fn scheme_http_at(payload: &[u8], flags: u8) -> Result<Option<usize>, ()> {
    let mut i = 0usize;
    if flags & 0x08 != 0 {
        i += 1;
    }
    if flags & 0x20 != 0 {
        i += 5;
    }
    loop {
        match payload.get(i) {
            None => return Err(()),
            Some(b) if b & 0xe0 == 0x20 => i = hpack_int(payload, i, 5).ok_or(())?.1,
            Some(_) => break,
        }
    }
    let i = hpack_skip(payload, i).ok_or(())?;
    match payload.get(i) {
        None => Err(()),
        Some(0x86) => Ok(Some(i)),
        Some(_) => Ok(None),
    }
}

/// The client connection preface.
const PREFACE_LEN: usize = 24;
/// Outgoing bytes held before a write waits for the socket.
const WIRE_HIGH: usize = 256 * 1024;

/// The socket of an h2 server connection as the `h2` crate sees it.
///
/// Read side: tells once whether the server's first frame is a SETTINGS frame (what
/// every HTTP/2 server sends first, RFC 9113 3.4): `false` when it sends anything else
/// (an HTTP/1 error page) or closes first.
///
/// Write side: HAProxy 2.6 sends `:scheme https` for a request without a scheme (an
/// HTTP/1 client's origin-form request, measured on 2.6.12, in clear too) and no
/// `:authority`; the `h2` crate cannot send a scheme without an authority and writes
/// `:scheme http` there. The outgoing frames are followed, and in the HEADERS frame of
/// each new stream whose request had no scheme, that field byte becomes `https`.
struct Wire {
    io: ServerStream,
    /// The first bytes read, up to a frame header.
    head: Vec<u8>,
    seen: Option<tokio::sync::oneshot::Sender<bool>>,
    /// Bytes written by the `h2` crate and not sent yet; `out[..decided]` are final,
    /// `out[..sent]` went out.
    out: Vec<u8>,
    decided: usize,
    sent: usize,
    /// Preface bytes still to pass, then payload bytes of the current frame.
    skip: usize,
    last_stream: u32,
    intents: Intents,
}

impl Wire {
    fn new(io: ServerStream, seen: tokio::sync::oneshot::Sender<bool>, intents: Intents) -> Wire {
        Wire {
            io,
            head: Vec::with_capacity(9),
            seen: Some(seen),
            out: Vec::new(),
            decided: 0,
            sent: 0,
            skip: PREFACE_LEN,
            last_stream: 0,
            intents,
        }
    }

    /// Moves `decided` over what can be decided; `force`: a HEADERS frame whose start
    /// is incomplete is passed as it is (the `h2` crate writes whole frames, so this
    /// only happens if it flushes in the middle of one).
    fn decide(&mut self, force: bool) {
        loop {
            let avail = self.out.len() - self.decided;
            if self.skip > 0 {
                let t = self.skip.min(avail);
                self.decided += t;
                self.skip -= t;
                if self.skip > 0 {
                    return;
                }
                continue;
            }
            // an incomplete frame header waits for its end (passing it would lose the
            // frame boundaries)
            let Some(h) = self.out.get(self.decided..self.decided + 9) else {
                return;
            };
            let len = (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
            let (kind, flags) = (h[3], h[4]);
            let id = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
            if kind == 1 && id > self.last_stream {
                let start = self.decided + 9;
                let end = (start + len).min(self.out.len());
                let at = match scheme_http_at(self.out.get(start..end).unwrap_or(&[]), flags) {
                    Ok(at) => at,
                    Err(()) if end < start + len && !force => return,
                    Err(()) => None,
                };
                self.last_stream = id;
                if self.intents.take(id)
                    && let Some(b) = at.and_then(|a| self.out.get_mut(start + a))
                {
                    *b = 0x87;
                }
            }
            self.decided += 9;
            self.skip = len;
        }
    }

    /// Sends decided bytes until done or the socket is full.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.decided {
            let chunk = self.out.get(self.sent..self.decided).unwrap_or(&[]);
            match Pin::new(&mut self.io).poll_write(cx, chunk) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.sent += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.sent > 0 {
            self.out.drain(..self.sent);
            self.decided -= self.sent;
            self.sent = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Wire {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut me.io).poll_read(cx, buf);
        if me.seen.is_some() {
            let verdict = match &r {
                Poll::Ready(Ok(())) => {
                    let new = buf.filled().get(before..).unwrap_or(&[]);
                    if new.is_empty() {
                        Some(false)
                    } else {
                        let want = 9usize.saturating_sub(me.head.len()).min(new.len());
                        me.head.extend_from_slice(new.get(..want).unwrap_or(&[]));
                        // frame header: length (3), type (1): SETTINGS is 4
                        (me.head.len() >= 9).then(|| me.head.get(3) == Some(&4))
                    }
                }
                Poll::Ready(Err(_)) => Some(false),
                Poll::Pending => None,
            };
            if let Some(v) = verdict
                && let Some(tx) = me.seen.take()
            {
                let _ = tx.send(v);
            }
        }
        r
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        if me.out.len() >= WIRE_HIGH {
            me.decide(true);
            match me.poll_send(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending if me.out.len() >= WIRE_HIGH => return Poll::Pending,
                Poll::Pending => {}
            }
        }
        me.out.extend_from_slice(buf);
        me.decide(false);
        if let Poll::Ready(Err(e)) = me.poll_send(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        me.decide(true);
        match me.poll_send(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut me.io).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        me.decide(true);
        match me.poll_send(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut me.io).poll_shutdown(cx),
            other => other,
        }
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
            conn.intents.clone(),
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
    intents: Intents,
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
        // an origin-form request (an HTTP/1 client's): HAProxy sends `:scheme https`
        let https = req.uri().scheme().is_none();
        let Ok((response, body_tx)) = intents.send(&mut ready, req, end, https) else {
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

    /// A `proto h2` server that answers the preface in HTTP/1 is a failed connection,
    /// retried (HAProxy 2.6.12: `retries` attempts, then 503 `SC--`); with `send-proxy`
    /// the PROXY header comes before the preface.
    #[tokio::test]
    async fn http1_server_is_a_failed_connection_and_proxy_header_goes_first() {
        use crate::proxy::backend::{Backend, ConnectError, ConnectOpts};
        use crate::proxy::balance::RequestInfo;
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = l.accept().await {
                let mut b = vec![0u8; 200];
                let mut got = Vec::new();
                while !got.windows(8).any(|w| w == b"\r\nSM\r\n\r\n") {
                    match tcp.read(&mut b).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got.extend_from_slice(&b[..n]),
                    }
                }
                let _ = tx.send(got);
                let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let cfg = crate::proxy::engine::tests::config(&format!(
            "defaults\n    mode http\n    retries 1\n    timeout connect 1s\n\
             backend be\n    server s1 127.0.0.1:{port} proto h2 send-proxy\n"
        ));
        let be = Arc::new(Backend::from_ir(&cfg.proxies[0], std::path::Path::new(".")).unwrap());
        let mut opts = ConnectOpts::new(Some("127.0.0.1:80".parse().unwrap()));
        opts.client = Some("10.0.0.1:1234".parse().unwrap());
        let r = be
            .connect_stream_with(&RequestInfo::default(), &mut opts)
            .await;
        assert!(
            matches!(&r, Err(ConnectError::Failed(f)) if !f.timeout),
            "{r:?}"
        );
        assert_eq!(opts.retries_done, 1);
        for _ in 0..2 {
            let got = rx.recv().await.unwrap();
            assert!(
                got.starts_with(b"PROXY TCP4 10.0.0.1 127.0.0.1 1234 80\r\nPRI * HTTP/2.0\r\n"),
                "{:?}",
                String::from_utf8_lossy(&got)
            );
        }
    }

    /// The header block positions the `:scheme` rewrite relies on: after table size
    /// updates and a `:method` in any HPACK form.
    #[test]
    fn scheme_field_is_found_after_the_method() {
        // GET (static 2), :scheme http
        assert_eq!(scheme_http_at(&[0x82, 0x86, 0x44], 0x04), Ok(Some(1)));
        // size update 0 then POST, :scheme https: nothing to rewrite
        assert_eq!(scheme_http_at(&[0x20, 0x83, 0x87], 0x04), Ok(None));
        // literal method with incremental indexing (name :method, "PUT"), :scheme http
        assert_eq!(
            scheme_http_at(&[0x42, 0x03, b'P', b'U', b'T', 0x86], 0x04),
            Ok(Some(5))
        );
        // a dynamic-table method (index 62: 0xbe), then :scheme http
        assert_eq!(scheme_http_at(&[0xbe, 0x86], 0x04), Ok(Some(1)));
        // a multi-byte index (0xff 0x0a = 137)
        assert_eq!(scheme_http_at(&[0xff, 0x0a, 0x86], 0x04), Ok(Some(2)));
        // too short to tell
        assert_eq!(scheme_http_at(&[0x42, 0x03, b'P'], 0x04), Err(()));
        assert_eq!(hpack_int(&[0x1f, 0x9a, 0x0a], 0, 5), Some((1337, 3)));
    }

    /// An HTTP/1 client's origin-form request goes out with `:scheme https`, an
    /// absolute-form one keeps `http` (HAProxy 2.6.12, measured with a Python h2
    /// server): what the server receives, read by a raw frame parser.
    #[tokio::test]
    async fn origin_form_requests_are_sent_as_https() {
        use crate::proxy::backend::{Backend, ConnectOpts};
        use crate::proxy::balance::RequestInfo;
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            let Ok((mut tcp, _)) = l.accept().await else {
                return;
            };
            // SETTINGS (empty) then collect the HEADERS blocks
            let _ = tcp.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await;
            let mut seen = Vec::new();
            let mut b = [0u8; 4096];
            let mut at = 24;
            while let Ok(n) = tcp.read(&mut b).await {
                if n == 0 {
                    return;
                }
                seen.extend_from_slice(&b[..n]);
                while let Some(h) = seen.get(at..at + 9) {
                    let len =
                        (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
                    let Some(p) = seen.get(at + 9..at + 9 + len) else {
                        break;
                    };
                    if h[3] == 1 {
                        let _ = tx.send(p.to_vec());
                    }
                    at += 9 + len;
                }
            }
        });
        let cfg = crate::proxy::engine::tests::config(&format!(
            "defaults\n    mode http\nbackend be\n    server s1 127.0.0.1:{port} proto h2\n"
        ));
        let be = Arc::new(Backend::from_ir(&cfg.proxies[0], std::path::Path::new(".")).unwrap());
        for (req, scheme) in [
            ("GET /a HTTP/1.1\r\nhost: h\r\n\r\n", 0x87),
            (
                "PUT /b HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n",
                0x87,
            ),
            (
                "GET http://abs.test/c HTTP/1.1\r\nhost: abs.test\r\n\r\n",
                0x86,
            ),
            (
                "PUT /d HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n",
                0x87,
            ),
        ] {
            let mut opts = ConnectOpts::new(None);
            opts.first_request = false;
            let mut c = be
                .connect_stream_with(&RequestInfo::default(), &mut opts)
                .await
                .unwrap();
            c.stream.write_all(req.as_bytes()).await.unwrap();
            // no table size update (the server's SETTINGS are empty): the method,
            // then the scheme
            let block = rx.recv().await.unwrap();
            let at = hpack_skip(&block, 0).unwrap();
            assert_eq!(block[at], scheme, "{req:?}: {block:02x?}");
        }
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
