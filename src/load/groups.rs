//! The last steps of reading a version: EDA reports and stages grouped from
//! its artifacts and files, and problems given a position in their file.

use super::json::MAX_JSON_BYTES;
use crate::diagnostics::Diagnostic;
use crate::input::infer;
use crate::input::scan::FileEntry;
use crate::model::{Artifact, EdaReport, JsonDoc, Stage, metrics, names};
use crate::util::locate::locate;
use std::collections::{BTreeMap, HashMap};

/// Gives a line and column to each problem that names a JSON pointer but no
/// position (a manifest record's missing file, say), reading each file named
/// once more.
pub(crate) fn locate_pointers(version: &str, files: &[FileEntry], problems: &mut [Diagnostic]) {
    let mut texts: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    for d in problems.iter_mut().filter(|d| d.line.is_none()) {
        let Some(pointer) = &d.pointer else { continue };
        let text = texts.entry(d.path.clone()).or_insert_with(|| {
            let rel = d.path.strip_prefix(version)?.strip_prefix('/')?;
            let file = files.iter().find(|f| f.rel == rel)?;
            file.at.read_head(MAX_JSON_BYTES).ok()
        });
        if let Some(text) = text {
            let (line, column) = locate(text, pointer);
            d.line = Some(line);
            d.column = Some(column);
        }
    }
}

/// The EDA report folders of a version: each `eda_reports/{name}/report.html`
/// artifact with the figures, tables and other files beside it.
pub(crate) fn eda_reports(
    version: &str,
    artifacts: &[Artifact],
    files: &[FileEntry],
    problems: &mut Vec<Diagnostic>,
) -> Vec<EdaReport> {
    let mut out = Vec::new();
    for (i, a) in artifacts.iter().enumerate() {
        let Some(dir) = a.file.as_deref().and_then(|f| f.strip_suffix("/report.html")) else { continue };
        if !dir.starts_with("eda_reports/") || dir.matches('/').count() != 1 {
            continue;
        }
        let name = dir["eda_reports/".len()..].to_string();
        let (mut figures, mut tables, mut other) = (Vec::new(), Vec::new(), Vec::new());
        for f in files {
            let Some(rest) = f.rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) else { continue };
            if rest == "report.html" {
                continue;
            }
            if rest.starts_with("figures/") {
                figures.push(f.rel.clone());
            } else if rest.starts_with("tables/") {
                tables.push(f.rel.clone());
            } else {
                other.push(f.rel.clone());
            }
        }
        out.push(EdaReport { slug: String::new(), name, artifact: i, figures, tables, other });
    }
    names::eda_slugs(version, &mut out, problems);
    out
}

/// The stages of a version, in pipeline order: their artifacts, ETL files
/// and numbers.
pub(crate) fn stages(
    version: &str,
    artifacts: &[Artifact],
    json: &[JsonDoc],
    problems: &mut Vec<Diagnostic>,
) -> Vec<Stage> {
    let mut by_name: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, a) in artifacts.iter().enumerate() {
        by_name.entry(a.stage.clone()).or_default().0.push(i);
    }
    for (i, d) in json.iter().enumerate() {
        if let Some(s) = &d.stage {
            by_name.entry(s.clone()).or_default().1.push(i);
        }
    }
    let mut stages: Vec<Stage> = by_name
        .into_iter()
        .map(|(name, (artifacts, etl))| Stage {
            slug: String::new(),
            metrics: metrics::stage_metrics(json, &etl),
            name,
            artifacts,
            etl,
        })
        .collect();
    stages.sort_by(|a, b| (infer::stage_rank(&a.name), &a.name).cmp(&(infer::stage_rank(&b.name), &b.name)));
    names::stage_slugs(version, &mut stages, problems);
    stages
}
