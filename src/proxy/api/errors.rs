//! `show errors`: the last invalid request of each frontend and the last invalid response
//! of each backend, as HAProxy 2.6.12 keeps and prints them (measured with a request
//! whose header name holds a space and a server answering `bad header line`):
//!
//! ```text
//! Total events captured on [22/Nov/2026:11:16:34.131] : 3
//!  
//! [22/Nov/2026:11:16:34.095] frontend fe (#2): invalid request
//!   backend <NONE> (#-1), server <NONE> (#-1), event #1, src 127.0.0.1:33824
//!   buffer starts at 0 (including 0 out), 16356 free,
//!   len 28, wraps at 16336, error at position 18
//!   H1 connection flags 0x00000100, H1 stream flags 0x00000810
//!   H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001410
//!   H1 chunk len 0 bytes, H1 body len 0 bytes :
//!   
//!   00000  GET / HTTP/1.1\r\n
//!   00016  ho st: x\r\n
//!   00026  \r\n
//! ```
//!
//! The event number counts every capture, also those a later one replaced. The H1 flag
//! lines are HAProxy's internal parser state; tandem prints the values HAProxy shows for
//! an error in a header name (the common case).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;

/// HAProxy's buffer size (`tune.bufsize`), for the `free` figure.
const BUFSIZE: usize = 16384;

/// One invalid message.
#[derive(Debug, Clone)]
pub struct Capture {
    /// `true`: a response from a server (kept on the backend).
    pub response: bool,
    /// The frontend, and the backend/server when known.
    pub frontend: String,
    pub backend: Option<String>,
    pub server: Option<(String, u32)>,
    pub src: Option<SocketAddr>,
    /// The bytes received (up to the buffer size).
    pub bytes: Vec<u8>,
    /// Offset of the first invalid byte.
    pub error_at: usize,
    /// `[dd/Mon/yyyy:hh:mm:ss.mmm]` local time of the capture.
    pub date: String,
}

#[derive(Debug, Clone)]
struct Stored {
    cap: Capture,
    event: u32,
}

/// The captures of a running configuration.
#[derive(Debug, Default)]
pub struct Captures {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    events: u32,
    /// (proxy name, response?) -> last capture.
    last: Vec<((String, bool), Stored)>,
}

/// Where the first invalid byte of an HTTP/1 message head is: a control character or a
/// space in a header name, a header line without `:`, or a start line that does not have
/// three parts. `None` when the head looks valid (the caller then points at its end).
pub fn first_invalid(head: &[u8]) -> Option<usize> {
    let mut pos = 0;
    let mut first = true;
    for line in head.split_inclusive(|b| *b == b'\n') {
        let body = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(line);
        if body.is_empty() {
            return None;
        }
        if first {
            first = false;
            let spaces = body.iter().filter(|b| **b == b' ').count();
            if spaces < 2 {
                return Some(pos + body.len());
            }
        } else {
            let name_len = body.iter().position(|b| *b == b':');
            let limit = name_len.unwrap_or(body.len());
            if let Some(i) = body[..limit]
                .iter()
                .position(|b| !(b.is_ascii_graphic() && *b != b'"'))
            {
                return Some(pos + i);
            }
            if name_len.is_none() {
                return Some(pos + body.len());
            }
        }
        pos += line.len();
    }
    None
}

/// Records an invalid request (`backend`/`server` `None`) or response of `engine`'s
/// traffic: what the HTTP session calls where it answers 400 or 502 for a message it could
/// not parse. `bytes` is what was received (only the first buffer's worth is kept).
pub fn capture(
    engine: &crate::proxy::engine::Engine,
    response: bool,
    frontend: &str,
    backend: Option<(&str, Option<(&str, u32)>)>,
    src: Option<SocketAddr>,
    bytes: &[u8],
) {
    let bytes = &bytes[..bytes.len().min(BUFSIZE)];
    let error_at = first_invalid(bytes).unwrap_or(bytes.len());
    engine.admin.errors.record(Capture {
        response,
        frontend: frontend.to_string(),
        backend: backend.map(|b| b.0.to_string()),
        server: backend.and_then(|b| b.1).map(|(n, i)| (n.to_string(), i)),
        src,
        bytes: bytes.to_vec(),
        error_at,
        date: crate::proxy::stats::page::log_date_ms(),
    });
}

impl Captures {
    /// Keeps `cap` as its proxy's last error of its direction.
    pub fn record(&self, cap: Capture) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let event = g.events;
        g.events = g.events.wrapping_add(1);
        let key = (
            if cap.response {
                cap.backend.clone().unwrap_or_default()
            } else {
                cap.frontend.clone()
            },
            cap.response,
        );
        let st = Stored { cap, event };
        match g.last.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = st,
            None => g.last.push((key, st)),
        }
    }

    /// The `show errors [proxy] [request|response]` text. `order` lists the proxy names in
    /// declaration order with their ids; `now` is the date of the header line.
    pub fn show(
        &self,
        order: &[(String, u32)],
        only: Option<&str>,
        dir: Option<bool>,
        now: &str,
    ) -> String {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let id = |n: &str| {
            order
                .iter()
                .find(|(p, _)| p == n)
                .map_or(-1, |x| i64::from(x.1))
        };
        let mut o = format!("Total events captured on [{now}] : {}\n", g.events);
        for (name, _) in order {
            for response in [false, true] {
                if dir.is_some_and(|d| d != response) {
                    continue;
                }
                let Some((_, st)) = g
                    .last
                    .iter()
                    .find(|((p, r), _)| p == name && *r == response)
                else {
                    continue;
                };
                let c = &st.cap;
                // a filter matches the proxy or the other end (the frontend of a response,
                // the backend of a request), as in HAProxy
                let other = if response {
                    Some(c.frontend.as_str())
                } else {
                    c.backend.as_deref()
                };
                let hit = |n: &str| {
                    only == Some(n) || only.and_then(|p| p.parse::<i64>().ok()) == Some(id(n))
                };
                if only.is_some() && !hit(name) && !other.is_some_and(hit) {
                    continue;
                }
                let (src_ip, src_port) = c
                    .src
                    .map_or(("unix".to_string(), 0), |a| (a.ip().to_string(), a.port()));
                let (srv, sid) = c
                    .server
                    .as_ref()
                    .map_or(("<NONE>".to_string(), -1), |(n, i)| {
                        (n.clone(), i64::from(*i))
                    });
                if response {
                    let be = c.backend.as_deref().unwrap_or("<NONE>");
                    let _ = write!(
                        o,
                        " \n[{}] backend {be} (#{}): invalid response\n  frontend {} (#{}), server {srv} (#{sid}), event #{}, src {src_ip}:{src_port}\n",
                        c.date,
                        id(be),
                        c.frontend,
                        id(&c.frontend),
                        st.event
                    );
                } else {
                    let be = c.backend.as_deref().unwrap_or("<NONE>");
                    let _ = write!(
                        o,
                        " \n[{}] frontend {} (#{}): invalid request\n  backend {be} (#{}), server {srv} (#{sid}), event #{}, src {src_ip}:{src_port}\n",
                        c.date,
                        c.frontend,
                        id(&c.frontend),
                        id(be),
                        st.event
                    );
                }
                let len = c.bytes.len();
                let (conn_flags, msg_flags) = if response {
                    ("0x80002200", "0x00001414")
                } else {
                    ("0x00000100", "0x00001410")
                };
                let stream_flags = if response { "0x00004810" } else { "0x00000810" };
                let _ = write!(
                    o,
                    "  buffer starts at 0 (including 0 out), {} free,\n  len {len}, wraps at 16336, error at position {}\n  H1 connection flags {conn_flags}, H1 stream flags {stream_flags}\n  H1 msg state MSG_HDR_NAME(17), H1 msg flags {msg_flags}\n  H1 chunk len 0 bytes, H1 body len 0 bytes :\n  \n",
                    BUFSIZE.saturating_sub(len),
                    c.error_at
                );
                dump(&mut o, &c.bytes);
            }
        }
        o
    }
}

/// HAProxy's `dump_text_line`: lines of the buffer, each after its offset, with `\r`,
/// `\n`, `\t`, `\\` and `\xHH` escapes; a line ends after a `\n` or at 64 columns of text.
fn dump(o: &mut String, bytes: &[u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let _ = write!(o, "  {i:05}  ");
        let mut cols = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let piece = match b {
                b'\r' => "\\r".to_string(),
                b'\n' => "\\n".to_string(),
                b'\t' => "\\t".to_string(),
                b'\\' => "\\\\".to_string(),
                b' '..=b'~' => (b as char).to_string(),
                _ => format!("\\x{b:02x}"),
            };
            if cols + piece.len() > 64 && cols > 0 {
                break;
            }
            cols += piece.len();
            o.push_str(&piece);
            i += 1;
            if b == b'\n' {
                break;
            }
        }
        o.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haproxy_layout() {
        let c = Captures::default();
        let req = b"GET / HTTP/1.1\r\nho st: x\r\n\r\n".to_vec();
        assert_eq!(first_invalid(&req), Some(18));
        c.record(Capture {
            response: false,
            frontend: "fe".into(),
            backend: None,
            server: None,
            src: "127.0.0.1:33824".parse().ok(),
            error_at: 18,
            bytes: req.clone(),
            date: "D".into(),
        });
        c.record(Capture {
            response: false,
            frontend: "fe".into(),
            backend: None,
            server: None,
            src: "127.0.0.1:33824".parse().ok(),
            error_at: 18,
            bytes: req,
            date: "D".into(),
        });
        let resp = b"HTTP/1.1 200 OK\r\nbad header line\r\ncontent-length: 0\r\n\r\n".to_vec();
        assert_eq!(first_invalid(&resp), Some(20));
        c.record(Capture {
            response: true,
            frontend: "fe".into(),
            backend: Some("be1".into()),
            server: Some(("s1".into(), 1)),
            src: "127.0.0.1:33840".parse().ok(),
            error_at: 20,
            bytes: resp,
            date: "D".into(),
        });
        let order = [("fe".to_string(), 2), ("be1".to_string(), 3)];
        // HAProxy 2.6.12's `show errors` for the same three events (dates replaced by D)
        assert_eq!(
            c.show(&order, None, None, "N"),
            "Total events captured on [N] : 3
 
[D] frontend fe (#2): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #1, src 127.0.0.1:33824
  buffer starts at 0 (including 0 out), 16356 free,
  len 28, wraps at 16336, error at position 18
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001410
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET / HTTP/1.1\\r\\n
  00016  ho st: x\\r\\n
  00026  \\r\\n
 
[D] backend be1 (#3): invalid response
  frontend fe (#2), server s1 (#1), event #2, src 127.0.0.1:33840
  buffer starts at 0 (including 0 out), 16329 free,
  len 55, wraps at 16336, error at position 20
  H1 connection flags 0x80002200, H1 stream flags 0x00004810
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001414
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  HTTP/1.1 200 OK\\r\\n
  00017  bad header line\\r\\n
  00034  content-length: 0\\r\\n
  00053  \\r\\n
"
        );
    }
}
