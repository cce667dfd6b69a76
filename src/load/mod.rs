//! Turns scanned folders into the [`Site`] model.
//!
//! Uses the inputs (scan, manifest, schemas, ETL typing, previews) to fill the
//! model; knows nothing of pages. Per version, in parallel, [`load_version`]
//! takes these steps, one module each: parse every JSON file once
//! ([`json`]), match the manifest's records to files and add the files it
//! does not list ([`artifacts`]), name the pages, preview the files when
//! asked ([`previews`]), and group everything into EDA reports and stages
//! with their numbers ([`groups`]). [`assemble`] then orders the versions in
//! time and counts their problems; [`content`] attaches content types.

pub(crate) mod artifacts;
pub(crate) mod content;
pub(crate) mod groups;
pub(crate) mod json;
pub(crate) mod previews;
pub(crate) mod reuse;
pub mod stored;

pub use previews::{preview_problems, report_dead_links};
pub use reuse::Reuse;

use crate::config::previews::PreviewConfig;
use crate::diagnostics::{self, Counts, Diagnostic, Severity};
use crate::input::inventory;
use crate::input::manifest;
use crate::input::scan::{Alias, Scan, VersionDir};
use crate::model::verdict::Verdict;
use crate::model::{ManifestState, Site, TimeSource, Version, issues, metrics, names};
use crate::util::paths::segment;
use crate::util::timestamp;
use rayon::prelude::*;
use reuse::stamp;
use std::collections::HashMap;

/// Loads every scanned version into the site model. Artifact previews are
/// left out: a build makes each while rendering its page (see
/// [`crate::render::render_site`]), so a site's previews never all sit in memory.
pub fn load(scan: Scan, previews: &PreviewConfig) -> Site {
    load_keeping(scan, previews, None)
}

/// Where a build keeps each run's model between builds, as [`stored`] bytes.
pub struct KeptModels<'a> {
    /// The bytes kept of the run of this id, when its files are as they
    /// were when they were kept.
    pub kept: &'a (dyn Fn(&str) -> Option<Vec<u8>> + Sync),
    /// Keeps the bytes of a run read from its files.
    pub keep: &'a (dyn Fn(&str, Vec<u8>) + Sync),
}

/// [`load`], taking each run from `models` when they kept it, else reading
/// its files and giving `models` what it read.
pub fn load_keeping(scan: Scan, previews: &PreviewConfig, models: Option<&KeptModels>) -> Site {
    let Scan { versions, aliases, mut problems, .. } = scan;
    let loaded: Vec<Loaded> = versions.into_par_iter().map(|vd| load_one(vd, previews, models)).collect();
    let mut versions = Vec::with_capacity(loaded.len());
    for l in loaded {
        problems.extend(l.problems);
        versions.push(l.version);
    }
    assemble(versions, problems, aliases)
}

/// One run, from `models` or else from its files.
fn load_one(vd: VersionDir, previews: &PreviewConfig, models: Option<&KeptModels>) -> Loaded {
    let vd = match models.and_then(|m| (m.kept)(&vd.id)) {
        Some(bytes) => match stored::decode(&bytes, vd) {
            Ok((version, problems)) => return Loaded { version, problems },
            Err(vd) => vd,
        },
        None => vd,
    };
    let scanned = vd.problems.len();
    let loaded = load_version(vd, previews, false, &Reuse::default(), &|_| true).0;
    if let Some(models) = models
        && let Some(bytes) = stored::encode(&loaded.version, &loaded.problems[scanned..])
    {
        (models.keep)(&loaded.version.id, bytes);
    }
    loaded
}

/// One version read from its folder, with the problems found in it.
#[derive(Debug)]
pub struct Loaded {
    /// The version; its slug and problem count are set by [`assemble`].
    pub version: Version,
    /// Problems in its files.
    pub problems: Vec<Diagnostic>,
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
    load_version(vd, previews, true, reuse, changed)
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

/// Reads one version, in the steps of this module's documentation; makes
/// the previews too when `with_previews`.
fn load_version(
    vd: VersionDir,
    previews: &PreviewConfig,
    with_previews: bool,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) -> (Loaded, Reuse) {
    let VersionDir { id, dir, files, problems: scanned } = vd;
    let mut problems = scanned;
    let mut next = Reuse::default();
    inventory::check(&id, &files, &mut problems);
    let mut docs = json::read(&id, &files, previews, reuse, changed, &mut next, &mut problems);
    if docs.state == ManifestState::Missing {
        problems.push(Diagnostic::new(
            Severity::Info,
            "no-manifest",
            &id,
            format!("version has no {}; its artifacts are built from the files on disk", manifest::FILE_NAME),
        ));
    }
    let mut artifacts = artifacts::artifacts(&id, &files, &docs, &mut problems);
    artifacts::show_docs(&artifacts, &mut docs.json);
    names::artifact_slugs(&id, &mut artifacts, &mut problems);
    if with_previews {
        previews::add_previews(&id, &files, &mut artifacts, previews, &mut problems, reuse, changed);
        for a in &artifacts {
            if let (Some(i), Some(p)) = (a.file_index, &a.preview) {
                let f = &files[i];
                next.previews.insert(f.rel.clone(), (stamp(f), a.metadata.clone(), p.clone()));
            }
        }
    }
    groups::locate_pointers(&id, &files, &mut problems);
    let eda = groups::eda_reports(&id, &artifacts, &files, &mut problems);
    let mut stages = groups::stages(&id, &artifacts, &docs.json, &mut problems);
    let issues = issues::tally(&docs.json, &mut stages);
    let summary = metrics::summary(&docs.json, &stages, issues);
    let (time, time_source, time_zoned) = match timestamp::from_version_id(&id) {
        Some(t) => (Some(t), TimeSource::VersionId, false),
        None => match artifacts.iter().filter_map(|a| a.created_at.as_deref().and_then(timestamp::from_iso)).min() {
            Some((t, zoned)) => (Some(t), TimeSource::CreatedAt, zoned),
            None => (None, TimeSource::Unknown, false),
        },
    };
    let version = Version {
        slug: segment(&id),
        id,
        time,
        time_source,
        time_zoned,
        manifest: docs.state,
        artifacts,
        json: docs.json,
        stages,
        eda,
        content: Vec::new(),
        files,
        summary,
        problems: Counts::default(),
        verdict: Verdict::default(),
        dir,
        raw_url: None,
    };
    (Loaded { version, problems }, next)
}
