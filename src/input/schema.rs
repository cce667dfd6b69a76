//! Validation of manifests and typed ETL files against the JSON Schemas of
//! `content-schema/`, which are compiled into the binary.
//!
//! Each violation becomes a warning [`Diagnostic`] at the value's JSON
//! pointer, with the line and column [`locate`] finds for it in the file's
//! text. A warning, not an error: the schemas describe the pipeline design
//! and its conventions, and a file that departs from them is still read
//! (every field that has the expected type is shown).

use crate::diagnostics::{Diagnostic, Severity};
use crate::input::etl::Kind;
use crate::input::manifest;
use crate::util::lenient_json::non_finite;
use crate::util::locate::locate;
use crate::util::paths::pointer_push;
use crate::util::pruned_json::Cut;
use jsonschema::Validator;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::OnceLock;

/// At most this many schema errors are listed per file.
const MAX_ERRORS: usize = 20;

/// Messages longer than this show the offending value as "value".
const MAX_MESSAGE: usize = 240;

/// The schema files of `content-schema/`, by file name.
pub const SCHEMAS: [(&str, &str); 12] = [
    ("artifact_manifest.schema.json", include_str!("../../content-schema/artifact_manifest.schema.json")),
    ("cleaning_report.schema.json", include_str!("../../content-schema/cleaning_report.schema.json")),
    ("cleaning_stats.schema.json", include_str!("../../content-schema/cleaning_stats.schema.json")),
    ("cleaning_summary.schema.json", include_str!("../../content-schema/cleaning_summary.schema.json")),
    ("download_log.schema.json", include_str!("../../content-schema/download_log.schema.json")),
    ("download_manifest.schema.json", include_str!("../../content-schema/download_manifest.schema.json")),
    ("extraction_stats.schema.json", include_str!("../../content-schema/extraction_stats.schema.json")),
    ("feature_registry.schema.json", include_str!("../../content-schema/feature_registry.schema.json")),
    ("feature_summary.schema.json", include_str!("../../content-schema/feature_summary.schema.json")),
    ("processing_log.schema.json", include_str!("../../content-schema/processing_log.schema.json")),
    ("validation_errors.schema.json", include_str!("../../content-schema/validation_errors.schema.json")),
    ("validation_report.schema.json", include_str!("../../content-schema/validation_report.schema.json")),
];

/// The schema file for a file at `rel` in a version folder, if it has one.
pub fn schema_for(rel: &str) -> Option<&'static str> {
    if rel == manifest::FILE_NAME {
        Some("artifact_manifest.schema.json")
    } else {
        Kind::detect(rel).map(Kind::schema_file)
    }
}

fn validator(file: &str) -> &'static Validator {
    static COMPILED: OnceLock<Vec<(&'static str, Validator)>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(name, text)| {
                let schema: Value = serde_json::from_str(text).expect("content-schema files are JSON");
                (*name, jsonschema::draft202012::new(&schema).expect("content-schema files are valid schemas"))
            })
            .collect()
    });
    &compiled.iter().find(|(name, _)| *name == file).expect("every mapped schema is embedded").1
}

/// The parsed file a schema check reads.
pub struct Checked<'a> {
    /// The document (pruned, for a file over the tree cap).
    pub value: &'a Value,
    /// Whether it holds NaN or Infinity markers.
    pub non_finite: bool,
    /// What a pruned read left out: the lists and objects that lost entries
    /// are not judged, so a cut is never reported as a missing field.
    pub cut: Option<&'a Cut>,
}

/// Validates the parsed file at `rel` (its bytes are `text`) against its
/// schema, if it has one. `path` names the file in diagnostics.
pub fn validate(rel: &str, doc: &Checked, text: &[u8], path: &str) -> Vec<Diagnostic> {
    let Some(file) = schema_for(rel) else { return Vec::new() };
    // NaN and Infinity are numbers to the pipeline; they stand in as 0, and
    // range checks on them are dropped (Python's jsonschema passes NaN there).
    let mut replaced = HashSet::new();
    let finite;
    let value = if doc.non_finite {
        finite = as_finite(doc.value, String::new(), &mut replaced);
        &finite
    } else {
        doc.value
    };
    let mut problems = Vec::new();
    let mut more = 0;
    for e in validator(file).iter_errors(value) {
        let pointer = e.instance_path().as_str().to_string();
        if replaced.contains(&pointer) && is_range_keyword(e.kind().keyword()) {
            continue;
        }
        if doc.cut.is_some_and(|c| c.length(&pointer).is_some()) {
            continue;
        }
        if problems.len() == MAX_ERRORS {
            more += 1;
            continue;
        }
        let mut message = e.to_string();
        if message.chars().count() > MAX_MESSAGE {
            message = e.masked().to_string();
        }
        let (line, column) = locate(text, &pointer);
        let mut d = Diagnostic::new(Severity::Warning, "schema", path, format!("does not follow {file}: {message}"))
            .at(line, column);
        if !pointer.is_empty() {
            d = d.at_pointer(pointer);
        }
        problems.push(d);
    }
    if more > 0 {
        problems.push(Diagnostic::new(
            Severity::Warning,
            "schema",
            path,
            format!("{} more values do not follow {file}", crate::util::html::number(more as f64, 0)),
        ));
    }
    problems
}

fn is_range_keyword(keyword: &str) -> bool {
    matches!(keyword, "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf")
}

/// A copy of `v` with NaN/Infinity markers as 0, noting their pointers.
/// Recursion is bounded: parsed documents are at most 128 levels deep.
fn as_finite(v: &Value, pointer: String, replaced: &mut HashSet<String>) -> Value {
    match v {
        Value::Array(a) => {
            Value::Array(a.iter().enumerate().map(|(i, x)| as_finite(x, format!("{pointer}/{i}"), replaced)).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter().map(|(k, x)| (k.clone(), as_finite(x, pointer_push(&pointer, k), replaced))).collect(),
        ),
        v if non_finite(v).is_some() => {
            replaced.insert(pointer);
            Value::from(0)
        }
        v => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::lenient_json::{parse, prepare};
    use crate::util::pruned_json::Pruned;

    fn check(rel: &str, text: &str) -> Vec<Diagnostic> {
        let p = parse(text.as_bytes()).unwrap();
        let doc = Checked { value: &p.value, non_finite: !p.non_finite.is_empty(), cut: None };
        validate(rel, &doc, text.as_bytes(), "v/x.json")
    }

    #[test]
    fn every_embedded_schema_compiles_and_every_kind_has_one() {
        for (name, _) in SCHEMAS {
            validator(name);
        }
        for kind in Kind::ALL {
            assert!(SCHEMAS.iter().any(|(n, _)| *n == kind.schema_file()), "{kind:?}");
        }
    }

    #[test]
    fn violations_are_located_warnings() {
        let text = "{\n  \"total_records\": \"many\",\n  \"valid_records\": 1,\n  \"data_quality_score\": 1,\n  \"issues_found\": 0, \"outliers_removed\": 0\n}";
        let d = check("etl_metadata/cleaned_data/cleaning_summary.json", text);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!((d[0].severity, d[0].code), (Severity::Warning, "schema"));
        assert_eq!((d[0].line, d[0].column), (Some(2), Some(3)));
        assert_eq!(d[0].pointer.as_deref(), Some("/total_records"));
        assert!(d[0].message.contains("cleaning_summary.schema.json") && d[0].message.contains("\"many\""));
    }

    #[test]
    fn a_pruned_read_is_never_reported_for_what_it_cut() {
        let rel = "etl_metadata/cleaned_data/cleaning_summary.json";
        let text = r#"{"rows": [1, 2, 3, 4], "total_records": "many", "valid_records": 1, "data_quality_score": 1, "issues_found": 0}"#;
        let (value, cut) = prepare(text.as_bytes()).read(Pruned { budget: 4 }).unwrap();
        let doc = Checked { value: &value, non_finite: false, cut: Some(&cut) };
        assert_eq!(validate(rel, &doc, text.as_bytes(), "v/x.json"), [], "the required fields were cut, not missing");
        let whole = check(rel, text);
        assert!(whole.iter().any(|d| d.pointer.as_deref() == Some("/total_records")), "{whole:#?}");
    }

    #[test]
    fn a_bad_manifest_record_is_reported_at_its_own_pointer() {
        let text = "{\"artifacts\": [\n {\"artifact_id\": \"a_1\", \"artifact_type\": \"plot\", \"stage\": \"eda\", \"name\": \"a\", \"description\": \"\", \"created_at\": \"2024-01-15T10:00:00\", \"metadata\": {}}\n]}";
        let d = check(manifest::FILE_NAME, text);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].pointer.as_deref(), Some("/artifacts/0"));
        assert_eq!(d[0].line, Some(2));
        assert!(d[0].message.contains("file_path"), "{}", d[0].message);
    }

    #[test]
    fn non_finite_numbers_are_numbers_and_pass_range_checks() {
        let text = "{\"total_records\": NaN, \"valid_records\": 1, \"data_quality_score\": Infinity, \"issues_found\": 0, \"outliers_removed\": 0}";
        assert!(check("etl_metadata/cleaned_data/cleaning_summary.json", text).is_empty());
    }

    #[test]
    fn files_without_a_schema_are_not_checked_and_errors_are_capped() {
        assert!(check("plots/data.json", "[1, \"x\"]").is_empty());
        let records: Vec<String> = (0..50).map(|_| "{}".to_string()).collect();
        assert!(
            check("etl_metadata/cleaning/cleaning_report.json", "{\"rules\": {\"k\": 1.5}, \"steps\": [{}]}")
                .is_empty()
        );
        let d = check(manifest::FILE_NAME, &format!("[{}]", records.join(",")));
        assert_eq!(d.len(), MAX_ERRORS + 1);
        assert!(d[MAX_ERRORS].message.ends_with("more values do not follow artifact_manifest.schema.json"), "{d:#?}");
    }
}
