//! Administrative changes to the running state (runtime API, stats page admin actions):
//! server admin state, weights, frontend enable/disable, maxconn.
//!
//! HAProxy keeps a server's admin state (maintenance, drain: `SRV_ADMF_*`), its operational
//! state and its weight apart; the balancer here has one state per server, so every change
//! recomputes it from the three: maintenance wins, then a forced DOWN health, then drain or
//! a zero weight (no new traffic), else UP. The texts are HAProxy 2.6.12's CLI answers.

use std::sync::atomic::Ordering::Relaxed;

use super::Engine;
use crate::proxy::stats::{admf, unix_now};

/// A server admin request (`set server B/S state ...`, `disable|enable server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminState {
    Ready,
    Drain,
    Maint,
}

/// Why an admin command failed: the text HAProxy answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("No such backend.")]
    NoBackend,
    #[error("No such server.")]
    NoServer,
    #[error("No such frontend.")]
    NoFrontend,
    #[error("Require 'backend/server'.")]
    NeedServer,
    #[error("{0}")]
    Text(String),
}

impl Engine {
    /// `backend/server` to indices.
    pub fn admin_find(&self, spec: &str) -> Result<(usize, usize), AdminError> {
        let (b, s) = spec.split_once('/').ok_or(AdminError::NeedServer)?;
        let bi = self
            .backends
            .iter()
            .position(|x| x.name == b)
            .ok_or(AdminError::NoBackend)?;
        let si = self.backends[bi]
            .server_index(s)
            .ok_or(AdminError::NoServer)?;
        self.stats.bind(self, false);
        Ok((bi, si))
    }

    /// Applies the server's admin bits, forced health and weight to the balancer.
    fn admin_apply(&self, bi: usize, si: usize) {
        let (Some(be), Some(ss)) = (
            self.backends.get(bi),
            self.stats.backends.get(bi).and_then(|b| b.servers.get(si)),
        ) else {
            return;
        };
        let admin = ss.admin.load(Relaxed);
        // the weight first, so that a server coming back from weight 0 gets its share
        // at once; `effective_state` combines admin bits, forced health and the checks
        let w = ss.uweight.load(Relaxed);
        if w > 0 {
            let _ = be.set_server_weight(si, w);
        }
        let state = crate::proxy::stats::health::effective_state(ss);
        let reason = if admin & admf::MAINT != 0 {
            "Forced maintenance"
        } else {
            ""
        };
        // the transition line is for the log; the CLI answers nothing on success
        let _ = be.set_server_state(si, state, reason);
        ss.last_change.store(unix_now(), Relaxed);
        if let Some(bs) = self.stats.backends.get(bi) {
            bs.last_change.store(unix_now(), Relaxed);
        }
    }

    /// `set server B/S state ready|drain|maint`, `enable|disable server`.
    pub fn admin_set_state(&self, spec: &str, st: AdminState) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        match st {
            AdminState::Ready => {
                ss.admin
                    .fetch_and(!(admf::FMAINT | admf::CMAINT | admf::FDRAIN), Relaxed);
            }
            AdminState::Drain => {
                ss.admin.fetch_and(!(admf::FMAINT | admf::CMAINT), Relaxed);
                ss.admin.fetch_or(admf::FDRAIN, Relaxed);
            }
            AdminState::Maint => {
                ss.admin.fetch_and(!admf::FDRAIN, Relaxed);
                ss.admin.fetch_or(admf::FMAINT, Relaxed);
                ss.health_reset.store(true, Relaxed);
            }
        }
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `set server B/S health up|stopping|down`.
    pub fn admin_set_health(&self, spec: &str, up: bool) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        ss.forced_health.store(i64::from(up), Relaxed);
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `get weight B/S`: `W (initial I)`.
    pub fn admin_get_weight(&self, spec: &str) -> Result<String, AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let ss = &self.stats.backends[bi].servers[si];
        let initial = self.backends[bi].servers[si]
            .ir
            .opts
            .weight
            .unwrap_or(1)
            .clamp(0, 256);
        Ok(format!("{} (initial {initial})", ss.uweight.load(Relaxed)))
    }

    /// `set weight B/S W[%]` / `set server B/S weight W[%]`. A percentage is of the initial
    /// weight.
    pub fn admin_set_weight(&self, spec: &str, w: &str) -> Result<(), AdminError> {
        let (bi, si) = self.admin_find(spec)?;
        let initial = self.backends[bi].servers[si]
            .ir
            .opts
            .weight
            .unwrap_or(1)
            .clamp(0, 256) as u64;
        let weight = if let Some(p) = w.strip_suffix('%') {
            let pct: u64 = p
                .parse()
                .map_err(|_| AdminError::Text("Relative weight must be positive.".into()))?;
            initial * pct / 100
        } else {
            let v: i64 = w.parse().map_err(|_| {
                AdminError::Text("Absolute weight can only be between 0 and 256 inclusive.".into())
            })?;
            if !(0..=256).contains(&v) {
                return Err(AdminError::Text(
                    "Absolute weight can only be between 0 and 256 inclusive.".into(),
                ));
            }
            v as u64
        };
        if weight > 256 {
            return Err(AdminError::Text("Relative weight too large.".into()));
        }
        // static-rr refuses other weights than 0% and 100% with HAProxy's message
        if weight > 0 {
            self.backends[bi]
                .set_server_weight(si, weight as u32)
                .map_err(|e| AdminError::Text(e.to_string()))?;
        }
        let ss = &self.stats.backends[bi].servers[si];
        ss.uweight.store(weight as u32, Relaxed);
        self.admin_apply(bi, si);
        Ok(())
    }

    /// `disable|enable frontend F` (the frontend reports STOP; its listeners stay bound).
    pub fn admin_frontend(&self, name: &str, enable: bool) -> Result<(), AdminError> {
        let i = self
            .frontends
            .iter()
            .position(|f| f.name == name)
            .ok_or(AdminError::NoFrontend)?;
        if let Some(fs) = self.stats.frontends.get(i) {
            fs.disabled.store(!enable, Relaxed);
        }
        Ok(())
    }

    /// `set maxconn frontend F N`.
    pub fn admin_frontend_maxconn(&self, name: &str, v: &str) -> Result<(), AdminError> {
        let i = self
            .frontends
            .iter()
            .position(|f| f.name == name)
            .ok_or(AdminError::NoFrontend)?;
        let n: u32 = v
            .parse()
            .map_err(|_| AdminError::Text("Integer value expected.".into()))?;
        if let Some(fs) = self.stats.frontends.get(i) {
            fs.maxconn.store(n, Relaxed);
        }
        Ok(())
    }

    /// Whether frontend `i` accepts new connections (`disable frontend` stops it).
    pub fn frontend_enabled(&self, i: usize) -> bool {
        self.stats
            .frontends
            .get(i)
            .is_none_or(|f| !f.disabled.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::engine::tests::config;

    fn engine() -> std::sync::Arc<Engine> {
        let cfg = config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend be\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2 weight 4\n",
        );
        Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine")
    }

    #[test]
    fn maint_drain_ready_change_routing() {
        let e = engine();
        let be = e.backend("be").expect("be");
        e.admin_set_state("be/s1", AdminState::Maint).expect("ok");
        assert!(!be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Ready).expect("ok");
        assert!(be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Drain).expect("ok");
        assert!(!be.server_usable(0));
        e.admin_set_state("be/s1", AdminState::Ready).expect("ok");
        assert!(be.server_usable(0));
    }

    #[test]
    fn weights_and_errors_as_haproxy() {
        let e = engine();
        // HAProxy 2.6.12 answers
        assert_eq!(e.admin_get_weight("be/s2").as_deref(), Ok("4 (initial 4)"));
        e.admin_set_weight("be/s2", "50%").expect("ok");
        assert_eq!(e.admin_get_weight("be/s2").as_deref(), Ok("2 (initial 4)"));
        assert_eq!(
            e.admin_set_weight("be/s2", "300")
                .map_err(|x| x.to_string()),
            Err("Absolute weight can only be between 0 and 256 inclusive.".into())
        );
        assert_eq!(
            e.admin_get_weight("be/zz").map_err(|x| x.to_string()),
            Err("No such server.".into())
        );
        assert_eq!(
            e.admin_get_weight("zz/s1").map_err(|x| x.to_string()),
            Err("No such backend.".into())
        );
        assert_eq!(
            e.admin_get_weight("be").map_err(|x| x.to_string()),
            Err("Require 'backend/server'.".into())
        );
        e.admin_set_weight("be/s1", "0").expect("ok");
        assert!(!e.backend("be").expect("be").server_usable(0));
    }
}
