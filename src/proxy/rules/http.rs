//! HTTP rules of one proxy: compile from the IR, run against a [`Txn`].

use std::collections::HashSet;
use std::sync::Arc;

use regex::bytes::Regex;

use super::logfmt::LogFormat;
use super::reply;
use super::{Ext, RulesEnv, RulesError, Txn, Verdict};
use crate::ir::haproxy::expr::{Action, HttpReply, Redirect, Rule};
use crate::ir::haproxy::{Located, Proxy};
use crate::proxy::acl::{
    AclError, CompileEnv, CompiledCond, CompiledSample, Ctx, Dir, Scope, Value, split_var,
};
use crate::proxy::http::msg::HeaderList;
use crate::proxy::stick::TrackStage;

#[derive(Debug, Clone)]
enum Body {
    None,
    Static(Vec<u8>),
    Lf(LogFormat),
    /// `errorfile`: a complete HTTP response read from a file, sent as is.
    Raw(Vec<u8>),
}

#[derive(Debug, Clone)]
struct ReplySpec {
    status: u16,
    ctype: Option<String>,
    body: Body,
    headers: Vec<(String, LogFormat)>,
    /// Nothing but a status: HAProxy sends its error page for that status (or the proxy's
    /// `errorfile`).
    builtin: bool,
}

#[derive(Debug, Clone)]
enum RedirKind {
    Location,
    Prefix,
    Scheme,
}

#[derive(Debug, Clone)]
struct RedirSpec {
    kind: RedirKind,
    target: LogFormat,
    code: u16,
    drop_query: bool,
    append_slash: bool,
    ignore_empty: bool,
    cookie: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy)]
enum DelMatch {
    Str,
    Beg,
    End,
    Sub,
}

#[derive(Debug, Clone)]
enum DelName {
    Text(String, DelMatch),
    Reg(Regex),
}

#[derive(Debug, Clone)]
enum Act {
    Allow,
    Deny(ReplySpec),
    Tarpit(ReplySpec),
    Return(ReplySpec),
    Auth(String),
    Redirect(RedirSpec),
    Reject,
    SilentDrop,
    SetHeader(String, LogFormat),
    AddHeader(String, LogFormat),
    DelHeader(DelName),
    ReplaceHeader {
        name: String,
        re: Regex,
        fmt: LogFormat,
        per_value: bool,
    },
    /// `replace-path` / `replace-pathq` / `replace-uri`: when the regex matches the part,
    /// the whole part becomes the expanded format (measured on HAProxy 2.6.12:
    /// `replace-path /foo /bar` turns `/x/foo/y?a=1` into `/bar?a=1`).
    ReplaceUri {
        part: UriPart,
        re: Regex,
        fmt: LogFormat,
    },
    SetPath(LogFormat),
    SetPathq(LogFormat),
    SetQuery(LogFormat),
    SetUri(LogFormat),
    SetMethod(LogFormat),
    SetStatus(u16, Option<String>),
    SetVar(Scope, Box<str>, CompiledSample),
    SetVarFmt(Scope, Box<str>, LogFormat),
    UnsetVar(Scope, Box<str>),
    Capture {
        expr: CompiledSample,
        len: usize,
        slot: usize,
    },
    SetLogLevel(String),
    /// `use-service NAME`.
    UseService(String),
    TrackSc {
        counter: u8,
        key: CompiledSample,
        table: String,
    },
    /// `sc-inc-gpc0(N)` / `sc-inc-gpc1(N)`.
    IncGpc {
        counter: u8,
        which: u8,
    },
    /// `disable-l7-retry`.
    DisableL7Retry,
    /// `set-src`, `set-src-port`, `set-dst`, `set-dst-port`.
    SetAddr(AddrPart, CompiledSample),
    /// `set-timeout server|tunnel <time>|<expr>` (an expression gives milliseconds).
    SetTimeout {
        tunnel: bool,
        ms: Option<u64>,
        expr: Option<CompiledSample>,
    },
    /// Accepted but without effect here (set-nice, set-tos, ...).
    Noop,
}

use super::addr::AddrPart;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UriPart {
    Path,
    /// Path and query.
    Pathq,
    Uri,
}

#[derive(Debug, Clone)]
struct HRule {
    act: Act,
    cond: Option<CompiledCond>,
}

#[derive(Debug, Clone)]
struct UseBe {
    name: LogFormat,
    dynamic: bool,
    cond: Option<CompiledCond>,
}

#[derive(Debug, Clone)]
pub(super) struct Compiled {
    proxy: Arc<str>,
    frontend: bool,
    monitor_uri: Option<String>,
    monitor_fail: Vec<CompiledCond>,
    req_hdr_caps: Vec<(String, usize)>,
    res_hdr_caps: Vec<(String, usize)>,
    req_slots: usize,
    res_slots: usize,
    req_rules: Vec<HRule>,
    redirects: Vec<HRule>,
    res_rules: Vec<HRule>,
    after_rules: Vec<HRule>,
    use_backends: Vec<UseBe>,
    default_backend: Option<String>,
    backends: Arc<HashSet<String>>,
    /// `use-server NAME if|unless COND` in order.
    use_servers: Vec<(String, Option<CompiledCond>)>,
    /// `force-persist` (true) / `ignore-persist` (false) rules in order.
    persist_rules: Vec<(bool, Option<CompiledCond>)>,
    /// The proxy's `errorfile`/`errorloc`/`errorfiles` pages (deny, tarpit, auth use them).
    pages: crate::proxy::http::errors::ErrorPages,
}

fn err(r: &Located<Rule>, msg: impl Into<String>) -> RulesError {
    RulesError::Rule {
        file: r.span.file.clone(),
        line: r.span.line,
        msg: msg.into(),
    }
}

fn acl_err(r: &Located<Rule>, e: AclError) -> RulesError {
    RulesError::Acl {
        file: r.span.file.clone(),
        line: r.span.line,
        source: e,
    }
}

fn read_file(env: &RulesEnv<'_>, path: &str) -> std::io::Result<Vec<u8>> {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        std::fs::read(p)
    } else {
        std::fs::read(env.base_dir.join(p))
    }
}

/// The condition of a `force-persist` / `ignore-persist` line (`first` is `if`/`unless`),
/// parsed with the config front end's condition parser and compiled.
fn persist_cond(
    cenv: &CompileEnv<'_>,
    proxy: &Proxy,
    r: &Located<Rule>,
    first: &str,
    words: &[String],
) -> Result<CompiledCond, RulesError> {
    let mut args = Vec::with_capacity(words.len() + 1);
    args.push(first.to_string());
    args.extend(words.iter().cloned());
    let acl_names: Vec<String> = proxy.acls.iter().map(|a| a.value.name.clone()).collect();
    let mut warnings = Vec::new();
    let mut ctx = crate::config::haproxy::expr::Ctx {
        file: &r.span.file,
        line: r.span.line,
        section: "backend",
        proxy: &proxy.name,
        http: true,
        acl_names: &acl_names,
        warnings: &mut warnings,
    };
    let cond =
        crate::config::haproxy::expr::parse_condition(&args, &mut ctx).map_err(|m| err(r, m))?;
    CompiledCond::compile(&cond, cenv).map_err(|e| acl_err(r, e))
}

/// Re-emits an errorfile as HAProxy does: header names lowercased, `connection: close`
/// when the file gives no content-length.
fn normalize_errorfile(raw: &[u8]) -> Vec<u8> {
    let Some(end) = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
    else {
        return raw.to_vec();
    };
    let head = &raw[..end];
    let body = &raw[end..];
    let mut out = Vec::with_capacity(raw.len() + 20);
    let mut has_cl = false;
    for (i, line) in head.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if i == 0 {
            out.extend_from_slice(line);
        } else {
            let colon = line.iter().position(|b| *b == b':').unwrap_or(line.len());
            let name = line[..colon].to_ascii_lowercase();
            has_cl |= name == b"content-length";
            out.extend_from_slice(&name);
            out.extend_from_slice(b": ");
            let v = line.get(colon + 1..).unwrap_or(b"");
            out.extend_from_slice(trim(v));
        }
        out.extend_from_slice(b"\r\n");
    }
    if !has_cl {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

struct Cx<'a, 'b> {
    env: &'a RulesEnv<'a>,
    cenv: CompileEnv<'b>,
    rule: &'a Located<Rule>,
}

impl Cx<'_, '_> {
    fn lf(&self, s: &str) -> Result<LogFormat, RulesError> {
        LogFormat::parse(s, &self.cenv).map_err(|e| acl_err(self.rule, e))
    }

    fn sample(&self, s: &crate::ir::haproxy::expr::Sample) -> Result<CompiledSample, RulesError> {
        CompiledSample::compile(s, &self.cenv).map_err(|e| acl_err(self.rule, e))
    }

    fn reply(&self, r: &HttpReply, default_status: u16) -> Result<ReplySpec, RulesError> {
        let status = r.status.unwrap_or(default_status);
        let body = match &r.body {
            None => Body::None,
            Some((kind, arg)) => match kind.as_str() {
                "string" => Body::Static(arg.as_bytes().to_vec()),
                "lf-string" => Body::Lf(self.lf(arg)?),
                "file" => Body::Static(
                    read_file(self.env, arg).map_err(|e| err(self.rule, format!("{arg}: {e}")))?,
                ),
                "lf-file" => {
                    let t = read_file(self.env, arg)
                        .map_err(|e| err(self.rule, format!("{arg}: {e}")))?;
                    Body::Lf(self.lf(&String::from_utf8_lossy(&t))?)
                }
                "errorfile" => Body::Raw(normalize_errorfile(
                    &read_file(self.env, arg).map_err(|e| err(self.rule, format!("{arg}: {e}")))?,
                )),
                // errorfiles / default-errorfiles: the proxy's (or http-errors section's)
                // page for the status; without one, the built-in page.
                _ => Body::None,
            },
        };
        let builtin =
            matches!(body, Body::None) && r.content_type.is_none() && r.headers.is_empty();
        let mut headers = Vec::with_capacity(r.headers.len());
        for (n, v) in &r.headers {
            headers.push((n.clone(), self.lf(v)?));
        }
        Ok(ReplySpec {
            status,
            ctype: r.content_type.clone(),
            body,
            headers,
            builtin,
        })
    }

    fn redirect(&self, r: &Redirect) -> Result<RedirSpec, RulesError> {
        let kind = match r.kind.as_str() {
            "prefix" => RedirKind::Prefix,
            "scheme" => RedirKind::Scheme,
            _ => RedirKind::Location,
        };
        let cookie = match (&r.set_cookie, &r.clear_cookie) {
            (Some(c), _) => Some(format!("{c}; path=/;").into_bytes()),
            (None, Some(c)) => {
                let c = if c.contains('=') {
                    c.clone()
                } else {
                    format!("{c}=")
                };
                Some(format!("{c}; path=/; Max-Age=0;").into_bytes())
            }
            (None, None) => None,
        };
        Ok(RedirSpec {
            kind,
            target: self.lf(&r.target)?,
            code: r.code.unwrap_or(302),
            drop_query: r.drop_query,
            append_slash: r.append_slash,
            ignore_empty: r.ignore_empty,
            cookie,
        })
    }
}

fn var_name(r: &Located<Rule>, v: &str) -> Result<(Scope, Box<str>), RulesError> {
    split_var(v)
        .map(|(s, n)| (s, n.into()))
        .ok_or_else(|| err(r, format!("invalid variable name '{v}'")))
}

impl Compiled {
    pub(super) fn compile(env: &RulesEnv<'_>, proxy: &Proxy) -> Result<Self, RulesError> {
        let acls: Vec<_> = proxy.acls.iter().map(|a| a.value.clone()).collect();
        let cenv = CompileEnv {
            acls: &acls,
            userlists: env.userlists,
            base_dir: env.base_dir,
            proxy: &proxy.name,
        };
        let frontend = proxy.kind.is_frontend();
        let mut c = Compiled {
            proxy: proxy.name.as_str().into(),
            frontend,
            monitor_uri: proxy.settings.monitor_uri.clone().filter(|_| frontend),
            monitor_fail: Vec::new(),
            req_hdr_caps: Vec::new(),
            res_hdr_caps: Vec::new(),
            req_slots: 0,
            res_slots: 0,
            req_rules: Vec::new(),
            redirects: Vec::new(),
            res_rules: Vec::new(),
            after_rules: Vec::new(),
            use_backends: Vec::new(),
            default_backend: proxy
                .settings
                .default_backend
                .as_ref()
                .map(|n| n.name.clone())
                .filter(|_| frontend),
            backends: Arc::new(
                env.cfg
                    .proxies
                    .iter()
                    .filter(|p| p.kind.is_backend())
                    .map(|p| p.name.clone())
                    .collect(),
            ),
            use_servers: Vec::new(),
            persist_rules: Vec::new(),
            // a page that cannot be read made the engine refuse the config already
            pages: crate::proxy::http::errors::ErrorPages::from_ir(env.cfg, proxy)
                .unwrap_or_default(),
        };
        // Header captures are frontend-only in HAProxy; their slots come first.
        if frontend {
            for cap in &proxy.captures {
                let len = cap.len as usize;
                if cap.direction == "request" {
                    c.req_hdr_caps.push((cap.header.clone(), len));
                } else {
                    c.res_hdr_caps.push((cap.header.clone(), len));
                }
            }
        }
        c.req_slots = c.req_hdr_caps.len();
        c.res_slots = c.res_hdr_caps.len();
        let (def_rules, def_acls) = super::inherited_rules(env.cfg, proxy);
        let def_acls: Vec<_> = def_acls.iter().map(|a| a.value.clone()).collect();
        let def_cenv = CompileEnv {
            acls: &def_acls,
            ..cenv
        };
        let inherited = def_rules
            .iter()
            .filter(|r| {
                matches!(
                    r.value.keyword.as_str(),
                    "http-request" | "http-response" | "http-after-response"
                )
            })
            .map(|r| (r, def_cenv));
        for (r, cenv) in inherited.chain(proxy.rules.iter().map(|r| (r, cenv))) {
            let rule = &r.value;
            let cond = match &rule.cond {
                Some(cd) => Some(CompiledCond::compile(cd, &cenv).map_err(|e| acl_err(r, e))?),
                None => None,
            };
            let cx = Cx { env, cenv, rule: r };
            match rule.keyword.as_str() {
                "monitor" => {
                    if let Some(cd) = cond {
                        c.monitor_fail.push(cd);
                    }
                }
                "use-server" => {
                    if let Action::Server { name } = &rule.action_args {
                        c.use_servers.push((name.clone(), cond));
                    }
                }
                "force-persist" | "ignore-persist" => {
                    // the IR keeps these as words (`if`/`unless` + the condition)
                    let cond = match (&rule.cond, &rule.action_args) {
                        (Some(_), _) => cond,
                        (None, Action::Words { words }) => {
                            Some(persist_cond(&cenv, proxy, r, &rule.action, words)?)
                        }
                        (None, _) => None,
                    };
                    c.persist_rules
                        .push((rule.keyword == "force-persist", cond));
                }
                "redirect" => {
                    if let Action::Redirect(rd) = &rule.action_args {
                        c.redirects.push(HRule {
                            act: Act::Redirect(cx.redirect(rd)?),
                            cond,
                        });
                    }
                }
                "http-request" | "http-response" | "http-after-response" => {
                    let dir = match rule.keyword.as_str() {
                        "http-request" => 0,
                        "http-response" => 1,
                        _ => 2,
                    };
                    let act = c.action(&cx, rule, dir)?;
                    let list = match dir {
                        0 => &mut c.req_rules,
                        1 => &mut c.res_rules,
                        _ => &mut c.after_rules,
                    };
                    list.push(HRule { act, cond });
                }
                _ => {}
            }
        }
        for ub in &proxy.use_backends {
            let fake = Located {
                span: ub.span.clone(),
                value: Rule::default(),
            };
            let cond = match &ub.cond {
                Some(cd) => Some(CompiledCond::compile(cd, &cenv).map_err(|e| acl_err(&fake, e))?),
                None => None,
            };
            let name = LogFormat::parse(&ub.backend, &cenv).map_err(|e| acl_err(&fake, e))?;
            c.use_backends.push(UseBe {
                name,
                dynamic: ub.dynamic,
                cond,
            });
        }
        Ok(c)
    }

    fn action(&mut self, cx: &Cx<'_, '_>, rule: &Rule, dir: u8) -> Result<Act, RulesError> {
        let r = cx.rule;
        let a = rule.action.as_str();
        let base = a.split('(').next().unwrap_or(a);
        Ok(match (base, &rule.action_args) {
            ("allow", _) => Act::Allow,
            ("deny", Action::Reply(rep)) => {
                Act::Deny(cx.reply(rep, if dir == 0 { 403 } else { 502 })?)
            }
            ("deny", _) => {
                Act::Deny(cx.reply(&HttpReply::default(), if dir == 0 { 403 } else { 502 })?)
            }
            ("tarpit", Action::Reply(rep)) => Act::Tarpit(cx.reply(rep, 500)?),
            ("tarpit", _) => Act::Tarpit(cx.reply(&HttpReply::default(), 500)?),
            // `return` without payload sends an empty body, not the error page (measured).
            ("return", Action::Reply(rep)) => Act::Return(ReplySpec {
                builtin: false,
                ..cx.reply(rep, 200)?
            }),
            ("return", _) => Act::Return(ReplySpec {
                builtin: false,
                ..cx.reply(&HttpReply::default(), 200)?
            }),
            ("auth", Action::Auth { realm }) => {
                Act::Auth(realm.clone().unwrap_or_else(|| self.proxy.to_string()))
            }
            ("auth", _) => Act::Auth(self.proxy.to_string()),
            ("redirect", Action::Redirect(rd)) => Act::Redirect(cx.redirect(rd)?),
            ("reject", _) => Act::Reject,
            ("silent-drop", _) => Act::SilentDrop,
            ("set-header", Action::Header { name, fmt }) => {
                Act::SetHeader(name.clone(), cx.lf(fmt)?)
            }
            ("add-header", Action::Header { name, fmt }) => {
                Act::AddHeader(name.clone(), cx.lf(fmt)?)
            }
            ("del-header", Action::DelHeader { name, method }) => {
                Act::DelHeader(match method.as_deref() {
                    Some("reg") => DelName::Reg(
                        Regex::new(&format!("(?i){name}")).map_err(|e| err(r, e.to_string()))?,
                    ),
                    Some("beg") => DelName::Text(name.clone(), DelMatch::Beg),
                    Some("end") => DelName::Text(name.clone(), DelMatch::End),
                    Some("sub") => DelName::Text(name.clone(), DelMatch::Sub),
                    _ => DelName::Text(name.clone(), DelMatch::Str),
                })
            }
            ("replace-header" | "replace-value", Action::Replace { name, regex, fmt }) => {
                Act::ReplaceHeader {
                    name: name.clone(),
                    re: Regex::new(regex).map_err(|e| err(r, e.to_string()))?,
                    fmt: cx.lf(fmt)?,
                    per_value: base == "replace-value",
                }
            }
            (
                "replace-path" | "replace-pathq" | "replace-uri",
                Action::Replace { regex, fmt, .. },
            ) => Act::ReplaceUri {
                part: match base {
                    "replace-path" => UriPart::Path,
                    "replace-pathq" => UriPart::Pathq,
                    _ => UriPart::Uri,
                },
                re: Regex::new(regex).map_err(|e| err(r, e.to_string()))?,
                fmt: cx.lf(fmt)?,
            },
            ("set-path", Action::Format { fmt }) => Act::SetPath(cx.lf(fmt)?),
            ("set-pathq", Action::Format { fmt }) => Act::SetPathq(cx.lf(fmt)?),
            ("set-query", Action::Format { fmt }) => Act::SetQuery(cx.lf(fmt)?),
            ("set-uri", Action::Format { fmt }) => Act::SetUri(cx.lf(fmt)?),
            ("set-method", Action::Format { fmt }) => Act::SetMethod(cx.lf(fmt)?),
            ("set-status", Action::Words { words }) => {
                let st = words
                    .first()
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| err(r, "set-status expects a status"))?;
                let reason = match words.get(1).map(String::as_str) {
                    Some("reason") => words.get(2).cloned(),
                    _ => None,
                };
                Act::SetStatus(st, reason)
            }
            ("set-var", Action::SetVar { var, expr }) => {
                let (s, n) = var_name(r, var)?;
                Act::SetVar(s, n, cx.sample(expr)?)
            }
            ("set-var-fmt", Action::SetVarFmt { var, fmt }) => {
                let (s, n) = var_name(r, var)?;
                Act::SetVarFmt(s, n, cx.lf(fmt)?)
            }
            ("unset-var", Action::UnsetVar { var }) => {
                let (s, n) = var_name(r, var)?;
                Act::UnsetVar(s, n)
            }
            ("capture", Action::Capture { expr, len, id }) => {
                let (slot, len) = match (id, len) {
                    (Some(id), _) => {
                        let slot = usize::try_from(*id).unwrap_or(usize::MAX);
                        let caps = if dir == 0 {
                            &self.req_hdr_caps
                        } else {
                            &self.res_hdr_caps
                        };
                        (slot, caps.get(slot).map_or(64, |c| c.1))
                    }
                    (None, l) => {
                        let slot = if dir == 0 {
                            self.req_slots += 1;
                            self.req_slots - 1
                        } else {
                            self.res_slots += 1;
                            self.res_slots - 1
                        };
                        (slot, usize::try_from(l.unwrap_or(64)).unwrap_or(64))
                    }
                };
                Act::Capture {
                    expr: cx.sample(expr)?,
                    len,
                    slot,
                }
            }
            ("set-log-level", Action::SetLogLevel { level }) => Act::SetLogLevel(level.clone()),
            ("use-service", Action::UseService { name }) => Act::UseService(name.clone()),
            ("disable-l7-retry", _) => Act::DisableL7Retry,
            ("set-timeout", Action::Words { words }) => {
                let what = words.first().map(String::as_str).unwrap_or("");
                let arg = words.get(1).map(String::as_str).unwrap_or("");
                let (ms, expr) = match crate::config::haproxy::values::parse_time(
                    arg,
                    crate::config::haproxy::values::TimeUnit::Ms,
                ) {
                    Ok(t) => (Some(u64::from(t.value)), None),
                    Err(_) => {
                        let smp = crate::config::haproxy::expr::sample::parse_sample(arg)
                            .map_err(|e| err(r, e))?;
                        (None, Some(cx.sample(&smp)?))
                    }
                };
                Act::SetTimeout {
                    tunnel: what == "tunnel",
                    ms,
                    expr,
                }
            }
            ("set-src", Action::SetVar { expr, .. }) => {
                Act::SetAddr(AddrPart::Src, cx.sample(expr)?)
            }
            ("set-dst", Action::SetVar { expr, .. }) => {
                Act::SetAddr(AddrPart::Dst, cx.sample(expr)?)
            }
            ("set-src-port", Action::SetVar { expr, .. }) => {
                Act::SetAddr(AddrPart::SrcPort, cx.sample(expr)?)
            }
            ("set-dst-port", Action::SetVar { expr, .. }) => {
                Act::SetAddr(AddrPart::DstPort, cx.sample(expr)?)
            }
            (
                _,
                Action::TrackSc {
                    counter,
                    key,
                    table,
                },
            ) => Act::TrackSc {
                counter: *counter,
                key: cx.sample(key)?,
                table: table.clone().unwrap_or_else(|| self.proxy.to_string()),
            },
            _ => match super::tcp::inc_gpc_action(a) {
                Some((counter, which)) => Act::IncGpc { counter, which },
                None => Act::Noop,
            },
        })
    }

    pub(super) fn capture_slots(&self) -> (usize, usize) {
        (self.req_slots, self.res_slots)
    }

    /// Whether this request is the frontend's `monitor-uri` one.
    pub(super) fn is_monitor(&self, uri: &str) -> bool {
        self.monitor_uri
            .as_deref()
            .is_some_and(|m| monitor_matches(m, uri))
    }

    pub(super) fn monitor_uri(&self) -> Option<&str> {
        self.monitor_uri.as_deref()
    }

    pub(super) fn on_request(&self, txn: &mut Txn, ext: &Ext<'_>) -> Verdict {
        if self.frontend {
            if txn.req_captures.len() < self.req_slots {
                txn.req_captures.resize(self.req_slots, None);
            }
            capture_headers(&self.req_hdr_caps, &txn.req.headers, &mut txn.req_captures);
            if let Some(m) = &self.monitor_uri
                && monitor_matches(m, &txn.req.uri)
            {
                let ctx = txn.ctx(&self.proxy, Dir::Request, ext);
                let fail = self.monitor_fail.iter().any(|c| c.eval(&ctx));
                let status = if fail { 503 } else { 200 };
                txn.status = Some(status);
                return self.builtin_reply(status, &[]);
            }
        }
        let v = self.run(&self.req_rules, txn, ext, Dir::Request);
        if v != Verdict::Continue {
            return v;
        }
        self.run(&self.redirects, txn, ext, Dir::Request)
    }

    pub(super) fn on_response(&self, txn: &mut Txn, ext: &Ext<'_>) -> Verdict {
        if self.frontend && txn.res.is_some() {
            if txn.res_captures.len() < self.res_slots {
                txn.res_captures.resize(self.res_slots, None);
            }
            if let Some(res) = &txn.res {
                capture_headers(&self.res_hdr_caps, &res.headers, &mut txn.res_captures);
            }
        }
        self.run(&self.res_rules, txn, ext, Dir::Response)
    }

    /// The proxy has `http-after-response` rules.
    pub(super) fn has_after_response(&self) -> bool {
        !self.after_rules.is_empty()
    }

    pub(super) fn on_after_response(&self, txn: &mut Txn, ext: &Ext<'_>) {
        let _ = self.run(&self.after_rules, txn, ext, Dir::Response);
    }

    /// The servers named by the `use-server` rules whose condition holds, in order (the
    /// session takes the first one that is usable, as HAProxy's `process_server_rules()`).
    pub(super) fn use_servers(&self, txn: &Txn, ext: &Ext<'_>) -> Vec<&str> {
        if self.use_servers.is_empty() {
            return Vec::new();
        }
        let ctx = txn.ctx(&self.proxy, Dir::Request, ext);
        self.use_servers
            .iter()
            .filter(|(_, c)| CompiledCond::eval_opt(c.as_ref(), &ctx))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The first `force-persist` / `ignore-persist` rule whose condition holds: `Some(true)`
    /// for force, `Some(false)` for ignore.
    pub(super) fn persist_rule(&self, txn: &Txn, ext: &Ext<'_>) -> Option<bool> {
        if self.persist_rules.is_empty() {
            return None;
        }
        let ctx = txn.ctx(&self.proxy, Dir::Request, ext);
        self.persist_rules
            .iter()
            .find(|(_, c)| CompiledCond::eval_opt(c.as_ref(), &ctx))
            .map(|(force, _)| *force)
    }

    pub(super) fn select_backend(&self, txn: &Txn, ext: &Ext<'_>) -> Option<String> {
        let ctx = txn.ctx(&self.proxy, Dir::Request, ext);
        self.select_backend_ctx(&ctx)
    }

    pub(super) fn select_backend_ctx(&self, ctx: &Ctx<'_>) -> Option<String> {
        for ub in &self.use_backends {
            if !CompiledCond::eval_opt(ub.cond.as_ref(), ctx) {
                continue;
            }
            if !ub.dynamic {
                return Some(String::from_utf8_lossy(&ub.name.expand_to_vec(ctx)).into_owned());
            }
            // HAProxy 2.6: a dynamic name that is not a backend ends the search (the
            // default backend is used), it does not try the next rule.
            let name = String::from_utf8_lossy(&ub.name.expand_to_vec(ctx)).into_owned();
            if self.backends.contains(&name) {
                return Some(name);
            }
            break;
        }
        self.default_backend.clone()
    }

    fn builtin_reply(&self, status: u16, extra: &[(&str, &[u8])]) -> Verdict {
        if extra.is_empty()
            && let Some(page) = self.pages.custom(status)
        {
            return Verdict::Reply {
                status,
                bytes: page.to_vec(),
                close: !has_content_length(page),
            };
        }
        match reply::builtin(status, extra) {
            Some(bytes) => Verdict::Reply {
                status,
                bytes,
                close: reply::builtin_closes(status),
            },
            None => Verdict::Reply {
                status,
                bytes: reply::custom(status, &[], None, b""),
                close: false,
            },
        }
    }

    fn make_reply(&self, spec: &ReplySpec, ctx: &Ctx<'_>) -> (Vec<u8>, bool) {
        if spec.builtin {
            return match self.builtin_reply(spec.status, &[]) {
                Verdict::Reply { bytes, close, .. } => (bytes, close),
                _ => (Vec::new(), true),
            };
        }
        let headers: Vec<(String, Vec<u8>)> = spec
            .headers
            .iter()
            .map(|(n, f)| (n.clone(), f.expand_to_vec(ctx)))
            // HAProxy's http_reply_to_htx() adds a `hdr` only when its value is not empty
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match &spec.body {
            Body::Raw(r) => (r.clone(), !has_content_length(r)),
            Body::None => (
                reply::custom(spec.status, &headers, spec.ctype.as_deref(), b""),
                false,
            ),
            Body::Static(b) => (
                reply::custom(spec.status, &headers, spec.ctype.as_deref(), b),
                false,
            ),
            Body::Lf(f) => {
                let b = f.expand_to_vec(ctx);
                (
                    reply::custom(spec.status, &headers, spec.ctype.as_deref(), &b),
                    false,
                )
            }
        }
    }

    /// Runs one rule list; returns the first final verdict.
    fn run(&self, rules: &[HRule], txn: &mut Txn, ext: &Ext<'_>, dir: Dir) -> Verdict {
        for rule in rules {
            {
                let ctx = txn.ctx(&self.proxy, dir, ext);
                if !CompiledCond::eval_opt(rule.cond.as_ref(), &ctx) {
                    continue;
                }
            }
            match self.apply(&rule.act, txn, ext, dir) {
                Step::Next => {}
                Step::StopRules => return Verdict::Continue,
                Step::Final(v) => return v,
            }
        }
        Verdict::Continue
    }

    fn apply(&self, act: &Act, txn: &mut Txn, ext: &Ext<'_>, dir: Dir) -> Step {
        let proxy: &str = &self.proxy;
        match act {
            Act::Allow => Step::StopRules,
            Act::Deny(spec) | Act::Return(spec) => {
                let (bytes, close) = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    self.make_reply(spec, &ctx)
                };
                txn.status = Some(spec.status);
                txn.denied = matches!(act, Act::Deny(_));
                Step::Final(Verdict::Reply {
                    status: spec.status,
                    bytes,
                    close,
                })
            }
            Act::Tarpit(spec) => {
                let (bytes, _) = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    self.make_reply(spec, &ctx)
                };
                txn.status = Some(spec.status);
                Step::Final(Verdict::Tarpit {
                    status: spec.status,
                    bytes,
                })
            }
            Act::Auth(realm) => {
                let challenge = format!("Basic realm=\"{realm}\"");
                txn.status = Some(401);
                Step::Final(self.builtin_reply(401, &[("www-authenticate", challenge.as_bytes())]))
            }
            Act::Redirect(rd) => {
                let loc = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    redirect_location(rd, &ctx)
                };
                match loc {
                    None => Step::Next,
                    Some(loc) => {
                        txn.status = Some(rd.code);
                        Step::Final(Verdict::Reply {
                            status: rd.code,
                            bytes: reply::redirect(rd.code, &loc, rd.cookie.as_deref()),
                            close: false,
                        })
                    }
                }
            }
            Act::Reject => Step::Final(Verdict::Close { silent: false }),
            Act::UseService(name) => Step::Final(Verdict::Service { name: name.clone() }),
            Act::SilentDrop => Step::Final(Verdict::Close { silent: true }),
            Act::SetHeader(name, fmt) | Act::AddHeader(name, fmt) => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    fmt.expand_to_vec(&ctx)
                };
                if let Some(h) = headers_mut(txn, dir) {
                    if matches!(act, Act::SetHeader(..)) {
                        h.set(name, v);
                    } else {
                        h.add(name.as_str(), v);
                    }
                }
                Step::Next
            }
            Act::DelHeader(m) => {
                if let Some(h) = headers_mut(txn, dir) {
                    h.retain(|hd| !del_matches(m, &hd.name));
                }
                Step::Next
            }
            Act::ReplaceHeader {
                name,
                re,
                fmt,
                per_value,
            } => {
                let repl = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    fmt.expand_to_vec(&ctx)
                };
                if let Some(h) = headers_mut(txn, dir) {
                    for hd in
                        h.0.iter_mut()
                            .filter(|hd| hd.name.eq_ignore_ascii_case(name))
                    {
                        let new = if *per_value {
                            replace_values(re, &hd.value, &repl)
                        } else {
                            re.captures(&hd.value).map(|caps| {
                                let mut out = Vec::new();
                                crate::proxy::acl::expand_backrefs(&repl, &caps, &mut out);
                                out
                            })
                        };
                        if let Some(n) = new {
                            hd.value = n;
                        }
                    }
                }
                Step::Next
            }
            Act::ReplaceUri { part, re, fmt } => {
                let repl = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    fmt.expand_to_vec(&ctx)
                };
                let uri = &txn.req.uri;
                let (pre, path, query) = split_uri(uri);
                let target = match part {
                    UriPart::Path => path,
                    UriPart::Pathq => &uri[pre.len()..],
                    UriPart::Uri => uri.as_str(),
                };
                let Some(caps) = re.captures(target.as_bytes()) else {
                    return Step::Next;
                };
                let mut out = Vec::new();
                crate::proxy::acl::expand_backrefs(&repl, &caps, &mut out);
                let out = String::from_utf8_lossy(&out);
                let new = match part {
                    UriPart::Path => format!("{pre}{out}{query}"),
                    UriPart::Pathq => format!("{pre}{out}"),
                    UriPart::Uri => out.into_owned(),
                };
                if txn.orig_request.is_none() {
                    txn.orig_request = Some((txn.req.method.clone(), txn.req.uri.clone()));
                }
                txn.req.uri = new;
                Step::Next
            }
            Act::SetPath(f)
            | Act::SetPathq(f)
            | Act::SetQuery(f)
            | Act::SetUri(f)
            | Act::SetMethod(f) => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    String::from_utf8_lossy(&f.expand_to_vec(&ctx)).into_owned()
                };
                if txn.orig_request.is_none() {
                    txn.orig_request = Some((txn.req.method.clone(), txn.req.uri.clone()));
                }
                let req = &mut txn.req;
                match act {
                    Act::SetMethod(_) => req.method = v,
                    Act::SetUri(_) => req.uri = v,
                    Act::SetPath(_) => {
                        let (pre, _, rest) = split_uri(&req.uri);
                        let new = format!("{pre}{v}{rest}");
                        req.uri = new;
                    }
                    Act::SetPathq(_) => {
                        let (pre, _, _) = split_uri(&req.uri);
                        let new = format!("{pre}{v}");
                        req.uri = new;
                    }
                    _ => {
                        let base = match req.uri.find('?') {
                            Some(i) => &req.uri[..i],
                            None => req.uri.as_str(),
                        };
                        let new = format!("{base}?{v}");
                        req.uri = new;
                    }
                }
                Step::Next
            }
            Act::SetStatus(st, reason) => {
                if let Some(res) = txn.res.as_mut() {
                    res.status = *st;
                    res.reason = reason
                        .clone()
                        .unwrap_or_else(|| reply::reason(*st).to_string());
                }
                Step::Next
            }
            Act::SetVar(scope, name, e) => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    e.eval(&ctx).map(Value::into_owned)
                };
                if let Some(v) = v {
                    txn.vars.set_in(*scope, name, v);
                }
                Step::Next
            }
            Act::SetVarFmt(scope, name, f) => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    f.expand_to_vec(&ctx)
                };
                txn.vars
                    .set_in(*scope, name, Value::Str(std::borrow::Cow::Owned(v)));
                Step::Next
            }
            Act::UnsetVar(scope, name) => {
                txn.vars.unset_in(*scope, name);
                Step::Next
            }
            Act::Capture { expr, len, slot } => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    let mut out = Vec::new();
                    expr.eval_bytes(&ctx, &mut out).then_some(out)
                };
                if let Some(mut v) = v {
                    v.truncate(*len);
                    let caps = if dir == Dir::Request {
                        &mut txn.req_captures
                    } else {
                        &mut txn.res_captures
                    };
                    if caps.len() <= *slot {
                        caps.resize(*slot + 1, None);
                    }
                    caps[*slot] = Some(v);
                }
                Step::Next
            }
            Act::SetLogLevel(l) => {
                txn.log_level = Some(l.clone());
                Step::Next
            }
            Act::TrackSc {
                counter,
                key,
                table,
            } => {
                let ctx = txn.ctx(proxy, dir, ext);
                if let (Some(t), Some(k)) = (ext.tables, key.eval(&ctx)) {
                    let stage = match dir {
                        Dir::Request => TrackStage::HttpRequest,
                        Dir::Response => TrackStage::HttpResponse {
                            status: txn.res.as_ref().map_or(0, |r| r.status),
                        },
                    };
                    t.track(*counter, table, &k, stage, txn.now_ms);
                }
                Step::Next
            }
            Act::IncGpc { counter, which } => {
                if let Some(t) = ext.tables {
                    let data = if *which == 0 { "inc_gpc0" } else { "inc_gpc1" };
                    t.sc_fetch(*counter, None, data, txn.now_ms);
                }
                Step::Next
            }
            Act::DisableL7Retry => {
                txn.l7_retry_disabled = true;
                Step::Next
            }
            Act::SetTimeout { tunnel, ms, expr } => {
                let ms = match (ms, expr) {
                    (Some(ms), _) => Some(*ms),
                    (None, Some(e)) => {
                        let ctx = txn.ctx(proxy, dir, ext);
                        e.eval(&ctx).and_then(|v| match v {
                            crate::proxy::acl::Value::Int(n) => u64::try_from(n).ok(),
                            crate::proxy::acl::Value::Str(s) => {
                                String::from_utf8_lossy(&s).trim().parse().ok()
                            }
                            _ => None,
                        })
                    }
                    (None, None) => None,
                };
                // HAProxy ignores a null timeout
                if let Some(ms) = ms.filter(|m| *m > 0) {
                    let d = Some(std::time::Duration::from_millis(ms));
                    if *tunnel {
                        txn.timeout_tunnel = d;
                    } else {
                        txn.timeout_server = d;
                    }
                }
                Step::Next
            }
            Act::SetAddr(part, expr) => {
                let v = {
                    let ctx = txn.ctx(proxy, dir, ext);
                    expr.eval(&ctx).map(|v| super::addr::AddrValue::of(&v))
                };
                if let Some(v) = v {
                    let before = (txn.src, txn.dst);
                    super::addr::apply(*part, v, &mut txn.src, &mut txn.dst);
                    txn.addr_changed |= before != (txn.src, txn.dst);
                }
                Step::Next
            }
            Act::Noop => Step::Next,
        }
    }
}

enum Step {
    Next,
    /// `allow`: no more rules of this list.
    StopRules,
    Final(Verdict),
}

fn has_content_length(resp: &[u8]) -> bool {
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(resp.len());
    resp[..end]
        .split(|b| *b == b'\n')
        .any(|l| l.len() > 15 && l[..15].eq_ignore_ascii_case(b"content-length:"))
}

fn headers_mut(txn: &mut Txn, dir: Dir) -> Option<&mut HeaderList> {
    match dir {
        Dir::Request => Some(&mut txn.req.headers),
        Dir::Response => txn.res.as_mut().map(|r| &mut r.headers),
    }
}

fn del_matches(m: &DelName, name: &str) -> bool {
    match m {
        DelName::Reg(re) => re.is_match(name.as_bytes()),
        DelName::Text(p, kind) => {
            let (n, p) = (name.as_bytes(), p.as_bytes());
            match kind {
                DelMatch::Str => n.eq_ignore_ascii_case(p),
                DelMatch::Beg => n.len() >= p.len() && n[..p.len()].eq_ignore_ascii_case(p),
                DelMatch::End => {
                    n.len() >= p.len() && n[n.len() - p.len()..].eq_ignore_ascii_case(p)
                }
                DelMatch::Sub => {
                    p.is_empty() || n.windows(p.len()).any(|w| w.eq_ignore_ascii_case(p))
                }
            }
        }
    }
}

/// `replace-value`: each comma-separated element that matches is replaced, blanks around it
/// included; the other elements are kept as received.
fn replace_values(re: &Regex, v: &[u8], repl: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(v.len() + repl.len());
    let mut changed = false;
    let mut start = 0;
    let mut i = 0;
    let mut quoted = false;
    loop {
        let at_end = i >= v.len();
        if at_end || (v[i] == b',' && !quoted) {
            let seg = &v[start..i.min(v.len())];
            let lead = seg.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
            let trail = seg[lead..]
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
            let elem = &seg[lead..seg.len() - trail];
            match re.captures(elem) {
                // HAProxy replaces the element with the blanks around it
                // (measured: `abc, b` with `b` -> `Z` gives `Z,Z`).
                Some(caps) => {
                    crate::proxy::acl::expand_backrefs(repl, &caps, &mut out);
                    changed = true;
                }
                None => out.extend_from_slice(seg),
            }
            if at_end {
                break;
            }
            out.push(b',');
            start = i + 1;
        } else if v[i] == b'"' {
            quoted = !quoted;
        }
        i += 1;
    }
    changed.then_some(out)
}

/// Splits a request target into (scheme+authority, path, query-with-`?`).
fn split_uri(uri: &str) -> (&str, &str, &str) {
    let auth_end = match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            i + 3 + rest.find(['/', '?']).unwrap_or(rest.len())
        }
        None => 0,
    };
    let (pre, tail) = uri.split_at(auth_end);
    match tail.find('?') {
        Some(q) => (pre, &tail[..q], &tail[q..]),
        None => (pre, tail, ""),
    }
}

/// The Location of a redirect rule (None: `ignore-empty` with an empty result).
fn redirect_location(rd: &RedirSpec, ctx: &Ctx<'_>) -> Option<Vec<u8>> {
    let target = rd.target.expand_to_vec(ctx);
    if rd.ignore_empty && target.is_empty() {
        return None;
    }
    let req = ctx.req?;
    // HAProxy's http_get_path(): from the first '/' after the authority, query included.
    let (_, path, query) = split_uri(&req.uri);
    let path_q = if rd.drop_query {
        path.to_string()
    } else {
        format!("{path}{query}")
    };
    let mut out = Vec::with_capacity(target.len() + path_q.len() + 16);
    match rd.kind {
        RedirKind::Location => return Some(target),
        RedirKind::Prefix => {
            // A prefix of "/" alone is not doubled.
            if target.as_slice() != b"/" {
                out.extend_from_slice(&target);
            }
            out.extend_from_slice(path_q.as_bytes());
        }
        RedirKind::Scheme => {
            out.extend_from_slice(&target);
            out.extend_from_slice(b"://");
            if let Some(h) = req.headers.get("host") {
                out.extend_from_slice(&h.value);
            }
            out.extend_from_slice(path_q.as_bytes());
        }
    }
    if rd.append_slash && out.last() != Some(&b'/') {
        out.push(b'/');
    }
    Some(out)
}

/// `capture request|response header NAME len N`: the last occurrence, truncated.
fn capture_headers(caps: &[(String, usize)], h: &HeaderList, out: &mut [Option<Vec<u8>>]) {
    for (i, (name, len)) in caps.iter().enumerate() {
        if let Some(hd) = h.get_all(name).last()
            && let Some(slot) = out.get_mut(i)
        {
            let v = trim(&hd.value);
            *slot = Some(v[..v.len().min(*len)].to_vec());
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn replace_value_drops_blanks_of_replaced_elements() {
        // Both measured on HAProxy 2.6.12.
        let re = Regex::new("b").unwrap();
        assert_eq!(
            replace_values(&re, b"abc, b", b"Z").as_deref(),
            Some(b"Z,Z".as_slice())
        );
        let re = Regex::new("^(b+)$").unwrap();
        assert_eq!(
            replace_values(&re, b"bb, c,bbb", b"[\\1]").as_deref(),
            Some(b"[bb], c,[bbb]".as_slice())
        );
        assert_eq!(replace_values(&re, b"x, y", b"z"), None);
    }
}

/// HAProxy 2.6's test: a `monitor-uri` starting with `/` is compared with the path of the
/// request (absolute form included: `GET http://host/health` matches `/health`), any other
/// with the whole URI.
fn monitor_matches(m: &str, uri: &str) -> bool {
    if uri == m {
        return true;
    }
    if !m.starts_with('/') {
        return false;
    }
    let path = match uri.find("://") {
        Some(i) if !uri[..i].contains('/') => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        _ => uri,
    };
    path == m
}

#[cfg(test)]
mod monitor_tests {
    use super::monitor_matches;

    /// HAProxy 2.6.12, measured with curl: `monitor-uri /health` and
    /// `monitor-uri http://www.haproxy.org/health` against four request targets.
    #[test]
    fn monitor_uri_matches_as_haproxy() {
        let uris = [
            "/health",
            "http://www.haproxy.org/health",
            "/hEAlth",
            "/health?x=1",
        ];
        let got = |m: &str| uris.map(|u| monitor_matches(m, u));
        assert_eq!(got("/health"), [true, true, false, false]);
        assert_eq!(
            got("http://www.haproxy.org/health"),
            [false, true, false, false]
        );
    }
}
