//! Log-format strings (`%[expr]`, `%ci`, `%H`...) as rules use them: parsed once, expanded
//! per transaction into a caller buffer.

use crate::config::haproxy::expr::sample::parse_sample;
use crate::proxy::acl::{AclError, CompileEnv, CompiledSample, Ctx, format_int};

#[derive(Debug, Clone)]
enum Seg {
    Lit(Box<[u8]>),
    Expr { e: Box<CompiledSample>, quote: bool },
    Var { v: Var, quote: bool },
}

#[derive(Debug, Clone, Copy)]
enum Var {
    ClientIp,
    ClientPort,
    FrontendIp,
    FrontendPort,
    Frontend,
    Backend,
    Server,
    Hostname,
    UniqueId,
    Pid,
    Method,
    Uri,
    Path,
    Query,
    Version,
    RequestLine,
    Status,
    ReqCaptures,
    ResCaptures,
    /// A tag rules cannot give (timers, byte counts): printed as HAProxy's `-`.
    Dash,
}

/// A parsed log-format string.
#[derive(Debug, Clone, Default)]
pub struct LogFormat {
    segs: Vec<Seg>,
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl LogFormat {
    pub fn parse(text: &str, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        let b = text.as_bytes();
        let mut segs = Vec::new();
        let mut lit = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                lit.push(b[i]);
                i += 1;
                continue;
            }
            if b.get(i + 1) == Some(&b'%') {
                lit.push(b'%');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut quote = false;
            if b.get(j) == Some(&b'{') {
                let end = text[j..]
                    .find('}')
                    .map(|k| j + k)
                    .ok_or_else(|| bad(text))?;
                quote = text[j + 1..end].split(',').any(|f| f == "+Q");
                j = end + 1;
            }
            if b.get(j) == Some(&b'[') {
                let end = text[j..]
                    .find(']')
                    .map(|k| j + k)
                    .ok_or_else(|| bad(text))?;
                let expr = &text[j + 1..end];
                let s = parse_sample(expr.trim()).map_err(|m| AclError::BadArg {
                    what: expr.into(),
                    msg: m,
                })?;
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit).into_boxed_slice()));
                }
                segs.push(Seg::Expr {
                    e: Box::new(CompiledSample::compile(&s, env)?),
                    quote,
                });
                i = end + 1;
                continue;
            }
            let start = j;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            let name = &text[start..j];
            let v = match name {
                "ci" => Var::ClientIp,
                "cp" => Var::ClientPort,
                "fi" => Var::FrontendIp,
                "fp" => Var::FrontendPort,
                "f" | "ft" => Var::Frontend,
                "b" => Var::Backend,
                "s" => Var::Server,
                "H" => Var::Hostname,
                "ID" => Var::UniqueId,
                "pid" => Var::Pid,
                "HM" => Var::Method,
                "HU" => Var::Uri,
                "HP" => Var::Path,
                "HQ" => Var::Query,
                "HV" => Var::Version,
                "r" => Var::RequestLine,
                "ST" => Var::Status,
                "hr" => Var::ReqCaptures,
                "hs" => Var::ResCaptures,
                "" => return Err(bad(text)),
                _ => Var::Dash,
            };
            if !lit.is_empty() {
                segs.push(Seg::Lit(std::mem::take(&mut lit).into_boxed_slice()));
            }
            // Constant tags are resolved now.
            match v {
                Var::Hostname => segs.push(Seg::Lit(hostname().into_bytes().into_boxed_slice())),
                Var::Pid => segs.push(Seg::Lit(
                    std::process::id()
                        .to_string()
                        .into_bytes()
                        .into_boxed_slice(),
                )),
                v => segs.push(Seg::Var { v, quote }),
            }
            i = j;
        }
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit.into_boxed_slice()));
        }
        Ok(LogFormat { segs })
    }

    /// A format without any tag (its text), so callers can skip expansion.
    pub fn as_literal(&self) -> Option<&[u8]> {
        match self.segs.as_slice() {
            [] => Some(b""),
            [Seg::Lit(l)] => Some(l),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Appends the expansion to `out`. A sample that fails expands to nothing (as HAProxy
    /// does outside logs), a missing tag to `-`.
    pub fn expand(&self, ctx: &Ctx<'_>, out: &mut Vec<u8>) {
        for s in &self.segs {
            match s {
                Seg::Lit(l) => out.extend_from_slice(l),
                Seg::Expr { e, quote } => {
                    if *quote {
                        out.push(b'"');
                    }
                    e.eval_bytes(ctx, out);
                    if *quote {
                        out.push(b'"');
                    }
                }
                Seg::Var { v, quote } => {
                    if *quote {
                        out.push(b'"');
                    }
                    expand_var(*v, ctx, out);
                    if *quote {
                        out.push(b'"');
                    }
                }
            }
        }
    }

    pub fn expand_to_vec(&self, ctx: &Ctx<'_>) -> Vec<u8> {
        if let Some(l) = self.as_literal() {
            return l.to_vec();
        }
        let mut out = Vec::new();
        self.expand(ctx, &mut out);
        out
    }
}

fn bad(text: &str) -> AclError {
    AclError::BadArg {
        what: "log-format".into(),
        msg: format!("cannot parse '{text}'"),
    }
}

fn orig_method<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    ctx.orig_method.or(ctx.req.map(|r| r.method.as_str()))
}

fn orig_uri<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    ctx.orig_uri.or(ctx.req.map(|r| r.uri.as_str()))
}

fn expand_var(v: Var, ctx: &Ctx<'_>, out: &mut Vec<u8>) {
    use std::io::Write;
    match v {
        Var::ClientIp => {
            let _ = write!(out, "{}", ctx.src.ip());
        }
        Var::ClientPort => format_int(i64::from(ctx.src.port()), out),
        Var::FrontendIp => {
            let _ = write!(out, "{}", ctx.dst.ip());
        }
        Var::FrontendPort => format_int(i64::from(ctx.dst.port()), out),
        Var::Frontend => out.extend_from_slice(ctx.frontend.as_bytes()),
        // Before use_backend, HAProxy's stream backend is the frontend itself.
        Var::Backend => out.extend_from_slice(ctx.backend.unwrap_or(ctx.frontend).as_bytes()),
        Var::Server => out.extend_from_slice(ctx.server.unwrap_or("<NOSRV>").as_bytes()),
        Var::UniqueId => out.extend_from_slice(ctx.unique_id.unwrap_or("-").as_bytes()),
        // The request-line tags show the line as received, before any rewrite.
        Var::Method => out.extend_from_slice(orig_method(ctx).unwrap_or("-").as_bytes()),
        Var::Uri => out.extend_from_slice(orig_uri(ctx).unwrap_or("-").as_bytes()),
        // %HP is the target up to `?` (scheme and authority included for absolute form).
        Var::Path => out.extend_from_slice(
            orig_uri(ctx)
                .map_or("-", |u| u.split('?').next().unwrap_or(""))
                .as_bytes(),
        ),
        Var::Query => {
            if let Some(q) = orig_uri(ctx).and_then(|u| u.find('?').map(|i| &u[i..])) {
                out.extend_from_slice(q.as_bytes());
            }
        }
        Var::Version => {
            out.extend_from_slice(ctx.req.map_or("-", |r| r.version.as_str()).as_bytes())
        }
        Var::RequestLine => match (orig_method(ctx), orig_uri(ctx), ctx.req) {
            (Some(m), Some(u), Some(r)) => {
                let _ = write!(out, "{m} {u} {}", r.version);
            }
            _ => out.push(b'-'),
        },
        // txn->status is -1 until there is a response.
        Var::Status => match ctx.res {
            Some(r) => format_int(i64::from(r.status), out),
            None => out.extend_from_slice(b"-1"),
        },
        Var::ReqCaptures | Var::ResCaptures => {
            let caps = if matches!(v, Var::ReqCaptures) {
                ctx.req_captures
            } else {
                ctx.res_captures
            };
            if caps.is_empty() {
                return;
            }
            out.push(b'{');
            for (i, c) in caps.iter().enumerate() {
                if i > 0 {
                    out.push(b'|');
                }
                if let Some(c) = c {
                    out.extend_from_slice(c);
                }
            }
            out.push(b'}');
        }
        Var::Hostname | Var::Pid | Var::Dash => out.push(b'-'),
    }
}
