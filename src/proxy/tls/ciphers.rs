//! OpenSSL cipher strings (`ciphers`, `ssl-default-*-ciphers`) and TLS 1.3
//! suite lists (`ciphersuites`) mapped onto the suites rustls (ring) has.
//!
//! OpenSSL's list language: elements separated by `:` (also `,` or spaces),
//! each a cipher name or an alias, aliases joined by `+` meaning "all of";
//! prefix `!` removes for good, `-` removes, `+` moves to the end; `@...`
//! commands are ignored. Words naming nothing rustls has select nothing, as
//! OpenSSL's unknown words do; a string selecting no suite at all is an error
//! (the caller says so), never a silent fallback to defaults.

use rustls::SupportedCipherSuite;
use rustls::crypto::ring::cipher_suite as cs;

/// A TLS 1.2 suite and the OpenSSL words that select it.
struct Tls12 {
    name: &'static str,
    suite: SupportedCipherSuite,
    auth: &'static str,
    enc: &'static [&'static str],
    hash: &'static str,
}

/// In OpenSSL's default strength order (what `openssl ciphers -v HIGH` lists
/// for these six: AES256 first, then ChaCha20, then AES128; ECDSA before RSA).
fn tls12_table() -> [Tls12; 6] {
    [
        Tls12 {
            name: "ECDHE-ECDSA-AES256-GCM-SHA384",
            suite: cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            auth: "ECDSA",
            enc: &["AESGCM", "AES", "AES256"],
            hash: "SHA384",
        },
        Tls12 {
            name: "ECDHE-RSA-AES256-GCM-SHA384",
            suite: cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            auth: "RSA",
            enc: &["AESGCM", "AES", "AES256"],
            hash: "SHA384",
        },
        Tls12 {
            name: "ECDHE-ECDSA-CHACHA20-POLY1305",
            suite: cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            auth: "ECDSA",
            enc: &["CHACHA20"],
            hash: "SHA256",
        },
        Tls12 {
            name: "ECDHE-RSA-CHACHA20-POLY1305",
            suite: cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            auth: "RSA",
            enc: &["CHACHA20"],
            hash: "SHA256",
        },
        Tls12 {
            name: "ECDHE-ECDSA-AES128-GCM-SHA256",
            suite: cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            auth: "ECDSA",
            enc: &["AESGCM", "AES", "AES128"],
            hash: "SHA256",
        },
        Tls12 {
            name: "ECDHE-RSA-AES128-GCM-SHA256",
            suite: cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            auth: "RSA",
            enc: &["AESGCM", "AES", "AES128"],
            hash: "SHA256",
        },
    ]
}

/// Does one alias word (no `+`) select this suite?
fn word_matches(word: &str, s: &Tls12) -> bool {
    if word.eq_ignore_ascii_case(s.name) {
        return true;
    }
    match word {
        "ALL" | "DEFAULT" | "HIGH" | "TLSv1.2" | "AEAD" | "ECDHE" | "EECDH" | "kECDHE"
        | "kEECDH" | "FIPS" | "SECURE128" => true,
        "SUITEB128" | "SUITEB192" | "SECURE192" => false,
        "aRSA" => s.auth == "RSA",
        "aECDSA" | "ECDSA" => s.auth == "ECDSA",
        "SHA256" | "SHA384" => s.hash == word,
        w => s.enc.contains(&w),
    }
}

/// The OpenSSL name of a rustls suite, as `ssl_fc_cipher` shows it.
pub fn openssl_name(suite: rustls::CipherSuite) -> Option<&'static str> {
    use rustls::CipherSuite as C;
    Some(match suite {
        C::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256",
        C::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384",
        C::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256",
        other => {
            return tls12_table()
                .into_iter()
                .find(|t| t.suite.suite() == other)
                .map(|t| t.name);
        }
    })
}

/// Result of mapping a cipher string.
#[derive(Debug, Default)]
pub struct Mapped {
    pub suites: Vec<SupportedCipherSuite>,
    /// Concrete cipher names OpenSSL knows but rustls lacks (dropped).
    pub dropped: Vec<String>,
}

/// Map an OpenSSL TLS 1.2 cipher string onto rustls suites, in order.
pub fn map_tls12(spec: &str) -> Mapped {
    let table = tls12_table();
    let mut order: Vec<usize> = Vec::new();
    let mut banned = [false; 6];
    let mut dropped = Vec::new();
    for elem in spec
        .split([':', ',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        if elem.starts_with('@') {
            continue;
        }
        let (op, body) = match elem.as_bytes().first() {
            Some(b'!') | Some(b'-') | Some(b'+') => (elem.get(..1), elem.get(1..).unwrap_or("")),
            _ => (None, elem),
        };
        let words: Vec<&str> = body.split('+').filter(|w| !w.is_empty()).collect();
        let hits: Vec<usize> = (0..table.len())
            .filter(|&i| {
                table
                    .get(i)
                    .is_some_and(|s| !words.is_empty() && words.iter().all(|w| word_matches(w, s)))
            })
            .collect();
        // A full cipher name (dashes, upper case) rustls lacks is worth a note.
        if hits.is_empty() && op.is_none() && words.len() == 1 && body.contains('-') {
            dropped.push(body.to_string());
        }
        match op {
            Some("!") => {
                for &i in &hits {
                    if let Some(b) = banned.get_mut(i) {
                        *b = true;
                    }
                }
                order.retain(|i| !hits.contains(i));
            }
            Some("-") => order.retain(|i| !hits.contains(i)),
            Some(_) => {
                // `+`: move the matching suites (already listed) to the end.
                let moved: Vec<usize> =
                    order.iter().copied().filter(|i| hits.contains(i)).collect();
                order.retain(|i| !hits.contains(i));
                order.extend(moved);
            }
            None => {
                for i in hits {
                    if !order.contains(&i) && !banned.get(i).copied().unwrap_or(true) {
                        order.push(i);
                    }
                }
            }
        }
    }
    Mapped {
        suites: order
            .into_iter()
            .filter_map(|i| table.get(i).map(|t| t.suite))
            .collect(),
        dropped,
    }
}

/// Map a TLS 1.3 `ciphersuites` list (`TLS_AES_128_GCM_SHA256:...`).
pub fn map_tls13(spec: &str) -> Mapped {
    let mut out = Mapped::default();
    for name in spec.split(':').map(str::trim).filter(|e| !e.is_empty()) {
        let suite = match name {
            "TLS_AES_128_GCM_SHA256" => cs::TLS13_AES_128_GCM_SHA256,
            "TLS_AES_256_GCM_SHA384" => cs::TLS13_AES_256_GCM_SHA384,
            "TLS_CHACHA20_POLY1305_SHA256" => cs::TLS13_CHACHA20_POLY1305_SHA256,
            other => {
                out.dropped.push(other.to_string());
                continue;
            }
        };
        if !out.suites.iter().any(|s| s.suite() == suite.suite()) {
            out.suites.push(suite);
        }
    }
    out
}

/// HAProxy 2.6's TLS 1.3 default (OpenSSL 3's): all three, AES256 first.
pub fn default_tls13() -> Vec<SupportedCipherSuite> {
    vec![
        cs::TLS13_AES_256_GCM_SHA384,
        cs::TLS13_CHACHA20_POLY1305_SHA256,
        cs::TLS13_AES_128_GCM_SHA256,
    ]
}

/// OpenSSL's `DEFAULT` list restricted to what rustls has.
pub fn default_tls12() -> Vec<SupportedCipherSuite> {
    map_tls12("DEFAULT").suites
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(m: &Mapped) -> Vec<&'static str> {
        m.suites
            .iter()
            .filter_map(|s| openssl_name(s.suite()))
            .collect()
    }

    #[test]
    fn concrete_names_keep_their_order() {
        let m = map_tls12("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
        assert_eq!(
            names(&m),
            [
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-AES256-GCM-SHA384"
            ]
        );
    }

    #[test]
    fn aliases_and_exclusions() {
        // Mozilla "intermediate"-style string.
        let m = map_tls12("ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!MD5:!DSS");
        assert_eq!(
            names(&m),
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305",
            ]
        );
        let m = map_tls12("HIGH:!aECDSA:!AES256:-CHACHA20");
        assert_eq!(names(&m), ["ECDHE-RSA-AES128-GCM-SHA256"]);
        let m = map_tls12("HIGH:!CHACHA20:CHACHA20");
        assert_eq!(m.suites.len(), 4, "! bans for good");
        let m = map_tls12("AES128:+aRSA");
        assert_eq!(
            names(&m),
            [
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256"
            ]
        );
    }

    #[test]
    fn names_rustls_lacks_select_nothing() {
        let m = map_tls12("DHE-RSA-AES128-GCM-SHA256:AES128-SHA");
        assert!(m.suites.is_empty());
        assert_eq!(m.dropped, ["DHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]);
        assert!(map_tls12("FOO").suites.is_empty());
        let m = map_tls13("TLS_AES_128_CCM_SHA256:TLS_CHACHA20_POLY1305_SHA256");
        assert_eq!(names(&m), ["TLS_CHACHA20_POLY1305_SHA256"]);
        assert_eq!(m.dropped, ["TLS_AES_128_CCM_SHA256"]);
        assert!(map_tls13("FOO").suites.is_empty());
    }
}
