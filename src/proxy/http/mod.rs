//! HTTP: message heads, the HTTP/1 codec, HAProxy's error responses, and the per-connection
//! transaction loop.

pub mod errors;
pub mod h1;
pub mod msg;
pub mod session;
