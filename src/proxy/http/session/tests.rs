//! End-to-end tests on loopback: test backends that answer with their own name, the
//! engine built from a real config text, a listener calling [`serve`], raw clients.
//! Expected bytes and behaviours were measured on HAProxy 2.6.12 (see the module docs).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use super::serve;
use crate::proxy::engine::Engine;

/// What a test backend does with a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Behave {
    /// `200`, `x-server: NAME`, body `NAME\n` (+ the received body length for POSTs).
    Name,
    /// Answers `garbage`.
    Garbage,
    /// Closes without answering.
    Close,
    /// Waits this long before answering.
    Slow(u64),
    /// Sends a chunked body of 3 chunks.
    Chunked,
    /// `101 Switching Protocols`, then echoes.
    Upgrade,
    /// Answers like `Name`, then closes the connection without announcing it (a server
    /// whose keep-alive timeout expired, or that was restarted).
    OneShot,
}

pub(crate) struct TestServer {
    pub port: u16,
    /// Request heads received, as text.
    pub heads: Arc<Mutex<Vec<String>>>,
    /// TCP connections accepted.
    pub conns: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn server(name: &'static str, behave: Behave) -> TestServer {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let conns = Arc::new(AtomicUsize::new(0));
    let (h, c) = (heads.clone(), conns.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((s, _)) = l.accept().await else { return };
            c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(backend_conn(s, name, behave, h.clone()));
        }
    });
    TestServer {
        port,
        heads,
        conns,
        task,
    }
}

async fn backend_conn(
    mut s: TcpStream,
    name: &'static str,
    behave: Behave,
    heads: Arc<Mutex<Vec<String>>>,
) {
    let mut buf = Vec::new();
    loop {
        // read a head
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut tmp = [0u8; 4096];
            match s.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end);
        let cl: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        let expect = head.to_ascii_lowercase().contains("expect: 100-continue");
        heads.lock().await.push(head.clone());
        if expect {
            let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
        }
        while buf.len() < cl {
            let mut tmp = [0u8; 65536];
            match s.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        }
        let body_len = cl;
        buf.drain(..cl);
        let is_head = head.starts_with("HEAD ");
        match behave {
            Behave::Garbage => {
                let _ = s.write_all(b"garbage\r\n\r\n").await;
                return;
            }
            Behave::Close => return,
            Behave::Slow(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            Behave::Chunked => {
                let r = format!(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Server: {name}\r\n\r\n3\r\nabc\r\n2\r\nde\r\n{:x}\r\n{name}\r\n0\r\n\r\n",
                    name.len()
                );
                if s.write_all(r.as_bytes()).await.is_err() {
                    return;
                }
                continue;
            }
            Behave::Upgrade => {
                let _ = s
                    // with the key HAProxy requires of a websocket 101 (else 502)
                    .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                    .await;
                let mut tmp = [0u8; 1024];
                loop {
                    match s.read(&mut tmp).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if s.write_all(&tmp[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            }
            Behave::Name | Behave::OneShot => {}
        }
        let body = if body_len > 0 {
            format!("{name}\n{body_len}\n")
        } else {
            format!("{name}\n")
        };
        let r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Server: {name}\r\nContent-Length: {}\r\n\r\n{}",
            body.len(),
            if is_head { "" } else { body.as_str() }
        );
        if s.write_all(r.as_bytes()).await.is_err() {
            return;
        }
        if behave == Behave::OneShot {
            return;
        }
    }
}

/// Builds the engine for `cfg` (with `@S1@`, `@S2@`... replaced by the servers' ports)
/// and serves its first frontend on an ephemeral port.
pub(crate) async fn proxy(cfg: &str, servers: &[&TestServer]) -> (u16, Arc<Engine>) {
    let mut text = cfg.to_string();
    for (i, s) in servers.iter().enumerate() {
        text = text.replace(&format!("@S{}@", i + 1), &s.port.to_string());
    }
    let ir = crate::proxy::engine::tests::config(&text);
    let engine = Engine::from_ir(&ir, std::path::Path::new(".")).expect("engine");
    let fe = engine.frontends()[0].clone();
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let e = engine.clone();
    tokio::spawn(async move {
        loop {
            let Ok((s, peer)) = l.accept().await else {
                return;
            };
            let _ = s.set_nodelay(true);
            let local = s.local_addr().expect("local");
            tokio::spawn(serve(s, peer, local, fe.clone(), e.clone()));
        }
    });
    (port, engine)
}

/// Sends `req` and reads until the connection closes or `wait_ms` passes without data.
pub(crate) async fn exchange(port: u16, req: &[u8], wait_ms: u64) -> (String, bool) {
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    c.write_all(req).await.expect("send");
    read_all(&mut c, wait_ms).await
}

/// Reads until close (`true`) or `wait_ms` of silence (`false`).
pub(crate) async fn read_all(c: &mut TcpStream, wait_ms: u64) -> (String, bool) {
    let mut out = Vec::new();
    let mut tmp = [0u8; 65536];
    loop {
        match tokio::time::timeout(Duration::from_millis(wait_ms), c.read(&mut tmp)).await {
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&tmp[..n]),
        }
    }
}

const BASE: &str =
    "defaults\n mode http\n timeout client 5s\n timeout server 2s\n timeout connect 1s\n";

#[tokio::test]
async fn keepalive_roundrobin_and_wire_format() {
    let s1 = server("s1", Behave::Name).await;
    let s2 = server("s2", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n server s2 127.0.0.1:@S2@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1, &s2]).await;
    let (out, closed) = exchange(
        port,
        b"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: T\r\nConnection: keep-alive\r\nX-Foo: Bar\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.0\r\nHost: x\r\n\r\n",
        500,
    )
    .await;
    // HAProxy 2.6.12's bytes for the same exchange (see the module docs)
    let expected = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-server: s1\r\ncontent-length: 3\r\n\r\ns1\n\
HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-server: s2\r\ncontent-length: 3\r\n\r\ns2\n\
HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-server: s1\r\ncontent-length: 3\r\nconnection: close\r\n\r\ns1\n";
    assert_eq!(out, expected);
    assert!(closed);
    let h1 = s1.heads.lock().await.clone();
    let h2 = s2.heads.lock().await.clone();
    assert_eq!(
        h1,
        vec![
            "GET /a HTTP/1.1\r\nhost: x\r\nuser-agent: T\r\nx-foo: Bar\r\n\r\n".to_string(),
            "GET /c HTTP/1.0\r\nhost: x\r\nconnection: keep-alive\r\n\r\n".to_string(),
        ]
    );
    assert_eq!(h2, vec!["GET /b HTTP/1.1\r\nhost: x\r\n\r\n".to_string()]);
}

#[tokio::test]
async fn http10_keepalive_client_gets_keepalive_header() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let (out, closed) = exchange(
        port,
        b"GET /d HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-server: s1\r\ncontent-length: 3\r\nconnection: keep-alive\r\n\r\ns1\n"
    );
    assert!(!closed);
}

#[tokio::test]
async fn server_close_and_forwardfor() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n option forwardfor\n option http-server-close\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let (out, closed) = exchange(
        port,
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
    assert!(!closed);
    assert!(!out.contains("connection:"));
    let h = s1.heads.lock().await.clone();
    // HAProxy 2.6.12: appended after an existing header, `connection: close` last
    assert_eq!(
        h,
        vec![
            "GET /a HTTP/1.1\r\nhost: x\r\nx-forwarded-for: 127.0.0.1\r\nconnection: close\r\n\r\n"
                .to_string(),
            "GET /b HTTP/1.1\r\nhost: x\r\nx-forwarded-for: 1.1.1.1\r\nx-forwarded-for: 127.0.0.1\r\nconnection: close\r\n\r\n"
                .to_string(),
        ]
    );
    // one server connection per request
    assert_eq!(s1.conns.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn httpclose_closes_client_after_first_response() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n option httpclose\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let (out, closed) = exchange(
        port,
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-server: s1\r\ncontent-length: 3\r\nconnection: close\r\n\r\ns1\n"
    );
    assert!(closed);
    assert_eq!(
        s1.heads.lock().await.clone(),
        vec!["GET /a HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_string()]
    );
}

#[tokio::test]
async fn server_connection_reused_within_client_connection() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    for _ in 0..5 {
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("send");
        let (out, _) = read_all(&mut c, 100).await;
        assert!(out.ends_with("s1\n"), "{out}");
    }
    assert_eq!(s1.conns.load(Ordering::SeqCst), 1);
    drop(c);
    // a new client connection: first request may not take the idle one (http-reuse safe)
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send");
    let _ = read_all(&mut c, 100).await;
    assert_eq!(s1.conns.load(Ordering::SeqCst), 2);
    // its second request may
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send");
    let _ = read_all(&mut c, 100).await;
    assert_eq!(s1.conns.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn error_pages() {
    let g = server("g", Behave::Garbage).await;
    let c = server("c", Behave::Close).await;
    let s = server("s", Behave::Slow(1500)).await;
    let cfg = "defaults\n mode http\n timeout client 5s\n timeout server 300ms\n timeout connect 100ms\n timeout http-request 300ms\n retries 1\n\
frontend fe\n bind 127.0.0.1:0\n use_backend gb if { path /g }\n use_backend cb if { path /c }\n use_backend sb if { path /s }\n use_backend nb if { path /n }\n default_backend none\n\
backend gb\n server s1 127.0.0.1:@S1@\nbackend cb\n server s1 127.0.0.1:@S2@\nbackend sb\n server s1 127.0.0.1:@S3@\nbackend nb\n server s1 127.0.0.1:1\nbackend none\n";

    let (port, _e) = proxy(cfg, &[&g, &c, &s]).await;
    let get = |p: &str| format!("GET {p} HTTP/1.1\r\nHost: x\r\n\r\n");
    for (path, page) in [
        ("/g", super::pages::E502),
        ("/c", super::pages::E502),
        ("/s", super::pages::E504),
        ("/n", super::pages::E503),
        ("/x", super::pages::E503),
    ] {
        let (out, closed) = exchange(port, get(path).as_bytes(), 2000).await;
        assert_eq!(out.as_bytes(), page, "{path}");
        assert!(closed, "{path}");
    }
    let (out, closed) = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n", 2000).await;
    assert_eq!(out.as_bytes(), super::pages::E408);
    assert!(closed);
    let (out, closed) = exchange(port, b"", 2000).await;
    assert_eq!(out.as_bytes(), super::pages::E408);
    assert!(closed);
}

#[tokio::test]
async fn no_server_503_keeps_the_connection() {
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n http-request deny if {{ path /d }}\n default_backend none\nbackend none\n"
    );
    let (port, _e) = proxy(&cfg, &[]).await;
    // HAProxy 2.6.12: both pipelined requests answered, connection left open
    let (out, closed) = exchange(
        port,
        b"GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(
        out.as_bytes(),
        [super::pages::E503, super::pages::E503].concat()
    );
    assert!(!closed);
    let (out, closed) = exchange(
        port,
        b"GET /d HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(out.matches("HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n").count(), 2, "{out}");
    assert!(!closed);
    // HTTP/1.0 without keep-alive: `connection: close`, then closed
    let (out, closed) = exchange(port, b"GET /x HTTP/1.0\r\nHost: x\r\n\r\n", 300).await;
    assert_eq!(
        out,
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
    );
    assert!(closed);
}

#[tokio::test]
async fn bodies_stream_both_ways() {
    let s1 = server("s1", Behave::Name).await;
    let s2 = server("s2", Behave::Chunked).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n use_backend ch if {{ path /ch }}\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\nbackend ch\n server s2 127.0.0.1:@S2@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1, &s2]).await;
    let body = vec![b'x'; 200_000];
    let mut req = format!(
        "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req.extend_from_slice(
        b"GET /ch HTTP/1.1\r\nHost: x\r\n\r\nHEAD /h HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    let (out, _) = exchange(port, &req, 300).await;
    assert!(out.contains("s1\n200000\n"), "{out}");
    assert!(
        out.contains("transfer-encoding: chunked\r\nx-server: s2\r\n\r\n3\r\nabc\r\n2\r\nde\r\n2\r\ns2\r\n0\r\n\r\n"),
        "{out}"
    );
    assert!(out.ends_with("content-length: 3\r\n\r\n"), "{out}");
}

#[tokio::test]
async fn expect_100_continue() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    c.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        .await
        .expect("send");
    let (out, _) = read_all(&mut c, 300).await;
    assert_eq!(out, "HTTP/1.1 100 Continue\r\n\r\n");
    c.write_all(b"hello").await.expect("send");
    let (out, _) = read_all(&mut c, 300).await;
    assert!(out.ends_with("s1\n5\n"), "{out}");
}

#[tokio::test]
async fn websocket_tunnel() {
    let s1 = server("s1", Behave::Upgrade).await;
    let cfg = format!(
        "{BASE} timeout tunnel 1s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    c.write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        .await
        .expect("send");
    let (out, _) = read_all(&mut c, 300).await;
    assert!(
        out.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{out}"
    );
    c.write_all(b"ping").await.expect("send");
    let (out, _) = read_all(&mut c, 300).await;
    assert_eq!(out, "ping");
    let h = s1.heads.lock().await.clone();
    assert!(
        h[0].to_ascii_lowercase()
            .contains("connection: upgrade\r\n"),
        "{h:?}"
    );
}

#[tokio::test]
async fn maxconn_queue_then_timeout_queue() {
    let s1 = server("s1", Behave::Slow(400)).await;
    let cfg = format!(
        "{BASE} timeout queue 200ms\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@ maxconn 1\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let a = tokio::spawn(exchange(port, get, 800));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let b = tokio::spawn(exchange(port, get, 800));
    let (ra, _) = a.await.expect("join");
    let (rb, closed) = b.await.expect("join");
    assert!(ra.ends_with("s1\n"), "{ra}");
    assert_eq!(rb.as_bytes(), super::pages::E503);
    // a 503 leaves the client connection open, as for "no server"
    assert!(!closed);
}

#[tokio::test]
async fn queued_request_gets_the_freed_slot() {
    let s1 = server("s1", Behave::Slow(200)).await;
    let cfg = format!(
        "{BASE} timeout queue 2s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@ maxconn 1\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let a = tokio::spawn(exchange(port, get, 1000));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let b = tokio::spawn(exchange(port, get, 1000));
    let (ra, _) = a.await.expect("join");
    let (rb, _) = b.await.expect("join");
    assert!(ra.ends_with("s1\n"), "{ra}");
    assert!(rb.ends_with("s1\n"), "{rb}");
}

#[tokio::test]
async fn down_server_gets_no_traffic_and_backup_takes_over() {
    use crate::proxy::balance::ServerState;
    let s1 = server("s1", Behave::Name).await;
    let s2 = server("s2", Behave::Name).await;
    let s3 = server("s3", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n server s2 127.0.0.1:@S2@\n server s3 127.0.0.1:@S3@ backup\n"
    );
    let (port, e) = proxy(&cfg, &[&s1, &s2, &s3]).await;
    let be = e.backend("be").expect("be");
    e.server_transition(&be, 0, ServerState::Down, "test");
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let (out, _) = exchange(port, get, 200).await;
    assert_eq!(out.matches("s2\n").count(), 2, "{out}");
    e.server_transition(&be, 1, ServerState::Down, "test");
    let (out, _) = exchange(port, get, 200).await;
    assert_eq!(out.matches("s3\n").count(), 2, "{out}");
    e.server_transition(&be, 2, ServerState::Down, "test");
    let (out, _) = exchange(port, get, 200).await;
    assert_eq!(
        out.as_bytes(),
        [super::pages::E503, super::pages::E503].concat()
    );
}

#[tokio::test]
async fn refused_connection_redispatches_to_the_other_server() {
    let s2 = server("s2", Behave::Name).await;
    let cfg = format!(
        "{BASE} retries 3\n option redispatch\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s2]).await;
    let t = std::time::Instant::now();
    let (out, _) = exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        300,
    )
    .await;
    assert_eq!(out.matches("s2\n").count(), 2, "{out}");
    // roundrobin with 2 active servers: redispatch at once, no 1 s turn-around
    assert!(t.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn transition_line_text() {
    use crate::proxy::balance::ServerState;
    let cfg = format!(
        "{BASE}backend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2 backup\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\n"
    );
    let ir = crate::proxy::engine::tests::config(&cfg);
    let e = Engine::from_ir(&ir, std::path::Path::new(".")).expect("engine");
    let be = e.backend("be").expect("be");
    // the shape of HAProxy 2.6.12's line
    assert_eq!(
        be.set_server_state(0, ServerState::Down, "Layer4 connection problem, info: \"Connection refused\", check duration: 0ms"),
        Some("Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.".to_string())
    );
    assert_eq!(be.set_server_state(0, ServerState::Down, "x"), None);
}

#[tokio::test]
async fn cookie_insert_persistence() {
    let s1 = server("s1", Behave::Name).await;
    let s2 = server("s2", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n cookie SRV insert indirect nocache\n server s1 127.0.0.1:@S1@ cookie a1\n server s2 127.0.0.1:@S2@ cookie a2\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1, &s2]).await;
    let (out, _) = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200).await;
    assert!(out.contains("\r\nset-cookie: SRV=a1; path=/\r\n"), "{out}");
    // no `cache-control: private`: the response has no freshness info or validator
    assert!(!out.contains("cache-control"), "{out}");
    // the cookie pins every request to s2, and is not forwarded (indirect)
    let (out, _) = exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=a2\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=a2; k=v\r\n\r\n",
        200,
    )
    .await;
    assert_eq!(out.matches("s2\n").count(), 2, "{out}");
    assert!(!out.contains("set-cookie"), "{out}");
    let h = s2.heads.lock().await.clone();
    assert_eq!(h.len(), 2);
    assert!(!h[0].contains("cookie"), "{h:?}");
    assert!(h[1].contains("\r\ncookie: k=v\r\n"), "{h:?}");
}

#[tokio::test]
async fn rate_limit_with_track_sc0() {
    let s1 = server("s1", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n stick-table type ip size 100 expire 10s store http_req_rate(10s)\n http-request track-sc0 src\n http-request deny deny_status 429 if {{ sc_http_req_rate(0) gt 2 }}\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        c.write_all(get).await.expect("send");
        let (out, _) = read_all(&mut c, 150).await;
        statuses.push(out.get(9..12).unwrap_or("").to_string());
    }
    assert_eq!(statuses, ["200", "200", "429", "429"]);
}

#[tokio::test]
async fn stick_on_src_pins_the_client() {
    let s1 = server("s1", Behave::Name).await;
    let s2 = server("s2", Behave::Name).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n stick-table type ip size 10 expire 1m\n stick on src\n server s1 127.0.0.1:@S1@\n server s2 127.0.0.1:@S2@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1, &s2]).await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for _ in 0..3 {
        let (out, _) = exchange(port, get, 150).await;
        assert_eq!(out.matches("s1\n").count(), 2, "{out}");
    }
}

#[tokio::test]
async fn abortonclose_drops_a_queued_request_whose_client_left() {
    let s1 = server("s1", Behave::Slow(300)).await;
    let cfg = format!(
        "{BASE} timeout queue 2s\n option abortonclose\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@ maxconn 1\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let a = tokio::spawn(exchange(port, get, 600));
    tokio::time::sleep(Duration::from_millis(50)).await;
    // queued behind `a`, then gone
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    c.write_all(get).await.expect("send");
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(c);
    let (ra, _) = a.await.expect("join");
    assert!(ra.ends_with("s1\n"), "{ra}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    // only `a` reached the server
    assert_eq!(s1.heads.lock().await.len(), 1);
}

#[tokio::test]
async fn closed_idle_server_connection_is_replaced() {
    let s1 = server("s1", Behave::OneShot).await;
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:@S1@\n"
    );
    let (port, _e) = proxy(&cfg, &[&s1]).await;
    let mut c = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    for _ in 0..3 {
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("send");
        let (out, closed) = read_all(&mut c, 200).await;
        assert!(out.ends_with("s1\n"), "{out}");
        assert!(!closed);
    }
    assert_eq!(s1.conns.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_session_future_stays_small() {
    // Every client connection holds its session future for as long as it is open, idle
    // keep-alive ones included; the transaction's large state is boxed per request.
    let cfg = format!(
        "{BASE}frontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n"
    );
    let ir = crate::proxy::engine::tests::config(&cfg);
    let engine = Engine::from_ir(&ir, std::path::Path::new(".")).expect("engine");
    let fe = engine.frontends()[0].clone();
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let c = TcpStream::connect(addr).await.expect("connect");
    let (s, peer) = l.accept().await.expect("accept");
    let fut = serve(s, peer, addr, fe, engine);
    let size = std::mem::size_of_val(&fut);
    eprintln!("session future: {size} bytes");
    // 2272 bytes in a debug build with the transaction boxed
    assert!(size < 4096, "session future is {size} bytes");
    drop(fut);
    drop(c);
}
