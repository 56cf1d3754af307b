//! IR of haproxy.cfg expressions: ACLs, samples (fetch + converters),
//! conditions, rules (http-request/response, tcp-request/response, redirect,
//! use_backend...), server and bind options.
//! (Owner: `config::haproxy::{expr,rules,server,values}`.)
