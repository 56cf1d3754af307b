//! `vrrp_sync_group`: instances that move together, sans I/O like [`super::state`].
//!
//! The engine feeds the actions a member produced on its own (a packet, a timer, tracking)
//! to [`SyncGroup::react`]; the group answers with what the other members must do, log
//! lines and group notifications, in keepalived's order. Measured on keepalived 2.2.7 in a
//! network namespace (two instances VI_1 / VI_2 in VG_1):
//! - Becoming master: a member whose down timer expires logs "Receive advertisement
//!   timeout" and only goes MASTER when every other member also wants to (or is MASTER):
//!   keepalived prefers BACKUP to avoid thrashing. Then "(VI_2) Entering MASTER STATE",
//!   "VRRP_Group(VG_1) Syncing instances to MASTER state", "(VI_1) Entering MASTER STATE".
//! - A master that sees a higher priority: "(VI_1) Entering BACKUP STATE", "VRRP_Group(VG_1)
//!   Syncing instances to BACKUP state", "(VI_2) Entering BACKUP STATE".
//! - A member's FAULT (tracked interface down): "(VI_2) Entering FAULT STATE", "(VI_2) sent 0
//!   priority", "VRRP_Group(VG_1) Syncing instances to FAULT state", "(VI_1) Entering FAULT
//!   STATE" (VI_1 still sends priority 0, without the line). The group leaves FAULT when no
//!   member has a fault of its own: "(VI_2) Entering BACKUP STATE", "VRRP_Group(VG_1)
//!   Syncing instances to BACKUP state", "(VI_1) Entering BACKUP STATE".
//! - Group notify scripts run on each group transition (and BACKUP once at startup) with
//!   `GROUP VG_1 STATE 0` for the generic `notify` (the priority is always 0).

use super::state::{Action, Instance, State, Time};

/// What the engine must do after a member's actions, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOut {
    Log(String),
    /// Actions for the member at this index (carried out like the member's own, but never
    /// fed back to [`SyncGroup::react`]).
    Member(usize, Vec<Action>),
    /// The group entered this state: run the group's notify scripts.
    Notify(State),
}

#[derive(Debug, Clone)]
pub struct SyncGroup {
    pub name: String,
    /// Indices of the members in the engine's instance list, in `group {}` order.
    pub members: Vec<usize>,
    state: State,
}

impl SyncGroup {
    pub fn new(name: &str, members: Vec<usize>) -> SyncGroup {
        SyncGroup {
            name: name.to_string(),
            members,
            state: State::Initialize,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    fn log(&self, out: &mut Vec<SyncOut>, to: &str) {
        out.push(SyncOut::Log(format!(
            "VRRP_Group({}) Syncing instances to {to} state",
            self.name
        )));
    }

    /// After every member started: a member in FAULT pulls the others there; otherwise the
    /// group is BACKUP (its notify runs, as keepalived's at startup).
    pub fn init(&mut self, now: Time, insts: &mut [&mut Instance]) -> Vec<SyncOut> {
        let mut out = Vec::new();
        let faulted = self
            .members
            .iter()
            .find(|&&i| insts.get(i).is_some_and(|m| m.state() == State::Fault))
            .copied();
        // An address owner configured `state MASTER` starts as master: the others follow.
        let master = self
            .members
            .iter()
            .find(|&&i| insts.get(i).is_some_and(|m| m.state() == State::Master))
            .copied();
        match (faulted, master) {
            (Some(who), _) => self.sync_all_fault(now, who, insts, &mut out),
            (None, Some(who)) => self.sync_all_master(now, who, insts, &mut out),
            (None, None) => {
                self.state = State::Backup;
                out.push(SyncOut::Notify(State::Backup));
            }
        }
        out
    }

    fn sync_all_fault(
        &mut self,
        now: Time,
        who: usize,
        insts: &mut [&mut Instance],
        out: &mut Vec<SyncOut>,
    ) {
        self.log(out, "FAULT");
        for &i in &self.members {
            if i == who {
                continue;
            }
            if let Some(m) = insts.get_mut(i)
                && m.state() != State::Fault
            {
                out.push(SyncOut::Member(i, m.sync_fault(now)));
            }
        }
        self.state = State::Fault;
        out.push(SyncOut::Notify(State::Fault));
    }

    fn sync_all_master(
        &mut self,
        now: Time,
        who: usize,
        insts: &mut [&mut Instance],
        out: &mut Vec<SyncOut>,
    ) {
        self.log(out, "MASTER");
        for &i in &self.members {
            if i == who {
                continue;
            }
            if let Some(m) = insts.get_mut(i)
                && m.state() == State::Backup
            {
                out.push(SyncOut::Member(i, m.sync_master(now)));
            }
        }
        self.state = State::Master;
        out.push(SyncOut::Notify(State::Master));
    }

    fn sync_all_backup(
        &mut self,
        now: Time,
        who: usize,
        insts: &mut [&mut Instance],
        out: &mut Vec<SyncOut>,
    ) {
        self.log(out, "BACKUP");
        for &i in &self.members {
            if i == who {
                continue;
            }
            if let Some(m) = insts.get_mut(i)
                && m.state() != State::Backup
            {
                out.push(SyncOut::Member(i, m.sync_backup(now)));
            }
        }
        self.state = State::Backup;
        out.push(SyncOut::Notify(State::Backup));
    }

    /// Member `who` produced `acts` by itself: pull the others along.
    pub fn react(
        &mut self,
        now: Time,
        who: usize,
        acts: &[Action],
        insts: &mut [&mut Instance],
    ) -> Vec<SyncOut> {
        let mut out = Vec::new();
        if !self.members.contains(&who) {
            return out;
        }
        for a in acts {
            match a {
                Action::WantMaster => {
                    if self.state == State::Fault {
                        continue;
                    }
                    let all = self.members.iter().all(|&i| {
                        i == who
                            || insts
                                .get(i)
                                .is_some_and(|m| m.state() == State::Master || m.wants_master())
                    });
                    if !all {
                        continue;
                    }
                    if let Some(m) = insts.get_mut(who) {
                        out.push(SyncOut::Member(who, m.sync_master(now)));
                    }
                    if self.state != State::Master {
                        self.sync_all_master(now, who, insts, &mut out);
                    }
                }
                Action::Transition {
                    to: State::Master, ..
                } if self.state != State::Master => {
                    self.sync_all_master(now, who, insts, &mut out);
                }
                Action::Transition {
                    from: State::Master,
                    to: State::Backup,
                } if self.state != State::Backup => {
                    self.sync_all_backup(now, who, insts, &mut out);
                }
                Action::Transition {
                    to: State::Fault, ..
                } if self.state != State::Fault => {
                    self.sync_all_fault(now, who, insts, &mut out);
                }
                _ => {}
            }
        }
        out
    }

    /// Member `who`'s own fault cleared ([`Instance::clear_fault`] did nothing for it): the
    /// group leaves FAULT once no member has a fault of its own, `who` first.
    pub fn fault_cleared(
        &mut self,
        now: Time,
        who: usize,
        insts: &mut [&mut Instance],
    ) -> Vec<SyncOut> {
        let mut out = Vec::new();
        if self.state != State::Fault || !self.members.contains(&who) {
            return out;
        }
        let any = self
            .members
            .iter()
            .any(|&i| insts.get(i).is_some_and(|m| m.has_own_fault()));
        if any {
            return out;
        }
        if let Some(m) = insts.get_mut(who) {
            out.push(SyncOut::Member(who, m.sync_backup(now)));
        }
        self.sync_all_backup(now, who, insts, &mut out);
        out
    }

    /// The whole daemon stops: the group's STOP notification.
    pub fn shutdown(&mut self) -> Vec<SyncOut> {
        self.state = State::Initialize;
        vec![SyncOut::Notify(State::Initialize)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrrp::config::InstanceConfig;
    use std::time::Duration;

    fn inst(name: &str, vrid: u8, prio: u8) -> Instance {
        let mut c = InstanceConfig::new(name, vrid, prio, "192.0.2.11".parse().unwrap());
        c.vips = vec![format!("192.0.2.{}", 100 + vrid).parse().unwrap()];
        let mut i = Instance::new(c).unwrap();
        i.set_sync_member(true);
        i
    }

    fn s(ms: u64) -> Time {
        Duration::from_millis(ms)
    }

    /// Log lines of a member's actions and the group's, in order.
    fn lines(outs: &[SyncOut], own: &[Action]) -> Vec<String> {
        let mut v: Vec<String> = own
            .iter()
            .filter_map(|a| match a {
                Action::Log(l) => Some(l.clone()),
                _ => None,
            })
            .collect();
        for o in outs {
            match o {
                SyncOut::Log(l) => v.push(l.clone()),
                SyncOut::Member(_, acts) => v.extend(acts.iter().filter_map(|a| match a {
                    Action::Log(l) => Some(l.clone()),
                    _ => None,
                })),
                SyncOut::Notify(st) => v.push(format!("notify {st}")),
            }
        }
        v
    }

    struct Pair {
        a: Instance,
        b: Instance,
        g: SyncGroup,
    }

    impl Pair {
        fn new() -> Pair {
            let mut p = Pair {
                a: inst("VI_1", 51, 100),
                b: inst("VI_2", 52, 100),
                g: SyncGroup::new("VG_1", vec![0, 1]),
            };
            p.a.startup(s(0));
            p.b.startup(s(0));
            let out = p.g.init(s(0), &mut [&mut p.a, &mut p.b]);
            assert_eq!(out, [SyncOut::Notify(State::Backup)]);
            p
        }
        /// Fire member `i`'s timer at `now` and let the group react.
        fn timer(&mut self, i: usize, now: Time) -> Vec<String> {
            let acts = if i == 0 {
                self.a.handle_timer(now)
            } else {
                self.b.handle_timer(now)
            };
            let out = self.g.react(now, i, &acts, &mut [&mut self.a, &mut self.b]);
            lines(&out, &acts)
        }
    }

    #[test]
    fn master_only_when_every_member_wants_it() {
        let mut p = Pair::new();
        let d = p.a.next_deadline().unwrap();
        assert_eq!(p.b.next_deadline(), Some(d), "same priority, same timer");
        // VI_1 first: it waits for VI_2 (keepalived logged both timeouts before the switch).
        assert_eq!(p.timer(0, d), ["(VI_1) Receive advertisement timeout"]);
        assert_eq!(p.a.state(), State::Backup);
        assert!(p.a.wants_master());
        assert_eq!(
            p.timer(1, d),
            [
                "(VI_2) Receive advertisement timeout",
                "(VI_2) Entering MASTER STATE",
                "VRRP_Group(VG_1) Syncing instances to MASTER state",
                "(VI_1) Entering MASTER STATE",
                "notify MASTER",
            ]
        );
        assert_eq!((p.a.state(), p.b.state()), (State::Master, State::Master));
        assert_eq!(p.g.state(), State::Master);
    }

    #[test]
    fn a_member_hearing_its_master_holds_the_group_in_backup() {
        let mut p = Pair::new();
        let d = p.a.next_deadline().unwrap();
        // VI_2 keeps hearing a higher priority master.
        let adv = crate::vrrp::packet::Advert {
            version: crate::vrrp::packet::Version::V2,
            vrid: 52,
            priority: 200,
            auth: crate::vrrp::packet::Auth::None,
            adver_int: 1,
            addrs: vec!["192.0.2.152".parse().unwrap()],
        };
        p.b.handle_advert(d - s(10), "192.0.2.12".parse().unwrap(), &adv);
        assert_eq!(p.timer(0, d), ["(VI_1) Receive advertisement timeout"]);
        assert_eq!(p.a.state(), State::Backup, "VI_1 waits: prefer BACKUP");
        // VI_1 re-arms its timer and asks again later; still no.
        let d2 = p.a.next_deadline().unwrap();
        assert!(d2 > d);
        p.b.handle_advert(d2 - s(10), "192.0.2.12".parse().unwrap(), &adv);
        p.timer(0, d2);
        assert_eq!(p.a.state(), State::Backup);
    }

    #[test]
    fn fault_pulls_the_group_and_recovery_brings_it_back() {
        let mut p = Pair::new();
        let d = p.a.next_deadline().unwrap();
        p.timer(0, d);
        p.timer(1, d);
        let now = d + s(2000);
        // VI_2's tracked interface goes down.
        let acts = p.b.set_fault(now);
        let out = p.g.react(now, 1, &acts, &mut [&mut p.a, &mut p.b]);
        assert_eq!(
            lines(&out, &acts),
            [
                "(VI_2) Entering FAULT STATE",
                "(VI_2) sent 0 priority",
                "VRRP_Group(VG_1) Syncing instances to FAULT state",
                "(VI_1) Entering FAULT STATE",
                "notify FAULT",
            ]
        );
        assert_eq!((p.a.state(), p.b.state()), (State::Fault, State::Fault));
        // VI_1 still tells its backups at once.
        let SyncOut::Member(0, a_acts) = &out[1] else {
            panic!("{out:?}")
        };
        assert!(a_acts.contains(&Action::SendAdvert { priority: 0 }));
        assert!(a_acts.contains(&Action::DelVips));
        // Recovery: clear_fault does nothing by itself for a member; the group moves.
        let now = now + s(5000);
        assert!(p.b.clear_fault(now).is_empty());
        let out = p.g.fault_cleared(now, 1, &mut [&mut p.a, &mut p.b]);
        assert_eq!(
            lines(&out, &[]),
            [
                "(VI_2) Entering BACKUP STATE",
                "VRRP_Group(VG_1) Syncing instances to BACKUP state",
                "(VI_1) Entering BACKUP STATE",
                "notify BACKUP",
            ]
        );
        assert_eq!((p.a.state(), p.b.state()), (State::Backup, State::Backup));
    }

    #[test]
    fn two_faults_leave_only_when_both_cleared() {
        let mut p = Pair::new();
        let now = s(100);
        let acts = p.a.set_fault(now);
        p.g.react(now, 0, &acts, &mut [&mut p.a, &mut p.b]);
        let acts = p.b.set_fault(now);
        assert!(
            p.g.react(now, 1, &acts, &mut [&mut p.a, &mut p.b])
                .is_empty(),
            "already in FAULT"
        );
        p.a.clear_fault(now);
        assert!(
            p.g.fault_cleared(now, 0, &mut [&mut p.a, &mut p.b])
                .is_empty()
        );
        assert_eq!(p.a.state(), State::Fault, "VI_2 still faulty");
        p.b.clear_fault(now);
        assert!(
            !p.g.fault_cleared(now, 1, &mut [&mut p.a, &mut p.b])
                .is_empty()
        );
        assert_eq!((p.a.state(), p.b.state()), (State::Backup, State::Backup));
    }

    #[test]
    fn higher_priority_advert_takes_the_group_to_backup() {
        let mut p = Pair::new();
        let d = p.a.next_deadline().unwrap();
        p.timer(0, d);
        p.timer(1, d);
        let adv = crate::vrrp::packet::Advert {
            version: crate::vrrp::packet::Version::V2,
            vrid: 51,
            priority: 200,
            auth: crate::vrrp::packet::Auth::None,
            adver_int: 1,
            addrs: vec!["192.0.2.151".parse().unwrap()],
        };
        let now = d + s(500);
        let acts = p.a.handle_advert(now, "192.0.2.12".parse().unwrap(), &adv);
        let out = p.g.react(now, 0, &acts, &mut [&mut p.a, &mut p.b]);
        assert_eq!(
            lines(&out, &acts),
            [
                "(VI_1) Master received advert from 192.0.2.12 with higher priority 200, ours 100",
                "(VI_1) Entering BACKUP STATE",
                "VRRP_Group(VG_1) Syncing instances to BACKUP state",
                "(VI_2) Entering BACKUP STATE",
                "notify BACKUP",
            ]
        );
        assert_eq!((p.a.state(), p.b.state()), (State::Backup, State::Backup));
    }

    #[test]
    fn a_fault_at_startup_holds_the_whole_group() {
        let mut a = inst("VI_1", 51, 100);
        let mut b = inst("VI_2", 52, 100);
        b.set_fault(s(0));
        a.startup(s(0));
        b.startup(s(0));
        let mut g = SyncGroup::new("VG_1", vec![0, 1]);
        let out = g.init(s(0), &mut [&mut a, &mut b]);
        assert_eq!(
            lines(&out, &[]),
            [
                "VRRP_Group(VG_1) Syncing instances to FAULT state",
                "(VI_1) Entering FAULT STATE",
                "notify FAULT",
            ]
        );
        assert_eq!(a.next_deadline(), None, "no timer in FAULT");
    }

    #[test]
    fn an_owner_starting_as_master_pulls_the_group() {
        let mut c = InstanceConfig::new("VI_1", 51, 255, "192.0.2.11".parse().unwrap());
        c.initial_state = crate::vrrp::config::InitialState::Master;
        c.vips = vec!["192.0.2.11".parse().unwrap()];
        let mut a = Instance::new(c).unwrap();
        a.set_sync_member(true);
        let mut b = inst("VI_2", 52, 100);
        a.startup(s(0));
        b.startup(s(0));
        let mut g = SyncGroup::new("VG_1", vec![0, 1]);
        let out = g.init(s(0), &mut [&mut a, &mut b]);
        assert_eq!(
            lines(&out, &[]),
            [
                "VRRP_Group(VG_1) Syncing instances to MASTER state",
                "(VI_2) Entering MASTER STATE",
                "notify MASTER",
            ]
        );
        assert_eq!(b.state(), State::Master);
    }
}
