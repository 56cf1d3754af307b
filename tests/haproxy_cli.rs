//! `tandem haproxy ...`: HAProxy's command line, end to end.
//! Expected texts and exit codes were measured with HAProxy 2.6.12
//! (Debian 2.6.12-1+deb12u4); version lines are tandem's own by design.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tandem(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("haproxy")
        .args(args)
        .output();
    match out {
        Ok(o) => o,
        Err(e) => panic!("cannot run tandem: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Stderr lines with `(PID)` masked and the two version NOTICE lines removed.
fn masked_stderr(o: &Output) -> Vec<String> {
    text(&o.stderr)
        .lines()
        .filter(|l| !l.contains(": haproxy version is ") && !l.contains(": path to executable is "))
        .map(|l| match (l.find('('), l.find(") : ")) {
            (Some(a), Some(b)) if a < b && l[a + 1..b].bytes().all(|c| c.is_ascii_digit()) => {
                format!("{}(PID){}", &l[..a], &l[b + 1..])
            }
            _ => l.to_string(),
        })
        .collect()
}

fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-haproxy-cli-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("mkdir {}: {e}", dir.display());
    }
    let p = dir.join(name);
    if let Err(e) = std::fs::write(&p, content) {
        panic!("write {}: {e}", p.display());
    }
    p
}

#[test]
fn version_block() {
    let o = tandem(&["-v"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    let first = out.lines().next().unwrap_or_default().to_string();
    let words: Vec<&str> = first.split(' ').collect();
    assert_eq!(words.first().copied(), Some("HAProxy"));
    assert_eq!(words.get(1).copied(), Some("version"));
    assert_eq!(words.get(2).copied(), Some("2.6.12"));
    assert_eq!(
        words.get(3).copied(),
        Some(concat!("tandem-", env!("CARGO_PKG_VERSION")))
    );
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("Status: "))
    );
    assert!(!out.contains("Build options"));
    assert!(o.stderr.is_empty());
}

#[test]
fn build_options_block() {
    let o = tandem(&["-vv"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.contains("\nBuild options :\n  TARGET  = linux-glibc\n"));
    let features = out
        .lines()
        .find_map(|l| l.strip_prefix("Feature list : "))
        .unwrap_or_default()
        .to_string();
    // What tandem has: TLS (rustls standing in for OpenSSL, so `.if feature(OPENSSL)`
    // blocks are read as on Debian's HAProxy), no Lua.
    assert!(features.split(' ').any(|f| f == "+EPOLL"));
    assert!(features.split(' ').any(|f| f == "+OPENSSL"));
    assert!(features.split(' ').any(|f| f == "-LUA"));
    assert!(out.contains("\nAvailable services : prometheus-exporter\n"));
    assert!(out.contains("\n\t[COMP] compression\n"));
    assert!(out.contains("\nAvailable filters :\n"));
    assert!(out.contains("\nAvailable multiplexer protocols :\n"));
}

#[test]
fn unknown_flag_prints_usage() {
    let o = tandem(&["-Z"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).starts_with("HAProxy version 2.6.12 "));
    let err = text(&o.stderr);
    assert!(err.starts_with(
        "Usage : haproxy [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]\n"
    ));
    assert!(err.contains("\n        -cc check condition : evaluate a condition and exit\n"));
    assert!(err.ends_with("        -S <bind>[,<bind options>...] new master CLI\n\n"));
    // Neither a file name without -f.
    assert_eq!(tandem(&["some.cfg"]).status.code(), Some(1));
}

#[test]
fn missing_option_value() {
    // haproxy -c -f  ->  [ALERT] (PID) : failed to copy argv.  (exit 1)
    let o = tandem(&["-c", "-f"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        masked_stderr(&o),
        ["[ALERT]    (PID) : failed to copy argv."]
    );
}

#[test]
fn check_condition() {
    for (expr, code) in [
        ("1", 0),
        ("0", 1),
        ("", 1),
        ("feature(EPOLL) && feature(OPENSSL) && !feature(LUA)", 0),
        ("version_atleast(2.6) && version_before(2.6.13)", 0),
        ("streq(\"a b\",a\\ b)", 0),
        ("foo", 2),
    ] {
        let o = tandem(&["-cc", expr]);
        assert_eq!(o.status.code(), Some(code), "-cc {expr:?}");
    }
    let o = tandem(&["-cc", "1 &&"]);
    assert_eq!(
        masked_stderr(&o),
        [
            "[ALERT]    (PID) : config : Failed to evaluate condition: unparsable conditional expression '&&'"
        ]
    );
    let o = tandem(&["-cc", "\"a"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        masked_stderr(&o),
        ["[ALERT]    (PID) : config : Syntax Error in condition: Unmatched quote."]
    );
}

#[test]
fn missing_config_file() {
    let o = tandem(&["-c", "-f", "/nonexistent/tandem.cfg"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        masked_stderr(&o),
        [
            "[ALERT]    (PID) : config : Cannot open configuration file/directory /nonexistent/tandem.cfg : No such file or directory"
        ]
    );
}

#[test]
fn lexical_errors_in_check_mode() {
    let f = temp_file("quote.cfg", b"global\n  maxconn \"10\n");
    let name = f.to_string_lossy().into_owned();
    let o = tandem(&["-c", "-f", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        masked_stderr(&o),
        [
            format!(
                "[ALERT]    (PID) : config : parsing [{name}:2]: unmatched quote at position 11:"
            ),
            "  maxconn \"10".to_string(),
            "          ^".to_string(),
            format!("[ALERT]    (PID) : config : Error(s) found in configuration file : {name}"),
            "[ALERT]    (PID) : config : Fatal errors found in configuration.".to_string(),
        ]
    );
    assert!(o.stdout.is_empty());
    // -q silences everything, the exit code stays.
    let o = tandem(&["-c", "-q", "-f", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stderr.is_empty() && o.stdout.is_empty());
}

/// `.alert` aborts: HAProxy 2.6.12 prints the message, then only
/// `Error(s) found in configuration file : FILE` (no `Fatal errors found`).
#[test]
fn alert_directive_aborts() {
    let f = temp_file("alert.cfg", b".alert \"boom\"\n.notice \"after\"\n");
    let name = f.to_string_lossy().into_owned();
    let o = tandem(&["-c", "-f", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        masked_stderr(&o),
        [
            format!("[ALERT]    (PID) : config : parsing [{name}:1]: 'boom'."),
            format!("[ALERT]    (PID) : config : Error(s) found in configuration file : {name}"),
        ]
    );
}

#[test]
fn warnings_and_zero_warning_mode() {
    let f = temp_file(
        "warn.cfg",
        b"global\n.warning \"x\"\nlisten a\n  bind 127.0.0.1:8000\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n",
    );
    let name = f.to_string_lossy().into_owned();
    let o = tandem(&["-c", "-f", &name]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        text(&o.stdout),
        "Warnings were found.\nConfiguration file is valid\n"
    );
    assert_eq!(
        masked_stderr(&o),
        [format!(
            "[WARNING]  (PID) : config : parsing [{name}:2]: 'x'."
        )]
    );
    // -dW: HAProxy 2.6.12 refuses the configuration after printing it all.
    let o = tandem(&["-c", "-dW", "-f", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        masked_stderr(&o).last().map(String::as_str),
        Some(
            "[ALERT]    (PID) : config : Some warnings were found and 'zero-warning' is set. Aborting."
        )
    );
    let o = tandem(&["-c", "-q", "-f", &name]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    // -V wins over -q whatever the order.
    let o = tandem(&["-c", "-V", "-q", "-f", &name]);
    assert_eq!(
        text(&o.stdout),
        "Warnings were found.\nConfiguration file is valid\n"
    );
    // Without -c the engine starts; with its port taken it stops as HAProxy 2.6.12
    // does: one alert per failed bind, then this line, exit 1.
    // If another process holds the port already, the outcome is the same.
    let _held = std::net::TcpListener::bind("127.0.0.1:8000");
    let o = tandem(&["-f", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        masked_stderr(&o).last().map(String::as_str),
        Some(
            "[ALERT]    (PID) : [haproxy.main()] Some protocols failed to start their listeners! Exiting."
        )
    );
}

/// Global `quiet` silences everything HAProxy would print after the line,
/// success lines included; what came before it is still printed; `-V` wins.
#[test]
fn global_quiet() {
    let valid = temp_file(
        "quiet-valid.cfg",
        b"global\n    quiet\nfrontend f\n    timeout client 5s\n    bind :8080\n",
    );
    let valid = valid.to_string_lossy().into_owned();
    let o = tandem(&["-c", "-f", &valid]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());

    // HAProxy 2.6.12 on this file: only the alert of line 3, exit 1.
    let before = temp_file(
        "quiet-after.cfg",
        b"frontend f\n    bind :8080\n    bogus\nglobal\n    quiet\n",
    );
    let before = before.to_string_lossy().into_owned();
    let o = tandem(&["-c", "-f", &before]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        masked_stderr(&o),
        vec![format!(
            "[ALERT]    (PID) : config : parsing [{before}:3] : unknown keyword 'bogus' in 'frontend' section"
        )]
    );

    // With -V everything is printed again.
    let o = tandem(&["-V", "-c", "-f", &valid]);
    assert_eq!(text(&o.stdout), "Configuration file is valid\n");
}
