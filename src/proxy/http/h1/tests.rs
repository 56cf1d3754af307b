//! Expected values are what HAProxy 2.6.12 (Debian 2.6.12-1+deb12u4) did on loopback with
//! the default `option http-keep-alive` unless a test says otherwise: for requests, the bytes
//! the backend received; for errors, the status the client got.

use super::*;

fn req(raw: &[u8]) -> ParsedRequest {
    match parse_request(raw) {
        Ok(Some(r)) => r,
        other => panic!("{:?} -> {other:?}", String::from_utf8_lossy(raw)),
    }
}

fn req_err(raw: &[u8]) -> u16 {
    match parse_request(raw) {
        Err(e) => e.status(),
        other => panic!("{:?} -> {other:?}", String::from_utf8_lossy(raw)),
    }
}

/// What HAProxy sends to the server for this client request (keep-alive mode).
fn to_server(raw: &[u8]) -> Vec<u8> {
    let mut r = req(raw);
    prepare_request_for_server(&mut r.head, ConnMode::KeepAlive);
    let mut out = Vec::new();
    write_request_head(&r.head, &mut out);
    out
}

#[test]
fn requests_forwarded_as_haproxy_does() {
    let cases: &[(&[u8], &[u8])] = &[
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX-Foo: Bar\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nx-foo: Bar\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.0\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.0\r\nhost: a\r\nconnection: keep-alive\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.0\r\nhost: a\r\nconnection: keep-alive\r\n\r\n",
        ),
        (b"GET / HTTP/1.0\r\n\r\n", b"GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n"),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\n\r\n",
        ),
        (b"GET / HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n"),
        (
            b"GET http://example.com/x?y HTTP/1.1\r\n\r\n",
            b"GET http://example.com/x?y HTTP/1.1\r\n\r\n",
        ),
        (
            b"GET http://a:80/x?y HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET http://a/x?y HTTP/1.1\r\nhost: a\r\n\r\n",
        ),
        (b"GET http://A/x HTTP/1.1\r\nHost: a\r\n\r\n", b"GET http://A/x HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"GET https://a:443/ HTTP/1.1\r\nHost: a:443\r\n\r\n",
            b"GET https://a/ HTTP/1.1\r\nhost: a\r\n\r\n",
        ),
        (
            b"GET http://a:443/ HTTP/1.1\r\nHost: a:443\r\n\r\n",
            b"GET http://a:443/ HTTP/1.1\r\nhost: a:443\r\n\r\n",
        ),
        (b"GET http://a:/x HTTP/1.1\r\nHost: a:\r\n\r\n", b"GET http://a/x HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET HTTP://a:80 HTTP/1.1\r\nHost: a\r\n\r\n", b"GET HTTP://a HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"GET ftp://a:80/ HTTP/1.1\r\nHost: a:80\r\n\r\n",
            b"GET ftp://a:80/ HTTP/1.1\r\nhost: a:80\r\n\r\n",
        ),
        (b"GET http://a/x HTTP/1.1\r\nHost: a:80\r\n\r\n", b"GET http://a/x HTTP/1.1\r\nhost: a:80\r\n\r\n"),
        (b"GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", b"GET http://u@a/x HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"GET http://a:80/x HTTP/1.0\r\n\r\n",
            b"GET http://a/x HTTP/1.0\r\nconnection: keep-alive\r\n\r\n",
        ),
        (b"GET / HTTP/1.1\r\nHost: a:80\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a:80\r\n\r\n"),
        (b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", b"CONNECT a:443 HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"CONNECT a:80 HTTP/1.1\r\nHost: a:80\r\n\r\n", b"CONNECT a:80 HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"CONNECT a:8443 HTTP/1.1\r\nHost: a:8443\r\n\r\n",
            b"CONNECT a:8443 HTTP/1.1\r\nhost: a:8443\r\n\r\n",
        ),
        (b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", b"CONNECT a:443 HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"CONNECT a:443 HTTP/1.1\r\n\r\n", b"CONNECT a:443 HTTP/1.1\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 003\r\n\r\n",
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 003\r\n\r\n",
            b"GET /x HTTP/1.1\r\nhost: a\r\ncontent-length: 003\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 18446744073709551615\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 \r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: Chunked\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.0\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n",
        ),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx-a: b   c\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx-a: b  \tc\r\n\r\n"),
        (b"GET / HTTP/1.1\nHost: a\n\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx: y\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx: a\x00b\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx: a\x01b\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx: a\x7fb\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\xffb\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\nx: a\xffb\r\n\r\n"),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/1.9\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/3.0\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/9.9\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"GET /\"<>\\^`{|} HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /\"<>\\^`{|} HTTP/1.1\r\nhost: a\r\n\r\n",
        ),
        (b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX-A:b\r\nX-B:   c  \r\nX-C:\r\nX-D: \t e\t \r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nx-a: b\r\nx-b: c\r\nx-c: \r\nx-d: e\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Foo\r\nX-Foo: 1\r\nKeep-Alive: 300\r\nProxy-Connection: keep-alive\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nconnection: X-Foo\r\nx-foo: 1\r\nkeep-alive: 300\r\nproxy-connection: keep-alive\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
            b"GET / HTTP/1.1\r\nhost: a\r\nupgrade: websocket\r\n\r\n",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
            b"POST / HTTP/1.1\r\nhost: a\r\nexpect: 100-continue\r\ncontent-length: 3\r\n\r\n",
        ),
        (b"get / HTTP/1.1\r\nHost: a\r\n\r\n", b"get / HTTP/1.1\r\nhost: a\r\n\r\n"),
        (
            b"FOO-BAR_!#$%&'*+.^`|~ / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"FOO-BAR_!#$%&'*+.^`|~ / HTTP/1.1\r\nhost: a\r\n\r\n",
        ),
        (b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", b"OPTIONS * HTTP/1.1\r\nhost: a\r\n\r\n"),
        (b"GET / HTTP/1.1\r\nHost:\r\n\r\n", b"GET / HTTP/1.1\r\nhost: \r\n\r\n"),
    ];
    for (input, expected) in cases {
        let got = to_server(input);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn requests_refused_as_haproxy_does() {
    let cases: &[(&[u8], u16)] = &[
        (b"GET http://example.com/x?y HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET http://a:8080/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"CONNECT a:443 HTTP/1.1\r\nHost: b:443\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 422),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n", 422),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        (b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),
        (b"GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
        (b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 4\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,,3\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
        (b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /# HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 400),
        (b"GET / HTTP/1.0\r\nHost: h\r\nContent-Length: 2\r\n\r\nab", 413),
        (b"HEAD / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 413),
        (b"DELETE / HTTP/1.0\r\nHost: h\r\nContent-Length: 2\r\n\r\nab", 413),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close, Upgrade\r\nUpgrade: websocket\r\n\r\n",
            400,
        ),
    ];
    for (input, status) in cases {
        assert_eq!(
            req_err(input),
            *status,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert_eq!(
        parse_request(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        Err(H1Error::H2Preface)
    );
    // measured: a lone CR after the last header is just incomplete
    assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost: a\r\n\r"), Ok(None));
}

#[test]
fn header_count_and_head_size_limits() {
    // measured: Host + 99 headers pass, Host + 100 -> 400
    let mk = |n: usize| {
        let mut v = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
        for i in 0..n {
            v.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        v.extend_from_slice(b"\r\n");
        v
    };
    assert!(parse_request(&mk(99)).is_ok_and(|r| r.is_some()));
    assert_eq!(parse_request(&mk(100)), Err(H1Error::TooManyHeaders));
    // measured by bisection: the largest accepted heads of three shapes
    let uri = |n: usize| {
        [
            b"GET /".to_vec(),
            vec![b'a'; n],
            b" HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(),
        ]
        .concat()
    };
    assert!(parse_request(&uri(15250)).is_ok_and(|r| r.is_some()));
    assert_eq!(parse_request(&uri(15251)), Err(H1Error::HeadTooLarge));
    let hdr = |n: usize| {
        [
            b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec(),
            vec![b'a'; n],
            b"\r\n\r\n".to_vec(),
        ]
        .concat()
    };
    assert!(parse_request(&hdr(15241)).is_ok_and(|r| r.is_some()));
    assert_eq!(parse_request(&hdr(15242)), Err(H1Error::HeadTooLarge));
    let many = |n: usize| {
        let mut v = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
        for i in 0..50 {
            v.extend_from_slice(format!("X-{i:02}: v\r\n").as_bytes());
        }
        [v, b"X: ".to_vec(), vec![b'a'; n], b"\r\n\r\n".to_vec()].concat()
    };
    assert!(parse_request(&many(14591)).is_ok_and(|r| r.is_some()));
    assert_eq!(parse_request(&many(14592)), Err(H1Error::HeadTooLarge));
    // an incomplete head that already fills HAProxy's buffer
    let big = [b"GET /".to_vec(), vec![b'a'; 17000]].concat();
    assert_eq!(parse_request(&big), Err(H1Error::HeadTooLarge));
    assert_eq!(parse_request(&big[..16000]), Ok(None));
}

#[test]
fn request_framing_and_flags() {
    let r = req(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET");
    assert_eq!(r.body, BodyKind::Length(3));
    assert_eq!(r.head_len, 47);
    assert!(r.keep_alive && !r.upgrade && !r.expect_continue);
    // CL + TE: chunked wins and the client connection is closed after the response
    let r = req(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    assert_eq!(r.body, BodyKind::Chunked);
    assert!(!r.keep_alive);
    assert!(!req(b"GET / HTTP/1.0\r\n\r\n").keep_alive);
    assert!(req(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
    assert!(!req(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
    assert!(req(b"GET / HTTP/1.1\r\n\r\n").keep_alive);
    assert_eq!(req(b"GET / HTTP/1.1\r\n\r\n").body, BodyKind::None);
    let r = req(b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n");
    assert!(r.expect_continue);
    let r = req(b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n");
    assert!(r.upgrade);
    assert!(!req(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n").upgrade);
    // the head keeps the received name case (the codec lowercases on output)
    assert_eq!(
        req(b"GET / HTTP/1.1\r\nX-Foo: 1\r\n\r\n").head.headers.0[0].name,
        "X-Foo"
    );
}

/// Connection header and client/server keep-alive decisions, measured for each mode and
/// each client (1.0, 1.0 ka, 1.1, 1.1 close) x server (1.1, 1.1 close, 1.0, 1.0 ka).
#[test]
fn connection_mode_matrix() {
    struct Case {
        mode: ConnMode,
        req: &'static [u8],
        resp: &'static [u8],
        to_server: &'static [u8],
        to_client: &'static [u8],
        client_open: bool,
    }
    const C10: &[u8] = b"GET / HTTP/1.0\r\nHost: a\r\n\r\n";
    const C10KA: &[u8] = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nHost: a\r\n\r\n";
    const C11: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    const C11CL: &[u8] = b"GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\r\n";
    const S11: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    const S11CL: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n";
    const S10: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n";
    const S10KA: &[u8] = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n";
    const R10: &[u8] = b"GET / HTTP/1.0\r\nhost: a\r\n\r\n";
    const R10KA: &[u8] = b"GET / HTTP/1.0\r\nhost: a\r\nconnection: keep-alive\r\n\r\n";
    const R11: &[u8] = b"GET / HTTP/1.1\r\nhost: a\r\n\r\n";
    const R11CL: &[u8] = b"GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n";
    const A11: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n";
    const A11CL: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n";
    const A11KA: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n";
    const A10: &[u8] = b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\n";
    const A10KA: &[u8] = b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n";
    use ConnMode::*;
    let c = |mode, req, resp, to_server, to_client, client_open| Case {
        mode,
        req,
        resp,
        to_server,
        to_client,
        client_open,
    };
    let cases = [
        c(KeepAlive, C10, S11, R10KA, A11CL, false),
        c(KeepAlive, C10, S11CL, R10KA, A11CL, false),
        c(KeepAlive, C10, S10, R10KA, A10, false),
        c(KeepAlive, C10, S10KA, R10KA, A10, false),
        c(KeepAlive, C10KA, S11, R10KA, A11KA, true),
        c(KeepAlive, C10KA, S11CL, R10KA, A11KA, true),
        c(KeepAlive, C10KA, S10, R10KA, A10KA, true),
        c(KeepAlive, C10KA, S10KA, R10KA, A10KA, true),
        c(KeepAlive, C11, S11, R11, A11, true),
        c(KeepAlive, C11, S11CL, R11, A11, true),
        c(KeepAlive, C11, S10, R11, A10KA, true),
        c(KeepAlive, C11, S10KA, R11, A10KA, true),
        c(KeepAlive, C11CL, S11, R11, A11CL, false),
        c(KeepAlive, C11CL, S11CL, R11, A11CL, false),
        c(KeepAlive, C11CL, S10, R11, A10, false),
        c(KeepAlive, C11CL, S10KA, R11, A10, false),
        c(ServerClose, C10, S11, R10, A11CL, false),
        c(ServerClose, C10, S10KA, R10, A10, false),
        c(ServerClose, C10KA, S11, R10, A11KA, true),
        c(ServerClose, C10KA, S11CL, R10, A11KA, true),
        c(ServerClose, C10KA, S10, R10, A10KA, true),
        c(ServerClose, C11, S11, R11CL, A11, true),
        c(ServerClose, C11, S11CL, R11CL, A11, true),
        c(ServerClose, C11, S10, R11CL, A10KA, true),
        c(ServerClose, C11CL, S11CL, R11CL, A11CL, false),
        c(ServerClose, C11CL, S10, R11CL, A10, false),
        c(Close, C10, S11, R10, A11CL, false),
        c(Close, C10, S10KA, R10, A10, false),
        c(Close, C10KA, S11, R10, A11CL, false),
        c(Close, C10KA, S10, R10, A10, false),
        c(Close, C11, S11, R11CL, A11CL, false),
        c(Close, C11, S10KA, R11CL, A10, false),
        c(Close, C11CL, S11CL, R11CL, A11CL, false),
        c(Close, C11CL, S10, R11CL, A10, false),
    ];
    for (i, k) in cases.iter().enumerate() {
        let mut r = req(k.req);
        let mut rs = parse_response(k.resp, "GET").unwrap().unwrap();
        let ka = client_keep_alive(k.mode, &r, &rs, false);
        assert_eq!(ka, k.client_open, "case {i}");
        prepare_request_for_server(&mut r.head, k.mode);
        let mut out = Vec::new();
        write_request_head(&r.head, &mut out);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(k.to_server),
            "case {i}"
        );
        prepare_response_for_client(&mut rs.head, r.head.version, ka);
        let mut out = Vec::new();
        write_response_head(&rs.head, &mut out);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(k.to_client),
            "case {i}"
        );
    }
}

fn resp_out(req_method: &str, raw: &[u8]) -> (Vec<u8>, ParsedResponse) {
    let r = parse_response(raw, req_method).unwrap().unwrap();
    let mut rs = r.clone();
    prepare_response_for_client(&mut rs.head, Version::Http11, true);
    let mut out = Vec::new();
    write_response_head(&rs.head, &mut out);
    (out, r)
}

#[test]
fn responses_as_haproxy_forwards_them() {
    // (method, server response head, head the client got, framing)
    let cases: &[(&str, &[u8], &[u8], BodyKind)] = &[
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            BodyKind::Chunked,
        ),
        (
            "GET",
            b"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            BodyKind::None,
        ),
        (
            "GET",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
            b"HTTP/1.1 304 Not Modified\r\ncontent-length: 3\r\n\r\n",
            BodyKind::None,
        ),
        (
            "HEAD",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n",
            BodyKind::None,
        ),
        (
            "GET",
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 100 Continue\r\n\r\n",
            BodyKind::None,
        ),
        (
            "GET",
            b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n",
            BodyKind::None,
        ),
        (
            "GET",
            b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 \r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 \r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/1.1 299 Whatever  Reason\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 299 Whatever  Reason\r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nx-fold: a   b\r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\nContent-Length: 2\n\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
        (
            "GET",
            b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ncontent-length: 2\r\n\r\n",
            BodyKind::Length(2),
        ),
    ];
    for (m, input, expected, body) in cases {
        let (out, r) = resp_out(m, input);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(expected)
        );
        assert_eq!(r.body, *body, "{:?}", String::from_utf8_lossy(input));
    }
    // no length: until close, and the client gets `connection: close`
    let r = parse_response(b"HTTP/1.1 200 OK\r\n\r\nabc", "GET")
        .unwrap()
        .unwrap();
    assert_eq!(r.body, BodyKind::UntilClose);
    assert!(!r.keep_alive);
    let creq = req(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    let ka = client_keep_alive(ConnMode::KeepAlive, &creq, &r, false);
    assert!(!ka);
    let mut h = r.head.clone();
    prepare_response_for_client(&mut h, Version::Http11, ka);
    let mut out = Vec::new();
    write_response_head(&h, &mut out);
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n");
    // tunnels
    let r = parse_response(b"HTTP/1.1 200 OK\r\n\r\n", "CONNECT")
        .unwrap()
        .unwrap();
    assert_eq!(r.body, BodyKind::UntilClose);
    let r = parse_response(
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
        "GET",
    )
    .unwrap()
    .unwrap();
    assert_eq!(r.body, BodyKind::UntilClose);
    assert!(!r.informational);
    assert!(
        parse_response(b"HTTP/1.1 100 Continue\r\n\r\n", "GET")
            .unwrap()
            .unwrap()
            .informational
    );
}

#[test]
fn responses_answered_502() {
    let cases: &[&[u8]] = &[
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\n",
    ];
    for c in cases {
        let e = parse_response(c, "GET").unwrap_err();
        assert_eq!(e.status(), 502, "{:?}", String::from_utf8_lossy(c));
    }
}

fn track_all(kind: BodyKind, input: &[u8]) -> Result<Progress, H1Error> {
    BodyTracker::new(kind).advance(input)
}

#[test]
fn chunked_framing() {
    // accepted by HAProxy 2.6.12 (it re-chunks them normalised: sizes in plain hex,
    // extensions dropped, trailer names lowercased)
    let ok: &[&[u8]] = &[
        b"3\r\nabc\r\n0\r\n\r\n",
        b"3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
        b"3 \r\nabc\r\n0\r\n\r\n",
        b"3\nabc\n0\n\n",
        b"03\r\nabc\r\n00\r\n\r\n",
        b"3 ;x\r\nabc\r\n0\r\n\r\n",
        b"3;x=\"q\"\r\nabc\r\n0\r\n\r\n",
        b"3\r\nabc\r\n0\r\nX: \x01\r\n\r\n",
        b"A\r\n0123456789\r\n0\r\n\r\n",
    ];
    for c in ok {
        let p = track_all(BodyKind::Chunked, c).unwrap();
        assert_eq!(
            p,
            Progress {
                consumed: c.len(),
                done: true
            },
            "{:?}",
            String::from_utf8_lossy(c)
        );
    }
    // refused with 400
    let bad: &[&[u8]] = &[
        b"3\r\nabcX\r\n0\r\n\r\n",
        b"z\r\nabc\r\n0\r\n\r\n",
        b"ffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
        b"3\r\nabc\r\n0\r\nbad trailer\r\n\r\n",
        b"\r\n",
        b"3\rabc",
    ];
    for c in bad {
        let e = track_all(BodyKind::Chunked, c).unwrap_err();
        assert_eq!(e.status(), 400);
    }
    // the rest after the message is left for the next one
    let p = track_all(BodyKind::Chunked, b"1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n").unwrap();
    assert_eq!(
        p,
        Progress {
            consumed: 11,
            done: true
        }
    );
    let p = track_all(BodyKind::Length(3), b"abcdef").unwrap();
    assert_eq!(
        p,
        Progress {
            consumed: 3,
            done: true
        }
    );
    let p = track_all(BodyKind::UntilClose, b"abcdef").unwrap();
    assert_eq!(
        p,
        Progress {
            consumed: 6,
            done: false
        }
    );
    assert!(BodyTracker::new(BodyKind::Length(0)).is_done());
    assert!(BodyTracker::new(BodyKind::None).is_done());
}

/// Feeding any input in two pieces split at every byte (and one byte at a time) gives the
/// same answer as feeding it whole.
#[test]
fn split_input_gives_same_result() {
    let inputs: &[&[u8]] = &[
        b"POST /x HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        b"\r\nPOST / HTTP/1.0\nContent-Length: 4\n\nabcdGET",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
    ];
    for input in inputs {
        let whole = run_all(&[input]);
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(
                run_all(&[a, b]),
                whole,
                "cut {cut} of {:?}",
                String::from_utf8_lossy(input)
            );
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(run_all(&bytes), whole);
    }
}

/// Simulates a session: accumulate until the head parses, then feed the body tracker.
fn run_all(pieces: &[&[u8]]) -> String {
    let mut buf = Vec::new();
    let mut head: Option<ParsedRequest> = None;
    let mut tracker: Option<BodyTracker> = None;
    let mut body = 0usize;
    for p in pieces {
        buf.extend_from_slice(p);
        if head.is_none() {
            match parse_request(&buf) {
                Ok(Some(r)) => {
                    buf.drain(..r.head_len);
                    tracker = Some(BodyTracker::new(r.body));
                    head = Some(r);
                }
                Ok(None) => continue,
                Err(e) => return format!("err {e:?}"),
            }
        }
        if let Some(t) = tracker.as_mut() {
            if t.is_done() {
                continue;
            }
            match t.advance(&buf) {
                Ok(pr) => {
                    body += pr.consumed;
                    buf.drain(..pr.consumed);
                }
                Err(e) => return format!("body err {e:?}"),
            }
        }
    }
    format!(
        "{:?} body={body} done={:?} rest={:?}",
        head,
        tracker.map(|t| t.is_done()),
        String::from_utf8_lossy(&buf)
    )
}

#[test]
fn fuzz_entry_never_panics_on_samples() {
    let samples: &[&[u8]] = &[
        b"",
        b"\r",
        b"\n\n\n",
        b"GET",
        b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"HTTP/1.1 99999 X\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
        b"GET http://[::1]:80/ HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
        b"GET http://:/ HTTP/1.1\r\nHost: :\r\n\r\n",
        b"CONNECT : HTTP/1.1\r\nHost: \xff:\r\n\r\n",
        b"GET / HTTP/1.1\r\nConnection: ,,, ,close,, keep-alive ,\r\n\r\n",
    ];
    for s in samples {
        fuzz_parse(s);
    }
    // pseudo-random bytes built from a small alphabet of interesting tokens
    let alphabet: &[&[u8]] = &[
        b"GET ",
        b"/",
        b" HTTP/1.1",
        b"\r\n",
        b"\n",
        b"\r",
        b":",
        b" ",
        b"Host",
        b"a",
        b"Content-Length",
        b"Transfer-Encoding",
        b"chunked",
        b"0",
        b"f",
        b";",
        b"\x00",
        b"\xff",
        b"HTTP/1.0 ",
        b"200",
        b",",
        b"Connection",
        b"close",
        b"http://a:80",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut v = Vec::new();
        for _ in 0..(x % 40) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.extend_from_slice(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        fuzz_parse(&v);
    }
}

/// What the backend (or client) received from HAProxy 2.6.12 for chunked bodies, per read.
#[test]
fn rechunking_as_haproxy() {
    let cases: &[(&[&[u8]], &[u8])] = &[
        (
            &[b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"],
            b"6\r\nabcdef\r\n0\r\n\r\n",
        ),
        (
            &[b"3\r\nab", b"c\r\n3\r\ndef\r\n", b"0\r\n\r\n"],
            b"2\r\nab\r\n4\r\ncdef\r\n0\r\n\r\n",
        ),
        (
            &[b"3;x=y\r\nabc\r\n3\r\ndef\r\n0\r\nT: 1\r\n\r\n"],
            b"6\r\nabcdef\r\n0\r\nt: 1\r\n\r\n",
        ),
        (
            &[b"3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"],
            b"3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n",
        ),
        (&[b"03\r\nabc\r\n00\r\n\r\n"], b"3\r\nabc\r\n0\r\n\r\n"),
        (&[b"3\nabc\n0\n\n"], b"3\r\nabc\r\n0\r\n\r\n"),
        (
            &[b"3\r\nabc\r\n0\r\nX: \x01\r\n\r\n"],
            b"3\r\nabc\r\n0\r\nx: \x01\r\n\r\n",
        ),
    ];
    for (reads, expected) in cases {
        let mut t = BodyTracker::new(BodyKind::Chunked);
        let mut out = Vec::new();
        for r in *reads {
            let p = t.advance_rechunk(r, &mut out).unwrap();
            assert_eq!(p.consumed, r.len());
        }
        assert!(t.is_done());
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(expected)
        );
    }
    // byte by byte: one chunk per data byte, same end
    let mut t = BodyTracker::new(BodyKind::Chunked);
    let mut out = Vec::new();
    for b in b"2\r\nab\r\n0\r\nA: b\r\n\r\nNEXT".chunks(1) {
        t.advance_rechunk(b, &mut out).unwrap();
    }
    assert_eq!(out, b"1\r\na\r\n1\r\nb\r\n0\r\na: b\r\n\r\n");
    // length bodies pass through, the rest stays for the next message
    let mut t = BodyTracker::new(BodyKind::Length(3));
    let mut out = Vec::new();
    assert_eq!(t.advance_rechunk(b"abcdef", &mut out).unwrap().consumed, 3);
    assert_eq!(out, b"abc");
}

/// Split invariance over pseudo-random messages made of HTTP-ish tokens.
#[test]
fn split_invariance_random() {
    let alphabet: &[&[u8]] = &[
        b"GET / HTTP/1.1\r\n",
        b"POST /a HTTP/1.0\r\n",
        b"Host: a\r\n",
        b"Content-Length: 3\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"\r\n",
        b"\n",
        b"abc",
        b"3\r\n",
        b"0\r\n",
        b" x\r\n",
        b"T: 1\r\n",
        b"\r",
        b";e\r\n",
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..300 {
        let mut v = Vec::new();
        for _ in 0..(2 + next() % 12) {
            v.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
        }
        let whole = run_all(&[&v]);
        for _ in 0..8 {
            let cut = (next() % (v.len() as u64 + 1)) as usize;
            let (a, b) = v.split_at(cut);
            assert_eq!(
                run_all(&[a, b]),
                whole,
                "cut {cut} of {:?}",
                String::from_utf8_lossy(&v)
            );
        }
    }
}

/// `cargo test --release --lib proxy::http::h1::tests::bench_parse -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_parse() {
    let raw: &[u8] = b"GET /index.html?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: wrk/4.2\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nCookie: a=b; c=d\r\n\r\n";
    let resp: &[u8] = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sun, 22 Nov 2026 02:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 612\r\nConnection: keep-alive\r\n\r\n";
    let n = 1_000_000;
    let t = std::time::Instant::now();
    let mut out = Vec::with_capacity(512);
    for _ in 0..n {
        let mut r = parse_request(std::hint::black_box(raw)).unwrap().unwrap();
        prepare_request_for_server(&mut r.head, ConnMode::KeepAlive);
        out.clear();
        write_request_head(&r.head, &mut out);
        std::hint::black_box(&out);
    }
    let req_ns = t.elapsed().as_nanos() / n;
    let t = std::time::Instant::now();
    for _ in 0..n {
        let mut r = parse_response(std::hint::black_box(resp), "GET")
            .unwrap()
            .unwrap();
        prepare_response_for_client(&mut r.head, Version::Http11, true);
        out.clear();
        write_response_head(&r.head, &mut out);
        std::hint::black_box(&out);
    }
    let resp_ns = t.elapsed().as_nanos() / n;
    println!("request parse+write {req_ns} ns, response parse+write {resp_ns} ns");
}

/// Frontend/backend mode combinations measured on HAProxy 2.6.12 (1.1 client and server).
#[test]
fn modes_from_config() {
    let cfg = crate::config::haproxy::parser::load_from_memory(
        "t.cfg",
        b"defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe_default_be_close\n    bind 127.0.0.1:24920\n    default_backend be_close\n\
frontend fe_close_be_default\n    bind 127.0.0.1:24921\n    option httpclose\n    default_backend be_default\n\
frontend fe_default_be_sc\n    bind 127.0.0.1:24922\n    default_backend be_sc\n\
frontend fe_opts\n    bind 127.0.0.1:24923\n    option httpclose\n    option http-server-close\n    no option httpclose\n    default_backend be_default\n\
frontend fe_opts2\n    bind 127.0.0.1:24924\n    option http-server-close\n    no option http-server-close\n    default_backend be_default\n\
backend be_close\n    option httpclose\n    server s1 127.0.0.1:24871\n\
backend be_sc\n    option http-server-close\n    server s1 127.0.0.1:24871\n\
backend be_default\n    server s1 127.0.0.1:24871\n",
        &Default::default(),
    )
    .config
    .unwrap();
    let mode = |n: &str| {
        let p = cfg.proxies.iter().find(|p| p.name == n).unwrap();
        ConnMode::from_settings(&p.settings)
    };
    // (frontend, backend, backend received, client connection stays open)
    let cases = [
        ("fe_default_be_close", "be_close", "connection: close", true),
        (
            "fe_close_be_default",
            "be_default",
            "connection: close",
            false,
        ),
        ("fe_default_be_sc", "be_sc", "connection: close", true),
        ("fe_opts", "be_default", "connection: close", true),
        ("fe_opts2", "be_default", "", true),
    ];
    for (fe, be, conn, open) in cases {
        let (fm, bm) = (mode(fe), mode(be));
        let mut r = req(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        prepare_request_for_server(&mut r.head, fm.combine(bm));
        let mut out = Vec::new();
        write_request_head(&r.head, &mut out);
        let expected = if conn.is_empty() {
            "GET / HTTP/1.1\r\nhost: a\r\n\r\n".to_string()
        } else {
            format!("GET / HTTP/1.1\r\nhost: a\r\n{conn}\r\n\r\n")
        };
        assert_eq!(String::from_utf8_lossy(&out), expected, "{fe}");
        let rs = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "GET")
            .unwrap()
            .unwrap();
        assert_eq!(client_keep_alive(fm, &r, &rs, false), open, "{fe}");
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// 160 generated requests (random mixes of methods, targets, versions, line ends and
/// headers) sent to HAProxy 2.6.12 in keep-alive mode; each line is the request in hex,
/// then `B:` + the head the backend received (hex) or `S:` + the status the client got.
#[test]
fn oracle_generated_requests() {
    let mut checked = 0;
    for line in include_str!("oracle_cases.txt").lines() {
        let (input, result) = line.split_once('\t').unwrap();
        let input = unhex(input);
        let shown = String::from_utf8_lossy(&input).into_owned();
        match result.split_once(':').unwrap() {
            ("B", head) => {
                let got = to_server(&input);
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&unhex(head)),
                    "{shown:?}"
                );
            }
            ("S", status) => {
                assert_eq!(req_err(&input).to_string(), status, "{shown:?}");
            }
            other => panic!("{other:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 160);
}

/// 120 generated responses (random status lines, versions and headers) from a backend that
/// closes after answering, through HAProxy 2.6.12 in keep-alive mode, to five kinds of
/// client request. Each line: request, response, head the client got (all hex), and whether
/// the client connection was closed.
#[test]
fn oracle_generated_responses() {
    use crate::proxy::http::errors;
    let mut checked = 0;
    for line in include_str!("oracle_responses.txt").lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (rq, rs, expected, state) = (unhex(f[0]), unhex(f[1]), unhex(f[2]), f[3]);
        let shown = String::from_utf8_lossy(&rs).into_owned();
        let r = req(&rq);
        let (got, open) = match parse_response(&rs, &r.head.method) {
            Ok(Some(p)) => {
                let ka = client_keep_alive(ConnMode::KeepAlive, &r, &p, false);
                let mut h = p.head;
                prepare_response_for_client(&mut h, r.head.version, ka);
                let mut out = Vec::new();
                write_response_head(&h, &mut out);
                (out, ka)
            }
            Ok(None) => panic!("incomplete {shown:?}"),
            Err(e) => {
                assert_eq!(e.status(), 502);
                let page = errors::builtin(502).unwrap();
                let x = errors::render(
                    page,
                    &r.head.method,
                    r.head.version,
                    r.keep_alive,
                    ConnMode::KeepAlive,
                );
                let head_end = x.bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                (x.bytes[..head_end].to_vec(), x.keep_alive)
            }
        };
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{:?} -> {shown:?}",
            String::from_utf8_lossy(&rq)
        );
        assert_eq!(
            open,
            state == "open",
            "{:?} -> {shown:?}",
            String::from_utf8_lossy(&rq)
        );
        checked += 1;
    }
    assert_eq!(checked, 120);
}

/// `TE` as HAProxy 2.6.12 forwarded it (measured with curl and a header echo server).
#[test]
fn te_keeps_only_trailers() {
    for (te, want) in [
        ("trailers, gzip", Some("trailers")),
        ("gzip", None),
        (" trailers ", Some("trailers")),
        ("Trailers;q=0.5, deflate", None),
        ("trailers;q=1.0", None),
        ("trailers, trailers;q=0.2", Some("trailers")),
        ("TRAILERS", None),
    ] {
        let raw = format!("GET / HTTP/1.1\r\nhost: a\r\nte: {te}\r\n\r\n");
        let out = to_server(raw.as_bytes());
        let want = match want {
            Some(v) => format!("GET / HTTP/1.1\r\nhost: a\r\nte: {v}\r\n\r\n"),
            None => "GET / HTTP/1.1\r\nhost: a\r\n\r\n".to_string(),
        };
        assert_eq!(String::from_utf8_lossy(&out), want, "TE: {te}");
    }
}

#[test]
fn te_is_rewritten_in_place() {
    let out = to_server(
        b"GET / HTTP/1.1\r\nhost: a\r\nte: gzip, trailers\r\ncookie: a=1\r\nte: x\r\n\r\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out),
        "GET / HTTP/1.1\r\nhost: a\r\nte: trailers\r\ncookie: a=1\r\n\r\n"
    );
}

/// CONNECT targets and their Host header as HAProxy 2.6.12 takes them (reg-test
/// http-messaging/h1_host_normalization; compat case h15): a port is required, a Host
/// without port matches a port 80/443 target, `Host: h:` is kept as is.
#[test]
fn connect_authority_and_host() {
    for bad in [
        &b"CONNECT hostname HTTP/1.1\r\nHost: hostname\r\n\r\n"[..],
        b"CONNECT hostname: HTTP/1.1\r\nHost: hostname\r\n\r\n",
        b"CONNECT / HTTP/1.1\r\nHost: hostname\r\n\r\n",
        b"CONNECT hostname:80 HTTP/1.1\r\nHost: hostname:443\r\n\r\n",
        b"CONNECT hostname:8080 HTTP/1.1\r\nHost: hostname\r\n\r\n",
    ] {
        assert_eq!(req_err(bad), 400, "{}", String::from_utf8_lossy(bad));
    }
    let host = |raw: &[u8]| {
        let p = req(raw);
        String::from_utf8_lossy(&p.head.headers.get("host").expect("host").value).into_owned()
    };
    assert_eq!(
        host(b"CONNECT hostname:80 HTTP/1.1\r\nHost: hostname:80\r\n\r\n"),
        "hostname"
    );
    assert_eq!(
        host(b"CONNECT hostname:443 HTTP/1.1\r\nHost: hostname\r\n\r\n"),
        "hostname"
    );
    assert_eq!(
        host(b"CONNECT hostname:80 HTTP/1.1\r\nHost: hostname:\r\n\r\n"),
        "hostname:"
    );
    assert_eq!(
        host(b"CONNECT hostname:8443 HTTP/1.1\r\nHost: hostname:8443\r\n\r\n"),
        "hostname:8443"
    );
}
