//! HTTP/1 codec with HAProxy's strictness (sans-IO).
