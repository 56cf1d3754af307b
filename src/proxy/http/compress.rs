//! HTTP response compression: `compression algo|type|offload`, as HAProxy 2.6's
//! compression filter decides and rewrites.
//!
//! Public API: [`select_request`] picks the algorithm from the request (after the backend
//! is known: the backend's settings win over the frontend's), [`Encoder::for_response`]
//! decides from the response head and rewrites it, and [`Encoder::encode`] turns the
//! server's body bytes into the compressed, chunked body the client gets.
//!
//! Measured on HAProxy 2.6.12 (libslz build, `compression algo gzip deflate`):
//! - `compression algo` lines accumulate and the list is searched last-written first:
//!   `Accept-Encoding: *` takes the last algorithm of the config;
//! - `Accept-Encoding` tokens are matched case-insensitively, the highest `q` wins (the
//!   first one among equals), `q=0` refuses, `x-gzip` is not `gzip`; `raw-deflate`
//!   answers the `deflate` token and writes `content-encoding: deflate`;
//! - `identity` compresses nothing and adds no `content-encoding`, but the response is
//!   still re-chunked;
//! - a compressed response loses `content-length`, gains `transfer-encoding: chunked`
//!   (unless it was chunked), then `vary: Accept-Encoding` (always appended, even beside
//!   an existing `vary`) and `content-encoding: <algo>`; a strong `etag` becomes weak
//!   (`W/"..."`), an invalid one or two of them turn compression off; trailers are kept;
//! - not compressed: a status other than 200-203, HEAD, an HTTP/1.0 request or response,
//!   an empty or close-delimited body, an existing `content-encoding`,
//!   `cache-control: no-transform`, a `multipart` type, a type not listed in
//!   `compression type` (a missing type when types are listed), `User-Agent: Mozilla/4`
//!   except MSIE 6 SV1 and later.
//!
//! The compressed bytes differ from HAProxy's (libslz there, deflate level 1 here, the
//! level of HAProxy's default `tune.comp.maxlevel`), so do chunk boundaries; the
//! decompressed body is the server's.

use std::io::Write;

use flate2::Compression;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};

use crate::ir::haproxy::ProxySettings;
use crate::proxy::http::h1::{BodyKind, BodyTracker, H1Error, Progress};
use crate::proxy::http::msg::{RequestHead, ResponseHead, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    Identity,
    Gzip,
    /// zlib format.
    Deflate,
    /// deflate without the zlib wrapper, answering the `deflate` token.
    RawDeflate,
}

impl Algo {
    fn from_cfg(name: &str) -> Option<Algo> {
        Some(match name {
            "identity" => Algo::Identity,
            "gzip" => Algo::Gzip,
            "deflate" => Algo::Deflate,
            "raw-deflate" => Algo::RawDeflate,
            _ => return None,
        })
    }

    /// The `Accept-Encoding` token it answers and the `content-encoding` it writes.
    pub fn token(self) -> &'static str {
        match self {
            Algo::Identity => "identity",
            Algo::Gzip => "gzip",
            Algo::Deflate | Algo::RawDeflate => "deflate",
        }
    }
}

/// The settings that decide (HAProxy: `s->be->comp` first, then the frontend's).
fn algos<'a>(be: &'a ProxySettings, fe: &'a ProxySettings) -> &'a [String] {
    if !be.compression.algo.is_empty() {
        &be.compression.algo
    } else {
        &fe.compression.algo
    }
}

fn types<'a>(be: &'a ProxySettings, fe: &'a ProxySettings) -> &'a [String] {
    if !be.compression.types.is_empty() {
        &be.compression.types
    } else {
        &fe.compression.types
    }
}

/// Whether either proxy compresses at all (cheap: checked on every transaction).
pub fn enabled(be: &ProxySettings, fe: &ProxySettings) -> bool {
    !be.compression.algo.is_empty() || !fe.compression.algo.is_empty()
}

/// `Mozilla/4` user agents get no compression unless MSIE 6 SV1 or later (HAProxy's
/// byte offsets: "MSIE " at 25, its major at 30, "SV1" at 51).
fn old_mozilla(ua: &[u8]) -> bool {
    if ua.len() < 9 || &ua[..9] != b"Mozilla/4" {
        return false;
    }
    if ua.len() < 31 || &ua[25..30] != b"MSIE " || ua[30] < b'6' {
        return true;
    }
    ua[30] == b'6' && (ua.len() < 54 || &ua[51..54] != b"SV1")
}

/// HAProxy's `http_parse_qvalue`: "1", "1.0", "0.5", ... as thousandths.
fn qvalue(s: &str) -> u32 {
    let s = s.trim_start();
    let mut it = s.bytes();
    let q = match it.next() {
        Some(b'1') => return 1000,
        Some(b'0') => 0u32,
        _ => return 0,
    };
    if it.next() != Some(b'.') {
        return q;
    }
    let mut v = 0u32;
    let mut mul = 100;
    for b in it.take(3) {
        if !b.is_ascii_digit() {
            break;
        }
        v += u32::from(b - b'0') * mul;
        mul /= 10;
    }
    v
}

/// Picks the algorithm for this transaction from its request, and removes
/// `accept-encoding` when `compression offload` is set and an algorithm was found.
pub fn select_request(
    be: &ProxySettings,
    fe: &ProxySettings,
    req: &mut RequestHead,
) -> Option<Algo> {
    let cfg = algos(be, fe);
    if cfg.is_empty() {
        return None;
    }
    if req
        .headers
        .get("user-agent")
        .is_some_and(|h| old_mozilla(&h.value))
    {
        return None;
    }
    // last written first, as HAProxy's list is built
    let list: Vec<Algo> = cfg.iter().rev().filter_map(|a| Algo::from_cfg(a)).collect();
    let mut best: Option<(Algo, u32)> = None;
    for h in req.headers.get_all("accept-encoding") {
        let v = String::from_utf8_lossy(&h.value);
        for item in v.split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let (tok, params) = item.split_once(';').unwrap_or((item, ""));
            let tok = tok.trim();
            let q = params
                .split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("q="))
                .map_or(1000, qvalue);
            if q <= best.map_or(0, |b| b.1) {
                continue;
            }
            if let Some(a) = list
                .iter()
                .find(|a| tok.starts_with('*') || tok.eq_ignore_ascii_case(a.token()))
            {
                best = Some((*a, q));
            }
        }
    }
    if let Some((a, _)) = best {
        if be.compression.offload || fe.compression.offload {
            req.headers.remove("accept-encoding");
        }
        return Some(a);
    }
    // identity needs no header
    list.into_iter().find(|a| *a == Algo::Identity)
}

enum Codec {
    Identity,
    Gzip(GzEncoder<Vec<u8>>),
    Zlib(ZlibEncoder<Vec<u8>>),
    Raw(DeflateEncoder<Vec<u8>>),
}

/// Compresses one response body into chunks.
pub struct Encoder {
    codec: Codec,
    scratch: Vec<u8>,
}

/// `tune.comp.maxlevel`'s default.
const LEVEL: u32 = 1;

impl Encoder {
    /// Decides from the response whether `algo` applies and, when it does, rewrites the
    /// head as HAProxy does. `body` is the response's framing as received.
    pub fn for_response(
        algo: Algo,
        be: &ProxySettings,
        fe: &ProxySettings,
        req: &RequestHead,
        res: &mut ResponseHead,
        body: BodyKind,
    ) -> Option<Encoder> {
        if req.version != Version::Http11 || res.version != Version::Http11 {
            return None;
        }
        if req.method == "HEAD" || !(200..=203).contains(&res.status) {
            return None;
        }
        let chunked = match body {
            BodyKind::Chunked => true,
            BodyKind::Length(n) if n > 0 => false,
            _ => return None,
        };
        if res.headers.contains("content-encoding") {
            return None;
        }
        let no_transform = res.headers.get_all("cache-control").any(|h| {
            String::from_utf8_lossy(&h.value)
                .split(',')
                .any(|w| w.trim().eq_ignore_ascii_case("no-transform"))
        });
        if no_transform {
            return None;
        }
        let wanted = types(be, fe);
        match res.headers.get("content-type") {
            Some(ct) => {
                let v = &ct.value;
                if v.len() >= 9 && v[..9].eq_ignore_ascii_case(b"multipart") {
                    return None;
                }
                if !wanted.is_empty()
                    && !wanted.iter().any(|t| {
                        v.len() >= t.len() && v[..t.len()].eq_ignore_ascii_case(t.as_bytes())
                    })
                {
                    return None;
                }
            }
            None if !wanted.is_empty() => return None,
            None => {}
        }
        let etags: Vec<Vec<u8>> = res
            .headers
            .get_all("etag")
            .map(|h| h.value.clone())
            .collect();
        let weak_etag = match etags.as_slice() {
            [] => None,
            [one] if one.starts_with(b"W/\"") => None,
            [one] if one.len() >= 2 && one.starts_with(b"\"") && one.ends_with(b"\"") => {
                let mut w = b"W/".to_vec();
                w.extend_from_slice(one);
                Some(w)
            }
            _ => return None,
        };
        if let Some(w) = weak_etag {
            res.headers.set("etag", w);
        }
        res.headers.remove("content-length");
        if !chunked {
            res.headers.add("transfer-encoding", "chunked");
        }
        res.headers.add("vary", "Accept-Encoding");
        if algo != Algo::Identity {
            res.headers.add("content-encoding", algo.token());
        }
        let level = Compression::new(LEVEL);
        let codec = match algo {
            Algo::Identity => Codec::Identity,
            Algo::Gzip => Codec::Gzip(GzEncoder::new(Vec::new(), level)),
            Algo::Deflate => Codec::Zlib(ZlibEncoder::new(Vec::new(), level)),
            Algo::RawDeflate => Codec::Raw(DeflateEncoder::new(Vec::new(), level)),
        };
        Some(Encoder {
            codec,
            scratch: Vec::new(),
        })
    }

    /// Feeds the server's body bytes (framed as received) and appends to `out` what the
    /// client gets: the compressed data of this input as one chunk (flushed, so a slowly
    /// streamed body is not held back), and at the end of the body the last data, the
    /// final chunk and the trailers.
    pub fn encode(
        &mut self,
        tracker: &mut BodyTracker,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Progress, H1Error> {
        self.scratch.clear();
        let pr = tracker.advance_payload(input, &mut self.scratch)?;
        let data = std::mem::take(&mut self.scratch);
        let produced = self.compress(&data, pr.done);
        self.scratch = data;
        if !produced.is_empty() {
            out.extend_from_slice(format!("{:X}\r\n", produced.len()).as_bytes());
            out.extend_from_slice(&produced);
            out.extend_from_slice(b"\r\n");
        }
        if pr.done {
            out.extend_from_slice(b"0\r\n");
            tracker.write_trailers(out);
            out.extend_from_slice(b"\r\n");
        }
        Ok(pr)
    }

    /// Compressed bytes for `data`; `last` ends the stream (gzip/zlib trailers).
    fn compress(&mut self, data: &[u8], last: bool) -> Vec<u8> {
        fn run<W: Write>(
            w: &mut W,
            data: &[u8],
            last: bool,
            finish: impl FnOnce(&mut W) -> std::io::Result<()>,
        ) {
            // writing into a Vec cannot fail
            let _ = w.write_all(data);
            let _ = if last { finish(w) } else { w.flush() };
        }
        match &mut self.codec {
            Codec::Identity => data.to_vec(),
            Codec::Gzip(e) => {
                run(e, data, last, |e| e.try_finish());
                std::mem::take(e.get_mut())
            }
            Codec::Zlib(e) => {
                run(e, data, last, |e| e.try_finish());
                std::mem::take(e.get_mut())
            }
            Codec::Raw(e) => {
                run(e, data, last, |e| e.try_finish());
                std::mem::take(e.get_mut())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::proxy::http::msg::HeaderList;

    fn settings(algo: &[&str], types: &[&str]) -> ProxySettings {
        let mut s = ProxySettings::default();
        s.compression.algo = algo.iter().map(|s| s.to_string()).collect();
        s.compression.types = types.iter().map(|s| s.to_string()).collect();
        s
    }

    fn req(ae: &str) -> RequestHead {
        let mut r = RequestHead {
            method: "GET".into(),
            uri: "/".into(),
            ..Default::default()
        };
        r.headers.add("accept-encoding", ae);
        r
    }

    fn pick(algo: &[&str], ae: &str) -> Option<Algo> {
        let s = settings(algo, &[]);
        select_request(&s, &ProxySettings::default(), &mut req(ae))
    }

    // Each expectation was measured on HAProxy 2.6.12 (content-encoding of the reply).
    #[test]
    fn request_selection_matches_haproxy() {
        assert_eq!(pick(&["gzip", "deflate"], "gzip"), Some(Algo::Gzip));
        assert_eq!(pick(&["gzip", "deflate"], "*"), Some(Algo::Deflate));
        assert_eq!(pick(&["deflate", "gzip"], "*"), Some(Algo::Gzip));
        assert_eq!(
            pick(&["gzip", "deflate"], "gzip;q=0.5, deflate"),
            Some(Algo::Deflate)
        );
        assert_eq!(pick(&["gzip"], "deflate, gzip;q=1.0"), Some(Algo::Gzip));
        assert_eq!(pick(&["gzip"], "GZIP"), Some(Algo::Gzip));
        assert_eq!(pick(&["gzip"], "x-gzip"), None);
        assert_eq!(pick(&["gzip"], "gzip;q=0"), None);
        assert_eq!(pick(&["gzip"], "gzip;q=0.001"), Some(Algo::Gzip));
        assert_eq!(
            pick(&["raw-deflate", "gzip"], "deflate"),
            Some(Algo::RawDeflate)
        );
        assert_eq!(pick(&["identity"], "gzip"), Some(Algo::Identity));
        assert_eq!(pick(&[], "gzip"), None);
    }

    #[test]
    fn old_mozilla_is_refused_but_msie_sv1_is_not() {
        assert!(old_mozilla(b"Mozilla/4.0 (compatible)"));
        assert!(!old_mozilla(b"Mozilla/5.0 (X11)"));
        assert!(!old_mozilla(
            b"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)"
        ));
        assert!(old_mozilla(
            b"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
        ));
        assert!(!old_mozilla(
            b"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"
        ));
    }

    #[test]
    fn offload_removes_accept_encoding_only_when_an_algo_matched() {
        let mut s = settings(&["gzip"], &[]);
        s.compression.offload = true;
        let mut r = req("gzip");
        assert_eq!(
            select_request(&ProxySettings::default(), &s, &mut r),
            Some(Algo::Gzip)
        );
        assert!(!r.headers.contains("accept-encoding"));
        let mut r = req("br");
        assert_eq!(select_request(&ProxySettings::default(), &s, &mut r), None);
        assert!(r.headers.contains("accept-encoding"));
    }

    fn response(hdrs: &[(&str, &str)]) -> ResponseHead {
        let mut h = HeaderList::new();
        for (n, v) in hdrs {
            h.add(*n, *v);
        }
        ResponseHead {
            version: Version::Http11,
            status: 200,
            reason: "OK".into(),
            headers: h,
        }
    }

    fn names_values(r: &ResponseHead) -> Vec<String> {
        r.headers
            .iter()
            .map(|h| format!("{}: {}", h.name, String::from_utf8_lossy(&h.value)))
            .collect()
    }

    // The header lists HAProxy 2.6.12 sent for `compression algo gzip deflate`,
    // `compression type text/plain text/html` (server, date headers left out).
    #[test]
    fn response_head_rewrites_match_haproxy() {
        let s = settings(&["gzip", "deflate"], &["text/plain", "text/html"]);
        let d = ProxySettings::default();
        let r = req("gzip");
        let mut res = response(&[
            ("content-type", "text/plain; charset=utf-8"),
            ("etag", "\"abc\""),
            ("content-length", "24000"),
        ]);
        assert!(
            Encoder::for_response(Algo::Gzip, &d, &s, &r, &mut res, BodyKind::Length(24000))
                .is_some()
        );
        assert_eq!(
            names_values(&res),
            [
                "content-type: text/plain; charset=utf-8",
                "etag: W/\"abc\"",
                "transfer-encoding: chunked",
                "vary: Accept-Encoding",
                "content-encoding: gzip"
            ]
        );
        let mut res = response(&[
            ("content-type", "text/plain; charset=utf-8"),
            ("vary", "Cookie"),
            ("transfer-encoding", "chunked"),
        ]);
        assert!(
            Encoder::for_response(Algo::Gzip, &d, &s, &r, &mut res, BodyKind::Chunked).is_some()
        );
        assert_eq!(
            names_values(&res),
            [
                "content-type: text/plain; charset=utf-8",
                "vary: Cookie",
                "transfer-encoding: chunked",
                "vary: Accept-Encoding",
                "content-encoding: gzip"
            ]
        );
        for (hdrs, body, status) in [
            (
                vec![("content-type", "text/plain"), ("etag", "abc")],
                BodyKind::Length(9),
                200,
            ),
            (
                vec![
                    ("content-type", "text/plain"),
                    ("etag", "\"a\""),
                    ("etag", "\"b\""),
                ],
                BodyKind::Length(9),
                200,
            ),
            (
                vec![
                    ("content-type", "text/plain"),
                    ("cache-control", "public, no-transform"),
                ],
                BodyKind::Length(9),
                200,
            ),
            (
                vec![("content-type", "text/plain"), ("content-encoding", "br")],
                BodyKind::Length(9),
                200,
            ),
            (
                vec![("content-type", "text/plain")],
                BodyKind::Length(9),
                404,
            ),
            (
                vec![("content-type", "text/plain")],
                BodyKind::Length(0),
                200,
            ),
            (
                vec![("content-type", "text/plain")],
                BodyKind::UntilClose,
                200,
            ),
            (
                vec![("content-type", "multipart/mixed")],
                BodyKind::Length(9),
                200,
            ),
            (
                vec![("content-type", "image/png")],
                BodyKind::Length(9),
                200,
            ),
            (vec![], BodyKind::Length(9), 200),
        ] {
            let mut res = response(&hdrs);
            res.status = status;
            let before = names_values(&res);
            assert!(
                Encoder::for_response(Algo::Gzip, &d, &s, &r, &mut res, body).is_none(),
                "{hdrs:?}"
            );
            assert_eq!(names_values(&res), before);
        }
        let mut head = req("gzip");
        head.method = "HEAD".into();
        let mut res = response(&[("content-type", "text/plain")]);
        assert!(
            Encoder::for_response(Algo::Gzip, &d, &s, &head, &mut res, BodyKind::Length(9))
                .is_none()
        );
    }

    fn dechunk(mut b: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut data = Vec::new();
        loop {
            let nl = b.windows(2).position(|w| w == b"\r\n").expect("size line");
            let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).expect("hex"), 16)
                .expect("hex");
            b = &b[nl + 2..];
            if n == 0 {
                return (data, b.to_vec());
            }
            data.extend_from_slice(&b[..n]);
            b = &b[n + 2..];
        }
    }

    #[test]
    fn chunked_body_with_trailers_round_trips_through_gzip() {
        let mut res = response(&[("transfer-encoding", "chunked")]);
        let d = ProxySettings::default();
        let mut enc = Encoder::for_response(
            Algo::Gzip,
            &d,
            &d,
            &req("gzip"),
            &mut res,
            BodyKind::Chunked,
        )
        .expect("compressed");
        let mut tracker = BodyTracker::new(BodyKind::Chunked);
        let text = "hello world ".repeat(500);
        let mut wire = Vec::new();
        for part in text.as_bytes().chunks(1000) {
            wire.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            wire.extend_from_slice(part);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\nX-Trailer: 1\r\n\r\nNEXT");
        let mut out = Vec::new();
        let mut done = false;
        let mut used = 0;
        for piece in wire.chunks(777) {
            if done {
                break;
            }
            let pr = enc.encode(&mut tracker, piece, &mut out).expect("valid");
            used += pr.consumed;
            done = pr.done;
        }
        assert!(done);
        assert_eq!(&wire[used..], b"NEXT");
        let (gz, tail) = dechunk(&out);
        assert_eq!(tail, b"x-trailer: 1\r\n\r\n");
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut plain)
            .expect("gzip");
        assert_eq!(plain, text);
    }

    #[test]
    fn deflate_and_raw_deflate_streams_decode() {
        let d = ProxySettings::default();
        for algo in [Algo::Deflate, Algo::RawDeflate, Algo::Identity] {
            let mut res = response(&[]);
            let mut enc = Encoder::for_response(
                algo,
                &d,
                &d,
                &req("deflate"),
                &mut res,
                BodyKind::Length(11),
            )
            .expect("compressed");
            let mut tracker = BodyTracker::new(BodyKind::Length(11));
            let mut out = Vec::new();
            enc.encode(&mut tracker, b"hello", &mut out).expect("ok");
            let pr = enc.encode(&mut tracker, b" world", &mut out).expect("ok");
            assert!(pr.done);
            let (z, tail) = dechunk(&out);
            assert_eq!(tail, b"\r\n");
            let mut plain = String::new();
            match algo {
                Algo::Deflate => flate2::read::ZlibDecoder::new(&z[..]).read_to_string(&mut plain),
                Algo::RawDeflate => {
                    flate2::read::DeflateDecoder::new(&z[..]).read_to_string(&mut plain)
                }
                _ => Ok(z.len()).inspect(|_| plain = String::from_utf8_lossy(&z).into()),
            }
            .expect("decodes");
            assert_eq!(plain, "hello world");
        }
    }
}
