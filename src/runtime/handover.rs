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
