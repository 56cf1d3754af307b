//! Stick-table keys and HAProxy 2.6's conversion of a sample into a table's key type
//! (`smp_to_stkey()` over the `sample_casts` matrix of src/sample.c).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A table's key type (`type ip|ipv6|integer|string [len N]|binary [len N]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Ip,
    Ipv6,
    /// HAProxy keys integer tables on 32 bits (`smp_to_stkey()` casts to `unsigned int`).
    Integer,
    /// Strings longer than `len` are cut to `len` bytes (default 32).
    String {
        len: usize,
    },
    /// Binary keys are zero-padded (and cut) to exactly `len` bytes (default 32).
    Binary {
        len: usize,
    },
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ip => "ip",
            KeyType::Ipv6 => "ipv6",
            KeyType::Integer => "integer",
            KeyType::String { .. } => "string",
            KeyType::Binary { .. } => "binary",
        }
    }

    /// Converts a sample into this table's key as HAProxy does; `None` when the cast fails
    /// (HAProxy then skips the track/stick action).
    pub fn key_from(self, s: &KeySample<'_>) -> Option<Key> {
        match self {
            KeyType::Ip => Some(Key::Ip(match *s {
                KeySample::Int(i) => int2ip(i),
                KeySample::Ipv4(a) => a,
                KeySample::Ipv6(a) => v6tov4(a)?,
                KeySample::Str(b) => std::str::from_utf8(b).ok()?.parse().ok()?,
                KeySample::Bool(_) | KeySample::Bin(_) | KeySample::Meth(_) => return None,
            })),
            KeyType::Ipv6 => Some(Key::Ipv6(match *s {
                KeySample::Int(i) => int2ip(i).to_ipv6_mapped(),
                KeySample::Ipv4(a) => a.to_ipv6_mapped(),
                KeySample::Ipv6(a) => a,
                KeySample::Str(b) => std::str::from_utf8(b).ok()?.parse().ok()?,
                KeySample::Bool(_) | KeySample::Bin(_) | KeySample::Meth(_) => return None,
            })),
            KeyType::Integer => {
                let v = match *s {
                    KeySample::Bool(b) => i64::from(b),
                    KeySample::Int(i) => i,
                    KeySample::Ipv4(a) => i64::from(u32::from(a)),
                    KeySample::Str(b) => str2int(b)?,
                    KeySample::Ipv6(_) | KeySample::Bin(_) | KeySample::Meth(_) => return None,
                };
                Some(Key::Int(i64::from(v as u32)))
            }
            KeyType::String { len } => {
                let mut b: Vec<u8> = match *s {
                    KeySample::Bool(b) => i64::from(b).to_string().into_bytes(),
                    KeySample::Int(i) => i.to_string().into_bytes(),
                    KeySample::Ipv4(a) => a.to_string().into_bytes(),
                    KeySample::Ipv6(a) => a.to_string().into_bytes(),
                    KeySample::Str(b) | KeySample::Meth(b) => b.to_vec(),
                    // c_bin2str: the string ends at the first NUL.
                    KeySample::Bin(b) => b.iter().take_while(|&&c| c != 0).copied().collect(),
                };
                b.truncate(len);
                Some(Key::Str(b))
            }
            KeyType::Binary { len } => {
                let mut b: Vec<u8> = match *s {
                    KeySample::Int(i) => i.to_be_bytes().to_vec(),
                    KeySample::Ipv4(a) => a.octets().to_vec(),
                    KeySample::Ipv6(a) => a.octets().to_vec(),
                    KeySample::Str(b) | KeySample::Bin(b) | KeySample::Meth(b) => b.to_vec(),
                    KeySample::Bool(_) => return None,
                };
                b.resize(len, 0);
                Some(Key::Bin(b))
            }
        }
    }
}

/// A sample value offered as a key (the rules module maps its own sample type onto this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySample<'a> {
    Bool(bool),
    Int(i64),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    /// An HTTP method (cast to its name).
    Meth(&'a [u8]),
}

/// A key as stored in a table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Ip(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// Always in 0..=u32::MAX (integer tables key on 32 bits).
    Int(i64),
    /// Bytes of a string key (HAProxy does not require UTF-8).
    Str(Vec<u8>),
    Bin(Vec<u8>),
}

impl fmt::Display for Key {
    /// As `show table` prints keys (binary in hex).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Ip(a) => write!(f, "{a}"),
            Key::Ipv6(a) => write!(f, "{a}"),
            Key::Int(i) => write!(f, "{i}"),
            Key::Str(s) => f.write_str(&String::from_utf8_lossy(s)),
            Key::Bin(b) => b.iter().try_for_each(|c| write!(f, "{c:02X}")),
        }
    }
}

/// c_int2ip: the low 32 bits, in host order, as an address.
fn int2ip(i: i64) -> Ipv4Addr {
    Ipv4Addr::from(i as u32)
}

/// HAProxy's `v6tov4()`: IPv4-mapped (`::ffff:a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/16`)
/// addresses convert; others do not.
fn v6tov4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let o = a.octets();
    if o[..10].iter().all(|&b| b == 0) && o[10] == 0xff && o[11] == 0xff {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if o[0] == 0x20 && o[1] == 0x02 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// c_str2int: `read_int64()` (optional sign, leading digits, saturating); an empty string
/// fails.
fn str2int(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let mut v: u64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(u64::from(c - b'0'));
    }
    Some(if neg {
        if v > 1 << 63 {
            i64::MIN
        } else {
            (v as i64).wrapping_neg()
        }
    } else {
        i64::try_from(v).unwrap_or(i64::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_haproxy_matrix() {
        let v4 = Ipv4Addr::new(10, 0, 0, 1);
        assert_eq!(
            KeyType::Ipv6.key_from(&KeySample::Ipv4(v4)),
            Some(Key::Ipv6("::ffff:10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            KeyType::Ip.key_from(&KeySample::Ipv6("::ffff:10.0.0.1".parse().unwrap())),
            Some(Key::Ip(v4))
        );
        assert_eq!(
            KeyType::Ip.key_from(&KeySample::Ipv6("2002:0a00:0001::5".parse().unwrap())),
            Some(Key::Ip(v4))
        );
        assert_eq!(
            KeyType::Ip.key_from(&KeySample::Ipv6("2001:db8::1".parse().unwrap())),
            None
        );
        assert_eq!(
            KeyType::Ip.key_from(&KeySample::Int(0x0a00_0001)),
            Some(Key::Ip(v4))
        );
        assert_eq!(
            KeyType::Integer.key_from(&KeySample::Ipv4(v4)),
            Some(Key::Int(0x0a00_0001))
        );
        // 32-bit keys: -1 is 4294967295.
        assert_eq!(
            KeyType::Integer.key_from(&KeySample::Int(-1)),
            Some(Key::Int(4_294_967_295))
        );
        assert_eq!(
            KeyType::Integer.key_from(&KeySample::Str(b"12abc")),
            Some(Key::Int(12))
        );
        assert_eq!(KeyType::Integer.key_from(&KeySample::Str(b"")), None);
        assert_eq!(
            KeyType::String { len: 4 }.key_from(&KeySample::Str(b"abcdef")),
            Some(Key::Str(b"abcd".to_vec()))
        );
        assert_eq!(
            KeyType::String { len: 32 }.key_from(&KeySample::Ipv4(v4)),
            Some(Key::Str(b"10.0.0.1".to_vec()))
        );
        assert_eq!(
            KeyType::Binary { len: 6 }.key_from(&KeySample::Ipv4(v4)),
            Some(Key::Bin(vec![10, 0, 0, 1, 0, 0]))
        );
        assert_eq!(
            KeyType::Binary { len: 8 }.key_from(&KeySample::Int(1)),
            Some(Key::Bin(vec![0, 0, 0, 0, 0, 0, 0, 1]))
        );
        assert_eq!(KeyType::Ip.key_from(&KeySample::Bool(true)), None);
    }
}
