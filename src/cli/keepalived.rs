//! keepalived's command line (`keepalived -t -f FILE`, `-n`, `-l`, `-D`, ...).

use std::ffi::OsString;

pub fn main(argv0: &OsString, args: &[OsString]) -> i32 {
    let _ = (argv0, args);
    0
}
