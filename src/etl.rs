//! Typed models of the ETL metadata files the pipeline writes.
//!
//! Each known file (by name, under `etl_metadata/`) is read into a struct whose
//! fields match its schema in `content-schema/`. Numbers are [`Num`], which also
//! takes the NaN and Infinity that Python writes. Every other JSON file is shown
//! generically; a known file whose fields have the wrong types is reported and
//! shown generically too.

use crate::lenient_json;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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
                    .map(Num)
                    .ok_or_else(|| E::invalid_type(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(NumVisitor)
    }
}

/// `cleaning_summary.json`: the headline numbers of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningSummary {
    /// Records that entered cleaning.
    pub total_records: Option<Num>,
    /// Records that passed cleaning.
    pub valid_records: Option<Num>,
    /// valid / total × 100.
    pub data_quality_score: Option<Num>,
    /// Number of validation issues found.
    pub issues_found: Option<Num>,
    /// Records removed as outliers.
    pub outliers_removed: Option<Num>,
}

/// `cleaning_report.json`: the steps and rules of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningReport {
    /// Cleaning steps, in the order they ran.
    #[serde(default)]
    pub steps: Vec<String>,
    /// Records in.
    pub records_in: Option<Num>,
    /// Records out.
    pub records_out: Option<Num>,
    /// Rules applied, by name.
    pub rules: Option<Map<String, Value>>,
}

/// `cleaning_stats.json`: counts and timings of the cleaning stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleaningStats {
    /// Records that entered cleaning.
    pub total_records: Option<Num>,
    /// Records that passed cleaning.
    pub valid_records: Option<Num>,
    /// Records rejected.
    pub invalid_records: Option<Num>,
    /// Records removed as outliers.
    pub outliers_removed: Option<Num>,
    /// Duplicate records removed.
    pub duplicates_removed: Option<Num>,
    /// Missing values filled, per column.
    pub missing_data_handled: Option<BTreeMap<String, Num>>,
    /// Validation errors, when the stage keeps them here.
    pub validation_errors: Option<Vec<ValidationError>>,
    /// Seconds the stage took.
    pub processing_time: Option<Num>,
}

/// One entry of `validation_errors.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValidationError {
    /// Row number in the input.
    pub row: Option<Num>,
    /// Column the error is about.
    pub column: Option<String>,
    /// What was wrong.
    pub error: Option<String>,
    /// `warning` or `error`.
    pub severity: Option<String>,
}

/// `download/manifest.json`: what the download stage fetched.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadManifest {
    /// Where the data came from.
    pub source: Option<String>,
    /// Records downloaded.
    pub total_records: Option<Num>,
    /// Files downloaded.
    #[serde(default)]
    pub files: Vec<DownloadedFile>,
    /// When the download ran.
    pub downloaded_at: Option<String>,
}

/// One file of a [`DownloadManifest`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadedFile {
    /// File name.
    pub name: Option<String>,
    /// Records in the file.
    pub records: Option<Num>,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
    /// Size of the file in bytes.
    pub size_bytes: Option<Num>,
}

/// `download_log.json`: the download attempts.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadLog {
    /// Each attempt.
    #[serde(default)]
    pub attempts: Vec<DownloadAttempt>,
    /// Seconds the whole download took.
    pub total_elapsed_s: Option<Num>,
}

/// One attempt of a [`DownloadLog`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DownloadAttempt {
    /// File fetched.
    pub file: Option<String>,
    /// Attempt number, from 1.
    pub attempt: Option<Num>,
    /// `ok` or a failure.
    pub status: Option<String>,
    /// Seconds the attempt took.
    pub elapsed_s: Option<Num>,
}

/// `extraction_stats.json`, for key pairs and for each feature type.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ExtractionStats {
    /// Records in.
    pub input_records: Option<Num>,
    /// Records out.
    pub output_records: Option<Num>,
    /// Names of the features extracted.
    #[serde(default)]
    pub features_extracted: Vec<String>,
    /// Errors met during extraction.
    #[serde(default)]
    pub extraction_errors: Vec<Value>,
    /// Seconds the extraction took.
    pub computation_time: Option<Num>,
    /// Peak memory, in MB.
    pub memory_usage_mb: Option<Num>,
}

/// `processing_log.json`: events of a stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProcessingLog {
    /// The events, in order.
    #[serde(default)]
    pub events: Vec<LogEvent>,
}

/// One event of a [`ProcessingLog`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LogEvent {
    /// When it happened.
    pub time: Option<String>,
    /// `INFO`, `WARNING` or `ERROR`.
    pub level: Option<String>,
    /// The message.
    pub msg: Option<String>,
}

/// `features/{type}/feature_summary.json`: per-user statistics of a feature type.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FeatureSummary {
    /// The feature type.
    pub feature_type: Option<String>,
    /// Statistics per user.
    pub by_user: Option<Map<String, Value>>,
}

/// `features/{type}/validation_report.json`: checks on a feature type.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValidationReport {
    /// The feature type.
    pub feature_type: Option<String>,
    /// The checks that ran.
    #[serde(default)]
    pub checks: Vec<ValidationCheck>,
}

/// One check of a [`ValidationReport`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValidationCheck {
    /// Check name.
    pub check: Option<String>,
    /// Measured value: a number, or a string or boolean for non-numeric checks.
    pub value: Option<Value>,
    /// Threshold it was held to.
    pub threshold: Option<Value>,
    /// How `value` is compared with `threshold` (`<=`, `>=`).
    pub comparison: Option<String>,
    /// Whether it passed.
    pub passed: Option<bool>,
}

/// One entry of `feature_registry.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegistryEntry {
    /// Folder of the feature type's metadata.
    pub path: Option<String>,
    /// Records the feature type was computed on.
    pub records: Option<Num>,
    /// Feature names.
    #[serde(default)]
    pub features: Vec<String>,
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

/// Reads `value` as a file of `kind`. The error says which field was wrong.
pub fn read(kind: Kind, value: &Value) -> Result<Typed, String> {
    fn de<'a, T: Deserialize<'a>>(v: &'a Value) -> Result<T, String> {
        T::deserialize(v).map_err(|e| e.to_string())
    }
    Ok(match kind {
        Kind::CleaningSummary => Typed::CleaningSummary(de(value)?),
        Kind::CleaningReport => Typed::CleaningReport(de(value)?),
        Kind::CleaningStats => Typed::CleaningStats(de(value)?),
        Kind::ValidationErrors => Typed::ValidationErrors(match value {
            Value::Object(m) if m.contains_key("errors") => de(&m["errors"])?,
            _ => de(value)?,
        }),
        Kind::DownloadManifest => Typed::DownloadManifest(de(value)?),
        Kind::DownloadLog => Typed::DownloadLog(de(value)?),
        Kind::ExtractionStats => Typed::ExtractionStats(de(value)?),
        Kind::ProcessingLog => Typed::ProcessingLog(de(value)?),
        Kind::FeatureSummary => Typed::FeatureSummary(de(value)?),
        Kind::ValidationReport => Typed::ValidationReport(de(value)?),
        Kind::FeatureRegistry => Typed::FeatureRegistry(de(value)?),
    })
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
                count(&mut f, "Users", "/by_user", s.by_user.as_ref().map_or(0, Map::len));
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
        let Typed::CleaningSummary(s) = read(Kind::CleaningSummary, &v).unwrap() else { panic!() };
        assert_eq!(s.total_records, Some(Num(10.0)));
        assert!(s.data_quality_score.unwrap().0.is_nan());
        let err = read(Kind::CleaningSummary, &json!({"total_records": "ten"})).unwrap_err();
        assert!(err.contains("expected a number"), "{err}");
    }
}
