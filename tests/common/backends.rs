//! Loopback backends for the differential suites (api_diff, stats_diff), and a child
//! process killed on drop. Each backend answers one request per connection with its name
//! in `x-srv`: `200 ok`, or `404 no` for `GET /missing`. Two names behave differently:
//! `echo` returns every byte it reads (TCP mode), `bad` sends an invalid header line
//! (HAProxy answers 502 and keeps it for `show errors`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A child process killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Backends {
    stop: Arc<AtomicBool>,
    pub ports: Vec<u16>,
}

impl Drop for Backends {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for p in &self.ports {
            let _ = TcpStream::connect(("127.0.0.1", *p));
        }
    }
}

pub fn start_backends(names: &[&str]) -> Backends {
    let stop = Arc::new(AtomicBool::new(false));
    let mut ports = Vec::new();
    for name in names {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind backend");
        ports.push(l.local_addr().expect("addr").port());
        let name = name.to_string();
        let stop = stop.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(s) = s else { continue };
                let name = name.clone();
                std::thread::spawn(move || serve(s, &name));
            }
        });
    }
    Backends { stop, ports }
}

fn serve(mut s: TcpStream, name: &str) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
    let mut chunk = [0u8; 4096];
    if name == "echo" {
        while let Ok(n) = s.read(&mut chunk) {
            if n == 0 || s.write_all(&chunk[..n]).is_err() {
                return;
            }
        }
        return;
    }
    let mut buf = Vec::new();
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if name == "bad" {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nbad header line\r\ncontent-length: 0\r\n\r\n");
        // the proxy sees the bad head before the close (HAProxy's H1 stream flags in
        // `show errors` differ when both come together)
        std::thread::sleep(Duration::from_millis(500));
        return;
    }
    let (st, body) = if buf.starts_with(b"GET /missing") {
        ("404 Not Found", "no")
    } else {
        ("200 OK", "ok")
    };
    let resp = format!(
        "HTTP/1.1 {st}\r\ncontent-length: {}\r\nx-srv: {name}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(resp.as_bytes());
}
