//! A frame pre-filter in front of the h2 crate: the connection errors for which RFC 9113
//! names a specific code, where the crate answers GOAWAY(PROTOCOL_ERROR).
//!
//! It reads the client's frame headers as they pass (and the payload of SETTINGS) and,
//! on a violation, hands the crate only the frames before the offending one, writes
//! GOAWAY with the RFC's code itself and ends the connection:
//! - FRAME_SIZE_ERROR: PRIORITY not 5 octets, RST_STREAM or WINDOW_UPDATE not 4, PING
//!   not 8, GOAWAY under 8, SETTINGS with ACK and a payload or not a multiple of 6
//!   (RFC 9113 6.3, 6.4, 6.5, 6.7, 6.8, 6.9);
//! - FLOW_CONTROL_ERROR: SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (6.5.2);
//! - STREAM_CLOSED: DATA or HEADERS on a stream the client ended (END_STREAM) or reset
//!   (5.1: half-closed (remote) and closed).
//!
//! HAProxy 2.6.12 answers these with the same codes (tools/h2-conformance, where the
//! crate's PROTOCOL_ERROR failed the cases). Frames on streams the client ended are
//! counted in a bounded window: a stream that fell out of it gets the crate's answer.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::PREFACE;

const DATA: u8 = 0;
const HEADERS: u8 = 1;
const PRIORITY: u8 = 2;
const RST_STREAM: u8 = 3;
const SETTINGS: u8 = 4;
const PING: u8 = 6;
const GOAWAY: u8 = 7;
const WINDOW_UPDATE: u8 = 8;
const CONTINUATION: u8 = 9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const ACK: u8 = 0x1;

const STREAM_CLOSED: u32 = 0x5;
const FRAME_SIZE_ERROR: u32 = 0x6;
const FLOW_CONTROL_ERROR: u32 = 0x3;

/// Streams ended by the client that are remembered.
const ENDED_WINDOW: usize = 4096;
/// Largest SETTINGS payload inspected (the crate refuses larger frames itself).
const MAX_SETTINGS: usize = 16384;

/// The frame whose header was read.
#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: u8,
    flags: u8,
    sid: u32,
}

/// The client side of an h2 connection, checked frame by frame.
pub struct PreFilter<S> {
    inner: S,
    preface_left: usize,
    hdr: [u8; 9],
    hdr_len: usize,
    cur: Option<Frame>,
    payload_left: usize,
    settings: Vec<u8>,
    ended: HashSet<u32, BuildHasherDefault<SidHasher>>,
    ended_order: VecDeque<u32>,
    last_sid: u32,
    /// A header block is open (CONTINUATION frames expected).
    in_block: bool,
    /// Outgoing bytes left of the crate's current frame (GOAWAY goes between frames).
    out_hdr: [u8; 9],
    out_hdr_len: usize,
    out_left: usize,
    /// Our GOAWAY, and how much of it is written.
    goaway: Option<([u8; 17], usize)>,
    /// The violation was answered: reads end.
    done: bool,
}

/// Stream ids hashed by a multiply (SipHash was three hashes per request for a set the
/// window bounds): the product's high half becomes the low bits the table indexes by, so
/// ids a power of two apart do not share a bucket.
#[derive(Default)]
struct SidHasher(u64);

impl Hasher for SidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        let h = (self.0 ^ u64::from(n)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h.rotate_left(32);
    }
}

impl<S> PreFilter<S> {
    pub fn new(inner: S) -> Self {
        PreFilter {
            inner,
            preface_left: PREFACE.len(),
            hdr: [0; 9],
            hdr_len: 0,
            cur: None,
            payload_left: 0,
            settings: Vec::new(),
            ended: HashSet::default(),
            ended_order: VecDeque::new(),
            last_sid: 0,
            in_block: false,
            out_hdr: [0; 9],
            out_hdr_len: 0,
            out_left: 0,
            goaway: None,
            done: false,
        }
    }

    fn end_stream(&mut self, sid: u32) {
        if sid == 0 || !self.ended.insert(sid) {
            return;
        }
        self.ended_order.push_back(sid);
        if self.ended_order.len() > ENDED_WINDOW
            && let Some(old) = self.ended_order.pop_front()
        {
            self.ended.remove(&old);
        }
    }

    /// The code of a violation in a frame header, if any.
    fn check_header(&self, f: Frame, len: usize) -> Option<u32> {
        if self.in_block && f.kind != CONTINUATION {
            // a header block interrupted: PROTOCOL_ERROR (RFC 9113 6.10), the crate's
            return None;
        }
        let bad_size = match f.kind {
            PRIORITY => len != 5,
            RST_STREAM | WINDOW_UPDATE => len != 4,
            PING => len != 8,
            GOAWAY => len < 8,
            SETTINGS => (f.flags & ACK != 0 && len != 0) || !len.is_multiple_of(6),
            _ => false,
        };
        if bad_size {
            return Some(FRAME_SIZE_ERROR);
        }
        if matches!(f.kind, DATA | HEADERS) && f.sid != 0 && self.ended.contains(&f.sid) {
            return Some(STREAM_CLOSED);
        }
        None
    }

    /// A frame was read whole: its effect on the streams, or a violation in its payload.
    fn finish(&mut self, f: Frame) -> Option<u32> {
        match f.kind {
            SETTINGS => {
                let bad = self.settings.chunks_exact(6).any(|s| {
                    let id = u16::from_be_bytes([s[0], s[1]]);
                    let v = u32::from_be_bytes([s[2], s[3], s[4], s[5]]);
                    id == 4 && v > 0x7fff_ffff
                });
                self.settings.clear();
                if bad {
                    return Some(FLOW_CONTROL_ERROR);
                }
            }
            DATA | HEADERS if f.flags & END_STREAM != 0 => self.end_stream(f.sid),
            RST_STREAM => self.end_stream(f.sid),
            _ => {}
        }
        if f.kind == HEADERS {
            self.last_sid = self.last_sid.max(f.sid);
        }
        if matches!(f.kind, HEADERS | CONTINUATION) {
            self.in_block = f.flags & END_HEADERS == 0;
        }
        None
    }

    /// Follows the client's bytes. `Err((keep, code))`: a violation; the first `keep`
    /// bytes of `data` may still go to the crate.
    fn scan(&mut self, data: &[u8]) -> Result<(), (usize, u32)> {
        let mut pos = 0;
        // where the frame being read started in `data` (0 when it started before)
        let mut start = 0;
        while pos < data.len() {
            if self.preface_left > 0 {
                let k = self.preface_left.min(data.len() - pos);
                self.preface_left -= k;
                pos += k;
                start = pos;
                continue;
            }
            if let Some(f) = self.cur {
                let k = self.payload_left.min(data.len() - pos);
                if f.kind == SETTINGS && self.settings.len() < MAX_SETTINGS {
                    self.settings
                        .extend_from_slice(data.get(pos..pos + k).unwrap_or_default());
                }
                self.payload_left -= k;
                pos += k;
                if self.payload_left == 0 {
                    self.cur = None;
                    if let Some(code) = self.finish(f) {
                        return Err((start, code));
                    }
                    start = pos;
                }
                continue;
            }
            if self.hdr_len == 0 {
                start = pos;
            }
            let k = (9 - self.hdr_len).min(data.len() - pos);
            self.hdr[self.hdr_len..self.hdr_len + k]
                .copy_from_slice(data.get(pos..pos + k).unwrap_or_default());
            self.hdr_len += k;
            pos += k;
            if self.hdr_len < 9 {
                break;
            }
            self.hdr_len = 0;
            let h = self.hdr;
            let len = usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
            let f = Frame {
                kind: h[3],
                flags: h[4],
                sid: u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff,
            };
            if let Some(code) = self.check_header(f, len) {
                return Err((start, code));
            }
            if len == 0 {
                if let Some(code) = self.finish(f) {
                    return Err((start, code));
                }
                start = pos;
            } else {
                self.cur = Some(f);
                self.payload_left = len;
            }
        }
        Ok(())
    }

    /// Follows the crate's outgoing frames (to place a GOAWAY between two of them).
    fn track_out(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.out_left > 0 {
                let k = self.out_left.min(data.len());
                self.out_left -= k;
                data = data.get(k..).unwrap_or_default();
                continue;
            }
            let k = (9 - self.out_hdr_len).min(data.len());
            self.out_hdr[self.out_hdr_len..self.out_hdr_len + k]
                .copy_from_slice(data.get(..k).unwrap_or_default());
            self.out_hdr_len += k;
            data = data.get(k..).unwrap_or_default();
            if self.out_hdr_len == 9 {
                let h = self.out_hdr;
                self.out_left =
                    usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
                self.out_hdr_len = 0;
            }
        }
    }

    fn between_frames(&self) -> bool {
        self.out_left == 0 && self.out_hdr_len == 0
    }
}

/// GOAWAY(last stream, code).
fn goaway_frame(last_sid: u32, code: u32) -> [u8; 17] {
    let mut f = [0u8; 17];
    f[2] = 8;
    f[3] = GOAWAY;
    f[9..13].copy_from_slice(&last_sid.to_be_bytes());
    f[13..17].copy_from_slice(&code.to_be_bytes());
    f
}

impl<S: AsyncRead + AsyncWrite + Unpin> PreFilter<S> {
    /// Writes our GOAWAY; `Ready`: written (or given up), reads end.
    fn poll_goaway(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some((frame, mut at)) = self.goaway.take() {
            if self.between_frames() {
                while at < frame.len() {
                    match Pin::new(&mut self.inner).poll_write(cx, &frame[at..]) {
                        Poll::Ready(Ok(n)) if n > 0 => at += n,
                        Poll::Pending => {
                            self.goaway = Some((frame, at));
                            return Poll::Pending;
                        }
                        _ => break,
                    }
                }
                let _ = Pin::new(&mut self.inner).poll_flush(cx);
            }
            // mid-frame the connection is only closed (a connection error either way)
            self.done = true;
        }
        Poll::Ready(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for PreFilter<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.done || this.goaway.is_some() {
            ready!(this.poll_goaway(cx));
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let r = this.scan(&buf.filled()[before..]);
        if let Err((keep, code)) = r {
            buf.set_filled(before + keep);
            this.goaway = Some((goaway_frame(this.last_sid, code), 0));
            if keep == 0 {
                ready!(this.poll_goaway(cx));
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for PreFilter<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, data))?;
        this.track_out(data.get(..n).unwrap_or_default());
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs))?;
        let mut left = n;
        for b in bufs {
            if left == 0 {
                break;
            }
            let k = left.min(b.len());
            this.track_out(b.get(..k).unwrap_or_default());
            left -= k;
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, sid: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len() as u32;
        let mut v = len.to_be_bytes()[1..].to_vec();
        v.extend([kind, flags]);
        v.extend(sid.to_be_bytes());
        v.extend(payload);
        v
    }

    /// Scans `input` in pieces of `split` bytes: `Err((passed, code))`, with `passed` the
    /// bytes handed on to the crate (part of the offending frame's head when it was split
    /// before the piece that completed it).
    fn scan_pieces(input: &[u8], split: usize) -> Result<(), (usize, u32)> {
        let mut f = PreFilter::new(());
        let mut off = 0;
        for piece in input.chunks(split.max(1)) {
            f.scan(piece).map_err(|(k, c)| (off + k, c))?;
            off += piece.len();
        }
        Ok(())
    }

    /// The code of the violation and that no byte of the offending frame went on when
    /// the frame came in one read.
    fn scan_all(input: &[u8], split: usize) -> Result<(), (usize, u32)> {
        let whole = scan_pieces(input, input.len());
        let pieces = scan_pieces(input, split);
        match (whole, pieces) {
            (Err((at, code)), Err((passed, code2))) => {
                assert_eq!(code, code2, "split {split}");
                assert!(passed >= at, "split {split}: {passed} < {at}");
                Err((at, code))
            }
            (w, p) => {
                assert_eq!(w, p, "split {split}");
                w
            }
        }
    }

    #[test]
    fn wrong_sizes_get_frame_size_error_after_the_good_frames() {
        let mut good = PREFACE.to_vec();
        good.extend(frame(SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 100]));
        good.extend(frame(PING, 0, 0, &[0; 8]));
        for (kind, flags, payload) in [
            (PRIORITY, 0, &[0u8; 4][..]),
            (RST_STREAM, 0, &[0; 3][..]),
            (PING, 0, &[0; 6][..]),
            (WINDOW_UPDATE, 0, &[0; 3][..]),
            (SETTINGS, ACK, &[0; 6][..]),
            (SETTINGS, 0, &[0; 5][..]),
        ] {
            let mut input = good.clone();
            let sid = if matches!(kind, PRIORITY | RST_STREAM) {
                1
            } else {
                0
            };
            input.extend(frame(kind, flags, sid, payload));
            for split in [1, 7, 1000] {
                assert_eq!(
                    scan_all(&input, split),
                    Err((good.len(), FRAME_SIZE_ERROR)),
                    "kind {kind} split {split}"
                );
            }
        }
        assert_eq!(scan_all(&good, 3), Ok(()));
    }

    #[test]
    fn initial_window_over_the_maximum_is_a_flow_control_error() {
        let mut input = PREFACE.to_vec();
        input.extend(frame(SETTINGS, 0, 0, &[0, 4, 0x80, 0, 0, 0]));
        assert_eq!(
            scan_all(&input, 5),
            Err((PREFACE.len(), FLOW_CONTROL_ERROR))
        );
        let mut ok = PREFACE.to_vec();
        ok.extend(frame(SETTINGS, 0, 0, &[0, 4, 0x7f, 0xff, 0xff, 0xff]));
        assert_eq!(scan_all(&ok, 5), Ok(()));
    }

    #[test]
    fn frames_on_streams_the_client_ended_are_stream_closed() {
        let mut input = PREFACE.to_vec();
        input.extend(frame(HEADERS, END_STREAM | 0x4, 1, b"\x82"));
        // trailers on an open stream, window updates on an ended one: fine
        input.extend(frame(HEADERS, 0x4, 3, b"\x82"));
        input.extend(frame(HEADERS, END_STREAM | 0x4, 3, b"\x82"));
        input.extend(frame(WINDOW_UPDATE, 0, 1, &[0, 0, 1, 0]));
        input.extend(frame(HEADERS, 0x4, 5, b"\x82"));
        input.extend(frame(RST_STREAM, 0, 5, &[0, 0, 0, 8]));
        assert_eq!(scan_all(&input, 4), Ok(()));
        for (kind, sid) in [(DATA, 1), (HEADERS, 3), (HEADERS, 5)] {
            let mut bad = input.clone();
            bad.extend(frame(kind, 0, sid, b"x"));
            assert_eq!(scan_all(&bad, 4), Err((input.len(), STREAM_CLOSED)));
        }
        // a header block cut by another frame is the crate's PROTOCOL_ERROR (h2spec
        // 6.10/2 sends END_STREAM on the HEADERS, then CONTINUATION, then DATA)
        let mut cut = PREFACE.to_vec();
        cut.extend(frame(HEADERS, END_STREAM, 1, b"\x82"));
        cut.extend(frame(CONTINUATION, 0, 1, b"\x84"));
        cut.extend(frame(DATA, 0, 1, b"x"));
        assert_eq!(scan_all(&cut, 4), Ok(()));
    }

    #[test]
    fn goaway_is_placed_between_outgoing_frames() {
        let mut f = PreFilter::new(());
        let out = frame(DATA, 0, 1, b"hello");
        f.track_out(&out[..4]);
        assert!(!f.between_frames());
        f.track_out(&out[4..]);
        assert!(f.between_frames());
        assert_eq!(
            goaway_frame(3, STREAM_CLOSED),
            [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 5]
        );
    }

    #[test]
    fn stream_ids_a_power_of_two_apart_spread_over_buckets() {
        // a client choosing ids that share their low bits must not pile them into one
        // bucket of the ended-streams set (its table indexes by the hash's low bits)
        use std::collections::HashSet as Set;
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<SidHasher>::default();
        let low: Set<u64> = (0..64u32).map(|i| b.hash_one(1 + i * 65536) & 63).collect();
        assert!(low.len() > 32, "{} buckets of 64", low.len());
    }
}
