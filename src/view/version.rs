//! A run's summary page: its verdict and checks, headline numbers and stages
//! with their changes, ETL files, reports, artifacts by stage and problems.

use super::common::{
    ArtifactRow, Heading, Link, NumView, PageContext, Scope, artifact_row, exact, field_href, manifest_label,
};
use super::nav::crumbs;
use super::{problems, stage, summary};
use crate::model::Site;
use crate::model::verdict::{CheckResult, Source, Status as Health};
use crate::plan;
use crate::util::html;
use serde::Serialize;

/// A check as the version page lists it.
#[derive(Serialize)]
struct CheckView {
    id: String,
    name: String,
    status: Health,
    value: Option<NumView>,
    value_text: Option<String>,
    expected: String,
    previous: Option<String>,
    message: String,
    /// Where the value came from: the JSON field, or the run's problems.
    href: Option<String>,
}

fn check_view(site: &Site, vi: usize, r: &CheckResult) -> CheckView {
    let v = &site.versions[vi];
    let href = match &r.source {
        Source::Field(s) => field_href(v, s.doc, &s.pointer),
        Source::Problems => Some(format!("{}#problems", plan::version(v))),
        Source::Computed => None,
    };
    let value = r.value.map(|x| NumView {
        text: html::number(x, 2),
        value: exact(x),
        href: match &r.source {
            Source::Field(_) => href.clone(),
            _ => None,
        },
    });
    CheckView {
        id: r.id.clone(),
        name: r.name.clone(),
        status: r.status,
        value,
        value_text: r.value_text.clone(),
        expected: r.expected.clone(),
        previous: r.previous.map(|p| html::number(p, 2)),
        message: r.message.clone(),
        href,
    }
}

/// The summary page of version `vi`.
pub(crate) fn page(s: &Scope, vi: usize, ctx: &mut PageContext) -> Heading {
    let site = s.site;
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    ctx.insert("summary", &summary::summary_view(site, vi));
    ctx.insert("stages", &(0..v.stages.len()).map(|si| stage::row(v, prev, si)).collect::<Vec<_>>());
    ctx.insert("checks", &v.verdict.results.iter().map(|r| check_view(site, vi, r)).collect::<Vec<_>>());
    ctx.insert("problems", &problems::of_run(s, vi));
    let eda: Vec<Link> =
        (0..v.eda.len()).map(|ei| Link { label: v.eda[ei].name.clone(), href: plan::eda(v, ei) }).collect();
    ctx.insert("eda", &eda);
    let unified: Vec<ArtifactRow> = (0..v.artifacts.len())
        .filter(|&ai| v.artifacts[ai].file.as_deref().is_some_and(|f| f.starts_with("unified_reports/")))
        .map(|ai| artifact_row(v, ai))
        .collect();
    ctx.insert("unified", &unified);
    ctx.insert("artifact_count", &v.artifacts.len());
    ctx.insert("counts", &v.problems);
    ctx.insert("manifest", manifest_label(v.manifest));
    ctx.insert("artifacts_href", &plan::artifacts(v));
    ctx.insert("quality_href", &plan::quality(v));
    ctx.insert("compare_href", &plan::compare(v));
    Heading { title: v.id.clone(), crumbs: crumbs(site, Some(vi), vec![]) }
}
