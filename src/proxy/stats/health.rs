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
            h.check_op = match (ev.up, ev.draining) {
                (false, _) => OpState::Stopped,
                (true, false) => OpState::Running,
                (true, true) => OpState::Stopping,
            };
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
    let state = effective_state(ss);
    on_marked(engine, be, si, state);
    if !be.server_usable(si) && matches!(state, ServerState::Up | ServerState::Drain) {
        start_slowstart(engine, be, si);
    }
    Some((state, reason))
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
    let check_health = if maint {
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
            (true, true) => 14,
            // the checks of a server `disabled` in the configuration start paused
            (false, _) if admin & admf::CMAINT != 0 => 8,
            (false, _) => 0,
        },
        agent_state: if agent { 22 } else { 0 },
    }
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
                if going_down {
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
            if checked && health > 0 {
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
