//! tandem's command-line definitions (clap derive), and nothing else: this
//! file depends only on std and clap so that `build.rs` can include it
//! (`#[path]`) and render the section-8 man pages at build time. Conversions
//! to crate types and the dispatch live in `cli/tandem.rs`.
//!
//! `run`: [`RunArgs`] is declared here; its engine is `cli/tandem/run.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// One program for what HAProxy 2.6 and keepalived 2.2 do, reading their
/// configuration files unchanged.
#[derive(Debug, Parser)]
#[command(
    name = "tandem",
    version,
    about = "One program for what HAProxy 2.6 and keepalived 2.2 do",
    long_about = "One program for what HAProxy 2.6 and keepalived 2.2 do. It reads \
                  haproxy.cfg and keepalived.conf unchanged and takes both programs' \
                  command lines: installed or linked as `haproxy` or `keepalived` it \
                  behaves as that program; `tandem haproxy ARGS...` and `tandem \
                  keepalived ARGS...` do the same without a link.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check haproxy.cfg and keepalived.conf together, and against each other.
    #[command(
        long_about = "Check haproxy.cfg and keepalived.conf as `haproxy -c` and `keepalived -t` \
                      would, printing every problem as `FILE:LINE: level: message`. Given both \
                      files, also check the pair: every address a `bind` line listens on must \
                      be a keepalived virtual address or an address of this node (each is \
                      named), and a bind on a virtual address is reported with what real \
                      HAProxy would need to start on the BACKUP node (tandem binds it with \
                      IP_FREEBIND). With --peer, compare this node's files with the other \
                      node's: the same VRRP instances, VRIDs, virtual addresses, \
                      authentication and advert_int, different priorities and states, and the \
                      same haproxy.cfg apart from node-local lines."
    )]
    Check(CheckArgs),
    /// Work with the parsed configuration (the IR).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the keyword support table (from the grammar tables).
    Keywords(KeywordsArgs),
    /// Move an HAProxy + keepalived (or Heartbeat) setup over, with a report of every line.
    Migrate(MigrateArgs),
    /// Run the proxy and the VRRP engine in one process.
    #[command(long_about = "Run the proxy engine (haproxy.cfg) and the VRRP engine \
                      (keepalived.conf) in one process, with one reload path: SIGHUP or \
                      SIGUSR2 re-reads both files, and a failed check of either leaves \
                      everything running as it was. A vrrp_script that only probes the proxy \
                      (`killall -0 haproxy`, `pidof haproxy`, `curl` to a local frontend...) \
                      is served from the proxy engine's own state, with a notice saying so. \
                      On SIGTERM the node that holds the virtual addresses hands them over \
                      to its peer before it stops.")]
    Run(RunArgs),
    /// Regenerate docs/support-matrix.md, README's support matrix and the man pages.
    GenDocs(GenDocsArgs),
    /// Run as HAProxy: takes HAProxy 2.6's command line (e.g. `-c -f FILE`).
    Haproxy(PassThrough),
    /// Run as keepalived: takes keepalived 2.2's command line (e.g. `-t -f FILE`).
    Keepalived(PassThrough),
}

#[derive(Debug, Args)]
pub struct PassThrough {
    /// The original program's arguments, passed on untouched.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<OsString>,
}

/// Configuration files of both dialects.
#[derive(Debug, Args, Clone, Default)]
pub struct Inputs {
    /// haproxy.cfg file, or a directory whose *.cfg files are read in lexical
    /// order (as `haproxy -f`). Repeatable.
    #[arg(short = 'f', long = "haproxy", value_name = "FILE|DIR")]
    pub haproxy: Vec<PathBuf>,
    /// keepalived.conf file. Repeatable.
    #[arg(short = 'k', long = "keepalived", value_name = "FILE")]
    pub keepalived: Vec<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Accept keywords HAProxy 2.6 removed (nbproc, reqadd, ...) with a
    /// warning naming their replacement, instead of failing.
    #[arg(long)]
    pub legacy: bool,
    /// Print only errors (and the cross-check notices), not warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// The other node's configuration directory (its haproxy.cfg and
    /// keepalived.conf, directly inside or under haproxy/ and keepalived/):
    /// compare the two nodes.
    #[arg(long, value_name = "OTHER_NODE_DIR")]
    pub peer: Option<PathBuf>,
    /// An address of the node the files are for (repeatable); by default the
    /// addresses of the machine running the check are used.
    #[arg(long = "node-addr", value_name = "ADDR")]
    pub node_addr: Vec<std::net::IpAddr>,
}

#[derive(Debug, Args, Default)]
pub struct RunArgs {
    #[command(flatten)]
    pub inputs: Inputs,
}

#[derive(Debug, Args, Default)]
pub struct MigrateArgs {
    /// haproxy.cfg to migrate (legacy 1.x keywords are rewritten for 2.6).
    #[arg(short = 'f', long = "haproxy", value_name = "FILE")]
    pub haproxy: Option<PathBuf>,
    /// keepalived.conf to migrate (kept as it is; proxy probes reported).
    #[arg(short = 'k', long = "keepalived", value_name = "FILE")]
    pub keepalived: Option<PathBuf>,
    /// Heartbeat directory (e.g. /etc/ha.d) holding ha.cf, haresources, authkeys.
    #[arg(long, value_name = "DIR")]
    pub heartbeat: Option<PathBuf>,
    /// Heartbeat's ha.cf (overrides the one in --heartbeat).
    #[arg(long = "ha-cf", value_name = "FILE")]
    pub ha_cf: Option<PathBuf>,
    /// Heartbeat's haresources (overrides the one in --heartbeat).
    #[arg(long, value_name = "FILE")]
    pub haresources: Option<PathBuf>,
    /// Heartbeat's authkeys (overrides the one in --heartbeat).
    #[arg(long, value_name = "FILE")]
    pub authkeys: Option<PathBuf>,
    /// Write haproxy.cfg, keepalived.conf, REPORT.txt and tandem.service here.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the parsed configuration (the IR) of both dialects.
    Dump(DumpArgs),
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Accept keywords HAProxy 2.6 removed, as `tandem check --legacy`.
    #[arg(long)]
    pub legacy: bool,
    /// Dump what was parsed even when the check found errors (the exit
    /// status is still 1).
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Json)]
    pub format: DumpFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// Pretty-printed JSON (stable field order).
    Json,
    /// Indented `key: value` lines.
    Text,
}

#[derive(Debug, Args)]
pub struct KeywordsArgs {
    /// Only this dialect's keywords.
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Only keywords with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Haproxy,
    Keepalived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Implemented,
    Parsed,
    Noop,
    Unsupported,
    Removed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Aligned columns for a terminal.
    Text,
    /// Markdown tables, one per keyword table.
    Markdown,
}

#[derive(Debug, Args)]
pub struct GenDocsArgs {
    /// Do not write; exit 1 and name the files that are out of date.
    #[arg(long)]
    pub check: bool,
    /// The repository root (where README.md, docs/ and man/ live).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}
