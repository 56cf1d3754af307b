//! `stats socket <path> ... expose-fd listeners`: the runtime API socket
//! that also answers HAProxy's `_getsocks`, so that a new process started
//! with `-x <path>` takes this one's listening sockets over (no master
//! needed). tandem binds these sockets here, not in `proxy::api`: the first
//! line of each connection is read first, `_getsocks` is answered with the
//! descriptors ([`handover::send_getsocks`]), anything else is handed to
//! the runtime API unchanged (`proxy::api::serve`).
//!
//! As HAProxy 2.6.12 does (measured with two processes and `-x`, `-sf`):
//! the stats socket itself is among the exported sockets, and a new process
//! reuses the old one's socket for the same path instead of binding anew.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::handover::{self, Exported, Inherited};
use crate::ir::haproxy as ir;
use crate::proxy::engine::Engine;

/// The descriptors `_getsocks` hands out. Emptied when the soft stop
/// begins: the process that took them over owns the queues from then on,
/// and a copy kept here would keep a socket listening after its last
/// real owner closed it.
#[derive(Debug, Clone, Default)]
pub struct ExportList(Arc<Mutex<Vec<Exported>>>);

impl ExportList {
    pub fn set(&self, v: Vec<Exported>) {
        if let Ok(mut g) = self.0.lock() {
            *g = v;
        }
    }

    pub fn push(&self, e: Exported) {
        if let Ok(mut g) = self.0.lock() {
            g.push(e);
        }
    }

    pub fn clear(&self) {
        self.set(Vec::new());
    }

    /// Fresh duplicates of the descriptors (the lock is not held while sending).
    fn snapshot(&self) -> Vec<Exported> {
        let Ok(g) = self.0.lock() else {
            return Vec::new();
        };
        g.iter()
            .filter_map(|e| {
                Some(Exported {
                    fd: e.fd.try_clone().ok()?,
                    ns: e.ns.clone(),
                    iface: e.iface.clone(),
                })
            })
            .collect()
    }
}

/// `expose-fd listeners` among a stats socket's parameters.
pub fn exposes_listeners(s: &ir::StatsSocket) -> bool {
    s.params.windows(2).any(|w| {
        w.first().is_some_and(|a| a == "expose-fd") && w.get(1).is_some_and(|b| b == "listeners")
    })
}

/// A unix-path stats socket with `expose-fd listeners`: its path.
fn exposed_path(s: &ir::StatsSocket) -> Option<String> {
    if !exposes_listeners(s) {
        return None;
    }
    match crate::proxy::api::parse_socket(&s.address, &s.params)
        .ok()?
        .addr
    {
        crate::proxy::api::SocketAddrSpec::Unix(p) => Some(p),
        crate::proxy::api::SocketAddrSpec::Tcp(_) | crate::proxy::api::SocketAddrSpec::Fd(_) => {
            None
        }
    }
}

/// Split the stats sockets: those served here (unix, `expose-fd
/// listeners`), and a configuration holding the others for `proxy::api`.
pub fn split(cfg: &ir::Config) -> (Vec<ir::StatsSocket>, ir::Config) {
    let (mine, rest): (Vec<_>, Vec<_>) = cfg
        .global
        .stats_sockets
        .iter()
        .cloned()
        .partition(|s| exposed_path(s).is_some());
    let mut other = cfg.clone();
    other.global.stats_sockets = rest;
    (mine, other)
}

/// The connection's first line, up to and including `\n` (at most 64 KiB).
async fn first_line<R: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<R>) -> Vec<u8> {
    let mut line = Vec::new();
    let mut limited = r.take(64 * 1024);
    let _ = limited.read_until(b'\n', &mut line).await;
    line
}

async fn serve_conn(
    engine: Arc<Engine>,
    st: tokio::net::UnixStream,
    level: crate::proxy::api::cli::Level,
    timeout: Duration,
    exports: ExportList,
) {
    let mut r = BufReader::new(st);
    let line = match tokio::time::timeout(timeout, first_line(&mut r)).await {
        Ok(l) => l,
        Err(_) => return,
    };
    let cmd = String::from_utf8_lossy(&line);
    if cmd.split_whitespace().next() == Some("_getsocks") {
        let Ok(std_s) = r.into_inner().into_std() else {
            return;
        };
        let fds = exports.snapshot();
        let _ = tokio::task::spawn_blocking(move || handover::send_getsocks(&std_s, &fds)).await;
        return;
    }
    // Anything else is the runtime API's: replay what was read, then the rest.
    let pending = r.buffer().to_vec();
    let st = r.into_inner();
    let (rd, wr) = tokio::io::split(st);
    let mut prefix = line;
    prefix.extend_from_slice(&pending);
    let replay = std::io::Cursor::new(prefix).chain(rd);
    crate::proxy::api::serve(engine, tokio::io::join(replay, wr), level, timeout).await;
}

/// Bind (or take over from `inherited`) and serve the `expose-fd listeners`
/// stats sockets; their own descriptors join `exports`. Inside the runtime.
pub fn start(
    engine: &Arc<Engine>,
    cfg: &ir::Config,
    socks: &[ir::StatsSocket],
    inherited: &mut Inherited,
    exports: &ExportList,
) -> Result<(), crate::proxy::api::ApiError> {
    let timeout = cfg
        .global
        .stats_timeout_ms
        .filter(|t| *t > 0)
        .map_or(Duration::from_secs(10), Duration::from_millis);
    for s in socks {
        let spec = crate::proxy::api::parse_socket(&s.address, &s.params)?;
        let Some(path) = exposed_path(s) else {
            continue;
        };
        let err = |e: std::io::Error| crate::proxy::api::ApiError::Bind {
            path: path.clone(),
            msg: e.to_string(),
        };
        let std_l = match inherited.take(&handover::compat_key_unix(&path)) {
            Some(fd) => std::os::unix::net::UnixListener::from(fd),
            None => bind_path(&path, spec.mode, spec.uid, spec.gid).map_err(err)?,
        };
        std_l.set_nonblocking(true).map_err(err)?;
        if let Ok(fd) = std::os::fd::AsFd::as_fd(&std_l).try_clone_to_owned() {
            exports.push(Exported {
                fd,
                ns: String::new(),
                iface: String::new(),
            });
        }
        let l = tokio::net::UnixListener::from_std(std_l).map_err(err)?;
        let engine = engine.clone();
        let level = spec.level;
        let exports = exports.clone();
        let mut stopping = engine.stopping().clone();
        tokio::spawn(async move {
            loop {
                // HAProxy stops its GLOBAL (stats) listeners at the soft stop:
                // the process that took the socket over answers from then on.
                let accepted = tokio::select! {
                    r = l.accept() => r,
                    _ = stopping.wait_for(|s| *s) => return,
                };
                let Ok((st, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                tokio::spawn(serve_conn(
                    engine.clone(),
                    st,
                    level,
                    timeout,
                    exports.clone(),
                ));
            }
        });
    }
    Ok(())
}

/// Bound under `PATH.PID.tmp`, given its mode and owner, then renamed over
/// PATH, as HAProxy does (so a new process's getsockname() shows the
/// temporary name, which `-x` matching ignores).
fn bind_path(
    path: &str,
    mode: Option<u32>,
    uid: Option<u32>,
    gid: Option<u32>,
) -> std::io::Result<std::os::unix::net::UnixListener> {
    let tmp = format!("{path}.{}.tmp", std::process::id());
    let _ = std::fs::remove_file(&tmp);
    let l = std::os::unix::net::UnixListener::bind(&tmp)?;
    let done = (|| {
        if let Some(m) = mode {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(m))?;
        }
        if uid.is_some() || gid.is_some() {
            std::os::unix::fs::chown(&tmp, uid, gid)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock(addr: &str, params: &[&str]) -> ir::StatsSocket {
        let text = format!("global\n    stats socket {addr} {}\n", params.join(" "));
        let cfg = crate::config::haproxy::parser::load_from_memory(
            "t.cfg",
            text.as_bytes(),
            &Default::default(),
        )
        .config
        .unwrap_or_default();
        match cfg.global.stats_sockets.first() {
            Some(s) => s.clone(),
            None => panic!("no stats socket parsed"),
        }
    }

    #[test]
    fn only_unix_sockets_with_expose_fd_listeners_are_served_here() {
        assert!(
            exposed_path(&sock(
                "/run/a.sock",
                &["mode", "600", "expose-fd", "listeners"]
            ))
            .is_some()
        );
        assert!(exposed_path(&sock("/run/a.sock", &["level", "admin"])).is_none());
        assert!(exposed_path(&sock("ipv4@127.0.0.1:9999", &["expose-fd", "listeners"])).is_none());
    }
}
