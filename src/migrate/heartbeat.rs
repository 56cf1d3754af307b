//! Heartbeat (ha.cf + haresources + authkeys) to a keepalived.conf
//! `vrrp_instance`, checked with the real `keepalived -t -f` (2.2.7).

use std::fmt::Write as _;

use super::{Entry, Kind, words};

/// One input file: its name (for the report) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// The keepalived.conf for each node (the first is the preferred node,
/// i.e. the one written as keepalived.conf) and the report entries.
#[derive(Debug, Default)]
pub struct Output {
    /// (node name, keepalived.conf text).
    pub configs: Vec<(String, String)>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Default)]
struct HaCf {
    keepalive_ms: Option<u64>,
    deadtime_ms: Option<u64>,
    iface: Option<String>,
    ucast: Vec<(String, String)>,
    mcast_group: Option<String>,
    nopreempt: bool,
    nodes: Vec<String>,
}

/// Heartbeat times: a number of seconds, or with an `ms`/`s` suffix.
fn millis(v: &str) -> Option<u64> {
    if let Some(ms) = v.strip_suffix("ms") {
        return ms.parse().ok();
    }
    let s = v.strip_suffix('s').unwrap_or(v);
    if let Ok(n) = s.parse::<u64>() {
        return n.checked_mul(1000);
    }
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0)
        .map(|f| (f * 1000.0).round() as u64)
}

pub fn migrate(
    ha_cf: Option<Input<'_>>,
    haresources: Option<Input<'_>>,
    authkeys: Option<Input<'_>>,
) -> Output {
    let mut es = Vec::new();
    let mut cf = HaCf::default();
    if let Some(f) = ha_cf {
        for (i, raw) in f.text.lines().enumerate() {
            let n = i + 1;
            let w = words(raw);
            let Some(kw) = w.first() else {
                es.push(Entry::new(f.name, n, Kind::Unchanged, ""));
                continue;
            };
            let a1 = w.get(1).map(String::as_str).unwrap_or("");
            let mut t = |k: Kind, s: String| es.push(Entry::new(f.name, n, k, s));
            match kw.as_str() {
                "keepalive" => {
                    cf.keepalive_ms = millis(a1);
                    t(Kind::Translated, format!("keepalive {a1} -> advert_int"));
                }
                "deadtime" => {
                    cf.deadtime_ms = millis(a1);
                    t(
                        Kind::Translated,
                        format!(
                            "deadtime {a1}: VRRP declares the master dead after 3 x advert_int \
                             (+ skew); advert_int is chosen so that this is no longer than deadtime"
                        ),
                    );
                }
                "warntime" | "initdead" => t(
                    Kind::Unsupported,
                    format!("`{kw}` has no VRRP equivalent (dropped)"),
                ),
                "udpport" => t(
                    Kind::Unsupported,
                    "udpport: VRRP is IP protocol 112, not UDP (dropped)".into(),
                ),
                "bcast" => {
                    cf.iface = Some(a1.to_string());
                    t(
                        Kind::Translated,
                        format!("bcast {a1} -> interface {a1} (VRRP multicast 224.0.0.18)"),
                    );
                }
                "mcast" => {
                    cf.iface = Some(a1.to_string());
                    cf.mcast_group = w.get(2).cloned();
                    t(
                        Kind::Translated,
                        format!(
                            "mcast {a1} {} -> interface {a1}; VRRP uses its own multicast group",
                            w.get(2).map(String::as_str).unwrap_or("")
                        ),
                    );
                }
                "ucast" => {
                    cf.iface = Some(a1.to_string());
                    if let Some(ip) = w.get(2) {
                        cf.ucast.push((a1.to_string(), ip.clone()));
                    }
                    t(
                        Kind::Translated,
                        format!(
                            "ucast {a1} {} -> unicast_peer",
                            w.get(2).map(String::as_str).unwrap_or("")
                        ),
                    );
                }
                "auto_failback" => {
                    cf.nopreempt = a1 == "off";
                    t(
                        Kind::Translated,
                        if a1 == "off" {
                            "auto_failback off -> nopreempt (state BACKUP on every node)".into()
                        } else {
                            format!("auto_failback {a1} -> preemption (keepalived's default)")
                        },
                    );
                }
                "node" => {
                    cf.nodes.extend(w.iter().skip(1).cloned());
                    t(
                        Kind::Translated,
                        format!("node {} -> priorities in node order", rest(&w)),
                    );
                }
                "logfacility" | "logfile" | "debugfile" | "use_logd" => t(
                    Kind::Unsupported,
                    format!("`{kw}`: tandem logs to syslog/journal (dropped)"),
                ),
                "crm" | "pacemaker" | "respawn" | "ping" | "ping_group" | "apiauth" => t(
                    Kind::Unsupported,
                    format!("`{kw}` has no keepalived equivalent (dropped)"),
                ),
                _ => t(
                    Kind::Unsupported,
                    format!("`{kw}` is not migrated (dropped)"),
                ),
            }
        }
    }

    // haresources: `node1 IPaddr::192.168.1.100/24/eth0 haproxy`.
    let mut primary: Option<String> = None;
    let mut vips: Vec<String> = Vec::new();
    let mut tracks_haproxy = false;
    if let Some(f) = haresources {
        let mut text = f.text.replace("\\\n", " ");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let w = words(raw);
            let Some(node) = w.first() else {
                es.push(Entry::new(f.name, n, Kind::Unchanged, ""));
                continue;
            };
            if primary.is_none() {
                primary = Some(node.clone());
            }
            es.push(Entry::new(
                f.name,
                n,
                Kind::Translated,
                format!("{node} is the preferred node -> state MASTER, highest priority"),
            ));
            for r in w.iter().skip(1) {
                let (agent, args) = r.split_once("::").unwrap_or(("", r.as_str()));
                let is_ip = agent.starts_with("IPaddr") || (agent.is_empty() && looks_ip(args));
                if is_ip {
                    let parts: Vec<&str> = args.split('/').collect();
                    let ip = parts.first().copied().unwrap_or("");
                    let plen = parts.get(1).copied().filter(|p| p.parse::<u8>().is_ok());
                    let dev = parts.get(2).copied();
                    if let Some(d) = dev
                        && cf.iface.is_none()
                    {
                        cf.iface = Some(d.to_string());
                    }
                    let mut v = ip.to_string();
                    if let Some(p) = plen {
                        v.push('/');
                        v.push_str(p);
                    }
                    if let Some(d) = dev.or(cf.iface.as_deref()) {
                        v.push_str(" dev ");
                        v.push_str(d);
                    }
                    es.push(Entry::new(
                        f.name,
                        n,
                        Kind::Translated,
                        format!("{r} -> virtual_ipaddress {v}"),
                    ));
                    vips.push(v);
                } else if args == "haproxy" || agent.contains("haproxy") || r.ends_with("haproxy") {
                    tracks_haproxy = true;
                    es.push(Entry::new(
                        f.name,
                        n,
                        Kind::Translated,
                        format!(
                            "{r} -> vrrp_script chk_haproxy (served natively by tandem run; \
                             HAProxy itself runs on every node, not only on the master)"
                        ),
                    ));
                } else {
                    es.push(Entry::new(
                        f.name,
                        n,
                        Kind::Unsupported,
                        format!(
                            "resource `{r}` is not migrated: start it with a notify_master \
                             script or run it on both nodes"
                        ),
                    ));
                }
            }
        }
    }

    // authkeys: `auth N` + `N sha1|md5|crc [key]`; a bare line is taken as
    // the key (the seed writes just `secret_password`).
    let mut pass: Option<String> = None;
    if let Some(f) = authkeys {
        let mut active: Option<String> = None;
        let mut keys: Vec<(String, String, String)> = Vec::new();
        let mut bare: Option<(usize, String)> = None;
        for (i, raw) in f.text.lines().enumerate() {
            let w = words(raw);
            match (w.first().map(String::as_str), w.get(1), w.get(2)) {
                (None, _, _) => {}
                (Some("auth"), Some(n), _) => active = Some(n.clone()),
                (Some(id), Some(m), k) if id.parse::<u32>().is_ok() => {
                    keys.push((id.to_string(), m.clone(), k.cloned().unwrap_or_default()))
                }
                (Some(t), None, _) if bare.is_none() => bare = Some((i + 1, t.to_string())),
                _ => es.push(Entry::new(
                    f.name,
                    i + 1,
                    Kind::Unsupported,
                    "unrecognised authkeys line (dropped)",
                )),
            }
        }
        let chosen = active
            .as_ref()
            .and_then(|a| keys.iter().find(|k| &k.0 == a))
            .or(keys.first());
        if let Some((id, method, key)) = chosen {
            let mut s = format!(
                "auth {id}: {method} -> authentication PASS (VRRPv2 only has a clear-text password)"
            );
            if method == "md5" || method == "sha1" {
                s.push_str(&format!(
                    "; the {method} HMAC protected the messages, PASS does not: the key is \
                     sent in clear on the link"
                ));
            }
            if method != "crc" && !key.is_empty() {
                pass = Some(key.clone());
            } else {
                s.push_str("; crc has no key: no authentication block is written");
            }
            es.push(Entry::new(f.name, 0, Kind::Translated, s));
        } else if let Some((n, k)) = bare {
            es.push(Entry::new(
                f.name,
                n,
                Kind::Translated,
                "a bare key (Heartbeat itself would reject this file) -> authentication PASS",
            ));
            pass = Some(k);
        }
        if let Some(p) = &pass
            && p.len() > 8
        {
            let short: String = p.chars().take(8).collect();
            es.push(Entry::new(
                f.name,
                0,
                Kind::Note,
                format!("auth_pass is limited to 8 characters: the key becomes `{short}`"),
            ));
            pass = Some(short);
        }
    }

    let iface = cf.iface.clone().unwrap_or_else(|| {
        es.push(Entry::new(
            "ha.cf",
            0,
            Kind::Note,
            "no interface in bcast/mcast/ucast/haresources: eth0 assumed",
        ));
        "eth0".into()
    });
    if vips.is_empty() {
        es.push(Entry::new(
            "haresources",
            0,
            Kind::Note,
            "no IPaddr resource: virtual_ipaddress needs to be filled in (192.0.2.1 written as a placeholder)",
        ));
        vips.push(format!("192.0.2.1/32 dev {iface}"));
    }
    if !tracks_haproxy {
        es.push(Entry::new(
            "haresources",
            0,
            Kind::Note,
            "no haproxy resource: a vrrp_script tracking haproxy is added all the same",
        ));
    }
    // keepalived's advert_int is in seconds (fractions allowed); the master
    // is declared dead after about 3 adverts, so deadtime/3 bounds it.
    let mut adv_ms = cf.keepalive_ms.unwrap_or(1000).max(10);
    if let Some(d) = cf.deadtime_ms
        && d / 3 < adv_ms
    {
        adv_ms = (d / 3).max(10);
    }
    // VRRPv2 (the only version with authentication) takes whole seconds:
    // keepalived 2.2.7 rounds a fraction with a warning, so round here.
    if adv_ms % 1000 != 0 {
        es.push(Entry::new(
            "keepalived.conf",
            0,
            Kind::Note,
            format!(
                "a {adv_ms} ms interval needs VRRPv3 (vrrp_version 3, no authentication); \
                 VRRPv2 whole seconds are used"
            ),
        ));
    }
    let adv_s = (adv_ms / 1000).max(1);
    let adv = adv_s.to_string();
    adv_ms = adv_s * 1000;
    es.push(Entry::new(
        "keepalived.conf",
        0,
        Kind::Note,
        format!(
            "advert_int {adv}: failover after about {:.1} s (3 x advert_int + skew)",
            adv_ms as f64 * 3.0 / 1000.0
        ),
    ));
    es.push(Entry::new(
        "keepalived.conf",
        0,
        Kind::Note,
        "virtual_router_id 51 chosen: it must be unique on the link",
    ));

    let mut nodes = Vec::new();
    if let Some(p) = &primary {
        nodes.push(p.clone());
    }
    for n in &cf.nodes {
        if !nodes.contains(n) {
            nodes.push(n.clone());
        }
    }
    if nodes.is_empty() {
        nodes.push("node1".into());
        es.push(Entry::new(
            "ha.cf",
            0,
            Kind::Note,
            "no node lines and no haresources: one config for the preferred node is written; \
             the peer uses state BACKUP and a lower priority",
        ));
    }
    let mut configs = Vec::new();
    for (idx, node) in nodes.iter().enumerate() {
        let prio = 150u32.saturating_sub(50 * idx as u32).max(1);
        let state = if idx == 0 && !cf.nopreempt {
            "MASTER"
        } else {
            "BACKUP"
        };
        let mut s = String::new();
        let _ = writeln!(
            s,
            "! keepalived.conf for node {node}, written by `tandem migrate`"
        );
        let _ = writeln!(s, "! from Heartbeat's ha.cf, haresources and authkeys.");
        s.push_str("global_defs {\n    script_user root\n    enable_script_security\n}\n\n");
        s.push_str(
            "vrrp_script chk_haproxy {\n    script \"/usr/bin/killall -0 haproxy\"\n    \
             interval 2\n    fall 2\n    rise 2\n}\n\n",
        );
        s.push_str("vrrp_instance VI_1 {\n");
        let _ = writeln!(s, "    state {state}");
        let _ = writeln!(s, "    interface {iface}");
        s.push_str("    virtual_router_id 51\n");
        let _ = writeln!(s, "    priority {prio}");
        let _ = writeln!(s, "    advert_int {adv}");
        if cf.nopreempt {
            s.push_str("    nopreempt\n");
        }
        if !cf.ucast.is_empty() {
            s.push_str("    unicast_peer {\n");
            for (_, ip) in &cf.ucast {
                let _ = writeln!(s, "        {ip}");
            }
            s.push_str("    }\n");
        }
        if let Some(p) = &pass {
            let _ = writeln!(
                s,
                "    authentication {{\n        auth_type PASS\n        auth_pass {p}\n    }}"
            );
        }
        s.push_str("    virtual_ipaddress {\n");
        for v in &vips {
            let _ = writeln!(s, "        {v}");
        }
        s.push_str("    }\n    track_script {\n        chk_haproxy\n    }\n}\n");
        configs.push((node.clone(), s));
    }
    if cf.ucast.len() > 1 {
        es.push(Entry::new(
            "ha.cf",
            0,
            Kind::Note,
            "every ucast address is listed as unicast_peer; remove each node's own address from its config",
        ));
    }
    if cf.mcast_group.is_some() {
        es.push(Entry::new(
            "ha.cf",
            0,
            Kind::Note,
            "the Heartbeat multicast group is not used by VRRP",
        ));
    }
    Output {
        configs,
        entries: es,
    }
}

fn rest(w: &[String]) -> String {
    w.get(1..).map(|r| r.join(" ")).unwrap_or_default()
}

fn looks_ip(s: &str) -> bool {
    s.split('/')
        .next()
        .is_some_and(|a| a.parse::<std::net::IpAddr>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(millis("2"), Some(2000));
        assert_eq!(millis("500ms"), Some(500));
        assert_eq!(millis("1.5"), Some(1500));
        assert_eq!(millis("x"), None);
    }

    #[test]
    fn seed_shape() {
        let o = migrate(
            Some(Input {
                name: "ha.cf",
                text: "bcast eth0\nkeepalive 2\ndeadtime 10\n",
            }),
            None,
            Some(Input {
                name: "authkeys",
                text: "secret_password\n",
            }),
        );
        let conf = &o.configs[0].1;
        assert!(conf.contains("advert_int 2\n"), "{conf}");
        assert!(conf.contains("auth_pass secret_p\n"), "{conf}");
        assert!(conf.contains("interface eth0\n"), "{conf}");
    }
}
