//! Tests against HAProxy 2.6.12's measured behaviour: messages pasted from its stderr
//! (`haproxy -f CFG -db`), request bytes captured by a listener, and the same kinds of
//! backends on real loopback sockets.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::*;

fn cfg(text: &str) -> ir::Config {
    let out = crate::config::haproxy::parser::load_from_memory(
        "t.cfg",
        text.as_bytes(),
        &crate::config::haproxy::parser::LoadOptions::default(),
    );
    out.config
        .unwrap_or_else(|| panic!("config: {:?}", out.diags))
}

fn plans(text: &str, backend: &str) -> Vec<CheckPlan> {
    let c = cfg(text);
    let p = c
        .proxies
        .iter()
        .find(|p| p.name == backend)
        .unwrap_or_else(|| panic!("no backend {backend}"));
    plan_for_backend(&c, p).unwrap_or_else(|e| panic!("{e}"))
}

const HEAD: &str = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:29999\n    default_backend be\n";

fn sent_bytes(p: &CheckPlan) -> Vec<String> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::Send(plan::SendStep {
                data: plan::SendData::Bytes(b),
                ..
            }) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        })
        .collect()
}

/// The next event that changed a server's state (the channel also carries every check).
async fn next_transition(rx: &mut mpsc::UnboundedReceiver<HealthEvent>) -> Option<HealthEvent> {
    loop {
        let ev = rx.recv().await?;
        if ev.transition {
            return Some(ev);
        }
    }
}

fn ev(up: bool, reason: &str, code: Option<i64>, info: &str, ms: u64) -> HealthEvent {
    HealthEvent {
        backend: "be".into(),
        server: "s1".into(),
        server_idx: 0,
        up,
        reason: reason.into(),
        info: info.into(),
        check_duration_ms: ms,
        code,
        backup: false,
        draining: false,
        transition: true,
        status: if up { Status::L4Ok } else { Status::L4Con },
        health: if up { 4 } else { 0 },
        rise: 2,
        fall: 3,
        result: if up {
            CheckResult::Passed
        } else {
            CheckResult::Failed
        },
        counted_failure: !up,
        report: true,
        agent: None,
        hana: None,
    }
}

#[test]
fn log_health_checks_texts_match_haproxy() {
    // HAProxy 2.6.12 syslog lines, `option log-health-checks`, rise 2 fall 3 (s1) and
    // rise 3 fall 2 (s2).
    let mut e = ev(true, "Layer7 check passed", Some(200), "", 5);
    e.status = Status::L7OkD;
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: 5ms, status: 3/3 UP."
    );
    let mut e = ev(
        false,
        "Layer4 connection problem",
        None,
        "Connection refused",
        0,
    );
    e.health = 3;
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 2/3 UP."
    );
    e.health = 0;
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/2 DOWN."
    );
    let mut e = ev(true, "Layer7 check passed", Some(200), "", 2);
    (e.server, e.rise, e.fall, e.health) = ("s2".into(), 3, 2, 2);
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s2 succeeded, reason: Layer7 check passed, code: 200, check duration: 2ms, status: 2/3 DOWN."
    );
    e.health = 4;
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s2 succeeded, reason: Layer7 check passed, code: 200, check duration: 2ms, status: 2/2 UP."
    );
}

#[test]
fn transition_texts_match_haproxy() {
    // HAProxy 2.6.12 stderr (after the "[WARNING]  (PID) : " prefix).
    let mut e = ev(
        false,
        "Layer4 connection problem",
        None,
        "Connection refused",
        0,
    );
    e.backend = "b_refused".into();
    assert_eq!(
        transition_message(&e, 0, 1, 0, 0, 0),
        "Server b_refused/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
    e.server = "s2".into();
    e.backup = true;
    assert_eq!(
        transition_message(&e, 0, 0, 0, 0, 0),
        "Backup Server b_refused/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
    let e = ev(
        false,
        "Layer7 wrong status",
        Some(500),
        "Internal Server Error",
        1,
    );
    assert_eq!(
        transition_message(&e, 0, 0, 0, 0, 0),
        "Server be/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: \"Internal Server Error\", check duration: 1ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
    let e = ev(false, "Layer4 timeout", None, "", 702);
    assert_eq!(
        transition_message(&e, 0, 0, 0, 0, 0),
        "Server be/s1 is DOWN, reason: Layer4 timeout, check duration: 702ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
    let e = ev(true, "Layer7 check passed", Some(200), "", 0);
    assert_eq!(
        transition_message(&e, 1, 0, 0, 0, 0),
        "Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
    );
    let e = ev(true, "Layer7 check passed", Some(0), "(tcp-check)", 0);
    assert_eq!(
        transition_message(&e, 1, 0, 0, 0, 0),
        "Server be/s1 is UP, reason: Layer7 check passed, code: 0, info: \"(tcp-check)\", check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
    );
    let mut e = ev(true, "Layer7 check conditionally passed", Some(404), "", 1);
    e.draining = true;
    assert_eq!(
        transition_message(&e, 0, 0, 0, 0, 0),
        "Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
    );
    assert_eq!(
        no_server_available_message("b_500"),
        "backend 'b_500' has no server available!"
    );
}

#[test]
fn info_is_ascii_encoded() {
    assert_eq!(
        ascii_encode("HTTP status check returned code <500>\n\"x\""),
        "HTTP status check returned code <3C>500<3E><0A><22>x<22>"
    );
}

#[test]
fn plan_defaults_and_overrides() {
    let text = format!(
        "{HEAD}backend be\n    server s1 127.0.0.1:8080 check inter 1s fastinter 200 downinter 3s rise 3 fall 2 port 9000 addr 127.0.0.2\n    server s2 127.0.0.1:8081\n    server s3 127.0.0.1:8082 check disabled\n    server s4 127.0.0.1:8083 check backup\n"
    );
    let p = plans(&text, "be");
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].server_idx, 0);
    assert_eq!(p[1].server_idx, 3);
    assert!(p[1].backup);
    assert_eq!(
        p[0].params,
        CheckParams {
            rise: 3,
            fall: 2,
            inter: 1000,
            fastinter: Some(200),
            downinter: Some(3000),
            spread_checks: 0
        }
    );
    assert_eq!(p[0].target.port, 9000);
    assert_eq!(p[0].target.ip, "127.0.0.2".parse().ok());
    assert_eq!(p[1].params, CheckParams::default());
    assert_eq!(p[0].kind, CheckKind::Tcp);
    // no `timeout check`: the whole check gets `inter`
    assert_eq!(p[0].connect_timeout_ms, 1000);
    assert_eq!(p[0].check_timeout_ms, None);
}

#[test]
fn plan_timeouts_combine_as_haproxy() {
    // measured: `timeout check 300` + `timeout connect 1s` + inter 2s: Layer4 timeout after
    // 1000 ms (min(connect, inter)).
    let text = format!(
        "{HEAD}backend be\n    timeout check 300\n    server s1 127.0.0.1:8080 check inter 2s\n"
    );
    let p = plans(&text, "be");
    assert_eq!(p[0].connect_timeout_ms, 1000);
    assert_eq!(p[0].check_timeout_ms, Some(300));
}

#[test]
fn plan_http_requests_follow_haproxy_merging() {
    // What HAProxy 2.6.12 sent, captured per backend.
    let text = format!(
        "{HEAD}backend be\n    option httpchk GET /x HTTP/1.1\n    http-check send hdr Host h.example\n    server s1 127.0.0.1:8080 check\n\
backend b10\n    option httpchk\n    http-check send meth PUT\n    option httpchk GET /b10\n    server s1 127.0.0.1:8080 check\n"
    );
    assert_eq!(
        sent_bytes(&plans(&text, "be")[0]),
        vec!["GET /x HTTP/1.1\r\nhost: h.example\r\nconnection: close\r\n\r\n"]
    );
    assert_eq!(
        sent_bytes(&plans(&text, "b10")[0]),
        vec!["GET /b10 HTTP/1.0\r\n\r\n"]
    );
    let ver = format!(
        "{HEAD}backend be\n    option httpchk HEAD /h HTTP/1.1\\r\\nHost:\\ www.example.com\\r\\nX-A:\\ b\n    server s1 127.0.0.1:8080 check\n"
    );
    assert_eq!(
        sent_bytes(&plans(&ver, "be")[0]),
        vec!["HEAD /h HTTP/1.1\r\nhost: www.example.com\r\nx-a: b\r\nconnection: close\r\n\r\n"]
    );
}

#[test]
fn plan_inheritance_matches_haproxy() {
    // HAProxy 2.6.12: a backend with its own http-check lines does not get the defaults'
    // `option httpchk` request (b1 sent nothing and went DOWN on "Layer7 timeout"; b3 sent
    // "OPTIONS / HTTP/1.0\r\nhost: x.example"); one without uses the defaults' (b2);
    // `option tcp-check` uses the defaults' tcp-check rules unless it has its own.
    let text = "defaults d1\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    option httpchk GET /d\n\
frontend f\n    bind 127.0.0.1:29998\n    default_backend b1\n\
backend b1\n    http-check expect status 200\n    server s1 127.0.0.1:23701 check\n\
backend b2\n    server s1 127.0.0.1:23702 check\n\
backend b3\n    http-check send hdr Host x.example\n    server s1 127.0.0.1:23703 check\n\
defaults d3\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    option tcp-check\n    tcp-check send HELLO\\r\\n\n\
backend b7\n    server s1 127.0.0.1:23707 check\n\
backend b9\n    tcp-check send B9\\r\\n\n    server s1 127.0.0.1:23709 check\n";
    assert!(sent_bytes(&plans(text, "b1")[0]).is_empty());
    assert_eq!(
        sent_bytes(&plans(text, "b2")[0]),
        vec!["GET /d HTTP/1.0\r\n\r\n"]
    );
    assert_eq!(
        sent_bytes(&plans(text, "b3")[0]),
        vec!["OPTIONS / HTTP/1.0\r\nhost: x.example\r\n\r\n"]
    );
    assert_eq!(sent_bytes(&plans(text, "b7")[0]), vec!["HELLO\r\n"]);
    assert_eq!(sent_bytes(&plans(text, "b9")[0]), vec!["B9\r\n"]);
}

// ---- real sockets ----

/// A loopback server answering every connection with `f`.
async fn serve<F, Fut>(f: F) -> u16
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
    let f = std::sync::Arc::new(f);
    tokio::spawn(async move {
        while let Ok((c, _)) = l.accept().await {
            tokio::spawn((f.clone())(c));
        }
    });
    port
}

/// Reads what the check sends (until a pause), then writes `reply`.
async fn reply_after_request(mut c: tokio::net::TcpStream, reply: &'static [u8]) {
    let mut buf = vec![0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(200), c.read(&mut buf)).await;
    let _ = c.write_all(reply).await;
    let _ = c.shutdown().await;
}

async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    l.local_addr().map(|a| a.port()).unwrap_or(0)
}

fn with_port(mut p: CheckPlan, port: u16) -> CheckPlan {
    p.target.port = port;
    p
}

fn one(text: &str, port: u16) -> CheckPlan {
    with_port(plans(text, "be").remove(0), port)
}

async fn check(text: &str, port: u16) -> exec::Outcome {
    exec::run_check(&one(text, port), true).await
}

fn out(o: &exec::Outcome) -> (Status, i64, &str) {
    (o.status, o.code, o.info.as_str())
}

#[tokio::test]
async fn tcp_refused_and_passed() {
    let text = format!("{HEAD}backend be\n    server s1 127.0.0.1:1 check\n");
    let o = check(&text, closed_port().await).await;
    assert_eq!(out(&o), (Status::L4Con, 0, "Connection refused"));
    let port = serve(|_c| async {}).await;
    let o = check(&text, port).await;
    assert_eq!(out(&o), (Status::L4Ok, 0, ""));
}

#[tokio::test]
async fn tcp_check_texts() {
    // HAProxy 2.6.12: "TCPCHK did not match content '+PONG' at step 2", "Connection
    // refused at initial connection step of tcp-check", "TCPCHK matched unwanted content
    // 'ERR' at step 2", "TCPCHK got an empty response at step 2", UP with "(tcp-check)".
    let tc = |expect: &str| {
        format!(
            "{HEAD}backend be\n    mode tcp\n    option tcp-check\n    tcp-check send PING\\r\\n\n    tcp-check expect {expect}\n    server s1 127.0.0.1:1 check\n"
        )
    };
    let err = serve(|c| reply_after_request(c, b"-ERR unknown\r\n")).await;
    let pong = serve(|c| reply_after_request(c, b"+PONG\r\n")).await;
    let empty = serve(|c| reply_after_request(c, b"")).await;
    let o = check(&tc("string +PONG"), err).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK did not match content '+PONG' at step 2"
        )
    );
    let o = check(&tc("! string ERR"), err).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK matched unwanted content 'ERR' at step 2"
        )
    );
    let o = check(&tc("rstring ^\\+PONG"), err).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK did not match content (regex) at step 2"
        )
    );
    let o = check(&tc("binary 2b504f4e47"), err).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK did not match content (binary) at step 2"
        )
    );
    let o = check(&tc("string +PONG"), empty).await;
    assert_eq!(
        out(&o),
        (Status::L7Rsp, 0, "TCPCHK got an empty response at step 2")
    );
    let o = check(&tc("string +PONG"), closed_port().await).await;
    assert_eq!(
        out(&o),
        (
            Status::L4Con,
            0,
            "Connection refused at initial connection step of tcp-check"
        )
    );
    let o = check(&tc("string +PONG"), pong).await;
    assert_eq!(out(&o), (Status::L7OkD, 0, "(tcp-check)"));
    let conn = format!(
        "{HEAD}backend be\n    mode tcp\n    option tcp-check\n    tcp-check connect port {}\n    tcp-check send PING\\r\\n\n    server s1 127.0.0.1:1 check\n",
        closed_port().await
    );
    let o = check(&conn, pong).await;
    assert_eq!(o.status, Status::L4Con);
    assert!(
        o.info
            .starts_with("Connection refused at step 1 of tcp-check (connect port "),
        "{}",
        o.info
    );
}

#[tokio::test]
async fn http_statuses_and_texts() {
    let h = |extra: &str| {
        format!(
            "{HEAD}backend be\n    option httpchk GET /\n{extra}    server s1 127.0.0.1:1 check\n"
        )
    };
    let s500 = serve(|c| {
        reply_after_request(
            c,
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
        )
    })
    .await;
    let s200 =
        serve(|c| reply_after_request(c, b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"))
            .await;
    let garbage = serve(|c| reply_after_request(c, b"-ERR unknown\r\n")).await;
    let empty = serve(|c| reply_after_request(c, b"")).await;
    // measured texts, HAProxy 2.6.12
    let o = check(&h(""), s500).await;
    assert_eq!(out(&o), (Status::L7Sts, 500, "Internal Server Error"));
    let o = check(&h(""), s200).await;
    assert_eq!(out(&o), (Status::L7OkD, 200, ""));
    let o = check(&h("    http-check expect string needle\n"), s200).await;
    assert_eq!(
        out(&o),
        (Status::L7Rsp, 200, "HTTP content check did not match")
    );
    let o = check(&h("    http-check expect string hel\n"), s200).await;
    assert_eq!(o.status, Status::L7OkD);
    let o = check(&h("    http-check expect ! status 200\n"), s200).await;
    assert_eq!(out(&o), (Status::L7Sts, 200, "OK"));
    let o = check(&h("    http-check expect rstatus ^3\n"), s200).await;
    assert_eq!(out(&o), (Status::L7Sts, 200, "OK"));
    let o = check(&h(""), garbage).await;
    assert_eq!(out(&o), (Status::L7Rsp, 0, ""));
    let o = check(&h(""), empty).await;
    assert_eq!(out(&o), (Status::L7Rsp, 0, ""));
    let no_body =
        serve(|c| reply_after_request(c, b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")).await;
    let o = check(&h("    http-check expect string needle\n"), no_body).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            200,
            "HTTP content check could not find a response body"
        )
    );
    let s404 =
        serve(|c| reply_after_request(c, b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"))
            .await;
    let o = check(&h("    http-check disable-on-404\n"), s404).await;
    assert_eq!(out(&o), (Status::L7OkCD, 404, ""));
}

#[tokio::test]
async fn http_check_sends_captured_request() {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let port = serve(move |mut c| {
        let tx = tx.clone();
        async move {
            let mut buf = vec![0u8; 4096];
            let n = c.read(&mut buf).await.unwrap_or(0);
            let _ = tx.send(buf[..n].to_vec());
            let _ = c.write_all(b"HTTP/1.0 200 OK\r\n\r\n").await;
        }
    })
    .await;
    let text = format!(
        "{HEAD}backend be\n    option httpchk\n    http-check send meth POST uri /p ver HTTP/1.1 hdr Host foo.com hdr X-Y z body hello\n    server s1 127.0.0.1:1 check\n"
    );
    let o = check(&text, port).await;
    assert_eq!(o.status, Status::L7OkD);
    let got = rx.recv().await.unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&got),
        "POST /p HTTP/1.1\r\nhost: foo.com\r\nx-y: z\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello"
    );
}

#[tokio::test]
async fn protocol_checks() {
    let tcp = |opt: &str| {
        format!(
            "{HEAD}backend be\n    mode tcp\n    option {opt}\n    server s1 127.0.0.1:1 check\n"
        )
    };
    // redis: HAProxy 2.6.12 "Layer7 wrong status, code: 0, info: \"-ERR unknown\"" and
    // UP "Layer7 check passed, code: 0, info: \"Redis server is ok\"".
    let err = serve(|c| reply_after_request(c, b"-ERR unknown\r\n")).await;
    let pong = serve(|c| reply_after_request(c, b"+PONG\r\n")).await;
    assert_eq!(
        out(&check(&tcp("redis-check"), err).await),
        (Status::L7Sts, 0, "-ERR unknown")
    );
    assert_eq!(
        out(&check(&tcp("redis-check"), pong).await),
        (Status::L7OkD, 0, "Redis server is ok")
    );
    // ssl-hello-chk: "Layer6 invalid response" (no info), "Layer6 check passed".
    assert_eq!(
        out(&check(&tcp("ssl-hello-chk"), err).await),
        (Status::L6Rsp, 0, "")
    );
    let tls = serve(|c| reply_after_request(c, b"\x16\x03\x01\x00\x05hello")).await;
    assert_eq!(
        out(&check(&tcp("ssl-hello-chk"), tls).await),
        (Status::L6Ok, 0, "")
    );
    // pgsql: "Layer7 invalid response, info: \"FATAL\"", UP "PostgreSQL server is ok".
    let pg_err = serve(|c| {
        reply_after_request(
            c,
            b"E\x00\x00\x00\x20SFATAL\x00C28000\x00Mno such user\x00\x00",
        )
    })
    .await;
    let pg_ok = serve(|c| reply_after_request(c, b"R\x00\x00\x00\x08\x00\x00\x00\x00")).await;
    assert_eq!(
        out(&check(&tcp("pgsql-check user bob"), pg_err).await),
        (Status::L7Rsp, 0, "FATAL")
    );
    assert_eq!(
        out(&check(&tcp("pgsql-check user bob"), pg_ok).await),
        (Status::L7OkD, 0, "PostgreSQL server is ok")
    );
    // HAProxy 2.6.12 (measured): SCRAM-SHA-256 (`R`, length 0x17, type 10) is ok, type
    // 11 is "PostgreSQL unknown error"
    let scram = serve(|c| {
        reply_after_request(c, b"R\x00\x00\x00\x17\x00\x00\x00\x0aSCRAM-SHA-256\x00\x00")
    })
    .await;
    assert_eq!(
        out(&check(&tcp("pgsql-check user bob"), scram).await),
        (Status::L7OkD, 0, "PostgreSQL server is ok")
    );
    let pg_11 = serve(|c| reply_after_request(c, b"R\x00\x00\x00\x08\x00\x00\x00\x0b")).await;
    assert_eq!(
        out(&check(&tcp("pgsql-check user bob"), pg_11).await),
        (Status::L7Sts, 0, "PostgreSQL unknown error")
    );
    // smtp: "Layer7 wrong status, code: 554, info: \"go away\"", UP "code: 221, info:
    // \"2.0.0 bye now\"", and "TCPCHK got an empty response at step 7" when QUIT gets no
    // answer.
    let smtp_bad = serve(|mut c| async move {
        let _ = c.write_all(b"554 go away\r\n").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    })
    .await;
    assert_eq!(
        out(&check(&tcp("smtpchk"), smtp_bad).await),
        (Status::L7Sts, 554, "go away")
    );
    let smtp = |quit: Option<&'static [u8]>| {
        move |mut c: tokio::net::TcpStream| async move {
            let _ = c.write_all(b"220 mail.example ESMTP ready\r\n").await;
            let mut buf = vec![0u8; 512];
            loop {
                let n = c.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                if buf.starts_with(b"EHLO") || buf.starts_with(b"HELO") {
                    let _ = c
                        .write_all(b"250-mail.example hello\r\n250 SIZE 100\r\n")
                        .await;
                } else if buf.starts_with(b"QUIT") {
                    match quit {
                        Some(q) => {
                            let _ = c.write_all(q).await;
                        }
                        None => break,
                    }
                }
            }
        }
    };
    let ok = serve(smtp(Some(b"221 2.0.0 bye now\r\n"))).await;
    assert_eq!(
        out(&check(&tcp("smtpchk"), ok).await),
        (Status::L7OkD, 221, "2.0.0 bye now")
    );
    let mute = serve(smtp(None)).await;
    assert_eq!(
        out(&check(&tcp("smtpchk"), mute).await),
        (Status::L7Sts, 0, "TCPCHK got an empty response at step 7")
    );
    // mysql: error packet "Layer7 wrong status, code: 1045, info: \"#28000Access denied
    // for user\""; the greeting's version on success.
    let my = |err: bool| {
        move |mut c: tokio::net::TcpStream| async move {
            let mut g = b"\x19\x00\x00\x00\x0a5.7.1-test\x00\x01\x00\x00\x00abcdefgh\x00".to_vec();
            let _ = c.write_all(&g).await;
            let mut buf = vec![0u8; 512];
            let _ = c.read(&mut buf).await;
            g.clear();
            if err {
                let msg = b"\xff\x15\x04#28000Access denied for user";
                g.extend_from_slice(&[msg.len() as u8, 0, 0, 2]);
                g.extend_from_slice(msg);
            } else {
                g.extend_from_slice(b"\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00");
            }
            let _ = c.write_all(&g).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let my_err = serve(my(true)).await;
    let my_ok = serve(my(false)).await;
    assert_eq!(
        out(&check(&tcp("mysql-check user bob"), my_err).await),
        (Status::L7Sts, 1045, "#28000Access denied for user")
    );
    assert_eq!(
        out(&check(&tcp("mysql-check user bob"), my_ok).await),
        (Status::L7OkD, 0, "5.7.1-test")
    );
    assert_eq!(
        out(&check(&tcp("mysql-check"), my_ok).await),
        (Status::L7OkD, 0, "5.7.1-test")
    );
}

#[tokio::test]
async fn read_timeouts() {
    // HAProxy 2.6.12: tcp-check without reply, inter 500: "Layer7 timeout, info: \" at
    // step 2 of tcp-check (expect string '+PONG')\"" after about 500 ms.
    let silent = serve(|c| async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(c);
    })
    .await;
    let text = format!(
        "{HEAD}backend be\n    mode tcp\n    option tcp-check\n    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG\n    server s1 127.0.0.1:1 check inter 300\n"
    );
    let o = check(&text, silent).await;
    assert_eq!(
        out(&o),
        (
            Status::L7Tout,
            0,
            " at step 2 of tcp-check (expect string '+PONG')"
        )
    );
    assert!((290..900).contains(&o.duration_ms), "{}", o.duration_ms);
    let ssl = format!(
        "{HEAD}backend be\n    mode tcp\n    option ssl-hello-chk\n    server s1 127.0.0.1:1 check inter 300\n"
    );
    assert_eq!(out(&check(&ssl, silent).await), (Status::L6Tout, 0, ""));
    // timeout check 200 ms with timeout connect 1 s and inter 300 ms: HAProxy 2.6 only
    // notices at the connect timer (min(inter, connect) = 300 ms).
    let tc = format!(
        "{HEAD}backend be\n    option httpchk GET /\n    timeout check 200\n    server s1 127.0.0.1:1 check inter 300\n"
    );
    let o = check(&tc, silent).await;
    assert_eq!(out(&o), (Status::L7Tout, 0, ""));
    assert!((290..900).contains(&o.duration_ms), "{}", o.duration_ms);
}

/// A server whose answers follow `script` ('+' = 200, '-' = 500), one per connection, then
/// the last one forever.
async fn scripted_http(script: &'static str) -> u16 {
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    serve(move |c| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let b = script.as_bytes();
        let ok = b.get(i).or(b.last()).copied() == Some(b'+');
        async move {
            let r: &'static [u8] = if ok {
                b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
            } else {
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"
            };
            reply_after_request(c, r).await;
        }
    })
    .await
}

#[tokio::test]
async fn spawn_reports_exactly_fall_and_rise() {
    // UP at start (health = rise): 2 failures of fall 2... the first failure already
    // drops below rise (HAProxy: "up, but will fall down at first failure"), so the
    // script starts with a success to reach full health.
    let port = scripted_http("+--+++").await;
    let text = format!(
        "{HEAD}backend be\n    option httpchk GET /\n    server s1 127.0.0.1:1 check inter 100 rise 3 fall 2\n"
    );
    let p = one(&text, port);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let t0 = tokio::time::Instant::now();
    spawn(vec![p], tx, stop_rx);
    let down = tokio::time::timeout(Duration::from_secs(3), next_transition(&mut rx))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no DOWN"));
    let t_down = t0.elapsed().as_millis();
    assert!(!down.up);
    assert_eq!(
        (down.reason.as_str(), down.code, down.info.as_str()),
        ("Layer7 wrong status", Some(500), "Internal Server Error")
    );
    let up = tokio::time::timeout(Duration::from_secs(3), next_transition(&mut rx))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no UP"));
    let t_up = t0.elapsed().as_millis();
    assert!(up.up);
    assert_eq!(
        (up.reason.as_str(), up.code),
        ("Layer7 check passed", Some(200))
    );
    // checks at ~0, 100, 200 (DOWN after the 2nd failure), then 3 successes: UP at the
    // 6th check, ~500 ms
    assert!((150..700).contains(&t_down), "DOWN at {t_down} ms");
    assert!(
        (t_down + 250..t_down + 900).contains(&t_up),
        "UP at {t_up} ms"
    );
    let _ = stop_tx.send(true);
    // nothing more
    assert!(
        tokio::time::timeout(Duration::from_millis(400), next_transition(&mut rx))
            .await
            .ok()
            .flatten()
            .is_none()
    );
}

#[tokio::test]
async fn spawn_first_failure_marks_down_at_start() {
    // HAProxy 2.6.12: a server with `check` on a closed port is DOWN after the first
    // check ("Layer4 connection problem", "Connection refused").
    let text = format!("{HEAD}backend be\n    server s1 127.0.0.1:1 check inter 100\n");
    let p = one(&text, closed_port().await);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop_tx, stop_rx) = watch::channel(false);
    spawn(vec![p], tx, stop_rx);
    let down = tokio::time::timeout(Duration::from_secs(2), next_transition(&mut rx))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no DOWN"));
    // The duration is whatever the loaded machine took; the text around it is HAProxy's.
    let msg = transition_message(&down, 0, 0, 0, 0, 0);
    let masked = regex::Regex::new(r"check duration: \d+ms")
        .map(|re| re.replace(&msg, "check duration: Nms").into_owned())
        .unwrap_or(msg);
    assert_eq!(
        masked,
        "Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
}

/// Side by side with the real HAProxy 2.6 (skipped when /usr/sbin/haproxy is absent): the
/// same configuration, the same loopback backends, checked by both at once; every
/// transition line HAProxy prints must be the one tandem renders (durations aside).
#[tokio::test]
async fn live_transitions_match_haproxy() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        eprintln!("skipped: no {}", haproxy.display());
        return;
    }
    let refused = closed_port().await;
    let s500 = serve(|c| {
        reply_after_request(
            c,
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
        )
    })
    .await;
    let s200 =
        serve(|c| reply_after_request(c, b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"))
            .await;
    let err = serve(|c| reply_after_request(c, b"-ERR unknown\r\n")).await;
    let empty = serve(|c| reply_after_request(c, b"")).await;
    let pg_err = serve(|c| {
        reply_after_request(
            c,
            b"E\x00\x00\x00\x20SFATAL\x00C28000\x00Mno such user\x00\x00",
        )
    })
    .await;
    let smtp_bad = serve(|mut c| async move {
        let _ = c.write_all(b"554 go away\r\n").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    })
    .await;
    let s404 =
        serve(|c| reply_after_request(c, b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"))
            .await;
    let my_err = serve(|mut c| async move {
        let g = b"\x19\x00\x00\x00\x0a5.7.1-test\x00\x01\x00\x00\x00abcdefgh\x00";
        let _ = c.write_all(g).await;
        let mut buf = vec![0u8; 512];
        let _ = c.read(&mut buf).await;
        let msg = b"\xff\x15\x04#28000Access denied for user";
        let mut p = vec![msg.len() as u8, 0, 0, 2];
        p.extend_from_slice(msg);
        let _ = c.write_all(&p).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    })
    .await;
    // refuses until both HAProxy and tandem reported it DOWN, then answers 200
    let late = closed_port().await;
    let (open_tx, open_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = open_rx.await;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", late)).await {
            while let Ok((c, _)) = l.accept().await {
                tokio::spawn(reply_after_request(
                    c,
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
                ));
            }
        }
    });
    let fe = closed_port().await;
    let text = format!(
        "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend f\n    bind 127.0.0.1:{fe}\n    default_backend b_refused\n\
backend b_refused\n    server s1 127.0.0.1:{refused} check inter 200\n    server s2 127.0.0.1:{refused} check inter 200 backup\n\
backend b_500\n    option httpchk GET /\n    server s1 127.0.0.1:{s500} check inter 200\n\
backend b_str\n    option httpchk GET /\n    http-check expect string needle\n    server s1 127.0.0.1:{s200} check inter 200\n\
backend b_nstatus\n    option httpchk GET /\n    http-check expect ! status 200\n    server s1 127.0.0.1:{s200} check inter 200\n\
backend b_tcpchk\n    mode tcp\n    option tcp-check\n    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG\n    server s1 127.0.0.1:{err} check inter 200\n\
backend b_tcpchk_empty\n    mode tcp\n    option tcp-check\n    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG\n    server s1 127.0.0.1:{empty} check inter 200\n\
backend b_tcpchk_refused\n    mode tcp\n    option tcp-check\n    tcp-check connect port {refused}\n    server s1 127.0.0.1:{err} check inter 200\n\
backend b_redis\n    mode tcp\n    option redis-check\n    server s1 127.0.0.1:{err} check inter 200\n\
backend b_ssl\n    mode tcp\n    option ssl-hello-chk\n    server s1 127.0.0.1:{err} check inter 200\n\
backend b_pgsql\n    mode tcp\n    option pgsql-check user bob\n    server s1 127.0.0.1:{pg_err} check inter 200\n\
backend b_smtp\n    mode tcp\n    option smtpchk\n    server s1 127.0.0.1:{smtp_bad} check inter 200\n\
backend b_late\n    option httpchk GET /\n    server s1 127.0.0.1:{late} check inter 200 rise 2\n\
backend b_404\n    option httpchk GET /\n    http-check disable-on-404\n    server s1 127.0.0.1:{s404} check inter 200\n\
backend b_mysql\n    mode tcp\n    option mysql-check user bob\n    server s1 127.0.0.1:{my_err} check inter 200\n"
    );
    let dir = std::env::temp_dir().join(format!("tandem-checks-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("live.cfg");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));

    let mut child = tokio::process::Command::new(haproxy)
        .arg("-f")
        .arg(&path)
        .arg("-db")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (line_tx, mut line_rx) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(l)) = lines.next_line().await {
            let _ = line_tx.send(l);
        }
    });

    let c = cfg(&text);
    let mut all = Vec::new();
    for p in &c.proxies {
        all.extend(plan_for_backend(&c, p).unwrap_or_else(|e| panic!("{e}")));
    }
    // per backend: (active, backup) servers up
    let mut up: std::collections::BTreeMap<String, (Vec<bool>, Vec<bool>)> = Default::default();
    for p in &all {
        let e = up.entry(p.backend.clone()).or_default();
        if p.backup {
            e.1.push(true)
        } else {
            e.0.push(true)
        }
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    spawn(all.clone(), tx, stop_rx);
    // 14 DOWN lines, b_404's "stopping" and b_late's UP on each side
    let server_lines = |v: &[String]| v.iter().filter(|l| l.contains("Server ")).count();
    let late_down = |v: &[String]| v.iter().any(|l| l.contains("b_late/s1 is DOWN"));
    let mut ours: Vec<String> = Vec::new();
    let mut err_lines: Vec<String> = Vec::new();
    let mut open_tx = Some(open_tx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while server_lines(&ours) < 16 || server_lines(&err_lines) < 16 {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            Some(l) = line_rx.recv() => err_lines.push(l),
            Some(ev) = next_transition(&mut rx) => {
                let plan = all
                    .iter()
                    .find(|p| p.backend == ev.backend && p.server == ev.server)
                    .unwrap_or_else(|| panic!("unknown server"));
                let Some(state) = up.get_mut(&ev.backend) else { continue };
                let pos = all
                    .iter()
                    .filter(|p| p.backend == ev.backend && p.backup == plan.backup)
                    .position(|p| p.server == ev.server)
                    .unwrap_or(0);
                let list = if plan.backup { &mut state.1 } else { &mut state.0 };
                if let Some(x) = list.get_mut(pos) {
                    *x = ev.up && !ev.draining;
                }
                let act = state.0.iter().filter(|&&b| b).count();
                let bck = state.1.iter().filter(|&&b| b).count();
                ours.push(transition_message(&ev, act, bck, 0, 0, 0));
                if act + bck == 0 {
                    ours.push(no_server_available_message(&ev.backend));
                }
            }
        }
        if late_down(&ours)
            && late_down(&err_lines)
            && let Some(t) = open_tx.take()
        {
            let _ = t.send(());
        }
    }
    let _ = stop_tx.send(true);
    let _ = child.start_kill();
    let _ = child.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
    let err_text = err_lines.join("\n");

    let norm = |s: &str| {
        let re = regex::Regex::new(r"check duration: \d+ms").unwrap_or_else(|e| panic!("{e}"));
        re.replace(s, "check duration: Nms").into_owned()
    };
    let mut theirs: Vec<String> = err_text
        .lines()
        .filter_map(|l| l.split_once(") : ").map(|x| x.1.to_string()))
        .filter(|l| l.contains("Server ") || l.contains("has no server available"))
        .map(|l| norm(&l))
        .collect();
    let mut ours: Vec<String> = ours.iter().map(|l| norm(l)).collect();
    theirs.sort();
    ours.sort();
    assert!(
        theirs.len() >= 16,
        "haproxy printed too little:\n{err_text}"
    );
    assert_eq!(ours, theirs, "\nhaproxy stderr:\n{err_text}");
}

#[tokio::test]
async fn pure_tcp_check_never_reaches_accept() {
    // HAProxy 2.6.12: a listener checked with a plain `check` accepted no connection at
    // all (the handshake's last ACK is held back and the socket reset), while a
    // redis-check reached it 9 times in 3 s.
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
    let text = format!("{HEAD}backend be\n    server s1 127.0.0.1:1 check\n");
    for _ in 0..3 {
        let o = check(&text, port).await;
        assert_eq!(out(&o), (Status::L4Ok, 0, ""));
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(150), l.accept())
            .await
            .is_err(),
        "a pure TCP check was accepted"
    );
    let redis = format!(
        "{HEAD}backend be\n    mode tcp\n    option redis-check\n    server s1 127.0.0.1:1 check inter 300\n"
    );
    let check_task = tokio::spawn(async move { check(&redis, port).await });
    assert!(
        tokio::time::timeout(Duration::from_millis(500), l.accept())
            .await
            .is_ok()
    );
    let _ = check_task.await;
}

#[tokio::test]
async fn unix_socket_server_is_checked() {
    let dir = std::env::temp_dir().join(format!("tandem-chk-unix-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("s.sock");
    let l = tokio::net::UnixListener::bind(&path).unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            let mut buf = vec![0u8; 512];
            let _ = c.read(&mut buf).await;
            let _ = c.write_all(b"HTTP/1.0 200 OK\r\n\r\n").await;
        }
    });
    let text = format!(
        "{HEAD}backend be\n    option httpchk GET /\n    server s1 unix@{} check\n",
        path.display()
    );
    let p = plans(&text, "be").remove(0);
    assert_eq!(
        p.target.unix.as_deref(),
        Some(path.to_string_lossy().as_ref())
    );
    let o = exec::run_check(&p, true).await;
    assert_eq!(out(&o), (Status::L7OkD, 200, ""));
    let _ = std::fs::remove_dir_all(&dir);
    let o = exec::run_check(&p, true).await;
    assert_eq!(o.status, Status::L4Con);
}

#[test]
fn info_bytes_are_encoded_as_haproxy() {
    // HAProxy 2.6.12, redis-check answered "-ERR \x7f\xe9<>\"q\ttab\r\n": info
    // "-ERR <7F><E9><3C><3E><22>q<09>tab".
    let e = ev(
        false,
        "Layer7 wrong status",
        Some(0),
        &exec::latin1(b"-ERR \x7f\xe9<>\"q\ttab"),
        2,
    );
    assert_eq!(
        e.status_text(),
        "Layer7 wrong status, code: 0, info: \"-ERR <7F><E9><3C><3E><22>q<09>tab\", check duration: 2ms"
    );
}

#[tokio::test]
async fn check_send_proxy_headers() {
    // HAProxy 2.6.12 with `check-send-proxy`: "PROXY TCP4 127.0.0.1 127.0.0.1 39164
    // 23952\r\nPOST /x HTTP/1.0\r\nx-a: b\r\ncontent-length: 2\r\n\r\nhi"; with the
    // server's `send-proxy-v2`: a v2 LOCAL header then the request.
    let (tx, mut rx) = mpsc::unbounded_channel::<(Vec<u8>, u16, u16)>();
    let port = serve(move |mut c| {
        let tx = tx.clone();
        async move {
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n".as_slice()) || got.len() < 20 {
                match tokio::time::timeout(Duration::from_millis(200), c.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
            let peer = c.peer_addr().map(|a| a.port()).unwrap_or(0);
            let local = c.local_addr().map(|a| a.port()).unwrap_or(0);
            let _ = tx.send((got, peer, local));
            let _ = c.write_all(b"HTTP/1.0 200 OK\r\n\r\n").await;
        }
    })
    .await;
    let text = format!(
        "{HEAD}backend be\n    option httpchk POST /x HTTP/1.0\n    http-check send hdr X-A b body hi\n    server s1 127.0.0.1:1 check check-send-proxy\n"
    );
    assert_eq!(check(&text, port).await.status, Status::L7OkD);
    let (got, peer, local) = rx.recv().await.unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&got),
        format!(
            "PROXY TCP4 127.0.0.1 127.0.0.1 {peer} {local}\r\nPOST /x HTTP/1.0\r\nx-a: b\r\ncontent-length: 2\r\n\r\nhi"
        )
    );
    let text = format!(
        "{HEAD}backend be\n    option httpchk GET /\n    server s1 127.0.0.1:1 check send-proxy-v2\n"
    );
    assert_eq!(check(&text, port).await.status, Status::L7OkD);
    let (got, _, _) = rx.recv().await.unwrap_or_default();
    assert_eq!(
        got,
        b"\r\n\r\n\x00\r\nQUIT\n \x00\x00\x00GET / HTTP/1.0\r\n\r\n".to_vec()
    );
}

#[tokio::test]
async fn http_check_with_two_connects() {
    // HAProxy 2.6.12 on this ruleset sent "GET /a HTTP/1.0\r\n\r\n" to the server port and
    // "GET /b HTTP/1.1\r\nhost: b.example\r\nconnection: close\r\n\r\n" to the second
    // port, then reported "Layer7 invalid response, info: \"HTTP content check did not
    // match\"".
    let (tx, mut rx) = mpsc::unbounded_channel::<(u16, Vec<u8>)>();
    let mk = |body: &'static [u8], tx: mpsc::UnboundedSender<(u16, Vec<u8>)>| {
        move |mut c: tokio::net::TcpStream| {
            let tx = tx.clone();
            async move {
                let mut buf = vec![0u8; 4096];
                let n = c.read(&mut buf).await.unwrap_or(0);
                let port = c.local_addr().map(|a| a.port()).unwrap_or(0);
                let _ = tx.send((port, buf[..n].to_vec()));
                let _ = c.write_all(body).await;
            }
        }
    };
    let a = serve(mk(b"HTTP/1.0 200 OK\r\n\r\n", tx.clone())).await;
    let b = serve(mk(b"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nyes!", tx)).await;
    let text = format!(
        "{HEAD}backend be\n    option httpchk\n    http-check connect\n    http-check send meth GET uri /a\n    http-check expect status 200\n    http-check connect port {b}\n    http-check send meth GET uri /b ver HTTP/1.1 hdr host b.example\n    http-check expect string nope\n    server s1 127.0.0.1:1 check\n"
    );
    let o = check(&text, a).await;
    assert_eq!(
        out(&o),
        (Status::L7Rsp, 200, "HTTP content check did not match")
    );
    let mut got = vec![
        rx.recv().await.unwrap_or_default(),
        rx.recv().await.unwrap_or_default(),
    ];
    got.sort();
    let mut want = vec![
        (a, b"GET /a HTTP/1.0\r\n\r\n".to_vec()),
        (
            b,
            b"GET /b HTTP/1.1\r\nhost: b.example\r\nconnection: close\r\n\r\n".to_vec(),
        ),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn comments_and_custom_errors() {
    // HAProxy 2.6.12 against a server answering "-ERR x\r\n" (b1..b3), an HTTP 200 with
    // "X-State: ko" (b4) and an HTTP 503 (b5).
    let err = serve(|c| reply_after_request(c, b"-ERR x\r\n")).await;
    let ko = serve(|c| reply_after_request(c, b"HTTP/1.0 200 OK\r\nX-State: ko\r\n\r\n")).await;
    let s503 = serve(|c| reply_after_request(c, b"HTTP/1.0 503 Unavailable\r\n\r\n")).await;
    let tcp = |rules: &str| {
        format!(
            "{HEAD}backend be\n    mode tcp\n    option tcp-check\n{rules}    server s1 127.0.0.1:1 check\n"
        )
    };
    let o = check(
        &tcp("    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG comment \"pong check\"\n"),
        err,
    )
    .await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK did not match content '+PONG' at step 2 comment: pong check"
        )
    );
    let o = check(
        &tcp("    tcp-check comment \"the ping\"\n    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG error-status L7STS on-error \"custom fail\"\n"),
        err,
    )
    .await;
    assert_eq!(out(&o), (Status::L7Sts, 0, "custom fail"));
    let o = check(
        &tcp("    tcp-check send PING\\r\\n\n    tcp-check expect ! rstring ^-ERR\n"),
        err,
    )
    .await;
    assert_eq!(
        out(&o),
        (
            Status::L7Rsp,
            0,
            "TCPCHK matched unwanted content (regex) at step 2"
        )
    );
    let http = |rules: &str| {
        format!(
            "{HEAD}backend be\n    option httpchk GET /\n{rules}    server s1 127.0.0.1:1 check\n"
        )
    };
    let o = check(
        &http("    http-check expect hdr name x-state value ok\n"),
        ko,
    )
    .await;
    assert_eq!(out(&o), (Status::L7Sts, 200, "OK"));
    let o = check(
        &http("    http-check expect hdr name x-state value ko\n"),
        ko,
    )
    .await;
    assert_eq!(o.status, Status::L7OkD);
    let o = check(
        &http("    http-check expect status 200 on-error \"bad status\"\n"),
        s503,
    )
    .await;
    assert_eq!(out(&o), (Status::L7Sts, 503, "bad status"));
}

#[test]
fn plan_reads_global_spreading() {
    let text = format!(
        "global\n    spread-checks 5\n    max-spread-checks 1500ms\n{HEAD}backend be\n    server s1 127.0.0.1:8080 check\n"
    );
    let p = plans(&text, "be");
    assert_eq!(p[0].params.spread_checks, 5);
    assert_eq!(p[0].max_spread_checks_ms, Some(1500));
}

#[test]
fn health_analysis_and_agent_lines_match_haproxy() {
    // HAProxy 2.6.12 on stderr: `observe layer7 error-limit 3 on-error mark-down` after
    // three 500s (no check duration), and an agent's `down`.
    let mut e = ev(
        false,
        "Health analyze",
        None,
        "Detected 3 consecutive errors, last one was: Wrong http response",
        7,
    );
    e.status = Status::Hana;
    e.health = 0;
    e.rise = 2;
    assert_eq!(
        check_log_message(&e, true),
        "Health check for server be/s1 failed, reason: Health analyze, info: \"Detected 3 consecutive errors, last one was: Wrong http response\", status: 0/2 DOWN."
    );
    let mut a = ev(false, "Layer7 wrong status", Some(0), "via agent : down", 0);
    a.status = Status::L7Sts;
    a.agent = Some(AgentOutcome { read: None });
    a.health = 0;
    a.rise = 1;
    a.fall = 1;
    assert_eq!(
        check_log_message(&a, true),
        "Agent check for server be/s1 failed, reason: Layer7 wrong status, code: 0, info: \"via agent : down\", check duration: 0ms, status: 0/1 DOWN."
    );
    assert_eq!(
        (Status::Hana.code(), Status::Checked.code()),
        (4, 3),
        "srv_check_status values"
    );
}
