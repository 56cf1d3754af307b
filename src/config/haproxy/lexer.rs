//! haproxy.cfg lexer and preprocessor (nom + nom_locate).
//!
//! Contract with `parser`: `lex_file` yields the file's items in file order.
//! A `Line` is one logical config line after quote/escape processing,
//! environment expansion and conditional-block evaluation; lines inside a
//! false `.if` branch are not yielded. Diagnostics produced while lexing
//! (`.warning` directives, unmatched quotes, missing final LF, ...) are yielded
//! in their place so that the parser can report everything in line order.
//!
//! Extra rules of the stream (all measured against HAProxy 2.6.12):
//! - An `Item::Fatal` is always the last item: HAProxy aborts after it
//!   (`.alert`, a bad `.if` condition, lone `.else`, non-terminated `.if`...)
//!   and its caller then prints `Error(s) found in configuration file : FILE`
//!   and exits 1 without `Fatal errors found in configuration.`.
//! - Some errors stop reading the file without aborting (an unknown `.xxx`
//!   directive, a stray NUL byte): the stream simply ends after that alert.
//! - Alerts yielded as `Item::Diag` are errors (they make the check fail);
//!   `.notice`, `.warning` and `.diag` give Notice, Warning and Diag levels.
//!   Diag-level messages are printed only in `-dD` mode (the renderer's job).
//! - There is no line length limit: HAProxy 2.6 grows its line buffer as
//!   needed (its "line too long" alert only reports a failed allocation).
//! - HAProxy stops a file after 50 fatal errors; it counts the section
//!   parsers' errors too, which only the parser sees, so the lexer's count
//!   (its own errors) is a lower bound.
//!
//! How it is built: the file is cut into `fgets()`-like segments with nom on
//! a `nom_locate` span (line numbers come from the span). Each segment then
//! goes through a byte-exact port of HAProxy's `parse_line()` (src/tools.c)
//! and of the loop of `readcfgfile()` (src/cfgparse.c). That part is kept a
//! hand-written state machine on purpose: HAProxy's messages quote byte
//! offsets, echo the line after in-place edits, and even depend on the size
//! of its output buffer (a `${VAR-default}` on the first line of a file, or
//! on any line longer than the longest seen so far, fails with "unmatched
//! brace" in 2.6 because the first, too-small pass has already overwritten
//! the closing brace). A combinator grammar would not reproduce those.

use std::sync::{Arc, Mutex};

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_till};
use nom::combinator::opt;
use nom_locate::LocatedSpan;

use crate::config::diag::{Diag, Level, Loc};
use crate::config::haproxy::cond;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The file name as given on the command line (used in `parsing [FILE:LINE]`).
    pub file: std::sync::Arc<str>,
    /// 1-based line number.
    pub line: u32,
    /// Words after unquoting, unescaping and expansion. Never empty.
    pub args: Vec<String>,
    /// The raw text of the line (without the newline), for carets and dumps.
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Line(Line),
    /// A message to report at this point; parsing goes on.
    Diag(Diag),
    /// A message after which HAProxy stops reading configuration at once.
    Fatal(Diag),
}

/// HAProxy's MAX_LINE_ARGS: words per line.
pub const MAX_LINE_ARGS: usize = 64;
/// HAProxy's MAXNESTEDCONDS: `.if` nesting limit.
const MAX_NESTED_CONDS: usize = 100;

// parse_line() options and errors, as in HAProxy's include/haproxy/tools-t.h.
const OPT_ENV: u32 = 0x01;
const OPT_DQUOTE: u32 = 0x02;
const OPT_SQUOTE: u32 = 0x04;
const OPT_BKSLASH: u32 = 0x08;
const OPT_SHARP: u32 = 0x10;
const OPT_WORD_EXPAND: u32 = 0x20;

const ERR_TOOLARGE: u32 = 0x01;
const ERR_TOOMANY: u32 = 0x02;
const ERR_QUOTE: u32 = 0x04;
const ERR_BRACE: u32 = 0x08;
const ERR_HEX: u32 = 0x10;
const ERR_VARNAME: u32 = 0x20;
const ERR_WRONG_EXPAND: u32 = 0x80;

/// Options `readcfgfile()` uses for configuration lines.
const CFG_OPTS: u32 = OPT_ENV | OPT_DQUOTE | OPT_SQUOTE | OPT_BKSLASH | OPT_SHARP | OPT_WORD_EXPAND;
/// Options `haproxy -cc` uses (no `#` comments).
const CC_OPTS: u32 = OPT_ENV | OPT_WORD_EXPAND | OPT_DQUOTE | OPT_SQUOTE | OPT_BKSLASH;

/// The section keywords HAProxy 2.6 registers; needed here only for the
/// `${.SECTION}` pseudo-variable.
const SECTIONS: &[&str] = &[
    "listen",
    "frontend",
    "backend",
    "defaults",
    "global",
    "userlist",
    "peers",
    "mailers",
    "namespace_list",
    "resolvers",
    "http-errors",
    "ring",
    "program",
    "cache",
    "fcgi-app",
    "log-forward",
];

/// Variables HAProxy sets in its own environment before reading the
/// configuration (e.g. `HAPROXY_LOCALPEER`). tandem does not touch its real
/// environment (`set_var` is unsafe in edition 2024); it layers these over it.
static ENV_OVERLAY: Mutex<Vec<(String, Vec<u8>)>> = Mutex::new(Vec::new());

/// Set (or replace) a variable that `"${NAME}"` and `defined(NAME)` see.
pub fn set_env_overlay(name: &str, value: &[u8]) {
    let mut g = ENV_OVERLAY.lock().unwrap_or_else(|e| e.into_inner());
    g.retain(|(n, _)| n != name);
    g.push((name.to_string(), value.to_vec()));
}

/// `getenv()` as HAProxy sees it: the overlay, then the process environment.
pub fn env_lookup(name: &str) -> Option<Vec<u8>> {
    {
        let g = ENV_OVERLAY.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, v)) = g.iter().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
    }
    if name.is_empty() || name.contains('=') {
        return None;
    }
    use std::os::unix::ffi::OsStrExt;
    std::env::var_os(name).map(|v| v.as_bytes().to_vec())
}

/// Lex one file's content. `file` is the name to report.
pub fn lex_file(file: &str, content: &[u8]) -> Vec<Item> {
    lex_file_with(file, content, &env_lookup)
}

type Span<'a> = LocatedSpan<&'a [u8]>;

/// One `fgets()` segment: the bytes up to the next LF, and whether an LF
/// followed (it is consumed; only the last segment of a file may lack it).
fn segment(input: Span<'_>) -> IResult<Span<'_>, (Span<'_>, bool)> {
    (take_till(|c| c == b'\n'), opt(tag(&b"\n"[..])))
        .map(|(body, lf): (Span<'_>, Option<Span<'_>>)| (body, lf.is_some()))
        .parse(input)
}

/// Cut `content` into segments: (1-based line, body without LF, had LF).
fn segments(content: &[u8]) -> Vec<(u32, &[u8], bool)> {
    let mut out = Vec::new();
    let mut input = Span::new(content);
    while !input.fragment().is_empty() {
        let line = input.location_line();
        match segment(input) {
            Ok((rest, (body, lf))) => {
                out.push((line, *body.fragment(), lf));
                if rest.location_offset() == input.location_offset() {
                    break;
                }
                input = rest;
            }
            Err(_) => break,
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cond {
    IfTake,
    IfDrop,
    IfSkip,
    ElifTake,
    ElifDrop,
    ElifSkip,
    ElseTake,
    ElseDrop,
}

impl Cond {
    fn masked(self) -> bool {
        matches!(
            self,
            Cond::IfDrop | Cond::IfSkip | Cond::ElifDrop | Cond::ElifSkip | Cond::ElseDrop
        )
    }
    fn taken_or_skipped(self) -> bool {
        matches!(
            self,
            Cond::IfTake | Cond::IfSkip | Cond::ElifTake | Cond::ElifSkip
        )
    }
}

/// Values of the pseudo-variables `.FILE`, `.LINE`, `.SECTION`.
struct Pseudo<'a> {
    file: &'a str,
    line: u32,
    section: Option<&'a [u8]>,
}

/// Result of one `parse_line()` pass.
struct Parsed {
    /// Everything emitted, words separated by NULs, with the final NUL.
    out: Vec<u8>,
    /// Start offsets in `out` of the first `nbargs` words (at most 64).
    starts: Vec<usize>,
    nbargs: usize,
    err: u32,
    /// Offset in the line buffer of the first bad byte.
    errptr: usize,
}

impl Parsed {
    fn word(&self, i: usize) -> &[u8] {
        if i >= self.nbargs {
            return b"";
        }
        let Some(&s) = self.starts.get(i) else {
            return b"";
        };
        let tail = self.out.get(s..).unwrap_or(b"");
        let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
        &tail[..end]
    }
}

fn c_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Port of HAProxy's `parse_line()`. `line` is the whole line buffer
/// (bytes past its end read as NUL, like a C string), parsing starts at
/// `start`. `line` may be modified as HAProxy modifies it.
fn parse_line(
    line: &mut Vec<u8>,
    start: usize,
    outmax: usize,
    opts: u32,
    pseudo: &Pseudo<'_>,
    env: cond::EnvLookup<'_>,
) -> Parsed {
    let at = |l: &Vec<u8>, i: usize| l.get(i).copied().unwrap_or(0);
    let argsmax = MAX_LINE_ARGS; // C: *nbargs - 1 with args[MAX_LINE_ARGS + 1]
    let mut out: Vec<u8> = Vec::new();
    let mut starts = vec![0usize];
    let mut arg = 0usize;
    let mut err = 0u32;
    let mut errptr = 0usize;
    let mut quote: Option<usize> = None;
    let (mut squote, mut dquote) = (false, false);
    let mut i = start;

    'main: loop {
        let c = at(line, i);
        if c >= b'-' && c != b'\\' && c < 0x80 {
            out.push(c);
            i += 1;
        } else if c == 0
            || c == b'\n'
            || c == b'\r'
            || (c == b'#' && opts & OPT_SHARP != 0 && !squote && !dquote)
        {
            // End of line, or a comment.
            break;
        } else if c == b'"' && !squote && opts & OPT_DQUOTE != 0 {
            if dquote {
                dquote = false;
                quote = None;
            } else {
                dquote = true;
                quote = Some(i);
            }
            i += 1;
        } else if c == b'\'' && !dquote && opts & OPT_SQUOTE != 0 {
            if squote {
                squote = false;
                quote = None;
            } else {
                squote = true;
                quote = Some(i);
            }
            i += 1;
        } else if c == b'\\' && !squote && opts & OPT_BKSLASH != 0 {
            let mut tosend = c;
            match at(line, i + 1) {
                b' ' | b'\\' => {
                    tosend = at(line, i + 1);
                    i += 1;
                }
                b't' => {
                    tosend = b'\t';
                    i += 1;
                }
                b'n' => {
                    tosend = b'\n';
                    i += 1;
                }
                b'r' => {
                    tosend = b'\r';
                    i += 1;
                }
                b'#' => {
                    if opts & OPT_SHARP != 0 {
                        i += 1;
                    }
                    tosend = at(line, i);
                }
                b'\'' => {
                    if opts & OPT_SQUOTE != 0 && !squote {
                        i += 1;
                    }
                    tosend = at(line, i);
                }
                b'"' => {
                    if opts & OPT_DQUOTE != 0 && !squote {
                        i += 1;
                    }
                    tosend = at(line, i);
                }
                b'$' => {
                    if opts & OPT_ENV != 0 && dquote {
                        i += 1;
                    }
                    tosend = at(line, i);
                }
                b'x' => {
                    let (h1, h2) = (at(line, i + 2), at(line, i + 3));
                    if !h1.is_ascii_hexdigit() || !h2.is_ascii_hexdigit() {
                        err |= ERR_HEX;
                        errptr = i;
                        break 'main;
                    }
                    let hex = |h: u8| (h as char).to_digit(16).unwrap_or(0) as u8;
                    tosend = (hex(h1) << 4) | hex(h2);
                    i += 3;
                }
                _ => {}
            }
            i += 1;
            out.push(tosend);
        } else if c_isspace(c) && !squote && !dquote {
            while c_isspace(at(line, i)) {
                i += 1;
            }
            out.push(0);
            arg += 1;
            if arg < argsmax {
                starts.push(out.len());
            } else {
                err |= ERR_TOOMANY;
            }
        } else if c == b'$' && opts & OPT_ENV != 0 && (dquote || opts & OPT_DQUOTE == 0) {
            i += 1;
            let mut brace: Option<usize> = None;
            if at(line, i) == b'{' {
                brace = Some(i);
                i += 1;
            }
            let f = at(line, i);
            if !f.is_ascii_alphabetic() && f != b'_' && f != b'.' {
                err |= ERR_VARNAME;
                errptr = i;
                break 'main;
            }
            let var_name = i;
            if at(line, i) == b'.' {
                i += 1;
            }
            while at(line, i).is_ascii_alphanumeric() || at(line, i) == b'_' {
                i += 1;
            }
            let name = line.get(var_name..i).unwrap_or(b"").to_vec();
            let mut value: Option<Vec<u8>> = if name.first() == Some(&b'.') {
                match name.as_slice() {
                    b".LINE" => Some(pseudo.line.to_string().into_bytes()),
                    b".FILE" => Some(pseudo.file.as_bytes().to_vec()),
                    b".SECTION" => pseudo.section.map(<[u8]>::to_vec),
                    _ => {
                        // HAProxy leaves the NUL it wrote after the name.
                        if i < line.len() {
                            line[i] = 0;
                        }
                        err |= ERR_VARNAME;
                        errptr = var_name;
                        break 'main;
                    }
                }
            } else {
                env(&String::from_utf8_lossy(&name))
            };
            let mut word_expand = false;
            if at(line, i) == b'[' && brace.is_some() && opts & OPT_WORD_EXPAND != 0 {
                let we = i;
                i += 1;
                let ok1 = at(line, i) == b'*';
                i += 1;
                let ok2 = ok1 && at(line, i) == b']';
                i += 1;
                if !ok1 || !ok2 {
                    err |= ERR_WRONG_EXPAND;
                    errptr = we;
                    break 'main;
                }
                word_expand = true;
            }
            if let Some(b) = brace {
                if at(line, i) == b'-' {
                    let dstart = i + 1;
                    while at(line, i) != 0 && at(line, i) != b'}' {
                        i += 1;
                    }
                    if at(line, i) == 0 {
                        err |= ERR_BRACE;
                        errptr = b;
                        break 'main;
                    }
                    if value.is_none() {
                        value = Some(line.get(dstart..i).unwrap_or(b"").to_vec());
                    }
                    // Terminates the default value in place; a second pass
                    // over this buffer then finds no closing brace.
                    line[i] = 0;
                } else if at(line, i) != b'}' {
                    err |= ERR_BRACE;
                    errptr = b;
                    break 'main;
                }
                i += 1;
            }
            if let Some(v) = value {
                let mut k = 0usize;
                while let Some(&vc) = v.get(k) {
                    if vc == 0 {
                        break;
                    }
                    if word_expand && c_isspace(vc) {
                        out.push(0);
                        arg += 1;
                        if arg < argsmax {
                            starts.push(out.len());
                        } else {
                            err |= ERR_TOOMANY;
                        }
                        k += 1;
                        while v.get(k).is_some_and(|&x| c_isspace(x)) {
                            k += 1;
                        }
                    } else {
                        out.push(vc);
                        k += 1;
                    }
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }

    if err & (ERR_HEX | ERR_VARNAME | ERR_WRONG_EXPAND | ERR_BRACE) == 0 {
        out.push(0);
        // Don't count an empty word after trailing spaces.
        if arg < argsmax && starts.get(arg).is_some_and(|&s| out.get(s) != Some(&0)) {
            arg += 1;
        }
        if let Some(q) = quote {
            err |= ERR_QUOTE;
            errptr = q;
        }
    }
    if out.len() > outmax {
        err |= ERR_TOOLARGE;
    }
    starts.truncate(arg.min(argsmax));
    Parsed {
        out,
        starts,
        nbargs: arg,
        err,
        errptr,
    }
}

/// HAProxy's `sanitize_for_printing()`: about `width` printable bytes around
/// `pos`, with `...` marks when the line had to be shifted. Returns the text
/// and the new position of `pos` in it.
pub fn sanitize_for_printing(line: &[u8], pos: usize, width: usize) -> (String, usize) {
    let end = line.iter().position(|&c| c == 0).unwrap_or(line.len());
    let line = &line[..end];
    let map = |c: u8| -> char {
        if c_isspace(c) {
            ' '
        } else if (0x20..0x7f).contains(&c) {
            c as char
        } else {
            '?'
        }
    };
    let mut out = String::new();
    if pos >= width {
        let shift = pos - width / 2;
        out.push_str("...");
        let from = (shift + 3).min(line.len());
        out.extend(
            line[from..]
                .iter()
                .take(width.saturating_sub(6))
                .map(|&c| map(c)),
        );
        out.push_str("...");
        (out, pos - shift)
    } else {
        out.extend(line.iter().take(width).map(|&c| map(c)));
        (out, pos)
    }
}

/// `ALERT` text for a parse_line error with the line echoed and a caret.
fn caret_alert(
    file: &str,
    linenum: u32,
    what: &str,
    line: &[u8],
    start: usize,
    errptr: usize,
) -> String {
    let shown = line.get(start..).unwrap_or(b"");
    let (txt, newpos) = sanitize_for_printing(shown, errptr.saturating_sub(start), 80);
    format!(
        "config : parsing [{file}:{linenum}]: {what} at position {}:\n  {txt}\n  {:>w$}",
        errptr + 1,
        "^",
        w = newpos + 1
    )
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Lex with an explicit environment (tests use a fixed one).
pub fn lex_file_with(file: &str, content: &[u8], env: cond::EnvLookup<'_>) -> Vec<Item> {
    let mut lx = Lexer {
        file,
        farc: Arc::from(file),
        items: Vec::new(),
        env,
    };
    lx.run(content);
    lx.items
}

struct Lexer<'a> {
    file: &'a str,
    farc: Arc<str>,
    items: Vec<Item>,
    env: cond::EnvLookup<'a>,
}

enum End {
    /// Normal end of file, or `break` out of the read loop.
    Eof,
    /// HAProxy's `goto err`: this message, nothing after.
    Abort(String, u32),
}

impl Lexer<'_> {
    fn alert(&mut self, line: u32, text: String) {
        self.items.push(Item::Diag(Diag::new(
            Level::Alert,
            Some(Loc::new(self.file, line)),
            text,
        )));
    }

    fn push(&mut self, level: Level, line: u32, text: String) {
        self.items.push(Item::Diag(Diag::new(
            level,
            Some(Loc::new(self.file, line)),
            text,
        )));
    }

    fn run(&mut self, content: &[u8]) {
        let file = self.file;
        let mut linenum: u32 = 0;
        let mut missing_lf: Option<usize> = None;
        let mut fatal: u32 = 0;
        let mut outlinesize: usize = 0;
        let mut nested: Vec<Cond> = Vec::new(); // nested[k] = state of level k+1
        let mut section: Option<Vec<u8>> = None;
        // Set when the read loop was left with HAProxy's `break` while
        // ERR_ABORT is already set: the end-of-file checks still run.
        let mut abort_after_eof = false;

        let end = 'read: {
            for (seg_line, body, had_lf) in segments(content) {
                if let Some(m) = missing_lf.take() {
                    self.alert(
                        linenum,
                        format!(
                            "config : parsing [{file}:{linenum}]: Stray NUL character at position {}.",
                            m + 1
                        ),
                    );
                    break;
                }
                linenum = seg_line;
                if fatal >= 50 {
                    self.alert(
                        linenum,
                        format!(
                            "config : parsing [{file}:{linenum}]: too many fatal errors ({fatal}), stopping now."
                        ),
                    );
                    break;
                }
                let strl = body.iter().position(|&c| c == 0);
                let mut line: Vec<u8> = body[..strl.unwrap_or(body.len())].to_vec();
                let raw = lossy(&line);
                if strl.is_some() || !had_lf {
                    missing_lf = Some(line.len());
                }
                let start = line
                    .iter()
                    .position(|&c| !c_isspace(c))
                    .unwrap_or(line.len());

                if line.get(start) == Some(&b'[') {
                    if let Some(msg) = self.scope(&line[start..], linenum) {
                        match msg {
                            (text, false) => self.alert(linenum, text),
                            (text, true) => break 'read End::Abort(text, linenum),
                        }
                    }
                    continue;
                }

                let pseudo_section = section.clone();
                let parsed = loop {
                    let pseudo = Pseudo {
                        file,
                        line: linenum,
                        section: pseudo_section.as_deref(),
                    };
                    let p = parse_line(&mut line, start, outlinesize, CFG_OPTS, &pseudo, self.env);
                    let what = if p.err & ERR_QUOTE != 0 {
                        Some("unmatched quote")
                    } else if p.err & ERR_BRACE != 0 {
                        Some("unmatched brace in environment variable name")
                    } else if p.err & ERR_VARNAME != 0 {
                        Some("forbidden first char in environment variable name")
                    } else if p.err & ERR_HEX != 0 {
                        Some("truncated or invalid hexadecimal sequence")
                    } else if p.err & ERR_WRONG_EXPAND != 0 {
                        Some("truncated or invalid word expansion sequence")
                    } else {
                        None
                    };
                    if let Some(what) = what {
                        let text = caret_alert(file, linenum, what, &line, start, p.errptr);
                        self.alert(linenum, text);
                        fatal += 1;
                        break None;
                    }
                    if p.err & ERR_TOOLARGE != 0 {
                        outlinesize = (p.out.len() + 1023) & !1023;
                        continue;
                    }
                    if p.err & ERR_TOOMANY != 0 {
                        let s = p.starts.get(MAX_LINE_ARGS - 1).copied().unwrap_or(0);
                        let w = {
                            let t = p.out.get(s..).unwrap_or(b"");
                            let e = t.iter().position(|&c| c == 0).unwrap_or(t.len());
                            lossy(&t[..e])
                        };
                        self.alert(
                            linenum,
                            format!(
                                "config : parsing [{file}:{linenum}]: too many words, truncating after word {MAX_LINE_ARGS}, position {}: <{w}>.",
                                s + 1
                            ),
                        );
                        fatal += 1;
                        break None;
                    }
                    break Some(p);
                };
                let Some(p) = parsed else { continue };

                let a0 = p.word(0);
                if p.nbargs == 0 || a0.is_empty() {
                    continue;
                }

                // Conditional blocks, processed even inside masked blocks.
                if a0.first() == Some(&b'.') {
                    let lvl = nested.len();
                    match a0 {
                        b".if" | b".elif" => {
                            let is_if = a0 == b".if";
                            // Re-merge all words into one expression.
                            let expr: Vec<u8> = if p.nbargs >= 2 {
                                let s = p.starts.get(1).copied().unwrap_or(0);
                                let e = p.out.len().saturating_sub(1);
                                p.out
                                    .get(s..e)
                                    .unwrap_or(b"")
                                    .iter()
                                    .map(|&c| if c == 0 { b' ' } else { c })
                                    .collect()
                            } else {
                                Vec::new()
                            };
                            if is_if {
                                if lvl + 1 >= MAX_NESTED_CONDS {
                                    break 'read End::Abort(
                                        format!(
                                            "config : parsing [{file}:{linenum}]: too many nested '.if', max is {MAX_NESTED_CONDS}."
                                        ),
                                        linenum,
                                    );
                                }
                                if nested.last().is_some_and(|c| c.masked()) {
                                    nested.push(Cond::IfSkip);
                                    continue;
                                }
                            } else {
                                let Some(cur) = nested.last().copied() else {
                                    break 'read End::Abort(
                                        format!(
                                            "config : parsing [{file}:{linenum}]: lone '.elif' with no matching '.if'."
                                        ),
                                        linenum,
                                    );
                                };
                                if matches!(cur, Cond::ElseTake | Cond::ElseDrop) {
                                    break 'read End::Abort(
                                        format!(
                                            "config : parsing [{file}:{linenum}]: '.elif' after '.else' is not permitted."
                                        ),
                                        linenum,
                                    );
                                }
                                if cur.taken_or_skipped() {
                                    if let Some(l) = nested.last_mut() {
                                        *l = Cond::ElifSkip;
                                    }
                                    continue;
                                }
                            }
                            match cond::eval_bytes(&expr, self.env) {
                                Ok(v) => {
                                    let st = match (is_if, v) {
                                        (true, true) => Cond::IfTake,
                                        (true, false) => Cond::IfDrop,
                                        (false, true) => Cond::ElifTake,
                                        (false, false) => Cond::ElifDrop,
                                    };
                                    if is_if {
                                        nested.push(st);
                                    } else if let Some(l) = nested.last_mut() {
                                        *l = st;
                                    }
                                    continue;
                                }
                                Err(e) => {
                                    let (kw, width, extra) = if is_if {
                                        (".if", 76, 5)
                                    } else {
                                        (".elif", 74, 7)
                                    };
                                    let (txt, newpos) = sanitize_for_printing(&expr, e.pos, width);
                                    break 'read End::Abort(
                                        format!(
                                            "config : parsing [{file}:{linenum}]: {} in '{kw}' at position {}:\n  {kw} {txt}\n  {:>w$}",
                                            e.msg,
                                            e.pos + 1,
                                            "^",
                                            w = newpos + extra
                                        ),
                                        linenum,
                                    );
                                }
                            }
                        }
                        b".else" | b".endif" => {
                            let kw = lossy(a0);
                            if !p.word(1).is_empty() {
                                self.alert(
                                    linenum,
                                    format!(
                                        "config : parsing [{file}:{linenum}]: Unexpected argument '{}' for '{kw}'.",
                                        lossy(p.word(1))
                                    ),
                                );
                                abort_after_eof = true;
                                break 'read End::Eof;
                            }
                            let Some(cur) = nested.last().copied() else {
                                let text = format!(
                                    "config : parsing [{file}:{linenum}]: lone '{kw}' with no matching '.if'."
                                );
                                if a0 == b".else" {
                                    break 'read End::Abort(text, linenum);
                                }
                                self.alert(linenum, text);
                                abort_after_eof = true;
                                break 'read End::Eof;
                            };
                            if a0 == b".endif" {
                                nested.pop();
                                continue;
                            }
                            if matches!(cur, Cond::ElseTake | Cond::ElseDrop) {
                                break 'read End::Abort(
                                    format!(
                                        "config : parsing [{file}:{linenum}]: '.else' after '.else' is not permitted."
                                    ),
                                    linenum,
                                );
                            }
                            let st = if cur.taken_or_skipped() {
                                Cond::ElseDrop
                            } else {
                                Cond::ElseTake
                            };
                            if let Some(l) = nested.last_mut() {
                                *l = st;
                            }
                            continue;
                        }
                        _ => {}
                    }
                }

                if nested.last().is_some_and(|c| c.masked()) {
                    continue;
                }

                if a0.first() == Some(&b'.') {
                    let level = match a0 {
                        b".alert" => Some(Level::Alert),
                        b".warning" => Some(Level::Warning),
                        b".notice" => Some(Level::Notice),
                        b".diag" => Some(Level::Diag),
                        _ => None,
                    };
                    let kw = lossy(a0);
                    let Some(level) = level else {
                        self.alert(
                            linenum,
                            format!(
                                "config : parsing [{file}:{linenum}]: unknown directive '{kw}'."
                            ),
                        );
                        break 'read End::Eof;
                    };
                    if !p.word(2).is_empty() {
                        self.alert(
                            linenum,
                            format!(
                                "config : parsing [{file}:{linenum}]: Unexpected argument '{}' for '{kw}'. Use quotes if the message should contain spaces.",
                                lossy(p.word(2))
                            ),
                        );
                        continue;
                    }
                    let text = format!(
                        "config : parsing [{file}:{linenum}]: '{}'.",
                        lossy(p.word(1))
                    );
                    if level == Level::Alert {
                        break 'read End::Abort(text, linenum);
                    }
                    self.push(level, linenum, text);
                    continue;
                }

                let args: Vec<String> = (0..p.nbargs).map(|k| lossy(p.word(k))).collect();
                if let Some(name) = args.first()
                    && SECTIONS.contains(&name.as_str())
                {
                    let n = p.word(1);
                    section = Some(if n.is_empty() {
                        a0.to_vec()
                    } else {
                        n.to_vec()
                    });
                }
                self.items.push(Item::Line(Line {
                    file: self.farc.clone(),
                    line: linenum,
                    args,
                    raw,
                }));
            }
            End::Eof
        };

        match end {
            End::Abort(text, line) => {
                self.items.push(Item::Fatal(Diag::new(
                    Level::Alert,
                    Some(Loc::new(file, line)),
                    text,
                )));
            }
            End::Eof => {
                if let Some(m) = missing_lf {
                    self.alert(
                        linenum,
                        format!(
                            "config : parsing [{file}:{linenum}]: Missing LF on last line, file might have been truncated at position {}.",
                            m + 1
                        ),
                    );
                }
                if !nested.is_empty() {
                    self.items.push(Item::Fatal(Diag::new(
                        Level::Alert,
                        Some(Loc::new(file, linenum)),
                        format!("config : parsing [{file}:{linenum}]: non-terminated '.if' block."),
                    )));
                } else if abort_after_eof {
                    // The last alert was an abort: make it the Fatal item.
                    if let Some(Item::Diag(d)) = self.items.pop() {
                        self.items.push(Item::Fatal(d));
                    }
                }
            }
        }
    }

    /// HAProxy's `cfg_parse_scope()` for a line starting with '['.
    /// Returns an alert and whether it aborts.
    fn scope(&self, line: &[u8], linenum: u32) -> Option<(String, bool)> {
        let file = self.file;
        let beg = &line[1..];
        let close = beg.iter().position(|&c| c == b']');
        let Some(close) = close.filter(|&n| n > 0) else {
            return Some((
                format!("config : parsing [{file}:{linenum}] : empty scope name is forbidden."),
                false,
            ));
        };
        let name = &beg[..close];
        if let Some(&bad) = name
            .iter()
            .find(|&&c| !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':')))
        {
            return Some((
                format!(
                    "config : parsing [{file}:{linenum}] : character '{}' is not permitted in a scope name.",
                    if bad.is_ascii() {
                        bad as char
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                ),
                true,
            ));
        }
        let after = &beg[close + 1..];
        let rest = after.iter().position(|&c| !c_isspace(c)).map(|n| after[n]);
        if let Some(c) = rest
            && c != b'#'
        {
            return Some((
                format!(
                    "config : parsing [{file}:{linenum}] : character '{}' is not permitted after scope declaration.",
                    if c.is_ascii() {
                        c as char
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                ),
                true,
            ));
        }
        None
    }
}

/// Why `haproxy -cc EXPR` failed; `Display` is HAProxy's alert text
/// (without the `config : ` context prefix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CcError {
    #[error("Syntax Error in condition: Unmatched quote.")]
    Quote,
    #[error("Syntax Error in condition: Truncated or invalid hexadecimal sequence.")]
    Hex,
    #[error("Error in condition: Line too long.")]
    TooLong,
    #[error("Error in condition: Too many words.")]
    TooMany,
    #[error("Unhandled error in condition, please report this to the developers.")]
    Unhandled,
    #[error("Failed to evaluate condition: {0}")]
    Eval(String),
}

/// `haproxy -cc EXPR`: tokenize the argument like a config line (without
/// `#` comments), re-merge the words and evaluate them.
pub fn eval_cc(expr: &[u8], env: cond::EnvLookup<'_>) -> Result<bool, CcError> {
    let mut line = expr.to_vec();
    let pseudo = Pseudo {
        file: "",
        line: 0,
        section: None,
    };
    // HAProxy parses in place: the output may not exceed the input.
    let p = parse_line(&mut line, 0, expr.len() + 1, CC_OPTS, &pseudo, env);
    if p.err & ERR_QUOTE != 0 {
        return Err(CcError::Quote);
    }
    if p.err & ERR_HEX != 0 {
        return Err(CcError::Hex);
    }
    if p.err & ERR_TOOLARGE != 0 {
        return Err(CcError::TooLong);
    }
    if p.err & ERR_TOOMANY != 0 {
        return Err(CcError::TooMany);
    }
    if p.err != 0 {
        return Err(CcError::Unhandled);
    }
    let merged: Vec<u8> = p
        .out
        .get(..p.out.len().saturating_sub(1))
        .unwrap_or(b"")
        .iter()
        .map(|&c| if c == 0 { b' ' } else { c })
        .collect();
    cond::eval_bytes(&merged, env).map_err(|e| CcError::Eval(e.msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<Vec<u8>> {
        match name {
            "HOME" => Some(b"/root".to_vec()),
            "MULTI" => Some(b"a  b c".to_vec()),
            "EMPTY" => Some(Vec::new()),
            _ => None,
        }
    }

    fn lex(s: &str) -> Vec<Item> {
        lex_file_with("t.cfg", s.as_bytes(), &env)
    }

    /// Render items compactly: lines as their args joined by '|',
    /// diagnostics as `LEVEL text` (`FATAL` for Item::Fatal).
    fn show(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Line(l) => format!("{}: {}", l.line, l.args.join("|")),
                Item::Diag(d) => format!("{:?} {}", d.level, d.text),
                Item::Fatal(d) => format!("FATAL {}", d.text),
            })
            .collect()
    }

    fn words(s: &str) -> Vec<String> {
        match lex(s).first() {
            Some(Item::Line(l)) => l.args.clone(),
            other => panic!("no line for {s:?}: {other:?}"),
        }
    }

    #[test]
    fn splitting_quoting_escapes() {
        assert_eq!(
            words("  bind  :80\tname x # c\n"),
            ["bind", ":80", "name", "x"]
        );
        assert_eq!(words("a \"b c\" 'd e' f\\ g\n"), ["a", "b c", "d e", "f g"]);
        // HAProxy 2.6.12 prints `'a b#c\d'e"f'` for `.notice a\ b\#c\\d\'e\"f`.
        assert_eq!(words("x a\\ b\\#c\\\\d\\'e\\\"f\n"), ["x", "a b#c\\d'e\"f"]);
        // `.notice 'single ${HOME} \n'` prints `'single ${HOME} \n'`.
        assert_eq!(
            words("x 'single ${HOME} \\n'\n"),
            ["x", "single ${HOME} \\n"]
        );
        // `.notice "x\x41y\tz"` prints 'xAy<TAB>z'.
        assert_eq!(words("x \"x\\x41y\\tz\"\n"), ["x", "xAy\tz"]);
        // unknown escapes stay as they are: 'x\q\1'
        assert_eq!(words("x x\\q\\1\n"), ["x", "x\\q\\1"]);
        assert_eq!(words("x a\"b\"'c'd\n"), ["x", "abcd"]);
        assert_eq!(words("x \"\" y\n"), ["x", "", "y"]);
        assert_eq!(words("x y \"\"\n"), ["x", "y"]);
        assert_eq!(words("\tx\x0b\"y\"\x0c\n"), ["x", "y"]);
        // CR ends the line.
        assert_eq!(words("a b\r\n"), ["a", "b"]);
        assert_eq!(words("a b\rc d\n"), ["a", "b"]);
    }

    #[test]
    fn environment_expansion() {
        // `.warning "warn ${HOME} $HOME \$HOME"` -> 'warn /root /root $HOME'
        assert_eq!(
            words("x \"warn ${HOME} $HOME \\$HOME\"\n"),
            ["x", "warn /root /root $HOME"]
        );
        assert_eq!(words("x $HOME\n"), ["x", "$HOME"]);
        assert_eq!(words("x \"${NOPE}|\"\n"), ["x", "|"]);
        assert_eq!(words("x \"$NOPE-x\"\n"), ["x", "-x"]);
        // `${NOPE-a}` outside quotes is not expanded.
        assert_eq!(words("x ${NOPE-a}\n"), ["x", "${NOPE-a}"]);
        // Word expansion: `"${MULTI[*]}"` splits, `"$MULTI[*]"` does not.
        assert_eq!(words("x \"${MULTI[*]}\"\n"), ["x", "a", "b", "c"]);
        assert_eq!(words("x \"$MULTI[*]\"\n"), ["x", "a  b c[*]"]);
        assert_eq!(words("x \"${MULTI}\"\n"), ["x", "a  b c"]);
        assert_eq!(words("\nx \"${EMPTY-d}\"\n"), ["x"]);
    }

    #[test]
    fn default_value_works_only_without_buffer_growth() {
        // HAProxy 2.6.12: `.notice "${NOPE-def}"` as the first line fails,
        // after any other line (buffer already 1024 bytes) it prints 'def'.
        let items = lex("# c\nx \"${NOPE-def}\"\n");
        assert_eq!(show(&items), ["2: x|def"]);
        let items = lex("x \"${NOPE-def}\"\n");
        assert_eq!(
            show(&items),
            [
                "Alert config : parsing [t.cfg:1]: unmatched brace in environment variable name at position 5:\n  x \"${NOPE-def\n      ^"
            ]
        );
        let items = lex("# c\nx \"${HOME-def}\"\n");
        assert_eq!(show(&items), ["2: x|/root"]);
    }

    #[test]
    fn pseudo_variables() {
        // HAProxy 2.6.12 prints '1 t.cfg ', 'global', 'foo 5'.
        let items = lex(
            "x \"${.LINE} ${.FILE} ${.SECTION}\"\nglobal\nx \"${.SECTION}\"\nlisten foo\nx \"${.SECTION} $.LINE\"\n",
        );
        assert_eq!(
            show(&items),
            [
                "1: x|1 t.cfg ",
                "2: global",
                "3: x|global",
                "4: listen|foo",
                "5: x|foo 5"
            ]
        );
    }

    // Expected texts below are HAProxy 2.6.12's output (`haproxy -c`), the
    // part after `[ALERT]    (PID) : `.
    #[test]
    fn unmatched_quote_and_caret() {
        let items = lex("global\n  maxconn \"10\n");
        assert_eq!(
            show(&items)[1],
            "Alert config : parsing [t.cfg:2]: unmatched quote at position 11:\n  maxconn \"10\n          ^"
        );
        let items = lex("  maxconn 'x\n");
        assert_eq!(
            show(&items),
            [
                "Alert config : parsing [t.cfg:1]: unmatched quote at position 11:\n  maxconn 'x\n          ^"
            ]
        );
        // Long lines are shifted around the error with '...' marks.
        let line = format!("  maxconn {} \"abc\n", "y".repeat(100));
        let items = lex(&line);
        assert_eq!(
            show(&items),
            [format!(
                "Alert config : parsing [t.cfg:1]: unmatched quote at position 112:\n  ...{} \"abc...\n  {}^",
                "y".repeat(36),
                " ".repeat(40)
            )]
        );
        let line = format!("  maxconn {} \"abc{}\n", "y".repeat(30), "z".repeat(100));
        let items = lex(&line);
        assert_eq!(
            show(&items),
            [format!(
                "Alert config : parsing [t.cfg:1]: unmatched quote at position 42:\n  maxconn {} \"abc{}\n  {}^",
                "y".repeat(30),
                "z".repeat(37),
                " ".repeat(39)
            )]
        );
        // Non-printable bytes are shown as '?', CR/tabs as spaces.
        let items = lex_file_with("t.cfg", b"  maxconn \t\x01\x7f\xc3\xa9 \"abc\n", &env);
        assert_eq!(
            show(&items),
            [
                "Alert config : parsing [t.cfg:1]: unmatched quote at position 17:\n  maxconn  ???? \"abc\n                ^"
            ]
        );
        // A CR inside quotes ends the line: the quote is unmatched.
        let items = lex(".notice \"a\rb\" c\r\n.notice \"b\"\r\n");
        assert_eq!(
            show(&items),
            [
                "Alert config : parsing [t.cfg:1]: unmatched quote at position 9:\n  .notice \"a b\" c \n          ^",
                "Notice config : parsing [t.cfg:2]: 'b'."
            ]
        );
    }

    #[test]
    fn other_line_errors() {
        assert_eq!(
            show(&lex(".notice \"${1HOME}\"\n")),
            [
                "Alert config : parsing [t.cfg:1]: forbidden first char in environment variable name at position 12:\n  .notice \"${1HOME}\"\n             ^"
            ]
        );
        assert_eq!(
            show(&lex(".notice \"${.FOO}\"\n")),
            [
                "Alert config : parsing [t.cfg:1]: forbidden first char in environment variable name at position 12:\n  .notice \"${.FOO\n             ^"
            ]
        );
        assert_eq!(
            show(&lex(".notice \"${HOME\"\n")),
            [
                "Alert config : parsing [t.cfg:1]: unmatched brace in environment variable name at position 11:\n  .notice \"${HOME\"\n            ^"
            ]
        );
        assert_eq!(
            show(&lex(".notice x\\xZZ\n")),
            [
                "Alert config : parsing [t.cfg:1]: truncated or invalid hexadecimal sequence at position 10:\n  .notice x\\xZZ\n           ^"
            ]
        );
        assert_eq!(
            show(&lex("# c\n.notice \"${MULTI[x]}\"\n")),
            [
                "Alert config : parsing [t.cfg:2]: truncated or invalid word expansion sequence at position 17:\n  .notice \"${MULTI[x]}\"\n                  ^"
            ]
        );
        let many = format!(
            ".notice {} {}\n.notice \"b\"\n",
            ('a'..='z').map(String::from).collect::<Vec<_>>().join(" "),
            (1..=40)
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert_eq!(
            show(&lex(&many)),
            [
                "Alert config : parsing [t.cfg:1]: too many words, truncating after word 64, position 160: <37>.",
                "Notice config : parsing [t.cfg:2]: 'b'."
            ]
        );
    }

    #[test]
    fn missing_lf_and_nul() {
        assert_eq!(
            show(&lex("global\n  maxconn 10")),
            [
                "1: global",
                "2: maxconn|10",
                "Alert config : parsing [t.cfg:2]: Missing LF on last line, file might have been truncated at position 13."
            ]
        );
        // A NUL byte: the line is used up to it, then reading stops.
        let items = lex_file_with("t.cfg", b".notice \"a\"\0junk\n.notice \"b\"\n", &env);
        assert_eq!(
            show(&items),
            [
                "Notice config : parsing [t.cfg:1]: 'a'.",
                "Alert config : parsing [t.cfg:1]: Stray NUL character at position 12."
            ]
        );
        let items = lex_file_with("t.cfg", b"a\0", &env);
        assert_eq!(
            show(&items),
            [
                "1: a",
                "Alert config : parsing [t.cfg:1]: Missing LF on last line, file might have been truncated at position 2."
            ]
        );
    }

    #[test]
    fn non_utf8_never_panics() {
        let items = lex_file_with("t.cfg", b".notice \"\xc3\xa9\xff\"\nx \xff\xfe\n", &env);
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], Item::Line(l) if l.args[1] == "\u{fffd}\u{fffd}"));
    }

    #[test]
    fn directives() {
        assert_eq!(
            show(&lex(
                ".notice \"hello world\"\n.warning x\n.diag \"d\"\n.notice\n"
            )),
            [
                "Notice config : parsing [t.cfg:1]: 'hello world'.",
                "Warning config : parsing [t.cfg:2]: 'x'.",
                "Diag config : parsing [t.cfg:3]: 'd'.",
                "Notice config : parsing [t.cfg:4]: ''."
            ]
        );
        assert_eq!(
            show(&lex(".notice a b\n.notice \"after\"\n")),
            [
                "Alert config : parsing [t.cfg:1]: Unexpected argument 'b' for '.notice'. Use quotes if the message should contain spaces.",
                "Notice config : parsing [t.cfg:2]: 'after'."
            ]
        );
        assert_eq!(
            show(&lex(".alert \"boom\"\n.notice \"after\"\n")),
            ["FATAL config : parsing [t.cfg:1]: 'boom'."]
        );
        assert_eq!(
            show(&lex(".if 0\n.bogus\n.endif\n.bogus x\n.notice \"after\"\n")),
            ["Alert config : parsing [t.cfg:4]: unknown directive '.bogus'."]
        );
    }

    #[test]
    fn conditional_blocks() {
        let items = lex(
            ".if 0\n.if foo\n.endif\na\n.else\nb\n.endif\n.if 1\nc\n.elif 1\nd\n.else\ne\n.endif\n",
        );
        assert_eq!(show(&items), ["6: b", "9: c"]);
        let items = lex(".if 0\na\n.elif defined(HOME)\nb\n.elif 1\nc\n.else\nd\n.endif\n");
        assert_eq!(show(&items), ["4: b"]);
        let items = lex(".if streq(\"$HOME\",/root) && !feature(LUA)\nx\n.endif\n");
        assert_eq!(show(&items), ["2: x"]);
        // Quoted spaces and word merging: `.if "1"   ""  ` is true? no: '1  ' parses.
        let items = lex(".if \"1\"   # c\nx\n.endif\n");
        assert_eq!(show(&items), ["2: x"]);
    }

    #[test]
    fn conditional_errors() {
        for (src, want) in [
            (
                ".if 1\n.notice \"a\"\n",
                vec![
                    "Notice config : parsing [t.cfg:2]: 'a'.",
                    "FATAL config : parsing [t.cfg:2]: non-terminated '.if' block.",
                ],
            ),
            (
                ".else\n.notice \"a\"\n",
                vec!["FATAL config : parsing [t.cfg:1]: lone '.else' with no matching '.if'."],
            ),
            (
                ".endif\n.notice \"a\"\n",
                vec!["FATAL config : parsing [t.cfg:1]: lone '.endif' with no matching '.if'."],
            ),
            (
                ".elif 1\n",
                vec!["FATAL config : parsing [t.cfg:1]: lone '.elif' with no matching '.if'."],
            ),
            (
                ".if 1\n.else\n.else\n.endif\n",
                vec!["FATAL config : parsing [t.cfg:3]: '.else' after '.else' is not permitted."],
            ),
            (
                ".if 1\n.else\n.elif 1\n.endif\n",
                vec!["FATAL config : parsing [t.cfg:3]: '.elif' after '.else' is not permitted."],
            ),
            (
                ".if foo bar\n.endif\n",
                vec![
                    "FATAL config : parsing [t.cfg:1]: unparsable conditional expression 'foo bar' in '.if' at position 1:\n  .if foo bar\n      ^",
                ],
            ),
            (
                "  .if 1 && (2\n.endif\n",
                vec![
                    "FATAL config : parsing [t.cfg:1]: expected ')' after conditional expression '(2' in '.if' at position 6:\n  .if 1 && (2\n           ^",
                ],
            ),
            (
                ".if foo  # c\n.endif\n",
                vec![
                    "FATAL config : parsing [t.cfg:1]: unparsable conditional expression 'foo ' in '.if' at position 1:\n  .if foo \n      ^",
                ],
            ),
            (
                ".if \"foo  bar\"   x\n.endif\n",
                vec![
                    "FATAL config : parsing [t.cfg:1]: unparsable conditional expression 'foo  bar x' in '.if' at position 1:\n  .if foo  bar x\n      ^",
                ],
            ),
            (
                ".else x\n.notice \"after\"\n",
                vec!["FATAL config : parsing [t.cfg:1]: Unexpected argument 'x' for '.else'."],
            ),
            (
                ".if 1\n.endif x\n.notice \"after\"\n",
                vec![
                    "Alert config : parsing [t.cfg:2]: Unexpected argument 'x' for '.endif'.",
                    "FATAL config : parsing [t.cfg:2]: non-terminated '.if' block.",
                ],
            ),
        ] {
            assert_eq!(show(&lex(src)), want, "source {src:?}");
        }
        let deep = ".if 1\n".repeat(300);
        assert_eq!(
            show(&lex(&deep)),
            ["FATAL config : parsing [t.cfg:100]: too many nested '.if', max is 100."]
        );
    }

    #[test]
    fn scopes() {
        // HAProxy 2.6.12 continues up to the next keyword line after these
        // two; tandem stops at once (scopes are practically never used).
        assert_eq!(
            show(&lex("[a b]\nglobal\n")),
            ["FATAL config : parsing [t.cfg:1] : character ' ' is not permitted in a scope name."]
        );
        assert_eq!(
            show(&lex("[a] x\nglobal\n")),
            [
                "FATAL config : parsing [t.cfg:1] : character 'x' is not permitted after scope declaration."
            ]
        );
        assert_eq!(
            show(&lex("[foo]\n.notice \"b\"\n")),
            ["Notice config : parsing [t.cfg:2]: 'b'."]
        );
        assert_eq!(
            show(&lex("  [foo\n.notice \"b\"\n")),
            [
                "Alert config : parsing [t.cfg:1] : empty scope name is forbidden.",
                "Notice config : parsing [t.cfg:2]: 'b'."
            ]
        );
    }

    #[test]
    fn line_fields() {
        let items = lex("\n  # x\n\"\" foo\n  bind :80 # c\n");
        assert_eq!(items.len(), 1);
        let Some(Item::Line(l)) = items.first() else {
            panic!("no line")
        };
        assert_eq!(&*l.file, "t.cfg");
        assert_eq!(l.line, 4);
        assert_eq!(l.raw, "  bind :80 # c");
    }

    #[test]
    fn random_input_never_panics() {
        // Deterministic LCG over an alphabet of the bytes the lexer cares about.
        let alphabet = b"ab .#\"'\\$x{}[]*-()!&|\n\r\t\0\xff\xc3\x01";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut buf = Vec::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 56) as usize;
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                buf.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let items = lex_file_with("r.cfg", &buf, &env);
            let fatal_pos = items.iter().position(|i| matches!(i, Item::Fatal(_)));
            assert!(fatal_pos.is_none_or(|p| p + 1 == items.len()), "{buf:?}");
            let _ = eval_cc(&buf, &env);
            let _ = cond::eval_bytes(&buf, &env);
        }
    }

    #[test]
    fn cc_expressions() {
        // `haproxy -cc` measured: '"a' -> unmatched quote, 'streq("a b","a b")' true.
        assert_eq!(eval_cc(b"\"a", &env), Err(CcError::Quote));
        assert_eq!(eval_cc(b"streq(\"a b\",\"a b\")", &env), Ok(true));
        assert_eq!(eval_cc(b"streq(\"a b\",a\\ b)", &env), Ok(true));
        assert_eq!(
            eval_cc(b"\"${HOME-x}\"", &env).map_err(|e| e.to_string()),
            Err(
                "Failed to evaluate condition: unparsable conditional expression '/root'"
                    .to_string()
            )
        );
        assert_eq!(eval_cc(b"1 # x", &env).map_err(|e| e.to_string()), Err("Failed to evaluate condition: unexpected character '#' at the end of conditional expression '1 # x'".to_string()));
        assert_eq!(eval_cc(b"streq(\"$HOME\",/root)", &env), Ok(true));
        assert_eq!(eval_cc(b"\"${NOPE-1}\"", &env), Ok(true));
        assert_eq!(eval_cc(b"", &env), Ok(false));
    }
}
