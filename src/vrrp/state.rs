//! The per-instance VRRP state machine (RFC 3768 6.4 / RFC 5798 6.4, plus keepalived's FAULT
//! state and its choices), sans I/O: the caller passes the time in (a [`Time`] measured from
//! any fixed origin, e.g. `Instant::now() - start`), feeds received packets and timer expiries,
//! and carries out the returned [`Action`]s. [`Instance::next_deadline`] says when to call
//! [`Instance::handle_timer`] next.
//!
//! keepalived behaviours reproduced here (measured on keepalived 2.2.7 in a network namespace
//! where noted, otherwise read from keepalived's vrrp.c / vrrp_scheduler.c):
//! - Startup: every instance enters BACKUP ("(VI_1) Entering BACKUP STATE (init)") and waits
//!   Master_Down_Interval, including `state MASTER` instances whose priority is below 255
//!   (measured: `state MASTER` + priority 254 became master 3.0 s + skew after start;
//!   `keepalived -t` says "nopreempt will not work with initial state MASTER - clearing" and
//!   the same for preempt_delay, so those two are ignored for such instances). Only an
//!   address owner (priority 255) configured `state MASTER` becomes master at once (measured);
//!   an owner configured `state BACKUP` waits like the others (measured).
//! - Skew_Time and Master_Down_Interval are computed in microseconds as keepalived does
//!   (v2: (256 - priority) / 256 s; v3: (256 - priority) * Master_Adver_Interval / 256), not
//!   truncated to whole centiseconds as RFC 5798's text would: the difference is under 10 ms
//!   and matching keepalived keeps mixed pairs' timing identical.
//! - Backup accepts an advert with priority >= its own (no address tie-break in backup), or
//!   any advert with `nopreempt`, or while `preempt_delay` runs; a lower priority advert is
//!   discarded without restarting the timer, so the backup takes over Master_Down_Interval
//!   after the last accepted advert.
//! - Master: a priority 0 advert is answered with an advert at once; a lower priority advert
//!   (or equal priority from a lower address) is answered with an advert ("forcing new
//!   election") unless `lower_prio_no_advert`; a higher one (or equal from a higher address)
//!   sends us to BACKUP. Two owners: ours drops to 254, as keepalived does.
//! - A v3 backup learns Master_Adver_Interval from the master's adverts (RFC 5798 6.4.2).
//!   keepalived resets it to the local interval when a master steps down; we keep the learned
//!   value as RFC 5798 6.4.3 says (it only matters until the next advert).
//! - Shutdown as master sends priority 0 ("(VI_1) sent 0 priority") and removes the VIPs.
//! - Gratuitous ARP / NA sets are scheduled here too (they are timers): `garp_master_repeat`
//!   on becoming master and again after `garp_master_delay`, `garp_master_refresh_repeat`
//!   every `garp_master_refresh`, `garp_lower_prio_repeat` on a lower priority advert and again
//!   after `garp_lower_prio_delay`; all cancelled when leaving MASTER.
//! - `down_timer_adverts` replaces the 3 of Master_Down_Interval, as in keepalived 2.2.7.

use std::net::IpAddr;
use std::time::Duration;

use super::config::{ConfigError, InitialState, InstanceConfig};
use super::packet::{Advert, ChecksumKind, IpMeta, PacketError, Version, parse_ipv4};
use super::validate::{Stats, check_packet};

/// Virtual time: a duration since an origin chosen by the caller.
pub type Time = Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum State {
    Initialize,
    Backup,
    Master,
    Fault,
}

impl std::fmt::Display for State {
    /// keepalived's names (as in its notify arguments and data dump).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Initialize => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
            State::Fault => "FAULT",
        })
    }
}

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send an advert built by [`Instance::advert`] with this priority.
    SendAdvert {
        priority: u8,
    },
    AddVips,
    DelVips,
    /// Gratuitous ARPs (IPv4) / unsolicited NAs (IPv6) for every VIP, `repeat` of each,
    /// spaced by `vrrp_garp_interval` / `vrrp_gna_interval` (the I/O layer's business).
    SendGratuitous {
        repeat: u32,
    },
    Transition {
        from: State,
        to: State,
    },
    /// A line for the log, in keepalived's words, e.g. `(VI_1) Entering MASTER STATE`.
    Log(String),
    /// A sync group member's Master_Down timer expired: it would become master, but the
    /// group decides ([`super::sync::SyncGroup`]); it stays BACKUP until told.
    WantMaster,
}

#[derive(Debug, Clone)]
pub struct Instance {
    cfg: InstanceConfig,
    state: State,
    base_priority: u8,
    effective_priority: u8,
    master_adver_int: Duration,
    deadline: Option<Time>,
    preempt_time: Option<Time>,
    master_addr: Option<IpAddr>,
    master_priority: u8,
    fault: bool,
    old_unicast_checksum: bool,
    /// Master only: the second GARP set after becoming master, the second set after a lower
    /// priority advert, and the periodic refresh.
    garp_second: Option<Time>,
    garp_lower: Option<Time>,
    garp_refresh: Option<Time>,
    stats: Stats,
    /// Member of a `vrrp_sync_group`: becoming master and leaving FAULT are the group's call.
    sync: bool,
    /// Sync member whose down timer expired (keepalived's wantstate GOTO_MASTER).
    want_master: bool,
    /// In FAULT because another member of the sync group is.
    sync_fault: bool,
}

const MICROS_PER_SEC: u64 = 1_000_000;

impl Instance {
    pub fn new(cfg: InstanceConfig) -> Result<Instance, ConfigError> {
        cfg.validate()?;
        let mut cfg = cfg;
        if cfg.initial_state == InitialState::Master && !cfg.is_owner() {
            // keepalived clears both for an initial MASTER ("... will not work with initial
            // state MASTER - clearing"); the config front end reports the warning.
            cfg.nopreempt = false;
            cfg.preempt_delay = Duration::ZERO;
        }
        if cfg.is_owner() {
            // "(X) nopreempt is incompatible with priority 255. resetting nopreempt"
            cfg.nopreempt = false;
        }
        if cfg.nopreempt {
            // "(X) preempt_delay is incompatible with nopreempt mode - resetting"
            cfg.preempt_delay = Duration::ZERO;
        }
        Ok(Instance {
            state: State::Initialize,
            base_priority: cfg.priority,
            effective_priority: cfg.priority,
            master_adver_int: cfg.advert_interval,
            deadline: None,
            preempt_time: None,
            master_addr: None,
            master_priority: 0,
            fault: false,
            old_unicast_checksum: false,
            garp_second: None,
            garp_lower: None,
            garp_refresh: None,
            stats: Stats::default(),
            sync: false,
            want_master: false,
            sync_fault: false,
            cfg,
        })
    }

    pub fn config(&self) -> &InstanceConfig {
        &self.cfg
    }
    pub fn state(&self) -> State {
        self.state
    }
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    pub fn effective_priority(&self) -> u8 {
        self.effective_priority
    }
    /// The master's address as last seen in an accepted advert (for the data dump).
    pub fn master_addr(&self) -> Option<IpAddr> {
        self.master_addr
    }
    pub fn master_priority(&self) -> u8 {
        self.master_priority
    }
    pub fn master_adver_interval(&self) -> Duration {
        self.master_adver_int
    }
    /// True once a peer was seen using keepalived's pre-1.3.6 unicast v3 checksum; the sender
    /// should then compute ours with 224.0.0.18 in the pseudo-header too.
    pub fn uses_old_unicast_checksum(&self) -> bool {
        self.old_unicast_checksum
    }
    /// When [`Instance::handle_timer`] must be called next (None: no timer running).
    pub fn next_deadline(&self) -> Option<Time> {
        [
            self.deadline,
            self.garp_second,
            self.garp_lower,
            self.garp_refresh,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The advert to send for [`Action::SendAdvert`].
    pub fn advert(&self, priority: u8) -> Advert {
        self.cfg.advert(priority)
    }

    /// Skew_Time with the current effective priority.
    pub fn skew_time(&self) -> Duration {
        let p = 256 - u64::from(self.effective_priority);
        match self.cfg.version {
            Version::V2 => Duration::from_micros(p * MICROS_PER_SEC / 256),
            Version::V3 => {
                let mai = u64::try_from(self.master_adver_int.as_micros()).unwrap_or(u64::MAX);
                Duration::from_micros(p.saturating_mul(mai) / 256)
            }
        }
    }

    /// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (3: keepalived's
    /// `down_timer_adverts` default).
    pub fn master_down_interval(&self) -> Duration {
        self.master_adver_int * self.cfg.down_timer_adverts + self.skew_time()
    }

    fn clear_garp(&mut self) {
        self.garp_second = None;
        self.garp_lower = None;
        self.garp_refresh = None;
    }

    fn fire_garp(&mut self, now: Time, out: &mut Vec<Action>) {
        if self.garp_second.is_some_and(|t| now >= t) {
            self.garp_second = None;
            out.push(Action::SendGratuitous {
                repeat: self.cfg.garp_master_repeat,
            });
        }
        if self.garp_lower.is_some_and(|t| now >= t) {
            self.garp_lower = None;
            out.push(Action::SendGratuitous {
                repeat: self.cfg.garp_lower_prio_repeat,
            });
        }
        if self.garp_refresh.is_some_and(|t| now >= t) {
            self.garp_refresh = Some(now + self.cfg.garp_master_refresh);
            out.push(Action::SendGratuitous {
                repeat: self.cfg.garp_master_refresh_repeat,
            });
        }
    }

    fn log(&self, out: &mut Vec<Action>, text: std::fmt::Arguments<'_>) {
        out.push(Action::Log(format!("({}) {}", self.cfg.name, text)));
    }

    fn send(&mut self, out: &mut Vec<Action>, priority: u8) {
        self.stats.advert_sent += 1;
        out.push(Action::SendAdvert { priority });
    }

    fn transition(&mut self, out: &mut Vec<Action>, to: State) {
        let from = self.state;
        self.state = to;
        self.want_master = false;
        out.push(Action::Transition { from, to });
    }

    /// Start the instance (keepalived's vrrp_init_state).
    pub fn startup(&mut self, now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state != State::Initialize {
            return out;
        }
        self.master_adver_int = self.cfg.advert_interval;
        if self.fault {
            self.log(&mut out, format_args!("Entering FAULT STATE (init)"));
            self.transition(&mut out, State::Fault);
            self.deadline = None;
        } else if self.cfg.is_owner() && self.cfg.initial_state == InitialState::Master {
            // keepalived arms a 1 us backup timer, hence the timeout line (measured).
            self.log(&mut out, format_args!("Receive advertisement timeout"));
            self.become_master(now, &mut out);
        } else {
            out.push(Action::DelVips);
            self.log(&mut out, format_args!("Entering BACKUP STATE (init)"));
            self.transition(&mut out, State::Backup);
            self.deadline = Some(now + self.master_down_interval());
        }
        out
    }

    fn become_master(&mut self, now: Time, out: &mut Vec<Action>) {
        self.log(out, format_args!("Entering MASTER STATE"));
        self.transition(out, State::Master);
        self.stats.become_master += 1;
        self.preempt_time = None;
        out.push(Action::AddVips);
        out.push(Action::SendGratuitous {
            repeat: self.cfg.garp_master_repeat,
        });
        self.send(out, self.effective_priority);
        self.deadline = Some(now + self.cfg.advert_interval);
        self.clear_garp();
        if !self.cfg.garp_master_delay.is_zero() {
            self.garp_second = Some(now + self.cfg.garp_master_delay);
        }
        if !self.cfg.garp_master_refresh.is_zero() {
            self.garp_refresh = Some(now + self.cfg.garp_master_refresh);
        }
    }

    fn enter_backup_from_master(&mut self, now: Time, out: &mut Vec<Action>) {
        self.log(out, format_args!("Entering BACKUP STATE"));
        out.push(Action::DelVips);
        self.transition(out, State::Backup);
        self.stats.release_master += 1;
        self.preempt_time = None;
        self.clear_garp();
        self.deadline = Some(now + self.master_down_interval());
    }

    /// Call when [`Instance::next_deadline`] has passed (calling early does nothing).
    pub fn handle_timer(&mut self, now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Master {
            self.fire_garp(now, &mut out);
        }
        match self.deadline {
            Some(d) if now >= d => {}
            _ => return out,
        }
        match self.state {
            State::Backup => {
                self.log(&mut out, format_args!("Receive advertisement timeout"));
                if self.sync {
                    // The group decides; meanwhile the timer keeps running so that the
                    // instance asks again if the others never agree.
                    self.want_master = true;
                    self.deadline = Some(now + self.master_down_interval());
                    out.push(Action::WantMaster);
                } else {
                    self.become_master(now, &mut out);
                }
            }
            State::Master => {
                self.send(&mut out, self.effective_priority);
                self.deadline = Some(now + self.cfg.advert_interval);
            }
            State::Initialize | State::Fault => self.deadline = None,
        }
        out
    }

    /// A received VRRP payload with its IP facts: validated (drops are counted and logged)
    /// and then handled as an advert.
    pub fn handle_packet(&mut self, now: Time, meta: &IpMeta, payload: &[u8]) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Initialize {
            return out;
        }
        // keepalived skips the address list check only for adverts from the known master.
        let check_addrs = !(self.state == State::Backup
            && self.cfg.skip_check_adv_addr
            && self.master_addr == Some(meta.src));
        match check_packet(&self.cfg, meta, payload, check_addrs, &mut self.stats) {
            Err(drop) => {
                // A backup's timer keeps running: a dropped advert does not count as one.
                if let Some(line) = drop.log_line(&self.cfg.name) {
                    out.push(Action::Log(line));
                }
            }
            Ok(acc) => {
                if acc.checksum == ChecksumKind::OldUnicast && !self.old_unicast_checksum {
                    self.old_unicast_checksum = true;
                    self.log(
                        &mut out,
                        format_args!("Setting unicast VRRPv3 checksum to old version"),
                    );
                }
                out.extend(self.handle_advert(now, meta.src, &acc.advert));
            }
        }
        out
    }

    /// A whole IPv4 packet as an IPv4 raw socket returns it (header included). IP-level
    /// problems are counted and logged as keepalived does; the payload then goes through
    /// [`Instance::handle_packet`].
    pub fn handle_ipv4_packet(&mut self, now: Time, packet: &[u8]) -> Vec<Action> {
        match parse_ipv4(packet) {
            Ok((meta, payload)) => self.handle_packet(now, &meta, payload),
            Err(e) => {
                let mut out = Vec::new();
                let line = match e {
                    PacketError::IpLengthMismatch {
                        total_len,
                        received,
                    } => {
                        self.stats.packet_len_err += 1;
                        format!(
                            "({}) ip_tot_len mismatch against received length. {total_len} and received {received}",
                            self.cfg.name
                        )
                    }
                    PacketError::Truncated { len, .. } => {
                        self.stats.packet_len_err += 1;
                        format!("IPv4 VRRP packet too short - {len} bytes")
                    }
                    PacketError::IpsecAh => {
                        self.stats.authtype_mismatch += 1;
                        format!(
                            "({}) Received AH header but auth type not AH",
                            self.cfg.name
                        )
                    }
                    other => format!("({}) {other}", self.cfg.name),
                };
                out.push(Action::Log(line));
                out
            }
        }
    }

    /// An advert that passed validation, from `from`.
    pub fn handle_advert(&mut self, now: Time, from: IpAddr, adv: &Advert) -> Vec<Action> {
        let mut out = Vec::new();
        match self.state {
            State::Backup => self.backup_rx(now, from, adv, &mut out),
            State::Master => self.master_rx(now, from, adv, &mut out),
            State::Initialize | State::Fault => {}
        }
        out
    }

    fn learn_interval(&mut self, adv: &Advert) -> Option<(u128, u128)> {
        if self.cfg.version != Version::V3 {
            return None;
        }
        // A zero interval from a broken peer would make our timer fire continuously.
        let mi = adv.interval().max(Duration::from_millis(10));
        if mi == self.master_adver_int {
            return None;
        }
        let old = self.master_adver_int.as_millis();
        self.master_adver_int = mi;
        Some((old, mi.as_millis()))
    }

    fn backup_rx(&mut self, now: Time, from: IpAddr, adv: &Advert, out: &mut Vec<Action>) {
        let eff = self.effective_priority;
        let delaying =
            !self.cfg.preempt_delay.is_zero() && self.preempt_time.is_none_or(|t| t > now);
        if adv.priority == 0 {
            self.log(
                out,
                format_args!("Backup received priority 0 advertisement"),
            );
            self.deadline = Some(now + self.skew_time());
        } else if self.cfg.nopreempt || adv.priority >= eff || delaying {
            if let Some((old, new)) = self.learn_interval(adv) {
                self.log(
                    out,
                    format_args!(
                        "advertisement interval updated from {old}ms to {new}ms by master"
                    ),
                );
            }
            self.deadline = Some(now + self.master_down_interval());
            self.want_master = false;
            self.master_addr = Some(from);
            self.master_priority = adv.priority;
            if !self.cfg.preempt_delay.is_zero() {
                if adv.priority >= eff {
                    if self.preempt_time.take().is_some() {
                        self.log(out, format_args!("stop preempt delay"));
                    }
                } else if self.preempt_time.is_none() {
                    let d = self.cfg.preempt_delay;
                    self.log(
                        out,
                        format_args!(
                            "start preempt delay ({}.{:06})",
                            d.as_secs(),
                            d.subsec_micros()
                        ),
                    );
                    self.preempt_time = Some(now + self.cfg.preempt_delay);
                }
            }
        } else {
            self.log(
                out,
                format_args!(
                    "received lower priority ({}) advert from {from} - discarding",
                    adv.priority
                ),
            );
            self.master_addr = Some(from);
        }
    }

    fn master_rx(&mut self, now: Time, from: IpAddr, adv: &Advert, out: &mut Vec<Action>) {
        let ours = self.cfg.src_addr;
        let prio = adv.priority;
        if prio == 0
            || (self.cfg.higher_prio_send_advert
                && (prio > self.effective_priority
                    || (prio == self.effective_priority && from > ours)))
        {
            // keepalived logs this same text for the higher_prio_send_advert case too.
            self.log(out, format_args!("Master received priority 0 message"));
            self.send(out, self.effective_priority);
            if prio == 0 {
                return;
            }
        }
        if prio == self.effective_priority {
            if from == ours {
                self.log(
                    out,
                    format_args!(
                        "WARNING - equal priority advert received from remote host with our IP address."
                    ),
                );
            } else if self.effective_priority == 255 {
                self.log(
                    out,
                    format_args!(
                        "CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority"
                    ),
                );
                self.effective_priority = 254;
                self.base_priority = 254;
            }
        }
        let eff = self.effective_priority;
        if prio < eff || (prio == eff && from < ours) {
            let tail = if self.cfg.lower_prio_no_advert {
                ""
            } else {
                ", forcing new election"
            };
            self.log(
                out,
                format_args!(
                    "Received advert from {from} with lower priority {prio}, ours {eff}{tail}"
                ),
            );
            if !self.cfg.lower_prio_no_advert {
                self.send(out, eff);
            }
            if self.cfg.garp_lower_prio_repeat > 0 {
                out.push(Action::SendGratuitous {
                    repeat: self.cfg.garp_lower_prio_repeat,
                });
                if !self.cfg.garp_lower_prio_delay.is_zero() {
                    self.garp_lower = Some(now + self.cfg.garp_lower_prio_delay);
                }
            }
            return;
        }
        if prio > eff || (prio == eff && from > ours) {
            if prio > eff {
                self.log(
                    out,
                    format_args!(
                        "Master received advert from {from} with higher priority {prio}, ours {eff}"
                    ),
                );
            } else {
                self.log(
                    out,
                    format_args!(
                        "Master received advert from {from} with same priority {prio} but higher IP address than ours"
                    ),
                );
            }
            if let Some((old, new)) = self.learn_interval(adv) {
                self.log(
                    out,
                    format_args!(
                        "advertisement interval updated from {old}ms to {new}ms by master"
                    ),
                );
            }
            self.master_addr = Some(from);
            self.master_priority = prio;
            self.enter_backup_from_master(now, out);
        }
    }

    /// Stop the instance (SIGTERM): a master sends priority 0 so that the backup takes over
    /// after Skew_Time instead of Master_Down_Interval.
    pub fn shutdown(&mut self, _now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Master {
            self.send(&mut out, 0);
            self.stats.pri_zero_sent += 1;
            self.log(&mut out, format_args!("sent 0 priority"));
            out.push(Action::DelVips);
            self.stats.release_master += 1;
        }
        if self.state != State::Initialize {
            self.transition(&mut out, State::Initialize);
        }
        self.deadline = None;
        self.preempt_time = None;
        self.clear_garp();
        out
    }

    /// A tracked interface / script / process put the instance in FAULT.
    pub fn set_fault(&mut self, _now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if self.fault {
            return out;
        }
        self.fault = true;
        match self.state {
            State::Master => {
                self.log(&mut out, format_args!("Entering FAULT STATE"));
                // keepalived tells the backups at once, as on shutdown.
                self.send(&mut out, 0);
                self.stats.pri_zero_sent += 1;
                self.log(&mut out, format_args!("sent 0 priority"));
                out.push(Action::DelVips);
                self.stats.release_master += 1;
                self.transition(&mut out, State::Fault);
            }
            State::Backup => {
                self.log(&mut out, format_args!("Entering FAULT STATE"));
                self.transition(&mut out, State::Fault);
            }
            State::Initialize | State::Fault => {}
        }
        if self.state == State::Fault {
            self.deadline = None;
            self.preempt_time = None;
            self.clear_garp();
        }
        out
    }

    /// The fault condition is gone: back to BACKUP, waiting Master_Down_Interval (keepalived's
    /// vrrp_state_leave_fault); an owner with `state MASTER` goes straight to MASTER.
    pub fn clear_fault(&mut self, now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if !self.fault {
            return out;
        }
        self.fault = false;
        if self.state != State::Fault || self.sync {
            // A sync member leaves FAULT when the whole group does (SyncGroup::fault_cleared).
            return out;
        }
        self.master_adver_int = self.cfg.advert_interval;
        if self.cfg.is_owner() && self.cfg.initial_state == InitialState::Master {
            self.become_master(now, &mut out);
        } else {
            self.log(&mut out, format_args!("Entering BACKUP STATE"));
            self.transition(&mut out, State::Backup);
            self.deadline = Some(now + self.master_down_interval());
        }
        out
    }

    /// Set the effective priority computed by tracking (base priority plus weights). As in
    /// keepalived, an address owner's priority never changes, and others are clamped to
    /// 1..=254.
    pub fn set_effective_priority(&mut self, _now: Time, priority: i32) -> Vec<Action> {
        let mut out = Vec::new();
        if self.base_priority == 255 {
            return out;
        }
        let new = u8::try_from(priority.clamp(1, 254)).unwrap_or(1);
        if new != self.effective_priority {
            self.log(
                &mut out,
                format_args!(
                    "Changing effective priority from {} to {new}",
                    self.effective_priority
                ),
            );
            self.effective_priority = new;
        }
        out
    }

    /// The configured priority (after an owner conflict, 254).
    pub fn base_priority(&self) -> u8 {
        self.base_priority
    }

    /// An advert for a VRID no instance runs arrived on this instance's interface.
    pub fn count_vrid_error(&mut self) {
        self.stats.vrid_err += 1;
    }

    /// Make the instance a sync group member (see [`Action::WantMaster`]).
    pub fn set_sync_member(&mut self, on: bool) {
        self.sync = on;
    }
    pub fn is_sync_member(&self) -> bool {
        self.sync
    }
    /// Its down timer expired and it waits for the group to agree.
    pub fn wants_master(&self) -> bool {
        self.want_master
    }
    /// Its own tracking (not the group's) puts it in FAULT.
    pub fn has_own_fault(&self) -> bool {
        self.fault
    }
    /// The time the backup timer / advert timer fires next (for the data dump).
    pub fn protocol_deadline(&self) -> Option<Time> {
        self.deadline
    }

    /// The sync group moves this member to MASTER (keepalived's vrrp_sync_master).
    pub fn sync_master(&mut self, now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        if self.state == State::Backup {
            self.become_master(now, &mut out);
        }
        out
    }

    /// The sync group moves this member to BACKUP: a master steps down, a member that was in
    /// FAULT only because of the group comes back (keepalived's vrrp_sync_backup).
    pub fn sync_backup(&mut self, now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        self.sync_fault = false;
        match self.state {
            State::Master => self.enter_backup_from_master(now, &mut out),
            State::Fault if !self.fault => {
                self.master_adver_int = self.cfg.advert_interval;
                self.log(&mut out, format_args!("Entering BACKUP STATE"));
                self.transition(&mut out, State::Backup);
                self.deadline = Some(now + self.master_down_interval());
            }
            _ => {}
        }
        out
    }

    /// The sync group moves this member to FAULT because another member is (keepalived's
    /// vrrp_sync_fault). A master still tells the backups at once with priority 0, without
    /// the "sent 0 priority" line (measured on keepalived 2.2.7).
    pub fn sync_fault(&mut self, _now: Time) -> Vec<Action> {
        let mut out = Vec::new();
        self.sync_fault = true;
        match self.state {
            State::Master => {
                self.log(&mut out, format_args!("Entering FAULT STATE"));
                self.send(&mut out, 0);
                self.stats.pri_zero_sent += 1;
                out.push(Action::DelVips);
                self.stats.release_master += 1;
                self.transition(&mut out, State::Fault);
            }
            State::Backup => {
                self.log(&mut out, format_args!("Entering FAULT STATE"));
                self.transition(&mut out, State::Fault);
            }
            State::Initialize | State::Fault => {}
        }
        if self.state == State::Fault {
            self.deadline = None;
            self.preempt_time = None;
            self.clear_garp();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrrp::packet::{Auth, MCAST_V4};

    fn a(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }
    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    fn cfg(name: &str, prio: u8, addr: &str) -> InstanceConfig {
        let mut c = InstanceConfig::new(name, 51, prio, a(addr));
        c.vips = vec![a("192.0.2.100")];
        c
    }

    fn v3(mut c: InstanceConfig, interval: Duration) -> InstanceConfig {
        c.version = Version::V3;
        c.advert_interval = interval;
        c
    }

    fn logs(acts: &[Action]) -> Vec<String> {
        acts.iter()
            .filter_map(|x| match x {
                Action::Log(l) => Some(l.clone()),
                _ => None,
            })
            .collect()
    }

    /// A zero-latency shared segment: every SendAdvert is encoded with the real codec and
    /// delivered (as bytes, through validation) to every other node at the same instant.
    struct Lan {
        nodes: Vec<Instance>,
        up: Vec<bool>,
        now: Time,
        /// (delivery time, to, meta, bytes), in send order.
        queue: Vec<(Time, usize, IpMeta, Vec<u8>)>,
        latency: Duration,
        history: Vec<(Time, String, State, State)>,
        log: Vec<(Time, String)>,
    }

    impl Lan {
        fn new(cfgs: Vec<InstanceConfig>) -> Lan {
            let n = cfgs.len();
            Lan {
                nodes: cfgs
                    .into_iter()
                    .map(|c| Instance::new(c).unwrap())
                    .collect(),
                up: vec![false; n],
                now: Duration::ZERO,
                queue: Vec::new(),
                latency: Duration::ZERO,
                history: Vec::new(),
                log: Vec::new(),
            }
        }

        fn apply(&mut self, from: usize, acts: Vec<Action>) {
            for act in acts {
                match act {
                    Action::SendAdvert { priority } => {
                        let node = &self.nodes[from];
                        let src = node.config().src_addr;
                        let dst = IpAddr::V4(MCAST_V4);
                        let bytes = node.advert(priority).encode(src, dst).unwrap();
                        for to in 0..self.nodes.len() {
                            if to != from && self.up[to] {
                                let meta = IpMeta { src, dst, ttl: 255 };
                                let at = self.now + self.latency;
                                self.queue.push((at, to, meta, bytes.clone()));
                            }
                        }
                    }
                    Action::Transition { from: f, to } => {
                        let name = self.nodes[from].config().name.clone();
                        self.history.push((self.now, name, f, to));
                    }
                    Action::Log(l) => self.log.push((self.now, l)),
                    _ => {}
                }
            }
        }

        fn start(&mut self, i: usize) {
            self.up[i] = true;
            let acts = self.nodes[i].startup(self.now);
            self.apply(i, acts);
            self.drain();
        }

        fn stop(&mut self, i: usize) {
            let acts = self.nodes[i].shutdown(self.now);
            self.apply(i, acts);
            self.up[i] = false;
            self.drain();
        }

        /// Crash: no priority 0, the node just disappears.
        fn kill(&mut self, i: usize) {
            self.up[i] = false;
            self.queue.retain(|(_, to, _, _)| *to != i);
        }

        /// Deliver every packet due by now.
        fn drain(&mut self) {
            while let Some(pos) = self.queue.iter().position(|(at, ..)| *at <= self.now) {
                let (_, to, meta, bytes) = self.queue.remove(pos);
                if !self.up[to] {
                    continue;
                }
                let acts = self.nodes[to].handle_packet(self.now, &meta, &bytes);
                self.apply(to, acts);
            }
        }

        /// Advance virtual time to `until`, firing timers in order.
        fn run_until(&mut self, until: Time) {
            loop {
                let packet = self.queue.iter().map(|(at, ..)| *at).min();
                let next = (0..self.nodes.len())
                    .filter(|&i| self.up[i])
                    .filter_map(|i| self.nodes[i].next_deadline().map(|d| (d, i)))
                    .min();
                // Packets due before (or with) the next timer go first.
                if let Some(p) = packet
                    && p <= until
                    && next.is_none_or(|(d, _)| p <= d)
                {
                    self.now = p;
                    self.drain();
                    continue;
                }
                match next {
                    Some((d, i)) if d <= until => {
                        self.now = d;
                        let acts = self.nodes[i].handle_timer(d);
                        self.apply(i, acts);
                        self.drain();
                    }
                    _ => break,
                }
            }
            self.now = until;
        }

        fn state(&self, i: usize) -> State {
            self.nodes[i].state()
        }

        fn became_master(&self, name: &str) -> Vec<Time> {
            self.history
                .iter()
                .filter(|(_, n, _, to)| n == name && *to == State::Master)
                .map(|(t, ..)| *t)
                .collect()
        }
    }

    #[test]
    fn timers_follow_the_formulas() {
        // v2, priority 100: skew = 156/256 s = 609375 us; down = 3 s + skew.
        let i = Instance::new(cfg("VI_1", 100, "192.0.2.1")).unwrap();
        assert_eq!(i.skew_time(), us(609_375));
        assert_eq!(i.master_down_interval(), us(3_609_375));
        // v2, priority 254: 2/256 s
        let i = Instance::new(cfg("VI_1", 254, "192.0.2.1")).unwrap();
        assert_eq!(i.skew_time(), us(7_812));
        // v3, priority 200, 0.5 s: skew = 56 * 500000 / 256 = 109375 us; down = 1.609375 s
        let i = Instance::new(v3(cfg("VI_3", 200, "192.0.2.1"), ms(500))).unwrap();
        assert_eq!(i.skew_time(), us(109_375));
        assert_eq!(i.master_down_interval(), us(1_609_375));
        // RFC 5798's centisecond formula gives (56 * 50) / 256 = 10 cs: within 10 ms of ours.
        assert!(i.skew_time().abs_diff(ms(100)) < ms(10));
        // keepalived's down_timer_adverts replaces the 3
        let mut c = cfg("VI_1", 100, "192.0.2.1");
        c.down_timer_adverts = 1;
        let i = Instance::new(c).unwrap();
        assert_eq!(i.master_down_interval(), us(1_609_375));
    }

    #[test]
    fn startup_backup_then_master_after_down_interval() {
        let mut i = Instance::new(cfg("VI_1", 100, "192.0.2.1")).unwrap();
        let acts = i.startup(Duration::ZERO);
        assert_eq!(logs(&acts), vec!["(VI_1) Entering BACKUP STATE (init)"]);
        assert_eq!(i.state(), State::Backup);
        assert_eq!(i.next_deadline(), Some(us(3_609_375)));
        // early call: nothing
        assert!(i.handle_timer(us(3_609_374)).is_empty());
        let acts = i.handle_timer(us(3_609_375));
        assert_eq!(
            acts,
            vec![
                Action::Log("(VI_1) Receive advertisement timeout".into()),
                Action::Log("(VI_1) Entering MASTER STATE".into()),
                Action::Transition {
                    from: State::Backup,
                    to: State::Master
                },
                Action::AddVips,
                Action::SendGratuitous { repeat: 5 },
                Action::SendAdvert { priority: 100 },
            ]
        );
        assert_eq!(i.next_deadline(), Some(us(4_609_375)));
        let acts = i.handle_timer(us(4_609_375));
        assert_eq!(acts, vec![Action::SendAdvert { priority: 100 }]);
        assert_eq!(i.stats().become_master, 1);
        assert_eq!(i.stats().advert_sent, 2);
    }

    #[test]
    fn initial_state_master_only_shortcuts_for_the_owner() {
        // Measured on keepalived 2.2.7: state MASTER + priority 254 -> BACKUP (init) first.
        let mut c = cfg("M2", 254, "192.0.2.1");
        c.initial_state = InitialState::Master;
        c.nopreempt = true;
        let mut i = Instance::new(c).unwrap();
        assert!(!i.config().nopreempt, "cleared as keepalived does");
        i.startup(Duration::ZERO);
        assert_eq!(i.state(), State::Backup);
        assert_eq!(i.next_deadline(), Some(Duration::from_secs(3) + us(7_812)));
        // Owner with state MASTER: master at once.
        let mut c = cfg("OWN", 255, "192.0.2.1");
        c.initial_state = InitialState::Master;
        let mut o = Instance::new(c).unwrap();
        let acts = o.startup(Duration::ZERO);
        assert_eq!(o.state(), State::Master);
        assert!(acts.contains(&Action::SendAdvert { priority: 255 }));
        assert_eq!(
            logs(&acts),
            vec![
                "(OWN) Receive advertisement timeout",
                "(OWN) Entering MASTER STATE"
            ]
        );
        // Owner with state BACKUP waits (measured).
        let mut o = Instance::new(cfg("OWNB", 255, "192.0.2.1")).unwrap();
        o.startup(Duration::ZERO);
        assert_eq!(o.state(), State::Backup);
        assert_eq!(o.next_deadline(), Some(Duration::from_secs(3) + us(3_906)));
    }

    #[test]
    fn election_of_two_higher_priority_wins() {
        let mut lan = Lan::new(vec![cfg("A", 150, "192.0.2.1"), cfg("B", 100, "192.0.2.2")]);
        lan.start(0);
        lan.start(1);
        lan.run_until(Duration::from_secs(20));
        assert_eq!(lan.state(0), State::Master);
        assert_eq!(lan.state(1), State::Backup);
        // A: 3 s + 106/256 s
        assert_eq!(lan.became_master("A"), vec![us(3_414_062)]);
        assert!(lan.became_master("B").is_empty());
        // B heard A every second and never timed out.
        assert_eq!(lan.nodes[1].stats().advert_rcvd, 17);
        assert_eq!(lan.nodes[1].master_addr(), Some(a("192.0.2.1")));
    }

    #[test]
    fn preemption_and_nopreempt() {
        for nopreempt in [false, true] {
            let mut hi = cfg("HI", 150, "192.0.2.1");
            hi.nopreempt = nopreempt;
            let mut lan = Lan::new(vec![hi, cfg("LO", 100, "192.0.2.2")]);
            lan.start(1);
            lan.run_until(Duration::from_secs(10));
            assert_eq!(lan.state(1), State::Master);
            lan.start(0);
            lan.run_until(Duration::from_secs(30));
            if nopreempt {
                assert_eq!(lan.state(0), State::Backup);
                assert_eq!(lan.state(1), State::Master);
            } else {
                assert_eq!(lan.state(0), State::Master);
                assert_eq!(lan.state(1), State::Backup);
                // HI discarded LO's adverts and took over after its own down interval.
                assert_eq!(
                    lan.became_master("HI"),
                    vec![Duration::from_secs(10) + us(3_414_062)]
                );
                assert!(lan.log.iter().any(|(_, l)| l
                    == "(HI) received lower priority (100) advert from 192.0.2.2 - discarding"));
                assert!(lan.log.iter().any(|(_, l)| l
                    == "(LO) Master received advert from 192.0.2.1 with higher priority 150, ours 100"));
            }
        }
    }

    #[test]
    fn preempt_delay_postpones_takeover() {
        let mut hi = cfg("HI", 150, "192.0.2.1");
        hi.preempt_delay = Duration::from_secs(5);
        let mut lan = Lan::new(vec![hi, cfg("LO", 100, "192.0.2.2")]);
        lan.start(1);
        lan.run_until(Duration::from_secs(10)); // LO master since 3.609375, adverts at x.609375
        lan.start(0);
        lan.run_until(Duration::from_secs(40));
        assert_eq!(lan.state(0), State::Master);
        // First LO advert after start, at 10.609375, starts the delay (until 15.609375);
        // adverts while the delay runs (strictly before its end, as keepalived's timercmp >)
        // are accepted, so the last accepted one is 14.609375; the one at 15.609375 is
        // discarded; takeover is the down interval after the last accepted one.
        assert_eq!(lan.became_master("HI"), vec![us(14_609_375 + 3_414_062)]);
        assert!(
            lan.log
                .iter()
                .any(|(_, l)| l == "(HI) start preempt delay (5.000000)")
        );
    }

    #[test]
    fn priority_zero_gives_fast_takeover() {
        let mut lan = Lan::new(vec![cfg("A", 150, "192.0.2.1"), cfg("B", 100, "192.0.2.2")]);
        lan.start(0);
        lan.start(1);
        lan.run_until(Duration::from_secs(10));
        let t = lan.now;
        lan.stop(0);
        assert!(lan.log.iter().any(|(_, l)| l == "(A) sent 0 priority"));
        assert!(
            lan.log
                .iter()
                .any(|(_, l)| l == "(B) Backup received priority 0 advertisement")
        );
        lan.run_until(Duration::from_secs(20));
        // B takes over after its Skew_Time only (156/256 s), not 3.6 s.
        assert_eq!(lan.became_master("B"), vec![t + us(609_375)]);
        assert_eq!(lan.nodes[0].stats().pri_zero_sent, 1);
        assert_eq!(lan.nodes[1].stats().pri_zero_rcvd, 1);
    }

    #[test]
    fn crash_gives_takeover_after_down_interval() {
        let mut lan = Lan::new(vec![cfg("A", 150, "192.0.2.1"), cfg("B", 100, "192.0.2.2")]);
        lan.start(0);
        lan.start(1);
        lan.run_until(Duration::from_secs(10));
        lan.kill(0);
        lan.run_until(Duration::from_secs(20));
        // A's last advert was at 9.414062; B's down interval is 3.609375.
        assert_eq!(lan.became_master("B"), vec![us(9_414_062 + 3_609_375)]);
    }

    #[test]
    fn equal_priority_tie_break_by_address() {
        let mut lan = Lan::new(vec![
            cfg("LOW", 100, "192.0.2.1"),
            cfg("HIGH", 100, "192.0.2.2"),
        ]);
        // 1 ms on the wire so that both time out before hearing each other.
        lan.latency = ms(1);
        lan.start(0);
        lan.start(1);
        lan.run_until(Duration::from_secs(10));
        // Both time out together and become master; the lower address steps down.
        assert_eq!(lan.state(1), State::Master);
        assert_eq!(lan.state(0), State::Backup);
        assert!(lan.log.iter().any(|(_, l)| l
            == "(LOW) Master received advert from 192.0.2.2 with same priority 100 but higher IP address than ours"));
        assert!(lan.log.iter().any(|(_, l)| l
            == "(HIGH) Received advert from 192.0.2.1 with lower priority 100, ours 100, forcing new election"));
        // And a backup with equal priority does not preempt a running master.
        let mut lan = Lan::new(vec![
            cfg("LOW", 100, "192.0.2.1"),
            cfg("HIGH", 100, "192.0.2.2"),
        ]);
        lan.start(0);
        lan.run_until(Duration::from_secs(10));
        lan.start(1);
        lan.run_until(Duration::from_secs(30));
        assert_eq!(lan.state(0), State::Master);
        assert_eq!(lan.state(1), State::Backup);
    }

    #[test]
    fn v3_backup_learns_master_interval() {
        let mut fast = v3(cfg("F", 200, "192.0.2.1"), ms(500));
        fast.vips = vec![a("192.0.2.100")];
        let slow = v3(cfg("S", 100, "192.0.2.2"), Duration::from_secs(1));
        let mut lan = Lan::new(vec![fast, slow]);
        lan.start(0);
        lan.start(1);
        lan.run_until(Duration::from_secs(5));
        assert_eq!(lan.state(0), State::Master);
        let s = &lan.nodes[1];
        assert_eq!(s.master_adver_interval(), ms(500));
        // 3 * 0.5 s + 156 * 0.5 s / 256
        assert_eq!(s.master_down_interval(), ms(1500) + us(304_687));
        assert!(
            lan.log
                .iter()
                .any(|(_, l)| l
                    == "(S) advertisement interval updated from 1000ms to 500ms by master")
        );
        lan.kill(0);
        lan.run_until(Duration::from_secs(10));
        // Exact value: F master at 1.609375, adverts every 0.5 s; the last one before 5 s is
        // at 4.609375; S takes over 1.804687 s later.
        assert_eq!(lan.became_master("S"), vec![us(4_609_375 + 1_804_687)]);
    }

    #[test]
    fn malformed_packets_are_dropped_and_counted_timer_unchanged() {
        let mut b = Instance::new(cfg("VI_1", 100, "192.0.2.2")).unwrap();
        b.startup(Duration::ZERO);
        let deadline = b.next_deadline();
        let good_adv = cfg("X", 150, "192.0.2.1").advert(150);
        let src = a("192.0.2.1");
        let dst = IpAddr::V4(MCAST_V4);
        let meta = IpMeta { src, dst, ttl: 255 };
        let mut bytes = good_adv.encode(src, dst).unwrap();
        bytes[7] ^= 0x55;
        let acts = b.handle_packet(Duration::from_secs(1), &meta, &bytes);
        assert_eq!(logs(&acts), vec!["(VI_1) Invalid VRRPv2 checksum"]);
        assert_eq!(b.next_deadline(), deadline);
        let ttl = IpMeta { ttl: 1, ..meta };
        let good = good_adv.encode(src, dst).unwrap();
        let acts = b.handle_packet(Duration::from_secs(1), &ttl, &good);
        assert_eq!(
            logs(&acts),
            vec!["(VI_1) invalid TTL/HL. Received 1 and expect 255"]
        );
        let acts = b.handle_packet(Duration::from_secs(1), &meta, &good[..3]);
        assert_eq!(logs(&acts), vec!["IPv4 VRRP packet too short - 23 bytes"]);
        let mut other = good_adv.clone();
        other.vrid = 9;
        let acts = b.handle_packet(
            Duration::from_secs(1),
            &meta,
            &other.encode(src, dst).unwrap(),
        );
        // keepalived is silent about other VRIDs (it counts them for SNMP only)
        assert!(logs(&acts).is_empty());
        let mut pw = good_adv.clone();
        pw.auth = Auth::pass(b"nope");
        let acts = b.handle_packet(Duration::from_secs(1), &meta, &pw.encode(src, dst).unwrap());
        assert_eq!(logs(&acts), vec!["(VI_1) received a 1 auth, expecting 0!"]);
        assert_eq!(b.next_deadline(), deadline);
        let st = b.stats();
        assert_eq!(
            (
                st.chk_err,
                st.ip_ttl_err,
                st.packet_len_err,
                st.vrid_err,
                st.authtype_mismatch,
                st.advert_rcvd
            ),
            (1, 1, 1, 1, 1, 0)
        );
        assert_eq!(b.state(), State::Backup);
        // The valid one resets the timer.
        b.handle_packet(Duration::from_secs(1), &meta, &good);
        assert_eq!(
            b.next_deadline(),
            Some(Duration::from_secs(1) + us(3_609_375))
        );
    }

    /// Replay of real keepalived 2.2.7 traffic (testdata/keepalived-2.2.7-stream.txt, with its
    /// arrival times) into three tandem backups configured like keepalived's VI_1 (v2 PASS),
    /// VI_3 (v3, 0.5 s) and VI_4 (v3 IPv6) but with lower priorities: they must accept every
    /// advert, stay BACKUP, and take over Skew_Time after keepalived's priority-0 adverts.
    #[test]
    fn replay_of_keepalived_stream() {
        let mut vi1 = cfg("VI_1", 50, "192.0.2.2");
        vi1.vrid = 51;
        vi1.auth = Auth::pass(b"secret123");
        vi1.vips = vec![a("192.0.2.100"), a("192.0.2.101")];
        let mut vi3 = v3(cfg("VI_3", 100, "192.0.2.2"), ms(500));
        vi3.vrid = 53;
        vi3.vips = vec![a("192.0.2.103"), a("192.0.2.104"), a("192.0.2.105")];
        let mut vi4 = v3(cfg("VI_4", 100, "fe80::2"), Duration::from_secs(1));
        vi4.vrid = 54;
        vi4.vips = vec![a("fe80::54"), a("2001:db8::54")];
        let mut insts: Vec<Instance> = [vi1, vi3, vi4]
            .into_iter()
            .map(|c| Instance::new(c).unwrap())
            .collect();
        for i in &mut insts {
            i.startup(Duration::ZERO);
        }
        let mut masters: Vec<(String, Time)> = Vec::new();
        let fire = |insts: &mut Vec<Instance>, until: Time, masters: &mut Vec<(String, Time)>| {
            loop {
                let next = insts
                    .iter()
                    .enumerate()
                    .filter_map(|(k, i)| i.next_deadline().map(|d| (d, k)))
                    .min();
                match next {
                    Some((d, k)) if d <= until => {
                        let acts = insts[k].handle_timer(d);
                        if acts.iter().any(|x| {
                            matches!(
                                x,
                                Action::Transition {
                                    to: State::Master,
                                    ..
                                }
                            )
                        }) {
                            masters.push((insts[k].config().name.clone(), d));
                        }
                    }
                    _ => break,
                }
            }
        };
        let stream = include_str!("testdata/keepalived-2.2.7-stream.txt");
        let mut last = Duration::ZERO;
        for line in stream.lines().filter(|l| !l.starts_with('#')) {
            let (t, h) = line.split_once(' ').unwrap();
            // started 1 s before the first captured advert
            let now = ms(1000 + t.parse::<u64>().unwrap());
            last = now;
            let bytes: Vec<u8> = (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect();
            fire(&mut insts, now, &mut masters);
            let (meta, payload) = crate::vrrp::packet::parse_ip(&bytes).unwrap();
            let Some(inst) = insts.iter_mut().find(|i| i.config().vrid == payload[1]) else {
                continue;
            };
            let acts = inst.handle_packet(now, &meta, payload);
            assert!(
                logs(&acts).iter().all(|l| l.contains("priority 0")),
                "{acts:?}"
            );
        }
        assert!(masters.is_empty(), "{masters:?}");
        fire(&mut insts, last + Duration::from_secs(1), &mut masters);
        // priority-0 adverts at 5263 ms (VI_1, VI_3) and 5268 ms (VI_4)
        assert_eq!(
            masters,
            vec![
                ("VI_3".to_string(), ms(5263) + us(304_687)),
                ("VI_4".to_string(), ms(5268) + us(609_375)),
                ("VI_1".to_string(), ms(5263) + us(804_687)),
            ]
        );
        let rcvd: Vec<u64> = insts.iter().map(|i| i.stats().advert_rcvd).collect();
        assert_eq!(rcvd, vec![4, 10, 4]);
        assert!(insts.iter().all(|i| i.stats().pri_zero_rcvd == 1));
    }

    /// never panics and never leaves an invalid state.
    #[test]
    fn state_machine_survives_garbage() {
        let src = a("192.0.2.1");
        let good = cfg("X", 150, "192.0.2.1")
            .advert(150)
            .encode_ipv4("192.0.2.1".parse().unwrap(), MCAST_V4, 7)
            .unwrap();
        let mut inst = Instance::new(cfg("VI_1", 100, "192.0.2.2")).unwrap();
        inst.startup(Duration::ZERO);
        let mut t = Duration::ZERO;
        for round in 0..4 {
            for i in 0..good.len() {
                for v in [0u8, 1, 0x21, 0x31, 0x7f, 0xff] {
                    let mut b = good.clone();
                    b[i] = v;
                    t += ms(1);
                    inst.handle_ipv4_packet(t, &b);
                    inst.handle_ipv4_packet(t, &b[..i]);
                    if let Ok((m, p)) = parse_ipv4(&b)
                        && let Ok(adv) = Advert::decode(p, m.src, m.dst)
                    {
                        inst.handle_advert(t, src, &adv);
                    }
                }
            }
            // move through the states between rounds
            t += Duration::from_secs(10);
            match round {
                0 => {
                    inst.handle_timer(t);
                }
                1 => {
                    inst.set_fault(t);
                }
                _ => {
                    inst.clear_fault(t);
                }
            }
        }
        assert!(inst.stats().chk_err > 0);
        assert!(inst.stats().packet_len_err > 0);
    }

    #[test]
    fn ipv4_level_errors_are_logged_like_keepalived() {
        let mut inst = Instance::new(cfg("VI_1", 100, "192.0.2.2")).unwrap();
        inst.startup(Duration::ZERO);
        let good = cfg("X", 150, "192.0.2.1")
            .advert(150)
            .encode_ipv4("192.0.2.1".parse().unwrap(), MCAST_V4, 7)
            .unwrap();
        let acts = inst.handle_ipv4_packet(ms(1), &good[..good.len() - 4]);
        assert_eq!(
            logs(&acts),
            vec!["(VI_1) ip_tot_len mismatch against received length. 40 and received 36"]
        );
        let mut ah = good.clone();
        ah[9] = 51;
        let acts = inst.handle_ipv4_packet(ms(2), &ah);
        assert_eq!(
            logs(&acts),
            vec!["(VI_1) Received AH header but auth type not AH"]
        );
        // a good one through the same path
        inst.handle_ipv4_packet(ms(3), &good);
        assert_eq!(inst.stats().advert_rcvd, 1);
        assert_eq!(inst.master_addr(), Some(a("192.0.2.1")));
    }

    #[test]
    fn higher_prio_send_advert_and_lower_prio_no_advert() {
        let mut c = cfg("M", 100, "192.0.2.1");
        c.higher_prio_send_advert = true;
        let mut m = Instance::new(c).unwrap();
        m.startup(Duration::ZERO);
        m.handle_timer(us(3_609_375));
        assert_eq!(m.state(), State::Master);
        let adv = cfg("X", 200, "192.0.2.9").advert(200);
        let acts = m.handle_advert(Duration::from_secs(4), a("192.0.2.9"), &adv);
        assert_eq!(acts[1], Action::SendAdvert { priority: 100 });
        assert_eq!(m.state(), State::Backup);
        assert!(acts.contains(&Action::DelVips));

        let mut c = cfg("M", 100, "192.0.2.1");
        c.lower_prio_no_advert = true;
        let mut m = Instance::new(c).unwrap();
        m.startup(Duration::ZERO);
        m.handle_timer(us(3_609_375));
        let low = cfg("X", 50, "192.0.2.9").advert(50);
        let acts = m.handle_advert(Duration::from_secs(4), a("192.0.2.9"), &low);
        assert_eq!(
            acts,
            vec![
                Action::Log(
                    "(M) Received advert from 192.0.2.9 with lower priority 50, ours 100".into()
                ),
                Action::SendGratuitous { repeat: 5 },
            ]
        );
    }

    #[test]
    fn gratuitous_arp_sets_follow_garp_settings() {
        let mut c = cfg("G", 100, "192.0.2.1");
        c.garp_master_refresh = Duration::from_secs(60);
        c.garp_master_refresh_repeat = 2;
        c.garp_lower_prio_delay = Duration::from_secs(10);
        c.garp_lower_prio_repeat = 1;
        let mut m = Instance::new(c).unwrap();
        m.startup(Duration::ZERO);
        let t0 = us(3_609_375);
        let acts = m.handle_timer(t0);
        assert!(acts.contains(&Action::SendGratuitous { repeat: 5 }));
        let mut garps = Vec::new();
        let mut now = t0;
        while now < t0 + Duration::from_secs(130) {
            now = m.next_deadline().unwrap();
            for act in m.handle_timer(now) {
                if let Action::SendGratuitous { repeat } = act {
                    garps.push((now - t0, repeat));
                }
            }
            if now == t0 + Duration::from_secs(20) {
                let low = cfg("X", 50, "192.0.2.9").advert(50);
                for act in m.handle_advert(now, a("192.0.2.9"), &low) {
                    if let Action::SendGratuitous { repeat } = act {
                        garps.push((now - t0, repeat));
                    }
                }
            }
        }
        let s = Duration::from_secs;
        assert_eq!(
            garps,
            vec![(s(5), 5), (s(20), 1), (s(30), 1), (s(60), 2), (s(120), 2)]
        );
        // leaving MASTER cancels them
        let high = cfg("X", 200, "192.0.2.9").advert(200);
        m.handle_advert(now, a("192.0.2.9"), &high);
        assert_eq!(m.state(), State::Backup);
        assert_eq!(m.next_deadline(), Some(now + us(3_609_375)));
    }

    #[test]
    fn two_owners_reduce_local_priority() {
        let mut c = cfg("O", 255, "192.0.2.1");
        c.initial_state = InitialState::Master;
        let mut m = Instance::new(c).unwrap();
        m.startup(Duration::ZERO);
        let adv = cfg("X", 255, "192.0.2.9").advert(255);
        let acts = m.handle_advert(Duration::from_secs(1), a("192.0.2.9"), &adv);
        assert!(logs(&acts).contains(&"(O) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority".to_string()));
        assert_eq!(m.effective_priority(), 254);
        assert_eq!(m.state(), State::Backup);
    }

    #[test]
    fn fault_and_recovery() {
        let mut m = Instance::new(cfg("VI_1", 100, "192.0.2.1")).unwrap();
        m.startup(Duration::ZERO);
        m.handle_timer(us(3_609_375));
        let acts = m.set_fault(Duration::from_secs(5));
        // keepalived 2.2.7 (measured, tracked interface down): "(VI_2) Entering FAULT
        // STATE", "(VI_2) sent 0 priority", "(VI_2) removing VIPs."
        assert_eq!(
            acts,
            vec![
                Action::Log("(VI_1) Entering FAULT STATE".into()),
                Action::SendAdvert { priority: 0 },
                Action::Log("(VI_1) sent 0 priority".into()),
                Action::DelVips,
                Action::Transition {
                    from: State::Master,
                    to: State::Fault
                },
            ]
        );
        assert_eq!(m.next_deadline(), None);
        // adverts are ignored in FAULT
        let adv = cfg("X", 50, "192.0.2.9").advert(50);
        assert!(
            m.handle_advert(Duration::from_secs(6), a("192.0.2.9"), &adv)
                .is_empty()
        );
        let acts = m.clear_fault(Duration::from_secs(7));
        assert_eq!(logs(&acts), vec!["(VI_1) Entering BACKUP STATE"]);
        assert_eq!(
            m.next_deadline(),
            Some(Duration::from_secs(7) + us(3_609_375))
        );
        // fault before startup: start in FAULT
        let mut f = Instance::new(cfg("VI_2", 100, "192.0.2.1")).unwrap();
        f.set_fault(Duration::ZERO);
        f.startup(Duration::ZERO);
        assert_eq!(f.state(), State::Fault);
    }

    #[test]
    fn effective_priority_is_clamped_and_owner_fixed() {
        let mut i = Instance::new(cfg("VI_1", 100, "192.0.2.1")).unwrap();
        let acts = i.set_effective_priority(Duration::ZERO, 102);
        assert_eq!(
            logs(&acts),
            vec!["(VI_1) Changing effective priority from 100 to 102"]
        );
        i.set_effective_priority(Duration::ZERO, 400);
        assert_eq!(i.effective_priority(), 254);
        i.set_effective_priority(Duration::ZERO, -50);
        assert_eq!(i.effective_priority(), 1);
        assert_eq!(i.skew_time(), us(255 * 1_000_000 / 256));
        let mut o = Instance::new(cfg("O", 255, "192.0.2.1")).unwrap();
        assert!(o.set_effective_priority(Duration::ZERO, 100).is_empty());
        assert_eq!(o.effective_priority(), 255);
    }
}
