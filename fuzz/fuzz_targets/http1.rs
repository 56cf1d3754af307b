//! HTTP/1 codec on untrusted bytes: request and response heads, body framing
//! fed whole and split, re-encoding whatever parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tandem::proxy::http::h1::fuzz_parse(data);
});
