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

use super::{Registry, ServerStats, admf, unix_now};
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
    let ss = engine.stats.backends.get(bi)?.servers.get(si)?;
    let log_checks = be
        .ir
        .settings
        .option("log-health-checks")
        .is_some_and(|o| o.enabled);
    if log_checks
        && ev.report
        && let Some(l) = engine.backend_log(&be.name)
    {
        use crate::proxy::log::syslog::Level;
        let weighted = ss.uweight.load(Relaxed) != 0;
        l.event((
            Level::Notice,
            crate::proxy::checks::run::check_log_message(ev, weighted),
        ));
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
    Some((effective_state(ss), reason))
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
        self.server_transition(&be, si, effective_state(ss), reason)
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
