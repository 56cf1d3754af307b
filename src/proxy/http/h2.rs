//! HTTP/2 on the client side.
//!
//! Public API: [`serve`] (one client connection that speaks HTTP/2), [`choose`] (HTTP/1
//! or HTTP/2 for an accepted connection, as HAProxy 2.6 decides), [`Settings`] (the
//! `tune.h2.*` limits).
//!
//! Each stream is carried through the HTTP/1.1 session ([`gateway`]), so every request
//! sees the same rules, routing, balancing, error pages and logs as an HTTP/1.1 one. The
//! session reads and writes the stream's frames directly (`stream_io`: no task and no
//! pipe per stream), and a frame pre-filter (`prefilter`) gives the connection errors the
//! codes RFC 9113 names where the h2 crate would say PROTOCOL_ERROR.
//!
//! Measured on HAProxy 2.6.12 (`haproxy -db`, curl, nghttp, a Python h2 client):
//! - `alpn h2,http/1.1` on an `ssl` bind speaks h2 when ALPN chose `h2`;
//! - without `proto`, a connection (clear or TLS without ALPN h2) that starts with the
//!   HTTP/2 preface is served in h2 (prior knowledge), unless `option disable-h2-upgrade`;
//!   `proto h2` forces h2 (an HTTP/1 request then gets the connection closed), `proto h1`
//!   forces HTTP/1 (a preface then fails);
//! - the server's SETTINGS carry `SETTINGS_ENABLE_CONNECT_PROTOCOL=1` and
//!   `SETTINGS_MAX_CONCURRENT_STREAMS=100` (`tune.h2.max-concurrent-streams`); the initial
//!   window (65535), header table (4096) and frame size (16384) are left at their defaults;
//! - a malformed request (missing pseudo-header, uppercase or connection-specific header,
//!   content-length not matching the DATA, `te` other than `trailers`, bad `:path`) gets
//!   RST_STREAM(PROTOCOL_ERROR), the connection stays up;
//! - every stream may reuse idle server connections (HAProxy marks h2 streams "not first",
//!   `SE_FL_NOT_FIRST`): four sequential streams of one connection use one server
//!   connection.

mod chunked;
pub mod gateway;
mod prefilter;
mod rewind;
pub(crate) mod stream_io;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::time::Instant;

use crate::ir::haproxy as ir;
use crate::proxy::engine::{Engine, Frontend};
use crate::proxy::http::ClientConn;
pub use gateway::Outcome;
use gateway::{ConnInfo, serve_stream};
pub use rewind::Rewind;
pub use stream_io::StreamLink;

/// The client connection preface (RFC 9113 section 3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// HAProxy's `tune.h2.*` limits (2.6 defaults) and the header list size (`tune.bufsize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `tune.h2.max-concurrent-streams` (100).
    pub max_concurrent_streams: u32,
    /// `tune.h2.initial-window-size` (65535).
    pub initial_window_size: u32,
    /// `tune.h2.header-table-size` (4096).
    pub header_table_size: u32,
    /// `tune.h2.max-frame-size` (16384).
    pub max_frame_size: u32,
    /// The largest decoded header list: HAProxy's request must fit in `tune.bufsize`
    /// (16384) less `tune.maxrewrite` (1024).
    pub max_header_list_size: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_concurrent_streams: 100,
            initial_window_size: 65535,
            header_table_size: 4096,
            max_frame_size: 16384,
            max_header_list_size: 16384 - 1024,
        }
    }
}

impl Settings {
    /// The limits a configuration's `global` section sets.
    pub fn from_global(g: &ir::Global) -> Settings {
        let num = |kw: &str| {
            g.tune
                .iter()
                .rev()
                .find(|d| d.keyword == kw)
                .and_then(|d| d.args.first())
                .and_then(|v| v.parse::<u32>().ok())
        };
        let d = Settings::default();
        let bufsize = num("tune.bufsize").unwrap_or(16384);
        let rewrite = num("tune.maxrewrite").unwrap_or(1024.min(bufsize / 2));
        Settings {
            max_concurrent_streams: num("tune.h2.max-concurrent-streams")
                .unwrap_or(d.max_concurrent_streams),
            initial_window_size: num("tune.h2.initial-window-size")
                .unwrap_or(d.initial_window_size),
            header_table_size: num("tune.h2.header-table-size").unwrap_or(d.header_table_size),
            max_frame_size: num("tune.h2.max-frame-size")
                .unwrap_or(d.max_frame_size)
                .clamp(16384, 16_777_215),
            max_header_list_size: bufsize.saturating_sub(rewrite).max(1024),
        }
    }

    /// The h2 server builder with these limits and the protections against abusive
    /// clients (CVE-2023-44487 rapid reset, CONTINUATION floods, too many local resets).
    pub fn builder(&self) -> h2::server::Builder {
        let mut b = h2::server::Builder::new();
        b.max_concurrent_streams(self.max_concurrent_streams)
            .initial_window_size(self.initial_window_size)
            .header_table_size(self.header_table_size)
            .max_frame_size(self.max_frame_size)
            // also bounds the CONTINUATION frames of one header block (h2 derives the
            // count from it): a flood of them ends the connection
            .max_header_list_size(self.max_header_list_size)
            // streams reset by the client before they were accepted (rapid reset): past
            // this, GOAWAY(ENHANCE_YOUR_CALM)
            .max_pending_accept_reset_streams(20)
            .max_local_error_reset_streams(Some(1024))
            .max_concurrent_reset_streams(self.max_concurrent_streams as usize)
            .max_send_buffer_size(64 * 1024)
            .enable_connect_protocol();
        b
    }
}

/// How an accepted connection is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    H1,
    H2,
    /// HTTP/1 unless the client starts with the HTTP/2 preface.
    Detect,
}

/// HTTP/1 or HTTP/2 for a connection: the bind's `proto`, else ALPN's choice, else
/// preface detection (unless `option disable-h2-upgrade`).
pub fn choose(fe: &Frontend, conn: &ClientConn) -> Proto {
    match bind_proto(fe, conn.local).as_deref() {
        Some("h2") => return Proto::H2,
        Some(_) => return Proto::H1,
        None => {}
    }
    if let Some(alpn) = conn.tls.as_ref().and_then(|t| t.alpn.as_deref()) {
        if alpn == "h2" {
            return Proto::H2;
        }
        // ALPN chose HTTP/1: HAProxy installs the H1 mux
        return Proto::H1;
    }
    if fe
        .ir
        .settings
        .option("disable-h2-upgrade")
        .is_some_and(|o| o.enabled)
    {
        return Proto::H1;
    }
    Proto::Detect
}

/// The `proto` of the bind this connection came in on (found by its local address: the
/// listener does not say which bind accepted it).
fn bind_proto(fe: &Frontend, local: std::net::SocketAddr) -> Option<String> {
    fe.ir.binds.iter().find_map(|b| {
        let p = b.value.opts.proto.as_ref()?;
        b.value
            .addresses
            .iter()
            .any(|a| {
                let port = i32::from(local.port());
                let port_ok = if a.port_high > a.port_low {
                    (a.port_low..=a.port_high).contains(&port)
                } else {
                    a.port == port
                };
                port_ok
                    && a.ip
                        .is_none_or(|ip| ip.is_unspecified() || ip == local.ip())
            })
            .then(|| p.to_ascii_lowercase())
    })
}

/// Reads the start of a connection to tell an HTTP/2 preface from an HTTP/1 request.
/// Returns the bytes read and whether they are the preface. `None`: nothing arrived
/// before `deadline`.
pub async fn sniff<S: AsyncRead + Unpin>(
    stream: &mut S,
    deadline: Option<Instant>,
) -> Option<(BytesMut, bool)> {
    let mut buf = BytesMut::with_capacity(1024);
    loop {
        let read = stream.read_buf(&mut buf);
        let r = match deadline {
            Some(d) => match tokio::time::timeout_at(d, read).await {
                Ok(r) => r,
                Err(_) if buf.is_empty() => return None,
                Err(_) => return Some((buf, false)),
            },
            None => read.await,
        };
        let n = r.unwrap_or(0);
        let k = buf.len().min(PREFACE.len());
        if buf[..k] != PREFACE[..k] || n == 0 {
            return Some((buf, false));
        }
        if buf.len() >= PREFACE.len() {
            return Some((buf, true));
        }
    }
}

/// Rapid-reset guard: streams the client reset before their response, against those
/// completed. Past the budget the connection is closed with GOAWAY(ENHANCE_YOUR_CALM).
#[derive(Debug, Default)]
struct ResetGuard {
    reset: u64,
    done: u64,
}

impl ResetGuard {
    /// Resets allowed beyond the completed streams.
    const SLACK: u64 = 200;

    fn record(&mut self, o: Outcome) {
        match o {
            Outcome::ClientReset => self.reset += 1,
            Outcome::Done => self.done += 1,
            Outcome::Failed => {}
        }
    }

    fn abusive(&self) -> bool {
        self.reset > self.done + Self::SLACK
    }
}

/// A stream's session future in an allocation reused for the next streams (HAProxy
/// takes its streams from pools): a stream costs no large allocation, and
/// `FuturesUnordered` moves only this small handle, not the session's state.
struct Slot<F> {
    fut: Option<Pin<Box<Option<F>>>>,
    link: StreamLink,
}

impl<F: Future<Output = ()>> Future for Slot<F> {
    /// How the stream ended, and the emptied allocation for the next stream.
    type Output = (Outcome, Option<Pin<Box<Option<F>>>>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(b) = this.fut.as_mut() {
            if let Some(f) = b.as_mut().as_pin_mut() {
                ready!(f.poll(cx));
            }
            // the session's state (connections, buffers) goes now, not when reused
            b.set(None);
        }
        Poll::Ready((this.link.get(), this.fut.take()))
    }
}

/// Emptied stream slots (about 4 KiB each) a worker thread keeps for the next streams
/// of any of its connections: an idle connection holds none.
const SPARE_SLOTS: usize = 64;

thread_local! {
    // The thread's `Vec` of slots, as `Any`: a slot's type is the (unnameable) type of
    // a stream's session future.
    static SPARE: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's spare slots of type `F`.
fn with_spare<F: 'static, R>(f: impl FnOnce(&mut Vec<Pin<Box<Option<F>>>>) -> R) -> R {
    SPARE.with_borrow_mut(|s| {
        let any = s.get_or_insert_with(|| Box::new(Vec::<Pin<Box<Option<F>>>>::new()));
        match any.downcast_mut::<Vec<Pin<Box<Option<F>>>>>() {
            Some(v) => f(v),
            // one future type uses the pool; another type gets none kept
            None => f(&mut Vec::new()),
        }
    })
}

/// An emptied slot of this thread, if one is left.
fn take_slot<F: 'static>() -> Option<Pin<Box<Option<F>>>> {
    with_spare(|v| v.pop())
}

/// Keeps an emptied slot for this thread's next streams.
fn give_slot<F: 'static>(slot: Pin<Box<Option<F>>>) {
    with_spare(|v| {
        if v.len() < SPARE_SLOTS {
            v.push(slot);
        }
    });
}

/// Serves one client connection in HTTP/2 until it closes.
pub async fn serve<S>(io: S, conn: ClientConn, fe: Arc<Frontend>, engine: Arc<Engine>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let settings = crate::proxy::http::h2_settings(&engine);
    // connection-level sticky counters live as long as the connection
    let ClientConn {
        client, local, tls, ..
    } = conn;
    let timeouts = fe.timeouts;
    // the connection errors RFC 9113 gives a specific code are answered before the h2
    // crate (which says PROTOCOL_ERROR) sees them
    let io = prefilter::PreFilter::new(io);
    let hs = settings.builder().handshake::<_, Bytes>(io);
    let _conn = crate::proxy::http::session::ConnGuard::new(fe.clone());
    let h2c = match timeouts.client {
        Some(d) => tokio::time::timeout(d, hs).await.ok().and_then(Result::ok),
        None => hs.await.ok(),
    };
    let Some(mut h2c) = h2c else {
        // no stream will count it: a session of the frontend all the same
        engine.stats.count_conn(fe.index);
        return;
    };
    let info = Arc::new(ConnInfo {
        client,
        local,
        tls,
        fe: fe.clone(),
        engine: engine.clone(),
        fe_name: Arc::from(fe.name.as_str()),
        spare: std::sync::Mutex::new(Vec::new()),
        counted: std::sync::atomic::AtomicBool::new(false),
    });
    let mut guard = ResetGuard::default();
    // The streams run inside this connection's task (as HAProxy runs a connection's
    // streams on its thread): no task spawn per request and no cross-thread wake-ups
    // between the h2 connection and its streams. A stream whose session is still
    // tearing down (reset by the client) still counts: past the limit new streams are
    // refused, so reset-and-reopen cannot pile up work.
    let mut streams = FuturesUnordered::new();
    let limit = settings.max_concurrent_streams as usize;
    let mut stop = engine.stopping().clone();
    let idle_timeout = timeouts.http_keep_alive.or(timeouts.client);
    let mut idle_since = Some(Instant::now());
    let mut closing = false;
    loop {
        let idle_deadline = match (idle_since, idle_timeout) {
            (Some(t), Some(d)) if !closing => Some(t + d),
            _ => None,
        };
        tokio::select! {
            // Streams first, the connection after: every stream that can move queues its
            // frames before the connection is polled, so that one write carries the
            // responses of all of them (a random order flushes after some of them).
            biased;
            Some((o, slot)) = streams.next(), if !streams.is_empty() => {
                guard.record(o);
                if let Some(b) = slot {
                    give_slot(b);
                }
                if guard.abusive() && !closing {
                    h2c.abrupt_shutdown(h2::Reason::ENHANCE_YOUR_CALM);
                    closing = true;
                }
                if streams.is_empty() {
                    idle_since = Some(Instant::now());
                }
            }
            r = h2c.accept() => match r {
                Some(Ok((req, mut respond))) => {
                    idle_since = None;
                    if streams.len() >= limit {
                        respond.send_reset(h2::Reason::REFUSED_STREAM);
                        continue;
                    }
                    let (start, link) = serve_stream(req, respond, info.clone());
                    let mut b = take_slot().unwrap_or_else(|| Box::pin(None));
                    b.as_mut().set(Some(start.future()));
                    streams.push(Slot { fut: Some(b), link });
                }
                Some(Err(_)) | None => break,
            },
            _ = sleep_until(idle_deadline) => {
                // idle past `timeout http-keep-alive` (else `timeout client`): GOAWAY
                h2c.graceful_shutdown();
                closing = true;
            }
            r = stop.changed(), if !closing => {
                if r.is_err() || *stop.borrow() {
                    h2c.graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
    // the connection is gone: the streams' sessions end (their reads end, writes fail)
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while streams.next().await.is_some() {}
    })
    .await;
    // a connection that opened no stream is still a session of the frontend
    if !info.counted.load(std::sync::atomic::Ordering::Relaxed) {
        engine.stats.count_conn(fe.index);
    }
}

async fn sleep_until(d: Option<Instant>) {
    match d {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
