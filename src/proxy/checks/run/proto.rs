//! The built-in check rulesets of HAProxy 2.6 (`option ssl-hello-chk`, `redis-check`,
//! `mysql-check`, `pgsql-check`, `smtpchk`, `ldap-check`) and the bytes they send, and
//! the HTTP check request as HAProxy's H1 mux writes it. Every byte string here was
//! compared with what HAProxy 2.6.12 sent to a capturing listener (see the tests).

use regex::bytes::Regex;

use super::Status;
use super::plan::{
    ConnectStep, ExpectKind, ExpectStep, HttpReq, InfoFmt, SendData, SendStep, Step,
};

/// Hex digits to bytes (`send-binary`, `expect binary`).
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// HAProxy's `dump_binary`: upper-case hex.
pub fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The request of an HTTP check, byte for byte as HAProxy 2.6 sends it: header names in
/// lower case, `content-length` only with a body, `connection: close` only for HTTP/1.1
/// (HTTP/1.0 closes by default) unless a Connection header was given.
pub fn http_request(r: &HttpReq) -> Vec<u8> {
    let meth = r.meth.as_deref().unwrap_or("OPTIONS");
    let uri = r.uri.as_deref().filter(|u| !u.is_empty()).unwrap_or("/");
    let ver = r.ver.as_deref().unwrap_or("HTTP/1.0");
    let vb = ver.as_bytes();
    let is11 = (vb.len() == 6 && vb.get(5) == Some(&b'2'))
        || (vb.len() == 8
            && (vb.get(5).is_some_and(|&c| c > b'1')
                || (vb.get(5) == Some(&b'1') && vb.get(7).is_some_and(|&c| c >= b'1'))));
    let mut out = format!("{meth} {uri} {ver}\r\n");
    let mut has_conn = false;
    for (n, v) in &r.hdrs {
        if v.is_empty() {
            continue;
        }
        has_conn |= n.eq_ignore_ascii_case("connection");
        out.push_str(&n.to_ascii_lowercase());
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    let body = r.body.as_deref().unwrap_or("");
    if !body.is_empty() {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    if is11 && !has_conn {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// The SSLv3 client hello of `option ssl-hello-chk` with `unix_time` in its random.
pub fn ssl_hello(unix_time: u32) -> Vec<u8> {
    let mut v = vec![
        0x16, 0x03, 0x00, 0x00, 0x79, 0x01, 0x00, 0x00, 0x75, 0x03, 0x00,
    ];
    v.extend_from_slice(&unix_time.to_be_bytes());
    v.extend_from_slice(b"HAPROXYSSLCHK\nHAPROXYSSLCHK\n");
    v.push(0x00);
    v.extend_from_slice(&[0x00, 0x4E]);
    for c in (0x01u16..=0x1B).chain(0x2F..=0x3A) {
        v.extend_from_slice(&c.to_be_bytes());
    }
    v.extend_from_slice(&[0x01, 0x00]);
    v
}

fn connect_default_linger() -> Step {
    Step::Connect(ConnectStep {
        linger: true,
        step_id: 1,
        ..ConnectStep::default()
    })
}

fn send(data: Vec<u8>, step_id: usize) -> Step {
    Step::Send(SendStep {
        data: SendData::Bytes(data),
        comment: None,
        step_id,
    })
}

fn re(p: &str) -> Regex {
    // The patterns are constants of this file; a failure is a bug caught by the tests.
    Regex::new(p).unwrap_or_else(|e| panic!("built-in check regex {p}: {e}"))
}

fn expect(kind: ExpectKind, step_id: usize) -> ExpectStep {
    ExpectStep {
        negate: false,
        kind,
        min_recv: None,
        ok_status: None,
        err_status: None,
        tout_status: None,
        on_error: None,
        on_success: None,
        status_code: None,
        comment: None,
        step_id,
    }
}

fn payload(offset: usize, ltrim_space: bool, cut_crlf: bool) -> InfoFmt {
    InfoFmt::Payload {
        offset,
        len: 0,
        ltrim_space,
        cut_crlf,
    }
}

pub fn ssl_hello_ruleset() -> Vec<Step> {
    let mut e = expect(ExpectKind::RBinary(re("^1[56]")), 2);
    e.min_recv = Some(5);
    e.ok_status = Some(Status::L6Ok);
    e.err_status = Some(Status::L6Rsp);
    e.tout_status = Some(Status::L6Tout);
    vec![
        Step::Send(SendStep {
            data: SendData::SslHello,
            comment: None,
            step_id: 1,
        }),
        Step::Expect(e),
    ]
}

pub fn redis_ruleset() -> Vec<Step> {
    let mut e = expect(ExpectKind::String(b"+PONG\r\n".to_vec()), 2);
    e.err_status = Some(Status::L7Sts);
    e.on_error = Some(payload(0, false, true));
    e.on_success = Some(InfoFmt::Text("Redis server is ok".into()));
    vec![send(b"*1\r\n$4\r\nPING\r\n".to_vec(), 1), Step::Expect(e)]
}

pub fn mysql_ruleset(user: Option<&str>, pre41: bool) -> Vec<Step> {
    let mut steps = vec![connect_default_linger()];
    let Some(user) = user else {
        steps.push(Step::Expect(expect(ExpectKind::MysqlInitHs, 2)));
        return steps;
    };
    let ulen = user.len();
    let plen = if pre41 { ulen + 7 } else { ulen + 7 + 27 };
    let mut req = vec![
        (plen & 0xff) as u8,
        ((plen >> 8) & 0xff) as u8,
        ((plen >> 16) & 0xff) as u8,
        1,
    ];
    if pre41 {
        req.extend_from_slice(&[0x00, 0x80, 0x00, 0x00, 0x01]);
    } else {
        req.extend_from_slice(&[0x00, 0x82, 0x00, 0x00, 0x00, 0x80, 0x00, 0x01, 0x21]);
        req.extend_from_slice(&[0u8; 23]);
    }
    req.extend_from_slice(user.as_bytes());
    req.extend_from_slice(&[0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01]);
    steps.push(send(req, 2));
    steps.push(Step::Expect(expect(ExpectKind::MysqlInitHs, 3)));
    steps.push(Step::Expect(expect(ExpectKind::MysqlOk, 4)));
    steps
}

pub fn pgsql_ruleset(user: &str) -> Vec<Step> {
    let plen = (15 + user.len()) as u32;
    let mut req = plen.to_be_bytes().to_vec();
    req.extend_from_slice(&[0x00, 0x03, 0x00, 0x00]);
    req.extend_from_slice(b"user\0");
    req.extend_from_slice(user.as_bytes());
    req.extend_from_slice(&[0, 0]);
    let mut e1 = expect(ExpectKind::RString(re("^E")), 3);
    e1.negate = true;
    e1.min_recv = Some(5);
    e1.err_status = Some(Status::L7Rsp);
    e1.on_error = Some(payload(6, false, false));
    let mut e2 = expect(
        // HAProxy 2.6.12's (measured: any length byte; types 07, 09 and 0A, SCRAM, pass)
        ExpectKind::RBinary(re("^52000000[A-Z0-9]{2}000000(00|02|03|04|05|06|07|09|0A)")),
        4,
    );
    e2.min_recv = Some(9);
    e2.err_status = Some(Status::L7Sts);
    e2.on_success = Some(InfoFmt::Text("PostgreSQL server is ok".into()));
    e2.on_error = Some(InfoFmt::Text("PostgreSQL unknown error".into()));
    vec![
        connect_default_linger(),
        send(req, 2),
        Step::Expect(e1),
        Step::Expect(e2),
    ]
}

/// `option smtpchk [EHLO|HELO domain]`; HAProxy 2.6 ends with QUIT (measured: the server
/// receives `EHLO me.example\r\n` then `QUIT\r\n`, and the UP text shows the 221 reply).
pub fn smtp_ruleset(cmd: &str) -> Vec<Step> {
    let mut e2 = expect(ExpectKind::RString(re("^[0-9]{3}[ \r]")), 2);
    e2.min_recv = Some(4);
    e2.err_status = Some(Status::L7Rsp);
    e2.on_error = Some(payload(0, false, true));
    let reply = |pat: &str, step| {
        let mut e = expect(ExpectKind::RString(re(pat)), step);
        e.min_recv = Some(4);
        e.err_status = Some(Status::L7Sts);
        e.on_error = Some(payload(4, true, true));
        e.status_code = Some((0, 3));
        e
    };
    let e3 = reply("^2[0-9]{2}[ \r]", 3);
    // the whole (multi-line) reply to EHLO, without `min-recv`: a partial one waits for
    // the rest (measured on HAProxy 2.6.12: lines 200 ms apart, "code: 221" after 400 ms)
    let mut e5 = reply("^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]", 5);
    e5.min_recv = None;
    e5.on_success = Some(payload(4, true, true));
    let mut e7 = reply("^2[0-9]{2}[- \r]", 7);
    e7.on_success = Some(payload(4, true, true));
    vec![
        connect_default_linger(),
        Step::Expect(e2),
        Step::Expect(e3),
        send(format!("{cmd}\r\n").into_bytes(), 4),
        Step::Expect(e5),
        send(b"QUIT\r\n".to_vec(), 6),
        Step::Expect(e7),
    ]
}

pub fn ldap_ruleset() -> Vec<Step> {
    let mut e = expect(ExpectKind::RBinary(re("^30")), 2);
    e.min_recv = Some(14);
    e.on_error = Some(InfoFmt::Text("Not LDAPv3 protocol".into()));
    vec![
        send(
            parse_hex("300C020101600702010304008000").unwrap_or_default(),
            1,
        ),
        Step::Expect(e),
        Step::Expect(expect(ExpectKind::LdapBindRsp, 3)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(steps: &[Step]) -> Vec<Vec<u8>> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Send(SendStep {
                    data: SendData::Bytes(b),
                    ..
                }) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn builtin_requests_match_haproxy() {
        // Captured from HAProxy 2.6.12 with a listener that records what it receives.
        assert_eq!(
            bytes_of(&redis_ruleset()),
            vec![b"*1\r\n$4\r\nPING\r\n".to_vec()]
        );
        assert_eq!(
            bytes_of(&pgsql_ruleset("bob")),
            vec![b"\x00\x00\x00\x12\x00\x03\x00\x00user\x00bob\x00\x00".to_vec()]
        );
        let mut my = b"%\x00\x00\x01\x00\x82\x00\x00\x00\x80\x00\x01!".to_vec();
        my.extend_from_slice(&[0; 23]);
        my.extend_from_slice(b"bob\x00\x00\x01\x00\x00\x00\x01");
        assert_eq!(bytes_of(&mysql_ruleset(Some("bob"), false)), vec![my]);
        assert!(bytes_of(&mysql_ruleset(None, false)).is_empty());
        assert_eq!(
            bytes_of(&smtp_ruleset("EHLO me.example")),
            vec![b"EHLO me.example\r\n".to_vec(), b"QUIT\r\n".to_vec()]
        );
        // the built-in regexes compile
        let _ = ssl_hello_ruleset();
        let _ = ldap_ruleset();
    }

    #[test]
    fn ssl_hello_matches_haproxy() {
        // HAProxy 2.6.12's hello, captured; bytes 11..15 are the time (0x6b024f92 there).
        let got = b"\x16\x03\x00\x00y\x01\x00\x00u\x03\x00k\x02O\x92HAPROXYSSLCHK\nHAPROXYSSLCHK\n\x00\x00N\x00\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08\x00\t\x00\n\x00\x0b\x00\x0c\x00\r\x00\x0e\x00\x0f\x00\x10\x00\x11\x00\x12\x00\x13\x00\x14\x00\x15\x00\x16\x00\x17\x00\x18\x00\x19\x00\x1a\x00\x1b\x00/\x000\x001\x002\x003\x004\x005\x006\x007\x008\x009\x00:\x01\x00";
        assert_eq!(ssl_hello(0x6b02_4f92), got.to_vec());
    }

    #[test]
    fn http_requests_match_haproxy() {
        let r = |m: Option<&str>,
                 u: Option<&str>,
                 v: Option<&str>,
                 h: &[(&str, &str)],
                 b: Option<&str>| {
            String::from_utf8(http_request(&HttpReq {
                meth: m.map(Into::into),
                uri: u.map(Into::into),
                ver: v.map(Into::into),
                hdrs: h
                    .iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
                body: b.map(Into::into),
            }))
            .unwrap_or_default()
        };
        // HAProxy 2.6.12, `option httpchk`, `option httpchk /health`, `option httpchk GET
        // /health`, `option httpchk HEAD /h HTTP/1.1\r\nHost:\ www.example.com\r\nX-A:\ b`,
        // `http-check send meth POST uri /p ver HTTP/1.1 hdr Host foo.com hdr X-Y z body
        // hello`: what the listener received.
        assert_eq!(r(None, None, None, &[], None), "OPTIONS / HTTP/1.0\r\n\r\n");
        assert_eq!(
            r(None, Some("/health"), None, &[], None),
            "OPTIONS /health HTTP/1.0\r\n\r\n"
        );
        assert_eq!(
            r(Some("GET"), Some("/health"), None, &[], None),
            "GET /health HTTP/1.0\r\n\r\n"
        );
        assert_eq!(
            r(
                Some("HEAD"),
                Some("/h"),
                Some("HTTP/1.1"),
                &[("Host", "www.example.com"), ("X-A", "b")],
                None
            ),
            "HEAD /h HTTP/1.1\r\nhost: www.example.com\r\nx-a: b\r\nconnection: close\r\n\r\n"
        );
        assert_eq!(
            r(
                Some("POST"),
                Some("/p"),
                Some("HTTP/1.1"),
                &[("Host", "foo.com"), ("X-Y", "z")],
                Some("hello")
            ),
            "POST /p HTTP/1.1\r\nhost: foo.com\r\nx-y: z\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello"
        );
        assert_eq!(
            r(None, None, None, &[("Host", "x.example")], None),
            "OPTIONS / HTTP/1.0\r\nhost: x.example\r\n\r\n"
        );
    }
}
