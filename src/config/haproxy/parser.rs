//! haproxy.cfg sections and keywords into IR, then HAProxy's post-parse checks.
//!
//! Messages are HAProxy 2.6.12's, measured with `haproxy -c`; each `Diag.text`
//! is what HAProxy prints after `[ALERT]    (PID) : `. HAProxy distinguishes
//! the level of a message from its effect on the verdict (`'maxconn' already
//! specified. Continuing.` is an ALERT that leaves the file valid), so the
//! parser tracks errors separately from the diagnostics it emits.

mod check;
mod global;
mod other;
mod proxy;
pub(crate) mod util;

use std::path::PathBuf;

use crate::config::diag::{Diag, Level, Loc};
use crate::config::haproxy::lexer::{self, Item, Line};
use crate::ir::haproxy::{Config, Span};

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `tandem check --legacy`: keywords HAProxy removed are accepted with a
    /// warning naming the replacement instead of failing.
    pub legacy: bool,
}

/// How a check ends, which decides the closing lines and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exit 0: `Configuration file is valid` (after `Warnings were found.` if any).
    Valid,
    /// Exit 1 after parse errors: `Error(s) found in configuration file : FILE`
    /// then `Fatal errors found in configuration.`. Holds the files with errors.
    ParseErrors(Vec<String>),
    /// Exit 1 after an error that stops reading at once (a nameless proxy
    /// section): `Error(s) found in configuration file : FILE` only, no
    /// `Fatal errors found in configuration.` line. Holds the files with errors.
    Aborted(Vec<String>),
    /// Exit 1 after post-parse checks: `Fatal errors found in configuration.`
    PostParseErrors,
    /// Exit 1: `Failed to initialize server(s) addr.`
    ServerAddr,
    /// Exit 1 right after a fatal message, no closing line.
    Stopped,
    /// Exit 2: `Configuration file has no error but will not start (no listener) => exit(2).`
    NoListener,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub config: Option<Config>,
    pub diags: Vec<Diag>,
    pub verdict: Verdict,
    /// The global `quiet` took effect before diagnostic number N: HAProxy
    /// prints what came before it and nothing after (as `-q` does, `-V`
    /// still wins).
    pub quiet_from: Option<usize>,
}

/// Load and check configuration files (directories already expanded by the caller).
pub fn load(files: &[PathBuf], opts: &LoadOptions) -> Outcome {
    let mut lexed = Vec::new();
    for path in files {
        let name = path.to_string_lossy().into_owned();
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut items = lexer::lex_file(&name, &bytes);
                // HAProxy applies `setenv`/`presetenv` while it reads, so later
                // lines of the same file already see the variables: apply them
                // and lex the file again.
                if apply_global_env(&items) {
                    items = lexer::lex_file(&name, &bytes);
                }
                lexed.push((name, items));
            }
            Err(e) => {
                // HAProxy 2.6.12: `Cannot open configuration file/directory
                // nonexist.cfg : No such file or directory`, then exit 1.
                let diag = Diag::new(
                    Level::Alert,
                    None,
                    format!(
                        "config : Cannot open configuration file/directory {name} : {}",
                        io_error_text(&e)
                    ),
                );
                return Outcome {
                    config: None,
                    diags: vec![diag],
                    verdict: Verdict::Stopped,
                    quiet_from: None,
                };
            }
        }
    }
    load_items(lexed, opts)
}

/// Load and check one configuration held in memory, as if read from a file
/// called `name` (for fuzzing and tests: no file system access for the
/// configuration itself).
pub fn load_from_memory(name: &str, bytes: &[u8], opts: &LoadOptions) -> Outcome {
    let mut items = lexer::lex_file(name, bytes);
    if apply_global_env(&items) {
        items = lexer::lex_file(name, bytes);
    }
    load_items(vec![(name.to_string(), items)], opts)
}

/// Put the `setenv`/`presetenv` of `global` sections into the environment
/// the lexer expands from. Returns true when it set anything.
fn apply_global_env(items: &[Item]) -> bool {
    let mut in_global = false;
    let mut changed = false;
    for item in items {
        let Item::Line(l) = item else {
            continue;
        };
        let kw = l.args.first().map(String::as_str).unwrap_or("");
        if is_section_keyword(kw) {
            in_global = kw == "global";
            continue;
        }
        if !in_global {
            continue;
        }
        let (Some(name), Some(value)) = (l.args.get(1), l.args.get(2)) else {
            continue;
        };
        match kw {
            "setenv" => {
                lexer::set_env_overlay(name, value.as_bytes());
                changed = true;
            }
            "presetenv" if lexer::env_lookup(name).is_none() => {
                lexer::set_env_overlay(name, value.as_bytes());
                changed = true;
            }
            _ => {}
        }
    }
    changed
}

/// strerror() text of an I/O error, without Rust's " (os error N)" suffix.
fn io_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Parse already lexed files (one `(name, items)` per file, in order) and
/// run the post-parse checks.
pub fn load_items(files: Vec<(String, Vec<Item>)>, opts: &LoadOptions) -> Outcome {
    let mut p = Parser::new(opts);
    crate::config::haproxy::server::set_ssl_bases(Default::default());
    // Experimental actions are refused until `expose-experimental-directives`.
    crate::config::haproxy::rules::set_experimental_allowed(false);
    'files: for (name, items) in files {
        p.begin_file(&name);
        // HAProxy gives up on a file after 50 lines with fatal errors.
        let mut fatal_lines = 0u32;
        for item in items {
            match item {
                Item::Line(line) => {
                    if fatal_lines >= 50 {
                        p.alert_nospace(
                            &line,
                            format!("too many fatal errors ({fatal_lines}), stopping now."),
                        );
                        break;
                    }
                    let before = p.error_count;
                    let first_diag = p.diags.len();
                    util::take_timer_warnings();
                    p.line(&line);
                    // Timer values are parsed before anything else is
                    // reported for the line.
                    let timer: Vec<Diag> = util::take_timer_warnings()
                        .into_iter()
                        .map(|t| Diag::new(Level::Warning, None, t))
                        .collect();
                    if !timer.is_empty() {
                        let at = first_diag.min(p.diags.len());
                        p.diags.splice(at..at, timer);
                    }
                    if p.error_count > before {
                        fatal_lines += 1;
                    }
                    if p.aborted {
                        break 'files;
                    }
                }
                Item::Diag(d) => {
                    if d.level == Level::Alert {
                        p.mark_error(&name);
                    }
                    p.diags.push(d);
                }
                Item::Fatal(d) => {
                    // HAProxy aborts: `Error(s) found in configuration
                    // file : FILE` follows, without `Fatal errors found`.
                    p.diags.push(d);
                    p.mark_error(&name);
                    p.aborted = true;
                    break 'files;
                }
            }
        }
        p.end_file();
    }
    p.finish()
}

/// Which section the following lines belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Global,
    Defaults(usize),
    Proxy(usize),
    /// A proxy header HAProxy refused without creating the proxy: its lines
    /// get `'listen' or 'defaults' expected.`
    DeadProxy,
    Userlist(usize),
    Other(usize),
}

pub(crate) struct Parser<'o> {
    opts: &'o LoadOptions,
    cfg: Config,
    diags: Vec<Diag>,
    /// Files that had fatal parse errors, in order of first error.
    err_files: Vec<String>,
    /// An error that stops reading at once (ERR_ABORT).
    aborted: bool,
    section: Section,
    file: String,
    /// The defaults section that proxies declared from now on inherit.
    last_defaults: Option<usize>,
    /// The global line being parsed had HAProxy's `no` prefix (stripped before the
    /// keyword handler, as HAProxy does): `no strict-limits`, `no busy-polling`...
    pub(crate) negated: bool,
    /// Per-section parse state that is not IR.
    global_state: global::State,
    proxy_state: proxy::State,
    /// Per proxy (same index as `cfg.proxies`): facts for the post-parse checks.
    notes: Vec<check::ProxyNotes>,
    /// Fatal errors reported so far (HAProxy stops a file after 50).
    error_count: u32,
    /// Per defaults section: (explicitly referenced by `from`, implicitly used).
    defaults_refs: Vec<(bool, bool)>,
    /// See [`Outcome::quiet_from`].
    pub(crate) quiet_from: Option<usize>,
}

impl<'o> Parser<'o> {
    fn new(opts: &'o LoadOptions) -> Self {
        Parser {
            opts,
            cfg: Config::default(),
            diags: Vec::new(),
            err_files: Vec::new(),
            aborted: false,
            section: Section::None,
            file: String::new(),
            last_defaults: None,
            negated: false,
            global_state: global::State::default(),
            proxy_state: proxy::State::default(),
            notes: Vec::new(),
            defaults_refs: Vec::new(),
            error_count: 0,
            quiet_from: None,
        }
    }

    fn begin_file(&mut self, name: &str) {
        self.file = name.to_string();
        // HAProxy resets the section at each new file.
        self.section = Section::None;
    }

    fn end_file(&mut self) {
        other::end_section(self);
    }

    fn span(&self, line: &Line) -> Span {
        Span {
            file: line.file.to_string(),
            line: line.line,
        }
    }

    pub(crate) fn mark_error(&mut self, file: &str) {
        self.error_count += 1;
        if !self.err_files.iter().any(|f| f == file) {
            self.err_files.push(file.to_string());
        }
    }

    pub(crate) fn push(&mut self, level: Level, line: Option<&Line>, text: String) {
        let loc = line.map(|l| Loc::new(l.file.to_string(), l.line));
        self.diags.push(Diag::new(level, loc, text));
    }

    /// `parsing [FILE:LINE] : MSG` as a fatal parse error.
    pub(crate) fn alert(&mut self, line: &Line, msg: impl AsRef<str>) {
        let text = format!(
            "config : parsing [{}:{}] : {}",
            line.file,
            line.line,
            msg.as_ref()
        );
        self.push(Level::Alert, Some(line), text);
        let f = line.file.to_string();
        self.mark_error(&f);
    }

    /// `parsing [FILE:LINE]: MSG` (no space before the colon) as a fatal error.
    pub(crate) fn alert_nospace(&mut self, line: &Line, msg: impl AsRef<str>) {
        let text = format!(
            "config : parsing [{}:{}]: {}",
            line.file,
            line.line,
            msg.as_ref()
        );
        self.push(Level::Alert, Some(line), text);
        let f = line.file.to_string();
        self.mark_error(&f);
    }

    /// An error whose text the caller formats completely (after `config : `).
    pub(crate) fn alert_text(&mut self, line: &Line, text: impl AsRef<str>) {
        self.push(
            Level::Alert,
            Some(line),
            format!("config : {}", text.as_ref()),
        );
        let f = line.file.to_string();
        self.mark_error(&f);
    }

    /// An ALERT that does not make the configuration invalid.
    pub(crate) fn alert_nonfatal(&mut self, line: &Line, msg: impl AsRef<str>) {
        let text = format!(
            "config : parsing [{}:{}] : {}",
            line.file,
            line.line,
            msg.as_ref()
        );
        self.push(Level::Alert, Some(line), text);
    }

    pub(crate) fn warn(&mut self, line: &Line, msg: impl AsRef<str>) {
        let text = format!(
            "config : parsing [{}:{}] : {}",
            line.file,
            line.line,
            msg.as_ref()
        );
        self.push(Level::Warning, Some(line), text);
    }

    pub(crate) fn warn_nospace(&mut self, line: &Line, msg: impl AsRef<str>) {
        let text = format!(
            "config : parsing [{}:{}]: {}",
            line.file,
            line.line,
            msg.as_ref()
        );
        self.push(Level::Warning, Some(line), text);
    }

    /// Stop reading configuration after this line (HAProxy's ERR_ABORT).
    pub(crate) fn abort(&mut self, line: &Line, msg: impl AsRef<str>) {
        self.alert(line, msg);
        self.aborted = true;
    }

    fn line(&mut self, line: &Line) {
        let Some(kw) = line.args.first() else {
            return;
        };
        let kw = kw.as_str();
        if kw == "no" || kw == "default" {
            // HAProxy strips the prefix for every keyword; only a few take it.
            let sub = line.args.get(1).map(String::as_str);
            let supported = matches!(
                sub,
                Some(
                    "option"
                        | "log"
                        | "busy-polling"
                        | "set-dumpable"
                        | "strict-limits"
                        | "insecure-fork-wanted"
                        | "numa-cpu-mapping"
                )
            );
            let keeps_prefix = matches!(self.section, Section::Defaults(_) | Section::Proxy(_))
                || (matches!(self.section, Section::Other(_)) && sub == Some("option"));
            if !supported || !keeps_prefix {
                if !supported {
                    self.alert_nospace(
                        line,
                        "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
                    );
                }
                if sub.is_none() {
                    // HAProxy 2.6.12 shifts a lone `no` (leaving an empty
                    // keyword) but not a lone `default`.
                    if kw == "no" {
                        let empty = Line {
                            args: vec![String::new()],
                            ..line.clone()
                        };
                        return self.section_line(&empty, "");
                    }
                    return self.section_line(line, kw);
                }
                let shifted = Line {
                    args: line.args[1..].to_vec(),
                    ..line.clone()
                };
                self.negated = supported && kw == "no";
                self.line(&shifted);
                self.negated = false;
                return;
            }
        }
        self.section_line(line, kw);
    }

    fn section_line(&mut self, line: &Line, kw: &str) {
        if is_section_keyword(kw) {
            other::end_section(self);
        }
        match kw {
            "global" => {
                self.section = Section::Global;
                global::begin(self, line);
            }
            "defaults" | "frontend" | "backend" | "listen" => proxy::begin(self, line),
            "userlist" => other::begin_userlist(self, line),
            "peers" | "resolvers" | "mailers" | "http-errors" | "cache" | "ring" | "program"
            | "log-forward" => other::begin_other(self, line),
            _ => match self.section {
                Section::None => {
                    self.alert_nospace(line, format!("unknown keyword '{kw}' out of section."));
                }
                Section::Global => global::keyword(self, line),
                Section::Defaults(_) | Section::Proxy(_) => proxy::keyword(self, line),
                Section::DeadProxy => self.alert(line, "'listen' or 'defaults' expected."),
                Section::Userlist(i) => other::userlist_keyword(self, i, line),
                Section::Other(i) => other::other_keyword(self, i, line),
            },
        }
    }

    fn finish(mut self) -> Outcome {
        if self.aborted {
            return Outcome {
                config: None,
                diags: self.diags,
                verdict: Verdict::Aborted(self.err_files),
                quiet_from: self.quiet_from,
            };
        }
        if !self.err_files.is_empty() {
            return Outcome {
                config: Some(self.cfg),
                diags: self.diags,
                verdict: Verdict::ParseErrors(self.err_files),
                quiet_from: self.quiet_from,
            };
        }
        let verdict = check::run(&mut self);
        Outcome {
            config: Some(self.cfg),
            diags: self.diags,
            verdict,
            quiet_from: self.quiet_from,
        }
    }
}

fn is_section_keyword(kw: &str) -> bool {
    matches!(
        kw,
        "global"
            | "defaults"
            | "frontend"
            | "backend"
            | "listen"
            | "userlist"
            | "peers"
            | "resolvers"
            | "mailers"
            | "http-errors"
            | "cache"
            | "ring"
            | "program"
            | "log-forward"
    )
}

/// Splits test input on blanks (no quoting); the lexer owns the real rules.
#[cfg(test)]
pub(crate) fn test_items(file: &str, text: &str) -> Vec<Item> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let code = raw.split('#').next().unwrap_or("");
            let args: Vec<String> = code.split_whitespace().map(str::to_string).collect();
            if args.is_empty() {
                return None;
            }
            Some(Item::Line(Line {
                file: file.into(),
                line: i as u32 + 1,
                args,
                raw: raw.to_string(),
            }))
        })
        .collect()
}

/// Diagnostics of one test config, rendered as HAProxy prints them (PID
/// masked as `(P)`), plus the verdict.
#[cfg(test)]
pub(crate) fn run_test(text: &str) -> (Vec<String>, Verdict) {
    run_test_opts(text, &LoadOptions::default())
}

#[cfg(test)]
pub(crate) fn run_test_opts(text: &str, opts: &LoadOptions) -> (Vec<String>, Verdict) {
    let out = load_items(vec![("t.cfg".to_string(), test_items("t.cfg", text))], opts);
    let lines = out
        .diags
        .iter()
        .flat_map(|d| {
            let tag = match d.level {
                Level::Alert => "[ALERT]   ",
                Level::Warning => "[WARNING] ",
                Level::Notice => "[NOTICE]  ",
                Level::Diag => "[DIAG]    ",
            };
            let mut v = Vec::new();
            for (i, l) in d.text.split('\n').enumerate() {
                if i == 0 {
                    v.push(format!("{tag} (P) : {l}"));
                } else {
                    v.push(l.to_string());
                }
            }
            v
        })
        .collect();
    (lines, out.verdict)
}

#[cfg(test)]
mod tests;
