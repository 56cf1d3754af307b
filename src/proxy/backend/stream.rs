//! The stream of a server connection: plain TCP or TLS (`server ... ssl`).
//!
//! [`ServerStream`] is AsyncRead + AsyncWrite, so sessions read and write it
//! like a `TcpStream`; [`ServerIo`] lets [`super::Backend::connect_with`] hand
//! out either a `ServerStream` (TLS-capable callers) or a bare `TcpStream`
//! (callers not converted yet: they get plain connections, as before).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A connection to a server.
#[derive(Debug)]
pub enum ServerStream {
    Plain(TcpStream),
    /// A TLS connection and the SNI it was opened with (HAProxy reuses a connection
    /// only for a request whose SNI is the same).
    Tls(Box<TlsStream<TcpStream>>, Option<Arc<str>>),
    /// A transaction on a shared h2 connection (HTTP/1.1 in and out, see [`super::h2`]).
    H2(Box<super::h2::H2Stream>),
}

impl ServerStream {
    /// The socket under the stream (an h2 stream has its own socket to itself).
    pub fn tcp(&self) -> Option<&TcpStream> {
        match self {
            ServerStream::Plain(s) => Some(s),
            ServerStream::Tls(s, _) => Some(s.get_ref().0),
            ServerStream::H2(_) => None,
        }
    }

    /// Moves a plain connection to the calling thread's event loop (it was opened by
    /// another worker thread: HAProxy's takeover of an idle connection). A TLS
    /// connection stays where it is (it works from any thread, its wake-ups cross
    /// threads). `None`: the socket could not be moved and is closed.
    pub fn rehome(self) -> Option<ServerStream> {
        match self {
            ServerStream::Plain(s) => {
                let std_s = s.into_std().ok()?;
                TcpStream::from_std(std_s).ok().map(ServerStream::Plain)
            }
            other => Some(other),
        }
    }

    /// The plain socket (splice needs it); a TLS stream is given back.
    pub fn into_tcp(self) -> Result<TcpStream, ServerStream> {
        match self {
            ServerStream::Plain(s) => Ok(s),
            tls => Err(tls),
        }
    }

    pub fn is_tls(&self) -> bool {
        match self {
            ServerStream::Plain(_) => false,
            ServerStream::Tls(..) => true,
            ServerStream::H2(s) => s.tls_info().is_some(),
        }
    }

    /// The rustls side of a TLS stream (an h2 stream: see [`ServerStream::tls_info`]).
    pub fn tls(&self) -> Option<&rustls::ClientConnection> {
        match self {
            ServerStream::Tls(s, _) => Some(s.get_ref().1),
            ServerStream::Plain(_) | ServerStream::H2(_) => None,
        }
    }

    /// The TLS values of the server connection (`ssl_bc_*`), `None` in clear.
    pub fn tls_info(&self) -> Option<std::sync::Arc<crate::proxy::tls::TlsInfo>> {
        match self {
            ServerStream::Plain(_) => None,
            ServerStream::Tls(s, sni) => {
                let mut i = crate::proxy::tls::TlsInfo::from_client(s.get_ref().1);
                i.sni = sni.as_deref().map(String::from);
                Some(std::sync::Arc::new(i))
            }
            ServerStream::H2(s) => s.tls_info().cloned(),
        }
    }

    /// The SNI the connection was opened with.
    pub fn sni(&self) -> Option<&str> {
        match self {
            ServerStream::Plain(_) => None,
            ServerStream::Tls(_, sni) => sni.as_deref(),
            ServerStream::H2(s) => s.sni(),
        }
    }

    /// The server connection speaks h2 (the session still speaks HTTP/1.1 to it).
    pub fn is_h2(&self) -> bool {
        matches!(self, ServerStream::H2(_))
    }

    /// For an h2 server stream: the next request came from an HTTP/2 client over
    /// `scheme`, whose scheme and authority HAProxy keeps (see
    /// [`super::h2::H2Stream::set_client_scheme`]). Nothing for other streams.
    pub fn set_client_scheme(&self, scheme: Option<&str>) {
        if let ServerStream::H2(s) = self {
            s.set_client_scheme(scheme);
        }
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp()
            .ok_or_else(|| io::Error::other("h2 stream"))?
            .peer_addr()
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp()
            .ok_or_else(|| io::Error::other("h2 stream"))?
            .local_addr()
    }

    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        match self.tcp() {
            Some(t) => t.set_nodelay(on),
            None => Ok(()),
        }
    }

    /// An idle connection is still usable: open, and nothing for the
    /// application to read (a server that sent something unasked, or closed,
    /// cannot be reused). TLS records that carry no application data (a TLS
    /// 1.3 session ticket arriving late) are consumed here and do not count.
    pub fn alive(&mut self) -> bool {
        if let ServerStream::H2(s) = self {
            return s.alive();
        }
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut b = [0u8; 1];
        let mut rb = ReadBuf::new(&mut b);
        // Pending: nothing to read; ready: data, end of stream or an error
        Pin::new(self).poll_read(&mut cx, &mut rb).is_pending()
    }
}

impl From<TcpStream> for ServerStream {
    fn from(s: TcpStream) -> Self {
        ServerStream::Plain(s)
    }
}

impl AsyncRead for ServerStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ServerStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            ServerStream::Tls(s, _) => Pin::new(s.as_mut()).poll_read(cx, buf),
            ServerStream::H2(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ServerStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ServerStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            ServerStream::Tls(s, _) => Pin::new(s.as_mut()).poll_write(cx, buf),
            ServerStream::H2(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ServerStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            ServerStream::Tls(s, _) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            ServerStream::H2(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            ServerStream::Plain(s) => s.is_write_vectored(),
            ServerStream::Tls(s, _) => s.is_write_vectored(),
            ServerStream::H2(_) => false,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ServerStream::Plain(s) => Pin::new(s).poll_flush(cx),
            ServerStream::Tls(s, _) => Pin::new(s.as_mut()).poll_flush(cx),
            ServerStream::H2(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ServerStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            ServerStream::Tls(s, _) => Pin::new(s.as_mut()).poll_shutdown(cx),
            ServerStream::H2(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What [`super::Backend::connect_with`] can return as a connection's stream.
pub trait ServerIo: AsyncRead + AsyncWrite + Unpin + Send + Sized + 'static {
    /// The type can carry a TLS connection (a `TcpStream` cannot: servers
    /// with `ssl` are then reached in clear, the behaviour before TLS
    /// origination existed).
    const TLS: bool;
    fn from_stream(s: ServerStream) -> Result<Self, ServerStream>;
    fn into_stream(self) -> ServerStream;
}

impl ServerIo for ServerStream {
    const TLS: bool = true;
    fn from_stream(s: ServerStream) -> Result<Self, ServerStream> {
        Ok(s)
    }
    fn into_stream(self) -> ServerStream {
        self
    }
}

impl ServerIo for TcpStream {
    const TLS: bool = false;
    fn from_stream(s: ServerStream) -> Result<Self, ServerStream> {
        s.into_tcp()
    }
    fn into_stream(self) -> ServerStream {
        ServerStream::Plain(self)
    }
}

/// The TLS side of a server: its client config and the SNI to send.
#[derive(Clone)]
pub struct ServerTlsCfg {
    pub connector: tokio_rustls::TlsConnector,
    /// A constant `sni str(NAME)` (other expressions are evaluated per request: see
    /// `Backend::eval_sni`).
    pub sni: Option<Arc<str>>,
    /// The `sni` expression is not a constant.
    pub sni_dynamic: bool,
}

impl std::fmt::Debug for ServerTlsCfg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTlsCfg")
            .field("sni", &self.sni)
            .field("sni_dynamic", &self.sni_dynamic)
            .finish_non_exhaustive()
    }
}

/// Completes a TLS handshake on a connected socket.
pub async fn handshake(
    cfg: &ServerTlsCfg,
    sni: Option<&str>,
    tcp: TcpStream,
) -> io::Result<ServerStream> {
    let ip = tcp.peer_addr()?.ip();
    let name = crate::proxy::tls::server_name(sni, ip);
    let s = cfg.connector.connect(name, tcp).await?;
    Ok(ServerStream::Tls(Box::new(s), sni.map(Arc::from)))
}

/// The TLS side of a `server ... ssl` line (`None` without `ssl`).
pub fn server_tls(
    global: &crate::ir::haproxy::Global,
    server: &crate::ir::haproxy::expr::Server,
) -> Result<Option<ServerTlsCfg>, crate::proxy::tls::TlsError> {
    if !server.opts.ssl {
        return Ok(None);
    }
    build(global, server, server.opts.sni.as_deref()).map(Some)
}

/// The TLS side of a server's health checks: `check-ssl`, or `ssl` when the
/// checks go to the server's own address and port (HAProxy 2.6 then checks over
/// TLS too, unless `no-check-ssl`; measured: `ssl port N` and `ssl no-check-ssl`
/// check in clear); `check-sni` is the name sent, `check-alpn` replaces `alpn`.
/// For the checks module: connect, then [`check_handshake`].
pub fn check_tls(
    global: &crate::ir::haproxy::Global,
    server: &crate::ir::haproxy::expr::Server,
) -> Result<Option<ServerTlsCfg>, crate::proxy::tls::TlsError> {
    let o = &server.opts;
    let wants = o.check_ssl || (o.ssl && !o.no_check_ssl && o.port.is_none() && o.addr.is_none());
    if !wants {
        return Ok(None);
    }
    let sni = o.check_sni.as_deref();
    let alpn = o
        .other
        .iter()
        .rev()
        .find(|(k, _)| k == "check-alpn")
        .map(|a| a.1.as_deref());
    check_tls_with(global, server, sni, alpn).map(Some)
}

/// The TLS side of one check connection: the server's TLS settings with `sni` sent
/// (nothing when `None`: checks never use the server's `sni` expression) and, when
/// `alpn` is given, that ALPN list instead of the server's (`check-alpn`, or `tcp-check
/// connect ssl alpn X`).
pub fn check_tls_with(
    global: &crate::ir::haproxy::Global,
    server: &crate::ir::haproxy::expr::Server,
    sni: Option<&str>,
    alpn: Option<Option<&str>>,
) -> Result<ServerTlsCfg, crate::proxy::tls::TlsError> {
    let mut s = server.clone();
    if let Some(a) = alpn {
        s.opts.alpn = a.map(String::from);
    }
    let sni = sni.map(|n| format!("str({n})"));
    build(global, &s, sni.as_deref())
}

/// Why a check's TLS handshake failed: HAProxy 2.6's check info text; the status is
/// L6RSP ("Layer6 invalid response") in both cases (measured on 2.6.12 with
/// `check-ssl` against a cleartext server and with a `check-sni` the certificate does
/// not carry).
pub const CHECK_HANDSHAKE_FAILED: &str = "SSL handshake failure";
pub const CHECK_WRONG_CERT: &str =
    "Server presented an SSL certificate different from the expected one";

/// The TLS handshake of a health check (`check-ssl`, see [`check_tls`]), run right
/// after the check's TCP connect and under the same timer (a timeout there is L6TOUT).
/// `Err` carries HAProxy's info text.
pub async fn check_handshake(
    cfg: &ServerTlsCfg,
    tcp: TcpStream,
) -> Result<ServerStream, &'static str> {
    handshake(cfg, cfg.sni.as_deref(), tcp).await.map_err(|e| {
        let wrong_name = e
            .get_ref()
            .and_then(|i| i.downcast_ref::<rustls::Error>())
            .is_some_and(|r| {
                matches!(
                    r,
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidForName
                            | rustls::CertificateError::NotValidForNameContext { .. }
                    )
                )
            });
        if wrong_name {
            CHECK_WRONG_CERT
        } else {
            CHECK_HANDSHAKE_FAILED
        }
    })
}

fn build(
    global: &crate::ir::haproxy::Global,
    server: &crate::ir::haproxy::expr::Server,
    sni_expr: Option<&str>,
) -> Result<ServerTlsCfg, crate::proxy::tls::TlsError> {
    let c = crate::proxy::tls::ClientTls::new(global, server)?;
    let sni = sni_expr.and_then(crate::proxy::tls::constant_sni);
    Ok(ServerTlsCfg {
        connector: tokio_rustls::TlsConnector::from(c.config),
        sni: sni.map(Arc::from),
        sni_dynamic: sni_expr.is_some() && sni.is_none(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;
    use crate::proxy::backend::{Backend, ConnectOpts};
    use crate::proxy::balance::RequestInfo;

    #[test]
    fn a_plain_connection_taken_over_waits_on_the_new_threads_event_loop() {
        use std::io::Write;
        use std::time::Duration;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let rt = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        // opened on one worker's event loop, which then runs nothing more
        let a = rt();
        let s = a.block_on(async { ServerStream::Plain(TcpStream::connect(addr).await.unwrap()) });
        let (mut peer, _) = l.accept().unwrap();
        let b = rt();
        b.block_on(async move {
            let mut s = s.rehome().expect("the socket moves");
            s.write_all(b"ping").await.unwrap();
            // the answer comes while the read waits: only the event loop the socket is
            // registered with wakes it, and `a` is not running
            let answer = std::thread::spawn(move || {
                let mut got = [0u8; 4];
                std::io::Read::read_exact(&mut peer, &mut got).unwrap();
                std::thread::sleep(Duration::from_millis(50));
                peer.write_all(b"pong").unwrap();
                got
            });
            let mut got = [0u8; 4];
            let read = tokio::io::AsyncReadExt::read_exact(&mut s, &mut got);
            tokio::time::timeout(Duration::from_secs(5), read)
                .await
                .expect("woken by this thread's event loop")
                .unwrap();
            assert_eq!(&got, b"pong");
            assert_eq!(&answer.join().unwrap(), b"ping");
        });
        drop(a);
    }

    /// HAProxy's order of reuse: the safe list (the last request was not its client
    /// connection's first) before the idle one, whatever their ages; the oldest first
    /// within a list.
    #[tokio::test]
    async fn safe_idle_connections_are_reused_before_the_others() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let held = tokio::spawn(async move {
            let mut v = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                v.push(s);
            }
        });
        let cfg = crate::proxy::engine::tests::config(&format!(
            "defaults\n    mode http\n    http-reuse always\n\
             backend be\n    server s1 127.0.0.1:{port}\n"
        ));
        let be = std::sync::Arc::new(
            Backend::from_ir(&cfg.proxies[0], std::path::Path::new(".")).unwrap(),
        );
        let info = RequestInfo::default();
        let connect = || async {
            be.connect_stream_with(&info, &mut ConnectOpts::new(None))
                .await
                .unwrap()
        };
        let (a, b, c) = (connect().await, connect().await, connect().await);
        let name =
            |c: &crate::proxy::backend::ServerConn<ServerStream>| c.stream.local_addr().unwrap();
        let (na, nb, nc) = (name(&a), name(&b), name(&c));
        // parked oldest first: a idle, b safe, c idle
        for (conn, safe) in [(a, false), (b, true), (c, false)] {
            let (srv, stream) = conn.into_idle();
            be.park(srv, stream, safe);
        }
        let mut order = Vec::new();
        for _ in 0..3 {
            let c = connect().await;
            assert!(c.reused);
            order.push(name(&c));
        }
        assert_eq!(order, [nb, na, nc]);
        held.abort();
    }

    /// A self-signed certificate for `backend.test` made with the openssl CLI.
    fn cert(dir: &std::path::Path) -> String {
        std::fs::create_dir_all(dir).unwrap();
        let st = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-nodes",
                "-days",
                "30",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-keyout",
                "b.key",
                "-out",
                "b.crt",
                "-subj",
                "/CN=backend.test",
                "-addext",
                "subjectAltName=DNS:backend.test",
            ])
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
        let mut pem = std::fs::read(dir.join("b.crt")).unwrap();
        pem.extend(std::fs::read(dir.join("b.key")).unwrap());
        let p = dir.join("b.pem");
        std::fs::write(&p, pem).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// A TLS line echo server: answers each line with the SNI it received; counts
    /// connections.
    async fn tls_server(pem: &str) -> (u16, std::sync::Arc<AtomicUsize>) {
        let mut b = crate::ir::haproxy::expr::Bind::default();
        b.opts.ssl = true;
        b.opts.crt = vec![pem.to_string()];
        let t = crate::proxy::tls::ServerTls::new(&Default::default(), &b).unwrap();
        let acc = crate::proxy::tls::Acceptor::new(&t);
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let n = std::sync::Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = l.accept().await {
                n2.fetch_add(1, Ordering::Relaxed);
                let acc = acc.clone();
                tokio::spawn(async move {
                    let Ok((s, info)) = acc.accept(tcp).await else {
                        return;
                    };
                    let mut s = BufReader::new(s);
                    let mut line = String::new();
                    while s.read_line(&mut line).await.unwrap_or(0) > 0 {
                        let reply = format!("sni={}\n", info.sni.clone().unwrap_or_default());
                        if s.get_mut().write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                        line.clear();
                    }
                });
            }
        });
        (port, n)
    }

    async fn ask(s: &mut ServerStream) -> String {
        s.write_all(b"hello\n").await.unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        line
    }

    /// Runs `openssl ARGS` in `dir` (the TLS tests' certificates), which must succeed.
    pub(crate) fn openssl(dir: &std::path::Path, args: &[&str]) {
        let st = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "{args:?}");
    }

    /// A CA (`ca.crt`) and a certificate for `backend.test` it signed (`leaf.pem`):
    /// webpki does not take a self-signed leaf as its own trust anchor. The check tests
    /// use it too.
    pub(crate) fn ca_and_leaf(dir: &std::path::Path) -> (String, String) {
        std::fs::create_dir_all(dir).unwrap();
        let run = |args: &[&str]| openssl(dir, args);
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
        let mut a = vec!["req", "-x509", "-nodes", "-days", "30"];
        a.extend(ec);
        a.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Check CA",
        ]);
        run(&a);
        let mut a = vec!["req", "-nodes"];
        a.extend(ec);
        a.extend([
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=backend.test",
        ]);
        run(&a);
        std::fs::write(dir.join("leaf.ext"), "subjectAltName=DNS:backend.test\n").unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.crt",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
        ]);
        let mut pem = std::fs::read(dir.join("leaf.crt")).unwrap();
        pem.extend(std::fs::read(dir.join("leaf.key")).unwrap());
        std::fs::write(dir.join("leaf.pem"), pem).unwrap();
        let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
        (p("ca.crt"), p("leaf.pem"))
    }

    #[tokio::test]
    async fn check_ssl_handshakes() {
        let dir = std::env::temp_dir().join(format!("tandem-check-tls-{}", std::process::id()));
        let (ca, pem) = ca_and_leaf(&dir);
        let (port, _) = tls_server(&pem).await;
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain_port = plain.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = plain.accept().await {
                let _ = s.write_all(b"HTTP/1.0 400 no\r\n\r\n").await;
            }
        });
        let cfg = crate::proxy::engine::tests::config(&format!(
            "global\n    ssl-server-verify none\ndefaults\n    mode http\nbackend be\n\
             server good 127.0.0.1:{port} check check-ssl check-sni backend.test verify required ca-file {ca}\n\
             server badname 127.0.0.1:{port} check check-ssl check-sni nope.test verify required ca-file {ca}\n\
             server plain 127.0.0.1:{plain_port} check check-ssl\n\
             server nossl 127.0.0.1:{plain_port} check\n"
        ));
        let servers: Vec<_> = cfg.proxies[0]
            .servers
            .iter()
            .map(|l| l.value.clone())
            .collect();
        let mut got = Vec::new();
        for (s, p) in servers.iter().zip([port, port, plain_port, plain_port]) {
            let Some(t) = check_tls(&cfg.global, s).unwrap() else {
                got.push(format!("{}: clear", s.name));
                continue;
            };
            let tcp = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
            let r = check_handshake(&t, tcp).await;
            got.push(format!(
                "{}: {}",
                s.name,
                r.map(|_| "ok").unwrap_or_else(|e| e)
            ));
        }
        // HAProxy 2.6.12's check info texts for the same servers
        assert_eq!(
            got,
            [
                "good: ok",
                "badname: Server presented an SSL certificate different from the expected one",
                "plain: SSL handshake failure",
                "nossl: clear"
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn tls_to_servers_with_reuse() {
        let dir = std::env::temp_dir().join(format!("tandem-backend-tls-{}", std::process::id()));
        let pem = cert(&dir);
        let (port, accepted) = tls_server(&pem).await;
        let cfg = crate::proxy::engine::tests::config(&format!(
            "global\n    ssl-server-verify none\ndefaults\n    mode http\n    http-reuse always\n\
             backend be\n    server s1 127.0.0.1:{port} ssl sni str(backend.test)\n\
             backend strict\n    server s1 127.0.0.1:{port} ssl verify required ca-file {pem} sni str(other.test)\n"
        ));
        let mut bes = Vec::new();
        for p in &cfg.proxies {
            let mut be = Backend::from_ir(p, std::path::Path::new(".")).unwrap();
            assert!(be.setup_tls(&cfg.global).unwrap().is_empty());
            bes.push(std::sync::Arc::new(be));
        }
        let be = &bes[0];
        let info = RequestInfo::default();
        let mut c = be
            .connect_stream_with(&info, &mut ConnectOpts::new(None))
            .await
            .unwrap();
        assert!(c.stream.is_tls() && !c.reused);
        assert_eq!(ask(&mut c.stream).await, "sni=backend.test\n");
        let (srv, stream) = c.into_idle();
        be.park(srv, stream, true);
        // the idle TLS connection serves the next request (`http-reuse always`)
        let mut c = be
            .connect_stream_with(&info, &mut ConnectOpts::new(None))
            .await
            .unwrap();
        assert!(c.reused);
        assert_eq!(ask(&mut c.stream).await, "sni=backend.test\n");
        assert_eq!(accepted.load(Ordering::Relaxed), 1);
        // a caller that cannot carry TLS does not get the idle TLS connection
        let (srv, stream) = c.into_idle();
        be.park(srv, stream, true);
        let plain = be
            .connect_with(&info, &mut ConnectOpts::new(None))
            .await
            .unwrap();
        assert!(!plain.reused);
        // verify required: the name sent (other.test) is not the certificate's
        let r = bes[1]
            .connect_stream_with(&info, &mut ConnectOpts::new(None))
            .await;
        assert!(
            matches!(r, Err(crate::proxy::backend::ConnectError::Failed(_))),
            "{r:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
