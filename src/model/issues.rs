//! The issues a run reports about its data, each counted once.
//!
//! Stages report issues as lists (validation errors, extraction errors,
//! failed download attempts) or as a bare count (a cleaning summary's
//! `issues_found`). Pipelines often write the same list twice: the seed's
//! collector writes `cleaned_data/validation_errors.json` and the stage code
//! `cleaning/validation_errors.json`. Entries are compared by content, so an
//! entry reported by two files, or two stages, is one issue. An extraction
//! error with a `count` stands for that many issues; a `count` of 0 is none.

use crate::input::etl::Typed;
use crate::model::{JsonDoc, Sourced, Stage};
use serde_json::Value;
use std::collections::HashMap;

/// One reported issue: what identifies it, and how many it stands for.
struct Entry {
    key: String,
    weight: f64,
}

/// The issues one file lists, with the pointer of its list.
struct Listed {
    doc: usize,
    pointer: String,
    entries: Vec<Entry>,
}

/// Sets each stage's issue count and what earlier stages already reported;
/// returns the run's total of distinct issues, or `None` when no stage
/// reports issues at all.
pub(crate) fn tally(docs: &[JsonDoc], stages: &mut [Stage]) -> Option<f64> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut total: Option<f64> = None;
    for stage in stages.iter_mut() {
        let lists: Vec<Listed> = stage.etl.iter().filter_map(|&di| listed(docs, di)).collect();
        let no_entries = lists.iter().all(|l| l.entries.is_empty());
        let (own, new, repeated_from) = if no_entries && (lists.is_empty() || counted(docs, &stage.etl).is_some()) {
            match counted(docs, &stage.etl) {
                Some(s) => {
                    let n = s.value;
                    (Some(s), n, None)
                }
                None => (None, 0.0, None),
            }
        } else {
            let mut mine: HashMap<&str, f64> = HashMap::new();
            for e in lists.iter().flat_map(|l| &l.entries) {
                mine.entry(e.key.as_str()).or_insert(e.weight);
            }
            let own: f64 = mine.values().sum();
            let mut repeated = 0.0;
            let mut from: Option<String> = None;
            for (key, weight) in &mine {
                match seen.get(*key) {
                    Some(first) => {
                        repeated += weight;
                        if from.as_ref().is_none_or(|f| f > first) {
                            from = Some(first.clone());
                        }
                    }
                    None => {
                        seen.insert(key.to_string(), stage.name.clone());
                    }
                }
            }
            let first = &lists[0];
            let source = Sourced { value: own, doc: first.doc, pointer: first.pointer.clone() };
            (Some(source), own - repeated, from.map(|f| (repeated, f)))
        };
        if own.is_some() {
            total = Some(total.unwrap_or(0.0) + new);
        }
        stage.metrics.issues = own;
        stage.metrics.repeated = repeated_from;
    }
    total
}

/// The issues document `di` lists, if it is a kind that lists them.
fn listed(docs: &[JsonDoc], di: usize) -> Option<Listed> {
    let d = &docs[di];
    let doc = d.parsed.as_ref().ok()?;
    let (pointer, kind) = match d.typed()? {
        Typed::ValidationErrors(_) => (if doc.has("/errors") { "/errors" } else { "" }, "validation"),
        Typed::CleaningStats(s) if s.validation_errors.is_some() => ("/validation_errors", "validation"),
        Typed::ExtractionStats(_) => ("/extraction_errors", "extraction"),
        Typed::DownloadLog(_) => ("/attempts", "download"),
        _ => return None,
    };
    let list = doc.pointer(pointer)?;
    let items = list.as_array()?;
    let entries = items
        .iter()
        .filter_map(|item| match kind {
            "extraction" => {
                let weight = item.get("count").and_then(count_of).unwrap_or(1.0);
                (weight > 0.0).then(|| Entry { key: key(kind, item), weight })
            }
            "download" => {
                let failed = item.get("status").and_then(Value::as_str).is_some_and(|s| s != "ok");
                failed.then(|| Entry { key: key(kind, item), weight: 1.0 })
            }
            _ => Some(Entry { key: key(kind, item), weight: 1.0 }),
        })
        .collect();
    Some(Listed { doc: di, pointer: pointer.to_string(), entries })
}

/// A count written as a number (or as text a number reads from).
fn count_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|n| *n >= 0.0),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0),
        _ => None,
    }
}

/// The bare issue count of a stage's files: a cleaning summary's `issues_found`.
fn counted(docs: &[JsonDoc], etl: &[usize]) -> Option<Sourced> {
    etl.iter().find_map(|&di| match docs[di].typed() {
        Some(Typed::CleaningSummary(s)) => {
            s.issues_found.map(|n| Sourced { value: n.0, doc: di, pointer: "/issues_found".into() })
        }
        _ => None,
    })
}

/// What identifies an entry: its kind and its content, keys in sorted order.
fn key(kind: &str, item: &Value) -> String {
    let mut out = String::from(kind);
    out.push(':');
    canonical(item, &mut out);
    out
}

/// Writes `v` as JSON with object keys sorted, so that two writers' copies
/// of an entry compare equal whatever order they wrote the keys in.
/// Recursion is bounded: parsed documents nest at most 127 levels.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::etl::{self, Kind};
    use crate::model::StageMetrics;
    use serde_json::json;
    use std::sync::Arc;

    fn doc(rel: &str, v: Value) -> JsonDoc {
        let kind = Kind::detect(rel);
        let typed = kind.and_then(|k| etl::read(k, &v)).map(Arc::new);
        let parsed = Ok(crate::util::compact_json::CompactJson::of(&v));
        JsonDoc { rel: rel.into(), parsed, kind, typed: typed.into(), cut: None, stage: None, artifact: None }
    }

    fn stage(name: &str, etl: Vec<usize>) -> Stage {
        Stage { name: name.into(), slug: name.into(), metrics: StageMetrics::default(), artifacts: Vec::new(), etl }
    }

    #[test]
    fn the_same_errors_in_two_stages_are_counted_once() {
        let errors =
            json!([{"column": "sex", "check": "isin", "index": 3}, {"column": "bill", "check": "ge", "index": 9}]);
        let reordered =
            json!([{"index": 9, "check": "ge", "column": "bill"}, {"check": "isin", "column": "sex", "index": 3}]);
        let docs = vec![
            doc("etl_metadata/cleaned_data/cleaning_summary.json", json!({"total_records": 10, "issues_found": 2})),
            doc("etl_metadata/cleaned_data/validation_errors.json", errors),
            doc("etl_metadata/cleaning/validation_errors.json", reordered),
        ];
        let mut stages = vec![stage("cleaned_data", vec![0, 1]), stage("cleaning", vec![2])];
        assert_eq!(tally(&docs, &mut stages), Some(2.0));
        assert_eq!(stages[0].metrics.issues.as_ref().map(|s| (s.value, s.doc)), Some((2.0, 1)));
        assert_eq!(stages[0].metrics.repeated, None);
        assert_eq!(stages[1].metrics.issues.as_ref().map(|s| s.value), Some(2.0));
        assert_eq!(stages[1].metrics.repeated, Some((2.0, "cleaned_data".into())));
    }

    #[test]
    fn zero_counts_and_successful_attempts_are_not_issues() {
        let docs = vec![
            doc(
                "etl_metadata/keypairs/extraction_stats.json",
                json!({"extraction_errors": [{"stage": "pairs", "count": 0}, {"stage": "nan", "count": 3}, {"error": "x"}]}),
            ),
            doc(
                "etl_metadata/download/download_log.json",
                json!({"attempts": [{"file": "a", "status": "ok"}, {"file": "b", "status": "timeout"}]}),
            ),
            doc("etl_metadata/cleaned_data/cleaning_summary.json", json!({"issues_found": 4})),
        ];
        let mut stages = vec![stage("download", vec![1]), stage("cleaned_data", vec![2]), stage("keypairs", vec![0])];
        assert_eq!(tally(&docs, &mut stages), Some(1.0 + 4.0 + 4.0));
        let values: Vec<f64> = stages.iter().map(|s| s.metrics.issues.as_ref().unwrap().value).collect();
        assert_eq!(values, [1.0, 4.0, 4.0]);
        let mut none = vec![stage("eda", vec![])];
        assert_eq!(tally(&docs, &mut none), None);
    }
}
