//! Listening sockets handed from one worker generation to the next.
//!
//! Why: with SO_REUSEPORT alone, a new worker binds *new* sockets next to the
//! old ones; the kernel spreads SYNs over both, and whatever sits in the old
//! socket's accept queue when the old worker closes it is reset. HAProxy
//! avoids that by passing the listening descriptors themselves to the new
//! process (`-x` / the master's socket pair, `_getsocks`). tandem does the
//! same: the master keeps a copy of the current worker's listening sockets
//! and gives them to the next worker, which reuses every one whose key
//! (address and socket options) still appears in the configuration. Old and
//! new workers then accept from the same kernel queue; no SYN is refused and
//! no queued connection is lost.
//!
//! Wire format, on the socket pair that is the worker's stdin: frames of a
//! big-endian u32 length and that many bytes of text. The first line of a
//! frame is its kind: `SOCKS` (one key per following line, one descriptor
//! attached per key, as SCM_RIGHTS), or an end marker (`DONE` from the
//! master, `READY` from the worker) that closes a batch.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::sys;

/// A batch: its end marker and its sockets with their keys.
pub type Batch = (String, Vec<(String, OwnedFd)>);

/// The master's batch end marker.
pub const DONE: &str = "DONE";
/// The worker's: its listeners are bound and it serves.
pub const READY: &str = "READY";

/// Listening sockets received from the previous generation, by key.
#[derive(Debug, Default)]
pub struct Inherited {
    map: HashMap<String, VecDeque<OwnedFd>>,
}

impl Inherited {
    pub fn from_list(list: Vec<(String, OwnedFd)>) -> Self {
        let mut map: HashMap<String, VecDeque<OwnedFd>> = HashMap::new();
        for (k, fd) in list {
            map.entry(k).or_default().push_back(fd);
        }
        Inherited { map }
    }

    /// The socket for `key`, if the previous generation had one.
    pub fn take(&mut self, key: &str) -> Option<OwnedFd> {
        let q = self.map.get_mut(key)?;
        let fd = q.pop_front();
        if q.is_empty() {
            self.map.remove(key);
        }
        fd
    }

    pub fn len(&self) -> usize {
        self.map.values().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

fn frame(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(4 + text.len());
    v.extend_from_slice(&(text.len() as u32).to_be_bytes());
    v.extend_from_slice(text.as_bytes());
    v
}

/// Write all of `data` with the descriptors on its first byte (blocking socket).
fn send_all(sock: &impl AsRawFd, data: &[u8], fds: &[RawFd]) -> io::Result<()> {
    let mut sent = sys::send_fds(sock, data, fds)?;
    while sent < data.len() {
        let rest = data.get(sent..).unwrap_or_default();
        sent += sys::send_fds(sock, rest, &[])?;
    }
    Ok(())
}

/// Send `items` then the end marker `end` on a blocking socket.
pub fn send_batch(sock: &impl AsRawFd, items: &[(String, RawFd)], end: &str) -> io::Result<()> {
    send_socks(sock, items)?;
    send_marker(sock, end)
}

/// The end marker of a batch.
pub fn send_marker(sock: &impl AsRawFd, end: &str) -> io::Result<()> {
    send_all(sock, &frame(end), &[])
}

/// Sockets of a batch, without its end.
pub fn send_socks(sock: &impl AsRawFd, items: &[(String, RawFd)]) -> io::Result<()> {
    for chunk in items.chunks(sys::MAX_FDS_PER_MSG) {
        let mut text = String::from("SOCKS");
        for (k, _) in chunk {
            text.push('\n');
            text.push_str(k);
        }
        let fds: Vec<RawFd> = chunk.iter().map(|(_, fd)| *fd).collect();
        send_all(sock, &frame(&text), &fds)?;
    }
    Ok(())
}

/// Reassembles frames from what recvmsg returns (stream semantics: a read
/// may hold part of a frame or several; descriptors arrive no later than the
/// first byte of the frame they belong to, in order).
#[derive(Debug, Default)]
pub struct FrameReader {
    buf: Vec<u8>,
    fds: VecDeque<OwnedFd>,
    items: Vec<(String, OwnedFd)>,
}

impl FrameReader {
    pub fn feed(&mut self, data: &[u8], fds: Vec<OwnedFd>) {
        self.buf.extend_from_slice(data);
        self.fds.extend(fds);
    }

    /// The end marker once a whole batch is in, with its sockets.
    pub fn batch(&mut self) -> io::Result<Option<Batch>> {
        loop {
            let Some(len) = self
                .buf
                .get(..4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(|b| u32::from_be_bytes(b) as usize)
            else {
                return Ok(None);
            };
            let Some(body) = self.buf.get(4..4 + len) else {
                return Ok(None);
            };
            let text = String::from_utf8_lossy(body).into_owned();
            self.buf.drain(..4 + len);
            let mut lines = text.split('\n');
            let kind = lines.next().unwrap_or_default().to_string();
            if kind != "SOCKS" {
                return Ok(Some((kind, std::mem::take(&mut self.items))));
            }
            for key in lines {
                let Some(fd) = self.fds.pop_front() else {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "socket list without its descriptors",
                    ));
                };
                self.items.push((key.to_string(), fd));
            }
        }
    }
}

/// Read one batch from a blocking socket.
pub fn recv_batch_blocking(sock: &impl AsRawFd) -> io::Result<Batch> {
    let mut r = FrameReader::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(b) = r.batch()? {
            return Ok(b);
        }
        let (n, fds) = sys::recv_fds(sock, &mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        r.feed(buf.get(..n).unwrap_or_default(), fds);
    }
}

/// Read one batch from a tokio socket.
pub async fn recv_batch(sock: &tokio::net::UnixStream) -> io::Result<Batch> {
    let mut r = FrameReader::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(b) = r.batch()? {
            return Ok(b);
        }
        sock.readable().await?;
        match sock.try_io(tokio::io::Interest::READABLE, || {
            sys::recv_fds(sock, &mut buf)
        }) {
            Ok((0, _)) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok((n, fds)) => r.feed(buf.get(..n).unwrap_or_default(), fds),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// A master CLI command forwarded to a worker (`@1 show info`): the frame
/// `CLI\n<command>`; the worker answers `OUT\n<output>`.
pub const CLI: &str = "CLI";
/// The worker's answer to [`CLI`].
pub const OUT: &str = "OUT";

/// A text frame: kind, newline, body.
pub fn text_frame(kind: &str, body: &str) -> Vec<u8> {
    frame(&format!("{kind}\n{body}"))
}

/// Read one whole frame (no descriptors expected): its kind and body.
pub async fn read_text_frame<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
) -> io::Result<(String, String)> {
    use tokio::io::AsyncReadExt;
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > 16 * 1024 * 1024 {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "frame too long"));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    let text = String::from_utf8_lossy(&body).into_owned();
    Ok(match text.split_once('\n') {
        Some((k, b)) => (k.to_string(), b.to_string()),
        None => (text, String::new()),
    })
}

// ---------------------------------------------------------------------------
// HAProxy's own socket transfer: `-x <socket>` and `_getsocks` on a `stats
// socket ... expose-fd listeners`, without a master (HAProxy 2.6's
// `sock_get_old_sockets()` and `_getsocks()`, so that tandem and HAProxy can
// take sockets from each other).
//
// Wire format (native-endian ints, as HAProxy sends them): the client writes
// `_getsocks\n`; the server answers with an int, the number of sockets, then
// messages of up to 253 descriptors (SCM_RIGHTS) whose bytes are, per
// descriptor: the namespace name's length (one byte) and name, the
// interface name's length (one byte) and name, and 4 zero bytes. The client
// acknowledges each message with an int; the server waits for that after a
// full message. A server without `expose-fd listeners` closes without a
// word. The client matches what it received by address, interface,
// namespace and the foreign / v6only flags read from the socket itself.

/// HAProxy's MAX_SEND_FD.
const MAX_SEND_FD: usize = 253;

/// Keys of sockets received with `-x` start with this: they are matched by
/// what HAProxy compares ([`compat_key_inet`]), not by tandem's own key.
pub const XFER: &str = "xfer ";

/// The `-x` identity of an IPv4/IPv6 listener.
pub fn compat_key_inet(
    addr: &std::net::SocketAddr,
    foreign: bool,
    v6only: bool,
    iface: &str,
    ns: &str,
) -> String {
    format!(
        "{XFER}tcp {addr} foreign={} v6only={} if={iface} ns={ns}",
        u8::from(foreign),
        u8::from(v6only && addr.is_ipv6())
    )
}

/// The `-x` identity of a unix socket bound at `path`.
pub fn compat_key_unix(path: &str) -> String {
    format!("{XFER}unix {path}")
}

/// The `-x` identity of an abstract unix socket.
pub fn compat_key_abns(name: &str) -> String {
    format!("{XFER}abns {name}")
}

/// A socket this process lets a new one take with `_getsocks`.
#[derive(Debug)]
pub struct Exported {
    pub fd: OwnedFd,
    pub ns: String,
    pub iface: String,
}

/// HAProxy binds a unix socket as `PATH.PID.tmp` then renames it, so
/// getsockname() shows that name; its address comparison ignores the suffix.
fn strip_tmp_suffix(p: &str) -> &str {
    if let Some(rest) = p.strip_suffix(".tmp")
        && let Some((base, pid)) = rest.rsplit_once('.')
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
    {
        return base;
    }
    p
}

/// The `-x` key of a received socket, from the socket itself.
fn compat_key_of(fd: &OwnedFd, ns: &str, iface: &str) -> Option<String> {
    let a = socket2::SockRef::from(fd).local_addr().ok()?;
    if let Some(sa) = a.as_socket() {
        let v6 = sa.is_ipv6();
        return Some(compat_key_inet(
            &sa,
            sys::is_foreign(fd, v6),
            v6 && sys::is_v6only(fd),
            iface,
            ns,
        ));
    }
    if let Some(p) = a.as_pathname() {
        return Some(compat_key_unix(strip_tmp_suffix(&p.to_string_lossy())));
    }
    a.as_abstract_namespace()
        .map(|n| compat_key_abns(&String::from_utf8_lossy(n)))
}

/// Why `-x` failed: HAProxy's warning, which it follows with the alert
/// `Failed to get the sockets from the old process!`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct XferError(pub String);

fn read_exact_blocking(sock: &impl AsRawFd, buf: &mut [u8]) -> io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        let rest = buf.get_mut(got..).unwrap_or_default();
        let (n, _) = sys::recv_fds(sock, rest)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        got += n;
    }
    Ok(())
}

/// What `-x` got: the sockets with their keys, and warnings about skipped ones.
pub type OldSockets = (Vec<(String, OwnedFd)>, Vec<String>);

/// `-x <socket>` (or `-x sockpair@<fd>`): the listening sockets of the old
/// process, each with its `-x` key, plus warnings about sockets skipped.
pub fn get_old_sockets(spec: &str) -> Result<OldSockets, XferError> {
    use std::os::unix::net::UnixStream;
    let count_err = || XferError("Failed to get the number of sockets to be transferred !".into());
    let sock = if let Some(n) = spec.strip_prefix("sockpair@") {
        // The master-worker form: a socket pair end goes over the inherited
        // descriptor; the other end carries the exchange.
        let dst: RawFd = n.trim().parse().unwrap_or(-1);
        let (a, b) = UnixStream::pair()
            .map_err(|_| XferError("socketpair(): Cannot create socketpair. Giving up.".into()))?;
        let dst = sys::dup_fd(dst).map_err(|_| {
            XferError(format!(
                "socketpair: Cannot transfer the fd {} over sockpair@{n}. Giving up.",
                a.as_raw_fd()
            ))
        })?;
        if sys::send_fds(&dst, &[0, 0], &[a.as_raw_fd()]).is_err() {
            return Err(XferError(format!(
                "socketpair: Cannot transfer the fd {} over sockpair@{n}. Giving up.",
                a.as_raw_fd()
            )));
        }
        b
    } else {
        UnixStream::connect(spec).map_err(|_| {
            XferError(format!(
                "Failed to connect to the old process socket '{spec}'"
            ))
        })?
    };
    let _ = sys::set_timeouts(&sock, std::time::Duration::from_secs(1));
    if sys::send_fds(&sock, b"_getsocks\n", &[]).ok() != Some(10) {
        return Err(count_err());
    }
    let mut nb = [0u8; 4];
    read_exact_blocking(&sock, &mut nb).map_err(|_| count_err())?;
    let fd_nb = i32::from_ne_bytes(nb);
    if fd_nb <= 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let fd_nb = fd_nb as usize;
    let mut data = Vec::new();
    let mut fds: Vec<OwnedFd> = Vec::new();
    let mut buf = vec![0u8; MAX_SEND_FD * (1 + 4096 + 1 + 16 + 4)];
    while fds.len() < fd_nb {
        let (n, got) = match sys::recv_fds(&sock, &mut buf) {
            Ok((0, _)) | Err(_) => break,
            Ok(x) => x,
        };
        // The acknowledgement HAProxy's sender waits for after a full message.
        let _ = sys::send_fds(&sock, &(fds.len() as i32).to_ne_bytes(), &[]);
        if fds.len() + got.len() > fd_nb {
            return Err(XferError("Got to many sockets !".into()));
        }
        fds.extend(got);
        data.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    if fds.len() != fd_nb {
        return Err(XferError(format!(
            "We didn't get the expected number of sockets (expecting {fd_nb} got {})",
            fds.len()
        )));
    }
    let inconsistent = || XferError("Inconsistency while transferring sockets".into());
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut off = 0usize;
    let name = |off: &mut usize| -> Result<String, XferError> {
        let len = usize::from(*data.get(*off).ok_or_else(inconsistent)?);
        *off += 1;
        let s = data.get(*off..*off + len).ok_or_else(inconsistent)?;
        *off += len;
        Ok(String::from_utf8_lossy(s).into_owned())
    };
    for fd in fds {
        let ns = name(&mut off)?;
        let iface = name(&mut off)?;
        if off + 4 > data.len() {
            return Err(inconsistent());
        }
        off += 4;
        match compat_key_of(&fd, &ns, &iface) {
            Some(k) => out.push((k, fd)),
            None => notes.push("Failed to get socket address".to_string()),
        }
    }
    Ok((out, notes))
}

/// Answer `_getsocks` on a connection of an `expose-fd listeners` socket:
/// blocking, with HAProxy's 1 s timeouts. Nothing is sent when there is
/// nothing to export (the client then gives up, as with HAProxy).
pub fn send_getsocks(sock: &std::os::unix::net::UnixStream, fds: &[Exported]) -> io::Result<()> {
    sock.set_nonblocking(false)?;
    let _ = sys::set_timeouts(sock, std::time::Duration::from_secs(1));
    if fds.is_empty() {
        return Ok(());
    }
    let n = i32::try_from(fds.len()).unwrap_or(i32::MAX);
    send_all(sock, &n.to_ne_bytes(), &[])?;
    // sys::send_fds carries at most MAX_FDS_PER_MSG descriptors a message.
    let per_msg = MAX_SEND_FD.min(sys::MAX_FDS_PER_MSG);
    for chunk in fds.chunks(per_msg) {
        let mut data = Vec::new();
        for e in chunk {
            for name in [&e.ns, &e.iface] {
                let b = name.as_bytes();
                let b = b.get(..b.len().min(255)).unwrap_or_default();
                data.push(b.len() as u8);
                data.extend_from_slice(b);
            }
            data.extend_from_slice(&[0; 4]);
        }
        let raw: Vec<RawFd> = chunk.iter().map(|e| e.fd.as_raw_fd()).collect();
        send_all(sock, &data, &raw)?;
        if chunk.len() == per_msg {
            let mut ack = [0u8; 4];
            let (got, _) = sys::recv_fds(sock, &mut ack)?;
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_round_trip_keeps_keys_and_sockets_paired() {
        let Ok((a, b)) = std::os::unix::net::UnixStream::pair() else {
            return;
        };
        let ls: Vec<std::net::TcpListener> = (0..3)
            .filter_map(|_| std::net::TcpListener::bind("127.0.0.1:0").ok())
            .collect();
        let items: Vec<(String, RawFd)> = ls
            .iter()
            .filter_map(|l| l.local_addr().ok().map(|a| (a.to_string(), l.as_raw_fd())))
            .collect();
        assert!(send_batch(&a, &items, READY).is_ok());
        let Ok((end, got)) = recv_batch_blocking(&b) else {
            panic!("no batch")
        };
        assert_eq!(end, READY);
        assert_eq!(got.len(), 3);
        for (k, fd) in got {
            let l = std::net::TcpListener::from(fd);
            assert_eq!(l.local_addr().map(|a| a.to_string()).ok(), Some(k));
        }
        // An empty batch is just its marker.
        assert!(send_batch(&a, &[], DONE).is_ok());
        let r = recv_batch_blocking(&b);
        assert!(matches!(r, Ok((ref e, ref v)) if e == DONE && v.is_empty()));
    }

    #[test]
    fn getsocks_round_trip_gives_compat_keys() {
        let dir = std::env::temp_dir().join(format!("tandem-xfer-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("s.sock");
        let _ = std::fs::remove_file(&path);
        let Ok(srv) = std::os::unix::net::UnixListener::bind(&path) else {
            return;
        };
        let Ok(l) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = l.local_addr() else { return };
        let tmp = dir.join(format!("u.sock.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let Ok(u) = std::os::unix::net::UnixListener::bind(&tmp) else {
            return;
        };
        let exported = vec![
            Exported {
                fd: OwnedFd::from(l),
                ns: String::new(),
                iface: "lo".into(),
            },
            Exported {
                fd: OwnedFd::from(u),
                ns: String::new(),
                iface: String::new(),
            },
        ];
        let t = std::thread::spawn(move || {
            if let Ok((c, _)) = srv.accept() {
                let mut line = [0u8; 10];
                let _ = read_exact_blocking(&c, &mut line);
                assert_eq!(&line, b"_getsocks\n");
                assert!(send_getsocks(&c, &exported).is_ok());
            }
        });
        let got = get_old_sockets(&path.to_string_lossy());
        let _ = t.join();
        let Ok((items, notes)) = got else {
            panic!("{got:?}")
        };
        assert!(notes.is_empty());
        let keys: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                compat_key_inet(&addr, false, false, "lo", "").as_str(),
                compat_key_unix(&dir.join("u.sock").to_string_lossy()).as_str()
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn x_errors_are_haproxys() {
        // HAProxy 2.6.12: `[WARNING] (P) : Failed to connect to the old process
        // socket '/tmp/px/nonexist.sock'`.
        assert_eq!(
            get_old_sockets("/nonexistent/tandem.sock").err(),
            Some(XferError(
                "Failed to connect to the old process socket '/nonexistent/tandem.sock'".into()
            ))
        );
        assert_eq!(strip_tmp_suffix("/a/b.sock.123.tmp"), "/a/b.sock");
        assert_eq!(strip_tmp_suffix("/a/b.tmp"), "/a/b.tmp");
    }

    #[test]
    fn inherited_hands_each_socket_once() {
        let ls: Vec<std::net::TcpListener> = (0..2)
            .filter_map(|_| std::net::TcpListener::bind("127.0.0.1:0").ok())
            .collect();
        let list = ls
            .into_iter()
            .map(|l| ("k".to_string(), OwnedFd::from(l)))
            .collect();
        let mut inh = Inherited::from_list(list);
        assert_eq!(inh.len(), 2);
        assert!(inh.take("k").is_some());
        assert!(inh.take("k").is_some());
        assert!(inh.take("k").is_none());
        assert!(inh.is_empty());
    }
}
