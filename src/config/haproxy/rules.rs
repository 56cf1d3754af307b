//! Rule keywords of proxies: `http-request`, `http-response`,
//! `http-after-response`, `tcp-request`, `tcp-response`, `redirect`,
//! `use-server`, `stick ...`, `http-check`, `tcp-check`, `monitor fail`,
//! `capture`, `http-error`, `force-persist`, `ignore-persist`.
//! Same contract as `expr`: errors are the text after `parsing [FILE:LINE] : `
//! unless marked [`RAW`](super::expr::RAW) / [`ABORT`](super::expr::ABORT);
//! pass them through [`super::expr::render`].

pub mod logfmt;

use super::expr::sample::{parse_sample, tables};
use super::expr::{ABORT, Ctx, cond_conflict_warning, parse_condition, raw};
use super::values::{TimeError, TimeUnit, best_match, parse_time};
use crate::ir::haproxy::expr::{Action, Condition, HttpReply, Redirect, Rule, Sample};

/// The action lists HAProxy 2.6.12 prints for an unknown action, in its
/// order (measured with `haproxy -c`). `(*)` marks prefix keywords
/// (`set-var(name)`).
pub const HTTP_REQUEST_ACTIONS: &[&str] = &[
    "wait-for-handshake",
    "ot-group",
    "set-log-level",
    "set-nice",
    "use-service",
    "sc-inc-gpc(*)",
    "sc-inc-gpc0(*)",
    "sc-inc-gpc1(*)",
    "sc-set-gpt(*)",
    "sc-set-gpt0(*)",
    "send-spoe-group",
    "do-resolve(*)",
    "cache-use",
    "add-acl(*)",
    "add-header",
    "allow",
    "auth",
    "capture",
    "del-acl(*)",
    "del-header",
    "del-map(*)",
    "deny",
    "disable-l7-retry",
    "early-hint",
    "normalize-uri",
    "redirect",
    "reject",
    "replace-header",
    "replace-path",
    "replace-pathq",
    "replace-uri",
    "replace-value",
    "return",
    "set-header",
    "set-map(*)",
    "set-method",
    "set-path",
    "set-pathq",
    "set-query",
    "set-uri",
    "strict-mode",
    "tarpit",
    "track-sc(*)",
    "set-timeout",
    "wait-for-body",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
    "set-dst",
    "set-dst-port",
    "set-mark",
    "set-src",
    "set-src-port",
    "set-tos",
    "silent-drop",
    "set-priority-class",
    "set-priority-offset",
];

pub const HTTP_RESPONSE_ACTIONS: &[&str] = &[
    "ot-group",
    "set-log-level",
    "set-nice",
    "sc-inc-gpc(*)",
    "sc-inc-gpc0(*)",
    "sc-inc-gpc1(*)",
    "sc-set-gpt(*)",
    "sc-set-gpt0(*)",
    "send-spoe-group",
    "cache-store",
    "add-acl(*)",
    "add-header",
    "allow",
    "capture",
    "del-acl(*)",
    "del-header",
    "del-map(*)",
    "deny",
    "redirect",
    "replace-header",
    "replace-value",
    "return",
    "set-header",
    "set-map(*)",
    "set-status",
    "strict-mode",
    "track-sc(*)",
    "wait-for-body",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
    "set-mark",
    "set-tos",
    "silent-drop",
];

pub const HTTP_AFTER_RESPONSE_ACTIONS: &[&str] = &[
    "ot-group",
    "add-header",
    "allow",
    "capture",
    "del-header",
    "replace-header",
    "replace-value",
    "set-header",
    "set-status",
    "strict-mode",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
];

/// `tcp-request connection` and `tcp-request session`.
pub const TCP_REQ_CONN_ACTIONS: &[&str] = &[
    "accept",
    "reject",
    "capture",
    "expect-proxy",
    "expect-netscaler-cip",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "sc-inc-gpc(*)",
    "sc-inc-gpc0(*)",
    "sc-inc-gpc1(*)",
    "sc-set-gpt(*)",
    "sc-set-gpt0(*)",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
    "set-dst",
    "set-dst-port",
    "set-mark",
    "set-src",
    "set-src-port",
    "set-tos",
    "silent-drop",
];

pub const TCP_REQ_CONTENT_ACTIONS: &[&str] = &[
    "accept",
    "reject",
    "capture",
    "expect-proxy",
    "expect-netscaler-cip",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "ot-group",
    "set-log-level",
    "set-nice",
    "switch-mode",
    "use-service",
    "sc-inc-gpc(*)",
    "sc-inc-gpc0(*)",
    "sc-inc-gpc1(*)",
    "sc-set-gpt(*)",
    "sc-set-gpt0(*)",
    "send-spoe-group",
    "do-resolve(*)",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
    "set-src",
    "set-src-port",
    "set-dst",
    "set-dst-port",
    "set-mark",
    "set-tos",
    "silent-drop",
    "set-priority-class",
    "set-priority-offset",
];

pub const TCP_RES_CONTENT_ACTIONS: &[&str] = &[
    "accept",
    "close",
    "reject",
    "ot-group",
    "set-log-level",
    "set-nice",
    "sc-inc-gpc(*)",
    "sc-inc-gpc0(*)",
    "sc-inc-gpc1(*)",
    "sc-set-gpt(*)",
    "sc-set-gpt0(*)",
    "send-spoe-group",
    "set-var-fmt(*)",
    "set-var(*)",
    "unset-var(*)",
    "set-mark",
    "set-tos",
    "silent-drop",
];

thread_local! {
    static EXPERIMENTAL: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Whether the global `expose-experimental-directives` is in effect (it
/// gates `http-request normalize-uri`). The section parser sets it false at
/// the start of a load and true when it sees the directive; left alone it is
/// true, so a valid config is never refused. Per thread, like the parse.
pub fn set_experimental_allowed(allowed: bool) {
    EXPERIMENTAL.with(|e| e.set(allowed));
}

/// How HAProxy lists them: `'a', 'b', ...`; the tcp lists fold the three
/// track-sc actions into `'track-sc0' ... 'track-sc2'`.
fn quoted_list(list: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    for a in list {
        match *a {
            "track-sc0" => out.push("'track-sc0' ... 'track-sc2'".into()),
            "track-sc1" | "track-sc2" => {}
            a => out.push(format!("'{a}'")),
        }
    }
    out.join(", ")
}

/// Find `word` among `list`: exact names and `name(...)` prefixes.
fn known(word: &str, list: &[&str]) -> bool {
    list.iter().any(|a| match a.strip_suffix("(*)") {
        Some(p) => {
            word.starts_with(p)
                && (word.len() == p.len()
                    || word[p.len()..].starts_with('(')
                    || (p.starts_with("track-sc") || p.starts_with("sc-"))
                    // Matched by prefix too; their parser then refuses the
                    // word (HAProxy 2.6, e.g. `set-varx`).
                    || matches!(p, "set-var" | "set-var-fmt" | "unset-var"))
        }
        None => *a == word,
    })
}

/// The proxy type word HAProxy prints (its `proxy_type_str()`: "frontend",
/// "backend", "defaults", and "proxy" for a `listen` section).
fn ptype<'a>(ctx: &Ctx<'a>) -> &'a str {
    match ctx.section {
        "listen" => "proxy",
        s => s,
    }
}

/// Parse one rule line; `args[0]` is the keyword (e.g. "http-request").
pub fn parse_rule(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let kw = args.first().map(String::as_str).unwrap_or("");
    // HAProxy's warnifnotcap(): these backend keywords are ignored in a
    // frontend with a warning; `stick` then stops, the others are still parsed.
    if ctx.section == "frontend"
        && matches!(
            kw,
            "use-server" | "stick" | "force-persist" | "ignore-persist"
        )
    {
        ctx.warnings.push(format!(
            "'{kw}' ignored because frontend '{}' has no backend capability.",
            ctx.proxy
        ));
        if kw == "stick" {
            return Ok(Rule {
                keyword: kw.into(),
                action: "ignored".into(),
                action_args: Action::None,
                ..Rule::default()
            });
        }
    }
    match kw {
        "http-request" | "http-response" | "http-after-response" => parse_http(args, ctx),
        "tcp-request" => parse_tcp_request(args, ctx),
        "tcp-response" => parse_tcp_response(args, ctx),
        "redirect" => parse_redirect_rule(args, ctx),
        "use-server" => parse_use_server(args, ctx),
        "stick" => parse_stick(args, ctx),
        "http-check" => parse_check(args, ctx, true),
        "tcp-check" => parse_check(args, ctx, false),
        "monitor" => parse_monitor(args, ctx),
        "capture" => parse_capture(args),
        _ => Ok(Rule {
            keyword: kw.to_string(),
            action: args.get(1).cloned().unwrap_or_default(),
            action_args: Action::Words {
                words: args.iter().skip(2).cloned().collect(),
            },
            ..Rule::default()
        }),
    }
}

fn arg(args: &[String], i: usize) -> &str {
    args.get(i).map(String::as_str).unwrap_or("")
}

/// Index of the first `if`/`unless` at or after `from`, else the end.
fn cond_start(args: &[String], from: usize) -> usize {
    (from..args.len())
        .find(|&i| args[i] == "if" || args[i] == "unless")
        .unwrap_or(args.len())
}

// ---------------------------------------------------------------- http rules

fn parse_http(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let kw = arg(args, 0);
    let action = arg(args, 1);
    let list = match kw {
        "http-request" => HTTP_REQUEST_ACTIONS,
        "http-response" => HTTP_RESPONSE_ACTIONS,
        _ => HTTP_AFTER_RESPONSE_ACTIONS,
    };
    // Every error of these rules stops HAProxy's parsing (ERR_ABORT).
    let abort = |m: String| -> String { format!("{ABORT}{m}") };
    let (file, line, ptype_, proxy) = (
        ctx.file.to_string(),
        ctx.line,
        ptype(ctx).to_string(),
        ctx.proxy.to_string(),
    );
    let nospace = |m: String| -> String { abort(raw(&[format!("parsing [{file}:{line}]: {m}")])) };
    if action == "normalize-uri" && !EXPERIMENTAL.with(std::cell::Cell::get) {
        // Experimental in 2.6; tandem does not take `expose-experimental-directives`.
        return Err(abort(
            "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'"
                .into(),
        ));
    }
    if !known(action, list) {
        let got = if action.is_empty() {
            "'' (missing argument)".to_string()
        } else {
            format!("'{action}'")
        };
        let names = list.iter().map(|a| a.trim_end_matches("(*)"));
        let dym = match (action.is_empty(), best_match(action, names)) {
            (false, Some(m)) => format!(" Did you mean '{m}' maybe ?"),
            _ => String::new(),
        };
        return Err(nospace(format!(
            "'{kw}' expects {}, but got {got}.{dym}",
            quoted_list(list)
        )));
    }
    let rule_name = format!("'{kw} {action}'");
    let ctx_err = |m: String| -> String {
        abort(format!(
            "error detected in {ptype_} '{proxy}' while parsing {rule_name} rule : {m}."
        ))
    };
    let end = cond_start(args, 2);
    let a = &args[2..end];
    let (action_args, used) = http_action(kw, action, a, arg(args, 2), ctx).map_err(ctx_err)?;
    // Words the action did not take must be a condition.
    let mut cond = None;
    let next = 2 + used;
    if let Some(w) = args.get(next).filter(|w| !w.is_empty()) {
        if w != "if" && w != "unless" {
            return Err(nospace(format!(
                "{rule_name} expects either 'if' or 'unless' followed by a condition but found '{w}'."
            )));
        }
        let c = parse_condition(&args[next..], ctx).map_err(|e| {
            abort(format!(
                "error detected while parsing an {rule_name} condition : {e}."
            ))
        })?;
        let fe = matches!(ctx.section, "frontend" | "listen" | "defaults");
        let be = matches!(ctx.section, "backend" | "listen" | "defaults");
        let place = match kw {
            "http-request" if fe => "fe-http-req",
            "http-request" => "be-http-req",
            _ if be => "be-http-res",
            _ => "fe-http-res",
        };
        if let Some(w) = cond_conflict_warning(&c, place, None, ctx) {
            ctx.warnings.push(w);
        }
        cond = Some(c);
    }
    Ok(Rule {
        keyword: kw.to_string(),
        ruleset: None,
        action: action.to_string(),
        action_args,
        cond,
    })
}

/// One HTTP action's arguments (`a` stops before any `if`/`unless`).
/// Returns the typed action and how many words it used.
fn http_action(
    kw: &str,
    action: &str,
    a: &[String],
    next_word: &str,
    ctx: &mut Ctx,
) -> Result<(Action, usize), String> {
    let n = a.len();
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    Ok(match action {
        "allow" | "reject" | "disable-l7-retry" | "wait-for-handshake" | "silent-drop" => {
            (Action::None, 0)
        }
        "deny" | "tarpit" | "return" => {
            let (reply, used) = http_reply(action, a, ctx.warnings)?;
            (Action::Reply(reply), used)
        }
        "auth" => {
            if w(0) == "realm" {
                if w(1).is_empty() {
                    return Err("missing realm value.\n".into());
                }
                (
                    Action::Auth {
                        realm: Some(w(1).to_string()),
                    },
                    2,
                )
            } else {
                (Action::Auth { realm: None }, 0)
            }
        }
        "redirect" => {
            let (r, used) = redirect(a)?;
            (Action::Redirect(r), used)
        }
        "set-header" | "add-header" | "early-hint" => {
            if n != 2 {
                return Err("expects exactly 2 arguments".into());
            }
            logfmt::check(w(1))?;
            (
                Action::Header {
                    name: w(0).into(),
                    fmt: w(1).into(),
                },
                2,
            )
        }
        "del-header" => {
            if n < 1 {
                return Err("expects at least 1 argument".into());
            }
            let method = (w(1) == "-m").then(|| w(2).to_string());
            if let Some(m) = &method
                && !matches!(m.as_str(), "str" | "beg" | "end" | "sub" | "reg")
            {
                return Err(format!("-m with unsupported matching method '{m}'"));
            }
            (
                Action::DelHeader {
                    name: w(0).into(),
                    method,
                },
                if w(1) == "-m" { 3 } else { 1 },
            )
        }
        "replace-header" | "replace-value" => {
            if n != 3 {
                return Err("expects exactly 3 arguments".into());
            }
            super::expr::pcre::check(w(1))?;
            logfmt::check(w(2))?;
            (
                Action::Replace {
                    name: w(0).into(),
                    regex: w(1).into(),
                    fmt: w(2).into(),
                },
                3,
            )
        }
        "replace-path" | "replace-pathq" | "replace-uri" => {
            if n != 2 {
                return Err(
                    "expects exactly 2 arguments <match-regex> and <replace-format>".into(),
                );
            }
            super::expr::pcre::check(w(0))
                .map_err(|e| format!("failed to parse the regex : {e}"))?;
            logfmt::check(w(1))?;
            (
                Action::Replace {
                    name: String::new(),
                    regex: w(0).into(),
                    fmt: w(1).into(),
                },
                2,
            )
        }
        "set-path" | "set-pathq" | "set-query" | "set-uri" | "set-method" => {
            if n != 1 {
                return Err("expects exactly 1 argument <format>".into());
            }
            logfmt::check(w(0))?;
            (Action::Format { fmt: w(0).into() }, 1)
        }
        "set-log-level" => {
            const LEVELS: &[&str] = &[
                "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", "silent",
            ];
            if !LEVELS.contains(&w(0)) {
                return Err("expects exactly 1 argument (log level name or 'silent')".into());
            }
            (Action::SetLogLevel { level: w(0).into() }, 1)
        }
        "use-service" => {
            if w(0).is_empty() {
                return Err("'use-service' expects a service name.".into());
            }
            if !tables().services.contains(&w(0)) {
                return Err(format!("'{}' unknown service name.", w(0)));
            }
            (Action::UseService { name: w(0).into() }, 1)
        }
        "capture" => {
            // HAProxy 2.6's parse_http_req_capture() / parse_http_res_capture().
            let usage = if kw == "http-request" {
                "expects <expression> [ 'len' <length> | id <idx> ]"
            } else {
                "expects <expression> id <idx>"
            };
            if w(0).is_empty() {
                return Err(usage.into());
            }
            let expr = parse_sample(w(0))?;
            if w(1).is_empty() || w(2).is_empty() {
                return Err(usage.into());
            }
            let (len, id) = match w(1) {
                "len" if kw == "http-request" => {
                    if ctx.section == "backend" {
                        return Err(format!("proxy '{}' has no frontend capability", ctx.proxy));
                    }
                    let v = super::values::atoi(w(2));
                    if v <= 0 {
                        return Err("length must be > 0".into());
                    }
                    (Some(i64::from(v)), None)
                }
                "id" => {
                    let (v, rest) = strtol(w(2));
                    if !rest.is_empty() {
                        return Err(format!("cannot parse id '{}'", w(2)));
                    }
                    (None, Some(v))
                }
                other if kw == "http-request" => {
                    return Err(format!("expects 'len' or 'id', found '{other}'"));
                }
                other => return Err(format!("expects 'id', found '{other}'")),
            };
            (Action::Capture { expr, len, id }, 3)
        }
        "cache-use" | "cache-store" => {
            if w(0).is_empty() {
                return Err("expects a cache name".into());
            }
            (
                Action::Words {
                    words: vec![w(0).into()],
                },
                1,
            )
        }
        _ if action.starts_with("do-resolve") => {
            // HAProxy 2.6's action do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR.
            let usage = |what: &str| {
                format!(
                    "Can't parse '{what}'. Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'"
                )
            };
            let inner = action
                .strip_prefix("do-resolve(")
                .and_then(|r| r.split_once(')').map(|(x, _)| x))
                .ok_or_else(|| usage(action))?;
            let parts: Vec<&str> = inner.split(',').collect();
            if parts.len() < 2 || parts.len() > 3 {
                return Err(usage(action));
            }
            if let Some(opt) = parts.get(2)
                && !matches!(*opt, "ipv4" | "ipv6")
            {
                return Err(usage(action));
            }
            if next_word.is_empty() {
                return Err(usage(""));
            }
            parse_sample(next_word)?;
            (
                Action::Words {
                    words: a.iter().take(1).cloned().collect(),
                },
                n.min(1),
            )
        }
        _ if action.starts_with("set-map")
            || action.starts_with("del-map")
            || action.starts_with("add-acl")
            || action.starts_with("del-acl") =>
        {
            let need = if action.starts_with("set-map") { 2 } else { 1 };
            if n < need {
                return Err(format!("expects exactly {need} arguments"));
            }
            for f in &a[..need] {
                logfmt::check(f)?;
            }
            (
                Action::Words {
                    words: a[..need].to_vec(),
                },
                need,
            )
        }
        "set-src"
        | "set-dst"
        | "set-src-port"
        | "set-dst-port"
        | "set-priority-class"
        | "set-priority-offset" => {
            if w(0).is_empty() {
                return Err("missing fetch method".into());
            }
            let expr = parse_sample(w(0))?;
            (
                Action::SetVar {
                    var: String::new(),
                    expr,
                },
                1,
            )
        }
        "strict-mode" => {
            if w(0).is_empty() {
                return Err("expects exactly 1 arguments".into());
            }
            if !matches!(w(0), "on" | "off") {
                return Err(format!(
                    "Unexpected value '{}'. Only 'on' and 'off' are supported",
                    w(0)
                ));
            }
            (
                Action::Words {
                    words: vec![w(0).into()],
                },
                1,
            )
        }
        "set-mark" | "set-tos" => mark_or_tos(w(0))?,
        "set-timeout" => {
            // HAProxy 2.6's parse_http_set_timeout() and
            // cfg_parse_rule_set_timeout().
            if w(0).is_empty() || w(1).is_empty() {
                return Err("expects exactly 2 arguments".into());
            }
            if !matches!(ctx.section, "backend" | "listen" | "defaults") {
                return Err(format!("proxy '{}' has no backend capability", ctx.proxy));
            }
            let name = w(0);
            if name != "server" && name != "tunnel" {
                return Err(format!(
                    "'set-timeout' rule supports 'server'/'tunnel' (got '{name}')"
                ));
            }
            match parse_time(w(1), TimeUnit::Ms) {
                Ok(t) if t.value == 0 => {
                    return Err(format!(
                        "null value is not valid for a 'set-timeout {name}' rule"
                    ));
                }
                Ok(_) => {}
                Err(TimeError::Overflow) => {
                    return Err(format!(
                        "timer overflow in argument '{}' to rule 'set-timeout {name}' (maximum value is 2147483647 ms or ~24.8 days)",
                        w(1)
                    ));
                }
                Err(TimeError::Underflow) => {
                    return Err(format!(
                        "timer underflow in argument '{}' to rule 'set-timeout {name}' (minimum value is 1 ms)",
                        w(1)
                    ));
                }
                // Not a time: an expression, else the time's error.
                Err(e) => {
                    if parse_sample(w(1)).is_err() {
                        let c = match e {
                            TimeError::UnexpectedChar(c) => c,
                            _ => ' ',
                        };
                        return Err(format!(
                            "unexpected character '{c}' in rule 'set-timeout {name}'"
                        ));
                    }
                }
            }
            (
                Action::Words {
                    words: a[..2].to_vec(),
                },
                2,
            )
        }
        "set-status" => {
            // HAProxy 2.6's parse_http_set_status(); it reads an `if` there
            // as the status.
            if next_word.is_empty() {
                return Err(
                    "expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>".into(),
                );
            }
            let (code, rest) = strtol(next_word);
            if !rest.is_empty() || !(100..=999).contains(&code) {
                return Err("expects an integer status code between 100 and 999".into());
            }
            let used = if w(1) == "reason" && !w(2).is_empty() {
                3
            } else {
                1
            };
            (
                Action::Words {
                    words: a[..used].to_vec(),
                },
                used,
            )
        }
        "wait-for-body" => {
            // HAProxy 2.6's parse_http_wait_for_body(): `time` and
            // `at-least` in any order, `time` required.
            let mut i = 0;
            let mut time = None;
            while matches!(w(i), "time" | "at-least") {
                let v = w(i + 1);
                if v.is_empty() {
                    return Err(format!("missing argument for '{}'", w(i)));
                }
                if w(i) == "time" {
                    match parse_time(v, TimeUnit::Ms) {
                        Ok(t) => time = Some(t.value),
                        Err(TimeError::UnexpectedChar(c)) => {
                            return Err(format!("unexpected character '{c}'"));
                        }
                        Err(_) => time = Some(0),
                    }
                } else if let Err(e) = super::values::parse_size(v) {
                    let c = e.ch.unwrap_or(' ');
                    return Err(format!("unexpected character '{c}'"));
                }
                i += 2;
            }
            if time.is_none() {
                return Err("expects time <time> [ at-least <bytes> ]".into());
            }
            (
                Action::Words {
                    words: a[..i].to_vec(),
                },
                i,
            )
        }
        _ if action.starts_with("sc-inc-gpc") || action.starts_with("sc-set-gpt") => {
            gpc_action(action, a, next_word)?
        }
        _ if action.starts_with("track-sc") => {
            let (t, used) = track_sc(action, a, true)?;
            (t, used)
        }
        _ if action.starts_with("set-var") || action.starts_with("unset-var") => {
            set_var(action, a, kw)?
        }
        _ => (Action::Words { words: a.to_vec() }, n),
    })
}

/// `set-mark VALUE` / `set-tos VALUE`: C's `strtoul(v, &end, 0)` must use
/// the whole word; HAProxy names what is left.
fn mark_or_tos(v: &str) -> Result<(Action, usize), String> {
    if v.is_empty() {
        return Err("expects exactly 1 argument (integer/hex value)".into());
    }
    let hex = v
        .strip_prefix("0x")
        .or_else(|| v.strip_prefix("0X"))
        .filter(|h| h.starts_with(|c: char| c.is_ascii_hexdigit()));
    let rest = match hex {
        Some(h) => h.trim_start_matches(|c: char| c.is_ascii_hexdigit()),
        None if v.starts_with('0') => v.trim_start_matches(|c: char| ('0'..='7').contains(&c)),
        None => v.trim_start_matches(|c: char| c.is_ascii_digit()),
    };
    if !rest.is_empty() {
        return Err(format!(
            "invalid character starting at '{rest}' (integer/hex value expected)"
        ));
    }
    Ok((
        Action::Words {
            words: vec![v.into()],
        },
        1,
    ))
}

/// Read a reply payload file as `http_parse_http_reply()` does (open, fstat,
/// size against the default `tune.bufsize`, read).
fn reply_file(path: &str) -> Result<Vec<u8>, String> {
    const BUFSIZE: u64 = 16384;
    let meta = std::fs::metadata(path).map_err(|_| format!("error opening file '{path}'"))?;
    if meta.len() > BUFSIZE {
        return Err(format!(
            "file '{path}' exceeds the buffer size ({} > {BUFSIZE})",
            meta.len()
        ));
    }
    std::fs::read(path).map_err(|_| format!("error reading file '{path}'"))
}

/// `deny`/`tarpit`/`return` options (HAProxy 2.6's `parse_http_deny()` /
/// `parse_http_return()` around `http_parse_http_reply()`). Warnings go to
/// `warnings` (they print with `parsing [FILE:LINE] : `).
fn http_reply(
    action: &str,
    a: &[String],
    warnings: &mut Vec<String>,
) -> Result<(HttpReply, usize), String> {
    // Without a body of their own, replies use HAProxy's default error
    // pages, which exist for these codes only.
    const DEFAULT_ERRORS: &[u16] = &[
        200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503,
        504,
    ];
    let mut r = HttpReply::default();
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    // deny/tarpit: nothing, or a lone `deny_status CODE`, is the legacy form
    // with the default error pages; otherwise a leading `deny_status` is
    // read as `status`.
    let mut i = 0;
    let mut legacy_default = false;
    if action != "return" {
        if a.is_empty() {
            return Ok((r, 0));
        }
        if w(0) == "deny_status" && a.len() <= 2 {
            legacy_default = true;
        }
    }
    // The body keyword seen (HAProxy's `act_arg`); payload bytes for the
    // raw forms; whether the body is a log-format.
    let mut act_arg: Option<&str> = None;
    let mut payload_len = 0usize;
    let mut logfmt_body = false;
    while i < a.len() {
        let k = if i == 0 && action != "return" && w(0) == "deny_status" {
            "status"
        } else {
            w(i)
        };
        match k {
            "status" => {
                if w(i + 1).is_empty() {
                    return Err("'status' expects <status_code> as argument".into());
                }
                // HAProxy prints the (int) value it read, not the word.
                let code = super::values::atol(w(i + 1)) as i32;
                if !(200..=599).contains(&code) {
                    return Err(format!("Unexpected status code '{code}'"));
                }
                r.status = u16::try_from(code).ok();
                i += 2;
            }
            "content-type" => {
                if w(i + 1).is_empty() {
                    return Err("'content-type' expects <ctype> as argument".into());
                }
                r.content_type = Some(w(i + 1).into());
                i += 2;
            }
            k @ ("default-errorfiles" | "string" | "lf-string" | "file" | "lf-file"
            | "errorfile" | "errorfiles") => {
                if let Some(prev) = act_arg {
                    return Err(format!(
                        "unexpected '{k}' argument, '{prev}' already defined"
                    ));
                }
                act_arg = Some(k);
                if k == "default-errorfiles" {
                    r.body = Some(("default-errorfiles".into(), String::new()));
                    i += 1;
                    continue;
                }
                let what = match k {
                    "string" => "<str>",
                    "lf-string" | "errorfile" => "<fmt>",
                    "errorfiles" => "<name>",
                    _ => "<file>",
                };
                let v = w(i + 1);
                if v.is_empty() {
                    return Err(format!("'{k}' expects {what} as argument"));
                }
                match k {
                    "string" => payload_len = v.len(),
                    "lf-string" => {
                        logfmt::check(v)?;
                        logfmt_body = true;
                    }
                    "file" => payload_len = reply_file(v)?.len(),
                    "lf-file" => {
                        let data = reply_file(v)?;
                        logfmt::check(&String::from_utf8_lossy(&data))?;
                        logfmt_body = true;
                    }
                    "errorfile" => {
                        if std::fs::metadata(v).is_err() {
                            // (sic) HAProxy ends this one with two dots.
                            return Err(format!("error opening file '{v}'."));
                        }
                        if std::fs::read(v).is_err() {
                            return Err(format!("error reading file '{v}'."));
                        }
                    }
                    _ => {}
                }
                r.body = Some((k.into(), v.into()));
                i += 2;
            }
            "hdr" => {
                if w(i + 1).is_empty() || w(i + 2).is_empty() {
                    return Err("'hdr' expects <name> and <value> as arguments".into());
                }
                let name = w(i + 1);
                if ["content-length", "transfer-encoding", "content-type"]
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(name))
                {
                    warnings.push(format!("header '{name}' always ignored by the http reply."));
                    i += 3;
                    continue;
                }
                logfmt::check(w(i + 2))?;
                r.headers.push((name.into(), w(i + 2).into()));
                i += 3;
            }
            _ => break,
        }
    }
    let status = r.status.unwrap_or(match action {
        "tarpit" => 500,
        "return" => 200,
        _ => 403,
    });
    match act_arg {
        None => {
            if let Some(ct) = r.content_type.take() {
                warnings.push(format!(
                    "content-type '{ct}' ignored by the http reply because neither errorfile nor payload defined."
                ));
            }
        }
        Some("default-errorfiles" | "errorfile" | "errorfiles") => {
            // (sic) "erorrfile" is HAProxy's spelling.
            if let Some(ct) = r.content_type.take() {
                warnings.push(format!(
                    "content-type '{ct}' ignored by the http reply when used with an erorrfile."
                ));
            }
            if !r.headers.is_empty() {
                r.headers.clear();
                warnings.push(
                    "hdr parameters ignored by the http reply when used with an erorrfile.".into(),
                );
            }
        }
        Some(_) => {
            if (status == 204 || status == 304) && (logfmt_body || payload_len > 0) {
                return Err(format!("No body expected for {status} responses"));
            }
            if logfmt_body {
                if r.content_type.is_none() {
                    return Err("a content type must be defined with a log-format payload".into());
                }
            } else if r.content_type.is_none() && payload_len > 0 {
                return Err(
                    "a content type must be defined when non-empty payload is configured".into(),
                );
            } else if payload_len == 0
                && let Some(ct) = r.content_type.take()
            {
                warnings.push(format!(
                    "content-type '{ct}' ignored by the http reply when used with an empty payload."
                ));
            }
        }
    }
    if (legacy_default || act_arg == Some("default-errorfiles"))
        && !DEFAULT_ERRORS.contains(&status)
    {
        return Err(format!(
            "status code '{status}' not handled by default with 'default-errorfiles' argument."
        ));
    }
    Ok((r, i))
}

/// HAProxy's `http_parse_redirect_rule()` options; shared by
/// `http-request redirect` and the `redirect` keyword.
fn redirect(a: &[String]) -> Result<(Redirect, usize), String> {
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let mut r = Redirect::default();
    let mut i = 0;
    while i < a.len() {
        let k = w(i);
        match k {
            "location" | "prefix" | "scheme" => {
                if w(i + 1).is_empty() {
                    return Err(format!("missing argument for '{k}'"));
                }
                r.kind = k.into();
                r.target = w(i + 1).into();
                logfmt::check(&r.target)?;
                i += 2;
            }
            "code" => {
                if w(i + 1).is_empty() {
                    return Err("missing argument for 'code'".into());
                }
                let c = super::values::atol(w(i + 1));
                if !matches!(c, 301 | 302 | 303 | 307 | 308) {
                    return Err(format!(
                        "'code': unsupported HTTP code '{}' (must be one of 301, 302, 303, 307 or 308)",
                        w(i + 1)
                    ));
                }
                r.code = u16::try_from(c).ok();
                i += 2;
            }
            "set-cookie" | "clear-cookie" => {
                if w(i + 1).is_empty() {
                    return Err(format!("missing argument for '{k}'"));
                }
                if k == "set-cookie" {
                    r.set_cookie = Some(w(i + 1).into());
                } else {
                    r.clear_cookie = Some(w(i + 1).into());
                }
                i += 2;
            }
            "drop-query" => {
                r.drop_query = true;
                i += 1;
            }
            "append-slash" => {
                r.append_slash = true;
                i += 1;
            }
            "ignore-empty" => {
                r.ignore_empty = true;
                i += 1;
            }
            "if" | "unless" => break,
            other => {
                return Err(format!(
                    "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '{other}')"
                ));
            }
        }
    }
    if r.kind.is_empty() {
        return Err("redirection type expected ('prefix', 'location', or 'scheme')".into());
    }
    Ok((r, i))
}

/// `track-scN KEY [table NAME]`.
/// `strict_table`: `http-request` refuses `table` without a name at parse
/// time; `tcp-request` leaves it to the post-parse check.
fn track_sc(action: &str, a: &[String], strict_table: bool) -> Result<(Action, usize), String> {
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let num = action.trim_start_matches("track-sc");
    // `track-sc` alone is counter 0 (strtol of an empty string).
    let counter = if num.is_empty() {
        0
    } else {
        super::values::parse_uint(num).unwrap_or(u64::MAX)
    };
    if counter > 2 {
        return Err(format!(
            "{num} track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value"
        ));
    }
    if w(0).is_empty() {
        return Err("missing fetch method".into());
    }
    let key = parse_sample(w(0))?;
    let mut used = 1;
    let mut table = None;
    if w(1) == "table" {
        if w(2).is_empty() && strict_table {
            return Err("missing table name".into());
        }
        table = Some(w(2).to_string());
        used = if w(2).is_empty() { 2 } else { 3 };
    }
    Ok((
        Action::TrackSc {
            counter: counter as u8,
            key,
            table,
        },
        used,
    ))
}

/// C's `strtol(s, &end, 10)`: the value (saturated) and the rest after the
/// digits; no digits gives 0 and `s` itself.
fn strtol(s: &str) -> (i64, &str) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, u) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = u.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (0, s);
    }
    let v = u[..digits].bytes().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    (if neg { -v } else { v }, &u[digits..])
}

/// `sc-inc-gpc(IDX,SC)`, `sc-inc-gpc0[(SC)]`, `sc-inc-gpc1[(SC)]`,
/// `sc-set-gpt(IDX,SC) VALUE`, `sc-set-gpt0[(SC)] VALUE`: HAProxy 2.6's
/// `parse_inc_gpc()` / `parse_set_gpt()` (their texts, without the final
/// period the http rule wrapper adds).
/// `a` stops before any `if`/`unless`; `next` is the word after the action
/// whatever it is (HAProxy takes an `if` there as the value's expression).
fn gpc_action(action: &str, a: &[String], next: &str) -> Result<(Action, usize), String> {
    const MAX_SC: i64 = 2;
    let gpt = action.starts_with("sc-set-gpt");
    let (what, usage) = if gpt {
        ("gpt", "sc-set-gpt(<GPT ID>,<Track ID>)")
    } else {
        ("gpc", "sc-inc-gpc(<GPC ID>,<Track ID>)")
    };
    let tail = action.get(10..).unwrap_or("");
    if let Some(inner) = tail.strip_prefix('(') {
        let (_, rest) = strtol(inner);
        let Some(rest) = rest.strip_prefix(',') else {
            return Err(format!("Missing {what} ID '{action}'. Expects {usage}"));
        };
        let (sc, rest) = strtol(rest);
        if !rest.starts_with(')') {
            return Err(format!(
                "invalid stick table track ID '{action}'. Expects {usage}"
            ));
        }
        if sc > MAX_SC {
            return Err(format!(
                "invalid stick table track ID '{action}'. The max allowed ID is {MAX_SC}"
            ));
        }
    } else if gpt && tail.starts_with('0') {
        let legacy = &tail[1..];
        if !legacy.is_empty() {
            let (sc, rest) = match legacy.strip_prefix('(') {
                Some(inner) => strtol(inner),
                None => (0, legacy),
            };
            if !rest.starts_with(')') {
                return Err(format!(
                    "invalid stick table track ID '{action}'. Expects sc-set-gpt0(<Track ID>)"
                ));
            }
            if sc > MAX_SC {
                return Err(format!(
                    "invalid stick table track ID '{action}'. The max allowed ID is {MAX_SC}"
                ));
            }
        }
    } else if !gpt && (tail.starts_with('0') || tail.starts_with('1')) {
        let legacy = &tail[1..];
        if !legacy.is_empty() {
            let (sc, rest) = match legacy.strip_prefix('(') {
                Some(inner) => strtol(inner),
                None => (0, legacy),
            };
            if !rest.starts_with(')') {
                return Err(format!(
                    "invalid stick table track ID. Expects {action}(<Track ID>)"
                ));
            }
            if sc > MAX_SC {
                return Err(format!(
                    "invalid stick table track ID. The max allowed ID is {MAX_SC}"
                ));
            }
        }
    } else {
        return Err(format!("invalid {what} ID '{action}'. Expects {usage}"));
    }
    if !gpt {
        return Ok((Action::Words { words: Vec::new() }, 0));
    }
    // The value: an integer, else a sample expression (an empty word is
    // strtoll's 0, so a missing value is accepted).
    let v = next;
    if !v.is_empty() && !matches!(strtol(v), (_, "")) {
        parse_sample(v)?;
    }
    Ok((
        Action::Words {
            words: a.iter().take(1).cloned().collect(),
        },
        a.len().min(1),
    ))
}

/// The variable of `set-var(NAME)`: scope-prefixed.
fn var_name(name: &str) -> Result<(), String> {
    let ok = ["proc.", "sess.", "txn.", "req.", "res.", "check."]
        .iter()
        .any(|s| name.starts_with(s) && name.len() > s.len());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid variable name '{name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'"
        ))
    }
}

fn set_var(action: &str, a: &[String], _kw: &str) -> Result<(Action, usize), String> {
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let (base, rest) = match action.find('(') {
        Some(k) => (&action[..k], &action[k + 1..]),
        None => {
            return Err(format!(
                "invalid or incomplete action '{action}'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"
            ));
        }
    };
    // The name must be followed by ')' closing the word (`set-var(a)b`
    // and `set-var(a` are refused).
    let var = match rest.find(')') {
        Some(k) if k + 1 == rest.len() => {
            let mut parts = rest[..k].split(',');
            let var = parts.next().unwrap_or("");
            const CONDS: &[&str] = &[
                "ifexists",
                "ifnotexists",
                "ifempty",
                "ifnotempty",
                "ifset",
                "ifnotset",
                "ifgt",
                "iflt",
            ];
            if base == "set-var"
                && let Some(c) = parts.find(|c| !CONDS.contains(c))
            {
                return Err(format!("unknown condition \"{c}\""));
            }
            var
        }
        _ => {
            return Err(format!(
                "incomplete argument after action '{action}'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"
            ));
        }
    };
    if var.is_empty() {
        return Err("Empty variable name cannot be accepted".into());
    }
    var_name(var)?;
    match base {
        "unset-var" => Ok((Action::UnsetVar { var: var.into() }, 0)),
        "set-var-fmt" => {
            // HAProxy 2.6.12 accepts a missing format here.
            logfmt::check(w(0))?;
            Ok((
                Action::SetVarFmt {
                    var: var.into(),
                    fmt: w(0).into(),
                },
                1,
            ))
        }
        _ => {
            if w(0).is_empty() {
                return Err("missing fetch method".into());
            }
            let expr = parse_sample(w(0))?;
            Ok((
                Action::SetVar {
                    var: var.into(),
                    expr,
                },
                1,
            ))
        }
    }
}

// ----------------------------------------------------------------- tcp rules

fn parse_tcp_request(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let set = arg(args, 1);
    // (sic) HAProxy 2.6 names any defaults section so in these two messages.
    let set_where = if ctx.section == "defaults" {
        "in defaults section".to_string()
    } else {
        format!("in {} '{}'", ptype(ctx), ctx.proxy)
    };
    let is_fe = matches!(ctx.section, "frontend" | "listen" | "defaults");
    let anonymous_defaults = ctx.section == "defaults" && ctx.proxy.is_empty();
    if set.is_empty() {
        return Err(format!("missing argument for 'tcp-request' {set_where}"));
    }
    if !matches!(set, "inspect-delay" | "connection" | "session" | "content") {
        return Err(format!(
            "'tcp-request' expects 'inspect-delay', 'connection', or 'content' {set_where} (got '{set}')"
        ));
    }
    if anonymous_defaults {
        return Err(format!(
            "tcp-request {set} is not allowed in anonymous 'defaults' sections"
        ));
    }
    match set {
        "inspect-delay" => inspect_delay("tcp-request", args, ctx),
        _ => {
            if set != "content" && !is_fe {
                return Err(format!(
                    "tcp-request {set} is not allowed because {} {} is not a frontend",
                    ptype(ctx),
                    ctx.proxy
                ));
            }
            let list = if set == "content" {
                TCP_REQ_CONTENT_ACTIONS
            } else {
                TCP_REQ_CONN_ACTIONS
            };
            tcp_rule("tcp-request", set, list, args, ctx)
        }
    }
}

/// `tcp-request inspect-delay` / `tcp-response inspect-delay`.
fn inspect_delay(kw: &str, args: &[String], ctx: &Ctx) -> Result<Rule, String> {
    let where_ = format!("in {} '{}'", ptype(ctx), ctx.proxy);
    let v = arg(args, 2);
    let ms = match parse_time(v, TimeUnit::Ms) {
        Ok(t) if !v.is_empty() => t.value,
        Err(TimeError::UnexpectedChar(c)) => {
            return Err(format!(
                "'{kw} inspect-delay' expects a positive delay in milliseconds, {where_} (unexpected character '{c}')"
            ));
        }
        Err(TimeError::Overflow) => {
            return Err(format!(
                "'{kw} inspect-delay' expects a positive delay in milliseconds, {where_} (timer overflow in '{v}', maximum value is 2147483647 ms or ~24.8 days)"
            ));
        }
        _ => {
            return Err(format!(
                "'{kw} inspect-delay' expects a positive delay in milliseconds, {where_}"
            ));
        }
    };
    Ok(Rule {
        keyword: kw.into(),
        ruleset: Some("inspect-delay".into()),
        action: String::new(),
        action_args: Action::Delay { ms },
        cond: None,
    })
}

/// HAProxy's warning for a second `tcp-request inspect-delay` (or
/// `tcp-response inspect-delay`) in a proxy that already has one, its own or
/// inherited from its defaults section: the new one is ignored. `rule` is
/// what [`parse_rule`] returned; `section`/`proxy` as in [`Ctx`]. `None`
/// when `rule` is not an inspect-delay. The text goes after
/// `parsing [FILE:LINE] : ` (render it as a plain warning).
pub fn inspect_delay_ignored(rule: &Rule, section: &str, proxy: &str) -> Option<String> {
    if rule.ruleset.as_deref() != Some("inspect-delay") {
        return None;
    }
    let ptype = if section == "listen" {
        "proxy"
    } else {
        section
    };
    Some(format!(
        "ignoring {} inspect-delay (was already defined) in {ptype} '{proxy}'",
        rule.keyword
    ))
}

fn parse_tcp_response(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let set = arg(args, 1);
    let where_ = format!("in {} '{}'", ptype(ctx), ctx.proxy);
    if set.is_empty() {
        return Err(format!("missing argument for 'tcp-response' {where_}"));
    }
    if set != "inspect-delay" && set != "content" {
        return Err(format!(
            "'tcp-response' expects 'inspect-delay' or 'content' {where_} (got '{set}')"
        ));
    }
    if ctx.section == "frontend" || (ctx.section == "defaults" && ctx.proxy.is_empty()) {
        return Err(format!(
            "tcp-response {set} is only allowed in 'backend' sections or 'defaults' section with a name"
        ));
    }
    match set {
        "inspect-delay" => inspect_delay("tcp-response", args, ctx),
        _ => tcp_rule("tcp-response", set, TCP_RES_CONTENT_ACTIONS, args, ctx),
    }
}

fn tcp_rule(
    kw: &str,
    set: &str,
    list: &[&str],
    args: &[String],
    ctx: &mut Ctx,
) -> Result<Rule, String> {
    let action = arg(args, 2);
    let where_ = format!("in {} '{}'", ptype(ctx), ctx.proxy);
    let track = action.starts_with("track-sc");
    if !known(action, list) && !track {
        // HAProxy's tcp-request messages end with '\n', shown as an empty
        // line; its tcp-response one does not.
        let nl = if kw == "tcp-request" { "\n" } else { "" };
        // The suggestion comes from the registered keywords, where the three
        // track-sc actions are one `track-sc` prefix.
        let names = list.iter().map(|a| {
            let a = a.trim_end_matches("(*)");
            if a.starts_with("track-sc") {
                "track-sc"
            } else {
                a
            }
        });
        let dym = match best_match(action, names) {
            Some(m) if !action.is_empty() => format!(" Did you mean '{m}' maybe ?"),
            _ => String::new(),
        };
        return Err(format!(
            "'{kw} {set}' expects {} {where_} (got '{action}').{dym}{nl}",
            quoted_list(list)
        ));
    }
    let name = format!("'{kw} {set} {action}'");
    let end = cond_start(args, 3);
    let a = &args[3..end];
    let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let (action_args, used) = match action {
        "accept" | "reject" | "close" | "silent-drop" => (Action::None, 0),
        "expect-proxy" | "expect-netscaler-cip" => {
            if set != "connection" {
                return Err(format!(
                    "'{action} {}' is not allowed in '{kw} {set}' rules {where_}",
                    w(0)
                ));
            }
            if w(0) != "layer4" {
                return Err(format!(
                    "'{kw} {set} {action}' only supports 'layer4' {where_} (got '{}')",
                    w(0)
                ));
            }
            (
                Action::Words {
                    words: a.iter().take(1).cloned().collect(),
                },
                a.len().min(1),
            )
        }
        _ if track => track_sc(action, a, false).map_err(|e| format!("{name} : {e}"))?,
        "capture" => {
            if w(0).is_empty() {
                return Err(format!("{name} : missing fetch method"));
            }
            if set == "connection" {
                return Err(format!(
                    "'capture {}' is not allowed in '{kw} {set}' rules {where_}",
                    w(0)
                ));
            }
            let expr = parse_sample(w(0)).map_err(|e| format!("{name} : {e}"))?;
            if w(1) != "len" {
                return Err(format!("{name} : a positive 'len' argument is mandatory"));
            }
            let len = i64::from(super::values::atoi(w(2)));
            if len <= 0 {
                return Err(format!("{name} : length must be > 0"));
            }
            (
                Action::Capture {
                    expr,
                    len: Some(len),
                    id: None,
                },
                3,
            )
        }
        // The errors of registered (non built-in) actions are printed as
        // they are, without the rule's name.
        "use-service" => {
            if w(0).is_empty() {
                return Err("'use-service' expects a service name.".into());
            }
            if !tables().services.contains(&w(0)) {
                // (sic) HAProxy 2.6 names the rule set word here.
                return Err(format!("'{set}' unknown service name."));
            }
            if w(0) == "prometheus-exporter" {
                return Err(
                    "Prometheus exporter service only available on 'http-request' rulesets".into(),
                );
            }
            (Action::UseService { name: w(0).into() }, 1)
        }
        "set-log-level" => {
            const LEVELS: &[&str] = &[
                "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", "silent",
            ];
            if !LEVELS.contains(&w(0)) {
                return Err("expects exactly 1 argument (log level name or 'silent')".into());
            }
            (Action::SetLogLevel { level: w(0).into() }, 1)
        }
        "switch-mode" => {
            if w(0) != "http" {
                return Err(format!(
                    "'tcp-request switch-mode' expects a valid mode (got '{}').",
                    w(0)
                ));
            }
            if w(1) == "proto" && !matches!(w(2), "h1" | "h2" | "none") {
                return Err(format!(
                    "'tcp-request switch-mode': 'proto' expects a valid MUX protocol, if specified (got '{}')",
                    w(2)
                ));
            }
            let used = if w(1) == "proto" { 3 } else { 1 };
            (
                Action::Words {
                    words: a.iter().take(used).cloned().collect(),
                },
                used.min(a.len()),
            )
        }
        _ if action.starts_with("set-var") || action.starts_with("unset-var") => {
            set_var(action, a, kw)?
        }
        _ if action.starts_with("sc-inc-gpc") || action.starts_with("sc-set-gpt") => {
            gpc_action(action, a, arg(args, 3))?
        }
        "set-mark" | "set-tos" => mark_or_tos(w(0))?,
        _ => (Action::Words { words: a.to_vec() }, a.len()),
    };
    let next = 3 + used;
    let mut cond = None;
    if let Some(wd) = args.get(next).filter(|w| !w.is_empty()) {
        if wd != "if" && wd != "unless" {
            return Err(format!(
                "{name} only accepts 'if' or 'unless', {where_} (got '{wd}')"
            ));
        }
        let c = parse_condition(&args[next..], ctx).map_err(|e| {
            format!("{name} : error detected {where_} while parsing '{wd}' condition : {e}")
        })?;
        let fe = matches!(ctx.section, "frontend" | "listen" | "defaults");
        let place = match (kw, set) {
            ("tcp-request", "connection") => "fe-tcp-conn",
            ("tcp-request", "session") => "fe-tcp-sess",
            ("tcp-request", _) if fe => "fe-tcp-content",
            ("tcp-request", _) => "be-tcp-content",
            _ => "be-tcp-res",
        };
        if let Some(w) = cond_conflict_warning(&c, place, Some(&format!("{kw} {set}")), ctx) {
            ctx.warnings.push(w);
        }
        cond = Some(c);
    }
    Ok(Rule {
        keyword: kw.into(),
        ruleset: Some(set.into()),
        action: action.into(),
        action_args,
        cond,
    })
}

// -------------------------------------------------------------- other rules

/// A trailing `if|unless COND`, with the message wrapper of the keyword.
fn trailing_cond(
    args: &[String],
    from: usize,
    ctx: &mut Ctx,
    wrap: impl Fn(&str) -> String,
) -> Result<Option<Condition>, String> {
    match args.get(from).map(String::as_str) {
        Some("if") | Some("unless") => parse_condition(&args[from..], ctx)
            .map(Some)
            .map_err(|e| wrap(&e)),
        _ => Ok(None),
    }
}

fn parse_redirect_rule(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let end = cond_start(args, 1);
    let head = format!(
        "error detected in {} '{}' while parsing redirect rule : ",
        ptype(ctx),
        ctx.proxy
    );
    let (r, _) = redirect(&args[1..end]).map_err(|e| format!("{head}{e}."))?;
    let cond = trailing_cond(args, end, ctx, |e| {
        format!("{head}error in condition: {e}.")
    })?;
    let place = if ctx.section == "backend" {
        "be-http-req"
    } else {
        "fe-http-req"
    };
    if let Some(w) = cond
        .as_ref()
        .and_then(|c| cond_conflict_warning(c, place, None, ctx))
    {
        ctx.warnings.push(w);
    }
    Ok(Rule {
        keyword: "redirect".into(),
        action: r.kind.clone(),
        action_args: Action::Redirect(r),
        cond,
        ..Rule::default()
    })
}

fn parse_use_server(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let name = arg(args, 1);
    if name.is_empty() {
        return Err("'use-server' expects a server name.".into());
    }
    let w = arg(args, 2);
    if w != "if" && w != "unless" {
        return Err(
            "'use-server' requires either 'if' or 'unless' followed by a condition.".into(),
        );
    }
    let cond = trailing_cond(args, 2, ctx, |e| {
        format!("error detected while parsing switching rule : {e}.")
    })?;
    if let Some(w) = cond
        .as_ref()
        .and_then(|c| cond_conflict_warning(c, "be-use-server", None, ctx))
    {
        ctx.warnings.push(w);
    }
    Ok(Rule {
        keyword: "use-server".into(),
        action: name.into(),
        action_args: Action::Server { name: name.into() },
        cond,
        ..Rule::default()
    })
}

fn parse_stick(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let set = arg(args, 1);
    if !matches!(set, "on" | "match" | "store-request" | "store-response") {
        return Err("'stick' expects 'on', 'match', or 'store'.".into());
    }
    let e = arg(args, 2);
    if e.is_empty() {
        return Err("'stick' expects a fetch method.".into());
    }
    let expr: Sample = parse_sample(e).map_err(|m| format!("'stick': {m}"))?;
    let mut i = 3;
    let mut table = None;
    if arg(args, i) == "table" {
        table = Some(arg(args, i + 1).to_string());
        i += 2;
    }
    if let Some(w) = args
        .get(i)
        .filter(|w| !w.is_empty() && *w != "if" && *w != "unless")
    {
        return Err(format!("'stick': unknown keyword '{w}'."));
    }
    let cond = trailing_cond(args, i, ctx, |m| {
        format!("'stick': error detected while parsing sticking condition : {m}.")
    })?;
    Ok(Rule {
        keyword: "stick".into(),
        ruleset: Some(set.into()),
        action: set.into(),
        action_args: Action::Stick { expr, table },
        cond,
    })
}

fn parse_check(args: &[String], _ctx: &mut Ctx, http: bool) -> Result<Rule, String> {
    let kw = if http { "http-check" } else { "tcp-check" };
    let a = arg(args, 1);
    let ok: &[&str] = if http {
        &[
            "disable-on-404",
            "send-state",
            "comment",
            "connect",
            "send",
            "expect",
        ]
    } else {
        // `send-lf`/`send-binary-lf` are accepted though HAProxy's list
        // below does not name them.
        &[
            "comment",
            "connect",
            "send",
            "send-binary",
            "send-lf",
            "send-binary-lf",
            "expect",
        ]
    };
    let var = a.starts_with("set-var") || a.starts_with("unset-var");
    if !ok.contains(&a) && !var {
        let list = if http {
            "'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"
        } else {
            "'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"
        };
        return Err(format!("'{kw}' only supports {list}. but got '{a}'"));
    }
    let rest = args.get(2..).unwrap_or(&[]);
    let pfx = format!("'{kw} {a}' : ");
    match a {
        "disable-on-404" | "send-state" => {
            if let Some(x) = rest.first() {
                return Err(format!("'{kw}' cannot handle unexpected argument '{x}'."));
            }
        }
        "connect" => check_connect(rest).map_err(|e| format!("{pfx}{e}"))?,
        "send" if http => check_http_send(rest).map_err(|e| format!("{pfx}{e}"))?,
        "send" | "send-lf" | "send-binary-lf" if rest.first().is_none_or(|w| w.is_empty()) => {
            return Err(format!("{pfx}'string' expects a {a} as argument."));
        }
        "send-lf" | "send-binary-lf" => {
            let v = rest.first().map(String::as_str).unwrap_or("");
            logfmt::check(v).map_err(|e| format!("{pfx}{e}."))?;
        }
        "send-binary" => {
            let v = rest.first().map(String::as_str).unwrap_or("");
            let bad = if let Some(c) = v.chars().find(|c| !c.is_ascii_hexdigit()) {
                Some(format!("an hex digit is expected (found '{c}')"))
            } else if !v.len().is_multiple_of(2) {
                Some("an even number of hex digit is expected".to_string())
            } else {
                None
            };
            if let Some(b) = bad {
                // HAProxy's text ends with a line holding only '.'.
                return Err(format!("{pfx}'{v}' invalid binary string ({b}).\n."));
            }
        }
        "expect" => check_expect(rest, http).map_err(|e| format!("{pfx}{e}"))?,
        _ => {}
    }
    Ok(Rule {
        keyword: kw.into(),
        action: a.into(),
        action_args: Action::Words {
            words: rest.to_vec(),
        },
        ..Rule::default()
    })
}

/// `http-check connect` / `tcp-check connect` options.
fn check_connect(a: &[String]) -> Result<(), String> {
    let mut i = 0;
    while let Some(w) = a.get(i).map(String::as_str) {
        match w {
            "send-proxy" | "ssl" | "via-socks4" | "linger" | "default" => i += 1,
            "comment" | "addr" | "sni" | "alpn" | "proto" => i += 2,
            "port" => {
                let v = a.get(i + 1).map(String::as_str).unwrap_or("");
                if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) {
                    let n = super::values::atol(v);
                    if !(1..=65535).contains(&n) {
                        return Err(format!(
                            "expects a valid TCP port (from range 1 to 65535) or a sample expression, got {n}.."
                        ));
                    }
                } else {
                    parse_sample(v).map_err(|e| {
                        format!("error detected while parsing port expression : {e}.")
                    })?;
                }
                i += 2;
            }
            _ => {
                return Err(format!(
                    "expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '{w}' as argument.."
                ));
            }
        }
    }
    Ok(())
}

/// `http-check send` options.
fn check_http_send(a: &[String]) -> Result<(), String> {
    let mut i = 0;
    let v = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    while i < a.len() {
        let w = v(i);
        match w {
            "comment" | "meth" | "uri" | "uri-lf" | "ver" | "body" | "body-lf" => {
                if v(i + 1).is_empty() {
                    return Err(format!("'{w}' expects a string as argument.."));
                }
                if w.ends_with("-lf") {
                    logfmt::check(v(i + 1)).map_err(|e| format!("{e}."))?;
                }
                i += 2;
            }
            "hdr" => {
                if v(i + 1).is_empty() || v(i + 2).is_empty() {
                    return Err("'hdr' expects <name> and <value> as arguments.".into());
                }
                i += 3;
            }
            _ => {
                return Err(format!(
                    "expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '{w}' as argument.."
                ));
            }
        }
    }
    Ok(())
}

/// `http-check expect` / `tcp-check expect`: `[!] MATCH PATTERN` and options.
fn check_expect(a: &[String], http: bool) -> Result<(), String> {
    let v = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    if a.is_empty() {
        return Err("expects at least a matching pattern as arguments.".into());
    }
    let unknown = |w: &str| -> String {
        if http {
            format!(
                "'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '{w}' as argument.."
            )
        } else {
            format!(
                "'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '{w}' as argument.."
            )
        }
    };
    let matchers: &[&str] = if http {
        &[
            "string",
            "rstring",
            "string-lf",
            "status",
            "rstatus",
            "hdr",
            "fhdr",
        ]
    } else {
        &[
            "binary",
            "string",
            "rstring",
            "string-lf",
            "rbinary",
            "binary-lf",
        ]
    };
    let options = [
        "comment",
        "min-recv",
        "ok-status",
        "error-status",
        "tout-status",
        "on-success",
        "on-error",
        "status-code",
    ];
    let mut i = 0;
    let mut have_match = false;
    while i < a.len() {
        let mut w = v(i);
        if w == "!" {
            i += 1;
            w = v(i);
        }
        let m = w.trim_start_matches('!');
        if matchers.contains(&m) && !have_match {
            have_match = true;
            if m == "hdr" || m == "fhdr" {
                i = expect_hdr(a, i, m)?;
                continue;
            }
            let p = v(i + 1);
            if p.is_empty() {
                return Err(format!("'{m}' expects a <pattern> as argument."));
            }
            if m.starts_with('r') {
                super::expr::pcre::check(p).map_err(|e| format!("{e}."))?;
            }
            if m.ends_with("-lf") {
                logfmt::check(p).map_err(|e| format!("{e}."))?;
            }
            if m == "status"
                && let Some(c) = p
                    .chars()
                    .find(|c| !c.is_ascii_digit() && *c != '-' && *c != ',')
            {
                return Err(format!(
                    "invalid character '{c}' in the list of status codes."
                ));
            }
            if m == "binary" {
                let bad = if !p.len().is_multiple_of(2) {
                    Some("an even number of hex digit is expected".to_string())
                } else {
                    p.chars()
                        .find(|c| !c.is_ascii_hexdigit())
                        .map(|c| format!("an hex digit is expected (found '{c}')"))
                };
                if let Some(b) = bad {
                    return Err(format!("invalid binary string ({b})."));
                }
            }
            i += 2;
        } else if options.contains(&m) {
            let val = v(i + 1);
            if m == "status-code" {
                if val.is_empty() {
                    return Err("'status-code' expects an expression as argument.".into());
                }
                parse_sample(val).map_err(|e| {
                    format!("error detected while parsing status-code expression : {e}.")
                })?;
            } else if m != "min-recv" && val.is_empty() {
                return Err(format!("'{m}' expects a string as argument."));
            }
            let allowed: &[&str] = match m {
                "ok-status" => &["L4OK", "L6OK", "L7OK", "L7OKC"],
                "error-status" => &["L4CON", "L6RSP", "L7RSP", "L7STS"],
                "tout-status" => &["L4TOUT", "L6TOUT", "L7TOUT"],
                _ => &[],
            };
            if !allowed.is_empty() && !allowed.contains(&val) {
                let names: Vec<String> = allowed.iter().map(|x| format!("'{x}'")).collect();
                let (last, first) = names
                    .split_last()
                    .map_or(("", &[][..]), |(l, f)| (l.as_str(), f));
                return Err(format!(
                    "'{m}' only supports {} or {last} status (got '{val}')..",
                    first.join(", ")
                ));
            }
            if matches!(m, "on-success" | "on-error") {
                logfmt::check(val).map_err(|e| format!("{e}."))?;
            }
            i += 2;
        } else {
            return Err(unknown(w));
        }
    }
    if !have_match {
        return Err("expects at least a matching pattern as arguments.".into());
    }
    Ok(())
}

/// `hdr|fhdr name[-lf] [-m METH] NAME [value[-lf] [-m METH] VALUE]` of
/// `http-check expect` (HAProxy 2.6's parse_tcpcheck_expect()); `i` is the
/// index of `hdr`. Returns the index after it.
fn expect_hdr(a: &[String], i: usize, m: &str) -> Result<usize, String> {
    let v = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let meth = |i: usize, lf: bool| -> Result<(), String> {
        match v(i + 1) {
            "" => Err(format!(
                "'{m}' : '-m' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg')."
            )),
            "str" | "beg" | "end" | "sub" => Ok(()),
            "reg" if lf => Err(format!(
                "'{m}': log-format string is not supported with a regex matching method."
            )),
            "reg" => Ok(()),
            other => Err(format!(
                "'{m}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '{other}')."
            )),
        }
    };
    if v(i + 1).is_empty() || v(i + 2).is_empty() || !matches!(v(i + 1), "name" | "name-lf") {
        return Err(format!(
            "'{m}' expects at the name keyword as first argument followed by a pattern."
        ));
    }
    let name_lf = v(i + 1) == "name-lf";
    let mut cur = i + 2;
    let mut name_reg = false;
    if v(cur) == "-m" {
        meth(cur, name_lf)?;
        name_reg = v(cur + 1) == "reg";
        cur += 2;
    }
    let npat = v(cur);
    let mut vpat = None;
    if matches!(v(cur + 1), "value" | "value-lf") {
        let value_lf = v(cur + 1) == "value-lf";
        let mut value_reg = false;
        if v(cur + 2) == "-m" {
            cur += 2;
            meth(cur, value_lf)?;
            value_reg = v(cur + 1) == "reg";
        }
        if v(cur + 2).is_empty() {
            return Err(format!("'{m}' expect a pattern with the value keyword."));
        }
        vpat = Some((v(cur + 2), value_reg, value_lf));
        cur += 2;
    }
    // The patterns are compiled once the line is read, name first.
    if name_reg {
        super::expr::pcre::check(npat).map_err(|e| format!("{e}."))?;
    } else if name_lf {
        logfmt::check(npat).map_err(|e| format!("{e}."))?;
    }
    if let Some((p, reg, lf)) = vpat {
        if reg {
            super::expr::pcre::check(p).map_err(|e| format!("{e}."))?;
        } else if lf {
            logfmt::check(p).map_err(|e| format!("{e}."))?;
        }
    }
    Ok(cur + 1)
}

fn parse_monitor(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    if ctx.section == "backend" {
        ctx.warnings.push(format!(
            "'monitor' ignored because backend '{}' has no frontend capability.",
            ctx.proxy
        ));
    }
    if arg(args, 1) != "fail" {
        return Err("'monitor' only supports 'fail'.".into());
    }
    let w = arg(args, 2);
    if w != "if" && w != "unless" {
        return Err(
            "'monitor fail' requires either 'if' or 'unless' followed by a condition.".into(),
        );
    }
    let cond = trailing_cond(args, 2, ctx, |e| {
        format!("error detected while parsing a 'monitor fail' condition : {e}.")
    })?;
    Ok(Rule {
        keyword: "monitor".into(),
        ruleset: Some("fail".into()),
        action: "fail".into(),
        cond,
        ..Rule::default()
    })
}

fn parse_capture(args: &[String]) -> Result<Rule, String> {
    let dir = arg(args, 1);
    if (dir == "request" || dir == "response") && arg(args, 2) == "header" {
        let name = arg(args, 3);
        if arg(args, 4) != "len" || arg(args, 5).is_empty() {
            return Err(format!(
                "'capture {dir}' expects 'header' <header_name> 'len' <len>."
            ));
        }
        // atol: HAProxy 2.6.12 accepts `len 0` and `len x`.
        let len = super::values::atol(arg(args, 5));
        return Ok(Rule {
            keyword: "capture".into(),
            ruleset: Some(dir.into()),
            action: "header".into(),
            action_args: Action::CaptureHeader {
                name: name.into(),
                len,
            },
            ..Rule::default()
        });
    }
    if dir != "cookie" {
        return Err("'capture' expects 'cookie' or 'request header' or 'response header'.".into());
    }
    Ok(Rule {
        keyword: "capture".into(),
        ruleset: Some(dir.into()),
        action: arg(args, 2).into(),
        action_args: Action::Words {
            words: args.iter().skip(3).cloned().collect(),
        },
        ..Rule::default()
    })
}

/// A `use_backend` name holding `%[...]` is a log-format string evaluated
/// at run time; HAProxy checks it while parsing. On error returns the
/// [`RAW`](super::expr::RAW) message (HAProxy writes `Parsing` with a capital
/// P and no space before the colon here).
pub fn check_dynamic_backend(name: &str, file: &str, line: u32) -> Result<(), String> {
    logfmt::check(name).map_err(|e| {
        raw(&[format!(
            "Parsing [{file}:{line}]: failed to parse use_backend rule '{name}' : {e}."
        )])
    })
}

/// HAProxy's post-parse warning for an HTTP frontend whose
/// `tcp-request content track-sc*` key does not need the request contents
/// (printed without location, once per such rule); `proxy` is the frontend's name.
pub fn track_sc_session_warning(proxy: &str, rule: &Rule) -> Option<String> {
    if rule.keyword != "tcp-request" || rule.ruleset.as_deref() != Some("content") {
        return None;
    }
    let Action::TrackSc { key, .. } = &rule.action_args else {
        return None;
    };
    let sig = tables().fetches.get(key.fetch.as_str())?;
    sig.places.contains(&"fe-tcp-sess").then(|| {
        format!(
            "frontend '{proxy}' : a 'tcp-request content track-sc*' rule not depending on request contents for an HTTP frontend should be executed at the session level, using a 'tcp-request session' rule (mandatory to track invalid HTTP requests)."
        )
    })
}

/// Fetches that read the raw request (resp. response) buffer: HAProxy's
/// SMP_USE_L6REQ / SMP_USE_L6RES (configuration.txt section 7.3.5).
const L6_REQ_FETCHES: &[&str] = &[
    "distcc_body",
    "distcc_param",
    "payload",
    "payload_lv",
    "rdp_cookie",
    "rdp_cookie_cnt",
    "req.len",
    "req.payload",
    "req.payload_lv",
    "req.proto_http",
    "req.rdp_cookie",
    "req.rdp_cookie_cnt",
    "req.ssl_alpn",
    "req.ssl_ec_ext",
    "req.ssl_hello_type",
    "req.ssl_sni",
    "req.ssl_st_ext",
    "req.ssl_ver",
    "req_len",
    "req_proto_http",
    "req_ssl_hello_type",
    "req_ssl_sni",
    "req_ssl_ver",
    "wait_end",
];
const L6_RES_FETCHES: &[&str] = &[
    "rep_ssl_hello_type",
    "res.len",
    "res.payload",
    "res.payload_lv",
    "res.ssl_hello_type",
];

/// HAProxy's post-parse warnings on one `tcp-request content` rule of a
/// proxy with a frontend side (`check_config_validity()`), in its order:
/// a `track-sc*` or `capture` that reads the request contents without any
/// `tcp-request inspect-delay`, or, for an HTTP frontend, a `track-sc*` that
/// does not read them (see [`track_sc_session_warning`]). Texts are what
/// follows `config : `. `kind` is "frontend"/"listen"/"defaults".
pub fn tcp_content_warning(
    rule: &Rule,
    kind: &str,
    proxy: &str,
    http: bool,
    inspect_delay: bool,
) -> Option<String> {
    if rule.keyword != "tcp-request" || rule.ruleset.as_deref() != Some("content") {
        return None;
    }
    let content = |s: &Sample| -> bool {
        tables()
            .fetches
            .get(s.fetch.as_str())
            .is_some_and(|f| !f.places.contains(&"fe-tcp-sess"))
    };
    let what = match &rule.action_args {
        Action::TrackSc { key, .. } if content(key) => "tcp-request content track-sc*",
        Action::TrackSc { .. } if http && kind != "defaults" => {
            return track_sc_session_warning(proxy, rule);
        }
        Action::Capture { expr, .. } if content(expr) => "tcp-request capture",
        _ => return None,
    };
    (!inspect_delay).then(|| {
        format!(
            "{kind} '{proxy}' : a '{what}' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay."
        )
    })
}

/// HAProxy's post-parse warning for a `tcp-request content` (or
/// `tcp-response content`) rule of an HTTP proxy whose condition reads the
/// raw buffer: `Proxy 'fe': L6 sample fetches ignored on HTTP proxies
/// (declared at FILE:LINE).` `acls` are the proxy's declared ACLs (named
/// ACLs in the condition are looked up there).
pub fn l6_warning(
    rule: &Rule,
    file: &str,
    line: u32,
    proxy: &str,
    acls: &[crate::ir::haproxy::expr::Acl],
) -> Option<String> {
    let list = match (rule.keyword.as_str(), rule.ruleset.as_deref()) {
        ("tcp-request", Some("content")) => L6_REQ_FETCHES,
        ("tcp-response", Some("content")) => L6_RES_FETCHES,
        _ => return None,
    };
    let cond = rule.cond.as_ref()?;
    let uses = cond.any_of.iter().flatten().any(|t| match &t.acl {
        crate::ir::haproxy::expr::AclRef::Anonymous(a) => list.contains(&a.sample.fetch.as_str()),
        crate::ir::haproxy::expr::AclRef::Named(n) => acls
            .iter()
            .any(|a| &a.name == n && list.contains(&a.sample.fetch.as_str())),
        crate::ir::haproxy::expr::AclRef::Predefined(n) => {
            matches!(n.as_str(), "REQ_CONTENT" | "RDP_COOKIE" | "WAIT_END")
                && std::ptr::eq(list, L6_REQ_FETCHES)
        }
    });
    uses.then(|| {
        format!("Proxy '{proxy}': L6 sample fetches ignored on HTTP proxies (declared at {file}:{line}).")
    })
}

#[cfg(test)]
mod tests;
