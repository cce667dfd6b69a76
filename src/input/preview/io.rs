//! Bounded reads and the small helpers every reader shares.

use super::kinds::Warning;
use std::io;

/// The warning for a file that cannot be opened or read.
pub(crate) fn unreadable(e: &io::Error) -> Warning {
    Warning::new("file-unreadable", format!("cannot read the file: {e}"))
}

/// `s` cut to at most `max` characters, with `…` when cut.
pub(crate) fn cap(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (format!("{}…", &s[..i]), true),
        None => (s.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_at_char_boundaries() {
        assert_eq!(cap("héllo", 2), ("hé…".to_string(), true));
        assert_eq!(cap("hé", 2), ("hé".to_string(), false));
    }
}
