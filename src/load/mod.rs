//! Turns scanned folders into the [`Site`] model.
//!
//! Per version, in parallel: parse every JSON file once, read the manifest,
//! match its records to files, add the files it does not list, group
//! everything into stages, and compute the headline numbers.

pub mod content;

use crate::config::previews::PreviewConfig;
use crate::diagnostics::{self, Counts, Diagnostic, Severity};
use crate::input::etl::{self, Kind};
use crate::input::infer;
use crate::input::inventory;
use crate::input::manifest::{self, Manifest};
use crate::input::preview;
use crate::input::resolve::{Resolution, Resolver};
use crate::input::scan::{Alias, FileEntry, Scan, VersionDir};
use crate::input::schema;
use crate::model::metrics;
use crate::model::names;
use crate::model::*;
use crate::util::lenient_json::{self, SyntaxError};
use crate::util::locate::locate;
use crate::util::paths::segment;
use crate::util::timestamp;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::sync::Arc;

/// JSON files larger than this are not parsed; their page links the raw file.
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// At most this many unlisted files are named per version; the rest are counted.
const MAX_UNLISTED_REPORTS: usize = 100;

/// Loads every scanned version into the site model. Artifact previews are
/// left out: a build makes each while rendering its page (see
/// [`crate::commands::build::render_site`]), so a site's previews never all sit in memory.
pub fn load(scan: Scan, previews: &PreviewConfig) -> Site {
    let Scan { versions, aliases, mut problems, .. } = scan;
    let loaded: Vec<Loaded> = versions
        .into_par_iter()
        .map(|vd| {
            let (version, problems, _) = load_version(vd, previews, false, &Reuse::default(), &|_| true);
            Loaded { version, problems }
        })
        .collect();
    let mut versions = Vec::with_capacity(loaded.len());
    for l in loaded {
        problems.extend(l.problems);
        versions.push(l.version);
    }
    assemble(versions, problems, aliases)
}

/// One version read from its folder, with the problems found in it.
#[derive(Debug)]
pub struct Loaded {
    /// The version; its slug and problem count are set by [`assemble`].
    pub version: Version,
    /// Problems in its files.
    pub problems: Vec<Diagnostic>,
}

/// Where, how big and how new a file was when it was read.
type Stamp = (std::path::PathBuf, u64, u128);

fn stamp(f: &FileEntry) -> Stamp {
    (f.path.clone(), f.size, f.modified)
}

/// What one read of a version lends the next: the parsed JSON and the
/// previews of its files, each with the file's stamp when it was read.
#[derive(Default)]
pub struct Reuse {
    json: HashMap<String, (Stamp, JsonRead)>,
    previews: HashMap<String, (Stamp, serde_json::Value, crate::input::preview::Preview)>,
}

/// Reads one scanned version folder, previews included, taking the parsed
/// JSON and previews of files that did not change from `reuse`. Versions are
/// independent of each other, so `serve` re-reads only the ones that changed.
/// A file is read again when `changed(rel)` says so or its path, size or
/// modification time differ. Also returns what the next read may reuse.
pub fn load_reusing(
    vd: VersionDir,
    previews: &PreviewConfig,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) -> (Loaded, Reuse) {
    let (version, problems, next) = load_version(vd, previews, true, reuse, changed);
    (Loaded { version, problems }, next)
}

/// Puts loaded versions together into a site: orders them in time, gives
/// each a unique slug, sorts every problem and counts each version's.
pub fn assemble(mut versions: Vec<Version>, mut problems: Vec<Diagnostic>, aliases: Vec<Alias>) -> Site {
    versions.sort_by(|a, b| (a.time.unwrap_or(i64::MIN), &a.id).cmp(&(b.time.unwrap_or(i64::MIN), &b.id)));
    names::version_slugs(&mut versions, &mut problems);
    let mut site = Site { versions, aliases, ..Site::empty() };
    add_problems(&mut site, problems);
    site
}

/// Adds problems to the site's list, which stays sorted and deduplicated,
/// and recounts each version's problems. For problems found after loading,
/// such as a raw file that vanished before it could be published.
pub fn add_problems(site: &mut Site, more: Vec<Diagnostic>) {
    let all = std::mem::take(&mut site.problems).into_iter().chain(more).collect();
    site.problems = diagnostics::finish(all);
    // A problem belongs to the version its path starts with (`{id}/…`).
    let mut by_version: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in &site.problems {
        let version = d.path.split_once('/').map_or(d.path.as_str(), |(v, _)| v);
        by_version.entry(version).or_default().push(d);
    }
    for v in &mut site.versions {
        v.problems = Counts::of(by_version.get(v.id.as_str()).into_iter().flatten().copied());
    }
}

/// A parsed document, shareable between the model and the next read.
#[derive(Clone)]
struct Shared {
    value: Arc<serde_json::Value>,
    non_finite: Vec<(u32, u32, &'static str)>,
}

/// A JSON file read: `Err` when it could not be read at all, else the parse
/// result and the file's schema problems.
type JsonRead = Result<(Result<Shared, SyntaxError>, Vec<Diagnostic>), String>;

/// Reads, parses and validates one JSON file; `path` names it in diagnostics.
/// Reads at most [`MAX_JSON_BYTES`], even when the file grew since the scan.
fn parse_json(file: &FileEntry, path: &str) -> JsonRead {
    let over = |size: String| {
        format!("JSON file is {size} bytes, over the {MAX_JSON_BYTES} byte limit for reading; shown as a download only")
    };
    if file.size > MAX_JSON_BYTES {
        return Err(over(file.size.to_string()));
    }
    let mut bytes = Vec::new();
    fs::File::open(&file.path)
        .and_then(|f| f.take(MAX_JSON_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(over(format!("now more than {MAX_JSON_BYTES} (it grew while being read)")));
    }
    let parsed = lenient_json::parse(&bytes);
    let schema = match &parsed {
        Ok(p) => schema::validate(&file.rel, p, &bytes, path),
        Err(_) => Vec::new(),
    };
    Ok((parsed.map(|p| Shared { value: Arc::new(p.value), non_finite: p.non_finite }), schema))
}

fn load_version(
    vd: VersionDir,
    previews: &PreviewConfig,
    with_previews: bool,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) -> (Version, Vec<Diagnostic>, Reuse) {
    let VersionDir { id, dir, files, problems: scanned } = vd;
    let mut problems = scanned;
    let diag_path = |rel: &str| format!("{id}/{rel}");

    inventory::check(&id, &files, &mut problems);

    // Parse every JSON file once, in parallel: the manifest and ETL metadata
    // whatever their size (up to MAX_JSON_BYTES), others only when their page
    // draws them as a tree.
    let parsed: Vec<(usize, JsonRead)> = files
        .par_iter()
        .enumerate()
        .filter(|(_, f)| infer::extension(&f.rel) == "json" && f.size > 0)
        .filter(|(_, f)| {
            f.size <= previews.json_bytes || f.rel == manifest::FILE_NAME || infer::etl_stage(&f.rel).is_some()
        })
        .map(|(i, f)| {
            let kept = reuse.json.get(&f.rel).filter(|(st, _)| *st == stamp(f) && !changed(&f.rel));
            (i, kept.map_or_else(|| parse_json(f, &diag_path(&f.rel)), |(_, read)| read.clone()))
        })
        .collect();
    let mut next = Reuse::default();
    for (fi, read) in &parsed {
        let f = &files[*fi];
        if f.rel != manifest::FILE_NAME {
            next.json.insert(f.rel.clone(), (stamp(f), read.clone()));
        }
    }

    let mut manifest: Option<Manifest> = None;
    let mut manifest_state = ManifestState::Missing;
    let mut json = Vec::new();
    let mut json_of_file: HashMap<usize, usize> = HashMap::new();
    for (fi, result) in parsed {
        let rel = files[fi].rel.clone();
        let path = diag_path(&rel);
        let parsed = match result {
            Err(message) => {
                // An unread manifest loses the run's catalogue: an error.
                let severity = if rel == manifest::FILE_NAME { Severity::Error } else { Severity::Warning };
                problems.push(Diagnostic::new(severity, "json-unread", &path, message));
                if rel == manifest::FILE_NAME {
                    manifest_state = ManifestState::Unreadable;
                }
                continue;
            }
            Ok((Err(e), _)) => {
                problems.push(
                    Diagnostic::new(Severity::Error, "json-syntax", &path, e.message.clone()).at(e.line, e.column),
                );
                Err(e)
            }
            Ok((Ok(p), schema_problems)) => {
                problems.extend(schema_problems);
                problems.extend(non_finite_problems(&path, &p.non_finite));
                Ok(p.value)
            }
        };
        if rel == manifest::FILE_NAME {
            match parsed {
                Ok(value) => {
                    // The manifest is never kept for reuse, so this takes the value without a copy.
                    let value = Arc::try_unwrap(value).unwrap_or_else(|shared| (*shared).clone());
                    let (m, p) = manifest::read(value, &path);
                    problems.extend(p);
                    if let Some(declared) = &m.version_id
                        && declared != &id
                    {
                        problems.push(
                            Diagnostic::new(
                                Severity::Info,
                                "version-id-mismatch",
                                &path,
                                format!("manifest says version_id \"{declared}\" but its folder is \"{id}\"; the folder name is used"),
                            )
                            .at_pointer("/version_id"),
                        );
                    }
                    manifest_state = ManifestState::Read(m.shape);
                    manifest = Some(m);
                }
                Err(_) => manifest_state = ManifestState::Unreadable,
            }
            continue;
        }
        let kind = Kind::detect(&rel);
        // A document of the wrong JSON type is reported by its schema check.
        let typed = kind.zip(parsed.as_ref().ok()).and_then(|(k, value)| etl::read(k, value));
        let stage = infer::etl_stage(&rel);
        json_of_file.insert(fi, json.len());
        json.push(JsonDoc { rel, parsed, kind, typed, stage, page: None });
    }
    names::etl_pages(&id, &mut json, &mut problems);
    if manifest_state == ManifestState::Missing {
        problems.push(Diagnostic::new(
            Severity::Info,
            "no-manifest",
            &id,
            format!("version has no {}; its artifacts are built from the files on disk", manifest::FILE_NAME),
        ));
    }

    let mut artifacts = Vec::new();
    let mut claimed = vec![false; files.len()];
    if let Some(m) = &manifest {
        let resolver = Resolver::new(&files);
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        let mpath = diag_path(manifest::FILE_NAME);
        for r in &m.records {
            if let Some(aid) = &r.artifact_id {
                if let Some(first) = seen_ids.get(aid) {
                    problems.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "duplicate-id",
                            &mpath,
                            format!("artifact_id \"{aid}\" is used again (first at {first}); both artifacts are kept"),
                        )
                        .at_pointer(&r.pointer),
                    );
                } else {
                    seen_ids.insert(aid.clone(), r.pointer.clone());
                }
            }
            let (file_index, status) = match r.file_path.as_deref().map(|p| resolver.resolve(p)) {
                Some(Resolution::Found { index, foreign }) => {
                    // An absolute path that ends `{version}/{file}` is what the
                    // design writes on any machine: only others are worth a note.
                    let usual = r
                        .file_path
                        .as_deref()
                        .is_some_and(|p| p.replace('\\', "/").ends_with(&format!("/{id}/{}", files[index].rel)));
                    if foreign && !usual {
                        problems.push(
                            Diagnostic::new(
                                Severity::Info,
                                "foreign-path",
                                &mpath,
                                format!(
                                    "file_path \"{}\" is absolute from another machine; resolved to {}",
                                    r.file_path.as_deref().unwrap_or_default(),
                                    files[index].rel
                                ),
                            )
                            .at_pointer(format!("{}/file_path", r.pointer)),
                        );
                    }
                    claimed[index] = true;
                    (Some(index), Status::Listed)
                }
                Some(Resolution::NotFound) => {
                    problems.push(
                        Diagnostic::new(
                            Severity::Error,
                            "missing-file",
                            &mpath,
                            format!(
                                "file \"{}\" listed in the manifest is not in the version folder",
                                r.file_path.as_deref().unwrap_or_default()
                            ),
                        )
                        .at_pointer(format!("{}/file_path", r.pointer)),
                    );
                    (None, Status::Missing)
                }
                // The schema check reports the record's missing file_path.
                None => (None, Status::Missing),
            };
            let file = file_index.map(|i| files[i].rel.clone());
            let (inferred_stage, inferred_name) = match (&file, r.file_path.as_deref()) {
                (Some(f), _) => infer::stage_and_name(f, &[]),
                (None, Some(p)) => infer::stage_and_name(p, &[]),
                (None, None) => ("other".to_string(), "unnamed".to_string()),
            };
            artifacts.push(Artifact {
                slug: String::new(),
                id: r.artifact_id.clone(),
                artifact_type: r
                    .artifact_type
                    .clone()
                    .unwrap_or_else(|| infer::artifact_type(file.as_deref().unwrap_or_default()).to_string()),
                stage: r.stage.clone().filter(|s| !s.is_empty()).unwrap_or(inferred_stage),
                name: r.name.clone().filter(|s| !s.is_empty()).unwrap_or(inferred_name),
                description: r.description.clone(),
                json: file_index.and_then(|i| json_of_file.get(&i).copied()),
                file,
                file_index,
                declared_path: r.file_path.clone(),
                created_at: r.created_at.clone(),
                metadata: r.metadata.clone(),
                record: Some(Record::new(r.pointer.clone(), &r.fields)),
                status,
                preview: None,
            });
        }
    }

    // EDA report folders own their figures and tables.
    let eda_dirs: HashSet<String> = files
        .iter()
        .filter_map(|f| {
            f.rel.strip_suffix("/report.html").filter(|d| d.starts_with("eda_reports/") && d.matches('/').count() == 1)
        })
        .map(str::to_string)
        .collect();
    let owned_by_eda = |rel: &str| {
        eda_dirs
            .iter()
            .any(|d| rel.starts_with(d.as_str()) && rel[d.len()..].starts_with('/') && !rel.ends_with("/report.html"))
    };

    let mut known_stages: Vec<String> = artifacts.iter().map(|a| a.stage.clone()).collect();
    known_stages.extend(json.iter().filter_map(|d| d.stage.clone()));
    known_stages.sort();
    known_stages.dedup();
    let mut unlisted = 0;
    for (i, f) in files.iter().enumerate() {
        if claimed[i] || f.rel == manifest::FILE_NAME || owned_by_eda(&f.rel) {
            continue;
        }
        // The design's report generator writes unified reports without
        // registering them, so they are expected to be unlisted.
        if manifest.is_some() && !f.rel.starts_with("unified_reports/") {
            unlisted += 1;
            if unlisted <= MAX_UNLISTED_REPORTS {
                problems.push(Diagnostic::new(
                    Severity::Warning,
                    "unlisted-file",
                    diag_path(&f.rel),
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
            json: json_of_file.get(&i).copied(),
            preview: None,
        });
    }

    if unlisted > MAX_UNLISTED_REPORTS {
        problems.push(Diagnostic::new(
            Severity::Warning,
            "unlisted-file",
            diag_path(manifest::FILE_NAME),
            format!(
                "{} more files are not listed in the manifest (the first {MAX_UNLISTED_REPORTS} are named); shown as unlisted artifacts",
                unlisted - MAX_UNLISTED_REPORTS
            ),
        ));
    }

    artifacts.sort_by(|a, b| {
        (infer::stage_rank(&a.stage), &a.stage, &a.name, &a.file, &a.id).cmp(&(
            infer::stage_rank(&b.stage),
            &b.stage,
            &b.name,
            &b.file,
            &b.id,
        ))
    });
    names::artifact_slugs(&id, &mut artifacts, &mut problems);
    if with_previews {
        add_previews(&id, &files, &mut artifacts, previews, &mut problems, reuse, changed);
        for a in &artifacts {
            if let (Some(i), Some(p)) = (a.file_index, &a.preview) {
                let f = &files[i];
                next.previews.insert(f.rel.clone(), (stamp(f), a.metadata.clone(), p.clone()));
            }
        }
    }
    locate_pointers(&id, &files, &mut problems);

    let eda = eda_reports(&id, &artifacts, &files, &mut problems);
    let mut stages = stages(&id, &artifacts, &json, &mut problems);
    let issues = crate::model::issues::tally(&json, &mut stages);
    let summary = metrics::summary(&json, &stages, issues);

    let (time, time_source) = match timestamp::from_version_id(&id) {
        Some(t) => (Some(t), TimeSource::VersionId),
        None => match artifacts.iter().filter_map(|a| a.created_at.as_deref().and_then(timestamp::from_iso)).min() {
            Some(t) => (Some(t), TimeSource::CreatedAt),
            None => (None, TimeSource::Unknown),
        },
    };

    let version = Version {
        slug: segment(&id),
        id,
        time,
        time_source,
        manifest: manifest_state,
        artifacts,
        json,
        stages,
        eda,
        content: Vec::new(),
        files,
        summary,
        problems: Counts::default(),
        verdict: crate::model::verdict::Verdict::default(),
        dir,
    };
    (version, problems, next)
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

/// Previews every artifact's file, in parallel; their warnings become
/// diagnostics of the file.
fn add_previews(
    version: &str,
    files: &[FileEntry],
    artifacts: &mut [Artifact],
    cfg: &PreviewConfig,
    problems: &mut Vec<Diagnostic>,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) {
    artifacts.par_iter_mut().for_each(|a| {
        a.preview = a.file_index.map(|i| {
            let f = &files[i];
            match reuse.previews.get(&f.rel) {
                Some((st, metadata, p)) if *st == stamp(f) && *metadata == a.metadata && !changed(&f.rel) => p.clone(),
                _ => preview::preview(&f.path, &f.rel, f.size, &a.metadata, cfg),
            }
        });
    });
    for a in artifacts.iter() {
        if let (Some(p), Some(rel)) = (&a.preview, &a.file) {
            problems.extend(preview_problems(version, rel, p));
        }
    }
}

/// The warnings of the preview of `rel` in `version`, as problems of the file.
pub fn preview_problems<'a>(
    version: &'a str,
    rel: &'a str,
    preview: &'a crate::input::preview::Preview,
) -> impl Iterator<Item = Diagnostic> + 'a {
    preview.warnings.iter().map(move |w| {
        let mut d = Diagnostic::new(Severity::Warning, w.code, format!("{version}/{rel}"), w.message.clone());
        d.line = w.line;
        d
    })
}

/// Gives a line and column to each problem that names a JSON pointer but no
/// position (a manifest record's missing file, say), reading each file named
/// once more.
fn locate_pointers(version: &str, files: &[FileEntry], problems: &mut [Diagnostic]) {
    let mut texts: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    for d in problems.iter_mut().filter(|d| d.line.is_none()) {
        let Some(pointer) = &d.pointer else { continue };
        let text = texts.entry(d.path.clone()).or_insert_with(|| {
            let rel = d.path.strip_prefix(version)?.strip_prefix('/')?;
            let file = files.iter().find(|f| f.rel == rel)?;
            let mut bytes = Vec::new();
            fs::File::open(&file.path).and_then(|f| f.take(MAX_JSON_BYTES).read_to_end(&mut bytes)).ok()?;
            Some(bytes)
        });
        if let Some(text) = text {
            let (line, column) = locate(text, pointer);
            d.line = Some(line);
            d.column = Some(column);
        }
    }
}

/// Previews every artifact's file, in parallel; their warnings become
/// diagnostics of the file.
fn eda_reports(
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

fn stages(version: &str, artifacts: &[Artifact], json: &[JsonDoc], problems: &mut Vec<Diagnostic>) -> Vec<Stage> {
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
