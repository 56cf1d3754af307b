//! Converters.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use regex::bytes::Regex;

mod digest;
mod enc;
mod timefmt;

use super::pattern::{MapTable, parse_mask};
use super::{AclError, CompileEnv, Ctx, Scope, Value};
use crate::proxy::balance::hash;

/// An integer operand: a constant or a variable (`add(txn.x)`).
#[derive(Debug, Clone)]
pub(super) enum IntArg {
    Const(i64),
    Var(Scope, Box<str>),
}

impl IntArg {
    fn parse(s: &str) -> IntArg {
        if let Ok(n) = s.trim().parse() {
            return IntArg::Const(n);
        }
        match super::split_var(s) {
            Some((scope, v)) => IntArg::Var(scope, v.into()),
            None => IntArg::Const(0),
        }
    }

    fn get(&self, ctx: &Ctx<'_>) -> Option<i64> {
        match self {
            IntArg::Const(n) => Some(*n),
            IntArg::Var(s, n) => ctx.vars.get_in(*s, n).and_then(|v| v.as_int()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
    Xor,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum HashFn {
    Djb2,
    Sdbm,
    Wt6,
    Crc32,
}

#[derive(Debug, Clone)]
pub(super) enum Conv {
    Lower,
    Upper,
    Length,
    Base64,
    B64Dec,
    Hex,
    Hex2i,
    Ipmask(u32, Option<u128>),
    Json(enc::JsonIn),
    Bytes(usize, Option<usize>),
    Field {
        index: i64,
        delims: Box<[u8]>,
        count: i64,
        word: bool,
    },
    Regsub {
        re: Regex,
        subst: Box<[u8]>,
        global: bool,
    },
    Arith(Arith, IntArg),
    Neg,
    Not,
    Bool,
    Cpl,
    Even,
    Odd,
    Concat {
        start: Box<[u8]>,
        var: Option<(Scope, Box<str>)>,
        end: Box<[u8]>,
    },
    Hash(HashFn, bool),
    Map(Arc<MapTable>),
    Ltrim(Box<[u8]>),
    Rtrim(Box<[u8]>),
    /// `url_dec([in_form])`: with `in_form`, `+` is a space everywhere.
    UrlDec(bool),
    HostOnly,
    PortOnly,
    Iif(Box<[u8]>, Box<[u8]>),
    Strcmp(Scope, Box<str>),
    Table {
        table: Box<str>,
        data: Box<str>,
    },
    Nbsrv,
    Digest(digest::Alg),
    /// `hmac(alg,key)`: the key is base64, written out or in a variable.
    Hmac(digest::Alg, StrArg),
    SecureMemcmp(Scope, Box<str>),
    Crc32c(bool),
    Xxh32(u32),
    Xxh64(u64),
    Xxh3(u64),
    Be2 {
        sep: Box<[u8]>,
        chunk: usize,
        truncate: bool,
        hex: bool,
    },
    Htonl,
    CutCrlf,
    Ub64Enc,
    Ub64Dec,
    UrlEnc,
    AddItem {
        delim: Box<[u8]>,
        var: Option<(Scope, Box<str>)>,
        suffix: Box<[u8]>,
    },
    InTable(Box<str>),
    HttpDate {
        offset: i64,
        unit: u32,
    },
    Time {
        fmt: Box<str>,
        offset: i64,
        local: bool,
    },
    Language {
        values: Vec<Box<[u8]>>,
        default: Option<Box<[u8]>>,
    },
    JsonQuery {
        path: Vec<enc::Step>,
        int: bool,
    },
    /// `debug`, `str`/`int` casts written as converters: no change.
    Identity,
    ToInt,
    ToStr,
}

/// A string operand: a constant or a variable (`hmac(sha256,txn.key)`).
#[derive(Debug, Clone)]
pub(super) enum StrArg {
    Const(Box<[u8]>),
    Var(Scope, Box<str>),
}

impl StrArg {
    fn parse(s: &str) -> StrArg {
        match super::split_var(s) {
            Some((scope, v)) => StrArg::Var(scope, v.into()),
            None => StrArg::Const(s.as_bytes().into()),
        }
    }

    fn get<'c>(&'c self, ctx: &Ctx<'c>) -> Option<Cow<'c, [u8]>> {
        match self {
            StrArg::Const(b) => Some(Cow::Borrowed(b)),
            StrArg::Var(s, n) => Some(Cow::Owned(ctx.vars.get_in(*s, n)?.to_bytes().into_owned())),
        }
    }
}

fn arg(args: &[String], i: usize) -> &str {
    args.get(i).map(String::as_str).unwrap_or("")
}

fn bad(what: &str, msg: impl Into<String>) -> AclError {
    AclError::BadArg {
        what: what.into(),
        msg: msg.into(),
    }
}

impl Conv {
    pub(super) fn compile(
        name: &str,
        args: &[String],
        env: &CompileEnv<'_>,
    ) -> Result<Self, AclError> {
        let int = |i: usize| -> Result<i64, AclError> {
            arg(args, i)
                .trim()
                .parse()
                .map_err(|_| bad(name, format!("'{}' is not an integer", arg(args, i))))
        };
        let hash_fn = |h| {
            Ok::<_, AclError>(Conv::Hash(
                h,
                args.first()
                    .is_some_and(|a| a.trim() != "0" && !a.is_empty()),
            ))
        };
        Ok(match name {
            "lower" => Conv::Lower,
            "upper" => Conv::Upper,
            "length" => Conv::Length,
            "base64" => Conv::Base64,
            "b64dec" => Conv::B64Dec,
            "hex" => Conv::Hex,
            "hex2i" => Conv::Hex2i,
            "ipmask" => {
                let m4 = parse_mask(arg(args, 0), false)
                    .ok_or_else(|| bad(name, "invalid IPv4 mask"))?;
                let m6 = match args.get(1) {
                    Some(m) => Some(
                        m.trim()
                            .parse::<u32>()
                            .ok()
                            .filter(|n| *n <= 128)
                            .map(|n| if n == 0 { 0 } else { u128::MAX << (128 - n) })
                            .ok_or_else(|| bad(name, "invalid IPv6 mask"))?,
                    ),
                    None => None,
                };
                Conv::Ipmask(m4, m6)
            }
            "json" => Conv::Json(
                enc::JsonIn::parse(arg(args, 0))
                    .ok_or_else(|| bad(name, format!("unknown input code '{}'", arg(args, 0))))?,
            ),
            "bytes" => {
                let off = usize::try_from(int(0)?).map_err(|_| bad(name, "negative offset"))?;
                let len = match args.get(1) {
                    Some(_) => {
                        Some(usize::try_from(int(1)?).map_err(|_| bad(name, "negative length"))?)
                    }
                    None => None,
                };
                Conv::Bytes(off, len)
            }
            "field" | "word" => Conv::Field {
                index: int(0)?,
                delims: arg(args, 1).as_bytes().into(),
                count: if args.len() > 2 { int(2)? } else { 1 },
                word: name == "word",
            },
            "regsub" => {
                let flags = arg(args, 2);
                let pat = arg(args, 0);
                let src = if flags.contains('i') {
                    format!("(?i){pat}")
                } else {
                    pat.to_string()
                };
                let re = Regex::new(&src).map_err(|e| AclError::Regex {
                    re: pat.into(),
                    msg: e.to_string(),
                })?;
                Conv::Regsub {
                    re,
                    subst: arg(args, 1).as_bytes().into(),
                    global: flags.contains('g'),
                }
            }
            "add" => Conv::Arith(Arith::Add, IntArg::parse(arg(args, 0))),
            "sub" => Conv::Arith(Arith::Sub, IntArg::parse(arg(args, 0))),
            "mul" => Conv::Arith(Arith::Mul, IntArg::parse(arg(args, 0))),
            "div" => Conv::Arith(Arith::Div, IntArg::parse(arg(args, 0))),
            "mod" => Conv::Arith(Arith::Mod, IntArg::parse(arg(args, 0))),
            "and" => Conv::Arith(Arith::And, IntArg::parse(arg(args, 0))),
            "or" => Conv::Arith(Arith::Or, IntArg::parse(arg(args, 0))),
            "xor" => Conv::Arith(Arith::Xor, IntArg::parse(arg(args, 0))),
            "neg" => Conv::Neg,
            "not" => Conv::Not,
            "bool" => Conv::Bool,
            "cpl" => Conv::Cpl,
            "even" => Conv::Even,
            "odd" => Conv::Odd,
            "concat" => Conv::Concat {
                start: arg(args, 0).as_bytes().into(),
                var: args
                    .get(1)
                    .filter(|v| !v.is_empty())
                    .and_then(|v| super::split_var(v))
                    .map(|(s, n)| (s, n.into())),
                end: arg(args, 2).as_bytes().into(),
            },
            "djb2" => hash_fn(HashFn::Djb2)?,
            "sdbm" => hash_fn(HashFn::Sdbm)?,
            "wt6" => hash_fn(HashFn::Wt6)?,
            "crc32" => hash_fn(HashFn::Crc32)?,
            n if n == "map" || n.starts_with("map_") => {
                Conv::Map(Arc::new(MapTable::load(n, args, env)?))
            }
            "ltrim" => Conv::Ltrim(arg(args, 0).as_bytes().into()),
            "rtrim" => Conv::Rtrim(arg(args, 0).as_bytes().into()),
            "url_dec" => Conv::UrlDec(
                args.first()
                    .is_some_and(|a| a.trim().parse::<i64>().is_ok_and(|n| n != 0)),
            ),
            "host_only" => Conv::HostOnly,
            "port_only" => Conv::PortOnly,
            "iif" => Conv::Iif(
                arg(args, 0).as_bytes().into(),
                arg(args, 1).as_bytes().into(),
            ),
            "strcmp" => {
                let (s, n) = super::split_var(arg(args, 0))
                    .ok_or_else(|| bad(name, "invalid variable name"))?;
                Conv::Strcmp(s, n.into())
            }
            n if n.starts_with("table_") => Conv::Table {
                table: arg(
                    args,
                    if n == "table_gpc" || n == "table_gpc_rate" || n == "table_gpt" {
                        1
                    } else {
                        0
                    },
                )
                .into(),
                data: n["table_".len()..].into(),
            },
            "nbsrv" => Conv::Nbsrv,
            "sha1" => Conv::Digest(digest::Alg::Sha1),
            "sha2" => Conv::Digest(
                digest::Alg::sha2(if args.is_empty() { 256 } else { int(0)? })
                    .ok_or_else(|| bad(name, "Unsupported number of bits"))?,
            ),
            "digest" => Conv::Digest(
                digest::Alg::from_name(arg(args, 0))
                    .ok_or_else(|| bad(name, format!("unknown digest '{}'", arg(args, 0))))?,
            ),
            "hmac" => Conv::Hmac(
                digest::Alg::from_name(arg(args, 0))
                    .ok_or_else(|| bad(name, format!("unknown digest '{}'", arg(args, 0))))?,
                StrArg::parse(arg(args, 1)),
            ),
            "secure_memcmp" => {
                let (s, n) = super::split_var(arg(args, 0))
                    .ok_or_else(|| bad(name, "invalid variable name"))?;
                Conv::SecureMemcmp(s, n.into())
            }
            "crc32c" => Conv::Crc32c(
                args.first()
                    .is_some_and(|a| a.trim() != "0" && !a.is_empty()),
            ),
            "xxh32" => Conv::Xxh32(if args.is_empty() { 0 } else { int(0)? as u32 }),
            "xxh64" => Conv::Xxh64(if args.is_empty() { 0 } else { int(0)? as u64 }),
            "xxh3" => Conv::Xxh3(if args.is_empty() { 0 } else { int(0)? as u64 }),
            "be2dec" | "be2hex" => {
                let hex = name == "be2hex";
                let chunk = match args.get(1).map(|a| a.trim()) {
                    None | Some("") if hex => 0,
                    _ => usize::try_from(int(1)?)
                        .ok()
                        .filter(|c| (1..=8).contains(c) || (hex && *c > 0))
                        .ok_or_else(|| bad(name, "chunk size out of range"))?,
                };
                Conv::Be2 {
                    sep: arg(args, 0).as_bytes().into(),
                    chunk,
                    truncate: args
                        .get(2)
                        .is_some_and(|a| a.trim() != "0" && !a.is_empty()),
                    hex,
                }
            }
            "htonl" => Conv::Htonl,
            "cut_crlf" => Conv::CutCrlf,
            "ub64enc" => Conv::Ub64Enc,
            "ub64dec" => Conv::Ub64Dec,
            "url_enc" => match arg(args, 0) {
                "" | "query" => Conv::UrlEnc,
                other => return Err(bad(name, format!("unexpected encoding type '{other}'"))),
            },
            "add_item" => {
                if args.is_empty() {
                    return Err(bad(
                        name,
                        "missing arguments (got 1/2), type 'string' expected",
                    ));
                }
                Conv::AddItem {
                    delim: arg(args, 0).as_bytes().into(),
                    var: super::split_var(arg(args, 1)).map(|(s, n)| (s, n.into())),
                    suffix: arg(args, 2).as_bytes().into(),
                }
            }
            "in_table" => Conv::InTable(arg(args, 0).into()),
            "http_date" => Conv::HttpDate {
                offset: if arg(args, 0).trim().is_empty() {
                    0
                } else {
                    int(0)?
                },
                unit: match arg(args, 1) {
                    "" | "s" => 1,
                    "ms" => 1000,
                    "us" => 1_000_000,
                    other => return Err(bad(name, format!("unexpected unit '{other}'"))),
                },
            },
            "utime" | "ltime" => Conv::Time {
                fmt: arg(args, 0).into(),
                offset: if arg(args, 1).trim().is_empty() {
                    0
                } else {
                    int(1)?
                },
                local: name == "ltime",
            },
            "language" => Conv::Language {
                values: arg(args, 0)
                    .split(';')
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_bytes().into())
                    .collect(),
                default: args.get(1).map(|d| d.as_bytes().into()),
            },
            "json_query" => Conv::JsonQuery {
                path: enc::parse_path(arg(args, 0))
                    .ok_or_else(|| bad(name, format!("invalid json path '{}'", arg(args, 0))))?,
                int: match arg(args, 1) {
                    "" => false,
                    "int" => true,
                    other => return Err(bad(name, format!("unexpected output type '{other}'"))),
                },
            },
            "debug" => Conv::Identity,
            "int" => Conv::ToInt,
            "str" => Conv::ToStr,
            other => return Err(AclError::UnsupportedConverter(other.into())),
        })
    }

    /// Converters whose input is a string: a binary sample is cast first, and HAProxy's
    /// bin-to-string cast ends the string at the first NUL byte (`str(...),b64dec,length`
    /// of bytes starting with 0 is 0).
    fn takes_str(&self) -> bool {
        matches!(
            self,
            Conv::Lower
                | Conv::Upper
                | Conv::Length
                | Conv::Json(_)
                | Conv::Field { .. }
                | Conv::Regsub { .. }
                | Conv::Ltrim(_)
                | Conv::Rtrim(_)
                | Conv::UrlDec(_)
                | Conv::UrlEnc
                | Conv::HostOnly
                | Conv::PortOnly
                | Conv::Strcmp(..)
                | Conv::Concat { .. }
                | Conv::AddItem { .. }
                | Conv::CutCrlf
                | Conv::Language { .. }
        )
    }

    pub(super) fn apply<'c>(&'c self, ctx: &Ctx<'c>, v: Value<'c>) -> Option<Value<'c>> {
        let v = match v {
            Value::Bin(b) if self.takes_str() => {
                let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
                sub_cow(b, 0, end)
            }
            v => v,
        };
        Some(match self {
            Conv::Lower | Conv::Upper => {
                let mut s = v.into_bytes();
                let lower = matches!(self, Conv::Lower);
                let needs = s.iter().any(|b| {
                    if lower {
                        b.is_ascii_uppercase()
                    } else {
                        b.is_ascii_lowercase()
                    }
                });
                if needs {
                    let o = s.to_mut();
                    if lower {
                        o.make_ascii_lowercase()
                    } else {
                        o.make_ascii_uppercase()
                    }
                }
                Value::Str(s)
            }
            Conv::Length => Value::Int(i64::try_from(v.into_bytes().len()).unwrap_or(i64::MAX)),
            Conv::Base64 => Value::Str(Cow::Owned(b64_encode(&v.into_bytes()))),
            Conv::B64Dec => Value::Bin(Cow::Owned(b64_decode(&v.into_bytes())?)),
            Conv::Hex => {
                let b = v.into_bytes();
                let mut out = Vec::with_capacity(b.len() * 2);
                for x in b.iter() {
                    out.extend_from_slice(format!("{x:02X}").as_bytes());
                }
                Value::Str(Cow::Owned(out))
            }
            Conv::Hex2i => {
                let b = v.into_bytes();
                let s = std::str::from_utf8(&b).ok()?;
                Value::Int(i64::from_str_radix(s.trim(), 16).ok()?)
            }
            Conv::Ipmask(m4, m6) => match v.as_addr()? {
                IpAddr::V4(a) => Value::Addr(IpAddr::V4((u32::from(a) & m4).into())),
                IpAddr::V6(a) => {
                    let m6 = (*m6)?;
                    Value::Addr(IpAddr::V6((u128::from(a) & m6).into()))
                }
            },
            Conv::Json(mode) => Value::Str(Cow::Owned(enc::json(&v.into_bytes(), *mode)?)),
            Conv::Bytes(off, len) => {
                let b = match v {
                    Value::Str(s) | Value::Bin(s) => s,
                    other => Cow::Owned(other.to_bytes().into_owned()),
                };
                if *off >= b.len() {
                    return None;
                }
                let end = match len {
                    Some(l) => off.saturating_add(*l).min(b.len()),
                    None => b.len(),
                };
                match b {
                    Cow::Borrowed(s) => Value::Bin(Cow::Borrowed(&s[*off..end])),
                    Cow::Owned(s) => Value::Bin(Cow::Owned(s[*off..end].to_vec())),
                }
            }
            Conv::Field {
                index,
                delims,
                count,
                word,
            } => {
                let b = v.into_bytes();
                let r = field(&b, *index, delims, *count, *word)?;
                match b {
                    Cow::Borrowed(s) => Value::Str(Cow::Borrowed(&s[r])),
                    Cow::Owned(s) => Value::Str(Cow::Owned(s[r].to_vec())),
                }
            }
            Conv::Regsub { re, subst, global } => {
                let b = v.into_bytes();
                Value::Str(Cow::Owned(regsub(re, &b, subst, *global)))
            }
            Conv::Arith(op, a) => {
                let x = v.as_int()?;
                let y = a.get(ctx)?;
                Value::Int(match op {
                    Arith::Add => x.saturating_add(y),
                    Arith::Sub => x.saturating_sub(y),
                    Arith::Mul => x.saturating_mul(y),
                    // HAProxy: division by zero gives the largest value of the sign.
                    Arith::Div => {
                        if y == 0 {
                            if x < 0 { i64::MIN } else { i64::MAX }
                        } else {
                            x.wrapping_div(y)
                        }
                    }
                    Arith::Mod => {
                        if y == 0 {
                            0
                        } else {
                            x.wrapping_rem(y)
                        }
                    }
                    Arith::And => x & y,
                    Arith::Or => x | y,
                    Arith::Xor => x ^ y,
                })
            }
            Conv::Neg => Value::Int(v.as_int()?.wrapping_neg()),
            Conv::Not => Value::Bool(v.as_int()? == 0),
            Conv::Bool => Value::Bool(v.as_int()? != 0),
            Conv::Cpl => Value::Int(!v.as_int()?),
            Conv::Even => Value::Bool(v.as_int()? & 1 == 0),
            Conv::Odd => Value::Bool(v.as_int()? & 1 == 1),
            Conv::Concat { start, var, end } => {
                let mut out = v.into_bytes().into_owned();
                out.extend_from_slice(start);
                if let Some((s, n)) = var
                    && let Some(val) = ctx.vars.get_in(*s, n)
                {
                    out.extend_from_slice(&val.to_bytes());
                }
                out.extend_from_slice(end);
                Value::Str(Cow::Owned(out))
            }
            Conv::Hash(h, avalanche) => {
                let b = v.to_bytes();
                let mut x = match h {
                    HashFn::Djb2 => hash::djb2(&b),
                    HashFn::Sdbm => hash::sdbm(&b),
                    HashFn::Wt6 => hash::wt6(&b),
                    HashFn::Crc32 => hash::crc32(&b),
                };
                if *avalanche {
                    x = hash::full_hash(x);
                }
                Value::Int(i64::from(x))
            }
            Conv::Map(m) => return m.lookup(&v),
            Conv::Ltrim(set) => {
                let b = v.into_bytes();
                let start = b.iter().position(|c| !set.contains(c)).unwrap_or(b.len());
                sub_cow(b, start, usize::MAX)
            }
            Conv::Rtrim(set) => {
                let b = v.into_bytes();
                let end = b
                    .iter()
                    .rposition(|c| !set.contains(c))
                    .map_or(0, |i| i + 1);
                sub_cow(b, 0, end)
            }
            Conv::UrlDec(form) => Value::Str(Cow::Owned(url_decode(&v.into_bytes(), *form)?)),
            Conv::HostOnly => {
                let b = v.into_bytes();
                let end = host_end(&b);
                sub_cow(b, 0, end)
            }
            Conv::PortOnly => {
                let b = v.into_bytes();
                let end = host_end(&b);
                let port = b.get(end + 1..).unwrap_or(&[]);
                Value::Int(super::sample::parse_int_prefix(port).unwrap_or(0))
            }
            Conv::Iif(t, f) => {
                if v.as_bool()? {
                    Value::Str(Cow::Borrowed(t))
                } else {
                    Value::Str(Cow::Borrowed(f))
                }
            }
            Conv::Strcmp(s, n) => {
                let other = ctx.vars.get_in(*s, n)?.to_bytes().into_owned();
                let b = v.into_bytes();
                Value::Int(match b.as_ref().cmp(other.as_slice()) {
                    std::cmp::Ordering::Less => -1,
                    std::cmp::Ordering::Equal => 0,
                    std::cmp::Ordering::Greater => 1,
                })
            }
            Conv::Table { table, data } => {
                Value::Int(ctx.tables?.key_fetch(table, &v, data, ctx.now_ms)?)
            }
            Conv::Nbsrv => {
                let b = v.into_bytes();
                let name = std::str::from_utf8(&b).ok()?;
                Value::Int(ctx.state?.nbsrv(name)?)
            }
            Conv::Digest(a) => Value::Bin(Cow::Owned(a.digest(&v.to_bytes()))),
            Conv::Hmac(a, key) => {
                let key = b64_decode(&key.get(ctx)?)?;
                Value::Bin(Cow::Owned(a.hmac(&key, &v.to_bytes())))
            }
            Conv::SecureMemcmp(s, n) => {
                let other = ctx.vars.get_in(*s, n)?.to_bytes().into_owned();
                Value::Bool(digest::ct_eq(&v.to_bytes(), &other))
            }
            Conv::Crc32c(avalanche) => {
                let x = digest::crc32c(&v.to_bytes());
                Value::Int(i64::from(if *avalanche { hash::full_hash(x) } else { x }))
            }
            Conv::Xxh32(seed) => Value::Int(i64::from(digest::xxh32(&v.to_bytes(), *seed))),
            // HAProxy returns the 64-bit hashes as signed integers.
            Conv::Xxh64(seed) => Value::Int(digest::xxh64(&v.to_bytes(), *seed) as i64),
            Conv::Xxh3(seed) => Value::Int(digest::xxh3(&v.to_bytes(), *seed) as i64),
            Conv::Be2 {
                sep,
                chunk,
                truncate,
                hex,
            } => Value::Str(Cow::Owned(enc::be2(
                &v.to_bytes(),
                sep,
                *chunk,
                *truncate,
                *hex,
            ))),
            Conv::Htonl => Value::Bin(Cow::Owned((v.as_int()? as u32).to_be_bytes().to_vec())),
            Conv::CutCrlf => {
                let b = v.into_bytes();
                let end = b
                    .iter()
                    .position(|c| *c == b'\r' || *c == b'\n')
                    .unwrap_or(b.len());
                sub_cow(b, 0, end)
            }
            Conv::Ub64Enc => Value::Str(Cow::Owned(enc::ub64enc(&v.to_bytes()))),
            Conv::Ub64Dec => Value::Bin(Cow::Owned(enc::ub64dec(&v.to_bytes())?)),
            Conv::UrlEnc => Value::Str(Cow::Owned(enc::url_enc(&v.to_bytes()))),
            Conv::AddItem { delim, var, suffix } => {
                let mut out = v.into_bytes().into_owned();
                let val = var
                    .as_ref()
                    .and_then(|(s, n)| ctx.vars.get_in(*s, n))
                    .map(|x| x.to_bytes().into_owned())
                    .unwrap_or_default();
                if !out.is_empty() && (!val.is_empty() || !suffix.is_empty()) {
                    out.extend_from_slice(delim);
                }
                out.extend_from_slice(&val);
                out.extend_from_slice(suffix);
                Value::Str(Cow::Owned(out))
            }
            Conv::InTable(t) => {
                Value::Bool(ctx.tables?.key_fetch(t, &v, "in_table", ctx.now_ms)? != 0)
            }
            Conv::HttpDate { offset, unit } => Value::Str(Cow::Owned(
                timefmt::http_date(v.as_int()?, *offset, *unit).into_bytes(),
            )),
            Conv::Time { fmt, offset, local } => {
                let secs = v.as_int()?.saturating_add(*offset);
                let (off, zone) = if *local {
                    let off = crate::proxy::log::tz::offset_at(secs);
                    (off, if off == 0 { "UTC" } else { "" })
                } else {
                    (0, "GMT")
                };
                Value::Str(Cow::Owned(
                    timefmt::strftime(fmt, secs, off, zone).into_bytes(),
                ))
            }
            Conv::Language { values, default } => {
                let b = v.into_bytes();
                match enc::language(&b, values) {
                    Some(l) => Value::Str(Cow::Owned(l.to_vec())),
                    None => Value::Str(Cow::Owned(default.as_deref()?.to_vec())),
                }
            }
            Conv::JsonQuery { path, int } => match enc::json_query(&v.to_bytes(), path, *int)? {
                enc::JsonOut::Str(s) => Value::Str(Cow::Owned(s.into_bytes())),
                enc::JsonOut::Int(i) => Value::Int(i),
                enc::JsonOut::Bool(b) => Value::Bool(b),
            },
            Conv::Identity => v,
            Conv::ToInt => Value::Int(v.as_int()?),
            Conv::ToStr => v.into_str(),
        })
    }
}

fn sub_cow(b: Cow<'_, [u8]>, start: usize, end: usize) -> Value<'_> {
    let end = end.min(b.len());
    let start = start.min(end);
    match b {
        Cow::Borrowed(s) => Value::Str(Cow::Borrowed(&s[start..end])),
        Cow::Owned(s) => Value::Str(Cow::Owned(s[start..end].to_vec())),
    }
}

/// End of the host part of `host[:port]` / `[v6]:port`.
fn host_end(b: &[u8]) -> usize {
    if b.first() == Some(&b'[') {
        return b.iter().position(|c| *c == b']').map_or(b.len(), |i| i + 1);
    }
    b.iter().position(|c| *c == b':').unwrap_or(b.len())
}

/// HAProxy's `field`/`word`: 1-based `index` (negative counts from the end), `count` fields
/// (0 = all the rest). `word` skips empty fields.
fn field(
    b: &[u8],
    index: i64,
    delims: &[u8],
    count: i64,
    word: bool,
) -> Option<std::ops::Range<usize>> {
    // Field boundaries.
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if delims.contains(c) {
            fields.push((start, i));
            start = i + 1;
        }
    }
    fields.push((start, b.len()));
    if word {
        fields.retain(|(s, e)| e > s);
    }
    let n = i64::try_from(fields.len()).ok()?;
    if index == 0 || index.unsigned_abs() > n.unsigned_abs() {
        return None;
    }
    let (first, last) = if index > 0 {
        let first = index - 1;
        let last = if count <= 0 {
            n - 1
        } else {
            (first + count - 1).min(n - 1)
        };
        (first, last)
    } else {
        let last = n + index;
        let first = if count <= 0 {
            0
        } else {
            (last - count + 1).max(0)
        };
        (first, last)
    };
    let (s, _) = fields[usize::try_from(first).ok()?];
    let (_, e) = fields[usize::try_from(last).ok()?];
    Some(s..e)
}

/// Replaces matches of `re` in `b` by `subst` (`\0`-`\9` are groups).
fn regsub(re: &Regex, b: &[u8], subst: &[u8], global: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut last = 0;
    for caps in re.captures_iter(b) {
        let Some(m) = caps.get(0) else { break };
        out.extend_from_slice(&b[last..m.start()]);
        expand_backrefs(subst, &caps, &mut out);
        last = m.end();
        if !global {
            break;
        }
    }
    out.extend_from_slice(&b[last..]);
    out
}

/// `\N` references as HAProxy's `exp_replace` understands them.
pub fn expand_backrefs(subst: &[u8], caps: &regex::bytes::Captures<'_>, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < subst.len() {
        let c = subst[i];
        if c == b'\\'
            && let Some(d) = subst.get(i + 1)
        {
            if d.is_ascii_digit() {
                if let Some(g) = caps.get(usize::from(d - b'0')) {
                    out.extend_from_slice(g.as_bytes());
                }
                i += 2;
                continue;
            }
            if *d == b'\\' {
                out.push(b'\\');
                i += 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64_encode(b: &[u8]) -> Vec<u8> {
    enc::b64_encode_with(b, B64, true)
}

pub fn b64_decode(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut pad = 0;
    for &c in b {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn url_decode(b: &[u8], in_form: bool) -> Option<Vec<u8>> {
    // HAProxy's url_decode(): `+` means a space in the query part, or everywhere in a form.
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_query = in_form;
    while i < b.len() {
        match b[i] {
            b'?' => {
                in_query = true;
                out.push(b'?');
                i += 1;
            }
            b'%' => {
                let h = b.get(i + 1..i + 3)?;
                let s = std::str::from_utf8(h).ok()?;
                out.push(u8::from_str_radix(s, 16).ok()?);
                i += 3;
            }
            b'+' if in_query => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}
