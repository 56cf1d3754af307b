//! Body framing as a sans-IO tracker: says how many bytes of each input belong to the
//! current message and validates chunked framing as HAProxy 2.6 does (measured: hex sizes
//! with leading zeros, SP/HTAB and `;extensions` after the size, bare LF line ends, trailer
//! lines `name: value`; a non-hex size, missing CRLF after the data, a trailer without a
//! colon or a size over 2^59 -> 400).

use super::{BodyKind, H1Error, RAW_LIMIT, is_tchar};

/// Result of feeding body bytes to a [`BodyTracker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the input that belong to this message's body (forward them verbatim).
    pub consumed: usize,
    /// The body (and trailers) ended within those bytes.
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// Content-Length bytes still expected.
    Length(u64),
    UntilClose,
    /// Hex digits of a chunk size.
    Size {
        value: u64,
        digits: u8,
    },
    /// Blanks after the size digits.
    SizeWs,
    /// `;extension` up to the end of line.
    Ext,
    /// CR seen at the end of a size line.
    SizeCr,
    Data(u64),
    /// End of chunk data: CRLF or LF expected.
    DataEnd,
    DataCr,
    /// Start of a trailer line (or of the final empty line).
    TrailerStart,
    TrailerName,
    TrailerValue,
    TrailerCr,
    FinalCr,
    Done,
}

/// Follows a body through its framing, validating chunked encoding. Feed it the bytes that
/// follow the head (in as many pieces as they arrive); forward `consumed` bytes and keep the
/// rest for the next message.
#[derive(Debug, Clone)]
pub struct BodyTracker {
    st: St,
    last_chunk: bool,
    /// Size of the chunk whose size line is being read.
    pending: u64,
    trailer_bytes: usize,
    /// Trailer lines as received (kept only when re-chunking).
    trailers: Vec<u8>,
    end_written: bool,
    kind: BodyKind,
    /// Payload bytes seen (data only, not framing).
    payload: u64,
    /// `out` receives the payload only (see [`BodyTracker::advance_payload`]).
    payload_only: bool,
}

impl BodyTracker {
    pub fn new(kind: BodyKind) -> Self {
        let st = match kind {
            BodyKind::None | BodyKind::Length(0) => St::Done,
            BodyKind::Length(n) => St::Length(n),
            BodyKind::Chunked => St::Size {
                value: 0,
                digits: 0,
            },
            BodyKind::UntilClose => St::UntilClose,
        };
        BodyTracker {
            st,
            last_chunk: false,
            pending: 0,
            trailer_bytes: 0,
            trailers: Vec::new(),
            end_written: false,
            kind,
            payload: 0,
            payload_only: false,
        }
    }

    pub fn is_done(&self) -> bool {
        self.st == St::Done
    }

    /// Payload bytes seen so far (chunk framing excluded).
    pub fn payload_len(&self) -> u64 {
        self.payload
    }

    /// Bytes still expected for a Content-Length body.
    pub fn remaining(&self) -> Option<u64> {
        match self.st {
            St::Length(n) => Some(n),
            St::Done => Some(0),
            _ => None,
        }
    }

    pub fn advance(&mut self, input: &[u8]) -> Result<Progress, H1Error> {
        self.run(input, None)
    }

    /// Like [`advance`](Self::advance), and also appends to `out` what HAProxy 2.6 sends
    /// for those bytes: Content-Length and until-close bodies as they are; a chunked body
    /// re-chunked the way its H1 encoder does (measured): the data of one call becomes one
    /// chunk with a plain lowercase hex size, extensions are dropped, and the end is
    /// `0\r\n`, the trailers with lowercased names, `\r\n`. Feed it each read as it
    /// arrives to get HAProxy's chunk boundaries.
    pub fn advance_rechunk(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Progress, H1Error> {
        self.run(input, Some(out))
    }

    /// Like [`advance`](Self::advance), and also appends the payload of those bytes (no
    /// chunk framing, no trailers) to `out`; the trailers are kept for
    /// [`write_trailers`](Self::write_trailers). Used where the body is re-encoded
    /// (compression).
    pub fn advance_payload(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Progress, H1Error> {
        self.payload_only = true;
        self.run(input, Some(out))
    }

    /// The trailers seen so far, as HAProxy's H1 encoder writes them (lowercase names),
    /// each line ending with CRLF, without the final empty line.
    pub fn write_trailers(&self, out: &mut Vec<u8>) {
        write_trailers(&self.trailers, out);
    }

    fn run(&mut self, input: &[u8], mut out: Option<&mut Vec<u8>>) -> Result<Progress, H1Error> {
        let chunk_start = out.as_ref().map_or(0, |o| o.len());
        let mut data_len = 0usize;
        let mut i = 0;
        while i < input.len() {
            match self.st {
                St::Done => break,
                St::UntilClose => {
                    self.payload += (input.len() - i) as u64;
                    if let Some(o) = out.as_deref_mut() {
                        o.extend_from_slice(&input[i..]);
                    }
                    i = input.len();
                }
                St::Length(n) => {
                    let take = (input.len() - i).min(usize::try_from(n).unwrap_or(usize::MAX));
                    if let Some(o) = out.as_deref_mut() {
                        o.extend_from_slice(&input[i..i + take]);
                    }
                    i += take;
                    self.payload += take as u64;
                    let left = n - take as u64;
                    self.st = if left == 0 {
                        St::Done
                    } else {
                        St::Length(left)
                    };
                }
                St::Data(n) => {
                    let take = (input.len() - i).min(usize::try_from(n).unwrap_or(usize::MAX));
                    if let Some(o) = out.as_deref_mut() {
                        o.extend_from_slice(&input[i..i + take]);
                    }
                    data_len += take;
                    i += take;
                    self.payload += take as u64;
                    let left = n - take as u64;
                    self.st = if left == 0 {
                        St::DataEnd
                    } else {
                        St::Data(left)
                    };
                }
                st => {
                    let b = input[i];
                    let capture = matches!(st, St::TrailerName | St::TrailerValue | St::TrailerCr)
                        || (st == St::TrailerStart && b != b'\r' && b != b'\n');
                    self.step(b)?;
                    if capture && out.is_some() {
                        self.trailers.push(b);
                    }
                    i += 1;
                }
            }
        }
        if let Some(o) = out
            && matches!(self.kind, BodyKind::Chunked)
            && !self.payload_only
        {
            if data_len > 0 {
                let size = format!("{data_len:x}\r\n");
                o.splice(chunk_start..chunk_start, size.bytes());
                o.extend_from_slice(b"\r\n");
            }
            if self.st == St::Done && !self.end_written {
                self.end_written = true;
                o.extend_from_slice(b"0\r\n");
                write_trailers(&self.trailers, o);
                o.extend_from_slice(b"\r\n");
            }
        }
        Ok(Progress {
            consumed: i,
            done: self.st == St::Done,
        })
    }

    /// One framing byte of a chunked body.
    fn step(&mut self, b: u8) -> Result<(), H1Error> {
        let bad = Err(H1Error::BadChunk);
        self.st = match self.st {
            St::Size { value, digits } => match hex(b) {
                Some(d) => {
                    if value & 0xF800_0000_0000_0000 != 0 {
                        return bad;
                    }
                    St::Size {
                        value: (value << 4) | u64::from(d),
                        digits: digits.saturating_add(1),
                    }
                }
                None if digits == 0 => return bad,
                None => {
                    self.last_chunk = value == 0;
                    self.pending = value;
                    self.after_size(b)?
                }
            },
            St::SizeWs => self.after_size(b)?,
            St::Ext => match b {
                b'\r' => St::SizeCr,
                b'\n' => self.size_line_done(),
                _ => St::Ext,
            },
            St::SizeCr => match b {
                b'\n' => self.size_line_done(),
                _ => return bad,
            },
            St::DataEnd => match b {
                b'\r' => St::DataCr,
                b'\n' => St::Size {
                    value: 0,
                    digits: 0,
                },
                _ => return bad,
            },
            St::DataCr => match b {
                b'\n' => St::Size {
                    value: 0,
                    digits: 0,
                },
                _ => return bad,
            },
            St::TrailerStart => match b {
                b'\r' => St::FinalCr,
                b'\n' => St::Done,
                b if is_tchar(b) => self.trailer(St::TrailerName)?,
                _ => return bad,
            },
            St::TrailerName => match b {
                b':' => self.trailer(St::TrailerValue)?,
                b if is_tchar(b) => self.trailer(St::TrailerName)?,
                _ => return bad,
            },
            St::TrailerValue => match b {
                b'\r' => St::TrailerCr,
                b'\n' => St::TrailerStart,
                _ => self.trailer(St::TrailerValue)?,
            },
            St::TrailerCr => match b {
                b'\n' => St::TrailerStart,
                _ => return bad,
            },
            St::FinalCr => match b {
                b'\n' => St::Done,
                _ => return bad,
            },
            // handled in advance()
            St::Length(_) | St::UntilClose | St::Data(_) | St::Done => self.st,
        };
        Ok(())
    }

    fn after_size(&mut self, b: u8) -> Result<St, H1Error> {
        Ok(match b {
            b' ' | b'\t' => St::SizeWs,
            b';' => St::Ext,
            b'\r' => St::SizeCr,
            b'\n' => self.size_line_done(),
            _ => return Err(H1Error::BadChunk),
        })
    }

    fn size_line_done(&mut self) -> St {
        if self.last_chunk {
            St::TrailerStart
        } else {
            St::Data(self.pending)
        }
    }

    fn trailer(&mut self, next: St) -> Result<St, H1Error> {
        self.trailer_bytes += 1;
        if self.trailer_bytes > RAW_LIMIT {
            return Err(H1Error::BadChunk);
        }
        Ok(next)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Trailer lines as HAProxy's H1 encoder writes them: `name: value` with the name
/// lowercased and the value trimmed.
fn write_trailers(raw: &[u8], out: &mut Vec<u8>) {
    for line in raw.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        out.extend(line[..colon].iter().map(u8::to_ascii_lowercase));
        out.extend_from_slice(b": ");
        let v = &line[colon + 1..];
        let s = v
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(v.len());
        let e = v
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(s, |e| e + 1);
        out.extend_from_slice(&v[s..e.max(s)]);
        out.extend_from_slice(b"\r\n");
    }
}
