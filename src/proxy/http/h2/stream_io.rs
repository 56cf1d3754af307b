//! The client side the HTTP/1.1 session sees for one HTTP/2 stream, without a pipe.
//!
//! The session reads the request from it (the HTTP/1.1 head the gateway encoded, then the
//! DATA frames, chunk-framed when the request has no length) and writes its response
//! into it: the final head handed over decoded ([`StreamLink::offer_head`]), interim
//! heads and the body as HTTP/1.1 bytes, parsed on the spot; they go out as HEADERS and
//! DATA frames on the stream, as the client's flow-control window allows. No task, no
//! in-memory pipe and no second copy of the bodies: the session's reads and writes are
//! the stream's frames.
//!
//! What the session observes is what it observed through the pipe: after the request
//! (and its body) the read side stays pending until the response is complete, then ends;
//! a client that resets the stream ends the read side at once and fails the writes.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use h2::server::SendResponse;
use h2::{Reason, RecvStream, SendStream};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::chunked::{self, Dechunker, Piece};
use super::gateway::{Outcome, connection_specific, into_response, map_response};
use crate::proxy::http::h1::{self, BodyKind, ParsedResponse};
use crate::proxy::http::msg::ResponseHead;

/// Largest response head accepted back from the session (it enforces `tune.bufsize`).
const MAX_HEAD: usize = 64 * 1024;
/// Response bytes queued for the client's window before the session's writes wait.
const HIGH_WATER: usize = 64 * 1024;
/// A body this small goes to the crate whole, without reserving window first (the
/// default frame size: never more than one frame waits in the crate for the window).
const SMALL_BODY: usize = 16 * 1024;

/// What the gateway, the session and the stream share: how the stream ended (for the
/// rapid-reset guard), and the final response head the session hands over decoded, so
/// that the stream does not parse the HTTP/1 text of it again.
#[derive(Debug, Clone, Default)]
pub struct StreamLink(Arc<LinkInner>);

#[derive(Debug, Default)]
struct LinkInner {
    outcome: AtomicU8,
    /// The final response head, whose HTTP/1 text the session does not write.
    head: Mutex<Option<ResponseHead>>,
}

impl StreamLink {
    const UNSET: u8 = 0;
    const DONE: u8 = 1;
    const RESET: u8 = 2;

    /// The first outcome recorded wins.
    fn set(&self, o: Outcome) {
        let v = match o {
            Outcome::Done => Self::DONE,
            Outcome::ClientReset => Self::RESET,
            Outcome::Failed => 3,
        };
        let _ =
            self.0
                .outcome
                .compare_exchange(Self::UNSET, v, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// `Failed` when the session ended without a complete response.
    pub fn get(&self) -> Outcome {
        match self.0.outcome.load(Ordering::Relaxed) {
            Self::DONE => Outcome::Done,
            Self::RESET => Outcome::ClientReset,
            _ => Outcome::Failed,
        }
    }

    /// The session's final response head, already as the HTTP/1 parser reads it
    /// ([`as_parsed`]): the session writes only the body after it.
    pub fn offer_head(&self, head: ResponseHead) {
        let mut slot = self.0.head.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(head);
    }

    fn take_head(&self) -> Option<ResponseHead> {
        self.0.head.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Where the response written by the session stands.
enum Res {
    /// Waiting for the (rest of the) head.
    Head,
    /// Streaming the body.
    Body {
        kind: BodyKind,
        /// Bytes left of a sized body.
        remaining: u64,
        dechunk: Option<Dechunker>,
    },
    /// Everything the response has was queued (bytes written past it are ignored).
    Complete,
    /// The stream was reset (by the client or by us): writes fail.
    Failed,
}

/// How the stream ends once the queued data is out.
enum Fin {
    /// Not known yet.
    Open,
    /// END_STREAM (on the last DATA frame, or an empty one).
    End,
    /// A trailers HEADERS frame.
    Trailers(HeaderMap),
    /// Sent.
    Sent,
}

/// One stream as the session's client connection.
pub struct StreamIo {
    /// Request bytes ready for the session: the head, then chunk framing or data.
    inbuf: BytesMut,
    /// The request body; `None` once read to its end.
    body: Option<RecvStream>,
    chunked: bool,
    /// The DATA frames ended, the trailers (chunked) are still to be read.
    trailers_next: bool,
    method: http::Method,
    respond: Option<SendResponse<Bytes>>,
    send: Option<SendStream<Bytes>>,
    /// A partial response head, then the undecoded part of a chunked body.
    rbuf: BytesMut,
    res: Res,
    queue: VecDeque<Bytes>,
    queued: usize,
    fin: Fin,
    outcome: StreamLink,
}

impl StreamIo {
    /// The request's head went to the session decoded: only its body is read here;
    /// `chunked`: the body is sent chunk-framed.
    pub fn new(
        body: RecvStream,
        chunked: bool,
        method: http::Method,
        respond: SendResponse<Bytes>,
        outcome: StreamLink,
    ) -> Self {
        let has_body = !body.is_end_stream();
        StreamIo {
            inbuf: BytesMut::new(),
            body: has_body.then_some(body),
            chunked,
            trailers_next: false,
            method,
            respond: Some(respond),
            send: None,
            rbuf: BytesMut::new(),
            res: Res::Head,
            queue: VecDeque::new(),
            queued: 0,
            fin: Fin::Open,
            outcome,
        }
    }

    fn finished(&self) -> bool {
        matches!(self.fin, Fin::Sent) || matches!(self.res, Res::Failed)
    }

    /// The client reset the stream (or the connection went away).
    fn client_gone(&mut self) {
        self.outcome.set(Outcome::ClientReset);
        self.res = Res::Failed;
        self.queue.clear();
        self.queued = 0;
    }

    /// Resets the stream from our side.
    fn fail(&mut self, reason: Reason) {
        if let Some(s) = self.send.as_mut() {
            s.send_reset(reason);
        } else if let Some(r) = self.respond.as_mut() {
            r.send_reset(reason);
        }
        self.outcome.set(Outcome::Failed);
        self.res = Res::Failed;
        self.queue.clear();
        self.queued = 0;
    }

    /// Takes a response head (and what follows it) written by the session.
    fn take_head(&mut self, input: &[u8]) -> io::Result<()> {
        let mut pos = 0;
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            match h1::parse_response(rest, self.method.as_str()) {
                Ok(Some(r)) if r.informational => {
                    // 100-continue (a client waiting to send its body) and 103 go out as
                    // interim HEADERS; 101 has no meaning in HTTP/2
                    pos += r.head_len;
                    if r.head.status != 101
                        && let Some(resp) = self.respond.as_mut()
                    {
                        let _ = resp.send_informational(map_response(&r.head));
                    }
                }
                Ok(Some(r)) => {
                    let body = rest.get(r.head_len..).unwrap_or_default();
                    return self.start_response(r, body);
                }
                Ok(None) if rest.len() < MAX_HEAD => {
                    self.rbuf.extend_from_slice(rest);
                    return Ok(());
                }
                Ok(None) | Err(_) => {
                    self.fail(Reason::INTERNAL_ERROR);
                    return Err(io::ErrorKind::InvalidData.into());
                }
            }
        }
    }

    /// Sends the final response's HEADERS, then takes the body bytes that came with it.
    fn start_response(&mut self, r: ParsedResponse, body: &[u8]) -> io::Result<()> {
        let no_body = matches!(r.body, BodyKind::None | BodyKind::Length(0));
        let Some(mut resp) = self.respond.take() else {
            return Err(io::ErrorKind::BrokenPipe.into());
        };
        match resp.send_response(into_response(r.head), no_body) {
            Ok(s) => self.send = Some(s),
            Err(_) => {
                self.client_gone();
                return Err(io::ErrorKind::BrokenPipe.into());
            }
        }
        if no_body {
            self.res = Res::Complete;
            self.fin = Fin::Sent;
            self.outcome.set(Outcome::Done);
            return Ok(());
        }
        self.res = Res::Body {
            kind: r.body,
            remaining: match r.body {
                BodyKind::Length(n) => n,
                _ => 0,
            },
            dechunk: (r.body == BodyKind::Chunked).then(Dechunker::new),
        };
        self.take_body(body)
    }

    /// Takes the head the session handed over decoded (as the HTTP/1 parser reads it,
    /// [`as_parsed`]); `data`: body bytes after it. The parser's checks and framing run
    /// on it as on a head written as text ([`h1::finish_response`]).
    fn take_decoded(&mut self, head: ResponseHead, data: &[u8]) -> io::Result<()> {
        match h1::finish_response(head, 0, self.method.as_str()) {
            Ok(r) if !r.informational => self.start_response(r, data),
            Ok(_) | Err(_) => {
                self.fail(Reason::INTERNAL_ERROR);
                Err(io::ErrorKind::InvalidData.into())
            }
        }
    }

    /// A final head the session offered decoded (it writes no text for it), taken with
    /// the first body bytes `data`, or at a flush or shutdown before any. False when none
    /// was offered (the session writes the head as text).
    fn take_offered(&mut self, data: &[u8]) -> io::Result<bool> {
        if !matches!(self.res, Res::Head) || !self.rbuf.is_empty() {
            return Ok(false);
        }
        match self.outcome.take_head() {
            Some(head) => self.take_decoded(head, data).map(|()| true),
            None => Ok(false),
        }
    }

    /// Queues response body bytes written by the session.
    fn take_body(&mut self, input: &[u8]) -> io::Result<()> {
        let Res::Body {
            kind,
            remaining,
            dechunk,
        } = &mut self.res
        else {
            return Ok(());
        };
        match kind {
            BodyKind::Length(_) => {
                let take = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                if take > 0 {
                    self.queue.push_back(Bytes::copy_from_slice(
                        input.get(..take).unwrap_or_default(),
                    ));
                    self.queued += take;
                }
                *remaining -= take as u64;
                if *remaining == 0 {
                    self.fin = Fin::End;
                    self.res = Res::Complete;
                }
            }
            BodyKind::Chunked => {
                self.rbuf.extend_from_slice(input);
                let Some(d) = dechunk.as_mut() else {
                    return Ok(());
                };
                loop {
                    match d.next(&mut self.rbuf) {
                        Ok(Some(Piece::Data(b))) => {
                            self.queued += b.len();
                            self.queue.push_back(b);
                        }
                        Ok(Some(Piece::End(trailers))) => {
                            self.fin = trailers_frame(trailers);
                            self.res = Res::Complete;
                            self.rbuf = BytesMut::new();
                            break;
                        }
                        Ok(None) => break,
                        Err(_) => {
                            self.fail(Reason::INTERNAL_ERROR);
                            return Err(io::ErrorKind::InvalidData.into());
                        }
                    }
                }
            }
            BodyKind::UntilClose | BodyKind::None => {
                if !input.is_empty() {
                    self.queue.push_back(Bytes::copy_from_slice(input));
                    self.queued += input.len();
                }
            }
        }
        Ok(())
    }

    /// Sends what is queued as the window allows, then the end of the stream when known.
    /// `Pending`: data is left and the task waits for window.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(send) = self.send.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        // The whole of a small body in one piece (most responses), the request read to
        // its end: handed over with its END_STREAM at once, the crate sends it as the
        // window allows (the stream is closed on both sides: nothing resets it when the
        // session lets go). Reserving and reading the capacity first costs two more trips
        // through the crate's lock for the same frames.
        if self.queue.len() == 1
            && matches!(self.fin, Fin::End)
            && self.queued <= SMALL_BODY
            && self.body.is_none()
        {
            let piece = self.queue.pop_front().unwrap_or_default();
            self.queued = 0;
            if send.send_data(piece, true).is_err() {
                self.client_gone();
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            self.fin = Fin::Sent;
            self.outcome.set(Outcome::Done);
            return Poll::Ready(Ok(()));
        }
        while let Some(front) = self.queue.front_mut() {
            if front.is_empty() {
                self.queue.pop_front();
                continue;
            }
            send.reserve_capacity(self.queued);
            let mut cap = send.capacity();
            if cap == 0 {
                match send.poll_capacity(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(c))) => cap = c,
                    Poll::Ready(Some(Err(_)) | None) => {
                        self.client_gone();
                        return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
                    }
                }
                if cap == 0 {
                    continue;
                }
            }
            let n = cap.min(front.len());
            let piece = front.split_to(n);
            self.queued -= n;
            if front.is_empty() {
                self.queue.pop_front();
            }
            // the last piece of a body whose end is known carries END_STREAM
            let last = self.queue.is_empty() && matches!(self.fin, Fin::End);
            if send.send_data(piece, last).is_err() {
                self.client_gone();
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            if last {
                self.fin = Fin::Sent;
                self.outcome.set(Outcome::Done);
            }
        }
        let r = match std::mem::replace(&mut self.fin, Fin::Sent) {
            Fin::End => send.send_data(Bytes::new(), true),
            Fin::Trailers(map) => send.send_trailers(map),
            Fin::Open => {
                self.fin = Fin::Open;
                return Poll::Ready(Ok(()));
            }
            Fin::Sent => return Poll::Ready(Ok(())),
        };
        if r.is_err() {
            self.client_gone();
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        self.outcome.set(Outcome::Done);
        Poll::Ready(Ok(()))
    }

    /// Whether the client reset the stream (registers for the reset otherwise).
    fn poll_client_reset(&mut self, cx: &mut Context<'_>) -> bool {
        let r = if let Some(s) = self.send.as_mut() {
            s.poll_reset(cx)
        } else if let Some(r) = self.respond.as_mut() {
            r.poll_reset(cx)
        } else {
            return false;
        };
        match r {
            Poll::Pending => false,
            Poll::Ready(_) => {
                self.client_gone();
                true
            }
        }
    }
}

/// Makes a head the session hands over decoded what the HTTP/1 parser would have read
/// from its text (values and the reason trimmed, names lowercase). False when the text
/// would not read back as this head: the session then writes it as text, parsed here.
pub(crate) fn as_parsed(head: &mut ResponseHead) -> bool {
    let lws = |b: &u8| *b == b' ' || *b == b'\t';
    let line_break = |v: &[u8]| memchr::memchr2(b'\r', b'\n', v).is_some();
    if head.headers.len() > h1::MAX_HEADERS || line_break(head.reason.as_bytes()) {
        return false;
    }
    for h in head.headers.0.iter_mut() {
        if h.name.is_empty() || !h.name.bytes().all(h1::is_tchar) || line_break(&h.value) {
            return false;
        }
        if h.name.bytes().any(|b| b.is_ascii_uppercase()) {
            h.name.make_ascii_lowercase();
        }
        if h.value.first().is_some_and(lws) || h.value.last().is_some_and(lws) {
            let start = h
                .value
                .iter()
                .position(|b| !lws(b))
                .unwrap_or(h.value.len());
            let end = h
                .value
                .iter()
                .rposition(|b| !lws(b))
                .map_or(start, |e| e + 1);
            h.value = h.value.get(start..end).unwrap_or_default().to_vec();
        }
    }
    if head.reason.starts_with(' ') {
        head.reason = head.reason.trim_start_matches(' ').to_string();
    }
    true
}

/// The stream's end for a chunked body's trailer lines.
fn trailers_frame(trailers: chunked::Trailers) -> Fin {
    let mut map = HeaderMap::new();
    for (n, v) in trailers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(&n), HeaderValue::from_bytes(&v))
            && !connection_specific(n.as_str())
        {
            map.append(n, v);
        }
    }
    if map.is_empty() {
        Fin::End
    } else {
        Fin::Trailers(map)
    }
}

impl AsyncRead for StreamIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.inbuf.is_empty() {
                let n = this.inbuf.len().min(buf.remaining());
                buf.put_slice(&this.inbuf.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if matches!(this.res, Res::Failed) {
                return Poll::Ready(Ok(()));
            }
            let Some(body) = this.body.as_mut() else {
                break;
            };
            if this.trailers_next {
                match ready!(body.poll_trailers(cx)) {
                    Ok(t) => {
                        chunked::encode_end(t.as_ref(), &mut this.inbuf);
                        this.body = None;
                    }
                    Err(_) => {
                        this.client_gone();
                        return Poll::Ready(Ok(()));
                    }
                }
                continue;
            }
            match ready!(body.poll_data(cx)) {
                Some(Ok(data)) => {
                    let n = data.len();
                    // the window is given back as the session takes the bytes
                    let _ = body.flow_control().release_capacity(n);
                    if n == 0 {
                        continue;
                    }
                    if this.chunked {
                        chunked::encode_chunk(&data, &mut this.inbuf);
                    } else if n <= buf.remaining() {
                        buf.put_slice(&data);
                        return Poll::Ready(Ok(()));
                    } else {
                        this.inbuf.extend_from_slice(&data);
                    }
                }
                Some(Err(_)) => {
                    this.client_gone();
                    return Poll::Ready(Ok(()));
                }
                None => {
                    if this.chunked {
                        this.trailers_next = true;
                    } else {
                        this.body = None;
                    }
                }
            }
        }
        // The request is complete: the read side ends once the response is out (the
        // session then closes), or at a reset; meanwhile queued response data keeps
        // flowing as the window opens.
        if this.finished() {
            return Poll::Ready(Ok(()));
        }
        if let Poll::Ready(Err(_)) = this.drive(cx) {
            return Poll::Ready(Ok(()));
        }
        if this.finished() || this.poll_client_reset(cx) {
            return Poll::Ready(Ok(()));
        }
        Poll::Pending
    }
}

impl AsyncWrite for StreamIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.res {
            Res::Failed => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            Res::Complete => {
                // nothing past the response's end is sent
                ready!(this.drive(cx))?;
                return Poll::Ready(Ok(data.len()));
            }
            Res::Head => {
                // a head written as text: parsed, with what a previous write left
                if !this.take_offered(data)? {
                    if this.rbuf.is_empty() {
                        this.take_head(data)?;
                    } else {
                        let mut head = std::mem::take(&mut this.rbuf);
                        head.extend_from_slice(data);
                        this.take_head(&head)?;
                    }
                }
            }
            Res::Body { .. } => {
                if this.queued >= HIGH_WATER {
                    ready!(this.drive(cx))?;
                    if this.queued >= HIGH_WATER {
                        return Poll::Pending;
                    }
                }
                this.take_body(data)?;
            }
        }
        // what can go now goes; the rest waits for the window (flush, later writes, or
        // the read side while the session waits for the next request)
        if let Poll::Ready(Err(e)) = this.drive(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.take_offered(&[])?;
        if matches!(this.res, Res::Failed) {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        this.drive(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // a head offered with no body bytes written after it (no body, or a response to
        // HEAD) goes out now
        if this.take_offered(&[]).is_err() {
            return Poll::Ready(Ok(()));
        }
        match &this.res {
            Res::Failed => return Poll::Ready(Ok(())),
            Res::Head => {
                // the session closed without answering (`silent-drop`, `reject`, a client
                // abort seen by the session): the stream is refused, not answered
                this.fail(Reason::CANCEL);
                return Poll::Ready(Ok(()));
            }
            Res::Body {
                kind: BodyKind::UntilClose | BodyKind::None,
                ..
            } => {
                this.fin = Fin::End;
                this.res = Res::Complete;
            }
            Res::Body { .. } => {
                // the session aborted the response (server gone mid-body)
                this.fail(Reason::INTERNAL_ERROR);
                return Poll::Ready(Ok(()));
            }
            Res::Complete => {}
        }
        match this.drive(cx) {
            Poll::Ready(_) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }
}
