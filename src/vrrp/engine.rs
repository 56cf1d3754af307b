//! The running VRRP engine: a thin I/O shell around the sans-IO core ([`super::state`],
//! [`super::sync`]).
//!
//! One tokio current-thread runtime. Per instance: a raw socket (IPv4 or IPv6, protocol 112)
//! bound to the instance's interface (and joined to 224.0.0.18 / ff02::12 there for
//! multicast) whose packets a small reader task forwards to the main loop (IPv4 with its
//! header; IPv6 with the hop limit from IPV6_HOPLIMIT); a second raw socket bound to the
//! instance's source address sends adverts (TTL / hop limit 255, TOS 0xc0 as keepalived, no
//! multicast loopback, so we never hear ourselves). The main loop feeds packets, timer
//! expiries and tracking changes into the core and carries out its actions: adverts, VIPs
//! and virtual routes through rtnetlink, gratuitous ARPs (packet socket) / unsolicited NAs
//! (ICMPv6 socket) spaced by `vrrp_garp_interval` / `vrrp_gna_interval`, notify scripts
//! (instance and sync group), log lines in keepalived's words ([`super::log`]).
//!
//! Tracking: the instance's interface (unless `dont_track_primary`) and `track_interface`
//! are polled every `LINK_POLL` (carrier down: FAULT, or a weight), `track_file`s are read
//! as often; `vrrp_script`s run without a shell in their own tasks (interval, timeout, rise,
//! fall, weight, init_fail). Sync groups: every member's own actions go through
//! [`SyncGroup::react`].
//!
//! Signals, as keepalived: SIGTERM / SIGINT stop (a master sends priority 0 and removes its
//! VIPs), exit 0. SIGHUP reloads: the file is read again; unchanged instances keep their
//! state, sockets and VIPs; removed ones stop as on SIGTERM; new ones start; a config that
//! does not load leaves the running one in place. SIGUSR1 writes /tmp/keepalived.data,
//! SIGUSR2 /tmp/keepalived.stats ([`super::dump`]).

use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::num::NonZeroU32;
use std::time::{Duration, SystemTime};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use thiserror::Error;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::arp::{GarpSender, NaSender};
use super::dump;
use super::from_ir::{
    FromIrError, GroupPlan, Notify, Plan, ScriptPlan, TrackFilePlan, groups, insecure_script_lines,
    notify_user_lines, plan, scripts, track_files, track_processes,
};
use super::log::Log;
use super::netlink::{AddrSpec, IfAddr, Link, Netlink, RouteSpec};
use super::packet::{IPPROTO_VRRP, IpMeta, MCAST_V4, MCAST_V6, VRRP_TTL};
use super::state::{Action, Instance, State};
use super::sync::{SyncGroup, SyncOut};
use super::track;
use crate::ir::keepalived as ir;

/// How the command line asked the engine to run (`keepalived -n -l -D -S F -p F -r F ...`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// `-l`: log to the console (stdout).
    pub log_console: bool,
    /// `-D`: detailed log (more lines, e.g. every gratuitous ARP).
    pub log_detail: bool,
    /// `-G`: no syslog. Otherwise every line also goes to /dev/log.
    pub no_syslog: bool,
    /// `-S`: syslog facility (0-7 = local0-7, user, daemon; default daemon).
    pub log_facility: Option<String>,
    /// `-p FILE`: the main pid file.
    pub pid_file: Option<String>,
    /// `-r FILE`: the VRRP child's pid file (tandem has no child: same pid).
    pub vrrp_pid_file: Option<String>,
    /// The file SIGHUP reads again (`-f`); None: no reload.
    pub config_path: Option<String>,
    /// `-i`: config id for the `@id` line prefixes.
    pub config_id: Option<String>,
}

/// What the embedding process (`tandem run`) asks of a running engine; the standalone
/// daemon gets the same from its signals.
#[derive(Debug)]
pub enum Control {
    /// Apply a configuration that was already loaded and checked (the caller checked it
    /// together with the proxy's, so a failure of either leaves both as they were).
    Reload(Box<ir::Config>),
    DumpData,
    DumpStats,
    /// keepalived's SIGJSON: /tmp/keepalived.json.
    DumpJson,
    /// Stop. `handover`: a master keeps its VIPs after its priority 0 advert until the
    /// peer's advert says it took over (or this long), so that the proxy on this node
    /// keeps answering on the VIP until the other node does (zero-loss planned
    /// handover); None: release at once, as keepalived does.
    Stop {
        handover: Option<Duration>,
    },
}

/// The proxy engine as the VRRP engine sees it in `tandem run`: what a proxy-probing
/// `vrrp_script` or a `track_backend` asks, answered from the proxy's own state.
pub trait ProxyState: Send + Sync {
    /// The proxy runs (what `killall -0 haproxy` / `pidof haproxy` ask).
    fn alive(&self) -> bool;
    /// The proxy listens on this TCP port (what `curl http://127.0.0.1:PORT/` or
    /// `nc -z 127.0.0.1 PORT` ask).
    fn listening(&self, port: u16) -> bool;
    /// Servers of a backend that can take traffic (active + backup); None: no such
    /// backend.
    fn backend_up(&self, name: &str) -> Option<usize>;
}

/// The embedding's side of [`run_embedded`].
pub struct Embedding {
    pub control: mpsc::UnboundedReceiver<Control>,
    pub proxy: Option<std::sync::Arc<dyn ProxyState>>,
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
    /// Stable across reloads (the reader task tags packets with it).
    id: u64,
    inst: Instance,
    plan: Plan,
    send: Socket,
    ifindex: u32,
    /// The receive and send sockets' descriptors (`fd_in`, `fd_out` in the SIGUSR1 dump).
    fds: (i32, i32),
    /// Last applied tracking result: (fault, priority delta).
    tracked: (bool, i32),
    /// Tracked files with weight 0 currently in FAULT (for keepalived's lines).
    file_faults: Vec<String>,
    reader: JoinHandle<()>,
    last_transition: Option<SystemTime>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Fault and priority delta of an instance from its tracked interfaces' link state
/// (`running` = carrier up; a missing interface counts as down), scripts and files.
fn track_result(
    plan: &Plan,
    links: &[Link],
    scripts: &HashMap<String, bool>,
    files: &HashMap<String, i64>,
) -> (bool, i32) {
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
    for t in &plan.track_files {
        let v = files.get(&t.name).copied().unwrap_or(0);
        let (f, d) = track::effect(v, t.weight, t.reverse);
        fault |= f;
        delta = delta.saturating_add(d);
    }
    (fault, delta)
}

/// Fault and priority delta from the instance's `track_process` entries (`quorum`: name ->
/// the tracked process has its quorum): weight 0 is a FAULT without quorum, other weights
/// count as a `track_script`'s with quorum as success (keepalived's vrrp_track.c).
fn process_result(plan: &Plan, quorum: &HashMap<String, bool>) -> (bool, i32) {
    let mut fault = false;
    let mut delta = 0i32;
    for t in &plan.track_processes {
        let good = quorum.get(&t.name).copied().unwrap_or(false) != t.reverse;
        match t.weight {
            0 => fault |= !good,
            w if (w > 0 && good) || (w < 0 && !good) => delta = delta.saturating_add(w),
            _ => {}
        }
    }
    (fault, delta)
}

/// Fault and priority delta from the instance's `track_backend`s (`tandem run` only;
/// without the proxy engine they have no effect, as said at start).
fn backend_result(plan: &Plan, proxy: Option<&dyn ProxyState>) -> (bool, i32) {
    let Some(proxy) = proxy else {
        return (false, 0);
    };
    let mut fault = false;
    let mut delta = 0i32;
    for t in &plan.track_backends {
        let up = proxy.backend_up(&t.backend).unwrap_or(0);
        if up < t.min {
            match t.weight {
                None | Some(0) => fault = true,
                Some(w) => delta = delta.saturating_add(w),
            }
        }
    }
    (fault, delta)
}

/// How often link state and tracked files are polled (keepalived learns them from netlink
/// notifications and inotify; a dump this often costs little and keeps the shell simple).
const LINK_POLL: Duration = Duration::from_millis(100);

struct Shell {
    nl: Netlink,
    links: Vec<Link>,
    garp: HashMap<String, GarpSender>,
    na: HashMap<String, NaSender>,
    /// `vrrp_script` name -> currently good (after rise / fall).
    script_ok: HashMap<String, bool>,
    /// `track_file` name -> last value read.
    file_values: HashMap<String, i64>,
    /// `vrrp_track_process` name -> has quorum.
    proc_quorum: HashMap<String, bool>,
    garp_interval: Duration,
    gna_interval: Duration,
    /// When the last spaced gratuitous ARP burst allows the next one (SIGUSR1 dump).
    garp_next: Option<SystemTime>,
    log: Log,
    /// `notify_fifo`: every instance / group state change as one line.
    fifo: Option<super::fifo::Fifo>,
    /// `vrrp_strict` / `no_accept`: the nftables set of blocked VIPs; None until an
    /// instance needs it, or when `nft` is missing (`fw_missing` then says so once).
    fw: Option<super::firewall::Firewall>,
    fw_missing: bool,
    /// How to open a second log (the firewall thread's).
    log_opts: (bool, bool, bool, Option<String>),
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
    if let Some((uid, gid)) = sp.ids {
        cmd.uid(uid).gid(gid);
    }
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

/// One task per script: run it every `interval` and report each result (by name, so that
/// a reload can renumber the scripts).
fn spawn_script(
    sp: ScriptPlan,
    tx: mpsc::UnboundedSender<(String, bool, String)>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(sp.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (ok, detail) = run_script(&sp).await;
            if tx.send((sp.name.clone(), ok, detail)).is_err() {
                return;
            }
        }
    })
}

/// A proxy-probing script served natively: every `interval`, the probe's answer from the
/// proxy engine's state, reported as the script's result would be.
fn spawn_native(
    sp: ScriptPlan,
    probe: super::native::Probe,
    proxy: std::sync::Arc<dyn ProxyState>,
    tx: mpsc::UnboundedSender<(String, bool, String)>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(sp.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let ok = probe.answer(proxy.as_ref());
            let detail = if ok {
                String::new()
            } else {
                "proxy probe failed".into()
            };
            if tx.send((sp.name.clone(), ok, detail)).is_err() {
                return;
            }
        }
    })
}

/// Start a notify script without waiting for it (a script must never block VRRP).
fn spawn_notify(log: &Log, who: &str, cmd: &[String], ids: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    let Some((prog, args)) = cmd.split_first() else {
        return;
    };
    let mut c = std::process::Command::new(prog);
    c.args(args).stdin(std::process::Stdio::null());
    if let Some((uid, gid)) = ids {
        c.uid(uid).gid(gid);
    }
    match c.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => log.line(&format!("({who}) cannot run notify script {prog}: {e}")),
    }
}

/// The scripts of `n` for a transition to `to` (Initialize = stop): the specific one, then
/// the generic `notify` with `KIND NAME STATE PRIORITY` appended.
/// A notify command line and the (uid, gid) it runs as.
type NotifyCmd = (Vec<String>, Option<(u32, u32)>);

/// Each with the (uid, gid) it runs as (its own `USER [GROUP]`, else the default).
fn notify_cmds(n: &Notify, kind: &str, name: &str, to: State, prio: u8) -> Vec<NotifyCmd> {
    let (specific, k) = match to {
        State::Master => (n.master.as_ref(), 0),
        State::Backup => (n.backup.as_ref(), 1),
        State::Fault => (n.fault.as_ref(), 2),
        State::Initialize => (n.stop.as_ref(), 3),
    };
    let mut cmds: Vec<NotifyCmd> = specific
        .into_iter()
        .map(|c| (c.clone(), n.ids_for(k)))
        .collect();
    if let Some(g) = &n.generic {
        let mut c = g.clone();
        let st = if to == State::Initialize {
            "STOP".to_string()
        } else {
            to.to_string()
        };
        c.extend([kind.to_string(), name.to_string(), st, prio.to_string()]);
        cmds.push((c, n.ids_for(4)));
    }
    cmds
}

impl Shell {
    fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }

    /// The firewall for an instance that blocks its VIPs; a clear warning, once, when it
    /// cannot be had.
    fn firewall(&mut self) -> Option<&mut super::firewall::Firewall> {
        if self.fw.is_none() && !self.fw_missing {
            let (console, detail, syslog, fac) = &self.log_opts;
            match super::firewall::Firewall::new(Log::new(
                *console,
                *detail,
                *syslog,
                fac.as_deref(),
            )) {
                Ok(f) => self.fw = Some(f),
                Err(e) => {
                    self.fw_missing = true;
                    self.log.line(&format!(
                        "WARNING - tandem cannot install the vrrp_strict/no_accept firewall \
                         rules ({e}): traffic to the VIPs is accepted, where keepalived would \
                         drop it (install nftables)"
                    ));
                }
            }
        }
        self.fw.as_mut()
    }

    fn set_vips(&mut self, r: &Runner, add: bool) {
        if r.plan.block_vips && !add {
            let addrs: Vec<IpAddr> = r.plan.vips.iter().map(|v| v.addr).collect();
            if let Some(fw) = self.firewall() {
                fw.unblock(&addrs);
            }
        }
        self.set_vips_only(r, add);
        if r.plan.block_vips && add {
            let addrs: Vec<IpAddr> = r.plan.vips.iter().map(|v| v.addr).collect();
            if let Some(fw) = self.firewall() {
                fw.block(&addrs);
            }
        }
    }

    fn set_vips_only(&mut self, r: &Runner, add: bool) {
        let name = &r.plan.core.name;
        if !add && !r.plan.routes.is_empty() {
            self.log.line(&format!("({name}) removing Virtual Routes"));
            self.set_routes(r, false);
        }
        self.log.line(&format!(
            "({name}) {} VIPs.",
            if add { "setting" } else { "removing" }
        ));
        for v in &r.plan.vips {
            let Some(index) = self.link(&v.dev).map(|l| l.index) else {
                self.log.line(&format!(
                    "({name}) cannot find interface {} for {}",
                    v.dev, v.addr
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
                    "({name}) cannot {} address {}/{} on {}: {e}",
                    if add { "add" } else { "remove" },
                    v.addr,
                    v.prefix,
                    v.dev
                ));
            }
        }
        if add && !r.plan.routes.is_empty() {
            self.log.line(&format!("({name}) setting Virtual Routes"));
            self.set_routes(r, true);
        }
    }

    fn set_routes(&mut self, r: &Runner, add: bool) {
        let name = &r.plan.core.name;
        for rt in &r.plan.routes {
            let oif = match &rt.dev {
                Some(d) => match self.link(d) {
                    Some(l) => Some(l.index),
                    None => {
                        self.log.line(&format!(
                            "({name}) cannot find interface {d} for route {}",
                            rt.text
                        ));
                        continue;
                    }
                },
                None => None,
            };
            let spec = RouteSpec {
                dst: rt.dst,
                prefix: rt.prefix,
                gateway: rt.gateway,
                oif,
                src: rt.src,
                metric: rt.metric,
                table: rt.table,
                kind: rt.kind,
                // A unicast route without a gateway is directly connected (scope link).
                scope: if rt.kind == 1 && rt.gateway.is_none() {
                    253
                } else {
                    0
                },
            };
            let res = if add {
                self.nl.add_route(&spec)
            } else {
                self.nl.del_route(&spec)
            };
            if let Err(e) = res {
                self.log.line(&format!(
                    "({name}) cannot {} route {}: {e}",
                    if add { "add" } else { "remove" },
                    rt.text
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
            let Some((index, mac)) = self.link(&v.dev).map(|l| (l.index, l.mac.clone())) else {
                continue;
            };
            if !self.garp.contains_key(&v.dev) {
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
            if !self.garp_interval.is_zero() && repeat > 1 {
                // vrrp_garp_interval: the first at once, the others spaced, off the loop.
                self.send_garp_now(name, &v.dev, a);
                if let Ok(s) = GarpSender::open(index, &mac) {
                    let ivl = self.garp_interval;
                    self.garp_next = Some(SystemTime::now() + ivl.saturating_mul(repeat));
                    tokio::spawn(async move {
                        for _ in 1..repeat {
                            tokio::time::sleep(ivl).await;
                            let _ = s.send(a);
                        }
                    });
                }
                continue;
            }
            for _ in 0..repeat {
                self.send_garp_now(name, &v.dev, a);
            }
        }
    }

    fn send_garp_now(&self, name: &str, dev: &str, a: Ipv4Addr) {
        if let Some(s) = self.garp.get(dev) {
            match s.send(a) {
                Ok(()) => self
                    .log
                    .detail(&format!("Sending gratuitous ARP on {dev} for {a}")),
                Err(e) => self.log.line(&format!(
                    "({name}) gratuitous ARP on {dev} for {a} failed: {e}"
                )),
            }
        }
    }

    fn send_nas(&mut self, name: &str, dev: &str, a: Ipv6Addr, repeat: u32) {
        let Some((index, mac)) = self.link(dev).map(|l| (l.index, l.mac.clone())) else {
            return;
        };
        if !self.na.contains_key(dev) {
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
        let spaced = !self.gna_interval.is_zero() && repeat > 1;
        for _ in 0..if spaced { 1 } else { repeat } {
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
        if spaced && let Ok(s) = NaSender::open(index, &mac) {
            let ivl = self.gna_interval;
            tokio::spawn(async move {
                for _ in 1..repeat {
                    tokio::time::sleep(ivl).await;
                    let _ = s.send(a);
                }
            });
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

    fn notify(&mut self, r: &Runner, to: State) {
        let name = &r.plan.core.name;
        for c in notify_cmds(
            &r.plan.notify,
            "INSTANCE",
            name,
            to,
            r.inst.effective_priority(),
        ) {
            spawn_notify(&self.log, name, &c.0, c.1);
        }
        if let Some(f) = &mut self.fifo {
            f.write_line(&super::fifo::line(
                "INSTANCE",
                name,
                to,
                r.inst.effective_priority(),
            ));
        }
    }

    fn notify_group(&mut self, g: &GroupPlan, to: State) {
        // keepalived passes priority 0 for a group (measured: "GROUP VG_1 MASTER 0").
        for (c, ids) in notify_cmds(&g.notify, "GROUP", &g.name, to, 0) {
            spawn_notify(&self.log, &g.name, &c, ids);
        }
        if let Some(f) = &mut self.fifo {
            f.write_line(&super::fifo::line("GROUP", &g.name, to, 0));
        }
    }

    /// Re-read the links; log changes of carrier as keepalived does, for the interfaces the
    /// instances use (`watched`).
    fn refresh_links(&mut self, watched: &[&str]) {
        let Ok(links) = self.nl.links() else { return };
        for l in links.iter().filter(|l| watched.contains(&l.name.as_str())) {
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

    fn exec(&mut self, r: &mut Runner, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::SendAdvert { priority } => self.send_advert(r, priority),
                Action::AddVips => self.set_vips(r, true),
                Action::DelVips => self.set_vips(r, false),
                Action::SendGratuitous { repeat } => self.send_garps(r, repeat),
                Action::Transition { to, .. } => {
                    r.last_transition = Some(SystemTime::now());
                    self.notify(r, to);
                }
                Action::Log(l) => self.log.line(&l),
                Action::WantMaster => {}
            }
        }
    }
}

struct GroupRun {
    plan: GroupPlan,
    sg: SyncGroup,
}

struct Daemon {
    shell: Shell,
    runners: Vec<Runner>,
    groups: Vec<GroupRun>,
    scripts: Vec<(ScriptState, JoinHandle<()>)>,
    files: Vec<TrackFilePlan>,
    procs: track::ProcessTracker,
    cfg: ir::Config,
    opts: RunOptions,
    start: tokio::time::Instant,
    rx_tx: mpsc::UnboundedSender<(u64, Rx)>,
    script_tx: mpsc::UnboundedSender<(String, bool, String)>,
    next_id: u64,
    /// `tandem run`: the proxy engine's state for native probes and `track_backend`.
    proxy: Option<std::sync::Arc<dyn ProxyState>>,
    /// `tandem run`: segments of an old master's connections handed back to it during a
    /// planned takeover ([`super::takeover`]).
    takeovers: super::takeover::Takeovers,
}

/// The interface addresses (and the VIPs of `cfg`, never a source address) to resolve each
/// instance's source address.
fn make_plans(
    cfg: &ir::Config,
    links: &[Link],
    addrs: &[IfAddr],
) -> Result<Vec<Plan>, FromIrError> {
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
    plan(cfg, &|iface, v6| {
        primary_addr(links, addrs, &all_vips, iface, v6)
    })
}

fn init_track_files(files: &[TrackFilePlan], log: &Log) {
    for f in files {
        if let Some((value, overwrite)) = f.init_file
            && (overwrite || !std::path::Path::new(&f.path).exists())
            && let Err(e) = std::fs::write(&f.path, format!("{value}\n"))
        {
            log.line(&format!("Unable to write track file {}: {e}", f.path));
        }
    }
}

impl Daemon {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn index_of(&self, id: u64) -> Option<usize> {
        self.runners.iter().position(|r| r.id == id)
    }

    fn group_of(&self, idx: usize) -> Option<usize> {
        let name = self.runners.get(idx)?.plan.sync_group.as_ref()?;
        self.groups.iter().position(|g| &g.plan.name == name)
    }

    fn new_runner(&mut self, p: Plan) -> Result<Runner, EngineError> {
        let link = self
            .shell
            .links
            .iter()
            .find(|l| l.name == p.interface)
            .ok_or_else(|| EngineError::NoInterface(p.interface.clone()))?;
        let ifindex = link.index;
        let (recv, send) = open_sockets(&p, link)?;
        let fds = {
            use std::os::fd::AsRawFd;
            (recv.as_raw_fd(), send.as_raw_fd())
        };
        let id = self.next_id;
        self.next_id += 1;
        let reader = spawn_reader(id, recv, p.core.is_ipv6(), self.rx_tx.clone())
            .map_err(io_err("tokio reactor"))?;
        let mut inst = Instance::new(p.core.clone()).map_err(FromIrError::from)?;
        inst.set_sync_member(p.sync_group.is_some());
        Ok(Runner {
            id,
            inst,
            plan: p,
            send,
            ifindex,
            fds,
            tracked: (false, 0),
            file_faults: Vec::new(),
            reader,
            last_transition: None,
        })
    }

    /// Carry out a member's own actions, then whatever its sync group makes of them.
    fn run_actions(&mut self, idx: usize, acts: Vec<Action>) {
        let Some(r) = self.runners.get_mut(idx) else {
            return;
        };
        let group = self
            .groups
            .iter()
            .position(|g| r.plan.sync_group.as_ref() == Some(&g.plan.name));
        let copy = group.map(|_| acts.clone());
        self.shell.exec(r, acts);
        if let (Some(gi), Some(acts)) = (group, copy) {
            let now = self.now();
            let mut refs: Vec<&mut Instance> =
                self.runners.iter_mut().map(|r| &mut r.inst).collect();
            let outs = match self.groups.get_mut(gi) {
                Some(g) => g.sg.react(now, idx, &acts, &mut refs),
                None => Vec::new(),
            };
            drop(refs);
            self.exec_sync(gi, outs);
        }
    }

    fn exec_sync(&mut self, gi: usize, outs: Vec<SyncOut>) {
        for o in outs {
            match o {
                SyncOut::Log(l) => self.shell.log.line(&l),
                SyncOut::Member(i, acts) => {
                    if let Some(r) = self.runners.get_mut(i) {
                        self.shell.exec(r, acts);
                    }
                }
                SyncOut::Notify(st) => {
                    if let Some(g) = self.groups.get(gi) {
                        self.shell.notify_group(&g.plan, st);
                    }
                }
            }
        }
    }

    fn apply_tracking(&mut self, idx: usize) {
        let now = self.now();
        let Some(r) = self.runners.get_mut(idx) else {
            return;
        };
        let (fault, delta) = track_result(
            &r.plan,
            &self.shell.links,
            &self.shell.script_ok,
            &self.shell.file_values,
        );
        let (pfault, pdelta) = process_result(&r.plan, &self.shell.proc_quorum);
        let (bfault, bdelta) = backend_result(&r.plan, self.proxy.as_deref());
        let (fault, delta) = (
            fault || pfault || bfault,
            delta.saturating_add(pdelta).saturating_add(bdelta),
        );
        // keepalived names each weight-0 tracked file that enters or leaves FAULT.
        let mut lines = Vec::new();
        for t in r.plan.track_files.iter().filter(|t| t.weight == 0) {
            let v = self.shell.file_values.get(&t.name).copied().unwrap_or(0);
            let bad = v != 0;
            let was = r.file_faults.contains(&t.name);
            if bad && !was {
                r.file_faults.push(t.name.clone());
                lines.push(format!(
                    "({}): tracked file {} now FAULT state",
                    r.plan.core.name, t.name
                ));
            } else if !bad && was {
                r.file_faults.retain(|n| n != &t.name);
                lines.push(format!(
                    "({}): tracked file {} leaving FAULT state",
                    r.plan.core.name, t.name
                ));
            }
        }
        for l in &lines {
            self.shell.log.line(l);
        }
        let (was_fault, was_delta) = r.tracked;
        r.tracked = (fault, delta);
        if delta != was_delta {
            let base = i32::from(r.inst.base_priority());
            let acts = r.inst.set_effective_priority(now, base + delta);
            self.run_actions(idx, acts);
        }
        if fault != was_fault {
            let Some(r) = self.runners.get_mut(idx) else {
                return;
            };
            if fault {
                let acts = r.inst.set_fault(now);
                self.run_actions(idx, acts);
            } else {
                let acts = r.inst.clear_fault(now);
                let member = r.inst.is_sync_member();
                self.run_actions(idx, acts);
                if member && let Some(gi) = self.group_of(idx) {
                    let mut refs: Vec<&mut Instance> =
                        self.runners.iter_mut().map(|r| &mut r.inst).collect();
                    let outs = match self.groups.get_mut(gi) {
                        Some(g) => g.sg.fault_cleared(now, idx, &mut refs),
                        None => Vec::new(),
                    };
                    drop(refs);
                    self.exec_sync(gi, outs);
                }
            }
        }
    }

    fn refresh_links(&mut self) {
        let watched: Vec<&str> = self
            .runners
            .iter()
            .flat_map(|r| {
                std::iter::once(r.plan.interface.as_str())
                    .chain(r.plan.track_ifaces.iter().map(|t| t.name.as_str()))
                    .chain(r.plan.vips.iter().map(|v| v.dev.as_str()))
            })
            .collect();
        self.shell.refresh_links(&watched);
    }

    fn apply_all_tracking(&mut self) {
        for i in 0..self.runners.len() {
            self.apply_tracking(i);
        }
    }

    /// Builds the process tracker from the config's `vrrp_track_process`es with a first
    /// scan of /proc.
    fn init_procs(&mut self) {
        let plans = track_processes(&self.cfg);
        let procs = if plans.is_empty() {
            Vec::new()
        } else {
            track::scan_proc()
        };
        self.procs = track::ProcessTracker::new(plans, &procs);
        self.shell.proc_quorum = self
            .procs
            .quorum()
            .map(|(n, q)| (n.to_string(), q))
            .collect();
    }

    /// Scans /proc when some process is tracked (see `track` for why polling).
    fn read_procs(&mut self) {
        if self.procs.is_empty() {
            return;
        }
        let now = self.now();
        let lines = self.procs.update(now, &track::scan_proc());
        for l in &lines {
            self.shell.log.line(l);
        }
        for (n, q) in self.procs.quorum() {
            self.shell.proc_quorum.insert(n.to_string(), q);
        }
    }

    fn read_files(&mut self) -> bool {
        let mut changed = false;
        for f in &self.files {
            match track::read_value(&f.path) {
                Ok(v) => {
                    if self.shell.file_values.get(&f.name) != Some(&v) {
                        self.shell.file_values.insert(f.name.clone(), v);
                        changed = true;
                    }
                }
                Err(line) => {
                    // Logged once per bad content, as keepalived logs once per change.
                    let key = format!("\0bad:{}", f.name);
                    if !self.shell.file_values.contains_key(&key) {
                        self.shell.log.line(&line);
                        self.shell.file_values.insert(key, 0);
                    }
                    continue;
                }
            }
            self.shell.file_values.remove(&format!("\0bad:{}", f.name));
        }
        changed
    }

    fn start_scripts(&mut self, plans: Vec<ScriptPlan>) {
        let old: Vec<(ScriptState, JoinHandle<()>)> = std::mem::take(&mut self.scripts);
        let mut kept: Vec<ScriptState> = Vec::new();
        for (st, h) in old {
            h.abort();
            kept.push(st);
        }
        self.shell.script_ok.clear();
        for sp in plans {
            let st = match kept.iter().position(|k| k.plan == sp) {
                Some(i) => kept.swap_remove(i),
                None => ScriptState {
                    good: !sp.init_fail,
                    streak: 0,
                    plan: sp,
                },
            };
            self.shell.script_ok.insert(st.plan.name.clone(), st.good);
            let native = self
                .proxy
                .as_ref()
                .and_then(|p| super::native::classify(&st.plan.args).map(|k| (p.clone(), k)));
            let h = match native {
                Some((proxy, probe)) => {
                    self.shell.log.line(&format!(
                        "VRRP_Script({}) only probes the proxy ({}): tandem answers it from \
                         its proxy engine's own state instead of running it",
                        st.plan.name,
                        st.plan.args.join(" ")
                    ));
                    spawn_native(st.plan.clone(), probe, proxy, self.script_tx.clone())
                }
                None => spawn_script(st.plan.clone(), self.script_tx.clone()),
            };
            self.scripts.push((st, h));
        }
    }

    fn script_result(&mut self, name: &str, ok: bool, detail: &str) {
        let Some((st, _)) = self.scripts.iter_mut().find(|(s, _)| s.plan.name == name) else {
            return;
        };
        if let Some(good) = st.record(ok) {
            self.shell.log.line(&if good {
                format!("VRRP_Script({name}) succeeded")
            } else {
                format!("VRRP_Script({name}) failed ({detail})")
            });
            self.shell.script_ok.insert(name.to_string(), good);
            self.apply_all_tracking();
        }
    }

    fn packet(&mut self, id: u64, pkt: Rx) {
        let Some(idx) = self.index_of(id) else {
            return;
        };
        let now = self.now();
        let Some(r) = self.runners.get(idx) else {
            return;
        };
        let vrid = r.plan.core.vrid;
        let got = match &pkt {
            Rx::V4(p) => packet_vrid(p),
            Rx::V6 { payload, .. } => payload.get(1).copied(),
        };
        if got != Some(vrid) {
            // Every instance's socket sees every advert on its interface: a VRID no instance
            // there runs is counted once, on the first instance of the interface (keepalived
            // drops these silently).
            let ifindex = r.ifindex;
            let known = self
                .runners
                .iter()
                .any(|o| o.ifindex == ifindex && Some(o.plan.core.vrid) == got);
            let first = self.runners.iter().position(|o| o.ifindex == ifindex);
            if !known
                && first == Some(idx)
                && got.is_some()
                && let Some(r) = self.runners.get_mut(idx)
            {
                r.inst.count_vrid_error();
            }
            return;
        }
        let Some(r) = self.runners.get_mut(idx) else {
            return;
        };
        // A planned stop of the master seen by a backup (`tandem run` acts on it).
        let zero_before = (r.inst.state() == State::Backup).then(|| r.inst.stats().pri_zero_rcvd);
        let from = priority_zero_from(&pkt);
        let acts = match pkt {
            Rx::V4(p) => r.inst.handle_ipv4_packet(now, &p),
            Rx::V6 { src, hops, payload } => {
                // No IPV6_PKTINFO in socket2: the destination is the group for multicast
                // instances and our own address for unicast ones.
                let dst = if r.plan.core.unicast_peers.is_empty() {
                    IpAddr::V6(MCAST_V6)
                } else {
                    r.plan.core.src_addr
                };
                let meta = IpMeta {
                    src: IpAddr::V6(src),
                    dst,
                    ttl: hops,
                };
                r.inst.handle_packet(now, &meta, &payload)
            }
        };
        // Accepted (counted) while BACKUP: the takeover follows after Skew_Time.
        let accepted = zero_before.is_some_and(|n| r.inst.stats().pri_zero_rcvd > n);
        if let (true, true, Some(peer)) = (self.proxy.is_some(), accepted, from) {
            self.takeover(idx, peer);
        }
        self.run_actions(idx, acts);
    }

    /// `tandem run`: a backup that hears the master's priority 0 advert (a planned stop)
    /// is about to take over; from now on, segments of the old master's connections that
    /// reach this node are handed back to it ([`super::takeover`]).
    fn takeover(&mut self, idx: usize, peer: IpAddr) {
        let Some(r) = self.runners.get(idx) else {
            return;
        };
        if r.plan.vips.is_empty() {
            return;
        }
        let vips: Vec<IpAddr> = r.plan.vips.iter().map(|v| v.addr).collect();
        // As long as the old master may keep its VIPs: `tandem run`'s handover limit (four
        // of the longest advert intervals, at least 1 s each, and a second).
        let window =
            r.plan.core.advert_interval.max(Duration::from_secs(1)) * 4 + Duration::from_secs(1);
        let (name, vrid, dev) = (
            r.plan.core.name.clone(),
            r.plan.core.vrid,
            r.plan.interface.clone(),
        );
        if let Some(line) = self.takeovers.forward(vrid, &dev, &vips, peer, window) {
            self.shell.log.line(&format!("({name}) {line}"));
        }
    }

    fn timers(&mut self) {
        let now = self.now();
        for i in 0..self.runners.len() {
            let Some(r) = self.runners.get_mut(i) else {
                continue;
            };
            if r.inst.next_deadline().is_some_and(|d| d <= now) {
                let acts = r.inst.handle_timer(now);
                self.run_actions(i, acts);
            }
        }
    }

    /// Start instances `from..` (startup and new instances after a reload), then the sync
    /// groups that are not running yet.
    fn start_instances(&mut self, from: usize, new_groups: &[usize]) {
        let now = self.now();
        for i in from..self.runners.len() {
            // Tracking first: an instance whose interface is down starts in FAULT.
            self.apply_tracking(i);
            let Some(r) = self.runners.get_mut(i) else {
                continue;
            };
            let acts = r.inst.startup(now);
            // Startup transitions are not group events: the group starts below.
            if let Some(r) = self.runners.get_mut(i) {
                self.shell.exec(r, acts);
            }
        }
        for &gi in new_groups {
            let mut refs: Vec<&mut Instance> =
                self.runners.iter_mut().map(|r| &mut r.inst).collect();
            let outs = match self.groups.get_mut(gi) {
                Some(g) => g.sg.init(now, &mut refs),
                None => Vec::new(),
            };
            drop(refs);
            self.exec_sync(gi, outs);
        }
    }

    /// Sync groups for the current runners; a group whose plan did not change keeps its
    /// state. Returns the indices of the new groups (to start).
    fn rebuild_groups(&mut self, plans: Vec<GroupPlan>) -> Vec<usize> {
        let old = std::mem::take(&mut self.groups);
        let mut fresh = Vec::new();
        for gp in plans {
            let members: Vec<usize> = gp
                .members
                .iter()
                .filter_map(|m| self.runners.iter().position(|r| &r.plan.core.name == m))
                .collect();
            let kept = old.iter().find(|g| g.plan == gp).map(|g| g.sg.clone());
            let sg = match kept {
                Some(mut sg) => {
                    sg.members = members;
                    sg
                }
                None => {
                    fresh.push(self.groups.len());
                    SyncGroup::new(&gp.name, members)
                }
            };
            self.groups.push(GroupRun { plan: gp, sg });
        }
        fresh
    }

    fn reload(&mut self) {
        let log = |d: &Daemon, s: &str| d.shell.log.line(s);
        log(self, "Reloading ...");
        let Some(path) = self.opts.config_path.clone() else {
            log(self, "Reload not possible: no configuration file name");
            return;
        };
        log(self, &format!("Opening file '{path}'."));
        log(self, &format!("Configuration file {path}"));
        let out = crate::config::keepalived::check_file(
            &path,
            &crate::config::keepalived::Options {
                config_id: self.opts.config_id.clone(),
            },
        );
        log(self, "Reloading");
        for l in &out.lines {
            log(self, l);
        }
        let fail = |d: &Daemon, why: &str| {
            d.shell.log.line(why);
            d.shell
                .log
                .line("Reload failed - keeping the running configuration");
        };
        if out.exit_code == crate::config::keepalived::EXIT_MISSING_PARAMETER {
            return fail(self, "Configuration has a keyword without its value");
        }
        if out.config.vrrp_instances.is_empty() {
            return fail(self, "No vrrp_instance in the new configuration");
        }
        self.apply(out.config);
    }

    /// Switch to a loaded configuration: unchanged instances keep state, sockets and VIPs.
    fn apply(&mut self, config: ir::Config) {
        let fail = |d: &Daemon, why: &str| {
            d.shell.log.line(why);
            d.shell
                .log
                .line("Reload failed - keeping the running configuration");
        };
        self.refresh_links();
        let addrs = match self.shell.nl.addrs() {
            Ok(a) => a,
            Err(e) => return fail(self, &format!("netlink address dump: {e}")),
        };
        let plans = match make_plans(&config, &self.shell.links, &addrs) {
            Ok(p) => p,
            Err(e) => return fail(self, &e.to_string()),
        };
        // Keep unchanged instances (same plan: state, sockets, VIPs); stop the others.
        let mut old = std::mem::take(&mut self.runners);
        let mut kept: Vec<Runner> = Vec::new();
        let mut todo: Vec<Plan> = Vec::new();
        for p in plans {
            match old.iter().position(|r| r.plan == p) {
                Some(i) => kept.push(old.swap_remove(i)),
                None => todo.push(p),
            }
        }
        let now = self.now();
        for mut r in old {
            let acts = r.inst.shutdown(now);
            self.shell.exec(&mut r, acts);
        }
        // keepalived sets the VIPs (and routes) of running masters again: idempotent.
        for r in &kept {
            if r.inst.state() == State::Master {
                // Addresses only: the firewall set already has them.
                self.shell.set_vips_only(r, true);
            }
        }
        self.runners = kept;
        let first_new = self.runners.len();
        for p in todo {
            match self.new_runner(p) {
                Ok(r) => self.runners.push(r),
                Err(e) => self.shell.log.line(&e.to_string()),
            }
        }
        self.cfg = config;
        let ms = |v: Option<u32>| Duration::from_millis(u64::from(v.unwrap_or(0)));
        self.shell.garp_interval = ms(self.cfg.global.vrrp_garp_interval_ms);
        self.shell.gna_interval = ms(self.cfg.global.vrrp_gna_interval_ms);
        self.files = track_files(&self.cfg);
        init_track_files(&self.files, &self.shell.log);
        self.read_files();
        self.init_procs();
        self.start_scripts(scripts(&self.cfg));
        let new_groups = self.rebuild_groups(groups(&self.cfg));
        // Membership may have changed for kept instances too.
        for r in &mut self.runners {
            r.inst.set_sync_member(r.plan.sync_group.is_some());
        }
        self.start_instances(first_new, &new_groups);
        self.shell.log.line("Reload complete");
    }

    /// keepalived's SIGJSON (signal 36): the instances as JSON in /tmp/keepalived.json.
    fn dump_json(&self) {
        let views = self.views();
        let scripts: Vec<(String, String)> = super::from_ir::scripts(&self.cfg)
            .into_iter()
            .map(|s| (s.name, s.args.join(" ")))
            .collect();
        let text = dump::json::json(&self.cfg.global, &views, &scripts);
        if let Err(e) = dump::write_file(dump::JSON_FILE, &text) {
            self.shell
                .log
                .line(&format!("Can't open {} ({e})", dump::JSON_FILE));
        }
    }

    /// Under `tandem run`, the proxy's `/metrics` shows the instances (the feed is set by
    /// `tandem run`; nothing to do otherwise).
    fn publish_metrics(&self) {
        if let Some(feed) = super::METRICS_FEED.get() {
            feed.publish(dump::metrics(&self.views()));
        }
    }

    fn views(&self) -> Vec<dump::InstView<'_>> {
        let wall = SystemTime::now();
        let now = self.now();
        self.runners
            .iter()
            .map(|r| dump::InstView {
                plan: &r.plan,
                inst: &r.inst,
                fds: Some(r.fds),
                last_transition: r.last_transition,
                read_timeout: r
                    .inst
                    .protocol_deadline()
                    .map(|d| wall + d.saturating_sub(now)),
            })
            .collect()
    }

    fn dump_data(&self) {
        let wall = SystemTime::now();
        let now = self.now();
        let views: Vec<dump::InstView<'_>> = self
            .runners
            .iter()
            .map(|r| dump::InstView {
                plan: &r.plan,
                inst: &r.inst,
                fds: Some(r.fds),
                last_transition: r.last_transition,
                read_timeout: r
                    .inst
                    .protocol_deadline()
                    .map(|d| wall + d.saturating_sub(now)),
            })
            .collect();
        let groups: Vec<(&GroupPlan, State)> = self
            .groups
            .iter()
            .map(|g| (&g.plan, g.sg.state()))
            .collect();
        let files: Vec<(&TrackFilePlan, i64)> = self
            .files
            .iter()
            .map(|f| (f, self.shell.file_values.get(&f.name).copied().unwrap_or(0)))
            .collect();
        // a fresh dump: keepalived's interface list follows netlink events, the engine's
        // only the links it uses
        let (links, addrs) = Netlink::open()
            .and_then(|mut nl| Ok((nl.links()?, nl.addrs()?)))
            .unwrap_or_default();
        let host = dump::HostView {
            links: &links,
            addrs: &addrs,
            garp_next: self.shell.garp_next,
            gna_next: None,
        };
        let text = dump::data(&self.cfg.global, &views, &groups, &files, &host);
        if let Err(e) = dump::write_file(dump::DATA_FILE, &text) {
            self.shell
                .log
                .line(&format!("Can't open {} ({e})", dump::DATA_FILE));
        }
    }

    fn dump_stats(&self) {
        let text: String = self
            .runners
            .iter()
            .map(|r| dump::stats_block(&r.plan.core.name, r.inst.stats()))
            .collect();
        if let Err(e) = dump::write_file(dump::STATS_FILE, &text) {
            self.shell
                .log
                .line(&format!("Can't open {} ({e})", dump::STATS_FILE));
        }
    }

    /// The planned stop of `tandem run`: every master sends its priority 0 advert as on a
    /// normal stop but keeps its VIPs (and the proxy keeps answering on them) until an
    /// advert from another router with a priority above 0 arrives for its VRID (the peer
    /// took over and sent its gratuitous ARPs), or `limit` passes; then the VIPs go.
    async fn handover(&mut self, rx: &mut mpsc::UnboundedReceiver<(u64, Rx)>, limit: Duration) {
        let now = self.now();
        let mut waiting: Vec<u64> = Vec::new();
        for i in 0..self.runners.len() {
            let Some(r) = self.runners.get_mut(i) else {
                continue;
            };
            let was_master = r.inst.state() == State::Master;
            let acts: Vec<Action> = r
                .inst
                .shutdown(now)
                .into_iter()
                .filter(|a| !matches!(a, Action::DelVips))
                .collect();
            self.shell.exec(r, acts);
            if was_master {
                waiting.push(r.id);
            }
        }
        for (_, h) in &self.scripts {
            h.abort();
        }
        let end = tokio::time::Instant::now() + limit;
        // After the peer's first advert, the VIPs stay one more advert interval: the
        // peer sent its gratuitous ARPs with that advert, and a client that has not
        // processed them yet still sends its new connections here (measured in the lab:
        // releasing at once lost one request in about one handover of five, a SYN that
        // arrived just after the release).
        let mut release: Vec<(u64, tokio::time::Instant)> = Vec::new();
        while !waiting.is_empty() {
            let next = release.iter().map(|r| r.1).min().unwrap_or(end).min(end);
            let got = tokio::select! {
                m = rx.recv() => m,
                _ = tokio::time::sleep_until(next) => None,
            };
            let now_i = tokio::time::Instant::now();
            if now_i >= end {
                break;
            }
            let due: Vec<u64> = release
                .iter()
                .filter(|r| r.1 <= now_i)
                .map(|r| r.0)
                .collect();
            for id in due {
                if let Some(r) = self.runners.iter().find(|r| r.id == id) {
                    self.shell.log.line(&format!(
                        "({}) the peer is master: releasing the VIPs",
                        r.plan.core.name
                    ));
                    self.shell.set_vips(r, false);
                }
                waiting.retain(|w| *w != id);
                release.retain(|r| r.0 != id);
            }
            let Some((id, pkt)) = got else {
                continue;
            };
            let Some(r) = self.runners.iter().find(|r| r.id == id) else {
                continue;
            };
            if waiting.contains(&id)
                && !release.iter().any(|x| x.0 == id)
                && peer_took_over(&pkt, r.plan.core.vrid)
            {
                release.push((id, now_i + r.plan.core.advert_interval));
            }
        }
        for id in waiting {
            if let Some(r) = self.runners.iter().find(|r| r.id == id) {
                self.shell.log.line(&format!(
                    "({}) no advert from a new master within {limit:?}: releasing the VIPs",
                    r.plan.core.name
                ));
                self.shell.set_vips(r, false);
            }
        }
        for gi in 0..self.groups.len() {
            let outs = match self.groups.get_mut(gi) {
                Some(g) => g.sg.shutdown(),
                None => Vec::new(),
            };
            self.exec_sync(gi, outs);
        }
    }

    fn shutdown(&mut self) {
        let now = self.now();
        for i in 0..self.runners.len() {
            if let Some(r) = self.runners.get_mut(i) {
                let acts = r.inst.shutdown(now);
                self.shell.exec(r, acts);
            }
        }
        for gi in 0..self.groups.len() {
            let outs = match self.groups.get_mut(gi) {
                Some(g) => g.sg.shutdown(),
                None => Vec::new(),
            };
            self.exec_sync(gi, outs);
        }
        for (_, h) in &self.scripts {
            h.abort();
        }
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
    let code = match rt.block_on(run_async(cfg, opts, None)) {
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

/// The engine inside another process's tokio runtime (`tandem run`): no signal handlers of
/// its own (the embedding translates them into [`Control`]s); returns after
/// [`Control::Stop`]. Pid files are the embedding's business.
pub async fn run_embedded(
    cfg: &ir::Config,
    opts: &RunOptions,
    emb: Embedding,
) -> Result<(), EngineError> {
    run_async(cfg, opts, Some(emb)).await
}

/// A signal stream, or one that never fires (embedded: the embedding owns the signals).
async fn recv_sig(s: &mut Option<tokio::signal::unix::Signal>) {
    match s {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

async fn recv_ctl(c: &mut Option<mpsc::UnboundedReceiver<Control>>) -> Control {
    match c {
        Some(c) => match c.recv().await {
            Some(m) => m,
            // The embedding is gone: stop as on SIGTERM.
            None => Control::Stop { handover: None },
        },
        None => std::future::pending().await,
    }
}

async fn run_async(
    cfg: &ir::Config,
    opts: &RunOptions,
    emb: Option<Embedding>,
) -> Result<(), EngineError> {
    let (mut control, proxy) = match emb {
        Some(e) => (Some(e.control), e.proxy),
        None => (None, None),
    };
    let standalone = control.is_none();
    let log = Log::new(
        opts.log_console,
        opts.log_detail,
        !opts.no_syslog,
        opts.log_facility.as_deref(),
    );
    // keepalived's parent logs this when it forks the VRRP child; tandem is that process.
    log.line(&format!(
        "Starting VRRP child process, pid={}",
        std::process::id()
    ));
    for l in notify_user_lines(cfg)
        .into_iter()
        .chain(insecure_script_lines(cfg))
    {
        log.line(&l);
    }
    // What this configuration asks for that tandem does not do (grammar/keepalived.tbl).
    if let Some(path) = &opts.config_path {
        let id = opts
            .config_id
            .clone()
            .unwrap_or_else(crate::config::keepalived::sys::hostname);
        for l in super::audit::unacted(path, &id) {
            log.line(&l);
        }
    }
    let (fifo_path, fifo_script) = super::fifo::configured(&cfg.global);
    let fifo = fifo_path
        .as_deref()
        .and_then(|p| match super::fifo::Fifo::open(p) {
            Ok(f) => Some(f),
            Err(e) => {
                log.line(&format!("Unable to open notify fifo {p} - {e}"));
                None
            }
        });
    // The FIFO's reader: started once with the FIFO as its last argument, stopped with us.
    let mut fifo_child = match (&fifo, &fifo_path, fifo_script) {
        (Some(_), Some(p), Some(mut cmd)) if !cmd.is_empty() => {
            cmd.push(p.clone());
            std::process::Command::new(&cmd[0])
                .args(&cmd[1..])
                .stdin(std::process::Stdio::null())
                .spawn()
                .map_err(|e| log.line(&format!("cannot run notify fifo script {}: {e}", cmd[0])))
                .ok()
        }
        _ => None,
    };
    let mut nl = Netlink::open().map_err(io_err("netlink socket"))?;
    let links = nl.links().map_err(io_err("netlink link dump"))?;
    let addrs = nl.addrs().map_err(io_err("netlink address dump"))?;
    let plans = make_plans(cfg, &links, &addrs)?;
    let ms = |v: Option<u32>| Duration::from_millis(u64::from(v.unwrap_or(0)));
    let (rx_tx, mut rx) = mpsc::unbounded_channel();
    let (script_tx, mut srx) = mpsc::unbounded_channel();
    let mut d = Daemon {
        shell: Shell {
            nl,
            links,
            garp: HashMap::new(),
            na: HashMap::new(),
            script_ok: HashMap::new(),
            file_values: HashMap::new(),
            proc_quorum: HashMap::new(),
            garp_interval: ms(cfg.global.vrrp_garp_interval_ms),
            garp_next: None,
            gna_interval: ms(cfg.global.vrrp_gna_interval_ms),
            log,
            fifo,
            fw: None,
            fw_missing: false,
            log_opts: (
                opts.log_console,
                opts.log_detail,
                !opts.no_syslog,
                opts.log_facility.clone(),
            ),
        },
        runners: Vec::new(),
        groups: Vec::new(),
        scripts: Vec::new(),
        files: track_files(cfg),
        procs: track::ProcessTracker::default(),
        cfg: cfg.clone(),
        opts: opts.clone(),
        start: tokio::time::Instant::now(),
        rx_tx,
        script_tx,
        next_id: 1,
        proxy,
        takeovers: Default::default(),
    };
    if d.proxy.is_none() && plans.iter().any(|p| !p.track_backends.is_empty()) {
        d.shell.log.line(
            "WARNING - track_backend is a tandem extension that needs the proxy engine in the \
             same process (tandem run); ignored here",
        );
    }
    // Said at start, not at the first MASTER: an operator should learn it at once.
    if plans.iter().any(|p| p.block_vips) {
        let _ = d.shell.firewall();
    }
    for p in plans {
        let r = d.new_runner(p)?;
        d.runners.push(r);
    }
    init_track_files(&d.files, &d.shell.log);
    d.read_files();
    d.init_procs();
    d.start_scripts(scripts(cfg));
    let new_groups = d.rebuild_groups(groups(cfg));
    let sig = |k: SignalKind, what: &str| -> Result<_, EngineError> {
        if standalone {
            signal(k).map(Some).map_err(io_err(what.to_string()))
        } else {
            Ok(None)
        }
    };
    let mut term = sig(SignalKind::terminate(), "SIGTERM handler")?;
    let mut int = sig(SignalKind::interrupt(), "SIGINT handler")?;
    let mut hup = sig(SignalKind::hangup(), "SIGHUP handler")?;
    let mut usr1 = sig(SignalKind::user_defined1(), "SIGUSR1 handler")?;
    let mut usr2 = sig(SignalKind::user_defined2(), "SIGUSR2 handler")?;
    // keepalived 2.2.7's SIGJSON is SIGRTMIN+2 (`keepalived --signum=JSON` prints 36)
    let mut sigjson = sig(SignalKind::from_raw(36), "SIGJSON handler")?;
    let mut handover = None;

    d.shell.log.line("Startup complete");
    d.start_instances(0, &new_groups);
    let mut poll = tokio::time::interval(LINK_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let now = d.now();
        let next = d
            .runners
            .iter()
            .filter_map(|r| r.inst.next_deadline())
            .min();
        let wake = d.start + next.unwrap_or(now + Duration::from_secs(3600));
        tokio::select! {
            _ = recv_sig(&mut term) => break,
            _ = recv_sig(&mut int) => break,
            _ = recv_sig(&mut hup) => d.reload(),
            _ = recv_sig(&mut usr1) => {
                d.shell.log.line(&format!(
                    "Printing VRRP data for process({}) on signal",
                    std::process::id()
                ));
                d.dump_data();
            }
            _ = recv_sig(&mut usr2) => {
                d.shell.log.line(&format!(
                    "Printing VRRP stats for process({}) on signal",
                    std::process::id()
                ));
                d.dump_stats();
            }
            _ = recv_sig(&mut sigjson) => {
                d.shell.log.line(&format!(
                    "Printing VRRP as json for process({}) on signal",
                    std::process::id()
                ));
                d.dump_json();
            }
            c = recv_ctl(&mut control) => match c {
                Control::Reload(cfg) => {
                    d.shell.log.line("Reloading ...");
                    d.apply(*cfg);
                }
                Control::DumpData => d.dump_data(),
                Control::DumpStats => d.dump_stats(),
                Control::DumpJson => {
                    d.shell.log.line(&format!(
                        "Printing VRRP as json for process({}) on signal",
                        std::process::id()
                    ));
                    d.dump_json();
                }
                Control::Stop { handover: h } => {
                    handover = h;
                    break;
                }
            },
            m = rx.recv() => {
                let Some((id, pkt)) = m else { break };
                d.packet(id, pkt);
            }
            Some((name, ok, detail)) = srx.recv() => d.script_result(&name, ok, &detail),
            _ = poll.tick() => {
                d.refresh_links();
                d.read_files();
                d.read_procs();
                d.apply_all_tracking();
                d.publish_metrics();
            }
            _ = tokio::time::sleep_until(wake) => d.timers(),
        }
    }
    d.shell.log.line("Stopping");
    match handover {
        Some(limit) => d.handover(&mut rx, limit).await,
        None => d.shutdown(),
    }
    d.takeovers.clear();
    if let Some(mut fw) = d.shell.fw.take() {
        fw.teardown();
    }
    if let Some(c) = &mut fifo_child {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        // Bounded: a reader that ignores SIGTERM must not hold up the stop.
        for _ in 0..50 {
            if matches!(c.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
    d.shell.log.line("Stopped");
    Ok(())
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
    send.set_unicast_hops_v6(u32::from(p.send_ttl))
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
    send.set_ttl_v4(u32::from(p.send_ttl))
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

/// A VRRP advert for `vrid` with a priority above 0 (another router is master): IPv4 with
/// its header, IPv6 as payload. Our own adverts never come back (no multicast loop).
fn peer_took_over(pkt: &Rx, vrid: u8) -> bool {
    let vrrp = match pkt {
        Rx::V4(p) => {
            let ihl = usize::from(p.first().copied().unwrap_or(0) & 0x0f) * 4;
            p.get(ihl..).unwrap_or(&[])
        }
        Rx::V6 { payload, .. } => payload.as_slice(),
    };
    vrrp.get(1) == Some(&vrid) && vrrp.get(2).is_some_and(|p| *p > 0)
}

/// The sender of a VRRP advert with priority 0 (a master that stops), for the takeover.
/// IPv4 with its header (the source at bytes 12..16), IPv6 as payload with its source.
fn priority_zero_from(pkt: &Rx) -> Option<IpAddr> {
    let (src, vrrp) = match pkt {
        Rx::V4(p) => {
            let ihl = usize::from(p.first().copied()? & 0x0f) * 4;
            let s: [u8; 4] = p.get(12..16)?.try_into().ok()?;
            (IpAddr::from(s), p.get(ihl..)?)
        }
        Rx::V6 { src, payload, .. } => (IpAddr::V6(*src), payload.as_slice()),
    };
    // Version/type byte: an advertisement (type 1) of VRRPv2 or v3.
    let advert = vrrp.first().is_some_and(|b| b & 0x0f == 1);
    (advert && vrrp.get(2) == Some(&0)).then_some(src)
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
    id: u64,
    sock: Socket,
    ipv6: bool,
    tx: mpsc::UnboundedSender<(u64, Rx)>,
) -> io::Result<tokio::task::JoinHandle<()>> {
    // A raw socket is a datagram socket as far as recv(2) goes: tokio's UdpSocket wraps it
    // safely and gives us readiness-driven, non-blocking receives.
    let sock = tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(sock))?;
    Ok(tokio::spawn(async move {
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
                    if tx.send((id, rx)).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // e.g. ENETDOWN while the link is down: retry without spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }))
}

fn write_pid(path: &Option<String>) {
    if let Some(p) = path {
        let _ = std::fs::write(p, format!("{}\n", std::process::id()));
    }
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
            ..Link::default()
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
    fn process_quorum_fault_and_weights() {
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
            send_ttl: 255,
            notify: Default::default(),
            track_ifaces: vec![],
            track_scripts: vec![],
            track_files: vec![],
            track_processes: vec![],
            routes: vec![],
            sync_group: None,
            block_vips: false,
            track_backends: vec![],
        };
        let r = |name: &str, weight, reverse| TrackScriptRef {
            name: name.into(),
            weight,
            reverse,
        };
        let q = |v: bool| HashMap::from([("tp".to_string(), v)]);
        p.track_processes = vec![r("tp", 0, false)];
        assert_eq!(process_result(&p, &q(true)), (false, 0));
        assert_eq!(process_result(&p, &q(false)), (true, 0));
        p.track_processes = vec![r("tp", 10, false)];
        assert_eq!(process_result(&p, &q(true)), (false, 10));
        assert_eq!(process_result(&p, &q(false)), (false, 0));
        p.track_processes = vec![r("tp", -10, false)];
        assert_eq!(process_result(&p, &q(false)), (false, -10));
        p.track_processes = vec![r("tp", 10, true)];
        assert_eq!(process_result(&p, &q(false)), (false, 10));
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
            ..Link::default()
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
            send_ttl: 255,
            notify: Default::default(),
            track_scripts: vec![],
            track_files: vec![],
            track_processes: vec![],
            routes: vec![],
            sync_group: None,
            block_vips: false,
            track_backends: vec![],
            track_ifaces: vec![TrackIf {
                name: "eth0".into(),
                weight: None,
                reverse: false,
            }],
        };
        assert_eq!(
            track_result(&p, &[link("eth0", true)], &HashMap::new(), &HashMap::new()),
            (false, 0)
        );
        assert_eq!(
            track_result(&p, &[link("eth0", false)], &HashMap::new(), &HashMap::new()),
            (true, 0)
        );
        assert_eq!(
            track_result(&p, &[], &HashMap::new(), &HashMap::new()),
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
                &HashMap::new(),
                &HashMap::new()
            ),
            (false, 5)
        );
        assert_eq!(
            track_result(
                &p,
                &[link("a", false), link("b", false), link("c", false)],
                &HashMap::new(),
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
            send_ttl: 255,
            notify: Default::default(),
            track_ifaces: vec![],
            track_files: vec![],
            track_processes: vec![],
            routes: vec![],
            sync_group: None,
            block_vips: false,
            track_backends: vec![],
            track_scripts: vec![TrackScriptRef {
                name: "chk".into(),
                weight: -20,
                reverse: false,
            }],
        };
        let state = |ok| HashMap::from([("chk".to_string(), ok)]);
        assert_eq!(
            track_result(&p, &[], &state(true), &HashMap::new()),
            (false, 0)
        );
        assert_eq!(
            track_result(&p, &[], &state(false), &HashMap::new()),
            (false, -20)
        );
        p.track_scripts[0].weight = 0;
        assert_eq!(
            track_result(&p, &[], &state(false), &HashMap::new()),
            (true, 0)
        );
        p.track_scripts[0].weight = 10;
        assert_eq!(
            track_result(&p, &[], &state(true), &HashMap::new()),
            (false, 10)
        );

        let mut st = ScriptState {
            plan: ScriptPlan {
                name: "chk".into(),
                args: vec!["/bin/true".into()],
                interval: Duration::from_secs(1),
                timeout: Duration::from_secs(1),
                rise: 2,
                fall: 3,
                init_fail: false,
                ids: None,
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
    fn vrid_of_packet() {
        let mut p = vec![0x45u8];
        p.resize(20, 0);
        p.extend_from_slice(&[0x21, 51, 100, 1]);
        assert_eq!(packet_vrid(&p), Some(51));
        assert_eq!(packet_vrid(&p[..20]), None);
    }
}
