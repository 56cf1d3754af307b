//! tandem: one program for what HAProxy and keepalived do.
#![forbid(unsafe_code)]

// Every request allocates its head, header list and buffers, and an HTTP/2 stream many
// more (the h2 crate's frames and header maps): glibc malloc took about 7% of the h2
// profile, with arena lock waits between the worker threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tandem::cli::main());
}
