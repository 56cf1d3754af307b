//! Administrative changes to the running state (runtime API, stats page admin actions):
//! server admin state, weights, frontend enable/disable, maxconn.
