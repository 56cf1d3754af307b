//! ACLs, samples (fetch + converters) and `if`/`unless` conditions.
//!
//! Contract with `parser`: the functions here get the words of one config line
//! (already lexed) plus a `Ctx`, and return typed IR or the error message that
//! HAProxy prints after `parsing [FILE:LINE] : ` (the parser adds the prefix).
//! Warnings go to `ctx.warnings` as the text after that same prefix.

pub mod pcre;
pub mod sample;

use std::net::IpAddr;

use self::sample::{Via, parse_expr, tables};
use crate::ir::haproxy::expr::{Acl, AclRef, CondTerm, Condition, MatchMethod, Pattern};

/// Marks an error (or warning) whose text is NOT preceded by
/// `parsing [FILE:LINE] : `: the rest is everything after `config : `
/// (HAProxy has several prefixes: `[F:L] : ` on server lines,
/// `parsing [F:L]: ` on http-request rules, none at all on some lines).
/// Several separate ALERT lines are separated by [`SEP`].
pub const RAW: char = '\u{1}';
/// Marks an error after which HAProxy stops parsing (`ERR_ABORT`): it then
/// prints only `Error(s) found in configuration file : FILE`, not
/// `Fatal errors found in configuration.`. Comes before [`RAW`] if both.
pub const ABORT: char = '\u{2}';
/// Separates the ALERT lines of a [`RAW`] message.
pub const SEP: char = '\u{1e}';
/// Marks a `ctx.warnings` entry that HAProxy prints as an `[ALERT]` without
/// counting it as an error (e.g. a server's `observe layer7` in a TCP
/// proxy). Comes before [`RAW`] if both; see [`Rendered::alert`].
pub const SOFT_ALERT: char = '\u{3}';

/// An error/warning message from this module family, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Each entry is one message, the text after `[ALERT]    (PID) : `
    /// (starting with `config : `).
    pub lines: Vec<String>,
    /// HAProxy stops parsing after this error.
    pub abort: bool,
    /// A `ctx.warnings` entry to print at the ALERT level (the
    /// configuration stays valid): see [`SOFT_ALERT`].
    pub alert: bool,
}

/// Turn an `Err` string (or a `ctx.warnings` entry) from `parse_acl`,
/// `parse_condition`, `parse_rule`, `parse_server`, `parse_bind` into the
/// lines HAProxy prints. A plain string gets `parsing [FILE:LINE] : `.
pub fn render(msg: &str, file: &str, line: u32) -> Rendered {
    let (abort, rest) = match msg.strip_prefix(ABORT) {
        Some(r) => (true, r),
        None => (false, msg),
    };
    let (alert, rest) = match rest.strip_prefix(SOFT_ALERT) {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let lines = match rest.strip_prefix(RAW) {
        Some(r) => r.split(SEP).map(|l| format!("config : {l}")).collect(),
        None => vec![format!("config : parsing [{file}:{line}] : {rest}")],
    };
    Rendered {
        lines,
        abort,
        alert,
    }
}

/// Build a [`RAW`] message from full texts (each after `config : `).
pub fn raw(lines: &[String]) -> String {
    let mut s = String::new();
    s.push(RAW);
    s.push_str(&lines.join(&SEP.to_string()));
    s
}

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
    let name = args.get(1).map(String::as_str).unwrap_or("");
    // HAProxy's invalid_char(): letters, digits and "-_.:" only. For an empty
    // name it prints the terminating NUL, which cuts its message short.
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:".contains(*c)))
    {
        return Err(format!(
            "character '{c}' is not permitted in acl name '{name}'."
        ));
    }
    if name.is_empty() {
        return Err("character '".to_string());
    }
    let words = args.get(2..).unwrap_or(&[]);
    let mut acl = parse_acl_expr(words, ctx, name)
        .map_err(|e| format!("error detected while parsing ACL '{name}' : {e}."))?;
    acl.name = name.to_string();
    let (kw, places) = acl_usage(&acl);
    with_registry(ctx, |r| r.acls.push((name.to_string(), kw, places)));
    Ok(acl)
}

/// HAProxy's `parse_acl_expr()`: `words[0]` is the criterion, then flags and
/// patterns. The error is the text HAProxy puts after `... ACL 'NAME' : `
/// (or after the condition context), without the final '.'.
pub fn parse_acl_expr(words: &[String], ctx: &mut Ctx, acl_name: &str) -> Result<Acl, String> {
    let word = words.first().map(String::as_str).unwrap_or("");
    let t = tables();
    let kw_end = word.find(['(', ',']).unwrap_or(word.len());
    let kw = &word[..kw_end];
    if kw.is_empty() {
        return Err(format!("missing fetch method in ACL expression '{word}'"));
    }
    let mut acl = Acl::default();
    let mut method = None;
    let sample = if let Some(&(fetch, m)) = t.acl_kws.get(kw) {
        let sig = t
            .fetches
            .get(fetch)
            .ok_or_else(|| format!("unknown fetch method '{kw}' in ACL expression '{word}'"))?;
        acl.keyword = Some(kw.to_string());
        method = match_method(m);
        parse_expr(word, kw, sig, Via::AclKeyword).map_err(|e| e.0)?
    } else if let Some(sig) = t.fetches.get(kw) {
        parse_expr(word, kw, sig, Via::Fetch)
            .map_err(|e| format!("{} in ACL expression '{word}'", e.0))?
    } else {
        return Err(format!(
            "unknown fetch method '{kw}' in ACL expression '{word}'"
        ));
    };
    acl.sample = sample;
    // flags
    let mut i = 1;
    let mut dashdash = false;
    let mut pending_files = Vec::new();
    while let Some(w) = words.get(i).map(String::as_str) {
        if !w.starts_with('-') {
            break;
        }
        match w {
            "-i" => acl.ignore_case = true,
            "-n" => acl.no_dns = true,
            "-M" => acl.map_files = true,
            "-f" => {
                let f = words.get(i + 1).map(String::as_str).unwrap_or("");
                pending_files.push(f.to_string());
                i += 1;
            }
            "-m" => {
                let m = words.get(i + 1).map(String::as_str).unwrap_or("");
                method = Some(match_method(m).ok_or_else(|| {
                    format!("unknown matching method '{m}' when parsing ACL expression")
                })?);
                i += 1;
            }
            "-u" => {
                let v = words.get(i + 1).map(String::as_str).unwrap_or("");
                // strtol(): an empty word reads as 0 without error.
                let n = if v.is_empty() {
                    0
                } else {
                    v.parse::<i64>()
                        .map_err(|_| "the argument of -u must be an integer".to_string())?
                };
                acl.unique_id = Some(n);
                i += 1;
            }
            "--" => {
                dashdash = true;
                i += 1;
                break;
            }
            _ => {
                return Err(format!(
                    "'{w}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'"
                ));
            }
        }
        i += 1;
    }
    let method = match method {
        Some(m) => m,
        None => default_method(&acl.sample.output).ok_or_else(|| {
            format!(
                "matching method must be specified first (using '-m') when using a sample fetch of this type ('{kw}')"
            )
        })?,
    };
    acl.method = method;
    // Only when nothing at all follows the criterion: `path -i` does not
    // warn (as in HAProxy). HAProxy's text ends in `\n`: an empty line follows.
    let no_pattern = words.get(1).is_none_or(|w| w.is_empty());
    if no_pattern && acl.sample.output != "bool" {
        ctx.warnings.push(raw(&[format!(
            "parsing acl keyword '{word}' :\n  no pattern to match against were provided, so this ACL will never match.\n  \
             If this is what you intended, please add '--' to get rid of this warning.\n  \
             If you intended to match only for existence, please use '-m found'.\n  \
             If you wanted to force an int to match as a bool, please use '-m bool'.\n"
        )]));
    }

    for f in pending_files {
        load_pattern_file(&f, method, &mut acl)?;
        acl.files.push(f);
    }
    // patterns
    let mut op: Option<&str> = None;
    let first_pattern = i;
    while let Some(w) = words.get(i).map(String::as_str) {
        if w.is_empty() {
            break;
        }
        i += 1;
        if matches!(method, MatchMethod::Int | MatchMethod::Len)
            && matches!(w, "eq" | "ge" | "gt" | "le" | "lt")
        {
            op = Some(w);
            continue;
        }
        if let Some(p) = parse_pattern(method, w, op.take(), acl.no_dns)? {
            acl.patterns.push(p);
        }
    }
    // A pattern starting with '(' right after a parenthesis-less keyword is
    // most likely a misplaced space; HAProxy warns (printed without location).
    if !dashdash
        && kw_end == word.len()
        && let Some(p) = words.get(first_pattern).filter(|p| p.starts_with('('))
    {
        ctx.warnings.push(raw(&[format!(
                "parsing acl '{acl_name}' :\n  matching '{word}' for pattern '{p}' is likely a mistake and probably\n  \
                 not what you want. Maybe you need to remove the extraneous space before '('.\n  \
                 If you are really sure this is not an error, please insert '--' between the\n  \
                 match and the pattern to make this warning message disappear."
            )]));
    }
    Ok(acl)
}

/// One pattern for `method` (`None` for found/bool, which take none).
fn parse_pattern(
    method: MatchMethod,
    w: &str,
    op: Option<&str>,
    no_dns: bool,
) -> Result<Option<Pattern>, String> {
    Ok(Some(match method {
        MatchMethod::Found | MatchMethod::Bool => return Ok(None),
        MatchMethod::Int | MatchMethod::Len => parse_int_pattern(w, op)?,
        MatchMethod::Ip => parse_ip_pattern(w, no_dns)?,
        MatchMethod::Reg => {
            pcre::check(w)?;
            Pattern::Regex(w.to_string())
        }
        MatchMethod::Bin => {
            if let Some(c) = w.chars().find(|c| !c.is_ascii_hexdigit()) {
                return Err(format!("an hex digit is expected (found '{c}')"));
            }
            if !w.len().is_multiple_of(2) {
                return Err("an even number of hex digit is expected".into());
            }
            Pattern::Bin(w.to_string())
        }
        _ => Pattern::Str(w.to_string()),
    }))
}

/// `-f FILE`: one pattern per line, leading blanks dropped, trailing ones
/// kept, `#` comment lines and empty lines skipped; with `-M` only the first
/// word (the key) is a pattern. Errors name the line as HAProxy does.
fn load_pattern_file(f: &str, method: MatchMethod, acl: &mut Acl) -> Result<(), String> {
    let text = match std::fs::read(f) {
        Ok(t) => String::from_utf8_lossy(&t).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || f.is_empty() => {
            return Err(format!("failed to open pattern file <{f}>"));
        }
        Err(e) => {
            let s = e.to_string();
            let reason = s.split(" (os error").next().unwrap_or(&s).to_string();
            if std::path::Path::new(f).is_dir() {
                return Err(format!("error encountered while reading  <{f}> : {reason}"));
            }
            return Err(format!("failed to open pattern file <{f}>"));
        }
    };
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_start_matches([' ', '\t']);
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let pat = if acl.map_files {
            l.split([' ', '\t']).next().unwrap_or(l)
        } else {
            l
        };
        if let Some(p) = parse_pattern(method, pat, None, acl.no_dns)
            .map_err(|e| format!("{e} at line {} of file '{f}'", n + 1))?
        {
            acl.patterns.push(p);
        }
    }
    Ok(())
}

fn match_method(m: &str) -> Option<MatchMethod> {
    Some(match m {
        "found" => MatchMethod::Found,
        "bool" => MatchMethod::Bool,
        "int" => MatchMethod::Int,
        "ip" => MatchMethod::Ip,
        "bin" => MatchMethod::Bin,
        "len" => MatchMethod::Len,
        "str" => MatchMethod::Str,
        "beg" => MatchMethod::Beg,
        "sub" => MatchMethod::Sub,
        "dir" => MatchMethod::Dir,
        "dom" => MatchMethod::Dom,
        "end" => MatchMethod::End,
        "reg" => MatchMethod::Reg,
        _ => return None,
    })
}

/// The match HAProxy picks from the expression's output type; binary,
/// method and untyped outputs need an explicit `-m`.
fn default_method(output: &str) -> Option<MatchMethod> {
    Some(match output {
        "bool" => MatchMethod::Bool,
        "sint" => MatchMethod::Int,
        "ipv4" | "ipv6" | "addr" => MatchMethod::Ip,
        "str" => MatchMethod::Str,
        _ => return None,
    })
}

fn strict_i64(s: &str) -> Option<i64> {
    let t = s.strip_prefix('-').unwrap_or(s);
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `N`, `N:M`, `:M`, `N:` (or with `-` as the separator), with a pending
/// `eq/ge/gt/le/lt` operator: HAProxy 2.6's `pat_parse_int()`.
fn parse_int_pattern(w: &str, op: Option<&str>) -> Result<Pattern, String> {
    if let Some(k) = w.find([':', '-']) {
        let bad = || format!("'{w}' is not a valid number range");
        let (a, b) = (&w[..k], &w[k + 1..]);
        let (min, max) = match (a.is_empty(), b.is_empty()) {
            (true, false) => (None, Some(strict_i64(b).ok_or_else(bad)?)),
            // `N:`, and `:` alone (an empty number is not valid)
            (_, true) => (Some(strict_i64(a).ok_or_else(bad)?), None),
            (false, false) => {
                let lo = strict_i64(a).ok_or_else(bad)?;
                let hi = strict_i64(b).ok_or_else(bad)?;
                if lo > hi {
                    return Err(bad());
                }
                (Some(lo), Some(hi))
            }
        };
        return Ok(Pattern::Int { min, max });
    }
    // acl.c converts a value after a non-`eq` operator itself, with its own
    // message.
    let v = strict_i64(w).ok_or_else(|| match op {
        Some("ge" | "gt" | "le" | "lt") => {
            format!("'{w}' is neither a number nor a supported operator")
        }
        _ => format!("'{w}' is not a number"),
    })?;
    let (min, max) = match op {
        Some("ge") => (Some(v), None),
        Some("gt") => (Some(v.saturating_add(1)), None),
        Some("le") => (None, Some(v)),
        Some("lt") => (None, Some(v.saturating_sub(1))),
        _ => (Some(v), Some(v)),
    };
    Ok(Pattern::Int { min, max })
}

/// `ADDR[/MASK]` (IPv4 masks may be dotted), or a host name resolved now
/// unless `-n`.
fn parse_ip_pattern(w: &str, no_dns: bool) -> Result<Pattern, String> {
    let bad = || format!("'{w}' is not a valid IPv4 or IPv6 address");
    let (a, m) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    let addr: IpAddr = match a.parse() {
        Ok(ip) => ip,
        Err(_) => {
            if no_dns || m.is_some() {
                return Err(bad());
            }
            super::values::resolve_host(a, crate::ir::haproxy::expr::AddrFamily::Unspec)
                .ok_or_else(bad)?
        }
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match m {
        None => max,
        Some(m) => match m.parse::<u8>() {
            Ok(n) if n <= max => n,
            Ok(_) => return Err(bad()),
            Err(_) => match (addr, m.parse::<std::net::Ipv4Addr>()) {
                // Any dotted mask is taken, even a non-contiguous one
                // (HAProxy 2.6.12 accepts 255.0.255.0); its bit count is kept.
                (IpAddr::V4(_), Ok(mask)) => u32::from(mask).count_ones() as u8,
                _ => return Err(bad()),
            },
        },
    };
    Ok(Pattern::Ip { addr, prefix })
}

/// The fetches of the ACLs declared so far in the proxy being parsed, for
/// the "will never match" warnings of rules (HAProxy checks them while
/// parsing each rule). Per thread; reset whenever another proxy section (or
/// another load, seen as a line number going back) starts, since a proxy's
/// ACLs and rules sit in one contiguous section.
#[derive(Default)]
struct AclRegistry {
    owner: (String, String, String),
    last_line: u32,
    /// (ACL name, keyword as written, places where its fetch is usable)
    acls: Vec<(String, String, Vec<&'static str>)>,
}

thread_local! {
    static REGISTRY: std::cell::RefCell<AclRegistry> = std::cell::RefCell::new(AclRegistry::default());
}

fn with_registry<T>(ctx: &Ctx, f: impl FnOnce(&mut AclRegistry) -> T) -> T {
    REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        let owner = (
            ctx.file.to_string(),
            ctx.section.to_string(),
            ctx.proxy.to_string(),
        );
        if r.owner != owner || ctx.line < r.last_line {
            *r = AclRegistry {
                owner,
                ..AclRegistry::default()
            };
        }
        r.last_line = ctx.line;
        f(&mut r)
    })
}

/// The keyword an ACL was written with and where its fetch is usable.
fn acl_usage(acl: &Acl) -> (String, Vec<&'static str>) {
    let kw = acl
        .keyword
        .clone()
        .unwrap_or_else(|| acl.sample.fetch.clone());
    let places = tables()
        .fetches
        .get(acl.sample.fetch.as_str())
        .map(|s| s.places.clone())
        .unwrap_or_default();
    (kw, places)
}

/// HAProxy's `warnif_cond_conflicts()`: the warning (text after
/// `parsing [FILE:LINE] : `) when the condition uses a fetch that is not
/// available at `place` (one of [`sample::PLACES`]). `rule` names the tcp
/// rule sets (`tcp-request connection`...), which HAProxy mentions.
pub fn cond_conflict_warning(
    cond: &Condition,
    place: &str,
    rule: Option<&str>,
    ctx: &Ctx,
) -> Option<String> {
    let where_ = sample::place_name(place);
    let in_rule = rule.map(|r| format!(" in '{r}'")).unwrap_or_default();
    for term in cond.any_of.iter().flatten() {
        match &term.acl {
            AclRef::Anonymous(acl) => {
                let (kw, places) = acl_usage(acl);
                if !places.contains(&place) {
                    return Some(format!(
                        "anonymous acl will never match{in_rule} because it uses keyword '{kw}' which is incompatible with '{where_}'"
                    ));
                }
            }
            AclRef::Named(name) => {
                let decls: Vec<(String, Vec<&'static str>)> = with_registry(ctx, |r| {
                    r.acls
                        .iter()
                        .filter(|(n, _, _)| n == name)
                        .map(|(_, k, p)| (k.clone(), p.clone()))
                        .collect()
                });
                let bad = decls.iter().find(|(_, p)| !p.contains(&place));
                if let Some((kw, _)) = bad {
                    if decls.iter().all(|(_, p)| !p.contains(&place)) {
                        return Some(format!(
                            "acl '{name}' will never match{in_rule} because it only involves keywords that are incompatible with '{where_}'"
                        ));
                    }
                    return Some(format!(
                        "acl '{name}' involves keywords '{kw}' which is incompatible with '{where_}'"
                    ));
                }
            }
            AclRef::Predefined(_) => {}
        }
    }
    None
}

/// HAProxy 2.6's predefined ACLs (`acl.c`, `default_acl_list`).
pub const PREDEFINED_ACLS: &[(&str, &str)] = &[
    ("TRUE", "always_true"),
    ("FALSE", "always_false"),
    ("LOCALHOST", "src 127.0.0.1/8 ::1"),
    ("HTTP", "req.proto_http"),
    ("HTTP_1.0", "req.ver 1.0"),
    ("HTTP_1.1", "req.ver 1.1"),
    ("HTTP_2.0", "req.ver 2.0"),
    ("HTTP_3.0", "req.ver 3.0"),
    ("HTTP_CONTENT", "req.hdr_val(content-length) gt 0"),
    ("HTTP_URL_ABS", "url_reg ^[^/:]*://"),
    ("HTTP_URL_SLASH", "url_beg /"),
    ("HTTP_URL_STAR", "url *"),
    ("METH_CONNECT", "method CONNECT"),
    ("METH_DELETE", "method DELETE"),
    ("METH_GET", "method GET HEAD"),
    ("METH_HEAD", "method HEAD"),
    ("METH_OPTIONS", "method OPTIONS"),
    ("METH_POST", "method POST"),
    ("METH_PUT", "method PUT"),
    ("METH_TRACE", "method TRACE"),
    ("RDP_COOKIE", "req.rdp_cookie_cnt gt 0"),
    ("REQ_CONTENT", "req.len gt 0"),
    ("WAIT_END", "wait_end"),
];

/// A condition starting at `if`/`unless` (`args[0]` is that word).
///
/// The error is the core text (`no such ACL : 'x'`, `missing closing '}' in
/// condition`, an anonymous ACL's error); callers wrap it for their context
/// the way HAProxy does, e.g. `use_backend`:
/// `error detected while parsing switching rule : {e}.`, `stats admin`:
/// `error detected while parsing a 'stats admin' rule : {e}.`,
/// `monitor fail`: `error detected while parsing a 'monitor fail' condition : {e}.`
/// (rules parsed by `rules::parse_rule` are wrapped there).
pub fn parse_condition(args: &[String], ctx: &mut Ctx) -> Result<Condition, String> {
    let mut cond = Condition {
        unless: args.first().is_some_and(|w| w == "unless"),
        any_of: Vec::new(),
    };
    let mut current: Vec<CondTerm> = Vec::new();
    let mut negate = false;
    let mut i = 1;
    while let Some(word) = args.get(i).map(String::as_str) {
        if word.is_empty() {
            break;
        }
        i += 1;
        // HAProxy strips any number of leading '!' (`!a`, `! a`, `!!a`).
        let w = word.trim_start_matches('!');
        if (word.len() - w.len()) % 2 == 1 {
            negate = !negate;
        }
        match w {
            "" => continue,
            "||" | "or" => {
                if !current.is_empty() {
                    cond.any_of.push(std::mem::take(&mut current));
                }
                negate = false;
                continue;
            }
            "{" => {
                let start = i;
                let Some(len) = args[start..].iter().position(|w| w == "}") else {
                    return Err("missing closing '}' in condition".into());
                };
                let words = &args[start..start + len];
                let acl = parse_acl_expr(words, ctx, "")?;
                i = start + len + 1;
                current.push(CondTerm {
                    negate,
                    acl: AclRef::Anonymous(Box::new(acl)),
                });
            }
            name => {
                let acl = if ctx.acl_names.iter().any(|n| n == name) {
                    AclRef::Named(name.to_string())
                } else if PREDEFINED_ACLS.iter().any(|(n, _)| *n == name) {
                    AclRef::Predefined(name.to_string())
                } else {
                    return Err(format!("no such ACL : '{name}'"));
                };
                current.push(CondTerm { negate, acl });
            }
        }
        negate = false;
    }
    if !current.is_empty() {
        cond.any_of.push(current);
    }
    Ok(cond)
}

/// What a fetch/converter argument names, to be found after parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Backend,
    Frontend,
    Table,
    Server,
    Userlist,
}

impl ArgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArgKind::Backend => "backend",
            ArgKind::Frontend => "frontend",
            ArgKind::Table => "table",
            ArgKind::Server => "server",
            ArgKind::Userlist => "userlist",
        }
    }
}

/// A name in a sample expression's arguments that HAProxy resolves once
/// the whole configuration is read (`smp_resolve_args()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgRef {
    pub kind: ArgKind,
    /// As written; empty means the current proxy (HAProxy's default).
    pub name: String,
    /// 1-based argument position.
    pub pos: usize,
    /// The converter holding the argument, `None` for the fetch.
    pub converter: Option<String>,
}

/// The names to resolve in `sample` (fetch arguments, then converters').
pub fn sample_refs(sample: &crate::ir::haproxy::expr::Sample) -> Vec<ArgRef> {
    let t = tables();
    let kind = |ty: &str| -> Option<ArgKind> {
        Some(match ty {
            "backend" => ArgKind::Backend,
            "frontend" => ArgKind::Frontend,
            "table" => ArgKind::Table,
            "server" => ArgKind::Server,
            "user list" => ArgKind::Userlist,
            _ => return None,
        })
    };
    let mut out = Vec::new();
    let mut push = |sig: &sample::Sig, args: &[String], conv: Option<&str>| {
        for (i, ty) in sig.args.iter().enumerate() {
            let Some(k) = kind(ty) else { continue };
            // A missing optional argument is not resolved, a missing
            // mandatory one means the current proxy.
            let name = match args.get(i) {
                Some(n) => n.clone(),
                None if i < sig.mandatory => String::new(),
                None => continue,
            };
            out.push(ArgRef {
                kind: k,
                name,
                pos: i + 1,
                converter: conv.map(str::to_string),
            });
        }
    };
    if let Some(sig) = t.fetches.get(sample.fetch.as_str()) {
        push(sig, &sample.args, None);
    }
    for c in &sample.converters {
        if let Some(sig) = t.convs.get(c.name.as_str()) {
            push(sig, &c.args, Some(&c.name));
        }
    }
    out
}

/// Why an [`ArgRef`] failed to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefProblem {
    /// No such backend/frontend/table/userlist (a proxy without a
    /// stick-table counts as no such table); for a `server` argument, no such
    /// proxy.
    NotFound,
    /// `server` arguments: the server is not in that proxy.
    NoServer { proxy: String, server: String },
    /// The named (or current) proxy lacks the capability: "frontend"/"backend".
    NoCapability(&'static str),
}

/// HAProxy 2.6's post-parse message for an unresolved argument, the text
/// after `config : ` (it starts with `parsing [FILE:LINE]: `, no space).
/// `keyword` is how the expression was written (`nbsrv`, the ACL keyword or
/// fetch name); `rule` is `None` inside an ACL, else the rule keyword
/// (`http-request`...), as HAProxy words the two differently. When one proxy
/// has several such errors HAProxy prints them in one alert headed
/// `multiple argument resolution errors:`, each on its own line indented by
/// 8 spaces.
#[allow(clippy::too_many_arguments)]
pub fn arg_ref_message(
    file: &str,
    line: u32,
    r: &ArgRef,
    keyword: &str,
    rule: Option<&str>,
    proxy: &str,
    problem: &RefProblem,
) -> String {
    let what = match (&r.converter, rule) {
        (None, None) => format!("ACL keyword '{keyword}'"),
        (Some(c), None) => format!("conversion keyword '{c}' for ACL keyword '{keyword}'"),
        (None, Some(x)) => format!("sample fetch keyword '{keyword}' in {x} expression"),
        (Some(c), Some(x)) => format!(
            "conversion keyword '{c}' for sample fetch keyword '{keyword}' in {x} expression"
        ),
    };
    let name = if r.name.is_empty() { proxy } else { &r.name };
    // A named proxy is looked up among the proxies of that capability only:
    // one without it is "not found"; the current proxy (no name) gets the
    // capability text.
    let problem = match problem {
        RefProblem::NoCapability(_) if !r.name.is_empty() => &RefProblem::NotFound,
        p => p,
    };
    let body = match problem {
        // `srv_is_up(PROXY/SERVER)` whose proxy does not exist.
        RefProblem::NotFound if r.kind == ArgKind::Server => format!(
            "unable to find proxy '{}' referenced in arg {} of {what} in proxy '{proxy}'.",
            name.split_once('/').map_or(name, |(p, _)| p),
            r.pos
        ),
        RefProblem::NotFound => format!(
            "unable to find {} '{name}' referenced in arg {} of {what} in proxy '{proxy}'.",
            r.kind.as_str(),
            r.pos
        ),
        RefProblem::NoServer { proxy: p, server } => format!(
            "unable to find server '{server}' in proxy '{p}', referenced in arg {} of {what} in proxy '{proxy}'.",
            r.pos
        ),
        RefProblem::NoCapability(cap) => format!(
            "proxy '{name}', referenced in arg {} of {what} in proxy '{proxy}', has not {cap} capability.",
            r.pos
        ),
    };
    format!("parsing [{file}:{line}]: {body}")
}

#[cfg(test)]
mod tests;
