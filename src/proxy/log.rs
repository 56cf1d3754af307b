//! Logs: HAProxy's log formats, syslog framing and senders.
//!
//! Sans-IO first: the engine fills a [`LogRecord`] during a transaction,
//! [`LogFormat`] (compiled once per proxy from `log-format` or the built-in
//! `option httplog`/`tcplog`/`clf` strings) renders it to the exact bytes
//! HAProxy 2.6 writes, [`should_log`] applies `dontlognull`/`dontlog-normal`,
//! and [`syslog`] frames the message (`rfc3164`, `rfc5424`, `raw`, ...) and
//! sends it without ever blocking (non-blocking sockets, drops counted).
//!
//! Typical use by the engine:
//! ```ignore
//! let fmt = LogFormat::for_proxy(&proxy.settings)?;      // once, at startup
//! let targets = syslog::LogTargets::resolve(&global, &proxy.settings.log)?; // once
//! // ... per transaction, at the end:
//! if let Some(fmt) = &fmt && should_log(&opts, &rec) {
//!     let line = fmt.render(&rec, &|expr| acl_eval(expr));
//!     targets.send(level_for(&opts, &rec), &line, now);
//! }
//! ```

pub mod format;
pub mod record;
pub mod ring;
pub mod syslog;
pub mod tz;

pub use format::{
    CLF_LOG_FORMAT, DEFAULT_HTTP_LOG_FORMAT, DEFAULT_TCP_LOG_FORMAT, LogFormat, LogFormatError,
    legacy_connect_line,
};
pub use record::{LogOptions, LogRecord, Mode, should_log};

use std::net::SocketAddr;

use crate::ir::haproxy::{Global, Mode as IrMode, ProxySettings};
use syslog::{Level, LogTargetError, LogTargets};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyLogError {
    #[error(transparent)]
    Format(#[from] LogFormatError),
    #[error(transparent)]
    Target(#[from] LogTargetError),
}

/// Everything one proxy needs to log: built once from the IR, shared by its
/// sessions (`Arc<ProxyLog>`), thread-safe.
#[derive(Debug)]
pub struct ProxyLog {
    /// `None`: no log-format and no log option (legacy "Connect from" line).
    pub format: Option<LogFormat>,
    /// `log-format-sd` (rfc5424 structured data), if set.
    pub sd: Option<LogFormat>,
    pub options: LogOptions,
    pub mode: Mode,
    pub targets: LogTargets,
}

impl ProxyLog {
    /// Resolves `log global` / `no log` / the proxy's own `log` lines,
    /// compiles the format and opens the (non-blocking) senders.
    pub fn from_ir(global: &Global, s: &ProxySettings) -> Result<Self, ProxyLogError> {
        let mode = if matches!(s.mode, Some(IrMode::Http)) {
            Mode::Http
        } else {
            Mode::Tcp
        };
        let other = |k: &str| {
            s.other
                .iter()
                .rev()
                .find(|d| d.keyword == k)
                .and_then(|d| d.args.first())
        };
        let sd = other("log-format-sd")
            .map(|f| LogFormat::compile_for(f, mode == Mode::Http))
            .transpose()?;
        let mut identity = LogTargets::identity_from(global);
        if let Some(tag) = other("log-tag") {
            identity.tag = tag.clone();
        }
        let specs = syslog::resolve_specs(global, &s.log)?;
        Ok(ProxyLog {
            format: LogFormat::for_proxy(s)?,
            sd,
            options: LogOptions::from_settings(s),
            mode,
            targets: LogTargets::open(specs, identity)?,
        })
    }

    /// False when the proxy has no log target: the engine can skip filling
    /// the record entirely.
    pub fn is_active(&self) -> bool {
        !self.targets.is_empty()
    }

    /// At accept time: HAProxy's `Connect from A to B (fe/HTTP)` line for a
    /// proxy with targets but no format. Returns whether a line was sent.
    pub fn log_accept(&self, client: SocketAddr, dst: SocketAddr, frontend: &str) -> bool {
        if !self.is_active() || self.format.is_some() {
            return false;
        }
        let line = legacy_connect_line(client, dst, frontend, self.mode);
        self.targets.send(Level::Info, &line, syslog::now_us());
        true
    }

    /// At the end of a transaction (or at logasap time): applies
    /// dontlognull/dontlog-normal, renders and sends at info (or err under
    /// log-separate-errors). Returns whether a line was sent.
    pub fn log(&self, rec: &LogRecord, sample: &dyn Fn(&str) -> Option<String>) -> bool {
        self.log_at(rec, sample, None)
    }

    /// [`Self::log`] with `http-request set-log-level` applied: `Some("silent")` sends
    /// nothing, another level name replaces the computed level (HAProxy 2.6).
    pub fn log_at(
        &self,
        rec: &LogRecord,
        sample: &dyn Fn(&str) -> Option<String>,
        level: Option<&str>,
    ) -> bool {
        let Some(fmt) = &self.format else {
            return false;
        };
        if !self.is_active() || !should_log(&self.options, rec) || level == Some("silent") {
            return false;
        }
        let line = fmt.render(rec, sample);
        let sd = self.sd.as_ref().map(|f| f.render(rec, sample));
        let level = level
            .and_then(Level::parse)
            .unwrap_or_else(|| self.options.level(rec));
        self.targets
            .send_sd(level, sd.as_deref(), &line, syslog::now_us());
        true
    }

    /// Server/health/proxy messages (see [`syslog::messages`]).
    pub fn event(&self, (level, msg): (Level, String)) {
        self.targets.send(level, &msg, syslog::now_us());
    }
}

/// The system host name (`%H`), read once.
/// `-q` / `quiet`: no `[WARNING]` line on stderr at run time.
static STDERR_QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The runtime tells whether warnings go to stderr (HAProxy's `-q` and `quiet`).
pub fn set_stderr_quiet(quiet: bool) {
    STDERR_QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// HAProxy's `ha_warning()` at run time: `[WARNING]  (PID) : text` on stderr, which
/// HAProxy 2.6 prints besides the syslog line for the health-check reports of `option
/// log-health-checks` (measured with `haproxy -db`).
pub fn stderr_warning(text: &str) {
    use std::io::Write as _;
    if STDERR_QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let line = warning_line(std::process::id(), text);
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn warning_line(pid: u32, text: &str) -> String {
    format!("{:<11}({pid}) : {text}\n", "[WARNING]")
}

pub fn hostname() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    })
}

/// Milliseconds since the Unix epoch (accept dates).
pub fn now_ms() -> i64 {
    syslog::now_us() / 1000
}

#[cfg(test)]
mod tests;
