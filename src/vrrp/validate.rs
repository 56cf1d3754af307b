//! Receive-side checks of an advert against the receiving instance (RFC 3768 7.1,
//! RFC 5798 7.1), each drop counted under keepalived's statistics name and logged with
//! keepalived 2.2.7's text. The texts were measured: tandem-encoded malformed adverts were
//! sent to a real keepalived 2.2.7 in a network namespace (see `testdata/README.md`) and its
//! log lines pasted into the tests below; the remaining texts are the format strings of the
//! installed /usr/sbin/keepalived binary. The order of the checks follows keepalived's
//! `vrrp_in_chk()`; where 2.2.7 differs from older sources it was measured (the length is
//! checked, with the packet's own version and count, before the version).

use std::net::IpAddr;

use super::config::InstanceConfig;
use super::packet::{
    AUTH_LEN, Advert, Auth, ChecksumKind, IpMeta, PacketError, TYPE_ADVERTISEMENT, VRRP_TTL,
    Version,
};

/// Per-instance counters. The first group are the names of keepalived's `vrrp_stats_t`
/// (printed by its SIGUSR2 stats dump); `vers_err`, `vrid_err`, `chk_err` are the extra
/// counters keepalived keeps for SNMP.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub advert_rcvd: u64,
    pub advert_sent: u64,
    pub become_master: u64,
    pub release_master: u64,
    pub packet_len_err: u64,
    pub advert_interval_err: u64,
    pub ip_ttl_err: u64,
    pub invalid_type_rcvd: u64,
    pub addr_list_err: u64,
    pub invalid_authtype: u64,
    pub authtype_mismatch: u64,
    pub auth_failure: u64,
    pub pri_zero_rcvd: u64,
    pub pri_zero_sent: u64,
    pub vers_err: u64,
    pub vrid_err: u64,
    pub chk_err: u64,
}

/// Why a received packet was not accepted. `Display` is keepalived's log text without the
/// leading `(NAME) ` (see [`Drop::log_line`]). Lengths are as keepalived reports them: the
/// whole IP packet for IPv4 (the VRRP payload plus a 20-byte header, keepalived's senders use
/// no IP options), the VRRP payload for IPv6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drop {
    /// Not even a VRRP header; keepalived logs this before finding the instance.
    TooShort {
        ipv6: bool,
        len: usize,
    },
    LengthMismatch {
        len: usize,
        expected: usize,
    },
    Ttl(u8),
    InvalidAuthType(u8),
    AuthTypeMismatch {
        got: u8,
        want: u8,
    },
    AuthFailure,
    Interval {
        mine: u16,
        got: u16,
    },
    Version {
        got: u8,
        want: u8,
    },
    Type(u8),
    Vrid {
        got: u8,
        want: u8,
    },
    AddrCount {
        got: u8,
        want: usize,
    },
    Checksum(Version),
    AddrMissing {
        vrid: u8,
        addr: IpAddr,
    },
    NotUnicastPeer(IpAddr),
    /// Anything the decoder refused that the checks above did not already name.
    Malformed(PacketError),
}

impl Drop {
    /// The counter this drop increments, if keepalived counts it.
    fn count(&self, s: &mut Stats) {
        let c = match self {
            Drop::TooShort { .. } | Drop::LengthMismatch { .. } => &mut s.packet_len_err,
            Drop::Ttl(_) => &mut s.ip_ttl_err,
            Drop::InvalidAuthType(_) => &mut s.invalid_authtype,
            Drop::AuthTypeMismatch { .. } => &mut s.authtype_mismatch,
            Drop::AuthFailure => &mut s.auth_failure,
            Drop::Interval { .. } => &mut s.advert_interval_err,
            Drop::Version { .. } => &mut s.vers_err,
            Drop::Type(_) => &mut s.invalid_type_rcvd,
            Drop::Vrid { .. } => &mut s.vrid_err,
            Drop::AddrCount { .. } | Drop::AddrMissing { .. } => &mut s.addr_list_err,
            Drop::Checksum(_) => &mut s.chk_err,
            Drop::NotUnicastPeer(_) => return,
            Drop::Malformed(e) => match e {
                PacketError::Truncated { .. }
                | PacketError::LengthMismatch { .. }
                | PacketError::IpLengthMismatch { .. } => &mut s.packet_len_err,
                PacketError::BadChecksum { .. } => &mut s.chk_err,
                PacketError::InvalidAuthType(_) | PacketError::AuthTypeAh => {
                    &mut s.invalid_authtype
                }
                _ => return,
            },
        };
        *c += 1;
    }

    /// The line keepalived logs for this drop, None when keepalived is silent (a VRID that
    /// is not ours: keepalived hands packets to instances by VRID and ignores the rest).
    pub fn log_line(&self, name: &str) -> Option<String> {
        match self {
            Drop::TooShort { .. } => Some(self.to_string()),
            Drop::Vrid { .. } => None,
            _ => Some(format!("({name}) {self}")),
        }
    }
}

impl std::fmt::Display for Drop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drop::TooShort { ipv6, len } => write!(
                f,
                "IPv{} VRRP packet too short - {len} bytes",
                if *ipv6 { 6 } else { 4 }
            ),
            Drop::LengthMismatch { len, expected } => write!(
                f,
                "vrrp packet too {}, length {len} and expect {expected}",
                if len > expected { "long" } else { "short" }
            ),
            Drop::Ttl(t) => write!(f, "invalid TTL/HL. Received {t} and expect {VRRP_TTL}"),
            Drop::InvalidAuthType(t) => write!(f, "Invalid auth type: {t}"),
            Drop::AuthTypeMismatch { got, want } => {
                write!(f, "received a {got} auth, expecting {want}!")
            }
            Drop::AuthFailure => write!(f, "received an invalid passwd!"),
            Drop::Interval { mine, got } => write!(
                f,
                "advertisement interval mismatch mine={mine} sec rcv'd={got} sec"
            ),
            Drop::Version { got, want } => {
                write!(f, "wrong version. Received {got} and expect {want}")
            }
            Drop::Type(t) => write!(
                f,
                "Invalid packet type. {t} and expect {TYPE_ADVERTISEMENT}"
            ),
            Drop::Vrid { got, want } => {
                write!(f, "received VRID mismatch. Received {got}, Expected {want}")
            }
            Drop::AddrCount { got, want } => write!(
                f,
                "received an unexpected ip number count {got}, expected {want}!"
            ),
            Drop::Checksum(v) => write!(f, "Invalid VRRPv{} checksum", v.number()),
            Drop::AddrMissing { vrid, addr } => write!(
                f,
                "ip address associated with VRID {vrid} not present in MASTER advert: {addr}"
            ),
            Drop::NotUnicastPeer(a) => write!(f, "unicast source address {a} not a unicast peer"),
            Drop::Malformed(e) => write!(f, "{e}"),
        }
    }
}

/// A packet that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub advert: Advert,
    pub checksum: ChecksumKind,
}

/// Check one received VRRP payload for instance `cfg`. `check_addrs` is false only when
/// keepalived would skip the address list check (`skip_check_adv_addr` and the advert comes
/// from the master already known). Counters are updated in `stats`, including
/// `advert_rcvd` and `pri_zero_rcvd` for accepted adverts.
pub fn check_packet(
    cfg: &InstanceConfig,
    meta: &IpMeta,
    payload: &[u8],
    check_addrs: bool,
    stats: &mut Stats,
) -> Result<Accepted, Drop> {
    let r = check_inner(cfg, meta, payload, check_addrs, stats);
    match &r {
        Ok(acc) => {
            if acc.advert.priority == 0 {
                stats.pri_zero_rcvd += 1;
            }
        }
        Err(d) => d.count(stats),
    }
    r
}

fn check_inner(
    cfg: &InstanceConfig,
    meta: &IpMeta,
    payload: &[u8],
    check_addrs: bool,
    stats: &mut Stats,
) -> Result<Accepted, Drop> {
    let ipv6 = meta.src.is_ipv6();
    // keepalived reports IPv4 lengths including the (20-byte) IP header.
    let ip_len = |n: usize| if ipv6 { n } else { n + 20 };
    let [vt, vrid, _prio, count, b4, b5, _, _, ..] = *payload else {
        return Err(Drop::TooShort {
            ipv6,
            len: ip_len(payload.len()),
        });
    };
    let unicast = !cfg.unicast_peers.is_empty();
    // keepalived checks the TTL only for multicast: unicast adverts may cross routers
    // (`unicast_ttl`; 2.2.7's optional min_ttl/max_ttl range is not modelled yet).
    if !unicast && meta.ttl != VRRP_TTL {
        return Err(Drop::Ttl(meta.ttl));
    }
    // Measured on 2.2.7: a version 3 advert to a v2 instance gives "vrrp packet too long,
    // length 44 and expect 36", i.e. the length is computed from the packet's own version
    // and count and checked before the version.
    let pkt_version = if vt >> 4 == 2 {
        Version::V2
    } else {
        Version::V3
    };
    let expected = Advert::message_len(pkt_version, ipv6, usize::from(count));
    if payload.len() != expected {
        return Err(Drop::LengthMismatch {
            len: ip_len(payload.len()),
            expected: ip_len(expected),
        });
    }
    let want_v = cfg.version.number();
    if vt >> 4 != want_v {
        return Err(Drop::Version {
            got: vt >> 4,
            want: want_v,
        });
    }
    if cfg.version == Version::V2 {
        if b4 > 2 {
            return Err(Drop::InvalidAuthType(b4));
        }
        let want = cfg.auth.type_number();
        if b4 != want {
            return Err(Drop::AuthTypeMismatch { got: b4, want });
        }
        if let Auth::Pass(pw) = &cfg.auth {
            // As keepalived: the password is the last 8 bytes of the packet.
            let got = payload.get(payload.len().saturating_sub(AUTH_LEN)..);
            if got != Some(pw.as_slice()) {
                return Err(Drop::AuthFailure);
            }
        }
        let mine = cfg.adver_int_field();
        if u16::from(b5) != mine {
            return Err(Drop::Interval {
                mine,
                got: u16::from(b5),
            });
        }
    }
    if vt & 0x0f != TYPE_ADVERTISEMENT {
        return Err(Drop::Type(vt & 0x0f));
    }
    if vrid != cfg.vrid {
        return Err(Drop::Vrid {
            got: vrid,
            want: cfg.vrid,
        });
    }
    if usize::from(count) != cfg.vips.len() {
        return Err(Drop::AddrCount {
            got: count,
            want: cfg.vips.len(),
        });
    }
    let (advert, kind) = match Advert::decode_with_kind(payload, meta.src, meta.dst) {
        Ok(x) => x,
        Err(PacketError::BadChecksum { .. }) => return Err(Drop::Checksum(cfg.version)),
        Err(e) => return Err(Drop::Malformed(e)),
    };
    // Correct type, version and length: keepalived counts it as an advertisement here.
    stats.advert_rcvd += 1;
    if check_addrs {
        if let Some(missing) = cfg.vips.iter().find(|v| !advert.addrs.contains(v)) {
            return Err(Drop::AddrMissing {
                vrid: cfg.vrid,
                addr: *missing,
            });
        }
        if cfg.check_unicast_src && unicast && !cfg.unicast_peers.contains(&meta.src) {
            return Err(Drop::NotUnicastPeer(meta.src));
        }
    }
    Ok(Accepted {
        advert,
        checksum: kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrrp::packet::{MCAST_V4, parse_ipv4};
    use std::time::Duration;

    fn a(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// VI_1 of testdata/keepalived-capture-1.conf, as the receiving side.
    fn vi1() -> InstanceConfig {
        let mut c = InstanceConfig::new("VI_1", 51, 100, a("192.0.2.2"));
        c.auth = Auth::pass(b"secret123");
        c.vips = vec![a("192.0.2.100"), a("192.0.2.101")];
        c
    }

    fn captured() -> Vec<u8> {
        // v2_pass_vrid51_prio100 from testdata/keepalived-2.2.7-adverts.txt
        let h = "45c0002c00010000ff70188dc0000201e00000122133640201018780c0000264c00002657365637265743132";
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    fn run(cfg: &InstanceConfig, meta: IpMeta, payload: &[u8]) -> (Result<Accepted, Drop>, Stats) {
        let mut st = Stats::default();
        let r = check_packet(cfg, &meta, payload, true, &mut st);
        (r, st)
    }

    fn meta() -> IpMeta {
        IpMeta {
            src: a("192.0.2.1"),
            dst: IpAddr::V4(MCAST_V4),
            ttl: 255,
        }
    }

    /// Rebuild a v2 advert with a valid checksum after editing it.
    fn v2(edit: impl Fn(&mut Advert)) -> Vec<u8> {
        let pkt = captured();
        let (m, p) = parse_ipv4(&pkt).unwrap();
        let mut adv = Advert::decode(p, m.src, m.dst).unwrap();
        edit(&mut adv);
        adv.encode(m.src, m.dst).unwrap()
    }

    #[test]
    fn keepalived_advert_is_accepted_and_counted() {
        let pkt = captured();
        let (m, p) = parse_ipv4(&pkt).unwrap();
        let (r, st) = run(&vi1(), m, p);
        let acc = r.unwrap();
        assert_eq!(acc.advert.priority, 100);
        assert_eq!(st.advert_rcvd, 1);
        assert_eq!(
            st,
            Stats {
                advert_rcvd: 1,
                ..Stats::default()
            }
        );
    }

    #[test]
    fn each_drop_reason_has_its_counter_and_keepalived_text() {
        let pkt = captured();
        let (_, good) = parse_ipv4(&pkt).unwrap();
        let cfg = vi1();
        let line = |r: Result<Accepted, Drop>| r.unwrap_err().log_line("VI_1").unwrap_or_default();

        // Expected lines marked "measured" are keepalived 2.2.7's log output for the same
        // packets (testdata/README.md, interop run); the others are its format strings.
        let mut m = meta();
        m.ttl = 64;
        let (r, st) = run(&cfg, m, good);
        assert_eq!(line(r), "(VI_1) invalid TTL/HL. Received 64 and expect 255"); // measured
        assert_eq!(st.ip_ttl_err, 1);
        // unicast instances do not check the TTL
        let mut uc = cfg.clone();
        uc.unicast_peers = vec![a("192.0.2.1")];
        assert!(run(&uc, m, good).0.is_ok());

        // 26 bytes of IP packet: measured
        let (r, st) = run(&cfg, meta(), &good[..6]);
        assert_eq!(line(r), "IPv4 VRRP packet too short - 26 bytes");
        assert_eq!(st.packet_len_err, 1);

        let mut bad = good.to_vec();
        bad[7] ^= 0xff;
        let (r, st) = run(&cfg, meta(), &bad);
        assert_eq!(line(r), "(VI_1) Invalid VRRPv2 checksum"); // measured
        assert_eq!((st.chk_err, st.advert_rcvd), (1, 0));

        let mut bad = good.to_vec();
        bad[4] = 9;
        let (r, st) = run(&cfg, meta(), &bad);
        assert_eq!(line(r), "(VI_1) Invalid auth type: 9");
        assert_eq!(st.invalid_authtype, 1);

        let noauth = v2(|a| a.auth = Auth::None);
        let (r, st) = run(&cfg, meta(), &noauth);
        assert_eq!(line(r), "(VI_1) received a 0 auth, expecting 1!"); // measured
        assert_eq!(st.authtype_mismatch, 1);

        let wrongpw = v2(|a| a.auth = Auth::pass(b"secret99"));
        let (r, st) = run(&cfg, meta(), &wrongpw);
        assert_eq!(line(r), "(VI_1) received an invalid passwd!"); // measured
        assert_eq!(st.auth_failure, 1);

        let slow = v2(|a| a.adver_int = 3);
        let (r, st) = run(&cfg, meta(), &slow);
        // measured
        assert_eq!(
            line(r),
            "(VI_1) advertisement interval mismatch mine=1 sec rcv'd=3 sec"
        );
        assert_eq!(st.advert_interval_err, 1);

        // version byte 3 on the v2 packet: measured, the length check comes first
        let mut bad = good.to_vec();
        bad[0] = 0x31;
        let (r, st) = run(&cfg, meta(), &bad);
        assert_eq!(
            line(r),
            "(VI_1) vrrp packet too long, length 44 and expect 36"
        );
        assert_eq!(st.packet_len_err, 1);
        // a well-formed v3 advert to the v2 instance
        let v3adv = Advert {
            version: Version::V3,
            auth: Auth::None,
            ..Advert::decode(good, meta().src, meta().dst).unwrap()
        };
        let v3b = v3adv.encode(meta().src, meta().dst).unwrap();
        let (r, st) = run(&cfg, meta(), &v3b);
        assert_eq!(line(r), "(VI_1) wrong version. Received 3 and expect 2");
        assert_eq!(st.vers_err, 1);

        let mut bad = good.to_vec();
        bad[0] = 0x22;
        let (r, st) = run(&cfg, meta(), &bad);
        assert_eq!(line(r), "(VI_1) Invalid packet type. 2 and expect 1"); // measured
        assert_eq!(st.invalid_type_rcvd, 1);

        let other = v2(|a| a.vrid = 52);
        let (r, st) = run(&cfg, meta(), &other);
        assert_eq!(r.unwrap_err(), Drop::Vrid { got: 52, want: 51 });
        assert_eq!(Drop::Vrid { got: 52, want: 51 }.log_line("VI_1"), None);
        assert_eq!(st.vrid_err, 1);

        let one = v2(|a| a.addrs.truncate(1));
        let (r, st) = run(&cfg, meta(), &one);
        // measured
        assert_eq!(
            line(r),
            "(VI_1) received an unexpected ip number count 1, expected 2!"
        );
        assert_eq!(st.addr_list_err, 1);

        // 4 extra bytes before the password (keepalived reads the password from the end of
        // the packet, so appending after it would fail the password check first)
        let mut long = good.to_vec();
        long.splice(16..16, [0u8; 4]);
        let (r, st) = run(&cfg, meta(), &long);
        assert_eq!(
            line(r),
            "(VI_1) vrrp packet too long, length 48 and expect 44"
        );
        assert_eq!(st.packet_len_err, 1);

        let swapped = v2(|a| a.addrs[1] = "192.0.2.199".parse().unwrap());
        let (r, st) = run(&cfg, meta(), &swapped);
        // measured
        assert_eq!(
            line(r),
            "(VI_1) ip address associated with VRID 51 not present in MASTER advert: 192.0.2.101"
        );
        // keepalived has counted it as an advert before the address check
        assert_eq!((st.addr_list_err, st.advert_rcvd), (1, 1));
        // ... and skip_check_adv_addr (check_addrs false) lets it through
        let mut st = Stats::default();
        assert!(check_packet(&cfg, &meta(), &swapped, false, &mut st).is_ok());

        let zero = v2(|a| a.priority = 0);
        let (r, st) = run(&cfg, meta(), &zero);
        assert!(r.is_ok());
        assert_eq!((st.pri_zero_rcvd, st.advert_rcvd), (1, 1));
    }

    #[test]
    fn unicast_source_check() {
        let mut cfg = InstanceConfig::new("U", 62, 100, a("192.0.2.2"));
        cfg.version = Version::V3;
        cfg.advert_interval = Duration::from_secs(1);
        cfg.vips = vec![a("192.0.2.110")];
        cfg.unicast_peers = vec![a("192.0.2.1")];
        cfg.check_unicast_src = true;
        let adv = Advert {
            version: Version::V3,
            vrid: 62,
            priority: 100,
            auth: Auth::None,
            adver_int: 100,
            addrs: vec![a("192.0.2.110")],
        };
        let from = |src: &str| IpMeta {
            src: a(src),
            dst: a("192.0.2.2"),
            ttl: 64,
        };
        let ok = adv.encode(a("192.0.2.1"), a("192.0.2.2")).unwrap();
        let mut st = Stats::default();
        assert!(check_packet(&cfg, &from("192.0.2.1"), &ok, true, &mut st).is_ok());
        let stranger = adv.encode(a("192.0.2.9"), a("192.0.2.2")).unwrap();
        assert_eq!(
            check_packet(&cfg, &from("192.0.2.9"), &stranger, true, &mut st)
                .unwrap_err()
                .log_line("U")
                .as_deref(),
            Some("(U) unicast source address 192.0.2.9 not a unicast peer")
        );
        // v3: the interval is not checked (the backup learns it instead)
        let mut slow = adv.clone();
        slow.adver_int = 300;
        let b = slow.encode(a("192.0.2.1"), a("192.0.2.2")).unwrap();
        assert!(check_packet(&cfg, &from("192.0.2.1"), &b, true, &mut st).is_ok());
    }
}
