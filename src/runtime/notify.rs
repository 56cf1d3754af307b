//! systemd's sd_notify protocol: one datagram to `$NOTIFY_SOCKET` (a path,
//! or `@name` for the abstract namespace). Used by `-Ws`.

use std::os::unix::net::UnixDatagram;

/// Send `state` (e.g. `READY=1`); silently nothing without NOTIFY_SOCKET.
pub fn send(state: &str) -> bool {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return false;
    };
    let Ok(sock) = UnixDatagram::unbound() else {
        return false;
    };
    let bytes = path.as_encoded_bytes();
    let res = if let Some(name) = bytes.strip_prefix(b"@") {
        use std::os::linux::net::SocketAddrExt;
        match std::os::unix::net::SocketAddr::from_abstract_name(name) {
            Ok(a) => sock.send_to_addr(state.as_bytes(), &a),
            Err(e) => Err(e),
        }
    } else {
        sock.send_to(state.as_bytes(), &path)
    };
    res.is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn datagram_reaches_a_path_socket() {
        let dir = std::env::temp_dir().join(format!("tandem-notify-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join("notify.sock");
        let _ = std::fs::remove_file(&p);
        let Ok(rx) = std::os::unix::net::UnixDatagram::bind(&p) else {
            return;
        };
        let Ok(sock) = std::os::unix::net::UnixDatagram::unbound() else {
            return;
        };
        // Same call path as `send`, without touching the process environment.
        assert!(sock.send_to(b"READY=1", &p).is_ok());
        let mut buf = [0u8; 32];
        let n = rx.recv(&mut buf).unwrap_or(0);
        assert_eq!(&buf[..n], b"READY=1");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
