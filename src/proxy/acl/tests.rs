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

/// The TLS fetches against the values HAProxy 2.6.12 printed for the same
/// client certificate (testdata/tls-client.crt, signed by a test CA) with
/// `http-request return ... lf-string "...%[ssl_c_sha1,hex]..."`, a TLS 1.3
/// handshake with SNI a.test and ALPN h2, then on a cleartext bind.
#[test]
fn tls_fetches_match_haproxy() {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = include_bytes!("testdata/tls-client.crt");
    let der = CertificateDer::from_pem_slice(pem).unwrap();
    let info = crate::proxy::tls::TlsInfo {
        sni: Some("a.test".into()),
        protocol: "TLSv1.3".into(),
        cipher: "TLS_AES_256_GCM_SHA384".into(),
        keysize: 256,
        alpn: Some("h2".into()),
        client_cert_used: true,
        client_cert_sent: true,
        verify_result: 0,
        client_subject_dn: crate::proxy::tls::subject_dn(der.as_ref()),
        client_cert: Some(der.as_ref().to_vec()),
        resumed: false,
    };
    let vars = Vars::new();
    let r = req("/", &[]);
    let mut ctx = ctx_with(Some(&r), &vars, None, true);
    let text = |ctx: &Ctx<'_>, expr: &str| -> String {
        let s = crate::config::haproxy::expr::sample::parse_sample(expr).unwrap();
        let c = CompiledSample::compile(&s, &env()).unwrap();
        let mut out = Vec::new();
        c.eval_bytes(ctx, &mut out);
        String::from_utf8(out).unwrap()
    };
    let line = |ctx: &Ctx<'_>| {
        [
            "ssl_fc",
            "ssl_fc_sni",
            "ssl_fc_has_sni",
            "ssl_fc_protocol",
            "ssl_fc_cipher",
            "ssl_fc_alpn",
            "ssl_fc_is_resumed",
            "ssl_fc_has_crt",
            "ssl_c_used",
            "ssl_c_verify",
            "ssl_c_err",
            "ssl_c_ca_err",
            "ssl_c_s_dn",
            "ssl_c_i_dn",
            "ssl_c_s_dn(CN)",
            "ssl_c_s_dn(O,1)",
            "ssl_c_sha1,hex",
            "ssl_c_serial,hex",
            "ssl_c_version",
            "ssl_c_notbefore",
            "ssl_c_notafter",
            "ssl_fc_use_keysize",
            "ssl_fc_alg_keysize",
            "ssl_c_sig_alg",
            "ssl_c_key_alg",
            "ssl_c_s_dn(,0,rfc2253)",
            "ssl_c_s_dn(CN,0)",
            "ssl_c_s_dn(O,-1)",
            "ssl_c_s_dn(XX)",
            "ssl_c_s_dn(commonName)",
            "ssl_c_s_dn(cn)",
            "ssl_c_i_dn(CN)",
            "ssl_c_s_dn(CN,2)",
            "ssl_c_s_dn(OU,-1)",
            "ssl_c_i_dn(,0,rfc2253)",
            "ssl_c_s_dn(2.5.4.3)",
        ]
        .iter()
        .map(|e| text(ctx, e))
        .collect::<Vec<_>>()
        .join("|")
    };
    ctx.tls = Some(&info);
    assert_eq!(
        line(&ctx),
        "1|a.test|1|TLSv1.3|TLS_AES_256_GCM_SHA384|h2|0|1|1|0|0|0|/C=FR/O=Tandem/OU=Dev/CN=client|/CN=Tandem Test CA|client|Tandem|1ED1FF33224777873BD031203EDAA94D40DD8F0E|5BDCF12DEAE0AE963732EA980E9210D8EABA8FA6|3|261122051432Z|361119051432Z|256|256|RSA-SHA256|rsaEncryption|CN=client,OU=Dev,O=Tandem,C=FR||Tandem|||client|Tandem Test CA||Dev|CN=Tandem Test CA|"
    );
    // Resumed with the same certificate: has_crt 0, used 1 (measured with
    // `openssl s_client -sess_in`).
    let resumed = crate::proxy::tls::TlsInfo {
        resumed: true,
        client_cert_sent: false,
        ..info.clone()
    };
    ctx.tls = Some(&resumed);
    assert_eq!(
        text(&ctx, "ssl_fc_is_resumed") + &text(&ctx, "ssl_fc_has_crt") + &text(&ctx, "ssl_c_used"),
        "101"
    );
    // TLS without a client certificate and without SNI.
    let anon = crate::proxy::tls::TlsInfo {
        sni: None,
        client_cert_used: false,
        client_cert_sent: false,
        client_subject_dn: None,
        client_cert: None,
        ..info.clone()
    };
    ctx.tls = Some(&anon);
    assert_eq!(
        line(&ctx),
        "1||0|TLSv1.3|TLS_AES_256_GCM_SHA384|h2|0|0|0|0|0|0||||||||||256|256|||||||||||||"
    );
    // Cleartext.
    ctx.tls = None;
    assert_eq!(line(&ctx), "0||0||||0|||||||||||||||||||||||||||||");
    // ACLs with the default match of each fetch's type.
    let cond_true = |ctx: &Ctx<'_>, fetch: &str, method: MatchMethod, pats: &[&str]| {
        let mut a = acl(fetch, &[], method, false, pats);
        if method == MatchMethod::Int {
            a.patterns = pats
                .iter()
                .map(|p| {
                    let n = p.parse().ok();
                    Pattern::Int { min: n, max: n }
                })
                .collect();
        }
        CompiledAcl::compile(&a, &env()).unwrap().eval(ctx)
    };
    ctx.tls = Some(&info);
    assert!(cond_true(
        &ctx,
        "ssl_fc_protocol",
        MatchMethod::Str,
        &["TLSv1.3"]
    ));
    assert!(!cond_true(
        &ctx,
        "ssl_fc_protocol",
        MatchMethod::Str,
        &["TLSv1.2"]
    ));
    assert!(cond_true(&ctx, "ssl_c_verify", MatchMethod::Int, &["0"]));
    assert!(cond_true(&ctx, "ssl_c_used", MatchMethod::Bool, &[]));
    assert!(cond_true(&ctx, "ssl_fc_alpn", MatchMethod::Str, &["h2"]));
    ctx.tls = None;
    assert!(!cond_true(&ctx, "ssl_c_used", MatchMethod::Bool, &[]));
    assert!(!cond_true(&ctx, "ssl_fc", MatchMethod::Bool, &[]));
}
