//! keepalived's command line (`keepalived -t -f FILE`, `-n`, `-l`, `-D`, ...),
//! parsed the way keepalived 2.2.7's getopt_long() loop does: bundled short
//! flags, `-fFILE` / `-f FILE`, `--long=ARG` / `--long ARG`, unique long
//! prefixes, and its messages (`Unknown option -Z`, `Missing parameter for
//! option -f`, both exit 1).

use std::ffi::OsString;
use std::io::Write;

use crate::config::keepalived::{self as kconf, Options as ConfOptions};

/// The keepalived release whose behavior tandem reproduces.
pub const KEEPALIVED_VERSION: &str = "2.2.7";
pub const DEFAULT_CONFIG: &str = "/etc/keepalived/keepalived.conf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    No,
    Required,
    Optional,
}

/// (long name, short letter, argument). Options keepalived has but tandem
/// does not act on yet are accepted so that existing unit files keep working.
const OPTS: &[(&str, Option<char>, Arg)] = &[
    ("use-file", Some('f'), Arg::Required),
    ("vrrp", Some('P'), Arg::No),
    ("check", Some('C'), Arg::No),
    ("no_bfd", Some('B'), Arg::No),
    ("all", None, Arg::No),
    ("log-console", Some('l'), Arg::No),
    ("log-detail", Some('D'), Arg::No),
    ("log-facility", Some('S'), Arg::Required),
    ("no-syslog", Some('G'), Arg::No),
    ("umask", Some('u'), Arg::Required),
    ("release-vips", Some('X'), Arg::No),
    ("dont-release-vrrp", Some('V'), Arg::No),
    ("dont-release-ipvs", Some('I'), Arg::No),
    ("dont-respawn", Some('R'), Arg::No),
    ("dont-fork", Some('n'), Arg::No),
    ("dump-conf", Some('d'), Arg::No),
    ("pid", Some('p'), Arg::Required),
    ("vrrp_pid", Some('r'), Arg::Required),
    ("genhash", Some('T'), Arg::No),
    ("checkers_pid", Some('c'), Arg::Required),
    ("address-monitoring", Some('a'), Arg::No),
    ("bfd_pid", Some('b'), Arg::Required),
    ("snmp", Some('x'), Arg::No),
    ("snmp-agent-socket", Some('A'), Arg::Required),
    ("namespace", Some('s'), Arg::Required),
    ("core-dump", Some('m'), Arg::No),
    ("core-dump-pattern", Some('M'), Arg::Optional),
    ("all-config", Some('e'), Arg::No),
    ("config-id", Some('i'), Arg::Required),
    ("signum", None, Arg::Required),
    ("config-test", Some('t'), Arg::Optional),
    ("version", Some('v'), Arg::No),
    ("help", Some('h'), Arg::No),
];

/// What the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cmd {
    pub config: Option<String>,
    /// `-t`; `Some(Some(file))` for `--config-test=FILE`.
    pub config_test: Option<Option<String>>,
    pub dont_fork: bool,
    pub log_console: bool,
    pub log_detail: bool,
    pub log_facility: Option<String>,
    pub vrrp_only: bool,
    pub check_only: bool,
    pub pid_file: Option<String>,
    pub vrrp_pid_file: Option<String>,
    pub checkers_pid_file: Option<String>,
    pub config_id: Option<String>,
    pub version: bool,
    pub help: bool,
    /// `--signum=SIGFUNC`: print the signal number and exit.
    pub signum: Option<String>,
    /// Accepted options tandem does not act on yet: (name, argument).
    pub other: Vec<(String, Option<String>)>,
    /// Arguments that are not options (keepalived reports and ignores them).
    pub unexpected: Vec<String>,
}

/// A command-line error: keepalived's message, exit 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    #[error("Unknown option {0}")]
    Unknown(String),
    #[error("Missing parameter for option {0}")]
    Missing(String),
}

fn set(cmd: &mut Cmd, long: &str, val: Option<String>) {
    match long {
        "use-file" => cmd.config = val,
        "config-test" => cmd.config_test = Some(val),
        "dont-fork" => cmd.dont_fork = true,
        "log-console" => cmd.log_console = true,
        "log-detail" => cmd.log_detail = true,
        "log-facility" => cmd.log_facility = val,
        "vrrp" => cmd.vrrp_only = true,
        "check" => cmd.check_only = true,
        "pid" => cmd.pid_file = val,
        "vrrp_pid" => cmd.vrrp_pid_file = val,
        "checkers_pid" => cmd.checkers_pid_file = val,
        "config-id" => cmd.config_id = val,
        "version" => cmd.version = true,
        "help" => cmd.help = true,
        "signum" => cmd.signum = val,
        other => cmd.other.push((other.to_string(), val)),
    }
}

/// getopt_long() as keepalived calls it.
pub fn parse(args: &[String]) -> Result<Cmd, CliError> {
    let mut cmd = Cmd::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            cmd.unexpected.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = OPTS.iter().find(|o| o.0 == name);
            let found = match exact {
                Some(o) => Some(*o),
                None => {
                    let cands: Vec<_> = OPTS.iter().filter(|o| o.0.starts_with(name)).collect();
                    if cands.len() == 1 && !name.is_empty() {
                        Some(*cands[0])
                    } else {
                        None
                    }
                }
            };
            let Some((long, _, kind)) = found else {
                return Err(CliError::Unknown(a.clone()));
            };
            let val = match kind {
                Arg::No => {
                    if inline.is_some() {
                        return Err(CliError::Unknown(a.clone()));
                    }
                    None
                }
                Arg::Optional => inline,
                Arg::Required => match inline {
                    Some(v) => Some(v),
                    None => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            Some(v.clone())
                        }
                        // keepalived 2.2.7 crashes here (it prints the
                        // option from a stale pointer); tandem names it.
                        None => return Err(CliError::Missing(format!("--{long}"))),
                    },
                },
            };
            set(&mut cmd, long, val);
            continue;
        }
        if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
            let chars: Vec<char> = flags.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let Some((long, _, kind)) = OPTS.iter().find(|o| o.1 == Some(c)).copied() else {
                    return Err(CliError::Unknown(format!("-{c}")));
                };
                let rest: String = chars[j..].iter().collect();
                let val = match kind {
                    Arg::No => None,
                    Arg::Optional => {
                        j = chars.len();
                        (!rest.is_empty()).then_some(rest)
                    }
                    Arg::Required => {
                        j = chars.len();
                        if !rest.is_empty() {
                            Some(rest)
                        } else if let Some(v) = args.get(i) {
                            i += 1;
                            Some(v.clone())
                        } else {
                            return Err(CliError::Missing(format!("-{c}")));
                        }
                    }
                };
                set(&mut cmd, long, val);
            }
            continue;
        }
        cmd.unexpected.push(a.clone());
    }
    Ok(cmd)
}

/// `keepalived -v`: keepalived's version block; the first line keeps its
/// shape (`Keepalived vX.Y.Z (...)`) for tools that parse it, with tandem's
/// own version in the parentheses.
pub fn version_text() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!(
        "Keepalived v{KEEPALIVED_VERSION} (tandem {})\n\n\
         tandem {} reads keepalived {KEEPALIVED_VERSION} configurations and command lines.\n\n\
         Running on Linux {kernel}\n\n\
         Config options:  VRRP VRRP_AUTH TRACK_PROCESS LVS (parsed only, tandem does not run IPVS)\n",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION"),
    )
}

/// keepalived 2.2.7's `-h` text (same options, same layout).
pub const USAGE: &str = "Usage: keepalived [OPTION...]
  -f, --use-file=FILE          Use the specified configuration file
                                default '/etc/keepalived/keepalived.conf'
  -P, --vrrp                   Only run with VRRP subsystem
  -C, --check                  Only run with Health-checker subsystem
  -B, --no_bfd                 Don't run BFD subsystem
      --all                    Force all child processes to run, even if have no configuration
  -l, --log-console            Log messages to local console
  -D, --log-detail             Detailed log messages
  -S, --log-facility=([0-7]|local[0-7]|user|daemon)
                               Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)
  -G, --no-syslog              Don't log via syslog
  -u, --umask=MASK             umask for file creation (in numeric form)
  -X, --release-vips           Drop VIP on transition from signal.
  -V, --dont-release-vrrp      Don't remove VRRP VIPs and VROUTEs on daemon stop
  -I, --dont-release-ipvs      Don't remove IPVS topology on daemon stop
  -R, --dont-respawn           Don't respawn child processes
  -n, --dont-fork              Don't fork the daemon process
  -d, --dump-conf              Dump the configuration data
  -p, --pid=FILE               Use specified pidfile for parent process
  -r, --vrrp_pid=FILE          Use specified pidfile for VRRP child process
  -T, --genhash                Enter into genhash utility mode (this should be the first option used).
  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process
  -a, --address-monitoring     Report all address additions/deletions notified via netlink
  -b, --bfd_pid=FILE           Use specified pidfile for BFD child process
  -x, --snmp                   Enable SNMP subsystem
  -A, --snmp-agent-socket=FILE Use the specified socket for master agent
  -s, --namespace=NAME         Run in network namespace NAME (overrides config)
  -m, --core-dump              Produce core dump if terminate abnormally
  -M, --core-dump-pattern=PATN Also set /proc/sys/kernel/core_pattern to PATN (default 'core')
  -e, --all-config             Error if any configuration file missing (same as includet)
  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
                                or any lines beginning @^ that do match.
                                The config-id defaults to the node name if option not used
      --signum=SIGFUNC         Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON
  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to
                                stderr by default
  -v, --version                Display the version number
  -h, --help                   Display this help message
";

/// keepalived accepts 0-7, local0-7, user and daemon for `-S`.
fn valid_facility(f: &str) -> bool {
    let n = f.strip_prefix("local").unwrap_or(f);
    matches!(n, "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7") || f == "user" || f == "daemon"
}

pub fn main(argv0: &OsString, args: &[OsString]) -> i32 {
    let _ = argv0;
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cmd = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    run(&cmd, &args)
}

fn run(cmd: &Cmd, args: &[String]) -> i32 {
    if cmd.help {
        eprint!("{USAGE}");
        return 0;
    }
    if cmd.version {
        eprint!("{}", version_text());
        return 0;
    }
    if let Some(f) = &cmd.signum {
        // keepalived 2.2.7's numbers (measured); JSON and STATS_CLEAR are real-time signals
        let n = match f.as_str() {
            "STOP" => 15,
            "RELOAD" => 1,
            "DATA" => 10,
            "STATS" => 12,
            "STATS_CLEAR" => 63,
            "JSON" => 36,
            _ => {
                eprintln!("Unknown sigfunc {f}");
                return 1;
            }
        };
        println!("{n}");
        return 0;
    }
    let code = check_or_run(cmd, args);
    if !cmd.unexpected.is_empty() {
        // keepalived 2.2.7 prints this on stdout and carries on; its stdout
        // is block-buffered, so the line comes out last.
        let mut s = String::from("Unexpected argument(s): ");
        for a in &cmd.unexpected {
            s.push_str(a);
            s.push(' ');
        }
        println!("{s}");
    }
    code
}

fn check_or_run(cmd: &Cmd, args: &[String]) -> i32 {
    let mut early = Vec::new();
    if let Some(f) = &cmd.log_facility
        && !valid_facility(f)
    {
        early.push(format!("Invalid log facility '{f}'"));
    }
    let path = cmd
        .config
        .clone()
        .unwrap_or_else(|| DEFAULT_CONFIG.to_string());
    let out = kconf::check_file(
        &path,
        &ConfOptions {
            config_id: cmd.config_id.clone(),
        },
    );
    let mut lines = early;
    lines.extend(out.lines.iter().cloned());

    if let Some(log_file) = &cmd.config_test {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        match log_file {
            Some(f) => {
                use std::os::unix::fs::OpenOptionsExt;
                let res = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(f)
                    .and_then(|mut fh| fh.write_all(text.as_bytes()));
                if let Err(e) = res {
                    eprintln!("Unable to open config-test log file {f}: {e}");
                    eprint!("{text}");
                }
            }
            None => eprint!("{text}"),
        }
        return out.exit_code;
    }

    // A run: show what the check found, then refuse what the VRRP engine cannot run
    // (LVS) before starting it.
    for l in &lines {
        eprintln!("{l}");
    }
    if out.exit_code == kconf::EXIT_MISSING_PARAMETER {
        return out.exit_code;
    }
    // keepalived 2.2.7 runs the VRRP process unless `-C`; with `-C` it runs the checker
    // (IPVS) only. tandem has no IPVS engine.
    let runs_vrrp = !cmd.check_only && !out.config.vrrp_instances.is_empty();
    let wants_lvs = out.config.has_lvs() && !cmd.vrrp_only;
    if out.config.has_lvs() {
        eprintln!(
            "tandem: this configuration has virtual_server blocks; tandem does not run IPVS (LVS), \
             they are parsed and checked only"
        );
    }
    if !runs_vrrp && wants_lvs {
        // keepalived would run its checker process for these; tandem cannot, and an operator
        // is better told than left with a daemon that does nothing.
        eprintln!("tandem: no vrrp_instance in the configuration; nothing to run");
        return 1;
    }
    let pids = PidFiles::of(cmd, runs_vrrp);
    if let Some(running) = pids.running() {
        // keepalived 2.2.7 (measured): "daemon is already running", exit 0.
        eprintln!("daemon is already running (pid {running})");
        return 0;
    }
    if !cmd.dont_fork {
        return daemonize(args);
    }
    if !runs_vrrp {
        // keepalived 2.2.7 with `-C` on a VRRP-only config, or with a config without
        // instances (measured): this warning, then it idles (main pid file written) until
        // SIGTERM, exit 0. No VRRP runs.
        eprintln!("Warning - keepalived has no configuration to run");
        return idle(&pids.main);
    }
    let opts = crate::vrrp::RunOptions {
        log_console: cmd.log_console,
        log_detail: cmd.log_detail,
        no_syslog: cmd.other.iter().any(|(n, _)| n == "no-syslog"),
        log_facility: cmd.log_facility.clone().filter(|f| valid_facility(f)),
        pid_file: Some(pids.main.clone()),
        vrrp_pid_file: pids.vrrp.clone(),
        config_path: Some(path.clone()),
        config_id: cmd.config_id.clone(),
    };
    // Blocks until SIGTERM/SIGINT: 0 after a clean stop, 1 when it cannot start.
    if std::env::var_os("NOTIFY_SOCKET").is_some() {
        return run_notified(out.config, opts);
    }
    crate::vrrp::run(&out.config, &opts)
}

/// keepalived 2.2.7 built with systemd (Debian's, whose unit is `Type=notify`)
/// sends `READY=1\nMAINPID=<pid>` once its VRRP process has loaded the
/// configuration (`Startup complete`), `RELOADING=1` when SIGHUP starts a
/// reload and `READY=1\nMAINPID=<pid>` again when it is done (`Reload
/// complete`, or the old configuration kept), and `STOPPING=1` on SIGTERM
/// (keepalived's core/systemd.c). Chosen difference: keepalived only does it
/// when its parent is pid 1 and named systemd; tandem does it whenever
/// $NOTIFY_SOCKET is set (systemd sets it for `Type=notify` units only).
///
/// The engine runs embedded here, so that this loop owns the signals and
/// knows when each step is done. On a good reload the engine logs
/// `Reloading ...` and `Reload complete` itself; the lines of the file check
/// come before them (the standalone engine prints `Opening file`,
/// `Configuration file`, `Reloading` and the check's lines in between).
fn run_notified(cfg: crate::ir::keepalived::Config, opts: crate::vrrp::RunOptions) -> i32 {
    use crate::runtime::notify;
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tandem: cannot start the VRRP engine: {e}");
            return 1;
        }
    };
    let pid_files: Vec<String> = [&opts.pid_file, &opts.vrrp_pid_file]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    for p in &pid_files {
        let _ = std::fs::write(p, format!("{}\n", std::process::id()));
    }
    let ready = format!("READY=1\nMAINPID={}", std::process::id());
    let code = rt.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let emb = crate::vrrp::Embedding {
            control: rx,
            proxy: None,
        };
        let engine = crate::vrrp::run_embedded(&cfg, &opts, emb);
        tokio::pin!(engine);
        let sig = |k: SignalKind| signal(k).ok();
        let (mut term, mut int, mut hup) = (
            sig(SignalKind::terminate()),
            sig(SignalKind::interrupt()),
            sig(SignalKind::hangup()),
        );
        let (mut usr1, mut usr2) = (
            sig(SignalKind::user_defined1()),
            sig(SignalKind::user_defined2()),
        );
        // keepalived 2.2.7's SIGJSON (SIGRTMIN+2)
        let mut sigjson = sig(SignalKind::from_raw(36));
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        // The engine's start-up (configuration, sockets, `Startup complete`) runs
        // without waiting, up to its main loop: one poll tells whether it started.
        tokio::select! {
            biased;
            r = &mut engine => return finish(r),
            _ = tokio::task::yield_now() => {}
        }
        notify::send(&ready);
        let log = crate::vrrp::log::Log::new(
            opts.log_console,
            opts.log_detail,
            !opts.no_syslog,
            opts.log_facility.as_deref(),
        );
        let mut stopping = false;
        loop {
            tokio::select! {
                r = &mut engine => return finish(r),
                _ = recv(&mut term), if !stopping => {
                    stopping = true;
                    notify::send("STOPPING=1");
                    let _ = tx.send(crate::vrrp::Control::Stop { handover: None });
                }
                _ = recv(&mut int), if !stopping => {
                    stopping = true;
                    notify::send("STOPPING=1");
                    let _ = tx.send(crate::vrrp::Control::Stop { handover: None });
                }
                _ = recv(&mut hup), if !stopping => {
                    notify::send("RELOADING=1");
                    if let Some(c) = reload_config(&opts, &log) {
                        let _ = tx.send(crate::vrrp::Control::Reload(Box::new(c)));
                        // Let the engine apply it before saying READY.
                        tokio::select! {
                            biased;
                            r = &mut engine => return finish(r),
                            _ = tokio::task::yield_now() => {}
                        }
                    }
                    notify::send(&ready);
                }
                _ = recv(&mut usr1) => {
                    let _ = tx.send(crate::vrrp::Control::DumpData);
                }
                _ = recv(&mut usr2) => {
                    let _ = tx.send(crate::vrrp::Control::DumpStats);
                }
                _ = recv(&mut sigjson) => {
                    let _ = tx.send(crate::vrrp::Control::DumpJson);
                }
            }
        }
    });
    for p in &pid_files {
        let _ = std::fs::remove_file(p);
    }
    code
}

fn finish<E: std::fmt::Display>(r: Result<(), E>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// SIGHUP in notify mode: the file read and checked as the standalone engine
/// does; None (with its messages) when the running configuration stays.
fn reload_config(
    opts: &crate::vrrp::RunOptions,
    log: &crate::vrrp::log::Log,
) -> Option<crate::ir::keepalived::Config> {
    let Some(path) = opts.config_path.clone() else {
        log.line("Reloading ...");
        log.line("Reload not possible: no configuration file name");
        return None;
    };
    let out = kconf::check_file(
        &path,
        &ConfOptions {
            config_id: opts.config_id.clone(),
        },
    );
    let fail = |why: &str| {
        log.line("Reloading ...");
        log.line(&format!("Opening file '{path}'."));
        log.line(&format!("Configuration file {path}"));
        log.line("Reloading");
        for l in &out.lines {
            log.line(l);
        }
        log.line(why);
        log.line("Reload failed - keeping the running configuration");
    };
    if out.exit_code == kconf::EXIT_MISSING_PARAMETER {
        fail("Configuration has a keyword without its value");
        return None;
    }
    if out.config.vrrp_instances.is_empty() {
        fail("No vrrp_instance in the new configuration");
        return None;
    }
    for l in &out.lines {
        log.line(l);
    }
    Some(out.config)
}

/// keepalived 2.2.7's default pid files (Debian: `--runstatedir=/run`): the main process
/// writes /run/keepalived.pid, the VRRP child /run/vrrp.pid, the checker child
/// /run/checkers.pid; `-p`, `-r`, `-c` replace them one by one (measured with the real
/// binary). tandem is one process: the main and VRRP files hold the same pid.
pub const DEFAULT_PID_FILE: &str = "/run/keepalived.pid";
pub const DEFAULT_VRRP_PID_FILE: &str = "/run/vrrp.pid";

#[derive(Debug, Clone, PartialEq, Eq)]
struct PidFiles {
    main: String,
    /// None when VRRP does not run (`-C`, no instance): keepalived starts no VRRP child
    /// and writes no /run/vrrp.pid.
    vrrp: Option<String>,
}

impl PidFiles {
    fn of(cmd: &Cmd, runs_vrrp: bool) -> PidFiles {
        PidFiles {
            main: cmd
                .pid_file
                .clone()
                .unwrap_or_else(|| DEFAULT_PID_FILE.to_string()),
            vrrp: runs_vrrp.then(|| {
                cmd.vrrp_pid_file
                    .clone()
                    .unwrap_or_else(|| DEFAULT_VRRP_PID_FILE.to_string())
            }),
        }
    }

    /// The pid of a live process named in one of the files (keepalived's
    /// keepalived_running(): the main file, then the child's).
    fn running(&self) -> Option<u32> {
        std::iter::once(&self.main)
            .chain(self.vrrp.as_ref())
            .find_map(|f| live_pid(f))
    }
}

/// The pid in `file` when that process exists and is not us (a stale file after a crash
/// does not block a start, as in keepalived).
fn live_pid(file: &str) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(file).ok()?.trim().parse().ok()?;
    if pid == 0 || pid == std::process::id() {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // A zombie is not running.
    let state = stat.rsplit(") ").next()?.chars().next()?;
    (state != 'Z').then_some(pid)
}

/// Nothing to run: hold the main pid file and wait for SIGTERM / SIGINT, as keepalived's
/// parent does when it has no child to start. Exit 0.
fn idle(pid_file: &str) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tandem: cannot start: {e}");
            return 1;
        }
    };
    let _ = std::fs::write(pid_file, format!("{}\n", std::process::id()));
    let res = rt.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        // SIGHUP re-reads the file in keepalived; with no VRRP to run there is nothing to
        // reload, but the signal must not kill us.
        let mut hup = signal(SignalKind::hangup())?;
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => {}
            }
        }
        Ok::<(), std::io::Error>(())
    });
    eprintln!("Stopping");
    let _ = std::fs::remove_file(pid_file);
    eprintln!("Stopped Keepalived v{KEEPALIVED_VERSION}");
    match res {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("tandem: signal handlers: {e}");
            1
        }
    }
}

/// keepalived forks into the background unless `-n`. tandem gets the same
/// effect without fork() in a threaded process: it starts itself again in
/// the foreground (`-n`), in a session of its own with stdio on /dev/null,
/// and returns at once as keepalived's parent does.
fn daemonize(args: &[String]) -> i32 {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tandem: cannot find its own executable to daemonize: {e}");
            return 1;
        }
    };
    let mut child = Command::new(exe);
    child
        .arg0("keepalived")
        .args(args)
        .arg("--dont-fork")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    match child.spawn() {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("tandem: cannot start the background process: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Cmd, CliError> {
        parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags() {
        let c =
            p(&["-t", "-f", "a.conf", "-nlD", "-S", "local0", "-i", "node1"]).unwrap_or_default();
        assert_eq!(c.config.as_deref(), Some("a.conf"));
        assert_eq!(c.config_test, Some(None));
        assert!(c.dont_fork && c.log_console && c.log_detail);
        assert_eq!(c.log_facility.as_deref(), Some("local0"));
        assert_eq!(c.config_id.as_deref(), Some("node1"));
        let c = p(&["--config-test=/tmp/x", "--use=b.conf", "-fc.conf"]).unwrap_or_default();
        assert_eq!(c.config_test, Some(Some("/tmp/x".into())));
        assert_eq!(c.config.as_deref(), Some("c.conf"));
        let c = p(&["-tlog"]).unwrap_or_default();
        assert_eq!(c.config_test, Some(Some("log".into())));
    }

    /// keepalived 2.2.7: `keepalived -Z` / `--foo` / `--v` / `--help=x`
    /// print `Unknown option ...`, `keepalived -f` prints `Missing
    /// parameter for option -f`; all exit 1.
    #[test]
    fn errors() {
        assert_eq!(
            p(&["-Z"]).err().map(|e| e.to_string()),
            Some("Unknown option -Z".into())
        );
        assert_eq!(
            p(&["--foo"]).err().map(|e| e.to_string()),
            Some("Unknown option --foo".into())
        );
        assert_eq!(
            p(&["--v"]).err().map(|e| e.to_string()),
            Some("Unknown option --v".into())
        );
        assert_eq!(
            p(&["--help=x"]).err().map(|e| e.to_string()),
            Some("Unknown option --help=x".into())
        );
        assert_eq!(
            p(&["-f"]).err().map(|e| e.to_string()),
            Some("Missing parameter for option -f".into())
        );
        assert_eq!(
            p(&["-t", "-S"]).err().map(|e| e.to_string()),
            Some("Missing parameter for option -S".into())
        );
        assert_eq!(main(&"keepalived".into(), &["-Z".into()]), 1);
    }

    #[test]
    fn version_first_line_parses_like_keepalived() {
        let v = version_text();
        let first = v.lines().next().unwrap_or_default();
        let mut w = first.split_whitespace();
        assert_eq!(w.next(), Some("Keepalived"));
        assert_eq!(w.next(), Some("v2.2.7"));
        assert!(first.contains("tandem"));
    }

    /// keepalived 2.2.7 (Debian, measured in a network namespace): no `-p`/`-r` gives
    /// /run/keepalived.pid and /run/vrrp.pid; `-p F` moves only the main one, `-r F` only
    /// the VRRP one; with `-C` no VRRP child runs and no /run/vrrp.pid is written.
    #[test]
    fn pid_file_defaults() {
        let c = p(&["-f", "x"]).unwrap_or_default();
        assert_eq!(
            PidFiles::of(&c, true),
            PidFiles {
                main: "/run/keepalived.pid".into(),
                vrrp: Some("/run/vrrp.pid".into())
            }
        );
        let c = p(&["-p", "/tmp/a.pid"]).unwrap_or_default();
        assert_eq!(
            PidFiles::of(&c, true),
            PidFiles {
                main: "/tmp/a.pid".into(),
                vrrp: Some("/run/vrrp.pid".into())
            }
        );
        let c = p(&["-r", "/tmp/b.pid"]).unwrap_or_default();
        assert_eq!(
            PidFiles::of(&c, true),
            PidFiles {
                main: "/run/keepalived.pid".into(),
                vrrp: Some("/tmp/b.pid".into())
            }
        );
        let c = p(&["-C", "-r", "/tmp/b.pid"]).unwrap_or_default();
        assert_eq!(PidFiles::of(&c, false).vrrp, None);
    }

    #[test]
    fn live_pid_ignores_stale_and_self() {
        let dir = std::env::temp_dir().join(format!("tdm-kpid-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join("x.pid");
        let f = f.to_string_lossy().into_owned();
        let _ = std::fs::write(&f, format!("{}\n", std::process::id()));
        assert_eq!(live_pid(&f), None, "our own pid");
        // pid 1 exists in every namespace we run in.
        let _ = std::fs::write(&f, "1\n");
        assert_eq!(live_pid(&f), Some(1));
        let _ = std::fs::write(&f, "4194304999\n");
        assert_eq!(live_pid(&f), None, "no such process");
        let _ = std::fs::write(&f, "junk");
        assert_eq!(live_pid(&f), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn facilities() {
        assert!(valid_facility("local7") && valid_facility("3") && valid_facility("daemon"));
        assert!(!valid_facility("9") && !valid_facility("local8"));
    }
}
