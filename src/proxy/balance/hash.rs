//! HAProxy 2.6's hash functions (src/hash.c, `full_hash` in include/haproxy/tools.h) and the
//! way `get_server_sh/uh/ph/hh` in src/backend.c cut the hashed key out of a request.

use std::net::IpAddr;

use super::{HashConfig, HashFunction};

/// `hash_sdbm`: bytes are taken unsigned.
pub fn sdbm(key: &[u8]) -> u32 {
    key.iter().fold(0u32, |h, &c| {
        u32::from(c)
            .wrapping_add(h << 6)
            .wrapping_add(h << 16)
            .wrapping_sub(h)
    })
}

/// `hash_djb2` (HAProxy unrolls it; the result is the plain djb2 one).
pub fn djb2(key: &[u8]) -> u32 {
    key.iter().fold(5381u32, |h, &c| {
        (h << 5).wrapping_add(h).wrapping_add(u32::from(c))
    })
}

/// `hash_wt6`, Willy Tarreau's 6-round hash.
pub fn wt6(key: &[u8]) -> u32 {
    let mut h0: u32 = 0xa53c_965a;
    let mut h1: u32 = 0x5ca6_953a;
    let mut step0: u32 = 6;
    let mut step1: u32 = 18;
    for &c in key {
        let t = u32::from(c);
        h0 = !(h0 ^ t);
        h1 = !(h1.wrapping_add(t));
        let t = h1.rotate_left(step0);
        // C's `(h0 << step1) | (h0 >> (32 - step1))`; step1 is at most 31 (t >> 11 of a
        // 16-bit value), and with step1 == 0 the C shift by 32 is what x86 computes as a
        // shift by 0, i.e. h0 | h0 = h0, the same as a rotation by 0.
        h1 = h0.rotate_left(step1);
        h0 = t;
        let t = ((h0 >> 16) ^ h1) & 0xffff;
        step0 = t & 0x1f;
        step1 = t >> 11;
    }
    h0 ^ h1
}

/// `hash_crc32`: the reflected CRC-32 (IEEE, poly 0xedb88320).
pub fn crc32(key: &[u8]) -> u32 {
    let mut h = !0u32;
    for &c in key {
        h ^= u32::from(c);
        for _ in 0..8 {
            h = (h >> 1) ^ if h & 1 != 0 { 0xedb8_8320 } else { 0 };
        }
    }
    !h
}

/// `full_hash`: Bob Jenkins' avalanche then a multiplication by a prime near 3/4 of 2^32.
/// Used by `hash-type ... avalanche` and for the consistent-hash tree points.
pub fn full_hash(a: u32) -> u32 {
    let mut a = a;
    a = a.wrapping_add(0x7ed5_5d16).wrapping_add(a << 12);
    a = (a ^ 0xc761_c23c) ^ (a >> 19);
    a = a.wrapping_add(0x1656_67b1).wrapping_add(a << 5);
    a = a.wrapping_add(0xd3a2_646c) ^ (a << 9);
    a = a.wrapping_add(0xfd70_46c5).wrapping_add(a << 3);
    a = (a ^ 0xb55a_4f09) ^ (a >> 16);
    a.wrapping_mul(3_221_225_473)
}

/// `gen_hash` followed by the optional avalanche, as every HTTP hashing algorithm does.
pub fn gen_hash(cfg: &HashConfig, key: &[u8]) -> u32 {
    let h = match cfg.function {
        HashFunction::Sdbm => sdbm(key),
        HashFunction::Djb2 => djb2(key),
        HashFunction::Wt6 => wt6(key),
        HashFunction::Crc32 => crc32(key),
    };
    if cfg.avalanche { full_hash(h) } else { h }
}

/// `get_server_sh`: the address's 32-bit big-endian words XORed together (the hash
/// function setting is not used for `source`), then the optional avalanche.
pub fn source_hash(cfg: &HashConfig, addr: IpAddr) -> u32 {
    let h = match addr {
        IpAddr::V4(a) => u32::from_be_bytes(a.octets()),
        IpAddr::V6(a) => a.octets().chunks_exact(4).fold(0u32, |h, w| {
            h ^ u32::from_be_bytes([w[0], w[1], w[2], w[3]])
        }),
    };
    if cfg.avalanche { full_hash(h) } else { h }
}

/// The part of the URI `get_server_uh` hashes: at most `len` bytes, stopping before the
/// `depth`-th slash after the first one (HAProxy stores depth+1) and, unless `whole`, before
/// the first `?`.
pub fn uri_key(uri: &[u8], whole: bool, len: u32, depth: u32) -> &[u8] {
    let limit = if len > 0 {
        uri.len().min(len as usize)
    } else {
        uri.len()
    };
    let stop_slash = if depth > 0 { depth + 1 } else { 0 };
    let mut slashes = 0u32;
    let mut end = 0;
    while end < limit {
        let c = uri[end];
        if c == b'/' {
            slashes += 1;
            if slashes == stop_slash {
                break;
            }
        } else if c == b'?' && !whole {
            break;
        }
        end += 1;
    }
    &uri[..end]
}

/// `http_parse_path` as `balance uri path-only` uses it: the origin-form URI as is, the
/// path (and query) of an absolute-form URI, empty when there is none.
pub fn uri_path(uri: &[u8]) -> &[u8] {
    if uri.first() == Some(&b'/') {
        return uri;
    }
    // absolute-form: scheme "://" authority path
    let Some(pos) = uri.windows(3).position(|w| w == b"://") else {
        return &[];
    };
    let rest = &uri[pos + 3..];
    match rest.iter().position(|&c| c == b'/') {
        Some(p) => &rest[p..],
        None => &[],
    }
}

/// `get_server_ph`: the value of the first `NAME=` parameter of the query string, up to the
/// next `&`. `None` when the URI has no `?` or no such parameter.
pub fn url_param_value<'a>(uri: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let q = uri.iter().position(|&c| c == b'?')?;
    param_value(&uri[q + 1..], name)
}

/// The parameter scan shared by the query-string and the `check_post` body forms.
fn param_value<'a>(params: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let plen = name.len();
    let mut params = params;
    // HAProxy loops while more than `plen` bytes remain, so a parameter needs at least its
    // name and the '=' to match.
    while params.len() > plen {
        if params[plen] == b'=' && &params[..plen] == name {
            let value = &params[plen + 1..];
            let end = value.iter().position(|&c| c == b'&').unwrap_or(value.len());
            return Some(&value[..end]);
        }
        let amp = params.iter().position(|&c| c == b'&')?;
        params = &params[amp + 1..];
    }
    None
}

/// `get_server_ph_post`: the same scan over a `POST` body; a byte that is neither an HTTP
/// token character nor LWS means the body is not URL-encoded and nothing is hashed.
pub fn post_param_value<'a>(body: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let v = param_value(body, name)?;
    // HAProxy checks the character at the start of the value on every iteration (its `p`
    // does not advance), so only the first byte matters.
    if let Some(&c) = v.first()
        && !is_http_token(c)
    {
        if c == b' ' || c == b'\t' || c == b'\r' || c == b'\n' {
            return Some(&v[..0]);
        }
        return None;
    }
    Some(v)
}

fn is_http_token(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// `http_find_header(..., full=0)`: the first value (up to a comma, without surrounding
/// blanks) of the first header named `name` (case-insensitive).
pub fn header_value<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    let (_, v) = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
    let first = v.split(',').next().unwrap_or("");
    Some(first.trim_matches(|c| c == ' ' || c == '\t'))
}

/// `use_domain_only`: going back from the end of the value, the label between the last dot
/// and the dot before it ("example" in "www.example.com"); the whole value when it has no
/// dot, and everything before the last dot when it has one dot only.
pub fn domain_only(value: &[u8]) -> &[u8] {
    // Mirrors the backwards scan of get_server_hh: `p` starts one past the end.
    let mut len = value.len();
    let mut p = value.len();
    let mut end = p;
    let mut dohash = false;
    while len > 0 {
        if dohash {
            if p >= 1 && value[p - 1] == b'.' {
                break;
            }
        } else if p < value.len() && value[p] == b'.' {
            end = p;
            dohash = true;
        }
        p -= 1;
        len -= 1;
    }
    &value[p..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Reference values of the standard functions: CRC-32 of "123456789" is the check
        // value of the IEEE polynomial; djb2("") is its seed.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(djb2(b""), 5381);
        assert_eq!(djb2(b"a"), 5381 * 33 + 97);
        assert_eq!(sdbm(b"a"), 97);
        assert_eq!(sdbm(b"ab"), 98 + (97 << 6) + (97 << 16) - 97);
    }

    #[test]
    fn uri_cuts() {
        assert_eq!(uri_key(b"/a/b/d?x=1", false, 0, 0), b"/a/b/d");
        assert_eq!(uri_key(b"/a/b/d?x=1", true, 0, 0), b"/a/b/d?x=1");
        assert_eq!(uri_key(b"/a/b/d?x=1", false, 3, 0), b"/a/");
        assert_eq!(uri_key(b"/a/b/d?x=1", false, 0, 2), b"/a/b");
        assert_eq!(uri_key(b"/a", false, 0, 2), b"/a");
        assert_eq!(uri_path(b"http://example.com/abs?k"), b"/abs?k");
        assert_eq!(uri_path(b"http://example.com"), b"");
    }

    #[test]
    fn params_and_headers() {
        assert_eq!(
            url_param_value(b"/p?a=1&userid=al&b", b"userid"),
            Some(&b"al"[..])
        );
        assert_eq!(url_param_value(b"/p?useridx=3", b"userid"), None);
        assert_eq!(url_param_value(b"/p?userid=", b"userid"), Some(&b""[..]));
        assert_eq!(url_param_value(b"/p", b"userid"), None);
        let h = [("x-key", " a, b")];
        assert_eq!(header_value(&h, "X-Key"), Some("a"));
        assert_eq!(domain_only(b"www.example.com"), b"example");
        assert_eq!(domain_only(b"example.com"), b"example");
        assert_eq!(domain_only(b"localhost"), b"localhost");
    }
}
