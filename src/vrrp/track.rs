//! `track_file` (and, below, `vrrp_track_process`): reading a tracked file's value and what it does to an instance, as
//! keepalived 2.2.7 does (measured in a network namespace with weight 5: "3" gave +15,
//! " 0x10 junk" +80, "-2" -10, "abc" 0, "010" +40 (octal), "" 0, a removed file 0, and
//! "99999999999" logged "Invalid number 99999999999 read from /tmp/kam/tf - ignoring" and
//! kept the previous value). That is C's `strtol(buf, NULL, 0)` on at most 127 bytes with the
//! value limited to an int.

use std::path::Path;

/// strtol(s, NULL, 0): leading white space, a sign, `0x` hex / `0` octal / decimal digits,
/// anything after them ignored, no digits: 0. Err(clamped value) on overflow of a C long
/// or a value outside a C int.
pub fn strtol0(s: &[u8]) -> Result<i64, i64> {
    let mut i = 0;
    while s
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
    {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut radix = 10;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            radix = 16;
            i += 2;
        } else {
            radix = 8;
        }
    }
    let mut v: i128 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|c| char::from(*c).to_digit(radix)) {
        v = v * i128::from(radix) + i128::from(d);
        if v > i128::from(i64::MAX) + 1 {
            overflow = true;
            v = i128::from(i64::MAX) + 1;
        }
        i += 1;
    }
    let v = if neg { -v } else { v };
    if overflow || v > i128::from(i64::MAX) || v < i128::from(i64::MIN) {
        return Err(if neg { i64::MIN } else { i64::MAX });
    }
    let v = i64::try_from(v).unwrap_or(0);
    if v < i64::from(i32::MIN) || v > i64::from(i32::MAX) {
        return Err(v);
    }
    Ok(v)
}

/// The file's value: a missing or unreadable file counts as 0 (keepalived opens it and uses
/// 0 when that fails). Err(line to log) when the number is out of range.
pub fn read_value(path: &str) -> Result<i64, String> {
    let Ok(data) = std::fs::read(Path::new(path)) else {
        return Ok(0);
    };
    let data = data.get(..127).unwrap_or(&data);
    strtol0(data).map_err(|v| format!("Invalid number {v} read from {path} - ignoring"))
}

/// What a file value does to one tracking instance: (fault, priority delta).
pub fn effect(value: i64, weight: i32, reverse: bool) -> (bool, i32) {
    if weight == 0 {
        return (value != 0, 0);
    }
    let r = value.saturating_mul(i64::from(weight));
    let r = if reverse { -r } else { r };
    if r < -253 {
        (true, 0)
    } else {
        (false, i32::try_from(r.min(254)).unwrap_or(254))
    }
}

// ---------------------------------------------------------------- track_process
//
// keepalived learns process starts and exits from the kernel's proc connector (netlink
// CN_IDX_PROC). tandem scans /proc/*/comm and /proc/*/cmdline instead, every poll of the
// engine (100 ms): that needs no extra privilege or netlink plumbing, and a process that
// lives less than one poll is missed, which is acceptable for the long-running daemons
// people track. Matching follows keepalived's vrrp_track_process.c: without
// `full_command` the name is compared with comm (the kernel keeps 15 bytes of it), with it
// argv[0] is compared with the name and the arguments with `check_params()`.

/// One running process as the tracker sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: u32,
    /// /proc/PID/comm without its newline.
    pub comm: Vec<u8>,
    /// /proc/PID/cmdline split at NULs (argv).
    pub argv: Vec<Vec<u8>>,
}

/// A `vrrp_track_process` as the engine runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessPlan {
    pub name: String,
    pub process: String,
    /// The arguments, each followed by a NUL (keepalived's `process_params`); empty when
    /// none were given.
    pub params: Vec<u8>,
    pub param_match: crate::ir::keepalived::ParamMatch,
    pub full_command: bool,
    pub quorum: u32,
    pub quorum_max: u32,
    pub fork_delay: std::time::Duration,
    pub terminate_delay: std::time::Duration,
}

impl ProcessPlan {
    pub fn from_ir(t: &crate::ir::keepalived::TrackProcess) -> Option<Self> {
        let process = t.process.clone()?;
        let mut params = Vec::new();
        for a in &t.params {
            params.extend_from_slice(a.as_bytes());
            params.push(0);
        }
        let d = |v: Option<f64>| std::time::Duration::from_secs_f64(v.unwrap_or(0.0).max(0.0));
        Some(Self {
            name: t.name.clone(),
            process,
            params,
            param_match: t.param_match,
            full_command: t.full_command,
            quorum: t.quorum,
            quorum_max: t.quorum_max,
            fork_delay: d(t.fork_delay),
            terminate_delay: d(t.terminate_delay),
        })
    }

    /// keepalived's `check_params()`: `params` is the process's arguments after argv[0],
    /// each followed by a NUL.
    fn check_params(&self, params: &[u8]) -> bool {
        use crate::ir::keepalived::ParamMatch;
        let want = &self.params;
        if self.param_match == ParamMatch::Exact && want.is_empty() && params.is_empty() {
            return true;
        }
        if params.len() < want.len() {
            return false;
        }
        match self.param_match {
            ParamMatch::Exact => params == want.as_slice(),
            _ if want.is_empty() => true,
            ParamMatch::Partial => params.get(..want.len()) == Some(want.as_slice()),
            // keepalived compares one byte less (not the last NUL), so the last argument
            // may be a prefix.
            _ => want.len() == 1 || params.get(..want.len() - 1) == want.get(..want.len() - 1),
        }
    }

    pub fn matches(&self, p: &ProcInfo) -> bool {
        if !self.full_command {
            let name = self.process.as_bytes();
            // The kernel keeps 15 bytes of the executable's name in comm.
            let name = name.get(..15).unwrap_or(name);
            return p.comm == name;
        }
        let Some(argv0) = p.argv.first() else {
            return false;
        };
        if argv0.as_slice() != self.process.as_bytes() {
            return false;
        }
        let mut params = Vec::new();
        for a in p.argv.iter().skip(1) {
            params.extend_from_slice(a);
            params.push(0);
        }
        self.check_params(&params)
    }
}

/// Every process in /proc (kernel threads have an empty cmdline and are kept with their
/// comm; processes that exit during the scan are skipped).
pub fn scan_proc() -> Vec<ProcInfo> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let base = e.path();
        let Ok(mut comm) = std::fs::read(base.join("comm")) else {
            continue;
        };
        if comm.last() == Some(&b'\n') {
            comm.pop();
        }
        let cmdline = std::fs::read(base.join("cmdline")).unwrap_or_default();
        let body = cmdline.strip_suffix(b"\0").unwrap_or(&cmdline);
        let argv = if body.is_empty() {
            Vec::new()
        } else {
            body.split(|b| *b == 0).map(<[u8]>::to_vec).collect()
        };
        out.push(ProcInfo { pid, comm, argv });
    }
    out
}

#[derive(Debug, Clone, Default)]
struct ProcState {
    count: u32,
    have_quorum: bool,
    /// The raw verdict differs from `have_quorum` since this instant (waiting for
    /// fork_delay / terminate_delay).
    pending_since: Option<std::time::Duration>,
}

/// Quorum bookkeeping for every tracked process, sans-IO: fed a process list and a clock.
#[derive(Debug, Clone, Default)]
pub struct ProcessTracker {
    plans: Vec<ProcessPlan>,
    state: Vec<ProcState>,
}

impl ProcessTracker {
    /// Starts with the first scan: keepalived counts the running processes at startup
    /// without applying the delays.
    pub fn new(plans: Vec<ProcessPlan>, procs: &[ProcInfo]) -> Self {
        let state = plans
            .iter()
            .map(|p| {
                let count = count_of(p, procs);
                ProcState {
                    count,
                    have_quorum: count >= p.quorum && count <= p.quorum_max,
                    pending_since: None,
                }
            })
            .collect();
        Self { plans, state }
    }

    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Name -> has quorum.
    pub fn quorum(&self) -> impl Iterator<Item = (&str, bool)> {
        self.plans
            .iter()
            .zip(&self.state)
            .map(|(p, s)| (p.name.as_str(), s.have_quorum))
    }

    /// (current matching processes, has quorum) of one tracked process.
    pub fn status(&self, name: &str) -> Option<(u32, bool)> {
        let i = self.plans.iter().position(|p| p.name == name)?;
        self.state.get(i).map(|s| (s.count, s.have_quorum))
    }

    /// A new scan at `now`: returns the lines keepalived logs for quorum changes
    /// (`Quorum gained for tracked process NAME`, `Quorum lost ...`). A gain waits
    /// `fork_delay`, a loss `terminate_delay`, and is dropped if the count goes back
    /// meanwhile.
    pub fn update(&mut self, now: std::time::Duration, procs: &[ProcInfo]) -> Vec<String> {
        let mut lines = Vec::new();
        for (p, s) in self.plans.iter().zip(self.state.iter_mut()) {
            s.count = count_of(p, procs);
            let raw = s.count >= p.quorum && s.count <= p.quorum_max;
            if raw == s.have_quorum {
                s.pending_since = None;
                continue;
            }
            let since = *s.pending_since.get_or_insert(now);
            let delay = if raw { p.fork_delay } else { p.terminate_delay };
            if now.saturating_sub(since) >= delay {
                s.have_quorum = raw;
                s.pending_since = None;
                lines.push(format!(
                    "Quorum {} for tracked process {}",
                    if raw { "gained" } else { "lost" },
                    p.name
                ));
            }
        }
        lines
    }
}

fn count_of(p: &ProcessPlan, procs: &[ProcInfo]) -> u32 {
    u32::try_from(procs.iter().filter(|x| p.matches(x)).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_keepalived_read_them() {
        // The file contents measured against keepalived 2.2.7 (module comment).
        assert_eq!(strtol0(b"3\n"), Ok(3));
        assert_eq!(strtol0(b" 0x10 junk\n"), Ok(16));
        assert_eq!(strtol0(b"-2\n"), Ok(-2));
        assert_eq!(strtol0(b"abc\n"), Ok(0));
        assert_eq!(strtol0(b"010\n"), Ok(8));
        assert_eq!(strtol0(b"\n"), Ok(0));
        assert_eq!(strtol0(b"99999999999\n"), Err(99_999_999_999));
        assert_eq!(strtol0(b"0x"), Ok(0));
        assert_eq!(strtol0(b"99999999999999999999999"), Err(i64::MAX));
    }

    #[test]
    fn effects() {
        assert_eq!(effect(3, 5, false), (false, 15));
        assert_eq!(effect(3, 5, true), (false, -15));
        assert_eq!(effect(1, 0, false), (true, 0));
        assert_eq!(effect(0, 0, false), (false, 0));
        assert_eq!(effect(-100, 5, false), (true, 0), "below -253: FAULT");
    }

    #[test]
    fn missing_file_is_zero() {
        assert_eq!(read_value("/nonexistent/tandem/track"), Ok(0));
    }

    fn proc(pid: u32, comm: &str, argv: &[&str]) -> ProcInfo {
        ProcInfo {
            pid,
            comm: comm.as_bytes().to_vec(),
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
        }
    }

    fn plan_of(text: &str) -> ProcessPlan {
        // One file per call: the tests run in parallel threads of one process.
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("tandem-tp-{}-{n}.conf", std::process::id()));
        let _ = std::fs::write(&path, text);
        let o = crate::config::keepalived::check_file(
            &path.to_string_lossy(),
            &crate::config::keepalived::Options::default(),
        );
        let _ = std::fs::remove_file(&path);
        let t = o
            .config
            .track_processes
            .first()
            .cloned()
            .unwrap_or_default();
        ProcessPlan::from_ir(&t).unwrap_or_else(|| panic!("no plan: {:?}", o.lines))
    }

    #[test]
    fn comm_and_cmdline_matching() {
        let p = plan_of("vrrp_track_process tp {\n process sleep\n}\n");
        assert!(p.matches(&proc(1, "sleep", &["/bin/sleep", "100"])));
        assert!(!p.matches(&proc(1, "sleepy", &["sleep"])));
        // comm holds 15 bytes; a longer name is compared truncated.
        let p = plan_of("vrrp_track_process tp {\n process abcdefghijklmnopq\n}\n");
        assert!(p.matches(&proc(1, "abcdefghijklmno", &[])));
        // Arguments after the name: argv[0] and the exact arguments.
        let p = plan_of("vrrp_track_process tp {\n process /bin/sleep 100\n}\n");
        assert!(p.full_command);
        assert!(p.matches(&proc(1, "sleep", &["/bin/sleep", "100"])));
        assert!(!p.matches(&proc(1, "sleep", &["/bin/sleep", "1000"])));
        assert!(!p.matches(&proc(1, "sleep", &["sleep", "100"])));
        assert!(!p.matches(&proc(1, "sleep", &["/bin/sleep", "100", "x"])));
        // initial: the last argument may be a prefix.
        let p =
            plan_of("vrrp_track_process tp {\n process /bin/sleep 10\n param_match initial\n}\n");
        assert!(p.matches(&proc(1, "sleep", &["/bin/sleep", "100", "x"])));
        assert!(!p.matches(&proc(1, "sleep", &["/bin/sleep", "2"])));
        // partial: the given arguments first, more may follow.
        let p =
            plan_of("vrrp_track_process tp {\n process /bin/sleep 10\n param_match partial\n}\n");
        assert!(p.matches(&proc(1, "sleep", &["/bin/sleep", "10", "x"])));
        assert!(!p.matches(&proc(1, "sleep", &["/bin/sleep", "100"])));
        // Bare param_match: exact, so no arguments at all.
        let p = plan_of("vrrp_track_process tp {\n process /bin/sleep\n param_match\n}\n");
        assert!(p.matches(&proc(1, "sleep", &["/bin/sleep"])));
        assert!(!p.matches(&proc(1, "sleep", &["/bin/sleep", "1"])));
    }

    #[test]
    fn quorum_and_delays() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        let p = plan_of(
            "vrrp_track_process tp {\n process sleep\n quorum 2\n quorum_max 3\n fork_delay 0.5\n terminate_delay 1\n}\n",
        );
        let one = [proc(1, "sleep", &[])];
        let two = [proc(1, "sleep", &[]), proc(2, "sleep", &[])];
        let four: Vec<ProcInfo> = (1..=4).map(|i| proc(i, "sleep", &[])).collect();
        let mut t = ProcessTracker::new(vec![p], &one);
        assert_eq!(t.status("tp"), Some((1, false)));
        assert!(t.update(ms(0), &two).is_empty(), "fork_delay not yet over");
        assert!(t.update(ms(400), &two).is_empty());
        assert_eq!(
            t.update(ms(500), &two),
            ["Quorum gained for tracked process tp"]
        );
        assert_eq!(t.status("tp"), Some((2, true)));
        // A loss that comes back before terminate_delay is dropped.
        assert!(t.update(ms(600), &one).is_empty());
        assert!(t.update(ms(900), &two).is_empty());
        assert!(t.update(ms(1900), &one).is_empty());
        assert!(t.update(ms(2800), &one).is_empty());
        assert_eq!(
            t.update(ms(2900), &one),
            ["Quorum lost for tracked process tp"]
        );
        // Above quorum_max is no quorum either.
        t.update(ms(3000), &two);
        t.update(ms(3500), &two);
        assert_eq!(t.status("tp"), Some((2, true)));
        t.update(ms(4000), &four);
        assert_eq!(
            t.update(ms(5000), &four),
            ["Quorum lost for tracked process tp"]
        );
    }

    #[test]
    fn scan_sees_this_process() {
        let me = std::process::id();
        let all = scan_proc();
        assert!(all.iter().any(|p| p.pid == me && !p.argv.is_empty()));
    }
}
