//! Value grammars shared by the haproxy.cfg parsers: time (`us ms s m h d`),
//! sizes (`k m g`), addresses with ports and port ranges, integers.
//! Errors are HAProxy's wording fragments; callers put them in context.
//!
//! Each parser mirrors the HAProxy 2.6 function named in its doc comment,
//! including its quirks (wrapping arithmetic, `atoi` semantics), because the
//! oracle's verdict on odd input is what operators already rely on.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use thiserror::Error;

pub use crate::ir::haproxy::expr::{AddrFamily, Address};

/// The unit a time keyword is stored in (HAProxy's `TIME_UNIT_*`); a bare
/// number is taken in this unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Us,
    Ms,
    S,
    Min,
    Hour,
    Day,
}

/// A parsed time value, in the unit that was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeValue {
    pub value: u32,
    /// HAProxy 2.6 accepts junk after a valid unit (`5msx`) and only warns,
    /// without the `parsing [FILE:LINE]` prefix. This is the whole warning text.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    /// The first character that is neither a digit nor a known unit.
    /// Callers print `unexpected character '%c' in ...`.
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    /// An empty string (HAProxy would point at the terminating NUL); most
    /// keywords catch this earlier with their own "expects" message.
    #[error("empty value")]
    Empty,
    /// Above 2147483647 in the target unit.
    #[error("timer overflow")]
    Overflow,
    /// A non-zero value that rounds to zero in the target unit.
    #[error("timer underflow")]
    Underflow,
}

impl TimeError {
    /// The message `timeout`-like keywords print:
    /// `unexpected character 'x' in 'timeout client'`,
    /// `timer overflow in argument '25d' to 'timeout client' (maximum value is 2147483647 ms or ~24.8 days)`.
    pub fn timeout_message(&self, arg: &str, keyword: &str) -> String {
        match self {
            TimeError::UnexpectedChar(c) => format!("unexpected character '{c}' in '{keyword}'"),
            TimeError::Empty => format!("'{keyword}' expects an integer value (in milliseconds)"),
            TimeError::Overflow => format!(
                "timer overflow in argument '{arg}' to '{keyword}' (maximum value is 2147483647 ms or ~24.8 days)"
            ),
            TimeError::Underflow => format!(
                "timer underflow in argument '{arg}' to '{keyword}' (minimum non-null value is 1 ms)"
            ),
        }
    }
}

/// HAProxy's `parse_time_err()`: digits then an optional unit, rounded up to
/// the target unit. The digit loop wraps in 64 bits exactly like the C code
/// (so `18446744073709551617` is accepted as 1), which the oracle shows.
pub fn parse_time(text: &str, unit: TimeUnit) -> Result<TimeValue, TimeError> {
    let b = text.as_bytes();
    match b.first() {
        None => return Err(TimeError::Empty),
        Some(c) if !c.is_ascii_digit() => return Err(TimeError::UnexpectedChar(*c as char)),
        _ => {}
    }
    let (mut omult, mut odiv): (u64, u64) = match unit {
        TimeUnit::Us => (1_000_000, 1),
        TimeUnit::Ms => (1000, 1),
        TimeUnit::S => (1, 1),
        TimeUnit::Min => (1, 60),
        TimeUnit::Hour => (1, 3600),
        TimeUnit::Day => (1, 86400),
    };
    let mut i = 0;
    let mut value: u64 = 0;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        value = value.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        i += 1;
    }
    let (mut imult, mut idiv): (u64, u64) = (1, 1);
    let mut warning = None;
    match b.get(i) {
        None => {
            imult = 1;
            omult = 1;
            idiv = 1;
            odiv = 1;
        }
        Some(&c) => {
            match c {
                b's' => {}
                b'u' if b.get(i + 1) == Some(&b's') => {
                    idiv = 1_000_000;
                    i += 1;
                }
                b'm' if b.get(i + 1) == Some(&b's') => {
                    idiv = 1000;
                    i += 1;
                }
                b'm' => imult = 60,
                b'h' => imult = 3600,
                b'd' => imult = 86400,
                _ => return Err(TimeError::UnexpectedChar(char_at(text, i))),
            }
            i += 1;
            if i < b.len() {
                warning = Some(format!(
                    "unexpected character '{}' after the timer value '{}', only \
                     (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. \
                     This will be reported as an error in next versions.",
                    char_at(text, i),
                    text
                ));
            }
        }
    }
    if omult % idiv == 0 {
        omult /= idiv;
        idiv = 1;
    }
    if idiv % omult == 0 {
        idiv /= omult;
        omult = 1;
    }
    if imult % odiv == 0 {
        imult /= odiv;
        odiv = 1;
    }
    if odiv % imult == 0 {
        odiv /= imult;
        imult = 1;
    }
    let div = idiv.wrapping_mul(odiv);
    let result = value
        .wrapping_mul(imult.wrapping_mul(omult))
        .wrapping_add(div - 1)
        / div;
    if result > 0x7fff_ffff {
        return Err(TimeError::Overflow);
    }
    if result == 0 && value != 0 {
        return Err(TimeError::Underflow);
    }
    Ok(TimeValue {
        value: result as u32,
        warning,
    })
}

/// The character at byte `i` of `s` (a config word may hold UTF-8; HAProxy
/// would print the first byte, we print the whole character).
fn char_at(s: &str, i: usize) -> char {
    s.get(i..)
        .and_then(|r| r.chars().next())
        .unwrap_or_else(|| char::from(s.as_bytes().get(i).copied().unwrap_or(b'?')))
}

/// HAProxy's `parse_size_err()` failed at this character (`None`: end of
/// string, i.e. an empty value).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unexpected character in size")]
pub struct SizeError {
    pub ch: Option<char>,
}

/// HAProxy's `parse_size_err()`: an unsigned 32-bit number with an optional
/// `k`/`m`/`g` (either case) suffix, 1024-based, refusing overflow.
pub fn parse_size(text: &str) -> Result<u32, SizeError> {
    let b = text.as_bytes();
    let fail = |i: usize| SizeError {
        ch: (i < b.len()).then(|| char_at(text, i)),
    };
    match b.first() {
        Some(c) if c.is_ascii_digit() => {}
        _ => return Err(fail(0)),
    }
    let mut i = 0;
    let mut value: u32 = 0;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(c - b'0')))
            .ok_or_else(|| fail(i))?;
        i += 1;
    }
    let shift = match b.get(i) {
        None => return Ok(value),
        Some(b'k' | b'K') => 10,
        Some(b'm' | b'M') => 20,
        Some(b'g' | b'G') => 30,
        Some(_) => return Err(fail(i)),
    };
    if value > (u32::MAX >> shift) {
        return Err(fail(i));
    }
    if i + 1 < b.len() {
        return Err(fail(i + 1));
    }
    Ok(value << shift)
}

/// C's `strtol(s, NULL, 10)`: leading blanks, a sign, digits, stop at the
/// first non-digit, saturate on overflow. HAProxy uses `atol`/`atoi` for many
/// numeric arguments, so `8x` is 8 and `x` is 0 without any error.
pub fn atol(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for c in digits.bytes().take_while(u8::is_ascii_digit) {
        let d = i64::from(c - b'0');
        v = match v.checked_mul(10).and_then(|v| {
            if neg {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        }) {
            Some(v) => v,
            None => return if neg { i64::MIN } else { i64::MAX },
        };
    }
    v
}

/// C's `atoi`: glibc computes `(int)strtol(...)`, i.e. truncation to 32 bits.
pub fn atoi(s: &str) -> i32 {
    atol(s) as i32
}

/// A whole string of decimal digits (no sign, no blanks), as HAProxy's
/// `strl2uic`-style strict parsers want it.
pub fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Which address forms a keyword accepts (HAProxy's `PA_O_*` flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddrOpts {
    /// `PA_O_RESOLVE`: resolve host names now (bind, log, peers).
    pub resolve: bool,
    /// A host name may be kept unresolved for later (servers: `fqdn`).
    pub fqdn: bool,
    /// `PA_O_PORT_OK`: a `:port` part is allowed at all.
    pub port_ok: bool,
    /// `PA_O_PORT_MAND`: the port is mandatory and must be >= 1.
    pub port_mand: bool,
    /// `PA_O_PORT_RANGE`: `low-high` is allowed.
    pub port_range: bool,
    /// `PA_O_PORT_OFS`: `+N`/`-N` (mapped ports) is allowed.
    pub port_ofs: bool,
    /// `PA_O_SOCKET_FD`: `fd@N` must be a listening socket.
    pub socket_fd: bool,
    /// `PA_O_RAW_FD`: `fd@N` may be any fd (log targets).
    pub raw_fd: bool,
    /// `PA_O_STREAM` / `PA_O_DGRAM`: socket types accepted.
    pub stream: bool,
    pub dgram: bool,
}

impl AddrOpts {
    /// What `bind` passes.
    pub const BIND: AddrOpts = AddrOpts {
        resolve: true,
        fqdn: false,
        port_ok: true,
        port_mand: true,
        port_range: true,
        port_ofs: false,
        socket_fd: true,
        raw_fd: false,
        stream: true,
        dgram: false,
    };
    /// What `server` passes (the host name is resolved later, at init).
    pub const SERVER: AddrOpts = AddrOpts {
        resolve: false,
        fqdn: true,
        port_ok: true,
        port_mand: false,
        port_range: false,
        port_ofs: true,
        socket_fd: false,
        raw_fd: false,
        stream: true,
        dgram: false,
    };
    /// A server's `addr` option: an IP, no FQDN kept, no port needed.
    pub const SERVER_ADDR: AddrOpts = AddrOpts {
        resolve: true,
        fqdn: false,
        port_ok: true,
        port_mand: false,
        port_range: false,
        port_ofs: false,
        socket_fd: false,
        raw_fd: false,
        stream: true,
        dgram: false,
    };
}

/// An address error: `msg` is HAProxy's text. `newline` records that
/// HAProxy's message itself ended in `\n`, which callers that print it with
/// another `\n` (server lines) turn into an empty line in the output.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{msg}")]
pub struct AddrError {
    pub msg: String,
    pub newline: bool,
}

fn aerr(msg: String) -> AddrError {
    AddrError {
        msg,
        newline: false,
    }
}

fn aerr_nl(msg: String) -> AddrError {
    AddrError { msg, newline: true }
}

/// HAProxy's `env_expand()`: every `${NAME}` replaced by the variable's value, or by
/// nothing when it is unset.
pub(crate) fn env_expand(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("${") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i + 2..].find('}') {
            Some(j) => {
                let name = &rest[i + 2..i + 2 + j];
                out.push_str(&std::env::var(name).unwrap_or_default());
                rest = &rest[i + 3 + j..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// HAProxy's `str2sa_range()`: one address with its optional prefix
/// (`ipv4@ ipv6@ unix@ abns@ fd@ sockpair@ udp@ quic4@ tcp@ stream+ dgram+ ...`)
/// and port part. Messages are those HAProxy 2.6 prints after `'bind' : `.
pub fn parse_address(orig: &str, opts: AddrOpts) -> Result<Address, AddrError> {
    // str2sa_range() expands `${NAME}` itself, quoted or not; an unset variable is empty.
    let expanded = env_expand(orig);
    let str_: &str = &expanded;
    if str_.is_empty() {
        return Err(aerr_nl(format!(
            "'{orig}' resolves to an empty address (environment variable missing?)"
        )));
    }
    let mut s = str_;
    let mut dgram = !opts.stream && opts.dgram;
    let mut ctrl_dgram = dgram;
    if let Some(r) = s.strip_prefix("stream+") {
        s = r;
        dgram = false;
        ctrl_dgram = false;
    } else if let Some(r) = s.strip_prefix("dgram+") {
        s = r;
        dgram = true;
        ctrl_dgram = true;
    }
    let mut quic = false;
    let prefixes: &[(&str, AddrFamily, Option<bool>)] = &[
        ("unix@", AddrFamily::Unix, None),
        ("abns@", AddrFamily::Abns, None),
        ("ipv4@", AddrFamily::Ipv4, None),
        ("ipv6@", AddrFamily::Ipv6, None),
        ("tcp4@", AddrFamily::Ipv4, Some(false)),
        ("tcp6@", AddrFamily::Ipv6, Some(false)),
        ("tcp@", AddrFamily::Unspec, Some(false)),
        ("udp4@", AddrFamily::Ipv4, Some(true)),
        ("udp6@", AddrFamily::Ipv6, Some(true)),
        ("udp@", AddrFamily::Unspec, Some(true)),
        ("quic4@", AddrFamily::Ipv4, None),
        ("quic6@", AddrFamily::Ipv6, None),
        ("fd@", AddrFamily::Fd, None),
        ("sockpair@", AddrFamily::Sockpair, None),
    ];
    let mut family = AddrFamily::Unspec;
    let mut prefixed = false;
    for (p, fam, dg) in prefixes {
        if let Some(r) = s.strip_prefix(p) {
            s = r;
            family = *fam;
            prefixed = true;
            if let Some(dg) = dg {
                dgram = *dg;
                ctrl_dgram = *dg;
            }
            if p.starts_with("quic") {
                quic = true;
            }
            break;
        }
    }
    if !prefixed && s.starts_with('/') {
        family = AddrFamily::Unix;
    }
    let mut addr = Address {
        text: str_.to_string(),
        family,
        host: s.to_string(),
        ip: None,
        fqdn: None,
        port: 0,
        port_low: 0,
        port_high: 0,
        fd: None,
        dgram,
    };
    match family {
        AddrFamily::Sockpair | AddrFamily::Fd => {
            let fd = match parse_uint(s).and_then(|v| i32::try_from(v).ok()) {
                Some(fd) => fd,
                None => {
                    return Err(aerr_nl(format!(
                        "file descriptor '{s}' is not a valid integer in '{str_}'"
                    )));
                }
            };
            addr.fd = Some(fd);
            if family == AddrFamily::Fd && !opts.socket_fd && !opts.raw_fd {
                return Err(aerr_nl(format!(
                    "a file descriptor is not acceptable here in '{str_}'"
                )));
            }
            if family == AddrFamily::Sockpair || opts.socket_fd {
                fd_is_socket(fd)
                    .map_err(|e| aerr_nl(format!("cannot use file descriptor '{fd}' : {e}.")))?;
            }
        }
        AddrFamily::Unix | AddrFamily::Abns => {
            // sun_path is 108 bytes; HAProxy keeps room for ".PID.bak" on
            // non-abstract paths (no unix-bind prefix handled here).
            let max = if family == AddrFamily::Abns {
                107
            } else {
                107 - (1 + 5 + 1 + 3)
            };
            if s.len() > max {
                return Err(aerr_nl(format!(
                    "socket path '{str_}' too long (max {max})"
                )));
            }
        }
        _ => {
            parse_ip_part(str_, s, opts, &mut addr)?;
        }
    }
    if !ctrl_dgram && !opts.stream {
        return Err(aerr_nl(format!(
            "stream-type address not acceptable in '{str_}'"
        )));
    }
    if ctrl_dgram && !opts.dgram {
        return Err(aerr_nl(format!(
            "dgram-type address not acceptable in '{str_}'"
        )));
    }
    if quic {
        // This HAProxy build (like tandem) has no QUIC.
        let fam = if family == AddrFamily::Ipv6 { 10 } else { 2 };
        return Err(aerr(format!(
            "unsupported stream protocol for datagram family {fam} address '{str_}'; \
             QUIC is not compiled in if this is what you were looking for."
        )));
    }
    Ok(addr)
}

fn parse_ip_part(str_: &str, s: &str, opts: AddrOpts, addr: &mut Address) -> Result<(), AddrError> {
    // The last ':' or ']' whichever comes first from the end, not looking at
    // the very first character (HAProxy's loop stops at `chr > str2`).
    let b = s.as_bytes();
    let mut sep = None;
    let mut j = b.len();
    while j > 1 {
        j -= 1;
        if b[j] == b']' || b[j] == b':' {
            sep = Some(j);
            break;
        }
    }
    // The C loop ends on the first character and tests it too.
    if sep.is_none() && matches!(b.first(), Some(b':' | b']')) {
        sep = Some(0);
    }
    let (host, port1) = match sep {
        Some(j) if b[j] == b':' => {
            if !opts.port_ok {
                return Err(aerr(format!(
                    "port specification not permitted here in '{str_}'"
                )));
            }
            (&s[..j], &s[j + 1..])
        }
        _ => {
            if opts.port_mand {
                return Err(aerr(format!("missing port specification in '{str_}'")));
            }
            (s, "")
        }
    };
    let first = port1.as_bytes().first().copied();
    let (portl, porth, porta): (i32, i32, i32);
    match first {
        Some(c) if c.is_ascii_digit() => {
            let port2 = match port1.find('-') {
                Some(k) => {
                    if !opts.port_range {
                        return Err(aerr(format!("port range not permitted here in '{str_}'")));
                    }
                    Some(k)
                }
                None => None,
            };
            let (p1, p2) = match port2 {
                Some(k) => (&port1[..k], &port1[k + 1..]),
                None => (port1, port1),
            };
            portl = atoi(p1);
            porth = atoi(p2);
            let min = i32::from(opts.port_mand);
            if portl < min || portl > 65535 {
                return Err(aerr(format!("invalid port '{p1}'")));
            }
            if porth < min || porth > 65535 {
                return Err(aerr(format!("invalid port '{p2}'")));
            }
            if portl > porth {
                return Err(aerr(format!("invalid port range '{portl}-{porth}'")));
            }
            porta = portl;
        }
        Some(b'-') => {
            if !opts.port_ofs {
                return Err(aerr(format!("port offset not permitted here in '{str_}'")));
            }
            portl = atoi(&port1[1..]);
            porth = 0;
            porta = -portl;
        }
        Some(b'+') => {
            if !opts.port_ofs {
                return Err(aerr(format!("port offset not permitted here in '{str_}'")));
            }
            portl = 0;
            porth = atoi(&port1[1..]);
            porta = porth;
        }
        Some(_) => {
            return Err(aerr_nl(format!(
                "invalid character '{}' in port number '{port1}' in '{str_}'",
                char_at(port1, 0)
            )));
        }
        None => {
            if opts.port_mand {
                return Err(aerr(format!("missing port specification in '{str_}'")));
            }
            portl = 0;
            porth = 0;
            porta = 0;
        }
    }
    addr.port = porta;
    addr.port_low = portl;
    addr.port_high = porth;
    addr.host = host.to_string();
    match str2ip(host, addr.family, false) {
        Some(ip) => addr.ip = Some(ip),
        None => {
            let resolved = if opts.resolve {
                str2ip(host, addr.family, true)
            } else {
                None
            };
            match resolved {
                Some(ip) => addr.ip = Some(ip),
                None if opts.fqdn && !opts.resolve => addr.fqdn = Some(host.to_string()),
                None => {
                    return Err(aerr_nl(format!("invalid address: '{host}' in '{str_}'")));
                }
            }
        }
    }
    if let Some(ip) = addr.ip
        && addr.family == AddrFamily::Unspec
    {
        addr.family = if ip.is_ipv4() {
            AddrFamily::Ipv4
        } else {
            AddrFamily::Ipv6
        };
    }
    Ok(())
}

/// HAProxy's `str2ip2()`: `""`/`*` is the IPv4 (or forced IPv6) any address,
/// then a literal of the wanted family, then (when `resolve`) a name lookup.
fn str2ip(host: &str, family: AddrFamily, resolve: bool) -> Option<IpAddr> {
    if host.is_empty() || host == "*" {
        return Some(if family == AddrFamily::Ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        });
    }
    // Brackets are only legal around IPv6 literals.
    let lit = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let want4 = family != AddrFamily::Ipv6;
    let want6 = family != AddrFamily::Ipv4;
    if want4 && let Ok(a) = lit.parse::<Ipv4Addr>() {
        return Some(IpAddr::V4(a));
    }
    if want6 && let Ok(a) = lit.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(a));
    }
    if !resolve {
        return None;
    }
    resolve_host(host, family)
}

/// Resolve with the system resolver (getaddrinfo, as HAProxy does); the first
/// answer of the wanted family wins.
pub fn resolve_host(host: &str, family: AddrFamily) -> Option<IpAddr> {
    let addrs = (host, 0u16).to_socket_addrs().ok()?;
    addrs.map(|sa| sa.ip()).find(|ip| match family {
        AddrFamily::Ipv4 => ip.is_ipv4(),
        AddrFamily::Ipv6 => ip.is_ipv6(),
        _ => true,
    })
}

/// Whether file descriptor `fd` of this process is a socket, with the
/// strerror() text HAProxy prints when `getsockname()` fails. Looked up in
/// /proc so that no unsafe code is needed.
fn fd_is_socket(fd: i32) -> Result<(), &'static str> {
    match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
        Ok(target) if target.to_string_lossy().starts_with("socket:") => Ok(()),
        Ok(_) => Err("Socket operation on non-socket"),
        Err(_) => Err("Bad file descriptor"),
    }
}

/// A comma-separated address list as `bind` takes it (`a:80,b:81-85`).
pub fn parse_address_list(s: &str, opts: AddrOpts) -> Result<Vec<Address>, AddrError> {
    s.split(',').map(|a| parse_address(a, opts)).collect()
}

/// HAProxy's "did you mean" choice; one implementation for the crate.
pub use crate::grammar::best_match;

#[cfg(test)]
mod tests {
    use super::*;

    /// `haproxy -c` 2.6.12 accepts `server s ${A}:${P}` unquoted, and with both unset
    /// (the address is then `:`, valid).
    #[test]
    fn addresses_expand_environment_variables() {
        // Names no environment sets: both expand to nothing.
        assert_eq!(env_expand("${TANDEM_T_UNSET_A}:${TANDEM_T_UNSET_B}"), ":");
        assert_eq!(env_expand("a${TANDEM_T_UNSET_A}b${"), "ab${");
        assert_eq!(
            env_expand("${HOME}").as_ref(),
            std::env::var("HOME").unwrap_or_default()
        );
        let a = parse_address(
            "${TANDEM_T_UNSET_A}127.0.0.1:8${TANDEM_T_UNSET_B}0",
            AddrOpts::BIND,
        );
        assert_eq!(a.map(|a| a.port).ok(), Some(80));
        let e = parse_address("${TANDEM_T_UNSET_A}", AddrOpts::default())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.msg,
            "'${TANDEM_T_UNSET_A}' resolves to an empty address (environment variable missing?)"
        );
    }

    fn ms(s: &str) -> Result<u32, TimeError> {
        parse_time(s, TimeUnit::Ms).map(|t| t.value)
    }

    #[test]
    fn time_units() {
        assert_eq!(ms("0"), Ok(0));
        assert_eq!(ms("50"), Ok(50));
        assert_eq!(ms("50ms"), Ok(50));
        assert_eq!(ms("2s"), Ok(2000));
        assert_eq!(ms("5m"), Ok(300_000));
        assert_eq!(ms("1h"), Ok(3_600_000));
        assert_eq!(ms("1d"), Ok(86_400_000));
        // rounded up: HAProxy 2.6.12 accepts `timeout client-fin 1us`
        assert_eq!(ms("1us"), Ok(1));
        assert_eq!(ms("0us"), Ok(0));
        assert_eq!(ms("1500us"), Ok(2));
        assert_eq!(parse_time("90s", TimeUnit::S).map(|t| t.value), Ok(90));
        assert_eq!(parse_time("1m", TimeUnit::S).map(|t| t.value), Ok(60));
        assert_eq!(parse_time("1ms", TimeUnit::S).map(|t| t.value), Ok(1));
        assert_eq!(parse_time("2", TimeUnit::S).map(|t| t.value), Ok(2));
    }

    #[test]
    fn time_errors_as_haproxy() {
        // HAProxy 2.6.12: `timeout client 10x` -> unexpected character 'x' in 'timeout client'
        assert_eq!(ms("10x"), Err(TimeError::UnexpectedChar('x')));
        assert_eq!(ms("-1"), Err(TimeError::UnexpectedChar('-')));
        assert_eq!(ms("1.5s"), Err(TimeError::UnexpectedChar('.')));
        assert_eq!(ms("10S"), Err(TimeError::UnexpectedChar('S')));
        assert_eq!(ms("1u"), Err(TimeError::UnexpectedChar('u')));
        assert_eq!(ms("abc"), Err(TimeError::UnexpectedChar('a')));
        assert_eq!(ms(""), Err(TimeError::Empty));
        // boundaries measured with HAProxy 2.6.12
        assert_eq!(ms("2147483647"), Ok(2147483647));
        assert_eq!(ms("2147483648"), Err(TimeError::Overflow));
        assert_eq!(ms("2147483s"), Ok(2147483000));
        assert_eq!(ms("2147484s"), Err(TimeError::Overflow));
        assert_eq!(ms("24d"), Ok(24 * 86_400_000));
        assert_eq!(ms("25d"), Err(TimeError::Overflow));
        assert_eq!(ms("99999999999999999999999"), Err(TimeError::Overflow));
        assert_eq!(ms("18446744073709551615"), Err(TimeError::Overflow));
        // wraps to 1 in 64 bits; HAProxy 2.6.12 accepts it
        assert_eq!(ms("18446744073709551617"), Ok(1));
    }

    #[test]
    fn time_messages() {
        // HAProxy 2.6.12 output after `parsing [F:L] : `
        assert_eq!(
            TimeError::Overflow.timeout_message("25d", "timeout client"),
            "timer overflow in argument '25d' to 'timeout client' (maximum value is 2147483647 ms or ~24.8 days)"
        );
        assert_eq!(
            TimeError::UnexpectedChar('x').timeout_message("10x", "timeout http-request"),
            "unexpected character 'x' in 'timeout http-request'"
        );
        assert_eq!(
            TimeError::Empty.timeout_message("", "timeout client"),
            "'timeout client' expects an integer value (in milliseconds)"
        );
    }

    #[test]
    fn time_trailing_junk_warns() {
        let t = parse_time("5msx", TimeUnit::Ms).unwrap();
        assert_eq!(t.value, 5);
        // HAProxy 2.6.12's warning (printed without a parsing [F:L] prefix)
        assert_eq!(
            t.warning.as_deref(),
            Some(
                "unexpected character 'x' after the timer value '5msx', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions."
            )
        );
        let t = parse_time("1uss", TimeUnit::Ms).unwrap();
        assert_eq!(t.value, 1);
        assert!(
            t.warning
                .unwrap()
                .starts_with("unexpected character 's' after the timer value '1uss'")
        );
        assert_eq!(parse_time("1mx", TimeUnit::Ms).unwrap().value, 60_000);
        assert_eq!(parse_time("5s", TimeUnit::Ms).unwrap().warning, None);
    }

    #[test]
    fn did_you_mean_as_haproxy() {
        // HAProxy 2.6.12: `bind :81 foo` -> did you mean 'tfo'; `chek` -> no bind suggestion
        let bind = [
            "accept-proxy",
            "tfo",
            "transparent",
            "v4v6",
            "v6only",
            "name",
            "ssl",
        ];
        assert_eq!(best_match("foo", bind), Some("tfo"));
        assert_eq!(best_match("chek", bind), None);
        assert_eq!(
            best_match("chek", ["check", "backup", "cookie"]),
            Some("check")
        );
        assert_eq!(best_match("zzzzzzzzzzzzz", ["check", "backup"]), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("16k"), Ok(16384));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("3g"), Ok(3 << 30));
        assert_eq!(parse_size("4g"), Err(SizeError { ch: Some('g') }));
        assert_eq!(parse_size("4294967295"), Ok(u32::MAX));
        assert_eq!(parse_size("4294967296"), Err(SizeError { ch: Some('6') }));
        assert_eq!(parse_size("1kb"), Err(SizeError { ch: Some('b') }));
        assert_eq!(parse_size("x"), Err(SizeError { ch: Some('x') }));
        assert_eq!(parse_size(""), Err(SizeError { ch: None }));
        assert_eq!(parse_size("10t"), Err(SizeError { ch: Some('t') }));
    }

    #[test]
    fn c_integers() {
        assert_eq!(atoi("8x"), 8);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi(" -12"), -12);
        assert_eq!(atoi("+7"), 7);
        assert_eq!(atol("99999999999999999999"), i64::MAX);
        assert_eq!(atoi("99999999999999999999"), -1);
        assert_eq!(parse_uint("12"), Some(12));
        assert_eq!(parse_uint("1x"), None);
        assert_eq!(parse_uint(""), None);
    }

    fn bind_err(s: &str) -> String {
        parse_address(s, AddrOpts::BIND).unwrap_err().msg
    }

    fn server_err(s: &str) -> String {
        parse_address(s, AddrOpts::SERVER).unwrap_err().msg
    }

    #[test]
    fn bind_addresses_ok() {
        let a = parse_address("*:80", AddrOpts::BIND).unwrap();
        assert_eq!(a.family, AddrFamily::Ipv4);
        assert_eq!(a.ip, Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert_eq!((a.port, a.port_low, a.port_high), (80, 80, 80));
        let a = parse_address(":80", AddrOpts::BIND).unwrap();
        assert_eq!(a.ip, Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        let a = parse_address("*:81-85", AddrOpts::BIND).unwrap();
        assert_eq!((a.port_low, a.port_high), (81, 85));
        let a = parse_address(":::82", AddrOpts::BIND).unwrap();
        assert_eq!(a.ip, Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
        let a = parse_address("ipv6@:::82", AddrOpts::BIND).unwrap();
        assert_eq!(a.family, AddrFamily::Ipv6);
        let a = parse_address("[::1]:80", AddrOpts::BIND).unwrap();
        assert_eq!(a.ip, Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        let a = parse_address("::1:80", AddrOpts::BIND).unwrap();
        assert_eq!(a.ip, Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        let a = parse_address("unix@/tmp/x.sock", AddrOpts::BIND).unwrap();
        assert_eq!(a.family, AddrFamily::Unix);
        assert_eq!(a.host, "/tmp/x.sock");
        let a = parse_address("/tmp/x.sock", AddrOpts::BIND).unwrap();
        assert_eq!(a.family, AddrFamily::Unix);
        assert_eq!(
            parse_address("abns@foo", AddrOpts::BIND).unwrap().family,
            AddrFamily::Abns
        );
        assert!(parse_address("tcp@1.2.3.4:80", AddrOpts::BIND).is_ok());
        assert!(parse_address("stream+ipv4@1.2.3.4:81", AddrOpts::BIND).is_ok());
        // atoi: HAProxy 2.6.12 accepts `bind 1.2.3.4:8x` as port 8
        assert_eq!(parse_address("1.2.3.4:8x", AddrOpts::BIND).unwrap().port, 8);
        assert_eq!(parse_address("1.2.3.4:08", AddrOpts::BIND).unwrap().port, 8);
        let l = parse_address_list("1.2.3.4:80,5.6.7.8:81", AddrOpts::BIND).unwrap();
        assert_eq!(l.len(), 2);
        // /etc/hosts only, no network
        let a = parse_address("localhost:9999", AddrOpts::BIND).unwrap();
        assert!(a.ip.is_some_and(|ip| ip.is_loopback()));
    }

    #[test]
    fn bind_address_errors_as_haproxy() {
        // Texts printed by HAProxy 2.6.12 after `parsing [F:L] : 'bind' : `
        assert_eq!(
            bind_err("127.0.0.1"),
            "missing port specification in '127.0.0.1'"
        );
        assert_eq!(
            bind_err("1.2.3.4:"),
            "missing port specification in '1.2.3.4:'"
        );
        assert_eq!(bind_err("[::1]"), "missing port specification in '[::1]'");
        assert_eq!(bind_err("1.2.3.4:99999"), "invalid port '99999'");
        assert_eq!(bind_err("1.2.3.4:0"), "invalid port '0'");
        assert_eq!(bind_err("1.2.3.4:80-"), "invalid port ''");
        assert_eq!(bind_err("1.2.3.4:85-80"), "invalid port range '85-80'");
        assert_eq!(bind_err("1.2.3.4:80-9x"), "invalid port range '80-9'");
        assert_eq!(
            bind_err("1.2.3.4:x"),
            "invalid character 'x' in port number 'x' in '1.2.3.4:x'"
        );
        assert_eq!(
            bind_err("1.2.3.4:-1"),
            "port offset not permitted here in '1.2.3.4:-1'"
        );
        assert_eq!(
            bind_err("1.2.3.4:+5"),
            "port offset not permitted here in '1.2.3.4:+5'"
        );
        assert_eq!(bind_err("::1"), "invalid address: ':' in '::1'");
        assert_eq!(
            bind_err("256.1.1.1:80"),
            "invalid address: '256.1.1.1' in '256.1.1.1:80'"
        );
        assert_eq!(
            bind_err("ipv4@::1:80"),
            "invalid address: '::1' in 'ipv4@::1:80'"
        );
        assert_eq!(
            bind_err("ipv6@1.2.3.4:80"),
            "invalid address: '1.2.3.4' in 'ipv6@1.2.3.4:80'"
        );
        assert_eq!(
            bind_err("tcp4@::1:80"),
            "invalid address: '::1' in 'tcp4@::1:80'"
        );
        assert_eq!(
            bind_err("udp@1.2.3.4:82"),
            "dgram-type address not acceptable in 'udp@1.2.3.4:82'"
        );
        assert_eq!(
            bind_err("dgram+ipv4@1.2.3.4:80"),
            "dgram-type address not acceptable in 'dgram+ipv4@1.2.3.4:80'"
        );
        assert_eq!(
            bind_err("quic4@1.2.3.4:443"),
            "unsupported stream protocol for datagram family 2 address 'quic4@1.2.3.4:443'; QUIC is not compiled in if this is what you were looking for."
        );
        assert_eq!(
            bind_err("quic6@:::80"),
            "unsupported stream protocol for datagram family 10 address 'quic6@:::80'; QUIC is not compiled in if this is what you were looking for."
        );
        assert_eq!(
            bind_err("fd@x"),
            "file descriptor 'x' is not a valid integer in 'fd@x'"
        );
        assert_eq!(
            bind_err("fd@99999"),
            "cannot use file descriptor '99999' : Bad file descriptor."
        );
    }

    #[test]
    fn server_addresses() {
        let a = parse_address("127.0.0.1", AddrOpts::SERVER).unwrap();
        assert_eq!(a.port, 0);
        let a = parse_address("1.2.3.4:+1", AddrOpts::SERVER).unwrap();
        assert_eq!(a.port, 1);
        let a = parse_address("1.2.3.4:-5", AddrOpts::SERVER).unwrap();
        assert_eq!(a.port, -5);
        let a = parse_address("nosuchhost.invalid:80", AddrOpts::SERVER).unwrap();
        assert_eq!(a.fqdn.as_deref(), Some("nosuchhost.invalid"));
        assert_eq!(a.ip, None);
        // Texts printed by HAProxy 2.6.12 after `[F:L] : 'server be/sN' : `
        assert_eq!(server_err("1.2.3.4:99999"), "invalid port '99999'");
        assert_eq!(
            server_err("1.2.3.4:80-81"),
            "port range not permitted here in '1.2.3.4:80-81'"
        );
        assert_eq!(
            server_err("fd@3"),
            "a file descriptor is not acceptable here in 'fd@3'"
        );
        assert_eq!(
            server_err("sockpair@99999"),
            "cannot use file descriptor '99999' : Bad file descriptor."
        );
        let e = parse_address("1.2.3.4:x", AddrOpts::SERVER).unwrap_err();
        assert!(e.newline, "HAProxy prints an empty line after this one");
    }
}
