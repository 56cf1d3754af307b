//! From the IR to a check plan: which ruleset a server runs, as HAProxy 2.6 builds it
//! (src/tcpcheck.c: `proxy_parse_*_opt`, `tcpcheck_add_http_rule`, `check_proxy_tcpcheck`).
//!
//! Every kind of check is a list of connect/send/expect steps. Facts measured on HAProxy
//! 2.6.12 that shape this module:
//! - a proxy with its own `http-check`/`tcp-check` lines uses only those (plus its own
//!   `option httpchk` request); one without uses its defaults section's ruleset. So
//!   `option httpchk GET /d` in defaults with only `http-check expect status 200` in the
//!   backend sends nothing and times out (measured: "Layer7 timeout").
//! - `option httpchk` and `http-check send` merge field by field, the later line winning;
//!   headers are replaced as a whole by the later line's.

use std::net::IpAddr;

use regex::bytes::Regex;

use super::proto;
use super::{CheckError, CheckKind, CheckPlan, Status, Target};
use crate::ir::haproxy as ir;
use crate::ir::haproxy::expr::{Action, Rule};
use crate::proxy::checks::state::CheckParams;

/// One step of a check ruleset.
#[derive(Debug, Clone)]
pub enum Step {
    Connect(ConnectStep),
    Send(SendStep),
    Expect(ExpectStep),
}

#[derive(Debug, Clone, Default)]
pub struct ConnectStep {
    /// `port N` (else the plan's target port).
    pub port: Option<u16>,
    /// `addr IP[:PORT]`.
    pub addr: Option<(IpAddr, Option<u16>)>,
    /// Inserted by HAProxy when the ruleset does not start with a connect.
    pub implicit: bool,
    /// `connect default` (and the implicit connect): the server's check transport
    /// (TLS with `check-ssl`), `check-sni` and `check-alpn` apply.
    pub default: bool,
    pub send_proxy: bool,
    pub ssl: bool,
    /// `sni NAME` / `alpn LIST` of a `tcp-check connect` line.
    pub sni: Option<String>,
    pub alpn: Option<String>,
    /// The TLS client this connect step handshakes with, per server (see
    /// [`with_server_tls`]); `None`: the check stays in clear.
    pub tls: Option<crate::proxy::backend::stream::ServerTlsCfg>,
    /// Close with FIN instead of HAProxy's default RST.
    pub linger: bool,
    pub comment: Option<String>,
    /// HAProxy's step number in messages (0 = the implicit first connect).
    pub step_id: usize,
}

#[derive(Debug, Clone)]
pub enum SendData {
    Bytes(Vec<u8>),
    /// The SSLv3 client hello of `option ssl-hello-chk` (its time field is filled at send
    /// time).
    SslHello,
}

#[derive(Debug, Clone)]
pub struct SendStep {
    pub data: SendData,
    pub comment: Option<String>,
    pub step_id: usize,
}

/// How an `on-error`/`on-success` info text or a `status-code` is produced. Only the
/// forms HAProxy's built-in rulesets use are evaluated; another log-format string is
/// printed as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoFmt {
    Text(String),
    /// `%[res.payload(OFFSET,LEN)[,ltrim(' ')][,cut_crlf]]`.
    Payload {
        offset: usize,
        len: usize,
        ltrim_space: bool,
        cut_crlf: bool,
    },
}

#[derive(Debug, Clone)]
pub enum ExpectKind {
    String(Vec<u8>),
    RString(Regex),
    Binary(Vec<u8>),
    /// Matched against the upper-case hex dump of the data.
    RBinary(Regex),
    /// Inclusive ranges.
    HttpStatus(Vec<(u16, u16)>),
    HttpRStatus(Regex),
    HttpBody(Vec<u8>),
    HttpRBody(Regex),
    HttpHeader(HeaderMatch),
    MysqlInitHs,
    MysqlOk,
    LdapBindRsp,
    /// An agent's reply line (`tcpcheck_agent_expect_reply`).
    AgentReply,
    /// A matcher tandem does not evaluate (`*-lf`): the check fails with this text.
    Unsupported(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrMatch {
    Str,
    Beg,
    End,
    Sub,
}

#[derive(Debug, Clone)]
pub enum NamePat {
    Str(StrMatch, String),
    Reg(Regex),
}

#[derive(Debug, Clone)]
pub struct HeaderMatch {
    /// `fhdr`: the full value, not each comma-separated one.
    pub full: bool,
    pub name: NamePat,
    /// None: any value.
    pub value: Option<NamePat>,
}

#[derive(Debug, Clone)]
pub struct ExpectStep {
    pub negate: bool,
    pub kind: ExpectKind,
    /// `min-recv`, None = -1 (unset).
    pub min_recv: Option<usize>,
    pub ok_status: Option<Status>,
    pub err_status: Option<Status>,
    pub tout_status: Option<Status>,
    pub on_error: Option<InfoFmt>,
    pub on_success: Option<InfoFmt>,
    /// `status-code res.payload(OFF,LEN)`.
    pub status_code: Option<(usize, usize)>,
    pub comment: Option<String>,
    pub step_id: usize,
}

impl ExpectStep {
    fn new(kind: ExpectKind) -> Self {
        Self {
            negate: false,
            kind,
            min_recv: None,
            ok_status: None,
            err_status: None,
            tout_status: None,
            on_error: None,
            on_success: None,
            status_code: None,
            comment: None,
            step_id: 0,
        }
    }
}

const CHECK_OPTIONS: &[&str] = &[
    "httpchk",
    "tcp-check",
    "ssl-hello-chk",
    "mysql-check",
    "pgsql-check",
    "redis-check",
    "smtpchk",
    "ldap-check",
    "spop-check",
    "external-check",
];

pub fn plan_for_backend(cfg: &ir::Config, proxy: &ir::Proxy) -> Result<Vec<CheckPlan>, CheckError> {
    if !proxy.kind.is_backend() || proxy.disabled {
        return Ok(Vec::new());
    }
    let defaults = find_defaults(cfg, proxy);
    let (kind, steps, warning) = build_ruleset(proxy, defaults)?;
    let disable_on_404 = proxy
        .rules
        .iter()
        .chain(defaults.map(|d| d.rules.iter()).into_iter().flatten())
        .any(|r| r.value.keyword == "http-check" && r.value.action == "disable-on-404");
    let t = &proxy.settings.timeouts;
    let max_spread_checks_ms = cfg
        .global
        .other
        .iter()
        .rev()
        .find(|d| d.keyword == "max-spread-checks")
        .and_then(|d| d.args.first())
        .and_then(|a| {
            crate::config::haproxy::values::parse_time(
                a,
                crate::config::haproxy::values::TimeUnit::Ms,
            )
            .ok()
        })
        .map(|v| u64::from(v.value));
    let mut out = Vec::new();
    for (idx, srv) in proxy.servers.iter().enumerate() {
        let s = &srv.value;
        let o = &s.opts;
        if o.disabled || o.track.is_some() {
            continue;
        }
        // HAProxy's start_checks: a server's check, then its agent
        let agent = agent_plan(cfg, proxy, idx, s, max_spread_checks_ms);
        if !o.check {
            out.extend(agent);
            continue;
        }
        let params = CheckParams {
            rise: o.rise.map_or(2, |v| v.clamp(1, i64::from(u32::MAX)) as u32),
            fall: o.fall.map_or(3, |v| v.clamp(1, i64::from(u32::MAX)) as u32),
            inter: o.inter.map_or(2000, u64::from).max(1),
            fastinter: o.fastinter.map(u64::from).filter(|&v| v > 0),
            downinter: o.downinter.map(u64::from).filter(|&v| v > 0),
            spread_checks: cfg.global.spread_checks.unwrap_or(0).min(50),
        };
        let target = target_of(proxy, s)?;
        let (steps, tls_warning) = match with_server_tls(&cfg.global, s, &steps) {
            Ok(v) => (v, None),
            Err(e) => (
                steps.clone(),
                Some(format!(
                    "server {}/{}: the TLS client of its health checks cannot be built ({e}): the check runs in clear",
                    proxy.name, s.name
                )),
            ),
        };
        // HAProxy (tcpcheck_eval_connect): the connect phase gets `inter`, shortened to
        // `timeout connect` only when `timeout check` is set.
        let connect_timeout_ms = match (t.check, t.connect) {
            (Some(c), Some(conn)) if c > 0 && conn > 0 => params.inter.min(conn),
            _ => params.inter,
        };
        out.push(CheckPlan {
            backend: proxy.name.clone(),
            server: s.name.clone(),
            server_idx: idx,
            backup: o.backup,
            params,
            target,
            kind,
            connect_timeout_ms,
            check_timeout_ms: t.check.filter(|&c| c > 0),
            steps,
            disable_on_404,
            max_spread_checks_ms,
            follows_server: (
                o.addr.is_none(),
                o.port.is_none_or(|p| p <= 0) && o.addr.as_ref().is_none_or(|a| a.port == 0),
            ),
            // `check-send-proxy`, or the server's own PROXY protocol when the check goes
            // to the traffic address (no `port`/`addr`).
            send_proxy: if o.check_send_proxy
                || ((o.send_proxy || o.send_proxy_v2) && o.port.is_none() && o.addr.is_none())
            {
                if o.send_proxy_v2 { 2 } else { 1 }
            } else {
                0
            },
            warning: if tls_warning.is_some() {
                tls_warning
            } else {
                warning.clone()
            },
        });
        out.extend(agent);
    }
    Ok(out)
}

/// The last value of a server keyword kept in `other`.
fn other_opt<'a>(s: &'a ir::expr::Server, kw: &str) -> Option<&'a str> {
    s.opts
        .other
        .iter()
        .rev()
        .find(|(k, _)| k == kw)
        .and_then(|(_, v)| v.as_deref())
}

/// The agent check of a server with `agent-check` and an `agent-port` (HAProxy's
/// `*agent-check` ruleset: connect, send `agent-send`, read the reply line). It goes to
/// `agent-addr`, else the check `addr`, else the server's address; every `agent-inter`
/// (else `inter`, else 2 s), whatever its health; rise and fall are 1.
fn agent_plan(
    cfg: &ir::Config,
    proxy: &ir::Proxy,
    idx: usize,
    s: &ir::expr::Server,
    max_spread_checks_ms: Option<u64>,
) -> Option<CheckPlan> {
    let o = &s.opts;
    if !o.agent_check {
        return None;
    }
    // atol, as HAProxy reads it; 0 leaves the agent without a port (disabled)
    let port = other_opt(s, "agent-port")
        .map(crate::proxy::checks::agent::atol)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|&p| p > 0)?;
    let addr = s.address.as_ref()?;
    let (host, ip) = match (other_opt(s, "agent-addr"), &o.addr) {
        (Some(a), _) => (a.to_string(), a.parse::<IpAddr>().ok()),
        (None, Some(a)) => (a.host.clone(), a.ip),
        (None, None) => (addr.host.clone(), addr.ip),
    };
    let inter = other_opt(s, "agent-inter")
        .and_then(|v| {
            crate::config::haproxy::values::parse_time(
                v,
                crate::config::haproxy::values::TimeUnit::Ms,
            )
            .ok()
        })
        .map(|v| u64::from(v.value))
        .or(o.inter.map(u64::from))
        .filter(|&v| v > 0)
        .unwrap_or(2000);
    let mut steps = vec![implicit_connect()];
    if let Some(send) = other_opt(s, "agent-send").filter(|v| !v.is_empty()) {
        steps.push(Step::Send(SendStep {
            data: SendData::Bytes(send.as_bytes().to_vec()),
            comment: None,
            step_id: 1,
        }));
    }
    let mut expect = ExpectStep::new(ExpectKind::AgentReply);
    expect.step_id = 2;
    steps.push(Step::Expect(expect));
    let t = &proxy.settings.timeouts;
    Some(CheckPlan {
        backend: proxy.name.clone(),
        server: s.name.clone(),
        server_idx: idx,
        backup: o.backup,
        params: CheckParams {
            rise: 1,
            fall: 1,
            inter,
            fastinter: None,
            downinter: None,
            spread_checks: cfg.global.spread_checks.unwrap_or(0).min(50),
        },
        target: Target {
            host,
            ip,
            port,
            unix: None,
        },
        kind: CheckKind::Agent,
        connect_timeout_ms: match (t.check, t.connect) {
            (Some(c), Some(conn)) if c > 0 && conn > 0 => inter.min(conn),
            _ => inter,
        },
        check_timeout_ms: t.check.filter(|&c| c > 0),
        steps,
        disable_on_404: false,
        send_proxy: 0,
        warning: None,
        max_spread_checks_ms,
        follows_server: (
            other_opt(s, "agent-addr").is_none() && o.addr.is_none(),
            false,
        ),
    })
}

/// The defaults section `proxy` inherits from: the last one of that name declared before
/// it.
fn find_defaults<'a>(cfg: &'a ir::Config, proxy: &ir::Proxy) -> Option<&'a ir::Defaults> {
    let name = proxy.defaults.as_deref()?;
    let before = |d: &ir::Defaults| d.span.file != proxy.span.file || d.span.line < proxy.span.line;
    let same: Vec<&ir::Defaults> = cfg.defaults.iter().filter(|d| d.name == name).collect();
    same.iter()
        .rev()
        .copied()
        .find(|d| d.span.file == proxy.span.file && before(d))
        .or_else(|| same.iter().rev().copied().find(|d| before(d)))
        .or(same.last().copied())
}

fn target_of(proxy: &ir::Proxy, s: &ir::expr::Server) -> Result<Target, CheckError> {
    let err_addr = || CheckError::NoAddress {
        backend: proxy.name.clone(),
        server: s.name.clone(),
    };
    let addr = s.address.as_ref().ok_or_else(err_addr)?;
    use ir::expr::AddrFamily;
    if addr.family == AddrFamily::Unix && s.opts.addr.is_none() {
        return Ok(Target {
            host: addr.host.clone(),
            ip: None,
            port: s.opts.port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
            unix: Some(addr.host.clone()),
        });
    }
    if !matches!(
        addr.family,
        AddrFamily::Ipv4 | AddrFamily::Ipv6 | AddrFamily::Unspec
    ) {
        return Err(err_addr());
    }
    let (host, ip) = match &s.opts.addr {
        Some(a) => (a.host.clone(), a.ip),
        None => (addr.host.clone(), addr.ip),
    };
    // tcpcheck_eval_connect: check `port`, then the port of `addr`, then the server's.
    let port = s
        .opts
        .port
        .filter(|&p| p > 0)
        .or_else(|| {
            s.opts
                .addr
                .as_ref()
                .map(|a| i64::from(a.port))
                .filter(|&p| p > 0)
        })
        .or_else(|| Some(i64::from(addr.port)).filter(|&p| p > 0 && !addr.text.contains("+")));
    let port = port
        .and_then(|p| u16::try_from(p).ok())
        .ok_or_else(|| CheckError::NoPort {
            backend: proxy.name.clone(),
            server: s.name.clone(),
        })?;
    Ok(Target {
        host,
        ip,
        port,
        unix: None,
    })
}

/// Which check option is in effect: the last one set (each resets the others).
fn check_option(proxy: &ir::Proxy) -> Option<&ir::ProxyOption> {
    let mut cur = None;
    for o in &proxy.settings.options {
        if CHECK_OPTIONS.contains(&o.name.as_str()) {
            cur = o.enabled.then_some(o);
        }
    }
    cur
}

fn in_proxy(span: &ir::Span, proxy: &ir::Proxy) -> bool {
    span.file == proxy.span.file && span.line > proxy.span.line
}

type Ruleset = (CheckKind, Vec<Step>, Option<String>);

fn build_ruleset(
    proxy: &ir::Proxy,
    defaults: Option<&ir::Defaults>,
) -> Result<Ruleset, CheckError> {
    let rerr = |msg: String| CheckError::Rule {
        backend: proxy.name.clone(),
        msg,
    };
    let Some(opt) = check_option(proxy) else {
        return Ok((CheckKind::Tcp, vec![implicit_connect()], None));
    };
    let args: Vec<&str> = opt.args.iter().map(String::as_str).collect();
    let kind_rules = |kw: &str| -> Vec<(ir::Span, Rule)> {
        let own: Vec<_> = proxy
            .rules
            .iter()
            .filter(|r| r.value.keyword == kw && is_step_rule(&r.value))
            .map(|r| (r.span.clone(), r.value.clone()))
            .collect();
        if !own.is_empty() {
            return own;
        }
        defaults
            .map(|d| {
                d.rules
                    .iter()
                    .filter(|r| r.value.keyword == kw && is_step_rule(&r.value))
                    .map(|r| (r.span.clone(), r.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (kind, mut steps) = match opt.name.as_str() {
        "httpchk" => {
            let own_rules = proxy
                .rules
                .iter()
                .any(|r| r.value.keyword == "http-check" && is_step_rule(&r.value));
            let opt_here = in_proxy(&opt.span, proxy);
            // The option's request belongs to the ruleset of the section it was written in.
            let (rules, opt_req) = if opt_here || own_rules {
                let rules: Vec<_> = proxy
                    .rules
                    .iter()
                    .filter(|r| r.value.keyword == "http-check" && is_step_rule(&r.value))
                    .map(|r| (r.span.clone(), r.value.clone()))
                    .collect();
                (rules, opt_here.then(|| (opt.span.clone(), &args)))
            } else {
                (kind_rules("http-check"), Some((opt.span.clone(), &args)))
            };
            (
                CheckKind::Http,
                http_ruleset(opt_req, &rules).map_err(rerr)?,
            )
        }
        "tcp-check" => {
            let rules = kind_rules("tcp-check");
            (CheckKind::TcpCheck, tcp_ruleset(&rules).map_err(rerr)?)
        }
        "ssl-hello-chk" => (CheckKind::SslHello, proto::ssl_hello_ruleset()),
        "redis-check" => (CheckKind::Redis, proto::redis_ruleset()),
        "mysql-check" => {
            let user = (args.first() == Some(&"user"))
                .then(|| args.get(1).copied())
                .flatten();
            let pre41 = args.get(2) == Some(&"pre-41");
            (CheckKind::Mysql, proto::mysql_ruleset(user, pre41))
        }
        "pgsql-check" => {
            let user = args.get(1).copied().unwrap_or("");
            (CheckKind::Pgsql, proto::pgsql_ruleset(user))
        }
        "smtpchk" => {
            let cmd = match (args.first(), args.get(1)) {
                (Some(&v), Some(&h)) if v == "EHLO" || v == "HELO" => format!("{v} {h}"),
                _ => "HELO localhost".to_string(),
            };
            (CheckKind::Smtp, proto::smtp_ruleset(&cmd))
        }
        "ldap-check" => (CheckKind::Ldap, proto::ldap_ruleset()),
        other => {
            return Ok((
                CheckKind::Tcp,
                vec![implicit_connect()],
                Some(format!(
                    "option {other} is not supported: a TCP connect check is run instead"
                )),
            ));
        }
    };
    // check_proxy_tcpcheck: a ruleset that does not start with a connect gets one.
    if !matches!(steps.first(), Some(Step::Connect(_))) {
        steps.insert(0, implicit_connect());
    }
    Ok((kind, steps, None))
}

fn implicit_connect() -> Step {
    Step::Connect(ConnectStep {
        implicit: true,
        default: true,
        ..ConnectStep::default()
    })
}

/// A server's copy of the ruleset with the TLS client of each connect step, as
/// HAProxy's `tcpcheck_eval_connect` picks the transport: `connect ssl` speaks TLS with
/// the server's TLS settings (its own `sni`/`alpn`, else, for a default connect,
/// `check-sni`/`check-alpn`); a default connect uses the check's transport
/// (`check-ssl`, or `ssl` on the traffic port); any other connect is in clear.
fn with_server_tls(
    global: &ir::Global,
    s: &ir::expr::Server,
    steps: &[Step],
) -> Result<Vec<Step>, crate::proxy::tls::TlsError> {
    use crate::proxy::backend::stream::{check_tls, check_tls_with};
    let mut out = steps.to_vec();
    let check_alpn = s
        .opts
        .other
        .iter()
        .rev()
        .find(|(k, _)| k == "check-alpn")
        .map(|a| a.1.as_deref());
    for st in &mut out {
        let Step::Connect(c) = st else { continue };
        c.tls = if c.ssl {
            let check_sni = if c.default {
                s.opts.check_sni.as_deref()
            } else {
                None
            };
            let sni = c.sni.as_deref().or(check_sni);
            let alpn = match &c.alpn {
                Some(a) => Some(Some(a.as_str())),
                None if c.default => check_alpn,
                None => None,
            };
            Some(check_tls_with(global, s, sni, alpn)?)
        } else if c.default {
            match (&c.sni, &c.alpn) {
                (None, None) => check_tls(global, s)?,
                // a default connect with its own name or protocols: the check's
                // transport with them
                _ => match check_tls(global, s)? {
                    None => None,
                    Some(_) => Some(check_tls_with(
                        global,
                        s,
                        c.sni.as_deref().or(s.opts.check_sni.as_deref()),
                        c.alpn.as_deref().map(Some).or(check_alpn),
                    )?),
                },
            }
        } else {
            None
        };
    }
    Ok(out)
}

fn is_step_rule(r: &Rule) -> bool {
    matches!(
        r.action.as_str(),
        "connect" | "send" | "send-binary" | "send-lf" | "send-binary-lf" | "expect" | "comment"
    )
}

fn words(r: &Rule) -> &[String] {
    match &r.action_args {
        Action::Words { words } => words,
        _ => &[],
    }
}

/// The fields of an HTTP request being merged (`option httpchk` / `http-check send`).
#[derive(Debug, Clone, Default)]
pub struct HttpReq {
    pub meth: Option<String>,
    pub uri: Option<String>,
    pub ver: Option<String>,
    pub hdrs: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpReq {
    /// tcpcheck_overwrite_send_http_rule: `new`'s fields win, headers are replaced.
    fn overwrite(&mut self, new: HttpReq) {
        if new.meth.is_some() {
            self.meth = new.meth;
        }
        if new.uri.is_some() {
            self.uri = new.uri;
        }
        if new.ver.is_some() {
            self.ver = new.ver;
        }
        self.hdrs = new.hdrs;
        if new.body.is_some() {
            self.body = new.body;
        }
    }
}

/// `option httpchk [[METH] URI [VER]]`, where VER may carry `\r\n`-separated headers and a
/// `\r\n\r\n` body (proxy_parse_httpchk_req).
fn httpchk_req(args: &[&str]) -> HttpReq {
    let mut r = HttpReq::default();
    match args {
        [] => {}
        [uri] => r.uri = Some(uri.to_string()),
        [meth, uri] => {
            r.meth = Some(meth.to_string());
            r.uri = Some(uri.to_string());
        }
        [meth, uri, ver, ..] => {
            r.meth = Some(meth.to_string());
            r.uri = Some(uri.to_string());
            let mut ver = ver.to_string();
            let body_at = ver.find("\r\n\r\n");
            let hdrs_at = ver.find("\r\n").filter(|&h| Some(h) != body_at);
            let mut body = None;
            if let Some(b) = body_at {
                body = Some(ver[b + 4..].to_string());
                ver.truncate(b);
            }
            if let Some(h) = hdrs_at {
                let hdrs = ver[h + 2..].to_string();
                ver.truncate(h);
                for line in hdrs.split("\r\n") {
                    if let Some((n, v)) = line.split_once(':') {
                        r.hdrs.push((n.trim().to_string(), v.trim().to_string()));
                    }
                }
            }
            r.ver = Some(ver);
            r.body = body;
        }
    }
    r
}

fn http_send_req(w: &[String]) -> HttpReq {
    let mut r = HttpReq::default();
    let mut i = 0;
    let v = |i: usize| w.get(i).cloned().unwrap_or_default();
    while i < w.len() {
        match w[i].as_str() {
            "meth" => r.meth = Some(v(i + 1)),
            "uri" | "uri-lf" => r.uri = Some(v(i + 1)),
            "ver" => r.ver = Some(v(i + 1)),
            "body" | "body-lf" => r.body = Some(v(i + 1)),
            "hdr" => {
                let n = v(i + 1);
                // content-length and transfer-encoding are computed by HAProxy.
                if !n.eq_ignore_ascii_case("content-length")
                    && !n.eq_ignore_ascii_case("transfer-encoding")
                {
                    r.hdrs.push((n, v(i + 2)));
                }
                i += 1;
            }
            _ => {}
        }
        i += 2;
    }
    r
}

enum HttpItem {
    Connect(ConnectStep),
    Send(HttpReq, bool),
    Expect(ExpectStep),
}

fn http_ruleset(
    opt_req: Option<(ir::Span, &Vec<&str>)>,
    rules: &[(ir::Span, Rule)],
) -> Result<Vec<Step>, String> {
    // Replays tcpcheck_add_http_rule over the lines in file order.
    let mut lines: Vec<(ir::Span, Option<&Rule>)> =
        rules.iter().map(|(s, r)| (s.clone(), Some(r))).collect();
    if let Some((span, _)) = &opt_req {
        lines.push((span.clone(), None));
    }
    lines.sort_by(|a, b| (&a.0.file, a.0.line).cmp(&(&b.0.file, b.0.line)));
    let mut items: Vec<HttpItem> = Vec::new();
    let mut index = 0usize;
    let rule_refs: Vec<&Rule> = lines.iter().filter_map(|l| l.1).collect();
    let inherited = inherited_comments(&rule_refs);
    let mut ri = 0usize;
    for (_, line) in lines {
        match line {
            None => {
                let req = httpchk_req(opt_req.as_ref().map(|o| o.1.as_slice()).unwrap_or(&[]));
                let first = items
                    .iter()
                    .position(|i| !matches!(i, HttpItem::Connect(_)));
                match first.and_then(|f| items.get_mut(f).map(|it| (f, it))) {
                    Some((_, HttpItem::Send(old, true))) => *old = req,
                    Some((_, HttpItem::Send(old, false))) => old.overwrite(req),
                    _ => items.insert(0, HttpItem::Send(req, true)),
                }
            }
            Some(r) => {
                let comment = inherited.get(ri).cloned().flatten();
                ri += 1;
                let w = words(r);
                match r.action.as_str() {
                    "comment" => continue,
                    "connect" => {
                        let mut c = parse_connect(w)?;
                        c.step_id = index + 1;
                        c.comment = c.comment.or(comment);
                        items.push(HttpItem::Connect(c));
                    }
                    "send" => {
                        let new = http_send_req(w);
                        let implicit = items
                            .iter()
                            .position(|i| !matches!(i, HttpItem::Connect(_)))
                            .filter(|&p| matches!(items.get(p), Some(HttpItem::Send(_, true))));
                        match implicit {
                            // merged into the option's request, which HAProxy then
                            // re-appends as an explicit send
                            Some(p) => {
                                if let HttpItem::Send(mut old, _) = items.remove(p) {
                                    old.overwrite(new);
                                    items.push(HttpItem::Send(old, false));
                                }
                            }
                            None => items.push(HttpItem::Send(new, false)),
                        }
                    }
                    "expect" => {
                        let mut e = parse_expect(w, true)?;
                        e.step_id = index + 1;
                        e.comment = e.comment.or(comment);
                        items.push(HttpItem::Expect(e));
                    }
                    _ => continue,
                }
                index += 1;
            }
        }
    }
    // The option's send goes after a leading connect.
    if let (Some(HttpItem::Send(_, true)), Some(HttpItem::Connect(_))) =
        (items.first(), items.get(1))
    {
        items.swap(0, 1);
    }
    // A ruleset ending with a send gets `expect status 200-399`.
    if matches!(items.last(), Some(HttpItem::Send(..))) {
        items.push(HttpItem::Expect(ExpectStep::new(ExpectKind::HttpStatus(
            vec![(200, 399)],
        ))));
    }
    Ok(items
        .into_iter()
        .map(|i| match i {
            HttpItem::Connect(c) => Step::Connect(c),
            HttpItem::Send(r, _) => Step::Send(SendStep {
                data: SendData::Bytes(proto::http_request(&r)),
                comment: None,
                step_id: 0,
            }),
            HttpItem::Expect(e) => Step::Expect(e),
        })
        .collect())
}

/// check_proxy_tcpcheck: a `comment` rule names the rules right after it, as long as
/// they have the same action (measured: `tcp-check comment X`, `send`, `expect ...
/// on-error "custom fail"` reports just "custom fail"). Returns, per rule, the comment it
/// inherits.
fn inherited_comments(rules: &[&Rule]) -> Vec<Option<String>> {
    let class = |a: &str| match a {
        "comment" => 0,
        "connect" => 1,
        "expect" => 3,
        a if a.starts_with("send") => 2,
        _ => 4,
    };
    let mut out = Vec::with_capacity(rules.len());
    let mut comment: Option<String> = None;
    let mut prev = 0;
    for r in rules {
        let c = class(&r.action);
        if c != prev && prev != 0 {
            comment = None;
        }
        prev = c;
        match c {
            0 => {
                comment = words(r).first().cloned();
                out.push(None);
            }
            1 => out.push(comment.take()),
            2 | 3 => out.push(comment.clone()),
            _ => {
                comment = None;
                out.push(None);
            }
        }
    }
    out
}

fn tcp_ruleset(rules: &[(ir::Span, Rule)]) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut index = 0usize;
    let inherited = inherited_comments(&rules.iter().map(|r| &r.1).collect::<Vec<_>>());
    for (ri, (_, r)) in rules.iter().enumerate() {
        let comment = inherited.get(ri).cloned().flatten();
        let w = words(r);
        let step = match r.action.as_str() {
            "comment" => continue,
            "connect" => {
                let mut c = parse_connect(w)?;
                c.comment = c.comment.or(comment);
                Step::Connect(c)
            }
            "send" => Step::Send(SendStep {
                data: SendData::Bytes(w.first().map(|s| s.as_bytes().to_vec()).unwrap_or_default()),
                comment: send_comment(w).or_else(|| comment.clone()),
                step_id: 0,
            }),
            "send-binary" => Step::Send(SendStep {
                data: SendData::Bytes(
                    proto::parse_hex(w.first().map(String::as_str).unwrap_or(""))
                        .ok_or_else(|| "invalid binary string".to_string())?,
                ),
                comment: send_comment(w).or_else(|| comment.clone()),
                step_id: 0,
            }),
            // Log-format sends are not evaluated: the text is sent as written (a plain
            // string without `%[` is the same bytes HAProxy sends).
            "send-lf" => Step::Send(SendStep {
                data: SendData::Bytes(w.first().map(|s| s.as_bytes().to_vec()).unwrap_or_default()),
                comment: send_comment(w).or_else(|| comment.clone()),
                step_id: 0,
            }),
            "send-binary-lf" => Step::Send(SendStep {
                data: SendData::Bytes(
                    proto::parse_hex(w.first().map(String::as_str).unwrap_or(""))
                        .unwrap_or_default(),
                ),
                comment: send_comment(w).or_else(|| comment.clone()),
                step_id: 0,
            }),
            "expect" => {
                let mut e = parse_expect(w, false)?;
                e.comment = e.comment.or(comment);
                Step::Expect(e)
            }
            _ => continue,
        };
        let mut step = step;
        match &mut step {
            Step::Connect(c) => c.step_id = index + 1,
            Step::Send(s) => s.step_id = index + 1,
            Step::Expect(e) => e.step_id = index + 1,
        }
        index += 1;
        steps.push(step);
    }
    Ok(steps)
}

fn send_comment(w: &[String]) -> Option<String> {
    w.iter()
        .position(|x| x == "comment")
        .and_then(|i| w.get(i + 1).cloned())
}

fn parse_connect(w: &[String]) -> Result<ConnectStep, String> {
    let mut c = ConnectStep::default();
    let mut i = 0;
    while let Some(x) = w.get(i) {
        let val = w.get(i + 1);
        match x.as_str() {
            "port" => {
                let v = val.map(String::as_str).unwrap_or("");
                c.port = Some(
                    v.parse::<u16>()
                        .map_err(|_| format!("connect port '{v}' is not supported"))?,
                );
                i += 1;
            }
            "addr" => {
                let v = val.map(String::as_str).unwrap_or("");
                c.addr = Some(parse_addr(v).ok_or_else(|| format!("bad connect addr '{v}'"))?);
                i += 1;
            }
            "comment" => {
                c.comment = val.cloned();
                i += 1;
            }
            "sni" => {
                c.sni = val.cloned();
                i += 1;
            }
            "alpn" => {
                c.alpn = val.cloned();
                i += 1;
            }
            "proto" => i += 1,
            "default" => c.default = true,
            "send-proxy" => c.send_proxy = true,
            "ssl" => c.ssl = true,
            "linger" => c.linger = true,
            _ => {}
        }
        i += 1;
    }
    Ok(c)
}

fn parse_addr(v: &str) -> Option<(IpAddr, Option<u16>)> {
    let v = v
        .strip_prefix("ipv4@")
        .or_else(|| v.strip_prefix("ipv6@"))
        .unwrap_or(v);
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some((ip, None));
    }
    if let Ok(sa) = v.parse::<std::net::SocketAddr>() {
        return Some((sa.ip(), Some(sa.port())));
    }
    let (h, p) = v.rsplit_once(':')?;
    Some((h.parse().ok()?, p.parse().ok()))
}

fn status_of(s: &str) -> Option<Status> {
    Some(match s {
        "L4OK" => Status::L4Ok,
        "L6OK" => Status::L6Ok,
        "L7OK" => Status::L7OkD,
        "L7OKC" => Status::L7OkCD,
        "L4CON" => Status::L4Con,
        "L6RSP" => Status::L6Rsp,
        "L7RSP" => Status::L7Rsp,
        "L7STS" => Status::L7Sts,
        "L4TOUT" => Status::L4Tout,
        "L6TOUT" => Status::L6Tout,
        "L7TOUT" => Status::L7Tout,
        _ => return None,
    })
}

/// Reads the forms of log-format strings HAProxy's own rulesets use.
pub(super) fn info_fmt(s: &str) -> InfoFmt {
    let Some(inner) = s.strip_prefix("%[").and_then(|x| x.strip_suffix(']')) else {
        return InfoFmt::Text(s.to_string());
    };
    let mut parts = inner.split(',');
    let fetch = parts.next().unwrap_or("");
    let Some(args) = fetch
        .strip_prefix("res.payload(")
        .or_else(|| fetch.strip_prefix("req.payload("))
    else {
        return InfoFmt::Text(s.to_string());
    };
    let nums: Vec<usize> = args
        .trim_end_matches(')')
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let rest: Vec<&str> = parts.collect();
    // `res.payload(4,0),ltrim(' '),cut_crlf`: the split on ',' cut the payload args too.
    let (offset, len) = (
        nums.first().copied().unwrap_or(0),
        nums.get(1).copied().unwrap_or(0),
    );
    let len_from_rest = rest
        .first()
        .and_then(|r| r.trim_end_matches(')').trim().parse::<usize>().ok());
    let len = len_from_rest.unwrap_or(len);
    InfoFmt::Payload {
        offset,
        len,
        ltrim_space: rest.iter().any(|r| r.starts_with("ltrim(")),
        cut_crlf: rest.contains(&"cut_crlf"),
    }
}

fn payload_range(s: &str) -> Option<(usize, usize)> {
    let a = s.strip_prefix("res.payload(")?.strip_suffix(')')?;
    let (o, l) = a.split_once(',')?;
    Some((o.trim().parse().ok()?, l.trim().parse().ok()?))
}

/// `[!] MATCH PATTERN [options]` of `http-check expect` / `tcp-check expect` (already
/// validated by the config parser).
pub(super) fn parse_expect(w: &[String], http: bool) -> Result<ExpectStep, String> {
    let mut negate = false;
    let mut kind: Option<ExpectKind> = None;
    let mut e = ExpectStep::new(ExpectKind::Unsupported(String::new()));
    let mut i = 0;
    let v = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let re = |p: &str| Regex::new(p).map_err(|e| format!("regex '{p}': {e}"));
    while i < w.len() {
        let mut x = v(i);
        if x == "!" {
            negate = true;
            i += 1;
            x = v(i);
        } else if let Some(rest) = x.strip_prefix('!') {
            negate = true;
            x = rest;
        }
        let p = v(i + 1);
        match x {
            "string" if http => kind = Some(ExpectKind::HttpBody(p.as_bytes().to_vec())),
            "rstring" if http => kind = Some(ExpectKind::HttpRBody(re(p)?)),
            "string" => kind = Some(ExpectKind::String(p.as_bytes().to_vec())),
            "rstring" => kind = Some(ExpectKind::RString(re(p)?)),
            "binary" => {
                kind = Some(ExpectKind::Binary(
                    proto::parse_hex(p).ok_or_else(|| "invalid binary string".to_string())?,
                ))
            }
            "rbinary" => kind = Some(ExpectKind::RBinary(re(p)?)),
            "status" => kind = Some(ExpectKind::HttpStatus(parse_codes(p))),
            "rstatus" => kind = Some(ExpectKind::HttpRStatus(re(p)?)),
            "hdr" | "fhdr" => {
                let (h, next) = parse_hdr(w, i, x == "fhdr")?;
                kind = Some(ExpectKind::HttpHeader(h));
                i = next;
                continue;
            }
            "string-lf" | "binary-lf" => {
                kind = Some(ExpectKind::Unsupported(format!(
                    "expect {x} is not supported"
                )))
            }
            "min-recv" => e.min_recv = p.parse::<i64>().ok().and_then(|n| usize::try_from(n).ok()),
            "ok-status" => e.ok_status = status_of(p),
            "error-status" => e.err_status = status_of(p),
            "tout-status" => e.tout_status = status_of(p),
            "on-success" => e.on_success = Some(info_fmt(p)),
            "on-error" => e.on_error = Some(info_fmt(p)),
            "status-code" => e.status_code = payload_range(p),
            "comment" => e.comment = Some(p.to_string()),
            other => return Err(format!("expect: unexpected '{other}'")),
        }
        i += 2;
    }
    e.negate = negate;
    e.kind = kind.ok_or_else(|| "expect: no pattern".to_string())?;
    Ok(e)
}

/// `200`, `200-399`, `200,302-304`.
fn parse_codes(p: &str) -> Vec<(u16, u16)> {
    p.split(',')
        .filter_map(|c| {
            let (a, b) = c.split_once('-').unwrap_or((c, c));
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .collect()
}

fn parse_hdr(w: &[String], i: usize, full: bool) -> Result<(HeaderMatch, usize), String> {
    let v = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let mut cur = i + 2; // after `hdr name`
    let pat = |meth: &str, p: &str| -> Result<NamePat, String> {
        Ok(match meth {
            "reg" => NamePat::Reg(Regex::new(p).map_err(|e| e.to_string())?),
            "beg" => NamePat::Str(StrMatch::Beg, p.to_string()),
            "end" => NamePat::Str(StrMatch::End, p.to_string()),
            "sub" => NamePat::Str(StrMatch::Sub, p.to_string()),
            _ => NamePat::Str(StrMatch::Str, p.to_string()),
        })
    };
    let mut meth = "str";
    if v(cur) == "-m" {
        meth = v(cur + 1);
        cur += 2;
    }
    let name = pat(meth, v(cur))?;
    cur += 1;
    let mut value = None;
    if matches!(v(cur), "value" | "value-lf") {
        cur += 1;
        let mut m = "str";
        if v(cur) == "-m" {
            m = v(cur + 1);
            cur += 2;
        }
        value = Some(pat(m, v(cur))?);
        cur += 1;
    }
    Ok((HeaderMatch { full, name, value }, cur))
}
