//! HAProxy's built-in error responses, byte for byte, the pages a proxy replaces them with
//! (`errorfile`, `errorloc`/`errorloc302`/`errorloc303`, `errorfiles` + `http-errors`), the
//! 401/407 challenge, and the reason phrases HAProxy writes.
//!
//! Two ways these reach a client, as measured on HAProxy 2.6.12:
//! - errors raised by the HTTP/1 parser (bad request 400, 422, `timeout http-request` 408,
//!   even with no byte received) are written raw: exactly [`builtin`]'s bytes (the proxy's
//!   `errorfile` is not used there), then the connection is closed;
//! - every other reply (503 no server, 502 bad response, 504 server timeout, `deny`, `auth`,
//!   `return`, `errorloc`, custom `errorfile` pages) goes through the normal response path:
//!   [`render`] parses the raw page and writes it as the H1 encoder does (lowercased names,
//!   `connection` header for the client's keep-alive, no body for HEAD). After a 504 or an
//!   aborted server connection HAProxy closes the client connection without announcing it.

use std::path::Path;

use bytes::Bytes;

use super::h1::{self, BodyKind, ConnMode};
use super::msg::Version;
use crate::ir::haproxy::{Config, Proxy};

/// HAProxy 2.6.12's `http_err_msgs` table (src/http.c), checked against what it sent.
const ERR_200: &[u8] = b"HTTP/1.1 200 OK\r\nContent-length: 58\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n";
const ERR_400: &[u8] = b"HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n";
const ERR_401: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nContent-length: 112\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
const ERR_403: &[u8] = b"HTTP/1.1 403 Forbidden\r\nContent-length: 93\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n";
const ERR_404: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-length: 83\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n";
const ERR_405: &[u8] = b"HTTP/1.1 405 Method Not Allowed\r\nContent-length: 146\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n";
const ERR_407: &[u8] = b"HTTP/1.1 407 Unauthorized\r\nContent-length: 112\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n";
const ERR_408: &[u8] = b"HTTP/1.1 408 Request Time-out\r\nContent-length: 110\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n";
const ERR_410: &[u8] = b"HTTP/1.1 410 Gone\r\nContent-length: 114\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n";
const ERR_413: &[u8] = b"HTTP/1.1 413 Payload Too Large\r\nContent-length: 106\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n";
const ERR_421: &[u8] = b"HTTP/1.1 421 Misdirected Request\r\nContent-length: 104\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>421 Misdirected Request</h1>\nRequest sent to a non-authoritative server.\n</body></html>\n";
const ERR_422: &[u8] = b"HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n";
const ERR_425: &[u8] = b"HTTP/1.1 425 Too Early\r\nContent-length: 80\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n";
const ERR_429: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\nContent-length: 117\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n";
const ERR_500: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\nContent-length: 97\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n";
const ERR_501: &[u8] = b"HTTP/1.1 501 Not Implemented\r\nContent-length: 136\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n";
const ERR_502: &[u8] = b"HTTP/1.1 502 Bad Gateway\r\nContent-length: 107\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n";
const ERR_503: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-length: 107\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n";
const ERR_504: &[u8] = b"HTTP/1.1 504 Gateway Time-out\r\nContent-length: 92\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";

/// The statuses HAProxy 2.6.12 has a built-in page for (`deny_status` and `errorfile`
/// accept only these; 414 and 431 came later).
pub const BUILTIN_STATUSES: &[u16] = &[
    200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504,
];

/// HAProxy's built-in raw response for `status`, byte for byte.
pub fn builtin(status: u16) -> Option<&'static [u8]> {
    Some(match status {
        200 => ERR_200,
        400 => ERR_400,
        401 => ERR_401,
        403 => ERR_403,
        404 => ERR_404,
        405 => ERR_405,
        407 => ERR_407,
        408 => ERR_408,
        410 => ERR_410,
        413 => ERR_413,
        421 => ERR_421,
        422 => ERR_422,
        425 => ERR_425,
        429 => ERR_429,
        500 => ERR_500,
        501 => ERR_501,
        502 => ERR_502,
        503 => ERR_503,
        504 => ERR_504,
        _ => return None,
    })
}

/// The reason phrase HAProxy 2.6.12 writes for a status it makes up (`return`, `redirect`,
/// ...): `http_get_reason()`, measured for every listed code (note 302 "Moved Temporarily"
/// and 502 "Bad Gateway or Proxy Error", unlike the built-in pages).
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        210 => "Content Different",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        310 => "Too many Redirects",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Time-out",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested range unsatisfiable",
        417 => "Expectation failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Method failure",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        449 => "Retry With",
        450 => "Blocked by Windows Parental Controls",
        451 => "Unavailable For Legal Reasons",
        456 => "Unrecoverable Error",
        499 => "client has closed connection",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway or Proxy Error",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        505 => "HTTP Version not supported",
        506 => "Variant also negotiate",
        507 => "Insufficient storage",
        508 => "Loop detected",
        509 => "Bandwidth Limit Exceeded",
        510 => "Not extended",
        511 => "Network authentication required",
        520 => "Web server is returning an unknown error",
        // the class of a code without its own phrase
        _ => match status {
            100..=199 => "Informational",
            200..=299 => "Success",
            300..=399 => "Redirection",
            400..=499 => "Client Error",
            500..=599 => "Server Error",
            _ => "Other",
        },
    }
}

/// HAProxy's `errorloc`/`errorloc302` (302) and `errorloc303` (303) reply (src/http_htx.c
/// templates; measured rendered as `cache-control`, `content-length: 0`, `location`).
pub fn errorloc(code: u16, url: &str) -> Vec<u8> {
    let line: &[u8] = if code == 303 {
        b"HTTP/1.1 303 See Other\r\n"
    } else {
        b"HTTP/1.1 302 Found\r\n"
    };
    let mut out = line.to_vec();
    out.extend_from_slice(b"Cache-Control: no-cache\r\nContent-length: 0\r\nLocation: ");
    out.extend_from_slice(url.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// The raw 401 (`WWW-Authenticate`) or, for a proxy (`option http_proxy`), 407
/// (`Proxy-Authenticate`) challenge of `http-request auth [realm R]` with the built-in page
/// (measured: `www-authenticate: Basic realm="My Realm"` after the page's headers; the
/// realm defaults to the proxy's name).
pub fn auth_challenge(realm: &str, proxy: bool) -> Vec<u8> {
    let page = if proxy { ERR_407 } else { ERR_401 };
    add_challenge(page, realm, proxy)
}

fn add_challenge(page: &[u8], realm: &str, proxy: bool) -> Vec<u8> {
    let name = if proxy {
        "Proxy-Authenticate"
    } else {
        "WWW-Authenticate"
    };
    let header = format!("{name}: Basic realm=\"{realm}\"\r\n");
    // the header goes just before the empty line that ends the head
    let split = match head_end(page) {
        Some(e) if page[..e].ends_with(b"\n\r\n") => e - 2,
        Some(e) => e - 1,
        None => page.len(),
    };
    let mut out = Vec::with_capacity(page.len() + header.len());
    out.extend_from_slice(&page[..split]);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&page[split..]);
    out
}

/// Offset just past the empty line ending the head (CRLF or LF).
fn head_end(raw: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(off) = raw[i..].iter().position(|&b| b == b'\n') {
        let nl = i + off;
        match raw.get(nl + 1..) {
            Some([b'\r', b'\n', ..]) => return Some(nl + 3),
            Some([b'\n', ..]) => return Some(nl + 2),
            _ => i = nl + 1,
        }
    }
    None
}

/// A raw reply as HAProxy writes it to the client through its H1 encoder, and whether the
/// client connection stays open after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub keep_alive: bool,
}

/// Renders a raw reply (built-in, errorfile, errorloc, return, auth) for a client whose
/// request had `req_version` / `req_method` and whose connection may stay open
/// (`req_keep_alive` from [`h1::ParsedRequest::keep_alive`]), in `mode`. A reply that does
/// not parse is sent as it is and the connection closed.
pub fn render(
    raw: &[u8],
    req_method: &str,
    req_version: Version,
    req_keep_alive: bool,
    mode: ConnMode,
) -> Rendered {
    let parsed = match h1::parse_response(raw, "GET") {
        Ok(Some(p)) => p,
        _ => {
            return Rendered {
                bytes: raw.to_vec(),
                keep_alive: false,
            };
        }
    };
    let keep_alive = mode != ConnMode::Close
        && req_keep_alive
        && parsed.keep_alive
        && parsed.body != BodyKind::UntilClose;
    let mut head = parsed.head;
    h1::prepare_response_for_client(&mut head, req_version, keep_alive);
    let mut bytes = Vec::with_capacity(raw.len() + 32);
    h1::write_response_head(&head, &mut bytes);
    if !req_method.eq_ignore_ascii_case("HEAD") {
        let body = raw.get(parsed.head_len..).unwrap_or_default();
        let body = match parsed.body {
            BodyKind::Length(n) => {
                &body[..body.len().min(usize::try_from(n).unwrap_or(usize::MAX))]
            }
            BodyKind::None => &[][..],
            _ => body,
        };
        bytes.extend_from_slice(body);
    }
    Rendered { bytes, keep_alive }
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorPagesError {
    #[error("errorfile : error opening file '{path}'.")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("errorfile '{path}' is not a valid HTTP response")]
    Invalid { path: String },
    #[error("unknown http-errors section '{0}'")]
    UnknownSection(String),
}

/// The replies of one proxy: its custom pages over HAProxy's built-in ones.
#[derive(Debug, Clone, Default)]
pub struct ErrorPages {
    custom: Vec<(u16, Bytes)>,
}

impl ErrorPages {
    /// Reads the proxy's `errorfile` files, builds its `errorloc*` replies and imports its
    /// `errorfiles NAME [CODE...]` from `http-errors` sections. A later line wins over an
    /// earlier one, the proxy's own over its defaults'. Files are read now (before chroot).
    pub fn from_ir(cfg: &Config, proxy: &Proxy) -> Result<ErrorPages, ErrorPagesError> {
        let mut pages = ErrorPages::default();
        // The proxy's lists start with what it inherited from its defaults section; HAProxy
        // applies the defaults' pages first, so that the proxy's own `errorfiles` override
        // a defaults' `errorfile` (measured: `errorfile 403` in defaults, `errorfiles site`
        // in the frontend: the section's 403 is sent).
        let defaults = proxy
            .defaults
            .as_ref()
            .and_then(|n| cfg.defaults.iter().rev().find(|d| &d.name == n));
        let sections: Vec<&crate::ir::haproxy::Directive> = proxy
            .settings
            .other
            .iter()
            .filter(|d| d.keyword == "errorfiles")
            .collect();
        let inherited_sections = defaults.map_or(0, |d| {
            let theirs: Vec<_> = d
                .settings
                .other
                .iter()
                .filter(|d| d.keyword == "errorfiles")
                .collect();
            if sections.len() >= theirs.len()
                && sections.iter().zip(&theirs).all(|(a, b)| a.args == b.args)
            {
                theirs.len()
            } else {
                0
            }
        });
        let files = &proxy.settings.errorfiles;
        let inherited_files = defaults.map_or(0, |d| {
            let theirs = &d.settings.errorfiles;
            if files.len() >= theirs.len() && files[..theirs.len()] == theirs[..] {
                theirs.len()
            } else {
                0
            }
        });
        // within one section, `errorfiles` lines are kept without order against
        // `errorfile`; they are applied first so that explicit errorfile/errorloc lines
        // override them
        pages.apply_sections(cfg, &sections[..inherited_sections])?;
        pages.apply_files(&files[..inherited_files])?;
        pages.apply_sections(cfg, &sections[inherited_sections..])?;
        pages.apply_files(&files[inherited_files..])?;
        Ok(pages)
    }

    /// Imports the pages of `errorfiles NAME [CODE...]` lines from `http-errors` sections.
    fn apply_sections(
        &mut self,
        cfg: &Config,
        lines: &[&crate::ir::haproxy::Directive],
    ) -> Result<(), ErrorPagesError> {
        for d in lines {
            let Some(name) = d.args.first() else {
                continue;
            };
            let section = cfg
                .other_sections
                .iter()
                .find(|s| s.kind == "http-errors" && &s.name == name)
                .ok_or_else(|| ErrorPagesError::UnknownSection(name.clone()))?;
            let wanted: Vec<u16> = d.args[1..].iter().filter_map(|c| c.parse().ok()).collect();
            for e in section
                .directives
                .iter()
                .filter(|e| e.keyword == "errorfile")
            {
                let (Some(code), Some(path)) = (e.args.first(), e.args.get(1)) else {
                    continue;
                };
                let Ok(code) = code.parse::<u16>() else {
                    continue;
                };
                if wanted.is_empty() || wanted.contains(&code) {
                    self.set(code, load_errorfile(path)?);
                }
            }
        }
        Ok(())
    }

    /// Applies `errorfile` / `errorloc*` lines in order.
    fn apply_files(
        &mut self,
        files: &[crate::ir::haproxy::ErrorFile],
    ) -> Result<(), ErrorPagesError> {
        for ef in files {
            let raw = match ef.keyword.as_str() {
                "errorfile" => load_errorfile(&ef.target)?,
                "errorloc303" => Bytes::from(errorloc(303, &ef.target)),
                _ => Bytes::from(errorloc(302, &ef.target)),
            };
            self.set(ef.status, raw);
        }
        Ok(())
    }

    /// Replaces the page of `status`.
    pub fn set(&mut self, status: u16, raw: Bytes) {
        self.custom.retain(|(s, _)| *s != status);
        self.custom.push((status, raw));
    }

    /// The proxy's page for `status` if it has one.
    pub fn custom(&self, status: u16) -> Option<&Bytes> {
        self.custom
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, b)| b)
    }

    /// The raw reply for `status`: the custom page, else the built-in one, else (as
    /// HAProxy's status index does) the built-in 500.
    pub fn get(&self, status: u16) -> Bytes {
        if let Some(b) = self.custom(status) {
            return b.clone();
        }
        Bytes::from_static(builtin(status).unwrap_or(ERR_500))
    }

    /// The auth challenge with this proxy's 401/407 page.
    pub fn auth_challenge(&self, realm: &str, proxy: bool) -> Vec<u8> {
        let page = self.get(if proxy { 407 } else { 401 });
        add_challenge(&page, realm, proxy)
    }
}

/// An `errorfile`: the file is a complete raw HTTP response (HAProxy refuses the config if
/// it does not parse).
fn load_errorfile(path: &str) -> Result<Bytes, ErrorPagesError> {
    let raw = std::fs::read(Path::new(path)).map_err(|source| ErrorPagesError::Io {
        path: path.to_string(),
        source,
    })?;
    match h1::parse_response(&raw, "GET") {
        Ok(Some(_)) => Ok(Bytes::from(raw)),
        _ => Err(ErrorPagesError::Invalid {
            path: path.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
