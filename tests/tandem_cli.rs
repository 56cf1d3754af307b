//! tandem's own subcommands end to end: `check`, `config dump` (insta
//! snapshots of the IR of every golden config), `keywords`.
//!
//! Snapshots live in tests/snapshots/. When the IR changes on purpose,
//! review and accept them: `INSTA_UPDATE=always cargo test --test tandem_cli`
//! (or `cargo insta review`), then look at the diff before committing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tandem() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = tandem()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run tandem");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Files of `dir` ending in `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn snapshot_text(r: &Run) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    )
}

/// The IR of every golden config, run from the config's own directory with
/// a relative name as the oracle was (relative `crt` paths depend on it).
#[test]
fn golden_config_dumps() {
    let mut seen = 0;
    let mut unserializable = Vec::new();
    for (sub, flag, ext) in [("haproxy", "-f", ".cfg"), ("keepalived", "-k", ".conf")] {
        let dir = root().join("fixtures/golden").join(sub);
        for f in files(&dir, ext) {
            // --force: the IR of a config with errors is worth seeing too.
            let r = run(
                &dir,
                &["config", "dump", flag, &f, "--format", "json", "--force"],
            );
            // Every IR must serialize; checked after the snapshots so that
            // those still show the whole picture.
            if r.stderr.contains("cannot serialize") || r.stdout.is_empty() {
                unserializable.push(format!("{sub}/{f}: {}", r.stderr.trim_end()));
            }
            insta::assert_snapshot!(format!("dump_{sub}_{f}"), snapshot_text(&r));
            seen += 1;
        }
    }
    assert!(seen >= 20, "golden configs missing: only {seen} found");
    assert!(
        unserializable.is_empty(),
        "no IR dumped for:\n{}",
        unserializable.join("\n")
    );
}

#[test]
fn dump_text_format_matches_json_content() {
    let dir = root().join("fixtures/golden/haproxy");
    let j = run(&dir, &["config", "dump", "-f", "01-basic-local.cfg"]);
    let t = run(
        &dir,
        &[
            "config",
            "dump",
            "-f",
            "01-basic-local.cfg",
            "--format",
            "text",
        ],
    );
    assert_eq!(j.code, t.code);
    if j.code == 0 {
        assert!(j.stdout.starts_with('{'), "{}", j.stdout);
        assert!(t.stdout.starts_with("haproxy:"), "{}", t.stdout);
    }
}

#[test]
fn dump_refuses_a_config_with_errors_unless_forced() {
    let dir = root().join("fixtures/golden/haproxy");
    let r = run(&dir, &["config", "dump", "-f", "10-track-sc0.cfg"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("not dumped"), "{}", r.stderr);
    let f = run(
        &dir,
        &["config", "dump", "-f", "10-track-sc0.cfg", "--force"],
    );
    assert_eq!(f.code, 1);
    assert!(f.stdout.starts_with("{\n  \"haproxy\": "), "{}", f.stdout);
}

#[test]
fn check_valid_config() {
    let dir = root().join("fixtures/golden/haproxy");
    let r = run(&dir, &["check", "-f", "01-basic-local.cfg"]);
    assert_eq!(r.code, 0, "{}", snapshot_text(&r));
    assert_eq!(r.stdout, "haproxy: configuration valid\n");
}

/// HAProxy 2.6.12 on this file: `[ALERT] ... parsing [10-track-sc0.cfg:14] :
/// unknown option 'tcp-request'; did you mean 'splice-request' maybe ?`
#[test]
fn check_reports_errors_in_tandem_style() {
    let dir = root().join("fixtures/golden/haproxy");
    let r = run(&dir, &["check", "-f", "10-track-sc0.cfg"]);
    assert_eq!(r.code, 1, "{}", snapshot_text(&r));
    assert!(
        r.stderr.contains(
            "10-track-sc0.cfg:14: error: unknown option 'tcp-request'; did you mean \
             'splice-request' maybe ?\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn check_missing_file_fails() {
    let r = run(&root(), &["check", "-f", "/nonexistent/tandem.cfg"]);
    assert_eq!(r.code, 1, "{}", snapshot_text(&r));
}

#[test]
fn check_without_inputs_fails() {
    let r = run(&root(), &["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nothing to check"), "{}", r.stderr);
}

/// A frontend bound to the VIP that keepalived manages: the notice names
/// both places and what each program needs.
#[test]
fn check_cross_checks_vip_binds() {
    let dir = std::env::temp_dir().join(format!("tandem-cli-vip-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("h.cfg"),
        "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    \
         timeout connect 1s\nfrontend web\n    bind 192.168.66.10:80\n    bind 127.0.0.1:8080\n    \
         default_backend app\nbackend app\n    server s1 127.0.0.1:8081\n",
    )
    .unwrap();
    fs::write(
        dir.join("k.conf"),
        "vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    \
         priority 100\n    virtual_ipaddress {\n        192.168.66.10/24 dev eth0\n    }\n}\n",
    )
    .unwrap();
    let r = run(&dir, &["check", "-f", "h.cfg", "-k", "k.conf"]);
    let _ = fs::remove_dir_all(&dir);
    let notices: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains(": notice: "))
        .collect();
    assert_eq!(notices.len(), 1, "{}", snapshot_text(&r));
    assert!(
        notices[0].starts_with(
            "h.cfg:7: notice: bind address 192.168.66.10 is a keepalived virtual address"
        ),
        "{}",
        notices[0]
    );
    assert!(
        notices[0].contains("net.ipv4.ip_nonlocal_bind=1"),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("IP_FREEBIND"), "{}", notices[0]);
}

#[test]
fn keywords_formats() {
    let t = run(&root(), &["keywords"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    let m = run(
        &root(),
        &["keywords", "--format", "markdown", "--dialect", "haproxy"],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert!(
        m.stdout.starts_with("### HAProxy") || m.stdout.starts_with("No keywords match."),
        "{}",
        m.stdout
    );
    assert!(!m.stdout.contains("keepalived.conf"), "{}", m.stdout);
    let bad = run(&root(), &["keywords", "--status", "sometimes"]);
    assert_eq!(bad.code, 2, "clap usage error exit code");
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let r = run(&root(), &["frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("frobnicate"), "{}", r.stderr);
}
