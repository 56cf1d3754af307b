//! Run-time weights (`set weight`, `set server B/S weight`) as HAProxy applies them: the
//! user weight becomes the effective weight of the dynamic algorithms at once, relative
//! weights are honoured, weight 0 takes a server out of balancing (no new traffic, its
//! connections stay), static algorithms accept only 0% and 100%, and a server coming back
//! takes queued requests. Virtual time: the dispatcher is driven with explicit
//! milliseconds, no clock.

use std::collections::BTreeMap;

use super::queue::{Assignment, Dispatcher};
use super::*;

fn balancer(alg: Algorithm, servers: &[(&str, u32)]) -> Balancer {
    let specs = servers
        .iter()
        .enumerate()
        .map(|(i, (n, w))| ServerSpec::new(i as u32 + 1, *n).weight(*w))
        .collect();
    Balancer::new(BalanceConfig::new(alg), specs).unwrap_or_else(|e| panic!("{e}"))
}

/// `n` picks without releasing (`hold`) or releasing each connection at once.
fn counts(b: &mut Balancer, n: usize, hold: bool) -> BTreeMap<String, usize> {
    let mut rng = || 7u32;
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let Some(i) = b.pick(&RequestInfo::default(), None, &mut rng) else {
            *out.entry("<none>".to_string()).or_default() += 1;
            continue;
        };
        b.take_conn(i);
        if !hold {
            b.drop_conn(i);
        }
        *out.entry(b.servers()[i].spec.name.clone()).or_default() += 1;
    }
    out
}

fn m(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn roundrobin_follows_set_weight() {
    let mut b = balancer(Algorithm::RoundRobin, &[("a", 1), ("b", 1)]);
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 4), ("b", 4)]));
    b.set_weight(0, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 6), ("b", 2)]));
    // weight 0: no new traffic
    b.set_weight(1, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 5, false), m(&[("a", 5)]));
    b.set_weight(1, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 4), ("b", 4)]));
    // every weight 0: nothing to balance to (HAProxy answers 503)
    b.set_weight(0, 0).unwrap_or_else(|e| panic!("{e}"));
    b.set_weight(1, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 2, false), m(&[("<none>", 2)]));
}

#[test]
fn leastconn_spreads_held_connections_by_weight() {
    let mut b = balancer(Algorithm::LeastConn, &[("a", 1), ("b", 1)]);
    b.set_weight(0, 2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 9, true), m(&[("a", 6), ("b", 3)]));
    b.set_weight(0, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 3, true), m(&[("b", 3)]));
}

#[test]
fn first_skips_a_zero_weight_server() {
    let mut b = balancer(Algorithm::First, &[("a", 1), ("b", 1)]);
    assert_eq!(counts(&mut b, 3, false), m(&[("a", 3)]));
    b.set_weight(0, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 3, false), m(&[("b", 3)]));
}

#[test]
fn consistent_hash_moves_only_the_zeroed_servers_keys() {
    let mut cfg = BalanceConfig::new(Algorithm::Source);
    cfg.hash = HashConfig::parse(&["consistent"]).unwrap_or_default();
    let specs = (1..=3)
        .map(|i| ServerSpec::new(i, format!("s{i}")))
        .collect();
    let mut b = Balancer::new(cfg, specs).unwrap_or_else(|e| panic!("{e}"));
    let mut rng = || 0u32;
    let mut pick = |b: &mut Balancer, k: u8| {
        let req = RequestInfo {
            src: Some(IpAddr::from([10, 0, 0, k])),
            ..Default::default()
        };
        b.pick(&req, None, &mut rng)
    };
    let before: Vec<_> = (0..100).map(|k| pick(&mut b, k)).collect();
    assert!(before.contains(&Some(0)));
    b.set_weight(0, 0).unwrap_or_else(|e| panic!("{e}"));
    let after: Vec<_> = (0..100).map(|k| pick(&mut b, k)).collect();
    for (x, y) in before.iter().zip(&after) {
        assert_ne!(*y, Some(0));
        if *x != Some(0) {
            assert_eq!(x, y, "a key not on the zeroed server moved");
        }
    }
}

#[test]
fn static_algorithms_take_only_zero_or_the_initial_weight() {
    // HAProxy 2.6.12's CLI answer for `set weight be/s1 2` on static-rr
    let mut b = balancer(Algorithm::StaticRr, &[("a", 1), ("b", 1)]);
    let e = b.set_weight(0, 2).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")
    );
    b.set_weight(0, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 4, false), m(&[("b", 4)]));
    b.set_weight(0, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 4, false), m(&[("a", 2), ("b", 2)]));
}

#[test]
fn a_server_given_weight_back_takes_the_queued_requests() {
    // a: maxconn 1; b: weight 0. The second request waits in the backend queue until
    // `set weight be/b 1` at t=100 ms hands it to b.
    let specs = vec![
        ServerSpec::new(1, "a").maxconn(1),
        ServerSpec::new(2, "b").weight(0),
    ];
    let b = Balancer::new(BalanceConfig::new(Algorithm::RoundRobin), specs)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut d = Dispatcher::new(b);
    let mut rng = || 0u32;
    let req = RequestInfo::default();
    assert_eq!(d.assign(1, &req, None, 0, &mut rng), Assignment::Server(0));
    assert_eq!(
        d.assign(2, &req, None, 10, &mut rng),
        Assignment::QueuedOnBackend
    );
    let fx = d.set_weight(1, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fx.granted, vec![(2, 1)]);
    // and b, now weighted, takes new requests while a is full
    assert_eq!(
        d.assign(3, &req, None, 120, &mut rng),
        Assignment::Server(1)
    );
}

/// Measured on HAProxy 2.6.12 (roundrobin, two servers of weight 1, 8 requests per
/// step): `s1 s2 s1 s2...`; after `set server lb/s2 state drain` all s1; after `state
/// ready` **all s2** (the server comes back at the window position it left); after `set
/// weight lb/s2 0` all s1; after `set weight lb/s2 1` alternating again (no burst): a
/// weight change keeps the server's position.
#[test]
fn drain_and_weight_zero_come_back_as_haproxys() {
    let mut b = balancer(Algorithm::RoundRobin, &[("a", 1), ("b", 1)]);
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 4), ("b", 4)]));
    b.set_state(1, ServerState::Drain)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 8)]));
    b.set_state(1, ServerState::Up)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("b", 8)]));
    b.set_weight(1, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 8)]));
    b.set_weight(1, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&mut b, 8, false), m(&[("a", 4), ("b", 4)]));
}
