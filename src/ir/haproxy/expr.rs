//! IR of haproxy.cfg expressions: ACLs, samples (fetch + converters),
//! conditions, rules (http-request/response, tcp-request/response, redirect,
//! use_backend...), server and bind options.
//! (Owner: `config::haproxy::{expr,rules,server,values}`.)

use std::net::IpAddr;

use serde::Serialize;

/// Address family as HAProxy's `str2sa_range()` decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AddrFamily {
    /// Not decided yet (an unresolved host name).
    Unspec,
    Ipv4,
    Ipv6,
    Unix,
    /// Linux abstract namespace socket (`abns@`).
    Abns,
    /// An inherited file descriptor (`fd@N`).
    Fd,
    /// A socketpair end passed by the master (`sockpair@N`).
    Sockpair,
}

/// One address with its port part, as written and as understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// The word as written (`ipv4@1.2.3.4:80-85`).
    pub text: String,
    pub family: AddrFamily,
    /// The host part without prefix and port (a path for unix sockets).
    pub host: String,
    /// The IP when the host was a literal or was resolved at parse time.
    pub ip: Option<IpAddr>,
    /// A host name left to resolve at init (servers).
    pub fqdn: Option<String>,
    /// HAProxy's `port`: the port, or a signed offset for `+N`/`-N` (mapped ports).
    pub port: i32,
    pub port_low: i32,
    pub port_high: i32,
    pub fd: Option<i32>,
    /// Datagram socket (`udp@`, `dgram+`...).
    pub dgram: bool,
}

/// A sample expression: a fetch with its arguments, then converters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sample {
    /// The expression as written (`req.hdr(host),lower`).
    pub text: String,
    /// The fetch's real name (an ACL keyword such as `hdr_dom` is resolved
    /// to `req.hdr`; the keyword itself is kept in [`Acl::keyword`]).
    pub fetch: String,
    pub args: Vec<String>,
    pub converters: Vec<Converter>,
    /// Output type after the converters: bool, sint, addr, ipv4, ipv6, str, bin, meth, any.
    pub output: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Converter {
    pub name: String,
    pub args: Vec<String>,
}

/// HAProxy's ACL match methods (`-m`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMethod {
    Found,
    Bool,
    Int,
    Ip,
    Bin,
    Len,
    #[default]
    Str,
    Beg,
    Sub,
    Dir,
    Dom,
    End,
    Reg,
    /// Method names (`method` fetch).
    Meth,
}

/// One pattern of an ACL, typed by the match method.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    Str(String),
    /// `N`, `N:M`, `:M`, `N:` and the `eq/ge/gt/le/lt` operators, as bounds.
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Ip {
        addr: IpAddr,
        prefix: u8,
    },
    Regex(String),
    Bin(String),
}

/// `acl NAME CRITERION [FLAGS] [OPERATOR] [VALUE]...` (also the anonymous
/// ACL of a `{ ... }` condition term, with an empty name).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Acl {
    pub name: String,
    /// The ACL keyword when one was used (`hdr_dom`), else `None`.
    pub keyword: Option<String>,
    pub sample: Sample,
    pub method: MatchMethod,
    /// `-i`
    pub ignore_case: bool,
    /// `-n`
    pub no_dns: bool,
    /// `-M`
    pub map_files: bool,
    /// `-u ID`
    pub unique_id: Option<i64>,
    /// `-f FILE`, in order.
    pub files: Vec<String>,
    pub patterns: Vec<Pattern>,
}

/// A reference to an ACL in a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AclRef {
    /// Declared with `acl NAME` in the proxy.
    Named(String),
    /// One of HAProxy's predefined ACLs (`TRUE`, `HTTP_1.1`, `METH_GET`...).
    Predefined(String),
    /// `{ ... }`
    Anonymous(Box<Acl>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CondTerm {
    /// `!`
    pub negate: bool,
    pub acl: AclRef,
}

/// `if|unless TERM... [|| TERM...]...`: an OR of ANDs of (possibly negated) ACLs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Condition {
    /// `unless`
    pub unless: bool,
    pub any_of: Vec<Vec<CondTerm>>,
}

/// A rule line: `http-request`, `http-response`, `http-after-response`,
/// `tcp-request`, `tcp-response`, `redirect`, `use-server`, `stick`,
/// `http-check`, `tcp-check`, `monitor fail`, `capture`, `http-error`,
/// `force-persist`, `ignore-persist`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rule {
    pub keyword: String,
    /// The rule set for keywords that have one: `connection`, `session`,
    /// `content`, `inspect-delay` (tcp-request), `on`/`match`/`store-request`/
    /// `store-response` (stick), `request`/`response` (capture), `fail` (monitor).
    pub ruleset: Option<String>,
    /// The action word as written (`deny`, `set-header`, `set-var(txn.x)`,
    /// `track-sc0`, `send`, `expect`...).
    pub action: String,
    pub action_args: Action,
    pub cond: Option<Condition>,
}

/// The typed arguments of the actions of the common set; the others keep
/// their words.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Action {
    /// No arguments (allow, reject, accept, disable-on-404, ...).
    #[default]
    None,
    /// deny, tarpit, return: the HTTP reply.
    Reply(HttpReply),
    Auth {
        realm: Option<String>,
    },
    Redirect(Redirect),
    /// set-header, add-header (`fmt` is a log-format string).
    Header {
        name: String,
        fmt: String,
    },
    DelHeader {
        name: String,
        method: Option<String>,
    },
    /// replace-header, replace-value
    Replace {
        name: String,
        regex: String,
        fmt: String,
    },
    /// set-path, set-query, set-uri, set-pathq, set-method, ...: one log-format.
    Format {
        fmt: String,
    },
    SetVar {
        var: String,
        expr: Sample,
    },
    /// set-var-fmt
    SetVarFmt {
        var: String,
        fmt: String,
    },
    UnsetVar {
        var: String,
    },
    UseService {
        name: String,
    },
    TrackSc {
        counter: u8,
        key: Sample,
        table: Option<String>,
    },
    SetLogLevel {
        level: String,
    },
    Capture {
        expr: Sample,
        len: Option<i64>,
        id: Option<i64>,
    },
    /// tcp-request inspect-delay (ms).
    Delay {
        ms: u32,
    },
    /// use-server NAME
    Server {
        name: String,
    },
    /// stick on|match|store-*: `expr [table T]`.
    Stick {
        expr: Sample,
        table: Option<String>,
    },
    /// capture request|response header NAME len N
    CaptureHeader {
        name: String,
        len: i64,
    },
    /// Anything else accepted: the words between the action and the condition.
    Words {
        words: Vec<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpReply {
    pub status: Option<u16>,
    pub content_type: Option<String>,
    /// `string`, `lf-string`, `file`, `lf-file`, `errorfile`, `errorfiles`,
    /// `default-errorfiles`, with its argument.
    pub body: Option<(String, String)>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Redirect {
    /// `location`, `prefix` or `scheme`.
    pub kind: String,
    /// A log-format string.
    pub target: String,
    pub code: Option<u16>,
    pub drop_query: bool,
    pub append_slash: bool,
    pub ignore_empty: bool,
    pub set_cookie: Option<String>,
    pub clear_cookie: Option<String>,
}

/// Which line made a [`Server`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    #[default]
    Server,
    DefaultServer,
    /// One of the servers a `server-template` line creates.
    Template,
}

/// `server`, `default-server` or one server of a `server-template`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Server {
    pub kind: ServerKind,
    /// Server name (for templates: prefix + number). Empty for default-server.
    pub name: String,
    /// `None` for `default-server`.
    pub address: Option<Address>,
    /// Where the line is (for post-parse and init messages `[FILE:LINE] : ...`).
    pub file: String,
    pub line: u32,
    /// The proxy the server belongs to.
    pub proxy: String,
    pub opts: ServerOptions,
}

/// Server options; `default-server` values are copied in first, so every
/// server carries its effective settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServerOptions {
    pub check: bool,
    pub check_ssl: bool,
    /// `no-check-ssl` was the last of the two: checks stay in clear even for an `ssl`
    /// server checked on its own port (HAProxy's `check.use_ssl = -1`).
    pub no_check_ssl: bool,
    pub check_send_proxy: bool,
    pub agent_check: bool,
    /// Milliseconds.
    pub inter: Option<u32>,
    pub fastinter: Option<u32>,
    pub downinter: Option<u32>,
    pub slowstart: Option<u32>,
    pub rise: Option<i64>,
    pub fall: Option<i64>,
    /// Health-check port.
    pub port: Option<i64>,
    /// Health-check address.
    pub addr: Option<Address>,
    pub weight: Option<i64>,
    pub maxconn: Option<i64>,
    pub minconn: Option<i64>,
    pub maxqueue: Option<i64>,
    pub backup: bool,
    pub cookie: Option<String>,
    pub id: Option<i64>,
    pub ssl: bool,
    /// `none` or `required`.
    pub verify: Option<String>,
    pub verifyhost: Option<String>,
    pub ca_file: Option<String>,
    pub crl_file: Option<String>,
    pub crt: Option<String>,
    /// A sample expression, kept as written.
    pub sni: Option<String>,
    pub check_sni: Option<String>,
    pub alpn: Option<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub ssl_min_ver: Option<String>,
    pub ssl_max_ver: Option<String>,
    pub send_proxy: bool,
    pub send_proxy_v2: bool,
    pub send_proxy_v2_ssl: bool,
    pub send_proxy_v2_ssl_cn: bool,
    pub disabled: bool,
    pub resolvers: Option<String>,
    /// `libc`, `last`, `none` or an IP, in order.
    pub init_addr: Vec<String>,
    pub resolve_prefer: Option<String>,
    pub on_marked_down: Option<String>,
    pub on_marked_up: Option<String>,
    pub on_error: Option<String>,
    pub observe: Option<String>,
    pub error_limit: Option<i64>,
    /// `[proxy/]server`.
    pub track: Option<String>,
    pub non_stick: bool,
    pub proto: Option<String>,
    /// Every other keyword that was accepted, with its argument (if any), in order.
    pub other: Vec<(String, Option<String>)>,
}

/// `bind ADDR[,ADDR...] [PARAMS]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bind {
    /// The address word as written.
    pub text: String,
    pub addresses: Vec<Address>,
    pub file: String,
    pub line: u32,
    pub opts: BindOptions,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BindOptions {
    pub ssl: bool,
    /// Certificate paths after `crt-base` was applied, in order.
    pub crt: Vec<String>,
    pub crt_list: Vec<String>,
    pub ca_file: Option<String>,
    pub alpn: Option<String>,
    pub npn: Option<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub curves: Option<String>,
    pub ssl_min_ver: Option<String>,
    pub ssl_max_ver: Option<String>,
    pub verify: Option<String>,
    pub accept_proxy: bool,
    pub transparent: bool,
    pub v4v6: bool,
    pub v6only: bool,
    pub defer_accept: bool,
    pub tfo: bool,
    pub strict_sni: bool,
    pub no_sslv3: bool,
    pub no_tlsv10: bool,
    pub no_tlsv11: bool,
    pub no_tlsv12: bool,
    pub no_tlsv13: bool,
    pub no_tls_tickets: bool,
    pub prefer_client_ciphers: bool,
    pub name: Option<String>,
    pub id: Option<i64>,
    pub maxconn: Option<i64>,
    pub backlog: Option<i64>,
    pub interface: Option<String>,
    pub namespace: Option<String>,
    pub mode: Option<u32>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub uid: Option<i64>,
    pub gid: Option<i64>,
    pub level: Option<String>,
    pub process: Option<String>,
    pub thread: Option<String>,
    pub proto: Option<String>,
    /// Every other keyword that was accepted, with its argument (if any), in order.
    pub other: Vec<(String, Option<String>)>,
}
