//! IR of haproxy.cfg: global settings, defaults, proxies, userlists, ...
//! (Owner: the sections/keywords parser, `config::haproxy::parser`.)

pub mod expr;

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Config {}
