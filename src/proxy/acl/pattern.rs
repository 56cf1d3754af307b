//! Match methods, pattern sets (inline and `-f` files), maps, conditions, predefined ACLs.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use regex::bytes::Regex;

use super::patref::{self, PatRef, Use};
use super::sample::Expr;
use super::{AclError, CompileEnv, CompiledAcl, CompiledCond, Ctx, Value};
use crate::ir::haproxy::expr::{Acl, AclRef, Condition, MatchMethod, Pattern, Sample};

type Range = (Option<i64>, Option<i64>);

#[derive(Debug, Clone)]
enum Matcher {
    Found,
    Bool,
    Int(Vec<Range>),
    Len(Vec<Range>),
    Ip(IpSet),
    Str {
        set: HashSet<Box<[u8]>>,
        icase: bool,
    },
    /// beg, end, sub, dir, dom: patterns lowercased when `icase`.
    Text {
        kind: TextKind,
        pats: Vec<Box<[u8]>>,
        icase: bool,
    },
    Reg(Vec<Regex>),
    Bin(Vec<Vec<u8>>),
    Meth {
        pats: Vec<String>,
        icase: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Beg,
    End,
    Sub,
    Dir,
    Dom,
}

#[derive(Debug, Clone, Default)]
pub(super) struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl IpSet {
    fn push(&mut self, addr: IpAddr, prefix: u8) {
        match addr {
            IpAddr::V4(a) => {
                let m = mask4(prefix);
                self.v4.push((u32::from(a) & m, m));
            }
            IpAddr::V6(a) => {
                let m = mask6(prefix);
                self.v6.push((u128::from(a) & m, m));
            }
        }
    }

    /// Index of the longest matching network (maps) / any match (ACLs).
    fn best(&self, ip: IpAddr) -> Option<usize> {
        let (v4, v6) = match ip {
            IpAddr::V4(a) => (Some(u32::from(a)), Some(u128::from(a.to_ipv6_mapped()))),
            IpAddr::V6(a) => (a.to_ipv4_mapped().map(u32::from), Some(u128::from(a))),
        };
        let mut best: Option<(usize, u32)> = None;
        if let Some(x) = v4 {
            for (i, (net, m)) in self.v4.iter().enumerate() {
                if x & m == *net && best.is_none_or(|(_, bm)| m.count_ones() > bm) {
                    best = Some((i, m.count_ones()));
                }
            }
        }
        if let Some(x) = v6 {
            for (i, (net, m)) in self.v6.iter().enumerate() {
                let bits = m.count_ones().saturating_sub(96);
                if x & m == *net && best.is_none_or(|(_, bm)| bits > bm) {
                    best = Some((self.v4.len() + i, bits));
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

fn mask4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn mask6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    }
}

/// An IPv4 mask given as a prefix length or dotted quad.
pub(super) fn parse_mask(s: &str, _v6: bool) -> Option<u32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        return (n <= 32).then(|| mask4(n));
    }
    s.parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// `addr[/prefix|/mask]`.
fn parse_net(s: &str) -> Option<(IpAddr, u8)> {
    let (a, m) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let addr: IpAddr = a.trim().parse().ok()?;
    let prefix = match (m, addr) {
        (None, IpAddr::V4(_)) => 32,
        (None, IpAddr::V6(_)) => 128,
        (Some(m), IpAddr::V4(_)) => parse_mask(m, false)?.count_ones() as u8,
        (Some(m), IpAddr::V6(_)) => m.trim().parse().ok().filter(|n| *n <= 128)?,
    };
    Some((addr, prefix))
}

pub(super) fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn parse_range(s: &str) -> Option<Range> {
    let s = s.trim();
    match s.split_once(':') {
        Some((a, b)) => {
            let a = if a.is_empty() {
                None
            } else {
                Some(a.parse().ok()?)
            };
            let b = if b.is_empty() {
                None
            } else {
                Some(b.parse().ok()?)
            };
            Some((a, b))
        }
        None => {
            let n: i64 = s.parse().ok()?;
            Some((Some(n), Some(n)))
        }
    }
}

fn in_ranges(ranges: &[Range], n: i64) -> bool {
    ranges
        .iter()
        .any(|(lo, hi)| lo.is_none_or(|l| n >= l) && hi.is_none_or(|h| n <= h))
}

/// Lines of a pattern file as HAProxy's `pat_ref_read_from_file()` reads them: a line
/// starting with `#` is a comment, leading blanks are stripped, trailing ones are kept,
/// empty lines are skipped.
fn read_lines(path: &str, env: &CompileEnv<'_>) -> Result<Vec<String>, AclError> {
    let p = std::path::Path::new(path);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        env.base_dir.join(p)
    };
    let text = std::fs::read(&full).map_err(|e| AclError::File {
        path: path.into(),
        msg: e.to_string(),
    })?;
    let text = String::from_utf8_lossy(&text);
    Ok(text
        .split('\n')
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches([' ', '\t'])
                .trim_end_matches(['\r', '\n'])
        })
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

fn regex(pat: &str, icase: bool) -> Result<Regex, AclError> {
    let src = if icase {
        format!("(?i){pat}")
    } else {
        pat.to_string()
    };
    Regex::new(&src).map_err(|e| AclError::Regex {
        re: pat.into(),
        msg: e.to_string(),
    })
}

fn pattern_text(p: &Pattern) -> String {
    match p {
        Pattern::Str(s) | Pattern::Regex(s) | Pattern::Bin(s) => s.clone(),
        Pattern::Int { min, max } => match (min, max) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (a, b) => format!(
                "{}:{}",
                a.map(|x| x.to_string()).unwrap_or_default(),
                b.map(|x| x.to_string()).unwrap_or_default()
            ),
        },
        Pattern::Ip { addr, prefix } => format!("{addr}/{prefix}"),
    }
}

/// A matcher whose patterns may change at run time (`-f` files, through their
/// [`PatRef`]s): rebuilt from the references at the first use after a change.
#[derive(Debug, Clone)]
struct Pats {
    base: Matcher,
    dynamic: Option<Arc<DynPats>>,
}

#[derive(Debug)]
struct DynPats {
    acl: Acl,
    refs: Vec<Arc<PatRef>>,
    cache: std::sync::Mutex<Option<(u64, Arc<Matcher>)>>,
}

impl Pats {
    fn build(acl: &Acl, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        let mut refs = Vec::new();
        for f in &acl.files {
            let l = read_lines(f, env)?;
            // `-M`: the file is a map, its keys are the patterns
            refs.push(patref::get_or_load(f, l, Use::Acl, acl.map_files));
        }
        let base = Matcher::build(acl, &file_lines(&refs))?;
        let dynamic = (!refs.is_empty()).then(|| {
            Arc::new(DynPats {
                acl: acl.clone(),
                refs,
                cache: std::sync::Mutex::new(None),
            })
        });
        Ok(Pats { base, dynamic })
    }

    fn matches(&self, v: &Value<'_>) -> bool {
        let generation = patref::generation();
        match &self.dynamic {
            Some(d) if generation != 0 => {
                let m = {
                    let mut c = d.cache.lock().unwrap_or_else(|e| e.into_inner());
                    match &*c {
                        Some((g, m)) if *g == generation => m.clone(),
                        _ => {
                            // a pattern that does not parse keeps the set as configured
                            let m = Matcher::build(&d.acl, &file_lines(&d.refs))
                                .map(Arc::new)
                                .unwrap_or_else(|_| Arc::new(self.base.clone()));
                            *c = Some((generation, m.clone()));
                            m
                        }
                    }
                };
                m.matches(v)
            }
            _ => self.base.matches(v),
        }
    }
}

fn file_lines(refs: &[Arc<PatRef>]) -> Vec<String> {
    refs.iter().flat_map(|r| r.lines(false)).collect()
}

impl Matcher {
    /// `lines`: the patterns of the `-f` files (after the inline ones).
    fn build(acl: &Acl, lines: &[String]) -> Result<Self, AclError> {
        let icase = acl.ignore_case;
        let lines = lines.iter().cloned();
        let bad = |s: &str| AclError::BadArg {
            what: acl.sample.text.clone(),
            msg: format!("invalid pattern '{s}'"),
        };
        Ok(match acl.method {
            MatchMethod::Found => Matcher::Found,
            MatchMethod::Bool => Matcher::Bool,
            MatchMethod::Int | MatchMethod::Len => {
                let mut r = Vec::new();
                for p in &acl.patterns {
                    match p {
                        Pattern::Int { min, max } => r.push((*min, *max)),
                        other => {
                            let t = pattern_text(other);
                            r.push(parse_range(&t).ok_or_else(|| bad(&t))?);
                        }
                    }
                }
                for l in lines {
                    r.push(parse_range(&l).ok_or_else(|| bad(&l))?);
                }
                if acl.method == MatchMethod::Int {
                    Matcher::Int(r)
                } else {
                    Matcher::Len(r)
                }
            }
            MatchMethod::Ip => {
                let mut set = IpSet::default();
                for p in &acl.patterns {
                    match p {
                        Pattern::Ip { addr, prefix } => set.push(*addr, *prefix),
                        other => {
                            let t = pattern_text(other);
                            let (a, pfx) = parse_net(&t).ok_or_else(|| bad(&t))?;
                            set.push(a, pfx);
                        }
                    }
                }
                for l in lines {
                    let (a, pfx) = parse_net(&l).ok_or_else(|| bad(&l))?;
                    set.push(a, pfx);
                }
                Matcher::Ip(set)
            }
            MatchMethod::Bin => {
                let mut v = Vec::new();
                for t in acl.patterns.iter().map(pattern_text).chain(lines) {
                    v.push(parse_hex(&t).ok_or_else(|| bad(&t))?);
                }
                Matcher::Bin(v)
            }
            MatchMethod::Reg => {
                let mut v = Vec::new();
                for t in acl.patterns.iter().map(pattern_text).chain(lines) {
                    v.push(regex(&t, icase)?);
                }
                Matcher::Reg(v)
            }
            MatchMethod::Meth => Matcher::Meth {
                pats: acl.patterns.iter().map(pattern_text).chain(lines).collect(),
                icase,
            },
            MatchMethod::Str => {
                let mut set = HashSet::new();
                for t in acl.patterns.iter().map(pattern_text).chain(lines) {
                    let mut b = t.into_bytes();
                    if icase {
                        b.make_ascii_lowercase();
                    }
                    set.insert(b.into_boxed_slice());
                }
                Matcher::Str { set, icase }
            }
            m @ (MatchMethod::Beg
            | MatchMethod::End
            | MatchMethod::Sub
            | MatchMethod::Dir
            | MatchMethod::Dom) => {
                let kind = match m {
                    MatchMethod::Beg => TextKind::Beg,
                    MatchMethod::End => TextKind::End,
                    MatchMethod::Sub => TextKind::Sub,
                    MatchMethod::Dir => TextKind::Dir,
                    _ => TextKind::Dom,
                };
                let pats = acl
                    .patterns
                    .iter()
                    .map(pattern_text)
                    .chain(lines)
                    .map(|t| {
                        let mut b = t.into_bytes();
                        if icase {
                            b.make_ascii_lowercase();
                        }
                        b.into_boxed_slice()
                    })
                    .collect();
                Matcher::Text { kind, pats, icase }
            }
        })
    }

    fn matches(&self, v: &Value<'_>) -> bool {
        match self {
            Matcher::Found => true,
            Matcher::Bool => v.as_bool().unwrap_or(false),
            Matcher::Int(r) => v.as_int().is_some_and(|n| in_ranges(r, n)),
            Matcher::Len(r) => {
                let len = v.to_bytes().len();
                in_ranges(r, i64::try_from(len).unwrap_or(i64::MAX))
            }
            Matcher::Ip(set) => v.as_addr().is_some_and(|a| set.best(a).is_some()),
            Matcher::Str { set, icase } => {
                let b = v.to_bytes();
                if *icase && b.iter().any(u8::is_ascii_uppercase) {
                    set.contains(b.to_ascii_lowercase().as_slice())
                } else {
                    set.contains(b.as_ref())
                }
            }
            Matcher::Text { kind, pats, icase } => {
                let b = v.to_bytes();
                pats.iter().any(|p| text_match(*kind, &b, p, *icase))
            }
            Matcher::Reg(res) => {
                let b = v.to_bytes();
                res.iter().any(|r| r.is_match(&b))
            }
            Matcher::Bin(pats) => {
                let b = v.to_bytes();
                pats.iter().any(|p| p.as_slice() == b.as_ref())
            }
            Matcher::Meth { pats, icase } => {
                let b = v.to_bytes();
                pats.iter().any(|p| {
                    if *icase {
                        p.as_bytes().eq_ignore_ascii_case(&b)
                    } else {
                        p.as_bytes() == b.as_ref()
                    }
                })
            }
        }
    }
}

fn eq(a: &[u8], b: &[u8], icase: bool) -> bool {
    if icase {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

fn text_match(kind: TextKind, s: &[u8], p: &[u8], icase: bool) -> bool {
    match kind {
        TextKind::Beg => s.len() >= p.len() && eq(&s[..p.len()], p, icase),
        TextKind::End => s.len() >= p.len() && eq(&s[s.len() - p.len()..], p, icase),
        TextKind::Sub => {
            p.is_empty() || (s.len() >= p.len() && s.windows(p.len()).any(|w| eq(w, p, icase)))
        }
        TextKind::Dir => match_word(s, p, icase, b"/?"),
        TextKind::Dom => match_word(s, p, icase, b"/?.:"),
    }
}

/// HAProxy's `match_word()`: the pattern (stripped of its own leading/trailing delimiters)
/// must appear in the string bounded by delimiters or the string's ends.
fn match_word(s: &[u8], p: &[u8], icase: bool, delims: &[u8]) -> bool {
    let is_d = |c: u8| delims.contains(&c);
    let mut p = p;
    while let [c, rest @ ..] = p
        && is_d(*c)
    {
        p = rest;
    }
    while let [rest @ .., c] = p
        && is_d(*c)
    {
        p = rest;
    }
    let pl = p.len();
    if pl > s.len() {
        return false;
    }
    let end = s.len() - pl;
    let mut may_match = true;
    let mut i = 0;
    while i <= end {
        let c = s[i];
        if is_d(c) {
            may_match = true;
            i += 1;
            continue;
        }
        if may_match {
            if eq(&s[i..i + pl], p, icase) && (i == end || is_d(s[i + pl])) {
                return true;
            }
            may_match = false;
        }
        i += 1;
    }
    false
}

/// The ACL lines of one name (ORed), each with its own expression and matcher.
#[derive(Debug, Clone)]
pub(super) struct AclMatcher {
    terms: Vec<(Expr, Pats)>,
    payload: bool,
}

impl AclMatcher {
    pub(super) fn compile(acl: &Acl, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        let expr = Expr::compile(&acl.sample, env)?;
        let payload = expr.uses_payload();
        Ok(AclMatcher {
            terms: vec![(expr, Pats::build(acl, env)?)],
            payload,
        })
    }

    fn compile_many(acls: &[&Acl], env: &CompileEnv<'_>) -> Result<Self, AclError> {
        let mut terms = Vec::with_capacity(acls.len());
        let mut payload = false;
        for a in acls {
            let e = Expr::compile(&a.sample, env)?;
            payload |= e.uses_payload();
            terms.push((e, Pats::build(a, env)?));
        }
        Ok(AclMatcher { terms, payload })
    }

    pub(super) fn eval(&self, ctx: &Ctx<'_>) -> bool {
        self.terms
            .iter()
            .any(|(e, m)| e.each(ctx, &mut |v| m.matches(&v)))
    }

    pub(super) fn uses_payload(&self) -> bool {
        self.payload
    }

    /// Three-valued evaluation (HAProxy's ACL_TEST_PASS/MISS/FAIL in `acl_exec_cond()`):
    /// while more payload may come, a payload fetch that fails for lack of bytes is a MISS
    /// (`None`), and so is a non-matching `req.len` (its value may still grow). A fetch that
    /// did return a value which does not match is a plain FAIL.
    pub(super) fn eval3(&self, ctx: &Ctx<'_>) -> Option<bool> {
        let mut miss = false;
        for (e, m) in &self.terms {
            let mut produced = false;
            if e.each(ctx, &mut |v| {
                produced = true;
                m.matches(&v)
            }) {
                return Some(true);
            }
            if !ctx.payload_final
                && ((!produced && e.uses_payload() && !e.failed_for_good(ctx.payload))
                    || (produced && e.may_grow()))
            {
                miss = true;
            }
        }
        if miss { None } else { Some(false) }
    }
}

/// HAProxy 2.6's predefined ACLs (`acl.c`, `default_acl_list`).
fn predefined(name: &str) -> Option<Acl> {
    let (fetch, args, method, pats): (&str, &[&str], MatchMethod, Vec<Pattern>) = match name {
        "TRUE" => ("always_true", &[], MatchMethod::Bool, vec![]),
        "FALSE" => ("always_false", &[], MatchMethod::Bool, vec![]),
        "LOCALHOST" => (
            "src",
            &[],
            MatchMethod::Ip,
            vec![Pattern::Ip {
                addr: IpAddr::V4([127, 0, 0, 1].into()),
                prefix: 8,
            }],
        ),
        "HTTP" => ("req.proto_http", &[], MatchMethod::Bool, vec![]),
        "HTTP_1.0" | "HTTP_1.1" | "HTTP_2.0" | "HTTP_3.0" => (
            "req.ver",
            &[],
            MatchMethod::Str,
            vec![Pattern::Str(name["HTTP_".len()..].into())],
        ),
        "METH_GET" => (
            "method",
            &[],
            MatchMethod::Meth,
            vec![Pattern::Str("GET".into()), Pattern::Str("HEAD".into())],
        ),
        n if n.starts_with("METH_")
            && matches!(
                &n[5..],
                "CONNECT" | "DELETE" | "HEAD" | "OPTIONS" | "POST" | "PUT" | "TRACE"
            ) =>
        {
            (
                "method",
                &[],
                MatchMethod::Meth,
                vec![Pattern::Str(n[5..].into())],
            )
        }
        "HTTP_URL_ABS" => (
            "url",
            &[],
            MatchMethod::Reg,
            vec![Pattern::Regex("^[^/:]*://".into())],
        ),
        "HTTP_URL_SLASH" => ("url", &[], MatchMethod::Beg, vec![Pattern::Str("/".into())]),
        "HTTP_URL_STAR" => ("url", &[], MatchMethod::Str, vec![Pattern::Str("*".into())]),
        "HTTP_CONTENT" => (
            "req.hdr_val",
            &["content-length"],
            MatchMethod::Int,
            vec![Pattern::Int {
                min: Some(1),
                max: None,
            }],
        ),
        "RDP_COOKIE" => ("always_false", &[], MatchMethod::Bool, vec![]),
        "REQ_CONTENT" => (
            "req.len",
            &[],
            MatchMethod::Int,
            vec![Pattern::Int {
                min: Some(1),
                max: None,
            }],
        ),
        "WAIT_END" => ("wait_end", &[], MatchMethod::Bool, vec![]),
        _ => return None,
    };
    Some(Acl {
        name: name.into(),
        sample: Sample {
            text: fetch.into(),
            fetch: fetch.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            ..Sample::default()
        },
        method,
        patterns: pats,
        ..Acl::default()
    })
}

pub(super) fn compile_cond(c: &Condition, env: &CompileEnv<'_>) -> Result<CompiledCond, AclError> {
    let mut any_of = Vec::with_capacity(c.any_of.len());
    for and in &c.any_of {
        let mut terms = Vec::with_capacity(and.len());
        for t in and {
            let m = match &t.acl {
                AclRef::Anonymous(a) => AclMatcher::compile(a, env)?,
                AclRef::Named(n) => {
                    let lines: Vec<&Acl> = env.acls.iter().filter(|a| &a.name == n).collect();
                    if lines.is_empty() {
                        // A predefined name used without declaring it.
                        match predefined(n) {
                            Some(p) => AclMatcher::compile(&p, env)?,
                            None => return Err(AclError::UnknownAcl(n.clone())),
                        }
                    } else {
                        AclMatcher::compile_many(&lines, env)?
                    }
                }
                AclRef::Predefined(n) => {
                    let p = predefined(n).ok_or_else(|| AclError::UnknownPredefined(n.clone()))?;
                    AclMatcher::compile(&p, env)?
                }
            };
            terms.push((t.negate, Arc::new(CompiledAcl { inner: m })));
        }
        any_of.push(terms);
    }
    Ok(CompiledCond {
        unless: c.unless,
        any_of,
    })
}

impl CompiledCond {
    /// Like [`CompiledCond::eval`], but `None` when the answer depends on payload bytes that
    /// have not arrived yet (tcp-request content rules then wait, as HAProxy does).
    pub fn eval_partial(&self, ctx: &Ctx<'_>) -> Option<bool> {
        let mut any_miss = false;
        for and in &self.any_of {
            // AND: FAIL wins, then MISS, then PASS.
            let mut res = Some(true);
            for (neg, acl) in and {
                match acl.inner.eval3(ctx) {
                    Some(v) if v == *neg => {
                        res = Some(false);
                        break;
                    }
                    Some(_) => {}
                    None => res = None,
                }
            }
            match res {
                Some(true) => return Some(!self.unless),
                None => any_miss = true,
                Some(false) => {}
            }
        }
        if any_miss { None } else { Some(self.unless) }
    }

    /// Whether some ACL of the condition reads payload bytes (tcp-request content waits).
    pub fn uses_payload(&self) -> bool {
        self.any_of
            .iter()
            .flatten()
            .any(|(_, a)| a.inner.uses_payload())
    }
}

// ---------------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapOut {
    Str,
    Int,
    Ip,
}

#[derive(Debug, Clone)]
enum MapKeys {
    Str(HashMap<Box<[u8]>, usize>),
    Int(HashMap<i64, usize>),
    Ip(IpSet),
    Text(TextKind, Vec<Box<[u8]>>),
    Reg(Vec<Regex>, bool),
}

/// A map file for one `map_*` converter: compiled at start, and again at the first
/// lookup after a runtime change of its file's [`PatRef`] (`add map`, `set map`...).
#[derive(Debug)]
pub(super) struct MapTable {
    base: MapData,
    conv: String,
    args: Vec<String>,
    pref: Arc<PatRef>,
    cache: std::sync::Mutex<Option<(u64, Arc<MapData>)>>,
}

impl MapTable {
    pub(super) fn load(
        conv: &str,
        args: &[String],
        env: &CompileEnv<'_>,
    ) -> Result<Self, AclError> {
        let file = args.first().map(String::as_str).unwrap_or("");
        let lines = read_lines(file, env)?;
        let pref = patref::get_or_load(file, lines, Use::Map, true);
        let base = MapData::build(conv, args, pref.lines(true))?;
        Ok(MapTable {
            base,
            conv: conv.to_string(),
            args: args.to_vec(),
            pref,
            cache: std::sync::Mutex::new(None),
        })
    }

    pub(super) fn lookup<'c>(&'c self, v: &Value<'_>) -> Option<Value<'c>> {
        let generation = patref::generation();
        if generation == 0 {
            return self.base.lookup(v);
        }
        let data = {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match &*c {
                Some((g, d)) if *g == generation => d.clone(),
                _ => {
                    // an entry whose value does not fit the map's output type was
                    // added at run time: the map answers as configured
                    let d = MapData::build(&self.conv, &self.args, self.pref.lines(true))
                        .map(Arc::new)
                        .unwrap_or_else(|_| Arc::new(self.base.clone()));
                    *c = Some((generation, d.clone()));
                    d
                }
            }
        };
        data.lookup(v).map(Value::into_owned)
    }
}

/// The compiled keys and values of a map.
#[derive(Debug, Clone)]
struct MapData {
    keys: MapKeys,
    values: Vec<Value<'static>>,
    default: Option<Value<'static>>,
}

impl MapData {
    fn build(conv: &str, args: &[String], lines: Vec<String>) -> Result<Self, AclError> {
        let rest = conv.strip_prefix("map").unwrap_or("");
        let rest = rest.strip_prefix('_').unwrap_or(rest);
        let mut parts = rest.splitn(2, '_');
        let m = parts.next().filter(|s| !s.is_empty()).unwrap_or("str");
        let out = match parts.next() {
            Some("int") => MapOut::Int,
            Some("ip") => MapOut::Ip,
            _ => MapOut::Str,
        };
        let file = args.first().map(String::as_str).unwrap_or("");
        let bad = |s: &str| AclError::BadArg {
            what: conv.into(),
            msg: format!("invalid map entry '{s}' in '{file}'"),
        };
        let to_value = |s: &str| -> Result<Value<'static>, AclError> {
            Ok(match out {
                MapOut::Str => Value::Str(Cow::Owned(s.as_bytes().to_vec())),
                MapOut::Int => Value::Int(s.trim().parse().map_err(|_| bad(s))?),
                MapOut::Ip => Value::Addr(s.trim().parse().map_err(|_| bad(s))?),
            })
        };
        let mut values = Vec::with_capacity(lines.len());
        let mut str_keys = HashMap::new();
        let mut int_keys = HashMap::new();
        let mut ip_keys = IpSet::default();
        let mut text_keys = Vec::new();
        let mut re_keys = Vec::new();
        for l in &lines {
            // Key up to the first blank; the value after the blanks, trailing ones kept.
            let (k, v) = match l.find([' ', '\t']) {
                Some(i) => (&l[..i], l[i..].trim_start_matches([' ', '\t'])),
                None => (l.as_str(), ""),
            };
            let idx = values.len();
            match m {
                "str" => {
                    str_keys.entry(k.as_bytes().into()).or_insert(idx);
                }
                "int" => {
                    let n: i64 = k.parse().map_err(|_| bad(k))?;
                    int_keys.entry(n).or_insert(idx);
                }
                "ip" => {
                    let (a, p) = parse_net(k).ok_or_else(|| bad(k))?;
                    ip_keys.push(a, p);
                }
                "reg" | "regm" => re_keys.push(regex(k, false)?),
                "beg" | "end" | "sub" | "dir" | "dom" => text_keys.push(k.as_bytes().into()),
                other => return Err(AclError::UnsupportedConverter(format!("map_{other}"))),
            }
            values.push(to_value(v)?);
        }
        let keys = match m {
            "str" => MapKeys::Str(str_keys),
            "int" => MapKeys::Int(int_keys),
            "ip" => MapKeys::Ip(ip_keys),
            "reg" => MapKeys::Reg(re_keys, false),
            "regm" => MapKeys::Reg(re_keys, true),
            t => MapKeys::Text(
                match t {
                    "beg" => TextKind::Beg,
                    "end" => TextKind::End,
                    "sub" => TextKind::Sub,
                    "dir" => TextKind::Dir,
                    _ => TextKind::Dom,
                },
                text_keys,
            ),
        };
        let default = match args.get(1) {
            Some(d) => Some(to_value(d)?),
            None => None,
        };
        Ok(MapData {
            keys,
            values,
            default,
        })
    }

    fn lookup<'c>(&'c self, v: &Value<'_>) -> Option<Value<'c>> {
        let idx = match &self.keys {
            MapKeys::Str(h) => h.get(v.to_bytes().as_ref()).copied(),
            MapKeys::Int(h) => v.as_int().and_then(|n| h.get(&n).copied()),
            MapKeys::Ip(set) => v.as_addr().and_then(|a| set.best(a)),
            MapKeys::Text(kind, keys) => {
                let b = v.to_bytes();
                keys.iter().position(|k| text_match(*kind, &b, k, false))
            }
            MapKeys::Reg(res, subst) => {
                let b = v.to_bytes();
                for (i, r) in res.iter().enumerate() {
                    if let Some(caps) = r.captures(&b) {
                        if *subst {
                            let tmpl = self.values.get(i)?.to_bytes();
                            let mut out = Vec::new();
                            super::conv::expand_backrefs(&tmpl, &caps, &mut out);
                            return Some(Value::Str(Cow::Owned(out)));
                        }
                        return self.values.get(i).map(Value::reborrow);
                    }
                }
                None
            }
        };
        match idx {
            Some(i) => self.values.get(i).map(Value::reborrow),
            None => self.default.as_ref().map(Value::reborrow),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TLS ClientHello
// ---------------------------------------------------------------------------------------------

/// The server name of a TLS ClientHello at the start of `p` (HAProxy's `req.ssl_sni`).
pub(crate) fn client_hello_sni(p: &[u8]) -> Option<&[u8]> {
    // Record header: handshake (22), version, length.
    if *p.first()? != 0x16 {
        return None;
    }
    let rec_len = usize::from(u16::from_be_bytes([*p.get(3)?, *p.get(4)?]));
    let rec = p.get(5..5 + rec_len)?;
    if *rec.first()? != 0x01 {
        return None;
    }
    let hs_len = (usize::from(*rec.get(1)?) << 16)
        | (usize::from(*rec.get(2)?) << 8)
        | usize::from(*rec.get(3)?);
    let hs = rec.get(4..4 + hs_len)?;
    // client_version(2) random(32)
    let mut i = 34;
    let sid = usize::from(*hs.get(i)?);
    i += 1 + sid;
    let cs = usize::from(u16::from_be_bytes([*hs.get(i)?, *hs.get(i + 1)?]));
    i += 2 + cs;
    let comp = usize::from(*hs.get(i)?);
    i += 1 + comp;
    let ext_len = usize::from(u16::from_be_bytes([*hs.get(i)?, *hs.get(i + 1)?]));
    i += 2;
    let exts = hs.get(i..i + ext_len)?;
    let mut j = 0;
    while j + 4 <= exts.len() {
        let t = u16::from_be_bytes([exts[j], exts[j + 1]]);
        let l = usize::from(u16::from_be_bytes([exts[j + 2], exts[j + 3]]));
        let data = exts.get(j + 4..j + 4 + l)?;
        if t == 0 {
            // server_name_list: len(2), then type(1) len(2) name.
            let mut k = 2;
            while k + 3 <= data.len() {
                let nt = data[k];
                let nl = usize::from(u16::from_be_bytes([data[k + 1], data[k + 2]]));
                let name = data.get(k + 3..k + 3 + nl)?;
                if nt == 0 {
                    return Some(name);
                }
                k += 3 + nl;
            }
            return None;
        }
        j += 4 + l;
    }
    None
}
