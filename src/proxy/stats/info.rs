//! `show info`: the process-wide figures, with HAProxy 2.6.12's field names, order, tags
//! and descriptions (measured with `show info typed desc`).

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use super::report::{Val, json_tags, json_value};
use crate::proxy::engine::Engine;

/// `(name, tags, type, description)` in HAProxy's order.
pub const INFO_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("Name", "POS", "str", "Product name"),
    ("Version", "POS", "str", "Product version"),
    (
        "Release_date",
        "POS",
        "str",
        "Date of latest source code update",
    ),
    (
        "Nbthread",
        "CGS",
        "u32",
        "Number of started threads (global.nbthread)",
    ),
    (
        "Nbproc",
        "CGS",
        "u32",
        "Number of started worker processes (historical, always 1)",
    ),
    (
        "Process_num",
        "KGP",
        "u32",
        "Relative worker process number (1)",
    ),
    (
        "Pid",
        "SGP",
        "u32",
        "This worker process identifier for the system",
    ),
    (
        "Uptime",
        "MDP",
        "str",
        "How long ago this worker process was started (days+hours+minutes+seconds)",
    ),
    (
        "Uptime_sec",
        "MDP",
        "u32",
        "How long ago this worker process was started (seconds)",
    ),
    (
        "Memmax_MB",
        "CLP",
        "u32",
        "Worker process's hard limit on memory usage in MB (-m on command line)",
    ),
    (
        "PoolAlloc_MB",
        "MGP",
        "u32",
        "Amount of memory allocated in pools (in MB)",
    ),
    (
        "PoolUsed_MB",
        "MGP",
        "u32",
        "Amount of pool memory currently used (in MB)",
    ),
    (
        "PoolFailed",
        "MCP",
        "u32",
        "Number of failed pool allocations since this worker was started",
    ),
    (
        "Ulimit-n",
        "CLP",
        "u32",
        "Hard limit on the number of per-process file descriptors",
    ),
    (
        "Maxsock",
        "CLP",
        "u32",
        "Hard limit on the number of per-process sockets",
    ),
    (
        "Maxconn",
        "CLP",
        "u32",
        "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)",
    ),
    (
        "Hard_maxconn",
        "CLP",
        "u32",
        "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)",
    ),
    (
        "CurrConns",
        "MGP",
        "u32",
        "Current number of connections on this worker process",
    ),
    (
        "CumConns",
        "MCP",
        "u32",
        "Total number of connections on this worker process since started",
    ),
    (
        "CumReq",
        "MCP",
        "u32",
        "Total number of requests on this worker process since started",
    ),
    (
        "MaxSslConns",
        "MMP",
        "u32",
        "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited",
    ),
    (
        "CurrSslConns",
        "MGP",
        "u32",
        "Current number of SSL endpoints on this worker process (front+back)",
    ),
    (
        "CumSslConns",
        "MCP",
        "u32",
        "Total number of SSL endpoints on this worker process since started (front+back)",
    ),
    (
        "Maxpipes",
        "CLP",
        "u32",
        "Hard limit on the number of pipes for splicing, 0=unlimited",
    ),
    (
        "PipesUsed",
        "MGP",
        "u32",
        "Current number of pipes in use in this worker process",
    ),
    (
        "PipesFree",
        "MGP",
        "u32",
        "Current number of allocated and available pipes in this worker process",
    ),
    (
        "ConnRate",
        "MRP",
        "u32",
        "Number of front connections created on this worker process over the last second",
    ),
    (
        "ConnRateLimit",
        "CLP",
        "u32",
        "Hard limit for ConnRate (global.maxconnrate)",
    ),
    (
        "MaxConnRate",
        "MMP",
        "u32",
        "Highest ConnRate reached on this worker process since started (in connections per second)",
    ),
    (
        "SessRate",
        "MRP",
        "u32",
        "Number of sessions created on this worker process over the last second",
    ),
    (
        "SessRateLimit",
        "CLP",
        "u32",
        "Hard limit for SessRate (global.maxsessrate)",
    ),
    (
        "MaxSessRate",
        "MRP",
        "u32",
        "Highest SessRate reached on this worker process since started (in sessions per second)",
    ),
    (
        "SslRate",
        "MRP",
        "u32",
        "Number of SSL connections created on this worker process over the last second",
    ),
    (
        "SslRateLimit",
        "CLP",
        "u32",
        "Hard limit for SslRate (global.maxsslrate)",
    ),
    (
        "MaxSslRate",
        "MMP",
        "u32",
        "Highest SslRate reached on this worker process since started (in connections per second)",
    ),
    (
        "SslFrontendKeyRate",
        "MGP",
        "u32",
        "Number of SSL keys created on frontends in this worker process over the last second",
    ),
    (
        "SslFrontendMaxKeyRate",
        "MMP",
        "u32",
        "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)",
    ),
    (
        "SslFrontendSessionReuse_pct",
        "MGP",
        "u32",
        "Percent of frontend SSL connections which did not require a new key",
    ),
    (
        "SslBackendKeyRate",
        "MRP",
        "u32",
        "Number of SSL keys created on backends in this worker process over the last second",
    ),
    (
        "SslBackendMaxKeyRate",
        "MMP",
        "u32",
        "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)",
    ),
    (
        "SslCacheLookups",
        "MCP",
        "u32",
        "Total number of SSL session ID lookups in the SSL session cache on this worker since started",
    ),
    (
        "SslCacheMisses",
        "MCP",
        "u32",
        "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started",
    ),
    (
        "CompressBpsIn",
        "MRP",
        "u32",
        "Number of bytes submitted to the HTTP compressor in this worker process over the last second",
    ),
    (
        "CompressBpsOut",
        "MRP",
        "u32",
        "Number of bytes emitted by the HTTP compressor in this worker process over the last second",
    ),
    (
        "CompressBpsRateLim",
        "CLP",
        "u32",
        "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled",
    ),
    (
        "Tasks",
        "MGP",
        "u32",
        "Total number of tasks in the current worker process (active + sleeping)",
    ),
    (
        "Run_queue",
        "MGP",
        "u32",
        "Total number of active tasks+tasklets in the current worker process",
    ),
    (
        "Idle_pct",
        "MaP",
        "u32",
        "Percentage of last second spent waiting in the current worker thread",
    ),
    ("node", "COS", "str", "Node name (global.node)"),
    (
        "Stopping",
        "MGP",
        "u32",
        "1 if the worker process is currently stopping, otherwise zero",
    ),
    (
        "Jobs",
        "MGP",
        "u32",
        "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)",
    ),
    (
        "Unstoppable Jobs",
        "MGP",
        "u32",
        "Current number of unstoppable jobs on the current worker process (master connections)",
    ),
    (
        "Listeners",
        "MGP",
        "u32",
        "Current number of active listeners on the current worker process",
    ),
    (
        "ActivePeers",
        "MGP",
        "u32",
        "Current number of verified active peers connections on the current worker process",
    ),
    (
        "ConnectedPeers",
        "MGP",
        "u32",
        "Current number of peers having passed the connection step on the current worker process",
    ),
    (
        "DroppedLogs",
        "MGP",
        "u32",
        "Total number of dropped logs for current worker process since started",
    ),
    (
        "BusyPolling",
        "MGP",
        "u32",
        "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)",
    ),
    (
        "FailedResolutions",
        "MGP",
        "u32",
        "Total number of failed DNS resolutions in current worker process since started",
    ),
    (
        "TotalBytesOut",
        "MGP",
        "u64",
        "Total number of bytes emitted by current worker process since started",
    ),
    (
        "TotalSplicdedBytesOut",
        "MGP",
        "u64",
        "Total number of bytes emitted by current worker process through a kernel pipe since started",
    ),
    (
        "BytesOutRate",
        "MRP",
        "u64",
        "Number of bytes emitted by current worker process over the last second",
    ),
    (
        "DebugCommandsIssued",
        "MGP",
        "u32",
        "Number of debug commands issued on this process (anything > 0 is unsafe)",
    ),
    (
        "CumRecvLogs",
        "MCP",
        "u32",
        "Total number of log messages received by log-forwarding listeners on this worker process since started",
    ),
    ("Build info", "POS", "str", "Build info"),
    (
        "Memmax_bytes",
        "CLP",
        "u32",
        "Worker process's hard limit on memory usage in byes (-m on command line)",
    ),
    (
        "PoolAlloc_bytes",
        "MGP",
        "u64",
        "Amount of memory allocated in pools (in bytes)",
    ),
    (
        "PoolUsed_bytes",
        "MGP",
        "u64",
        "Amount of pool memory currently used (in bytes)",
    ),
    ("Start_time_sec", "MDP", "u32", "Start time in seconds"),
    ("Tainted", "SGP", "str", "Experimental features used"),
];

/// The version tandem reports where HAProxy reports its own: the HAProxy release it
/// behaves as, then tandem's.
pub fn version() -> String {
    format!("2.6.12-tandem-{}", env!("CARGO_PKG_VERSION"))
}

fn uptime_text(secs: u64) -> String {
    format!(
        "{}d {}h{:02}m{:02}s",
        secs / 86400,
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

fn node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The values, in [`INFO_FIELDS`] order.
pub fn values(engine: &Engine) -> Vec<Val> {
    let reg = &engine.stats;
    let now = reg.now_ms();
    let up = reg.uptime_secs();
    let maxconn = {
        let o = reg.maxconn_override.load(Relaxed);
        if o > 0 {
            o
        } else {
            reg.meta().map_or(super::DEFAULT_MAXCONN, |m| m.maxconn)
        }
    };
    let curr: i64 = engine
        .frontends()
        .iter()
        .map(|f| f.conns.load(Relaxed).max(0))
        .sum();
    let listeners: usize = engine
        .frontends()
        .iter()
        .map(|f| {
            f.ir.binds
                .iter()
                .map(|b| b.value.addresses.len().max(1))
                .sum::<usize>()
        })
        .sum();
    let nbthread = engine.global.nbthread.unwrap_or(1);
    INFO_FIELDS
        .iter()
        .map(|(name, _, _, _)| {
            let n = |v: u64| Val::Num(v as i64);
            match *name {
                "Name" => Val::Str("HAProxy".into()),
                "Version" | "Build info" => Val::Str(version()),
                "Release_date" => Val::Str("2023/03/10".into()),
                "Nbthread" => n(u64::from(nbthread)),
                "Nbproc" | "Process_num" => n(1),
                "Pid" => n(u64::from(std::process::id())),
                "Uptime" => Val::Str(uptime_text(up)),
                "Uptime_sec" => n(up),
                "Maxconn" | "Hard_maxconn" => n(u64::from(maxconn)),
                "Ulimit-n" | "Maxsock" => n(u64::from(maxconn) * 2 + 15),
                "CurrConns" => n(curr as u64),
                "CumConns" => n(reg.cum_conns.load(Relaxed)),
                "CumReq" => n(reg.cum_req.load(Relaxed)),
                "ConnRate" => n(u64::from(reg.conn_rate.read(now))),
                "MaxConnRate" => n(u64::from(reg.conn_rate.max())),
                "SessRate" => n(u64::from(reg.sess_rate.read(now))),
                "MaxSessRate" => n(u64::from(reg.sess_rate.max())),
                // the global `maxconnrate`... as `set rate-limit` left them (HAProxy 2.6.12:
                // `set rate-limit http-compression global 10` shows 10240)
                "ConnRateLimit" => n(u64::from(engine.admin.conn_rate_limit.load(Relaxed))),
                "SessRateLimit" => n(u64::from(engine.admin.sess_rate_limit.load(Relaxed))),
                "SslRateLimit" => n(u64::from(engine.admin.ssl_rate_limit.load(Relaxed))),
                "CompressBpsRateLim" => n(u64::from(engine.admin.comp_rate_limit.load(Relaxed))),
                "Idle_pct" => n(100),
                "node" => Val::Str(node_name()),
                "Stopping" => n(u64::from(engine.is_stopping())),
                "Jobs" => n(curr as u64 + listeners as u64),
                "Listeners" => n(listeners as u64),
                "TotalBytesOut" => n(reg.bytes_out.load(Relaxed)),
                "Start_time_sec" => n(reg.start_unix),
                "Tainted" => Val::Str("0".into()),
                _ => n(0),
            }
        })
        .collect()
}

fn text(v: &Val) -> String {
    match v {
        Val::Num(x) => x.to_string(),
        Val::Str(s) => s.clone(),
        Val::Empty => String::new(),
    }
}

/// `show info` (`Name: value` lines, then an empty line).
pub fn plain(engine: &Engine, desc: bool) -> String {
    let mut out = String::new();
    for ((name, _, _, d), v) in INFO_FIELDS.iter().zip(values(engine)) {
        let _ = write!(out, "{name}: {}", text(&v));
        if desc {
            let _ = write!(out, ":\"{d}\"");
        }
        out.push('\n');
    }
    out
}

/// `show info typed`: `POS.Name.1:TAGS:type:value`.
pub fn typed(engine: &Engine, desc: bool) -> String {
    let mut out = String::new();
    for (i, ((name, tags, ty, d), v)) in INFO_FIELDS.iter().zip(values(engine)).enumerate() {
        let _ = write!(out, "{i}.{name}.1:{tags}:{ty}:{}", text(&v));
        if desc {
            let _ = write!(out, ":\"{d}\"");
        }
        out.push('\n');
    }
    out
}

/// `show info json`.
pub fn json(engine: &Engine) -> String {
    let mut out = String::from("[");
    for (i, ((name, tags, ty, _), v)) in INFO_FIELDS.iter().zip(values(engine)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"field\":{{\"pos\":{i},\"name\":\"{name}\"}},\"processNum\":1,\"tags\":{},\"value\":{}}}",
            json_tags(tags),
            json_value(ty, &v)
        );
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_like_haproxy() {
        // HAProxy 2.6.12: `Uptime: 0d 0h01m12s` for 72 s
        assert_eq!(uptime_text(72), "0d 0h01m12s");
        assert_eq!(uptime_text(90061), "1d 1h01m01s");
    }

    #[test]
    fn field_names_are_haproxys() {
        // the first and last fields of HAProxy 2.6.12's `show info`
        assert_eq!(INFO_FIELDS.first().map(|f| f.0), Some("Name"));
        assert_eq!(INFO_FIELDS.last().map(|f| f.0), Some("Tainted"));
        assert_eq!(INFO_FIELDS.len(), 69);
    }
}
