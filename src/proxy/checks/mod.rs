//! Health checks, sans-IO cores first.

pub mod run;
pub mod state;
