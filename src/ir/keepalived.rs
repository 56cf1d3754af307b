//! IR of keepalived.conf.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Config {}
