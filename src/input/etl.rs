//! Typed models of the ETL metadata files the pipeline writes.
//!
//! Each known file (by name, under `etl_metadata/`) is read into a struct whose
//! fields match its schema in `content-schema/`. Reading never fails on a
//! field: a value of an unexpected type reads as absent (the schema check
//! reports it as a warning), so every other number of the file is still
//! shown. Numbers are [`Num`], which also takes the NaN and Infinity that
//! Python writes and numbers written as text.

use crate::util::lenient_json;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A number from a pipeline's JSON, possibly NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                lenient_json::non_finite(&Value::String(v.to_string()))
                    .or_else(|| v.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
                    .map(Num)
                    .ok_or_else(|| E::invalid_type(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(NumVisitor)
    }
}

/// Reads a field leniently: a value that does not fit `T` reads as
/// `T::default()` (absent, or empty). The schema check names the field.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// Reads a list leniently: a value that is not a list reads as empty, and
/// entries that do not fit `T` are left out. Entries are read one at a time.
fn lenient_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(d.deserialize_any(Items::new(|v| T::deserialize(v).ok()))?.unwrap_or_default())
}

/// Visitor methods that read any JSON scalar as `None`.
macro_rules! scalars_read_as_none {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

/// A JSON list read one entry at a time, each entry kept when `keep` makes
/// a `T` of it; anything but a list reads as `None`. A list of a million
/// entries never exists as a million JSON values.
struct Items<T, F> {
    keep: F,
    item: PhantomData<T>,
}

impl<T, F: FnMut(Value) -> Option<T>> Items<T, F> {
    fn new(keep: F) -> Self {
        Items { keep, item: PhantomData }
    }
}

impl<'de, T, F: FnMut(Value) -> Option<T>> DeserializeSeed<'de> for Items<T, F> {
    type Value = Option<Vec<T>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Vec<T>>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F: FnMut(Value) -> Option<T>> Visitor<'de> for Items<T, F> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list")
    }

    scalars_read_as_none!();

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Option<Vec<T>>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.extend((self.keep)(v));
        }
        Ok(Some(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Vec<T>>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// `cleaning_summary.json`: the headline numbers of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningSummary {
    /// Records that entered cleaning.
    #[serde(default, deserialize_with = "lenient")]
    pub total_records: Option<Num>,
    /// Records that passed cleaning.
    #[serde(default, deserialize_with = "lenient")]
    pub valid_records: Option<Num>,
    /// valid / total × 100.
    #[serde(default, deserialize_with = "lenient")]
    pub data_quality_score: Option<Num>,
    /// Number of validation issues found.
    #[serde(default, deserialize_with = "lenient")]
    pub issues_found: Option<Num>,
    /// Records removed as outliers.
    #[serde(default, deserialize_with = "lenient")]
    pub outliers_removed: Option<Num>,
}

/// `cleaning_report.json`: the steps and rules of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningReport {
    /// Cleaning steps, in the order they ran: names, or objects describing each.
    #[serde(default, deserialize_with = "lenient_list")]
    pub steps: Vec<Value>,
    /// Records in.
    #[serde(default, deserialize_with = "lenient")]
    pub records_in: Option<Num>,
    /// Records out.
    #[serde(default, deserialize_with = "lenient")]
    pub records_out: Option<Num>,
    /// Rules applied, by name.
    #[serde(default, deserialize_with = "lenient")]
    pub rules: Option<Map<String, Value>>,
}

/// `cleaning_stats.json`: counts and timings of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningStats {
    /// Records that entered cleaning.
    #[serde(default, deserialize_with = "lenient")]
    pub total_records: Option<Num>,
    /// Records that passed cleaning.
    #[serde(default, deserialize_with = "lenient")]
    pub valid_records: Option<Num>,
    /// Records that entered cleaning, under the other common name.
    #[serde(default, deserialize_with = "lenient")]
    pub records_in: Option<Num>,
    /// Records that passed cleaning, under the other common name.
    #[serde(default, deserialize_with = "lenient")]
    pub records_out: Option<Num>,
    /// Records rejected.
    #[serde(default, deserialize_with = "lenient")]
    pub invalid_records: Option<Num>,
    /// Records removed as outliers.
    #[serde(default, deserialize_with = "lenient")]
    pub outliers_removed: Option<Num>,
    /// Duplicate records removed.
    #[serde(default, deserialize_with = "lenient")]
    pub duplicates_removed: Option<Num>,
    /// Missing values filled, per column (columns whose value is not a
    /// number are left out).
    #[serde(default, deserialize_with = "lenient_counts")]
    pub missing_data_handled: Option<BTreeMap<String, Num>>,
    /// Validation errors, when the stage keeps them here.
    #[serde(default, deserialize_with = "lenient_errors")]
    pub validation_errors: Option<Vec<ValidationError>>,
    /// Seconds the stage took.
    #[serde(default, deserialize_with = "lenient")]
    pub processing_time: Option<Num>,
}

/// One entry of `validation_errors.json`. Any object is an entry; these are
/// the fields a page shows when it has them (pandera's failure cases use
/// `index` and `check`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ValidationError {
    /// Row number in the input.
    #[serde(default, deserialize_with = "lenient")]
    pub row: Option<Num>,
    /// Row label in the input (pandera's `index`).
    #[serde(default, deserialize_with = "lenient")]
    pub index: Option<Value>,
    /// Column the error is about.
    #[serde(default, deserialize_with = "lenient")]
    pub column: Option<String>,
    /// What was wrong.
    #[serde(default, deserialize_with = "lenient")]
    pub error: Option<String>,
    /// The check that failed (pandera's `check`).
    #[serde(default, deserialize_with = "lenient")]
    pub check: Option<String>,
    /// How bad it is, when the writer says (`warning`, `error`).
    #[serde(default, deserialize_with = "lenient")]
    pub severity: Option<String>,
}

impl ValidationError {
    /// The entry at `v`: an object's fields, a string as the error text,
    /// anything else as an entry with no fields.
    pub fn of(v: &Value) -> ValidationError {
        match v {
            Value::Object(_) => ValidationError::deserialize(v).unwrap_or_default(),
            Value::String(s) => ValidationError { error: Some(s.clone()), ..ValidationError::default() },
            _ => ValidationError::default(),
        }
    }

    /// What went wrong, in words: `error`, else the failed `check`.
    pub fn message(&self) -> Option<&str> {
        self.error.as_deref().or(self.check.as_deref())
    }
}

fn lenient_errors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<ValidationError>>, D::Error> {
    d.deserialize_any(error_items())
}

/// The entries of a list of validation errors, read one at a time.
fn error_items() -> Items<ValidationError, impl FnMut(Value) -> Option<ValidationError>> {
    Items::new(|v| Some(ValidationError::of(&v)))
}

/// Reads a map of counts leniently: entries whose value is not a number are left out.
fn lenient_counts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<String, Num>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => Some(m.into_iter().filter_map(|(k, v)| Num::deserialize(v).ok().map(|n| (k, n))).collect()),
        _ => None,
    })
}

/// `download/manifest.json`: what the download stage fetched.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadManifest {
    /// Where the data came from.
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<String>,
    /// Records downloaded.
    #[serde(default, deserialize_with = "lenient")]
    pub total_records: Option<Num>,
    /// Files downloaded.
    #[serde(default, deserialize_with = "lenient_list")]
    pub files: Vec<DownloadedFile>,
    /// When the download ran.
    #[serde(default, deserialize_with = "lenient")]
    pub downloaded_at: Option<String>,
}

/// One file of a [`DownloadManifest`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadedFile {
    /// File name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// Records in the file.
    #[serde(default, deserialize_with = "lenient")]
    pub records: Option<Num>,
    /// SHA-256 of the file.
    #[serde(default, deserialize_with = "lenient")]
    pub sha256: Option<String>,
    /// Size of the file in bytes.
    #[serde(default, deserialize_with = "lenient")]
    pub size_bytes: Option<Num>,
}

/// `download_log.json`: the download attempts.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadLog {
    /// Each attempt.
    #[serde(default, deserialize_with = "lenient_list")]
    pub attempts: Vec<DownloadAttempt>,
    /// Seconds the whole download took.
    #[serde(default, deserialize_with = "lenient")]
    pub total_elapsed_s: Option<Num>,
}

/// One attempt of a [`DownloadLog`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadAttempt {
    /// File fetched.
    #[serde(default, deserialize_with = "lenient")]
    pub file: Option<String>,
    /// Attempt number, from 1.
    #[serde(default, deserialize_with = "lenient")]
    pub attempt: Option<Num>,
    /// `ok` or a failure.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<String>,
    /// Seconds the attempt took.
    #[serde(default, deserialize_with = "lenient")]
    pub elapsed_s: Option<Num>,
}

/// `extraction_stats.json`, for key pairs and for each feature type.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ExtractionStats {
    /// Records in.
    #[serde(default, deserialize_with = "lenient")]
    pub input_records: Option<Num>,
    /// Records out.
    #[serde(default, deserialize_with = "lenient")]
    pub output_records: Option<Num>,
    /// Names of the features extracted.
    #[serde(default, deserialize_with = "lenient_list")]
    pub features_extracted: Vec<String>,
    /// Errors met during extraction.
    #[serde(default, deserialize_with = "lenient_list")]
    pub extraction_errors: Vec<Value>,
    /// Seconds the extraction took.
    #[serde(default, deserialize_with = "lenient")]
    pub computation_time: Option<Num>,
    /// Peak memory, in MB.
    #[serde(default, deserialize_with = "lenient")]
    pub memory_usage_mb: Option<Num>,
}

/// `processing_log.json`: events of a stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProcessingLog {
    /// The events, in order.
    #[serde(default, deserialize_with = "lenient_list")]
    pub events: Vec<LogEvent>,
}

/// One event of a [`ProcessingLog`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LogEvent {
    /// When it happened.
    #[serde(default, deserialize_with = "lenient")]
    pub time: Option<String>,
    /// `INFO`, `WARNING` or `ERROR`.
    #[serde(default, deserialize_with = "lenient")]
    pub level: Option<String>,
    /// The message.
    #[serde(default, deserialize_with = "lenient")]
    pub msg: Option<String>,
}

/// `features/{type}/feature_summary.json`: statistics of a feature type. Its
/// shape is the pipeline's own; `by_user` is one convention (per-user statistics).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FeatureSummary {
    /// The feature type.
    #[serde(default, deserialize_with = "lenient")]
    pub feature_type: Option<String>,
    /// Statistics per user.
    #[serde(default, deserialize_with = "lenient")]
    pub by_user: Option<Map<String, Value>>,
}

/// `features/{type}/validation_report.json`: checks on a feature type.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValidationReport {
    /// The feature type.
    #[serde(default, deserialize_with = "lenient")]
    pub feature_type: Option<String>,
    /// The checks that ran.
    #[serde(default, deserialize_with = "lenient_list")]
    pub checks: Vec<ValidationCheck>,
}

/// One check of a [`ValidationReport`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValidationCheck {
    /// Check name.
    #[serde(default, deserialize_with = "lenient")]
    pub check: Option<String>,
    /// Measured value: a number, or a string or boolean for non-numeric checks.
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<Value>,
    /// Threshold it was held to.
    #[serde(default, deserialize_with = "lenient")]
    pub threshold: Option<Value>,
    /// How `value` is compared with `threshold` (`<=`, `>=`).
    #[serde(default, deserialize_with = "lenient")]
    pub comparison: Option<String>,
    /// Whether it passed.
    #[serde(default, deserialize_with = "lenient")]
    pub passed: Option<bool>,
}

/// One entry of `feature_registry.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegistryEntry {
    /// Folder of the feature type's metadata.
    #[serde(default, deserialize_with = "lenient")]
    pub path: Option<String>,
    /// Records the feature type was computed on.
    #[serde(default, deserialize_with = "lenient")]
    pub records: Option<Num>,
    /// The features: names, or objects with a `name`.
    #[serde(default, deserialize_with = "lenient_list")]
    pub features: Vec<Value>,
}

/// The known kinds of ETL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `cleaning_summary.json`
    CleaningSummary,
    /// `cleaning_report.json`
    CleaningReport,
    /// `cleaning_stats.json`
    CleaningStats,
    /// `validation_errors.json`
    ValidationErrors,
    /// `download/manifest.json`
    DownloadManifest,
    /// `download_log.json`
    DownloadLog,
    /// `extraction_stats.json`
    ExtractionStats,
    /// `processing_log.json`
    ProcessingLog,
    /// `feature_summary.json`
    FeatureSummary,
    /// `validation_report.json`
    ValidationReport,
    /// `feature_registry.json`
    FeatureRegistry,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::CleaningSummary,
        Kind::CleaningReport,
        Kind::CleaningStats,
        Kind::ValidationErrors,
        Kind::DownloadManifest,
        Kind::DownloadLog,
        Kind::ExtractionStats,
        Kind::ProcessingLog,
        Kind::FeatureSummary,
        Kind::ValidationReport,
        Kind::FeatureRegistry,
    ];

    /// The kind of a file, from its path relative to the version folder.
    pub fn detect(rel: &str) -> Option<Kind> {
        let rest = rel.strip_prefix("etl_metadata/")?;
        let file = rest.rsplit('/').next()?;
        Some(match file {
            "cleaning_summary.json" => Kind::CleaningSummary,
            "cleaning_report.json" => Kind::CleaningReport,
            "cleaning_stats.json" => Kind::CleaningStats,
            "validation_errors.json" => Kind::ValidationErrors,
            "manifest.json" if rest.starts_with("download/") => Kind::DownloadManifest,
            "download_log.json" => Kind::DownloadLog,
            "extraction_stats.json" => Kind::ExtractionStats,
            "processing_log.json" => Kind::ProcessingLog,
            "feature_summary.json" => Kind::FeatureSummary,
            "validation_report.json" => Kind::ValidationReport,
            "feature_registry.json" => Kind::FeatureRegistry,
            _ => return None,
        })
    }

    /// The schema file in `content-schema/` for this kind.
    pub fn schema_file(self) -> &'static str {
        match self {
            Kind::CleaningSummary => "cleaning_summary.schema.json",
            Kind::CleaningReport => "cleaning_report.schema.json",
            Kind::CleaningStats => "cleaning_stats.schema.json",
            Kind::ValidationErrors => "validation_errors.schema.json",
            Kind::DownloadManifest => "download_manifest.schema.json",
            Kind::DownloadLog => "download_log.schema.json",
            Kind::ExtractionStats => "extraction_stats.schema.json",
            Kind::ProcessingLog => "processing_log.schema.json",
            Kind::FeatureSummary => "feature_summary.schema.json",
            Kind::ValidationReport => "validation_report.schema.json",
            Kind::FeatureRegistry => "feature_registry.schema.json",
        }
    }

    /// A human name for the kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CleaningSummary => "Cleaning summary",
            Kind::CleaningReport => "Cleaning report",
            Kind::CleaningStats => "Cleaning statistics",
            Kind::ValidationErrors => "Validation errors",
            Kind::DownloadManifest => "Download manifest",
            Kind::DownloadLog => "Download log",
            Kind::ExtractionStats => "Extraction statistics",
            Kind::ProcessingLog => "Processing log",
            Kind::FeatureSummary => "Feature summary",
            Kind::ValidationReport => "Validation report",
            Kind::FeatureRegistry => "Feature registry",
        }
    }
}

/// A known ETL file, read into its model.
#[derive(Debug, Clone)]
pub enum Typed {
    /// See [`CleaningSummary`].
    CleaningSummary(CleaningSummary),
    /// See [`CleaningReport`].
    CleaningReport(CleaningReport),
    /// See [`CleaningStats`].
    CleaningStats(CleaningStats),
    /// The list of [`ValidationError`]s.
    ValidationErrors(Vec<ValidationError>),
    /// See [`DownloadManifest`].
    DownloadManifest(DownloadManifest),
    /// See [`DownloadLog`].
    DownloadLog(DownloadLog),
    /// See [`ExtractionStats`].
    ExtractionStats(ExtractionStats),
    /// See [`ProcessingLog`].
    ProcessingLog(ProcessingLog),
    /// See [`FeatureSummary`].
    FeatureSummary(FeatureSummary),
    /// See [`ValidationReport`].
    ValidationReport(ValidationReport),
    /// Entries by feature type.
    FeatureRegistry(BTreeMap<String, RegistryEntry>),
}

/// Reads a file of `kind` from `d`: its bytes through serde_json, or a
/// parsed `&Value`. Fails only when the document is not the JSON type the
/// kind is (an object, or a list of validation errors); fields of unexpected
/// types read as absent. Lists are read an entry at a time, so a big file
/// costs what its model keeps, not a tree of the whole file.
pub fn read<'de, D: Deserializer<'de>>(kind: Kind, d: D) -> Option<Typed> {
    Document(kind).deserialize(d).ok().flatten()
}

/// Reads a whole document as one kind of file (see [`read`]), as a seed
/// for [`crate::util::lenient_json::Prepared::read`].
pub struct Document(pub Kind);

impl<'de> DeserializeSeed<'de> for Document {
    type Value = Option<Typed>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Typed>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document {
    type Value = Option<Typed>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object or list")
    }

    scalars_read_as_none!();

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Typed>, A::Error> {
        fn de<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
        Ok(Some(match self.0 {
            Kind::CleaningSummary => Typed::CleaningSummary(de(map)?),
            Kind::CleaningReport => Typed::CleaningReport(de(map)?),
            Kind::CleaningStats => Typed::CleaningStats(de(map)?),
            Kind::ValidationErrors => return errors_in(map),
            Kind::DownloadManifest => Typed::DownloadManifest(de(map)?),
            Kind::DownloadLog => Typed::DownloadLog(de(map)?),
            Kind::ExtractionStats => Typed::ExtractionStats(de(map)?),
            Kind::ProcessingLog => Typed::ProcessingLog(de(map)?),
            Kind::FeatureSummary => Typed::FeatureSummary(de(map)?),
            Kind::ValidationReport => Typed::ValidationReport(de(map)?),
            Kind::FeatureRegistry => Typed::FeatureRegistry(registry(map)?),
        }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Typed>, A::Error> {
        Ok(match self.0 {
            Kind::ValidationErrors => error_items().visit_seq(seq)?.map(Typed::ValidationErrors),
            Kind::ProcessingLog => {
                let events = Items::new(|v: Value| v.is_object().then(|| LogEvent::deserialize(v).ok()).flatten());
                Some(Typed::ProcessingLog(ProcessingLog { events: events.visit_seq(seq)?.unwrap_or_default() }))
            }
            // A plain list of log events has no attempts to count.
            Kind::DownloadLog => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Some(Typed::DownloadLog(DownloadLog { attempts: Vec::new(), total_elapsed_s: None }))
            }
            _ => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                None
            }
        })
    }
}

/// The validation errors of an object that keeps them under `errors`.
fn errors_in<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<Typed>, A::Error> {
    let mut errors = None;
    while let Some(key) = map.next_key::<String>()? {
        if key == "errors" {
            errors = map.next_value_seed(error_items())?;
        } else {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(errors.map(Typed::ValidationErrors))
}

/// The entries of a feature registry: its objects by feature type, or those
/// of its `feature_types` object when it has one.
fn registry<'de, A: MapAccess<'de>>(mut map: A) -> Result<BTreeMap<String, RegistryEntry>, A::Error> {
    fn entry(v: Value) -> Option<RegistryEntry> {
        v.is_object().then(|| RegistryEntry::deserialize(v).ok()).flatten()
    }
    let (mut top, mut inner) = (BTreeMap::new(), None);
    while let Some(key) = map.next_key::<String>()? {
        match map.next_value::<Value>()? {
            Value::Object(types) if key == "feature_types" => {
                inner = Some(types.into_iter().filter_map(|(k, v)| entry(v).map(|e| (k, e))).collect());
            }
            v => {
                if let Some(e) = entry(v) {
                    top.insert(key, e);
                }
            }
        }
    }
    Ok(inner.unwrap_or(top))
}

/// A labelled number of a typed file, with the JSON pointer it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What the number is.
    pub label: &'static str,
    /// Where in the file it is.
    pub pointer: String,
    /// The number.
    pub value: f64,
    /// Its unit, if any (`s`, `MB`, `%`).
    pub unit: &'static str,
}

fn fig(out: &mut Vec<Figure>, label: &'static str, key: &str, value: Option<Num>, unit: &'static str) {
    if let Some(Num(v)) = value {
        out.push(Figure { label, pointer: format!("/{key}"), value: v, unit });
    }
}

fn count(out: &mut Vec<Figure>, label: &'static str, pointer: &str, n: usize) {
    out.push(Figure { label, pointer: pointer.to_string(), value: n as f64, unit: "" });
}

impl Typed {
    /// The headline numbers of the file, in reading order.
    pub fn figures(&self) -> Vec<Figure> {
        let mut f = Vec::new();
        match self {
            Typed::CleaningSummary(s) => {
                fig(&mut f, "Total records", "total_records", s.total_records, "");
                fig(&mut f, "Valid records", "valid_records", s.valid_records, "");
                fig(&mut f, "Data quality score", "data_quality_score", s.data_quality_score, "%");
                fig(&mut f, "Issues found", "issues_found", s.issues_found, "");
                fig(&mut f, "Outliers removed", "outliers_removed", s.outliers_removed, "");
            }
            Typed::CleaningReport(r) => {
                fig(&mut f, "Records in", "records_in", r.records_in, "");
                fig(&mut f, "Records out", "records_out", r.records_out, "");
                count(&mut f, "Steps", "/steps", r.steps.len());
            }
            Typed::CleaningStats(s) => {
                fig(&mut f, "Total records", "total_records", s.total_records, "");
                fig(&mut f, "Valid records", "valid_records", s.valid_records, "");
                fig(&mut f, "Records in", "records_in", s.records_in, "");
                fig(&mut f, "Records out", "records_out", s.records_out, "");
                fig(&mut f, "Invalid records", "invalid_records", s.invalid_records, "");
                fig(&mut f, "Outliers removed", "outliers_removed", s.outliers_removed, "");
                fig(&mut f, "Duplicates removed", "duplicates_removed", s.duplicates_removed, "");
                fig(&mut f, "Processing time", "processing_time", s.processing_time, "s");
            }
            Typed::ValidationErrors(list) => count(&mut f, "Validation errors", "", list.len()),
            Typed::DownloadManifest(m) => {
                fig(&mut f, "Total records", "total_records", m.total_records, "");
                count(&mut f, "Files", "/files", m.files.len());
            }
            Typed::DownloadLog(l) => {
                count(&mut f, "Attempts", "/attempts", l.attempts.len());
                fig(&mut f, "Total time", "total_elapsed_s", l.total_elapsed_s, "s");
            }
            Typed::ExtractionStats(s) => {
                fig(&mut f, "Input records", "input_records", s.input_records, "");
                fig(&mut f, "Output records", "output_records", s.output_records, "");
                count(&mut f, "Features extracted", "/features_extracted", s.features_extracted.len());
                count(&mut f, "Extraction errors", "/extraction_errors", s.extraction_errors.len());
                fig(&mut f, "Computation time", "computation_time", s.computation_time, "s");
                fig(&mut f, "Memory usage", "memory_usage_mb", s.memory_usage_mb, "MB");
            }
            Typed::ProcessingLog(l) => count(&mut f, "Events", "/events", l.events.len()),
            Typed::FeatureSummary(s) => {
                if let Some(users) = &s.by_user {
                    count(&mut f, "Users", "/by_user", users.len());
                }
            }
            Typed::ValidationReport(r) => {
                count(&mut f, "Checks", "/checks", r.checks.len());
                let failed = r.checks.iter().filter(|c| c.passed == Some(false)).count();
                count(&mut f, "Checks failed", "/checks", failed);
            }
            Typed::FeatureRegistry(m) => count(&mut f, "Feature types", "", m.len()),
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_known_files_by_path() {
        assert_eq!(Kind::detect("etl_metadata/cleaned_data/cleaning_summary.json"), Some(Kind::CleaningSummary));
        assert_eq!(Kind::detect("etl_metadata/download/manifest.json"), Some(Kind::DownloadManifest));
        assert_eq!(Kind::detect("etl_metadata/other/manifest.json"), None);
        assert_eq!(Kind::detect("tables/cleaning_summary.json"), None);
    }

    #[test]
    fn numbers_take_nan_markers_and_reject_text() {
        let v = lenient_json::parse(b"{\"total_records\": 10, \"data_quality_score\": NaN}").unwrap().value;
        let Some(Typed::CleaningSummary(s)) = read(Kind::CleaningSummary, &v) else { panic!() };
        assert_eq!(s.total_records, Some(Num(10.0)));
        assert!(s.data_quality_score.unwrap().0.is_nan());
        let Some(Typed::CleaningSummary(s)) =
            read(Kind::CleaningSummary, json!({"total_records": "ten", "valid_records": "9", "issues_found": [1]}))
        else {
            panic!()
        };
        assert_eq!((s.total_records, s.valid_records, s.issues_found), (None, Some(Num(9.0)), None));
    }

    #[test]
    fn fields_of_unexpected_types_read_as_absent_and_the_rest_is_kept() {
        let v = json!({"steps": ["dropna", {"step": "iqr", "k": 1.5}], "rules": {"iqr_k": 1.5, "drop_na": ["sex"]},
                       "records_in": 344, "records_out": "many"});
        let Some(Typed::CleaningReport(r)) = read(Kind::CleaningReport, &v) else { panic!() };
        assert_eq!((r.steps.len(), r.records_in, r.records_out), (2, Some(Num(344.0)), None));
        assert_eq!(r.rules.unwrap().len(), 2);
        let errors = json!([{"column": "sex", "check": "isin(['MALE', 'FEMALE'])", "failure_case": ".", "index": 336},
                            "free text", 7]);
        let Some(Typed::ValidationErrors(list)) = read(Kind::ValidationErrors, &errors) else { panic!() };
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].message(), Some("isin(['MALE', 'FEMALE'])"));
        assert_eq!(list[1].message(), Some("free text"));
        let registry = json!({"bill": {"path": "etl_metadata/features/bill", "features": ["a"]}, "bad": 3});
        let Some(Typed::FeatureRegistry(r)) = read(Kind::FeatureRegistry, &registry) else { panic!() };
        assert_eq!(r.keys().collect::<Vec<_>>(), ["bill"]);
        let wrapped =
            json!({"registry_version": 3, "feature_types": {"iso": {"features": [{"name": "d15n"}, "d13c"]}}});
        let Some(Typed::FeatureRegistry(r)) = read(Kind::FeatureRegistry, &wrapped) else { panic!() };
        assert_eq!(r["iso"].features.len(), 2);
        assert!(read(Kind::CleaningSummary, json!([1, 2])).is_none(), "a list is not a summary");
    }

    #[test]
    fn a_file_read_from_its_bytes_reads_as_its_parsed_value() {
        let docs = [
            (
                Kind::CleaningStats,
                r#"{"records_in": "12", "validation_errors": [{"row": 1}, "x"], "missing_data_handled": {"a": 2, "b": "c"}}"#,
            ),
            (Kind::ValidationErrors, r#"{"errors": [{"column": "sex", "check": "isin"}, 3], "n": 2}"#),
            (Kind::ValidationErrors, r#"[{"column": "sex"}, "free text"]"#),
            (Kind::ProcessingLog, r#"[{"level": "ERROR", "msg": "x"}, 4, {"level": 5}]"#),
            (Kind::ProcessingLog, r#"{"events": [{"level": "INFO"}], "other": [1, 2]}"#),
            (Kind::DownloadLog, r#"[{"event": "start"}]"#),
            (Kind::FeatureRegistry, r#"{"feature_types": {"iso": {"records": 3}}, "bill": {"path": "p"}}"#),
            (Kind::FeatureRegistry, r#"{"feature_types": 3, "bill": {"path": "p"}}"#),
            (Kind::ValidationReport, r#"{"checks": [{"check": "a", "passed": false}, "junk"]}"#),
            (Kind::CleaningSummary, r#"[1, 2]"#),
            (Kind::CleaningSummary, r#""text""#),
        ];
        for (kind, text) in docs {
            let value: Value = serde_json::from_str(text).unwrap();
            let from_value = format!("{:?}", read(kind, &value));
            let from_bytes = format!("{:?}", read(kind, &mut serde_json::Deserializer::from_str(text)));
            assert_eq!(from_bytes, from_value, "{kind:?}: {text}");
        }
    }
}
