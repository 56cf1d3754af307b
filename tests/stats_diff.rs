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

// Ports for the proxies come from 20000-29999, below the kernel's ephemeral range: a port
// that `bind(:0)` handed out can be taken by a client connection's local port before the
// proxy binds it, and HAProxy then exits after its stats socket is already up.
#[path = "common/port.rs"]
mod port;
use port::free_port;

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
    let mut s = Subject {
        _proc: Proc(child),
        sock: dir.join("admin.sock"),
        usock: dir.join("user.sock"),
        port,
        stats_port,
    };
    wait_started(bin, &mut s._proc, dir, port);
    s
}

/// Waits until the admin socket and the proxy port answer, and the process is still there
/// after that (a proxy that fails to bind a later listener exits with its socket made).
fn wait_started(bin: &str, p: &mut Proc, dir: &Path, port: u16) {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(st)) = p.0.try_wait() {
            panic!(
                "{bin} exited ({st}): {}",
                std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
            );
        }
        if UnixStream::connect(dir.join("admin.sock")).is_ok()
            && TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            std::thread::sleep(Duration::from_millis(50));
            if let Ok(None) = p.0.try_wait() {
                return;
            }
            continue;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{bin} did not start: {}",
        std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
    );
}

/// Runs a comparison of HAProxy and tandem (`round(n)`, `n` = 1 or 2 naming its work
/// directories, returns the differences) and, when it differs, plays both proxies once
/// more: on the 2-core CI host a timer can fire late in either of them. A real
/// difference differs twice (the second run's differences are returned); when the second
/// run matches, the first run's differences go to stderr.
fn differs_twice(test: &str, mut round: impl FnMut(u32) -> Vec<String>) -> Vec<String> {
    let first = round(1);
    if first.is_empty() {
        return first;
    }
    let second = round(2);
    if second.is_empty() {
        eprintln!(
            "{test}: matched on the second run; first run's differences:\n{}",
            first.join("\n")
        );
    }
    second
}

/// Plays `run(binary, pre-args, work-dir name)` with HAProxy and tandem (once more when
/// they differ, [`differs_twice`]), removes `work` unless STATS_DIFF_KEEP is set, and
/// fails with the differences.
fn haproxy_vs_tandem<T: PartialEq + std::fmt::Debug>(
    test: &str,
    work: &Path,
    run: impl Fn(&str, &[&str], &str) -> T,
) {
    haproxy_vs_tandem_by(test, work, run, |h, t| {
        eprintln!("haproxy: {h:?}");
        unequal(h, t)
    });
}

/// [`haproxy_vs_tandem`] with the differences of a round told by `diff`.
fn haproxy_vs_tandem_by<T>(
    test: &str,
    work: &Path,
    run: impl Fn(&str, &[&str], &str) -> T,
    diff: impl Fn(&T, &T) -> Vec<String>,
) {
    let diffs = differs_twice(test, |n| {
        let h = run(HAPROXY, &[], &format!("haproxy{n}"));
        let t = run(
            env!("CARGO_BIN_EXE_tandem"),
            &["haproxy"],
            &format!("tandem{n}"),
        );
        diff(&h, &t)
    });
    if std::env::var_os("STATS_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(work);
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The differences between two runs' snapshots (`(what, values)` in the same order).
fn snap_diffs(h: &[(String, Vec<String>)], t: &[(String, Vec<String>)]) -> Vec<String> {
    let mut diffs: Vec<String> = h
        .iter()
        .zip(t)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((what, a), (_, b))| format!("{what}:\n  haproxy {a:#?}\n  tandem  {b:#?}"))
        .collect();
    if h.len() != t.len() {
        diffs.push(format!("{} snapshots vs {}", h.len(), t.len()));
    }
    diffs
}

/// `haproxy` vs `tandem` when they are not equal.
fn unequal<T: PartialEq + std::fmt::Debug>(h: &T, t: &T) -> Vec<String> {
    if h == t {
        Vec::new()
    } else {
        vec![format!("haproxy {h:?}\n  tandem  {t:?}")]
    }
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
    // A connection refused by `tcp-request connection` is reset at once (HAProxy's
    // no-linger close), so the write may fail: that is the empty reply.
    if s.write_all(
        format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n").as_bytes(),
    )
    .is_err()
    {
        return (String::new(), String::new());
    }
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

/// Connects and reads without sending: "reset", "end" (a clean close), "data" or "open"
/// (nothing within 2 s).
fn close_kind(port: u16) -> &'static str {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(0) => "end",
        Ok(_) => "data",
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => "reset",
        Err(_) => "open",
    }
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
    let diffs = differs_twice("stats_diff", |n| {
        let h = start(
            HAPROXY,
            &[],
            &work.join(format!("haproxy{n}")),
            &backends.ports,
        );
        let t = start(
            env!("CARGO_BIN_EXE_tandem"),
            &["haproxy"],
            &work.join(format!("tandem{n}")),
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
        diffs
    });
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
    let mut p = Proc(child);
    wait_started(bin, &mut p, dir, port);
    p
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
    haproxy_vs_tandem_by("check_columns_diff", &work, run, |h, t| snap_diffs(h, t));
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
    haproxy_vs_tandem_by("weights_route_diff", &work, run, unequal);
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
    haproxy_vs_tandem_by("servers_state_checks_diff", &work, run, |h, t| {
        snap_diffs(h, t)
    });
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
    haproxy_vs_tandem("on_marked_down_up_diff", &work, run);
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
    haproxy_vs_tandem("track_diff", &work, run);
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
    haproxy_vs_tandem("slowstart_diff", &work, run);
}

/// The `show stat` values of the compared columns, one line per row.
fn stat_lines(csv: &str) -> Vec<String> {
    stat_rows(csv)
        .1
        .iter()
        .map(|r| {
            r.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `show stat typed` lines of server `sid` of proxy `iid`, compared columns only.
fn typed_of(typed: &str, iid: u32, sid: u32) -> Vec<String> {
    let head = format!("S.{iid}.{sid}.");
    typed
        .lines()
        .filter(|l| l.starts_with(&head))
        .filter(|l| l.split('.').nth(4).is_some_and(|n| COMPARED.contains(&n)))
        .map(str::to_string)
        .collect()
}

/// `show stat json` objects of server `sid`, compared columns only (field, tags, value).
fn json_of(json: &str, sid: u32) -> Vec<String> {
    // one object per field: split on the object boundaries, no JSON parser needed
    json.split("},{\"objType\"")
        .filter(|o| o.contains("\"Server\"") && o.contains(&format!("\"id\":{sid},")))
        .filter(|o| {
            COMPARED
                .iter()
                .any(|n| o.contains(&format!("\"name\":\"{n}\"}}")))
        })
        .map(|o| {
            let from = o.find("\"field\"").unwrap_or(0);
            o[from..].trim_end_matches(['}', ']']).to_string()
        })
        .collect()
}

/// Prometheus samples of server `name`, for the metrics the configuration and the state
/// determine.
fn metrics_of(text: &str, name: &str) -> Vec<String> {
    const DETERMINED: &[&str] = &[
        "haproxy_server_status",
        "haproxy_server_weight",
        "haproxy_server_uweight",
        "haproxy_server_limit_sessions",
        "haproxy_server_queue_limit",
        "haproxy_server_sessions_total",
        "haproxy_server_check_status",
    ];
    let label = format!("server=\"{name}\"");
    text.lines()
        .filter(|l| l.contains(&label))
        .filter(|l| {
            DETERMINED
                .iter()
                .any(|m| l.strip_prefix(m).is_some_and(|r| r.starts_with('{')))
        })
        .map(str::to_string)
        .collect()
}

/// `add server` (issue 6): the new server is created in maintenance and listed at once
/// by `show stat` (CSV, typed, json), `show servers state`, `get weight`, the stats page
/// and Prometheus, with its options (weight, maxconn, maxqueue) as HAProxy shows them;
/// `enable server` brings it into round robin with its weight (the same request sequence
/// through both proxies); `disable` + `del server` remove it from every listing.
#[test]
fn dynamic_server_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-dynamic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s1", "s2"]);
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<(String, Vec<String>)> {
        let port = free_port();
        let stats_port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n    maxconn 1000\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n    http-request use-service prometheus-exporter if {{ path /metrics }}\n\
backend be\n    balance roundrobin\n    server s1 127.0.0.1:{}\n\
listen st\n    bind 127.0.0.1:{stats_port}\n    stats enable\n    stats uri /stats\n",
            backends.ports[0]
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut snaps: Vec<(String, Vec<String>)> = Vec::new();
        let mut snap = |what: &str, v: Vec<String>| snaps.push((what.to_string(), v));
        let add = format!(
            "add server be/n1 127.0.0.1:{} weight 3 maxconn 5 maxqueue 4",
            backends.ports[1]
        );
        snap("add server", vec![cli(&sock, &add)]);
        for cmd in [
            "add server be/n1 127.0.0.1:1",
            "add server be/n2 127.0.0.1:1 weight 300",
            "add server be/n2 127.0.0.1:1 foo",
            "add server be/n2 127.0.0.1:1 cookie c",
            "add server be/n2 127.0.0.1:1 id 1",
        ] {
            // (an `id` clash names the configuration file)
            let out = cli(&sock, cmd).replace(&dir.display().to_string(), "DIR");
            snap(cmd, vec![out]);
        }
        snap("stat after add", stat_lines(&cli(&sock, "show stat")));
        snap("servers state after add", vec![servers_state(&sock)]);
        snap("get weight", vec![cli(&sock, "get weight be/n1")]);
        snap("typed", typed_of(&cli(&sock, "show stat typed"), 3, 2));
        snap("json", json_of(&cli(&sock, "show stat json"), 2));
        snap(
            "metrics in maint",
            metrics_of(&get_body(port, "/metrics"), "n1"),
        );
        let page = get_body(stats_port, "/stats");
        snap(
            "stats page lists n1",
            vec![page.contains(">n1<").to_string()],
        );
        snap(
            "traffic in maint",
            (0..4).map(|_| get(port, "/").1).collect(),
        );
        snap("enable server", vec![cli(&sock, "enable server be/n1")]);
        snap(
            "traffic after enable",
            (0..8).map(|_| get(port, "/").1).collect(),
        );
        snap("stat after traffic", stat_lines(&cli(&sock, "show stat")));
        snap("servers state ready", vec![servers_state(&sock)]);
        snap(
            "metrics ready",
            metrics_of(&get_body(port, "/metrics"), "n1"),
        );
        snap("set weight", vec![cli(&sock, "set weight be/n1 1")]);
        snap(
            "traffic after set weight",
            (0..4).map(|_| get(port, "/").1).collect(),
        );
        snap("del while ready", vec![cli(&sock, "del server be/n1")]);
        snap("disable server", vec![cli(&sock, "disable server be/n1")]);
        snap("del server", vec![cli(&sock, "del server be/n1")]);
        snap("stat after del", stat_lines(&cli(&sock, "show stat")));
        snap("servers state after del", vec![servers_state(&sock)]);
        snap(
            "metrics after del",
            metrics_of(&get_body(port, "/metrics"), "n1"),
        );
        let page = get_body(stats_port, "/stats");
        snap(
            "stats page after del",
            vec![page.contains(">n1<").to_string()],
        );
        snap("get weight after del", vec![cli(&sock, "get weight be/n1")]);
        snap(
            "traffic after del",
            (0..4).map(|_| get(port, "/").1).collect(),
        );
        // a server added again under the name of a deleted one is a new server
        snap("add again", vec![cli(&sock, &add)]);
        snap("servers state re-added", vec![servers_state(&sock)]);
        snap("stat re-added", stat_lines(&cli(&sock, "show stat")));
        // an added server's checks start with `enable health`
        let addc = format!(
            "add server be/c1 127.0.0.1:{} check inter 200 rise 2 fall 2",
            backends.ports[1]
        );
        snap("add checked", vec![cli(&sock, &addc)]);
        snap("checked in maint", servers_state_settled(&sock));
        snap("enable checked", vec![cli(&sock, "enable server be/c1")]);
        snap("checks not enabled", servers_state_settled(&sock));
        snap(
            "stat checks not enabled",
            stat_lines(&cli(&sock, "show stat")),
        );
        snap("enable health", vec![cli(&sock, "enable health be/c1")]);
        std::thread::sleep(Duration::from_millis(1200));
        snap("checks ran", servers_state_settled(&sock));
        snap("stat checks ran", stat_lines(&stat_settled(&sock)));
        snap("disable health", vec![cli(&sock, "disable health be/c1")]);
        snap("checks disabled", servers_state_settled(&sock));
        snap("stat checks disabled", stat_lines(&stat_settled(&sock)));
        snap(
            "enable health unchecked",
            vec![cli(&sock, "enable health be/s1")],
        );
        drop(p);
        snaps
    };
    // (HAProxy's last run, for the checks below)
    let mut h = Vec::new();
    let diffs = differs_twice("dynamic_server_diff", |n| {
        h = run(HAPROXY, &[], &format!("haproxy{n}"));
        let t = run(
            env!("CARGO_BIN_EXE_tandem"),
            &["haproxy"],
            &format!("tandem{n}"),
        );
        snap_diffs(&h, &t)
    });
    // the test must see the new server take traffic, not only agree
    let after = h
        .iter()
        .find(|(w, _)| w == "traffic after enable")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(
        after.iter().any(|s| s == "s2"),
        "n1 took no request: {after:?}"
    );
    for (what, v) in &h {
        let listed = ["typed", "json", "metrics in maint", "metrics ready"];
        if listed.contains(&what.as_str()) {
            assert!(!v.is_empty(), "{what}: nothing listed for n1");
        }
        if what == "stats page lists n1" {
            assert_eq!(v, &["true"], "the stats page does not list n1");
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

/// A server that answers each request 1 s after its head arrived (`x-srv: slow`).
fn start_slow() -> (u16, Arc<AtomicBool>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind slow");
    let port = l.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            if stop2.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-srv: slow\r\nconnection: close\r\n\r\nok",
                );
            });
        }
    });
    (port, stop)
}

/// `count` requests started `gap` apart; each one's duration in half seconds (rounded).
fn timed_requests(port: u16, count: usize, gap: Duration) -> Vec<std::thread::JoinHandle<u128>> {
    (0..count)
        .map(|i| {
            std::thread::sleep(if i == 0 { Duration::ZERO } else { gap });
            std::thread::spawn(move || {
                let t0 = Instant::now();
                let (status, _) = get(port, "/");
                assert!(status.contains(" 200 "), "{status}");
                (t0.elapsed().as_millis() + 250) / 500
            })
        })
        .collect()
}

/// `set maxconn server` acts on the queue as in HAProxy (issue 6): with `maxconn 1` a
/// second slow request waits; raising the limit to 2 dispatches it at once; lowering it
/// back to 1 while two are served holds a third one until both are done. The request
/// durations (in half seconds) and the queue and limit columns of `show stat` are
/// compared.
#[test]
fn server_maxconn_queue_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-maxconn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let (slow, stop) = start_slow();
    let queue_cols = |csv: &str| -> Vec<String> {
        stat_lines(csv)
            .into_iter()
            .filter(|l| l.starts_with("pxname=be "))
            .map(|l| {
                l.split(' ')
                    .filter(|w| {
                        ["svname", "qcur", "scur", "slim"]
                            .iter()
                            .any(|c| w.starts_with(&format!("{c}=")))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<(String, Vec<String>)> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n    maxconn 1000\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout queue 10s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    server s1 127.0.0.1:{slow} maxconn 1\n"
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut snaps: Vec<(String, Vec<String>)> = Vec::new();
        // raise: the queued request goes at once
        let reqs = timed_requests(port, 2, Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(300));
        snaps.push(("queued".into(), queue_cols(&cli(&sock, "show stat"))));
        snaps.push((
            "raise".into(),
            vec![cli(&sock, "set maxconn server be/s1 2")],
        ));
        std::thread::sleep(Duration::from_millis(100));
        snaps.push(("after raise".into(), queue_cols(&cli(&sock, "show stat"))));
        let d: Vec<String> = reqs
            .into_iter()
            .map(|h| h.join().unwrap_or(99).to_string())
            .collect();
        snaps.push(("durations after raise".into(), d));
        // lower while two are served: a third waits for both
        let reqs = timed_requests(port, 2, Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(150));
        snaps.push((
            "lower".into(),
            vec![cli(&sock, "set maxconn server be/s1 1")],
        ));
        let third = timed_requests(port, 1, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(300));
        snaps.push(("after lower".into(), queue_cols(&cli(&sock, "show stat"))));
        let d: Vec<String> = reqs
            .into_iter()
            .chain(third)
            .map(|h| h.join().unwrap_or(99).to_string())
            .collect();
        snaps.push(("durations after lower".into(), d));
        drop(p);
        snaps
    };
    let diffs = differs_twice("server_maxconn_queue_diff", |n| {
        let h = run(HAPROXY, &[], &format!("haproxy{n}"));
        let t = run(
            env!("CARGO_BIN_EXE_tandem"),
            &["haproxy"],
            &format!("tandem{n}"),
        );
        eprintln!("server_maxconn_queue_diff: haproxy {h:?}");
        let mut diffs = Vec::new();
        for ((what, a), (_, b)) in h.iter().zip(&t) {
            if a != b {
                diffs.push(format!("{what}:\n  haproxy {a:?}\n  tandem  {b:?}"));
            }
        }
        diffs
    });
    stop.store(true, Ordering::SeqCst);
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

/// `wretr` / `wredis` are counted per attempt as HAProxy 2.6 counts them (issue 6): a
/// connection retry counts on the server that was tried and the backend, `wredis` when
/// it leaves the server (`option redispatch`), and every attempt counts in the server's
/// `stot` (`lbtot` per balancing decision). Two servers refuse connections, `retries 2`;
/// with and without `option redispatch`, the compared `show stat` columns must agree.
#[test]
fn retries_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-retries-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let backends = start_backends(&["s2"]);
    let (refused1, refused2) = (free_port(), free_port());
    let run = |bin: &str, pre: &[&str], name: &str, redispatch: bool| -> Vec<String> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n    maxconn 1000\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    retries 2\n{}\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    server s1 127.0.0.1:{refused1}\n    server s2 127.0.0.1:{}\n    server s3 127.0.0.1:{refused2}\n",
            if redispatch {
                "    option redispatch\n"
            } else {
                ""
            },
            backends.ports[0]
        );
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut out: Vec<String> = (0..6)
            .map(|_| {
                let (status, srv) = get(port, "/");
                format!("{} {srv}", status.split(' ').nth(1).unwrap_or(""))
            })
            .collect();
        out.extend(stat_lines(&cli(&sock, "show stat")));
        drop(p);
        out
    };
    let mut diffs = Vec::new();
    for redispatch in [true, false] {
        let tag = if redispatch { "redispatch" } else { "plain" };
        diffs.extend(differs_twice(&format!("retries_diff {tag}"), |n| {
            let h = run(HAPROXY, &[], &format!("haproxy-{tag}{n}"), redispatch);
            let t = run(
                env!("CARGO_BIN_EXE_tandem"),
                &["haproxy"],
                &format!("tandem-{tag}{n}"),
                redispatch,
            );
            // the scenario must retry: HAProxy counted some
            let be = h.iter().find(|l| l.contains("svname=BACKEND")).cloned();
            let counted = be
                .as_deref()
                .is_some_and(|l| !l.contains(" wretr=0 wredis=0 "));
            assert!(counted, "{tag}: HAProxy counted no retry: {be:?}");
            let mut diffs = Vec::new();
            for (a, b) in h.iter().zip(&t) {
                if a != b {
                    diffs.push(format!("{tag}:\n  haproxy {a}\n  tandem  {b}"));
                }
            }
            if h.len() != t.len() {
                diffs.push(format!("{tag}: {} lines vs {}", h.len(), t.len()));
            }
            diffs
        }));
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

/// `differs_twice`: a difference seen once is played again and forgiven when the second
/// run matches; a difference seen twice is reported.
#[test]
fn differs_twice_plays_again() {
    let mut runs = Vec::new();
    let once = differs_twice("once", |n| {
        runs.push(n);
        if n == 1 {
            vec!["late timer".into()]
        } else {
            Vec::new()
        }
    });
    assert!(once.is_empty());
    assert_eq!(runs, [1, 2]);
    let twice = differs_twice("twice", |n| vec![format!("run {n}")]);
    assert_eq!(twice, ["run 2"]);
    let mut calls = 0;
    let never = differs_twice("never", |_| {
        calls += 1;
        Vec::new()
    });
    assert!(never.is_empty());
    assert_eq!(calls, 1, "a match is not played again");
}

/// `n` keep-alive requests on one client connection; the status codes.
fn keep_alive(port: u16, n: usize) -> Vec<String> {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return vec!["connect failed".into()];
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for _ in 0..n {
        if s.write_all(b"GET / HTTP/1.1\r\nhost: t\r\n\r\n").is_err() {
            out.push("write failed".into());
            break;
        }
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break Some(p + 4);
            }
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break None,
                Ok(k) => buf.extend_from_slice(&chunk[..k]),
            }
        };
        let Some(head_end) = head_end else {
            out.push("closed".into());
            break;
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(k) => buf.extend_from_slice(&chunk[..k]),
            }
        }
        out.push(head.split(' ').nth(1).unwrap_or("").to_string());
        buf.drain(..(head_end + len).min(buf.len()));
    }
    out
}

/// Server-side connection reuse as HAProxy 2.6 does it (`http-reuse never|safe|always`,
/// `pool-max-conn`, `pool-purge-delay 0`): the same keep-alive traffic (3 client
/// connections of 3 requests each, one after the other) through each proxy to a
/// keep-alive receiver; the `stot` / `connect` / `reuse` columns of the senders' servers
/// and backends are compared. (Not the receiver's: tandem keeps some more idle
/// connections than HAProxy's `srv_add_to_idle_list` estimate of the need.)
#[test]
fn reuse_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-reuse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    const SENDERS: &[(&str, &str)] = &[
        ("never", "http-reuse never"),
        ("safe", "http-reuse safe"),
        ("always", "http-reuse always"),
        ("aggr", "http-reuse aggressive"),
        (
            "pmc0",
            "http-reuse always\n    default-server pool-max-conn 0",
        ),
        (
            "pmc1",
            "http-reuse safe\n    default-server pool-max-conn 1",
        ),
        (
            "ppd0",
            "http-reuse always\n    default-server pool-purge-delay 0",
        ),
    ];
    let cols = |csv: &str| -> Vec<String> {
        stat_lines(csv)
            .into_iter()
            .filter(|l| !l.contains("svname=FRONTEND") && !l.starts_with("pxname=rcv "))
            .map(|l| {
                l.split(' ')
                    .filter(|w| {
                        ["pxname", "svname", "stot", "scur", "connect", "reuse"]
                            .iter()
                            .any(|c| w.starts_with(&format!("{c}=")))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<(String, Vec<String>)> {
        let rcv = free_port();
        let ports: Vec<u16> = SENDERS.iter().map(|_| free_port()).collect();
        let mut text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n    maxconn 1000\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
listen rcv\n    bind 127.0.0.1:{rcv}\n    http-request return status 200\n"
        );
        for ((px, opts), port) in SENDERS.iter().zip(&ports) {
            text.push_str(&format!(
                "listen {px}\n    bind 127.0.0.1:{port}\n    {opts}\n    server s 127.0.0.1:{rcv}\n"
            ));
        }
        let dir = work.join(name);
        let p = start_text(bin, pre, &dir, &text, rcv);
        let sock = dir.join("admin.sock");
        let mut snaps = Vec::new();
        for ((px, _), port) in SENDERS.iter().zip(&ports) {
            // (a pause between the client connections: the one before may still be
            // handing its server connection back, in either proxy)
            let statuses: Vec<String> = (0..3)
                .flat_map(|_| {
                    std::thread::sleep(Duration::from_millis(20));
                    keep_alive(*port, 3)
                })
                .collect();
            snaps.push((format!("{px} statuses"), statuses));
        }
        std::thread::sleep(Duration::from_millis(100));
        snaps.push(("stat".into(), cols(&cli(&sock, "show stat"))));
        drop(p);
        snaps
    };
    let mut h = Vec::new();
    let diffs = differs_twice("reuse_diff", |n| {
        h = run(HAPROXY, &[], &format!("haproxy{n}"));
        let t = run(
            env!("CARGO_BIN_EXE_tandem"),
            &["haproxy"],
            &format!("tandem{n}"),
        );
        snap_diffs(&h, &t)
    });
    eprintln!("reuse_diff: haproxy {h:#?}");
    // the scenario must reuse: HAProxy's `always` sender reused some connections
    let always = h
        .iter()
        .flat_map(|(_, v)| v)
        .find(|l| l.starts_with("pxname=always svname=s "))
        .cloned()
        .unwrap_or_default();
    assert!(
        !always.contains(" reuse=0") && always.contains(" reuse="),
        "HAProxy reused nothing: {always}"
    );
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

/// A frontend counts client connections, not requests: `stot`, `conn_tot`, `rate_max`,
/// `conn_rate_max`, `smax` of the FRONTEND row after a keep-alive HTTP/1.1 connection of
/// three requests and an HTTP/2 connection of three streams; `bin` / `bout` count the
/// messages as HAProxy stores them (HTX: no `connection: close|keep-alive` line, an h2
/// request with its absolute URI and `host`); and what `show info`'s
/// CumConns and CumReq grew by over the traffic (each CLI connection counts once there,
/// so the queries themselves are in the delta the same way), as HAProxy 2.6.12 counts.
/// (curl 7.88 fails its second stream on a reused prior-knowledge connection: h2load.)
#[test]
fn connection_counts_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    // h2load (nghttp2-client): one connection, three streams one after the other
    let h2load = ["/usr/bin/h2load", "/bin/h2load"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-conns-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let info = |sock: &Path| -> Vec<i64> {
        let text = cli(sock, "show info");
        ["CumConns", "CumReq"]
            .iter()
            .map(|k| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(-1)
            })
            .collect()
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    http-request return status 200 content-type text/plain string ok\n"
        );
        let dir = work.join(name);
        let _p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let before = info(&sock);
        let mut out = keep_alive(port, 3);
        if let Some(h2load) = h2load {
            let url = format!("http://127.0.0.1:{port}/");
            let st = Command::new(h2load)
                .args(["-n", "3", "-c", "1", "-m", "1", &url])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            out.push(format!("h2load: {:?}", st.map(|s| s.success())));
        }
        std::thread::sleep(Duration::from_millis(200));
        let csv = cli(&sock, "show stat");
        out.extend(frontend_cols(
            &csv,
            "fe",
            &[
                "stot",
                "conn_tot",
                "req_tot",
                "rate_max",
                "conn_rate_max",
                "smax",
                "bin",
                "bout",
            ],
        ));
        let after = info(&sock);
        out.push(format!(
            "CumConns +{} CumReq +{}",
            after[0] - before[0],
            after[1] - before[1]
        ));
        out
    };
    haproxy_vs_tandem("connection_counts_diff", &work, run);
}

/// An HTTP/2 client's responses from a server count in `bout` as HAProxy stores them
/// (the head as HTX, then the body), with a body and without (204): h2load's streams
/// through `fe` to a server that is the `srv` frontend of the same process. (The
/// stream takes the head decoded, its HTTP/1 text only counted: this holds the count.)
#[test]
fn h2_response_bytes_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let Some(h2load) = ["/usr/bin/h2load", "/bin/h2load"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!("stats_diff: h2load not installed, skipped");
        return;
    };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-h2-bytes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let (p1, p2) = (free_port(), free_port());
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{p1}\n    default_backend be\n\
backend be\n    server s1 127.0.0.1:{p2}\n\
frontend srv\n    bind 127.0.0.1:{p2}\n    http-request return status 204 if {{ path /empty }}\n    http-request return status 200 content-type text/plain string \"hello from the server\" hdr x-extra \"  spaced  \"\n"
        );
        let dir = work.join(name);
        let _p = start_text(bin, pre, &dir, &text, p1);
        let sock = dir.join("admin.sock");
        let base = format!("http://127.0.0.1:{p1}");
        let st = Command::new(h2load)
            .args(["-n", "4", "-c", "1", "-m", "1"])
            .arg(format!("{base}/"))
            .arg(format!("{base}/empty"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let mut out = vec![format!("h2load: {:?}", st.map(|s| s.success()))];
        std::thread::sleep(Duration::from_millis(200));
        let csv = cli(&sock, "show stat");
        // (`srv`, the HTTP/1 side answering with `return`, is not compared: HAProxy
        // 2.6.12 counts 30-38 bytes more there for these four replies than tandem does)
        out.extend(frontend_cols(&csv, "fe", &["req_tot", "bin", "bout"]));
        out
    };
    haproxy_vs_tandem("h2_response_bytes_diff", &work, run);
}

/// The FRONTEND row of `name` in a `show stat` CSV, as `col=value` for `cols`.
fn frontend_cols(csv: &str, name: &str, cols: &[&str]) -> Vec<String> {
    let mut lines = csv.lines();
    let names: Vec<&str> = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("# ")
        .split(',')
        .collect();
    let prefix = format!("{name},FRONTEND,");
    let Some(row) = lines.find(|l| l.starts_with(&prefix)) else {
        return vec![format!("{name}: no FRONTEND row")];
    };
    let f: Vec<&str> = row.split(',').collect();
    cols.iter()
        .map(|col| {
            let v = names
                .iter()
                .position(|n| n == col)
                .and_then(|i| f.get(i))
                .unwrap_or(&"?");
            format!("{name} {col}={v}")
        })
        .collect()
}

/// Connections the `tcp-request` rules refuse are counted as HAProxy 2.6.12 counts them:
/// a `connection` reject in `conn_tot` and `dcon` (no session), a `session` reject in
/// `conn_tot` and `dses`, an HTTP-mode `content` reject as a session with `dreq`, and
/// each in show info's CumConns. (Not compared: HAProxy runs HTTP-mode content rules
/// once the request is in, so it also counts that request's bytes in `bin` and in
/// CumReq; tandem runs them at the connection, before reading.)
#[test]
fn rejected_connection_counts_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-rejects-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let cum_conns = |sock: &Path| -> i64 {
        cli(sock, "show info")
            .lines()
            .find_map(|l| l.strip_prefix("CumConns: "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let (p1, p2, p3, p4) = (free_port(), free_port(), free_port(), free_port());
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend ok\n    bind 127.0.0.1:{p1}\n    http-request return status 200 content-type text/plain string ok\n\
frontend fc\n    bind 127.0.0.1:{p2}\n    tcp-request connection reject if {{ src 127.0.0.1 }}\n    http-request return status 200\n\
frontend fs\n    bind 127.0.0.1:{p3}\n    tcp-request session reject if {{ src 127.0.0.1 }}\n    http-request return status 200\n\
frontend ft\n    bind 127.0.0.1:{p4}\n    tcp-request content reject if {{ src 127.0.0.1 }}\n    http-request return status 200\n"
        );
        let dir = work.join(name);
        let _p = start_text(bin, pre, &dir, &text, p1);
        let sock = dir.join("admin.sock");
        let before = cum_conns(&sock);
        let mut out = Vec::new();
        for port in [p2, p3, p4] {
            let (status, _) = get(port, "/");
            out.push(format!("{port}: '{status}'").replace(&port.to_string(), "port"));
        }
        // How each refusal ends as the client sees it before it sends anything: HAProxy
        // resets a `connection` reject (no linger) and closes a `session` one.
        for port in [p2, p3] {
            out.push(format!("{port}: {}", close_kind(port)).replace(&port.to_string(), "port"));
        }
        std::thread::sleep(Duration::from_millis(200));
        let csv = cli(&sock, "show stat");
        let cols = [
            "stot",
            "conn_tot",
            "dcon",
            "dses",
            "dreq",
            "req_tot",
            "rate_max",
            "conn_rate_max",
            "bout",
        ];
        for fe in ["fc", "fs", "ft"] {
            out.extend(frontend_cols(&csv, fe, &cols));
        }
        out.push(format!("CumConns +{}", cum_conns(&sock) - before));
        out
    };
    haproxy_vs_tandem("rejected_connection_counts_diff", &work, run);
}

/// `ring` sections and `log ring@`: `show events` lists HAProxy's own sinks then the
/// rings in the order of the configuration; a ring holds the log lines in its `format`
/// (rfc3164 here: the priority, then the date and pid masked, then the line), HAProxy's
/// `buf0` answers empty and an unknown sink is refused with HAProxy's text.
#[test]
fn ring_events_diff() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("stats_diff: {HAPROXY} not installed, skipped");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stats-diff-ring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let mask = |text: String| -> Vec<String> {
        text.lines()
            .map(|l| match (l.get(..5), l.split_once("]: ")) {
                (Some(pri), Some((_, rest))) if pri.starts_with('<') => {
                    format!("{pri} DATE localhost haproxy[PID]: {rest}")
                }
                _ => l.to_string(),
            })
            .collect()
    };
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let port = free_port();
        let text = format!(
            "global\n    stats socket @@DIR@@/admin.sock level admin\n\
ring r2\n    description second ring\n    size 16384\n\
ring r1\n    format rfc3164\n    maxlen 1200\n    size 32764\n\
defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    log ring@r1 local0\n    log-format \"%ft %b/%s %ST %r\"\n\
    http-request return status 200 content-type text/plain string ok\n"
        );
        let dir = work.join(name);
        let _p = start_text(bin, pre, &dir, &text, port);
        let sock = dir.join("admin.sock");
        let mut out = Vec::new();
        for path in ["/a", "/b?x=1"] {
            out.push(get(port, path).0);
        }
        std::thread::sleep(Duration::from_millis(200));
        for cmd in [
            "show events",
            "show events r1",
            "show events r2",
            "show events buf0",
            "show events nope",
        ] {
            out.push(format!("> {cmd}"));
            out.extend(mask(cli(&sock, cmd)));
        }
        out
    };
    haproxy_vs_tandem("ring_events_diff", &work, run);
}
