//! `tandem check`'s checks of the pair: haproxy.cfg against keepalived.conf
//! on one node ([`bind_checks`]), and one node against the other
//! ([`peer_keepalived`], [`peer_haproxy`]). Each finding is a
//! `FILE:LINE: level: message` line, as the rest of `tandem check` prints.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::config::haproxy::lexer::{self, Item};
use crate::ir::keepalived::{Config, State, VrrpInstance};

use super::check::{Bind, Vip, bind_ip};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// `file:line`, or a file name, or a dialect when nothing better exists.
    pub at: String,
    pub text: String,
}

impl Finding {
    fn new(level: Level, at: impl Into<String>, text: impl Into<String>) -> Finding {
        Finding {
            level,
            at: at.into(),
            text: text.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        writeln!(f, "{}: {l}: {}", self.at, self.text)
    }
}

/// The addresses of this machine: IPv4 from /proc/net/fib_trie (the
/// `/32 host LOCAL` entries), IPv6 from /proc/net/if_inet6. Empty when
/// /proc is not readable (then only loopback counts as local).
pub fn machine_addrs() -> Vec<IpAddr> {
    let mut v = std::fs::read_to_string("/proc/net/fib_trie")
        .map(|t| fib_trie_locals(&t))
        .unwrap_or_default();
    if let Ok(t) = std::fs::read_to_string("/proc/net/if_inet6") {
        v.extend(if_inet6_addrs(&t));
    }
    v.sort();
    v.dedup();
    v
}

/// `|-- 10.0.0.5` followed by `/32 host LOCAL` marks a local address.
pub fn fib_trie_locals(text: &str) -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut last: Option<IpAddr> = None;
    for l in text.lines() {
        let t = l.trim_start();
        if let Some(a) = t.strip_prefix("|-- ") {
            last = a.trim().parse().ok();
        } else if t.starts_with("/32 host LOCAL")
            && let Some(a) = last
            && !out.contains(&a)
        {
            out.push(a);
        }
    }
    out
}

/// The first column of each line: 32 hex digits.
pub fn if_inet6_addrs(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|l| {
            let hex = l.split_whitespace().next()?;
            let n = u128::from_str_radix(hex, 16).ok()?;
            (hex.len() == 32).then(|| IpAddr::V6(n.into()))
        })
        .collect()
}

fn is_loopback(a: IpAddr) -> bool {
    // Linux accepts a bind on any 127.0.0.0/8 address (lo carries the /8).
    a.is_loopback()
}

/// Every literal bind address is a VIP or an address of the node; binds
/// on VIPs need non-local binding on the node that is BACKUP.
pub fn bind_checks(binds: &[Bind], vips: &[Vip], node: &[IpAddr]) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in binds {
        let at = format!("{}:{}", b.file, b.line);
        if let Some(v) = vips.iter().find(|v| v.addr == b.addr) {
            let sysctl = if b.addr.is_ipv4() {
                "net.ipv4.ip_nonlocal_bind=1"
            } else {
                "net.ipv6.ip_nonlocal_bind=1"
            };
            let how = if b.nonlocal_ok {
                "the bind line's freebind/transparent option lets real HAProxy bind it on the \
                 BACKUP node too"
                    .to_string()
            } else {
                format!(
                    "present only on the MASTER: tandem binds it with IP_FREEBIND; real HAProxy \
                     needs {sysctl} (or 'freebind' on the bind line) to start on the BACKUP node"
                )
            };
            out.push(Finding::new(
                Level::Note,
                at,
                format!(
                    "bind address {} is a keepalived virtual address ({}, {}:{}); {how}",
                    b.addr, v.owner, v.file, v.line
                ),
            ));
        } else if is_loopback(b.addr) || node.contains(&b.addr) {
            out.push(Finding::new(
                Level::Note,
                at,
                format!("bind address {} is an address of this node", b.addr),
            ));
        } else {
            let (level, tail) = if b.nonlocal_ok {
                (
                    Level::Warning,
                    "freebind/transparent lets the bind succeed, but no traffic reaches it \
                     unless something routes it here",
                )
            } else {
                (
                    Level::Error,
                    "the proxy cannot listen on it (real HAProxy: 'cannot bind socket'); when \
                     checking for another machine, give its addresses with --node-addr",
                )
            };
            out.push(Finding::new(
                level,
                at,
                format!(
                    "bind address {} is neither a keepalived virtual address nor an address of \
                     this node: {tail}",
                    b.addr
                ),
            ));
        }
    }
    out
}

/// The other node's files in OTHER_NODE_DIR: directly inside, under
/// haproxy/ and keepalived/, or under etc/haproxy and etc/keepalived.
pub fn peer_files(dir: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
    let find = |name: &str, sub: &str| {
        [
            dir.join(name),
            dir.join(sub).join(name),
            dir.join("etc").join(sub).join(name),
        ]
        .into_iter()
        .find(|p| p.is_file())
    };
    (
        find("haproxy.cfg", "haproxy"),
        find("keepalived.conf", "keepalived"),
    )
}

/// The line of `keyword` inside the block that starts at `start` (the
/// instance's line), for pointing at the differing line rather than at
/// the block. Falls back to `start`.
fn keyword_line(cache: &mut HashMap<String, Vec<String>>, file: &str, start: u32, kw: &str) -> u32 {
    let lines = cache
        .entry(file.to_string())
        .or_insert_with(|| {
            std::fs::read_to_string(file)
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default()
        })
        .clone();
    let mut depth = 0i32;
    for (i, l) in lines
        .iter()
        .enumerate()
        .skip(start.saturating_sub(1) as usize)
    {
        let code = l.split(['#', '!']).next().unwrap_or("");
        if depth >= 1 && code.split_whitespace().next() == Some(kw) {
            return u32::try_from(i + 1).unwrap_or(start);
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        if depth <= 0 && i + 1 > start as usize {
            break;
        }
    }
    start
}

fn vips_of(i: &VrrpInstance) -> Vec<String> {
    let mut v: Vec<String> = i
        .virtual_ipaddress
        .iter()
        .map(|a| format!("{}/{}", a.addr, a.prefix))
        .collect();
    v.sort();
    v
}

fn auth_of(i: &VrrpInstance) -> String {
    match &i.authentication {
        None => "none".to_string(),
        Some(a) => format!(
            "{} {}",
            a.auth_type
                .map_or("none".to_string(), |t| format!("{t:?}").to_uppercase()),
            a.auth_pass.as_deref().unwrap_or("")
        ),
    }
}

/// The names of the scripts an instance tracks, sorted.
fn tracked(i: &VrrpInstance) -> Vec<&str> {
    let mut v: Vec<&str> = i.track_script.iter().map(|t| t.name.as_str()).collect();
    v.sort_unstable();
    v
}

fn state_name(s: State) -> &'static str {
    match s {
        State::Master => "MASTER",
        State::Backup => "BACKUP",
    }
}

/// This node's keepalived configs against the peer's: the same instances,
/// VRIDs, VIPs, authentication and advert_int; different priorities; not
/// both MASTER; unicast peers pointing at each other.
pub fn peer_keepalived(this: &[Config], other: &[Config]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut cache = HashMap::new();
    let ours: Vec<&VrrpInstance> = this.iter().flat_map(|c| &c.vrrp_instances).collect();
    let theirs: Vec<&VrrpInstance> = other.iter().flat_map(|c| &c.vrrp_instances).collect();
    let at = |i: &VrrpInstance| format!("{}:{}", i.src.file, i.src.line);
    let mut matched = Vec::new();
    for a in &ours {
        // By name, else by VRID (the name is local to each file).
        let b = theirs.iter().find(|b| b.name == a.name).or_else(|| {
            theirs.iter().find(|b| {
                b.virtual_router_id.is_some()
                    && b.virtual_router_id == a.virtual_router_id
                    && !ours.iter().any(|o| o.name == b.name)
            })
        });
        let Some(b) = b else {
            out.push(Finding::new(
                Level::Error,
                at(a),
                format!("vrrp_instance {} has no counterpart on the peer", a.name),
            ));
            continue;
        };
        matched.push(b.name.clone());
        let mut kw_at = |i: &VrrpInstance, kw: &str| {
            format!(
                "{}:{}",
                i.src.file,
                keyword_line(&mut cache, &i.src.file, i.src.line, kw)
            )
        };
        let name = &a.name;
        let mut differ = |kw: &str, mine: String, peer: String, out: &mut Vec<Finding>| {
            if mine != peer {
                let here = kw_at(a, kw);
                let there = kw_at(b, kw);
                out.push(Finding::new(
                    Level::Error,
                    here,
                    format!(
                        "vrrp_instance {name}: {kw} is {mine} here but {peer} on the peer \
                         ({there}); both nodes must agree"
                    ),
                ));
            }
        };
        let vrid = |i: &VrrpInstance| {
            i.virtual_router_id
                .map_or("unset".to_string(), |v| v.to_string())
        };
        differ("virtual_router_id", vrid(a), vrid(b), &mut out);
        differ(
            "virtual_ipaddress",
            format!("[{}]", vips_of(a).join(" ")),
            format!("[{}]", vips_of(b).join(" ")),
            &mut out,
        );
        differ("authentication", auth_of(a), auth_of(b), &mut out);
        differ(
            "advert_int",
            a.advert_int.to_string(),
            b.advert_int.to_string(),
            &mut out,
        );
        differ(
            "version",
            a.version.map_or("default".into(), |v| v.to_string()),
            b.version.map_or("default".into(), |v| v.to_string()),
            &mut out,
        );
        if a.priority == b.priority {
            out.push(Finding::new(
                Level::Error,
                kw_at(a, "priority"),
                format!(
                    "vrrp_instance {name}: priority {} on both nodes ({}): give the intended \
                     MASTER the higher priority, or the election falls back to comparing \
                     addresses",
                    a.priority,
                    kw_at(b, "priority")
                ),
            ));
        }
        if a.state == State::Master && b.state == State::Master {
            out.push(Finding::new(
                Level::Error,
                kw_at(a, "state"),
                format!(
                    "vrrp_instance {name}: state MASTER on both nodes ({}): set the other one \
                     to BACKUP",
                    kw_at(b, "state")
                ),
            ));
        } else if a.state != b.state {
            let (m, bk) = if a.state == State::Master {
                (a, b)
            } else {
                (b, a)
            };
            if m.priority < bk.priority {
                out.push(Finding::new(
                    Level::Warning,
                    kw_at(a, "priority"),
                    format!(
                        "vrrp_instance {name}: the {} node has the lower priority ({} < {}); \
                         the other node takes the virtual addresses over at start",
                        state_name(m.state),
                        m.priority,
                        bk.priority
                    ),
                ));
            }
        }
        // Tracking that differs makes the nodes fail over for different
        // reasons: allowed, but worth a look.
        if tracked(a) != tracked(b) {
            out.push(Finding::new(
                Level::Warning,
                kw_at(a, "track_script"),
                format!(
                    "vrrp_instance {name}: track_script [{}] here, [{}] on the peer ({})",
                    tracked(a).join(" "),
                    tracked(b).join(" "),
                    at(b)
                ),
            ));
        }
        // Unicast: each side's peers must name the other side's source.
        match (a.unicast_peer.is_empty(), b.unicast_peer.is_empty()) {
            (true, true) => {}
            (false, false) => {
                for (x, y) in [(*a, *b), (*b, *a)] {
                    if let Some(src) = &y.unicast_src_ip
                        && !x.unicast_peer.iter().any(|p| p == src)
                    {
                        out.push(Finding::new(
                            Level::Error,
                            kw_at(x, "unicast_peer"),
                            format!(
                                "vrrp_instance {name}: unicast_peer does not list {src}, the \
                                 other node's unicast_src_ip ({})",
                                kw_at(y, "unicast_src_ip")
                            ),
                        ));
                    }
                }
            }
            _ => {
                let (u, m) = if a.unicast_peer.is_empty() {
                    (b, a)
                } else {
                    (a, b)
                };
                out.push(Finding::new(
                    Level::Error,
                    kw_at(u, "unicast_peer"),
                    format!(
                        "vrrp_instance {name}: unicast here, multicast at {}: the nodes would \
                         not hear each other",
                        at(m)
                    ),
                ));
            }
        }
    }
    for b in &theirs {
        if !matched.contains(&b.name) {
            out.push(Finding::new(
                Level::Error,
                at(b),
                format!(
                    "vrrp_instance {} of the peer has no counterpart on this node",
                    b.name
                ),
            ));
        }
    }
    out
}

/// Global keywords whose value is the node's own.
const NODE_LOCAL: &[&str] = &["node", "description", "localpeer", "pidfile", "hostname"];

/// One logical haproxy.cfg line.
#[derive(Debug, Clone)]
struct Line {
    file: String,
    line: u32,
    args: Vec<String>,
}

fn logical_lines(files: &[PathBuf]) -> Vec<Line> {
    let mut out = Vec::new();
    for f in files {
        let Ok(content) = std::fs::read(f) else {
            continue;
        };
        let name = f.to_string_lossy();
        for item in lexer::lex_file(&name, &content) {
            if let Item::Line(l) = item {
                out.push(Line {
                    file: l.file.to_string(),
                    line: l.line,
                    args: l.args.iter().map(|a| a.to_string()).collect(),
                });
            }
        }
    }
    out
}

/// The line with every literal address replaced by a placeholder: two
/// lines equal after masking differ only in a node's own address.
fn masked(args: &[String]) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.split(',')
                .map(|p| match bind_ip(p).or_else(|| p.parse::<IpAddr>().ok()) {
                    Some(ip) => p.replace(&ip.to_string(), "<addr>"),
                    None => p.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

fn node_local(l: &Line) -> bool {
    l.args
        .first()
        .is_some_and(|k| NODE_LOCAL.contains(&k.as_str()))
}

/// Longest common subsequence alignment of two line lists (by `args`):
/// pairs of indexes that match, in order.
fn align(a: &[Line], b: &[Line]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // Configs have hundreds of lines, not millions; past this size compare
    // position by position rather than spend quadratic memory.
    if n.saturating_mul(m) > 4_000_000 {
        return (0..n.min(m))
            .filter(|&i| a[i].args == b[i].args)
            .map(|i| (i, i))
            .collect();
    }
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if a[i].args == b[j].args {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i].args == b[j].args {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// This node's haproxy.cfg against the peer's: identical logical lines
/// (comments and layout do not matter) apart from node-local ones.
pub fn peer_haproxy(this: &[PathBuf], other: &[PathBuf]) -> Vec<Finding> {
    let a = logical_lines(this);
    let b = logical_lines(other);
    let mut out = Vec::new();
    let pairs = align(&a, &b);
    let (mut i, mut j) = (0usize, 0usize);
    let hunk = |ai: &[Line], bj: &[Line], out: &mut Vec<Finding>| {
        // Pair the hunk's lines up in order; the rest are one-sided.
        let k = ai.len().max(bj.len());
        for x in 0..k {
            match (ai.get(x), bj.get(x)) {
                (Some(l), Some(r)) => {
                    let same_kw = l.args.first() == r.args.first();
                    if same_kw && (node_local(l) || masked(&l.args) == masked(&r.args)) {
                        out.push(Finding::new(
                            Level::Note,
                            format!("{}:{}", l.file, l.line),
                            format!(
                                "node-local difference with the peer ({}:{}): '{}' here, '{}' \
                                 there",
                                r.file,
                                r.line,
                                l.args.join(" "),
                                r.args.join(" ")
                            ),
                        ));
                    } else {
                        out.push(Finding::new(
                            Level::Error,
                            format!("{}:{}", l.file, l.line),
                            format!(
                                "haproxy.cfg differs from the peer's ({}:{}): '{}' here, '{}' \
                                 there",
                                r.file,
                                r.line,
                                l.args.join(" "),
                                r.args.join(" ")
                            ),
                        ));
                    }
                }
                (Some(l), None) => out.push(Finding::new(
                    if node_local(l) {
                        Level::Note
                    } else {
                        Level::Error
                    },
                    format!("{}:{}", l.file, l.line),
                    format!("'{}' is not in the peer's haproxy.cfg", l.args.join(" ")),
                )),
                (None, Some(r)) => out.push(Finding::new(
                    if node_local(r) {
                        Level::Note
                    } else {
                        Level::Error
                    },
                    format!("{}:{}", r.file, r.line),
                    format!(
                        "the peer has '{}', which this node's haproxy.cfg lacks",
                        r.args.join(" ")
                    ),
                )),
                (None, None) => {}
            }
        }
    };
    for (pi, pj) in pairs.into_iter().chain(std::iter::once((a.len(), b.len()))) {
        hunk(&a[i..pi], &b[j..pj], &mut out);
        i = pi + 1;
        j = pj + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn proc_parsers() {
        // Shapes of Linux 6.x /proc/net/fib_trie and /proc/net/if_inet6.
        let fib = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n\
                   \x20    |-- 192.0.2.0\n        /24 link UNICAST\n     |-- 192.0.2.2\n\
                   \x20       /32 host LOCAL\n     |-- 192.0.2.255\n        /32 link BROADCAST\n\
                   Local:\n     |-- 192.0.2.2\n        /32 host LOCAL\n";
        assert_eq!(fib_trie_locals(fib), vec![ip("192.0.2.2")]);
        let v6 = "fd000000000000000000000000000002 02 40 00 80     eth0\n\
                  00000000000000000000000000000001 01 80 10 80       lo\n";
        assert_eq!(if_inet6_addrs(v6), vec![ip("fd00::2"), ip("::1")]);
    }

    fn bind(addr: &str, line: u32, nonlocal_ok: bool) -> Bind {
        Bind {
            file: "h.cfg".into(),
            line,
            addr: ip(addr),
            nonlocal_ok,
        }
    }

    #[test]
    fn binds_are_vips_or_local_or_errors() {
        let vips = [Vip {
            addr: ip("192.168.1.100"),
            owner: "vrrp_instance VI_1".into(),
            file: "k.conf".into(),
            line: 21,
        }];
        let node = [ip("192.0.2.2")];
        let f = bind_checks(
            &[
                bind("192.168.1.100", 27, false),
                bind("192.168.1.100", 28, true),
                bind("192.0.2.2", 29, false),
                bind("127.0.0.5", 30, false),
                bind("10.9.9.9", 31, false),
                bind("10.9.9.9", 32, true),
            ],
            &vips,
            &node,
        );
        let s: Vec<String> = f.iter().map(ToString::to_string).collect();
        assert_eq!(
            s[0],
            "h.cfg:27: note: bind address 192.168.1.100 is a keepalived virtual address \
             (vrrp_instance VI_1, k.conf:21); present only on the MASTER: tandem binds it with \
             IP_FREEBIND; real HAProxy needs net.ipv4.ip_nonlocal_bind=1 (or 'freebind' on the \
             bind line) to start on the BACKUP node\n"
        );
        assert!(s[1].contains("freebind/transparent option lets real HAProxy"));
        assert_eq!(
            s[2],
            "h.cfg:29: note: bind address 192.0.2.2 is an address of this node\n"
        );
        assert!(s[3].starts_with("h.cfg:30: note: bind address 127.0.0.5 is an address"));
        assert!(s[4].starts_with("h.cfg:31: error: bind address 10.9.9.9 is neither"));
        assert!(s[5].starts_with("h.cfg:32: warning: "));
        let v6 = bind_checks(
            &[bind("2001:db8::1", 3, false)],
            &[Vip {
                addr: ip("2001:db8::1"),
                owner: "vrrp_instance V6".into(),
                file: "k.conf".into(),
                line: 9,
            }],
            &[],
        );
        assert!(v6[0].text.contains("net.ipv6.ip_nonlocal_bind=1"));
    }

    fn instance(name: &str, state: State, prio: u8) -> VrrpInstance {
        VrrpInstance {
            name: name.into(),
            state,
            priority: prio,
            virtual_router_id: Some(51),
            advert_int: 1.0,
            src: crate::ir::keepalived::Src {
                file: "/nonexistent/k.conf".into(),
                line: 3,
            },
            ..Default::default()
        }
    }

    fn config(i: VrrpInstance) -> Config {
        Config {
            vrrp_instances: vec![i],
            ..Default::default()
        }
    }

    #[test]
    fn peer_instances() {
        let m = config(instance("VI_1", State::Master, 100));
        let b = config(instance("VI_1", State::Backup, 90));
        assert!(peer_keepalived(std::slice::from_ref(&m), std::slice::from_ref(&b)).is_empty());
        // Unicast on one side only; names differ but the VRID matches.
        let mut u = instance("VI_X", State::Backup, 90);
        u.unicast_peer = vec!["10.0.0.1".into()];
        let f = peer_keepalived(std::slice::from_ref(&m), &[config(u)]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].text.contains("unicast here, multicast at"), "{f:?}");
        // Another name but the same VRID: the same instance.
        let f = peer_keepalived(
            std::slice::from_ref(&m),
            &[config(instance("VI_2", State::Backup, 90))],
        );
        assert!(f.is_empty(), "{f:?}");
        // Another VRID too: missing on each side.
        let mut other = instance("VI_2", State::Backup, 90);
        other.virtual_router_id = Some(52);
        let f = peer_keepalived(&[m], &[config(other)]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].text.contains("VI_1 has no counterpart on the peer"),
            "{f:?}"
        );
        assert!(
            f[1].text
                .contains("VI_2 of the peer has no counterpart on this node")
        );
        // Lower-priority MASTER: a warning.
        let f = peer_keepalived(&[config(instance("VI_1", State::Master, 80))], &[b]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].level, Level::Warning);
        assert!(
            f[0].text
                .contains("the MASTER node has the lower priority (80 < 90)")
        );
    }

    fn lines(v: &[&str]) -> Vec<Line> {
        v.iter()
            .enumerate()
            .map(|(i, s)| Line {
                file: "a".into(),
                line: i as u32 + 1,
                args: s.split(' ').map(str::to_string).collect(),
            })
            .collect()
    }

    #[test]
    fn alignment_and_masking() {
        let a = lines(&["global", "node lb1", "defaults", "mode http", "x"]);
        let b = lines(&["global", "defaults", "mode http", "y", "x"]);
        assert_eq!(align(&a, &b), vec![(0, 0), (2, 1), (3, 2), (4, 4)]);
        assert_eq!(
            masked(&["bind".into(), "10.0.0.1:80,[::1]:81".into()]),
            vec!["bind", "<addr>:80,[<addr>]:81"]
        );
    }
}
