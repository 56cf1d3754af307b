//! keepalived IR (`crate::ir::keepalived`) -> the engine's per-instance plan: the core's
//! [`InstanceConfig`] plus what only the I/O shell needs (interface, VIP details, notify
//! scripts). The mapping follows the table in `config.rs`'s module comment. Runtime facts
//! (an interface's primary address) come from the caller through `primary`, so the mapping
//! is testable without a network.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use thiserror::Error;

use super::config::{InitialState, InstanceConfig};
use super::netlink::scope_number;
use super::packet::{Auth, Version};
use crate::ir::keepalived::{self as ir, AuthType, Script};

/// One VIP (or excluded VIP) line, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vip {
    pub addr: IpAddr,
    pub prefix: u8,
    /// `dev IF`, else the instance's interface.
    pub dev: String,
    pub label: Option<String>,
    pub brd: Option<Ipv4Addr>,
    pub scope: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notify {
    pub master: Option<Vec<String>>,
    pub backup: Option<Vec<String>>,
    pub fault: Option<Vec<String>>,
    pub stop: Option<Vec<String>>,
    /// `notify`: called with `INSTANCE NAME STATE PRIORITY` appended.
    pub generic: Option<Vec<String>>,
}

/// An interface whose link state affects the instance (`track_interface`, and the
/// instance's own interface unless `dont_track_primary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackIf {
    pub name: String,
    /// None: link down puts the instance in FAULT. Some(w): w > 0 is added while the link
    /// is up, w < 0 while it is down (`reverse` swaps up and down), as keepalived.
    pub weight: Option<i32>,
    pub reverse: bool,
}

/// A `vrrp_script` the engine runs (only those some instance tracks).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptPlan {
    pub name: String,
    pub args: Vec<String>,
    pub interval: Duration,
    /// keepalived's default timeout is the interval.
    pub timeout: Duration,
    pub rise: u32,
    pub fall: u32,
    /// `init_fail`: the script starts failed instead of good.
    pub init_fail: bool,
}

/// A `track_script` entry of an instance, with the weight already chosen (the instance's
/// `weight` overrides the script's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackScriptRef {
    pub name: String,
    /// 0: a failed script puts the instance in FAULT. w < 0 is added while failed, w > 0
    /// while good (`reverse` swaps them), as keepalived.
    pub weight: i32,
    pub reverse: bool,
}

/// Every `vrrp_script` tracked by at least one instance.
pub fn scripts(cfg: &ir::Config) -> Vec<ScriptPlan> {
    let used = |name: &str| {
        cfg.vrrp_instances
            .iter()
            .any(|i| i.track_script.iter().any(|t| t.name == name))
    };
    let secs = |v: f64, default: f64| {
        Duration::from_secs_f64(if v.is_finite() && v > 0.0 { v } else { default })
    };
    cfg.vrrp_scripts
        .iter()
        .filter(|s| used(&s.name))
        .filter_map(|s| {
            let args = s.script.as_ref()?.args.clone();
            if args.is_empty() {
                return None;
            }
            let interval = secs(s.interval, 1.0);
            Some(ScriptPlan {
                name: s.name.clone(),
                args,
                interval,
                timeout: s.timeout.map(|t| secs(t, 1.0)).unwrap_or(interval),
                rise: s.rise.max(1),
                fall: s.fall.max(1),
                init_fail: s.init_fail,
            })
        })
        .collect()
}

/// Everything the engine needs to run one `vrrp_instance`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub core: InstanceConfig,
    pub interface: String,
    /// `virtual_ipaddress` then `virtual_ipaddress_excluded` (all are added / removed).
    pub vips: Vec<Vip>,
    /// The source address was configured (`unicast_src_ip` / `mcast_src_ip`), not picked.
    pub src_configured: bool,
    pub notify: Notify,
    pub track_ifaces: Vec<TrackIf>,
    pub track_scripts: Vec<TrackScriptRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FromIrError {
    #[error("({0}) no interface given (interface keyword missing)")]
    NoInterface(String),
    #[error("({0}) the virtual id must be set!")]
    NoVrid(String),
    #[error("({0}) authentication type AH is not supported by tandem; use PASS or none")]
    AuthAh(String),
    #[error("({name}) invalid address '{addr}'")]
    BadAddress { name: String, addr: String },
    #[error("({name}) cannot find an {family} address on interface {iface}")]
    NoSourceAddress {
        name: String,
        iface: String,
        family: &'static str,
    },
    #[error("({0}) use_vmac is not supported by tandem yet")]
    Vmac(String),
    #[error("{0}")]
    Core(#[from] super::config::ConfigError),
}

fn script_args(s: &Option<Script>) -> Option<Vec<String>> {
    s.as_ref().map(|s| s.args.clone()).filter(|a| !a.is_empty())
}

/// An `other` keyword present (flag) on the instance or, with the `vrrp_` prefix, globally.
fn flag(inst: &ir::VrrpInstance, g: &ir::GlobalDefs, kw: &str) -> bool {
    let global = format!("vrrp_{kw}");
    inst.other.iter().any(|(k, _)| k == kw) || g.other.iter().any(|(k, _)| *k == global)
}

/// A numeric `other` keyword on the instance, else its `vrrp_` global form.
fn number(inst: &ir::VrrpInstance, g: &ir::GlobalDefs, kw: &str) -> Option<u32> {
    let global = format!("vrrp_{kw}");
    let find = |list: &[(String, Vec<String>)], k: &str| {
        list.iter()
            .rev()
            .find(|(key, _)| key == k)
            .and_then(|(_, a)| a.first())
            .and_then(|v| v.parse::<u32>().ok())
    };
    find(&inst.other, kw).or_else(|| find(&g.other, &global))
}

fn parse_addr(name: &str, s: &str) -> Result<IpAddr, FromIrError> {
    s.parse().map_err(|_| FromIrError::BadAddress {
        name: name.to_string(),
        addr: s.to_string(),
    })
}

fn vip(name: &str, iface: &str, a: &ir::IpAddress) -> Result<Vip, FromIrError> {
    let addr = parse_addr(name, &a.addr)?;
    let brd = match (a.brd.as_deref(), addr) {
        (None, _) | (_, IpAddr::V6(_)) => None,
        // `brd +`: the all-ones host part, as ip(8).
        (Some("+"), IpAddr::V4(v4)) => {
            let host = u32::MAX.checked_shr(u32::from(a.prefix)).unwrap_or(0);
            Some(Ipv4Addr::from(u32::from(v4) | host))
        }
        (Some("-"), _) => None,
        (Some(b), _) => match parse_addr(name, b)? {
            IpAddr::V4(v) => Some(v),
            IpAddr::V6(_) => None,
        },
    };
    Ok(Vip {
        addr,
        prefix: a.prefix,
        dev: a.dev.clone().unwrap_or_else(|| iface.to_string()),
        label: a.label.clone(),
        brd,
        scope: a.scope.as_deref().and_then(scope_number).unwrap_or(0),
    })
}

/// `advert_int` as the core wants it: v2 whole seconds (keepalived rounds, minimum 1),
/// v3 a multiple of 10 ms (minimum 10 ms).
fn interval(secs: f64, version: Version) -> Duration {
    let secs = if secs.is_finite() && secs > 0.0 {
        secs
    } else {
        1.0
    };
    match version {
        Version::V2 => Duration::from_secs((secs.round() as u64).clamp(1, 255)),
        Version::V3 => Duration::from_millis(((secs * 100.0).round() as u64).clamp(1, 4095) * 10),
    }
}

/// Map every `vrrp_instance`. `primary(iface, ipv6)` gives the interface's primary address
/// (used when neither `unicast_src_ip` nor `mcast_src_ip` is set).
pub fn plan(
    cfg: &ir::Config,
    primary: &dyn Fn(&str, bool) -> Option<IpAddr>,
) -> Result<Vec<Plan>, FromIrError> {
    let g = &cfg.global;
    let mut out = Vec::new();
    for inst in &cfg.vrrp_instances {
        let name = inst.name.clone();
        let iface = inst
            .interface
            .clone()
            .ok_or_else(|| FromIrError::NoInterface(name.clone()))?;
        let vrid = inst
            .virtual_router_id
            .ok_or_else(|| FromIrError::NoVrid(name.clone()))?;
        if inst.use_vmac.is_some() {
            return Err(FromIrError::Vmac(name));
        }
        let vips_in: Vec<Vip> = inst
            .virtual_ipaddress
            .iter()
            .map(|a| vip(&name, &iface, a))
            .collect::<Result<_, _>>()?;
        let excluded: Vec<Vip> = inst
            .virtual_ipaddress_excluded
            .iter()
            .map(|a| vip(&name, &iface, a))
            .collect::<Result<_, _>>()?;
        let configured_src = inst
            .unicast_src_ip
            .as_deref()
            .or(inst.mcast_src_ip.as_deref())
            .map(|s| parse_addr(&name, s))
            .transpose()?;
        let peers: Vec<IpAddr> = inst
            .unicast_peer
            .iter()
            .map(|s| parse_addr(&name, s))
            .collect::<Result<_, _>>()?;
        // keepalived takes the family from the first address it sees.
        let ipv6 = configured_src
            .or_else(|| vips_in.first().map(|v| v.addr))
            .or_else(|| peers.first().copied())
            .is_some_and(|a| a.is_ipv6());
        let version = match inst.version.or(g.vrrp_version) {
            Some(3) => Version::V3,
            Some(_) => Version::V2,
            None if ipv6 => Version::V3,
            None => Version::V2,
        };
        let src_addr = match configured_src {
            Some(a) => a,
            None => primary(&iface, ipv6).ok_or_else(|| FromIrError::NoSourceAddress {
                name: name.clone(),
                iface: iface.clone(),
                family: if ipv6 { "IPv6" } else { "IPv4" },
            })?,
        };
        let auth = match &inst.authentication {
            Some(a) if version == Version::V2 => match a.auth_type {
                Some(AuthType::Ah) => return Err(FromIrError::AuthAh(name)),
                Some(AuthType::Pass) => Auth::pass(a.auth_pass.as_deref().unwrap_or("").as_bytes()),
                None => Auth::None,
            },
            // keepalived warns and ignores authentication for v3.
            _ => Auth::None,
        };
        let mut core = InstanceConfig::new(&name, vrid, inst.priority.max(1), src_addr);
        core.version = version;
        core.advert_interval = interval(inst.advert_int, version);
        core.initial_state = match inst.state {
            ir::State::Master => InitialState::Master,
            ir::State::Backup => InitialState::Backup,
        };
        core.nopreempt = inst.nopreempt;
        core.preempt_delay = inst
            .preempt_delay
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(Duration::ZERO);
        core.higher_prio_send_advert = flag(inst, g, "higher_prio_send_advert");
        core.lower_prio_no_advert = flag(inst, g, "lower_prio_no_advert");
        core.skip_check_adv_addr = inst.skip_check_adv_addr || g.vrrp_skip_check_adv_addr;
        core.auth = auth;
        core.vips = vips_in.iter().map(|v| v.addr).collect();
        core.unicast_peers = peers;
        core.check_unicast_src = g.other.iter().any(|(k, _)| k == "vrrp_check_unicast_src");
        if let Some(n) = number(inst, g, "down_timer_adverts") {
            core.down_timer_adverts = n;
        }
        let secs = |v: Option<u32>| v.map(|s| Duration::from_secs(u64::from(s)));
        if let Some(d) = secs(inst.garp_master_delay.or(g.vrrp_garp_master_delay)) {
            core.garp_master_delay = d;
        }
        if let Some(r) = inst.garp_master_repeat.or(g.vrrp_garp_master_repeat) {
            core.garp_master_repeat = r;
        }
        if let Some(d) = secs(inst.garp_master_refresh.or(g.vrrp_garp_master_refresh)) {
            core.garp_master_refresh = d;
        }
        if let Some(r) = inst
            .garp_master_refresh_repeat
            .or(g.vrrp_garp_master_refresh_repeat)
        {
            core.garp_master_refresh_repeat = r;
        }
        core.garp_lower_prio_delay =
            secs(number(inst, g, "garp_lower_prio_delay")).unwrap_or(core.garp_master_delay);
        core.garp_lower_prio_repeat =
            number(inst, g, "garp_lower_prio_repeat").unwrap_or(core.garp_master_repeat);
        core.validate()?;
        let mut vips = vips_in;
        vips.extend(excluded);
        let mut track_ifaces = Vec::new();
        if !inst.dont_track_primary {
            track_ifaces.push(TrackIf {
                name: iface.clone(),
                weight: None,
                reverse: false,
            });
        }
        for t in &inst.track_interface {
            track_ifaces.push(TrackIf {
                name: t.name.clone(),
                weight: t.weight.filter(|w| *w != 0),
                reverse: t.weight_reverse,
            });
        }
        out.push(Plan {
            core,
            interface: iface,
            vips,
            src_configured: configured_src.is_some(),
            notify: Notify {
                master: script_args(&inst.notify_master),
                backup: script_args(&inst.notify_backup),
                fault: script_args(&inst.notify_fault),
                stop: script_args(&inst.notify_stop),
                generic: script_args(&inst.notify),
            },
            track_ifaces,
            track_scripts: inst
                .track_script
                .iter()
                .filter_map(|t| {
                    let script = cfg.vrrp_scripts.iter().find(|s| s.name == t.name)?;
                    Some(TrackScriptRef {
                        name: t.name.clone(),
                        weight: t.weight.unwrap_or(script.weight),
                        reverse: if t.weight.is_some() {
                            t.weight_reverse
                        } else {
                            script.weight_reverse
                        },
                    })
                })
                .collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ir::Config {
        let dir = std::env::temp_dir().join(format!("tandem-h9-fromir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join(format!("{}.conf", text.len()));
        std::fs::write(&f, text).unwrap();
        let out = crate::config::keepalived::check_file(
            f.to_str().unwrap(),
            &crate::config::keepalived::Options::default(),
        );
        let _ = std::fs::remove_dir_all(&dir);
        out.config
    }

    fn primary(_: &str, v6: bool) -> Option<IpAddr> {
        Some(if v6 { "fe80::1" } else { "192.0.2.11" }.parse().unwrap())
    }

    #[test]
    fn lab_config_maps() {
        let c = parse(
            "global_defs {\n vrrp_garp_master_repeat 2\n}\n\
             vrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 51\n\
             priority 100\n advert_int 1\n authentication {\n auth_type PASS\n auth_pass 1111\n }\n\
             virtual_ipaddress {\n 192.0.2.100/24 dev eth0 label eth0:vip\n 192.0.2.101\n }\n\
             virtual_ipaddress_excluded {\n 192.0.2.102/32\n }\n\
             notify \"/bin/echo hi\"\n}\n",
        );
        let p = plan(&c, &primary).unwrap();
        assert_eq!(p.len(), 1);
        let p = &p[0];
        assert_eq!(p.interface, "eth0");
        assert_eq!(p.core.vrid, 51);
        assert_eq!(p.core.version, Version::V2);
        assert_eq!(p.core.priority, 100);
        assert_eq!(p.core.initial_state, InitialState::Master);
        assert_eq!(p.core.auth, Auth::pass(b"1111"));
        assert_eq!(p.core.src_addr, "192.0.2.11".parse::<IpAddr>().unwrap());
        assert_eq!(p.core.garp_master_repeat, 2);
        assert_eq!(p.core.garp_lower_prio_repeat, 2);
        assert_eq!(p.core.vips.len(), 2, "excluded VIPs are not advertised");
        assert_eq!(p.vips.len(), 3, "but they are added");
        assert_eq!(p.vips[0].label.as_deref(), Some("eth0:vip"));
        assert_eq!(p.vips[0].prefix, 24);
        assert_eq!(p.vips[1].prefix, 32);
        assert_eq!(
            p.notify.generic.as_deref(),
            Some(&["/bin/echo".to_string(), "hi".to_string()][..])
        );
    }

    #[test]
    fn tracked_scripts() {
        let c = parse(
            "vrrp_script chk {\n script \"/bin/true x\"\n interval 2\n weight -20\n fall 3\n rise 2\n}\n\
             vrrp_script unused {\n script /bin/false\n}\n\
             vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n track_script {\n chk\n }\n}\n",
        );
        let s = scripts(&c);
        assert_eq!(s.len(), 1, "only tracked scripts run");
        assert_eq!(s[0].args, ["/bin/true", "x"]);
        assert_eq!(s[0].interval, Duration::from_secs(2));
        assert_eq!(s[0].timeout, Duration::from_secs(2));
        assert_eq!((s[0].rise, s[0].fall), (2, 3));
        let p = plan(&c, &primary).unwrap();
        assert_eq!(
            p[0].track_scripts,
            [TrackScriptRef {
                name: "chk".into(),
                weight: -20,
                reverse: false
            }]
        );
    }

    #[test]
    fn v3_unicast_and_intervals() {
        let c = parse(
            "vrrp_instance VI_2 {\n interface eth0\n version 3\n virtual_router_id 7\n\
             priority 90\n advert_int 0.5\n unicast_src_ip 192.0.2.12\n unicast_peer {\n 192.0.2.11\n }\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        let p = plan(&c, &|_, _| None).unwrap();
        assert_eq!(p[0].core.version, Version::V3);
        assert_eq!(p[0].core.advert_interval, Duration::from_millis(500));
        assert_eq!(p[0].core.src_addr, "192.0.2.12".parse::<IpAddr>().unwrap());
        assert!(p[0].src_configured);
        assert_eq!(p[0].core.unicast_peers.len(), 1);
    }

    #[test]
    fn missing_source_address_is_an_error() {
        let c = parse(
            "vrrp_instance VI_1 {\n interface eth9\n virtual_router_id 1\n priority 100\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        assert!(matches!(
            plan(&c, &|_, _| None),
            Err(FromIrError::NoSourceAddress { .. })
        ));
        assert_eq!(interval(1.4, Version::V2), Duration::from_secs(1));
        assert_eq!(interval(0.004, Version::V3), Duration::from_millis(10));
    }
}
