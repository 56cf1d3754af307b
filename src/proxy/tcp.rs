//! TCP mode sessions: `tcp-request session|content` rules over the first
//! bytes (`tcp-request inspect-delay`), backend choice, the server
//! connection (with `send-proxy` / `send-proxy-v2`) and the bidirectional
//! relay with HAProxy's timeouts and half-close.
//!
//! Public helpers for the HTTP side: [`proxy_header_v1`] / [`proxy_header_v2`].

pub mod proxy_proto;
pub mod relay;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::proxy::backend::{Backend, ConnectOpts, Slot};
use crate::proxy::balance::RequestInfo;
use crate::proxy::listen::{FrontendRt, Shared};
use crate::proxy::log::{LogRecord, Mode};
use crate::proxy::rules::{Ext, TcpConn, TcpVerdict};
use crate::proxy::stick::{StickKind, StickRules};
use crate::proxy::tls::TlsInfo;

pub use proxy_proto::{proxy_header_v1, proxy_header_v2};

/// HAProxy's `tune.bufsize`: content inspection stops when the buffer is full.
const BUFSIZE: usize = 16384;

/// What a server line asks to send first.
pub fn proxy_header_for(
    srv: &crate::ir::haproxy::expr::ServerOptions,
    src: SocketAddr,
    dst: SocketAddr,
) -> Option<Vec<u8>> {
    if srv.send_proxy_v2 || srv.send_proxy_v2_ssl || srv.send_proxy_v2_ssl_cn {
        Some(proxy_header_v2(src, dst))
    } else if srv.send_proxy {
        Some(proxy_header_v1(src, dst))
    } else {
        None
    }
}

/// Run the content rules until they decide: read client bytes into
/// `conn.payload` while they ask for more, up to the inspect delay.
/// `Some(true)`: `switch-mode http` matched.
async fn inspect<S: AsyncRead + Unpin>(
    stream: &mut S,
    conn: &mut TcpConn,
    fert: &FrontendRt,
    shared: &Shared,
) -> Option<bool> {
    let Some(rules) = &fert.tcp_rules else {
        return Some(false);
    };
    // Ext holds `dyn` references that are not Sync: build it per call so
    // that it is never held across an await.
    if let TcpVerdict::Reject { .. } = rules.on_session(conn, &Ext::default()) {
        return None;
    }
    if !rules.has_content_rules() {
        return Some(false);
    }
    let delay = rules
        .inspect_delay_ms()
        .map(|ms| Duration::from_millis(u64::from(ms)));
    // Without an inspect delay HAProxy evaluates the rules once, on what is there.
    if delay.is_none() {
        conn.payload_final = true;
        let mut buf = vec![0u8; BUFSIZE];
        // A zero timeout still polls the read once: what is already there.
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::ZERO, stream.read(&mut buf)).await {
            conn.payload.extend_from_slice(&buf[..n]);
        }
    }
    let deadline = delay.map(|d| tokio::time::Instant::now() + d);
    let mut buf = vec![0u8; BUFSIZE];
    loop {
        // A TLS ClientHello still arriving: HAProxy's req.ssl_* fetches
        // answer "may change" until it is complete, so the rules wait.
        if !conn.payload_final
            && !conn.payload.is_empty()
            && tls::parse_client_hello(&conn.payload) == tls::Hello::Incomplete
            && conn.payload.len() < BUFSIZE
        {
            let room = BUFSIZE - conn.payload.len();
            let read = stream.read(&mut buf[..room]);
            let got = match deadline {
                Some(d) => tokio::time::timeout_at(d, read).await.ok(),
                None => Some(read.await),
            };
            match got {
                Some(Ok(0)) | Some(Err(_)) | None => conn.payload_final = true,
                Some(Ok(n)) => conn.payload.extend_from_slice(&buf[..n]),
            }
            continue;
        }
        conn.now_ms = shared.engine.now_ms();
        match rules.on_content(conn, &Ext::default()) {
            TcpVerdict::Accept => return Some(false),
            TcpVerdict::SwitchHttp => return Some(true),
            TcpVerdict::Reject { .. } => return None,
            TcpVerdict::NeedMore if conn.payload_final => return Some(false),
            TcpVerdict::NeedMore => {}
        }
        let room = BUFSIZE.saturating_sub(conn.payload.len());
        if room == 0 {
            conn.payload_final = true;
            continue;
        }
        let read = stream.read(&mut buf[..room]);
        let got = match deadline {
            Some(d) => tokio::time::timeout_at(d, read).await.ok(),
            None => Some(read.await),
        };
        match got {
            Some(Ok(0)) | Some(Err(_)) | None => conn.payload_final = true,
            Some(Ok(n)) => conn.payload.extend_from_slice(&buf[..n]),
        }
    }
}

/// The backend for this stream: `use_backend` rules, `default_backend`,
/// then a `listen` section's own servers.
fn choose_backend(conn: &TcpConn, fert: &FrontendRt, shared: &Shared) -> Option<Arc<Backend>> {
    let fe = &fert.fe;
    if let Some(r) = &fert.http_rules {
        let ext = Ext::default();
        let ctx = conn.ctx(&fe.name, &ext);
        if let Some(name) = r.select_backend_ctx(&ctx)
            && let Some(b) = shared.engine.backend(&name)
        {
            return Some(b);
        }
    }
    fe.fallback_backend().cloned()
}

/// Rules, backend choice and the server connection, with the PROXY
/// header and the inspected bytes already sent to the server. What happened
/// goes to `rec` (backend, server, Tw/Tc, the termination state on failure).
/// `upgrade`: where the inspected bytes go (and `None` is returned) when the stream
/// becomes HTTP: `switch-mode http`, or an HTTP backend (HAProxy 2.6 upgrades then).
#[allow(clippy::too_many_arguments)]
async fn prepare<S: AsyncRead + Unpin>(
    stream: &mut S,
    tls: Option<Arc<TlsInfo>>,
    client: SocketAddr,
    local: SocketAddr,
    fert: &FrontendRt,
    shared: &Shared,
    rec: &mut LogRecord,
    upgrade: Option<&mut Option<Vec<u8>>>,
) -> Option<(Arc<Backend>, crate::proxy::backend::ServerStream, Slot)> {
    let fe = &fert.fe;
    let mut conn = TcpConn {
        src: client,
        dst: local,
        frontend: Arc::from(fe.name.as_str()),
        backend: None,
        vars: Default::default(),
        payload: Vec::new(),
        payload_final: false,
        tls,
        now_ms: shared.engine.now_ms(),
        log_level: None,
    };
    let Some(switch) = inspect(stream, &mut conn, fert, shared).await else {
        rec.term = *b"PR";
        return None;
    };
    let mut upgrade = upgrade;
    if switch && let Some(up) = upgrade.as_deref_mut() {
        *up = Some(std::mem::take(&mut conn.payload));
        return None;
    }
    let Some(be) = choose_backend(&conn, fert, shared) else {
        rec.term = *b"SC";
        return None;
    };
    // An HTTP backend behind a TCP frontend: HAProxy upgrades the stream too (measured:
    // non-HTTP bytes get 400). Only where the HTTP session picks the same backend (no
    // `use_backend` rules: the frontend's HTTP rules are not compiled in TCP mode).
    if be.mode == crate::proxy::engine::Mode::Http
        && fe.use_backends.is_empty()
        && fe.fallback_backend().is_some_and(|f| Arc::ptr_eq(f, &be))
        && let Some(up) = upgrade
    {
        *up = Some(std::mem::take(&mut conn.payload));
        return None;
    }
    rec.backend_name = Some(be.name_arc.clone());
    let info = RequestInfo {
        src: Some(client.ip()),
        uri: None,
        headers: &[],
        is_post: false,
        body: None,
        hash_key: None,
    };
    shared.counters.note_backend(&be.name);
    // `stick match|on|store-request` (TCP mode applies them as HTTP mode does, on the
    // inspected payload; `store-response` needs response inspection, not run here)
    let mut sticky = StickRules::new();
    let mut stick_srv = None;
    if !be.stick_rules.is_empty() {
        conn.backend = Some(Arc::from(be.name.as_str()));
        for r in be
            .stick_rules
            .iter()
            .filter(|r| r.kind != StickKind::StoreResponse)
        {
            if sticky.skip_request_rule(r.kind, r.table) {
                continue;
            }
            let Some(key) = r.key(&conn.ctx(&be.name, &Ext::default())) else {
                continue;
            };
            let now = shared.engine.now_ms();
            let mut tables = shared
                .engine
                .tables
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let assigned = stick_srv.is_some();
            if let Some(id) = sticky.request_rule(&mut tables, r.kind, r.table, key, assigned, now)
            {
                stick_srv = be.server_by_puid(id);
            }
        }
    }
    // `sni <expr>` (`ssl_fc_sni` to re-encrypt with the client's name)
    let sni_vals = be.eval_sni(|e| {
        let mut v = Vec::new();
        e.eval_bytes(&conn.ctx(&be.name, &Ext::default()), &mut v)
            .then(|| String::from_utf8_lossy(&v).into_owned())
    });
    let mut opts = ConnectOpts::new(Some(local));
    // the PROXY header goes out before any TLS handshake
    opts.client = Some(client);
    opts.force = stick_srv;
    opts.sni = &sni_vals;
    let t0 = std::time::Instant::now();
    let sc = match be.connect_stream_with(&info, &mut opts).await {
        Ok(sc) => sc,
        Err(e) => {
            use crate::proxy::backend::ConnectError;
            match e {
                ConnectError::QueueFull | ConnectError::QueueTimeout => {
                    rec.term = *b"sQ";
                    rec.tw = t0.elapsed().as_millis() as i64;
                }
                ConnectError::NoServer => rec.term = *b"SC",
                ConnectError::Failed(f) => {
                    rec.term = if f.timeout { *b"sC" } else { *b"SC" };
                    rec.tw = 0;
                    rec.retries = opts.retries_done;
                    rec.redispatched = opts.avoid.is_some();
                    // HAProxy logs the last server tried (`bt/s9`), not `<NOSRV>`
                    rec.server_name = be.servers.get(f.server).map(|s| s.name.clone());
                    rec.server_idx = Some(f.server);
                }
            }
            return None;
        }
    };
    if !be.stick_rules.is_empty()
        && let Some(srv) = be.servers.get(sc.server)
    {
        let now = shared.engine.now_ms();
        let mut tables = shared
            .engine
            .tables
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        sticky.commit(
            &mut tables,
            i64::from(srv.puid),
            &srv.name,
            srv.non_stick,
            now,
        );
    }
    rec.tw = 0;
    rec.tc = t0.elapsed().as_millis() as i64;
    rec.server_name = Some(sc.name.clone());
    rec.server_idx = Some(sc.server);
    rec.retries = opts.retries_done;
    rec.redispatched = opts.avoid.is_some();
    // `%bi:%bp`: the local end of the server connection
    rec.backend_src = sc.stream.local_addr().ok();
    // The slot stays held (HAProxy's `served`) until the relay ends.
    let crate::proxy::backend::ServerConn {
        stream: mut server,
        server: idx,
        slot,
        proxy_sent,
        ..
    } = sc;
    if !proxy_sent
        && let Some(srv) = be.servers.get(idx)
        && let Some(h) = proxy_header_for(&srv.ir.opts, client, local)
    {
        server.write_all(&h).await.ok()?;
    }
    if !conn.payload.is_empty() {
        server.write_all(&conn.payload).await.ok()?;
    }
    Some((be, server, slot))
}

/// The record of a TCP session at accept (and HAProxy's "Connect from" line for a
/// proxy with log targets but no log format).
fn log_start(
    fert: &FrontendRt,
    client: SocketAddr,
    local: SocketAddr,
    tls: bool,
) -> (LogRecord, std::time::Instant) {
    let fe = &fert.fe;
    if let Some(l) = &fe.log {
        l.log_accept(client, local, &fe.name);
    }
    fe.conns.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let rec = LogRecord {
        mode: Mode::Tcp,
        client: Some(client),
        frontend_addr: Some(local),
        frontend_name: fe.name.clone(),
        frontend_ssl: tls,
        frontend_idx: Some(fe.index),
        accept_date_ms: crate::proxy::log::now_ms(),
        hostname: crate::proxy::log::hostname().to_string(),
        ..LogRecord::default()
    };
    (rec, std::time::Instant::now())
}

/// Ends the record (measured on HAProxy 2.6.12, `option tcplog`:
/// `tcpfe tcpbe/t1 1/0/0 5 -- 1/1/0/0/0 0/0`, `%B` = bytes from the server),
/// accounts it and sends the line.
fn log_end(
    mut rec: LogRecord,
    t0: std::time::Instant,
    fert: &FrontendRt,
    shared: &Shared,
    relayed: Option<relay::Relayed>,
    asap_sent: bool,
) {
    use std::sync::atomic::Ordering;
    let engine = &shared.engine;
    rec.tt = t0.elapsed().as_millis() as i64;
    if let Some(r) = relayed {
        rec.bytes_in = r.from_client;
        rec.bytes_out = r.from_server;
        rec.term = match r.end {
            relay::End::Closed => *b"--",
            relay::End::Timeout => *b"cD",
            relay::End::Error => *b"SD",
        };
    }
    connection_counts(&mut rec, fert, shared);
    engine.stats.account(&rec);
    if let Some(l) = &fert.fe.log
        && !asap_sent
    {
        l.log(&rec, &|_| None);
    }
    fert.fe.conns.fetch_sub(1, Ordering::Relaxed);
}

/// `option logasap`: the line goes out once the server connection is up, with `%Tt` and
/// `%B` as they are then, prefixed `+` (HAProxy 2.6.12, `option tcplog`: `tcpfe
/// tcpfe/s1 1/0/+0 +0 -- 1/1/1/1/0 0/0`); [`log_end`] then only counts the session.
/// Returns whether the line was sent.
fn log_asap(rec: &LogRecord, t0: std::time::Instant, fert: &FrontendRt, shared: &Shared) -> bool {
    let Some(l) = fert.fe.log.as_ref().filter(|l| l.options.logasap) else {
        return false;
    };
    let mut rec = rec.clone();
    rec.logasap = true;
    rec.tt = t0.elapsed().as_millis() as i64;
    connection_counts(&mut rec, fert, shared);
    l.log(&rec, &|_| None);
    true
}

/// `%ac/%fc/%bc/%sc`: the connection counts as the line is written (this session still
/// counted).
fn connection_counts(rec: &mut LogRecord, fert: &FrontendRt, shared: &Shared) {
    use std::sync::atomic::Ordering;
    let engine = &shared.engine;
    rec.actconn = engine
        .frontends()
        .iter()
        .map(|f| f.conns.load(Ordering::Relaxed).max(0) as u64)
        .sum::<u64>();
    rec.feconn = fert.fe.conns.load(Ordering::Relaxed).max(0) as u64;
    if let Some(be) = rec.backend_name.as_deref().and_then(|n| engine.backend(n)) {
        rec.beconn = u64::from(be.be_conn());
        rec.backend_idx = engine.backend_index(&be.name);
        if let Some(i) = rec.server_idx {
            rec.srv_conn = u64::from(be.served(i).unwrap_or(0));
        }
    }
}

/// Serve one accepted connection of a TCP frontend.
pub async fn serve(
    mut stream: TcpStream,
    client: SocketAddr,
    local: SocketAddr,
    fert: &FrontendRt,
    shared: &Shared,
) {
    let fe = &fert.fe;
    let (mut rec, t0) = log_start(fert, client, local, false);
    let guard = register(shared, client, local, &fe.name);
    let mut upgrade = None;
    let Some((be, server, slot)) = prepare(
        &mut stream,
        None,
        client,
        local,
        fert,
        shared,
        &mut rec,
        Some(&mut upgrade),
    )
    .await
    else {
        if let Some(pre) = upgrade {
            // `switch-mode http`: the HTTP session takes the connection (and counts it)
            drop(guard);
            fe.conns.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            let pre = bytes::BytesMut::from(&pre[..]);
            crate::proxy::http::session::serve(
                crate::proxy::http::h2::Rewind::new(pre, stream),
                client,
                local,
                fe.clone(),
                shared.engine.clone(),
            )
            .await;
            return;
        }
        log_end(rec, t0, fert, shared, None, false);
        return;
    };
    guard.set_route(&be.name, rec.server_name.as_deref());
    let asap = log_asap(&rec, t0, fert, shared);
    let t = relay::Timeouts::of(&fe.timeouts, &be.timeouts);
    let splice = if shared.no_splice {
        relay::Splice::default()
    } else {
        relay::splice_wanted(&fe.ir.settings, &be.ir.settings)
    };
    let relayed = async {
        match server.into_tcp() {
            Ok(server) => relay::relay_counted(stream, server, t, splice).await,
            Err(server) => relay::relay_stream(stream, server, t).await,
        }
    };
    // `shutdown session(s)` drops both connections
    let r = tokio::select! {
        r = relayed => Some(r),
        _ = guard.cancelled() => None,
    };
    if r.is_none() {
        // HAProxy's SF_ERR_KILLED during the data phase
        rec.term = *b"KD";
    }
    drop(slot);
    log_end(rec, t0, fert, shared, r, asap);
}

/// `show sess` lists a TCP stream from its accept.
fn register(
    shared: &Shared,
    client: SocketAddr,
    local: SocketAddr,
    fe: &str,
) -> crate::proxy::api::sess::Guard {
    shared
        .engine
        .sessions
        .register(crate::proxy::api::sess::NewStream {
            src: crate::proxy::api::sess::Source::Tcp(client),
            local: Some(local),
            frontend: fe,
            http: false,
        })
}

/// The same for a client stream that is not a plain socket (TLS
/// termination on an `ssl` bind): no splice. `tls` is the finished handshake
/// (`ssl_fc*`).
pub async fn serve_stream<S>(
    mut stream: S,
    tls: Option<Arc<TlsInfo>>,
    client: SocketAddr,
    local: SocketAddr,
    fert: &FrontendRt,
    shared: &Shared,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let fe = &fert.fe;
    let (mut rec, t0) = log_start(fert, client, local, tls.is_some());
    // `%sslv` / `%sslc`: the client side's handshake
    if let Some(i) = tls.as_deref() {
        rec.ssl_version = (!i.protocol.is_empty()).then(|| i.protocol.clone());
        rec.ssl_cipher = (!i.cipher.is_empty()).then(|| i.cipher.clone());
    }
    let guard = register(shared, client, local, &fe.name);
    let Some((be, server, slot)) = prepare(
        &mut stream,
        tls,
        client,
        local,
        fert,
        shared,
        &mut rec,
        None,
    )
    .await
    else {
        log_end(rec, t0, fert, shared, None, false);
        return;
    };
    guard.set_route(&be.name, rec.server_name.as_deref());
    let asap = log_asap(&rec, t0, fert, shared);
    let t = relay::Timeouts::of(&fe.timeouts, &be.timeouts);
    let r = tokio::select! {
        r = relay::relay_stream(stream, server, t) => Some(r),
        _ = guard.cancelled() => None,
    };
    if r.is_none() {
        // HAProxy's SF_ERR_KILLED during the data phase
        rec.term = *b"KD";
    }
    drop(slot);
    log_end(rec, t0, fert, shared, r, asap);
}
