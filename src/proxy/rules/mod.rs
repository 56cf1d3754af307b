//! http-request/http-response/tcp-request rule evaluation (sans-IO).
