//! The VRRP core's own view of one `vrrp_instance`: only what the packet validator and the
//! state machine need, already resolved (interface address picked, password truncated).
//! The keepalived IR (`crate::ir::keepalived`) is mapped onto this by the engine's setup code:
//! `name` <- `VrrpInstance::name`; `vrid` <- `virtual_router_id`; `version` <- instance
//! `version`, else global `vrrp_version`, else 2 (3 for an IPv6 instance, as keepalived);
//! `priority`; `advert_interval` <- `advert_int` seconds (v2 rounded to whole seconds, v3 to
//! 10 ms, as keepalived warns); `initial_state` <- `state`; `nopreempt`; `preempt_delay`;
//! `skip_check_adv_addr` <- instance flag or global `vrrp_skip_check_adv_addr`;
//! `auth` <- `authentication { auth_type PASS auth_pass }` via [`Auth::pass`] (AH rejected at
//! start); `src_addr` <- `unicast_src_ip` / `mcast_src_ip` / the interface's primary address
//! (a runtime fact); `vips` <- the `virtual_ipaddress` addresses (not the excluded ones);
//! `unicast_peers` <- `unicast_peer`; `check_unicast_src` <- global `vrrp_check_unicast_src`;
//! `higher_prio_send_advert` / `lower_prio_no_advert` <- the instance keyword or the
//! `vrrp_` global form (both currently in the IR's `other` lists).

use std::net::IpAddr;
use std::time::Duration;

use thiserror::Error;

use super::packet::{Advert, Auth, Version};

/// Initial `state` keyword. keepalived 2.2.7 only honours MASTER for the address owner
/// (priority 255); any other instance starts in BACKUP (see `state.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialState {
    #[default]
    Backup,
    Master,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceConfig {
    /// Instance name as written after `vrrp_instance` (used in every log line: `(VI_1) ...`).
    pub name: String,
    pub vrid: u8,
    pub version: Version,
    /// Configured (base) priority, 1..=255; 255 means address owner.
    pub priority: u8,
    /// `advert_int`: whole seconds for v2, a multiple of 10 ms for v3.
    pub advert_interval: Duration,
    pub initial_state: InitialState,
    pub nopreempt: bool,
    pub preempt_delay: Duration,
    pub higher_prio_send_advert: bool,
    /// keepalived's `lower_prio_no_advert`: as master, do not answer a lower priority advert.
    pub lower_prio_no_advert: bool,
    pub skip_check_adv_addr: bool,
    /// v2 only; `Auth::None` for v3.
    pub auth: Auth,
    /// Our source address for adverts (mcast_src_ip / unicast_src_ip / the interface's
    /// primary address): used for the tie-break at equal priority.
    pub src_addr: IpAddr,
    /// Virtual addresses carried in adverts (virtual_ipaddress, not the excluded ones).
    pub vips: Vec<IpAddr>,
    /// Empty for multicast.
    pub unicast_peers: Vec<IpAddr>,
    /// Global `vrrp_check_unicast_src`.
    pub check_unicast_src: bool,
    /// `down_timer_adverts` (1..=100, default 3): Master_Down_Interval is this many
    /// Master_Adver_Intervals plus Skew_Time.
    pub down_timer_adverts: u32,
    /// `garp_master_delay` (default 5 s; zero: no second set after becoming master).
    pub garp_master_delay: Duration,
    /// `garp_master_repeat` (default 5): gratuitous ARPs / NAs per VIP in each set.
    pub garp_master_repeat: u32,
    /// `garp_master_refresh` (default zero: off): while master, send a set this often.
    pub garp_master_refresh: Duration,
    /// `garp_master_refresh_repeat` (default 1).
    pub garp_master_refresh_repeat: u32,
    /// `garp_lower_prio_delay` (default: garp_master_delay): second set after a lower
    /// priority advert was received as master.
    pub garp_lower_prio_delay: Duration,
    /// `garp_lower_prio_repeat` (default: garp_master_repeat; zero: none).
    pub garp_lower_prio_repeat: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("({0}) the virtual id must be set!")]
    NoVrid(String),
    #[error("({0}) priority 0 is reserved")]
    ZeroPriority(String),
    #[error("({name}) advert_int {interval:?} is not valid for VRRP version {version}")]
    Interval {
        name: String,
        interval: Duration,
        version: u8,
    },
    #[error("({0}) down_timer_adverts must be between 1 and 100")]
    DownTimerAdverts(String),
    #[error("({0}) more than 255 virtual addresses")]
    TooManyVips(String),
    #[error("({name}) address {addr} is not of the instance's address family")]
    Family { name: String, addr: IpAddr },
    #[error("({0}) VRRPv2 over IPv6 is not supported")]
    V2OverIpv6(String),
    #[error("({0}) authentication is only supported with VRRP version 2")]
    AuthWithV3(String),
}

impl InstanceConfig {
    /// A minimal config; tests and the IR mapping override fields.
    pub fn new(name: &str, vrid: u8, priority: u8, src_addr: IpAddr) -> InstanceConfig {
        InstanceConfig {
            name: name.to_string(),
            vrid,
            version: Version::V2,
            priority,
            advert_interval: Duration::from_secs(1),
            initial_state: InitialState::Backup,
            nopreempt: false,
            preempt_delay: Duration::ZERO,
            higher_prio_send_advert: false,
            lower_prio_no_advert: false,
            skip_check_adv_addr: false,
            auth: Auth::None,
            src_addr,
            vips: Vec::new(),
            unicast_peers: Vec::new(),
            check_unicast_src: false,
            down_timer_adverts: 3,
            garp_master_delay: Duration::from_secs(5),
            garp_master_repeat: 5,
            garp_master_refresh: Duration::ZERO,
            garp_master_refresh_repeat: 1,
            garp_lower_prio_delay: Duration::from_secs(5),
            garp_lower_prio_repeat: 5,
        }
    }

    pub fn is_ipv6(&self) -> bool {
        self.src_addr.is_ipv6()
    }

    pub fn is_owner(&self) -> bool {
        self.priority == 255
    }

    /// The interval field value as it goes on the wire (v2 seconds, v3 centiseconds).
    pub fn adver_int_field(&self) -> u16 {
        match self.version {
            Version::V2 => u16::try_from(self.advert_interval.as_secs()).unwrap_or(u16::MAX),
            Version::V3 => u16::try_from(self.advert_interval.as_millis() / 10).unwrap_or(u16::MAX),
        }
    }

    /// The advert this instance sends with the given priority.
    pub fn advert(&self, priority: u8) -> Advert {
        Advert {
            version: self.version,
            vrid: self.vrid,
            priority,
            auth: if self.version == Version::V2 {
                self.auth
            } else {
                Auth::None
            },
            adver_int: self.adver_int_field(),
            addrs: self.vips.clone(),
        }
    }

    /// Checks the core needs to rely on; the config front end reports the user-facing
    /// errors in keepalived's words before this is ever reached.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let name = || self.name.clone();
        if self.vrid == 0 {
            return Err(ConfigError::NoVrid(name()));
        }
        if self.priority == 0 {
            return Err(ConfigError::ZeroPriority(name()));
        }
        let ms = self.advert_interval.as_millis();
        let ok = match self.version {
            Version::V2 => {
                self.advert_interval.subsec_nanos() == 0 && (1..=255).contains(&ms.div_euclid(1000))
            }
            Version::V3 => {
                self.advert_interval.as_nanos().is_multiple_of(10_000_000)
                    && (10..=40_950).contains(&ms)
            }
        };
        if !ok {
            return Err(ConfigError::Interval {
                name: name(),
                interval: self.advert_interval,
                version: self.version.number(),
            });
        }
        if !(1..=100).contains(&self.down_timer_adverts) {
            return Err(ConfigError::DownTimerAdverts(name()));
        }
        if self.vips.len() > 255 {
            return Err(ConfigError::TooManyVips(name()));
        }
        if self.version == Version::V2 && self.is_ipv6() {
            return Err(ConfigError::V2OverIpv6(name()));
        }
        if self.version == Version::V3 && self.auth != Auth::None {
            return Err(ConfigError::AuthWithV3(name()));
        }
        for a in self.vips.iter().chain(self.unicast_peers.iter()) {
            if a.is_ipv6() != self.is_ipv6() {
                return Err(ConfigError::Family {
                    name: name(),
                    addr: *a,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> InstanceConfig {
        InstanceConfig::new("VI_1", 51, 100, "192.0.2.1".parse().unwrap())
    }

    #[test]
    fn validate_catches_each_case() {
        assert_eq!(cfg().validate(), Ok(()));
        let mut c = cfg();
        c.vrid = 0;
        assert!(matches!(c.validate(), Err(ConfigError::NoVrid(_))));
        let mut c = cfg();
        c.advert_interval = Duration::from_millis(1500);
        assert!(matches!(c.validate(), Err(ConfigError::Interval { .. })));
        c.version = Version::V3;
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.adver_int_field(), 150);
        c.advert_interval = Duration::from_millis(1505);
        assert!(matches!(c.validate(), Err(ConfigError::Interval { .. })));
        let mut c = cfg();
        c.vips = vec!["fe80::1".parse().unwrap()];
        assert!(matches!(c.validate(), Err(ConfigError::Family { .. })));
        let mut c = cfg();
        c.src_addr = "fe80::1".parse().unwrap();
        assert!(matches!(c.validate(), Err(ConfigError::V2OverIpv6(_))));
        let mut c = cfg();
        c.version = Version::V3;
        c.auth = Auth::pass(b"x");
        assert!(matches!(c.validate(), Err(ConfigError::AuthWithV3(_))));
    }
}
