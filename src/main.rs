//! tandem: one program for what HAProxy and keepalived do.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(tandem::cli::main());
}
