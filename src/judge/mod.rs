//! Health checks and each run's verdict: pass, warn or fail.
//!
//! The built-in checks (see [`crate::config::checks::DefaultChecks`]) judge what
//! makes a run's files wrong (a manifest that cannot be read, JSON that does
//! not parse, listed files that are missing) and a large fall in records;
//! the site's own rules (see [`crate::config::checks::Rule`]) bound any run metric,
//! stage metric or JSON field, absolutely or against the previous run. A
//! run fails when a check at level `fail` fails, warns when one at `warn`
//! does, and passes otherwise. Pure: reads the loaded site, does no I/O.

pub(crate) mod builtin;
pub(crate) mod rules;

use crate::config::checks::{Checks, Level};
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Site;
use crate::model::verdict::{Status, Verdict};
use builtin::{files_check, json_check, manifest_check, records_drop};
use rules::rule_results;

/// Whether a rule reads the run's problem counts, which include what the file
/// readers find (a build must then read every preview before judging).
pub(crate) fn needs_file_problems(checks: &Checks) -> bool {
    checks.rules.iter().any(|r| r.stage.is_none() && matches!(r.metric.as_deref(), Some("errors" | "warnings")))
}

/// Judges every run of `site` and stores each verdict in its version.
pub(crate) fn judge_site(site: &mut Site, checks: &Checks) {
    let verdicts: Vec<Verdict> = (0..site.versions.len()).map(|vi| judge(site, vi, checks)).collect();
    for (v, verdict) in site.versions.iter_mut().zip(verdicts) {
        v.verdict = verdict;
    }
}

/// The verdict of version `vi` of `site`.
pub(crate) fn judge(site: &Site, vi: usize, checks: &Checks) -> Verdict {
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    let problems: Vec<&Diagnostic> = site.problems.iter().filter(|d| v.owns(d)).collect();
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
        results.push(records_drop(v, prev, d.records_drop));
    }
    for (i, rule) in checks.rules.iter().enumerate() {
        results.extend(rule_results(site, vi, &problems, rule, i + 1));
    }
    let status = results.iter().map(|r| r.status).max().unwrap_or(Status::Pass).max(Status::Pass);
    Verdict { status, results }
}

/// The version the config's `baseline` names (a version id or an alias),
/// and a warning when it names none.
pub(crate) fn resolve_baseline(site: &Site, baseline: Option<&str>) -> (Option<usize>, Option<Diagnostic>) {
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
