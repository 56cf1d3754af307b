//! HAProxy's statistics: per-proxy and per-server counters, and the reports built from
//! them (the stats page, `;csv`, `;json`, `show stat`, `show info`, Prometheus).
//!
//! The sessions report each finished transaction or TCP session with [`Registry::account`];
//! the reports read the counters. Counters are plain atomics so that the hot path takes no
//! lock.

use crate::proxy::log::LogRecord;

/// Every counter of the running configuration, indexed like `Engine::frontends()` and
/// `Engine::backends()` (servers by their index in the backend).
#[derive(Debug, Default)]
pub struct Registry {}

impl Registry {
    /// Empty counters for a configuration with these proxies.
    pub fn new(_frontends: usize, _backends: &[usize]) -> Self {
        Registry {}
    }

    /// Counts one finished HTTP transaction or TCP session.
    pub fn account(&self, _rec: &LogRecord) {}
}
