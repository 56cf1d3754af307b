//! haproxy.cfg front end.
//!
//! Pipeline: `lexer` turns each file into logical lines (quotes, escapes,
//! `${VAR}` expansion, `.if/.elif/.else/.endif` and `.notice/.warning/...`
//! handled with `cond`), `parser` dispatches keywords per section into IR
//! with `expr`/`rules`/`server`/`values` for the sub-grammars, then runs the
//! post-parse checks HAProxy runs (references, timeouts, listeners).

pub mod cond;
pub mod expr;
pub mod lexer;
pub mod parser;
pub mod rules;
pub mod server;
pub mod values;
