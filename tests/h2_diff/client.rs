//! HTTP/2 clients for the differential tests: a well-behaved one (the `h2` crate, over TLS
//! with ALPN `h2` or cleartext prior knowledge) and a raw frame writer for what a correct
//! client cannot send (malformed requests, floods).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
struct AnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            msg,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            msg,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Connects in TLS offering `alpn`; returns the stream and the ALPN the server chose.
pub async fn tls(port: u16, alpn: &[&str]) -> Option<(Box<dyn IoBox>, Option<String>)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(provider)))
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|a| a.as_bytes().to_vec()).collect();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let conn = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let name = ServerName::try_from("localhost").ok()?;
    let s = tokio::time::timeout(Duration::from_secs(5), conn.connect(name, tcp))
        .await
        .ok()?
        .ok()?;
    let chosen = s
        .get_ref()
        .1
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    Some((Box::new(s), chosen))
}

pub async fn clear(port: u16) -> Option<Box<dyn IoBox>> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    tcp.set_nodelay(true).ok()?;
    Some(Box::new(tcp))
}

/// A boxed byte stream (TLS or TCP).
pub trait IoBox: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> IoBox for T {}

/// One request of a probe.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: &'static str,
    /// `scheme://authority/path` or a path alone (no `:authority` then).
    pub uri: String,
    pub headers: Vec<(&'static str, String)>,
    /// Body pieces sent as separate DATA frames (`None`: END_STREAM on HEADERS).
    pub body: Option<Vec<Vec<u8>>>,
    pub trailers: Vec<(&'static str, &'static str)>,
}

impl Req {
    pub fn get(uri: impl Into<String>) -> Req {
        Req {
            method: "GET",
            uri: uri.into(),
            headers: Vec::new(),
            body: None,
            trailers: Vec::new(),
        }
    }

    pub fn method(mut self, m: &'static str) -> Req {
        self.method = m;
        self
    }

    pub fn header(mut self, n: &'static str, v: impl Into<String>) -> Req {
        self.headers.push((n, v.into()));
        self
    }

    pub fn body(mut self, pieces: Vec<Vec<u8>>) -> Req {
        self.body = Some(pieces);
        self
    }

    pub fn trailer(mut self, n: &'static str, v: &'static str) -> Req {
        self.trailers.push((n, v));
        self
    }
}

/// Sends `reqs` one after the other on one h2 connection; one transcript line per
/// request (status, response headers but `date`, body or its size, trailers).
pub async fn run<S: IoBox + 'static>(io: S, reqs: &[Req], out: &mut String) {
    let hs = tokio::time::timeout(Duration::from_secs(5), h2::client::handshake(io)).await;
    let (mut client, conn) = match hs {
        Ok(Ok(c)) => c,
        _ => {
            out.push_str("  h2 handshake failed\n");
            return;
        }
    };
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    for r in reqs {
        let line = match tokio::time::timeout(Duration::from_secs(10), one(&mut client, r)).await {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => format!("error: {}", describe(&e)),
            Err(_) => "timeout".to_string(),
        };
        let _ = writeln!(out, "  {} {} -> {}", r.method, r.uri, line);
    }
    drop(client);
    driver.abort();
}

pub fn describe(e: &h2::Error) -> String {
    if let Some(r) = e.reason() {
        if e.is_go_away() {
            format!("GOAWAY {r:?}")
        } else {
            format!("RST_STREAM {r:?}")
        }
    } else {
        "io".to_string()
    }
}

async fn one(client: &mut h2::client::SendRequest<Bytes>, r: &Req) -> Result<String, h2::Error> {
    let mut b = http::Request::builder()
        .method(r.method)
        .uri(r.uri.as_str());
    for (n, v) in &r.headers {
        b = b.header(*n, v.as_str());
    }
    let req = b.body(()).expect("request");
    let mut client = client.clone().ready().await?;
    let end = r.body.is_none() && r.trailers.is_empty();
    let (resp, mut send) = client.send_request(req, end)?;
    if let Some(pieces) = &r.body {
        let n = pieces.len();
        for (i, p) in pieces.iter().enumerate() {
            let mut data = Bytes::from(p.clone());
            let last = i + 1 == n && r.trailers.is_empty();
            if data.is_empty() {
                send.send_data(data, last)?;
                continue;
            }
            while !data.is_empty() {
                send.reserve_capacity(data.len());
                let cap = std::future::poll_fn(|cx| send.poll_capacity(cx))
                    .await
                    .unwrap_or(Ok(0))?;
                if cap == 0 {
                    continue;
                }
                let piece = data.split_to(cap.min(data.len()));
                send.send_data(piece, last && data.is_empty())?;
            }
        }
    }
    if !r.trailers.is_empty() {
        let mut t = http::HeaderMap::new();
        for (n, v) in &r.trailers {
            t.append(*n, http::HeaderValue::from_static(v));
        }
        send.send_trailers(t)?;
    }
    let resp = resp.await?;
    let (parts, mut body) = resp.into_parts();
    let mut line = format!("{}", parts.status.as_u16());
    for (n, v) in &parts.headers {
        if n == "date" {
            continue;
        }
        let _ = write!(line, " | {}: {}", n, String::from_utf8_lossy(v.as_bytes()));
    }
    let mut data = Vec::new();
    while let Some(d) = body.data().await {
        let d = d?;
        let _ = body.flow_control().release_capacity(d.len());
        data.extend_from_slice(&d);
    }
    let trailers = body.trailers().await?;
    if data.len() > 2000 {
        let sum: u64 = data.iter().map(|&b| u64::from(b)).sum();
        let _ = write!(line, " || {} bytes, sum {}", data.len(), sum);
    } else if !data.is_empty() {
        let text = String::from_utf8_lossy(&data).replace("\r\n", "\\r\\n ");
        let _ = write!(line, " || {}", text.trim_end().replace('\n', "\\n "));
    }
    if let Some(t) = trailers {
        for (n, v) in &t {
            let _ = write!(
                line,
                " | trailer {}: {}",
                n,
                String::from_utf8_lossy(v.as_bytes())
            );
        }
    }
    Ok(line)
}

// ---------------------------------------------------------------- raw frames

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
pub const DATA: u8 = 0;
pub const HEADERS: u8 = 1;
pub const RST_STREAM: u8 = 3;
pub const SETTINGS: u8 = 4;
pub const GOAWAY: u8 = 7;
pub const CONTINUATION: u8 = 9;
pub const END_STREAM: u8 = 1;
pub const END_HEADERS: u8 = 4;

pub fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
    let len = payload.len() as u32;
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
}

/// HPACK "literal header field without indexing, new name", no Huffman coding.
pub fn hpack(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in fields {
        out.push(0);
        int7(&mut out, n.len());
        out.extend_from_slice(n.as_bytes());
        int7(&mut out, v.len());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

fn int7(out: &mut Vec<u8>, mut v: usize) {
    if v < 127 {
        out.push(v as u8);
        return;
    }
    out.push(127);
    v -= 127;
    while v >= 128 {
        out.push((v % 128 + 128) as u8);
        v /= 128;
    }
    out.push(v as u8);
}

/// What the server sent on a raw connection, frame by frame.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// (stream, error code) of each RST_STREAM.
    pub resets: Vec<(u32, u32)>,
    /// Streams that got a HEADERS frame.
    pub headers: Vec<u32>,
    /// Error code of a GOAWAY.
    pub goaway: Option<u32>,
    pub closed: bool,
    pub bytes: usize,
}

impl Seen {
    /// A one-line summary (resets grouped by code).
    pub fn summary(&self) -> String {
        let mut codes: std::collections::BTreeMap<u32, usize> = Default::default();
        for (_, c) in &self.resets {
            *codes.entry(*c).or_default() += 1;
        }
        let mut s = format!("headers {}", self.headers.len());
        for (c, n) in codes {
            let _ = write!(s, ", RST_STREAM({}) x{}", code_name(c), n);
        }
        if let Some(g) = self.goaway {
            let _ = write!(s, ", GOAWAY({})", code_name(g));
        }
        if self.closed {
            s.push_str(", closed");
        }
        s
    }
}

pub fn code_name(c: u32) -> &'static str {
    match c {
        0 => "NO_ERROR",
        1 => "PROTOCOL_ERROR",
        2 => "INTERNAL_ERROR",
        3 => "FLOW_CONTROL_ERROR",
        6 => "FRAME_SIZE_ERROR",
        7 => "REFUSED_STREAM",
        8 => "CANCEL",
        9 => "COMPRESSION_ERROR",
        11 => "ENHANCE_YOUR_CALM",
        _ => "OTHER",
    }
}

/// Writes `bytes` (after the preface and an empty SETTINGS; the server's SETTINGS are not
/// acknowledged, the exchanges are short), and reads frames until the server closes or goes quiet for `quiet`.
pub async fn raw<S: IoBox + 'static>(mut s: S, bytes: &[u8], quiet: Duration) -> Seen {
    let mut start = PREFACE.to_vec();
    frame(&mut start, SETTINGS, 0, 0, &[]);
    let mut seen = Seen::default();
    if s.write_all(&start).await.is_err() {
        seen.closed = true;
        return seen;
    }
    // written concurrently with the reads: a server that stops reading must not block us
    let (mut rd, mut wr) = tokio::io::split(s);
    let payload = bytes.to_vec();
    let writer = tokio::spawn(async move {
        for piece in payload.chunks(16384) {
            if wr.write_all(piece).await.is_err() {
                break;
            }
        }
        wr
    });
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 65536];
        match tokio::time::timeout(quiet, rd.read(&mut chunk)).await {
            Err(_) => break,
            Ok(Ok(0)) | Ok(Err(_)) => {
                seen.closed = true;
                break;
            }
            Ok(Ok(n)) => {
                seen.bytes += n;
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        while buf.len() >= 9 {
            let len = usize::from(buf[0]) << 16 | usize::from(buf[1]) << 8 | usize::from(buf[2]);
            if buf.len() < 9 + len {
                break;
            }
            let kind = buf[3];
            let stream = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff;
            let p = buf[9..9 + len].to_vec();
            buf.drain(..9 + len);
            match kind {
                HEADERS => seen.headers.push(stream),
                RST_STREAM if p.len() >= 4 => seen
                    .resets
                    .push((stream, u32::from_be_bytes([p[0], p[1], p[2], p[3]]))),
                GOAWAY if p.len() >= 8 => {
                    seen.goaway = Some(u32::from_be_bytes([p[4], p[5], p[6], p[7]]))
                }
                _ => {}
            }
        }
    }
    writer.abort();
    seen
}
