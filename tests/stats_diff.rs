//! Statistics and runtime API against the real HAProxy 2.6: the same config, backends and
//! traffic run through `/usr/sbin/haproxy` and through tandem, and what their `stats
//! socket`s answer is compared:
//! - `show stat`: the CSV header is identical; every row has the same values in the
//!   columns the traffic determines (sessions, HTTP status classes, statuses, weights,
//!   ids, limits...). Timers, rates and `bin`/`bout` are left out: HAProxy counts the
//!   latter in its internal (HTX) form;
//! - `show info` has HAProxy's field names, in its order;
//! - `show servers state` is identical after the same state changes (the seconds since
//!   the last change masked);
//! - admin actions change routing at once: a drained or maintenance server gets no new
//!   request, the backup takes over;
//! - the rights of a `level user` socket and the error texts are HAProxy's;
//! - `/metrics` has HAProxy's metric families, and `promtool check metrics` accepts it.
//!
//! Skipped (with a message) when `/usr/sbin/haproxy` or `socat`-free unix sockets are not
//! available. `STATS_DIFF_KEEP=1` keeps the work directory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const HAPROXY: &str = "/usr/sbin/haproxy";

#[path = "common/backends.rs"]
mod backends;
use backends::{Proc, start_backends};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

struct Subject {
    _proc: Proc,
    sock: PathBuf,
    usock: PathBuf,
    port: u16,
    stats_port: u16,
}

fn config(dir: &Path, port: u16, stats_port: u16, be: &[u16]) -> String {
    format!(
        "global\n    stats socket {d}/admin.sock level admin\n    stats socket {d}/user.sock level user\n    maxconn 1000\n\
defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n    http-request use-service prometheus-exporter if {{ path /metrics }}\n\
backend be\n    server s1 127.0.0.1:{} \n    server s2 127.0.0.1:{} weight 3\n    server s3 127.0.0.1:{} backup\n\
listen st\n    bind 127.0.0.1:{stats_port}\n    stats enable\n    stats uri /stats\n",
        be[0],
        be[1],
        be[2],
        d = dir.display()
    )
}

fn start(bin: &str, pre: &[&str], dir: &Path, be: &[u16]) -> Subject {
    std::fs::create_dir_all(dir).expect("dir");
    let port = free_port();
    let stats_port = free_port();
    let cfg = dir.join("cfg");
    std::fs::write(&cfg, config(dir, port, stats_port, be)).expect("cfg");
    let log = std::fs::File::create(dir.join("stderr")).expect("log");
    let child = Command::new(bin)
        .args(pre)
        .arg("-f")
        .arg(&cfg)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn");
    let s = Subject {
        _proc: Proc(child),
        sock: dir.join("admin.sock"),
        usock: dir.join("user.sock"),
        port,
        stats_port,
    };
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) {
        if UnixStream::connect(&s.sock).is_ok() && TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{bin} did not start: {}",
        std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
    );
}

fn cli(sock: &Path, cmd: &str) -> String {
    let mut s = UnixStream::connect(sock).expect("connect socket");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(format!("{cmd}\n").as_bytes()).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// One request on its own connection; returns (status line, x-srv).
fn get(port: u16, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n").as_bytes())
        .expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.lines().next().unwrap_or("").to_string();
    let srv = text
        .lines()
        .find_map(|l| l.strip_prefix("x-srv: "))
        .unwrap_or("")
        .to_string();
    // A reply that no server made (an error page) has no x-srv header.
    (status, srv)
}

fn get_body(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n").as_bytes())
        .expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    match text.split_once("\r\n\r\n") {
        Some((head, body))
            if head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked") =>
        {
            dechunk(body)
        }
        Some((_, body)) => body.to_string(),
        None => String::new(),
    }
}

fn dechunk(mut b: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = b.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        b = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The columns whose values the traffic and the configuration determine (`smax` is not:
/// HAProxy may still hold the previous connection when the next one is accepted).
const COMPARED: &[&str] = &[
    "pxname",
    "svname",
    "qcur",
    "qmax",
    "scur",
    "slim",
    "stot",
    "dreq",
    "dresp",
    "ereq",
    "econ",
    "eresp",
    "wretr",
    "wredis",
    "status",
    "weight",
    "act",
    "bck",
    "chkfail",
    "chkdown",
    "downtime",
    "qlimit",
    "pid",
    "iid",
    "sid",
    "throttle",
    "lbtot",
    "tracked",
    "type",
    "rate_lim",
    "check_status",
    "check_code",
    "hrsp_1xx",
    "hrsp_2xx",
    "hrsp_3xx",
    "hrsp_4xx",
    "hrsp_5xx",
    "hrsp_other",
    "hanafail",
    "req_tot",
    "cli_abrt",
    "srv_abrt",
    "comp_in",
    "comp_out",
    "comp_byp",
    "comp_rsp",
    "agent_status",
    "check_desc",
    "check_rise",
    "check_fall",
    "check_health",
    "addr",
    "cookie",
    "mode",
    "algo",
    "conn_tot",
    "intercepted",
    "dcon",
    "dses",
    "wrew",
    "connect",
    "reuse",
    "cache_lookups",
    "cache_hits",
    "eint",
    "uweight",
];

fn stat_rows(csv: &str) -> (String, Vec<Vec<(String, String)>>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or("").to_string();
    let names: Vec<&str> = header.trim_start_matches("# ").split(',').collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            names
                .iter()
                .zip(l.split(','))
                .filter(|(n, _)| COMPARED.contains(n))
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    (header, rows)
}

fn compare_stats(h: &Subject, t: &Subject, what: &str) -> Vec<String> {
    let hs = cli(&h.sock, "show stat");
    let ts = cli(&t.sock, "show stat");
    let (hh, hr) = stat_rows(&hs);
    let (th, tr) = stat_rows(&ts);
    let mut diffs = Vec::new();
    if hh != th {
        diffs.push(format!(
            "{what}: header differs:\n  haproxy {hh}\n  tandem  {th}"
        ));
    }
    if hr.len() != tr.len() {
        diffs.push(format!("{what}: {} rows vs {} rows", hr.len(), tr.len()));
    }
    for (a, b) in hr.iter().zip(&tr) {
        let id = format!(
            "{}/{}",
            a.first().map_or("", |x| x.1.as_str()),
            a.get(1).map_or("", |x| x.1.as_str())
        );
        for ((n, va), (_, vb)) in a.iter().zip(b) {
            if va != vb {
                diffs.push(format!("{what}: {id} {n}: haproxy '{va}' tandem '{vb}'"));
            }
        }
    }
    diffs
}

/// `show servers state` with the seconds since the last change masked.
fn servers_state(sock: &Path) -> String {
    cli(sock, "show servers state")
        .lines()
        .map(|l| {
            let mut w: Vec<&str> = l.split(' ').collect();
            if w.len() > 20 && !l.starts_with('#') {
                w[9] = "T";
            }
            w.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn stats_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2", "s3"]);
    let h = start(HAPROXY, &[], &work.join("haproxy"), &backends.ports);
    let t = start(
        env!("CARGO_BIN_EXE_tandem"),
        &["haproxy"],
        &work.join("tandem"),
        &backends.ports,
    );
    let mut diffs = Vec::new();

    // the same traffic: 8 requests and 2 that the server answers 404
    let mut seen = Vec::new();
    for s in [&h, &t] {
        let mut hits = Vec::new();
        for i in 0..10 {
            let path = if i % 5 == 4 { "/missing" } else { "/" };
            hits.push(get(s.port, path).1);
        }
        seen.push(hits);
    }
    if seen[0] != seen[1] {
        diffs.push(format!(
            "round robin differs: haproxy {:?} tandem {:?}",
            seen[0], seen[1]
        ));
    }
    diffs.extend(compare_stats(&h, &t, "after traffic"));

    // show info: HAProxy's names in its order
    let names = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_string()))
            .collect()
    };
    let (hi, ti) = (cli(&h.sock, "show info"), cli(&t.sock, "show info"));
    if names(&hi) != names(&ti) {
        diffs.push(format!(
            "show info names differ:\n{:?}\n{:?}",
            names(&hi),
            names(&ti)
        ));
    }
    if hi.ends_with("\n\n") != ti.ends_with("\n\n") {
        diffs.push("show info terminator differs".into());
    }

    // the stats page's CSV has the socket's header
    let (hp, tp) = (
        get_body(h.stats_port, "/stats;csv"),
        get_body(t.stats_port, "/stats;csv"),
    );
    if hp.lines().next() != tp.lines().next() {
        diffs.push(format!(
            "stats page CSV header differs:\n{:?}\n{:?}",
            hp.lines().next(),
            tp.lines().next()
        ));
    }

    // rights and error texts
    for cmd in [
        "disable server be/s1",
        "show sess",
        "get weight be/s2",
        "set server be/s1 state",
    ] {
        let (a, b) = (cli(&h.usock, cmd), cli(&t.usock, cmd));
        if a != b {
            diffs.push(format!("user socket '{cmd}': haproxy {a:?} tandem {b:?}"));
        }
    }
    for cmd in [
        "get weight be/zz",
        "get weight zz/s1",
        "set server be/s1 state foo",
        "set server be/s1 weight 300",
        "show servers state zz",
        "show backend",
        "get weight be/s1;get weight be/s2",
        "show cli level",
    ] {
        let (a, b) = (cli(&h.sock, cmd), cli(&t.sock, cmd));
        if a != b {
            diffs.push(format!("'{cmd}': haproxy {a:?} tandem {b:?}"));
        }
    }

    // admin actions: same state, and routing changes at once
    let (a, b) = (servers_state(&h.sock), servers_state(&t.sock));
    if a != b {
        diffs.push(format!(
            "servers state (initial):\nhaproxy\n{a}\ntandem\n{b}"
        ));
    }
    for cmd in ["set server be/s1 state drain", "set weight be/s2 2"] {
        let (a, b) = (cli(&h.sock, cmd), cli(&t.sock, cmd));
        if a != b {
            diffs.push(format!("'{cmd}': haproxy {a:?} tandem {b:?}"));
        }
    }
    let (a, b) = (servers_state(&h.sock), servers_state(&t.sock));
    if a != b {
        diffs.push(format!(
            "servers state (drain, weight):\nhaproxy\n{a}\ntandem\n{b}"
        ));
    }
    for s in [&h, &t] {
        let hits: Vec<String> = (0..6).map(|_| get(s.port, "/").1).collect();
        if hits.iter().any(|s| s == "s1") {
            diffs.push(format!("a drained server got new requests: {hits:?}"));
        }
    }
    let cmd = "set server be/s2 state maint";
    cli(&h.sock, cmd);
    cli(&t.sock, cmd);
    let (a, b) = (servers_state(&h.sock), servers_state(&t.sock));
    if a != b {
        diffs.push(format!("servers state (maint):\nhaproxy\n{a}\ntandem\n{b}"));
    }
    for s in [&h, &t] {
        let hits: Vec<String> = (0..4).map(|_| get(s.port, "/").1).collect();
        if hits.iter().any(|s| s != "s3") {
            diffs.push(format!(
                "with s1 drained and s2 in maintenance the backup must serve: {hits:?}"
            ));
        }
    }
    diffs.extend(compare_stats(&h, &t, "after admin"));
    for cmd in [
        "set server be/s1 state ready",
        "set server be/s2 state ready",
    ] {
        cli(&h.sock, cmd);
        cli(&t.sock, cmd);
    }
    let (a, b) = (servers_state(&h.sock), servers_state(&t.sock));
    if a != b {
        diffs.push(format!("servers state (ready):\nhaproxy\n{a}\ntandem\n{b}"));
    }

    // Prometheus: the same families (tandem adds tandem_build_info)
    let families = |text: &str| -> Vec<String> {
        // names only: tandem types haproxy_process_failed_resolutions as a gauge
        text.lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next())
            .map(str::to_string)
            .filter(|l| !l.starts_with("tandem_"))
            .collect()
    };
    let (hm, tm) = (get_body(h.port, "/metrics"), get_body(t.port, "/metrics"));
    if families(&hm) != families(&tm) {
        diffs.push("metric families differ".into());
    }
    if !tm.contains("\ntandem_build_info{") {
        diffs.push("no tandem_build_info".into());
    }
    if let Ok(out) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            if let Some(mut i) = c.stdin.take() {
                let _ = i.write_all(tm.as_bytes());
            }
            c.wait_with_output()
        })
    {
        if !out.status.success() {
            diffs.push(format!(
                "promtool check metrics failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    } else {
        eprintln!("stats_diff: promtool not installed, metrics not checked");
    }

    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        drop(h);
        drop(t);
        let _ = std::fs::remove_dir_all(&work);
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// Starts `bin` on a configuration text (`@@DIR@@` replaced by `dir`); waits for the admin
/// socket at `dir/admin.sock` and the frontend port.
fn start_text(bin: &str, pre: &[&str], dir: &Path, text: &str, port: u16) -> Proc {
    std::fs::create_dir_all(dir).expect("dir");
    let cfg = dir.join("cfg");
    std::fs::write(&cfg, text.replace("@@DIR@@", &dir.display().to_string())).expect("cfg");
    let log = std::fs::File::create(dir.join("stderr")).expect("log");
    let child = Command::new(bin)
        .args(pre)
        .arg("-f")
        .arg(&cfg)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn");
    let p = Proc(child);
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) {
        if UnixStream::connect(dir.join("admin.sock")).is_ok()
            && TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            return p;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{bin} did not start: {}",
        std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
    );
}

/// The health-check columns of `show stat` that the checks determine (durations and
/// seconds aside), per server row: `svname status chkfail chkdown check_status check_code
/// check_desc check_rise check_fall check_health last_chk`.
fn check_columns(csv: &str) -> Vec<String> {
    check_columns_of(csv)
}

/// `show stat` once no check is in progress (HAProxy prefixes its status with `* ` and
/// shows code 0 meanwhile: a timing artefact, not a state).
fn stat_settled(sock: &Path) -> String {
    let mut out = cli(sock, "show stat");
    for _ in 0..40 {
        if !out.contains(",* ") {
            break;
        }
        std::thread::sleep(Duration::from_millis(15));
        out = cli(sock, "show stat");
    }
    out
}

fn check_columns_of(csv: &str) -> Vec<String> {
    const COLS: &[&str] = &[
        "svname",
        "status",
        "chkfail",
        "chkdown",
        "check_status",
        "check_code",
        "check_desc",
        "check_rise",
        "check_fall",
        "check_health",
        "last_chk",
    ];
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or("");
    let names: Vec<&str> = header.trim_start_matches("# ").split(',').collect();
    lines
        .filter(|l| l.starts_with("be,") && !l.starts_with("be,BACKEND"))
        .map(|l| {
            names
                .iter()
                .zip(l.split(','))
                .filter(|(n, _)| COLS.contains(n))
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Health checks feed `show stat` as in HAProxy (status strings, check columns, failure
/// and DOWN counters), and a maintenance set on the socket survives passing checks.
#[test]
fn check_columns_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-checks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2"]);
    let closed = free_port();
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<(String, Vec<String>)> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    option httpchk GET /\n    default-server inter 100 rise 2 fall 2\n\
    server s1 127.0.0.1:{} check\n    server s2 127.0.0.1:{} check weight 2\n\
    server s3 127.0.0.1:{closed} check\n    server s4 127.0.0.1:{closed}\n",
            backends.ports[0], backends.ports[1]
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut snaps = Vec::new();
        std::thread::sleep(Duration::from_millis(900));
        snaps.push(("settled".to_string(), check_columns(&stat_settled(&sock))));
        cli(&sock, "set server be/s1 state maint");
        cli(&sock, "set server be/s2 state drain");
        std::thread::sleep(Duration::from_millis(600));
        snaps.push((
            "s1 maint, s2 drain, checks passing".to_string(),
            check_columns(&stat_settled(&sock)),
        ));
        let hits: Vec<String> = (0..4).map(|_| get(port, "/").1).collect();
        snaps.push(("routing".to_string(), hits));
        cli(&sock, "set server be/s1 state ready");
        cli(&sock, "set server be/s2 state ready");
        std::thread::sleep(Duration::from_millis(600));
        snaps.push(("ready".to_string(), check_columns(&stat_settled(&sock))));
        drop(p);
        snaps
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    let mut diffs = Vec::new();
    for ((what, a), (_, b)) in h.iter().zip(&t) {
        if a != b {
            diffs.push(format!("{what}:\n  haproxy {a:#?}\n  tandem  {b:#?}"));
        }
    }
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// `set weight` changes how round robin spreads the requests, as in HAProxy (3:1 after
/// `set weight be/s1 3`, nothing to a server of weight 0).
#[test]
fn weights_route_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-weights-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2"]);
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<Vec<String>> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    balance roundrobin\n    server s1 127.0.0.1:{}\n    server s2 127.0.0.1:{}\n",
            backends.ports[0], backends.ports[1]
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut out = Vec::new();
        for cmd in [
            "set weight be/s1 3",
            "set server be/s2 weight 0",
            "set weight be/s2 100%",
        ] {
            cli(&sock, cmd);
            out.push((0..8).map(|_| get(port, "/").1).collect());
        }
        drop(p);
        out
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    let _ = std::fs::remove_dir_all(&work);
    assert_eq!(h, t);
}

/// `show servers state` rows once no check is in progress (HAProxy sets
/// CHK_ST_INPROGRESS, bit 0 of `srv_check_state`, while one runs: a timing artefact),
/// with the seconds since the last change masked.
fn servers_state_settled(sock: &Path) -> Vec<String> {
    let rows = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| !l.starts_with('#') && l.split(' ').count() > 20)
            .map(|l| {
                let mut w: Vec<&str> = l.split(' ').collect();
                w[9] = "T";
                w.join(" ")
            })
            .collect()
    };
    let busy = |rows: &[String]| {
        rows.iter().any(|r| {
            r.split(' ')
                .nth(13)
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v & 1 != 0)
        })
    };
    let mut out = rows(&cli(sock, "show servers state"));
    for _ in 0..60 {
        if !busy(&out) {
            break;
        }
        std::thread::sleep(Duration::from_millis(7));
        out = rows(&cli(sock, "show servers state"));
    }
    out
}

/// `show servers state`'s check columns (`srv_check_status`, `srv_check_result`,
/// `srv_check_health`, `srv_check_state`, `srv_agent_state`) come from the real checks:
/// L7OK, L7STS (404), L4CON, a TCP check, no check, after maintenance, drain and a forced
/// health, as HAProxy 2.6 prints them.
#[test]
fn servers_state_checks_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-srvstate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2"]);
    let closed = free_port();
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<(String, Vec<String>)> {
        let port = free_port();
        let (p0, p1) = (backends.ports[0], backends.ports[1]);
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    option httpchk GET /\n    default-server inter 100 rise 2 fall 2\n\
    server s1 127.0.0.1:{p0} check\n    server s2 127.0.0.1:{p1} check weight 2\n\
    server s3 127.0.0.1:{closed} check\n    server s4 127.0.0.1:{closed}\n\
    server s5 127.0.0.1:{p0} check disabled\n\
backend b2\n    option httpchk GET /missing\n    default-server inter 100 rise 3 fall 2\n\
    server m1 127.0.0.1:{p0} check\n    server m2 127.0.0.1:{p1}\n\
backend b3\n    mode tcp\n    default-server inter 100\n\
    server c1 127.0.0.1:{p0} check\n    server c2 127.0.0.1:{closed} check rise 1 fall 1\n"
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut snaps = Vec::new();
        std::thread::sleep(Duration::from_millis(900));
        snaps.push(("settled".to_string(), servers_state_settled(&sock)));
        cli(&sock, "set server be/s1 state maint");
        cli(&sock, "set server be/s2 state drain");
        cli(&sock, "set server be/s4 health down");
        cli(&sock, "set server b2/m2 state maint");
        std::thread::sleep(Duration::from_millis(600));
        snaps.push((
            "s1 maint, s2 drain, s4 forced down, m2 maint".to_string(),
            servers_state_settled(&sock),
        ));
        cli(&sock, "set server be/s1 state ready");
        cli(&sock, "set server be/s2 state ready");
        cli(&sock, "set server be/s4 health up");
        cli(&sock, "set server b2/m2 state ready");
        // (not read at once: HAProxy sets the health to `rise` on leaving the
        // maintenance and the next check, due within `inter`, raises it)
        std::thread::sleep(Duration::from_millis(700));
        snaps.push(("ready".to_string(), servers_state_settled(&sock)));
        drop(p);
        snaps
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    let mut diffs = Vec::new();
    for ((what, a), (_, b)) in h.iter().zip(&t) {
        if a != b {
            diffs.push(format!("{what}:\n  haproxy {a:#?}\n  tandem  {b:#?}"));
        }
    }
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// An echo server for TCP sessions that stay open; stops with the returned flag.
fn start_echo() -> (u16, Arc<AtomicBool>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind echo");
    let port = l.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            if st.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, stop)
}

/// A client session through the proxy that echoes once; `None` if it did not.
fn open_session(port: u16) -> Option<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"hi").ok()?;
    let mut buf = [0u8; 2];
    s.read_exact(&mut buf).ok()?;
    Some(s)
}

/// Whether the proxy closed the session (a read ends or fails within 300 ms).
fn session_state(s: &mut TcpStream) -> &'static str {
    s.set_read_timeout(Some(Duration::from_millis(300))).ok();
    let mut buf = [0u8; 16];
    match s.read(&mut buf) {
        Ok(0) => "closed",
        Ok(_) => "data",
        Err(e)
            if e.kind() == std::io::ErrorKind::WouldBlock
                || e.kind() == std::io::ErrorKind::TimedOut =>
        {
            "open"
        }
        Err(_) => "closed",
    }
}

/// `on-marked-down shutdown-sessions` ends the streams of a server the checks mark DOWN
/// (and only with the option); `on-marked-up shutdown-backup-sessions` ends the backup
/// servers' streams when an active server comes back, as in HAProxy 2.6. The checks go
/// to a separate `port` that the test closes and opens while the sessions stay.
#[test]
fn on_marked_down_up_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-marked-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let (echo, _stop) = start_echo();
    let chk_port = free_port();
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let (p1, p2, p3) = (free_port(), free_port(), free_port());
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n\
listen down_kill\n    bind 127.0.0.1:{p1}\n\
    server s1 127.0.0.1:{echo} check port {chk_port} inter 100 fall 1 rise 1 on-marked-down shutdown-sessions\n\
listen down_keep\n    bind 127.0.0.1:{p2}\n\
    server s1 127.0.0.1:{echo} check port {chk_port} inter 100 fall 1 rise 1\n\
listen up_kill\n    bind 127.0.0.1:{p3}\n\
    server s1 127.0.0.1:{echo} check port {chk_port} inter 100 fall 1 rise 1 on-marked-up shutdown-backup-sessions\n\
    server b1 127.0.0.1:{echo} backup\n"
        );
        let mut out = Vec::new();
        // the check port open: every s1 UP
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("bind check port");
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, p3);
        std::thread::sleep(Duration::from_millis(500));
        let mut a = open_session(p1);
        let mut b = open_session(p2);
        out.push(format!("sessions open: {} {}", a.is_some(), b.is_some()));
        drop(chk);
        std::thread::sleep(Duration::from_millis(600));
        out.push(format!(
            "s1 DOWN: with option {}, without {}",
            a.as_mut().map_or("none", session_state),
            b.as_mut().map_or("none", session_state)
        ));
        // s1 of up_kill is DOWN: the session goes to the backup
        let mut c = open_session(p3);
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("rebind check port");
        std::thread::sleep(Duration::from_millis(600));
        out.push(format!(
            "s1 UP again: backup session {}",
            c.as_mut().map_or("none", session_state)
        ));
        drop(chk);
        drop(p);
        out
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    eprintln!("haproxy: {h:?}");
    assert_eq!(h, t);
}

/// `track [be/]srv`: servers without checks of their own follow the server they track,
/// across backends and in chains (`show stat` status after the tracked server goes DOWN
/// and comes back), as in HAProxy 2.6.
#[test]
fn track_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-track-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let (echo, _stop) = start_echo();
    let chk_port = free_port();
    let status = |sock: &Path| -> Vec<String> {
        let csv = cli(sock, "show stat");
        let mut lines = csv.lines();
        let names: Vec<&str> = lines
            .next()
            .unwrap_or("")
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let col = |n: &str| names.iter().position(|x| *x == n).unwrap_or(0);
        let (px, sv, st) = (col("pxname"), col("svname"), col("status"));
        lines
            .filter(|l| !l.is_empty() && !l.contains("FRONTEND"))
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                format!(
                    "{}/{} {}",
                    f.get(px).unwrap_or(&""),
                    f.get(sv).unwrap_or(&""),
                    f.get(st).unwrap_or(&"")
                )
            })
            .collect()
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<Vec<String>> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n\
listen fe\n    bind 127.0.0.1:{port}\n    server f1 127.0.0.1:{echo}\n\
backend be\n    server s1 127.0.0.1:{echo} check port {chk_port} inter 100 fall 1 rise 1\n\
    server s2 127.0.0.1:{echo} track s1\n\
backend b2\n    server t1 127.0.0.1:{echo} track be/s1\n    server t2 127.0.0.1:{echo} track b2/t1\n"
        );
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("bind check port");
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut out = Vec::new();
        std::thread::sleep(Duration::from_millis(500));
        out.push(status(&sock));
        drop(chk);
        std::thread::sleep(Duration::from_millis(500));
        out.push(status(&sock));
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("rebind check port");
        std::thread::sleep(Duration::from_millis(500));
        out.push(status(&sock));
        drop(chk);
        drop(p);
        out
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    eprintln!("haproxy: {h:?}");
    assert_eq!(h, t);
}

/// `slowstart`: a server the checks bring back UP comes at a fraction of its weight that
/// grows in steps of 1/16 (`show stat` weight and throttle, `show servers state`
/// STARTING), then at full weight once the delay is over, as in HAProxy 2.6.
#[test]
fn slowstart_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-slowstart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let chk_port = free_port();
    let backends = start_backends(&["s1"]);
    let cols = |sock: &Path, rows: &[&str]| -> Vec<String> {
        let csv = cli(sock, "show stat");
        let mut lines = csv.lines();
        let names: Vec<&str> = lines
            .next()
            .unwrap_or("")
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let col = |n: &str| names.iter().position(|x| *x == n).unwrap_or(0);
        let want = [col("status"), col("weight"), col("throttle")];
        let mut out: Vec<String> = lines
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let id = format!("{}/{}", f.first()?, f.get(1)?);
                rows.contains(&id.as_str()).then(|| {
                    let v: Vec<&str> = want.iter().map(|&i| *f.get(i).unwrap_or(&"")).collect();
                    format!("{id} status={} weight={} throttle={}", v[0], v[1], v[2])
                })
            })
            .collect();
        // the operational state of `show servers state` (1: STARTING)
        for l in cli(sock, "show servers state").lines() {
            let w: Vec<&str> = l.split(' ').collect();
            if w.len() > 20 {
                let id = format!("{}/{}", w[1], w[3]);
                if rows.contains(&id.as_str()) {
                    out.push(format!("{id} op_state={}", w[5]));
                }
            }
        }
        out
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<Vec<String>> {
        let port = free_port();
        let p0 = backends.ports[0];
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend b20\n\
backend b20\n    default-server check port {chk_port} inter 100 rise 1 fall 1\n\
    server s1 127.0.0.1:{p0} weight 100 slowstart 20s\n    server s2 127.0.0.1:{p0} weight 100\n\
backend b2s\n    server s3 127.0.0.1:{p0} weight 50 slowstart 2s check port {chk_port} inter 100 rise 1 fall 1\n"
        );
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("bind check port");
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut out = Vec::new();
        std::thread::sleep(Duration::from_millis(400));
        drop(chk);
        std::thread::sleep(Duration::from_millis(400));
        let chk = TcpListener::bind(("127.0.0.1", chk_port)).expect("rebind check port");
        std::thread::sleep(Duration::from_millis(300));
        // 20 s: steps 0 and 1 s both give 1/16
        out.push(cols(&sock, &["b20/s1", "b20/BACKEND", "b2s/s3"]));
        std::thread::sleep(Duration::from_millis(3500));
        out.push(cols(&sock, &["b2s/s3", "b2s/BACKEND"]));
        drop(chk);
        drop(p);
        out
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    eprintln!("haproxy: {h:?}");
    assert_eq!(h, t);
}
