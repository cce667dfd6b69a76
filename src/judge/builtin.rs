//! The built-in checks about what makes a run's files wrong: a manifest that
//! cannot be read, JSON that does not parse, listed files that are missing.

use super::rules::{Bounds, judged, level_status, run_metric};
use crate::config::checks::Level;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::manifest;
use crate::model::verdict::{CheckResult, Source, Status};
use crate::model::{ManifestState, Status as ArtifactStatus, Version};
use crate::util::html::counted;

/// `location` (of a file in run `id`) without the run's folder in front.
/// Records out of the last stage that reports them fell more than 50 % on the previous run.
pub(crate) fn records_drop(v: &Version, prev: Option<&Version>, level: Level) -> CheckResult {
    let bound = Bounds::max_drop(50.0);
    let value = run_metric(v, &[], "records_final");
    let previous = prev.and_then(|p| run_metric(p, &[], "records_final")).map(|c| c.value());
    let mut r = judged("records_drop", "Records out of the last stage steady", level, value, previous, &bound);
    if let (Some(now), Some(before)) = (r.value, r.previous)
        && before > now
    {
        r.summary = format!("records out fell {:.1}%", (before - now) / before * 100.0);
    }
    r
}

fn in_run(location: &str, id: &str) -> String {
    location.strip_prefix(id).and_then(|rest| rest.strip_prefix('/')).unwrap_or(location).to_string()
}

pub(crate) fn manifest_check(v: &Version, problems: &[&Diagnostic], level: Level) -> CheckResult {
    let path = format!("{}/{}", v.id, manifest::FILE_NAME);
    let broken = problems.iter().find(|d| {
        d.path == path
            && d.severity == Severity::Error
            && matches!(d.code, "json-syntax" | "json-unread" | "manifest-shape")
    });
    let (status, text, message) = match (v.manifest, broken) {
        (ManifestState::Missing, _) => {
            (Status::Skip, "none", "the run has no manifest; its artifacts are the files on disk".to_string())
        }
        (ManifestState::Unreadable, found) | (ManifestState::Read(_), found @ Some(_)) => (
            level_status(level),
            "unreadable",
            match found {
                Some(d) => format!("{} cannot be read: {}", in_run(&d.location(), &v.id), d.message),
                None => format!("{} cannot be read", manifest::FILE_NAME),
            },
        ),
        (ManifestState::Read(_), None) => {
            let listed = v.artifacts.iter().filter(|a| a.record.is_some()).count();
            (Status::Pass, "read", format!("{} read", counted(listed, "artifact record")))
        }
    };
    CheckResult {
        id: "manifest".into(),
        name: "Manifest readable".into(),
        status,
        value: None,
        value_text: Some(text.into()),
        source: Source::Problems,
        expected: "readable".into(),
        previous: None,
        message,
        summary: format!("manifest {text}"),
    }
}

pub(crate) fn json_check(v: &Version, level: Level) -> CheckResult {
    let broken: Vec<&str> = v.json.iter().filter(|d| d.parsed.is_err()).map(|d| d.rel.as_str()).collect();
    let n = broken.len();
    CheckResult {
        id: "json".into(),
        name: "JSON files parse".into(),
        status: if n == 0 { Status::Pass } else { level_status(level) },
        value: Some(n as f64),
        value_text: None,
        source: Source::Problems,
        expected: "0 files that do not parse".into(),
        previous: None,
        message: match n {
            0 => format!("{} parsed", counted(v.json.len(), "JSON file")),
            _ => format!("{} {} not parse: {}", counted(n, "file"), does(n), list(&broken)),
        },
        summary: format!("{} {} not parse", counted(n, "JSON file"), does(n)),
    }
}

pub(crate) fn files_check(v: &Version, level: Level) -> CheckResult {
    let missing: Vec<&str> = v
        .artifacts
        .iter()
        .filter(|a| a.status == ArtifactStatus::Missing && a.declared_path.is_some())
        .map(|a| a.declared_path.as_deref().unwrap_or_default())
        .collect();
    let n = missing.len();
    let status = match (v.manifest, n) {
        (ManifestState::Missing, _) => Status::Skip,
        (_, 0) => Status::Pass,
        _ => level_status(level),
    };
    CheckResult {
        id: "files".into(),
        name: "Listed files present".into(),
        status,
        value: Some(n as f64),
        value_text: None,
        source: Source::Problems,
        expected: "0 missing".into(),
        previous: None,
        message: match (status, n) {
            (Status::Skip, _) => "the run has no manifest".into(),
            (_, 0) => "every listed file was found".into(),
            _ => format!("{} missing: {}", counted(n, "listed file"), list(&missing)),
        },
        summary: format!("{} missing", counted(n, "listed file")),
    }
}

/// `does` for one, `do` for more.
fn does(n: usize) -> &'static str {
    if n == 1 { "does" } else { "do" }
}

/// The first few names of a list, and how many more.
fn list(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", crate::util::html::number((names.len() - SHOWN) as f64, 0)));
    }
    text
}
