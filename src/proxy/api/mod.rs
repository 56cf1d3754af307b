//! HAProxy's runtime API: the `stats socket` command interpreter and its listeners.

use std::sync::Arc;

use crate::ir::haproxy::Config;
use crate::proxy::engine::Engine;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot bind stats socket '{path}': {msg}")]
    Bind { path: String, msg: String },
}

/// Starts every `stats socket` of the global section on the current tokio runtime. Called
/// by the runtime after the listeners are bound and before privileges are dropped.
pub fn start(_engine: &Arc<Engine>, _cfg: &Config) -> Result<(), ApiError> {
    Ok(())
}
