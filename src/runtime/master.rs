//! `-W` / `-Ws` master-worker mode.
//!
//! What tandem does (a subset of HAProxy 2.6's model, see the report of
//! issue 3; the process-model issue deepens it):
//! - the master does not bind anything; it starts one worker by running
//!   its own executable again with the same arguments (minus `-W`, `-Ws`,
//!   `-D`, `-p`) and [`super::WORKER_ENV`] set. The worker's stdin is one
//!   end of a socket pair: the worker writes `READY` on it once its
//!   listeners are bound, and leaves (soft stop) when it reads EOF, i.e.
//!   when the master is gone;
//! - SIGUSR2 or SIGHUP: reload. A new worker is started with
//!   `-sf <current workers>`; it re-reads the configuration, binds (both
//!   bind the same ports thanks to SO_REUSEPORT) and soft-stops the old
//!   ones. A worker that fails leaves the old ones running. The master
//!   itself is not re-executed (HAProxy re-executes it to pick up a new
//!   binary);
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
use std::os::fd::{AsFd, OwnedFd};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{Logger, RunOpts, WORKER_ENV, notify, sys};
use crate::ir::haproxy as ir;

struct Worker {
    pid: i32,
    current: bool,
}

type Exits = tokio::sync::mpsc::UnboundedSender<(i32, std::io::Result<std::process::ExitStatus>)>;

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
        if a == "-p" {
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

fn spawn_worker(
    o: &RunOpts,
    old: &[i32],
    exits: &Exits,
) -> std::io::Result<(Worker, tokio::net::UnixStream)> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    let (mine, theirs) = std::os::unix::net::UnixStream::pair()?;
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
    Ok((Worker { pid, current: true }, sock))
}

/// Wait for the worker's READY line; false if it closed without it.
async fn wait_ready(sock: &mut tokio::net::UnixStream) -> bool {
    let mut r = BufReader::new(sock);
    let mut line = String::new();
    matches!(r.read_line(&mut line).await, Ok(n) if n > 0 && line.starts_with("READY"))
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
    rt.block_on(master_loop(o, log, no_exit_on_failure))
}

async fn master_loop(o: &RunOpts, log: &mut Logger, no_exit_on_failure: bool) -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let mut workers: Vec<Worker> = Vec::new();
    // The socket of each worker, kept open: closing it tells the worker
    // the master is gone.
    let mut socks: Vec<(i32, tokio::net::UnixStream)> = Vec::new();
    let (exits, mut exited) = tokio::sync::mpsc::unbounded_channel();

    let (w, mut s) = match spawn_worker(o, &o.old_pids, &exits) {
        Ok(x) => x,
        Err(e) => {
            log.alert(&format!("[{}.main()] Cannot fork: {e}", o.progname));
            return 1;
        }
    };
    log.notice(&format!("New worker ({}) forked", w.pid));
    let first_pid = w.pid;
    workers.push(w);
    if wait_ready(&mut s).await {
        log.notice("Loading success.");
        if o.systemd {
            notify::send(&format!("READY=1\nMAINPID={}", std::process::id()));
        }
    }
    socks.push((first_pid, s));
    log.starting = false;

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
    loop {
        if stopping && workers.is_empty() {
            log.warning(&format!("All workers exited. Exiting... ({exit_code})"));
            return exit_code;
        }
        let relay = |workers: &Vec<Worker>, s: i32| {
            for w in workers {
                let _ = sys::kill(w.pid, s);
            }
        };
        tokio::select! {
            Some((pid, st)) = exited.recv() => {
                let Some(i) = workers.iter().position(|w| w.pid == pid) else { continue };
                let w = workers.remove(i);
                socks.retain(|(p, _)| *p != pid);
                let (code, why) = match st {
                    Ok(st) => exit_text(st),
                    Err(_) => (1, "Exit".to_string()),
                };
                if w.current {
                    log.alert(&format!("Current worker ({pid}) exited with code {code} ({why})"));
                    if !stopping && !no_exit_on_failure {
                        // HAProxy's exit-on-failure: stop the others and leave with its code.
                        relay(&workers, sys::sig::TERM);
                        stopping = true;
                        exit_code = code;
                    }
                } else {
                    log.warning(&format!("Former worker ({pid}) exited with code {code} ({why})"));
                }
            }
            _ = recv(&mut term) => {
                log.warning("Exiting Master process...");
                relay(&workers, sys::sig::TERM);
                stopping = true;
            }
            _ = recv(&mut int) => {
                log.warning("Exiting Master process...");
                relay(&workers, sys::sig::INT);
                stopping = true;
            }
            _ = recv(&mut usr1) => {
                relay(&workers, sys::sig::USR1);
                stopping = true;
            }
            _ = recv(&mut ttou) => relay(&workers, sys::sig::TTOU),
            _ = recv(&mut ttin) => relay(&workers, sys::sig::TTIN),
            _ = async { tokio::select! { _ = recv(&mut usr2) => {}, _ = recv(&mut hup) => {} } } => {
                if stopping { continue; }
                log.notice("Reloading HAProxy");
                if o.systemd {
                    notify::send("RELOADING=1");
                }
                // As after HAProxy's re-exec, the version notices precede
                // the next warning again.
                log.version_shown = false;
                log.starting = true;
                let old: Vec<i32> = workers.iter().map(|w| w.pid).collect();
                match spawn_worker(o, &old, &exits) {
                    Ok((w, mut s)) => {
                        log.notice(&format!("New worker ({}) forked", w.pid));
                        let pid = w.pid;
                        if wait_ready(&mut s).await {
                            for old in workers.iter_mut() {
                                old.current = false;
                            }
                            log.notice("Loading success.");
                        } else {
                            log.alert("Loading failure!");
                        }
                        let mut w = w;
                        w.current = true;
                        workers.push(w);
                        socks.push((pid, s));
                        if o.systemd {
                            notify::send("READY=1");
                        }
                    }
                    Err(e) => log.alert(&format!("Cannot fork a new worker: {e}")),
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

/// In a worker: say READY to the master.
pub fn worker_ready() {
    if let Some(mut s) = master_socket() {
        let _ = s.write_all(b"READY\n");
    }
}

/// In a worker: resolves when the master closed its end.
pub async fn master_gone() {
    let Some(s) = master_socket() else {
        return std::future::pending().await;
    };
    if s.set_nonblocking(true).is_err() {
        return std::future::pending().await;
    }
    let Ok(mut s) = tokio::net::UnixStream::from_std(s) else {
        return std::future::pending().await;
    };
    let mut buf = [0u8; 64];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
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
            worker_args(&os(&["-W", "-f", "a.cfg"]), &[7, 8]),
            os(&["-f", "a.cfg", "-sf", "7", "8"])
        );
    }
}
