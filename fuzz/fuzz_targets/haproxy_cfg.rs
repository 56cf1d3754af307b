//! haproxy.cfg front end: the lexer on raw bytes, then the whole load
//! (parser and post-parse checks) on the same bytes as a file.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tandem::config::haproxy::{lexer, parser};

/// `parser::load` reads paths, so each input goes through one scratch file
/// per process (in /dev/shm when there is one, to keep it off the disk).
fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("tandem-fuzz-haproxy-{}.cfg", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = lexer::lex_file("fuzz.cfg", data);
    let path = scratch();
    if std::fs::write(path, data).is_ok() {
        // One load per input (they are slow enough): the input's length
        // picks `--legacy` or not, so that both paths get explored.
        let opts = parser::LoadOptions {
            legacy: data.len() % 2 == 1,
        };
        let _ = parser::load(std::slice::from_ref(path), &opts);
    }
});
