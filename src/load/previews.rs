//! Previews made while reading (for `serve`, which keeps them between
//! rebuilds), and the warnings of any preview as problems of its file.

use super::reuse::{Reuse, stamp};
use crate::config::previews::PreviewConfig;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::preview::{self, Body, Preview};
use crate::input::resolve::{DeadLink, dead_links};
use crate::input::scan::FileEntry;
use crate::model::Artifact;
use rayon::prelude::*;

/// Previews every artifact's file, in parallel; their warnings become
/// diagnostics of the file.
pub(crate) fn add_previews(
    version: &str,
    files: &[FileEntry],
    artifacts: &mut [Artifact],
    cfg: &PreviewConfig,
    problems: &mut Vec<Diagnostic>,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) {
    let cfg = &*cfg.for_run(version);
    artifacts.par_iter_mut().for_each(|a| {
        a.preview = a.file_index.map(|i| {
            let f = &files[i];
            match reuse.previews.get(&f.rel) {
                Some((st, metadata, p)) if *st == stamp(f) && *metadata == a.metadata && !changed(&f.rel) => p.clone(),
                _ => preview::preview(&f.at, &f.rel, f.size, &a.metadata, cfg),
            }
        });
    });
    for a in artifacts.iter() {
        if let (Some(p), Some(rel)) = (&a.preview, &a.file) {
            problems.extend(preview_problems(version, files, rel, p));
        }
    }
}

/// The warnings of the preview of `rel` in `version`, and the dead links of
/// a report among the version's `files` (one problem standing for them
/// all: the report's page lists each), as problems of the file.
pub fn preview_problems(version: &str, files: &[FileEntry], rel: &str, preview: &Preview) -> Vec<Diagnostic> {
    let path = format!("{version}/{rel}");
    let mut found: Vec<Diagnostic> = preview
        .warnings
        .iter()
        .map(|w| {
            let mut d = Diagnostic::new(Severity::Warning, w.code, path.clone(), w.message.clone());
            d.line = w.line;
            d
        })
        .collect();
    let dead = report_dead_links(files, rel, preview);
    if !dead.is_empty() {
        found.push(Diagnostic::new(Severity::Warning, "dead-link", path, dead_links_message(&dead)));
    }
    found
}

/// The links of an HTML report `rel` that lead to no file of the published
/// site; none for other previews.
pub fn report_dead_links(files: &[FileEntry], rel: &str, preview: &Preview) -> Vec<DeadLink> {
    match &preview.body {
        Body::Html(report) => dead_links(rel, &report.links, files),
        _ => Vec::new(),
    }
}

/// What is wrong with a report's dead links: the first few, each with what
/// it most likely meant, and how many more.
fn dead_links_message(dead: &[DeadLink]) -> String {
    const SHOWN: usize = 3;
    let each: Vec<String> = dead
        .iter()
        .take(SHOWN)
        .map(|l| match (&l.meant, &l.target) {
            (Some(meant), _) => format!("`{}` (most likely `{meant}`)", l.href),
            (None, Some(target)) => format!("`{}` (the run has no `{target}`)", l.href),
            (None, None) => format!("`{}` (it climbs out of the run's folder)", l.href),
        })
        .collect();
    let more = match dead.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {} more, listed on the report's page", crate::util::html::number(n as f64, 0)),
    };
    let n = dead.len();
    format!(
        "{} of this report lead{} to no file of the published site: {}{more}",
        crate::util::html::counted(n, "link"),
        if n == 1 { "s" } else { "" },
        each.join(", ")
    )
}
