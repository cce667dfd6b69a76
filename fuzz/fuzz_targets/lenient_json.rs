//! Fuzz target: the properties of `artsite_fuzz::checks::lenient_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| artsite_fuzz::checks::lenient_json(data));
