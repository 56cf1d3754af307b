//! VRRP engine (sans-IO core first: packet codec and state machine).
//!
//! - [`packet`]: VRRPv2/v3 advert encode/decode, IPv4/IPv6 header split, checksums.
//! - [`validate`]: the RFC 3768 7.1 / RFC 5798 7.1 receive checks against an instance's
//!   config, counted with keepalived's statistics names.
//! - [`state`]: the per-instance state machine (Initialize, Backup, Master, Fault), driven
//!   by a virtual clock passed in by the caller; it returns actions, it does no I/O.

pub mod config;
pub mod packet;
pub mod state;
pub mod validate;
