//! `tandem run -f haproxy.cfg -k keepalived.conf`: the proxy engine and the VRRP engine in
//! one process, on one tokio runtime, with one reload path.
//!
//! - Start: both files are loaded and checked first; either failing stops the start (the
//!   messages are the ones `haproxy -c` / `keepalived -t` print). The proxy binds and serves
//!   as `tandem haproxy -f` does (foreground, no master-worker), then the VRRP engine starts
//!   with the proxy's state at hand ([`crate::vrrp::ProxyState`]): a `vrrp_script` that only
//!   probes the proxy (`killall -0 haproxy`, `curl http://127.0.0.1/`, ...) is answered from
//!   it, with a notice, instead of being forked every interval.
//! - SIGHUP or SIGUSR2 (keepalived's and HAProxy's reload signals): both files are read and
//!   checked again; if either fails, everything keeps running as it was and the reason is
//!   printed. Otherwise the proxy's new generation binds next to the old one
//!   (SO_REUSEPORT) and starts accepting, the old one stops accepting and finishes its
//!   connections; the VRRP engine applies its new configuration (unchanged instances keep
//!   state and VIPs).
//! - SIGUSR1: the VRRP data dump (/tmp/keepalived.data), as keepalived.
//! - SIGTERM / SIGINT: the planned handover. A VRRP master sends priority 0 but keeps its
//!   VIPs, and the proxy keeps answering on them, until the peer's advert shows it took over
//!   (or a few advert intervals pass); then the VIPs go and the proxy drains its in-flight
//!   requests before the process exits 0.
//! - Process (haproxy.cfg's global section, as HAProxy reads it): `pidfile` gets the pid
//!   (the daemon's, with `daemon`), removed at exit; `daemon` forks before anything runs,
//!   the parent exits 0 once the pid file is written, the child leaves the terminal.
//!   With $NOTIFY_SOCKET (systemd `Type=notify`): `READY=1` and `MAINPID` once both
//!   engines run, `RELOADING=1` / `READY=1` around a reload, `STOPPING=1` on SIGTERM.
//! - `user`/`group`/`chroot` are not applied here, and say so at start: the VRRP engine in
//!   the same process needs CAP_NET_RAW and CAP_NET_ADMIN for its adverts and VIPs, and a
//!   reload reads both files again and binds new sockets, which a chrooted unprivileged
//!   process could not do. `tandem haproxy` applies them (as HAProxy does, after binding).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::RunArgs;
use crate::config::diag::Level;
use crate::ir::haproxy as hir;
use crate::ir::keepalived as kir;
use crate::proxy::engine::Engine;
use crate::proxy::listen;
use crate::runtime::{Logger, notify};
use crate::vrrp::{Control, Embedding, ProxyState};

/// The running proxy generation as the VRRP engine sees it.
#[derive(Default)]
struct ProxyView {
    current: Mutex<Option<(Arc<Engine>, Vec<u16>)>>,
}

impl ProxyView {
    fn set(&self, engine: Arc<Engine>, ports: Vec<u16>) {
        if let Ok(mut g) = self.current.lock() {
            *g = Some((engine, ports));
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Engine, &[u16]) -> T) -> Option<T> {
        let g = self.current.lock().ok()?;
        g.as_ref().map(|(e, p)| f(e, p))
    }
}

impl ProxyState for ProxyView {
    fn alive(&self) -> bool {
        self.with(|e, _| !e.is_stopping()).unwrap_or(false)
    }

    fn listening(&self, port: u16) -> bool {
        self.with(|_, p| p.contains(&port)).unwrap_or(false)
    }

    fn backend_up(&self, name: &str) -> Option<usize> {
        self.with(|e, _| {
            e.backend(name).map(|b| {
                let (active, backup) = b.usable_counts();
                active + backup
            })
        })
        .flatten()
    }
}

/// Both configurations, loaded and checked.
struct Loaded {
    haproxy: hir::Config,
    keepalived: kir::Config,
    keepalived_path: String,
}

/// Load and check both files; Err(exit code) after printing why.
fn load(args: &RunArgs) -> Result<Loaded, i32> {
    let inputs = &args.inputs;
    if inputs.haproxy.is_empty() || inputs.keepalived.len() != 1 {
        eprintln!(
            "tandem run: needs -f haproxy.cfg (one or more) and exactly one -k keepalived.conf"
        );
        return Err(2);
    }
    let files = match super::inputs::expand_haproxy(&inputs.haproxy) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("tandem run: {e}");
            return Err(1);
        }
    };
    let out = crate::config::haproxy::parser::load(
        &files,
        &crate::config::haproxy::parser::LoadOptions::default(),
    );
    for d in &out.diags {
        eprintln!("{}", super::check::render("haproxy", d));
    }
    let haproxy = match (out.verdict, out.config) {
        (crate::config::haproxy::parser::Verdict::Valid, Some(c)) => c,
        (v, _) => {
            eprintln!("tandem run: haproxy configuration not valid ({v:?})");
            return Err(1);
        }
    };
    let kpath = inputs.keepalived[0].to_string_lossy().into_owned();
    let kout = crate::config::keepalived::check_file(
        &kpath,
        &crate::config::keepalived::Options::default(),
    );
    for l in &kout.lines {
        eprintln!("{l}");
    }
    if kout.exit_code == crate::config::keepalived::EXIT_MISSING_PARAMETER {
        eprintln!("tandem run: keepalived configuration not valid (a keyword lacks its value)");
        return Err(1);
    }
    if kout.config.vrrp_instances.is_empty() {
        eprintln!("tandem run: no vrrp_instance in {kpath}");
        return Err(1);
    }
    Ok(Loaded {
        haproxy,
        keepalived: kout.config,
        keepalived_path: kpath,
    })
}

/// The TCP ports the proxy listens on (what a local `curl` / `nc -z` probe reaches).
fn ports_of(sockets: &[listen::BoundSocket]) -> Vec<u16> {
    let mut p: Vec<u16> = sockets
        .iter()
        .filter(|s| !s.unix)
        .map(|s| s.addr.port())
        .collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// One proxy generation: engine built, sockets bound (SO_REUSEPORT, so a new generation
/// binds next to the running one), serving. Err: the lines to print.
/// The listening sockets of the running generation (duplicates, by key): the next one
/// takes them over instead of binding new ones. Closing a listener drops the connections
/// still in its accept queue (the client sees a reset), so a reload must not close the
/// socket, only this generation's handle on it.
#[derive(Default)]
struct Listeners(Vec<(String, std::os::fd::OwnedFd)>);

impl Listeners {
    fn of(sockets: &[listen::BoundSocket]) -> Self {
        Listeners(
            sockets
                .iter()
                .filter_map(|b| Some((b.key.clone(), b.sock.try_clone().ok()?.into())))
                .collect(),
        )
    }

    /// Duplicates for the next generation (this set stays valid if the reload fails).
    fn inherit(&self) -> crate::runtime::handover::Inherited {
        crate::runtime::handover::Inherited::from_list(
            self.0
                .iter()
                .filter_map(|(k, fd)| Some((k.clone(), fd.try_clone().ok()?)))
                .collect(),
        )
    }
}

fn start_proxy(
    cfg: hir::Config,
    inherited: &mut crate::runtime::handover::Inherited,
    log: &mut Logger,
) -> Result<(crate::runtime::Running, Vec<u16>, Listeners), ()> {
    let base = std::env::current_dir().unwrap_or_else(|_| ".".into());
    for f in crate::proxy::audit::unimplemented(&cfg) {
        log.warning(&f.text());
    }
    let engine = Engine::from_ir(&cfg, &base).map_err(|e| log.alert(&format!("config : {e}")))?;
    // the VRRP engine's instances on this generation's `/metrics`
    let feed = crate::vrrp::METRICS_FEED.get_or_init(Default::default);
    let _ = engine.stats.vrrp.set(feed.clone());
    let nbthread = crate::runtime::nbthread_of(&cfg) as u64;
    let needs = crate::runtime::limits::FdNeeds {
        listeners: listen::listener_count(&cfg),
        checks: 0,
        nbthread,
    };
    let (_, hard) = crate::runtime::sys::nofile_limit().unwrap_or((1024, 1024));
    let wanted = cfg.global.maxconn.filter(|m| *m > 0).map(|m| m as u64);
    let lim = crate::runtime::limits::compute(wanted, needs, hard);
    if let Err(e) = crate::runtime::limits::apply(&lim) {
        log.warning(&format!("{e}"));
    }
    let frontends = listen::frontends_rt(&cfg, &engine, &base, lim.maxconn)
        .map_err(|e| log.alert(&format!("config : {e}")))?;
    let set = listen::BindSettings {
        reuseport: true,
        global_maxconn: lim.maxconn,
    };
    let bound = listen::bind_all(&engine, &cfg.global, &set, inherited);
    for (lvl, m) in &bound.msgs {
        log.emit(*lvl, m);
    }
    if bound.failed {
        log.alert("Some protocols failed to start their listeners! Exiting.");
        return Err(());
    }
    if let Err(e) = crate::proxy::api::start(&engine, &cfg) {
        log.alert(&format!("runtime API: {e:?}"));
        return Err(());
    }
    let ports = ports_of(&bound.sockets);
    let listeners = Listeners::of(&bound.sockets);
    let running =
        crate::runtime::start_serving(cfg, engine, frontends, bound.sockets, lim, false, log);
    Ok((running, ports, listeners))
}

/// How long a planned stop waits for the peer's advert: four of the longest advert
/// intervals (the backup takes over after Skew_Time, less than one) plus a second.
fn handover_limit(cfg: &kir::Config) -> Duration {
    let longest = cfg
        .vrrp_instances
        .iter()
        .map(|i| i.advert_int)
        .filter(|a| a.is_finite() && *a > 0.0)
        .fold(1.0f64, f64::max);
    Duration::from_secs_f64(longest * 4.0 + 1.0)
}

/// `pidfile` of the global section (the daemon's pid with `daemon`).
struct PidFile(Option<std::path::PathBuf>);

impl PidFile {
    fn write(&self, pid: u32) -> Result<(), String> {
        let Some(p) = &self.0 else { return Ok(()) };
        std::fs::write(p, format!("{pid}\n"))
            // HAProxy 2.6.12's words for the same failure.
            .map_err(|_| format!("[tandem.main()] Cannot create pidfile {}", p.display()))
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What `tandem run` does not apply, said once at start (never silently ignored).
fn identity_notes(cfg: &hir::Config) -> Vec<String> {
    let mut v = Vec::new();
    let mut say = |what: &str| {
        v.push(format!(
            "tandem run: '{what}' of the global section is not applied: the VRRP engine in this \
             process needs root (CAP_NET_RAW, CAP_NET_ADMIN) and a reload reads the files and \
             binds again; run 'tandem haproxy' and 'tandem keepalived' separately to drop privileges"
        ))
    };
    if let Some(c) = &cfg.global.chroot {
        say(&format!("chroot {c}"));
    }
    if let Some(u) = cfg.global.user.as_ref().filter(|u| u.id != 0) {
        say(&format!("user/uid {}", u.id));
    }
    if let Some(g) = cfg.global.group.as_ref().filter(|g| g.id != 0) {
        say(&format!("group/gid {}", g.id));
    }
    v
}

pub fn main(args: &RunArgs) -> i32 {
    let first = match load(args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    for n in identity_notes(&first.haproxy) {
        eprintln!("{n}");
    }
    let pidfile = PidFile(first.haproxy.global.pidfile.clone().map(Into::into));
    // Forked before any thread exists (the runtime is built after).
    if first.haproxy.global.daemon {
        match crate::runtime::sys::fork() {
            Ok(crate::runtime::sys::Fork::Parent { child }) => {
                let code = match pidfile.write(child as u32) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("{e}");
                        let _ = crate::runtime::sys::kill(child, crate::runtime::sys::sig::TERM);
                        1
                    }
                };
                // The child owns the file from now on.
                std::mem::forget(pidfile);
                return code;
            }
            Ok(crate::runtime::sys::Fork::Child) => {
                let _ = crate::runtime::sys::setsid();
                let _ = crate::runtime::sys::stdio_to_devnull();
            }
            Err(e) => {
                eprintln!("tandem run: cannot fork: {e}");
                return 1;
            }
        }
    } else if let Err(e) = pidfile.write(std::process::id()) {
        eprintln!("{e}");
        return 1;
    }
    let nbthread = crate::runtime::nbthread_of(&first.haproxy);
    // This thread runs the control work (signals, reloads, VRRP, checks, the runtime
    // API) and, with `nbthread 1`, the connections too; with more, the worker threads
    // (each an event loop of its own) run the connections. They are started once: a
    // reload that changes `nbthread` keeps them.
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let rt = match built {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tandem run: cannot start the runtime: {e}");
            return 1;
        }
    };
    let workers = match crate::runtime::workers::Workers::start(nbthread) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("tandem run: cannot start the worker threads: {e}");
            return 1;
        }
    };
    let code = rt.block_on(serve(args, first));
    drop(workers);
    // In-flight work of the last generation is done; do not wait for idle tasks.
    rt.shutdown_timeout(Duration::from_millis(100));
    drop(pidfile);
    code
}

async fn serve(args: &RunArgs, first: Loaded) -> i32 {
    let mut log = Logger {
        exe: "tandem".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        quiet: false,
        starting: true,
        version_shown: false,
    };
    let limit = handover_limit(&first.keepalived);
    let mut fresh_start = crate::runtime::handover::Inherited::default();
    let (mut running, ports, mut listeners) =
        match start_proxy(first.haproxy, &mut fresh_start, &mut log) {
            Ok(r) => r,
            Err(()) => return 1,
        };
    log.starting = false;
    let view = Arc::new(ProxyView::default());
    view.set(running.engine.clone(), ports);
    let (ctl, ctl_rx) = mpsc::unbounded_channel();
    let opts = crate::vrrp::RunOptions {
        log_console: true,
        log_detail: false,
        no_syslog: true,
        config_path: Some(first.keepalived_path.clone()),
        ..Default::default()
    };
    let kcfg = first.keepalived;
    let proxy: Arc<dyn ProxyState> = view.clone();
    let vrrp = crate::vrrp::run_embedded(
        &kcfg,
        &opts,
        Embedding {
            control: ctl_rx,
            proxy: Some(proxy),
        },
    );
    tokio::pin!(vrrp);
    let sig = |k: SignalKind| signal(k).ok();
    let (mut term, mut int, mut hup, mut usr1, mut usr2) = (
        sig(SignalKind::terminate()),
        sig(SignalKind::interrupt()),
        sig(SignalKind::hangup()),
        sig(SignalKind::user_defined1()),
        sig(SignalKind::user_defined2()),
    );
    // keepalived 2.2.7's SIGJSON (SIGRTMIN+2)
    let mut sigjson = sig(SignalKind::from_raw(36));
    async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    // The VRRP engine starts (configuration, sockets, `Startup complete`) without
    // waiting, up to its main loop: after one poll it runs, or it has failed.
    tokio::select! {
        biased;
        r = &mut vrrp => {
            if let Err(e) = r {
                eprintln!("tandem run: VRRP engine: {e}");
            }
            let _ = running.soft_stop(&mut log).await;
            return 1;
        }
        _ = tokio::task::yield_now() => {}
    }
    eprintln!(
        "tandem run: proxy and VRRP engines running (pid {})",
        std::process::id()
    );
    let ready = format!("READY=1\nMAINPID={}", std::process::id());
    notify::send(&ready);
    loop {
        tokio::select! {
            r = &mut vrrp => {
                // The VRRP engine could not start (or ended on its own): stop the proxy.
                if let Err(e) = r {
                    eprintln!("tandem run: VRRP engine: {e}");
                }
                let _ = running.soft_stop(&mut log).await;
                return 1;
            }
            _ = recv(&mut term) => break,
            _ = recv(&mut int) => break,
            _ = async { tokio::select! { _ = recv(&mut hup) => {}, _ = recv(&mut usr2) => {} } } => {
                notify::send("RELOADING=1");
                (running, listeners) = reload(args, running, listeners, &view, &ctl, &mut log);
                // Let the VRRP engine apply its part before saying READY.
                tokio::select! {
                    biased;
                    r = &mut vrrp => {
                        if let Err(e) = r {
                            eprintln!("tandem run: VRRP engine: {e}");
                        }
                        let _ = running.soft_stop(&mut log).await;
                        return 1;
                    }
                    _ = tokio::task::yield_now() => {}
                }
                notify::send(&ready);
            }
            // keepalived's meaning (HAProxy's soft stop is SIGTERM's handover here).
            _ = recv(&mut usr1) => {
                let _ = ctl.send(Control::DumpData);
            }
            _ = recv(&mut sigjson) => {
                let _ = ctl.send(Control::DumpJson);
            }
        }
    }
    notify::send("STOPPING=1");
    eprintln!("tandem run: stopping: handing the VIPs over (at most {limit:?}), then draining");
    let _ = ctl.send(Control::Stop {
        handover: Some(limit),
    });
    if let Err(e) = (&mut vrrp).await {
        eprintln!("tandem run: VRRP engine: {e}");
    }
    running.soft_stop(&mut log).await
}

/// One reload of both engines; a failure of either leaves both as they were.
/// The new generation takes the running one's listening sockets over (same keys as the
/// master-worker reload's `-x` transfer), so no connection waiting in an accept queue is
/// reset when the old generation lets go of its listeners.
fn reload(
    args: &RunArgs,
    running: crate::runtime::Running,
    listeners: Listeners,
    view: &ProxyView,
    ctl: &mpsc::UnboundedSender<Control>,
    log: &mut Logger,
) -> (crate::runtime::Running, Listeners) {
    eprintln!("tandem run: reloading both configurations");
    let next = match load(args) {
        Ok(l) => l,
        Err(_) => {
            eprintln!("tandem run: reload failed - keeping the running configuration");
            return (running, listeners);
        }
    };
    let mut inherited = listeners.inherit();
    let (fresh, ports, fresh_listeners) = match start_proxy(next.haproxy, &mut inherited, log) {
        Ok(r) => r,
        Err(()) => {
            eprintln!("tandem run: reload failed - keeping the running configuration");
            return (running, listeners);
        }
    };
    view.set(fresh.engine.clone(), ports);
    let _ = ctl.send(Control::Reload(Box::new(next.keepalived)));
    // The old generation stops accepting and finishes its connections in the background.
    let mut old_log = log.clone();
    tokio::spawn(async move {
        let _ = running.soft_stop(&mut old_log).await;
    });
    log.emit(Level::Notice, "tandem run: reload complete");
    (fresh, fresh_listeners)
}
