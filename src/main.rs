//! tandem: one program for what HAProxy and keepalived do.
#![forbid(unsafe_code)]

// Every request allocates its head, header list and buffers; glibc malloc showed up as
// about 14% of the h2 profile and LD_PRELOAD'ed allocators cut CPU per request by 10-20%.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tandem::cli::main());
}
