//! The manifest's `metadata.rows`, `shape`, `columns` and `dtypes` set against
//! what a table file holds.
//!
//! Pipelines write pandas facts (`"shape": [rows, cols]`, `"dtypes": {"n":
//! "int64"}`); a file holds rows and typed columns. Each fact the manifest
//! states becomes a [`Check`]; each disagreement also a [`Warning`].

use super::kinds::{Check, Warning};
use serde_json::Value;

/// The kind of values a column holds, as far as a dtype can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Whole numbers.
    Integer,
    /// Floating-point numbers.
    Float,
    /// Booleans.
    Bool,
    /// Dates and times.
    Temporal,
    /// Strings.
    Text,
    /// Anything a dtype cannot be checked against (nested, all empty, binary).
    Any,
}

impl Family {
    fn label(self) -> &'static str {
        match self {
            Family::Integer => "integer",
            Family::Float => "float",
            Family::Bool => "bool",
            Family::Temporal => "date/time",
            Family::Text => "text",
            Family::Any => "other",
        }
    }
}

/// Whether a pandas dtype can describe a column of this family.
fn compatible(dtype: &str, family: Family) -> bool {
    let d = dtype.to_ascii_lowercase();
    let want = if d.starts_with("int") || d.starts_with("uint") {
        Family::Integer
    } else if d.starts_with("float") || d.starts_with("double") {
        Family::Float
    } else if d.starts_with("bool") {
        Family::Bool
    } else if d.starts_with("datetime") || d.starts_with("date") || d.starts_with("timestamp") {
        Family::Temporal
    } else if d == "string" || d == "str" {
        Family::Text
    } else {
        return true; // object, category and the like can hold anything
    };
    family == Family::Any || family == want
}

/// pandas writes a non-default index as these columns; they are not data.
fn is_index_column(name: &str) -> bool {
    name.starts_with("__index_level_") && name.ends_with("__")
}

/// Checks `metadata` (the artifact's manifest `metadata`) against a table of
/// `rows` rows whose columns are `columns`, each of a family.
/// A count as the pages write it: `95,013`.
fn count(n: u64) -> String {
    crate::util::html::number(n as f64, 0)
}

pub(crate) fn against(metadata: &Value, rows: u64, columns: &[(String, Family)]) -> (Vec<Check>, Vec<Warning>) {
    let mut checks = Vec::new();
    let data: Vec<&(String, Family)> = columns.iter().filter(|(n, _)| !is_index_column(n)).collect();
    let mut check = |what: String, manifest: String, file: String, ok: bool| {
        checks.push(Check { what, manifest, file, ok });
    };
    if let Some(r) = metadata.get("rows").and_then(Value::as_u64) {
        check("rows".into(), count(r), count(rows), r == rows);
    }
    if let Some([r, c]) = metadata.get("shape").and_then(Value::as_array).map(Vec::as_slice) {
        if let Some(r) = r.as_u64() {
            check("rows".into(), count(r), count(rows), r == rows);
        }
        if let Some(c) = c.as_u64() {
            check("columns".into(), count(c), count(data.len() as u64), c == data.len() as u64);
        }
    }
    if let Some(names) = metadata.get("columns").and_then(Value::as_array) {
        let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
        let file: Vec<&str> = data.iter().map(|(n, _)| n.as_str()).collect();
        let missing: Vec<&str> = names.iter().copied().filter(|n| !file.contains(n)).collect();
        let extra: Vec<&str> = file.iter().copied().filter(|n| !names.contains(n)).collect();
        let text = if names == file {
            "the same".to_string()
        } else if missing.is_empty() && extra.is_empty() {
            format!("another order: {}", file.join(", "))
        } else {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("no {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                parts.push(format!("also {}", extra.join(", ")));
            }
            parts.join("; ")
        };
        check("column names".into(), names.join(", "), text, names == file);
    }
    if let Some(dtypes) = metadata.get("dtypes").and_then(Value::as_object) {
        for (name, dtype) in dtypes {
            let Some(dtype) = dtype.as_str() else { continue };
            let Some((_, family)) = data.iter().find(|(n, _)| n == name) else { continue };
            let ok = compatible(dtype, *family);
            check(format!("dtype of {name}"), dtype.to_string(), family.label().to_string(), ok);
        }
    }
    let warnings = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| {
            Warning::new(
                "manifest-mismatch",
                format!("the manifest's metadata says {} is {}, but the file has {}", c.what, c.manifest, c.file),
            )
        })
        .collect();
    (checks, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols(list: &[(&str, Family)]) -> Vec<(String, Family)> {
        list.iter().map(|(n, f)| (n.to_string(), *f)).collect()
    }

    #[test]
    fn agreeing_metadata_gives_no_warning() {
        let m = json!({"shape": [3, 2], "columns": ["a", "b"], "dtypes": {"a": "int64", "b": "object"}});
        let (checks, warnings) =
            against(&m, 3, &cols(&[("a", Family::Integer), ("b", Family::Text), ("__index_level_0__", Family::Any)]));
        assert_eq!(checks.len(), 5);
        assert!(checks.iter().all(|c| c.ok) && warnings.is_empty(), "{checks:?}");
    }

    #[test]
    fn each_disagreement_is_a_warning() {
        let m = json!({"shape": [88, 3], "columns": ["a", "b", "c"], "dtypes": {"a": "int64", "b": "float64"}});
        let (checks, warnings) = against(&m, 90, &cols(&[("a", Family::Float), ("b", Family::Float)]));
        let bad: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.what.as_str()).collect();
        assert_eq!(bad, ["rows", "columns", "column names", "dtype of a"]);
        assert_eq!(warnings.len(), 4);
        assert!(warnings[0].message.contains("rows is 88, but the file has 90"), "{}", warnings[0].message);
        assert!(checks[2].file.contains("no c"), "{:?}", checks[2]);
    }

    #[test]
    fn a_bare_row_count_is_checked() {
        let (checks, warnings) = against(&json!({"rows": 20}), 19, &[]);
        assert_eq!(checks.len(), 1);
        assert_eq!(warnings[0].code, "manifest-mismatch");
    }

    #[test]
    fn counts_are_written_as_the_pages_write_them() {
        let (checks, warnings) = against(&json!({"rows": 181}), 95_013, &[]);
        assert_eq!((checks[0].manifest.as_str(), checks[0].file.as_str()), ("181", "95,013"));
        assert!(warnings[0].message.contains("rows is 181, but the file has 95,013"), "{}", warnings[0].message);
    }

    #[test]
    fn metadata_without_table_facts_checks_nothing() {
        assert!(against(&json!({"pages": 1}), 20, &[]).0.is_empty());
        assert!(against(&Value::Null, 20, &[]).0.is_empty());
    }
}
