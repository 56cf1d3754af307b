//! The three command lines. tandem is multi-call: run as `haproxy` (argv[0]'s
//! file name) it takes HAProxy's command line, as `keepalived` keepalived's;
//! `tandem haproxy ARGS...` and `tandem keepalived ARGS...` do the same
//! without a link. Everything else is tandem's own clap interface.

pub mod haproxy;
pub mod keepalived;
pub mod tandem;

use std::ffi::OsString;
use std::path::Path;

/// Which personality argv[0] asks for.
fn personality(argv0: &OsString) -> &'static str {
    let name = Path::new(argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name == "haproxy" || name.starts_with("haproxy-") {
        "haproxy"
    } else if name == "keepalived" || name.starts_with("keepalived-") {
        "keepalived"
    } else {
        "tandem"
    }
}

/// Entry point; returns the process exit code.
pub fn main() -> i32 {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "tandem".into());
    match personality(&argv0) {
        "haproxy" => haproxy::main(&argv0, &args[1..]),
        "keepalived" => keepalived::main(&argv0, &args[1..]),
        _ => {
            // `tandem haproxy ...` / `tandem keepalived ...` bypass clap so
            // that the originals' flags (-f, -c, -sf PID...) pass untouched.
            match args.get(1).and_then(|a| a.to_str()) {
                Some("haproxy") => {
                    let rest = args.split_off(2);
                    haproxy::main(&OsString::from("haproxy"), &rest)
                }
                Some("keepalived") => {
                    let rest = args.split_off(2);
                    keepalived::main(&OsString::from("keepalived"), &rest)
                }
                _ => tandem::main(args),
            }
        }
    }
}
