//! The log differential suite: every case under `tests/log_diff/` runs against the real
//! HAProxy 2.6 and against tandem with the same config, backends and traffic (the
//! harness of `tests/proxy_diff.rs`), and the syslog lines both send to a UDP listener
//! in the test (`@@syslog@@`) must be equal field for field once dates, PIDs, client
//! ports and timers are masked (`logs` steps; see `mask_log` in the harness). Timers
//! keep `-1` (a phase never reached), so the termination state and the timer shape are
//! compared too.
//!
//!     cargo test --test log_diff
//!     LOG_DIFF_CASES=l01 cargo test --test log_diff
//!     PROXY_DIFF_SUBJECT=haproxy cargo test --test log_diff   # HAProxy against itself
//!     less target/log-diff/CASE/{haproxy,tandem}.txt; cat target/log-diff-report.txt
//!
//! Known differences are listed with a reason in `tests/log_diff/known-failures.txt`.

#[path = "proxy_diff.rs"]
#[allow(dead_code)]
mod harness;

static LOG_SUITE: harness::Suite = harness::Suite {
    cases: "tests/log_diff",
    out: "log-diff",
    cases_env: "LOG_DIFF_CASES",
    title: "log diff",
};

#[test]
fn log_diff() {
    harness::run_suite(&LOG_SUITE);
}

/// `option log-health-checks` with `-db`: HAProxy 2.6 prints each check report on stderr
/// too (`[WARNING]  (PID) : Health check for server be/s2 failed, ...`), before the
/// transition line; tandem prints the same lines, PIDs and check durations aside.
#[test]
fn log_health_checks_on_stderr() {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    const HAPROXY: &str = "/usr/sbin/haproxy";
    if !std::path::Path::new(HAPROXY).exists() {
        eprintln!("log_diff: {HAPROXY} not installed, skipped");
        return;
    }
    // s1 answers every check with 200; s2's port is closed
    let live = TcpListener::bind("127.0.0.1:0").expect("bind");
    let live_port = live.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in live.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    let free = || {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port")
    };
    let closed = free();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("log-diff-stderr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let run = |bin: &str, pre: &[&str], name: &str| -> Vec<String> {
        let port = free();
        let cfg = dir.join(format!("{name}.cfg"));
        std::fs::write(
            &cfg,
            format!(
                // `timeout check`: without it a check may take `inter` (100 ms) at most,
                // which a loaded host overran once (an extra `Layer7 timeout` line).
                "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\
    timeout check 1s\n\
frontend fe\n    bind 127.0.0.1:{port}\n    default_backend be\n\
backend be\n    option log-health-checks\n    option httpchk GET /\n\
    default-server inter 100 rise 2 fall 2\n\
    server s1 127.0.0.1:{live_port} check\n    server s2 127.0.0.1:{closed} check\n\
    server s3 127.0.0.1:{closed} check backup\n"
            ),
        )
        .expect("cfg");
        let err = dir.join(format!("{name}.stderr"));
        let mut child = Command::new(bin)
            .args(pre)
            .arg("-f")
            .arg(&cfg)
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&err).expect("stderr"))
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(1200));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&err).unwrap_or_default();
        // per server, in order: the interleaving of different servers' checks is timing
        let mut lines: Vec<(String, String)> = text
            .lines()
            .filter(|l| {
                l.contains("Health check") || l.contains(" is DOWN") || l.contains(" is UP")
            })
            .map(|l| {
                let body = l.split_once(") : ").map_or(l, |(_, b)| b);
                let tag = l.split_whitespace().next().unwrap_or("");
                let masked = mask_duration(body);
                let srv = masked
                    .split_whitespace()
                    .find(|w| w.starts_with("be/"))
                    .unwrap_or("")
                    .trim_end_matches(['.', ','])
                    .to_string();
                (srv, format!("{tag} {masked}"))
            })
            .collect();
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        lines.into_iter().map(|(_, l)| l).collect()
    };
    let h = run(HAPROXY, &[], "haproxy");
    let t = run(env!("CARGO_BIN_EXE_tandem"), &["haproxy"], "tandem");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!h.is_empty(), "HAProxy printed no check line");
    assert_eq!(h, t, "haproxy:\n{h:#?}\ntandem:\n{t:#?}");
}

/// `check duration: 12ms` -> `check duration: Nms`.
fn mask_duration(s: &str) -> String {
    const KEY: &str = "check duration: ";
    match s.find(KEY) {
        Some(i) => {
            let rest = &s[i + KEY.len()..];
            let end = rest.find("ms").unwrap_or(0);
            format!("{}{KEY}N{}", &s[..i], &rest[end..])
        }
        None => s.to_string(),
    }
}
