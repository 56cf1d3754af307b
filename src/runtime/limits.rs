//! Global `maxconn` and the file-descriptor limit, computed as HAProxy 2.6
//! does.
//!
//! Measured with HAProxy 2.6.12 (`show info` on the stats socket, 2 CPUs,
//! RLIMIT_NOFILE hard limit 20000):
//! - no `maxconn`, soft limit 1024: Ulimit-n 20000, Maxconn 9986 (the soft
//!   limit is raised to the hard one, then two FDs per connection after the
//!   reserved ones);
//! - `maxconn 4000`: Ulimit-n = Maxsock = 8028 whatever the soft limit was
//!   (it is set exactly, even lowered);
//! - `maxconn 1000`: 2025 with `nbthread 1`, 2034 with 4 (3 FDs per thread:
//!   a poller and a wake-up pipe), +1 per listener, +1 per checked server,
//!   and 20 more whatever the config (HAProxy's fixed reserve);
//! - `-n 100` wins over the config: 228;
//! - `maxconn 15000` with a hard limit of 20000: `[ALERT] (PID) :
//!   [haproxy.main()] Cannot raise FD limit to 30028, limit is 1024.`, exit 1.

/// What the FD budget depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdNeeds {
    /// Listening sockets (each address and port of each bind, stats sockets).
    pub listeners: u64,
    /// Servers with health checks (one FD each while checking).
    pub checks: u64,
    pub nbthread: u64,
}

/// HAProxy's fixed reserve on top of listeners, checks and threads.
const FIXED_RESERVE: u64 = 20;
/// Do not derive absurd values from an unlimited hard limit.
const MAX_AUTO_FDS: u64 = 1 << 20;

impl FdNeeds {
    fn reserved(&self) -> u64 {
        FIXED_RESERVE + self.listeners + self.checks + 3 * self.nbthread
    }
}

/// The limits the process runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub maxconn: u64,
    pub maxsock: u64,
}

/// Why the limits cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// HAProxy's text, after `[haproxy.main()] `.
    #[error("Cannot raise FD limit to {wanted}, limit is {current}.")]
    CannotRaise { wanted: u64, current: u64 },
}

/// Compute maxconn/maxsock. `maxconn` is `-n` or the global `maxconn`;
/// `hard` is the RLIMIT_NOFILE hard limit.
pub fn compute(maxconn: Option<u64>, needs: FdNeeds, hard: u64) -> Limits {
    let reserved = needs.reserved();
    let maxconn = match maxconn {
        Some(m) if m > 0 => m,
        _ => {
            let avail = hard.min(MAX_AUTO_FDS).saturating_sub(reserved);
            (avail / 2).max(1)
        }
    };
    Limits {
        maxconn,
        maxsock: maxconn.saturating_mul(2).saturating_add(reserved),
    }
}

/// Set the soft RLIMIT_NOFILE to `maxsock` as HAProxy does.
pub fn apply(l: &Limits) -> Result<(), LimitError> {
    let (soft, hard) = super::sys::nofile_limit().unwrap_or((1024, 1024));
    if l.maxsock > hard && super::sys::set_nofile_limit(l.maxsock, l.maxsock).is_err() {
        return Err(LimitError::CannotRaise {
            wanted: l.maxsock,
            current: soft,
        });
    }
    if l.maxsock != soft {
        let _ = super::sys::set_nofile_limit(l.maxsock, hard.max(l.maxsock));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(listeners: u64, checks: u64, nbthread: u64) -> FdNeeds {
        FdNeeds {
            listeners,
            checks,
            nbthread,
        }
    }

    #[test]
    fn matches_haproxy_show_info() {
        // HAProxy 2.6.12, values from `show info` (see the module comment).
        assert_eq!(
            compute(None, needs(2, 0, 2), 20000),
            Limits {
                maxconn: 9986,
                maxsock: 20000
            }
        );
        assert_eq!(compute(Some(4000), needs(2, 0, 2), 20000).maxsock, 8028);
        assert_eq!(compute(Some(1000), needs(2, 0, 1), 20000).maxsock, 2025);
        assert_eq!(compute(Some(1000), needs(2, 0, 4), 20000).maxsock, 2034);
        assert_eq!(compute(Some(1000), needs(6, 0, 1), 20000).maxsock, 2029);
        assert_eq!(compute(Some(1000), needs(2, 2, 1), 20000).maxsock, 2027);
        assert_eq!(compute(Some(100), needs(2, 0, 2), 20000).maxsock, 228);
        assert_eq!(compute(Some(15000), needs(2, 0, 2), 20000).maxsock, 30028);
    }

    #[test]
    fn cannot_raise_text() {
        let e = LimitError::CannotRaise {
            wanted: 30028,
            current: 1024,
        };
        assert_eq!(
            e.to_string(),
            "Cannot raise FD limit to 30028, limit is 1024."
        );
    }
}
