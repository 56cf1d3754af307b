//! Sample expressions: a fetch followed by converters, plus HAProxy's implicit casts.

use std::borrow::Cow;
use std::net::IpAddr;

use super::conv::Conv;
use super::fetch::{Fetch, Want};
use super::{AclError, CompileEnv, Ctx, Value};
use crate::ir::haproxy::expr::Sample;

#[derive(Debug, Clone)]
pub(super) struct Expr {
    pub(super) fetch: Fetch,
    pub(super) convs: Vec<Conv>,
}

impl Expr {
    pub(super) fn compile(s: &Sample, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        let fetch = Fetch::compile(&s.fetch, &s.args, env)?;
        let convs = s
            .converters
            .iter()
            .map(|c| Conv::compile(&c.name, &c.args, env))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Expr { fetch, convs })
    }

    /// Calls `f` with every value (converted) until it returns true; returns whether it did.
    pub(super) fn each<'c>(&'c self, ctx: &Ctx<'c>, f: &mut dyn FnMut(Value<'c>) -> bool) -> bool {
        let mut stop = false;
        self.fetch.fetch(ctx, Want::All, &mut |v| {
            if let Some(v) = self.convert(ctx, v) {
                stop = f(v);
            }
            stop
        });
        stop
    }

    /// The single value HAProxy uses outside ACLs (the last header occurrence, the first
    /// url_param...).
    pub(super) fn eval_last<'c>(&'c self, ctx: &Ctx<'c>) -> Option<Value<'c>> {
        let mut out = None;
        self.fetch.fetch(ctx, Want::One, &mut |v| {
            out = Some(v);
            false
        });
        self.convert(ctx, out?)
    }

    fn convert<'c>(&'c self, ctx: &Ctx<'c>, mut v: Value<'c>) -> Option<Value<'c>> {
        for c in &self.convs {
            v = c.apply(ctx, v)?;
        }
        Some(v)
    }

    /// Whether the result depends on payload bytes (tcp-request content may wait for more).
    pub(super) fn uses_payload(&self) -> bool {
        self.fetch.uses_payload()
    }

    /// The fetch succeeds with a value that may still change (`req.len`).
    pub(super) fn may_grow(&self) -> bool {
        matches!(self.fetch, Fetch::ReqLen)
    }

    /// The fetch failed for good on the bytes already received, more cannot help (HAProxy
    /// returns 0 without `SMP_F_MAY_CHANGE`).
    pub(super) fn failed_for_good(&self, payload: Option<&[u8]>) -> bool {
        self.fetch.failed_for_good(payload)
    }
}

/// HAProxy's `%[...]` text form of a value.
pub(super) fn append_value(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Bool(b) => out.push(if *b { b'1' } else { b'0' }),
        Value::Int(i) => format_int(*i, out),
        Value::Str(s) | Value::Bin(s) => out.extend_from_slice(s),
        Value::Addr(a) => {
            use std::io::Write;
            let _ = write!(out, "{a}");
        }
        Value::Meth(m) => out.extend_from_slice(m.as_bytes()),
    }
}

/// Appends the decimal form of `i` without going through `format!`.
pub fn format_int(i: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[pos..]);
}

/// HAProxy's `c_str2int`: optional sign then digits, stops at the first other byte; fails
/// when there is no digit.
pub(super) fn parse_int_prefix(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    let mut any = false;
    for &b in digits {
        if !b.is_ascii_digit() {
            break;
        }
        any = true;
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if !any {
        return None;
    }
    Some(if neg { -n } else { n })
}

impl<'a> Value<'a> {
    /// Cast to an integer as HAProxy does (`str` → leading digits, `bool` → 0/1).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Str(s) | Value::Bin(s) => parse_int_prefix(s),
            Value::Addr(IpAddr::V4(a)) => Some(i64::from(u32::from(*a))),
            Value::Addr(IpAddr::V6(_)) => None,
            Value::Meth(_) => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            other => other.as_int().map(|i| i != 0),
        }
    }

    pub fn as_addr(&self) -> Option<IpAddr> {
        match self {
            Value::Addr(a) => Some(*a),
            Value::Str(s) => std::str::from_utf8(s).ok()?.trim().parse().ok(),
            Value::Int(i) => u32::try_from(*i).ok().map(|n| IpAddr::V4(n.into())),
            _ => None,
        }
    }

    /// The value as bytes for string matching (text form for ints and addresses).
    pub fn as_str_bytes(&self) -> Cow<'_, [u8]> {
        self.to_bytes()
    }

    /// Converts into an owned-or-borrowed string value (`str` cast).
    pub(super) fn into_str(self) -> Value<'a> {
        match self {
            Value::Str(s) => Value::Str(s),
            Value::Bin(s) => Value::Str(s),
            Value::Meth(Cow::Borrowed(m)) => Value::Str(Cow::Borrowed(m.as_bytes())),
            Value::Meth(Cow::Owned(m)) => Value::Str(Cow::Owned(m.into_bytes())),
            other => {
                let mut out = Vec::new();
                append_value(&other, &mut out);
                Value::Str(Cow::Owned(out))
            }
        }
    }

    /// The string bytes, taking ownership when needed.
    pub(super) fn into_bytes(self) -> Cow<'a, [u8]> {
        match self.into_str() {
            Value::Str(s) => s,
            _ => Cow::Borrowed(&[]),
        }
    }
}
