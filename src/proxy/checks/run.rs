//! Health checks on real sockets (tokio), driving [`super::state`], with HAProxy 2.6's
//! semantics: what is sent, how replies are judged, the timeouts, the scheduling and the
//! texts of the transitions.
//!
//! Use: [`plan_for_backend`] for every backend (in config order), then one [`spawn`] with
//! all the plans; [`HealthEvent`]s arrive on the channel at each UP/DOWN transition, and
//! [`transition_message`] renders HAProxy's log line for one.

mod exec;
mod plan;
mod proto;

use std::net::IpAddr;

use tokio::sync::{mpsc, watch};

use super::state::{CheckParams, CheckResult, CheckState, OpState};
use crate::ir::haproxy as ir;

pub use plan::Step;

/// The health check of one server (one per server line with `check`).
#[derive(Debug, Clone)]
pub struct CheckPlan {
    pub backend: String,
    pub server: String,
    /// Index of the server in `proxy.servers`.
    pub server_idx: usize,
    pub backup: bool,
    pub params: CheckParams,
    /// Where the check connects by default: the server's `addr` (else its address) and
    /// `port` (else its port).
    pub target: Target,
    /// What kind of check this is (for logs and stats).
    pub kind: CheckKind,
    /// Timeout of the connect phase (HAProxy: `min(timeout connect, inter)` when `timeout
    /// check` is set, else `inter`).
    pub connect_timeout_ms: u64,
    /// `timeout check`. Once connected, the check may last until the later of the connect
    /// deadline and `connected + timeout check` (HAProxy 2.6 only looks at it when the
    /// connect timer fires, measured); without it, the whole check gets `inter`.
    pub check_timeout_ms: Option<u64>,
    /// The tcp-check ruleset the check runs (every kind is one, as in HAProxy 2.2+).
    pub steps: Vec<Step>,
    /// `http-check disable-on-404`.
    pub disable_on_404: bool,
    /// PROXY protocol version sent first (0 = none).
    pub send_proxy: u8,
    /// Something of the configuration tandem does not run as HAProxy would.
    pub warning: Option<String>,
    /// Global `max-spread-checks` (ms): caps the window the first checks are spread over.
    pub max_spread_checks_ms: Option<u64>,
    /// The target's address is the server's (no `addr` / `agent-addr`), and its port
    /// (no `port` / `agent-port`): `set server ... addr` moves the check with it.
    pub follows_server: (bool, bool),
}

impl CheckPlan {
    /// The plan with the runtime API's changes ([`super::live::Override`]) applied.
    fn with_override(&self, ov: &super::live::Override) -> std::borrow::Cow<'_, CheckPlan> {
        if *ov == super::live::Override::default() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut p = self.clone();
        if self.follows_server.0
            && let Some(ip) = ov.server_ip
        {
            p.target.ip = Some(ip);
            p.target.host = ip.to_string();
            p.target.unix = None;
        }
        if self.follows_server.1
            && let Some(port) = ov.server_port
        {
            p.target.port = port;
        }
        if let Some(ip) = ov.ip {
            p.target.ip = Some(ip);
            p.target.host = ip.to_string();
            p.target.unix = None;
        }
        if let Some(port) = ov.port {
            p.target.port = port;
        }
        if let Some(send) = &ov.send {
            p.steps.retain(|s| !matches!(s, Step::Send(_)));
            if !send.is_empty() {
                p.steps.insert(
                    1,
                    Step::Send(plan::SendStep {
                        data: plan::SendData::Bytes(send.clone()),
                        comment: None,
                        step_id: 1,
                    }),
                );
            }
        }
        std::borrow::Cow::Owned(p)
    }
}

/// HAProxy's check statuses (src/check.c `check_statuses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    L4Ok,
    L4Tout,
    L4Con,
    L6Ok,
    L6Tout,
    L6Rsp,
    L7Tout,
    L7Rsp,
    L7OkD,
    L7OkCD,
    L7Sts,
    SockErr,
    /// An agent's reply without a health word (HCHK_STATUS_CHECKED): no state change.
    Checked,
    /// `observe` found too many errors in the traffic (HCHK_STATUS_HANA).
    Hana,
}

impl Status {
    pub fn description(self) -> &'static str {
        match self {
            Status::L4Ok => "Layer4 check passed",
            Status::L4Tout => "Layer4 timeout",
            Status::L4Con => "Layer4 connection problem",
            Status::L6Ok => "Layer6 check passed",
            Status::L6Tout => "Layer6 timeout",
            Status::L6Rsp => "Layer6 invalid response",
            Status::L7Tout => "Layer7 timeout",
            Status::L7Rsp => "Layer7 invalid response",
            Status::L7OkD => "Layer7 check passed",
            Status::L7OkCD => "Layer7 check conditionally passed",
            Status::L7Sts => "Layer7 wrong status",
            Status::SockErr => "Socket error",
            Status::Checked => "No status change",
            Status::Hana => "Health analyze",
        }
    }

    /// The short name of the stats' `check_status` column (`get_check_status_info`).
    pub fn name(self) -> &'static str {
        match self {
            Status::L4Ok => "L4OK",
            Status::L4Tout => "L4TOUT",
            Status::L4Con => "L4CON",
            Status::L6Ok => "L6OK",
            Status::L6Tout => "L6TOUT",
            Status::L6Rsp => "L6RSP",
            Status::L7Tout => "L7TOUT",
            Status::L7Rsp => "L7RSP",
            Status::L7OkD => "L7OK",
            Status::L7OkCD => "L7OKC",
            Status::L7Sts => "L7STS",
            Status::SockErr => "SOCKERR",
            Status::Checked => "CHECKED",
            Status::Hana => "HANA",
        }
    }

    /// The `enum healthcheck_status` value (`srv_check_status` of `show servers state`;
    /// measured: L4CON is 8, L7OK 15).
    pub fn code(self) -> u8 {
        match self {
            Status::Checked => 3,
            Status::Hana => 4,
            Status::SockErr => 5,
            Status::L4Ok => 6,
            Status::L4Tout => 7,
            Status::L4Con => 8,
            Status::L6Ok => 9,
            Status::L6Tout => 10,
            Status::L6Rsp => 11,
            Status::L7Tout => 12,
            Status::L7Rsp => 13,
            Status::L7OkD => 15,
            Status::L7OkCD => 16,
            Status::L7Sts => 17,
        }
    }

    /// Statuses from HCHK_STATUS_L57DATA on carry a code (`, code: 200`).
    pub fn shows_code(self) -> bool {
        matches!(self, Status::L7OkD | Status::L7OkCD | Status::L7Sts)
    }

    /// What the result counts as for the rise/fall counter.
    pub fn result(self) -> CheckResult {
        match self {
            Status::L4Ok | Status::L6Ok | Status::L7OkD => CheckResult::Passed,
            Status::L7OkCD => CheckResult::CondPass,
            Status::Checked => CheckResult::Neutral,
            _ => CheckResult::Failed,
        }
    }
}

/// Host and port a check connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As written (a literal IP or a name to resolve).
    pub host: String,
    pub ip: Option<IpAddr>,
    pub port: u16,
    /// A unix socket server (`unix@PATH` or a path): the check connects there unless a
    /// `tcp-check connect` gives a port or an address.
    pub unix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Plain TCP connect (`check` alone).
    Tcp,
    /// `option httpchk` / `http-check`.
    Http,
    /// `option tcp-check`.
    TcpCheck,
    SslHello,
    Mysql,
    Pgsql,
    Redis,
    Smtp,
    Ldap,
    /// `agent-check`: the agent's reply line drives the server (see [`super::agent`]).
    Agent,
}

/// One UP/DOWN transition of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthEvent {
    pub backend: String,
    pub server: String,
    pub server_idx: usize,
    pub up: bool,
    /// HAProxy's check status description ("Layer4 connection problem", "Layer7 wrong
    /// status", ...).
    pub reason: String,
    /// The check's detail ("Connection refused", "Internal Server Error"), may be empty.
    /// Bytes received from the server are kept one char per byte (U+0000..U+00FF); render
    /// with [`HealthEvent::status_text`] or [`transition_message`], which encode what
    /// HAProxy encodes (`<3C>`).
    pub info: String,
    pub check_duration_ms: u64,
    /// The HTTP (or L7) code, for the statuses where HAProxy prints it (`, code: 200`).
    pub code: Option<i64>,
    pub backup: bool,
    /// UP but draining (`http-check disable-on-404` answered 404): no new balanced traffic.
    pub draining: bool,
    /// The operational state changed (UP/DOWN/stopping). `false`: a check result that moved
    /// nothing but the counters, sent so that the stats columns and `option
    /// log-health-checks` see every check.
    pub transition: bool,
    /// The check's status (the stats' `check_status`).
    pub status: Status,
    /// The health counter after this check (`check_health`), and the server's rise/fall.
    pub health: u32,
    pub rise: u32,
    pub fall: u32,
    /// What the result counted as.
    pub result: CheckResult,
    /// The failure was counted in `chkfail` (HAProxy counts failures while health > 0).
    pub counted_failure: bool,
    /// HAProxy's `option log-health-checks` reports this check: its status or its health
    /// changed (`set_server_check_status`).
    pub report: bool,
    /// An agent check's result: the engine interprets it (its health, state and texts
    /// depend on the server), the fields above but the status, info and duration do not
    /// apply.
    pub agent: Option<AgentOutcome>,
    /// A health analysis (`observe`) reached its error limit (counted in `hanafail`):
    /// `Some(true)` when it failed the check (`on-error` but `fastinter`), `Some(false)`
    /// when it only brought the next check forward (nothing else in the event applies).
    pub hana: Option<bool>,
}

/// What an agent check read: `None` when it failed before a reply (the status says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOutcome {
    pub read: Option<super::agent::Read>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckError {
    #[error("server {backend}/{server}: no port to check (set `port` or a server port)")]
    NoPort { backend: String, server: String },
    #[error("server {backend}/{server}: no address to check")]
    NoAddress { backend: String, server: String },
    #[error("backend {backend}: {msg}")]
    Rule { backend: String, msg: String },
}

/// The check plans of the servers of `proxy` that have `check` (not `disabled`, not
/// tracking another server), in server order.
pub fn plan_for_backend(cfg: &ir::Config, proxy: &ir::Proxy) -> Result<Vec<CheckPlan>, CheckError> {
    plan::plan_for_backend(cfg, proxy)
}

/// Starts one task per plan on the current tokio runtime. Transitions are sent on `tx`;
/// the tasks end when `stop` turns true (or its sender is dropped) or `tx` is closed.
/// Pass every plan of the configuration at once: as HAProxy's `start_checks`, the first
/// checks are spread over the smallest interval by position in this list.
pub fn spawn(
    plans: Vec<CheckPlan>,
    tx: mpsc::UnboundedSender<HealthEvent>,
    stop: watch::Receiver<bool>,
) {
    let count = plans.len() as u64;
    let mininter = plans
        .iter()
        .map(|p| CheckState::new(p.params, 0).interval_ms())
        .filter(|&i| i >= 1000)
        .min()
        .unwrap_or(0);
    for (pos, plan) in plans.into_iter().enumerate() {
        // start_check_task: the window is at least the server's own interval, at most
        // `max-spread-checks`.
        let own = CheckState::new(plan.params, 0).interval_ms();
        let mut window = mininter.max(own);
        if let Some(m) = plan.max_spread_checks_ms.filter(|&m| m > 0) {
            window = window.min(m);
        }
        let first = super::state::initial_offset(window, pos as u64, count);
        tokio::spawn(run_one(plan, first, tx.clone(), stop.clone()));
    }
}

async fn run_one(
    plan: CheckPlan,
    first_ms: u64,
    tx: mpsc::UnboundedSender<HealthEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let start = tokio::time::Instant::now();
    let now_ms = |start: tokio::time::Instant| start.elapsed().as_millis() as u64;
    let mut st = CheckState::new(plan.params, first_ms);
    let mut rng = exec::SmallRng::seeded(plan.server_idx as u64);
    let is_agent = plan.kind == CheckKind::Agent;
    let live = super::live::get(&stop, &plan.backend, plan.server_idx, is_agent);
    // HAProxy starts at HCHK_STATUS_INI: the first result is always a status change
    let mut last_status = None;
    loop {
        if *stop.borrow() {
            return;
        }
        let due = start + std::time::Duration::from_millis(st.next_due_ms());
        tokio::select! {
            _ = tokio::time::sleep_until(due) => {}
            r = stop.changed() => {
                if r.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
            _ = live.hana_ready.notified() => {
                for req in live.take_hana() {
                    let ev = apply_hana(&plan, &mut st, req, now_ms(start), &mut rng, last_status);
                    if ev.hana == Some(true) {
                        last_status = Some(Status::Hana);
                    }
                    if tx.send(ev).is_err() {
                        return;
                    }
                }
                continue;
            }
        }
        let reset = live
            .reset_health
            .swap(-1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(h) = u32::try_from(reset) {
            st.reset_health(h);
        }
        let running = st.state() != OpState::Stopped;
        if !live.enabled.load(std::sync::atomic::Ordering::Relaxed)
            || live.paused.load(std::sync::atomic::Ordering::Relaxed)
        {
            // `disable agent | health`, maintenance: no check until enabled again
            st.reschedule(now_ms(start));
            continue;
        }
        let ov = live.get();
        let eff = plan.with_override(&ov);
        live.in_progress
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let outcome = tokio::select! {
            o = exec::run_check(&eff, running) => o,
            r = stop.changed() => {
                live.in_progress.store(false, std::sync::atomic::Ordering::Relaxed);
                if r.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
        };
        live.in_progress
            .store(false, std::sync::atomic::Ordering::Relaxed);
        if is_agent {
            // the engine interprets the reply; the agent runs every `agent-inter`
            st.reschedule(now_ms(start));
            let ev = HealthEvent {
                backend: plan.backend.clone(),
                server: plan.server.clone(),
                server_idx: plan.server_idx,
                up: true,
                reason: outcome.status.description().to_string(),
                info: outcome.info,
                check_duration_ms: outcome.duration_ms,
                code: outcome.status.shows_code().then_some(outcome.code),
                backup: plan.backup,
                draining: false,
                transition: false,
                status: outcome.status,
                health: 1,
                rise: 1,
                fall: 1,
                result: outcome.status.result(),
                counted_failure: false,
                report: false,
                agent: Some(AgentOutcome {
                    read: outcome.agent,
                }),
                hana: None,
            };
            if tx.send(ev).is_err() {
                return;
            }
            continue;
        }
        let before = st.health();
        let result = outcome.status.result();
        let tr = st.on_result(result, now_ms(start), &mut rng);
        let ev = HealthEvent {
            backend: plan.backend.clone(),
            server: plan.server.clone(),
            server_idx: plan.server_idx,
            up: st.state() != OpState::Stopped,
            reason: outcome.status.description().to_string(),
            info: outcome.info,
            check_duration_ms: outcome.duration_ms,
            code: outcome.status.shows_code().then_some(outcome.code),
            backup: plan.backup,
            draining: st.state() == OpState::Stopping,
            transition: tr.is_some(),
            status: outcome.status,
            health: st.health(),
            rise: st.params().rise,
            fall: st.params().fall,
            result,
            counted_failure: result == CheckResult::Failed && before > 0,
            report: last_status != Some(outcome.status) || before != st.health(),
            agent: None,
            hana: None,
        };
        last_status = Some(outcome.status);
        if tx.send(ev).is_err() {
            return;
        }
    }
}

/// `__health_adjust` at the error limit: the check's health as `on-error` says, then
/// the next check within `fastinter` (at once without one), as HAProxy 2.6 does.
fn apply_hana(
    plan: &CheckPlan,
    st: &mut CheckState,
    req: super::observe::HanaReq,
    now: u64,
    rng: &mut exec::SmallRng,
    last_status: Option<Status>,
) -> HealthEvent {
    use super::observe::OnError;
    let rise = st.params().rise;
    let before = st.health();
    let applied = req.on_error != OnError::FastInter;
    let mut tr = None;
    match req.on_error {
        OnError::FastInter => {}
        OnError::SuddenDeath if before > rise => st.set_health(rise + 1),
        OnError::MarkDown => st.set_health(rise),
        _ => {}
    }
    let pre = st.health();
    if applied {
        // a failed check without a check: the task keeps its schedule
        let due = st.next_due_ms();
        tr = st.on_result(CheckResult::Failed, now, rng);
        st.reschedule_at(due);
    }
    st.bring_forward(now, plan.params.fastinter.unwrap_or(0));
    let status = if applied {
        Status::Hana
    } else {
        last_status.unwrap_or(Status::Hana)
    };
    HealthEvent {
        backend: plan.backend.clone(),
        server: plan.server.clone(),
        server_idx: plan.server_idx,
        up: st.state() != OpState::Stopped,
        reason: status.description().to_string(),
        info: if applied { req.info } else { String::new() },
        check_duration_ms: 0,
        code: None,
        backup: plan.backup,
        draining: st.state() == OpState::Stopping,
        transition: tr.is_some(),
        status,
        health: st.health(),
        rise,
        fall: st.params().fall,
        result: CheckResult::Failed,
        counted_failure: applied && pre > 0,
        report: applied,
        agent: None,
        hana: Some(applied),
    }
}

impl HealthEvent {
    /// The part of HAProxy's transition line after "reason: ": `Layer7 wrong status,
    /// code: 500, info: "Internal Server Error", check duration: 1ms`.
    pub fn status_text(&self) -> String {
        let mut m = self.reason.clone();
        if let Some(c) = self.code {
            m.push_str(&format!(", code: {c}"));
        }
        if !self.info.is_empty() {
            m.push_str(&format!(", info: \"{}\"", ascii_encode(&self.info)));
        }
        // HAProxy's `duration = -1` for a health analysis
        if self.status != Status::Hana {
            m.push_str(&format!(", check duration: {}ms", self.check_duration_ms));
        }
        m
    }
}

/// HAProxy's log line for a transition (without the `[WARNING]  (PID) : ` prefix), e.g.
/// `Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused",
/// check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0
/// requeued, 0 remaining in queue.` The counts are the backend's after the transition.
pub fn transition_message(
    ev: &HealthEvent,
    active_left: usize,
    backup_left: usize,
    sessions_active: u64,
    requeued: u64,
    remaining_in_queue: u64,
) -> String {
    use std::fmt::Write as _;
    let mut m = String::new();
    let _ = write!(
        m,
        "{}Server {}/{} is {}",
        if ev.backup { "Backup " } else { "" },
        ev.backend,
        ev.server,
        match (ev.up, ev.draining) {
            (false, _) => "DOWN",
            (true, false) => "UP",
            (true, true) => "stopping",
        }
    );
    let _ = write!(m, ", reason: {}", ev.status_text());
    let on_backup = if backup_left > 0 && active_left == 0 {
        " Running on backup."
    } else {
        ""
    };
    if ev.up {
        let _ = write!(
            m,
            ". {active_left} active and {backup_left} backup servers online.{on_backup} \
             {requeued} sessions requeued, {remaining_in_queue} total in queue."
        );
    } else {
        let _ = write!(
            m,
            ". {active_left} active and {backup_left} backup servers left.{on_backup} \
             {sessions_active} sessions active, {requeued} requeued, \
             {remaining_in_queue} remaining in queue."
        );
    }
    m
}

/// `option log-health-checks`: HAProxy's line for one check whose status or health
/// changed (`set_server_check_status`), without the `[WARNING]  (PID) : ` prefix, e.g.
/// `Health check for server be/s1 failed, reason: Layer4 connection problem, info:
/// "Connection refused", check duration: 0ms, status: 2/3 UP.` `weighted`: the server's
/// user weight is not 0 (HAProxy says DRAIN for an up server of weight 0).
pub fn check_log_message(ev: &HealthEvent, weighted: bool) -> String {
    let (a, b, word) = if ev.health >= ev.rise {
        (
            ev.health - ev.rise + 1,
            ev.fall,
            if weighted { "UP" } else { "DRAIN" },
        )
    } else {
        (ev.health, ev.rise, "DOWN")
    };
    format!(
        "{} check for {}server {}/{} {}{}, reason: {}, status: {a}/{b} {word}.",
        if ev.agent.is_some() {
            "Agent"
        } else {
            "Health"
        },
        if ev.backup { "backup " } else { "" },
        ev.backend,
        ev.server,
        if ev.result == CheckResult::CondPass {
            "conditionally "
        } else {
            ""
        },
        if ev.result == CheckResult::Failed {
            "failed"
        } else {
            "succeeded"
        },
        ev.status_text()
    )
}

/// HAProxy's alert when the last server of a backend goes down (without the `[ALERT]
/// (PID) : ` prefix).
pub fn no_server_available_message(backend: &str) -> String {
    format!("backend '{backend}' has no server available!")
}

/// `chunk_asciiencode(.., '"')`: bytes below 0x20 or from 0x7f, `<`, `>` and the quote as
/// `<XX>` (measured: `-ERR \x7f\xe9<>"q\ttab` prints as `-ERR <7F><E9><3C><3E><22>q<09>tab`).
/// The info holds one char per byte (U+0000..U+00FF); other chars (from the
/// configuration) are encoded byte by byte in UTF-8.
fn ascii_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let code = u32::from(c);
        if code > 0xff {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("<{b:02X}>"));
            }
        } else if !(0x20..0x7f).contains(&code) || matches!(c, '"' | '<' | '>') {
            out.push_str(&format!("<{code:02X}>"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
