//! Run-time state built from the IR: frontends, backends, servers.
