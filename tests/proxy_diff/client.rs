//! The client side: raw TCP connections to the proxy, an HTTP/1 response reader that
//! keeps the bytes as sent, and the rendering of a response into transcript lines.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::script::escape;

/// Every read is bounded by this.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(6);

pub struct Conn {
    pub stream: TcpStream,
    pub buf: Vec<u8>,
    /// Methods of requests sent and not answered yet (HEAD has no body).
    pub pending: std::collections::VecDeque<String>,
    pub eof: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub interim: Vec<String>,
    pub head: Vec<String>,
    pub status: u16,
    pub body: Vec<u8>,
    /// What went wrong while reading, if anything (timeout, close mid-body).
    pub error: Option<String>,
}

impl Conn {
    pub fn open(port: u16) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_secs(2),
        )?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            pending: Default::default(),
            eof: false,
        })
    }

    pub fn send(&mut self, data: &[u8]) -> io::Result<()> {
        if let Some(m) = method_of(data) {
            self.pending.push_back(m);
        }
        self.stream.write_all(data)
    }

    /// Reads more bytes before `deadline`; `Ok(false)` at end of stream.
    fn fill(&mut self, deadline: Instant) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "timeout"));
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut b = [0u8; 16384];
        match self.stream.read(&mut b) {
            Ok(0) => {
                self.eof = true;
                Ok(false)
            }
            Ok(n) => {
                self.buf.extend_from_slice(b.get(..n).unwrap_or_default());
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                Err(io::Error::new(io::ErrorKind::TimedOut, "timeout"))
            }
            Err(e) => Err(e),
        }
    }

    /// Raw bytes until `idle` of silence, end of stream or `RESPONSE_TIMEOUT`.
    pub fn recv_raw(&mut self, idle: Duration) -> (Vec<u8>, Option<String>) {
        let hard = Instant::now() + RESPONSE_TIMEOUT;
        loop {
            let deadline = (Instant::now() + idle).min(hard);
            match self.fill(deadline) {
                Ok(true) => continue,
                Ok(false) => return (std::mem::take(&mut self.buf), Some("eof".into())),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    return (std::mem::take(&mut self.buf), None);
                }
                Err(e) => return (std::mem::take(&mut self.buf), Some(err_kind(&e))),
            }
        }
    }

    /// Whether the peer closes within `within` (bytes that arrive meanwhile are dropped).
    pub fn closed_within(&mut self, within: Duration) -> &'static str {
        let deadline = Instant::now() + within;
        loop {
            match self.fill(deadline) {
                Ok(true) => continue,
                Ok(false) => return "closed",
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return "open",
                Err(_) => return "closed (reset)",
            }
        }
    }

    fn take_line(&mut self, deadline: Instant) -> Result<Option<String>, String> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                let s = String::from_utf8_lossy(&line);
                return Ok(Some(s.trim_end_matches(['\r', '\n']).to_string()));
            }
            match self.fill(deadline) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(err_kind(&e)),
            }
        }
    }

    fn take_exact(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, (Vec<u8>, String)> {
        while self.buf.len() < n {
            match self.fill(deadline) {
                Ok(true) => {}
                Ok(false) => return Err((std::mem::take(&mut self.buf), "eof mid-body".into())),
                Err(e) => return Err((std::mem::take(&mut self.buf), err_kind(&e))),
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads one response (1xx interim responses other than 101 are collected first).
    pub fn read_response(&mut self) -> Response {
        let method = self.pending.pop_front().unwrap_or_default();
        let deadline = Instant::now() + RESPONSE_TIMEOUT;
        let mut resp = Response {
            interim: Vec::new(),
            head: Vec::new(),
            status: 0,
            body: Vec::new(),
            error: None,
        };
        loop {
            let mut head = Vec::new();
            loop {
                match self.take_line(deadline) {
                    Ok(Some(l)) if l.is_empty() && head.is_empty() => {}
                    Ok(Some(l)) if l.is_empty() => break,
                    Ok(Some(l)) => head.push(l),
                    Ok(None) => {
                        resp.error = Some(if head.is_empty() && self.buf.is_empty() {
                            "closed without response".to_string()
                        } else {
                            "eof in head".to_string()
                        });
                        resp.head = head;
                        if !self.buf.is_empty() {
                            resp.body = std::mem::take(&mut self.buf);
                        }
                        return resp;
                    }
                    Err(e) => {
                        // A reset instead of a close before any byte: which one the client
                        // sees depends on timing, so both read as the same thing.
                        resp.error = Some(if e == "connection reset" && head.is_empty() {
                            "closed without response".to_string()
                        } else {
                            format!("{e} reading head")
                        });
                        resp.head = head;
                        return resp;
                    }
                }
            }
            let status = head
                .first()
                .and_then(|l| l.split(' ').nth(1))
                .and_then(|s| s.parse::<u16>().ok())
                .unwrap_or(0);
            if (100..200).contains(&status) && status != 101 {
                resp.interim.extend(head);
                continue;
            }
            resp.status = status;
            resp.head = head;
            break;
        }
        let header = |name: &str| {
            resp.head.iter().skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        let no_body = method == "HEAD"
            || resp.status == 204
            || resp.status == 304
            || resp.status == 101
            || resp.status < 200;
        if no_body {
            return resp;
        }
        if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
            // Keep the chunked framing as sent: it is part of what is compared.
            let mut raw = Vec::new();
            loop {
                let line = match self.take_line(deadline) {
                    Ok(Some(l)) => l,
                    Ok(None) => {
                        resp.error = Some("eof in chunked body".into());
                        break;
                    }
                    Err(e) => {
                        resp.error = Some(format!("{e} in chunked body"));
                        break;
                    }
                };
                raw.extend_from_slice(line.as_bytes());
                raw.extend_from_slice(b"\r\n");
                let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16);
                match size {
                    Ok(0) => {
                        // Trailers.
                        while let Ok(Some(t)) = self.take_line(deadline) {
                            raw.extend_from_slice(t.as_bytes());
                            raw.extend_from_slice(b"\r\n");
                            if t.is_empty() {
                                break;
                            }
                        }
                        break;
                    }
                    Ok(n) => match self.take_exact(n + 2, deadline) {
                        Ok(b) => raw.extend_from_slice(&b),
                        Err((b, e)) => {
                            raw.extend_from_slice(&b);
                            resp.error = Some(e);
                            break;
                        }
                    },
                    Err(_) => {
                        resp.error = Some("bad chunk size".into());
                        break;
                    }
                }
            }
            resp.body = raw;
        } else if let Some(cl) = header("content-length") {
            let n: usize = cl.parse().unwrap_or(0);
            match self.take_exact(n, deadline) {
                Ok(b) => resp.body = b,
                Err((b, e)) => {
                    resp.body = b;
                    resp.error = Some(e);
                }
            }
        } else {
            // Close-delimited.
            loop {
                match self.fill(deadline) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        resp.error = Some(format!("{} in close-delimited body", err_kind(&e)));
                        break;
                    }
                }
            }
            resp.body = std::mem::take(&mut self.buf);
        }
        resp
    }

    pub fn shutdown(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// A FIN: the client will send nothing more but keeps reading.
    pub fn shut_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

fn err_kind(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "timeout".into(),
        io::ErrorKind::ConnectionReset => "connection reset".into(),
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::BrokenPipe => "broken pipe".into(),
        k => format!("{k:?}"),
    }
}

pub fn method_of(data: &[u8]) -> Option<String> {
    let first = data.split(|&b| b == b' ').next()?;
    if !first.is_empty() && first.iter().all(|b| b.is_ascii_uppercase()) {
        Some(String::from_utf8_lossy(first).into_owned())
    } else {
        None
    }
}

/// Header lines whose value differs from run to run.
pub fn mask_header(line: &str) -> String {
    if let Some((k, _)) = line.split_once(':') {
        let lk = k.trim().to_ascii_lowercase();
        if lk == "date" || lk == "server" {
            return format!("{k}: <masked>");
        }
    }
    line.to_string()
}

/// The server that answered: the `x-srv` header of a backend response, `-` when the
/// proxy answered by itself.
pub fn server_of(r: &Response) -> String {
    r.head
        .iter()
        .skip(1)
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("x-srv")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| "-".to_string())
}

/// Transcript lines of one response: status, server, interim responses, the head as the
/// client saw it (Date masked), and the body (a backend's body is its echo of the request
/// it saw; a proxy-made body is kept byte for byte).
pub fn render(r: &Response) -> Vec<String> {
    let mut out = vec![format!("status {} server {}", r.status, server_of(r))];
    for l in &r.interim {
        out.push(format!("  interim| {}", escape(l.as_bytes())));
    }
    for l in &r.head {
        out.push(format!("  head| {}", escape(mask_header(l).as_bytes())));
    }
    // A compressed body: the compressed bytes and chunk boundaries depend on the
    // compressor (libslz in HAProxy), so the decoded body and the trailers are compared.
    let decoded = decode_compressed(r);
    if let Some((how, _, trailers)) = &decoded {
        out.push(format!("  body-decoded {how}"));
        for t in trailers {
            out.push(format!("  trailer| {}", escape(t.as_bytes())));
        }
    }
    let text = decoded.as_ref().map_or(&r.body, |d| &d.1);
    // Big bodies: the length, a checksum and the start are enough to compare.
    let shown = if text.len() > 4096 {
        out.push(format!("  body-len {} fnv {:016x}", text.len(), fnv(text)));
        text.get(..512).unwrap_or_default()
    } else {
        text.as_slice()
    };
    for l in shown.split_inclusive(|&b| b == b'\n') {
        out.push(format!("  body| {}", escape(l)));
    }
    if let Some(e) = &r.error {
        out.push(format!("  error| {e}"));
    }
    out
}

pub fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &c| {
        (h ^ u64::from(c)).wrapping_mul(0x100000001b3)
    })
}

/// The record of a request the proxy refused by closing (or resetting) the connection,
/// whether that showed at connect, at send or at the first read.
pub fn rejected() -> Vec<String> {
    vec![
        "status 0 server -".to_string(),
        "  error| closed without response".to_string(),
    ]
}

/// `content-encoding: gzip|deflate` with a chunked body: (encoding, decoded payload,
/// trailer lines). `deflate` is tried as zlib, then raw (HAProxy's `raw-deflate`).
fn decode_compressed(r: &Response) -> Option<(String, Vec<u8>, Vec<String>)> {
    use std::io::Read;
    let enc = r.head.iter().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case("content-encoding")
            .then(|| v.trim().to_ascii_lowercase())
    })?;
    let mut data = Vec::new();
    let mut trailers = Vec::new();
    let mut b = r.body.as_slice();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&b[..nl]).ok()?;
        let n = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        b = &b[nl + 2..];
        if n == 0 {
            for t in b.split(|&c| c == b'\n') {
                let t = String::from_utf8_lossy(t)
                    .trim_end_matches('\r')
                    .to_string();
                if !t.is_empty() {
                    trailers.push(t);
                }
            }
            break;
        }
        data.extend_from_slice(b.get(..n)?);
        b = b.get(n + 2..)?;
    }
    let mut plain = Vec::new();
    let ok = match enc.as_str() {
        "gzip" => flate2::read::GzDecoder::new(&data[..])
            .read_to_end(&mut plain)
            .is_ok(),
        "deflate" => {
            flate2::read::ZlibDecoder::new(&data[..])
                .read_to_end(&mut plain)
                .is_ok()
                || {
                    plain.clear();
                    flate2::read::DeflateDecoder::new(&data[..])
                        .read_to_end(&mut plain)
                        .is_ok()
                }
        }
        _ => return None,
    };
    let how = if ok {
        enc
    } else {
        format!("{enc} (undecodable)")
    };
    Some((how, plain, trailers))
}
