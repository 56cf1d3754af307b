//! Sample fetches, converters, ACL match methods and conditions (sans-IO).
//!
//! Everything is compiled once from the IR ([`CompiledCond::compile`], [`CompiledSample::compile`])
//! and evaluated many times against a read-only [`Ctx`] built from the transaction. Samples
//! borrow from the request where they can ([`Value`] is `Cow`-based), so evaluating a condition
//! such as `hdr_dom(host) -i example.com` does not allocate.
//!
//! HAProxy semantics kept here: a fetch that fails (header absent, no request yet...) makes the
//! ACL false (and `!acl` true); a fetch with several values (`hdr()` splits on commas,
//! `req.fhdr()` does not) matches if any value does; in a sample expression (`%[hdr(x)]`,
//! `set-var`) the last value is used.

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use crate::ir::haproxy::expr::{Acl, Condition, Sample};
use crate::ir::haproxy::{Config, Userlist};
use crate::proxy::http::msg::{RequestHead, ResponseHead};

mod conv;
mod fetch;
pub mod patref;
mod pattern;
mod sample;
mod userlist;

pub use conv::{b64_decode, b64_encode, expand_backrefs};
pub use fetch::basic_credentials;
pub use sample::format_int;

/// The server name of a TLS ClientHello at the start of `p` (as sent, case kept).
pub fn client_hello_sni(p: &[u8]) -> Option<&[u8]> {
    pattern::client_hello_sni(p)
}
pub use userlist::Users;

/// A typed sample value (HAProxy's `struct sample` data). Strings are byte strings (header
/// values may carry obs-text). `Value<'static>` is the owned form, used for variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Bool(bool),
    Int(i64),
    Str(Cow<'a, [u8]>),
    Bin(Cow<'a, [u8]>),
    Addr(IpAddr),
    /// An HTTP method (`method` fetch).
    Meth(Cow<'a, str>),
}

/// Variable scopes (`proc.`, `sess.`, `txn.`, `req.`, `res.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Proc,
    Sess,
    Txn,
    Req,
    Res,
}

/// Variables of one stream. The session keeps one per connection: `sess` variables live as
/// long as the connection, [`Vars::end_txn`] clears `txn`/`req`/`res` between transactions.
/// `proc` variables are process-wide: a connection starts with the values set so far
/// (by any connection) and its own `set-var(proc.x)` updates the process's value, which
/// `get var proc.x` on the CLI reads.
#[derive(Debug, Clone)]
pub struct Vars {
    scopes: [HashMap<Box<str>, Value<'static>>; 5],
}

/// The process-wide `proc.` variables.
static PROC_VARS: std::sync::Mutex<Option<HashMap<Box<str>, Value<'static>>>> =
    std::sync::Mutex::new(None);

/// A `proc.` variable was ever set: until then a new [`Vars`] (three per request) takes
/// no process-wide lock.
static PROC_SET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn proc_vars() -> std::sync::MutexGuard<'static, Option<HashMap<Box<str>, Value<'static>>>> {
    PROC_VARS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process-wide value of `proc.<name>` (`get var`).
pub fn proc_var(name: &str) -> Option<Value<'static>> {
    proc_vars().as_ref()?.get(name).cloned()
}

impl Default for Vars {
    fn default() -> Self {
        let mut scopes: [HashMap<Box<str>, Value<'static>>; 5] = Default::default();
        if PROC_SET.load(std::sync::atomic::Ordering::Acquire)
            && let Some(p) = proc_vars().as_ref()
        {
            scopes[Scope::Proc as usize] = p.clone();
        }
        Vars { scopes }
    }
}

/// What a fetch needs from the running engine (server states and counters). The engine
/// implements it; every method may answer `None` (the fetch then fails).
pub trait ProxyState {
    /// `nbsrv(backend)`: usable servers of that backend.
    fn nbsrv(&self, backend: &str) -> Option<i64>;
    /// `srv_is_up(backend/server)`.
    fn srv_is_up(&self, backend: &str, server: &str) -> Option<bool>;
    /// `be_conn(backend)`: current connections of that backend.
    fn be_conn(&self, backend: &str) -> Option<i64>;
    /// `fe_conn(frontend)`: current connections of that frontend.
    fn fe_conn(&self, frontend: &str) -> Option<i64>;
    /// `srv_conn(backend/server)`.
    fn srv_conn(&self, _backend: &str, _server: &str) -> Option<i64> {
        None
    }
    /// `srv_id`: the server's numeric id (`id`, else its position in the backend).
    fn srv_id(&self, _backend: &str, _server: &str) -> Option<i64> {
        None
    }
    /// `be_sess_rate(backend)` / `fe_sess_rate(frontend)` (sessions per second).
    fn sess_rate(&self, _proxy: &str) -> Option<i64> {
        None
    }
    /// The TLS values of the transaction's server connection (`ssl_bc*`); `None` in
    /// clear or before there is one. The HTTP session implements this trait over the
    /// engine's for that: a method added here must be forwarded there too.
    fn server_tls(&self) -> Option<&crate::proxy::tls::TlsInfo> {
        None
    }
    /// `http_first_req`: whether the transaction is the first of its client connection
    /// (HAProxy's `!TX_NOT_FIRST`: false on every HTTP/2 stream, measured); `None` outside
    /// an HTTP transaction (the fetch then fails).
    fn first_req(&self) -> Option<bool> {
        None
    }
}

/// Stick tables and the counters the stream tracks (`track-sc*`, `sc_*`, `src_*` fetches).
/// The stick-table module implements it (with interior mutability: `sc_inc_gpc0` and
/// `track-sc*` change state through `&self`).
pub trait TableLookup {
    /// `track-scN KEY table T`: start tracking `key` in table `table` as counter `counter`
    /// (a counter already tracked is left alone, as HAProxy does). False when the key does
    /// not fit the table's type or the table is unknown.
    fn track(
        &self,
        counter: u8,
        table: &str,
        key: &Value<'_>,
        stage: crate::proxy::stick::TrackStage,
        now_ms: u64,
    ) -> bool;
    /// `sc_<data>(N[,table])` / `scN_<data>([table])`: `data` is the suffix as written
    /// (`http_req_rate`, `conn_cur`, `get_gpc0`, `inc_gpc0`, `tracked`...). `table` is `None`
    /// when the fetch names none (then the tracked entry's own table is used).
    fn sc_fetch(&self, counter: u8, table: Option<&str>, data: &str, now_ms: u64) -> Option<i64>;
    /// `src_<data>([table])` and `table_<data>(table)`: the entry of `key` in `table`
    /// (looked up, not created; `src_inc_gpc0` creates it as HAProxy does).
    fn key_fetch(&self, table: &str, key: &Value<'_>, data: &str, now_ms: u64) -> Option<i64>;
}

/// Where the evaluation happens; some fetches depend on it (`hdr` reads the request in
/// request rules and the response in response rules; `status` needs a response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dir {
    #[default]
    Request,
    Response,
}

/// Read-only evaluation context, built by the rules from the transaction for each rule.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub frontend: &'a str,
    pub backend: Option<&'a str>,
    pub server: Option<&'a str>,
    /// The proxy whose rules are being evaluated (default table of `src_*`).
    pub proxy: &'a str,
    pub dir: Dir,
    pub req: Option<&'a RequestHead>,
    pub res: Option<&'a ResponseHead>,
    /// TCP content received so far (tcp-request content) or the start of the request body.
    pub payload: Option<&'a [u8]>,
    /// No more payload will come (end of the inspect delay, or the buffer is full).
    pub payload_final: bool,
    pub vars: &'a Vars,
    pub now_ms: u64,
    /// The client connection's TLS handshake (`ssl_fc*`, `ssl_c_*`); `None` for cleartext.
    pub tls: Option<&'a crate::proxy::tls::TlsInfo>,
    pub state: Option<&'a dyn ProxyState>,
    pub tables: Option<&'a dyn TableLookup>,
    /// Per-transaction unique id (`%ID`, `unique-id`), when the session made one.
    pub unique_id: Option<&'a str>,
    /// The request line as received, when rules rewrote the method or target since
    /// (`%HM`, `%HU`, `%HP`, `%HQ`, `%r` and `capture.req.*` show the original).
    pub orig_method: Option<&'a str>,
    pub orig_uri: Option<&'a str>,
    /// Captured request / response headers (`capture.req.hdr(N)`, `capture.res.hdr(N)`).
    pub req_captures: &'a [Option<Vec<u8>>],
    pub res_captures: &'a [Option<Vec<u8>>],
}

#[derive(Debug, thiserror::Error)]
pub enum AclError {
    #[error("unknown ACL '{0}'")]
    UnknownAcl(String),
    #[error("unknown predefined ACL '{0}'")]
    UnknownPredefined(String),
    #[error("sample fetch '{0}' is not supported")]
    UnsupportedFetch(String),
    #[error("converter '{0}' is not supported")]
    UnsupportedConverter(String),
    #[error("bad argument for '{what}': {msg}")]
    BadArg { what: String, msg: String },
    #[error("regex '{re}': {msg}")]
    Regex { re: String, msg: String },
    #[error("failed to open pattern file '{path}': {msg}")]
    File { path: String, msg: String },
    #[error("unknown userlist '{0}'")]
    UnknownUserlist(String),
}

/// What compiling needs besides the expression: the proxy's named ACLs, the userlists, the
/// directory relative pattern/map files are read from (HAProxy uses its working directory).
#[derive(Clone, Copy)]
pub struct CompileEnv<'a> {
    pub acls: &'a [Acl],
    pub userlists: &'a [Arc<Users>],
    pub base_dir: &'a Path,
    /// The proxy the expression belongs to.
    pub proxy: &'a str,
}

impl<'a> CompileEnv<'a> {
    /// Builds the userlists of a whole config (share them between proxies).
    pub fn userlists(cfg: &Config) -> Vec<Arc<Users>> {
        cfg.userlists
            .iter()
            .map(|u: &Userlist| Arc::new(Users::from_ir(u)))
            .collect()
    }
}

/// A compiled sample expression: fetch + converters.
#[derive(Debug, Clone)]
pub struct CompiledSample {
    inner: sample::Expr,
}

impl CompiledSample {
    pub fn compile(s: &Sample, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        Ok(CompiledSample {
            inner: sample::Expr::compile(s, env)?,
        })
    }

    /// The value the expression gives (the last one for multi-valued fetches), or `None`
    /// when the fetch or a converter fails.
    pub fn eval<'c>(&'c self, ctx: &Ctx<'c>) -> Option<Value<'c>> {
        self.inner.eval_last(ctx)
    }

    /// The value as text (as `%[...]` prints it): ints in decimal, addresses dotted, binary
    /// as is (HAProxy prints it raw in headers).
    pub fn eval_bytes(&self, ctx: &Ctx<'_>, out: &mut Vec<u8>) -> bool {
        match self.eval(ctx) {
            Some(v) => {
                sample::append_value(&v, out);
                true
            }
            None => false,
        }
    }
}

/// One compiled ACL (fetch + match method + patterns).
#[derive(Debug, Clone)]
pub struct CompiledAcl {
    inner: pattern::AclMatcher,
}

impl CompiledAcl {
    pub fn compile(acl: &Acl, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        Ok(CompiledAcl {
            inner: pattern::AclMatcher::compile(acl, env)?,
        })
    }

    pub fn eval(&self, ctx: &Ctx<'_>) -> bool {
        self.inner.eval(ctx)
    }
}

/// A compiled `if|unless` condition.
#[derive(Debug, Clone)]
pub struct CompiledCond {
    unless: bool,
    any_of: Vec<Vec<(bool, Arc<CompiledAcl>)>>,
}

impl CompiledCond {
    /// Compiles the condition; named ACLs are looked up in `env.acls` (every ACL line with
    /// that name, ORed, as HAProxy merges same-name ACLs).
    pub fn compile(c: &Condition, env: &CompileEnv<'_>) -> Result<Self, AclError> {
        pattern::compile_cond(c, env)
    }

    pub fn eval(&self, ctx: &Ctx<'_>) -> bool {
        let mut res = false;
        for and in &self.any_of {
            if and.iter().all(|(neg, acl)| acl.eval(ctx) != *neg) {
                res = true;
                break;
            }
        }
        res != self.unless
    }

    /// `Option<&CompiledCond>` convenience: no condition = true.
    pub fn eval_opt(c: Option<&CompiledCond>, ctx: &Ctx<'_>) -> bool {
        c.is_none_or(|c| c.eval(ctx))
    }
}

impl Vars {
    pub fn new() -> Self {
        Vars::default()
    }

    /// `name` is `scope.var` (`txn.x`).
    pub fn get(&self, name: &str) -> Option<&Value<'static>> {
        let (scope, var) = split_var(name)?;
        self.get_in(scope, var)
    }

    pub fn get_in(&self, scope: Scope, var: &str) -> Option<&Value<'static>> {
        self.scopes[scope as usize].get(var)
    }

    pub fn set(&mut self, name: &str, v: Value<'_>) -> bool {
        match split_var(name) {
            Some((scope, var)) => {
                self.set_in(scope, var, v);
                true
            }
            None => false,
        }
    }

    pub fn set_in(&mut self, scope: Scope, var: &str, v: Value<'_>) {
        if scope == Scope::Proc {
            proc_vars()
                .get_or_insert_with(HashMap::new)
                .insert(var.into(), v.reborrow().into_owned());
            PROC_SET.store(true, std::sync::atomic::Ordering::Release);
        }
        let map = &mut self.scopes[scope as usize];
        match map.get_mut(var) {
            Some(slot) => *slot = v.into_owned(),
            None => {
                map.insert(var.into(), v.into_owned());
            }
        }
    }

    pub fn unset(&mut self, name: &str) {
        if let Some((scope, var)) = split_var(name) {
            self.unset_in(scope, var);
        }
    }

    pub fn unset_in(&mut self, scope: Scope, var: &str) {
        if scope == Scope::Proc
            && let Some(p) = proc_vars().as_mut()
        {
            p.remove(var);
        }
        self.scopes[scope as usize].remove(var);
    }

    /// Starts a transaction with the `sess` variables the connection's previous one left
    /// in `prev` (HAProxy keeps them for the whole client connection); the other scopes
    /// stay as [`Vars::new`] made them (`proc`: the process's current values).
    pub fn keep_sess(&mut self, prev: &mut Vars) {
        let sess = Scope::Sess as usize;
        self.scopes[sess] = std::mem::take(&mut prev.scopes[sess]);
    }

    /// Clears the `txn`, `req` and `res` scopes (end of an HTTP transaction).
    pub fn end_txn(&mut self) {
        for s in [Scope::Txn, Scope::Req, Scope::Res] {
            self.scopes[s as usize].clear();
        }
    }
}

/// Splits `txn.x` into its scope and name.
pub fn split_var(name: &str) -> Option<(Scope, &str)> {
    let (s, v) = name.split_once('.')?;
    let scope = match s {
        "proc" => Scope::Proc,
        "sess" => Scope::Sess,
        "txn" => Scope::Txn,
        "req" => Scope::Req,
        "res" => Scope::Res,
        _ => return None,
    };
    Some((scope, v))
}

impl<'a> Value<'a> {
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bin(s) => Value::Bin(Cow::Owned(s.into_owned())),
            Value::Addr(a) => Value::Addr(a),
            Value::Meth(m) => Value::Meth(Cow::Owned(m.into_owned())),
        }
    }

    /// A borrowed copy (no allocation).
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Str(s) => Value::Str(Cow::Borrowed(s)),
            Value::Bin(s) => Value::Bin(Cow::Borrowed(s)),
            Value::Addr(a) => Value::Addr(*a),
            Value::Meth(m) => Value::Meth(Cow::Borrowed(m)),
        }
    }

    /// HAProxy's sample type name (`get var`: `type=str`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "sint",
            Value::Str(_) => "str",
            Value::Bin(_) => "bin",
            Value::Addr(IpAddr::V4(_)) => "ipv4",
            Value::Addr(IpAddr::V6(_)) => "ipv6",
            Value::Meth(_) => "meth",
        }
    }

    /// The value as `get var` prints it.
    pub fn display(&self) -> String {
        String::from_utf8_lossy(&self.to_bytes()).into_owned()
    }

    pub fn str(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s.as_bytes()))
    }

    /// The value as text bytes (ints in decimal, addresses dotted, booleans 0/1).
    pub fn to_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Value::Str(s) | Value::Bin(s) => Cow::Borrowed(s),
            Value::Meth(m) => Cow::Borrowed(m.as_bytes()),
            other => {
                let mut out = Vec::new();
                sample::append_value(other, &mut out);
                Cow::Owned(out)
            }
        }
    }
}

#[cfg(test)]
mod tests;
