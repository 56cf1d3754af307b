//! The HTTP/2 differential suite: each case runs against the real HAProxy 2.6
//! (`haproxy -f CFG -db`) and against tandem (`tandem haproxy -f CFG -db`) with the same
//! config, the same HTTP/1.1 echo servers and the same HTTP/2 clients (TLS with ALPN
//! `h2`, cleartext prior knowledge, a raw frame writer for malformed requests); the
//! transcripts must be equal: status, response headers (`date` aside), what the server
//! received (request line, headers, body), trailers, RST_STREAM/GOAWAY codes, and the
//! number of server connections each server accepted (connection reuse).
//!
//! Known mismatches are listed in `tests/h2_diff/known-failures.txt` (a listed case that
//! matches fails too, so the list stays exact). `H2_DIFF_CASES=a,b` runs the cases whose
//! names contain a word; `H2_DIFF_SUBJECT=haproxy` runs HAProxy against itself.
//!
//! The protection tests at the end flood tandem (rapid reset, CONTINUATION flood,
//! oversized header lists, too many streams) and check that the abusive connection is
//! cut or limited while a well-behaved client on another connection is served.

#[path = "h2_diff/backend.rs"]
mod backend;
#[path = "h2_diff/client.rs"]
mod client;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use client::{CONTINUATION, DATA, END_HEADERS, END_STREAM, HEADERS, RST_STREAM, Req, frame, hpack};

const HAPROXY: &str = "/usr/sbin/haproxy";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tandem-h2-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let st = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
            ])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(st.success());
        let mut pem = std::fs::read(dir.join("c.pem")).unwrap();
        pem.extend(std::fs::read(dir.join("k.pem")).unwrap());
        std::fs::write(dir.join("site.pem"), pem).unwrap();
        dir
    })
}

// ---------------------------------------------------------------- ports, processes

#[path = "common/port.rs"]
mod port;
use port::free_port;

struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(argv: &[String], cfg: &Path, log: &Path) -> Proxy {
    let err = std::fs::File::create(log).unwrap();
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .arg("-f")
        .arg(cfg)
        .arg("-db")
        .current_dir(work_dir())
        .stdin(Stdio::null())
        .stdout(err.try_clone().unwrap())
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", argv[0]));
    Proxy(child)
}

async fn wait_port(port: u16) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn tandem_argv() -> Vec<String> {
    if std::env::var("H2_DIFF_SUBJECT").as_deref() == Ok("haproxy") {
        vec![HAPROXY.into()]
    } else {
        vec![env!("CARGO_BIN_EXE_tandem").into(), "haproxy".into()]
    }
}

// ---------------------------------------------------------------- cases

/// The ports of one run: `@TLS@` (ssl, alpn h2,http/1.1), `@CLEAR@` (no proto: h2 by
/// preface detection), `@PROTO@` (proto h2), `@S1@` `@S2@` (echo servers).
#[derive(Clone, Copy)]
struct Ports {
    tls: u16,
    clear: u16,
    proto: u16,
    s1: u16,
    s2: u16,
}

impl Ports {
    fn new() -> Ports {
        Ports {
            tls: free_port(),
            clear: free_port(),
            proto: free_port(),
            s1: free_port(),
            s2: free_port(),
        }
    }

    fn fill(&self, text: &str) -> String {
        text.replace("@TLS@", &self.tls.to_string())
            .replace("@CLEAR@", &self.clear.to_string())
            .replace("@PROTO@", &self.proto.to_string())
            .replace("@S1@", &self.s1.to_string())
            .replace("@S2@", &self.s2.to_string())
            .replace("@DIR@", &work_dir().to_string_lossy())
    }

    /// Port numbers back to their names, so two runs compare.
    fn unfill(&self, text: &str) -> String {
        text.replace(&self.tls.to_string(), "@TLS@")
            .replace(&self.clear.to_string(), "@CLEAR@")
            .replace(&self.proto.to_string(), "@PROTO@")
            .replace(&self.s1.to_string(), "@S1@")
            .replace(&self.s2.to_string(), "@S2@")
    }
}

#[derive(Clone, Copy)]
enum Port {
    Tls,
    Clear,
    Proto,
}

impl Port {
    fn of(self, p: &Ports) -> u16 {
        match self {
            Port::Tls => p.tls,
            Port::Clear => p.clear,
            Port::Proto => p.proto,
        }
    }
}

enum Probe {
    /// Requests one after the other on one h2 connection (TLS: ALPN h2,http/1.1).
    H2(Port, Vec<Req>),
    /// Raw frames (after the preface and SETTINGS), summarized.
    Raw(Port, &'static str, Vec<u8>),
    /// Raw bytes (an HTTP/1 request), the reply's first line.
    Bytes(Port, &'static str),
}

struct Case {
    name: &'static str,
    cfg: &'static str,
    probes: Vec<Probe>,
}

const GLOBAL: &str = "global\n    tune.ssl.default-dh-param 2048\n";

const FRONT: &str = "    bind 127.0.0.1:@TLS@ ssl crt @DIR@/site.pem alpn h2,http/1.1
    bind 127.0.0.1:@CLEAR@
    bind 127.0.0.1:@PROTO@ proto h2
";

const DEFAULTS: &str = "defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
";

fn u(port: &str, path: &str) -> String {
    let scheme = if port == "@TLS@" { "https" } else { "http" };
    format!("{scheme}://localhost:{port}{path}")
}

/// Raw HEADERS frame for a GET with extra fields (END_STREAM | END_HEADERS).
fn raw_get(stream: u32, path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut fields = vec![
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", path),
    ];
    fields.extend_from_slice(extra);
    let mut out = Vec::new();
    frame(
        &mut out,
        HEADERS,
        END_STREAM | END_HEADERS,
        stream,
        &hpack(&fields),
    );
    out
}

fn raw_fields(stream: u32, fields: &[(&str, &str)], flags: u8) -> Vec<u8> {
    let mut out = Vec::new();
    frame(&mut out, HEADERS, flags, stream, &hpack(fields));
    out
}

fn cases() -> Vec<Case> {
    let big_upload: Vec<Vec<u8>> = (0..20)
        .map(|i| (0..15000).map(|j| ((i * 7 + j) % 251) as u8).collect())
        .collect();
    vec![
        Case {
            name: "01-alpn-prior-knowledge-roundrobin",
            cfg: "frontend fe
@FRONT@    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:@S1@
    server s2 127.0.0.1:@S2@
",
            probes: vec![
                Probe::H2(
                    Port::Tls,
                    (0..4)
                        .map(|i| Req::get(u("@TLS@", &format!("/a?n={i}"))))
                        .collect(),
                ),
                Probe::H2(
                    Port::Clear,
                    (0..3)
                        .map(|i| Req::get(u("@CLEAR@", &format!("/b{i}"))))
                        .collect(),
                ),
                Probe::H2(Port::Proto, vec![Req::get(u("@PROTO@", "/c"))]),
                Probe::Bytes(Port::Clear, "GET /h1 HTTP/1.1\r\nhost: x\r\n\r\n"),
                Probe::Bytes(Port::Proto, "GET /h1 HTTP/1.1\r\nhost: x\r\n\r\n"),
            ],
        },
        Case {
            name: "02-request-mapping",
            cfg: "frontend fe
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![Probe::H2(
                Port::Clear,
                vec![
                    Req::get("http://www.test:80/p")
                        .header("cookie", "a=1")
                        .header("x-a", "1")
                        .header("cookie", "b=2")
                        .header("te", "trailers"),
                    Req::get("https://www.test:443/s"),
                    Req::get("http://www.test:8080/q?x=1&y=2"),
                    Req::get("http://www.test/h").header("host", "other.test"),
                    Req::get("http://www.test/post")
                        .method("POST")
                        .header("content-length", "10")
                        .body(vec![b"0123456789".to_vec()]),
                    Req::get("http://www.test/chunked-up")
                        .method("POST")
                        .body(vec![b"abc".to_vec(), b"defg".to_vec()]),
                    Req::get("http://www.test/trailers-up")
                        .method("PUT")
                        .body(vec![b"xyz".to_vec()])
                        .trailer("x-checksum", "42"),
                    Req::get("http://www.test/empty").method("POST"),
                    Req::get("http://www.test/head").method("HEAD"),
                    Req::get("http://www.test/big/1000000"),
                    Req::get("http://www.test/upload")
                        .method("POST")
                        .body(big_upload.clone()),
                    Req::get("http://www.test/chunked"),
                    Req::get("http://www.test/close"),
                    Req::get("http://www.test/status/404"),
                    Req::get("http://www.test/opt").method("OPTIONS"),
                ],
            )],
        },
        Case {
            name: "03-rules-routing-errors",
            cfg: "frontend fe
@FRONT@    acl api path_beg /api
    acl nosrv path_beg /nosrv
    http-request deny if { path /deny }
    http-request return status 201 content-type text/plain string ret if { path /ret }
    http-request redirect location /elsewhere if { path /redir }
    http-request redirect scheme https if { path /to-https }
    http-request set-header x-path %[path]
    http-request set-header x-query %[query]
    http-request set-header x-host %[req.hdr(host)]
    http-request set-header x-method %[method]
    http-request set-header x-ssl %[ssl_fc]
    http-request set-header x-cookie %[req.cook(a)]
    http-response set-header x-resp yes
    use_backend be2 if api
    use_backend empty if nosrv
    default_backend be
backend be
    server s1 127.0.0.1:@S1@
backend be2
    http-request set-uri /rewritten%[path]
    server s2 127.0.0.1:@S2@
backend empty
",
            probes: vec![
                Probe::H2(
                    Port::Tls,
                    vec![
                        Req::get(u("@TLS@", "/x?q=1")).header("cookie", "a=7"),
                        Req::get(u("@TLS@", "/api/v1")),
                        Req::get(u("@TLS@", "/deny")),
                        Req::get(u("@TLS@", "/ret")),
                        Req::get(u("@TLS@", "/redir")),
                        Req::get(u("@TLS@", "/to-https")),
                        Req::get(u("@TLS@", "/nosrv")),
                        Req::get(u("@TLS@", "/after-503")),
                    ],
                ),
                Probe::H2(
                    Port::Clear,
                    vec![
                        Req::get(u("@CLEAR@", "/to-https")),
                        Req::get(u("@CLEAR@", "/garbage")),
                        Req::get(u("@CLEAR@", "/after-502")),
                        Req::get(u("@CLEAR@", "/deny")).method("HEAD"),
                    ],
                ),
            ],
        },
        Case {
            name: "04-h2-version-fetches",
            cfg: "frontend fe
@FRONT@    http-request set-header x-ver %[req.ver]
    http-request set-header x-url %[url]
    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![Probe::H2(
                Port::Clear,
                vec![Req::get(u("@CLEAR@", "/v?a=b"))],
            )],
        },
        Case {
            name: "05-malformed-requests",
            cfg: "frontend fe
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![
                Probe::Raw(
                    Port::Clear,
                    "missing :path",
                    raw_fields(
                        1,
                        &[(":method", "GET"), (":scheme", "http"), (":authority", "a")],
                        END_STREAM | END_HEADERS,
                    ),
                ),
                Probe::Raw(
                    Port::Clear,
                    "connection header",
                    raw_get(1, "/c", &[("connection", "keep-alive")]),
                ),
                Probe::Raw(Port::Clear, "te gzip", raw_get(1, "/te", &[("te", "gzip")])),
                Probe::Raw(Port::Clear, "empty :path", raw_get(1, "", &[])),
                Probe::Raw(
                    Port::Clear,
                    "missing :method",
                    raw_fields(
                        1,
                        &[(":scheme", "http"), (":path", "/m")],
                        END_STREAM | END_HEADERS,
                    ),
                ),
            ],
        },
        Case {
            name: "05b-malformed-connection-errors",
            cfg: "frontend fe
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![
                Probe::Raw(Port::Clear, "content-length mismatch", {
                    let mut v = raw_fields(
                        1,
                        &[
                            (":method", "POST"),
                            (":scheme", "http"),
                            (":authority", "a"),
                            (":path", "/cl"),
                            ("content-length", "5"),
                        ],
                        END_HEADERS,
                    );
                    frame(&mut v, DATA, END_STREAM, 1, b"abc");
                    v
                }),
                Probe::Raw(
                    Port::Clear,
                    "uppercase name",
                    raw_get(1, "/u", &[("X-Upper", "1")]),
                ),
                Probe::Raw(
                    Port::Clear,
                    "unknown pseudo-header",
                    raw_get(1, "/p", &[(":foo", "x")]),
                ),
                Probe::Raw(Port::Clear, "good request then even stream id", {
                    let mut v = raw_get(1, "/ok", &[]);
                    v.extend(raw_get(2, "/even", &[]));
                    v
                }),
            ],
        },
        Case {
            name: "08-204-content-length",
            cfg: "frontend fe
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![Probe::H2(
                Port::Clear,
                vec![Req::get("http://www.test/status/204")],
            )],
        },
        Case {
            name: "06-disable-h2-upgrade",
            cfg: "frontend fe
    option disable-h2-upgrade
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![
                Probe::H2(Port::Clear, vec![Req::get(u("@CLEAR@", "/pk"))]),
                Probe::H2(Port::Tls, vec![Req::get(u("@TLS@", "/alpn"))]),
                Probe::Bytes(Port::Clear, "GET /h1 HTTP/1.1\r\nhost: x\r\n\r\n"),
            ],
        },
        Case {
            name: "07-max-concurrent-streams",
            cfg: "global
    tune.h2.max-concurrent-streams 4
@DEFAULTS@frontend fe
@FRONT@    default_backend be
backend be
    server s1 127.0.0.1:@S1@
",
            probes: vec![Probe::Raw(Port::Clear, "8 slow streams at once", {
                let mut v = Vec::new();
                for i in 0..8u32 {
                    v.extend(raw_get(1 + 2 * i, "/slow/300", &[]));
                }
                v
            })],
        },
    ]
}

async fn run_probe(p: &Probe, ports: &Ports, out: &mut String) {
    match p {
        Probe::H2(port, reqs) => {
            let reqs: Vec<Req> = reqs
                .iter()
                .map(|r| Req {
                    uri: ports.fill(&r.uri),
                    ..r.clone()
                })
                .collect();
            let n = port.of(ports);
            match port {
                Port::Tls => match client::tls(n, &["h2", "http/1.1"]).await {
                    Some((io, alpn)) => {
                        let _ = writeln!(out, "tls alpn={}", alpn.unwrap_or_default());
                        client::run(io, &reqs, out).await;
                    }
                    None => out.push_str("tls handshake failed\n"),
                },
                _ => match client::clear(n).await {
                    Some(io) => {
                        out.push_str("clear prior knowledge\n");
                        client::run(io, &reqs, out).await;
                    }
                    None => out.push_str("connect failed\n"),
                },
            }
        }
        Probe::Raw(port, what, bytes) => {
            let Some(io) = client::clear(port.of(ports)).await else {
                out.push_str("connect failed\n");
                return;
            };
            let seen = client::raw(io, bytes, Duration::from_millis(1500)).await;
            let _ = writeln!(out, "raw {what}: {}", seen.summary());
        }
        Probe::Bytes(port, text) => {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let Some(mut io) = client::clear(port.of(ports)).await else {
                out.push_str("connect failed\n");
                return;
            };
            let _ = io.write_all(text.as_bytes()).await;
            let mut buf = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(2), io.read_to_end(&mut buf)).await;
            let first = String::from_utf8_lossy(&buf)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let _ = writeln!(
                out,
                "bytes {:?}: {} bytes back, first line {:?}",
                text.lines().next().unwrap_or(""),
                buf.len(),
                first
            );
        }
    }
}

async fn run_case(case: &Case, argv: &[String], tag: &str) -> Result<String, String> {
    let ports = Ports::new();
    let s1 = backend::start("s1", ports.s1).await;
    let s2 = backend::start("s2", ports.s2).await;
    let mut text = case.cfg.replace("@FRONT@", FRONT);
    if text.contains("@DEFAULTS@") {
        text = text.replace("@DEFAULTS@", DEFAULTS);
    } else {
        text = format!("{GLOBAL}{DEFAULTS}{text}");
    }
    let cfg = ports.fill(&text);
    let dir = work_dir();
    let cfg_path = dir.join(format!("{}-{tag}.cfg", case.name));
    std::fs::write(&cfg_path, &cfg).unwrap();
    let log = dir.join(format!("{}-{tag}.log", case.name));
    let _proxy = start(argv, &cfg_path, &log);
    if !wait_port(ports.clear).await {
        return Err(format!(
            "{tag} did not listen: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ));
    }
    let mut out = String::new();
    for p in &case.probes {
        run_probe(p, &ports, &mut out).await;
    }
    let _ = writeln!(
        out,
        "server connections: s1={} s2={}",
        s1.conns(),
        s2.conns()
    );
    let out = ports.unfill(&out);
    let _ = std::fs::write(dir.join(format!("{}-{tag}.out", case.name)), &out);
    Ok(out)
}

fn known_failures() -> Vec<String> {
    std::fs::read_to_string(manifest_dir().join("tests/h2_diff/known-failures.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn have_haproxy() -> bool {
    if Path::new(HAPROXY).exists() {
        return true;
    }
    eprintln!("skipped: {HAPROXY} is not installed");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_differential() {
    if !have_haproxy() {
        return;
    }
    let only: Vec<String> = std::env::var("H2_DIFF_CASES")
        .map(|v| v.split(',').map(String::from).collect())
        .unwrap_or_default();
    let known = known_failures();
    let mut report = String::new();
    let mut unexpected = Vec::new();
    let mut ran = 0;
    for case in cases() {
        if !only.is_empty() && !only.iter().any(|w| case.name.contains(w.as_str())) {
            continue;
        }
        ran += 1;
        let want = run_case(&case, &[HAPROXY.into()], "haproxy").await;
        let got = run_case(&case, &tandem_argv(), "tandem").await;
        let same = want.is_ok() && want == got;
        let listed = known.iter().any(|k| k == case.name);
        let _ = writeln!(
            report,
            "== {} : {}",
            case.name,
            if same { "match" } else { "MISMATCH" }
        );
        if !same {
            let w = want.unwrap_or_else(|e| e);
            let g = got.unwrap_or_else(|e| e);
            for (a, b) in w.lines().zip(g.lines()) {
                if a != b {
                    let _ = writeln!(report, "  haproxy: {a}\n  tandem:  {b}");
                }
            }
            if w.lines().count() != g.lines().count() {
                let _ = writeln!(report, "  haproxy:\n{w}\n  tandem:\n{g}");
            }
        }
        if same == listed {
            unexpected.push(case.name);
        }
    }
    eprintln!("{report}");
    let _ = std::fs::write(work_dir().join("report.txt"), &report);
    assert!(ran > 0, "no case selected");
    assert!(
        unexpected.is_empty(),
        "cases whose result differs from tests/h2_diff/known-failures.txt (mismatch not listed, or listed but matching): {unexpected:?}\n{report}"
    );
}

// ---------------------------------------------------------------- protections

/// A proxy (tandem unless `haproxy`) on the protection config, with one echo server.
struct Lab {
    ports: Ports,
    s1: backend::Echo,
    _proxy: Proxy,
}

async fn lab(argv: &[String], tag: &str) -> Lab {
    let ports = Ports::new();
    let s1 = backend::start("s1", ports.s1).await;
    let text = format!(
        "{GLOBAL}{DEFAULTS}frontend fe\n{FRONT}    default_backend be\nbackend be\n    server s1 127.0.0.1:@S1@\n"
    );
    let cfg = ports.fill(&text);
    let cfg_path = work_dir().join(format!("protect-{tag}.cfg"));
    std::fs::write(&cfg_path, &cfg).unwrap();
    let log = work_dir().join(format!("protect-{tag}.log"));
    let proxy = start(argv, &cfg_path, &log);
    assert!(wait_port(ports.clear).await, "{tag} did not start");
    Lab {
        ports,
        s1,
        _proxy: proxy,
    }
}

/// A well-behaved client: one GET over a new connection, within 5 s.
async fn good_client(port: u16) -> String {
    let mut out = String::new();
    let Some(io) = client::clear(port).await else {
        return "connect failed".into();
    };
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        client::run(
            io,
            &[Req::get(format!("http://localhost:{port}/good"))],
            &mut out,
        ),
    )
    .await;
    if r.is_err() {
        return "timeout".into();
    }
    out.lines()
        .next()
        .unwrap_or("")
        .split(" -> ")
        .nth(1)
        .unwrap_or("")
        .to_string()
}

/// Runs `attack` on a connection to the lab while a good client is served; returns what
/// the attacker saw and what the good client got.
async fn under_attack(lab: &Lab, attack: Vec<u8>) -> (client::Seen, String) {
    let port = lab.ports.clear;
    let io = client::clear(port).await.expect("connect");
    let atk = tokio::spawn(async move { client::raw(io, &attack, Duration::from_secs(2)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let good = good_client(port).await;
    let seen = atk.await.unwrap();
    (seen, good)
}

fn rapid_reset(n: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..n {
        let id = 1 + 2 * i;
        v.extend(raw_get(id, "/slow/200", &[]));
        frame(&mut v, RST_STREAM, 0, id, &8u32.to_be_bytes());
    }
    v
}

fn continuation_flood(frames: usize) -> Vec<u8> {
    let mut v = raw_fields(
        1,
        &[
            (":method", "GET"),
            (":scheme", "http"),
            (":authority", "a"),
            (":path", "/"),
        ],
        END_STREAM,
    );
    let junk = hpack(&[("x-flood", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]);
    for _ in 0..frames {
        frame(&mut v, CONTINUATION, 0, 1, &junk);
    }
    v
}

fn oversized_headers() -> Vec<u8> {
    let value = "v".repeat(1000);
    let fields: Vec<(String, String)> = (0..40)
        .map(|i| (format!("x-h{i}"), value.clone()))
        .collect();
    let mut all: Vec<(&str, &str)> = vec![
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", "a"),
        (":path", "/big-headers"),
    ];
    all.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let block = hpack(&all);
    // one HEADERS and as many CONTINUATION frames as the 16 KiB frame size needs
    let mut v = Vec::new();
    let pieces: Vec<&[u8]> = block.chunks(16384).collect();
    for (i, p) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let (kind, flags) = if i == 0 {
            (HEADERS, END_STREAM | if last { END_HEADERS } else { 0 })
        } else {
            (CONTINUATION, if last { END_HEADERS } else { 0 })
        };
        frame(&mut v, kind, flags, 1, p);
    }
    v
}

/// What HAProxy does under each attack, printed for the record (not asserted: the
/// assertions below are on tandem).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protections_reference_haproxy() {
    if !have_haproxy() {
        return;
    }
    let lab = lab(&[HAPROXY.into()], "haproxy").await;
    for (what, bytes) in [
        ("rapid reset x5000", rapid_reset(5000)),
        ("continuation flood x20000", continuation_flood(20000)),
        ("oversized header list (40 KB)", oversized_headers()),
    ] {
        let (seen, good) = under_attack(&lab, bytes).await;
        eprintln!(
            "haproxy {what}: attacker saw {}; server got {} requests; good client: {good}",
            seen.summary(),
            lab.s1.requests()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_reset_is_cut_and_others_are_served() {
    let lab = lab(&tandem_argv(), "tandem-rr").await;
    let (seen, good) = under_attack(&lab, rapid_reset(5000)).await;
    let reqs = lab.s1.requests();
    eprintln!(
        "rapid reset: attacker saw {}; server got {reqs} requests; good: {good}",
        seen.summary()
    );
    assert!(good.starts_with("200"), "good client: {good}");
    // the attacker is stopped (GOAWAY ENHANCE_YOUR_CALM) or at least cannot make the
    // proxy forward most of its 5000 streams
    assert!(
        seen.goaway == Some(11) || reqs < 1000,
        "rapid reset not limited: {} / {reqs} server requests",
        seen.summary()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuation_flood_is_cut_and_others_are_served() {
    let lab = lab(&tandem_argv(), "tandem-cont").await;
    let (seen, good) = under_attack(&lab, continuation_flood(20000)).await;
    eprintln!(
        "continuation flood: attacker saw {}; good: {good}",
        seen.summary()
    );
    assert!(good.starts_with("200"), "good client: {good}");
    assert!(
        seen.goaway.is_some() || seen.closed,
        "CONTINUATION flood not cut: {}",
        seen.summary()
    );
    assert!(
        seen.headers.is_empty(),
        "the flooded request was answered: {}",
        seen.summary()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_header_list_is_refused_and_others_are_served() {
    let lab = lab(&tandem_argv(), "tandem-big").await;
    let (seen, good) = under_attack(&lab, oversized_headers()).await;
    eprintln!(
        "oversized headers: attacker saw {}; good: {good}",
        seen.summary()
    );
    assert!(good.starts_with("200"), "good client: {good}");
    assert_eq!(
        lab.s1.requests(),
        1,
        "only the good request reaches the server"
    );
    assert!(
        !seen.resets.is_empty() || seen.goaway.is_some() || !seen.headers.is_empty(),
        "oversized request neither refused nor answered: {}",
        seen.summary()
    );
}
