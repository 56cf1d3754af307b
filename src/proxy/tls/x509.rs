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
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// Read the names out of a DER certificate; `None` if it is not one.
pub fn cert_names(der: &[u8]) -> Option<CertNames> {
    let (cert, _) = next(der)?;
    let (tbs, _) = next(cert.body)?;
    let mut fields = children(tbs.body).into_iter();
    let mut first = fields.next()?;
    if first.tag == 0xa0 {
        // Explicit version; the serial follows.
        first = fields.next()?;
    }
    let _serial = first;
    let _sig_alg = fields.next()?;
    let _issuer = fields.next()?;
    let _validity = fields.next()?;
    let subject = fields.next()?;
    let mut names = CertNames::default();
    let mut dn = String::new();
    for rdn in children(subject.body) {
        for atv in children(rdn.body) {
            let parts = children(atv.body);
            let (Some(oid), Some(val)) = (parts.first(), parts.get(1)) else {
                continue;
            };
            let text = string_value(val);
            if oid.body == OID_CN {
                names.common_names.push(text.clone());
            }
            dn.push('/');
            dn.push_str(&attr_name(oid.body));
            dn.push('=');
            dn.push_str(&text);
        }
    }
    names.subject_dn = dn;
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
                    names
                        .dns_names
                        .push(String::from_utf8_lossy(name.body).into_owned());
                }
            }
        }
    }
    Some(names)
}

/// The subject DN of a DER certificate in OpenSSL's one-line form.
pub fn subject_dn(der: &[u8]) -> Option<String> {
    cert_names(der).map(|n| n.subject_dn)
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
