//! Renders the man pages at build time into `$OUT_DIR/man/`, and writes
//! `$OUT_DIR/man_pages.rs` (a `MAN_PAGES` table of file name and text)
//! that the binary embeds: `tandem gen-docs` copies them to man/, and
//! tests/docs.rs checks that the committed copies are identical.
//!
//! The sources are shared with the binary through `#[path]` modules that
//! depend only on std, clap and clap_mangen: the clap definitions
//! (src/cli/tandem/args.rs), the keyword tables (src/grammar/tables.rs) and
//! the renderer (src/cli/tandem/manual.rs).

use std::fmt::Write as _;
use std::path::PathBuf;

// The build script reads only some of what these modules declare.
#[allow(dead_code)]
#[path = "src/cli/tandem/args.rs"]
mod args;
#[allow(dead_code)]
#[path = "src/cli/tandem/manual.rs"]
mod manual;
#[allow(dead_code)]
#[path = "src/grammar/tables.rs"]
mod tables;

use clap::CommandFactory;

fn main() {
    for f in [
        "build.rs",
        "src/cli/tandem/args.rs",
        "src/cli/tandem/manual.rs",
        "src/grammar/tables.rs",
        "grammar",
    ] {
        println!("cargo::rerun-if-changed={f}");
    }
    let out_dir = match std::env::var_os("OUT_DIR") {
        Some(d) => PathBuf::from(d),
        None => fail("OUT_DIR is not set (build.rs must run under cargo)"),
    };
    let man_dir = out_dir.join("man");
    if let Err(e) = std::fs::create_dir_all(&man_dir) {
        fail(&format!("cannot create {}: {e}", man_dir.display()));
    }

    let mut pages = match manual::command_pages(args::Cli::command()) {
        Ok(p) => p,
        Err(e) => fail(&format!("cannot render the command man pages: {e}")),
    };
    let refs: Vec<manual::TableRef<'_>> = tables::TABLES
        .iter()
        .map(|t| manual::TableRef {
            dialect: t.dialect,
            title: t.title,
            text: t.text,
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    for dialect in ["haproxy", "keepalived"] {
        pages.push(manual::keyword_page(
            dialect,
            &refs,
            tables::STATUSES,
            version,
        ));
    }

    let mut table = String::from(
        "/// Man pages rendered by build.rs: (file name in man/, roff text).\n\
         pub const MAN_PAGES: &[(&str, &str)] = &[\n",
    );
    for (name, text) in &pages {
        let path = man_dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            fail(&format!("cannot write {}: {e}", path.display()));
        }
        let _ = writeln!(
            table,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    let rs = out_dir.join("man_pages.rs");
    if let Err(e) = std::fs::write(&rs, table) {
        fail(&format!("cannot write {}: {e}", rs.display()));
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("build.rs: {msg}");
    std::process::exit(1);
}
