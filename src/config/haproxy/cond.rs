//! The `.if` / `.elif` / `-cc` condition language of HAProxy 2.6.
//!
//! This is a close port of HAProxy's `src/cfgcond.c` and of the part of
//! `make_arg_list()` (`src/arg.c`) the predicates use. It works on bytes and
//! keeps HAProxy's pointer arithmetic as byte offsets, because the error
//! messages quote "the rest of the expression from here" and place a caret at
//! the first bad byte; a grammar-first parser would report different spans.
//!
//! Grammar (AND binds tighter than OR, both evaluated left to right):
//! `expr := and ('||' expr)?`, `and := term ('&&' and)?`,
//! `term := '!'* (integer | '(' expr ')' | predicate ['(' args ')'])`.

use thiserror::Error;

/// The HAProxy version tandem is compatible with; `version_atleast()` and
/// `version_before()` compare against it, and `-v` prints it.
pub const COMPAT_VERSION: &str = "2.6.12";

/// The feature list printed by `haproxy -vv` and looked up by `feature()`.
///
/// Honest list for this build, compared with Debian's HAProxy 2.6 (whose `.if
/// feature(...)` blocks a config may carry). `+` where tandem has the facility, whatever
/// implements it: OPENSSL (TLS by rustls: `ssl` binds and servers, so a config's
/// `.if feature(OPENSSL)` blocks are read as on Debian), PROMEX (the Prometheus exporter
/// service), SYSTEMD (sd_notify), SLZ (HTTP compression, by flate2), epoll and poll
/// event loops, threads, getaddrinfo() resolution, splice(), transparent proxying
/// (IP_TRANSPARENT) and network namespaces, PCRE2 and PCRE2_JIT (regexes by the `regex`
/// crate: a config's `.if feature(PCRE2)` blocks are taken as on Debian, and a pattern
/// using what only PCRE2 has, such as look-around, is refused at start rather than the
/// block being skipped in silence). `-` for what needs a library tandem does not
/// link or a capability it does not implement: no Lua, no QUIC, no OpenTracing, no device detection, no accept4/TFO/CPU
/// affinity tuning.
/// Sorted by name as HAProxy sorts it.
pub const BUILD_FEATURES: &str = "-51DEGREES -ACCEPT4 -BACKTRACE -CLOSEFROM -CPU_AFFINITY \
-CRYPT_H -DEVICEATLAS -DL -ENGINE +EPOLL -EVPORTS +GETADDRINFO -KQUEUE -LIBCRYPT \
+LINUX_SPLICE +LINUX_TPROXY -LUA -MEMORY_PROFILING -NETFILTER +NS -OBSOLETE_LINKER \
+OPENSSL -OT -PCRE +PCRE2 +PCRE2_JIT -PCRE_JIT +POLL -PRCTL -PROCCTL +PROMEX -QUIC -RT \
+SLZ -STATIC_PCRE -STATIC_PCRE2 +SYSTEMD -TFO +THREAD -THREAD_DUMP +TPROXY -WURFL -ZLIB";

/// HAProxy's MAX_CFG_RECURSION: bounds the recursion depth of the parser.
const MAX_CFG_RECURSION: i32 = 1024;

/// HAProxy's default `tune.bufsize` minus one: the longest decoded argument.
const ARG_BUF_MAX: usize = 16384 - 1;

/// A condition that does not parse. `msg` is HAProxy's wording (the part
/// after `Failed to evaluate condition: ` or before ` in '.if' at position`),
/// `pos` the byte offset of the first bad byte in the expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{msg}")]
pub struct CondError {
    pub msg: String,
    pub pos: usize,
}

/// Environment look-up used by `defined()`: returns whether a variable exists.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// The process environment (what `getenv()` sees), plus the variables
/// HAProxy sets for itself before parsing (see `lexer::set_env_overlay`).
pub fn process_env(name: &str) -> Option<Vec<u8>> {
    crate::config::haproxy::lexer::env_lookup(name)
}

/// Evaluate a condition given as words (as on a `.if` line after the
/// directive): they are joined with single spaces, as HAProxy does.
pub fn eval(expr_words: &[String]) -> Result<bool, CondError> {
    eval_bytes(expr_words.join(" ").as_bytes(), &process_env)
}

/// Evaluate the already merged expression text (HAProxy's
/// `cfg_eval_condition()`): empty is false.
pub fn eval_bytes(text: &[u8], env: EnvLookup<'_>) -> Result<bool, CondError> {
    let p = Parser { s: text };
    if text.is_empty() {
        return Ok(false);
    }
    let mut pos = 0usize;
    match p.parse_expr(&mut pos, MAX_CFG_RECURSION)? {
        Some(expr) => {
            while matches!(p.at(pos), b' ' | b'\t') {
                pos += 1;
            }
            if p.at(pos) != 0 {
                return Err(CondError {
                    msg: format!(
                        "unexpected character '{}' at the end of conditional expression '{}'",
                        byte_char(p.at(pos)),
                        lossy(text)
                    ),
                    pos,
                });
            }
            Ok(expr.eval(env))
        }
        None => Err(CondError {
            msg: format!("unparsable conditional expression '{}'", lossy(text)),
            pos,
        }),
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn byte_char(b: u8) -> char {
    if b.is_ascii() {
        b as char
    } else {
        char::REPLACEMENT_CHARACTER
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pred {
    Defined,
    Feature,
    Streq,
    Strneq,
    VersionAtleast,
    VersionBefore,
}

impl Pred {
    const ALL: [(&'static str, Pred, usize); 6] = [
        ("defined", Pred::Defined, 1),
        ("feature", Pred::Feature, 1),
        ("streq", Pred::Streq, 2),
        ("strneq", Pred::Strneq, 2),
        ("version_atleast", Pred::VersionAtleast, 1),
        ("version_before", Pred::VersionBefore, 1),
    ];
}

#[derive(Debug)]
enum TermKind {
    Const(bool),
    Paren(Box<Expr>),
    Pred(Pred, Vec<Vec<u8>>),
}

#[derive(Debug)]
struct Term {
    neg: bool,
    kind: TermKind,
}

/// `left && right && ...` (a non-empty list of terms).
#[derive(Debug)]
struct And(Vec<Term>);

/// `left || right || ...` (a non-empty list of AND groups).
#[derive(Debug)]
struct Expr(Vec<And>);

impl Expr {
    fn eval(&self, env: EnvLookup<'_>) -> bool {
        self.0.iter().any(|a| a.0.iter().all(|t| t.eval(env)))
    }
}

impl Term {
    fn eval(&self, env: EnvLookup<'_>) -> bool {
        let v = match &self.kind {
            TermKind::Const(b) => *b,
            TermKind::Paren(e) => e.eval(env),
            TermKind::Pred(p, args) => {
                let a0 = args.first().map(Vec::as_slice).unwrap_or(b"");
                let a1 = args.get(1).map(Vec::as_slice).unwrap_or(b"");
                match p {
                    Pred::Defined => env(&String::from_utf8_lossy(a0)).is_some(),
                    Pred::Feature => feature_enabled(a0),
                    Pred::Streq => a0 == a1,
                    Pred::Strneq => a0 != a1,
                    Pred::VersionAtleast => compare_current_version(a0) <= 0,
                    Pred::VersionBefore => compare_current_version(a0) > 0,
                }
            }
        };
        v != self.neg
    }
}

/// Whether `name` appears after a '+' in the feature list.
pub fn feature_enabled(name: &[u8]) -> bool {
    if name.is_empty() {
        // HAProxy 2.6 scans past the end of its feature string for an empty
        // name (undefined behaviour in C); the Debian build answers true
        // (`haproxy -cc 'feature()'` exits 0), so tandem does the same.
        return true;
    }
    BUILD_FEATURES
        .split(' ')
        .find(|tok| tok.len() > 1 && &tok.as_bytes()[1..] == name)
        .is_some_and(|tok| tok.starts_with('+'))
}

/// HAProxy's `split_version()`: 7 numbers (a.b.c.d, tag kind, tag number,
/// commit); `None` when the string does not parse.
fn split_version(v: &[u8]) -> Option<[u64; 7]> {
    let mut value = [0u64, 0, 0, 0, 3, 0, 0];
    if v.is_empty() {
        return None;
    }
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    let mut p = 0usize;
    let mut tag = false;
    for (idx, slot) in value.iter_mut().take(4).enumerate() {
        let (n, end) = strtol10(v, p);
        *slot = n;
        let e = at(end);
        p = end + 1;
        if e == 0 {
            return Some(value);
        }
        if e == b'-' {
            tag = true;
            break;
        }
        if e != b'.' || idx == 3 {
            return None;
        }
    }
    if !tag {
        return None;
    }
    // split_version_tag:
    let mut commit_from = p;
    if !at(p).is_ascii_digit() {
        let rest = v.get(p..).unwrap_or(b"");
        let kind = if rest.starts_with(b"dev") {
            Some((1, 3))
        } else if rest.starts_with(b"rc") {
            Some((2, 2))
        } else if rest.starts_with(b"pre") {
            Some((2, 3))
        } else {
            None
        };
        if let Some((k, skip)) = kind {
            value[4] = k;
            p += skip;
            let (n, end) = strtol10(v, p);
            value[5] = n;
            let e = at(end);
            p = end + 1;
            if e == 0 {
                return Some(value);
            }
            if e != b'-' {
                return None;
            }
        }
        commit_from = p;
    }
    // split_version_commit: the number after the last '-', if any.
    let rest = v.get(commit_from.min(v.len())..).unwrap_or(b"");
    let tail = match rest.iter().rposition(|&c| c == b'-') {
        Some(i) => {
            let t = &rest[i + 1..];
            if t.is_empty() {
                return None;
            }
            t
        }
        None => rest,
    };
    let (n, end) = strtol10(tail, 0);
    value[6] = if end == tail.len() { n } else { 0 };
    Some(value)
}

/// `strtol(s + p, &end, 10)` for non-negative use: returns the value and the
/// end offset (== p when nothing was converted).
fn strtol10(s: &[u8], p: usize) -> (u64, usize) {
    let mut i = p;
    while s
        .get(i)
        .is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b)
    {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i)
        && (c == b'+' || c == b'-')
    {
        neg = c == b'-';
        i += 1;
    }
    let start = i;
    let mut n: u64 = 0;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(u64::from(c - b'0'));
        i += 1;
    }
    if i == start {
        return (0, p);
    }
    // The C code stores into an unsigned int: negative numbers wrap.
    let n = if neg {
        (n as u32).wrapping_neg() as u64
    } else {
        n
    };
    (n, i)
}

/// <0 when `v` is older than tandem's compat version, 0 same, 1 newer, -3
/// when `v` does not parse (which `version_atleast` then treats as true).
fn compare_current_version(v: &[u8]) -> i32 {
    let Some(loc) = split_version(COMPAT_VERSION.as_bytes()) else {
        return -2;
    };
    let Some(m) = split_version(v) else {
        return -3;
    };
    for (a, b) in m.iter().zip(loc.iter()) {
        let (a, b) = (*a as u32, *b as u32);
        if a < b {
            return -1;
        }
        if a > b {
            return 1;
        }
    }
    0
}

struct Parser<'a> {
    s: &'a [u8],
}

impl Parser<'_> {
    /// The byte at `i`, 0 past the end (C string semantics).
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn rest(&self, i: usize) -> String {
        lossy(self.s.get(i..).unwrap_or(b""))
    }

    fn skip_blanks(&self, i: &mut usize) {
        while matches!(self.at(*i), b' ' | b'\t') {
            *i += 1;
        }
    }

    /// `cfg_parse_cond_expr`: Ok(None) is HAProxy's "desynchronized" (0).
    fn parse_expr(&self, text: &mut usize, maxdepth: i32) -> Result<Option<Expr>, CondError> {
        let mut inp = *text;
        if self.at(inp) == 0 {
            return Ok(None);
        }
        if maxdepth <= 0 {
            return Err(CondError {
                msg: format!("unparsable conditional expression '{}'", self.rest(inp)),
                pos: inp,
            });
        }
        let Some(left) = self.parse_and(&mut inp, maxdepth - 1)? else {
            return Err(CondError {
                msg: format!("unparsable conditional expression '{}'", self.rest(inp)),
                pos: inp,
            });
        };
        self.skip_blanks(&mut inp);
        *text = inp;
        if !(self.at(inp) == b'|' && self.at(inp + 1) == b'|') {
            return Ok(Some(Expr(vec![left])));
        }
        inp += 2;
        self.skip_blanks(&mut inp);
        match self.parse_expr(&mut inp, maxdepth - 1)? {
            Some(right) => {
                *text = inp;
                let mut v = vec![left];
                v.extend(right.0);
                Ok(Some(Expr(v)))
            }
            None => Ok(None),
        }
    }

    /// `cfg_parse_cond_and`.
    fn parse_and(&self, text: &mut usize, maxdepth: i32) -> Result<Option<And>, CondError> {
        let mut inp = *text;
        if self.at(inp) == 0 {
            return Ok(None);
        }
        if maxdepth <= 0 {
            return Err(CondError {
                msg: format!("unparsable conditional sub-expression '{}'", self.rest(inp)),
                pos: inp,
            });
        }
        let Some(left) = self.parse_term(&mut inp, maxdepth - 1)? else {
            return Err(CondError {
                msg: format!("unparsable conditional sub-expression '{}'", self.rest(inp)),
                pos: inp,
            });
        };
        self.skip_blanks(&mut inp);
        *text = inp;
        if !(self.at(inp) == b'&' && self.at(inp + 1) == b'&') {
            return Ok(Some(And(vec![left])));
        }
        inp += 2;
        self.skip_blanks(&mut inp);
        match self.parse_and(&mut inp, maxdepth - 1)? {
            Some(right) => {
                *text = inp;
                let mut v = vec![left];
                v.extend(right.0);
                Ok(Some(And(v)))
            }
            None => Ok(None),
        }
    }

    /// `cfg_parse_cond_term`.
    fn parse_term(&self, text: &mut usize, maxdepth: i32) -> Result<Option<Term>, CondError> {
        let start = *text;
        let mut inp = start;
        self.skip_blanks(&mut inp);
        if self.at(inp) == 0 {
            return Ok(None);
        }
        let fail0 = || CondError {
            msg: format!("unparsable conditional expression '{}'", self.rest(start)),
            pos: start,
        };
        if maxdepth <= 0 {
            return Err(fail0());
        }
        let mut neg = false;
        while self.at(inp) == b'!' {
            neg = !neg;
            inp += 1;
            self.skip_blanks(&mut inp);
        }
        if let Some((nonzero, end)) = self.strtol0(inp) {
            *text = end;
            return Ok(Some(Term {
                neg,
                kind: TermKind::Const(nonzero),
            }));
        }
        if self.at(inp) == b'(' {
            inp += 1;
            self.skip_blanks(&mut inp);
            let Some(e) = self.parse_expr(&mut inp, maxdepth - 1)? else {
                return Err(fail0());
            };
            self.skip_blanks(&mut inp);
            if self.at(inp) != b')' {
                return Err(CondError {
                    msg: format!(
                        "expected ')' after conditional expression '{}'",
                        self.rest(start)
                    ),
                    pos: start,
                });
            }
            inp += 1;
            self.skip_blanks(&mut inp);
            *text = inp;
            return Ok(Some(Term {
                neg,
                kind: TermKind::Paren(Box::new(e)),
            }));
        }
        // Predicate name: the word up to a space or '('.
        let wend = self.s[inp.min(self.s.len())..]
            .iter()
            .position(|&c| c == b' ' || c == b'(')
            .map_or(self.s.len(), |n| inp + n);
        let word = self.s.get(inp..wend).unwrap_or(b"");
        if let Some(&(name, pred, nargs)) = Pred::ALL.iter().find(|(n, _, _)| n.as_bytes() == word)
        {
            return match self.make_arg_list(wend, nargs) {
                Ok((args, end)) => {
                    *text = end;
                    Ok(Some(Term {
                        neg,
                        kind: TermKind::Pred(pred, args),
                    }))
                }
                Err((msg, err_arg, end)) => Err(CondError {
                    msg: format!(
                        "{msg} in argument {err_arg} of predicate '{name}' used in conditional expression"
                    ),
                    pos: end,
                }),
            };
        }
        Err(fail0())
    }

    /// `strtol(in, &end, 0)`: Some((value != 0, end)) when digits were read.
    fn strtol0(&self, p: usize) -> Option<(bool, usize)> {
        let mut i = p;
        while matches!(self.at(i), b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
        }
        if matches!(self.at(i), b'+' | b'-') {
            i += 1;
        }
        let (radix, mut j) = if self.at(i) == b'0'
            && matches!(self.at(i + 1), b'x' | b'X')
            && self.at(i + 2).is_ascii_hexdigit()
        {
            (16, i + 2)
        } else if self.at(i) == b'0' {
            (8, i)
        } else {
            (10, i)
        };
        let digits_start = j;
        let mut nonzero = false;
        while (self.at(j) as char).is_digit(radix) {
            nonzero |= self.at(j) != b'0';
            j += 1;
        }
        if j == digits_start {
            return None;
        }
        Some((nonzero, j))
    }

    /// The string-only subset of `make_arg_list()` the predicates use.
    /// Ok((args, end)) or Err((message, err_arg, end)).
    #[allow(clippy::type_complexity)]
    fn make_arg_list(
        &self,
        mut inp: usize,
        nbarg: usize,
    ) -> Result<(Vec<Vec<u8>>, usize), (String, usize, usize)> {
        let min_arg = nbarg;
        // `len` is -1 (unbounded) inside parentheses, 0 without them.
        let empty = self.at(inp) != b'(';
        let bounded = !empty;
        if !empty {
            inp += 1;
        }
        let mut args = Vec::new();
        let mut pos = 0usize;
        while pos < nbarg {
            let (mut squote, mut dquote) = (false, false);
            let mut out: Vec<u8> = Vec::new();
            while bounded && self.at(inp) != 0 && out.len() < ARG_BUF_MAX {
                let c = self.at(inp);
                if c == b'"' && !squote {
                    dquote = !dquote;
                    inp += 1;
                } else if c == b'\'' && !dquote {
                    squote = !squote;
                    inp += 1;
                } else if c == b'\\' && !squote {
                    let n = self.at(inp + 1);
                    if n == 0 {
                        let msg = format!(
                            "failed to parse '{}' after '{}' as type 'string' at position {}",
                            self.rest(inp),
                            lossy(&out),
                            pos + 1
                        );
                        return Err((msg, pos, inp));
                    }
                    match n {
                        b'\\' | b' ' | b'"' | b'\'' => {
                            inp += 1;
                            out.push(n);
                        }
                        b'r' => {
                            inp += 1;
                            out.push(b'\r');
                        }
                        b'n' => {
                            inp += 1;
                            out.push(b'\n');
                        }
                        b't' => {
                            inp += 1;
                            out.push(b'\t');
                        }
                        _ => out.push(b'\\'),
                    }
                    inp += 1;
                } else {
                    if !squote && !dquote && (c == b',' || c == b')') {
                        break;
                    }
                    out.push(c);
                    inp += 1;
                }
            }
            let c = self.at(inp);
            if bounded && c != 0 && c != b',' && c != b')' {
                let msg = format!(
                    "too small buffer size to store decoded argument {}, increase bufsize ?",
                    pos + 1
                );
                return Err((msg, pos, inp));
            }
            args.push(out);
            pos += 1;
            if !bounded || c == 0 || c == b')' || pos >= nbarg {
                break;
            }
            inp += 1;
        }
        if pos < min_arg {
            let msg = format!("missing arguments (got {pos}/{min_arg}), type 'string' expected");
            return Err((msg, pos, inp));
        }
        if empty {
            // nothing to skip
        } else if self.at(inp) == b')' {
            inp += 1;
        } else {
            let word = self.rest(inp);
            let msg = if word.is_empty() {
                "expected ')'".to_string()
            } else {
                format!("expected ')' before '{word}'")
            };
            if pos > 1 {
                pos -= 1;
            }
            return Err((msg, pos, inp));
        }
        Ok((args, inp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<Vec<u8>> {
        (name == "HOME").then(|| b"/root".to_vec())
    }

    fn ev(s: &str) -> Result<bool, String> {
        eval_bytes(s.as_bytes(), &env).map_err(|e| e.msg)
    }

    // Expected values measured with `haproxy -cc EXPR` (HAProxy 2.6.12):
    // exit 0 = true, 1 = false, 2 = the error printed after
    // "Failed to evaluate condition: ".
    #[test]
    fn truth_values_match_haproxy() {
        for (e, want) in [
            ("1", true),
            ("0", false),
            ("", false),
            ("defined(HOME)", true),
            ("defined(NOPE)", false),
            ("feature(OPENSSL)", true),
            ("feature(EPOLL)", true),
            ("feature(POLL)", true),
            ("feature(OPEN)", false),
            ("feature(+EPOLL)", false),
            ("feature()", true),
            ("feature", true),
            ("streq(a,b)", false),
            ("strneq(a,b)", true),
            ("streq(a , b)", false),
            ("strneq(a b,a)", true),
            ("streq(\"a,b\",'a,b')", true),
            ("defined()", false),
            ("version_atleast(2.6)", true),
            ("version_atleast(2.6.13)", false),
            ("version_atleast(2.6.12)", true),
            ("version_atleast(2.6.12.0)", true),
            ("version_before(2.6.12.1)", true),
            ("version_before(2.7)", true),
            ("version_atleast(2.6.12-dev3)", true),
            ("version_atleast(2.6-dev19)", true),
            ("version_atleast(foo)", true),
            ("version_before(foo)", false),
            ("!0", true),
            ("! ! 1", true),
            ("0x10", true),
            ("-1", true),
            (" 1", true),
            ("1 && 0 || 1", true),
            ("1 && (0 || 0)", false),
            ("!(0 || 0) && defined(HOME)", true),
        ] {
            assert_eq!(ev(e), Ok(want), "expression {e:?}");
        }
    }

    #[test]
    fn errors_match_haproxy() {
        for (e, msg) in [
            ("foo", "unparsable conditional expression 'foo'"),
            ("1 &&", "unparsable conditional expression '&&'"),
            ("(1", "expected ')' after conditional expression '(1'"),
            (
                "streq(a)",
                "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression",
            ),
            (
                "streq()",
                "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression",
            ),
            (
                "streq(a,b,c)",
                "expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression",
            ),
            (
                "streq(a\\",
                "failed to parse '\\' after 'a' as type 'string' at position 1 in argument 0 of predicate 'streq' used in conditional expression",
            ),
            ("1 || foo", "unparsable conditional expression 'foo'"),
            ("0 && foo", "unparsable conditional expression 'foo'"),
            (
                "1 2",
                "unexpected character '2' at the end of conditional expression '1 2'",
            ),
            (
                "feature(OPENSSL)x",
                "unexpected character 'x' at the end of conditional expression 'feature(OPENSSL)x'",
            ),
            (
                "defined (HOME)",
                "unexpected character '(' at the end of conditional expression 'defined (HOME)'",
            ),
            (
                "08",
                "unexpected character '8' at the end of conditional expression '08'",
            ),
            (
                "0x",
                "unexpected character 'x' at the end of conditional expression '0x'",
            ),
            ("foo bar", "unparsable conditional expression 'foo bar'"),
        ] {
            assert_eq!(ev(e), Err(msg.to_string()), "expression {e:?}");
        }
    }

    #[test]
    fn error_positions() {
        // `.if 1 && (2` reports position 6 (1-based) in HAProxy 2.6.12.
        let e = eval_bytes(b"1 && (2", &env).unwrap_err();
        assert_eq!(e.pos, 5);
        let e = eval_bytes(b"foo bar", &env).unwrap_err();
        assert_eq!(e.pos, 0);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let s = "(".repeat(5000) + "1" + &")".repeat(5000);
        assert!(ev(&s).is_err());
        let s = "!".repeat(10000) + "1";
        assert_eq!(ev(&s), Ok(true));
    }

    #[test]
    fn split_version_forms() {
        assert_eq!(split_version(b"2.6.12"), Some([2, 6, 12, 0, 3, 0, 0]));
        assert_eq!(
            split_version(b"2.6.12-1+deb12u4"),
            Some([2, 6, 12, 0, 3, 0, 0])
        );
        assert_eq!(split_version(b"2.4-dev19"), Some([2, 4, 0, 0, 1, 19, 0]));
        assert_eq!(split_version(b"foo"), None);
        assert_eq!(split_version(b""), None);
    }
}
