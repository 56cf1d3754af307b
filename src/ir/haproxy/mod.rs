//! IR of haproxy.cfg: global settings, defaults, proxies, userlists, ...
//! (Owner: the sections/keywords parser, `config::haproxy::parser`.)
//!
//! Everything is ordered (Vec, not maps) so that dumps are deterministic.
//! Times are milliseconds, sizes bytes. Settings that a `defaults` section
//! passes on to proxies live in [`ProxySettings`], which a proxy starts from
//! (a copy of its defaults section's settings, as HAProxy does).

pub mod expr;

use serde::Serialize;

use self::expr::{Acl, Bind, Condition, Rule, Server};

/// Where something was declared (the file name as given, 1-based line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Span {
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Config {
    pub global: Global,
    pub defaults: Vec<Defaults>,
    pub proxies: Vec<Proxy>,
    pub userlists: Vec<Userlist>,
    /// `peers`, `resolvers`, `mailers`, `http-errors`, `cache`, `ring`,
    /// `program`: kept as checked directive lists until their engines land.
    pub other_sections: Vec<OtherSection>,
}

/// A keyword with its arguments, for settings without a dedicated field yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Directive {
    pub span: Span,
    pub keyword: String,
    pub args: Vec<String>,
}

/// A `log` line (global or proxy).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LogTarget {
    /// `log global`: use the global section's targets.
    Global,
    Target {
        /// `127.0.0.1:514`, `/dev/log`, `stdout`, `ring@name`, ...
        address: String,
        /// `len N`, `format F`, `sample R:N` as written.
        options: Vec<String>,
        facility: String,
        level: Option<String>,
        min_level: Option<String>,
    },
}

/// A system user or group given by name or number and resolved as HAProxy does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub name: Option<String>,
    pub id: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuMap {
    pub threads: String,
    pub cpus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsSocket {
    pub span: Span,
    pub address: String,
    /// Bind parameters (`mode 660 level admin ...`) as written.
    pub params: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Global {
    pub log: Vec<LogTarget>,
    pub log_send_hostname: Option<String>,
    pub log_tag: Option<String>,
    pub maxconn: Option<i64>,
    pub user: Option<Identity>,
    pub group: Option<Identity>,
    pub chroot: Option<String>,
    pub daemon: bool,
    /// `quiet`: like `-q`, `haproxy -c` then prints nothing on success.
    pub quiet: bool,
    pub master_worker: bool,
    pub master_worker_no_exit_on_failure: bool,
    pub pidfile: Option<String>,
    pub nbthread: Option<u32>,
    pub cpu_map: Vec<CpuMap>,
    pub stats_sockets: Vec<StatsSocket>,
    pub stats_timeout_ms: Option<u64>,
    pub stats_maxconn: Option<i64>,
    pub hard_stop_after_ms: Option<u64>,
    pub ca_base: Option<String>,
    pub crt_base: Option<String>,
    pub spread_checks: Option<u32>,
    /// `setenv`/`presetenv`/`unsetenv`/`resetenv` in order.
    pub env: Vec<EnvDirective>,
    /// `ssl-default-bind-*` / `ssl-default-server-*` keywords and their values.
    pub ssl_defaults: Vec<Directive>,
    /// `tune.*` keywords and their (validated) values.
    pub tune: Vec<Directive>,
    /// Other accepted global keywords (see grammar/haproxy-global.tbl).
    pub other: Vec<Directive>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EnvDirective {
    Set { name: String, value: String },
    Preset { name: String, value: String },
    Unset { names: Vec<String> },
    Reset { keep: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mode {
    Tcp,
    Http,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Tcp => "tcp",
            Mode::Http => "http",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timeouts {
    pub client: Option<u64>,
    pub server: Option<u64>,
    pub connect: Option<u64>,
    pub check: Option<u64>,
    pub queue: Option<u64>,
    pub http_request: Option<u64>,
    pub http_keep_alive: Option<u64>,
    pub tunnel: Option<u64>,
    pub tarpit: Option<u64>,
    pub client_fin: Option<u64>,
    pub server_fin: Option<u64>,
}

/// `option NAME [ARGS]` / `no option NAME`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProxyOption {
    /// Where it was set (possibly in the defaults section it came from).
    pub span: Span,
    pub name: String,
    pub enabled: bool,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Balance {
    RoundRobin,
    StaticRr,
    LeastConn,
    First,
    Source,
    Uri { args: Vec<String> },
    UrlParam { param: String, args: Vec<String> },
    Hdr { name: String, use_domain_only: bool },
    RdpCookie { name: Option<String> },
    Random { draws: Option<u32> },
    Hash { expr: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HashType {
    pub method: String,
    pub function: Option<String>,
    pub modifier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cookie {
    pub name: String,
    /// `insert`, `indirect`, `nocache`, `domain D`, `maxidle T`, ... as written.
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub enabled: bool,
    pub uri: Option<String>,
    pub realm: Option<String>,
    pub auth: Vec<String>,
    pub refresh_ms: Option<u64>,
    pub hide_version: bool,
    pub show_legends: bool,
    pub show_node: Option<Option<String>>,
    pub show_desc: Option<Option<String>>,
    pub scope: Vec<String>,
    /// `stats admin if|unless COND`.
    pub admin: Vec<Condition>,
    /// `stats http-request ...` rules.
    pub http_request: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorFile {
    pub keyword: String,
    pub status: u16,
    pub target: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Compression {
    pub algo: Vec<String>,
    pub types: Vec<String>,
    pub offload: bool,
}

/// What a `defaults` section passes on and what a proxy inherits.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProxySettings {
    pub mode: Option<Mode>,
    pub log: Vec<LogTarget>,
    pub options: Vec<ProxyOption>,
    pub timeouts: Timeouts,
    pub retries: Option<i64>,
    pub maxconn: Option<i64>,
    pub fullconn: Option<i64>,
    pub backlog: Option<i64>,
    pub balance: Option<Balance>,
    pub hash_type: Option<HashType>,
    pub cookie: Option<Cookie>,
    pub default_server: Option<Server>,
    pub log_format: Option<String>,
    pub unique_id_format: Option<String>,
    pub unique_id_header: Option<String>,
    pub monitor_uri: Option<String>,
    pub stats: Stats,
    pub compression: Compression,
    pub errorfiles: Vec<ErrorFile>,
    pub http_reuse: Option<String>,
    pub default_backend: Option<Named>,
    /// Accepted keywords without a dedicated field yet.
    pub other: Vec<Directive>,
}

impl ProxySettings {
    /// The effective state of `option NAME` (the last line that set it).
    pub fn option(&self, name: &str) -> Option<&ProxyOption> {
        self.options.iter().rev().find(|o| o.name == name)
    }
}

/// A name with where it was written (`default_backend`, `use_backend`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Named {
    pub span: Span,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Defaults {
    pub span: Span,
    /// "" for an anonymous defaults section.
    pub name: String,
    pub from: Option<String>,
    pub settings: ProxySettings,
    pub acls: Vec<Located<Acl>>,
    pub rules: Vec<Located<Rule>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProxyKind {
    Frontend,
    Backend,
    Listen,
}

impl ProxyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyKind::Frontend => "frontend",
            ProxyKind::Backend => "backend",
            ProxyKind::Listen => "listen",
        }
    }

    pub fn is_frontend(self) -> bool {
        matches!(self, ProxyKind::Frontend | ProxyKind::Listen)
    }

    pub fn is_backend(self) -> bool {
        matches!(self, ProxyKind::Backend | ProxyKind::Listen)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located<T> {
    pub span: Span,
    pub value: T,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UseBackend {
    pub span: Span,
    /// A name, or a log-format expression (`%[...]`) resolved at run time.
    pub backend: String,
    pub dynamic: bool,
    pub cond: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StickTable {
    pub span: Span,
    /// `type ip size 100k expire 30s store ...` as written.
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capture {
    pub direction: String,
    pub header: String,
    pub len: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proxy {
    pub span: Span,
    pub kind: ProxyKind,
    pub name: String,
    /// The defaults section it inherits from ("" = anonymous, None = none).
    pub defaults: Option<String>,
    pub disabled: bool,
    pub settings: ProxySettings,
    pub binds: Vec<Located<Bind>>,
    pub servers: Vec<Located<Server>>,
    pub acls: Vec<Located<Acl>>,
    /// http-request, http-response, tcp-request, redirect, stick, ... in order.
    pub rules: Vec<Located<Rule>>,
    pub use_backends: Vec<UseBackend>,
    pub stick_table: Option<StickTable>,
    pub captures: Vec<Capture>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub span: Span,
    pub name: String,
    /// `password` (crypt(3) hash) or `insecure-password` (clear text).
    pub password: Option<String>,
    pub insecure: bool,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub span: Span,
    pub name: String,
    pub users: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Userlist {
    pub span: Span,
    pub name: String,
    pub groups: Vec<Group>,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherSection {
    pub span: Span,
    /// `peers`, `resolvers`, `mailers`, `http-errors`, `cache`, `ring`, `program`.
    pub kind: String,
    pub name: String,
    pub directives: Vec<Directive>,
}
