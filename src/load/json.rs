//! Step 1 of reading a version: every JSON file parsed once (in parallel,
//! reusing what did not change), checked against its schema, and sorted into
//! the manifest and the version's JSON documents, typed where known.

use super::reuse::{JsonRead, Reuse, Shared, stamp};
use crate::config::previews::PreviewConfig;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::etl::{self, Kind};
use crate::input::infer;
use crate::input::manifest::{self, Manifest};
use crate::input::scan::FileEntry;
use crate::input::schema;
use crate::model::{JsonDoc, ManifestState};
use crate::util::compact_json::CompactJson;
use crate::util::lenient_json::{self, SyntaxError};
use crate::util::pruned_json::Pruned;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// The JSON of a version, read.
pub(crate) struct Docs {
    /// Every JSON document but the manifest.
    pub(crate) json: Vec<JsonDoc>,
    /// Index into `files` → index into `json`.
    pub(crate) of_file: HashMap<usize, usize>,
    /// The manifest, when it was read.
    pub(crate) manifest: Option<Manifest>,
    /// What became of it.
    pub(crate) state: ManifestState,
}

/// Parses every JSON file of version `id` once, in parallel: the manifest
/// and ETL metadata whatever their size (up to [`MAX_JSON_BYTES`]), others
/// only when their page draws them as a tree. Files whose stamp did not
/// change (and `changed` does not name) come from `reuse`; what the next read
/// may reuse goes into `next`.
pub(crate) fn read(
    id: &str,
    files: &[FileEntry],
    previews: &PreviewConfig,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
    next: &mut Reuse,
    problems: &mut Vec<Diagnostic>,
) -> Docs {
    let parsed: Vec<(usize, Read)> = files
        .par_iter()
        .enumerate()
        .filter(|(_, f)| infer::extension(&f.rel) == "json" && f.size > 0)
        .filter(|(_, f)| {
            f.size <= previews.json_bytes || f.rel == manifest::FILE_NAME || infer::etl_stage(&f.rel).is_some()
        })
        .map(|(i, f)| {
            let path = format!("{id}/{}", f.rel);
            if f.rel == manifest::FILE_NAME {
                return (i, Read::Manifest(parse_json(f, &path, previews, |value| value)));
            }
            let kept = reuse.json.get(&f.rel).filter(|(st, _)| *st == stamp(f) && !changed(&f.rel));
            let read = kept.map_or_else(
                || parse_json(f, &path, previews, |value| CompactJson::of(&value)),
                |(_, read)| read.clone(),
            );
            (i, Read::Doc(read))
        })
        .collect();
    for (fi, read) in &parsed {
        if let Read::Doc(read) = read {
            let f = &files[*fi];
            next.json.insert(f.rel.clone(), (stamp(f), read.clone()));
        }
    }
    let mut docs = Docs { json: Vec::new(), of_file: HashMap::new(), manifest: None, state: ManifestState::Missing };
    for (fi, read) in parsed {
        let rel = files[fi].rel.clone();
        let path = format!("{id}/{rel}");
        let result = match read {
            Read::Manifest(result) => {
                if let Some(parsed) = outcome(result, &rel, &path, &mut docs, problems) {
                    read_manifest(id, parsed.map(|s| s.value), &path, &mut docs, problems);
                }
                continue;
            }
            Read::Doc(result) => result,
        };
        let Some(parsed) = outcome(result, &rel, &path, &mut docs, problems) else { continue };
        let (parsed, typed, cut) = match parsed {
            Ok(s) => (Ok(s.value), s.typed, s.cut),
            Err(e) => (Err(e), None, None),
        };
        let kind = Kind::detect(&rel);
        let stage = infer::etl_stage(&rel);
        docs.of_file.insert(fi, docs.json.len());
        docs.json.push(JsonDoc { rel, parsed, kind, typed: typed.into(), cut, stage, artifact: None });
    }
    docs
}

/// One JSON file read: the manifest as a tree, any other as compact text.
enum Read {
    Manifest(JsonRead<Value>),
    Doc(JsonRead),
}

/// The parse result of one file, its problems reported; `None` when it could
/// not be read at all.
fn outcome<T>(
    result: JsonRead<T>,
    rel: &str,
    path: &str,
    docs: &mut Docs,
    problems: &mut Vec<Diagnostic>,
) -> Option<Result<Shared<T>, SyntaxError>> {
    match result {
        Err(message) => {
            // An unread manifest loses the run's catalogue: an error.
            let is_manifest = rel == manifest::FILE_NAME;
            let severity = if is_manifest { Severity::Error } else { Severity::Warning };
            problems.push(Diagnostic::new(severity, "json-unread", path, message));
            if is_manifest {
                docs.state = ManifestState::Unreadable;
            }
            None
        }
        Ok((Err(e), _)) => {
            problems
                .push(Diagnostic::new(Severity::Error, "json-syntax", path, e.message.clone()).at(e.line, e.column));
            Some(Err(e))
        }
        Ok((Ok(shared), schema_problems)) => {
            problems.extend(schema_problems);
            problems.extend(non_finite_problems(path, &shared.non_finite));
            Some(Ok(shared))
        }
    }
}

/// Reads the parsed manifest of version `id` into `docs`.
fn read_manifest(
    id: &str,
    parsed: Result<Value, SyntaxError>,
    path: &str,
    docs: &mut Docs,
    problems: &mut Vec<Diagnostic>,
) {
    let Ok(value) = parsed else {
        docs.state = ManifestState::Unreadable;
        return;
    };
    let (m, p) = manifest::read(value, path);
    problems.extend(p);
    if let Some(declared) = &m.version_id
        && declared != id
    {
        problems.push(
            Diagnostic::new(
                Severity::Info,
                "version-id-mismatch",
                path,
                format!("manifest says version_id \"{declared}\" but its folder is \"{id}\"; the folder name is used"),
            )
            .at_pointer("/version_id"),
        );
    }
    docs.state = ManifestState::Read(m.shape);
    docs.manifest = Some(m);
}

/// JSON files larger than this are not parsed; their page links the raw file.
pub(crate) const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// Reads, parses and validates one JSON file; `path` names it in diagnostics.
/// Reads the file up to the size it had when listed (at most
/// [`MAX_JSON_BYTES`]), even when it grew since. A file over the tree cap
/// (the manifest excepted) is kept as a tree only as far as its page draws
/// it; its typed model is read from the whole file, an entry at a time. The
/// tree is kept as `keep` makes it.
fn parse_json<T>(file: &FileEntry, path: &str, previews: &PreviewConfig, keep: impl FnOnce(Value) -> T) -> JsonRead<T> {
    if file.size > MAX_JSON_BYTES {
        return Err(format!(
            "JSON file is {} bytes, over the {MAX_JSON_BYTES} byte limit for reading; shown as a download only",
            file.size
        ));
    }
    let bytes = file.at.read_all(file.size).map_err(|e| format!("cannot read file: {e}"))?;
    let prepared = lenient_json::prepare(&bytes);
    let tree = if file.size > previews.json_bytes && file.rel != manifest::FILE_NAME {
        prepared.read(Pruned { budget: previews.json_tree_nodes }).map(|(value, cut)| (value, Some(cut)))
    } else {
        prepared.read(PhantomData::<Value>).map(|value| (value, None))
    };
    let (value, cut) = match tree {
        Ok(tree) => tree,
        Err(e) => return Ok((Err(e), Vec::new())),
    };
    // A pruned tree lacks entries: the model is read from the bytes instead.
    let typed = Kind::detect(&file.rel).and_then(|kind| match cut {
        Some(_) => prepared.read(etl::Document(kind)).ok().flatten(),
        None => etl::read(kind, &value),
    });
    let checked = schema::Checked { value: &value, non_finite: !prepared.non_finite.is_empty(), cut: cut.as_ref() };
    let schema = schema::validate(&file.rel, &checked, &bytes, path);
    let non_finite = prepared.non_finite;
    Ok((Ok(Shared { value: keep(value), cut, typed: typed.map(Arc::new), non_finite }), schema))
}

/// One warning per kind of non-finite token in a file, at its first
/// occurrence, with the count: 24 `NaN`s are one finding, not 24.
fn non_finite_problems(path: &str, found: &[(u32, u32, &'static str)]) -> Vec<Diagnostic> {
    let mut by_token: Vec<(&'static str, u32, u32, usize)> = Vec::new();
    for &(line, column, token) in found {
        match by_token.iter_mut().find(|(t, ..)| *t == token) {
            Some(entry) => entry.3 += 1,
            None => by_token.push((token, line, column, 1)),
        }
    }
    by_token
        .into_iter()
        .map(|(token, line, column, n)| {
            Diagnostic::new(
                Severity::Warning,
                "non-finite-number",
                path,
                format!("`{token}` is not valid JSON (Python writes it for a non-finite float); read as {token}"),
            )
            .at(line, column)
            .times(u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect()
}
