//! Expected bytes are what HAProxy 2.6.12 (Debian 2.6.12-1+deb12u4) sent to a client on
//! loopback (python sockets), configs as quoted in each test.

use super::*;

fn ka11(raw: &[u8]) -> Vec<u8> {
    render(raw, "GET", Version::Http11, true, ConnMode::KeepAlive).bytes
}

#[test]
fn parser_errors_are_sent_raw() {
    // `G@T / HTTP/1.1` -> 400, and `timeout http-request 1s` with a partial request -> 408
    assert_eq!(
        builtin(400).unwrap(),
        b"HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"
    );
    assert_eq!(
        builtin(408).unwrap(),
        &b"HTTP/1.1 408 Request Time-out\r\nContent-length: 110\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"[..]
    );
    // `Transfer-Encoding: gzip, chunked` -> 422
    assert_eq!(
        builtin(422).unwrap(),
        b"HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n"
    );
    assert!(builtin(414).is_none() && builtin(431).is_none() && builtin(418).is_none());
    for s in BUILTIN_STATUSES {
        let raw = builtin(*s).unwrap();
        let p = h1::parse_response(raw, "GET").unwrap().unwrap();
        assert_eq!(p.head.status, *s);
        // the Content-length of each page is right
        assert_eq!(p.body, BodyKind::Length((raw.len() - p.head_len) as u64));
    }
}

/// `http-request deny deny_status N` (and 503 without server, 502 on a bad response, 504 on
/// `timeout server`) for a keep-alive HTTP/1.1 client.
#[test]
fn stream_errors_as_sent() {
    let cases: &[(u16, &[u8])] = &[
        (200, b"HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"),
        (400, b"HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"),
        (401, b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"),
        (403, b"HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"),
        (404, b"HTTP/1.1 404 Not Found\r\ncontent-length: 83\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n"),
        (405, b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 146\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n"),
        (407, b"HTTP/1.1 407 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"),
        (408, b"HTTP/1.1 408 Request Time-out\r\ncontent-length: 110\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"),
        (410, b"HTTP/1.1 410 Gone\r\ncontent-length: 114\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n"),
        (413, b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 106\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n"),
        (421, b"HTTP/1.1 421 Misdirected Request\r\ncontent-length: 104\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>421 Misdirected Request</h1>\nRequest sent to a non-authoritative server.\n</body></html>\n"),
        (422, b"HTTP/1.1 422 Unprocessable Content\r\ncontent-length: 116\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n"),
        (425, b"HTTP/1.1 425 Too Early\r\ncontent-length: 80\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n"),
        (429, b"HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n"),
        (500, b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 97\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n"),
        (501, b"HTTP/1.1 501 Not Implemented\r\ncontent-length: 136\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n"),
        (502, b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"),
        (503, b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"),
        (504, b"HTTP/1.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"),
    ];
    for (status, expected) in cases {
        let r = render(
            builtin(*status).unwrap(),
            "GET",
            Version::Http11,
            true,
            ConnMode::KeepAlive,
        );
        assert_eq!(
            String::from_utf8_lossy(&r.bytes),
            String::from_utf8_lossy(expected),
            "{status}"
        );
        // measured: only 400 and 408 close the connection
        assert_eq!(r.keep_alive, *status != 400 && *status != 408, "{status}");
    }
    // HTTP/1.0 clients: `GET /deny HTTP/1.0` with and without `Connection: keep-alive`
    let r = render(
        builtin(403).unwrap(),
        "GET",
        Version::Http10,
        false,
        ConnMode::KeepAlive,
    );
    assert_eq!(r.bytes, &b"HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"[..]);
    assert!(!r.keep_alive);
    let r = render(
        builtin(403).unwrap(),
        "GET",
        Version::Http10,
        true,
        ConnMode::KeepAlive,
    );
    assert_eq!(r.bytes, &b"HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: keep-alive\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"[..]);
    assert!(r.keep_alive);
    // HEAD: no body
    let r = render(
        builtin(403).unwrap(),
        "HEAD",
        Version::Http11,
        true,
        ConnMode::KeepAlive,
    );
    assert_eq!(r.bytes, b"HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n");
}

#[test]
fn auth_challenges() {
    // `http-request auth realm "My Realm"`, HTTP/1.1 then HTTP/1.0 client
    let raw = auth_challenge("My Realm", false);
    assert_eq!(
        String::from_utf8_lossy(&ka11(&raw)),
        "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"My Realm\"\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
    );
    let r = render(&raw, "GET", Version::Http10, false, ConnMode::KeepAlive);
    assert_eq!(
        String::from_utf8_lossy(&r.bytes),
        "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"My Realm\"\r\nconnection: close\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
    );
    let raw = auth_challenge("fe", true);
    let s = String::from_utf8_lossy(&ka11(&raw)).into_owned();
    assert!(s.starts_with("HTTP/1.1 407 Unauthorized\r\n"), "{s}");
    assert!(
        s.contains("\r\nproxy-authenticate: Basic realm=\"fe\"\r\n\r\n<html>"),
        "{s}"
    );
    // a custom page written with bare LFs still gets the header in its head
    let mut pages = ErrorPages::default();
    pages.set(
        401,
        Bytes::from_static(b"HTTP/1.1 401 No\nContent-Length: 2\n\nno"),
    );
    assert_eq!(
        pages.auth_challenge("r", false),
        b"HTTP/1.1 401 No\nContent-Length: 2\nWWW-Authenticate: Basic realm=\"r\"\r\n\nno"
    );
}

#[test]
fn return_and_reasons() {
    // `http-request return status 200 content-type text/plain string "hello"`, then
    // `return status 404`, `return status 299 content-type text/plain string "x"`
    assert_eq!(
        ka11(&return_reply(200, Some("text/plain"), b"hello")),
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello"
    );
    assert_eq!(
        ka11(&return_reply(404, None, b"")),
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    );
    assert_eq!(
        ka11(&return_reply(299, Some("text/plain"), b"x")),
        b"HTTP/1.1 299 Success\r\ncontent-length: 1\r\ncontent-type: text/plain\r\n\r\nx"
    );
    // HTTP/1.0 client without keep-alive
    let r = render(
        &return_reply(200, Some("text/plain"), b"hello"),
        "GET",
        Version::Http10,
        false,
        ConnMode::KeepAlive,
    );
    assert_eq!(r.bytes, b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhello");
    // status lines of `return status N` for a sample of the measured codes
    let measured = "200 OK|201 Created|203 Non-Authoritative Information|210 Content Different|226 IM Used|302 Moved Temporarily|303 See Other|310 Too many Redirects|400 Bad Request|407 Proxy Authentication Required|408 Request Time-out|413 Request Entity Too Large|414 Request-URI Too Long|416 Requested range unsatisfiable|418 I'm a teapot|422 Unprocessable Content|424 Method failure|431 Request Header Fields Too Large|450 Blocked by Windows Parental Controls|499 client has closed connection|502 Bad Gateway or Proxy Error|504 Gateway Time-out|506 Variant also negotiate|511 Network authentication required|520 Web server is returning an unknown error|250 Success|350 Redirection|550 Server Error|521 Server Error|599 Server Error";
    for item in measured.split('|') {
        let (code, text) = item.split_once(' ').unwrap();
        assert_eq!(reason(code.parse().unwrap()), text);
    }
}

fn tmp(name: &str, content: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("tandem-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

fn load(cfg: &str) -> Config {
    let out = crate::config::haproxy::parser::load_from_memory(
        "t.cfg",
        cfg.as_bytes(),
        &Default::default(),
    );
    out.config.unwrap_or_else(|| panic!("{:?}", out.diags))
}

#[test]
fn error_pages_from_config() {
    let e503 = tmp("e503.http", b"HTTP/1.1 503 Custom Down\r\nContent-Type: text/plain\r\nX-Custom: Yes\r\n\r\nsorry down\n");
    let e403 = tmp(
        "e403.http",
        b"HTTP/1.1 403 Nope\r\nContent-Length: 4\r\n\r\nnope",
    );
    let e404 = tmp(
        "e404.http",
        b"HTTP/1.1 404 NF\nContent-Type: text/plain\n\nnf\n",
    );
    let cfg = load(&format!(
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 1s\n    errorfile 403 {e403}\n\
         http-errors myerrs\n    errorfile 404 {e404}\n    errorfile 503 {e503}\n\
         frontend f1\n    bind 127.0.0.1:24900\n    errorfile 503 {e503}\n    default_backend empty\n\
         frontend f2\n    bind 127.0.0.1:24901\n    errorloc302 503 http://example.com/down\n    errorloc303 403 /forbidden\n    errorloc 404 /nf\n    default_backend empty\n\
         frontend f3\n    bind 127.0.0.1:24902\n    errorfiles myerrs\n    default_backend empty\n\
         frontend f4\n    bind 127.0.0.1:24903\n    errorfiles myerrs 404\n    errorfile 404 {e403}\n    default_backend empty\n\
         backend empty\n"
    ));
    let pages = |name: &str| {
        let p = cfg.proxies.iter().find(|p| p.name == name).unwrap();
        ErrorPages::from_ir(&cfg, p).unwrap()
    };
    let get = |name: &str, status: u16| {
        let r = render(
            &pages(name).get(status),
            "GET",
            Version::Http11,
            true,
            ConnMode::KeepAlive,
        );
        (String::from_utf8_lossy(&r.bytes).into_owned(), r.keep_alive)
    };
    // what each frontend answered to `GET /` (503), `deny` (403) and `deny_status 404`
    let f1_503 = ("HTTP/1.1 503 Custom Down\r\ncontent-type: text/plain\r\nx-custom: Yes\r\nconnection: close\r\n\r\nsorry down\n".to_string(), false);
    assert_eq!(get("f1", 503), f1_503);
    assert_eq!(
        get("f1", 403),
        (
            "HTTP/1.1 403 Nope\r\ncontent-length: 4\r\n\r\nnope".to_string(),
            true
        )
    );
    assert_eq!(
        get("f1", 404).0,
        "HTTP/1.1 404 Not Found\r\ncontent-length: 83\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n"
    );
    assert_eq!(
        get("f2", 503).0,
        "HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: http://example.com/down\r\n\r\n"
    );
    assert_eq!(
        get("f2", 403).0,
        "HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: /forbidden\r\n\r\n"
    );
    assert_eq!(
        get("f2", 404).0,
        "HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: /nf\r\n\r\n"
    );
    assert_eq!(get("f3", 503), f1_503);
    assert_eq!(
        get("f3", 404),
        (
            "HTTP/1.1 404 NF\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nnf\n"
                .to_string(),
            false
        )
    );
    assert_eq!(
        get("f4", 503).0,
        String::from_utf8_lossy(&ka11(builtin(503).unwrap()))
    );
    assert_eq!(
        get("f4", 404).0,
        "HTTP/1.1 403 Nope\r\ncontent-length: 4\r\n\r\nnope"
    );
    // an unknown status falls back to the 500 page, as HAProxy's status index does
    assert_eq!(&pages("f1").get(418)[..], builtin(500).unwrap());
}

#[test]
fn unreadable_or_invalid_errorfile() {
    let bad = tmp("bad.http", b"not http\r\n\r\n");
    let mut cfg =
        load("frontend f\n    mode http\n    bind 127.0.0.1:24999\n    timeout client 1s\n");
    let p = &mut cfg.proxies[0];
    p.settings.errorfiles.push(crate::ir::haproxy::ErrorFile {
        keyword: "errorfile".into(),
        status: 503,
        target: bad.clone(),
    });
    let p = cfg.proxies[0].clone();
    assert!(matches!(
        ErrorPages::from_ir(&cfg, &p),
        Err(ErrorPagesError::Invalid { .. })
    ));
    let mut p2 = p.clone();
    p2.settings.errorfiles[0].target = "/nonexistent/e.http".into();
    assert!(matches!(
        ErrorPages::from_ir(&cfg, &p2),
        Err(ErrorPagesError::Io { .. })
    ));
}

/// The `http-request return` reply as the rules render it (`rules::reply::custom`), which
/// these byte-exact HAProxy expectations check.
fn return_reply(status: u16, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    crate::proxy::rules::reply::custom(status, &[], content_type, body)
}
