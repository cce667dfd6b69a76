//! Checks that bound a value: the site's own rules over run metrics, stage
//! metrics and JSON fields, and the built-in fall in records. A value is
//! within bounds at the bound itself.

use crate::config::checks::{Level, Rule};
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::verdict::{CheckResult, Source, Status};
use crate::model::{Site, Sourced, Status as ArtifactStatus, Version};
use crate::util::lenient_json::non_finite;
use globset::{Glob, GlobMatcher};
use serde_json::Value;

pub(crate) fn level_status(level: Level) -> Status {
    match level {
        Level::Fail => Status::Fail,
        Level::Warn => Status::Warn,
        Level::Off => Status::Skip,
    }
}

/// A value a check judges: traced to a JSON field, or computed.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    /// A field of one of the run's JSON files.
    Sourced(Sourced),
    /// Computed, from the run's problems or several files.
    Computed(f64, Source),
}

impl Cell {
    /// The number.
    pub(crate) fn value(&self) -> f64 {
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

/// A run metric of `v` (see [`crate::config::checks::METRICS`]); `problems` are the
/// run's own, for `errors` and `warnings`.
pub(crate) fn run_metric(v: &Version, problems: &[&Diagnostic], metric: &str) -> Option<Cell> {
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

/// A stage metric of the stage named `stage` of `v` (see [`crate::config::checks::STAGE_METRICS`]).
pub(crate) fn stage_metric(v: &Version, stage: &str, metric: &str) -> Option<Cell> {
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
    let n = match &value {
        Value::Number(n) => n.as_f64()?,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Array(a) => a.len() as f64,
        Value::Object(m) => m.len() as f64,
        Value::String(s) => non_finite(&value).or_else(|| s.trim().parse().ok())?,
        Value::Null => return None,
    };
    Some(Cell::Sourced(Sourced { value: n, doc, pointer: pointer.to_string() }))
}

/// The bounds of a rule.
#[derive(Debug, Default)]
pub(crate) struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
    max_drop_pct: Option<f64>,
    max_rise_pct: Option<f64>,
    max_change: Option<f64>,
}

impl Bounds {
    /// A bound on the fall only: at most `pct` % of the previous value.
    pub(crate) fn max_drop(pct: f64) -> Bounds {
        Bounds { max_drop_pct: Some(pct), ..Bounds::default() }
    }

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
pub(crate) fn judged(
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
pub(crate) fn rule_results(
    site: &Site,
    vi: usize,
    problems: &[&Diagnostic],
    rule: &Rule,
    n: usize,
) -> Vec<CheckResult> {
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    let bounds = Bounds::of(rule);
    let id = format!("rule-{n}");
    match (&rule.metric, &rule.stage, &rule.file, &rule.pointer) {
        (Some(metric), None, ..) => {
            let previous = prev.and_then(|p| {
                let theirs: Vec<&Diagnostic> = site.problems.iter().filter(|d| p.owns(d)).collect();
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
