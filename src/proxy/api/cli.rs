//! The command interpreter of the runtime API, sans-IO: a line in, the text HAProxy 2.6.12
//! answers out. Texts and rights were measured on HAProxy 2.6.12 (`stats socket ... level
//! user|operator|admin` and socat).
//!
//! Every command's answer is followed by an empty line (HAProxy's end-of-output marker);
//! commands are separated by `;` (a `\;` stays in the word); words by spaces.

use std::fmt::Write as _;
use std::time::Duration;

use crate::proxy::engine::Engine;
use crate::proxy::engine::admin::{AdminError, AdminState};
use crate::proxy::stats::{info, report};

use super::sess;

/// Access level of a CLI session (`level user|operator|admin`, default admin... as
/// HAProxy 2.6: the default of a `stats socket` is `admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    User,
    Operator,
    Admin,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "user" => Some(Level::User),
            "operator" => Some(Level::Operator),
            "admin" => Some(Level::Admin),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::User => "user",
            Level::Operator => "operator",
            Level::Admin => "admin",
        }
    }
}

/// The state of one CLI connection.
#[derive(Debug, Clone)]
pub struct Session {
    pub level: Level,
    /// `prompt` toggled: the connection stays open and `> ` is printed after each answer.
    pub interactive: bool,
    /// `quit` or the end of a non-interactive line.
    pub quit: bool,
    /// `set timeout cli`.
    pub timeout: Duration,
}

impl Session {
    pub fn new(level: Level, timeout: Duration) -> Self {
        Session {
            level,
            interactive: false,
            quit: false,
            timeout,
        }
    }
}

/// HAProxy 2.6.12's `help` text, restricted to the commands tandem implements (the lines
/// are HAProxy's own).
const HELP: &str = include_str!("help.txt");

const DENIED: &str = "Permission denied\n";

/// Starts an answer that HAProxy 2.6.12 ends without the empty line (its `cli_err` texts
/// of some commands, measured one by one).
const NO_EOL: char = '\u{1}';

/// `text` (one line) as such an answer.
fn no_eol(text: &str) -> String {
    format!("{NO_EOL}{text}\n")
}

/// Splits a line into commands (`;`) and words (spaces), with HAProxy's backslash escapes.
pub fn split_commands(line: &str) -> Vec<Vec<String>> {
    let mut cmds = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut it = line.chars();
    while let Some(ch) = it.next() {
        match ch {
            '\\' => {
                if let Some(n) = it.next() {
                    cur.push(n);
                    has = true;
                }
            }
            ';' => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
                cmds.push(std::mem::take(&mut words));
            }
            ' ' | '\t' => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        words.push(cur);
    }
    cmds.push(words);
    cmds.into_iter().filter(|w| !w.is_empty()).collect()
}

/// Executes one input line; returns what to send back (each command's answer and its
/// terminating empty line, then the prompt in interactive mode).
pub fn execute_line(engine: &Engine, sess: &mut Session, line: &str) -> String {
    let mut out = String::new();
    let cmds = split_commands(line.trim_end_matches(['\r', '\n']));
    for words in &cmds {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let before = sess.quit;
        let ans = execute(engine, sess, &w);
        if sess.quit && !before {
            return out;
        }
        // HAProxy 2.6.12 prints a found variable and some errors without the terminating
        // empty line
        match ans.strip_prefix(NO_EOL) {
            Some(a) => out.push_str(a),
            None => {
                out.push_str(&ans);
                if !(w.starts_with(&["get", "var"]) && ans.contains(": type=")) {
                    out.push('\n');
                }
            }
        }
    }
    if !sess.interactive {
        sess.quit = true;
    } else {
        out.push_str("> ");
    }
    out
}

/// One command's answer (without the terminating empty line).
pub fn execute(engine: &Engine, sess: &mut Session, w: &[&str]) -> String {
    let need = |lvl: Level| sess.level >= lvl;
    match w {
        [] => String::new(),
        ["help", ..] => HELP.to_string(),
        ["prompt"] => {
            sess.interactive = !sess.interactive;
            String::new()
        }
        ["quit"] => {
            sess.quit = true;
            String::new()
        }
        ["user"] => {
            sess.level = Level::User;
            String::new()
        }
        ["operator"] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            sess.level = Level::Operator;
            String::new()
        }
        ["show", "cli", "level"] => format!("{}\n", sess.level.name()),
        ["set", "timeout", "cli", v] => match parse_secs(v) {
            Some(ms) if ms > 0 => {
                sess.timeout = Duration::from_millis(ms);
                String::new()
            }
            _ => "Expects an integer value.\n".into(),
        },
        ["show", "info", args @ ..] => {
            if args.contains(&"json") {
                info::json(engine)
            } else if args.contains(&"typed") {
                info::typed(engine, args.contains(&"desc"))
            } else {
                info::plain(engine, args.contains(&"desc"))
            }
        }
        ["show", "stat", args @ ..] => show_stat(engine, sess, args),
        ["show", "servers", "state", rest @ ..] => servers_state(engine, rest.first().copied()),
        ["show", "backend"] => {
            let mut o = String::from("# name\n");
            for b in engine.backends() {
                o.push_str(&b.name);
                o.push('\n');
            }
            o
        }
        ["get", "weight", spec] => match engine.admin_get_weight(spec) {
            Ok(t) => format!("{t}\n"),
            Err(e) => format!("{e}\n"),
        },
        ["get", "weight"] => "Require 'backend/server'.\n".into(),
        ["set", "weight", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec, v] => result(engine.admin_set_weight(spec, v)),
                [spec] if spec.contains('/') => "Require <weight> or <weight%>.\n".into(),
                _ => "Require 'backend/server'.\n".into(),
            }
        }
        ["disable" | "enable", "health", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec] => match engine.admin_health_checks(spec, w[0] == "enable") {
                    Ok(()) => String::new(),
                    Err(e) => format!("{e}\n"),
                },
                _ => "Require 'backend/server'.\n".into(),
            }
        }
        ["disable" | "enable", "agent", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec] => engine.agent_cli_enable(spec, w[0] == "enable"),
                _ => "Require 'backend/server'.\n".into(),
            }
        }
        ["disable" | "enable", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            let st = if w[0] == "disable" {
                AdminState::Maint
            } else {
                AdminState::Ready
            };
            match rest {
                [spec] => result(engine.admin_set_state_logged(spec, st)),
                _ => "Require 'backend/server'.\n".into(),
            }
        }
        ["set", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            set_server(engine, rest)
        }
        ["add", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec, args @ ..] => match engine.admin_add_server(spec, args) {
                    Ok(m) => format!("{m}\n"),
                    Err(e) => no_eol(&e.to_string()),
                },
                [] => no_eol("Require 'backend/server'."),
            }
        }
        ["del", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec, ..] if spec.split_once('/').is_some_and(|(_, s)| !s.is_empty()) => {
                    match engine.admin_del_server(spec) {
                        Ok(()) => no_eol("Server deleted."),
                        Err(e) => no_eol(&e.to_string()),
                    }
                }
                _ => no_eol("Require 'backend/server'."),
            }
        }
        ["disable" | "enable", "frontend", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [name] => result(engine.admin_frontend(name, w[0] == "enable")),
                _ => "A frontend name is expected.\n".into(),
            }
        }
        ["set", "maxconn", "frontend", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [name, v] => result(engine.admin_frontend_maxconn(name, v)),
                [_] => "Integer value expected.\n".into(),
                _ => "A frontend name is expected.\n".into(),
            }
        }
        ["set", "maxconn", "global", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest.first() {
                Some(v) => result(engine.admin_global_maxconn(v)),
                None => "Expects an integer value.\n".into(),
            }
        }
        ["set", "maxconn", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest {
                [spec, v, ..] => match engine.admin_server_maxconn(spec, v) {
                    Ok(()) => String::new(),
                    Err(e @ AdminError::Text(_)) => no_eol(&e.to_string()),
                    Err(e) => format!("{e}\n"),
                },
                [spec] => match engine.admin_find(spec) {
                    Ok(_) => "Require <maxconn>.\n".into(),
                    Err(e) => format!("{e}\n"),
                },
                [] => "Require 'backend/server'.\n".into(),
            }
        }
        ["set", "maxconn", ..] => {
            "Unknown command, but maybe one of the following ones is a better match:\n  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n  set maxconn global <value>              : change the per-process maxconn setting\n  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n".into()
        }
        ["set", "rate-limit", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            let known = |w: &str| {
                matches!(
                    w,
                    "connections" | "sessions" | "ssl-sessions" | "http-compression"
                )
            };
            match rest {
                [what, "global", v, ..] if known(what) => {
                    engine.admin.set_rate_limit(what, v);
                    String::new()
                }
                [what, "global"] if known(what) => "Expects an integer value.\n".into(),
                _ => "'set rate-limit' only supports :\n   - 'connections global' to set the per-process maximum connection rate\n   - 'sessions global' to set the per-process maximum session rate\n   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n".into(),
            }
        }
        ["clear", "counters", rest @ ..] => {
            if !need(Level::Operator) || (rest.first() == Some(&"all") && !need(Level::Admin)) {
                return DENIED.into();
            }
            let all = rest.first() == Some(&"all");
            let reg = &engine.stats;
            let each = |c: &crate::proxy::stats::Counters| {
                if all { c.clear_all() } else { c.clear_max() }
            };
            for f in &reg.frontends {
                each(&f.c);
            }
            for b in &reg.backends {
                each(&b.c);
                for s in &b.servers {
                    each(&s.c);
                }
            }
            if all {
                // the per-attempt retry counters live with the servers
                for b in engine.backends() {
                    b.retry.clear();
                    for s in &b.servers {
                        s.retry.clear();
                    }
                }
            }
            String::new()
        }
        ["show", "sess", rest @ ..] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            show_sess(engine, rest.first().copied())
        }
        ["show", "pools", ..] => super::pools::show(engine),
        ["show", "errors", rest @ ..] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            show_errors(engine, rest)
        }
        // `-w` (wait for more) is answered with what the ring holds now; `-n` (only
        // new lines) with nothing
        ["show", "events"] => crate::proxy::log::ring::list_text(),
        ["show", "events", name, opts @ ..] => match crate::proxy::log::ring::get(name) {
            Some(_) if opts.contains(&"-n") => String::new(),
            Some(r) => r.show(),
            None if *name == crate::proxy::log::ring::BUF0 => String::new(),
            None => format!("{NO_EOL}No such event sink\n"),
        },
        ["show", "env", rest @ ..] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            match rest.first() {
                Some(name) => match std::env::var(name) {
                    Ok(v) => format!("{name}={v}\n"),
                    Err(_) => "Variable not found\n".into(),
                },
                None => {
                    let mut o = String::new();
                    for (k, v) in std::env::vars_os() {
                        let _ = writeln!(o, "{}={}", k.to_string_lossy(), v.to_string_lossy());
                    }
                    o
                }
            }
        }
        ["show", "table", rest @ ..] => super::table::show(engine, rest),
        ["clear", "table", rest @ ..] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            super::table::clear(engine, rest)
        }
        ["set", "table", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            super::table::set(engine, rest)
        }
        ["get", "var", rest @ ..] => {
            if !need(Level::Operator) {
                return DENIED.into();
            }
            match rest.first() {
                None => "Missing process-wide variable identifier.\n".into(),
                Some(name) => match name
                    .strip_prefix("proc.")
                    .and_then(crate::proxy::acl::proc_var)
                {
                    // HAProxy 2.6.12 ends this answer without the empty line
                    Some(v) => format!("{name}: type={} value=<{}>\n", v.type_name(), v.display()),
                    None => "Variable not found.\n".into(),
                },
            }
        }
        ["shutdown", "session", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            let ptr = rest.first().map_or(0, |p| sess::strtoul(p));
            if ptr == 0 {
                return "Session pointer expected (use 'show sess').\n".into();
            }
            match engine.sessions.get(ptr) {
                None => "No such session (use 'show sess').\n".into(),
                Some(e) => {
                    e.kill();
                    String::new()
                }
            }
        }
        ["shutdown", "sessions", "server", rest @ ..] => {
            if !need(Level::Admin) {
                return DENIED.into();
            }
            match rest.first() {
                Some(spec) => match engine.admin_find(spec) {
                    Ok(_) => {
                        if let Some((b, s)) = spec.split_once('/') {
                            engine.sessions.kill_server(b, s);
                        }
                        String::new()
                    }
                    Err(e) => format!("{e}\n"),
                },
                None => "Require 'backend/server'.\n".into(),
            }
        }
        [_, "map" | "acl", ..] => super::maps::command(w).unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// `show sess [all|<id>]`.
fn show_sess(engine: &Engine, arg: Option<&str>) -> String {
    let list = engine.sessions.list();
    let meta = engine.stats.bind(engine, false);
    let proxy_id = |n: &str| meta.iid.get(n).copied();
    let server = |b: &str, s: &str| {
        let be = engine.backend(b)?;
        let sv = be.servers.get(be.server_index(s)?)?;
        Some((sv.puid, sv.dest(None)))
    };
    let http = |n: &str| {
        engine
            .frontend(n)
            .map(|f| f.mode == crate::proxy::engine::Mode::Http)
            .or_else(|| {
                engine
                    .backend(n)
                    .map(|b| b.mode == crate::proxy::engine::Mode::Http)
            })
            .unwrap_or(false)
    };
    let ids = sess::Ids {
        proxy_id: &proxy_id,
        server: &server,
        http: &http,
    };
    let mut o = String::new();
    match arg {
        Some("all") => {
            for e in &list {
                o.push_str(&sess::detail(e, &ids));
            }
        }
        Some(p) if sess::strtoul(p) != 0 => match engine.sessions.get(sess::strtoul(p)) {
            Some(e) => o.push_str(&sess::detail(&e, &ids)),
            None => o.push_str("Session not found.\n"),
        },
        _ => {
            for e in &list {
                o.push_str(&sess::summary_line(e));
                o.push('\n');
            }
        }
    }
    o
}

/// `show errors [<iid>|<proxy>] [request|response]`.
fn show_errors(engine: &Engine, args: &[&str]) -> String {
    let meta = engine.stats.bind(engine, false);
    let mut order: Vec<(String, u32)> = meta.iid.iter().map(|(n, i)| (n.clone(), *i)).collect();
    order.sort_by_key(|x| x.1);
    let mut only = None;
    let mut dir = None;
    for a in args {
        match *a {
            "request" => dir = Some(false),
            "response" => dir = Some(true),
            "-1" => {}
            p => only = Some(p),
        }
    }
    if let Some(p) = only
        && !order
            .iter()
            .any(|(n, i)| n == p || p.parse::<u32>().ok() == Some(*i))
    {
        return "No such proxy.\n".into();
    }
    engine
        .admin
        .errors
        .show(&order, only, dir, &crate::proxy::stats::page::log_date_ms())
}

/// `set timeout cli` values: seconds by default, or HAProxy's `ms|s|m|h|d` units.
fn parse_secs(v: &str) -> Option<u64> {
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = v.get(..digits)?.parse().ok()?;
    let mult = match v.get(digits..)? {
        "" | "s" => 1000,
        "ms" => 1,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn result(r: Result<(), crate::proxy::engine::admin::AdminError>) -> String {
    match r {
        Ok(()) => String::new(),
        Err(e) => format!("{e}\n"),
    }
}

fn unknown() -> String {
    // HAProxy suggests close matches; tandem lists the always-valid commands it ends with
    "Unknown command, but maybe one of the following ones is a better match:\n  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n".into()
}

const SET_SERVER_USAGE: &str = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n";

fn set_server(engine: &Engine, w: &[&str]) -> String {
    match w {
        [spec, "state", st] => {
            let st = match *st {
                "ready" => AdminState::Ready,
                "drain" => AdminState::Drain,
                "maint" => AdminState::Maint,
                _ => {
                    return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"
                        .into();
                }
            };
            // with HAProxy's log lines (stats/health.rs)
            result(engine.admin_set_state_logged(spec, st))
        }
        [_, "state"] => "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n".into(),
        [spec, "weight", v] => result(engine.admin_set_weight(spec, v)),
        [_, "weight"] => "Require <weight> or <weight%>.\n".into(),
        [spec, "addr", rest @ ..] => match rest {
            [] => "set server <b>/<s> addr requires an address and optionally a port.\n".into(),
            [a, more @ ..] => {
                let port = match more {
                    ["port", p, ..] => Some(*p),
                    ["port"] => Some(""),
                    _ => None,
                };
                match engine.admin_set_addr(spec, a, port) {
                    Ok(m) => {
                        // the checks follow (stats/health.rs)
                        engine.sync_check_target(spec);
                        format!("{m} by 'stats socket command'\n")
                    }
                    Err(e) => format!("{e}\n"),
                }
            }
        },
        [spec, "check-port", rest @ ..] => match rest {
            [] => "set server <b>/<s> check-port requires a port.\n".into(),
            [p, ..] => match engine.admin_set_check(spec, None, Some(p)) {
                Ok(()) => {
                    engine.sync_check_target(spec);
                    String::new()
                }
                Err(e @ AdminError::Text(_)) => no_eol(&e.to_string()),
                Err(e) => format!("{e}\n"),
            },
        },
        [spec, "check-addr", rest @ ..] => match rest {
            [] => {
                "set server <b>/<s> check-addr requires an address and optionally a port.\n".into()
            }
            [a, more @ ..] => {
                let port = match more {
                    ["port", p, ..] => Some(*p),
                    _ => None,
                };
                match engine.admin_set_check(spec, Some(a), port) {
                    Ok(()) => {
                        engine.sync_check_target(spec);
                        String::new()
                    }
                    Err(e @ AdminError::Text(_)) => no_eol(&e.to_string()),
                    Err(e) => format!("{e}\n"),
                }
            }
        },
        // agent checks (stats/health.rs)
        [_, "agent-addr"] => {
            "set server <b>/<s> agent-addr requires an address and optionally a port.\n".into()
        }
        [
            spec,
            what @ ("agent" | "agent-send" | "agent-addr" | "agent-port"),
            rest @ ..,
        ] => match engine.agent_cli_set(spec, what, rest) {
            Ok(t) => t,
            Err(t) => no_eol(&t),
        },
        // no `resolvers` section is used by tandem
        [spec, "fqdn", rest @ ..] => match engine.admin_find(spec) {
            Err(e) => format!("{e}\n"),
            Ok(_) if rest.is_empty() => "set server <b>/<s> fqdn requires a FQDN.\n".into(),
            Ok(_) => "set server <b>/<s> fqdn failed because no resolution is configured.\n".into(),
        },
        [spec, "ssl", rest @ ..] => match engine.admin_find(spec) {
            Err(e) => format!("{e}\n"),
            Ok((bi, si)) => {
                let ssl = engine
                    .backends()
                    .get(bi)
                    .and_then(|b| b.servers.get(si))
                    .is_some_and(|s| s.ir.opts.ssl);
                match (ssl, rest.first()) {
                    (false, _) => "'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n".into(),
                    (true, Some(&"on")) => String::new(),
                    (true, Some(&"off")) => "'set server <srv> ssl off' is not supported by tandem.\n".into(),
                    (true, _) => "'set server <srv> ssl' expects 'on' or 'off'.\n".into(),
                }
            }
        },
        [spec, "health", h] => match *h {
            "up" => result(engine.admin_set_health(spec, true)),
            "down" | "stopping" => result(engine.admin_set_health(spec, false)),
            _ => "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n".into(),
        },
        [spec, ..] if !spec.contains('/') => "Require 'backend/server'.\n".into(),
        [spec, ..] => match engine.admin_find(spec) {
            Err(e) => format!("{e}\n"),
            Ok(_) => SET_SERVER_USAGE.into(),
        },
        [] => "Require 'backend/server'.\n".into(),
    }
}

fn show_stat(engine: &Engine, sess: &Session, args: &[&str]) -> String {
    let mut opts = report::Opts {
        legends: sess.level >= Level::Operator,
        ..Default::default()
    };
    let (mut typed, mut json, mut desc) = (false, false, false);
    let mut nums = Vec::new();
    for a in args {
        match *a {
            "typed" => typed = true,
            "json" => json = true,
            "desc" => desc = true,
            "up" => opts.up_only = true,
            "no-maint" => opts.no_maint = true,
            other => nums.push(other),
        }
    }
    if let [iid, ty, sid] = nums.as_slice() {
        let num = |s: &str| s.parse::<i64>().ok();
        match num(iid) {
            Some(-1) => {}
            Some(n) => opts.iid = u32::try_from(n).ok(),
            None => {
                // a proxy name
                opts.scope = vec![iid.to_string()];
            }
        }
        if let Some(t) = num(ty).filter(|t| *t != -1) {
            opts.types = u32::try_from(t).ok();
        }
        if let Some(s) = num(sid).filter(|s| *s != -1) {
            opts.sid = u32::try_from(s).ok();
        }
    }
    let rows = report::rows(engine, &opts);
    if json {
        report::json(&rows)
    } else if typed {
        report::typed(&rows, desc)
    } else {
        report::csv(&rows)
    }
}

/// `show servers state [backend]` (format version 1).
pub fn servers_state(engine: &Engine, only: Option<&str>) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let mut o = String::from(
        "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n",
    );
    if let Some(b) = only
        && engine.backend(b).is_none()
    {
        return "Can't find backend.\n".into();
    }
    let meta = engine.stats.bind(engine, false);
    let now = crate::proxy::stats::unix_now();
    for (bi, be) in engine.backends().iter().enumerate() {
        if only.is_some_and(|b| b != be.name) {
            continue;
        }
        let Some(bs) = engine.stats.backends.get(bi) else {
            continue;
        };
        let iid = meta.iid.get(&be.name).copied().unwrap_or(0);
        for (j, sv) in be.servers.iter().enumerate() {
            let Some(ss) = bs.servers.get(j) else {
                continue;
            };
            if engine.admin.is_deleted(bi, j) {
                continue;
            }
            let st = report::server_status(be, j, ss);
            let admin = ss.admin.load(Relaxed);
            // CMAINT from the configuration is reported with FMAINT (HAProxy 2.6: 5)
            let admin_bits = if admin & crate::proxy::stats::admf::CMAINT != 0 {
                admin | crate::proxy::stats::admf::FMAINT
            } else {
                admin
            };
            let opts = &sv.ir.opts;
            let rise = opts.rise.unwrap_or(2).max(0) as u32;
            let fall = opts.fall.unwrap_or(3).max(0) as u32;
            let maint = admin & crate::proxy::stats::admf::MAINT != 0;
            // the check columns from the real checks and the admin state
            let c = crate::proxy::stats::health::state_columns(
                ss,
                engine.stats.start_unix,
                opts.check,
                opts.agent_check,
                rise,
                fall,
            );
            let op = if maint || st == "MAINT" { 0 } else { c.op };
            let (chk_status, chk_result, chk_health, chk_state) =
                if opts.check && ss.checks_off.load(Relaxed) {
                    // configured, not enabled (`add server ... check` before `enable
                    // health`, or `disable health`: the last check stays), measured
                    if c.check_status == 1 {
                        (1, 0, 0, 2)
                    } else {
                        (c.check_status, c.check_result, c.check_health, 2)
                    }
                } else {
                    (
                        c.check_status,
                        c.check_result,
                        c.check_health,
                        c.check_state,
                    )
                };
            let agent_state = c.agent_state;
            let dest = sv.dest(None);
            let ov = engine.admin.check_override(bi, j);
            let check_port = ov.port.map_or(opts.port.unwrap_or(0), i64::from);
            // the `addr` of the server line, else `-` (measured)
            let check_addr = ov
                .addr
                .as_deref()
                .or(opts.addr.as_ref().map(|a| a.host.as_str()))
                .unwrap_or("-");
            let (agent_addr, agent_port) = crate::proxy::stats::health::agent_state_cells(ss, sv);
            let _ = writeln!(
                o,
                "{iid} {} {} {} {} {op} {admin_bits} {} {} {} {chk_status} {chk_result} {chk_health} {chk_state} {agent_state} 0 {} - {} - {} {check_port} {check_addr} {agent_addr} {agent_port}",
                be.name,
                sv.puid,
                sv.name,
                dest.ip(),
                ss.uweight.load(Relaxed),
                opts.weight.unwrap_or(1).clamp(0, 256),
                now.saturating_sub(ss.last_change.load(Relaxed)),
                u8::from(opts.id.is_some()),
                dest.port(),
                u8::from(opts.ssl),
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> std::sync::Arc<Engine> {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nfrontend fe\n bind 127.0.0.1:0\n default_backend be\nbackend be\n server s1 127.0.0.1:24111\n server s2 127.0.0.1:24112 weight 3\n server s3 127.0.0.1:24113 backup\n",
        );
        Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine")
    }

    #[test]
    fn split_like_haproxy() {
        assert_eq!(
            split_commands("show info;show stat  typed\\;x"),
            vec![vec!["show", "info"], vec!["show", "stat", "typed;x"]]
        );
    }

    #[test]
    fn answers_and_terminators() {
        let e = engine();
        let mut s = Session::new(Level::Admin, Duration::from_secs(10));
        // HAProxy 2.6.12: "1 (initial 1)\n\n3 (initial 3)\n\n"
        assert_eq!(
            execute_line(&e, &mut s, "get weight be/s1;get weight be/s2\n"),
            "1 (initial 1)\n\n3 (initial 3)\n\n"
        );
        assert!(s.quit);
        let mut s = Session::new(Level::Admin, Duration::from_secs(10));
        // prompt mode: "\n> admin\n\n> "
        let a = execute_line(&e, &mut s, "prompt");
        let b = execute_line(&e, &mut s, "show cli level");
        assert_eq!(format!("{a}{b}"), "\n> admin\n\n> ");
        assert!(!s.quit);
        assert_eq!(execute_line(&e, &mut s, "quit"), "");
        assert!(s.quit);
    }

    #[test]
    fn levels() {
        let e = engine();
        let mut s = Session::new(Level::User, Duration::from_secs(10));
        assert_eq!(
            execute_line(&e, &mut s, "disable server be/s1"),
            "Permission denied\n\n"
        );
        assert_eq!(
            execute_line(&e, &mut s, "show sess"),
            "Permission denied\n\n"
        );
        let mut s = Session::new(Level::User, Duration::from_secs(10));
        assert_eq!(
            execute_line(&e, &mut s, "get weight be/s1"),
            "1 (initial 1)\n\n"
        );
    }

    #[test]
    fn get_var_without_empty_line() {
        let e = engine();
        let mut v = crate::proxy::acl::Vars::new();
        v.set("proc.apitest", crate::proxy::acl::Value::Int(3));
        let mut s = Session::new(Level::Admin, Duration::from_secs(10));
        // HAProxy 2.6.12: "proc.foo: type=str value=<hello>\n" and no empty line
        assert_eq!(
            execute_line(&e, &mut s, "get var proc.apitest"),
            "proc.apitest: type=sint value=<3>\n"
        );
        let mut s = Session::new(Level::Admin, Duration::from_secs(10));
        assert_eq!(
            execute_line(&e, &mut s, "get var txn.x;get var"),
            "Variable not found.\n\nMissing process-wide variable identifier.\n\n"
        );
    }

    #[test]
    fn servers_state_format() {
        let e = engine();
        let out = servers_state(&e, Some("be"));
        let lines: Vec<&str> = out.lines().collect();
        // HAProxy 2.6.12 (times masked): `3 be 1 s1 127.0.0.1 2 0 1 1 73 1 0 2 0 0 0 0 - 24111 - 0 0 - - 0`
        let masked: Vec<String> = lines[2..]
            .iter()
            .map(|l| {
                let mut w: Vec<&str> = l.split(' ').collect();
                w[9] = "T";
                w.join(" ")
            })
            .collect();
        assert_eq!(
            masked,
            [
                "2 be 1 s1 127.0.0.1 2 0 1 1 T 1 0 2 0 0 0 0 - 24111 - 0 0 - - 0",
                "2 be 2 s2 127.0.0.1 2 0 3 3 T 1 0 2 0 0 0 0 - 24112 - 0 0 - - 0",
                "2 be 3 s3 127.0.0.1 2 0 1 1 T 1 0 2 0 0 0 0 - 24113 - 0 0 - - 0",
            ]
        );
        e.admin_set_state("be/s1", AdminState::Maint).expect("ok");
        let out = servers_state(&e, Some("be"));
        assert!(out.contains("be 1 s1 127.0.0.1 0 1 1 1 "), "{out}");
        assert_eq!(servers_state(&e, Some("zz")), "Can't find backend.\n");
    }
}
