//! Stick tables and tracked counters (sans-IO).
