//! Config front ends: each dialect's lexer, parser and diagnostics.
//! They produce IR (`crate::ir`) plus diagnostics that carry file and line.

pub mod diag;
pub mod haproxy;
pub mod keepalived;
