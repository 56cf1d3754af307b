//! `retry-on`: which failures of a request make the backend try it again.
//!
//! Public API: [`RetryOn::from_settings`] (the `retry-on` line in effect, own or from
//! `defaults`), the predicates the session and the backend ask, and [`fits_buffer`].
//!
//! Measured on HAProxy 2.6.12 (`haproxy -f cfg -db`, test servers on loopback):
//! - the default is `conn-failure`; `retry-on none` (or any list without `conn-failure`,
//!   e.g. `retry-on 503`) does not retry a refused connection: 503 at once;
//! - every retry, whatever its cause, counts against `retries`: `retries 2` with
//!   `retry-on 503` sends the request 3 times to a server answering 503, then the client
//!   gets that server's last 503 as is; after `empty-response` / `junk-response` it gets
//!   502, after `response-timeout` 504 (each attempt waiting `timeout server`);
//! - the retry goes to the same server at once (no turn-around delay), or with `option
//!   redispatch` to another as for connection retries (round robin moves on: s1 503, s2
//!   200, and the next request goes to s1 again);
//! - only a request whose head and whole body were there when it was first sent is
//!   retried: a POST sent in one write is retried, the same POST whose body came 200 ms
//!   after its head is not, nor is a 20000-byte body (it does not fit the 16 KB buffer);
//! - `http-request disable-l7-retry` turns the retries after a response off for the
//!   request (connection retries stay).

use crate::ir::haproxy::ProxySettings;
use crate::proxy::http::msg::RequestHead;

/// The events of `retry-on`, as HAProxy's `PR_RE_*` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryOn {
    bits: u32,
}

const CONN_FAILED: u32 = 1;
const DISCONNECTED: u32 = 1 << 1;
const TIMEOUT: u32 = 1 << 2;
const JUNK: u32 = 1 << 3;
const EARLY: u32 = 1 << 4;
/// Status codes: one bit each from here, in [`STATUSES`] order.
const STATUS_SHIFT: u32 = 8;
const STATUSES: [u16; 10] = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504];

impl Default for RetryOn {
    /// HAProxy's default: `conn-failure`.
    fn default() -> Self {
        RetryOn { bits: CONN_FAILED }
    }
}

impl RetryOn {
    /// The last `retry-on` line (each one replaces the previous, as in HAProxy), or the
    /// default. Unknown words were refused by the config check; here they are skipped.
    pub fn from_settings(s: &ProxySettings) -> RetryOn {
        match s.other.iter().rev().find(|d| d.keyword == "retry-on") {
            Some(d) => RetryOn::parse(d.args.iter().map(String::as_str)),
            None => RetryOn::default(),
        }
    }

    pub fn parse<'a>(words: impl IntoIterator<Item = &'a str>) -> RetryOn {
        let mut bits = 0;
        for w in words {
            bits |= match w {
                "none" => 0,
                "conn-failure" => CONN_FAILED,
                "empty-response" => DISCONNECTED,
                "junk-response" => JUNK,
                "response-timeout" => TIMEOUT,
                "0rtt-rejected" => EARLY,
                "all-retryable-errors" => {
                    CONN_FAILED
                        | DISCONNECTED
                        | JUNK
                        | TIMEOUT
                        | EARLY
                        | status_bit(500)
                        | status_bit(502)
                        | status_bit(503)
                        | status_bit(504)
                }
                other => other.parse::<u16>().map_or(0, status_bit),
            };
        }
        RetryOn { bits }
    }

    /// A failed connection is tried again (`conn-failure`).
    pub fn conn_failure(self) -> bool {
        self.bits & CONN_FAILED != 0
    }

    /// Something after the connection may be retried: the request must be kept.
    pub fn after_send(self) -> bool {
        self.bits & !CONN_FAILED != 0
    }

    /// `empty-response`: the server closed without a byte of response.
    pub fn empty_response(self) -> bool {
        self.bits & DISCONNECTED != 0
    }

    /// `junk-response`: an invalid, truncated or too large response head.
    pub fn junk_response(self) -> bool {
        self.bits & JUNK != 0
    }

    /// `response-timeout`: `timeout server` struck before the response head.
    pub fn response_timeout(self) -> bool {
        self.bits & TIMEOUT != 0
    }

    /// The response status is one to retry on.
    pub fn status(self, status: u16) -> bool {
        let b = status_bit(status);
        b != 0 && self.bits & b != 0
    }
}

fn status_bit(status: u16) -> u32 {
    STATUSES
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| 1 << (STATUS_SHIFT + i as u32))
}

/// HAProxy's request buffer as HTX sees it: `tune.bufsize` 16384 less `tune.maxrewrite`
/// 1024 and the HTX overhead (the same budget as `h1`'s head limit); each block (start
/// line, header, end of headers, data) costs 8 bytes plus its payload.
const HTX_BUDGET: usize = 15291;

/// How many body bytes fit in the request buffer after this head (the `Connection`
/// header is not in HAProxy's HTX head). Measured on 2.6.12: `option http-buffer-request`
/// with a 30000-byte POST (`POST /p`, headers `host: a`, `content-length: 30000`) gives
/// `req.body,length` 15213.
pub fn body_budget(req: &RequestHead) -> usize {
    let head = 8
        + req.method.len()
        + req.uri.len()
        + 8
        + req
            .headers
            .iter()
            .filter(|h| !h.name.eq_ignore_ascii_case("connection"))
            .map(|h| 8 + h.name.len() + h.value.len())
            .sum::<usize>()
        + 8;
    HTX_BUDGET.saturating_sub(head + 8)
}

/// Whether a request with `body_len` body bytes can be kept whole for a retry (HAProxy
/// copies its request buffer; a larger request is never retried).
pub fn fits_buffer(req: &RequestHead, body_len: usize) -> bool {
    body_len <= body_budget(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let r = RetryOn::parse(["503", "empty-response"]);
        assert!(!r.conn_failure());
        assert!(r.status(503) && !r.status(502) && !r.status(200));
        assert!(r.empty_response() && !r.junk_response() && !r.response_timeout());
        assert!(r.after_send());
        let a = RetryOn::parse(["all-retryable-errors"]);
        assert!(a.conn_failure() && a.junk_response() && a.response_timeout());
        assert!(a.status(500) && a.status(504) && !a.status(404) && !a.status(501));
        let n = RetryOn::parse(["none"]);
        assert!(!n.conn_failure() && !n.after_send());
        assert!(RetryOn::default().conn_failure());
        assert!(!RetryOn::default().after_send());
        assert!(RetryOn::parse(["401", "404"]).status(401));
    }

    #[test]
    fn last_line_wins() {
        let mut s = ProxySettings::default();
        for args in [vec!["503"], vec!["404", "conn-failure"]] {
            s.other.push(crate::ir::haproxy::Directive {
                span: Default::default(),
                keyword: "retry-on".into(),
                args: args.into_iter().map(String::from).collect(),
            });
        }
        let r = RetryOn::from_settings(&s);
        assert!(r.status(404) && !r.status(503) && r.conn_failure());
    }

    #[test]
    fn buffer_limit() {
        use crate::proxy::http::msg::{Header, HeaderList, Version};
        let req = RequestHead {
            method: "POST".into(),
            uri: "/p".into(),
            version: Version::Http11,
            headers: HeaderList(vec![
                Header::new("host", "a"),
                Header::new("connection", "close"),
                Header::new("content-length", "30000"),
            ]),
        };
        // HAProxy 2.6.12's `req.body,length` for that request
        assert_eq!(body_budget(&req), 15213);
        assert!(fits_buffer(&req, 5));
        assert!(!fits_buffer(&req, 20000));
    }
}
