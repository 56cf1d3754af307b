//! A network namespace the test creates for itself (lo up, a veth pair d0/d1 up, an
//! address from 192.0.2.0/24 on d0), deleted on drop. `None` without root or `ip netns`,
//! so the tests that need one skip on an unprivileged machine.

use std::process::Command;

/// Runs `ip ARGS`; true on success.
pub fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

pub struct Netns(pub String);

impl Netns {
    /// `tag` keeps the names of tests running at once apart; `cidr` goes on d0.
    pub fn new(tag: &str, cidr: &str) -> Option<Netns> {
        let root = std::fs::read_to_string("/proc/self/status")
            .ok()?
            .lines()
            .find(|l| l.starts_with("Uid:"))?
            .split_whitespace()
            .nth(1)?
            == "0";
        let ns = format!("t{tag}{}", std::process::id());
        if !root || !ip(&["netns", "add", &ns]) {
            return None;
        }
        // Made before the links so that a failure below still deletes the namespace.
        let n = Netns(ns.clone());
        let ok = ip(&["-n", &ns, "link", "set", "lo", "up"])
            && ip(&[
                "-n", &ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1",
            ])
            && ip(&["-n", &ns, "link", "set", "d0", "up"])
            && ip(&["-n", &ns, "link", "set", "d1", "up"])
            && ip(&["-n", &ns, "addr", "add", cidr, "dev", "d0"]);
        ok.then_some(n)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        ip(&["netns", "del", &self.0]);
    }
}
