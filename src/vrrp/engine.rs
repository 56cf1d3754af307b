//! The running VRRP engine: a thin I/O shell around the sans-IO core ([`super::state`]).
//!
//! One tokio current-thread runtime. Per instance: a raw socket (IPv4 or IPv6, protocol 112)
//! bound to the instance's interface (and joined to 224.0.0.18 / ff02::12 there for
//! multicast) whose packets a small reader task forwards to the main loop (IPv4 with its
//! header; IPv6 with the hop limit from IPV6_HOPLIMIT); a second raw socket bound to the
//! instance's source address sends adverts (TTL / hop limit 255, TOS 0xc0 as keepalived, no
//! multicast loopback, so we never hear ourselves). The main loop feeds packets, timer
//! expiries and tracking changes into the core and carries out its actions: adverts, VIPs
//! through rtnetlink, gratuitous ARPs (packet socket) / unsolicited NAs (ICMPv6 socket),
//! notify scripts, log lines in keepalived's words with its console time stamp.
//!
//! Tracking: the instance's interface (unless `dont_track_primary`) and `track_interface`
//! are polled every `LINK_POLL` (carrier down: FAULT, or a weight); `vrrp_script`s run
//! without a shell in their own tasks (interval, timeout, rise, fall, weight, init_fail).
//! SIGTERM / SIGINT: every instance shuts down (a master sends priority 0 and removes its
//! VIPs), exit 0. SIGHUP is logged and ignored (no reload yet).

use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::num::NonZeroU32;
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use thiserror::Error;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::arp::{GarpSender, NaSender};
use super::from_ir::{FromIrError, Plan, ScriptPlan, plan, scripts};
use super::netlink::{AddrSpec, IfAddr, Link, Netlink};
use super::packet::{IPPROTO_VRRP, IpMeta, MCAST_V4, MCAST_V6, VRRP_TTL};
use super::state::{Action, Instance, State};
use crate::ir::keepalived as ir;

/// How the command line asked the engine to run (`keepalived -n -l -D -p F -r F ...`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// `-l`: log to the console (stdout). Without it tandem still logs to stdout: there is
    /// no syslog output yet.
    pub log_console: bool,
    /// `-D`: detailed log (more lines, e.g. every gratuitous ARP).
    pub log_detail: bool,
    /// `-p FILE`: the main pid file.
    pub pid_file: Option<String>,
    /// `-r FILE`: the VRRP child's pid file (tandem has no child: same pid).
    pub vrrp_pid_file: Option<String>,
}

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("{0}")]
    Config(#[from] FromIrError),
    #[error("({name}) {msg}")]
    Instance { name: String, msg: String },
    #[error("interface {0} not found")]
    NoInterface(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> EngineError {
    let what = what.into();
    move |source| EngineError::Io { what, source }
}

struct Log {
    detail: bool,
}

/// keepalived's console time prefix, `Sun Nov 22 00:32:37 2026: ` (ctime layout). Written in
/// UTC: tandem has no time zone database; on the usual UTC servers this is the local time.
fn stamp(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {year}",
        DAYS.get((days % 7) as usize).unwrap_or(&"???"),
        MONTHS.get((month - 1) as usize).unwrap_or(&"???"),
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Log {
    fn line(&self, s: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        println!("{}: {s}", stamp(now));
    }
    fn detail(&self, s: &str) {
        if self.detail {
            self.line(s);
        }
    }
}

/// A received packet: IPv4 with its header (raw IPv4 sockets include it), IPv6 as payload
/// with the facts the socket reported (raw IPv6 sockets never include the header).
enum Rx {
    V4(Vec<u8>),
    V6 {
        src: Ipv6Addr,
        hops: u8,
        payload: Vec<u8>,
    },
}

struct Runner {
    inst: Instance,
    plan: Plan,
    send: Socket,
    ifindex: u32,
    /// Last applied tracking result: (fault, priority delta).
    tracked: (bool, i32),
}

/// Fault and priority delta of an instance from its tracked interfaces' link state
/// (`running` = carrier up; a missing interface counts as down).
fn track_result(plan: &Plan, links: &[Link], scripts: &HashMap<String, bool>) -> (bool, i32) {
    let mut fault = false;
    let mut delta = 0i32;
    for t in &plan.track_scripts {
        let good = scripts.get(&t.name).copied().unwrap_or(true) != t.reverse;
        match t.weight {
            0 => fault |= !good,
            w if (w > 0 && good) || (w < 0 && !good) => delta = delta.saturating_add(w),
            _ => {}
        }
    }
    for t in &plan.track_ifaces {
        let up = links.iter().any(|l| l.name == t.name && l.up && l.running);
        match t.weight {
            None => fault |= !up,
            Some(w) => {
                let up = up != t.reverse;
                if (w > 0 && up) || (w < 0 && !up) {
                    delta = delta.saturating_add(w);
                }
            }
        }
    }
    (fault, delta)
}

/// How often link state is polled for interface tracking (keepalived learns it from netlink
/// notifications; a dump this often costs little and keeps the shell free of multicast
/// netlink groups).
const LINK_POLL: Duration = Duration::from_millis(100);

struct Shell {
    nl: Netlink,
    links: Vec<Link>,
    garp: HashMap<String, GarpSender>,
    na: HashMap<String, NaSender>,
    /// `vrrp_script` name -> currently good (after rise / fall).
    script_ok: HashMap<String, bool>,
    log: Log,
}

/// A `vrrp_script`'s rise / fall bookkeeping.
struct ScriptState {
    plan: ScriptPlan,
    good: bool,
    /// Consecutive results that disagree with `good`.
    streak: u32,
}

impl ScriptState {
    /// Record one result; Some(new state) when it changes.
    fn record(&mut self, ok: bool) -> Option<bool> {
        if ok == self.good {
            self.streak = 0;
            return None;
        }
        self.streak += 1;
        let need = if ok { self.plan.rise } else { self.plan.fall };
        if self.streak >= need {
            self.good = ok;
            self.streak = 0;
            Some(ok)
        } else {
            None
        }
    }
}

/// Run a script once, without a shell, within its timeout; (success, what happened).
async fn run_script(sp: &ScriptPlan) -> (bool, String) {
    let Some((prog, args)) = sp.args.split_first() else {
        return (false, "empty command".into());
    };
    let mut cmd = tokio::process::Command::new(prog);
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return (false, format!("cannot run {prog}: {e}")),
    };
    match tokio::time::timeout(sp.timeout, child.wait()).await {
        Ok(Ok(st)) if st.success() => (true, String::new()),
        Ok(Ok(st)) => (
            false,
            match st.code() {
                Some(c) => format!("exited with status {c}"),
                None => "killed by a signal".into(),
            },
        ),
        Ok(Err(e)) => (false, e.to_string()),
        Err(_) => {
            let _ = child.kill().await;
            (false, "timed out".into())
        }
    }
}

/// One task per script: run it every `interval` and report each result.
fn spawn_script(idx: usize, sp: ScriptPlan, tx: mpsc::UnboundedSender<(usize, bool, String)>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(sp.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (ok, detail) = run_script(&sp).await;
            if tx.send((idx, ok, detail)).is_err() {
                return;
            }
        }
    });
}

impl Shell {
    fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }

    fn set_vips(&mut self, r: &Runner, add: bool) {
        self.log.line(&format!(
            "({}) {} VIPs.",
            r.plan.core.name,
            if add { "setting" } else { "removing" }
        ));
        for v in &r.plan.vips {
            let Some(index) = self.link(&v.dev).map(|l| l.index) else {
                self.log.line(&format!(
                    "({}) cannot find interface {} for {}",
                    r.plan.core.name, v.dev, v.addr
                ));
                continue;
            };
            let spec = AddrSpec {
                index,
                addr: v.addr,
                prefix: v.prefix,
                brd: v.brd,
                label: v.label.clone(),
                scope: v.scope,
            };
            let res = if add {
                self.nl.add_addr(&spec)
            } else {
                self.nl.del_addr(&spec)
            };
            if let Err(e) = res {
                self.log.line(&format!(
                    "({}) cannot {} address {}/{} on {}: {e}",
                    r.plan.core.name,
                    if add { "add" } else { "remove" },
                    v.addr,
                    v.prefix,
                    v.dev
                ));
            }
        }
    }

    fn send_garps(&mut self, r: &Runner, repeat: u32) {
        let name = &r.plan.core.name;
        for v in &r.plan.vips {
            let a = match v.addr {
                IpAddr::V4(a) => a,
                IpAddr::V6(a6) => {
                    self.send_nas(name, &v.dev, a6, repeat);
                    continue;
                }
            };
            if !self.garp.contains_key(&v.dev) {
                let Some((index, mac)) = self.link(&v.dev).map(|l| (l.index, l.mac.clone())) else {
                    continue;
                };
                match GarpSender::open(index, &mac) {
                    Ok(s) => {
                        self.garp.insert(v.dev.clone(), s);
                    }
                    Err(e) => {
                        self.log.line(&format!(
                            "({name}) cannot send gratuitous ARP on {}: {e}",
                            v.dev
                        ));
                        continue;
                    }
                }
            }
            self.log.line(&format!(
                "({name}) Sending/queueing gratuitous ARPs on {} for {a}",
                v.dev
            ));
            for _ in 0..repeat {
                if let Some(s) = self.garp.get(&v.dev) {
                    match s.send(a) {
                        Ok(()) => self
                            .log
                            .detail(&format!("Sending gratuitous ARP on {} for {a}", v.dev)),
                        Err(e) => self.log.line(&format!(
                            "({name}) gratuitous ARP on {} for {a} failed: {e}",
                            v.dev
                        )),
                    }
                }
            }
        }
    }

    fn send_nas(&mut self, name: &str, dev: &str, a: Ipv6Addr, repeat: u32) {
        if !self.na.contains_key(dev) {
            let Some((index, mac)) = self.link(dev).map(|l| (l.index, l.mac.clone())) else {
                return;
            };
            match NaSender::open(index, &mac) {
                Ok(s) => {
                    self.na.insert(dev.to_string(), s);
                }
                Err(e) => {
                    self.log.line(&format!(
                        "({name}) cannot send unsolicited NA on {dev}: {e}"
                    ));
                    return;
                }
            }
        }
        self.log.line(&format!(
            "({name}) Sending/queueing Unsolicited Neighbour Adverts on {dev} for {a}"
        ));
        for _ in 0..repeat {
            if let Some(s) = self.na.get(dev) {
                match s.send(a) {
                    Ok(()) => self.log.detail(&format!(
                        "Sending unsolicited Neighbour Advert on {dev} for {a}"
                    )),
                    Err(e) => self.log.line(&format!(
                        "({name}) unsolicited NA on {dev} for {a} failed: {e}"
                    )),
                }
            }
        }
    }

    fn send_advert(&self, r: &Runner, priority: u8) {
        let adv = r.inst.advert(priority);
        let src = r.plan.core.src_addr;
        let dsts: Vec<IpAddr> = if r.plan.core.unicast_peers.is_empty() {
            vec![if r.plan.core.is_ipv6() {
                IpAddr::V6(MCAST_V6)
            } else {
                IpAddr::V4(MCAST_V4)
            }]
        } else {
            r.plan.core.unicast_peers.clone()
        };
        for dst in dsts {
            let res = adv
                .encode(src, dst)
                .map_err(|e| io::Error::other(e.to_string()))
                .and_then(|msg| r.send.send_to(&msg, &sock_addr(dst, r.ifindex)));
            if let Err(e) = res {
                self.log.line(&format!(
                    "({}) failed to send advert to {dst}: {e}",
                    r.plan.core.name
                ));
            }
        }
    }

    fn notify(&self, r: &Runner, to: State) {
        let n = &r.plan.notify;
        let specific = match to {
            State::Master => n.master.as_ref(),
            State::Backup => n.backup.as_ref(),
            State::Fault => n.fault.as_ref(),
            State::Initialize => n.stop.as_ref(),
        };
        let prio = r.inst.effective_priority().to_string();
        let mut cmds: Vec<Vec<String>> = specific.into_iter().cloned().collect();
        if to != State::Initialize
            && let Some(g) = &n.generic
        {
            let mut c = g.clone();
            c.extend([
                "INSTANCE".to_string(),
                r.plan.core.name.clone(),
                to.to_string(),
                prio,
            ]);
            cmds.push(c);
        }
        for c in cmds {
            let Some((prog, args)) = c.split_first() else {
                continue;
            };
            match std::process::Command::new(prog)
                .args(args)
                .stdin(std::process::Stdio::null())
                .spawn()
            {
                // Reap it off the engine's thread: a script must never block VRRP.
                Ok(mut child) => {
                    std::thread::spawn(move || child.wait());
                }
                Err(e) => self.log.line(&format!(
                    "({}) cannot run notify script {prog}: {e}",
                    r.plan.core.name
                )),
            }
        }
    }

    /// Re-read the links; log changes of carrier as keepalived does.
    fn refresh_links(&mut self) {
        let Ok(links) = self.nl.links() else { return };
        for l in &links {
            let was = self.links.iter().find(|o| o.index == l.index);
            let now_up = l.up && l.running;
            if let Some(o) = was
                && (o.up && o.running) != now_up
            {
                self.log.line(&format!(
                    "Netlink reports {} {}",
                    l.name,
                    if now_up { "up" } else { "down" }
                ));
            }
        }
        self.links = links;
    }

    fn apply_tracking(&mut self, r: &mut Runner, now: Duration) {
        let (fault, delta) = track_result(&r.plan, &self.links, &self.script_ok);
        if delta != r.tracked.1 {
            let acts = r
                .inst
                .set_effective_priority(now, i32::from(r.inst.base_priority()) + delta);
            self.exec(r, acts);
        }
        if fault != r.tracked.0 {
            let acts = if fault {
                r.inst.set_fault(now)
            } else {
                r.inst.clear_fault(now)
            };
            self.exec(r, acts);
        }
        r.tracked = (fault, delta);
    }

    fn exec(&mut self, r: &Runner, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::SendAdvert { priority } => self.send_advert(r, priority),
                Action::AddVips => self.set_vips(r, true),
                Action::DelVips => self.set_vips(r, false),
                Action::SendGratuitous { repeat } => self.send_garps(r, repeat),
                Action::Transition { to, .. } => self.notify(r, to),
                Action::Log(l) => self.log.line(&l),
            }
        }
    }
}

/// The primary address of `iface` in `addrs` (IPv4: the first non-secondary global one;
/// IPv6: the first link-local one, as keepalived), never one of `vips`.
fn primary_addr(
    links: &[Link],
    addrs: &[IfAddr],
    vips: &[IpAddr],
    iface: &str,
    ipv6: bool,
) -> Option<IpAddr> {
    let index = links.iter().find(|l| l.name == iface)?.index;
    addrs
        .iter()
        .filter(|a| a.index == index && a.addr.is_ipv6() == ipv6 && !vips.contains(&a.addr))
        .find(|a| match a.addr {
            IpAddr::V4(_) => !a.secondary,
            IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
        })
        .map(|a| a.addr)
}

/// A socket address for `a` (port 0); link-local and link-scope multicast IPv6 addresses get
/// the interface as scope id, which the kernel requires for them.
fn sock_addr(a: IpAddr, ifindex: u32) -> SockAddr {
    match a {
        IpAddr::V4(_) => SockAddr::from(SocketAddr::new(a, 0)),
        IpAddr::V6(v6) => {
            let link = v6.segments()[0] & 0xffc0 == 0xfe80 || v6.segments()[0] & 0xff0f == 0xff02;
            SockAddr::from(SocketAddrV6::new(v6, 0, 0, if link { ifindex } else { 0 }))
        }
    }
}

fn open_sockets_v6(p: &Plan, link: &Link) -> Result<(Socket, Socket), EngineError> {
    let name = &p.core.name;
    let what = |w: &str| format!("({name}) {w} on {}", p.interface);
    let proto = Some(Protocol::from(i32::from(IPPROTO_VRRP)));
    let index = NonZeroU32::new(link.index);
    let recv = Socket::new(Domain::IPV6, Type::RAW, proto).map_err(io_err(what("raw socket")))?;
    recv.bind_device_by_index_v6(index)
        .map_err(io_err(what("SO_BINDTODEVICE")))?;
    if p.core.unicast_peers.is_empty() {
        recv.join_multicast_v6(&MCAST_V6, link.index)
            .map_err(io_err(what("join ff02::12")))?;
    }
    recv.set_recv_hoplimit_v6(true)
        .map_err(io_err(what("IPV6_RECVHOPLIMIT")))?;
    recv.set_nonblocking(true)
        .map_err(io_err(what("nonblocking")))?;
    let send = Socket::new(Domain::IPV6, Type::RAW, proto).map_err(io_err(what("raw socket")))?;
    send.bind_device_by_index_v6(index)
        .map_err(io_err(what("SO_BINDTODEVICE")))?;
    send.bind(&sock_addr(p.core.src_addr, link.index))
        .map_err(io_err(format!("({name}) bind to {}", p.core.src_addr)))?;
    send.set_unicast_hops_v6(u32::from(VRRP_TTL))
        .map_err(io_err(what("IPV6_UNICAST_HOPS")))?;
    send.set_multicast_hops_v6(u32::from(VRRP_TTL))
        .map_err(io_err(what("IPV6_MULTICAST_HOPS")))?;
    send.set_multicast_loop_v6(false)
        .map_err(io_err(what("IPV6_MULTICAST_LOOP")))?;
    send.set_multicast_if_v6(link.index)
        .map_err(io_err(what("IPV6_MULTICAST_IF")))?;
    // Traffic class 0xc0, like the IPv4 TOS.
    send.set_tclass_v6(0xc0)
        .map_err(io_err(what("IPV6_TCLASS")))?;
    Ok((recv, send))
}

fn open_sockets(p: &Plan, link: &Link) -> Result<(Socket, Socket), EngineError> {
    if p.core.is_ipv6() {
        return open_sockets_v6(p, link);
    }
    let name = &p.core.name;
    let what = |w: &str| format!("({name}) {w} on {}", p.interface);
    let proto = Some(Protocol::from(i32::from(IPPROTO_VRRP)));
    let index = NonZeroU32::new(link.index);
    let recv = Socket::new(Domain::IPV4, Type::RAW, proto).map_err(io_err(what("raw socket")))?;
    recv.bind_device_by_index_v4(index)
        .map_err(io_err(what("SO_BINDTODEVICE")))?;
    if p.core.unicast_peers.is_empty() {
        recv.join_multicast_v4_n(
            &MCAST_V4,
            &socket2::InterfaceIndexOrAddress::Index(link.index),
        )
        .map_err(io_err(what("join 224.0.0.18")))?;
    }
    recv.set_nonblocking(true)
        .map_err(io_err(what("nonblocking")))?;

    let send = Socket::new(Domain::IPV4, Type::RAW, proto).map_err(io_err(what("raw socket")))?;
    send.bind_device_by_index_v4(index)
        .map_err(io_err(what("SO_BINDTODEVICE")))?;
    // The v3 checksum covers the source address: make sure the kernel uses the one we put in
    // the pseudo-header.
    send.bind(&SockAddr::from(SocketAddr::new(p.core.src_addr, 0)))
        .map_err(io_err(format!("({name}) bind to {}", p.core.src_addr)))?;
    send.set_ttl_v4(u32::from(VRRP_TTL))
        .map_err(io_err(what("IP_TTL")))?;
    send.set_multicast_ttl_v4(u32::from(VRRP_TTL))
        .map_err(io_err(what("IP_MULTICAST_TTL")))?;
    send.set_multicast_loop_v4(false)
        .map_err(io_err(what("IP_MULTICAST_LOOP")))?;
    send.set_multicast_if_v4(&match p.core.src_addr {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
    })
    .map_err(io_err(what("IP_MULTICAST_IF")))?;
    // keepalived sends with TOS 0xc0 (network control).
    send.set_tos_v4(0xc0).map_err(io_err(what("IP_TOS")))?;
    Ok((recv, send))
}

/// The VRID of a received IPv4 VRRP packet, if it is long enough to have one.
fn packet_vrid(pkt: &[u8]) -> Option<u8> {
    let ihl = usize::from(pkt.first()? & 0x0f) * 4;
    pkt.get(ihl + 1).copied()
}

/// The hop limit from the control messages of a received IPv6 packet (IPV6_HOPLIMIT, an
/// int). Layout of each message: cmsghdr { len: usize, level: i32, type: i32 } then data,
/// all aligned to usize (Linux).
pub(crate) fn cmsg_hoplimit(ctl: &[u8]) -> Option<u8> {
    const W: usize = std::mem::size_of::<usize>();
    let mut rest = ctl;
    while rest.len() >= W + 8 {
        let len = usize::from_ne_bytes(rest.get(..W)?.try_into().ok()?);
        let level = i32::from_ne_bytes(rest.get(W..W + 4)?.try_into().ok()?);
        let kind = i32::from_ne_bytes(rest.get(W + 4..W + 8)?.try_into().ok()?);
        if len < W + 8 {
            return None;
        }
        if level == libc::IPPROTO_IPV6 && kind == libc::IPV6_HOPLIMIT {
            let v = i32::from_ne_bytes(rest.get(W + 8..W + 12)?.try_into().ok()?);
            return u8::try_from(v).ok();
        }
        rest = rest.get(len.div_ceil(W) * W..)?;
    }
    None
}

/// Bytes of a buffer that was fully initialised before the kernel wrote into it.
fn init_bytes(b: &[MaybeUninit<u8>]) -> Vec<u8> {
    // SAFETY: every element was created with MaybeUninit::new(0) (see recv_v6) and the
    // kernel only ever stores initialised bytes; socket2's recvmsg needs MaybeUninit buffers
    // and offers no initialised variant.
    b.iter().map(|x| unsafe { x.assume_init() }).collect()
}

fn recv_v6(sock: &Socket) -> io::Result<Rx> {
    let mut data = vec![MaybeUninit::new(0u8); 65536];
    let mut ctl = vec![MaybeUninit::new(0u8); 256];
    let mut from = SockAddr::from(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 0, 0, 0));
    let mut bufs = [socket2::MaybeUninitSlice::new(&mut data)];
    let mut msg = socket2::MsgHdrMut::new()
        .with_addr(&mut from)
        .with_buffers(&mut bufs)
        .with_control(&mut ctl);
    let n = sock.recvmsg(&mut msg, 0)?;
    let clen = msg.control_len();
    let src = from
        .as_socket_ipv6()
        .map(|a| *a.ip())
        .unwrap_or(Ipv6Addr::UNSPECIFIED);
    let payload = init_bytes(data.get(..n).unwrap_or(&[]));
    let hops = cmsg_hoplimit(&init_bytes(ctl.get(..clen).unwrap_or(&[]))).unwrap_or(0);
    Ok(Rx::V6 { src, hops, payload })
}

fn spawn_reader(
    idx: usize,
    sock: Socket,
    ipv6: bool,
    tx: mpsc::UnboundedSender<(usize, Rx)>,
) -> io::Result<()> {
    // A raw socket is a datagram socket as far as recv(2) goes: tokio's UdpSocket wraps it
    // safely and gives us readiness-driven, non-blocking receives.
    let sock = tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock))?;
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let res = if ipv6 {
                sock.async_io(tokio::io::Interest::READABLE, || {
                    recv_v6(&socket2::SockRef::from(&sock))
                })
                .await
            } else {
                sock.recv(&mut buf)
                    .await
                    .map(|n| Rx::V4(buf.get(..n).unwrap_or(&[]).to_vec()))
            };
            match res {
                Ok(rx) => {
                    if tx.send((idx, rx)).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // e.g. ENETDOWN while the link is down: retry without spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    });
    Ok(())
}

fn write_pid(path: &Option<String>) {
    if let Some(p) = path {
        let _ = std::fs::write(p, format!("{}\n", std::process::id()));
    }
}

/// Run the VRRP instances of `cfg` in the foreground until SIGTERM / SIGINT. Returns the
/// process exit code (0 after a clean stop, 1 when the engine cannot start).
pub fn run(cfg: &ir::Config, opts: &RunOptions) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tandem: cannot start the VRRP engine: {e}");
            return 1;
        }
    };
    write_pid(&opts.pid_file);
    write_pid(&opts.vrrp_pid_file);
    let code = match rt.block_on(run_async(cfg, opts)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    };
    for p in [&opts.pid_file, &opts.vrrp_pid_file].into_iter().flatten() {
        let _ = std::fs::remove_file(p);
    }
    code
}

async fn run_async(cfg: &ir::Config, opts: &RunOptions) -> Result<(), EngineError> {
    let log = Log {
        detail: opts.log_detail,
    };
    log.line("Starting VRRP child process");
    let mut nl = Netlink::open().map_err(io_err("netlink socket"))?;
    let links = nl.links().map_err(io_err("netlink link dump"))?;
    let addrs = nl.addrs().map_err(io_err("netlink address dump"))?;
    let all_vips: Vec<IpAddr> = cfg
        .vrrp_instances
        .iter()
        .flat_map(|i| {
            i.virtual_ipaddress
                .iter()
                .chain(&i.virtual_ipaddress_excluded)
        })
        .filter_map(|a| a.addr.parse().ok())
        .collect();
    let plans = plan(cfg, &|iface, v6| {
        primary_addr(&links, &addrs, &all_vips, iface, v6)
    })?;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runners = Vec::new();
    for (idx, p) in plans.into_iter().enumerate() {
        let link = links
            .iter()
            .find(|l| l.name == p.interface)
            .ok_or_else(|| EngineError::NoInterface(p.interface.clone()))?;
        let (recv, send) = open_sockets(&p, link)?;
        spawn_reader(idx, recv, p.core.is_ipv6(), tx.clone()).map_err(io_err("tokio reactor"))?;
        let inst = Instance::new(p.core.clone()).map_err(FromIrError::from)?;
        runners.push(Runner {
            inst,
            plan: p,
            send,
            ifindex: link.index,
            tracked: (false, 0),
        });
    }
    drop(tx);
    let mut shell = Shell {
        nl,
        links,
        garp: HashMap::new(),
        na: HashMap::new(),
        script_ok: HashMap::new(),
        log,
    };
    let (stx, mut srx) = mpsc::unbounded_channel();
    let mut script_states: Vec<ScriptState> = scripts(cfg)
        .into_iter()
        .map(|sp| ScriptState {
            good: !sp.init_fail,
            streak: 0,
            plan: sp,
        })
        .collect();
    for (i, st) in script_states.iter().enumerate() {
        shell.script_ok.insert(st.plan.name.clone(), st.good);
        spawn_script(i, st.plan.clone(), stx.clone());
    }
    drop(stx);
    let mut term = signal(SignalKind::terminate()).map_err(io_err("SIGTERM handler"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(io_err("SIGINT handler"))?;
    let mut hup = signal(SignalKind::hangup()).map_err(io_err("SIGHUP handler"))?;

    let start = tokio::time::Instant::now();
    shell.log.line("Startup complete");
    for r in &mut runners {
        shell.apply_tracking(r, start.elapsed());
        let acts = r.inst.startup(start.elapsed());
        shell.exec(r, acts);
    }
    let mut poll = tokio::time::interval(LINK_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = runners.iter().filter_map(|r| r.inst.next_deadline()).min();
        let wake = start + next.unwrap_or(start.elapsed() + Duration::from_secs(3600));
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => {
                shell.log.line("Reloading is not supported by tandem yet; SIGHUP ignored");
            }
            m = rx.recv() => {
                let Some((idx, pkt)) = m else { break };
                let Some(r) = runners.get_mut(idx) else { continue };
                let vrid = r.plan.core.vrid;
                let acts = match pkt {
                    Rx::V4(p) if packet_vrid(&p) == Some(vrid) => {
                        r.inst.handle_ipv4_packet(start.elapsed(), &p)
                    }
                    Rx::V6 { src, hops, payload } if payload.get(1) == Some(&vrid) => {
                        // No IPV6_PKTINFO in socket2: the destination is the group for
                        // multicast instances and our own address for unicast ones.
                        let dst = if r.plan.core.unicast_peers.is_empty() {
                            IpAddr::V6(MCAST_V6)
                        } else {
                            r.plan.core.src_addr
                        };
                        let meta = IpMeta { src: IpAddr::V6(src), dst, ttl: hops };
                        r.inst.handle_packet(start.elapsed(), &meta, &payload)
                    }
                    _ => continue,
                };
                shell.exec(r, acts);
            }
            Some((i, ok, detail)) = srx.recv() => {
                let Some(st) = script_states.get_mut(i) else { continue };
                if let Some(good) = st.record(ok) {
                    let name = st.plan.name.clone();
                    shell.log.line(&if good {
                        format!("VRRP_Script({name}) succeeded")
                    } else {
                        format!("VRRP_Script({name}) failed ({detail})")
                    });
                    shell.script_ok.insert(name, good);
                    let now = start.elapsed();
                    for r in &mut runners {
                        shell.apply_tracking(r, now);
                    }
                }
            }
            _ = poll.tick() => {
                shell.refresh_links();
                let now = start.elapsed();
                for r in &mut runners {
                    shell.apply_tracking(r, now);
                }
            }
            _ = tokio::time::sleep_until(wake) => {
                let now = start.elapsed();
                for r in &mut runners {
                    if r.inst.next_deadline().is_some_and(|d| d <= now) {
                        let acts = r.inst.handle_timer(now);
                        shell.exec(r, acts);
                    }
                }
            }
        }
    }
    shell.log.line("Stopping");
    let now = start.elapsed();
    for r in &mut runners {
        let acts = r.inst.shutdown(now);
        shell.exec(r, acts);
    }
    shell.log.line("Stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_skips_secondary_and_vips() {
        let links = vec![Link {
            index: 2,
            name: "eth0".into(),
            mac: vec![2, 0, 0, 0, 0, 0x11],
            up: true,
            running: true,
        }];
        let a = |s: &str, secondary| IfAddr {
            index: 2,
            addr: s.parse().unwrap(),
            prefix: 24,
            secondary,
            scope: 0,
        };
        let vip: IpAddr = "192.0.2.100".parse().unwrap();
        let addrs = vec![
            a("192.0.2.100", false),
            a("192.0.2.12", true),
            a("192.0.2.11", false),
        ];
        assert_eq!(
            primary_addr(&links, &addrs, &[vip], "eth0", false),
            Some("192.0.2.11".parse().unwrap())
        );
        assert_eq!(primary_addr(&links, &addrs, &[vip], "eth1", false), None);
        assert_eq!(primary_addr(&links, &addrs, &[vip], "eth0", true), None);
    }

    #[test]
    fn tracking_fault_and_weights() {
        use crate::vrrp::from_ir::TrackIf;
        let link = |name: &str, running| Link {
            index: 1,
            name: name.into(),
            mac: vec![],
            up: true,
            running,
        };
        let mut p = crate::vrrp::from_ir::Plan {
            core: crate::vrrp::config::InstanceConfig::new(
                "VI_1",
                1,
                100,
                "192.0.2.11".parse().unwrap(),
            ),
            interface: "eth0".into(),
            vips: vec![],
            src_configured: false,
            notify: Default::default(),
            track_scripts: vec![],
            track_ifaces: vec![TrackIf {
                name: "eth0".into(),
                weight: None,
                reverse: false,
            }],
        };
        assert_eq!(
            track_result(&p, &[link("eth0", true)], &HashMap::new()),
            (false, 0)
        );
        assert_eq!(
            track_result(&p, &[link("eth0", false)], &HashMap::new()),
            (true, 0)
        );
        assert_eq!(
            track_result(&p, &[], &HashMap::new()),
            (true, 0),
            "missing interface is down"
        );
        p.track_ifaces = vec![
            TrackIf {
                name: "a".into(),
                weight: Some(-20),
                reverse: false,
            },
            TrackIf {
                name: "b".into(),
                weight: Some(10),
                reverse: false,
            },
            TrackIf {
                name: "c".into(),
                weight: Some(-5),
                reverse: true,
            },
        ];
        assert_eq!(
            track_result(
                &p,
                &[link("a", true), link("b", true), link("c", true)],
                &HashMap::new()
            ),
            (false, 5)
        );
        assert_eq!(
            track_result(
                &p,
                &[link("a", false), link("b", false), link("c", false)],
                &HashMap::new()
            ),
            (false, -20)
        );
    }

    #[test]
    fn script_weights_and_rise_fall() {
        use crate::vrrp::from_ir::TrackScriptRef;
        let mut p = crate::vrrp::from_ir::Plan {
            core: crate::vrrp::config::InstanceConfig::new(
                "VI_1",
                1,
                100,
                "192.0.2.11".parse().unwrap(),
            ),
            interface: "eth0".into(),
            vips: vec![],
            src_configured: false,
            notify: Default::default(),
            track_ifaces: vec![],
            track_scripts: vec![TrackScriptRef {
                name: "chk".into(),
                weight: -20,
                reverse: false,
            }],
        };
        let state = |ok| HashMap::from([("chk".to_string(), ok)]);
        assert_eq!(track_result(&p, &[], &state(true)), (false, 0));
        assert_eq!(track_result(&p, &[], &state(false)), (false, -20));
        p.track_scripts[0].weight = 0;
        assert_eq!(track_result(&p, &[], &state(false)), (true, 0));
        p.track_scripts[0].weight = 10;
        assert_eq!(track_result(&p, &[], &state(true)), (false, 10));

        let mut st = ScriptState {
            plan: ScriptPlan {
                name: "chk".into(),
                args: vec!["/bin/true".into()],
                interval: Duration::from_secs(1),
                timeout: Duration::from_secs(1),
                rise: 2,
                fall: 3,
                init_fail: false,
            },
            good: true,
            streak: 0,
        };
        assert_eq!(st.record(false), None);
        assert_eq!(st.record(false), None);
        assert_eq!(st.record(false), Some(false), "fall 3");
        assert_eq!(st.record(true), None);
        assert_eq!(st.record(false), None, "a failure resets the rise count");
        assert_eq!(st.record(true), None);
        assert_eq!(st.record(true), Some(true), "rise 2");
    }

    #[test]
    fn time_stamp_like_keepalived() {
        // keepalived 2.2.7 in the lab wrote "Sun Nov 22 00:32:37 2026: (VI_1) setting VIPs."
        assert_eq!(stamp(1_795_307_557), "Sun Nov 22 00:32:37 2026");
        assert_eq!(stamp(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(stamp(951_782_400), "Tue Feb 29 00:00:00 2000");
    }

    #[test]
    fn vrid_of_packet() {
        let mut p = vec![0x45u8];
        p.resize(20, 0);
        p.extend_from_slice(&[0x21, 51, 100, 1]);
        assert_eq!(packet_vrid(&p), Some(51));
        assert_eq!(packet_vrid(&p[..20]), None);
    }
}
