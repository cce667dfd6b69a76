//! A number with the file and JSON pointer it came from: what lets every
//! number on a page link to its source field.

use serde::Serialize;

/// A number with the file and JSON pointer it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced {
    /// The number (may be NaN).
    pub value: f64,
    /// Index into [`crate::model::Version::json`] of the source file.
    pub doc: usize,
    /// JSON pointer of the value in that file.
    pub pointer: String,
}
