//! Step 2 of a rebuild: the pages whose inputs changed.
//!
//! A version whose *structure* (what other pages link to: artifacts, stages,
//! ETL files, reports) is unchanged re-renders only its summary-level pages
//! and the pages of the artifacts and ETL files that differ; otherwise all
//! its pages, plus the pages in other versions that link to what appeared or
//! vanished. A version that came, went or moved re-renders the versions whose
//! switcher lists it. Pages that show a changed verdict, or changes on a
//! version read again, follow.

use crate::diagnostics::Diagnostic;
use crate::model::verdict::Verdict;
use crate::model::{Site, Status, TimeSource, Version};
use crate::plan::{PageKind, SWITCHER_SPAN};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Pages to render, by kind.
#[derive(Default)]
pub(super) struct Selection {
    /// Render everything.
    pub(super) all: bool,
    /// Versions (new index) rendered whole.
    pub(super) whole: BTreeSet<usize>,
    /// Single pages.
    pub(super) pages: HashSet<PageKind>,
    /// Site-level files (`index.json`, search index…) are out of date.
    pub(super) shared: bool,
}

impl Selection {
    fn everything() -> Selection {
        Selection { all: true, ..Selection::default() }
    }
}

/// What the site before the rebuild knew, for the comparison.
pub(super) struct Old {
    /// Version ids, in order.
    pub(super) ids: Vec<String>,
    /// Each version's identity, in the same order.
    pub(super) identity: Vec<Identity>,
    /// The old copies of the versions read again or gone.
    pub(super) versions: HashMap<String, Version>,
    /// Every problem.
    pub(super) problems: Vec<Diagnostic>,
    /// Every version's verdict, by id.
    pub(super) verdicts: HashMap<String, Verdict>,
    /// Aliases, and the baseline's id.
    pub(super) aliases: Vec<crate::input::scan::Alias>,
    pub(super) baseline: Option<String>,
}

/// What pages of other versions know of a version: where it is and when it ran.
#[derive(PartialEq, Clone, Debug)]
pub(super) struct Identity {
    /// Its path segment.
    pub(super) slug: String,
    time: Option<i64>,
    time_source: TimeSource,
}

/// The identity of `v`.
pub(super) fn identity(v: &Version) -> Identity {
    Identity { slug: v.slug.clone(), time: v.time, time_source: v.time_source }
}

/// The pages of `site` to render after the versions named `replaced` were
/// read again; everything when `full`, or when what every page shows moved.
pub(super) fn select(old: &Old, site: &Site, replaced: &HashSet<String>, full: bool) -> Selection {
    // A page of runs that came or went is a site page only a full render removes.
    let run_pages_changed = crate::plan::run_pages(old.ids.len()) != crate::plan::run_pages(site.versions.len());
    let baseline = site.baseline.map(|b| site.versions[b].id.clone());
    if full || old.aliases != site.aliases || run_pages_changed || baseline != old.baseline {
        return Selection::everything();
    }
    let mut s = Selector::new(old, site);
    if !s.same_order() {
        return Selection::everything();
    }
    s.removed();
    for q in 0..site.versions.len() {
        s.version(q, replaced);
    }
    if site.problems != old.problems {
        s.sel.shared = true;
    }
    s.history();
    s.near();
    s.judged_again(replaced);
    s.sel
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

/// Stage, ETL file and report names that came, went or moved in the version at `at`.
struct Near {
    at: usize,
    stages: HashSet<String>,
    json: HashSet<String>,
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
    /// Stage, ETL and report names that came or went in a version.
    near: Vec<Near>,
    sel: Selection,
}

/// The versions whose switcher lists the one at `centre` (of `len`).
fn window(centre: usize, len: usize) -> std::ops::RangeInclusive<usize> {
    centre.saturating_sub(SWITCHER_SPAN)..=(centre + SWITCHER_SPAN).min(len.saturating_sub(1))
}

impl<'a> Selector<'a> {
    fn new(old: &'a Old, site: &'a Site) -> Selector<'a> {
        Selector {
            old,
            site,
            new_pos: site.versions.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect(),
            old_pos: old.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect(),
            history: Vec::new(),
            near: Vec::new(),
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
        for q in window(p, self.old.ids.len()) {
            if let Some(&ni) = self.new_pos.get(self.old.ids[q].as_str()) {
                self.sel.whole.insert(ni);
            }
        }
    }

    /// Removed versions: their neighbours' switchers and links change.
    fn removed(&mut self) {
        for (p, id) in self.old.ids.iter().enumerate() {
            if self.new_pos.contains_key(id.as_str()) {
                continue;
            }
            self.sel.shared = true;
            self.whole_around_old(p);
            let mut keys = Keys::default();
            if let Some(v) = self.old.versions.get(id) {
                keys.add_all(v);
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
            self.sel.whole.extend(window(q, n));
            let mut keys = Keys::default();
            keys.add_all(v);
            self.history.push((q + 1, Some(q), keys));
            return;
        };
        if self.old.identity[p] != identity(v) {
            self.sel.shared = true;
            self.whole_around_old(p);
            self.sel.whole.extend(window(q, n));
            let mut keys = Keys::default();
            keys.add_all(v);
            if let Some(o) = old {
                keys.add_all(o);
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
        let (so, sn) = (structure(old), structure(v));
        if so == sn {
            self.same_structure(q, old);
        } else {
            self.new_structure(q, &so, &sn);
        }
    }

    /// A version read again whose structure changed: all its pages, and the
    /// pages elsewhere that list what came or went.
    fn new_structure(&mut self, q: usize, so: &Structure, sn: &Structure) {
        self.sel.shared = true;
        self.sel.whole.insert(q);
        let a_old: HashSet<(&str, &str, &str)> = so.artifacts.iter().map(|k| (k.stage, k.name, k.slug)).collect();
        let a_new: HashSet<(&str, &str, &str)> = sn.artifacts.iter().map(|k| (k.stage, k.name, k.slug)).collect();
        let mut keys = Keys::default();
        for (stage, name, _) in a_old.symmetric_difference(&a_new) {
            keys.add(stage, name);
        }
        self.history.push((q + 1, Some(q), keys));
        let stages = changed_names(&so.stages, &sn.stages, |s| Some(s.0), |s| s.1);
        let json = changed_names(&so.json, &sn.json, |d| d.1.map(|_| d.0), |d| d.1.unwrap_or(""));
        let eda = changed_names(&so.eda, &sn.eda, |e| Some(e.0), |e| e.1);
        self.near.push(Near { at: q, stages, json, eda });
    }

    /// A version read again with the same structure: its own summary pages,
    /// and the pages of what differs.
    fn same_structure(&mut self, q: usize, old: &Version) {
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
        for (ai, (a, b)) in old.artifacts.iter().zip(&v.artifacts).enumerate() {
            let doc_same = match (a.json, b.json) {
                (Some(x), Some(y)) => x == y && same_doc(old, v, x),
                (None, None) => true,
                _ => false,
            };
            if a != b || size_of(old, a.file_index) != size_of(v, b.file_index) || !doc_same {
                self.sel.pages.insert(PageKind::Artifact(q, ai));
            }
        }
        for di in 0..v.json.len() {
            if v.json[di].page.is_some() && !same_doc(old, v, di) {
                self.sel.pages.insert(PageKind::Etl(q, di));
            }
        }
    }

    /// Artifact pages whose previous or next run of the same artifact changed:
    /// the nearest version on each side that has it, and the version itself.
    fn history(&mut self) {
        let n = self.site.versions.len();
        for (after, at, keys) in std::mem::take(&mut self.history) {
            if let Some(q) = at {
                self.mark_artifacts(q, &keys);
            }
            let before = at.unwrap_or(after);
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

    /// Stage, ETL and report pages of nearby versions whose switcher lists one that came or went.
    fn near(&mut self) {
        let n = self.site.versions.len();
        for Near { at, stages, json, eda } in std::mem::take(&mut self.near) {
            for w in window(at, n) {
                let v = &self.site.versions[w];
                for (si, _) in v.stages.iter().enumerate().filter(|(_, s)| stages.contains(&s.name)) {
                    self.sel.pages.insert(PageKind::Stage(w, si));
                }
                for (di, _) in v.json.iter().enumerate().filter(|(_, d)| json.contains(&d.rel)) {
                    self.sel.pages.insert(PageKind::Etl(w, di));
                }
                for (ei, _) in v.eda.iter().enumerate().filter(|(_, e)| eda.contains(&e.name)) {
                    self.sel.pages.insert(PageKind::Eda(w, ei));
                }
            }
        }
    }

    /// The pages that show verdicts which changed: a run's own summary when
    /// its checks changed; every page of the runs whose switcher lists it, and
    /// the site files (the search index), when its verdict did. When the
    /// baseline was read again, every run's comparison with it.
    fn judged_again(&mut self, replaced: &HashSet<String>) {
        let n = self.site.versions.len();
        for (q, v) in self.site.versions.iter().enumerate() {
            let Some(before) = self.old.verdicts.get(&v.id) else { continue };
            if *before != v.verdict {
                self.sel.pages.insert(PageKind::Version(q));
            }
            if before.status != v.verdict.status {
                self.sel.shared = true;
                self.sel.whole.extend(window(q, n));
            }
        }
        if let Some(b) = self.site.baseline
            && replaced.contains(&self.site.versions[b].id)
        {
            self.sel.pages.extend((0..n).map(PageKind::Baseline));
        }
    }
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
    status: Status,
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

fn size_of(v: &Version, file: Option<usize>) -> Option<u64> {
    file.map(|i| v.files[i].size)
}

fn same_doc(a: &Version, b: &Version, di: usize) -> bool {
    let (x, y) = (&a.json[di], &b.json[di]);
    let parsed = match (&x.parsed, &y.parsed) {
        // Pruned trees can be equal while the files differ past the cut.
        (Ok(p), Ok(q)) => Arc::ptr_eq(p, q) || (x.cut.is_none() && y.cut.is_none() && p == q),
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

/// Names that came, went or moved to another slug between two lists.
fn changed_names<'a, T: Copy>(
    old: &[T],
    new: &[T],
    name: impl Fn(T) -> Option<&'a str>,
    slug: impl Fn(T) -> &'a str,
) -> HashSet<String> {
    let a: HashSet<(&str, &str)> = old.iter().filter_map(|&x| name(x).map(|n| (n, slug(x)))).collect();
    let b: HashSet<(&str, &str)> = new.iter().filter_map(|&x| name(x).map(|n| (n, slug(x)))).collect();
    a.symmetric_difference(&b).map(|(n, _)| n.to_string()).collect()
}
