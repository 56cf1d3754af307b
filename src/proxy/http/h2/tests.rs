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

/// The session's HTTP/1 parser on `encode_request`'s bytes (what the gateway did before
/// it decoded the head itself).
fn via_h1(
    req: &http::Request<()>,
    end_stream: bool,
) -> Result<crate::proxy::http::h1::ParsedRequest, u16> {
    let mut out = Vec::new();
    encode_request(&parts(clone_req(req)), end_stream, &mut out);
    match crate::proxy::http::h1::parse_request(&out) {
        Ok(Some(mut r)) => {
            r.head_len = 0;
            Ok(r)
        }
        Ok(None) => Err(0),
        Err(e) => Err(e.status()),
    }
}

#[test]
fn decoded_head_is_what_the_http1_parser_read() {
    let mut reqs: Vec<(http::Request<()>, bool)> = Vec::new();
    let b = || http::Request::builder();
    reqs.push((
        b().uri("http://auth.example:80/p?x=1")
            .header("host", "hosthdr")
            .header("cookie", "a=1 ")
            .header("x-a", " 1\t")
            .header("cookie", "b=2")
            .header("te", "trailers")
            .body(())
            .unwrap(),
        true,
    ));
    reqs.push((
        b().method("POST")
            .uri("/noauth")
            .header("host", "h:80")
            .body(())
            .unwrap(),
        false,
    ));
    reqs.push((
        b().method("POST")
            .uri("https://e:443/len")
            .header("content-length", "3")
            .header("expect", "100-continue")
            .body(())
            .unwrap(),
        false,
    ));
    // conflicting content-lengths, a host header differing from none, upgrade
    reqs.push((
        b().method("POST")
            .uri("http://e/cl")
            .header("content-length", "3")
            .header("content-length", "4")
            .body(())
            .unwrap(),
        false,
    ));
    reqs.push((
        b().uri("/h")
            .header("host", "a")
            .header("host", "b")
            .body(())
            .unwrap(),
        true,
    ));
    reqs.push((
        b().uri("http://e/ws")
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .body(())
            .unwrap(),
        true,
    ));
    reqs.push((
        b().method("CONNECT").uri("e.example:443").body(()).unwrap(),
        true,
    ));
    reqs.push((
        b().method("HEAD")
            .uri("http://e/%7e?a=%20")
            .body(())
            .unwrap(),
        true,
    ));
    // non-ASCII in the target, a fragment-free path, too many headers, a huge head
    reqs.push((
        b().uri("http://e/caf\u{e9}").body(()).unwrap_or_default(),
        true,
    ));
    let mut many = b().uri("http://e/many");
    for i in 0..101 {
        many = many.header(format!("x-{i}"), "v");
    }
    reqs.push((many.body(()).unwrap(), true));
    reqs.push((
        b().uri("http://e/big")
            .header("x-big", "a".repeat(16000))
            .body(())
            .unwrap(),
        true,
    ));
    let mut checked = 0;
    for (req, end) in &reqs {
        let direct = gateway::parsed_request(&parts(clone_req(req)), *end);
        assert_eq!(direct, via_h1(req, *end), "{} {}", req.method(), req.uri());
        checked += 1;
    }
    assert_eq!(checked, reqs.len());
    // the errors are the parser's: 400 for conflicting lengths, hosts, too many headers
    let errs = reqs
        .iter()
        .filter(|(r, e)| gateway::parsed_request(&parts(clone_req(r)), *e).is_err())
        .count();
    assert!(errs >= 4, "{errs}");
}

fn clone_req(req: &http::Request<()>) -> http::Request<()> {
    let mut p = http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone())
        .body(())
        .unwrap();
    *p.headers_mut() = req.headers().clone();
    p
}

#[test]
fn handed_over_response_head_is_what_the_http1_parser_read() {
    use crate::proxy::http::h1;
    let head = |status: u16, reason: &str, hs: &[(&str, &[u8])]| ResponseHead {
        status,
        reason: reason.into(),
        headers: HeaderList(hs.iter().map(|(n, v)| Header::new(*n, *v)).collect()),
        ..Default::default()
    };
    let heads = [
        head(
            200,
            "OK",
            &[("Content-Type", b"text/plain"), ("content-length", b"5")],
        ),
        head(
            200,
            "  spaced",
            &[("x-a", b" padded\t"), ("transfer-encoding", b"chunked")],
        ),
        head(204, "", &[("content-length", b"3")]),
        head(304, "Not Modified", &[("etag", b"\"x\"")]),
        head(
            200,
            "",
            &[("content-length", b"3"), ("content-length", b"3")],
        ),
        head(
            200,
            "",
            &[("content-length", b"3"), ("content-length", b"4")],
        ),
        head(200, "", &[("connection", b"close")]),
    ];
    for method in ["GET", "HEAD"] {
        for h in &heads {
            let mut text = Vec::new();
            h1::write_response_head(h, &mut text);
            let parsed = h1::parse_response(&text, method)
                .map(|r| r.map(|r| (r.head, r.body, r.keep_alive)));
            let mut d = h.clone();
            assert!(stream_io::as_parsed(&mut d));
            let direct = h1::finish_response(d, text.len(), method)
                .map(|r| Some((r.head, r.body, r.keep_alive)));
            assert_eq!(direct, parsed, "{method} {h:?}");
        }
    }
    // heads whose text the parser would read differently are parsed from the text
    for bad in [
        head(200, "", &[("x y", b"1")]),
        head(200, "", &[("x", b"a\r\nb: c")]),
        head(200, "a\nb", &[]),
    ] {
        let mut d = bad.clone();
        assert!(!stream_io::as_parsed(&mut d), "{bad:?}");
    }
}

#[test]
fn a_204_keeps_its_content_length_on_h2_only() {
    // HAProxy 2.6.12 answered an h2 client `:status 204`, `content-length: 3` (no DATA)
    // and an HTTP/1.1 client `HTTP/1.1 204 No Content` without content-length, for a
    // server's `HTTP/1.1 204 No Content` + `Content-Length: 3`.
    use crate::proxy::http::h1;
    let raw = b"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n";
    let r = h1::parse_response(raw, "GET").unwrap().unwrap();
    assert_eq!(r.body, h1::BodyKind::None);
    let h2 = map_response(&r.head);
    assert_eq!(h2.status(), 204);
    assert_eq!(
        h2.headers().get("content-length").map(|v| v.as_bytes()),
        Some(&b"3"[..])
    );
    let mut h1_head = r.head.clone();
    h1::prepare_response_for_client(&mut h1_head, crate::proxy::http::msg::Version::Http11, true);
    assert!(!h1_head.headers.contains("content-length"));
}

#[test]
fn stream_future_is_the_session_future() {
    // each stream's future is allocated whole: what it holds besides the session's
    // future (the request head, a second copy of the session's arguments) is paid per
    // request
    fn size<A, F: std::future::Future>(_: impl Fn(A) -> F) -> usize {
        std::mem::size_of::<F>()
    }
    type Req = http::Request<h2::RecvStream>;
    type Resp = h2::server::SendResponse<bytes::Bytes>;
    type Engine = crate::proxy::engine::Engine;
    type Frontend = crate::proxy::engine::Frontend;
    let stream = size(|x: (Req, Resp, Arc<gateway::ConnInfo>)| {
        gateway::serve_stream(x.0, x.1, x.2).0.future()
    });
    let session = size(
        |x: (stream_io::StreamIo, ClientConn, Arc<Frontend>, Arc<Engine>)| {
            crate::proxy::http::session::serve_with(x.0, x.1, x.2, x.3)
        },
    );
    assert!(stream <= session + 64, "stream {stream} session {session}");
}

#[tokio::test]
async fn stream_slot_comes_back_empty_with_the_outcome() {
    // the connection reuses a finished stream's allocation: the slot comes back empty,
    // the session's state (here a guard) dropped when the stream ended, not at reuse
    use std::sync::atomic::{AtomicBool, Ordering};
    struct Flag(Arc<AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = Flag(dropped.clone());
    let fut = async move {
        let _held = flag;
        tokio::task::yield_now().await;
    };
    let mut b = Box::pin(None);
    b.as_mut().set(Some(fut));
    let link = StreamLink::default();
    let (outcome, back) = Slot { fut: Some(b), link }.await;
    // no response went out on this link
    assert_eq!(outcome, Outcome::Failed);
    assert!(dropped.load(Ordering::SeqCst));
    assert!(back.expect("the slot is handed back").is_none());
}

#[test]
fn owned_response_mapping_is_the_borrowed_one() {
    // `into_response` moves the values instead of copying them: same status, same
    // headers in the same order, the same ones dropped
    let head = ResponseHead {
        status: 200,
        headers: HeaderList(vec![
            Header::new("content-type", "text/plain"),
            Header::new("connection", "keep-alive"),
            Header::new("x-a", "1"),
            Header::new("te", "trailers"),
            Header::new("transfer-encoding", "chunked"),
            Header::new("x-a", "2"),
            Header::new("bad name", "v"),
            Header::new("x-b", b"line\nbreak".to_vec()),
            Header::new("content-length", "21"),
        ]),
        ..Default::default()
    };
    let borrowed = map_response(&head);
    let owned = gateway::into_response(head);
    assert_eq!(owned.status(), borrowed.status());
    let pairs = |r: &http::Response<()>| {
        r.headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(&owned), pairs(&borrowed));
    assert_eq!(
        pairs(&owned),
        vec![
            ("content-type".to_string(), b"text/plain".to_vec()),
            ("x-a".to_string(), b"1".to_vec()),
            ("x-a".to_string(), b"2".to_vec()),
            ("content-length".to_string(), b"21".to_vec()),
        ]
    );
}

#[test]
fn emptied_slots_are_kept_per_thread_up_to_the_limit() {
    // a finished stream's slot serves the thread's next stream, of any connection; the
    // pool is bounded
    type Fut = std::future::Ready<()>;
    assert!(take_slot::<Fut>().is_none());
    for _ in 0..SPARE_SLOTS + 5 {
        give_slot::<Fut>(Box::pin(None));
    }
    let mut n = 0;
    while let Some(b) = take_slot::<Fut>() {
        assert!(b.is_none());
        n += 1;
    }
    assert_eq!(n, SPARE_SLOTS);
    // a slot of another type is not handed out as this one
    give_slot::<std::future::Pending<()>>(Box::pin(None));
    assert!(take_slot::<Fut>().is_none());
}
