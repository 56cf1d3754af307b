//! tandem's own subcommands (clap): `check`, `config dump`, `keywords`,
//! `migrate`, `run`, `gen-docs`. `tandem haproxy ...` and `tandem keepalived
//! ...` never get here (`cli::main` hands them to the originals' command
//! lines untouched); they are declared in args.rs only so that `--help` and
//! the man pages list them. The clap definitions are in args.rs (shared
//! with build.rs, which renders the man pages from them).

pub mod args;
pub mod check;
pub mod docs;
pub mod dump;
pub mod inputs;
pub mod keywords;
pub mod manual;
pub mod migrate;
pub mod pair;
pub mod run;

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

pub use args::*;

use crate::grammar::{Dialect, Status};

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Haproxy => Dialect::Haproxy,
            DialectArg::Keepalived => Dialect::Keepalived,
        }
    }
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
        Command::Run(a) => run::main(&a),
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
    use std::path::PathBuf;

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
