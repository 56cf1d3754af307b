//! HTTP: message heads, the HTTP/1 codec, HAProxy's error responses, and the per-connection
//! transaction loop.

pub mod errors;
pub mod h1;
pub mod msg;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

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
}

impl ClientConn {
    pub fn new(client: SocketAddr, local: SocketAddr) -> Self {
        ClientConn {
            client,
            local,
            tls: None,
            counters: None,
        }
    }
}

/// Serves one accepted client connection of an HTTP frontend: HTTP/1.x today (HTTP/2 is
/// chosen here, by ALPN or the bind's `proto`, once it lands).
pub async fn serve_client<S>(stream: S, conn: ClientConn, fe: Arc<Frontend>, engine: Arc<Engine>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    session::serve_with(stream, conn, fe, engine).await
}
