//! Problems as pages show them: the problems page (by run, then by file), a
//! run's own problems, and the problems of one file (see [`super::findings`]).

use super::common::{Heading, Link, PageContext, Scope};
use super::findings::{self, Paths, RunFindings};
use super::nav::{VersionRef, crumbs, version_ref};
use crate::diagnostics::{Counts, Diagnostic};
use serde::Serialize;

/// The problems page lists at most this many rows (errors first).
pub(crate) const MAX_PROBLEM_ROWS: usize = 2000;

/// The problems of one run (or of the site, without `r`) on the problems page.
#[derive(Serialize)]
struct RunProblems {
    r: Option<VersionRef>,
    /// Its section's id on the problems page: `run-{slug}`, or `site`.
    anchor: String,
    found: RunFindings,
}

/// The problems of the run `vi`, grouped, paths from the run's folder.
pub(crate) fn of_run(s: &Scope, vi: usize) -> RunFindings {
    let v = &s.site.versions[vi];
    let mine: Vec<&Diagnostic> = s.site.problems.iter().filter(|d| v.owns(d)).collect();
    findings::group(Some(&v.id), &mine, MAX_PROBLEM_ROWS, Paths::Run, &|path| s.index.file_page(path))
}

/// The problems of the file at `path` in run `vi`, grouped, leaving out
/// those in `shown` (shown elsewhere on the page).
pub(crate) fn of_file(s: &Scope, vi: usize, path: &str, shown: &[Diagnostic]) -> RunFindings {
    let v = &s.site.versions[vi];
    let mine: Vec<&Diagnostic> = s.site.problems.iter().filter(|d| d.path == path && !shown.contains(d)).collect();
    findings::group(Some(&v.id), &mine, MAX_PROBLEM_ROWS, Paths::Run, &|_| None)
}

/// The problems page: each run's problems, newest run first, then those
/// outside every run, within bounds (the full list is in `problems.json`).
pub(crate) fn page(s: &Scope, ctx: &mut PageContext) -> Heading {
    let site = s.site;
    let page_of = |path: &str| s.index.file_page(path);
    let mut runs = Vec::new();
    let mut room = MAX_PROBLEM_ROWS;
    for (vi, v) in site.versions.iter().enumerate().rev() {
        let mine: Vec<&Diagnostic> = site.problems.iter().filter(|d| v.owns(d)).collect();
        if mine.is_empty() {
            continue;
        }
        let found = findings::group(Some(&v.id), &mine, room, Paths::Root, &page_of);
        room = room.saturating_sub(found.files.iter().map(|f| f.rows.len()).sum());
        let anchor = format!("run-{}", v.slug);
        runs.push(RunProblems { r: Some(version_ref(site, s.index, vi)), anchor, found });
    }
    let outside: Vec<&Diagnostic> = site.problems.iter().filter(|d| !site.versions.iter().any(|v| v.owns(d))).collect();
    if !outside.is_empty() {
        let found = findings::group(None, &outside, room, Paths::Root, &page_of);
        runs.push(RunProblems { r: None, anchor: "site".into(), found });
    }
    ctx.insert("runs", &runs);
    ctx.insert("counts", &Counts::of(&site.problems));
    let trail = vec![Link { label: "Problems".into(), href: crate::plan::PROBLEMS_PAGE.into() }];
    Heading { title: "Problems".into(), crumbs: crumbs(site, None, trail) }
}
