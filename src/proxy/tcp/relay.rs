//! The bidirectional relay between a client and a server connection:
//! half-close propagated (a FIN on one side becomes a shutdown(SHUT_WR) on
//! the other), HAProxy's inactivity timeouts, and splice(2) when the proxy
//! asks for it (`option splice-auto|splice-request|splice-response`).
//!
//! Timeouts (configuration.txt, HAProxy 2.6): `timeout client` is the
//! inactivity of the client side, `timeout server` of the server side;
//! `timeout tunnel` supersedes both once the tunnel is established and
//! counts inactivity in both directions; `timeout client-fin` /
//! `server-fin` replace the client / server timeout once that side has
//! sent its FIN. A side is active when bytes are read from it or written
//! to it (so a long one-way download does not trip the uploader's timeout).

use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, Interest};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::ir::haproxy::ProxySettings;
use crate::proxy::engine;

/// The timeouts that apply to one relay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub client: Option<Duration>,
    pub server: Option<Duration>,
    pub tunnel: Option<Duration>,
    pub client_fin: Option<Duration>,
    pub server_fin: Option<Duration>,
}

impl Timeouts {
    /// Client-side values come from the frontend, server-side ones and
    /// `tunnel` from the backend, as in HAProxy.
    pub fn of(fe: &engine::Timeouts, be: &engine::Timeouts) -> Self {
        Timeouts {
            client: fe.client,
            server: be.server,
            tunnel: be.tunnel,
            client_fin: fe.client_fin,
            server_fin: be.server_fin,
        }
    }
}

/// Which directions use splice(2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Splice {
    pub request: bool,
    pub response: bool,
}

/// `option splice-auto` / `splice-request` / `splice-response` in the
/// frontend or the backend.
pub fn splice_wanted(fe: &ProxySettings, be: &ProxySettings) -> Splice {
    let on = |n: &str| {
        fe.option(n).is_some_and(|o| o.enabled) || be.option(n).is_some_and(|o| o.enabled)
    };
    let auto = on("splice-auto");
    Splice {
        request: auto || on("splice-request"),
        response: auto || on("splice-response"),
    }
}

/// How the relay ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Both sides closed their write side.
    Closed,
    /// A side was inactive too long.
    Timeout,
    /// A socket error (reset...).
    Error,
}

/// Last activity per side, in ms since the relay started.
struct Activity {
    start: Instant,
    client: AtomicU64,
    server: AtomicU64,
    /// Bytes read from the client / from the server (`%U`, `%B` in the logs).
    from_client: AtomicU64,
    from_server: AtomicU64,
}

impl Activity {
    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }
    fn touch(&self, side: &AtomicU64) {
        side.store(self.now(), Ordering::Relaxed);
    }
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            client: AtomicU64::new(0),
            server: AtomicU64::new(0),
            from_client: AtomicU64::new(0),
            from_server: AtomicU64::new(0),
        }
    }
    /// Counts `n` bytes read from the side whose activity stamp is `from_side`.
    fn count(&self, from_side: &AtomicU64, n: usize) {
        let c = if std::ptr::eq(from_side, &self.client) {
            &self.from_client
        } else {
            &self.from_server
        };
        c.fetch_add(n as u64, Ordering::Relaxed);
    }
    fn outcome(&self, end: End) -> Relayed {
        Relayed {
            end,
            from_client: self.from_client.load(Ordering::Relaxed),
            from_server: self.from_server.load(Ordering::Relaxed),
        }
    }
}

/// How a relay ended and what it carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    pub end: End,
    pub from_client: u64,
    pub from_server: u64,
}

const CHUNK: usize = 16384;

/// Move bytes from `from` to `to` until `from` sends its FIN; then shut
/// down `to`'s write side.
async fn pump(
    from: &TcpStream,
    to: &TcpStream,
    act: &Activity,
    from_side: &AtomicU64,
    to_side: &AtomicU64,
    splice: bool,
) -> io::Result<()> {
    if splice && let Ok(r) = splice_pump(from, to, act, from_side, to_side).await {
        return r;
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        from.readable().await?;
        let n = match from.try_read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        act.touch(from_side);
        act.count(from_side, n);
        let mut off = 0;
        while off < n {
            to.writable().await?;
            match to.try_write(&buf[off..n]) {
                Ok(w) => {
                    off += w;
                    act.touch(to_side);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
    }
    let _ = SockRef::from(to).shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// The splice(2) version of [`pump`]: socket -> pipe -> socket, no copy to
/// user space. `Err(())` when no pipe could be made (fall back to copying).
async fn splice_pump(
    from: &TcpStream,
    to: &TcpStream,
    act: &Activity,
    from_side: &AtomicU64,
    to_side: &AtomicU64,
) -> Result<io::Result<()>, ()> {
    use crate::runtime::sys;
    let (pr, pw) = sys::pipe().map_err(|_| ())?;
    let _ = sys::set_pipe_size(&pw, 65536);
    let work = async {
        loop {
            from.readable().await?;
            let got = from.try_io(Interest::READABLE, || {
                sys::splice(from.as_raw_fd(), pw.as_raw_fd(), 65536)
            });
            let n = match got {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            };
            act.touch(from_side);
            act.count(from_side, n);
            let mut left = n;
            while left > 0 {
                to.writable().await?;
                match to.try_io(Interest::WRITABLE, || {
                    sys::splice(pr.as_raw_fd(), to.as_raw_fd(), left)
                }) {
                    Ok(w) => {
                        left = left.saturating_sub(w);
                        act.touch(to_side);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        let _ = SockRef::from(to).shutdown(std::net::Shutdown::Write);
        Ok(())
    };
    Ok(work.await)
}

/// Relay until both directions are closed, a timeout expires or an error
/// happens; both sockets are closed when it returns.
pub async fn relay(client: TcpStream, server: TcpStream, t: Timeouts, splice: Splice) -> End {
    relay_counted(client, server, t, splice).await.end
}

/// [`relay`] with the byte counts.
pub async fn relay_counted(
    client: TcpStream,
    server: TcpStream,
    t: Timeouts,
    splice: Splice,
) -> Relayed {
    let act = Activity::new();
    let up = pump(
        &client,
        &server,
        &act,
        &act.client,
        &act.server,
        splice.request,
    );
    let down = pump(
        &server,
        &client,
        &act,
        &act.server,
        &act.client,
        splice.response,
    );
    let end = drive(up, down, &t, &act).await;
    act.outcome(end)
}

/// [`relay`] for a client stream that is not a plain socket (TLS).
pub async fn relay_stream<S, T>(client: S, server: T, t: Timeouts) -> Relayed
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let act = Activity::new();
    let (mut cr, mut cw) = tokio::io::split(client);
    let (mut sr, mut sw) = tokio::io::split(server);
    let up = stream_pump(&mut cr, &mut sw, &act, &act.client, &act.server);
    let down = stream_pump(&mut sr, &mut cw, &act, &act.server, &act.client);
    let end = drive(up, down, &t, &act).await;
    act.outcome(end)
}

async fn stream_pump<R, W>(
    r: &mut R,
    w: &mut W,
    act: &Activity,
    from_side: &AtomicU64,
    to_side: &AtomicU64,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        act.touch(from_side);
        act.count(from_side, n);
        w.write_all(&buf[..n]).await?;
        w.flush().await?;
        act.touch(to_side);
    }
    w.shutdown().await
}

/// Run both directions under the timeouts.
async fn drive<U, D>(up: U, down: D, t: &Timeouts, act: &Activity) -> End
where
    U: std::future::Future<Output = io::Result<()>>,
    D: std::future::Future<Output = io::Result<()>>,
{
    tokio::pin!(up);
    tokio::pin!(down);
    let (mut up_done, mut down_done) = (false, false);
    loop {
        if up_done && down_done {
            return End::Closed;
        }
        let wait = next_deadline(t, act, up_done, down_done);
        let now = act.now();
        if wait.is_some_and(|d| d <= now) {
            return End::Timeout;
        }
        let sleep = async {
            match wait {
                Some(d) => tokio::time::sleep(Duration::from_millis(d - now)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = &mut up, if !up_done => {
                if r.is_err() { return End::Error; }
                up_done = true;
            }
            r = &mut down, if !down_done => {
                if r.is_err() { return End::Error; }
                down_done = true;
            }
            _ = sleep => {}
        }
    }
}

/// When the relay times out if nothing happens (ms since its start).
fn next_deadline(t: &Timeouts, act: &Activity, client_fin: bool, server_fin: bool) -> Option<u64> {
    let ms = |d: Duration| d.as_millis() as u64;
    let c_last = act.client.load(Ordering::Relaxed);
    let s_last = act.server.load(Ordering::Relaxed);
    let c_to = if client_fin {
        t.client_fin.or(t.tunnel).or(t.client)
    } else {
        t.tunnel.or(t.client)
    };
    let s_to = if server_fin {
        t.server_fin.or(t.tunnel).or(t.server)
    } else {
        t.tunnel.or(t.server)
    };
    if t.tunnel.is_some() && !client_fin && !server_fin {
        // Inactivity in both directions.
        return t.tunnel.map(|d| c_last.max(s_last) + ms(d));
    }
    let c = c_to.map(|d| c_last + ms(d));
    let s = s_to.map(|d| s_last + ms(d));
    match (c, s) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pair() -> Option<(TcpStream, TcpStream)> {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
        let a = TcpStream::connect(l.local_addr().ok()?).await.ok()?;
        let (b, _) = l.accept().await.ok()?;
        Some((a, b))
    }

    async fn echo_through(splice: Splice) -> Option<Vec<u8>> {
        // client <-> [c_in | relay | s_out] <-> server
        let (mut client, c_in) = pair().await?;
        let (s_out, mut server) = pair().await?;
        let t = Timeouts {
            client: Some(Duration::from_secs(5)),
            server: Some(Duration::from_secs(5)),
            ..Default::default()
        };
        let relay = tokio::spawn(relay(c_in, s_out, t, splice));
        let big: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        client.write_all(&big).await.ok()?;
        client.shutdown().await.ok()?;
        // The server sees the data then the half-close, and can still answer.
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.ok()?;
        assert_eq!(got.len(), big.len());
        server.write_all(b"bye").await.ok()?;
        server.shutdown().await.ok()?;
        let mut back = Vec::new();
        client.read_to_end(&mut back).await.ok()?;
        assert_eq!(relay.await.ok()?, End::Closed);
        Some(back)
    }

    #[tokio::test]
    async fn half_close_and_data() {
        assert_eq!(
            echo_through(Splice::default()).await.as_deref(),
            Some(&b"bye"[..])
        );
        let sp = Splice {
            request: true,
            response: true,
        };
        assert_eq!(echo_through(sp).await.as_deref(), Some(&b"bye"[..]));
    }

    #[tokio::test]
    async fn client_timeout_closes() {
        let Some((_client, c_in)) = pair().await else {
            return;
        };
        let Some((s_out, _server)) = pair().await else {
            return;
        };
        let t = Timeouts {
            client: Some(Duration::from_millis(100)),
            server: Some(Duration::from_secs(10)),
            ..Default::default()
        };
        let started = std::time::Instant::now();
        assert_eq!(relay(c_in, s_out, t, Splice::default()).await, End::Timeout);
        let el = started.elapsed();
        assert!(el >= Duration::from_millis(100) && el < Duration::from_secs(2));
    }
}
