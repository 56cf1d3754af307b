//! keepalived's keyword-driven parser (`process_stream()`), replayed once per
//! pass the way keepalived 2.2.7 reads its file: the parent's global pass,
//! then the checker, VRRP and BFD passes. Each pass knows every top-level
//! keyword but acts only on its own blocks and skips the others, which is
//! why an unknown top-level keyword is reported four times.

use super::lexer::{Item, Lexed, Pos, split_words};
use crate::ir::keepalived::{Config, Src};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Global,
    Check,
    Vrrp,
    Bfd,
}

pub const PASSES: [Pass; 4] = [Pass::Global, Pass::Check, Pass::Vrrp, Pass::Bfd];

/// How a message weighs on the `-t` exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    /// Printed, exit code unchanged (a missing include file).
    Info,
    /// Exit 5.
    Error,
    /// Exit 6 (script security).
    Security,
}

/// keepalived stops at once (exit code inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fatal(pub i32);

pub type Res = Result<(), Fatal>;
/// A keyword handler. Its word list is never empty: word 0 is the keyword
/// itself (process_stream() only dispatches on a line's first word), so
/// handlers index `w[0]` freely; every other word is looked up with
/// `get()` or `Ctx::slot()`.
pub type Handler = fn(&mut Ctx, &[String]) -> Res;
pub type Close = fn(&mut Ctx) -> Res;

/// One keyword of keepalived's keyword tree.
pub struct Kw {
    pub name: &'static str,
    pub h: Option<Handler>,
    pub sub: Option<&'static [Kw]>,
    pub close: Option<Close>,
    /// For root keywords: the passes that act on the block.
    pub passes: &'static [Pass],
}

impl Kw {
    pub const fn h(name: &'static str, h: Handler) -> Kw {
        Kw {
            name,
            h: Some(h),
            sub: None,
            close: None,
            passes: &[],
        }
    }
    pub const fn block(
        name: &'static str,
        h: Option<Handler>,
        sub: &'static [Kw],
        close: Option<Close>,
    ) -> Kw {
        Kw {
            name,
            h,
            sub: Some(sub),
            close,
            passes: &[],
        }
    }
    pub const fn root(mut self, passes: &'static [Pass]) -> Kw {
        self.passes = passes;
        self
    }
}

/// Parse-time state that is not IR.
#[derive(Debug, Default)]
pub struct State {
    /// Some interface named by the config does not exist on this machine.
    pub missing_interface: bool,
    /// vrrp_script names removed while parsing (no usable user).
    pub removed_scripts: Vec<String>,
    pub default_user_reported: bool,
    pub script_has_user: bool,
    /// Per vrrp_instance (same index): the instance's checks must be skipped.
    pub lvs_stack: Vec<crate::ir::keepalived::Directive>,
    pub lvs_src: Vec<Src>,
    pub bfd_has_neighbor: bool,
    pub bfd_name: String,
    /// vrrp_instance names seen in this pass (duplicates are skipped).
    pub seen_instances: Vec<String>,
    /// Rules given keepalived's default preference so far (16384 down).
    pub rules_defaulted: u32,
    /// vrrp_instances that have a `unicast_peer` block.
    pub unicast_blocks: Vec<String>,
    /// vrrp_track_files whose block sets `weight` (keepalived 2.2.7 words
    /// the sync-group message differently for the default weight).
    pub track_file_weight_set: Vec<String>,
    /// The current vrrp_script is dropped when its block closes.
    pub remove_script: bool,
    /// Inside a `vrrp_sync_group` block (its track_*/notify* go there).
    pub in_sync_group: bool,
}

pub struct Ctx<'a> {
    lexed: &'a Lexed,
    idx: usize,
    pub pass: Pass,
    pub pos: Option<Pos>,
    /// The current line as read (quotes in place), for script commands.
    pub raw: String,
    block_depth: i32,
    skip_sublevel: i32,
    kw_level: i32,
    pub out: Vec<String>,
    pub worst: Option<Weight>,
    pub cfg: Config,
    pub st: State,
}

impl<'a> Ctx<'a> {
    pub fn new(lexed: &'a Lexed) -> Ctx<'a> {
        Ctx {
            lexed,
            idx: 0,
            pass: Pass::Global,
            pos: None,
            raw: String::new(),
            block_depth: 0,
            skip_sublevel: 0,
            kw_level: 0,
            out: Vec::new(),
            worst: None,
            cfg: Config::default(),
            st: State::default(),
        }
    }

    fn prefix(&self, pos: Option<Pos>) -> String {
        let Some(p) = pos else {
            return String::new();
        };
        if p.line == 0 && !(p.unterminated && self.pass != Pass::Global) {
            return String::new();
        }
        match self.lexed.files.get(p.file) {
            // The parent's pass names only included files (keepalived sets
            // the file name it prints when it opens a second file).
            Some(f) if !(self.pass == Pass::Global && f.is_main) => {
                let line = if p.unterminated && self.pass != Pass::Global {
                    p.line + 1
                } else {
                    p.line
                };
                format!("({}: Line {line}) ", f.name)
            }
            _ => format!("(Line {}) ", p.line),
        }
    }

    fn note(&mut self, w: Weight) {
        if self.worst.is_none_or(|cur| cur < w) {
            self.worst = Some(w);
        }
    }

    /// `report_config_error()` at the current line.
    pub fn err(&mut self, text: impl AsRef<str>) {
        let line = format!("{}{}", self.prefix(self.pos), text.as_ref());
        self.out.push(line);
        self.note(Weight::Error);
    }

    /// A message without location (after the file was read).
    pub fn err_noloc(&mut self, text: impl AsRef<str>) {
        self.out.push(text.as_ref().to_string());
        self.note(Weight::Error);
    }

    pub fn security(&mut self, text: impl AsRef<str>) {
        self.out.push(text.as_ref().to_string());
        self.note(Weight::Security);
    }

    pub fn src(&self) -> Src {
        match self.pos {
            Some(p) => Src {
                file: self
                    .lexed
                    .files
                    .get(p.file)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
                line: p.line,
            },
            None => Src::default(),
        }
    }

    /// `strvec_slot(strvec, i)`: a missing word ends keepalived (exit 2).
    pub fn slot<'w>(&mut self, words: &'w [String], i: usize) -> Result<&'w str, Fatal> {
        match words.get(i) {
            Some(w) => Ok(w.as_str()),
            None => {
                let first = words
                    .first()
                    .map(String::as_str)
                    .unwrap_or("***MISSING ***");
                let text = match i.checked_sub(1).and_then(|j| words.get(j)) {
                    Some(prev) => format!(
                        "*** Configuration line starting `{first}` is missing a parameter after keyword `{prev}` at word position {}",
                        i + 1
                    ),
                    None => format!(
                        "*** Configuration line starting `{first}` is missing a parameter at word position {}",
                        i + 1
                    ),
                };
                self.err(text);
                Err(Fatal(2))
            }
        }
    }

    /// Start a pass: rewind the stream.
    pub fn start_pass(&mut self, pass: Pass) {
        self.pass = pass;
        self.idx = 0;
        self.pos = None;
        self.block_depth = 0;
        self.skip_sublevel = 0;
        self.kw_level = 0;
        self.st.seen_instances.clear();
        self.st.rules_defaulted = 0;
    }

    /// Messages for what is left open at the end of a pass.
    pub fn end_pass(&mut self) {
        self.pos = None;
        if self.block_depth > 0 {
            let n = self.block_depth;
            self.err_noloc(format!("There are {n} missing '}}'s or extra '{{'s"));
        }
    }

    /// `read_line()` + `alloc_strvec()`: the next non-empty word list.
    pub fn next_words(&mut self) -> Option<Vec<String>> {
        while let Some(item) = self.lexed.items.get(self.idx) {
            self.idx += 1;
            match item {
                Item::Msg { pos, msg } => {
                    if msg.first_pass_only && self.pass != Pass::Global {
                        continue;
                    }
                    let line = format!("{}{}", self.prefix(Some(*pos)), msg.text);
                    self.out.push(line);
                    self.note(if msg.counts {
                        Weight::Error
                    } else {
                        Weight::Info
                    });
                }
                Item::Line { pos, text } => {
                    self.pos = Some(*pos);
                    if text == "{" {
                        self.block_depth += 1;
                    } else if text == "}" {
                        self.block_depth -= 1;
                        if self.block_depth < 0 {
                            self.err("Extra '}' found");
                            self.block_depth = 0;
                        }
                    }
                    self.raw = text.clone();
                    let (words, msg) = split_words(text);
                    if let Some(m) = msg {
                        self.err(m);
                    }
                    if !words.is_empty() {
                        return Some(words);
                    }
                }
            }
        }
        None
    }

    /// keepalived's `skip_block(true)`: ignore the block that follows.
    pub fn skip_block(&mut self) {
        self.skip_sublevel = -1;
    }

    /// `alloc_value_block()`: the words of each line of a `{ ... }` value
    /// block, for keywords such as `virtual_ipaddress` and `track_script`.
    /// Every returned line has at least one word.
    pub fn value_block(&mut self, words: &[String]) -> Vec<(Pos, Vec<String>)> {
        let mut need_bob = true;
        let mut out = Vec::new();
        if words.len() > 1 {
            if words[1] == "{" {
                need_bob = false;
            } else {
                self.err(format!(
                    "Block {} has extra parameters {} ...",
                    words[0], words[1]
                ));
            }
        }
        while let Some(mut v) = self.next_words() {
            let pos = self.pos.unwrap_or_default();
            if need_bob {
                need_bob = false;
                if v.first().is_some_and(|w| w == "{") {
                    if v.len() == 1 {
                        continue;
                    }
                    v.remove(0);
                }
                // Otherwise keepalived only logs "'{' missing from beginning
                // of block" to syslog, which `-t` does not show.
            }
            let mut had_eob = false;
            if v.last().is_some_and(|w| w == "}") {
                if v.len() == 1 {
                    break;
                }
                had_eob = true;
                v.pop();
            }
            if !v.is_empty() {
                out.push((pos, v));
            }
            if had_eob {
                break;
            }
        }
        out
    }

    /// `process_stream()`.
    pub fn process_stream(
        &mut self,
        kws: &'static [Kw],
        mut need_bob: bool,
    ) -> Result<bool, Fatal> {
        let mut ret_err = false;
        while let Some(words) = self.next_words() {
            let first = words[0].clone();
            if self.skip_sublevel == -1 {
                if first == "{" {
                    self.skip_sublevel = 1;
                    need_bob = false;
                    continue;
                }
                self.skip_sublevel = 0;
            }
            if self.skip_sublevel != 0 {
                let mut last = first.as_str();
                for w in &words {
                    last = w.as_str();
                    if w == "{" {
                        self.skip_sublevel += 1;
                    } else if w == "}" {
                        self.skip_sublevel -= 1;
                        if self.skip_sublevel == 0 {
                            break;
                        }
                    }
                }
                if last == "}" && self.skip_sublevel == 0 && self.kw_level > 0 {
                    ret_err = true;
                    break;
                }
                continue;
            }
            if need_bob {
                need_bob = false;
                if first == "{" && self.kw_level > 0 {
                    continue;
                }
                self.err("Missing '{' at beginning of configuration block");
            } else if first == "{" {
                self.err("Unexpected '{' - ignoring");
                continue;
            }
            if first == "}" && self.kw_level > 0 {
                break;
            }
            let Some(kw) = kws.iter().find(|k| k.name == first) else {
                self.err(format!("Unknown keyword '{first}'"));
                continue;
            };
            let active = self.kw_level > 0 || kw.passes.contains(&self.pass);
            let mut words = words;
            if !active {
                self.skip_sublevel = if words.last().is_some_and(|w| w == "{") {
                    1
                } else {
                    -1
                };
            }
            // keepalived does not install the sub-keywords of a root that
            // is inactive in this pass: such a block is only skipped.
            let sub = if active { kw.sub } else { None };
            let mut bob_needed = false;
            if sub.is_some() {
                if words.last().is_some_and(|w| w == "{") {
                    words.pop();
                } else {
                    bob_needed = true;
                }
            }
            if active && let Some(h) = kw.h {
                h(self, &words)?;
            }
            if let Some(sub) = sub {
                self.kw_level += 1;
                let r = self.process_stream(sub, bob_needed);
                self.kw_level -= 1;
                let skipped = r?;
                if !skipped
                    && active
                    && let Some(c) = kw.close
                {
                    c(self)?;
                }
            }
        }
        Ok(ret_err)
    }
}

/// Number readers with keepalived's messages (`read_int`, `read_unsigned`,
/// `read_double`). They report and return None on a bad value.
pub fn read_int(ctx: &mut Ctx, s: &str, min: i64, max: i64) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t']);
    match parse_c_long(t) {
        None => {
            ctx.err(format!("invalid number '{s}'"));
            None
        }
        Some(v) if v < i32::MIN as i64 || v > i32::MAX as i64 => {
            ctx.err(format!("number '{s}' outside integer range"));
            None
        }
        Some(v) if v < min || v > max => {
            ctx.err(format!("number '{s}' outside range [{min}, {max}]"));
            None
        }
        Some(v) => Some(v),
    }
}

pub fn read_unsigned(ctx: &mut Ctx, s: &str, min: u64, max: u64) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t']);
    if t.starts_with('-') {
        ctx.err(format!("negative number '{s}'"));
        return None;
    }
    match parse_c_long(t) {
        None => {
            ctx.err(format!("invalid number '{s}'"));
            None
        }
        Some(v) if v > u32::MAX as i64 => {
            ctx.err(format!("number '{s}' outside unsigned integer range"));
            None
        }
        Some(v) if (v as u64) < min || (v as u64) > max => {
            ctx.err(format!("number '{s}' outside range [{min}, {max}]"));
            None
        }
        Some(v) => Some(v as u64),
    }
}

/// keepalived 2.2.7's `read_decimal_unsigned_strvec()` with 6 decimal
/// places, in micro-units: used for timers (`delay_loop`, `connect_timeout`,
/// `advert_int`). Unlike `read_double` it refuses a `-` and exponents,
/// warns when more than 6 characters follow the decimal point (and then
/// rounds), takes an empty string as 0, and prints the range from the
/// micro-units (`[0.000001, 18446744073709.551614]`). Returns the value and
/// whether junk followed a numeric prefix (`1e3`, `10.0.0.1-300`): keepalived
/// then says `invalid number` but some callers still use the prefix.
pub fn read_decimal(ctx: &mut Ctx, s: &str, min: u64, max: u64) -> Option<(u64, bool)> {
    if s.starts_with('-') {
        ctx.err(format!("negative number '{s}'"));
        return None;
    }
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.split_once('.').is_some_and(|(_, f)| f.len() > 6) {
        ctx.err(format!("number '{s}' has too many decimal places"));
    }
    let int_len = t.bytes().take_while(u8::is_ascii_digit).count();
    let (int_part, rest) = t.split_at(int_len);
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(r) => {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            r.split_at(n)
        }
        None => ("", rest),
    };
    let junk = !rest.is_empty();
    if junk {
        ctx.err(format!("invalid number '{s}'"));
        if int_part.is_empty() && frac.is_empty() {
            return None;
        }
    }
    let fmt = |u: u64| format!("{}.{:06}", u / 1_000_000, u % 1_000_000);
    let whole: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse::<u128>().unwrap_or(u128::MAX)
    };
    let mut micro: u128 = 0;
    for (k, b) in frac.bytes().take(6).enumerate() {
        micro += u128::from(b - b'0') * 10u128.pow(5 - k as u32);
    }
    if frac.as_bytes().get(6).is_some_and(|&b| b >= b'5') {
        micro += 1;
    }
    let v = whole.saturating_mul(1_000_000).saturating_add(micro);
    let Ok(v) = u64::try_from(v) else {
        ctx.err(format!("number '{s}' outside unsigned decimal range"));
        return None;
    };
    if v < min || v > max {
        ctx.err(format!(
            "number '{s}' outside range [{}, {}]",
            fmt(min),
            fmt(max)
        ));
        return None;
    }
    Some((v, junk))
}

/// `read_double()`; keepalived 2.2.7 prints the range with `%f`.
pub fn read_double(ctx: &mut Ctx, s: &str, min: f64, max: f64) -> Option<f64> {
    match parse_c_double(s) {
        None => {
            ctx.err(format!("invalid number '{s}'"));
            None
        }
        Some(v) if v.is_infinite() => {
            ctx.err(format!("infinite number '{s}'"));
            None
        }
        Some(v) if v.is_nan() => {
            ctx.err(format!("not a number '{s}'"));
            None
        }
        Some(v) if v < min || v > max => {
            ctx.err(format!("number '{s}' outside range [{min:.6}, {max:.6}]"));
            None
        }
        Some(v) => Some(v),
    }
}

/// strtol() base 10 over the whole string (leading '+'/'-' allowed).
fn parse_c_long(s: &str) -> Option<i64> {
    // keepalived 2.2.7 reads an empty word (`""`) as 0 (measured:
    // `weight ""` is accepted, `priority ""` is "number '' outside range").
    if s.is_empty() {
        return Some(0);
    }
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.starts_with('+') {
        return None;
    }
    t.parse::<i64>().ok().or_else(|| {
        // Out of i64 range still counts as a number that is out of range.
        let digits = t.strip_prefix('-').unwrap_or(t);
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(
            if t.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            },
        )
    })
}

/// strtod() over the whole string: decimal or hex floats, inf, nan.
fn parse_c_double(s: &str) -> Option<f64> {
    let t = s.trim_start_matches([' ', '\t']);
    if t.is_empty() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return lower.replace("infinity", "inf").parse::<f64>().ok();
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'-' || b == b'+')
    {
        return None;
    }
    t.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_numbers() {
        assert_eq!(parse_c_long("300"), Some(300));
        assert_eq!(parse_c_long("abc"), None);
        assert_eq!(parse_c_long("-20"), Some(-20));
        assert_eq!(parse_c_double("1.5"), Some(1.5));
        assert_eq!(parse_c_double("x"), None);
    }
}
