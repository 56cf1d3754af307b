//! `tandem check`: both dialects in one run, in a compiler-like style
//! (`file:line: level: message`), plus the checks of one against the other.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::config::diag::{Diag, Level};
use crate::config::haproxy::lexer::{self, Item};
use crate::config::haproxy::parser::Verdict;

use super::inputs::{self, KeepalivedSide};
use super::pair::{self, Finding};
use super::{CheckArgs, Inputs};

/// Exit codes of `tandem check`.
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERRORS: i32 = 1;

pub fn run(args: &CheckArgs) -> i32 {
    let report = check(args);
    // Diagnostics first, the per-dialect verdicts last, as a compiler does.
    super::err(&report.stderr);
    super::out(&report.stdout);
    report.code
}

/// What a check prints and returns, kept apart from the printing so that it
/// can be tested.
#[derive(Debug, Default)]
pub struct Report {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

#[derive(Debug, Default)]
struct Counts {
    errors: usize,
    warnings: usize,
}

pub fn check(args: &CheckArgs) -> Report {
    let mut r = Report::default();
    if args.inputs.haproxy.is_empty() && args.inputs.keepalived.is_empty() {
        r.stderr.push_str(
            "tandem check: nothing to check: give -f haproxy.cfg and/or -k keepalived.conf\n",
        );
        r.code = EXIT_ERRORS;
        return r;
    }
    let mut failed = false;

    // haproxy.cfg
    let mut binds = Vec::new();
    match inputs::load_haproxy(&args.inputs, args.legacy) {
        Err(e) => {
            let _ = writeln!(r.stderr, "haproxy: error: {e}");
            failed = true;
        }
        Ok(None) => {}
        Ok(Some(outcome)) => {
            let mut n = Counts::default();
            for d in &outcome.diags {
                emit(&mut r.stderr, "haproxy", d, args.quiet, &mut n);
            }
            let verdict_error = match &outcome.verdict {
                Verdict::Valid => None,
                Verdict::NoListener => {
                    n.warnings += 1;
                    if !args.quiet {
                        r.stderr.push_str(
                            "haproxy: warning: no listener: the configuration has no error but \
                             HAProxy would not start with it (haproxy -c exits 2)\n",
                        );
                    }
                    None
                }
                Verdict::ServerAddr => Some("failed to initialize server(s) addr"),
                _ => Some("fatal errors found in configuration"),
            };
            if let Some(msg) = verdict_error {
                // The details are in the diagnostics; make sure a failing
                // verdict is never silent even if none was an alert.
                if n.errors == 0 {
                    let _ = writeln!(r.stderr, "haproxy: error: {msg}");
                }
                n.errors = n.errors.max(1);
            }
            failed |= n.errors > 0;
            let _ = writeln!(r.stdout, "haproxy: {}", summary(&n));
            if let Ok(files) = inputs::expand_haproxy(&args.inputs.haproxy) {
                binds = haproxy_binds(&files);
            }
        }
    }

    // keepalived.conf
    let mut vips = Vec::new();
    let mut k_configs = None;
    match inputs::load_keepalived(&args.inputs) {
        KeepalivedSide::NotGiven => {}
        KeepalivedSide::Unavailable(why) => {
            let _ = writeln!(r.stderr, "keepalived: error: {why}");
            let _ = writeln!(r.stdout, "keepalived: not checked");
            failed = true;
        }
        KeepalivedSide::Loaded {
            diags,
            failed: kfail,
            vips: v,
            configs,
        } => {
            let mut n = Counts::default();
            for d in &diags {
                emit(&mut r.stderr, "keepalived", d, args.quiet, &mut n);
            }
            if kfail {
                n.errors = n.errors.max(1);
            }
            failed |= n.errors > 0;
            let _ = writeln!(r.stdout, "keepalived: {}", summary(&n));
            vips = v;
            k_configs = Some(configs);
        }
    }

    // Each against the other, then against the peer node.
    let mut findings = Vec::new();
    if !args.inputs.haproxy.is_empty() && k_configs.is_some() {
        let node = if args.node_addr.is_empty() {
            pair::machine_addrs()
        } else {
            args.node_addr.clone()
        };
        findings.push(("pair", pair::bind_checks(&binds, &vips, &node)));
    }
    if let Some(dir) = &args.peer {
        findings.push(("peer", peer_check(args, dir, k_configs.as_deref())));
    }
    for (what, fs) in &findings {
        let mut n = Counts::default();
        for f in fs {
            match f.level {
                pair::Level::Error => n.errors += 1,
                pair::Level::Warning => n.warnings += 1,
                pair::Level::Note => {}
            }
            if !args.quiet || f.level == pair::Level::Error {
                r.stderr.push_str(&f.to_string());
            }
        }
        failed |= n.errors > 0;
        let ok = if *what == "pair" {
            "haproxy.cfg and keepalived.conf agree"
        } else {
            "the nodes agree"
        };
        let _ = writeln!(
            r.stdout,
            "{what}: {}",
            summary(&n).replace("configuration valid", ok)
        );
    }

    r.code = if failed { EXIT_ERRORS } else { EXIT_OK };
    r
}

/// `--peer DIR`: the other node's files against this node's.
fn peer_check(
    args: &CheckArgs,
    dir: &std::path::Path,
    ours: Option<&[crate::ir::keepalived::Config]>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = dir.display().to_string();
    let err = |text: String| Finding {
        level: pair::Level::Error,
        at: at.clone(),
        text,
    };
    if !dir.is_dir() {
        out.push(err("--peer: not a directory".to_string()));
        return out;
    }
    let (p_ha, p_ka) = pair::peer_files(dir);
    if !args.inputs.keepalived.is_empty() {
        match (&p_ka, ours) {
            (None, _) => out.push(err(
                "no keepalived.conf for the peer (looked in DIR, DIR/keepalived and \
                 DIR/etc/keepalived)"
                    .to_string(),
            )),
            (Some(_), None) => {}
            (Some(p), Some(ours)) => {
                let side = inputs::load_keepalived(&Inputs {
                    haproxy: Vec::new(),
                    keepalived: vec![p.clone()],
                });
                match side {
                    KeepalivedSide::Loaded {
                        configs, failed, ..
                    } => {
                        if failed {
                            out.push(Finding {
                                level: pair::Level::Warning,
                                at: p.display().to_string(),
                                text: "the peer's keepalived.conf has problems of its own \
                                       (tandem check -k it on that node)"
                                    .to_string(),
                            });
                        }
                        out.extend(pair::peer_keepalived(ours, &configs));
                    }
                    KeepalivedSide::Unavailable(why) => out.push(err(why)),
                    KeepalivedSide::NotGiven => {}
                }
            }
        }
    }
    if !args.inputs.haproxy.is_empty() {
        match (&p_ha, inputs::expand_haproxy(&args.inputs.haproxy)) {
            (None, _) => out.push(err(
                "no haproxy.cfg for the peer (looked in DIR, DIR/haproxy and DIR/etc/haproxy)"
                    .to_string(),
            )),
            (Some(_), Err(_)) => {}
            (Some(p), Ok(files)) => {
                out.extend(pair::peer_haproxy(&files, std::slice::from_ref(p)));
            }
        }
    }
    out
}

fn summary(n: &Counts) -> String {
    let plural = |k: usize, w: &str| format!("{k} {w}{}", if k == 1 { "" } else { "s" });
    match (n.errors, n.warnings) {
        (0, 0) => "configuration valid".to_string(),
        (0, w) => format!("configuration valid ({})", plural(w, "warning")),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Alert => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
        Level::Diag => "diag",
    }
}

fn emit(out: &mut String, dialect: &str, d: &Diag, quiet: bool, n: &mut Counts) {
    match d.level {
        Level::Alert => n.errors += 1,
        Level::Warning => n.warnings += 1,
        Level::Notice | Level::Diag => {}
    }
    if quiet && d.level != Level::Alert {
        return;
    }
    out.push_str(&render(dialect, d));
}

/// `file:line: level: message`, continuation lines indented under it.
pub fn render(dialect: &str, d: &Diag) -> String {
    let where_ = match &d.loc {
        Some(l) => format!("{}:{}", l.file, l.line),
        None => dialect.to_string(),
    };
    let msg = strip_haproxy_prefix(&d.text);
    let mut lines = msg.lines();
    let mut s = format!(
        "{where_}: {}: {}\n",
        level_name(d.level),
        lines.next().unwrap_or_default().trim_end()
    );
    for l in lines {
        // HAProxy's continuation lines start with "   | ".
        let l = l.trim_start().trim_start_matches('|').trim_start();
        let _ = writeln!(s, "    {l}");
    }
    s
}

/// HAProxy's texts carry their own location (`config : parsing [f:3] : `);
/// the tandem style puts the location in front, so drop the duplicate.
fn strip_haproxy_prefix(text: &str) -> &str {
    let t = text.strip_prefix("config : ").unwrap_or(text);
    // "parsing [f:3] : ..." for keyword errors, "Parsing [f:3]: ..." for
    // some post-parse ones (duplicate proxy names).
    if let Some(rest) = t
        .strip_prefix("parsing [")
        .or_else(|| t.strip_prefix("Parsing ["))
        && let Some(end) = rest.find(']')
    {
        let after = &rest[end + 1..];
        let after = after.trim_start();
        return after.strip_prefix(':').map_or(after, str::trim_start);
    }
    t
}

/// A haproxy `bind` address, for the cross-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    pub file: String,
    pub line: u32,
    pub addr: IpAddr,
    /// `freebind` or `transparent` on the line: non-local binding is taken
    /// care of by the bind line itself.
    pub nonlocal_ok: bool,
}

/// A keepalived virtual address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vip {
    pub addr: IpAddr,
    /// The vrrp_instance (or static/virtual_server block) it belongs to.
    pub owner: String,
    pub file: String,
    pub line: u32,
}

/// Sections where a `bind` line makes a listening socket.
const BIND_SECTIONS: &[&str] = &["frontend", "listen", "peers"];
const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "http-errors",
    "cache",
    "ring",
    "program",
];

/// The IP addresses haproxy binds, read from the lexer's logical lines
/// (so quoting, `${VAR}` and `.if` are already applied).
pub fn haproxy_binds(files: &[std::path::PathBuf]) -> Vec<Bind> {
    let mut out = Vec::new();
    for f in files {
        let Ok(content) = std::fs::read(f) else {
            continue;
        };
        let name = f.to_string_lossy();
        let mut section = "";
        for item in lexer::lex_file(&name, &content) {
            let Item::Line(l) = item else { continue };
            let Some(kw) = l.args.first() else { continue };
            if let Some(s) = SECTIONS.iter().find(|s| **s == kw.as_str()) {
                section = s;
                continue;
            }
            if kw != "bind" || !BIND_SECTIONS.contains(&section) {
                continue;
            }
            let Some(spec) = l.args.get(1) else { continue };
            let nonlocal_ok = l.args[2..]
                .iter()
                .any(|a| a == "freebind" || a == "transparent");
            for a in spec.split(',') {
                if let Some(addr) = bind_ip(a) {
                    out.push(Bind {
                        file: l.file.to_string(),
                        line: l.line,
                        addr,
                        nonlocal_ok,
                    });
                }
            }
        }
    }
    out
}

/// The IP of one HAProxy address (`1.2.3.4:80`, `ipv4@1.2.3.4:80-81`,
/// `ipv6@::1:443`, `[::1]:443`); `None` for wildcards, UNIX sockets, `fd@`,
/// names and anything else that is not one literal IP.
pub fn bind_ip(a: &str) -> Option<IpAddr> {
    let a = a.trim();
    let a = match a.split_once('@') {
        Some(("ipv4" | "ipv6" | "tcp" | "tcp4" | "tcp6" | "udp" | "udp4" | "udp6", rest)) => rest,
        Some(_) => return None,
        None => a,
    };
    // The port is after the last colon (HAProxy's rule, also for IPv6).
    let host = a.rsplit_once(':').map_or(a, |(h, _)| h);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    (!ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::diag::Loc;

    #[test]
    fn bind_addresses() {
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(bind_ip("192.168.1.100:80"), ip("192.168.1.100"));
        assert_eq!(bind_ip("ipv4@10.0.0.1:8000-8010"), ip("10.0.0.1"));
        assert_eq!(bind_ip("ipv6@2001:db8::1:443"), ip("2001:db8::1"));
        assert_eq!(bind_ip("[2001:db8::2]:443"), ip("2001:db8::2"));
        assert_eq!(bind_ip("*:80"), None);
        assert_eq!(bind_ip(":80"), None);
        assert_eq!(bind_ip("0.0.0.0:80"), None);
        assert_eq!(bind_ip(":::80"), None);
        assert_eq!(bind_ip("unix@/run/x.sock"), None);
        assert_eq!(bind_ip("/run/x.sock"), None);
        assert_eq!(bind_ip("fd@3"), None);
        assert_eq!(bind_ip("example.com:80"), None);
    }

    #[test]
    fn renders_haproxy_diags_in_tandem_style() {
        // Text as HAProxy 2.6.12 prints it after "[ALERT]    (PID) : ".
        let d = Diag::new(
            Level::Alert,
            Some(Loc::new("t.cfg", 8)),
            "config : parsing [t.cfg:8] : unknown keyword 'optoin' in 'frontend' section; \
             did you mean 'option' maybe ?",
        );
        assert_eq!(
            render("haproxy", &d),
            "t.cfg:8: error: unknown keyword 'optoin' in 'frontend' section; did you mean \
             'option' maybe ?\n"
        );
        let w = Diag::new(
            Level::Warning,
            None,
            "config : missing timeouts for frontend 'f'.\n   | While not properly invalid, \
             you will certainly encounter various problems\n   | with such a configuration.",
        );
        assert_eq!(
            render("haproxy", &w),
            "haproxy: warning: missing timeouts for frontend 'f'.\n    While not properly \
             invalid, you will certainly encounter various problems\n    with such a \
             configuration.\n"
        );
        // Carets-style texts without a space before the colon.
        let c = Diag::new(
            Level::Alert,
            Some(Loc::new("t.cfg", 3)),
            "config : parsing [t.cfg:3]: Missing LF on last line, file might have been truncated at position 9.",
        );
        assert!(render("haproxy", &c).starts_with("t.cfg:3: error: Missing LF"));
        // HAProxy 2.6.12: "[ALERT]    (PID) : config : Parsing [b.cfg:15]: frontend
        // 'f' has the same name as frontend 'f' declared at a.cfg:15."
        let p = Diag::new(
            Level::Alert,
            Some(Loc::new("b.cfg", 15)),
            "config : Parsing [b.cfg:15]: frontend 'f' has the same name as frontend 'f' declared at a.cfg:15.",
        );
        assert_eq!(
            render("haproxy", &p),
            "b.cfg:15: error: frontend 'f' has the same name as frontend 'f' declared at a.cfg:15.\n"
        );
    }

    #[test]
    fn nothing_to_check_is_an_error() {
        let r = check(&CheckArgs::default());
        assert_eq!(r.code, EXIT_ERRORS);
        assert!(r.stderr.contains("nothing to check"));
    }
}
