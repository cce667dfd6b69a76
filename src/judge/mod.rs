//! Health checks and each run's verdict: pass, warn or fail.
//!
//! The built-in checks (see [`crate::config::DefaultChecks`]) judge what
//! makes a run's files wrong (a manifest that cannot be read, JSON that does
//! not parse, listed files that are missing) and a large fall in records;
//! the site's own rules (see [`crate::config::Rule`]) bound any run metric,
//! stage metric or JSON field, absolutely or against the previous run. A
//! run fails when a check at level `fail` fails, warns when one at `warn`
//! does, and passes otherwise. Pure: reads the loaded site, does no I/O.

use crate::config::{Checks, Level, Rule};
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::manifest;
use crate::model::{ManifestState, Site, Sourced, Status as ArtifactStatus, Version};
use crate::util::lenient_json::non_finite;
use globset::{Glob, GlobMatcher};
use serde::Serialize;
use serde_json::Value;

/// The outcome of one check, or of a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to judge: the value is not there.
    Skip,
    /// Within bounds.
    Pass,
    /// Out of bounds, at level `warn`.
    Warn,
    /// Out of bounds, at level `fail`.
    Fail,
}

impl Status {
    /// The word shown for it.
    pub fn word(self) -> &'static str {
        match self {
            Status::Skip => "no data",
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// Where a check's value came from, for a link to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Source {
    /// A field of one of the run's JSON files.
    Field(Sourced),
    /// The run's problems (the check counts or reads them).
    Problems,
    /// Computed from several files (a sum over stages, a count of artifacts).
    Computed,
}

/// What one check saw and concluded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// `manifest`, `json`, `files`, `records_drop`, or `rule-N` (N from 1).
    pub id: String,
    /// What it checks, in words.
    pub name: String,
    /// What it concluded.
    pub status: Status,
    /// The value it judged, when it is a number.
    pub value: Option<f64>,
    /// The value in words (`unreadable`, `2 files`), when it is not a number.
    pub value_text: Option<String>,
    /// Where the value came from.
    pub source: Source,
    /// The bounds, in words (`≥ 300`, `fall ≤ 50% on the previous run`).
    pub expected: String,
    /// The previous run's value, for bounds on the change.
    pub previous: Option<f64>,
    /// Why it did not pass, or what it found.
    pub message: String,
    /// What it found, in a few words, for lists of flagged checks
    /// (`manifest unreadable`, `records out fell 56.0%`, a rule's name).
    pub summary: String,
}

/// A run's checks and their verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The worst status of any check (pass when none failed or warned).
    pub status: Status,
    /// Every check, built-in ones first.
    pub results: Vec<CheckResult>,
}

impl Default for Verdict {
    fn default() -> Self {
        Verdict { status: Status::Pass, results: Vec::new() }
    }
}

impl Verdict {
    /// The checks that failed or warned.
    pub fn flagged(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| matches!(r.status, Status::Warn | Status::Fail))
    }
}

/// Whether a rule reads the run's problem counts, which include what the file
/// readers find (a build must then read every preview before judging).
pub fn needs_file_problems(checks: &Checks) -> bool {
    checks.rules.iter().any(|r| r.stage.is_none() && matches!(r.metric.as_deref(), Some("errors" | "warnings")))
}

/// Judges every run of `site` and stores each verdict in its version.
pub fn judge_site(site: &mut Site, checks: &Checks) {
    let verdicts: Vec<Verdict> = (0..site.versions.len()).map(|vi| judge(site, vi, checks)).collect();
    for (v, verdict) in site.versions.iter_mut().zip(verdicts) {
        v.verdict = verdict;
    }
}

/// The verdict of version `vi` of `site`.
pub fn judge(site: &Site, vi: usize, checks: &Checks) -> Verdict {
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    let problems: Vec<&Diagnostic> = site.problems.iter().filter(|d| belongs_to(d, &v.id)).collect();
    let d = &checks.defaults;
    let mut results = Vec::new();
    if d.manifest != Level::Off {
        results.push(manifest_check(v, &problems, d.manifest));
    }
    if d.json != Level::Off {
        results.push(json_check(v, d.json));
    }
    if d.files != Level::Off {
        results.push(files_check(v, d.files));
    }
    if d.records_drop != Level::Off {
        let bound = Bounds { max_drop_pct: Some(50.0), ..Bounds::default() };
        let value = run_metric(v, &problems, "records_final");
        let previous = prev.and_then(|p| run_metric(p, &[], "records_final")).map(|c| c.value());
        let mut r =
            judged("records_drop", "Records out of the last stage steady", d.records_drop, value, previous, &bound);
        if let (Some(now), Some(before)) = (r.value, r.previous)
            && before > now
        {
            r.summary = format!("records out fell {:.1}%", (before - now) / before * 100.0);
        }
        results.push(r);
    }
    for (i, rule) in checks.rules.iter().enumerate() {
        results.extend(rule_results(site, vi, &problems, rule, i + 1));
    }
    let status = results.iter().map(|r| r.status).max().unwrap_or(Status::Pass).max(Status::Pass);
    Verdict { status, results }
}

/// The version the config's `baseline` names (a version id or an alias),
/// and a warning when it names none.
pub fn resolve_baseline(site: &Site, baseline: Option<&str>) -> (Option<usize>, Option<Diagnostic>) {
    let Some(name) = baseline else { return (None, None) };
    let target = site.aliases.iter().find(|a| a.name == name).map_or(name, |a| a.target.as_str());
    match site.versions.iter().position(|v| v.id == target) {
        Some(vi) => (Some(vi), None),
        None => {
            let d = Diagnostic::new(
                Severity::Warning,
                "baseline",
                "(config)",
                format!(
                    "baseline \"{name}\" is neither a version nor an alias of this root; runs are compared with the previous run only"
                ),
            );
            (None, Some(d))
        }
    }
}

/// `location` (of a file in run `id`) without the run's folder in front.
fn in_run(location: &str, id: &str) -> String {
    location.strip_prefix(id).and_then(|rest| rest.strip_prefix('/')).unwrap_or(location).to_string()
}

/// Whether a problem is about a file of the run `id` (or the run's folder).
pub fn belongs_to(d: &Diagnostic, id: &str) -> bool {
    d.path == id || d.path.strip_prefix(id).is_some_and(|rest| rest.starts_with('/'))
}

fn manifest_check(v: &Version, problems: &[&Diagnostic], level: Level) -> CheckResult {
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
            (Status::Pass, "read", format!("{listed} artifact record{} read", plural(listed)))
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

fn json_check(v: &Version, level: Level) -> CheckResult {
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
            0 => format!("{} JSON file{} parsed", v.json.len(), plural(v.json.len())),
            _ => format!("{n} file{} do{} not parse: {}", plural(n), if n == 1 { "es" } else { "" }, list(&broken)),
        },
        summary: format!("{n} JSON file{} do{} not parse", plural(n), if n == 1 { "es" } else { "" }),
    }
}

fn files_check(v: &Version, level: Level) -> CheckResult {
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
            _ => format!("{n} listed file{} missing: {}", plural(n), list(&missing)),
        },
        summary: format!("{n} listed file{} missing", plural(n)),
    }
}

fn level_status(level: Level) -> Status {
    match level {
        Level::Fail => Status::Fail,
        Level::Warn => Status::Warn,
        Level::Off => Status::Skip,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The first few names of a list, and how many more.
fn list(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// A value a check judges: traced to a JSON field, or computed.
#[derive(Debug, Clone)]
pub enum Cell {
    /// A field of one of the run's JSON files.
    Sourced(Sourced),
    /// Computed, from the run's problems or several files.
    Computed(f64, Source),
}

impl Cell {
    /// The number.
    pub fn value(&self) -> f64 {
        match self {
            Cell::Sourced(s) => s.value,
            Cell::Computed(v, _) => *v,
        }
    }

    fn source(&self) -> Source {
        match self {
            Cell::Sourced(s) => Source::Field(s.clone()),
            Cell::Computed(_, s) => s.clone(),
        }
    }
}

/// A run metric of `v` (see [`crate::config::METRICS`]); `problems` are the
/// run's own, for `errors` and `warnings`.
pub fn run_metric(v: &Version, problems: &[&Diagnostic], metric: &str) -> Option<Cell> {
    let s = &v.summary;
    let sourced = |x: &Option<Sourced>| x.clone().map(Cell::Sourced);
    let count = |n: usize, source: Source| Some(Cell::Computed(n as f64, source));
    match metric {
        "records_in" => sourced(&s.records_in),
        "records_out" => sourced(&s.records_out),
        "records_final" => v.stages.iter().rev().find_map(|st| st.metrics.records_out.clone()).map(Cell::Sourced),
        "quality_score" => sourced(&s.quality_score),
        "issues" => s.issues.map(|n| Cell::Computed(n, Source::Computed)),
        "outliers_removed" => sourced(&s.outliers_removed),
        "duplicates_removed" => sourced(&s.duplicates_removed),
        "features" => sourced(&s.features),
        "processing_time" => {
            let times: Vec<f64> =
                v.stages.iter().filter_map(|st| st.metrics.seconds.as_ref().map(|x| x.value)).collect();
            (!times.is_empty()).then(|| Cell::Computed(times.iter().sum(), Source::Computed))
        }
        "artifacts" => count(v.artifacts.len(), Source::Computed),
        "artifacts_missing" => {
            count(v.artifacts.iter().filter(|a| a.status == ArtifactStatus::Missing).count(), Source::Computed)
        }
        "artifacts_unlisted" => {
            count(v.artifacts.iter().filter(|a| a.status == ArtifactStatus::Unlisted).count(), Source::Computed)
        }
        "errors" => count(problems.iter().filter(|d| d.severity == Severity::Error).count(), Source::Problems),
        "warnings" => count(problems.iter().filter(|d| d.severity == Severity::Warning).count(), Source::Problems),
        _ => None,
    }
}

/// A stage metric of the stage named `stage` of `v` (see [`crate::config::STAGE_METRICS`]).
pub fn stage_metric(v: &Version, stage: &str, metric: &str) -> Option<Cell> {
    let m = &v.stages.iter().find(|s| s.name == stage)?.metrics;
    match metric {
        "records_in" => m.records_in.clone().map(Cell::Sourced),
        "records_out" => m.records_out.clone().map(Cell::Sourced),
        "seconds" => m.seconds.clone().map(Cell::Sourced),
        "issues" => m.issues.clone().map(Cell::Sourced),
        "drop_pct" => match (&m.records_in, &m.records_out) {
            (Some(i), Some(o)) if i.value > 0.0 => {
                Some(Cell::Computed((i.value - o.value) / i.value * 100.0, Source::Computed))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The number at `pointer` in JSON doc `doc` of `v`: a number (or NaN,
/// Infinity, a number written as text), a boolean as 1 or 0, or the length of
/// a list or object.
fn field(v: &Version, doc: usize, pointer: &str) -> Option<Cell> {
    let value = v.json[doc].parsed.as_ref().ok()?.pointer(pointer)?;
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Array(a) => a.len() as f64,
        Value::Object(m) => m.len() as f64,
        Value::String(s) => non_finite(value).or_else(|| s.trim().parse().ok())?,
        Value::Null => return None,
    };
    Some(Cell::Sourced(Sourced { value: n, doc, pointer: pointer.to_string() }))
}

/// The bounds of a rule.
#[derive(Debug, Default)]
struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
    max_drop_pct: Option<f64>,
    max_rise_pct: Option<f64>,
    max_change: Option<f64>,
}

impl Bounds {
    fn of(rule: &Rule) -> Bounds {
        Bounds {
            min: rule.min,
            max: rule.max,
            max_drop_pct: rule.max_drop_pct,
            max_rise_pct: rule.max_rise_pct,
            max_change: rule.max_change,
        }
    }

    fn changes(&self) -> bool {
        self.max_drop_pct.is_some() || self.max_rise_pct.is_some() || self.max_change.is_some()
    }

    /// The bounds in words.
    fn text(&self) -> String {
        let n = |x: f64| crate::util::html::number(x, 2);
        let mut parts = Vec::new();
        match (self.min, self.max) {
            (Some(a), Some(b)) => parts.push(format!("{} to {}", n(a), n(b))),
            (Some(a), None) => parts.push(format!("≥ {}", n(a))),
            (None, Some(b)) => parts.push(format!("≤ {}", n(b))),
            (None, None) => {}
        }
        if let Some(p) = self.max_drop_pct {
            parts.push(format!("falls ≤ {}%", n(p)));
        }
        if let Some(p) = self.max_rise_pct {
            parts.push(format!("rises ≤ {}%", n(p)));
        }
        if let Some(c) = self.max_change {
            parts.push(format!("changes by ≤ {}", n(c)));
        }
        let mut text = parts.join(", ");
        if self.changes() {
            text.push_str(" on the previous run");
        }
        text
    }

    /// What is out of bounds about `value` (given the previous run's), if anything.
    fn breach(&self, value: f64, previous: Option<f64>) -> Option<String> {
        let n = |x: f64| crate::util::html::number(x, 2);
        if value.is_nan() && (self.min.is_some() || self.max.is_some()) {
            return Some("the value is NaN".into());
        }
        if let Some(min) = self.min
            && value < min
        {
            return Some(format!("{} is below {}", n(value), n(min)));
        }
        if let Some(max) = self.max
            && value > max
        {
            return Some(format!("{} is above {}", n(value), n(max)));
        }
        let prev = previous.filter(|p| p.is_finite() && value.is_finite())?;
        let change = value - prev;
        if let Some(limit) = self.max_drop_pct
            && prev > 0.0
            && change < 0.0
        {
            let pct = -change / prev * 100.0;
            if pct > limit {
                return Some(format!("fell {:.1}% ({} → {}), more than {}%", pct, n(prev), n(value), n(limit)));
            }
        }
        if let Some(limit) = self.max_rise_pct
            && change > 0.0
        {
            if prev <= 0.0 {
                return Some(format!("rose from {} to {}", n(prev), n(value)));
            }
            let pct = change / prev * 100.0;
            if pct > limit {
                return Some(format!("rose {:.1}% ({} → {}), more than {}%", pct, n(prev), n(value), n(limit)));
            }
        }
        if let Some(limit) = self.max_change
            && change.abs() > limit
        {
            return Some(format!("changed by {} ({} → {}), more than {}", n(change), n(prev), n(value), n(limit)));
        }
        None
    }
}

/// Judges `value` against `bounds`; `level` says what a breach does.
fn judged(
    id: &str,
    name: &str,
    level: Level,
    value: Option<Cell>,
    previous: Option<f64>,
    bounds: &Bounds,
) -> CheckResult {
    let expected = bounds.text();
    let Some(cell) = value else {
        return CheckResult {
            id: id.into(),
            name: name.into(),
            status: Status::Skip,
            value: None,
            value_text: None,
            source: Source::Computed,
            expected,
            previous,
            message: "no value to check in this run".into(),
            summary: format!("{name}: no value"),
        };
    };
    let v = cell.value();
    let absolute_only = bounds.min.is_some() || bounds.max.is_some();
    let (status, message) = match bounds.breach(v, previous) {
        Some(why) => (level_status(level), why),
        None if previous.is_none() && bounds.changes() && !absolute_only => {
            (Status::Skip, "no previous value to compare with".to_string())
        }
        None => (Status::Pass, "within bounds".to_string()),
    };
    CheckResult {
        id: id.into(),
        name: name.into(),
        status,
        value: Some(v),
        value_text: None,
        source: cell.source(),
        expected,
        previous,
        summary: name.to_string(),
        message,
    }
}

/// The results of one of the site's rules on version `vi`: one, or one per
/// file its glob matches.
fn rule_results(site: &Site, vi: usize, problems: &[&Diagnostic], rule: &Rule, n: usize) -> Vec<CheckResult> {
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    let bounds = Bounds::of(rule);
    let id = format!("rule-{n}");
    match (&rule.metric, &rule.stage, &rule.file, &rule.pointer) {
        (Some(metric), None, ..) => {
            let previous = prev.and_then(|p| {
                let theirs: Vec<&Diagnostic> = site.problems.iter().filter(|d| belongs_to(d, &p.id)).collect();
                run_metric(p, &theirs, metric)
            });
            let value = run_metric(v, problems, metric);
            vec![judged(&id, &rule.name, rule.severity, value, previous.map(|c| c.value()), &bounds)]
        }
        (Some(metric), Some(stage), ..) => {
            let previous = prev.and_then(|p| stage_metric(p, stage, metric)).map(|c| c.value());
            vec![judged(&id, &rule.name, rule.severity, stage_metric(v, stage, metric), previous, &bounds)]
        }
        (None, _, Some(glob), Some(pointer)) => {
            let Ok(glob) = Glob::new(glob).map(|g| g.compile_matcher()) else { return Vec::new() };
            let docs = matching(v, &glob);
            if docs.is_empty() {
                return vec![judged(&id, &rule.name, rule.severity, None, None, &bounds)];
            }
            let several = docs.len() > 1;
            docs.into_iter()
                .map(|di| {
                    let rel = &v.json[di].rel;
                    let previous = prev
                        .and_then(|p| p.json.iter().position(|d| &d.rel == rel).and_then(|pd| field(p, pd, pointer)))
                        .map(|c| c.value());
                    let name = if several { format!("{} ({rel})", rule.name) } else { rule.name.clone() };
                    let mut r = judged(&id, &name, rule.severity, field(v, di, pointer), previous, &bounds);
                    if r.value.is_none() {
                        r.message = format!("{rel} has no number at {pointer}");
                        r.summary = format!("{name}: no value");
                    }
                    r
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The JSON docs of `v` whose path matches `glob`, in path order.
fn matching(v: &Version, glob: &GlobMatcher) -> Vec<usize> {
    let mut docs: Vec<usize> = (0..v.json.len()).filter(|&di| glob.is_match(&v.json[di].rel)).collect();
    docs.sort_by(|&a, &b| v.json[a].rel.cmp(&v.json[b].rel));
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_hold_at_the_boundary_and_break_past_it() {
        let b = Bounds { min: Some(10.0), max: Some(20.0), ..Bounds::default() };
        assert_eq!(b.breach(10.0, None), None);
        assert_eq!(b.breach(20.0, None), None);
        assert!(b.breach(9.99, None).unwrap().contains("below 10"));
        assert!(b.breach(20.01, None).unwrap().contains("above 20"));
        assert!(b.breach(f64::NAN, None).unwrap().contains("NaN"));
        let drop = Bounds { max_drop_pct: Some(50.0), ..Bounds::default() };
        assert_eq!(drop.breach(50.0, Some(100.0)), None);
        assert!(drop.breach(49.0, Some(100.0)).unwrap().starts_with("fell 51.0% (100 → 49)"));
        assert_eq!(drop.breach(200.0, Some(100.0)), None, "a rise is not a drop");
        let rise = Bounds { max_rise_pct: Some(10.0), ..Bounds::default() };
        assert_eq!(rise.breach(110.0, Some(100.0)), None);
        assert!(rise.breach(111.0, Some(100.0)).is_some());
        assert!(rise.breach(3.0, Some(0.0)).unwrap().contains("rose from 0 to 3"));
        let change = Bounds { max_change: Some(5.0), ..Bounds::default() };
        assert_eq!(change.breach(95.0, Some(100.0)), None);
        assert!(change.breach(94.0, Some(100.0)).unwrap().contains("changed by -6"));
        assert_eq!(change.breach(94.0, None), None, "no previous run, no change");
    }

    #[test]
    fn bounds_read_as_words() {
        let b = Bounds { min: Some(300.0), max_drop_pct: Some(50.0), ..Bounds::default() };
        assert_eq!(b.text(), "≥ 300, falls ≤ 50% on the previous run");
        assert_eq!(Bounds { max: Some(0.0), ..Bounds::default() }.text(), "≤ 0");
    }
}
