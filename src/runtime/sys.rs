//! The only place in the runtime that calls libc directly: process-level
//! system calls std has no wrapper for (fork, setsid, chroot, identity,
//! rlimits, kill, socket options socket2 lacks, splice).
//!
//! Every function is a small safe wrapper: arguments are plain Rust values,
//! errors come back as `io::Error` from errno. Each `unsafe` block says why
//! it is sound.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

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

/// The most descriptors one [`send_fds`] call carries (the kernel's SCM_MAX_FD is 253).
pub const MAX_FDS_PER_MSG: usize = 200;

/// sendmsg(2) with `fds` attached as SCM_RIGHTS (the listening sockets a
/// worker hands to its master and a master to the next worker, as HAProxy's
/// `_getsocks` does). Returns the bytes of `data` sent.
pub fn send_fds(sock: &impl AsRawFd, data: &[u8], fds: &[RawFd]) -> io::Result<usize> {
    if fds.len() > MAX_FDS_PER_MSG || data.is_empty() {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    let payload = std::mem::size_of_val(fds);
    // SAFETY: CMSG_SPACE is a pure size computation.
    let space = unsafe { libc::CMSG_SPACE(payload as u32) } as usize;
    // u64 words keep the control buffer aligned for cmsghdr.
    let mut cbuf = vec![0u64; space.div_ceil(8).max(1)];
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: an all-zero msghdr is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        msg.msg_control = cbuf.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        // SAFETY: msg_control points at `space` writable, aligned bytes, enough
        // for one cmsghdr carrying `payload` bytes, so CMSG_FIRSTHDR is non-null
        // and CMSG_DATA has room for the descriptors copied into it.
        unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            if c.is_null() {
                return Err(io::Error::from(io::ErrorKind::InvalidInput));
            }
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = libc::CMSG_LEN(payload as u32) as _;
            std::ptr::copy_nonoverlapping(fds.as_ptr().cast::<u8>(), libc::CMSG_DATA(c), payload);
        }
    }
    loop {
        // SAFETY: `msg` describes `iov` (pointing into `data`) and `cbuf`, all
        // alive for the call; the kernel only reads them.
        let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// recvmsg(2) into `buf`, collecting SCM_RIGHTS descriptors (received
/// close-on-exec). Returns the bytes read (0 = EOF) and the descriptors.
pub fn recv_fds(sock: &impl AsRawFd, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
    use std::os::fd::FromRawFd;
    // SAFETY: pure size computation.
    let space = unsafe { libc::CMSG_SPACE((MAX_FDS_PER_MSG * std::mem::size_of::<RawFd>()) as u32) }
        as usize;
    let mut cbuf = vec![0u64; space.div_ceil(8)];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: an all-zero msghdr is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    let n = loop {
        // SAFETY: `msg` describes `buf` and `cbuf`, both writable and alive
        // for the call.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 {
            break n as usize;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    let mut fds = Vec::new();
    // SAFETY: the kernel filled msg_control/msg_controllen; the CMSG macros
    // walk only inside it, and every SCM_RIGHTS entry holds descriptors that
    // were just installed in this process and belong to nobody else yet.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(c);
                let len = (*c).cmsg_len as usize - (data as usize - c as usize);
                let count = len / std::mem::size_of::<RawFd>();
                for i in 0..count {
                    let fd = std::ptr::read_unaligned(data.cast::<RawFd>().add(i));
                    fds.push(OwnedFd::from_raw_fd(fd));
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok((n, fds))
}

/// The socket option SO_ACCEPTCONN: whether `fd` is a listening socket.
pub fn is_listening(sock: &impl AsRawFd) -> bool {
    getsockopt_int(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_ACCEPTCONN).is_ok_and(|v| v != 0)
}

/// SO_TYPE of a socket (libc::SOCK_STREAM, ...).
pub fn socket_type(sock: &impl AsRawFd) -> io::Result<i32> {
    getsockopt_int(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_TYPE)
}

fn getsockopt_int(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: the pointers describe `v` and `len`, alive and writable for the call.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    })?;
    Ok(v)
}

/// IP_FREEBIND / IPV6_FREEBIND: bind an address not (yet) on this host,
/// e.g. a VRRP VIP held by the other node.
pub fn set_freebind(sock: &impl AsRawFd, v6: bool) -> io::Result<()> {
    if v6 {
        setsockopt_int(sock.as_raw_fd(), libc::SOL_IPV6, libc::IPV6_FREEBIND, 1)
    } else {
        setsockopt_int(sock.as_raw_fd(), libc::SOL_IP, libc::IP_FREEBIND, 1)
    }
}

/// Take over an inherited descriptor by number (`bind fd@N`): a dup of it,
/// so the original number stays valid for whoever else holds it.
pub fn dup_fd(fd: RawFd) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: F_DUPFD_CLOEXEC on any integer either fails with EBADF or
    // returns a fresh descriptor that only we own.
    let n = cvt(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: `n` was just created for us.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// chown(2) on a path (unix socket `user`/`group`); -1 leaves one unchanged.
pub fn chown(path: &std::path::Path, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    std::os::unix::fs::chown(path, uid, gid)
}

/// getpwnam(3): the uid of a user name.
pub fn uid_of(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is NUL-terminated; the returned record is only read at once,
    // before any other getpw* call of this (single-threaded at this point) process.
    let p = unsafe { libc::getpwnam(c.as_ptr()) };
    if p.is_null() {
        None
    } else {
        // SAFETY: non-null pointer to libc's static passwd record.
        Some(unsafe { (*p).pw_uid })
    }
}

/// getgrnam(3): the gid of a group name.
pub fn gid_of(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: as in uid_of.
    let p = unsafe { libc::getgrnam(c.as_ptr()) };
    if p.is_null() {
        None
    } else {
        // SAFETY: non-null pointer to libc's static group record.
        Some(unsafe { (*p).gr_gid })
    }
}

/// Whether a socket may bind foreign addresses (IP_TRANSPARENT or
/// IP_FREEBIND set), as HAProxy's `sock_inet_is_foreign()` tells a socket
/// received with `-x` apart.
pub fn is_foreign(sock: &impl AsRawFd, v6: bool) -> bool {
    let fd = sock.as_raw_fd();
    let on = |level, name| getsockopt_int(fd, level, name).is_ok_and(|v| v != 0);
    if v6 {
        on(libc::SOL_IPV6, libc::IPV6_TRANSPARENT) || on(libc::SOL_IPV6, libc::IPV6_FREEBIND)
    } else {
        on(libc::SOL_IP, libc::IP_TRANSPARENT) || on(libc::SOL_IP, libc::IP_FREEBIND)
    }
}

/// IPV6_V6ONLY of an IPv6 socket.
pub fn is_v6only(sock: &impl AsRawFd) -> bool {
    getsockopt_int(sock.as_raw_fd(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY).is_ok_and(|v| v != 0)
}

/// SO_DOMAIN of a socket (libc::AF_UNIX, AF_INET, AF_INET6).
pub fn socket_domain(sock: &impl AsRawFd) -> io::Result<i32> {
    getsockopt_int(sock.as_raw_fd(), libc::SOL_SOCKET, libc::SO_DOMAIN)
}

/// SO_RCVTIMEO / SO_SNDTIMEO on a blocking socket (HAProxy's 1 s on the
/// `_getsocks` exchange).
pub fn set_timeouts(sock: &impl AsRawFd, d: std::time::Duration) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: d.as_secs() as libc::time_t,
        tv_usec: d.subsec_micros() as libc::suseconds_t,
    };
    for opt in [libc::SO_RCVTIMEO, libc::SO_SNDTIMEO] {
        // SAFETY: the pointer and length describe `tv`, alive for the call.
        cvt(unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })?;
    }
    Ok(())
}

/// setns(2) into the network namespace open at `ns` (a file of
/// /var/run/netns or /proc/PID/ns/net). Changes the calling thread only.
pub fn setns_net(ns: &impl AsRawFd) -> io::Result<()> {
    // SAFETY: plain integer arguments; the kernel validates the descriptor.
    cvt(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) }).map(|_| ())
}

/// Run `f` with the calling thread inside network namespace `name`
/// (/var/run/netns/NAME, as `ip netns add` creates it and as HAProxy's
/// `namespace` opens it), then come back. A socket created by `f` stays in
/// that namespace for its whole life.
pub fn in_netns<T>(name: &str, f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let target = std::fs::File::open(format!("/var/run/netns/{name}"))?;
    let home = std::fs::File::open("/proc/thread-self/ns/net")
        .or_else(|_| std::fs::File::open("/proc/self/ns/net"))?;
    setns_net(&target)?;
    let r = f();
    // Never stay in the wrong namespace: everything after would bind there.
    if let Err(e) = setns_net(&home) {
        return Err(io::Error::other(format!(
            "cannot return to the original network namespace: {e}"
        )));
    }
    r
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
    fn descriptors_cross_a_socket_pair() {
        let Ok((a, b)) = std::os::unix::net::UnixStream::pair() else {
            return;
        };
        let Ok(l) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(port) = l.local_addr().map(|a| a.port()) else {
            return;
        };
        assert_eq!(send_fds(&a, b"x", &[l.as_raw_fd()]).ok(), Some(1));
        let mut buf = [0u8; 8];
        let Ok((n, fds)) = recv_fds(&b, &mut buf) else {
            panic!("recvmsg failed")
        };
        assert_eq!((n, fds.len()), (1, 1));
        let Some(fd) = fds.into_iter().next() else {
            return;
        };
        assert!(is_listening(&fd));
        let got = std::net::TcpListener::from(fd);
        assert_eq!(got.local_addr().map(|a| a.port()).ok(), Some(port));
        // The same kernel socket: a connection queued before is accepted through the copy.
        drop(l);
        let c = std::net::TcpStream::connect(("127.0.0.1", port));
        assert!(c.is_ok());
        assert!(got.accept().is_ok());
    }

    #[test]
    fn kill_zero_checks_existence() {
        assert!(kill(std::process::id() as i32, 0).is_ok());
        // pid_max is at most 2^22 on Linux.
        assert!(kill(0x7fff_fff0, 0).is_err());
    }
}
