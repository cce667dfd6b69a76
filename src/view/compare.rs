//! A version compared with an earlier one (the previous run, or the
//! configured baseline): headline and stage numbers with deltas, artifacts
//! added, removed and changed, changed ETL fields, and feature registry
//! differences.

use super::common::{
    ArtifactRow, Heading, Link, NumView, PageContext, Scope, artifact_row, field_text, num_plain, sourced,
};
use super::delta::{self, Better, Change};
use super::index::SiteIndex;
use super::nav::crumbs;
use crate::config::limits::MAX_ROWS;
use crate::input::etl::Typed;
use crate::input::source;
use crate::model::Site;
use crate::model::{Sourced, StageMetrics, Version};
use crate::plan;
use crate::util::html;
use crate::util::paths::{pointer_id, pointer_push};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Files larger than this are compared by size only.
const MAX_COMPARE_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many changed fields are listed per ETL file.
const MAX_FIELDS: usize = 60;

/// An old and a new number with their difference.
#[derive(Serialize)]
pub(crate) struct Delta {
    old: Option<NumView>,
    new: Option<NumView>,
    change: Option<Change>,
}

fn delta(prev: &Version, cur: &Version, old: Option<&Sourced>, new: Option<&Sourced>, better: Better) -> Delta {
    Delta {
        old: old.map(|s| sourced(prev, s)),
        new: new.map(|s| sourced(cur, s)),
        change: delta::between(old.map(|s| s.value), new.map(|s| s.value), better),
    }
}

/// [`delta()`] of two computed numbers.
fn delta_plain(old: Option<f64>, new: Option<f64>, better: Better) -> Delta {
    Delta { old: old.map(num_plain), new: new.map(num_plain), change: delta::between(old, new, better) }
}

/// One stage in both versions.
#[derive(Serialize)]
pub(crate) struct StageDelta {
    name: String,
    href: Option<String>,
    records_in: Delta,
    records_out: Delta,
    seconds: Delta,
    issues: Delta,
}

/// An artifact whose file differs.
#[derive(Serialize)]
pub(crate) struct Changed {
    row: ArtifactRow,
    old_href: String,
    why: String,
}

/// One changed leaf of a typed ETL file.
#[derive(Serialize)]
pub(crate) struct FieldChange {
    pointer: String,
    old: Option<String>,
    new: Option<String>,
    old_href: Option<String>,
    new_href: Option<String>,
    /// The difference, when both values are numbers.
    change: Option<Change>,
}

/// The changed fields of one ETL file.
#[derive(Serialize)]
pub(crate) struct EtlDiff {
    rel: String,
    href: Option<String>,
    old_href: Option<String>,
    fields: Vec<FieldChange>,
    more: usize,
}

/// Feature registry differences.
#[derive(Serialize, Default)]
pub(crate) struct FeatureDiff {
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<(String, String, String)>,
}

/// Everything the compare page shows.
#[derive(Serialize)]
pub(crate) struct CompareView {
    /// The earlier run.
    against: Link,
    quality: Delta,
    records_in: Delta,
    records_out: Delta,
    issues: Delta,
    stages: Vec<StageDelta>,
    /// Added, removed, changed and rewritten artifacts, as top-level keys.
    #[serde(flatten)]
    artifacts: ArtifactChanges,
    etl: Vec<EtlDiff>,
    /// ETL files with changed fields, before the list was cut at [`MAX_ETL_FILES`].
    etl_total: usize,
    features: FeatureDiff,
}

/// At most this many ETL files' changed fields are listed.
pub(crate) const MAX_ETL_FILES: usize = 40;

/// A leaf of a JSON document (a scalar, or an empty object or array) at a
/// JSON pointer, in the old and the new document; `None` where that
/// document has no such leaf.
type LeafChange<'a> = (String, Option<&'a Value>, Option<&'a Value>);

/// Whether `v` has children, which [`changed_leaves`] walks into.
fn branches(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

/// Every leaf below `pointer` that differs between `old` and `new`, walking
/// both documents at once: the unchanged parts are compared, never listed.
fn changed_leaves<'a>(old: Option<&'a Value>, new: Option<&'a Value>, pointer: &str, out: &mut Vec<LeafChange<'a>>) {
    let (a, b) = (old.filter(|v| branches(v)), new.filter(|v| branches(v)));
    if a.is_none() && b.is_none() {
        if old != new {
            out.push((pointer.to_string(), old, new));
        }
        return;
    }
    if old == new {
        return;
    }
    // A leaf on one side and branches on the other: the leaf went or came.
    let leaf_old = old.filter(|_| a.is_none());
    let leaf_new = new.filter(|_| b.is_none());
    if leaf_old.is_some() || leaf_new.is_some() {
        out.push((pointer.to_string(), leaf_old, leaf_new));
    }
    match (a, b) {
        (Some(Value::Object(ma)), Some(Value::Object(mb))) => {
            for (k, va) in ma {
                changed_leaves(Some(va), mb.get(k), &pointer_push(pointer, k), out);
            }
            for (k, vb) in mb.iter().filter(|(k, _)| !ma.contains_key(*k)) {
                changed_leaves(None, Some(vb), &pointer_push(pointer, k), out);
            }
        }
        (Some(Value::Array(xa)), Some(Value::Array(xb))) => {
            for i in 0..xa.len().max(xb.len()) {
                changed_leaves(xa.get(i), xb.get(i), &format!("{pointer}/{i}"), out);
            }
        }
        _ => {
            for (side, v) in [(true, a), (false, b)] {
                let Some(v) = v else { continue };
                let children: Vec<(String, &Value)> = match v {
                    Value::Object(m) => m.iter().map(|(k, c)| (pointer_push(pointer, k), c)).collect(),
                    Value::Array(x) => x.iter().enumerate().map(|(i, c)| (format!("{pointer}/{i}"), c)).collect(),
                    _ => Vec::new(),
                };
                for (at, c) in children {
                    let (o, n) = if side { (Some(c), None) } else { (None, Some(c)) };
                    changed_leaves(o, n, &at, out);
                }
            }
        }
    }
}

/// A leaf's value as a number, when it is one.
fn number(v: Option<&Value>) -> Option<f64> {
    let v = v?;
    v.as_f64().or_else(|| crate::util::lenient_json::non_finite(v))
}

/// The leaves that differ between two parsed documents, by pointer.
fn changed_fields<'a>(old: &'a Value, new: &'a Value) -> Vec<LeafChange<'a>> {
    let mut changed = Vec::new();
    changed_leaves(Some(old), Some(new), "", &mut changed);
    changed.sort_by(|x, y| x.0.cmp(&y.0));
    // An object's key and an array's index can spell the same pointer: one leaf.
    changed.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 = first.1.or(later.1);
            first.2 = first.2.or(later.2);
        }
        same
    });
    changed.retain(|(_, a, b)| a != b);
    changed
}

/// The changed fields of JSON file `ci` of `cur` against file `pi` of `prev`,
/// when both parse and any differs.
fn etl_diff(prev: &Version, cur: &Version, pi: usize, ci: usize) -> Option<EtlDiff> {
    let (Ok(old), Ok(new)) = (&prev.json[pi].parsed, &cur.json[ci].parsed) else { return None };
    if old == new {
        return None;
    }
    let (old, new) = (old.value(), new.value());
    let changed = changed_fields(&old, &new);
    if changed.is_empty() {
        return None;
    }
    let (old_page, new_page) = (plan::doc(prev, pi), plan::doc(cur, ci));
    let at = |page: &Option<String>, p: &str| page.as_ref().map(|pg| format!("{pg}#{}", pointer_id(p)));
    let more = changed.len().saturating_sub(MAX_FIELDS);
    let fields = changed
        .into_iter()
        .take(MAX_FIELDS)
        .map(|(k, a, b)| FieldChange {
            old: a.map(field_text),
            new: b.map(field_text),
            old_href: a.and_then(|_| at(&old_page, &k)),
            new_href: b.and_then(|_| at(&new_page, &k)),
            change: delta::between(number(a), number(b), Better::Neither),
            pointer: k,
        })
        .collect();
    Some(EtlDiff { rel: cur.json[ci].rel.clone(), href: new_page.clone(), old_href: old_page.clone(), fields, more })
}

/// Whether any field of JSON file `ci` of `cur` differs from file `pi` of `prev`.
fn etl_differs(prev: &Version, cur: &Version, pi: usize, ci: usize) -> bool {
    match (&prev.json[pi].parsed, &cur.json[ci].parsed) {
        (Ok(old), Ok(new)) => old != new && !changed_fields(&old.value(), &new.value()).is_empty(),
        _ => false,
    }
}

fn registry(v: &Version) -> Option<&BTreeMap<String, crate::input::etl::RegistryEntry>> {
    v.json.iter().find_map(|d| match d.typed() {
        Some(Typed::FeatureRegistry(r)) => Some(r),
        _ => None,
    })
}

fn feature_diff(prev: &Version, cur: &Version) -> FeatureDiff {
    let (Some(a), Some(b)) = (registry(prev), registry(cur)) else { return FeatureDiff::default() };
    let mut d = FeatureDiff::default();
    for (name, entry) in b {
        match a.get(name) {
            None => d.added.push(name.clone()),
            Some(old) => {
                let show = |e: &crate::input::etl::RegistryEntry| {
                    format!(
                        "{} records, {} features",
                        e.records.map_or("?".into(), |n| html::number(n.0, 2)),
                        e.features.len()
                    )
                };
                if old.records != entry.records || old.features != entry.features {
                    d.changed.push((name.clone(), show(old), show(entry)));
                }
            }
        }
    }
    d.removed = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    d
}

/// Compares `cur` with the earlier run `prev`.
pub(crate) fn view(prev: &Version, cur: &Version) -> CompareView {
    let (etl, etl_total) = etl_diffs(prev, cur);
    let (ps, cs) = (&prev.summary, &cur.summary);
    CompareView {
        against: Link { label: prev.id.clone(), href: plan::version(prev) },
        quality: delta(prev, cur, ps.quality_score.as_ref(), cs.quality_score.as_ref(), Better::Up),
        records_in: delta(prev, cur, ps.records_in.as_ref(), cs.records_in.as_ref(), Better::Neither),
        records_out: delta(prev, cur, ps.records_out.as_ref(), cs.records_out.as_ref(), Better::Up),
        issues: delta_plain(ps.issues, cs.issues, Better::Down),
        stages: stage_deltas(prev, cur),
        artifacts: artifact_changes(prev, cur),
        etl,
        etl_total,
        features: feature_diff(prev, cur),
    }
}

/// One row per stage of either run (the current run's order first), with the
/// change in records and time and issues.
fn stage_deltas(prev: &Version, cur: &Version) -> Vec<StageDelta> {
    let stage_of = |v: &Version, name: &str| v.stages.iter().position(|s| s.name == name);
    let mut names: Vec<&str> = cur.stages.iter().map(|s| s.name.as_str()).collect();
    names.extend(prev.stages.iter().map(|s| s.name.as_str()).filter(|n| stage_of(cur, n).is_none()));
    names
        .into_iter()
        .map(|name| {
            let c = stage_of(cur, name);
            let pm = stage_of(prev, name).map(|i| &prev.stages[i].metrics);
            let cm = c.map(|i| &cur.stages[i].metrics);
            let metric = |get: fn(&StageMetrics) -> Option<&Sourced>, better| {
                delta(prev, cur, pm.and_then(get), cm.and_then(get), better)
            };
            StageDelta {
                name: name.to_string(),
                href: c.map(|i| plan::stage(cur, i)),
                records_in: metric(|m| m.records_in.as_ref(), Better::Neither),
                records_out: metric(|m| m.records_out.as_ref(), Better::Up),
                seconds: metric(|m| m.seconds.as_ref(), Better::Down),
                issues: metric(|m| m.issues.as_ref(), Better::Down),
            }
        })
        .collect()
}

/// How the artifacts of two runs differ, matched by stage and name; each list
/// holds at most [`MAX_ROWS`], its total counts all.
#[derive(Default, Serialize)]
struct ArtifactChanges {
    added: Vec<ArtifactRow>,
    removed: Vec<Link>,
    /// Artifacts whose file appeared or went missing.
    changed: Vec<Changed>,
    /// Artifacts whose file has other bytes (new data, the usual case).
    rewritten: Vec<Changed>,
    added_total: usize,
    removed_total: usize,
    changed_total: usize,
    rewritten_total: usize,
    unchanged: usize,
}

fn artifact_changes(prev: &Version, cur: &Version) -> ArtifactChanges {
    let key = |v: &Version, i: usize| (v.artifacts[i].stage.clone(), v.artifacts[i].name.clone());
    let old: HashMap<(String, String), usize> = (0..prev.artifacts.len()).map(|i| (key(prev, i), i)).collect();
    let new: HashMap<(String, String), usize> = (0..cur.artifacts.len()).map(|i| (key(cur, i), i)).collect();
    let mut out = ArtifactChanges::default();
    for ci in 0..cur.artifacts.len() {
        let Some(&pi) = old.get(&key(cur, ci)) else {
            out.added_total += 1;
            if out.added.len() < MAX_ROWS {
                out.added.push(artifact_row(cur, ci));
            }
            continue;
        };
        let Some((why, bytes_only)) = why_changed(prev, pi, cur, ci) else {
            out.unchanged += 1;
            continue;
        };
        let (list, total) = if bytes_only {
            (&mut out.rewritten, &mut out.rewritten_total)
        } else {
            (&mut out.changed, &mut out.changed_total)
        };
        *total += 1;
        if list.len() < MAX_ROWS {
            list.push(Changed { row: artifact_row(cur, ci), old_href: plan::artifact(prev, pi), why });
        }
    }
    let removed: Vec<usize> = (0..prev.artifacts.len()).filter(|&pi| !new.contains_key(&key(prev, pi))).collect();
    out.removed_total = removed.len();
    out.removed = removed
        .into_iter()
        .take(MAX_ROWS)
        .map(|pi| Link {
            label: format!("{} ({})", prev.artifacts[pi].name, prev.artifacts[pi].stage),
            href: plan::artifact(prev, pi),
        })
        .collect();
    out
}

/// Why artifact `ci` of `cur` differs from its match `pi` in `prev`, and
/// whether only the file's bytes differ; `None` when nothing did.
fn why_changed(prev: &Version, pi: usize, cur: &Version, ci: usize) -> Option<(String, bool)> {
    let old = prev.artifacts[pi].file_index.map(|i| &prev.files[i]);
    let new = cur.artifacts[ci].file_index.map(|i| &cur.files[i]);
    match (old, new) {
        (Some(fa), Some(fb)) if fa.size != fb.size => {
            Some((format!("size {} → {}", html::bytes(fa.size), html::bytes(fb.size)), true))
        }
        (Some(fa), Some(fb)) if fa.size <= MAX_COMPARE_BYTES => match source::same_content(&fa.at, &fb.at, fa.size) {
            Ok(true) => None,
            Ok(false) => Some(("same size, different content".to_string(), true)),
            Err(e) => Some((format!("could not compare: {e}"), false)),
        },
        (Some(_), Some(_)) | (None, None) => None,
        (None, Some(_)) => Some(("file was missing before".into(), false)),
        (Some(_), None) => Some(("file is missing now".into(), false)),
    }
}

/// The field changes of each typed ETL file both runs have, at most
/// [`MAX_ETL_FILES`], and how many there are in all.
fn etl_diffs(prev: &Version, cur: &Version) -> (Vec<EtlDiff>, usize) {
    let prev_docs: HashMap<&str, usize> = prev.json.iter().enumerate().map(|(i, d)| (d.rel.as_str(), i)).collect();
    let pairs = cur
        .json
        .iter()
        .enumerate()
        .filter(|(_, d)| d.typed().is_some())
        .filter_map(|(ci, d)| prev_docs.get(d.rel.as_str()).map(|&pi| (pi, ci)));
    let (mut etl, mut total) = (Vec::new(), 0);
    for (pi, ci) in pairs {
        if etl.len() < MAX_ETL_FILES {
            etl.extend(etl_diff(prev, cur, pi, ci));
            total = etl.len();
        } else if etl_differs(prev, cur, pi, ci) {
            total += 1;
        }
    }
    (etl, total)
}

/// The link to the baseline comparison of version `vi`, when there is one.
fn baseline_link(site: &Site, idx: &SiteIndex, vi: usize) -> Option<Link> {
    let bi = idx.baseline?;
    (bi != vi).then(|| Link { label: site.versions[bi].id.clone(), href: plan::baseline(&site.versions[vi]) })
}

/// The comparison of version `vi` with the previous run (none for the first run).
pub(crate) fn previous(s: &Scope, vi: usize, ctx: &mut PageContext) -> Heading {
    let site = s.site;
    let v = &site.versions[vi];
    ctx.insert("compare", &vi.checked_sub(1).map(|pi| view(&site.versions[pi], v)));
    ctx.insert("against", "previous");
    ctx.insert("baseline", &baseline_link(site, s.index, vi));
    let trail = vec![Link { label: "Compare".into(), href: plan::compare(v) }];
    Heading { title: format!("{} compared with the previous run", v.id), crumbs: crumbs(site, Some(vi), trail) }
}

/// The comparison of version `vi` with the configured baseline.
pub(crate) fn baseline(s: &Scope, vi: usize, ctx: &mut PageContext) -> Heading {
    let site = s.site;
    let v = &site.versions[vi];
    let bi = s.index.baseline.expect("baseline pages exist only with a baseline");
    ctx.insert("compare", &Some(view(&site.versions[bi], v)));
    ctx.insert("against", "baseline");
    ctx.insert("baseline", &baseline_link(site, s.index, vi));
    let trail = vec![
        Link { label: "Compare".into(), href: plan::compare(v) },
        Link { label: "Baseline".into(), href: plan::baseline(v) },
    ];
    let title = format!("{} compared with the baseline {}", v.id, site.versions[bi].id);
    Heading { title, crumbs: crumbs(site, Some(vi), trail) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every leaf of a document by pointer, the plain way: what
    /// [`changed_fields`] must agree with.
    fn leaves<'a>(v: &'a Value, pointer: String, out: &mut BTreeMap<String, &'a Value>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, child) in m {
                    leaves(child, pointer_push(&pointer, k), out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, child) in a.iter().enumerate() {
                    leaves(child, format!("{pointer}/{i}"), out);
                }
            }
            _ => {
                out.insert(pointer, v);
            }
        }
    }

    fn by_leaves<'a>(old: &'a Value, new: &'a Value) -> Vec<LeafChange<'a>> {
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        leaves(old, String::new(), &mut a);
        leaves(new, String::new(), &mut b);
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        keys.into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| (k.clone(), a.get(k).copied(), b.get(k).copied()))
            .collect()
    }

    #[test]
    fn changed_fields_agree_with_every_leaf_compared() {
        let docs = [
            json!({"a": 1, "b": {"c": [1, 2, 3], "d": "x"}, "e": {}}),
            json!({"a": 1.0, "b": {"c": [1, 2], "d": "y", "n": null}, "e": []}),
            json!({"a": {"deep": true}, "b": 5, "e/f": {"~": 0}}),
            json!({"a": [], "b": {"c": {"0": 1, "1": 2, "2": 4}}, "e": {"x": {}}}),
            json!([1, {"k": [true]}, "s"]),
            json!({"0": 1}),
            json!({}),
            json!(null),
        ];
        for old in &docs {
            for new in &docs {
                assert_eq!(changed_fields(old, new), by_leaves(old, new), "{old} -> {new}");
            }
        }
    }
}
