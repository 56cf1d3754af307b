//! tandem's own subcommands (clap): `check`, `config dump`, `keywords`,
//! `migrate`, `gen-docs`. `tandem haproxy ...` and `tandem keepalived ...` never get
//! here (`cli::main` hands them to the originals' command lines untouched);
//! they are declared below only so that `--help` and the man page list them.

pub mod check;
pub mod docs;
pub mod dump;
pub mod inputs;
pub mod keywords;
pub mod migrate;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::grammar::{Dialect, Status};

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
    Check(CheckArgs),
    /// Work with the parsed configuration (the IR).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the keyword support table (from the grammar tables).
    Keywords(KeywordsArgs),
    /// Move an HAProxy + keepalived (or Heartbeat) setup over, with a report of every line.
    Migrate(MigrateArgs),
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

#[derive(Debug, Args)]
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

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Haproxy => Dialect::Haproxy,
            DialectArg::Keepalived => Dialect::Keepalived,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Implemented,
    Parsed,
    Noop,
    Unsupported,
    Removed,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Implemented => Status::Implemented,
            StatusArg::Parsed => Status::Parsed,
            StatusArg::Noop => Status::Noop,
            StatusArg::Unsupported => Status::Unsupported,
            StatusArg::Removed => Status::Removed,
        }
    }
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

/// Writes to stdout, ignoring a closed pipe (`tandem keywords | head`)
/// instead of panicking as `print!` does.
pub(crate) fn out(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes()).and_then(|()| o.flush());
}

/// Writes to stderr, ignoring errors (there is nowhere left to report them).
pub(crate) fn err(s: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// clap's view of the command line, for the man page generator.
pub fn command() -> clap::Command {
    Cli::command()
}

/// `args` is the whole argv, argv[0] included.
pub fn main(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors
            // to stderr (exit 2); keep its behavior.
            let _ = e.print();
            return e.exit_code();
        }
    };
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Config(ConfigCommand::Dump(a)) => dump::run(&a),
        Command::Keywords(a) => keywords::run(&a),
        Command::Migrate(a) => migrate::run(&a),
        Command::GenDocs(a) => docs::run(&a),
        // Only reached through `tandem help`-style reordering; `cli::main`
        // normally dispatches these before clap sees them.
        Command::Haproxy(p) => super::haproxy::main(&OsString::from("haproxy"), &p.args),
        Command::Keepalived(p) => super::keepalived::main(&OsString::from("keepalived"), &p.args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn parses_repeated_inputs() {
        let cli = Cli::try_parse_from([
            "tandem", "check", "-f", "a.cfg", "-f", "d", "-k", "k.conf", "--legacy",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Check(a),
        }) = cli
        else {
            panic!("unexpected parse: {cli:?}");
        };
        assert_eq!(
            a.inputs.haproxy,
            [PathBuf::from("a.cfg"), PathBuf::from("d")]
        );
        assert_eq!(a.inputs.keepalived, [PathBuf::from("k.conf")]);
        assert!(a.legacy);
    }

    #[test]
    fn rejects_unknown_format() {
        let r = Cli::try_parse_from(["tandem", "config", "dump", "--format", "yaml"]);
        assert!(r.is_err());
    }
}
