//! `server`, `default-server`, `server-template` and `bind` lines with all
//! their options. Same contract as `expr`, with one difference HAProxy
//! imposes: server lines are reported as `[FILE:LINE] : 'server BE/NAME' : ...`
//! (no `parsing`), so their errors are [`RAW`](super::expr::RAW) messages;
//! pass every `Err` through [`super::expr::render`].

use std::cell::RefCell;
use std::path::Path;
use std::sync::OnceLock;

use super::expr::{Ctx, RAW, raw};
use super::values::{
    AddrOpts, TimeError, TimeUnit, TimeValue, atoi, atol, best_match, parse_address,
    parse_address_list, parse_time,
};
use crate::grammar::grammar;
use crate::ir::haproxy::expr::{Bind, Server, ServerKind};

/// Server keywords of HAProxy 2.6.12 with the number of arguments each
/// takes (-1: variable, `source`), from `grammar/haproxy-server.tbl` in its
/// order (the order the did-you-mean search walks).
pub fn server_keywords() -> &'static [(&'static str, i8)] {
    static K: OnceLock<Vec<(&'static str, i8)>> = OnceLock::new();
    K.get_or_init(|| table_keywords("haproxy-server"))
}

/// Bind keywords of HAProxy 2.6.12 with their argument count, from
/// `grammar/haproxy-bind.tbl`.
pub fn bind_keywords() -> &'static [(&'static str, i8)] {
    static K: OnceLock<Vec<(&'static str, i8)>> = OnceLock::new();
    K.get_or_init(|| table_keywords("haproxy-bind"))
}

fn table_keywords(table: &str) -> Vec<(&'static str, i8)> {
    grammar()
        .table(table)
        .map(|k| {
            let n = if k.args.is_empty() {
                0
            } else if k.args.contains(' ') && k.keyword == "source" {
                -1
            } else {
                1
            };
            (k.keyword, n)
        })
        .collect()
}

/// The global `crt-base` / `ca-base` in effect while a file is parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SslBases {
    pub crt_base: Option<String>,
    pub ca_base: Option<String>,
}

thread_local! {
    static BASES: RefCell<SslBases> = RefCell::new(SslBases::default());
}

/// The section parser calls this when it sees global `crt-base`/`ca-base`
/// (and with the default at the start of a load): relative `crt`/`ca-file`
/// paths of later `bind`/`server` lines are taken relative to them, as in
/// HAProxy. Per thread, so parallel tests do not see each other's bases.
pub fn set_ssl_bases(bases: SslBases) {
    BASES.with(|b| *b.borrow_mut() = bases);
}

fn with_base(path: &str, base: impl Fn(&SslBases) -> Option<String>) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    match BASES.with(|b| base(&b.borrow())) {
        Some(base) if !base.is_empty() => format!("{base}/{path}"),
        _ => path.to_string(),
    }
}

/// `strerror()` text of an I/O error (Rust appends ` (os error N)`).
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

const SSL_VERSIONS: &[&str] = &["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// `server NAME ADDR[:PORT] [OPTIONS]`, `default-server [OPTIONS]`,
/// `server-template PREFIX NUM|RANGE FQDN[:PORT] [OPTIONS]`; `args[0]` is the keyword.
/// `defaults` is the proxy's current `default-server` settings, if any.
pub fn parse_server(
    args: &[String],
    defaults: Option<&Server>,
    ctx: &mut Ctx,
) -> Result<Vec<Server>, String> {
    let kw = args.first().map(String::as_str).unwrap_or("server");
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let loc = format!("[{}:{}] : ", ctx.file, ctx.line);
    if ctx.section == "frontend" {
        return Err(raw(&[format!(
            "{loc}parsing [{}:{}] : '{kw}' not allowed because frontend '{}' has no backend capability.",
            ctx.file, ctx.line, ctx.proxy
        )]));
    }
    let kind = match kw {
        "default-server" => ServerKind::DefaultServer,
        "server-template" => ServerKind::Template,
        _ => ServerKind::Server,
    };
    let mut server = Server {
        kind,
        file: ctx.file.to_string(),
        line: ctx.line,
        proxy: ctx.proxy.to_string(),
        ..Server::default()
    };
    if let Some(d) = defaults {
        server.opts = d.opts.clone();
    }
    // (first, last) numbers of a template
    let mut range = None;
    let first_opt = match kind {
        ServerKind::DefaultServer => 1,
        ServerKind::Server => {
            if arg(1).is_empty() || arg(2).is_empty() {
                return Err(raw(&[format!(
                    "{loc}'server' expects <name> and <addr>[:<port>] as arguments."
                )]));
            }
            server.name = arg(1).to_string();
            3
        }
        ServerKind::Template => {
            if arg(1).is_empty() || arg(2).is_empty() || arg(3).is_empty() {
                return Err(raw(&[format!(
                    "{loc}'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments."
                )]));
            }
            range = Some(template_range(arg(2)).ok_or_else(|| {
                raw(&[format!(
                    "{loc}Wrong server-template number or range arg '{}'.",
                    arg(2)
                )])
            })?);
            server.name = arg(1).to_string();
            4
        }
    };
    // HAProxy names template servers only after the line is parsed.
    let shown = match kind {
        ServerKind::Template => "(null)".to_string(),
        _ => server.name.clone(),
    };
    let who = format!("'server {}/{}' : ", ctx.proxy, shown);
    if kind != ServerKind::DefaultServer {
        let a = parse_address(arg(first_opt - 1), AddrOpts::SERVER).map_err(|e| {
            // HAProxy's own text ends in `\n` here: an empty line follows.
            let nl = if e.newline { "\n" } else { "" };
            raw(&[format!("{loc}{who}{}{nl}", e.msg)])
        })?;
        server.address = Some(a);
    }
    let mut i = first_opt;
    let mut timer_warned = false;
    while i < args.len() {
        let k = arg(i);
        let Some(&(_, nargs)) = server_keywords().iter().find(|(n, _)| *n == k) else {
            let hint = if kind == ServerKind::DefaultServer {
                " Hint: no address was expected for this server."
            } else {
                ""
            };
            let prefix = if kind == ServerKind::DefaultServer {
                String::new()
            } else {
                who.clone()
            };
            let dym = match best_match(k, server_keywords().iter().map(|(n, _)| *n)) {
                Some(m) => format!("; did you mean '{m}' maybe ?"),
                None => ".".to_string(),
            };
            return Err(raw(&[format!(
                "{loc}{prefix}unknown keyword '{k}'{dym}{hint}"
            )]));
        };
        let value = arg(i + 1);
        let keyword_err = |msg: String| -> String {
            if kind == ServerKind::DefaultServer {
                raw(&[format!("{loc}{msg}.")])
            } else {
                raw(&[format!("{loc}{who}{msg}.")])
            }
        };
        if k == "observe" && value == "layer7" && !ctx.http {
            // An ALERT that does not make the configuration invalid.
            let prefix = if kind == ServerKind::DefaultServer {
                ""
            } else {
                &who
            };
            ctx.warnings.push(format!(
                "{}{}",
                crate::config::haproxy::expr::SOFT_ALERT,
                raw(&[format!(
                    "{loc}{prefix}'layer7' can only be used in http proxies.."
                )])
            ));
        }
        server_keyword(&mut server, k, value, kind, &loc, &who).map_err(|e| match e {
            KwErr::Msg(m) => keyword_err(m),
            KwErr::Raw(r) => r,
        })?;
        // Junk after a timer's unit is accepted with a warning; HAProxy 2.6
        // locates only the first one of a line.
        if matches!(
            k,
            "inter" | "fastinter" | "downinter" | "slowstart" | "agent-inter" | "pool-purge-delay"
        ) && let Ok(TimeValue {
            warning: Some(w), ..
        }) = parse_time(value, TimeUnit::Ms)
        {
            let prefix = if kind == ServerKind::DefaultServer {
                ""
            } else {
                &who
            };
            ctx.warnings.push(if timer_warned {
                raw(&[w])
            } else {
                raw(&[format!("{loc}{prefix}{w}")])
            });
            timer_warned = true;
        }
        i += 1 + usize::from(nargs != 0);
        if nargs < 0 {
            // `source ADDR [usesrc ADDR] [interface NAME]`
            while matches!(arg(i), "usesrc" | "interface") {
                let (sub, v) = (arg(i), arg(i + 1));
                let fail = |first: String| {
                    raw(&[
                        first,
                        format!("error encountered while processing '{sub}'."),
                    ])
                };
                if sub == "interface" {
                    if v.is_empty() {
                        return Err(fail(format!(
                            "{loc}{who}'server' : missing interface name."
                        )));
                    }
                } else if v.is_empty() {
                    return Err(fail(format!(
                        "{loc}{who}'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument."
                    )));
                } else if !matches!(v, "client" | "clientip") && !v.starts_with("hdr_ip(") {
                    let opts = AddrOpts {
                        resolve: true,
                        fqdn: false,
                        port_ofs: false,
                        ..AddrOpts::SERVER
                    };
                    if let Err(e) = parse_address(v, opts) {
                        let nl = if e.newline { "\n" } else { "" };
                        return Err(fail(format!("{loc}{who}'usesrc {v}' : {}{nl}", e.msg)));
                    }
                }
                i += 2;
            }
        }
    }
    if kind != ServerKind::DefaultServer
        && server.opts.agent_check
        && !server.opts.other.iter().any(|(k, _)| k == "agent-port")
    {
        return Err(raw(&[format!(
            "{loc}{who}server {} does not have agent port. Agent check has been disabled.",
            server.name
        )]));
    }
    if server.opts.check && server.opts.track.is_some() {
        return Err(raw(&[format!(
            "{loc}{who}unable to enable checks and tracking at the same time!"
        )]));
    }
    match range {
        None => Ok(vec![server]),
        Some((lo, hi)) => Ok((lo..=hi.min(lo.saturating_add(TEMPLATE_CAP - 1)))
            .map(|n| {
                let mut s = server.clone();
                s.name = format!("{}{n}", server.name);
                s
            })
            .collect()),
    }
}

/// `N` (1..N) or `A-B`, as `server-template` takes it.
fn template_range(s: &str) -> Option<(i64, i64)> {
    // HAProxy's srv_tmpl_parse_range(): atoi() on both sides, so `x` is 0
    // and `0-3` is allowed; low < 0 or high < low is refused.
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (atoi(a), atoi(b)),
        None => (1, atoi(s)),
    };
    (lo >= 0 && hi >= lo).then_some((i64::from(lo), i64::from(hi)))
}

/// More servers than this from one `server-template` line are not
/// materialized (HAProxy would need gigabytes for them); the IR keeps the
/// first ones. Configs never come near it; fuzzers do.
pub const TEMPLATE_CAP: i64 = 100_000;

enum KwErr {
    /// Message that gets the line's prefix and a final '.'.
    Msg(String),
    /// A complete RAW message.
    Raw(String),
}

fn server_time(kw: &str, v: &str, name: &str) -> Result<u32, KwErr> {
    if v.is_empty() {
        return Err(KwErr::Msg(format!("'{kw}' expects a delay as argument.")));
    }
    match parse_time(v, TimeUnit::Ms) {
        // HAProxy 2.6 names 'agent-inter' for all three (a copy/paste slip).
        Err(TimeError::UnexpectedChar(c)) => Err(KwErr::Msg(format!(
            "unexpected character '{c}' in 'agent-inter' argument of server {name}."
        ))),
        Err(TimeError::Empty) => Err(KwErr::Msg(format!("'{kw}' expects a delay as argument."))),
        Err(TimeError::Overflow) => Err(KwErr::Msg(format!(
            "timer overflow in argument <{v}> to <{kw}> of server {name}, maximum value is 2147483647 ms (~24.8 days)."
        ))),
        Err(TimeError::Underflow) => Err(KwErr::Msg(format!(
            "timer underflow in argument <{v}> to <{kw}> of server {name}, minimum non-null value is 1 ms."
        ))),
        Ok(t) if t.value == 0 => Err(KwErr::Msg(format!(
            "invalid value 0 for argument '{kw}' of server {name}."
        ))),
        Ok(t) => Ok(t.value),
    }
}

fn server_keyword(
    s: &mut Server,
    k: &str,
    v: &str,
    kind: ServerKind,
    loc: &str,
    who: &str,
) -> Result<(), KwErr> {
    let name = if kind == ServerKind::DefaultServer {
        "default-server".to_string()
    } else if kind == ServerKind::Template {
        "(null)".to_string()
    } else {
        s.name.clone()
    };
    let o = &mut s.opts;
    let opt = || (!v.is_empty()).then(|| v.to_string());
    let missing = |m: &str| -> Result<(), KwErr> {
        if v.is_empty() {
            Err(KwErr::Msg(m.to_string()))
        } else {
            Ok(())
        }
    };
    match k {
        "check" => o.check = true,
        "no-check" => o.check = false,
        "check-ssl" => {
            o.check_ssl = true;
            o.no_check_ssl = false;
        }
        "no-check-ssl" => {
            o.check_ssl = false;
            o.no_check_ssl = true;
        }
        "check-send-proxy" => o.check_send_proxy = true,
        "no-check-send-proxy" => o.check_send_proxy = false,
        "agent-check" => o.agent_check = true,
        "no-agent-check" => o.agent_check = false,
        "backup" => o.backup = true,
        "no-backup" => o.backup = false,
        "ssl" => o.ssl = true,
        "no-ssl" => o.ssl = false,
        "send-proxy" => o.send_proxy = true,
        "no-send-proxy" => o.send_proxy = false,
        "send-proxy-v2" => o.send_proxy_v2 = true,
        "no-send-proxy-v2" => o.send_proxy_v2 = false,
        "send-proxy-v2-ssl" => o.send_proxy_v2_ssl = true,
        "no-send-proxy-v2-ssl" => o.send_proxy_v2_ssl = false,
        "send-proxy-v2-ssl-cn" => o.send_proxy_v2_ssl_cn = true,
        "no-send-proxy-v2-ssl-cn" => o.send_proxy_v2_ssl_cn = false,
        "disabled" => o.disabled = true,
        "enabled" => o.disabled = false,
        "non-stick" => o.non_stick = true,
        "stick" => o.non_stick = false,
        "inter" => o.inter = Some(server_time(k, v, &name)?),
        "fastinter" => o.fastinter = Some(server_time(k, v, &name)?),
        "downinter" => o.downinter = Some(server_time(k, v, &name)?),
        "slowstart" => {
            // HAProxy prints the NUL of an empty argument, which ends its string.
            let t = match parse_time(v, TimeUnit::Ms) {
                Ok(t) => t.value,
                Err(TimeError::Empty) => return Err(KwErr::Msg("unexpected character '".into())),
                Err(TimeError::UnexpectedChar(c)) => {
                    return Err(KwErr::Msg(format!(
                        "unexpected character '{c}' in 'slowstart' argument of server {name}."
                    )));
                }
                Err(_) => {
                    return Err(KwErr::Msg(format!(
                        "timer overflow in argument <{v}> to <{k}> of server {name}, maximum value is 2147483647 ms (~24.8 days)."
                    )));
                }
            };
            o.slowstart = Some(t);
        }
        "rise" | "fall" => {
            missing(&format!("'{k}' expects an integer argument."))?;
            let n = atol(v);
            if n <= 0 {
                return Err(KwErr::Msg(format!("'{k}' has to be > 0.")));
            }
            if k == "rise" {
                o.rise = Some(n);
            } else {
                o.fall = Some(n);
            }
        }
        "error-limit" => {
            missing("'error-limit' expects an integer argument.")?;
            let n = atol(v);
            if n <= 0 {
                return Err(KwErr::Msg("error-limit has to be > 0.".into()));
            }
            o.error_limit = Some(n);
        }
        "port" => {
            missing("'port' expects a port number as argument.")?;
            o.port = Some(atol(v));
        }
        "agent-port" => {
            missing("'agent-port' expects a port number as argument.")?;
            o.other.push((k.into(), opt()));
        }
        "addr" => {
            missing("'addr' expects <ipv4|ipv6> as argument.")?;
            let a = parse_address(v, AddrOpts::SERVER_ADDR)
                .map_err(|e| KwErr::Msg(format!("'addr' : {}", e.msg)))?;
            o.addr = Some(a);
        }
        "weight" => {
            let w = atol(v);
            if !(0..=256).contains(&w) {
                return Err(KwErr::Msg(format!(
                    "weight of server {name} is not within 0 and 256 ({w})."
                )));
            }
            o.weight = Some(w);
        }
        "maxconn" => o.maxconn = Some(atol(v)),
        "minconn" => o.minconn = Some(atol(v)),
        "maxqueue" => o.maxqueue = Some(atol(v)),
        "cookie" => {
            missing("'cookie' expects <value> as argument.")?;
            o.cookie = opt();
        }
        "id" => {
            if kind == ServerKind::DefaultServer {
                return Err(KwErr::Raw(raw(&[format!(
                    "{loc}'id' option is not accepted in default-server sections"
                )])));
            }
            missing("'id' : expects an integer argument")?;
            let n = atol(v);
            if n <= 0 {
                return Err(KwErr::Msg("'id' : custom id has to be > 0".into()));
            }
            o.id = Some(n);
        }
        "verify" => {
            missing("'verify' : missing verify method")?;
            if v != "none" && v != "required" {
                return Err(KwErr::Msg(format!(
                    "'verify' : unknown verify method '{v}', only 'none' and 'required' are supported"
                )));
            }
            o.verify = opt();
        }
        "verifyhost" => {
            missing("'verifyhost' : missing hostname to verify against")?;
            o.verifyhost = opt();
        }
        "ca-file" => {
            missing("'ca-file' : missing CAfile path")?;
            let path = with_base(v, |b| b.ca_base.clone());
            if let Err(e) = std::fs::File::open(&path) {
                return Err(KwErr::Raw(raw(&[
                    format!(
                        "{loc}{who}Couldn't open the ca-file '{path}' ({}).",
                        strerror(&e)
                    ),
                    format!("'ca-file' : unable to load {path}."),
                ])));
            }
            o.ca_file = Some(path);
        }
        "crl-file" => {
            missing("'crl-file' : missing CRLfile path")?;
            let path = with_base(v, |b| b.ca_base.clone());
            if let Err(e) = std::fs::File::open(&path) {
                // (sic) HAProxy's shared loader names the ca-file here.
                return Err(KwErr::Raw(raw(&[
                    format!(
                        "{loc}{who}Couldn't open the ca-file '{path}' ({}).",
                        strerror(&e)
                    ),
                    format!("'crl-file' : unable to load {path}."),
                ])));
            }
            o.crl_file = Some(path);
        }
        "crt" => {
            missing("'crt' : missing certificate file path")?;
            // Existence is checked at SSL init, after parsing (post-parse).
            o.crt = Some(with_base(v, |b| b.crt_base.clone()));
        }
        "sni" => {
            missing("'sni' : missing sni expression")?;
            // HAProxy prints this one without a final period.
            crate::config::haproxy::expr::sample::parse_sample(v).map_err(|e| {
                KwErr::Raw(raw(&[format!(
                    "{loc}{who}error detected while parsing sni expression : {e}"
                )]))
            })?;
            o.sni = opt();
        }
        "check-sni" => {
            missing("'check-sni' : missing SNI")?;
            o.check_sni = opt();
        }
        "alpn" => {
            missing("'alpn' : missing the comma-delimited ALPN protocol suite")?;
            o.alpn = opt();
        }
        "npn" => {
            missing("'npn' : missing the comma-delimited NPN protocol suite")?;
            o.other.push((k.into(), opt()));
        }
        "ciphers" => {
            missing("'ciphers' : missing cipher suite")?;
            o.ciphers = opt();
        }
        "ciphersuites" => {
            missing("'ciphersuites' : missing cipher suite")?;
            o.ciphersuites = opt();
        }
        "ssl-min-ver" | "ssl-max-ver" => {
            missing(&format!("'{k}' : missing the ssl/tls version"))?;
            if !SSL_VERSIONS.contains(&v) {
                return Err(KwErr::Msg(format!("'{v}' : unknown ssl/tls version")));
            }
            if k == "ssl-min-ver" {
                o.ssl_min_ver = opt();
            } else {
                o.ssl_max_ver = opt();
            }
        }
        // A missing name is kept as "" (HAProxy then finds no such section).
        "resolvers" => o.resolvers = Some(v.to_string()),
        "resolve-opts" => {
            if let Some(bad) = v
                .split(',')
                .find(|x| !matches!(*x, "allow-dup-ip" | "ignore-weight" | "prevent-dup-ip"))
            {
                return Err(KwErr::Msg(format!(
                    "'resolve-opts' : unknown resolve-opts option '{bad}', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'."
                )));
            }
            o.other.push((k.into(), opt()));
        }
        "proxy-v2-options" => {
            const V2: &[&str] = &[
                "ssl",
                "cert-cn",
                "ssl-cipher",
                "cert-sig",
                "cert-key",
                "authority",
                "crc32c",
                "unique-id",
            ];
            if let Some(bad) = v.split(',').find(|x| !V2.contains(x)) {
                return Err(KwErr::Msg(format!(
                    "'{bad}' : proxy v2 option not implemented"
                )));
            }
            o.other.push((k.into(), opt()));
        }
        "agent-send" => {
            missing("'agent-send' expects a string as argument.")?;
            o.other.push((k.into(), opt()));
        }
        "redir" => {
            missing("'redir' expects <prefix> as argument.")?;
            o.other.push((k.into(), opt()));
        }
        "pool-purge-delay" => {
            if let Err(TimeError::UnexpectedChar(c)) = super::values::parse_time(v, TimeUnit::Ms) {
                return Err(KwErr::Msg(format!(
                    "unexpected character '{c}' in argument to <{k}>."
                )));
            }
            o.other.push((k.into(), opt()));
        }
        "check-proto" => {
            if !matches!(v, "h1" | "h2" | "fcgi" | "none" | "") {
                return Err(KwErr::Msg(format!(
                    "'check-proto' :  unknown MUX protocol '{v}'"
                )));
            }
            o.other.push((k.into(), opt()));
        }
        "usesrc" => {
            return Err(KwErr::Msg(
                "'usesrc' only allowed after a 'source' statement.".into(),
            ));
        }
        "resolve-prefer" => {
            if v != "ipv4" && v != "ipv6" {
                return Err(KwErr::Msg(
                    "'resolve-prefer' expects either ipv4 or ipv6 as argument.".into(),
                ));
            }
            o.resolve_prefer = opt();
        }
        "init-addr" => {
            let mut methods = Vec::new();
            for m in v.split(',').filter(|m| !m.is_empty()) {
                let ok =
                    matches!(m, "libc" | "last" | "none") || m.parse::<std::net::IpAddr>().is_ok();
                if !ok {
                    return Err(KwErr::Msg(format!(
                        "'init-addr' : unknown init-addr method '{m}', supported methods are 'libc', 'last', 'none'."
                    )));
                }
                methods.push(m.to_string());
            }
            o.init_addr = methods;
        }
        "on-marked-down" => {
            if v != "shutdown-sessions" {
                return Err(KwErr::Msg(format!(
                    "'on-marked-down' expects 'shutdown-sessions' but got '{v}'"
                )));
            }
            o.on_marked_down = opt();
        }
        "on-marked-up" => {
            if v != "shutdown-backup-sessions" {
                return Err(KwErr::Msg(format!(
                    "'on-marked-up' expects 'shutdown-backup-sessions' but got '{v}'"
                )));
            }
            o.on_marked_up = opt();
        }
        "on-error" => {
            if !matches!(v, "fastinter" | "fail-check" | "sudden-death" | "mark-down") {
                return Err(KwErr::Msg(format!(
                    "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '{v}'"
                )));
            }
            o.on_error = opt();
        }
        "observe" => {
            if !matches!(v, "none" | "layer4" | "layer7") {
                return Err(KwErr::Msg(format!(
                    "'observe' expects one of 'none', 'layer4', 'layer7' but got '{v}'"
                )));
            }
            o.observe = opt();
        }
        "track" => {
            missing("'track' expects [<proxy>/]<server> as argument.")?;
            o.track = opt();
        }
        "source" => {
            missing(
                "'source' expects <addr>[:<port>[-<port>]], and optionally 'usesrc' <addr>, and 'interface' <name> as argument.",
            )?;
            let opts = AddrOpts {
                resolve: true,
                fqdn: false,
                port_range: true,
                port_ofs: false,
                ..AddrOpts::SERVER
            };
            parse_address(v, opts).map_err(|e| {
                // HAProxy indents a message that has line breaks.
                if e.newline {
                    KwErr::Msg(format!("\n  'source {v}' : {}\n  \n", e.msg))
                } else {
                    KwErr::Msg(format!("'source {v}' : {}", e.msg))
                }
            })?;
            o.other.push((k.into(), opt()));
        }
        "proto" => {
            // The multiplexers this HAProxy build has.
            if !matches!(v, "h1" | "h2" | "fcgi" | "none" | "") {
                return Err(KwErr::Msg(format!("'proto' :  unknown MUX protocol '{v}'")));
            }
            o.proto = opt();
        }
        "ws" => {
            if !matches!(v, "auto" | "h1" | "h2") {
                return Err(KwErr::Msg("'ws' has to be 'auto', 'h1' or 'h2'".into()));
            }
            o.other.push((k.into(), opt()));
        }
        "log-proto" => {
            if !matches!(v, "legacy" | "octet-count") {
                return Err(KwErr::Msg(format!(
                    "'log-proto' expects one of 'legacy' or 'octet-count' but got '{v}'"
                )));
            }
            o.other.push((k.into(), opt()));
        }
        "socks4" => {
            let opts = AddrOpts {
                port_mand: true,
                ..AddrOpts::SERVER_ADDR
            };
            parse_address(v, opts).map_err(|e| KwErr::Msg(format!("'socks4 {v}' : {}", e.msg)))?;
            o.other.push((k.into(), opt()));
        }
        "namespace" => {
            missing("'namespace' : expects <name> as argument")?;
            // HAProxy opens the namespace while parsing.
            if std::fs::metadata(format!("/var/run/netns/{v}")).is_err() {
                return Err(KwErr::Msg(format!("Cannot open namespace '{v}'")));
            }
            o.other.push((k.into(), opt()));
        }
        _ => {
            let takes = server_keywords().iter().any(|(n, a)| *n == k && *a != 0);
            o.other.push((k.into(), if takes { opt() } else { None }));
        }
    }
    Ok(())
}

/// The address resolution HAProxy does for each server once the whole
/// configuration is parsed and checked (`srv_init_addr()`), following the
/// server's `init-addr` methods (default `last,libc`). On failure returns
/// the [`RAW`] message `[FILE:LINE] : 'server BE/NAME' : could not resolve
/// address 'HOST'.`; after all servers, if any failed, HAProxy ends with
/// `Failed to initialize server(s) addr.` (`Verdict::ServerAddr`).
pub fn resolve_init_addr(server: &Server) -> Result<(), String> {
    let Some(addr) = &server.address else {
        return Ok(());
    };
    let Some(fqdn) = &addr.fqdn else {
        return Ok(());
    };
    let default = ["last".to_string(), "libc".to_string()];
    let methods = if server.opts.init_addr.is_empty() {
        &default[..]
    } else {
        &server.opts.init_addr[..]
    };
    let mut tried_libc = false;
    for m in methods {
        let ok = match m.as_str() {
            // No server-state file is loaded in check mode.
            "last" => false,
            "libc" => {
                tried_libc = true;
                super::values::resolve_host(fqdn, addr.family).is_some()
            }
            // `none` starts the server down; an IP is used as is.
            _ => true,
        };
        if ok {
            return Ok(());
        }
    }
    let what = if tried_libc {
        "could not resolve address"
    } else {
        "no method found to resolve address"
    };
    Err(raw(&[format!(
        "[{}:{}] : 'server {}/{}' : {what} '{fqdn}'.",
        server.file, server.line, server.proxy, server.name
    )]))
}

/// The checks HAProxy makes on a server's SSL settings when it initializes
/// SSL, after parsing (`ssl_sock_prepare_srv_ctx()`), as [`RAW`] lines:
/// a `crt` that cannot be read, and a verified connection (`ssl` or
/// `check-ssl` without `verify none`) without `ca-file`, unless the global
/// `ssl-server-verify none` is set (`global_verify_none`). The whole text of
/// each alert (after `config : `) is returned; any of them is a fatal error.
pub fn ssl_init_errors(server: &Server, global_verify_none: bool) -> Vec<String> {
    let o = &server.opts;
    let loc = format!(
        "[{}:{}] : 'server {}/{}' : ",
        server.file, server.line, server.proxy, server.name
    );
    let mut out = Vec::new();
    if !(o.ssl || o.check_ssl) {
        return out;
    }
    let mut crt_failed = false;
    if let Some(crt) = &o.crt
        && let Err(e) = std::fs::metadata(crt)
    {
        out.push(format!(
            "{loc}unable to stat SSL certificate from file '{crt}' : {}.",
            strerror(&e)
        ));
        crt_failed = true;
    }
    let verify = match o.verify.as_deref() {
        Some(v) => v != "none",
        None => !global_verify_none,
    };
    if verify && o.ca_file.is_none() {
        let msg = "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.";
        // After a certificate error HAProxy prints this one without location.
        if crt_failed {
            out.push(msg.to_string());
        } else {
            out.push(format!("{loc}{msg}"));
        }
    }
    out
}

/// HAProxy's warnings at SSL init for a server (text after `config : `):
/// `no-sslv3`/`no-tlsv1x` next to `ssl-min-ver`/`ssl-max-ver` on an `ssl` server.
pub fn ssl_init_warnings(server: &Server) -> Vec<String> {
    let o = &server.opts;
    let no_x = o.other.iter().any(|(k, _)| {
        matches!(
            k.as_str(),
            "no-sslv3" | "no-tlsv10" | "no-tlsv11" | "no-tlsv12" | "no-tlsv13"
        )
    });
    if o.ssl && no_x && (o.ssl_min_ver.is_some() || o.ssl_max_ver.is_some()) {
        return vec![format!(
            "[{}:{}] : 'server {}/{}' : no-sslv3/no-tlsv1x are ignored for this server. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.",
            server.file, server.line, server.proxy, server.name
        )];
    }
    Vec::new()
}

/// HAProxy 2.6's warning at the end of a `server` line with `tfo` when the
/// proxy's `retry-on` (as set so far, or inherited) lacks any of
/// `conn-failure`, `empty-response`, `response-timeout` (the caller knows
/// that): text after `config : `. `None` without `tfo`.
pub fn tfo_warning(server: &Server) -> Option<String> {
    let tfo = server.opts.other.iter().any(|(k, _)| k == "tfo");
    tfo.then(|| {
        format!(
            "[{}:{}] : 'server {}/{}' : server has tfo activated, the backend should be configured with at least 'conn-failure', 'empty-response' and 'response-timeout' or we wouldn't be able to retry the connection on failure.",
            server.file, server.line, server.proxy, server.name
        )
    })
}

/// HAProxy's post-parse message for a `track` naming no such server
/// (after `config : `).
pub fn track_error(server: &Server, tracked: &str) -> String {
    format!(
        "[{}:{}] : 'server {}/{}' : unable to find required server '{tracked}' for tracking.",
        server.file, server.line, server.proxy, server.name
    )
}

/// HAProxy's post-parse message for `resolvers` naming no such section
/// (after `config : `; it has no location).
pub fn resolvers_error(server: &Server, resolvers: &str) -> String {
    format!(
        "backend '{}', server '{}': unable to find required resolvers '{resolvers}'",
        server.proxy, server.name
    )
}

/// `bind ADDR[:PORT][,...] [PARAMS]`; `args[0]` is "bind".
pub fn parse_bind(args: &[String], ctx: &mut Ctx) -> Result<Bind, String> {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let text = arg(1);
    if text.is_empty() {
        return Err(
            "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments."
                .to_string(),
        );
    }
    let addresses =
        parse_address_list(text, AddrOpts::BIND).map_err(|e| format!("'bind' : {}", e.msg))?;
    let mut bind = Bind {
        text: text.to_string(),
        addresses,
        file: ctx.file.to_string(),
        line: ctx.line,
        ..Bind::default()
    };
    let who = format!("'bind {text}' in section '{}'", ctx.section);
    let mut i = 2;
    while i < args.len() {
        let k = arg(i);
        let Some(&(_, nargs)) = bind_keywords().iter().find(|(n, _)| *n == k) else {
            let dym = match best_match(k, bind_keywords().iter().map(|(n, _)| *n)) {
                Some(m) => format!("; did you mean '{m}' maybe ?"),
                None => ".".to_string(),
            };
            return Err(format!("{who}: unknown keyword '{k}'{dym}"));
        };
        let v = arg(i + 1);
        bind_keyword(&mut bind, k, v, &who, ctx).map_err(|m| {
            if m.starts_with(RAW) {
                m
            } else {
                format!("{who} : {m}")
            }
        })?;
        i += 1 + usize::from(nargs != 0);
    }
    Ok(bind)
}

fn bind_keyword(b: &mut Bind, k: &str, v: &str, who: &str, ctx: &mut Ctx) -> Result<(), String> {
    let o = &mut b.opts;
    let opt = || (!v.is_empty()).then(|| v.to_string());
    let missing = |m: &str| -> Result<(), String> {
        if v.is_empty() {
            Err(m.to_string())
        } else {
            Ok(())
        }
    };
    match k {
        "ssl" => o.ssl = true,
        "accept-proxy" => o.accept_proxy = true,
        "transparent" => o.transparent = true,
        "v4v6" => o.v4v6 = true,
        "v6only" => o.v6only = true,
        "defer-accept" => o.defer_accept = true,
        "tfo" => o.tfo = true,
        "strict-sni" => o.strict_sni = true,
        "no-sslv3" => o.no_sslv3 = true,
        "no-tlsv10" => o.no_tlsv10 = true,
        "no-tlsv11" => o.no_tlsv11 = true,
        "no-tlsv12" => o.no_tlsv12 = true,
        "no-tlsv13" => o.no_tlsv13 = true,
        "no-tls-tickets" => o.no_tls_tickets = true,
        "prefer-client-ciphers" => o.prefer_client_ciphers = true,
        "crt" => {
            missing("'crt' : missing certificate location")?;
            let path = with_base(v, |b| b.crt_base.clone());
            check_certificate(&path)?;
            o.crt.push(path);
        }
        "crt-list" => {
            missing("'crt-list' : missing certificate location")?;
            let path = with_base(v, |b| b.crt_base.clone());
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!("'crt-list' : cannot open file '{path}' : {}", strerror(&e))
            })?;
            // Each line: `CERT [[ssl options] filters]`; the certificate is
            // loaded (relative to crt-base) like a `crt` argument.
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(cert) = line.split_whitespace().next() {
                    let cert = with_base(cert, |b| b.crt_base.clone());
                    check_certificate(&cert).map_err(|e| format!("'crt-list' : {e}"))?;
                }
            }
            o.crt_list.push(path);
        }
        "ca-file" | "ca-verify-file" | "crl-file" => {
            missing(&if k == "crl-file" {
                "'crl-file' : missing CRLfile path".to_string()
            } else {
                format!("'{k}' : missing CAfile path")
            })?;
            let path = with_base(v, |b| b.ca_base.clone());
            if let Err(e) = std::fs::File::open(&path) {
                // HAProxy prints the reason first, on a line of its own
                // (its shared loader names every kind "ca-file").
                return Err(raw(&[
                    format!("Couldn't open the ca-file '{path}' ({}).", strerror(&e)),
                    format!(
                        "parsing [{}:{}] : {who} : '{k}' : unable to load {path}",
                        ctx.file, ctx.line
                    ),
                ]));
            }
            if k == "ca-file" {
                o.ca_file = Some(path);
            } else {
                o.other.push((k.into(), Some(path)));
            }
        }
        "tls-ticket-keys" => {
            missing("'tls-ticket-keys' : missing TLS ticket keys file path")?;
            check_ticket_keys(v)?;
            o.other.push((k.into(), opt()));
        }
        "alpn" => {
            missing("'alpn' : missing the comma-delimited ALPN protocol suite")?;
            o.alpn = opt();
        }
        "npn" => {
            missing("'npn' : missing the comma-delimited NPN protocol suite")?;
            o.npn = opt();
        }
        "ciphers" => {
            missing("'ciphers' : missing cipher suite")?;
            o.ciphers = opt();
        }
        "ciphersuites" => {
            missing("'ciphersuites' : missing cipher suite")?;
            o.ciphersuites = opt();
        }
        "curves" => o.curves = opt(),
        "ssl-min-ver" | "ssl-max-ver" => {
            missing(&format!("'{k}' : missing the ssl/tls version"))?;
            if !SSL_VERSIONS.contains(&v) {
                return Err(format!("'{v}' : unknown ssl/tls version"));
            }
            if k == "ssl-min-ver" {
                o.ssl_min_ver = opt();
            } else {
                o.ssl_max_ver = opt();
            }
        }
        "verify" => {
            missing("'verify' : missing verify method")?;
            if !matches!(v, "none" | "optional" | "required") {
                return Err(format!(
                    "'verify' : unknown verify method '{v}', only 'none', 'optional', and 'required' are supported"
                ));
            }
            o.verify = opt();
        }
        "name" => {
            missing("'name' : missing name")?;
            o.name = opt();
        }
        "id" => {
            missing("'id' : expects an integer argument")?;
            let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format!("'id' : expects an integer argument, found '{v}'"));
            }
            let n = atol(v);
            if n <= 0 {
                return Err("'id' : custom id has to be > 0".into());
            }
            o.id = Some(n);
        }
        "maxconn" => {
            missing("'maxconn' : missing value")?;
            let n = atol(v);
            if n < 0 {
                return Err(format!("'maxconn' : invalid value {n}, must be >= 0"));
            }
            o.maxconn = Some(n);
        }
        "nice" => {
            missing("'nice' : missing value")?;
            let n = atol(v);
            if !(-1024..=1024).contains(&n) {
                return Err(format!(
                    "'nice' : invalid value {n}, allowed range is -1024..1024"
                ));
            }
            o.other.push((k.into(), opt()));
        }
        "accept-netscaler-cip" => {
            missing("'accept-netscaler-cip' : missing value")?;
            // (sic) HAProxy refuses only 0, with this text.
            if atol(v) == 0 {
                return Err("'accept-netscaler-cip' : invalid value 0, must be >= 0".into());
            }
            o.other.push((k.into(), opt()));
        }
        "tcp-ut" => {
            missing("'tcp-ut' : missing TCP User Timeout value")?;
            if parse_time(v, TimeUnit::Ms).is_err() {
                return Err("'tcp-ut' : expects a positive delay in milliseconds".into());
            }
            o.other.push((k.into(), opt()));
        }
        "mss" => {
            missing("'mss' : missing MSS value")?;
            let n = atol(v);
            if n == 0 || n.abs() > 65535 {
                return Err(
                    "'mss' : expects an MSS with and absolute value between 1 and 65535".into(),
                );
            }
            o.other.push((k.into(), opt()));
        }
        "backlog" => {
            missing("'backlog' : missing value")?;
            o.backlog = Some(atol(v));
        }
        "interface" => {
            missing("'interface' : missing interface name")?;
            o.interface = opt();
        }
        "namespace" => {
            // HAProxy opens the named network namespace while parsing.
            if !v.is_empty() && !Path::new(&format!("/var/run/netns/{v}")).exists() {
                return Err(raw(&[
                    format!("Cannot open namespace '{v}'."),
                    format!(
                        "parsing [{}:{}] : {who} : error encountered while processing 'namespace'.",
                        ctx.file, ctx.line
                    ),
                ]));
            }
            o.namespace = opt();
        }
        "severity-output" => {
            if !matches!(v, "none" | "number" | "string") {
                return Err(format!(
                    "'severity-output' only supports 'none', 'number', and 'string' (got '{v}')"
                ));
            }
            o.other.push((k.into(), opt()));
        }
        "mode" => {
            let m = u32::from_str_radix(v, 8).ok().filter(|_| !v.is_empty());
            match m {
                Some(m) => o.mode = Some(m),
                None => {
                    return Err(format!(
                        "'mode' : missing or invalid mode '{v}' (octal integer expected)"
                    ));
                }
            }
        }
        "user" => o.user = opt(),
        "group" => o.group = opt(),
        "uid" => o.uid = Some(atol(v)),
        "gid" => o.gid = Some(atol(v)),
        "level" => {
            if !matches!(v, "user" | "operator" | "admin") {
                return Err(format!(
                    "'level' only supports 'user', 'operator', and 'admin' (got '{v}')"
                ));
            }
            o.level = opt();
        }
        "process" => {
            // HAProxy 2.6's bind_parse_process(): a process set (there is one
            // process) and an optional `/THREADS` part.
            let (procs, threads) = match v.split_once('/') {
                Some((p, t)) => (p, Some(t)),
                None => (v, None),
            };
            process_number(procs, 1).map_err(|e| format!("'process' : {e}"))?;
            if let Some(t) = threads {
                process_number(t, 64).map_err(|e| format!("'process' : {e}"))?;
            }
            let hint = threads
                .map(|t| format!(" Please use 'thread {t}' instead."))
                .unwrap_or_default();
            ctx.warnings.push(format!(
                "{who} : 'process {v}' on 'bind' lines is deprecated and will be removed in 2.7.{hint}"
            ));
            o.process = opt();
        }
        "thread" => {
            check_thread_set(v)?;
            o.thread = opt();
        }
        "proto" => {
            if !matches!(v, "h1" | "h2" | "none") {
                return Err(format!("'proto' :  unknown MUX protocol '{v}'"));
            }
            o.proto = opt();
        }
        _ => {
            let takes = bind_keywords().iter().any(|(n, a)| *n == k && *a != 0);
            o.other.push((k.into(), if takes { opt() } else { None }));
        }
    }
    Ok(())
}

/// Checks HAProxy makes on a bind line once the proxy is complete
/// (`check_config_validity()` / SSL init), as (warnings, alerts), each the
/// text after `config : ` (no location prefix of its own; they name the file
/// and line inside). HAProxy prints the warnings before the alerts; after
/// the "no SSL certificate" alert there is nothing else.
pub fn bind_post_parse(bind: &Bind, proxy: &str) -> (Vec<String>, Vec<String>) {
    let (mut warnings, mut alerts) = (Vec::new(), Vec::new());
    let o = &bind.opts;
    let at = format!("bind '{}' at [{}:{}]", bind.text, bind.file, bind.line);
    if o.ssl && o.crt.is_empty() && o.crt_list.is_empty() {
        // Without a certificate there is no SSL context to check further.
        alerts.push(format!(
            "Proxy '{proxy}': no SSL certificate specified for {at} (use 'crt')."
        ));
        return (warnings, alerts);
    }
    let no_x = o.no_sslv3 || o.no_tlsv10 || o.no_tlsv11 || o.no_tlsv12 || o.no_tlsv13;
    if o.ssl && no_x && (o.ssl_min_ver.is_some() || o.ssl_max_ver.is_some()) {
        warnings.push(format!(
            "Proxy '{proxy}': no-sslv3/no-tlsv1x are ignored for {at}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."
        ));
    }
    if o.ssl {
        ssl_versions_check(bind, proxy, &at, &mut warnings, &mut alerts);
        if o.verify.as_deref().is_some_and(|v| v != "none")
            && o.ca_file.is_none()
            && !o.other.iter().any(|(k, _)| k == "ca-verify-file")
        {
            // (sic) HAProxy 2.6 prints this text twice in one alert.
            let m =
                format!("Proxy '{proxy}': verify is enabled but no CA file specified for {at}.");
            alerts.push(format!("{m}\n{m}"));
        }
    }
    (warnings, alerts)
}

/// The protocol versions a `bind ... ssl` ends up with, as HAProxy 2.6's
/// SSL init computes them: `ssl-min-ver`/`ssl-max-ver` or `force-*`, else
/// the default minimum TLSv1.2 and the `no-*` options; SSLv3 is not in this
/// OpenSSL build.
fn ssl_versions_check(
    bind: &Bind,
    proxy: &str,
    at: &str,
    warnings: &mut Vec<String>,
    alerts: &mut Vec<String>,
) {
    const DEFAULT_MIN: usize = 3; // TLSv1.2
    let o = &bind.opts;
    let idx = |v: &Option<String>| {
        v.as_deref()
            .and_then(|v| SSL_VERSIONS.iter().position(|s| *s == v))
    };
    let forced = o.other.iter().rev().find_map(|(k, _)| match k.as_str() {
        "force-sslv3" => Some(0),
        "force-tlsv10" => Some(1),
        "force-tlsv11" => Some(2),
        "force-tlsv12" => Some(3),
        "force-tlsv13" => Some(4),
        _ => None,
    });
    let (mut min, max) = match forced {
        Some(f) => (Some(f), Some(f)),
        None => (idx(&o.ssl_min_ver), idx(&o.ssl_max_ver)),
    };
    let configured = min.is_some() || max.is_some();
    if min.is_none()
        && let Some(mx) = max
        && mx < DEFAULT_MIN
    {
        let name = SSL_VERSIONS.get(mx).copied().unwrap_or("");
        warnings.push(format!(
            "Proxy '{proxy}': Ambiguous configuration for {at}: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2). Setting the ssl-min-ver to {name}. Use 'ssl-min-ver' to fix this."
        ));
        min = Some(mx);
    }
    let min = min.unwrap_or(DEFAULT_MIN);
    let max = max.unwrap_or(SSL_VERSIONS.len() - 1);
    let no = [
        o.no_sslv3,
        o.no_tlsv10,
        o.no_tlsv11,
        o.no_tlsv12,
        o.no_tlsv13,
    ];
    let usable = (1..SSL_VERSIONS.len())
        .any(|i| i >= min && i <= max && (configured || !no.get(i).copied().unwrap_or(false)));
    if !usable {
        alerts.push(format!(
            "Proxy '{proxy}': all SSL/TLS versions are disabled for {at}."
        ));
    }
}

/// Decode standard base64 as HAProxy's `base64dec()` does (the length must
/// be a multiple of 4); `None` on bad input.
fn base64_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    if pad > 2 {
        return None;
    }
    let body = &b[..b.len() - pad];
    if !body
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
    {
        return None;
    }
    Some(b.len() / 4 * 3 - pad)
}

/// `tls-ticket-keys FILE`: HAProxy 2.6 loads it while parsing: at least 3
/// base64 keys of 48 or 80 bytes, all of the same size.
fn check_ticket_keys(path: &str) -> Result<(), String> {
    let data = std::fs::read(path)
        .map_err(|_| format!("'{path}' : unable to load ssl tickets keys file"))?;
    let text = String::from_utf8_lossy(&data);
    let mut size = None;
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(len) = base64_len(line) else {
            return Err(format!(
                "'{path}' : unable to decode base64 key on line {}",
                i + 1
            ));
        };
        match size {
            None if len == 48 || len == 80 => size = Some(len),
            Some(s) if s == len => {}
            _ => return Err(format!("'{path}' : wrong sized key on line {}", i + 1)),
        }
        n += 1;
    }
    if n < 3 {
        return Err(format!(
            "'{path}' : please supply at least 3 keys in the tls-tickets-file"
        ));
    }
    Ok(())
}

/// HAProxy 2.6's `parse_process_number()` for one set of 1..`max`.
fn process_number(arg: &str, max: u64) -> Result<(), String> {
    if matches!(arg, "all" | "odd" | "even") {
        return Ok(());
    }
    let mut dash = None;
    for (i, c) in arg.char_indices() {
        if c == '-' && dash.is_none() {
            dash = Some(i);
        } else if !c.is_ascii_digit() {
            return Err(format!("'{arg}' is not a valid number/range."));
        }
    }
    // str2uic(): the leading digits, 0 when there are none.
    let uic = |s: &str| -> u64 {
        s.bytes().take_while(u8::is_ascii_digit).fold(0u64, |a, d| {
            a.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
    };
    let mut low = uic(arg);
    let mut high = low;
    if let Some(d) = dash {
        let rest = &arg[d + 1..];
        high = if rest.is_empty() { max } else { uic(rest) };
    }
    if high < low {
        std::mem::swap(&mut low, &mut high);
    }
    if low < 1 || high > max {
        return Err(format!(
            "'{arg}' is not a valid number/range. It supports numbers from 1 to {max}."
        ));
    }
    Ok(())
}

/// `thread [GROUP/]SET`: `all`, `odd`, `even`, `N` or `N-M` with thread
/// numbers from 1 to 64 (this build's MAX_THREADS).
fn check_thread_set(v: &str) -> Result<(), String> {
    let set = v.rsplit('/').next().unwrap_or(v);
    if matches!(set, "all" | "odd" | "even") {
        return Ok(());
    }
    for part in set.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let num = |t: &str| super::values::parse_uint(t);
        match (num(a), num(b)) {
            (Some(x), Some(y)) if (1..=64).contains(&x) && (1..=64).contains(&y) => {}
            (Some(_), Some(_)) => {
                return Err(format!(
                    "'{v}' : '{part}' is not a valid number/range. It supports numbers from 1 to 64."
                ));
            }
            _ if part.is_empty() => {
                return Err(format!(
                    "'{v}' : '{part}' is not a valid number/range. It supports numbers from 1 to 64."
                ));
            }
            _ => return Err(format!("'{v}' : '{part}' is not a valid number/range.")),
        }
    }
    Ok(())
}

/// What HAProxy checks when it loads a `crt` at parse time: it must exist; a
/// PEM needs a certificate and a key (in the file or in FILE.key); a
/// directory is loaded file by file in name order, skipping hidden files and
/// the `.key`/`.ocsp`/`.issuer`/`.sctl` companions, and stops at the first
/// bad one.
fn check_certificate(path: &str) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "unable to stat SSL certificate from file '{path}' : {}.",
            strerror(&e)
        )
    })?;
    if meta.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let dir = path.trim_end_matches('/');
        for n in names {
            let skip = n.starts_with('.')
                || [".key", ".ocsp", ".issuer", ".sctl"]
                    .iter()
                    .any(|e| n.ends_with(e));
            if !skip {
                check_pem(&format!("{dir}/{n}"))?;
            }
        }
        return Ok(());
    }
    check_pem(path)
}

fn check_pem(path: &str) -> Result<(), String> {
    let text = std::fs::read(path)
        .map_err(|_| format!("unable to load certificate from file '{path}'."))?;
    let has = |t: &[u8], what: &str| t.windows(what.len()).any(|w| w == what.as_bytes());
    if !has(&text, "-----BEGIN CERTIFICATE-----")
        && !has(&text, "-----BEGIN TRUSTED CERTIFICATE-----")
    {
        return Err(format!("unable to load certificate from file '{path}'."));
    }
    if !has(&text, "PRIVATE KEY-----") {
        let key = format!("{path}.key");
        let ok = std::fs::read(Path::new(&key))
            .map(|k| has(&k, "PRIVATE KEY-----"))
            .unwrap_or(false);
        if !ok {
            return Err(format!("No Private Key found in '{key}'."));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::haproxy::expr::render;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn with_ctx<T>(section: &str, f: impl FnOnce(&mut Ctx) -> T) -> (T, Vec<String>) {
        let mut warnings = Vec::new();
        let acl_names = Vec::new();
        let r = {
            let mut ctx = Ctx {
                file: "F",
                line: 10,
                section,
                proxy: if section == "frontend" { "fe" } else { "be" },
                http: true,
                acl_names: &acl_names,
                warnings: &mut warnings,
            };
            f(&mut ctx)
        };
        (r, warnings)
    }

    fn server(line: &str) -> Result<Vec<Server>, String> {
        with_ctx("backend", |ctx| parse_server(&words(line), None, ctx)).0
    }

    /// The rendered alert text(s), after `config : `.
    fn server_err(line: &str) -> String {
        let e = server(line).unwrap_err();
        render(&e, "F", 10)
            .lines
            .iter()
            .map(|l| l.trim_start_matches("config : ").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn bind_err(line: &str) -> String {
        let e = with_ctx("frontend", |ctx| parse_bind(&words(line), ctx))
            .0
            .unwrap_err();
        render(&e, "F", 10)
            .lines
            .iter()
            .map(|l| l.trim_start_matches("config : ").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn server_ok() {
        let s = server(
            "server s1 127.0.0.1:80 check inter 2000 fastinter 1s downinter 3000 rise 2 fall 3 \
             port 81 addr 127.0.0.2 weight 6 maxconn 100 backup cookie c1 ssl verify none \
             sni str(foo) check-ssl send-proxy send-proxy-v2 disabled init-addr last,libc,none \
             on-marked-down shutdown-sessions resolvers dns",
        )
        .unwrap();
        let o = &s[0].opts;
        assert!(o.check && o.backup && o.ssl && o.disabled && o.send_proxy_v2);
        assert_eq!(o.inter, Some(2000));
        assert_eq!(o.fastinter, Some(1000));
        assert_eq!((o.rise, o.fall, o.weight), (Some(2), Some(3), Some(6)));
        assert_eq!(o.init_addr, ["last", "libc", "none"]);
        assert_eq!(o.cookie.as_deref(), Some("c1"));
        // HAProxy 2.6.12 accepts these (atol)
        assert!(server("server s5 127.0.0.1:80 weight 256 maxconn x port 70000").is_ok());
    }

    #[test]
    fn server_template_and_defaults() {
        let v = server("server-template web 3 127.0.0.1:80 check").unwrap();
        let names: Vec<_> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["web1", "web2", "web3"]);
        let v = server("server-template web 2-3 127.0.0.1:80").unwrap();
        assert_eq!(v.len(), 2);
        // atoi() as in HAProxy 2.6.12: `0-1` gives web0 and web1; `4294967297`
        // is 1 in 32 bits; `1-99999999999` is accepted (capped here).
        let v = server("server-template web 0-1 127.0.0.1:80").unwrap();
        assert_eq!(v[0].name, "web0");
        assert_eq!(
            server("server-template w 4294967297 1.2.3.4:80")
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            server("server-template w 1-99999999999 1.2.3.4:80")
                .unwrap()
                .len() as i64,
            TEMPLATE_CAP
        );
        let d = with_ctx("backend", |ctx| {
            parse_server(&words("default-server inter 3s maxconn 5"), None, ctx)
        })
        .0
        .unwrap();
        let s = with_ctx("backend", |ctx| {
            parse_server(&words("server a 1.2.3.4:80 check"), d.first(), ctx)
        })
        .0
        .unwrap();
        assert_eq!(s[0].opts.inter, Some(3000));
        assert_eq!(s[0].opts.maxconn, Some(5));
        assert!(s[0].opts.check);
    }

    #[test]
    fn server_errors_as_haproxy() {
        // All expected texts are HAProxy 2.6.12's, after `[ALERT]    (PID) : config : `.
        let cases = [
            (
                "server s1 127.0.0.1:80 chek",
                "[F:10] : 'server be/s1' : unknown keyword 'chek'; did you mean 'check' maybe ?",
            ),
            (
                "server s1 127.0.0.1:80 zzzzzzzzzzzzz",
                "[F:10] : 'server be/s1' : unknown keyword 'zzzzzzzzzzzzz'.",
            ),
            (
                "default-server chek",
                "[F:10] : unknown keyword 'chek'; did you mean 'check' maybe ? Hint: no address was expected for this server.",
            ),
            (
                "default-server zzzzzzzzzzzz",
                "[F:10] : unknown keyword 'zzzzzzzzzzzz'. Hint: no address was expected for this server.",
            ),
            (
                "server-template web 1-3 127.0.0.1:80 chek",
                "[F:10] : 'server be/(null)' : unknown keyword 'chek'; did you mean 'check' maybe ?",
            ),
            (
                "server-template web 0 127.0.0.1:80",
                "[F:10] : Wrong server-template number or range arg '0'.",
            ),
            (
                "server-template w 2147483648 1.2.3.4:80",
                "[F:10] : Wrong server-template number or range arg '2147483648'.",
            ),
            (
                "server-template web x 1.2.3.4:80",
                "[F:10] : Wrong server-template number or range arg 'x'.",
            ),
            (
                "server-template web 3-1 1.2.3.4:80",
                "[F:10] : Wrong server-template number or range arg '3-1'.",
            ),
            (
                "server-template web",
                "[F:10] : 'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.",
            ),
            (
                "server s9",
                "[F:10] : 'server' expects <name> and <addr>[:<port>] as arguments.",
            ),
            (
                "server s2 1.2.3.4:99999",
                "[F:10] : 'server be/s2' : invalid port '99999'",
            ),
            (
                "server s3 1.2.3.4:80-81",
                "[F:10] : 'server be/s3' : port range not permitted here in '1.2.3.4:80-81'",
            ),
            (
                "server s5 1.2.3.4:x",
                // HAProxy's text ends in a newline: an empty line follows.
                "[F:10] : 'server be/s5' : invalid character 'x' in port number 'x' in '1.2.3.4:x'\n",
            ),
            (
                "server s13 fd@3",
                "[F:10] : 'server be/s13' : a file descriptor is not acceptable here in 'fd@3'\n",
            ),
            (
                "server s2 127.0.0.1:80 inter",
                "[F:10] : 'server be/s2' : 'inter' expects a delay as argument..",
            ),
            (
                "server s3 127.0.0.1:80 inter 10x",
                "[F:10] : 'server be/s3' : unexpected character 'x' in 'agent-inter' argument of server s3..",
            ),
            (
                "server a2 127.0.0.1:80 fastinter 0",
                "[F:10] : 'server be/a2' : invalid value 0 for argument 'fastinter' of server a2..",
            ),
            (
                "server a3 127.0.0.1:80 inter 25d",
                "[F:10] : 'server be/a3' : timer overflow in argument <25d> to <inter> of server a3, maximum value is 2147483647 ms (~24.8 days)..",
            ),
            (
                "server a4 127.0.0.1:80 slowstart",
                "[F:10] : 'server be/a4' : unexpected character '.",
            ),
            (
                "default-server inter 3x",
                "[F:10] : unexpected character 'x' in 'agent-inter' argument of server default-server..",
            ),
            (
                "server s4 127.0.0.1:80 weight 300",
                "[F:10] : 'server be/s4' : weight of server s4 is not within 0 and 256 (300)..",
            ),
            (
                "server a24 127.0.0.1:80 weight -1",
                "[F:10] : 'server be/a24' : weight of server a24 is not within 0 and 256 (-1)..",
            ),
            (
                "server s5 127.0.0.1:80 rise 0",
                "[F:10] : 'server be/s5' : 'rise' has to be > 0..",
            ),
            (
                "server a5 127.0.0.1:80 rise",
                "[F:10] : 'server be/a5' : 'rise' expects an integer argument..",
            ),
            (
                "server a7 127.0.0.1:80 fall x",
                "[F:10] : 'server be/a7' : 'fall' has to be > 0..",
            ),
            (
                "server a8 127.0.0.1:80 port",
                "[F:10] : 'server be/a8' : 'port' expects a port number as argument..",
            ),
            (
                "server a10 127.0.0.1:80 addr",
                "[F:10] : 'server be/a10' : 'addr' expects <ipv4|ipv6> as argument..",
            ),
            (
                "server s12 127.0.0.1:80 addr 1.2.3.4:x",
                "[F:10] : 'server be/s12' : 'addr' : invalid character 'x' in port number 'x' in '1.2.3.4:x'.",
            ),
            (
                "server a16 127.0.0.1:80 cookie",
                "[F:10] : 'server be/a16' : 'cookie' expects <value> as argument..",
            ),
            (
                "server s6 127.0.0.1:80 ssl verify foo",
                "[F:10] : 'server be/s6' : 'verify' : unknown verify method 'foo', only 'none' and 'required' are supported.",
            ),
            (
                "server a17 127.0.0.1:80 verify",
                "[F:10] : 'server be/a17' : 'verify' : missing verify method.",
            ),
            (
                "server a18 127.0.0.1:80 ca-file",
                "[F:10] : 'server be/a18' : 'ca-file' : missing CAfile path.",
            ),
            (
                "server s7 127.0.0.1:80 ca-file /nonexist",
                "[F:10] : 'server be/s7' : Couldn't open the ca-file '/nonexist' (No such file or directory).\n'ca-file' : unable to load /nonexist.",
            ),
            (
                "server a19 127.0.0.1:80 sni",
                "[F:10] : 'server be/a19' : 'sni' : missing sni expression.",
            ),
            (
                "server s9 127.0.0.1:80 init-addr foo",
                "[F:10] : 'server be/s9' : 'init-addr' : unknown init-addr method 'foo', supported methods are 'libc', 'last', 'none'..",
            ),
            (
                "server s10 127.0.0.1:80 on-marked-down foo",
                "[F:10] : 'server be/s10' : 'on-marked-down' expects 'shutdown-sessions' but got 'foo'.",
            ),
            (
                "server a22 127.0.0.1:80 on-marked-down",
                "[F:10] : 'server be/a22' : 'on-marked-down' expects 'shutdown-sessions' but got ''.",
            ),
            (
                "server a29 127.0.0.1:80 on-marked-up foo",
                "[F:10] : 'server be/a29' : 'on-marked-up' expects 'shutdown-backup-sessions' but got 'foo'.",
            ),
            (
                "server a6 127.0.0.1:80 crt",
                "[F:10] : 'server be/a6' : 'crt' : missing certificate file path.",
            ),
            (
                "server a7 127.0.0.1:80 ssl-min-ver x",
                "[F:10] : 'server be/a7' : 'x' : unknown ssl/tls version.",
            ),
            (
                "server a8 127.0.0.1:80 alpn",
                "[F:10] : 'server be/a8' : 'alpn' : missing the comma-delimited ALPN protocol suite.",
            ),
            (
                "server a9 127.0.0.1:80 observe x",
                "[F:10] : 'server be/a9' : 'observe' expects one of 'none', 'layer4', 'layer7' but got 'x'.",
            ),
            (
                "server a10 127.0.0.1:80 on-error x",
                "[F:10] : 'server be/a10' : 'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'x'.",
            ),
            (
                "server a12 127.0.0.1:80 resolve-prefer x",
                "[F:10] : 'server be/a12' : 'resolve-prefer' expects either ipv4 or ipv6 as argument..",
            ),
            (
                "server a13 127.0.0.1:80 track",
                "[F:10] : 'server be/a13' : 'track' expects [<proxy>/]<server> as argument..",
            ),
            (
                "server a19 127.0.0.1:80 proto x",
                "[F:10] : 'server be/a19' : 'proto' :  unknown MUX protocol 'x'.",
            ),
            (
                "server a20 127.0.0.1:80 ssl-max-ver",
                "[F:10] : 'server be/a20' : 'ssl-max-ver' : missing the ssl/tls version.",
            ),
            (
                "server a22 127.0.0.1:80 check-sni",
                "[F:10] : 'server be/a22' : 'check-sni' : missing SNI.",
            ),
            (
                "server a25 127.0.0.1:80 id",
                "[F:10] : 'server be/a25' : 'id' : expects an integer argument.",
            ),
            (
                "server s4 127.0.0.1:80 id x",
                "[F:10] : 'server be/s4' : 'id' : custom id has to be > 0.",
            ),
            (
                "default-server id 5",
                "[F:10] : 'id' option is not accepted in default-server sections",
            ),
            (
                "server s1 127.0.0.1:80 ws x",
                "[F:10] : 'server be/s1' : 'ws' has to be 'auto', 'h1' or 'h2'.",
            ),
            (
                "server s1 127.0.0.1:80 log-proto x",
                "[F:10] : 'server be/s1' : 'log-proto' expects one of 'legacy' or 'octet-count' but got 'x'.",
            ),
            (
                "server s1 127.0.0.1:80 socks4 x",
                "[F:10] : 'server be/s1' : 'socks4 x' : missing port specification in 'x'.",
            ),
            (
                "server s1 127.0.0.1:80 namespace",
                "[F:10] : 'server be/s1' : 'namespace' : expects <name> as argument.",
            ),
            (
                "server s5 127.0.0.1:80 check track x",
                "[F:10] : 'server be/s5' : unable to enable checks and tracking at the same time!",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(server_err(line), want, "for `{line}`");
        }
        let e = with_ctx("frontend", |ctx| {
            parse_server(&words("server s1 1.2.3.4:80"), None, ctx)
        })
        .0
        .unwrap_err();
        assert_eq!(
            render(&e, "F", 8).lines,
            [
                "config : [F:10] : parsing [F:10] : 'server' not allowed because frontend 'fe' has no backend capability."
            ]
        );
    }

    #[test]
    fn server_fqdn_kept_for_init() {
        let s = server("server s1 nosuchhost.invalid:80").unwrap();
        let a = s[0].address.as_ref().unwrap();
        assert_eq!(a.fqdn.as_deref(), Some("nosuchhost.invalid"));
        assert_eq!(a.port, 80);
    }

    #[test]
    fn server_init_addr() {
        // HAProxy 2.6.12: `server s1 nosuchhost.invalid:80` ->
        // `[F:10] : 'server be/s1' : could not resolve address 'nosuchhost.invalid'.`
        // and with `init-addr last` only: `no method found to resolve address`
        // (256.1.1.1 is not an IP, so it is a host name too). No DNS is
        // queried here: `none`, `last` and literal IPs never resolve.
        let s = server("server s4 other.invalid:80 init-addr none").unwrap();
        assert!(resolve_init_addr(&s[0]).is_ok());
        let s = server("server s6 y.invalid init-addr 1.2.3.4").unwrap();
        assert!(resolve_init_addr(&s[0]).is_ok());
        let s = server("server s7 127.0.0.1:80").unwrap();
        assert!(resolve_init_addr(&s[0]).is_ok());
        let mut s = server("server s2 256.1.1.1:80 init-addr last").unwrap();
        s[0].file = "F".into();
        let e = resolve_init_addr(&s[0]).unwrap_err();
        assert_eq!(
            render(&e, "F", 11).lines,
            ["config : [F:10] : 'server be/s2' : no method found to resolve address '256.1.1.1'."]
        );
    }

    #[test]
    fn server_ssl_warnings() {
        // HAProxy 2.6.12 (fixture 33-server-ssl.cfg), after `config : `
        let mut s = server("server b 127.0.0.1:80 ssl verify none ssl-min-ver TLSv1.2 no-sslv3")
            .unwrap()[0]
            .clone();
        s.file = "F".into();
        assert_eq!(
            ssl_init_warnings(&s),
            [
                "[F:10] : 'server be/b' : no-sslv3/no-tlsv1x are ignored for this server. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."
            ]
        );
        let s = server("server c 127.0.0.1:80 no-sslv3 ssl-min-ver TLSv1.2").unwrap();
        assert!(ssl_init_warnings(&s[0]).is_empty());
    }

    #[test]
    fn server_post_parse_messages() {
        // HAProxy 2.6.12's texts, after `config : `
        let s = server("server s1 127.0.0.1:80 check-ssl send-proxy-v2 disabled").unwrap();
        let mut s = s[0].clone();
        s.file = "F".into();
        assert_eq!(
            ssl_init_errors(&s, false),
            [
                "[F:10] : 'server be/s1' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default."
            ]
        );
        assert!(ssl_init_errors(&s, true).is_empty());
        let mut s = server("server s3 127.0.0.1:80 ssl crt /nonexist").unwrap()[0].clone();
        s.file = "F".into();
        let e = ssl_init_errors(&s, false);
        assert_eq!(
            e[0],
            "[F:10] : 'server be/s3' : unable to stat SSL certificate from file '/nonexist' : No such file or directory."
        );
        assert!(e[1].starts_with("verify is enabled by default"));
        assert!(
            ssl_init_errors(
                &server("server s 1.2.3.4:80 ssl verify none").unwrap()[0],
                false
            )
            .is_empty()
        );
        let mut s = server("server s1 127.0.0.1:80 track be/s2").unwrap()[0].clone();
        s.file = "F".into();
        assert_eq!(
            track_error(&s, "s2"),
            "[F:10] : 'server be/s1' : unable to find required server 's2' for tracking."
        );
        assert_eq!(
            resolvers_error(&s, "dns"),
            "backend 'be', server 's1': unable to find required resolvers 'dns'"
        );
        let mut s = server("server s1 foo.invalid:80 init-addr last").unwrap()[0].clone();
        s.file = "F".into();
        assert_eq!(
            resolve_init_addr(&s).unwrap_err(),
            raw(&[
                "[F:10] : 'server be/s1' : no method found to resolve address 'foo.invalid'."
                    .to_string()
            ])
        );
    }

    #[test]
    fn bind_ok() {
        let (b, w) = with_ctx("frontend", |ctx| {
            parse_bind(
                &words(
                    "bind :85 accept-proxy transparent v4v6 v6only name x no-sslv3 no-tlsv10 alpn h2,http/1.1 process 1",
                ),
                ctx,
            )
        });
        let b = b.unwrap();
        assert!(b.opts.accept_proxy && b.opts.v6only && b.opts.no_tlsv10);
        assert_eq!(b.opts.name.as_deref(), Some("x"));
        // HAProxy 2.6.12's warning, after `parsing [F:L] : `
        assert_eq!(
            w,
            [
                "'bind :85' in section 'frontend' : 'process 1' on 'bind' lines is deprecated and will be removed in 2.7."
            ]
        );
    }

    #[test]
    fn bind_errors_as_haproxy() {
        // HAProxy 2.6.12's texts, after `config : `
        let cases = [
            (
                "bind",
                "parsing [F:10] : 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.",
            ),
            (
                "bind 127.0.0.1",
                "parsing [F:10] : 'bind' : missing port specification in '127.0.0.1'",
            ),
            (
                "bind :81 foo",
                "parsing [F:10] : 'bind :81' in section 'frontend': unknown keyword 'foo'; did you mean 'tfo' maybe ?",
            ),
            (
                "bind :87 chek",
                "parsing [F:10] : 'bind :87' in section 'frontend': unknown keyword 'chek'.",
            ),
            (
                "bind :82 crt",
                "parsing [F:10] : 'bind :82' in section 'frontend' : 'crt' : missing certificate location",
            ),
            (
                "bind :83 ssl crt /nonexist.pem",
                "parsing [F:10] : 'bind :83' in section 'frontend' : unable to stat SSL certificate from file '/nonexist.pem' : No such file or directory.",
            ),
            (
                "bind :84 alpn",
                "parsing [F:10] : 'bind :84' in section 'frontend' : 'alpn' : missing the comma-delimited ALPN protocol suite",
            ),
            (
                "bind :85 ssl-min-ver TLSv1.4",
                "parsing [F:10] : 'bind :85' in section 'frontend' : 'TLSv1.4' : unknown ssl/tls version",
            ),
            (
                "bind :86 name",
                "parsing [F:10] : 'bind :86' in section 'frontend' : 'name' : missing name",
            ),
            (
                "bind :82 ciphers",
                "parsing [F:10] : 'bind :82' in section 'frontend' : 'ciphers' : missing cipher suite",
            ),
            (
                "bind :86 maxconn",
                "parsing [F:10] : 'bind :86' in section 'frontend' : 'maxconn' : missing value",
            ),
            (
                "bind :92 ssl crt-list /nonexist",
                "parsing [F:10] : 'bind :92' in section 'frontend' : 'crt-list' : cannot open file '/nonexist' : No such file or directory",
            ),
            (
                "bind :93 verify x",
                "parsing [F:10] : 'bind :93' in section 'frontend' : 'verify' : unknown verify method 'x', only 'none', 'optional', and 'required' are supported",
            ),
            (
                "bind :94 ca-file /nonexist",
                "Couldn't open the ca-file '/nonexist' (No such file or directory).\nparsing [F:10] : 'bind :94' in section 'frontend' : 'ca-file' : unable to load /nonexist",
            ),
            (
                "bind :96 id 0",
                "parsing [F:10] : 'bind :96' in section 'frontend' : 'id' : custom id has to be > 0",
            ),
            (
                "bind :98 mode x",
                "parsing [F:10] : 'bind :98' in section 'frontend' : 'mode' : missing or invalid mode 'x' (octal integer expected)",
            ),
            (
                "bind :102 thread",
                "parsing [F:10] : 'bind :102' in section 'frontend' : '' : '' is not a valid number/range. It supports numbers from 1 to 64.",
            ),
            (
                "bind :103 level x",
                "parsing [F:10] : 'bind :103' in section 'frontend' : 'level' only supports 'user', 'operator', and 'admin' (got 'x')",
            ),
            (
                "bind :80 thread 100",
                "parsing [F:10] : 'bind :80' in section 'frontend' : '100' : '100' is not a valid number/range. It supports numbers from 1 to 64.",
            ),
            (
                "bind :80 thread x",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'x' : 'x' is not a valid number/range.",
            ),
            (
                "bind :80 severity-output x",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'severity-output' only supports 'none', 'number', and 'string' (got 'x')",
            ),
            (
                "bind :80 proto x",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'proto' :  unknown MUX protocol 'x'",
            ),
            (
                "bind :80 namespace tandem-no-such-ns",
                "Cannot open namespace 'tandem-no-such-ns'.\nparsing [F:10] : 'bind :80' in section 'frontend' : error encountered while processing 'namespace'.",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(bind_err(line), want, "for `{line}`");
        }
    }

    #[test]
    fn bind_post_parse_messages() {
        // HAProxy 2.6.12's texts, after `config : `
        let (b, _) = with_ctx("frontend", |ctx| parse_bind(&words("bind :80 ssl"), ctx));
        let (w, a) = bind_post_parse(&b.unwrap(), "fe");
        assert!(w.is_empty());
        assert_eq!(
            a,
            ["Proxy 'fe': no SSL certificate specified for bind ':80' at [F:10] (use 'crt')."]
        );
        let (b, _) = with_ctx("frontend", |ctx| {
            parse_bind(
                &words("bind :443 ssl crt-ignore-err all ssl-min-ver TLSv1.2 no-sslv3"),
                ctx,
            )
        });
        let mut b = b.unwrap();
        b.opts.crt.push("x.pem".into());
        let (w, a) = bind_post_parse(&b, "fe");
        assert!(a.is_empty());
        assert_eq!(
            w,
            [
                "Proxy 'fe': no-sslv3/no-tlsv1x are ignored for bind ':443' at [F:10]. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."
            ]
        );
    }

    #[test]
    fn measured_server_and_bind_errors_h11() {
        // HAProxy 2.6.12's texts, after `config : ` (lines of one alert
        // joined by '\n', several alerts too).
        let cases = [
            (
                "server s1 127.0.0.1:80 error-limit foo",
                "[F:10] : 'server be/s1' : error-limit has to be > 0..",
            ),
            (
                "server s1 127.0.0.1:80 sni nosuch",
                "[F:10] : 'server be/s1' : error detected while parsing sni expression : unknown fetch method 'nosuch'",
            ),
            (
                "server s1 127.0.0.1:80 resolve-opts allow-dup-ip,foo",
                "[F:10] : 'server be/s1' : 'resolve-opts' : unknown resolve-opts option 'foo', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'..",
            ),
            (
                "server s1 127.0.0.1:80 agent-check",
                "[F:10] : 'server be/s1' : server s1 does not have agent port. Agent check has been disabled.",
            ),
            (
                "server s1 127.0.0.1:80 proxy-v2-options ssl,foo",
                "[F:10] : 'server be/s1' : 'foo' : proxy v2 option not implemented.",
            ),
            (
                "server s1 127.0.0.1:80 usesrc clientip",
                "[F:10] : 'server be/s1' : 'usesrc' only allowed after a 'source' statement..",
            ),
            (
                "server s1 127.0.0.1:80 source foo",
                "[F:10] : 'server be/s1' : \n  'source foo' : invalid address: 'foo' in 'foo'\n  \n.",
            ),
            (
                "server s1 127.0.0.1:80 source 1.2.3.4 usesrc",
                "[F:10] : 'server be/s1' : 'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument.\nerror encountered while processing 'usesrc'.",
            ),
            (
                "server s1 127.0.0.1:80 pool-purge-delay x",
                "[F:10] : 'server be/s1' : unexpected character 'x' in argument to <pool-purge-delay>..",
            ),
            (
                "server s1 127.0.0.1:80 check-proto foo",
                "[F:10] : 'server be/s1' : 'check-proto' :  unknown MUX protocol 'foo'.",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(server_err(line), want, "for `{line}`");
        }
        let bind_cases = [
            (
                "bind :80 process 1-2",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'process' : '1-2' is not a valid number/range. It supports numbers from 1 to 1.",
            ),
            (
                "bind :80 process 1/foo",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'process' : 'foo' is not a valid number/range.",
            ),
            (
                "bind :80 mss foo",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'mss' : expects an MSS with and absolute value between 1 and 65535",
            ),
            (
                "bind :80 id 1x",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'id' : expects an integer argument, found '1x'",
            ),
            (
                "bind :80 nice 2000",
                "parsing [F:10] : 'bind :80' in section 'frontend' : 'nice' : invalid value 2000, allowed range is -1024..1024",
            ),
            (
                "bind :80 tls-ticket-keys /nonexistent",
                "parsing [F:10] : 'bind :80' in section 'frontend' : '/nonexistent' : unable to load ssl tickets keys file",
            ),
        ];
        for (line, want) in bind_cases {
            assert_eq!(bind_err(line), want, "for `{line}`");
        }
        let (_, w) = with_ctx("frontend", |ctx| {
            parse_bind(&words("bind :80 process 1/2"), ctx)
        });
        assert_eq!(
            w,
            [
                "'bind :80' in section 'frontend' : 'process 1/2' on 'bind' lines is deprecated and will be removed in 2.7. Please use 'thread 2' instead."
            ]
        );
    }

    #[test]
    fn bind_post_parse_versions_and_verify() {
        // HAProxy 2.6.12's texts (OpenSSL 3 without SSLv3), after `config : `
        let post = |line: &str| {
            let (b, _) = with_ctx("frontend", |ctx| parse_bind(&words(line), ctx));
            let mut b = b.unwrap();
            b.opts.crt.push("x.pem".into());
            bind_post_parse(&b, "fe")
        };
        let disabled = "Proxy 'fe': all SSL/TLS versions are disabled for bind ':8443' at [F:10].";
        for line in [
            "bind :8443 ssl ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2",
            "bind :8443 ssl no-tlsv12 no-tlsv13",
            "bind :8443 ssl force-sslv3",
        ] {
            assert_eq!(post(line).1, [disabled], "for `{line}`");
        }
        for line in [
            "bind :8443 ssl ssl-min-ver SSLv3",
            "bind :8443 ssl no-tlsv13",
            "bind :8443 ssl force-tlsv12",
            "bind :8443 ssl ssl-min-ver SSLv3 ssl-max-ver TLSv1.0",
        ] {
            assert_eq!(post(line), (vec![], vec![]), "for `{line}`");
        }
        let (w, a) = post("bind :8443 ssl ssl-max-ver SSLv3");
        assert_eq!(
            w,
            [
                "Proxy 'fe': Ambiguous configuration for bind ':8443' at [F:10]: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2). Setting the ssl-min-ver to SSLv3. Use 'ssl-min-ver' to fix this."
            ]
        );
        assert_eq!(a, [disabled]);
        let (w, a) = post("bind :8443 ssl verify optional");
        assert!(w.is_empty());
        assert_eq!(
            a,
            [
                "Proxy 'fe': verify is enabled but no CA file specified for bind ':8443' at [F:10].\nProxy 'fe': verify is enabled but no CA file specified for bind ':8443' at [F:10]."
            ]
        );
    }

    #[test]
    fn bind_crt_base() {
        let dir = std::env::temp_dir().join(format!("tandem-h3-crt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pem = dir.join("site.pem");
        std::fs::write(
            &pem,
            "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        set_ssl_bases(SslBases {
            crt_base: Some(dir.to_string_lossy().into_owned()),
            ca_base: None,
        });
        let (b, _) = with_ctx("frontend", |ctx| {
            parse_bind(&words("bind :443 ssl crt site.pem"), ctx)
        });
        assert_eq!(b.unwrap().opts.crt, [pem.to_string_lossy().into_owned()]);
        set_ssl_bases(SslBases::default());
        let e = bind_err("bind :443 ssl crt tandem-no-such.pem");
        assert_eq!(
            e,
            "parsing [F:10] : 'bind :443' in section 'frontend' : unable to stat SSL certificate from file 'tandem-no-such.pem' : No such file or directory."
        );
        // A directory: files in name order, `.key` companions skipped; HAProxy
        // 2.6.12 on golden/certs: `No Private Key found in '.../localhost.crt.key'.`
        std::fs::write(dir.join("a.crt"), "-----BEGIN CERTIFICATE-----\nx\n").unwrap();
        std::fs::write(dir.join("a.key"), "junk").unwrap();
        let d = dir.to_string_lossy().into_owned();
        assert_eq!(
            bind_err(&format!("bind :443 ssl crt {d}")),
            format!(
                "parsing [F:10] : 'bind :443' in section 'frontend' : No Private Key found in '{d}/a.crt.key'."
            )
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
