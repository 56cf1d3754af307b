//! Rule keywords of proxies: `http-request`, `http-response`,
//! `http-after-response`, `tcp-request`, `tcp-response`, `redirect`,
//! `use_backend`/`default_backend` conditions, `use-server`, `stick ...`,
//! `http-check`, `tcp-check`, `monitor fail`, `capture`.
//! Same contract as `expr`: errors are the text after `parsing [FILE:LINE] : `.

use super::expr::Ctx;
use crate::ir::haproxy::expr::Rule;

/// Parse one rule line; `args[0]` is the keyword (e.g. "http-request").
pub fn parse_rule(args: &[String], ctx: &mut Ctx) -> Result<Rule, String> {
    let _ = ctx;
    Ok(Rule {
        keyword: args.first().cloned().unwrap_or_default(),
        words: args.iter().skip(1).cloned().collect(),
    })
}
