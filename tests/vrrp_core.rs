//! The VRRP core through its public API only (as the engine will use it): two VRRPv3 IPv6
//! instances elect a master over encoded packets, then the master stops with priority 0.

use std::net::IpAddr;
use std::time::Duration;

use tandem::vrrp::config::InstanceConfig;
use tandem::vrrp::packet::{IpMeta, MCAST_V6, Version};
use tandem::vrrp::state::{Action, Instance, State};

fn node(name: &str, prio: u8, addr: &str) -> Instance {
    let mut c = InstanceConfig::new(name, 54, prio, addr.parse().unwrap());
    c.version = Version::V3;
    c.advert_interval = Duration::from_millis(1000);
    c.vips = vec!["fe80::54".parse().unwrap(), "2001:db8::54".parse().unwrap()];
    Instance::new(c).unwrap()
}

/// Deliver every advert in `acts` from `from` to `to`, through encode and validation.
fn deliver(now: Duration, acts: &[Action], from: &Instance, to: &mut Instance) -> Vec<Action> {
    let mut out = Vec::new();
    for act in acts {
        if let Action::SendAdvert { priority } = act {
            let src = from.config().src_addr;
            let dst = IpAddr::V6(MCAST_V6);
            let bytes = from.advert(*priority).encode(src, dst).unwrap();
            let meta = IpMeta { src, dst, ttl: 255 };
            out.extend(to.handle_packet(now, &meta, &bytes));
        }
    }
    out
}

#[test]
fn ipv6_election_and_priority_zero_handover() {
    let mut a = node("A", 200, "fe80::1");
    let mut b = node("B", 100, "fe80::2");
    let t0 = Duration::ZERO;
    a.startup(t0);
    b.startup(t0);
    let mut now = t0;
    for _ in 0..40 {
        let next = [a.next_deadline(), b.next_deadline()]
            .into_iter()
            .flatten()
            .min()
            .unwrap();
        now = next;
        let acts_a = a.handle_timer(now);
        deliver(now, &acts_a, &a, &mut b);
        let acts_b = b.handle_timer(now);
        deliver(now, &acts_b, &b, &mut a);
    }
    assert_eq!(a.state(), State::Master);
    assert_eq!(b.state(), State::Backup);
    assert_eq!(b.stats().advert_rcvd, a.stats().advert_sent);
    let stop = a.shutdown(now);
    let seen = deliver(now, &stop, &a, &mut b);
    assert!(seen.contains(&Action::Log(
        "(B) Backup received priority 0 advertisement".into()
    )));
    // B becomes master after its Skew_Time: (256 - 100) * 1 s / 256
    assert_eq!(
        b.next_deadline(),
        Some(now + Duration::from_micros(609_375))
    );
    let acts = b.handle_timer(now + Duration::from_micros(609_375));
    assert!(acts.contains(&Action::Transition {
        from: State::Backup,
        to: State::Master
    }));
}
