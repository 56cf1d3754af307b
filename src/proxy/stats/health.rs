//! What the health checks tell the stats, and how a server's operational state (checks)
//! and admin state (CLI, stats page) combine, as HAProxy 2.6's `srv_op_state` and
//! `srv_admin_state` do.
//!
//! The check tasks send every result ([`HealthEvent`], `transition` or not);
//! [`Registry::on_check`] keeps the last one per server with the counters HAProxy derives
//! from them (`chkfail`, `chkdown`, `downtime`, `lastchg`). The admin bits stay in
//! [`ServerStats::admin`]; [`effective_state`] is the one place both meet, used by the
//! health path and the admin path alike, so that a passing check does not end a
//! maintenance and leaving a maintenance returns to what the checks say.

use std::sync::Mutex;
use std::sync::atomic::Ordering::Relaxed;

use super::{Registry, ServerStats, admf, unix_now, unix_now_ms};
use crate::proxy::backend::Backend;
use crate::proxy::balance::ServerState;
use crate::proxy::checks::run::{HealthEvent, Status};
use crate::proxy::checks::state::CheckResult;
use crate::proxy::engine::Engine;

/// HAProxy's `enum srv_state` (`srv_op_state` of `show servers state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpState {
    Stopped = 0,
    #[default]
    Running = 2,
    Stopping = 3,
}

/// The last check of a server and the counters derived from the checks.
#[derive(Debug, Clone, Default)]
pub struct CheckSnapshot {
    /// No check ran yet (HAProxy's HCHK_STATUS_INI).
    pub status: Option<Status>,
    pub code: Option<i64>,
    pub duration_ms: u64,
    /// The check's info (`last_chk`), one char per byte.
    pub info: String,
    /// The health counter; `None` until the first check (then the server's `rise`).
    pub health: Option<u32>,
    pub result: Option<CheckResult>,
    /// The operational state the checks gave.
    pub check_op: OpState,
    /// The operational state as HAProxy reports it (`srv_op_state`): the checks' or the
    /// forced health, STOPPED in maintenance. The counters below follow it.
    pub op: OpState,
    /// `chkfail`: failed checks counted while the health was above 0.
    pub failed: u64,
    /// `chkdown`: UP to DOWN transitions (entering maintenance is one, measured).
    pub down_trans: u64,
    /// Seconds spent DOWN before the last time it came up (`down_time`).
    pub down_time: u64,
    /// Unix time of the last operational change (`last_change`), `None` = start-up.
    pub last_change: Option<u64>,
    /// The operational state the health checks alone gave (`check_op` adds the agent).
    pub chk_op: OpState,
    /// The agent check (`agent-check`).
    pub agent: AgentSnapshot,
    /// `hanafail`: health analyses (`observe`) that reached their error limit.
    pub hanafail: u64,
    /// A server added by `add server`: created in maintenance, so its checks were never
    /// paused by one and run (and show) in it until it first leaves it (measured).
    pub runs_in_maint: bool,
}

/// The last agent check of a server (HAProxy's `srv->agent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSnapshot {
    /// An agent check runs for this server (seen once it reported, or from the CLI).
    pub configured: bool,
    /// `disable agent` (HAProxy clears CHK_ST_ENABLED).
    pub disabled: bool,
    /// No agent check ran yet (HCHK_STATUS_INI).
    pub status: Option<Status>,
    pub code: Option<i64>,
    pub duration_ms: u64,
    /// `last_agt`, one char per byte.
    pub info: String,
    /// `set server ... agent-addr | agent-port` (`show servers state`).
    pub cli_addr: Option<std::net::IpAddr>,
    pub cli_port: Option<u16>,
    /// The agent's health: its rise and fall are 1, so 1 (up) or 0 (the agent said
    /// down, stopped or fail).
    pub health: u32,
}

impl Default for AgentSnapshot {
    fn default() -> Self {
        AgentSnapshot {
            configured: false,
            disabled: false,
            status: None,
            code: None,
            duration_ms: 0,
            info: String::new(),
            health: 1,
            cli_addr: None,
            cli_port: None,
        }
    }
}

impl AgentSnapshot {
    /// The agent is configured and enabled (HAProxy's `agent.state & CHK_ST_ENABLED`).
    pub fn enabled(&self) -> bool {
        self.configured && !self.disabled
    }
}

/// The server's operational state from its checks and its agent: an agent at health 0
/// keeps it down (`check_notify_success` waits for both).
fn combine(h: &CheckSnapshot) -> OpState {
    if h.agent.enabled() && h.agent.health == 0 {
        OpState::Stopped
    } else {
        h.chk_op
    }
}

/// A server's check state, behind a lock: checks and reports are rare next to traffic.
#[derive(Debug, Default)]
pub struct ServerHealth(Mutex<CheckSnapshot>);

impl ServerHealth {
    pub fn get(&self) -> CheckSnapshot {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut CheckSnapshot)) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl Registry {
    /// Records one check result of server `si` of backend `bi` (the engine calls this for
    /// every [`HealthEvent`] before applying a transition).
    pub fn on_check(&self, bi: usize, si: usize, ev: &HealthEvent) {
        let Some(ss) = self.backends.get(bi).and_then(|b| b.servers.get(si)) else {
            return;
        };
        let now = unix_now();
        if ev.hana.is_some() {
            ss.health.update(|h| h.hanafail += 1);
        }
        if ev.hana == Some(false) {
            // `on-error fastinter`: only the next check came sooner
            return;
        }
        ss.health.update(|h| {
            h.status = Some(ev.status);
            h.code = ev.code;
            h.duration_ms = ev.check_duration_ms;
            h.info = ev.info.clone();
            h.health = Some(ev.health);
            h.result = Some(ev.result);
            if ev.counted_failure {
                h.failed += 1;
            }
            h.chk_op = match (ev.up, ev.draining) {
                (false, _) => OpState::Stopped,
                (true, false) => OpState::Running,
                (true, true) => OpState::Stopping,
            };
            h.check_op = combine(h);
        });
        if ev.transition {
            // a check decides again what `set server ... health` had forced
            ss.forced_health.store(-1, Relaxed);
            ss.last_change.store(now, Relaxed);
        }
        ss.sync_op(self.start_unix);
    }
}

impl ServerStats {
    /// A server added by `add server`: STOPPED with health 0 and no check yet, as HAProxy
    /// 2.6 creates it (entering maintenance this way is no DOWN transition).
    pub fn start_stopped(&self) {
        self.health.update(|h| {
            h.op = OpState::Stopped;
            h.check_op = OpState::Stopped;
            h.chk_op = OpState::Stopped;
            h.health = Some(0);
            h.runs_in_maint = true;
        });
    }

    /// Accounts a change of the reported operational state (checks, forced health,
    /// maintenance) in `chkdown`, `downtime` and the last change, and returns the
    /// snapshot. Called by the health path and by every report, so that a change made by
    /// the admin path is counted at the time it stored in [`ServerStats::last_change`].
    pub fn sync_op(&self, start_unix: u64) -> CheckSnapshot {
        let admin = self.admin.load(Relaxed);
        let forced = self.forced_health.load(Relaxed);
        let at = self.last_change.load(Relaxed);
        let mut out = CheckSnapshot::default();
        self.health.update(|h| {
            let op = if admin & admf::MAINT != 0 {
                OpState::Stopped
            } else {
                match forced {
                    0 => OpState::Stopped,
                    1 => OpState::Running,
                    _ => h.check_op,
                }
            };
            if op != h.op {
                let since = h.last_change.unwrap_or(start_unix);
                if op == OpState::Stopped {
                    h.down_trans += 1;
                } else if h.op == OpState::Stopped {
                    h.down_time += at.saturating_sub(since);
                }
                h.op = op;
                h.last_change = Some(at.max(since));
            }
            out = h.clone();
        });
        out
    }
}

/// The health path's share of [`Engine::on_health_event`]: records the check for the
/// stats, sends the `option log-health-checks` line to the backend's log targets, and
/// answers the state to give the balancer with the reason for the transition line, or
/// `None` when the check changed no operational state. The state combines the checks with
/// the admin state ([`effective_state`]): in maintenance, a check changes nothing.
pub fn on_event(
    engine: &Engine,
    be: &Backend,
    si: usize,
    ev: &HealthEvent,
) -> Option<(ServerState, String)> {
    let bi = engine.backend_index(&be.name)?;
    engine.stats.bind(engine, false);
    if let Some(a) = &ev.agent {
        return on_agent(engine, be, bi, si, ev, a);
    }
    engine.stats.on_check(bi, si, ev);
    mirror_trackers(engine, be, si, 0);
    let ss = engine.stats.backends.get(bi)?.servers.get(si)?;
    let log_checks = be
        .ir
        .settings
        .option("log-health-checks")
        .is_some_and(|o| o.enabled);
    if log_checks && ev.report {
        use crate::proxy::log::syslog::Level;
        let weighted = ss.uweight.load(Relaxed) != 0;
        let msg = crate::proxy::checks::run::check_log_message(ev, weighted);
        // HAProxy prints it with ha_warning() too, before the transition line
        crate::proxy::log::stderr_warning(&msg);
        if let Some(l) = engine.backend_log(&be.name) {
            l.event((Level::Notice, msg));
        }
    }
    if !ev.transition {
        return None;
    }
    // with log-health-checks the check line already gave the reason (measured: "Server
    // be/s2 is DOWN. 1 active and 0 backup servers left. ...")
    let reason = if log_checks {
        String::new()
    } else {
        ev.status_text()
    };
    Some(after_transition(engine, be, si, ss, reason))
}

/// What follows a check's or an agent's state transition: HAProxy's `on-marked-*`
/// actions and the slowstart ramp of a server coming back.
fn after_transition(
    engine: &Engine,
    be: &Backend,
    si: usize,
    ss: &ServerStats,
    reason: String,
) -> (ServerState, String) {
    let state = effective_state(ss);
    on_marked(engine, be, si, state);
    if !be.server_usable(si) && matches!(state, ServerState::Up | ServerState::Drain) {
        start_slowstart(engine, be, si);
    }
    (state, reason)
}

/// The agent check's share of [`on_event`]: HAProxy's `tcpcheck_agent_expect_reply`
/// then `set_server_check_status` and `check_notify_*` for the agent. The admin word
/// goes first (with its own log line), then the weight and maxconn, then the health.
fn on_agent(
    engine: &Engine,
    be: &Backend,
    bi: usize,
    si: usize,
    ev: &HealthEvent,
    a: &crate::proxy::checks::run::AgentOutcome,
) -> Option<(ServerState, String)> {
    use crate::proxy::checks::agent;
    let srv = be.servers.get(si)?;
    let ss = engine.stats.backends.get(bi)?.servers.get(si)?;
    let prev = ss.health.get();
    if prev.agent.disabled {
        // a reply to a check that was running when the agent was disabled
        return None;
    }
    let iweight = srv.ir.opts.weight.unwrap_or(1).clamp(0, 256) as u32;
    let (status, info, verdict) = match &a.read {
        Some(agent::Read::Line(r)) => {
            let v = agent::evaluate(r, iweight, be.dynamic_lb());
            (v.status, v.info.clone(), Some(v))
        }
        // HAProxy keeps the previous status with this text
        Some(agent::Read::Incomplete) => (
            prev.agent.status.unwrap_or(Status::Checked),
            "Ignoring incomplete line from agent".to_string(),
            None,
        ),
        _ => (ev.status, ev.info.clone(), None),
    };
    if let Some(v) = &verdict {
        if let Some(w) = v.admin {
            agent_admin(engine, be, bi, si, w);
        }
        if let Some(w) = v.weight {
            if w > 0 {
                let _ = be.set_server_weight(si, w);
            }
            ss.uweight.store(w, Relaxed);
            // HAProxy logs no line for a weight change
            let _ = engine.apply_server_state(bi, si, "");
        }
        if let Some(m) = v.maxconn {
            let m = u32::try_from(m.max(0)).unwrap_or(u32::MAX);
            ss.maxconn.store(m, Relaxed);
            be.set_server_maxconn(si, m);
        }
    }
    let result = status.result();
    let mut health = prev.agent.health;
    if let Some(up) = verdict.as_ref().and_then(|v| v.health) {
        health = u32::from(up);
    }
    // set_server_check_status on an agent (rise 1, fall 1): its failures only count
    // from L7 data on, which a health word already set to 0
    let mut report = false;
    match result {
        CheckResult::Failed if status.code() >= 14 && health > 0 => {
            health = 0;
            report = true;
        }
        CheckResult::Passed | CheckResult::CondPass if health < 1 => {
            health = 1;
            report = true;
        }
        _ => {}
    }
    let code = status.shows_code().then_some(0);
    let mut op_changed = false;
    ss.health.update(|h| {
        h.agent.configured = true;
        h.agent.status = Some(status);
        h.agent.code = code;
        h.agent.duration_ms = ev.check_duration_ms;
        h.agent.info = info.clone();
        h.agent.health = health;
        let op = combine(h);
        op_changed = op != h.check_op;
        h.check_op = op;
    });
    let log_checks = be
        .ir
        .settings
        .option("log-health-checks")
        .is_some_and(|o| o.enabled);
    let aev = HealthEvent {
        reason: status.description().to_string(),
        info,
        code,
        status,
        health,
        rise: 1,
        fall: 1,
        result,
        up: health > 0,
        ..ev.clone()
    };
    // set_server_check_status returns before its log line on a neutral result
    if log_checks && result != CheckResult::Neutral && (prev.agent.status != Some(status) || report)
    {
        use crate::proxy::log::syslog::Level;
        let weighted = ss.uweight.load(Relaxed) != 0;
        let msg = crate::proxy::checks::run::check_log_message(&aev, weighted);
        crate::proxy::log::stderr_warning(&msg);
        if let Some(l) = engine.backend_log(&be.name) {
            l.event((Level::Notice, msg));
        }
    }
    if !op_changed {
        ss.sync_op(engine.stats.start_unix);
        return None;
    }
    ss.forced_health.store(-1, Relaxed);
    ss.last_change.store(super::unix_now(), Relaxed);
    ss.sync_op(engine.stats.start_unix);
    let reason = if log_checks {
        String::new()
    } else {
        aev.status_text()
    };
    Some(after_transition(engine, be, si, ss, reason))
}

/// An agent's `ready`, `drain` or `maint`: the admin state as `set server ... state`
/// sets it, with HAProxy's log lines.
fn agent_admin(
    engine: &Engine,
    be: &Backend,
    bi: usize,
    si: usize,
    w: crate::proxy::checks::agent::AdminWord,
) {
    use crate::proxy::checks::agent::AdminWord;
    use crate::proxy::engine::admin::AdminState;
    let st = match w {
        AdminWord::Ready => AdminState::Ready,
        AdminWord::Drain => AdminState::Drain,
        AdminWord::Maint => AdminState::Maint,
    };
    let _ = admin_logged(engine, be, bi, si, st);
}

impl Engine {
    /// `set server B/S state ...`, `disable | enable server`: [`Engine::admin_set_state`]
    /// with the lines HAProxy 2.6 logs for the change (reg-test
    /// checks/4be_1srv_health_checks: "is going DOWN for maintenance", "backend be1 has
    /// no server available!", "is UP/READY (leaving forced maintenance)").
    pub fn admin_set_state_logged(
        &self,
        spec: &str,
        st: crate::proxy::engine::admin::AdminState,
    ) -> Result<(), crate::proxy::engine::admin::AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let Some(be) = self.backends().get(bi).cloned() else {
            return Err(crate::proxy::engine::admin::AdminError::NoBackend);
        };
        admin_logged(self, &be, bi, si, st)
    }
}

/// Applies an admin state change and logs HAProxy's lines for it (`enters drain state`,
/// `is going DOWN for maintenance`, `leaving forced drain`...) on stderr and to the
/// backend's log targets.
fn admin_logged(
    engine: &Engine,
    be: &Backend,
    bi: usize,
    si: usize,
    st: crate::proxy::engine::admin::AdminState,
) -> Result<(), crate::proxy::engine::admin::AdminError> {
    use crate::proxy::engine::admin::AdminError;
    use crate::proxy::log::syslog::Level;
    let (Some(srv), Some(ss)) = (
        be.servers.get(si),
        engine
            .stats
            .backends
            .get(bi)
            .and_then(|b| b.servers.get(si)),
    ) else {
        return Err(AdminError::NoServer);
    };
    let before = ss.admin.load(Relaxed);
    let was_usable = be.server_usable(si);
    let spec = format!("{}/{}", be.name, srv.name);
    // the other maintenance bits (inherited from a tracked server) stay
    let leaving = before & admf::MAINT != 0
        && before & admf::MAINT & !(admf::FMAINT | admf::CMAINT) == 0
        && st != crate::proxy::engine::admin::AdminState::Maint;
    if leaving {
        leave_maint_checks(engine, be, ss, srv);
    }
    engine.admin_set_state(&spec, st)?;
    let after = ss.admin.load(Relaxed);
    if before & admf::MAINT == 0 && after & admf::MAINT != 0 {
        enter_maint_checks(engine, be, ss, srv);
    }
    let usable = be.server_usable(si);
    let (act, bck) = be.usable_counts();
    let served = be.served(si).unwrap_or(0);
    let kind = if srv.backup {
        "Backup Server"
    } else {
        "Server"
    };
    let name = format!("{kind} {}/{}", be.name, srv.name);
    let mut lines: Vec<(Level, String)> = Vec::new();
    let on_backup = if bck > 0 && act == 0 {
        " Running on backup."
    } else {
        ""
    };
    if before & admf::FMAINT != 0 && after & admf::FMAINT == 0 {
        lines.push(if usable {
            (
                Level::Notice,
                format!("{name} is UP/READY (leaving forced maintenance)."),
            )
        } else {
            (
                Level::Notice,
                format!("{name} is DOWN (leaving forced maintenance)."),
            )
        });
    }
    if before & admf::FDRAIN != 0 && after & admf::FDRAIN == 0 && after & admf::MAINT == 0 && usable
    {
        lines.push((
            Level::Notice,
            format!("{name} is UP (leaving forced drain)."),
        ));
    }
    if before & admf::MAINT == 0 && after & admf::FMAINT != 0 {
        lines.push(if was_usable {
            (
                Level::Alert,
                format!(
                    "{name} is going DOWN for maintenance. {act} active and {bck} backup servers left.{on_backup} {served} sessions active, 0 requeued, 0 remaining in queue."
                ),
            )
        } else {
            (
                Level::Notice,
                format!("{name} was DOWN and now enters maintenance."),
            )
        });
    }
    if before & admf::FDRAIN == 0 && after & admf::FDRAIN != 0 && was_usable {
        lines.push((
            Level::Notice,
            format!(
                "{name} enters drain state. {act} active and {bck} backup servers online.{on_backup} 0 sessions requeued, 0 total in queue."
            ),
        ));
    }
    let log = engine.backend_log(&be.name);
    for (level, line) in lines {
        crate::proxy::log::stderr_warning(&line);
        if let Some(l) = &log {
            l.event((level, line));
        }
    }
    if was_usable && !usable && act == 0 && bck == 0 {
        let text = crate::proxy::checks::run::no_server_available_message(&be.name);
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("{:<11}({}) : {text}\n", "[ALERT]", std::process::id()).as_bytes(),
        );
        if let Some(l) = &log {
            l.event(crate::proxy::log::syslog::messages::no_server(&be.name));
        }
    }
    Ok(())
}

/// The health check task of `srv` if it is configured and enabled (`CHK_ST_ENABLED`).
fn enabled_check(
    engine: &Engine,
    be: &Backend,
    ss: &ServerStats,
    srv: &crate::proxy::backend::ServerRt,
) -> Option<std::sync::Arc<crate::proxy::checks::live::Live>> {
    if !srv.ir.opts.check || ss.checks_off.load(Relaxed) {
        return None;
    }
    Some(crate::proxy::checks::live::get(
        engine.stopping(),
        &be.name,
        srv.ir_idx,
        false,
    ))
}

/// Entering maintenance pauses an enabled health check at health 0 (HAProxy 2.6's
/// `srv_update_status`; not for an added server, whose checks run in it).
fn enter_maint_checks(
    engine: &Engine,
    be: &Backend,
    ss: &ServerStats,
    srv: &crate::proxy::backend::ServerRt,
) {
    if ss.health.get().runs_in_maint {
        return;
    }
    if let Some(live) = enabled_check(engine, be, ss, srv) {
        live.paused.store(true, Relaxed);
        live.reset_health.store(0, Relaxed);
        ss.health.update(|h| h.health = Some(0));
    }
}

/// Leaving maintenance resumes an enabled health check at health `rise` ("start OK but
/// check immediately"): the server is up at once, `UP 1/3` until its next check; a
/// server without enabled checks (nor `track`) is up at once too.
fn leave_maint_checks(
    engine: &Engine,
    be: &Backend,
    ss: &ServerStats,
    srv: &crate::proxy::backend::ServerRt,
) {
    let rise = srv.ir.opts.rise.unwrap_or(2).max(1) as u32;
    let live = enabled_check(engine, be, ss, srv);
    if let Some(l) = &live {
        l.paused.store(false, Relaxed);
        l.reset_health.store(i64::from(rise), Relaxed);
    }
    let tracked = srv.ir.opts.track.is_some();
    ss.health.update(|h| {
        h.runs_in_maint = false;
        if live.is_some() {
            h.health = Some(rise);
            h.chk_op = OpState::Running;
        } else if !tracked {
            h.chk_op = OpState::Running;
        }
        h.check_op = combine(h);
    });
}

/// The checks of an added server run (and show) in its first maintenance.
pub fn checks_run_in_maint(ss: &ServerStats) -> bool {
    ss.health.get().runs_in_maint
}

/// `enable | disable health B/S` (after `checks_off` is set): pauses or resumes the
/// check task as HAProxy's CHK_ST_ENABLED does; an added server's first check starts
/// from health 0 (measured: `1/2 DOWN`, then `3/3 UP`).
pub fn on_health_cli(engine: &Engine, bi: usize, si: usize, enable: bool) {
    let (Some(be), Some(ss)) = (
        engine.backends().get(bi),
        engine
            .stats
            .backends
            .get(bi)
            .and_then(|b| b.servers.get(si)),
    ) else {
        return;
    };
    let Some(srv) = be.servers.get(si) else {
        return;
    };
    let live = crate::proxy::checks::live::get(engine.stopping(), &be.name, srv.ir_idx, false);
    live.enabled.store(enable, Relaxed);
    let h = ss.health.get();
    if enable && h.runs_in_maint && h.status.is_none() {
        live.reset_health.store(0, Relaxed);
    }
}

/// `slowstart` in whole seconds (HAProxy rounds up), 0 without.
fn slowstart_secs(be: &Backend, si: usize) -> u64 {
    be.servers
        .get(si)
        .and_then(|s| s.ir.opts.slowstart)
        .map_or(0, |ms| u64::from(ms).div_ceil(1000))
}

/// A server in slow start: its effective weight in the user's units and the `throttle`
/// percentage, as HAProxy 2.6's `server_recalc_eweight` and `server_throttle_rate` give
/// them (`BE_WEIGHT_SCALE` 16: the weight grows by steps of `uweight / 16`), or `None`
/// at full weight. Measured with `weight 100 slowstart 20s`: 7 (throttle 6) at 0 s, 13
/// at 2 s, 25 at 4 s, 32 (31) at 6 s.
///
/// `since` and `now` are in milliseconds: HAProxy's warmup task runs every second from the
/// transition, so the step changes a whole second after the server came up, not at the
/// next wall-clock second.
pub fn warmup(since: u64, uweight: u32, slowstart: u64, now: u64) -> Option<(u32, u32)> {
    if since == 0 || slowstart == 0 {
        return None;
    }
    let elapsed = now.saturating_sub(since) / 1000;
    let uw = u64::from(uweight);
    if elapsed >= slowstart || uw == 0 {
        return None;
    }
    let step = (16 * elapsed + slowstart) / slowstart;
    let ew = uw * step;
    Some((
        u32::try_from(ew.div_ceil(16)).unwrap_or(u32::MAX),
        u32::try_from((100 * ew + 15) / (16 * uw)).unwrap_or(100),
    ))
}

/// The server's slow-start weight if it is ramping (`show stat`'s `weight`/`throttle`,
/// `show servers state`'s STARTING).
pub fn warming(be: &Backend, si: usize, ss: &ServerStats) -> Option<(u32, u32)> {
    let r = warmup(
        ss.warm_since.load(Relaxed),
        ss.uweight.load(Relaxed),
        slowstart_secs(be, si),
        unix_now_ms(),
    );
    if r.is_none() && ss.warm_since.load(Relaxed) != 0 && slowstart_secs(be, si) > 0 {
        // the ramp is over
        ss.warm_since.store(0, Relaxed);
    }
    r
}

/// Starts the weight ramp of a server that came up (`slowstart`, dynamic algorithms
/// only): once a second, as HAProxy's warmup task, the balancer gets the current step
/// until the full weight, or until the server is no longer usable.
fn start_slowstart(engine: &Engine, be: &Backend, si: usize) {
    let secs = slowstart_secs(be, si);
    if secs == 0 || !be.dynamic_lb() {
        return;
    }
    let (Some(bi), Ok(rt)) = (
        engine.backend_index(&be.name),
        tokio::runtime::Handle::try_current(),
    ) else {
        return;
    };
    let Some(be) = engine.backends().get(bi).cloned() else {
        return;
    };
    let Some(ss) = engine
        .stats
        .backends
        .get(bi)
        .and_then(|b| b.servers.get(si))
    else {
        return;
    };
    let since = unix_now_ms();
    ss.warm_since.store(since, Relaxed);
    let warm = ss.warm_since.clone();
    let uweight = ss.uweight.load(Relaxed);
    rt.spawn(async move {
        let mut first = true;
        loop {
            if !first {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            // a newer ramp took over, or the ramp was ended
            if warm.load(Relaxed) != since {
                return;
            }
            match warmup(since, uweight, secs, unix_now_ms()) {
                // the first step goes in before the transition makes the server usable
                Some((w, _)) if first || be.server_usable(si) => {
                    let _ = be.set_server_weight(si, w.max(1));
                }
                _ => {
                    warm.store(0, Relaxed);
                    let _ = be.set_server_weight(si, uweight);
                    return;
                }
            }
            first = false;
        }
    });
}

/// `on-marked-down shutdown-sessions`: a server the checks mark DOWN loses its streams;
/// `on-marked-up shutdown-backup-sessions`: an active server the checks mark UP ends the
/// streams of the backend's backup servers (HAProxy 2.6 `srv_update_status`).
fn on_marked(engine: &Engine, be: &Backend, si: usize, state: ServerState) {
    let Some(srv) = be.servers.get(si) else {
        return;
    };
    let opts = &srv.ir.opts;
    match state {
        ServerState::Down if opts.on_marked_down.as_deref() == Some("shutdown-sessions") => {
            engine.sessions.kill_server(&be.name, &srv.name);
        }
        ServerState::Up
            if !srv.backup && opts.on_marked_up.as_deref() == Some("shutdown-backup-sessions") =>
        {
            for b in be.servers.iter().filter(|b| b.backup) {
                engine.sessions.kill_server(&be.name, &b.name);
            }
        }
        _ => {}
    }
}

/// The servers that `track` server `si` of `be` (`track s1` in the same backend or `track
/// be/s1`), in the order HAProxy walks them: its tracker list is built by prepending, in
/// configuration order, so the last declared comes first (measured).
fn trackers_of(engine: &Engine, be: &Backend, si: usize) -> Vec<(std::sync::Arc<Backend>, usize)> {
    let Some(srv) = be.servers.get(si) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for tb in engine.backends() {
        for (tj, ts) in tb.servers.iter().enumerate() {
            let Some(spec) = ts.ir.opts.track.as_deref() else {
                continue;
            };
            let (tbe, tsrv) = spec.split_once('/').unwrap_or((&tb.name, spec));
            if tbe == be.name && tsrv == &*srv.name {
                out.push((tb.clone(), tj));
            }
        }
    }
    out.reverse();
    out
}

/// A server's `rise` and `fall` (HAProxy's defaults 2 and 3).
fn rise_fall(be: &Backend, si: usize) -> (u32, u32) {
    let pos = |v: Option<i64>, d: u32| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(d).max(1);
    be.servers
        .get(si)
        .map_or((2, 3), |s| (pos(s.ir.opts.rise, 2), pos(s.ir.opts.fall, 3)))
}

/// The tracked server's health counter on the tracker's rise/fall scale, so that the
/// tracker's status reads as the tracked one's (`UP`, `UP 2/3`, `DOWN 1/2`).
fn scaled(h: Option<u32>, from: (u32, u32), to: (u32, u32)) -> Option<u32> {
    let h = h?;
    let (fmax, tmax) = (from.0 + from.1 - 1, to.0 + to.1 - 1);
    Some(if h >= from.0 {
        tmax.saturating_sub(fmax.saturating_sub(h)).max(to.0)
    } else {
        h.min(to.0 - 1)
    })
}

/// HAProxy refuses tracking loops; this bounds the walk anyway.
const MAX_TRACK_DEPTH: usize = 16;

/// A tracking server shows the health of the server it tracks (HAProxy's stats follow
/// the `track` chain to the checked server): copies it after every check.
fn mirror_trackers(engine: &Engine, be: &Backend, si: usize, depth: usize) {
    if depth > MAX_TRACK_DEPTH {
        return;
    }
    let Some(bi) = engine.backend_index(&be.name) else {
        return;
    };
    let Some(src) = engine
        .stats
        .backends
        .get(bi)
        .and_then(|b| b.servers.get(si))
    else {
        return;
    };
    let h = src.health.get();
    for (tb, tj) in trackers_of(engine, be, si) {
        let Some(ts) = engine
            .backend_index(&tb.name)
            .and_then(|i| engine.stats.backends.get(i))
            .and_then(|b| b.servers.get(tj))
        else {
            continue;
        };
        let health = scaled(h.health, rise_fall(be, si), rise_fall(&tb, tj));
        ts.health.update(|t| t.health = health);
        mirror_trackers(engine, &tb, tj, depth + 1);
    }
}

/// `track`: after server `si` of `be` changed state, the servers tracking it take its
/// operational state (their own maintenance stays), depth first, with HAProxy's "via"
/// lines (`Server b2/t1 is DOWN via be/s1. ...`).
pub fn follow_trackers(
    engine: &Engine,
    be: &Backend,
    si: usize,
) -> Vec<crate::proxy::engine::Transition> {
    let mut out = Vec::new();
    follow(engine, be, si, &mut out, 0);
    out
}

fn follow(
    engine: &Engine,
    be: &Backend,
    si: usize,
    out: &mut Vec<crate::proxy::engine::Transition>,
    depth: usize,
) {
    if depth > MAX_TRACK_DEPTH {
        return;
    }
    let (Some(bi), Some(srv)) = (engine.backend_index(&be.name), be.servers.get(si)) else {
        return;
    };
    let Some(src) = engine
        .stats
        .backends
        .get(bi)
        .and_then(|b| b.servers.get(si))
    else {
        return;
    };
    let h = src.sync_op(engine.stats.start_unix);
    let now = unix_now();
    for (tb, tj) in trackers_of(engine, be, si) {
        let Some(ts) = engine
            .backend_index(&tb.name)
            .and_then(|i| engine.stats.backends.get(i))
            .and_then(|b| b.servers.get(tj))
        else {
            continue;
        };
        let changed = ts.health.get().check_op != h.op;
        let health = scaled(h.health, rise_fall(be, si), rise_fall(&tb, tj));
        ts.health.update(|t| {
            t.check_op = h.op;
            t.health = health;
        });
        if changed {
            ts.last_change.store(now, Relaxed);
        }
        ts.sync_op(engine.stats.start_unix);
        let via = format!(" via {}/{}", be.name, srv.name);
        let state = effective_state(ts);
        if let Some(t) = engine.server_transition(&tb, tj, state, &via) {
            // a tracker's own `on-marked-down` / `on-marked-up` apply as well
            on_marked(engine, &tb, tj, state);
            out.push(t);
        }
        follow(engine, &tb, tj, out, depth + 1);
    }
}

impl Engine {
    /// Applies server `si` of backend `bi`'s combined state ([`effective_state`]: admin
    /// bits, forced health, the checks' state, a zero weight) to its balancer: the one
    /// entry for the admin path (runtime API, stats page, server-state file) after it
    /// changed [`ServerStats::admin`], `forced_health` or `uweight`. Returns HAProxy's
    /// transition line when the server's usability changed (the caller logs it).
    pub fn apply_server_state(
        &self,
        bi: usize,
        si: usize,
        reason: &str,
    ) -> Option<crate::proxy::engine::Transition> {
        let be = self.backends().get(bi)?.clone();
        self.stats.bind(self, false);
        let ss = self.stats.backends.get(bi)?.servers.get(si)?;
        let state = effective_state(ss);
        // leaving a maintenance starts the slow start too (measured)
        if !be.server_usable(si) && matches!(state, ServerState::Up | ServerState::Drain) {
            start_slowstart(self, &be, si);
        }
        self.server_transition(&be, si, state, reason)
    }
}

/// The state the balancer must apply to a server: admin maintenance wins, then the health
/// (forced through the CLI, else from the checks), then an admin drain or a zero weight
/// (no new traffic).
pub fn effective_state(ss: &ServerStats) -> ServerState {
    let admin = ss.admin.load(Relaxed);
    if admin & admf::MAINT != 0 {
        return ServerState::Maint;
    }
    let op = match ss.forced_health.load(Relaxed) {
        0 => OpState::Stopped,
        1 => OpState::Running,
        _ => ss.health.get().check_op,
    };
    match op {
        OpState::Stopped => ServerState::Down,
        _ if admin & admf::FDRAIN != 0 || ss.uweight.load(Relaxed) == 0 => ServerState::Drain,
        OpState::Stopping => ServerState::Drain,
        OpState::Running => ServerState::Up,
    }
}

/// The check columns of a `show servers state` row (format 1), as HAProxy 2.6's
/// `dump_servers_state` prints them from `struct server`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateColumns {
    /// `srv_op_state`: 0 stopped, 2 running, 3 stopping.
    pub op: u8,
    /// `srv_check_status`: the `enum healthcheck_status` of the last check (1: none yet).
    pub check_status: u8,
    /// `srv_check_result`: `enum chk_result` (0 unknown, 2 failed, 3 passed, 4
    /// conditionally passed).
    pub check_result: u8,
    /// `srv_check_health`.
    pub check_health: u32,
    /// `srv_check_state`: `check.state & 0x0F` (2 configured, 4 enabled, 8 paused).
    pub check_state: u32,
    /// `srv_agent_state`: `agent.state & 0x1F` (22: configured, enabled, agent).
    pub agent_state: u32,
}

/// `show servers state`'s columns of a server from its checks and admin state. `checked`:
/// the server has `check`; `agent`: `agent-check`. Measured on HAProxy 2.6.12 (see the
/// tests): entering maintenance zeroes the health and pauses the checks (state 14) but
/// keeps the last status and result; a forced health sets it to 0 or `rise + fall - 1`;
/// a server without checks shows status 1 (HCHK_STATUS_INI), result 0 and `rise`.
pub fn state_columns(
    ss: &ServerStats,
    start_unix: u64,
    checked: bool,
    agent: bool,
    rise: u32,
    fall: u32,
) -> StateColumns {
    let h = ss.sync_op(start_unix);
    let admin = ss.admin.load(Relaxed);
    let maint = admin & admf::MAINT != 0;
    let max = (rise + fall).saturating_sub(1);
    let forced = ss.forced_health.load(Relaxed);
    let check_health = if maint && !h.runs_in_maint {
        0
    } else {
        match forced {
            0 => 0,
            1 => max,
            _ if checked => h.health.unwrap_or(rise),
            // a server without checks keeps the 0 a maintenance left
            _ if ss.health_reset.load(Relaxed) => 0,
            _ => rise,
        }
    };
    let (check_status, check_result) = match (checked, h.status) {
        (true, Some(st)) => (
            st.code(),
            match h.result {
                Some(CheckResult::Failed) => 2,
                Some(CheckResult::Passed) => 3,
                Some(CheckResult::CondPass) => 4,
                Some(CheckResult::Neutral) => 1,
                None => 0,
            },
        ),
        _ => (1, 0),
    };
    StateColumns {
        // SRV_ST_STARTING during a slow start
        op: if h.op == OpState::Running && ss.warm_since.load(Relaxed) != 0 {
            1
        } else {
            h.op as u8
        },
        check_status,
        check_result,
        check_health,
        check_state: match (checked, maint) {
            (true, false) => 6,
            (true, true) if h.runs_in_maint => 6,
            (true, true) => 14,
            // the checks of a server `disabled` in the configuration start paused
            (false, _) if admin & admf::CMAINT != 0 => 8,
            (false, _) => 0,
        },
        // CHK_ST_CONFIGURED | CHK_ST_AGENT, and CHK_ST_ENABLED unless `disable agent`
        agent_state: match (agent, h.agent.disabled) {
            (false, _) => 0,
            (true, false) => 22,
            (true, true) => 18,
        },
    }
}

/// Whether server `srv` runs an agent check (`agent-check` with an `agent-port`: without
/// one HAProxy disables it at start).
pub fn agent_configured(srv: &crate::proxy::backend::ServerRt) -> bool {
    srv.ir.opts.agent_check && agent_port_cfg(srv) > 0
}

fn agent_port_cfg(srv: &crate::proxy::backend::ServerRt) -> u16 {
    srv.ir
        .opts
        .other
        .iter()
        .rev()
        .find(|(k, _)| k == "agent-port")
        .and_then(|(_, v)| v.as_deref())
        .map(crate::proxy::checks::agent::atol)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(0)
}

/// The agent cells of a `show stat` row (`agent_status`, `agent_code`, `agent_duration`,
/// `agent_desc`, `last_agt`, `agent_rise`, `agent_fall`, `agent_health`), `None` for
/// another column. `configured`: [`agent_configured`]. Measured on HAProxy 2.6.12:
/// before the first check `INI`, `Initializing` and a duration of 0; nothing while the
/// agent is disabled; shown in maintenance too.
pub fn agent_cell(ss: &ServerStats, name: &str, configured: bool) -> Option<super::report::Val> {
    use super::report::Val;
    if !name.starts_with("agent_") && name != "last_agt" {
        return None;
    }
    let a = ss.health.get().agent;
    if !configured || a.disabled {
        return Some(Val::Empty);
    }
    let n = |v: u64| Val::Num(i64::try_from(v).unwrap_or(i64::MAX));
    Some(match name {
        "agent_status" => Val::Str(a.status.map_or("INI", |s| s.name()).into()),
        "agent_code" => a.code.map_or(Val::Empty, Val::Num),
        "agent_duration" => n(a.duration_ms),
        "agent_desc" => Val::Str(a.status.map_or("Initializing", |s| s.description()).into()),
        "last_agt" => Val::Str(a.info),
        "agent_rise" | "agent_fall" => n(1),
        "agent_health" => n(u64::from(a.health)),
        _ => Val::Empty,
    })
}

/// `srv_agent_addr` and `srv_agent_port` of `show servers state`: the address given by
/// `agent-addr` (configuration or CLI, else `-`) and the agent's port (else 0).
pub fn agent_state_cells(ss: &ServerStats, srv: &crate::proxy::backend::ServerRt) -> (String, u16) {
    let a = ss.health.get().agent;
    let cfg_addr = srv
        .ir
        .opts
        .other
        .iter()
        .rev()
        .find(|(k, _)| k == "agent-addr")
        .and_then(|(_, v)| v.clone());
    let addr = a
        .cli_addr
        .map(|ip| ip.to_string())
        .or(cfg_addr)
        .unwrap_or_else(|| "-".into());
    let port = a.cli_port.unwrap_or_else(|| {
        if srv.ir.opts.agent_check {
            agent_port_cfg(srv)
        } else {
            0
        }
    });
    (addr, port)
}

impl Engine {
    /// `set server B/S agent | agent-addr | agent-port | agent-send ...` (`what` and the
    /// words after it): `Ok` is the answer as is, `Err` a one-line answer HAProxy ends
    /// without the empty line. Texts measured on HAProxy 2.6.12.
    pub fn agent_cli_set(&self, spec: &str, what: &str, rest: &[&str]) -> Result<String, String> {
        const NOT_ENABLED: &str = "agent checks are not enabled on this server";
        let (bi, si) = match self.admin_find(spec) {
            Ok(v) => v,
            Err(e) => {
                return Ok(format!(
                    "{e}
"
                ));
            }
        };
        let (Some(be), Some(ss)) = (
            self.backends().get(bi).cloned(),
            self.stats.backends.get(bi).and_then(|b| b.servers.get(si)),
        ) else {
            return Ok("No such server.
"
            .into());
        };
        let Some(srv) = be.servers.get(si) else {
            return Ok("No such server.
"
            .into());
        };
        let configured = agent_configured(srv);
        let enabled = configured && !ss.health.get().agent.disabled;
        let live = crate::proxy::checks::live::find(self.stopping(), &be.name, srv.ir_idx, true);
        match what {
            "agent" => {
                if !enabled {
                    return Ok(format!(
                        "{NOT_ENABLED}.
"
                    ));
                }
                let up = match rest.first() {
                    Some(&"up") => true,
                    Some(&"down") => false,
                    _ => {
                        return Ok("'set server <srv> agent' expects 'up' or 'down'.
"
                        .into());
                    }
                };
                ss.health.update(|h| {
                    h.agent.configured = true;
                    h.agent.health = u32::from(up);
                    // srv_set_running / srv_set_stopped: the server follows at once
                    h.chk_op = if up { OpState::Running } else { h.chk_op };
                    h.check_op = combine(h);
                });
                ss.forced_health.store(-1, Relaxed);
                ss.last_change.store(super::unix_now(), Relaxed);
                ss.sync_op(self.stats.start_unix);
                if let Some(t) = self.apply_server_state(bi, si, "") {
                    let word = if up { " is UP." } else { " is DOWN." };
                    let by = if up {
                        " is UP, changed from CLI."
                    } else {
                        " is DOWN, changed from CLI."
                    };
                    let line = t.line.replacen(word, by, 1);
                    crate::proxy::log::stderr_warning(&line);
                    let log = self.backend_log(&be.name);
                    if let Some(l) = &log {
                        use crate::proxy::log::syslog::Level;
                        l.event((if up { Level::Notice } else { Level::Alert }, line));
                    }
                    if t.no_server_left {
                        let text = crate::proxy::checks::run::no_server_available_message(&be.name);
                        let _ = std::io::Write::write_all(
                            &mut std::io::stderr(),
                            format!(
                                "{:<11}({}) : {text}
",
                                "[ALERT]",
                                std::process::id()
                            )
                            .as_bytes(),
                        );
                        if let Some(l) = &log {
                            l.event(crate::proxy::log::syslog::messages::no_server(&be.name));
                        }
                    }
                }
                Ok(String::new())
            }
            "agent-addr" | "agent-port" => {
                let (addr, port) = if what == "agent-addr" {
                    let Some(a) = rest.first() else {
                        return Ok(
                            "set server <b>/<s> agent-addr requires an address and optionally a port.
"
                                .into(),
                        );
                    };
                    let port = match rest.get(1..) {
                        Some(["port", p, ..]) => Some(*p),
                        _ => None,
                    };
                    (Some(*a), port)
                } else {
                    match rest.first() {
                        Some(p) => (None, Some(*p)),
                        None => {
                            return Ok("set server <b>/<s> agent-port requires a port.
"
                            .into());
                        }
                    }
                };
                if !configured {
                    return Err(NOT_ENABLED.into());
                }
                let ip = match addr {
                    None => None,
                    Some(a) => match parse_ip(a) {
                        Some(ip) => Some(ip),
                        None => return Err(format!("invalid addr '{a}'")),
                    },
                };
                let port = match port {
                    None => None,
                    Some(p) => {
                        let v: i64 = p
                            .parse()
                            .map_err(|_| "provided port is not an integer".to_string())?;
                        Some(u16::try_from(v).map_err(|_| "provided port is invalid".to_string())?)
                    }
                };
                ss.health.update(|h| {
                    if ip.is_some() {
                        h.agent.cli_addr = ip;
                    }
                    if port.is_some() {
                        h.agent.cli_port = port;
                    }
                });
                if let Some(l) = live {
                    l.update(|o| {
                        if ip.is_some() {
                            o.ip = ip;
                        }
                        if port.is_some() {
                            o.port = port;
                        }
                    });
                }
                Ok(String::new())
            }
            "agent-send" => {
                if !enabled {
                    return Ok(format!(
                        "{NOT_ENABLED}.
"
                    ));
                }
                let send = rest.first().copied().unwrap_or("");
                if let Some(l) = live {
                    l.update(|o| o.send = Some(send.as_bytes().to_vec()));
                }
                Ok(String::new())
            }
            _ => Ok(String::new()),
        }
    }

    /// After `set server B/S addr | check-addr | check-port`: the server's health check
    /// (and its agent, which follows the server's address without `agent-addr` or `addr`)
    /// goes where HAProxy's would from the next check on: the check address and port
    /// first, then the server's current address and port (measured on 2.6.12).
    pub fn sync_check_target(&self, spec: &str) {
        let Ok((bi, si)) = self.admin_find(spec) else {
            return;
        };
        let Some(be) = self.backends().get(bi).cloned() else {
            return;
        };
        let Some(srv) = be.servers.get(si) else {
            return;
        };
        let (sip, sport) = match srv.current_addr() {
            crate::proxy::backend::ServerAddr::Fixed(a) => (a.ip(), Some(a.port())),
            crate::proxy::backend::ServerAddr::Relative { ip, .. } => (ip, None),
        };
        let ov = self.admin.check_override(bi, si);
        let stop = self.stopping();
        if let Some(l) = crate::proxy::checks::live::find(stop, &be.name, srv.ir_idx, false) {
            l.update(|o| {
                o.server_ip = Some(sip);
                o.server_port = sport;
                if let Some(ip) = ov.addr.as_deref().and_then(parse_ip) {
                    o.ip = Some(ip);
                }
                if ov.port.is_some() {
                    o.port = ov.port;
                }
            });
        }
        if let Some(l) = crate::proxy::checks::live::find(stop, &be.name, srv.ir_idx, true) {
            l.update(|o| o.server_ip = Some(sip));
        }
    }

    /// `enable agent B/S` / `disable agent B/S`.
    pub fn agent_cli_enable(&self, spec: &str, enable: bool) -> String {
        let (bi, si) = match self.admin_find(spec) {
            Ok(v) => v,
            Err(e) => {
                return format!(
                    "{e}
"
                );
            }
        };
        let (Some(srv), Some(ss)) = (
            self.backends().get(bi).and_then(|b| b.servers.get(si)),
            self.stats.backends.get(bi).and_then(|b| b.servers.get(si)),
        ) else {
            return "No such server.
"
            .into();
        };
        let configured = agent_configured(srv);
        if enable && !configured {
            return "Agent was not configured on this server, cannot enable.
"
            .into();
        }
        ss.health.update(|h| {
            h.agent.configured = configured;
            h.agent.disabled = !enable;
        });
        if let Some(be) = self.backends().get(bi)
            && let Some(l) =
                crate::proxy::checks::live::find(self.stopping(), &be.name, srv.ir_idx, true)
        {
            l.enabled.store(enable, Relaxed);
        }
        String::new()
    }
}

/// `inet_pton` for IPv4 or IPv6, brackets allowed around IPv6 (HAProxy's `str2ip`
/// without resolution).
fn parse_ip(a: &str) -> Option<std::net::IpAddr> {
    a.parse::<std::net::Ipv4Addr>()
        .ok()
        .map(std::net::IpAddr::V4)
        .or_else(|| {
            a.strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(a)
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(std::net::IpAddr::V6)
        })
}

/// `srv_downtime`: seconds DOWN in total, counting the current DOWN period.
pub fn downtime(h: &CheckSnapshot, start_unix: u64) -> u64 {
    if h.op != OpState::Stopped {
        return h.down_time;
    }
    let since = h.last_change.unwrap_or(start_unix);
    h.down_time + unix_now().saturating_sub(since)
}

/// The `status` column of a server (`srv_hlt_st` in src/stats.c): `MAINT`, `DRAIN`,
/// `UP 1/3`, `DOWN 1/2`, `NOLB`, `no check`...; `checked`: the server has `check`;
/// `rise`/`fall` its parameters.
pub fn status_text(ss: &ServerStats, checked: bool, rise: u32, fall: u32) -> String {
    let admin = ss.admin.load(Relaxed);
    if admin & admf::MAINT != 0 {
        return "MAINT".into();
    }
    let h = ss.health.get();
    let health = h.health.unwrap_or(rise);
    let max = rise + fall - 1;
    let op = match ss.forced_health.load(Relaxed) {
        0 => OpState::Stopped,
        1 => OpState::Running,
        _ => h.check_op,
    };
    match op {
        OpState::Running => {
            let going_down = checked && health < max;
            if admin & admf::FDRAIN != 0 {
                if h.agent.enabled() {
                    "DRAIN (agent)".into()
                } else if going_down {
                    format!("DRAIN {}/{fall}", health + 1 - rise.min(health + 1))
                } else {
                    "DRAIN".into()
                }
            } else if going_down {
                format!("UP {}/{fall}", health + 1 - rise.min(health + 1))
            } else if checked {
                "UP".into()
            } else {
                "no check".into()
            }
        }
        OpState::Stopping => {
            if !checked || health == max {
                "NOLB".into()
            } else {
                format!("NOLB {}/{fall}", health + 1 - rise.min(health + 1))
            }
        }
        OpState::Stopped => {
            if h.agent.enabled() && h.agent.health == 0 {
                "DOWN (agent)".into()
            } else if checked && health > 0 {
                format!("DOWN {health}/{rise}")
            } else {
                "DOWN".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::checks::run::HealthEvent;

    fn event(up: bool, health: u32, transition: bool) -> HealthEvent {
        HealthEvent {
            backend: "be".into(),
            server: "s1".into(),
            server_idx: 0,
            up,
            reason: String::new(),
            info: if up { "" } else { "Connection refused" }.into(),
            check_duration_ms: 0,
            code: None,
            backup: false,
            draining: false,
            transition,
            status: if up { Status::L4Ok } else { Status::L4Con },
            health,
            rise: 2,
            fall: 3,
            result: if up {
                CheckResult::Passed
            } else {
                CheckResult::Failed
            },
            counted_failure: !up && health + 1 > 0,
            report: true,
            agent: None,
            hana: None,
        }
    }

    fn reg() -> Registry {
        let r = Registry::new(0, &[1]);
        r.backends[0].servers[0].uweight.store(1, Relaxed);
        r
    }

    #[test]
    fn a_passing_check_does_not_end_a_maintenance() {
        let r = reg();
        let ss = &r.backends[0].servers[0];
        ss.admin.fetch_or(admf::FMAINT, Relaxed);
        r.on_check(0, 0, &event(false, 0, true));
        r.on_check(0, 0, &event(true, 4, true));
        assert_eq!(effective_state(ss), ServerState::Maint);
        assert_eq!(status_text(ss, true, 2, 3), "MAINT");
        // leaving the maintenance returns to what the checks say
        ss.admin.fetch_and(!admf::FMAINT, Relaxed);
        assert_eq!(effective_state(ss), ServerState::Up);
        r.on_check(0, 0, &event(false, 0, true));
        ss.admin.fetch_or(admf::FDRAIN, Relaxed);
        assert_eq!(effective_state(ss), ServerState::Down);
    }

    /// An added server (HAProxy 2.6.12, measured): `show servers state` gives op 0, check
    /// status 1, health 0 and, its checks running in maintenance, state 6 and the check's
    /// health; no DOWN transition is counted for its creation.
    #[test]
    fn an_added_server_starts_stopped() {
        let r = reg();
        let ss = &r.backends[0].servers[0];
        ss.admin.fetch_or(admf::FMAINT, Relaxed);
        ss.start_stopped();
        assert_eq!(cols(ss, true, false, 2, 3), [0, 1, 0, 0, 6, 0]);
        assert_eq!(ss.sync_op(0).down_trans, 0);
        assert!(checks_run_in_maint(ss));
        r.on_check(0, 0, &event(true, 4, true));
        assert_eq!(cols(ss, true, false, 2, 3), [0, 6, 3, 4, 6, 0]);
        assert_eq!(status_text(ss, true, 2, 3), "MAINT");
    }

    /// `(op, check_status, check_result, check_health, check_state, agent_state)`.
    fn cols(ss: &ServerStats, checked: bool, agent: bool, rise: u32, fall: u32) -> [u32; 6] {
        let c = state_columns(ss, 0, checked, agent, rise, fall);
        [
            u32::from(c.op),
            u32::from(c.check_status),
            u32::from(c.check_result),
            c.check_health,
            c.check_state,
            c.agent_state,
        ]
    }

    #[test]
    fn servers_state_columns_are_haproxys() {
        // HAProxy 2.6.12 `show servers state` (op, status, result, health, state, agent),
        // inter 100 rise 2 fall 2: `s1 ... check` passing its httpchk, then in
        // maintenance, then ready again.
        let r = reg();
        let ss = &r.backends[0].servers[0];
        assert_eq!(cols(ss, true, false, 2, 2), [2, 1, 0, 2, 6, 0]);
        let mut ev = event(true, 3, true);
        ev.status = Status::L7OkD;
        r.on_check(0, 0, &ev);
        assert_eq!(cols(ss, true, false, 2, 2), [2, 15, 3, 3, 6, 0]);
        ss.admin.fetch_or(admf::FMAINT, Relaxed);
        assert_eq!(cols(ss, true, false, 2, 2), [0, 15, 3, 0, 14, 0]);
        ss.admin.fetch_and(!admf::FMAINT, Relaxed);
        assert_eq!(cols(ss, true, false, 2, 2), [2, 15, 3, 3, 6, 0]);
        // L7STS (404) and L4CON
        let mut ev = event(false, 0, true);
        ev.status = Status::L7Sts;
        r.on_check(0, 0, &ev);
        assert_eq!(cols(ss, true, false, 3, 2), [0, 17, 2, 0, 6, 0]);
        r.on_check(0, 0, &event(false, 0, false));
        assert_eq!(cols(ss, true, true, 2, 2), [0, 8, 2, 0, 6, 22]);

        // `s4` without check: `set server be/s4 health down`, then `health up`
        let r = reg();
        let ss = &r.backends[0].servers[0];
        assert_eq!(cols(ss, false, false, 2, 2), [2, 1, 0, 2, 0, 0]);
        ss.forced_health.store(0, Relaxed);
        assert_eq!(cols(ss, false, false, 2, 2), [0, 1, 0, 0, 0, 0]);
        ss.forced_health.store(1, Relaxed);
        assert_eq!(cols(ss, false, false, 2, 2), [2, 1, 0, 3, 0, 0]);
        // `m2` without check (rise 3): maintenance, then ready: the health stays 0
        let r = reg();
        let ss = &r.backends[0].servers[0];
        ss.admin.fetch_or(admf::FMAINT, Relaxed);
        ss.health_reset.store(true, Relaxed);
        assert_eq!(cols(ss, false, false, 3, 2), [0, 1, 0, 0, 0, 0]);
        ss.admin.fetch_and(!admf::FMAINT, Relaxed);
        assert_eq!(cols(ss, false, false, 3, 2), [2, 1, 0, 0, 0, 0]);
        // `s5 ... check disabled`: paused from the start; an agent alone (`a1`)
        let r = reg();
        let ss = &r.backends[0].servers[0];
        ss.admin.fetch_or(admf::CMAINT, Relaxed);
        assert_eq!(cols(ss, true, false, 2, 2), [0, 1, 0, 0, 14, 0]);
        assert_eq!(
            cols(&reg().backends[0].servers[0], false, true, 2, 2),
            [2, 1, 0, 2, 0, 22]
        );
    }

    #[tokio::test]
    async fn trackers_follow_with_haproxys_via_lines() {
        // HAProxy 2.6.12 with `-db` (measured): s1 fails its check; b2/t1 (`track
        // be/s1`), its tracker b2/t2 and be/s2 (`track s1`) follow, last declared first.
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
             backend be\n server s1 127.0.0.1:23981 check inter 100 fall 1 rise 1\n\
             server s2 127.0.0.1:23982 track s1\n\
             backend b2\n server t1 127.0.0.1:23983 track be/s1\n server t2 127.0.0.1:23983 track b2/t1\n",
        );
        let engine = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let mut ev = event(false, 0, true);
        ev.rise = 1;
        ev.fall = 1;
        ev.reason = Status::L4Con.description().into();
        let t = engine.on_health_event(&ev).expect("transition");
        let mut lines = vec![t.line.clone()];
        lines.extend(t.followers.iter().map(|f| {
            let alert = if f.no_server_left {
                format!(" + no server in {}", f.backend)
            } else {
                String::new()
            };
            format!("{}{alert}", f.line)
        }));
        assert_eq!(
            lines,
            [
                "Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
                "Server b2/t1 is DOWN via be/s1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
                "Server b2/t2 is DOWN via b2/t1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue. + no server in b2",
                "Server be/s2 is DOWN via be/s1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue. + no server in be",
            ]
        );
    }

    #[test]
    fn status_strings_are_haproxys() {
        // HAProxy 2.6.12 `show stat` status column, rise 2 fall 3, while s1 failed its
        // checks one by one: UP, UP 2/3, UP 1/3, DOWN; then DOWN 1/2 on the way up.
        let r = reg();
        let ss = &r.backends[0].servers[0];
        assert_eq!(status_text(ss, true, 2, 3), "UP 1/3");
        r.on_check(0, 0, &event(true, 4, false));
        assert_eq!(status_text(ss, true, 2, 3), "UP");
        assert_eq!(status_text(ss, false, 2, 3), "no check");
        r.on_check(0, 0, &event(true, 3, false));
        assert_eq!(status_text(ss, true, 2, 3), "UP 2/3");
        ss.admin.fetch_or(admf::FDRAIN, Relaxed);
        assert_eq!(status_text(ss, true, 2, 3), "DRAIN 2/3");
        ss.admin.fetch_and(!admf::FDRAIN, Relaxed);
        r.on_check(0, 0, &event(false, 0, true));
        assert_eq!(status_text(ss, true, 2, 3), "DOWN");
        r.on_check(0, 0, &event(false, 1, false));
        assert_eq!(status_text(ss, true, 2, 3), "DOWN 1/2");
        let h = ss.health.get();
        assert_eq!((h.failed, h.down_trans), (2, 1));
    }
}
