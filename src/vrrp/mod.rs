//! VRRP engine (sans-IO core first: packet codec and state machine).
