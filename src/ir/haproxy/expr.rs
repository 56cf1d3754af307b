//! IR of haproxy.cfg expressions: ACLs, samples (fetch + converters),
//! conditions, rules (http-request/response, tcp-request/response, redirect,
//! use_backend...), server and bind options.
//! (Owner: `config::haproxy::{expr,rules,server,values}`.)

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Acl {
    pub name: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Condition {
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rule {
    pub keyword: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Server {
    pub name: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bind {
    pub words: Vec<String>,
}
