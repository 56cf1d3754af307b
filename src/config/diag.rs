//! Diagnostics shared by the config front ends.

use serde::Serialize;

/// Where a diagnostic points: a file as the user named it and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loc {
    pub file: String,
    pub line: u32,
}

impl Loc {
    pub fn new(file: impl Into<String>, line: u32) -> Self {
        Loc {
            file: file.into(),
            line,
        }
    }
}

/// Severity as HAProxy names it. keepalived has no levels in `-t` output,
/// its front end uses `Warning` for reported problems and `Alert` for fatal ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    Diag,
    Notice,
    Warning,
    Alert,
}

/// One message. `text` is the message as the dialect's renderer prints it after
/// its own prefix: for HAProxy, everything after `[ALERT]    (PID) : `,
/// e.g. `config : parsing [f.cfg:3] : unknown keyword 'x' ...`. Continuation
/// lines (HAProxy's `   | ...`) are separated by '\n' inside `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diag {
    pub level: Level,
    pub loc: Option<Loc>,
    pub text: String,
}

impl Diag {
    pub fn new(level: Level, loc: Option<Loc>, text: impl Into<String>) -> Self {
        Diag {
            level,
            loc,
            text: text.into(),
        }
    }
}
