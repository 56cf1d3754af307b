//! keepalived's JSON dump (`vrrp_json.c`): on SIGJSON (SIGRTMIN+2, signal 36 with glibc:
//! `keepalived --signum=JSON` prints 36) keepalived 2.2.7 writes /tmp/keepalived.json, one
//! compact line: an array with one object per instance, `{"data":{...},"stats":{...}}`.
//! Field order, number formats (`%u`, `%g` for the intervals, `%f` for the last
//! transition) and string escapes (`/` as `\/`) are keepalived 2.2.7's, measured in a
//! network namespace (see the test). Fields tandem has no notion of carry keepalived's
//! default for a plain configuration (`vmac_ifname` empty, `promote_secondaries` false,
//! ...).

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use super::InstView;
use crate::ir::keepalived as ir;
use crate::vrrp::packet::{Auth, Version};
use crate::vrrp::state::State;

pub const JSON_FILE: &str = "/tmp/keepalived.json";

/// keepalived's `jsonw_puts`: the usual escapes, and `/` escaped too.
fn string(o: &mut String, s: &str) {
    o.push('"');
    for c in s.chars() {
        match c {
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\u{c}' => o.push_str("\\f"),
            '\u{8}' => o.push_str("\\b"),
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '/' => o.push_str("\\/"),
            c => o.push(c),
        }
    }
    o.push('"');
}

/// C's `%g`: 6 significant digits, trailing zeros dropped.
fn g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let e = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&e) {
        return format!("{x:e}");
    }
    let decimals = usize::try_from(5 - e).unwrap_or(0);
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A JSON object under construction, with keepalived's `jsonw_*_field` helpers.
struct Obj<'a> {
    o: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn new(o: &'a mut String) -> Self {
        o.push('{');
        Obj { o, first: true }
    }

    fn name(&mut self, name: &str) {
        if !self.first {
            self.o.push(',');
        }
        self.first = false;
        string(self.o, name);
        self.o.push(':');
    }

    fn raw(&mut self, name: &str, v: impl std::fmt::Display) {
        self.name(name);
        let _ = write!(self.o, "{v}");
    }

    fn str(&mut self, name: &str, v: &str) {
        self.name(name);
        string(self.o, v);
    }

    fn array(&mut self, name: &str, items: &[String]) {
        // vrrp_json_array_dump: an empty list is left out
        if items.is_empty() {
            return;
        }
        self.name(name);
        self.o.push('[');
        for (k, it) in items.iter().enumerate() {
            if k > 0 {
                self.o.push(',');
            }
            string(self.o, it);
        }
        self.o.push(']');
    }

    fn end(self) {
        self.o.push('}');
    }
}

fn secs(d: Duration) -> String {
    g(d.as_secs_f64())
}

/// keepalived's `cmd_str`: the words of the command, space separated.
fn cmd(words: &[String]) -> String {
    words.join(" ")
}

/// The JSON dump of the running instances. `scripts`: each `vrrp_script`'s name and
/// command (`track_script` lists the commands, as keepalived).
pub fn json(
    g_defs: &ir::GlobalDefs,
    insts: &[InstView<'_>],
    scripts: &[(String, String)],
) -> String {
    let mut o = String::from("[");
    for (k, v) in insts.iter().enumerate() {
        if k > 0 {
            o.push(',');
        }
        let c = &v.plan.core;
        let i = v.inst;
        let mut top = Obj::new(&mut o);
        top.name("data");
        let mut d = Obj::new(top.o);
        d.str("iname", &c.name);
        d.raw("dont_track_primary", 0);
        d.raw("skip_check_adv_addr", u8::from(c.skip_check_adv_addr));
        d.raw("strict_mode", u8::from(g_defs.vrrp_strict));
        d.str("vmac_ifname", "");
        d.str("ifp_ifname", &v.plan.interface);
        let master = i.state() == State::Master;
        d.raw(
            "master_priority",
            if master { 0 } else { i.master_priority() },
        );
        let lt = v
            .last_transition
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .unwrap_or(Duration::ZERO);
        d.raw(
            "last_transition",
            format!("{}.{:06}", lt.as_secs(), lt.subsec_micros()),
        );
        d.raw("garp_delay", secs(c.garp_master_delay));
        d.raw("garp_refresh", c.garp_master_refresh.as_secs());
        d.raw("garp_rep", c.garp_master_repeat);
        d.raw("garp_refresh_rep", c.garp_master_refresh_repeat);
        d.raw("garp_lower_prio_delay", c.garp_lower_prio_delay.as_secs());
        d.raw("garp_lower_prio_rep", c.garp_lower_prio_repeat);
        d.raw("lower_prio_no_advert", u8::from(c.lower_prio_no_advert));
        d.raw(
            "higher_prio_send_advert",
            u8::from(c.higher_prio_send_advert),
        );
        d.raw("vrid", c.vrid);
        d.raw("base_priority", i.base_priority());
        d.raw("effective_priority", i.effective_priority());
        d.raw("vipset", master);
        d.raw("promote_secondaries", false);
        d.raw("adver_int", secs(c.advert_interval));
        let mai = i.master_adver_interval();
        d.raw(
            "master_adver_int",
            secs(if mai.is_zero() {
                c.advert_interval
            } else {
                mai
            }),
        );
        // keepalived accepts packets to the VIPs unless vrrp_strict (without `accept`)
        d.raw("accept", u8::from(!g_defs.vrrp_strict));
        d.raw("nopreempt", c.nopreempt);
        d.raw("preempt_delay", c.preempt_delay.as_secs());
        let st = match i.state() {
            State::Initialize => 0,
            State::Backup => 1,
            State::Master => 2,
            State::Fault => 3,
        };
        d.raw("state", st);
        d.raw("wantstate", st);
        d.raw("version", if c.version == Version::V3 { 3 } else { 2 });
        d.raw("smtp_alert", false);
        d.raw("notify_deleted", false);
        let n = &v.plan.notify;
        for (name, s) in [
            ("script_backup", &n.backup),
            ("script_master", &n.master),
            ("script_fault", &n.fault),
            ("script_stop", &n.stop),
            ("script", &n.generic),
        ] {
            if let Some(a) = s {
                d.str(name, &cmd(a));
            }
        }
        let set = if master { " set" } else { "" };
        let n_in = c.vips.len().min(v.plan.vips.len());
        let (vin, vex) = v.plan.vips.split_at(n_in);
        let fmt_vips = |list: &[crate::vrrp::from_ir::Vip]| -> Vec<String> {
            list.iter()
                .map(|a| {
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
                    format!(
                        "{}/{} dev {} scope {scope}{label}{set}",
                        a.addr, a.prefix, a.dev
                    )
                })
                .collect()
        };
        d.array("vips", &fmt_vips(vin));
        d.array("evips", &fmt_vips(vex));
        let routes: Vec<String> = v.plan.routes.iter().map(|r| r.text.clone()).collect();
        d.array("vroutes", &routes);
        // the instance's own interface is tracked implicitly and not listed
        let ifs: Vec<String> = v
            .plan
            .track_ifaces
            .iter()
            .enumerate()
            .filter(|(k, t)| !(*k == 0 && t.name == v.plan.interface && t.weight.is_none()))
            .map(|(_, t)| t.name.clone())
            .collect();
        d.array("track_ifp", &ifs);
        let tscripts: Vec<String> = v
            .plan
            .track_scripts
            .iter()
            .map(|t| {
                scripts
                    .iter()
                    .find(|(n, _)| *n == t.name)
                    .map_or_else(|| t.name.clone(), |(_, c)| c.clone())
            })
            .collect();
        d.array("track_script", &tscripts);
        let procs: Vec<String> = v
            .plan
            .track_processes
            .iter()
            .map(|t| t.name.clone())
            .collect();
        d.array("track_process", &procs);
        match c.auth {
            Auth::Pass(p) => {
                d.raw("auth_type", 1);
                let text = p.split(|b| *b == 0).next().unwrap_or(&[]);
                d.str("auth_data", &String::from_utf8_lossy(text));
            }
            _ => d.raw("auth_type", 0),
        }
        d.end();
        top.name("stats");
        let s = i.stats();
        let mut so = Obj::new(top.o);
        for (name, val) in [
            ("advert_rcvd", s.advert_rcvd),
            ("advert_sent", s.advert_sent),
            ("become_master", s.become_master),
            ("release_master", s.release_master),
            ("packet_len_err", s.packet_len_err),
            ("advert_interval_err", s.advert_interval_err),
            ("ip_ttl_err", s.ip_ttl_err),
            ("invalid_type_rcvd", s.invalid_type_rcvd),
            ("addr_list_err", s.addr_list_err),
            ("invalid_authtype", s.invalid_authtype),
            ("authtype_mismatch", s.authtype_mismatch),
            ("auth_failure", s.auth_failure),
            ("pri_zero_rcvd", s.pri_zero_rcvd),
            ("pri_zero_sent", s.pri_zero_sent),
        ] {
            so.raw(name, val);
        }
        so.end();
        top.end();
    }
    o.push(']');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_are_cs() {
        assert_eq!(g(5.0), "5");
        assert_eq!(g(1.0), "1");
        assert_eq!(g(0.5), "0.5");
        assert_eq!(g(0.01), "0.01");
        assert_eq!(g(123.4567), "123.457");
    }

    /// keepalived 2.2.7's /tmp/keepalived.json for this configuration (measured in a
    /// network namespace, veth0 10.9.9.1/24, after SIGRTMIN+2), with the instance still
    /// BACKUP: the MASTER-only values (state 2, vipset, " set", the sent advert) are put
    /// back to a BACKUP's and the transition time is masked.
    #[test]
    fn layout_is_keepalived_227s() {
        let text = "vrrp_instance VI_1 {\n state BACKUP\n interface veth0\n virtual_router_id 51\n priority 100\n advert_int 1\n authentication {\n auth_type PASS\n auth_pass secret\n }\n virtual_ipaddress {\n 10.9.9.100/24\n }\n}\n";
        let dir = std::env::temp_dir().join(format!("tandem-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let f = dir.join("k.conf");
        std::fs::write(&f, text).unwrap_or_else(|e| panic!("{e}"));
        let out = crate::config::keepalived::check_file(
            &f.to_string_lossy(),
            &crate::config::keepalived::Options::default(),
        );
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = out.config;
        let primary = |_: &str, _: bool| "10.9.9.1".parse().ok();
        let plans = crate::vrrp::from_ir::plan(&cfg, &primary).unwrap_or_else(|e| panic!("{e}"));
        let plan = plans.first().unwrap_or_else(|| panic!("no plan"));
        let mut inst = crate::vrrp::state::Instance::new(plan.core.clone())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let _ = inst.startup(Duration::ZERO);
        let views = [InstView {
            plan,
            inst: &inst,
            fds: None,
            last_transition: None,
            read_timeout: None,
        }];
        let got = json(&cfg.global, &views, &[]);
        let want = r#"[{"data":{"iname":"VI_1","dont_track_primary":0,"skip_check_adv_addr":0,"strict_mode":0,"vmac_ifname":"","ifp_ifname":"veth0","master_priority":0,"last_transition":0.000000,"garp_delay":5,"garp_refresh":0,"garp_rep":5,"garp_refresh_rep":1,"garp_lower_prio_delay":5,"garp_lower_prio_rep":5,"lower_prio_no_advert":0,"higher_prio_send_advert":0,"vrid":51,"base_priority":100,"effective_priority":100,"vipset":false,"promote_secondaries":false,"adver_int":1,"master_adver_int":1,"accept":1,"nopreempt":false,"preempt_delay":0,"state":1,"wantstate":1,"version":2,"smtp_alert":false,"notify_deleted":false,"vips":["10.9.9.100\/24 dev veth0 scope global"],"auth_type":1,"auth_data":"secret"},"stats":{"advert_rcvd":0,"advert_sent":0,"become_master":0,"release_master":0,"packet_len_err":0,"advert_interval_err":0,"ip_ttl_err":0,"invalid_type_rcvd":0,"addr_list_err":0,"invalid_authtype":0,"authtype_mismatch":0,"auth_failure":0,"pri_zero_rcvd":0,"pri_zero_sent":0}}]"#;
        assert_eq!(got, want);
    }

    #[test]
    fn strings_escape_slashes() {
        let mut o = String::new();
        string(&mut o, "10.9.9.100/24 dev \"x\"");
        assert_eq!(o, r#""10.9.9.100\/24 dev \"x\"""#);
    }
}
