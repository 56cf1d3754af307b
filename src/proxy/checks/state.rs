//! The health-check state of one server, sans-IO, with HAProxy 2.6's semantics
//! (src/check.c: `set_server_check_status`, `check_notify_*`, `srv_getinter`, the
//! rescheduling in `process_chk_conn`).
//!
//! HAProxy keeps one counter, `health`, from 0 to `rise + fall - 1`. A server is up while
//! the counter is at least `rise`: a failure decrements it, and once it falls below `rise`
//! it drops to 0 and the server is marked DOWN, so an UP server goes DOWN after exactly
//! `fall` consecutive failures. A success increments it, and once it reaches `rise` it jumps
//! to the maximum and the server is marked UP, so a DOWN server comes back after exactly
//! `rise` consecutive successes. A server starts up with `health = rise` ("up, but will fall
//! down at first failure").
//!
//! The caller runs the checks (connect, send, expect) on its own I/O and feeds each result
//! with the virtual time it completed; the state answers the transition, if any, and when
//! the next check is due.

use crate::proxy::balance::Rng;

/// `inter`, `fastinter`, `downinter`, `rise`, `fall` of a `server` line and the global
/// `spread-checks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckParams {
    pub rise: u32,
    pub fall: u32,
    /// Milliseconds, default 2000.
    pub inter: u64,
    /// Used while the health is between the extremes; `None` = `inter`.
    pub fastinter: Option<u64>,
    /// Used while the server is DOWN; `None` = `inter`.
    pub downinter: Option<u64>,
    /// `spread-checks` percent (0..=50), 0 = off.
    pub spread_checks: u32,
}

impl Default for CheckParams {
    /// HAProxy's defaults: `inter 2s rise 2 fall 3`.
    fn default() -> Self {
        Self {
            rise: 2,
            fall: 3,
            inter: 2000,
            fastinter: None,
            downinter: None,
            spread_checks: 0,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    Passed,
    Failed,
    /// Passed, but the server asks not to get new traffic (e.g. `http-check
    /// disable-on-404`): counted as a success, the server ends STOPPING instead of RUNNING.
    CondPass,
    /// No state change asked (an agent's reply without a health word).
    Neutral,
}

/// The server's operational state as health checks drive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpState {
    Running,
    Stopping,
    Stopped,
}

impl OpState {
    /// The state to give the balancer ([`crate::proxy::balance::Balancer::set_state`]):
    /// a STOPPING server is drained (no new balanced traffic).
    pub fn balancer_state(self) -> crate::proxy::balance::ServerState {
        use crate::proxy::balance::ServerState;
        match self {
            OpState::Running => ServerState::Up,
            OpState::Stopping => ServerState::Drain,
            OpState::Stopped => ServerState::Down,
        }
    }
}

/// A change the caller must apply to the server (and its balancer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    WentDown,
    WentUp,
    /// Up but draining (`CondPass` at full health).
    WentStopping,
}

/// Health-check state of one server.
#[derive(Debug, Clone)]
pub struct CheckState {
    params: CheckParams,
    health: u32,
    state: OpState,
    next_due_ms: u64,
}

impl CheckState {
    /// A server starting up (RUNNING, `health = rise`) whose first check is due at
    /// `first_due_ms` (see [`initial_offset`]).
    pub fn new(params: CheckParams, first_due_ms: u64) -> Self {
        let params = CheckParams {
            rise: params.rise.max(1),
            fall: params.fall.max(1),
            ..params
        };
        Self {
            health: params.rise,
            params,
            state: OpState::Running,
            next_due_ms: first_due_ms,
        }
    }

    /// A server that starts DOWN (health 0), e.g. after `disabled` was lifted.
    pub fn new_down(params: CheckParams, first_due_ms: u64) -> Self {
        let mut s = Self::new(params, first_due_ms);
        s.health = 0;
        s.state = OpState::Stopped;
        s
    }

    pub fn health(&self) -> u32 {
        self.health
    }

    /// The parameters in use (rise and fall at least 1).
    pub fn params(&self) -> &CheckParams {
        &self.params
    }

    pub fn state(&self) -> OpState {
        self.state
    }

    /// When the next check should start (virtual milliseconds).
    pub fn next_due_ms(&self) -> u64 {
        self.next_due_ms
    }

    fn max_health(&self) -> u32 {
        self.params.rise + self.params.fall - 1
    }

    /// `srv_getinter`: `inter` at full health, `downinter` when DOWN, `fastinter` between.
    pub fn interval_ms(&self) -> u64 {
        let p = &self.params;
        if self.health == self.max_health() {
            return p.inter;
        }
        if self.state == OpState::Stopped && self.health == 0 {
            return p.downinter.unwrap_or(p.inter);
        }
        p.fastinter.unwrap_or(p.inter)
    }

    /// Records the result of a check that completed at `now_ms`, schedules the next one and
    /// returns the transition it causes, if any.
    pub fn on_result(
        &mut self,
        result: CheckResult,
        now_ms: u64,
        rng: &mut dyn Rng,
    ) -> Option<Transition> {
        let max = self.max_health();
        match result {
            CheckResult::Failed => {
                if self.health > 0 {
                    self.health -= 1;
                    if self.health < self.params.rise {
                        self.health = 0;
                    }
                }
            }
            CheckResult::Passed | CheckResult::CondPass => {
                if self.health < max {
                    self.health += 1;
                    if self.health >= self.params.rise {
                        self.health = max;
                    }
                }
            }
            CheckResult::Neutral => {}
        }
        let transition = match result {
            // check_notify_failure: only at health 0
            CheckResult::Failed if self.health == 0 && self.state != OpState::Stopped => {
                self.state = OpState::Stopped;
                Some(Transition::WentDown)
            }
            // check_notify_success: only at full health
            CheckResult::Passed if self.health == max && self.state != OpState::Running => {
                self.state = OpState::Running;
                Some(Transition::WentUp)
            }
            CheckResult::CondPass if self.health == max && self.state != OpState::Stopping => {
                self.state = OpState::Stopping;
                Some(Transition::WentStopping)
            }
            _ => None,
        };
        self.next_due_ms = now_ms.saturating_add_signed(self.spread(rng));
        transition
    }

    /// Sets the health counter (health analysis: `sudden-death`, `mark-down`), within
    /// its range.
    pub fn set_health(&mut self, h: u32) {
        self.health = h.min(self.max_health());
    }

    /// Sets the health counter as the admin path does (maintenance): at `rise` or more
    /// the server is up, at 0 down.
    pub fn reset_health(&mut self, h: u32) {
        self.set_health(h);
        if self.health >= self.params.rise {
            self.state = OpState::Running;
        } else if self.health == 0 {
            self.state = OpState::Stopped;
        }
    }

    /// The next check at `at_ms` (virtual milliseconds).
    pub fn reschedule_at(&mut self, at_ms: u64) {
        self.next_due_ms = at_ms;
    }

    /// The next check no later than `delay_ms` after `now_ms`.
    pub fn bring_forward(&mut self, now_ms: u64, delay_ms: u64) {
        self.next_due_ms = self.next_due_ms.min(now_ms.saturating_add(delay_ms));
    }

    /// Schedules the next check one interval after `now_ms` without a result (a check
    /// that did not run, an agent whose health the engine keeps).
    pub fn reschedule(&mut self, now_ms: u64) {
        self.next_due_ms = now_ms.saturating_add(self.params.inter);
    }

    /// The next interval with `spread-checks` applied: `inter +/- inter * spread%`, drawn as
    /// HAProxy does from one 32-bit random value.
    fn spread(&self, rng: &mut dyn Rng) -> i64 {
        let inter = self.interval_ms() as i64;
        if self.params.spread_checks == 0 {
            return inter;
        }
        let rv = inter * i64::from(self.params.spread_checks) / 100;
        let r = f64::from(rng.next_u32()) / 4_294_967_295.0;
        inter + rv - (2.0 * rv as f64 * r) as i64
    }
}

/// `start_checks`: HAProxy spreads the first checks of the servers over the smallest
/// interval, server `pos` (0-based, counted over all checked servers) of `count` starting at
/// `mininter * pos / count` milliseconds after start-up.
pub fn initial_offset(mininter_ms: u64, pos: u64, count: u64) -> u64 {
    (mininter_ms * pos).checked_div(count).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(st: &mut CheckState, results: &str) -> Vec<Option<Transition>> {
        let mut rng = || 0u32;
        let mut t = st.next_due_ms();
        results
            .chars()
            .map(|c| {
                let r = match c {
                    '+' => CheckResult::Passed,
                    '-' => CheckResult::Failed,
                    _ => CheckResult::CondPass,
                };
                let tr = st.on_result(r, t, &mut rng);
                t = st.next_due_ms();
                tr
            })
            .collect()
    }

    #[test]
    fn first_failure_at_start_marks_down() {
        // health starts at `rise`: one failure is enough at start-up
        let mut st = CheckState::new(CheckParams::default(), 0);
        assert_eq!(run(&mut st, "-"), vec![Some(Transition::WentDown)]);
    }

    #[test]
    fn up_goes_down_after_exactly_fall_and_back_after_rise() {
        let p = CheckParams {
            rise: 2,
            fall: 3,
            ..CheckParams::default()
        };
        let mut st = CheckState::new(p, 0);
        assert_eq!(run(&mut st, "+"), vec![None]);
        assert_eq!(st.health(), 4);
        let t = run(&mut st, "---");
        assert_eq!(t, vec![None, None, Some(Transition::WentDown)]);
        // one success then a failure: back to 0, still down
        assert_eq!(run(&mut st, "+-"), vec![None, None]);
        assert_eq!(run(&mut st, "++"), vec![None, Some(Transition::WentUp)]);
        // a success in the middle of failures restores full health
        assert_eq!(run(&mut st, "--+--"), vec![None; 5]);
        assert_eq!(run(&mut st, "-"), vec![Some(Transition::WentDown)]);
    }

    #[test]
    fn intervals_follow_health() {
        let p = CheckParams {
            rise: 2,
            fall: 2,
            inter: 1000,
            fastinter: Some(100),
            downinter: Some(5000),
            spread_checks: 0,
        };
        let mut st = CheckState::new(p, 0);
        // at start health = rise = 2 < max 3: transitional
        assert_eq!(st.interval_ms(), 100);
        let mut rng = || 0u32;
        st.on_result(CheckResult::Passed, 10, &mut rng);
        assert_eq!((st.interval_ms(), st.next_due_ms()), (1000, 1010));
        st.on_result(CheckResult::Failed, 1010, &mut rng);
        assert_eq!((st.interval_ms(), st.next_due_ms()), (100, 1110));
        st.on_result(CheckResult::Failed, 1110, &mut rng);
        assert_eq!(st.state(), OpState::Stopped);
        assert_eq!((st.interval_ms(), st.next_due_ms()), (5000, 6110));
        st.on_result(CheckResult::Passed, 6110, &mut rng);
        assert_eq!(st.interval_ms(), 100);
    }

    #[test]
    fn matches_observed_haproxy_2_6_transcript() {
        // HAProxy 2.6.12, `server s1 ... check inter 400 fastinter 100 downinter 1000 rise 2
        // fall 3` on a closed port, polled with `show servers state` (op_state, health):
        // at start (0,0) "is DOWN" after the first check; port opened; one check later
        // (about 1 s, downinter) (0,1); 100 ms later (fastinter) (2,4) "is UP".
        let p = CheckParams {
            rise: 2,
            fall: 3,
            inter: 400,
            fastinter: Some(100),
            downinter: Some(1000),
            spread_checks: 0,
        };
        let mut st = CheckState::new(p, 0);
        let mut rng = || 0u32;
        assert_eq!(
            st.on_result(CheckResult::Failed, 0, &mut rng),
            Some(Transition::WentDown)
        );
        assert_eq!((st.health(), st.next_due_ms()), (0, 1000));
        assert_eq!(st.on_result(CheckResult::Passed, 1000, &mut rng), None);
        assert_eq!((st.health(), st.next_due_ms()), (1, 1100));
        assert_eq!(
            st.on_result(CheckResult::Passed, 1100, &mut rng),
            Some(Transition::WentUp)
        );
        assert_eq!((st.health(), st.next_due_ms()), (4, 1500));
    }

    #[test]
    fn matches_observed_haproxy_2_6_fall_transcript() {
        // HAProxy 2.6.12, same server line, listener closed while UP (op_state 2, health
        // 4): (2,3) at the next regular check, (2,2) 100 ms later, (0,0) "is DOWN" 100 ms
        // after that: exactly `fall` failures, spaced by fastinter.
        let p = CheckParams {
            rise: 2,
            fall: 3,
            inter: 400,
            fastinter: Some(100),
            downinter: Some(1000),
            spread_checks: 0,
        };
        let mut st = CheckState::new(p, 0);
        let mut rng = || 0u32;
        st.on_result(CheckResult::Passed, 0, &mut rng);
        assert_eq!((st.health(), st.next_due_ms()), (4, 400));
        assert_eq!(st.on_result(CheckResult::Failed, 400, &mut rng), None);
        assert_eq!((st.health(), st.next_due_ms()), (3, 500));
        assert_eq!(st.on_result(CheckResult::Failed, 500, &mut rng), None);
        assert_eq!((st.health(), st.next_due_ms()), (2, 600));
        assert_eq!(
            st.on_result(CheckResult::Failed, 600, &mut rng),
            Some(Transition::WentDown)
        );
        assert_eq!((st.health(), st.next_due_ms()), (0, 1600));
    }

    /// (time in ms, `show servers state` op_state, check health)
    type Change = (i64, u64, u64);

    /// Simulates the recorded run (port closed, opened, closed again at the transcript's
    /// times) with the first check at `first_ms`; returns the (time, op_state, health)
    /// changes as `show servers state` reports them.
    fn simulate(first_ms: i64, opened: i64, closed: i64, end: i64) -> Vec<Change> {
        let p = CheckParams {
            rise: 2,
            fall: 3,
            inter: 400,
            fastinter: Some(100),
            downinter: Some(1000),
            spread_checks: 0,
        };
        // virtual time is offset so that it stays unsigned
        let base = 10_000i64;
        let mut st = CheckState::new(p, (first_ms + base) as u64);
        let mut rng = || 0u32;
        let mut out: Vec<Change> = Vec::new();
        loop {
            let t = st.next_due_ms() as i64 - base;
            if t > end {
                break;
            }
            let up = t >= opened && t < closed;
            let r = if up {
                CheckResult::Passed
            } else {
                CheckResult::Failed
            };
            st.on_result(r, (t + base) as u64, &mut rng);
            let op = match st.state() {
                OpState::Stopped => 0,
                OpState::Running => 2,
                OpState::Stopping => 3,
            };
            let cur = (op, u64::from(st.health()));
            if out.last().map(|l| (l.1, l.2)) != Some(cur) {
                out.push((t, cur.0, cur.1));
            }
        }
        out
    }

    #[test]
    fn replays_recorded_haproxy_transcript() {
        // testdata/health_transcript.json: recorded from HAProxy 2.6.12 by
        // `tools/record-balance --checks`
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/proxy/checks/testdata/health_transcript.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let at = |what: &str| {
            v["events"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["event"] == what)
                .and_then(|e| e["t_ms"].as_i64())
                .unwrap_or_else(|| panic!("no {what}"))
        };
        let (opened, closed) = (at("port opened"), at("port closed"));
        let rec: Vec<Change> = v["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let g = |k: &str| c[k].as_i64().unwrap_or(-1);
                (g("t_ms"), g("op_state") as u64, g("health") as u64)
            })
            .collect();
        let end = rec.last().map_or(0, |l| l.0) + 50;
        // The first check ran before polling started at an unknown time: take the offset
        // (within one downinter) that fits best, then require the same states in the same
        // order, each within 30 ms of when HAProxy reported it (5 ms polling).
        let mut best: Option<(i64, Vec<Change>)> = None;
        for first in -1000..=0 {
            let sim = simulate(first, opened, closed, end);
            let states_eq = sim.len() == rec.len()
                && sim.iter().zip(&rec).all(|(a, b)| (a.1, a.2) == (b.1, b.2));
            if !states_eq {
                continue;
            }
            let err = sim
                .iter()
                .zip(&rec)
                .skip(1)
                .map(|(a, b)| (a.0 - b.0).abs())
                .max()
                .unwrap_or(0);
            if best.as_ref().is_none_or(|(e, _)| err < *e) {
                best = Some((err, sim));
            }
        }
        let (err, sim) = best.unwrap_or_else(|| panic!("no simulation matches {rec:?}"));
        assert!(
            err <= 30,
            "timing off by {err} ms: sim {sim:?} vs haproxy {rec:?}"
        );
    }

    #[test]
    fn spread_draws_within_bounds() {
        let p = CheckParams {
            spread_checks: 50,
            ..CheckParams::default()
        };
        let mut st = CheckState::new(p, 0);
        let mut lo = || 0u32;
        st.on_result(CheckResult::Passed, 0, &mut lo);
        assert_eq!(st.next_due_ms(), 3000);
        let mut hi = || u32::MAX;
        st.on_result(CheckResult::Passed, 0, &mut hi);
        assert_eq!(st.next_due_ms(), 1000);
        assert_eq!(initial_offset(2000, 1, 4), 500);
    }

    #[test]
    fn condpass_stops_then_pass_runs() {
        let mut st = CheckState::new(CheckParams::default(), 0);
        assert_eq!(run(&mut st, "c"), vec![Some(Transition::WentStopping)]);
        assert_eq!(run(&mut st, "+"), vec![Some(Transition::WentUp)]);
    }

    /// HAProxy 2.6.12, measured: entering maintenance zeroes the health, leaving it sets
    /// `rise` (UP at once, `UP 1/3`) and the next success reports `3/3 UP` without a
    /// transition; an added server's first checks go `1/2 DOWN` then `3/3 UP`.
    #[test]
    fn reset_health_as_maintenance_does() {
        let p = CheckParams {
            rise: 2,
            fall: 3,
            ..CheckParams::default()
        };
        let mut st = CheckState::new(p, 0);
        run(&mut st, "+");
        st.reset_health(0);
        assert_eq!((st.health(), st.state()), (0, OpState::Stopped));
        st.reset_health(2);
        assert_eq!((st.health(), st.state()), (2, OpState::Running));
        assert_eq!(run(&mut st, "+"), vec![None]);
        assert_eq!(st.health(), 4);
        let mut added = CheckState::new(p, 0);
        added.reset_health(0);
        assert_eq!(run(&mut added, "+"), vec![None]);
        assert_eq!(added.health(), 1);
        assert_eq!(run(&mut added, "+"), vec![Some(Transition::WentUp)]);
        assert_eq!(added.health(), 4);
    }
}
