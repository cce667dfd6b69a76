//! A stage: its row on the run's page (records in and out, drop, time,
//! issues, each with its change on the previous run) and its own page.

use super::common::{ArtifactRow, Heading, Link, NumView, PageContext, Scope, artifact_row, sourced};
use super::delta::{self, Better, Change};
use super::nav::crumbs;
use crate::config::limits::MAX_ROWS;
use crate::model::{Sourced, StageMetrics, Version};
use crate::plan;
use crate::util::html;
use serde::Serialize;

/// A stage row of a version summary.
#[derive(Serialize)]
pub(crate) struct StageRow {
    name: String,
    href: String,
    records_in: Option<NumView>,
    records_out: Option<NumView>,
    drop_pct: Option<String>,
    seconds: Option<NumView>,
    issues: Option<NumView>,
    /// Of the issues, how many an earlier stage reported too, and which.
    repeated: Option<(String, String)>,
    /// Changes on the same stage of the previous run, by the same names
    /// (`drop_pct` in percentage points).
    changes: StageChanges,
    /// The first [`MAX_ROWS`] artifacts.
    artifacts: Vec<ArtifactRow>,
    /// All artifacts of the stage.
    artifact_total: usize,
    /// Artifacts not listed.
    more: usize,
    etl: Vec<Link>,
}

/// The changes of a stage's numbers on the previous run.
#[derive(Serialize, Default)]
pub(crate) struct StageChanges {
    records_in: Option<Change>,
    records_out: Option<Change>,
    drop_pct: Option<Change>,
    seconds: Option<Change>,
    issues: Option<Change>,
}

/// The percentage of its records a stage dropped.
fn drop_of(m: &StageMetrics) -> Option<f64> {
    match (&m.records_in, &m.records_out) {
        (Some(i), Some(o)) if i.value > 0.0 && i.value.is_finite() && o.value.is_finite() => {
            Some((i.value - o.value) / i.value * 100.0)
        }
        _ => None,
    }
}

fn stage_changes(m: &StageMetrics, p: &StageMetrics) -> StageChanges {
    let value = |x: &Option<Sourced>| x.as_ref().map(|x| x.value);
    let points = match (drop_of(p), drop_of(m)) {
        (Some(a), Some(b)) => delta::change(a, b, Better::Down).map(|c| Change {
            abs: format!("{} pt", delta::signed(((b - a) * 10.0).round() / 10.0)),
            pct: None,
            ..c
        }),
        _ => None,
    };
    StageChanges {
        records_in: delta::between(value(&p.records_in), value(&m.records_in), Better::Neither),
        records_out: delta::between(value(&p.records_out), value(&m.records_out), Better::Up),
        drop_pct: points,
        seconds: delta::between(value(&p.seconds), value(&m.seconds), Better::Down),
        issues: delta::between(value(&p.issues), value(&m.issues), Better::Down),
    }
}

pub(crate) fn row(v: &Version, prev: Option<&Version>, si: usize) -> StageRow {
    let s = &v.stages[si];
    let m = &s.metrics;
    let drop_pct = drop_of(m).map(|d| format!("{d:.1}%"));
    let before = prev.and_then(|p| p.stages.iter().find(|st| st.name == s.name));
    StageRow {
        name: s.name.clone(),
        href: plan::stage(v, si),
        records_in: m.records_in.as_ref().map(|x| sourced(v, x)),
        records_out: m.records_out.as_ref().map(|x| sourced(v, x)),
        drop_pct,
        seconds: m.seconds.as_ref().map(|x| sourced(v, x)),
        issues: m.issues.as_ref().map(|x| sourced(v, x)),
        repeated: m.repeated.as_ref().map(|(n, from)| (html::number(*n, 0), from.clone())),
        changes: before.map(|b| stage_changes(m, &b.metrics)).unwrap_or_default(),
        artifacts: s.artifacts.iter().take(MAX_ROWS).map(|&ai| artifact_row(v, ai)).collect(),
        artifact_total: s.artifacts.len(),
        more: s.artifacts.len().saturating_sub(MAX_ROWS),
        etl: s.etl.iter().filter_map(|&di| etl_link(v, di)).collect(),
    }
}

fn etl_link(v: &Version, di: usize) -> Option<Link> {
    plan::doc(v, di).map(|href| Link { label: v.json[di].rel.trim_start_matches("etl_metadata/").to_string(), href })
}

/// The page of stage `si` of version `vi`.
pub(crate) fn page(s: &Scope, vi: usize, si: usize, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    ctx.insert("stage", &row(v, vi.checked_sub(1).map(|p| &s.site.versions[p]), si));
    let name = v.stages[si].name.clone();
    let trail = vec![Link { label: name.clone(), href: plan::stage(v, si) }];
    Heading { title: format!("Stage {name}"), crumbs: crumbs(s.site, Some(vi), trail) }
}
