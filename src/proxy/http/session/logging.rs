//! The HTTP session's log record: byte counting on the client stream, HAProxy's timers
//! and termination state, and the line sent at the end of each transaction (plus the
//! stats accounting of the same record).
//!
//! Measured on HAProxy 2.6.12 (`option httplog`, UDP syslog on loopback):
//! - `200 ---- 1/1/0/0/0`: normal; `bc`/`sc` read after the server slot is released;
//! - `deny`: `fe fe/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR--` (the page size in `%B`);
//! - no usable server: `be/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC--`;
//! - refused connections: `be/s1 0/0/-1/-1/3005 503 217 - - SC-- 1/1/0/0/3` (retries);
//! - `timeout server`: `0/0/0/-1/1000 504 198 - - sH--`; server closed before the
//!   response head: `502 209 - - SH--`; closed during the body: `200 54 - - SD--`;
//! - `timeout http-request`: `fe/<NOSRV> -1/-1/-1/-1/1000 408 0 - - cR-- ... "<BADREQ>"`
//!   (no captures, 0 bytes although the page was sent); a client closing before a full
//!   head: `400 0 CR--`; a bad request: `400 0 PR--`.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::Session;
use crate::proxy::acl::Dir;
use crate::proxy::log::{self, LogRecord, Mode};
use crate::proxy::rules::Txn;

/// Bytes read from and written to the client since the connection was accepted.
#[derive(Debug, Default)]
pub(super) struct IoCount {
    pub rx: AtomicU64,
    pub tx: AtomicU64,
}

/// The client stream with its bytes counted (`%U`, `%B`).
pub(super) struct Counted<S> {
    inner: S,
    io: Arc<IoCount>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, io: Arc<IoCount>) -> Self {
        Counted { inner, io }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        self.io.rx.fetch_add(n as u64, Ordering::Relaxed);
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            self.io.tx.fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Per-transaction log state kept by the session.
#[derive(Debug)]
pub(super) struct TxnLog {
    pub rec: LogRecord,
    /// Accept (first transaction) or end of the previous one.
    pub start: Instant,
    pub first_byte: Option<Instant>,
    pub head_done: Option<Instant>,
    /// `%TR` is logged -1 (measured for tarpit and for a frontend without backend).
    pub no_tr: bool,
    /// Not logged at all (`monitor-uri` requests, as HAProxy).
    pub silent: bool,
    pub rx0: u64,
    pub tx0: u64,
    /// What HAProxy's `%B` counts more (or less) than the wire for the heads sent.
    pub head_adj: i64,
    /// The same for `%U` and the request head read (an HTTP/2 stream's: its whole size,
    /// the session reads only its body).
    pub req_adj: i64,
    /// `req_adj` counts even when no byte was read (an HTTP/2 request).
    pub req_counted: bool,
    /// `option logasap`: the line went out when the response head was forwarded.
    pub asap_sent: bool,
    /// Response bytes not written yet that `%B` counts (see [`Session::log_asap`]).
    pub pending: u64,
}

impl TxnLog {
    pub fn new(start: Instant, start_ms: i64, io: &IoCount) -> Self {
        TxnLog {
            rec: LogRecord {
                mode: Mode::Http,
                accept_date_ms: start_ms,
                ..LogRecord::default()
            },
            start,
            first_byte: None,
            head_done: None,
            no_tr: false,
            silent: false,
            head_adj: 0,
            req_adj: 0,
            req_counted: false,
            asap_sent: false,
            pending: 0,
            rx0: io.rx.load(Ordering::Relaxed),
            tx0: io.tx.load(Ordering::Relaxed),
        }
    }
}

impl TxnLog {
    /// A response head is about to be written (maybe followed by body bytes).
    ///
    /// Measured: HAProxy 2.6's `%B` counts the HTX message, not the HTTP/1 bytes: per
    /// head, 15 more than the wire minus 4 per header line (`name: value\r\n` is
    /// stored as name and value). The built-in 403 page (3 headers, 189 bytes sent) is
    /// logged 192; a `return` with 2 headers (66 bytes) 73.
    pub fn note_head(&mut self, bytes: &[u8]) {
        if !bytes.starts_with(b"HTTP/") {
            return;
        }
        self.head_adj += htx_adj(bytes).unwrap_or(0);
    }
}

/// What HAProxy 2.6 counts (`%B`, `%U`, `bin`, `bout`) more than the wire for an HTTP/1
/// head at the start of `bytes` (`None`: no complete head): it counts the HTX message,
/// 15 more than the wire minus 4 per header line (`name: value\r\n` is stored as name
/// and value). A `connection: close` / `keep-alive` line is the HTTP/1
/// encoder's, never in the message (HAProxy's parser takes those tokens out, its H1 mux
/// writes them back): measured 73 for the 2-header `return` of the tests, with or
/// without a `connection: close` line after it, and 39 for a 28-byte `GET` with one
/// header, with or without `connection: close`.
pub fn htx_adj(bytes: &[u8]) -> Option<i64> {
    // one pass over the line ends (this runs for every message): the CRLFs up to the
    // first `\r\n\r\n`, which ends the head
    let mut lines = 0i64;
    let mut from = 0;
    let mut dropped = 0i64;
    loop {
        let rest = bytes.get(from..).unwrap_or_default();
        let p = memchr::memchr(b'\n', rest)?;
        let line_start = from;
        let nl = from + p;
        from = nl + 1;
        if nl == 0 || bytes.get(nl - 1) != Some(&b'\r') {
            continue;
        }
        if line_start > 0 && encoder_connection_line(bytes.get(line_start..nl - 1)?) {
            dropped += (from - line_start) as i64;
        } else {
            lines += 1;
        }
        if bytes.get(from..from + 2) == Some(b"\r\n") {
            break;
        }
    }
    // `lines`: the start line and the header lines kept
    Some(15 - 4 * (lines - 1) - dropped)
}

/// [`htx_adj`] of the text [`h1::write_response_head`] would write for `head`.
pub fn htx_adj_head(head: &crate::proxy::http::msg::ResponseHead) -> i64 {
    let mut lines = 1i64;
    let mut dropped = 0i64;
    for h in head.headers.iter() {
        if h.name.eq_ignore_ascii_case("connection") && encoder_connection_value(&h.value) {
            dropped += (h.name.len() + 2 + h.value.len() + 2) as i64;
        } else {
            lines += 1;
        }
    }
    15 - 4 * (lines - 1) - dropped
}

impl TxnLog {
    /// The request head was read: `%U` counts it as HAProxy does ([`htx_adj`]).
    pub fn note_request_head(&mut self, head: &[u8]) {
        self.req_adj = htx_adj(head).unwrap_or(0);
    }
}

/// A `Connection` header line whose tokens are all `close` / `keep-alive`.
fn encoder_connection_line(line: &[u8]) -> bool {
    line.get(..11)
        .filter(|n| n.eq_ignore_ascii_case(b"connection:"))
        .and_then(|_| line.get(11..))
        .is_some_and(encoder_connection_value)
}

/// A `Connection` value the HTTP/1 encoder writes: only `close` / `keep-alive` tokens.
fn encoder_connection_value(value: &[u8]) -> bool {
    crate::proxy::http::h1::tokens(value)
        .all(|t| t.eq_ignore_ascii_case(b"close") || t.eq_ignore_ascii_case(b"keep-alive"))
}

pub(super) fn ms_between(a: Instant, b: Instant) -> i64 {
    b.saturating_duration_since(a).as_millis() as i64
}

/// The status of a reply the proxy produced (`HTTP/1.1 403 Forbidden...`).
pub(super) fn status_of(bytes: &[u8]) -> i32 {
    bytes
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(-1)
}

impl Session {
    /// Starts the record of the next transaction (at accept, then after each one).
    pub(super) fn log_begin(&mut self) {
        let now = crate::proxy::clock::tokio_now();
        let (start, ms) = if self.nreq == 0 {
            (self.started, self.accept_ms)
        } else {
            (now, log::now_ms())
        };
        self.tlog = TxnLog::new(start, ms, &self.io);
    }

    /// The termination state of a reply by the request rules (measured): `deny` is
    /// `PR--`, `redirect`, `return` (any status: `return status 403` too) and `auth` are
    /// `LR--`; `monitor-uri` is not logged.
    pub(super) fn request_reply_term(
        &mut self,
        status: u16,
        bytes: &[u8],
        txn: &Txn,
    ) -> &'static [u8; 2] {
        if self
            .fe
            .rules
            .as_ref()
            .is_some_and(|r| r.is_monitor(&txn.req.uri))
        {
            self.tlog.silent = true;
            return b"LR";
        }
        let _ = (bytes, status);
        if txn.denied { b"PR" } else { b"LR" }
    }

    /// `unique-id-format`: the id of this transaction (`%ID`, `unique-id` fetch), and
    /// the `unique-id-header` added to the request.
    pub(super) fn unique_id(&self, txn: &mut Txn) {
        let Some(f) = &self.fe.unique_id_format else {
            return;
        };
        let rec = LogRecord {
            mode: Mode::Http,
            client: Some(self.client),
            frontend_addr: Some(self.local),
            frontend_name: self.fe.name.clone(),
            accept_date_ms: self.tlog.rec.accept_date_ms,
            hostname: log::hostname().to_string(),
            ..LogRecord::default()
        };
        let id = {
            let ext = self.ext();
            let fe = &self.fe;
            let t: &Txn = txn;
            let sample = |expr: &str| -> Option<String> {
                let lf = fe.log_samples.get(expr)?;
                let ctx = t.ctx(&fe.name, Dir::Request, &ext);
                let v = lf.expand_to_vec(&ctx);
                (!v.is_empty()).then(|| String::from_utf8_lossy(&v).into_owned())
            };
            f.render(&rec, &sample)
        };
        if let Some(h) = &self.fe.unique_id_header {
            txn.req.headers.add(h.clone(), id.clone());
        }
        txn.unique_id = Some(id);
    }

    pub(super) fn log_term(&mut self, term: &[u8; 2]) {
        self.tlog.rec.term = *term;
    }

    /// Fills what is common to every record and sends the line (and the stats).
    /// `txn`: the transaction, when a request head was parsed (captures, samples).
    pub(super) fn log_end(&mut self, txn: Option<&Txn>) {
        self.log_line(txn, false);
    }

    /// `option logasap` (a frontend option): the line goes out once the server's
    /// response head is forwarded, with `%Tt` and `%B` as they are then, prefixed `+`
    /// (HAProxy 2.6.12: `0/0/0/1/+1 200 +52 - - ---- 1/1/1/1/0`, `%B` the response head
    /// plus the body bytes read with it); the stats count the transaction at its end.
    /// `pending`: bytes of the response written to the client later (a head held back
    /// until its server connection is idle) that HAProxy counts as sent already.
    pub(super) fn log_asap(&mut self, txn: &Txn, pending: usize) {
        if self.fe.log.as_ref().is_some_and(|l| l.options.logasap) && !self.tlog.silent {
            self.tlog.pending = pending as u64;
            self.log_line(Some(txn), true);
            self.tlog.pending = 0;
        }
    }

    fn log_line(&mut self, txn: Option<&Txn>, asap: bool) {
        let now = crate::proxy::clock::tokio_now();
        let t = &mut self.tlog;
        // what only the line reads (names, strings, captures) is not built when no line
        // is sent: the stats read the rest
        let logged = self.fe.log.is_some() && !t.silent;
        let rec = &mut t.rec;
        rec.client = Some(self.client);
        rec.frontend_addr = Some(self.local);
        rec.frontend_ssl = self.tls.is_some();
        if logged {
            rec.frontend_name = self.fe.name.clone();
            // `%sslv` / `%sslc`: the client side's handshake
            let tls = self.tls.as_deref();
            let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
            rec.ssl_version = tls.and_then(|i| nonempty(&i.protocol));
            rec.ssl_cipher = tls.and_then(|i| nonempty(&i.cipher));
            rec.hostname = log::hostname().to_string();
        }
        rec.frontend_idx = Some(self.fe.index);
        rec.th = 0;
        rec.tt = ms_between(t.start, now);
        match (t.first_byte, t.head_done) {
            (Some(fb), Some(hd)) => {
                rec.ti = ms_between(t.start, fb);
                rec.tr_req = if t.no_tr { -1 } else { ms_between(fb, hd) };
                rec.ta = ms_between(fb, now);
            }
            (fb, _) => {
                // no complete head: HAProxy logs TR -1 and the whole time as Ta
                rec.ti = fb.map_or(0, |fb| ms_between(t.start, fb));
                rec.tr_req = -1;
                rec.ta = rec.tt;
            }
        }
        let rx = self.io.rx.load(Ordering::Relaxed);
        let tx = self.io.tx.load(Ordering::Relaxed);
        let read = rx.saturating_sub(t.rx0);
        rec.bytes_in = if read > 0 || t.req_counted {
            (read as i64 + t.req_adj).max(0) as u64
        } else {
            0
        };
        if txn.is_some() {
            let wire = tx.saturating_sub(t.tx0) + t.pending;
            rec.bytes_out = if wire > 0 {
                (wire as i64 + t.head_adj).max(0) as u64
            } else {
                0
            };
        }
        if logged {
            rec.actconn = self
                .engine
                .frontends()
                .iter()
                .map(|f| f.conns.load(Ordering::Relaxed).max(0) as u64)
                .sum();
        }
        rec.feconn = self.fe.conns.load(Ordering::Relaxed).max(0) as u64;
        rec.new_conn = match &self.h2 {
            Some(e) => !e.conn.counted.swap(true, Ordering::Relaxed),
            None => !std::mem::replace(&mut self.counted, true),
        };
        // one look-up by name per transaction (the index gives the backend)
        let be_idx = rec
            .backend_name
            .as_deref()
            .and_then(|n| self.engine.backend_index(n));
        if let Some(be) = be_idx.and_then(|i| self.engine.backends().get(i)) {
            rec.beconn = u64::from(be.be_conn());
            rec.backend_idx = be_idx;
            if let Some(i) = rec.server_idx {
                rec.srv_conn = u64::from(be.served(i).unwrap_or(0));
            }
        }
        if txn.is_some() && !logged {
            // the stats count a request by its request line being there
            rec.request_line = Some(String::new());
            rec.unique_id = None;
        } else if let Some(txn) = txn {
            let caps = |v: &[Option<Vec<u8>>]| {
                v.iter()
                    .map(|c| c.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()))
                    .collect::<Vec<_>>()
            };
            let (rs, ss) = self.fe.rules.as_ref().map_or((0, 0), |r| r.capture_slots());
            let mut req = caps(&txn.req_captures);
            req.resize(rs, None);
            let mut res = caps(&txn.res_captures);
            res.resize(ss, None);
            rec.req_captures = Some(req);
            rec.res_captures = Some(res);
            let (m, u) = match &txn.orig_request {
                Some((m, u)) => (m.as_str(), u.as_str()),
                None => (txn.req.method.as_str(), txn.req.uri.as_str()),
            };
            rec.request_line = Some(format!("{m} {u} {}", txn.req.version));
            rec.unique_id = txn.unique_id.clone();
        }
        if !asap {
            self.engine.stats.account(rec);
        }
        let Some(pl) = &self.fe.log else {
            return;
        };
        if t.silent || t.asap_sent {
            return;
        }
        t.rec.logasap = asap;
        let fe = &self.fe;
        let ext = self.ext();
        let sample = |expr: &str| -> Option<String> {
            let (txn, lf) = (txn?, fe.log_samples.get(expr)?);
            let ctx = txn.ctx(&fe.name, Dir::Response, &ext);
            let v = lf.expand_to_vec(&ctx);
            (!v.is_empty()).then(|| String::from_utf8_lossy(&v).into_owned())
        };
        let level = txn.and_then(|t| t.log_level.as_deref());
        pl.log_at(&self.tlog.rec, &sample, level);
        self.tlog.rec.logasap = false;
        self.tlog.asap_sent = asap;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_logged_as_haproxy_counts_them() {
        // HAProxy 2.6.12 logged `200 73 ... LR--` for this `http-request return`
        // (66 bytes on the wire).
        let wire = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi";
        assert_eq!(wire.len(), 66);
        let io = IoCount::default();
        let mut t = TxnLog::new(Instant::now(), 0, &io);
        t.note_head(wire);
        assert_eq!(wire.len() as i64 + t.head_adj, 73);
        // and `403 192 ... PR--` for the built-in 403 page
        let page = crate::proxy::http::errors::builtin(403).unwrap_or_default();
        let mut t = TxnLog::new(Instant::now(), 0, &io);
        t.note_head(page);
        assert_eq!(page.len() as i64 + t.head_adj, 192);
        // body bytes are not heads
        t.note_head(b"xyz");
        assert_eq!(page.len() as i64 + t.head_adj, 192);
        // the same `return` to a client that asked to close: 85 bytes, logged and
        // counted 73 (`bout`) by HAProxy 2.6.12
        let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nok";
        assert_eq!(wire.len(), 85);
        let mut t = TxnLog::new(Instant::now(), 0, &io);
        t.note_head(wire);
        assert_eq!(wire.len() as i64 + t.head_adj, 73);
        // `connection: upgrade` is part of the message
        let wire = b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n";
        let mut t = TxnLog::new(Instant::now(), 0, &io);
        t.note_head(wire);
        assert_eq!(t.head_adj, 15 - 8);
    }

    #[test]
    fn a_head_counted_decoded_counts_as_its_text() {
        use crate::proxy::http::h1;
        use crate::proxy::http::msg::{Header, HeaderList, ResponseHead};
        let heads = [
            ResponseHead {
                status: 200,
                reason: "OK".into(),
                headers: HeaderList(vec![
                    Header::new("Content-Type", "text/plain"),
                    Header::new("content-length", "21"),
                ]),
                ..Default::default()
            },
            ResponseHead {
                status: 404,
                reason: String::new(),
                headers: HeaderList(vec![
                    Header::new("connection", "close"),
                    Header::new("x", ""),
                    Header::new("Connection", "upgrade"),
                ]),
                ..Default::default()
            },
            ResponseHead {
                status: 1000,
                ..Default::default()
            },
        ];
        for head in heads {
            let mut text = Vec::new();
            h1::write_response_head(&head, &mut text);
            assert_eq!(h1::response_head_len(&head), text.len(), "{head:?}");
            assert_eq!(Some(htx_adj_head(&head)), htx_adj(&text), "{head:?}");
        }
    }

    #[test]
    fn reply_status() {
        assert_eq!(status_of(b"HTTP/1.1 302 Found\r\n\r\n"), 302);
        assert_eq!(status_of(b"garbage"), -1);
    }
}
