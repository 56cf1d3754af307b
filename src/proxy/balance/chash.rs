//! `hash-type consistent` and `balance random` (src/lb_chash.c).
//!
//! Each server owns `eweight` = 16 x weight points on a 32-bit ring, point `j` at
//! `full_hash(puid * SRV_EWGHT_RANGE + j)`. A hash goes to the closer of the points just
//! before and just after it (the one before on a tie). Changing a weight adds or removes the
//! server's last points only, so most keys keep their server. `random` draws ring positions
//! and keeps the least loaded of `draws` picks.

use super::hash::full_hash;
use super::tree::{EbTree, NodeRef};
use super::{BE_WEIGHT_SCALE, LbCore, Pool, Rng, SRV_EWGHT_MAX, ServerIdx};

#[derive(Debug, Clone, Default)]
struct SrvNodes {
    /// Keys of the server's points (`lb_nodes`, `lb_nodes_tot` of them).
    keys: Vec<u32>,
    /// Tree positions of the points currently inserted (`lb_nodes_now` = its length).
    inserted: Vec<NodeRef>,
}

/// A point on the ring: which server, and which of its points.
type Point = (ServerIdx, usize);

/// The consistent-hash state of a backend.
#[derive(Debug, Clone)]
pub struct Chash {
    act: EbTree<Point>,
    bck: EbTree<Point>,
    nodes: Vec<SrvNodes>,
    /// `lbprm.chash.last`: where the round-robin fallback resumes.
    last: Option<NodeRef>,
}

impl Chash {
    /// `chash_init_server_tree`.
    pub fn init(pool: &mut Pool) -> Self {
        pool.init_eweights(BE_WEIGHT_SCALE);
        pool.recount();
        pool.update_backend_weight();
        let mut me = Self {
            act: EbTree::default(),
            bck: EbTree::default(),
            nodes: Vec::with_capacity(pool.srv.len()),
            last: None,
        };
        for s in &pool.srv {
            let tot = s.uweight * BE_WEIGHT_SCALE;
            let keys = (0..tot)
                .map(|j| full_hash(s.spec.puid.wrapping_mul(SRV_EWGHT_MAX).wrapping_add(j)))
                .collect();
            me.nodes.push(SrvNodes {
                keys,
                inserted: Vec::new(),
            });
        }
        for i in 0..pool.srv.len() {
            if pool.srv[i].currently_usable() {
                me.queue_dequeue(pool, i);
            }
        }
        me
    }

    fn tree_mut(&mut self, backup: bool) -> &mut EbTree<Point> {
        if backup { &mut self.bck } else { &mut self.act }
    }

    fn tree(&self, backup: bool) -> &EbTree<Point> {
        if backup { &self.bck } else { &self.act }
    }

    /// `chash_skip_node`: the node after `node`, wrapping, or `None` if it is alone.
    fn skip_node(&self, backup: bool, node: NodeRef) -> Option<NodeRef> {
        let t = self.tree(backup);
        let next = t.next(node).or_else(|| t.first()).map(|(n, _)| n)?;
        if next == node { None } else { Some(next) }
    }

    /// Removes the server's last inserted point, moving `last` off it first.
    fn pop_point(&mut self, backup: bool, i: ServerIdx) {
        let Some(node) = self.nodes[i].inserted.pop() else {
            return;
        };
        if self.last == Some(node) {
            self.last = self.skip_node(backup, node);
        }
        self.tree_mut(backup).delete(node);
    }

    /// `chash_dequeue_srv`.
    fn dequeue_all(&mut self, pool: &Pool, i: ServerIdx) {
        let backup = pool.srv[i].spec.backup;
        while !self.nodes[i].inserted.is_empty() {
            self.pop_point(backup, i);
        }
    }

    /// `chash_queue_dequeue_srv`: as many points as the next effective weight.
    fn queue_dequeue(&mut self, pool: &Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let backup = s.spec.backup;
        let want = s.next_eweight as usize;
        while self.nodes[i].inserted.len() > want {
            self.pop_point(backup, i);
        }
        if self.nodes[i].keys.len() < want {
            // HAProxy reallocates the point array, removing every point first
            self.dequeue_all(pool, i);
            let puid = s.spec.puid;
            let from = self.nodes[i].keys.len() as u32;
            for j in from..want as u32 {
                self.nodes[i]
                    .keys
                    .push(full_hash(puid.wrapping_mul(SRV_EWGHT_MAX).wrapping_add(j)));
            }
        }
        while self.nodes[i].inserted.len() < want {
            let j = self.nodes[i].inserted.len();
            let key = self.nodes[i].keys[j];
            // HAProxy checks `last` against the node it is about to insert, which cannot be
            // in the tree; nothing to do here.
            let node = self.tree_mut(backup).insert(key, (i, j));
            self.nodes[i].inserted.push(node);
        }
    }

    /// The tree to use, or an early answer (`fbck`, nothing).
    fn root(&self, pool: &Pool) -> Result<bool, Option<ServerIdx>> {
        if pool.info.srv_act > 0 {
            Ok(false)
        } else if let Some(f) = pool.info.fbck {
            Err(Some(f))
        } else if pool.info.srv_bck > 0 {
            Ok(true)
        } else {
            Err(None)
        }
    }

    /// `chash_get_server_hash` (without `hash-balance-factor`).
    pub fn get_server_hash(
        &mut self,
        pool: &mut Pool,
        hash: u32,
        avoid: Option<ServerIdx>,
    ) -> Option<ServerIdx> {
        let backup = match self.root(pool) {
            Ok(b) => b,
            Err(early) => return early,
        };
        let t = self.tree(backup);
        let (next, (nsrv, _)) = t.lookup_ge(hash).or_else(|| t.first())?;
        let (prev, (psrv, _)) = t.prev(next).or_else(|| t.last())?;
        let dp = hash.wrapping_sub(prev.0);
        let dn = next.0.wrapping_sub(hash);
        let (mut node, mut srv) = if dp <= dn { (prev, psrv) } else { (next, nsrv) };
        let mut loops = 0;
        while Some(srv) == avoid {
            let n = match t.next(node) {
                Some(n) => n,
                None => {
                    loops += 1;
                    if loops > 1 {
                        break;
                    }
                    t.first()?
                }
            };
            node = n.0;
            srv = n.1.0;
        }
        Some(srv)
    }

    /// `chash_get_next_server`: round robin over the ring, the fallback of the hash
    /// algorithms when their key is missing.
    pub fn get_next_server(
        &mut self,
        pool: &mut Pool,
        avoid: Option<ServerIdx>,
    ) -> Option<ServerIdx> {
        let backup = match self.root(pool) {
            Ok(b) => b,
            Err(early) => return early,
        };
        let mut stop = self.last;
        let mut node = self.last;
        let mut avoided: Option<(ServerIdx, NodeRef)> = None;
        // bounded by the number of points: the walk stops when it is back at `stop`
        let mut budget = self.tree(backup).len() + 1;
        loop {
            let t = self.tree(backup);
            let cur = node.and_then(|n| t.next(n)).or_else(|| t.first());
            let Some((n, (s, _))) = cur else {
                self.last = None;
                return None;
            };
            self.last = Some(n);
            node = Some(n);
            if stop.is_none() {
                stop = Some(n);
            }
            if pool.srv[s].has_room(&pool.info) {
                if Some(s) != avoid {
                    return Some(s);
                }
                avoided = Some((s, n));
            }
            budget = budget.saturating_sub(1);
            if node == stop || budget == 0 {
                break;
            }
        }
        let (s, n) = avoided?;
        self.last = Some(n);
        Some(s)
    }

    /// `get_server_rnd`: `draws` random points, keeping the server with the fewest
    /// connections relative to its weight; `None` if the winner is full (queue on the
    /// backend).
    pub fn get_server_rnd(
        &mut self,
        pool: &mut Pool,
        draws: u32,
        avoid: Option<ServerIdx>,
        rng: &mut dyn Rng,
    ) -> Option<ServerIdx> {
        if pool.info.tot_weight == 0 {
            return None;
        }
        let mut curr: Option<ServerIdx> = None;
        let mut draws = draws.max(1);
        loop {
            let prev = curr;
            let h = rng.next_u32();
            curr = self.get_server_hash(pool, h, avoid);
            let Some(c) = curr else { break };
            if let Some(p) = prev {
                let (cs, ps) = (&pool.srv[c], &pool.srv[p]);
                if p != c
                    && u64::from(cs.served) * u64::from(ps.cur_eweight)
                        > u64::from(ps.served) * u64::from(cs.cur_eweight)
                {
                    curr = Some(p);
                }
            }
            draws -= 1;
            if draws == 0 {
                break;
            }
        }
        let c = curr?;
        let s = &pool.srv[c];
        if s.nbpend > 0 || (s.spec.maxconn > 0 && s.served >= pool.info.dynamic_maxconn(s)) {
            return None;
        }
        Some(c)
    }
}

impl LbCore for Chash {
    fn add_slot(&mut self, pool: &Pool, i: ServerIdx) {
        let s = &pool.srv[i];
        let tot = s.uweight * BE_WEIGHT_SCALE;
        let keys = (0..tot)
            .map(|j| full_hash(s.spec.puid.wrapping_mul(SRV_EWGHT_MAX).wrapping_add(j)))
            .collect();
        self.nodes.push(SrvNodes {
            keys,
            inserted: Vec::new(),
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
            pool.account_down(i);
            self.dequeue_all(pool, i);
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
            self.queue_dequeue(pool, i);
        }
        pool.update_backend_weight();
        pool.srv[i].commit();
    }

    fn update_weight(&mut self, pool: &mut Pool, i: ServerIdx) {
        self.queue_dequeue(pool, i);
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
    fn random_keeps_least_loaded_of_draws() {
        let servers = vec![ServerSpec::new(1, "a"), ServerSpec::new(2, "b")];
        let mut b = Balancer::new(BalanceConfig::new(Algorithm::Random { draws: 2 }), servers)
            .expect("valid servers");
        let req = RequestInfo::default();
        // find two ring positions landing on different servers
        let mut pos = [None, None];
        for h in (0..u32::MAX).step_by(0x0100_0000) {
            let i = b.pick(&req, None, &mut || h).expect("server");
            pos[i].get_or_insert(h);
            if pos.iter().all(Option::is_some) {
                break;
            }
        }
        let (ha, hb) = (pos[0].expect("a point"), pos[1].expect("b point"));
        b.take_conn(0);
        // draws land on a (loaded) then b: b wins; then b and a equally loaded: on a tie
        // HAProxy keeps the later draw, a
        let mut seq = [ha, hb].into_iter().cycle();
        let mut rng = move || seq.next().unwrap_or(0);
        assert_eq!(b.pick(&req, None, &mut rng), Some(1));
        b.take_conn(1);
        let mut seq = [hb, ha].into_iter();
        let mut rng = move || seq.next().unwrap_or(0);
        assert_eq!(b.pick(&req, None, &mut rng), Some(0));
    }
}
