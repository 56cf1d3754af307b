//! One client connection's HTTP/1.1 transaction loop.
//!
//! Public API: [`serve`], called by the listener for every accepted connection of an HTTP
//! frontend ([`serve_with`] when the listener already tracks sticky counters for it).
//!
//! Per transaction, in HAProxy 2.6's order: read the request head (`timeout http-request`,
//! then 408; `timeout http-keep-alive` between requests), frontend rules, backend choice
//! (`use_backend`, `default_backend`; none: 503), backend rules, `option forwardfor`, the
//! `connection` header for the connection mode, server choice and connection
//! ([`Backend::connect_with`]: queue, retries, redispatch, reuse), request head and body
//! forwarded as they arrive (never buffered whole), response head (1xx forwarded, 101 opens
//! a tunnel), response rules, response body streamed. Errors: connection failures 503,
//! server closing or sending garbage before the response head 502, `timeout server` 504.
//!
//! Wire facts measured on HAProxy 2.6.12 (`haproxy -f cfg -db`, raw sockets):
//! - header names are emitted lowercase, in received order;
//! - towards the server, `Connection: keep-alive` of an HTTP/1.1 request is removed; an
//!   HTTP/1.0 request is forwarded as HTTP/1.0 with `connection: keep-alive` added;
//!   `option http-server-close` / `option httpclose` add `connection: close`;
//! - `option forwardfor` appends `x-forwarded-for: <client ip>` after the other headers
//!   (after an existing one, not merged);
//! - towards the client, an HTTP/1.1 client that stays connected gets no `connection`
//!   header, an HTTP/1.0 keep-alive client gets `connection: keep-alive`, and a client
//!   whose connection closes after the response gets `connection: close`;
//! - each request of a keep-alive connection is balanced on its own (round robin
//!   alternates servers within one client connection);
//! - after 502/503/504 the client connection is closed; a refused connection is retried
//!   `retries` times with a 1 s turn-around (3 s before the 503 with the defaults).

mod logging;
#[cfg(test)]
mod pages;
mod stats;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use crate::proxy::acl::Dir;
use crate::proxy::acl::TableLookup;
use crate::proxy::backend::{
    Backend, ConnectError, ConnectOpts, IdleConns, ServerConn, ServerStream,
};
use crate::proxy::balance::RequestInfo;
use crate::proxy::engine::{Engine, Frontend, combine_modes};
use crate::proxy::http::ClientConn;
use crate::proxy::http::compress;
use crate::proxy::http::errors;
use crate::proxy::http::h1::{
    self, BodyKind, BodyTracker, ConnMode, ParsedRequest, ParsedResponse,
};
use crate::proxy::http::msg::RequestHead;
use crate::proxy::persist;
use crate::proxy::rules::{Ext, Txn, Verdict};
use crate::proxy::stick::{SessionCounters, StickKind, StickRules, Tables};
use crate::proxy::tls::TlsInfo;

/// HAProxy's `tune.bufsize` default: a head larger than this is refused.
const MAX_HEAD: usize = 16384;
const BUF_SIZE: usize = 16384;
/// Buffer kept while waiting for the next request of a keep-alive connection.
const IDLE_BUF_SIZE: usize = 2048;
/// Read size while streaming a body.
const BODY_BUF_SIZE: usize = 65536;

/// Serves one accepted client connection of an HTTP frontend until it closes.
pub async fn serve<S>(
    stream: S,
    client: SocketAddr,
    local: SocketAddr,
    fe: Arc<Frontend>,
    engine: Arc<Engine>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    serve_with(stream, ClientConn::new(client, local), fe, engine).await
}

/// [`serve`] with what the listener learnt about the connection.
pub async fn serve_with<S>(stream: S, conn: ClientConn, fe: Arc<Frontend>, engine: Arc<Engine>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let ClientConn {
        client,
        local,
        tls,
        counters,
        h2_stream,
        h2,
    } = conn;
    let stop = engine.stopping().clone();
    let fresh = counters.is_none();
    let counters = counters.or_else(|| {
        engine
            .has_tables
            .then(|| SessionCounters::new(engine.tables.clone()))
    });
    // `feconn`/`scur` count client connections: an HTTP/2 connection counts itself once
    // for all its streams
    let _conn = h2.is_none().then(|| ConnGuard::new(fe.clone()));
    let io = Arc::new(logging::IoCount::default());
    let started = crate::proxy::clock::tokio_now();
    let accept_ms = crate::proxy::log::now_ms();
    if let Some(l) = &fe.log {
        l.log_accept(client, local, &fe.name);
    }
    let mut s = Session {
        counters,
        tls,
        fe_name: h2
            .as_ref()
            .map_or_else(|| Arc::from(fe.name.as_str()), |e| e.conn.fe_name.clone()),
        fe,
        engine,
        client,
        local,
        cbuf: BytesMut::new(),
        // an HTTP/2 stream reuses a server buffer its connection's streams left
        sbuf: h2.as_ref().map_or_else(BytesMut::new, |e| e.take_buffer()),
        out: Vec::new(),
        idle: IdleConns::new(),
        vars: crate::proxy::acl::Vars::new(),
        nreq: 0,
        h2_stream,
        stop,
        started,
        accept_ms,
        tlog: logging::TxnLog::new(started, accept_ms, &io),
        io: io.clone(),
        eof_seen: false,
        counted: false,
        h2,
        bc_tls: None,
    };
    let mut stream = logging::Counted::new(stream, io);
    if fresh && let Some(c) = &s.counters {
        c.session_started(s.engine.now_ms());
    }
    // `show sess` lists the stream; `shutdown session(s)` ends it here
    let guard = s
        .engine
        .sessions
        .register(crate::proxy::api::sess::NewStream {
            src: crate::proxy::api::sess::Source::Tcp(client),
            local: Some(local),
            frontend: &s.fe.name,
            http: true,
        });
    guard.scope(s.run(&mut stream)).await;
    if let Some(e) = &s.h2 {
        e.give_buffer(std::mem::take(&mut s.sbuf));
    }
    let _ = stream.shutdown().await;
    if let Some(c) = &s.counters {
        c.end_session(s.engine.now_ms());
    }
}

/// Completes when the client closes its side (data that arrives meanwhile stays in
/// `buf`, up to a limit).
async fn client_closed<S: AsyncRead + Unpin>(cs: &mut S, buf: &mut BytesMut) {
    loop {
        if buf.len() > 4 * BODY_BUF_SIZE {
            std::future::pending::<()>().await;
        }
        match cs.read_buf(room(buf)).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Makes room for a read of a useful size (`read_buf` on a full buffer reads 64 bytes).
fn room(b: &mut BytesMut) -> &mut BytesMut {
    if b.capacity() - b.len() < 1024 {
        b.reserve(BUF_SIZE);
    }
    b
}

/// Keeps `fe_conn` right however the session ends.
/// One client connection counted in its frontend's `conns` while it lives.
pub(crate) struct ConnGuard(Arc<Frontend>);

impl ConnGuard {
    pub(crate) fn new(fe: Arc<Frontend>) -> Self {
        fe.conns.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ConnGuard(fe)
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.0
            .conns
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

struct Session {
    /// Sticky counters of this connection (when the config has stick tables).
    counters: Option<SessionCounters>,
    tls: Option<Arc<TlsInfo>>,
    fe: Arc<Frontend>,
    fe_name: Arc<str>,
    engine: Arc<Engine>,
    client: SocketAddr,
    local: SocketAddr,
    /// Client bytes not consumed yet (pipelined requests stay here).
    cbuf: BytesMut,
    /// Server bytes not consumed yet.
    sbuf: BytesMut,
    /// Scratch for encoded heads.
    out: Vec<u8>,
    idle: IdleConns,
    /// The `sess` variables between transactions.
    vars: crate::proxy::acl::Vars,
    nreq: u64,
    /// Every request is "not first" (HAProxy's SE_FL_NOT_FIRST on HTTP/2 streams):
    /// `http-reuse safe` may give it an idle server connection.
    h2_stream: bool,
    stop: tokio::sync::watch::Receiver<bool>,
    started: Instant,
    /// Wall-clock accept date (ms since the epoch) for the logs.
    accept_ms: i64,
    /// The log record of the transaction in progress.
    tlog: logging::TxnLog,
    io: Arc<logging::IoCount>,
    /// The client closed (or reset) while a request head was awaited.
    eof_seen: bool,
    /// A record of this connection went to the stats already (they count the
    /// connection once; an HTTP/2 stream's connection keeps its own flag).
    counted: bool,
    /// An HTTP/2 stream's request, decoded by the h2 gateway (the first request), and
    /// where the final response head is handed over decoded.
    h2: Option<crate::proxy::http::h2::gateway::StreamEntry>,
    /// The TLS values of the transaction's server connection (`ssl_bc*`).
    bc_tls: Option<Arc<TlsInfo>>,
}

/// The engine's state, forwarded, plus the server connection's TLS values for the
/// `ssl_bc*` fetches.
impl crate::proxy::acl::ProxyState for Session {
    fn nbsrv(&self, backend: &str) -> Option<i64> {
        self.engine.nbsrv(backend)
    }
    fn srv_is_up(&self, backend: &str, server: &str) -> Option<bool> {
        self.engine.srv_is_up(backend, server)
    }
    fn be_conn(&self, backend: &str) -> Option<i64> {
        self.engine.be_conn(backend)
    }
    fn fe_conn(&self, frontend: &str) -> Option<i64> {
        self.engine.fe_conn(frontend)
    }
    fn srv_conn(&self, backend: &str, server: &str) -> Option<i64> {
        self.engine.srv_conn(backend, server)
    }
    fn srv_id(&self, backend: &str, server: &str) -> Option<i64> {
        self.engine.srv_id(backend, server)
    }
    fn sess_rate(&self, proxy: &str) -> Option<i64> {
        self.engine.sess_rate(proxy)
    }
    fn server_tls(&self) -> Option<&TlsInfo> {
        self.bc_tls.as_deref()
    }
    fn first_req(&self) -> Option<bool> {
        Some(self.nreq == 1 && !self.h2_stream)
    }
}

/// How waiting for a request head ended without one.
enum NoRequest {
    /// Close silently (client gone, keep-alive timeout, soft stop).
    Close,
    /// Send this error page, then close.
    Error(u16),
}

/// How a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    KeepAlive,
    Close,
}

async fn with_timeout<F: std::future::Future>(d: Option<Duration>, f: F) -> Option<F::Output> {
    match d {
        Some(d) => tokio::time::timeout_at(crate::proxy::clock::tokio_now() + d, f)
            .await
            .ok(),
        None => Some(f.await),
    }
}

async fn with_deadline<F: std::future::Future>(d: Option<Instant>, f: F) -> Option<F::Output> {
    match d {
        Some(d) => tokio::time::timeout_at(d, f).await.ok(),
        None => Some(f.await),
    }
}

impl Session {
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(&mut self, cs: &mut S) {
        loop {
            self.log_begin();
            self.bc_tls = None;
            let parsed = match self.read_request(cs).await {
                Ok(p) => p,
                Err(NoRequest::Close) => {
                    // HAProxy logs a client that closed before a full head (`CR--` 400),
                    // not the end of a keep-alive connection between requests
                    let partial = self.tlog.first_byte.is_some();
                    if self.eof_seen && (self.nreq == 0 || partial) {
                        self.tlog.rec.status = 400;
                        self.log_term(b"CR");
                        self.log_end(None);
                    }
                    return;
                }
                Err(NoRequest::Error(status)) => {
                    // parser errors and 408 go out raw, then the connection closes
                    let page = errors::builtin(status).unwrap_or_default();
                    let _ = cs.write_all(page).await;
                    self.tlog.rec.status = i32::from(status);
                    self.log_term(if status == 408 { b"cR" } else { b"PR" });
                    self.log_end(None);
                    return;
                }
            };
            self.tlog.head_done = Some(crate::proxy::clock::tokio_now());
            self.nreq += 1;
            if let Some(c) = &self.counters {
                c.http_request(self.engine.now_ms());
            }
            // boxed: the transaction's state machine is large, and an idle keep-alive
            // connection then carries only the small request-reading state
            let next = Box::pin(self.transaction(cs, parsed)).await;
            if let Some(c) = &self.counters {
                c.end_stream(self.engine.now_ms());
            }
            // an HTTP/2 stream carries one request: no wait for a next one (the stream's
            // read side would only end once the response is out, which the shutdown
            // after this loop waits for too)
            if next == Next::Close || self.h2.is_some() {
                return;
            }
        }
    }

    /// Sends the proxy's page for `status` (the backend's custom page, else the
    /// frontend's, else the built-in one) through the H1 encoder. The client connection
    /// stays open when the request allows it, except after 502 and 504 (HAProxy closes
    /// after an aborted server connection).
    async fn send_error<S: AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        be: Option<&Backend>,
        status: u16,
        txn: &mut Txn,
        keep_ok: bool,
        mode: ConnMode,
    ) -> Next {
        let mut raw = match be.and_then(|b| b.errors.custom(status)) {
            Some(b) => b.clone(),
            None => self.fe.errors.get(status),
        };
        if let Some(r) = self.after_reply(txn, be, &raw) {
            raw = r.into();
        }
        let req = &txn.req;
        if let Some(c) = &self.counters {
            c.http_status(status, self.engine.now_ms());
        }
        let r = &mut self.tlog.rec;
        r.status = i32::from(status);
        r.local_reply = true;
        if r.term == *b"--" {
            r.term = match status {
                504 => *b"sH",
                502 => *b"SH",
                503 => *b"SC",
                _ => *b"PR",
            };
        }
        let closes = matches!(status, 502 | 504);
        let r = errors::render(&raw, &req.method, req.version, keep_ok || closes, mode);
        self.tlog.note_head(&r.bytes);
        if cs.write_all(&r.bytes).await.is_err() {
            return Next::Close;
        }
        if r.keep_alive && keep_ok && !closes && !*self.stop.borrow() {
            Next::KeepAlive
        } else {
            Next::Close
        }
    }

    /// `http-after-response` rules (the backend's, then the frontend's) on a reply the
    /// proxy made itself: HAProxy 2.6 runs them on deny, return, redirect, auth and error
    /// pages too (measured), not on the 400 of an unparsable request. `None`: no rule,
    /// or a custom error file that is not an HTTP response.
    fn after_reply(&self, txn: &mut Txn, be: Option<&Backend>, raw: &[u8]) -> Option<Vec<u8>> {
        let fe = &self.fe;
        let be_rules = be
            .and_then(|b| b.rules.as_ref())
            .filter(|r| r.has_after_response());
        let fe_rules = fe
            .rules
            .as_ref()
            .filter(|r| r.has_after_response() && be.is_none_or(|b| b.name != fe.name));
        if be_rules.is_none() && fe_rules.is_none() {
            return None;
        }
        let parsed = h1::parse_response(raw, &txn.req.method).ok()??;
        txn.res = Some(parsed.head);
        {
            let ext = self.ext();
            for rules in [be_rules, fe_rules].into_iter().flatten() {
                rules.on_after_response(txn, &ext);
            }
        }
        let head = txn.res.take()?;
        let mut out = Vec::with_capacity(raw.len() + 64);
        h1::write_response_head(&head, &mut out);
        out.extend_from_slice(raw.get(parsed.head_len..)?);
        Some(out)
    }

    /// Waits for a complete request head.
    async fn read_request<S: AsyncRead + Unpin>(
        &mut self,
        cs: &mut S,
    ) -> Result<ParsedRequest, NoRequest> {
        if let Some(e) = self.h2.as_mut()
            && let Some(p) = e.request.take()
        {
            self.tlog.first_byte.get_or_insert_with(Instant::now);
            self.tlog.req_adj = e.head_size as i64;
            self.tlog.req_counted = true;
            return (*p).map_err(NoRequest::Error);
        }
        let t = self.fe.timeouts;
        let first = self.nreq == 0;
        // the http-request timer runs from the accept (first request) or the first byte
        let mut deadline = if first {
            t.http_request.map(|d| self.started + d)
        } else if self.cbuf.is_empty() {
            t.http_keep_alive
                .map(|d| crate::proxy::clock::tokio_now() + d)
        } else {
            t.http_request.map(|d| crate::proxy::clock::tokio_now() + d)
        };
        loop {
            if !self.cbuf.is_empty() {
                match h1::parse_request(&self.cbuf) {
                    Ok(Some(p)) => {
                        self.tlog
                            .note_request_head(self.cbuf.get(..p.head_len).unwrap_or_default());
                        return Ok(p);
                    }
                    Ok(None) if self.cbuf.len() >= MAX_HEAD => {
                        return Err(NoRequest::Error(400));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        // `show errors` keeps the last invalid request of the frontend
                        crate::proxy::api::errors::capture(
                            &self.engine,
                            false,
                            &self.fe.name,
                            None,
                            Some(self.client),
                            &self.cbuf,
                        );
                        return Err(NoRequest::Error(e.status()));
                    }
                }
            }
            let idle = self.cbuf.is_empty() && !first;
            // Soft stop: an idle keep-alive connection is not closed under the client's
            // feet; it is closed at its next request boundary (response with
            // `connection: close`) or by its keep-alive timeout.
            if idle {
                // an idle keep-alive connection keeps no large buffer (HAProxy releases
                // its buffers too): many idle clients cost little memory
                if self.cbuf.capacity() > IDLE_BUF_SIZE {
                    self.cbuf = BytesMut::with_capacity(IDLE_BUF_SIZE);
                } else if self.cbuf.capacity() < 512 {
                    self.cbuf.reserve(IDLE_BUF_SIZE);
                }
                if self.sbuf.capacity() > 0 {
                    self.sbuf = BytesMut::new();
                }
                if self.out.capacity() > IDLE_BUF_SIZE {
                    self.out = Vec::new();
                }
            }
            let before = self.cbuf.len();
            let read = async {
                if idle {
                    cs.read_buf(&mut self.cbuf).await
                } else {
                    cs.read_buf(room(&mut self.cbuf)).await
                }
            };
            match with_deadline(deadline, read).await {
                None => {
                    // timeout: silent between requests, 408 once a request was started
                    // (HAProxy also answers 408 to a first connection that sent nothing)
                    return Err(if idle || (first && self.fe.ignore_probes && before == 0) {
                        NoRequest::Close
                    } else {
                        NoRequest::Error(408)
                    });
                }
                Some(Ok(0)) | Some(Err(_)) => {
                    self.eof_seen = true;
                    return Err(NoRequest::Close);
                }
                Some(Ok(_)) => {
                    if before == 0 {
                        self.tlog.first_byte.get_or_insert_with(Instant::now);
                    }
                    if before == 0 && !first {
                        deadline = t.http_request.map(|d| crate::proxy::clock::tokio_now() + d);
                    }
                }
            }
        }
    }

    fn ext(&self) -> Ext<'_> {
        Ext {
            // the engine's state plus the server connection's TLS (`ssl_bc*`)
            state: Some(self),
            tables: self.counters.as_ref().map(|c| c as &dyn TableLookup),
        }
    }

    /// Sends a reply produced by the rules (deny, tarpit, return, redirect, auth, custom
    /// error pages) through the H1 encoder as HAProxy does: `connection` header for the
    /// client's version and keep-alive, no body for HEAD. Says what follows.
    async fn send_reply<S: AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        be: Option<&Backend>,
        bytes: &[u8],
        close: bool,
        txn: &mut Txn,
        keep_ok: bool,
    ) -> Next {
        let mode = self.fe.conn_mode;
        let after = self.after_reply(txn, be, bytes);
        let bytes = after.as_deref().unwrap_or(bytes);
        let req = &txn.req;
        let keep = keep_ok && !close && !*self.stop.borrow();
        let rec = &mut self.tlog.rec;
        rec.status = logging::status_of(bytes);
        rec.local_reply = true;
        if rec.term == *b"--" {
            rec.term = *b"LR";
        }
        let r = errors::render(bytes, &req.method, req.version, keep, mode);
        self.tlog.note_head(&r.bytes);
        if cs.write_all(&r.bytes).await.is_err() {
            return Next::Close;
        }
        if r.keep_alive && keep {
            Next::KeepAlive
        } else {
            Next::Close
        }
    }

    async fn transaction<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        mut p: ParsedRequest,
    ) -> Next {
        self.cbuf.advance(p.head_len);
        let head = std::mem::take(&mut p.head);
        let mut txn = Txn::new(head, self.client, self.local, self.fe_name.clone());
        txn.vars.keep_sess(&mut self.vars);
        txn.now_ms = self.engine.now_ms();
        txn.tls = self.tls.clone();
        if self.tlog.first_byte.is_none() {
            // pipelined: the request was already there
            self.tlog.first_byte = self.tlog.head_done;
        }
        let real = (self.client, self.local);
        let next = self.transaction_inner(cs, p, &mut txn).await;
        // `set-src`/`set-dst` hold for this stream only (measured: the next request of
        // the connection sees the real addresses again), its log included
        (self.client, self.local) = (txn.src, txn.dst);
        self.log_end(Some(&txn));
        (self.client, self.local) = real;
        self.vars = std::mem::take(&mut txn.vars);
        next
    }

    async fn transaction_inner<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        p: ParsedRequest,
        txn: &mut Txn,
    ) -> Next {
        let fe = self.fe.clone();

        let keep_ok = p.keep_alive && matches!(p.body, BodyKind::None | BodyKind::Length(0));
        if fe
            .ir
            .settings
            .option("http-buffer-request")
            .is_some_and(|o| o.enabled)
            && let Some(next) = self
                .buffer_body(cs, &p, txn, fe.timeouts.http_request, fe.conn_mode)
                .await
        {
            return next;
        }
        // frontend rules
        if let Some(rules) = &fe.rules {
            let verdict = {
                let ext = self.ext();
                rules.on_request(txn, &ext)
            };
            match verdict {
                Verdict::Continue => {}
                Verdict::Reply {
                    status,
                    bytes,
                    close,
                } => {
                    let term = self.request_reply_term(status, &bytes, txn);
                    self.log_term(term);
                    return self.send_reply(cs, None, &bytes, close, txn, keep_ok).await;
                }
                Verdict::Tarpit { bytes, .. } => {
                    let t0 = crate::proxy::clock::tokio_now();
                    if let Some(d) = fe.timeouts.tarpit {
                        tokio::time::sleep(d).await;
                    }
                    // measured: `-1/202/-1/-1/201 500 ... PT--` (the tarpit time as Tw)
                    self.tlog.no_tr = true;
                    self.tlog.rec.tw = logging::ms_between(t0, crate::proxy::clock::tokio_now());
                    self.log_term(b"PT");
                    return self.send_reply(cs, None, &bytes, false, txn, keep_ok).await;
                }
                Verdict::Close { .. } => return Next::Close,
                Verdict::Service { name } => {
                    return self.service_applet(cs, txn, &name, keep_ok).await;
                }
            }
        }

        (self.client, self.local) = (txn.src, txn.dst);
        // `stats uri` with `stats auth`: HAProxy checks the stats URI after the
        // http-request rules accepted the request
        if let Some(realm) = stats::challenge(&fe.ir.settings.stats, &txn.req) {
            let bytes = fe.errors.auth_challenge(realm, false);
            return self.send_reply(cs, None, &bytes, false, txn, keep_ok).await;
        }
        // the statistics page is an applet: tandem answers it (stats.rs)
        if let Some(next) = self.stats_applet(cs, txn, &p.body, keep_ok, None).await {
            return next;
        }
        self.unique_id(txn);
        // backend choice
        let be = match self.select_backend(txn) {
            Some(be) => be,
            None => {
                // measured: `fe/<NOSRV> -1/-1/-1/-1/0 503 217 - - SC--`
                self.tlog.no_tr = true;
                self.log_term(b"SC");
                return self
                    .send_error(cs, None, 503, txn, keep_ok, fe.conn_mode)
                    .await;
            }
        };
        txn.backend = Some(be.name_arc.clone());
        self.tlog.rec.backend_name = Some(be.name_arc.clone());
        if txn.payload.is_none()
            && be
                .ir
                .settings
                .option("http-buffer-request")
                .is_some_and(|o| o.enabled)
            && let Some(next) = self
                .buffer_body(cs, &p, txn, be.timeouts.http_request, fe.conn_mode)
                .await
        {
            return next;
        }
        if be.name != fe.name
            && let Some(rules) = &be.rules
        {
            let verdict = {
                let ext = self.ext();
                rules.on_request(txn, &ext)
            };
            match verdict {
                Verdict::Continue => {}
                Verdict::Reply {
                    status,
                    bytes,
                    close,
                } => {
                    let term = self.request_reply_term(status, &bytes, txn);
                    self.log_term(term);
                    return self
                        .send_reply(cs, Some(&be), &bytes, close, txn, keep_ok)
                        .await;
                }
                Verdict::Tarpit { bytes, .. } => {
                    let t0 = crate::proxy::clock::tokio_now();
                    if let Some(d) = be.timeouts.tarpit.or(fe.timeouts.tarpit) {
                        tokio::time::sleep(d).await;
                    }
                    // measured: `-1/202/-1/-1/201 500 ... PT--` (the tarpit time as Tw)
                    self.tlog.no_tr = true;
                    self.tlog.rec.tw = logging::ms_between(t0, crate::proxy::clock::tokio_now());
                    self.log_term(b"PT");
                    return self
                        .send_reply(cs, Some(&be), &bytes, false, txn, keep_ok)
                        .await;
                }
                Verdict::Close { .. } => return Next::Close,
                Verdict::Service { name } => {
                    return self.service_applet(cs, txn, &name, keep_ok).await;
                }
            }
        }

        (self.client, self.local) = (txn.src, txn.dst);
        // a backend's own `stats uri` (`stats auth` challenged as the frontend's)
        if be.name != fe.name {
            if let Some(realm) = stats::challenge(&be.ir.settings.stats, &txn.req) {
                let bytes = fe.errors.auth_challenge(realm, false);
                return self
                    .send_reply(cs, Some(&be), &bytes, false, txn, keep_ok)
                    .await;
            }
            if let Some(next) = self
                .stats_applet(cs, txn, &p.body, keep_ok, Some(&be))
                .await
            {
                return next;
            }
        }
        let mode = combine_modes(fe.conn_mode, be.conn_mode);
        self.forwardfor(&mut txn.req, &be);
        h1::prepare_request_for_server(&mut txn.req, mode);

        // `force-persist` / `ignore-persist`, then `use-server` (HAProxy: persist rules in
        // http_process_request, server rules before the cookie and stick decisions count)
        let (force_persist, ignore_persist, use_srv) = match &be.rules {
            Some(rules) => {
                let ext = self.ext();
                let pr = rules.persist_rule(txn, &ext);
                let force = pr == Some(true);
                let srv = rules.use_servers(txn, &ext).into_iter().find_map(|name| {
                    let i = be.servers.iter().position(|s| &*s.name == name)?;
                    // a stopped server is skipped unless persistence is forced
                    (be.server_usable(i) || be.option_persist || force).then_some(i)
                });
                (force, pr == Some(false), srv)
            }
            None => (false, false, None),
        };

        // cookie persistence: the server the cookie names, our cookie removed or unprefixed
        let now_s = crate::proxy::clock::unix_secs();
        let persist = be.cookie.as_ref().map(|cfg| {
            let views = be.server_views();
            let ctx = persist::RequestCtx {
                option_persist: be.option_persist,
                force_persist,
                ignore_persist,
                assigned: use_srv.is_some(),
            };
            persist::process_request(cfg, &mut txn.req, &views, ctx, now_s)
        });

        // stick match / on: a server stored for this key
        let mut sticky = StickRules::new();
        let mut stick_srv: Option<usize> = None;
        for r in be
            .stick_rules
            .iter()
            .filter(|r| r.kind != StickKind::StoreResponse)
        {
            if sticky.skip_request_rule(r.kind, r.table) {
                continue;
            }
            let key = {
                let ext = self.ext();
                let ctx = txn.ctx(&be.name, Dir::Request, &ext);
                r.key(&ctx)
            };
            let Some(key) = key else { continue };
            let assigned = use_srv.is_some()
                || stick_srv.is_some()
                || persist.as_ref().is_some_and(|p| p.server.is_some());
            let now = self.engine.now_ms();
            let mut tables = lock_tables(&self.engine);
            if let Some(id) = sticky.request_rule(&mut tables, r.kind, r.table, key, assigned, now)
            {
                stick_srv = be.server_by_puid(id);
            }
        }

        // `balance hash <expr>`: the sample as binary (HAProxy casts it to SMP_T_BIN: a
        // string's bytes, an int as 8 bytes big endian, an address's octets)
        let hash_key: Option<Vec<u8>> = be.hash_expr.as_ref().and_then(|e| {
            let ext = self.ext();
            let ctx = txn.ctx(&be.name, Dir::Request, &ext);
            e.eval(&ctx).map(|v| hash_bytes(&v))
        });
        // server choice and connection
        let hdrs: Vec<(&str, &str)>;
        let info = {
            hdrs = if be.needs_headers {
                txn.req
                    .headers
                    .iter()
                    .filter_map(|h| Some((h.name.as_str(), h.value_str()?)))
                    .collect()
            } else {
                Vec::new()
            };
            RequestInfo {
                src: Some(self.client.ip()),
                uri: Some(txn.req.uri.as_str()),
                headers: &hdrs,
                is_post: txn.req.method == "POST",
                body: None,
                hash_key: hash_key.as_deref(),
            }
        };
        // `sni <expr>`: evaluated on the request; a connection is reused only for the
        // same value
        let sni_vals = be.eval_sni(|e| {
            let ext = self.ext();
            let ctx = txn.ctx(&be.name, Dir::Request, &ext);
            let mut v = Vec::new();
            e.eval_bytes(&ctx, &mut v)
                .then(|| String::from_utf8_lossy(&v).into_owned())
        });
        let mut opts = ConnectOpts {
            local: Some(self.local),
            force: use_srv
                .or(persist.as_ref().and_then(|p| p.server))
                .or(stick_srv)
                .or_else(|| self.idle.last_server(&be)),
            force_persist,
            // `set-src`/`set-dst`: no idle PROXY-header connection of the client fits
            idle: (!txn.addr_changed).then_some(&mut self.idle),
            first_request: self.nreq == 1 && !self.h2_stream,
            sni: &sni_vals,
            retries_done: 0,
            avoid: None,
            client: Some(self.client),
        };
        // `option abortonclose`: a client that closes while its request waits in a queue
        // or for a connection is dropped instead of being sent to a server
        let t_connect = crate::proxy::clock::tokio_now();
        let conn = if be.abortonclose || fe.abortonclose {
            tokio::select! {
                c = be.connect_stream_with(&info, &mut opts) => c,
                _ = client_closed(cs, &mut self.cbuf) => {
                    self.tlog.rec.status = -1;
                    self.log_term(b"CC");
                    return Next::Close;
                }
            }
        } else {
            be.connect_stream_with(&info, &mut opts).await
        };
        let retries_done = opts.retries_done;
        let redispatched = opts.avoid.is_some();
        let direct = opts.force.is_some();
        drop(hdrs);
        let waited = logging::ms_between(t_connect, crate::proxy::clock::tokio_now());
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                // measured: no server `0/-1/-1/-1/0 503 SC--`; refused connections
                // `0/0/-1/-1/3005 503 SC-- .../3` (retries); queue timeout `sQ--`
                let r = &mut self.tlog.rec;
                match e {
                    ConnectError::NoServer => r.term = *b"SC",
                    ConnectError::QueueFull | ConnectError::QueueTimeout => {
                        r.term = *b"sQ";
                        r.tw = waited;
                    }
                    ConnectError::Failed(f) => {
                        // measured: a connect timeout at the last attempt is `sC--`
                        r.term = if f.timeout { *b"sC" } else { *b"SC" };
                        r.tw = 0;
                        r.retries = retries_done;
                        r.redispatched = redispatched;
                        // HAProxy logs the last server tried (`be/s9`), not `<NOSRV>`
                        r.server_name = be.servers.get(f.server).map(|s| s.name.clone());
                        r.server_idx = Some(f.server);
                    }
                }
                return self
                    .send_error(cs, Some(&be), 503, txn, keep_ok, mode)
                    .await;
            }
        };
        txn.server = Some(conn.name.clone());
        self.bc_tls = conn.stream.tls_info();
        crate::proxy::api::sess::note_route(&be.name_arc, &conn.name);
        {
            let r = &mut self.tlog.rec;
            r.server_name = Some(conn.name.clone());
            r.server_idx = Some(conn.server);
            // `%bi:%bp`: the local end of the server connection, only read (getsockname)
            // when a log line will be sent
            if self.fe.log.as_ref().is_some_and(|l| l.is_active()) {
                r.backend_src = conn.stream.local_addr().ok();
            }
            r.server_addr = be
                .servers
                .get(conn.server)
                .and_then(|s| match s.current_addr() {
                    crate::proxy::backend::ServerAddr::Fixed(a) => Some(a),
                    crate::proxy::backend::ServerAddr::Relative { .. } => None,
                });
            r.tw = 0;
            r.tc = waited;
            r.retries = retries_done;
            r.redispatched = redispatched;
        }

        // `compression`: the algorithm is chosen from the request once the backend is known
        // (`offload` removes accept-encoding before the head goes out)
        let comp_algo = if compress::enabled(&be.ir.settings, &fe.ir.settings) {
            compress::select_request(&be.ir.settings, &fe.ir.settings, &mut txn.req)
        } else {
            None
        };

        self.out.clear();
        // `send-proxy` / `send-proxy-v2`: a new server connection starts with the PROXY
        // header (the client's addresses as the frontend saw them)
        if !conn.reused && !conn.proxy_sent {
            self.push_proxy_header(&be, conn.server);
        }
        send_name_header(&be, &mut txn.req, &conn.name);
        h1::write_request_head(&txn.req, &mut self.out);
        let head_end = self.out.len();
        let mut req_body = BodyTracker::new(p.body);
        let mut req_done = matches!(p.body, BodyKind::None | BodyKind::Length(0));
        if !req_done && !self.cbuf.is_empty() {
            match req_body.advance(&self.cbuf) {
                Ok(pr) => {
                    self.out.extend_from_slice(&self.cbuf[..pr.consumed]);
                    self.cbuf.advance(pr.consumed);
                    req_done = pr.done;
                }
                Err(_) => {
                    self.log_term(b"PD");
                    return self.send_error(cs, Some(&be), 400, txn, false, mode).await;
                }
            }
        }
        let body_in_out = req_done;
        // `retry-on` beyond `conn-failure`: the request is kept when it was whole in the
        // buffer when first sent (HAProxy's L7 buffer)
        let mut l7 = (be.retry_on.after_send()
            && body_in_out
            && !txn.l7_retry_disabled
            && crate::proxy::rules::retry::fits_buffer(
                &txn.req,
                self.out.len().saturating_sub(head_end),
            ))
        .then(|| L7Retry {
            body: self
                .out
                .get(head_end..)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
            retries_done,
            direct,
            force_persist,
        });

        // send the head; a reused connection that turns out closed is replaced once
        self.sbuf.clear();
        conn.stream.set_client_scheme(self.h2_scheme());
        let mut sent = conn.stream.write_all(&self.out).await.is_ok();
        if !sent && conn.reused && body_in_out {
            // boxed (as the other rare paths below): the transaction's state machine is
            // as large as its largest awaited future, and is moved whole into its box
            match Box::pin(self.reconnect(&be, conn, &info_src(&txn.req, self.client), &sni_vals))
                .await
            {
                Some(c) => {
                    conn = c;
                    sent = conn.stream.write_all(&self.out).await.is_ok();
                }
                None => {
                    self.log_term(b"SC");
                    return self
                        .send_error(cs, Some(&be), 503, txn, keep_ok, mode)
                        .await;
                }
            }
        }
        if !sent {
            self.log_term(b"SH");
            return self
                .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                .await;
        }
        let t_sent = crate::proxy::clock::tokio_now();
        let _ = head_end;

        // request body and response head
        // `http-request set-timeout server|tunnel` override the backend's
        let t_server = txn.timeout_server.or(be.timeouts.server);
        let t_client = fe.timeouts.client;
        let method_is_head = txn.req.method.eq_ignore_ascii_case("HEAD");
        // only HEAD and CONNECT change the response's framing; a static name keeps
        // `txn.req` free for a redispatch's `http-send-name-header`
        let method = if method_is_head {
            "HEAD"
        } else if txn.req.method.eq_ignore_ascii_case("CONNECT") {
            "CONNECT"
        } else {
            "GET"
        };
        let mut retried = false;
        // `retry-on EVENT`: the kept request goes out again (HAProxy's `do_l7_retry`)
        macro_rules! retry_on {
            ($event:expr) => {
                if $event
                    && let Some(k) = l7.as_mut()
                    && k.retries_done < be.retries
                {
                    match Box::pin(self.l7_retry(&be, conn, txn, k, &sni_vals)).await {
                        Some(c) => {
                            conn = c;
                            continue;
                        }
                        None => {
                            self.log_term(b"SC");
                            return self
                                .send_error(cs, Some(&be), 503, txn, keep_ok, mode)
                                .await;
                        }
                    }
                }
            };
        }
        let res = loop {
            if !self.sbuf.is_empty() {
                match h1::parse_response(&self.sbuf, method) {
                    Ok(Some(r)) if r.informational => {
                        // 1xx (100-continue...): forwarded as is, another response follows
                        let n = r.head_len;
                        self.out.clear();
                        h1::write_response_head(&r.head, &mut self.out);
                        self.sbuf.advance(n);
                        self.tlog.note_head(&self.out);
                        if cs.write_all(&self.out).await.is_err() {
                            return Next::Close;
                        }
                        continue;
                    }
                    Ok(Some(r)) => {
                        // `observe layer7` (checks/observe.rs)
                        be.observe(
                            conn.server,
                            crate::proxy::checks::observe::Hana::of_status(r.head.status),
                        );
                        retry_on!(be.retry_on.status(r.head.status));
                        break r;
                    }
                    Ok(None) if self.sbuf.len() >= MAX_HEAD => {
                        retry_on!(be.retry_on.junk_response());
                        self.log_term(b"PH");
                        return self
                            .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                            .await;
                    }
                    Ok(None) => {}
                    Err(_) => {
                        // `show errors` keeps the last invalid response of the backend
                        let puid = be.servers.get(conn.server).map_or(0, |s| s.puid);
                        crate::proxy::api::errors::capture(
                            &self.engine,
                            true,
                            &self.fe.name,
                            Some((&be.name, Some((&conn.name, puid)))),
                            Some(self.client),
                            &self.sbuf,
                        );
                        retry_on!(be.retry_on.junk_response());
                        self.log_term(b"PH");
                        return self
                            .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                            .await;
                    }
                }
            }
            let ev = if req_done {
                match with_timeout(t_server, conn.stream.read_buf(room(&mut self.sbuf))).await {
                    None => Pump::ServerTimeout,
                    Some(Ok(0)) | Some(Err(_)) => Pump::ServerClosed,
                    Some(Ok(_)) => Pump::Progress,
                }
            } else {
                self.pump_request_body(cs, &mut conn.stream, &mut req_body, t_client, t_server)
                    .await
            };
            match ev {
                Pump::Progress => {}
                Pump::BodyDone => req_done = true,
                Pump::ServerTimeout => {
                    retry_on!(req_done && be.retry_on.response_timeout());
                    return self
                        .send_error(cs, Some(&be), 504, txn, keep_ok, mode)
                        .await;
                }
                Pump::ServerClosed => {
                    // a truncated head is junk, no byte at all an empty response
                    retry_on!(if self.sbuf.is_empty() {
                        be.retry_on.empty_response()
                    } else {
                        be.retry_on.junk_response()
                    });
                    // a reused connection closed by the server before answering: the
                    // request is sent again on a new connection when it had no body left
                    if conn.reused && body_in_out && self.sbuf.is_empty() && !retried {
                        retried = true;
                        match Box::pin(self.reconnect(
                            &be,
                            conn,
                            &info_src(&txn.req, self.client),
                            &sni_vals,
                        ))
                        .await
                        {
                            Some(c) => conn = c,
                            None => {
                                return self
                                    .send_error(cs, Some(&be), 503, txn, keep_ok, mode)
                                    .await;
                            }
                        }
                        self.out.clear();
                        send_name_header(&be, &mut txn.req, &conn.name);
                        h1::write_request_head(&txn.req, &mut self.out);
                        if conn.stream.write_all(&self.out).await.is_err() {
                            return self
                                .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                                .await;
                        }
                        continue;
                    }
                    return self
                        .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                        .await;
                }
                Pump::ClientGone => {
                    self.tlog.rec.status = -1;
                    self.log_term(b"CD");
                    return Next::Close;
                }
                Pump::BadBody => {
                    return self.send_error(cs, Some(&be), 400, txn, false, mode).await;
                }
            }
        };
        self.sbuf.advance(res.head_len);
        let mut rhead = res.head;
        self.tlog.rec.tr = logging::ms_between(t_sent, crate::proxy::clock::tokio_now());
        self.tlog.rec.status = i32::from(rhead.status);
        if let Some(c) = &self.counters {
            c.http_status(rhead.status, self.engine.now_ms());
        }

        // HAProxy's H1 mux refuses a 101 the request did not ask for (no `Connection:
        // upgrade`) and a WebSocket 101 without `Sec-WebSocket-Accept` (measured: 502)
        if rhead.status == 101 && !valid_101(&txn.req, &rhead) {
            self.log_term(b"PH");
            return self
                .send_error(cs, Some(&be), 502, txn, keep_ok, mode)
                .await;
        }

        // upgrade / tunnel
        if rhead.status == 101 || (method == "CONNECT" && (200..300).contains(&rhead.status)) {
            self.out.clear();
            h1::write_response_head(&rhead, &mut self.out);
            self.tlog.note_head(&self.out);
            if cs.write_all(&self.out).await.is_err() {
                return Next::Close;
            }
            let tt = txn
                .timeout_tunnel
                .or(be.timeouts.tunnel)
                .or(t_server)
                .or(t_client);
            self.tunnel(cs, &mut conn.stream, tt, be.timeouts.server_fin)
                .await;
            return Next::Close;
        }

        // HAProxy decides on compression before the response rules run
        let mut comp = comp_algo.and_then(|a| {
            compress::Encoder::for_response(
                a,
                &be.ir.settings,
                &fe.ir.settings,
                &txn.req,
                &mut rhead,
                res.body,
            )
        });

        // response rules
        txn.res = Some(std::mem::take(&mut rhead));
        let mut reply: Option<(Vec<u8>, bool)> = None;
        let mut close_now = false;
        {
            let ext = self.ext();
            let second = (be.name != fe.name).then_some(()).and(fe.rules.as_ref());
            for rules in [be.rules.as_ref(), second].into_iter().flatten() {
                match rules.on_response(txn, &ext) {
                    Verdict::Continue => {}
                    Verdict::Reply { bytes, close, .. } => {
                        reply = Some((bytes, close));
                        break;
                    }
                    Verdict::Tarpit { bytes, .. } => {
                        reply = Some((bytes, true));
                        break;
                    }
                    Verdict::Close { .. } => {
                        close_now = true;
                        break;
                    }
                    // use-service is a request action only
                    Verdict::Service { .. } => {}
                }
            }
        }
        if close_now {
            self.log_term(b"PH");
            return Next::Close;
        }
        if let Some((bytes, close)) = reply {
            // the server connection (its response body unread) is dropped; measured
            // (`http-response deny`): `0/0/0/-1/0 502 290 - - PH--`
            self.tlog.rec.tr = -1;
            self.log_term(b"PH");
            return self
                .send_reply(cs, Some(&be), &bytes, close, txn, keep_ok)
                .await;
        }
        if !be.stick_rules.is_empty() {
            for r in be
                .stick_rules
                .iter()
                .filter(|r| r.kind == StickKind::StoreResponse)
            {
                if sticky.skip_response_rule(r.table) {
                    continue;
                }
                let key = {
                    let ext = self.ext();
                    let ctx = txn.ctx(&be.name, Dir::Response, &ext);
                    r.key(&ctx)
                };
                if let Some(key) = key {
                    sticky.response_rule(r.table, key);
                }
            }
            if let Some(srv) = be.servers.get(conn.server) {
                let now = self.engine.now_ms();
                let mut tables = lock_tables(&self.engine);
                sticky.commit(
                    &mut tables,
                    i64::from(srv.puid),
                    &srv.name,
                    srv.non_stick,
                    now,
                );
            }
        }
        let mut rhead = txn.res.take().unwrap_or_default();
        if let (Some(cfg), Some(pers)) = (be.cookie.as_ref(), persist.as_ref()) {
            let views = be.server_views();
            let ctx = persist::ResponseCtx {
                server: Some(conn.server),
                // `use-server` also sets SF_DIRECT: no cookie is inserted (measured)
                direct: pers.server == Some(conn.server) || use_srv == Some(conn.server),
                post: txn.req.method == "POST",
                cacheable_request: matches!(txn.req.method.as_str(), "GET" | "HEAD"),
                ignore_persist,
            };
            let set = persist::process_response(cfg, &mut rhead, &views, pers, ctx, now_s);
            self.tlog.rec.cookie_state = [pers.status.log_char() as u8, set.log_char() as u8];
        }
        // `http-after-response`: backend's rules first, then the frontend's
        let after_fe = (be.name != fe.name).then_some(()).and(fe.rules.as_ref());
        if be.rules.is_some() || after_fe.is_some() {
            txn.res = Some(rhead);
            {
                let ext = self.ext();
                for rules in [be.rules.as_ref(), after_fe].into_iter().flatten() {
                    rules.on_after_response(txn, &ext);
                }
            }
            rhead = txn.res.take().unwrap_or_default();
        }

        let stopping = *self.stop.borrow();
        let pres = ParsedResponse {
            head: Default::default(),
            head_len: res.head_len,
            body: res.body,
            keep_alive: res.keep_alive,
            informational: false,
        };
        let client_keep = h1::client_keep_alive(mode, &p, &pres, false) && !stopping;
        let server_keep = h1::server_keep_alive(mode, &p, &pres);
        // an HTTP/2 stream's head has no connection header, and keeps a 204's length
        if self.h2.is_none() {
            h1::prepare_response_for_client(&mut rhead, txn.req.version, client_keep);
        }
        // an h2 server's response has no framing header of its own: HAProxy's HTTP/1
        // output adds `transfer-encoding` after every other header (measured)
        if conn.stream.is_h2() && rhead.headers.remove("transfer-encoding") > 0 {
            rhead.headers.add("transfer-encoding", "chunked");
        }

        self.out.clear();
        // An HTTP/2 stream takes the final head decoded: its HTTP/1 text is not written,
        // only counted as if it were (`%B`, `bout`). A head whose text the HTTP/1 parser
        // would read differently (see `as_parsed`) goes as text, parsed by the stream.
        let mut head_decoded = false;
        if let Some(e) = &self.h2
            && (rhead.status >= 200 || rhead.status == 101)
        {
            let text_len = h1::response_head_len(&rhead);
            let adj = logging::htx_adj_head(&rhead);
            if crate::proxy::http::h2::stream_io::as_parsed(&mut rhead) {
                self.io
                    .tx
                    .fetch_add(text_len as u64, std::sync::atomic::Ordering::Relaxed);
                self.tlog.head_adj += adj;
                e.link.offer_head(rhead);
                head_decoded = true;
            } else {
                h1::write_response_head(&rhead, &mut self.out);
            }
        } else {
            h1::write_response_head(&rhead, &mut self.out);
        }
        let mut tracker = BodyTracker::new(res.body);
        let mut res_done = matches!(res.body, BodyKind::None | BodyKind::Length(0));
        // a HEAD turned into another method by `set-method`: the server's body is read
        // but not sent (HAProxy's H1 mux skips the payload of a response to HEAD)
        let client_head = txn
            .orig_request
            .as_ref()
            .map_or(method_is_head, |(m, _)| m.eq_ignore_ascii_case("HEAD"));
        let skip_body = client_head && !method_is_head;
        let head_out = self.out.len();
        if !res_done && !self.sbuf.is_empty() {
            let step = match comp.as_mut() {
                Some(c) => c.encode(&mut tracker, &self.sbuf, &mut self.out),
                None => tracker.advance(&self.sbuf).inspect(|pr| {
                    self.out.extend_from_slice(&self.sbuf[..pr.consumed]);
                }),
            };
            match step {
                Ok(pr) => {
                    self.sbuf.advance(pr.consumed);
                    res_done = pr.done;
                    if skip_body {
                        self.out.truncate(head_out);
                    }
                }
                Err(_) => {
                    if !head_decoded {
                        self.tlog.note_head(&self.out);
                    }
                    let _ = cs.write_all(&self.out).await;
                    self.log_term(b"SD");
                    return Next::Close;
                }
            }
        }
        // (a decoded head was counted above: `out` holds body bytes only, which may
        // well start with `HTTP/`)
        if !head_decoded {
            self.tlog.note_head(&self.out);
        }
        // an HTTP/2 stream ends with the head of a response to HEAD; HAProxy ends it once
        // the server's body is drained, so that the client's next stream finds the server
        // connection free: the head waits for the body here. A response that is whole
        // already waits for its server connection to be idle: a client that reconnects at
        // once then finds it in the pool, as with HAProxy (measured: `connect` 1 for three
        // client connections in a row with `http-reuse always`)
        let deferred = ((skip_body && self.h2.is_some()) || (res_done && req_done))
            .then(|| std::mem::take(&mut self.out));
        if deferred.is_none() && cs.write_all(&self.out).await.is_err() {
            self.log_term(b"CD");
            return Next::Close;
        }
        // a decoded head with no body bytes yet goes out now, not with the first of them
        if head_decoded && deferred.is_none() && self.out.is_empty() && cs.flush().await.is_err() {
            self.log_term(b"CD");
            return Next::Close;
        }
        // (a held-back head counts as sent: HAProxy logs once it has the head, with the
        // server connection still counted)
        self.log_asap(txn, deferred.as_ref().map_or(0, |d| d.len()));

        // response body (and the rest of the request body if the server answered early)
        let mut big: Option<BytesMut> = None;
        let mut extra = false;
        while !res_done || !req_done {
            if !req_done {
                // the server answered before the whole request body arrived: HAProxy keeps
                // forwarding it; we do the same while streaming the response
                match self
                    .pump_both(
                        cs,
                        &mut conn.stream,
                        &mut req_body,
                        &mut tracker,
                        comp.as_mut(),
                        res_done,
                        t_client,
                        t_server,
                    )
                    .await
                {
                    Both::Req(true) => req_done = true,
                    Both::Res(true) => res_done = true,
                    Both::Req(false) | Both::Res(false) => {}
                    Both::Fail => {
                        self.log_term(b"CD");
                        return Next::Close;
                    }
                }
                continue;
            }
            // larger reads for bodies that did not come with the head: fewer syscalls for
            // big responses; allocated per transaction so idle connections stay small
            let buf = big.get_or_insert_with(|| BytesMut::with_capacity(BODY_BUF_SIZE));
            buf.clear();
            match with_timeout(t_server, conn.stream.read_buf(buf)).await {
                None => {
                    self.log_term(b"sD");
                    return Next::Close;
                }
                Some(Err(_)) => {
                    self.log_term(b"SD");
                    return Next::Close;
                }
                Some(Ok(0)) => {
                    if res.body == BodyKind::UntilClose {
                        res_done = true;
                        continue;
                    }
                    self.log_term(b"SD");
                    return Next::Close;
                }
                Some(Ok(_)) => {}
            }
            let mut zout = Vec::new();
            let step = match comp.as_mut() {
                Some(c) => c.encode(&mut tracker, buf, &mut zout),
                None => tracker.advance(buf),
            };
            match step {
                Ok(pr) => {
                    let bytes = if skip_body {
                        &[][..]
                    } else if comp.is_some() {
                        &zout[..]
                    } else {
                        &buf[..pr.consumed]
                    };
                    // a client that stops reading is dropped after `timeout client`
                    let w = with_timeout(t_client, cs.write_all(bytes)).await;
                    if !matches!(w, Some(Ok(()))) {
                        self.log_term(if w.is_none() { b"cD" } else { b"CD" });
                        return Next::Close;
                    }
                    res_done = pr.done;
                    extra |= pr.consumed < buf.len();
                }
                Err(_) => {
                    self.log_term(b"SD");
                    return Next::Close;
                }
            }
        }
        let leftover = extra || !self.sbuf.is_empty();
        self.sbuf.clear();

        // the transaction ends: the slot is freed, the connection may stay
        // HAProxy 2.6 gives it to the server's idle lists (not to this client
        // connection), so an idle client holds no server connection and the next request
        // may land on another one; connections that carry a PROXY header stay private
        let (srv, stream) = conn.into_idle();
        if server_keep && !leftover {
            // `http-reuse never` connections stay with their session too (measured: the
            // next request on the same server reuses it)
            let private = be.reuse == crate::proxy::backend::Reuse::Never
                || be.servers.get(srv).is_some_and(|s| {
                    let o = &s.ir.opts;
                    o.send_proxy || o.send_proxy_v2 || o.send_proxy_v2_ssl || o.send_proxy_v2_ssl_cn
                });
            if private && client_keep && !txn.addr_changed {
                self.idle.put(&be, srv, stream);
            } else if !private {
                be.park(srv, stream, self.nreq > 1);
            }
        }
        // (a response held back whole is sent once its server connection is idle: the
        // client's next connection finds it in the pool, as with HAProxy)
        if let Some(mut head) = deferred {
            if cs.write_all(&head).await.is_err() {
                self.log_term(b"CD");
                return Next::Close;
            }
            // the scratch buffer keeps its capacity for the next transaction
            head.clear();
            self.out = head;
        }
        if client_keep {
            Next::KeepAlive
        } else {
            Next::Close
        }
    }

    /// A new connection to the same backend after a reused one failed (the old slot is
    /// freed first).
    async fn reconnect(
        &mut self,
        be: &Arc<Backend>,
        old: ServerConn<ServerStream>,
        info: &(Option<std::net::IpAddr>, String),
        sni: &[Option<String>],
    ) -> Option<ServerConn<ServerStream>> {
        // balanced again: a server that closed its idle connections may be gone (a
        // refused connect to it would otherwise wait for the retry turn-around)
        let force = None;
        drop(old);
        let req = RequestInfo {
            src: info.0,
            uri: Some(info.1.as_str()),
            ..RequestInfo::default()
        };
        let mut opts = ConnectOpts {
            local: Some(self.local),
            force,
            force_persist: false,
            idle: None,
            first_request: true,
            sni,
            retries_done: 0,
            avoid: None,
            client: Some(self.client),
        };
        let mut conn = be.connect_stream_with(&req, &mut opts).await.ok()?;
        conn.stream.set_client_scheme(self.h2_scheme());
        if !conn.reused && !conn.proxy_sent {
            let saved = std::mem::take(&mut self.out);
            self.push_proxy_header(be, conn.server);
            let header = std::mem::replace(&mut self.out, saved);
            if !header.is_empty() && conn.stream.write_all(&header).await.is_err() {
                return None;
            }
        }
        Some(conn)
    }

    /// `option http-buffer-request` (HAProxy 2.6 `http_wait_for_request_body`): waits for
    /// the whole body, or as much as the buffer holds, before the rules run; `req.body`
    /// then sees it (de-chunked). The bytes stay in `cbuf` for the forwarding. Measured
    /// on 2.6.12: an HTTP/1.1 `Expect: 100-continue` gets `100 Continue` from the proxy at
    /// once (even when the body came with the head) and the header is not forwarded; a
    /// body not complete within `timeout http-request` (from the end of the head) gets a
    /// 408 and the connection closes. `Some`: the transaction ended here.
    async fn buffer_body<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        p: &ParsedRequest,
        txn: &mut Txn,
        timeout: Option<Duration>,
        mode: ConnMode,
    ) -> Option<Next> {
        if matches!(p.body, BodyKind::None | BodyKind::Length(0)) {
            txn.payload = Some(Vec::new());
            return None;
        }
        if p.expect_continue && txn.req.headers.remove("expect") > 0 {
            let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
            self.tlog.note_head(interim);
            if cs.write_all(interim).await.is_err() {
                return Some(Next::Close);
            }
        }
        let budget = crate::proxy::rules::retry::body_budget(&txn.req);
        let deadline = timeout.map(|d| crate::proxy::clock::tokio_now() + d);
        loop {
            // decoded again from the start at each read: at most a buffer's worth
            let mut tracker = BodyTracker::new(p.body);
            let mut data = Vec::new();
            // a malformed body is left to the forwarding, which answers it
            let done = tracker
                .advance_payload(&self.cbuf, &mut data)
                .map_or(true, |pr| pr.done);
            if done || data.len() >= budget {
                data.truncate(budget);
                txn.payload = Some(data);
                return None;
            }
            match with_deadline(deadline, cs.read_buf(room(&mut self.cbuf))).await {
                None => {
                    self.log_term(b"cR");
                    return Some(self.send_error(cs, None, 408, txn, false, mode).await);
                }
                Some(Ok(0)) | Some(Err(_)) => {
                    self.log_term(b"CR");
                    return Some(Next::Close);
                }
                Some(Ok(_)) => {}
            }
        }
    }

    /// `retry-on`: the kept request sent again (HAProxy 2.6 `do_l7_retry`): to the same
    /// server at once, or to another one when `option redispatch` says so for this retry
    /// number. `None`: no connection could be made (503).
    async fn l7_retry(
        &mut self,
        be: &Arc<Backend>,
        old: ServerConn<ServerStream>,
        txn: &mut Txn,
        kept: &mut L7Retry,
        sni: &[Option<String>],
    ) -> Option<ServerConn<ServerStream>> {
        kept.retries_done += 1;
        let srv = old.server;
        // the server connection and its unread response go
        drop(old);
        self.sbuf.clear();
        let redisp = be.retry_redispatch(srv, kept.retries_done, kept.direct, kept.force_persist);
        let (src, uri) = info_src(&txn.req, self.client);
        let req = RequestInfo {
            src,
            uri: Some(uri.as_str()),
            ..RequestInfo::default()
        };
        let mut opts = ConnectOpts {
            local: Some(self.local),
            force: (!redisp).then_some(srv),
            force_persist: kept.force_persist,
            idle: None,
            first_request: true,
            sni,
            retries_done: kept.retries_done,
            avoid: redisp.then_some(srv),
            client: Some(self.client),
        };
        let mut conn = be.connect_stream_with(&req, &mut opts).await.ok()?;
        kept.retries_done = opts.retries_done;
        kept.direct &= !redisp;
        conn.stream.set_client_scheme(self.h2_scheme());
        txn.server = Some(conn.name.clone());
        self.bc_tls = conn.stream.tls_info();
        self.tlog.rec.server_name = Some(conn.name.clone());
        self.tlog.rec.server_idx = Some(conn.server);
        self.out.clear();
        if !conn.reused && !conn.proxy_sent {
            self.push_proxy_header(be, conn.server);
        }
        send_name_header(be, &mut txn.req, &conn.name);
        h1::write_request_head(&txn.req, &mut self.out);
        self.out.extend_from_slice(&kept.body);
        conn.stream.write_all(&self.out).await.ok()?;
        Some(conn)
    }

    /// An HTTP/2 client's scheme, which an h2 server connection keeps (with the
    /// authority), as HAProxy does; `None` for an HTTP/1 client.
    fn h2_scheme(&self) -> Option<&'static str> {
        self.h2_stream
            .then_some(if self.tls.is_some() { "https" } else { "http" })
    }

    /// Appends the PROXY protocol header a server's `send-proxy*` asks for to `out`.
    fn push_proxy_header(&mut self, be: &Backend, srv: usize) {
        if let Some(h) = be
            .servers
            .get(srv)
            .and_then(|s| crate::proxy::tcp::proxy_header_for(&s.ir.opts, self.client, self.local))
        {
            self.out.extend_from_slice(&h);
        }
    }

    fn select_backend(&self, txn: &Txn) -> Option<Arc<Backend>> {
        let fe = &self.fe;
        if let Some(rules) = &fe.rules {
            let ext = self.ext();
            if let Some(name) = rules.select_backend(txn, &ext) {
                return self.engine.backend(&name);
            }
            return fe.own_backend.clone();
        }
        for (u, b) in &fe.use_backends {
            if u.cond.is_none()
                && let Some(b) = b
            {
                return Some(b.clone());
            }
        }
        fe.fallback_backend().cloned()
    }

    /// `option forwardfor [except NET] [header NAME] [if-none]`.
    /// Then `option originalto [except NET] [header NAME]` with the local address.
    fn forwardfor(&self, req: &mut RequestHead, be: &Backend) {
        let ff = be.forwardfor.as_ref().or(self.fe.forwardfor.as_ref());
        if let Some(ff) = ff {
            let ip = self.client.ip();
            let except = self.fe.forwardfor.as_ref().is_some_and(|f| f.excepted(ip))
                || be.forwardfor.as_ref().is_some_and(|f| f.excepted(ip));
            // HAProxy 2.6: `if-none` holds only when neither side has the plain option
            // (`(fe->options | be->options) & PR_O_FF_ALWAYS`).
            let always = [&self.fe.forwardfor, &be.forwardfor]
                .iter()
                .any(|f| f.as_ref().is_some_and(|f| !f.if_none));
            let present = !always && req.headers.contains(&ff.header);
            if !except && !present {
                let ip = match ip {
                    std::net::IpAddr::V6(v6) => {
                        v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip)
                    }
                    v4 => v4,
                };
                req.headers.add(ff.header.clone(), ip.to_string());
            }
        }
        if let Some(ot) = be.originalto.as_ref().or(self.fe.originalto.as_ref()) {
            let ip = self.local.ip();
            let except = self.fe.originalto.as_ref().is_some_and(|f| f.excepted(ip))
                || be.originalto.as_ref().is_some_and(|f| f.excepted(ip));
            if !except {
                let ip = match ip {
                    std::net::IpAddr::V6(v6) => {
                        v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip)
                    }
                    v4 => v4,
                };
                req.headers.add(ot.header.clone(), ip.to_string());
            }
        }
    }

    /// Waits for either request body bytes from the client (forwarded to the server) or
    /// response bytes from the server (left in `sbuf`).
    async fn pump_request_body<S: AsyncRead + Unpin>(
        &mut self,
        cs: &mut S,
        ss: &mut ServerStream,
        tracker: &mut BodyTracker,
        t_client: Option<Duration>,
        t_server: Option<Duration>,
    ) -> Pump {
        let t = match (t_client, t_server) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        let ev = with_timeout(t, async {
            tokio::select! {
                r = ss.read_buf(room(&mut self.sbuf)) => match r {
                    Ok(0) | Err(_) => Side::ServerEof,
                    Ok(_) => Side::Server,
                },
                r = cs.read_buf(room(&mut self.cbuf)) => match r {
                    Ok(0) | Err(_) => Side::ClientEof,
                    Ok(_) => Side::Client,
                },
            }
        })
        .await;
        match ev {
            None => Pump::ServerTimeout,
            Some(Side::ServerEof) => Pump::ServerClosed,
            Some(Side::Server) => Pump::Progress,
            Some(Side::ClientEof) => Pump::ClientGone,
            Some(Side::Client) => match tracker.advance(&self.cbuf) {
                Ok(pr) => {
                    if ss.write_all(&self.cbuf[..pr.consumed]).await.is_err() {
                        return Pump::ServerClosed;
                    }
                    self.cbuf.advance(pr.consumed);
                    if pr.done {
                        Pump::BodyDone
                    } else {
                        Pump::Progress
                    }
                }
                Err(_) => Pump::BadBody,
            },
        }
    }

    /// Both directions at once after the response head went out.
    #[allow(clippy::too_many_arguments)]
    async fn pump_both<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        ss: &mut ServerStream,
        req: &mut BodyTracker,
        res: &mut BodyTracker,
        comp: Option<&mut compress::Encoder>,
        res_done: bool,
        t_client: Option<Duration>,
        t_server: Option<Duration>,
    ) -> Both {
        let t = match (t_client, t_server) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        self.sbuf.clear();
        let ev = with_timeout(t, async {
            tokio::select! {
                r = ss.read_buf(room(&mut self.sbuf)), if !res_done => match r {
                    Ok(0) | Err(_) => Side::ServerEof,
                    Ok(_) => Side::Server,
                },
                r = cs.read_buf(room(&mut self.cbuf)) => match r {
                    Ok(0) | Err(_) => Side::ClientEof,
                    Ok(_) => Side::Client,
                },
            }
        })
        .await;
        match ev {
            None | Some(Side::ServerEof) | Some(Side::ClientEof) => Both::Fail,
            Some(Side::Server) => {
                let step = match comp {
                    Some(c) => {
                        self.out.clear();
                        c.encode(res, &self.sbuf, &mut self.out)
                            .map(|pr| (pr, true))
                    }
                    None => res.advance(&self.sbuf).map(|pr| (pr, false)),
                };
                let Ok((pr, compressed)) = step else {
                    return Both::Fail;
                };
                let bytes = if compressed {
                    &self.out[..]
                } else {
                    &self.sbuf[..pr.consumed]
                };
                if cs.write_all(bytes).await.is_err() {
                    return Both::Fail;
                }
                self.sbuf.advance(pr.consumed);
                Both::Res(pr.done)
            }
            Some(Side::Client) => match req.advance(&self.cbuf) {
                Ok(pr) => {
                    if ss.write_all(&self.cbuf[..pr.consumed]).await.is_err() {
                        return Both::Fail;
                    }
                    self.cbuf.advance(pr.consumed);
                    Both::Req(pr.done)
                }
                Err(_) => Both::Fail,
            },
        }
    }

    /// Copies both ways until one side closes or nothing moves for `timeout`.
    ///
    /// Half-close as HAProxy 2.6 does it in an HTTP tunnel (measured on loopback with a
    /// WebSocket upgrade): a client FIN is passed on (shutdown of the server's write side)
    /// and the server may still answer; from that FIN on, the server side is held to
    /// `timeout server-fin` when set (counted from the FIN, refreshed by traffic), else the
    /// tunnel timeout keeps running from the last transfer (the FIN is not activity). A
    /// server FIN closes both connections at once (`timeout client-fin` then only bounds
    /// HAProxy's lingering close of the client socket, which a client cannot observe).
    async fn tunnel<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        cs: &mut S,
        ss: &mut ServerStream,
        timeout: Option<Duration>,
        server_fin: Option<Duration>,
    ) {
        // bytes that arrived with the heads go first
        if !self.sbuf.is_empty() {
            if cs.write_all(&self.sbuf).await.is_err() {
                return;
            }
            self.sbuf.clear();
        }
        if !self.cbuf.is_empty() {
            if ss.write_all(&self.cbuf).await.is_err() {
                return;
            }
            self.cbuf.clear();
        }
        let mut c_open = true;
        let mut last = crate::proxy::clock::tokio_now();
        loop {
            let limit = if c_open {
                timeout
            } else {
                server_fin.or(timeout)
            };
            let ev = with_deadline(limit.map(|d| last + d), async {
                tokio::select! {
                    r = ss.read_buf(room(&mut self.sbuf)) => match r {
                        Ok(0) | Err(_) => Side::ServerEof,
                        Ok(_) => Side::Server,
                    },
                    r = cs.read_buf(room(&mut self.cbuf)), if c_open => match r {
                        Ok(0) | Err(_) => Side::ClientEof,
                        Ok(_) => Side::Client,
                    },
                }
            })
            .await;
            match ev {
                None => return,
                Some(Side::Server) => {
                    if cs.write_all(&self.sbuf).await.is_err() {
                        return;
                    }
                    self.sbuf.clear();
                    last = crate::proxy::clock::tokio_now();
                }
                Some(Side::Client) => {
                    if ss.write_all(&self.cbuf).await.is_err() {
                        return;
                    }
                    self.cbuf.clear();
                    last = crate::proxy::clock::tokio_now();
                }
                Some(Side::ServerEof) => {
                    let _ = cs.shutdown().await;
                    return;
                }
                Some(Side::ClientEof) => {
                    c_open = false;
                    let _ = ss.shutdown().await;
                    if server_fin.is_some() {
                        last = crate::proxy::clock::tokio_now();
                    }
                }
            }
        }
    }
}

/// `http-send-name-header NAME`: the server's name in that header, the client's copies
/// removed, after every other header (measured on HAProxy 2.6.12; the last line of the
/// backend wins). Called again with the new server after a redispatch.
/// A request kept for `retry-on` (HAProxy's L7 buffer): its body as first sent, and the
/// stream's retry state.
struct L7Retry {
    body: Vec<u8>,
    retries_done: u32,
    /// The server was named by persistence or `use-server` (SF_DIRECT).
    direct: bool,
    force_persist: bool,
}

/// A 101 HAProxy 2.6's H1 mux lets through: the request had `Connection: upgrade`, and a
/// WebSocket answer carries `Sec-WebSocket-Accept` (its value is not checked).
fn valid_101(req: &RequestHead, res: &crate::proxy::http::msg::ResponseHead) -> bool {
    let has = |h: &crate::proxy::http::msg::HeaderList, name: &str, tok: &[u8]| {
        h.get_all(name)
            .any(|v| h1::tokens(&v.value).any(|t| t.eq_ignore_ascii_case(tok)))
    };
    has(&req.headers, "connection", b"upgrade")
        && (!has(&res.headers, "upgrade", b"websocket")
            || res.headers.contains("sec-websocket-accept"))
}

fn send_name_header(be: &Backend, req: &mut RequestHead, server: &str) {
    let Some(name) = be
        .ir
        .settings
        .other
        .iter()
        .rev()
        .find(|d| d.keyword == "http-send-name-header")
        .and_then(|d| d.args.first())
    else {
        return;
    };
    req.headers.remove(name);
    req.headers
        .add(name.to_ascii_lowercase(), server.as_bytes());
}

fn lock_tables(e: &Engine) -> std::sync::MutexGuard<'_, Tables> {
    e.tables.lock().unwrap_or_else(|p| p.into_inner())
}

/// A sample value as the binary HAProxy hashes for `balance hash`.
fn hash_bytes(v: &crate::proxy::acl::Value<'_>) -> Vec<u8> {
    use crate::proxy::acl::Value;
    match v {
        Value::Str(b) | Value::Bin(b) => b.to_vec(),
        Value::Meth(m) => m.as_bytes().to_vec(),
        Value::Int(i) => i.to_be_bytes().to_vec(),
        Value::Bool(b) => i64::from(*b).to_be_bytes().to_vec(),
        Value::Addr(std::net::IpAddr::V4(a)) => a.octets().to_vec(),
        Value::Addr(std::net::IpAddr::V6(a)) => a.octets().to_vec(),
    }
}

fn info_src(req: &RequestHead, client: SocketAddr) -> (Option<std::net::IpAddr>, String) {
    (Some(client.ip()), req.uri.clone())
}

enum Side {
    Server,
    ServerEof,
    Client,
    ClientEof,
}

enum Pump {
    Progress,
    BodyDone,
    ServerTimeout,
    ServerClosed,
    ClientGone,
    BadBody,
}

enum Both {
    Req(bool),
    Res(bool),
    Fail,
}

#[cfg(test)]
pub(crate) mod tests;
