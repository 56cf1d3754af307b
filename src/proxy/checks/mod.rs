//! Health checks, sans-IO cores first.

pub mod agent;
pub mod live;
pub mod observe;
pub mod run;
pub mod state;
