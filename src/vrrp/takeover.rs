//! The new master's half of the zero-loss planned handover of `tandem run`.
//!
//! Measured in the lab (tcpdump in the client's and both nodes' namespaces, a GET every
//! 10 ms): when the new master's gratuitous ARP reaches the client, the connections the old
//! master is still serving are a few milliseconds from done, and their next segments (the
//! client's ACK of the response, its FIN, or the request itself) now go to the new master.
//! Its kernel knows no such connection and answers with a RST; the client reads
//! ECONNRESET where it would have read the end of the response. That was the one request
//! lost in about every second handover. The old master's ARP was never the cause: the
//! client took the new MAC at the first gratuitous ARP and kept it.
//!
//! So the new master, from the moment it hears the old master's priority 0 advert, hands
//! those segments back: a short-lived nftables table (prerouting, after conntrack) copies
//! to the old master (`dup to OLD device IF`, which sends the copy to the old master's MAC
//! with the VIP still as destination) and drops every TCP segment to the instance's VIPs
//! that opens no connection of its own: not a SYN, and either picked up mid-stream by
//! conntrack (`ct state new`) or a FIN conntrack cannot place (`ct state invalid`). The old
//! master keeps its VIPs until it has seen the new master's advert and one interval more,
//! so it still owns those connections and finishes them; its answers go straight to the
//! client. SYNs and the new master's own connections (tracked from their SYN) are never
//! touched. The table lives as long as the old master may keep its VIPs (four advert
//! intervals and a second, `tandem run`'s handover limit) and goes on stop.
//!
//! Only `tandem run` does this (keepalived does not; `tandem keepalived` stays like it).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::firewall::{nft_program, run_nft};

/// The nft script that creates one takeover table: `table` of family `ip` or `ip6`
/// (by `peer`), matching `vips` of that family, copying to `peer` on `dev`.
pub fn script(table: &str, dev: &str, vips: &[IpAddr], peer: IpAddr) -> Option<String> {
    let v6 = peer.is_ipv6();
    let list: Vec<String> = vips
        .iter()
        .filter(|a| a.is_ipv6() == v6)
        .map(|a| a.to_string())
        .collect();
    if list.is_empty() {
        return None;
    }
    // The nft family and the match keyword have the same name.
    let fam = if v6 { "ip6" } else { "ip" };
    let vips = list.join(", ");
    let dev = dev.replace('"', "");
    // `tcp flags & (fin|syn|rst|ack) != syn`: anything but a connection's first segment.
    let pick = "tcp flags & (fin | syn | rst | ack) != syn";
    Some(format!(
        "table {fam} {table} {{\n\
         \tchain prerouting {{ type filter hook prerouting priority -150; policy accept;\n\
         \t\t{fam} daddr {{ {vips} }} {pick} ct state new dup to {peer} device \"{dev}\" drop\n\
         \t\t{fam} daddr {{ {vips} }} tcp flags & fin == fin ct state invalid \
         dup to {peer} device \"{dev}\" drop\n\
         \t}}\n}}\n"
    ))
}

/// The takeover tables in place, by nft family and name.
#[derive(Default)]
pub struct Takeovers {
    live: Arc<Mutex<Vec<(String, String)>>>,
    seq: u64,
    missing_said: bool,
}

impl Takeovers {
    /// Install the table for one instance at once (the new master's gratuitous ARP
    /// follows within Skew_Time, which can be a few ms: the nft run, 10-20 ms, is waited
    /// for), and remove it after `window`. Returns the line to log.
    pub fn forward(
        &mut self,
        vrid: u8,
        dev: &str,
        vips: &[IpAddr],
        peer: IpAddr,
        window: Duration,
    ) -> Option<String> {
        let Some(nft) = nft_program() else {
            if self.missing_said {
                return None;
            }
            self.missing_said = true;
            return Some(
                "WARNING - nft not found: segments of the old master's connections that \
                 reach this node after the takeover are reset (install nftables)"
                    .into(),
            );
        };
        self.seq += 1;
        let name = format!("tandem_takeover_{vrid}_{}", self.seq);
        let fam = if peer.is_ipv6() { "ip6" } else { "ip" };
        let text = script(&name, dev, vips, peer)?;
        if let Err(e) = run_nft(&nft, &text) {
            return Some(format!("nftables (takeover): {e}"));
        }
        if let Ok(mut l) = self.live.lock() {
            l.push((fam.to_string(), name.clone()));
        }
        let live = self.live.clone();
        // A thread, not a task: it must not depend on the runtime being polled.
        let _ = std::thread::Builder::new()
            .name("vrrp-takeover".into())
            .spawn(move || {
                std::thread::sleep(window);
                remove(&nft, &live, |n| n == name);
            });
        Some(format!(
            "priority 0 from {peer}: until the takeover is over ({window:?}), segments of \
             its connections to the VIPs are handed back to it"
        ))
    }

    /// Remove every table still in place (the stop path).
    pub fn clear(&mut self) {
        if let Some(nft) = nft_program() {
            remove(&nft, &self.live, |_| true);
        }
    }
}

impl Drop for Takeovers {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Delete the live tables `which` selects (under the lock, so that a table is deleted
/// once whoever comes first).
fn remove(nft: &str, live: &Mutex<Vec<(String, String)>>, which: impl Fn(&str) -> bool) {
    let Ok(mut l) = live.lock() else {
        return;
    };
    let mut text = String::new();
    l.retain(|(fam, name)| {
        if which(name) {
            text.push_str(&format!("delete table {fam} {name}\n"));
            false
        } else {
            true
        }
    });
    if !text.is_empty() {
        let _ = run_nft(nft, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(v: &[&str]) -> Vec<IpAddr> {
        v.iter().filter_map(|s| s.parse().ok()).collect()
    }

    #[test]
    fn script_per_family() {
        let vips = ips(&["192.0.2.100", "2001:db8::100", "192.0.2.101"]);
        let peer: IpAddr = "192.0.2.11".parse().unwrap();
        let s = script("t", "eth0", &vips, peer).unwrap();
        assert!(s.starts_with("table ip t {"), "{s}");
        assert!(
            s.contains(
                "ip daddr { 192.0.2.100, 192.0.2.101 } tcp flags & (fin | syn | rst | ack) \
                 != syn ct state new dup to 192.0.2.11 device \"eth0\" drop"
            ),
            "{s}"
        );
        assert!(s.contains("ct state invalid dup to 192.0.2.11"), "{s}");
        let peer6: IpAddr = "fe80::11".parse().unwrap();
        let s6 = script("t", "eth0", &vips, peer6).unwrap();
        assert!(s6.contains("table ip6 t") && s6.contains("ip6 daddr { 2001:db8::100 }"));
        assert!(script("t", "eth0", &ips(&["2001:db8::1"]), peer).is_none());
    }

    /// The script is accepted by nft itself (`nft -c`, checks without touching the
    /// ruleset); skipped where nft is missing or may not run (not root).
    #[test]
    fn nft_accepts_the_script() {
        let Some(nft) = nft_program() else {
            return;
        };
        let vips = ips(&["192.0.2.100"]);
        let s = script(
            "tandem_takeover_test",
            "lo",
            &vips,
            "192.0.2.11".parse().unwrap(),
        )
        .unwrap_or_default();
        let out = std::process::Command::new(&nft)
            .args(["-c", "-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                if let Some(mut i) = c.stdin.take() {
                    i.write_all(s.as_bytes())?;
                }
                c.wait_with_output()
            });
        let Ok(out) = out else { return };
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("Operation not permitted") {
            return;
        }
        assert!(out.status.success(), "{err}\n{s}");
    }
}
