//! `balance first` (src/lb_fas.c): the usable server with the lowest id (`puid`) that still
//! has room under its `maxconn` takes the request.

use super::tree::{EbTree, NodeRef};
use super::{BE_WEIGHT_SCALE, LbCore, Pool, ServerIdx};

/// The `first` state of a backend: servers keyed by id.
#[derive(Debug, Clone)]
pub struct Fas {
    act: EbTree<ServerIdx>,
    bck: EbTree<ServerIdx>,
    node: Vec<Option<NodeRef>>,
}

impl Fas {
    /// `fas_init_server_tree`.
    pub fn init(pool: &mut Pool) -> Self {
        pool.init_eweights(BE_WEIGHT_SCALE);
        pool.recount();
        pool.update_backend_weight();
        let mut me = Self {
            act: EbTree::default(),
            bck: EbTree::default(),
            node: vec![None; pool.srv.len()],
        };
        for i in 0..pool.srv.len() {
            if pool.srv[i].currently_usable() {
                me.queue(pool, i);
            }
        }
        me
    }

    fn queue(&mut self, pool: &Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let tree = if s.spec.backup {
            &mut self.bck
        } else {
            &mut self.act
        };
        self.node[i] = Some(tree.insert(s.spec.puid, i));
    }

    fn dequeue(&mut self, pool: &Pool, i: ServerIdx) {
        if let Some(n) = self.node[i].take() {
            if pool.srv[i].spec.backup {
                self.bck.delete(n);
            } else {
                self.act.delete(n);
            }
        }
    }

    /// `fas_get_next_server`.
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
            if pool.srv[i].has_room(&pool.info) {
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

impl LbCore for Fas {
    fn add_slot(&mut self, _pool: &Pool, _i: ServerIdx) {
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
            self.dequeue(pool, i);
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
            pool.account_up(i);
            self.queue(pool, i);
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    fn update_weight(&mut self, pool: &mut Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let (cur, next) = (s.cur_eweight, s.next_eweight);
        if s.spec.backup {
            pool.info.tot_wbck = pool.info.tot_wbck + next - cur;
        } else {
            pool.info.tot_wact = pool.info.tot_wact + next - cur;
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn fills_lowest_id_first_up_to_maxconn() {
        let servers = vec![
            ServerSpec::new(2, "b").maxconn(1),
            ServerSpec::new(1, "a").maxconn(2),
        ];
        let mut b =
            Balancer::new(BalanceConfig::new(Algorithm::First), servers).expect("valid servers");
        let mut rng = || 0u32;
        let req = RequestInfo::default();
        let mut got = Vec::new();
        for _ in 0..4 {
            let i = b.pick(&req, None, &mut rng);
            if let Some(i) = i {
                b.take_conn(i);
            }
            got.push(i.map(|i| b.servers()[i].spec.name.clone()));
        }
        let a = Some("a".to_string());
        let bb = Some("b".to_string());
        assert_eq!(got, vec![a.clone(), a, bb, None]);
    }
}
