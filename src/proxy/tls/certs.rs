//! Certificate loading the way HAProxy 2.6 loads `crt` / `crt-list`, and SNI
//! certificate selection the way its `ssl_sock_switchctx_cbk` chooses.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::TlsError;
use super::x509;

/// One loaded certificate: chain + key, and the names HAProxy indexes it by.
#[derive(Debug, Clone)]
pub struct LoadedCert {
    pub key: Arc<CertifiedKey>,
    /// Names from the certificate: CNs then SAN dNSNames (HAProxy indexes both).
    pub names: Vec<String>,
}

fn strerror(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Load one PEM file: chain (+ key, else from `FILE.key`), like HAProxy's
/// `ssl_sock_load_pem_into_ckch` with the `.key` fallback.
pub fn load_pem(path: &str, provider: &CryptoProvider) -> Result<LoadedCert, TlsError> {
    let text = std::fs::read(path).map_err(|_| TlsError::LoadCert(path.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&text)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(TlsError::LoadCert(path.to_string()));
    }
    let key = match PrivateKeyDer::from_pem_slice(&text) {
        Ok(k) => k,
        Err(_) => {
            let kpath = format!("{path}.key");
            let kt = std::fs::read(&kpath).map_err(|_| TlsError::NoKey(kpath.clone()))?;
            PrivateKeyDer::from_pem_slice(&kt).map_err(|_| TlsError::NoKey(kpath.clone()))?
        }
    };
    let names = chain
        .first()
        .and_then(|c| x509::cert_names(c.as_ref()))
        .map(|n| {
            let mut v = n.common_names;
            v.extend(n.dns_names);
            v
        })
        .unwrap_or_default();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|_| TlsError::BadKey(path.to_string()))?;
    let ck = CertifiedKey::new(chain, signing);
    // Only a proven mismatch is fatal: a certificate webpki cannot parse
    // (X.509 v1, which OpenSSL loads) still serves.
    if let Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) =
        ck.keys_match()
    {
        return Err(TlsError::KeyMismatch(path.to_string()));
    }
    Ok(LoadedCert {
        key: Arc::new(ck),
        names,
    })
}

/// Files HAProxy skips in a `crt DIR` (they accompany a certificate).
fn skipped_in_dir(name: &str) -> bool {
    name.starts_with('.')
        || [".key", ".ocsp", ".issuer", ".sctl"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// `crt PATH`: a file, or every certificate file of a directory in name order.
pub fn load_crt(
    path: &str,
    provider: &CryptoProvider,
    notes: &mut Vec<String>,
) -> Result<Vec<LoadedCert>, TlsError> {
    let meta = std::fs::metadata(path).map_err(|e| TlsError::Stat {
        path: path.to_string(),
        reason: strerror(&e),
    })?;
    let files = if meta.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| TlsError::Stat {
            path: path.to_string(),
            reason: strerror(&e),
        })?;
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !skipped_in_dir(n))
            .collect();
        names.sort();
        let dir = path.trim_end_matches('/');
        names.into_iter().map(|n| format!("{dir}/{n}")).collect()
    } else {
        vec![path.to_string()]
    };
    let mut out = Vec::new();
    for f in files {
        for side in ["ocsp", "issuer", "sctl"] {
            if Path::new(&format!("{f}.{side}")).exists() {
                notes.push(format!(
                    "'{f}.{side}' ignored: OCSP stapling and SCTs are not supported."
                ));
            }
        }
        out.push(load_pem(&f, provider)?);
    }
    Ok(out)
}

/// One `crt-list` entry: the certificate, the SNI filters, bracket options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrtListLine {
    pub cert: String,
    pub ssl_options: Vec<String>,
    pub filters: Vec<String>,
}

/// Parse a crt-list file's text: `CERT [[opts]] [filters...]`, `#` comments.
/// Certificate paths are resolved against `crt_base` unless absolute.
pub fn parse_crt_list(text: &str, crt_base: Option<&str>) -> Vec<CrtListLine> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut rest = line;
        let cert_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let cert = rest.get(..cert_end).unwrap_or("").to_string();
        rest = rest.get(cert_end..).unwrap_or("").trim_start();
        let mut ssl_options = Vec::new();
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            ssl_options = inner
                .get(..end)
                .unwrap_or("")
                .split_whitespace()
                .map(String::from)
                .collect();
            rest = inner.get(end + 1..).unwrap_or("");
        }
        let filters = rest.split_whitespace().map(String::from).collect();
        let cert = match crt_base {
            Some(b) if !cert.starts_with('/') => format!("{}/{cert}", b.trim_end_matches('/')),
            _ => cert,
        };
        out.push(CrtListLine {
            cert,
            ssl_options,
            filters,
        });
    }
    out
}

/// The names a crt-list line indexes its certificate by: positive filters if
/// any, else the certificate's own names; `!name` filters remove names.
pub fn names_for(line_filters: &[String], cert_names: &[String]) -> Vec<String> {
    let negative: Vec<String> = line_filters
        .iter()
        .filter_map(|f| f.strip_prefix('!'))
        .map(str::to_ascii_lowercase)
        .collect();
    let positive: Vec<String> = line_filters
        .iter()
        .filter(|f| !f.starts_with('!') && f.as_str() != "*")
        .cloned()
        .collect();
    let base = if positive.is_empty() {
        cert_names.to_vec()
    } else {
        positive
    };
    base.into_iter()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| !negative.contains(n))
        .collect()
}

/// HAProxy's SNI selection: exact names, then `*.` wildcards covering one
/// label, then the bind's first certificate (none with `strict-sni`). When
/// one name has several certificates (RSA and ECDSA), ECDSA is served to
/// clients that can verify it, as HAProxy's multi-cert bundles do.
#[derive(Debug, Default)]
pub struct SniResolver {
    exact: HashMap<String, Vec<Arc<CertifiedKey>>>,
    wildcard: HashMap<String, Vec<Arc<CertifiedKey>>>,
    default: Option<Arc<CertifiedKey>>,
    strict: bool,
}

impl SniResolver {
    pub fn new(strict: bool) -> Self {
        SniResolver {
            strict,
            ..SniResolver::default()
        }
    }

    /// Index `key` under `names`; the first key added becomes the default.
    pub fn add(&mut self, key: Arc<CertifiedKey>, names: &[String]) {
        if self.default.is_none() {
            self.default = Some(Arc::clone(&key));
        }
        for n in names {
            let n = n.to_ascii_lowercase();
            let (map, k) = match n.strip_prefix("*.") {
                Some(suffix) => (&mut self.wildcard, suffix.to_string()),
                None => (&mut self.exact, n),
            };
            let v = map.entry(k).or_default();
            if !v.iter().any(|x| Arc::ptr_eq(x, &key)) {
                v.push(Arc::clone(&key));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_none()
    }

    /// The certificate for a server name and client signature schemes;
    /// `ecdsa_suites`: the client offers a suite an ECDSA key can serve
    /// (any TLS 1.3 suite, or a TLS 1.2 ECDHE-ECDSA one).
    pub fn select(
        &self,
        sni: Option<&str>,
        schemes: &[SignatureScheme],
        ecdsa_suites: bool,
    ) -> Option<Arc<CertifiedKey>> {
        if let Some(name) = sni {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if let Some(v) = self.exact.get(&name) {
                return pick(v, schemes, ecdsa_suites);
            }
            if let Some((_, parent)) = name.split_once('.')
                && let Some(v) = self.wildcard.get(parent)
            {
                return pick(v, schemes, ecdsa_suites);
            }
        }
        if self.strict {
            return None;
        }
        self.default.clone()
    }
}

fn pick(
    v: &[Arc<CertifiedKey>],
    schemes: &[SignatureScheme],
    ecdsa_suites: bool,
) -> Option<Arc<CertifiedKey>> {
    let usable = |k: &&Arc<CertifiedKey>| {
        k.key.choose_scheme(schemes).is_some()
            && (ecdsa_suites || k.key.algorithm() != SignatureAlgorithm::ECDSA)
    };
    v.iter()
        .filter(usable)
        .find(|k| k.key.algorithm() == SignatureAlgorithm::ECDSA)
        .or_else(|| v.iter().find(usable))
        .or_else(|| v.first())
        .cloned()
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        use rustls::CipherSuite as C;
        let ecdsa_suites = hello.cipher_suites().iter().any(|s| {
            matches!(
                s,
                C::TLS13_AES_128_GCM_SHA256
                    | C::TLS13_AES_256_GCM_SHA384
                    | C::TLS13_CHACHA20_POLY1305_SHA256
                    | C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                    | C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                    | C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
            )
        });
        self.select(hello.server_name(), hello.signature_schemes(), ecdsa_suites)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crt_list_lines() {
        let t = "# comment\n\ncert1.pem\n/abs/c2.pem [alpn h2 verify none] www.a.test !b.a.test\nc3.pem *.w.test\n";
        let l = parse_crt_list(t, Some("/base/"));
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].cert, "/base/cert1.pem");
        assert_eq!(l[1].cert, "/abs/c2.pem");
        assert_eq!(l[1].ssl_options, ["alpn", "h2", "verify", "none"]);
        assert_eq!(l[1].filters, ["www.a.test", "!b.a.test"]);
        assert_eq!(l[2].filters, ["*.w.test"]);
    }

    #[test]
    fn filters() {
        let own = vec!["a.test".to_string(), "B.test".to_string()];
        assert_eq!(names_for(&[], &own), ["a.test", "b.test"]);
        assert_eq!(names_for(&["!b.test".into()], &own), ["a.test"]);
        assert_eq!(names_for(&["x.test".into()], &own), ["x.test"]);
    }

    #[test]
    fn skip_rules() {
        assert!(skipped_in_dir("a.pem.key"));
        assert!(skipped_in_dir("a.pem.ocsp"));
        assert!(skipped_in_dir(".hidden"));
        assert!(!skipped_in_dir("a.pem"));
    }
}
