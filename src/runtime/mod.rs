//! Process model: daemon, pid file, privileges, signals, soft stop, -sf/-st,
//! master-worker. This is what `haproxy -f CFG` does once the configuration
//! is loaded and valid.
//!
//! Order of operations (HAProxy 2.6's `main()`, measured where it shows):
//! 1. engine state from the IR; FD limit raised for `maxconn` ([`limits`]);
//! 2. every listener bound (with `-sf`/`-st`: on EADDRINUSE the old
//!    processes are paused with SIGTTOU and binding is retried for up to a
//!    second; SO_REUSEPORT usually makes this unnecessary);
//! 3. pid file (daemon and master-worker modes only: HAProxy 2.6.12 writes
//!    none in the foreground, even with `-p`), SIGUSR1 (`-sf`) or SIGTERM
//!    (`-st`) to the old processes;
//! 4. daemon: fork, the parent writes the child's pid and exits 0; the
//!    child calls setsid and detaches from the terminal;
//! 5. chroot, then setgid/setgroups and setuid;
//! 6. a current-thread tokio runtime runs the health checks, the runtime API and the
//!    signal handlers, and `nbthread` (default: one per CPU) worker threads, each an
//!    event loop of its own ([`workers`]), run the accept loops and the connections
//!    (with `nbthread 1`, the main thread does everything).
//!
//! Signals (measured): SIGTERM and SIGINT kill the process at once (HAProxy
//! 2.6.12 in the foreground dies by the signal: exit status -15 / -2), so
//! no handler is installed for them. SIGUSR1 is the soft stop: listeners
//! close, `Proxy NAME stopped (cumulated conns: FE: n, BE: m).` warnings
//! are printed, in-flight transactions finish, idle keep-alive connections
//! close, and the process exits 0 when nothing is left or at
//! `hard-stop-after`. SIGTTOU pauses the listeners, SIGTTIN resumes them.

pub mod expose;
pub mod handover;
pub mod limits;
pub mod master;
pub mod notify;
pub mod state_file;
pub mod sys;
#[cfg(test)]
mod tests;
pub mod workers;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::diag::Level;
use crate::ir::haproxy as ir;
use crate::proxy::engine::Engine;
use crate::proxy::listen::{self, BindSettings, ConnTracker, Counters, Shared};

/// Environment variable marking a worker started by a tandem master.
pub const WORKER_ENV: &str = "TANDEM_HAPROXY_WORKER";

/// The command-line settings the run mode uses.
#[derive(Debug, Clone, Default)]
pub struct RunOpts {
    pub daemon: bool,
    pub foreground: bool,
    pub debug: bool,
    pub master_worker: bool,
    pub systemd: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub pidfile: Option<OsString>,
    pub old_pids: Vec<i32>,
    pub old_pids_terminate: bool,
    /// `-n`.
    pub maxconn: Option<i64>,
    /// `-dR`: no SO_REUSEPORT.
    pub no_reuseport: bool,
    /// `-dS`: no splice.
    pub no_splice: bool,
    /// The program name HAProxy puts in `[NAME.main()]`.
    pub progname: String,
    /// argv[0] and the arguments, for re-running as a worker.
    pub argv0: OsString,
    pub args: Vec<OsString>,
    /// Directory relative paths are resolved from.
    pub base_dir: PathBuf,
    /// `-S`: the master CLI's addresses (with their bind options).
    pub master_cli: Vec<OsString>,
    /// The master's configuration check before a reload: loads the
    /// configuration named by these arguments, prints HAProxy's ALERT lines
    /// if it fails, and says whether it is valid.
    pub reload_check: Option<fn(&[OsString]) -> bool>,
    /// `-x <socket>`: take the listening sockets of the process answering
    /// `_getsocks` there (its `stats socket ... expose-fd listeners`).
    pub xfer: Option<OsString>,
}

/// `-x`: the old process's sockets, or HAProxy's warning and alert (the
/// caller exits 1 without a master, as HAProxy 2.6.12 does).
pub fn sockets_from_old(spec: &OsString, log: &mut Logger) -> Option<handover::Inherited> {
    // HAProxy: `-x /dev/null` means "none".
    if spec == "/dev/null" {
        return Some(handover::Inherited::default());
    }
    match handover::get_old_sockets(&spec.to_string_lossy()) {
        Ok((list, notes)) => {
            for n in &notes {
                log.warning(n);
            }
            Some(handover::Inherited::from_list(list))
        }
        Err(e) => {
            log.warning(&e.0);
            log.alert("Failed to get the sockets from the old process!");
            None
        }
    }
}

/// `strerror()` text of an I/O error (std adds " (os error N)").
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(k) => s[..k].to_string(),
        None => s,
    }
}

/// HAProxy's message printer at run time: `[LEVEL]   (PID) : text` on
/// stderr, written at once. While starting, the first warning or alert is
/// preceded by the two version notices (as in check mode); afterwards not.
#[derive(Debug, Clone)]
pub struct Logger {
    pub exe: String,
    pub version: String,
    pub quiet: bool,
    pub starting: bool,
    pub version_shown: bool,
}

impl Logger {
    pub fn emit(&mut self, level: Level, text: &str) {
        let loud = matches!(level, Level::Alert) && self.starting;
        if self.quiet && !loud {
            return;
        }
        let pid = std::process::id();
        let mut out = String::new();
        let mut line = |tag: &str, t: &str| {
            out.push_str(&format!("{:<11}({pid}) : {t}\n", format!("[{tag}]")));
        };
        if self.starting && !self.version_shown && matches!(level, Level::Warning | Level::Alert) {
            self.version_shown = true;
            line("NOTICE", &format!("haproxy version is {}", self.version));
            line("NOTICE", &format!("path to executable is {}", self.exe));
        }
        let tag = match level {
            Level::Diag => "DIAG",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Alert => "ALERT",
        };
        line(tag, text);
        let _ = std::io::stderr().write_all(out.as_bytes());
    }

    pub fn alert(&mut self, t: &str) {
        self.emit(Level::Alert, t)
    }
    pub fn warning(&mut self, t: &str) {
        self.emit(Level::Warning, t)
    }
    pub fn notice(&mut self, t: &str) {
        self.emit(Level::Notice, t)
    }
}

/// Servers with health checks (one FD each in HAProxy's budget).
fn checked_servers(cfg: &ir::Config) -> u64 {
    cfg.proxies
        .iter()
        .filter(|p| p.kind.is_backend() && !p.disabled)
        .flat_map(|p| p.servers.iter())
        .filter(|s| {
            s.value.kind != ir::expr::ServerKind::DefaultServer
                && (s.value.opts.check || s.value.opts.agent_check)
        })
        .count() as u64
}

/// `nbthread`, default one per CPU this process may use (HAProxy caps at 64).
pub fn nbthread_of(cfg: &ir::Config) -> usize {
    cfg.global
        .nbthread
        .map(|n| n as usize)
        .filter(|n| *n > 0)
        .unwrap_or_else(|| sys::cpus_allowed().min(64))
}

/// Send `sig` to the old processes; returns how many got it.
pub fn tell_old_pids(pids: &[i32], sig: i32) -> usize {
    pids.iter().filter(|p| sys::kill(**p, sig).is_ok()).count()
}

/// Run the proxy for a loaded, valid configuration. Returns the exit code
/// (the process may also end by a signal, or in `std::process::exit` for
/// the daemon's parent).
pub fn run(cfg: ir::Config, o: RunOpts, log: &mut Logger) -> i32 {
    let in_worker = std::env::var_os(WORKER_ENV).is_some();
    if (o.master_worker || cfg.global.master_worker) && !in_worker {
        return master::run_master(&cfg, &o, log);
    }
    let daemon = (o.daemon || cfg.global.daemon) && !o.foreground && !o.debug && !in_worker;
    let main = format!("[{}.main()]", o.progname);

    // Never silently ignore a directive: what the engine does not act on yet is named
    // here, at its line (`haproxy -c` stays byte-identical to HAProxy and does not).
    for f in crate::proxy::audit::unimplemented(&cfg) {
        log.warning(&f.text());
    }
    let engine = match Engine::from_ir(&cfg, &o.base_dir) {
        Ok(e) => e,
        Err(e) => {
            log.alert(&format!("config : {e}"));
            return 1;
        }
    };
    for n in &engine.notes {
        log.warning(n);
    }
    // Server states saved before the reload (`server-state-file`).
    state_file::load(&cfg, &engine, &o.base_dir, log);
    let nbthread = nbthread_of(&cfg);
    let wanted = o.maxconn.or(cfg.global.maxconn).filter(|m| *m > 0);
    let needs = limits::FdNeeds {
        listeners: listen::listener_count(&cfg),
        checks: checked_servers(&cfg),
        nbthread: nbthread as u64,
    };
    let (_, hard) = sys::nofile_limit().unwrap_or((1024, 1024));
    let lim = limits::compute(wanted.map(|m| m as u64), needs, hard);
    if let Err(e) = limits::apply(&lim) {
        // `strict-limits` is on by default in 2.6; `no strict-limits` turns the failure
        // into a warning plus an alert, and HAProxy runs on (measured on 2.6.12).
        let strict = cfg
            .global
            .other
            .iter()
            .rev()
            .find(|d| d.keyword == "strict-limits" || d.keyword == "no strict-limits")
            .is_none_or(|d| d.keyword == "strict-limits");
        if strict {
            log.alert(&format!("{main} {e}"));
            return 1;
        }
        log.warning(&format!("{main} {e}"));
        let (soft, _) = sys::nofile_limit().unwrap_or((1024, 1024));
        log.alert(&format!(
            "{main} FD limit ({soft}) too low for maxconn={}/maxsock={}. Please raise 'ulimit-n' to {} or more to avoid any trouble.",
            lim.maxconn, lim.maxsock, lim.maxsock
        ));
    }
    let frontends = match listen::frontends_rt(&cfg, &engine, &o.base_dir, lim.maxconn) {
        Ok(f) => f,
        Err(e) => {
            log.alert(&format!("config : {e}"));
            return 1;
        }
    };

    // Bind, pausing old processes on EADDRINUSE (HAProxy: up to 100 x 10ms).
    let set = BindSettings {
        reuseport: !o.no_reuseport,
        global_maxconn: lim.maxconn,
    };
    // A worker takes the previous generation's sockets over (see `handover`).
    let mut inherited = if in_worker {
        master::receive_sockets()
    } else if let Some(x) = &o.xfer {
        match sockets_from_old(x, log) {
            Some(i) => i,
            None => return 1,
        }
    } else {
        handover::Inherited::default()
    };
    let mut retries = 100;
    let mut paused_old = false;
    let bound = loop {
        let r = listen::bind_all(&engine, &cfg.global, &set, &mut inherited);
        if !r.failed || o.old_pids.is_empty() || retries == 0 {
            break r;
        }
        drop(r);
        if tell_old_pids(&o.old_pids, sys::sig::TTOU) == 0 {
            retries = 0;
            continue;
        }
        paused_old = true;
        std::thread::sleep(Duration::from_millis(10));
        retries -= 1;
    };
    for (lvl, m) in &bound.msgs {
        log.emit(*lvl, m);
    }
    if bound.failed {
        log.alert(&format!(
            "{main} Some protocols failed to start their listeners! Exiting."
        ));
        if paused_old {
            tell_old_pids(&o.old_pids, sys::sig::TTIN);
        }
        return 1;
    }

    // A stats socket is a listener too (HAProxy's GLOBAL frontend): a config of backends
    // and a stats socket runs its checks.
    if bound.sockets.is_empty() && cfg.global.stats_sockets.is_empty() {
        log.alert(&format!(
            "{main} No enabled listener found (check for 'bind' directives) ! Exiting."
        ));
        return 1;
    }
    // What `_getsocks` hands to a process started with `-x` (HAProxy exports
    // every listener, whatever its stats socket).
    let exports = expose::ExportList::default();
    if cfg
        .global
        .stats_sockets
        .iter()
        .any(expose::exposes_listeners)
    {
        use std::os::fd::AsFd;
        exports.set(
            bound
                .sockets
                .iter()
                .filter(|b| !b.sockpair)
                .filter_map(|b| {
                    Some(handover::Exported {
                        fd: b.sock.as_fd().try_clone_to_owned().ok()?,
                        ns: b.bind.opts.namespace.clone().unwrap_or_default(),
                        iface: b.bind.opts.interface.clone().unwrap_or_default(),
                    })
                })
                .collect(),
        );
    }
    if in_worker {
        use std::os::fd::AsRawFd;
        let items: Vec<(String, std::os::fd::RawFd)> = bound
            .sockets
            .iter()
            .map(|b| (b.key.clone(), b.sock.as_raw_fd()))
            .collect();
        master::send_sockets(&items);
    }

    // Pid file: daemon mode only (a worker's is written by its master).
    let pidfile = if daemon {
        cfg.global
            .pidfile
            .clone()
            .map(OsString::from)
            .or(o.pidfile.clone())
    } else {
        None
    };
    let pid_fd = match &pidfile {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(f),
            Err(_) => {
                log.alert(&format!(
                    "{main} Cannot create pidfile {}",
                    p.to_string_lossy()
                ));
                if !o.old_pids.is_empty() {
                    tell_old_pids(&o.old_pids, sys::sig::TTIN);
                }
                return 1;
            }
        },
        None => None,
    };
    if !o.old_pids.is_empty() {
        let sig = if o.old_pids_terminate {
            sys::sig::TERM
        } else {
            sys::sig::USR1
        };
        tell_old_pids(&o.old_pids, sig);
    }

    if daemon {
        match sys::fork() {
            Ok(sys::Fork::Parent { child }) => {
                if let Some(mut f) = pid_fd {
                    let _ = writeln!(f, "{child}");
                }
                return 0;
            }
            Ok(sys::Fork::Child) => {
                drop(pid_fd);
                let _ = sys::setsid();
                if !o.verbose {
                    let _ = sys::stdio_to_devnull();
                    log.quiet = true;
                }
            }
            Err(e) => {
                log.alert(&format!("{main} Cannot fork."));
                let _ = e;
                return 1;
            }
        }
    }

    // A current-thread runtime: with `nbthread 1` (the common case, and HAProxy's
    // model: one thread does everything) it runs the accept loops and every connection
    // on this thread; with more, the connections run on the worker threads started
    // below (each an event loop of its own) and this one keeps the control work.
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let rt = match built {
        Ok(rt) => rt,
        Err(e) => {
            log.alert(&format!("{main} Cannot start the event loop: {e}"));
            return 1;
        }
    };
    // The runtime API's sockets (`stats socket`): bound inside the runtime, before
    // chroot and setuid take the right to create them away.
    {
        let _entered = rt.enter();
        // `expose-fd listeners` sockets are served by `expose` (they answer
        // `_getsocks`), the others by the runtime API itself.
        let (exposed, others) = expose::split(&cfg);
        engine
            .stats
            .bind(&engine, !cfg.global.stats_sockets.is_empty());
        let started = expose::start(&engine, &cfg, &exposed, &mut inherited, &exports)
            .and_then(|_| crate::proxy::api::start(&engine, &others));
        if let Err(e) = started {
            log.alert(&api_error_text(&cfg, &e));
            log.alert(&format!(
                "{main} Some protocols failed to start their listeners! Exiting."
            ));
            return 1;
        }
    }
    // Sockets of the previous generation this configuration no longer has.
    drop(inherited);
    if let Some(dir) = &cfg.global.chroot
        && sys::chroot(dir).is_err()
    {
        log.alert(&format!("{main} Cannot chroot({dir})."));
        return 1;
    }
    // HAProxy's set_identity(): 0 means "not set".
    if let Some(g) = cfg.global.group.as_ref().filter(|g| g.id != 0) {
        if sys::drop_groups().is_err() {
            log.warning(&format!(
                "{main} Failed to drop supplementary groups. Using 'gid'/'group' without 'uid'/'user' is generally useless."
            ));
        }
        if sys::set_gid(g.id).is_err() {
            log.alert(&format!("{main} Cannot set gid {}.", g.id));
            return 1;
        }
    }
    if let Some(u) = cfg.global.user.as_ref().filter(|u| u.id != 0)
        && sys::set_uid(u.id).is_err()
    {
        log.alert(&format!("{main} Cannot set uid {}.", u.id));
        return 1;
    }

    log.starting = false;
    // after fork, chroot and setuid: the workers are threads of the final process
    let _workers = match workers::Workers::start(nbthread) {
        Ok(w) => w,
        Err(e) => {
            log.alert(&format!("{main} Cannot start the worker threads: {e}"));
            return 1;
        }
    };
    let mut log2 = log.clone();
    rt.block_on(serve(
        cfg,
        engine,
        frontends,
        bound.sockets,
        lim,
        o.no_splice,
        exports,
        &mut log2,
    ))
}

/// A stats socket that could not be bound, as HAProxy 2.6.12 reports it:
/// `Binding [s.cfg:2] for frontend GLOBAL: cannot bind UNIX socket (No such file or
/// directory) [/nonexistent/dir/s.sock]`, then `Some protocols failed to start their
/// listeners! Exiting.` and exit 1.
fn api_error_text(cfg: &ir::Config, e: &crate::proxy::api::ApiError) -> String {
    match e {
        crate::proxy::api::ApiError::Bind { path, msg } => {
            let at = cfg
                .global
                .stats_sockets
                .iter()
                .find(|s| s.address == *path || s.address.ends_with(path.as_str()))
                .or(cfg.global.stats_sockets.first())
                .map(|s| format!("[{}:{}]", s.span.file, s.span.line))
                .unwrap_or_default();
            // std's texts carry " (os error N)"; HAProxy prints strerror() alone.
            let msg = match msg.find(" (os error ") {
                Some(k) => &msg[..k],
                None => msg.as_str(),
            };
            let inet = ["ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"]
                .iter()
                .find_map(|p| path.strip_prefix(p))
                .or_else(|| {
                    (!path.starts_with('/') && path.contains(':')).then_some(path.as_str())
                });
            match inet {
                // HAProxy 2.6.12: `... for frontend GLOBAL: cannot bind socket (Address
                // already in use) for [127.0.0.1:24713]`.
                Some(addr) => format!(
                    "Binding {at} for frontend GLOBAL: cannot bind socket ({msg}) for [{addr}]"
                ),
                None => format!(
                    "Binding {at} for frontend GLOBAL: cannot bind UNIX socket ({msg}) [{path}]"
                ),
            }
        }
    }
}

/// A proxy that is serving: listeners accepting, checks running.
pub struct Running {
    pub cfg: ir::Config,
    pub engine: Arc<Engine>,
    pub shared: Arc<Shared>,
    accept_tasks: Vec<tokio::task::JoinHandle<()>>,
    pause_tx: watch::Sender<bool>,
}

/// Start the accept loops and the health checks (inside the runtime).
pub fn start_serving(
    cfg: ir::Config,
    engine: Arc<Engine>,
    frontends: Vec<Arc<listen::FrontendRt>>,
    sockets: Vec<listen::BoundSocket>,
    lim: limits::Limits,
    no_splice: bool,
    log: &Logger,
) -> Running {
    let (pause_tx, pause_rx) = watch::channel(false);
    let counters = Arc::new(Counters {
        fe: frontends.iter().map(|_| Default::default()).collect(),
        be: Default::default(),
    });
    let shared = Arc::new(Shared {
        engine: engine.clone(),
        frontends,
        global_permits: Arc::new(tokio::sync::Semaphore::new(
            usize::try_from(lim.maxconn)
                .unwrap_or(usize::MAX)
                .min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
        conns: Arc::new(ConnTracker::default()),
        counters,
        paused: pause_rx,
        no_splice,
    });
    let accept_tasks = listen::serve_all(sockets, shared.clone());
    start_checks(&cfg, &engine, log);
    Running {
        cfg,
        engine,
        shared,
        accept_tasks,
        pause_tx,
    }
}

impl Running {
    /// SIGTTOU (`true`) / SIGTTIN (`false`).
    pub fn pause(&self, paused: bool) {
        let _ = self.pause_tx.send(paused);
    }

    /// The soft stop: close the listeners, report, let the connections
    /// finish (up to `hard-stop-after`). Returns the exit code.
    pub async fn soft_stop(self, log: &mut Logger) -> i32 {
        self.engine.soft_stop();
        for t in self.accept_tasks {
            let _ = t.await;
        }
        report_stopped(&self.cfg, &self.engine, &self.shared.counters, log);
        let drained = self.shared.conns.idle();
        match self.engine.global.hard_stop_after {
            Some(d) => {
                let _ = tokio::time::timeout(d, drained).await;
            }
            None => drained.await,
        }
        0
    }
}

/// Run until stopped; returns the exit code.
// One call site: the generation's parts, handed over as they were built.
#[allow(clippy::too_many_arguments)]
async fn serve(
    cfg: ir::Config,
    engine: Arc<Engine>,
    frontends: Vec<Arc<listen::FrontendRt>>,
    sockets: Vec<listen::BoundSocket>,
    lim: limits::Limits,
    no_splice: bool,
    exports: expose::ExportList,
    log: &mut Logger,
) -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let running = start_serving(cfg, engine, frontends, sockets, lim, no_splice, log);
    notify_master_ready();

    let sig = |k: SignalKind| signal(k).ok();
    let mut usr1 = sig(SignalKind::user_defined1());
    let mut ttou = sig(SignalKind::from_raw(sys::sig::TTOU));
    let mut ttin = sig(SignalKind::from_raw(sys::sig::TTIN));
    // Caught so that they do not kill the process (HAProxy: SIGHUP dumps
    // the server states, SIGUSR2 is for the master, SIGQUIT dumps memory).
    let mut hup = sig(SignalKind::hangup());
    let mut usr2 = sig(SignalKind::user_defined2());
    let mut quit = sig(SignalKind::quit());
    async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let mut master_gone = master_watch(running.engine.clone());
    // Global `grace`: the listeners keep accepting this long after SIGUSR1
    // before the soft stop begins (HAProxy: "a delay between SIGUSR1 and real
    // soft-stop"). With sockets handed over on reload, the new worker accepts
    // from the same queues meanwhile.
    let grace = running
        .cfg
        .global
        .other
        .iter()
        .rev()
        .find(|d| d.keyword == "grace")
        .and_then(|d| d.args.first())
        .and_then(|a| crate::config::haproxy::parser::util::parse_time(a, 1).ok())
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis);
    loop {
        tokio::select! {
            _ = recv(&mut usr1) => {
                // A process that took our sockets (`-x`) owns them now.
                exports.clear();
                if let Some(g) = grace {
                    tokio::time::sleep(g).await;
                }
                break;
            }
            _ = &mut master_gone => {
                exports.clear();
                break;
            }
            _ = recv(&mut ttou) => {
                running.pause(true);
                pause_report(&running.cfg, "Paused", log);
            }
            _ = recv(&mut ttin) => {
                running.pause(false);
                pause_report(&running.cfg, "Resumed", log);
            }
            _ = recv(&mut hup) => dump_states(&running, log),
            _ = recv(&mut usr2) => {}
            _ = recv(&mut quit) => {}
        }
    }
    running.soft_stop(log).await
}

/// `Paused proxy li.` / `Resumed frontend fe.` (HAProxy 2.6.12 on
/// SIGTTOU / SIGTTIN; `proxy` for a `listen` section).
fn pause_report(cfg: &ir::Config, what: &str, log: &mut Logger) {
    for p in cfg
        .proxies
        .iter()
        .filter(|p| p.kind.is_frontend() && !p.disabled)
    {
        let kind = if p.kind == ir::ProxyKind::Listen {
            "proxy"
        } else {
            "frontend"
        };
        log.warning(&format!("{what} {kind} {}.", p.name));
    }
}

/// SIGHUP: HAProxy 2.6.12 dumps the server states as warnings, e.g.
/// `SIGHUP: Server li/s1 is UP. Conn: 0 act, 0 pend, 0 tot.` and
/// `SIGHUP: Proxy li has 1 active servers and 0 backup servers available.
/// Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.`. tandem
/// prints the states; the per-server connection counters it does not
/// track yet are shown as 0, the frontend totals are real.
fn dump_states(run: &Running, log: &mut Logger) {
    log.warning("SIGHUP received, dumping servers states.");
    let counters = &run.shared.counters;
    for p in run.cfg.proxies.iter().filter(|p| !p.disabled) {
        let fe_tot = run
            .engine
            .frontends()
            .iter()
            .position(|f| f.name == p.name && p.kind.is_frontend())
            .and_then(|i| counters.fe.get(i))
            .map_or(0, |a| a.load(std::sync::atomic::Ordering::Relaxed));
        let be_tot = counters.backend(&p.name);
        let tail =
            format!("Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): {fe_tot}+{be_tot}.");
        let be = run
            .engine
            .backend(&p.name)
            .filter(|_| p.kind.is_backend())
            .filter(|b| !b.servers.is_empty());
        let Some(be) = be else {
            // HAProxy 2.6.12 for a frontend (or a backend without servers):
            // `SIGHUP: Proxy fe has no servers. Conn: act(FE+BE): 0+0, ...`.
            log.warning(&format!("SIGHUP: Proxy {} has no servers. {tail}", p.name));
            continue;
        };
        for (i, s) in be.servers.iter().enumerate() {
            let st = if be.server_usable(i) { "UP" } else { "DOWN" };
            log.warning(&format!(
                "SIGHUP: Server {}/{} is {st}. Conn: 0 act, 0 pend, 0 tot.",
                p.name, s.name
            ));
        }
        let (act, bck) = be.usable_counts();
        if act == 0 {
            // HAProxy: "is running on backup servers" when only backups are left.
            let what = if bck > 0 {
                "is running on backup servers"
            } else {
                "has no server available"
            };
            log.warning(&format!("SIGHUP: Proxy {} {what} ! {tail}", p.name));
        } else {
            log.warning(&format!(
                "SIGHUP: Proxy {} has {act} active servers and {bck} backup servers available. {tail}",
                p.name
            ));
        }
    }
    log.warning("SIGHUP: Server <HTTPCLIENT>/<HTTPCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.");
    log.warning("SIGHUP: Server <HTTPCLIENT>/<HTTPSCLIENT> is UP. Conn: 0 act, 0 pend, 0 tot.");
    log.warning(
        "SIGHUP: Proxy <HTTPCLIENT> has no server available ! Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.",
    );
}

/// HAProxy's soft-stop report, one warning per proxy in config order, then
/// its internal HTTP client proxy (measured with HAProxy 2.6.12:
/// `Proxy http_front stopped (cumulated conns: FE: 3, BE: 0).`,
/// `Proxy http_back stopped (cumulated conns: FE: 0, BE: 3).`,
/// `Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).`; a
/// `GLOBAL` line first when there is a stats socket).
fn report_stopped(cfg: &ir::Config, engine: &Engine, c: &Counters, log: &mut Logger) {
    let line = |n: &str, fe: u64, be: u64| {
        format!("Proxy {n} stopped (cumulated conns: FE: {fe}, BE: {be}).")
    };
    if !cfg.global.stats_sockets.is_empty() {
        log.warning(&line("GLOBAL", 0, 0));
    }
    for p in &cfg.proxies {
        let fe = engine
            .frontends()
            .iter()
            .position(|f| f.name == p.name && p.kind.is_frontend())
            .and_then(|i| c.fe.get(i))
            .map_or(0, |a| a.load(std::sync::atomic::Ordering::Relaxed));
        let be = if p.kind.is_backend() {
            c.backend(&p.name)
        } else {
            0
        };
        log.warning(&line(&p.name, fe, be));
    }
    log.warning(&line("<HTTPCLIENT>", 0, 0));
}

/// Health checks: plans for every backend, one task each, transitions
/// applied to the balancers and printed as HAProxy does.
fn start_checks(cfg: &ir::Config, engine: &Arc<Engine>, log: &Logger) {
    use crate::proxy::checks::run;
    let mut log = log.clone();
    let mut plans = Vec::new();
    for p in cfg
        .proxies
        .iter()
        .filter(|p| p.kind.is_backend() && !p.disabled)
    {
        // A backend whose checks cannot be planned runs unchecked: say so, never silently.
        match run::plan_for_backend(cfg, p) {
            Ok(mut v) => plans.append(&mut v),
            Err(e) => log.warning(&format!(
                "config : proxy '{}' : health checks not started: {e}",
                p.name
            )),
        }
    }
    for w in plans.iter().filter_map(|p| p.warning.as_deref()) {
        log.warning(w);
    }
    if plans.is_empty() {
        return;
    }
    // The check reports of `option log-health-checks` go to stderr as well; `-q` and
    // `quiet` silence them as they silence the transitions.
    crate::proxy::log::set_stderr_quiet(log.quiet);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    run::spawn(plans, tx, engine.stopping().clone());
    let engine = engine.clone();
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            if let Some(t) = engine.on_health_event(&ev) {
                // Servers that `track` this one change with it (`... is DOWN via be/s1.`).
                for t in std::iter::once(&t).chain(&t.followers) {
                    log.warning(&t.line);
                    if t.no_server_left {
                        log.alert(&run::no_server_available_message(&t.backend));
                    }
                }
            }
        }
    });
}

/// In a worker: tell the master the listeners are up (one line on the
/// socket it gave us as stdin).
fn notify_master_ready() {
    if std::env::var_os(WORKER_ENV).is_none() {
        return;
    }
    master::worker_ready();
}

/// In a worker: resolves when the master is gone (EOF on the socket it
/// gave us), so that workers do not outlive their master; meanwhile it
/// answers the commands the master CLI forwards (`@1 ...`).
fn master_watch(
    engine: Arc<Engine>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    if std::env::var_os(WORKER_ENV).is_none() {
        return Box::pin(std::future::pending());
    }
    Box::pin(master::master_link(engine))
}
