//! TLS termination and origination with rustls (ring), built from HAProxy
//! `bind ... ssl` and `server ... ssl` lines plus the global
//! `ssl-default-bind-*` / `ssl-default-server-*` directives.
//!
//! # API (what the engine calls)
//! - Termination: [`ServerTls::new`] turns a `Bind` into an
//!   `Arc<rustls::ServerConfig>`; hold one [`Acceptor`] per bind
//!   (`Acceptor::new(&server_tls)`, cheap to clone into each accept task).
//!   Accept path: `acceptor.accept(tcp).await` ->
//!   `(server::TlsStream<TcpStream>, TlsInfo)`: the stream is AsyncRead +
//!   AsyncWrite, served by the HTTP session like a `TcpStream`; [`TlsInfo`]
//!   holds the `ssl_fc*` / `ssl_c_*` fetch values, computed once per
//!   connection. The older [`acceptor`] + [`TlsInfo::from_server`] pair still
//!   works but lacks two HAProxy behaviours `Acceptor` has (an ALPN list with
//!   nothing in common continues without ALPN; `ssl_fc_sni` keeps the case the
//!   client sent).
//! - Origination: [`ClientTls::new`] (or [`client_config`]) for a `Server`
//!   with `ssl` (or `check-ssl`); the backend wraps it
//!   (`proxy::backend::stream::server_tls` / `check_tls`, `handshake`) and
//!   hands out `ServerStream`s (plain or TLS) from
//!   `Backend::connect_stream_with`, idle TLS connections included.
//!   `sni` is the evaluated `sni` expression ([`ClientTls::sni_expr`],
//!   [`constant_sni`] for `str(...)`), `None` meaning HAProxy sends no SNI.
//!
//! Differences from HAProxy/OpenSSL, by design of rustls: only TLSv1.2 and
//! TLSv1.3 (an explicit minimum below TLSv1.2 is a config error), only the
//! ECDHE AES-GCM / ChaCha20-Poly1305 suites (a cipher string selecting none of
//! them is an error; names rustls lacks are reported in `notes`), no OCSP
//! stapling, per-line `[ssl options]` of crt-list files are not applied (noted),
//! a client certificate failing verification fails the handshake (so
//! `ssl_c_verify` is 0 whenever a connection exists) unless `ca-ignore-err` /
//! `crt-ignore-err` ignore its error ([`ignore_err`]; `ssl_c_verify` then gives it,
//! `ssl_c_err` / `ssl_c_ca_err` stay 0).
//!
//! Errors read like HAProxy 2.6.12's (measured with `haproxy -c`), without the
//! `parsing [file:line] : 'bind ...' ...` prefix the caller adds.

mod certs;
mod ciphers;
mod client;
pub mod ignore_err;
mod sha1;
mod x509;

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::{ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::{RootCertStore, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};

use crate::ir::haproxy::Global;
use crate::ir::haproxy::expr::Bind;

pub use certs::{CrtListLine, SniResolver, parse_crt_list};
pub use ciphers::openssl_name;
pub use client::{ClientTls, client_config, constant_sni, server_name};
pub use sha1::sha1;
pub use x509::{
    CertInfo, CertNames, Dn, cert_info, cert_names, dn_entry, dn_oneline, dn_rfc2253, subject_dn,
};

/// A TLS configuration error; the text reads like HAProxy's for the same fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("unable to stat SSL certificate from file '{path}' : {reason}.")]
    Stat { path: String, reason: String },
    #[error("unable to load certificate from file '{0}'.")]
    LoadCert(String),
    #[error("No Private Key found in '{0}'.")]
    NoKey(String),
    #[error("unable to load SSL private key from PEM file '{0}'.")]
    BadKey(String),
    #[error("inconsistencies between private key and certificate loaded '{0}'.")]
    KeyMismatch(String),
    #[error("'crt-list' : cannot open file '{path}' : {reason}")]
    CrtList { path: String, reason: String },
    #[error("Couldn't open the ca-file '{path}' ({reason}).")]
    CaFile { path: String, reason: String },
    #[error("no SSL certificate specified (use 'crt').")]
    NoCertificate,
    #[error(
        "unable to set SSL cipher list to '{0}': it selects no cipher suite rustls has (ECDHE with AES-GCM or CHACHA20-POLY1305)."
    )]
    Ciphers(String),
    #[error(
        "unable to set TLS 1.3 cipher suites to '{0}': rustls has TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256 only."
    )]
    Ciphersuites(String),
    #[error("'{0}' is not supported: TLS here (rustls) speaks TLSv1.2 and TLSv1.3 only.")]
    UnsupportedVersion(String),
    #[error("unknown ssl/tls version '{0}'.")]
    UnknownVersion(String),
    #[error("all SSL/TLS versions are disabled.")]
    AllVersionsDisabled,
    #[error("verify is enabled but no CA file specified.")]
    VerifyWithoutCa,
    #[error("unable to use the CA/CRL file '{path}': {reason}")]
    Verifier { path: String, reason: String },
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
}

const VERSION_NAMES: [&str; 5] = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const TLS12: usize = 3;
const TLS13: usize = 4;

/// Protocol-version options gathered from a line and its `ssl-default-*-options`.
#[derive(Debug, Default, Clone)]
struct Versions {
    min: Option<usize>,
    max: Option<usize>,
    force: Option<usize>,
    no: [bool; 5],
    no_tickets: bool,
    prefer_client_ciphers: bool,
}

fn version_index(v: &str) -> Result<usize, TlsError> {
    VERSION_NAMES
        .iter()
        .position(|n| *n == v)
        .ok_or_else(|| TlsError::UnknownVersion(v.to_string()))
}

impl Versions {
    /// Apply option words (`no-tlsv10`, `ssl-min-ver TLSv1.2`, `force-tlsv13`...).
    fn apply_words(&mut self, words: &[String]) -> Result<(), TlsError> {
        let mut it = words.iter();
        while let Some(w) = it.next() {
            match w.as_str() {
                "ssl-min-ver" | "ssl-max-ver" => {
                    let v = it.next().map(String::as_str).unwrap_or("");
                    let i = version_index(v)?;
                    if w == "ssl-min-ver" {
                        self.min = Some(i);
                    } else {
                        self.max = Some(i);
                    }
                }
                "no-tls-tickets" => self.no_tickets = true,
                "prefer-client-ciphers" => self.prefer_client_ciphers = true,
                other => {
                    if let Some(v) = other.strip_prefix("no-") {
                        self.set_no(v);
                    } else if let Some(v) = other.strip_prefix("force-") {
                        self.force = flag_index(v);
                    }
                }
            }
        }
        Ok(())
    }

    fn set_no(&mut self, v: &str) {
        if let Some(i) = flag_index(v)
            && let Some(b) = self.no.get_mut(i)
        {
            *b = true;
        }
    }

    /// The rustls versions, HAProxy 2.6's way: `force-*`, else `ssl-min-ver`
    /// / `ssl-max-ver` (then `no-*` are ignored), else default min TLSv1.2
    /// minus the `no-*` flags.
    fn resolve(&self) -> Result<Vec<&'static SupportedProtocolVersion>, TlsError> {
        let (mut min, max) = match self.force {
            Some(f) => (Some(f), Some(f)),
            None => (self.min, self.max),
        };
        let configured = min.is_some() || max.is_some();
        if min.is_none()
            && let Some(mx) = max
            && mx < TLS12
        {
            // HAProxy lowers the default minimum to the maximum here.
            min = Some(mx);
        }
        let min = min.unwrap_or(TLS12);
        let max = max.unwrap_or(TLS13);
        if min < TLS12 {
            let name = VERSION_NAMES.get(min).copied().unwrap_or("SSLv3");
            return Err(TlsError::UnsupportedVersion(name.to_string()));
        }
        let mut out = Vec::new();
        for i in [TLS12, TLS13] {
            let off = !configured && self.no.get(i).copied().unwrap_or(false);
            if i >= min && i <= max && !off {
                out.push(if i == TLS12 {
                    &rustls::version::TLS12
                } else {
                    &rustls::version::TLS13
                });
            }
        }
        if out.is_empty() {
            return Err(TlsError::AllVersionsDisabled);
        }
        Ok(out)
    }
}

fn flag_index(v: &str) -> Option<usize> {
    match v {
        "sslv3" => Some(0),
        "tlsv10" => Some(1),
        "tlsv11" => Some(2),
        "tlsv12" => Some(3),
        "tlsv13" => Some(4),
        _ => None,
    }
}

/// Values of a global `ssl-default-{side}-{what}` directive (last one wins).
fn global_default<'a>(global: &'a Global, side: &str, what: &str) -> Option<&'a [String]> {
    let kw = format!("ssl-default-{side}-{what}");
    global
        .ssl_defaults
        .iter()
        .rev()
        .find(|d| d.keyword == kw)
        .map(|d| d.args.as_slice())
}

/// A global `other`/`tune` directive's first argument.
fn global_value<'a>(list: &'a [crate::ir::haproxy::Directive], kw: &str) -> Option<&'a str> {
    list.iter()
        .rev()
        .find(|d| d.keyword == kw)
        .and_then(|d| d.args.first())
        .map(String::as_str)
}

/// The suites for a `ciphers` / `ciphersuites` pair and the allowed versions.
fn suites(
    ciphers: Option<&str>,
    ciphersuites: Option<&str>,
    versions: &[&'static SupportedProtocolVersion],
    notes: &mut Vec<String>,
) -> Result<Vec<SupportedCipherSuite>, TlsError> {
    let has12 = versions
        .iter()
        .any(|v| v.version == rustls::ProtocolVersion::TLSv1_2);
    let has13 = versions
        .iter()
        .any(|v| v.version == rustls::ProtocolVersion::TLSv1_3);
    let mut out = Vec::new();
    if has13 {
        match ciphersuites {
            Some(s) => {
                let m = ciphers::map_tls13(s);
                if m.suites.is_empty() {
                    return Err(TlsError::Ciphersuites(s.to_string()));
                }
                for d in m.dropped {
                    notes.push(format!(
                        "TLS 1.3 cipher suite '{d}' is not available in rustls, ignored."
                    ));
                }
                out.extend(m.suites);
            }
            None => out.extend(ciphers::default_tls13()),
        }
    }
    if has12 {
        match ciphers {
            Some(s) => {
                let m = ciphers::map_tls12(s);
                if m.suites.is_empty() {
                    return Err(TlsError::Ciphers(s.to_string()));
                }
                for d in m.dropped {
                    notes.push(format!("cipher '{d}' is not available in rustls, ignored."));
                }
                out.extend(m.suites);
            }
            None => out.extend(ciphers::default_tls12()),
        }
    }
    Ok(out)
}

/// The ring provider restricted to `suites`.
fn provider_with(suites: Vec<SupportedCipherSuite>) -> Arc<CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites = suites;
    Arc::new(p)
}

/// Root store from a CA file (`@system-ca` = the distribution's bundle).
fn load_roots(path: &str) -> Result<RootCertStore, TlsError> {
    let real = if path == "@system-ca" {
        "/etc/ssl/certs/ca-certificates.crt"
    } else {
        path
    };
    let text = std::fs::read(real).map_err(|e| TlsError::CaFile {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(&text).filter_map(Result::ok) {
        // A CA rustls cannot use is skipped, as OpenSSL skips bad entries.
        let _ = roots.add(c);
    }
    if roots.is_empty() {
        return Err(TlsError::CaFile {
            path: path.to_string(),
            reason: "no certificate or crl found".into(),
        });
    }
    Ok(roots)
}

fn load_crls(path: &str) -> Result<Vec<CertificateRevocationListDer<'static>>, TlsError> {
    let text = std::fs::read(path).map_err(|e| TlsError::CaFile {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    Ok(CertificateRevocationListDer::pem_slice_iter(&text)
        .filter_map(Result::ok)
        .collect())
}

/// A built termination config and what it could not honour exactly.
#[derive(Debug, Clone)]
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    /// The same without ALPN, for a client whose ALPN list has nothing in common
    /// with the bind's (OpenSSL then continues without ALPN; rustls would refuse).
    pub config_no_alpn: Option<Arc<ServerConfig>>,
    /// Things accepted but not applied as HAProxy would (print as warnings).
    pub notes: Vec<String>,
    /// `ca-ignore-err` / `crt-ignore-err`: the errors of the certificates they let in.
    pub ignored_errors: Option<Arc<ignore_err::Results>>,
}

/// Session cache entries (`tune.ssl.cachesize`, HAProxy's default 20000).
const DEFAULT_CACHE_SIZE: usize = 20000;

impl ServerTls {
    /// Build the termination config of a `bind ... ssl` line.
    pub fn new(global: &Global, bind: &Bind) -> Result<ServerTls, TlsError> {
        let o = &bind.opts;
        let mut notes = Vec::new();
        let mut v = Versions::default();
        if let Some(words) = global_default(global, "bind", "options") {
            v.apply_words(words)?;
        }
        // The bind line's own settings override the global defaults.
        if let Some(m) = &o.ssl_min_ver {
            v.min = Some(version_index(m)?);
        }
        if let Some(m) = &o.ssl_max_ver {
            v.max = Some(version_index(m)?);
        }
        for (flag, on) in [
            ("sslv3", o.no_sslv3),
            ("tlsv10", o.no_tlsv10),
            ("tlsv11", o.no_tlsv11),
            ("tlsv12", o.no_tlsv12),
            ("tlsv13", o.no_tlsv13),
        ] {
            if on {
                v.set_no(flag);
            }
        }
        for (k, _) in &o.other {
            if let Some(f) = k.strip_prefix("force-") {
                v.force = flag_index(f);
            }
        }
        v.no_tickets |= o.no_tls_tickets;
        v.prefer_client_ciphers |= o.prefer_client_ciphers;
        let versions = v.resolve()?;

        let g_ciphers = global_default(global, "bind", "ciphers").and_then(|a| a.first());
        let g_suites = global_default(global, "bind", "ciphersuites").and_then(|a| a.first());
        let suites = suites(
            o.ciphers.as_deref().or(g_ciphers.map(String::as_str)),
            o.ciphersuites.as_deref().or(g_suites.map(String::as_str)),
            &versions,
            &mut notes,
        )?;
        let provider = provider_with(suites);

        let resolver = build_resolver(global, bind, &provider, &mut notes)?;

        let verify = o.verify.as_deref().unwrap_or("none");
        let mut ignored_errors = None;
        let client_verifier: Arc<dyn rustls::server::danger::ClientCertVerifier> = if verify
            == "none"
        {
            WebPkiClientVerifier::no_client_auth()
        } else {
            let ca = o
                .ca_file
                .as_deref()
                .or_else(|| other(&o.other, "ca-verify-file"))
                .ok_or(TlsError::VerifyWithoutCa)?;
            let roots = Arc::new(load_roots(ca)?);
            let mut b = WebPkiClientVerifier::builder_with_provider(roots, Arc::clone(&provider));
            if let Some(crl) = other(&o.other, "crl-file") {
                b = b.with_crls(load_crls(crl)?);
            }
            if verify == "optional" {
                b = b.allow_unauthenticated();
            }
            let v = b.build().map_err(|e| TlsError::Verifier {
                path: ca.to_string(),
                reason: e.to_string(),
            })?;
            let ca_ign = ignore_err::IgnoreList::parse(other(&o.other, "ca-ignore-err"));
            let crt_ign = ignore_err::IgnoreList::parse(other(&o.other, "crt-ignore-err"));
            if ca_ign == ignore_err::IgnoreList::None && crt_ign == ignore_err::IgnoreList::None {
                v
            } else {
                let results = Arc::new(ignore_err::Results::default());
                ignored_errors = Some(Arc::clone(&results));
                Arc::new(ignore_err::IgnoreErrVerifier {
                    inner: v,
                    ca: ca_ign,
                    crt: crt_ign,
                    results,
                })
            }
        };

        let mut cfg = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)?
            .with_client_cert_verifier(client_verifier)
            .with_cert_resolver(Arc::new(resolver));
        // OpenSSL (and so HAProxy) uses the server's order unless told not to.
        cfg.ignore_client_order = !v.prefer_client_ciphers;
        if let Some(alpn) = &o.alpn {
            cfg.alpn_protocols = alpn
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| p.as_bytes().to_vec())
                .collect();
        }
        let cache = global_value(&global.tune, "tune.ssl.cachesize")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(DEFAULT_CACHE_SIZE);
        cfg.session_storage = if cache == 0 {
            Arc::new(rustls::server::NoServerSessionStorage {})
        } else {
            ServerSessionMemoryCache::new(cache)
        };
        if v.no_tickets {
            // TLS 1.3 resumption then goes through the session cache (stateful tickets).
            cfg.send_tls13_tickets = if cache == 0 { 0 } else { 1 };
        } else {
            cfg.ticketer = rustls::crypto::ring::Ticketer::new()?;
            // OpenSSL 3 sends one TLS 1.3 ticket per handshake by default... HAProxy too.
            cfg.send_tls13_tickets = 1;
        }
        if o.npn.is_some() {
            notes.push("'npn' is not supported (use 'alpn'); ignored.".into());
        }
        let config_no_alpn = (!cfg.alpn_protocols.is_empty()).then(|| {
            let mut c = cfg.clone();
            c.alpn_protocols.clear();
            Arc::new(c)
        });
        Ok(ServerTls {
            config: Arc::new(cfg),
            config_no_alpn,
            notes,
            ignored_errors,
        })
    }
}

fn other<'a>(list: &'a [(String, Option<String>)], key: &str) -> Option<&'a str> {
    list.iter()
        .rev()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.as_deref())
}

/// Load every `crt` then every `crt-list` of the bind in order, indexing by name.
fn build_resolver(
    global: &Global,
    bind: &Bind,
    provider: &CryptoProvider,
    notes: &mut Vec<String>,
) -> Result<SniResolver, TlsError> {
    let o = &bind.opts;
    let mut r = SniResolver::new(o.strict_sni);
    for path in &o.crt {
        for c in certs::load_crt(path, provider, notes)? {
            r.add(c.key, &certs::names_for(&[], &c.names));
        }
    }
    for list in &o.crt_list {
        let text = std::fs::read_to_string(list).map_err(|e| TlsError::CrtList {
            path: list.clone(),
            reason: e.to_string(),
        })?;
        for line in parse_crt_list(&text, global.crt_base.as_deref()) {
            if !line.ssl_options.is_empty() {
                notes.push(format!(
                    "crt-list '{list}': per-certificate options [{}] for '{}' are not applied.",
                    line.ssl_options.join(" "),
                    line.cert
                ));
            }
            for c in certs::load_crt(&line.cert, provider, notes)? {
                r.add(c.key, &certs::names_for(&line.filters, &c.names));
            }
        }
    }
    if r.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(r)
}

/// `from_bind(global, bind)`: the rustls server config of a `bind ... ssl`.
pub fn from_bind(global: &Global, bind: &Bind) -> Result<Arc<ServerConfig>, TlsError> {
    ServerTls::new(global, bind).map(|s| s.config)
}

/// The acceptor to hold per bind (cheap to clone into each accept task).
pub fn acceptor(config: Arc<ServerConfig>) -> tokio_rustls::TlsAcceptor {
    tokio_rustls::TlsAcceptor::from(config)
}

/// The accept side of a `bind ... ssl`, with HAProxy's (OpenSSL's) behaviour where
/// rustls differs: a ClientHello whose ALPN list has nothing in common with the bind's
/// `alpn` continues without ALPN (rustls would refuse the handshake), and `ssl_fc_sni`
/// keeps the case the client sent (rustls lower-cases it).
#[derive(Clone)]
pub struct Acceptor {
    config: Arc<ServerConfig>,
    no_alpn: Option<Arc<ServerConfig>>,
    ignored_errors: Option<Arc<ignore_err::Results>>,
}

impl std::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acceptor").finish_non_exhaustive()
    }
}

impl Acceptor {
    pub fn new(t: &ServerTls) -> Acceptor {
        Acceptor {
            config: Arc::clone(&t.config),
            no_alpn: t.config_no_alpn.clone(),
            ignored_errors: t.ignored_errors.clone(),
        }
    }

    /// The handshake on an accepted socket, and the fetch values it gives.
    pub async fn accept<S>(
        &self,
        tcp: S,
    ) -> std::io::Result<(tokio_rustls::server::TlsStream<S>, TlsInfo)>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + PeekHello,
    {
        // The ClientHello as sent (peeked, left in the socket for rustls): its server
        // name with the client's case. A hello split over several segments keeps
        // rustls's lower-cased name.
        let mut peek = [0u8; 2048];
        let n = tcp.peek_hello(&mut peek).await;
        let raw_sni = peek
            .get(..n)
            .and_then(crate::proxy::acl::client_hello_sni)
            .map(|s| String::from_utf8_lossy(s).into_owned());
        let stream = match &self.no_alpn {
            None => {
                tokio_rustls::TlsAcceptor::from(Arc::clone(&self.config))
                    .accept(tcp)
                    .await?
            }
            Some(no_alpn) => {
                let start =
                    tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp)
                        .await?;
                let hello = start.client_hello();
                let disjoint = hello.alpn().is_some_and(|mut offered| {
                    !offered.any(|p| self.config.alpn_protocols.iter().any(|o| o == p))
                });
                let cfg = if disjoint { no_alpn } else { &self.config };
                start.into_stream(Arc::clone(cfg)).await?
            }
        };
        let mut info = TlsInfo::from_server(stream.get_ref().1);
        if let (Some(r), Some(leaf)) = (&self.ignored_errors, &info.client_cert)
            && let Some(code) = r.take(leaf)
        {
            info.verify_result = code;
        }
        if let (Some(raw), Some(sni)) = (raw_sni, &info.sni)
            && raw.eq_ignore_ascii_case(sni)
        {
            info.sni = Some(raw);
        }
        Ok((stream, info))
    }
}

/// A socket whose first bytes can be read without consuming them (the ClientHello,
/// for the client's case of the SNI).
pub trait PeekHello {
    fn peek_hello<'a>(
        &'a self,
        buf: &'a mut [u8],
    ) -> impl std::future::Future<Output = usize> + Send + 'a;
}

impl PeekHello for tokio::net::TcpStream {
    async fn peek_hello<'a>(&'a self, buf: &'a mut [u8]) -> usize {
        self.peek(buf).await.unwrap_or(0)
    }
}

/// tokio's Unix stream cannot peek: a `unix@` bind keeps rustls's lower-cased name.
impl PeekHello for tokio::net::UnixStream {
    fn peek_hello<'a>(
        &'a self,
        _buf: &'a mut [u8],
    ) -> impl std::future::Future<Output = usize> + Send + 'a {
        std::future::ready(0)
    }
}

/// Fetch values of a finished handshake, for `ssl_fc*` / `ssl_c_*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// `ssl_fc_sni` (lower-cased by rustls); `ssl_fc_has_sni` is `sni.is_some()`.
    pub sni: Option<String>,
    /// `ssl_fc_protocol`: `TLSv1.2` / `TLSv1.3`.
    pub protocol: String,
    /// `ssl_fc_cipher`: OpenSSL's name (`TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES256-GCM-SHA384`).
    pub cipher: String,
    /// `ssl_fc_use_keysize` / `ssl_fc_alg_keysize`: the cipher's key bits.
    pub keysize: i64,
    /// `ssl_fc_alpn`.
    pub alpn: Option<String>,
    /// `ssl_c_used`: a client certificate belongs to the session (also when
    /// it was resumed).
    pub client_cert_used: bool,
    /// `ssl_fc_has_crt`: the client sent a certificate in this handshake
    /// (false on a resumed session, as HAProxy measures).
    pub client_cert_sent: bool,
    /// `ssl_c_verify`: 0 (X509_V_OK); a failing certificate fails the handshake.
    pub verify_result: i64,
    /// `ssl_c_s_dn`: `/C=FR/O=x/CN=y`.
    pub client_subject_dn: Option<String>,
    /// The client certificate (DER), for `ssl_c_i_dn`, `ssl_c_sha1`, `ssl_c_der`...
    pub client_cert: Option<Vec<u8>>,
    /// `ssl_fc_is_resumed`.
    pub resumed: bool,
}

/// Key bits of a negotiated suite (OpenSSL's `SSL_CIPHER_get_bits`).
fn suite_bits(s: rustls::CipherSuite) -> i64 {
    use rustls::CipherSuite as C;
    match s {
        C::TLS13_AES_128_GCM_SHA256
        | C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        | C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => 128,
        _ => 256,
    }
}

impl TlsInfo {
    /// Read the values off a server connection once the handshake is done.
    pub fn from_server(conn: &rustls::ServerConnection) -> TlsInfo {
        let protocol = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "",
        };
        let suite = conn.negotiated_cipher_suite();
        let cipher = suite.and_then(|s| openssl_name(s.suite())).unwrap_or("");
        let peer = conn.peer_certificates().and_then(|c| c.first());
        let resumed = matches!(conn.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
        TlsInfo {
            sni: conn.server_name().map(str::to_string),
            protocol: protocol.to_string(),
            cipher: cipher.to_string(),
            keysize: suite.map_or(0, |s| suite_bits(s.suite())),
            alpn: conn
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            client_cert_used: peer.is_some(),
            client_cert_sent: peer.is_some() && !resumed,
            verify_result: 0,
            client_subject_dn: peer.and_then(|c| subject_dn(c.as_ref())),
            client_cert: peer.map(|c| c.as_ref().to_vec()),
            resumed,
        }
    }

    /// The values of a server connection (`ssl_bc_*`): no client certificate side.
    pub fn from_client(conn: &rustls::ClientConnection) -> TlsInfo {
        let protocol = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "",
        };
        let suite = conn.negotiated_cipher_suite();
        TlsInfo {
            sni: None,
            protocol: protocol.to_string(),
            cipher: suite
                .and_then(|s| openssl_name(s.suite()))
                .unwrap_or("")
                .to_string(),
            keysize: suite.map_or(0, |s| suite_bits(s.suite())),
            alpn: conn
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            client_cert_used: false,
            client_cert_sent: false,
            verify_result: 0,
            client_subject_dn: None,
            client_cert: None,
            resumed: matches!(conn.handshake_kind(), Some(rustls::HandshakeKind::Resumed)),
        }
    }

    /// The client certificate's parsed fields (parsed per call: the
    /// `ssl_c_*` fetches beyond the subject DN are rare).
    pub fn client_cert_info(&self) -> Option<CertInfo> {
        self.client_cert.as_deref().and_then(cert_info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn resolve(s: &str) -> Result<Vec<&'static str>, TlsError> {
        let mut v = Versions::default();
        v.apply_words(&words(s))?;
        Ok(v.resolve()?
            .iter()
            .map(|v| match v.version {
                rustls::ProtocolVersion::TLSv1_2 => "1.2",
                _ => "1.3",
            })
            .collect())
    }

    #[test]
    fn versions() {
        assert_eq!(resolve("").unwrap(), ["1.2", "1.3"]);
        assert_eq!(
            resolve("no-sslv3 no-tlsv10 no-tlsv11").unwrap(),
            ["1.2", "1.3"]
        );
        assert_eq!(resolve("no-tlsv12").unwrap(), ["1.3"]);
        assert_eq!(resolve("ssl-min-ver TLSv1.3").unwrap(), ["1.3"]);
        assert_eq!(resolve("ssl-max-ver TLSv1.2").unwrap(), ["1.2"]);
        assert_eq!(resolve("force-tlsv12").unwrap(), ["1.2"]);
        // no-* are ignored once min/max are set (HAProxy warns so).
        assert_eq!(
            resolve("ssl-min-ver TLSv1.2 no-tlsv13").unwrap(),
            ["1.2", "1.3"]
        );
        assert_eq!(
            resolve("ssl-min-ver TLSv1.0").unwrap_err().to_string(),
            "'TLSv1.0' is not supported: TLS here (rustls) speaks TLSv1.2 and TLSv1.3 only."
        );
        assert!(matches!(
            resolve("ssl-max-ver TLSv1.1"),
            Err(TlsError::UnsupportedVersion(_))
        ));
        assert!(matches!(
            resolve("no-tlsv12 no-tlsv13"),
            Err(TlsError::AllVersionsDisabled)
        ));
        assert!(matches!(
            resolve("ssl-min-ver TLS1"),
            Err(TlsError::UnknownVersion(_))
        ));
    }
}
