//! Encodings of the converters `be2dec`, `be2hex`, `ub64enc`, `ub64dec`, `url_enc`,
//! `json(<input-code>)`, `language` and `json_query`, as HAProxy 2.6 produces them
//! (measured with 2.6.12 on the same inputs; see the tests).

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `be2dec(sep,chunk[,truncate])` / `be2hex([sep],[chunk],[truncate])`: big-endian chunks
/// of `chunk` bytes (0 = the whole input as one), a short last chunk kept unless
/// `truncate`.
pub fn be2(b: &[u8], sep: &[u8], chunk: usize, truncate: bool, hex: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() * 3);
    let size = if chunk == 0 { b.len().max(1) } else { chunk };
    for (i, c) in b.chunks(size).enumerate() {
        if truncate && c.len() < size {
            break;
        }
        if i > 0 && chunk != 0 {
            out.extend_from_slice(sep);
        }
        if hex {
            for x in c {
                out.push(HEX[usize::from(x >> 4)]);
                out.push(HEX[usize::from(x & 15)]);
            }
        } else {
            let n = c.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x));
            out.extend_from_slice(n.to_string().as_bytes());
        }
    }
    out
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (`ub64enc`).
pub fn ub64enc(b: &[u8]) -> Vec<u8> {
    b64_encode_with(b, B64URL, false)
}

/// Base64 with the given alphabet, `=` padding or none.
pub fn b64_encode_with(b: &[u8], alpha: &[u8; 64], pad: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(alpha[(n >> (18 - 6 * i)) as usize & 63]);
            } else if pad {
                out.push(b'=');
            }
        }
    }
    out
}

/// base64url, padding optional (`ub64dec`); `None` on any other byte.
pub fn ub64dec(b: &[u8]) -> Option<Vec<u8>> {
    let b = match b.iter().position(|c| *c == b'=') {
        Some(p) if b[p..].iter().all(|c| *c == b'=') => &b[..p],
        Some(_) => return None,
        None => b,
    };
    if b.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in b {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// `url_enc`: HAProxy's query map leaves alphanumerics and `-._~` alone.
/// It reads its input as a C string: a NUL byte ends it.
pub fn url_enc(b: &[u8]) -> Vec<u8> {
    let b = b.split(|c| *c == 0).next().unwrap_or(b);
    let mut out = Vec::with_capacity(b.len() * 3);
    for &c in b {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(c);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        }
    }
    out
}

/// The decoders of the `json` converter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonIn {
    Ascii,
    Utf8,
    Utf8s,
    Utf8p,
    Utf8ps,
}

impl JsonIn {
    pub fn parse(s: &str) -> Option<JsonIn> {
        Some(match s {
            "" | "ascii" => JsonIn::Ascii,
            "utf8" => JsonIn::Utf8,
            "utf8s" => JsonIn::Utf8s,
            "utf8p" => JsonIn::Utf8p,
            "utf8ps" => JsonIn::Utf8ps,
            _ => return None,
        })
    }
}

/// One UTF-8 character: (code point, bytes used, bad sequence or range, overlong).
fn utf8_next(b: &[u8]) -> (u32, usize, bool, bool) {
    let c = b[0];
    let (need, init, min) = match c {
        0x00..=0x7f => return (u32::from(c), 1, false, false),
        0xc0..=0xdf => (1, u32::from(c & 0x1f), 0x80),
        0xe0..=0xef => (2, u32::from(c & 0x0f), 0x800),
        0xf0..=0xf7 => (3, u32::from(c & 0x07), 0x1_0000),
        _ => return (u32::from(c), 1, true, false),
    };
    let mut code = init;
    for i in 1..=need {
        match b.get(i) {
            Some(x) if x & 0xc0 == 0x80 => code = (code << 6) | u32::from(x & 0x3f),
            _ => return (code, i, true, false),
        }
    }
    let bad_range = (0xd800..=0xdfff).contains(&code) || code > 0x10_ffff;
    (code, need + 1, bad_range, code < min)
}

/// `json([input-code])`; `None` when the decoder fails the conversion.
pub fn json(b: &[u8], mode: JsonIn) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let (code, len) = if mode == JsonIn::Ascii {
            (u32::from(b[i]), 1)
        } else {
            let (code, len, bad, overlong) = utf8_next(&b[i..]);
            let permissive = matches!(mode, JsonIn::Utf8p | JsonIn::Utf8ps);
            let silent = matches!(mode, JsonIn::Utf8s | JsonIn::Utf8ps);
            if bad || (overlong && !permissive) || code > 0xffff {
                if silent {
                    i += len;
                    continue;
                }
                return None;
            }
            (code, len)
        };
        i += len;
        match code {
            0x22 => out.extend_from_slice(b"\\\""),
            0x5c => out.extend_from_slice(b"\\\\"),
            0x2f => out.extend_from_slice(b"\\/"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x20..=0x7e => out.push(code as u8),
            _ => out.extend_from_slice(format!("\\u{code:04x}").as_bytes()),
        }
    }
    Some(out)
}

/// `language(values[,default])` on an accept-language value: the listed value of the
/// highest q (first wins among equals; q=0 dropped), a variant falling back on its base
/// language when only that is listed.
pub fn language<'a>(header: &[u8], values: &'a [Box<[u8]>]) -> Option<&'a [u8]> {
    let mut best: Option<(u32, &'a [u8])> = None;
    for item in header.split(|c| *c == b',') {
        let mut parts = item.split(|c| *c == b';');
        let lang = trim(parts.next().unwrap_or(&[]));
        let mut q = 1000u32;
        for p in parts {
            let p = trim(p);
            if let Some(v) = p.strip_prefix(b"q=") {
                q = parse_q(v);
            }
        }
        if q == 0 || lang.is_empty() {
            continue;
        }
        let hit = values.iter().find(|v| v.as_ref() == lang).or_else(|| {
            let base = lang.split(|c| *c == b'-').next().unwrap_or(lang);
            values.iter().find(|v| v.as_ref() == base)
        });
        if let Some(v) = hit
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, v));
        }
    }
    best.map(|(_, v)| v)
}

fn trim(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |i| i + 1);
    &b[s..e.max(s)]
}

/// A q-value in thousandths.
fn parse_q(v: &[u8]) -> u32 {
    let s = std::str::from_utf8(v).unwrap_or("1");
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let int: u32 = i.parse().unwrap_or(0).min(1);
    let mut frac = 0u32;
    for (k, d) in f.bytes().take(3).enumerate() {
        if d.is_ascii_digit() {
            frac += u32::from(d - b'0') * [100, 10, 1][k];
        }
    }
    (int * 1000 + frac).min(1000)
}

/// A JSON path step of `json_query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// `$.a.b`, `$.my\.key`, `$.arr[1]`, `$['a']`.
pub fn parse_path(p: &str) -> Option<Vec<Step>> {
    let rest = p.strip_prefix('$')?;
    let b = rest.as_bytes();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => {
                let mut key = String::new();
                i += 1;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    key.push(char::from(b[i]));
                    i += 1;
                }
                steps.push(Step::Key(key));
            }
            b'[' => {
                let end = rest[i..].find(']')? + i;
                let inner = &rest[i + 1..end];
                if let Some(k) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    steps.push(Step::Key(k.to_string()));
                } else {
                    steps.push(Step::Index(inner.trim().parse().ok()?));
                }
                i = end + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// The value `json_query` returns: strings, numbers (floats as text) and booleans; `None`
/// for objects, arrays, null, a missing path or input that is not JSON.
pub enum JsonOut {
    Str(String),
    Int(i64),
    Bool(bool),
}

pub fn json_query(b: &[u8], path: &[Step], as_int: bool) -> Option<JsonOut> {
    let v: serde_json::Value = serde_json::from_slice(b).ok()?;
    let mut cur = &v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get(k.as_str())?,
            Step::Index(n) => cur.get(*n)?,
        };
    }
    Some(match cur {
        serde_json::Value::String(s) if as_int => JsonOut::Int(s.trim().parse().ok()?),
        serde_json::Value::String(s) => JsonOut::Str(s.clone()),
        serde_json::Value::Bool(x) => JsonOut::Bool(*x),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => JsonOut::Int(i),
            None if as_int => JsonOut::Int(n.as_f64()? as i64),
            None => JsonOut::Str(n.to_string()),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of HAProxy 2.6.12 for the same inputs (tandem's converter oracle run).
    #[test]
    fn matches_haproxy() {
        let b = [1u8, 2, 3, 4, 5, 6, 7];
        assert_eq!(be2(&b, b":", 2, false, false), b"258:772:1286:7");
        assert_eq!(be2(&b, b"-", 2, true, false), b"258-772-1286");
        assert_eq!(be2(&b, b"", 2, true, false), b"2587721286");
        assert_eq!(be2(&[127, 0, 0, 1], b".", 1, false, false), b"127.0.0.1");
        assert_eq!(be2(&b, b"", 0, false, true), b"01020304050607");
        assert_eq!(be2(&b, b":", 2, false, true), b"0102:0304:0506:07");
        assert_eq!(be2(&b, b"--", 2, true, true), b"0102--0304--0506");
        assert_eq!(
            be2(&[1, 2, 3, 4, 5, 6, 7, 8], b"", 3, true, true),
            b"010203040506"
        );
        assert_eq!(ub64enc(&[0xfd, 0xfe, 0xff, 0, 0x20, 0x7a]), b"_f7_ACB6");
        assert_eq!(ub64enc(b"ab"), b"YWI");
        assert_eq!(super::super::b64_encode(b"a"), b"YQ==");
        assert_eq!(super::super::b64_encode(b"ab?"), b"YWI/");
        assert_eq!(url_enc(b"a b\0c"), b"a%20b");
        assert_eq!(
            ub64dec(b"aGVsbG8_d29ybGQ").as_deref(),
            Some(&b"hello?world"[..])
        );
        assert_eq!(url_enc(b" !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\x7f\x80"),
            b"%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%7F%80".to_vec());
        let j = "a\u{e9}b\u{20ac}c\u{1f600}d".as_bytes();
        assert_eq!(json(j, JsonIn::Utf8), None);
        assert_eq!(
            json(j, JsonIn::Utf8s).as_deref(),
            Some(&b"a\\u00e9b\\u20accd"[..])
        );
        assert_eq!(
            json(j, JsonIn::Ascii).as_deref(),
            Some(&b"a\\u00c3\\u00a9b\\u00e2\\u0082\\u00acc\\u00f0\\u009f\\u0098\\u0080d"[..])
        );
        let j2 = b"a\xe0b\"\\/\x7f\xc0\xaf";
        assert_eq!(json(j2, JsonIn::Utf8), None);
        assert_eq!(
            json(j2, JsonIn::Utf8s).as_deref(),
            Some(&b"ab\\\"\\\\\\/\\u007f"[..])
        );
        assert_eq!(
            json(j2, JsonIn::Ascii).as_deref(),
            Some(&b"a\\u00e0b\\\"\\\\\\/\\u007f\\u00c0\\u00af"[..])
        );
        let vals =
            |s: &str| -> Vec<Box<[u8]>> { s.split(';').map(|x| x.as_bytes().into()).collect() };
        let al = b"fr;q=0.5, en-US;q=0.8, es;q=0.8, de";
        assert_eq!(language(al, &vals("es;fr;en-US;en")), Some(&b"en-US"[..]));
        assert_eq!(language(al, &vals("de;xx")), Some(&b"de"[..]));
        assert_eq!(language(al, &vals("en")), Some(&b"en"[..]));
        assert_eq!(
            language(b"pt, en;q=0.9", &vals("en-GB;pt")),
            Some(&b"pt"[..])
        );
        assert_eq!(language(b"pt, en;q=0.9", &vals("de;it")), None);
        let q = br#"{"a":{"b":"v1"},"n":41,"f":1.5,"t":true,"my.key":"mk","arr":[1,"two",3],"s":"q\"u"}"#;
        let run = |p: &str, int: bool| match parse_path(p).and_then(|p| json_query(q, &p, int)) {
            Some(JsonOut::Str(s)) => s,
            Some(JsonOut::Int(i)) => i.to_string(),
            Some(JsonOut::Bool(b)) => u8::from(b).to_string(),
            None => String::new(),
        };
        assert_eq!(run("$.a.b", false), "v1");
        assert_eq!(run("$.n", true), "41");
        assert_eq!(run("$.f", false), "1.5");
        assert_eq!(run("$.f", true), "1");
        assert_eq!(run("$.t", false), "1");
        assert_eq!(run("$.my\\.key", false), "mk");
        assert_eq!(run("$.arr[1]", false), "two");
        assert_eq!(run("$.s", false), "q\"u");
        assert_eq!(run("$.a", false), "");
        assert_eq!(run("$.n", false), "41");
    }
}
