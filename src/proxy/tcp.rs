//! TCP mode sessions, PROXY protocol, TLS ClientHello inspection.
