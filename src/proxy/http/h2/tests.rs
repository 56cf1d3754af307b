//! Unit tests of the HTTP/2 side; the end-to-end ones (real connections, HAProxy beside
//! tandem) are in tests/h2_diff.rs.

use super::gateway::{encode_request, map_response};
use super::*;
use crate::proxy::http::msg::{Header, HeaderList, ResponseHead};

fn parts(req: http::Request<()>) -> http::request::Parts {
    req.into_parts().0
}

fn encode(req: http::Request<()>, end_stream: bool) -> (String, bool) {
    let mut out = Vec::new();
    let chunked = encode_request(&parts(req), end_stream, &mut out);
    (String::from_utf8(out).unwrap(), chunked)
}

#[test]
fn authority_becomes_host_without_the_default_port() {
    // HAProxy 2.6.12 sent `GET /p HTTP/1.1`, `host: auth.example` (first), the other
    // headers, then `cookie: a=1; b=2` for :authority auth.example:80 + host: hosthdr
    let req = http::Request::builder()
        .method("GET")
        .uri("http://auth.example:80/p")
        .header("host", "hosthdr")
        .header("cookie", "a=1")
        .header("x-a", "1")
        .header("cookie", "b=2")
        .header("te", "trailers")
        .body(())
        .unwrap();
    let (head, chunked) = encode(req, true);
    assert_eq!(
        head,
        "GET /p HTTP/1.1\r\nhost: auth.example\r\nx-a: 1\r\nte: trailers\r\ncookie: a=1; b=2\r\n\r\n"
    );
    assert!(!chunked);
    let req = http::Request::builder()
        .uri("https://s.example:443/s?q=1")
        .body(())
        .unwrap();
    assert_eq!(
        encode(req, true).0,
        "GET /s?q=1 HTTP/1.1\r\nhost: s.example\r\n\r\n"
    );
    let req = http::Request::builder()
        .uri("http://a.example:8080/q")
        .body(())
        .unwrap();
    assert_eq!(
        encode(req, true).0,
        "GET /q HTTP/1.1\r\nhost: a.example:8080\r\n\r\n"
    );
}

#[test]
fn body_without_length_is_chunked_and_host_header_kept_without_authority() {
    // HAProxy 2.6.12: `POST /noauth HTTP/1.1`, `host: h.example:80`,
    // `transfer-encoding: chunked`
    let req = http::Request::builder()
        .method("POST")
        .uri("/noauth")
        .header("host", "h.example:80")
        .body(())
        .unwrap();
    let (head, chunked) = encode(req, false);
    assert_eq!(
        head,
        "POST /noauth HTTP/1.1\r\nhost: h.example:80\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    assert!(chunked);
    let req = http::Request::builder()
        .method("POST")
        .uri("http://e/empty")
        .header("content-length", "3")
        .body(())
        .unwrap();
    let (head, chunked) = encode(req, false);
    assert_eq!(
        head,
        "POST /empty HTTP/1.1\r\nhost: e\r\ncontent-length: 3\r\n\r\n"
    );
    assert!(!chunked);
    // HEADERS with END_STREAM: no length, no chunking
    let req = http::Request::builder()
        .method("POST")
        .uri("http://e/empty")
        .body(())
        .unwrap();
    assert_eq!(
        encode(req, true).0,
        "POST /empty HTTP/1.1\r\nhost: e\r\n\r\n"
    );
}

#[test]
fn connect_uses_the_authority_form() {
    let req = http::Request::builder()
        .method("CONNECT")
        .uri("a:443")
        .body(())
        .unwrap();
    assert_eq!(
        encode(req, true).0,
        "CONNECT a:443 HTTP/1.1\r\nhost: a:443\r\n\r\n"
    );
}

#[test]
fn response_drops_connection_headers_and_keeps_length() {
    let head = ResponseHead {
        status: 200,
        reason: "OK".into(),
        headers: HeaderList(vec![
            Header::new("Content-Type", "text/plain"),
            Header::new("connection", "keep-alive"),
            Header::new("Keep-Alive", "timeout=5"),
            Header::new("transfer-encoding", "chunked"),
            Header::new("X-Server", "s1"),
            Header::new("content-length", "3"),
            Header::new("bad name", "x"),
        ]),
        ..Default::default()
    };
    let res = map_response(&head);
    assert_eq!(res.status(), 200);
    let got: Vec<(String, String)> = res
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("content-type".to_string(), "text/plain".to_string()),
            ("x-server".to_string(), "s1".to_string()),
            ("content-length".to_string(), "3".to_string()),
        ]
    );
}

#[tokio::test]
async fn sniff_tells_the_preface_from_http1() {
    let (mut a, mut b) = tokio::io::duplex(1024);
    tokio::io::AsyncWriteExt::write_all(&mut a, PREFACE)
        .await
        .unwrap();
    let (buf, h2) = sniff(&mut b, None).await.unwrap();
    assert!(h2);
    assert_eq!(&buf[..], PREFACE);

    let (mut a, mut b) = tokio::io::duplex(1024);
    tokio::io::AsyncWriteExt::write_all(&mut a, b"POST / HTTP/1.1\r\n")
        .await
        .unwrap();
    let (buf, h2) = sniff(&mut b, None).await.unwrap();
    assert!(!h2);
    assert_eq!(&buf[..], b"POST / HTTP/1.1\r\n");

    // the preface split over reads, and a client that closes early
    let (mut a, mut b) = tokio::io::duplex(1024);
    tokio::io::AsyncWriteExt::write_all(&mut a, &PREFACE[..3])
        .await
        .unwrap();
    let t = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        tokio::io::AsyncWriteExt::write_all(&mut a, &PREFACE[3..])
            .await
            .unwrap();
        a
    });
    assert!(sniff(&mut b, None).await.unwrap().1);
    drop(t.await.unwrap());
    let (a, mut b) = tokio::io::duplex(1024);
    drop(a);
    let (buf, h2) = sniff(&mut b, None).await.unwrap();
    assert!(!h2 && buf.is_empty());

    // nothing before the deadline
    let (_a, mut b) = tokio::io::duplex(1024);
    let deadline = Instant::now() + Duration::from_millis(20);
    assert!(sniff(&mut b, Some(deadline)).await.is_none());
}

fn cfg(text: &str) -> crate::ir::haproxy::Config {
    let out = crate::config::haproxy::parser::load_from_memory(
        "t.cfg",
        text.as_bytes(),
        &Default::default(),
    );
    out.config.unwrap_or_default()
}

#[test]
fn settings_follow_tune_keywords() {
    let c = cfg(
        "global\n    tune.h2.max-concurrent-streams 10\n    tune.h2.header-table-size 8192\n    tune.h2.initial-window-size 1048576\n    tune.bufsize 32768\n",
    );
    let s = Settings::from_global(&c.global);
    assert_eq!(s.max_concurrent_streams, 10);
    assert_eq!(s.header_table_size, 8192);
    assert_eq!(s.initial_window_size, 1_048_576);
    assert_eq!(s.max_header_list_size, 32768 - 1024);
    assert_eq!(
        Settings::from_global(&cfg("global\n").global),
        Settings::default()
    );
}
