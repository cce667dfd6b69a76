//! `index.json` and `v/{version}/summary.json`: the site's data for other tools.

use crate::diagnostics::{Counts, Diagnostic};
use crate::model::{Site, Sourced, Status, Version};
use crate::plan;
use crate::util::timestamp::Epoch;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

/// A number as JSON: NaN and the infinities, which JSON lacks, by name.
fn finite_or_text(x: f64) -> Value {
    crate::util::html::non_finite_name(x).map_or_else(|| json!(x), |name| json!(name))
}

fn number(s: &Option<Sourced>) -> Value {
    s.as_ref().map_or(Value::Null, |s| finite_or_text(s.value))
}

/// Pretty JSON, [embeddable](crate::util::html::embeddable_json): no markup from
/// the input appears in the site even in data files.
fn pretty(v: &impl Serialize) -> Vec<u8> {
    let mut text =
        crate::util::html::embeddable_json(serde_json::to_string_pretty(v).expect("site data always serialises"));
    text.push('\n');
    text.into_bytes()
}

/// One artifact in `index.json`.
#[derive(Serialize)]
struct IndexArtifact<'a> {
    slug: &'a str,
    artifact_id: Option<&'a str>,
    name: &'a str,
    stage: &'a str,
    artifact_type: &'a str,
    status: Status,
    page: String,
    file: Option<String>,
}

/// One version in `index.json`.
#[derive(Serialize)]
struct IndexVersion<'a> {
    id: &'a str,
    slug: &'a str,
    time: Option<Epoch>,
    verdict: crate::model::verdict::Status,
    page: String,
    summary: String,
    artifacts: Vec<IndexArtifact<'a>>,
}

/// `text` with every line after the first indented by `by` more spaces: a
/// pretty JSON value placed inside another (JSON strings hold no newline).
fn indented(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + by * text.matches('\n').count());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// Pretty JSON of `v` as a value nested `depth` levels deep in a pretty file.
fn nested(v: &impl Serialize, depth: usize) -> String {
    indented(&serde_json::to_string_pretty(v).expect("site data always serialises"), 2 * depth)
}

/// One version of `index.json`, rows borrowed from the model.
fn index_version(v: &Version) -> IndexVersion<'_> {
    IndexVersion {
        id: &v.id,
        slug: &v.slug,
        time: v.time,
        verdict: v.verdict.status,
        page: plan::version(v),
        summary: plan::summary_json(v),
        artifacts: v
            .artifacts
            .iter()
            .enumerate()
            .map(|(ai, a)| IndexArtifact {
                slug: &a.slug,
                artifact_id: a.id.as_deref(),
                name: &a.name,
                stage: &a.stage,
                artifact_type: &a.artifact_type,
                status: a.status,
                page: plan::artifact(v, ai),
                file: a.file.as_deref().map(|f| match v.raw_url {
                    Some(_) => plan::raw(v, f),
                    None => plan::file(v, f),
                }),
            })
            .collect(),
    }
}

/// The site index: versions, their artifacts and every page path, as the
/// parts of one pretty JSON file: its opening, each version (made in
/// parallel, from borrowed rows) and its closing. No buffer holds the whole
/// file, which is tens of megabytes on big sites.
pub(crate) fn site_index(site: &Site) -> Vec<Vec<u8>> {
    let generator = concat!("artsite ", env!("CARGO_PKG_VERSION"));
    let empty = site.versions.is_empty();
    let opening =
        format!("{{\n  \"generator\": {},\n  \"versions\": [{}", nested(&generator, 1), if empty { "]" } else { "" });
    let versions = site.versions.par_iter().enumerate().map(|(i, v)| {
        let comma = if i == 0 { "" } else { "," };
        format!("{comma}\n    {}", nested(&index_version(v), 2))
    });
    let aliases: Vec<Value> = site.aliases.iter().map(|a| json!({"name": a.name, "target": a.target})).collect();
    let closing = format!(
        "{},\n  \"aliases\": {},\n  \"problems\": {}\n}}\n",
        if empty { "" } else { "\n  ]" },
        nested(&aliases, 1),
        nested(&Counts::of(&site.problems), 1),
    );
    let mut parts = vec![opening];
    parts.par_extend(versions);
    parts.push(closing);
    parts.into_iter().map(|part| crate::util::html::embeddable_json(part).into_bytes()).collect()
}

/// One version's headline numbers and stages.
pub(crate) fn version_summary(v: &Version) -> Vec<u8> {
    let stages: Vec<Value> = v
        .stages
        .iter()
        .enumerate()
        .map(|(si, s)| {
            json!({
                "name": s.name, "page": plan::stage(v, si),
                "records_in": number(&s.metrics.records_in), "records_out": number(&s.metrics.records_out),
                "seconds": number(&s.metrics.seconds), "issues": number(&s.metrics.issues),
                "artifacts": s.artifacts.len(),
            })
        })
        .collect();
    pretty(&json!({
        "id": v.id, "time": v.time, "time_source": v.time_source, "manifest": v.manifest,
        "verdict": v.verdict.status,
        "records_in": number(&v.summary.records_in), "records_out": number(&v.summary.records_out),
        "quality_score": number(&v.summary.quality_score), "issues": v.summary.issues,
        "artifacts": v.artifacts.len(), "problems": v.problems, "stages": stages,
        "checks": v.verdict.results.iter().map(check).collect::<Vec<_>>(),
    }))
}

/// One check of a run, as `summary.json` lists it.
fn check(r: &crate::model::verdict::CheckResult) -> Value {
    let value = match (r.value, &r.value_text) {
        (Some(x), _) => finite_or_text(x),
        (None, Some(text)) => json!(text),
        (None, None) => Value::Null,
    };
    let source = match &r.source {
        crate::model::verdict::Source::Field(_) => "field",
        crate::model::verdict::Source::Problems => "problems",
        crate::model::verdict::Source::Computed => "computed",
    };
    json!({
        "id": r.id, "name": r.name, "status": r.status, "value": value, "expected": r.expected,
        "previous": r.previous.map(finite_or_text), "message": r.message, "source": source,
    })
}

/// Problems as a JSON list: `problems.json` and `artsite check --format json`
/// (the same list as the problems page and the terminal).
pub(crate) fn problems(problems: &[Diagnostic]) -> Vec<u8> {
    pretty(&serde_json::to_value(problems).expect("diagnostics serialise"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_an_empty_site_index_are_one_pretty_document() {
        let text = site_index(&Site::empty()).concat();
        let value: Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(value["versions"], json!([]));
        assert_eq!(String::from_utf8(text).unwrap(), format!("{}\n", serde_json::to_string_pretty(&value).unwrap()));
    }

    #[test]
    fn numbers_json_lacks_are_named_as_pages_name_them() {
        assert_eq!(finite_or_text(2.5), json!(2.5));
        assert_eq!(finite_or_text(f64::NAN), json!("NaN"));
        assert_eq!(finite_or_text(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(finite_or_text(f64::INFINITY), json!(crate::util::html::number(f64::INFINITY, 2)));
    }
}
