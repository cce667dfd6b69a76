//! The site as data: versions, their artifacts, ETL files and stages, the
//! numbers read from them, and the verdicts judged on them.
//!
//! Built by [`crate::load`], judged by [`crate::judge`], read by the plan and
//! the views. Uses only the input types it holds; nothing here does I/O.

pub(crate) mod issues;
pub(crate) mod metrics;
pub(crate) mod names;
pub(crate) mod sourced;
pub mod verdict;

pub use sourced::Sourced;

use crate::diagnostics::Diagnostic;
use crate::input::etl::{Kind, Typed};
use crate::input::manifest::Shape;
use crate::input::preview::Preview;
use crate::input::scan::{Alias, FileEntry};
use crate::util::compact_json::CompactJson;
use crate::util::lenient_json::SyntaxError;
use crate::util::pruned_json::Cut;
use crate::util::timestamp::Epoch;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Everything read from the artifacts root.
#[derive(Debug)]
pub struct Site {
    /// Versions, oldest first.
    pub versions: Vec<Version>,
    /// Symlink aliases such as `current`.
    pub aliases: Vec<Alias>,
    /// Every problem found, sorted and deduplicated.
    pub problems: Vec<Diagnostic>,
    /// Content types the site's config registers (see [`crate::input::content`]).
    pub content_types: Vec<crate::input::content::ContentType>,
    /// The version every other one is also compared with, when the config
    /// names one that exists (see [`crate::judge::resolve_baseline`]).
    pub baseline: Option<usize>,
}

impl Site {
    /// A site with nothing in it.
    pub fn empty() -> Site {
        Site {
            versions: Vec::new(),
            aliases: Vec::new(),
            problems: Vec::new(),
            content_types: Vec::new(),
            baseline: None,
        }
    }

    /// The site's problems by the path they name (`{version}/{file}`).
    pub fn problems_by_path(&self) -> std::collections::HashMap<&str, Vec<&Diagnostic>> {
        let mut map: std::collections::HashMap<&str, Vec<&Diagnostic>> = std::collections::HashMap::new();
        for d in &self.problems {
            map.entry(d.path.as_str()).or_default().push(d);
        }
        map
    }
}

/// Where a version's place in time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The timestamp the version id starts with.
    VersionId,
    /// The earliest `created_at` of its manifest.
    CreatedAt,
    /// Neither: ordered by name, before all timed versions.
    Unknown,
}

/// What became of a version's manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "shape")]
pub enum ManifestState {
    /// Read, in this shape.
    Read(Shape),
    /// There is no `artifact_manifest.json`.
    Missing,
    /// It exists but could not be read.
    Unreadable,
}

/// One pipeline run.
#[derive(Debug)]
pub struct Version {
    /// The folder name.
    pub id: String,
    /// Its output path segment.
    pub slug: String,
    /// Its place in time, if known.
    pub time: Option<Epoch>,
    /// Where `time` came from.
    pub time_source: TimeSource,
    /// Whether `time` names its zone: a version id's and a `created_at`
    /// without `Z` or an offset do not.
    pub time_zoned: bool,
    /// What became of its manifest.
    pub manifest: ManifestState,
    /// Every artifact: listed, unlisted and missing.
    pub artifacts: Vec<Artifact>,
    /// Every JSON file, parsed once.
    pub json: Vec<JsonDoc>,
    /// Stages in pipeline order.
    pub stages: Vec<Stage>,
    /// EDA reports.
    pub eda: Vec<EdaReport>,
    /// JSON files of a registered content type: (JSON doc index, content type index).
    pub content: Vec<(usize, usize)>,
    /// Every file of the folder.
    pub files: Vec<FileEntry>,
    /// Headline numbers.
    pub summary: Summary,
    /// Problems whose file is in this version, by severity.
    pub problems: crate::diagnostics::Counts,
    /// Its checks and their verdict, set once the whole site is loaded (see
    /// [`crate::judge::judge_site`]).
    pub verdict: verdict::Verdict,
    /// The folder on disk.
    pub dir: PathBuf,
    /// The public URL of its folder, ending in `/`, when pages link raw
    /// files there instead of publishing them (`raw_files: link`).
    pub raw_url: Option<String>,
}

impl Version {
    /// Whether a problem is about a file of this run (or its folder).
    pub fn owns(&self, d: &Diagnostic) -> bool {
        self.owns_path(&d.path)
    }

    /// Whether `path` (from the artifacts root) is this run's folder or inside it.
    pub fn owns_path(&self, path: &str) -> bool {
        path == self.id || path.strip_prefix(&self.id).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Is an artifact in the manifest, on disk, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Listed in the manifest and found on disk.
    Listed,
    /// On disk, not in the manifest.
    Unlisted,
    /// In the manifest, not on disk.
    Missing,
}

/// One artifact of a version.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// Page slug, unique within the version, stable across versions.
    pub slug: String,
    /// `artifact_id` from the manifest.
    pub id: Option<String>,
    /// `artifact_type`, or the one inferred from the file.
    pub artifact_type: String,
    /// `stage`, or the one inferred from the file.
    pub stage: String,
    /// `name`, or the file's stem.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// The file inside the version folder, when found.
    pub file: Option<String>,
    /// Index into [`Version::files`] of the file.
    pub file_index: Option<usize>,
    /// `file_path` as the manifest wrote it.
    pub declared_path: Option<String>,
    /// `created_at` as the manifest wrote it.
    pub created_at: Option<String>,
    /// `metadata` from the manifest.
    pub metadata: Value,
    /// The manifest record, when the manifest lists it.
    pub record: Option<Record>,
    /// Listed, unlisted or missing.
    pub status: Status,
    /// Index into [`Version::json`] when the file is JSON.
    pub json: Option<usize>,
    /// What its page shows of the file, when made at load: `serve` keeps
    /// every preview between rebuilds; a build leaves this `None` and makes
    /// each preview while rendering the artifact's page.
    pub preview: Option<Preview>,
}

/// An artifact's record in the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its JSON pointer in the manifest.
    pub pointer: String,
    /// Every field, as compact JSON text: a parsed map takes several times
    /// the memory, and only the artifact's own page reads it.
    pub json: Box<str>,
}

impl Record {
    /// The record of `fields`, at `pointer`.
    pub fn new(pointer: String, fields: &Map<String, Value>) -> Record {
        let json = serde_json::to_string(fields).expect("a JSON map serialises");
        Record { pointer, json: json.into_boxed_str() }
    }

    /// Every field of the record, in the manifest's order.
    pub fn fields(&self) -> Map<String, Value> {
        serde_json::from_str(&self.json).expect("written from a JSON map")
    }
}

/// A JSON file of a version.
#[derive(Debug)]
pub struct JsonDoc {
    /// Path inside the version folder.
    pub rel: String,
    /// The parsed document, kept as compact text, or why it could not be parsed.
    pub parsed: Result<CompactJson, SyntaxError>,
    /// Its known kind, by file name.
    pub kind: Option<Kind>,
    /// Its typed model, when it is a known kind and matches it: set when the
    /// file is read, or, for a document read back from a kept run model, made
    /// from its text on first use (see [`JsonDoc::typed`]).
    pub typed: OnceLock<Option<Arc<Typed>>>,
    /// What a pruned read of a big file left out of `parsed` (see
    /// [`crate::util::pruned_json`]); `None` when it is the whole file.
    pub cut: Option<Cut>,
    /// The stage folder under `etl_metadata/`, for ETL files.
    pub stage: Option<String>,
    /// The artifact whose file it is (the first, when several records name
    /// the file): its page shows the document.
    pub artifact: Option<usize>,
}

impl JsonDoc {
    /// Its typed model, when it is a known kind and matches it.
    pub fn typed(&self) -> Option<&Typed> {
        let read = || match (&self.parsed, self.kind) {
            (Ok(doc), Some(kind)) => {
                crate::input::etl::read(kind, &mut serde_json::Deserializer::from_str(doc.text())).map(Arc::new)
            }
            _ => None,
        };
        self.typed.get_or_init(read).as_deref()
    }
}

/// Numbers about one stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageMetrics {
    /// Records that entered the stage.
    pub records_in: Option<Sourced>,
    /// Records that left it.
    pub records_out: Option<Sourced>,
    /// Seconds it took.
    pub seconds: Option<Sourced>,
    /// Issues it reported (see [`crate::model::issues`]).
    pub issues: Option<Sourced>,
    /// How many of `issues` an earlier stage already reported, and the first
    /// such stage: the same entries written to two files count once.
    pub repeated: Option<(f64, String)>,
}

/// One stage of a version.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Stage name, e.g. `cleaning` or `features/hold_time`.
    pub name: String,
    /// Page slug.
    pub slug: String,
    /// Its numbers.
    pub metrics: StageMetrics,
    /// Indices into [`Version::artifacts`].
    pub artifacts: Vec<usize>,
    /// Indices into [`Version::json`] of its ETL files.
    pub etl: Vec<usize>,
}

/// Headline numbers of a version.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Records that entered the pipeline.
    pub records_in: Option<Sourced>,
    /// Valid records after cleaning.
    pub records_out: Option<Sourced>,
    /// Data quality score, 0–100.
    pub quality_score: Option<Sourced>,
    /// Distinct issues over all stages (see [`crate::model::issues`]).
    pub issues: Option<f64>,
    /// Records removed as outliers during cleaning.
    pub outliers_removed: Option<Sourced>,
    /// Duplicate records removed during cleaning.
    pub duplicates_removed: Option<Sourced>,
    /// Features in the feature registry (all feature types together).
    pub features: Option<Sourced>,
}

/// An EDA report folder.
#[derive(Debug, Clone)]
pub struct EdaReport {
    /// Report name (its folder).
    pub name: String,
    /// Page slug.
    pub slug: String,
    /// Index into [`Version::artifacts`] of its `report.html`.
    pub artifact: usize,
    /// Files under its `figures/`.
    pub figures: Vec<String>,
    /// Files under its `tables/`.
    pub tables: Vec<String>,
    /// Any other files.
    pub other: Vec<String>,
}
