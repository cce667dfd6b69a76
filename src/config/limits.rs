//! Bounds that keep every page, and the memory to render it, small however
//! big the input is.

/// Lists of artifacts on a page show at most this many rows; the rest are
/// counted, and the search page finds them.
pub(crate) const MAX_ROWS: usize = 1000;
