//! The PROXY protocol (haproxy.org/download/2.6/doc/proxy-protocol.txt):
//! parsing v1 and v2 headers on `accept-proxy` binds, building them for
//! `send-proxy` / `send-proxy-v2` servers. Sans-IO.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The v2 signature.
const SIG_V2: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// Longest v1 line, CRLF included (spec: 107 bytes).
const V1_MAX: usize = 107;

/// What a complete header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Bytes the header takes at the start of the stream.
    pub len: usize,
    /// The real (source, destination); `None` for `PROXY UNKNOWN`, v2
    /// `LOCAL` and address families other than TCP over IPv4/IPv6 (the
    /// connection then keeps its own addresses, as HAProxy does).
    pub addrs: Option<(SocketAddr, SocketAddr)>,
}

/// A header that can never become valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("not a PROXY protocol header")]
    NotProxy,
    #[error("malformed PROXY protocol v1 header")]
    BadV1,
    #[error("malformed PROXY protocol v2 header")]
    BadV2,
}

/// Parse the start of `buf`. `Ok(None)`: need more bytes.
pub fn parse(buf: &[u8]) -> Result<Option<Header>, ProxyError> {
    if buf.is_empty() {
        return Ok(None);
    }
    let n = buf.len().min(SIG_V2.len());
    if buf[..n] == SIG_V2[..n] {
        return parse_v2(buf);
    }
    let n = buf.len().min(6);
    if buf[..n] == b"PROXY "[..n] {
        return parse_v1(buf);
    }
    Err(ProxyError::NotProxy)
}

fn parse_v1(buf: &[u8]) -> Result<Option<Header>, ProxyError> {
    let window = &buf[..buf.len().min(V1_MAX)];
    let Some(cr) = window.windows(2).position(|w| w == b"\r\n") else {
        return if buf.len() >= V1_MAX {
            Err(ProxyError::BadV1)
        } else {
            Ok(None)
        };
    };
    let line = std::str::from_utf8(&buf[6..cr]).map_err(|_| ProxyError::BadV1)?;
    let len = cr + 2;
    let words: Vec<&str> = line.split(' ').collect();
    match words.as_slice() {
        ["UNKNOWN", ..] => Ok(Some(Header { len, addrs: None })),
        [proto @ ("TCP4" | "TCP6"), src, dst, sport, dport] => {
            let v6 = *proto == "TCP6";
            let ip = |s: &str| -> Result<IpAddr, ProxyError> {
                if v6 {
                    s.parse::<Ipv6Addr>().map(IpAddr::V6)
                } else {
                    s.parse::<Ipv4Addr>().map(IpAddr::V4)
                }
                .map_err(|_| ProxyError::BadV1)
            };
            let port = |s: &str| -> Result<u16, ProxyError> {
                // No sign, no leading zero games: digits only.
                if s.is_empty() || s.len() > 5 || !s.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(ProxyError::BadV1);
                }
                s.parse().map_err(|_| ProxyError::BadV1)
            };
            Ok(Some(Header {
                len,
                addrs: Some((
                    SocketAddr::new(ip(src)?, port(sport)?),
                    SocketAddr::new(ip(dst)?, port(dport)?),
                )),
            }))
        }
        _ => Err(ProxyError::BadV1),
    }
}

fn parse_v2(buf: &[u8]) -> Result<Option<Header>, ProxyError> {
    if buf.len() < 16 {
        return Ok(None);
    }
    let ver_cmd = buf[12];
    let fam = buf[13];
    let body = usize::from(u16::from_be_bytes([buf[14], buf[15]]));
    if ver_cmd >> 4 != 2 {
        return Err(ProxyError::BadV2);
    }
    let len = 16 + body;
    if buf.len() < len {
        return Ok(None);
    }
    let b = &buf[16..len];
    match ver_cmd & 0x0f {
        // LOCAL: the sender's own connection (health checks).
        0 => return Ok(Some(Header { len, addrs: None })),
        1 => {}
        _ => return Err(ProxyError::BadV2),
    }
    let addrs = match fam {
        // TCP over IPv4
        0x11 => {
            if b.len() < 12 {
                return Err(ProxyError::BadV2);
            }
            let ip = |o: usize| IpAddr::V4(Ipv4Addr::new(b[o], b[o + 1], b[o + 2], b[o + 3]));
            let port = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
            Some((
                SocketAddr::new(ip(0), port(8)),
                SocketAddr::new(ip(4), port(10)),
            ))
        }
        // TCP over IPv6
        0x21 => {
            if b.len() < 36 {
                return Err(ProxyError::BadV2);
            }
            let ip = |o: usize| {
                let mut a = [0u8; 16];
                a.copy_from_slice(&b[o..o + 16]);
                IpAddr::V6(Ipv6Addr::from(a))
            };
            let port = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
            Some((
                SocketAddr::new(ip(0), port(32)),
                SocketAddr::new(ip(16), port(34)),
            ))
        }
        _ => None,
    };
    Ok(Some(Header { len, addrs }))
}

/// Both ends in one family: an IPv4 address facing IPv6 is written as
/// IPv4-mapped IPv6 (HAProxy does the same).
fn same_family(src: SocketAddr, dst: SocketAddr) -> (SocketAddr, SocketAddr) {
    let v6 = |a: SocketAddr| match a.ip() {
        IpAddr::V4(v4) => SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), a.port()),
        IpAddr::V6(_) => a,
    };
    if src.is_ipv4() == dst.is_ipv4() {
        (src, dst)
    } else {
        (v6(src), v6(dst))
    }
}

/// `send-proxy`: `PROXY TCP4 src dst sport dport\r\n`.
pub fn proxy_header_v1(src: SocketAddr, dst: SocketAddr) -> Vec<u8> {
    let (src, dst) = same_family(src, dst);
    let proto = if src.is_ipv4() { "TCP4" } else { "TCP6" };
    format!(
        "PROXY {proto} {} {} {} {}\r\n",
        src.ip(),
        dst.ip(),
        src.port(),
        dst.port()
    )
    .into_bytes()
}

/// `send-proxy-v2`: binary header, PROXY command, TCP over IPv4/IPv6, no TLV.
pub fn proxy_header_v2(src: SocketAddr, dst: SocketAddr) -> Vec<u8> {
    let (src, dst) = same_family(src, dst);
    let mut out = Vec::with_capacity(52);
    out.extend_from_slice(&SIG_V2);
    out.push(0x21);
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            out.push(0x11);
            out.extend_from_slice(&12u16.to_be_bytes());
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
        }
        (s, d) => {
            let o6 = |a: IpAddr| match a {
                IpAddr::V6(v6) => v6.octets(),
                IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            };
            out.push(0x21);
            out.extend_from_slice(&36u16.to_be_bytes());
            out.extend_from_slice(&o6(s));
            out.extend_from_slice(&o6(d));
        }
    }
    out.extend_from_slice(&src.port().to_be_bytes());
    out.extend_from_slice(&dst.port().to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn v1_roundtrip_and_partial() {
        let h = proxy_header_v1(sa("192.0.2.1:5000"), sa("127.0.0.1:80"));
        assert_eq!(h, b"PROXY TCP4 192.0.2.1 127.0.0.1 5000 80\r\n");
        let mut buf = h.clone();
        buf.extend_from_slice(b"GET / HTTP/1.1\r\n");
        let got = parse(&buf);
        assert_eq!(
            got,
            Ok(Some(Header {
                len: h.len(),
                addrs: Some((sa("192.0.2.1:5000"), sa("127.0.0.1:80")))
            }))
        );
        for cut in 0..h.len() {
            assert_eq!(parse(&h[..cut]), Ok(None), "cut {cut}");
        }
        assert_eq!(
            parse(b"PROXY UNKNOWN ffff::1\r\n"),
            Ok(Some(Header {
                len: 23,
                addrs: None
            }))
        );
        let h6 = proxy_header_v1(sa("[2001:db8::1]:1"), sa("[::1]:2"));
        assert_eq!(h6, b"PROXY TCP6 2001:db8::1 ::1 1 2\r\n");
        // Mixed families are written as IPv6.
        let hm = proxy_header_v1(sa("10.0.0.1:1"), sa("[::1]:2"));
        assert_eq!(hm, b"PROXY TCP6 ::ffff:10.0.0.1 ::1 1 2\r\n");
    }

    #[test]
    fn v1_rejects_garbage() {
        assert_eq!(parse(b"GET / HTTP/1.0\r\n"), Err(ProxyError::NotProxy));
        assert_eq!(
            parse(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 +2\r\n"),
            Err(ProxyError::BadV1)
        );
        assert_eq!(
            parse(b"PROXY TCP4 ::1 5.6.7.8 1 2\r\n"),
            Err(ProxyError::BadV1)
        );
        assert_eq!(
            parse(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 70000\r\n"),
            Err(ProxyError::BadV1)
        );
        assert_eq!(parse(&[b'P'; 200][..]), Err(ProxyError::NotProxy));
        let mut long = b"PROXY ".to_vec();
        long.extend_from_slice(&[b'x'; 150]);
        assert_eq!(parse(&long), Err(ProxyError::BadV1));
    }

    #[test]
    fn v2_roundtrip() {
        for (s, d) in [
            ("192.0.2.1:5000", "127.0.0.1:80"),
            ("[2001:db8::1]:443", "[::1]:8443"),
        ] {
            let h = proxy_header_v2(sa(s), sa(d));
            for cut in 0..h.len() {
                assert_eq!(parse(&h[..cut]), Ok(None));
            }
            assert_eq!(
                parse(&h),
                Ok(Some(Header {
                    len: h.len(),
                    addrs: Some((sa(s), sa(d)))
                }))
            );
        }
        let h = proxy_header_v2(sa("192.0.2.1:5000"), sa("127.0.0.1:80"));
        assert_eq!(h.len(), 28);
        assert_eq!(&h[12..16], &[0x21, 0x11, 0, 12]);
        // LOCAL command: keep the connection's addresses.
        let mut local = SIG_V2.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(
            parse(&local),
            Ok(Some(Header {
                len: 16,
                addrs: None
            }))
        );
        // Version 1 in the binary form, and a truncated IPv4 block.
        let mut bad = SIG_V2.to_vec();
        bad.extend_from_slice(&[0x11, 0x11, 0, 0]);
        assert_eq!(parse(&bad), Err(ProxyError::BadV2));
        let mut short = SIG_V2.to_vec();
        short.extend_from_slice(&[0x21, 0x11, 0, 4, 1, 2, 3, 4]);
        assert_eq!(parse(&short), Err(ProxyError::BadV2));
    }

    #[test]
    fn never_panics_on_prefixes_of_noise() {
        let mut seed = 0x1234_5678u32;
        for _ in 0..2000 {
            let mut v = SIG_V2.to_vec();
            for _ in 0..(seed % 64) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                v.push((seed >> 16) as u8);
            }
            let _ = parse(&v);
            let mut w = b"PROXY TCP4 ".to_vec();
            w.extend_from_slice(&v[12..]);
            let _ = parse(&w);
        }
    }
}
