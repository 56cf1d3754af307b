//! The running VRRP engine: a thin I/O shell around the sans-IO core ([`super::state`]).
//!
//! One tokio current-thread runtime. Per instance: a raw IPv4 socket (protocol 112) bound to
//! the instance's interface (and joined to 224.0.0.18 there for multicast) whose packets a
//! small reader task forwards, header included, to the main loop; a second raw socket bound
//! to the instance's source address sends adverts (TTL 255, TOS 0xc0 as keepalived, no
//! multicast loopback, so we never hear ourselves). The main loop feeds packets and timer
//! expiries into the core and carries out its actions: adverts, VIPs through rtnetlink,
//! gratuitous ARPs through a packet socket, notify scripts, log lines. SIGTERM / SIGINT:
//! every instance shuts down (a master sends priority 0 and removes its VIPs), exit 0.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use thiserror::Error;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::arp::GarpSender;
use super::from_ir::{FromIrError, Plan, plan};
use super::netlink::{AddrSpec, IfAddr, Link, Netlink};
use super::packet::{IPPROTO_VRRP, MCAST_V4, VRRP_TTL};
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

impl Log {
    fn line(&self, s: &str) {
        println!("{s}");
    }
    fn detail(&self, s: &str) {
        if self.detail {
            println!("{s}");
        }
    }
}

struct Runner {
    inst: Instance,
    plan: Plan,
    send: Socket,
}

struct Shell {
    nl: Netlink,
    links: Vec<Link>,
    garp: HashMap<String, GarpSender>,
    log: Log,
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
            let IpAddr::V4(a) = v.addr else { continue };
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

    fn send_advert(&self, r: &Runner, priority: u8) {
        let adv = r.inst.advert(priority);
        let src = r.plan.core.src_addr;
        let dsts: Vec<IpAddr> = if r.plan.core.unicast_peers.is_empty() {
            vec![IpAddr::V4(MCAST_V4)]
        } else {
            r.plan.core.unicast_peers.clone()
        };
        for dst in dsts {
            let res = adv
                .encode(src, dst)
                .map_err(|e| io::Error::other(e.to_string()))
                .and_then(|msg| {
                    r.send
                        .send_to(&msg, &SockAddr::from(SocketAddr::new(dst, 0)))
                });
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

fn open_sockets(p: &Plan, link: &Link) -> Result<(Socket, Socket), EngineError> {
    let name = &p.core.name;
    let what = |w: &str| format!("({name}) {w} on {}", p.interface);
    if p.core.is_ipv6() {
        return Err(EngineError::Instance {
            name: name.clone(),
            msg: "VRRP over IPv6 is not supported by tandem yet".into(),
        });
    }
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

fn spawn_reader(
    idx: usize,
    sock: Socket,
    tx: mpsc::UnboundedSender<(usize, Vec<u8>)>,
) -> io::Result<()> {
    // A raw socket is a datagram socket as far as recv(2) goes: tokio's UdpSocket wraps it
    // safely and gives us readiness-driven, non-blocking receives.
    let sock = tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock))?;
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            match sock.recv(&mut buf).await {
                Ok(n) => {
                    if tx
                        .send((idx, buf.get(..n).unwrap_or(&[]).to_vec()))
                        .is_err()
                    {
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
        spawn_reader(idx, recv, tx.clone()).map_err(io_err("tokio reactor"))?;
        let inst = Instance::new(p.core.clone()).map_err(FromIrError::from)?;
        runners.push(Runner {
            inst,
            plan: p,
            send,
        });
    }
    drop(tx);
    let mut shell = Shell {
        nl,
        links,
        garp: HashMap::new(),
        log,
    };
    let mut term = signal(SignalKind::terminate()).map_err(io_err("SIGTERM handler"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(io_err("SIGINT handler"))?;
    let mut hup = signal(SignalKind::hangup()).map_err(io_err("SIGHUP handler"))?;

    let start = tokio::time::Instant::now();
    shell.log.line("Startup complete");
    for r in &mut runners {
        let acts = r.inst.startup(start.elapsed());
        shell.exec(r, acts);
    }
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
                if let Some(r) = runners.get_mut(idx)
                    && packet_vrid(&pkt) == Some(r.plan.core.vrid)
                {
                    let acts = r.inst.handle_ipv4_packet(start.elapsed(), &pkt);
                    shell.exec(r, acts);
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
    fn vrid_of_packet() {
        let mut p = vec![0x45u8];
        p.resize(20, 0);
        p.extend_from_slice(&[0x21, 51, 100, 1]);
        assert_eq!(packet_vrid(&p), Some(51));
        assert_eq!(packet_vrid(&p[..20]), None);
    }
}
