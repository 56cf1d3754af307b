//! `show pools` in HAProxy 2.6.12's layout, with tandem's own figures. tandem allocates
//! from Rust's allocator, not from pools: each "pool" here is one kind of object tandem
//! keeps per connection or per entry, its size the object's size, "allocated" and "used"
//! the live objects (no cache: the thread cache figure is 0). HAProxy's layout:
//!
//! ```text
//! Dumping pools usage. Use SIGQUIT to flush them.
//!   - Pool stream (984 bytes) : 2 allocated (1968 bytes), 2 used (~1 by thread caches), needed_avg 0, 0 failures, 1 users, @0x557ad663fe80 [SHARED]
//! Total: 19 pools, 114216 bytes allocated, 114216 used (~59184 by thread caches).
//! ```

use std::fmt::Write as _;

use crate::proxy::engine::Engine;

/// One pool line's figures.
struct Pool {
    name: &'static str,
    size: usize,
    live: usize,
    users: usize,
}

/// The `show pools` text.
pub fn show(engine: &Engine) -> String {
    let streams = engine.sessions.len();
    let (tables, entries) = {
        let t = engine.tables.lock().unwrap_or_else(|e| e.into_inner());
        t.iter()
            .fold((0, 0), |(n, e), (_, tb)| (n + 1, e + tb.len()))
    };
    let servers: usize = engine.backends().iter().map(|b| b.servers.len()).sum();
    let mut pools = [
        Pool {
            name: "stream",
            size: std::mem::size_of::<super::sess::Entry>(),
            live: streams,
            users: 1,
        },
        Pool {
            name: "sticktables",
            size: std::mem::size_of::<crate::proxy::stick::table::Entry>(),
            live: entries,
            users: tables.max(1),
        },
        Pool {
            name: "server",
            size: std::mem::size_of::<crate::proxy::backend::ServerRt>(),
            live: servers,
            users: 1,
        },
        Pool {
            name: "proxy",
            size: std::mem::size_of::<crate::proxy::backend::Backend>(),
            live: engine.backends().len(),
            users: 1,
        },
    ];
    // HAProxy lists its pools by increasing object size
    pools.sort_by_key(|p| p.size);
    let mut o = String::from("Dumping pools usage. Use SIGQUIT to flush them.\n");
    let mut total = 0;
    for p in &pools {
        let bytes = p.size * p.live;
        total += bytes;
        let _ = writeln!(
            o,
            "  - Pool {} ({} bytes) : {} allocated ({bytes} bytes), {} used (~0 by thread caches), needed_avg {}, 0 failures, {} users, @{:#x} [SHARED]",
            p.name, p.size, p.live, p.live, p.live, p.users, p as *const Pool as usize,
        );
    }
    let _ = writeln!(
        o,
        "Total: {} pools, {total} bytes allocated, {total} used (~0 by thread caches).",
        pools.len()
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_as_haproxy() {
        let cfg = crate::proxy::engine::tests::config(
            "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend be\n server s1 127.0.0.1:1\n",
        );
        let e = Engine::from_ir(&cfg, std::path::Path::new(".")).expect("engine");
        let out = show(&e);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "Dumping pools usage. Use SIGQUIT to flush them.");
        assert!(lines[1].starts_with("  - Pool "), "{out}");
        assert!(
            lines[1].contains(" used (~0 by thread caches), needed_avg "),
            "{out}"
        );
        assert!(lines[1].ends_with(" [SHARED]"), "{out}");
        assert!(out.contains(" : 1 allocated ("), "{out}");
        assert!(
            lines[lines.len() - 1].starts_with("Total: 4 pools, "),
            "{out}"
        );
    }
}
