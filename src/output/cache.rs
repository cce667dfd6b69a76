//! The build cache: what the last build wrote into the output, file by
//! file, so that the next build writes only the files whose bytes differ
//! and hard-links the others from the previous output into its staging
//! folder (or, updating the output in place, leaves them where they are).
//!
//! The record names the output it describes by the generator and the
//! fingerprint of its inputs, which together fix every byte of it (see
//! [`crate::output::fingerprint`]): a record of other inputs, of another
//! artsite, or one that does not parse is not used, and the build writes
//! every file. A file of the previous output is reused only while its size
//! and modification time are what the record says, so an output file edited
//! since is written again.
//!
//! Each run's files are recorded in a part of their own, so that a build
//! that leaves a run alone reads and writes nothing of it: such a run is
//! kept whole, checked by its summary page alone (see [`Reuse::sealed`]).
//!
//! The record also keeps what the site's pages were made from (a
//! [`SiteRecord`], and each run's [`VersionDigest`] in its part): the next
//! build compares it with its own inputs (see [`crate::plan::select`]),
//! renders only the pages whose inputs changed and keeps the others from
//! the previous output unrendered.
//!
//! Beside the record, the cache keeps each run's model (see [`Models`]), so
//! that the next build reads only the runs whose files changed.

use super::staging::{Staging, Stamp};
use crate::diagnostics::Diagnostic;
use crate::input::source::Location;
use crate::model::Site;
use crate::plan::select::{Old, VersionDigest};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// The cache folder used when `--cache` is not given: beside the output,
/// named after it (`.public.artsite-cache` for `public`).
pub fn default_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.artsite-cache"))
}

/// The record's file in a cache folder.
const RECORD: &str = "output.json";

/// The folder of the runs' parts of the record, in a cache folder.
const PARTS: &str = "runs";

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

impl Entry {
    /// An entry no file matches: of a file whose record was lost, which is
    /// written again, or removed when the site no longer has it.
    const UNKNOWN: Entry = Entry { len: u64::MAX, hash: 0, modified: i64::MIN };
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

/// What one build wrote: the site-level files here, each run's files in
/// its own part (under `runs/`), which a build that leaves the run alone
/// neither reads nor writes.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// The generator that wrote the output.
    pub generator: String,
    /// The fingerprint of the inputs it was built from.
    pub fingerprint: String,
    /// Every file outside the runs' folders (`v/{slug}/`), by its path in the site.
    pub files: FxHashMap<String, Entry>,
    /// Where each run's part of the record is, by run id.
    #[serde(default)]
    pub runs: FxHashMap<String, RunRef>,
    /// What the pages were made from, when the build kept it.
    #[serde(default)]
    pub site: Option<SiteRecord>,
}

/// Where a run's part of the record is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRef {
    /// The run's path segment: its files are under `v/{slug}/`.
    pub slug: String,
    /// The part's file in `runs/`, named after the hash of its bytes.
    pub part: String,
    /// How many files the run has in the output.
    pub files: usize,
    /// The run's summary page as written: a build keeps a run it leaves
    /// alone whole, unchecked, while this page is as written.
    pub seal: Option<Entry>,
}

/// A run's part of the record.
#[derive(Serialize, Deserialize)]
struct Part {
    /// Each file, by its path under `v/{slug}/`.
    files: Vec<(String, Entry)>,
    /// What the run's pages were made of.
    digest: VersionDigest,
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
    /// What the site knew; the versions' digests are in their parts.
    pub old: Old,
    /// The problems each artifact page's preview found, by page path, for
    /// the pages that found any.
    pub warnings: HashMap<String, Vec<Diagnostic>>,
}

/// The record in `dir`, when it describes the output `stamp` marks and
/// every part it names is there.
pub fn load(dir: &Path, stamp: Option<&Stamp>) -> Option<Record> {
    let stamp = stamp?;
    let record: Record = serde_json::from_slice(&fs::read(dir.join(RECORD)).ok()?).ok()?;
    let whole = record.runs.values().all(|r| dir.join(PARTS).join(&r.part).is_file());
    (record.fingerprint == stamp.fingerprint && record.generator == stamp.generator && whole).then_some(record)
}

/// Writes `record` and the new `parts` into `dir`: the parts first, then
/// the record, replacing the last one in one rename; then removes the
/// parts no record names any more.
pub fn save(dir: &Path, record: &Record, parts: &[(String, Vec<u8>)]) -> Result<()> {
    let part_dir = dir.join(PARTS);
    fs::create_dir_all(&part_dir).with_context(|| format!("cannot create the cache {}", part_dir.display()))?;
    for (name, bytes) in parts {
        let to = part_dir.join(name);
        if !to.is_file() {
            replace(&to, bytes).with_context(|| format!("cannot write {}", to.display()))?;
        }
    }
    let bytes = serde_json::to_vec(record).expect("a record serialises");
    replace(&dir.join(RECORD), &bytes).with_context(|| format!("cannot write the cache in {}", dir.display()))?;
    remove_unnamed(&part_dir, &record.runs.values().map(|r| r.part.as_str()).collect());
    Ok(())
}

/// Writes `bytes` to `to` through a temporary file renamed over it, so
/// that `to` is never half written; the temporary file goes on failure.
fn replace(to: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = to.with_extension(format!("{}.tmp", std::process::id()));
    let written = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, to));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Removes every file of `dir` whose name is not in `named`.
fn remove_unnamed(dir: &Path, named: &HashSet<&str>) {
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        if !named.contains(e.file_name().to_string_lossy().as_ref()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// The folder of the runs' models, in a cache folder.
const MODELS: &str = "models";

/// The runs' models a cache folder keeps (see [`crate::load::stored`]),
/// each in a file named after what it was read from: what every page
/// depends on, the run's id and the fingerprint of its files. A model is
/// read back only under its own name, so it is never of other inputs.
pub struct Models {
    dir: PathBuf,
    /// Each run's file name, by id.
    names: HashMap<String, String>,
}

impl Models {
    /// The models in the cache folder `cache` of a build whose global
    /// fingerprint is `global` and whose runs have the fingerprints `runs`.
    pub fn new(cache: &Path, global: &str, runs: &[(String, String)]) -> Models {
        let names = runs
            .iter()
            .map(|(id, print)| {
                let key = crate::util::digest::Fields::new().text(global).text(id).text(print).digest();
                (id.clone(), format!("{key:016x}.bin"))
            })
            .collect();
        Models { dir: cache.join(MODELS), names }
    }

    /// The bytes kept of run `id`, when there are any for its files as they are.
    pub fn read(&self, id: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.join(self.names.get(id)?)).ok()
    }

    /// Keeps `bytes` as run `id`'s model. A model that cannot be written is
    /// left out: the next build reads the run's files instead.
    pub fn write(&self, id: &str, bytes: &[u8]) {
        if let Some(name) = self.names.get(id) {
            let _ = fs::create_dir_all(&self.dir).and_then(|()| replace(&self.dir.join(name), bytes));
        }
    }

    /// Removes every file of the folder but this build's runs' models:
    /// those of runs gone or changed, and any a killed build left half written.
    pub fn tidy(&self) {
        remove_unnamed(&self.dir, &self.names.values().map(String::as_str).collect());
    }
}

/// The previous output and the files of its record, and what this build
/// wrote so far. A run of the record stays *closed* until the build opens
/// it: a closed run is kept whole, its files unread and unchecked; the
/// build opens every run whose files it may write or remove.
pub struct Reuse {
    out: PathBuf,
    cache: PathBuf,
    previous: RwLock<FxHashMap<String, Entry>>,
    /// The record's runs, by id.
    runs: FxHashMap<String, RunRef>,
    /// The closed runs' ids, by slug.
    closed: RwLock<FxHashMap<String, String>>,
    wrote: Mutex<FxHashMap<String, Entry>>,
}

impl Reuse {
    /// Reuse of the output `out`, of whose `record` (read from the cache
    /// folder `cache`) the site-level files are known and every run closed.
    pub fn new(out: &Path, cache: &Path, record: Option<Record>) -> Reuse {
        let Record { files, runs, .. } = record.unwrap_or_default();
        let closed = runs.iter().map(|(id, r)| (r.slug.clone(), id.clone())).collect();
        let wrote = FxHashMap::with_capacity_and_hasher(files.len(), Default::default());
        Reuse {
            out: out.to_path_buf(),
            cache: cache.to_path_buf(),
            previous: RwLock::new(files),
            runs,
            closed: RwLock::new(closed),
            wrote: Mutex::new(wrote),
        }
    }

    /// Whether the record has run `id`, with its summary page as written.
    pub fn sealed(&self, id: &str) -> bool {
        let Some(seal) = self.runs.get(id).and_then(|r| r.seal.as_ref().map(|s| (r, s))) else { return false };
        let at = self.out.join(format!("v/{}/index.html", seal.0.slug));
        fs::symlink_metadata(at).is_ok_and(|m| m.is_file() && m.len() == seal.1.len && modified(&m) == seal.1.modified)
    }

    /// Opens the closed runs among `ids`: reads their parts of the record,
    /// so that their files are checked one by one, and returns what their
    /// pages were made of. A part that cannot be read leaves every file in
    /// the run's folder unknown: written again, or removed.
    pub fn open<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> HashMap<String, VersionDigest> {
        let ids: Vec<&str> = {
            let closed = self.closed.read().unwrap_or_else(PoisonError::into_inner);
            ids.into_iter().filter(|id| self.runs.get(*id).is_some_and(|r| closed.contains_key(&r.slug))).collect()
        };
        let read: Vec<Opened> = ids
            .par_iter()
            .map(|id| {
                let run = &self.runs[*id];
                let prefix = format!("v/{}/", run.slug);
                let (files, digest) = match read_part(&self.cache, run) {
                    Some(part) => (part.files, Some(part.digest)),
                    None => (files_in(&self.out, &prefix), None),
                };
                let files = files.into_iter().map(|(rel, e)| (format!("{prefix}{rel}"), e)).collect();
                Opened { id: id.to_string(), files, digest }
            })
            .collect();
        let mut previous = self.previous.write().unwrap_or_else(PoisonError::into_inner);
        let mut closed = self.closed.write().unwrap_or_else(PoisonError::into_inner);
        let mut digests = HashMap::new();
        for Opened { id, files, digest } in read {
            closed.remove(&self.runs[&id].slug);
            previous.extend(files);
            digests.extend(digest.map(|d| (id, d)));
        }
        digests
    }

    /// Opens every run of the record.
    pub fn open_all(&self) -> HashMap<String, VersionDigest> {
        let ids: Vec<String> = self.runs.keys().cloned().collect();
        self.open(ids.iter().map(String::as_str))
    }

    /// Whether `rel` is in the folder of a closed run.
    fn in_closed_run(&self, rel: &str) -> bool {
        let Some(slug) = rel.strip_prefix("v/").and_then(|r| r.split('/').next()) else { return false };
        self.closed.read().unwrap_or_else(PoisonError::into_inner).contains_key(slug)
    }

    /// Links the previous output's `rel` into `staging` as it is, when it is
    /// untouched since the record was made (or its run is closed). False
    /// when it is not there to keep.
    pub fn keep(&self, staging: &Staging, rel: &str) -> Result<bool> {
        if self.in_closed_run(rel) {
            return Ok(true);
        }
        let old = self.previous.read().unwrap_or_else(PoisonError::into_inner).get(rel).copied();
        match old {
            Some(old) => self.link(staging, rel, old.len, old.hash),
            None => Ok(false),
        }
    }

    /// Writes the page `bytes` at `rel` into `staging`: a hard link to the
    /// previous output's file when that holds these very bytes.
    pub fn write(&self, staging: &Staging, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_parts(staging, rel, &[bytes])
    }

    /// Writes the file made of `parts` at `rel` as [`Reuse::write`] writes one.
    pub fn write_parts(&self, staging: &Staging, rel: &str, parts: &[&[u8]]) -> Result<()> {
        self.refuse_closed(rel)?;
        let mut hasher = Xxh3::new();
        parts.iter().for_each(|part| hasher.update(part));
        let (len, hash) = (parts.iter().map(|part| part.len() as u64).sum(), hasher.digest());
        if !self.link(staging, rel, len, hash)? {
            staging.write_parts(rel, parts)?;
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
        self.refuse_closed(rel)?;
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

    /// A closed run is kept whole: a file written into it would be lost
    /// from the record.
    fn refuse_closed(&self, rel: &str) -> Result<()> {
        if self.in_closed_run(rel) {
            anyhow::bail!("{rel} was written, but the build cache kept its run whole");
        }
        Ok(())
    }

    /// Links the previous output's `rel` into `staging` when the record says
    /// it is `len` bytes hashing to `hash` and it is untouched since.
    fn link(&self, staging: &Staging, rel: &str, len: u64, hash: u64) -> Result<bool> {
        let old = self.previous.read().unwrap_or_else(PoisonError::into_inner).get(rel).copied();
        let Some(old) = old.filter(|e| e.len == len && e.hash == hash) else { return Ok(false) };
        let at = self.out.join(rel);
        let untouched =
            fs::symlink_metadata(&at).is_ok_and(|m| m.is_file() && m.len() == len && modified(&m) == old.modified);
        if !untouched || !staging.link(rel, &at)? {
            return Ok(false);
        }
        self.wrote.lock().unwrap_or_else(PoisonError::into_inner).insert(rel.to_string(), old);
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

    /// The record of this build of `site`, marked with its `stamp`, and the
    /// parts to save with it: a new one for each run opened or new, the
    /// previous one for each run kept closed.
    pub fn record(self, stamp: &Stamp, site: &Site) -> (Record, Vec<(String, Vec<u8>)>) {
        let mut files = self.wrote.into_inner().unwrap_or_else(PoisonError::into_inner);
        let closed = self.closed.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut runs = FxHashMap::default();
        let mut parts = Vec::new();
        let mut owned: FxHashMap<&str, Vec<(String, Entry)>> = site
            .versions
            .iter()
            .filter(|v| !closed.contains_key(&v.slug))
            .map(|v| (v.slug.as_str(), Vec::new()))
            .collect();
        files.retain(|path, entry| {
            let Some((slug, rel)) = path.strip_prefix("v/").and_then(|p| p.split_once('/')) else { return true };
            match owned.get_mut(slug) {
                Some(list) => list.push((rel.to_string(), *entry)),
                None => return true,
            }
            false
        });
        for v in &site.versions {
            if closed.contains_key(&v.slug) {
                runs.extend(self.runs.get(&v.id).map(|r| (v.id.clone(), r.clone())));
                continue;
            }
            let mut list = owned.remove(v.slug.as_str()).unwrap_or_default();
            list.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let seal = list.iter().find(|(rel, _)| rel == "index.html").map(|(_, e)| *e);
            let files = list.len();
            let bytes =
                serde_json::to_vec(&Part { files: list, digest: VersionDigest::of(v) }).expect("a part serialises");
            let part = format!("{:016x}.json", xxh3_64(&bytes));
            runs.insert(v.id.clone(), RunRef { slug: v.slug.clone(), part: part.clone(), files, seal });
            parts.push((part, bytes));
        }
        let record = Record {
            generator: stamp.generator.clone(),
            fingerprint: stamp.fingerprint.clone(),
            files,
            runs,
            site: None,
        };
        (record, parts)
    }

    /// The previous output's files this build did not write nor keep, in
    /// the site-level files and the runs opened.
    pub fn gone(&self) -> Vec<String> {
        let wrote = self.wrote.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = self.previous.read().unwrap_or_else(PoisonError::into_inner);
        previous.keys().filter(|rel| !wrote.contains_key(*rel)).cloned().collect()
    }

    /// Files kept from the previous output rather than written, so far:
    /// linked or left in place one by one, or in a run kept whole.
    pub fn linked(&self) -> usize {
        let wrote = self.wrote.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = self.previous.read().unwrap_or_else(PoisonError::into_inner);
        let closed = self.closed.read().unwrap_or_else(PoisonError::into_inner);
        let whole: usize = closed.values().map(|id| self.runs[id].files).sum();
        whole + wrote.iter().filter(|(rel, e)| previous.get(*rel) == Some(e)).count()
    }
}

/// A run's part of the record, read: its files by their paths in the site,
/// and its digest unless the part was lost.
struct Opened {
    id: String,
    files: Vec<(String, Entry)>,
    digest: Option<VersionDigest>,
}

/// The part of the record `run` names, when its bytes are the ones it was
/// named after.
fn read_part(cache: &Path, run: &RunRef) -> Option<Part> {
    let bytes = fs::read(cache.join(PARTS).join(&run.part)).ok()?;
    (format!("{:016x}.json", xxh3_64(&bytes)) == run.part).then(|| serde_json::from_slice(&bytes).ok())?
}

/// Every file under `prefix` in the output `out`, by its path under it, unknown.
fn files_in(out: &Path, prefix: &str) -> Vec<(String, Entry)> {
    let top = out.join(prefix);
    walkdir::WalkDir::new(&top)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(&top).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
        .map(|rel| (rel, Entry::UNKNOWN))
        .collect()
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
