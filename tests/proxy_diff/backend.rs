//! Test backends: small std-thread servers on loopback that answer with their own name
//! and echo what they received, so the client side sees which server answered and which
//! request headers the proxy added or removed.
//!
//! HTTP backend response: status 200 (unless told otherwise), headers `x-srv: NAME`,
//! `content-type: text/plain`, `content-length`, body:
//!
//! ```text
//! srv=NAME
//! nreq=K                      (K-th request on this server-side connection)
//! proxy=PROXY TCP4 ... <port> (the PROXY protocol header if one came, client port masked)
//! GET /path HTTP/1.1          (request line and headers exactly as received)
//! host: ...
//! body-len=N body=<first 256 bytes escaped>
//! ```
//!
//! Behaviours, by the request header `x-behave: A,B,...` or by `behave NAME A,B` for
//! every request: `status=N` (or a bare `500`), `slow=MS`, `close` (no answer, close),
//! `garbage` (non-HTTP bytes then close), `partial` (headers announce more body than
//! sent, then close), `chunked` (chunked response), `nolength` (close-delimited body),
//! `big=N` (N more body bytes), `hdr=Name:Value`, `no100` (ignore `Expect: 100-continue`),
//! `linger=MS` (in a tunnel, keep the connection MS ms after the proxy's FIN).
//! A request with `Upgrade:` and `Connection: upgrade` gets `101` and then an echo tunnel.
//!
//! TCP backend: reads what comes first (until 150 ms of silence), answers one line
//! `srv=NAME proxy=... got=N first=<escaped>` and closes; with `behave NAME reply=BYTES`
//! (escapes as in scripts, no `,`) it answers BYTES instead.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::script::{Kind, escape};

pub struct Backend {
    pub name: String,
    pub port: u16,
    pub kind: Kind,
    behave: Mutex<String>,
    accept: Mutex<Option<(Arc<AtomicBool>, JoinHandle<()>)>>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    /// Requests read and not yet answered (the kill-under-load test reads it).
    pub inflight: AtomicI64,
    pub requests: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Backend {
    pub fn new(name: &str, port: u16, kind: Kind) -> Arc<Backend> {
        Arc::new(Backend {
            name: name.to_string(),
            port,
            kind,
            behave: Mutex::new(String::new()),
            accept: Mutex::new(None),
            conns: Arc::new(Mutex::new(Vec::new())),
            inflight: AtomicI64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    pub fn set_behave(&self, spec: &str) {
        *lock(&self.behave) = if spec == "-" {
            String::new()
        } else {
            spec.to_string()
        };
    }

    pub fn start(self: &Arc<Self>) -> io::Result<()> {
        let mut acc = lock(&self.accept);
        if acc.is_some() {
            return Ok(());
        }
        // The port was just released by a stopped listener: retry briefly.
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        };
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let me = self.clone();
        let h = std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let _ = s.set_nodelay(true);
                        if let Ok(c) = s.try_clone() {
                            let mut conns = lock(&me.conns);
                            // Forget connections that ended long ago.
                            conns.retain(|c| c.peer_addr().is_ok());
                            conns.push(c);
                        }
                        let me2 = me.clone();
                        std::thread::spawn(move || {
                            let _ = match me2.kind {
                                Kind::Http => me2.serve_http(s),
                                Kind::Tcp => me2.serve_tcp(s),
                            };
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        *acc = Some((stop, h));
        Ok(())
    }

    /// Closes the listener (new connections are refused) and every open connection.
    /// Returns the number of requests that were in flight.
    pub fn stop(&self) -> i64 {
        let taken = lock(&self.accept).take();
        if let Some((flag, h)) = taken {
            flag.store(true, Ordering::Relaxed);
            let _ = h.join();
        }
        let mut conns = lock(&self.conns);
        // In flight: requests read and not answered, plus connections holding bytes not
        // read yet (a request the proxy sent that this server had not picked up).
        let mut pending = 0;
        for c in conns.iter() {
            let mut b = [0u8; 1];
            if c.set_nonblocking(true).is_ok() && matches!(c.peek(&mut b), Ok(n) if n > 0) {
                pending += 1;
            }
        }
        let inflight = self.inflight.load(Ordering::SeqCst) + pending;
        for c in conns.drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
        inflight
    }

    fn behaviour(&self, header: Option<&str>) -> Vec<String> {
        let spec = match header {
            Some(h) => h.to_string(),
            None => lock(&self.behave).clone(),
        };
        spec.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn serve_tcp(&self, s: TcpStream) -> io::Result<()> {
        s.set_read_timeout(Some(Duration::from_millis(150)))?;
        let mut r = &s;
        let mut got = Vec::new();
        let mut buf = [0u8; 16384];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(buf.get(..n).unwrap_or_default()),
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::TimedOut =>
                {
                    break;
                }
                Err(e) => return Err(e),
            }
            if got.len() > 65536 {
                break;
            }
        }
        if got.is_empty() {
            // A connect-only health check, or a client that sent nothing.
            return Ok(());
        }
        let (proxy, rest) = split_proxy(&got);
        self.requests.fetch_add(1, Ordering::Relaxed);
        // A canned answer (protocol health checks: redis, pgsql, TLS hello).
        if let Some(reply) = self
            .behaviour(None)
            .iter()
            .find_map(|b| b.strip_prefix("reply=").map(str::to_string))
        {
            let mut w = &s;
            w.write_all(&super::script::unescape(&reply).unwrap_or_default())?;
            let _ = s.shutdown(Shutdown::Write);
            return Ok(());
        }
        let first = rest.get(..rest.len().min(64)).unwrap_or_default();
        let line = format!(
            "srv={} proxy={} got={} first={}\n",
            self.name,
            proxy.as_deref().unwrap_or("-"),
            rest.len(),
            escape(first)
        );
        let mut w = &s;
        w.write_all(line.as_bytes())?;
        let _ = s.shutdown(Shutdown::Write);
        Ok(())
    }

    fn serve_http(&self, s: TcpStream) -> io::Result<()> {
        s.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut r = BufReader::new(s.try_clone()?);
        let mut w = s;
        let mut nreq = 0u32;
        let mut proxy: Option<String> = None;
        loop {
            // PROXY protocol header: only before the first request.
            if nreq == 0 {
                let peek = r.fill_buf()?;
                if peek.is_empty() {
                    return Ok(());
                }
                if peek.starts_with(b"PROXY ") {
                    let mut l = Vec::new();
                    r.read_until(b'\n', &mut l)?;
                    proxy = Some(mask_proxy_v1(&String::from_utf8_lossy(&l)));
                } else if peek.starts_with(PROXY_V2_SIG) {
                    let mut hdr = [0u8; 16];
                    r.read_exact(&mut hdr)?;
                    let len = u16::from_be_bytes([hdr[14], hdr[15]]) as usize;
                    let mut rest = vec![0u8; len];
                    r.read_exact(&mut rest)?;
                    proxy = Some(describe_proxy_v2(&hdr, &rest));
                }
            }
            let Some(head) = read_head(&mut r)? else {
                return Ok(());
            };
            nreq += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            self.inflight.fetch_add(1, Ordering::SeqCst);
            let res = self.answer(&mut r, &mut w, &head, nreq, proxy.as_deref());
            self.inflight.fetch_sub(1, Ordering::SeqCst);
            match res {
                Ok(true) => continue,
                Ok(false) => {
                    let _ = w.shutdown(Shutdown::Write);
                    // Drain so that the close does not turn into a reset.
                    let _ = w.set_read_timeout(Some(Duration::from_millis(200)));
                    let mut sink = [0u8; 4096];
                    while matches!(r.read(&mut sink), Ok(n) if n > 0) {}
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Answers one request; `Ok(true)` keeps the connection.
    fn answer(
        &self,
        r: &mut BufReader<TcpStream>,
        w: &mut TcpStream,
        head: &[u8],
        nreq: u32,
        proxy: Option<&str>,
    ) -> io::Result<bool> {
        let text = String::from_utf8_lossy(head).into_owned();
        let mut lines = text.split("\r\n");
        let reqline = lines.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once(':') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
                None => (l.to_ascii_lowercase(), String::new()),
            })
            .collect();
        let hv = |name: &str| {
            headers
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        let behave = self.behaviour(hv("x-behave").first().copied());
        let has = |b: &str| behave.iter().any(|x| x == b);
        let val = |b: &str| {
            behave
                .iter()
                .find_map(|x| x.strip_prefix(b).and_then(|v| v.strip_prefix('=')))
        };
        let version10 = reqline.ends_with("HTTP/1.0");
        let conn_tokens: Vec<String> = hv("connection")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .collect();
        let mut keep = if version10 {
            conn_tokens.iter().any(|t| t == "keep-alive")
        } else {
            !conn_tokens.iter().any(|t| t == "close")
        };
        if hv("expect")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("100-continue"))
            && !has("no100")
        {
            w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let chunked = hv("transfer-encoding")
            .iter()
            .any(|v| v.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            read_chunked(r)?
        } else if let Some(cl) = hv("content-length").first() {
            let n: usize = cl.parse().unwrap_or(0);
            let mut b = vec![0u8; n];
            r.read_exact(&mut b)?;
            b
        } else {
            Vec::new()
        };
        if let Some(ms) = val("slow").and_then(|v| v.parse::<u64>().ok()) {
            std::thread::sleep(Duration::from_millis(ms));
        }
        if has("close") {
            return Ok(false);
        }
        if has("garbage") {
            w.write_all(b"this is not HTTP\r\n\r\n")?;
            return Ok(false);
        }
        let upgrade = conn_tokens.iter().any(|t| t == "upgrade") && !hv("upgrade").is_empty();
        if upgrade {
            let proto = hv("upgrade")
                .first()
                .copied()
                .unwrap_or_default()
                .to_string();
            // HAProxy checks the WebSocket handshake: the accept key must be right.
            let accept = hv("sec-websocket-key")
                .first()
                .map(|k| {
                    let mut input = k.as_bytes().to_vec();
                    input.extend_from_slice(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
                    format!("Sec-WebSocket-Accept: {}\r\n", base64(&sha1(&input)))
                })
                .unwrap_or_default();
            w.write_all(
                format!(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: {proto}\r\nConnection: Upgrade\r\n{accept}x-srv: {}\r\n\r\n",
                    self.name
                )
                .as_bytes(),
            )?;
            // Echo tunnel until either side closes; `linger=MS`: after the proxy's FIN,
            // stay open MS ms before closing (a server that keeps its half open).
            let linger = val("linger").and_then(|v| v.parse::<u64>().ok());
            let mut buf = [0u8; 4096];
            loop {
                match r.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        if let Some(ms) = linger {
                            std::thread::sleep(Duration::from_millis(ms));
                        }
                        return Ok(false);
                    }
                    Ok(n) => {
                        let mut out = b"echo:".to_vec();
                        out.extend_from_slice(buf.get(..n).unwrap_or_default());
                        w.write_all(&out)?;
                    }
                }
            }
        }
        let status: u16 = if has("500") {
            500
        } else {
            val("status").and_then(|v| v.parse().ok()).unwrap_or(200)
        };
        let mut out = format!("srv={}\nnreq={nreq}\n", self.name);
        if let Some(p) = proxy {
            out.push_str(&format!("proxy={p}\n"));
        }
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&format!(
            "body-len={} body={}\n",
            body.len(),
            escape(body.get(..body.len().min(256)).unwrap_or_default())
        ));
        let mut payload = out.into_bytes();
        if let Some(n) = val("big").and_then(|v| v.parse::<usize>().ok()) {
            payload.extend((0..n).map(|i| b'a' + (i % 26) as u8));
        }
        let is_head = reqline.starts_with("HEAD ");
        let mut resp = format!(
            "HTTP/1.1 {status} {}\r\nx-srv: {}\r\ncontent-type: text/plain\r\n",
            reason(status),
            self.name
        );
        for h in behave.iter().filter_map(|b| b.strip_prefix("hdr=")) {
            if let Some((k, v)) = h.split_once(':') {
                resp.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        let nolength = has("nolength");
        if nolength {
            keep = false;
        } else if has("chunked") {
            resp.push_str("transfer-encoding: chunked\r\n");
        } else if has("partial") {
            resp.push_str(&format!("content-length: {}\r\n", payload.len() + 100));
        } else {
            resp.push_str(&format!("content-length: {}\r\n", payload.len()));
        }
        if !keep {
            resp.push_str("connection: close\r\n");
        } else if version10 {
            resp.push_str("connection: keep-alive\r\n");
        }
        resp.push_str("\r\n");
        let mut bytes = resp.into_bytes();
        if !is_head && status != 204 && status != 304 {
            if has("chunked") && !nolength {
                for part in payload.chunks(100) {
                    bytes.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    bytes.extend_from_slice(part);
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(b"0\r\n\r\n");
            } else {
                bytes.extend_from_slice(&payload);
            }
        }
        w.write_all(&bytes)?;
        if has("partial") {
            return Ok(false);
        }
        Ok(keep)
    }
}

const PROXY_V2_SIG: &[u8] = b"\r\n\r\n\0\r\nQUIT\n";

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Other",
    }
}

/// `PROXY TCP4 SRC DST SPORT DPORT` with the client's (ephemeral) source port masked.
pub fn mask_proxy_v1(line: &str) -> String {
    let mut parts: Vec<String> = line.trim_end().split(' ').map(str::to_string).collect();
    if parts.len() == 6
        && let Some(p) = parts.get_mut(4)
    {
        *p = "<port>".to_string();
    }
    parts.join(" ")
}

fn describe_proxy_v2(hdr: &[u8; 16], rest: &[u8]) -> String {
    let cmd = hdr[12] & 0x0f;
    let fam = hdr[13];
    let mut s = format!("v2 cmd={cmd} fam=0x{fam:02x}");
    if fam == 0x11
        && let Some(a) = rest.get(..12)
    {
        s.push_str(&format!(
            " src={}.{}.{}.{}:<port> dst={}.{}.{}.{}:{}",
            a[0],
            a[1],
            a[2],
            a[3],
            a[4],
            a[5],
            a[6],
            a[7],
            u16::from_be_bytes([a[10], a[11]])
        ));
        if rest.len() > 12 {
            s.push_str(&format!(
                " tlv={}",
                escape(rest.get(12..).unwrap_or_default())
            ));
        }
    }
    s
}

fn split_proxy(got: &[u8]) -> (Option<String>, &[u8]) {
    if got.starts_with(b"PROXY ")
        && let Some(end) = got.windows(2).position(|w| w == b"\r\n")
    {
        let line = String::from_utf8_lossy(got.get(..end).unwrap_or_default()).into_owned();
        return (
            Some(mask_proxy_v1(&line)),
            got.get(end + 2..).unwrap_or_default(),
        );
    }
    if got.starts_with(PROXY_V2_SIG) && got.len() >= 16 {
        let mut hdr = [0u8; 16];
        hdr.copy_from_slice(got.get(..16).unwrap_or(&[0u8; 16]));
        let len = u16::from_be_bytes([hdr[14], hdr[15]]) as usize;
        let rest = got.get(16..16 + len).unwrap_or_default();
        return (
            Some(describe_proxy_v2(&hdr, rest)),
            got.get(16 + len..).unwrap_or_default(),
        );
    }
    (None, got)
}

/// The request head up to and including the empty line (`None` at a clean end of stream).
fn read_head(r: &mut BufReader<TcpStream>) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if head.is_empty() && (line == b"\r\n" || line == b"\n") {
            // Tolerate empty lines before a request, as servers do.
            continue;
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" || line == b"\n" {
            return Ok(Some(head));
        }
        if head.len() > 65536 {
            return Err(io::Error::other("request head too long"));
        }
    }
}

fn read_chunked(r: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line)?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|_| io::Error::other("bad chunk size"))?;
        if size == 0 {
            // Trailers up to the empty line.
            loop {
                let mut t = String::new();
                if r.read_line(&mut t)? == 0 || t == "\r\n" || t == "\n" {
                    return Ok(body);
                }
            }
        }
        let mut b = vec![0u8; size];
        r.read_exact(&mut b)?;
        body.extend_from_slice(&b);
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf)?;
    }
}

/// SHA-1 (RFC 3174), for the WebSocket accept key only.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, c) in block.chunks(4).enumerate().take(16) {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}
