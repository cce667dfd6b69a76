//! Fuzz target: the properties of `artsite_fuzz::checks::manifest`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| artsite_fuzz::checks::manifest(data));
