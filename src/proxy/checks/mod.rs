//! Health checks, sans-IO cores first.

pub mod state;
