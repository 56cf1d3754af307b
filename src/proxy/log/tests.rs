//! Every expected line below was measured on HAProxy 2.6.12 (Debian
//! 2.6.12-1+deb12u4): `haproxy -f cfg -db` on loopback with `log
//! 127.0.0.1:PORT local0` and a python UDP listener, curl / raw-socket
//! clients and a python backend. Records carry the timers, dates, ports and
//! PIDs HAProxy printed.

use std::net::SocketAddr;

use super::syslog::{self, Format, Identity, Level, frame, messages};
use super::*;

const T0: i64 = 1_795_317_646; // 2026-11-22 03:20:46 UTC

fn sa(s: &str) -> Option<SocketAddr> {
    s.parse().ok()
}

fn no_sample(_: &str) -> Option<String> {
    None
}

/// An `option httplog` record on fe_http (captures: Host, Content-Type).
fn http_rec(port: u16, ms: i64, timers: [i64; 5], status: i32, bytes: u64) -> LogRecord {
    LogRecord {
        mode: Mode::Http,
        client: sa(&format!("127.0.0.1:{port}")),
        frontend_addr: sa("127.0.0.1:23451"),
        frontend_name: "fe_http".into(),
        backend_name: Some("be_web".into()),
        server_name: Some("s1".into()),
        accept_date_ms: ms,
        th: 0,
        ti: 0,
        tr_req: timers[0],
        tw: timers[1],
        tc: timers[2],
        tr: timers[3],
        ta: timers[4],
        tt: timers[4],
        status,
        bytes_out: bytes,
        bytes_in: 80,
        req_captures: Some(vec![Some("127.0.0.1:23451".into())]),
        res_captures: Some(vec![Some("text/plain".into())]),
        actconn: 1,
        feconn: 1,
        term: *b"--",
        cookie_state: *b"--",
        pid: 30344,
        ..LogRecord::default()
    }
}

fn httplog() -> LogFormat {
    LogFormat::compile(DEFAULT_HTTP_LOG_FORMAT).unwrap()
}

fn id(pid: u32) -> Identity {
    Identity {
        hostname: None,
        tag: "haproxy".into(),
        pid,
        tz_offset_secs: Some(0),
    }
}

#[test]
fn httplog_200_and_frame() {
    let mut r = http_rec(60196, T0 * 1000 + 835, [0, 0, 0, 2, 3], 200, 142);
    r.request_line = Some("GET /a?b=1 HTTP/1.1".into());
    let line = httplog().render(&r, &no_sample);
    assert_eq!(
        line,
        r#"127.0.0.1:60196 [22/Nov/2026:03:20:46.835] fe_http be_web/s1 0/0/0/2/3 200 142 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:23451} {text/plain} "GET /a?b=1 HTTP/1.1""#
    );
    let bytes = frame(
        Format::Rfc3164,
        16,
        Level::Info,
        &id(30344),
        T0 * 1_000_000 + 836_000,
        None,
        &line,
        1024,
    );
    assert_eq!(
        bytes,
        b"<134>Nov 22 03:20:46 haproxy[30344]: 127.0.0.1:60196 [22/Nov/2026:03:20:46.835] fe_http be_web/s1 0/0/0/2/3 200 142 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:23451} {text/plain} \"GET /a?b=1 HTTP/1.1\"\n".to_vec()
    );
}

#[test]
fn httplog_404_503_504() {
    let mut r = http_rec(60200, T0 * 1000 + 862, [0, 0, 0, 4, 5], 404, 149);
    r.request_line = Some("GET /missing HTTP/1.1".into());
    assert_eq!(
        httplog().render(&r, &no_sample),
        r#"127.0.0.1:60200 [22/Nov/2026:03:20:46.862] fe_http be_web/s1 0/0/0/4/5 404 149 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:23451} {text/plain} "GET /missing HTTP/1.1""#
    );

    // use_backend to a backend without servers.
    let mut r = http_rec(60202, T0 * 1000 + 879, [0, -1, -1, -1, 0], 503, 217);
    r.request_line = Some("GET /none HTTP/1.1".into());
    r.backend_name = Some("be_none".into());
    r.server_name = None;
    r.res_captures = Some(vec![None]);
    r.term = *b"SC";
    assert_eq!(
        httplog().render(&r, &no_sample),
        r#"127.0.0.1:60202 [22/Nov/2026:03:20:46.879] fe_http be_none/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 {127.0.0.1:23451} {} "GET /none HTTP/1.1""#
    );

    // Server too slow: timeout server 3s.
    let mut r = http_rec(60214, (T0 + 1) * 1000 + 360, [0, 0, 0, -1, 3000], 504, 198);
    r.request_line = Some("GET /slow HTTP/1.1".into());
    r.res_captures = Some(vec![None]);
    r.term = *b"sH";
    r.is_error = true;
    assert_eq!(
        httplog().render(&r, &no_sample),
        r#"127.0.0.1:60214 [22/Nov/2026:03:20:47.360] fe_http be_web/s1 0/0/0/-1/3000 504 198 - - sH-- 1/1/0/0/0 0/0 {127.0.0.1:23451} {} "GET /slow HTTP/1.1""#
    );
}

/// Errors before a stream exists: no backend, no captures (the `%hr %hs`
/// fields vanish with their separators), `<BADREQ>`, 0 bytes.
#[test]
fn httplog_408_400_empty() {
    let early = |port: u16, ms: i64, tt: i64, status: i32, term: &[u8; 2]| LogRecord {
        mode: Mode::Http,
        client: sa(&format!("127.0.0.1:{port}")),
        frontend_name: "fe_http".into(),
        accept_date_ms: ms,
        tt,
        ta: tt,
        status,
        term: *term,
        actconn: 1,
        feconn: 1,
        ..LogRecord::default()
    };
    let f = httplog();
    assert_eq!(
        f.render(
            &early(58532, 1_795_317_658_821, 1001, 408, b"cR"),
            &no_sample
        ),
        r#"127.0.0.1:58532 [22/Nov/2026:03:20:58.821] fe_http fe_http/<NOSRV> -1/-1/-1/-1/1001 408 0 - - cR-- 1/1/0/0/0 0/0 "<BADREQ>""#
    );
    assert_eq!(
        f.render(&early(58542, 1_795_317_660_446, 0, 400, b"PR"), &no_sample),
        r#"127.0.0.1:58542 [22/Nov/2026:03:21:00.446] fe_http fe_http/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#
    );
    let empty = early(58548, 1_795_317_661_070, 0, 400, b"CR");
    assert_eq!(
        f.render(&empty, &no_sample),
        r#"127.0.0.1:58548 [22/Nov/2026:03:21:01.070] fe_http fe_http/<NOSRV> -1/-1/-1/-1/0 400 0 - - CR-- 1/1/0/0/0 0/0 "<BADREQ>""#
    );
    // That null connection is what `option dontlognull` suppresses.
    let opts = LogOptions {
        dontlognull: true,
        ..LogOptions::default()
    };
    assert!(!should_log(&opts, &empty));
    assert!(should_log(&LogOptions::default(), &empty));
}

#[test]
fn clf() {
    let mut r = http_rec(56456, T0 * 1000 + 891, [0, 0, 0, 4, 4], 200, 142);
    r.frontend_name = "fe_clf".into();
    r.request_line = Some("GET /a?b=1 HTTP/1.1".into());
    r.req_captures = Some(vec![]);
    r.res_captures = Some(vec![]);
    let f = LogFormat::compile(CLF_LOG_FORMAT).unwrap();
    // Note the trailing space: %hrl/%hsl print nothing without captures.
    assert_eq!(
        f.render(&r, &no_sample),
        r#"127.0.0.1 - - [22/Nov/2026:03:20:46 +0000] "GET /a?b=1 HTTP/1.1" 200 142 "" "" 56456 891 "fe_clf" "be_web" "s1" 0 0 0 4 4 ---- 1 1 0 0 0 0 0 "" "" "#
    );
}

#[test]
fn custom_format_flags_samples_and_captures() {
    // log-format "%ci %{+Q}r %ST %[src] %{+Q}[str(ab)] %{+E}[capture.req.hdr(0)] %% %{+X}ci %tsc %{-Q}o %HM %HU %HV %HP %hrl %hr x"
    // with `capture request header X-A len 20`, request header `X-A: q"z]`.
    let f = LogFormat::compile(
        r#"%ci %{+Q}r %ST %[src] %{+Q}[str(ab)] %{+E}[capture.req.hdr(0)] %% %{+X}ci %tsc %{-Q}o %HM %HU %HV %HP %hrl %hr x"#,
    )
    .unwrap();
    let mut r = http_rec(1, T0 * 1000, [0, 0, 0, 1, 1], 200, 142);
    r.request_line = Some("GET /a?b=1 HTTP/1.1".into());
    r.req_captures = Some(vec![Some("q\"z]".into())]);
    let cap = r.req_captures.clone();
    let sample = move |e: &str| -> Option<String> {
        match e {
            "src" => Some("127.0.0.1".into()),
            "str(ab)" => Some("ab".into()),
            "capture.req.hdr(0)" => cap.as_ref()?.first()?.clone(),
            _ => None,
        }
    };
    assert_eq!(
        f.render(&r, &sample),
        r#"127.0.0.1 "GET /a?b=1 HTTP/1.1" 200 127.0.0.1 "ab" q\"z\] % 7F000001 ---- GET /a?b=1 HTTP/1.1 /a q#22z] {q#22z]} x"#
    );
    r.request_line = Some("GET /missing HTTP/1.1".into());
    r.status = 404;
    r.req_captures = Some(vec![None]);
    let sample2 = |e: &str| sample(e).filter(|_| e != "capture.req.hdr(0)");
    assert_eq!(
        f.render(&r, &sample2),
        r#"127.0.0.1 "GET /missing HTTP/1.1" 404 127.0.0.1 "ab" - % 7F000001 ---- GET /missing HTTP/1.1 /missing - {} x"#
    );
}

fn tcp_rec(port: u16, ms: i64, bytes: u64, actconn: u64) -> LogRecord {
    LogRecord {
        mode: Mode::Tcp,
        client: sa(&format!("127.0.0.1:{port}")),
        frontend_addr: sa("127.0.0.1:23472"),
        backend_src: sa("127.0.0.1:40000"),
        server_addr: sa("127.0.0.1:23460"),
        frontend_name: "fe_tcp".into(),
        backend_name: Some("be_tcp".into()),
        server_name: Some("t1".into()),
        accept_date_ms: ms,
        tw: 1,
        tc: 0,
        tt: 4,
        bytes_out: bytes,
        actconn,
        feconn: 1,
        ..LogRecord::default()
    }
}

#[test]
fn tcplog() {
    let f = LogFormat::compile_for(DEFAULT_TCP_LOG_FORMAT, false).unwrap();
    assert_eq!(
        f.render(&tcp_rec(47610, 1_795_317_658_163, 143, 1), &no_sample),
        "127.0.0.1:47610 [22/Nov/2026:03:20:58.163] fe_tcp be_tcp/t1 1/0/4 143 -- 1/1/0/0/0 0/0"
    );
    // Client connected and closed at once.
    assert_eq!(
        f.render(&tcp_rec(33918, 1_795_317_662_582, 0, 2), &no_sample),
        "127.0.0.1:33918 [22/Nov/2026:03:21:02.582] fe_tcp be_tcp/t1 1/0/4 0 -- 2/1/0/0/0 0/0"
    );
}

#[test]
fn tcp_custom_format() {
    let f = LogFormat::compile_for(
        "%ST|%B|%U|%b|%s|%tsc|%ts|%hr|%Th|%Td|%Tu|%Tt|%ID|%sslv|%si|%sp|%bi|%fi:%fp|%f|%ft|%rt|%lc|%{+Q}H",
        false,
    )
    .unwrap();
    let mut r = tcp_rec(1, 0, 143, 1);
    r.frontend_name = "fe_t".into();
    r.backend_name = Some("be_t".into());
    r.bytes_in = 23;
    r.tw = 0;
    r.hostname = "vm".into();
    assert_eq!(
        f.render(&r, &no_sample),
        r#"0|143|23|be_t|t1|----|--||0|4|4|4|-|-|127.0.0.1|23460|127.0.0.1|127.0.0.1:23472|fe_t|fe_t|0|0|"vm""#
    );
    assert_eq!(
        LogFormat::compile_for("%ci %r", false),
        Err(LogFormatError::HttpOnly("r".into()))
    );
    assert_eq!(
        LogFormatError::HttpOnly("r".into()).to_string(),
        "format variable 'r' is reserved for HTTP mode"
    );
}

#[test]
fn legacy_default_line() {
    assert_eq!(
        legacy_connect_line(
            "127.0.0.1:53994".parse().unwrap(),
            "127.0.0.1:23455".parse().unwrap(),
            "fe_def",
            Mode::Http
        ),
        "Connect from 127.0.0.1:53994 to 127.0.0.1:23455 (fe_def/HTTP)"
    );
}

#[test]
fn syslog_formats() {
    // global: log-send-hostname myhost, log-tag mytag; one target per format.
    let msg = r#"127.0.0.1:32998 [22/Nov/2026:03:23:00.298] fe_f be_web/s1 0/0/0/1/1 200 142 - - ---- 1/1/0/0/0 0/0 "GET /x HTTP/1.1""#;
    let ident = Identity {
        hostname: Some("myhost".into()),
        tag: "mytag".into(),
        pid: 32436,
        tz_offset_secs: Some(0),
    };
    let s = 1_795_317_780i64 * 1_000_000;
    let f = |fmt: Format, fac: u8, us: i64, len: usize| {
        String::from_utf8(frame(fmt, fac, Level::Info, &ident, s + us, None, msg, len)).unwrap()
    };
    assert_eq!(
        f(Format::Rfc3164, 16, 300_000, 1024),
        format!("<134>Nov 22 03:23:00 myhost mytag[32436]: {msg}\n")
    );
    assert_eq!(
        f(Format::Rfc5424, 17, 300_204, 1024),
        format!("<142>1 2026-11-22T03:23:00.300204+00:00 myhost mytag 32436 - - {msg}\n")
    );
    assert_eq!(f(Format::Raw, 18, 0, 1024), format!("{msg}\n"));
    assert_eq!(f(Format::Short, 19, 0, 1024), format!("<6>{msg}\n"));
    assert_eq!(
        f(Format::Iso, 20, 300_228, 1024),
        format!("2026-11-22T03:23:00.300228+00:00 {msg}\n")
    );
    assert_eq!(f(Format::Priority, 21, 0, 1024), format!("<174>{msg}\n"));
    assert_eq!(
        f(Format::Timed, 22, 300_239, 1024),
        format!("<6>2026-11-22T03:23:00.300239+00:00 {msg}\n")
    );
    assert_eq!(
        f(Format::Local, 23, 0, 1024),
        format!("<190>Nov 22 03:23:00 mytag[32436]: {msg}\n")
    );
    // `len 80 ... user`.
    assert_eq!(
        f(Format::Rfc3164, 1, 0, 80),
        "<14>Nov 22 03:23:00 myhost mytag[32436]: 127.0.0.1:32998 [22/Nov/2026:03:23:00.2\n"
    );
}

#[test]
fn server_messages() {
    let reason = messages::check_reason("Layer4 connection problem", Some("Connection refused"), 0);
    // Without option log-health-checks.
    assert_eq!(
        messages::server_down("be_c", "c1", Some(&reason), 0, 0, 0, 0, 0),
        (
            Level::Alert,
            r#"Server be_c/c1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."#.to_string()
        )
    );
    let up = messages::check_reason("Layer4 check passed", None, 0);
    assert_eq!(
        messages::server_up("be_c", "c1", Some(&up), 1, 0, 0, 0),
        (
            Level::Notice,
            "Server be_c/c1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.".to_string()
        )
    );
    // With option log-health-checks.
    assert_eq!(
        messages::health_check("be_chk", "c1", false, &reason, 0, 1, false),
        (
            Level::Notice,
            r#"Health check for server be_chk/c1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/1 DOWN."#.to_string()
        )
    );
    assert_eq!(
        messages::server_down("be_chk", "c1", None, 0, 0, 0, 0, 0).1,
        "Server be_chk/c1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    );
    assert_eq!(
        messages::no_server("be_c"),
        (
            Level::Emerg,
            "backend be_c has no server available!".to_string()
        )
    );
    assert_eq!(
        messages::proxy_stopped("fe_t", 1, 0),
        (
            Level::Warning,
            "Proxy fe_t stopped (cumulated conns: FE: 1, BE: 0).".to_string()
        )
    );
    // Priorities seen: local0 + notice = 133, + alert = 129, + emerg = 128, + warning = 132.
    let b = frame(
        Format::Rfc3164,
        16,
        Level::Emerg,
        &id(3682),
        1_795_318_073 * 1_000_000,
        None,
        "backend be_c has no server available!",
        1024,
    );
    assert_eq!(
        b,
        b"<128>Nov 22 03:27:53 haproxy[3682]: backend be_c has no server available!\n".to_vec()
    );
}

#[test]
fn compile_errors_and_escapes() {
    assert_eq!(
        LogFormat::compile("%zz"),
        Err(LogFormatError::UnknownVar("zz".into()))
    );
    assert!(matches!(
        LogFormat::compile("%[src"),
        Err(LogFormatError::UnterminatedExpr(_))
    ));
    assert!(matches!(
        LogFormat::compile("%{+Q"),
        Err(LogFormatError::UnterminatedArgs(_))
    ));
    assert!(matches!(
        LogFormat::compile("%{+Z}ci"),
        Err(LogFormatError::BadFlag(_))
    ));
    assert_eq!(LogFormat::compile("a%"), Err(LogFormatError::MissingVar));
    // Runs of spaces collapse to one separator.
    let f = LogFormat::compile("a   b%%c").unwrap();
    assert_eq!(f.render(&LogRecord::default(), &no_sample), "a b%c");
    // %r encodes control chars, '"' and '#'.
    let f = LogFormat::compile("%r").unwrap();
    let r = LogRecord {
        request_line: Some("GET /a\"#\u{1} HTTP/1.1".into()),
        ..LogRecord::default()
    };
    assert_eq!(f.render(&r, &no_sample), "GET /a#22#23#01 HTTP/1.1");
}

#[test]
fn targets_from_ir() {
    use crate::ir::haproxy::{Global, LogTarget};
    let t = |addr: &str, opts: &[&str], fac: &str, lvl: Option<&str>| LogTarget::Target {
        address: addr.into(),
        options: opts.iter().map(|s| s.to_string()).collect(),
        facility: fac.into(),
        level: lvl.map(str::to_string),
        min_level: None,
    };
    let global = Global {
        log: vec![
            t("127.0.0.1:23450", &[], "local0", None),
            t(
                "127.0.0.1",
                &["len 2048", "format raw"],
                "local1",
                Some("notice"),
            ),
        ],
        ..Global::default()
    };
    let specs = syslog::resolve_specs(&global, &[LogTarget::Global]).unwrap();
    assert_eq!(specs.len(), 2);
    assert_eq!(
        specs[0].dest,
        syslog::Dest::Udp("127.0.0.1:23450".parse().unwrap())
    );
    assert_eq!(specs[0].facility, 16);
    assert_eq!(
        specs[1].dest,
        syslog::Dest::Udp("127.0.0.1:514".parse().unwrap())
    );
    assert_eq!((specs[1].maxlen, specs[1].format), (2048, Format::Raw));
    // The notice target drops info traffic logs (measured: only local0 got them).
    assert_eq!(specs[1].effective_level(Level::Info), None);
    assert_eq!(specs[1].effective_level(Level::Alert), Some(Level::Alert));
    assert!(syslog::resolve_specs(&global, &[]).unwrap().is_empty());
    assert_eq!(
        syslog::parse_dest("/dev/log"),
        Ok(syslog::Dest::Unix("/dev/log".into()))
    );
    assert_eq!(syslog::parse_dest("fd@1"), Ok(syslog::Dest::Stdout));
    assert_eq!(
        syslog::parse_dest("ring@buf"),
        Ok(syslog::Dest::Ring("buf".into()))
    );
    assert_eq!(
        syslog::parse_dest("[::1]:600"),
        Ok(syslog::Dest::Udp("[::1]:600".parse().unwrap()))
    );
    // `log ${UNSET}:${UNSET}` (HAProxy's reg-test agent-check): 2.6.12 starts with it
    assert_eq!(
        syslog::parse_dest(":"),
        Ok(syslog::Dest::Udp("0.0.0.0:514".parse().unwrap()))
    );
    assert_eq!(
        syslog::parse_dest("127.0.0.1:0"),
        Ok(syslog::Dest::Udp("127.0.0.1:514".parse().unwrap()))
    );
}

/// Sends to a real loopback UDP socket; a full/unreachable path never blocks.
#[test]
fn udp_send_loopback() {
    let rx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let spec = syslog::TargetSpec {
        dest: syslog::Dest::Udp(rx.local_addr().unwrap()),
        format: Format::Raw,
        facility: 16,
        max_level: Level::Debug,
        min_level: Level::Emerg,
        maxlen: 1024,
        sample: None,
    };
    let targets = syslog::LogTargets::open(vec![spec], id(1)).unwrap();
    targets.send(Level::Info, "hello", 0);
    let mut buf = [0u8; 100];
    let n = rx.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello\n");
    assert_eq!(targets.dropped(), 0);
}

#[test]
fn sampling() {
    use crate::ir::haproxy::LogTarget;
    let spec = syslog::TargetSpec::from_ir(&LogTarget::Target {
        address: "127.0.0.1:1".into(),
        options: vec!["sample 1-2,4:5".into()],
        facility: "local0".into(),
        level: None,
        min_level: Some("notice".into()),
    })
    .unwrap()
    .unwrap();
    let s = spec.sample.clone().unwrap();
    assert_eq!(s.size, 5);
    assert_eq!(s.ranges, vec![(1, 2), (4, 4)]);
    // The minimum level caps more severe messages.
    assert_eq!(spec.effective_level(Level::Emerg), Some(Level::Notice));
}

#[test]
fn separate_errors_and_dontlog_normal() {
    let ok = http_rec(1, 0, [0, 0, 0, 1, 1], 200, 1);
    let mut bad = ok.clone();
    bad.status = 503;
    bad.term = *b"SC";
    let o = LogOptions {
        log_separate_errors: true,
        dontlog_normal: true,
        ..LogOptions::default()
    };
    assert!(!should_log(&o, &ok));
    assert!(should_log(&o, &bad));
    assert_eq!(o.level(&bad), Level::Err);
    assert_eq!(LogOptions::default().level(&bad), Level::Info);
}

/// `option dontlognull` + `option log-separate-errors`, rfc5424 without
/// log-send-hostname, `retries 2` + `option redispatch` with a dead first
/// server; and `option logasap` (HAProxy 2.6.12).
#[test]
fn redispatch_err_level_rfc5424_and_logasap() {
    let mut r = http_rec(59880, 1_795_318_687_604, [0, 0, 0, 0, 0], 200, 142);
    r.frontend_name = "fe_k".into();
    r.backend_name = Some("be_k".into());
    r.req_captures = None;
    r.res_captures = None;
    r.request_line = Some("GET /r1 HTTP/1.1".into());
    r.retries = 1;
    r.redispatched = true;
    r.pid = 14049;
    let o = LogOptions {
        dontlognull: true,
        log_separate_errors: true,
        ..LogOptions::default()
    };
    assert!(should_log(&o, &r));
    let line = httplog().render(&r, &no_sample);
    let b = frame(
        Format::Rfc5424,
        16,
        o.level(&r),
        &id(14049),
        1_795_318_687_605_407,
        None,
        &line,
        1024,
    );
    assert_eq!(
        String::from_utf8(b).unwrap(),
        "<131>1 2026-11-22T03:38:07.605407+00:00 - haproxy 14049 - - 127.0.0.1:59880 [22/Nov/2026:03:38:07.604] fe_k be_k/s1 0/0/0/0/0 200 142 - - ---- 1/1/0/0/+1 0/0 \"GET /r1 HTTP/1.1\"\n"
    );

    let mut a = r.clone();
    a.client = sa("127.0.0.1:51260");
    a.frontend_name = "fe_a".into();
    a.accept_date_ms = 1_795_318_690_177;
    a.request_line = Some("GET /la HTTP/1.1".into());
    a.logasap = true;
    a.beconn = 1;
    a.srv_conn = 1;
    assert_eq!(
        httplog().render(&a, &no_sample),
        r#"127.0.0.1:51260 [22/Nov/2026:03:38:10.177] fe_a be_k/s1 0/0/0/0/+0 200 +142 - - ---- 1/1/1/1/+1 0/0 "GET /la HTTP/1.1""#
    );
    // Plain success is info.
    assert_eq!(
        LogOptions::default().level(&http_rec(1, 0, [0; 5], 200, 1)),
        Level::Info
    );
}

fn opt(name: &str, args: &[&str]) -> crate::ir::haproxy::ProxyOption {
    crate::ir::haproxy::ProxyOption {
        span: Default::default(),
        name: name.into(),
        enabled: true,
        args: args.iter().map(|s| s.to_string()).collect(),
    }
}

/// The whole path the engine uses: IR -> ProxyLog -> UDP datagram.
#[test]
fn proxy_log_end_to_end() {
    use crate::ir::haproxy::{Global, LogTarget, Mode as IrMode, ProxySettings};
    let rx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let global = Global {
        log: vec![LogTarget::Target {
            address: rx.local_addr().unwrap().to_string(),
            options: vec!["format raw".into()],
            facility: "local0".into(),
            level: None,
            min_level: None,
        }],
        ..Global::default()
    };
    let mut s = ProxySettings {
        mode: Some(IrMode::Http),
        log: vec![LogTarget::Global],
        options: vec![opt("httplog", &[]), opt("dontlognull", &[])],
        ..ProxySettings::default()
    };
    let pl = ProxyLog::from_ir(&global, &s).unwrap();
    assert!(pl.is_active());
    let mut r = http_rec(60196, T0 * 1000 + 835, [0, 0, 0, 2, 3], 200, 142);
    r.request_line = Some("GET /a?b=1 HTTP/1.1".into());
    assert!(pl.log(&r, &no_sample));
    let mut buf = [0u8; 2048];
    let n = rx.recv(&mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        "127.0.0.1:60196 [22/Nov/2026:03:20:46.835] fe_http be_web/s1 0/0/0/2/3 200 142 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:23451} {text/plain} \"GET /a?b=1 HTTP/1.1\"\n"
    );
    // A null connection is not logged under dontlognull.
    let null = LogRecord {
        mode: Mode::Http,
        ..LogRecord::default()
    };
    assert!(!pl.log(&null, &no_sample));
    // No option, no log-format: the legacy accept line.
    s.options.clear();
    let pl = ProxyLog::from_ir(&global, &s).unwrap();
    assert!(pl.log_accept(
        "127.0.0.1:53994".parse().unwrap(),
        "127.0.0.1:23455".parse().unwrap(),
        "fe_def"
    ));
    let n = rx.recv(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        b"Connect from 127.0.0.1:53994 to 127.0.0.1:23455 (fe_def/HTTP)\n"
    );
    // httplog in a TCP proxy falls back to tcplog; `no log` sends nothing.
    s.mode = Some(IrMode::Tcp);
    s.options = vec![opt("httplog", &[])];
    s.log.clear();
    let pl = ProxyLog::from_ir(&global, &s).unwrap();
    assert_eq!(
        pl.format,
        Some(LogFormat::compile_for(DEFAULT_TCP_LOG_FORMAT, false).unwrap())
    );
    assert!(!pl.is_active());
    assert!(!pl.log(&r, &no_sample));
}

/// `option log-health-checks`, `check inter 500 fall 2 rise 2`, a server
/// that comes up then goes away (HAProxy 2.6.12, all at local0 notice
/// except DOWN = alert and "no server available" = emerg).
#[test]
fn health_check_sequence() {
    let ok = messages::check_reason("Layer4 check passed", None, 0);
    let ko = messages::check_reason("Layer4 connection problem", Some("Connection refused"), 0);
    let lines = [
        messages::health_check("be_c", "c1", true, &ok, 1, 2, false),
        messages::health_check("be_c", "c1", true, &ok, 2, 2, true),
        messages::server_up("be_c", "c1", None, 1, 0, 0, 0),
        messages::health_check("be_c", "c1", false, &ko, 1, 2, true),
        messages::health_check("be_c", "c1", false, &ko, 0, 2, false),
        messages::server_down("be_c", "c1", None, 0, 0, 0, 0, 0),
        messages::no_server("be_c"),
    ];
    let got: Vec<String> = lines
        .iter()
        .map(|(lvl, m)| {
            String::from_utf8(frame(
                Format::Rfc3164,
                16,
                *lvl,
                &id(16493),
                1_795_318_838 * 1_000_000,
                None,
                m,
                1024,
            ))
            .unwrap()
        })
        .collect();
    let want = [
        "<133>Nov 22 03:40:38 haproxy[16493]: Health check for server be_c/c1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 1/2 DOWN.\n",
        "<133>Nov 22 03:40:38 haproxy[16493]: Health check for server be_c/c1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 2/2 UP.\n",
        "<133>Nov 22 03:40:38 haproxy[16493]: Server be_c/c1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.\n",
        "<133>Nov 22 03:40:38 haproxy[16493]: Health check for server be_c/c1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 1/2 UP.\n",
        "<133>Nov 22 03:40:38 haproxy[16493]: Health check for server be_c/c1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/2 DOWN.\n",
        "<129>Nov 22 03:40:38 haproxy[16493]: Server be_c/c1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n",
        "<128>Nov 22 03:40:38 haproxy[16493]: backend be_c has no server available!\n",
    ];
    assert_eq!(got, want);
}

#[test]
fn stderr_warning_line_is_haproxys() {
    // HAProxy 2.6.12 with `-db` and `option log-health-checks` (measured)
    assert_eq!(
        super::warning_line(
            3960,
            "Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: 4ms, status: 2/2 UP."
        ),
        "[WARNING]  (3960) : Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: 4ms, status: 2/2 UP.\n"
    );
}

/// HAProxy 2.6's reg-test log/log_uri: `hpo=%HPO hp=%HP hu=%HU hq=%HQ` for origin and
/// absolute forms.
#[test]
fn path_only_variable() {
    let f = LogFormat::compile("hpo=%HPO hp=%HP hu=%HU hq=%HQ").unwrap();
    let mut r = http_rec(1, T0 * 1000, [0, 0, 0, 1, 1], 200, 142);
    let none = |_: &str| -> Option<String> { None };
    for (line, want) in [
        ("GET /r/1 HTTP/1.1", "hpo=/r/1 hp=/r/1 hu=/r/1 hq="),
        (
            "GET /r/2?q=2 HTTP/1.1",
            "hpo=/r/2 hp=/r/2 hu=/r/2?q=2 hq=?q=2",
        ),
        (
            "GET http://localhost/r/3 HTTP/1.1",
            "hpo=/r/3 hp=http://localhost/r/3 hu=http://localhost/r/3 hq=",
        ),
        (
            "GET http://localhost/r/4?q=4 HTTP/1.1",
            "hpo=/r/4 hp=http://localhost/r/4 hu=http://localhost/r/4?q=4 hq=?q=4",
        ),
    ] {
        r.request_line = Some(line.into());
        assert_eq!(f.render(&r, &none), want);
    }
}
