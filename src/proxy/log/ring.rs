//! `ring` sections and `log ring@NAME`: in-memory buffers of log lines that the runtime
//! API shows (`show events NAME`) and that `server` lines of the section forward to
//! TCP syslog servers (`log-proto octet-count` or `legacy`), as HAProxy 2.6 does.
//!
//! Measured on HAProxy 2.6.12: a line is stored in the ring's `format` (default `raw`)
//! whatever the `log` line says, without a trailing newline; rfc3164/rfc5424 headers
//! carry `localhost` as host when `log-send-hostname` is not set; `show events r1`
//! prints each line followed by `\n`, then an empty line; an octet-counting server
//! receives `164 <134>Nov 22 ...` (the length, a space, the line).
//!
//! The rings live in a process-wide table keyed by name: a reload replaces the table,
//! and a log target looks its ring up when it sends, so the lines of both follow the
//! running configuration.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use super::syslog::Format;
use crate::config::haproxy::values::{TimeUnit, parse_time};
use crate::ir::haproxy::OtherSection;

/// HAProxy's default ring size (BUFSIZE).
const DEFAULT_SIZE: usize = 16384;
/// Per-line bookkeeping HAProxy's ring spends besides the text (a varint length and a
/// reader count), so that a ring of `size` bytes holds about as many lines.
const LINE_OVERHEAD: usize = 3;

/// Where a ring forwards its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingServer {
    pub name: String,
    pub addr: String,
    /// `log-proto octet-count` (RFC 6587 octet counting); else `legacy` (a newline).
    pub octet_count: bool,
}

/// One `ring` section and its contents.
#[derive(Debug)]
pub struct Ring {
    pub name: String,
    pub description: String,
    pub format: Format,
    pub maxlen: usize,
    pub size: usize,
    pub servers: Vec<RingServer>,
    pub connect_timeout: Duration,
    lines: Mutex<Lines>,
    /// Lines dropped (the `0 dropped` of `show events`).
    pub dropped: AtomicU64,
    new_line: tokio::sync::Notify,
    /// The forwarders run (started with the first line, inside the runtime).
    forwarding: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Default)]
struct Lines {
    /// (sequence number, line)
    q: VecDeque<(u64, Vec<u8>)>,
    bytes: usize,
    next_seq: u64,
}

impl Ring {
    /// The ring of a `ring NAME` section.
    pub fn from_section(s: &OtherSection) -> Ring {
        let arg = |k: &str| {
            s.directives
                .iter()
                .rev()
                .find(|d| d.keyword == k)
                .and_then(|d| d.args.first())
                .map(String::as_str)
        };
        let size = arg("size")
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or(DEFAULT_SIZE);
        let timeout = |which: &str| {
            s.directives
                .iter()
                .rev()
                .find(|d| d.keyword == "timeout" && d.args.first().is_some_and(|a| a == which))
                .and_then(|d| d.args.get(1))
                .and_then(|v| parse_time(v, TimeUnit::Ms).ok())
                .map(|t| Duration::from_millis(u64::from(t.value)))
        };
        let servers = s
            .directives
            .iter()
            .filter(|d| d.keyword == "server")
            .filter_map(|d| {
                let name = d.args.first()?.clone();
                let addr = d.args.get(1)?.clone();
                let octet_count = d
                    .args
                    .windows(2)
                    .any(|w| w[0] == "log-proto" && w[1] == "octet-count");
                Some(RingServer {
                    name,
                    addr,
                    octet_count,
                })
            })
            .collect();
        Ring {
            name: s.name.clone(),
            description: arg("description").map_or_else(|| s.name.clone(), str::to_string),
            format: arg("format").and_then(Format::parse).unwrap_or(Format::Raw),
            maxlen: arg("maxlen")
                .and_then(|v| v.parse().ok())
                .unwrap_or(usize::MAX),
            size,
            servers,
            connect_timeout: timeout("connect").unwrap_or(Duration::from_secs(5)),
            lines: Mutex::new(Lines::default()),
            dropped: AtomicU64::new(0),
            new_line: tokio::sync::Notify::new(),
            forwarding: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lines> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores one line (already formatted, without newline), dropping the oldest ones
    /// when the ring is full.
    pub fn push(&self, mut line: Vec<u8>) {
        line.truncate(self.maxlen);
        let cost = line.len() + LINE_OVERHEAD;
        if cost > self.size {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        {
            let mut l = self.lock();
            while l.bytes + cost > self.size {
                match l.q.pop_front() {
                    Some((_, old)) => l.bytes -= old.len() + LINE_OVERHEAD,
                    None => break,
                }
            }
            let seq = l.next_seq;
            l.next_seq += 1;
            l.bytes += cost;
            l.q.push_back((seq, line));
        }
        self.new_line.notify_waiters();
        self.start_forwarders();
    }

    /// The `server` lines' senders, once, when a tokio runtime runs (the configuration
    /// is loaded before the runtime starts).
    fn start_forwarders(&self) {
        if self.servers.is_empty() || self.forwarding.load(Ordering::Relaxed) {
            return;
        }
        let (Ok(rt), Some(me)) = (tokio::runtime::Handle::try_current(), get(&self.name)) else {
            return;
        };
        if self.forwarding.swap(true, Ordering::Relaxed) {
            return;
        }
        for srv in &self.servers {
            rt.spawn(forward(Arc::downgrade(&me), srv.clone()));
        }
    }

    /// The lines held now, oldest first, with the sequence number that follows them.
    pub fn snapshot(&self) -> (Vec<Vec<u8>>, u64) {
        let l = self.lock();
        (l.q.iter().map(|(_, b)| b.clone()).collect(), l.next_seq)
    }

    /// The lines from sequence number `from` on (older ones are gone), and the next.
    pub fn since(&self, from: u64) -> (Vec<Vec<u8>>, u64) {
        let l = self.lock();
        let lines =
            l.q.iter()
                .filter(|(s, _)| *s >= from)
                .map(|(_, b)| b.clone())
                .collect();
        (lines, l.next_seq)
    }

    /// Waits for the next line.
    pub async fn changed(&self) {
        self.new_line.notified().await;
    }

    /// `show events` text: everything in the ring, a line each (the CLI adds the
    /// empty line that ends an answer).
    pub fn show(&self) -> String {
        let mut out = String::new();
        for l in self.snapshot().0 {
            out.push_str(&String::from_utf8_lossy(&l));
            out.push('\n');
        }
        out
    }
}

/// The running configuration's rings, in the order of their sections.
static RINGS: RwLock<Vec<Arc<Ring>>> = RwLock::new(Vec::new());

/// HAProxy's own in-memory sink, the trace buffer: always listed, and empty in tandem,
/// which has no `trace` command (as HAProxy's is until traces are turned on).
pub const BUF0: &str = "buf0";

/// Installs the rings of a configuration (a reload replaces them).
pub fn install(sections: &[OtherSection]) {
    let rings: Vec<Arc<Ring>> = sections
        .iter()
        .filter(|s| s.kind == "ring")
        .map(|s| Arc::new(Ring::from_section(s)))
        .collect();
    *RINGS.write().unwrap_or_else(|e| e.into_inner()) = rings;
}

/// The ring named `name` in the running configuration.
pub fn get(name: &str) -> Option<Arc<Ring>> {
    RINGS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|r| r.name == name)
        .cloned()
}

/// Every ring, in the order of the configuration (HAProxy lists its sinks so).
pub fn all() -> Vec<Arc<Ring>> {
    RINGS.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `show events` without a name: HAProxy 2.6.12's list, its own sinks first.
pub fn list_text() -> String {
    let mut out = String::from(
        "Supported events sinks are listed below. Add -w(wait), -n(new). Any key to stop\n",
    );
    out.push_str("    stdout     : type=fd, 0 dropped, standard output (fd#1)\n");
    out.push_str("    stderr     : type=fd, 0 dropped, standard output (fd#2)\n");
    out.push_str("    buf0       : type=buffer, 0 dropped, in-memory ring buffer\n");
    for r in all() {
        out.push_str(&format!(
            "    {:<10} : type=buffer, {} dropped, {}\n",
            r.name,
            r.dropped.load(Ordering::Relaxed),
            r.description
        ));
    }
    out
}

/// One line as a ring server receives it.
fn wire(line: &[u8], octet_count: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + 8);
    if octet_count {
        out.extend_from_slice(format!("{} ", line.len()).as_bytes());
        out.extend_from_slice(line);
    } else {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// Sends the ring's lines to one server, from the ones present at start on,
/// reconnecting after a failure; ends when the ring is replaced by a reload.
async fn forward(ring: std::sync::Weak<Ring>, srv: RingServer) {
    use tokio::io::AsyncWriteExt;
    let mut next = 0u64;
    loop {
        let Some(r) = ring.upgrade() else {
            return;
        };
        let timeout = r.connect_timeout;
        drop(r);
        let conn = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(&srv.addr)).await;
        let Ok(Ok(mut s)) = conn else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        loop {
            let Some(r) = ring.upgrade() else {
                return;
            };
            let wait = r.changed();
            let (lines, after) = r.since(next);
            let mut ok = true;
            for l in &lines {
                if s.write_all(&wire(l, srv.octet_count)).await.is_err() {
                    ok = false;
                    break;
                }
            }
            if !ok {
                break;
            }
            next = after;
            // a reload drops the ring: look again now and then
            let _ = tokio::time::timeout(Duration::from_secs(1), wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::haproxy::{Directive, Span};

    fn section(lines: &[&[&str]]) -> OtherSection {
        OtherSection {
            span: Span::default(),
            kind: "ring".into(),
            name: "r1".into(),
            directives: lines
                .iter()
                .map(|l| Directive {
                    keyword: l[0].to_string(),
                    args: l[1..].iter().map(|s| s.to_string()).collect(),
                    ..Directive::default()
                })
                .collect(),
        }
    }

    #[test]
    fn section_settings() {
        let r = Ring::from_section(&section(&[
            &["description", "My local buffer"],
            &["format", "rfc3164"],
            &["maxlen", "1200"],
            &["size", "32764"],
            &["timeout", "connect", "5s"],
            &["server", "s", "127.0.0.1:6514", "log-proto", "octet-count"],
        ]));
        assert_eq!(r.description, "My local buffer");
        assert_eq!(r.format, Format::Rfc3164);
        assert_eq!((r.maxlen, r.size), (1200, 32764));
        assert!(r.servers[0].octet_count);
        let d = Ring::from_section(&section(&[]));
        assert_eq!(
            (d.format, d.size, d.description.as_str()),
            (Format::Raw, 16384, "r1")
        );
    }

    #[test]
    fn oldest_lines_go_first_and_show_ends_with_an_empty_line() {
        let r = Ring::from_section(&section(&[&["size", "20"]]));
        r.push(b"aaaaa".to_vec());
        r.push(b"bbbbb".to_vec());
        r.push(b"ccccc".to_vec());
        assert_eq!(r.show(), "bbbbb\nccccc\n");
        assert_eq!(r.since(2).0, vec![b"ccccc".to_vec()]);
    }

    #[test]
    fn octet_counting() {
        // HAProxy 2.6.12 sent `164 <134>Nov 22 ...` for a 164-byte line
        assert_eq!(wire(b"<134>x", true), b"6 <134>x");
        assert_eq!(wire(b"<134>x", false), b"<134>x\n");
    }
}
