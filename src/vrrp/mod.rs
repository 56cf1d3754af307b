//! VRRP engine: a sans-IO core (packet codec and state machine) and the I/O shell around it.
//!
//! - [`packet`]: VRRPv2/v3 advert encode/decode, IPv4/IPv6 header split, checksums.
//! - [`validate`]: the RFC 3768 7.1 / RFC 5798 7.1 receive checks against an instance's
//!   config, counted with keepalived's statistics names.
//! - [`state`]: the per-instance state machine (Initialize, Backup, Master, Fault), driven
//!   by a virtual clock passed in by the caller; it returns actions, it does no I/O.
//! - [`from_ir`]: keepalived IR -> per-instance plans (core config + interface, VIPs, notify).
//! - [`sync`]: `vrrp_sync_group` (members move together, group notify), sans IO.
//! - [`track`]: `track_file` values read as keepalived reads them; `vrrp_track_process` matching and quorum (by scanning /proc).
//! - [`engine`]: the running daemon (raw sockets, timers, signals, reload) - entry point
//!   [`run`]; [`log`]: console and syslog lines; [`dump`]: the SIGUSR1 / SIGUSR2 files.
//! - [`fifo`]: `notify_fifo` lines and the FIFO itself; [`firewall`]: the nftables rules
//!   of `vrrp_strict` / `no_accept` (traffic to the VIPs dropped, as keepalived).
//! - [`native`]: proxy-probing `vrrp_script`s answered from the proxy engine (`tandem run`);
//!   [`takeover`]: the new master's half of `tandem run`'s zero-loss planned handover.
//! - [`audit`]: the keywords of a configuration the engine does not act on, named at start.
//! - [`netlink`]: VIPs and virtual routes added / removed through rtnetlink; [`arp`]:
//!   gratuitous ARP and unsolicited NA.

pub mod arp;
pub mod audit;
pub mod config;
pub mod dump;
pub mod engine;
pub mod fifo;
pub mod firewall;
pub mod from_ir;
pub mod log;
pub mod native;
pub mod netlink;
pub mod packet;
pub mod state;
pub mod sync;
pub mod takeover;
pub mod track;
pub mod validate;

pub use engine::{Control, Embedding, ProxyState, RunOptions, run, run_embedded};

/// The feed through which the VRRP engine shows its instances on the proxy's `/metrics`
/// when both engines run in one process (`tandem run` sets it once at start).
pub static METRICS_FEED: std::sync::OnceLock<crate::proxy::stats::vrrp::VrrpFeed> =
    std::sync::OnceLock::new();
