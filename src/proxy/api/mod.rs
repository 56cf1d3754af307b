//! HAProxy's runtime API: the `stats socket` command interpreter and its listeners.
//!
//! Each `stats socket` of the global section becomes a listener (unix path, `unix@`,
//! `ipv4@`/`ipv6@` or a plain `ADDR:PORT`) with its `level` (default `admin`), and for unix
//! sockets `mode`, `user`/`uid`, `group`/`gid`. A connection reads one line of `;`-separated
//! commands, answers and closes, unless `prompt` made it interactive; `stats timeout`
//! (default 10s) closes an idle connection. The commands are in [`cli`].

pub mod cli;
pub mod errors;
pub mod maps;
pub mod pools;
pub mod sess;
pub mod table;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::ir::haproxy::Config;
use crate::proxy::engine::Engine;
use cli::{Level, Session};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot bind stats socket '{path}': {msg}")]
    Bind { path: String, msg: String },
}

/// HAProxy's default `stats timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a `stats socket` listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketAddrSpec {
    Unix(String),
    Tcp(std::net::SocketAddr),
    /// `fd@N`: a socket inherited from the parent (vtest, HAProxy's own test harness,
    /// passes every stats socket this way).
    Fd(i32),
}

/// One `stats socket` line, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketSpec {
    pub addr: SocketAddrSpec,
    pub level: Level,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// A TCP `stats socket` is bound with SO_REUSEPORT like HAProxy's listeners, so that the
/// new worker of a reload can bind it while the old one still serves it.
fn bind_tcp(a: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let sock = Socket::new(Domain::for_address(a), Type::STREAM, None)?;
    sock.set_reuse_address(true)?;
    sock.set_reuse_port(true)?;
    sock.bind(&a.into())?;
    sock.listen(1024)?;
    sock.set_nonblocking(true)?;
    Ok(sock.into())
}

fn bind_err(path: &str, msg: impl std::fmt::Display) -> ApiError {
    ApiError::Bind {
        path: path.to_string(),
        msg: msg.to_string(),
    }
}

/// The numeric id of a user or group name from `/etc/passwd` or `/etc/group`.
fn id_from_file(file: &str, name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        f.next()?;
        f.next()?.parse().ok()
    })
}

/// Decodes a `stats socket` address and parameters.
pub fn parse_socket(address: &str, params: &[String]) -> Result<SocketSpec, ApiError> {
    let addr = if let Some(n) = address.strip_prefix("fd@") {
        SocketAddrSpec::Fd(
            n.parse()
                .map_err(|_| bind_err(address, "unsupported address"))?,
        )
    } else if let Some(p) = address.strip_prefix("unix@") {
        SocketAddrSpec::Unix(p.to_string())
    } else if address.starts_with('/') || address.starts_with('.') {
        SocketAddrSpec::Unix(address.to_string())
    } else {
        let a = address
            .strip_prefix("ipv4@")
            .or_else(|| address.strip_prefix("ipv6@"))
            .or_else(|| address.strip_prefix("tcp@"))
            .or_else(|| address.strip_prefix("tcp4@"))
            .or_else(|| address.strip_prefix("tcp6@"))
            .unwrap_or(address);
        let parsed = a
            .parse::<std::net::SocketAddr>()
            .ok()
            .or_else(|| {
                // `ipv6@::1:9999` and `:9999`
                let (host, port) = a.rsplit_once(':')?;
                let port: u16 = port.parse().ok()?;
                let ip: std::net::IpAddr = if host.is_empty() || host == "*" {
                    std::net::Ipv4Addr::UNSPECIFIED.into()
                } else {
                    host.trim_matches(['[', ']']).parse().ok()?
                };
                Some(std::net::SocketAddr::new(ip, port))
            })
            .ok_or_else(|| bind_err(address, "unsupported address"))?;
        SocketAddrSpec::Tcp(parsed)
    };
    let mut spec = SocketSpec {
        addr,
        level: Level::Admin,
        mode: None,
        uid: None,
        gid: None,
    };
    let mut it = params.iter();
    while let Some(p) = it.next() {
        match p.as_str() {
            "level" => {
                if let Some(l) = it.next().and_then(|v| Level::parse(v)) {
                    spec.level = l;
                }
            }
            "mode" => spec.mode = it.next().and_then(|v| u32::from_str_radix(v, 8).ok()),
            "uid" => spec.uid = it.next().and_then(|v| v.parse().ok()),
            "gid" => spec.gid = it.next().and_then(|v| v.parse().ok()),
            "user" => {
                let n = it.next().map(String::as_str).unwrap_or("");
                spec.uid = Some(
                    id_from_file("/etc/passwd", n)
                        .ok_or_else(|| bind_err(address, format!("unknown user '{n}'")))?,
                );
            }
            "group" => {
                let n = it.next().map(String::as_str).unwrap_or("");
                spec.gid = Some(
                    id_from_file("/etc/group", n)
                        .ok_or_else(|| bind_err(address, format!("unknown group '{n}'")))?,
                );
            }
            // parameters with a value that do not change what tandem does
            "expose-fd" | "process" | "maxconn" | "name" | "id" | "backlog" | "severity-output"
            | "thread" | "interface" | "namespace" => {
                it.next();
            }
            _ => {}
        }
    }
    Ok(spec)
}

/// Starts every `stats socket` of the global section on the current tokio runtime. Called
/// by the runtime after the listeners are bound and before privileges are dropped.
pub fn start(engine: &Arc<Engine>, cfg: &Config) -> Result<(), ApiError> {
    // `enable health` of an added server starts a check task that needs the engine
    engine.admin.set_engine(engine);
    engine
        .stats
        .bind(engine, !cfg.global.stats_sockets.is_empty());
    let mut files: Vec<String> = Vec::new();
    for p in &cfg.proxies {
        if !p.span.file.is_empty() && !files.contains(&p.span.file) {
            files.push(p.span.file.clone());
        }
    }
    maps::set_config_files(&files);
    let timeout = cfg
        .global
        .stats_timeout_ms
        .filter(|t| *t > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_millis);
    for s in &cfg.global.stats_sockets {
        let spec = parse_socket(&s.address, &s.params)?;
        match &spec.addr {
            SocketAddrSpec::Unix(path) => {
                // HAProxy replaces a stale socket file
                let _ = std::fs::remove_file(path);
                let l =
                    std::os::unix::net::UnixListener::bind(path).map_err(|e| bind_err(path, e))?;
                l.set_nonblocking(true).map_err(|e| bind_err(path, e))?;
                if let Some(m) = spec.mode {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(m))
                        .map_err(|e| bind_err(path, e))?;
                }
                if spec.uid.is_some() || spec.gid.is_some() {
                    std::os::unix::fs::chown(path, spec.uid, spec.gid)
                        .map_err(|e| bind_err(path, e))?;
                }
                let l = tokio::net::UnixListener::from_std(l).map_err(|e| bind_err(path, e))?;
                spawn_unix(l, engine.clone(), spec.level, timeout);
            }
            SocketAddrSpec::Fd(n) => match adopt_fd(*n).map_err(|e| bind_err(&s.address, e))? {
                Adopted::Unix(l) => {
                    let l = tokio::net::UnixListener::from_std(l)
                        .map_err(|e| bind_err(&s.address, e))?;
                    spawn_unix(l, engine.clone(), spec.level, timeout);
                }
                Adopted::Tcp(l) => {
                    let l = tokio::net::TcpListener::from_std(l)
                        .map_err(|e| bind_err(&s.address, e))?;
                    spawn_tcp(l, engine.clone(), spec.level, timeout);
                }
            },
            SocketAddrSpec::Tcp(a) => {
                let l = bind_tcp(*a).map_err(|e| bind_err(&s.address, e))?;
                let l =
                    tokio::net::TcpListener::from_std(l).map_err(|e| bind_err(&s.address, e))?;
                spawn_tcp(l, engine.clone(), spec.level, timeout);
            }
        }
    }
    Ok(())
}

enum Adopted {
    Unix(std::os::unix::net::UnixListener),
    Tcp(std::net::TcpListener),
}

/// Takes over an inherited socket (a duplicate, so the parent's number stays valid),
/// listening on it if the parent only bound it.
fn adopt_fd(n: i32) -> std::io::Result<Adopted> {
    use crate::runtime::sys;
    let sock = socket2::Socket::from(sys::dup_fd(n)?);
    if sys::socket_type(&sock)? != libc::SOCK_STREAM {
        return Err(std::io::Error::other("not a stream socket"));
    }
    if !sys::is_listening(&sock) {
        sock.listen(1024)?;
    }
    sock.set_nonblocking(true)?;
    let unix = sock.local_addr()?.as_socket().is_none();
    let fd: std::os::fd::OwnedFd = sock.into();
    Ok(if unix {
        Adopted::Unix(fd.into())
    } else {
        Adopted::Tcp(fd.into())
    })
}

fn spawn_unix(l: tokio::net::UnixListener, engine: Arc<Engine>, level: Level, timeout: Duration) {
    tokio::spawn(async move {
        loop {
            let Ok((st, _)) = l.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let engine = engine.clone();
            tokio::spawn(serve(engine, st, level, timeout));
        }
    });
}

fn spawn_tcp(l: tokio::net::TcpListener, engine: Arc<Engine>, level: Level, timeout: Duration) {
    tokio::spawn(async move {
        loop {
            let Ok((st, peer)) = l.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let engine = engine.clone();
            let local = st.local_addr().ok();
            tokio::spawn(serve_from(
                engine,
                st,
                level,
                timeout,
                sess::Source::Tcp(peer),
                local,
            ));
        }
    });
}

/// Serves one CLI connection.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    engine: Arc<Engine>,
    stream: S,
    level: Level,
    timeout: Duration,
) {
    serve_from(engine, stream, level, timeout, sess::Source::Unix, None).await
}

/// [`serve`] for a client at `src` (the CLI stream is listed by `show sess`, as in
/// HAProxy, with the frontend `GLOBAL`).
pub async fn serve_from<S: AsyncRead + AsyncWrite + Unpin>(
    engine: Arc<Engine>,
    stream: S,
    level: Level,
    timeout: Duration,
    src: sess::Source,
    local: Option<std::net::SocketAddr>,
) {
    // HAProxy 2.6.12 counts each CLI connection once in `show info`'s CumConns and
    // CumReq (itself included), in no rate and not in CurrConns (measured)
    engine
        .stats
        .cum_conns
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    engine
        .stats
        .cum_req
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _guard = engine.sessions.register(sess::NewStream {
        src,
        local,
        frontend: "GLOBAL",
        http: false,
    });
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    let mut sess = Session::new(level, timeout);
    let mut line = String::new();
    loop {
        line.clear();
        let n = match tokio::time::timeout(sess.timeout, r.read_line(&mut line)).await {
            Ok(Ok(n)) => n,
            _ => break,
        };
        if n == 0 {
            break;
        }
        let out = cli::execute_line(&engine, &mut sess, &line);
        if w.write_all(out.as_bytes()).await.is_err() {
            break;
        }
        if sess.quit {
            break;
        }
    }
    let _ = w.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_specs() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = parse_socket("/tmp/x.sock", &p(&["mode", "660", "level", "operator"])).expect("ok");
        assert_eq!(s.addr, SocketAddrSpec::Unix("/tmp/x.sock".into()));
        assert_eq!(s.mode, Some(0o660));
        assert_eq!(s.level, Level::Operator);
        let s = parse_socket("ipv4@127.0.0.1:9999", &[]).expect("ok");
        assert_eq!(
            s.addr,
            SocketAddrSpec::Tcp("127.0.0.1:9999".parse().expect("a"))
        );
        assert_eq!(s.level, Level::Admin);
        let s = parse_socket("ipv6@::1:9999", &p(&["level", "user"])).expect("ok");
        assert_eq!(
            s.addr,
            SocketAddrSpec::Tcp("[::1]:9999".parse().expect("a"))
        );
        assert_eq!(s.level, Level::User);
        let s = parse_socket("/x", &p(&["user", "root", "group", "root"])).expect("ok");
        assert_eq!((s.uid, s.gid), (Some(0), Some(0)));
    }

    #[tokio::test]
    async fn one_line_then_close() {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend be\n server s1 127.0.0.1:1\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let (mut a, b) = tokio::io::duplex(4096);
        let task = tokio::spawn(serve(e, b, Level::Admin, DEFAULT_TIMEOUT));
        a.write_all(b"show backend\n").await.expect("write");
        let mut out = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut a, &mut out)
            .await
            .expect("read");
        task.await.expect("join");
        // HAProxy 2.6.12: "# name\nbe\n\n"
        assert_eq!(out, "# name\nbe\n\n");
    }
}
