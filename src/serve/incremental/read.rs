//! Step 1 of a rebuild: read what changed. The root's top level is listed
//! again (it is cheap), which finds added and removed versions; touched
//! versions are walked and read again, reusing the parsed JSON and previews
//! of their unchanged files; a full rebuild reads every version, from the
//! scan of [`pipeline::read`]. Then the new site is put together: unchanged
//! versions move over, read ones replace theirs.

use super::change::Change;
use crate::commands::pipeline;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::input::scan::{self, Alias, Scan, VersionDir};
use crate::input::source::bucket::Bucket;
use crate::load::{self, Loaded, Reuse};
use crate::model::{Site, Version};
use crate::plan::select::Old;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// What is kept per version between rebuilds.
pub(super) struct VersionState {
    /// Problems met while scanning and reading it.
    pub(super) problems: Vec<Diagnostic>,
    /// What its next read may reuse.
    pub(super) reuse: Reuse,
}

/// The top of the root and the versions read from it.
pub(super) struct Read {
    /// The artifacts root, canonicalised.
    pub(super) root: PathBuf,
    /// Every version folder's id.
    pub(super) present: HashSet<String>,
    /// Top-level aliases and problems.
    pub(super) aliases: Vec<Alias>,
    pub(super) problems: Vec<Diagnostic>,
    /// The versions read, with what their next read may reuse.
    pub(super) versions: Vec<(Loaded, VersionState)>,
    /// Whether every version was read (a full rebuild, or a root that moved).
    pub(super) full: bool,
}

/// Reads the versions `change` touched, or every version of `scan` (a full
/// rebuild); `known` are the ids the site had, `last_root` the root it
/// was read from, `bucket` the store it is in, if it is one. A root that
/// moved is read whole, reusing nothing.
pub(super) fn read(
    config: &Config,
    change: &Change,
    scan: Option<&mut Scan>,
    bucket: Option<&Arc<Bucket>>,
    known: &HashSet<String>,
    states: &HashMap<String, VersionState>,
    last_root: &std::path::Path,
) -> Result<Read> {
    let (root, aliases, problems, dirs) = match scan {
        Some(scan) => {
            let versions = std::mem::take(&mut scan.versions);
            let present = versions.iter().map(|v| v.id.clone()).collect();
            (scan.root.clone(), scan.aliases.clone(), scan.problems.clone(), Dirs::Scanned(versions, present))
        }
        None => {
            let top = match bucket {
                Some(bucket) => scan::bucket_top(bucket)?,
                None => scan::scan_top(&config.root)?,
            };
            if top.dirs.is_empty() {
                return Err(pipeline::no_versions(config));
            }
            (top.root, top.aliases, top.problems, Dirs::Listed(top.dirs, bucket))
        }
    };
    let full = matches!(dirs, Dirs::Scanned(..)) || root != last_root;
    let (present, to_walk) = dirs.split(&root, change, known, full);
    let no_reuse = HashMap::new();
    let states = if root == last_root { states } else { &no_reuse };
    let previews = crate::plan::previews(config);
    let versions = to_walk
        .into_par_iter()
        .map(|vd| {
            let id = vd.id.clone();
            let empty = Reuse::default();
            let reuse = states.get(&id).map_or(&empty, |s| &s.reuse);
            let changed = |rel: &str| change.touches(&id, rel);
            let (loaded, next) = load::load_reusing(vd, &previews, reuse, &changed);
            let problems = loaded.problems.clone();
            (loaded, VersionState { problems, reuse: next })
        })
        .collect();
    Ok(Read { root, present, aliases, problems, versions, full })
}

/// The version folders of a root: already walked (a full rebuild) or only
/// listed, on disk or in a bucket.
enum Dirs<'a> {
    Scanned(Vec<VersionDir>, HashSet<String>),
    Listed(Vec<(String, PathBuf)>, Option<&'a Arc<Bucket>>),
}

impl Dirs<'_> {
    /// Every id present, and the versions to read: all of a scan, else the
    /// listed ones that are new or touched by `change` (all when `all`), walked now.
    fn split(
        self,
        root: &std::path::Path,
        change: &Change,
        known: &HashSet<String>,
        all: bool,
    ) -> (HashSet<String>, Vec<VersionDir>) {
        match self {
            Dirs::Scanned(versions, present) => (present, versions),
            Dirs::Listed(dirs, bucket) => {
                let present = dirs.iter().map(|(id, _)| id.clone()).collect();
                let walk: Vec<VersionDir> = dirs
                    .into_par_iter()
                    .filter(|(id, _)| all || !known.contains(id) || change.versions.contains_key(id))
                    .map(|(id, dir)| match bucket {
                        Some(bucket) => scan::scan_bucket_version(bucket, id),
                        None => scan::scan_version(root, id, dir),
                    })
                    .collect();
                (present, walk)
            }
        }
    }
}

/// The new site from `old_site` and what was `read`: unchanged versions move
/// over, read ones replace theirs, and every version's problems (from
/// `states`, updated with the read ones) are counted again. Returns the site
/// before attaching and judging, what the old one knew, and the ids read.
pub(super) fn assemble(
    old_site: Site,
    read: Read,
    states: &mut HashMap<String, VersionState>,
) -> (Site, Old, HashSet<String>) {
    let Read { present, aliases, problems: top_problems, versions: read, .. } = read;
    let replaced: HashSet<String> = read.iter().map(|(l, _)| l.version.id.clone()).collect();
    let kept = |v: &Version| present.contains(&v.id) && !replaced.contains(&v.id);
    let old = Old::of(&old_site, |v| !kept(v));
    let mut versions: Vec<Version> = old_site.versions.into_iter().filter(|v| kept(v)).collect();
    states.retain(|id, _| present.contains(id));
    for (loaded, state) in read {
        states.insert(loaded.version.id.clone(), state);
        versions.push(loaded.version);
    }
    let mut problems = top_problems;
    for s in states.values() {
        problems.extend(s.problems.iter().cloned());
    }
    (load::assemble(versions, problems, aliases), old, replaced)
}
