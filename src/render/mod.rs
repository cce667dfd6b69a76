//! Templates and views to bytes.

pub mod engine;
