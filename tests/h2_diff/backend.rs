//! An HTTP/1.1 echo server for the h2 differential tests: every response carries the
//! server's name and the request exactly as it arrived (head and decoded body), so the
//! transcript shows what the proxy sent to the server. Counts accepted connections (to
//! compare server-connection reuse).
//!
//! Paths: `/status/NNN` answers NNN; `/big/N` sends N bytes; `/chunked` answers chunked
//! with a trailer; `/slow/MS` waits MS milliseconds first; `/garbage` sends no valid
//! response and closes; `/close` answers without a length and closes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Echo {
    pub conns: Arc<AtomicUsize>,
    pub requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Echo {
    pub fn conns(&self) -> usize {
        self.conns.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

pub async fn start(name: &'static str, port: u16) -> Echo {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let conns = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (c2, r2) = (conns.clone(), requests.clone());
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            c2.fetch_add(1, Ordering::Relaxed);
            let r2 = r2.clone();
            tokio::spawn(serve(tcp, name, r2));
        }
    });
    Echo {
        conns,
        requests,
        task,
    }
}

async fn fill<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16384];
    match s.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

/// Reads a line (without CRLF) from `buf`, reading more as needed.
async fn line<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        if let Some(p) = buf.iter().position(|&b| b == b'\n') {
            let mut l: Vec<u8> = buf.drain(..=p).collect();
            l.pop();
            if l.last() == Some(&b'\r') {
                l.pop();
            }
            return Some(l);
        }
        if !fill(s, buf).await {
            return None;
        }
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, name: &str, reqs: Arc<AtomicUsize>) {
    let mut buf = Vec::new();
    loop {
        let end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            if !fill(&mut s, &mut buf).await {
                return;
            }
        };
        reqs.fetch_add(1, Ordering::Relaxed);
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end);
        let lower = head.to_ascii_lowercase();
        let mut body = Vec::new();
        let mut trailers = String::new();
        if lower.contains("transfer-encoding: chunked") {
            loop {
                let Some(size) = line(&mut s, &mut buf).await else {
                    return;
                };
                let size = String::from_utf8_lossy(&size).into_owned();
                let n = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                    .unwrap_or(0);
                if n == 0 {
                    loop {
                        let Some(t) = line(&mut s, &mut buf).await else {
                            return;
                        };
                        if t.is_empty() {
                            break;
                        }
                        trailers.push_str(&String::from_utf8_lossy(&t));
                        trailers.push('\n');
                    }
                    break;
                }
                while buf.len() < n + 2 {
                    if !fill(&mut s, &mut buf).await {
                        return;
                    }
                }
                body.extend(buf.drain(..n));
                buf.drain(..2);
            }
        } else if let Some(cl) = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            while buf.len() < cl {
                if !fill(&mut s, &mut buf).await {
                    return;
                }
            }
            body.extend(buf.drain(..cl));
        }
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        let mut status = 200u16;
        if let Some(ms) = path.strip_prefix("/slow/") {
            let ms: u64 = ms.parse().unwrap_or(100);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if let Some(st) = path.strip_prefix("/status/") {
            status = st.get(..3).and_then(|v| v.parse().ok()).unwrap_or(200);
        }
        if path == "/garbage" {
            let _ = s.write_all(b"garbage\r\n\r\n").await;
            return;
        }
        let mut out = format!("server={name}\n{head}");
        if !body.is_empty() {
            out.push_str(&format!(
                "body {} bytes, sum {}\n",
                body.len(),
                body.iter().map(|&b| u64::from(b)).sum::<u64>()
            ));
        }
        if !trailers.is_empty() {
            out.push_str(&format!("trailers:\n{trailers}"));
        }
        let mut payload = out.into_bytes();
        if let Some(n) = path.strip_prefix("/big/") {
            let n: usize = n.parse().unwrap_or(0);
            payload = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
        }
        let no_body = head.starts_with("HEAD ") || status == 204 || status == 304;
        let resp = if path == "/chunked" {
            let mut r = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\nx-server: {name}\r\ntransfer-encoding: chunked\r\n\r\n"
            )
            .into_bytes();
            for part in payload.chunks(100) {
                r.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                r.extend_from_slice(part);
                r.extend_from_slice(b"\r\n");
            }
            r.extend_from_slice(b"0\r\nx-trailer: t1\r\n\r\n");
            r
        } else if path == "/close" {
            let mut r = format!("HTTP/1.1 {status} X\r\nx-server: {name}\r\n\r\n").into_bytes();
            r.extend_from_slice(&payload);
            let _ = s.write_all(&r).await;
            return;
        } else {
            let mut r = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\nx-server: {name}\r\nconnection: keep-alive\r\ncontent-length: {}\r\n\r\n",
                payload.len()
            )
            .into_bytes();
            if !no_body {
                r.extend_from_slice(&payload);
            }
            r
        };
        if s.write_all(&resp).await.is_err() {
            return;
        }
    }
}
