//! `server`, `default-server`, `server-template` and `bind` lines with all
//! their options. Same contract as `expr`.

use super::expr::Ctx;
use crate::ir::haproxy::expr::{Bind, Server};

/// `server NAME ADDR[:PORT] [OPTIONS]`, `default-server [OPTIONS]`,
/// `server-template PREFIX NUM|RANGE FQDN[:PORT] [OPTIONS]`; `args[0]` is the keyword.
/// `defaults` is the proxy's current `default-server` settings, if any.
pub fn parse_server(
    args: &[String],
    defaults: Option<&Server>,
    ctx: &mut Ctx,
) -> Result<Vec<Server>, String> {
    let _ = (defaults, ctx);
    Ok(vec![Server {
        name: args.get(1).cloned().unwrap_or_default(),
        words: args.iter().skip(2).cloned().collect(),
    }])
}

/// `bind ADDR[:PORT][,...] [PARAMS]`; `args[0]` is "bind".
pub fn parse_bind(args: &[String], ctx: &mut Ctx) -> Result<Bind, String> {
    let _ = ctx;
    Ok(Bind {
        words: args.iter().skip(1).cloned().collect(),
    })
}
