//! The verdict of a run, as data: each check's outcome and the worst of them.
//! [`crate::judge`] computes it; pages and reports show it.

use super::sourced::Sourced;
use serde::Serialize;

/// The outcome of one check, or of a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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
