//! A loopback port for a proxy under test, shared by the differential suites: random in
//! 20000-29999 (the range the project's tests use), never handed out twice in one test
//! binary, salted with the pid so that parallel test binaries do not walk the same sequence.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

static USED: OnceLock<Mutex<Vec<u16>>> = OnceLock::new();
static RNG: AtomicU64 = AtomicU64::new(0);

pub fn free_port() -> u16 {
    let used = USED.get_or_init(|| Mutex::new(Vec::new()));
    loop {
        let mut x = RNG.load(Ordering::Relaxed);
        if x == 0 {
            x = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                ^ (u64::from(std::process::id()) << 20)
                | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        RNG.store(x, Ordering::Relaxed);
        let port = 20000 + (x % 10000) as u16;
        let mut u = used.lock().unwrap();
        if u.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            u.push(port);
            return port;
        }
    }
}
