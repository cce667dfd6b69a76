//! Problems as people read them: by run, then by file, errors first, with
//! repeated findings collapsed into one row with a count.
//!
//! Two findings are repeats when they are about the same file, have the same
//! code and say the same thing up to the values in the message (numbers and
//! quoted text): 24 schema warnings "15 is not of type array" at 24 pointers
//! are one row. The full list stays in `problems.json`.

use super::quality::error_kind;
use crate::diagnostics::{Counts, Diagnostic, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many other locations are named per row.
const MAX_LOCATIONS: usize = 5;

/// One row: a finding and how often it repeats in its file.
#[derive(Debug, Serialize)]
pub(crate) struct Finding {
    /// The worst severity among the repeats.
    pub severity: Severity,
    /// The problem's code (`schema`, `json-syntax`…).
    pub code: &'static str,
    /// The first repeat's message.
    pub message: String,
    /// Where the first repeat is: `line:col`, or empty.
    pub position: String,
    /// The first repeat's JSON pointer.
    pub pointer: Option<String>,
    /// How many findings the row stands for.
    pub count: usize,
    /// Positions (or pointers) of the next few repeats.
    pub more: Vec<String>,
    /// The first repeat's line, for ordering.
    #[serde(skip)]
    line: u32,
}

/// The findings of one file.
#[derive(Debug, Serialize)]
pub(crate) struct FileFindings {
    /// The file, as [`Paths`] says.
    pub path: String,
    /// Its page, relative to the site root, when it has one.
    pub href: Option<String>,
    /// Its rows, worst first.
    pub rows: Vec<Finding>,
}

/// The findings of one run (or of the site, for problems outside every run).
#[derive(Debug, Serialize)]
pub(crate) struct RunFindings {
    /// The run's id, or `None` for the site's own problems.
    pub id: Option<String>,
    /// Counts by severity.
    pub counts: Counts,
    /// Its files, those with errors first.
    pub files: Vec<FileFindings>,
    /// Rows left out to keep the page bounded.
    pub hidden: usize,
}

/// Where a file's path is shown from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paths {
    /// From the artifacts root, as the terminal prints it.
    Root,
    /// From the run's folder, on a page about the run.
    Run,
}

/// Groups `problems` (all about one run, or all about none) into files and
/// rows, keeping at most `max_rows` rows; `page_of` gives a file's page.
pub(crate) fn group(
    id: Option<&str>,
    problems: &[&Diagnostic],
    max_rows: usize,
    paths: Paths,
    page_of: &dyn Fn(&str) -> Option<String>,
) -> RunFindings {
    // path -> (code, kind) -> the findings, in input (position) order.
    let mut files: BTreeMap<&str, BTreeMap<(&'static str, String), Vec<&Diagnostic>>> = BTreeMap::new();
    for d in problems {
        files.entry(d.path.as_str()).or_default().entry((d.code, error_kind(&d.message))).or_default().push(d);
    }
    let mut out: Vec<FileFindings> = files
        .into_iter()
        .map(|(path, groups)| {
            let mut rows: Vec<Finding> = groups.into_values().map(|list| finding(&list)).collect();
            rows.sort_by_key(|r| (r.severity, r.line));
            let in_run = id.and_then(|id| path.strip_prefix(id)).and_then(|p| p.strip_prefix('/'));
            let shown = in_run.filter(|_| paths == Paths::Run).unwrap_or(path);
            FileFindings { path: shown.to_string(), href: page_of(path), rows }
        })
        .collect();
    out.sort_by(|a, b| (worst(a), &a.path).cmp(&(worst(b), &b.path)));
    let mut shown = 0;
    let mut hidden = 0;
    for f in &mut out {
        let room = max_rows.saturating_sub(shown);
        if f.rows.len() > room {
            hidden += f.rows.len() - room;
            f.rows.truncate(room);
        }
        shown += f.rows.len();
    }
    out.retain(|f| !f.rows.is_empty());
    RunFindings { id: id.map(str::to_string), counts: Counts::of(problems.iter().copied()), files: out, hidden }
}

fn worst(f: &FileFindings) -> Severity {
    f.rows.iter().map(|r| r.severity).min().unwrap_or(Severity::Info)
}

fn position(d: &Diagnostic) -> String {
    match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        (Some(l), None) => l.to_string(),
        _ => String::new(),
    }
}

fn finding(list: &[&Diagnostic]) -> Finding {
    let first = list[0];
    let more = list[1..]
        .iter()
        .take(MAX_LOCATIONS)
        .map(|d| match (position(d), &d.pointer) {
            (p, _) if !p.is_empty() => p,
            (_, Some(pointer)) => pointer.clone(),
            _ => String::new(),
        })
        .filter(|p| !p.is_empty())
        .collect();
    Finding {
        severity: list.iter().map(|d| d.severity).min().unwrap_or(first.severity),
        code: first.code,
        message: first.message.clone(),
        position: position(first),
        pointer: first.pointer.clone(),
        count: list.iter().map(|d| d.count as usize).sum(),
        more,
        line: first.line.unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_collapse_and_errors_come_first() {
        let schema = |line: u32, value: u32| {
            Diagnostic::new(Severity::Warning, "schema", "r/a.json", format!("{value} is not of type \"array\""))
                .at(line, 3)
                .at_pointer(format!("/x/{line}"))
        };
        let list = [
            schema(2, 15),
            schema(9, 16),
            schema(20, 15),
            Diagnostic::new(Severity::Error, "json-syntax", "r/b.json", "EOF while parsing").at(4, 1),
            Diagnostic::new(Severity::Warning, "unlisted-file", "r/c.csv", "file is not listed"),
            Diagnostic::new(Severity::Warning, "non-finite-number", "r/c.csv", "`NaN`").at(7, 2).times(24),
        ];
        let refs: Vec<&Diagnostic> = list.iter().collect();
        let page_of = |p: &str| (p == "r/b.json").then(|| "v/r/a/b.html".to_string());
        let g = group(Some("r"), &refs, 100, Paths::Run, &page_of);
        let paths: Vec<&str> = g.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["b.json", "a.json", "c.csv"], "the file with an error first");
        assert_eq!(g.files[0].href.as_deref(), Some("v/r/a/b.html"));
        let a = &g.files[1].rows;
        assert_eq!(a.len(), 1, "three schema warnings are one row");
        assert_eq!(
            (a[0].count, a[0].position.as_str(), a[0].more.clone()),
            (3, "2:3", vec!["9:3".into(), "20:3".into()])
        );
        assert_eq!((g.counts.errors, g.counts.warnings), (1, 5));
        assert_eq!(
            g.files[2].rows.iter().map(|r| r.count).collect::<Vec<_>>(),
            [1, 24],
            "a counted finding keeps its count"
        );
        let cut = group(Some("r"), &refs, 2, Paths::Root, &|_| None);
        assert_eq!((cut.files.len(), cut.hidden), (2, 2));
        assert_eq!(cut.files[0].path, "r/b.json");
    }
}
