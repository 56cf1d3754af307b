//! The only place in the runtime that calls libc directly: process-level
//! system calls std has no wrapper for (fork, setsid, chroot, identity,
//! rlimits, kill, socket options socket2 lacks, splice).
//!
//! Every function is a small safe wrapper: arguments are plain Rust values,
//! errors come back as `io::Error` from errno. Each `unsafe` block says why
//! it is sound.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, RawFd};

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Result of [`fork`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fork {
    Parent { child: i32 },
    Child,
}

/// fork(2). Must be called while the process has a single thread (before
/// any tokio runtime is built): the child only gets the calling thread, so
/// locks held by other threads would stay locked forever.
pub fn fork() -> io::Result<Fork> {
    // SAFETY: fork has no memory-safety preconditions of its own; the
    // single-thread requirement above is a correctness contract of callers
    // (runtime::start forks before creating any thread).
    let pid = cvt(unsafe { libc::fork() })?;
    Ok(if pid == 0 {
        Fork::Child
    } else {
        Fork::Parent { child: pid }
    })
}

/// setsid(2): leave the controlling terminal (daemon mode).
pub fn setsid() -> io::Result<()> {
    // SAFETY: no arguments, no memory touched.
    cvt(unsafe { libc::setsid() }).map(|_| ())
}

/// chroot(2) then chdir("/"), as HAProxy does.
pub fn chroot(dir: &str) -> io::Result<()> {
    let c = CString::new(dir).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    cvt(unsafe { libc::chroot(c.as_ptr()) })?;
    std::env::set_current_dir("/")
}

/// Drop the supplementary groups (setgroups(0)) then setgid(2), as
/// HAProxy 2.6 does (measured: its worker runs with an empty group list).
pub fn drop_groups() -> io::Result<()> {
    // SAFETY: a zero-length list with a null pointer is the documented way
    // to clear the supplementary groups.
    cvt(unsafe { libc::setgroups(0, std::ptr::null()) }).map(|_| ())
}

/// setgid(2).
pub fn set_gid(gid: u32) -> io::Result<()> {
    // SAFETY: plain integer argument.
    cvt(unsafe { libc::setgid(gid as libc::gid_t) }).map(|_| ())
}

/// setuid(2).
pub fn set_uid(uid: u32) -> io::Result<()> {
    // SAFETY: plain integer argument.
    cvt(unsafe { libc::setuid(uid as libc::uid_t) }).map(|_| ())
}

/// The current (soft, hard) RLIMIT_NOFILE.
pub fn nofile_limit() -> io::Result<(u64, u64)> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `r` is a valid, writable rlimit for the call's duration.
    cvt(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) })?;
    Ok((r.rlim_cur, r.rlim_max))
}

/// Set RLIMIT_NOFILE (soft, hard).
pub fn set_nofile_limit(soft: u64, hard: u64) -> io::Result<()> {
    let r = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `r` is a valid rlimit for the call's duration.
    cvt(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &r) }).map(|_| ())
}

/// kill(2). `Ok(())` when the signal was sent.
pub fn kill(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: plain integer arguments.
    cvt(unsafe { libc::kill(pid, sig) }).map(|_| ())
}

/// The parent's pid.
pub fn getppid() -> i32 {
    // SAFETY: getppid cannot fail and touches no memory.
    unsafe { libc::getppid() }
}

/// Point stdin, stdout and stderr at /dev/null (a daemon's detach).
pub fn stdio_to_devnull() -> io::Result<()> {
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    for fd in 0..3 {
        // SAFETY: both descriptors are valid: `null` is open for the whole
        // loop and dup2 onto 0..2 only replaces the standard streams.
        cvt(unsafe { libc::dup2(null.as_raw_fd(), fd) })?;
    }
    Ok(())
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the pointer and size describe `v`, alive for the call; a bad
    // fd only makes the call fail with EBADF.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(|_| ())
}

/// TCP_DEFER_ACCEPT (HAProxy's `defer-accept`: it sets 1 second).
pub fn set_defer_accept(sock: &impl AsRawFd, secs: i32) -> io::Result<()> {
    setsockopt_int(
        sock.as_raw_fd(),
        libc::IPPROTO_TCP,
        libc::TCP_DEFER_ACCEPT,
        secs,
    )
}

/// A pipe for splice(2), both ends non-blocking and close-on-exec.
pub fn pipe() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 succeeded, so both are fresh descriptors we now own.
    Ok(unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    })
}

/// Grow a pipe's buffer (F_SETPIPE_SZ); best effort.
pub fn set_pipe_size(fd: &impl AsRawFd, size: i32) -> io::Result<i32> {
    // SAFETY: fcntl with an integer argument touches no memory.
    cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETPIPE_SZ, size) })
}

/// splice(2) up to `len` bytes from `from` to `to` without blocking
/// (SPLICE_F_NONBLOCK | SPLICE_F_MOVE). Returns the bytes moved (0 = EOF).
pub fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
    // SAFETY: null offsets mean "current position"; the descriptors are
    // owned by the caller and stay open for the call; a stale fd fails
    // with EBADF and touches no memory.
    let n = unsafe {
        libc::splice(
            from,
            std::ptr::null_mut(),
            to,
            std::ptr::null_mut(),
            len,
            libc::SPLICE_F_NONBLOCK | libc::SPLICE_F_MOVE,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// The number of CPUs this process may run on (sched_getaffinity), as
/// HAProxy counts them for its default `nbthread`.
pub fn cpus_allowed() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Signal numbers, so callers need no libc.
pub mod sig {
    pub const HUP: i32 = libc::SIGHUP;
    pub const INT: i32 = libc::SIGINT;
    pub const TERM: i32 = libc::SIGTERM;
    pub const USR1: i32 = libc::SIGUSR1;
    pub const USR2: i32 = libc::SIGUSR2;
    pub const TTOU: i32 = libc::SIGTTOU;
    pub const TTIN: i32 = libc::SIGTTIN;
    pub const KILL: i32 = libc::SIGKILL;
    pub const QUIT: i32 = libc::SIGQUIT;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rlimit_roundtrip() {
        let (soft, hard) = nofile_limit().unwrap_or((0, 0));
        assert!(soft > 0 && hard >= soft);
        assert!(set_nofile_limit(soft, hard).is_ok());
        assert!(set_nofile_limit(hard.saturating_add(1), hard).is_err());
    }

    #[test]
    fn kill_zero_checks_existence() {
        assert!(kill(std::process::id() as i32, 0).is_ok());
        // pid_max is at most 2^22 on Linux.
        assert!(kill(0x7fff_fff0, 0).is_err());
    }
}
