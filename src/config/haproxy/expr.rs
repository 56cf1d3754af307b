//! ACLs, samples (fetch + converters) and `if`/`unless` conditions.
//!
//! Contract with `parser`: the functions here get the words of one config line
//! (already lexed) plus a `Ctx`, and return typed IR or the error message that
//! HAProxy prints after `parsing [FILE:LINE] : ` (the parser adds the prefix).
//! Warnings go to `ctx.warnings` as the text after that same prefix.

use crate::ir::haproxy::expr::{Acl, Condition};

/// What a sub-parser needs to know about where it is.
pub struct Ctx<'a> {
    pub file: &'a str,
    pub line: u32,
    /// "frontend", "backend", "listen", "defaults", "global", ...
    pub section: &'a str,
    /// The proxy's name ("" for global, the name or "" for defaults).
    pub proxy: &'a str,
    /// The proxy's mode is http (some rules and fetches need it).
    pub http: bool,
    /// Names of the ACLs declared so far in this proxy (for references).
    pub acl_names: &'a [String],
    /// Warnings to report after `parsing [FILE:LINE] : `.
    pub warnings: &'a mut Vec<String>,
}

/// `acl NAME CRITERION [FLAGS] [OPERATOR] [VALUE]...`; `args[0]` is "acl".
pub fn parse_acl(args: &[String], ctx: &mut Ctx) -> Result<Acl, String> {
    let _ = ctx;
    Ok(Acl {
        name: args.get(1).cloned().unwrap_or_default(),
        words: args.iter().skip(2).cloned().collect(),
    })
}

/// A condition starting at `if`/`unless` (`args[0]` is that word).
pub fn parse_condition(args: &[String], ctx: &mut Ctx) -> Result<Condition, String> {
    let _ = ctx;
    Ok(Condition {
        words: args.to_vec(),
    })
}
