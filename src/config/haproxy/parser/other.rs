//! `userlist`, and the sections kept as checked directive lists until their
//! engines land: `peers`, `resolvers`, `mailers`, `http-errors`, `cache`,
//! `ring`, `program`, `log-forward`.

use super::{Parser, Section};
use crate::config::haproxy::lexer::Line;
use crate::ir::haproxy::{Directive, Group, OtherSection, User, Userlist};

pub fn begin_userlist(p: &mut Parser, line: &Line) {
    let Some(name) = line.args.get(1) else {
        p.alert_nospace(line, "'userlist' expects <name> as arguments.");
        // HAProxy keeps parsing the following lines as a nameless userlist.
        p.section = Section::None;
        return;
    };
    if let Some(extra) = line.args.get(2) {
        p.alert(
            line,
            format!("'userlist' cannot handle unexpected argument '{extra}'."),
        );
    }
    if let Some(i) = p.cfg.userlists.iter().position(|u| &u.name == name) {
        p.warn_nospace(line, format!("ignoring duplicated userlist '{name}'."));
        p.section = Section::Userlist(i);
        return;
    }
    let u = Userlist {
        span: p.span(line),
        name: name.clone(),
        groups: Vec::new(),
        users: Vec::new(),
    };
    p.cfg.userlists.push(u);
    p.section = Section::Userlist(p.cfg.userlists.len() - 1);
}

pub fn userlist_keyword(p: &mut Parser, idx: usize, line: &Line) {
    let args = &line.args;
    let kw = args[0].as_str();
    let ul_name = p
        .cfg
        .userlists
        .get(idx)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    match kw {
        "group" => {
            let Some(name) = args.get(1) else {
                p.alert_nospace(line, "'group' expects <name> as arguments.");
                return;
            };
            let exists = p
                .cfg
                .userlists
                .get(idx)
                .is_some_and(|u| u.groups.iter().any(|g| &g.name == name));
            if exists {
                p.warn_nospace(
                    line,
                    format!("ignoring duplicated group '{name}' in userlist '{ul_name}'."),
                );
                return;
            }
            let mut users = Vec::new();
            let mut i = 2;
            while let Some(w) = args.get(i) {
                if w == "users" {
                    if let Some(list) = args.get(i + 1) {
                        users.extend(list.split(',').filter(|s| !s.is_empty()).map(String::from));
                    }
                    i += 2;
                } else {
                    p.alert_nospace(line, "'group' only supports 'users' option.");
                    return;
                }
            }
            let g = Group {
                span: p.span(line),
                name: name.clone(),
                users,
            };
            if let Some(u) = p.cfg.userlists.get_mut(idx) {
                u.groups.push(g);
            }
        }
        "user" => {
            let Some(name) = args.get(1) else {
                p.alert_nospace(line, "'user' expects <name> as arguments.");
                return;
            };
            let exists = p
                .cfg
                .userlists
                .get(idx)
                .is_some_and(|u| u.users.iter().any(|x| &x.name == name));
            if exists {
                p.warn_nospace(
                    line,
                    format!("ignoring duplicated user '{name}' in userlist '{ul_name}'."),
                );
                return;
            }
            let mut user = User {
                span: p.span(line),
                name: name.clone(),
                password: None,
                insecure: false,
                groups: Vec::new(),
            };
            let mut i = 2;
            while let Some(w) = args.get(i) {
                match w.as_str() {
                    "password" | "insecure-password" => {
                        user.insecure = w == "insecure-password";
                        user.password = args.get(i + 1).cloned();
                        i += 2;
                    }
                    "groups" => {
                        if let Some(list) = args.get(i + 1) {
                            user.groups.extend(
                                list.split(',').filter(|s| !s.is_empty()).map(String::from),
                            );
                        }
                        i += 2;
                    }
                    _ => {
                        p.alert_nospace(
                            line,
                            "'user' only supports 'password', 'insecure-password' and 'groups' options.",
                        );
                        return;
                    }
                }
            }
            if let Some(u) = p.cfg.userlists.get_mut(idx) {
                u.users.push(user);
            }
        }
        _ => {
            p.alert_nospace(line, format!("unknown keyword '{kw}' in 'users' section"));
        }
    }
}

/// Keywords accepted per section (the engines for these sections have not
/// landed; the lines are kept as directives).
fn section_keywords(kind: &str) -> &'static [&'static str] {
    match kind {
        "peers" => &[
            "bind",
            "default-bind",
            "default-server",
            "disabled",
            "enabled",
            "log",
            "peer",
            "server",
            "shards",
            "stick-table",
            "table",
        ],
        "resolvers" => &[
            "accepted_payload_size",
            "hold",
            "nameserver",
            "parse-resolv-conf",
            "resolve_retries",
            "timeout",
        ],
        "mailers" => &["mailer", "timeout"],
        "http-errors" => &["errorfile"],
        "cache" => &[
            "total-max-size",
            "max-age",
            "max-object-size",
            "process-vary",
            "max-secondary-entries",
        ],
        "ring" => &[
            "description",
            "format",
            "maxlen",
            "size",
            "server",
            "timeout",
            "backing-file",
        ],
        "program" => &["command", "user", "group", "option", "no"],
        "log-forward" => &["bind", "dgram-bind", "log", "maxconn", "backlog", "timeout"],
        _ => &[],
    }
}

/// Report what HAProxy reports when a section ends (a cache without size).
fn close_other(p: &mut Parser) {
    if let Section::Other(i) = p.section
        && let Some(s) = p.cfg.other_sections.get(i)
        && s.kind == "cache"
        && !s.directives.iter().any(|d| d.keyword == "total-max-size")
    {
        let text = format!("config : Size not specified for cache '{}'", s.name);
        let file = s.span.file.clone();
        p.diags.push(crate::config::diag::Diag::new(
            crate::config::diag::Level::Alert,
            None,
            text,
        ));
        p.mark_error(&file);
    }
}

pub fn begin_other(p: &mut Parser, line: &Line) {
    let kind = line.args[0].as_str();
    let Some(name) = line.args.get(1) else {
        match kind {
            "cache" => p.abort(line, "'cache' expects a <name> argument"),
            "program" => p.abort(line, "'program' expects an <id> argument"),
            "ring" => {
                p.alert(line, "missing ring name.");
                p.aborted = true;
            }
            "log-forward" => p.abort(line, "missing name for log-forward section."),
            _ => p.abort(line, format!("missing name for {kind} section.")),
        }
        return;
    };
    let prev = p
        .cfg
        .other_sections
        .iter()
        .find(|o| o.kind == kind && &o.name == name)
        .map(|o| o.span.clone());
    if let Some(sp) = prev {
        // HAProxy 2.6.12's wordings (and capitals) differ per section.
        let at = format!("{}:{}", sp.file, sp.line);
        let here = format!("[{}:{}]", line.file, line.line);
        match kind {
            "http-errors" => p.alert_nospace(
                line,
                format!("http-errors section '{name}' already exists (declared at {at})."),
            ),
            "peers" | "mailers" => p.alert_text(
                line,
                format!(
                    "Parsing {here}: {kind} section '{name}' has the same name as another {kind} section declared at {at}."
                ),
            ),
            "resolvers" => {
                p.alert_text(
                    line,
                    format!(
                        "Parsing {here}: resolvers '{name}' has same name as another resolvers (declared at {at})."
                    ),
                );
                // HAProxy then fails its allocation path and stops.
                p.abort(line, "out of memory.");
                return;
            }
            "cache" => {
                p.alert_nospace(line, format!("Duplicate cache name '{name}'."));
                p.aborted = true;
                return;
            }
            _ => {}
        }
    }
    let s = OtherSection {
        span: p.span(line),
        kind: kind.to_string(),
        name: name.clone(),
        directives: Vec::new(),
    };
    p.cfg.other_sections.push(s);
    p.section = Section::Other(p.cfg.other_sections.len() - 1);
}

pub fn other_keyword(p: &mut Parser, idx: usize, line: &Line) {
    let Some(kind) = p.cfg.other_sections.get(idx).map(|s| s.kind.clone()) else {
        return;
    };
    let kw = line.args[0].as_str();
    if !section_keywords(&kind).contains(&kw) {
        if kind == "ring" {
            p.alert(line, format!("unknown statement '{kw}'."));
        } else {
            p.alert(line, format!("unknown keyword '{kw}' in '{kind}' section"));
        }
        return;
    }
    if (kw == "timeout" || (kind == "resolvers" && kw == "hold"))
        && !section_timeout(p, &kind, line)
    {
        return;
    }
    if kind == "resolvers"
        && matches!(kw, "resolve_retries" | "accepted_payload_size")
        && line.args.get(1).is_none_or(|v| v.is_empty())
    {
        p.alert(line, format!("'{kw}' expects <nb> as argument."));
        return;
    }
    if kind == "http-errors" && kw == "errorfile" {
        let a = |i: usize| line.args.get(i).map(String::as_str).unwrap_or("");
        // HAProxy 2.6.12's wording here differs from the proxy keyword's
        // (no space before the first colon).
        if a(1).is_empty() || a(2).is_empty() {
            p.alert(
                line,
                "errorfile: expects <status_code> and <file> as arguments.",
            );
            return;
        }
        if super::proxy::handled_status(a(1)).is_none() {
            p.alert(
                line,
                format!(
                    "errorfile : status code '{}' not handled.",
                    super::util::atol(a(1))
                ),
            );
            return;
        }
        if std::fs::read(a(2)).is_err() {
            p.alert(line, format!("errorfile : error opening file '{}'.", a(2)));
            return;
        }
    }
    let d = Directive {
        span: p.span(line),
        keyword: kw.to_string(),
        args: line.args[1..].to_vec(),
    };
    if let Some(s) = p.cfg.other_sections.get_mut(idx) {
        s.directives.push(d);
    }
}

/// `timeout` of mailers/ring/resolvers sections and resolvers' `hold`,
/// with HAProxy 2.6.12's messages. Returns false after an error.
fn section_timeout(p: &mut Parser, kind: &str, line: &Line) -> bool {
    let a = |i: usize| line.args.get(i).map(String::as_str).unwrap_or("");
    let (name, what, value) = match (kind, a(0)) {
        ("resolvers", "hold") => {
            if a(1).is_empty() || a(2).is_empty() {
                p.alert(line, "'hold' expects an <event> and a <time> as arguments.");
                p.diags.push(crate::config::diag::Diag::new(
                    crate::config::diag::Level::Alert,
                    None,
                    "config : <event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'",
                ));
                return false;
            }
            if !matches!(
                a(1),
                "nx" | "timeout" | "valid" | "other" | "refused" | "obsolete"
            ) {
                p.alert(
                    line,
                    format!(
                        "'hold' unknown <event>: '{}', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.",
                        a(1)
                    ),
                );
                return false;
            }
            // HAProxy names the event where the value belongs on overflow.
            ("hold".to_string(), a(1).to_string(), a(2))
        }
        ("resolvers" | "mailers", _) => {
            let allowed: &[&str] = if kind == "resolvers" {
                &["retry", "resolve"]
            } else {
                &["mail"]
            };
            let expects = if kind == "resolvers" {
                "'retry' or 'resolve'"
            } else {
                "'mail'"
            };
            if a(1).is_empty() {
                p.alert(
                    line,
                    format!("'timeout' expects {expects} and <time> as arguments."),
                );
                return false;
            }
            if !allowed.contains(&a(1)) {
                p.alert(
                    line,
                    format!(
                        "'timeout' expects {expects} and <time> as arguments got '{}'.",
                        a(1)
                    ),
                );
                return false;
            }
            let name = format!("timeout {}", a(1));
            (name, a(2).to_string(), a(2))
        }
        ("ring", _) if matches!(a(1), "connect" | "server") => {
            let name = format!("timeout {}", a(1));
            (name, a(2).to_string(), a(2))
        }
        // HAProxy 2.6.12 ignores other ring timeouts.
        _ => return true,
    };
    if value.is_empty() {
        p.alert(line, format!("'{name}' expects <time> as argument."));
        return false;
    }
    match super::util::parse_time(value, 1) {
        Ok(_) => true,
        Err(super::util::TimeErr::BadChar(c)) => {
            p.alert_nospace(
                line,
                format!("unexpected character '{c}' in argument to <{name}>."),
            );
            false
        }
        Err(_) => {
            let shown: &str = if name == "hold" { &what } else { value };
            p.alert_nospace(
                line,
                format!(
                    "timer overflow in argument <{shown}> to <{name}>, maximum value is 2147483647 ms (~24.8 days)."
                ),
            );
            false
        }
    }
}

/// Called when the parser leaves a section for any reason (new section or end).
pub fn end_section(p: &mut Parser) {
    close_other(p);
    if matches!(p.section, Section::Other(_)) {
        p.section = Section::None;
    }
}
