//! The firewall side of `vrrp_strict` / `no_accept`: keepalived 2.2.7 (Debian's build says
//! `NFTABLES` in `keepalived -v`) drops all traffic to and from the VIPs of a master that
//! is not their address owner and does not run in accept mode (RFC 5798 Accept_Mode
//! False). Measured with the real binary in a network namespace (`nft list ruleset`):
//! nothing while BACKUP; on becoming MASTER it creates
//!
//! ```text
//! table ip keepalived {
//!     set vips { type ipv4_addr; elements = { 192.0.2.100 } }
//!     chain out { type filter hook output priority filter - 1; policy accept;
//!                 ip saddr @vips drop }
//!     chain in  { type filter hook input priority filter - 1; policy accept;
//!                 ip daddr @vips drop }
//! }
//! ```
//!
//! (for IPv6 VIPs `table ip6 keepalived` with the same set and chains, neighbour
//! solicitations and adverts accepted first and link-local addresses sent to two empty
//! chains), and on stop it deletes the table. tandem writes the same ruleset through
//! `nft -f -` (one transaction per change, run in order on a thread of its own so that the
//! VRRP loop never waits for it). Without `nft` it says so once, clearly: the VIPs then
//! accept traffic, which keepalived would drop.

use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// The nft program (PATH, then the usual place).
pub(crate) fn nft_program() -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/sbin", "/sbin"])
        .map(|d| format!("{d}/nft"))
        .find(|p| std::path::Path::new(p).exists())
}

/// The table keepalived creates for one family, as an nft script that (re)creates it
/// empty in one transaction.
pub fn table_script(v6: bool) -> String {
    if v6 {
        "table ip6 keepalived {}\n\
         delete table ip6 keepalived\n\
         table ip6 keepalived {\n\
         \tset vips { type ipv6_addr; }\n\
         \tset neighbor-discovery { type icmpv6_type; flags constant; \
         elements = { nd-neighbor-solicit, nd-neighbor-advert }; }\n\
         \tchain out { type filter hook output priority filter - 1; policy accept;\n\
         \t\ticmpv6 type @neighbor-discovery accept\n\
         \t\tip6 saddr fe80::/10 goto out_link_local\n\
         \t\tip6 saddr @vips drop\n\t}\n\
         \tchain in { type filter hook input priority filter - 1; policy accept;\n\
         \t\ticmpv6 type @neighbor-discovery accept\n\
         \t\tip6 daddr fe80::/10 goto in_link_local\n\
         \t\tip6 daddr @vips drop\n\t}\n\
         \tchain in_link_local {}\n\
         \tchain out_link_local {}\n\
         }\n"
        .to_string()
    } else {
        "table ip keepalived {}\n\
         delete table ip keepalived\n\
         table ip keepalived {\n\
         \tset vips { type ipv4_addr; }\n\
         \tchain out { type filter hook output priority filter - 1; policy accept;\n\
         \t\tip saddr @vips drop\n\t}\n\
         \tchain in { type filter hook input priority filter - 1; policy accept;\n\
         \t\tip daddr @vips drop\n\t}\n\
         }\n"
        .to_string()
    }
}

/// `add element` / `delete element` for some VIPs of one family.
pub fn element_script(add: bool, v6: bool, addrs: &[IpAddr]) -> String {
    let list: Vec<String> = addrs
        .iter()
        .filter(|a| a.is_ipv6() == v6)
        .map(|a| a.to_string())
        .collect();
    if list.is_empty() {
        return String::new();
    }
    format!(
        "{} element {} keepalived vips {{ {} }}\n",
        if add { "add" } else { "delete" },
        if v6 { "ip6" } else { "ip" },
        list.join(", ")
    )
}

/// The blocked VIPs and the worker that applies changes.
pub struct Firewall {
    /// VIPs in the set now (counted: two instances may share one).
    blocked: Vec<IpAddr>,
    tables: [bool; 2],
    tx: Option<mpsc::Sender<String>>,
    worker: Option<JoinHandle<()>>,
}

impl Firewall {
    /// Err(reason) when `nft` cannot be found. `log` gets nft's complaints.
    pub fn new(log: super::log::Log) -> Result<Firewall, String> {
        let Some(nft) = nft_program() else {
            return Err("nft not found".into());
        };
        let (tx, rx) = mpsc::channel::<String>();
        let worker = std::thread::Builder::new()
            .name("vrrp-nft".into())
            .spawn(move || {
                for script in rx {
                    if let Err(e) = run_nft(&nft, &script) {
                        log.line(&format!("nftables: {e}"));
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Firewall {
            blocked: Vec::new(),
            tables: [false; 2],
            tx: Some(tx),
            worker: Some(worker),
        })
    }

    fn send(&self, script: String) {
        if script.is_empty() {
            return;
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(script);
        }
    }

    /// Block traffic to and from `addrs` (a master's VIPs, just added).
    pub fn block(&mut self, addrs: &[IpAddr]) {
        let mut script = String::new();
        let mut fresh = Vec::new();
        for a in addrs {
            if !self.blocked.contains(a) && !fresh.contains(a) {
                fresh.push(*a);
            }
            self.blocked.push(*a);
        }
        for v6 in [false, true] {
            let i = usize::from(v6);
            if fresh.iter().any(|a| a.is_ipv6() == v6) && !self.tables[i] {
                script.push_str(&table_script(v6));
                self.tables[i] = true;
            }
            script.push_str(&element_script(true, v6, &fresh));
        }
        self.send(script);
    }

    /// Unblock `addrs` (VIPs removed) once no other instance holds them.
    pub fn unblock(&mut self, addrs: &[IpAddr]) {
        let mut gone = Vec::new();
        for a in addrs {
            if let Some(i) = self.blocked.iter().position(|b| b == a) {
                self.blocked.swap_remove(i);
                if !self.blocked.contains(a) {
                    gone.push(*a);
                }
            }
        }
        let mut script = String::new();
        for v6 in [false, true] {
            if self.tables[usize::from(v6)] {
                script.push_str(&element_script(false, v6, &gone));
            }
        }
        self.send(script);
    }

    /// Delete the tables and wait until nft has run (the stop path).
    pub fn teardown(&mut self) {
        let mut script = String::new();
        for (v6, fam) in [(false, "ip"), (true, "ip6")] {
            if self.tables[usize::from(v6)] {
                script.push_str(&format!("delete table {fam} keepalived\n"));
            }
        }
        self.tables = [false; 2];
        self.blocked.clear();
        self.send(script);
        self.tx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Firewall {
    fn drop(&mut self) {
        self.teardown();
    }
}

pub(crate) fn run_nft(nft: &str, script: &str) -> Result<(), String> {
    let mut child = Command::new(nft)
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {nft}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| format!("{nft}: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_per_family() {
        let a: Vec<IpAddr> = ["192.0.2.100", "2001:db8::100", "192.0.2.101"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        assert_eq!(
            element_script(true, false, &a),
            "add element ip keepalived vips { 192.0.2.100, 192.0.2.101 }\n"
        );
        assert_eq!(
            element_script(false, true, &a),
            "delete element ip6 keepalived vips { 2001:db8::100 }\n"
        );
        assert_eq!(element_script(true, true, &a[..1]), "");
    }

    /// The rules are keepalived 2.2.7's (see the module comment): drop to and from the set.
    #[test]
    fn table_has_keepalived_rules() {
        let t = table_script(false);
        assert!(t.contains("chain in { type filter hook input priority filter - 1;"));
        assert!(t.contains("ip daddr @vips drop") && t.contains("ip saddr @vips drop"));
        let t6 = table_script(true);
        assert!(t6.contains("icmpv6 type @neighbor-discovery accept"));
        assert!(t6.contains("ip6 daddr fe80::/10 goto in_link_local"));
    }
}
