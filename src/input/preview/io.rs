//! Bounded reads and the small helpers every reader shares.

use super::kinds::Warning;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Reads at most `limit` bytes from the start of a file.
pub(crate) fn read_head(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    File::open(path)?.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The warning for a file that cannot be opened or read.
pub(crate) fn unreadable(e: &io::Error) -> Warning {
    Warning::new("file-unreadable", format!("cannot read the file: {e}"))
}

/// Reads the last `n` bytes of a file of `size` bytes.
pub(crate) fn read_tail(path: &Path, size: u64, n: u64) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(size.saturating_sub(n)))?;
    let mut buf = Vec::new();
    f.take(n).read_to_end(&mut buf)?;
    Ok(buf)
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
