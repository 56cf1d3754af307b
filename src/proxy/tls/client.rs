//! TLS origination: `server ... ssl [verify none|required] [ca-file] [crt]
//! [sni EXPR] [verifyhost NAME] [alpn] [ciphers] [ssl-min-ver]...` plus the
//! global `ssl-default-server-*` and `ssl-server-verify`.
//!
//! Name checking follows HAProxy's `ssl_sock_srv_verifycbk`: the name checked
//! is the SNI that was sent, else `verifyhost`, else none at all (the chain is
//! still verified against the CA file).

use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::{
    TlsError, Versions, certs, global_default, global_value, load_crls, load_roots, provider_with,
    suites, version_index,
};
use crate::ir::haproxy::Global;
use crate::ir::haproxy::expr::Server;

/// A built origination config.
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub config: Arc<ClientConfig>,
    /// The `sni` sample expression as written (evaluate per request; `None`:
    /// send no SNI, as HAProxy does).
    pub sni_expr: Option<String>,
    pub notes: Vec<String>,
}

/// `verify none`: accepts any certificate chain and name. Handshake
/// signatures are still checked, so the peer must hold the key of the
/// certificate it shows; only its identity is not checked, as in HAProxy.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify required`: chain checked against the CA file; the name checked is
/// the SNI sent, else `verifyhost`, else not checked.
#[derive(Debug)]
struct HaproxyVerifier {
    inner: Arc<WebPkiServerVerifier>,
    verifyhost: Option<ServerName<'static>>,
}

impl ServerCertVerifier for HaproxyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let (name, check_name) = match (server_name, &self.verifyhost) {
            (ServerName::DnsName(_), _) => (server_name, true),
            (_, Some(h)) => (h, true),
            _ => (server_name, false),
        };
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            // webpki reads only SAN dNSNames; OpenSSL's check in HAProxy also
            // accepts a matching subject CN. The chain was verified already.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !check_name || name_in_cert(end_entity, name) => {
                Ok(ServerCertVerified::assertion())
            }
            r => r,
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

/// HAProxy's `ssl_sock_srv_hostcheck` over SAN dNSNames then CNs: exact
/// (case-insensitive) or a leftmost `*` label standing for one label.
fn name_in_cert(cert: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    let ServerName::DnsName(dns) = name else {
        return false;
    };
    let want = dns.as_ref().to_ascii_lowercase();
    let Some(n) = super::cert_names(cert.as_ref()) else {
        return false;
    };
    n.dns_names.iter().chain(n.common_names.iter()).any(|pat| {
        let pat = pat.to_ascii_lowercase();
        match pat.strip_prefix("*.") {
            Some(suffix) => want
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => pat == want,
        }
    })
}

impl ClientTls {
    /// Build the origination config of a `server ... ssl` (or `check-ssl`).
    pub fn new(global: &Global, server: &Server) -> Result<ClientTls, TlsError> {
        let o = &server.opts;
        let mut notes = Vec::new();
        let mut v = Versions::default();
        if let Some(words) = global_default(global, "server", "options") {
            v.apply_words(words)?;
        }
        if let Some(m) = &o.ssl_min_ver {
            v.min = Some(version_index(m)?);
        }
        if let Some(m) = &o.ssl_max_ver {
            v.max = Some(version_index(m)?);
        }
        for (k, _) in &o.other {
            if let Some(f) = k.strip_prefix("no-") {
                v.set_no(f);
            } else if let Some(f) = k.strip_prefix("force-") {
                v.force = super::flag_index(f);
            }
        }
        let versions = v.resolve()?;
        let g_ciphers = global_default(global, "server", "ciphers").and_then(|a| a.first());
        let g_suites = global_default(global, "server", "ciphersuites").and_then(|a| a.first());
        let suites = suites(
            o.ciphers.as_deref().or(g_ciphers.map(String::as_str)),
            o.ciphersuites.as_deref().or(g_suites.map(String::as_str)),
            &versions,
            &mut notes,
        )?;
        let provider = provider_with(suites);

        let verify_required = match o.verify.as_deref() {
            Some(v) => v != "none",
            None => global_value(&global.other, "ssl-server-verify") != Some("none"),
        };
        let verifier: Arc<dyn ServerCertVerifier> = if verify_required {
            let ca = o.ca_file.as_deref().ok_or(TlsError::VerifyWithoutCa)?;
            let roots = Arc::new(load_roots(ca)?);
            let mut b = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider));
            if let Some(crl) = &o.crl_file {
                b = b.with_crls(load_crls(crl)?);
            }
            let inner = b.build().map_err(|e| TlsError::Verifier {
                path: ca.to_string(),
                reason: e.to_string(),
            })?;
            let verifyhost = o
                .verifyhost
                .as_deref()
                .and_then(|h| ServerName::try_from(h.to_string()).ok());
            Arc::new(HaproxyVerifier { inner, verifyhost })
        } else {
            Arc::new(AcceptAnyCert(Arc::clone(&provider)))
        };

        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(&versions)?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut cfg = match &o.crt {
            Some(path) => {
                let c = certs::load_pem(path, &provider)?;
                builder.with_client_auth_cert(c.key.cert.clone(), client_key_der(path)?)?
            }
            None => builder.with_no_client_auth(),
        };
        if let Some(alpn) = &o.alpn {
            cfg.alpn_protocols = alpn
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| p.as_bytes().to_vec())
                .collect();
        }
        if o.other.iter().any(|(k, _)| k == "no-ssl-reuse") {
            cfg.resumption = rustls::client::Resumption::disabled();
        }
        if o.other.iter().any(|(k, _)| k == "no-tls-tickets") {
            cfg.resumption = cfg
                .resumption
                .clone()
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly);
        }
        Ok(ClientTls {
            config: Arc::new(cfg),
            sni_expr: o.sni.clone(),
            notes,
        })
    }
}

/// The private key of a client certificate PEM (in it, else `FILE.key`).
fn client_key_der(path: &str) -> Result<rustls_pki_types::PrivateKeyDer<'static>, TlsError> {
    use rustls_pki_types::PrivateKeyDer;
    use rustls_pki_types::pem::PemObject;
    PrivateKeyDer::from_pem_file(path).or_else(|_| {
        let k = format!("{path}.key");
        PrivateKeyDer::from_pem_file(&k).map_err(|_| TlsError::NoKey(k.clone()))
    })
}

/// `client_config(global, server)`: the rustls client config of a `server ... ssl`.
pub fn client_config(global: &Global, server: &Server) -> Result<Arc<ClientConfig>, TlsError> {
    ClientTls::new(global, server).map(|c| c.config)
}

/// The value of an `sni` expression that is a constant `str(NAME)`.
pub fn constant_sni(expr: &str) -> Option<&str> {
    expr.trim()
        .strip_prefix("str(")
        .and_then(|s| s.strip_suffix(')'))
}

/// The name to hand `TlsConnector::connect`: a DNS name sends it as SNI;
/// without SNI (or with an IP-literal or invalid SNI value) the server's
/// address is used, which rustls never sends.
pub fn server_name(sni: Option<&str>, addr: IpAddr) -> ServerName<'static> {
    sni.filter(|s| !s.is_empty())
        .and_then(|s| ServerName::try_from(s.to_string()).ok())
        .filter(|n| matches!(n, ServerName::DnsName(_)))
        .unwrap_or(ServerName::IpAddress(addr.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sni_helpers() {
        assert_eq!(constant_sni("str(www.a.test)"), Some("www.a.test"));
        assert_eq!(constant_sni("req.hdr(host)"), None);
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert!(matches!(
            server_name(Some("a.test"), ip),
            ServerName::DnsName(_)
        ));
        assert!(matches!(server_name(None, ip), ServerName::IpAddress(_)));
        assert!(matches!(
            server_name(Some("10.0.0.1"), ip),
            ServerName::IpAddress(_)
        ));
    }
}
