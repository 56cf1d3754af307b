//! Just enough DER reading to get what HAProxy takes from a certificate: the
//! subject's commonNames and the subjectAltName dNSNames (SNI selection), and
//! the subject DN in OpenSSL's one-line form (`ssl_c_s_dn`). No crate in the
//! dependency set exposes these, and a full X.509 parser is not needed.

/// One DER element: tag byte and content.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Split the first element off `input`; `None` on malformed DER.
fn next(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = if l0 < 0x80 {
        (usize::from(l0), rest)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (lb, rest) = rest.split_at(n);
        (
            lb.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (body, rest) = rest.split_at(len);
    Some((Tlv { tag, body }, rest))
}

/// All elements of a constructed body.
fn children(mut body: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let Some((t, rest)) = next(body) {
        out.push(t);
        body = rest;
    }
    out
}

/// The parts of a certificate TLS code cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertNames {
    /// commonName values of the subject, in order.
    pub common_names: Vec<String>,
    /// subjectAltName dNSName values, in order.
    pub dns_names: Vec<String>,
    /// Subject DN as OpenSSL's `X509_NAME_oneline` prints it (`/C=FR/O=x/CN=y`).
    pub subject_dn: String,
}

const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];

/// A distinguished name: (attribute short name, value) in certificate order.
pub type Dn = Vec<(String, String)>;

/// What the `ssl_c_*` fetches read from a certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertInfo {
    /// `ssl_c_version`: X509 version + 1 (3 for v3).
    pub version: i64,
    /// `ssl_c_serial`: the serial's magnitude bytes (no DER sign byte), as OpenSSL gives.
    pub serial: Vec<u8>,
    /// `ssl_c_sig_alg`: OpenSSL's short name (`RSA-SHA256`, `ecdsa-with-SHA256`).
    pub sig_alg: String,
    pub issuer: Dn,
    pub subject: Dn,
    /// `ssl_c_notbefore` / `ssl_c_notafter`: the ASN.1 time text (`261122051432Z`).
    pub not_before: String,
    pub not_after: String,
    /// `ssl_c_key_alg`: `rsaEncryption`, `id-ecPublicKey`...
    pub key_alg: String,
    /// subjectAltName dNSName values, in order.
    pub dns_names: Vec<String>,
}

/// Parse the fields of a DER certificate; `None` if it is not one.
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    let (cert, _) = next(der)?;
    let (tbs, _) = next(cert.body)?;
    let mut fields = children(tbs.body).into_iter();
    let mut first = fields.next()?;
    let mut info = CertInfo {
        version: 1,
        ..CertInfo::default()
    };
    if first.tag == 0xa0 {
        // Explicit version (0 = v1); the serial follows.
        if let Some((v, _)) = next(first.body) {
            info.version = v.body.last().map_or(0, |b| i64::from(*b)) + 1;
        }
        first = fields.next()?;
    }
    let serial = first.body;
    info.serial = match serial {
        [0, rest @ ..] if !rest.is_empty() => rest.to_vec(),
        s => s.to_vec(),
    };
    let sig_alg = fields.next()?;
    info.sig_alg = children(sig_alg.body)
        .first()
        .map(|o| sig_alg_name(o.body))
        .unwrap_or_default();
    info.issuer = read_dn(fields.next()?.body);
    let validity = fields.next()?;
    let times = children(validity.body);
    let time = |i: usize| {
        times
            .get(i)
            .map(|t| String::from_utf8_lossy(t.body).into_owned())
            .unwrap_or_default()
    };
    info.not_before = time(0);
    info.not_after = time(1);
    info.subject = read_dn(fields.next()?.body);
    if let Some(spki) = fields.next() {
        info.key_alg = children(spki.body)
            .first()
            .and_then(|alg| children(alg.body).into_iter().next())
            .map(|o| key_alg_name(o.body))
            .unwrap_or_default();
    }
    for f in fields {
        if f.tag != 0xa3 {
            continue;
        }
        let Some((exts, _)) = next(f.body) else {
            continue;
        };
        for ext in children(exts.body) {
            let parts = children(ext.body);
            if parts.first().map(|o| o.body) != Some(OID_SAN) {
                continue;
            }
            // extnValue is the last element (critical may sit in between).
            let Some(value) = parts.last() else { continue };
            let Some((gn, _)) = next(value.body) else {
                continue;
            };
            for name in children(gn.body) {
                if name.tag == 0x82 {
                    info.dns_names
                        .push(String::from_utf8_lossy(name.body).into_owned());
                }
            }
        }
    }
    Some(info)
}

fn read_dn(body: &[u8]) -> Dn {
    let mut dn = Vec::new();
    for rdn in children(body) {
        for atv in children(rdn.body) {
            let parts = children(atv.body);
            if let (Some(oid), Some(val)) = (parts.first(), parts.get(1)) {
                dn.push((attr_name(oid.body), string_value(val)));
            }
        }
    }
    dn
}

/// OpenSSL's `X509_NAME_oneline` form: `/C=FR/O=x/CN=y`, bytes outside
/// printable ASCII as `\xHH`.
pub fn dn_oneline(dn: &Dn) -> String {
    let mut out = String::new();
    for (k, v) in dn {
        out.push('/');
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            if (b' '..=b'~').contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
    }
    out
}

/// OpenSSL's RFC 2253 form (`X509_NAME_print_ex` with `XN_FLAG_RFC2253`):
/// last RDN first, comma-separated, special characters escaped.
pub fn dn_rfc2253(dn: &Dn) -> String {
    let mut parts = Vec::with_capacity(dn.len());
    for (k, v) in dn.iter().rev() {
        let mut e = String::new();
        let last = v.chars().count().saturating_sub(1);
        for (i, c) in v.chars().enumerate() {
            let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
                || (i == 0 && (c == '#' || c == ' '))
                || (i == last && c == ' ');
            if special {
                e.push('\\');
            }
            e.push(c);
        }
        parts.push(format!("{k}={e}"));
    }
    parts.join(",")
}

/// HAProxy's `ssl_sock_get_dn_entry`: the `occ`th value (1-based; negative
/// counts from the end; 0 finds nothing) of the attribute whose short name is
/// `entry` (compared case-insensitively).
pub fn dn_entry<'a>(dn: &'a Dn, entry: &str, occ: i64) -> Option<&'a str> {
    let mut matching = dn
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(entry))
        .map(|(_, v)| v.as_str());
    match occ {
        0 => None,
        n if n > 0 => matching.nth(usize::try_from(n - 1).ok()?),
        n => {
            let all: Vec<&str> = matching.collect();
            let back = usize::try_from(n.unsigned_abs()).ok()?;
            all.len()
                .checked_sub(back)
                .and_then(|i| all.get(i).copied())
        }
    }
}

/// Read the names out of a DER certificate; `None` if it is not one.
pub fn cert_names(der: &[u8]) -> Option<CertNames> {
    let info = cert_info(der)?;
    Some(CertNames {
        common_names: info
            .subject
            .iter()
            .filter(|(k, _)| k == "CN")
            .map(|(_, v)| v.clone())
            .collect(),
        subject_dn: dn_oneline(&info.subject),
        dns_names: info.dns_names,
    })
}

/// The subject DN of a DER certificate in OpenSSL's one-line form.
pub fn subject_dn(der: &[u8]) -> Option<String> {
    cert_info(der).map(|i| dn_oneline(&i.subject))
}

/// OpenSSL's short names of the usual signature algorithms, else the dotted OID.
fn sig_alg_name(oid: &[u8]) -> String {
    const RSA: [u8; 8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
    let name = match oid {
        [r @ .., last] if r == RSA => match last {
            0x04 => "RSA-MD5",
            0x05 => "RSA-SHA1",
            0x0a => "RSASSA-PSS",
            0x0b => "RSA-SHA256",
            0x0c => "RSA-SHA384",
            0x0d => "RSA-SHA512",
            0x0e => "RSA-SHA224",
            _ => return dotted(oid),
        },
        [r @ .., last] if r == ECDSA => match last {
            0x01 => "ecdsa-with-SHA224",
            0x02 => "ecdsa-with-SHA256",
            0x03 => "ecdsa-with-SHA384",
            0x04 => "ecdsa-with-SHA512",
            _ => return dotted(oid),
        },
        [0x2b, 0x65, 0x70] => "ED25519",
        [0x2b, 0x65, 0x71] => "ED448",
        _ => return dotted(oid),
    };
    name.to_string()
}

fn key_alg_name(oid: &[u8]) -> String {
    match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] => "rsaEncryption".into(),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a] => "RSASSA-PSS".into(),
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] => "id-ecPublicKey".into(),
        [0x2b, 0x65, 0x70] => "ED25519".into(),
        [0x2b, 0x65, 0x71] => "ED448".into(),
        _ => dotted(oid),
    }
}

fn string_value(v: &Tlv<'_>) -> String {
    match v.tag {
        // BMPString: UTF-16BE.
        0x1e => {
            let units: Vec<u16> = v
                .body
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(v.body).into_owned(),
    }
}

/// OpenSSL's short name for an attribute type, else the dotted OID.
fn attr_name(oid: &[u8]) -> String {
    let short = match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x04] => "SN",
        [0x55, 0x04, 0x05] => "serialNumber",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x09] => "street",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        [0x55, 0x04, 0x0c] => "title",
        [0x55, 0x04, 0x2a] => "GN",
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        _ => return dotted(oid),
    };
    short.to_string()
}

fn dotted(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in oid {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_oid() {
        assert_eq!(
            dotted(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37]),
            "1.3.6.1.4.1.311"
        );
        assert_eq!(attr_name(&[0x55, 0x04, 0x03]), "CN");
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(cert_names(b"\x30\x05abc"), None);
        assert_eq!(cert_names(b""), None);
    }
}
