//! The compat suite: every fixture under `fixtures/` goes through tandem's check mode
//! and through the real programs (HAProxy 2.6.12 `haproxy -c`, keepalived 2.2.7
//! `keepalived -t`), and both verdicts must agree. See `compat-tests/README.md`.
//!
//! What "agree" means:
//! - haproxy: the same exit code, the same stdout, and the same stderr lines in the same
//!   order once `[NOTICE]` lines are dropped (ALERT/WARNING lines with their `   | `
//!   continuation and `^` caret lines), the PID and the executable's path masked;
//! - keepalived: the same exit code and the same first line of stderr.
//!
//! Three comparisons per fixture, each done when its inputs exist: tandem against the live
//! oracle, tandem against the recorded `.expected` (so a machine without the oracles still
//! checks something), and the live oracle against the recorded `.expected` (a fixture whose
//! verdict depends on the machine shows up here). With `CI=true` a missing oracle fails the
//! suite instead of skipping the live comparisons.
//!
//! Fixtures that mismatch today are listed in `compat-tests/known-failures.txt`; the suite
//! fails on a mismatch not in the list and on a listed fixture that now matches, so the list
//! only shrinks. `tools/update-known-failures` regenerates it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Groups, in report order: the directory under `fixtures/` and how fixtures are found in it.
const GROUPS: &[(&str, &[&str])] = &[
    ("golden", &["golden/haproxy", "golden/keepalived"]),
    ("haproxy", &["haproxy"]),
    ("keepalived", &["keepalived"]),
    ("broken", &["broken"]),
];

/// One run of a program can take this long; HAProxy's and keepalived's check modes take
/// milliseconds, so this only catches hangs.
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

/// Environment every run gets (also set by `tools/record-oracle`), so that messages and
/// `${VAR}` expansions do not depend on the caller's environment.
const FIXED_ENV: &[(&str, &str)] = &[
    ("LC_ALL", "C"),
    ("TANDEM_COMPAT_ENV", "from-harness"),
    ("TANDEM_COMPAT_PORT", "20880"),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dialect {
    Haproxy,
    Keepalived,
}

impl Dialect {
    fn oracle(self) -> &'static str {
        match self {
            Dialect::Haproxy => "haproxy",
            Dialect::Keepalived => "keepalived",
        }
    }
}

struct Fixture {
    /// Path relative to `fixtures/`, with `/` separators: the name used everywhere.
    name: String,
    group: &'static str,
    dialect: Dialect,
    dir: PathBuf,
    /// Arguments after the program name, e.g. `-c -f 01-basic.cfg`.
    args: Vec<String>,
    expected: PathBuf,
}

/// What one run printed.
#[derive(Debug, Clone)]
struct Output {
    /// `None` when killed by a signal or by the timeout.
    exit: Option<i32>,
    stdout: String,
    stderr: String,
    note: Option<String>,
}

/// The part of an output that must agree.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    exit: Option<i32>,
    stdout: Vec<String>,
    lines: Vec<String>,
}

struct Mismatch {
    fixture: String,
    against: &'static str,
    what: String,
}

struct FixtureResult {
    mismatches: Vec<Mismatch>,
    oracle_ran: bool,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory: the test binary lives in `TARGET/PROFILE/deps/`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| manifest_dir().join("target"))
}

fn is_fixture_name(name: &str) -> Option<Dialect> {
    if name.ends_with(".cfg") || name.ends_with(".d") {
        Some(Dialect::Haproxy)
    } else if name.ends_with(".conf") {
        Some(Dialect::Keepalived)
    } else {
        None
    }
}

/// Fixtures are the direct children of each group directory named `*.cfg`, `*.d` (a
/// directory HAProxy loads whole) or `*.conf`; files in subdirectories are helpers
/// (included files, error pages, scripts).
fn discover() -> io::Result<Vec<Fixture>> {
    let root = manifest_dir().join("fixtures");
    let mut out = Vec::new();
    for (group, dirs) in GROUPS {
        for sub in *dirs {
            let dir = root.join(sub);
            let mut entries: Vec<_> = fs::read_dir(&dir)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            for path in entries {
                let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
                    continue;
                };
                let Some(dialect) = is_fixture_name(file) else {
                    continue;
                };
                if file.ends_with(".d") != path.is_dir() {
                    continue;
                }
                let mut args = match dialect {
                    Dialect::Haproxy => vec!["-c".to_string(), "-f".into(), file.to_string()],
                    Dialect::Keepalived => vec!["-t".to_string(), "-f".into(), file.to_string()],
                };
                if path.is_file() {
                    args.extend(extra_files(&fs::read_to_string(&path).unwrap_or_default()));
                }
                out.push(Fixture {
                    name: format!("{sub}/{file}"),
                    group,
                    dialect,
                    dir: dir.clone(),
                    args,
                    expected: dir.join(format!("{file}.expected")),
                });
            }
        }
    }
    Ok(out)
}

/// `# compat-extra-f: PATH` header lines name more files to load after the fixture.
fn extra_files(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# compat-extra-f:"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| ["-f".to_string(), p.to_string()])
        .collect()
}

/// Where a program is in PATH, if it is.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// The recorded outputs come from HAProxy 2.6 and keepalived 2.2; another version of
/// the oracle would disagree with them for reasons that have nothing to do with tandem.
fn oracle_version_ok(d: Dialect, path: &Path) -> Result<(), String> {
    let out = Command::new(path)
        .arg("-v")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: cannot run {}: {e}", d.oracle(), path.display()))?;
    // keepalived prints its version on stderr, HAProxy on stdout.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let first = text.lines().next().unwrap_or_default();
    let wanted = match d {
        Dialect::Haproxy => "HAProxy version 2.6.",
        Dialect::Keepalived => "Keepalived v2.2.",
    };
    if first.starts_with(wanted) {
        Ok(())
    } else {
        Err(format!(
            "{}: {} is `{first}`, the fixtures were recorded with {wanted}x",
            d.oracle(),
            path.display()
        ))
    }
}

static RUN_SEQ: AtomicUsize = AtomicUsize::new(0);

/// Runs a program with the fixed environment, from `dir`, output to files (a pipe could
/// be held open by a grandchild and never reach end of file), killed after the timeout.
fn run(program: &Path, pre_args: &[&str], args: &[String], dir: &Path) -> io::Result<Output> {
    let tmp = target_dir().join("compat-tmp");
    fs::create_dir_all(&tmp)?;
    let seq = RUN_SEQ.fetch_add(1, Ordering::Relaxed);
    let out_path = tmp.join(format!("{}-{seq}.out", std::process::id()));
    let err_path = tmp.join(format!("{}-{seq}.err", std::process::id()));
    let mut cmd = Command::new(program);
    cmd.args(pre_args)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path)?)
        .stderr(fs::File::create(&err_path)?);
    for (k, v) in FIXED_ENV {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn()?;
    let deadline = Instant::now() + RUN_TIMEOUT;
    let mut note = None;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // The child may have exited meanwhile; either way it is gone after this.
            let _ = child.kill();
            let _ = child.wait();
            note = Some(format!("timed out after {}s", RUN_TIMEOUT.as_secs()));
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let exit = status.and_then(|s| s.code());
    if status.is_some() && exit.is_none() {
        note = Some("killed by a signal".into());
    }
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    let output = Output {
        exit,
        stdout: read(&out_path),
        stderr: read(&err_path),
        note,
    };
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Ok(output)
}

/// Reads a recorded `.expected` file (format: see `tools/record-oracle`).
fn parse_expected(text: &str) -> Result<Output, String> {
    let exit = text
        .lines()
        .find_map(|l| l.strip_prefix("exit_code: "))
        .ok_or("no `exit_code:` line")?
        .trim()
        .parse::<i32>()
        .map_err(|e| format!("bad exit_code: {e}"))?;
    let section = |start: &str, end: &str| -> Result<String, String> {
        let from = text.find(start).ok_or(format!("no `{start}` section"))? + start.len();
        let rest = text.get(from..).unwrap_or_default();
        let rest = rest.strip_prefix('\n').unwrap_or(rest);
        let to = rest
            .find(end)
            .ok_or(format!("no `{end}` after `{start}`"))?;
        Ok(rest.get(..to).unwrap_or_default().to_string())
    };
    Ok(Output {
        exit: Some(exit),
        stdout: section("==== stdout ====", "==== stderr ====")?,
        stderr: section("==== stderr ====", "==== end ====")?,
        note: None,
    })
}

/// Replaces `(12345)` after a `[LEVEL]` tag with `(PID)` and the executables' paths with
/// `<EXE>`.
fn mask(line: &str, exes: &[String]) -> String {
    let mut s = line.to_string();
    if s.starts_with('[')
        && let Some(open) = s.find(" (")
        && let Some(close_rel) = s.get(open + 2..).and_then(|r| r.find(')'))
    {
        let digits = s.get(open + 2..open + 2 + close_rel).unwrap_or_default();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            s.replace_range(open + 2..open + 2 + close_rel, "PID");
        }
    }
    for exe in exes {
        if !exe.is_empty() {
            s = s.replace(exe.as_str(), "<EXE>");
        }
    }
    s
}

fn verdict(dialect: Dialect, out: &Output, exes: &[String]) -> Verdict {
    match dialect {
        Dialect::Haproxy => {
            let mut lines = Vec::new();
            let mut in_notice = false;
            for line in out.stderr.lines() {
                if line.starts_with("[NOTICE]") {
                    in_notice = true;
                    continue;
                }
                if line.starts_with('[') {
                    in_notice = false;
                }
                // Continuation lines (`   | ...`) belong to the message above them.
                if in_notice && line.starts_with("   |") {
                    continue;
                }
                lines.push(mask(line, exes));
            }
            Verdict {
                exit: out.exit,
                stdout: out.stdout.lines().map(|l| mask(l, exes)).collect(),
                lines,
            }
        }
        Dialect::Keepalived => Verdict {
            exit: out.exit,
            stdout: Vec::new(),
            lines: out
                .stderr
                .lines()
                .next()
                .map(|l| mask(l, exes))
                .into_iter()
                .collect(),
        },
    }
}

/// A one-line description of how two verdicts differ (`left` is the one under test).
fn describe(left_name: &str, left: &Verdict, right_name: &str, right: &Verdict) -> Option<String> {
    if left == right {
        return None;
    }
    let code = |c: Option<i32>| c.map_or("none".to_string(), |c| c.to_string());
    let mut parts = Vec::new();
    if left.exit != right.exit {
        parts.push(format!(
            "exit code {left_name} {} vs {right_name} {}",
            code(left.exit),
            code(right.exit)
        ));
    }
    for (what, l, r) in [
        ("stderr", &left.lines, &right.lines),
        ("stdout", &left.stdout, &right.stdout),
    ] {
        if l == r {
            continue;
        }
        let i = l.iter().zip(r.iter()).take_while(|(a, b)| a == b).count();
        let show = |v: &Vec<String>| {
            v.get(i)
                .map_or("<nothing>".to_string(), |s| format!("`{s}`"))
        };
        parts.push(format!(
            "{what} line {}: {left_name} {} vs {right_name} {} ({} vs {} lines)",
            i + 1,
            show(l),
            show(r),
            l.len(),
            r.len()
        ));
    }
    Some(parts.join("; "))
}

struct Env {
    tandem: PathBuf,
    oracles: [(Dialect, Option<PathBuf>); 2],
    exes: Vec<String>,
}

impl Env {
    fn oracle(&self, d: Dialect) -> Option<&PathBuf> {
        self.oracles
            .iter()
            .find(|(k, _)| *k == d)
            .and_then(|(_, p)| p.as_ref())
    }
}

fn check_fixture(fx: &Fixture, env: &Env) -> FixtureResult {
    let mut mismatches = Vec::new();
    let mut push = |against: &'static str, what: String| {
        mismatches.push(Mismatch {
            fixture: fx.name.clone(),
            against,
            what,
        })
    };
    let tandem = match run(&env.tandem, &[fx.dialect.oracle()], &fx.args, &fx.dir) {
        Ok(o) => Some(o),
        Err(e) => {
            push("tandem", format!("could not run tandem: {e}"));
            None
        }
    };
    let mut oracle_ran = false;
    let oracle = match env.oracle(fx.dialect) {
        Some(path) => match run(path, &[], &fx.args, &fx.dir) {
            Ok(o) => {
                oracle_ran = true;
                Some(o)
            }
            Err(e) => {
                push("oracle", format!("could not run {}: {e}", path.display()));
                None
            }
        },
        None => None,
    };
    let recorded = match fs::read_to_string(&fx.expected) {
        Ok(text) => match parse_expected(&text) {
            Ok(o) => Some(o),
            Err(e) => {
                push("recorded", format!("{}: {e}", fx.expected.display()));
                None
            }
        },
        Err(e) => {
            push(
                "recorded",
                format!(
                    "no recorded output ({e}); run tools/record-oracle fixtures/{}",
                    fx.name
                ),
            );
            None
        }
    };
    let v = |o: &Output| verdict(fx.dialect, o, &env.exes);
    if let Some(t) = &tandem {
        if let Some(note) = &t.note {
            push("tandem", format!("tandem {note}"));
        }
        if let Some(o) = &oracle
            && let Some(d) = describe("tandem", &v(t), "oracle", &v(o))
        {
            push("oracle", d);
        }
        if let Some(r) = &recorded
            && let Some(d) = describe("tandem", &v(t), "recorded", &v(r))
        {
            push("recorded", d);
        }
    }
    if let (Some(o), Some(r)) = (&oracle, &recorded)
        && let Some(d) = describe("oracle", &v(o), "recorded", &v(r))
    {
        // The oracle on this machine disagrees with the recording: the fixture depends on
        // the machine (interfaces, users, files) or the recording is stale.
        push("oracle-vs-recorded", d);
    }
    FixtureResult {
        mismatches,
        oracle_ran,
    }
}

fn read_known_failures(path: &Path) -> BTreeSet<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn compat_suite() {
    let fixtures = match discover() {
        Ok(f) => f,
        Err(e) => panic!("cannot list fixtures/: {e}"),
    };
    assert!(!fixtures.is_empty(), "no fixtures found under fixtures/");

    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let tandem = PathBuf::from(env!("CARGO_BIN_EXE_tandem"));
    let mut problems = Vec::new();
    let oracles = [Dialect::Haproxy, Dialect::Keepalived].map(|d| {
        let found = match which(d.oracle()) {
            None => Err(format!("{} not found in PATH", d.oracle())),
            Some(path) => oracle_version_ok(d, &path).map(|()| path),
        };
        match found {
            Ok(path) => (d, Some(path)),
            Err(e) => {
                problems.push(e);
                (d, None)
            }
        }
    });
    if !problems.is_empty() {
        if ci {
            panic!(
                "CI=true and an oracle is unusable: {} (install the Debian packages; .ci/run does)",
                problems.join("; ")
            );
        }
        eprintln!(
            "compat: comparing with the recorded output only for: {}",
            problems.join("; ")
        );
    }
    // The oracles' Debian paths are masked even when they are not installed: the
    // recorded outputs name them.
    let mut exes = vec![
        tandem.display().to_string(),
        "/usr/sbin/haproxy".to_string(),
        "/usr/sbin/keepalived".to_string(),
    ];
    exes.extend(
        oracles
            .iter()
            .filter_map(|(_, p)| p.as_ref().map(|p| p.display().to_string())),
    );
    let env = Env {
        tandem,
        oracles,
        exes,
    };

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FixtureResult>>> =
        Mutex::new((0..fixtures.len()).map(|_| None).collect());
    // The oracles spend most of a run waiting (HAProxy looks up the host name), so
    // more runs than cores are in flight; bounded so a big machine is not flooded.
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 4)
        .clamp(4, 12);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(fx) = fixtures.get(i) else { break };
                    let r = check_fixture(fx, &env);
                    if let Ok(mut all) = results.lock()
                        && let Some(slot) = all.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());

    let known_path = manifest_dir().join("compat-tests/known-failures.txt");
    let known = read_known_failures(&known_path);
    let mut failing = BTreeSet::new();
    let mut table = Vec::new();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "tandem compat suite: tandem vs haproxy -c / keepalived -t (live oracle and recorded)"
    );
    let _ = writeln!(
        report,
        "oracles: haproxy {}, keepalived {}\n",
        env.oracle(Dialect::Haproxy)
            .map_or("MISSING (recorded output only)".into(), |p| p
                .display()
                .to_string()),
        env.oracle(Dialect::Keepalived)
            .map_or("MISSING (recorded output only)".into(), |p| p
                .display()
                .to_string()),
    );
    let _ = writeln!(
        report,
        "{:<12} {:>7} {:>7} {:>11} {:>10}",
        "group", "matched", "total", "known-fail", "oracle-run"
    );
    let (mut all_matched, mut all_total) = (0, 0);
    for (group, _) in GROUPS {
        let (mut matched, mut total, mut known_fail, mut ran) = (0, 0, 0, 0);
        for (fx, r) in fixtures.iter().zip(&results) {
            if fx.group != *group {
                continue;
            }
            total += 1;
            let Some(r) = r else { continue };
            if r.oracle_ran {
                ran += 1;
            }
            if r.mismatches.is_empty() {
                matched += 1;
            } else {
                failing.insert(fx.name.clone());
                if known.contains(&fx.name) {
                    known_fail += 1;
                }
            }
        }
        all_matched += matched;
        all_total += total;
        let _ = writeln!(
            report,
            "{group:<12} {matched:>7} {total:>7} {known_fail:>11} {ran:>10}"
        );
    }
    let _ = writeln!(report, "{:<12} {all_matched:>7} {all_total:>7}", "all");
    let summary = report.clone();
    for (fx, r) in fixtures.iter().zip(&results) {
        match r {
            Some(r) => table.extend(r.mismatches.iter().map(|m| (m, known.contains(&fx.name)))),
            None => {
                failing.insert(fx.name.clone());
            }
        }
    }

    let names: BTreeSet<String> = fixtures.iter().map(|f| f.name.clone()).collect();
    let unexpected: Vec<&String> = failing.difference(&known).collect();
    let now_passing: Vec<&String> = known.difference(&failing).collect();

    let _ = writeln!(report, "\nmismatches (fixture | against | what differed):");
    for (m, is_known) in &table {
        let _ = writeln!(
            report,
            "{}{} | {} | {}",
            if *is_known { "(known) " } else { "" },
            m.fixture,
            m.against,
            m.what
        );
    }
    let target = target_dir();
    let _ = fs::write(target.join("compat-report.txt"), &report);
    let failures_list: String = failing.iter().map(|n| format!("{n}\n")).collect();
    let _ = fs::write(target.join("compat-failures.txt"), failures_list);
    eprintln!("{summary}");
    eprintln!(
        "(written to {})",
        target.join("compat-report.txt").display()
    );

    let mut msg = String::new();
    if !unexpected.is_empty() {
        let _ = writeln!(
            msg,
            "{} fixture(s) mismatch and are not in compat-tests/known-failures.txt:",
            unexpected.len()
        );
        let _ = writeln!(msg, "{:<48} | {:<18} | what differed", "fixture", "against");
        for (m, is_known) in &table {
            if !is_known {
                let _ = writeln!(msg, "{:<48} | {:<18} | {}", m.fixture, m.against, m.what);
            }
        }
    }
    if !now_passing.is_empty() {
        let _ = writeln!(
            msg,
            "\n{} fixture(s) in compat-tests/known-failures.txt now match (or no longer exist); \
             remove them from the list (tools/update-known-failures):",
            now_passing.len()
        );
        for n in &now_passing {
            let why = if names.contains(*n) {
                ""
            } else {
                " (no such fixture)"
            };
            let _ = writeln!(msg, "  {n}{why}");
        }
    }
    assert!(msg.is_empty(), "compat suite:\n{msg}");
}

// The harness's own helpers: if they were wrong, the suite would compare the wrong
// things and pass or fail for no reason.

/// HAProxy 2.6.12's output for a config with a missing backend, as recorded.
const SAMPLE_EXPECTED: &str = "# oracle: HAProxy 2.6.12-1+deb12u4 (Debian 12)
command: cd fixtures/broken && haproxy -c -f 03-use-backend-missing.cfg
exit_code: 1
verdict: INVALID
==== combined stdout+stderr (arrival order, as with 2>&1) ====
[NOTICE]   (21010) : haproxy version is 2.6.12-1+deb12u4
[NOTICE]   (21010) : path to executable is /usr/sbin/haproxy
[ALERT]    (21010) : config : Proxy 'web': unable to find required use_backend: 'api'.
[ALERT]    (21010) : config : Fatal errors found in configuration.
==== stdout ====
==== stderr ====
[NOTICE]   (21010) : haproxy version is 2.6.12-1+deb12u4
[NOTICE]   (21010) : path to executable is /usr/sbin/haproxy
[ALERT]    (21010) : config : Proxy 'web': unable to find required use_backend: 'api'.
[ALERT]    (21010) : config : Fatal errors found in configuration.
==== end ====
";

#[test]
fn parse_expected_reads_exit_code_and_streams() {
    let out = match parse_expected(SAMPLE_EXPECTED) {
        Ok(o) => o,
        Err(e) => panic!("sample did not parse: {e}"),
    };
    assert_eq!(out.exit, Some(1));
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 4);
    assert!(
        out.stderr
            .starts_with("[NOTICE]   (21010) : haproxy version")
    );
    assert!(parse_expected("exit_code: 0\n").is_err());
}

#[test]
fn haproxy_verdict_masks_pid_and_path_and_drops_notices() {
    let recorded = match parse_expected(SAMPLE_EXPECTED) {
        Ok(o) => o,
        Err(e) => panic!("sample did not parse: {e}"),
    };
    // The same messages from another run: other PID, other executable, extra NOTICE.
    let other = Output {
        exit: Some(1),
        stdout: String::new(),
        stderr: "[NOTICE]   (777) : config : parsing [x.cfg:1]: 'a notice'.\n\
                 [NOTICE]   (777) : haproxy version is 2.6.12\n\
                 [NOTICE]   (777) : path to executable is /opt/tandem\n\
                 [ALERT]    (777) : config : Proxy 'web': unable to find required use_backend: 'api'.\n\
                 [ALERT]    (777) : config : Fatal errors found in configuration.\n"
            .to_string(),
        note: None,
    };
    let exes = vec!["/opt/tandem".to_string(), "/usr/sbin/haproxy".to_string()];
    let a = verdict(Dialect::Haproxy, &recorded, &exes);
    let b = verdict(Dialect::Haproxy, &other, &exes);
    assert_eq!(a, b);
    assert_eq!(
        a.lines.first().map(String::as_str),
        Some(
            "[ALERT]    (PID) : config : Proxy 'web': unable to find required use_backend: 'api'."
        )
    );
    // A different message, or the same one at another level, must not compare equal.
    let warning = Output {
        stderr: other.stderr.replace(
            "[ALERT]    (777) : config : Proxy",
            "[WARNING]  (777) : config : Proxy",
        ),
        ..other.clone()
    };
    let c = verdict(Dialect::Haproxy, &warning, &exes);
    assert_ne!(a, c);
    let described = describe("tandem", &c, "oracle", &a).unwrap_or_default();
    assert!(described.contains("stderr line 1"), "{described}");
    // Continuation lines belong to the warning they follow and are compared.
    let cont = Output {
        exit: Some(0),
        stdout: "Warnings were found.\nConfiguration file is valid\n".into(),
        stderr: "[WARNING]  (5) : config : missing timeouts for frontend 'f'.\n   | While not properly invalid\n".into(),
        note: None,
    };
    assert_eq!(verdict(Dialect::Haproxy, &cont, &exes).lines.len(), 2);
}

#[test]
fn keepalived_verdict_is_exit_code_and_first_line() {
    // keepalived 2.2.7's output for golden/keepalived/03-web-master.conf.
    let out = Output {
        exit: Some(5),
        stdout: String::new(),
        stderr: "(03-web-master.conf: Line 30) (VI_1) track script chk_http_port not found, ignoring...\n\
                 Disabling track script chk_http_port since not found/accessible\n"
            .into(),
        note: None,
    };
    let v = verdict(Dialect::Keepalived, &out, &[]);
    assert_eq!(v.exit, Some(5));
    assert_eq!(v.lines.len(), 1);
    let other_code = Output {
        exit: Some(0),
        ..out.clone()
    };
    assert_ne!(v, verdict(Dialect::Keepalived, &other_code, &[]));
}

#[test]
fn extra_files_come_from_header_lines() {
    let text = "# compat-extra-f: extra/a.cfg\n# compat-extra-f:  b.cfg \nglobal\n";
    assert_eq!(extra_files(text), ["-f", "extra/a.cfg", "-f", "b.cfg"]);
    assert!(extra_files("global\n").is_empty());
}
