//! keepalived's signal dumps: SIGUSR2 writes the statistics to /tmp/keepalived.stats and
//! SIGUSR1 the data to /tmp/keepalived.data (both mode 0600, replaced each time). Layouts
//! copied from keepalived 2.2.7's files, measured in a network namespace; the data dump
//! carries the fields tandem has (keepalived prints many more about its own internals).

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::from_ir::{GroupPlan, Plan, TrackFilePlan};
use super::log::stamp;
use super::packet::{Auth, Version};
use super::state::{Instance, State};
use super::validate::Stats;
use crate::ir::keepalived as ir;

// Declared here so that the VRRP module list stays its owner's (src/vrrp/mod.rs).
#[path = "json.rs"]
pub mod json;

pub const STATS_FILE: &str = "/tmp/keepalived.stats";
/// keepalived's SIGJSON output.
pub const JSON_FILE: &str = "/tmp/keepalived.json";
pub const DATA_FILE: &str = "/tmp/keepalived.data";

/// One instance's block of the stats file. The last block ("Other Errors") is tandem's:
/// keepalived counts version, VRID and checksum errors only for SNMP.
pub fn stats_block(name: &str, s: &Stats) -> String {
    format!(
        "VRRP Instance: {name}\n  Advertisements:\n    Received: {}\n    Sent: {}\n  Became master: {}\n  Released master: {}\n  Packet Errors:\n    Length: {}\n    TTL: {}\n    Invalid Type: {}\n    Advertisement Interval: {}\n    Address List: {}\n  Authentication Errors:\n    Invalid Type: {}\n    Type Mismatch: {}\n    Failure: {}\n  Priority Zero:\n    Received: {}\n    Sent: {}\n  Other Errors:\n    Version: {}\n    VRID: {}\n    Checksum: {}\n",
        s.advert_rcvd,
        s.advert_sent,
        s.become_master,
        s.release_master,
        s.packet_len_err,
        s.ip_ttl_err,
        s.invalid_type_rcvd,
        s.advert_interval_err,
        s.addr_list_err,
        s.invalid_authtype,
        s.authtype_mismatch,
        s.auth_failure,
        s.pri_zero_rcvd,
        s.pri_zero_sent,
        s.vers_err,
        s.vrid_err,
        s.chk_err
    )
}

/// What the data dump shows of one running instance.
pub struct InstView<'a> {
    pub plan: &'a Plan,
    pub inst: &'a Instance,
    pub last_transition: Option<SystemTime>,
    /// Wall-clock time of the instance's next protocol timer.
    pub read_timeout: Option<SystemTime>,
}

fn time_line(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let full = stamp(d.as_secs());
    // "Sun Nov 22 02:10:54.672843 2026": the time of day gets the microseconds.
    let (head, year) = full.rsplit_once(' ').unwrap_or((&full, ""));
    format!(
        "{}.{:06} ({head}.{:06} {year})",
        d.as_secs(),
        d.subsec_micros(),
        d.subsec_micros()
    )
}

fn yes(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn script_line(args: &[String]) -> String {
    args.iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn data(
    g: &ir::GlobalDefs,
    insts: &[InstView<'_>],
    groups: &[(&GroupPlan, State)],
    files: &[(&TrackFilePlan, i64)],
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "------< Global definitions >------");
    let _ = writeln!(o, " Network namespace = (default)");
    if let Some(r) = &g.router_id {
        let _ = writeln!(o, " Router ID = {r}");
    }
    let _ = writeln!(
        o,
        " VRRP IPv4 mcast group = {}",
        g.vrrp_mcast_group4.as_deref().unwrap_or("224.0.0.18")
    );
    let _ = writeln!(
        o,
        " VRRP IPv6 mcast group = {}",
        g.vrrp_mcast_group6.as_deref().unwrap_or("ff02::12")
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP delay = {}",
        g.vrrp_garp_master_delay.unwrap_or(5)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP repeat = {}",
        g.vrrp_garp_master_repeat.unwrap_or(5)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP refresh timer = {}",
        g.vrrp_garp_master_refresh.unwrap_or(0)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP refresh repeat = {}",
        g.vrrp_garp_master_refresh_repeat.unwrap_or(1)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP interval = {:.6}",
        f64::from(g.vrrp_garp_interval_ms.unwrap_or(0)) / 1000.0
    );
    let _ = writeln!(
        o,
        " Gratuitous NA interval = {:.6}",
        f64::from(g.vrrp_gna_interval_ms.unwrap_or(0)) / 1000.0
    );
    let _ = writeln!(
        o,
        " VRRP default protocol version = {}",
        g.vrrp_version.unwrap_or(2)
    );
    let _ = writeln!(
        o,
        " VRRP skip check advert addresses = {}",
        yes(g.vrrp_skip_check_adv_addr)
    );
    let _ = writeln!(o, " VRRP strict mode = {}", yes(g.vrrp_strict));
    let _ = writeln!(
        o,
        " Script security {}",
        if g.enable_script_security {
            "enabled"
        } else {
            "disabled"
        }
    );
    let _ = writeln!(o, "------< VRRP Topology >------");
    for v in insts {
        let c = v.plan.core.clone();
        let i = v.inst;
        let _ = writeln!(o, " VRRP Instance = {}", c.name);
        let _ = writeln!(
            o,
            "   VRRP Version = {}",
            if c.version == Version::V3 { 3 } else { 2 }
        );
        if let Some(gname) = &v.plan.sync_group {
            let _ = writeln!(o, "   Sync group = {gname}");
        }
        let _ = writeln!(o, "   State = {}", i.state());
        if let Some(t) = v.last_transition {
            let _ = writeln!(o, "   Last transition = {}", time_line(t));
        }
        if let Some(t) = v.read_timeout {
            let _ = writeln!(o, "   Read timeout = {}", time_line(t));
        }
        let _ = writeln!(
            o,
            "   Master down timer = {} usecs",
            i.master_down_interval().as_micros()
        );
        let _ = writeln!(o, "   Interface = {}", v.plan.interface);
        let _ = writeln!(o, "   Using src_ip = {}", c.src_addr);
        if c.unicast_peers.is_empty() {
            let _ = writeln!(
                o,
                "   Multicast address {}",
                if c.is_ipv6() {
                    "ff02::12"
                } else {
                    "224.0.0.18"
                }
            );
        }
        let _ = writeln!(
            o,
            "   Gratuitous ARP delay = {}",
            c.garp_master_delay.as_secs()
        );
        let _ = writeln!(o, "   Gratuitous ARP repeat = {}", c.garp_master_repeat);
        let _ = writeln!(
            o,
            "   Gratuitous ARP refresh = {}",
            c.garp_master_refresh.as_secs()
        );
        let _ = writeln!(
            o,
            "   Gratuitous ARP refresh repeat = {}",
            c.garp_master_refresh_repeat
        );
        let _ = writeln!(
            o,
            "   Gratuitous ARP lower priority delay = {}",
            c.garp_lower_prio_delay.as_secs()
        );
        let _ = writeln!(
            o,
            "   Gratuitous ARP lower priority repeat = {}",
            c.garp_lower_prio_repeat
        );
        let _ = writeln!(o, "   Down timer adverts = {}", c.down_timer_adverts);
        let _ = writeln!(
            o,
            "   Send advert after receive lower priority advert = {}",
            yes(!c.lower_prio_no_advert)
        );
        let _ = writeln!(
            o,
            "   Send advert after receive higher priority advert = {}",
            yes(c.higher_prio_send_advert)
        );
        let _ = writeln!(o, "   Virtual Router ID = {}", c.vrid);
        let _ = writeln!(o, "   Priority = {}", i.base_priority());
        let _ = writeln!(o, "   Effective priority = {}", i.effective_priority());
        let _ = writeln!(o, "   Total priority = {}", i.effective_priority());
        let ai = c.advert_interval;
        if ai.subsec_millis() == 0 {
            let _ = writeln!(o, "   Advert interval = {} sec", ai.as_secs());
        } else {
            let _ = writeln!(o, "   Advert interval = {} milli-sec", ai.as_millis());
        }
        let _ = writeln!(
            o,
            "   Preempt = {}",
            if c.nopreempt { "disabled" } else { "enabled" }
        );
        if !c.preempt_delay.is_zero() {
            let _ = writeln!(
                o,
                "   Preempt delay = {} secs",
                c.preempt_delay.as_secs_f64()
            );
        }
        match c.auth {
            Auth::Pass(p) => {
                let text = p.split(|b| *b == 0).next().unwrap_or(&[]);
                let _ = writeln!(o, "   Authentication type = SIMPLE_PASSWORD");
                let _ = writeln!(o, "   Password = {}", String::from_utf8_lossy(text));
            }
            _ => {
                let _ = writeln!(o, "   Authentication type = none");
            }
        }
        if !c.unicast_peers.is_empty() {
            let _ = writeln!(o, "   Unicast Peer :");
            for p in &c.unicast_peers {
                let _ = writeln!(o, "     {p}");
            }
        }
        let n_in = c.vips.len();
        let (vin, vex) = v.plan.vips.split_at(n_in.min(v.plan.vips.len()));
        let set = if i.state() == State::Master {
            " set"
        } else {
            ""
        };
        for (title, list) in [("Virtual IP", vin), ("Virtual IP Excluded", vex)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(o, "   {title} ({}):", list.len());
            for a in list {
                let scope = match a.scope {
                    0 => "global".to_string(),
                    200 => "site".to_string(),
                    253 => "link".to_string(),
                    254 => "host".to_string(),
                    n => n.to_string(),
                };
                let label = a
                    .label
                    .as_ref()
                    .map(|l| format!(" label {l}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "     {}/{} dev {} scope {scope}{label}{set}",
                    a.addr, a.prefix, a.dev
                );
            }
        }
        if !v.plan.routes.is_empty() {
            let _ = writeln!(o, "   Virtual Routes :");
            for r in &v.plan.routes {
                let _ = writeln!(o, "     {}", r.text);
            }
        }
        // keepalived lists the configured track_interface entries, not its implicit
        // tracking of the instance's own interface.
        let listed: Vec<_> = v
            .plan
            .track_ifaces
            .iter()
            .enumerate()
            .filter(|(k, t)| !(*k == 0 && t.name == v.plan.interface && t.weight.is_none()))
            .map(|(_, t)| t)
            .collect();
        if !listed.is_empty() {
            let _ = writeln!(o, "   Tracked interfaces :");
            for t in listed {
                let _ = writeln!(
                    o,
                    "     {} weight {}{}",
                    t.name,
                    t.weight.unwrap_or(0),
                    if t.reverse { " reverse" } else { "" }
                );
            }
        }
        if !v.plan.track_scripts.is_empty() {
            let _ = writeln!(o, "   Tracked scripts :");
            for t in &v.plan.track_scripts {
                let _ = writeln!(
                    o,
                    "     {} weight {}{}",
                    t.name,
                    t.weight,
                    if t.reverse { " reverse" } else { "" }
                );
            }
        }
        if !v.plan.track_files.is_empty() {
            let _ = writeln!(o, "   Tracked files :");
            for t in &v.plan.track_files {
                let _ = writeln!(
                    o,
                    "     {}, weight {}{}",
                    t.name,
                    t.weight,
                    if t.reverse { " reverse" } else { "" }
                );
            }
        }
        let n = &v.plan.notify;
        for (title, s) in [
            ("Backup state transition script", &n.backup),
            ("Master state transition script", &n.master),
            ("Fault state transition script", &n.fault),
            ("Stop state transition script", &n.stop),
            ("Generic state transition script", &n.generic),
        ] {
            if let Some(a) = s {
                let _ = writeln!(o, "   {title} = {}, uid:gid 0:0", script_line(a));
            }
        }
    }
    if !groups.is_empty() {
        let _ = writeln!(o, "------< VRRP Sync groups >------");
        for (gp, st) in groups {
            let _ = writeln!(o, " VRRP Sync Group = {}, {st}", gp.name);
            let _ = writeln!(o, "   VRRP member instances :");
            for m in &gp.members {
                let _ = writeln!(o, "     {m}");
            }
            let n = &gp.notify;
            for (title, s) in [
                ("Backup state transition script", &n.backup),
                ("Master state transition script", &n.master),
                ("Fault state transition script", &n.fault),
                ("Stop state transition script", &n.stop),
                ("Generic state transition script", &n.generic),
            ] {
                if let Some(a) = s {
                    let _ = writeln!(o, "   {title} = {}, uid:gid 0:0", script_line(a));
                }
            }
        }
    }
    if !files.is_empty() {
        let _ = writeln!(o, "------< VRRP Track files >------");
        for (f, value) in files {
            let _ = writeln!(o, " Track file = {}", f.name);
            let _ = writeln!(o, "   File = {}", f.path);
            let _ = writeln!(o, "   Status = {value}");
            let _ = writeln!(o, "   Weight = {}", f.weight);
            let _ = writeln!(o, "   Tracking instances :");
            for v in insts {
                for t in v.plan.track_files.iter().filter(|t| t.name == f.name) {
                    let _ = writeln!(o, "     {}, weight {}", v.plan.core.name, t.weight);
                }
            }
        }
    }
    o
}

/// The instances for the proxy's `/metrics` under `tandem run`
/// ([`crate::proxy::stats::vrrp`]); the VRRP engine publishes it into the feed `tandem
/// run` shares with the proxy.
pub fn metrics(insts: &[InstView<'_>]) -> crate::proxy::stats::vrrp::VrrpSnapshot {
    insts
        .iter()
        .map(|v| {
            let s = v.inst.stats();
            crate::proxy::stats::vrrp::VrrpInstanceMetrics {
                instance: v.plan.core.name.clone(),
                vrid: v.plan.core.vrid,
                interface: v.plan.interface.clone(),
                state: match v.inst.state() {
                    State::Initialize => "INIT",
                    State::Backup => "BACKUP",
                    State::Master => "MASTER",
                    State::Fault => "FAULT",
                },
                base_priority: v.inst.base_priority(),
                effective_priority: v.inst.effective_priority(),
                become_master: s.become_master,
                release_master: s.release_master,
                advert_sent: s.advert_sent,
                advert_rcvd: s.advert_rcvd,
                pri_zero_sent: s.pri_zero_sent,
                pri_zero_rcvd: s.pri_zero_rcvd,
                dropped: vec![
                    ("packet_length", s.packet_len_err),
                    ("ttl", s.ip_ttl_err),
                    ("invalid_type", s.invalid_type_rcvd),
                    ("advert_interval", s.advert_interval_err),
                    ("address_list", s.addr_list_err),
                    ("auth_invalid_type", s.invalid_authtype),
                    ("auth_type_mismatch", s.authtype_mismatch),
                    ("auth_failure", s.auth_failure),
                    ("version", s.vers_err),
                    ("vrid", s.vrid_err),
                    ("checksum", s.chk_err),
                ],
            }
        })
        .collect()
}

/// Write a dump file as keepalived does: created 0600, truncated.
pub fn write_file(path: &str, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_block_has_keepalived_layout() {
        // keepalived 2.2.7's /tmp/keepalived.stats for VI_2 after a fault (measured), then
        // tandem's extra block.
        let s = Stats {
            advert_rcvd: 3,
            advert_sent: 86,
            become_master: 2,
            release_master: 1,
            pri_zero_sent: 1,
            chk_err: 4,
            ..Stats::default()
        };
        let want = "VRRP Instance: VI_2
  Advertisements:
    Received: 3
    Sent: 86
  Became master: 2
  Released master: 1
  Packet Errors:
    Length: 0
    TTL: 0
    Invalid Type: 0
    Advertisement Interval: 0
    Address List: 0
  Authentication Errors:
    Invalid Type: 0
    Type Mismatch: 0
    Failure: 0
  Priority Zero:
    Received: 0
    Sent: 1
  Other Errors:
    Version: 0
    VRID: 0
    Checksum: 4
";
        assert_eq!(stats_block("VI_2", &s), want);
    }

    #[test]
    fn time_line_layout() {
        // keepalived: "Last transition = 1795313454.672843 (Sun Nov 22 02:10:54.672843 2026)"
        let t = UNIX_EPOCH + Duration::from_micros(1_795_313_454_672_843);
        assert_eq!(
            time_line(t),
            "1795313454.672843 (Sun Nov 22 02:10:54.672843 2026)"
        );
    }
}
