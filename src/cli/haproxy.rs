//! HAProxy's command line (`haproxy -c -f FILE`, `-v`, `-vv`, `-cc`, ...).
//!
//! Argument handling follows HAProxy 2.6's `init()` (src/haproxy.c) flag by
//! flag, including its quirks (only the first letters of a flag matter, any
//! other `-d...` is debug mode, `-sf`/`-st` eat every following word that
//! does not start with '-', options that take a value fail with `failed to
//! copy argv.` when it is missing). Messages and exit codes were measured
//! with the Debian HAProxy 2.6.12 binary.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::diag::{Diag, Level};
use crate::config::haproxy::cond::{BUILD_FEATURES, COMPAT_VERSION};
use crate::config::haproxy::lexer;
use crate::config::haproxy::parser::{self, LoadOptions, Outcome, Verdict};

/// tandem's own version, printed right after the compatible HAProxy version.
pub const TANDEM_VERSION: &str = concat!("tandem-", env!("CARGO_PKG_VERSION"));
/// Release date shown where HAProxy shows its build date.
const RELEASE_DATE: &str = "2026/11/21";
/// Where HAProxy prints its web site. tandem has no public home yet; the
/// lead replaces this placeholder when it has one.
const PROJECT_URL: &str = "https://tandem.invalid/";

/// Everything a run prints, kept apart so tests can compare it exactly.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// HAProxy's message printer: `[LEVEL]   (PID) : text`, quiet/verbose
/// handling, and the two `[NOTICE]` lines printed before the first warning
/// or alert.
#[derive(Debug)]
pub struct Printer {
    pub out: Output,
    pub pid: u32,
    pub exe: String,
    /// `-q` (applied once the command line is read).
    pub quiet: bool,
    /// `-V`: wins over `-q` whatever the order.
    pub verbose: bool,
    /// `-dD`: `.diag` messages and diagnostic warnings are shown.
    pub diag_mode: bool,
    version_shown: bool,
    /// A warning was emitted (HAProxy's `warned & WARN_ANY`).
    pub warned: bool,
}

impl Printer {
    pub fn new(pid: u32, exe: String) -> Self {
        Printer {
            out: Output::default(),
            pid,
            exe,
            quiet: false,
            verbose: false,
            diag_mode: false,
            version_shown: false,
            warned: false,
        }
    }

    fn silent(&self) -> bool {
        self.quiet && !self.verbose
    }

    fn line(&mut self, tag: &str, text: &str) {
        let head = format!("{:<11}({}) : ", format!("[{tag}]"), self.pid);
        self.out.stderr.push_str(&head);
        self.out.stderr.push_str(text);
        self.out.stderr.push('\n');
    }

    /// Print one message at `level`.
    pub fn emit(&mut self, level: Level, text: &str) {
        if level == Level::Warning {
            self.warned = true;
        }
        if level == Level::Diag && !self.diag_mode {
            return;
        }
        if self.silent() {
            return;
        }
        if matches!(level, Level::Warning | Level::Alert) && !self.version_shown {
            self.version_shown = true;
            let v = format!("haproxy version is {COMPAT_VERSION} {TANDEM_VERSION}");
            self.line("NOTICE", &v);
            let p = format!("path to executable is {}", self.exe);
            self.line("NOTICE", &p);
        }
        let tag = match level {
            Level::Diag => "DIAG",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Alert => "ALERT",
        };
        self.line(tag, text);
    }

    pub fn alert(&mut self, text: &str) {
        self.emit(Level::Alert, text);
    }

    /// HAProxy's `qfprintf(stdout, ...)`: silenced by `-q`.
    pub fn qout(&mut self, text: &str) {
        if !self.silent() {
            self.out.stdout.push_str(text);
        }
    }

    fn flush(&mut self) {
        let o = std::mem::take(&mut self.out);
        let _ = std::io::stdout().write_all(o.stdout.as_bytes());
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().write_all(o.stderr.as_bytes());
    }
}

/// `uname`-like facts for the `Running on:` line, read from /proc so that
/// no unsafe libc call is needed.
fn running_on() -> Option<String> {
    let rd = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim_end().to_string())
    };
    Some(format!(
        "Running on: {} {} {} {}",
        rd("/proc/sys/kernel/ostype")?,
        rd("/proc/sys/kernel/osrelease")?,
        rd("/proc/sys/kernel/version")?,
        std::env::consts::ARCH
    ))
}

/// `haproxy -v`.
pub fn version_text() -> String {
    let mut s = format!(
        "HAProxy version {COMPAT_VERSION} {TANDEM_VERSION} {RELEASE_DATE} - {PROJECT_URL}\n\
         Status: tandem {} runs HAProxy 2.6 configurations (HTTP/1.1 and TCP, TLS termination); HTTP/2, logging and the stats socket are not built yet.\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(r) = running_on() {
        s.push_str(&r);
        s.push('\n');
    }
    s
}

/// The part `-vv` adds after the version block. It states what this build
/// really contains: see `BUILD_FEATURES` for why each feature is + or -.
pub fn build_options_text() -> String {
    format!(
        "Build options :\n\
         \x20 TARGET  = linux-glibc\n\
         \x20 CPU     = generic\n\
         \x20 CC      = rustc\n\
         \x20 CFLAGS  = \n\
         \x20 OPTIONS = \n\
         \x20 DEBUG   = \n\
         \n\
         Feature list : {BUILD_FEATURES}\n\
         \n\
         Default settings :\n\
         \x20 bufsize = 16384, maxrewrite = 1024, maxpollevents = 200\n\
         \n\
         Built by tandem {ver}: proxy engine on tokio, TLS by rustls (no OpenSSL library), regexes by the Rust regex crate.\n\
         Built with the Prometheus exporter as a service\n\
         Built with network namespace support.\n\
         Built with flate2 (deflate level 1) for compression.\n\
         Compression algorithms supported : identity(\"identity\"), deflate(\"deflate\"), raw-deflate(\"deflate\"), gzip(\"gzip\")\n\
         Built with transparent proxy support using: IP_TRANSPARENT IPV6_TRANSPARENT IP_FREEBIND\n\
         \n\
         Available polling systems :\n\
         \x20     epoll : pref=300,  test result OK\n\
         Total: 1 (1 usable), will use epoll.\n\
         \n\
         Available multiplexer protocols :\n\
         (protocols marked as <default> cannot be specified using 'proto' keyword)\n\
         \x20        h2 : mode=HTTP  side=FE|BE  mux=H2    flags=HTX|HOL_RISK|NO_UPG\n\
         \x20 <default> : mode=HTTP  side=FE|BE  mux=H1    flags=HTX\n\
         \x20        h1 : mode=HTTP  side=FE|BE  mux=H1    flags=HTX|NO_UPG\n\
         \x20 <default> : mode=TCP   side=FE|BE  mux=PASS  flags=\n\
         \x20      none : mode=TCP   side=FE|BE  mux=PASS  flags=NO_UPG\n\
         \n\
         Available services : prometheus-exporter\n\
         \n\
         Available filters :\n\
         \t[COMP] compression\n\
         \n",
        ver = env!("CARGO_PKG_VERSION")
    )
}

/// HAProxy 2.6.12's usage text (stderr), with the program name and the
/// current `-N` value as HAProxy prints them.
pub fn usage_text(name: &str, maxpconn: i64) -> String {
    format!(
        "Usage : {name} [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -dM[<byte>,help,...] debug memory (default: poison with <byte>/0x50)
        -V enters verbose mode (disables quiet mode)
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode.
        -Ws master-worker mode with systemd notify support.
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -n sets the maximum total # of connections (uses ulimit -n)
        -m limits the usable amount of memory (in MB)
        -N sets the default, per-proxy maximum # of connections ({maxpconn})
        -L set local peer name (default to hostname)
        -p writes pids of all children to this file
        -de disables epoll() usage even when available
        -dp disables poll() usage even when available
        -dS disables splice usage (broken on old kernels)
        -dG disables getaddrinfo() usage
        -dR disables SO_REUSEPORT usage
        -dL dumps loaded object files after config checks
        -dK{{class[,...]}} dump registered keywords (use 'help' for list)
        -dr ignores server address resolution failures
        -dV disables SSL verify on servers side
        -dW fails if any warning is emitted
        -dD diagnostic mode : warn about suspicious configuration statements
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
        -S <bind>[,<bind options>...] new master CLI

"
    )
}

/// What the command line asked for. Engine options are kept so that they
/// take effect once the engine exists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Opts {
    pub files: Vec<OsString>,
    pub check: bool,
    pub check_condition: Option<OsString>,
    pub quiet: bool,
    pub verbose: bool,
    pub debug: bool,
    pub foreground: bool,
    pub daemon: bool,
    pub master_worker: bool,
    pub systemd: bool,
    pub zero_warning: bool,
    pub diag: bool,
    pub pidfile: Option<OsString>,
    pub old_pids: Vec<i64>,
    /// `-st` (terminate) rather than `-sf` (finish) for `old_pids`.
    pub old_pids_terminate: bool,
    pub unix_socket: Option<OsString>,
    pub master_cli: Vec<OsString>,
    pub local_peer: Option<OsString>,
    pub maxconn: Option<i64>,
    pub maxpconn: i64,
    pub memmax_mb: Option<i64>,
    pub chdir: Option<OsString>,
    /// `-d` letters that only tune the engine (`-de`, `-dS`, `-dr`, `-dV`...).
    pub debug_flags: Vec<String>,
}

/// How argument parsing ended before anything was loaded.
#[derive(Debug, PartialEq, Eq)]
enum Early {
    /// Print the version block (and build options), exit 0.
    Version { build: bool },
    /// Print the usage (after an optional alert), exit 1.
    Usage,
    /// An alert (no `config : ` prefix), exit 1.
    Alert(String),
}

/// C's `atol()`: leading blanks, sign, digits; 0 when nothing parses.
fn atol(s: &[u8]) -> i64 {
    let mut i = 0;
    while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut n: i64 = 0;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(c - b'0'));
        i += 1;
    }
    if neg { -n } else { n }
}

/// C's `strtol(s, &end, 10)`: the value and the unparsed rest; None on
/// overflow (ERANGE).
fn strtol_dec(s: &[u8]) -> Option<(i64, &[u8])> {
    let mut i = 0;
    while s
        .get(i)
        .is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b)
    {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut n: i64 = 0;
    let mut overflow = false;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        let d = i64::from(c - b'0');
        match n.checked_mul(10).and_then(|m| {
            if neg {
                m.checked_sub(d)
            } else {
                m.checked_add(d)
            }
        }) {
            Some(m) => n = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Some((0, s));
    }
    if overflow {
        return None;
    }
    Some((n, &s[i..]))
}

/// HAProxy's `copy_argv()` pre-pass: options that take a value fail when
/// it is missing, before anything else is looked at.
fn copy_argv_ok(args: &[OsString]) -> bool {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_bytes();
        if a.first() != Some(&b'-') {
            i += 1;
            continue;
        }
        let flag = &a[1..];
        if flag == b"-" {
            return true;
        }
        match flag.first() {
            Some(b's') if matches!(flag.get(1), Some(b'f' | b't')) => {
                i += 1;
                while i < args.len() && args[i].as_bytes().first() != Some(&b'-') {
                    i += 1;
                }
            }
            Some(b'x') => i += 2,
            Some(b'C' | b'n' | b'm' | b'N' | b'L' | b'f' | b'p' | b'S') => {
                if i + 1 >= args.len() {
                    return false;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    true
}

/// Parse the command line as HAProxy 2.6's `init()` does. Warnings HAProxy
/// prints while parsing (`-x` given twice) go to `warnings`.
fn parse_args(args: &[OsString], warnings: &mut Vec<String>) -> Result<Opts, Early> {
    let mut o = Opts::default();
    let mut i = 0usize;
    while i < args.len() {
        let a = args[i].as_bytes();
        if a.first() != Some(&b'-') {
            return Err(Early::Usage);
        }
        let flag = &a[1..];
        let f0 = flag.first().copied().unwrap_or(0);
        let f1 = flag.get(1).copied().unwrap_or(0);
        match (f0, f1) {
            (b'v', _) => return Err(Early::Version { build: f1 == b'v' }),
            (b'd', b'e' | b'p' | b'S' | b'G' | b'R' | b'V' | b'r' | b'M' | b'L' | b'K') => {
                o.debug_flags
                    .push(String::from_utf8_lossy(flag).into_owned());
            }
            (b'V', _) => o.verbose = true,
            (b'd', b'b') => o.foreground = true,
            (b'd', b'D') => o.diag = true,
            (b'd', b'W') => o.zero_warning = true,
            (b'd', _) => o.debug = true,
            (b'c', b'c') => {
                // HAProxy takes the next word; without one it prints the usage.
                i += 1;
                let Some(c) = args.get(i) else {
                    return Err(Early::Usage);
                };
                o.check_condition = Some(c.clone());
            }
            (b'c', _) => o.check = true,
            (b'D', _) => o.daemon = true,
            (b'W', b's') => {
                o.master_worker = true;
                o.foreground = true;
                o.systemd = true;
            }
            (b'W', _) => o.master_worker = true,
            (b'q', _) => o.quiet = true,
            (b'x', _) => {
                let Some(sock) = args.get(i + 1) else {
                    return Err(Early::Alert(
                        "Unix socket path expected with the -x flag\n".to_string(),
                    ));
                };
                if o.unix_socket.is_some() {
                    warnings.push("-x option already set, overwriting the value".to_string());
                }
                o.unix_socket = Some(sock.clone());
                i += 1;
            }
            (b'S', _) => {
                let Some(v) = args.get(i + 1) else {
                    return Err(Early::Alert(
                        "Socket and optional bind parameters expected with the -S flag".to_string(),
                    ));
                };
                o.master_cli.push(v.clone());
                i += 1;
            }
            (b's', b'f' | b't') => {
                o.old_pids_terminate = f1 == b't';
                let name = String::from_utf8_lossy(flag).into_owned();
                while let Some(next) = args.get(i + 1) {
                    let w = next.as_bytes();
                    if w.first() == Some(&b'-') {
                        break;
                    }
                    i += 1;
                    let text = String::from_utf8_lossy(w).into_owned();
                    let Some((pid, rest)) = strtol_dec(w) else {
                        return Err(Early::Alert(format!(
                            "-{name:>2} option: failed to parse {{{text}}}: Numerical result out of range"
                        )));
                    };
                    let rest: Vec<u8> = rest
                        .iter()
                        .copied()
                        .skip_while(|c| c.is_ascii_whitespace() || *c == 0x0b)
                        .collect();
                    if !rest.is_empty() {
                        return Err(Early::Alert(format!(
                            "-{name:>2} option: some bytes unconsumed in PID list {{{}}}",
                            String::from_utf8_lossy(&rest)
                        )));
                    }
                    if pid <= 0 {
                        return Err(Early::Usage);
                    }
                    o.old_pids.push(pid);
                }
            }
            (b'-', 0) => {
                o.files.extend(args[i + 1..].iter().cloned());
                break;
            }
            _ => {
                i += 1;
                let Some(v) = args.get(i) else {
                    return Err(Early::Usage);
                };
                match f0 {
                    b'C' => o.chdir = Some(v.clone()),
                    b'n' => o.maxconn = Some(atol(v.as_bytes())),
                    b'm' => o.memmax_mb = Some(atol(v.as_bytes())),
                    b'N' => o.maxpconn = atol(v.as_bytes()),
                    b'L' => o.local_peer = Some(v.clone()),
                    b'f' => o.files.push(v.clone()),
                    b'p' => o.pidfile = Some(v.clone()),
                    _ => return Err(Early::Usage),
                }
            }
        }
        i += 1;
    }
    Ok(o)
}

/// `strerror()` text of an I/O error (std adds " (os error N)").
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(k) => s[..k].to_string(),
        None => s,
    }
}

/// HAProxy's `cfgfiles_expand_directories()`: a directory stands for its
/// `*.cfg` regular files (not hidden ones), sorted by byte order.
fn expand_files(files: &[OsString]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for f in files {
        let shown = String::from_utf8_lossy(f.as_bytes()).into_owned();
        let md = std::fs::metadata(f).map_err(|e| {
            format!(
                "config : Cannot open configuration file/directory {shown} : {}",
                strerror(&e)
            )
        })?;
        if !md.is_dir() {
            out.push(PathBuf::from(f));
            continue;
        }
        let rd = std::fs::read_dir(f).map_err(|e| {
            format!(
                "config : Cannot open configuration directory {shown} : {}",
                strerror(&e)
            )
        })?;
        let mut names: Vec<OsString> = rd.filter_map(|e| e.ok().map(|e| e.file_name())).collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for n in names {
            let b = n.as_bytes();
            // strstr(name, ".cfg") must be the end of the name.
            let first = b.windows(4).position(|w| w == b".cfg");
            if b.first() == Some(&b'.') || first != Some(b.len().saturating_sub(4)) || b.len() < 4 {
                continue;
            }
            let mut joined = f.clone();
            joined.push("/");
            joined.push(&n);
            let md = std::fs::metadata(&joined).map_err(|e| {
                format!(
                    "config : Cannot open configuration file {shown} : {}",
                    strerror(&e)
                )
            })?;
            if md.is_file() {
                out.push(PathBuf::from(joined));
            }
        }
    }
    Ok(out)
}

/// Render the result of loading the configuration. `order` is the load
/// order of the files (names as reported). Returns the exit code.
pub fn render_outcome(
    p: &mut Printer,
    outcome: &Outcome,
    order: &[String],
    check: bool,
    zero_warning: bool,
) -> i32 {
    let closing_files: &[String] = match &outcome.verdict {
        Verdict::ParseErrors(f) | Verdict::Aborted(f) => f,
        _ => &[],
    };
    // HAProxy prints `Error(s) found in configuration file : F` right after
    // reading F, before the messages of the next file. The diagnostics are
    // in load order, so walk them along `order` (a file may be loaded twice).
    let n = order.len();
    let mut cur = 0usize;
    let mut had_err = vec![false; n];
    let mut printed: Vec<String> = Vec::new();
    let close = |p: &mut Printer, printed: &mut Vec<String>, name: &str| {
        p.alert(&format!(
            "config : Error(s) found in configuration file : {name}"
        ));
        printed.push(name.to_string());
    };
    for (i, d) in outcome.diags.iter().enumerate() {
        if outcome.quiet_from == Some(i) {
            p.quiet = true;
        }
        if !closing_files.is_empty()
            && let Some(l) = &d.loc
            && let Some(j) = (cur..n).find(|&j| order[j] == l.file)
        {
            for k in cur..j {
                if had_err[k] {
                    close(p, &mut printed, &order[k]);
                }
            }
            cur = j;
        }
        emit_diag(p, d);
        if d.level == Level::Alert && cur < n {
            had_err[cur] = true;
        }
    }
    if outcome.quiet_from.is_some() {
        p.quiet = true;
    }
    let finish_files = |p: &mut Printer, printed: &mut Vec<String>| {
        for k in cur..n {
            if had_err[k] {
                close(p, printed, &order[k]);
            }
        }
        for f in closing_files {
            if !printed.contains(f) {
                close(p, printed, f);
            }
        }
    };
    match &outcome.verdict {
        Verdict::ParseErrors(_) => {
            finish_files(p, &mut printed);
            p.alert("config : Fatal errors found in configuration.");
            1
        }
        Verdict::Aborted(_) => {
            finish_files(p, &mut printed);
            1
        }
        Verdict::PostParseErrors => {
            p.alert("config : Fatal errors found in configuration.");
            1
        }
        Verdict::ServerAddr => {
            p.alert("config : Failed to initialize server(s) addr.");
            1
        }
        Verdict::Stopped => 1,
        Verdict::Valid | Verdict::NoListener => {
            if zero_warning && p.warned {
                p.alert("config : Some warnings were found and 'zero-warning' is set. Aborting.");
                return 1;
            }
            if !check {
                if outcome.verdict == Verdict::NoListener {
                    p.alert(
                        "[haproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting.",
                    );
                    return 1;
                }
                // Valid: the caller starts the proxy (see `start`).
                return 0;
            }
            if p.warned {
                p.qout("Warnings were found.\n");
            }
            if outcome.verdict == Verdict::Valid {
                p.qout("Configuration file is valid\n");
                0
            } else {
                p.qout("Configuration file has no error but will not start (no listener) => exit(2).\n");
                2
            }
        }
    }
}

fn emit_diag(p: &mut Printer, d: &Diag) {
    p.emit(d.level, &d.text);
}

fn hostname() -> Vec<u8> {
    std::fs::read("/proc/sys/kernel/hostname")
        .map(|mut h| {
            while h.last().is_some_and(|c| c.is_ascii_whitespace()) {
                h.pop();
            }
            h
        })
        .unwrap_or_default()
}

/// Run HAProxy's command line; `p` collects the output. Returns the exit code.
pub fn run(argv0: &OsString, args: &[OsString], p: &mut Printer) -> i32 {
    let progname = Path::new(argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "haproxy".to_string());
    if !copy_argv_ok(args) {
        p.alert("failed to copy argv.");
        return 1;
    }
    lexer::set_env_overlay("HAPROXY_LOCALPEER", &hostname());
    let mut warnings = Vec::new();
    let parsed = parse_args(args, &mut warnings);
    for w in &warnings {
        p.emit(Level::Warning, w);
    }
    let o = match parsed {
        Ok(o) => o,
        Err(Early::Version { build }) => {
            p.out.stdout.push_str(&version_text());
            if build {
                p.out.stdout.push_str(&build_options_text());
            }
            return 0;
        }
        Err(Early::Usage) => {
            p.out.stdout.push_str(&version_text());
            p.out.stderr.push_str(&usage_text(&progname, 0));
            return 1;
        }
        Err(Early::Alert(a)) => {
            p.alert(&a);
            if a.starts_with("Unix socket") || a.starts_with("Socket and") {
                p.out.stdout.push_str(&version_text());
                p.out.stderr.push_str(&usage_text(&progname, 0));
            }
            return 1;
        }
    };
    if let Some(l) = &o.local_peer {
        lexer::set_env_overlay("HAPROXY_LOCALPEER", l.as_bytes());
    }
    p.quiet = o.quiet;
    p.verbose = o.verbose;
    p.diag_mode = o.diag;

    if let Some(dir) = &o.chdir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        p.alert(&format!(
            "Could not change to directory {} : {}",
            String::from_utf8_lossy(dir.as_bytes()),
            strerror(&e)
        ));
        return 1;
    }

    if let Some(cond) = &o.check_condition {
        return match lexer::eval_cc(cond.as_bytes(), &lexer::env_lookup) {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(e) => {
                p.alert(&format!("config : {e}"));
                2
            }
        };
    }

    let files = match expand_files(&o.files) {
        Ok(f) => f,
        Err(msg) => {
            p.alert(&msg);
            return 1;
        }
    };
    if files.is_empty() {
        p.out.stdout.push_str(&version_text());
        p.out.stderr.push_str(&usage_text(&progname, o.maxpconn));
        return 1;
    }
    let order: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let mut outcome = parser::load(&files, &LoadOptions::default());
    if !o.master_cli.is_empty() && !o.master_worker {
        outcome.diags.push(Diag::new(
            Level::Warning,
            None,
            "config : a master CLI socket was defined, but master-worker mode (-W) is not enabled.",
        ));
    }
    let code = render_outcome(p, &outcome, &order, o.check, o.zero_warning);
    if o.check || code != 0 || outcome.verdict != Verdict::Valid {
        return code;
    }
    match outcome.config {
        Some(cfg) => start(argv0, args, &progname, &o, cfg, p),
        None => 1,
    }
}

/// Run mode: the configuration is loaded and valid and `-c` was not given.
/// Everything printed so far goes out first; the runtime prints directly.
fn start(
    argv0: &OsString,
    args: &[OsString],
    progname: &str,
    o: &Opts,
    cfg: crate::ir::haproxy::Config,
    p: &mut Printer,
) -> i32 {
    let version_shown = p.version_shown;
    p.flush();
    let mut log = crate::runtime::Logger {
        exe: p.exe.clone(),
        version: format!("{COMPAT_VERSION} {TANDEM_VERSION}"),
        quiet: (o.quiet || cfg.global.quiet) && !o.verbose,
        starting: true,
        version_shown,
    };
    let has = |f: &str| o.debug_flags.iter().any(|d| d == f);
    let ro = crate::runtime::RunOpts {
        daemon: o.daemon,
        foreground: o.foreground,
        debug: o.debug,
        master_worker: o.master_worker,
        systemd: o.systemd,
        quiet: o.quiet,
        verbose: o.verbose,
        pidfile: o.pidfile.clone(),
        old_pids: o
            .old_pids
            .iter()
            .filter_map(|p| i32::try_from(*p).ok())
            .collect(),
        old_pids_terminate: o.old_pids_terminate,
        maxconn: o.maxconn,
        no_reuseport: has("dR"),
        no_splice: has("dS"),
        progname: progname.to_string(),
        argv0: argv0.clone(),
        args: args.to_vec(),
        base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        master_cli: o.master_cli.clone(),
        reload_check: Some(reload_check),
        xfer: o.unix_socket.clone(),
    };
    crate::runtime::run(cfg, ro, &mut log)
}

/// The master's check before a reload (HAProxy's master re-executes itself
/// and parses the configuration again): silent when the configuration is
/// valid (the new worker prints its warnings), HAProxy's messages with the
/// master's pid when it is not, e.g. (2.6.12):
/// `[ALERT]    (17321) : config : parsing [cur.cfg:13] : unknown keyword 'bogus' in 'backend' section`.
pub fn reload_check(args: &[OsString]) -> bool {
    let exe = std::env::current_exe()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut p = Printer::new(std::process::id(), exe);
    let mut warnings = Vec::new();
    let Ok(o) = parse_args(args, &mut warnings) else {
        return false;
    };
    p.quiet = o.quiet;
    p.verbose = o.verbose;
    let files = match expand_files(&o.files) {
        Ok(f) => f,
        Err(msg) => {
            p.alert(&msg);
            p.flush();
            return false;
        }
    };
    let order: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let outcome = parser::load(&files, &LoadOptions::default());
    let code = render_outcome(&mut p, &outcome, &order, false, o.zero_warning);
    let ok = code == 0 && outcome.verdict == Verdict::Valid && outcome.config.is_some();
    if !ok {
        // Only what a failure prints; the worker prints a good config's warnings.
        p.out.stdout.clear();
        p.flush();
    }
    ok
}

pub fn main(argv0: &OsString, args: &[OsString]) -> i32 {
    let exe = std::env::current_exe()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|_| argv0.to_string_lossy().into_owned());
    let mut p = Printer::new(std::process::id(), exe);
    let code = run(argv0, args, &mut p);
    p.flush();
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::diag::Loc;

    fn printer() -> Printer {
        Printer::new(42, "/usr/sbin/haproxy".to_string())
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    fn diag(level: Level, file: &str, line: u32, text: &str) -> Diag {
        Diag::new(level, Some(Loc::new(file, line)), text)
    }

    const NOTICES: &str = "[NOTICE]   (42) : haproxy version is 2.6.12 tandem-";

    fn strip_notices(s: &str) -> String {
        s.lines()
            .filter(|l| !l.starts_with(NOTICES) && !l.contains(": path to executable is"))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    #[test]
    fn args_like_haproxy() {
        let mut w = Vec::new();
        let o = parse_args(
            &os(&[
                "-c", "-f", "a.cfg", "-f", "d", "-q", "-dW", "-sf", "12", " 13 ", "-st", "4",
            ]),
            &mut w,
        )
        .unwrap_or_default();
        assert!(o.check && o.quiet && o.zero_warning);
        assert_eq!(o.files, os(&["a.cfg", "d"]));
        assert_eq!(o.old_pids, vec![12, 13, 4]);
        assert!(o.old_pids_terminate);
        let o = parse_args(&os(&["-Wsx", "-cq", "--", "x.cfg", "-c"]), &mut w).unwrap_or_default();
        assert!(o.master_worker && o.systemd && o.check && !o.quiet);
        assert_eq!(o.files, os(&["x.cfg", "-c"]));
        assert_eq!(parse_args(&os(&["-Z"]), &mut w), Err(Early::Usage));
        assert_eq!(parse_args(&os(&["file.cfg"]), &mut w), Err(Early::Usage));
        assert_eq!(
            parse_args(&os(&["-vq"]), &mut w),
            Err(Early::Version { build: false })
        );
        assert_eq!(
            parse_args(&os(&["-c", "-vv"]), &mut w),
            Err(Early::Version { build: true })
        );
        assert_eq!(parse_args(&os(&["-sf", "0"]), &mut w), Err(Early::Usage));
        assert_eq!(parse_args(&os(&["-cc"]), &mut w), Err(Early::Usage));
        // HAProxy 2.6.12: `-sf 12x` -> `-sf option: some bytes unconsumed in PID list {x}`
        assert_eq!(
            parse_args(&os(&["-sf", "12x"]), &mut w),
            Err(Early::Alert(
                "-sf option: some bytes unconsumed in PID list {x}".to_string()
            ))
        );
        assert!(w.is_empty());
        let _ = parse_args(&os(&["-x", "/a", "-x", "/b"]), &mut w);
        assert_eq!(w, ["-x option already set, overwriting the value"]);
        assert!(!copy_argv_ok(&os(&["-c", "-f"])));
        assert!(copy_argv_ok(&os(&["-x"])));
        assert!(copy_argv_ok(&os(&["-sf", "1", "2"])));
    }

    #[test]
    fn valid_with_warnings() {
        let mut p = printer();
        let out = Outcome {
            quiet_from: None,
            config: None,
            diags: vec![
                diag(
                    Level::Notice,
                    "t.cfg",
                    1,
                    "config : parsing [t.cfg:1]: 'hello world'.",
                ),
                diag(
                    Level::Warning,
                    "t.cfg",
                    2,
                    "config : parsing [t.cfg:2]: 'x'.",
                ),
            ],
            verdict: Verdict::Valid,
        };
        let code = render_outcome(&mut p, &out, &["t.cfg".into()], true, false);
        assert_eq!(code, 0);
        assert_eq!(
            p.out.stdout,
            "Warnings were found.\nConfiguration file is valid\n"
        );
        // HAProxy 2.6.12 prints a NOTICE before the version lines, which only
        // come with the first warning or alert.
        let lines: Vec<&str> = p.out.stderr.lines().collect();
        assert_eq!(
            lines[0],
            "[NOTICE]   (42) : config : parsing [t.cfg:1]: 'hello world'."
        );
        assert!(lines[1].starts_with(NOTICES));
        assert_eq!(
            lines[2],
            "[NOTICE]   (42) : path to executable is /usr/sbin/haproxy"
        );
        assert_eq!(
            lines[3],
            "[WARNING]  (42) : config : parsing [t.cfg:2]: 'x'."
        );
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn quiet_and_verbose() {
        let out = Outcome {
            quiet_from: None,
            config: None,
            diags: vec![diag(
                Level::Warning,
                "t.cfg",
                2,
                "config : parsing [t.cfg:2]: 'x'.",
            )],
            verdict: Verdict::Valid,
        };
        let mut p = printer();
        p.quiet = true;
        assert_eq!(render_outcome(&mut p, &out, &[], true, false), 0);
        assert_eq!((p.out.stdout.as_str(), p.out.stderr.as_str()), ("", ""));
        let mut p = printer();
        p.quiet = true;
        p.verbose = true;
        render_outcome(&mut p, &out, &[], true, false);
        assert_eq!(
            p.out.stdout,
            "Warnings were found.\nConfiguration file is valid\n"
        );
        // -dW: HAProxy 2.6.12 ends with this alert and exit 1.
        let mut p = printer();
        assert_eq!(render_outcome(&mut p, &out, &[], true, true), 1);
        assert_eq!(p.out.stdout, "");
        assert!(p.out.stderr.ends_with(
            "[ALERT]    (42) : config : Some warnings were found and 'zero-warning' is set. Aborting.\n"
        ));
    }

    #[test]
    fn parse_errors_interleave_per_file() {
        // HAProxy 2.6.12 with `-f base.cfg -f dd/a.cfg -f dd/b.cfg` (second
        // copy of a proxy): each file's closing line follows its messages.
        let out = Outcome {
            quiet_from: None,
            config: None,
            diags: vec![
                diag(
                    Level::Alert,
                    "base.cfg",
                    2,
                    "config : parsing [base.cfg:2] : 'maxconn' already specified. Continuing.",
                ),
                diag(
                    Level::Notice,
                    "dd/a.cfg",
                    1,
                    "config : parsing [dd/a.cfg:1]: 'a'.",
                ),
                diag(
                    Level::Alert,
                    "dd/b.cfg",
                    3,
                    "config : Parsing [dd/b.cfg:3]: proxy 'a' has the same name as proxy 'a' declared at base.cfg:3.",
                ),
            ],
            verdict: Verdict::ParseErrors(vec!["base.cfg".into(), "dd/b.cfg".into()]),
        };
        let mut p = printer();
        let order = ["base.cfg".to_string(), "dd/a.cfg".into(), "dd/b.cfg".into()];
        assert_eq!(render_outcome(&mut p, &out, &order, true, false), 1);
        assert_eq!(
            strip_notices(&p.out.stderr),
            "[ALERT]    (42) : config : parsing [base.cfg:2] : 'maxconn' already specified. Continuing.\n\
             [ALERT]    (42) : config : Error(s) found in configuration file : base.cfg\n\
             [NOTICE]   (42) : config : parsing [dd/a.cfg:1]: 'a'.\n\
             [ALERT]    (42) : config : Parsing [dd/b.cfg:3]: proxy 'a' has the same name as proxy 'a' declared at base.cfg:3.\n\
             [ALERT]    (42) : config : Error(s) found in configuration file : dd/b.cfg\n\
             [ALERT]    (42) : config : Fatal errors found in configuration.\n"
        );
        assert_eq!(p.out.stdout, "");
    }

    #[test]
    fn other_verdicts() {
        let mk = |v| Outcome {
            config: None,
            diags: vec![],
            verdict: v,
            quiet_from: None,
        };
        let mut p = printer();
        assert_eq!(
            render_outcome(&mut p, &mk(Verdict::NoListener), &[], true, false),
            2
        );
        assert_eq!(
            p.out.stdout,
            "Configuration file has no error but will not start (no listener) => exit(2).\n"
        );
        assert_eq!(p.out.stderr, "");
        let mut p = printer();
        assert_eq!(
            render_outcome(
                &mut p,
                &mk(Verdict::Aborted(vec!["t.cfg".into()])),
                &["t.cfg".into()],
                true,
                false
            ),
            1
        );
        assert_eq!(
            strip_notices(&p.out.stderr),
            "[ALERT]    (42) : config : Error(s) found in configuration file : t.cfg\n"
        );
        let mut p = printer();
        assert_eq!(
            render_outcome(&mut p, &mk(Verdict::ServerAddr), &[], true, false),
            1
        );
        assert!(
            p.out
                .stderr
                .ends_with("[ALERT]    (42) : config : Failed to initialize server(s) addr.\n")
        );
        let mut p = printer();
        assert_eq!(
            render_outcome(&mut p, &mk(Verdict::PostParseErrors), &[], true, false),
            1
        );
        assert!(
            p.out
                .stderr
                .ends_with("[ALERT]    (42) : config : Fatal errors found in configuration.\n")
        );
        let mut p = printer();
        assert_eq!(
            render_outcome(&mut p, &mk(Verdict::Stopped), &[], true, false),
            1
        );
        assert_eq!(p.out.stderr, "");
        // Without -c: HAProxy 2.6.12 on a config without listener.
        let mut p = printer();
        assert_eq!(
            render_outcome(&mut p, &mk(Verdict::NoListener), &[], false, false),
            1
        );
        assert!(p.out.stderr.ends_with("[ALERT]    (42) : [haproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting.\n"));
        // .diag lines only with -dD.
        let d = Outcome {
            quiet_from: None,
            config: None,
            diags: vec![diag(
                Level::Diag,
                "t.cfg",
                1,
                "config : parsing [t.cfg:1]: 'd'.",
            )],
            verdict: Verdict::NoListener,
        };
        let mut p = printer();
        render_outcome(&mut p, &d, &[], true, false);
        assert_eq!(p.out.stderr, "");
        let mut p = printer();
        p.diag_mode = true;
        render_outcome(&mut p, &d, &[], true, false);
        assert_eq!(
            p.out.stderr,
            "[DIAG]     (42) : config : parsing [t.cfg:1]: 'd'.\n"
        );
    }

    #[test]
    fn directory_expansion() {
        let dir = std::env::temp_dir().join(format!("tandem-h1-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mk = |n: &str| std::fs::write(dir.join(n), "global\n");
        assert!(std::fs::create_dir_all(dir.join("sub.cfg")).is_ok());
        for n in [
            "b.cfg",
            "a.cfg",
            ".h.cfg",
            "c.CFG",
            "x.cfgz",
            "y.cfg.cfg",
            "Z.cfg",
        ] {
            assert!(mk(n).is_ok());
        }
        let d = dir.clone().into_os_string();
        let got = expand_files(std::slice::from_ref(&d)).unwrap_or_default();
        let names: Vec<String> = got
            .iter()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(names, ["Z.cfg", "a.cfg", "b.cfg"]);
        let missing = dir.join("nope.cfg").into_os_string();
        let err = expand_files(&[missing]).unwrap_err();
        assert!(
            err.ends_with("nope.cfg : No such file or directory"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
