//! A minimal rtnetlink client: list links and addresses, add and delete addresses.
//!
//! Hand-written rather than taken from the rtnetlink crates because the engine needs four
//! message kinds and a blocking request/acknowledge exchange; the message layout is the
//! kernel's UAPI (`linux/netlink.h`, `linux/rtnetlink.h`, `linux/if_addr.h`), stable for
//! decades. Requests go to the kernel on an unbound, unconnected socket (the kernel autobinds
//! it on the first send and port 0 is the kernel), so no sockaddr_nl has to be built.

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use socket2::{Domain, Protocol, Socket, Type};

const NLMSG_HDR: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_DUMP: u16 = 0x300;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const RTM_GETADDR: u16 = 22;
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_PREFSRC: u16 = 7;
const RTA_TABLE: u16 = 15;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_BROADCAST: u16 = 4;
const IFA_F_SECONDARY: u8 = 0x01;
const IFA_F_NODAD: u8 = 0x02;
const IFLA_ADDRESS: u16 = 1;
const IFLA_BROADCAST: u16 = 2;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const IFF_UP: u32 = 0x1;
const IFF_RUNNING: u32 = 0x40;

/// One network interface as RTM_NEWLINK describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Link {
    pub index: u32,
    pub name: String,
    pub mac: Vec<u8>,
    pub up: bool,
    pub running: bool,
    /// `IFF_*` flags, MTU, ARPHRD type and link-layer broadcast address (the SIGUSR1
    /// dump's Interfaces section).
    pub flags: u32,
    pub mtu: u32,
    pub hw_type: u16,
    pub broadcast: Vec<u8>,
}

/// One interface address as RTM_NEWADDR describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfAddr {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix: u8,
    pub secondary: bool,
    pub scope: u8,
}

/// An address to add or delete (a VIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrSpec {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix: u8,
    pub brd: Option<Ipv4Addr>,
    pub label: Option<String>,
    /// RT_SCOPE_* number (0 universe/global, 200 site, 253 link, 254 host).
    pub scope: u8,
}

/// A route to add or delete (`virtual_routes`), always with keepalived's protocol number
/// (18, `proto keepalived` in `ip route`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub dst: IpAddr,
    pub prefix: u8,
    pub gateway: Option<IpAddr>,
    /// Output interface index.
    pub oif: Option<u32>,
    pub src: Option<IpAddr>,
    pub metric: Option<u32>,
    /// Routing table (254 main).
    pub table: u32,
    /// RTN_UNICAST (1), RTN_BLACKHOLE (6), RTN_UNREACHABLE (7), RTN_PROHIBIT (8).
    pub kind: u8,
    /// RT_SCOPE_*: universe (0) with a gateway, link (253) for a directly connected route.
    pub scope: u8,
}

/// keepalived's routing protocol number (RTPROT_KEEPALIVED).
pub const RTPROT_KEEPALIVED: u8 = 18;

/// Scope names as `ip address` and keepalived accept them.
pub fn scope_number(name: &str) -> Option<u8> {
    match name {
        "global" | "universe" => Some(0),
        "site" => Some(200),
        "link" => Some(253),
        "host" => Some(254),
        "nowhere" => Some(255),
        n => n.parse().ok(),
    }
}

pub struct Netlink {
    sock: Socket,
    seq: u32,
}

fn push_attr(buf: &mut Vec<u8>, kind: u16, data: &[u8]) {
    let len = 4 + data.len();
    buf.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(data);
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
}

fn ne_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn ne_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Iterate the (type, payload) attributes of a netlink message body.
fn attrs(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while let (Some(len), Some(kind)) = (ne_u16(b, 0), ne_u16(b, 2)) {
        let len = usize::from(len);
        if len < 4 || len > b.len() {
            break;
        }
        if let Some(d) = b.get(4..len) {
            out.push((kind & 0x3fff, d));
        }
        let next = (len + 3) & !3;
        b = b.get(next..).unwrap_or(&[]);
    }
    out
}

fn ip_bytes(a: &IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(v) => v.octets().to_vec(),
        IpAddr::V6(v) => v.octets().to_vec(),
    }
}

fn ip_from(family: u8, d: &[u8]) -> Option<IpAddr> {
    match family {
        AF_INET => {
            let o: [u8; 4] = d.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(o)))
        }
        AF_INET6 => {
            let o: [u8; 16] = d.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(o)))
        }
        _ => None,
    }
}

impl Netlink {
    pub fn open() -> io::Result<Netlink> {
        let sock = Socket::new(
            Domain::from(libc::AF_NETLINK),
            Type::RAW,
            Some(Protocol::from(libc::NETLINK_ROUTE)),
        )?;
        Ok(Netlink { sock, seq: 1 })
    }

    fn request(&mut self, kind: u16, flags: u16, body: &[u8]) -> io::Result<Vec<Vec<u8>>> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut msg = Vec::with_capacity(NLMSG_HDR + body.len());
        let len = u32::try_from(NLMSG_HDR + body.len()).unwrap_or(u32::MAX);
        msg.extend_from_slice(&len.to_ne_bytes());
        msg.extend_from_slice(&kind.to_ne_bytes());
        msg.extend_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
        msg.extend_from_slice(&seq.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(body);
        self.sock.send(&msg)?;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65536];
        loop {
            let n = (&self.sock).read(&mut buf)?;
            let mut b = buf.get(..n).unwrap_or(&[]);
            while let (Some(len), Some(mtype), Some(mseq)) =
                (ne_u32(b, 0), ne_u16(b, 4), ne_u32(b, 8))
            {
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                if len < NLMSG_HDR || len > b.len() {
                    break;
                }
                let body = b.get(NLMSG_HDR..len).unwrap_or(&[]);
                b = b.get((len + 3) & !3..).unwrap_or(&[]);
                if mseq != seq {
                    continue;
                }
                match mtype {
                    NLMSG_DONE => return Ok(out),
                    NLMSG_ERROR => {
                        let code = ne_u32(body, 0).map(|c| c as i32).unwrap_or(0);
                        if code == 0 {
                            return Ok(out);
                        }
                        return Err(io::Error::from_raw_os_error(-code));
                    }
                    _ => out.push(body.to_vec()),
                }
            }
        }
    }

    pub fn links(&mut self) -> io::Result<Vec<Link>> {
        let body = [0u8; 16]; // ifinfomsg, AF_UNSPEC
        let msgs = self.request(RTM_GETLINK, NLM_F_DUMP, &body)?;
        let mut out = Vec::new();
        for m in msgs {
            let (Some(index), Some(flags)) = (ne_u32(&m, 4), ne_u32(&m, 8)) else {
                continue;
            };
            let mut link = Link {
                index,
                up: flags & IFF_UP != 0,
                running: flags & IFF_RUNNING != 0,
                flags,
                hw_type: ne_u16(&m, 2).unwrap_or(0),
                ..Link::default()
            };
            for (k, d) in attrs(m.get(16..).unwrap_or(&[])) {
                match k {
                    IFLA_IFNAME => {
                        link.name =
                            String::from_utf8_lossy(d.split(|c| *c == 0).next().unwrap_or(&[]))
                                .into_owned()
                    }
                    IFLA_ADDRESS => link.mac = d.to_vec(),
                    IFLA_BROADCAST => link.broadcast = d.to_vec(),
                    IFLA_MTU => link.mtu = ne_u32(d, 0).unwrap_or(0),
                    _ => {}
                }
            }
            out.push(link);
        }
        Ok(out)
    }

    pub fn addrs(&mut self) -> io::Result<Vec<IfAddr>> {
        let body = [0u8; 8]; // ifaddrmsg, AF_UNSPEC
        let msgs = self.request(RTM_GETADDR, NLM_F_DUMP, &body)?;
        let mut out = Vec::new();
        for m in msgs {
            let ([family, prefix, flags, scope, ..], Some(index)) = (
                m.get(..4)
                    .and_then(|s| <[u8; 4]>::try_from(s).ok())
                    .unwrap_or([0; 4]),
                ne_u32(&m, 4),
            ) else {
                continue;
            };
            let mut local = None;
            let mut address = None;
            for (k, d) in attrs(m.get(8..).unwrap_or(&[])) {
                match k {
                    IFA_LOCAL => local = ip_from(family, d),
                    IFA_ADDRESS => address = ip_from(family, d),
                    _ => {}
                }
            }
            if let Some(addr) = local.or(address) {
                out.push(IfAddr {
                    index,
                    addr,
                    prefix,
                    secondary: flags & IFA_F_SECONDARY != 0,
                    scope,
                });
            }
        }
        Ok(out)
    }

    fn addr_body(a: &AddrSpec) -> Vec<u8> {
        let v6 = a.addr.is_ipv6();
        let mut b = vec![
            if v6 { AF_INET6 } else { AF_INET },
            a.prefix,
            if v6 { IFA_F_NODAD } else { 0 },
            a.scope,
        ];
        b.extend_from_slice(&a.index.to_ne_bytes());
        let ab = ip_bytes(&a.addr);
        push_attr(&mut b, IFA_LOCAL, &ab);
        push_attr(&mut b, IFA_ADDRESS, &ab);
        if let Some(brd) = a.brd {
            push_attr(&mut b, IFA_BROADCAST, &brd.octets());
        }
        if let Some(l) = &a.label {
            let mut s = l.as_bytes().to_vec();
            s.push(0);
            push_attr(&mut b, IFA_LABEL, &s);
        }
        b
    }

    /// Add an address; one that is already there counts as added (a leftover from a crash).
    pub fn add_addr(&mut self, a: &AddrSpec) -> io::Result<()> {
        match self.request(
            RTM_NEWADDR,
            NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            &Self::addr_body(a),
        ) {
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    fn route_body(r: &RouteSpec) -> Vec<u8> {
        let v6 = r.dst.is_ipv6();
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags(u32)
        let mut b = vec![
            if v6 { AF_INET6 } else { AF_INET },
            r.prefix,
            0,
            0,
            u8::try_from(r.table).unwrap_or(252),
            RTPROT_KEEPALIVED,
            r.scope,
            r.kind,
        ];
        b.extend_from_slice(&0u32.to_ne_bytes());
        push_attr(&mut b, RTA_DST, &ip_bytes(&r.dst));
        if let Some(g) = r.gateway {
            push_attr(&mut b, RTA_GATEWAY, &ip_bytes(&g));
        }
        if let Some(o) = r.oif {
            push_attr(&mut b, RTA_OIF, &o.to_ne_bytes());
        }
        if let Some(s) = r.src {
            push_attr(&mut b, RTA_PREFSRC, &ip_bytes(&s));
        }
        if let Some(m) = r.metric {
            push_attr(&mut b, RTA_PRIORITY, &m.to_ne_bytes());
        }
        push_attr(&mut b, RTA_TABLE, &r.table.to_ne_bytes());
        b
    }

    /// Add a route; one that is already there counts as added.
    pub fn add_route(&mut self, r: &RouteSpec) -> io::Result<()> {
        match self.request(
            RTM_NEWROUTE,
            NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            &Self::route_body(r),
        ) {
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    /// Delete a route; one that is not there counts as deleted.
    pub fn del_route(&mut self, r: &RouteSpec) -> io::Result<()> {
        match self.request(RTM_DELROUTE, NLM_F_ACK, &Self::route_body(r)) {
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    /// Delete an address; one that is not there counts as deleted.
    pub fn del_addr(&mut self, a: &AddrSpec) -> io::Result<()> {
        match self.request(RTM_DELADDR, NLM_F_ACK, &Self::addr_body(a)) {
            Err(e) if e.raw_os_error() == Some(libc::EADDRNOTAVAIL) => Ok(()),
            r => r.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_roundtrip_and_padding() {
        let mut b = Vec::new();
        push_attr(&mut b, IFA_LABEL, b"eth0:1\0");
        push_attr(&mut b, IFA_LOCAL, &[192, 0, 2, 1]);
        assert_eq!(b.len(), 12 + 8);
        let a = attrs(&b);
        assert_eq!(
            a,
            vec![
                (IFA_LABEL, &b"eth0:1\0"[..]),
                (IFA_LOCAL, &[192, 0, 2, 1][..])
            ]
        );
    }

    #[test]
    fn scopes() {
        assert_eq!(scope_number("host"), Some(254));
        assert_eq!(scope_number("global"), Some(0));
        assert_eq!(scope_number("bogus"), None);
    }

    /// The loopback interface exists in every network namespace, with 127.0.0.1 on it.
    #[test]
    fn dump_sees_loopback() {
        let Ok(mut nl) = Netlink::open() else {
            return;
        };
        let links = nl.links().unwrap();
        let lo = links.iter().find(|l| l.name == "lo").expect("lo listed");
        let addrs = nl.addrs().unwrap();
        if lo.up {
            assert!(
                addrs
                    .iter()
                    .any(|a| a.index == lo.index && a.addr == IpAddr::V4(Ipv4Addr::LOCALHOST))
            );
        }
    }
}
