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
    let d = Directive {
        span: p.span(line),
        keyword: kw.to_string(),
        args: line.args[1..].to_vec(),
    };
    if let Some(s) = p.cfg.other_sections.get_mut(idx) {
        s.directives.push(d);
    }
}

/// Called when the parser leaves a section for any reason (new section or end).
pub fn end_section(p: &mut Parser) {
    close_other(p);
    if matches!(p.section, Section::Other(_)) {
        p.section = Section::None;
    }
}
