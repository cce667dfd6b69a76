//! A run's artifact index: one table of every artifact, with the health of
//! each (missing, unlisted, the problems found in its file), which the
//! page's script sorts and filters by type, stage and health.

use super::common::{ArtifactRow, Heading, Link, PageContext, Scope, artifact_row};
use super::nav::crumbs;
use crate::config::limits::MAX_ROWS;
use crate::diagnostics::Counts;
use crate::model::{Status, Version};
use crate::plan;
use serde::Serialize;
use std::collections::BTreeMap;

/// One artifact as the index shows it.
#[derive(Serialize)]
struct IndexRow {
    #[serde(flatten)]
    row: ArtifactRow,
    /// The file's size in bytes, for sorting.
    bytes: Option<u64>,
    /// The problems found in its file.
    counts: Counts,
    /// Its health as filter words: `ok`, or any of `missing`, `unlisted`
    /// and `problems`.
    health: String,
}

/// A value of a filter and how many artifacts have it.
#[derive(Serialize)]
struct Choice {
    name: String,
    count: usize,
}

#[derive(Serialize)]
struct Index {
    /// The first [`MAX_ROWS`] artifacts, by type, stage and name.
    rows: Vec<IndexRow>,
    total: usize,
    more: usize,
    types: Vec<Choice>,
    stages: Vec<Choice>,
    /// How many artifacts have each health word.
    health: Vec<Choice>,
}

/// The health words of artifact `ai` of `v` whose file has `counts`.
fn health(v: &Version, ai: usize, counts: &Counts) -> String {
    let mut words = Vec::new();
    match v.artifacts[ai].status {
        Status::Missing => words.push("missing"),
        Status::Unlisted => words.push("unlisted"),
        Status::Listed => {}
    }
    if counts.errors + counts.warnings > 0 {
        words.push("problems");
    }
    if words.is_empty() { "ok".into() } else { words.join(" ") }
}

/// How many artifacts have each value, by name.
fn choices<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Choice> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        *count.entry(v).or_default() += 1;
    }
    count.into_iter().map(|(name, count)| Choice { name: name.to_string(), count }).collect()
}

/// The artifact index of version `vi`: one bounded table.
pub(crate) fn page(s: &Scope, vi: usize, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    let by_file = s.site.problems_by_path();
    let a = &v.artifacts;
    // The problems of each artifact's file, and its health words.
    let judged: Vec<(Counts, String)> = (0..a.len())
        .map(|ai| {
            let counts = match &a[ai].file {
                Some(f) => Counts::of(by_file.get(format!("{}/{f}", v.id).as_str()).into_iter().flatten().copied()),
                None => Counts::default(),
            };
            let words = health(v, ai, &counts);
            (counts, words)
        })
        .collect();
    let mut order: Vec<usize> = (0..a.len()).collect();
    order.sort_by(|&x, &y| {
        (&a[x].artifact_type, &a[x].stage, &a[x].name)
            .cmp(&(&a[y].artifact_type, &a[y].stage, &a[y].name))
            .then(x.cmp(&y))
    });
    let rows: Vec<IndexRow> = order
        .iter()
        .take(MAX_ROWS)
        .map(|&ai| IndexRow {
            row: artifact_row(v, ai),
            bytes: a[ai].file_index.map(|i| v.files[i].size),
            counts: judged[ai].0,
            health: judged[ai].1.clone(),
        })
        .collect();
    let index = Index {
        total: a.len(),
        more: a.len().saturating_sub(rows.len()),
        rows,
        types: choices(a.iter().map(|x| x.artifact_type.as_str())),
        stages: choices(a.iter().map(|x| x.stage.as_str())),
        health: choices(judged.iter().flat_map(|(_, h)| h.split(' '))),
    };
    ctx.insert("index", &index);
    let trail = vec![Link { label: "Artifacts".into(), href: plan::artifacts(v) }];
    Heading { title: format!("Artifacts of {}", v.id), crumbs: crumbs(s.site, Some(vi), trail) }
}
