//! The shared, typed model of both dialects. Parsers build it; engines read only it.

pub mod haproxy;
pub mod keepalived;

use serde::Serialize;

/// Everything tandem knows about one node's configuration.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ir {
    pub haproxy: Option<haproxy::Config>,
    pub keepalived: Option<keepalived::Config>,
}
