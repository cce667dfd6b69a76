//! Properties artsite keeps for any input, shared by the fuzz targets and by
//! the stable-Rust harness in `tests/fuzz.rs`.

pub mod checks;
