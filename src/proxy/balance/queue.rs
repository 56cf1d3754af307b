//! Server and backend queues (src/queue.c, `assign_server_and_queue` in src/backend.c),
//! sans-IO: what happens to a request when servers are at their `maxconn`, and which queued
//! request a freed slot goes to.
//!
//! - The balancer picks a server. If it has a `maxconn` and is full (or already has a
//!   queue), the request waits in that server's queue (or is refused when the queue is at
//!   `maxqueue`).
//! - If the algorithm finds no server with room (round robin, leastconn, first skip full
//!   servers), the request waits in the backend's queue. With `first`, `roundrobin` and
//!   `static-rr`, a non-empty backend queue sends new requests straight to its tail, so
//!   they are served in order.
//! - When a request on a server ends, the server takes queued requests while it has room:
//!   the older of the heads of its own queue and of the backend queue (the server's on a
//!   tie), the backend one only if the server is usable. A request taken from the backend
//!   queue goes to that server without balancing again.
//!
//! The caller owns time: it passes `now_ms` and applies `timeout queue` with
//! [`Dispatcher::expire`] (HAProxy then answers 503).

use std::collections::VecDeque;

use super::{Algorithm, BalanceError, Balancer, RequestInfo, Rng, ServerIdx, ServerState};

/// Where a request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// It has a connection slot on this server.
    Server(ServerIdx),
    /// It waits in this server's queue.
    QueuedOnServer(ServerIdx),
    /// It waits in the backend's queue.
    QueuedOnBackend,
    /// The chosen server's queue is at `maxqueue` (HAProxy answers 503).
    Full,
    /// No usable server (503).
    NoServer,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    id: u64,
    since_ms: u64,
}

/// What a server state or weight change did to queued requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueEffects {
    /// Requests taken from the backend queue by a server that became usable
    /// (`pendconn_grab_from_px`): they now have a slot on that server.
    pub granted: Vec<(u64, ServerIdx)>,
    /// Requests that were queued on a server that stopped being usable, to be balanced
    /// again with [`Dispatcher::assign`] (`pendconn_redistribute`, only with `option
    /// redispatch`).
    pub redispatch: Vec<u64>,
}

/// A balancer with its queues.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    pub balancer: Balancer,
    srv_queue: Vec<VecDeque<Pending>>,
    px_queue: VecDeque<Pending>,
    /// `option redispatch`.
    redispatch: bool,
}

impl Dispatcher {
    pub fn new(balancer: Balancer) -> Self {
        let n = balancer.servers().len();
        Self {
            balancer,
            srv_queue: vec![VecDeque::new(); n],
            px_queue: VecDeque::new(),
            redispatch: false,
        }
    }

    /// `option redispatch`: requests queued on a server that goes down are balanced again.
    pub fn with_redispatch(mut self, on: bool) -> Self {
        self.redispatch = on;
        self
    }

    /// [`Balancer::set_state`] plus what HAProxy's `srv_update_status` does to queues.
    pub fn set_state(
        &mut self,
        i: ServerIdx,
        state: ServerState,
    ) -> Result<QueueEffects, BalanceError> {
        let was = self.usable(i);
        self.balancer.set_state(i, state)?;
        Ok(self.after_change(i, was))
    }

    /// [`Balancer::set_weight`] plus the queue effects.
    pub fn set_weight(&mut self, i: ServerIdx, weight: u32) -> Result<QueueEffects, BalanceError> {
        let was = self.usable(i);
        self.balancer.set_weight(i, weight)?;
        Ok(self.after_change(i, was))
    }

    fn usable(&self, i: ServerIdx) -> bool {
        self.balancer
            .pool
            .srv
            .get(i)
            .is_some_and(|s| s.currently_usable())
    }

    fn after_change(&mut self, i: ServerIdx, was: bool) -> QueueEffects {
        let now = self.usable(i);
        let mut fx = QueueEffects::default();
        if was && !now && self.redispatch {
            fx.redispatch = self.srv_queue[i].drain(..).map(|p| p.id).collect();
            self.sync_nbpend(i);
        }
        if !was && now {
            fx.granted = self.grab_from_px(i);
        }
        fx
    }

    /// `pendconn_grab_from_px`: a server that came up takes requests from the backend queue
    /// while it has room (all of them without `maxconn`), unless it is a backup server that
    /// is not the one in use.
    fn grab_from_px(&mut self, i: ServerIdx) -> Vec<(u64, ServerIdx)> {
        let pool = &self.balancer.pool;
        let s = &pool.srv[i];
        if s.spec.backup
            && (pool.info.srv_act > 0 || (pool.info.srv_bck > 1 && pool.info.fbck != Some(i)))
        {
            return Vec::new();
        }
        let maxconn = pool.info.dynamic_maxconn(s);
        let limited = s.spec.maxconn > 0;
        let mut done = Vec::new();
        while let Some(p) = self.px_queue.front().copied() {
            let s = &self.balancer.pool.srv[i];
            if limited && s.served >= maxconn {
                break;
            }
            self.px_queue.pop_front();
            self.balancer.pool.srv[i].served += 1;
            self.balancer.pool.info.beconn += 1;
            done.push((p.id, i));
        }
        if !done.is_empty() {
            let Balancer { pool, core, .. } = &mut self.balancer;
            core.as_core().reposition(pool, i);
        }
        done
    }

    /// `add server`: the balancer takes the server (in maintenance) and it gets a queue.
    pub fn add_server(&mut self, spec: super::ServerSpec) -> Result<ServerIdx, BalanceError> {
        let i = self.balancer.add_server(spec)?;
        self.srv_queue.push(VecDeque::new());
        Ok(i)
    }

    /// `set maxconn server`: a lower limit holds new requests back (they queue), a higher
    /// one hands the free slots to queued requests at once, as HAProxy's
    /// `cli_parse_set_maxconn_server` (it calls `process_srv_queue` when the server has a
    /// queue). Returns the requests that now have a slot.
    pub fn set_maxconn(
        &mut self,
        i: ServerIdx,
        maxconn: u32,
    ) -> Result<Vec<(u64, ServerIdx)>, BalanceError> {
        self.balancer.set_maxconn(i, maxconn)?;
        Ok(self.process_srv_queue(i))
    }

    /// Requests waiting in server `i`'s queue.
    pub fn server_queue_len(&self, i: ServerIdx) -> usize {
        self.srv_queue.get(i).map_or(0, VecDeque::len)
    }

    pub fn backend_queue_len(&self) -> usize {
        self.px_queue.len()
    }

    /// Requests waiting in any queue of the backend.
    pub fn total_queued(&self) -> usize {
        self.px_queue.len() + self.srv_queue.iter().map(VecDeque::len).sum::<usize>()
    }

    fn sync_nbpend(&mut self, i: ServerIdx) {
        let n = self.server_queue_len(i) as u32;
        self.balancer.set_queued(i, n);
    }

    /// `assign_server_and_queue` for request `id` arriving at `now_ms`.
    pub fn assign(
        &mut self,
        id: u64,
        req: &RequestInfo<'_>,
        avoid: Option<ServerIdx>,
        now_ms: u64,
        rng: &mut dyn Rng,
    ) -> Assignment {
        let queued = self.total_queued();
        let b = &mut self.balancer;
        if b.pool.info.tot_weight == 0 {
            return Assignment::NoServer;
        }
        // HAProxy's `beconn` counts the streams of the backend, queued ones included
        let beconn = b.pool.info.beconn as usize + queued;
        let in_order = matches!(
            b.cfg.algorithm,
            Algorithm::First | Algorithm::RoundRobin | Algorithm::StaticRr
        );
        if !self.px_queue.is_empty() && self.px_queue.len() != beconn && in_order {
            self.px_queue.push_back(Pending {
                id,
                since_ms: now_ms,
            });
            return Assignment::QueuedOnBackend;
        }
        let Some(s) = b.pick(req, avoid, rng) else {
            self.px_queue.push_back(Pending {
                id,
                since_ms: now_ms,
            });
            return Assignment::QueuedOnBackend;
        };
        let srv = &b.pool.srv[s];
        let full = srv.spec.maxconn > 0
            && (srv.nbpend > 0 || srv.served >= b.pool.info.dynamic_maxconn(srv));
        if full {
            if srv.spec.maxqueue > 0 && srv.nbpend >= srv.spec.maxqueue {
                return Assignment::Full;
            }
            self.srv_queue[s].push_back(Pending {
                id,
                since_ms: now_ms,
            });
            self.sync_nbpend(s);
            return Assignment::QueuedOnServer(s);
        }
        b.take_conn(s);
        Assignment::Server(s)
    }

    /// The request on server `i` ended: frees its slot and hands it (and any other free
    /// slot of that server) to queued requests. Returns the requests that now have a slot,
    /// in order.
    pub fn release(&mut self, i: ServerIdx) -> Vec<(u64, ServerIdx)> {
        if i >= self.srv_queue.len() {
            return Vec::new();
        }
        self.balancer.drop_conn(i);
        self.process_srv_queue(i)
    }

    /// `process_srv_queue`: also to be called when a server comes up.
    pub fn process_srv_queue(&mut self, i: ServerIdx) -> Vec<(u64, ServerIdx)> {
        let mut done = Vec::new();
        loop {
            let pool = &self.balancer.pool;
            let s = &pool.srv[i];
            if s.served >= pool.info.dynamic_maxconn(s) {
                break;
            }
            let p = self.srv_queue[i].front().copied();
            let pp = if s.currently_usable() {
                self.px_queue.front().copied()
            } else {
                None
            };
            let take_own = match (p, pp) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => a.since_ms <= b.since_ms,
            };
            let got = if take_own {
                self.srv_queue[i].pop_front()
            } else {
                self.px_queue.pop_front()
            };
            let Some(got) = got else { break };
            // served++ for each, the tree repositioning once at the end as HAProxy
            self.balancer.pool.srv[i].served += 1;
            self.balancer.pool.info.beconn += 1;
            done.push((got.id, i));
        }
        self.sync_nbpend(i);
        if !done.is_empty() {
            let Balancer { pool, core, .. } = &mut self.balancer;
            core.as_core().reposition(pool, i);
        }
        done
    }

    /// The client of a queued request went away: removes it.
    pub fn abandon(&mut self, id: u64) -> bool {
        if let Some(pos) = self.px_queue.iter().position(|p| p.id == id) {
            self.px_queue.remove(pos);
            return true;
        }
        for i in 0..self.srv_queue.len() {
            if let Some(pos) = self.srv_queue[i].iter().position(|p| p.id == id) {
                self.srv_queue[i].remove(pos);
                self.sync_nbpend(i);
                return true;
            }
        }
        false
    }

    /// Removes and returns the requests queued for `timeout_ms` or longer (`timeout
    /// queue`, answered 503 by HAProxy).
    pub fn expire(&mut self, now_ms: u64, timeout_ms: u64) -> Vec<u64> {
        let old = |p: &Pending| now_ms.saturating_sub(p.since_ms) >= timeout_ms;
        let mut out: Vec<u64> = self
            .px_queue
            .iter()
            .filter(|p| old(p))
            .map(|p| p.id)
            .collect();
        self.px_queue.retain(|p| !old(p));
        for i in 0..self.srv_queue.len() {
            out.extend(self.srv_queue[i].iter().filter(|p| old(p)).map(|p| p.id));
            self.srv_queue[i].retain(|p| !old(p));
            self.sync_nbpend(i);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    /// `add server` on each dynamic algorithm: the server joins in maintenance (no
    /// traffic), then takes its weighted share once UP, as HAProxy 2.6.12 measured on
    /// roundrobin: weights 1 and 3 give `s1 n1 n1 n1` (`A B B B A B B B`).
    #[test]
    fn added_server_joins_in_maintenance_then_takes_its_share() {
        let req = RequestInfo::default();
        for alg in [
            Algorithm::RoundRobin,
            Algorithm::LeastConn,
            Algorithm::First,
            Algorithm::Random { draws: 2 },
        ] {
            let b = Balancer::new(
                BalanceConfig::new(alg.clone()),
                vec![ServerSpec::new(1, "s1")],
            )
            .expect("valid servers");
            let mut d = Dispatcher::new(b);
            let n1 = d
                .add_server(ServerSpec::new(2, "n1").weight(3))
                .expect("added");
            assert_eq!(n1, 1);
            let mut x = 7u32;
            let mut rng = || {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                x
            };
            let mut picks = Vec::new();
            for id in 0..8 {
                if let Assignment::Server(s) = d.assign(id, &req, None, 0, &mut rng) {
                    picks.push(s);
                    d.release(s);
                }
            }
            assert_eq!(
                picks,
                vec![0; 8],
                "{alg:?}: a server in maintenance was picked"
            );
            d.set_state(n1, ServerState::Up).expect("up");
            let mut picks = Vec::new();
            for id in 0..8 {
                match d.assign(id, &req, None, 0, &mut rng) {
                    Assignment::Server(s) => {
                        picks.push(s);
                        d.release(s);
                    }
                    other => panic!("{alg:?}: {other:?}"),
                }
            }
            match alg {
                Algorithm::RoundRobin => assert_eq!(picks, vec![0, 1, 1, 1, 0, 1, 1, 1]),
                // `first` keeps to the lowest id with room
                Algorithm::First => assert_eq!(picks, vec![0; 8]),
                _ => assert!(picks.contains(&1), "{alg:?}: n1 never picked: {picks:?}"),
            }
        }
    }

    /// `set maxconn server`: raising the limit hands the free slot to the queued request
    /// at once; lowering it holds new requests back.
    #[test]
    fn set_maxconn_serves_or_holds_the_queue() {
        let b = Balancer::new(
            BalanceConfig::new(Algorithm::RoundRobin),
            vec![ServerSpec::new(1, "s1").maxconn(1)],
        )
        .expect("valid servers");
        let mut d = Dispatcher::new(b);
        let req = RequestInfo::default();
        let mut rng = || 0u32;
        assert_eq!(d.assign(0, &req, None, 0, &mut rng), Assignment::Server(0));
        assert_eq!(
            d.assign(1, &req, None, 1, &mut rng),
            Assignment::QueuedOnBackend
        );
        assert_eq!(d.set_maxconn(0, 2), Ok(vec![(1, 0)]));
        assert_eq!(d.set_maxconn(0, 1), Ok(vec![]));
        // two served, limit 1: a third waits until both are done
        assert_eq!(
            d.assign(2, &req, None, 2, &mut rng),
            Assignment::QueuedOnBackend
        );
        assert_eq!(d.release(0), vec![]);
        assert_eq!(d.release(0), vec![(2, 0)]);
        assert_eq!(d.set_maxconn(9, 1), Err(BalanceError::NoSuchServer(9)));
    }

    #[test]
    fn full_roundrobin_queues_on_backend_and_release_hands_over() {
        let servers = vec![
            ServerSpec::new(1, "s1").maxconn(1),
            ServerSpec::new(2, "s2").maxconn(1),
        ];
        let b = Balancer::new(BalanceConfig::new(Algorithm::RoundRobin), servers)
            .expect("valid servers");
        let mut d = Dispatcher::new(b);
        let req = RequestInfo::default();
        let mut rng = || 0u32;
        assert_eq!(d.assign(0, &req, None, 0, &mut rng), Assignment::Server(0));
        assert_eq!(d.assign(1, &req, None, 0, &mut rng), Assignment::Server(1));
        assert_eq!(
            d.assign(2, &req, None, 1, &mut rng),
            Assignment::QueuedOnBackend
        );
        assert_eq!(
            d.assign(3, &req, None, 2, &mut rng),
            Assignment::QueuedOnBackend
        );
        assert_eq!(d.release(1), vec![(2, 1)]);
        assert_eq!(d.expire(5000, 4000), vec![3]);
        assert_eq!(d.backend_queue_len(), 0);
    }

    #[test]
    fn server_queue_redispatched_when_server_goes_down() {
        let servers = vec![
            ServerSpec::new(1, "s1").maxconn(1),
            ServerSpec::new(2, "s2").maxconn(1),
        ];
        let alg = Algorithm::Uri {
            whole: false,
            len: 0,
            depth: 0,
            path_only: false,
        };
        let b = Balancer::new(BalanceConfig::new(alg), servers).expect("valid servers");
        let mut d = Dispatcher::new(b).with_redispatch(true);
        let req = RequestInfo {
            uri: Some("/a"),
            ..RequestInfo::default()
        };
        let mut rng = || 0u32;
        let first = d.assign(0, &req, None, 0, &mut rng);
        let Assignment::Server(s) = first else {
            panic!("{first:?}")
        };
        // the same URI hashes to the same, now full, server: its own queue
        assert_eq!(
            d.assign(1, &req, None, 0, &mut rng),
            Assignment::QueuedOnServer(s)
        );
        let fx = d.set_state(s, ServerState::Maint).expect("server exists");
        assert_eq!(fx.redispatch, vec![1]);
        assert_eq!(d.server_queue_len(s), 0);
        // balanced again: the other server
        assert_eq!(
            d.assign(1, &req, None, 1, &mut rng),
            Assignment::Server(1 - s)
        );
    }
}
