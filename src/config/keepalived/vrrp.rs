//! The VRRP pass: `vrrp_script`, `vrrp_instance`, `vrrp_sync_group`,
//! `track_file`, `static_*`. Messages are keepalived 2.2.7's, measured with
//! `keepalived -t -f` (see the tests in `super::tests`).

use std::net::IpAddr;

use super::lexer::split_quoted_escaped;
use super::parser::{Ctx, Fatal, Kw, Res, read_decimal, read_double, read_int, read_unsigned};
use super::sys::{self, Iface};
use crate::ir::keepalived::{
    AuthType, Authentication, IpAddress, ParamMatch, Route, Rule, Script, State, SyncGroup,
    TrackFile, TrackInterface, TrackProcess, TrackScript, VrrpInstance, VrrpScript,
};

// ---------------------------------------------------------------- scripts

/// A script command line: keepalived re-reads the raw line with quote and
/// escape handling. keepalived 2.2.7 crashes (SIGSEGV) on an unterminated
/// quote here; tandem stops with a clear error instead.
pub(super) fn script_of(ctx: &mut Ctx, w: &[String]) -> Result<Script, Fatal> {
    let raw = ctx.raw.clone();
    match split_quoted_escaped(&raw) {
        Ok(mut words) => {
            if words.len() < 2 {
                if w[0] != "script" {
                    ctx.slot(w, 1)?;
                }
                // A bare `script`: keepalived leaves the script as it was
                // (unset: the vrrp_script is removed when its block closes).
                return Ok(Script::default());
            }
            let args: Vec<String> = words.drain(1..).collect();
            // `script "cmd args"`: the single quoted word is itself the
            // command line, which keepalived splits again.
            let args = if args.len() == 1 {
                split_quoted_escaped(&args[0]).unwrap_or(args)
            } else {
                args
            };
            let rest = raw
                .trim_start()
                .strip_prefix(w[0].as_str())
                .unwrap_or(&raw)
                .trim_start()
                .to_string();
            Ok(Script {
                args,
                raw: rest,
                ..Script::default()
            })
        }
        Err(m) if w[0] != "script" => {
            // keepalived reports it and leaves the notify script unset.
            ctx.err(m);
            Ok(Script::default())
        }
        Err(m) => {
            ctx.err(m);
            ctx.err_noloc(
                "tandem: unterminated quote in a script command line; keepalived 2.2.7 crashes \
                 (SIGSEGV) on this line, fix the quoting",
            );
            Err(Fatal(EXIT_UNTERMINATED))
        }
    }
}

/// Exit code for the line keepalived 2.2.7 crashes on: a configuration
/// error, as `-t` reports others.
const EXIT_UNTERMINATED: i32 = 5;

fn cur_script<'c>(ctx: &'c mut Ctx<'_>) -> Option<&'c mut VrrpScript> {
    ctx.cfg.vrrp_scripts.last_mut()
}

pub(super) fn vrrp_script(ctx: &mut Ctx, w: &[String]) -> Res {
    let name = ctx.slot(w, 1)?.to_string();
    let src = ctx.src();
    ctx.st.script_has_user = false;
    ctx.st.remove_script = false;
    ctx.cfg.vrrp_scripts.push(VrrpScript {
        name,
        src,
        interval: 1.0,
        rise: 1,
        fall: 1,
        ..Default::default()
    });
    Ok(())
}

fn vs_script(ctx: &mut Ctx, w: &[String]) -> Res {
    let s = script_of(ctx, w)?;
    if let Some(v) = cur_script(ctx)
        && !s.args.is_empty()
    {
        v.script = Some(s);
    }
    Ok(())
}

fn vs_name(ctx: &Ctx) -> String {
    ctx.cfg
        .vrrp_scripts
        .last()
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn vs_interval(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let name = vs_name(ctx);
    // Whole seconds: keepalived 2.2.7 reads `interval 1.5` as an invalid number.
    match read_unsigned(ctx, &v, 0, 4294) {
        Some(d) if d > 0 => {
            if let Some(s) = cur_script(ctx) {
                s.interval = d as f64;
            }
        }
        Some(_) => ctx.err(format!(
            "({name}): vrrp script interval must be greater than 0, setting to 1"
        )),
        None => ctx.err(format!(
            "({name}): vrrp script interval '{v}' must be between 1 and 4294 - ignoring"
        )),
    }
    Ok(())
}

fn vs_timeout(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let name = vs_name(ctx);
    match read_unsigned(ctx, &v, 0, 4294) {
        Some(d) if d > 0 => {
            if let Some(s) = cur_script(ctx) {
                s.timeout = Some(d as f64);
            }
        }
        _ => ctx.err(format!(
            "({name}): vrrp script timeout '{v}' invalid - ignoring"
        )),
    }
    Ok(())
}

fn vs_weight(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let name = vs_name(ctx);
    match read_int(ctx, &v, -253, 253) {
        Some(n) => {
            let rev = match w.get(2).map(String::as_str) {
                None => false,
                Some("reverse") => true,
                Some(other) => {
                    ctx.err(format!("vrrp_script {name} unknown weight option {other}"));
                    false
                }
            };
            if let Some(s) = cur_script(ctx) {
                s.weight = n as i32;
                s.weight_reverse = rev;
            }
        }
        None => ctx.err(format!(
            "vrrp_script {name} weight {v} must be in [-253, 253]"
        )),
    }
    Ok(())
}

fn vs_rise_fall(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let name = vs_name(ctx);
    let what = w[0].clone();
    match read_unsigned(ctx, &v, 1, i32::MAX as u64) {
        Some(n) => {
            if let Some(s) = cur_script(ctx) {
                if what == "rise" {
                    s.rise = n as u32;
                } else {
                    s.fall = n as u32;
                }
            }
        }
        None => ctx.err(format!(
            "({name}): vrrp script {what} value '{v}' invalid, defaulting to 1"
        )),
    }
    Ok(())
}

fn vs_user(ctx: &mut Ctx, w: &[String]) -> Res {
    let u = ctx.slot(w, 1)?.to_string();
    let g = w.get(2).cloned();
    ctx.st.script_has_user = true;
    let ok = sys::user(&u).is_some() && g.as_deref().is_none_or(|g| sys::group(g).is_some());
    if !ok {
        let cmd = ctx
            .cfg
            .vrrp_scripts
            .last()
            .and_then(|s| s.script.as_ref())
            .map(|s| s.args.join(" "))
            .unwrap_or_default();
        ctx.err(format!("Unable to set uid/gid for script '{cmd}'"));
        // keepalived drops the script when its block closes.
        ctx.st.remove_script = true;
    }
    if let Some(s) = cur_script(ctx) {
        s.user = Some(u);
        s.group = g;
    }
    Ok(())
}

fn vs_init_fail(ctx: &mut Ctx, _w: &[String]) -> Res {
    if let Some(s) = cur_script(ctx) {
        s.init_fail = true;
    }
    Ok(())
}

/// Whether scripts can run as the default script user. Without
/// `script_user`, keepalived looks for `keepalived_script`; when that user
/// is missing it falls back to root unless script security is enabled.
pub(super) fn default_user_ok(ctx: &mut Ctx) -> bool {
    if ctx.cfg.global.script_user.is_some() || !ctx.cfg.global.enable_script_security {
        return true;
    }
    if sys::user("keepalived_script").is_some() {
        return true;
    }
    if !ctx.st.default_user_reported {
        ctx.st.default_user_reported = true;
        ctx.err("Unable to set default user keepalived_script for script");
    }
    false
}

pub(super) fn vs_close(ctx: &mut Ctx) -> Res {
    let name = vs_name(ctx);
    if std::mem::take(&mut ctx.st.remove_script) {
        ctx.cfg.vrrp_scripts.pop();
        ctx.st.removed_scripts.push(name);
        return Ok(());
    }
    if ctx
        .cfg
        .vrrp_scripts
        .last()
        .is_some_and(|s| s.script.is_none())
    {
        ctx.err(format!("No script set for vrrp_script {name} - removing"));
        ctx.cfg.vrrp_scripts.pop();
        ctx.st.removed_scripts.push(name);
        return Ok(());
    }
    if !ctx.st.script_has_user && !default_user_ok(ctx) {
        ctx.err(format!(
            "Unable to set default user for vrrp script {name} - removing"
        ));
        ctx.cfg.vrrp_scripts.pop();
        ctx.st.removed_scripts.push(name);
    }
    Ok(())
}

pub static VRRP_SCRIPT: &[Kw] = &[
    Kw::h("script", vs_script),
    Kw::h("interval", vs_interval),
    Kw::h("timeout", vs_timeout),
    Kw::h("weight", vs_weight),
    Kw::h("rise", vs_rise_fall),
    Kw::h("fall", vs_rise_fall),
    Kw::h("user", vs_user),
    Kw::h("init_fail", vs_init_fail),
];

// ------------------------------------------------------------- track_file

pub(super) fn track_file(ctx: &mut Ctx, w: &[String]) -> Res {
    let name = ctx.slot(w, 1)?.to_string();
    let src = ctx.src();
    ctx.cfg.track_files.push(TrackFile {
        name,
        src,
        weight: 1,
        ..Default::default()
    });
    Ok(())
}

fn tf_file(ctx: &mut Ctx, w: &[String]) -> Res {
    let f = ctx.slot(w, 1)?.to_string();
    if let Some(t) = ctx.cfg.track_files.last_mut() {
        t.file = Some(f);
    }
    Ok(())
}

fn tf_weight(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = ctx
        .cfg
        .track_files
        .last()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let Some(v) = w.get(1).cloned() else {
        ctx.err(format!("No weight specified for track file {n} - ignoring"));
        return Ok(());
    };
    let Some(weight) = read_int(ctx, &v, -254, 254) else {
        ctx.err(format!(
            "Weight ({v}) for track_file {n} must be between [-254..254] inclusive. Ignoring..."
        ));
        return Ok(());
    };
    let rev = match w.get(2).map(String::as_str) {
        None => false,
        Some("reverse") => true,
        Some(other) => {
            ctx.err(format!("track_file {n} unknown weight option {other}"));
            return Ok(());
        }
    };
    if let Some(t) = ctx.cfg.track_files.last_mut() {
        t.weight = weight as i32;
        t.weight_reverse = rev;
    }
    if !ctx.st.track_file_weight_set.contains(&n) {
        ctx.st.track_file_weight_set.push(n);
    }
    Ok(())
}

fn tf_init(ctx: &mut Ctx, w: &[String]) -> Res {
    let mut val = 0i64;
    let mut overwrite = false;
    for a in &w[1..] {
        if a == "overwrite" {
            overwrite = true;
        } else if let Some(n) = read_int(ctx, a, i32::MIN as i64, i32::MAX as i64) {
            val = n;
        }
    }
    if let Some(t) = ctx.cfg.track_files.last_mut() {
        t.init_file = Some((val, overwrite));
    }
    Ok(())
}

pub(super) fn track_file_close(ctx: &mut Ctx) -> Res {
    if ctx.cfg.track_files.last().is_some_and(|t| t.file.is_none()) {
        let n = ctx
            .cfg
            .track_files
            .pop()
            .map(|t| t.name)
            .unwrap_or_default();
        ctx.err(format!("No file set for track_file {n} - ignoring"));
    }
    Ok(())
}

pub static TRACK_FILE: &[Kw] = &[
    Kw::h("file", tf_file),
    Kw::h("weight", tf_weight),
    Kw::h("init_file", tf_init),
];

// ----------------------------------------------------- vrrp_track_process
// Messages measured with keepalived 2.2.7 (`keepalived -t -f`, see the
// track_process cases in `super::oracle_cases`).

pub(super) fn track_process(ctx: &mut Ctx, w: &[String]) -> Res {
    let name = ctx.slot(w, 1)?.to_string();
    let src = ctx.src();
    // keepalived's defaults: quorum 1, no upper bound (UINT_MAX).
    ctx.cfg.track_processes.push(TrackProcess {
        name,
        src,
        quorum: 1,
        quorum_max: u32::MAX,
        ..Default::default()
    });
    Ok(())
}

fn tp_name(ctx: &Ctx) -> String {
    ctx.cfg
        .track_processes
        .last()
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

fn tp_process(ctx: &mut Ctx, w: &[String]) -> Res {
    let p = ctx.slot(w, 1)?.to_string();
    let n = tp_name(ctx);
    let Some(t) = ctx.cfg.track_processes.last_mut() else {
        return Ok(());
    };
    if t.process.is_some() {
        ctx.err(format!(
            "Process already set for track process {n} - ignoring {p}"
        ));
        return Ok(());
    }
    t.process = Some(p);
    if let Some(params) = w.get(2..).filter(|r| !r.is_empty()) {
        t.params = params.to_vec();
        if t.param_match == ParamMatch::None {
            t.param_match = ParamMatch::Exact;
        }
        t.full_command = true;
    }
    Ok(())
}

fn tp_param_match(ctx: &mut Ctx, w: &[String]) -> Res {
    let m = match w.get(1).map(String::as_str) {
        None => ParamMatch::Exact,
        Some("initial") => ParamMatch::Initial,
        Some("partial") => ParamMatch::Partial,
        Some(other) => {
            ctx.err(format!("Invalid param_match type {other} - ignoring"));
            return Ok(());
        }
    };
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        t.param_match = m;
        t.full_command = true;
    }
    Ok(())
}

fn tp_weight(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = tp_name(ctx);
    let Some(v) = w.get(1).cloned() else {
        ctx.err(format!(
            "No weight specified for track process {n} - ignoring"
        ));
        return Ok(());
    };
    // keepalived tests `weight != 0`, so `weight 0` can be overridden.
    if ctx
        .cfg
        .track_processes
        .last()
        .is_some_and(|t| t.weight != 0)
    {
        ctx.err(format!(
            "Weight already set for track process {n} - ignoring {v}"
        ));
        return Ok(());
    }
    let Some(weight) = read_int(ctx, &v, -254, 254) else {
        ctx.err(format!(
            "Weight ({v}) for vrrp_track_process {n} must be between [-254..254] inclusive. Ignoring..."
        ));
        return Ok(());
    };
    let mut rev = false;
    match w.get(2).map(String::as_str) {
        None => {}
        Some("reverse") => rev = true,
        // keepalived complains but keeps the weight.
        Some(other) => ctx.err(format!(
            "vrrp_track_process {n} unknown weight option {other}"
        )),
    }
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        t.weight = weight as i32;
        t.weight_reverse = rev;
    }
    Ok(())
}

fn tp_quorum(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = tp_name(ctx);
    let Some(q) = read_unsigned(ctx, &v, 1, 65535) else {
        ctx.err(format!(
            "Quorum ({v}) for vrrp_track_process {n} must be between [1..65535] inclusive. Ignoring..."
        ));
        return Ok(());
    };
    let q = q as u32;
    if ctx
        .cfg
        .track_processes
        .last()
        .is_some_and(|t| q > t.quorum_max)
    {
        ctx.err("Quorum is greater than quorum_max - ignoring");
        return Ok(());
    }
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        t.quorum = q;
    }
    Ok(())
}

fn tp_quorum_max(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = tp_name(ctx);
    let Some(q) = read_unsigned(ctx, &v, 0, 65535) else {
        ctx.err(format!(
            "quorum_max ({v}) for vrrp_track_process {n} must be between [0..65535] inclusive. Ignoring..."
        ));
        return Ok(());
    };
    let q = q as u32;
    let quorum = ctx.cfg.track_processes.last().map_or(1, |t| t.quorum);
    // keepalived allows quorum_max 0 (no process may run) while quorum is
    // the default 1.
    if (q != 0 || quorum > 1) && q < quorum {
        ctx.err("quorum_max is less than quorum - ignoring");
        return Ok(());
    }
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        t.quorum_max = q;
        if q == 0 {
            t.quorum = 0;
        } else if t.quorum == 0 {
            t.quorum = 1;
        }
    }
    Ok(())
}

fn tp_delay(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = tp_name(ctx);
    let kw = w[0].as_str();
    let prefix = match kw {
        "terminate_delay" => "terminate_",
        "fork_delay" => "fork_",
        _ => "",
    };
    // keepalived keeps a numeric prefix (`1x` is 1 s after "invalid number").
    let secs = match read_decimal(ctx, &v, 1, 3_600_000_000) {
        Some((micro, _)) => micro as f64 / 1e6,
        _ => {
            ctx.err(format!(
                "{prefix}delay ({v}) for vrrp_track_process {n} must be between [0.000001..3600] inclusive. Ignoring..."
            ));
            return Ok(());
        }
    };
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        if kw != "fork_delay" {
            t.terminate_delay = Some(secs);
        }
        if kw != "terminate_delay" {
            t.fork_delay = Some(secs);
        }
    }
    Ok(())
}

fn tp_full(ctx: &mut Ctx, _w: &[String]) -> Res {
    if let Some(t) = ctx.cfg.track_processes.last_mut() {
        t.full_command = true;
    }
    Ok(())
}

pub(super) fn track_process_close(ctx: &mut Ctx) -> Res {
    if ctx
        .cfg
        .track_processes
        .last()
        .is_some_and(|t| t.process.is_none())
    {
        let n = ctx
            .cfg
            .track_processes
            .pop()
            .map(|t| t.name)
            .unwrap_or_default();
        ctx.err(format!("track process '{n}' process name not specified"));
    }
    Ok(())
}

pub static TRACK_PROCESS: &[Kw] = &[
    Kw::h("process", tp_process),
    Kw::h("param_match", tp_param_match),
    Kw::h("weight", tp_weight),
    Kw::h("quorum", tp_quorum),
    Kw::h("quorum_max", tp_quorum_max),
    Kw::h("fork_delay", tp_delay),
    Kw::h("terminate_delay", tp_delay),
    Kw::h("delay", tp_delay),
    Kw::h("full_command", tp_full),
];

// ---------------------------------------------------------- vrrp_instance

fn inst<'c>(ctx: &'c mut Ctx<'_>) -> Option<&'c mut VrrpInstance> {
    ctx.cfg.vrrp_instances.last_mut()
}

fn iname(ctx: &Ctx) -> String {
    ctx.cfg
        .vrrp_instances
        .last()
        .map(|i| i.name.clone())
        .unwrap_or_default()
}

pub(super) fn vrrp_instance(ctx: &mut Ctx, w: &[String]) -> Res {
    if w.len() != 2 {
        ctx.err("vrrp_instance must have a name");
        ctx.skip_block();
        return Ok(());
    }
    let name = w[1].clone();
    if ctx.st.seen_instances.contains(&name) {
        ctx.err(format!("vrrp instance {name} already defined"));
        ctx.skip_block();
        return Ok(());
    }
    ctx.st.seen_instances.push(name.clone());
    let src = ctx.src();
    ctx.cfg.vrrp_instances.push(VrrpInstance {
        name,
        src,
        priority: 100,
        advert_int: 1.0,
        ..Default::default()
    });
    Ok(())
}

fn vi_state(ctx: &mut Ctx, w: &[String]) -> Res {
    let s = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    let cur = inst(ctx).map(|i| i.state);
    let new = match s.as_str() {
        "MASTER" => State::Master,
        "BACKUP" => {
            if cur == Some(State::Master) {
                ctx.err(format!(
                    "({n}) state previously set as MASTER - ignoring BACKUP"
                ));
                State::Master
            } else {
                State::Backup
            }
        }
        _ => {
            ctx.err(format!("({n}) unknown state '{s}', defaulting to BACKUP"));
            State::Backup
        }
    };
    if let Some(i) = inst(ctx) {
        i.state = new;
    }
    Ok(())
}

fn vi_interface(ctx: &mut Ctx, w: &[String]) -> Res {
    let ifn = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    // IFNAMSIZ - 1.
    if ifn.len() > 15 {
        ctx.err(format!("Interface name '{ifn}' too long - ignoring"));
        return Ok(());
    }
    match sys::interface(&ifn) {
        Iface::Missing => {
            ctx.err(format!(
                "WARNING - interface {ifn} for vrrp_instance {n} doesn't exist"
            ));
            ctx.st.missing_interface = true;
            if let Some(i) = inst(ctx) {
                i.interface = Some(ifn);
            }
        }
        Iface::Loopback => {
            ctx.err(format!(
                "({n}) cannot use a loopback interface ({ifn}) for vrrp - ignoring"
            ));
        }
        Iface::Ok => {
            if let Some(i) = inst(ctx) {
                i.interface = Some(ifn);
            }
        }
    }
    Ok(())
}

fn vi_vrid(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    match read_unsigned(ctx, &v, 1, 255) {
        Some(id) => {
            if let Some(i) = inst(ctx) {
                i.virtual_router_id = Some(id as u8);
            }
        }
        None => ctx.err(format!(
            "({n}): VRID '{v}' not valid - must be between 1 & 255"
        )),
    }
    Ok(())
}

fn vi_priority(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    match read_unsigned(ctx, &v, 1, 255) {
        Some(p) => {
            if let Some(i) = inst(ctx) {
                i.priority = p as u8;
            }
        }
        None => ctx.err(format!(
            "({n}) Priority not valid! must be between 1 & 255. Using default 100"
        )),
    }
    Ok(())
}

fn vi_advert(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    // keepalived 2.2.7 refuses an advert_int with junk after the number.
    match read_decimal(ctx, &v, 10_000, 255_000_000).filter(|&(_, junk)| !junk) {
        Some((d, _)) => {
            if let Some(i) = inst(ctx) {
                i.advert_int = d as f64 / 1_000_000.0;
            }
        }
        None => ctx.err(format!(
            "({n}) Advert interval ({v}) not valid! Must be > 0 - ignoring"
        )),
    }
    Ok(())
}

fn vi_version(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    match read_unsigned(ctx, &v, 2, 3) {
        Some(x) => {
            if let Some(i) = inst(ctx) {
                i.version = Some(x as u8);
            }
        }
        None => ctx.err(format!("({n}): Version must be either 2 or 3")),
    }
    Ok(())
}

fn vi_auth(ctx: &mut Ctx, _w: &[String]) -> Res {
    if let Some(i) = inst(ctx) {
        i.authentication.get_or_insert_with(Authentication::default);
    }
    Ok(())
}

fn vi_auth_type(ctx: &mut Ctx, w: &[String]) -> Res {
    let t = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    let at = match t.as_str() {
        "PASS" => Some(AuthType::Pass),
        "AH" => Some(AuthType::Ah),
        _ => {
            ctx.err(format!("({n}) unknown authentication type '{t}'"));
            None
        }
    };
    if let Some(i) = inst(ctx) {
        i.authentication
            .get_or_insert_with(Authentication::default)
            .auth_type = at;
    }
    Ok(())
}

fn vi_auth_pass(ctx: &mut Ctx, w: &[String]) -> Res {
    let mut p = ctx.slot(w, 1)?.to_string();
    if p.len() > 8 {
        ctx.err("Truncating auth_pass to 8 characters");
        let mut cut = 8;
        while !p.is_char_boundary(cut) {
            cut -= 1;
        }
        p.truncate(cut);
    }
    if let Some(i) = inst(ctx) {
        i.authentication
            .get_or_insert_with(Authentication::default)
            .auth_pass = Some(p);
    }
    Ok(())
}

pub(super) static AUTH: &[Kw] = &[
    Kw::h("auth_type", vi_auth_type),
    Kw::h("auth_pass", vi_auth_pass),
];

/// One address line: `ADDR[/PREFIX] [dev IF] [brd ADDR] [scope S] [label L]
/// ...`. Returns None when keepalived skips the line.
fn parse_ip_line(ctx: &mut Ctx, words: &[String]) -> Option<IpAddress> {
    let first = words.first()?;
    let (addr_s, prefix_s) = match first.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (first.as_str(), None),
    };
    let Ok(addr) = addr_s.parse::<IpAddr>() else {
        ctx.err(format!("VRRP parsed invalid IP {first}. skipping IP..."));
        return None;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix_s {
        // keepalived 2.2.7 says nothing about an empty prefix (`10.0.0.4/`).
        None | Some("") => max,
        Some(p) => match read_unsigned(ctx, p, 0, max as u64) {
            Some(n) => n as u8,
            None => {
                ctx.err(format!(
                    "Invalid address prefix len {p} for address {first} - using {max}"
                ));
                max
            }
        },
    };
    let mut ip = IpAddress {
        src: ctx.src(),
        addr: addr.to_string(),
        prefix,
        ipv6: addr.is_ipv6(),
        ..Default::default()
    };
    let mut i = 1;
    while let Some(k) = words.get(i) {
        let val = words.get(i + 1).cloned();
        let takes_value = matches!(
            k.as_str(),
            "dev"
                | "scope"
                | "brd"
                | "broadcast"
                | "label"
                | "peer"
                | "preferred_lft"
                | "track_group"
        );
        if takes_value && val.is_none() {
            ctx.err(format!("No {k} parameter specified for {first}"));
            return None;
        }
        match k.as_str() {
            "dev" if ip.dev.is_some() => {
                ctx.err(format!(
                    "Cannot specify ipaddress device more than once for {first}"
                ));
                return None;
            }
            "dev" => {
                let d = val.unwrap_or_default();
                if sys::interface(&d) == Iface::Missing {
                    ctx.err(format!(
                        "WARNING - interface {d} for ip address {first} doesn't exist"
                    ));
                    ctx.st.missing_interface = true;
                }
                ip.dev = Some(d);
            }
            "scope" => {
                let s = val.unwrap_or_default();
                let known = matches!(s.as_str(), "site" | "link" | "host" | "nowhere" | "global")
                    || s.parse::<u8>().is_ok();
                if addr.is_ipv6() {
                    ctx.err(format!(
                        "Cannot specify scope for IPv6 addresses ({first}) - ignoring scope"
                    ));
                } else if known {
                    ip.scope = Some(s);
                } else {
                    ctx.err(format!(
                        "Invalid scope '{s}' specified for {first} - ignoring"
                    ));
                }
            }
            "brd" | "broadcast" => {
                let b = val.unwrap_or_default();
                if addr.is_ipv6() {
                    ctx.err(format!(
                        "VRRP is trying to assign a broadcast {k} to the IPv6 address {first} !!?? WTF... skipping VIP..."
                    ));
                    return None;
                }
                if b != "+" && b != "-" && b.parse::<std::net::Ipv4Addr>().is_err() {
                    ctx.err(format!(
                        "VRRP is trying to assign invalid broadcast {b}. skipping VIP..."
                    ));
                    return None;
                }
                ip.brd = Some(b);
            }
            "label" => {
                let l = val.unwrap_or_default();
                // IFNAMSIZ - 1.
                if l.len() > 15 {
                    ctx.err(format!(
                        "Address label {l} is longer than maximum length 15 - removing address"
                    ));
                    return None;
                }
                ip.label = Some(l);
            }
            "peer" => ip.peer = val,
            "preferred_lft" => ip.preferred_lft = val,
            "track_group" => {}
            "no_track" => ip.no_track = true,
            "home" | "-nodad" | "noprefixroute" | "autojoin" => {}
            other => {
                ctx.err(format!(
                    "Unknown configuration entry '{other}' for ip address - ignoring"
                ));
            }
        }
        i += if takes_value { 2 } else { 1 };
    }
    Some(ip)
}

/// The address family of the current instance (true: IPv6), fixed by
/// its first VIP, unicast_src_ip or unicast peer.
fn family(ctx: &Ctx) -> Option<bool> {
    let i = ctx.cfg.vrrp_instances.last()?;
    let fam = |a: &String| a.parse::<IpAddr>().ok().map(|x| x.is_ipv6());
    i.virtual_ipaddress
        .first()
        .map(|a| a.ipv6)
        .or_else(|| i.unicast_src_ip.as_ref().and_then(fam))
        .or_else(|| i.unicast_peer.first().and_then(fam))
}

fn vi_vips(ctx: &mut Ctx, w: &[String]) -> Res {
    let excluded = w[0] == "virtual_ipaddress_excluded";
    let n = iname(ctx);
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let Some(ip) = parse_ip_line(ctx, &line) else {
            continue;
        };
        if !excluded && family(ctx).is_some_and(|v6| v6 != ip.ipv6) {
            ctx.err(format!(
                "({n}): address family must match VRRP instance [{}] - ignoring",
                line[0]
            ));
            continue;
        }
        if let Some(i) = inst(ctx) {
            if excluded {
                i.virtual_ipaddress_excluded.push(ip);
            } else {
                i.virtual_ipaddress.push(ip);
            }
        }
    }
    Ok(())
}

/// Checks one route line (ip-route syntax) as keepalived does while
/// parsing it; `tracked`: a virtual route, which keepalived wants to tie
/// to an interface. Returns false when the route is dropped.
fn check_route(ctx: &mut Ctx, line: &[String], tracked: bool) -> bool {
    const TYPES: [&str; 10] = [
        "unicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "nat",
    ];
    // ip-route keywords that take one argument.
    const WITH_ARG: [&str; 29] = [
        "src",
        "table",
        "metric",
        "priority",
        "preference",
        "scope",
        "protocol",
        "proto",
        "realms",
        "mtu",
        "advmss",
        "rtt",
        "rttvar",
        "reordering",
        "window",
        "cwnd",
        "ssthresh",
        "initcwnd",
        "initrwnd",
        "features",
        "quickack",
        "congctl",
        "pref",
        "expires",
        "tos",
        "dsfield",
        "weight",
        "fastopen_no_cookie",
        "ttl-propagate",
    ];
    let mut has_dev = false;
    let mut has_dest = false;
    let mut k = 0;
    while let Some(t) = line.get(k) {
        match t.as_str() {
            "dev" | "oif" => {
                // Only the first dev of a route is looked at.
                let first_dev = !has_dev;
                has_dev = true;
                if let Some(d) = line.get(k + 1)
                    && first_dev
                    && sys::interface(d) == Iface::Missing
                {
                    ctx.err(format!(
                        "WARNING - interface {d} for VROUTE nexthop doesn't exist"
                    ));
                    ctx.st.missing_interface = true;
                }
                k += 1;
            }
            "or" => {
                ctx.err("\"or\" for routes is deprecated. Please use \"nexthop\"");
                k += 1;
            }
            "gw" | "via" => {
                if t == "gw" {
                    ctx.err("\"gw\" for routes is deprecated. Please use \"via\"");
                }
                if let Some(a) = line.get(k + 1) {
                    // `via inet6 ADDR` names the family first.
                    let a = if a == "inet" || a == "inet6" {
                        k += 1;
                        line.get(k + 1).map(String::as_str).unwrap_or("")
                    } else {
                        a.as_str()
                    };
                    if a.parse::<IpAddr>().is_err() {
                        ctx.err(format!("VRRP parsed invalid IP {a}. skipping IP..."));
                        ctx.err(format!("invalid route via address {a}"));
                        return false;
                    }
                }
                k += 1;
            }
            "no_track" => has_dev = true,
            w if WITH_ARG.contains(&w) => k += 1,
            w if TYPES.contains(&w) || matches!(w, "onlink" | "nexthop" | "lock") => {}
            "from" => {
                let a = line.get(k + 1).map(String::as_str).unwrap_or("");
                let addr = a.split_once('/').map(|(x, _)| x).unwrap_or(a);
                if !addr.contains(':') {
                    ctx.err(format!(
                        "route from address only supported with IPv6 ({addr})"
                    ));
                    return false;
                }
                k += 1;
            }
            w if has_dest
                && w.split_once('/')
                    .map(|(x, _)| x)
                    .unwrap_or(w)
                    .parse::<IpAddr>()
                    .is_err() =>
            {
                // A stray address is let through; anything else ends
                // the route (keepalived first tries it as an address).
                ctx.err(format!("VRRP parsed invalid IP {w}. skipping IP..."));
                ctx.err(format!("unknown route keyword {w}"));
                return false;
            }
            w if !has_dest => {
                has_dest = true;
                if w != "default" {
                    let (a, p) = match w.split_once('/') {
                        Some((a, p)) => (a, Some(p)),
                        None => (w, None),
                    };
                    let max = if a.contains(':') { 128 } else { 32 };
                    if let Some(p) = p
                        && read_unsigned(ctx, p, 0, max).is_none()
                    {
                        ctx.err(format!(
                            "Invalid address prefix len {p} for address {w} - using {max}"
                        ));
                    }
                    if a.parse::<IpAddr>().is_err() {
                        ctx.err(format!("VRRP parsed invalid IP {w}. skipping IP..."));
                        ctx.err(format!("unknown route keyword {w}"));
                        return false;
                    }
                }
            }
            _ => {}
        }
        k += 1;
    }
    if tracked && !has_dev {
        let mut words = line.iter().map(String::as_str).peekable();
        let mut dest = "";
        while let Some(x) = words.next() {
            if TYPES.contains(&x) {
                continue;
            }
            if x == "src" {
                words.next();
                continue;
            }
            dest = x;
            break;
        }
        ctx.err(format!(
            "Warning - cannot track route {dest} with no interface specified, not tracking"
        ));
    }
    true
}

/// Checks one rule line (ip-rule syntax). keepalived gives a rule without
/// a preference one counting down from 16384, and says so.
fn check_rule(ctx: &mut Ctx, line: &[String]) -> bool {
    const WITH_ARG: [&str; 22] = [
        "preference",
        "prio",
        "priority",
        "order",
        "table",
        "lookup",
        "tos",
        "dsfield",
        "fwmark",
        "iif",
        "oif",
        "suppress_prefixlength",
        "suppress_ifgroup",
        "realms",
        "goto",
        "uidrange",
        "protocol",
        "ipproto",
        "sport",
        "dport",
        "track_group",
        "type",
    ];
    const FLAGS: [&str; 8] = [
        "not",
        "l3mdev",
        "no_track",
        "nop",
        "unreachable",
        "prohibit",
        "blackhole",
        "tunnel_id",
    ];
    let mut k = 0;
    while let Some(t) = line.get(k) {
        if WITH_ARG.contains(&t.as_str()) {
            k += 2;
            continue;
        }
        if FLAGS.contains(&t.as_str()) {
            k += 1;
            continue;
        }
        if !matches!(t.as_str(), "from" | "to") {
            ctx.err(format!("Unknown rule option {t}"));
            return false;
        }
        if matches!(t.as_str(), "from" | "to") {
            if let Some(a) = line.get(k + 1) {
                let addr = a.split_once('/').map(|(x, _)| x).unwrap_or(a);
                if a != "all" && addr.parse::<IpAddr>().is_err() {
                    ctx.err(format!("VRRP parsed invalid IP {a}. skipping IP..."));
                    ctx.err(format!("Invalid rule {t} address {a}"));
                    return false;
                }
            }
            k += 1;
        }
        k += 1;
    }
    let has_pref = line
        .iter()
        .any(|x| matches!(x.as_str(), "preference" | "prio" | "priority" | "order"));
    if !has_pref {
        let p = 16384 - ctx.st.rules_defaulted;
        ctx.st.rules_defaulted += 1;
        ctx.err(format!(
            "Rule has no preference specified - setting to {p}. This is probably not what you want."
        ));
    }
    true
}

fn vi_routes(ctx: &mut Ctx, w: &[String]) -> Res {
    let rules = w[0] == "virtual_rules";
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let keep = if rules {
            check_rule(ctx, &line)
        } else {
            check_route(ctx, &line, true)
        };
        if !keep {
            continue;
        }
        let src = ctx.src();
        if let Some(i) = inst(ctx) {
            if rules {
                i.virtual_rules.push(Rule { src, words: line });
            } else {
                i.virtual_routes.push(Route { src, words: line });
            }
        }
    }
    Ok(())
}

/// keepalived 2.2.7's `inet_stosockaddr()`: the address ends at the first
/// `-` (a range) or, failing that, the first `/` (a prefix), and the rest
/// is ignored, so `10.0.0.5-300` and `fd00::-11` are accepted.
pub(super) fn sockaddr_ip(a: &str) -> Option<IpAddr> {
    let end = a.find('-').or_else(|| a.find('/')).unwrap_or(a.len());
    a.get(..end)?.parse().ok()
}

fn vi_unicast_src(ctx: &mut Ctx, w: &[String]) -> Res {
    let raw = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    let Some(ip) = sockaddr_ip(&raw) else {
        ctx.err(format!(
            "Configuration error: VRRP instance[{n}] malformed src address[{raw}]. Skipping..."
        ));
        return Ok(());
    };
    let a = ip.to_string();
    let mcast = w[0] == "mcast_src_ip";
    let v6 = ip.is_ipv6();
    if !mcast && family(ctx).is_some_and(|f| f != v6) {
        ctx.err(format!(
            "Configuration error: VRRP instance[{n}] and src address[{a}] MUST be of the same family !!! Skipping..."
        ));
        return Ok(());
    }
    if let Some(i) = inst(ctx) {
        if mcast {
            i.mcast_src_ip = Some(a);
        } else {
            i.unicast_src_ip = Some(a);
        }
    }
    Ok(())
}

fn vi_unicast_peer(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = iname(ctx);
    // The block alone makes the instance "unicast", valid peers or not.
    ctx.st.unicast_blocks.push(n.clone());
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let raw = &line[0];
        let Some(ip) = sockaddr_ip(raw) else {
            ctx.err(format!(
                "Configuration error: VRRP instance[{n}] malformed unicast peer address[{raw}]. Skipping..."
            ));
            continue;
        };
        let a = ip.to_string();
        if family(ctx).is_some_and(|f| f != ip.is_ipv6()) {
            ctx.err(format!(
                "Configuration error: VRRP instance[{n}] and unicast peer address[{a}] MUST be of the same family !!! Skipping..."
            ));
            continue;
        }
        // `ADDR [NAME VALUE]...`: keepalived 2.2.7 reads every value as a
        // number in [0, 255] and knows min_ttl and max_ttl only (measured:
        // `dev eth0` gives `invalid number 'eth0'`); the peer is kept.
        let mut k = 1;
        while let Some(opt) = line.get(k) {
            let Some(v) = line.get(k + 1) else {
                ctx.err(format!("({n}) {opt} is missing a value"));
                break;
            };
            if read_unsigned(ctx, v, 0, 255).is_some() && opt != "min_ttl" && opt != "max_ttl" {
                ctx.err(format!("({n}) unknown unicast_peer option {opt}"));
            }
            k += 2;
        }
        if let Some(i) = inst(ctx) {
            i.unicast_peer.push(a);
        }
    }
    Ok(())
}

/// The name keepalived 2.2.7 puts in track_* messages: the sync group's
/// inside `vrrp_sync_group`, the instance's otherwise.
fn owner_name(ctx: &Ctx) -> String {
    if ctx.st.in_sync_group {
        ctx.cfg
            .vrrp_sync_groups
            .last()
            .map(|g| g.name.clone())
            .unwrap_or_default()
    } else {
        iname(ctx)
    }
}

/// keepalived 2.2.7 refuses a second track_script / track_file /
/// track_interface entry with the same name in one instance or sync group
/// (after the existence check, before the options are read).
fn already_tracked(ctx: &mut Ctx, kind: &str, name: &str, n: &str) -> bool {
    let sync = ctx.st.in_sync_group;
    let dup = if sync {
        ctx.cfg.vrrp_sync_groups.last().is_some_and(|g| match kind {
            "track_script" => g.track_script.iter().any(|t| t.name == name),
            "track_file" => g.track_file.iter().any(|t| t.name == name),
            "track_process" => g.track_process.iter().any(|t| t.name == name),
            _ => g.track_interface.iter().any(|t| t.name == name),
        })
    } else {
        inst(ctx).is_some_and(|i| match kind {
            "track_script" => i.track_script.iter().any(|t| t.name == name),
            "track_file" => i.track_file.iter().any(|t| t.name == name),
            "track_process" => i.track_process.iter().any(|t| t.name == name),
            _ => i.track_interface.iter().any(|t| t.name == name),
        })
    };
    if dup {
        ctx.err(format!("({n}) duplicate {kind} {name} - ignoring"));
    }
    dup
}

/// `NAME [weight N [reverse]]` as track_script / track_interface take it.
fn weight_of(ctx: &mut Ctx, line: &[String], n: &str, what: &str) -> Option<(Option<i32>, bool)> {
    match line.get(1).map(String::as_str) {
        None => Some((None, false)),
        Some("weight") => {
            let Some(v) = line.get(2).cloned() else {
                ctx.err(format!(
                    "({n}) weight without value specified for {what} {} - ignoring",
                    line[0]
                ));
                return None;
            };
            let rev = line.get(3).is_some_and(|r| r == "reverse");
            match read_int(ctx, &v, -254, 254) {
                Some(x) if (-253..=253).contains(&x) => Some((Some(x as i32), rev)),
                _ if what == "track interface" => {
                    // keepalived 2.2.7 keeps tracking the interface, without
                    // the weight.
                    ctx.err(format!(
                        "({n}) weight {v} for {} must be between [-253..253] inclusive. Ignoring...",
                        line[0]
                    ));
                    Some((None, false))
                }
                _ => {
                    ctx.err(format!(
                        "({n}) {what} {}: weight must be between [-253..253] inclusive, ignoring...",
                        line[0]
                    ));
                    None
                }
            }
        }
        // keepalived 2.2.7 words the track_interface one differently.
        Some(other) if what == "track interface" => {
            ctx.err(format!(
                "({n}) unknown track_interface {} option {other} - ignoring",
                line[0]
            ));
            None
        }
        Some(other) => {
            ctx.err(format!("({n}) unknown {what} option {other} - ignoring"));
            None
        }
    }
}

fn vi_track_script(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = owner_name(ctx);
    let sync = ctx.st.in_sync_group;
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let name = line[0].clone();
        if !ctx.cfg.vrrp_scripts.iter().any(|s| s.name == name) {
            ctx.err(format!("({n}) track script {name} not found, ignoring..."));
            continue;
        }
        if already_tracked(ctx, "track_script", &name, &n) {
            continue;
        }
        let Some((weight, weight_reverse)) = weight_of(ctx, &line, &n, "track script") else {
            continue;
        };
        let t = TrackScript {
            name,
            weight,
            weight_reverse,
        };
        if sync {
            if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
                g.track_script.push(t);
            }
        } else if let Some(i) = inst(ctx) {
            i.track_script.push(t);
        }
    }
    Ok(())
}

fn vi_track_file(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = owner_name(ctx);
    let sync = ctx.st.in_sync_group;
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let name = line[0].clone();
        if !ctx.cfg.track_files.iter().any(|s| s.name == name) {
            ctx.err(format!("({n}) track file {name} not found, ignoring..."));
            continue;
        }
        if already_tracked(ctx, "track_file", &name, &n) {
            continue;
        }
        let Some((weight, weight_reverse)) = weight_of(ctx, &line, &n, "track file") else {
            continue;
        };
        let t = TrackScript {
            name,
            weight,
            weight_reverse,
        };
        if sync {
            if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
                g.track_file.push(t);
            }
        } else if let Some(i) = inst(ctx) {
            i.track_file.push(t);
        }
    }
    Ok(())
}

/// `track_process { NAME [weight N [reverse]] }`: keepalived 2.2.7 reads the
/// weight in [-254..254] here (track_script's is [-253..253]) and words its
/// messages differently (measured).
fn vi_track_process(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = owner_name(ctx);
    let sync = ctx.st.in_sync_group;
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let name = line[0].clone();
        if !ctx.cfg.track_processes.iter().any(|s| s.name == name) {
            ctx.err(format!("({n}) track process {name} not found, ignoring..."));
            continue;
        }
        if already_tracked(ctx, "track_process", &name, &n) {
            continue;
        }
        let (weight, weight_reverse) = match line.get(1).map(String::as_str) {
            None => (None, false),
            Some("weight") => {
                let Some(v) = line.get(2).cloned() else {
                    ctx.err(format!(
                        "({n}) weight without value specified for track process {name} - ignoring"
                    ));
                    continue;
                };
                let Some(x) = read_int(ctx, &v, -254, 254) else {
                    ctx.err(format!(
                        "({n}) weight for track process {name} must be in [-254..254] inclusive. Ignoring..."
                    ));
                    continue;
                };
                match line.get(3).map(String::as_str) {
                    None => (Some(x as i32), false),
                    Some("reverse") => (Some(x as i32), true),
                    Some(other) => {
                        ctx.err(format!(
                            "({n}) unknown track_process {name} weight option {other} - ignoring"
                        ));
                        continue;
                    }
                }
            }
            Some(other) => {
                ctx.err(format!(
                    "({n}) unknown track process option {other} - ignoring"
                ));
                continue;
            }
        };
        let t = TrackScript {
            name,
            weight,
            weight_reverse,
        };
        if sync {
            if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
                g.track_process.push(t);
            }
        } else if let Some(i) = inst(ctx) {
            i.track_process.push(t);
        }
    }
    Ok(())
}

fn vi_track_interface(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = owner_name(ctx);
    let sync = ctx.st.in_sync_group;
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let name = line[0].clone();
        if sys::interface(&name) == Iface::Missing {
            ctx.err(format!("({n}) tracked interface {name} doesn't exist"));
            ctx.st.missing_interface = true;
            continue;
        }
        if already_tracked(ctx, "track_interface", &name, &n) {
            continue;
        }
        let Some((weight, weight_reverse)) = weight_of(ctx, &line, &n, "track interface") else {
            continue;
        };
        let t = TrackInterface {
            name,
            weight,
            weight_reverse,
        };
        if sync {
            if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
                g.track_interface.push(t);
            }
        } else if let Some(i) = inst(ctx) {
            i.track_interface.push(t);
        }
    }
    Ok(())
}

fn vi_flag(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let arg = w.get(1).cloned();
    if let Some(i) = inst(ctx) {
        match kw.as_str() {
            "nopreempt" => i.nopreempt = true,
            "preempt" => i.nopreempt = false,
            "smtp_alert" => i.smtp_alert = true,
            "dont_track_primary" => i.dont_track_primary = true,
            "skip_check_adv_addr" => i.skip_check_adv_addr = true,
            "strict_mode" => i.strict_mode = true,
            "vmac_xmit_base" => i.vmac_xmit_base = true,
            "use_vmac" => i.use_vmac = Some(arg.unwrap_or_default()),
            _ => i.other.push((kw, w[1..].to_vec())),
        }
    }
    Ok(())
}

fn vi_preempt_delay(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    match read_double(ctx, &v, 0.0, 1000.0) {
        Some(d) => {
            if let Some(i) = inst(ctx) {
                i.preempt_delay = Some(d);
            }
        }
        None => ctx.err(format!(
            "({n}) Preempt_delay not valid! must be between 0-1000"
        )),
    }
    Ok(())
}

fn vi_garp(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let v = ctx.slot(w, 1)?.to_string();
    let n = iname(ctx);
    match read_unsigned(ctx, &v, 0, u32::MAX as u64) {
        Some(x) => {
            let x = Some(x as u32);
            if let Some(i) = inst(ctx) {
                match kw.as_str() {
                    "garp_master_delay" => i.garp_master_delay = x,
                    "garp_master_repeat" => i.garp_master_repeat = x,
                    "garp_master_refresh" => i.garp_master_refresh = x,
                    _ => i.garp_master_refresh_repeat = x,
                }
            }
        }
        // keepalived 2.2.7 words this one message differently.
        None if kw == "garp_master_refresh" => {
            ctx.err(format!("({n}): Invalid {kw} '{v}' - ignoring"))
        }
        None => ctx.err(format!("({n}): {kw} '{v}' invalid - ignoring")),
    }
    Ok(())
}

/// A notify script line as keepalived 2.2.7's notify_script_init() reads it:
/// on the re-parsed line (quotes, escapes) word 1 is the command, split again
/// into its arguments, and words 2 and 3 are the user and group it runs as
/// (`notify_master "/path arg" nobody nogroup`; unquoted, `notify_master
/// /path nobody` runs /path as nobody: measured, the script ran as
/// uid 65534). Whether the user exists is checked when the VRRP process
/// starts ("Script user 'x' does not exist"), not by `-t`.
pub(super) fn notify_script_of(ctx: &mut Ctx, w: &[String]) -> Result<Script, Fatal> {
    let mut s = script_of(ctx, w)?;
    if s.args.is_empty() {
        return Ok(s);
    }
    if let Ok(words) = split_quoted_escaped(&ctx.raw)
        && words.len() > 2
    {
        let cmd = words.get(1).cloned().unwrap_or_default();
        s.args = split_quoted_escaped(&cmd).unwrap_or_else(|_| vec![cmd.clone()]);
        s.user = words.get(2).cloned();
        s.group = words.get(3).cloned();
    }
    Ok(s)
}

fn vi_notify(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let s = notify_script_of(ctx, w)?;
    if s.args.is_empty() {
        return Ok(());
    }
    // keepalived 2.2.7 gives every notify script without its own user the
    // default script user when it reads it (and says once when it cannot).
    if s.user.is_none() {
        default_user_ok(ctx);
    }
    if ctx.st.in_sync_group {
        if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
            match kw.as_str() {
                "notify_master" => g.notify_master = Some(s),
                "notify_backup" => g.notify_backup = Some(s),
                "notify_fault" => g.notify_fault = Some(s),
                "notify_stop" => g.notify_stop = Some(s),
                _ => g.notify = Some(s),
            }
        }
        return Ok(());
    }
    let n = iname(ctx);
    let dup = inst(ctx).is_some_and(|i| match kw.as_str() {
        "notify_master" => i.notify_master.is_some(),
        "notify_backup" => i.notify_backup.is_some(),
        "notify_fault" => i.notify_fault.is_some(),
        "notify_stop" => i.notify_stop.is_some(),
        "notify" => i.notify.is_some(),
        _ => false,
    });
    if dup {
        let what = if kw == "notify" {
            "notify"
        } else {
            kw.as_str()
        };
        ctx.err(format!(
            "({n}) {what} script already specified - ignoring {}",
            w.get(1).map(String::as_str).unwrap_or("")
        ));
        return Ok(());
    }
    if let Some(i) = inst(ctx) {
        match kw.as_str() {
            "notify_master" => i.notify_master = Some(s),
            "notify_backup" => i.notify_backup = Some(s),
            "notify_fault" => i.notify_fault = Some(s),
            "notify_stop" => i.notify_stop = Some(s),
            "notify" => i.notify = Some(s),
            _ => i.other.push((kw, w[1..].to_vec())),
        }
    }
    Ok(())
}

/// keepalived 2.2.7 still reads it, with a two-line deprecation notice
/// (the second line indented past the instance name; keepalived 2.2.7
/// measured: width 4 + name length, except 7 for a one-character name).
fn vi_lvs_sync_if(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = iname(ctx);
    let width = if n.chars().count() == 1 {
        7
    } else {
        n.len() + 4
    };
    ctx.err(format!(
        "({n}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated."
    ));
    ctx.err(format!("{:width$}Please use global lvs_sync_daemon", ""));
    vi_other1(ctx, w)
}

/// `garp_extra_if [all] SECONDS`; keepalived 2.2.7 reads the last word.
fn vi_garp_extra_if(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = iname(ctx);
    match w
        .last()
        .filter(|_| w.len() > 1 && !(w.len() == 2 && w[1] == "all"))
    {
        None => ctx.err(format!(
            "({n}): garp_extra_if specified without time - ignoring"
        )),
        Some(v) => {
            if read_unsigned(ctx, v, 0, 86400).is_none() {
                ctx.err(format!("({n}): garp_extra_if '{v}' invalid - ignoring"));
            } else {
                return vi_other(ctx, w);
            }
        }
    }
    Ok(())
}

fn vi_kernel_rx_buf_size(ctx: &mut Ctx, w: &[String]) -> Res {
    let ok = match w.get(1) {
        Some(v) => read_unsigned(ctx, v, 0, u64::from(u32::MAX)).is_some(),
        None => false,
    };
    if !ok {
        let n = iname(ctx);
        ctx.err(format!("({n}) invalid kernel_rx_buf_size specified"));
        return Ok(());
    }
    vi_other(ctx, w)
}

fn vi_unicast_ttl(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    if read_unsigned(ctx, &v, 0, 255).is_none() {
        let n = iname(ctx);
        ctx.err(format!(
            "({n}): TTL '{v}' not valid - must be between 0 & 255"
        ));
        return Ok(());
    }
    vi_other(ctx, w)
}

fn vi_linkbeat_use_polling(ctx: &mut Ctx, w: &[String]) -> Res {
    let n = iname(ctx);
    ctx.err(format!(
        "({n}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block"
    ));
    vi_other(ctx, w)
}

/// `vi_other` for keywords whose keepalived 2.2.7 handler reads the first
/// value unchecked (`strvec_slot`): without one, keepalived stops (exit 2).
fn vi_other1(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.slot(w, 1)?;
    vi_other(ctx, w)
}

fn vi_other(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    if let Some(i) = inst(ctx) {
        i.other.push((kw, w[1..].to_vec()));
    }
    Ok(())
}

/// Accepted keywords whose block content is recorded as-is.
fn vi_other_block(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let lines = ctx.value_block(w);
    if let Some(i) = inst(ctx) {
        for (_, l) in lines {
            i.other.push((kw.clone(), l));
        }
    }
    Ok(())
}

pub static VRRP_INSTANCE: &[Kw] = &[
    Kw::h("state", vi_state),
    Kw::h("interface", vi_interface),
    Kw::h("virtual_router_id", vi_vrid),
    Kw::h("priority", vi_priority),
    Kw::h("advert_int", vi_advert),
    Kw::h("version", vi_version),
    Kw::block("authentication", Some(vi_auth), AUTH, None),
    Kw::h("virtual_ipaddress", vi_vips),
    Kw::h("virtual_ipaddress_excluded", vi_vips),
    Kw::h("virtual_routes", vi_routes),
    Kw::h("virtual_rules", vi_routes),
    Kw::h("unicast_src_ip", vi_unicast_src),
    Kw::h("mcast_src_ip", vi_unicast_src),
    Kw::h("unicast_peer", vi_unicast_peer),
    Kw::h("track_script", vi_track_script),
    Kw::h("track_interface", vi_track_interface),
    Kw::h("track_file", vi_track_file),
    Kw::h("track_process", vi_track_process),
    // tandem-only extension (`tandem run`): see vrrp::from_ir::TrackBackend.
    Kw::h("track_backend", vi_other1),
    Kw::h("track_bfd", vi_other_block),
    Kw::h("nopreempt", vi_flag),
    Kw::h("preempt", vi_flag),
    Kw::h("preempt_delay", vi_preempt_delay),
    Kw::h("notify_master", vi_notify),
    Kw::h("notify_backup", vi_notify),
    Kw::h("notify_fault", vi_notify),
    Kw::h("notify_stop", vi_notify),
    Kw::h("notify", vi_notify),
    // A flag in keepalived 2.2.7 (report "DELETED" rather than "FAULT"), not a script.
    Kw::h("notify_deleted", vi_other),
    Kw::h("notify_master_rx_lower_pri", vi_notify),
    Kw::h("smtp_alert", vi_flag),
    Kw::h("garp_master_delay", vi_garp),
    Kw::h("garp_master_repeat", vi_garp),
    Kw::h("garp_master_refresh", vi_garp),
    Kw::h("garp_master_refresh_repeat", vi_garp),
    Kw::h("garp_lower_prio_delay", vi_other1),
    Kw::h("garp_lower_prio_repeat", vi_other1),
    Kw::h("garp_extra_if", vi_garp_extra_if),
    Kw::h("use_vmac", vi_flag),
    Kw::h("vmac_xmit_base", vi_flag),
    Kw::h("use_vmac_addr", vi_other),
    Kw::h("use_ipvlan", vi_other),
    Kw::h("native_ipv6", vi_other),
    Kw::h("dont_track_primary", vi_flag),
    Kw::h("skip_check_adv_addr", vi_flag),
    Kw::h("strict_mode", vi_flag),
    Kw::h("mcast_dst_ip", vi_other1),
    Kw::h("track_src_ip", vi_other),
    Kw::h("check_unicast_src", vi_other),
    Kw::h("unicast_fault_no_peer", vi_other),
    Kw::h("unicast_ttl", vi_unicast_ttl),
    Kw::h("old_unicast_checksum", vi_other),
    Kw::h("down_timer_adverts", vi_other1),
    Kw::h("lower_prio_no_advert", vi_other),
    Kw::h("higher_prio_send_advert", vi_other),
    Kw::h("promote_secondaries", vi_other),
    Kw::h("debug", vi_other1),
    Kw::h("notify_priority_changes", vi_other),
    Kw::h("kernel_rx_buf_size", vi_kernel_rx_buf_size),
    Kw::h("linkbeat_use_polling", vi_linkbeat_use_polling),
    Kw::h("vrf", vi_other1),
    Kw::h("accept", vi_other),
    Kw::h("lvs_sync_daemon_interface", vi_lvs_sync_if),
    Kw::h("no_accept", vi_other),
];

// -------------------------------------------------------- vrrp_sync_group

pub(super) fn sync_group(ctx: &mut Ctx, w: &[String]) -> Res {
    if w.len() != 2 {
        ctx.err("vrrp_sync_group must have a name - skipping");
        ctx.skip_block();
        return Ok(());
    }
    if ctx.cfg.vrrp_sync_groups.iter().any(|g| g.name == w[1]) {
        ctx.err(format!("vrrp sync group {} already defined", w[1]));
        ctx.skip_block();
        return Ok(());
    }
    let src = ctx.src();
    ctx.st.in_sync_group = true;
    ctx.cfg.vrrp_sync_groups.push(SyncGroup {
        name: w[1].clone(),
        src,
        ..Default::default()
    });
    Ok(())
}

pub(super) fn sync_close(ctx: &mut Ctx) -> Res {
    ctx.st.in_sync_group = false;
    Ok(())
}

fn sg_group(ctx: &mut Ctx, w: &[String]) -> Res {
    let lines = ctx.value_block(w);
    if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
        for (_, l) in lines {
            g.group.extend(l);
        }
    }
    Ok(())
}

fn sg_flag(ctx: &mut Ctx, _w: &[String]) -> Res {
    if let Some(g) = ctx.cfg.vrrp_sync_groups.last_mut() {
        g.smtp_alert = true;
    }
    Ok(())
}

fn sg_other(_ctx: &mut Ctx, _w: &[String]) -> Res {
    Ok(())
}

pub static SYNC_GROUP: &[Kw] = &[
    Kw::h("group", sg_group),
    Kw::h("track_interface", vi_track_interface),
    Kw::h("track_script", vi_track_script),
    Kw::h("track_file", vi_track_file),
    Kw::h("track_process", vi_track_process),
    Kw::h("notify_master", vi_notify),
    Kw::h("notify_backup", vi_notify),
    Kw::h("notify_fault", vi_notify),
    Kw::h("notify_stop", vi_notify),
    Kw::h("notify", vi_notify),
    Kw::h("smtp_alert", sg_flag),
    Kw::h("global_tracking", sg_other),
    Kw::h("sync_group_tracking_weight", sg_other),
    Kw::h("notify_priority_changes", sg_other),
];

// ------------------------------------------------------------- static_*

pub(super) fn static_ips(ctx: &mut Ctx, w: &[String]) -> Res {
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        if let Some(ip) = parse_ip_line(ctx, &line) {
            ctx.cfg.static_ipaddress.push(ip);
        }
    }
    Ok(())
}

pub(super) fn static_routes(ctx: &mut Ctx, w: &[String]) -> Res {
    let rules = w[0] == "static_rules";
    for (pos, line) in ctx.value_block(w) {
        ctx.pos = Some(pos);
        let keep = if rules {
            check_rule(ctx, &line)
        } else {
            check_route(ctx, &line, true)
        };
        if !keep {
            continue;
        }
        let src = ctx.src();
        if rules {
            ctx.cfg.static_rules.push(Rule { src, words: line });
        } else {
            ctx.cfg.static_routes.push(Route { src, words: line });
        }
    }
    Ok(())
}
