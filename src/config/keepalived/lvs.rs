//! The checker pass: `virtual_server_group`, `virtual_server`,
//! `real_server` and the health checkers, plus the SSL block. tandem does
//! not run IPVS: these are parsed into IR (keyword + arguments) so that a
//! config using them is checked, dumped and refused clearly at run time.
//! Also `bfd_instance`, which keepalived parses in three passes.

use super::parser::read_unsigned;
use super::parser::{Ctx, Kw, Res, read_decimal};
use crate::ir::keepalived::{Checker, Directive, RealServer, VirtualServer, VirtualServerGroup};

/// Any keyword inside an LVS block: appended to the innermost open block.
fn rec(ctx: &mut Ctx, w: &[String]) -> Res {
    if let Some(top) = ctx.st.lvs_stack.last_mut() {
        top.children.push(Directive {
            keyword: w[0].clone(),
            args: w[1..].to_vec(),
            children: Vec::new(),
        });
    }
    Ok(())
}

/// A checker-process script (`quorum_up`, `notify_up`, ...): keepalived
/// 2.2.7 gives it the default script user when it reads it.
fn rec_script(ctx: &mut Ctx, w: &[String]) -> Res {
    // Like the notify scripts, keepalived reads the command from the raw
    // line: a broken quote is reported there and the script left unset.
    let s = super::vrrp::script_of(ctx, w)?;
    if s.args.is_empty() {
        return Ok(());
    }
    super::vrrp::default_user_ok(ctx);
    rec(ctx, w)
}

/// Checker keywords with a numeric value, checked the way keepalived 2.2.7
/// checks them (its messages, measured one by one).
fn checker_num(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let kw = w[0].as_str();
    let ok = match kw {
        "connect_port" | "bind_port" => {
            let ok = read_unsigned(ctx, &v, 1, 65535).is_some();
            if !ok {
                ctx.err(format!("Invalid checker {kw} '{v}'"));
            }
            ok
        }
        "retry" | "fwmark" => {
            let ok = read_unsigned(ctx, &v, 0, u64::from(u32::MAX)).is_some();
            if !ok {
                ctx.err(format!("Invalid {kw} connection value '{v}'"));
            }
            ok
        }
        "delay_loop" => {
            let ok = read_decimal(ctx, &v, 1, u64::MAX - 1).is_some();
            if !ok {
                ctx.err(format!("delay_loop '{v}' is invalid - ignoring"));
            }
            ok
        }
        // delay_before_retry, warmup: only the number's own message.
        _ => read_decimal(ctx, &v, 0, u64::MAX - 1).is_some(),
    };
    if ok { rec(ctx, w) } else { Ok(()) }
}

/// `rec` for a keyword whose handler in keepalived 2.2.7 reads its first
/// value unchecked (`strvec_slot`): without one, keepalived stops (exit 2).
fn rec1(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.slot(w, 1)?;
    rec(ctx, w)
}

/// A nested block keyword (`real_server`, `HTTP_GET`, `url`, ...).
fn open(ctx: &mut Ctx, w: &[String]) -> Res {
    let src = ctx.src();
    ctx.st.lvs_stack.push(Directive {
        keyword: w[0].clone(),
        args: w[1..].to_vec(),
        children: Vec::new(),
    });
    ctx.st.lvs_src.push(src);
    Ok(())
}

fn close(ctx: &mut Ctx) -> Res {
    if let (Some(d), Some(_)) = (ctx.st.lvs_stack.pop(), ctx.st.lvs_src.pop())
        && let Some(parent) = ctx.st.lvs_stack.last_mut()
    {
        parent.children.push(d);
    }
    Ok(())
}

fn delay_loop(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_decimal(ctx, &v, 1, u64::MAX - 1).is_none() {
        ctx.err(format!(
            "virtual server delay loop '{v}' invalid - ignoring"
        ));
        return Ok(());
    }
    rec(ctx, w)
}

fn lb_algo(ctx: &mut Ctx, w: &[String]) -> Res {
    let a = ctx.slot(w, 1)?.to_string();
    const SCHEDULERS: [&str; 14] = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "mh", "sed", "nq", "fo", "ovf",
        "twos",
    ];
    if !SCHEDULERS.contains(&a.as_str()) {
        ctx.err(format!("Invalid lvs_scheduler '{a}' - ignoring"));
        return Ok(());
    }
    rec(ctx, w)
}

fn protocol(ctx: &mut Ctx, w: &[String]) -> Res {
    let p = ctx.slot(w, 1)?.to_string();
    if !matches!(p.as_str(), "TCP" | "UDP" | "SCTP") {
        ctx.err(format!("Unknown protocol {p} - ignoring"));
        return Ok(());
    }
    rec(ctx, w)
}

fn persistence_timeout(ctx: &mut Ctx, w: &[String]) -> Res {
    // A bare persistence_timeout means keepalived's default (6 minutes).
    if let Some(v) = w.get(1).cloned()
        && read_unsigned(ctx, &v, 1, u32::MAX as u64).is_none()
    {
        ctx.err("persistence_timeout invalid");
        return Ok(());
    }
    rec(ctx, w)
}

fn rs_weight(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_unsigned(ctx, &v, 0, i32::MAX as u64).is_none() {
        ctx.err(format!(
            "Real server weight {v} is outside range 0-2147483647"
        ));
        return Ok(());
    }
    rec(ctx, w)
}

fn connect_timeout(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_decimal(ctx, &v, 1, u64::from(u32::MAX)).is_none() {
        ctx.err(format!("connect_timeout {v} invalid - ignoring"));
        return Ok(());
    }
    rec(ctx, w)
}

/// The real server's own `connect_timeout` (default for its checkers).
fn rs_connect_timeout(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_decimal(ctx, &v, 1, u64::from(u32::MAX)).is_none() {
        ctx.err(format!(
            "real server connect_timeout {v} invalid - ignoring"
        ));
        return Ok(());
    }
    rec(ctx, w)
}

fn digest(ctx: &mut Ctx, w: &[String]) -> Res {
    let d = ctx.slot(w, 1)?.to_string();
    if d.len() != 32 {
        ctx.err(format!(
            "digest '{d}' character length should be 32 rather than {}",
            d.len()
        ));
        return Ok(());
    }
    rec(ctx, w)
}

/// A url block without `path` is dropped.
fn url_close(ctx: &mut Ctx) -> Res {
    let has_path = ctx
        .st
        .lvs_stack
        .last()
        .is_some_and(|d| d.children.iter().any(|c| c.keyword == "path"));
    if has_path {
        return close(ctx);
    }
    ctx.err("HTTP/SSL_GET checker url has no path - ignoring");
    ctx.st.lvs_stack.pop();
    ctx.st.lvs_src.pop();
    Ok(())
}

fn http_close(ctx: &mut Ctx) -> Res {
    let has_url = ctx
        .st
        .lvs_stack
        .last()
        .is_some_and(|d| d.children.iter().any(|c| c.keyword == "url"));
    if has_url {
        return close(ctx);
    }
    ctx.err("HTTP/SSL_GET checker has no urls specified - ignoring");
    ctx.st.lvs_stack.pop();
    ctx.st.lvs_src.pop();
    Ok(())
}

fn misc_close(ctx: &mut Ctx) -> Res {
    let has_path = ctx
        .st
        .lvs_stack
        .last()
        .is_some_and(|d| d.children.iter().any(|c| c.keyword == "misc_path"));
    if has_path {
        return close(ctx);
    }
    ctx.err("No script path has been specified for MISC_CHECKER - skipping");
    ctx.st.lvs_stack.pop();
    ctx.st.lvs_src.pop();
    Ok(())
}

fn nb_get_retry(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.err("nb_get_retry is deprecated - please use 'retry'");
    rec1(ctx, w)
}

/// keepalived 2.2.7: `PARSER : unknown [BRIDGE] routing method for virtual server.`
fn lb_kind(ctx: &mut Ctx, w: &[String]) -> Res {
    let k = ctx.slot(w, 1)?.to_string();
    if !matches!(k.as_str(), "NAT" | "DR" | "TUN") {
        ctx.err(format!(
            "PARSER : unknown [{k}] routing method for virtual server."
        ));
        return Ok(());
    }
    rec(ctx, w)
}

/// keepalived 2.2.7 checks the real server's address and port when it
/// opens the block, and skips the block when they are wrong (a port 0 or no
/// port at all is accepted).
fn rs_open(ctx: &mut Ctx, w: &[String]) -> Res {
    let a = ctx.slot(w, 1)?.to_string();
    let port_ok = match w.get(2).map(String::as_str) {
        None | Some("0") => true,
        Some(p) => read_unsigned(ctx, p, 1, 65535).is_some(),
    };
    let Some(ip) = super::vrrp::sockaddr_ip(&a).filter(|_| port_ok) else {
        let port = w.get(2).cloned().unwrap_or_else(|| "0".into());
        ctx.err(format!(
            "Invalid real server ip address/port {a}/{port} - skipping"
        ));
        ctx.skip_block();
        return Ok(());
    };
    let mut w = w.to_vec();
    if let Some(slot) = w.get_mut(1) {
        *slot = ip.to_string();
    }
    open(ctx, &w)
}

/// keepalived 2.2.7 drops a real server whose address family differs from
/// its (address-based) virtual server's, at the line closing the block.
fn rs_close(ctx: &mut Ctx) -> Res {
    let n = ctx.st.lvs_stack.len();
    let fam = |d: Option<&Directive>| {
        d.and_then(|d| d.args.first())
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.is_ipv6())
    };
    let rs = fam(ctx.st.lvs_stack.last());
    let vs = fam(n.checked_sub(2).and_then(|i| ctx.st.lvs_stack.get(i)));
    if let (Some(rs), Some(vs)) = (rs, vs)
        && rs != vs
    {
        let addr = ctx
            .st
            .lvs_stack
            .last()
            .and_then(|d| d.args.first())
            .cloned()
            .unwrap_or_default();
        ctx.err(format!(
            "Address family of virtual server and real server {addr} don't match - skipping real server."
        ));
        ctx.st.lvs_stack.pop();
        ctx.st.lvs_src.pop();
        return Ok(());
    }
    close(ctx)
}

/// `quorum N`: keepalived 2.2.7 replaces a bad value with 1.
fn quorum(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_unsigned(ctx, &v, 1, u64::from(u32::MAX)).is_none() {
        ctx.err(format!(
            "Quorum {v} must be in [1, 4294967295]. Setting to 1."
        ));
        return rec(ctx, &[w[0].clone(), "1".to_string()]);
    }
    rec(ctx, w)
}

/// `hysteresis N`: keepalived 2.2.7 ignores a bad value.
fn hysteresis(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_unsigned(ctx, &v, 0, u64::from(u32::MAX)).is_none() {
        ctx.err(format!(
            "Hysteresis {v} must be in [0, 4294967295] - ignoring"
        ));
        return Ok(());
    }
    rec(ctx, w)
}

fn to_checker(d: Directive, src: crate::ir::keepalived::Src) -> Checker {
    Checker {
        kind: d.keyword,
        src,
        options: d.children,
    }
}

fn vs_close(ctx: &mut Ctx) -> Res {
    let (Some(d), Some(src)) = (ctx.st.lvs_stack.pop(), ctx.st.lvs_src.pop()) else {
        return Ok(());
    };
    let mut vs = VirtualServer {
        src: src.clone(),
        target: d.args.clone(),
        ..Default::default()
    };
    for c in d.children {
        match c.keyword.as_str() {
            "lb_algo" | "lvs_sched" => vs.lb_algo = c.args.first().cloned(),
            "lb_kind" | "lvs_method" => vs.lb_kind = c.args.first().cloned(),
            "protocol" => vs.protocol = c.args.first().cloned(),
            "delay_loop" => vs.delay_loop = c.args.first().and_then(|a| a.parse().ok()),
            "persistence_timeout" => {
                vs.persistence_timeout = c.args.first().and_then(|a| a.parse().ok())
            }
            "sorry_server" => vs.sorry_server = Some(c.args.clone()),
            "real_server" => {
                let mut rs = RealServer {
                    src: src.clone(),
                    addr: c.args.first().cloned().unwrap_or_default(),
                    port: c.args.get(1).and_then(|p| p.parse().ok()),
                    ..Default::default()
                };
                for o in c.children {
                    if o.keyword.ends_with("_CHECK")
                        || o.keyword == "HTTP_GET"
                        || o.keyword == "SSL_GET"
                    {
                        rs.checkers.push(to_checker(o, src.clone()));
                    } else {
                        if o.keyword == "weight" {
                            rs.weight = o.args.first().and_then(|a| a.parse().ok());
                        }
                        rs.options.push(o);
                    }
                }
                vs.real_servers.push(rs);
            }
            _ => vs.options.push(c),
        }
    }
    ctx.cfg.virtual_servers.push(vs);
    Ok(())
}

fn vsg(ctx: &mut Ctx, w: &[String]) -> Res {
    let name = ctx.slot(w, 1)?.to_string();
    let src = ctx.src();
    // The group name is not a block parameter.
    let mut members: Vec<Vec<String>> = Vec::new();
    for (pos, m) in ctx.value_block(&w[..1]) {
        ctx.pos = Some(pos);
        let first = m[0].as_str();
        // `IP PORT`, `IP-LAST PORT` (a range) or `fwmark N`.
        let addr = first.split_once('-').map(|(x, _)| x).unwrap_or(first);
        if first != "fwmark"
            && let Some(p) = m.get(1)
            && read_unsigned(ctx, p, 0, 65535).is_none()
        {
            ctx.err(format!(
                "Invalid virtual server group IP address {first} /port/{p} - skipping"
            ));
            continue;
        }
        if first != "fwmark" && addr.parse::<std::net::IpAddr>().is_err() {
            ctx.err(format!(
                "Invalid virtual server group IP address {first} {} - skipping",
                m.get(1).map(String::as_str).unwrap_or("")
            ));
            continue;
        }
        members.push(m);
    }
    ctx.cfg
        .virtual_server_groups
        .push(VirtualServerGroup { name, src, members });
    Ok(())
}

static URL: &[Kw] = &[
    Kw::h("path", rec1),
    Kw::h("digest", digest),
    Kw::h("status_code", rec),
    Kw::h("virtualhost", rec),
    Kw::h("regex", rec),
    Kw::h("regex_no_match", rec),
    Kw::h("regex_options", rec),
    Kw::h("regex_stack", rec),
    Kw::h("regex_min_offset", rec),
    Kw::h("regex_max_offset", rec),
];

/// Keywords every checker takes (keepalived's `install_checker_common_keywords`).
macro_rules! common {
    ($($extra:expr),* $(,)?) => {
        &[
            Kw::h("connect_ip", rec1),
            Kw::h("connect_port", checker_num),
            Kw::h("bindto", rec1),
            Kw::h("bind_if", rec1),
            Kw::h("bind_port", checker_num),
            Kw::h("connect_timeout", connect_timeout),
            Kw::h("fwmark", checker_num),
            Kw::h("warmup", checker_num),
            Kw::h("retry", checker_num),
            Kw::h("delay_before_retry", checker_num),
            Kw::h("log_all_failures", rec),
            Kw::h("alpha", rec),
            Kw::h("delay_loop", checker_num),
            $($extra),*
        ]
    };
}

// keepalived 2.2.7 knows `nb_get_retry` in HTTP_GET/SSL_GET only.
static HTTP: &[Kw] = common![
    Kw::h("nb_get_retry", nb_get_retry),
    Kw::h("http_protocol", rec),
    Kw::h("fast_recovery", rec),
    Kw::h("virtualhost", rec),
    Kw::h("enable_sni", rec),
    Kw::block("url", Some(open), URL, Some(url_close)),
];
static TCP: &[Kw] = common![];
static SMTP_HOST: &[Kw] = common![];
static SMTP: &[Kw] = common![
    Kw::h("helo_name", rec),
    Kw::block("host", Some(open), SMTP_HOST, Some(close)),
];
static DNS: &[Kw] = common![Kw::h("type", rec), Kw::h("name", rec)];
static MISC: &[Kw] = &[
    Kw::h("misc_path", rec),
    Kw::h("misc_timeout", rec1),
    Kw::h("misc_dynamic", rec),
    Kw::h("user", rec),
    Kw::h("warmup", rec1),
    Kw::h("delay_loop", rec1),
    Kw::h("retry", rec1),
    Kw::h("delay_before_retry", rec1),
    Kw::h("log_all_failures", rec),
    Kw::h("alpha", rec),
];
static UDP: &[Kw] = common![
    Kw::h("payload", rec),
    Kw::h("require_reply", rec),
    Kw::h("min_reply_length", rec),
    Kw::h("max_reply_length", rec),
];
static PING: &[Kw] = common![];
static FILE_CHECK: &[Kw] = &[Kw::h("track_file", rec), Kw::h("weight", rec)];
static BFD_CHECK: &[Kw] = &[
    Kw::h("name", rec),
    Kw::h("weight", rec),
    Kw::h("alpha", rec),
];

static REAL_SERVER: &[Kw] = &[
    Kw::h("weight", rs_weight),
    Kw::h("lvs_method", rec1),
    Kw::h("notify_up", rec_script),
    Kw::h("notify_down", rec_script),
    Kw::h("uthreshold", rec1),
    Kw::h("lthreshold", rec1),
    Kw::h("inhibit_on_failure", rec),
    Kw::h("smtp_alert", rec),
    Kw::h("alpha", rec),
    Kw::h("retry", rec1),
    Kw::h("delay_before_retry", rec1),
    Kw::h("warmup", rec1),
    Kw::h("delay_loop", rec1),
    Kw::h("connect_timeout", rs_connect_timeout),
    Kw::h("virtualhost", rec),
    Kw::block("HTTP_GET", Some(open), HTTP, Some(http_close)),
    Kw::block("SSL_GET", Some(open), HTTP, Some(http_close)),
    Kw::block("TCP_CHECK", Some(open), TCP, Some(close)),
    Kw::block("SMTP_CHECK", Some(open), SMTP, Some(close)),
    Kw::block("DNS_CHECK", Some(open), DNS, Some(close)),
    Kw::block("MISC_CHECK", Some(open), MISC, Some(misc_close)),
    Kw::block("UDP_CHECK", Some(open), UDP, Some(close)),
    Kw::block("PING_CHECK", Some(open), PING, Some(close)),
    Kw::block("FILE_CHECK", Some(open), FILE_CHECK, Some(close)),
    Kw::block("BFD_CHECK", Some(open), BFD_CHECK, Some(close)),
];

pub(super) static VIRTUAL_SERVER: &[Kw] = &[
    Kw::h("delay_loop", delay_loop),
    Kw::h("lvs_sched", lb_algo),
    Kw::h("lb_algo", lb_algo),
    Kw::h("lvs_method", lb_kind),
    Kw::h("lb_kind", lb_kind),
    Kw::h("flag-1", rec),
    Kw::h("flag-2", rec),
    Kw::h("flag-3", rec),
    Kw::h("sh-port", rec),
    Kw::h("sh-fallback", rec),
    Kw::h("mh-port", rec),
    Kw::h("mh-fallback", rec),
    Kw::h("ops", rec),
    Kw::h("persistence_engine", rec1),
    Kw::h("persistence_timeout", persistence_timeout),
    Kw::h("persistence_granularity", rec1),
    Kw::h("protocol", protocol),
    Kw::h("ha_suspend", rec),
    Kw::h("smtp_alert", rec),
    Kw::h("virtualhost", rec),
    Kw::h("snmp_name", rec),
    Kw::h("alpha", rec),
    Kw::h("omega", rec),
    Kw::h("quorum", quorum),
    Kw::h("hysteresis", hysteresis),
    Kw::h("quorum_up", rec_script),
    Kw::h("quorum_down", rec_script),
    Kw::h("ip_family", rec1),
    Kw::h("sorry_server", rec1),
    Kw::h("sorry_server_inhibit", rec),
    Kw::h("sorry_server_lvs_method", rec),
    Kw::h("connect_timeout", connect_timeout),
    Kw::h("retry", rec1),
    Kw::h("delay_before_retry", rec1),
    Kw::h("warmup", rec1),
    // keepalived 2.2.7 also takes `weight` here.
    Kw::h("weight", rec1),
    Kw::h("inhibit_on_failure", rec),
    Kw::block("real_server", Some(rs_open), REAL_SERVER, Some(rs_close)),
];

pub(super) fn virtual_server(ctx: &mut Ctx, w: &[String]) -> Res {
    let a = ctx.slot(w, 1)?.to_string();
    if a != "fwmark" && a != "group" {
        // keepalived 2.2.7: `invalid number 'brd'` then
        // `Invalid virtual server IP address/port 10.0.0./brd - skipping`.
        let port = w.get(2).cloned().unwrap_or_else(|| "0".into());
        let port_ok = w.get(2).is_none() || read_unsigned(ctx, &port, 0, 65535).is_some();
        let ip = super::vrrp::sockaddr_ip(&a);
        match ip {
            Some(ip) if port_ok => {
                // keepalived keeps only the address part (`10.0.0.5-300`
                // is 10.0.0.5) and names the virtual server by it.
                let mut w = w.to_vec();
                if let Some(slot) = w.get_mut(1) {
                    *slot = ip.to_string();
                }
                return open(ctx, &w);
            }
            _ => {
                ctx.err(format!(
                    "Invalid virtual server IP address/port {a}/{port} - skipping"
                ));
                ctx.skip_block();
                return Ok(());
            }
        }
    }
    open(ctx, w)
}

pub(super) fn virtual_server_close(ctx: &mut Ctx) -> Res {
    vs_close(ctx)
}

pub(super) fn virtual_server_group(ctx: &mut Ctx, w: &[String]) -> Res {
    vsg(ctx, w)
}

/// After the checker pass, keepalived completes each virtual server with
/// defaults and says so (keepalived 2.2.7:
/// `Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP`).
pub(super) fn validate(ctx: &mut Ctx) {
    let mut msgs = Vec::new();
    let group_names: Vec<String> = ctx
        .cfg
        .virtual_server_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let fwmark_groups: Vec<String> = ctx
        .cfg
        .virtual_server_groups
        .iter()
        .filter(|g| {
            g.members
                .iter()
                .any(|m| m.first().is_some_and(|w| w == "fwmark"))
        })
        .map(|g| g.name.clone())
        .collect();
    for vs in &mut ctx.cfg.virtual_servers {
        let fwmark = vs.target.first().is_some_and(|a| a == "fwmark");
        let group = vs.target.first().is_some_and(|a| a == "group");
        let arg = |k: usize| vs.target.get(k).cloned().unwrap_or_default();
        let proto = |vs: &VirtualServer| {
            vs.protocol
                .clone()
                .map(|p| p.to_ascii_lowercase())
                .unwrap_or_else(|| "none".into())
        };
        // keepalived 2.2.7 names a virtual server `FWM N`, `[GROUP]:0` or
        // `[ADDR]:PROTO:PORT` (the address bracketed for both families).
        let name = |vs: &VirtualServer| {
            if fwmark {
                format!("FWM {}", arg(1))
            } else if group {
                format!("[{}]:0", arg(1))
            } else {
                let port = vs.target.get(1).cloned().unwrap_or_else(|| "0".into());
                format!("[{}]:{}:{port}", arg(0), proto(vs))
            }
        };
        if vs.real_servers.is_empty() {
            if !group || group_names.contains(&arg(1)) {
                msgs.push(format!(
                    "Virtual server {} has no real servers - ignoring",
                    name(vs)
                ));
            }
            continue;
        }
        // A group with fwmark entries: ports and ha_suspend do not apply.
        if group && fwmark_groups.contains(&arg(1)) {
            let vname = name(vs);
            if vs.options.iter().any(|o| o.keyword == "ha_suspend") {
                msgs.push(format!(
                    "Virtual server {vname}: cannot use ha_suspend with fwmarks - clearing ha_suspend"
                ));
            }
            let proto = proto(vs);
            // With NAT the real server port is used; DR and TUN ignore it.
            let nat = vs.lb_kind.as_deref().is_none_or(|k| k == "NAT");
            for rs in vs.real_servers.iter().filter(|_| !nat) {
                if rs.port.is_some_and(|p| p != 0) {
                    msgs.push(format!(
                        "WARNING - fwmark virtual server {vname}, real server [{}]:{proto}:{} has port specified - port will be ignored",
                        rs.addr,
                        rs.port.unwrap_or(0)
                    ));
                }
            }
            if !nat
                && vs
                    .sorry_server
                    .as_ref()
                    .and_then(|s| s.get(1))
                    .is_some_and(|p| p != "0")
            {
                msgs.push(format!(
                    "WARNING - fwmark virtual server {vname}, sorry server has port specified - port will be ignored"
                ));
            }
        }
        if fwmark && vs.protocol.is_some() {
            msgs.push(format!(
                "Warning: Virtual server {}: protocol specified for fwmark - protocol will be ignored",
                name(vs)
            ));
        }
        if vs.protocol.is_none() && !fwmark {
            msgs.push(format!(
                "Virtual server {}: no protocol set - defaulting to UDP",
                name(vs)
            ));
            vs.protocol = Some("UDP".into());
        }
        if vs.lb_algo.is_none() {
            msgs.push(format!(
                "Virtual server {}: no scheduler set, setting default 'wlc'",
                name(vs)
            ));
            vs.lb_algo = Some("wlc".into());
        }
        if vs.lb_kind.is_none() {
            msgs.push(format!(
                "Virtual server {}: no forwarding method set, setting default NAT",
                name(vs)
            ));
            vs.lb_kind = Some("NAT".into());
        }
        // keepalived 2.2.7 sums the weights in an unsigned int (default
        // weight 1) and lowers quorum, then hysteresis, to fit; with a
        // total of 0 the hysteresis wraps around as it does there.
        let last = |k: &str| {
            vs.options
                .iter()
                .rev()
                .find(|o| o.keyword == k)
                .and_then(|o| o.args.first())
                .and_then(|a| a.parse::<u32>().ok())
        };
        let mut quorum = last("quorum").unwrap_or(1);
        let hysteresis = last("hysteresis").unwrap_or(0);
        let total = vs.real_servers.iter().fold(0u32, |acc, rs| {
            acc.wrapping_add(rs.weight.map_or(1, |w| w as u32))
        });
        if quorum > total {
            msgs.push(format!(
                "Warning - quorum {quorum} for {} exceeds total weight of real servers {total}, reducing quorum to {total}",
                name(vs)
            ));
            quorum = total;
        }
        if hysteresis >= quorum {
            msgs.push(format!(
                "Virtual server {}: hysteresis {hysteresis} >= quorum {quorum}; setting hysteresis to {}",
                name(vs),
                quorum.wrapping_sub(1)
            ));
        }
    }
    for m in msgs {
        ctx.err_noloc(m);
    }
    // Scripts the checker process would run (quorum_up/down, notify_up/down,
    // MISC_CHECK's misc_path); only those whose command exists count.
    fn has_script(d: &[Directive]) -> bool {
        d.iter().any(|c| {
            let runs = matches!(
                c.keyword.as_str(),
                "quorum_up" | "quorum_down" | "notify_up" | "notify_down" | "misc_path"
            ) && c
                .args
                .first()
                .and_then(|a| a.split_whitespace().next())
                .is_some_and(|cmd| super::sys::find_command(cmd).is_some());
            runs || has_script(&c.children)
        })
    }
    let scripts = ctx.cfg.virtual_servers.iter().any(|vs| {
        has_script(&vs.options)
            || vs.real_servers.iter().any(|rs| {
                has_script(&rs.options) || rs.checkers.iter().any(|c| has_script(&c.options))
            })
    });
    if scripts && !ctx.cfg.global.enable_script_security {
        ctx.security(
            "SECURITY VIOLATION - check scripts are being executed but script_security not enabled.",
        );
    }
}

// ------------------------------------------------------------------- BFD

pub(super) fn bfd_instance(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.st.bfd_name = w.get(1).cloned().unwrap_or_default();
    ctx.st.bfd_has_neighbor = false;
    Ok(())
}

fn bfd_neighbor(ctx: &mut Ctx, _w: &[String]) -> Res {
    ctx.st.bfd_has_neighbor = true;
    Ok(())
}

pub(super) fn bfd_close(ctx: &mut Ctx) -> Res {
    // keepalived 2.2.7 reports this from the BFD process's pass only.
    if ctx.pass == super::parser::Pass::Bfd && !ctx.st.bfd_has_neighbor {
        let n = ctx.st.bfd_name.clone();
        ctx.err(format!(
            "Configuration error: BFD instance {n} has no neighbor address set, disabling instance"
        ));
    }
    Ok(())
}

fn nop(_ctx: &mut Ctx, _w: &[String]) -> Res {
    Ok(())
}

/// keepalived 2.2.7 reads these values unchecked: a missing one stops it.
fn nop1(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.slot(w, 1)?;
    Ok(())
}

pub(super) static BFD: &[Kw] = &[
    Kw::h("neighbor_ip", bfd_neighbor),
    Kw::h("source_ip", nop1),
    Kw::h("min_rx", nop1),
    Kw::h("min_tx", nop1),
    Kw::h("idle_tx", nop1),
    Kw::h("multiplier", nop1),
    Kw::h("passive", nop),
    Kw::h("ttl", nop1),
    Kw::h("hoplimit", nop1),
    Kw::h("max_hops", nop1),
    Kw::h("weight", nop1),
    Kw::h("vrrp", nop),
    Kw::h("checker", nop),
];

/// Names of every keyword the LVS/BFD tables know, with the block they are
/// valid in, for the grammar table test.
pub fn names() -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    let tables: [(&str, &[Kw]); 15] = [
        ("virtual_server", VIRTUAL_SERVER),
        ("real_server", REAL_SERVER),
        ("HTTP_GET", HTTP),
        ("SSL_GET", HTTP),
        ("url", URL),
        ("TCP_CHECK", TCP),
        ("SMTP_CHECK", SMTP),
        ("host", SMTP_HOST),
        ("DNS_CHECK", DNS),
        ("MISC_CHECK", MISC),
        ("UDP_CHECK", UDP),
        ("PING_CHECK", PING),
        ("FILE_CHECK", FILE_CHECK),
        ("BFD_CHECK", BFD_CHECK),
        ("bfd_instance", BFD),
    ];
    for (sec, t) in tables {
        for k in t {
            v.push((k.name, sec));
        }
    }
    v
}
