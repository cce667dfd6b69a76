//! Reads `artifact_manifest.json` in any of the shapes pipelines write.
//!
//! Accepted: `{"version_id", "artifacts": {id: record}}`, a bare map
//! `{id: record}`, `{"artifacts": [record]}` and a bare list `[record]`.
//! Records are read leniently: a field of the wrong type is kept as text where
//! it can be, and anything that is not a record is reported and skipped.

use crate::diagnostics::{Diagnostic, Severity};
use crate::util::paths::pointer_push;
use serde::Serialize;
use serde_json::{Map, Value};

/// The file name of the manifest inside a version folder.
pub const FILE_NAME: &str = "artifact_manifest.json";

/// Which of the four shapes a manifest had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `{"artifacts": {id: record}}`, possibly with `version_id`.
    WrappedMap,
    /// `{id: record}`.
    BareMap,
    /// `{"artifacts": [record]}`.
    WrappedList,
    /// `[record]`.
    BareList,
}

/// A manifest, read.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The shape it had.
    pub shape: Shape,
    /// The `version_id` it declares, if any.
    pub version_id: Option<String>,
    /// Its records, in file order.
    pub records: Vec<Record>,
}

/// One artifact record of a manifest.
#[derive(Debug, Clone)]
pub struct Record {
    /// JSON pointer of the record inside the manifest.
    pub pointer: String,
    /// The map key it was stored under, for the map shapes.
    pub key: Option<String>,
    /// `artifact_id`, or the map key when the record has none.
    pub artifact_id: Option<String>,
    /// `artifact_type`.
    pub artifact_type: Option<String>,
    /// `stage`.
    pub stage: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `file_path`, as written.
    pub file_path: Option<String>,
    /// `created_at`, as written.
    pub created_at: Option<String>,
    /// `metadata`, or null.
    pub metadata: Value,
    /// The whole record, every field.
    pub fields: Map<String, Value>,
}

/// A scalar as text: strings as they are, numbers and booleans printed.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn record(pointer: String, key: Option<String>, fields: Map<String, Value>) -> Record {
    let get = |k: &str| text(fields.get(k));
    Record {
        artifact_id: get("artifact_id").or_else(|| key.clone()),
        artifact_type: get("artifact_type"),
        stage: get("stage"),
        name: get("name"),
        description: get("description"),
        file_path: get("file_path"),
        created_at: get("created_at"),
        metadata: fields.get("metadata").cloned().unwrap_or(Value::Null),
        pointer,
        key,
        fields,
    }
}

/// Reads a parsed manifest. `path` names the file in diagnostics.
pub fn read(value: Value, path: &str) -> (Manifest, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut records = Vec::new();
    let not_a_record = |pointer: String, problems: &mut Vec<Diagnostic>| {
        problems.push(
            Diagnostic::new(
                Severity::Warning,
                "manifest-entry",
                path,
                "manifest entry is not an artifact record (expected a JSON object); skipped",
            )
            .at_pointer(pointer),
        );
    };
    let (shape, version_id, list_pointer, body) = match value {
        Value::Object(mut map) => match map.remove("artifacts") {
            Some(inner @ (Value::Object(_) | Value::Array(_))) => {
                let shape = if inner.is_object() { Shape::WrappedMap } else { Shape::WrappedList };
                (shape, text(map.get("version_id")), "/artifacts".to_string(), inner)
            }
            Some(other) => {
                map.insert("artifacts".into(), other);
                let vid = text(map.get("version_id"));
                (Shape::BareMap, vid, String::new(), Value::Object(map))
            }
            None => {
                let vid = text(map.get("version_id"));
                (Shape::BareMap, vid, String::new(), Value::Object(map))
            }
        },
        Value::Array(list) => (Shape::BareList, None, String::new(), Value::Array(list)),
        _ => {
            problems.push(Diagnostic::new(
                Severity::Error,
                "manifest-shape",
                path,
                "manifest is neither a JSON object nor a list of artifact records",
            ));
            return (Manifest { shape: Shape::BareList, version_id: None, records }, problems);
        }
    };
    match body {
        Value::Object(map) => {
            for (key, v) in map {
                let pointer = pointer_push(&list_pointer, &key);
                match v {
                    Value::Object(fields) => records.push(record(pointer, Some(key), fields)),
                    _ if shape == Shape::BareMap && key == "version_id" => {}
                    _ => not_a_record(pointer, &mut problems),
                }
            }
        }
        Value::Array(list) => {
            for (i, v) in list.into_iter().enumerate() {
                let pointer = format!("{list_pointer}/{i}");
                match v {
                    Value::Object(fields) => records.push(record(pointer, None, fields)),
                    _ => not_a_record(pointer, &mut problems),
                }
            }
        }
        _ => unreachable!("body is an object or a list by construction"),
    }
    (Manifest { shape, version_id, records }, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(v: Value) -> (Shape, Vec<String>) {
        let (m, p) = read(v, "m.json");
        assert!(p.is_empty(), "{p:?}");
        (m.shape, m.records.into_iter().map(|r| r.artifact_id.unwrap()).collect())
    }

    #[test]
    fn reads_the_four_shapes() {
        let rec = json!({"artifact_id": "a", "name": "n", "file_path": "x"});
        assert_eq!(ids(json!({"version_id": "v", "artifacts": {"a": rec}})), (Shape::WrappedMap, vec!["a".into()]));
        assert_eq!(ids(json!({"b": {"name": "n"}})), (Shape::BareMap, vec!["b".into()]));
        assert_eq!(ids(json!({"artifacts": [rec]})), (Shape::WrappedList, vec!["a".into()]));
        assert_eq!(ids(json!([rec, rec])), (Shape::BareList, vec!["a".into(), "a".into()]));
    }

    #[test]
    fn reports_entries_that_are_not_records() {
        let (m, p) = read(json!({"artifacts": [1, {"name": "x"}]}), "m.json");
        assert_eq!(m.records.len(), 1);
        assert_eq!(m.records[0].pointer, "/artifacts/1");
        assert_eq!(p[0].pointer.as_deref(), Some("/artifacts/0"));
        let (_, p) = read(json!("nope"), "m.json");
        assert_eq!(p[0].severity, Severity::Error);
    }
}
