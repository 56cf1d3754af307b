//! keepalived.conf front end: `keepalived -t`'s whole check (lexer, the
//! four parsing passes, validation) on the input written to a file.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tandem::config::keepalived;

/// `check_file` reads a path, so each input goes through one scratch file
/// per process (in /dev/shm when there is one, to keep it off the disk).
fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!(
            "tandem-fuzz-keepalived-{}.conf",
            std::process::id()
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    if std::fs::write(path, data).is_ok() {
        let opts = keepalived::Options {
            // Fixed, so that `@id` lines do not depend on the host name.
            config_id: Some("fuzz".to_string()),
        };
        let _ = keepalived::check_file(&path.to_string_lossy(), &opts);
    }
});
