//! The VRRP engine's metrics on the proxy's `/metrics` when `tandem run` runs both engines.
//!
//! The VRRP engine publishes a snapshot of its instances ([`VrrpSnapshot`], built by
//! `crate::vrrp::dump::metrics`) into a [`VrrpFeed`]; `tandem run` hands the same feed to
//! the proxy engine's registry ([`super::Registry::vrrp`]), and the exporter appends the
//! `keepalived_vrrp_*` families below after HAProxy's. Names and labels are tandem's
//! (keepalived has no exporter of its own); they are listed in README.md:
//!
//! | family | type | labels |
//! |---|---|---|
//! | `keepalived_vrrp_state` | gauge, 1 for the current state | `instance`, `vrid`, `interface`, `state` (`INIT`, `BACKUP`, `MASTER`, `FAULT`) |
//! | `keepalived_vrrp_base_priority` | gauge | `instance`, `vrid` |
//! | `keepalived_vrrp_effective_priority` | gauge | `instance`, `vrid` |
//! | `keepalived_vrrp_become_master_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_release_master_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_advertisements_sent_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_advertisements_received_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_priority_zero_sent_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_priority_zero_received_total` | counter | `instance`, `vrid` |
//! | `keepalived_vrrp_advertisements_dropped_total` | counter | `instance`, `vrid`, `reason` |
//!
//! The drop reasons are keepalived's SIGUSR2 counters: `packet_length`, `ttl`,
//! `invalid_type`, `advert_interval`, `address_list`, `auth_invalid_type`,
//! `auth_type_mismatch`, `auth_failure`, and tandem's `version`, `vrid`, `checksum`.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// One instance as the metrics see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VrrpInstanceMetrics {
    pub instance: String,
    pub vrid: u8,
    pub interface: String,
    /// `INIT`, `BACKUP`, `MASTER` or `FAULT`.
    pub state: &'static str,
    pub base_priority: u8,
    pub effective_priority: u8,
    pub become_master: u64,
    pub release_master: u64,
    pub advert_sent: u64,
    pub advert_rcvd: u64,
    pub pri_zero_sent: u64,
    pub pri_zero_rcvd: u64,
    /// (reason, count), every reason always present.
    pub dropped: Vec<(&'static str, u64)>,
}

/// The instances at one moment.
pub type VrrpSnapshot = Vec<VrrpInstanceMetrics>;

/// Where the VRRP engine publishes its snapshot and the exporter reads it.
#[derive(Debug, Clone, Default)]
pub struct VrrpFeed(Arc<Mutex<VrrpSnapshot>>);

impl VrrpFeed {
    pub fn new() -> Self {
        Self::default()
    }

    /// The VRRP engine's side: replaces the snapshot.
    pub fn publish(&self, snap: VrrpSnapshot) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = snap;
    }

    pub fn get(&self) -> VrrpSnapshot {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

const STATES: [&str; 4] = ["INIT", "BACKUP", "MASTER", "FAULT"];

fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The `keepalived_vrrp_*` families for `snap`, in the exposition format.
pub fn render(snap: &[VrrpInstanceMetrics], o: &mut String) {
    let family = |o: &mut String, name: &str, ty: &str, help: &str| {
        let _ = write!(o, "# HELP {name} {help}\n# TYPE {name} {ty}\n");
    };
    let id =
        |m: &VrrpInstanceMetrics| format!("instance=\"{}\",vrid=\"{}\"", esc(&m.instance), m.vrid);
    family(
        o,
        "keepalived_vrrp_state",
        "gauge",
        "VRRP instance state (1 for the current state).",
    );
    for m in snap {
        for s in STATES {
            let _ = writeln!(
                o,
                "keepalived_vrrp_state{{{},interface=\"{}\",state=\"{s}\"}} {}",
                id(m),
                esc(&m.interface),
                u8::from(m.state == s)
            );
        }
    }
    type Get = fn(&VrrpInstanceMetrics) -> u64;
    let simple: [(&str, &str, &str, Get); 8] = [
        (
            "keepalived_vrrp_base_priority",
            "gauge",
            "Configured priority of the instance.",
            |m| u64::from(m.base_priority),
        ),
        (
            "keepalived_vrrp_effective_priority",
            "gauge",
            "Priority after tracking weights.",
            |m| u64::from(m.effective_priority),
        ),
        (
            "keepalived_vrrp_become_master_total",
            "counter",
            "Transitions to MASTER.",
            |m| m.become_master,
        ),
        (
            "keepalived_vrrp_release_master_total",
            "counter",
            "Transitions out of MASTER.",
            |m| m.release_master,
        ),
        (
            "keepalived_vrrp_advertisements_sent_total",
            "counter",
            "Advertisements sent.",
            |m| m.advert_sent,
        ),
        (
            "keepalived_vrrp_advertisements_received_total",
            "counter",
            "Advertisements received.",
            |m| m.advert_rcvd,
        ),
        (
            "keepalived_vrrp_priority_zero_sent_total",
            "counter",
            "Priority 0 advertisements sent.",
            |m| m.pri_zero_sent,
        ),
        (
            "keepalived_vrrp_priority_zero_received_total",
            "counter",
            "Priority 0 advertisements received.",
            |m| m.pri_zero_rcvd,
        ),
    ];
    for (name, ty, help, get) in simple {
        family(o, name, ty, help);
        for m in snap {
            let _ = writeln!(o, "{name}{{{}}} {}", id(m), get(m));
        }
    }
    family(
        o,
        "keepalived_vrrp_advertisements_dropped_total",
        "counter",
        "Advertisements dropped, by reason.",
    );
    for m in snap {
        for (reason, n) in &m.dropped {
            let _ = writeln!(
                o,
                "keepalived_vrrp_advertisements_dropped_total{{{},reason=\"{reason}\"}} {n}",
                id(m)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> VrrpSnapshot {
        vec![VrrpInstanceMetrics {
            instance: "VI_1".into(),
            vrid: 51,
            interface: "eth0".into(),
            state: "MASTER",
            base_priority: 100,
            effective_priority: 90,
            become_master: 1,
            advert_sent: 7,
            dropped: vec![("ttl", 2), ("checksum", 0)],
            ..Default::default()
        }]
    }

    #[test]
    fn families_and_samples() {
        let mut o = String::new();
        render(&sample(), &mut o);
        assert!(o.contains(
            "keepalived_vrrp_state{instance=\"VI_1\",vrid=\"51\",interface=\"eth0\",state=\"MASTER\"} 1\n"
        ));
        assert!(o.contains(
            "keepalived_vrrp_state{instance=\"VI_1\",vrid=\"51\",interface=\"eth0\",state=\"BACKUP\"} 0\n"
        ));
        assert!(
            o.contains("keepalived_vrrp_effective_priority{instance=\"VI_1\",vrid=\"51\"} 90\n")
        );
        assert!(o.contains(
            "keepalived_vrrp_advertisements_dropped_total{instance=\"VI_1\",vrid=\"51\",reason=\"ttl\"} 2\n"
        ));
        assert_eq!(o.matches("# TYPE ").count(), 10);
    }

    /// The Prometheus project's own checker accepts the families (skipped without
    /// promtool).
    #[test]
    fn promtool_accepts_them() {
        use std::io::Write as _;
        let mut o = String::new();
        render(&sample(), &mut o);
        let Ok(mut child) = std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        else {
            eprintln!("promtool not installed: not checked");
            return;
        };
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(o.as_bytes());
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
