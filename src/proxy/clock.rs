//! The time as a task poll sees it: read once per poll of a connection's task, as
//! HAProxy reads its `now` once per turn of its event loop.
//!
//! A request reads the clock about twenty times (its log timers, the stats, the session
//! registry, the balancer's slots), and within one poll the readings differ by
//! microseconds where the consumers count milliseconds or seconds. Outside a poll wrapped
//! in [`Clocked`] (control tasks, tests) every call reads the system clock.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

thread_local! {
    /// Whether a [`Clocked`] poll is running on this thread (readings may be kept).
    static IN_POLL: Cell<bool> = const { Cell::new(false) };
    static NOW: Cell<Option<Instant>> = const { Cell::new(None) };
    static UNIX_SECS: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The monotonic time of this poll.
pub fn now() -> Instant {
    NOW.with(|c| match c.get() {
        Some(t) => t,
        None => {
            let t = Instant::now();
            if IN_POLL.with(Cell::get) {
                c.set(Some(t));
            }
            t
        }
    })
}

/// [`now`] as tokio's `Instant` (for deadlines and the session's timers).
pub fn tokio_now() -> tokio::time::Instant {
    tokio::time::Instant::from_std(now())
}

/// Seconds since the Unix epoch, as of this poll.
pub fn unix_secs() -> u64 {
    UNIX_SECS.with(|c| match c.get() {
        Some(t) => t,
        None => {
            let t = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if IN_POLL.with(Cell::get) {
                c.set(Some(t));
            }
            t
        }
    })
}

fn forget() {
    NOW.with(|c| c.set(None));
    UNIX_SECS.with(|c| c.set(None));
}

/// A future whose polls keep one clock reading each.
pub struct Clocked<F>(pub F);

impl<F: Future + Unpin> Future for Clocked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let outer = IN_POLL.with(|p| p.replace(true));
        forget();
        let r = Pin::new(&mut self.0).poll(cx);
        // readings never outlive the poll (another task, or none, runs next)
        forget();
        IN_POLL.with(|p| p.set(outer));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn one_reading_per_poll_and_fresh_outside() {
        let a = now();
        std::thread::sleep(Duration::from_millis(2));
        assert!(now() > a, "outside a poll every call reads the clock");
        let mut readings = Vec::new();
        let mut f = Clocked(Box::pin(async {
            let x = now();
            std::thread::sleep(Duration::from_millis(2));
            (x, now(), unix_secs())
        }));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        if let Poll::Ready(r) = Pin::new(&mut f).poll(&mut cx) {
            readings.push(r);
        }
        let (x, y, _) = readings[0];
        assert_eq!(x, y, "one reading within a poll");
        std::thread::sleep(Duration::from_millis(2));
        assert!(now() > y, "the reading is dropped after the poll");
    }
}
