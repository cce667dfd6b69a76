//! The home page and the pages of older runs: every run, newest first, with
//! its verdict and headline numbers; on the home page, the latest run's
//! card and the sparklines across runs.

use super::common::{Heading, Link, PageContext, Scope, manifest_label};
use super::nav::{VersionRef, version_ref};
use super::summary::{SummaryView, summary_view};
use crate::diagnostics::Counts;
use crate::plan;
use serde::Serialize;

/// A row of the home page's version table.
#[derive(Serialize)]
pub(crate) struct VersionRow {
    r: VersionRef,
    summary: SummaryView,
    artifacts: usize,
    /// Problems in its files, by severity.
    counts: Counts,
    manifest: &'static str,
    /// The checks that failed or warned, by name.
    flagged: Vec<String>,
}

/// Where a page of the list of runs is among the others.
#[derive(Serialize)]
struct Pager {
    /// This page's number, from 1 (the home page).
    current: usize,
    /// How many pages list runs.
    count: usize,
    /// The page of newer runs, if any.
    newer: Option<String>,
    /// The page of older runs, if any.
    older: Option<String>,
}

/// Page `page` (from 1, the home page) of the list of runs.
pub(crate) fn page(s: &Scope, page: usize, ctx: &mut PageContext) -> Heading {
    let site = s.site;
    let count = plan::run_pages(site.versions.len());
    let rows: Vec<VersionRow> = (0..site.versions.len())
        .rev()
        .skip((page - 1) * plan::RUNS_PER_PAGE)
        .take(plan::RUNS_PER_PAGE)
        .map(|vi| {
            let v = &site.versions[vi];
            VersionRow {
                r: version_ref(site, s.index, vi),
                summary: summary_view(site, vi),
                artifacts: v.artifacts.len(),
                counts: v.problems,
                manifest: manifest_label(v.manifest),
                flagged: v.verdict.flagged().map(|c| c.summary.clone()).collect(),
            }
        })
        .collect();
    ctx.insert("versions", &rows);
    let pager = Pager {
        current: page,
        count,
        newer: (page > 1).then(|| plan::runs(page - 1)),
        older: (page < count).then(|| plan::runs(page + 1)),
    };
    ctx.insert("pager", &pager);
    ctx.insert("counts", &Counts::of(&site.problems));
    let sparks = if page == 1 { super::trends::sparks(site) } else { Vec::new() };
    ctx.insert("sparks", &sparks);
    let home = Link { label: "Home".into(), href: plan::runs(1) };
    match page {
        1 => Heading { title: s.config.title.clone(), crumbs: vec![home] },
        n => Heading {
            title: format!("Runs, page {n}"),
            crumbs: vec![home, Link { label: format!("Page {n}"), href: plan::runs(n) }],
        },
    }
}
