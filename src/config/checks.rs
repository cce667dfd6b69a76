//! The `checks:` section of the config: which built-in checks run, and the
//! site's own rules. [`crate::judge`] applies them.

use serde::{Deserialize, Serialize};

/// The `checks:` section: which built-in checks run, and the site's own rules.
///
/// ```yaml
/// checks:
///   defaults:
///     records_drop: off          # each built-in check: fail, warn or off
///   rules:
///     - name: Enough valid records
///       metric: records_out
///       min: 300
///     - name: Cleaning keeps most rows
///       stage: cleaning
///       metric: drop_pct
///       max: 10
///       severity: warn
///     - name: Body mass steady
///       file: etl_metadata/features/*/feature_summary.json
///       pointer: /features/body_mass_g/mean
///       max_change: 50
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Checks {
    /// The built-in checks, each `fail`, `warn` or `off`.
    pub defaults: DefaultChecks,
    /// The site's own rules, in the order they are shown.
    pub rules: Vec<Rule>,
}

/// The built-in checks and how much each one counts.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DefaultChecks {
    /// The manifest exists but cannot be read (cut off mid-write, not JSON).
    pub manifest: Level,
    /// A JSON file of the run does not parse.
    pub json: Level,
    /// A file the manifest lists is not in the run's folder.
    pub files: Level,
    /// Records out of the last stage fell more than 50 % on the previous run.
    pub records_drop: Level,
}

impl Default for DefaultChecks {
    fn default() -> Self {
        DefaultChecks { manifest: Level::Fail, json: Level::Fail, files: Level::Fail, records_drop: Level::Warn }
    }
}

/// What a check's failure does to the run's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The run fails.
    Fail,
    /// The run warns.
    Warn,
    /// The check does not run.
    Off,
}

/// One rule of the site's own: a value, its bounds, and what breaking them does.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// What the rule checks, in words; shown on the run's page.
    pub name: String,
    /// A run metric (see [`METRICS`]), or with `stage` a stage metric (see [`STAGE_METRICS`]).
    pub metric: Option<String>,
    /// The stage whose `metric` is checked.
    pub stage: Option<String>,
    /// A glob of JSON files inside each run's folder, with `pointer`.
    pub file: Option<String>,
    /// The JSON pointer of the value in each file `file` matches.
    pub pointer: Option<String>,
    /// The value may not be below this.
    pub min: Option<f64>,
    /// The value may not be above this.
    pub max: Option<f64>,
    /// The value may not fall by more than this percentage of the previous run's.
    pub max_drop_pct: Option<f64>,
    /// The value may not rise by more than this percentage of the previous run's.
    pub max_rise_pct: Option<f64>,
    /// The value may not differ from the previous run's by more than this.
    pub max_change: Option<f64>,
    /// `fail` (the default) or `warn`.
    #[serde(default = "fail")]
    pub severity: Level,
}

fn fail() -> Level {
    Level::Fail
}

/// The run metrics a rule can check.
pub(crate) const METRICS: &[(&str, &str)] = &[
    ("records_in", "records that entered the pipeline"),
    ("records_out", "valid records after cleaning, else records out of the last stage"),
    ("records_final", "records out of the last stage that reports them"),
    ("quality_score", "the data quality score, 0-100"),
    ("issues", "distinct issues the run's stages report"),
    ("outliers_removed", "records removed as outliers"),
    ("duplicates_removed", "records removed as duplicates"),
    ("features", "features in the feature registry"),
    ("processing_time", "seconds over all stages"),
    ("artifacts", "artifacts of the run"),
    ("artifacts_missing", "artifacts the manifest lists whose file is missing"),
    ("artifacts_unlisted", "files the manifest does not list"),
    ("errors", "errors found while reading the run's files"),
    ("warnings", "warnings found while reading the run's files"),
];

/// The stage metrics a rule with `stage` can check.
pub(crate) const STAGE_METRICS: &[(&str, &str)] = &[
    ("records_in", "records that entered the stage"),
    ("records_out", "records that left the stage"),
    ("drop_pct", "the percentage of records the stage dropped"),
    ("seconds", "seconds the stage took"),
    ("issues", "issues the stage reports"),
];

impl Rule {
    /// Why the rule cannot be used, if it cannot.
    pub(crate) fn problem(&self) -> Option<String> {
        let name = &self.name;
        if name.trim().is_empty() {
            return Some("a rule has an empty `name`; expected what it checks, in words".into());
        }
        match (&self.metric, &self.file, &self.pointer) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Some(format!("rule \"{name}\" has both `metric` and `file`/`pointer`; expected one source"));
            }
            (Some(m), None, None) => {
                let known = if self.stage.is_some() { STAGE_METRICS } else { METRICS };
                if !known.iter().any(|(k, _)| k == m) {
                    let what = if self.stage.is_some() { "stage metric" } else { "metric" };
                    let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
                    return Some(match crate::util::suggest::closest(m, &names) {
                        Some(k) => format!("rule \"{name}\": unknown {what} `{m}`; did you mean `{k}`?"),
                        None => format!("rule \"{name}\": unknown {what} `{m}`; expected one of {}", names.join(", ")),
                    });
                }
            }
            (None, Some(glob), Some(pointer)) => {
                if self.stage.is_some() {
                    return Some(format!("rule \"{name}\": `stage` goes with `metric`, not with `file`"));
                }
                if let Err(e) = globset::Glob::new(glob) {
                    return Some(format!("rule \"{name}\": `file` \"{glob}\" is not a glob: {e}"));
                }
                if !pointer.is_empty() && !pointer.starts_with('/') {
                    return Some(format!(
                        "rule \"{name}\": `pointer` \"{pointer}\" is not a JSON pointer (expected it to start with /)"
                    ));
                }
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                return Some(format!("rule \"{name}\": `file` and `pointer` go together"));
            }
            (None, None, None) => {
                return Some(format!("rule \"{name}\" checks nothing; expected `metric`, or `file` and `pointer`"));
            }
        }
        let bounds = [self.min, self.max, self.max_drop_pct, self.max_rise_pct, self.max_change];
        if bounds.iter().all(Option::is_none) {
            return Some(format!(
                "rule \"{name}\" has no bound; expected min, max, max_drop_pct, max_rise_pct or max_change"
            ));
        }
        if bounds.iter().flatten().any(|b| !b.is_finite()) {
            return Some(format!("rule \"{name}\" has a bound that is not a finite number"));
        }
        if self.severity == Level::Off {
            return Some(format!("rule \"{name}\": `severity` is fail or warn (remove the rule to switch it off)"));
        }
        None
    }
}
