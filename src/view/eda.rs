//! An EDA report's page: the report in a sandboxed frame, with its figures
//! and tables.

use super::common::{FileLink, Heading, Link, PageContext, Scope, file_link};
use super::nav::crumbs;
use super::report::{ReportView, report_view};
use crate::input::preview::Preview;
use crate::plan;
use serde::Serialize;

#[derive(Serialize)]
struct EdaView<'a> {
    name: String,
    report_href: String,
    artifact_href: String,
    description: Option<String>,
    figures: Vec<FileLink>,
    tables: Vec<FileLink>,
    other: Vec<FileLink>,
    /// What the page says beside the framed report.
    report: Option<ReportView<'a>>,
}

/// The page of EDA report `ei` of version `vi`, framing the report whose
/// `preview` tells what it loads and links to.
pub(crate) fn page(s: &Scope, vi: usize, ei: usize, preview: Option<&Preview>, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    let e = &v.eda[ei];
    let a = &v.artifacts[e.artifact];
    let files = |list: &[String]| -> Vec<FileLink> { list.iter().map(|f| file_link(v, f)).collect() };
    let view = EdaView {
        name: e.name.clone(),
        report_href: a.file.as_deref().map(|f| plan::raw(v, f)).unwrap_or_default(),
        artifact_href: plan::artifact(v, e.artifact),
        description: a.description.clone(),
        figures: files(&e.figures),
        tables: files(&e.tables),
        other: files(&e.other),
        report: preview.zip(a.file.as_deref()).and_then(|(p, f)| report_view(v, f, p, &plan::eda(v, ei))),
    };
    ctx.insert("eda", &view);
    let trail = vec![Link { label: format!("EDA: {}", e.name), href: plan::eda(v, ei) }];
    Heading { title: format!("EDA report {}", e.name), crumbs: crumbs(s.site, Some(vi), trail) }
}
