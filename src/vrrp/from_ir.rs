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
use crate::config::keepalived::sys;
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
    /// (uid, gid) the scripts run as ([`script_ids`]); None: as the engine itself.
    pub ids: Option<(u32, u32)>,
    /// A script's own `USER [GROUP]` (`notify_master "/path" nobody`), in the order
    /// master, backup, fault, stop, generic; None: [`Notify::ids`].
    pub own_ids: [Option<(u32, u32)>; 5],
}

impl Notify {
    /// The notify scripts of one instance or sync group, in the order of
    /// [`Notify::own_ids`]: a script whose own user or group does not exist is dropped,
    /// as keepalived 2.2.7 drops it ([`notify_user_lines`] gives its log lines).
    fn of(cfg: &ir::Config, s: [&Option<Script>; 5]) -> Notify {
        let own = |sc: &Option<Script>| sc.as_ref().and_then(own_ids);
        let args = |sc: &Option<Script>| {
            let bad_user = sc
                .as_ref()
                .is_some_and(|x| x.user.is_some() && own_ids(x).is_none());
            if bad_user { None } else { script_args(cfg, sc) }
        };
        Notify {
            master: args(s[0]),
            backup: args(s[1]),
            fault: args(s[2]),
            stop: args(s[3]),
            generic: args(s[4]),
            ids: script_ids(cfg, None, None),
            own_ids: [own(s[0]), own(s[1]), own(s[2]), own(s[3]), own(s[4])],
        }
    }

    /// (uid, gid) for the script of index `k` (see [`Notify::own_ids`]).
    pub fn ids_for(&self, k: usize) -> Option<(u32, u32)> {
        self.own_ids.get(k).copied().flatten().or(self.ids)
    }
}

/// The (uid, gid) of a notify script's own `USER [GROUP]` (the group defaults to the
/// user's primary group); None without one or when it does not resolve.
fn own_ids(s: &Script) -> Option<(u32, u32)> {
    let (uid, primary) = sys::user(s.user.as_deref()?)?;
    let gid = match s.group.as_deref() {
        Some(g) => sys::group(g)?,
        None => primary,
    };
    Some((uid, gid))
}

/// keepalived 2.2.7's start-up lines for notify scripts whose own user or group does not
/// exist (measured: `notify_stop "/x.sh stop" nosuchuser` logs these two lines and the
/// script never runs): `Script user 'nosuchuser' does not exist`, then `Invalid
/// user/group for notify script /x.sh - ignoring`.
pub fn notify_user_lines(cfg: &ir::Config) -> Vec<String> {
    let all = cfg
        .vrrp_instances
        .iter()
        .flat_map(|i| {
            [
                &i.notify_master,
                &i.notify_backup,
                &i.notify_fault,
                &i.notify_stop,
                &i.notify,
            ]
        })
        .chain(cfg.vrrp_sync_groups.iter().flat_map(|g| {
            [
                &g.notify_master,
                &g.notify_backup,
                &g.notify_fault,
                &g.notify_stop,
                &g.notify,
            ]
        }));
    let mut out = Vec::new();
    for s in all.flatten() {
        let Some(user) = s.user.as_deref() else {
            continue;
        };
        let why = match sys::user(user) {
            None => format!("Script user '{user}' does not exist"),
            Some(_) => match s.group.as_deref() {
                Some(g) if sys::group(g).is_none() => {
                    format!("Script group '{g}' does not exist")
                }
                _ => continue,
            },
        };
        out.push(why);
        out.push(format!(
            "Invalid user/group for notify script {} - ignoring",
            s.args.first().map(String::as_str).unwrap_or("")
        ));
    }
    out
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
    /// (uid, gid) to run as ([`script_ids`]); None: as the engine itself.
    pub ids: Option<(u32, u32)>,
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
    scripts_unfiltered(cfg)
        .into_iter()
        .filter(|s| {
            script_allowed(cfg, &s.args) && !(cfg.global.enable_script_security && s.ids.is_none())
        })
        .collect()
}

/// [`scripts`] before `enable_script_security` removes the insecure ones.
fn scripts_unfiltered(cfg: &ir::Config) -> Vec<ScriptPlan> {
    let used = |name: &str| {
        cfg.vrrp_instances
            .iter()
            .any(|i| i.track_script.iter().any(|t| t.name == name))
            || cfg
                .vrrp_sync_groups
                .iter()
                .any(|g| g.track_script.iter().any(|t| t.name == name))
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
                ids: script_ids(cfg, s.user.as_deref(), s.group.as_deref()),
            })
        })
        .collect()
}

/// A `track_file` (only those some instance or group tracks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFilePlan {
    pub name: String,
    pub path: String,
    /// The block's default weight (instances may override it).
    pub weight: i32,
    /// `init_file [VALUE] [overwrite]`.
    pub init_file: Option<(i64, bool)>,
}

/// A `track_file` entry of an instance: the file's value times `weight` (negated with
/// `reverse`) is added to the priority; weight 0: a non-zero value is a FAULT; a result
/// below -253 is a FAULT too (keepalived.conf(5), "Track files").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFileRef {
    pub name: String,
    pub weight: i32,
    pub reverse: bool,
}

/// One `virtual_routes` line in its basic forms: `DEST/PFX [via GW] [dev IF] [src ADDR]
/// [metric N] [table T]`, `blackhole|unreachable|prohibit DEST/PFX [table T]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePlan {
    pub dst: IpAddr,
    pub prefix: u8,
    pub gateway: Option<IpAddr>,
    pub dev: Option<String>,
    pub src: Option<IpAddr>,
    pub metric: Option<u32>,
    pub table: u32,
    /// RTN_* type: 1 unicast, 6 blackhole, 7 unreachable, 8 prohibit.
    pub kind: u8,
    /// The line as written (for the data dump).
    pub text: String,
}

/// A `vrrp_sync_group` with at least two existing members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    pub name: String,
    pub members: Vec<String>,
    /// Called with `GROUP NAME STATE 0` appended for the generic `notify`.
    pub notify: Notify,
}

/// Every `vrrp_track_process` tracked by at least one instance or sync group (the first
/// of a name, as keepalived looks them up).
pub fn track_processes(cfg: &ir::Config) -> Vec<super::track::ProcessPlan> {
    let used = |name: &str| {
        cfg.vrrp_instances
            .iter()
            .any(|i| i.track_process.iter().any(|t| t.name == name))
            || cfg
                .vrrp_sync_groups
                .iter()
                .any(|g| g.track_process.iter().any(|t| t.name == name))
    };
    let mut out: Vec<super::track::ProcessPlan> = Vec::new();
    for t in &cfg.track_processes {
        if used(&t.name)
            && !out.iter().any(|p| p.name == t.name)
            && let Some(p) = super::track::ProcessPlan::from_ir(t)
        {
            out.push(p);
        }
    }
    out
}

/// Every `track_file` tracked by at least one instance or sync group.
pub fn track_files(cfg: &ir::Config) -> Vec<TrackFilePlan> {
    let used = |name: &str| {
        cfg.vrrp_instances
            .iter()
            .any(|i| i.track_file.iter().any(|t| t.name == name))
            || cfg
                .vrrp_sync_groups
                .iter()
                .any(|g| g.track_file.iter().any(|t| t.name == name))
    };
    cfg.track_files
        .iter()
        .filter(|t| used(&t.name))
        .filter_map(|t| {
            Some(TrackFilePlan {
                name: t.name.clone(),
                path: t.file.clone()?,
                weight: t.weight,
                init_file: t.init_file,
            })
        })
        .collect()
}

/// The sync groups the engine runs: members that exist, each in one group only; a group
/// left with fewer than two members is dropped, as keepalived does ("Sync group VG has only
/// 1 virtual router(s) - removing").
pub fn groups(cfg: &ir::Config) -> Vec<GroupPlan> {
    let mut taken: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for g in &cfg.vrrp_sync_groups {
        let mut members = Vec::new();
        for m in &g.group {
            if cfg.vrrp_instances.iter().any(|i| &i.name == m) && !taken.contains(&m.as_str()) {
                taken.push(m);
                members.push(m.clone());
            }
        }
        if members.len() < 2 {
            taken.retain(|t| !members.iter().any(|m| m == t));
            continue;
        }
        out.push(GroupPlan {
            name: g.name.clone(),
            members,
            notify: Notify::of(
                cfg,
                [
                    &g.notify_master,
                    &g.notify_backup,
                    &g.notify_fault,
                    &g.notify_stop,
                    &g.notify,
                ],
            ),
        });
    }
    out
}

fn route_type(word: &str) -> Option<u8> {
    match word {
        "blackhole" => Some(6),
        "unreachable" => Some(7),
        "prohibit" => Some(8),
        _ => None,
    }
}

fn table_number(word: &str) -> Option<u32> {
    match word {
        "main" => Some(254),
        "local" => Some(255),
        "default" => Some(253),
        n => n.parse().ok(),
    }
}

fn parse_prefix(name: &str, s: &str) -> Result<(IpAddr, u8), FromIrError> {
    let bad = || FromIrError::BadRoute {
        name: name.to_string(),
        route: s.to_string(),
    };
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = a.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv6() { 128 } else { 32 };
    let prefix = match p {
        Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
        None => max,
    };
    Ok((addr, prefix))
}

/// One `virtual_routes` line (the words after keepalived's own parser split it).
pub fn parse_route(name: &str, words: &[String]) -> Result<RoutePlan, FromIrError> {
    let text = words.join(" ");
    let bad = || FromIrError::BadRoute {
        name: name.to_string(),
        route: text.clone(),
    };
    let mut it = words.iter().map(String::as_str).peekable();
    let mut kind = 1;
    if let Some(k) = it.peek().and_then(|w| route_type(w)) {
        kind = k;
        it.next();
    }
    let dst_word = it.next().ok_or_else(bad)?;
    let (dst, prefix) = if dst_word == "default" {
        (IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)
    } else {
        parse_prefix(name, dst_word)?
    };
    let mut r = RoutePlan {
        dst,
        prefix,
        gateway: None,
        dev: None,
        src: None,
        metric: None,
        table: 254,
        kind,
        text: text.clone(),
    };
    while let Some(w) = it.next() {
        let v = it.next().ok_or_else(bad)?;
        match w {
            "via" | "gw" => {
                // `via inet 1.2.3.4` / `via inet6 ...` as ip(8) allows.
                let v = if v == "inet" || v == "inet6" {
                    it.next().ok_or_else(bad)?
                } else {
                    v
                };
                r.gateway = Some(v.parse().map_err(|_| bad())?);
            }
            "dev" | "oif" => r.dev = Some(v.to_string()),
            "src" => r.src = Some(v.parse().map_err(|_| bad())?),
            "metric" | "priority" | "preference" => r.metric = Some(v.parse().map_err(|_| bad())?),
            "table" => r.table = table_number(v).ok_or_else(bad)?,
            _ => {
                return Err(FromIrError::RouteOption {
                    name: name.to_string(),
                    option: w.to_string(),
                });
            }
        }
    }
    if r.gateway.is_some_and(|g| g.is_ipv6() != r.dst.is_ipv6())
        || r.src.is_some_and(|s| s.is_ipv6() != r.dst.is_ipv6())
    {
        return Err(bad());
    }
    Ok(r)
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
    /// The TTL / hop limit of sent adverts: `unicast_ttl` for unicast, else 255.
    pub send_ttl: u8,
    pub notify: Notify,
    pub track_ifaces: Vec<TrackIf>,
    pub track_scripts: Vec<TrackScriptRef>,
    pub track_files: Vec<TrackFileRef>,
    /// `track_process` entries: weight 0 gives FAULT without quorum; otherwise the weight
    /// is added as for a `track_script` (quorum = success).
    pub track_processes: Vec<TrackScriptRef>,
    pub routes: Vec<RoutePlan>,
    /// The `vrrp_sync_group` it belongs to.
    pub sync_group: Option<String>,
    /// Traffic to and from the VIPs is dropped while they are held (RFC 5798 Accept_Mode
    /// False as keepalived runs it: `vrrp_strict` or `no_accept`, not for the address
    /// owner; [`super::firewall`]).
    pub block_vips: bool,
    /// `track_backend NAME [min N] [weight W]` (tandem-only, `tandem run`).
    pub track_backends: Vec<TrackBackend>,
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
    #[error(
        "({file}: Line {line}) ({name}) use_vmac is not supported by tandem: it needs a macvlan interface per instance, which tandem does not create; remove use_vmac (the VIPs then move with the instance's own MAC and gratuitous ARPs)"
    )]
    Vmac {
        file: String,
        line: u32,
        name: String,
    },
    #[error("({name}) cannot parse virtual route '{route}'")]
    BadRoute { name: String, route: String },
    #[error(
        "({name}) virtual route option '{option}' is not supported by tandem (basic forms only: via, dev, src, metric, table, blackhole)"
    )]
    RouteOption { name: String, option: String },
    #[error("{0}")]
    Core(#[from] super::config::ConfigError),
}

fn script_args(cfg: &ir::Config, s: &Option<Script>) -> Option<Vec<String>> {
    let s = s.as_ref()?;
    // A script with its own user does not need the default one.
    let user_ok = s.user.is_some() || !no_default_user(cfg);
    Some(s.args.clone()).filter(|a| !a.is_empty() && script_allowed(cfg, a) && user_ok)
}

/// The (uid, gid) a script runs as, as keepalived chooses it: the `vrrp_script`'s own
/// `user USER [GROUP]`, else the global `script_user USER [GROUP]`, else the user
/// `keepalived_script` when it exists; the group defaults to the user's primary group.
/// None (run as the engine's own user, root) when none of them resolves.
pub fn script_ids(cfg: &ir::Config, user: Option<&str>, group: Option<&str>) -> Option<(u32, u32)> {
    let (user, group) = match user {
        Some(u) => (u, group),
        None => match cfg.global.script_user.as_deref() {
            Some(u) => (u, cfg.global.script_group.as_deref()),
            None => ("keepalived_script", None),
        },
    };
    let (uid, primary) = sys::user(user)?;
    let gid = match group {
        Some(g) => sys::group(g)?,
        None => primary,
    };
    Some((uid, gid))
}

/// The program a script command line runs, when it exists and a non-root user could
/// replace it (keepalived's rule, `config::keepalived::sys::insecure`).
fn insecure_program(args: &[String]) -> Option<std::path::PathBuf> {
    let p = sys::find_command(args.first()?)?;
    sys::insecure(&p).then_some(p)
}

/// With `enable_script_security` keepalived never runs a script that a non-root user could
/// replace (the file or a directory above it writable by others, or not owned by root): a
/// `vrrp_script` is dropped from tracking, a notify script is not called.
fn script_allowed(cfg: &ir::Config, args: &[String]) -> bool {
    !cfg.global.enable_script_security || insecure_program(args).is_none()
}

/// With `enable_script_security` and no user to run scripts as (no `script_user`, no
/// `keepalived_script` account) keepalived never runs a notify script as root: "Failed to
/// set default user for notify script ... - ignoring" (measured).
fn no_default_user(cfg: &ir::Config) -> bool {
    cfg.global.enable_script_security && script_ids(cfg, None, None).is_none()
}

/// keepalived 2.2.7's start-up lines for the scripts `enable_script_security` disables,
/// in its order (tracked `vrrp_script`s, then each instance's notify scripts, then each
/// sync group's), e.g. `Unsafe permissions found for script '/tmp/x.sh' - disabling.`
pub fn insecure_script_lines(cfg: &ir::Config) -> Vec<String> {
    if !cfg.global.enable_script_security {
        return Vec::new();
    }
    if no_default_user(cfg) {
        let notify = |n: [&Option<Script>; 5]| -> Vec<String> {
            n.into_iter()
                .flatten()
                .filter_map(|s| s.args.first().cloned())
                .map(|p| format!("Failed to set default user for notify script {p} - ignoring"))
                .collect()
        };
        return cfg
            .vrrp_instances
            .iter()
            .flat_map(|i| {
                notify([
                    &i.notify_master,
                    &i.notify_backup,
                    &i.notify_fault,
                    &i.notify_stop,
                    &i.notify,
                ])
            })
            .chain(cfg.vrrp_sync_groups.iter().flat_map(|g| {
                notify([
                    &g.notify_master,
                    &g.notify_backup,
                    &g.notify_fault,
                    &g.notify_stop,
                    &g.notify,
                ])
            }))
            .collect();
    }
    let tracked = scripts_unfiltered(cfg).into_iter().map(|s| s.args);
    let notify = |n: [&Option<Script>; 5]| {
        n.into_iter()
            .flatten()
            .map(|s| s.args.clone())
            .collect::<Vec<_>>()
    };
    let inst = cfg.vrrp_instances.iter().flat_map(|i| {
        notify([
            &i.notify_master,
            &i.notify_backup,
            &i.notify_fault,
            &i.notify_stop,
            &i.notify,
        ])
    });
    let grp = cfg.vrrp_sync_groups.iter().flat_map(|g| {
        notify([
            &g.notify_master,
            &g.notify_backup,
            &g.notify_fault,
            &g.notify_stop,
            &g.notify,
        ])
    });
    tracked
        .chain(inst)
        .chain(grp)
        .filter_map(|a| insecure_program(&a))
        .map(|p| {
            format!(
                "Unsafe permissions found for script '{}' - disabling.",
                p.display()
            )
        })
        .collect()
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

/// `track_backend NAME [min N] [weight W]`: a tandem-only tracker for `tandem run` (the
/// proxy engine is in the same process). Fewer than `min` (default 1) usable servers in
/// the backend fail it: FAULT without a weight, the weight added to the priority with one
/// (as a failing `track_script` with that weight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackBackend {
    pub backend: String,
    pub min: usize,
    pub weight: Option<i32>,
}

fn track_backends(inst: &ir::VrrpInstance) -> Vec<TrackBackend> {
    inst.other
        .iter()
        .filter(|(k, _)| k == "track_backend")
        .filter_map(|(_, a)| {
            let mut t = TrackBackend {
                backend: a.first()?.clone(),
                min: 1,
                weight: None,
            };
            let mut it = a.iter().skip(1);
            while let Some(k) = it.next() {
                let v = it.next()?;
                match k.as_str() {
                    "min" => t.min = v.parse().ok()?,
                    "weight" => t.weight = Some(v.parse::<i32>().ok()?.clamp(-254, 254)),
                    _ => return None,
                }
            }
            Some(t)
        })
        .collect()
}

/// RFC 5798 Accept_Mode as keepalived 2.2.7 sets it: `accept` / `no_accept` (the last one
/// given), else on unless strict; strict mode with VRRPv2 resets `accept` (measured: "(VI_1)
/// warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting").
fn accept_mode(inst: &ir::VrrpInstance, strict: bool, version: Version) -> bool {
    let given = inst.other.iter().rev().find_map(|(k, _)| match k.as_str() {
        "accept" => Some(true),
        "no_accept" => Some(false),
        _ => None,
    });
    let accept = given.unwrap_or(!strict);
    accept && !(strict && version == Version::V2)
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
    let all_groups = groups(cfg);
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
            return Err(FromIrError::Vmac {
                file: inst.src.file.clone(),
                line: inst.src.line,
                name,
            });
        }
        let group = cfg.vrrp_sync_groups.iter().find(|g| {
            all_groups
                .iter()
                .any(|p| p.name == g.name && p.members.contains(&name))
        });
        let routes: Vec<RoutePlan> = inst
            .virtual_routes
            .iter()
            .map(|r| parse_route(&name, &r.words))
            .collect::<Result<_, _>>()?;
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
        // keepalived's start-up resets (the checker prints the same as warnings):
        // `vrrp_strict` / `strict_mode` ignores authentication, makes the initial state
        // follow address ownership and drops preempt_delay; an initial MASTER state clears
        // nopreempt and preempt_delay, priority 255 clears nopreempt.
        let strict = g.vrrp_strict || inst.strict_mode;
        let owner = inst.priority == 255;
        let initial_master = if strict {
            owner
        } else {
            inst.state == ir::State::Master
        };
        let nopreempt = inst.nopreempt && !owner && !initial_master;
        let keep_delay = !strict && !initial_master && !nopreempt;
        let auth = match &inst.authentication {
            _ if strict => Auth::None,
            // "Authentication specified but no password given. Ignoring"
            Some(a) if a.auth_type == Some(AuthType::Pass) && a.auth_pass.is_none() => Auth::None,
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
        core.initial_state = if initial_master {
            InitialState::Master
        } else {
            InitialState::Backup
        };
        core.nopreempt = nopreempt;
        core.preempt_delay = inst
            .preempt_delay
            .filter(|d| keep_delay && d.is_finite() && *d > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(Duration::ZERO);
        core.higher_prio_send_advert = flag(inst, g, "higher_prio_send_advert");
        core.lower_prio_no_advert = flag(inst, g, "lower_prio_no_advert");
        core.skip_check_adv_addr = inst.skip_check_adv_addr || g.vrrp_skip_check_adv_addr;
        core.auth = auth;
        core.vips = vips_in.iter().map(|v| v.addr).collect();
        core.unicast_peers = peers;
        // The instance's `check_unicast_src` or the global `vrrp_check_unicast_src`.
        core.check_unicast_src = flag(inst, g, "check_unicast_src");
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
        // In a sync group keepalived ignores weighted tracking ("(VI_1) ignoring tracked
        // script chk with weights due to SYNC group") and adds the group's own tracking to
        // every member as FAULT-only.
        let in_group = group.is_some();
        for t in &inst.track_interface {
            let weight = t.weight.filter(|w| *w != 0);
            if in_group && weight.is_some() {
                continue;
            }
            track_ifaces.push(TrackIf {
                name: t.name.clone(),
                weight,
                reverse: t.weight_reverse,
            });
        }
        let mut track_scripts: Vec<TrackScriptRef> = inst
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
            .filter(|t| !in_group || t.weight == 0)
            .collect();
        let mut track_files: Vec<TrackFileRef> = inst
            .track_file
            .iter()
            .filter_map(|t| {
                let f = cfg.track_files.iter().find(|f| f.name == t.name)?;
                Some(TrackFileRef {
                    name: t.name.clone(),
                    weight: t.weight.unwrap_or(f.weight),
                    reverse: if t.weight.is_some() {
                        t.weight_reverse
                    } else {
                        f.weight_reverse
                    },
                })
            })
            .filter(|t| !in_group || t.weight == 0)
            .collect();
        // keepalived finds the first vrrp_track_process of that name. Unlike weighted
        // scripts and files, keepalived 2.2.7 says nothing about weighted track_process
        // entries of a sync group member (measured with -t), so they are kept (inferred:
        // not measured at run time).
        let mut track_processes: Vec<TrackScriptRef> = inst
            .track_process
            .iter()
            .filter_map(|t| {
                let p = cfg.track_processes.iter().find(|p| p.name == t.name)?;
                Some(TrackScriptRef {
                    name: t.name.clone(),
                    weight: t.weight.unwrap_or(p.weight),
                    reverse: if t.weight.is_some() {
                        t.weight_reverse
                    } else {
                        p.weight_reverse
                    },
                })
            })
            .collect();
        if let Some(g) = group {
            for t in &g.track_process {
                if cfg.track_processes.iter().any(|p| p.name == t.name) {
                    track_processes.push(TrackScriptRef {
                        name: t.name.clone(),
                        weight: 0,
                        reverse: false,
                    });
                }
            }
            for t in &g.track_interface {
                track_ifaces.push(TrackIf {
                    name: t.name.clone(),
                    weight: None,
                    reverse: false,
                });
            }
            for t in &g.track_script {
                if cfg.vrrp_scripts.iter().any(|s| s.name == t.name) {
                    track_scripts.push(TrackScriptRef {
                        name: t.name.clone(),
                        weight: 0,
                        reverse: false,
                    });
                }
            }
            for t in &g.track_file {
                if cfg.track_files.iter().any(|f| f.name == t.name) {
                    track_files.push(TrackFileRef {
                        name: t.name.clone(),
                        weight: 0,
                        reverse: false,
                    });
                }
            }
        }
        // `unicast_ttl` (unicast only; multicast adverts are always sent with TTL 255).
        let send_ttl = if core.unicast_peers.is_empty() {
            255
        } else {
            inst.other
                .iter()
                .rev()
                .find(|(k, _)| k == "unicast_ttl")
                .and_then(|(_, v)| v.first()?.parse().ok())
                .unwrap_or(255)
        };
        out.push(Plan {
            core,
            interface: iface,
            vips,
            src_configured: configured_src.is_some(),
            send_ttl,
            block_vips: !owner && !accept_mode(inst, strict, version),
            track_backends: track_backends(inst),
            notify: Notify::of(
                cfg,
                [
                    &inst.notify_master,
                    &inst.notify_backup,
                    &inst.notify_fault,
                    &inst.notify_stop,
                    &inst.notify,
                ],
            ),
            track_ifaces,
            track_scripts,
            track_files,
            track_processes,
            routes,
            sync_group: group.map(|g| g.name.clone()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ir::Config {
        // Tests run in parallel: one file each, and only that file is removed (removing the
        // shared directory made another test read an empty config now and then).
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tandem-h9-fromir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join(format!("{n}.conf"));
        std::fs::write(&f, text).unwrap();
        let out = crate::config::keepalived::check_file(
            f.to_str().unwrap(),
            &crate::config::keepalived::Options::default(),
        );
        let _ = std::fs::remove_file(&f);
        let _ = std::fs::remove_dir(&dir);
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

    /// `enable_script_security`: a script others can write is neither tracked nor called as
    /// notify, with keepalived 2.2.7's start-up line (measured: `Unsafe permissions found
    /// for script '/tmp/sec/ok.sh' - disabling.`, once per use); /bin/true (root, 0755) runs.
    #[test]
    fn script_security_disables_insecure_scripts() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("tdm-scrsec-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let bad = dir.join("bad.sh");
        let _ = std::fs::write(&bad, "#!/bin/sh\nexit 0\n");
        let _ = std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o777));
        let text = |security: &str| {
            format!(
                "global_defs {{\n {security}\n script_user root\n}}\n\
                 vrrp_script bad {{\n script \"{b}\"\n}}\n\
                 vrrp_script good {{\n script /bin/true\n}}\n\
                 vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 1\n priority 100\n\
                 notify_master \"{b} m\"\n notify /bin/true\n\
                 virtual_ipaddress {{\n 192.0.2.100/24\n }}\n track_script {{\n bad\n good\n }}\n}}\n",
                b = bad.display()
            )
        };
        let c = parse(&text("enable_script_security"));
        let names: Vec<String> = scripts(&c).into_iter().map(|s| s.name).collect();
        let p = plan(&c, &primary).unwrap();
        let lines = insecure_script_lines(&c);
        let c_off = parse(&text(""));
        let names_off: Vec<String> = scripts(&c_off).into_iter().map(|s| s.name).collect();
        let p_off = plan(&c_off, &primary).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(names, ["good"]);
        assert_eq!(p[0].notify.master, None);
        assert_eq!(p[0].notify.generic, Some(vec!["/bin/true".to_string()]));
        let line = format!(
            "Unsafe permissions found for script '{}' - disabling.",
            bad.display()
        );
        assert_eq!(lines, vec![line.clone(), line]);
        // Without it (keepalived only warns at check time), everything runs.
        assert_eq!(names_off, ["bad", "good"]);
        assert!(p_off[0].notify.master.is_some());
        assert!(insecure_script_lines(&c_off).is_empty());
    }

    /// AH authentication is refused at start with a clear error (tandem does not implement
    /// IPsec AH); `check_unicast_src` works per instance as well as globally.
    #[test]
    fn ah_rejected_and_check_unicast_src_forms() {
        let ah = parse(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             authentication {\n auth_type AH\n auth_pass 1111\n }\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        assert_eq!(
            plan(&ah, &primary).err().map(|e| e.to_string()).as_deref(),
            Some("(VI_1) authentication type AH is not supported by tandem; use PASS or none")
        );
        let uni = |inst_kw: &str, global_kw: &str| {
            let c = parse(&format!(
                "global_defs {{\n {global_kw}\n}}\n\
                 vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 1\n priority 100\n\
                 {inst_kw}\n unicast_src_ip 192.0.2.11\n unicast_peer {{\n 192.0.2.12\n }}\n\
                 virtual_ipaddress {{\n 192.0.2.100/24\n }}\n}}\n"
            ));
            plan(&c, &primary).map(|p| p[0].core.check_unicast_src).ok()
        };
        assert_eq!(uni("", ""), Some(false));
        assert_eq!(uni("check_unicast_src", ""), Some(true));
        assert_eq!(uni("", "vrrp_check_unicast_src"), Some(true));
    }

    /// keepalived 2.2.7's start-up resets, as its checker reports them: `vrrp_strict` -> no
    /// authentication ("Strict mode does not support authentication. Ignoring."), the state
    /// follows ownership ("State MASTER must match being address owner"), no preempt_delay;
    /// an initial MASTER clears nopreempt and preempt_delay; priority 255 clears nopreempt.
    #[test]
    fn strict_mode_and_keepalived_resets() {
        let conf = |global: &str, state: &str, prio: u8, extra: &str| {
            let c = parse(&format!(
                "global_defs {{\n {global}\n}}\n\
                 vrrp_instance VI_1 {{\n interface eth0\n state {state}\n virtual_router_id 1\n\
                 priority {prio}\n {extra}\n authentication {{\n auth_type PASS\n auth_pass 1111\n }}\n\
                 virtual_ipaddress {{\n 192.0.2.100/24\n }}\n}}\n"
            ));
            let p = plan(&c, &primary).unwrap();
            let k = &p[0].core;
            (
                k.initial_state == InitialState::Master,
                k.auth == Auth::None,
                k.nopreempt,
                k.preempt_delay,
            )
        };
        let zero = Duration::ZERO;
        let five = Duration::from_secs(5);
        assert_eq!(
            conf("vrrp_strict", "MASTER", 100, "preempt_delay 5"),
            (false, true, false, zero)
        );
        assert_eq!(
            conf("vrrp_strict", "BACKUP", 255, ""),
            (true, true, false, zero)
        );
        assert_eq!(
            conf("", "BACKUP", 100, "preempt_delay 5"),
            (false, false, false, five)
        );
        assert_eq!(
            conf("", "MASTER", 100, "nopreempt"),
            (true, false, false, zero)
        );
        assert_eq!(
            conf("", "BACKUP", 255, "nopreempt"),
            (false, false, false, zero)
        );
        assert_eq!(
            conf("", "BACKUP", 100, "nopreempt"),
            (false, false, true, zero)
        );
        assert_eq!(
            conf("", "BACKUP", 100, "nopreempt\n preempt_delay 5"),
            (false, false, true, zero)
        );
    }

    /// Who scripts run as: the vrrp_script's `user`, else `script_user` (notify scripts
    /// too), else `keepalived_script` if it exists, else the engine's own user.
    #[test]
    fn script_users() {
        let Some(nobody) = sys::user("nobody") else {
            return;
        };
        let root = sys::user("root").map(|(u, _)| (u, 0));
        let text = |global: &str, own: &str| {
            format!(
                "global_defs {{\n {global}\n}}\n\
                 vrrp_script chk {{\n script /bin/true\n {own}\n}}\n\
                 vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 1\n priority 100\n\
                 notify /bin/true\n track_script {{\n chk\n }}\n\
                 virtual_ipaddress {{\n 192.0.2.100/24\n }}\n}}\n"
            )
        };
        let ids = |t: String| {
            let c = parse(&t);
            let s = scripts(&c).first().and_then(|s| s.ids);
            let n = plan(&c, &primary).ok().and_then(|p| p[0].notify.ids);
            (s, n)
        };
        assert_eq!(
            ids(text("script_user nobody", "")),
            (Some(nobody), Some(nobody))
        );
        assert_eq!(
            ids(text("script_user root", "user nobody")),
            (Some(nobody), root)
        );
        assert_eq!(
            ids(text("script_user nobody root", "")),
            (Some((nobody.0, 0)), Some((nobody.0, 0)))
        );
        if sys::user("keepalived_script").is_none() {
            assert_eq!(ids(text("", "")), (None, None));
            // enable_script_security with nobody to run as: no notify script at all (the
            // config check already removed the vrrp_script: "Unable to set default user
            // for vrrp script chk - removing").
            let c = parse(&text("enable_script_security", ""));
            assert_eq!(
                plan(&c, &primary).ok().map(|p| p[0].notify.generic.clone()),
                Some(None)
            );
            assert!(scripts(&c).is_empty());
            assert_eq!(
                insecure_script_lines(&c),
                ["Failed to set default user for notify script /bin/true - ignoring"]
            );
        }
    }

    /// A notify script's own `USER [GROUP]` (keepalived 2.2.7, measured: the words after
    /// the command; the scripts ran as `uid=65534(nobody) gid=65534(nogroup)` and
    /// `uid=1(daemon) gid=1(daemon)`, and a missing user dropped the script with two log
    /// lines).
    #[test]
    fn notify_script_own_user() {
        let (Some(nobody), Some(daemon), Some(nogroup)) = (
            sys::user("nobody"),
            sys::user("daemon"),
            sys::group("nogroup"),
        ) else {
            return;
        };
        let t = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
                 notify_backup \"/tmp/who.sh backup\" nobody\n\
                 notify_master \"/tmp/who.sh master\" nobody nogroup\n\
                 notify_fault /tmp/who.sh daemon\n\
                 notify_stop \"/tmp/who.sh stop\" nosuchuser\n\
                 notify \"/tmp/who.sh generic\" daemon nosuchgrp\n\
                 virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n";
        let c = parse(t);
        let i = &c.vrrp_instances[0];
        let m = i.notify_master.as_ref().map(|s| {
            (
                s.args.clone(),
                s.user.clone().unwrap_or_default(),
                s.group.clone().unwrap_or_default(),
            )
        });
        assert_eq!(
            m,
            Some((
                vec!["/tmp/who.sh".to_string(), "master".to_string()],
                "nobody".to_string(),
                "nogroup".to_string()
            ))
        );
        let p = plan(&c, &primary).unwrap_or_default();
        let n = &p[0].notify;
        assert_eq!(n.ids_for(1), Some(nobody));
        assert_eq!(n.ids_for(0), Some((nobody.0, nogroup)));
        // Unquoted: the word after the command is the user, not an argument.
        assert_eq!(n.fault.as_deref(), Some(&["/tmp/who.sh".to_string()][..]));
        assert_eq!(n.ids_for(2), Some(daemon));
        assert_eq!(n.stop, None, "unknown user: dropped");
        assert_eq!(n.generic, None, "unknown group: dropped");
        assert_eq!(
            notify_user_lines(&c),
            [
                "Script user 'nosuchuser' does not exist",
                "Invalid user/group for notify script /tmp/who.sh - ignoring",
                "Script group 'nosuchgrp' does not exist",
                "Invalid user/group for notify script /tmp/who.sh - ignoring",
            ]
        );
    }

    #[test]
    fn track_backend_extension() {
        let c = parse(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             track_backend be_app min 2 weight -30\n track_backend be_db\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        let p = plan(&c, &primary).unwrap_or_default();
        assert_eq!(
            p[0].track_backends,
            [
                TrackBackend {
                    backend: "be_app".into(),
                    min: 2,
                    weight: Some(-30)
                },
                TrackBackend {
                    backend: "be_db".into(),
                    min: 1,
                    weight: None
                }
            ]
        );
    }

    /// `unicast_ttl` sets the TTL of unicast adverts; multicast ones keep 255.
    #[test]
    fn unicast_ttl_for_sent_adverts() {
        let ttl = |extra: &str| {
            let c = parse(&format!(
                "vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 1\n priority 100\n\
                 {extra}\n virtual_ipaddress {{\n 192.0.2.100/24\n }}\n}}\n"
            ));
            plan(&c, &primary).map(|p| p[0].send_ttl).ok()
        };
        let uni = "unicast_src_ip 192.0.2.11\n unicast_peer {\n 192.0.2.12\n }";
        assert_eq!(ttl(uni), Some(255));
        assert_eq!(ttl(&format!("{uni}\n unicast_ttl 10")), Some(10));
        assert_eq!(ttl("unicast_ttl 10"), Some(255));
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

    #[test]
    fn sync_groups_tracking_and_routes() {
        let c = parse(
            "vrrp_script chk {\n script /bin/true\n weight -20\n}\n\
             track_file tf {\n file /tmp/x\n weight 5\n}\n\
             vrrp_sync_group VG_1 {\n group {\n VI_1\n VI_2\n NOPE\n }\n track_script {\n chk\n }\n\
             notify \"/bin/echo g\"\n}\n\
             vrrp_sync_group VG_2 {\n group {\n VI_3\n }\n}\n\
             vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             track_script {\n chk weight 10\n }\n track_file {\n tf\n }\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n\
             virtual_routes {\n 198.51.100.0/24 via 192.0.2.1 dev eth0 metric 5 table 100\n blackhole 203.0.113.0/24\n }\n}\n\
             vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 2\n priority 100\n\
             virtual_ipaddress {\n 192.0.2.101/24\n }\n}\n\
             vrrp_instance VI_3 {\n interface eth0\n virtual_router_id 3\n priority 100\n\
             track_file {\n tf\n }\n virtual_ipaddress {\n 192.0.2.102/24\n }\n}\n",
        );
        let g = groups(&c);
        assert_eq!(g.len(), 1, "a group of one is dropped, as keepalived");
        assert_eq!(g[0].members, ["VI_1", "VI_2"], "unknown members ignored");
        assert_eq!(g[0].notify.generic.as_deref().map(|a| a.len()), Some(2));
        let p = plan(&c, &primary).unwrap();
        assert_eq!(p[0].sync_group.as_deref(), Some("VG_1"));
        assert_eq!(p[2].sync_group, None);
        // The weighted track_script of VI_1 is ignored in a group; the group's is FAULT-only.
        assert_eq!(
            p[0].track_scripts,
            [TrackScriptRef {
                name: "chk".into(),
                weight: 0,
                reverse: false
            }]
        );
        assert_eq!(p[1].track_scripts.len(), 1);
        assert!(
            p[0].track_files.is_empty(),
            "weighted track_file ignored in a group"
        );
        assert_eq!(
            p[2].track_files,
            [TrackFileRef {
                name: "tf".into(),
                weight: 5,
                reverse: false
            }]
        );
        assert_eq!(track_files(&c).len(), 1);
        let r = &p[0].routes;
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].gateway, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(r[0].dev.as_deref(), Some("eth0"));
        assert_eq!((r[0].metric, r[0].table, r[0].kind), (Some(5), 100, 1));
        assert_eq!((r[1].kind, r[1].prefix), (6, 24));
    }

    #[test]
    fn route_forms() {
        let w = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let r = parse_route("VI_1", &w("10.0.0.0/8 src 192.0.2.100 dev eth0")).unwrap();
        assert_eq!(r.src, Some("192.0.2.100".parse().unwrap()));
        assert_eq!(r.gateway, None);
        let r = parse_route("VI_1", &w("default via 192.0.2.1")).unwrap();
        assert_eq!(r.prefix, 0);
        let r = parse_route("VI_1", &w("2001:db8::/32 via inet6 fe80::1 dev eth0")).unwrap();
        assert_eq!(r.prefix, 32);
        assert!(matches!(
            parse_route("VI_1", &w("10.0.0.0/8 via 2001:db8::1")),
            Err(FromIrError::BadRoute { .. })
        ));
        assert!(matches!(
            parse_route("VI_1", &w("10.0.0.0/8 nexthop via 192.0.2.1")),
            Err(FromIrError::RouteOption { .. })
        ));
        assert!(parse_route("VI_1", &w("10.0.0.0/33")).is_err());
    }

    #[test]
    fn vmac_is_rejected_with_its_line() {
        let c = parse(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n use_vmac\n\
             virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        let e = plan(&c, &primary).unwrap_err().to_string();
        assert!(
            e.contains("Line 1) (VI_1) use_vmac is not supported by tandem"),
            "{e}"
        );
    }

    #[test]
    fn track_process_refs() {
        let c = parse(
            "vrrp_track_process tp {\n process sleep\n weight 7\n}\n\
             vrrp_track_process tp0 {\n process sshd\n}\n\
             vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             track_process {\n tp\n tp0 weight 3 reverse\n }\n virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        let p = plan(&c, &primary).unwrap();
        assert_eq!(
            p[0].track_processes,
            [
                TrackScriptRef {
                    name: "tp".into(),
                    weight: 7,
                    reverse: false
                },
                TrackScriptRef {
                    name: "tp0".into(),
                    weight: 3,
                    reverse: true
                }
            ]
        );
        let t = track_processes(&c);
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].process.as_str(), t[0].quorum, t[0].quorum_max),
            ("sleep", 1, u32::MAX)
        );
    }
}
