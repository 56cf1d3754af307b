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
