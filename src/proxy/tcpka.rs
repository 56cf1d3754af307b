//! TCP keepalive on client and server connections: `option tcpka|clitcpka|srvtcpka` and
//! `clitcpka-idle|intvl|cnt`, `srvtcpka-idle|intvl|cnt`, as HAProxy 2.6 sets SO_KEEPALIVE,
//! TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT (unset values keep the system's
//! `net.ipv4.tcp_keepalive_*`).
//!
//! `option tcpka` means both sides: the client side when the proxy is a frontend, the
//! server side when it is a backend. The times default to seconds.

use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};

use crate::config::haproxy::values::{TimeUnit, parse_time};
use crate::ir::haproxy::ProxySettings;

/// What to set on one side's sockets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keepalive {
    pub idle: Option<Duration>,
    pub intvl: Option<Duration>,
    pub cnt: Option<u32>,
}

fn enabled(s: &ProxySettings, side: &str) -> bool {
    // the last line naming either option decides, as HAProxy's flag updates do
    s.options
        .iter()
        .rev()
        .find(|o| o.name == side || o.name == "tcpka")
        .is_some_and(|o| o.enabled)
}

fn time(s: &ProxySettings, kw: &str) -> Option<Duration> {
    let d = s.other.iter().rev().find(|d| d.keyword == kw)?;
    let v = parse_time(d.args.first()?, TimeUnit::S).ok()?;
    Some(Duration::from_secs(u64::from(v.value)))
}

/// `kws`: the option and its three timer keywords (static: this runs per connection).
fn side(s: &ProxySettings, kws: [&str; 4]) -> Option<Keepalive> {
    let [opt, idle, intvl, cnt] = kws;
    if !enabled(s, opt) {
        return None;
    }
    Some(Keepalive {
        idle: time(s, idle),
        intvl: time(s, intvl),
        cnt: s
            .other
            .iter()
            .rev()
            .find(|d| d.keyword == cnt)
            .and_then(|d| d.args.first()?.parse().ok()),
    })
}

/// A frontend's client-side settings (`option clitcpka` or `tcpka`).
pub fn client_side(s: &ProxySettings) -> Option<Keepalive> {
    side(
        s,
        [
            "clitcpka",
            "clitcpka-idle",
            "clitcpka-intvl",
            "clitcpka-cnt",
        ],
    )
}

/// A backend's server-side settings (`option srvtcpka` or `tcpka`).
pub fn server_side(s: &ProxySettings) -> Option<Keepalive> {
    side(
        s,
        [
            "srvtcpka",
            "srvtcpka-idle",
            "srvtcpka-intvl",
            "srvtcpka-cnt",
        ],
    )
}

/// Sets SO_KEEPALIVE and the given timers on a connected socket. Failures are ignored,
/// as HAProxy ignores them (the connection works without keepalive).
pub fn apply(sock: SockRef<'_>, ka: &Keepalive) {
    let mut k = TcpKeepalive::new();
    if let Some(d) = ka.idle {
        k = k.with_time(d);
    }
    if let Some(d) = ka.intvl {
        k = k.with_interval(d);
    }
    if let Some(n) = ka.cnt {
        k = k.with_retries(n);
    }
    let _ = sock.set_tcp_keepalive(&k);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::haproxy::{Directive, ProxyOption};

    fn opt(name: &str, enabled: bool) -> ProxyOption {
        ProxyOption {
            span: Default::default(),
            name: name.into(),
            enabled,
            args: Vec::new(),
        }
    }

    fn dir(kw: &str, v: &str) -> Directive {
        Directive {
            span: Default::default(),
            keyword: kw.into(),
            args: vec![v.into()],
        }
    }

    #[test]
    fn options_and_timers() {
        let mut s = ProxySettings::default();
        assert_eq!(client_side(&s), None);
        s.options.push(opt("tcpka", true));
        s.other.push(dir("clitcpka-idle", "30"));
        s.other.push(dir("clitcpka-intvl", "1m"));
        s.other.push(dir("clitcpka-cnt", "4"));
        assert_eq!(
            client_side(&s),
            Some(Keepalive {
                idle: Some(Duration::from_secs(30)),
                intvl: Some(Duration::from_secs(60)),
                cnt: Some(4),
            })
        );
        assert_eq!(server_side(&s), Some(Keepalive::default()));
        s.options.push(opt("srvtcpka", false));
        assert_eq!(server_side(&s), None);
        assert!(client_side(&s).is_some());
    }

    #[test]
    fn applied_to_a_real_socket() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let c = std::net::TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
        let ka = Keepalive {
            idle: Some(Duration::from_secs(42)),
            intvl: Some(Duration::from_secs(7)),
            cnt: Some(3),
        };
        apply(SockRef::from(&c), &ka);
        let r = SockRef::from(&c);
        assert!(r.keepalive().expect("SO_KEEPALIVE"));
        assert_eq!(
            r.tcp_keepalive_time().expect("idle"),
            Duration::from_secs(42)
        );
        assert_eq!(
            r.tcp_keepalive_interval().expect("intvl"),
            Duration::from_secs(7)
        );
        assert_eq!(r.tcp_keepalive_retries().expect("cnt"), 3);
    }
}
