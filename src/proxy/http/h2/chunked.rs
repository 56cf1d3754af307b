//! Reads back a chunked HTTP/1.1 body written by the session (whose framing the session
//! already validated): payload pieces become DATA frames, trailer lines become HTTP/2
//! trailers. Also the request side's encoder (DATA frames become chunks).

use bytes::{BufMut, Bytes, BytesMut};

/// Longest size or trailer line accepted (the session's own limit is the buffer size).
const MAX_LINE: usize = 16384;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

/// What the next bytes of a chunked body were.
/// Trailer fields: lowercase name and value.
pub type Trailers = Vec<(Vec<u8>, Vec<u8>)>;

#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Data(Bytes),
    /// The last chunk and the trailer lines (`name: value`, without line ends).
    End(Trailers),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed chunked body")]
pub struct BadChunk;

#[derive(Debug)]
pub struct Dechunker {
    st: St,
    trailers: Trailers,
}

impl Default for Dechunker {
    fn default() -> Self {
        Self::new()
    }
}

impl Dechunker {
    pub fn new() -> Self {
        Dechunker {
            st: St::Size,
            trailers: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn is_done(&self) -> bool {
        self.st == St::Done
    }

    /// Takes the next piece out of `buf`; `Ok(None)`: more bytes are needed.
    pub fn next(&mut self, buf: &mut BytesMut) -> Result<Option<Piece>, BadChunk> {
        loop {
            match self.st {
                St::Done => return Ok(None),
                St::Size => {
                    let Some(line) = take_line(buf)? else {
                        return Ok(None);
                    };
                    let digits: Vec<u8> = line
                        .iter()
                        .copied()
                        .take_while(u8::is_ascii_hexdigit)
                        .collect();
                    if digits.is_empty() || digits.len() > 15 {
                        return Err(BadChunk);
                    }
                    let size = digits.iter().fold(0u64, |acc, d| {
                        let v = match d {
                            b'0'..=b'9' => d - b'0',
                            b'a'..=b'f' => d - b'a' + 10,
                            _ => d - b'A' + 10,
                        };
                        (acc << 4) | u64::from(v)
                    });
                    self.st = if size == 0 {
                        St::Trailers
                    } else {
                        St::Data(size)
                    };
                }
                St::Data(n) => {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(buf.len());
                    let left = n - take as u64;
                    self.st = if left == 0 {
                        St::DataEnd
                    } else {
                        St::Data(left)
                    };
                    return Ok(Some(Piece::Data(buf.split_to(take).freeze())));
                }
                St::DataEnd => {
                    let Some(line) = take_line(buf)? else {
                        return Ok(None);
                    };
                    if !line.is_empty() {
                        return Err(BadChunk);
                    }
                    self.st = St::Size;
                }
                St::Trailers => {
                    let Some(line) = take_line(buf)? else {
                        return Ok(None);
                    };
                    if line.is_empty() {
                        self.st = St::Done;
                        return Ok(Some(Piece::End(std::mem::take(&mut self.trailers))));
                    }
                    let colon = line.iter().position(|&b| b == b':').ok_or(BadChunk)?;
                    let name = line[..colon].to_ascii_lowercase();
                    let value = trim(&line[colon + 1..]).to_vec();
                    self.trailers.push((name, value));
                }
            }
        }
    }
}

/// One line without its end (`\r\n` or `\n`), taken out of `buf`.
fn take_line(buf: &mut BytesMut) -> Result<Option<Vec<u8>>, BadChunk> {
    match buf.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let mut line = buf.split_to(i + 1);
            line.truncate(i);
            if line.last() == Some(&b'\r') {
                line.truncate(i - 1);
            }
            Ok(Some(line.to_vec()))
        }
        None if buf.len() > MAX_LINE => Err(BadChunk),
        None => Ok(None),
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    &v[start..end.max(start)]
}

/// Appends one chunk (`size CRLF data CRLF`) for a DATA frame's payload.
pub fn encode_chunk<B: BufMut>(data: &[u8], out: &mut B) {
    out.put_slice(format!("{:x}\r\n", data.len()).as_bytes());
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

/// Appends the last chunk with the trailers (names are lowercase in HTTP/2 already).
pub fn encode_end<B: BufMut>(trailers: Option<&http::HeaderMap>, out: &mut B) {
    out.put_slice(b"0\r\n");
    if let Some(t) = trailers {
        for (name, value) in t {
            out.put_slice(name.as_str().as_bytes());
            out.put_slice(b": ");
            out.put_slice(value.as_bytes());
            out.put_slice(b"\r\n");
        }
    }
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], split: usize) -> Result<(Vec<u8>, Option<Trailers>), BadChunk> {
        let mut d = Dechunker::new();
        let mut buf = BytesMut::new();
        let mut data = Vec::new();
        let mut end = None;
        for piece in input.chunks(split.max(1)) {
            buf.extend_from_slice(piece);
            while let Some(p) = d.next(&mut buf)? {
                match p {
                    Piece::Data(b) => data.extend_from_slice(&b),
                    Piece::End(t) => end = Some(t),
                }
            }
        }
        Ok((data, end))
    }

    #[test]
    fn decodes_sizes_extensions_and_trailers_in_any_split() {
        let input = b"5;ext=1\r\nhello\r\n0A\r\n0123456789\r\n0\r\nX-T: v \r\nY:w\r\n\r\nNEXT";
        for split in [1, 2, 3, 7, 100] {
            let (data, end) = all(input, split).unwrap();
            assert_eq!(data, b"hello0123456789");
            assert_eq!(
                end.unwrap(),
                vec![
                    (b"x-t".to_vec(), b"v".to_vec()),
                    (b"y".to_vec(), b"w".to_vec())
                ]
            );
        }
    }

    #[test]
    fn bare_lf_is_accepted_and_garbage_is_not() {
        let (data, end) = all(b"3\nabc\n0\n\n", 4).unwrap();
        assert_eq!(data, b"abc");
        assert_eq!(end.unwrap(), vec![]);
        assert_eq!(all(b"zz\r\n", 10), Err(BadChunk));
        assert_eq!(all(b"3\r\nabcX\r\n", 10), Err(BadChunk));
    }

    #[test]
    fn leaves_what_follows_the_body() {
        let mut d = Dechunker::new();
        let mut buf = BytesMut::from(&b"0\r\n\r\nHTTP/1.1"[..]);
        assert_eq!(d.next(&mut buf).unwrap(), Some(Piece::End(vec![])));
        assert!(d.is_done());
        assert_eq!(&buf[..], b"HTTP/1.1");
    }

    #[test]
    fn encodes_chunks_and_trailers() {
        let mut out = Vec::new();
        encode_chunk(b"0123456789abcdef0", &mut out);
        let mut t = http::HeaderMap::new();
        t.insert("x-sum", http::HeaderValue::from_static("1"));
        encode_end(Some(&t), &mut out);
        assert_eq!(out, b"11\r\n0123456789abcdef0\r\n0\r\nx-sum: 1\r\n\r\n");
    }
}
