//! TLS ClientHello inspection for `req.ssl_sni` / `req.ssl_hello_type`:
//! reads the server name from the first TLS record of a client, as
//! HAProxy's `smp_fetch_ssl_hello_sni()` does (one record, no reassembly).
//! Every length is checked against the bytes present: any input is safe.

/// What the buffered bytes say about a ClientHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hello<'a> {
    /// Not (or not yet) enough bytes to decide.
    Incomplete,
    /// Not a TLS handshake record carrying a ClientHello.
    NotHello,
    /// A complete ClientHello; its SNI host name if it has one.
    Complete { sni: Option<&'a str> },
}

/// Big-endian reader that fails instead of panicking.
struct Rd<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Rd<'a> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }
    fn u16(&mut self) -> Option<usize> {
        let hi = self.u8()?;
        let lo = self.u8()?;
        Some(usize::from(hi) << 8 | usize::from(lo))
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
}

/// Inspect the start of a client stream.
pub fn parse_client_hello(buf: &[u8]) -> Hello<'_> {
    // Record header: type 22 (handshake), version 3.x, length.
    if buf.is_empty() {
        return Hello::Incomplete;
    }
    if buf[0] != 22 || buf.get(1).is_some_and(|v| *v != 3) {
        return Hello::NotHello;
    }
    if buf.len() < 5 {
        return Hello::Incomplete;
    }
    let rec_len = usize::from(buf[3]) << 8 | usize::from(buf[4]);
    // Handshake type 1 = ClientHello.
    if let Some(t) = buf.get(5)
        && *t != 1
    {
        return Hello::NotHello;
    }
    if buf.len() < 5 + rec_len {
        return Hello::Incomplete;
    }
    let rec = &buf[5..5 + rec_len];
    match hello_sni(rec) {
        Some(sni) => Hello::Complete { sni },
        None => Hello::NotHello,
    }
}

/// The SNI of a complete ClientHello handshake message (`Some(None)`: none).
fn hello_sni(rec: &[u8]) -> Option<Option<&str>> {
    let mut r = Rd { b: rec, pos: 0 };
    if r.u8()? != 1 {
        return None;
    }
    let hs_len = usize::from(r.u8()?) << 16 | r.u16()?;
    // The handshake may continue in a later record; we only read this one.
    let body = r.take(hs_len.min(rec.len().saturating_sub(4)))?;
    let mut r = Rd { b: body, pos: 0 };
    r.take(2)?; // client_version
    r.take(32)?; // random
    let sid = usize::from(r.u8()?);
    r.take(sid)?;
    let cs = r.u16()?;
    r.take(cs)?;
    let comp = usize::from(r.u8()?);
    r.take(comp)?;
    if r.pos == body.len() {
        return Some(None); // no extensions
    }
    let ext_len = r.u16()?;
    let exts = r.take(ext_len.min(body.len() - r.pos))?;
    let mut e = Rd { b: exts, pos: 0 };
    while e.pos + 4 <= exts.len() {
        let ty = e.u16()?;
        let len = e.u16()?;
        let data = e.take(len)?;
        if ty != 0 {
            continue;
        }
        let mut s = Rd { b: data, pos: 0 };
        let list_len = s.u16()?;
        let list = s.take(list_len)?;
        let mut l = Rd { b: list, pos: 0 };
        while l.pos < list.len() {
            let name_type = l.u8()?;
            let n = l.u16()?;
            let name = l.take(n)?;
            if name_type == 0 {
                return Some(std::str::from_utf8(name).ok().filter(|s| !s.is_empty()));
            }
        }
        return Some(None);
    }
    Some(None)
}

/// `req.ssl_sni`: the server name of a complete ClientHello.
pub fn client_hello_sni(buf: &[u8]) -> Option<&str> {
    match parse_client_hello(buf) {
        Hello::Complete { sni } => sni,
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal but well-formed TLS 1.2 ClientHello with an SNI extension.
    pub(crate) fn client_hello(sni: Option<&str>) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7u8; 32]);
        body.push(0); // session id
        body.extend_from_slice(&[0, 2, 0x13, 0x01]); // one cipher suite
        body.extend_from_slice(&[1, 0]); // null compression
        let mut exts = Vec::new();
        // an unrelated extension first (supported_versions)
        exts.extend_from_slice(&[0, 43, 0, 3, 2, 3, 4]);
        if let Some(name) = sni {
            let n = name.len() as u16;
            exts.extend_from_slice(&[0, 0]);
            exts.extend_from_slice(&(n + 5).to_be_bytes());
            exts.extend_from_slice(&(n + 3).to_be_bytes());
            exts.push(0);
            exts.extend_from_slice(&n.to_be_bytes());
            exts.extend_from_slice(name.as_bytes());
        }
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![1, 0];
        hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
        hs.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn finds_sni() {
        let h = client_hello(Some("www.example.com"));
        assert_eq!(client_hello_sni(&h), Some("www.example.com"));
        for cut in 0..h.len() {
            assert_eq!(
                parse_client_hello(&h[..cut]),
                Hello::Incomplete,
                "cut {cut}"
            );
        }
        assert_eq!(
            parse_client_hello(&client_hello(None)),
            Hello::Complete { sni: None }
        );
        assert_eq!(parse_client_hello(b"GET / HTTP/1.1\r\n"), Hello::NotHello);
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0, 4, 2, 0, 0, 0]),
            Hello::NotHello
        );
    }

    #[test]
    fn noise_never_panics() {
        let base = client_hello(Some("a.example"));
        let mut seed = 0xdead_beefu32;
        for i in 0..5000 {
            let mut v = base.clone();
            for _ in 0..(1 + i % 4) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let k = (seed >> 8) as usize % v.len();
                v[k] = (seed >> 16) as u8;
            }
            let _ = parse_client_hello(&v);
            let cut = (seed as usize) % v.len();
            let _ = parse_client_hello(&v[..cut]);
        }
    }
}
