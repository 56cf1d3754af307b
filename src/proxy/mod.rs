//! Proxy engine (sans-IO cores first: balancers).
