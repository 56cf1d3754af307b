//! The registry of live streams behind `show sess` and `shutdown session(s)`.
//!
//! Public API (the session code calls these, with small hunks):
//! - [`Registry::register`] at accept: returns a [`Guard`] that removes the entry when
//!   dropped (however the session ends) and carries the cancellation;
//! - [`Guard::set_route`] once the backend and server are known (TCP), or
//!   [`note_route`] from inside an HTTP session run under [`Guard::scope`];
//! - [`Guard::cancelled`] completes when `shutdown session` / `shutdown sessions server`
//!   killed the stream: the session drops its connections then.
//!
//! HAProxy prints each stream's address (`0x55e0c9bc6ec0:`); tandem has no such address,
//! so each entry gets a stable pointer-like number that `show sess <id>` and
//! `shutdown session <id>` accept the same way (`strtoul(..., 0)`).

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use futures_util::task::AtomicWaker;

/// Where a stream came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Tcp(SocketAddr),
    /// A unix socket client (HAProxy prints `unix:1`, the listener id).
    Unix,
}

/// What the registry knows of one stream.
#[derive(Debug)]
pub struct Entry {
    /// The pointer-like id `show sess` prints.
    pub ptr: u64,
    /// HAProxy's stream number (`id=` of `show sess all`).
    pub uniq: u64,
    pub src: Source,
    /// The address the client connected to.
    pub local: Option<SocketAddr>,
    /// Frontend name; `GLOBAL` for a CLI connection (shared: one per name).
    pub frontend: Arc<str>,
    /// HTTP mode (`show sess all` prints the mode).
    pub http: bool,
    pub accept: SystemTime,
    pub started: Instant,
    route: Mutex<Route>,
    // A flag and one waker, not a channel: registering and polling a stream is paid per
    // request (every HTTP/2 stream is one), killing it almost never.
    killed: AtomicBool,
    /// The task waiting in [`Guard::cancelled`] / [`Guard::scope`] (one at a time).
    waiter: AtomicWaker,
}

/// The backend and server of a stream, once chosen (the names shared, not copied).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    pub backend: Option<Arc<str>>,
    pub server: Option<Arc<str>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Entry {
    pub fn route(&self) -> Route {
        lock(&self.route).clone()
    }

    /// Kills the stream (`shutdown session`).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.waiter.wake();
    }

    pub fn killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }
}

/// Completes when the entry is killed.
struct Killed<'a>(&'a Entry);

impl Future for Killed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.killed() {
            return Poll::Ready(());
        }
        self.0.waiter.register(cx.waker());
        // a kill between the check and the registration woke the old waker
        if self.0.killed() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    map: BTreeMap<u64, Arc<Entry>>,
    /// The frontend names entries hold, one allocation per name.
    names: Vec<Arc<str>>,
}

impl Inner {
    fn name(&mut self, n: &str) -> Arc<str> {
        if let Some(a) = self.names.iter().find(|a| &***a == n) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(n);
        self.names.push(a.clone());
        a
    }
}

/// Shards of the registry: a stream registers in its worker thread's, so that the worker
/// threads (HAProxy keeps a stream list per thread) do not take one lock twice per stream.
const SHARDS: usize = 8;

/// Every live stream of the engine.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    shards: Arc<[Mutex<Inner>; SHARDS]>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

/// What [`Registry::register`] needs to know.
#[derive(Debug, Clone)]
pub struct NewStream<'a> {
    pub src: Source,
    pub local: Option<SocketAddr>,
    pub frontend: &'a str,
    pub http: bool,
}

/// Pointer-like ids: a heap-looking base, 0x400 apart (the size of an HAProxy stream).
const PTR_BASE: u64 = 0x55d0_c9b1_0000;

impl Registry {
    pub fn register(&self, s: NewStream<'_>) -> Guard {
        let shard = crate::proxy::threads::current() % SHARDS;
        let uniq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut g = lock(&self.shards[shard]);
        let ptr = PTR_BASE + uniq * 0x400;
        let frontend = g.name(s.frontend);
        let e = Arc::new(Entry {
            ptr,
            uniq,
            src: s.src,
            local: s.local,
            frontend,
            http: s.http,
            accept: SystemTime::now(),
            started: crate::proxy::clock::now(),
            route: Mutex::new(Route::default()),
            killed: AtomicBool::new(false),
            waiter: AtomicWaker::new(),
        });
        g.map.insert(ptr, e.clone());
        Guard {
            reg: self.clone(),
            entry: e,
            shard,
        }
    }

    /// The live streams, oldest first.
    pub fn list(&self) -> Vec<Arc<Entry>> {
        let mut all: Vec<Arc<Entry>> = Vec::new();
        for sh in self.shards.iter() {
            all.extend(lock(sh).map.values().cloned());
        }
        all.sort_by_key(|e| e.ptr);
        all
    }

    pub fn get(&self, ptr: u64) -> Option<Arc<Entry>> {
        self.shards
            .iter()
            .find_map(|sh| lock(sh).map.get(&ptr).cloned())
    }

    /// Kills every stream on `backend/server`; returns how many.
    pub fn kill_server(&self, backend: &str, server: &str) -> usize {
        let mut n = 0;
        for e in self.list() {
            let r = e.route();
            if r.backend.as_deref() == Some(backend) && r.server.as_deref() == Some(server) {
                e.kill();
                n += 1;
            }
        }
        n
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|sh| lock(sh).map.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A registered stream: removed from the registry on drop.
#[derive(Debug)]
pub struct Guard {
    reg: Registry,
    entry: Arc<Entry>,
    shard: usize,
}

impl Guard {
    pub fn entry(&self) -> &Arc<Entry> {
        &self.entry
    }

    pub fn set_route(&self, backend: &str, server: Option<&str>) {
        let mut r = lock(&self.entry.route);
        r.backend = Some(Arc::from(backend));
        r.server = server.map(Arc::from);
    }

    /// Completes when the stream is killed (never otherwise). One waiter at a time.
    pub fn cancelled(&self) -> impl Future<Output = ()> + '_ {
        Killed(&self.entry)
    }

    /// Runs `fut` with this stream as the current one ([`note_route`]), until it ends or
    /// the stream is killed; `true` when it was killed.
    // Not an `async fn`: that would hold `fut` twice (its argument and the inner
    // block's capture), doubling every idle connection's session future.
    pub fn scope<'a, F: std::future::Future + 'a>(
        &'a self,
        fut: F,
    ) -> impl std::future::Future<Output = bool> + 'a {
        CURRENT.scope(self.entry.clone(), async move {
            tokio::select! {
                // the stream first: no random pick per poll
                biased;
                _ = fut => false,
                _ = self.cancelled() => true,
            }
        })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        lock(&self.reg.shards[self.shard])
            .map
            .remove(&self.entry.ptr);
    }
}

tokio::task_local! {
    static CURRENT: Arc<Entry>;
}

/// Records the backend and server of the current stream (called by the HTTP session
/// when a transaction got its server connection; no-op outside [`Guard::scope`]).
pub fn note_route(backend: &Arc<str>, server: &Arc<str>) {
    let _ = CURRENT.try_with(|e| {
        let mut r = lock(&e.route);
        // a keep-alive connection's next request usually has the same route
        if r.backend.as_ref() != Some(backend) {
            r.backend = Some(backend.clone());
        }
        if r.server.as_ref() != Some(server) {
            r.server = Some(server.clone());
        }
    });
}

/// HAProxy's `human_time(t, 1)`: at most two units (`0s`, `5s`, `1m3s`, `2h1m`, `3d4h`).
pub fn human_time(secs: u64) -> String {
    const MIN: u64 = 60;
    const HOUR: u64 = 3600;
    const DAY: u64 = 86400;
    let mut o = String::new();
    let mut cnt = 0;
    if secs >= DAY {
        o.push_str(&format!("{}d", secs / DAY));
        cnt += 1;
    }
    if cnt < 2 && (secs % DAY) / HOUR != 0 {
        o.push_str(&format!("{}h", (secs % DAY) / HOUR));
        cnt += 1;
    }
    if cnt < 2 && (secs % HOUR) / MIN != 0 {
        o.push_str(&format!("{}m", (secs % HOUR) / MIN));
        cnt += 1;
    }
    if cnt < 2 && (!secs.is_multiple_of(MIN) || secs == 0) {
        o.push_str(&format!("{}s", secs % MIN));
    }
    o
}

/// `strtoul(s, NULL, 0)`: `0x` hex, leading `0` octal, else decimal; stops at the first
/// bad digit (HAProxy then compares with 0 / the stream addresses).
pub fn strtoul(s: &str) -> u64 {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    u64::from_str_radix(&digits[..end], radix).unwrap_or(0)
}

/// `[22/Nov/2026:08:12:31.906744]`'s inside (UTC).
fn date_us(t: SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // H. Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{day:02}/{}/{year:04}:{:02}:{:02}:{:02}.{:06}",
        MON[((month - 1) as usize) % 12],
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        d.subsec_micros()
    )
}

fn proto(e: &Entry) -> &'static str {
    match e.src {
        Source::Unix => "unix_stream",
        Source::Tcp(a) if a.is_ipv4() => "tcpv4",
        Source::Tcp(_) => "tcpv6",
    }
}

fn src_text(e: &Entry) -> String {
    match e.src {
        Source::Unix => "unix:1".into(),
        Source::Tcp(a) => match a {
            SocketAddr::V4(v) => v.to_string(),
            SocketAddr::V6(v) => format!("{}:{}", v.ip(), v.port()),
        },
    }
}

/// One line of `show sess` (HAProxy 2.6.12's format; the flags and timers HAProxy
/// prints for its internal buffers are those of an established stream waiting for data).
pub fn summary_line(e: &Entry) -> String {
    let r = e.route();
    let age = human_time(e.started.elapsed().as_secs());
    let cli = &*e.frontend == "GLOBAL";
    let (rq, rp, scf, scb, exp) = if cli {
        (
            "rq[f=c08002h,i=0,an=00h,rx=10s,wx=,ax=]",
            "rp[f=80008000h,i=0,an=00h,rx=,wx=,ax=]",
            "scf=[8,0h,fd=13]",
            "scb=[8,1h,fd=-1]",
            "10s",
        )
    } else {
        (
            "rq[f=848202h,i=0,an=00h,rx=29s,wx=,ax=]",
            "rp[f=80048202h,i=0,an=00h,rx=29s,wx=,ax=]",
            "scf=[8,0h,fd=15]",
            "scb=[8,1h,fd=16]",
            "1s",
        )
    };
    format!(
        "{:#x}: proto={} src={} fe={} be={} srv={} ts=00 epoch=0 age={age} calls=2 rate=0 cpu=0 lat=0 {rq} {rp} {scf} {scb} exp={exp} rc=0 c_exp=",
        e.ptr,
        proto(e),
        src_text(e),
        e.frontend,
        r.backend.as_deref().unwrap_or("<NONE>"),
        r.server.as_deref().unwrap_or("<none>"),
    )
}

/// What `show sess all` / `show sess <id>` print of the proxies: ids and addresses.
/// The id and address of `backend/server`.
pub type ServerIds<'a> = &'a dyn Fn(&str, &str) -> Option<(u32, SocketAddr)>;

pub struct Ids<'a> {
    /// HAProxy's proxy id of a proxy name.
    pub proxy_id: &'a dyn Fn(&str) -> Option<u32>,
    pub server: ServerIds<'a>,
    /// The proxy is in HTTP mode.
    pub http: &'a dyn Fn(&str) -> bool,
}

/// The detailed block of one stream (its first lines as HAProxy 2.6.12 prints them).
pub fn detail(e: &Entry, ids: &Ids<'_>) -> String {
    let r = e.route();
    let mode = |p: &str| if (ids.http)(p) { "http" } else { "tcp" };
    let cli = &*e.frontend == "GLOBAL";
    let mut o = format!(
        "{:#x}: [{}] id={} proto={} source={}\n",
        e.ptr,
        date_us(e.accept),
        e.uniq,
        proto(e),
        src_text(e)
    );
    let srv_conn = if r.server.is_some() {
        format!("{:#x}", e.ptr + 0x200)
    } else {
        "(nil)".into()
    };
    o.push_str(&format!(
        "  flags=0x{}, conn_retries=0, conn_exp=<NEVER> conn_et=0x000 srv_conn={srv_conn}, pend_pos=(nil) waiting=0 epoch=0\n",
        if cli { "8" } else { "4a" }
    ));
    let local = e
        .local
        .map_or_else(|| "unix:1".to_string(), |a| a.to_string());
    if cli {
        o.push_str(&format!(
            "  frontend=GLOBAL (id=0 mode=tcp), listener=? (id=1) addr={local}\n"
        ));
    } else {
        o.push_str(&format!(
            "  frontend={} (id={} mode={}), listener=? (id=1) addr={local}\n",
            e.frontend,
            (ids.proxy_id)(&e.frontend).unwrap_or(0),
            mode(&e.frontend)
        ));
    }
    match &r.backend {
        Some(b) => {
            let ip = e
                .local
                .map_or("127.0.0.1".to_string(), |a| a.ip().to_string());
            o.push_str(&format!(
                "  backend={b} (id={} mode={}) addr={ip}:0\n",
                (ids.proxy_id)(b).unwrap_or(0),
                mode(b)
            ));
        }
        None => o.push_str("  backend=<NONE> (id=-1 mode=-)\n"),
    }
    match (&r.backend, &r.server) {
        (Some(b), Some(s)) => {
            let (id, addr) = (ids.server)(b, s).unwrap_or((0, SocketAddr::from(([0, 0, 0, 0], 0))));
            o.push_str(&format!("  server={s} (id={id}) addr={addr}\n"));
        }
        _ => o.push_str("  server=<NONE> (id=-1)\n"),
    }
    o.push_str(&format!(
        "  task={:#x} (state=0x00 nice={} calls=2 rate=0 exp={} tmask=0x1 age={})\n",
        e.ptr + 0x100,
        if cli { "-64" } else { "0" },
        if cli { "10s" } else { "1s" },
        human_time(e.started.elapsed().as_secs())
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_times_as_haproxy() {
        assert_eq!(human_time(0), "0s");
        assert_eq!(human_time(5), "5s");
        assert_eq!(human_time(63), "1m3s");
        assert_eq!(human_time(3600), "1h");
        assert_eq!(human_time(3661), "1h1m");
        assert_eq!(human_time(90061), "1d1h");
    }

    #[test]
    fn strtoul_like_c() {
        assert_eq!(strtoul("0x10"), 16);
        assert_eq!(strtoul("010"), 8);
        assert_eq!(strtoul("12zz"), 12);
        assert_eq!(strtoul("zz"), 0);
    }

    #[tokio::test]
    async fn register_kill_and_drop() {
        let r = Registry::default();
        let g = r.register(NewStream {
            src: Source::Unix,
            local: None,
            frontend: "fe",
            http: false,
        });
        g.set_route("be", Some("s1"));
        assert_eq!(r.len(), 1);
        let e = g.entry().clone();
        let task = async { g.scope(std::future::pending::<()>()).await };
        let killer = async {
            tokio::task::yield_now().await;
            assert_eq!(r.kill_server("be", "s1"), 1);
        };
        let (killed, ()) = tokio::join!(task, killer);
        assert!(killed);
        assert!(e.killed());
        drop(g);
        assert!(r.is_empty());
    }
}
