//! Fuzz target: the properties of `artsite_fuzz::checks::markdown`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| artsite_fuzz::checks::markdown(data));
