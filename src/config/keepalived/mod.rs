//! keepalived.conf front end: reads a config the way keepalived 2.2.7 does
//! (`lexer`), runs its four parsing passes (`parser`) with the keyword
//! tables of `global`, `vrrp` and `lvs`, then the checks keepalived makes
//! once the file is read. The result is the IR plus keepalived's `-t`
//! output and exit code.

pub mod global;
pub mod lexer;
pub mod lvs;
#[cfg(test)]
mod oracle_cases;
#[cfg(test)]
mod oracle_cases_h12;
pub mod parser;
pub mod sys;
pub mod vrrp;

use parser::{Ctx, Fatal, Kw, PASSES, Pass, Weight};

use crate::ir::keepalived::Config;

/// `-t` exit codes as keepalived 2.2.7 returns them (measured; its man page
/// numbers them one lower).
pub const EXIT_OK: i32 = 0;
pub const EXIT_MISSING_PARAMETER: i32 = 2;
pub const EXIT_CONFIG: i32 = 5;
pub const EXIT_SECURITY: i32 = 6;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-i ID`; keepalived's default is the node name.
    pub config_id: Option<String>,
}

#[derive(Debug)]
pub struct Outcome {
    /// keepalived's stderr lines, in order.
    pub lines: Vec<String>,
    pub exit_code: i32,
    pub config: Config,
}

const G: &[Pass] = &[Pass::Global];
const C: &[Pass] = &[Pass::Check];
const V: &[Pass] = &[Pass::Vrrp];
const CV: &[Pass] = &[Pass::Check, Pass::Vrrp];
const CVB: &[Pass] = &[Pass::Check, Pass::Vrrp, Pass::Bfd];

fn nop(_c: &mut Ctx, _w: &[String]) -> parser::Res {
    Ok(())
}

static ROOTS: &[Kw] = &[
    Kw::block("global_defs", None, global::GLOBAL, None).root(G),
    Kw::h("static_ipaddress", vrrp::static_ips).root(V),
    Kw::h("static_routes", vrrp::static_routes).root(V),
    Kw::h("static_rules", vrrp::static_routes).root(V),
    Kw::block(
        "vrrp_script",
        Some(vrrp::vrrp_script),
        vrrp::VRRP_SCRIPT,
        Some(vrrp::vs_close),
    )
    .root(V),
    // track_file is read by the checker process too (FILE_CHECK).
    Kw::block(
        "track_file",
        Some(vrrp::track_file),
        vrrp::TRACK_FILE,
        Some(vrrp::track_file_close),
    )
    .root(CV),
    Kw::block(
        "vrrp_track_file",
        Some(vrrp::track_file),
        vrrp::TRACK_FILE,
        Some(vrrp::track_file_close),
    )
    .root(CV),
    Kw::block(
        "vrrp_track_process",
        Some(vrrp::track_process),
        vrrp::TRACK_PROCESS,
        Some(vrrp::track_process_close),
    )
    .root(V),
    Kw::block(
        "vrrp_sync_group",
        Some(vrrp::sync_group),
        vrrp::SYNC_GROUP,
        Some(vrrp::sync_close),
    )
    .root(V),
    Kw::block(
        "vrrp_instance",
        Some(vrrp::vrrp_instance),
        vrrp::VRRP_INSTANCE,
        None,
    )
    .root(V),
    Kw::h("virtual_server_group", lvs::virtual_server_group).root(C),
    Kw::block(
        "virtual_server",
        Some(lvs::virtual_server),
        lvs::VIRTUAL_SERVER,
        Some(lvs::virtual_server_close),
    )
    .root(C),
    Kw::block(
        "bfd_instance",
        Some(lvs::bfd_instance),
        lvs::BFD,
        Some(lvs::bfd_close),
    )
    .root(CVB),
    // Top-level keywords tandem accepts without acting on them.
    Kw::h("net_namespace", nop).root(G),
    Kw::h("net_namespace_ipvs", nop).root(G),
    Kw::h("namespace_with_ipsets", nop).root(G),
    Kw::h("instance", nop).root(G),
    Kw::h("use_pid_dir", nop).root(G),
    Kw::h("linkbeat_use_polling", nop).root(G),
];

/// Every keyword the parser knows, with the block it is valid in (`top`
/// for the top level). `grammar/keepalived.tbl` must list each of them.
pub fn all_keywords() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<(&'static str, &'static str)> = ROOTS.iter().map(|k| (k.name, "top")).collect();
    let tables: [(&'static str, &'static [Kw]); 7] = [
        ("global_defs", global::GLOBAL),
        ("vrrp_script", vrrp::VRRP_SCRIPT),
        ("track_file", vrrp::TRACK_FILE),
        ("vrrp_track_process", vrrp::TRACK_PROCESS),
        ("vrrp_instance", vrrp::VRRP_INSTANCE),
        ("authentication", vrrp::AUTH),
        ("vrrp_sync_group", vrrp::SYNC_GROUP),
    ];
    for (sec, t) in tables {
        v.extend(t.iter().map(|k| (k.name, sec)));
    }
    v.extend(lvs::names());
    v
}

/// `keepalived -t -f PATH`.
pub fn check_file(path: &str, opts: &Options) -> Outcome {
    let config_id = opts.config_id.clone().unwrap_or_else(sys::hostname);
    let lexed = lexer::read(path, &config_id);
    let mut ctx = Ctx::new(&lexed);
    let res = run(&mut ctx);
    let exit_code = match res {
        Err(Fatal(code)) => code,
        Ok(()) => match ctx.worst {
            Some(Weight::Security) => EXIT_SECURITY,
            Some(Weight::Error) => EXIT_CONFIG,
            _ => EXIT_OK,
        },
    };
    Outcome {
        lines: std::mem::take(&mut ctx.out),
        exit_code,
        config: std::mem::take(&mut ctx.cfg),
    }
}

fn run(ctx: &mut Ctx) -> Result<(), Fatal> {
    for pass in PASSES {
        ctx.start_pass(pass);
        if pass == Pass::Vrrp {
            // The checker pass read the track files too; keep one copy.
            ctx.cfg.track_files.clear();
        }
        ctx.process_stream(ROOTS, false)?;
        ctx.end_pass();
        match pass {
            Pass::Check => lvs::validate(ctx),
            Pass::Vrrp => validate_vrrp(ctx),
            _ => {}
        }
    }
    Ok(())
}

/// An instance whose unicast addresses make it IPv6 (its VIPs, when it has
/// any, have the same family).
fn v6_instance(i: &crate::ir::keepalived::VrrpInstance) -> bool {
    i.unicast_src_ip.as_deref().is_some_and(|a| a.contains(':'))
        || i.unicast_peer.first().is_some_and(|a| a.contains(':'))
        || i.virtual_ipaddress.first().is_some_and(|a| a.ipv6)
}

/// What keepalived's VRRP process checks once the file is read, in its
/// order (measured with keepalived 2.2.7).
fn validate_vrrp(ctx: &mut Ctx) {
    if ctx.st.missing_interface {
        // keepalived stops checking the VRRP side here.
        ctx.err_noloc("Non-existent interface specified in configuration");
        return;
    }

    // Without any vrrp_instance keepalived does not start its VRRP
    // process, so nothing below is checked.
    if ctx.cfg.vrrp_instances.is_empty() {
        return;
    }

    // Scripts: the command must be found; script security.
    let secure_mode = ctx.cfg.global.enable_script_security;
    let mut insecure = false;
    let mut active_scripts = 0usize;
    let mut disabled = Vec::new();
    for s in &ctx.cfg.vrrp_scripts {
        let cmd = s
            .script
            .as_ref()
            .and_then(|sc| sc.args.first())
            .cloned()
            .unwrap_or_default();
        match sys::find_command(&cmd) {
            Some(p) => {
                if sys::insecure(&p) {
                    insecure = true;
                    if secure_mode {
                        disabled.push(format!("Disabling track script {} due to insecure", s.name));
                        continue;
                    }
                }
                active_scripts += 1;
            }
            None => disabled.push(format!(
                "Disabling track script {} since not found/accessible",
                s.name
            )),
        }
    }
    for m in disabled {
        ctx.err_noloc(m);
    }
    for i in &ctx.cfg.vrrp_instances {
        for sc in [
            &i.notify_master,
            &i.notify_backup,
            &i.notify_fault,
            &i.notify_stop,
            &i.notify,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(p) = sc.args.first().and_then(|c| sys::find_command(c)) {
                active_scripts += 1;
                if sys::insecure(&p) {
                    insecure = true;
                }
            }
        }
    }
    if active_scripts > 0 && !ctx.cfg.global.enable_script_security {
        let extra = if insecure {
            " There are insecure scripts."
        } else {
            ""
        };
        ctx.security(format!(
            "SECURITY VIOLATION - scripts are being executed but script_security not enabled.{extra}"
        ));
    }

    // Sync groups, before the instances: members must exist and belong to
    // one group only; keepalived drops the others (and empty groups).
    let mut msgs = Vec::new();
    let names: Vec<String> = ctx
        .cfg
        .vrrp_instances
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let mut taken: Vec<String> = Vec::new();
    let mut groups = std::mem::take(&mut ctx.cfg.vrrp_sync_groups);
    for g in &mut groups {
        let mut kept = Vec::new();
        for member in &g.group {
            if !names.contains(member) {
                msgs.push(format!(
                    "Virtual router {member} specified in sync group {} doesn't exist - ignoring",
                    g.name
                ));
            } else if taken.contains(member) {
                msgs.push(format!(
                    "Virtual router {member} cannot exist in more than one sync group; ignoring {}",
                    g.name
                ));
            } else {
                taken.push(member.clone());
                kept.push(member.clone());
            }
        }
        let listed = !g.group.is_empty();
        g.group = kept;
        match g.group.len() {
            0 if listed => msgs.push(format!(
                "Sync group {}, no matching virtual router found in group declaration - removing",
                g.name
            )),
            0 => msgs.push(format!(
                "Sync group {} has no virtual router(s). removing",
                g.name
            )),
            1 => msgs.push(format!(
                "Sync group {} has only 1 virtual router(s) - this probably isn't what you want",
                g.name
            )),
            _ => {}
        }
    }
    groups.retain(|g| !g.group.is_empty());
    ctx.cfg.vrrp_sync_groups = groups;

    // A first round over all instances: a missing VRID or interface stops
    // keepalived's VRRP checks altogether.
    let mut stop = false;
    for i in &ctx.cfg.vrrp_instances {
        let n = &i.name;
        if i.virtual_router_id.is_none() {
            msgs.push(format!("({n}) the virtual router id must be set"));
            stop = true;
            break;
        }
        if i.interface.is_none() {
            msgs.push(format!("({n}) Unknown interface!"));
            stop = true;
            break;
        }
    }
    // Per instance. Where each instance's messages start: keepalived 2.2.7
    // prints the sync-group and second VIP messages of an instance right
    // after its own (spliced in below).
    let mut seg_start: Vec<usize> = Vec::new();
    for i in ctx.cfg.vrrp_instances.iter().filter(|_| !stop) {
        seg_start.push(msgs.len());
        let n = &i.name;
        let version = i.version.or(ctx.cfg.global.vrrp_version).unwrap_or(2);
        if i.virtual_ipaddress.is_empty() {
            let strict = ctx.cfg.global.vrrp_strict || i.strict_mode;
            if version == 3 || v6_instance(i) || strict {
                // keepalived 2.2.7 refuses the configuration here.
                msgs.push(format!("({n}) No VIP specified; at least one is required"));
                stop = true;
                break;
            }
            msgs.push(format!("({n}) No VIP specified; at least one is sensible"));
        }
        use crate::ir::keepalived::{AuthType, State};
        // keepalived resets these as it goes; later checks see the result.
        let mut state = i.state;
        let mut nopreempt = i.nopreempt;
        let mut preempt_delay = i.preempt_delay.is_some();
        if ctx.cfg.global.vrrp_strict || i.strict_mode {
            if (state == State::Master) != (i.priority == 255) {
                msgs.push(format!("({n}) State MASTER must match being address owner"));
                state = if i.priority == 255 {
                    State::Master
                } else {
                    State::Backup
                };
            }
            if i.authentication.is_some() {
                msgs.push(format!(
                    "({n}) Strict mode does not support authentication. Ignoring."
                ));
            }
        }
        let unicast_kw = i.unicast_src_ip.is_some()
            || ctx.st.unicast_blocks.contains(n)
            // keepalived 2.2.7: unicast_fault_no_peer does not count,
            // check_unicast_src and old_unicast_checksum do (measured).
            || i.other.iter().any(|(k, _)| {
                (k.starts_with("unicast_") && k != "unicast_fault_no_peer")
                    || k == "check_unicast_src"
                    || k == "old_unicast_checksum"
            });
        if unicast_kw && i.unicast_peer.is_empty() {
            msgs.push(format!(
                "({n}) A unicast keyword has been specified without any unicast peers. \
                 Defaulting to multicast. This usage is deprecated - please update your configuration."
            ));
        }
        if state == State::Master
            && i.authentication
                .as_ref()
                .is_some_and(|a| a.auth_type == Some(AuthType::Ah))
        {
            msgs.push(format!(
                "({n}) Initial state master is incompatible with AH authentication - clearing"
            ));
        }
        if !(ctx.cfg.global.vrrp_strict || i.strict_mode)
            && i.authentication
                .as_ref()
                .is_some_and(|a| a.auth_type.is_some() && a.auth_pass.is_none())
        {
            msgs.push(format!(
                "({n}) Authentication specified but no password given. Ignoring"
            ));
        }
        if nopreempt && i.priority == 255 {
            msgs.push(format!(
                "({n}) nopreempt is incompatible with priority 255. resetting nopreempt"
            ));
            nopreempt = false;
        }
        if state == State::Master && nopreempt {
            msgs.push(format!(
                "({n}) Warning - nopreempt will not work with initial state MASTER - clearing"
            ));
            nopreempt = false;
        }
        if state == State::Master && preempt_delay {
            msgs.push(format!(
                "({n}) Warning - preempt delay will not work with initial state MASTER - clearing"
            ));
            preempt_delay = false;
        }
        if (ctx.cfg.global.vrrp_strict || i.strict_mode) && preempt_delay {
            msgs.push(format!(
                "({n}) preempt_delay is incompatible with strict mode - resetting"
            ));
        }
        if nopreempt && preempt_delay {
            msgs.push(format!(
                "({n}) preempt_delay is incompatible with nopreempt mode - resetting"
            ));
        }
        if version == 2 && i.advert_int.fract() != 0.0 {
            msgs.push(format!(
                "({n}) VRRPv2 advertisement interval {:.6}s must be an integer. rounding",
                i.advert_int
            ));
        }
        let own = i.interface.clone().unwrap_or_default();
        for t in &i.track_interface {
            if t.name == own {
                msgs.push(format!(
                    "({n}) Ignoring track_interface {} since own interface",
                    t.name
                ));
            }
        }
    }
    if stop {
        for msg in msgs {
            ctx.err_noloc(msg);
        }
        return;
    }
    // Instances of a sync group cannot use weighted tracking (unless the
    // group says sync_group_tracking_weight, which tandem records only).
    let first_end = msgs.len();
    // (instance index, 1 = sync group / 0 = VIP check, message)
    let mut later: Vec<(usize, u8, String)> = Vec::new();
    for (idx, i) in ctx.cfg.vrrp_instances.iter().enumerate() {
        if !ctx
            .cfg
            .vrrp_sync_groups
            .iter()
            .any(|g| g.group.contains(&i.name))
        {
            continue;
        }
        let n = &i.name;
        for t in &i.track_script {
            let w = t.weight.unwrap_or_else(|| {
                ctx.cfg
                    .vrrp_scripts
                    .iter()
                    .find(|s| s.name == t.name)
                    .map(|s| s.weight)
                    .unwrap_or(0)
            });
            if w != 0 {
                later.push((
                    idx,
                    1,
                    format!(
                        "({n}) ignoring tracked script {} with weights due to SYNC group",
                        t.name
                    ),
                ));
            }
        }
        for t in &i.track_file {
            let w = t.weight.unwrap_or_else(|| {
                ctx.cfg
                    .track_files
                    .iter()
                    .find(|f| f.name == t.name)
                    .map(|f| f.weight)
                    .unwrap_or(0)
            });
            if w != 0 && t.weight.is_none() && !ctx.st.track_file_weight_set.contains(&t.name) {
                // keepalived 2.2.7 words it so when no weight was written.
                later.push((idx, 1, format!(
                    "({n}) ignoring weight from tracked file {} due to SYNC group. specify weight 0",
                    t.name
                )));
            } else if w != 0 {
                later.push((
                    idx,
                    1,
                    format!(
                        "({n}) ignoring tracked file {} with weight {w} due to SYNC group",
                        t.name
                    ),
                ));
            }
        }
        // An instance tracks its own interface implicitly, so keepalived
        // 2.2.7 counts that one too (measured).
        let own = i.interface.as_deref().unwrap_or_default();
        if let Some(g) = ctx
            .cfg
            .vrrp_sync_groups
            .iter()
            .find(|g| g.group.contains(&i.name))
        {
            for t in &g.track_interface {
                if t.name == own || i.track_interface.iter().any(|x| x.name == t.name) {
                    later.push((idx, 1, format!(
                        "({n}) track_interface {} is configured on VRRP instance and sync group. Remove vrrp instance or sync group config",
                        t.name
                    )));
                }
            }
        }
    }
    // keepalived checks the VIPs a second time when it sets the instances up.
    for (idx, i) in ctx.cfg.vrrp_instances.iter().enumerate() {
        let version = i.version.or(ctx.cfg.global.vrrp_version).unwrap_or(2);
        if i.virtual_router_id.is_some()
            && i.interface.is_some()
            && i.virtual_ipaddress.is_empty()
            && version == 2
            && !v6_instance(i)
            && !(ctx.cfg.global.vrrp_strict || i.strict_mode)
        {
            later.push((
                idx,
                0,
                format!("({}) No VIP specified; at least one is sensible", i.name),
            ));
        }
    }
    later.sort_by_key(|&(idx, order, _)| (idx, order));
    let old = std::mem::take(&mut msgs);
    let mut it = old.into_iter();
    let pre = seg_start.first().copied().unwrap_or(first_end);
    msgs.extend(it.by_ref().take(pre));
    for (idx, &start) in seg_start.iter().enumerate() {
        let end = seg_start.get(idx + 1).copied().unwrap_or(first_end);
        msgs.extend(it.by_ref().take(end.saturating_sub(start)));
        msgs.extend(
            later
                .iter()
                .filter(|(i, _, _)| *i == idx)
                .map(|(_, _, m)| m.clone()),
        );
    }
    msgs.extend(it);
    let inst = &ctx.cfg.vrrp_instances;
    for (a_idx, a) in inst.iter().enumerate() {
        for b in inst.iter().skip(a_idx + 1) {
            let fam = |i: &crate::ir::keepalived::VrrpInstance| {
                i.virtual_ipaddress.first().map(|v| v.ipv6).unwrap_or(false)
            };
            if a.virtual_router_id.is_some()
                && a.virtual_router_id == b.virtual_router_id
                && a.interface == b.interface
                && fam(a) == fam(b)
            {
                msgs.push(format!(
                    "{} and {} both use VRID {} with {} on interface {}",
                    a.name,
                    b.name,
                    a.virtual_router_id.unwrap_or(0),
                    if fam(a) { "IPv6" } else { "IPv4" },
                    a.interface.clone().unwrap_or_default()
                ));
            }
        }
    }
    for m in msgs {
        ctx.err_noloc(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_text(name: &str, text: &str) -> Outcome {
        run_text_id(name, text, None)
    }

    /// The oracle cases were recorded as root on a host named `vm` with
    /// `lo` and `eth0`; elsewhere they are skipped (they depend on it).
    fn like_oracle_machine() -> bool {
        let root = std::fs::read_to_string("/proc/self/status")
            .map(|s| {
                s.lines()
                    .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
            })
            .unwrap_or(false);
        root && sys::interface("eth0") == sys::Iface::Ok && sys::find_command("killall").is_some()
    }

    fn run_text_id(name: &str, text: &str, id: Option<&str>) -> Outcome {
        let dir = std::env::temp_dir().join(format!("tandem-kal-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join(name);
        let _ = std::fs::write(&f, text);
        let path = f.to_string_lossy().into_owned();
        let opts = Options {
            config_id: id.map(str::to_string),
        };
        let mut out = check_file(&path, &opts);
        // Tests compare with the oracle run on the bare file name.
        let prefix = format!("({}:", path);
        let short = format!("({}:", name);
        out.lines = out
            .lines
            .iter()
            .map(|l| l.replace(&prefix, &short))
            .collect();
        out
    }

    /// keepalived 2.2.7, `keepalived -t -f a1.conf`, exit 5.
    #[test]
    fn unknown_keywords_in_every_pass() {
        if !like_oracle_machine() {
            return;
        }
        let o = run_text(
            "a1.conf",
            "foo bar\nglobal_defs {\n  router_id x\n  bogus_kw 1\n}\nvrrp_instance V {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  blah 3\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n",
        );
        assert_eq!(
            o.lines,
            vec![
                "(Line 1) Unknown keyword 'foo'",
                "(Line 4) Unknown keyword 'bogus_kw'",
                "(a1.conf: Line 1) Unknown keyword 'foo'",
                "(a1.conf: Line 1) Unknown keyword 'foo'",
                "(a1.conf: Line 11) Unknown keyword 'blah'",
                "(a1.conf: Line 1) Unknown keyword 'foo'",
            ]
        );
        assert_eq!(o.exit_code, 5);
    }

    /// keepalived 2.2.7, `keepalived -t -f a2.conf`, exit 5.
    #[test]
    fn ranges() {
        if !like_oracle_machine() {
            return;
        }
        let o = run_text(
            "a2.conf",
            "vrrp_instance V {\n  state MASTER\n  interface eth0\n  virtual_router_id 300\n  priority 0\n  advert_int 0\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n",
        );
        assert_eq!(
            o.lines,
            vec![
                "(a2.conf: Line 4) number '300' outside range [1, 255]",
                "(a2.conf: Line 4) (V): VRID '300' not valid - must be between 1 & 255",
                "(a2.conf: Line 5) number '0' outside range [1, 255]",
                "(a2.conf: Line 5) (V) Priority not valid! must be between 1 & 255. Using default 100",
                "(a2.conf: Line 6) number '0' outside range [0.010000, 255.000000]",
                "(a2.conf: Line 6) (V) Advert interval (0) not valid! Must be > 0 - ignoring",
                "(V) the virtual router id must be set",
            ]
        );
        assert_eq!(o.exit_code, 5);
    }

    /// keepalived 2.2.7, `keepalived -t -f a3.conf`, exit 2.
    #[test]
    fn missing_parameter_exits_2() {
        if !like_oracle_machine() {
            return;
        }
        let o = run_text(
            "a3.conf",
            "vrrp_instance V {\n  state MASTER\n  interface eth0\n  virtual_router_id\n  priority 100\n}\n",
        );
        assert_eq!(
            o.lines,
            vec![
                "(a3.conf: Line 4) *** Configuration line starting `virtual_router_id` is missing a parameter after keyword `virtual_router_id` at word position 2"
            ]
        );
        assert_eq!(o.exit_code, 2);
    }

    /// keepalived 2.2.7, `keepalived -t -f f4.conf`, exit 5.
    #[test]
    fn braces() {
        if !like_oracle_machine() {
            return;
        }
        let o = run_text(
            "f4.conf",
            "global_defs {\n router_id x\n\n}\n}\nvrrp_instance V {\n interface eth0\n",
        );
        let per_pass = [
            "(f4.conf: Line 5) Extra '}' found",
            "(f4.conf: Line 5) Unknown keyword '}'",
            "There are 1 missing '}'s or extra '{'s",
        ];
        let mut want: Vec<String> = vec![
            "(Line 5) Extra '}' found".into(),
            "(Line 5) Unknown keyword '}'".into(),
            "There are 1 missing '}'s or extra '{'s".into(),
        ];
        want.extend(per_pass.iter().map(|s| s.to_string()));
        want.extend(per_pass.iter().map(|s| s.to_string()));
        want.push("(V) the virtual router id must be set".into());
        want.extend(per_pass.iter().map(|s| s.to_string()));
        assert_eq!(o.lines, want);
        assert_eq!(o.exit_code, 5);
    }

    /// keepalived 2.2.7 on a missing include only: exit 0.
    #[test]
    fn missing_include_is_not_an_error() {
        let o = run_text("d1.conf", "include nofile-tandem.conf\n");
        assert_eq!(
            o.lines,
            vec!["(Line 1) Config files missing 'nofile-tandem.conf'."]
        );
        assert_eq!(o.exit_code, 0);
    }

    /// keepalived 2.2.7 on a missing main file: exit 0.
    #[test]
    fn missing_main_file() {
        let o = check_file("/nonexistent-tandem/k.conf", &Options::default());
        assert_eq!(
            o.lines,
            vec!["Config files missing '/nonexistent-tandem/k.conf'."]
        );
        assert_eq!(o.exit_code, 0);
    }

    /// keepalived 2.2.7, `keepalived -t -f d3.conf`, exit 5.
    #[test]
    fn state_duplicate_and_instance_checks() {
        if !like_oracle_machine() {
            return;
        }
        let o = run_text(
            "d3.conf",
            "vrrp_instance V {\n interface eth0\n virtual_router_id 5\n priority 100\n state FOO\n advert_int 1.5\n nopreempt\n preempt_delay 10\n garp_master_delay 5\n virtual_ipaddress {\n 10.0.0.1/24\n }\n virtual_ipaddress_excluded {\n fe80::1/64\n }\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 5\n priority 100\n virtual_ipaddress {\n 10.0.0.9/24\n }\n}\n",
        );
        assert_eq!(
            o.lines,
            vec![
                "(d3.conf: Line 5) (V) unknown state 'FOO', defaulting to BACKUP",
                "(d3.conf: Line 17) vrrp instance V already defined",
                "(V) preempt_delay is incompatible with nopreempt mode - resetting",
                "(V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding",
            ]
        );
        assert_eq!(o.exit_code, 5);
    }

    /// keepalived 2.2.7, `keepalived -t -f f3.conf` crashes (SIGSEGV, 139)
    /// after these lines; tandem stops with a clear message instead.
    #[test]
    fn unterminated_script_quote_does_not_crash() {
        let o = run_text(
            "f3.conf",
            "global_defs {\n router_id \"abc\n}\nvrrp_script s {\n script \"killall -0 haproxy\n}\n",
        );
        let want_prefix = [
            "(Line 2) Unterminated quote 'router_id \"abc'",
            "(Line 2) Unmatched quote: 'router_id \"abc'",
            "(Line 2) routerid name missing - ignoring",
            "(Line 5) Unterminated quote 'script \"killall -0 haproxy'",
            "(Line 5) Unmatched quote: 'script \"killall -0 haproxy'",
        ];
        assert_eq!(&o.lines[..5], &want_prefix);
        assert!(o.lines.iter().any(|l| l
            == "(f3.conf: Line 5) String 'script \"killall -0 haproxy': missing terminating \""));
        assert!(o.lines.last().is_some_and(|l| l.contains("crashes")));
        assert_eq!(o.exit_code, 5);
    }

    /// keepalived 2.2.7, `keepalived -t -f b1.conf` (LVS part), exit 5.
    #[test]
    fn lvs_defaults_and_bfd() {
        let o = run_text(
            "b1.conf",
            "global_defs {\n  vrrp_garp_master_delay abc\n  router_id\n}\nvirtual_server 10.0.0.1 80 {\n  bogus_vs 1\n  delay_loop abc\n  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n      connect_timeout 3\n      nope 1\n    }\n  }\n}\nbfd_instance b1 {\n  zzz 1\n}\n",
        );
        assert_eq!(
            o.lines,
            vec![
                "(Line 2) invalid number 'abc'",
                "(Line 2) vrrp_garp_master_delay 'abc' invalid - ignoring",
                "(Line 3) routerid name missing - ignoring",
                "(b1.conf: Line 6) Unknown keyword 'bogus_vs'",
                "(b1.conf: Line 7) invalid number 'abc'",
                "(b1.conf: Line 7) virtual server delay loop 'abc' invalid - ignoring",
                "(b1.conf: Line 11) Unknown keyword 'nope'",
                "(b1.conf: Line 16) Unknown keyword 'zzz'",
                "Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP",
                "Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
                "Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT",
                "(b1.conf: Line 16) Unknown keyword 'zzz'",
                "(b1.conf: Line 16) Unknown keyword 'zzz'",
                "(b1.conf: Line 17) Configuration error: BFD instance b1 has no neighbor address set, disabling instance",
            ]
        );
        assert_eq!(o.exit_code, 5);
        assert!(o.config.has_lvs());
        assert_eq!(
            o.config.virtual_servers[0].real_servers[0].checkers[0].kind,
            "TCP_CHECK"
        );
    }

    /// Every recorded oracle case gives the same stderr and exit code.
    #[test]
    fn oracle_cases() {
        if !like_oracle_machine() {
            return;
        }
        let mut bad = Vec::new();
        for (name, text, stderr, code) in super::oracle_cases::CASES {
            let o = run_text_id(name, text, Some("vm"));
            let got: String = o.lines.iter().map(|l| format!("{l}\n")).collect();
            if got != *stderr || o.exit_code != *code {
                bad.push(format!(
                    "{name}: want rc {code}\n{stderr}got rc {}\n{got}",
                    o.exit_code
                ));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// The cases measured while fixing mutation-testing differences
    /// (`oracle_cases_h12.rs`): same stderr and exit code as keepalived 2.2.7.
    #[test]
    fn oracle_cases_h12() {
        if !like_oracle_machine() {
            return;
        }
        let mut bad = Vec::new();
        for (name, text, stderr, code) in super::oracle_cases_h12::CASES {
            let o = run_text_id(name, text, Some("vm"));
            let got: String = o.lines.iter().map(|l| format!("{l}\n")).collect();
            if got != *stderr || o.exit_code != *code {
                bad.push(format!(
                    "{name}: want rc {code}\n{stderr}got rc {}\n{got}",
                    o.exit_code
                ));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// Includes resolve relative to the including file; the rest of the
    /// line is the pattern as written. keepalived 2.2.7, run from the
    /// directory of main.conf (`keepalived -t -f main.conf`), exit 5.
    #[test]
    fn includes() {
        let dir = std::env::temp_dir().join(format!("tandem-kinc-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("a/b"));
        let _ = std::fs::create_dir_all(dir.join("d"));
        let files = [
            (
                "main.conf",
                "include a/x.conf\ninclude \"a/y.conf\"\ninclude a/x.conf extra\ninclude\ninclude d\n",
            ),
            ("a/x.conf", "include b/z.conf\nfoo_x\n"),
            ("a/y.conf", "foo_y\n"),
            ("a/b/z.conf", "foo_z\n"),
        ];
        for (f, t) in files {
            let _ = std::fs::write(dir.join(f), t);
        }
        let main = dir.join("main.conf").to_string_lossy().into_owned();
        let o = check_file(&main, &Options::default());
        let lines: Vec<String> = o
            .lines
            .iter()
            .map(|l| l.replace(&format!("({main}:"), "(main.conf:"))
            .collect();
        let mut want = vec![
            "(b/z.conf: Line 1) Unknown keyword 'foo_z'",
            "(a/x.conf: Line 2) Unknown keyword 'foo_x'",
            "(Line 2) Config files missing '\"a/y.conf\"'.",
            "(Line 3) Config files missing 'a/x.conf extra'.",
            "(Line 4) Unknown keyword 'include'",
            "(Line 5) Configuration file 'd/' is a directory - skipping",
        ];
        for _ in 0..3 {
            want.extend([
                "(b/z.conf: Line 1) Unknown keyword 'foo_z'",
                "(a/x.conf: Line 2) Unknown keyword 'foo_x'",
                "(main.conf: Line 4) Unknown keyword 'include'",
            ]);
        }
        assert_eq!(lines, want);
        assert_eq!(o.exit_code, 5);
    }

    /// grammar/keepalived.tbl lists every keyword the parser knows, in the
    /// block where the parser accepts it.
    #[test]
    fn grammar_table_covers_parser() {
        let g = crate::grammar::grammar();
        let missing: Vec<String> = all_keywords()
            .into_iter()
            .filter(|(k, s)| {
                !g.table("keepalived")
                    .any(|e| e.keyword == *k && e.valid_in(s))
            })
            .map(|(k, s)| format!("{k} in {s}"))
            .collect();
        assert!(
            missing.is_empty(),
            "not in grammar/keepalived.tbl: {missing:?}"
        );
    }

    /// The golden configs (shared/golden/keepalived): exit code and first
    /// line as keepalived 2.2.7 recorded them. They depend on this machine
    /// having eth0 and killall, as the oracle's did.
    #[test]
    fn golden() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/golden/keepalived");
        if !dir.exists() || sys::interface("eth0") != sys::Iface::Ok {
            return;
        }
        let cases = [
            (
                "01-zb-master.conf",
                6,
                "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
            ),
            (
                "02-pg-master.conf",
                5,
                "(02-pg-master.conf: Line 16) WARNING - interface enp1s0 for vrrp_instance VI_1 doesn't exist",
            ),
            (
                "03-web-master.conf",
                5,
                "(03-web-master.conf: Line 30) (VI_1) track script chk_http_port not found, ignoring...",
            ),
            (
                "04-web-backup.conf",
                5,
                "(04-web-backup.conf: Line 28) (VI_1) track script chk_http_port not found, ignoring...",
            ),
        ];
        for (f, code, first) in cases {
            let text = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
            let o = run_text(f, &text);
            assert_eq!(o.exit_code, code, "{f}: {:?}", o.lines);
            assert_eq!(o.lines.first().map(String::as_str), Some(first), "{f}");
        }
    }
}

#[cfg(test)]
mod dump {
    /// `cargo test --lib config::keepalived::dump -- --ignored --nocapture`
    /// prints the keyword list that grammar/keepalived.tbl is built from.
    #[test]
    #[ignore]
    fn print_keywords() {
        for (k, s) in super::all_keywords() {
            println!("KW {k} {s}");
        }
    }
}
