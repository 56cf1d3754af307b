//! Gratuitous ARP through an AF_PACKET socket, as keepalived sends it on becoming master:
//! an ARP *request* broadcast (ff:ff:ff:ff:ff:ff) with sender = target = the VIP and target
//! hardware address ff:ff:ff:ff:ff:ff, so that every neighbour updates its cache.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};

use socket2::{Domain, Protocol, SockAddr, SockAddrStorage, Socket, Type};

const ETH_P_ARP: u16 = 0x0806;
const BROADCAST: [u8; 6] = [0xff; 6];

/// The 60-byte Ethernet frame (minimum size, zero padded) of a gratuitous ARP for `vip`.
pub fn garp_frame(mac: [u8; 6], vip: Ipv4Addr) -> Vec<u8> {
    let mut f = Vec::with_capacity(60);
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&ETH_P_ARP.to_be_bytes());
    // htype Ethernet, ptype IPv4, hlen 6, plen 4, op request
    f.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&vip.octets());
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&vip.octets());
    f.resize(60, 0);
    f
}

/// The link-layer destination for a frame sent out of interface `ifindex`.
fn link_addr(ifindex: u32) -> io::Result<SockAddr> {
    let mut storage = SockAddrStorage::zeroed();
    let ll_len = std::mem::size_of::<libc::sockaddr_ll>();
    let len = libc::socklen_t::try_from(ll_len).map_err(|_| io::ErrorKind::InvalidInput)?;
    let index = i32::try_from(ifindex).map_err(|_| io::ErrorKind::InvalidInput)?;
    // SAFETY: SockAddrStorage is a zeroed sockaddr_storage, which is larger than and aligned
    // for sockaddr_ll; we fill in a complete sockaddr_ll (family AF_PACKET) and pass its exact
    // length, which is what SockAddr::new requires. socket2 has no safe constructor for
    // link-layer addresses.
    unsafe {
        let ll = storage.view_as::<libc::sockaddr_ll>();
        ll.sll_family = libc::AF_PACKET as u16;
        ll.sll_protocol = ETH_P_ARP.to_be();
        ll.sll_ifindex = index;
        ll.sll_halen = 6;
        if let Some(a) = ll.sll_addr.get_mut(..6) {
            a.copy_from_slice(&BROADCAST);
        }
        Ok(SockAddr::new(storage, len))
    }
}

/// A packet socket for sending gratuitous ARPs on one interface.
pub struct GarpSender {
    sock: Socket,
    dest: SockAddr,
    mac: [u8; 6],
}

impl GarpSender {
    pub fn open(ifindex: u32, mac: &[u8]) -> io::Result<GarpSender> {
        let mac: [u8; 6] = mac
            .try_into()
            .map_err(|_| io::Error::other("interface has no Ethernet address"))?;
        // Protocol 0: a send-only socket receives nothing.
        let sock = Socket::new(Domain::PACKET, Type::RAW, Some(Protocol::from(0)))?;
        Ok(GarpSender {
            sock,
            dest: link_addr(ifindex)?,
            mac,
        })
    }

    pub fn send(&self, vip: Ipv4Addr) -> io::Result<()> {
        self.sock
            .send_to(&garp_frame(self.mac, vip), &self.dest)
            .map(|_| ())
    }
}

/// An unsolicited Neighbour Advertisement (RFC 4861 4.4, as keepalived sends for IPv6 VIPs):
/// override flag set, target = the VIP, option target link-layer address = our MAC. The
/// kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets.
pub fn na_message(mac: [u8; 6], vip: Ipv6Addr) -> Vec<u8> {
    let mut m = vec![136, 0, 0, 0, 0x20, 0, 0, 0];
    m.extend_from_slice(&vip.octets());
    m.extend_from_slice(&[2, 1]);
    m.extend_from_slice(&mac);
    m
}

/// A raw ICMPv6 socket for unsolicited NAs to all-nodes (ff02::1) on one interface.
pub struct NaSender {
    sock: Socket,
    dest: SockAddr,
    mac: [u8; 6],
}

impl NaSender {
    pub fn open(ifindex: u32, mac: &[u8]) -> io::Result<NaSender> {
        let mac: [u8; 6] = mac
            .try_into()
            .map_err(|_| io::Error::other("interface has no Ethernet address"))?;
        let sock = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))?;
        sock.bind_device_by_index_v6(std::num::NonZeroU32::new(ifindex))?;
        sock.set_multicast_if_v6(ifindex)?;
        // RFC 4861 7.1.2: receivers drop NAs whose hop limit is not 255.
        sock.set_multicast_hops_v6(255)?;
        sock.set_multicast_loop_v6(false)?;
        let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        Ok(NaSender {
            sock,
            dest: SockAddr::from(SocketAddrV6::new(all_nodes, 0, 0, ifindex)),
            mac,
        })
    }

    pub fn send(&self, vip: Ipv6Addr) -> io::Result<()> {
        self.sock
            .send_to(&na_message(self.mac, vip), &self.dest)
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_limit_from_control_messages() {
        let w = std::mem::size_of::<usize>();
        let mut c = Vec::new();
        // an unrelated message first (IPV6_TCLASS), then IPV6_HOPLIMIT = 255
        for (kind, val) in [(libc::IPV6_TCLASS, 0xc0i32), (libc::IPV6_HOPLIMIT, 255)] {
            c.extend_from_slice(&(w + 12).to_ne_bytes());
            c.extend_from_slice(&libc::IPPROTO_IPV6.to_ne_bytes());
            c.extend_from_slice(&kind.to_ne_bytes());
            c.extend_from_slice(&val.to_ne_bytes());
            c.resize((c.len()).div_ceil(w) * w, 0);
        }
        assert_eq!(crate::vrrp::engine::cmsg_hoplimit(&c), Some(255));
        assert_eq!(crate::vrrp::engine::cmsg_hoplimit(&c[..w + 12]), None);
    }

    #[test]
    fn frame_layout() {
        let f = garp_frame([2, 0, 0, 0, 0, 0x11], Ipv4Addr::new(192, 0, 2, 100));
        assert_eq!(f.len(), 60);
        assert_eq!(&f[..6], &[0xff; 6]);
        assert_eq!(&f[12..14], &[0x08, 0x06]);
        assert_eq!(&f[20..22], &[0, 1], "request");
        assert_eq!(&f[28..32], &[192, 0, 2, 100], "sender IP");
        assert_eq!(&f[32..38], &[0xff; 6]);
        assert_eq!(&f[38..42], &[192, 0, 2, 100], "target IP");
    }

    #[test]
    fn na_layout() {
        let m = na_message([2, 0, 0, 0, 0, 0x11], "2001:db8::100".parse().unwrap());
        assert_eq!(m.len(), 32);
        assert_eq!(m[0], 136, "neighbour advertisement");
        assert_eq!(m[4], 0x20, "override, not solicited");
        assert_eq!(&m[24..26], &[2, 1], "target link-layer address option");
        assert_eq!(&m[26..], &[2, 0, 0, 0, 0, 0x11]);
    }
}
