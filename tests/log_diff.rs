//! The log differential suite: every case under `tests/log_diff/` runs against the real
//! HAProxy 2.6 and against tandem with the same config, backends and traffic (the
//! harness of `tests/proxy_diff.rs`), and the syslog lines both send to a UDP listener
//! in the test (`@@syslog@@`) must be equal field for field once dates, PIDs, client
//! ports and timers are masked (`logs` steps; see `mask_log` in the harness). Timers
//! keep `-1` (a phase never reached), so the termination state and the timer shape are
//! compared too.
//!
//!     cargo test --test log_diff
//!     LOG_DIFF_CASES=l01 cargo test --test log_diff
//!     PROXY_DIFF_SUBJECT=haproxy cargo test --test log_diff   # HAProxy against itself
//!     less target/log-diff/CASE/{haproxy,tandem}.txt; cat target/log-diff-report.txt
//!
//! Known differences are listed with a reason in `tests/log_diff/known-failures.txt`.

#[path = "proxy_diff.rs"]
#[allow(dead_code)]
mod harness;

static LOG_SUITE: harness::Suite = harness::Suite {
    cases: "tests/log_diff",
    out: "log-diff",
    cases_env: "LOG_DIFF_CASES",
    title: "log diff",
};

#[test]
fn log_diff() {
    harness::run_suite(&LOG_SUITE);
}
