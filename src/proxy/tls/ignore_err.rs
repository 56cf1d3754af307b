//! `ca-ignore-err` / `crt-ignore-err` on `bind ... verify optional|required`: a client
//! certificate whose verification fails with an ignored error is accepted, and
//! `ssl_c_verify` then gives the OpenSSL error code (HAProxy's `ssl_sock_bind_verifycbk`:
//! errors at depth 0 are looked up in `crt-ignore-err`, deeper ones in `ca-ignore-err`;
//! `all` ignores every error).
//!
//! webpki's errors are mapped to OpenSSL's `X509_V_ERR_*` numbers. The depth is the
//! leaf's (0) except for an unknown issuer, which OpenSSL reports at the top of the chain
//! the client sent (a self-signed leaf alone is `DEPTH_ZERO_SELF_SIGNED_CERT`, 18).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};

/// Which errors a list ignores.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IgnoreList {
    #[default]
    None,
    All,
    Ids(Vec<i64>),
}

impl IgnoreList {
    /// `all` or comma-separated numeric error IDs (HAProxy 2.6 takes numbers only).
    pub fn parse(v: Option<&str>) -> IgnoreList {
        match v {
            None => IgnoreList::None,
            Some("all") => IgnoreList::All,
            Some(s) => {
                IgnoreList::Ids(s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            }
        }
    }

    fn ignores(&self, code: i64) -> bool {
        match self {
            IgnoreList::None => false,
            IgnoreList::All => true,
            IgnoreList::Ids(v) => v.contains(&code),
        }
    }
}

/// Verification results of accepted certificates, by leaf certificate, for the
/// acceptor to read back into `ssl_c_verify` (rustls keeps no per-connection verifier
/// state).
#[derive(Debug, Default)]
pub struct Results(Mutex<HashMap<Vec<u8>, i64>>);

/// Entries kept before the map is cleared (a certificate seen again is verified again).
const MAX_RESULTS: usize = 1024;

impl Results {
    /// The error an accepted certificate had (`None`: it verified).
    pub fn take(&self, leaf: &[u8]) -> Option<i64> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(leaf)
    }

    fn put(&self, leaf: &[u8], code: i64) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= MAX_RESULTS {
            m.clear();
        }
        m.insert(leaf.to_vec(), code);
    }
}

/// The verifier of a bind with `ca-ignore-err` or `crt-ignore-err`.
#[derive(Debug)]
pub struct IgnoreErrVerifier {
    pub inner: Arc<dyn ClientCertVerifier>,
    pub ca: IgnoreList,
    pub crt: IgnoreList,
    pub results: Arc<Results>,
}

/// OpenSSL's code and depth for a webpki error (`None`: not one OpenSSL would let a
/// callback ignore, or not mapped).
pub fn openssl_error(
    e: &rustls::Error,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> Option<(i64, usize)> {
    let rustls::Error::InvalidCertificate(c) = e else {
        return None;
    };
    // an untrusted self-signed leaf: OpenSSL's first (and reported) error, whatever else
    // webpki finds wrong with it (a CA:TRUE leaf, for one)
    if matches!(
        c,
        CertificateError::UnknownIssuer | CertificateError::Other(_)
    ) && intermediates.is_empty()
        && self_signed(end_entity)
    {
        return Some((18, 0));
    }
    Some(match c {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => (10, 0),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (9, 0),
        CertificateError::BadSignature => (7, 0),
        CertificateError::Revoked => (23, 0),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            (26, 0)
        }
        CertificateError::UnknownIssuer => (20, intermediates.len()),
        _ => return None,
    })
}

fn self_signed(cert: &CertificateDer<'_>) -> bool {
    super::cert_info(cert.as_ref()).is_some_and(|i| i.issuer == i.subject)
}

impl ClientCertVerifier for IgnoreErrVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match self
            .inner
            .verify_client_cert(end_entity, intermediates, now)
        {
            Ok(v) => Ok(v),
            Err(e) => match openssl_error(&e, end_entity, intermediates) {
                Some((code, depth))
                    if (depth == 0 && self.crt.ignores(code))
                        || (depth > 0 && self.ca.ignores(code)) =>
                {
                    self.results.put(end_entity.as_ref(), code);
                    Ok(ClientCertVerified::assertion())
                }
                _ => Err(e),
            },
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(IgnoreList::parse(None), IgnoreList::None);
        assert!(IgnoreList::parse(Some("all")).ignores(20));
        let l = IgnoreList::parse(Some("10,18"));
        assert!(l.ignores(18) && l.ignores(10) && !l.ignores(20));
    }

    #[test]
    fn codes() {
        let leaf = CertificateDer::from(vec![0u8; 4]);
        let e = |c| rustls::Error::InvalidCertificate(c);
        assert_eq!(
            openssl_error(&e(CertificateError::Expired), &leaf, &[]),
            Some((10, 0))
        );
        let inter = [CertificateDer::from(vec![1u8; 4])];
        assert_eq!(
            openssl_error(&e(CertificateError::UnknownIssuer), &leaf, &inter),
            Some((20, 1))
        );
        assert_eq!(
            openssl_error(&e(CertificateError::UnknownIssuer), &leaf, &[]),
            Some((20, 0))
        );
        assert_eq!(
            openssl_error(&rustls::Error::General("x".into()), &leaf, &[]),
            None
        );
    }
}
