//! `set-src`, `set-src-port`, `set-dst`, `set-dst-port`: the addresses a stream sees.
//!
//! Measured on HAProxy 2.6.12 (`http-request set-src hdr(x-ip)` and friends, then `src`,
//! `%ci:%cp`, `dst`, `%fi:%fp`, `option forwardfor` and `send-proxy`):
//! - the new address is what every later fetch, ACL, log field, `x-forwarded-for` and the
//!   PROXY header of the server connection see; the next request of the same connection
//!   starts again from the real addresses (the change is per stream);
//! - `set-src` / `set-dst` keep the port (also across families: `::1` keeps the client
//!   port), `set-src-port` / `set-dst-port` keep the address;
//! - a value that is not an address (`junk`) or no value changes nothing; a header list
//!   `10.7.7.7,1.1.1.1` through `hdr()` gives its last value (the fetch's doing).

use std::net::{IpAddr, SocketAddr};

use crate::proxy::acl::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrPart {
    Src,
    SrcPort,
    Dst,
    DstPort,
}

/// A sample turned into what the actions can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrValue {
    Ip(IpAddr),
    Int(i64),
    Nothing,
}

impl AddrValue {
    pub fn of(v: &Value<'_>) -> AddrValue {
        match v {
            Value::Addr(ip) => AddrValue::Ip(*ip),
            Value::Int(n) => AddrValue::Int(*n),
            Value::Bool(b) => AddrValue::Int(i64::from(*b)),
            Value::Str(s) | Value::Bin(s) => {
                let t = String::from_utf8_lossy(s);
                let t = t.trim();
                if let Ok(ip) = t.parse::<IpAddr>() {
                    AddrValue::Ip(ip)
                } else if let Ok(n) = t.parse::<i64>() {
                    AddrValue::Int(n)
                } else {
                    AddrValue::Nothing
                }
            }
            Value::Meth(_) => AddrValue::Nothing,
        }
    }
}

/// Applies one action's value to the stream's addresses.
pub fn apply(part: AddrPart, v: AddrValue, src: &mut SocketAddr, dst: &mut SocketAddr) {
    let target = match part {
        AddrPart::Src | AddrPart::SrcPort => src,
        AddrPart::Dst | AddrPart::DstPort => dst,
    };
    match (part, v) {
        (AddrPart::Src | AddrPart::Dst, AddrValue::Ip(ip)) => target.set_ip(ip),
        (AddrPart::SrcPort | AddrPart::DstPort, AddrValue::Int(n)) => {
            // HAProxy stores the int in a 16-bit port field: it wraps
            target.set_port(n as u16);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn s(x: &str) -> Value<'_> {
        Value::Str(Cow::Borrowed(x.as_bytes()))
    }

    #[test]
    fn addresses_as_haproxy_2_6_12_changed_them() {
        let mut src: SocketAddr = "127.0.0.1:37882".parse().unwrap();
        let mut dst: SocketAddr = "127.0.0.1:24001".parse().unwrap();
        apply(
            AddrPart::Src,
            AddrValue::of(&s("10.1.2.3")),
            &mut src,
            &mut dst,
        );
        assert_eq!(src.to_string(), "10.1.2.3:37882");
        apply(
            AddrPart::SrcPort,
            AddrValue::of(&s("555")),
            &mut src,
            &mut dst,
        );
        assert_eq!(src.to_string(), "10.1.2.3:555");
        apply(AddrPart::Src, AddrValue::of(&s("::1")), &mut src, &mut dst);
        assert_eq!(src.to_string(), "[::1]:555");
        apply(AddrPart::Src, AddrValue::of(&s("junk")), &mut src, &mut dst);
        assert_eq!(src.to_string(), "[::1]:555");
        apply(
            AddrPart::Dst,
            AddrValue::of(&s("10.9.9.9")),
            &mut src,
            &mut dst,
        );
        apply(
            AddrPart::DstPort,
            AddrValue::of(&Value::Int(81)),
            &mut src,
            &mut dst,
        );
        assert_eq!(dst.to_string(), "10.9.9.9:81");
    }
}
