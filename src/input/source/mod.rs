//! Where an input file's bytes are, and bounded reads from there: a file on
//! disk, or an object in a bucket ([`bucket`]).
//!
//! Readers take a [`Location`] and read only what they need: a head, a tail,
//! a range, or a stream through [`Location::open`]. On disk that is a file
//! handle; in a bucket each read is a range request, so a preview of a large
//! object never downloads it whole.

pub mod bucket;

use bucket::Object;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Where a file's bytes are.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A file on disk (a symlink's target when it was a symlink).
    Disk(PathBuf),
    /// An object in a bucket.
    Object(Object),
}

impl Location {
    /// A file on disk.
    pub fn disk(path: impl Into<PathBuf>) -> Self {
        Location::Disk(path.into())
    }

    /// The file on disk, if it is one.
    pub fn on_disk(&self) -> Option<&Path> {
        match self {
            Location::Disk(p) => Some(p),
            Location::Object(_) => None,
        }
    }

    /// What names these bytes and their version: the path on disk, or the
    /// object's URL and entity tag.
    pub fn identity(&self) -> String {
        match self {
            Location::Disk(p) => p.to_string_lossy().into_owned(),
            Location::Object(o) => format!("{} {}", o.shown(), o.etag.as_deref().unwrap_or("")),
        }
    }

    /// An object's entity tag when it is a digest of its bytes (a plain
    /// MD5, as a single upload gets), so equal tags mean equal bytes.
    fn digest(&self) -> Option<&str> {
        match self {
            Location::Object(o) => {
                o.etag.as_deref().map(|t| t.trim_matches('"')).filter(|t| t.len() == 32 && !t.contains('-'))
            }
            Location::Disk(_) => None,
        }
    }

    /// Opens the file for reading from its start; it can seek.
    pub fn open(&self) -> io::Result<Reader> {
        match self {
            Location::Disk(p) => File::open(p).map(Reader::File),
            Location::Object(o) => Ok(Reader::Object(o.reader())),
        }
    }

    /// Opens the file to read a short record at `start` (a parquet page's
    /// header, say): in a bucket, the first range fetched is `first` bytes.
    pub fn open_at(&self, start: u64, first: u64) -> io::Result<Reader> {
        let mut r = match self {
            Location::Disk(p) => Reader::File(File::open(p)?),
            Location::Object(o) => Reader::Object(o.reader_from_range(first)),
        };
        r.seek(SeekFrom::Start(start))?;
        Ok(r)
    }

    /// At most `limit` bytes from the start.
    pub fn read_head(&self, limit: u64) -> io::Result<Vec<u8>> {
        match self {
            Location::Disk(_) => {
                let mut buf = Vec::new();
                self.open()?.take(limit).read_to_end(&mut buf)?;
                Ok(buf)
            }
            Location::Object(o) => o.range(0, limit.min(o.size)),
        }
    }

    /// A file of `size` bytes, whole (at most `size` bytes, if it grew since):
    /// one read into a buffer of that size, one request in a bucket.
    pub fn read_all(&self, size: u64) -> io::Result<Vec<u8>> {
        match self {
            Location::Disk(_) => {
                let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                self.open()?.take(size).read_to_end(&mut buf)?;
                Ok(buf)
            }
            Location::Object(o) => o.range(0, size.min(o.size)),
        }
    }

    /// The last `n` bytes of a file of `size` bytes.
    pub fn read_tail(&self, size: u64, n: u64) -> io::Result<Vec<u8>> {
        self.read_range(size.saturating_sub(n), n.min(size))
    }

    /// `len` bytes from `start` (fewer at the end of the file).
    pub fn read_range(&self, start: u64, len: u64) -> io::Result<Vec<u8>> {
        match self {
            Location::Disk(_) => {
                let mut f = self.open()?;
                f.seek(SeekFrom::Start(start))?;
                let mut buf = Vec::new();
                f.take(len).read_to_end(&mut buf)?;
                Ok(buf)
            }
            Location::Object(o) => o.range(start, len.min(o.size.saturating_sub(start))),
        }
    }
}

/// Whether two files have the same bytes. Two objects whose entity tags
/// are content digests (a single upload's MD5, not a multipart tag) are
/// told apart by their tags; anything else is read in step. `size` is the
/// size both have, which bounds the buffers.
pub fn same_content(a: &Location, b: &Location, size: u64) -> io::Result<bool> {
    if let (Some(ta), Some(tb)) = (a.digest(), b.digest()) {
        return Ok(ta == tb);
    }
    let (mut fa, mut fb) = (a.open()?, b.open()?);
    let len = usize::try_from(size.saturating_add(1)).map_or(64 * 1024, |n| n.min(64 * 1024));
    let (mut ba, mut bb) = (vec![0u8; len], vec![0u8; len]);
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(fb.read(&mut bb)? == 0);
        }
        let mut got = 0;
        while got < n {
            let m = fb.read(&mut bb[got..n])?;
            if m == 0 {
                return Ok(false);
            }
            got += m;
        }
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// An open file: reads from disk, or range requests to a bucket.
pub enum Reader {
    /// A file on disk.
    File(File),
    /// An object, read in growing ranges as it is consumed.
    Object(bucket::RangeReader),
}

impl Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Reader::File(f) => f.read(buf),
            Reader::Object(o) => o.read(buf),
        }
    }
}

impl Seek for Reader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Reader::File(f) => f.seek(pos),
            Reader::Object(o) => o.seek(pos),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.bin");
        std::fs::write(&p, b"0123456789").unwrap();
        let at = Location::disk(&p);
        assert_eq!(at.read_head(4).unwrap(), b"0123");
        assert_eq!(at.read_tail(10, 3).unwrap(), b"789");
        assert_eq!(at.read_tail(10, 30).unwrap(), b"0123456789");
        assert_eq!(at.read_range(8, 5).unwrap(), b"89");
        let mut r = at.open().unwrap();
        r.seek(SeekFrom::Start(5)).unwrap();
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "56789");
    }
}
