//! The proxy's worker threads (`nbthread` > 1): each runs a current-thread runtime of
//! its own, on which the accept loops and the connections they accept run (see
//! [`crate::proxy::threads`] for why). The main thread keeps the control work: signals,
//! the runtime API, health checks, VRRP.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

/// Running worker threads; dropping them stops them (their connections end).
pub struct Workers {
    stops: Vec<oneshot::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts `n` worker threads and makes them the proxy's ([`crate::proxy::threads`]).
    /// `n` < 2: none (the caller's runtime serves the listeners).
    pub fn start(n: usize) -> std::io::Result<Workers> {
        let mut w = Workers {
            stops: Vec::new(),
            threads: Vec::new(),
        };
        if n < 2 {
            return Ok(w);
        }
        let mut handles = Vec::with_capacity(n);
        for id in 1..=n {
            let (htx, hrx) = mpsc::channel();
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            let t = std::thread::Builder::new()
                .name("tandem-worker".into())
                .spawn(move || {
                    crate::proxy::threads::set_current(id);
                    let rt = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(e) => {
                            let _ = htx.send(Err(e));
                            return;
                        }
                    };
                    let _ = htx.send(Ok(rt.handle().clone()));
                    let _ = rt.block_on(stop_rx);
                    // a connection still open at exit is not waited for
                    rt.shutdown_background();
                })?;
            w.threads.push(t);
            w.stops.push(stop_tx);
            match hrx.recv() {
                Ok(Ok(h)) => handles.push(h),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(std::io::Error::other("worker thread did not start")),
            }
        }
        crate::proxy::threads::install(handles);
        Ok(w)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        crate::proxy::threads::install(Vec::new());
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
