//! haproxy.cfg front end: the lexer on raw bytes, then the whole load
//! (parser and post-parse checks) on the same bytes, held in memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem::config::haproxy::{lexer, parser};

fuzz_target!(|data: &[u8]| {
    let _ = lexer::lex_file("fuzz.cfg", data);
    // One load per input (they are slow enough): the input's length picks
    // `--legacy` or not, so that both paths get explored.
    let opts = parser::LoadOptions {
        legacy: data.len() % 2 == 1,
    };
    let _ = parser::load_from_memory("fuzz.cfg", data, &opts);
});
