//! Expected bytes below were measured on HAProxy 2.6.12 (`haproxy -f testdata/h1.cfg -db` on
//! loopback, with an echo backend that returns the request head it received).

use std::net::SocketAddr;

use super::*;
use crate::config::haproxy::parser::{LoadOptions, load_from_memory};
use crate::proxy::http::msg::{Header, HeaderList, Version};

const H1: &str = include_str!("testdata/h1.cfg");

fn config(text: &str) -> Config {
    let out = load_from_memory("h1.cfg", text.as_bytes(), &LoadOptions::default());
    out.config.expect("test config parses")
}

fn rules(cfg: &Config, name: &str) -> HttpRules {
    let px = cfg.proxies.iter().find(|p| p.name == name).expect("proxy");
    HttpRules::compile(cfg, px).expect("rules compile")
}

fn txn(method: &str, uri: &str, headers: &[(&str, &str)]) -> Txn {
    let req = RequestHead {
        method: method.into(),
        uri: uri.into(),
        version: Version::Http11,
        headers: HeaderList(headers.iter().map(|(n, v)| Header::new(*n, *v)).collect()),
    };
    let src: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let dst: SocketAddr = "127.0.0.1:24580".parse().unwrap();
    Txn::new(req, src, dst, "f".into())
}

fn reply_of(v: Verdict) -> String {
    match v {
        Verdict::Reply { bytes, .. } => String::from_utf8(bytes).unwrap(),
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn get(r: &HttpRules, uri: &str) -> Verdict {
    let mut t = txn("GET", uri, &[("Host", "h.com")]);
    r.on_request(&mut t, &Ext::default())
}

#[test]
fn deny_pages_and_custom_replies() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    assert_eq!(
        reply_of(get(&f, "/deny")),
        "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"
    );
    assert_eq!(
        reply_of(get(&f, "/deny429")),
        "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n"
    );
    assert_eq!(
        reply_of(get(&f, "/denys")),
        "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 9\r\ncontent-type: text/plain\r\n\r\nslow down"
    );
    assert_eq!(
        reply_of(get(&f, "/denyh")),
        "HTTP/1.1 404 Not Found\r\nx-a: v /denyh\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nnf"
    );
    assert_eq!(
        reply_of(get(&f, "/ret")),
        "HTTP/1.1 200 OK\r\ncontent-length: 9\r\ncontent-type: text/plain\r\n\r\nhi /ret |"
    );
    assert_eq!(
        reply_of(get(&f, "/ret0")),
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
    );
    assert_eq!(
        reply_of(get(&f, "/ret404")),
        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    );
    assert_eq!(
        reply_of(get(&f, "/reth")),
        "HTTP/1.1 200 OK\r\nx-y: yy\r\ncontent-length: 8\r\ncontent-type: text/html\r\n\r\n<b>x</b>"
    );
    assert_eq!(get(&f, "/reject"), Verdict::Close { silent: false });
    // HAProxy 2.6 keeps the connection after deny/auth/redirect/return for HTTP/1.1.
    match get(&f, "/deny") {
        Verdict::Reply { close, status, .. } => assert!(!close && status == 403),
        v => panic!("{v:?}"),
    }
}

#[test]
fn monitor_uri_answers_before_rules() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    // `http-request deny if { path /mon }` is there too: monitor-uri wins.
    assert_eq!(
        reply_of(get(&f, "/mon")),
        "HTTP/1.1 200 OK\r\ncontent-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"
    );
}

#[test]
fn auth_challenge_and_userlist() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    let page = "\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
    assert_eq!(
        reply_of(get(&f, "/auth")),
        format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"f\"{page}"
        )
    );
    assert_eq!(
        reply_of(get(&f, "/authr")),
        format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"My Realm\"{page}"
        )
    );
    let with = |cred: &str| {
        let a = format!(
            "Basic {}",
            String::from_utf8(crate::proxy::acl::b64_encode(cred.as_bytes())).unwrap()
        );
        let mut t = txn("GET", "/auth", &[("Host", "h"), ("Authorization", &a)]);
        f.on_request(&mut t, &Ext::default())
    };
    // Measured: al:pass (sha-crypt password) and bob:secret (insecure-password) pass.
    assert_eq!(with("al:pass"), Verdict::Continue);
    assert_eq!(with("bob:secret"), Verdict::Continue);
    assert!(matches!(with("al:bad"), Verdict::Reply { status: 401, .. }));
}

#[test]
fn redirects_every_option() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    let cases = [
        (
            "/r1",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r2",
            "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /new\r\n\r\n",
        ),
        (
            "/r3/a?q=1",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r3/a?q=1\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r4/a?q=1",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r4/a\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r5/a?q=1",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r5/a?q=1/\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r5/b.html",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r5/b.html/\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r5/c/",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r5/c/\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r6/a?q=1",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h.com/r6/a?q=1\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r7/a?q=1",
            "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: https://h.com/r7/a\r\n\r\n",
        ),
        (
            "/r8",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /c\r\ncache-control: no-cache\r\nset-cookie: SID=abc; path=/;\r\n\r\n",
        ),
        (
            "/r9",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /c\r\ncache-control: no-cache\r\nset-cookie: SID=; path=/; Max-Age=0;\r\n\r\n",
        ),
        (
            "/r10/a?x",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /r10/a?x\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r11/k",
            "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: h.com/z/r11/k\r\ncache-control: no-cache\r\n\r\n",
        ),
        (
            "/r12?y",
            "HTTP/1.1 303 See Other\r\ncontent-length: 0\r\nlocation: https://ex.com/r12?y\r\ncache-control: no-cache\r\n\r\n",
        ),
    ];
    for (uri, want) in cases {
        assert_eq!(reply_of(get(&f, uri)), want, "{uri}");
    }
    // A Host-less request to a scheme redirect: `https:///rs` (measured with `/rs`).
    let mut t = txn("GET", "/r6", &[]);
    assert_eq!(
        reply_of(f.on_request(&mut t, &Ext::default())),
        "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https:///r6\r\ncache-control: no-cache\r\n\r\n"
    );
}

fn header_lines(h: &HeaderList) -> Vec<String> {
    h.iter()
        .map(|x| {
            format!(
                "{}: {}",
                x.name.to_ascii_lowercase(),
                String::from_utf8_lossy(&x.value)
            )
        })
        .collect()
}

#[test]
fn header_rewrites_vars_and_log_format() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    let mut t = txn(
        "GET",
        "/hdr?a=1",
        &[
            ("Host", "H.com:80"),
            ("X-Del", "1"),
            ("X-Rep", "abc"),
            ("X-Rep", "xyz, abd"),
            ("X-Rv", "bb, c,bbb"),
            ("X-M", "1, 2"),
            ("X-M", "3"),
            ("Cookie", "c=1; d=2"),
            ("Cookie", "c=3"),
        ],
    );
    t.req_captures.resize(f.capture_slots().0, None);
    assert_eq!(f.on_request(&mut t, &Ext::default()), Verdict::Continue);
    // What the echo backend received (HAProxy lowercases names on output).
    let want = [
        "host: H.com:80",
        "x-rep: zbc",
        "x-rep: xyz, abd",
        "x-rv: [bb], c,[bbb]",
        "x-m: 1, 2",
        "x-m: 3",
        "cookie: c=1; d=2",
        "cookie: c=3",
        "x-set: 127.0.0.1 |/hdr",
        "x-add: a",
        "x-add: b",
        "x-var: h.com:80",
        "x-int: 8",
        "x-cook: 3",
        "x-hdr: 3",
        "x-fhdr: 3",
        "x-lf: 127.0.0.1|127.0.0.1|f|f|GET|/hdr?a=1|/hdr|?a=1|HTTP/1.1|GET /hdr?a=1 HTTP/1.1|{H.com}|-1",
    ];
    assert_eq!(header_lines(&t.req.headers), want);
}

#[test]
fn uri_rewrites() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    for (uri, want_m, want_u) in [
        ("/setp/x?a=1", "GET", "/sp/setp/x?a=1"),
        ("/setq/x?a=1", "GET", "/setq/x?q=1"),
        ("/setq/y", "GET", "/setq/y?q=1"),
        ("/setu/x?a=1", "GET", "/u?x"),
        ("/setm", "PUT", "/setm"),
    ] {
        let mut t = txn("GET", uri, &[("Host", "h")]);
        assert_eq!(f.on_request(&mut t, &Ext::default()), Verdict::Continue);
        assert_eq!(
            (t.req.method.as_str(), t.req.uri.as_str()),
            (want_m, want_u),
            "{uri}"
        );
    }
}

#[test]
fn log_format_shows_request_line_as_received() {
    // Measured: after `set-method PUT`, the later `X-Lf` header still shows the request
    // line as received.
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    let mut t = txn("GET", "/setm", &[("Host", "h")]);
    assert_eq!(f.on_request(&mut t, &Ext::default()), Verdict::Continue);
    assert_eq!(t.req.method, "PUT");
    let lf = t.req.headers.get("x-lf").unwrap();
    assert_eq!(
        lf.value_str(),
        Some("127.0.0.1|127.0.0.1|f|f|GET|/setm|/setm||HTTP/1.1|GET /setm HTTP/1.1|{h}|-1")
    );
}

#[test]
fn response_rules() {
    let cfg = config(H1);
    let f = rules(&cfg, "f");
    let mut t = txn("GET", "/", &[("Host", "h")]);
    t.res = Some(ResponseHead {
        version: Version::Http11,
        status: 200,
        reason: "OK".into(),
        headers: HeaderList(vec![
            Header::new("Content-Type", "text/plain"),
            Header::new("X-Srv", "a, b"),
            Header::new("Set-Cookie", "SC=1; path=/"),
            Header::new("Content-Length", "28"),
        ]),
    });
    assert_eq!(f.on_response(&mut t, &Ext::default()), Verdict::Continue);
    let res = t.res.as_ref().unwrap();
    assert_eq!(
        header_lines(&res.headers),
        [
            "content-type: text/plain",
            "x-srv: a, b",
            "content-length: 28",
            "x-res: 200-b"
        ]
    );
}

#[test]
fn select_backend_static_dynamic_default() {
    let cfg = config(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         frontend f\n bind 127.0.0.1:1\n use_backend %[req.hdr(host),lower,field(1,:)] if { hdr(x-dyn) 1 }\n\
         use_backend api if { path_beg /api }\n default_backend web\n\
         backend api\n server s 127.0.0.1:2\nbackend web\n server s 127.0.0.1:3\nbackend www.a.com\n server s 127.0.0.1:4\n",
    );
    let f = rules(&cfg, "f");
    let sel = |uri: &str, hs: &[(&str, &str)]| {
        let t = txn("GET", uri, hs);
        f.select_backend(&t, &Ext::default())
    };
    assert_eq!(sel("/api/x", &[]).as_deref(), Some("api"));
    assert_eq!(sel("/x", &[]).as_deref(), Some("web"));
    assert_eq!(
        sel("/x", &[("Host", "WWW.a.com:80"), ("X-Dyn", "1")]).as_deref(),
        Some("www.a.com")
    );
    // An unknown dynamic name falls to default_backend, not to the next use_backend.
    assert_eq!(
        sel("/api", &[("Host", "nope"), ("X-Dyn", "1")]).as_deref(),
        Some("web")
    );
}

/// `testdata/acl.cfg.in`: 58 ACLs, each appending its number to `txn.m` when it matches,
/// then a `return` printing the list and many converter results. Bodies measured on
/// HAProxy 2.6.12 (with `@DIR@` replaced by the testdata directory).
#[test]
fn acl_matrix_as_haproxy() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/proxy/rules/testdata");
    let text = include_str!("testdata/acl.cfg.in").replace("@DIR@", dir);
    let cfg = config(&text);
    let f = rules(&cfg, "f");
    let body = |t: &mut Txn| {
        let r = reply_of(f.on_request(t, &Ext::default()));
        r.split_once("\r\n\r\n").unwrap().1.to_string()
    };
    let mut t = txn(
        "GET",
        "/a/b/img/x.JPG?q=1&z",
        &[
            ("Host", "www.Example.com"),
            ("X-L", "a, b"),
            ("X-L", "c"),
            ("X-N", "12"),
            ("Cookie", "c=1; c=3"),
            ("X-IP", "192.168.1.1"),
            ("X-D", "/a/b/c"),
            ("X-Q", "a%20b+c?d+e"),
        ],
    );
    t.req.headers.add("X-J", b"a\"b/\\c\xe9".to_vec());
    assert_eq!(
        body(&mut t),
        "m=1,3,4,5,7,9,10,11,12,13,14,15,19,20,21,23,24,25,26,27,29,31,32,34,35,36,37,38,39,40,41,42,45,46,49,50,51,52,53,54,55,56,57,58, djb2=4259437329 crc32=2823474540 sdbm=3471507814 wt6=1151714616 wt6a=345032398 b64=d3d3LkV4YW1wbGUuY29t hex=7777772E4578616D706C652E636F6D mask=127.0.0.0 json=a\\\"b\\/\\\\c\\u00e9 len=1 rs=_a_b_img_x.JPG mb=back2 md=back2 ud=a b+c?d e by=w.E neg=-7 div=9223372036854775807 mod=2 cc=a<1,3,4,5,7,9,10,11,12,13,14,15,19,20,21,23,24,25,26,27,29,31,32,34,35,36,37,38,39,40,41,42,45,46,49,50,51,52,53,54,55,56,57,58,> f2=Example w=b fl= fc=b.c up=1 ck=3 b=www.Example.com/a/b/img/x.JPG sp=1 ms=ABC|"
    );
    let mut t = txn(
        "GET",
        "/static/x.jpg",
        &[("Host", "other.com"), ("X-L", "b"), ("X-D", "a.b.c")],
    );
    assert_eq!(
        body(&mut t),
        "m=4,5,7,8,9,18,19,24,25,26,27,29,36,37,39,41,43,47,49,51,54,55,57,58, djb2=3142683828 crc32=4120980876 sdbm=4190902947 wt6=589160247 wt6a=3615697295 b64=b3RoZXIuY29t hex=6F746865722E636F6D mask=127.0.0.0 json= len=1 rs=_static_x.jpg mb=def md=def ud= by=her neg=-7 div=9223372036854775807 mod=2 cc=a<4,5,7,8,9,18,19,24,25,26,27,29,36,37,39,41,43,47,49,51,54,55,57,58,> f2=other w=b fl= fc=b.c up= ck= b=other.com/static/x.jpg sp=1 ms=ABC|"
    );
    let mut t = txn(
        "GET",
        "http://www.example.com/img/",
        &[("Host", "www.example.com")],
    );
    t.req.version = Version::Http10;
    assert_eq!(
        body(&mut t),
        "m=1,2,3,4,6,12,14,17,24,25,27,29,34,35,36,37,42,43,44,50,53,54, djb2=2843247409 crc32=785793723 sdbm=2718216582 wt6=612436471 wt6a=2993095237 b64=d3d3LmV4YW1wbGUuY29t hex=7777772E6578616D706C652E636F6D mask=127.0.0.0 json= len= rs=_img_ mb=back1 md=back1 ud= by=w.e neg=-7 div=9223372036854775807 mod=2 cc=a<1,2,3,4,6,12,14,17,24,25,27,29,34,35,36,37,42,43,44,50,53,54,> f2=example w=b fl= fc=b.c up= ck= b=www.example.com/img/ sp=1 ms=ABC|"
    );
}

/// Rate limiting through the stick-table module. Measured on HAProxy 2.6.12 with three
/// requests on one connection: bodies `r=1 g=1 s=1 t=1 t1=0`, `r=2 g=1 s=2 t=1 t1=0`, then
/// the built-in 429 page.
#[test]
fn track_sc_rate_limit_with_stick_tables() {
    use std::sync::{Arc, Mutex};

    use crate::proxy::acl::TableLookup;
    use crate::proxy::stick::{SessionCounters, Tables};

    let cfg = config(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         frontend f\n bind 127.0.0.1:1\n stick-table type ip size 1k expire 1m store http_req_rate(10s),gpc0\n\
         http-request track-sc0 src\n http-request sc-inc-gpc0(0) if { path /inc }\n\
         http-request deny deny_status 429 if { sc_http_req_rate(0) gt 2 }\n\
         http-request return status 200 content-type text/plain lf-string \"r=%[sc_http_req_rate(0)] g=%[sc_get_gpc0(0)] s=%[src_http_req_rate] t=%[sc_tracked(0)] t1=%[sc_tracked(1)]\"\n",
    );
    let f = rules(&cfg, "f");
    let counters = SessionCounters::new(Arc::new(Mutex::new(Tables::from_ir(&cfg).unwrap())));
    let mut bodies = Vec::new();
    for (i, uri) in ["/inc", "/x", "/x"].into_iter().enumerate() {
        let now = 1000 + i as u64 * 10;
        counters.http_request(now);
        let ext = Ext {
            state: None,
            tables: Some(&counters as &dyn TableLookup),
        };
        let mut t = txn("GET", uri, &[]);
        t.now_ms = now;
        let r = reply_of(f.on_request(&mut t, &ext));
        bodies.push(r.split_once("\r\n\r\n").unwrap().1.to_string());
        counters.end_stream(now);
    }
    assert_eq!(bodies[0], "r=1 g=1 s=1 t=1 t1=0");
    assert_eq!(bodies[1], "r=2 g=1 s=2 t=1 t1=0");
    assert!(bodies[2].starts_with("<html><body><h1>429 Too Many Requests</h1>"));
}

#[test]
fn tcp_content_waits_for_sni_then_routes() {
    let cfg = config(
        "defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         frontend t\n bind 127.0.0.1:1\n tcp-request inspect-delay 5s\n\
         tcp-request content reject if { req.ssl_sni -m end .bad }\n\
         tcp-request content accept if { req.ssl_hello_type 1 }\n\
         use_backend b1 if { req.ssl_sni sni.example.com }\n default_backend b2\n\
         backend b1\n server s 127.0.0.1:2\nbackend b2\n server s 127.0.0.1:3\n",
    );
    let px = cfg.proxies.iter().find(|p| p.name == "t").unwrap();
    let tcp = TcpRules::compile(&cfg, px).unwrap();
    let http = HttpRules::compile(&cfg, px).unwrap();
    assert_eq!(tcp.inspect_delay_ms(), Some(5000));
    let hello = include_bytes!("../acl/testdata/client_hello_sni.bin");
    let mut c = TcpConn {
        src: "127.0.0.1:4000".parse().unwrap(),
        dst: "127.0.0.1:1".parse().unwrap(),
        frontend: "t".into(),
        backend: None,
        vars: Vars::new(),
        payload: hello[..50].to_vec(),
        payload_final: false,
        tls: None,
        now_ms: 0,
        log_level: None,
    };
    let ext = Ext::default();
    assert_eq!(tcp.on_content(&mut c, &ext), TcpVerdict::NeedMore);
    c.payload = hello.to_vec();
    assert_eq!(tcp.on_content(&mut c, &ext), TcpVerdict::Accept);
    assert_eq!(
        http.select_backend_ctx(&c.ctx("t", &ext)).as_deref(),
        Some("b1")
    );
    // Delay over with garbage: no rule matches, accepted, default backend.
    c.payload = b"hello".to_vec();
    c.payload_final = true;
    assert_eq!(tcp.on_content(&mut c, &ext), TcpVerdict::Accept);
    assert_eq!(
        http.select_backend_ctx(&c.ctx("t", &ext)).as_deref(),
        Some("b2")
    );
}

#[test]
fn connection_close_insertion_as_haproxy() {
    // HAProxy 2.6.12 answering `deny` to an HTTP/1.0 request (or `Connection: close`).
    let keep = reply::builtin(403, &[]).unwrap();
    assert_eq!(
        String::from_utf8(reply::with_connection_close(&keep)).unwrap(),
        "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"
    );
    // Already closing pages (400, 408) are left alone.
    let b400 = reply::builtin(400, &[]).unwrap();
    assert_eq!(reply::with_connection_close(&b400), b400);
    assert!(reply::builtin_closes(408) && !reply::builtin_closes(403));
    // Reasons HAProxy writes for `return status N` (measured for 200..599).
    assert_eq!(reply::reason(302), "Moved Temporarily");
    assert_eq!(reply::reason(418), "I'm a teapot");
    assert_eq!(reply::reason(419), "Client Error");
    assert_eq!(reply::reason(502), "Bad Gateway or Proxy Error");
    assert_eq!(reply::reason(599), "Server Error");
    assert_eq!(reply::reason(250), "Success");
}

/// Measured on HAProxy 2.6.12: bodies `A al`, `B bob`, `C cy 1`, `C  0`, `C  `.
#[test]
fn http_auth_group_and_http_auth_fetches() {
    let cfg = config(
        "userlist ul\n group admins users bob\n group ops\n user bob insecure-password secret\n\
         user al password $5$saltsalt$9k0iflfLhuazVMAUTm0egnVlpP5ays5xBLqSJuoPfB9 groups admins,ops\n user cy insecure-password c\n\
         defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         frontend f\n bind 127.0.0.1:1\n\
         http-request return status 200 content-type text/plain lf-string \"A %[http_auth_group(ul)]\" if { http_auth_group(ul) ops }\n\
         http-request return status 200 content-type text/plain lf-string \"B %[http_auth_group(ul)]\" if { http_auth_group(ul) admins }\n\
         http-request return status 200 content-type text/plain lf-string \"C %[http_auth_group(ul)] %[http_auth(ul)]\"\n",
    );
    let f = rules(&cfg, "f");
    let body = |cred: Option<&str>| {
        let mut t = txn("GET", "/", &[]);
        if let Some(c) = cred {
            let a = format!(
                "Basic {}",
                String::from_utf8(crate::proxy::acl::b64_encode(c.as_bytes())).unwrap()
            );
            t.req.headers.add("Authorization", a);
        }
        let r = reply_of(f.on_request(&mut t, &Ext::default()));
        r.split_once("\r\n\r\n").unwrap().1.to_string()
    };
    assert_eq!(body(Some("al:pass")), "A al");
    assert_eq!(body(Some("bob:secret")), "B bob");
    assert_eq!(body(Some("cy:c")), "C cy 1");
    assert_eq!(body(Some("al:x")), "C  0");
    assert_eq!(body(None), "C  ");
}

#[test]
fn use_server_and_persist_rules_in_order() {
    let cfg = config(
        "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n\
         backend b\n    force-persist if { path_beg /f }\n    ignore-persist if { path_beg /i }\n\
         \x20   ignore-persist if { path_beg /f }\n\
         \x20   use-server s2 if { path_beg /two }\n    use-server s1 if { path_beg /t }\n\
         \x20   server s1 127.0.0.1:1\n    server s2 127.0.0.1:2\n",
    );
    let r = rules(&cfg, "b");
    let ext = Ext::default();
    assert_eq!(
        r.use_servers(&txn("GET", "/two", &[]), &ext),
        vec!["s2", "s1"]
    );
    assert_eq!(r.use_servers(&txn("GET", "/t", &[]), &ext), vec!["s1"]);
    assert!(r.use_servers(&txn("GET", "/x", &[]), &ext).is_empty());
    // the first matching persist rule decides
    assert_eq!(r.persist_rule(&txn("GET", "/f", &[]), &ext), Some(true));
    assert_eq!(r.persist_rule(&txn("GET", "/i", &[]), &ext), Some(false));
    assert_eq!(r.persist_rule(&txn("GET", "/x", &[]), &ext), None);
}

#[test]
fn disable_l7_retry_marks_the_transaction() {
    let cfg = config(
        "defaults\n    mode http\nbackend b\n    retry-on 503\n    http-request disable-l7-retry if { path /nr }\n    server s 127.0.0.1:1\n",
    );
    let b = rules(&cfg, "b");
    let mut t = txn("GET", "/nr", &[("Host", "h")]);
    assert_eq!(b.on_request(&mut t, &Ext::default()), Verdict::Continue);
    assert!(t.l7_retry_disabled);
    let mut t = txn("GET", "/other", &[("Host", "h")]);
    assert_eq!(b.on_request(&mut t, &Ext::default()), Verdict::Continue);
    assert!(!t.l7_retry_disabled);
}

/// Named defaults sections: their rules run before the proxy's own, with their own ACLs
/// (HAProxy 2.6.12, reg-test http-rules/default_rules and compat case r14), and an `allow`
/// there ends the proxy's list too.
#[test]
fn defaults_rules_run_first() {
    let cfg = config(
        "defaults common\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         defaults d from common\n acl is_ok path /ok\n http-request allow if is_ok\n http-request set-header x-d 1\n\
         frontend f from d\n bind :8080\n http-request deny\n",
    );
    let f = rules(&cfg, "f");
    assert_eq!(get(&f, "/ok"), Verdict::Continue);
    let mut t = txn("GET", "/no", &[("Host", "h")]);
    let v = f.on_request(&mut t, &Ext::default());
    assert!(matches!(v, Verdict::Reply { status: 403, .. }), "{v:?}");
    assert!(t.req.headers.contains("x-d"));
}

/// `tcp-request inspect-delay` comes from the defaults section (or the one it copied with
/// `from`); HAProxy ignores the proxy's own then ("ignoring tcp-request inspect-delay (was
/// already defined) in frontend 'f3'"). A defaults' `tcp-request connection` rule counts
/// only for a proxy with connection rules of its own (measured on HAProxy 2.6.12).
#[test]
fn defaults_tcp_rules_and_inspect_delay() {
    let cfg = config(
        "defaults a\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n tcp-request inspect-delay 3s\n\
         defaults b from a\n tcp-request connection reject\n\
         frontend f1 from b\n bind :8081\n\
         frontend f2 from b\n bind :8082\n tcp-request connection accept if { src 10.0.0.1 }\n\
         frontend f3 from a\n bind :8083\n tcp-request inspect-delay 1s\n",
    );
    let tcp = |name: &str| {
        let px = cfg.proxies.iter().find(|p| p.name == name).expect("proxy");
        TcpRules::compile(&cfg, px).expect("rules compile")
    };
    let conn = || TcpConn {
        src: "127.0.0.1:40000".parse().unwrap(),
        dst: "127.0.0.1:8081".parse().unwrap(),
        frontend: "f".into(),
        backend: None,
        vars: Default::default(),
        payload: Vec::new(),
        payload_final: true,
        tls: None,
        now_ms: 0,
        log_level: None,
    };
    assert_eq!(tcp("f1").inspect_delay_ms(), Some(3000));
    assert_eq!(tcp("f3").inspect_delay_ms(), Some(3000));
    assert_eq!(
        tcp("f1").on_connection(&mut conn(), &Ext::default()),
        TcpVerdict::Accept
    );
    assert_eq!(
        tcp("f2").on_connection(&mut conn(), &Ext::default()),
        TcpVerdict::Reject { silent: false }
    );
}

/// A `return` / `deny` `hdr` whose value expands to nothing is left out (HAProxy 2.6.12's
/// http_reply_to_htx(); compat case h12 shows it on the wire).
#[test]
fn empty_reply_header_is_omitted() {
    let cfg = config(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         frontend f\n bind :8080\n http-request return status 200 hdr x-a \"%[req.hdr(x-no)]\" hdr x-b yes\n",
    );
    assert_eq!(
        reply_of(get(&rules(&cfg, "f"), "/")),
        "HTTP/1.1 200 OK\r\nx-b: yes\r\ncontent-length: 0\r\n\r\n"
    );
}
