//! `balance leastconn` (src/lb_fwlc.c): servers in a tree keyed by
//! `(inflight + 1) * SRV_EWGHT_MAX / eweight` (0 when idle), the first one with room wins.
//! A server is re-queued each time it takes or releases a connection, which puts it behind
//! servers of equal key: that is HAProxy's round robin among equally loaded servers.

use super::tree::{EbTree, NodeRef};
use super::{BE_WEIGHT_SCALE, LbCore, Pool, SRV_EWGHT_MAX, ServerIdx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tree {
    None,
    Act,
    Bck,
}

/// The leastconn state of a backend.
#[derive(Debug, Clone)]
pub struct Fwlc {
    act: EbTree<ServerIdx>,
    bck: EbTree<ServerIdx>,
    tree: Vec<Tree>,
    node: Vec<Option<NodeRef>>,
}

impl Fwlc {
    /// `fwlc_init_server_tree`.
    pub fn init(pool: &mut Pool) -> Self {
        pool.init_eweights(BE_WEIGHT_SCALE);
        pool.recount();
        pool.update_backend_weight();
        let n = pool.srv.len();
        let mut me = Self {
            act: EbTree::default(),
            bck: EbTree::default(),
            tree: vec![Tree::None; n],
            node: vec![None; n],
        };
        for i in 0..n {
            if !pool.srv[i].currently_usable() {
                continue;
            }
            me.tree[i] = if pool.srv[i].spec.backup {
                Tree::Bck
            } else {
                Tree::Act
            };
            me.queue(pool, i, pool.srv[i].next_eweight);
        }
        me
    }

    fn dequeue(&mut self, i: ServerIdx) {
        if let Some(n) = self.node[i].take() {
            match self.tree[i] {
                Tree::Act => self.act.delete(n),
                Tree::Bck => self.bck.delete(n),
                Tree::None => {}
            }
        }
    }

    /// `fwlc_queue_srv`.
    fn queue(&mut self, pool: &Pool, i: ServerIdx, eweight: u32) {
        let s = &pool.srv[i];
        let inflight = u64::from(s.served) + u64::from(s.nbpend);
        let key = if inflight == 0 || eweight == 0 {
            0
        } else {
            ((inflight + 1) * u64::from(SRV_EWGHT_MAX) / u64::from(eweight)) as u32
        };
        let node = match self.tree[i] {
            Tree::Act => self.act.insert(key, i),
            Tree::Bck => self.bck.insert(key, i),
            Tree::None => return,
        };
        self.node[i] = Some(node);
    }

    /// `fwlc_get_next_server`.
    pub fn get_next_server(
        &mut self,
        pool: &mut Pool,
        avoid: Option<ServerIdx>,
    ) -> Option<ServerIdx> {
        let tree = if pool.info.srv_act > 0 {
            &self.act
        } else if let Some(f) = pool.info.fbck {
            return Some(f);
        } else if pool.info.srv_bck > 0 {
            &self.bck
        } else {
            return None;
        };
        let mut avoided = None;
        let mut node = tree.first();
        while let Some((n, i)) = node {
            let s = &pool.srv[i];
            // leastconn also counts the server's queue slots (`maxqueue`) as room
            let room = s.spec.maxconn == 0
                || s.served + s.nbpend < pool.info.dynamic_maxconn(s) + s.spec.maxqueue;
            if room {
                if Some(i) != avoid {
                    return Some(i);
                }
                avoided = Some(i);
            }
            node = tree.next(n);
        }
        avoided
    }
}

impl LbCore for Fwlc {
    fn add_slot(&mut self, _pool: &Pool, _i: ServerIdx) {
        self.tree.push(Tree::None);
        self.node.push(None);
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
            pool.account_down(i);
            self.dequeue(i);
            self.tree[i] = Tree::None;
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
            self.tree[i] = if s.spec.backup { Tree::Bck } else { Tree::Act };
            pool.account_up(i);
            let ew = pool.srv[i].next_eweight;
            self.queue(pool, i, ew);
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    fn update_weight(&mut self, pool: &mut Pool, i: ServerIdx) {
        self.dequeue(i);
        let s = &pool.srv[i];
        let (cur, next) = (s.cur_eweight, s.next_eweight);
        if s.spec.backup {
            pool.info.tot_wbck = pool.info.tot_wbck + next - cur;
            self.tree[i] = Tree::Bck;
        } else {
            pool.info.tot_wact = pool.info.tot_wact + next - cur;
            self.tree[i] = Tree::Act;
        }
        self.queue(pool, i, next);
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    /// `fwlc_srv_reposition`, on take and drop of a connection.
    fn reposition(&mut self, pool: &mut Pool, i: ServerIdx) {
        if self.tree[i] == Tree::None {
            return;
        }
        self.dequeue(i);
        let ew = pool.srv[i].cur_eweight;
        self.queue(pool, i, ew);
    }
}
