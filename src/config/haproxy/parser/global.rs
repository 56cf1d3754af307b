//! The `global` section (repeated sections merge into one `Global`).

use super::Parser;
use super::util::{TimeErr, atol, best_match, lookup_group, lookup_user, parse_time};
use crate::config::haproxy::lexer::Line;
use crate::grammar::{Status, grammar};
use crate::ir::haproxy::{CpuMap, Directive, EnvDirective, Identity, LogTarget, StatsSocket};

/// What HAProxy remembers between global lines beyond the IR itself.
#[derive(Debug, Default)]
pub struct State {
    user_set: bool,
    group_set: bool,
}

pub fn begin(p: &mut Parser, line: &Line) {
    if let Some(extra) = line.args.get(1) {
        p.alert(
            line,
            format!("'global' cannot handle unexpected argument '{extra}'."),
        );
    }
}

/// `'KW' cannot handle unexpected argument 'X'.` when more than `max` arguments.
pub(super) fn too_many(p: &mut Parser, line: &Line, max: usize) -> bool {
    if let Some(extra) = line.args.get(max + 1) {
        let kw = line.args.first().map(String::as_str).unwrap_or("");
        p.alert(
            line,
            format!("'{kw}' cannot handle unexpected argument '{extra}'."),
        );
        return true;
    }
    false
}

fn directive(p: &Parser, line: &Line) -> Directive {
    let kw = line.args.first().cloned().unwrap_or_default();
    Directive {
        span: p.span(line),
        // Engines must see `no strict-limits` as such, not as `strict-limits`.
        keyword: if p.negated { format!("no {kw}") } else { kw },
        args: line.args.iter().skip(1).cloned().collect(),
    }
}

pub fn keyword(p: &mut Parser, line: &Line) {
    let args = &line.args;
    let kw = args[0].as_str();
    let a1 = args.get(1).map(String::as_str).unwrap_or("");
    match kw {
        "log" => {
            if let Some(t) = parse_log(p, line, true) {
                p.cfg.global.log.push(t);
            }
        }
        "log-send-hostname" => {
            p.cfg.global.log_send_hostname = Some(a1.to_string());
        }
        "log-tag" => {
            if a1.is_empty() {
                p.alert(line, "'log-tag' expects a tag for use in syslog.");
            } else {
                p.cfg.global.log_tag = Some(a1.to_string());
            }
        }
        "maxconn" => {
            if too_many(p, line, 1) {
                return;
            }
            if p.cfg.global.maxconn.is_some() {
                p.alert_nonfatal(line, "'maxconn' already specified. Continuing.");
                return;
            }
            if a1.is_empty() {
                p.alert(line, "'maxconn' expects an integer argument.");
                return;
            }
            p.cfg.global.maxconn = Some(atol(a1));
        }
        "user" | "uid" => {
            if too_many(p, line, 1) {
                return;
            }
            // HAProxy tests the id, so a previous root (0) does not count.
            if p.cfg.global.user.as_ref().is_some_and(|u| u.id != 0) {
                p.alert_nonfatal(line, "user/uid already specified. Continuing.");
                return;
            }
            if kw == "uid" {
                if a1.is_empty() {
                    p.alert(line, "'uid' expects an integer argument.");
                    return;
                }
                p.global_state.user_set = true;
                let id = match a1.parse::<u32>() {
                    Ok(v) => v,
                    Err(_) => {
                        p.warn(
                            line,
                            format!(
                                " uid: string '{a1}' is not a number.\n   | You might want to use the 'user' parameter to use a system user name."
                            ),
                        );
                        atol(a1) as u32
                    }
                };
                p.cfg.global.user = Some(Identity { name: None, id });
            } else {
                p.global_state.user_set = true;
                match lookup_user(a1) {
                    Some(id) => {
                        p.cfg.global.user = Some(Identity {
                            name: Some(a1.to_string()),
                            id,
                        })
                    }
                    None => p.alert(line, format!("cannot find user id for '{a1}' (0:Success)")),
                }
            }
        }
        "group" | "gid" => {
            if too_many(p, line, 1) {
                return;
            }
            if p.cfg.global.group.as_ref().is_some_and(|g| g.id != 0) {
                let msg = if kw == "group" {
                    "gid/group was already specified. Continuing."
                } else {
                    "group/gid already specified. Continuing."
                };
                p.alert_nonfatal(line, msg);
                return;
            }
            if kw == "gid" {
                if a1.is_empty() {
                    p.alert(line, "'gid' expects an integer argument.");
                    return;
                }
                p.global_state.group_set = true;
                let id = match a1.parse::<u32>() {
                    Ok(v) => v,
                    Err(_) => {
                        p.warn(
                            line,
                            format!(
                                " gid: string '{a1}' is not a number.\n   | You might want to use the 'group' parameter to use a system group name."
                            ),
                        );
                        atol(a1) as u32
                    }
                };
                p.cfg.global.group = Some(Identity { name: None, id });
            } else {
                p.global_state.group_set = true;
                match lookup_group(a1) {
                    Some(id) => {
                        p.cfg.global.group = Some(Identity {
                            name: Some(a1.to_string()),
                            id,
                        })
                    }
                    None => p.alert(line, format!("cannot find group id for '{a1}' (0:Success)")),
                }
            }
        }
        "chroot" => {
            if too_many(p, line, 1) {
                return;
            }
            if p.cfg.global.chroot.is_some() {
                p.alert_nonfatal(line, "'chroot' already specified. Continuing.");
                return;
            }
            if a1.is_empty() {
                p.alert(line, "'chroot' expects a directory as an argument.");
                return;
            }
            p.cfg.global.chroot = Some(a1.to_string());
        }
        "pidfile" => {
            if too_many(p, line, 1) {
                return;
            }
            if p.cfg.global.pidfile.is_some() {
                p.alert_nonfatal(line, "'pidfile' already specified. Continuing.");
                return;
            }
            if a1.is_empty() {
                p.alert(line, "'pidfile' expects a file name as an argument.");
                return;
            }
            p.cfg.global.pidfile = Some(a1.to_string());
        }
        "daemon" => {
            if !too_many(p, line, 0) {
                p.cfg.global.daemon = true;
            }
        }
        "master-worker" => {
            if too_many(p, line, 1) {
                return;
            }
            if !a1.is_empty() {
                if a1 == "no-exit-on-failure" {
                    p.cfg.global.master_worker_no_exit_on_failure = true;
                } else {
                    p.alert(
                        line,
                        "'master-worker' only supports 'no-exit-on-failure' option.",
                    );
                    return;
                }
            }
            p.cfg.global.master_worker = true;
        }
        "nbthread" => {
            if too_many(p, line, 1) {
                return;
            }
            let v = a1.parse::<i64>().ok().filter(|_| !a1.is_empty());
            match v {
                None => p.alert(
                    line,
                    format!("'nbthread' passed a missing or unparsable integer value in '{a1}'"),
                ),
                Some(n) if !(1..=64).contains(&n) => p.alert(
                    line,
                    format!("'nbthread' value must be between 1 and 64 (was {n})"),
                ),
                Some(n) => p.cfg.global.nbthread = Some(n as u32),
            }
        }
        "nbproc" => {
            if p.opts.legacy {
                p.warn(
                    line,
                    "nbproc is not supported any more since HAProxy 2.5; accepted by --legacy and ignored: threads are used instead (see 'nbthread').",
                );
            } else {
                p.alert(
                    line,
                    "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
                );
            }
        }
        "cpu-map" => parse_cpu_map(p, line),
        "stats" => parse_stats(p, line),
        "hard-stop-after" => {
            if a1.is_empty() {
                p.alert(line, "'hard-stop-after' expects <time> as argument.\n");
                return;
            }
            match parse_time(a1, 1) {
                Ok(ms) => p.cfg.global.hard_stop_after_ms = Some(ms),
                Err(e) => p.alert(line, time_err_msg(e, a1, "hard-stop-after")),
            }
        }
        "grace" => {
            // Registered by HAProxy 2.6 (no effect in check mode); the value
            // is checked like hard-stop-after's.
            if a1.is_empty() {
                p.alert(line, "'grace' expects <time> as argument.\n");
                return;
            }
            match parse_time(a1, 1) {
                Ok(_) => {
                    let d = directive(p, line);
                    p.cfg.global.other.push(d);
                }
                Err(e) => p.alert(line, time_err_msg(e, a1, "grace")),
            }
        }
        "ca-base" | "crt-base" => {
            if too_many(p, line, 1) {
                return;
            }
            let slot = if kw == "ca-base" {
                &p.cfg.global.ca_base
            } else {
                &p.cfg.global.crt_base
            };
            if slot.is_some() {
                p.alert(line, format!("'{kw}' already specified."));
                return;
            }
            if a1.is_empty() {
                p.alert(
                    line,
                    format!("global statement '{kw}' expects a directory path as an argument."),
                );
                return;
            }
            if kw == "ca-base" {
                p.cfg.global.ca_base = Some(a1.to_string());
            } else {
                p.cfg.global.crt_base = Some(a1.to_string());
            }
            // Later `bind`/`server` lines resolve relative paths with them.
            crate::config::haproxy::server::set_ssl_bases(
                crate::config::haproxy::server::SslBases {
                    crt_base: p.cfg.global.crt_base.clone(),
                    ca_base: p.cfg.global.ca_base.clone(),
                },
            );
        }
        "spread-checks" => {
            if too_many(p, line, 1) {
                return;
            }
            if a1.is_empty() {
                p.alert_nospace(line, "'spread-checks' expects an integer argument (0..50).");
                return;
            }
            let v = atol(a1);
            if !(0..=50).contains(&v) {
                p.alert_nospace(
                    line,
                    "'spread-checks' needs a positive value in range 0..50.",
                );
                return;
            }
            p.cfg.global.spread_checks = Some(v as u32);
        }
        "setenv" | "presetenv" => {
            let (Some(name), Some(value)) = (args.get(1), args.get(2)) else {
                p.alert_nospace(line, format!("'{kw}' expects a name and a value."));
                return;
            };
            let (name, value) = (name.clone(), value.clone());
            if kw == "setenv" {
                p.cfg.global.env.push(EnvDirective::Set { name, value });
            } else {
                p.cfg.global.env.push(EnvDirective::Preset { name, value });
            }
        }
        "unsetenv" => {
            if args.len() < 2 {
                p.alert_nospace(line, "'unsetenv' expects at least one variable name.");
                return;
            }
            let names = args[1..].to_vec();
            p.cfg.global.env.push(EnvDirective::Unset { names });
        }
        "ssl-server-verify" => {
            if too_many(p, line, 1) {
                return;
            }
            match a1 {
                "none" | "required" => {
                    let d = directive(p, line);
                    p.cfg.global.other.push(d);
                }
                "" => p.alert(line, "'ssl-server-verify' expects an integer argument."),
                _ => p.alert(
                    line,
                    "'ssl-server-verify' expects 'none' or 'required' as argument.",
                ),
            }
        }
        "quiet" => {
            if !too_many(p, line, 0) {
                p.cfg.global.quiet = true;
                if p.quiet_from.is_none() {
                    p.quiet_from = Some(p.diags.len());
                }
            }
        }
        "resetenv" => {
            let keep = args[1..].to_vec();
            p.cfg.global.env.push(EnvDirective::Reset { keep });
        }
        "localpeer" => {
            if too_many(p, line, 1) {
                return;
            }
            let d = directive(p, line);
            p.cfg.global.other.push(d);
        }
        "expose-experimental-directives" => {
            // Takes effect for the lines that follow, as in HAProxy.
            crate::config::haproxy::rules::set_experimental_allowed(true);
            let d = directive(p, line);
            p.cfg.global.other.push(d);
        }
        _ if kw.starts_with("tune.") && grammar().get("haproxy-global", kw).is_some() => {
            parse_tune(p, line)
        }
        _ if kw.starts_with("ssl-default-") && grammar().get("haproxy-global", kw).is_some() => {
            parse_ssl_default(p, line)
        }
        _ => match grammar().get("haproxy-global", kw) {
            Some(k) if k.status == Status::Unsupported => {
                p.alert(
                    line,
                    format!(
                        "'{kw}' in 'global' section is not supported by tandem yet ({}).",
                        k.note
                    ),
                );
            }
            Some(k) if k.status == Status::Removed => {
                p.alert(
                    line,
                    k.note.trim_end_matches(super::proxy::NO_SUGGEST).trim_end(),
                );
            }
            Some(_) => {
                let d = directive(p, line);
                p.cfg.global.other.push(d);
            }
            None => unknown(p, line),
        },
    }
}

/// `unknown keyword 'X' in 'global' section[; did you mean 'Y' maybe ?]`.
fn unknown(p: &mut Parser, line: &Line) {
    let kw = line.args[0].as_str();
    let best = best_match(
        kw,
        grammar()
            .table("haproxy-global")
            .filter(|k| !k.keyword.contains(' ') && !k.note.contains(super::proxy::NO_SUGGEST))
            .map(|k| k.keyword),
    );
    match best {
        Some(b) => p.alert(
            line,
            format!("unknown keyword '{kw}' in 'global' section; did you mean '{b}' maybe ?"),
        ),
        None => p.alert(line, format!("unknown keyword '{kw}' in 'global' section")),
    }
}

pub(super) fn time_err_msg(e: TimeErr, arg: &str, kw: &str) -> String {
    match e {
        TimeErr::Over => format!(
            "timer overflow in argument '{arg}' to '{kw}' (maximum value is 2147483647 ms or ~24.8 days)"
        ),
        TimeErr::BadChar(c) => format!("unexpected character '{c}' in argument to <{kw}>.\n"),
        TimeErr::Empty => format!("unexpected character '' in argument to <{kw}>.\n"),
    }
}

const FACILITIES: &[&str] = &[
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];
const LEVELS: &[&str] = &[
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// A `log` line in global (`global_section`) or a proxy/defaults section.
/// Errors are reported here; None when the line is rejected.
pub(super) fn parse_log(p: &mut Parser, line: &Line, global_section: bool) -> Option<LogTarget> {
    let args = &line.args;
    let a1 = args.get(1).map(String::as_str).unwrap_or("");
    if a1 == "global" {
        if global_section {
            p.alert(
                line,
                "log : 'global' is not supported for a global syslog server",
            );
            return None;
        }
        if let Some(extra) = args.get(2) {
            // HAProxy then reads the words as `<address> <facility>`.
            if FACILITIES.contains(&extra.as_str()) {
                p.alert(
                    line,
                    format!("log : cannot handle unexpected argument '{extra}'"),
                );
            } else {
                p.alert(line, format!("log : unknown log facility '{extra}'"));
            }
            return None;
        }
        return Some(LogTarget::Global);
    }
    if args.len() < 3 {
        if global_section {
            p.alert(line, "log : expects <address> and <facility>  as arguments");
        } else {
            p.alert(
                line,
                "log : expects <address> and <facility> or global as arguments",
            );
        }
        return None;
    }
    // str2sa_range() expands `${NAME}` in the address, quoted or not.
    let address = crate::config::haproxy::values::env_expand(a1).into_owned();
    let mut i = 2;
    let mut options = Vec::new();
    loop {
        let w = args.get(i).map(String::as_str).unwrap_or("");
        match w {
            "len" => {
                let v = args.get(i + 1).map(String::as_str).unwrap_or("");
                let n = atol(v);
                if !(80..=65535).contains(&n) {
                    p.alert(
                        line,
                        format!("log : invalid log length '{v}', must be between 80 and 65535"),
                    );
                    return None;
                }
                options.push(format!("len {v}"));
                i += 2;
            }
            "format" => {
                let v = args.get(i + 1).map(String::as_str).unwrap_or("");
                const FORMATS: &[&str] = &[
                    "local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw",
                ];
                if !FORMATS.contains(&v) {
                    p.alert(line, format!("log : unknown log format '{v}'"));
                    return None;
                }
                options.push(format!("format {v}"));
                i += 2;
            }
            "sample" => {
                let v = args.get(i + 1).map(String::as_str).unwrap_or("");
                options.push(format!("sample {v}"));
                i += 2;
            }
            _ => break,
        }
    }
    // Address check after the options, as HAProxy resolves it last.
    if let Err(msg) = check_log_address(&address) {
        p.alert(line, format!("log : {msg}"));
        return None;
    }
    let fac = args.get(i).map(String::as_str).unwrap_or("");
    if !FACILITIES.contains(&fac) {
        p.alert(line, format!("log : unknown log facility '{fac}'"));
        return None;
    }
    let mut level = None;
    let mut min_level = None;
    if let Some(l) = args.get(i + 1) {
        if !LEVELS.contains(&l.as_str()) {
            p.alert(line, format!("log : unknown optional log level '{l}'"));
            return None;
        }
        level = Some(l.clone());
    }
    if let Some(l) = args.get(i + 2) {
        if !LEVELS.contains(&l.as_str()) {
            p.alert(
                line,
                format!("log : unknown optional minimum log level '{l}'"),
            );
            return None;
        }
        min_level = Some(l.clone());
    }
    if let Some(extra) = args.get(i + 3) {
        p.alert(
            line,
            format!("log : cannot handle unexpected argument '{extra}'"),
        );
        return None;
    }
    Some(LogTarget::Target {
        address,
        options,
        facility: fac.to_string(),
        level,
        min_level,
    })
}

/// The address forms HAProxy's `log` accepts; Err is the message after `log : `.
fn check_log_address(addr: &str) -> Result<(), String> {
    if addr.starts_with('/')
        || addr == "stdout"
        || addr == "stderr"
        || addr.starts_with("ring@")
        || addr.starts_with("unix@")
        || addr.starts_with("abns@")
        || addr.starts_with("fd@")
    {
        return Ok(());
    }
    let body = addr
        .split_once('@')
        .filter(|(pfx, _)| {
            matches!(
                *pfx,
                "ipv4" | "ipv6" | "udp" | "udp4" | "udp6" | "tcp" | "tcp4" | "tcp6"
            )
        })
        .map(|(_, b)| b)
        .unwrap_or(addr);
    let (host, port) = if let Some(rest) = body.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => return Err(format!("invalid address: '{body}' in '{addr}'\n")),
        }
    } else {
        match body.rfind(':') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        }
    };
    if let Some(port) = port {
        if let Some(c) = port.chars().find(|c| !c.is_ascii_digit() && *c != '-') {
            return Err(format!(
                "invalid character '{c}' in port number '{port}' in '{addr}'\n"
            ));
        }
        if port.contains('-') {
            return Err(format!("port range not permitted here in '{addr}'"));
        }
        if atol(port) > 65535 {
            return Err(format!("invalid port '{port}'"));
        }
    }
    if host.parse::<std::net::IpAddr>().is_ok() || host.is_empty() || host == "*" {
        return Ok(());
    }
    if resolves(host) {
        return Ok(());
    }
    Err(format!("invalid address: '{host}' in '{addr}'\n"))
}

/// HAProxy resolves host names of `log` targets while parsing.
fn resolves(host: &str) -> bool {
    use std::net::ToSocketAddrs;
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // A malformed dotted quad is not a name.
        return false;
    }
    (host, 0u16)
        .to_socket_addrs()
        .map(|mut a| a.next().is_some())
        .unwrap_or(false)
}

fn parse_cpu_map(p: &mut Parser, line: &Line) {
    let args = &line.args;
    if args.len() < 3 {
        p.alert(
            line,
            "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.",
        );
        return;
    }
    let spec = args[1].as_str();
    // `auto:` and `P/T` forms: check each number range.
    let body = spec.strip_prefix("auto:").unwrap_or(spec);
    let (proc_part, thr_part) = match body.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    for part in std::iter::once(proc_part).chain(thr_part) {
        if matches!(part, "all" | "odd" | "even") {
            continue;
        }
        if !valid_range(part) {
            p.alert(
                line,
                format!("cpu-map : '{part}' is not a valid number/range."),
            );
            return;
        }
        if range_max(part) > 64 {
            p.alert(
                line,
                format!(
                    "cpu-map : '{part}' is not a valid number/range. It supports numbers from 1 to 64.\n"
                ),
            );
            return;
        }
    }
    for cpus in &args[2..] {
        for r in cpus.split(',') {
            if !valid_range(r) {
                p.alert(line, format!("cpu-map : '{cpus}' is not a CPU range."));
                return;
            }
        }
    }
    p.cfg.global.cpu_map.push(CpuMap {
        threads: spec.to_string(),
        cpus: args[2..].to_vec(),
    });
}

fn valid_range(s: &str) -> bool {
    let mut it = s.splitn(2, '-');
    let a = it.next().unwrap_or("");
    let ok = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    match it.next() {
        Some(b) => ok(a) && (b.is_empty() || ok(b)),
        None => ok(a),
    }
}

fn range_max(s: &str) -> i64 {
    s.split('-').map(atol).max().unwrap_or(0)
}

fn parse_stats(p: &mut Parser, line: &Line) {
    let args = &line.args;
    let a1 = args.get(1).map(String::as_str).unwrap_or("");
    let a2 = args.get(2).map(String::as_str).unwrap_or("");
    match a1 {
        "socket" => {
            if a2.is_empty() {
                p.alert(
                    line,
                    "'stats socket' in global section expects an address or a path to a UNIX socket",
                );
                return;
            }
            let s = StatsSocket {
                span: p.span(line),
                address: a2.to_string(),
                params: args[3..].to_vec(),
            };
            p.cfg.global.stats_sockets.push(s);
        }
        "timeout" => match parse_time(a2, 1) {
            Ok(0) => p.alert(line, "'stats timeout' expects a positive value"),
            Ok(ms) => p.cfg.global.stats_timeout_ms = Some(ms),
            Err(TimeErr::BadChar(c)) => {
                p.alert(line, format!("'stats timeout' : unexpected character '{c}'"))
            }
            Err(TimeErr::Empty) => p.alert(line, "'stats timeout' : unexpected character '"),
            Err(_) => p.alert(line, "'stats timeout' : timer overflow"),
        },
        "maxconn" => {
            let v = atol(a2);
            if v <= 0 {
                p.alert(line, "'stats maxconn' expects a positive value");
                return;
            }
            p.cfg.global.stats_maxconn = Some(v);
        }
        "bind-process" => {
            let d = directive(p, line);
            p.cfg.global.other.push(d);
        }
        _ => p.alert(
            line,
            format!(
                "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '{a1}')"
            ),
        ),
    }
}

fn parse_tune(p: &mut Parser, line: &Line) {
    let kw = line.args[0].as_str();
    let a1 = line.args.get(1).map(String::as_str).unwrap_or("");
    match kw {
        "tune.bufsize"
        | "tune.maxrewrite"
        | "tune.http.maxhdr"
        | "tune.ssl.cachesize"
        | "tune.maxaccept"
        | "tune.maxpollevents"
        | "tune.http.cookielen"
        | "tune.http.logurilen"
        | "tune.pipesize"
        | "tune.ssl.maxrecord" => {
            if too_many(p, line, 1) {
                return;
            }
            if a1.is_empty() {
                p.alert(line, format!("'{kw}' expects an integer argument."));
                return;
            }
            if kw == "tune.bufsize" && atol(a1) <= 0 {
                p.alert(line, format!("'{kw}' expects a positive integer argument."));
                return;
            }
        }
        // still in HAProxy 2.6's keyword list, refused whatever the argument
        "tune.chksize" => p.alert_nospace(
            line,
            "option 'tune.chksize' is not supported any more (tune.bufsize is used instead).",
        ),
        "tune.ssl.default-dh-param" => {
            if too_many(p, line, 1) {
                return;
            }
            if a1.is_empty() {
                p.alert(line, format!("'{kw}' expects an integer argument."));
                return;
            }
            if atol(a1) < 1024 {
                p.alert(line, format!("'{kw}' expects a value >= 1024."));
                return;
            }
        }
        _ => {}
    }
    let d = directive(p, line);
    p.cfg.global.tune.push(d);
}

const SSL_OPTIONS: &[&str] = &[
    "no-sslv3",
    "no-tlsv10",
    "no-tlsv11",
    "no-tlsv12",
    "no-tlsv13",
    "force-sslv3",
    "force-tlsv10",
    "force-tlsv11",
    "force-tlsv12",
    "force-tlsv13",
    "ssl-min-ver",
    "ssl-max-ver",
    "no-tls-tickets",
    "prefer-client-ciphers",
];

fn parse_ssl_default(p: &mut Parser, line: &Line) {
    let kw = line.args[0].as_str();
    let a1 = line.args.get(1).map(String::as_str).unwrap_or("");
    if kw.ends_with("-options") {
        if a1.is_empty() {
            p.alert(
                line,
                format!("global statement '{kw}' expects an option as an argument."),
            );
            return;
        }
        let mut i = 1;
        while let Some(w) = line.args.get(i) {
            if !SSL_OPTIONS.contains(&w.as_str()) {
                p.alert(
                    line,
                    format!("unknown option '{w}' on global statement '{kw}'."),
                );
                return;
            }
            if w == "ssl-min-ver" || w == "ssl-max-ver" {
                match line.args.get(i + 1).map(String::as_str) {
                    None => {
                        p.alert(
                            line,
                            format!(
                                "'{w}' : missing the ssl/tls version on global statement '{kw}'."
                            ),
                        );
                        return;
                    }
                    Some(v)
                        if !matches!(
                            v,
                            "SSLv3" | "TLSv1.0" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"
                        ) =>
                    {
                        p.alert(
                            line,
                            format!("'{v}' : unknown ssl/tls version on global statement '{kw}'."),
                        );
                        return;
                    }
                    Some(_) => {}
                }
                i += 1;
            }
            i += 1;
        }
    } else if a1.is_empty() {
        let what = if kw.contains("cipher") {
            "a cipher suite"
        } else {
            "a value"
        };
        p.alert(
            line,
            format!("global statement '{kw}' expects {what} as an argument."),
        );
        return;
    }
    let d = directive(p, line);
    p.cfg.global.ssl_defaults.push(d);
}
