//! IR of keepalived.conf. Vectors keep the order of the configuration file,
//! so a serialization is deterministic.

use serde::Serialize;

/// Where an item was defined: the file name as keepalived prints it and the
/// line number it reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Src {
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Config {
    pub global: GlobalDefs,
    pub vrrp_scripts: Vec<VrrpScript>,
    pub track_files: Vec<TrackFile>,
    pub track_processes: Vec<TrackProcess>,
    pub vrrp_sync_groups: Vec<SyncGroup>,
    pub vrrp_instances: Vec<VrrpInstance>,
    pub static_ipaddress: Vec<IpAddress>,
    pub static_routes: Vec<Route>,
    pub static_rules: Vec<Rule>,
    pub virtual_server_groups: Vec<VirtualServerGroup>,
    pub virtual_servers: Vec<VirtualServer>,
}

impl Config {
    /// True when the config asks for LVS (IPVS), which tandem does not run.
    pub fn has_lvs(&self) -> bool {
        !self.virtual_servers.is_empty() || !self.virtual_server_groups.is_empty()
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GlobalDefs {
    pub router_id: Option<String>,
    pub notification_email: Vec<String>,
    pub notification_email_from: Option<String>,
    pub smtp_server: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_helo_name: Option<String>,
    /// Seconds.
    pub smtp_connect_timeout: Option<u32>,
    pub script_user: Option<String>,
    pub script_group: Option<String>,
    pub enable_script_security: bool,
    pub vrrp_skip_check_adv_addr: bool,
    pub vrrp_strict: bool,
    pub vrrp_version: Option<u8>,
    /// `vrrp_iptables [IN_CHAIN [OUT_CHAIN]]`; empty when given bare.
    pub vrrp_iptables: Option<Vec<String>>,
    pub vrrp_mcast_group4: Option<String>,
    pub vrrp_mcast_group6: Option<String>,
    /// Seconds.
    pub vrrp_garp_master_delay: Option<u32>,
    pub vrrp_garp_master_repeat: Option<u32>,
    pub vrrp_garp_master_refresh: Option<u32>,
    pub vrrp_garp_master_refresh_repeat: Option<u32>,
    /// Milliseconds.
    pub vrrp_garp_interval_ms: Option<u32>,
    pub vrrp_gna_interval_ms: Option<u32>,
    pub vrrp_priority: Option<i32>,
    pub checker_priority: Option<i32>,
    pub max_auto_priority: Option<i32>,
    pub dynamic_interfaces: bool,
    /// Keywords tandem records without giving them a type: (keyword, args).
    pub other: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Script {
    /// The command line split as keepalived splits it (quotes, escapes).
    pub args: Vec<String>,
    /// The command as written.
    pub raw: String,
    /// A notify script's own `USER [GROUP]` (the words after the command:
    /// `notify_master "/path args" nobody nogroup`); None: the default
    /// script user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VrrpScript {
    pub name: String,
    pub src: Src,
    pub script: Option<Script>,
    /// Seconds.
    pub interval: f64,
    pub timeout: Option<f64>,
    pub weight: i32,
    /// `weight N reverse`.
    pub weight_reverse: bool,
    pub rise: u32,
    pub fall: u32,
    pub user: Option<String>,
    pub group: Option<String>,
    pub init_fail: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackFile {
    pub name: String,
    pub src: Src,
    pub file: Option<String>,
    pub weight: i32,
    pub weight_reverse: bool,
    /// `init_file [VALUE] [overwrite]`.
    pub init_file: Option<(i64, bool)>,
}

/// How `vrrp_track_process` compares a process's arguments (keepalived's `param_match`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum ParamMatch {
    /// Arguments not compared.
    #[default]
    None,
    /// The arguments must be exactly those given (`param_match` bare, or arguments after
    /// `process`).
    Exact,
    /// The given arguments must be the first ones of the process.
    Initial,
    /// The given arguments must appear, consecutively, anywhere in the process's arguments.
    Partial,
}

/// `vrrp_track_process NAME { ... }`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackProcess {
    pub name: String,
    pub src: Src,
    /// The process name (or path, with `full_command`).
    pub process: Option<String>,
    /// The words after the process name.
    pub params: Vec<String>,
    pub param_match: ParamMatch,
    /// Match against the command line (argv\[0\]) instead of the 15-character comm.
    pub full_command: bool,
    pub weight: i32,
    pub weight_reverse: bool,
    /// Up when at least `quorum` and at most `quorum_max` processes match.
    pub quorum: u32,
    pub quorum_max: u32,
    /// Seconds.
    pub fork_delay: Option<f64>,
    pub terminate_delay: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncGroup {
    pub name: String,
    pub src: Src,
    pub group: Vec<String>,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify: Option<Script>,
    pub smtp_alert: bool,
    pub track_interface: Vec<TrackInterface>,
    pub track_script: Vec<TrackScript>,
    pub track_file: Vec<TrackScript>,
    pub track_process: Vec<TrackScript>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum State {
    Master,
    #[default]
    Backup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuthType {
    Pass,
    Ah,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Authentication {
    pub auth_type: Option<AuthType>,
    /// At most 8 characters, as keepalived truncates it.
    pub auth_pass: Option<String>,
}

/// One `virtual_ipaddress` / `static_ipaddress` line:
/// `ADDR[/PREFIX] [brd ADDR] [dev IF] [scope SCOPE] [label LABEL] ...`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IpAddress {
    pub src: Src,
    pub addr: String,
    pub prefix: u8,
    pub ipv6: bool,
    pub dev: Option<String>,
    pub label: Option<String>,
    pub brd: Option<String>,
    pub scope: Option<String>,
    pub peer: Option<String>,
    pub no_track: bool,
    pub preferred_lft: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Route {
    pub src: Src,
    /// The words of the route line (ip-route syntax).
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Rule {
    pub src: Src,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackInterface {
    pub name: String,
    pub weight: Option<i32>,
    pub weight_reverse: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackScript {
    pub name: String,
    pub weight: Option<i32>,
    pub weight_reverse: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VrrpInstance {
    pub name: String,
    pub src: Src,
    pub state: State,
    pub interface: Option<String>,
    pub virtual_router_id: Option<u8>,
    pub priority: u8,
    /// Seconds.
    pub advert_int: f64,
    pub version: Option<u8>,
    pub authentication: Option<Authentication>,
    pub virtual_ipaddress: Vec<IpAddress>,
    pub virtual_ipaddress_excluded: Vec<IpAddress>,
    pub virtual_routes: Vec<Route>,
    pub virtual_rules: Vec<Rule>,
    pub unicast_src_ip: Option<String>,
    pub unicast_peer: Vec<String>,
    pub track_interface: Vec<TrackInterface>,
    pub track_script: Vec<TrackScript>,
    pub track_file: Vec<TrackScript>,
    pub track_process: Vec<TrackScript>,
    pub nopreempt: bool,
    /// Seconds.
    pub preempt_delay: Option<f64>,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify: Option<Script>,
    pub smtp_alert: bool,
    pub garp_master_delay: Option<u32>,
    pub garp_master_repeat: Option<u32>,
    pub garp_master_refresh: Option<u32>,
    pub garp_master_refresh_repeat: Option<u32>,
    pub use_vmac: Option<String>,
    pub vmac_xmit_base: bool,
    pub dont_track_primary: bool,
    pub skip_check_adv_addr: bool,
    pub strict_mode: bool,
    pub mcast_src_ip: Option<String>,
    /// Keywords tandem records without giving them a type: (keyword, args).
    pub other: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VirtualServerGroup {
    pub name: String,
    pub src: Src,
    pub members: Vec<Vec<String>>,
}

/// A checker block (`TCP_CHECK`, `HTTP_GET`, `SSL_GET`, `MISC_CHECK`,
/// `DNS_CHECK`, `SMTP_CHECK`, `BFD_CHECK`, `UDP_CHECK`, `PING_CHECK`,
/// `FILE_CHECK`). Parsed into keyword/argument form only: the LVS engine is
/// out of tandem's scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checker {
    pub kind: String,
    pub src: Src,
    pub options: Vec<Directive>,
}

/// A keyword line with its arguments and, for a block, its children.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Directive {
    pub keyword: String,
    pub args: Vec<String>,
    pub children: Vec<Directive>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RealServer {
    pub src: Src,
    pub addr: String,
    pub port: Option<u16>,
    pub weight: Option<i32>,
    pub options: Vec<Directive>,
    pub checkers: Vec<Checker>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VirtualServer {
    pub src: Src,
    /// `IP PORT`, `fwmark N` or `group NAME`.
    pub target: Vec<String>,
    pub lb_algo: Option<String>,
    pub lb_kind: Option<String>,
    pub protocol: Option<String>,
    pub delay_loop: Option<f64>,
    pub persistence_timeout: Option<u32>,
    pub options: Vec<Directive>,
    pub real_servers: Vec<RealServer>,
    pub sorry_server: Option<Vec<String>>,
}
