//! `defaults`, `frontend`, `backend` and `listen` sections.

use super::check::{ProxyNotes, ServerNote, TrackNote};
use super::global::{parse_log, time_err_msg};
use super::util::{TimeErr, atol, best_match, parse_time};
use super::{Parser, Section};
use crate::config::diag::Level;
use crate::config::haproxy::expr::{self, Ctx};
use crate::config::haproxy::lexer::Line;
use crate::config::haproxy::{rules, server};
use crate::grammar::{Status, grammar};
use crate::ir::haproxy::{
    Balance, Capture, Cookie, Defaults, Directive, ErrorFile, HashType, Located, Mode, Named,
    Proxy, ProxyKind, ProxyOption, ProxySettings, StickTable, UseBackend,
};

/// Parse state of the current proxy or defaults section.
#[derive(Debug, Default)]
pub struct State {
    /// Names of the ACLs declared so far in this section (for references).
    acl_names: Vec<String>,
    /// Rule kinds already present in this section, for HAProxy's
    /// "rule placed after ... will still be processed before" warnings.
    seen_rules: Vec<RuleKind>,
    /// The settings of the defaults section the current section started
    /// from (HAProxy compares with them to warn about overwritten timeouts).
    base: Option<ProxySettings>,
}

/// The rule lists whose evaluation order HAProxy warns about, in the order
/// they are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    TcpSession,
    TcpContent,
    MonitorFail,
    HttpRequest,
    Redirect,
    UseBackend,
    UseServer,
}

const RULE_CHAIN: &[(RuleKind, &str)] = &[
    (RuleKind::TcpSession, "a 'tcp-request session'"),
    (RuleKind::TcpContent, "a 'tcp-request content'"),
    (RuleKind::MonitorFail, "a 'monitor fail'"),
    (RuleKind::HttpRequest, "an 'http-request'"),
    (RuleKind::Redirect, "a 'redirect'"),
    (RuleKind::UseBackend, "a 'use_backend'"),
    (RuleKind::UseServer, "a 'use-server'"),
];

/// Which list a rule line goes to, and from where in the chain HAProxy
/// looks for rules that will be evaluated after it.
fn rule_kind(args: &[String]) -> Option<(RuleKind, Option<RuleKind>)> {
    let a1 = args.get(1).map(String::as_str).unwrap_or("");
    Some(match (args.first().map(String::as_str)?, a1) {
        ("tcp-request", "connection") => (RuleKind::TcpSession, Some(RuleKind::TcpSession)),
        ("tcp-request", "session") => (RuleKind::TcpSession, Some(RuleKind::TcpContent)),
        ("tcp-request", "content") => (RuleKind::TcpContent, Some(RuleKind::MonitorFail)),
        ("monitor", "fail") => (RuleKind::MonitorFail, Some(RuleKind::HttpRequest)),
        ("http-request", _) => (RuleKind::HttpRequest, Some(RuleKind::Redirect)),
        ("redirect", _) => (RuleKind::Redirect, Some(RuleKind::UseBackend)),
        ("use_backend", _) => (RuleKind::UseBackend, None),
        ("use-server", _) => (RuleKind::UseServer, None),
        _ => return None,
    })
}

/// After a rule line parsed: warn when a rule evaluated later is already
/// present, then remember this rule's kind.
fn rule_order(p: &mut Parser, line: &Line) {
    let Some((kind, from)) = rule_kind(&line.args) else {
        return;
    };
    if let Some(from) = from {
        let start = RULE_CHAIN.iter().position(|(k, _)| *k == from).unwrap_or(0);
        let what = if kind == RuleKind::MonitorFail {
            "monitor fail".to_string()
        } else {
            line.args[0].clone()
        };
        let hit = RULE_CHAIN[start..]
            .iter()
            .find(|(k, _)| p.proxy_state.seen_rules.contains(k))
            .map(|(_, name)| *name);
        if let Some(name) = hit {
            p.warn(
                line,
                format!("a '{what}' rule placed after {name} rule will still be processed before."),
            );
        }
    }
    // `tcp-request connection` rules are the first list; nothing to remember
    // that could be misplaced before them except session rules.
    let remembered = match (line.args[0].as_str(), line.args.get(1).map(String::as_str)) {
        ("tcp-request", Some("connection")) => None,
        _ => Some(kind),
    };
    if let Some(k) = remembered
        && !p.proxy_state.seen_rules.contains(&k)
    {
        p.proxy_state.seen_rules.push(k);
    }
}

/// Characters HAProxy accepts in proxy names (`invalid_char`).
fn invalid_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
}

fn cap_str(kind: ProxyKind) -> &'static str {
    // proxy_cap_str(): listen proxies are "proxy".
    match kind {
        ProxyKind::Frontend => "frontend",
        ProxyKind::Backend => "backend",
        ProxyKind::Listen => "proxy",
    }
}

pub fn begin(p: &mut Parser, line: &Line) {
    let args = &line.args;
    let kw = args[0].as_str();
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    if kw == "defaults" {
        let (name, from_idx) = if a(1) == "from" && !a(2).is_empty() && a(3).is_empty() {
            ("", 1)
        } else {
            (a(1), 2)
        };
        let mut from = None;
        let mut base = None;
        if a(from_idx) == "from" {
            let target = a(from_idx + 1);
            match find_defaults(p, target) {
                Some(i) => {
                    base = Some(p.cfg.defaults[i].settings.clone());
                    from = Some(target.to_string());
                    mark_ref(p, line, i, true);
                    if let Some(e) = rules_defaults_error(p, i, None) {
                        p.alert_nospace(line, e);
                        p.aborted = true;
                        return;
                    }
                }
                None => {
                    p.abort(
                        line,
                        format!("defaults section '{target}' not found for defaults '{name}'."),
                    );
                    return;
                }
            }
        }
        // HAProxy checks a defaults name only where `from` designates it.
        let d = Defaults {
            span: p.span(line),
            name: name.to_string(),
            from,
            settings: base.clone().unwrap_or_default(),
            acls: Vec::new(),
            rules: Vec::new(),
        };
        p.cfg.defaults.push(d);
        p.defaults_refs.push((false, false));
        let idx = p.cfg.defaults.len() - 1;
        p.last_defaults = Some(idx);
        p.proxy_state = State {
            base,
            ..State::default()
        };
        p.section = Section::Defaults(idx);
        return;
    }
    let kind = match kw {
        "frontend" => ProxyKind::Frontend,
        "backend" => ProxyKind::Backend,
        _ => ProxyKind::Listen,
    };
    let name = a(1);
    if name.is_empty() {
        p.abort(line, format!("'{kw}' expects an <id> argument"));
        return;
    }
    if let Some(c) = invalid_char(name) {
        p.alert(
            line,
            format!("character '{c}' is not permitted in '{kw}' name '{name}'."),
        );
    }
    let clash = p
        .cfg
        .proxies
        .iter()
        .find(|px| {
            px.name == name
                && if kind.is_frontend() {
                    px.kind.is_frontend()
                } else {
                    px.kind.is_backend()
                }
        })
        .map(|px| (px.kind, px.span.clone()));
    if let Some((okind, ospan)) = clash {
        p.alert_text(
            line,
            format!(
                "Parsing [{}:{}]: {} '{}' has the same name as {} '{}' declared at {}:{}.",
                line.file,
                line.line,
                cap_str(kind),
                name,
                okind.as_str(),
                name,
                ospan.file,
                ospan.line
            ),
        );
    }
    if (!a(2).is_empty() && (a(3).is_empty() || a(2) != "from")) || !a(4).is_empty() {
        if !a(4).is_empty() {
            p.alert(
                line,
                format!("'{kw}' cannot handle unexpected argument '{}'.", a(4)),
            );
        }
        if kind.is_frontend() {
            p.alert_nonfatal(
                line,
                "please use the 'bind' keyword for listening addresses.",
            );
        }
        p.section = Section::DeadProxy;
        return;
    }
    let mut defaults_name = None;
    let base = if a(2) == "from" {
        let same: Vec<crate::ir::haproxy::Span> = p
            .cfg
            .defaults
            .iter()
            .filter(|d| d.name == a(3))
            .map(|d| d.span.clone())
            .collect();
        if let [first, second, ..] = same.as_slice() {
            p.alert(
                line,
                format!(
                    "ambiguous defaults section name '{}' referenced by {} '{}' exists at least at {}:{} and {}:{}.",
                    a(3),
                    cap_str(kind),
                    name,
                    first.file,
                    first.line,
                    second.file,
                    second.line
                ),
            );
        }
        match find_defaults(p, a(3)) {
            Some(i) => {
                defaults_name = Some(a(3).to_string());
                mark_ref(p, line, i, true);
                if let Some(e) = rules_defaults_error(p, i, Some(kind)) {
                    p.alert_nospace(line, e);
                    p.aborted = true;
                    return;
                }
                Some(p.cfg.defaults[i].settings.clone())
            }
            None => {
                p.abort(
                    line,
                    format!(
                        "defaults section '{}' not found for {} '{}'.",
                        a(3),
                        cap_str(kind),
                        name
                    ),
                );
                return;
            }
        }
    } else if let Some(i) = p.last_defaults {
        defaults_name = Some(p.cfg.defaults[i].name.clone());
        mark_ref(p, line, i, false);
        if let Some(e) = rules_defaults_error(p, i, Some(kind)) {
            p.alert_nospace(line, e);
            p.aborted = true;
            return;
        }
        Some(p.cfg.defaults[i].settings.clone())
    } else {
        None
    };
    let mut settings = base.clone().unwrap_or_default();
    // HAProxy copies the default backend only into frontend-capable proxies.
    if !kind.is_frontend() {
        settings.default_backend = None;
    }
    let px = Proxy {
        span: p.span(line),
        kind,
        name: name.to_string(),
        defaults: defaults_name,
        disabled: false,
        settings,
        binds: Vec::new(),
        servers: Vec::new(),
        acls: Vec::new(),
        rules: Vec::new(),
        use_backends: Vec::new(),
        stick_table: None,
        captures: Vec::new(),
    };
    p.cfg.proxies.push(px);
    p.notes.push(ProxyNotes::default());
    p.proxy_state = State {
        base,
        ..State::default()
    };
    p.section = Section::Proxy(p.cfg.proxies.len() - 1);
}

/// HAProxy refuses to guess when one defaults section is both named by
/// `from` and used implicitly (an ALERT that does not fail the check).
fn mark_ref(p: &mut Parser, line: &Line, i: usize, explicit: bool) {
    if explicit
        && let Some(d) = p.cfg.defaults.get(i)
        && let Some(c) = invalid_char(&d.name)
    {
        let msg = format!(
            "character '{c}' is not permitted in defaults section name '{}' when designated by its name (section found at {}:{}).",
            d.name, d.span.file, d.span.line
        );
        p.alert(line, msg);
    }
    let Some(r) = p.defaults_refs.get_mut(i) else {
        return;
    };
    if explicit {
        r.0 = true;
    } else {
        r.1 = true;
    }
    if r.0 && r.1 {
        let d = &p.cfg.defaults[i];
        let msg = format!(
            "defaults section '{}' (declared at {}:{}) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
            d.name, d.span.file, d.span.line
        );
        p.alert_nonfatal(line, msg);
    }
}

/// HAProxy 2.6 (`proxy_ref_defaults()`) refuses some uses of a defaults
/// section that has TCP/HTTP rules: by a defaults (`kind` None) or listen
/// section, or by both frontends and backends. The aborting alert's text.
fn rules_defaults_error(p: &Parser, i: usize, kind: Option<ProxyKind>) -> Option<String> {
    let d = p.cfg.defaults.get(i)?;
    let has_rules = d.rules.iter().any(|r| {
        matches!(
            r.value.keyword.as_str(),
            "http-request"
                | "http-response"
                | "http-after-response"
                | "tcp-request"
                | "tcp-response"
        ) && r.value.ruleset.as_deref() != Some("inspect-delay")
    });
    if !has_rules {
        return None;
    }
    let at = format!("(defaults section at {}:{})", d.span.file, d.span.line);
    match kind {
        None => Some(format!(
            "a defaults section cannot inherit from a defaults section defining TCP/HTTP rules {at}."
        )),
        Some(ProxyKind::Listen) => Some(
            "a listen section cannot inherit from a defaults section defining TCP/HTTP rules."
                .into(),
        ),
        Some(k) => {
            // The first user fixes the side (proxies of the other side that
            // were refused stopped the parsing).
            let other_side = p.cfg.proxies.iter().any(|q| {
                q.defaults.as_deref() == Some(d.name.as_str())
                    && q.kind != k
                    && q.kind != ProxyKind::Listen
            });
            let has = |kw: &str, sets: &[&str]| {
                d.rules.iter().any(|r| {
                    r.value.keyword == kw
                        && r.value
                            .ruleset
                            .as_deref()
                            .is_some_and(|s| sets.contains(&s))
                })
            };
            if other_side {
                Some(format!(
                    "frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules {at}."
                ))
            } else if k == ProxyKind::Backend && has("tcp-request", &["connection", "session"]) {
                Some(format!(
                    "a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules {at}."
                ))
            } else if k == ProxyKind::Frontend && has("tcp-response", &["content"]) {
                Some(format!(
                    "a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules {at}."
                ))
            } else {
                None
            }
        }
    }
}

fn find_defaults(p: &Parser, name: &str) -> Option<usize> {
    p.cfg.defaults.iter().rposition(|d| d.name == name)
}

/// What the current section is, for capability checks and messages.
#[derive(Clone)]
struct Cur {
    /// None for a defaults section.
    kind: Option<ProxyKind>,
    name: String,
    anonymous_defaults: bool,
}

impl Cur {
    fn fe(&self) -> bool {
        self.kind.is_none_or(ProxyKind::is_frontend)
    }
    fn be(&self) -> bool {
        self.kind.is_none_or(ProxyKind::is_backend)
    }
    fn type_str(&self) -> &'static str {
        self.kind.map(ProxyKind::as_str).unwrap_or("defaults")
    }
    fn section_str(&self) -> &'static str {
        self.kind.map(ProxyKind::as_str).unwrap_or("defaults")
    }
}

fn cur(p: &Parser) -> Option<Cur> {
    match p.section {
        Section::Defaults(i) => {
            let d = p.cfg.defaults.get(i)?;
            Some(Cur {
                kind: None,
                name: d.name.clone(),
                anonymous_defaults: d.name.is_empty(),
            })
        }
        Section::Proxy(i) => {
            let px = p.cfg.proxies.get(i)?;
            Some(Cur {
                kind: Some(px.kind),
                name: px.name.clone(),
                anonymous_defaults: false,
            })
        }
        _ => None,
    }
}

fn settings<'a>(p: &'a mut Parser) -> Option<&'a mut ProxySettings> {
    match p.section {
        Section::Defaults(i) => p.cfg.defaults.get_mut(i).map(|d| &mut d.settings),
        Section::Proxy(i) => p.cfg.proxies.get_mut(i).map(|px| &mut px.settings),
        _ => None,
    }
}

/// Whether the last rule of the current section's `kw` list is final and
/// unconditional: HAProxy 2.6 then warns that a new `kw` rule is a no-op
/// (`redirect` lines are a list of their own).
fn previous_rule_final(p: &Parser, kw: &str) -> bool {
    let list: &[Located<crate::ir::haproxy::expr::Rule>] = match p.section {
        Section::Defaults(i) => p.cfg.defaults.get(i).map_or(&[], |d| &d.rules),
        Section::Proxy(i) => p.cfg.proxies.get(i).map_or(&[], |px| &px.rules),
        _ => &[],
    };
    let Some(last) = list.iter().rev().find(|r| r.value.keyword == kw) else {
        return false;
    };
    let r = &last.value;
    let final_action = match r.keyword.as_str() {
        "http-request" => matches!(
            r.action.as_str(),
            "allow" | "deny" | "tarpit" | "auth" | "redirect" | "return"
        ),
        "http-response" => matches!(r.action.as_str(), "allow" | "deny" | "redirect" | "return"),
        "http-after-response" => r.action == "allow",
        _ => false,
    };
    final_action && r.cond.is_none()
}

/// Whether the `retry-on` in effect (the last one, own or inherited) has
/// all of `conn-failure`, `empty-response` and `response-timeout`, which
/// HAProxy wants for servers with `tfo`.
fn retry_on_covers_tfo(p: &mut Parser) -> bool {
    let Some(s) = settings(p) else {
        return true;
    };
    let Some(d) = s.other.iter().rev().find(|d| d.keyword == "retry-on") else {
        return false;
    };
    let has = |w: &str| d.args.iter().any(|a| a == w || a == "all-retryable-errors");
    has("conn-failure") && has("empty-response") && has("response-timeout")
}

/// Whether the current section already has a `KW inspect-delay`, its own or
/// one from the defaults section it inherits from.
fn has_inspect_delay(p: &Parser, kw: &str) -> bool {
    let is_delay = |r: &Located<crate::ir::haproxy::expr::Rule>| {
        r.value.keyword == kw && r.value.ruleset.as_deref() == Some("inspect-delay")
    };
    match p.section {
        Section::Defaults(i) => p
            .cfg
            .defaults
            .get(i)
            .is_some_and(|d| d.rules.iter().any(is_delay)),
        Section::Proxy(i) => p.cfg.proxies.get(i).is_some_and(|px| {
            px.rules.iter().any(is_delay)
                || px.defaults.as_deref().is_some_and(|name| {
                    // The last one of that name declared so far is the one used.
                    p.cfg
                        .defaults
                        .iter()
                        .rev()
                        .find(|d| d.name == name)
                        .is_some_and(|d| d.rules.iter().any(is_delay))
                })
        }),
        _ => false,
    }
}

fn proxy_mut<'a>(p: &'a mut Parser) -> Option<&'a mut Proxy> {
    match p.section {
        Section::Proxy(i) => p.cfg.proxies.get_mut(i),
        _ => None,
    }
}

/// `'KW' ignored because TYPE 'NAME' has no frontend|backend capability.`
/// Returns true when it warned (HAProxy goes on parsing the line anyway).
fn warnif_cap(p: &mut Parser, line: &Line, c: &Cur, need_fe: bool, what: &str) -> bool {
    let ok = if need_fe { c.fe() } else { c.be() };
    if ok {
        return false;
    }
    p.warn(
        line,
        format!(
            "'{what}' ignored because {} '{}' has no {} capability.",
            c.type_str(),
            c.name,
            if need_fe { "frontend" } else { "backend" }
        ),
    );
    true
}

/// HAProxy 2.6's `stktable_parse_fields()` walk over `stick-table` words:
/// the first problem, as the text after `stick-table: `.
fn stick_table_arg_error(words: &[String]) -> Option<String> {
    const STORE: &[&str] = &[
        "server_id",
        "gpt0",
        "gpc0",
        "gpc0_rate",
        "gpc1",
        "gpc1_rate",
        "conn_cnt",
        "conn_rate",
        "conn_cur",
        "sess_cnt",
        "sess_rate",
        "http_req_cnt",
        "http_req_rate",
        "http_err_cnt",
        "http_err_rate",
        "bytes_in_cnt",
        "bytes_in_rate",
        "bytes_out_cnt",
        "bytes_out_rate",
        "server_key",
        "http_fail_cnt",
        "http_fail_rate",
        "gpt",
        "gpc",
        "gpc_rate",
        "server_name",
    ];
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let next = words.get(i + 1).map(String::as_str);
        match w.as_str() {
            "size" => {
                let Some(v) = next else {
                    return Some("missing argument after 'size'.".into());
                };
                // digits, then at most one of k/m/g
                let digits = v.bytes().take_while(u8::is_ascii_digit).count();
                let rest = &v[digits..];
                let rest = rest
                    .strip_prefix(['k', 'K', 'm', 'M', 'g', 'G'])
                    .unwrap_or(rest);
                if let Some(c) = rest.chars().next() {
                    return Some(format!("unexpected character '{c}' in argument of 'size'."));
                }
                i += 2;
            }
            "peers" | "write-to" | "srvkey" => i += 2,
            "nopurge" | "recv-only" => i += 1,
            "expire" => {
                let v = next.unwrap_or("");
                match parse_time(v, 1) {
                    Err(TimeErr::BadChar(c)) => {
                        return Some(format!(
                            "unexpected character '{c}' in argument of 'expire'."
                        ));
                    }
                    // Other value errors keep their own wordings (not measured).
                    _ => i += 2,
                }
            }
            "type" => {
                let t = next.unwrap_or("");
                if !matches!(t, "ip" | "ipv4" | "ipv6" | "integer" | "string" | "binary") {
                    return Some(format!("unknown type '{t}'."));
                }
                i += 2;
                if matches!(t, "string" | "binary") && words.get(i).is_some_and(|x| x == "len") {
                    i += 2;
                }
            }
            "store" => {
                for item in next.unwrap_or("").split(',') {
                    let name = item.split('(').next().unwrap_or("");
                    if !STORE.contains(&name) {
                        return Some(format!("unknown store option '{name}'."));
                    }
                }
                i += 2;
            }
            other => return Some(format!("unknown argument '{other}'.")),
        }
    }
    None
}

fn directive(p: &Parser, line: &Line) -> Directive {
    Directive {
        span: p.span(line),
        keyword: line.args.first().cloned().unwrap_or_default(),
        args: line.args.iter().skip(1).cloned().collect(),
    }
}

fn too_many(p: &mut Parser, line: &Line, max: usize) -> bool {
    super::global::too_many(p, line, max)
}

fn is_http(p: &Parser) -> bool {
    match p.section {
        Section::Defaults(i) => p
            .cfg
            .defaults
            .get(i)
            .is_some_and(|d| d.settings.mode == Some(Mode::Http)),
        Section::Proxy(i) => p
            .cfg
            .proxies
            .get(i)
            .is_some_and(|px| px.settings.mode == Some(Mode::Http)),
        _ => false,
    }
}

/// Run a sub-parser of `expr`/`rules`/`server` with a context for this line;
/// its warnings become `parsing [FILE:LINE] : ...` warnings, its error an alert.
fn with_ctx<T>(
    p: &mut Parser,
    line: &Line,
    c: &Cur,
    f: impl FnOnce(&mut Ctx) -> Result<T, String>,
) -> Option<T> {
    let http = is_http(p);
    // Taken out for the call (the context borrows it while `p` stays mutable).
    let acls = std::mem::take(&mut p.proxy_state.acl_names);
    let mut warnings = Vec::new();
    let res = {
        let mut ctx = Ctx {
            file: &line.file,
            line: line.line,
            section: c.section_str(),
            proxy: &c.name,
            http,
            acl_names: &acls,
            warnings: &mut warnings,
        };
        f(&mut ctx)
    };
    p.proxy_state.acl_names = acls;
    for w in warnings {
        let r = expr::render(&w, &line.file, line.line);
        // A soft alert is printed as an ALERT but does not count as an error.
        let level = if r.alert {
            Level::Alert
        } else {
            Level::Warning
        };
        for text in r.lines {
            p.push(level, Some(line), text);
        }
    }
    match res {
        Ok(v) => Some(v),
        Err(e) => {
            sub_error(p, line, &e);
            None
        }
    }
}

/// Report an error of a sub-parser (see `expr::render` for its markers).
fn sub_error(p: &mut Parser, line: &Line, e: &str) {
    let r = expr::render(e, &line.file, line.line);
    for text in r.lines {
        p.push(Level::Alert, Some(line), text);
    }
    let f = line.file.to_string();
    p.mark_error(&f);
    if r.abort {
        p.aborted = true;
    }
}

/// Wrap a plain condition error in the sentence HAProxy puts around it;
/// marked (raw/abort) messages are already complete.
fn wrap_cond_err(e: String, before: &str) -> String {
    if e.starts_with(expr::RAW) || e.starts_with(expr::ABORT) {
        e
    } else {
        format!("{before}{e}.")
    }
}

/// Take the facts the post-parse checks need from the raw line.
fn take_notes(p: &mut Parser, line: &Line) {
    let Section::Proxy(i) = p.section else {
        return;
    };
    let span = p.span(line);
    let args = &line.args;
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let mut new_servers = Vec::new();
    let value_after = |k: &str| {
        args.iter()
            .position(|w| w == k)
            .and_then(|j| args.get(j + 1))
            .cloned()
    };
    // Options start after `server NAME ADDR` / `server-template PFX NUM ADDR`.
    let first_opt = if a(0) == "server-template" { 4 } else { 3 };
    let opts = || args.iter().skip(first_opt);
    let has_check = opts().any(|w| w == "check" || w == "agent-check");
    let cookie = opts().any(|w| w == "cookie");
    let check_port = opts().any(|w| w == "port");
    let init_addr_none =
        value_after("init-addr").is_some_and(|v| v.split(',').any(|x| x == "none"));
    match a(0) {
        "server" if !a(1).is_empty() => new_servers.push(ServerNote {
            name: a(1).to_string(),
            span: span.clone(),
            addr: a(2).to_string(),
            track: value_after("track"),
            has_check,
            init_addr_none,
            template: false,
            cookie,
            check_port,
        }),
        "server-template" if !a(1).is_empty() => {
            let range = a(2);
            let (lo, hi) = match range.split_once('-') {
                Some((l, h)) => (l.parse::<u32>().unwrap_or(1), h.parse::<u32>().unwrap_or(0)),
                None => (1, range.parse::<u32>().unwrap_or(0)),
            };
            // Bounded: a huge range is H3's error to report, not a reason to allocate.
            for k in lo..=hi.min(lo.saturating_add(100_000)) {
                new_servers.push(ServerNote {
                    name: format!("{}{k}", a(1)),
                    span: span.clone(),
                    addr: a(3).to_string(),
                    track: value_after("track"),
                    has_check,
                    init_addr_none,
                    template: true,
                    cookie,
                    check_port,
                });
            }
        }
        "log-format" => {
            if let Some(n) = p.notes.get_mut(i) {
                n.lfs_span = Some(span.clone());
            }
        }
        "http-check" | "tcp-check" if !matches!(a(1), "disable-on-404" | "send-state" | "") => {
            if let Some(n) = p.notes.get_mut(i) {
                if a(0) == "http-check" {
                    n.http_check_rules = true;
                } else {
                    n.tcp_check_rules = true;
                }
            }
        }
        "errorfiles" if !a(1).is_empty() => {
            if let Some(n) = p.notes.get_mut(i) {
                n.errorfiles.push((a(1).to_string(), span.clone()));
            }
        }
        "option" if matches!(a(1), "httplog" | "tcplog") => {
            if let Some(n) = p.notes.get_mut(i) {
                n.lfs_span = Some(span.clone());
            }
        }
        "tcp-request" if a(1) == "inspect-delay" => {
            if let Some(n) = p.notes.get_mut(i) {
                n.inspect_delay = true;
            }
        }
        "stick" if matches!(a(1), "on" | "match" | "store-request" | "store-response") => {
            let table = value_after("table");
            if let Some(n) = p.notes.get_mut(i) {
                n.sticks.push(table);
            }
        }
        "http-request" | "http-response" | "http-after-response" | "redirect" => {
            if matches!(
                a(1),
                "add-header"
                    | "set-header"
                    | "replace-header"
                    | "replace-value"
                    | "set-path"
                    | "set-pathq"
                    | "set-query"
                    | "set-uri"
                    | "set-method"
                    | "early-hint"
                    | "set-var-fmt"
            ) && let Some(n) = p.notes.get_mut(i)
            {
                n.lfs_span = Some(span.clone());
            }
            if let Some(n) = p.notes.get_mut(i)
                && !n.rule_keywords.iter().any(|k| k == a(0))
            {
                n.rule_keywords.push(a(0).to_string());
            }
        }
        _ => {}
    }
    // track-sc rules of every list.
    let track = match (a(0), a(1)) {
        ("tcp-request", "connection") if a(2).starts_with("track-sc") => Some((0u8, 2usize)),
        ("tcp-request", "session") if a(2).starts_with("track-sc") => Some((1, 2)),
        ("tcp-request", "content") if a(2).starts_with("track-sc") => Some((2, 2)),
        ("http-request", w) if w.starts_with("track-sc") => Some((3, 1)),
        ("http-response", w) if w.starts_with("track-sc") => Some((4, 1)),
        _ => None,
    };
    if let Some((list, at)) = track {
        let mut table = None;
        let mut j = at + 2;
        while let Some(w) = args.get(j) {
            if w == "table" {
                table = args.get(j + 1).cloned();
                j += 2;
            } else if w == "if" || w == "unless" {
                break;
            } else {
                j += 1;
            }
        }
        let t = TrackNote {
            list,
            sc: a(at).to_string(),
            table,
            line: line.line,
        };
        if let Some(n) = p.notes.get_mut(i) {
            n.tracks.push(t);
        }
    }
    for w in args.iter() {
        for f in ["http_auth_group(", "http_auth("] {
            if let Some(rest) = w.split(f).nth(1) {
                let name = rest.split([')', ',']).next().unwrap_or("").to_string();
                if !name.is_empty()
                    && let Some(n) = p.notes.get_mut(i)
                {
                    n.userlists
                        .push((name, f.trim_end_matches('(').to_string(), span.clone()));
                }
                break;
            }
        }
    }
    if !new_servers.is_empty()
        && p.cfg.proxies.get(i).is_some_and(|px| px.kind.is_backend())
        && let Some(n) = p.notes.get_mut(i)
    {
        n.servers.extend(new_servers);
    }
}

pub fn keyword(p: &mut Parser, line: &Line) {
    let Some(c) = cur(p) else {
        return;
    };
    take_notes(p, line);
    let args = &line.args;
    let kw = args[0].as_str();
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let is_def = c.kind.is_none();
    match kw {
        "mode" => {
            if too_many(p, line, 1) {
                return;
            }
            let m = match a(1) {
                "http" => Mode::Http,
                "tcp" => Mode::Tcp,

                "health" => {
                    p.alert(
                        line,
                        "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.",
                    );
                    return;
                }
                other => {
                    p.alert(line, format!("unknown proxy mode '{other}'."));
                    return;
                }
            };
            if let Some(s) = settings(p) {
                s.mode = Some(m);
            }
        }
        "log" => {
            if let Some(t) = parse_log(p, line, false)
                && let Some(s) = settings(p)
            {
                s.log.push(t);
            }
        }
        "no" if a(1) == "log" => {
            if let Some(x) = args.get(2) {
                let _ = x;
                p.alert(line, "log : 'no log' does not expect arguments");
                return;
            }
            if let Some(s) = settings(p) {
                s.log.clear();
            }
        }
        "no" | "default" => {
            if a(1) != "option" {
                unknown(p, line, &c);
                return;
            }
            parse_option(p, line, &c, 2, false);
        }
        "option" => parse_option(p, line, &c, 1, true),
        "timeout" | "clitimeout" | "contimeout" | "srvtimeout" => parse_timeout(p, line, &c),
        "retries" => {
            warnif_cap(p, line, &c, false, "retries");
            if too_many(p, line, 1) {
                return;
            }
            if a(1).is_empty() {
                p.alert(
                    line,
                    "'retries' expects an integer argument (dispatch counts for one).",
                );
                return;
            }
            let v = atol(a(1));
            if let Some(s) = settings(p) {
                s.retries = Some(v);
            }
        }
        "maxconn" => {
            warnif_cap(p, line, &c, true, "maxconn");
            if too_many(p, line, 1) {
                return;
            }
            if a(1).is_empty() {
                p.alert(line, "'maxconn' expects an integer argument.");
                return;
            }
            let v = atol(a(1));
            if let Some(s) = settings(p) {
                s.maxconn = Some(v);
            }
        }
        "fullconn" => {
            if !c.be() {
                p.warn(
                    line,
                    format!(
                        "'fullconn' ignored because {} '{}' has no backend capability. Maybe you want 'maxconn' instead ?",
                        c.type_str(),
                        c.name
                    ),
                );
            }
            if too_many(p, line, 1) {
                return;
            }
            if a(1).is_empty() {
                p.alert(line, "'fullconn' expects an integer argument.");
                return;
            }
            let v = atol(a(1));
            if let Some(s) = settings(p) {
                s.fullconn = Some(v);
            }
        }
        "backlog" => {
            warnif_cap(p, line, &c, true, "backlog");
            if too_many(p, line, 1) {
                return;
            }
            if a(1).is_empty() {
                p.alert(line, "'backlog' expects an integer argument.");
                return;
            }
            let v = atol(a(1));
            if let Some(s) = settings(p) {
                s.backlog = Some(v);
            }
        }
        "balance" => {
            warnif_cap(p, line, &c, false, "balance");
            match parse_balance(&args[1..]) {
                Ok(b) => {
                    if let Some(s) = settings(p) {
                        s.balance = Some(b);
                    }
                }
                Err(e) => p.alert(line, e),
            }
        }
        "hash-type" => {
            warnif_cap(p, line, &c, false, "hash-type");
            let method = a(1);
            if method != "consistent" && method != "map-based" {
                p.alert(
                    line,
                    "'hash-type' only supports 'consistent' and 'map-based'.",
                );
                return;
            }
            let function = args.get(2).cloned();
            if let Some(f) = &function
                && !matches!(f.as_str(), "sdbm" | "djb2" | "wt6" | "crc32")
            {
                p.alert(
                    line,
                    "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.",
                );
                return;
            }
            let modifier = args.get(3).cloned();
            if let Some(m) = &modifier
                && m != "avalanche"
            {
                p.alert(
                    line,
                    "'hash-type' only supports 'avalanche' as a modifier for hash functions.",
                );
                return;
            }
            let ht = HashType {
                method: method.to_string(),
                function,
                modifier,
            };
            if let Some(s) = settings(p) {
                s.hash_type = Some(ht);
            }
        }
        "cookie" => parse_cookie(p, line, &c),
        "bind" => {
            if is_def {
                p.alert(line, "'bind' not allowed in 'defaults' section.");
                return;
            }
            if warnif_cap(p, line, &c, true, "bind") {
                return;
            }
            let args = args.clone();
            if let Some(b) = with_ctx(p, line, &c, |ctx| server::parse_bind(&args, ctx)) {
                let span = p.span(line);
                if let Some(px) = proxy_mut(p) {
                    px.binds.push(Located { span, value: b });
                }
            }
        }
        "server" | "default-server" | "server-template" => {
            if is_def && kw != "default-server" {
                p.alert_text(
                    line,
                    format!(
                        "[{}:{}] : '{kw}' not allowed in 'defaults' section.",
                        line.file, line.line
                    ),
                );
                return;
            }
            if !c.be() {
                p.alert_text(
                    line,
                    format!(
                        "[{f}:{l}] : parsing [{f}:{l}] : '{kw}' not allowed because {} '{}' has no backend capability.",
                        c.type_str(),
                        c.name,
                        f = line.file,
                        l = line.line
                    ),
                );
                return;
            }
            let defaults = settings(p).and_then(|s| s.default_server.clone());
            let args = args.clone();
            let Some(servers) = with_ctx(p, line, &c, |ctx| {
                server::parse_server(&args, defaults.as_ref(), ctx)
            }) else {
                return;
            };
            let span = p.span(line);
            if kw == "default-server" {
                if let (Some(s), Some(first)) = (settings(p), servers.into_iter().next()) {
                    s.default_server = Some(first);
                }
            } else {
                if !retry_on_covers_tfo(p) {
                    for w in servers.iter().filter_map(server::tfo_warning) {
                        p.push(Level::Warning, Some(line), format!("config : {w}"));
                    }
                }
                let Some(px) = proxy_mut(p) else {
                    return;
                };
                for s in servers {
                    px.servers.push(Located {
                        span: span.clone(),
                        value: s,
                    });
                }
            }
        }
        "acl" => {
            if c.anonymous_defaults {
                p.alert(line, "'acl' not allowed in anonymous 'defaults' section.");
                return;
            }
            let args = args.clone();
            if let Some(acl) = with_ctx(p, line, &c, |ctx| expr::parse_acl(&args, ctx)) {
                p.proxy_state.acl_names.push(acl.name.clone());
                let span = p.span(line);
                match p.section {
                    Section::Defaults(i) => {
                        if let Some(d) = p.cfg.defaults.get_mut(i) {
                            d.acls.push(Located { span, value: acl });
                        }
                    }
                    _ => {
                        if let Some(px) = proxy_mut(p) {
                            px.acls.push(Located { span, value: acl });
                        }
                    }
                }
            }
        }
        "use_backend" => {
            if is_def {
                p.alert(line, "'use_backend' not allowed in 'defaults' section.");
                return;
            }
            // Without frontend capability HAProxy warns but still parses
            // and resolves the rule.
            warnif_cap(p, line, &c, true, "use_backend");
            if a(1).is_empty() {
                p.alert(line, "'use_backend' expects a backend name.");
                return;
            }
            let mut cond = None;
            if !a(2).is_empty() {
                if a(2) != "if" && a(2) != "unless" {
                    p.alert(
                        line,
                        format!(
                            "unexpected keyword '{}' after switching rule, only 'if' and 'unless' are allowed.",
                            a(2)
                        ),
                    );
                    return;
                }
                let rest = args[2..].to_vec();
                match with_ctx(p, line, &c, |ctx| {
                    let co = expr::parse_condition(&rest, ctx).map_err(|e| {
                        wrap_cond_err(e, "error detected while parsing switching rule : ")
                    })?;
                    let w = expr::cond_conflict_warning(&co, "fe-use-backend", None, ctx);
                    Ok((co, w))
                }) {
                    Some((co, w)) => {
                        if let Some(w) = w {
                            p.warn(line, w);
                        }
                        cond = Some(co);
                    }
                    None => return,
                }
            }
            rule_order(p, line);
            let backend = a(1).to_string();
            let ub = UseBackend {
                span: p.span(line),
                dynamic: backend.contains("%["),
                backend,
                cond,
            };
            if let Some(px) = proxy_mut(p) {
                px.use_backends.push(ub);
            }
        }
        "default_backend" => {
            warnif_cap(p, line, &c, true, "default_backend");
            if a(1).is_empty() {
                p.alert(line, "'default_backend' expects a backend name.");
                return;
            }
            if too_many(p, line, 1) {
                return;
            }
            let n = Named {
                span: p.span(line),
                name: a(1).to_string(),
            };
            if let Some(s) = settings(p) {
                s.default_backend = Some(n);
            }
        }
        "http-request"
        | "http-response"
        | "http-after-response"
        | "tcp-request"
        | "tcp-response"
        | "redirect"
        | "stick"
        | "http-check"
        | "tcp-check"
        | "use-server"
        | "monitor"
        | "http-error"
        | "force-persist"
        | "ignore-persist" => {
            // The tcp rule parsers word this themselves (below).
            let anon_forbidden =
                matches!(kw, "http-request" | "http-response" | "http-after-response");
            if c.anonymous_defaults {
                if kw == "tcp-request"
                    && matches!(a(1), "inspect-delay" | "connection" | "content" | "session")
                {
                    p.alert(
                        line,
                        format!(
                            "tcp-request {} is not allowed in anonymous 'defaults' sections",
                            a(1)
                        ),
                    );
                    return;
                }
                if kw == "tcp-response" && a(1) == "content" {
                    p.alert(
                        line,
                        "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
                    );
                    return;
                }
            }
            if c.anonymous_defaults && anon_forbidden {
                p.alert(
                    line,
                    format!("'{kw}' not allowed in anonymous 'defaults' section."),
                );
                return;
            }
            if is_def
                && matches!(
                    kw,
                    "redirect"
                        | "stick"
                        | "use-server"
                        | "force-persist"
                        | "ignore-persist"
                        | "monitor"
                )
            {
                p.alert(line, format!("'{kw}' not allowed in 'defaults' section."));
                return;
            }
            if matches!(kw, "http-check" | "tcp-check") && !c.be() {
                warnif_cap(p, line, &c, false, kw);
                if kw == "tcp-check" {
                    // HAProxy 2.6 prints its empty message pointer here.
                    p.warn(line, "(null)");
                }
            }
            if previous_rule_final(p, kw) {
                p.warn_nospace(
                    line,
                    format!(
                        "previous '{kw}' action is final and has no condition attached, further entries are NOOP."
                    ),
                );
            }
            let args = args.clone();
            if let Some(r) = with_ctx(p, line, &c, |ctx| rules::parse_rule(&args, ctx)) {
                // HAProxy keeps the first inspect-delay (own or inherited) and
                // ignores later ones with a warning.
                if has_inspect_delay(p, &r.keyword)
                    && let Some(w) = rules::inspect_delay_ignored(&r, c.section_str(), &c.name)
                {
                    p.warn(line, w);
                    return;
                }
                rule_order(p, line);
                // A `stick` in a frontend is warned about and dropped.
                if r.keyword == "stick" && r.action == "ignored" {
                    return;
                }
                let span = p.span(line);
                match p.section {
                    Section::Defaults(i) => {
                        if let Some(d) = p.cfg.defaults.get_mut(i) {
                            d.rules.push(Located { span, value: r });
                        }
                    }
                    _ => {
                        if let Some(px) = proxy_mut(p) {
                            px.rules.push(Located { span, value: r });
                        }
                    }
                }
            }
        }
        "stick-table" => {
            if is_def {
                p.alert(
                    line,
                    "'stick-table' is not supported in 'defaults' section.",
                );
                return;
            }
            if let Some(e) = stick_table_arg_error(&args[1..]) {
                p.alert(line, format!("stick-table: {e}"));
                return;
            }
            if !args[1..].iter().any(|w| w == "size") {
                p.alert(line, "stick-table: missing size.");
                return;
            }
            if !args[1..].iter().any(|w| w == "type") {
                p.alert(line, "stick-table: missing type.");
                return;
            }
            let clash = p
                .cfg
                .proxies
                .iter()
                .find(|q| q.name == c.name && q.stick_table.is_some())
                .map(|q| (q.kind, q.stick_table.as_ref().map(|t| t.span.clone())));
            if let Some((okind, Some(osp))) = clash {
                p.alert(
                    line,
                    format!(
                        "stick-table name '{}' conflicts with table declared in {} '{}' at {}:{}.",
                        c.name,
                        okind.as_str(),
                        c.name,
                        osp.file,
                        osp.line
                    ),
                );
                return;
            }
            let st = StickTable {
                span: p.span(line),
                args: args[1..].to_vec(),
            };
            if let Some(px) = proxy_mut(p) {
                px.stick_table = Some(st);
            }
        }
        "capture" => parse_capture(p, line, &c),
        "rate-limit" => {
            if a(1) != "sessions" {
                p.alert(
                    line,
                    format!("'rate-limit' only supports 'sessions' (got '{}')", a(1)),
                );
                return;
            }
            if a(2).is_empty() {
                p.alert(
                    line,
                    "'rate-limit sessions' expects expects an integer value (in sessions/second)",
                );
                return;
            }
            if let Some(ch) = a(2).chars().find(|ch| !ch.is_ascii_digit()) {
                p.alert(
                    line,
                    format!(
                        "'rate-limit sessions' : unexpected character '{ch}' in integer value '{}'",
                        a(2)
                    ),
                );
                return;
            }
            if !c.fe() {
                p.warn(
                    line,
                    format!(
                        "rate-limit sessions will be ignored because {} '{}' has no frontend capability",
                        c.type_str(),
                        c.name
                    ),
                );
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "email-alert" => {
            match a(1) {
                "" => {
                    p.alert(line, "missing argument after 'email-alert'.");
                    return;
                }
                "from" | "to" | "mailers" | "myhostname" => {}
                "level" => {
                    const LEVELS: &[&str] = &[
                        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
                    ];
                    if !LEVELS.contains(&a(2)) {
                        // HAProxy 2.6.12 swaps the two words in this message.
                        p.alert(
                            line,
                            format!("unknown log level '{}' after '{}'", a(1), a(2)),
                        );
                        return;
                    }
                }
                other => {
                    p.alert(line, format!("email-alert: unknown argument '{other}'."));
                    return;
                }
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "persist" => {
            // HAProxy 2.6.12 does not warn about it in a frontend.
            if a(1).is_empty() {
                p.alert(line, "missing persist method.");
                return;
            }
            if !a(1).starts_with("rdp-cookie") {
                p.alert(line, "unknown persist method.");
                return;
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "errorfiles" => {
            if a(1).is_empty() {
                p.alert(line, "errorfiles : expects <name> as argument.");
                return;
            }
            // Status codes are read with atol(), so a word counts as 0.
            for code in args.iter().skip(2) {
                let st = atol(code);
                if handled_status(&st.to_string()).is_none() {
                    p.alert(
                        line,
                        format!("errorfiles : status code '{st}' not handled."),
                    );
                    return;
                }
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "errorfile" => {
            if a(1).is_empty() || a(2).is_empty() {
                p.alert(
                    line,
                    "errorfile : expects <status_code> and <file> as arguments.\n",
                );
                return;
            }
            let Some(status) = handled_status(a(1)) else {
                // HAProxy prints the number atol() read.
                p.alert(
                    line,
                    format!("errorfile : status code '{}' not handled.", atol(a(1))),
                );
                return;
            };
            if std::fs::read(a(2)).is_err() {
                p.alert(line, format!("errorfile : error opening file '{}'.", a(2)));
                return;
            }
            let ef = ErrorFile {
                keyword: kw.to_string(),
                status,
                target: a(2).to_string(),
            };
            if let Some(s) = settings(p) {
                s.errorfiles.push(ef);
            }
        }
        "errorloc" | "errorloc302" | "errorloc303" => {
            if a(1).is_empty() || a(2).is_empty() {
                p.alert(
                    line,
                    format!("{kw} : expects <status_code> and <url> as arguments.\n"),
                );
                return;
            }
            let Some(status) = handled_status(a(1)) else {
                p.alert(line, format!("{kw} : status code '{}' not handled.", a(1)));
                return;
            };
            let ef = ErrorFile {
                keyword: kw.to_string(),
                status,
                target: a(2).to_string(),
            };
            if let Some(s) = settings(p) {
                s.errorfiles.push(ef);
            }
        }
        "log-format" | "unique-id-format" => {
            if a(1).is_empty() {
                p.alert(line, format!("{kw} expects an argument."));
                return;
            }
            if args.get(2).is_some() {
                p.alert(
                    line,
                    format!("{kw} expects only one argument, don't forget to escape spaces!"),
                );
                return;
            }
            if kw == "log-format" && c.kind == Some(ProxyKind::Backend) {
                p.warn(
                    line,
                    format!(
                        "backend '{}' : 'log-format' directive is ignored in backends.",
                        c.name
                    ),
                );
            }
            let v = a(1).to_string();
            if let Some(s) = settings(p) {
                if kw == "log-format" {
                    s.log_format = Some(v);
                } else {
                    s.unique_id_format = Some(v);
                }
            }
        }
        "unique-id-header" => {
            if a(1).is_empty() {
                p.alert(line, "unique-id-header expects an argument.");
                return;
            }
            let v = a(1).to_string();
            if let Some(s) = settings(p) {
                s.unique_id_header = Some(v);
            }
        }
        "monitor-uri" => {
            warnif_cap(p, line, &c, true, "monitor-uri");
            if a(1).is_empty() {
                p.alert(line, "'monitor-uri' expects an URI.");
                return;
            }
            let v = a(1).to_string();
            if let Some(s) = settings(p) {
                s.monitor_uri = Some(v);
            }
        }
        "stats" => parse_stats(p, line, &c),
        "compression" => parse_compression(p, line),
        "http-reuse" => {
            warnif_cap(p, line, &c, false, "http-reuse");
            match a(1) {
                "never" | "safe" | "aggressive" | "always" => {
                    let v = a(1).to_string();
                    if let Some(s) = settings(p) {
                        s.http_reuse = Some(v);
                    }
                }
                _ => p.alert(
                    line,
                    "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.",
                ),
            }
        }
        "description" => {
            if c.kind.is_none() {
                p.alert_nospace(line, "'description' not allowed in 'defaults' section.");
                return;
            }
            if a(1).is_empty() {
                p.alert_nospace(line, "'description' expects a string argument.");
                return;
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "id" => {
            if c.kind.is_none() {
                p.alert_nospace(line, "'id' not allowed in 'defaults' section.");
                return;
            }
            if a(1).is_empty() {
                p.alert_nospace(line, "'id' expects an integer argument.");
                return;
            }
            if atol(a(1)) <= 0 {
                p.alert_nospace(line, "custom id has to be > 0.");
                return;
            }
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        "filter" => {
            if a(1) == "compression" {
                let d = directive(p, line);
                if let Some(s) = settings(p) {
                    s.other.push(d);
                }
            } else {
                p.alert(
                    line,
                    format!(
                        "'filter {}' is not supported by tandem yet (only the compression filter is).",
                        a(1)
                    ),
                );
            }
        }
        "disabled" | "enabled" => {
            if too_many(p, line, 0) {
                return;
            }
            let dis = kw == "disabled";
            if let Some(px) = proxy_mut(p) {
                px.disabled = dis;
            }
        }
        _ => other_keyword(p, line, &c),
    }
}

/// A keyword HAProxy 2.6 removed: its error, or with `--legacy` a warning
/// naming the modern replacement (the line is otherwise ignored).
fn removed(p: &mut Parser, line: &Line, msg: &str, modern: &str) {
    if p.opts.legacy {
        p.warn(
            line,
            format!(
                "'{}' was removed from HAProxy; accepted by --legacy and ignored, use '{modern}' instead.",
                line.args.join(" ")
            ),
        );
    } else {
        p.alert(line, msg);
    }
}

/// Marks table entries that HAProxy 2.6 never proposes in "did you mean"
/// (keywords it parses inline without listing them).
pub(crate) const NO_SUGGEST: &str = "(HAProxy never suggests it)";

/// The modern replacement named in a removal message (`Use 'X'`), or advice
/// to remove the line when HAProxy names none.
fn replacement(note: &str) -> String {
    match note.split_once("Use '") {
        Some((_, rest)) => rest.split('\'').next().unwrap_or("").to_string(),
        None => "nothing (remove the line)".to_string(),
    }
}

/// Keywords without a dedicated parser: accepted from the grammar table, or
/// unknown with HAProxy's suggestion.
fn other_keyword(p: &mut Parser, line: &Line, c: &Cur) {
    let kw = line.args[0].as_str();
    match grammar().get("haproxy-proxy", kw) {
        Some(k) if k.status == Status::Unsupported => {
            p.alert(
                line,
                format!(
                    "'{kw}' in '{}' section is not supported by tandem yet ({}).",
                    c.section_str(),
                    k.note
                ),
            );
        }
        Some(k) if k.status == Status::Removed => {
            let note = k.note.trim_end_matches(NO_SUGGEST).trim_end();
            let modern = replacement(note);
            if kw == "grace" && !p.opts.legacy {
                p.alert_nospace(line, note);
            } else {
                removed(p, line, note, &modern);
            }
        }
        Some(_) => {
            let d = directive(p, line);
            if let Some(s) = settings(p) {
                s.other.push(d);
            }
        }
        None => unknown(p, line, c),
    }
}

fn unknown(p: &mut Parser, line: &Line, c: &Cur) {
    let kw = line.args[0].as_str();
    let best = best_match(
        kw,
        grammar()
            .table("haproxy-proxy")
            .filter(|k| !k.keyword.contains(' ') && !k.note.contains(NO_SUGGEST))
            .map(|k| k.keyword),
    );
    let sect = c.section_str();
    match best {
        Some(b) => p.alert(
            line,
            format!("unknown keyword '{kw}' in '{sect}' section; did you mean '{b}' maybe ?"),
        ),
        None => p.alert(line, format!("unknown keyword '{kw}' in '{sect}' section")),
    }
}

pub(super) fn handled_status(s: &str) -> Option<u16> {
    const CODES: &[u16] = &[
        200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503,
        504,
    ];
    let v = atol(s);
    CODES.iter().copied().find(|c| i64::from(*c) == v)
}

/// Options of `cfg_opts`/`cfg_opts2`: (name, needs frontend, needs backend).
/// Order matters: it is HAProxy's, used for "did you mean" ties.
const SIMPLE_OPTIONS: &[(&str, bool, bool)] = &[
    ("abortonclose", false, true),
    ("allbackups", false, true),
    ("checkcache", false, true),
    ("clitcpka", true, false),
    ("contstats", true, false),
    ("dontlognull", true, false),
    ("http-buffer-request", true, true),
    ("http-ignore-probes", true, false),
    ("idle-close-on-response", true, false),
    ("prefer-last-server", false, true),
    ("logasap", true, false),
    ("nolinger", true, true),
    ("persist", false, true),
    ("srvtcpka", false, true),
    ("transparent", false, true),
    ("splice-request", true, true),
    ("splice-response", true, true),
    ("splice-auto", true, true),
    ("accept-invalid-http-request", true, false),
    ("accept-invalid-http-response", false, true),
    ("dontlog-normal", true, false),
    ("log-separate-errors", true, false),
    ("log-health-checks", false, true),
    ("socket-stats", true, false),
    ("tcp-smart-accept", true, false),
    ("tcp-smart-connect", false, true),
    ("independent-streams", true, true),
    ("http-use-proxy-header", true, false),
    ("http-pretend-keepalive", false, true),
    ("http-no-delay", true, true),
    ("h1-case-adjust-bogus-client", true, false),
    ("h1-case-adjust-bogus-server", false, true),
    ("disable-h2-upgrade", true, false),
];

/// `common_options` of cfgparse-listen.c (HAProxy 2.6.12).
const COMMON_OPTIONS: &[&str] = &[
    "httpclose",
    "http-server-close",
    "http-keep-alive",
    "redispatch",
    "httplog",
    "tcplog",
    "tcpka",
    "httpchk",
    "ssl-hello-chk",
    "smtpchk",
    "pgsql-check",
    "redis-check",
    "mysql-check",
    "ldap-check",
    "spop-check",
    "tcp-check",
    "external-check",
    "forwardfor",
    "original-to",
];

fn parse_option(p: &mut Parser, line: &Line, c: &Cur, idx: usize, std: bool) {
    let args = &line.args;
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let name = a(idx);
    if name.is_empty() {
        p.alert_nospace(line, "'option' expects an option name.");
        return;
    }
    let extra_after = |n: usize| args.get(idx + n).cloned();
    let push = |p: &mut Parser, enabled: bool, opt_args: Vec<String>| {
        let span = p.span(line);
        if let Some(s) = settings(p) {
            s.options.push(ProxyOption {
                span,
                name: name.to_string(),
                enabled,
                args: opt_args,
            });
        }
    };
    if let Some(&(_, fe, be)) = SIMPLE_OPTIONS.iter().find(|o| o.0 == name) {
        if let Some(x) = extra_after(1) {
            p.alert(
                line,
                format!("'option {name}' cannot handle unexpected argument '{x}'."),
            );
            return;
        }
        if fe && !c.fe() && !be || be && !c.be() && !fe {
            warnif_cap(p, line, c, fe, name);
            return;
        }
        push(p, std, Vec::new());
        return;
    }
    // Negatable options handled outside the tables.
    if matches!(name, "httpclose" | "http-server-close" | "http-keep-alive") {
        if let Some(x) = extra_after(1) {
            p.alert(
                line,
                format!("'option {name}' cannot handle unexpected argument '{x}'."),
            );
            return;
        }
        push(p, std, Vec::new());
        return;
    }
    if name == "redispatch" {
        if warnif_cap(p, line, c, false, name) {
            return;
        }
        let rest: Vec<String> = args[idx + 1..].to_vec();
        push(p, std, rest);
        return;
    }
    if name == "http-tunnel" {
        if p.opts.legacy {
            p.warn(
                line,
                "'option http-tunnel' was removed from HAProxy (2.1); accepted by --legacy and ignored: remove it, HTTP tunnels need no option.",
            );
        } else {
            p.alert_nospace(
                line,
                "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
            );
        }
        return;
    }
    // The misspelling HAProxy accepted until 2.x; 2.6 only suggests the fix.
    if name == "independant-streams" && p.opts.legacy {
        p.warn(
            line,
            "'option independant-streams' was removed from HAProxy; accepted by --legacy as 'option independent-streams', use that instead.",
        );
        let span = p.span(line);
        if let Some(s) = settings(p) {
            s.options.push(ProxyOption {
                span,
                name: "independent-streams".to_string(),
                enabled: std,
                args: Vec::new(),
            });
        }
        return;
    }
    if !std {
        p.alert_nospace(
            line,
            format!("negation/default is not supported for option '{name}'."),
        );
        return;
    }
    let rest: Vec<String> = args[idx + 1..].to_vec();
    match name {
        "httplog" => {
            if !rest.is_empty() && rest[0] != "clf" {
                p.alert(line, "keyword 'httplog' only supports option 'clf'.");
                return;
            }
            if let Some(x) = rest.get(1) {
                p.alert(
                    line,
                    format!("'option httplog' cannot handle unexpected argument '{x}'."),
                );
                return;
            }
            warn_log_override(p, line, c, "httplog", &rest);
            warn_ignored_in_backend(p, line, c, "option httplog");
            push(p, true, rest);
        }
        "tcplog" => {
            warn_log_override(p, line, c, "tcplog", &rest);
            if let Some(x) = rest.first() {
                p.alert(
                    line,
                    format!("'option tcplog' cannot handle unexpected argument '{x}'."),
                );
                return;
            }
            warn_ignored_in_backend(p, line, c, "option tcplog");
            push(p, true, rest);
        }
        "tcpka" => {
            if let Some(x) = rest.first() {
                p.alert(
                    line,
                    format!("'option tcpka' cannot handle unexpected argument '{x}'."),
                );
                return;
            }
            push(p, true, rest);
        }
        "httpchk" => {
            if warnif_cap(p, line, c, false, name) {
                return;
            }
            if let Some(x) = rest.get(3) {
                p.alert(
                    line,
                    format!("'option httpchk' cannot handle unexpected argument '{x}'."),
                );
                return;
            }
            push(p, true, rest);
        }
        "ssl-hello-chk" | "smtpchk" | "redis-check" | "ldap-check" | "spop-check" | "tcp-check"
        | "external-check" => {
            if warnif_cap(p, line, c, false, name) {
                return;
            }
            // smtpchk takes `HELO|EHLO <domain>`.
            let max = if name == "smtpchk" { 2 } else { 0 };
            if let Some(x) = rest.get(max) {
                p.alert(
                    line,
                    format!("'option {name}' cannot handle unexpected argument '{x}'."),
                );
                return;
            }
            push(p, true, rest);
        }
        "mysql-check" => {
            if warnif_cap(p, line, c, false, name) {
                return;
            }
            match rest.first().map(String::as_str) {
                None => {}
                Some("user") if rest.get(1).is_none() => {
                    p.alert(
                        line,
                        "'option mysql-check user' expects <username> as argument.",
                    );
                    return;
                }
                Some("user") => {}
                Some(other) => {
                    p.alert(
                        line,
                        format!(
                            "'option mysql-check' only supports optional values: 'user' (got '{other}')."
                        ),
                    );
                    return;
                }
            }
            push(p, true, rest);
        }
        "pgsql-check" => {
            warnif_cap(p, line, c, false, name);
            if rest.len() >= 2 && rest[0] != "user" {
                p.alert(
                    line,
                    "'option pgsql-check' only supports optional values: 'user'.",
                );
                return;
            }
            if rest.first().map(String::as_str) != Some("user") || rest.get(1).is_none() {
                p.alert(
                    line,
                    "'option pgsql-check' expects 'user <username>' as argument.",
                );
                return;
            }
            push(p, true, rest);
        }
        "forwardfor" | "originalto" => {
            let mut i = 0;
            while let Some(w) = rest.get(i) {
                match w.as_str() {
                    "except" => {
                        if rest.get(i + 1).is_none() {
                            p.alert(
                                line,
                                format!(
                                    "'option {name} except' expects <address>[/mask] as argument."
                                ),
                            );
                            return;
                        }
                        i += 2;
                    }
                    "header" => {
                        if rest.get(i + 1).is_none() {
                            p.alert(
                                line,
                                format!("'option {name} header' requires a header name."),
                            );
                            return;
                        }
                        i += 2;
                    }
                    "if-none" if name == "forwardfor" => i += 1,
                    _ => {
                        let msg = if name == "forwardfor" {
                            "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'."
                        } else {
                            "'option originalto' only supports optional values: 'except' and 'header'."
                        };
                        p.alert(line, msg);
                        return;
                    }
                }
            }
            push(p, true, rest);
        }
        "http-restrict-req-hdr-names" => {
            if !matches!(
                rest.first().map(String::as_str),
                Some("preserve" | "delete" | "reject")
            ) {
                p.alert(
                    line,
                    "'option http-restrict-req-hdr-names' expects 'preserve', 'delete' or 'reject' as argument.",
                );
                return;
            }
            push(p, true, rest);
        }
        _ => {
            let cands = SIMPLE_OPTIONS
                .iter()
                .map(|o| o.0)
                .chain(COMMON_OPTIONS.iter().copied());
            match best_match(name, cands) {
                Some(b) => p.alert(
                    line,
                    format!("unknown option '{name}'; did you mean '{b}' maybe ?"),
                ),
                None => p.alert(line, format!("unknown option '{name}'.")),
            }
        }
    }
}

/// `backend 'b' : 'option httplog' directive is ignored in backends.`
fn warn_ignored_in_backend(p: &mut Parser, line: &Line, c: &Cur, what: &str) {
    if c.kind == Some(ProxyKind::Backend) {
        p.warn(
            line,
            format!(
                "backend '{}' : '{what}' directive is ignored in backends.",
                c.name
            ),
        );
    }
}

/// `'option tcplog' overrides previous 'option httplog clf' in 'defaults' section.`
fn warn_log_override(p: &mut Parser, line: &Line, c: &Cur, name: &str, rest: &[String]) {
    let prev = settings(p).and_then(|s| {
        s.options
            .iter()
            .rev()
            .find(|o| o.enabled && (o.name == "httplog" || o.name == "tcplog"))
            .cloned()
    });
    let Some(prev) = prev else {
        return;
    };
    // Only options set in this very section count, not inherited ones.
    let inherited = p
        .proxy_state
        .base
        .as_ref()
        .map(|b| b.options.len())
        .unwrap_or(0);
    let own = settings(p)
        .map(|s| {
            s.options
                .iter()
                .skip(inherited)
                .any(|o| o.enabled && (o.name == "httplog" || o.name == "tcplog"))
        })
        .unwrap_or(false);
    if !own {
        return;
    }
    // HAProxy 2.6.12 warns in defaults sections only, even when the same
    // format is set again.
    if c.kind.is_some() {
        return;
    }
    let mut prev_s = format!("option {}", prev.name);
    for a in &prev.args {
        prev_s.push(' ');
        prev_s.push_str(a);
    }
    // Only `httplog clf` names a variant; other words are errors after it.
    let new_s = if name == "httplog" && rest.first().is_some_and(|a| a == "clf") {
        "option httplog clf".to_string()
    } else {
        format!("option {name}")
    };
    let where_ = match c.kind {
        None => "'defaults' section".to_string(),
        Some(k) => format!("{} '{}'", k.as_str(), c.name),
    };
    p.warn_nospace(
        line,
        format!("'{new_s}' overrides previous '{prev_s}' in {where_}."),
    );
}

fn parse_timeout(p: &mut Parser, line: &Line, c: &Cur) {
    let args = &line.args;
    let kw = args[0].as_str();
    if kw != "timeout" {
        let modern = match kw {
            "clitimeout" => "timeout client",
            "srvtimeout" => "timeout server",
            _ => "timeout connect",
        };
        let msg = format!(
            "the '{kw}' directive is not supported anymore since HAProxy 2.1. Use '{modern}'."
        );
        removed(p, line, &msg, modern);
        return;
    }
    let name = args.get(1).map(String::as_str).unwrap_or("");
    let (fe_cap, be_cap) = match name {
        "client" | "client-fin" => (true, false),
        "tarpit" | "http-keep-alive" | "http-request" => (true, true),
        "server" | "connect" | "check" | "queue" | "tunnel" | "server-fin" => (false, true),
        _ => {
            p.alert(
                line,
                format!(
                    "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '{name}')"
                ),
            );
            return;
        }
    };
    let Some(value) = args.get(2) else {
        p.alert(
            line,
            format!("'timeout {name}' expects an integer value (in milliseconds)"),
        );
        return;
    };
    let ms = match parse_time(value, 1) {
        Ok(v) => v,
        Err(TimeErr::Over) => {
            p.alert(
                line,
                format!(
                    "timer overflow in argument '{value}' to 'timeout {name}' (maximum value is 2147483647 ms or ~24.8 days)"
                ),
            );
            return;
        }
        Err(TimeErr::BadChar(ch)) => {
            p.alert(
                line,
                format!("unexpected character '{ch}' in 'timeout {name}'"),
            );
            return;
        }
        Err(TimeErr::Empty) => {
            p.alert(
                line,
                format!("'timeout {name}' expects an integer value (in milliseconds)"),
            );
            return;
        }
    };
    let cap_ok = (fe_cap && c.fe()) || (be_cap && c.be());
    let base_val = p
        .proxy_state
        .base
        .as_ref()
        .map(|b| timeout_slot_get(&b.timeouts, name));
    let cur_val = settings(p).map(|s| timeout_slot_get(&s.timeouts, name));
    let mut warned = false;
    if !cap_ok {
        p.warn(
            line,
            format!(
                "'timeout {name}' will be ignored because {} '{}' has no {} capability",
                c.type_str(),
                c.name,
                if be_cap { "backend" } else { "frontend" }
            ),
        );
        warned = true;
    } else if c.kind.is_some()
        && let Some(cv) = cur_val
        // Without a defaults section HAProxy compares with its built-in
        // defaults proxy, where every timeout is unset; a defaults section
        // is compared with nothing.
        && base_val.flatten() != cv
    {
        p.warn(
            line,
            format!("overwriting 'timeout {name}' which was already specified"),
        );
        warned = true;
    }
    let _ = warned;
    if let Some(x) = args.get(3) {
        p.alert(
            line,
            format!("'timeout {name}' : unexpected extra argument '{x}' after value '{value}'."),
        );
    }
    // A zero timeout means "unset" to HAProxy.
    let v = if ms == 0 { None } else { Some(ms) };
    if let Some(s) = settings(p) {
        timeout_slot_set(&mut s.timeouts, name, v);
    }
}

fn timeout_slot_get(t: &crate::ir::haproxy::Timeouts, name: &str) -> Option<u64> {
    match name {
        "client" => t.client,
        "server" => t.server,
        "connect" => t.connect,
        "check" => t.check,
        "queue" => t.queue,
        "http-request" => t.http_request,
        "http-keep-alive" => t.http_keep_alive,
        "tunnel" => t.tunnel,
        "tarpit" => t.tarpit,
        "client-fin" => t.client_fin,
        _ => t.server_fin,
    }
}

fn timeout_slot_set(t: &mut crate::ir::haproxy::Timeouts, name: &str, v: Option<u64>) {
    let slot = match name {
        "client" => &mut t.client,
        "server" => &mut t.server,
        "connect" => &mut t.connect,
        "check" => &mut t.check,
        "queue" => &mut t.queue,
        "http-request" => &mut t.http_request,
        "http-keep-alive" => &mut t.http_keep_alive,
        "tunnel" => &mut t.tunnel,
        "tarpit" => &mut t.tarpit,
        "client-fin" => &mut t.client_fin,
        _ => &mut t.server_fin,
    };
    *slot = v;
}

const BALANCE_ERR: &str = "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";

fn parse_balance(args: &[String]) -> Result<Balance, String> {
    let algo = args.first().map(String::as_str).unwrap_or("");
    let rest: Vec<String> = args.iter().skip(1).cloned().collect();
    Ok(match algo {
        "roundrobin" | "" => Balance::RoundRobin,
        "static-rr" => Balance::StaticRr,
        "leastconn" => Balance::LeastConn,
        "first" => Balance::First,
        "source" => Balance::Source,
        "uri" => Balance::Uri { args: rest },
        "url_param" => {
            let Some(param) = rest.first() else {
                return Err("balance url_param requires an URL parameter name.".into());
            };
            Balance::UrlParam {
                param: param.clone(),
                args: rest[1..].to_vec(),
            }
        }
        "random" => {
            let draws = match algo.strip_prefix("random(") {
                Some(_) => None,
                None => None,
            };
            Balance::Random { draws }
        }
        a if a.starts_with("random(") && a.ends_with(')') => {
            let n = &a[7..a.len() - 1];
            Balance::Random {
                draws: n.parse().ok(),
            }
        }
        a if a.starts_with("hdr(") && a.ends_with(')') => {
            let name = a[4..a.len() - 1].to_string();
            if name.is_empty() {
                return Err("balance hdr requires an http header field name.".into());
            }
            let use_domain_only = rest.first().is_some_and(|w| w == "use_domain_only");
            Balance::Hdr {
                name,
                use_domain_only,
            }
        }
        a if a.starts_with("rdp-cookie") => {
            let name = a
                .strip_prefix("rdp-cookie(")
                .and_then(|n| n.strip_suffix(')'))
                .map(str::to_string);
            Balance::RdpCookie { name }
        }
        "hash" => {
            let Some(e) = rest.first() else {
                return Err("'balance hash' requires a sample expression.".into());
            };
            Balance::Hash { expr: e.clone() }
        }
        _ => return Err(BALANCE_ERR.into()),
    })
}

fn parse_cookie(p: &mut Parser, line: &Line, c: &Cur) {
    let args = &line.args;
    warnif_cap(p, line, c, false, "cookie");
    let Some(name) = args.get(1) else {
        p.alert(line, "'cookie' expects <cookie_name> as argument.");
        return;
    };
    const OPTS: &[&str] = &[
        "rewrite", "insert", "prefix", "indirect", "nocache", "postonly", "preserve", "httponly",
        "secure", "domain", "maxidle", "maxlife", "dynamic", "attr",
    ];
    let mut i = 2;
    while let Some(w) = args.get(i) {
        if !OPTS.contains(&w.as_str()) {
            p.alert(
                line,
                "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.",
            );
            return;
        }
        if matches!(w.as_str(), "domain" | "maxidle" | "maxlife" | "attr") {
            let Some(v) = args.get(i + 1) else {
                let what = match w.as_str() {
                    "domain" => "'domain' expects <domain> as argument.",
                    "maxidle" => "'maxidle' expects <idletime> in seconds as argument.",
                    "maxlife" => "'maxlife' expects <lifetime> in seconds as argument.",
                    _ => "'attr' expects <value> as argument.",
                };
                p.alert_nospace(line, what);
                return;
            };
            if (w == "maxidle" || w == "maxlife")
                && let Err(e) = parse_time(v, 1000)
            {
                p.alert_nospace(line, time_err_msg(e, v, w).trim_end());
                return;
            }
            i += 1;
        }
        i += 1;
    }
    let has = |k: &str| args[2..].iter().any(|w| w == k);
    let modes = ["rewrite", "insert", "prefix"]
        .iter()
        .filter(|m| has(m))
        .count();
    if modes > 1 {
        p.alert(
            line,
            "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.",
        );
        return;
    }
    if has("rewrite") && has("indirect") {
        p.alert(
            line,
            "cookie 'rewrite' and 'indirect' modes are incompatible.",
        );
        return;
    }
    let ck = Cookie {
        name: name.clone(),
        options: args[2..].to_vec(),
    };
    if let Some(s) = settings(p) {
        s.cookie = Some(ck);
    }
}

fn parse_capture(p: &mut Parser, line: &Line, c: &Cur) {
    let args = &line.args;
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    if c.kind.is_none() {
        let what = match a(1) {
            "cookie" => "capture cookie".to_string(),
            "request" | "response" => format!("capture {}", a(1)),
            _ => "capture".to_string(),
        };
        p.alert(line, format!("'{what}' not allowed in 'defaults' section."));
        return;
    }
    if warnif_cap(p, line, c, true, "capture") {
        return;
    }
    match a(1) {
        "cookie" => {
            if a(2).is_empty() || a(3) != "len" || a(4).is_empty() {
                p.alert(
                    line,
                    "'capture' expects 'cookie' <cookie_name> 'len' <len>.",
                );
                return;
            }
            let cap = Capture {
                direction: "cookie".into(),
                header: a(2).into(),
                len: atol(a(4)).max(0) as u32,
            };
            if let Some(px) = proxy_mut(p) {
                px.captures.push(cap);
            }
        }
        "request" | "response" => {
            let dir = a(1);
            if a(2) != "header" || a(3).is_empty() || a(4) != "len" || a(5).is_empty() {
                p.alert(
                    line,
                    format!("'capture {dir}' expects 'header' <header_name> 'len' <len>."),
                );
                return;
            }
            let cap = Capture {
                direction: dir.into(),
                header: a(3).into(),
                len: atol(a(5)).max(0) as u32,
            };
            if let Some(px) = proxy_mut(p) {
                px.captures.push(cap);
            }
        }
        _ => p.alert(
            line,
            "'capture' expects 'cookie' or 'request header' or 'response header'.",
        ),
    }
}

const STATS_KWS: &str = "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.";

fn parse_stats(p: &mut Parser, line: &Line, c: &Cur) {
    let args = &line.args;
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match a(1) {
        "" => {
            p.alert_nospace(line, format!("missing keyword in 'stats', {STATS_KWS}"));
        }
        "admin" => {
            if c.kind.is_none() {
                p.alert_nospace(line, "'stats admin' not allowed in 'defaults' section.");
                return;
            }
            if a(2) != "if" && a(2) != "unless" {
                p.alert(
                    line,
                    "'stats admin' requires either 'if' or 'unless' followed by a condition.",
                );
                return;
            }
            let rest = args[2..].to_vec();
            if let Some(cond) = with_ctx(p, line, c, |ctx| {
                expr::parse_condition(&rest, ctx).map_err(|e| {
                    wrap_cond_err(e, "error detected while parsing a 'stats admin' rule : ")
                })
            }) && let Some(s) = settings(p)
            {
                s.stats.admin.push(cond);
            }
        }
        "http-request" => {
            if c.kind.is_none() {
                p.alert_nospace(line, "'stats' not allowed in 'defaults' section.");
                return;
            }
            let rest: Vec<String> = args[1..].to_vec();
            if let Some(r) = with_ctx(p, line, c, |ctx| rules::parse_rule(&rest, ctx))
                && let Some(s) = settings(p)
            {
                s.stats.http_request.push(r);
            }
        }
        "uri" => {
            if a(2).is_empty() {
                p.alert(line, "'uri' needs an URI prefix.");
                return;
            }
            let v = a(2).to_string();
            if let Some(s) = settings(p) {
                s.stats.enabled = true;
                s.stats.uri = Some(v);
            }
        }
        "realm" => {
            if a(2).is_empty() {
                p.alert(line, "'realm' needs an realm name.");
                return;
            }
            let v = a(2).to_string();
            if let Some(s) = settings(p) {
                s.stats.enabled = true;
                s.stats.realm = Some(v);
            }
        }
        "auth" => {
            if a(2).is_empty() {
                p.alert(line, "'auth' needs a user:password account.");
                return;
            }
            let v = a(2).to_string();
            let user = v.split(':').next().unwrap_or("");
            let dup = settings(p).is_some_and(|s| {
                s.stats
                    .auth
                    .iter()
                    .any(|x| x.split(':').next().unwrap_or("") == user)
            });
            if dup {
                let text = format!("config : uri auth: ignoring duplicated user '{user}'.");
                p.push(Level::Warning, None, text);
                return;
            }
            if let Some(s) = settings(p) {
                s.stats.enabled = true;
                s.stats.auth.push(v);
            }
        }
        "scope" => {
            if a(2).is_empty() {
                p.alert(line, "'scope' needs a proxy name.");
                return;
            }
            let v = a(2).to_string();
            if let Some(s) = settings(p) {
                s.stats.enabled = true;
                s.stats.scope.push(v);
            }
        }
        "refresh" => {
            let v = a(2);
            match parse_time(v, 1000) {
                Ok(ms) => {
                    if let Some(s) = settings(p) {
                        s.stats.enabled = true;
                        s.stats.refresh_ms = Some(ms);
                    }
                }
                Err(TimeErr::BadChar(ch)) => p.alert_nospace(
                    line,
                    format!("unexpected character '{ch}' in argument to stats refresh interval."),
                ),
                Err(TimeErr::Empty) => p.alert_nospace(line, "unexpected character '"),
                Err(e) => p.alert(line, time_err_msg(e, v, "stats refresh")),
            }
        }
        "enable" | "hide-version" | "show-legends" | "show-node" | "show-desc" => {
            let which = a(1).to_string();
            let val = args.get(2).cloned();
            if let Some(s) = settings(p) {
                s.stats.enabled = true;
                match which.as_str() {
                    "hide-version" => s.stats.hide_version = true,
                    "show-legends" => s.stats.show_legends = true,
                    "show-node" => s.stats.show_node = Some(val),
                    "show-desc" => s.stats.show_desc = Some(val),
                    _ => {}
                }
            }
        }
        other => {
            p.alert_nospace(
                line,
                format!("unknown stats parameter '{other}', {STATS_KWS}"),
            );
        }
    }
}

fn parse_compression(p: &mut Parser, line: &Line) {
    let args = &line.args;
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match a(1) {
        "algo" => {
            if a(2).is_empty() {
                p.alert(
                    line,
                    format!(
                        "parsing [{}:{}] : 'compression' expects <algorithm>.",
                        line.file, line.line
                    ),
                );
                return;
            }
            for alg in &args[2..] {
                if !matches!(
                    alg.as_str(),
                    "identity" | "gzip" | "deflate" | "raw-deflate"
                ) {
                    p.alert(
                        line,
                        format!("'compression' : '{alg}' is not a supported algorithm."),
                    );
                    return;
                }
            }
            let v = args[2..].to_vec();
            if let Some(s) = settings(p) {
                // HAProxy 2.6 adds to the list (inherited entries included)
                s.compression.algo.extend(v);
            }
        }
        "type" => {
            if a(2).is_empty() {
                p.alert(line, "'compression' expects <type>.");
                return;
            }
            let v = args[2..].to_vec();
            if let Some(s) = settings(p) {
                s.compression.types.extend(v);
            }
        }
        "offload" => {
            if let Some(s) = settings(p) {
                s.compression.offload = true;
            }
        }
        _ => p.alert(line, "'compression' expects 'algo', 'type' or 'offload'"),
    }
}
