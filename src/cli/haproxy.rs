//! HAProxy's command line (`haproxy -c -f FILE`, `-v`, `-vv`, `-cc`, ...).

use std::ffi::OsString;

pub fn main(argv0: &OsString, args: &[OsString]) -> i32 {
    let _ = (argv0, args);
    0
}
