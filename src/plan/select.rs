//! Which pages a change touches. The previous site is kept as [`Old`]:
//! what pages of one version know of the others, and a digest of each
//! version's artifacts and JSON files. `serve` keeps it in memory between
//! rebuilds, `build` in its cache between builds; both compare it with the
//! new site the same way.
//!
//! A version whose *structure* (what other pages link to: artifacts, stages,
//! ETL files, reports) is unchanged re-renders only its summary-level pages
//! and the pages of the artifacts that differ (an ETL file's among them);
//! otherwise all its pages, plus the pages in later versions that link to
//! what appeared or vanished. A version that came, went or moved re-renders
//! the next version, whose pages show it as the previous one. Pages that
//! show a changed verdict, or changes on a version read again, follow.
//!
//! A version's pages show earlier runs only: the bundled themes draw the
//! version switcher and the links to later runs in the browser (see
//! [`crate::output::nav`]). A theme that shows later runs on them (see
//! [`crate::render::Renderer::names_later_runs`]) re-renders, for a version
//! that came, went or moved, the versions whose switcher lists it and the
//! earlier runs of its artifacts too; one that shows the number of versions
//! or the newest one on every page (see
//! [`crate::render::Renderer::names_run_globals`]) re-renders everything
//! when those change.

use crate::diagnostics::Diagnostic;
use crate::input::scan::Alias;
use crate::model::verdict::{self, Verdict};
use crate::model::{Artifact, Site, TimeSource, Version};
use crate::plan::{self, Page, PageKind, SWITCHER_SPAN};
use crate::util::digest::Fields;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Pages to render, by kind.
#[derive(Default, Debug)]
pub struct Selection {
    /// Render everything.
    pub all: bool,
    /// Versions (new index) rendered whole.
    pub whole: BTreeSet<usize>,
    /// Single pages.
    pub pages: HashSet<PageKind>,
    /// Versions (new index) whose verdict changed, which their `summary.json` shows.
    pub judged: BTreeSet<usize>,
    /// Site-level files (`index.json`, search index…) are out of date.
    pub shared: bool,
}

impl Selection {
    /// Everything, as a first build renders it.
    pub fn everything() -> Selection {
        Selection { all: true, ..Selection::default() }
    }
}

/// What the site before the change knew, for the comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Old {
    /// Version ids, in order.
    pub ids: Vec<String>,
    /// Each version's identity, in the same order.
    pub identity: Vec<Identity>,
    /// Digests of the versions that may have been read again or gone.
    pub versions: HashMap<String, VersionDigest>,
    /// The digest of every problem (see [`problems_digest`]).
    pub problems: u64,
    /// Every version's verdict, by id.
    pub verdicts: HashMap<String, VerdictDigest>,
    /// Aliases.
    pub aliases: Vec<Alias>,
    /// The baseline's id.
    pub baseline: Option<String>,
}

impl Old {
    /// What `site` knows, with the digests of the versions `digested` picks.
    pub fn of(site: &Site, digested: impl Fn(&Version) -> bool) -> Old {
        Old {
            ids: site.versions.iter().map(|v| v.id.clone()).collect(),
            identity: site.versions.iter().map(identity).collect(),
            versions: site
                .versions
                .iter()
                .filter(|v| digested(v))
                .map(|v| (v.id.clone(), VersionDigest::of(v)))
                .collect(),
            problems: problems_digest(&site.problems),
            verdicts: site.versions.iter().map(|v| (v.id.clone(), VerdictDigest::of(&v.verdict))).collect(),
            aliases: site.aliases.clone(),
            baseline: site.baseline.map(|b| site.versions[b].id.clone()),
        }
    }
}

/// The digest of a site's problems, to tell whether any changed.
pub fn problems_digest(problems: &[Diagnostic]) -> u64 {
    let mut h = Fields::new();
    h.number(problems.len() as u128);
    for p in problems {
        h.json(p);
    }
    h.digest()
}

/// What pages of other versions know of a version: where it is and when it ran.
#[derive(PartialEq, Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// Its path segment.
    pub slug: String,
    time: Option<i64>,
    time_source: TimeSource,
}

/// The identity of `v`.
pub fn identity(v: &Version) -> Identity {
    Identity { slug: v.slug.clone(), time: v.time, time_source: v.time_source }
}

/// A verdict's status, and a digest of all of it.
#[derive(PartialEq, Clone, Copy, Debug, Serialize, Deserialize)]
pub struct VerdictDigest {
    status: verdict::Status,
    all: u64,
}

impl VerdictDigest {
    fn of(v: &Verdict) -> VerdictDigest {
        VerdictDigest { status: v.status, all: Fields::new().json(v).digest() }
    }
}

/// What a version's pages are made of, as far as other pages and a later
/// comparison need: its structure, and a digest of each artifact and JSON file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionDigest {
    /// A digest of what pages outside the version's own link to or list of it.
    structure: u64,
    /// Each artifact's stage, name and slug.
    artifacts: Vec<(String, String, String)>,
    /// Each stage's name and slug.
    stages: Vec<(String, String)>,
    /// Each EDA report's name and slug.
    eda: Vec<(String, String)>,
    /// A digest of each artifact, its file and JSON document.
    artifact_digests: Vec<u64>,
}

impl VersionDigest {
    /// The digest of `v`.
    pub fn of(v: &Version) -> VersionDigest {
        let files: HashMap<&str, &crate::input::scan::FileEntry> =
            v.files.iter().map(|f| (f.rel.as_str(), f)).collect();
        let doc_digests: Vec<u64> = (0..v.json.len()).map(|di| doc_digest(v, di, &files)).collect();
        VersionDigest {
            structure: structure_digest(v),
            artifacts: v.artifacts.iter().map(|a| (a.stage.clone(), a.name.clone(), a.slug.clone())).collect(),
            stages: v.stages.iter().map(|s| (s.name.clone(), s.slug.clone())).collect(),
            eda: v.eda.iter().map(|e| (e.name.clone(), e.slug.clone())).collect(),
            artifact_digests: v.artifacts.iter().map(|a| artifact_digest(v, a, &doc_digests)).collect(),
        }
    }
}

/// What a theme's version pages show of other runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shows {
    /// The number of versions or the newest one.
    pub run_globals: bool,
    /// Later runs: the version switcher, the next version, an artifact's next run.
    pub later_runs: bool,
}

/// The pages of `site` to render for the change from `old`, after the
/// versions named `replaced` were read again; everything when `full`, or
/// when what every page shows moved. `shows`: what the theme's version
/// pages show of other runs.
pub fn select(old: &Old, site: &Site, replaced: &HashSet<String>, full: bool, shows: Shows) -> Selection {
    // A page of older runs that went is a site page only a full render removes
    // (one that came is rendered with every site page).
    let run_pages_went = plan::run_pages(site.versions.len()) < plan::run_pages(old.ids.len());
    let baseline = site.baseline.map(|b| site.versions[b].id.clone());
    let newest = |ids: &[Identity]| ids.last().map(|i| i.slug.clone());
    let globals_moved =
        old.ids.len() != site.versions.len() || newest(&old.identity) != site.versions.last().map(|v| v.slug.clone());
    if full
        || (shows.run_globals && globals_moved)
        || old.aliases != site.aliases
        || run_pages_went
        || baseline != old.baseline
    {
        return Selection::everything();
    }
    let mut s = Selector::new(old, site, shows.later_runs);
    if !s.same_order() {
        return Selection::everything();
    }
    s.removed();
    for q in 0..site.versions.len() {
        s.version(q, replaced);
    }
    s.history();
    s.near();
    s.judged_again(replaced);
    s.sel
}

/// The pages of `sel`, in a stable order; the problems page only when the
/// site files are out of date or `problems_changed`.
pub fn pages(site: &Site, sel: &Selection, problems_changed: bool) -> Vec<Page> {
    if sel.all {
        return plan::plan(site);
    }
    let mut pages = plan::site_pages(site);
    if !sel.shared && !problems_changed {
        pages.retain(|p| p.kind != PageKind::Problems);
    }
    for &vi in &sel.whole {
        pages.extend(plan::version_pages(site, vi));
    }
    let mut single: Vec<Page> = sel
        .pages
        .iter()
        .filter(|k| k.version().is_none_or(|vi| !sel.whole.contains(&vi)))
        .filter_map(|&k| plan::page(site, k))
        .collect();
    single.sort_by(|a, b| a.path.cmp(&b.path));
    pages.extend(single);
    pages
}

/// The versions (new index) of whose pages `sel` renders any, or whose
/// files the build writes: a version rendered whole, judged again, or with
/// a page of its own selected.
pub fn touched(site: &Site, sel: &Selection) -> BTreeSet<usize> {
    if sel.all {
        return (0..site.versions.len()).collect();
    }
    let single = sel.pages.iter().filter_map(|k| k.version());
    sel.whole.iter().chain(&sel.judged).copied().chain(single).collect()
}

/// (stage, name) pairs, as a map for lookups without allocating.
#[derive(Default, Clone)]
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
    fn add_digest(&mut self, d: &VersionDigest) {
        for (stage, name, _) in &d.artifacts {
            self.add(stage, name);
        }
    }
    fn remove(&mut self, found: &[(String, String)]) {
        for (stage, name) in found {
            if let Some(names) = self.0.get_mut(stage) {
                names.remove(name);
                if names.is_empty() {
                    self.0.remove(stage);
                }
            }
        }
    }
}

/// Stage and report names that came, went or moved in the version at `at`.
struct Near {
    at: usize,
    stages: HashSet<String>,
    eda: HashSet<String>,
}

/// The comparison under way: the old and new sites, and what it has found.
struct Selector<'a> {
    old: &'a Old,
    site: &'a Site,
    new_pos: HashMap<&'a str, usize>,
    old_pos: HashMap<&'a str, usize>,
    /// Artifact names whose history changed, around a place in the new order:
    /// (first index after the place, index of the version there if any, names).
    history: Vec<(usize, Option<usize>, Keys)>,
    /// Stage and report names that came or went in a version.
    near: Vec<Near>,
    /// Whether the pages of a version show later runs.
    later_runs: bool,
    sel: Selection,
}

/// The versions whose pages show the one at `centre` (of `len`): itself
/// and the next, and when pages show later runs, those whose switcher lists it.
fn window(centre: usize, len: usize, later_runs: bool) -> std::ops::RangeInclusive<usize> {
    let (before, after) = if later_runs { (SWITCHER_SPAN, SWITCHER_SPAN) } else { (0, 1) };
    centre.saturating_sub(before)..=(centre + after).min(len.saturating_sub(1))
}

impl<'a> Selector<'a> {
    fn new(old: &'a Old, site: &'a Site, later_runs: bool) -> Selector<'a> {
        Selector {
            old,
            site,
            new_pos: site.versions.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect(),
            old_pos: old.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect(),
            history: Vec::new(),
            near: Vec::new(),
            later_runs,
            sel: Selection::default(),
        }
    }

    /// Whether the versions that stayed are in the same order.
    fn same_order(&self) -> bool {
        let kept_old = self.old.ids.iter().map(String::as_str).filter(|id| self.new_pos.contains_key(id));
        let kept_new = self.site.versions.iter().map(|v| v.id.as_str()).filter(|id| self.old_pos.contains_key(id));
        kept_old.eq(kept_new)
    }

    /// The versions around old place `p` render whole.
    fn whole_around_old(&mut self, p: usize) {
        for q in window(p, self.old.ids.len(), self.later_runs) {
            if let Some(&ni) = self.new_pos.get(self.old.ids[q].as_str()) {
                self.sel.whole.insert(ni);
            }
        }
    }

    /// Removed versions: their neighbours' links change.
    fn removed(&mut self) {
        for (p, id) in self.old.ids.iter().enumerate() {
            if self.new_pos.contains_key(id.as_str()) {
                continue;
            }
            self.sel.shared = true;
            self.whole_around_old(p);
            let mut keys = Keys::default();
            if let Some(d) = self.old.versions.get(id) {
                keys.add_digest(d);
            }
            let gap = self.old.ids[..p].iter().filter(|id| self.new_pos.contains_key(id.as_str())).count();
            self.history.push((gap, None, keys));
        }
    }

    /// Version `q` of the new site: added, moved, read again, or unchanged.
    fn version(&mut self, q: usize, replaced: &HashSet<String>) {
        let v = &self.site.versions[q];
        let n = self.site.versions.len();
        let old = self.old.versions.get(&v.id);
        let Some(&p) = self.old_pos.get(v.id.as_str()) else {
            self.sel.shared = true;
            self.sel.whole.extend(window(q, n, self.later_runs));
            let mut keys = Keys::default();
            keys.add_all(v);
            self.history.push((q + 1, Some(q), keys));
            return;
        };
        if self.old.identity[p] != identity(v) {
            self.sel.shared = true;
            self.whole_around_old(p);
            self.sel.whole.extend(window(q, n, self.later_runs));
            let mut keys = Keys::default();
            keys.add_all(v);
            if let Some(o) = old {
                keys.add_digest(o);
            }
            self.history.push((q + 1, Some(q), keys));
            return;
        }
        let Some(old) = old.filter(|_| replaced.contains(&v.id)) else { return };
        // The next run's comparison, summary and stage rows show changes on this one.
        if q + 1 < n {
            self.sel.pages.extend([PageKind::Compare(q + 1), PageKind::Version(q + 1)]);
            self.sel.pages.extend((0..self.site.versions[q + 1].stages.len()).map(|si| PageKind::Stage(q + 1, si)));
        }
        let new = VersionDigest::of(v);
        if old.structure == new.structure {
            self.same_structure(q, old, &new);
        } else {
            self.new_structure(q, old, &new);
        }
    }

    /// A version read again whose structure changed: all its pages, and the
    /// pages elsewhere that list what came or went.
    fn new_structure(&mut self, q: usize, so: &VersionDigest, sn: &VersionDigest) {
        self.sel.shared = true;
        self.sel.whole.insert(q);
        let a_old: HashSet<&(String, String, String)> = so.artifacts.iter().collect();
        let a_new: HashSet<&(String, String, String)> = sn.artifacts.iter().collect();
        let mut keys = Keys::default();
        for (stage, name, _) in a_old.symmetric_difference(&a_new) {
            keys.add(stage, name);
        }
        self.history.push((q + 1, Some(q), keys));
        let stages = changed_names(&so.stages, &sn.stages, |s| s.0.as_str(), |s| s.1.as_str());
        let eda = changed_names(&so.eda, &sn.eda, |e| e.0.as_str(), |e| e.1.as_str());
        self.near.push(Near { at: q, stages, eda });
    }

    /// A version read again with the same structure: its own summary pages,
    /// and the pages of what differs.
    fn same_structure(&mut self, q: usize, old: &VersionDigest, new: &VersionDigest) {
        let v = &self.site.versions[q];
        self.sel.pages.extend([
            PageKind::Version(q),
            PageKind::Artifacts(q),
            PageKind::Quality(q),
            PageKind::Compare(q),
            PageKind::Baseline(q),
        ]);
        self.sel.pages.extend((0..v.stages.len()).map(|si| PageKind::Stage(q, si)));
        self.sel.pages.extend((0..v.eda.len()).map(|ei| PageKind::Eda(q, ei)));
        for (ai, (a, b)) in old.artifact_digests.iter().zip(&new.artifact_digests).enumerate() {
            if a != b {
                self.sel.pages.insert(PageKind::Artifact(q, ai));
            }
        }
    }

    /// Artifact pages whose previous run of the same artifact changed (and
    /// next run, when pages show later runs): the nearest version on each
    /// side that has it, and the version itself.
    fn history(&mut self) {
        let n = self.site.versions.len();
        for (after, at, keys) in std::mem::take(&mut self.history) {
            if let Some(q) = at {
                self.mark_artifacts(q, &keys);
            }
            let before = if self.later_runs { at.unwrap_or(after) } else { 0 };
            let mut pending = keys.clone();
            for w in (0..before).rev() {
                if pending.0.is_empty() {
                    break;
                }
                let found = self.mark_artifacts(w, &pending);
                pending.remove(&found);
            }
            let mut pending = keys;
            for w in after..n {
                if pending.0.is_empty() {
                    break;
                }
                let found = self.mark_artifacts(w, &pending);
                pending.remove(&found);
            }
        }
    }

    /// Marks the pages of version `w`'s artifacts named in `keys`; returns the names found.
    fn mark_artifacts(&mut self, w: usize, keys: &Keys) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (ai, a) in self.site.versions[w].artifacts.iter().enumerate() {
            if keys.0.get(&a.stage).is_some_and(|names| names.contains(&a.name)) {
                self.sel.pages.insert(PageKind::Artifact(w, ai));
                found.push((a.stage.clone(), a.name.clone()));
            }
        }
        found
    }

    /// Stage, ETL and report pages of nearby versions whose switcher lists
    /// one that came or went, when pages show the switcher.
    fn near(&mut self) {
        let near = std::mem::take(&mut self.near);
        if !self.later_runs {
            return;
        }
        let n = self.site.versions.len();
        for Near { at, stages, eda } in near {
            for w in window(at, n, true) {
                let v = &self.site.versions[w];
                for (si, _) in v.stages.iter().enumerate().filter(|(_, s)| stages.contains(&s.name)) {
                    self.sel.pages.insert(PageKind::Stage(w, si));
                }
                for (ei, _) in v.eda.iter().enumerate().filter(|(_, e)| eda.contains(&e.name)) {
                    self.sel.pages.insert(PageKind::Eda(w, ei));
                }
            }
        }
    }

    /// The pages that show verdicts which changed: a run's own summary when
    /// its checks changed; every page of the run and of those that show it
    /// (see [`window`]), and the site files (the search index, the runs'
    /// navigation), when its verdict did. When the baseline was read again,
    /// every run's comparison with it.
    fn judged_again(&mut self, replaced: &HashSet<String>) {
        let n = self.site.versions.len();
        for (q, v) in self.site.versions.iter().enumerate() {
            let Some(before) = self.old.verdicts.get(&v.id) else { continue };
            let now = VerdictDigest::of(&v.verdict);
            if *before != now {
                self.sel.pages.insert(PageKind::Version(q));
                self.sel.judged.insert(q);
            }
            if before.status != now.status {
                self.sel.shared = true;
                self.sel.whole.extend(window(q, n, self.later_runs));
            }
        }
        if let Some(b) = self.site.baseline
            && replaced.contains(&self.site.versions[b].id)
        {
            self.sel.pages.extend((0..n).map(PageKind::Baseline));
        }
    }
}

/// The digest of the parts of `v` that pages outside its own link to or
/// list: what the search index, `index.json`, the switcher and history links
/// read of each artifact, and its stages, ETL files and reports.
fn structure_digest(v: &Version) -> u64 {
    let mut h = Fields::new();
    h.number(v.artifacts.len() as u128);
    for a in &v.artifacts {
        h.text(&a.slug).text(&a.stage).text(&a.name).maybe(a.id.as_deref()).text(&a.artifact_type);
        h.json(&a.status).maybe(a.file.as_deref()).maybe(a.description.as_deref());
        let keys: Vec<&str> =
            a.metadata.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        h.json(&keys);
    }
    h.number(v.stages.len() as u128);
    for s in &v.stages {
        h.text(&s.name).text(&s.slug);
    }
    h.number(v.json.len() as u128);
    for d in &v.json {
        h.text(&d.rel).number(d.artifact.map_or(0, |ai| ai as u128 + 1));
    }
    h.number(v.eda.len() as u128);
    for e in &v.eda {
        h.text(&e.name).text(&e.slug).number(e.artifact as u128);
    }
    h.digest()
}

/// The digest of everything of artifact `a` of `v` its page shows: its
/// fields, its file's place, size and time, and its JSON document's digest.
fn artifact_digest(v: &Version, a: &Artifact, docs: &[u64]) -> u64 {
    let index = |i: Option<usize>| i.map_or(0, |i| i as u128 + 1);
    let mut h = Fields::new();
    h.text(&a.slug).maybe(a.id.as_deref()).text(&a.artifact_type).text(&a.stage).text(&a.name);
    h.maybe(a.description.as_deref()).maybe(a.file.as_deref()).number(index(a.file_index));
    h.maybe(a.declared_path.as_deref()).maybe(a.created_at.as_deref()).json(&a.metadata);
    h.maybe(a.record.as_ref().map(|r| r.pointer.as_str())).maybe(a.record.as_ref().map(|r| &*r.json));
    h.json(&a.status).number(index(a.json));
    if let Some(f) = a.file_index.map(|i| &v.files[i]) {
        h.text(&f.at.identity()).number(u128::from(f.size)).number(f.modified);
    }
    if let Some(di) = a.json {
        h.number(u128::from(docs[di]));
    }
    h.digest()
}

/// The digest of JSON document `di` of `v`: its place, kind and page, and
/// its file's size and time (which fix what was parsed from it).
fn doc_digest(v: &Version, di: usize, files: &HashMap<&str, &crate::input::scan::FileEntry>) -> u64 {
    let d = &v.json[di];
    let mut h = Fields::new();
    h.text(&d.rel).json(&d.kind).maybe(d.stage.as_deref()).number(d.artifact.map_or(0, |ai| ai as u128 + 1));
    match files.get(d.rel.as_str()) {
        Some(f) => h.number(1).text(&f.at.identity()).number(u128::from(f.size)).number(f.modified),
        None => h.number(0),
    };
    h.digest()
}

/// Names that came, went or moved to another slug between two lists.
fn changed_names<'a, T>(
    old: &'a [T],
    new: &'a [T],
    name: impl Fn(&'a T) -> &'a str,
    slug: impl Fn(&'a T) -> &'a str,
) -> HashSet<String> {
    let a: HashSet<(&str, &str)> = old.iter().map(|x| (name(x), slug(x))).collect();
    let b: HashSet<(&str, &str)> = new.iter().map(|x| (name(x), slug(x))).collect();
    a.symmetric_difference(&b).map(|(n, _)| n.to_string()).collect()
}
