//! What the runtime API changes in running checks (`set server ... agent-addr |
//! agent-port | agent-send | agent up|down | check-addr | check-port | addr`, `enable |
//! disable agent`): one [`Live`] per check task, found by the engine's stop channel
//! (each engine has its own, and the check tasks get a clone of it), the backend and
//! the server's index in the configuration.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicI8, AtomicI64};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// Run-time settings of one check task.
#[derive(Debug)]
pub struct Live {
    /// `disable agent` clears it: the agent is not run (HAProxy's CHK_ST_ENABLED).
    pub enabled: AtomicBool,
    /// A check is running (`show stat` prefixes its status with `* `).
    pub in_progress: AtomicBool,
    /// `set server ... agent up|down`: the health to take before the next check (1 up,
    /// 0 down, -1 none).
    pub forced_health: AtomicI8,
    /// Maintenance pauses the health check (HAProxy's CHK_ST_PAUSED); the agent runs on.
    pub paused: AtomicBool,
    /// The health counter the check takes before its next check (-1: none): 0 entering
    /// maintenance, `rise` leaving it, as HAProxy's `srv_update_status` sets it.
    pub reset_health: AtomicI64,
    target: Mutex<Override>,
    /// Health analysis requests (`observe`) at their error limit, for the check task.
    hana: Mutex<Vec<super::observe::HanaReq>>,
    pub hana_ready: tokio::sync::Notify,
}

/// Where the check goes instead of the plan's target, and what the agent sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    /// `set server addr` (the server's address, used without a check address).
    pub server_ip: Option<IpAddr>,
    pub server_port: Option<u16>,
    /// `check-addr` / `agent-addr`.
    pub ip: Option<IpAddr>,
    /// `check-port` / `agent-port`.
    pub port: Option<u16>,
    /// `agent-send`.
    pub send: Option<Vec<u8>>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            enabled: AtomicBool::new(true),
            in_progress: AtomicBool::new(false),
            forced_health: AtomicI8::new(-1),
            paused: AtomicBool::new(false),
            reset_health: AtomicI64::new(-1),
            target: Mutex::new(Override::default()),
            hana: Mutex::new(Vec::new()),
            hana_ready: tokio::sync::Notify::new(),
        }
    }
}

impl Live {
    pub fn get(&self) -> Override {
        self.target
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn update(&self, f: impl FnOnce(&mut Override)) {
        f(&mut self.target.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Hands a health analysis request to the check task.
    pub fn push_hana(&self, r: super::observe::HanaReq) {
        self.hana.lock().unwrap_or_else(|e| e.into_inner()).push(r);
        self.hana_ready.notify_one();
    }

    /// The pending health analysis requests.
    pub fn take_hana(&self) -> Vec<super::observe::HanaReq> {
        std::mem::take(&mut *self.hana.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

struct Entry {
    stop: watch::Receiver<bool>,
    backend: String,
    server_idx: usize,
    agent: bool,
    live: Arc<Live>,
}

static REGISTRY: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// The [`Live`] of a check task, created on first use. `stop`: the engine's stop
/// channel; `server_idx`: the server's index in the configuration's server list.
pub fn get(
    stop: &watch::Receiver<bool>,
    backend: &str,
    server_idx: usize,
    agent: bool,
) -> Arc<Live> {
    let mut reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    // entries of engines that are gone (their stop sender dropped) go first
    reg.retain(|e| e.stop.has_changed().is_ok());
    if let Some(e) = reg.iter().find(|e| {
        e.stop.same_channel(stop)
            && e.backend == backend
            && e.server_idx == server_idx
            && e.agent == agent
    }) {
        return e.live.clone();
    }
    let live = Arc::new(Live::default());
    reg.push(Entry {
        stop: stop.clone(),
        backend: backend.to_string(),
        server_idx,
        agent,
        live: live.clone(),
    });
    live
}

/// The [`Live`] of a check task if one was started.
pub fn find(
    stop: &watch::Receiver<bool>,
    backend: &str,
    server_idx: usize,
    agent: bool,
) -> Option<Arc<Live>> {
    let reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    reg.iter()
        .find(|e| {
            e.stop.same_channel(stop)
                && e.backend == backend
                && e.server_idx == server_idx
                && e.agent == agent
        })
        .map(|e| e.live.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::Relaxed;

    #[test]
    fn entries_are_per_engine() {
        let (tx1, rx1) = watch::channel(false);
        let (_tx2, rx2) = watch::channel(false);
        let a = get(&rx1, "be", 0, true);
        a.enabled.store(false, Relaxed);
        assert!(!get(&rx1.clone(), "be", 0, true).enabled.load(Relaxed));
        assert!(get(&rx2, "be", 0, true).enabled.load(Relaxed));
        assert!(find(&rx1, "be", 0, false).is_none());
        drop(tx1);
        // a dropped engine's entries are purged at the next creation
        let _ = get(&rx2, "be", 1, true);
        assert!(find(&rx1, "be", 0, true).is_none());
    }
}
