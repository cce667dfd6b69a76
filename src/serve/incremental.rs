//! Incremental rebuilds: the site stays loaded; a change re-reads only the
//! versions it touched and re-renders only the pages whose inputs changed.
//!
//! A rebuild runs in four steps:
//! 1. **Read.** The root's top level is listed again (it is cheap), which
//!    finds added and removed versions. Touched versions are walked and read
//!    again, reusing the parsed JSON and previews of their unchanged files.
//! 2. **Select.** The old and new site are compared to find the pages whose
//!    inputs changed (see [`Engine::select`]). A version whose *structure*
//!    (what other pages link to: artifacts, stages, ETL files, reports) is
//!    unchanged re-renders only its summary-level pages and the pages of the
//!    artifacts and ETL files that differ; otherwise all its pages, plus the
//!    pages in other versions that link to what appeared or vanished.
//! 3. **Render** the selection into memory, with the site-level pages and,
//!    when their inputs changed, the site-level files.
//! 4. **Publish** a new [`Snapshot`], noting which paths' bytes changed.
//!
//! A config, template or theme change re-reads and re-renders everything
//! (`full`). The result always equals a clean build byte for byte; the tests
//! check that after scripted edits.

use super::store::{Bytes, Memory, Snapshot};
use crate::commands::build::{self, Options};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::input::preview::PreviewConfig;
use crate::input::scan;
use crate::judge::Verdict;
use crate::load::{self, Reuse};
use crate::model::{Site, Version};
use crate::plan::{self, Page, PageKind};
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// How many versions before and after a page's own its version switcher
/// lists (as `context` does).
const SPAN: usize = 5;

/// What changed on disk since the last rebuild.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Read and render everything again: the config, a template or the theme
    /// changed, or file events were lost.
    pub full: bool,
    /// Version folder name → changed paths inside it, `/`-separated (`""`:
    /// the folder itself, so every file).
    pub versions: BTreeMap<String, BTreeSet<String>>,
}

impl Change {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.full && self.versions.is_empty()
    }

    /// Adds `other` to this change.
    pub fn merge(&mut self, other: Change) {
        self.full |= other.full;
        for (id, rels) in other.versions {
            self.versions.entry(id).or_default().extend(rels);
        }
    }

    fn touches(&self, id: &str, rel: &str) -> bool {
        self.versions.get(id).is_some_and(|rels| {
            rels.iter()
                .any(|c| c.is_empty() || rel == c || (rel.starts_with(c.as_str()) && rel[c.len()..].starts_with('/')))
        })
    }
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Number of the build, from 1.
    pub build: u64,
    /// Site paths whose bytes changed, appeared or went away, sorted.
    pub changed: Vec<String>,
    /// Pages rendered.
    pub rendered: usize,
    /// Versions read from disk.
    pub read: usize,
    /// Whether everything was read and rendered again.
    pub full: bool,
    /// Wall time of the rebuild.
    pub seconds: f64,
    /// Wall time of each step, in order.
    pub steps: Vec<(&'static str, f64)>,
}

/// Reads the config again for a full rebuild (the file may have changed).
pub type ConfigSource = Box<dyn Fn() -> Result<Config> + Send>;

/// What is kept per version between rebuilds.
struct VersionState {
    /// Problems met while scanning and reading it.
    problems: Vec<Diagnostic>,
    /// What its next read may reuse.
    reuse: Reuse,
}

/// The loaded site, its rendered files, and what it takes to update them.
pub struct Engine {
    source: ConfigSource,
    config: Config,
    renderer: build::Renderer,
    site: Site,
    states: HashMap<String, VersionState>,
    snapshot: Snapshot,
    /// Paths written by [`build::write_shared_files`] last time.
    shared: HashSet<String>,
    /// A file some version reaches through a symlink → (version, path in it).
    linked: HashMap<PathBuf, Vec<(String, String)>>,
}

/// The parts of a version that pages outside its own link to or list.
#[derive(PartialEq)]
struct Structure<'a> {
    artifacts: Vec<ArtifactKey<'a>>,
    stages: Vec<(&'a str, &'a str)>,
    json: Vec<(&'a str, Option<&'a str>)>,
    eda: Vec<(&'a str, &'a str, usize)>,
}

/// What the search index, `index.json`, the switcher and history links read of an artifact.
#[derive(PartialEq)]
struct ArtifactKey<'a> {
    slug: &'a str,
    stage: &'a str,
    name: &'a str,
    id: Option<&'a str>,
    artifact_type: &'a str,
    status: crate::model::Status,
    file: Option<&'a str>,
    description: Option<&'a str>,
    metadata_keys: Vec<&'a str>,
}

fn structure(v: &Version) -> Structure<'_> {
    Structure {
        artifacts: v
            .artifacts
            .iter()
            .map(|a| ArtifactKey {
                slug: &a.slug,
                stage: &a.stage,
                name: &a.name,
                id: a.id.as_deref(),
                artifact_type: &a.artifact_type,
                status: a.status,
                file: a.file.as_deref(),
                description: a.description.as_deref(),
                metadata_keys: a
                    .metadata
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        stages: v.stages.iter().map(|s| (s.name.as_str(), s.slug.as_str())).collect(),
        json: v.json.iter().map(|d| (d.rel.as_str(), d.page.as_deref())).collect(),
        eda: v.eda.iter().map(|e| (e.name.as_str(), e.slug.as_str(), e.artifact)).collect(),
    }
}

/// What pages of other versions know of a version: where it is and when it ran.
#[derive(PartialEq, Clone, Debug)]
struct Identity {
    slug: String,
    time: Option<i64>,
    time_source: crate::model::TimeSource,
}

fn identity(v: &Version) -> Identity {
    Identity { slug: v.slug.clone(), time: v.time, time_source: v.time_source }
}

fn size_of(v: &Version, file: Option<usize>) -> Option<u64> {
    file.map(|i| v.files[i].size)
}

fn same_doc(a: &Version, b: &Version, di: usize) -> bool {
    let (x, y) = (&a.json[di], &b.json[di]);
    let parsed = match (&x.parsed, &y.parsed) {
        (Ok(p), Ok(q)) => Arc::ptr_eq(p, q) || p == q,
        (Err(e), Err(f)) => e == f,
        _ => false,
    };
    let size = |v: &Version, rel: &str| v.files.iter().find(|f| f.rel == rel).map(|f| f.size);
    parsed
        && x.rel == y.rel
        && x.kind == y.kind
        && x.stage == y.stage
        && x.page == y.page
        && size(a, &x.rel) == size(b, &y.rel)
}

/// (stage, name) pairs, as a map for lookups without allocating.
#[derive(Default)]
struct Keys(HashMap<String, HashSet<String>>);

impl Keys {
    fn add(&mut self, stage: &str, name: &str) {
        self.0.entry(stage.to_string()).or_default().insert(name.to_string());
    }
    fn add_all(&mut self, v: &Version) {
        for a in &v.artifacts {
            self.add(&a.stage, &a.name);
        }
    }
}

/// Stage, ETL file and report names that came, went or moved in the version at `at`.
struct Near<'a> {
    at: usize,
    stages: HashSet<&'a str>,
    json: HashSet<&'a str>,
    eda: HashSet<&'a str>,
}

/// Pages to render, by kind.
#[derive(Default)]
struct Selection {
    /// Render everything.
    all: bool,
    /// Versions (new index) rendered whole.
    whole: BTreeSet<usize>,
    /// Single pages.
    pages: HashSet<PageKind>,
    /// Site-level files (`index.json`, search index…) are out of date.
    shared: bool,
}

fn window(centre: usize, len: usize) -> std::ops::RangeInclusive<usize> {
    centre.saturating_sub(SPAN)..=(centre + SPAN).min(len.saturating_sub(1))
}

impl Engine {
    /// Reads the config from `source` and builds the whole site into memory.
    pub fn new(source: ConfigSource) -> Result<Engine> {
        let config = source()?;
        let renderer = build::Renderer::of(&config)?;
        let site = Site::empty();
        let mut engine = Engine {
            source,
            config,
            renderer,
            site,
            states: HashMap::new(),
            snapshot: Snapshot::default(),
            shared: HashSet::new(),
            linked: HashMap::new(),
        };
        engine.rebuild(&Change { full: true, ..Change::default() })?;
        Ok(engine)
    }

    /// The current snapshot, to publish.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The loaded site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The config of the last good build.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Versions that reach `path` through a symlink, with the link's path in each.
    pub fn linked_from(&self, path: &std::path::Path) -> &[(String, String)] {
        self.linked.get(path).map(Vec::as_slice).unwrap_or_default()
    }

    /// Applies `change`. On error the previous site and snapshot stay as they were.
    pub fn rebuild(&mut self, change: &Change) -> Result<Outcome> {
        let start = Instant::now();
        let mut steps: Vec<(&'static str, f64)> = Vec::new();
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            steps.push((name, lap.elapsed().as_secs_f64()));
            lap = Instant::now();
        };
        let (config, renderer) = if change.full {
            let config = (self.source)()?;
            let renderer = build::Renderer::of(&config)?;
            (config, Some(renderer))
        } else {
            (self.config.clone(), None)
        };
        let top = scan::scan_top(&config.root)?;
        if top.dirs.is_empty() {
            return Err(build::no_versions(&config));
        }
        let full = change.full || top.root != self.snapshot.root;
        if full && (config != self.config || top.root != self.snapshot.root) {
            // Previews depend on the config; paths on the root.
            self.states.clear();
        }

        // 1. Read what changed.
        let old_ids: Vec<String> = self.site.versions.iter().map(|v| v.id.clone()).collect();
        let known: HashSet<&str> = old_ids.iter().map(String::as_str).collect();
        let to_read: Vec<(String, PathBuf)> = top
            .dirs
            .iter()
            .filter(|(id, _)| full || !known.contains(id.as_str()) || change.versions.contains_key(id))
            .cloned()
            .collect();
        let previews = PreviewConfig::from(&config);
        let root = top.root.clone();
        let states = &self.states;
        let read: Vec<(load::Loaded, VersionState)> = to_read
            .into_par_iter()
            .map(|(id, dir)| {
                let (vd, mut problems) = scan::scan_version(&root, id.clone(), dir);
                let empty = Reuse::default();
                let reuse = states.get(&id).map_or(&empty, |s| &s.reuse);
                let changed = |rel: &str| change.touches(&id, rel);
                let (loaded, next) = load::load_reusing(vd, &previews, reuse, &changed);
                problems.extend(loaded.problems.iter().cloned());
                (loaded, VersionState { problems, reuse: next })
            })
            .collect();
        let read_count = read.len();
        step("read");

        // The new site: unchanged versions move over, read ones replace theirs.
        let present: HashSet<&str> = top.dirs.iter().map(|(id, _)| id.as_str()).collect();
        let replaced: HashSet<String> = read.iter().map(|(l, _)| l.version.id.clone()).collect();
        let old_site = std::mem::replace(&mut self.site, Site::empty());
        let old_identity: Vec<Identity> = old_site.versions.iter().map(identity).collect();
        let old_verdicts: HashMap<String, Verdict> =
            old_site.versions.iter().map(|v| (v.id.clone(), v.verdict.clone())).collect();
        let mut old_versions: HashMap<String, Version> = HashMap::new();
        let mut versions = Vec::with_capacity(top.dirs.len());
        for v in old_site.versions {
            if present.contains(v.id.as_str()) && !replaced.contains(&v.id) {
                versions.push(v);
            } else {
                old_versions.insert(v.id.clone(), v);
            }
        }
        let mut states = std::mem::take(&mut self.states);
        states.retain(|id, _| present.contains(id.as_str()));
        for (loaded, state) in read {
            states.insert(loaded.version.id.clone(), state);
            versions.push(loaded.version);
        }
        let mut problems = top.problems.clone();
        for s in states.values() {
            problems.extend(s.problems.iter().cloned());
        }
        let mut site = load::assemble(versions, problems, top.aliases.clone());
        crate::input::content::attach(&mut site, build::content_types(&config)?);
        build::attach_baseline(&mut site, &config);
        build::judge(&mut site, &config);

        step("assemble");
        // 2. Select the pages whose inputs changed.
        // A page of runs that came or went is a site page only a full render removes.
        let run_pages_changed = plan::run_pages(old_ids.len()) != plan::run_pages(site.versions.len());
        let baseline_moved = old_site.baseline.map(|b| &old_ids[b]) != site.baseline.map(|b| &site.versions[b].id);
        let sel = if full || old_site.aliases != site.aliases || run_pages_changed || baseline_moved {
            Selection { all: true, ..Selection::default() }
        } else {
            let mut sel = Self::select(&old_ids, &old_identity, &old_versions, &old_site.problems, &site, &replaced);
            judged_again(&site, &old_verdicts, &replaced, &mut sel);
            sel
        };

        step("select");
        // 3. Render them.
        let renderer_ref = renderer.as_ref().unwrap_or(&self.renderer);
        let pages: Vec<Page> = if sel.all {
            plan::plan(&site)
        } else {
            let mut pages = plan::site_pages(&site);
            if !sel.shared && site.problems == old_site.problems {
                pages.retain(|p| p.kind != PageKind::Problems);
            }
            for &vi in &sel.whole {
                pages.extend(plan::version_pages(&site, vi));
            }
            let mut single: Vec<Page> = sel
                .pages
                .iter()
                .filter(|k| version_of(**k).is_none_or(|vi| !sel.whole.contains(&vi)))
                .filter_map(|&k| plan::page(&site, k))
                .collect();
            single.sort_by(|a, b| a.path.cmp(&b.path));
            pages.extend(single);
            pages
        };
        let memory = Memory::default();
        step("plan");
        // Previews were made while reading, and their warnings counted then.
        let made = build::render_pages(renderer_ref, &config, &site, &pages, &memory, Options::default())?;
        debug_assert!(made.is_empty(), "serve reads every preview before rendering");
        step("render");
        let shared = sel.all || sel.shared || site.problems != old_site.problems;
        if shared {
            let all_pages = if config.base_url.is_some() { plan::plan(&site) } else { Vec::new() };
            build::write_shared_files(&config, &renderer_ref.theme, &site, &all_pages, &memory)?;
        }
        let version_files: BTreeSet<usize> = if sel.all {
            (0..site.versions.len()).collect()
        } else {
            let mut set = sel.whole.clone();
            set.extend(site.versions.iter().enumerate().filter(|(_, v)| replaced.contains(&v.id)).map(|(i, _)| i));
            set
        };
        for &vi in &version_files {
            build::write_version_files(&site.versions[vi], &memory)?;
        }
        let raw_versions: Vec<usize> = if sel.all {
            (0..site.versions.len()).collect()
        } else {
            site.versions
                .iter()
                .enumerate()
                .filter(|(i, v)| replaced.contains(&v.id) || old_identity.get(*i).is_none_or(|o| o.slug != v.slug))
                .map(|(i, _)| i)
                .collect()
        };
        let raw_memory = Memory::default();
        for &vi in &raw_versions {
            let v = &site.versions[vi];
            for f in &v.files {
                crate::commands::build::Sink::raw(&raw_memory, &plan::file(v, &f.rel), &f.path)?;
            }
        }

        step("site files");
        // 4. Publish: merge into the next snapshot and note what changed.
        let (files, _) = memory.into_parts();
        let (_, raw) = raw_memory.into_parts();
        let mut next = self.snapshot.clone();
        next.build += 1;
        next.root = top.root.clone();
        let mut changed: BTreeSet<String> = BTreeSet::new();
        let slugs: HashSet<String> = site.versions.iter().map(|v| format!("v/{}", v.slug)).collect();
        // Shards rendered whole lose the paths they no longer have.
        let mut whole_shards: HashSet<String> =
            sel.whole.iter().map(|&vi| format!("v/{}", site.versions[vi].slug)).collect();
        if sel.all {
            whole_shards.extend(slugs.iter().cloned());
        }
        let mut stale: Vec<String> = Vec::new();
        for shard in next.files.shard_names() {
            if !shard.is_empty() && !slugs.contains(&shard) {
                stale.extend(next.files.paths_in(&shard));
            } else if whole_shards.contains(&shard) {
                stale.extend(next.files.paths_in(&shard).into_iter().filter(|p| !files.contains_key(p)));
            }
        }
        if sel.all {
            stale.extend(next.files.paths_in("").into_iter().filter(|p| !files.contains_key(p)));
        } else if shared {
            stale.extend(self.shared.iter().filter(|p| !files.contains_key(*p)).cloned());
        }
        for path in stale {
            next.files.remove(&path);
            next.changed_at.remove(&path);
            changed.insert(path);
        }
        if shared {
            self.shared = files.keys().filter(|p| is_shared_file(p)).cloned().collect();
        }
        for (path, bytes) in files {
            let same = next.files.get(&path).is_some_and(|old: &Bytes| **old == *bytes);
            if !same {
                next.changed_at.insert(path.clone(), next.build);
                next.files.insert(path.clone(), bytes);
                changed.insert(path);
            }
        }
        // Raw files: replace the entries of every version read or moved.
        let raw_shards: HashSet<String> =
            raw_versions.iter().map(|&vi| format!("v/{}", site.versions[vi].slug)).collect();
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
        // Raw files whose content changed in place.
        for v in site.versions.iter().filter(|v| change.versions.contains_key(&v.id)) {
            for f in v.files.iter().filter(|f| change.touches(&v.id, &f.rel)) {
                let path = plan::file(v, &f.rel);
                next.changed_at.insert(path.clone(), next.build);
                changed.insert(path);
            }
        }

        // Symlinked files, so a change to their target reaches the versions using them.
        let mut linked: HashMap<PathBuf, Vec<(String, String)>> = HashMap::new();
        for v in &site.versions {
            for f in v.files.iter().filter(|f| !f.path.starts_with(&v.dir)) {
                linked.entry(f.path.clone()).or_default().push((v.id.clone(), f.rel.clone()));
            }
        }

        step("publish");
        let outcome = Outcome {
            build: next.build,
            changed: changed.into_iter().collect(),
            rendered: pages.len(),
            read: read_count,
            full: sel.all,
            seconds: start.elapsed().as_secs_f64(),
            steps,
        };
        self.site = site;
        self.states = states;
        self.snapshot = next;
        self.linked = linked;
        if let Some(renderer) = renderer {
            self.renderer = renderer;
        }
        self.config = config;
        Ok(outcome)
    }

    /// The pages whose inputs differ between the old site (its version ids in
    /// order, their identities, the old copies of versions read again, its
    /// problems) and `site`.
    fn select(
        old_ids: &[String],
        old_identity: &[Identity],
        old_versions: &HashMap<String, Version>,
        old_problems: &[Diagnostic],
        site: &Site,
        replaced: &HashSet<String>,
    ) -> Selection {
        let mut sel = Selection::default();
        let n = site.versions.len();
        let new_pos: HashMap<&str, usize> = site.versions.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect();
        let old_pos: HashMap<&str, usize> = old_ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();

        // Versions that stayed must stay in the same order.
        let kept_old: Vec<&str> = old_ids.iter().map(String::as_str).filter(|id| new_pos.contains_key(id)).collect();
        let kept_new: Vec<&str> =
            site.versions.iter().map(|v| v.id.as_str()).filter(|id| old_pos.contains_key(id)).collect();
        if kept_old != kept_new {
            sel.all = true;
            return sel;
        }

        // Artifact names whose history changed, around a place in the new order:
        // (first index after the place, index of the version there if any, names).
        let mut history: Vec<(usize, Option<usize>, Keys)> = Vec::new();
        // Stage, ETL and report names that came or went in a version.
        let mut near: Vec<Near> = Vec::new();
        let whole_around_old = |sel: &mut Selection, p: usize| {
            for q in window(p, old_ids.len()) {
                if let Some(&ni) = new_pos.get(old_ids[q].as_str()) {
                    sel.whole.insert(ni);
                }
            }
        };
        // Removed versions: their neighbours' switchers and links change.
        for (p, id) in old_ids.iter().enumerate() {
            if !new_pos.contains_key(id.as_str()) {
                sel.shared = true;
                whole_around_old(&mut sel, p);
                let mut keys = Keys::default();
                if let Some(v) = old_versions.get(id) {
                    keys.add_all(v);
                }
                let gap = old_ids[..p].iter().filter(|id| new_pos.contains_key(id.as_str())).count();
                history.push((gap, None, keys));
            }
        }
        for (q, v) in site.versions.iter().enumerate() {
            let old = old_versions.get(&v.id);
            let Some(&p) = old_pos.get(v.id.as_str()) else {
                // Added.
                sel.shared = true;
                sel.whole.extend(window(q, n));
                let mut keys = Keys::default();
                keys.add_all(v);
                history.push((q + 1, Some(q), keys));
                continue;
            };
            if old_identity[p] != identity(v) {
                sel.shared = true;
                whole_around_old(&mut sel, p);
                sel.whole.extend(window(q, n));
                let mut keys = Keys::default();
                keys.add_all(v);
                if let Some(o) = old {
                    keys.add_all(o);
                }
                history.push((q + 1, Some(q), keys));
                continue;
            }
            let Some(old) = old.filter(|_| replaced.contains(&v.id)) else { continue };
            // The next run's comparison, summary and stage rows show changes on this one.
            if q + 1 < n {
                sel.pages.extend([PageKind::Compare(q + 1), PageKind::Version(q + 1)]);
                sel.pages.extend((0..site.versions[q + 1].stages.len()).map(|si| PageKind::Stage(q + 1, si)));
            }
            let (so, sn) = (structure(old), structure(v));
            if so != sn {
                sel.shared = true;
                sel.whole.insert(q);
                let a_old: HashSet<(&str, &str, &str)> =
                    so.artifacts.iter().map(|k| (k.stage, k.name, k.slug)).collect();
                let a_new: HashSet<(&str, &str, &str)> =
                    sn.artifacts.iter().map(|k| (k.stage, k.name, k.slug)).collect();
                let mut keys = Keys::default();
                for (stage, name, _) in a_old.symmetric_difference(&a_new) {
                    keys.add(stage, name);
                }
                history.push((q + 1, Some(q), keys));
                let stages = changed_names(&so.stages, &sn.stages, |s| Some(s.0), |s| s.1);
                let json = changed_names(&so.json, &sn.json, |d| d.1.map(|_| d.0), |d| d.1.unwrap_or(""));
                let eda = changed_names(&so.eda, &sn.eda, |e| Some(e.0), |e| e.1);
                near.push(Near { at: q, stages, json, eda });
                continue;
            }
            // Same structure: the version's own summary pages, and the pages of
            // what differs.
            sel.pages.extend([
                PageKind::Version(q),
                PageKind::Artifacts(q),
                PageKind::Quality(q),
                PageKind::Compare(q),
                PageKind::Baseline(q),
            ]);
            sel.pages.extend((0..v.stages.len()).map(|si| PageKind::Stage(q, si)));
            sel.pages.extend((0..v.eda.len()).map(|ei| PageKind::Eda(q, ei)));
            for (ai, (a, b)) in old.artifacts.iter().zip(&v.artifacts).enumerate() {
                let doc_same = match (a.json, b.json) {
                    (Some(x), Some(y)) => x == y && same_doc(old, v, x),
                    (None, None) => true,
                    _ => false,
                };
                if a != b || size_of(old, a.file_index) != size_of(v, b.file_index) || !doc_same {
                    sel.pages.insert(PageKind::Artifact(q, ai));
                }
            }
            for di in 0..v.json.len() {
                if v.json[di].page.is_some() && !same_doc(old, v, di) {
                    sel.pages.insert(PageKind::Etl(q, di));
                }
            }
        }
        if site.problems != old_problems {
            sel.shared = true;
        }

        // Artifact pages whose previous or next run of the same artifact changed:
        // the nearest version on each side that has it, and the version itself.
        for (after, at, keys) in history {
            if let Some(q) = at {
                mark_artifacts(site, q, &keys.0, &mut sel);
            }
            let before = at.unwrap_or(after);
            let mut pending = keys.0.clone();
            for w in (0..before).rev() {
                if pending.is_empty() {
                    break;
                }
                let found = mark_artifacts(site, w, &pending, &mut sel);
                remove_keys(&mut pending, &found);
            }
            let mut pending = keys.0;
            for w in after..n {
                if pending.is_empty() {
                    break;
                }
                let found = mark_artifacts(site, w, &pending, &mut sel);
                remove_keys(&mut pending, &found);
            }
        }
        // Stage, ETL and report pages of nearby versions whose switcher lists one that came or went.
        for Near { at, stages, json, eda } in &near {
            for w in window(*at, n) {
                let v = &site.versions[w];
                for (si, s) in v.stages.iter().enumerate() {
                    if stages.contains(s.name.as_str()) {
                        sel.pages.insert(PageKind::Stage(w, si));
                    }
                }
                for (di, d) in v.json.iter().enumerate() {
                    if json.contains(d.rel.as_str()) {
                        sel.pages.insert(PageKind::Etl(w, di));
                    }
                }
                for (ei, e) in v.eda.iter().enumerate() {
                    if eda.contains(e.name.as_str()) {
                        sel.pages.insert(PageKind::Eda(w, ei));
                    }
                }
            }
        }
        sel
    }
}

/// Adds to `sel` the pages that show verdicts which changed: a run's own
/// summary when its checks changed; every page of the runs whose switcher
/// lists it, and the site files (the search index), when its verdict did.
/// When the baseline was read again, every run's comparison with it.
fn judged_again(site: &Site, old: &HashMap<String, Verdict>, replaced: &HashSet<String>, sel: &mut Selection) {
    let n = site.versions.len();
    for (q, v) in site.versions.iter().enumerate() {
        let Some(before) = old.get(&v.id) else { continue };
        if *before != v.verdict {
            sel.pages.insert(PageKind::Version(q));
        }
        if before.status != v.verdict.status {
            sel.shared = true;
            sel.whole.extend(window(q, n));
        }
    }
    if let Some(b) = site.baseline
        && replaced.contains(&site.versions[b].id)
    {
        sel.pages.extend((0..n).map(PageKind::Baseline));
    }
}

/// Marks the pages of version `w`'s artifacts named in `keys`; returns the names found.
fn mark_artifacts(
    site: &Site,
    w: usize,
    keys: &HashMap<String, HashSet<String>>,
    sel: &mut Selection,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (ai, a) in site.versions[w].artifacts.iter().enumerate() {
        if keys.get(&a.stage).is_some_and(|names| names.contains(&a.name)) {
            sel.pages.insert(PageKind::Artifact(w, ai));
            found.push((a.stage.clone(), a.name.clone()));
        }
    }
    found
}

fn remove_keys(keys: &mut HashMap<String, HashSet<String>>, found: &[(String, String)]) {
    for (stage, name) in found {
        if let Some(names) = keys.get_mut(stage) {
            names.remove(name);
            if names.is_empty() {
                keys.remove(stage);
            }
        }
    }
}

/// Names that came, went or moved to another slug between two lists.
fn changed_names<'a, T: Copy>(
    old: &[T],
    new: &[T],
    name: impl Fn(T) -> Option<&'a str>,
    slug: impl Fn(T) -> &'a str,
) -> HashSet<&'a str> {
    let a: HashSet<(&str, &str)> = old.iter().filter_map(|&x| name(x).map(|n| (n, slug(x)))).collect();
    let b: HashSet<(&str, &str)> = new.iter().filter_map(|&x| name(x).map(|n| (n, slug(x)))).collect();
    a.symmetric_difference(&b).map(|(n, _)| *n).collect()
}

/// The version a page belongs to.
fn version_of(kind: PageKind) -> Option<usize> {
    match kind {
        PageKind::Version(vi)
        | PageKind::Artifacts(vi)
        | PageKind::Quality(vi)
        | PageKind::Compare(vi)
        | PageKind::Baseline(vi)
        | PageKind::Artifact(vi, _)
        | PageKind::Stage(vi, _)
        | PageKind::Etl(vi, _)
        | PageKind::Eda(vi, _) => Some(vi),
        _ => None,
    }
}

/// Whether `path` is one of the files [`build::write_shared_files`] writes.
fn is_shared_file(path: &str) -> bool {
    path.starts_with("static/")
        || path.starts_with("search/") && path.ends_with(".js")
        || matches!(path, "index.json" | "problems.json" | "sitemap.xml")
}
