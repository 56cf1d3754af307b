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

/// A frontend bound to the VIP that keepalived manages: the note names
/// both places and what each program needs; a loopback bind is named as
/// local.
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
    let notes: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains(": note: "))
        .collect();
    assert_eq!(notes.len(), 2, "{}", snapshot_text(&r));
    assert_eq!(
        notes[0],
        "h.cfg:7: note: bind address 192.168.66.10 is a keepalived virtual address \
         (vrrp_instance VI_1, k.conf:7); present only on the MASTER: tandem binds it with \
         IP_FREEBIND; real HAProxy needs net.ipv4.ip_nonlocal_bind=1 (or 'freebind' on the \
         bind line) to start on the BACKUP node"
    );
    assert_eq!(
        notes[1],
        "h.cfg:8: note: bind address 127.0.0.1 is an address of this node"
    );
    assert!(
        r.stdout
            .contains("pair: haproxy.cfg and keepalived.conf agree\n"),
        "{}",
        snapshot_text(&r)
    );
}

/// The seed pair of seed 003 (keepalived 03-web-master / 04-web-backup,
/// whose VIP 192.168.1.100 the seed's haproxy binds), made to pass
/// `keepalived -t` on any machine (no track_script, no track_interface:
/// the goldens fail on those for reasons unrelated to the pair), in a
/// directory per node.
struct PairDirs {
    base: PathBuf,
}

impl PairDirs {
    fn new(tag: &str) -> PairDirs {
        let base =
            std::env::temp_dir().join(format!("tandem-cli-pair-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let g = root().join("fixtures/golden");
        let clean = |f: &str| {
            let t = fs::read_to_string(g.join("keepalived").join(f)).unwrap();
            // Drop the track_interface / track_script blocks and the
            // vrrp_script they point at.
            let mut out = String::new();
            let mut skip = 0i32;
            for l in t.lines() {
                let w = l.split_whitespace().next().unwrap_or("");
                if skip == 0 && matches!(w, "track_interface" | "track_script" | "vrrp_script") {
                    skip = 1;
                    continue;
                }
                if skip > 0 {
                    skip += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                    continue;
                }
                out.push_str(l);
                out.push('\n');
            }
            out
        };
        let ha = fs::read_to_string(g.join("haproxy/11-server-template.cfg")).unwrap();
        for (node, ka) in [("lb1", "03-web-master.conf"), ("lb2", "04-web-backup.conf")] {
            let d = base.join(node);
            fs::create_dir_all(d.join("haproxy")).unwrap();
            fs::create_dir_all(d.join("keepalived")).unwrap();
            fs::write(d.join("haproxy/haproxy.cfg"), &ha).unwrap();
            fs::write(d.join("keepalived/keepalived.conf"), clean(ka)).unwrap();
        }
        PairDirs { base }
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.base.join(rel);
        let t = fs::read_to_string(&p).unwrap();
        assert!(t.contains(from), "{rel} has no {from:?}");
        fs::write(&p, t.replacen(from, to, 1)).unwrap();
    }

    fn check(&self) -> Run {
        run(
            &self.base,
            &[
                "check",
                "-f",
                "lb1/haproxy/haproxy.cfg",
                "-k",
                "lb1/keepalived/keepalived.conf",
                "--peer",
                "lb2",
            ],
        )
    }
}

impl Drop for PairDirs {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

#[test]
fn check_peer_seed_pair_agrees() {
    let p = PairDirs::new("ok");
    let r = p.check();
    assert_eq!(r.code, 0, "{}", snapshot_text(&r));
    assert!(
        r.stderr.contains(
            "lb1/haproxy/haproxy.cfg:12: note: bind address 192.168.1.100 is a keepalived \
             virtual address (vrrp_instance VI_1, lb1/keepalived/keepalived.conf:"
        ),
        "{}",
        snapshot_text(&r)
    );
    assert!(
        r.stdout.contains("peer: the nodes agree\n"),
        "{}",
        snapshot_text(&r)
    );
    assert!(!r.stderr.contains("error"), "{}", snapshot_text(&r));
}

#[test]
fn check_peer_reports_each_disagreement() {
    let p = PairDirs::new("bad");
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "virtual_router_id 51",
        "virtual_router_id 52",
    );
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "auth_pass 1111",
        "auth_pass 2222",
    );
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "advert_int 1",
        "advert_int 2",
    );
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "192.168.1.100/24",
        "192.168.1.101/24",
    );
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "    priority 90",
        "priority 100",
    );
    p.edit(
        "lb2/keepalived/keepalived.conf",
        "    state BACKUP",
        "state MASTER",
    );
    p.edit(
        "lb2/haproxy/haproxy.cfg",
        "balance roundrobin",
        "balance leastconn",
    );
    let r = p.check();
    assert_eq!(r.code, 1, "{}", snapshot_text(&r));
    let e = &r.stderr;
    for want in [
        "lb1/keepalived/keepalived.conf:15: error: vrrp_instance VI_1: virtual_router_id is 51 \
         here but 52 on the peer (lb2/keepalived/keepalived.conf:",
        "error: vrrp_instance VI_1: virtual_ipaddress is [192.168.1.100/24] here but \
         [192.168.1.101/24] on the peer",
        "error: vrrp_instance VI_1: authentication is PASS 1111 here but PASS 2222 on the peer",
        "error: vrrp_instance VI_1: advert_int is 1 here but 2 on the peer",
        "lb1/keepalived/keepalived.conf:16: error: vrrp_instance VI_1: priority 100 on both nodes",
        "lb1/keepalived/keepalived.conf:13: error: vrrp_instance VI_1: state MASTER on both nodes",
        "lb1/haproxy/haproxy.cfg:16: error: haproxy.cfg differs from the peer's \
         (lb2/haproxy/haproxy.cfg:16): 'balance roundrobin' here, 'balance leastconn' there",
    ] {
        assert!(
            e.contains(want),
            "missing {want:?} in:\n{}",
            snapshot_text(&r)
        );
    }
    assert!(r.stdout.contains("peer: 7 errors"), "{}", snapshot_text(&r));
}

#[test]
fn check_peer_accepts_node_local_lines_and_flags_missing_files() {
    let p = PairDirs::new("local");
    p.edit(
        "lb1/haproxy/haproxy.cfg",
        "\ndefaults ",
        "\nglobal\n    node lb1\ndefaults ",
    );
    p.edit(
        "lb2/haproxy/haproxy.cfg",
        "\ndefaults ",
        "\nglobal\n    node lb2\ndefaults ",
    );
    let r = p.check();
    assert_eq!(r.code, 0, "{}", snapshot_text(&r));
    assert!(
        r.stderr
            .contains("note: node-local difference with the peer"),
        "{}",
        snapshot_text(&r)
    );
    fs::remove_file(p.base.join("lb2/keepalived/keepalived.conf")).unwrap();
    let r = p.check();
    assert_eq!(r.code, 1, "{}", snapshot_text(&r));
    assert!(
        r.stderr
            .contains("lb2: error: no keepalived.conf for the peer"),
        "{}",
        r.stderr
    );
}

/// A bind on an address that is neither a VIP nor local fails the check;
/// --node-addr declares the node's addresses when checking elsewhere.
#[test]
fn check_bind_on_foreign_address_fails_unless_node_addr() {
    let p = PairDirs::new("foreign");
    p.edit(
        "lb1/haproxy/haproxy.cfg",
        "frontend web_front                      # reconstructed\n    bind 192.168.1.100:80",
        "frontend web_front\n    bind 192.168.1.100:80\n    bind 198.51.100.7:80",
    );
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            "check",
            "-f",
            "lb1/haproxy/haproxy.cfg",
            "-k",
            "lb1/keepalived/keepalived.conf",
        ];
        v.extend_from_slice(extra);
        v
    };
    let r = run(&p.base, &args(&[]));
    assert_eq!(r.code, 1, "{}", snapshot_text(&r));
    assert!(
        r.stderr.contains(
            "lb1/haproxy/haproxy.cfg:13: error: bind address 198.51.100.7 is neither a \
             keepalived virtual address nor an address of this node"
        ),
        "{}",
        snapshot_text(&r)
    );
    let r = run(&p.base, &args(&["--node-addr", "198.51.100.7"]));
    assert_eq!(r.code, 0, "{}", snapshot_text(&r));
    assert!(
        r.stderr
            .contains("bind address 198.51.100.7 is an address of this node"),
        "{}",
        snapshot_text(&r)
    );
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
