//! The generated documents (docs/support-matrix.md, README.md's support
//! matrix section, man/*.1 and man/*.5) must match what `tandem gen-docs`
//! produces from the grammar tables and the clap definition. Fix a failure
//! with `cargo run -- gen-docs`, then commit the regenerated files.

use std::process::Command;

#[test]
fn generated_docs_are_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["gen-docs", "--check", "--root", env!("CARGO_MANIFEST_DIR")])
        .output()
        .expect("run tandem gen-docs --check");
    assert!(
        out.status.success(),
        "generated docs are stale:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The tool's path when it is installed; in CI (where .ci/run installs
/// mandoc and groff-base) a missing tool is a failure, elsewhere a skip.
fn tool(name: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and {name} is not installed"
        );
        eprintln!("skipping: {name} is not installed");
    }
    found
}

fn man_pages() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .expect("man/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x == "5" || x == "8")
        })
        .collect();
    v.sort();
    assert!(v.len() >= 6, "man pages missing: {v:?}");
    v
}

/// `mandoc -Tlint` (every level, STYLE included) prints nothing.
#[test]
fn man_pages_pass_mandoc_lint() {
    let Some(mandoc) = tool("mandoc") else { return };
    for p in man_pages() {
        let out = Command::new(&mandoc)
            .arg("-Tlint")
            .arg(&p)
            .output()
            .expect("run mandoc");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.trim().is_empty(), "{}:\n{text}", p.display());
        assert!(out.status.success(), "{}: {:?}", p.display(), out.status);
    }
}

/// `groff -ww -man -Tutf8` (all warnings on) prints no warning and renders
/// the page (headings come out in bold escapes, so look for body text).
#[test]
fn man_pages_render_with_groff_without_warnings() {
    let Some(groff) = tool("groff") else { return };
    for p in man_pages() {
        let out = Command::new(&groff)
            .args(["-ww", "-man", "-Tutf8"])
            .arg(&p)
            .output()
            .expect("run groff");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.trim().is_empty(), "{}:\n{err}", p.display());
        assert!(out.status.success(), "{}: {:?}", p.display(), out.status);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("tandem") && text.lines().count() > 10,
            "{}: not rendered:\n{text}",
            p.display()
        );
    }
}
