//! VRRP receive path: the IP header split and the advert decoder on
//! untrusted bytes, then re-encoding whatever decoded (must not panic either).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem::vrrp::packet::{Advert, parse_ip};

fuzz_target!(|data: &[u8]| {
    if let Ok((meta, payload)) = parse_ip(data) {
        if let Ok(advert) = Advert::decode(payload, meta.src, meta.dst) {
            let _ = advert.encode(meta.src, meta.dst);
        }
    }
});
