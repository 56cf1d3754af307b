//! `balance roundrobin`: HAProxy's fast weighted round robin (src/lb_fwrr.c), state for
//! state.
//!
//! Each group (active, backup) has three trees: `curr`, ordered by the next position at
//! which each server is due, and `init`/`next`, ordered by decreasing weight, holding the
//! servers waiting for the current window to end. A window is `curr_weight` positions long;
//! every pick consumes one position (`curr_pos`) and moves the picked server forward by
//! `next_weight / eweight` positions (plus a carried remainder `rweight`). When nothing is due
//! the trees are switched. Reproducing this (rather than a "smooth" weighted round robin)
//! is what gives HAProxy's exact sequences, e.g. `s1 s1 s1 s2` for weights 3 and 1.

use super::tree::{EbTree, NodeRef};
use super::{BE_WEIGHT_SCALE, LbCore, Pool, SRV_EWGHT_MAX, SRV_UWGHT_MAX, ServerIdx};

/// Which tree of its group a server is in (`s->lb_tree`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    None,
    Curr,
    /// One of the two weight-ordered trees (`t0`/`t1`), which are alternately `init` and
    /// `next`.
    T(usize),
}

#[derive(Debug, Clone, Default)]
struct Group {
    curr: EbTree<ServerIdx>,
    t: [EbTree<ServerIdx>; 2],
    /// Index in `t` of the `init` tree; the other one is `next`.
    init: usize,
    curr_pos: i64,
    curr_weight: i64,
    next_weight: i64,
}

impl Group {
    fn next_idx(&self) -> usize {
        1 - self.init
    }
}

#[derive(Debug, Clone, Copy)]
struct SrvPos {
    tree: Where,
    node: Option<NodeRef>,
    npos: i64,
    lpos: i64,
    rweight: i64,
}

/// The fwrr state of a backend.
#[derive(Debug, Clone)]
pub struct Fwrr {
    act: Group,
    bck: Group,
    pos: Vec<SrvPos>,
}

impl Fwrr {
    /// `fwrr_init_server_groups`.
    pub fn init(pool: &mut Pool) -> Self {
        pool.init_eweights(BE_WEIGHT_SCALE);
        pool.recount();
        pool.update_backend_weight();
        let mut me = Self {
            act: Group::default(),
            bck: Group::default(),
            pos: vec![
                SrvPos {
                    tree: Where::None,
                    node: None,
                    npos: 0,
                    lpos: 0,
                    rweight: 0,
                };
                pool.srv.len()
            ],
        };
        for (g, w) in [
            (&mut me.act, pool.info.tot_wact),
            (&mut me.bck, pool.info.tot_wbck),
        ] {
            g.curr_pos = i64::from(w);
            g.curr_weight = i64::from(w);
            g.next_weight = i64::from(w);
        }
        for i in 0..pool.srv.len() {
            if !pool.srv[i].currently_usable() {
                continue;
            }
            let init = me.grp(pool, i).init;
            me.queue_by_weight(pool, i, init);
        }
        me
    }

    fn grp(&self, pool: &Pool, i: ServerIdx) -> &Group {
        if pool.srv[i].spec.backup {
            &self.bck
        } else {
            &self.act
        }
    }

    fn grp_mut(&mut self, backup: bool) -> &mut Group {
        if backup { &mut self.bck } else { &mut self.act }
    }

    /// `fwrr_queue_by_weight(grp->t[which], s)`: heavier servers first.
    fn queue_by_weight(&mut self, pool: &Pool, i: ServerIdx, which: usize) {
        let key = SRV_EWGHT_MAX.wrapping_sub(pool.srv[i].next_eweight);
        let g = self.grp_mut(pool.srv[i].spec.backup);
        let node = g.t[which].insert(key, i);
        self.pos[i].node = Some(node);
        self.pos[i].tree = Where::T(which);
    }

    /// `fwrr_dequeue_srv`: out of whatever tree it is in (its `tree` stays as is).
    fn dequeue(&mut self, pool: &Pool, i: ServerIdx) {
        let Some(node) = self.pos[i].node.take() else {
            return;
        };
        let tree = self.pos[i].tree;
        let g = self.grp_mut(pool.srv[i].spec.backup);
        match tree {
            Where::Curr => g.curr.delete(node),
            Where::T(w) => g.t[w].delete(node),
            Where::None => {}
        }
    }

    /// `fwrr_queue_srv`.
    fn queue_srv(&mut self, pool: &Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let backup = s.spec.backup;
        let (curr_weight, next_weight, next) = {
            let g = self.grp_mut(backup);
            (g.curr_weight, g.next_weight, g.next_idx())
        };
        if !s.willbe_usable() {
            self.pos[i].tree = Where::None;
        } else if s.next_eweight == 0
            || self.pos[i].npos >= 2 * curr_weight
            || self.pos[i].npos >= curr_weight + next_weight
        {
            // does not fit in the window: into the next tree
            self.pos[i].npos -= curr_weight;
            self.queue_by_weight(pool, i, next);
        } else {
            let p = self.pos[i];
            // key = SRV_UWGHT_RANGE * npos + (SRV_EWGHT_MAX + rweight - eweight) / scale,
            // computed in C's unsigned 32-bit arithmetic
            let key = (i64::from(SRV_UWGHT_MAX) * p.npos
                + (i64::from(SRV_EWGHT_MAX) + p.rweight - i64::from(s.next_eweight))
                    / i64::from(BE_WEIGHT_SCALE)) as u32;
            let node = self.grp_mut(backup).curr.insert(key, i);
            self.pos[i].node = Some(node);
            self.pos[i].tree = Where::Curr;
        }
    }

    /// `fwrr_get_srv`: prepares a server taken out of its tree.
    fn get_srv(&mut self, pool: &Pool, i: ServerIdx) {
        let g = self.grp(pool, i);
        let (init, next, curr_weight, curr_pos) = (g.init, g.next_idx(), g.curr_weight, g.curr_pos);
        let p = &mut self.pos[i];
        match p.tree {
            Where::T(w) if w == init => {
                p.npos = 0;
                p.rweight = 0;
            }
            Where::T(w) if w == next => p.npos += curr_weight,
            Where::None => p.npos = curr_pos,
            _ => {}
        }
    }

    /// `fwrr_get_server_from_group`.
    fn get_server_from_group(&mut self, pool: &Pool, backup: bool) -> Option<ServerIdx> {
        let g = if backup { &self.bck } else { &self.act };
        let s1 = g.curr.first().map(|(_, i)| i);
        if let Some(i) = s1
            && pool.srv[i].cur_eweight > 0
            && self.pos[i].npos <= g.curr_pos
        {
            return Some(i);
        }
        // no server left or a hole: take one from the init tree if there is one
        if let Some((_, i)) = g.t[g.init].first()
            && pool.srv[i].cur_eweight > 0
        {
            self.pos[i].npos = 0;
            self.pos[i].rweight = 0;
            return Some(i);
        }
        s1
    }

    /// `fwrr_update_position`.
    fn update_position(&mut self, pool: &Pool, i: ServerIdx) {
        let eweight = i64::from(pool.srv[i].cur_eweight);
        if eweight == 0 {
            return;
        }
        let g = self.grp(pool, i);
        let (curr_pos, next_weight) = (g.curr_pos, g.next_weight);
        let p = &mut self.pos[i];
        if p.npos == 0 {
            p.npos = curr_pos;
        }
        p.lpos = p.npos;
        p.npos += next_weight / eweight;
        p.rweight += next_weight % eweight;
        if p.rweight >= eweight {
            p.rweight -= eweight;
            p.npos += 1;
        }
    }

    /// `fwrr_switch_trees`.
    fn switch_trees(g: &mut Group) {
        g.init = g.next_idx();
        g.curr_weight = g.next_weight;
        g.curr_pos = g.curr_weight;
    }

    /// `fwrr_get_next_server`.
    pub fn get_next_server(
        &mut self,
        pool: &mut Pool,
        avoid: Option<ServerIdx>,
    ) -> Option<ServerIdx> {
        let backup = if pool.info.srv_act > 0 {
            false
        } else if let Some(f) = pool.info.fbck {
            return Some(f);
        } else if pool.info.srv_bck > 0 {
            true
        } else {
            return None;
        };
        let mut switched = false;
        let mut avoided: Option<ServerIdx> = None;
        // saturated or avoided servers, most recent first as HAProxy's `next_full` chain
        let mut full: Vec<ServerIdx> = Vec::new();
        // Bounded: every iteration takes a server out of the trees, and once the trees have
        // switched and emptied the loop ends; the cap only guards against a logic error.
        let mut budget = 4 * pool.srv.len() + 8;
        let mut chosen: Option<ServerIdx> = None;
        let mut take = false;
        while budget > 0 {
            budget -= 1;
            {
                let g = self.grp_mut(backup);
                if g.curr_weight == 0 {
                    g.curr_weight = g.next_weight;
                    g.curr_pos = g.next_weight;
                }
            }
            let mut srv = None;
            for _ in 0..2 {
                srv = self.get_server_from_group(pool, backup);
                if srv.is_some() || switched {
                    break;
                }
                switched = true;
                Self::switch_trees(self.grp_mut(backup));
            }
            let Some(s) = srv else {
                if let Some(a) = avoided {
                    chosen = Some(a);
                    take = true;
                }
                break;
            };
            self.update_position(pool, s);
            self.dequeue(pool, s);
            self.grp_mut(backup).curr_pos += 1;
            if pool.srv[s].has_room(&pool.info) {
                if Some(s) != avoid || avoided.is_some() {
                    chosen = Some(s);
                    take = true;
                    break;
                }
                avoided = Some(s);
            }
            full.insert(0, s);
        }
        if take && let Some(s) = chosen {
            self.queue_srv(pool, s);
        }
        for f in full {
            if Some(f) == chosen {
                continue;
            }
            if switched {
                // the window changed: their place is lost, only their weight matters
                let init = self.grp_mut(backup).init;
                self.queue_by_weight(pool, f, init);
            } else {
                self.queue_srv(pool, f);
            }
        }
        chosen
    }
}

impl LbCore for Fwrr {
    fn add_slot(&mut self, _pool: &Pool, _i: ServerIdx) {
        self.pos.push(SrvPos {
            tree: Where::None,
            node: None,
            npos: 0,
            lpos: 0,
            rweight: 0,
        });
    }

    fn set_status_down(&mut self, pool: &mut Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        if !s.status_changed() {
            return;
        }
        if s.willbe_usable() {
            pool.srv[i].commit();
            return;
        }
        if s.currently_usable() {
            let backup = s.spec.backup;
            let cur = i64::from(s.cur_eweight);
            self.grp_mut(backup).next_weight -= cur;
            pool.account_down(i);
            self.dequeue(pool, i);
            self.pos[i].tree = Where::None;
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    fn set_status_up(&mut self, pool: &mut Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        if !s.status_changed() {
            return;
        }
        if !s.willbe_usable() {
            pool.srv[i].commit();
            return;
        }
        if !s.currently_usable() {
            let backup = s.spec.backup;
            let next_ew = i64::from(s.next_eweight);
            self.grp_mut(backup).next_weight += next_ew;
            pool.account_up(i);
            self.get_srv(pool, i);
            let g = self.grp_mut(backup);
            let npos = g.curr_pos + (g.next_weight + g.curr_weight - g.curr_pos) / next_ew;
            self.pos[i].npos = npos;
            self.queue_srv(pool, i);
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    /// `fwrr_update_server_weight` for a server that stays usable.
    fn update_weight(&mut self, pool: &mut Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let backup = s.spec.backup;
        let (cur, next) = (i64::from(s.cur_eweight), i64::from(s.next_eweight));
        {
            let g = self.grp_mut(backup);
            g.next_weight = g.next_weight - cur + next;
        }
        if backup {
            pool.info.tot_wbck = self.bck.next_weight as u32;
        } else {
            pool.info.tot_wact = self.act.next_weight as u32;
        }
        let init = self.grp(pool, i).init;
        match self.pos[i].tree {
            Where::T(w) if w == init => {
                self.dequeue(pool, i);
                self.queue_by_weight(pool, i, init);
            }
            Where::None => {
                self.dequeue(pool, i);
                self.get_srv(pool, i);
                let g = self.grp(pool, i);
                self.pos[i].npos = g.curr_pos + (g.next_weight + g.curr_weight - g.curr_pos) / next;
                self.queue_srv(pool, i);
            }
            _ => {
                // in the current or next tree: adjust its next position if it has not
                // consumed all of its places
                self.get_srv(pool, i);
                let g = self.grp(pool, i);
                let (curr_pos, curr_weight, next_weight) =
                    (g.curr_pos, g.curr_weight, g.next_weight);
                let p = &mut self.pos[i];
                if next > 0 {
                    let prev_next = p.npos;
                    let step = next_weight / next;
                    p.npos = p.lpos + step;
                    p.rweight = 0;
                    if p.npos > prev_next {
                        p.npos = prev_next;
                    }
                    if p.npos < curr_pos + 2 {
                        p.npos = curr_pos + step;
                    }
                } else {
                    p.npos = curr_pos + curr_weight;
                }
                self.dequeue(pool, i);
                self.queue_srv(pool, i);
            }
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn seq(weights: &[u32], n: usize) -> String {
        let servers = weights
            .iter()
            .enumerate()
            .map(|(i, w)| ServerSpec::new(i as u32 + 1, format!("s{}", i + 1)).weight(*w))
            .collect();
        let mut b = Balancer::new(BalanceConfig::new(Algorithm::RoundRobin), servers)
            .expect("valid servers");
        let mut rng = || 0u32;
        let mut out = Vec::new();
        for _ in 0..n {
            let i = b
                .pick(&RequestInfo::default(), None, &mut rng)
                .expect("a server");
            out.push(b.servers()[i].spec.name.clone());
        }
        out.join(" ")
    }

    #[test]
    fn weights_3_1_as_haproxy() {
        // HAProxy 2.6.12, recorded by tools/record-balance (testdata/rr_3_1.json)
        assert_eq!(seq(&[3, 1], 8), "s1 s1 s1 s2 s1 s1 s1 s2");
    }

    #[test]
    fn zero_weight_server_never_picked() {
        assert_eq!(seq(&[0, 1], 3), "s2 s2 s2");
        let servers = vec![ServerSpec::new(1, "s1").weight(0)];
        let mut b = Balancer::new(BalanceConfig::new(Algorithm::RoundRobin), servers)
            .expect("valid servers");
        assert_eq!(b.pick(&RequestInfo::default(), None, &mut || 0u32), None);
    }
}
