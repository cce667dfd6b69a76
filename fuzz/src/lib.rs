//! Properties artsite keeps for any input, shared by the fuzz targets and by
//! the stable-Rust harness in `tests/suite/fuzz.rs`.

pub mod checks;
