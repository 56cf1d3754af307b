//! Sample expressions (`fetch(args),conv(args),...`) checked against
//! HAProxy 2.6.12's fetch, converter and ACL keyword lists
//! (`grammar/haproxy-samples.tbl`, taken from `haproxy -dK...`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::grammar::grammar;
use crate::ir::haproxy::expr::{Converter, Sample};

/// One fetch or converter signature.
#[derive(Debug, Clone)]
pub struct Sig {
    pub name: &'static str,
    /// Argument type names as HAProxy prints them (`integer`, `string`, ...).
    pub args: Vec<&'static str>,
    /// How many of `args` are mandatory.
    pub mandatory: usize,
    /// Converters: input type; fetches: "".
    pub input: &'static str,
    pub output: &'static str,
    /// Fetches: where they are usable (HAProxy's SMP_VAL_* places).
    pub places: Vec<&'static str>,
}

pub struct Tables {
    pub fetches: HashMap<&'static str, Sig>,
    pub fetch_order: Vec<&'static str>,
    pub convs: HashMap<&'static str, Sig>,
    /// ACL keyword -> (fetch, match method name).
    pub acl_kws: HashMap<&'static str, (&'static str, &'static str)>,
    pub services: Vec<&'static str>,
}

/// `(a,b[,c]): out` or `(a): in => out`.
fn parse_sig(name: &'static str, s: &'static str, places: Vec<&'static str>) -> Sig {
    let (args_part, types) = match s.rfind("): ") {
        Some(k) => (&s[..=k], &s[k + 3..]),
        None => (
            "",
            s.trim_start_matches(": ").trim_start_matches(':').trim(),
        ),
    };
    let inner = args_part.trim_start_matches('(').trim_end_matches(')');
    let mandatory_part = inner.split('[').next().unwrap_or("");
    let clean = |t: &'static str| -> Vec<&'static str> {
        t.split(',')
            .map(|a| a.trim_matches(|c| c == '[' || c == ']' || c == ' '))
            .filter(|a| !a.is_empty())
            .collect()
    };
    let args = clean(inner);
    let mandatory = clean(mandatory_part).len();
    let (input, output) = match types.split_once(" => ") {
        Some((i, o)) => (i.trim(), o.trim()),
        None => ("", types.trim()),
    };
    Sig {
        name,
        args,
        mandatory,
        input,
        output,
        places,
    }
}

pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Tables {
            fetches: HashMap::new(),
            fetch_order: Vec::new(),
            convs: HashMap::new(),
            acl_kws: HashMap::new(),
            services: Vec::new(),
        };
        for k in grammar().table("haproxy-samples") {
            let Some((kind, name)) = k.keyword.split_once(' ') else {
                continue;
            };
            match kind {
                "fetch" => {
                    let places = if k.sections.contains(&"*") {
                        PLACES.to_vec()
                    } else {
                        k.sections.clone()
                    };
                    t.fetches.insert(name, parse_sig(name, k.args, places));
                    t.fetch_order.push(name);
                }
                "conv" => {
                    t.convs.insert(name, parse_sig(name, k.args, Vec::new()));
                }
                "acl" => {
                    if let Some((f, m)) = k.args.split_once(" -m ") {
                        t.acl_kws.insert(name, (f.trim(), m.trim()));
                    }
                }
                "service" => t.services.push(name),
                _ => {}
            }
        }
        t
    })
}

/// HAProxy's sample usage places, in its order, with the names its
/// messages use.
pub const PLACES: &[&str] = &[
    "fe-tcp-conn",
    "fe-tcp-sess",
    "fe-tcp-content",
    "fe-http-req",
    "fe-http-req-body",
    "fe-use-backend",
    "be-tcp-content",
    "be-http-req",
    "be-http-req-body",
    "be-use-server",
    "srv-source",
    "be-tcp-res",
    "be-http-res",
    "be-http-res-body",
    "be-stick-store",
    "fe-tcp-res",
    "fe-http-res",
    "fe-http-res-body",
    "logs",
    "be-tcp-check",
    "cfg",
    "cli",
];

/// The text HAProxy uses for a place (`sample_ckp_names`).
pub fn place_name(place: &str) -> &'static str {
    match place {
        "fe-tcp-conn" => "frontend tcp-request connection rule",
        "fe-tcp-sess" => "frontend tcp-request session rule",
        "fe-tcp-content" => "frontend tcp-request content rule",
        "fe-http-req" => "frontend http-request header rule",
        "fe-http-req-body" => "frontend http-request body rule",
        "fe-use-backend" => "frontend use-backend rule",
        "be-tcp-content" => "backend tcp-request content rule",
        "be-http-req" => "backend http-request header rule",
        "be-http-req-body" => "backend http-request body rule",
        "be-use-server" => "backend use-server, balance or stick-match rule",
        "srv-source" => "server source selection",
        "be-tcp-res" => "backend tcp-response content rule",
        "be-http-res" => "backend http-response header rule",
        "be-http-res-body" => "backend http-response body rule",
        "be-stick-store" => "backend stick-store rule",
        "fe-tcp-res" => "frontend tcp-response content rule",
        "fe-http-res" => "frontend http-response header rule",
        "fe-http-res-body" => "frontend http-response body rule",
        "logs" => "logs",
        "be-tcp-check" => "backend tcp-check rule",
        "cfg" => "configuration parser",
        "cli" => "CLI parser",
        _ => "unknown",
    }
}

/// Whether a value of type `from` can be used where `to` is expected
/// (HAProxy's `sample_casts` table).
pub fn can_cast(from: &str, to: &str) -> bool {
    if from == to || to == "any" || from == "any" {
        return true;
    }
    match from {
        "bool" => matches!(to, "sint" | "str"),
        "sint" => matches!(to, "bool" | "addr" | "ipv4" | "ipv6" | "str" | "bin"),
        "ipv4" => matches!(to, "sint" | "addr" | "ipv6" | "str" | "bin"),
        "ipv6" => matches!(to, "addr" | "ipv4" | "str" | "bin"),
        "str" => matches!(
            to,
            "bool" | "sint" | "addr" | "ipv4" | "ipv6" | "bin" | "meth"
        ),
        "bin" => matches!(to, "str" | "meth"),
        "meth" => matches!(to, "str" | "bin"),
        "addr" => false,
        _ => true,
    }
}

/// Argument list parsing failed; the text is HAProxy's.
#[derive(Debug)]
pub struct ArgErr {
    pub msg: String,
    /// 1-based position of the argument in error (converter messages name it).
    pub pos: usize,
}

/// Check one argument against its type.
fn check_arg(v: &str, ty: &str, pos: usize) -> Result<(), ArgErr> {
    let ok = match ty {
        "integer" => {
            let t = v.strip_prefix(['-', '+']).unwrap_or(v);
            !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())
        }
        "IPv4 address" => v.parse::<std::net::Ipv4Addr>().is_ok(),
        "IPv6 address" => v.parse::<std::net::Ipv6Addr>().is_ok(),
        "IPv4 mask" => {
            v.parse::<std::net::Ipv4Addr>().is_ok() || v.parse::<u8>().is_ok_and(|n| n <= 32)
        }
        "IPv6 mask" => v.parse::<u8>().is_ok_and(|n| n <= 128),
        "regex" => {
            if let Err(e) = super::pcre::check(v) {
                return Err(ArgErr { msg: e, pos });
            }
            true
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ArgErr {
            msg: format!("failed to parse '{v}' as type '{ty}' at position {pos}"),
            pos,
        })
    }
}

/// HAProxy's `make_arg_list()` on the text right after '(' . Returns the
/// arguments and the index just past ')'.
pub fn parse_args(text: &str, sig: &Sig) -> Result<(Vec<String>, usize), ArgErr> {
    let b = text.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    if b.first() == Some(&b')') && sig.mandatory == 0 {
        return Ok((args, 1));
    }
    loop {
        if args.len() >= sig.args.len() {
            return Err(ArgErr {
                msg: format!("expected ')' before '{}'", &text[i..]),
                pos: args.len() + 1,
            });
        }
        // An argument ends at ',' or ')'; quotes protect their contents. A backslash
        // makes a following backslash or quote literal and is kept before anything else
        // (measured on 2.6.12: `regsub(\d,X)` is a digit class, `str(a\\b)` is `a\b`,
        // `str("a\"b")` is `a"b`, `str(a\,b)` has two arguments).
        let mut v = String::new();
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            let escaped = c == b'\\'
                && quote != Some(b'\'')
                && matches!(b.get(i + 1), Some(b'\\' | b'"' | b'\''));
            match quote {
                _ if escaped => {
                    i += 1;
                    v.push(char::from(b[i]));
                }
                Some(q) if c == q => quote = None,
                Some(_) => v.push(char::from(c)),
                None if c == b',' || c == b')' => break,
                None if c == b'\'' || c == b'"' => quote = Some(c),
                None => v.push(char::from(c)),
            }
            i += 1;
        }
        // Bytes were pushed one by one; rebuild the text for non-ASCII input.
        let v = String::from_utf8(v.chars().map(|c| c as u8).collect()).unwrap_or(v);
        let v = v.as_str();
        let pos = args.len() + 1;
        // an empty optional last argument counts as absent (measured on 2.6.12:
        // `field(1,x,)` and `bytes(1,)` are valid, `field(,x)` is not)
        if v.is_empty() && pos > sig.mandatory && b.get(i) == Some(&b')') {
            return Ok((args, i + 1));
        }
        let ty = sig.args.get(pos - 1).copied().unwrap_or("string");
        check_empty(v, ty, pos)?;
        check_arg(v, ty, pos)?;
        args.push(v.to_string());
        match b.get(i) {
            Some(b')') => {
                if args.len() < sig.mandatory {
                    return Err(missing(args.len(), sig));
                }
                return Ok((args, i + 1));
            }
            Some(b',') => {
                if args.len() >= sig.args.len() {
                    return Err(ArgErr {
                        msg: format!("expected ')' before '{}'", &text[i..]),
                        pos: args.len() + 1,
                    });
                }
                i += 1;
            }
            _ => {
                return Err(ArgErr {
                    msg: "expected ')'".into(),
                    pos: args.len(),
                });
            }
        }
    }
}

/// Types for which an empty argument is refused (the others, names of
/// proxies, tables, strings..., are resolved or used as is).
fn check_empty(v: &str, ty: &str, pos: usize) -> Result<(), ArgErr> {
    let refused = matches!(
        ty,
        "integer"
            | "IPv4 address"
            | "IPv4 mask"
            | "IPv6 address"
            | "IPv6 mask"
            | "Protocol buffers field number"
    );
    if v.is_empty() && refused {
        return Err(ArgErr {
            msg: format!("expected type '{ty}' at position {pos}, but got nothing"),
            pos,
        });
    }
    Ok(())
}

/// A fetch or converter written without parentheses: HAProxy parses an
/// empty argument list, i.e. one empty argument when one is mandatory.
fn args_without_parens(sig: &Sig) -> Result<Vec<String>, ArgErr> {
    if sig.mandatory == 0 {
        return Ok(Vec::new());
    }
    let ty = sig.args.first().copied().unwrap_or("string");
    check_empty("", ty, 1)?;
    if sig.mandatory > 1 {
        return Err(missing(1, sig));
    }
    Ok(vec![String::new()])
}

fn missing(got: usize, sig: &Sig) -> ArgErr {
    ArgErr {
        msg: format!(
            "missing arguments (got {got}/{}), type '{}' expected",
            sig.mandatory,
            sig.args.get(got).copied().unwrap_or("string")
        ),
        pos: got + 1,
    }
}

/// Who is parsing: the messages differ between an ACL keyword
/// (`ACL keyword 'hdr' : ...`) and a sample fetch (`fetch method 'x' : ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    AclKeyword,
    Fetch,
}

/// A sample expression error, already worded for its `Via`.
#[derive(Debug)]
pub struct ExprErr(pub String);

/// Parse `word` (one config word) as fetch + converters. For `Via::AclKeyword`,
/// `fetch_sig` is the signature of the keyword's fetch and `kw` the keyword.
/// Error texts: see the tests of `expr` (measured on HAProxy 2.6.12).
pub fn parse_expr(word: &str, kw: &str, fetch_sig: &Sig, via: Via) -> Result<Sample, ExprErr> {
    let t = tables();
    let name_end = word.find(['(', ',']).unwrap_or(word.len());
    let mut sample = Sample {
        text: word.to_string(),
        fetch: fetch_sig.name.to_string(),
        ..Sample::default()
    };
    let acl_pfx = format!("ACL keyword '{kw}' : ");
    let fetch_pfx = format!("fetch method '{kw}' : ");
    let mut i = name_end;
    if word.as_bytes().get(i) == Some(&b'(') {
        let (args, used) = parse_args(&word[i + 1..], fetch_sig).map_err(|e| match via {
            Via::AclKeyword => ExprErr(format!("{acl_pfx}{}", e.msg)),
            Via::Fetch => ExprErr(format!("{fetch_pfx}{}", e.msg)),
        })?;
        sample.args = args;
        i += 1 + used;
        check_fetch_args(fetch_sig.name, &sample.args).map_err(|m| match via {
            Via::AclKeyword => ExprErr(format!(
                "{acl_pfx}invalid args in fetch method '{kw}' : {m}"
            )),
            Via::Fetch => ExprErr(format!("invalid args in fetch method '{kw}' : {m}")),
        })?;
    } else {
        sample.args = args_without_parens(fetch_sig).map_err(|e| match via {
            Via::AclKeyword => ExprErr(format!("{acl_pfx}{}", e.msg)),
            Via::Fetch => ExprErr(format!("{fetch_pfx}{}", e.msg)),
        })?;
    }
    let mut cur = fetch_sig.output;
    // converters
    loop {
        match word.as_bytes().get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => {
                return Err(ExprErr(match via {
                    Via::AclKeyword => format!("{acl_pfx}missing comma after fetch keyword."),
                    Via::Fetch => format!("missing comma after fetch keyword '{kw}'"),
                }));
            }
        }
        let rest = &word[i..];
        let end = rest.find(['(', ',']).unwrap_or(rest.len());
        let cname = &rest[..end];
        if cname.is_empty() {
            // HAProxy stops at an empty converter name (`lower,,` is accepted).
            break;
        }
        let wrap = |m: String| -> ExprErr {
            match via {
                Via::AclKeyword => ExprErr(format!("{acl_pfx}{m}.")),
                Via::Fetch => ExprErr(m),
            }
        };
        let Some(csig) = t.convs.get(cname) else {
            return Err(wrap(format!("unknown converter '{cname}'")));
        };
        i += end;
        let cargs;
        if word.as_bytes().get(i) == Some(&b'(') {
            let (a, used) = parse_args(&word[i + 1..], csig).map_err(|e| {
                wrap(format!(
                    "invalid arg {} in converter '{cname}' : {}",
                    e.pos.max(1),
                    e.msg
                ))
            })?;
            cargs = a;
            i += 1 + used;
        } else {
            cargs = args_without_parens(csig).map_err(|e| {
                wrap(format!(
                    "invalid arg {} in converter '{cname}' : {}",
                    e.pos.max(1),
                    e.msg
                ))
            })?;
        }
        if !can_cast(cur, csig.input) {
            return Err(wrap(format!("converter '{cname}' cannot be applied")));
        }
        check_conv_args(cname, &cargs)
            .map_err(|m| wrap(format!("invalid args in converter '{cname}' : {m}")))?;
        // An `any` output (json_query, set-var, debug...) stays `any`: HAProxy
        // then wants an explicit `-m` in ACLs.
        cur = csig.output;
        sample.converters.push(Converter {
            name: cname.to_string(),
            args: cargs,
        });
    }
    sample.output = cur.to_string();
    Ok(sample)
}

/// A variable name with its scope (HAProxy's `vars_check_arg()` accepts
/// these; the name after the scope may be empty).
fn scoped_var(name: &str) -> bool {
    ["proc.", "sess.", "txn.", "req.", "res.", "check."]
        .iter()
        .any(|s| name.starts_with(s))
}

/// HAProxy's text for a variable name without its scope.
fn bad_var_name(name: &str) -> String {
    format!(
        "invalid variable name '{name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'"
    )
}

/// A whole-word signed decimal integer (C's `strtoll` with nothing left).
fn is_integer(v: &str) -> bool {
    let t = v.strip_prefix(['-', '+']).unwrap_or(v);
    !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())
}

/// The time unit argument of `date`, `http_date`, `ltime`, `utime`.
fn check_time_unit(unit: Option<&String>) -> Result<(), String> {
    match unit.map(String::as_str) {
        None | Some("" | "s" | "ms" | "us") => Ok(()),
        Some(u) => Err(format!("expects 's', 'ms' or 'us', got '{u}'")),
    }
}

/// OpenSSL digest names `EVP_get_digestbyname()` knows (OpenSSL 3,
/// Debian 12), compared case-insensitively.
const DIGESTS: &[&str] = &[
    "md4",
    "md5",
    "md5-sha1",
    "mdc2",
    "ripemd",
    "ripemd160",
    "rmd160",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha512-224",
    "sha512-256",
    "sha2-224",
    "sha2-256",
    "sha2-384",
    "sha2-512",
    "sha2-512/224",
    "sha2-512/256",
    "sha3-224",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "shake128",
    "shake256",
    "blake2b512",
    "blake2s256",
    "sm3",
    "ssl3-md5",
    "ssl3-sha1",
];

/// Fetch-specific checks HAProxy does at parse time (`val_args`); the text
/// goes after `invalid args in fetch method 'NAME' : `.
pub fn check_fetch_args(name: &str, args: &[String]) -> Result<(), String> {
    match name {
        "var" => match args.first() {
            Some(v) if !scoped_var(v) => Err(bad_var_name(v)),
            _ => Ok(()),
        },
        "date" => check_time_unit(args.get(1)),
        "uuid" => match args.first().filter(|v| !v.is_empty()) {
            Some(v) if super::super::values::atol(v) != 4 => Err(format!(
                "Unsupported UUID version: '{}'",
                super::super::values::atol(v)
            )),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Converter-specific checks HAProxy does at parse time (`val_args`).
fn check_conv_args(name: &str, args: &[String]) -> Result<(), String> {
    let arg = |i: usize| args.get(i).map(String::as_str);
    if name.starts_with("map")
        && let Some(f) = args.first()
        && std::fs::File::open(f).is_err()
    {
        return Err(format!("failed to open pattern file <{f}>"));
    }
    match name {
        "sha2" => {
            if let Some(b) = arg(0).filter(|b| !b.is_empty()) {
                let bits = super::super::values::atol(b);
                if ![224, 256, 384, 512].contains(&bits) {
                    return Err(format!("Unsupported number of bits: '{bits}'"));
                }
            }
        }
        "regsub" => {
            if let Some(c) = arg(2).and_then(|f| f.chars().find(|c| !matches!(c, 'i' | 'g'))) {
                return Err(format!(
                    "invalid regex flag '{c}', only 'i' and 'g' are supported"
                ));
            }
        }
        "json_query" => {
            if let Some(t) = arg(1).filter(|t| !t.is_empty())
                && t != "int"
            {
                return Err("output_type only supports \"int\" as argument".into());
            }
        }
        "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" => {
            if let Some(v) = arg(0)
                && !is_integer(v)
                && !scoped_var(v)
            {
                return Err("expects an integer or a variable name".into());
            }
        }
        "strcmp" | "secure_memcmp" => {
            if let Some(v) = arg(0)
                && !scoped_var(v)
            {
                return Err(format!("failed to register variable name '{v}'"));
            }
        }
        "concat" => {
            if let Some(v) = arg(1).filter(|v| !v.is_empty())
                && !scoped_var(v)
            {
                return Err(format!("failed to register variable name '{v}'"));
            }
        }
        "set-var" | "unset-var" => {
            if let Some(v) = arg(0)
                && !scoped_var(v)
            {
                return Err(bad_var_name(v));
            }
            const CONDS: &[&str] = &[
                "ifexists",
                "ifnotexists",
                "ifempty",
                "ifnotempty",
                "ifset",
                "ifnotset",
                "ifgt",
                "iflt",
            ];
            if let Some(c) = args.iter().skip(1).find(|c| !CONDS.contains(&c.as_str())) {
                return Err(format!("unknown condition \"{c}\""));
            }
        }
        "field" | "word" => {
            if arg(0).is_some_and(|i| super::super::values::atol(i) == 0) {
                return Err("Unexpected value 0 for index".into());
            }
            if arg(1).is_some_and(str::is_empty) {
                return Err("Empty separators list".into());
            }
        }
        "http_date" => check_time_unit(args.get(1))?,
        "ltime" | "utime" => check_time_unit(args.get(2))?,
        "json" => {
            if let Some(v) = arg(0).filter(|v| !v.is_empty())
                && !matches!(v, "ascii" | "utf8" | "utf8s" | "utf8p" | "utf8ps")
            {
                return Err("Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'".into());
            }
        }
        "aes_gcm_dec" => {
            if let Some(b) = arg(0)
                && !matches!(super::super::values::atol(b), 128 | 192 | 256)
            {
                return Err("key size must be 128, 192 or 256 (bits).".into());
            }
        }
        "digest" | "hmac" => {
            if let Some(d) = arg(0)
                && !DIGESTS.iter().any(|n| n.eq_ignore_ascii_case(d))
            {
                return Err("algorithm must be a valid OpenSSL message digest name.".into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parse a sample expression used outside ACLs (`%[...]`, `track-sc0 src`,
/// `stick on`, `set-var(x) EXPR`): errors read `fetch method 'x' : ...`,
/// `unknown fetch method 'x'`, ... without the ACL context.
pub fn parse_sample(word: &str) -> Result<Sample, String> {
    let name_end = word.find(['(', ',']).unwrap_or(word.len());
    let name = &word[..name_end];
    if name.is_empty() {
        return Err("missing fetch method".into());
    }
    let Some(sig) = tables().fetches.get(name) else {
        return Err(format!("unknown fetch method '{name}'"));
    };
    parse_expr(word, name, sig, Via::Fetch).map_err(|e| e.0)
}
