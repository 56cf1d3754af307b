//! Health checks on real sockets, driving checks::state.
