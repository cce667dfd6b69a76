//! The build cache: what the last build wrote into the output, file by
//! file, so that the next build writes only the files whose bytes differ
//! and hard-links the others from the previous output into its staging
//! folder. The swap stays whole: the new site still replaces the old one in
//! one rename, and a killed build leaves the previous site.
//!
//! The record names the output it describes by the generator and the
//! fingerprint of its inputs, which together fix every byte of it (see
//! [`crate::output::fingerprint`]): a record of other inputs, of another
//! artsite, or one that does not parse is not used, and the build writes
//! every file. A file of the previous output is reused only while its size
//! and modification time are what the record says, so an output file edited
//! since is written again.
//!
//! The record also keeps what the site's pages were made from (a
//! [`SiteRecord`]): the next build compares it with its own inputs (see
//! [`crate::plan::select`]), renders only the pages whose inputs changed and
//! keeps the others from the previous output unrendered.

use super::staging::{Staging, Stamp};
use crate::diagnostics::Diagnostic;
use crate::input::source::Location;
use crate::plan::select::Old;
use anyhow::{Context, Result};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use xxhash_rust::xxh3::xxh3_64;

/// The cache folder used when `--cache` is not given: beside the output,
/// named after it (`.public.artsite-cache` for `public`).
pub fn default_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.artsite-cache"))
}

/// The record's file in a cache folder.
const RECORD: &str = "output.json";

/// One file the build wrote; recorded as `[len, hash, modified]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(u64, u64, i64)", into = "(u64, u64, i64)")]
pub struct Entry {
    /// Its size in bytes.
    pub len: u64,
    /// A page's: the hash of its bytes; a raw file's: the hash of what it
    /// was published from (the input's path or key, size and time or tag).
    pub hash: u64,
    /// Its modification time in the output, in whole seconds since the
    /// epoch: archives (a CI cache's tar) keep no finer time.
    pub modified: i64,
}

impl From<(u64, u64, i64)> for Entry {
    fn from((len, hash, modified): (u64, u64, i64)) -> Entry {
        Entry { len, hash, modified }
    }
}

impl From<Entry> for (u64, u64, i64) {
    fn from(e: Entry) -> (u64, u64, i64) {
        (e.len, e.hash, e.modified)
    }
}

/// What one build wrote.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// The generator that wrote the output.
    pub generator: String,
    /// The fingerprint of the inputs it was built from.
    pub fingerprint: String,
    /// Every file, by its path in the site.
    pub files: FxHashMap<String, Entry>,
    /// What the pages were made from, when the build kept it.
    #[serde(default)]
    pub site: Option<SiteRecord>,
}

/// What a build's pages were made from, for the next build to tell which
/// of them its changes touch.
#[derive(Debug, Serialize, Deserialize)]
pub struct SiteRecord {
    /// The fingerprint of what every page depends on (artsite, the theme,
    /// the config, the root's top; see [`super::fingerprint::Prints`]).
    pub global: String,
    /// Each version's fingerprint, by id.
    pub runs: HashMap<String, String>,
    /// What the site knew.
    pub old: Old,
    /// The problems each artifact page's preview found, by page path, for
    /// the pages that found any.
    pub warnings: HashMap<String, Vec<Diagnostic>>,
}

/// The record in `dir`, when it describes the output `stamp` marks.
pub fn load(dir: &Path, stamp: Option<&Stamp>) -> Option<Record> {
    let stamp = stamp?;
    let record: Record = serde_json::from_slice(&fs::read(dir.join(RECORD)).ok()?).ok()?;
    (record.fingerprint == stamp.fingerprint && record.generator == stamp.generator).then_some(record)
}

/// Writes `record` into `dir`, replacing the last one in one rename.
pub fn save(dir: &Path, record: &Record) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create the cache {}", dir.display()))?;
    let temp = dir.join(format!("{RECORD}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec(record).expect("a record serialises");
    fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    fs::rename(&temp, dir.join(RECORD)).with_context(|| format!("cannot write the cache in {}", dir.display()))
}

/// The previous output and the files of its record, and what this build
/// wrote so far.
pub struct Reuse {
    out: PathBuf,
    previous: FxHashMap<String, Entry>,
    wrote: Mutex<FxHashMap<String, Entry>>,
}

impl Reuse {
    /// Reuse of the output `out`, whose files are `previous` (those of its record).
    pub fn new(out: &Path, previous: FxHashMap<String, Entry>) -> Reuse {
        let wrote = FxHashMap::with_capacity_and_hasher(previous.len(), Default::default());
        Reuse { out: out.to_path_buf(), previous, wrote: Mutex::new(wrote) }
    }

    /// Links the previous output's `rel` into `staging` as it is, when it is
    /// untouched since the record was made. False when it is not there to keep.
    pub fn keep(&self, staging: &Staging, rel: &str) -> Result<bool> {
        match self.previous.get(rel) {
            Some(old) => self.link(staging, rel, old.len, old.hash),
            None => Ok(false),
        }
    }

    /// Writes the page `bytes` at `rel` into `staging`: a hard link to the
    /// previous output's file when that holds these very bytes.
    pub fn write(&self, staging: &Staging, rel: &str, bytes: &[u8]) -> Result<()> {
        let (len, hash) = (bytes.len() as u64, xxh3_64(bytes));
        if !self.link(staging, rel, len, hash)? {
            staging.write(rel, bytes)?;
            self.note(staging, rel, hash)?;
        }
        Ok(())
    }

    /// Publishes the input `from` at `rel` with `publish`, unless the previous
    /// output's file at `rel` was published from the same input unchanged.
    pub fn raw(
        &self,
        staging: &Staging,
        rel: &str,
        from: &Location,
        publish: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let Some(hash) = source_hash(from) else { return publish() };
        let len = match from {
            Location::Disk(p) => fs::metadata(p).map(|m| m.len()).unwrap_or(u64::MAX),
            Location::Object(o) => o.size,
        };
        if !self.link(staging, rel, len, hash)? {
            publish()?;
            self.note(staging, rel, hash)?;
        }
        Ok(())
    }

    /// Links the previous output's `rel` into `staging` when the record says
    /// it is `len` bytes hashing to `hash` and it is untouched since.
    fn link(&self, staging: &Staging, rel: &str, len: u64, hash: u64) -> Result<bool> {
        let Some(old) = self.previous.get(rel).filter(|e| e.len == len && e.hash == hash) else { return Ok(false) };
        let at = self.out.join(rel);
        let untouched =
            fs::symlink_metadata(&at).is_ok_and(|m| m.is_file() && m.len() == len && modified(&m) == old.modified);
        if !untouched || !staging.link(rel, &at)? {
            return Ok(false);
        }
        self.wrote.lock().unwrap_or_else(PoisonError::into_inner).insert(rel.to_string(), *old);
        Ok(true)
    }

    /// Records the file just written at `rel`.
    fn note(&self, staging: &Staging, rel: &str, hash: u64) -> Result<()> {
        let path = staging.dir().join(rel);
        let m = fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let entry = Entry { len: m.len(), hash, modified: modified(&m) };
        self.wrote.lock().unwrap_or_else(PoisonError::into_inner).insert(rel.to_string(), entry);
        Ok(())
    }

    /// The record of this build, marked with its `stamp`.
    pub fn record(self, stamp: &Stamp) -> Record {
        let files = self.wrote.into_inner().unwrap_or_else(PoisonError::into_inner);
        Record { generator: stamp.generator.clone(), fingerprint: stamp.fingerprint.clone(), files, site: None }
    }

    /// The previous output's files this build did not write nor keep.
    pub fn gone(&self) -> Vec<String> {
        let wrote = self.wrote.lock().unwrap_or_else(PoisonError::into_inner);
        self.previous.keys().filter(|rel| !wrote.contains_key(*rel)).cloned().collect()
    }

    /// Files linked from the previous output rather than written, so far.
    pub fn linked(&self) -> usize {
        let wrote = self.wrote.lock().unwrap_or_else(PoisonError::into_inner);
        wrote.iter().filter(|(rel, e)| self.previous.get(*rel) == Some(e)).count()
    }
}

/// A hash of what a raw file is published from: its path, size and time on
/// disk, or its object's key, size and entity tag. `None` when it cannot be
/// told (a file that cannot be read, an object without a tag).
fn source_hash(from: &Location) -> Option<u64> {
    let key = match from {
        Location::Disk(p) => {
            let m = fs::metadata(p).ok()?;
            let nanos = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
            format!("{}\0{}\0{nanos}", p.display(), m.len())
        }
        Location::Object(o) => format!("{}\0{}\0{}", from.identity(), o.size, o.etag.as_deref()?),
    };
    Some(xxh3_64(key.as_bytes()))
}

fn modified(m: &fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}
