//! Numbers about stages and versions, each traced to the JSON field it came from.

use crate::input::etl::{Num, Typed};
use crate::model::{JsonDoc, Sourced, Stage, StageMetrics, Summary};

fn src(doc: usize, key: &str, n: Option<Num>) -> Option<Sourced> {
    n.map(|Num(value)| Sourced { value, doc, pointer: format!("/{key}") })
}

/// The records and time of a stage from its typed ETL files (indices into
/// `docs`); its issues are counted by [`crate::model::issues::tally`]. When several
/// files give the same number, the first in this order wins: cleaning
/// report, cleaning stats, cleaning summary, extraction stats, download
/// manifest and log.
pub(crate) fn stage_metrics(docs: &[JsonDoc], etl: &[usize]) -> StageMetrics {
    let mut m = StageMetrics::default();
    let mut typed: Vec<(usize, &Typed)> = etl.iter().filter_map(|&i| docs[i].typed().map(|t| (i, t))).collect();
    typed.sort_by_key(|(_, t)| priority(t));
    for (i, t) in typed {
        let (rin, rout, secs) = match t {
            Typed::CleaningReport(r) => {
                (src(i, "records_in", r.records_in), src(i, "records_out", r.records_out), None)
            }
            Typed::CleaningStats(s) => (
                src(i, "total_records", s.total_records).or_else(|| src(i, "records_in", s.records_in)),
                src(i, "valid_records", s.valid_records).or_else(|| src(i, "records_out", s.records_out)),
                src(i, "processing_time", s.processing_time),
            ),
            Typed::CleaningSummary(s) => {
                (src(i, "total_records", s.total_records), src(i, "valid_records", s.valid_records), None)
            }
            Typed::ExtractionStats(s) => (
                src(i, "input_records", s.input_records),
                src(i, "output_records", s.output_records),
                src(i, "computation_time", s.computation_time),
            ),
            Typed::DownloadManifest(d) => (None, src(i, "total_records", d.total_records), None),
            Typed::DownloadLog(l) => (None, None, src(i, "total_elapsed_s", l.total_elapsed_s)),
            _ => (None, None, None),
        };
        m.records_in = m.records_in.or(rin);
        m.records_out = m.records_out.or(rout);
        m.seconds = m.seconds.or(secs);
    }
    m
}

fn priority(t: &Typed) -> u8 {
    match t {
        Typed::CleaningReport(_) => 0,
        Typed::CleaningStats(_) => 1,
        Typed::CleaningSummary(_) => 2,
        Typed::ExtractionStats(_) => 3,
        Typed::DownloadManifest(_) => 4,
        Typed::DownloadLog(_) => 5,
        _ => 6,
    }
}

fn is_cleaning(name: &str) -> bool {
    matches!(name, "cleaning" | "cleaned_data" | "clean")
}

/// The headline numbers of a version: records in (downloaded, else entering
/// the first stage), records out (valid after cleaning, else leaving the last
/// stage that says), the quality score (the cleaning summary's, else
/// valid / total of the cleaning stats); `issues` is the run's distinct
/// issue count from [`crate::model::issues::tally`].
pub(crate) fn summary(docs: &[JsonDoc], stages: &[Stage], issues: Option<f64>) -> Summary {
    let first_in = stages
        .iter()
        .find_map(|s| if s.name == "download" { s.metrics.records_out.clone() } else { s.metrics.records_in.clone() });
    let cleaning_out = stages.iter().filter(|s| is_cleaning(&s.name)).find_map(|s| s.metrics.records_out.clone());
    let last_out = stages.iter().rev().find_map(|s| s.metrics.records_out.clone());
    let score = docs.iter().enumerate().find_map(|(i, d)| match d.typed() {
        Some(Typed::CleaningSummary(s)) => src(i, "data_quality_score", s.data_quality_score),
        _ => None,
    });
    let score = score.or_else(|| {
        docs.iter().enumerate().find_map(|(i, d)| match d.typed() {
            Some(Typed::CleaningStats(s)) => match (s.valid_records, s.total_records) {
                (Some(Num(v)), Some(Num(t))) if t != 0.0 => {
                    Some(Sourced { value: v / t * 100.0, doc: i, pointer: "/valid_records".into() })
                }
                _ => None,
            },
            _ => None,
        })
    });
    let cleaning_field = |pick: fn(&Typed, usize) -> Option<Sourced>| {
        let mut found: Vec<(u8, Sourced)> = docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.typed().and_then(|t| pick(t, i).map(|s| (priority(t), s))))
            .collect();
        found.sort_by_key(|(p, _)| *p);
        found.into_iter().next().map(|(_, s)| s)
    };
    Summary {
        records_in: first_in,
        records_out: cleaning_out.or(last_out),
        quality_score: score,
        issues,
        outliers_removed: cleaning_field(|t, i| match t {
            Typed::CleaningStats(s) => src(i, "outliers_removed", s.outliers_removed),
            Typed::CleaningSummary(s) => src(i, "outliers_removed", s.outliers_removed),
            _ => None,
        }),
        duplicates_removed: cleaning_field(|t, i| match t {
            Typed::CleaningStats(s) => src(i, "duplicates_removed", s.duplicates_removed),
            _ => None,
        }),
        features: docs.iter().enumerate().find_map(|(i, d)| match d.typed() {
            Some(Typed::FeatureRegistry(r)) => {
                let n: usize = r.values().map(|e| e.features.len()).sum();
                let n = if n == 0 { r.len() } else { n };
                Some(Sourced { value: n as f64, doc: i, pointer: String::new() })
            }
            _ => None,
        }),
    }
}
