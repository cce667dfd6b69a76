//! The artifacts of a version: the manifest's records matched to files, then
//! the files it does not list (and, with no manifest, every file), each with
//! a stage and a name, sorted in pipeline order.

use super::json::Docs;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::infer;
use crate::input::manifest::{self, Manifest, Record as ManifestRecord};
use crate::input::resolve::{Resolution, Resolver};
use crate::input::scan::FileEntry;
use crate::model::{Artifact, JsonDoc, Record, Status};
use std::collections::{HashMap, HashSet};

/// At most this many unlisted files are named per version; the rest are counted.
const MAX_UNLISTED_REPORTS: usize = 100;

/// Every artifact of version `id`: listed, missing and unlisted, sorted by
/// stage rank, stage and name.
pub(crate) fn artifacts(id: &str, files: &[FileEntry], docs: &Docs, problems: &mut Vec<Diagnostic>) -> Vec<Artifact> {
    let mut claimed = vec![false; files.len()];
    let mut artifacts = match &docs.manifest {
        Some(m) => listed(id, m, files, docs, &mut claimed, problems),
        None => Vec::new(),
    };
    unlisted(id, files, docs, &claimed, &mut artifacts, problems);
    artifacts.sort_by(|a, b| {
        (infer::stage_rank(&a.stage), &a.stage, &a.name, &a.file, &a.id).cmp(&(
            infer::stage_rank(&b.stage),
            &b.stage,
            &b.name,
            &b.file,
            &b.id,
        ))
    });
    artifacts
}

/// Notes on each JSON document the artifact whose file it is, the first
/// when several are: that artifact's page shows the document.
pub(crate) fn show_docs(artifacts: &[Artifact], docs: &mut [JsonDoc]) {
    for (ai, a) in artifacts.iter().enumerate() {
        if let Some(d) = a.json.and_then(|di| docs.get_mut(di)) {
            d.artifact.get_or_insert(ai);
        }
    }
}

/// The manifest's records as artifacts, each matched to its file (marked in
/// `claimed`) by the longest suffix of its `file_path`.
fn listed(
    id: &str,
    m: &Manifest,
    files: &[FileEntry],
    docs: &Docs,
    claimed: &mut [bool],
    problems: &mut Vec<Diagnostic>,
) -> Vec<Artifact> {
    let resolver = Resolver::new(files);
    let mut seen_ids: HashMap<String, String> = HashMap::new();
    let mpath = format!("{id}/{}", manifest::FILE_NAME);
    let mut out = Vec::with_capacity(m.records.len());
    for r in &m.records {
        if let Some(aid) = &r.artifact_id {
            match seen_ids.get(aid) {
                Some(first) => problems.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "duplicate-id",
                        &mpath,
                        format!("artifact_id \"{aid}\" is used again (first at {first}); both artifacts are kept"),
                    )
                    .at_pointer(&r.pointer),
                ),
                None => {
                    seen_ids.insert(aid.clone(), r.pointer.clone());
                }
            }
        }
        let (file_index, status) = resolve(id, r, files, &resolver, &mpath, problems);
        if let Some(i) = file_index {
            claimed[i] = true;
        }
        out.push(from_record(r, file_index, status, files, docs));
    }
    out
}

/// Where record `r`'s file is, reporting a missing file and an absolute path
/// that is not the design's usual one.
fn resolve(
    id: &str,
    r: &ManifestRecord,
    files: &[FileEntry],
    resolver: &Resolver,
    mpath: &str,
    problems: &mut Vec<Diagnostic>,
) -> (Option<usize>, Status) {
    let declared = r.file_path.as_deref().unwrap_or_default();
    match r.file_path.as_deref().map(|p| resolver.resolve(p)) {
        Some(Resolution::Found { index, foreign }) => {
            // An absolute path that ends `{version}/{file}` is what the
            // design writes on any machine: only others are worth a note.
            let usual = declared.replace('\\', "/").ends_with(&format!("/{id}/{}", files[index].rel));
            if foreign && !usual {
                problems.push(
                    Diagnostic::new(
                        Severity::Info,
                        "foreign-path",
                        mpath,
                        format!(
                            "file_path \"{declared}\" is absolute from another machine; resolved to {}",
                            files[index].rel
                        ),
                    )
                    .at_pointer(format!("{}/file_path", r.pointer)),
                );
            }
            (Some(index), Status::Listed)
        }
        Some(Resolution::NotFound) => {
            problems.push(
                Diagnostic::new(
                    Severity::Error,
                    "missing-file",
                    mpath,
                    format!("file \"{declared}\" listed in the manifest is not in the version folder"),
                )
                .at_pointer(format!("{}/file_path", r.pointer)),
            );
            (None, Status::Missing)
        }
        // The schema check reports the record's missing file_path.
        None => (None, Status::Missing),
    }
}

/// The artifact of record `r`: its own fields, else what its file says.
fn from_record(
    r: &ManifestRecord,
    file_index: Option<usize>,
    status: Status,
    files: &[FileEntry],
    docs: &Docs,
) -> Artifact {
    let file = file_index.map(|i| files[i].rel.clone());
    let (inferred_stage, inferred_name) = match (&file, r.file_path.as_deref()) {
        (Some(f), _) => infer::stage_and_name(f, &[]),
        (None, Some(p)) => infer::stage_and_name(p, &[]),
        (None, None) => ("other".to_string(), "unnamed".to_string()),
    };
    Artifact {
        slug: String::new(),
        id: r.artifact_id.clone(),
        artifact_type: r
            .artifact_type
            .clone()
            .unwrap_or_else(|| infer::artifact_type(file.as_deref().unwrap_or_default()).to_string()),
        stage: r.stage.clone().filter(|s| !s.is_empty()).unwrap_or(inferred_stage),
        name: r.name.clone().filter(|s| !s.is_empty()).unwrap_or(inferred_name),
        description: r.description.clone(),
        json: file_index.and_then(|i| docs.of_file.get(&i).copied()),
        file,
        file_index,
        declared_path: r.file_path.clone(),
        created_at: r.created_at.clone(),
        metadata: r.metadata.clone(),
        record: Some(Record::new(r.pointer.clone(), &r.fields)),
        status,
        preview: None,
    }
}

/// The files no record claimed, as unlisted artifacts (reported when the
/// version has a manifest), but for the manifest itself, files inside an EDA
/// report's folder, and unified reports (which the design writes unlisted).
fn unlisted(
    id: &str,
    files: &[FileEntry],
    docs: &Docs,
    claimed: &[bool],
    artifacts: &mut Vec<Artifact>,
    problems: &mut Vec<Diagnostic>,
) {
    // EDA report folders own their figures and tables.
    let eda_dirs: HashSet<&str> = files
        .iter()
        .filter_map(|f| {
            f.rel.strip_suffix("/report.html").filter(|d| d.starts_with("eda_reports/") && d.matches('/').count() == 1)
        })
        .collect();
    let owned_by_eda = |rel: &str| {
        eda_dirs.iter().any(|d| rel.starts_with(d) && rel[d.len()..].starts_with('/') && !rel.ends_with("/report.html"))
    };
    let mut known_stages: Vec<String> = artifacts.iter().map(|a| a.stage.clone()).collect();
    known_stages.extend(docs.json.iter().filter_map(|d| d.stage.clone()));
    known_stages.sort();
    known_stages.dedup();
    let mut reported = 0;
    for (i, f) in files.iter().enumerate() {
        if claimed[i] || f.rel == manifest::FILE_NAME || owned_by_eda(&f.rel) {
            continue;
        }
        if docs.manifest.is_some() && !f.rel.starts_with("unified_reports/") {
            reported += 1;
            if reported <= MAX_UNLISTED_REPORTS {
                problems.push(Diagnostic::new(
                    Severity::Warning,
                    "unlisted-file",
                    format!("{id}/{}", f.rel),
                    "file is not listed in the manifest; shown as an unlisted artifact",
                ));
            }
        }
        let (stage, name) = infer::stage_and_name(&f.rel, &known_stages);
        artifacts.push(Artifact {
            slug: String::new(),
            id: None,
            artifact_type: infer::artifact_type(&f.rel).to_string(),
            stage,
            name,
            description: None,
            file: Some(f.rel.clone()),
            file_index: Some(i),
            declared_path: None,
            created_at: None,
            metadata: serde_json::Value::Null,
            record: None,
            status: Status::Unlisted,
            json: docs.of_file.get(&i).copied(),
            preview: None,
        });
    }
    if reported > MAX_UNLISTED_REPORTS {
        problems.push(Diagnostic::new(
            Severity::Warning,
            "unlisted-file",
            format!("{id}/{}", manifest::FILE_NAME),
            format!(
                "{} more files are not listed in the manifest (the first {MAX_UNLISTED_REPORTS} are named); shown as unlisted artifacts",
                crate::util::html::number((reported - MAX_UNLISTED_REPORTS) as f64, 0)
            ),
        ));
    }
}
