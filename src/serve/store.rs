//! The site as `serve` holds it: generated files in memory, raw files as a
//! map to their place on disk, and when each path last changed.
//!
//! A [`Snapshot`] is immutable once published; the rebuild thread makes the
//! next one from the last. Maps are split into shards (one per version,
//! `v/{slug}`, and one for everything else) behind `Arc`s, so the next
//! snapshot shares every shard a rebuild did not touch and copying one costs
//! a few dozen pointer copies, not 20,000 entries.

use crate::input::source::Location;
use crate::output::sink::Sink;
use anyhow::Result;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes of a generated file, shared between snapshots.
pub type Bytes = Arc<Vec<u8>>;

/// The shard a site path belongs to: `v/{slug}` for a version's files, `""`
/// for the rest.
pub fn shard_of(path: &str) -> &str {
    match path.strip_prefix("v/").and_then(|rest| rest.find('/')) {
        Some(i) => &path[..2 + i],
        None => "",
    }
}

/// A map from site path to `T`, sharded by version.
#[derive(Debug)]
pub struct Sharded<T> {
    shards: HashMap<String, Arc<HashMap<String, T>>>,
}

impl<T> Default for Sharded<T> {
    fn default() -> Self {
        Sharded { shards: HashMap::new() }
    }
}

impl<T> Clone for Sharded<T> {
    fn clone(&self) -> Self {
        Sharded { shards: self.shards.clone() }
    }
}

impl<T: Clone> Sharded<T> {
    /// The value at `path`.
    pub fn get(&self, path: &str) -> Option<&T> {
        self.shards.get(shard_of(path))?.get(path)
    }

    /// Sets `path`, returning the value it replaced.
    pub fn insert(&mut self, path: String, value: T) -> Option<T> {
        let shard = self.shards.entry(shard_of(&path).to_string()).or_default();
        Arc::make_mut(shard).insert(path, value)
    }

    /// Removes `path`, returning its value.
    pub fn remove(&mut self, path: &str) -> Option<T> {
        let key = shard_of(path);
        let shard = self.shards.get_mut(key)?;
        let old = Arc::make_mut(shard).remove(path);
        if shard.is_empty() {
            self.shards.remove(key);
        }
        old
    }

    /// Every path of one shard.
    pub fn paths_in(&self, shard: &str) -> Vec<String> {
        self.shards.get(shard).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    }

    /// Every shard name.
    pub fn shard_names(&self) -> Vec<String> {
        self.shards.keys().cloned().collect()
    }

    /// Every (path, value), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &T)> {
        self.shards.values().flat_map(|m| m.iter())
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.shards.values().map(|m| m.len()).sum()
    }

    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }
}

/// One consistent state of the served site.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Generated pages and files, by site path.
    pub files: Sharded<Bytes>,
    /// Raw files: site path → the input file, streamed from disk on request.
    pub raw: Sharded<Location>,
    /// Site path → the build in which its bytes last changed.
    pub changed_at: Sharded<u64>,
    /// The artifacts root, canonical: raw files are served only from inside it.
    pub root: PathBuf,
    /// Number of the build that made this snapshot, from 1.
    pub build: u64,
}

/// A [`Sink`] that keeps what a render writes, for the rebuild to merge into
/// the next snapshot. Raw files are only noted, never copied.
#[derive(Default)]
pub struct Memory {
    files: Mutex<HashMap<String, Bytes>>,
    raw: Mutex<HashMap<String, Location>>,
}

impl Memory {
    /// What was written: (generated files, raw files).
    pub fn into_parts(self) -> (HashMap<String, Bytes>, HashMap<String, Location>) {
        let files = self.files.into_inner().unwrap_or_else(PoisonError::into_inner);
        let raw = self.raw.into_inner().unwrap_or_else(PoisonError::into_inner);
        (files, raw)
    }
}

impl Sink for Memory {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let bytes = Arc::new(bytes.to_vec());
        self.files.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_string(), bytes);
        Ok(())
    }

    fn raw(&self, path: &str, from: &Location) -> Result<()> {
        self.raw.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_string(), from.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_by_version() {
        assert_eq!(shard_of("v/2024/index.html"), "v/2024");
        assert_eq!(shard_of("v/2024/a/x/index.html"), "v/2024");
        assert_eq!(shard_of("index.html"), "");
        assert_eq!(shard_of("v/summary"), "");
        let mut a: Sharded<u32> = Sharded::default();
        a.insert("v/x/index.html".into(), 1);
        a.insert("index.html".into(), 2);
        let b = a.clone();
        a.insert("v/x/index.html".into(), 3);
        assert_eq!(b.get("v/x/index.html"), Some(&1), "a published snapshot never changes");
        assert_eq!(a.get("v/x/index.html"), Some(&3));
        assert_eq!(a.remove("v/x/index.html"), Some(3));
        assert_eq!(a.len(), 1);
        assert!(a.paths_in("v/x").is_empty());
    }
}
