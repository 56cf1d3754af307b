//! The proxy's worker threads, as HAProxy runs them: with `nbthread N` (N > 1), N
//! threads each run their own event loop (a current-thread tokio runtime with its own
//! epoll), every thread accepts on every listener, and a connection stays on the thread
//! that accepted it for its whole life, with the server connections it opens.
//!
//! Why not one multi-thread runtime: its tasks move between workers at every wake-up
//! (the worker that polled the shared epoll runs them), so a connection's state, its
//! server connection and the h2 stream futures keep changing caches and threads wake
//! each other. Measured with h2load -c10 -m10 through a tandem front on 2 cores: one
//! runtime with 2 workers served fewer requests per second than a single thread.
//!
//! The runtime layer starts the threads ([`install`]); an accept loop runs on each of
//! [`workers`] and hands what it accepts to the least loaded one ([`pick`]), and the
//! server connection pool prefers the connections of the calling thread ([`current`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use tokio::runtime::Handle;

thread_local! {
    static ID: Cell<usize> = const { Cell::new(0) };
}

/// A worker thread: its event loop and the connections it serves.
#[derive(Debug)]
pub struct Worker {
    pub handle: Handle,
    conns: AtomicUsize,
}

static WORKERS: RwLock<Option<Arc<[Worker]>>> = RwLock::new(None);

/// This thread's number: 1..=N on a worker thread, 0 elsewhere (the main thread, whose
/// runtime runs the listeners when there are no workers).
pub fn current() -> usize {
    ID.with(Cell::get)
}

/// Names the calling thread worker `id` (called once by the thread itself).
pub fn set_current(id: usize) {
    ID.with(|c| c.set(id));
}

/// The worker threads (worker `i + 1` at `i`); `None`: the caller's runtime serves.
pub fn workers() -> Option<Arc<[Worker]>> {
    WORKERS.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Makes `h` the workers' runtimes (empty: none).
pub fn install(h: Vec<Handle>) {
    let w: Option<Arc<[Worker]>> = (!h.is_empty()).then(|| {
        h.into_iter()
            .map(|handle| Worker {
                handle,
                conns: AtomicUsize::new(0),
            })
            .collect()
    });
    *WORKERS.write().unwrap_or_else(|e| e.into_inner()) = w;
}

/// The worker a new connection goes to: the one serving the fewest, the calling
/// thread's on a tie (HAProxy 2.6 hands an accepted connection to the least loaded of
/// the listener's threads; staying avoids a hand-over between threads).
pub fn pick(workers: &[Worker]) -> usize {
    let me = current().checked_sub(1).filter(|i| *i < workers.len());
    let mut best = me.unwrap_or(0);
    let mut load = workers
        .get(best)
        .map_or(usize::MAX, |w| w.conns.load(Ordering::Relaxed));
    for (i, w) in workers.iter().enumerate() {
        let l = w.conns.load(Ordering::Relaxed);
        if l < load {
            best = i;
            load = l;
        }
    }
    best
}

/// Counts a connection on worker `i` while it lives.
pub struct Load {
    workers: Arc<[Worker]>,
    i: usize,
}

impl Load {
    pub fn new(workers: Arc<[Worker]>, i: usize) -> Load {
        if let Some(w) = workers.get(i) {
            w.conns.fetch_add(1, Ordering::Relaxed);
        }
        Load { workers, i }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        if let Some(w) = self.workers.get(self.i) {
            w.conns.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> (tokio::runtime::Runtime, Arc<[Worker]>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let w = (0..3)
            .map(|_| Worker {
                handle: rt.handle().clone(),
                conns: AtomicUsize::new(0),
            })
            .collect();
        (rt, w)
    }

    #[test]
    fn connections_go_to_the_least_loaded_worker() {
        let (_rt, w) = three();
        // the main thread (0) is no worker: ties go to the first
        let a = Load::new(w.clone(), pick(&w));
        assert_eq!(a.i, 0);
        let b = Load::new(w.clone(), pick(&w));
        assert_eq!(b.i, 1);
        let c = Load::new(w.clone(), pick(&w));
        assert_eq!(c.i, 2);
        drop(b);
        assert_eq!(pick(&w), 1);
        // a worker keeps a connection on a tie
        std::thread::scope(|s| {
            s.spawn(|| {
                set_current(3);
                let _d = Load::new(w.clone(), 1);
                assert_eq!(pick(&w), 2);
            });
        });
        drop((a, c));
    }
}
