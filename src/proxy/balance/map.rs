//! `balance static-rr` and `hash-type map-based` (src/lb_map.c): a table with one slot per
//! unit of effective weight, filled so that each server's slots are spread evenly and ties go
//! to the server declared first. Round robin walks the table; hashing takes slot
//! `hash % total weight`. Weights are divided by their GCD first, so weights 2,2,4 give a
//! table of 4 slots.

use super::{LbCore, Pool, ServerIdx};

/// The map state of a backend.
#[derive(Debug, Clone)]
pub struct Map {
    slots: Vec<ServerIdx>,
    rr_idx: usize,
}

impl Map {
    /// `init_server_map`.
    pub fn init(pool: &mut Pool) -> Self {
        // GCD of the user weights, starting at the first non-zero one
        let mut pgcd = 1u32;
        if let Some(first) = pool.srv.iter().position(|s| s.uweight != 0) {
            pgcd = pool.srv[first].uweight;
            for s in &pool.srv[first + 1..] {
                if pgcd <= 1 {
                    break;
                }
                let mut w = s.uweight;
                while w != 0 {
                    let t = pgcd % w;
                    pgcd = w;
                    w = t;
                }
            }
        }
        pool.info.wmult = pgcd;
        pool.init_eweights(1);
        pool.recount();
        pool.update_backend_weight();
        let mut me = Self {
            slots: Vec::new(),
            rr_idx: 0,
        };
        me.recalc(pool);
        me
    }

    /// `recalc_server_map`.
    fn recalc(&mut self, pool: &mut Pool) {
        if pool.info.tot_used == 0 {
            return;
        }
        let tot = pool.info.tot_weight as i64;
        let want_backup = pool.info.srv_act == 0;
        let mut wscore = vec![0i64; pool.srv.len()];
        let mut slots = Vec::with_capacity(tot.max(0) as usize);
        for _ in 0..tot {
            let mut best: Option<ServerIdx> = None;
            let mut max = 0i64;
            for (i, s) in pool.srv.iter().enumerate() {
                if s.spec.backup != want_backup || !s.willbe_usable() {
                    continue;
                }
                if tot == 1 {
                    // a single slot: the first eligible server, as HAProxy
                    best = Some(i);
                    break;
                }
                wscore[i] += i64::from(s.next_eweight);
                let v = (wscore[i] + tot) / tot;
                if best.is_none() || v > max {
                    max = v;
                    best = Some(i);
                }
            }
            if let Some(b) = best {
                wscore[b] -= tot;
                slots.push(b);
            }
        }
        self.slots = slots;
    }

    /// `map_get_server_rr`.
    pub fn get_server_rr(
        &mut self,
        pool: &mut Pool,
        avoid: Option<ServerIdx>,
    ) -> Option<ServerIdx> {
        let tot = (pool.info.tot_weight as usize).min(self.slots.len());
        if tot == 0 {
            return None;
        }
        if self.rr_idx >= tot {
            self.rr_idx = 0;
        }
        let mut newidx = self.rr_idx;
        let mut avoided = None;
        let mut avoididx = 0;
        loop {
            let s = self.slots[newidx];
            newidx += 1;
            if pool.srv[s].has_room(&pool.info) {
                avoided = Some(s);
                avoididx = newidx;
                if Some(s) != avoid {
                    self.rr_idx = newidx;
                    return Some(s);
                }
            }
            if newidx == tot {
                newidx = 0;
            }
            if newidx == self.rr_idx {
                break;
            }
        }
        if avoided.is_some() {
            self.rr_idx = avoididx;
        }
        avoided
    }

    /// `map_get_server_hash`.
    pub fn get_server_hash(&mut self, pool: &mut Pool, hash: u32) -> Option<ServerIdx> {
        let tot = pool.info.tot_weight;
        if tot == 0 {
            return None;
        }
        self.slots.get((hash % tot) as usize).copied()
    }

    /// The table, for inspection.
    pub fn slots(&self) -> &[ServerIdx] {
        &self.slots
    }
}

impl LbCore for Map {
    /// Map-based algorithms refuse dynamic servers (HAProxy's `BE_LB_PROP_DYN`); the
    /// table is rebuilt from the pool on every change anyway.
    fn add_slot(&mut self, _pool: &Pool, _i: ServerIdx) {}

    fn set_status_down(&mut self, pool: &mut Pool, i: ServerIdx) {
        if !pool.srv[i].status_changed() {
            return;
        }
        if !pool.srv[i].willbe_usable() {
            pool.recount();
            pool.update_backend_weight();
            self.recalc(pool);
        }
        pool.srv[i].commit();
    }

    fn set_status_up(&mut self, pool: &mut Pool, i: ServerIdx) {
        if !pool.srv[i].status_changed() {
            return;
        }
        if pool.srv[i].willbe_usable() {
            pool.recount();
            pool.update_backend_weight();
            self.recalc(pool);
        }
        pool.srv[i].commit();
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn table_for_5_3_2() {
        let servers = [5, 3, 2]
            .iter()
            .enumerate()
            .map(|(i, w)| ServerSpec::new(i as u32 + 1, format!("s{}", i + 1)).weight(*w))
            .collect();
        let mut b =
            Balancer::new(BalanceConfig::new(Algorithm::StaticRr), servers).expect("valid servers");
        let mut rng = || 0u32;
        let names: Vec<String> = (0..10)
            .map(|_| {
                let i = b
                    .pick(&RequestInfo::default(), None, &mut rng)
                    .expect("server");
                b.servers()[i].spec.name.clone()
            })
            .collect();
        // HAProxy 2.6.12, testdata/srr_5_3_2.json
        assert_eq!(names.join(" "), "s1 s1 s2 s1 s3 s1 s2 s1 s2 s3");
    }

    #[test]
    fn static_weights_only_zero_or_initial() {
        let servers = vec![ServerSpec::new(1, "a").weight(2), ServerSpec::new(2, "b")];
        let mut b =
            Balancer::new(BalanceConfig::new(Algorithm::StaticRr), servers).expect("valid servers");
        assert_eq!(b.set_weight(0, 3), Err(BalanceError::StaticWeight));
        assert_eq!(b.set_weight(0, 0), Ok(()));
        assert_eq!(b.set_weight(0, 2), Ok(()));
    }
}
