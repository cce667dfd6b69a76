//! The CI gate of `artsite check`: which run it judges, whether the job
//! fails, and the reports CI systems show: Markdown for a pull-request
//! comment or a job summary, JUnit XML for test-report views.
//!
//! Pure: every function reads the judged site and returns text.

use crate::diagnostics::Severity;
use crate::model::verdict::{CheckResult, Status};
use crate::model::{Site, Sourced, Version};
use crate::plan;
use crate::util::html::{self, escape};
use crate::view::delta::{self, Better};

/// How bad the judged run's verdict must be to fail the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// A run that fails fails the job (the default).
    #[default]
    Fail,
    /// A run that warns fails the job too.
    Warn,
    /// The verdict never fails the job (reports only).
    Never,
}

impl FailOn {
    /// Whether a verdict of `status` fails the job.
    pub fn fails(self, status: Status) -> bool {
        match self {
            FailOn::Fail => status == Status::Fail,
            FailOn::Warn => matches!(status, Status::Warn | Status::Fail),
            FailOn::Never => false,
        }
    }
}

/// The run the gate judges: the one named (a version id or an alias), else
/// the newest. Fails with the known names when `name` names no run.
pub fn gate_run(site: &Site, name: Option<&str>) -> Result<usize, String> {
    let Some(name) = name else {
        return site.versions.len().checked_sub(1).ok_or_else(|| "the site has no runs".to_string());
    };
    let target = site.aliases.iter().find(|a| a.name == name).map_or(name, |a| a.target.as_str());
    site.versions.iter().position(|v| v.id == target).ok_or_else(|| {
        let newest: Vec<&str> = site.versions.iter().rev().take(5).map(|v| v.id.as_str()).collect();
        format!("--run {name}: no run or alias of that name (the newest runs: {})", newest.join(", "))
    })
}

/// Whether the site itself is wrong: an error outside every run (a broken
/// link of the site, a page path clash).
pub fn site_errors(site: &Site) -> usize {
    site.problems
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| !site.versions.iter().any(|v| v.owns(d)))
        .count()
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
        Status::Skip => "➖",
    }
}

/// `text` with the characters Markdown table cells and inline text give
/// meaning to escaped, on one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A link to `path` of the site when its public URL is known, else the text.
fn link(base_url: Option<&str>, text: &str, path: &str) -> String {
    match base_url {
        Some(base) => {
            let (file, fragment) = path.split_once('#').map_or((path, String::new()), |(f, id)| (f, format!("#{id}")));
            format!("[{text}]({}/{}{fragment})", base.trim_end_matches('/'), crate::util::paths::url_path(file))
        }
        None => text.to_string(),
    }
}

/// One key figure of a run and the previous run.
struct Figure {
    label: &'static str,
    unit: &'static str,
    better: Better,
    value: fn(&Version) -> Option<f64>,
}

fn value(s: &Option<Sourced>) -> Option<f64> {
    s.as_ref().map(|s| s.value)
}

const FIGURES: [Figure; 5] = [
    Figure { label: "Records in", unit: "", better: Better::Neither, value: |v| value(&v.summary.records_in) },
    Figure { label: "Records out", unit: "", better: Better::Up, value: |v| value(&v.summary.records_out) },
    Figure { label: "Quality score", unit: "%", better: Better::Up, value: |v| value(&v.summary.quality_score) },
    Figure { label: "Issues", unit: "", better: Better::Down, value: |v| v.summary.issues },
    Figure { label: "Artifacts", unit: "", better: Better::Neither, value: |v| Some(v.artifacts.len() as f64) },
];

fn shown(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{}{unit}", html::number(x, 2)))
}

fn check_line(r: &CheckResult) -> String {
    format!("- {} **{}** ({}): {}", icon(r.status), md(&r.name), r.status.word(), md(&r.message))
}

/// The Markdown report of run `vi`: its verdict, the checks that failed or
/// warned, its key figures against the previous run, and links to its pages
/// when `base_url` is known.
pub fn markdown(site: &Site, vi: usize, base_url: Option<&str>) -> String {
    let v = &site.versions[vi];
    let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
    let verdict = &v.verdict;
    let mut out = format!(
        "## {} {} · run `{}`\n\n",
        icon(verdict.status),
        verdict.status.word().to_uppercase(),
        v.id.replace('`', "'")
    );
    let (failed, warned): (Vec<&CheckResult>, Vec<&CheckResult>) =
        verdict.flagged().partition(|r| r.status == Status::Fail);
    let passed = verdict.results.iter().filter(|r| r.status == Status::Pass).count();
    let skipped = verdict.results.iter().filter(|r| r.status == Status::Skip).count();
    out.push_str(&format!(
        "{} failed, {} warned, {passed} passed{} of {} checks.\n\n",
        failed.len(),
        warned.len(),
        if skipped > 0 { format!(", {skipped} without data") } else { String::new() },
        verdict.results.len()
    ));
    for (title, list) in [("Failed checks", &failed), ("Warnings", &warned)] {
        if !list.is_empty() {
            out.push_str(&format!("### {title}\n\n"));
            for r in list.iter() {
                out.push_str(&check_line(r));
                out.push('\n');
            }
            out.push('\n');
        }
    }
    match prev {
        Some(p) => out.push_str(&format!("### Key figures, against the previous run `{}`\n\n", p.id.replace('`', "'"))),
        None => out.push_str("### Key figures (the first run: nothing to compare with)\n\n"),
    }
    out.push_str("| | This run | Previous run | Change |\n|---|---:|---:|---:|\n");
    for f in &FIGURES {
        let (now, before) = ((f.value)(v), prev.and_then(|p| (f.value)(p)));
        let change = delta::between(before, now, f.better).map_or_else(
            || "—".to_string(),
            |c| match c.pct {
                Some(pct) if c.dir != "same" => format!("{} ({pct})", c.abs),
                _ => c.abs,
            },
        );
        out.push_str(&format!("| {} | {} | {} | {change} |\n", f.label, shown(now, f.unit), shown(before, f.unit)));
    }
    let counts = |v: &Version| {
        let (e, w) = (v.problems.errors, v.problems.warnings);
        format!("{}, {}", html::counted(e, "error"), html::counted(w, "warning"))
    };
    out.push_str(&format!("| Problems | {} | {} | |\n\n", counts(v), prev.map_or("—".to_string(), counts)));
    if passed > 0 {
        out.push_str(&format!("<details><summary>{passed} checks passed</summary>\n\n"));
        for r in verdict.results.iter().filter(|r| r.status == Status::Pass) {
            out.push_str(&check_line(r));
            out.push('\n');
        }
        out.push_str("\n</details>\n\n");
    }
    if base_url.is_some() {
        out.push_str(&format!(
            "{} · {} · {} · {}\n",
            link(base_url, "Run summary", &plan::version(v)),
            link(base_url, "Data quality", &plan::quality(v)),
            link(base_url, "Compare with the previous run", &plan::compare(v)),
            link(base_url, "Problems", &format!("{}#problems", plan::version(v))),
        ));
    }
    out
}

/// JUnit XML: one test suite per run (the gate run `gate` first), one test
/// case per check. A failed check is a `failure`; a warning is a `failure`
/// too when `fail_on` is [`FailOn::Warn`], else a passing case with the
/// finding in its `system-out`; a check without data is `skipped`.
pub fn junit(site: &Site, gate: usize, fail_on: FailOn) -> String {
    let order = std::iter::once(gate).chain((0..site.versions.len()).rev().filter(|&i| i != gate));
    let mut suites = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for vi in order {
        let v = &site.versions[vi];
        let mut cases = String::new();
        let (mut t, mut f, mut s) = (0, 0, 0);
        for r in &v.verdict.results {
            t += 1;
            let name = escape(&r.name);
            let class = escape(&format!("artsite.{}", v.id));
            let body = match r.status {
                Status::Fail => {
                    f += 1;
                    format!(
                        "<failure type=\"fail\" message=\"{}\">{}</failure>",
                        escape(&r.summary),
                        escape(&r.message)
                    )
                }
                Status::Warn if fail_on == FailOn::Warn => {
                    f += 1;
                    format!(
                        "<failure type=\"warn\" message=\"{}\">{}</failure>",
                        escape(&r.summary),
                        escape(&r.message)
                    )
                }
                Status::Warn => format!("<system-out>warn: {}</system-out>", escape(&r.message)),
                Status::Skip => {
                    s += 1;
                    format!("<skipped message=\"{}\"/>", escape(&r.message))
                }
                Status::Pass => String::new(),
            };
            cases.push_str(&format!("    <testcase classname=\"{class}\" name=\"{name}\">{body}</testcase>\n"));
        }
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{t}\" failures=\"{f}\" errors=\"0\" skipped=\"{s}\">\n{cases}  </testsuite>\n",
            escape(&v.id)
        ));
        (tests, failures, skipped) = (tests + t, failures + f, skipped + s);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"artsite check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n{suites}</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_cannot_break_out_of_its_cell() {
        assert_eq!(md("a|b *c* [x](y) <img>\nz"), "a\\|b \\*c\\* \\[x\\](y) \\<img\\> z");
        assert_eq!(
            link(Some("https://x.example/r/"), "Run", "v/a b/index.html"),
            "[Run](https://x.example/r/v/a%20b/index.html)"
        );
        assert_eq!(link(None, "Run", "v/a/index.html"), "Run");
        assert_eq!(
            link(Some("https://x.example"), "P", "v/a/index.html#problems"),
            "[P](https://x.example/v/a/index.html#problems)"
        );
    }

    #[test]
    fn fail_on_levels() {
        assert!(FailOn::Fail.fails(Status::Fail) && !FailOn::Fail.fails(Status::Warn));
        assert!(FailOn::Warn.fails(Status::Warn) && !FailOn::Warn.fails(Status::Pass));
        assert!(!FailOn::Never.fails(Status::Fail));
    }
}
