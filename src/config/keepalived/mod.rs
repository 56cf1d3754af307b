//! keepalived.conf front end.
