//! The `Connection` header and keep-alive decisions of HAProxy 2.6's H1 mux.
//!
//! Measured on HAProxy 2.6.12 for every combination of client (1.0, 1.0 + keep-alive, 1.1,
//! 1.1 + close) and server (1.1, 1.1 + close, 1.0, 1.0 + keep-alive) in the three modes:
//! - towards the server: keep-alive mode adds `connection: keep-alive` to 1.0 requests;
//!   server-close and httpclose add `connection: close` to 1.1 requests;
//! - towards the client: when the client connection stays open, `connection: keep-alive` is
//!   added if the response or the request is 1.0; when it closes, `connection: close` is
//!   added if the response is 1.1;
//! - the client connection closes when the client asked (1.0 without keep-alive, `close`),
//!   in httpclose mode, when the response has no length, or after a request with both
//!   Content-Length and Transfer-Encoding. A server's own `Connection: close` does not
//!   close the client side.
//! - a `Connection` header carrying `upgrade` is left alone.

use super::{BodyKind, ParsedRequest, ParsedResponse};
use crate::ir::haproxy::ProxySettings;
use crate::proxy::http::msg::{Header, HeaderList, RequestHead, ResponseHead, Version};

/// HAProxy's HTTP connection mode of a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub enum ConnMode {
    /// `option http-keep-alive` (default).
    #[default]
    KeepAlive,
    /// `option http-server-close`.
    ServerClose,
    /// `option httpclose`.
    Close,
}

impl ConnMode {
    /// The mode on the server side of a frontend/backend pair: the most closing one wins.
    /// (The client side follows the frontend's mode alone: measured, a backend's
    /// `option httpclose` closes the server connection but keeps the client's open.)
    pub fn combine(self, other: ConnMode) -> ConnMode {
        self.max(other)
    }

    /// The mode a proxy's `option http-keep-alive|http-server-close|httpclose` lines leave
    /// (defaults' lines first): each sets the mode; `no option X` goes back to keep-alive
    /// only when X is the current mode (measured: `httpclose`, `http-server-close`,
    /// `no option httpclose` stays server-close).
    pub fn from_settings(s: &ProxySettings) -> ConnMode {
        let mut mode = ConnMode::KeepAlive;
        for o in &s.options {
            let m = match o.name.as_str() {
                "http-keep-alive" => ConnMode::KeepAlive,
                "http-server-close" => ConnMode::ServerClose,
                "httpclose" => ConnMode::Close,
                _ => continue,
            };
            if o.enabled {
                mode = m;
            } else if mode == m {
                mode = ConnMode::KeepAlive;
            }
        }
        mode
    }
}

/// Sets the `Connection` header of a request about to go to the server; `mode` is
/// `ConnMode::from_settings(fe).combine(ConnMode::from_settings(be))`.
pub fn prepare_request_for_server(head: &mut RequestHead, mode: ConnMode) {
    clean_te(&mut head.headers);
    // measured: a chunked HTTP/1.0 request gets no `connection: keep-alive`, the server
    // connection ends with it
    let chunked_10 = head.version == Version::Http10 && head.headers.contains("transfer-encoding");
    let keep = mode == ConnMode::KeepAlive && !chunked_10;
    let value = match (keep, head.version) {
        (true, Version::Http10) => "keep-alive",
        (false, Version::Http11) => "close",
        _ => return,
    };
    set_connection(&mut head.headers, value);
}

/// `TE` keeps nothing but `trailers`, as HAProxy 2.6.12 forwards it (measured): any
/// element that is exactly `trailers` (case-sensitive, no parameter) leaves one
/// `te: trailers` in the first one's place; otherwise every `TE` header goes.
fn clean_te(h: &mut super::super::msg::HeaderList) {
    if !h.contains("te") {
        return;
    }
    let trailers = h.get_all("te").any(|t| {
        t.value
            .split(|c| *c == b',')
            .any(|e| e.trim_ascii() == b"trailers")
    });
    // The kept one stays where the first `TE` was (HAProxy rewrites it in place).
    let mut keep = trailers;
    h.0.retain_mut(|hd| {
        if !hd.name.eq_ignore_ascii_case("te") {
            return true;
        }
        if std::mem::take(&mut keep) {
            hd.value = b"trailers".to_vec();
            return true;
        }
        false
    });
}

/// Sets the `Connection` header of a response about to go to the client. `keep_alive` is the
/// decision for the client connection ([`client_keep_alive`]).
pub fn prepare_response_for_client(
    head: &mut ResponseHead,
    req_version: Version,
    keep_alive: bool,
) {
    if (100..200).contains(&head.status) {
        return;
    }
    // measured: HAProxy's HTTP/1 output drops a 204's content-length (h2 keeps it)
    if head.status == 204 {
        head.headers.remove("content-length");
    }
    let value = if keep_alive {
        if head.version == Version::Http10 || req_version == Version::Http10 {
            "keep-alive"
        } else {
            return;
        }
    } else if head.version == Version::Http11 {
        "close"
    } else {
        return;
    };
    set_connection(&mut head.headers, value);
}

/// Whether the client connection stays open after this response; `mode` is the frontend's
/// (only its `httpclose` matters here). `generated` is true for
/// responses HAProxy makes itself (errors, deny, return, redirect): their own
/// `Connection: close` (400, 408) closes the client side, a server's does not.
pub fn client_keep_alive(
    mode: ConnMode,
    req: &ParsedRequest,
    resp: &ParsedResponse,
    generated: bool,
) -> bool {
    // measured: an HTTP/1.0 response with Transfer-Encoding closes the client side too
    let chunked_10 =
        resp.head.version == Version::Http10 && resp.head.headers.contains("transfer-encoding");
    mode != ConnMode::Close
        && req.keep_alive
        && resp.body != BodyKind::UntilClose
        && !chunked_10
        && (!generated || resp.keep_alive)
}

/// Whether the server connection can be reused after this response; `mode` is the combined
/// frontend/backend mode.
pub fn server_keep_alive(mode: ConnMode, req: &ParsedRequest, resp: &ParsedResponse) -> bool {
    let chunked_10 = req.head.version == Version::Http10 && req.body == BodyKind::Chunked;
    mode == ConnMode::KeepAlive && resp.keep_alive && !req.upgrade && !chunked_10
}

fn set_connection(h: &mut HeaderList, value: &str) {
    let mut seen = false;
    let mut upgrade = false;
    for hd in h.iter() {
        if hd.name.eq_ignore_ascii_case("connection") {
            seen = true;
            upgrade |= super::tokens(&hd.value).any(|t| t.eq_ignore_ascii_case(b"upgrade"));
        }
    }
    if upgrade {
        return;
    }
    // measured: an existing (cleaned) header is kept and a new one is appended, e.g.
    // `Connection: foo, close, bar` from a 1.0 client -> `connection: foo,bar` then
    // `connection: keep-alive`
    let _ = seen;
    h.0.push(Header::new("connection", value));
}
