//! TLS termination and origination (src/proxy/tls.rs) on loopback sockets:
//! a `tokio_rustls::TlsAcceptor` built from bind lines answers every
//! connection with its fetch values in the format of the HAProxy config used
//! to measure the expected values:
//!
//! ```text
//! http-request return status 200 content-type text/plain lf-string "sni=%[ssl_fc_sni] proto=%[ssl_fc_protocol] cipher=%[ssl_fc_cipher] alpn=%[ssl_fc_alpn] cused=%[ssl_c_used] cverify=%[ssl_c_verify] dn=%[ssl_c_s_dn]\n"
//! ```
//!
//! The expected lines and certificate choices were measured on HAProxy
//! 2.6.12 / OpenSSL 3 (Debian) with the same certificates (`haproxy -f cfg
//! -db`, `openssl s_client -servername X` and `curl --resolve`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use tandem::ir::haproxy::Global;
use tandem::ir::haproxy::expr::{Bind, Server};
use tandem::proxy::tls::{self, ClientTls, ServerTls, TlsError, TlsInfo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Certificates made once per test process with the openssl CLI.
fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tandem-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let st = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(st.success(), "openssl {args:?}");
        };
        let mk = |name: &str, cn: &str, san: Option<&str>, ec: bool| {
            let subj = format!("/C=FR/O=Tandem/CN={cn}");
            let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
            let mut a: Vec<String> = ["req", "-x509", "-nodes", "-days", "3650", "-newkey"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if ec {
                a.extend(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"].map(String::from));
            } else {
                a.push("rsa:2048".into());
            }
            a.extend(["-keyout", &key, "-out", &crt, "-subj", &subj].map(String::from));
            if let Some(s) = san {
                a.extend(["-addext".to_string(), format!("subjectAltName={s}")]);
            }
            run(&a.iter().map(String::as_str).collect::<Vec<_>>());
            let mut pem = std::fs::read(dir.join(&crt)).unwrap();
            pem.extend(std::fs::read(dir.join(&key)).unwrap());
            std::fs::write(dir.join(format!("{name}.pem")), pem).unwrap();
        };
        mk("first", "first.test", None, false);
        mk("a", "a.test", Some("DNS:alt-a.test"), false);
        mk("wild", "*.w.test", None, false);
        mk("exact", "x.w.test", None, false);
        mk("ec", "ec.test", None, true);
        // A client CA and a client certificate it signed.
        run(&[
            "req",
            "-x509",
            "-nodes",
            "-days",
            "3650",
            "-newkey",
            "rsa:2048",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Tandem Test CA",
        ]);
        run(&[
            "req",
            "-nodes",
            "-newkey",
            "rsa:2048",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/C=FR/O=Tandem/CN=client",
        ]);
        // v3 with key usages: webpki refuses v1 certificates.
        std::fs::write(
            dir.join("client.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth,serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "3650",
            "-extfile",
            "client.ext",
        ]);
        let mut pem = std::fs::read(dir.join("client.crt")).unwrap();
        pem.extend(std::fs::read(dir.join("client.key")).unwrap());
        std::fs::write(dir.join("client.pem"), pem).unwrap();
        // Certificate only; the key sits beside it as FILE.key (HAProxy's fallback).
        std::fs::copy(dir.join("a.crt"), dir.join("split.pem")).unwrap();
        std::fs::copy(dir.join("a.key"), dir.join("split.pem.key")).unwrap();
        std::fs::copy(dir.join("a.crt"), dir.join("nokey.pem")).unwrap();
        std::fs::write(dir.join("bad.pem"), "garbage\n").unwrap();
        let mut mism = std::fs::read(dir.join("a.crt")).unwrap();
        mism.extend(std::fs::read(dir.join("first.key")).unwrap());
        std::fs::write(dir.join("mism.pem"), mism).unwrap();
        dir
    })
}

fn p(name: &str) -> String {
    certs().join(name).to_string_lossy().into_owned()
}

fn bind(f: impl FnOnce(&mut Bind)) -> Bind {
    let mut b = Bind {
        text: "127.0.0.1:0".into(),
        ..Bind::default()
    };
    b.opts.ssl = true;
    f(&mut b);
    b
}

/// Serve TLS on an ephemeral loopback port: each connection gets one line of
/// fetch values (HAProxy's lf-string format above), then is closed.
async fn serve(global: &Global, b: &Bind) -> SocketAddr {
    let cfg = ServerTls::new(global, b).unwrap().config;
    let acceptor = tls::acceptor(cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let i = TlsInfo::from_server(s.get_ref().1);
                    let line = format!(
                        "sni={} proto={} cipher={} alpn={} cused={} cverify={} dn={}\n",
                        i.sni.unwrap_or_default(),
                        i.protocol,
                        i.cipher,
                        i.alpn.unwrap_or_default(),
                        u8::from(i.client_cert_used),
                        i.verify_result,
                        i.client_subject_dn.unwrap_or_default()
                    );
                    let _ = s.write_all(line.as_bytes()).await;
                    let _ = s.shutdown().await;
                }
            });
        }
    });
    addr
}

fn server(f: impl FnOnce(&mut Server)) -> Server {
    let mut s = Server::default();
    s.opts.ssl = true;
    s.opts.verify = Some("none".into());
    f(&mut s);
    s
}

/// Connect with the origination side; returns (line, server cert CN, resumed).
async fn fetch(
    addr: SocketAddr,
    c: &ClientTls,
    sni: Option<&str>,
) -> Result<(String, String), String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let conn = tokio_rustls::TlsConnector::from(Arc::clone(&c.config));
    let mut s = conn
        .connect(tls::server_name(sni, addr.ip()), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    s.read_to_string(&mut line)
        .await
        .map_err(|e| e.to_string())?;
    let cn = s
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| tls::cert_names(c.as_ref()))
        .and_then(|n| n.common_names.first().cloned())
        .unwrap_or_default();
    Ok((line.trim_end().to_string(), cn))
}

fn client(f: impl FnOnce(&mut Server)) -> ClientTls {
    ClientTls::new(&Global::default(), &server(f)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sni_selection_matches_haproxy() {
    let b = bind(|b| {
        b.opts.crt = vec![p("first.pem"), p("wild.pem"), p("a.pem"), p("exact.pem")];
        b.opts.alpn = Some("h2,http/1.1".into());
    });
    let addr = serve(&Global::default(), &b).await;
    let c = client(|_| {});
    // Measured on HAProxy 2.6.12 / OpenSSL 3 with
    // `bind ... ssl crt first.pem crt wild.pem crt a.pem crt exact.pem`
    // (`openssl s_client -servername X` -> subject CN). The CN counts even
    // when a SAN is present; wildcards cover one label; else the first cert.
    let measured = [
        (Some("a.test"), "a.test"),
        (Some("alt-a.test"), "a.test"),
        (Some("x.w.test"), "x.w.test"),
        (Some("y.w.test"), "*.w.test"),
        (Some("A.TEST"), "a.test"),
        (Some("z.y.w.test"), "first.test"),
        (Some("w.test"), "first.test"),
        (Some("unknown.test"), "first.test"),
        (None, "first.test"),
    ];
    for (sni, cn) in measured {
        let (_, got) = fetch(addr, &c, sni).await.unwrap();
        assert_eq!(got, cn, "SNI {sni:?}");
    }
    // The same choice through OpenSSL's own client.
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-servername",
            "y.w.test",
            "-connect",
            &addr.to_string(),
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l == "subject=C = FR, O = Tandem, CN = *.w.test"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_values_alpn_and_versions() {
    let b = bind(|b| {
        b.opts.crt = vec![p("first.pem"), p("a.pem")];
        b.opts.alpn = Some("h2,http/1.1".into());
    });
    let addr = serve(&Global::default(), &b).await;
    // HAProxy 2.6.12: `curl --resolve a.test:...` (ALPN h2,http/1.1) and
    // `curl --http1.1 --tls-max 1.2`.
    let c = client(|s| s.opts.alpn = Some("h2,http/1.1".into()));
    let (line, _) = fetch(addr, &c, Some("a.test")).await.unwrap();
    assert_eq!(
        line,
        "sni=a.test proto=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2 cused=0 cverify=0 dn="
    );
    let c = client(|s| {
        s.opts.alpn = Some("http/1.1".into());
        s.opts.ssl_max_ver = Some("TLSv1.2".into());
    });
    let (line, _) = fetch(addr, &c, Some("a.test")).await.unwrap();
    assert_eq!(
        line,
        "sni=a.test proto=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 alpn=http/1.1 cused=0 cverify=0 dn="
    );
    // curl's output above, checked with curl itself against tandem's acceptor.
    let port = addr.port();
    let out = Command::new("curl")
        .args([
            "-sk",
            "--http1.1",
            "--http0.9",
            "--resolve",
            &format!("a.test:{port}:127.0.0.1"),
        ])
        .arg(format!("https://a.test:{port}/"))
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.starts_with("sni=a.test proto=TLSv1.3"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates() {
    let required = bind(|b| {
        b.opts.crt = vec![p("a.pem")];
        b.opts.ca_file = Some(p("ca.crt"));
        b.opts.verify = Some("required".into());
    });
    let optional = bind(|b| {
        b.opts.crt = vec![p("a.pem")];
        b.opts.ca_file = Some(p("ca.crt"));
        b.opts.verify = Some("optional".into());
    });
    let g = Global::default();
    let (req, opt) = (serve(&g, &required).await, serve(&g, &optional).await);
    let anon = client(|_| {});
    let with = client(|s| s.opts.crt = Some(p("client.pem")));
    // HAProxy 2.6.12: without a certificate `verify required` refuses the
    // handshake (curl exit 56); the values below are its fetch output.
    assert!(fetch(req, &anon, Some("a.test")).await.is_err());
    let dn = "sni=a.test proto=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn= cused=1 cverify=0 dn=/C=FR/O=Tandem/CN=client";
    assert_eq!(fetch(req, &with, Some("a.test")).await.unwrap().0, dn);
    assert_eq!(fetch(opt, &with, Some("a.test")).await.unwrap().0, dn);
    assert_eq!(
        fetch(opt, &anon, Some("a.test")).await.unwrap().0,
        "sni=a.test proto=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn= cused=0 cverify=0 dn="
    );
    // A certificate from another CA is refused.
    let stranger = client(|s| s.opts.crt = Some(p("first.pem")));
    assert!(fetch(req, &stranger, Some("a.test")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_sni_and_ciphers() {
    let g = Global::default();
    let strict = serve(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("first.pem"), p("a.pem")];
            b.opts.strict_sni = true;
        }),
    )
    .await;
    let c = client(|_| {});
    // HAProxy 2.6.12: a.test served; unknown name and no SNI refused (curl 35).
    assert!(fetch(strict, &c, Some("a.test")).await.is_ok());
    assert!(fetch(strict, &c, Some("zz.test")).await.is_err());
    assert!(fetch(strict, &c, None).await.is_err());

    let restricted = serve(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("a.pem")];
            b.opts.ciphers = Some("ECDHE-RSA-AES128-GCM-SHA256".into());
            b.opts.ciphersuites = Some("TLS_CHACHA20_POLY1305_SHA256".into());
        }),
    )
    .await;
    // HAProxy 2.6.12 with `ciphers ECDHE-RSA-AES128-GCM-SHA256 ciphersuites
    // TLS_CHACHA20_POLY1305_SHA256`: these two lines; a TLS 1.2 client
    // offering only ECDHE-RSA-AES256-GCM-SHA384 is refused (curl 35).
    assert_eq!(
        fetch(restricted, &c, Some("a.test")).await.unwrap().0,
        "sni=a.test proto=TLSv1.3 cipher=TLS_CHACHA20_POLY1305_SHA256 alpn= cused=0 cverify=0 dn="
    );
    let c12 = client(|s| s.opts.ssl_max_ver = Some("TLSv1.2".into()));
    assert_eq!(
        fetch(restricted, &c12, Some("a.test")).await.unwrap().0,
        "sni=a.test proto=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 alpn= cused=0 cverify=0 dn="
    );
    let other = client(|s| {
        s.opts.ssl_max_ver = Some("TLSv1.2".into());
        s.opts.ciphers = Some("ECDHE-RSA-AES256-GCM-SHA384".into());
    });
    assert!(fetch(restricted, &other, Some("a.test")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecdsa_and_rsa_for_one_name_crt_dir_and_crt_list() {
    // crt DIR loads every certificate file in name order, skipping .key.
    let dir = certs().join("dir");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["first.pem", "split.pem", "split.pem.key"] {
        std::fs::copy(certs().join(f), dir.join(f)).unwrap();
    }
    let list = certs().join("list.txt");
    std::fs::write(
        &list,
        format!(
            "# comment\n{} other.test\n{} [alpn h2]\n",
            p("exact.pem"),
            p("ec.pem")
        ),
    )
    .unwrap();
    let b = bind(|b| {
        b.opts.crt = vec![dir.to_string_lossy().into_owned()];
        b.opts.crt_list = vec![list.to_string_lossy().into_owned()];
    });
    let st = ServerTls::new(&Global::default(), &b).unwrap();
    assert!(
        st.notes.iter().any(|n| n.contains("[alpn h2]")),
        "{:?}",
        st.notes
    );
    let addr = serve(&Global::default(), &b).await;
    let c = client(|_| {});
    let cn = |sni| {
        let c = c.clone();
        async move { fetch(addr, &c, Some(sni)).await.unwrap().1 }
    };
    assert_eq!(cn("a.test").await, "a.test", "split.pem + split.pem.key");
    assert_eq!(
        cn("other.test").await,
        "x.w.test",
        "crt-list filter replaces names"
    );
    assert_eq!(
        cn("x.w.test").await,
        "first.test",
        "filtered cert lost its own name"
    );
    assert_eq!(cn("ec.test").await, "ec.test");
    assert_eq!(
        cn("nothing.test").await,
        "first.test",
        "dir order: first.pem first"
    );

    // One name, an RSA and an ECDSA certificate: ECDSA for clients that can
    // use it, RSA for a TLS 1.2 client offering only ECDHE-RSA suites.
    let list2 = certs().join("list2.txt");
    std::fs::write(&list2, format!("{} a.test\n", p("ec.pem"))).unwrap();
    let b = bind(|b| {
        b.opts.crt = vec![p("a.pem")];
        b.opts.crt_list = vec![list2.to_string_lossy().into_owned()];
    });
    let addr = serve(&Global::default(), &b).await;
    assert_eq!(
        fetch(addr, &client(|_| {}), Some("a.test"))
            .await
            .unwrap()
            .1,
        "ec.test"
    );
    let rsa_only = client(|s| {
        s.opts.ssl_max_ver = Some("TLSv1.2".into());
        s.opts.ciphers = Some("ECDHE-RSA-AES128-GCM-SHA256".into());
    });
    assert_eq!(
        fetch(addr, &rsa_only, Some("a.test")).await.unwrap().1,
        "a.test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_resumption() {
    let b = bind(|b| b.opts.crt = vec![p("a.pem")]);
    let cfg = ServerTls::new(&Global::default(), &b).unwrap().config;
    let acceptor = tls::acceptor(cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut resumed = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut s = acceptor.accept(tcp).await.unwrap();
            resumed.push(TlsInfo::from_server(s.get_ref().1).resumed);
            s.write_all(b"x\n").await.unwrap();
            s.shutdown().await.unwrap();
        }
        resumed
    });
    let c = client(|_| {});
    fetch(addr, &c, Some("a.test")).await.unwrap();
    fetch(addr, &c, Some("a.test")).await.unwrap();
    assert_eq!(task.await.unwrap(), [false, true]);
}

#[test]
fn config_errors_read_like_haproxy() {
    let g = Global::default();
    let err = |f: fn(&mut Bind)| ServerTls::new(&g, &bind(f)).unwrap_err();
    let _ = certs();
    // HAProxy 2.6.12 (`haproxy -c`), after "parsing [FILE:LINE] : 'bind ...' in section 'frontend' : ".
    let e = ServerTls::new(
        &g,
        &bind(|b| b.opts.crt = vec!["/nonexistent/x.pem".into()]),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unable to stat SSL certificate from file '/nonexistent/x.pem' : No such file or directory."
    );
    let e = ServerTls::new(&g, &bind(|b| b.opts.crt = vec![p("bad.pem")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("unable to load certificate from file '{}'.", p("bad.pem"))
    );
    let e = ServerTls::new(&g, &bind(|b| b.opts.crt = vec![p("nokey.pem")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("No Private Key found in '{}.key'.", p("nokey.pem"))
    );
    let e = ServerTls::new(&g, &bind(|b| b.opts.crt = vec![p("mism.pem")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "inconsistencies between private key and certificate loaded '{}'.",
            p("mism.pem")
        )
    );
    // HAProxy: "Proxy 'f': unable to set SSL cipher list to 'FOO' for bind ..." (same start).
    let e = ServerTls::new(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("a.pem")];
            b.opts.ciphers = Some("FOO".into());
        }),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("unable to set SSL cipher list to 'FOO'"),
        "{e}"
    );
    // OpenSSL accepts DHE; rustls has no DHE suite: an error, not a silent change.
    let e = ServerTls::new(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("a.pem")];
            b.opts.ciphers = Some("DHE-RSA-AES128-GCM-SHA256".into());
        }),
    )
    .unwrap_err();
    assert!(matches!(e, TlsError::Ciphers(_)));
    let e = ServerTls::new(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("a.pem")];
            b.opts.ciphersuites = Some("FOO".into());
        }),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("unable to set TLS 1.3 cipher suites to 'FOO'"),
        "{e}"
    );
    // HAProxy accepts TLSv1.0 (config valid); rustls cannot speak it.
    let e = ServerTls::new(
        &g,
        &bind(|b| {
            b.opts.crt = vec![p("a.pem")];
            b.opts.ssl_min_ver = Some("TLSv1.0".into());
        }),
    )
    .unwrap_err();
    assert!(matches!(e, TlsError::UnsupportedVersion(ref v) if v == "TLSv1.0"));
    assert!(matches!(err(|_| {}), TlsError::NoCertificate));
    // Origination: verify required (the default) needs a CA file.
    let e = ClientTls::new(&g, &server(|s| s.opts.verify = None)).unwrap_err();
    assert!(matches!(e, TlsError::VerifyWithoutCa));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_defaults_apply() {
    let mut g = Global::default();
    let d = |k: &str, a: &[&str]| tandem::ir::haproxy::Directive {
        span: Default::default(),
        keyword: k.into(),
        args: a.iter().map(|s| s.to_string()).collect(),
    };
    g.ssl_defaults = vec![
        d(
            "ssl-default-bind-options",
            &["ssl-max-ver", "TLSv1.2", "no-tls-tickets"],
        ),
        d("ssl-default-bind-ciphers", &["ECDHE-RSA-CHACHA20-POLY1305"]),
    ];
    let addr = serve(&g, &bind(|b| b.opts.crt = vec![p("a.pem")])).await;
    let (line, _) = fetch(addr, &client(|_| {}), Some("a.test")).await.unwrap();
    assert_eq!(
        line,
        "sni=a.test proto=TLSv1.2 cipher=ECDHE-RSA-CHACHA20-POLY1305 alpn= cused=0 cverify=0 dn="
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origination_verify_required() {
    let addr = serve(
        &Global::default(),
        &bind(|b| b.opts.crt = vec![p("client.pem")]),
    )
    .await;
    // client.pem is signed by ca.crt: its chain verifies; its name (CN=client)
    // is checked against the SNI sent, else verifyhost, else not at all.
    let v = |f: fn(&mut Server)| {
        client(|s| {
            s.opts.verify = Some("required".into());
            s.opts.ca_file = Some(p("ca.crt"));
            f(s);
        })
    };
    assert!(
        fetch(addr, &v(|_| {}), None).await.is_ok(),
        "no SNI, no verifyhost: chain only"
    );
    assert!(fetch(addr, &v(|_| {}), Some("client")).await.is_ok());
    assert!(fetch(addr, &v(|_| {}), Some("other.test")).await.is_err());
    assert!(
        fetch(
            addr,
            &v(|s| s.opts.verifyhost = Some("client".into())),
            None
        )
        .await
        .is_ok()
    );
    assert!(
        fetch(addr, &v(|s| s.opts.verifyhost = Some("nope".into())), None)
            .await
            .is_err()
    );
    // A self-signed server certificate is refused under verify required.
    let other = serve(&Global::default(), &bind(|b| b.opts.crt = vec![p("a.pem")])).await;
    assert!(fetch(other, &v(|_| {}), None).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acceptor_keeps_sni_case_and_ignores_foreign_alpn() {
    let b = bind(|b| {
        b.opts.crt = vec![p("a.pem")];
        b.opts.alpn = Some("h2,http/1.1".into());
    });
    let acc = tls::Acceptor::new(&ServerTls::new(&Global::default(), &b).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acc = acc.clone();
            tokio::spawn(async move {
                if let Ok((mut s, i)) = acc.accept(tcp).await {
                    let line = format!(
                        "sni={} alpn={}\n",
                        i.sni.unwrap_or_default(),
                        i.alpn.unwrap_or_default()
                    );
                    let _ = s.write_all(line.as_bytes()).await;
                    let _ = s.shutdown().await;
                }
            });
        }
    });
    // HAProxy 2.6.12 (tests/tls_diff.rs cases 01-sni and 05-alpn): `ssl_fc_sni` is
    // the name as sent; a client offering only ALPN `foo` gets a handshake without
    // ALPN (OpenSSL ignores the mismatch) and `ssl_fc_alpn` is empty.
    let (line, _) = fetch(addr, &client(|_| {}), Some("A.TEST")).await.unwrap();
    assert_eq!(line, "sni=A.TEST alpn=");
    let foo = client(|s| s.opts.alpn = Some("foo".into()));
    let (line, _) = fetch(addr, &foo, Some("a.test")).await.unwrap();
    assert_eq!(line, "sni=a.test alpn=");
    let h2 = client(|s| s.opts.alpn = Some("foo,h2".into()));
    let (line, _) = fetch(addr, &h2, Some("a.test")).await.unwrap();
    assert_eq!(line, "sni=a.test alpn=h2");
}
