//! The run mode on real loopback sockets, in process: listeners, TCP
//! relay, PROXY protocol, content rules, maxconn, pause/resume, soft stop
//! and hard-stop-after. (Signals and daemon/-sf are exercised against the
//! binary; see the report of issue 3.)

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::proxy::listen::{BindSettings, bind_all, frontends_rt};

/// A free port in 20000-29999 (the range the helpers share for tests).
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let seed = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    for _ in 0..200 {
        let n = NEXT.fetch_add(7919, Ordering::Relaxed);
        let p = 20000 + ((seed.wrapping_add(n)) % 10000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
    0
}

fn quiet() -> Logger {
    Logger {
        exe: "tandem".into(),
        version: "test".into(),
        quiet: true,
        starting: false,
        version_shown: true,
    }
}

fn load(text: &str) -> ir::Config {
    let out = crate::config::haproxy::parser::load_from_memory(
        "t.cfg",
        text.as_bytes(),
        &Default::default(),
    );
    match out.config {
        Some(c) => c,
        None => panic!("config does not load: {:?}", out.diags),
    }
}

/// Bind and start a config as `haproxy -f` would (without the process part).
fn boot(text: &str) -> Running {
    let cfg = load(text);
    let engine = match Engine::from_ir(&cfg, std::path::Path::new(".")) {
        Ok(e) => e,
        Err(e) => panic!("engine: {e}"),
    };
    let lim = limits::Limits {
        maxconn: 1000,
        maxsock: 2100,
    };
    let fes = match frontends_rt(&cfg, &engine, std::path::Path::new("."), lim.maxconn) {
        Ok(f) => f,
        Err(e) => panic!("rules: {e}"),
    };
    let b = bind_all(
        &engine,
        &cfg.global,
        &BindSettings {
            reuseport: true,
            global_maxconn: lim.maxconn,
        },
        &mut crate::runtime::handover::Inherited::default(),
    );
    assert!(!b.failed, "{:?}", b.msgs);
    start_serving(cfg, engine, fes, b.sockets, lim, false, &quiet())
}

/// A backend that reads until EOF, waits `delay`, then answers `tag:` and
/// what it read.
async fn backend(delay: Duration, tag: &'static str) -> u16 {
    let port = free_port();
    let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await else {
        return 0;
    };
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut got = Vec::new();
                let _ = s.read_to_end(&mut got).await;
                tokio::time::sleep(delay).await;
                let mut out = format!("{tag}:").into_bytes();
                out.extend_from_slice(&got);
                let _ = s.write_all(&out).await;
            });
        }
    });
    port
}

async fn exchange(port: u16, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let work = async {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.write_all(data).await?;
        s.shutdown().await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        Ok(out)
    };
    match tokio::time::timeout(Duration::from_secs(5), work).await {
        Ok(r) => r,
        Err(_) => Err(std::io::ErrorKind::TimedOut.into()),
    }
}

fn tcp_cfg(front: &str, extra: &str, be_port: u16, srv_opts: &str) -> String {
    format!(
        "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n\
         listen li\n bind 127.0.0.1:{front}\n{extra} server s1 127.0.0.1:{be_port} {srv_opts}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_stop_lets_in_flight_finish_and_closes_listeners() {
    let be = backend(Duration::from_millis(400), "slow").await;
    let fp = free_port();
    let run = boot(&tcp_cfg(&fp.to_string(), "", be, ""));
    let inflight = tokio::spawn(exchange(fp, b"x"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut log = quiet();
    let started = Instant::now();
    let stop = tokio::spawn(async move { run.soft_stop(&mut log).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The listener is closed: a new connection is refused.
    assert!(TcpStream::connect(("127.0.0.1", fp)).await.is_err());
    let got = inflight.await.ok().and_then(|r| r.ok());
    assert_eq!(got.as_deref(), Some(&b"slow:x"[..]));
    assert_eq!(stop.await.ok(), Some(0));
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_stop_after_cuts_long_sessions() {
    let be = backend(Duration::from_secs(20), "never").await;
    let fp = free_port();
    let text = format!(
        "global\n hard-stop-after 300ms\n{}",
        tcp_cfg(&fp.to_string(), "", be, "")
    );
    let run = boot(&text);
    let _inflight = tokio::spawn(exchange(fp, b"x"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut log = quiet();
    assert_eq!(run.soft_stop(&mut log).await, 0);
    let el = started.elapsed();
    assert!(
        el >= Duration::from_millis(250) && el < Duration::from_secs(3),
        "{el:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_proxy_then_send_proxy_v1_and_v2() {
    let be = backend(Duration::ZERO, "b").await;
    let fp = free_port();
    let run = boot(&tcp_cfg(
        &format!("{fp} accept-proxy"),
        "",
        be,
        "send-proxy",
    ));
    let mut req = b"PROXY TCP4 192.0.2.7 198.51.100.1 4567 443\r\n".to_vec();
    req.extend_from_slice(b"payload");
    let got = exchange(fp, &req).await.ok();
    // The server sees the client of the PROXY header, then the payload.
    assert_eq!(
        got.as_deref(),
        Some(&b"b:PROXY TCP4 192.0.2.7 198.51.100.1 4567 443\r\npayload"[..])
    );
    // Not a PROXY header: the connection is closed without reaching the server.
    let r = exchange(fp, b"GET / HTTP/1.0\r\n\r\n").await;
    assert!(r.as_ref().map_or(true, |v| v.is_empty()), "{r:?}");
    let mut log = quiet();
    run.soft_stop(&mut log).await;

    let fp = free_port();
    let run = boot(&tcp_cfg(&fp.to_string(), "", be, "send-proxy-v2"));
    let got = exchange(fp, b"z").await.unwrap_or_default();
    let local: SocketAddr = ([127, 0, 0, 1], fp).into();
    assert_eq!(got.get(..2), Some(&b"b:"[..]));
    let h = crate::proxy::tcp::proxy_proto::parse(got.get(2..).unwrap_or_default());
    let Ok(Some(h)) = h else {
        panic!("no v2 header: {got:?}")
    };
    assert_eq!(h.addrs.map(|a| a.1), Some(local));
    assert_eq!(got.get(2 + h.len..), Some(&b"z"[..]));
    let mut log = quiet();
    run.soft_stop(&mut log).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_rules_route_tls_by_sni() {
    let be_a = backend(Duration::ZERO, "a").await;
    let be_d = backend(Duration::ZERO, "d").await;
    let fp = free_port();
    let text = format!(
        "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n\
         frontend fe\n bind 127.0.0.1:{fp}\n tcp-request inspect-delay 2s\n\
         tcp-request content accept if {{ req.ssl_hello_type 1 }}\n\
         use_backend ba if {{ req.ssl_sni -i a.example }}\n default_backend bd\n\
         backend ba\n server s 127.0.0.1:{be_a}\nbackend bd\n server s 127.0.0.1:{be_d}\n"
    );
    let run = boot(&text);
    let hello = crate::proxy::tcp::tls::tests::client_hello(Some("A.example"));
    // Sent in two pieces: the rules wait for the whole ClientHello.
    let mut s = match TcpStream::connect(("127.0.0.1", fp)).await {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let (x, y) = hello.split_at(20);
    let _ = s.write_all(x).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = s.write_all(y).await;
    let _ = s.shutdown().await;
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got).await;
    assert_eq!(got.get(..2), Some(&b"a:"[..]));
    assert_eq!(got.get(2..), Some(&hello[..]));
    let other = crate::proxy::tcp::tls::tests::client_hello(Some("b.example"));
    let got = exchange(fp, &other).await.unwrap_or_default();
    assert_eq!(got.get(..2), Some(&b"d:"[..]));
    let mut log = quiet();
    run.soft_stop(&mut log).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_rules_and_frontend_maxconn() {
    let be = backend(Duration::from_millis(300), "b").await;
    let fp = free_port();
    let run = boot(&tcp_cfg(
        &fp.to_string(),
        " maxconn 1\n tcp-request connection reject if { src 10.0.0.0/8 }\n",
        be,
        "",
    ));
    // maxconn 1: the second client waits until the first is done.
    let started = Instant::now();
    let a = tokio::spawn(exchange(fp, b"1"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let b = exchange(fp, b"2").await.unwrap_or_default();
    assert_eq!(b, b"b:2");
    assert!(started.elapsed() >= Duration::from_millis(550));
    assert_eq!(
        a.await.ok().and_then(|r| r.ok()).as_deref(),
        Some(&b"b:1"[..])
    );
    let mut log = quiet();
    run.soft_stop(&mut log).await;

    let fp = free_port();
    let run = boot(&tcp_cfg(
        &fp.to_string(),
        " tcp-request connection reject if { src 127.0.0.0/8 }\n",
        be,
        "",
    ));
    assert_eq!(exchange(fp, b"x").await.unwrap_or_default(), b"");
    let mut log = quiet();
    run.soft_stop(&mut log).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_listeners() {
    let be = backend(Duration::ZERO, "b").await;
    let fp = free_port();
    let run = boot(&tcp_cfg(&fp.to_string(), "", be, ""));
    assert_eq!(exchange(fp, b"1").await.ok().as_deref(), Some(&b"b:1"[..]));
    run.pause(true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let paused = exchange(fp, b"2").await;
    assert!(paused.as_ref().map_or(true, |v| v.is_empty()), "{paused:?}");
    run.pause(false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let resumed = exchange(fp, b"3").await;
    assert_eq!(
        resumed.as_ref().ok().map(|v| &v[..]),
        Some(&b"b:3"[..]),
        "{resumed:?}"
    );
    let mut log = quiet();
    run.soft_stop(&mut log).await;
}

#[test]
fn stats_socket_bind_errors_read_as_haproxys() {
    // HAProxy 2.6.12:
    // [ALERT]    (15429) : Binding [s.cfg:2] for frontend GLOBAL: cannot bind UNIX socket (No such file or directory) [/nonexistent/dir/s.sock]
    // [ALERT]    (26426) : Binding [s2.cfg:2] for frontend GLOBAL: cannot bind socket (Address already in use) for [127.0.0.1:24713]
    let mut cfg = crate::ir::haproxy::Config::default();
    cfg.global
        .stats_sockets
        .push(crate::ir::haproxy::StatsSocket {
            span: crate::ir::haproxy::Span {
                file: "s.cfg".into(),
                line: 2,
            },
            address: "/nonexistent/dir/s.sock".into(),
            params: Vec::new(),
        });
    let e = crate::proxy::api::ApiError::Bind {
        path: "/nonexistent/dir/s.sock".into(),
        msg: "No such file or directory (os error 2)".into(),
    };
    assert_eq!(
        super::api_error_text(&cfg, &e),
        "Binding [s.cfg:2] for frontend GLOBAL: cannot bind UNIX socket (No such file or directory) [/nonexistent/dir/s.sock]"
    );
    cfg.global.stats_sockets[0].address = "ipv4@127.0.0.1:24713".into();
    let e = crate::proxy::api::ApiError::Bind {
        path: "ipv4@127.0.0.1:24713".into(),
        msg: "Address already in use (os error 98)".into(),
    };
    assert_eq!(
        super::api_error_text(&cfg, &e),
        "Binding [s.cfg:2] for frontend GLOBAL: cannot bind socket (Address already in use) for [127.0.0.1:24713]"
    );
}
