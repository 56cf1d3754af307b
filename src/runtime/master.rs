//! `-W` / `-Ws` master-worker mode.
//!
//! What tandem does (a subset of HAProxy 2.6's model, see the report of
//! issue 3; the process-model issue deepens it):
//! - the master does not bind anything; it starts one worker by running
//!   its own executable again with the same arguments (minus `-W`, `-Ws`,
//!   `-D`, `-p`) and [`super::WORKER_ENV`] set. The worker's stdin is one
//!   end of a socket pair ([`super::handover`]): the master sends it the
//!   current listening sockets, the worker sends back its own once bound,
//!   then `READY`; it leaves (soft stop) when it reads EOF, i.e. when the
//!   master is gone;
//! - SIGUSR2, SIGHUP or `reload` on the master CLI (`-S`): reload. The
//!   master checks the configuration first (a failing one is reported with
//!   HAProxy's ALERT lines and `Loading failure!`, and changes nothing),
//!   then starts a new worker that takes the listening sockets over; once
//!   it is READY the old workers get SIGUSR1 (soft stop) and finish their
//!   connections. `mworker-max-reloads N`: an old worker still alive after
//!   N reloads gets SIGTERM. The master itself is not re-executed (HAProxy
//!   re-executes it to pick up a new binary);
//! - SIGTERM / SIGINT / SIGUSR1 / SIGTTOU / SIGTTIN are relayed to the
//!   workers; after SIGTERM, SIGINT or SIGUSR1 the master exits once they are
//!   all gone;
//! - `-Ws`: `READY=1` is sent to `$NOTIFY_SOCKET` once the first worker is
//!   ready (systemd `Type=notify`), `RELOADING=1`/`READY=1` around reloads;
//! - with `-D` the master is the daemon; the pid file holds its pid.
//!
//! Messages measured with HAProxy 2.6.12 (`haproxy -W`, SIGUSR2, SIGTERM):
//! `[NOTICE] (M) : New worker (W) forked`, `Loading success.`,
//! `Reloading HAProxy`, `[WARNING] (M) : Former worker (W) exited with code 0 (Exit)`,
//! `Exiting Master process...`, `[ALERT] (M) : Current worker (W) exited with code 143
//! (Terminated)`, `[WARNING] (M) : All workers exited. Exiting... (0)`.

use std::ffi::OsString;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::process::Stdio;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

use super::{Logger, RunOpts, WORKER_ENV, handover, notify, sys};
use crate::ir::haproxy as ir;

struct Worker {
    pid: i32,
    current: bool,
    /// Reloads this worker has lived through (`show proc`'s `<reloads>`).
    reloads: u32,
    started: Instant,
}

type Exits = mpsc::UnboundedSender<(i32, std::io::Result<std::process::ExitStatus>)>;

/// The worker's own arguments: the master's minus the options only the
/// master acts on.
fn worker_args(args: &[OsString], old: &[i32]) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        if a == "--" {
            out.extend(args[i..].iter().cloned());
            break;
        }
        if a.starts_with("-W") || a == "-D" {
            i += 1;
            continue;
        }
        if a == "-p" || a == "-S" || a == "-x" {
            i += 2;
            continue;
        }
        if a.starts_with("-sf") || a.starts_with("-st") {
            i += 1;
            while i < args.len() && !args[i].to_string_lossy().starts_with('-') {
                i += 1;
            }
            continue;
        }
        out.push(args[i].clone());
        i += 1;
    }
    if !old.is_empty() {
        out.push("-sf".into());
        out.extend(old.iter().map(|p| OsString::from(p.to_string())));
    }
    out
}

/// `exited with code N (Exit)` / `(Terminated)`.
fn exit_text(status: std::process::ExitStatus) -> (i32, String) {
    use std::os::unix::process::ExitStatusExt;
    if let Some(s) = status.signal() {
        let name = match s {
            1 => "Hangup",
            2 => "Interrupt",
            6 => "Aborted",
            9 => "Killed",
            11 => "Segmentation fault",
            15 => "Terminated",
            _ => "Signal",
        };
        (128 + s, name.to_string())
    } else {
        (status.code().unwrap_or(0), "Exit".to_string())
    }
}

/// Start a worker and hand it `listeners` (the current generation's sockets).
fn spawn_worker(
    o: &RunOpts,
    old: &[i32],
    exits: &Exits,
    listeners: &[(String, OwnedFd)],
) -> std::io::Result<(Worker, tokio::net::UnixStream)> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    let (mine, theirs) = std::os::unix::net::UnixStream::pair()?;
    // Queued before the worker starts: it reads them first thing.
    let items: Vec<(String, std::os::fd::RawFd)> = listeners
        .iter()
        .map(|(k, fd)| (k.clone(), fd.as_raw_fd()))
        .collect();
    handover::send_batch(&mine, &items, handover::DONE)?;
    mine.set_nonblocking(true)?;
    let mut std_cmd = std::process::Command::new(exe);
    std_cmd
        .arg0(&o.argv0)
        .args(worker_args(&o.args, old))
        .env(WORKER_ENV, std::process::id().to_string())
        .stdin(Stdio::from(OwnedFd::from(theirs)));
    let mut cmd = Command::from(std_cmd);
    cmd.kill_on_drop(false);
    let mut child: Child = cmd.spawn()?;
    let pid = child.id().map_or(0, |p| p as i32);
    let tx = exits.clone();
    tokio::spawn(async move {
        let st = child.wait().await;
        let _ = tx.send((pid, st));
    });
    let sock = tokio::net::UnixStream::from_std(mine)?;
    Ok((
        Worker {
            pid,
            current: true,
            reloads: 0,
            started: Instant::now(),
        },
        sock,
    ))
}

/// Wait for the worker's sockets and READY; None if it left without.
async fn wait_ready(sock: &tokio::net::UnixStream) -> Option<Vec<(String, OwnedFd)>> {
    match handover::recv_batch(sock).await {
        Ok((end, socks)) if end == handover::READY => Some(socks),
        _ => None,
    }
}

/// `-S <addr>[,<bind options>]`: the master CLI's listening sockets.
enum CliListener {
    Unix(tokio::net::UnixListener, std::path::PathBuf),
    Tcp(tokio::net::TcpListener),
}

fn open_master_cli(spec: &str) -> std::io::Result<CliListener> {
    let addr = spec.split(',').next().unwrap_or_default();
    let mode = spec
        .split(',')
        .skip(1)
        .flat_map(|o| {
            let mut w = o.split_whitespace();
            match (w.next(), w.next()) {
                (Some("mode"), Some(m)) => u32::from_str_radix(m, 8).ok(),
                _ => None,
            }
        })
        .next();
    let path = addr.strip_prefix("unix@").unwrap_or(addr);
    if path.starts_with('/') || path.starts_with('.') || addr.starts_with("unix@") {
        let p = std::path::PathBuf::from(path);
        let _ = std::fs::remove_file(&p);
        let l = tokio::net::UnixListener::bind(&p)?;
        if let Some(m) = mode {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m));
        }
        return Ok(CliListener::Unix(l, p));
    }
    let a = addr
        .strip_prefix("ipv4@")
        .or_else(|| addr.strip_prefix("ipv6@"))
        .unwrap_or(addr);
    let sa: std::net::SocketAddr = a
        .parse()
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let std_l = std::net::TcpListener::bind(sa)?;
    std_l.set_nonblocking(true)?;
    Ok(CliListener::Tcp(tokio::net::TcpListener::from_std(std_l)?))
}

/// A master CLI command waiting for the master loop's answer.
struct CliReq {
    line: String,
    /// `@<relative pid>`, `@!<pid>`, `@master` / `@`: where the command goes
    /// (None: the session's default, the master).
    target: Option<String>,
    reply: oneshot::Sender<CliAnswer>,
}

/// The master loop's answer to a CLI command.
enum CliAnswer {
    Text(String),
    /// Said, then the connection closes (a prefix that names no process).
    TextClose(String),
    /// Closed without a word (`reload`).
    Close,
}

/// HAProxy 2.6.12's `pcli_prefix_to_pid()`: `@`, `@master` and `@0` are the
/// master (Ok(None)); `@!<pid>` a worker by pid; `@<n>` any other number
/// is the current worker (the one with no reload behind it, else the
/// youngest). Err: no such process.
fn prefix_target(prefix: &str, workers: &[Worker]) -> Result<Option<i32>, ()> {
    let p = prefix.strip_prefix('@').ok_or(())?;
    if p.is_empty() || p == "master" {
        return Ok(None);
    }
    if let Some(pid) = p.strip_prefix('!') {
        let pid: i32 = pid.parse().map_err(|_| ())?;
        return workers
            .iter()
            .find(|w| w.pid == pid)
            .map(|w| Some(w.pid))
            .ok_or(());
    }
    let n: i64 = p.parse().map_err(|_| ())?;
    if n == 0 {
        return Ok(None);
    }
    workers
        .iter()
        .find(|w| w.reloads == 0)
        .or_else(|| workers.iter().min_by_key(|w| w.reloads))
        .map(|w| Some(w.pid))
        .ok_or(())
}

/// A command sent to a worker over its socket pair; its output, or None
/// when the worker does not answer within 5 s.
async fn forward(sock: &mut tokio::net::UnixStream, line: &str) -> Option<String> {
    let work = async {
        sock.write_all(&handover::text_frame(handover::CLI, line))
            .await
            .ok()?;
        loop {
            let (kind, body) = handover::read_text_frame(sock).await.ok()?;
            if kind == handover::OUT {
                return Some(body);
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), work)
        .await
        .ok()
        .flatten()
}

async fn cli_session<S>(stream: S, tx: mpsc::UnboundedSender<CliReq>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (r, mut w) = tokio::io::split(stream);
    let mut lines = BufReader::new(r).lines();
    // `@1` alone: the session's commands go there from now on.
    let mut default_target: Option<String> = None;
    while let Ok(Some(line)) = lines.next_line().await {
        for cmd in line.split(';').map(str::trim).filter(|c| !c.is_empty()) {
            if cmd == "quit" {
                return;
            }
            let (target, rest) = match cmd.split_once(char::is_whitespace) {
                Some((p, rest)) if p.starts_with('@') => (Some(p.to_string()), rest.trim()),
                None if cmd.starts_with('@') => (Some(cmd.to_string()), ""),
                _ => (default_target.clone(), cmd),
            };
            let (rtx, rrx) = oneshot::channel();
            if tx
                .send(CliReq {
                    line: rest.to_string(),
                    target: target.clone(),
                    reply: rtx,
                })
                .is_err()
            {
                return;
            }
            match rrx.await {
                Ok(CliAnswer::Text(text)) => {
                    if rest.is_empty() {
                        default_target = target;
                    }
                    if w.write_all(text.as_bytes()).await.is_err() {
                        return;
                    }
                }
                Ok(CliAnswer::TextClose(text)) => {
                    let _ = w.write_all(text.as_bytes()).await;
                    return;
                }
                // `reload`: HAProxy 2.6.12 closes the connection without a word.
                _ => return,
            }
        }
    }
}

fn spawn_cli(l: CliListener, tx: mpsc::UnboundedSender<CliReq>) {
    tokio::spawn(async move {
        loop {
            match &l {
                CliListener::Unix(u, _) => {
                    if let Ok((s, _)) = u.accept().await {
                        tokio::spawn(cli_session(s, tx.clone()));
                    }
                }
                CliListener::Tcp(t) => {
                    if let Ok((s, _)) = t.accept().await {
                        tokio::spawn(cli_session(s, tx.clone()));
                    }
                }
            }
        }
    });
}

/// `0d00h00m01s`, as `show proc` prints an uptime.
fn uptime(since: Instant) -> String {
    let s = since.elapsed().as_secs();
    format!(
        "{}d{:02}h{:02}m{:02}s",
        s / 86400,
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60
    )
}

/// HAProxy 2.6.12's master CLI help (`help`, and after an unknown command).
const CLI_HELP: &str =
    "  @!<pid>                                 : send a command to the <pid> process
  @<relative pid>                         : send a command to the <relative pid> process
  @master                                 : send a command to the master process
  operator                                : lower the level of the current CLI session to operator
  reload                                  : reload haproxy
  show cli level                          : display the level of the current CLI session
  show cli sockets                        : dump list of cli sockets
  show proc                               : show processes status
  show version                            : show version of the current process
  user                                    : lower the level of the current CLI session to user
  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect
";

/// Everything the master tracks.
struct Master<'a> {
    o: &'a RunOpts,
    workers: Vec<Worker>,
    /// Each worker's socket, kept open: closing it tells the worker the
    /// master is gone.
    socks: Vec<(i32, tokio::net::UnixStream)>,
    /// The current generation's listening sockets, for the next worker.
    listeners: Vec<(String, OwnedFd)>,
    exits: Exits,
    reloads: u32,
    failed_reloads: u32,
    started: Instant,
    max_reloads: Option<u32>,
}

impl Master<'_> {
    /// `show proc` (HAProxy 2.6.12's layout).
    fn show_proc(&self, version: &str) -> String {
        let mut t = format!(
            "#{:<14} {:<15} {:<15} {:<15} {:<15}\n",
            "<PID>", "<type>", "<reloads>", "<uptime>", "<version>"
        );
        t.push_str(&format!(
            "{:<15} {:<15} {:<15} {:<15} {:<15}\n",
            std::process::id(),
            "master",
            format!("{} [failed: {}]", self.reloads, self.failed_reloads),
            uptime(self.started),
            version
        ));
        let row = |w: &Worker| {
            format!(
                "{:<15} {:<15} {:<15} {:<15} {:<15}\n",
                w.pid,
                "worker",
                w.reloads,
                uptime(w.started),
                version
            )
        };
        t.push_str("# workers\n");
        for w in self.workers.iter().filter(|w| w.current) {
            t.push_str(&row(w));
        }
        if self.workers.iter().any(|w| !w.current) {
            t.push_str("# old workers\n");
            for w in self.workers.iter().filter(|w| !w.current) {
                t.push_str(&row(w));
            }
        }
        t.push_str("# programs\n\n");
        t
    }

    /// One reload: check, new worker, hand-over, old workers soft-stopped.
    async fn reload(&mut self, log: &mut Logger) {
        log.notice("Reloading HAProxy");
        if self.o.systemd {
            notify::send("RELOADING=1");
        }
        self.reloads += 1;
        for w in &mut self.workers {
            w.reloads += 1;
        }
        // As after HAProxy's re-exec, the version notices precede the next
        // warning again.
        log.version_shown = false;
        log.starting = true;
        let checked = self.o.reload_check.is_none_or(|check| check(&self.o.args));
        if !checked {
            self.failed_reloads += 1;
            log.warning("Loading failure!");
            if self.o.systemd {
                notify::send("READY=1");
            }
            return;
        }
        match spawn_worker(self.o, &[], &self.exits, &self.listeners) {
            Ok((w, s)) => {
                log.notice(&format!("New worker ({}) forked", w.pid));
                let pid = w.pid;
                self.workers.push(w);
                self.socks.push((pid, s));
                let ready = match self.socks.last() {
                    Some((_, s)) => wait_ready(s).await,
                    None => None,
                };
                match ready {
                    Some(socks) => {
                        self.listeners = socks;
                        for old in self.workers.iter_mut().filter(|w| w.pid != pid) {
                            old.current = false;
                            let _ = sys::kill(old.pid, sys::sig::USR1);
                        }
                        self.failed_reloads = 0;
                        log.notice("Loading success.");
                        if let Some(max) = self.max_reloads {
                            for w in self
                                .workers
                                .iter()
                                .filter(|w| !w.current && w.reloads > max)
                            {
                                log.alert(&format!(
                                    "Worker {} has exceeded the maximum number of reloads ({max}), sending SIGTERM.",
                                    w.pid
                                ));
                                let _ = sys::kill(w.pid, sys::sig::TERM);
                            }
                        }
                    }
                    None => {
                        self.failed_reloads += 1;
                        log.warning("Loading failure!");
                    }
                }
            }
            Err(e) => log.alert(&format!("Cannot fork a new worker: {e}")),
        }
        if self.o.systemd {
            notify::send("READY=1");
        }
    }
}

pub fn run_master(cfg: &ir::Config, o: &RunOpts, log: &mut Logger) -> i32 {
    let daemon = (o.daemon || cfg.global.daemon) && !o.foreground && !o.debug;
    let pidfile = cfg
        .global
        .pidfile
        .clone()
        .map(OsString::from)
        .or(o.pidfile.clone());
    if daemon {
        match sys::fork() {
            Ok(sys::Fork::Parent { .. }) => return 0,
            Ok(sys::Fork::Child) => {
                let _ = sys::setsid();
                if !o.verbose {
                    let _ = sys::stdio_to_devnull();
                    log.quiet = true;
                }
            }
            Err(_) => {
                log.alert(&format!("[{}.main()] Cannot fork.", o.progname));
                return 1;
            }
        }
    }
    if let Some(p) = &pidfile {
        match std::fs::File::create(p) {
            Ok(mut f) => {
                let _ = writeln!(f, "{}", std::process::id());
            }
            Err(_) => {
                log.alert(&format!(
                    "[{}.main()] Cannot create pidfile {}",
                    o.progname,
                    p.to_string_lossy()
                ));
                return 1;
            }
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return 1,
    };
    let no_exit_on_failure = cfg.global.master_worker_no_exit_on_failure;
    let max_reloads = cfg
        .global
        .other
        .iter()
        .rev()
        .find(|d| d.keyword == "mworker-max-reloads")
        .and_then(|d| d.args.first())
        .and_then(|a| a.parse::<u32>().ok());
    rt.block_on(master_loop(o, log, no_exit_on_failure, max_reloads))
}

async fn master_loop(
    o: &RunOpts,
    log: &mut Logger,
    no_exit_on_failure: bool,
    max_reloads: Option<u32>,
) -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let (exits, mut exited) = mpsc::unbounded_channel();
    let (cli_tx, mut cli_rx) = mpsc::unbounded_channel::<CliReq>();
    let mut cli_paths = Vec::new();
    for spec in &o.master_cli {
        let spec = spec.to_string_lossy();
        match open_master_cli(&spec) {
            Ok(l) => {
                if let CliListener::Unix(_, p) = &l {
                    cli_paths.push(p.clone());
                }
                spawn_cli(l, cli_tx.clone());
            }
            Err(e) => {
                log.alert(&format!(
                    "Cannot bind master CLI socket '{spec}': {}",
                    super::strerror(&e)
                ));
                return 1;
            }
        }
    }
    let mut m = Master {
        o,
        workers: Vec::new(),
        socks: Vec::new(),
        listeners: Vec::new(),
        exits,
        reloads: 0,
        failed_reloads: 0,
        started: Instant::now(),
        max_reloads,
    };

    // `-x` given to the master: the old process's sockets go to the first
    // worker. HAProxy's master carries on without them when that fails.
    let from_old: Vec<(String, OwnedFd)> = match &o.xfer {
        Some(x) if x != "/dev/null" => match handover::get_old_sockets(&x.to_string_lossy()) {
            Ok((list, notes)) => {
                for n in &notes {
                    log.warning(n);
                }
                list
            }
            Err(e) => {
                log.warning(&e.0);
                log.alert("Failed to get the sockets from the old process!");
                Vec::new()
            }
        },
        _ => Vec::new(),
    };
    let (w, s) = match spawn_worker(o, &o.old_pids, &m.exits, &from_old) {
        Ok(x) => x,
        Err(e) => {
            log.alert(&format!("[{}.main()] Cannot fork: {e}", o.progname));
            return 1;
        }
    };
    log.notice(&format!("New worker ({}) forked", w.pid));
    let first_pid = w.pid;
    m.workers.push(w);
    if let Some(socks) = wait_ready(&s).await {
        m.listeners = socks;
        log.notice("Loading success.");
        if o.systemd {
            notify::send(&format!("READY=1\nMAINPID={}", std::process::id()));
        }
    }
    m.socks.push((first_pid, s));
    // `starting` stays on in the master: as in HAProxy's, its first warning or
    // alert since the last (re)load is preceded by the version notices.

    let sig = |k: SignalKind| signal(k).ok();
    let mut term = sig(SignalKind::terminate());
    let mut int = sig(SignalKind::interrupt());
    let mut usr1 = sig(SignalKind::user_defined1());
    let mut usr2 = sig(SignalKind::user_defined2());
    let mut hup = sig(SignalKind::hangup());
    let mut ttou = sig(SignalKind::from_raw(sys::sig::TTOU));
    let mut ttin = sig(SignalKind::from_raw(sys::sig::TTIN));
    async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let mut stopping = false;
    let mut exit_code = 0;
    let version = log.version.clone();
    loop {
        // HAProxy's master leaves once no worker is left, unless `master-worker
        // no-exit-on-failure` keeps it waiting for a reload.
        if m.workers.is_empty() && (stopping || !no_exit_on_failure) {
            log.warning(&format!("All workers exited. Exiting... ({exit_code})"));
            for p in &cli_paths {
                let _ = std::fs::remove_file(p);
            }
            return exit_code;
        }
        let relay = |workers: &Vec<Worker>, s: i32| {
            for w in workers {
                let _ = sys::kill(w.pid, s);
            }
        };
        tokio::select! {
            Some((pid, st)) = exited.recv() => {
                let Some(i) = m.workers.iter().position(|w| w.pid == pid) else { continue };
                let w = m.workers.remove(i);
                m.socks.retain(|(p, _)| *p != pid);
                let (code, why) = match st {
                    Ok(st) => exit_text(st),
                    Err(_) => (1, "Exit".to_string()),
                };
                if w.current && !stopping {
                    // Measured with HAProxy 2.6.12: a current worker leaving with 0,
                    // 130 or 143 is reported (a warning below 128, an alert above); any
                    // other status triggers exit-on-failure instead, and becomes the
                    // master's exit code (as 130 does).
                    let normal = matches!(code, 0 | 130 | 143);
                    if normal || no_exit_on_failure {
                        let line = format!("Current worker ({pid}) exited with code {code} ({why})");
                        if code < 128 { log.warning(&line) } else { log.alert(&line) }
                    }
                    if !normal && !no_exit_on_failure {
                        log.alert("exit-on-failure: killing every processes with SIGTERM");
                        relay(&m.workers, sys::sig::TERM);
                        stopping = true;
                    }
                    if code != 0 && code != 143 {
                        exit_code = code;
                    }
                } else if w.current {
                    log.alert(&format!("Current worker ({pid}) exited with code {code} ({why})"));
                    // 0 and 143 (SIGTERM) are normal; SIGINT (130) and the rest are reported.
                    if code != 0 && code != 143 {
                        exit_code = code;
                    }
                } else {
                    log.warning(&format!("Former worker ({pid}) exited with code {code} ({why})"));
                }
            }
            Some(req) = cli_rx.recv() => {
                let target = match req.target.as_deref().map(|p| (p, prefix_target(p, &m.workers))) {
                    None | Some((_, Ok(None))) => None,
                    Some((_, Ok(Some(pid)))) => Some(pid),
                    Some((p, Err(()))) => {
                        let _ = req.reply.send(CliAnswer::TextClose(format!(
                            "Can't find the target PID matching the prefix '{p}'\n"
                        )));
                        continue;
                    }
                };
                if req.line.is_empty() {
                    let _ = req.reply.send(CliAnswer::Text(String::new()));
                    continue;
                }
                if let Some(pid) = target {
                    let text = match m.socks.iter_mut().find(|(p, _)| *p == pid) {
                        Some((_, sock)) => forward(sock, &req.line).await,
                        None => None,
                    };
                    let _ = req.reply.send(match text {
                        Some(t) => CliAnswer::Text(t),
                        // HAProxy's words when the worker cannot be reached.
                        None => CliAnswer::TextClose("Can't connect to the target CLI!\n".into()),
                    });
                    continue;
                }
                let words: Vec<&str> = req.line.split_whitespace().collect();
                let answer = match words.as_slice() {
                    ["show", "proc"] => Some(m.show_proc(&version)),
                    ["show", "version"] => Some(format!("{version}\n\n")),
                    ["help", ..] => Some(format!("The following commands are valid at this level:\n{CLI_HELP}\n")),
                    ["reload"] => None,
                    _ => Some(format!("Unknown command, but maybe one of the following ones is a better match:\n{CLI_HELP}\n")),
                };
                let reload = answer.is_none();
                let _ = req.reply.send(answer.map_or(CliAnswer::Close, CliAnswer::Text));
                if reload && !stopping {
                    m.reload(log).await;
                }
            }
            _ = recv(&mut term) => {
                if o.systemd {
                    notify::send("STOPPING=1");
                }
                log.warning("Exiting Master process...");
                relay(&m.workers, sys::sig::TERM);
                stopping = true;
            }
            _ = recv(&mut int) => {
                if o.systemd {
                    notify::send("STOPPING=1");
                }
                log.warning("Exiting Master process...");
                relay(&m.workers, sys::sig::INT);
                stopping = true;
            }
            _ = recv(&mut usr1) => {
                relay(&m.workers, sys::sig::USR1);
                stopping = true;
            }
            _ = recv(&mut ttou) => relay(&m.workers, sys::sig::TTOU),
            _ = recv(&mut ttin) => relay(&m.workers, sys::sig::TTIN),
            _ = async { tokio::select! { _ = recv(&mut usr2) => {}, _ = recv(&mut hup) => {} } } => {
                if !stopping {
                    m.reload(log).await;
                }
            }
        }
    }
}

/// The master's socket, duplicated from our stdin (a safe dup: no fd is
/// taken over).
fn master_socket() -> Option<std::os::unix::net::UnixStream> {
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    Some(std::os::unix::net::UnixStream::from(fd))
}

/// In a worker: the previous generation's listening sockets, from the master.
pub fn receive_sockets() -> handover::Inherited {
    let Some(s) = master_socket() else {
        return handover::Inherited::default();
    };
    match handover::recv_batch_blocking(&s) {
        Ok((_, list)) => handover::Inherited::from_list(list),
        Err(_) => handover::Inherited::default(),
    }
}

/// In a worker: give the master our listening sockets (for the next generation).
pub fn send_sockets(items: &[(String, std::os::fd::RawFd)]) {
    if let Some(s) = master_socket() {
        let _ = handover::send_socks(&s, items);
    }
}

/// In a worker: say READY to the master.
pub fn worker_ready() {
    if let Some(s) = master_socket() {
        let _ = handover::send_marker(&s, handover::READY);
    }
}

/// In a worker: answers the commands the master forwards (`@1 show info` on
/// the master CLI) with the runtime API at level admin; resolves when the
/// master closed its end.
pub async fn master_link(engine: std::sync::Arc<crate::proxy::engine::Engine>) {
    use crate::proxy::api::cli;
    let Some(s) = master_socket() else {
        return std::future::pending().await;
    };
    if s.set_nonblocking(true).is_err() {
        return std::future::pending().await;
    }
    let Ok(mut s) = tokio::net::UnixStream::from_std(s) else {
        return std::future::pending().await;
    };
    let mut sess = cli::Session::new(cli::Level::Admin, std::time::Duration::from_secs(10));
    loop {
        let Ok((kind, body)) = handover::read_text_frame(&mut s).await else {
            return;
        };
        if kind != handover::CLI {
            continue;
        }
        let out = cli::execute_line(&engine, &mut sess, &format!("{body}\n"));
        if s.write_all(&handover::text_frame(handover::OUT, &out))
            .await
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn show_proc_layout_is_haproxys() {
        // HAProxy 2.6.12 (`echo "show proc" | socat - master.sock`):
        // #<PID>          <type>          <reloads>       <uptime>        <version>
        // 17321           master          1 [failed: 1]   0d00h00m02s     2.6.12-1+deb12u4
        let o = RunOpts::default();
        let (exits, _rx) = mpsc::unbounded_channel();
        let m = Master {
            o: &o,
            workers: vec![Worker {
                pid: 17324,
                current: true,
                reloads: 1,
                started: Instant::now(),
            }],
            socks: Vec::new(),
            listeners: Vec::new(),
            exits,
            reloads: 1,
            failed_reloads: 1,
            started: Instant::now(),
            max_reloads: None,
        };
        let t = m.show_proc("2.6.12-1+deb12u4");
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines.first().copied(),
            Some("#<PID>          <type>          <reloads>       <uptime>        <version>      ")
        );
        let me = std::process::id().to_string();
        assert_eq!(
            lines.get(1).copied(),
            Some(
                format!(
                    "{me:<15} master          1 [failed: 1]   0d00h00m00s     2.6.12-1+deb12u4"
                )
                .as_str()
            )
        );
        assert_eq!(
            &lines[2..],
            [
                "# workers",
                "17324           worker          1               0d00h00m00s     2.6.12-1+deb12u4",
                "# programs",
                ""
            ]
        );
    }

    #[test]
    fn worker_args_drop_master_options() {
        assert_eq!(
            worker_args(
                &os(&[
                    "-Ws",
                    "-D",
                    "-p",
                    "/run/h.pid",
                    "-f",
                    "a.cfg",
                    "-sf",
                    "1",
                    "2",
                    "-q"
                ]),
                &[]
            ),
            os(&["-f", "a.cfg", "-q"])
        );
        assert_eq!(
            worker_args(&os(&["-W", "-S", "/run/m.sock", "-f", "a.cfg"]), &[7, 8]),
            os(&["-f", "a.cfg", "-sf", "7", "8"])
        );
    }
}
