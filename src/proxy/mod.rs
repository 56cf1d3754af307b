//! Proxy engine (sans-IO cores first: balancers, health-check state).

pub mod balance;
pub mod checks;
