//! `tandem migrate` on every golden config of the seeds and on the legacy /
//! Heartbeat fixtures of fixtures/migrate: each migrated file must pass the
//! real `haproxy -c -f` (HAProxy 2.6.12) / `keepalived -t -f` (2.2.7), and
//! each report is a snapshot (fixtures/migrate/snapshots).

use std::path::{Path, PathBuf};
use std::process::Command;

use tandem::cli::tandem::MigrateArgs;
use tandem::cli::tandem::migrate::{Migration, migrate, write};

const HAPROXY: &str = "/usr/sbin/haproxy";
const KEEPALIVED: &str = "/usr/sbin/keepalived";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `None` (and a message) when the oracle is absent outside CI; a failure
/// in CI, where .ci/run installs the oracles.
fn oracle(path: &str) -> Option<&str> {
    if Path::new(path).exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true and the oracle {path} is missing");
    }
    eprintln!("skipping oracle runs: {path} is not installed");
    None
}

/// Exit code and stderr of `haproxy -c -f FILE`, run from `cwd` so that
/// relative paths (certs, errorfiles) resolve as for the original.
fn haproxy_check(bin: &str, file: &Path, cwd: &Path) -> (i32, String) {
    let o = Command::new(bin)
        .arg("-c")
        .arg("-f")
        .arg(file)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("running {bin}: {e}"));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout),
    )
}

/// `[ALERT] (pid) : config : parsing [FILE:LINE] : msg` -> `LINE : msg`,
/// without the closing summary lines (they name the file).
fn alerts(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            l.starts_with("[ALERT]") && !l.contains("Error(s) found") && !l.contains("Fatal errors")
        })
        .map(|l| {
            let msg = l.split_once(") : ").map_or(l, |x| x.1);
            match (msg.find("parsing ["), msg.find("] ")) {
                (Some(a), Some(b)) if a < b => {
                    let loc = msg.get(a + 9..b).unwrap_or("");
                    let line = loc.rsplit(':').next().unwrap_or("");
                    format!("{line}{}", msg.get(b + 1..).unwrap_or(""))
                }
                _ => msg.to_string(),
            }
        })
        .collect()
}

fn keepalived_check(bin: &str, file: &Path) -> (i32, String) {
    let o = Command::new(bin)
        .arg("-t")
        .arg("-f")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("running {bin}: {e}"));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Exit code and output of tandem itself in one of the originals'
/// personalities (`tandem haproxy -c -f FILE`, `tandem keepalived -t -f
/// FILE`): the migrated files must run under tandem too.
fn tandem_check(personality: &str, flag: &str, file: &Path, cwd: &Path) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg(personality)
        .arg(flag)
        .arg("-f")
        .arg(file)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("running tandem: {e}"));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout),
    )
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tandem-migrate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn snapshot(name: &str, m: &Migration) {
    insta::with_settings!({
        snapshot_path => root().join("fixtures/migrate/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name.to_string(), m.report.render());
    });
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Migrates one haproxy.cfg; `must_pass`: the output must pass `haproxy
/// -c` whatever the original did (legacy fixtures); otherwise the output
/// must do no worse than the original (goldens that need e.g. a non-local
/// address fail the same way before and after).
fn haproxy_case(prefix: &str, cfg: &Path, must_pass: bool) {
    let stem = cfg.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    let name = format!("{prefix}-{stem}");
    let args = MigrateArgs {
        haproxy: Some(cfg.to_path_buf()),
        ..Default::default()
    };
    let m = migrate(&args).unwrap_or_else(|e| panic!("{}: {e}", cfg.display()));
    snapshot(&name, &m);
    let dir = out_dir(&name);
    write(&m, &dir).unwrap_or_else(|e| panic!("{e}"));
    let cwd = cfg.parent().unwrap_or(Path::new("."));
    let (t_rc, t_text) = tandem_check("haproxy", "-c", &dir.join("haproxy.cfg"), cwd);
    if must_pass {
        assert_eq!(
            t_rc,
            0,
            "{}: migrated config rejected by tandem haproxy -c:\n{t_text}",
            cfg.display()
        );
    }
    let Some(bin) = oracle(HAPROXY) else { return };
    let (orig, _) = haproxy_check(bin, cfg, cwd);
    let (rc, text) = haproxy_check(bin, &dir.join("haproxy.cfg"), cwd);
    // tandem gives the migrated file HAProxy 2.6.12's verdict.
    assert_eq!(
        t_rc,
        rc,
        "{}: tandem haproxy -c exits {t_rc}, haproxy -c {rc}:\n{t_text}\n---\n{text}",
        cfg.display()
    );
    if must_pass {
        assert_eq!(
            rc,
            0,
            "{}: migrated config rejected:\n{text}",
            cfg.display()
        );
        if stem.starts_with("legacy-") {
            assert_ne!(orig, 0, "{}: legacy fixture is not legacy", cfg.display());
        }
    } else {
        assert!(
            rc == 0 || rc == orig,
            "{}: original rc {orig}, migrated rc {rc}:\n{text}",
            cfg.display()
        );
        // What is left is the environment's (e.g. no group `nobody` on this
        // host): every alert of the output was already an alert of the input.
        let (_, orig_text) = haproxy_check(bin, cfg, cwd);
        let before = alerts(&orig_text);
        for a in alerts(&text) {
            assert!(
                before.contains(&a),
                "{}: new alert after migration: {a}\n{text}",
                cfg.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn keepalived_case(prefix: &str, conf: &Path) {
    let stem = conf.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    let name = format!("{prefix}-{stem}");
    let args = MigrateArgs {
        keepalived: Some(conf.to_path_buf()),
        ..Default::default()
    };
    let m = migrate(&args).unwrap_or_else(|e| panic!("{}: {e}", conf.display()));
    snapshot(&name, &m);
    let dir = out_dir(&name);
    write(&m, &dir).unwrap_or_else(|e| panic!("{e}"));
    let Some(bin) = oracle(KEEPALIVED) else {
        return;
    };
    let (orig, _) = keepalived_check(bin, conf);
    let (rc, text) = keepalived_check(bin, &dir.join("keepalived.conf"));
    let cwd = conf.parent().unwrap_or(Path::new("."));
    let (t_rc, t_text) = tandem_check("keepalived", "-t", &dir.join("keepalived.conf"), cwd);
    assert_eq!(
        t_rc,
        rc,
        "{}: tandem keepalived -t exits {t_rc}, keepalived -t {rc}:\n{t_text}\n---\n{text}",
        conf.display()
    );
    // Fixtures must pass; goldens must pass or fail as before (their
    // leftovers are the environment's: an interface or a script this host
    // does not have).
    if prefix == "fixture" {
        assert_eq!(rc, 0, "{}: migrated config:\n{text}", conf.display());
    } else {
        assert!(
            rc == 0 || rc == orig,
            "{}: original rc {orig}, migrated rc {rc}:\n{text}",
            conf.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn heartbeat_case(prefix: &str, dir_in: &Path) {
    let stem = dir_in.file_name().and_then(|s| s.to_str()).unwrap_or("x");
    let name = format!("{prefix}-{stem}");
    let args = MigrateArgs {
        heartbeat: Some(dir_in.to_path_buf()),
        ..Default::default()
    };
    let m = migrate(&args).unwrap_or_else(|e| panic!("{}: {e}", dir_in.display()));
    snapshot(&name, &m);
    let dir = out_dir(&name);
    let written = write(&m, &dir).unwrap_or_else(|e| panic!("{e}"));
    let unit = std::fs::read_to_string(dir.join("tandem.service")).unwrap_or_default();
    assert!(unit.contains("ExecStart=/usr/sbin/tandem run -k /etc/tandem/keepalived.conf"));
    assert!(unit.contains("Type=exec"));
    let Some(bin) = oracle(KEEPALIVED) else {
        return;
    };
    for f in written
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
    {
        let (rc, text) = keepalived_check(bin, f);
        assert_eq!(rc, 0, "{}: {}:\n{text}", dir_in.display(), f.display());
        let (t_rc, t_text) = tandem_check("keepalived", "-t", f, &dir);
        assert_eq!(t_rc, 0, "{}: tandem keepalived -t:\n{t_text}", f.display());
        // keepalived 2.2.7 exits 0 with warnings too: the output must have none.
        assert!(text.trim().is_empty(), "{}: {text}", f.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn legacy_haproxy_fixtures() {
    let fx = files(&root().join("fixtures/migrate"), "cfg");
    assert!(fx.len() >= 10, "fixtures missing");
    for cfg in fx {
        haproxy_case("fixture", &cfg, true);
    }
}

#[test]
fn keepalived_fixtures() {
    for conf in files(&root().join("fixtures/migrate"), "conf") {
        keepalived_case("fixture", &conf);
    }
}

#[test]
fn heartbeat_fixtures() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/migrate"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("hb-"))
                })
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    assert!(dirs.len() >= 5, "heartbeat fixtures missing");
    for d in dirs {
        heartbeat_case("fixture", &d);
    }
}

/// The seeds' goldens: fixtures/golden (in the repository) and, when
/// present, ../shared/golden (the lab's copy).
fn golden_roots() -> Vec<(&'static str, PathBuf)> {
    let mut v = vec![("golden", root().join("fixtures/golden"))];
    let shared = PathBuf::from("/work/shared/golden");
    if shared.is_dir() {
        v.push(("shared", shared));
    }
    v
}

#[test]
fn golden_haproxy() {
    for (p, g) in golden_roots() {
        for cfg in files(&g.join("haproxy"), "cfg") {
            haproxy_case(p, &cfg, false);
        }
    }
}

#[test]
fn golden_keepalived() {
    for (p, g) in golden_roots() {
        for conf in files(&g.join("keepalived"), "conf") {
            keepalived_case(p, &conf);
        }
    }
}

#[test]
fn golden_heartbeat() {
    for (p, g) in golden_roots() {
        heartbeat_case(p, &g.join("heartbeat"));
    }
}

#[test]
fn nothing_to_migrate_is_an_error() {
    assert!(migrate(&MigrateArgs::default()).is_err());
}
