//! keepalived.conf reading: files, includes, comments, definitions,
//! conditional lines and brace splitting, as keepalived 2.2.7's `read_line()`
//! does it. The output is a flat list of logical lines (each brace on a line
//! of its own) interleaved with the messages the reader itself produces;
//! the parser replays that list once per keepalived "pass".

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nom::IResult;
use nom::Parser;
use nom::branch::alt;
use nom::bytes::complete::{is_not, take_till, take_while1};
use nom::character::complete::char;
use nom::combinator::opt;
use nom::sequence::{delimited, preceded};

/// Where a line came from: index into [`Lexed::files`] and the line number
/// keepalived counts (it only counts lines that end with a newline).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub file: usize,
    pub line: u32,
    /// The file's last line had no newline. keepalived's parent does not
    /// count such a line; its children read a copy of the configuration
    /// where every line ends with one, so they report it one line further.
    pub unterminated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrcFile {
    /// The name as keepalived prints it: the `-f` argument for the main
    /// file, the glob result of the `include` argument otherwise.
    pub name: String,
    pub is_main: bool,
}

/// A message produced while reading. `first_pass_only` messages are printed
/// by the parent's global pass only (keepalived reports a missing include
/// file once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadMsg {
    pub text: String,
    pub counts: bool,
    pub first_pass_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A logical line after preprocessing; `text` is the line as keepalived
    /// hands it to `alloc_strvec()` (quotes still in place).
    Line {
        pos: Pos,
        text: String,
    },
    Msg {
        pos: Pos,
        msg: ReadMsg,
    },
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub files: Vec<SrcFile>,
    pub items: Vec<Item>,
    /// `Config files missing` for the main file itself (nothing else read).
    pub main_missing: bool,
}

#[derive(Debug, Clone)]
struct Def {
    value: String,
    multiline: bool,
}

#[derive(Debug, Clone)]
struct Seq {
    var: String,
    next: i64,
    last: i64,
    step: i64,
    hex: bool,
    text: String,
}

/// keepalived's line buffer size.
const MAXBUF: usize = 1024;
const MAX_SUBST_ROUNDS: usize = 64;
/// Logical lines tandem reads at most from one configuration.
const MAX_ITEMS: usize = 50_000;

struct Reader<'a> {
    config_id: &'a str,
    out: Lexed,
    defs: Vec<(String, Def)>,
    depth: usize,
}

/// Read `path` (as given on the command line) and everything it includes.
pub fn read(path: &str, config_id: &str) -> Lexed {
    let mut r = Reader {
        config_id,
        out: Lexed::default(),
        defs: Vec::new(),
        depth: 0,
    };
    let cwd = PathBuf::from(".");
    if !r.read_conf(path, &cwd, None, true) {
        r.out.main_missing = true;
    }
    r.out
}

fn has_glob_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

impl Reader<'_> {
    fn push_msg(&mut self, pos: Pos, text: String, counts: bool, first_pass_only: bool) {
        self.out.items.push(Item::Msg {
            pos,
            msg: ReadMsg {
                text,
                counts,
                first_pass_only,
            },
        });
    }

    /// keepalived's `read_conf_file()`: glob relative to the including
    /// file's directory (keepalived chdir()s there), skip directories and
    /// executables. Returns false when nothing could be read.
    fn read_conf(&mut self, pattern: &str, base: &Path, from: Option<Pos>, is_main: bool) -> bool {
        // Include loops would recurse forever in keepalived too (until it
        // runs out of file descriptors); stop at a sane depth instead.
        if self.depth > 32 {
            if let Some(pos) = from {
                self.push_msg(
                    pos,
                    format!("include nesting too deep at '{pattern}' - skipping"),
                    true,
                    false,
                );
            }
            return true;
        }
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let mut matches: Vec<(String, PathBuf)> = Vec::new();
        if has_glob_magic(pattern) {
            let base_str = base.to_string_lossy().into_owned();
            if let Ok(paths) = glob::glob(&full.to_string_lossy()) {
                for p in paths.flatten() {
                    let shown = if Path::new(pattern).is_absolute() {
                        p.to_string_lossy().into_owned()
                    } else {
                        p.strip_prefix(&base_str)
                            .map(|r| r.to_string_lossy().into_owned())
                            .unwrap_or_else(|_| p.to_string_lossy().into_owned())
                    };
                    matches.push((shown, p));
                }
            }
            // A pattern that matches nothing is silently fine (GLOB_NOMAGIC
            // semantics of keepalived 2.2.7: only a literal name is "missing").
            if matches.is_empty() {
                return true;
            }
        } else if full.exists() {
            matches.push((pattern.to_string(), full.clone()));
        } else {
            // keepalived 2.2.7 reports a missing literal file once, from the
            // parent's pass, and it does not make the check fail.
            let pos = from.unwrap_or_default();
            self.push_msg(
                pos,
                format!("Config files missing '{pattern}'."),
                false,
                true,
            );
            return false;
        }
        matches.sort();
        let mut any = false;
        for (shown, p) in matches {
            // keepalived 2.2.7 reports skipped files from the parent's
            // pass only, and they do not change the exit code.
            if p.is_dir() {
                let pos = from.unwrap_or_default();
                // GLOB_MARK appends a '/' even to `dir/` (keepalived prints `dir//`).
                let shown = format!("{shown}/");
                self.push_msg(
                    pos,
                    format!("Configuration file '{shown}' is a directory - skipping"),
                    false,
                    true,
                );
                continue;
            }
            let meta = match std::fs::metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    let pos = from.unwrap_or_default();
                    self.push_msg(
                        pos,
                        format!("Configuration file '{shown}' open problem ({e}) - skipping"),
                        false,
                        true,
                    );
                    continue;
                }
            };
            use std::os::unix::fs::PermissionsExt;
            if !meta.is_file() || meta.permissions().mode() & 0o111 != 0 {
                let pos = from.unwrap_or_default();
                self.push_msg(
                    pos,
                    format!(
                        "Configuration file '{shown}' is not a regular non-executable file - skipping"
                    ),
                    false,
                    true,
                );
                continue;
            }
            let bytes = match std::fs::read(&p) {
                Ok(b) => b,
                Err(e) => {
                    let pos = from.unwrap_or_default();
                    self.push_msg(
                        pos,
                        format!("Configuration file '{shown}' open problem ({e}) - skipping"),
                        false,
                        true,
                    );
                    continue;
                }
            };
            any = true;
            let idx = self.out.files.len();
            self.out.files.push(SrcFile {
                name: shown,
                is_main,
            });
            let dir = p
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            self.depth += 1;
            self.read_stream(idx, &String::from_utf8_lossy(&bytes), &dir);
            self.depth -= 1;
        }
        any
    }

    /// The body of keepalived's `read_line()` loop for one file.
    fn read_stream(&mut self, file: usize, text: &str, dir: &Path) {
        if self.out.items.len() > MAX_ITEMS {
            return;
        }
        let mut line_no: u32 = 0;
        // Lines still to be processed before reading the next physical
        // line: multiline definition expansions, ~SEQ repetitions and the
        // residue after a brace.
        let mut pending: std::collections::VecDeque<String> = Default::default();
        let mut seqs: Vec<Seq> = Vec::new();
        let mut multiline_def: Option<String> = None;
        let mut seq_steps: usize = 0;
        let mut unterminated = false;
        let mut phys = text.split_inclusive('\n');

        loop {
            let (mut buf, from_file) = if let Some(b) = pending.pop_front() {
                (b, false)
            } else if seq_steps > MAX_ITEMS {
                // An endless ~SEQ (say 1 to 2^63): keepalived would spin;
                // tandem drops the rest of the sequence.
                let last = seqs.pop();
                if let Some(s) = last {
                    self.push_msg(
                        Pos {
                            file,
                            line: line_no,
                            unterminated,
                        },
                        format!(
                            "tandem: ~SEQ({}) runs for more than {MAX_ITEMS} steps - stopping it",
                            s.var
                        ),
                        true,
                        false,
                    );
                }
                seq_steps = 0;
                continue;
            } else if let Some(seq) = seqs.last_mut() {
                seq_steps += 1;
                let val = if seq.hex {
                    format!("{:x}", seq.next)
                } else {
                    seq.next.to_string()
                };
                let var = seq.var.clone();
                let text = seq.text.clone();
                let next = seq.next.checked_add(seq.step);
                match next {
                    Some(n)
                        if !((seq.step > 0 && n > seq.last) || (seq.step < 0 && n < seq.last)) =>
                    {
                        seq.next = n;
                    }
                    _ => {
                        seqs.pop();
                    }
                }
                self.set_def(&var, &val, false);
                (text, false)
            } else {
                let Some(raw) = phys.next() else { break };
                if raw.ends_with('\n') {
                    line_no += 1;
                } else {
                    unterminated = true;
                }
                let trimmed = raw.trim_end_matches(['\n', '\r']);
                if trimmed.is_empty() {
                    if let Some(name) = multiline_def.take() {
                        self.end_multiline(&name);
                    }
                    continue;
                }
                (trimmed.to_string(), true)
            };
            let pos = Pos {
                file,
                line: line_no,
                unterminated,
            };
            if from_file {
                if let Some(msg) = decomment(&mut buf) {
                    self.push_msg(pos, msg, true, false);
                }
                if buf.is_empty() {
                    continue;
                }
            }

            if let Some(name) = multiline_def.clone() {
                let mut l = buf.clone();
                let cont = l.ends_with('\\');
                if cont {
                    l.pop();
                    while l.ends_with([' ', '\t']) {
                        l.pop();
                    }
                    l.push('\n');
                } else {
                    multiline_def = None;
                }
                if (l.len() >= 2 || (!l.is_empty() && !cont))
                    && let Some(d) = self.def_mut(&name)
                {
                    d.value.push_str(&l);
                }
                if !cont {
                    self.end_multiline(&name);
                }
                continue;
            }

            // Conditional lines, definitions, ~SEQ and substitutions; a
            // substitution can produce a new '@' or '$' so it loops.
            let mut expanded: Vec<String> = Vec::new();
            let mut keep = true;
            // A definition that expands to itself would loop for ever;
            // keepalived stops when the line outgrows its 1024-byte buffer.
            let mut rounds = 0;
            loop {
                let mut recheck = false;
                rounds += 1;
                if rounds > MAX_SUBST_ROUNDS || buf.len() > MAXBUF {
                    break;
                }
                if let Some(rest) = buf.strip_prefix('@') {
                    let (rev, rest) = match rest.strip_prefix('^') {
                        Some(r) => (true, r),
                        None => (false, rest),
                    };
                    let Some(sp) = rest.find([' ', '\t']) else {
                        keep = false;
                        break;
                    };
                    let id = &rest[..sp];
                    if (id != self.config_id) != rev {
                        keep = false;
                        break;
                    }
                    buf = rest[sp..].trim_start_matches([' ', '\t']).to_string();
                }
                if buf.starts_with('$')
                    && let Some((name, def)) = check_definition(&buf)
                {
                    let ml = def.multiline;
                    self.set_def(&name, &def.value, ml);
                    if ml {
                        multiline_def = Some(name);
                    }
                    keep = false;
                    break;
                }
                if buf.starts_with("~SEQ") {
                    match parse_seq(&buf) {
                        Ok(s) => seqs.push(s),
                        Err(first) => {
                            if let Some(m) = first {
                                self.push_msg(pos, m, true, false);
                            }
                            self.push_msg(
                                pos,
                                format!("Invalid ~SEQ specification '{buf}'"),
                                true,
                                false,
                            );
                        }
                    }
                    keep = false;
                    break;
                }
                if buf.starts_with('~') {
                    break;
                }
                if !self.defs.is_empty() && buf.contains('$') {
                    match self.replace_params(&buf) {
                        None => break,
                        Some((first, more)) => {
                            buf = first;
                            // A nested multiline expansion comes before the rest
                            // of the outer one.
                            expanded.splice(0..0, more);
                            if buf.starts_with('@') || buf.contains('$') {
                                recheck = true;
                            }
                        }
                    }
                }
                if !recheck {
                    break;
                }
            }
            // Continuation lines of a multiline definition come next,
            // before anything else.
            for l in expanded.into_iter().rev() {
                pending.push_front(l);
            }
            if !keep || buf.is_empty() {
                continue;
            }

            // `include PATTERN`: keepalived 2.2.7 takes the rest of the line
            // as it stands (no quote handling, spaces included); a bare
            // `include` is an unknown keyword.
            if let Some(rest) = buf.strip_prefix("include")
                && rest.starts_with([' ', '\t'])
            {
                let pattern = rest.trim_matches([' ', '\t']).to_string();
                self.read_conf(&pattern, dir, Some(pos), false);
                continue;
            }

            // Split off a brace (outside double quotes) onto a line of its own.
            let (line, residue) = split_brace(&buf);
            if let Some(r) = residue {
                pending.push_front(r);
            }
            let line = line.trim_end_matches([' ', '\t']).to_string();
            if line.is_empty() {
                continue;
            }
            self.out.items.push(Item::Line { pos, text: line });
            if self.out.items.len() > MAX_ITEMS {
                // ~SEQ and multiline definitions can multiply lines without
                // bound; keepalived would grind on, tandem stops reading.
                self.push_msg(
                    pos,
                    format!("tandem: configuration expands to more than {MAX_ITEMS} lines - stopping here"),
                    true,
                    false,
                );
                return;
            }
        }
        if let Some(name) = multiline_def.take() {
            self.end_multiline(&name);
        }
    }

    fn def_mut(&mut self, name: &str) -> Option<&mut Def> {
        self.defs
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
    }

    fn set_def(&mut self, name: &str, value: &str, multiline: bool) {
        let d = Def {
            value: value.to_string(),
            multiline,
        };
        match self.def_mut(name) {
            Some(old) => *old = d,
            None => self.defs.push((name.to_string(), d)),
        }
    }

    fn end_multiline(&mut self, name: &str) {
        if let Some(d) = self.def_mut(name)
            && d.value.is_empty()
        {
            d.multiline = false;
        }
    }

    /// keepalived's `replace_param()`: `$NAME` / `${NAME}` anywhere in the
    /// line. A multiline definition replaces with its first line, the rest
    /// become the following lines. Returns None when nothing was replaced.
    fn replace_params(&self, buf: &str) -> Option<(String, Vec<String>)> {
        let std_defs: HashMap<&str, String> = [
            (
                "_PWD",
                std::env::current_dir()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            ("_INSTANCE", self.config_id.to_string()),
        ]
        .into_iter()
        .collect();
        let mut out = String::new();
        let mut rest = buf;
        let mut found = false;
        let mut more: Vec<String> = Vec::new();
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (braces, name_start) = match after.strip_prefix('{') {
                Some(a) => (true, a),
                None => (false, after),
            };
            let name_len = name_start
                .char_indices()
                .take_while(|(j, c)| {
                    if *j == 0 {
                        c.is_ascii_alphabetic() || *c == '_'
                    } else {
                        c.is_ascii_alphanumeric() || *c == '_'
                    }
                })
                .count();
            let name = &name_start[..name_len];
            let tail = &name_start[name_len..];
            let ok_end = if braces {
                tail.starts_with('}')
            } else {
                tail.is_empty() || tail.starts_with([' ', '\t', ',', ')'])
            };
            let whole_line = if braces {
                tail.len() == 1
            } else {
                tail.is_empty()
            };
            let def = if name_len > 0 && ok_end {
                self.defs
                    .iter()
                    .rev()
                    .find(|(n, d)| n == name && (whole_line || !d.multiline))
                    .map(|(_, d)| d.clone())
                    .or_else(|| {
                        // Standard definitions are found only when the user
                        // has not defined the name.
                        std_defs.get(name).map(|v| Def {
                            value: v.clone(),
                            multiline: false,
                        })
                    })
            } else {
                None
            };
            match def {
                Some(d) => {
                    found = true;
                    let rest_after = if braces { &tail[1..] } else { tail };
                    if d.multiline {
                        let mut lines = d.value.split('\n');
                        out.push_str(lines.next().unwrap_or(""));
                        more = lines
                            .filter(|l| !l.is_empty())
                            .map(str::to_string)
                            .collect();
                    } else {
                        out.push_str(&d.value);
                    }
                    rest = rest_after;
                    if d.value.trim_start_matches([' ', '\t']).starts_with('~') {
                        out.push_str(rest);
                        rest = "";
                        break;
                    }
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        if found { Some((out, more)) } else { None }
    }
}

/// `$NAME=VALUE` (a trailing `\` starts a multiline definition).
fn check_definition(buf: &str) -> Option<(String, Def)> {
    let rest = buf.strip_prefix('$')?;
    let first = rest.chars().next()?;
    if !first.is_ascii_alphabetic() && first != '_' {
        return None;
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start_matches([' ', '\t']);
    let value = after.strip_prefix('=')?;
    let mut value = value.trim_start_matches([' ', '\t']).to_string();
    let multiline = value.ends_with('\\');
    if multiline {
        value.pop();
        while value.ends_with([' ', '\t']) {
            value.pop();
        }
        if !value.is_empty() {
            value.push('\n');
        }
    }
    Some((name.to_string(), Def { value, multiline }))
}

/// `~SEQ(var, [start,] [step,] end) text` / `~SEQx(...)`, as keepalived's
/// `add_seq()` reads it. Err carries the message keepalived prints before
/// `Invalid ~SEQ specification` (none when the text is not a ~SEQ at all).
fn parse_seq(buf: &str) -> Result<Seq, Option<String>> {
    let bad_def = || Some(format!("Invalid ~SEQ definition '{buf}'"));
    let p = buf.strip_prefix("~SEQ").ok_or(None)?;
    let (hex, p) = match p.strip_prefix('x') {
        Some(r) => (true, r),
        None => (false, p),
    };
    let p = p
        .trim_start_matches([' ', '\t'])
        .strip_prefix('(')
        .ok_or(None)?;
    let p = p.trim_start_matches([' ', '\t']);
    let var_len = p.find([' ', '\t', ',', ')']).unwrap_or(p.len());
    let var = &p[..var_len];
    let rest = p[var_len..].trim_start_matches([' ', '\t']);
    if var.is_empty() || rest.is_empty() || rest.starts_with(')') {
        return Err(bad_def());
    }
    let mut after_sep = rest.chars();
    after_sep.next();
    let rest = after_sep.as_str();
    // keepalived copies up to the ')' into a 64-byte buffer; without a ')'
    // (or with a longer list) it reports the parameters as too long.
    let close = rest
        .find(')')
        .filter(|c| *c + 2 <= 64)
        .ok_or_else(|| Some(format!("~SEQ parameter strings too long '{buf}'")))?;
    let text = rest[close + 1..]
        .trim_start_matches([' ', '\t'])
        .to_string();
    let nums: Vec<i64> = rest[..close]
        .split(',')
        .map(|s| parse_c_long_prefix(s.trim()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad_def)?;
    let (start, step, end) = match nums.as_slice() {
        [e] => (if *e < 0 { -1 } else { 1 }, if *e < 1 { -1 } else { 1 }, *e),
        [s, e] => (*s, if s <= e { 1 } else { -1 }, *e),
        [s, st, e] => {
            if *st == 0 || (s < e && *st < 0) || (s > e && *st > 0) {
                return Err(Some(format!("Invalid ~SEQ values '{buf}'")));
            }
            (*s, *st, *e)
        }
        _ => return Err(bad_def()),
    };
    if hex && (start < 0 || end < 0) {
        return Err(Some(format!(
            "~SEQx is only valid for positive numbers '{buf}'"
        )));
    }
    Ok(Seq {
        var: var.to_string(),
        next: start,
        last: end,
        step,
        hex,
        text,
    })
}

/// strtol(s, &end, 0) that must consume the whole (trimmed) string:
/// decimal, 0x hex or 0 octal.
fn parse_c_long_prefix(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// keepalived's `decomment()`: strip leading blanks, comments (`!`, `#`
/// outside double quotes; `\!` and `\#` escape them) and trailing blanks.
/// Returns the "Unterminated quote" message when a quote is left open.
pub fn decomment(buf: &mut String) -> Option<String> {
    let s = buf.trim_start_matches([' ', '\t']).to_string();
    let mut out = String::with_capacity(s.len());
    let mut quote = false;
    let mut cont = false;
    let mut skip_at: Option<usize> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                if skip_at.is_none() {
                    quote = !quote;
                }
                out.push(c);
            }
            '\\' => match chars.peek() {
                Some(&n) => {
                    if !quote && (n == '#' || n == '!') && skip_at.is_none() {
                        out.push(n);
                    } else {
                        out.push('\\');
                        out.push(n);
                    }
                    chars.next();
                }
                None => {
                    cont = true;
                }
            },
            '!' | '#' if !quote && skip_at.is_none() => {
                skip_at = Some(out.len());
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    let msg = quote.then(|| format!("Unterminated quote '{out}'"));
    if let Some(at) = skip_at {
        out.truncate(at);
    }
    while out.ends_with([' ', '\t']) {
        out.pop();
    }
    if cont {
        out.push('\\');
    }
    *buf = out;
    msg
}

/// Put the first `{` or `}` outside double quotes on a line of its own.
fn split_brace(buf: &str) -> (String, Option<String>) {
    let bytes = buf.as_bytes();
    if let Some(&b) = bytes.first()
        && (b == b'{' || b == b'}')
    {
        let rest = buf[1..].trim_start_matches([' ', '\t']);
        let rest = rest.trim_end_matches([' ', '\t']);
        return (
            buf[..1].to_string(),
            (!rest.is_empty()).then(|| rest.to_string()),
        );
    }
    let mut in_q = false;
    for (i, c) in buf.char_indices() {
        match c {
            '"' => in_q = !in_q,
            '{' | '}' if !in_q => {
                return (buf[..i].to_string(), Some(buf[i..].to_string()));
            }
            _ => {}
        }
    }
    (buf.to_string(), None)
}

fn quoted(i: &str) -> IResult<&str, &str> {
    delimited(char('"'), take_till(|c| c == '"'), char('"')).parse(i)
}

fn bare(i: &str) -> IResult<&str, &str> {
    is_not(" \t\x0c\n\r\x0b\"").parse(i)
}

fn blanks(i: &str) -> IResult<&str, Option<&str>> {
    opt(take_while1(|c: char| " \t\x0c\n\r\x0b".contains(c))).parse(i)
}

/// keepalived's `alloc_strvec()`: words split on blanks; `"..."` is one
/// word without its quotes. Returns the words and, for an unmatched
/// quote, the "Unmatched quote" message (the words before it are kept).
pub fn split_words(line: &str) -> (Vec<String>, Option<String>) {
    let mut words = Vec::new();
    let mut rest = line;
    while let Ok((r, _)) = blanks(rest) {
        rest = r;
        if rest.is_empty() {
            break;
        }
        match preceded(blanks, alt((quoted, bare))).parse(rest) {
            Ok((r, w)) => {
                words.push(w.to_string());
                rest = r;
            }
            Err(_) => {
                return (words, Some(format!("Unmatched quote: '{line}'")));
            }
        }
    }
    (words, None)
}

/// keepalived's `alloc_strvec_quoted_escaped()`, used for script command
/// lines: single and double quotes, backslash escapes (`\n`, `\t`, `\xHH`,
/// octal, `\cX`). Err carries keepalived's message.
pub fn split_quoted_escaped(src: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let ws = |c: char| " \t\x0c\n\r\x0b".contains(c);
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && ws(chars[i]) {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut cur = String::new();
        let mut q: Option<char> = None;
        let mut open_at = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                i += 1;
                let Some(&n) = chars.get(i) else {
                    return Err(format!("Missing escape char at end: '{src}'"));
                };
                let hex_follows = chars.get(i + 1).is_some_and(|c| c.is_ascii_hexdigit());
                if n == 'x' && hex_follows {
                    i += 1;
                    let mut v: u32 = 0;
                    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(16)) {
                        v = (v << 4 | d) & 0xff;
                        i += 1;
                    }
                    cur.push(char::from(v as u8));
                } else if n == 'c' && chars.get(i + 1).is_some() {
                    let x = chars.get(i + 1).copied().unwrap_or('@');
                    cur.push(char::from((x as u32 & 0x1f) as u8));
                    i += 2;
                } else if ('0'..='7').contains(&n) {
                    let mut v: u32 = 0;
                    let mut k = 0;
                    while k < 3 {
                        match chars.get(i).and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = (v << 3) + d;
                                i += 1;
                                k += 1;
                            }
                            None => break,
                        }
                    }
                    cur.push(char::from((v & 0xff) as u8));
                } else {
                    cur.push(match n {
                        'a' => '\x07',
                        'b' => '\x08',
                        'E' => '\x1b',
                        'f' => '\x0c',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'v' => '\x0b',
                        other => other,
                    });
                    i += 1;
                }
                continue;
            }
            match q {
                Some(qc) if c == qc => {
                    q = None;
                    i += 1;
                }
                Some(_) => {
                    cur.push(c);
                    i += 1;
                }
                None if c == '"' || c == '\'' => {
                    q = Some(c);
                    open_at = i;
                    i += 1;
                }
                None if ws(c) => break,
                None => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        // keepalived 2.2.7 does not notice a quote that is the very last
        // character (measured: `notify_master /bin/x lower"` passes).
        if let Some(qc) = q.filter(|_| open_at + 1 < chars.len()) {
            return Err(format!("String '{src}': missing terminating {qc}"));
        }
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u32, String)> {
        let dir = std::env::temp_dir().join(format!("tandem-klex-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join(format!("t{}.conf", text.len()));
        std::fs::write(&f, text).unwrap_or_default();
        let l = read(&f.to_string_lossy(), "vm");
        l.items
            .into_iter()
            .filter_map(|i| match i {
                Item::Line { pos, text } => Some((pos.line, text)),
                Item::Msg { .. } => None,
            })
            .collect()
    }

    #[test]
    fn braces_split_and_comments_go() {
        let got = lines("vrrp_instance V { state MASTER # c\n  x 1 } ! y\n{ a }\n");
        let want: Vec<(u32, String)> = vec![
            (1, "vrrp_instance V".into()),
            (1, "{".into()),
            (1, "state MASTER".into()),
            (2, "x 1".into()),
            (2, "}".into()),
            (3, "{".into()),
            (3, "a".into()),
            (3, "}".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn definitions_and_conditionals() {
        let got =
            lines("$A=eth0\n$B=10.0.0.1/24 \\\n  dev $A\n@vm p 1\n@^vm p 2\n@other q\ni $A\n$B\n");
        let want: Vec<(u32, String)> = vec![
            (4, "p 1".into()),
            (7, "i eth0".into()),
            (8, "10.0.0.1/24".into()),
            (8, "dev eth0".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split_words("script \"killall -0 haproxy\" x"),
            (
                vec!["script".into(), "killall -0 haproxy".into(), "x".into()],
                None
            )
        );
        // keepalived 2.2.7: (Line 5) Unmatched quote: 'script "killall -0 haproxy'
        assert_eq!(
            split_words("script \"killall -0 haproxy").1,
            Some("Unmatched quote: 'script \"killall -0 haproxy'".into())
        );
        let mut b = String::from("  script \"killall -0 haproxy");
        // keepalived 2.2.7: (Line 5) Unterminated quote 'script "killall -0 haproxy'
        assert_eq!(
            decomment(&mut b),
            Some("Unterminated quote 'script \"killall -0 haproxy'".into())
        );
        assert_eq!(
            split_quoted_escaped("a 'b c' \"d\\te\"").unwrap_or_default(),
            vec!["a".to_string(), "b c".into(), "d\te".into()]
        );
    }

    #[test]
    fn seq_repeats() {
        let got = lines("~SEQ(i,1,3) x $i\n");
        let want: Vec<(u32, String)> =
            vec![(1, "x 1".into()), (1, "x 2".into()), (1, "x 3".into())];
        assert_eq!(got, want);
    }
}
