//! `index.json` and `v/{version}/summary.json`: the site's data for other tools.

use crate::diagnostics::{Counts, Diagnostic};
use crate::model::{Site, Sourced, Version};
use crate::plan;
use serde_json::{Value, json};

fn number(s: &Option<Sourced>) -> Value {
    match s {
        Some(s) if s.value.is_finite() => json!(s.value),
        Some(s) => json!(format!("{}", s.value)),
        None => Value::Null,
    }
}

/// Pretty JSON with `<` written as `\u003c` (it only occurs in strings), so
/// that no markup from the input appears in the site even in data files.
fn pretty(v: &Value) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).expect("a JSON value always serialises");
    let mut bytes = text.replace('<', "\\u003c").into_bytes();
    bytes.push(b'\n');
    bytes
}

/// The site index: versions, their artifacts and every page path.
pub fn site_index(site: &Site) -> Vec<u8> {
    let versions: Vec<Value> = site
        .versions
        .iter()
        .map(|v| {
            let artifacts: Vec<Value> = v
                .artifacts
                .iter()
                .enumerate()
                .map(|(ai, a)| {
                    json!({
                        "slug": a.slug, "artifact_id": a.id, "name": a.name, "stage": a.stage,
                        "artifact_type": a.artifact_type, "status": a.status,
                        "page": plan::artifact(v, ai),
                        "file": a.file.as_deref().map(|f| plan::file(v, f)),
                    })
                })
                .collect();
            json!({
                "id": v.id, "slug": v.slug, "time": v.time, "page": plan::version(v),
                "summary": format!("v/{}/summary.json", v.slug), "artifacts": artifacts,
            })
        })
        .collect();
    let aliases: Vec<Value> = site.aliases.iter().map(|a| json!({"name": a.name, "target": a.target})).collect();
    pretty(&json!({
        "generator": concat!("artsite ", env!("CARGO_PKG_VERSION")),
        "versions": versions,
        "aliases": aliases,
        "problems": Counts::of(&site.problems),
    }))
}

/// One version's headline numbers and stages.
pub fn version_summary(v: &Version) -> Vec<u8> {
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
        "records_in": number(&v.summary.records_in), "records_out": number(&v.summary.records_out),
        "quality_score": number(&v.summary.quality_score), "issues": v.summary.issues,
        "artifacts": v.artifacts.len(), "problems": v.problem_count, "stages": stages,
    }))
}

/// Problems as a JSON list: `problems.json` and `artsite check --format json`
/// (the same list as the problems page and the terminal).
pub fn problems(problems: &[Diagnostic]) -> Vec<u8> {
    pretty(&serde_json::to_value(problems).expect("diagnostics serialise"))
}
