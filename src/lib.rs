//! tandem library: the config front ends, the shared IR and (later) the engines.
//!
//! Direction of dependencies: `cli` → `config::{haproxy,keepalived}` → `ir`,
//! with `grammar` (the keyword tables) shared by the parsers and the docs.

pub mod cli;
pub mod config;
pub mod grammar;
pub mod ir;
pub mod migrate;
pub mod proxy;
pub mod runtime;
pub mod vrrp;
