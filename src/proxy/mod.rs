//! Proxy engine. Sans-IO cores (balancers, health-check state, the HTTP/1 codec, ACLs and
//! rules, stick tables) are plain code driven by inputs and a clock; `engine`, `listen`,
//! `tcp`, `backend`, `http::session` and `checks::run` are the tokio shell around them.

pub mod acl;
pub mod api;
pub mod audit;
pub mod backend;
pub mod balance;
pub mod checks;
pub mod clock;
pub mod engine;
pub mod http;
pub mod listen;
pub mod log;
pub mod persist;
pub mod rules;
pub mod stats;
pub mod stick;
pub mod tcp;
pub mod tcpka;
pub mod threads;
pub mod tls;
