use std::borrow::Cow;
use std::net::SocketAddr;

use super::*;
use crate::ir::haproxy::expr::{AclRef, CondTerm, MatchMethod, Pattern};
use crate::proxy::http::msg::{Header, HeaderList};

fn ctx_with<'a>(
    req: Option<&'a RequestHead>,
    vars: &'a Vars,
    payload: Option<&'a [u8]>,
    fin: bool,
) -> Ctx<'a> {
    let src: SocketAddr = "10.1.2.3:5555".parse().unwrap();
    let dst: SocketAddr = "127.0.0.1:80".parse().unwrap();
    Ctx {
        src,
        dst,
        frontend: "fe",
        backend: None,
        server: None,
        proxy: "fe",
        dir: Dir::Request,
        req,
        res: None,
        payload,
        payload_final: fin,
        vars,
        now_ms: 0,
        tls: None,
        state: None,
        tables: None,
        unique_id: None,
        orig_method: None,
        orig_uri: None,
        req_captures: &[],
        res_captures: &[],
    }
}

fn acl(fetch: &str, args: &[&str], method: MatchMethod, icase: bool, pats: &[&str]) -> Acl {
    Acl {
        sample: Sample {
            text: fetch.into(),
            fetch: fetch.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            ..Sample::default()
        },
        method,
        ignore_case: icase,
        patterns: pats.iter().map(|p| Pattern::Str(p.to_string())).collect(),
        ..Acl::default()
    }
}

fn env() -> CompileEnv<'static> {
    CompileEnv {
        acls: &[],
        userlists: &[],
        base_dir: Path::new("."),
        proxy: "fe",
    }
}

fn req(uri: &str, hs: &[(&str, &str)]) -> RequestHead {
    RequestHead {
        method: "GET".into(),
        uri: uri.into(),
        headers: HeaderList(hs.iter().map(|(n, v)| Header::new(*n, *v)).collect()),
        ..RequestHead::default()
    }
}

fn matches(a: &Acl, r: &RequestHead) -> bool {
    let vars = Vars::new();
    let c = CompiledAcl::compile(a, &env()).unwrap();
    c.eval(&ctx_with(Some(r), &vars, None, true))
}

#[test]
fn dom_and_dir_use_haproxy_delimiters() {
    // Every case below measured on HAProxy 2.6.12 (hdr_dom / hdr_dir on loopback).
    // pat_match_dom: delimiters / ? . : ; pat_match_dir: / ?
    let dom = |host: &str, p: &str| {
        matches(
            &acl("req.hdr", &["host"], MatchMethod::Dom, true, &[p]),
            &req("/", &[("Host", host)]),
        )
    };
    assert!(dom("www.example.com", "example.com"));
    assert!(dom("www.example.com:8080", "example.com"));
    assert!(dom("example.com", ".example.com."));
    assert!(!dom("myexample.com", "example.com"));
    assert!(!dom("www.example.community", "example.com"));
    let dir = |path: &str, p: &str| {
        matches(
            &acl("path", &[], MatchMethod::Dir, false, &[p]),
            &req(path, &[]),
        )
    };
    assert!(dir("/a/img/x", "img"));
    assert!(dir("/a/img", "/img/"));
    assert!(!dir("/a/images/x", "img"));
    assert!(!dir("/a/img.png", "img"));
    assert!(dir("/img?x", "img"));
}

#[test]
fn hdr_splits_on_commas_fhdr_does_not() {
    // Measured on HAProxy 2.6.12: quoted commas do not split, `req.hdr(x,1)` is "a".
    let r = req("/", &[("X", "a, \"b,c\", d"), ("X", "e")]);
    assert!(matches(
        &acl("req.hdr", &["x"], MatchMethod::Str, false, &["\"b,c\""]),
        &r
    ));
    assert!(matches(
        &acl("req.hdr", &["x"], MatchMethod::Str, false, &["e"]),
        &r
    ));
    assert!(!matches(
        &acl("req.fhdr", &["x"], MatchMethod::Str, false, &["d"]),
        &r
    ));
    assert!(matches(
        &acl(
            "req.fhdr",
            &["x"],
            MatchMethod::Str,
            false,
            &["a, \"b,c\", d"]
        ),
        &r
    ));
    // Sample context: the last value.
    let vars = Vars::new();
    let s = CompiledSample::compile(
        &Sample {
            fetch: "req.hdr".into(),
            args: vec!["x".into(), "1".into()],
            ..Sample::default()
        },
        &env(),
    )
    .unwrap();
    assert_eq!(
        s.eval(&ctx_with(Some(&r), &vars, None, true)),
        Some(Value::str("a"))
    );
}

#[test]
fn failed_fetch_is_false_and_negation_true() {
    let r = req("/", &[]);
    let a = acl("req.hdr", &["nope"], MatchMethod::Len, false, &[]);
    assert!(!matches(&a, &r));
    let cond = Condition {
        unless: false,
        any_of: vec![vec![CondTerm {
            negate: true,
            acl: AclRef::Anonymous(Box::new(acl(
                "req.hdr",
                &["nope"],
                MatchMethod::Found,
                false,
                &[],
            ))),
        }]],
    };
    let c = CompiledCond::compile(&cond, &env()).unwrap();
    let vars = Vars::new();
    assert!(c.eval(&ctx_with(Some(&r), &vars, None, true)));
}

#[test]
fn client_hello_sni_and_partial_payload() {
    // Captured from `openssl s_client -servername sni.example.com -tls1_2`.
    let hello = include_bytes!("testdata/client_hello_sni.bin");
    assert_eq!(
        pattern::client_hello_sni(hello),
        Some(b"sni.example.com".as_slice())
    );
    assert_eq!(pattern::client_hello_sni(&hello[..100]), None);
    let cond = Condition {
        unless: false,
        any_of: vec![vec![CondTerm {
            negate: true,
            acl: AclRef::Anonymous(Box::new(acl(
                "req.ssl_sni",
                &[],
                MatchMethod::Str,
                false,
                &["sni.example.com"],
            ))),
        }]],
    };
    let c = CompiledCond::compile(&cond, &env()).unwrap();
    let vars = Vars::new();
    // Half a hello while the inspect delay runs: HAProxy's MISS, even under `!`.
    assert_eq!(
        c.eval_partial(&ctx_with(None, &vars, Some(&hello[..100]), false)),
        None
    );
    assert_eq!(
        c.eval_partial(&ctx_with(None, &vars, Some(hello), false)),
        Some(false)
    );
    // Delay over: the fetch failed for good, `!` makes it true.
    assert!(c.eval(&ctx_with(None, &vars, Some(&hello[..100]), true)));
}

#[test]
fn ssl_hello_type_gives_up_on_plain_text() {
    // HAProxy 2.6.12: `tcp-request content accept if { req.ssl_hello_type 1 }` with
    // inspect-delay 2s lets "not tls at all" through at once (no MAY_CHANGE), while a
    // truncated record keeps waiting.
    let cond = Condition {
        unless: false,
        any_of: vec![vec![CondTerm {
            negate: false,
            acl: AclRef::Anonymous(Box::new(acl(
                "req.ssl_hello_type",
                &[],
                MatchMethod::Int,
                false,
                &["1"],
            ))),
        }]],
    };
    let c = CompiledCond::compile(&cond, &env()).unwrap();
    let vars = Vars::new();
    assert_eq!(
        c.eval_partial(&ctx_with(None, &vars, Some(b"not tls at all"), false)),
        Some(false)
    );
    assert_eq!(
        c.eval_partial(&ctx_with(None, &vars, Some(b"\x16\x03\x01"), false)),
        None
    );
}

#[test]
fn vars_scopes_and_types() {
    let mut v = Vars::new();
    assert!(v.set("txn.a", Value::Int(3)));
    assert!(v.set("sess.b", Value::Str(Cow::Borrowed(b"x"))));
    assert!(!v.set("bad.c", Value::Bool(true)));
    assert_eq!(v.get("txn.a"), Some(&Value::Int(3)));
    v.end_txn();
    assert_eq!(v.get("txn.a"), None);
    assert_eq!(
        v.get("sess.b"),
        Some(&Value::Str(Cow::Owned(b"x".to_vec())))
    );
}

#[test]
fn int_ranges_ip_and_predefined() {
    let r = req("/", &[("X-N", "15")]);
    let mut a = acl("req.hdr_val", &["x-n"], MatchMethod::Int, false, &[]);
    a.patterns = vec![Pattern::Int {
        min: Some(10),
        max: Some(20),
    }];
    assert!(matches(&a, &r));
    a.patterns = vec![Pattern::Int {
        min: None,
        max: Some(14),
    }];
    assert!(!matches(&a, &r));
    let mut ip = acl("src", &[], MatchMethod::Ip, false, &[]);
    ip.patterns = vec![Pattern::Ip {
        addr: "10.0.0.0".parse().unwrap(),
        prefix: 8,
    }];
    assert!(matches(&ip, &r));
    ip.patterns = vec![Pattern::Ip {
        addr: "10.1.3.0".parse().unwrap(),
        prefix: 24,
    }];
    assert!(!matches(&ip, &r));
    let cond = |name: &str| Condition {
        unless: false,
        any_of: vec![vec![CondTerm {
            negate: false,
            acl: AclRef::Predefined(name.into()),
        }]],
    };
    let vars = Vars::new();
    let mut head = req("/x", &[]);
    head.method = "HEAD".into();
    let ctx = ctx_with(Some(&head), &vars, None, true);
    for (name, want) in [
        ("METH_GET", true),
        ("METH_HEAD", true),
        ("METH_POST", false),
        ("TRUE", true),
        ("FALSE", false),
        ("HTTP_1.1", true),
        ("HTTP_URL_SLASH", true),
        ("LOCALHOST", false),
    ] {
        assert_eq!(
            CompiledCond::compile(&cond(name), &env())
                .unwrap()
                .eval(&ctx),
            want,
            "{name}"
        );
    }
}
