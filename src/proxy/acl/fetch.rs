//! Sample fetches.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use super::userlist::Users;
use super::{AclError, CompileEnv, Ctx, Dir, Scope, Value};
use crate::proxy::http::msg::{HeaderList, Version};
use crate::proxy::tls;

/// How many values the caller wants: ACLs iterate over all of them, sample expressions take
/// the one HAProxy picks (last header occurrence, last cookie, first url_param).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    All,
    One,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HdrDir {
    /// `hdr`: the request in request rules, the response in response rules.
    Auto,
    Req,
    Res,
}

#[derive(Debug, Clone)]
pub(super) enum Fetch {
    Const(Value<'static>),
    /// Fails every time (`env()` of an unset variable...).
    Fail,
    Src,
    SrcPort,
    Dst,
    DstPort,
    Method,
    Path,
    Pathq,
    Url,
    Base,
    Query,
    UrlParam {
        name: Option<Box<[u8]>>,
        delim: u8,
        as_int: bool,
    },
    Hdr {
        dir: HdrDir,
        name: Option<Box<str>>,
        occ: Option<i64>,
        full: bool,
        kind: HdrKind,
    },
    HdrCnt {
        dir: HdrDir,
        name: Option<Box<str>>,
        full: bool,
    },
    HdrNames {
        dir: HdrDir,
        delim: Box<[u8]>,
    },
    Cook {
        dir: HdrDir,
        name: Option<Box<[u8]>>,
        kind: CookKind,
    },
    Status,
    Ver(HdrDir),
    HttpAuth(Option<Arc<Users>>),
    HttpAuthGroup(Arc<Users>),
    HttpAuthUser,
    HttpAuthPass,
    HttpAuthType,
    Var {
        scope: Scope,
        name: Box<str>,
        default: Option<Value<'static>>,
    },
    Nbsrv(Option<Box<str>>),
    SrvIsUp(Box<str>, Box<str>),
    SrvConn(Box<str>, Box<str>),
    BeConn(Option<Box<str>>),
    FeConn(Option<Box<str>>),
    SessRate(Option<Box<str>>, bool),
    ReqLen,
    Payload {
        off: usize,
        len: usize,
    },
    ReqBody,
    ReqSslSni,
    ReqSslHelloType,
    ReqProtoHttp,
    WaitEnd,
    SslFc,
    SslFcSni,
    /// `ssl_bc*`: the server connection's TLS values.
    SslBc(BcFetch),
    /// `ssl_fc_*` / `ssl_c_*` values of the client handshake.
    Ssl(SslFetch),
    /// `ssl_c_s_dn` / `ssl_c_i_dn`: (entry, occurrence, rfc2253).
    SslCDn {
        issuer: bool,
        entry: Option<Box<str>>,
        occ: i64,
        rfc2253: bool,
    },
    Sc {
        counter: u8,
        data: Box<str>,
        table: Option<Box<str>>,
    },
    SrcTable {
        data: Box<str>,
        table: Box<str>,
    },
    CaptureReqHdr(usize),
    CaptureResHdr(usize),
    CaptureReqMethod,
    CaptureReqUri,
    UniqueId,
    FeName,
    BeName,
    SrvName,
    SrvId,
    Date(i64),
    HttpFirstReq,
}

/// The argument-less TLS fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslFetch {
    Protocol,
    Cipher,
    Alpn,
    IsResumed,
    HasSni,
    HasCrt,
    UseKeysize,
    AlgKeysize,
    CUsed,
    CVerify,
    CErr,
    CCaErr,
    CCaErrDepth,
    CSha1,
    CDer,
    CSerial,
    CVersion,
    CNotBefore,
    CNotAfter,
    CSigAlg,
    CKeyAlg,
}

/// The `ssl_bc*` fetches rustls can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BcFetch {
    Bc,
    Protocol,
    Cipher,
    Alpn,
    UseKeysize,
    AlgKeysize,
    IsResumed,
    Err,
    ErrStr,
}

fn bc_fetch(name: &str) -> Option<BcFetch> {
    use BcFetch::*;
    Some(match name {
        "ssl_bc" => Bc,
        "ssl_bc_protocol" => Protocol,
        "ssl_bc_cipher" => Cipher,
        "ssl_bc_alpn" => Alpn,
        "ssl_bc_use_keysize" => UseKeysize,
        "ssl_bc_alg_keysize" => AlgKeysize,
        "ssl_bc_is_resumed" => IsResumed,
        "ssl_bc_err" => Err,
        "ssl_bc_err_str" => ErrStr,
        _ => return None,
    })
}

/// An `ssl_bc*` value. Measured on HAProxy 2.6.12 (`http-response set-header` and a
/// log-format): over a cleartext server connection `ssl_bc` and `ssl_bc_is_resumed` give
/// 0 and the others fail; over TLS `ssl_bc_err` is 0 (a failed handshake leaves no
/// transaction), `ssl_bc_err_str` fails, `ssl_bc_alpn` fails when nothing was agreed.
fn bc_value(which: BcFetch, tls: Option<&tls::TlsInfo>) -> Option<Value<'_>> {
    use BcFetch::*;
    let Some(t) = tls else {
        return matches!(which, Bc | IsResumed).then_some(Value::Bool(false));
    };
    match which {
        Bc => Some(Value::Bool(true)),
        Protocol => Some(Value::str(&t.protocol)),
        Cipher => Some(Value::str(&t.cipher)),
        Alpn => t.alpn.as_deref().map(Value::str),
        UseKeysize | AlgKeysize => Some(Value::Int(t.keysize)),
        IsResumed => Some(Value::Bool(t.resumed)),
        Err => Some(Value::Int(0)),
        ErrStr => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HdrKind {
    Str,
    Int,
    Ip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CookKind {
    Str,
    Cnt,
    Val,
}

fn ssl_fetch(name: &str) -> Option<SslFetch> {
    use SslFetch::*;
    Some(match name {
        "ssl_fc_protocol" => Protocol,
        "ssl_fc_cipher" => Cipher,
        "ssl_fc_alpn" => Alpn,
        "ssl_fc_is_resumed" => IsResumed,
        "ssl_fc_has_sni" => HasSni,
        "ssl_fc_has_crt" => HasCrt,
        "ssl_fc_use_keysize" => UseKeysize,
        "ssl_fc_alg_keysize" => AlgKeysize,
        "ssl_c_used" => CUsed,
        "ssl_c_verify" => CVerify,
        "ssl_c_err" => CErr,
        "ssl_c_ca_err" => CCaErr,
        "ssl_c_ca_err_depth" => CCaErrDepth,
        "ssl_c_sha1" => CSha1,
        "ssl_c_der" => CDer,
        "ssl_c_serial" => CSerial,
        "ssl_c_version" => CVersion,
        "ssl_c_notbefore" => CNotBefore,
        "ssl_c_notafter" => CNotAfter,
        "ssl_c_sig_alg" => CSigAlg,
        "ssl_c_key_alg" => CKeyAlg,
        _ => return None,
    })
}

/// A TLS fetch's value. Measured on HAProxy 2.6.12: on a cleartext connection
/// `ssl_fc_is_resumed` and `ssl_fc_has_sni` give 0, every other one fails; on
/// TLS without a client certificate `ssl_c_used`, `ssl_c_verify`, `ssl_c_err`,
/// `ssl_c_ca_err` and `ssl_fc_has_crt` give 0, the certificate fields fail.
fn ssl_value(which: SslFetch, tls: Option<&tls::TlsInfo>) -> Option<Value<'_>> {
    use SslFetch::*;
    let Some(t) = tls else {
        return matches!(which, IsResumed | HasSni).then_some(Value::Bool(false));
    };
    let owned = |s: String| Some(Value::Str(Cow::Owned(s.into_bytes())));
    let cert = || t.client_cert_info();
    match which {
        Protocol => Some(Value::str(&t.protocol)),
        Cipher => Some(Value::str(&t.cipher)),
        Alpn => t.alpn.as_deref().map(Value::str),
        IsResumed => Some(Value::Bool(t.resumed)),
        HasSni => Some(Value::Bool(t.sni.is_some())),
        HasCrt => Some(Value::Bool(t.client_cert_sent)),
        UseKeysize | AlgKeysize => Some(Value::Int(t.keysize)),
        CUsed => Some(Value::Bool(t.client_cert_used)),
        CVerify => Some(Value::Int(t.verify_result)),
        CErr | CCaErr | CCaErrDepth => Some(Value::Int(0)),
        CSha1 => t
            .client_cert
            .as_deref()
            .map(|d| Value::Bin(Cow::Owned(tls::sha1(d).to_vec()))),
        CDer => t
            .client_cert
            .as_deref()
            .map(|d| Value::Bin(Cow::Borrowed(d))),
        CSerial => cert().map(|c| Value::Bin(Cow::Owned(c.serial))),
        CVersion => cert().map(|c| Value::Int(c.version)),
        CNotBefore => cert().and_then(|c| owned(c.not_before)),
        CNotAfter => cert().and_then(|c| owned(c.not_after)),
        CSigAlg => cert().and_then(|c| owned(c.sig_alg)),
        CKeyAlg => cert().and_then(|c| owned(c.key_alg)),
    }
}

fn opt_name(args: &[String], i: usize) -> Option<Box<str>> {
    args.get(i)
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str().into())
}

fn int_arg(args: &[String], i: usize, what: &str) -> Result<Option<i64>, AclError> {
    match args.get(i).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.trim().parse().map(Some).map_err(|_| AclError::BadArg {
            what: what.into(),
            msg: format!("'{s}' is not an integer"),
        }),
    }
}

/// `backend/server` (or `server` alone: the current proxy).
fn srv_arg(args: &[String], env: &CompileEnv<'_>) -> (Box<str>, Box<str>) {
    let a = args.first().map(String::as_str).unwrap_or("");
    match a.split_once('/') {
        Some((b, s)) => (b.into(), s.into()),
        None => (env.proxy.into(), a.into()),
    }
}

impl Fetch {
    pub(super) fn compile(
        name: &str,
        args: &[String],
        env: &CompileEnv<'_>,
    ) -> Result<Self, AclError> {
        use HdrDir::*;
        let hdr = |dir, full, kind| -> Result<Fetch, AclError> {
            Ok(Fetch::Hdr {
                dir,
                name: opt_name(args, 0),
                occ: int_arg(args, 1, name)?,
                full,
                kind,
            })
        };
        let cook = |dir, kind| Fetch::Cook {
            dir,
            name: args
                .first()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_bytes().into()),
            kind,
        };
        Ok(match name {
            "always_true" => Fetch::Const(Value::Bool(true)),
            "always_false" => Fetch::Const(Value::Bool(false)),
            "int" => Fetch::Const(Value::Int(int_arg(args, 0, name)?.unwrap_or(0))),
            "str" => Fetch::Const(Value::Str(Cow::Owned(
                args.first().cloned().unwrap_or_default().into_bytes(),
            ))),
            "bool" => {
                let a = args.first().map(String::as_str).unwrap_or("");
                Fetch::Const(Value::Bool(
                    a.eq_ignore_ascii_case("true") || a.parse::<i64>().is_ok_and(|n| n != 0),
                ))
            }
            "bin" => {
                let a = args.first().map(String::as_str).unwrap_or("");
                match super::pattern::parse_hex(a) {
                    Some(b) => Fetch::Const(Value::Bin(Cow::Owned(b))),
                    None => {
                        return Err(AclError::BadArg {
                            what: name.into(),
                            msg: format!("invalid hex string '{a}'"),
                        });
                    }
                }
            }
            "ipv4" | "ipv6" => {
                let a = args.first().map(String::as_str).unwrap_or("");
                match a.parse::<IpAddr>() {
                    Ok(ip) => Fetch::Const(Value::Addr(ip)),
                    Err(_) => {
                        return Err(AclError::BadArg {
                            what: name.into(),
                            msg: format!("invalid address '{a}'"),
                        });
                    }
                }
            }
            "meth" => Fetch::Const(Value::Meth(Cow::Owned(
                args.first().cloned().unwrap_or_default(),
            ))),
            // HAProxy reads the environment at each call; the environment of this process
            // does not change after start, so once is enough.
            "env" => match args.first().and_then(|n| std::env::var(n).ok()) {
                Some(v) => Fetch::Const(Value::Str(Cow::Owned(v.into_bytes()))),
                None => Fetch::Fail,
            },
            "src" => Fetch::Src,
            "src_port" => Fetch::SrcPort,
            "dst" => Fetch::Dst,
            "dst_port" => Fetch::DstPort,
            "method" => Fetch::Method,
            "path" => Fetch::Path,
            "pathq" => Fetch::Pathq,
            "url" => Fetch::Url,
            "base" => Fetch::Base,
            "query" => Fetch::Query,
            "url_param" | "urlp" | "urlp_val" => Fetch::UrlParam {
                name: args
                    .first()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_bytes().into()),
                delim: args.get(1).and_then(|d| d.bytes().next()).unwrap_or(b'&'),
                as_int: name == "urlp_val",
            },
            "hdr" => hdr(Auto, false, HdrKind::Str)?,
            "req.hdr" => hdr(Req, false, HdrKind::Str)?,
            "res.hdr" | "shdr" => hdr(Res, false, HdrKind::Str)?,
            "req.fhdr" => hdr(Req, true, HdrKind::Str)?,
            "res.fhdr" => hdr(Res, true, HdrKind::Str)?,
            "hdr_val" => hdr(Auto, false, HdrKind::Int)?,
            "req.hdr_val" => hdr(Req, false, HdrKind::Int)?,
            "res.hdr_val" | "shdr_val" => hdr(Res, false, HdrKind::Int)?,
            "hdr_ip" => hdr(Auto, false, HdrKind::Ip)?,
            "req.hdr_ip" => hdr(Req, false, HdrKind::Ip)?,
            "res.hdr_ip" | "shdr_ip" => hdr(Res, false, HdrKind::Ip)?,
            "hdr_cnt" | "req.hdr_cnt" | "res.hdr_cnt" | "shdr_cnt" | "req.fhdr_cnt"
            | "res.fhdr_cnt" => Fetch::HdrCnt {
                dir: match name {
                    "hdr_cnt" => Auto,
                    n if n.starts_with("req") => Req,
                    _ => Res,
                },
                name: opt_name(args, 0),
                full: name.contains("fhdr"),
            },
            "req.hdr_names" | "res.hdr_names" => Fetch::HdrNames {
                dir: if name.starts_with("req") { Req } else { Res },
                delim: args
                    .first()
                    .map(|s| s.as_bytes().into())
                    .unwrap_or_else(|| b",".as_slice().into()),
            },
            "cook" | "cookie" | "req.cook" => cook(Req, CookKind::Str),
            "cook_cnt" | "req.cook_cnt" => cook(Req, CookKind::Cnt),
            "cook_val" | "req.cook_val" => cook(Req, CookKind::Val),
            "res.cook" | "scook" => cook(Res, CookKind::Str),
            "res.cook_cnt" | "scook_cnt" => cook(Res, CookKind::Cnt),
            "res.cook_val" | "scook_val" => cook(Res, CookKind::Val),
            "status" => Fetch::Status,
            "req.ver" | "req_ver" => Fetch::Ver(Req),
            "res.ver" | "resp_ver" => Fetch::Ver(Res),
            "http_auth" => {
                let ul = args.first().map(String::as_str).unwrap_or("");
                Fetch::HttpAuth(Some(find_userlist(env, ul)?))
            }
            "http_auth_group" => {
                let ul = args.first().map(String::as_str).unwrap_or("");
                Fetch::HttpAuthGroup(find_userlist(env, ul)?)
            }
            "http_auth_user" => Fetch::HttpAuthUser,
            "http_auth_pass" => Fetch::HttpAuthPass,
            "http_auth_type" => Fetch::HttpAuthType,
            "var" => {
                let full = args.first().map(String::as_str).unwrap_or("");
                let (scope, var) = super::split_var(full).ok_or_else(|| AclError::BadArg {
                    what: name.into(),
                    msg: format!("invalid variable name '{full}'"),
                })?;
                Fetch::Var {
                    scope,
                    name: var.into(),
                    default: args
                        .get(1)
                        .map(|d| Value::Str(Cow::Owned(d.clone().into_bytes()))),
                }
            }
            "nbsrv" => Fetch::Nbsrv(opt_name(args, 0)),
            "srv_is_up" => {
                let (b, s) = srv_arg(args, env);
                Fetch::SrvIsUp(b, s)
            }
            "srv_conn" => {
                let (b, s) = srv_arg(args, env);
                Fetch::SrvConn(b, s)
            }
            "be_conn" => Fetch::BeConn(opt_name(args, 0)),
            "fe_conn" => Fetch::FeConn(opt_name(args, 0)),
            "be_sess_rate" => Fetch::SessRate(opt_name(args, 0), true),
            "fe_sess_rate" => Fetch::SessRate(opt_name(args, 0), false),
            "req.len" | "req_len" => Fetch::ReqLen,
            "req.payload" | "payload" => {
                let off = int_arg(args, 0, name)?.unwrap_or(0);
                let len = int_arg(args, 1, name)?.unwrap_or(0);
                Fetch::Payload {
                    off: usize::try_from(off).unwrap_or(0),
                    len: usize::try_from(len).unwrap_or(0),
                }
            }
            "req.body" => Fetch::ReqBody,
            "req.ssl_sni" | "req_ssl_sni" => Fetch::ReqSslSni,
            "req.ssl_hello_type" | "req_ssl_hello_type" => Fetch::ReqSslHelloType,
            "req.proto_http" | "req_proto_http" => Fetch::ReqProtoHttp,
            "wait_end" => Fetch::WaitEnd,
            "ssl_fc" => Fetch::SslFc,
            "ssl_fc_sni" => Fetch::SslFcSni,
            "ssl_c_s_dn" | "ssl_c_i_dn" => {
                let fmt = args.get(2).map(String::as_str).unwrap_or("");
                if !fmt.is_empty() && fmt != "rfc2253" {
                    // HAProxy 2.6.12's reason (`haproxy -c`).
                    return Err(AclError::BadArg {
                        what: name.into(),
                        msg: "only rfc2253 or a blank value are currently supported as the format argument.".into(),
                    });
                }
                Fetch::SslCDn {
                    issuer: name == "ssl_c_i_dn",
                    entry: opt_name(args, 0),
                    occ: int_arg(args, 1, name)?.unwrap_or(1),
                    rfc2253: fmt == "rfc2253",
                }
            }
            n if ssl_fetch(n).is_some() => Fetch::Ssl(ssl_fetch(n).unwrap_or(SslFetch::Protocol)),
            n if bc_fetch(n).is_some() => Fetch::SslBc(bc_fetch(n).unwrap_or(BcFetch::Bc)),
            "capture.req.hdr" | "capture.res.hdr" => {
                let n = int_arg(args, 0, name)?.unwrap_or(0);
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                if name == "capture.req.hdr" {
                    Fetch::CaptureReqHdr(n)
                } else {
                    Fetch::CaptureResHdr(n)
                }
            }
            "capture.req.method" => Fetch::CaptureReqMethod,
            "capture.req.uri" => Fetch::CaptureReqUri,
            "unique-id" => Fetch::UniqueId,
            "fe_name" => Fetch::FeName,
            "be_name" => Fetch::BeName,
            "srv_name" => Fetch::SrvName,
            "srv_id" => Fetch::SrvId,
            "date" => Fetch::Date(int_arg(args, 0, name)?.unwrap_or(0)),
            "http_first_req" => Fetch::HttpFirstReq,
            n if n.starts_with("sc") && sc_fetch(n, args).is_some() => {
                sc_fetch(n, args).unwrap_or(Fetch::Fail)
            }
            n if n.starts_with("src_") => Fetch::SrcTable {
                data: n["src_".len()..].into(),
                table: opt_name(
                    args,
                    if n.contains("gpc_") || n.ends_with("_gpt") {
                        1
                    } else {
                        0
                    },
                )
                .unwrap_or_else(|| env.proxy.into()),
            },
            other => return Err(AclError::UnsupportedFetch(other.into())),
        })
    }

    /// See `Sample::failed_for_good`. HAProxy 2.6 (`payload.c`): `req.ssl_hello_type`
    /// gives up on a first byte that is no SSLv3/TLS record type (0x14..=0x17, 0xff) and
    /// `req.ssl_sni` on one that is not a handshake (0x16): measured, plain text ends an
    /// `accept if { req.ssl_hello_type 1 }` content rule at once, not after inspect-delay.
    pub(super) fn failed_for_good(&self, payload: Option<&[u8]>) -> bool {
        let Some(&first) = payload.and_then(|p| p.first()) else {
            return false;
        };
        match self {
            Fetch::ReqSslHelloType => !((0x14..=0x17).contains(&first) || first == 0xff),
            Fetch::ReqSslSni => first != 0x16,
            _ => false,
        }
    }

    pub(super) fn uses_payload(&self) -> bool {
        matches!(
            self,
            Fetch::ReqLen
                | Fetch::Payload { .. }
                | Fetch::ReqSslSni
                | Fetch::ReqSslHelloType
                | Fetch::ReqProtoHttp
                | Fetch::ReqBody
        )
    }

    /// Calls `f` with each value; `f` returns true to stop.
    pub(super) fn fetch<'c>(
        &'c self,
        ctx: &Ctx<'c>,
        want: Want,
        f: &mut dyn FnMut(Value<'c>) -> bool,
    ) {
        let one = |f: &mut dyn FnMut(Value<'c>) -> bool, v: Option<Value<'c>>| {
            if let Some(v) = v {
                f(v);
            }
        };
        // HAProxy 2.6 reads path, url, query... from the request's buffer, which is empty
        // once the request went to the server: at response time these fetches fail
        // (measured: `http-response set-status 299 if { path_beg /status }` never applies)
        let req_line = if ctx.dir == Dir::Response {
            None
        } else {
            ctx.req
        };
        match self {
            Fetch::Const(v) => one(f, Some(v.reborrow_static())),
            Fetch::Fail => {}
            Fetch::Src => one(f, Some(Value::Addr(canon(ctx.src.ip())))),
            Fetch::SrcPort => one(f, Some(Value::Int(i64::from(ctx.src.port())))),
            Fetch::Dst => one(f, Some(Value::Addr(canon(ctx.dst.ip())))),
            Fetch::DstPort => one(f, Some(Value::Int(i64::from(ctx.dst.port())))),
            Fetch::Method => one(f, ctx.req.map(|r| Value::Meth(Cow::Borrowed(&r.method)))),
            Fetch::Path => one(f, req_line.map(|r| Value::str(r.path()))),
            Fetch::Pathq => one(
                f,
                req_line.map(|r| {
                    let p = r.path();
                    let start = p.as_ptr() as usize - r.uri.as_ptr() as usize;
                    Value::str(if p.is_empty() && r.uri.starts_with('*') {
                        ""
                    } else {
                        &r.uri[start..]
                    })
                }),
            ),
            Fetch::Url => one(f, req_line.map(|r| Value::str(&r.uri))),
            Fetch::Base => one(f, req_line.and_then(base)),
            Fetch::Query => one(f, req_line.and_then(|r| r.query()).map(Value::str)),
            Fetch::UrlParam {
                name,
                delim,
                as_int,
            } => {
                let Some(q) = req_line.and_then(|r| r.query()) else {
                    return;
                };
                for part in q.as_bytes().split(|b| *b == *delim) {
                    if part.is_empty() {
                        continue;
                    }
                    // A parameter without `=` is not found (measured: `urlp(z)` on `q=1&z`).
                    let Some(i) = part.iter().position(|b| *b == b'=') else {
                        continue;
                    };
                    let (k, v) = (&part[..i], &part[i + 1..]);
                    if name.as_deref().is_some_and(|n| n != k) {
                        continue;
                    }
                    let val = if *as_int {
                        match super::sample::parse_int_prefix(v) {
                            Some(i) => Value::Int(i),
                            None => continue,
                        }
                    } else {
                        Value::Str(Cow::Borrowed(v))
                    };
                    if f(val) || want == Want::One {
                        return;
                    }
                }
            }
            Fetch::Hdr {
                dir,
                name,
                occ,
                full,
                kind,
            } => {
                let Some(h) = headers(ctx, *dir) else { return };
                let conv = |v: &'c [u8]| -> Option<Value<'c>> {
                    match kind {
                        HdrKind::Str => Some(Value::Str(Cow::Borrowed(v))),
                        HdrKind::Int => super::sample::parse_int_prefix(v).map(Value::Int),
                        HdrKind::Ip => std::str::from_utf8(v)
                            .ok()
                            .and_then(|s| s.trim().parse().ok())
                            .map(Value::Addr),
                    }
                };
                let occ = match (occ, want) {
                    (Some(o), _) => *o,
                    (None, Want::All) => 0,
                    (None, Want::One) => -1,
                };
                if occ == 0 {
                    for_each_value(h, name.as_deref(), *full, &mut |v| match conv(v) {
                        Some(v) => f(v),
                        None => false,
                    });
                } else if occ > 0 {
                    let mut n = 0;
                    let mut found = None;
                    for_each_value(h, name.as_deref(), *full, &mut |v| {
                        n += 1;
                        if n == occ {
                            found = Some(v);
                            true
                        } else {
                            false
                        }
                    });
                    one(f, found.and_then(conv));
                } else {
                    // Negative: counted from the end; collect positions cheaply by a
                    // two-pass count.
                    let mut total = 0i64;
                    for_each_value(h, name.as_deref(), *full, &mut |_| {
                        total += 1;
                        false
                    });
                    let target = total + occ + 1;
                    if target < 1 {
                        return;
                    }
                    let mut n = 0;
                    let mut found = None;
                    for_each_value(h, name.as_deref(), *full, &mut |v| {
                        n += 1;
                        if n == target {
                            found = Some(v);
                            true
                        } else {
                            false
                        }
                    });
                    one(f, found.and_then(conv));
                }
            }
            Fetch::HdrCnt { dir, name, full } => {
                let Some(h) = headers(ctx, *dir) else { return };
                let mut n = 0;
                for_each_value(h, name.as_deref(), *full, &mut |_| {
                    n += 1;
                    false
                });
                f(Value::Int(n));
            }
            Fetch::HdrNames { dir, delim } => {
                let Some(h) = headers(ctx, *dir) else { return };
                let mut out = Vec::new();
                for (i, hd) in h.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(delim);
                    }
                    out.extend_from_slice(hd.name.as_bytes());
                }
                f(Value::Str(Cow::Owned(out)));
            }
            Fetch::Cook { dir, name, kind } => {
                let dir = match dir {
                    HdrDir::Res => HdrDir::Res,
                    _ => HdrDir::Req,
                };
                let Some(h) = headers(ctx, dir) else { return };
                let (hname, set_cookie) = if dir == HdrDir::Res {
                    ("set-cookie", true)
                } else {
                    ("cookie", false)
                };
                let mut count = 0i64;
                let mut last: Option<&'c [u8]> = None;
                let mut stopped = false;
                for hd in h.get_all(hname) {
                    let v: &'c [u8] = &hd.value;
                    for (k, val) in cookies(v, set_cookie) {
                        if name.as_deref().is_some_and(|n| n != k) {
                            continue;
                        }
                        count += 1;
                        last = Some(val);
                        if *kind == CookKind::Str
                            && want == Want::All
                            && f(Value::Str(Cow::Borrowed(val)))
                        {
                            stopped = true;
                            break;
                        }
                    }
                    if stopped {
                        break;
                    }
                }
                match kind {
                    CookKind::Cnt => {
                        f(Value::Int(count));
                    }
                    CookKind::Str if want == Want::One => {
                        one(f, last.map(|v| Value::Str(Cow::Borrowed(v))));
                    }
                    CookKind::Val => {
                        one(
                            f,
                            last.and_then(super::sample::parse_int_prefix)
                                .map(Value::Int),
                        );
                    }
                    CookKind::Str => {}
                }
            }
            Fetch::Status => one(f, ctx.res.map(|r| Value::Int(i64::from(r.status)))),
            Fetch::Ver(d) => {
                let v = match d {
                    HdrDir::Res => ctx.res.map(|r| r.version),
                    _ => ctx.req.map(|r| r.version),
                };
                one(
                    f,
                    v.map(|v| {
                        Value::str(match v {
                            Version::Http10 => "1.0",
                            Version::Http11 => "1.1",
                        })
                    }),
                );
            }
            Fetch::HttpAuth(users) => {
                // No credentials: the fetch fails (measured: `%[http_auth(ul)]` is empty);
                // wrong ones: false.
                if let Some((u, p)) = basic_auth(ctx) {
                    f(Value::Bool(
                        users.as_ref().is_some_and(|us| us.check(&u, &p)),
                    ));
                }
            }
            Fetch::HttpAuthGroup(users) => {
                // HAProxy returns the user name when the credentials are good and its ACL
                // matches the patterns against the user's groups: yield the groups.
                if let Some((u, p)) = basic_auth(ctx)
                    && users.check(&u, &p)
                {
                    if want == Want::One {
                        f(Value::Str(Cow::Owned(u.into_bytes())));
                    } else {
                        for g in users.groups_of(&u) {
                            if f(Value::Str(Cow::Borrowed(g.as_bytes()))) {
                                break;
                            }
                        }
                    }
                }
            }
            Fetch::HttpAuthUser => {
                if let Some((u, _)) = basic_auth(ctx) {
                    f(Value::Str(Cow::Owned(u.into_bytes())));
                }
            }
            Fetch::HttpAuthPass => {
                if let Some((_, p)) = basic_auth(ctx) {
                    f(Value::Str(Cow::Owned(p.into_bytes())));
                }
            }
            Fetch::HttpAuthType => {
                let t = ctx
                    .req
                    .and_then(|r| r.headers.get("authorization"))
                    // HAProxy 2.6.12 answers `Basic` and `Bearer` (any case in the
                    // request) and nothing for other schemes, Digest included.
                    .and_then(|h| {
                        let v = &h.value;
                        let end = v.iter().position(|b| *b == b' ').unwrap_or(v.len());
                        let m = &v[..end];
                        if m.eq_ignore_ascii_case(b"basic") {
                            Some("Basic")
                        } else if m.eq_ignore_ascii_case(b"bearer") {
                            Some("Bearer")
                        } else {
                            None
                        }
                    });
                one(f, t.map(Value::str));
            }
            Fetch::Var {
                scope,
                name,
                default,
            } => match ctx.vars.get_in(*scope, name) {
                Some(v) => {
                    f(v.reborrow());
                }
                None => one(f, default.as_ref().map(|d| d.reborrow_static())),
            },
            Fetch::Nbsrv(b) => {
                let b = b.as_deref().or(ctx.backend).unwrap_or(ctx.proxy);
                one(f, ctx.state.and_then(|s| s.nbsrv(b)).map(Value::Int));
            }
            Fetch::SrvIsUp(b, s) => {
                one(
                    f,
                    ctx.state.and_then(|st| st.srv_is_up(b, s)).map(Value::Bool),
                );
            }
            Fetch::SrvConn(b, s) => {
                one(
                    f,
                    ctx.state.and_then(|st| st.srv_conn(b, s)).map(Value::Int),
                );
            }
            Fetch::BeConn(b) => {
                let b = b.as_deref().or(ctx.backend).unwrap_or(ctx.proxy);
                one(f, ctx.state.and_then(|s| s.be_conn(b)).map(Value::Int));
            }
            Fetch::FeConn(fe) => {
                let fe = fe.as_deref().unwrap_or(ctx.frontend);
                one(f, ctx.state.and_then(|s| s.fe_conn(fe)).map(Value::Int));
            }
            Fetch::SessRate(p, be) => {
                let p = p.as_deref().unwrap_or(if *be {
                    ctx.backend.unwrap_or(ctx.proxy)
                } else {
                    ctx.frontend
                });
                one(f, ctx.state.and_then(|s| s.sess_rate(p)).map(Value::Int));
            }
            Fetch::ReqLen => one(
                f,
                ctx.payload
                    .map(|p| Value::Int(i64::try_from(p.len()).unwrap_or(i64::MAX))),
            ),
            Fetch::Payload { off, len } => {
                let Some(p) = ctx.payload else { return };
                // len 0 = everything from off to the end of the buffer.
                let end = if *len == 0 {
                    p.len()
                } else {
                    off.saturating_add(*len)
                };
                if end > p.len() || *off > p.len() {
                    return;
                }
                f(Value::Bin(Cow::Borrowed(&p[*off..end])));
            }
            Fetch::ReqBody => one(f, ctx.payload.map(|p| Value::Bin(Cow::Borrowed(p)))),
            Fetch::ReqSslSni => {
                let sni = ctx
                    .payload
                    .and_then(crate::proxy::acl::pattern::client_hello_sni)
                    .map(|s| Value::Str(Cow::Borrowed(s)));
                one(f, sni);
            }
            Fetch::ReqSslHelloType => {
                // A handshake record: the type of its first message (1 = ClientHello).
                let t = ctx
                    .payload
                    .filter(|p| p.len() >= 6 && p[0] == 0x16)
                    .map(|p| Value::Int(i64::from(p[5])));
                one(f, t);
            }
            Fetch::ReqProtoHttp => {
                let v = match (ctx.req, ctx.payload) {
                    (Some(_), _) => Some(true),
                    (None, Some(p)) => looks_like_http(p),
                    (None, None) => None,
                };
                one(f, v.map(Value::Bool));
            }
            Fetch::WaitEnd => {
                if ctx.payload_final {
                    f(Value::Bool(true));
                }
            }
            Fetch::SslFc => {
                f(Value::Bool(ctx.tls.is_some()));
            }
            Fetch::SslFcSni => one(f, ctx.tls.and_then(|t| t.sni.as_deref()).map(Value::str)),
            Fetch::Ssl(which) => one(f, ssl_value(*which, ctx.tls)),
            Fetch::SslBc(which) => one(f, bc_value(*which, ctx.state.and_then(|s| s.server_tls()))),
            Fetch::SslCDn {
                issuer,
                entry,
                occ,
                rfc2253,
            } => {
                let v = ctx.tls.and_then(|t| {
                    if !*issuer && entry.is_none() && !*rfc2253 {
                        return t.client_subject_dn.clone();
                    }
                    let info = t.client_cert_info()?;
                    let dn = if *issuer { &info.issuer } else { &info.subject };
                    match entry {
                        Some(e) => tls::dn_entry(dn, e, *occ).map(str::to_string),
                        None if *rfc2253 => Some(tls::dn_rfc2253(dn)),
                        None => Some(tls::dn_oneline(dn)),
                    }
                });
                one(f, v.map(|s| Value::Str(Cow::Owned(s.into_bytes()))));
            }
            Fetch::Sc {
                counter,
                data,
                table,
            } => {
                let v = ctx
                    .tables
                    .and_then(|t| t.sc_fetch(*counter, table.as_deref(), data, ctx.now_ms));
                if data.as_ref() == "tracked" {
                    f(Value::Bool(v.is_some_and(|n| n != 0)));
                } else {
                    one(f, v.map(Value::Int));
                }
            }
            Fetch::SrcTable { data, table } => {
                let key = Value::Addr(canon(ctx.src.ip()));
                one(
                    f,
                    ctx.tables
                        .and_then(|t| t.key_fetch(table, &key, data, ctx.now_ms))
                        .map(Value::Int),
                );
            }
            Fetch::CaptureReqHdr(n) => one(
                f,
                ctx.req_captures
                    .get(*n)
                    .and_then(|c| c.as_deref())
                    .map(|c| Value::Str(Cow::Borrowed(c))),
            ),
            Fetch::CaptureResHdr(n) => one(
                f,
                ctx.res_captures
                    .get(*n)
                    .and_then(|c| c.as_deref())
                    .map(|c| Value::Str(Cow::Borrowed(c))),
            ),
            Fetch::CaptureReqMethod => one(
                f,
                ctx.orig_method
                    .or(ctx.req.map(|r| r.method.as_str()))
                    .map(Value::str),
            ),
            Fetch::CaptureReqUri => one(
                f,
                ctx.orig_uri
                    .or(ctx.req.map(|r| r.uri.as_str()))
                    .map(Value::str),
            ),
            Fetch::UniqueId => one(f, ctx.unique_id.map(Value::str)),
            Fetch::FeName => one(f, Some(Value::str(ctx.frontend))),
            Fetch::BeName => one(f, ctx.backend.map(Value::str)),
            Fetch::SrvName => one(f, ctx.server.map(Value::str)),
            Fetch::SrvId => one(
                f,
                ctx.backend
                    .zip(ctx.server)
                    .and_then(|(b, s)| ctx.state?.srv_id(b, s))
                    .map(Value::Int),
            ),
            Fetch::Date(off) => {
                let secs = i64::try_from(ctx.now_ms / 1000).unwrap_or(0);
                f(Value::Int(secs.saturating_add(*off)));
            }
            Fetch::HttpFirstReq => {
                // the session knows (HAProxy 2.6.12: true on a client connection's first
                // request, false after, and false on every HTTP/2 stream)
                f(Value::Bool(
                    ctx.state.and_then(|s| s.first_req()).unwrap_or(true),
                ));
            }
        }
    }
}

/// `sc_<data>(N[,table])`, `scN_<data>([table])`, `sc_tracked`...
fn sc_fetch(name: &str, args: &[String]) -> Option<Fetch> {
    let rest = name.strip_prefix("sc")?;
    if let Some(data) = rest.strip_prefix('_') {
        let counter: u8 = args.first()?.trim().parse().ok()?;
        // sc_get_gpc(idx, N[,table]) style fetches carry an extra leading index; keep the
        // common ones (counter first) only.
        return Some(Fetch::Sc {
            counter,
            data: data.into(),
            table: opt_name(args, 1),
        });
    }
    let (n, data) = rest.split_once('_')?;
    let counter: u8 = n.parse().ok()?;
    if counter > 9 {
        return None;
    }
    Some(Fetch::Sc {
        counter,
        data: data.into(),
        table: opt_name(args, 0),
    })
}

fn find_userlist(env: &CompileEnv<'_>, name: &str) -> Result<Arc<Users>, AclError> {
    env.userlists
        .iter()
        .find(|u| u.name == name)
        .cloned()
        .ok_or_else(|| AclError::UnknownUserlist(name.into()))
}

/// IPv4-mapped IPv6 client addresses are shown as IPv4 by HAProxy when the listener is
/// dual-stack? No: HAProxy keeps them as IPv6. Only fold the ones std gives us as mapped
/// from an IPv4 socket (never happens with std), so this is the identity today.
fn canon(ip: IpAddr) -> IpAddr {
    ip
}

fn headers<'c>(ctx: &Ctx<'c>, dir: HdrDir) -> Option<&'c HeaderList> {
    let want_res = match dir {
        HdrDir::Req => false,
        HdrDir::Res => true,
        HdrDir::Auto => ctx.dir == Dir::Response,
    };
    if want_res {
        ctx.res.map(|r| &r.headers)
    } else {
        ctx.req.map(|r| &r.headers)
    }
}

/// Every value of header `name` (all headers when `None`), split on commas unless `full`.
pub(super) fn for_each_value<'c>(
    h: &'c HeaderList,
    name: Option<&str>,
    full: bool,
    f: &mut dyn FnMut(&'c [u8]) -> bool,
) {
    for hd in h.iter() {
        if let Some(n) = name
            && !hd.name.eq_ignore_ascii_case(n)
        {
            continue;
        }
        let v: &'c [u8] = &hd.value;
        if full {
            if f(trim_ows(v)) {
                return;
            }
            continue;
        }
        for part in split_commas(v) {
            if f(part) {
                return;
            }
        }
    }
}

pub(super) fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// Splits a header value on commas outside double quotes (HAProxy's
/// `http_find_hdr_value_end`), trimming spaces around each element.
pub(super) fn split_commas(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut i = start;
        let mut quoted = false;
        while i < v.len() {
            match v[i] {
                b'"' => quoted = !quoted,
                b'\\' if quoted => i += 1,
                b',' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(v.len());
        let part = trim_ows(&v[start.min(end)..end]);
        if i >= v.len() {
            done = true;
        } else {
            start = i + 1;
        }
        Some(part)
    })
}

/// `name=value` pairs of a Cookie header (all) or a Set-Cookie header (the first only).
fn cookies(v: &[u8], set_cookie: bool) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut parts = v.split(|b| *b == b';');
    let mut first = true;
    std::iter::from_fn(move || {
        loop {
            if set_cookie && !first {
                return None;
            }
            first = false;
            let p = trim_ows(parts.next()?);
            if p.is_empty() {
                continue;
            }
            let (k, val) = match p.iter().position(|b| *b == b'=') {
                Some(i) => (trim_ows(&p[..i]), trim_ows(&p[i + 1..])),
                None => (p, &p[p.len()..]),
            };
            return Some((k, val));
        }
    })
}

/// HAProxy's `base`: Host header value + path (no query).
fn base<'c>(r: &'c crate::proxy::http::msg::RequestHead) -> Option<Value<'c>> {
    let path = r.path();
    let host = r
        .headers
        .get("host")
        .map(|h| h.value.as_slice())
        .unwrap_or(b"");
    let mut out = Vec::with_capacity(host.len() + path.len());
    out.extend_from_slice(host);
    out.extend_from_slice(path.as_bytes());
    Some(Value::Str(Cow::Owned(out)))
}

/// `user:password` of a Basic Authorization header.
fn basic_auth(ctx: &Ctx<'_>) -> Option<(String, String)> {
    basic_credentials(&ctx.req?.headers)
}

/// `user:password` of a request's Basic `Authorization` header.
pub fn basic_credentials(headers: &HeaderList) -> Option<(String, String)> {
    let h = headers.get("authorization")?;
    let v = trim_ows(&h.value);
    let sp = v.iter().position(|b| *b == b' ')?;
    if !v[..sp].eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let dec = super::conv::b64_decode(trim_ows(&v[sp + 1..]))?;
    let s = String::from_utf8(dec).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// `req.proto_http` on raw bytes: a request line that ends in ` HTTP/1.x`.
fn looks_like_http(p: &[u8]) -> Option<bool> {
    let end = p
        .windows(2)
        .position(|w| w == b"\r\n")
        .or_else(|| p.iter().position(|b| *b == b'\n'))?;
    let line = &p[..end];
    Some(line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0"))
}

impl Value<'static> {
    /// Borrows a stored constant with the caller's lifetime.
    pub(super) fn reborrow_static<'c>(&'c self) -> Value<'c> {
        self.reborrow()
    }
}

#[cfg(test)]
mod bc_tests {
    use super::*;

    fn text(v: Option<Value<'_>>) -> String {
        v.map(|v| String::from_utf8_lossy(&v.as_str_bytes()).into_owned())
            .unwrap_or_else(|| "<fail>".into())
    }

    /// HAProxy 2.6.12's `http-response set-header X %[FETCH]` values for a TLS 1.2
    /// server connection (ECDHE-RSA-AES128-GCM-SHA256, no ALPN) and a cleartext one.
    #[test]
    fn ssl_bc_values_match_haproxy() {
        let names = [
            "ssl_bc",
            "ssl_bc_protocol",
            "ssl_bc_cipher",
            "ssl_bc_alpn",
            "ssl_bc_use_keysize",
            "ssl_bc_alg_keysize",
            "ssl_bc_is_resumed",
            "ssl_bc_err",
            "ssl_bc_err_str",
        ];
        let t = tls::TlsInfo {
            protocol: "TLSv1.2".into(),
            cipher: "ECDHE-RSA-AES128-GCM-SHA256".into(),
            keysize: 128,
            ..Default::default()
        };
        let got = |tls: Option<&tls::TlsInfo>| -> Vec<String> {
            names
                .iter()
                .map(|n| text(bc_value(bc_fetch(n).unwrap(), tls)))
                .collect()
        };
        assert_eq!(
            got(Some(&t)),
            [
                "1",
                "TLSv1.2",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "<fail>",
                "128",
                "128",
                "0",
                "0",
                "<fail>"
            ]
        );
        assert_eq!(
            got(None),
            [
                "0", "<fail>", "<fail>", "<fail>", "<fail>", "<fail>", "0", "<fail>", "<fail>"
            ]
        );
    }
}
