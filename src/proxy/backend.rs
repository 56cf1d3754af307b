//! Backends at run time: server choice, connect with retries, server connection pool.
