//! Listeners: every `bind` line of every enabled frontend / `listen`
//! section to listening sockets, then accept loops that hand connections to
//! the HTTP session or the TCP relay.
//!
//! Binding ([`bind_all`]) is synchronous (socket2) so that it happens before
//! the process forks into a daemon and before the tokio runtime exists;
//! [`serve_all`] then runs the accept loops inside the runtime.
//!
//! Messages were measured with HAProxy 2.6.12:
//! - `Binding [FILE:LINE] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:24561]`
//!   (an alert; `proxy` instead of `frontend` for a `listen` section; IPv6 shown
//!   `[::1:24591]`), every bind is tried, then
//!   `[haproxy.main()] Some protocols failed to start their listeners! Exiting.`, exit 1;
//! - `interface bogus0`: a warning `... cannot bind receiver to device 'bogus0' (No such
//!   device) for [127.0.0.1:24581]`, and it starts anyway;
//! - `transparent` without the right to: HAProxy 2.6.12 starts silently (measured as an
//!   unprivileged user), so tandem does the same.

use crate::proxy::stats::Rejected;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};

use crate::config::diag::Level;
use crate::ir::haproxy as ir;
use crate::ir::haproxy::expr::{AddrFamily, Bind};
use crate::proxy::acl::TableLookup;
use crate::proxy::engine::{Engine, Frontend, Mode};
use crate::proxy::http::ClientConn;
use crate::proxy::rules::{Ext, HttpRules, RulesEnv, TcpConn, TcpRules, TcpVerdict};
use crate::proxy::stick::SessionCounters;
use crate::proxy::tcp::proxy_proto;
use crate::runtime::handover::Inherited;

/// One bound, listening socket.
pub struct BoundSocket {
    /// Index in `Engine::frontends()`.
    pub fe_idx: usize,
    pub bind: Arc<Bind>,
    pub addr: SocketAddr,
    /// What identifies the socket across reloads (see [`listener_key`]).
    pub key: String,
    /// A TCP or a unix stream socket (`addr` is meaningless for the latter).
    pub unix: bool,
    /// `sockpair@N`: `sock` is a connected unix socket over which each
    /// message carries one client connection (SCM_RIGHTS), not a listener.
    pub sockpair: bool,
    pub sock: Socket,
    /// `ssl` binds: the TLS acceptor (rustls, see `proxy::tls`).
    pub tls: Option<crate::proxy::tls::Acceptor>,
}

impl std::fmt::Debug for BoundSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundSocket")
            .field("fe_idx", &self.fe_idx)
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// What binding produced: sockets, messages in HAProxy's order, and whether
/// a fatal error happened (then the process must exit 1).
#[derive(Debug, Default)]
pub struct BindResult {
    pub sockets: Vec<BoundSocket>,
    pub msgs: Vec<(Level, String)>,
    pub failed: bool,
    /// Listeners not opened on purpose (`ssl` binds).
    pub skipped: usize,
    /// How many sockets were taken over from the previous generation.
    pub reused: usize,
}

/// How to bind.
#[derive(Debug, Clone, Copy)]
pub struct BindSettings {
    /// SO_REUSEPORT (HAProxy's default on Linux; `-dR` / `noreuseport` turn it off).
    pub reuseport: bool,
    /// The global maxconn, the default backlog.
    pub global_maxconn: u64,
}

/// `[127.0.0.1:80]` / `[::1:80]` as HAProxy prints a listener.
fn shown(addr: &SocketAddr) -> String {
    format!("[{}:{}]", addr.ip(), addr.port())
}

fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(k) => s[..k].to_string(),
        None => s,
    }
}

/// The socket addresses of one bind line (each address, each port of a range).
pub fn bind_addrs(b: &Bind) -> Vec<SocketAddr> {
    let mut out = Vec::new();
    for a in &b.addresses {
        let ip = match (a.family, a.ip) {
            (AddrFamily::Ipv4 | AddrFamily::Ipv6 | AddrFamily::Unspec, Some(ip)) => ip,
            (AddrFamily::Ipv6, None) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            (AddrFamily::Ipv4 | AddrFamily::Unspec, None) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            _ => continue,
        };
        let lo = a.port_low.clamp(0, 65535);
        let hi = a.port_high.clamp(lo, 65535);
        for p in lo..=hi {
            out.push(SocketAddr::new(ip, p as u16));
        }
    }
    out
}

/// Number of listening sockets a config opens (for the FD budget).
pub fn listener_count(cfg: &ir::Config) -> u64 {
    let binds: usize = cfg
        .proxies
        .iter()
        .filter(|p| p.kind.is_frontend() && !p.disabled)
        .flat_map(|p| p.binds.iter())
        .map(|b| {
            let local = b
                .value
                .addresses
                .iter()
                .filter(|a| {
                    !matches!(
                        a.family,
                        AddrFamily::Ipv4 | AddrFamily::Ipv6 | AddrFamily::Unspec
                    )
                })
                .count();
            bind_addrs(&b.value).len() + local
        })
        .sum();
    (binds + cfg.global.stats_sockets.len()) as u64
}

/// The backlog HAProxy passes to listen(): bind `backlog`, else the
/// frontend's `backlog`, else its `maxconn` (which defaults to the global one).
fn backlog_of(b: &Bind, fe: &Frontend, global_maxconn: u64) -> i32 {
    let s = &fe.ir.settings;
    let v = b
        .opts
        .backlog
        .filter(|v| *v > 0)
        .or(s.backlog.filter(|v| *v > 0))
        .or(s.maxconn.filter(|v| *v > 0))
        .unwrap_or(global_maxconn as i64);
    v.clamp(1, i64::from(i32::MAX)) as i32
}

/// The identity of a TCP listener across reloads: its address and the options
/// that are fixed once the socket is bound. A new generation reuses the old
/// socket only when all of them are unchanged (HAProxy compares the same
/// things when it takes sockets over with `-x`).
pub fn listener_key(addr: &SocketAddr, b: &Bind) -> String {
    let o = &b.opts;
    format!(
        "tcp {addr} v6only={} v4v6={} transparent={} if={} ns={}",
        o.v6only,
        o.v4v6,
        o.transparent,
        o.interface.as_deref().unwrap_or(""),
        o.namespace.as_deref().unwrap_or("")
    )
}

/// What a socket received with `-x` must match to serve this listener
/// (HAProxy's `sock_find_compatible_fd()`: address, interface, namespace,
/// foreign, and v6only as the socket will really have it).
pub fn compat_key(addr: &SocketAddr, b: &Bind) -> String {
    let o = &b.opts;
    let v6only = o.v6only || (bindv6only_default() && !o.v4v6);
    crate::runtime::handover::compat_key_inet(
        addr,
        o.transparent,
        v6only,
        o.interface.as_deref().unwrap_or(""),
        o.namespace.as_deref().unwrap_or(""),
    )
}

/// net.ipv6.bindv6only: what IPV6_V6ONLY a new IPv6 socket starts with.
fn bindv6only_default() -> bool {
    std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only").is_ok_and(|s| s.trim() == "1")
}

/// Take an inherited listening socket over: the backlog and `defer-accept`
/// of the new configuration apply to it.
fn reuse_one(fd: std::os::fd::OwnedFd, b: &Bind, fe: &Frontend, set: &BindSettings) -> Socket {
    let sock = Socket::from(fd);
    let _ = sock.set_nonblocking(true);
    let _ = crate::runtime::sys::set_defer_accept(&sock, i32::from(b.opts.defer_accept));
    let _ = sock.listen(backlog_of(b, fe, set.global_maxconn));
    sock
}

fn open_one(
    addr: SocketAddr,
    b: &Bind,
    fe: &Frontend,
    set: &BindSettings,
    msgs: &mut Vec<(Level, String)>,
    what: &str,
) -> Result<Socket, String> {
    let fail =
        |m: &str, e: &std::io::Error| format!("{what}: {m} ({}) for {}", strerror(e), shown(&addr));
    let dom = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let new_sock = || Socket::new(dom, Type::STREAM.nonblocking(), Some(Protocol::TCP));
    // `namespace NAME`: as HAProxy's my_socketat(), the socket is created inside
    // /var/run/netns/NAME (setns there and back); it lives there from then on.
    let sock = match &b.opts.namespace {
        Some(ns) => crate::runtime::sys::in_netns(ns, new_sock),
        None => new_sock(),
    }
    .map_err(|e| fail("cannot create listening socket", &e))?;
    let _ = sock.set_reuse_address(true);
    if set.reuseport {
        let _ = sock.set_reuse_port(true);
    }
    if addr.is_ipv6() {
        if b.opts.v6only {
            let _ = sock.set_only_v6(true);
        } else if b.opts.v4v6 {
            let _ = sock.set_only_v6(false);
        }
    }
    if b.opts.transparent {
        // HAProxy's sock_inet_make_foreign(): IP_TRANSPARENT (needs CAP_NET_ADMIN),
        // else IP_FREEBIND (unprivileged), so that a backup node binds a VRRP VIP it
        // does not hold yet. HAProxy 2.6.12 starts silently when neither works.
        let t = if addr.is_ipv4() {
            sock.set_ip_transparent_v4(true)
        } else {
            sock.set_ip_transparent_v6(true)
        };
        if t.is_err() {
            let _ = crate::runtime::sys::set_freebind(&sock, addr.is_ipv6());
        }
    }
    if let Some(ifname) = &b.opts.interface
        && let Err(e) = sock.bind_device(Some(ifname.as_bytes()))
    {
        msgs.push((
            Level::Warning,
            format!(
                "{what}: cannot bind receiver to device '{ifname}' ({}) for {}",
                strerror(&e),
                shown(&addr)
            ),
        ));
    }
    sock.bind(&addr.into())
        .map_err(|e| fail("cannot bind socket", &e))?;
    if b.opts.defer_accept {
        let _ = crate::runtime::sys::set_defer_accept(&sock, 1);
    }
    sock.listen(backlog_of(b, fe, set.global_maxconn))
        .map_err(|e| fail("cannot listen to socket", &e))?;
    Ok(sock)
}

enum LocalError {
    /// Not opened, with a warning (the rest of the configuration runs).
    Skip(String),
    /// Fatal, with an alert.
    Fatal(String),
}

/// `unix@PATH` / a plain path, `abns@NAME`, `fd@N`: the socket, its key, whether
/// it is a unix socket, and whether it was inherited.
fn open_local(
    a: &ir::expr::Address,
    b: &Bind,
    fe: &Frontend,
    set: &BindSettings,
    inherited: &mut Inherited,
    what: &str,
) -> Result<(Socket, String, bool, bool), LocalError> {
    use crate::runtime::sys;
    let backlog = backlog_of(b, fe, set.global_maxconn);
    match a.family {
        AddrFamily::Fd => {
            let n = a.fd.or_else(|| a.host.parse().ok()).ok_or_else(|| {
                LocalError::Fatal(format!("{what}: bad file descriptor '{}'", a.host))
            })?;
            let key = format!("fd {n}");
            let (fd, reused) = match inherited.take(&key) {
                Some(fd) => (fd, true),
                None => (
                    sys::dup_fd(n).map_err(|e| {
                        LocalError::Fatal(format!(
                            "config : parsing [{}:{}] : 'bind' : cannot use file descriptor '{n}' : {}.",
                            b.file,
                            b.line,
                            strerror(&e)
                        ))
                    })?,
                    false,
                ),
            };
            let sock = Socket::from(fd);
            if !matches!(sys::socket_type(&sock), Ok(t) if t == libc::SOCK_STREAM) {
                return Err(LocalError::Fatal(format!(
                    "{what}: file descriptor {n} is not a stream socket [fd@{n}]"
                )));
            }
            let _ = sock.set_nonblocking(true);
            // Inherited already listening (systemd socket activation) or only bound.
            if !sys::is_listening(&sock) || reused {
                sock.listen(backlog).map_err(|e| {
                    LocalError::Fatal(format!(
                        "{what}: cannot listen to socket ({}) [fd@{n}]",
                        strerror(&e)
                    ))
                })?;
            }
            let unix = sock
                .local_addr()
                .map(|a| a.as_socket().is_none())
                .unwrap_or(false);
            Ok((sock, key, unix, reused))
        }
        AddrFamily::Unix | AddrFamily::Abns => {
            let abstract_ns = a.family == AddrFamily::Abns;
            let key = format!("{} {}", if abstract_ns { "abns" } else { "unix" }, a.host);
            let compat = if abstract_ns {
                crate::runtime::handover::compat_key_abns(&a.host)
            } else {
                crate::runtime::handover::compat_key_unix(&a.host)
            };
            if let Some(fd) = inherited.take(&key).or_else(|| inherited.take(&compat)) {
                let sock = Socket::from(fd);
                let _ = sock.set_nonblocking(true);
                let _ = sock.listen(backlog);
                return Ok((sock, key, true, true));
            }
            let sock = if abstract_ns {
                bind_abns(&a.host)
            } else {
                bind_unix_path(&a.host, b)
            }
            .map_err(|e| {
                LocalError::Fatal(format!(
                    "{what}: cannot bind UNIX socket ({}) [{}]",
                    strerror(&e),
                    a.host
                ))
            })?;
            sock.listen(backlog).map_err(|e| {
                LocalError::Fatal(format!(
                    "{what}: cannot listen to UNIX socket ({}) [{}]",
                    strerror(&e),
                    a.host
                ))
            })?;
            Ok((sock, key, true, false))
        }
        AddrFamily::Sockpair => {
            // HAProxy's sockpair@N: N is a connected unix socket; whoever holds its
            // other end passes each client connection over it (2 bytes + SCM_RIGHTS).
            let n = a.fd.or_else(|| a.host.parse().ok()).ok_or_else(|| {
                LocalError::Fatal(format!("{what}: bad file descriptor '{}'", a.host))
            })?;
            let key = format!("sockpair {n}");
            let fd = match inherited.take(&key) {
                Some(fd) => fd,
                None => sys::dup_fd(n).map_err(|e| {
                    LocalError::Fatal(format!(
                        "config : parsing [{}:{}] : 'bind' : cannot use file descriptor '{n}' : {}.",
                        b.file,
                        b.line,
                        strerror(&e)
                    ))
                })?,
            };
            let sock = Socket::from(fd);
            let _ = sock.set_nonblocking(true);
            Ok((sock, key, true, false))
        }
        _ => Err(LocalError::Skip(format!(
            "{what}: address '{}' is not supported by this build of tandem; listener not started.",
            a.text
        ))),
    }
}

fn bind_abns(name: &str) -> std::io::Result<Socket> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
    let l = std::os::unix::net::UnixListener::bind_addr(&addr)?;
    l.set_nonblocking(true)?;
    Ok(Socket::from(std::os::fd::OwnedFd::from(l)))
}

/// A unix socket at `path`, as HAProxy creates it: bound under a temporary name,
/// given its `mode`/`user`/`group`, then renamed over the final path, so a
/// socket file left by a previous process is replaced atomically.
fn bind_unix_path(path: &str, b: &Bind) -> std::io::Result<Socket> {
    use crate::runtime::sys;
    let tmp = format!("{path}.{}.tmp", std::process::id());
    let _ = std::fs::remove_file(&tmp);
    let l = std::os::unix::net::UnixListener::bind(&tmp)?;
    let done = (|| {
        if let Some(m) = b.opts.mode {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(m))?;
        }
        let uid = b
            .opts
            .uid
            .and_then(|u| u32::try_from(u).ok())
            .or_else(|| b.opts.user.as_deref().and_then(sys::uid_of));
        let gid = b
            .opts
            .gid
            .and_then(|g| u32::try_from(g).ok())
            .or_else(|| b.opts.group.as_deref().and_then(sys::gid_of));
        if uid.is_some() || gid.is_some() {
            sys::chown(std::path::Path::new(&tmp), uid, gid)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    l.set_nonblocking(true)?;
    Ok(Socket::from(std::os::fd::OwnedFd::from(l)))
}

/// Bind every listener of every enabled frontend, in config order. Every
/// bind is attempted even after a failure, as HAProxy does.
/// Sockets in `inherited` (the previous worker's, handed over by the master)
/// are reused when their key matches; the caller drops the rest.
pub fn bind_all(
    engine: &Engine,
    global: &ir::Global,
    set: &BindSettings,
    inherited: &mut Inherited,
) -> BindResult {
    let mut r = BindResult::default();
    for (fe_idx, fe) in engine.frontends().iter().enumerate() {
        if fe.ir.disabled {
            continue;
        }
        let kind = if fe.ir.kind == ir::ProxyKind::Listen {
            "proxy"
        } else {
            "frontend"
        };
        for b in &fe.ir.binds {
            let bind = Arc::new(b.value.clone());
            let what = format!(
                "Binding [{}:{}] for {kind} {}",
                b.span.file, b.span.line, fe.name
            );
            let tls = if bind.opts.ssl {
                match crate::proxy::tls::ServerTls::new(global, &bind) {
                    Ok(t) => {
                        for n in &t.notes {
                            r.msgs.push((
                                Level::Warning,
                                format!(
                                    "config : parsing [{}:{}] : 'bind {}' : {n}",
                                    b.span.file, b.span.line, bind.text
                                ),
                            ));
                        }
                        Some(crate::proxy::tls::Acceptor::new(&t))
                    }
                    Err(e) => {
                        r.msgs.push((
                            Level::Alert,
                            format!(
                                "config : parsing [{}:{}] : 'bind {}' : {e}",
                                b.span.file, b.span.line, bind.text
                            ),
                        ));
                        r.failed = true;
                        continue;
                    }
                }
            } else {
                None
            };
            for a in bind.addresses.iter().filter(|a| {
                !matches!(
                    a.family,
                    AddrFamily::Ipv4 | AddrFamily::Ipv6 | AddrFamily::Unspec
                )
            }) {
                match open_local(a, &bind, fe, set, inherited, &what) {
                    Ok((sock, key, unix, reused)) => {
                        r.reused += usize::from(reused);
                        let addr = if unix {
                            SocketAddr::from(([0, 0, 0, 0], 0))
                        } else {
                            sock.local_addr()
                                .ok()
                                .and_then(|a| a.as_socket())
                                .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
                        };
                        r.sockets.push(BoundSocket {
                            fe_idx,
                            bind: bind.clone(),
                            addr,
                            sockpair: a.family == AddrFamily::Sockpair,
                            key,
                            unix,
                            sock,
                            tls: tls.clone(),
                        });
                    }
                    Err(LocalError::Skip(m)) => {
                        r.msgs.push((Level::Warning, m));
                        r.skipped += 1;
                    }
                    Err(LocalError::Fatal(m)) => {
                        r.msgs.push((Level::Alert, m));
                        r.failed = true;
                    }
                }
            }
            for addr in bind_addrs(&bind) {
                let key = listener_key(&addr, &bind);
                let compat = compat_key(&addr, &bind);
                let opened = match inherited.take(&key).or_else(|| inherited.take(&compat)) {
                    Some(fd) => {
                        r.reused += 1;
                        Ok(reuse_one(fd, &bind, fe, set))
                    }
                    None => open_one(addr, &bind, fe, set, &mut r.msgs, &what),
                };
                match opened {
                    Ok(sock) => r.sockets.push(BoundSocket {
                        fe_idx,
                        bind: bind.clone(),
                        addr,
                        key,
                        unix: false,
                        sockpair: false,
                        sock,
                        tls: tls.clone(),
                    }),
                    Err(m) => {
                        r.msgs.push((Level::Alert, m));
                        r.failed = true;
                    }
                }
            }
        }
    }
    r
}

/// Live connections, for the soft stop (exit when it drops to zero).
#[derive(Debug, Default)]
pub struct ConnTracker {
    active: AtomicUsize,
    zero: Notify,
}

/// Held by each connection task.
#[derive(Debug)]
pub struct ConnGuard(Arc<ConnTracker>);

impl ConnTracker {
    pub fn enter(self: &Arc<Self>) -> ConnGuard {
        self.active.fetch_add(1, Ordering::SeqCst);
        ConnGuard(self.clone())
    }

    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Resolves once no connection is left.
    pub async fn idle(&self) {
        loop {
            let n = self.zero.notified();
            if self.active() == 0 {
                return;
            }
            n.await;
        }
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.zero.notify_waiters();
        }
    }
}

/// Per-proxy cumulated counters (for `Proxy X stopped (cumulated conns: FE: n, BE: m).`).
#[derive(Debug, Default)]
pub struct Counters {
    /// Frontend connections accepted, by frontend index.
    pub fe: Vec<AtomicU64>,
    /// Backend connections established by TCP-mode sessions, by backend name.
    pub be: std::sync::Mutex<std::collections::HashMap<String, u64>>,
}

impl Counters {
    pub fn note_backend(&self, name: &str) {
        let mut m = self.be.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(name.to_string()).or_default() += 1;
    }

    pub fn backend(&self, name: &str) -> u64 {
        let m = self.be.lock().unwrap_or_else(|e| e.into_inner());
        m.get(name).copied().unwrap_or(0)
    }
}

/// Compiled per-frontend state the accept loops share.
pub struct FrontendRt {
    pub fe: Arc<Frontend>,
    pub tcp_rules: Option<TcpRules>,
    /// For `use_backend` selection in TCP mode.
    pub http_rules: Option<HttpRules>,
    /// Frontend `maxconn` (default: the global one).
    pub permits: Arc<Semaphore>,
    /// How many permits `permits` was given in all (`set maxconn frontend` resizes it).
    applied: std::sync::Mutex<u64>,
}

impl std::fmt::Debug for FrontendRt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontendRt")
            .field("fe", &self.fe.name)
            .finish()
    }
}

/// Shared by every accept loop.
#[derive(Debug)]
pub struct Shared {
    pub engine: Arc<Engine>,
    pub frontends: Vec<Arc<FrontendRt>>,
    pub global_permits: Arc<Semaphore>,
    pub conns: Arc<ConnTracker>,
    pub counters: Arc<Counters>,
    /// SIGTTOU (true) / SIGTTIN (false).
    pub paused: watch::Receiver<bool>,
    /// `-dS`: never splice.
    pub no_splice: bool,
}

/// Why the per-frontend rules could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("proxy '{proxy}': {source}")]
pub struct CompileError {
    pub proxy: String,
    #[source]
    pub source: crate::proxy::rules::RulesError,
}

/// Compile what the accept loops need for every frontend.
pub fn frontends_rt(
    cfg: &ir::Config,
    engine: &Engine,
    base_dir: &std::path::Path,
    global_maxconn: u64,
) -> Result<Vec<Arc<FrontendRt>>, CompileError> {
    let users = crate::proxy::acl::CompileEnv::userlists(cfg);
    let env = RulesEnv {
        cfg,
        userlists: &users,
        base_dir,
    };
    let mut out = Vec::new();
    for fe in engine.frontends() {
        let err = |source| CompileError {
            proxy: fe.name.clone(),
            source,
        };
        let tcp_rules = Some(TcpRules::compile_with(&env, &fe.ir).map_err(err)?);
        let http_rules = if fe.mode == Mode::Tcp {
            Some(HttpRules::compile_with(&env, &fe.ir).map_err(err)?)
        } else {
            None
        };
        let maxconn = fe
            .ir
            .settings
            .maxconn
            .filter(|m| *m > 0)
            .map_or(global_maxconn, |m| m as u64);
        out.push(Arc::new(FrontendRt {
            fe: fe.clone(),
            tcp_rules,
            http_rules,
            permits: Arc::new(Semaphore::new(permits(maxconn))),
            applied: std::sync::Mutex::new(permits(maxconn) as u64),
        }));
    }
    Ok(out)
}

fn permits(n: u64) -> usize {
    usize::try_from(n)
        .unwrap_or(usize::MAX)
        .min(Semaphore::MAX_PERMITS)
}

/// Start the accept loops (inside the runtime). Each returns when the soft
/// stop begins, closing its socket.
pub fn serve_all(
    sockets: Vec<BoundSocket>,
    shared: Arc<Shared>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    // the worker threads (none: this runtime serves)
    let workers = crate::proxy::threads::workers();
    let handles: Vec<tokio::runtime::Handle> = match &workers {
        Some(w) => w.iter().map(|w| w.handle.clone()).collect(),
        None => vec![tokio::runtime::Handle::current()],
    };
    let first = handles[0].clone();
    // what the global semaphore was given, before any connection holds a permit
    shared
        .engine
        .admin
        .init_global_maxconn(shared.global_permits.available_permits() as u64);
    for s in sockets {
        let Some(fert) = shared.frontends.get(s.fe_idx).cloned() else {
            continue;
        };
        let unix = s.unix;
        let sockpair = s.sockpair;
        let fd: std::os::fd::OwnedFd = s.sock.into();
        let bind_permits = s
            .bind
            .opts
            .maxconn
            .filter(|m| *m > 0)
            .map(|m| Arc::new(Semaphore::new(permits(m as u64))));
        let backlog = backlog_of(
            &s.bind,
            &fert.fe,
            shared.global_permits.available_permits() as u64,
        );
        let lctx = Arc::new(ListenerCtx {
            fert,
            bind: s.bind,
            tls: s.tls,
            bind_permits,
            backlog,
        });
        // (a socket is registered with the runtime that polls it: from_std inside it)
        if sockpair {
            let std_s = std::os::unix::net::UnixStream::from(fd);
            let shared = shared.clone();
            tasks.push(first.spawn(async move {
                if let Ok(s) = tokio::net::UnixStream::from_std(std_s) {
                    accept_loop_sockpair(s, lctx, shared).await;
                }
            }));
            continue;
        }
        if unix {
            let std_l = std::os::unix::net::UnixListener::from(fd);
            let shared = shared.clone();
            tasks.push(first.spawn(async move {
                if let Ok(l) = tokio::net::UnixListener::from_std(std_l) {
                    accept_loop_unix(l, lctx, shared).await;
                }
            }));
            continue;
        }
        let std_l = std::net::TcpListener::from(fd);
        // `disable|enable frontend` act on the socket itself through a duplicate
        if let Ok(dup) = std_l.try_clone() {
            shared
                .engine
                .admin
                .register_listener(lctx.fert.fe.index, dup, lctx.backlog);
        }
        // Every worker accepts on the socket (a duplicate each: one epoll per thread),
        // as every HAProxy thread does, and serves a connection or hands it to a less
        // loaded worker; the connection then stays on its thread.
        let mut socks = Vec::new();
        for _ in 1..handles.len() {
            if let Ok(d) = std_l.try_clone() {
                socks.push(d);
            }
        }
        socks.push(std_l);
        for (h, std_l) in handles.iter().zip(socks) {
            let (lctx, shared, workers) = (lctx.clone(), shared.clone(), workers.clone());
            tasks.push(h.spawn(async move {
                if let Ok(l) = RawListener::new(std_l) {
                    accept_loop(l, lctx, shared, workers).await;
                }
            }));
        }
    }
    tasks
}

struct ListenerCtx {
    fert: Arc<FrontendRt>,
    bind: Arc<Bind>,
    tls: Option<crate::proxy::tls::Acceptor>,
    bind_permits: Option<Arc<Semaphore>>,
    backlog: i32,
}

/// The permits a connection holds: bind maxconn, frontend maxconn, global maxconn.
struct Permits {
    _bind: Option<OwnedSemaphorePermit>,
    _fe: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

async fn take_permits(l: &ListenerCtx, shared: &Shared) -> Option<Permits> {
    let bind = match &l.bind_permits {
        Some(s) => Some(s.clone().acquire_owned().await.ok()?),
        None => None,
    };
    let fe = l.fert.permits.clone().acquire_owned().await.ok()?;
    let global = shared.global_permits.clone().acquire_owned().await.ok()?;
    Some(Permits {
        _bind: bind,
        _fe: fe,
        _global: global,
    })
}

/// HAProxy's pause of a TCP listener on Linux (`tcp_suspend_receiver`): connect() to an
/// `AF_UNSPEC` address puts the socket back in the CLOSE state, so that new connections
/// are refused; listen() resumes it. (shutdown(SHUT_RD) refuses them too, but leaves
/// RCV_SHUTDOWN on the socket, which the connections accepted after the resume inherit:
/// their reads end at once.)
pub fn suspend_listener(sock: &impl std::os::fd::AsRawFd) -> std::io::Result<()> {
    let sa = libc::sockaddr {
        sa_family: libc::AF_UNSPEC as libc::sa_family_t,
        sa_data: [0; 14],
    };
    // SAFETY: `sa` is an initialised sockaddr of the size passed; the descriptor is
    // borrowed for the duration of the call.
    let r = unsafe {
        libc::connect(
            sock.as_raw_fd(),
            &sa,
            std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
        )
    };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Resizes `sem`, which was given `applied` permits in all, to `want`: permits are added
/// at once; those to remove are taken as connections release them.
fn resize(sem: &Arc<Semaphore>, applied: &mut u64, want: u64) {
    let want = permits(want) as u64;
    if want > *applied {
        sem.add_permits(permits(want - *applied));
    } else if want < *applied {
        let debt = *applied - want;
        let now = sem.forget_permits(permits(debt)) as u64;
        if let Ok(rest) = u32::try_from(debt - now)
            && rest > 0
        {
            let sem = sem.clone();
            tokio::spawn(async move {
                if let Ok(p) = sem.acquire_many_owned(rest).await {
                    p.forget();
                }
            });
        }
    }
    *applied = want;
}

/// Applies `set maxconn frontend|global` to the semaphores the accept loops take
/// permits from.
fn apply_limits(lc: &ListenerCtx, shared: &Shared) {
    let admin = &shared.engine.admin;
    if let Some(want) = admin.frontend_maxconn(lc.fert.fe.index) {
        let mut a = lc.fert.applied.lock().unwrap_or_else(|e| e.into_inner());
        resize(&lc.fert.permits, &mut a, u64::from(want));
    }
    admin.with_global_maxconn(|applied, want| resize(&shared.global_permits, applied, want));
}

/// `maxconnrate` / `set rate-limit connections global`, `maxsessrate` / `set rate-limit
/// sessions global`: how long to wait before accepting (HAProxy's listeners wait for
/// the next event the rate allows).
fn rate_delay(shared: &Shared) -> Option<Duration> {
    let admin = &shared.engine.admin;
    let reg = &shared.engine.stats;
    let now = reg.now_ms();
    let over = |lim: u32, ctr: &crate::proxy::stats::FreqCtr| lim > 0 && ctr.read(now) >= lim;
    let conn = admin.conn_rate_limit.load(Ordering::Relaxed);
    let sess = admin.sess_rate_limit.load(Ordering::Relaxed);
    (over(conn, &reg.conn_rate) || over(sess, &reg.sess_rate)).then_some(Duration::from_millis(10))
}

/// A listening socket polled by this thread's event loop. What it accepts is not
/// registered with any: the thread that serves a connection registers it.
struct RawListener(AsyncFd<std::net::TcpListener>);

impl RawListener {
    fn new(l: std::net::TcpListener) -> std::io::Result<RawListener> {
        l.set_nonblocking(true)?;
        // SAFETY: the `TcpListener` owns its descriptor, and the `AsyncFd` owns the
        // listener until `into_std` deregisters it and gives it back.
        let fd = unsafe { AsyncFd::register_with_interest(l, Interest::READABLE) };
        Ok(RawListener(fd.map_err(std::io::Error::from)?))
    }

    fn into_std(self) -> std::net::TcpListener {
        self.0.into_inner()
    }

    async fn accept(&self) -> std::io::Result<(std::net::TcpStream, SocketAddr)> {
        loop {
            let mut ready = self.0.readable().await?;
            if let Ok(r) = ready.try_io(|l| accept_nonblocking(l.get_ref())) {
                return r;
            }
        }
    }
}

/// accept4(2) with the new socket non-blocking and close-on-exec, as tokio's accept.
fn accept_nonblocking(
    l: &std::net::TcpListener,
) -> std::io::Result<(std::net::TcpStream, SocketAddr)> {
    let (sock, addr) = SockRef::from(l).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)?;
    let peer = addr
        .as_socket()
        .ok_or_else(|| std::io::Error::other("accepted a socket that is not IP"))?;
    Ok((sock.into(), peer))
}

async fn accept_loop(
    mut l: RawListener,
    lc: Arc<ListenerCtx>,
    shared: Arc<Shared>,
    workers: Option<Arc<[crate::proxy::threads::Worker]>>,
) {
    let mut stop = shared.engine.stopping().clone();
    let mut paused = shared.paused.clone();
    let mut admin = shared.engine.admin.changed.subscribe();
    let fe_idx = lc.fert.fe.index;
    // the limits may have changed before this loop started
    let mut seen = None;
    let mut seen_disables = shared.engine.admin.disables.load(Ordering::Relaxed);
    loop {
        if *stop.borrow_and_update() {
            break;
        }
        let generation = *admin.borrow();
        if seen != Some(generation) {
            seen = Some(generation);
            apply_limits(&lc, &shared);
        }
        // `disable frontend` stops the listener as a pause does
        let disabled = |admin: &mut watch::Receiver<u64>| {
            admin.borrow_and_update();
            !shared.engine.frontend_enabled(fe_idx)
        };
        let disables = shared.engine.admin.disables.load(Ordering::Relaxed);
        let missed_pause = disables != seen_disables;
        seen_disables = disables;
        if missed_pause || *paused.borrow_and_update() || disabled(&mut admin) {
            // HAProxy's pause on Linux: a disconnect takes the socket out of
            // the listening state (the kernel hands new connections to another
            // process on the same port), listen() resumes it. The
            // socket leaves tokio meanwhile: the hang-up it sees would stay
            // in its readiness state and make accept() spin after resuming.
            let std_l = l.into_std();
            if !missed_pause || *paused.borrow() || disabled(&mut admin) {
                let _ = suspend_listener(&std_l);
            }
            while (*paused.borrow_and_update() || disabled(&mut admin)) && !*stop.borrow() {
                tokio::select! {
                    _ = paused.changed() => {}
                    _ = stop.changed() => {}
                    _ = admin.changed() => {}
                }
            }
            if *stop.borrow() {
                break;
            }
            let _ = SockRef::from(&std_l).listen(lc.backlog);
            l = match RawListener::new(std_l) {
                Ok(l) => l,
                Err(_) => break,
            };
            continue;
        }
        if let Some(d) = rate_delay(&shared) {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = stop.changed() => {}
                _ = admin.changed() => {}
            }
            continue;
        }
        let permits = tokio::select! {
            p = take_permits(&lc, &shared) => p,
            _ = stop.changed() => continue,
            _ = paused.changed() => continue,
            _ = admin.changed() => continue,
        };
        let Some(permits) = permits else { break };
        let accepted = tokio::select! {
            r = l.accept() => r,
            _ = stop.changed() => continue,
            _ = paused.changed() => continue,
            _ = admin.changed() => continue,
        };
        match accepted {
            Ok((stream, peer)) => {
                let guard = shared.conns.enter();
                if let Some(c) = shared.counters.fe.get(lc.fert_index(&shared)) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                let lc = lc.clone();
                let shared = shared.clone();
                let (worker, load) = match &workers {
                    Some(w) => {
                        let i = crate::proxy::threads::pick(w);
                        let load = crate::proxy::threads::Load::new(w.clone(), i);
                        (Some(w[i].handle.clone()), Some(load))
                    }
                    None => (None, None),
                };
                // Boxed: the session's future is several KiB, and tokio copies
                // a task's future by value when it spawns it and again when it
                // stores its result (measured: ~2% of the CPU of a connection
                // per request); a box makes those copies pointer-sized.
                let serve = Box::pin(async move {
                    // registered with the event loop of the thread that serves it
                    if let Ok(stream) = TcpStream::from_std(stream) {
                        handle(stream, peer, &lc, &shared).await;
                    }
                    drop(permits);
                    drop(guard);
                    drop(load);
                });
                let serve = crate::proxy::clock::Clocked(serve);
                match worker {
                    Some(h) => drop(h.spawn(serve)),
                    None => drop(tokio::spawn(serve)),
                }
            }
            Err(e) => {
                // EMFILE/ENFILE/ENOBUFS: HAProxy disables the listener a
                // moment; a short pause avoids spinning. (`disable frontend`
                // makes accept() fail too: the loop goes on at once then.)
                drop(permits);
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::Interrupted
                ) {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                        _ = admin.changed() => {}
                    }
                }
            }
        }
    }
    // the socket closes only when its duplicate for `disable frontend` is gone too
    shared.engine.admin.drop_listeners(lc.fert.fe.index);
}

impl ListenerCtx {
    fn fert_index(&self, shared: &Shared) -> usize {
        shared
            .frontends
            .iter()
            .position(|f| Arc::ptr_eq(f, &self.fert))
            .unwrap_or(usize::MAX)
    }
}

/// Read a PROXY protocol header without consuming what follows it (peek,
/// then read exactly the header).
async fn read_proxy_header(
    stream: &mut TcpStream,
    limit: Option<Duration>,
) -> Option<Option<(SocketAddr, SocketAddr)>> {
    use tokio::io::AsyncReadExt;
    let work = async {
        let mut buf = vec![0u8; 536];
        loop {
            let n = stream.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            match proxy_proto::parse(&buf[..n]) {
                Ok(Some(h)) => {
                    let mut skip = vec![0u8; h.len];
                    stream.read_exact(&mut skip).await.ok()?;
                    return Some(h.addrs);
                }
                Ok(None) if n < buf.len() => {
                    // Wait for more bytes than the ones already peeked.
                    stream.readable().await.ok()?;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                _ => return None,
            }
        }
    };
    match limit {
        Some(d) => tokio::time::timeout(d, work).await.ok()?,
        None => work.await,
    }
}

async fn handle(mut stream: TcpStream, peer: SocketAddr, lc: &ListenerCtx, shared: &Arc<Shared>) {
    let fe = &lc.fert.fe;
    let _ = stream.set_nodelay(true);
    if let Some(ka) = crate::proxy::tcpka::client_side(&fe.ir.settings) {
        crate::proxy::tcpka::apply(socket2::SockRef::from(&stream), &ka);
    }
    let mut local = stream
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut client = peer;
    if lc.bind.opts.accept_proxy {
        // HAProxy waits for the header under `timeout client`.
        match read_proxy_header(&mut stream, fe.timeouts.client).await {
            Some(Some((src, dst))) => {
                client = src;
                local = dst;
            }
            Some(None) => {}
            None => return,
        }
    }
    let counters = match conn_rules(client, local, lc, shared) {
        Ok(c) => c,
        Err(stage) => {
            if stage == Rejected::Connection {
                // HAProxy closes a connection refused by `tcp-request connection` with a
                // single RST (no linger), so the client sees a reset, not an end of stream.
                let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            }
            return;
        }
    };
    if lc.tls.is_none() && fe.mode == Mode::Tcp {
        // Plain TCP: the relay that may splice.
        crate::proxy::tcp::serve(stream, client, local, &lc.fert, shared).await;
        return;
    }
    dispatch(stream, client, local, counters, lc, shared).await;
}

/// A connection accepted on a unix socket. HAProxy shows such a client as
/// `unix:N`; tandem's sample fetches see 0.0.0.0:0 for both ends.
async fn handle_unix(stream: tokio::net::UnixStream, lc: &ListenerCtx, shared: &Arc<Shared>) {
    let none = SocketAddr::from(([0, 0, 0, 0], 0));
    let Ok(counters) = conn_rules(none, none, lc, shared) else {
        return;
    };
    dispatch(stream, none, none, counters, lc, shared).await;
}

/// The connection-level rules (`tcp-request connection`, and in HTTP mode
/// `session` / `content`). Err: the stage that rejected it. Ok: the connection's
/// sticky counters (HTTP mode with tables).
fn conn_rules(
    client: SocketAddr,
    local: SocketAddr,
    lc: &ListenerCtx,
    shared: &Arc<Shared>,
) -> Result<Option<SessionCounters>, Rejected> {
    let fe = &lc.fert.fe;
    // HTTP mode: one connection's sticky counters, shared by the `tcp-request` rules here
    // and the `http-request` rules of the session (`track-sc*` at connection level must be
    // visible to both, as in HAProxy). TCP mode keeps its own in tcp::serve.
    let counters = (fe.mode == Mode::Http && shared.engine.has_tables)
        .then(|| SessionCounters::new(shared.engine.tables.clone()));
    if let Some(rules) = &lc.fert.tcp_rules {
        let ext = Ext {
            state: Some(&*shared.engine),
            tables: counters.as_ref().map(|c| c as &dyn TableLookup),
        };
        let mut conn = TcpConn {
            src: client,
            dst: local,
            frontend: Arc::from(fe.name.as_str()),
            backend: None,
            vars: Default::default(),
            payload: Vec::new(),
            payload_final: false,
            tls: None,
            now_ms: shared.engine.now_ms(),
            log_level: None,
        };
        let rejected = |stage| {
            shared.engine.stats.count_rejected(fe.index, stage);
            Err(stage)
        };
        if let TcpVerdict::Reject { .. } = rules.on_connection(&mut conn, &ext) {
            return rejected(Rejected::Connection);
        }
        // HTTP mode: `tcp-request session` and `content` rules run before
        // the HTTP analysis (TCP mode runs them in tcp::serve, with the
        // inspect delay). Here they see no payload.
        if fe.mode == Mode::Http {
            conn.payload_final = true;
            if let TcpVerdict::Reject { .. } = rules.on_session(&mut conn, &ext) {
                return rejected(Rejected::Session);
            }
            if rules.has_content_rules()
                && let TcpVerdict::Reject { .. } = rules.on_content(&mut conn, &ext)
            {
                return rejected(Rejected::Content);
            }
        }
    }
    if let Some(c) = &counters {
        c.session_started(shared.engine.now_ms());
    }
    Ok(counters)
}

/// TLS if the bind has it, then the HTTP session or the TCP relay.
async fn dispatch<S>(
    stream: S,
    client: SocketAddr,
    local: SocketAddr,
    counters: Option<SessionCounters>,
    lc: &ListenerCtx,
    shared: &Arc<Shared>,
) where
    S: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + crate::proxy::tls::PeekHello
        + Unpin
        + Send
        + 'static,
{
    let fe = &lc.fert.fe;
    if let Some(acc) = &lc.tls {
        // The handshake is bounded by `timeout client`, as in HAProxy.
        let hs = acc.accept(stream);
        let tls = match fe.timeouts.client {
            Some(d) => match tokio::time::timeout(d, hs).await {
                Ok(r) => r,
                Err(_) => return,
            },
            None => hs.await,
        };
        let Ok((tls, info)) = tls else { return };
        let info = Some(Arc::new(info));
        match fe.mode {
            Mode::Http => {
                let conn = ClientConn {
                    tls: info,
                    counters,
                    ..ClientConn::new(client, local)
                };
                crate::proxy::http::serve_client(tls, conn, fe.clone(), shared.engine.clone()).await
            }
            Mode::Tcp => {
                crate::proxy::tcp::serve_stream(tls, info, client, local, &lc.fert, shared).await;
            }
        }
        return;
    }
    match fe.mode {
        Mode::Http => {
            let conn = ClientConn {
                counters,
                ..ClientConn::new(client, local)
            };
            crate::proxy::http::serve_client(stream, conn, fe.clone(), shared.engine.clone()).await
        }
        Mode::Tcp => {
            crate::proxy::tcp::serve_stream(stream, None, client, local, &lc.fert, shared).await;
        }
    }
}

/// The accept loop of a unix listener (no pause: SIGTTOU only pauses TCP
/// listeners, whose queue the kernel can hand to another process).
async fn accept_loop_unix(l: tokio::net::UnixListener, lc: Arc<ListenerCtx>, shared: Arc<Shared>) {
    let mut stop = shared.engine.stopping().clone();
    loop {
        if *stop.borrow_and_update() {
            break;
        }
        let permits = tokio::select! {
            p = take_permits(&lc, &shared) => p,
            _ = stop.changed() => continue,
        };
        let Some(permits) = permits else { break };
        let accepted = tokio::select! {
            r = l.accept() => r,
            _ = stop.changed() => continue,
        };
        match accepted {
            Ok((stream, _)) => {
                let guard = shared.conns.enter();
                if let Some(c) = shared.counters.fe.get(lc.fert_index(&shared)) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                let lc = lc.clone();
                let shared = shared.clone();
                tokio::spawn(Box::pin(async move {
                    handle_unix(stream, &lc, &shared).await;
                    drop(permits);
                    drop(guard);
                }));
            }
            Err(_) => {
                drop(permits);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// `sockpair@N`: each message on the socket brings one connection (HAProxy's
/// `recv_fd_uxst()`: 2 bytes and one descriptor); a unix one is served like a
/// unix-socket client, an IPv4/IPv6 one like a TCP client. EOF ends it.
async fn accept_loop_sockpair(
    s: tokio::net::UnixStream,
    lc: Arc<ListenerCtx>,
    shared: Arc<Shared>,
) {
    let mut stop = shared.engine.stopping().clone();
    let mut buf = [0u8; 2];
    loop {
        if *stop.borrow_and_update() {
            break;
        }
        let permits = tokio::select! {
            p = take_permits(&lc, &shared) => p,
            _ = stop.changed() => continue,
        };
        let Some(permits) = permits else { break };
        let got = tokio::select! {
            r = s.readable() => match r {
                Ok(()) => s.try_io(tokio::io::Interest::READABLE, || {
                    crate::runtime::sys::recv_fds(&s, &mut buf)
                }),
                Err(e) => Err(e),
            },
            _ = stop.changed() => continue,
        };
        let fds = match got {
            Ok((0, _)) => break,
            Ok((_, fds)) => fds,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => break,
        };
        let mut permits = Some(permits);
        for fd in fds {
            let Some(p) = permits.take() else { break };
            let guard = shared.conns.enter();
            if let Some(c) = shared.counters.fe.get(lc.fert_index(&shared)) {
                c.fetch_add(1, Ordering::Relaxed);
            }
            let lc = lc.clone();
            let shared = shared.clone();
            let unix_peer =
                crate::runtime::sys::socket_domain(&fd).is_ok_and(|d| d == libc::AF_UNIX);
            tokio::spawn(Box::pin(async move {
                if unix_peer {
                    let std_s = std::os::unix::net::UnixStream::from(fd);
                    if std_s.set_nonblocking(true).is_ok()
                        && let Ok(st) = tokio::net::UnixStream::from_std(std_s)
                    {
                        handle_unix(st, &lc, &shared).await;
                    }
                } else {
                    let std_s = std::net::TcpStream::from(fd);
                    let peer = std_s.peer_addr();
                    if std_s.set_nonblocking(true).is_ok()
                        && let Ok(peer) = peer
                        && let Ok(st) = TcpStream::from_std(std_s)
                    {
                        handle(st, peer, &lc, &shared).await;
                    }
                }
                drop(p);
                drop(guard);
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> ir::Config {
        let out = crate::config::haproxy::parser::load_from_memory(
            "t.cfg",
            text.as_bytes(),
            &Default::default(),
        );
        out.config.unwrap_or_default()
    }

    #[test]
    fn addresses_of_binds() {
        let c = cfg(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
             frontend f\n bind *:24600-24602,127.0.0.1:24605\n bind :::24606 v6only\n bind ipv6@:24607\n\
             default_backend b\nbackend b\n server s 127.0.0.1:1\n",
        );
        let f = c.proxies.iter().find(|p| p.name == "f");
        let Some(f) = f else { panic!("no frontend f") };
        let all: Vec<String> = f
            .binds
            .iter()
            .flat_map(|b| bind_addrs(&b.value))
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            all,
            [
                "0.0.0.0:24600",
                "0.0.0.0:24601",
                "0.0.0.0:24602",
                "127.0.0.1:24605",
                "[::]:24606",
                "[::]:24607"
            ]
        );
        assert_eq!(listener_count(&c), 6);
    }

    #[test]
    fn busy_port_message_is_haproxys() {
        // HAProxy 2.6.12:
        // [ALERT]    (458) : Binding [busy.cfg:7] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:24561]
        let Ok(busy) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(port) = busy.local_addr().map(|a| a.port()) else {
            return;
        };
        let c = cfg(&format!(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
             frontend fe\n bind 127.0.0.1:{port}\n bind [::1]:{port}\n default_backend b\n\
             backend b\n server s 127.0.0.1:1\n"
        ));
        let Ok(engine) = Engine::from_ir(&c, std::path::Path::new(".")) else {
            panic!("engine")
        };
        let r = bind_all(
            &engine,
            &c.global,
            &BindSettings {
                reuseport: true,
                global_maxconn: 100,
            },
            &mut Inherited::default(),
        );
        assert!(r.failed);
        assert_eq!(
            r.msgs.first().map(|m| m.1.as_str()),
            Some(
                format!(
                    "Binding [t.cfg:7] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:{port}]"
                )
                .as_str()
            )
        );
    }
}
