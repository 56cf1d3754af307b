//! HTTP: message heads, the HTTP/1 codec, HAProxy's error responses, and the per-connection
//! transaction loop.

pub mod compress;
pub mod errors;
pub mod h1;
pub mod h2;
pub mod msg;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::proxy::engine::{Engine, Frontend};
use crate::proxy::stick::SessionCounters;
use crate::proxy::tls::TlsInfo;

/// What the listener knows about an accepted client connection.
#[derive(Debug)]
pub struct ClientConn {
    pub client: SocketAddr,
    pub local: SocketAddr,
    /// The finished TLS handshake of an `ssl` bind (`ssl_fc*`, `ssl_c_*`).
    pub tls: Option<Arc<TlsInfo>>,
    /// The sticky counters the listener already used for this connection (`tcp-request
    /// connection|session track-sc*`), so that `http-request` rules see them. `None`: the
    /// session makes its own when the configuration has stick tables.
    pub counters: Option<SessionCounters>,
    /// A stream of an HTTP/2 connection: every request is "not first" (HAProxy's
    /// SE_FL_NOT_FIRST), so `http-reuse safe` may give it an idle server connection.
    pub h2_stream: bool,
    /// An HTTP/2 stream's decoded request and the hand-over of its response head.
    pub h2: Option<h2::gateway::StreamEntry>,
}

impl ClientConn {
    pub fn new(client: SocketAddr, local: SocketAddr) -> Self {
        ClientConn {
            client,
            local,
            tls: None,
            counters: None,
            h2_stream: false,
            h2: None,
        }
    }
}

impl ClientConn {
    /// The connection the session sees for one HTTP/2 stream.
    pub fn for_h2_stream(client: SocketAddr, local: SocketAddr, tls: Option<Arc<TlsInfo>>) -> Self {
        ClientConn {
            tls,
            h2_stream: true,
            ..ClientConn::new(client, local)
        }
    }
}

/// The `tune.h2.*` limits in force (the `global` section's, HAProxy's defaults
/// otherwise).
pub(crate) fn h2_settings(engine: &Engine) -> h2::Settings {
    engine.global.h2
}

/// Serves one accepted client connection of an HTTP frontend: HTTP/2 when the bind's
/// `proto h2` or ALPN says so, or when the client starts with the HTTP/2 preface (HAProxy
/// 2.6 upgrades such connections unless `option disable-h2-upgrade` or `proto h1`);
/// HTTP/1.x otherwise.
pub async fn serve_client<S>(stream: S, conn: ClientConn, fe: Arc<Frontend>, engine: Arc<Engine>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    match h2::choose(&fe, &conn) {
        h2::Proto::H1 => session::serve_with(stream, conn, fe, engine).await,
        h2::Proto::H2 => {
            // HAProxy says nothing to a client that does not start with the preface
            let mut stream = stream;
            if let Some((pre, true)) = h2::sniff(&mut stream, None).await {
                h2::serve(h2::Rewind::new(pre, stream), conn, fe, engine).await
            }
        }
        h2::Proto::Detect => {
            let mut stream = stream;
            // the session's `timeout http-request` runs from the accept: the wait for the
            // first bytes is bounded by it
            let deadline = fe
                .timeouts
                .http_request
                .map(|d| tokio::time::Instant::now() + d);
            match h2::sniff(&mut stream, deadline).await {
                Some((pre, true)) => {
                    h2::serve(h2::Rewind::new(pre, stream), conn, fe, engine).await
                }
                Some((pre, false)) => {
                    session::serve_with(h2::Rewind::new(pre, stream), conn, fe, engine).await
                }
                None => {
                    // nothing arrived in time: what the session does then (408 written
                    // raw, or a silent close for `option http-ignore-probes`)
                    if !fe.ignore_probes
                        && let Some(page) = errors::builtin(408)
                    {
                        let _ = stream.write_all(page).await;
                    }
                    let _ = stream.shutdown().await;
                }
            }
        }
    }
}
