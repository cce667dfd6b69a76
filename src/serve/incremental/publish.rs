//! Steps 3 and 4 of a rebuild: render the selected pages and the site files
//! that are out of date into memory, then merge them into the next snapshot,
//! noting which paths' bytes changed.

use super::change::Change;
use crate::config::Config;
use crate::input::source::Location;
use crate::model::Site;
use crate::output::sink::Sink;
use crate::output::site_files;
use crate::plan::select::{Identity, Old, Selection};
use crate::plan::{self, Page};
use crate::render::{self, Renderer};
use crate::serve::store::{Bytes, Memory, Snapshot};
use anyhow::Result;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// What a rebuild rendered, before it is merged into the snapshot.
pub(super) struct Rendered {
    /// Generated files by site path.
    pub(super) files: HashMap<String, Bytes>,
    /// Raw files by site path, from the versions whose raw files were listed again.
    pub(super) raw: HashMap<String, Location>,
    /// Versions (new index) whose raw files were listed again.
    pub(super) raw_versions: Vec<usize>,
    /// Whether the site-level files were written again.
    pub(super) shared: bool,
    /// Pages rendered.
    pub(super) pages: usize,
}

/// Renders `pages`, then the site-level files when out of date, the
/// `summary.json` of every version rendered or read, and lists the raw files
/// of every version read or moved.
pub(super) fn render(
    renderer: &Renderer,
    config: &Config,
    site: &Site,
    sel: &Selection,
    old: &Old,
    replaced: &HashSet<String>,
    pages: &[Page],
) -> Result<Rendered> {
    let memory = Memory::default();
    // Previews were made while reading, and their warnings counted then.
    let made = render::render_pages(renderer, config, site, pages, &memory, false)?;
    debug_assert!(made.iter().all(Vec::is_empty), "serve reads every preview before rendering");
    let shared = sel.all || sel.shared;
    if shared {
        let all_pages = if config.base_url.is_some() { plan::plan(site) } else { Vec::new() };
        site_files::write_shared(config, &renderer.theme, site, &all_pages, &memory)?;
    }
    let every = || (0..site.versions.len()).collect::<Vec<_>>();
    let read_again = |i: usize| replaced.contains(&site.versions[i].id);
    let version_files: BTreeSet<usize> = if sel.all {
        every().into_iter().collect()
    } else {
        let judged = sel.judged.iter().copied();
        sel.whole.iter().copied().chain(judged).chain((0..site.versions.len()).filter(|&i| read_again(i))).collect()
    };
    for &vi in &version_files {
        site_files::write_version(&site.versions[vi], &memory)?;
    }
    let moved = |i: usize| old.identity.get(i).is_none_or(|o: &Identity| o.slug != site.versions[i].slug);
    let raw_versions: Vec<usize> =
        if sel.all { every() } else { (0..site.versions.len()).filter(|&i| read_again(i) || moved(i)).collect() };
    let raw_memory = Memory::default();
    for v in raw_versions.iter().map(|&vi| &site.versions[vi]).filter(|v| v.raw_url.is_none()) {
        for f in &v.files {
            raw_memory.raw(&plan::file(v, &f.rel), &f.at)?;
        }
    }
    let (files, _) = memory.into_parts();
    let (_, raw) = raw_memory.into_parts();
    Ok(Rendered { files, raw, raw_versions, shared, pages: pages.len() })
}

/// The next snapshot: `current` with `rendered` merged in (paths no longer
/// produced dropped), and the sorted paths whose bytes changed. `shared`
/// holds the site-level paths of the last write of them, and is updated.
pub(super) fn merge(
    current: &Snapshot,
    site: &Site,
    sel: &Selection,
    change: &Change,
    rendered: Rendered,
    shared: &mut HashSet<String>,
) -> (Snapshot, Vec<String>) {
    let Rendered { files, raw, raw_versions, shared: wrote_shared, .. } = rendered;
    let mut next = current.clone();
    next.build += 1;
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let slugs: HashSet<String> = site.versions.iter().map(|v| format!("v/{}", v.slug)).collect();
    for path in stale(&next, site, sel, &slugs, &files, wrote_shared.then_some(&*shared)) {
        next.files.remove(&path);
        next.changed_at.remove(&path);
        changed.insert(path);
    }
    if wrote_shared {
        *shared = files.keys().filter(|p| site_files::is_shared(p)).cloned().collect();
    }
    for (path, bytes) in files {
        let same = next.files.get(&path).is_some_and(|old: &Bytes| **old == *bytes);
        if !same {
            next.changed_at.insert(path.clone(), next.build);
            next.files.insert(path.clone(), bytes);
            changed.insert(path);
        }
    }
    merge_raw(&mut next, site, &slugs, &raw_versions, raw, &mut changed);
    // Raw files whose content changed in place.
    for v in site.versions.iter().filter(|v| v.raw_url.is_none() && change.versions.contains_key(&v.id)) {
        for f in v.files.iter().filter(|f| change.touches(&v.id, &f.rel)) {
            let path = plan::file(v, &f.rel);
            next.changed_at.insert(path.clone(), next.build);
            changed.insert(path);
        }
    }
    (next, changed.into_iter().collect())
}

/// Generated paths of `next` that this rebuild no longer produces: those of
/// versions gone, those missing from versions rendered whole, and (when the
/// site files were written, their last paths given) site files no longer written.
fn stale(
    next: &Snapshot,
    site: &Site,
    sel: &Selection,
    slugs: &HashSet<String>,
    files: &HashMap<String, Bytes>,
    last_shared: Option<&HashSet<String>>,
) -> Vec<String> {
    let mut whole: HashSet<String> = sel.whole.iter().map(|&vi| format!("v/{}", site.versions[vi].slug)).collect();
    if sel.all {
        whole.extend(slugs.iter().cloned());
    }
    let mut stale = Vec::new();
    for shard in next.files.shard_names() {
        if !shard.is_empty() && !slugs.contains(&shard) {
            stale.extend(next.files.paths_in(&shard));
        } else if whole.contains(&shard) {
            stale.extend(next.files.paths_in(&shard).into_iter().filter(|p| !files.contains_key(p)));
        }
    }
    if sel.all {
        stale.extend(next.files.paths_in("").into_iter().filter(|p| !files.contains_key(p)));
    } else if let Some(last) = last_shared {
        stale.extend(last.iter().filter(|p| !files.contains_key(*p)).cloned());
    }
    stale
}

/// Replaces the raw entries of every version listed again in `raw_versions`
/// (and drops those of versions gone), noting the paths that changed.
fn merge_raw(
    next: &mut Snapshot,
    site: &Site,
    slugs: &HashSet<String>,
    raw_versions: &[usize],
    raw: HashMap<String, Location>,
    changed: &mut BTreeSet<String>,
) {
    let raw_shards: HashSet<String> = raw_versions.iter().map(|&vi| format!("v/{}", site.versions[vi].slug)).collect();
    for shard in next.raw.shard_names() {
        if !slugs.contains(&shard) || raw_shards.contains(&shard) {
            for path in next.raw.paths_in(&shard) {
                if !raw.contains_key(&path) {
                    next.raw.remove(&path);
                    changed.insert(path);
                }
            }
        }
    }
    for (path, from) in raw {
        if next.raw.get(&path) != Some(&from) {
            changed.insert(path.clone());
        }
        next.raw.insert(path, from);
    }
}

/// Symlinked files of `site`, so a change to their target reaches the versions using them.
pub(super) fn linked(site: &Site) -> HashMap<PathBuf, Vec<(String, String)>> {
    let mut linked: HashMap<PathBuf, Vec<(String, String)>> = HashMap::new();
    for v in &site.versions {
        for (f, path) in v.files.iter().filter_map(|f| Some((f, f.at.on_disk()?))) {
            if !path.starts_with(&v.dir) {
                linked.entry(path.to_path_buf()).or_default().push((v.id.clone(), f.rel.clone()));
            }
        }
    }
    linked
}
