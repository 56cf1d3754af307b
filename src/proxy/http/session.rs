//! One client connection's HTTP/1.1 transaction loop.
