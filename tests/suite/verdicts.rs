//! Trustworthy verdicts: runs made with real tools are clean, each built-in
//! check trips on the input it is for and can be switched off, rules hold at
//! their bounds, and the verdict, the changes and the grouped problems are on
//! the pages, in `summary.json` and in the CI reports.

use crate::util::*;
use artsite::commands::pipeline;
use artsite::config::Config;
use artsite::model::verdict::Status;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The two runs of `tests/fixtures/real_tools`, made by a pipeline of
/// pandas, pandera, plotly and friends on the palmerpenguins data.
const OLD: &str = "2026-11-23_14-30-00_ci-runner-07";
const NEW: &str = "2026-11-24_14-30-00_ci-runner-07";
/// A third run, copied from `NEW`, that a test breaks.
const THIRD: &str = "2026-11-25_14-30-00_ci-runner-07";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_tools/artifacts")
}

fn real_tools() -> Tree {
    let t = Tree::new();
    copy_tree(&fixture(), &t.root());
    t
}

/// [`real_tools`] with a third run, a copy of the newest.
fn with_third_run() -> Tree {
    let t = real_tools();
    copy_tree(&t.root().join(NEW), &t.root().join(THIRD));
    t
}

fn check(t: &Tree, more: &[&str]) -> Output {
    let mut args = vec!["check", "--root", "artifacts"];
    args.extend(more);
    artsite(t.tmp.path(), &args)
}

fn json_file(path: &Path) -> Value {
    artsite::util::lenient_json::parse(&fs::read(path).unwrap()).unwrap().value
}

/// The verdict of the newest run, and each check's status, as a build judges `config`.
fn judged(config: &Config) -> (Status, Vec<(String, Status)>) {
    let inputs = pipeline::read(config).unwrap();
    let mut site = pipeline::load(inputs.scan, inputs.content_types, config);
    pipeline::judge(&mut site, config);
    let v = site.versions.last().unwrap();
    (v.verdict.status, v.verdict.results.iter().map(|r| (r.id.clone(), r.status)).collect())
}

fn status_of(results: &[(String, Status)], id: &str) -> Option<Status> {
    results.iter().find(|(i, _)| i == id).map(|(_, s)| *s)
}

fn config_with(t: &Tree, yaml: &str) -> Config {
    Config { root: t.root(), out: t.out(), ..Config::from_yaml(yaml).unwrap() }
}

/// The distinct issues a run of the fixture reports, counted here from the
/// files: validation errors (both copies are the same list), and extraction
/// errors with a count above 0, each standing for that many.
fn distinct_issues(run: &Path) -> f64 {
    let errors = json_file(&run.join("etl_metadata/cleaned_data/validation_errors.json"));
    let copy = json_file(&run.join("etl_metadata/cleaning/validation_errors.json"));
    assert_eq!(errors, copy, "the stage code writes the collector's list again");
    let mut distinct: Vec<&Value> = Vec::new();
    for e in errors.as_array().unwrap() {
        if !distinct.contains(&e) {
            distinct.push(e);
        }
    }
    let mut total = distinct.len() as f64;
    for stats in ["keypairs", "features/dimorphism", "features/isotope", "features/morphometric"] {
        let s = json_file(&run.join(format!("etl_metadata/{stats}/extraction_stats.json")));
        for e in s["extraction_errors"].as_array().unwrap() {
            total += e["count"].as_f64().unwrap();
        }
    }
    total
}

#[test]
fn runs_made_with_real_tools_are_clean() {
    let t = real_tools();
    let o = check(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("(0 errors,") && err.contains(&format!("run {NEW}: pass")), "{err}");
    // What is left is Python's NaN, one finding per file however many tokens it has.
    let out = stdout(&o);
    let codes: Vec<&str> = out.lines().map(|l| l.split(": warning: ").nth(1).unwrap_or(l)).collect();
    assert!(codes.iter().all(|c| c.starts_with("`NaN` is not valid JSON")), "{codes:#?}");
    assert_eq!(codes.len(), 6, "three files with NaN in each run");

    let r = t.build();
    assert_eq!(r.counts.errors, 0);
    for run in [OLD, NEW] {
        let expected = distinct_issues(&t.root().join(run));
        let summary: Value = serde_json::from_str(&read(&t, &format!("v/{run}/summary.json"))).unwrap();
        assert_eq!(summary["issues"].as_f64(), Some(expected), "{run}: distinct issues");
        assert_eq!(summary["verdict"], "pass", "{run}");
        // The numbers real stage code writes under other names are shown.
        assert!(summary["records_in"].as_f64().is_some() && summary["records_out"].as_f64().is_some(), "{summary}");
        let page = words(&read(&t, &format!("v/{run}/index.html")));
        let shown = artsite::util::html::number(expected, 2);
        assert!(page.contains(&format!("Issues{shown}")), "{run} page shows {shown} issues: {page}");
    }
    // The same number everywhere: home, compare, trends.
    let new_issues = artsite::util::html::number(distinct_issues(&t.root().join(NEW)), 2);
    let old_issues = artsite::util::html::number(distinct_issues(&t.root().join(OLD)), 2);
    let compare = words(&read(&t, &format!("v/{NEW}/compare/index.html")));
    assert!(compare.contains(&format!("Issues{old_issues} → {new_issues}")), "{compare}");
    let home = read(&t, "index.html");
    assert!(words(&home).contains(&format!("Issues{new_issues}")), "home latest card");
    assert_eq!(home.matches("class=\"verdict v-pass\"").count(), 3, "the latest card and both rows");
    let trends = read(&t, "trends/index.html");
    assert!(trends.contains(&format!(">{new_issues}<")), "the trends table has the same number");
    // The stage that repeats the collector's list says so, and is counted once.
    let version = words(&read(&t, &format!("v/{NEW}/index.html")));
    assert!(version.contains("also in cleaned_data"), "{version}");
    assert!(broken_links(&t.out()).is_empty());
}

/// The third run broken four ways, one at a time: each built-in check trips
/// on its own kind of damage, and passes when the config switches it off.
#[test]
fn each_default_check_trips_and_can_be_switched_off() {
    type Break = fn(&Path);
    let cases: [(&str, Break, Status); 4] = [
        ("manifest", |run| cut(&run.join("artifact_manifest.json"), 0.6), Status::Fail),
        ("json", |run| cut(&run.join("etl_metadata/cleaning/cleaning_stats.json"), 0.45), Status::Fail),
        (
            "files",
            |run| fs::remove_file(run.join("etl_metadata/keypairs/invalid_sequences.csv")).unwrap(),
            Status::Fail,
        ),
        ("records_drop", |run| scale_last_stage(run, 0.45), Status::Warn),
    ];
    for (id, damage, expected) in cases {
        let t = with_third_run();
        let (clean, results) = judged(&t.config());
        assert_eq!(clean, Status::Pass, "{id}: the copy is clean before the damage: {results:?}");
        damage(&t.root().join(THIRD));
        let (verdict, results) = judged(&t.config());
        assert_eq!((verdict, status_of(&results, id)), (expected, Some(expected)), "{id}: {results:?}");
        for (other, status) in &results {
            if other != id {
                assert_ne!(*status, Status::Fail, "{id} damage trips only its own check, not {other}");
            }
        }
        let exit = check(&t, &[]).status.code();
        assert_eq!(exit, Some(if expected == Status::Fail { 1 } else { 0 }), "{id}: exit code");
        let off = config_with(&t, &format!("checks:\n  defaults:\n    {id}: off\n"));
        let (verdict, results) = judged(&off);
        assert_eq!(verdict, Status::Pass, "{id} off: {results:?}");
        assert_eq!(status_of(&results, id), None, "{id} off does not run");
        let warn = config_with(&t, &format!("checks:\n  defaults:\n    {id}: warn\n"));
        assert_eq!(judged(&warn).0, Status::Warn, "{id} at warn");
    }
}

/// Cuts the file at `path` to `share` of its bytes, as a writer killed mid-write leaves it.
fn cut(path: &Path, share: f64) {
    let bytes = fs::read(path).unwrap();
    fs::write(path, &bytes[..(bytes.len() as f64 * share) as usize]).unwrap();
}

/// Scales the output of the run's last stage (the morphometric features) by `factor`.
fn scale_last_stage(run: &Path, factor: f64) {
    let path = run.join("etl_metadata/features/morphometric/extraction_stats.json");
    let mut stats = json_file(&path);
    let out = stats["output_records"].as_f64().unwrap();
    stats["output_records"] = json!((out * factor).round());
    fs::write(&path, serde_json::to_vec_pretty(&stats).unwrap()).unwrap();
}

/// Two runs with chosen numbers, for rules at their bounds.
fn two_runs() -> Tree {
    let t = Tree::new();
    for (v, total, valid, seconds, mean) in
        [("2024-01-01_00-00-00_a", 100, 80, 10.0, 4000.0), ("2024-01-02_00-00-00_b", 120, 100, 5.0, 4200.0)]
    {
        t.json(
            &format!("{v}/etl_metadata/cleaned_data/cleaning_summary.json"),
            json!({"total_records": total, "valid_records": valid, "data_quality_score": valid as f64 / total as f64 * 100.0,
                   "issues_found": 0, "outliers_removed": 0}),
        );
        t.json(&format!("{v}/etl_metadata/cleaning/cleaning_stats.json"), json!({"processing_time": seconds}));
        t.json(
            &format!("{v}/etl_metadata/features/mass/feature_summary.json"),
            json!({"features": {"body_mass_g": {"mean": mean}}}),
        );
    }
    t
}

#[test]
fn each_kind_of_rule_holds_at_its_bound_and_breaks_past_it() {
    let t = two_runs();
    // (rule without its bound, the bound that just holds, one just past it); run b is judged.
    let cases = [
        ("metric: records_out", "min: 100", "min: 100.01"),
        ("metric: records_in", "max: 120", "max: 119.99"),
        ("metric: records_out", "max_rise_pct: 25", "max_rise_pct: 24.99"),
        ("metric: processing_time", "max_drop_pct: 50", "max_drop_pct: 49.99"),
        ("{stage: cleaning, metric: seconds}", "max_change: 5", "max_change: 4.99"),
        ("{stage: cleaned_data, metric: drop_pct}", "max: 16.67", "max: 16.66"),
        (
            "{file: \"etl_metadata/features/*/feature_summary.json\", pointer: /features/body_mass_g/mean}",
            "max_change: 200",
            "max_change: 199.99",
        ),
        (
            "{file: \"etl_metadata/features/*/feature_summary.json\", pointer: /features/body_mass_g/mean}",
            "max_rise_pct: 5",
            "max_rise_pct: 4.99",
        ),
    ];
    for (source, holds, breaks) in cases {
        for (bound, expected) in [(holds, Status::Pass), (breaks, Status::Fail)] {
            let source = source.trim_start_matches('{').trim_end_matches('}');
            let yaml = format!("checks:\n  rules:\n    - {{name: the rule, {source}, {bound}}}\n");
            let (verdict, results) = judged(&config_with(&t, &yaml));
            assert_eq!(status_of(&results, "rule-1"), Some(expected), "{yaml}{results:?}");
            assert_eq!(verdict, expected, "{yaml}");
        }
    }
    // A warn rule warns; a rule on a value the run does not have has no data and passes.
    let yaml = "checks:\n  rules:\n    - {name: w, metric: records_out, min: 1000, severity: warn}\n    - {name: n, metric: features, min: 1}\n";
    let (verdict, results) = judged(&config_with(&t, yaml));
    assert_eq!(
        (verdict, status_of(&results, "rule-1"), status_of(&results, "rule-2")),
        (Status::Warn, Some(Status::Warn), Some(Status::Skip))
    );
    // The first run has nothing to compare with: change bounds have no data.
    let outcome = artsite::commands::check::check(&config_with(
        &t,
        "checks:\n  rules:\n    - {name: r, metric: records_out, max_drop_pct: 1}\n",
    ))
    .unwrap();
    let first = &outcome.site.versions[0].verdict;
    assert_eq!(first.results.iter().find(|r| r.id == "rule-1").unwrap().status, Status::Skip);
}

#[test]
fn the_verdict_the_changes_and_the_grouped_problems_are_on_the_pages() {
    let t = with_third_run();
    cut(&t.root().join(THIRD).join("etl_metadata/cleaning/cleaning_stats.json"), 0.45);
    let r = t.build();
    assert_eq!(r.counts.errors, 1);

    // Home: the word of each run's verdict, and why the broken one fails.
    let home = read(&t, "index.html");
    let rows = words(&home);
    assert!(rows.contains(&format!("{THIRD} ✕fail1 JSON file does not parse")), "{rows}");
    assert!(rows.contains(&format!("{NEW} current ✓pass")) || rows.contains(&format!("{NEW} ✓pass")), "{rows}");
    assert!(rows.contains(&format!("Latest run: {THIRD} ✕fail")), "{rows}");
    assert!(rows.contains("Failed: 1 JSON file does not parse. See the checks"), "{rows}");
    // The version page: header, the checks, each with its value and a link to its source.
    let page = read(&t, &format!("v/{THIRD}/index.html"));
    assert!(page.contains(
        "<h1><span class=\"kicker\">Pipeline run</span>2026-11-25_14-30-00_ci-runner-07 <span class=\"verdict v-fail\">"
    ));
    let json_row = page.split("id=\"check-json\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(words(json_row).contains("JSON files parse ✕fail 1 0 files that do not parse 1 file does not parse: etl_metadata/cleaning/cleaning_stats.json"), "{}", words(json_row));
    let drop_row = page.split("id=\"check-records_drop\"").nth(1).unwrap().split("</tr>").next().unwrap();
    let stats = artifact_page(&t.out(), THIRD, "etl_metadata/features/morphometric/extraction_stats.json");
    assert!(drop_row.contains(&format!("{stats}#p/output_records")), "{drop_row}");
    // The runs' navigation (every page's switcher is drawn from it), the compare page, the search index.
    let runs = read(&t, "nav/runs.js");
    assert!(runs.contains(&format!("[\"{THIRD}\",\"fail\",\"v/{THIRD}/\"]")), "{runs}");
    assert!(read(&t, &format!("v/{THIRD}/compare/index.html")).contains("class=\"verdict v-fail\""));
    let meta = read(&t, "search/meta.js");
    // Its 21 artifacts and the check that failed.
    assert!(meta.contains(&format!("[\"{THIRD}\",\"v/{THIRD}/index.html\",2,0,22,\"fail\"]")), "{meta}");
    let index: Value = serde_json::from_str(&read(&t, "index.json")).unwrap();
    let verdicts: Vec<&str> =
        index["versions"].as_array().unwrap().iter().map(|v| v["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["pass", "pass", "fail"]);
    let summary: Value = serde_json::from_str(&read(&t, &format!("v/{THIRD}/summary.json"))).unwrap();
    let json_check = summary["checks"].as_array().unwrap().iter().find(|c| c["id"] == "json").unwrap();
    assert_eq!((json_check["status"].as_str(), json_check["value"].as_f64()), (Some("fail"), Some(1.0)));

    // Changes on the previous run, on the summary: the figures of both summary.json files.
    let number = |run: &str, key: &str| {
        let s: Value = serde_json::from_str(&read(&t, &format!("v/{run}/summary.json"))).unwrap();
        s[key].as_f64().unwrap()
    };
    let change = artsite::view::delta::signed(number(NEW, "records_out") - number(OLD, "records_out"));
    let new_page = words(&read(&t, &format!("v/{NEW}/index.html")));
    let card = format!("Records out (valid){}", artsite::util::html::number(number(NEW, "records_out"), 2));
    let after = new_page.split(&card).nth(1).unwrap_or_else(|| panic!("no {card}: {new_page}"));
    assert!(after.starts_with(&format!("▼ {change} (")), "the records-out change {change}: {after}");
    let unchanged = words(&read(&t, &format!("v/{THIRD}/index.html")));
    assert!(unchanged.contains("Records in") && unchanged.contains("= ±0"), "a copy of the previous run: no change");

    // Problems: 17 NaN tokens in one file are one row, with the count; the run's page lists its own.
    let nan_file = format!("{NEW}/etl_metadata/cleaning/validation_errors.json");
    let problems = read(&t, "problems/index.html");
    let section = problems.split(&format!("id=\"run-{NEW}\"")).nth(1).unwrap().split("</section>").next().unwrap();
    let rows = section.matches(&format!("{nan_file}</a>")).count();
    assert_eq!(rows, 1, "one row for the file's NaNs");
    assert!(section.contains("<span class=\"badge\">×17</span>"), "{section}");
    assert!(
        problems.find(&format!("id=\"run-{THIRD}\"")) < problems.find(&format!("id=\"run-{NEW}\"")),
        "newest run first"
    );
    let own = read(&t, &format!("v/{NEW}/index.html"));
    let listed = own.split("id=\"problems\"").nth(1).unwrap();
    assert!(listed.contains("etl_metadata/cleaning/validation_errors.json</a>") && listed.contains("×17"), "{listed}");
    assert!(words(&home).contains("3 warnings"), "badges count words, not problems");
    assert!(home.contains(&format!("href=\"v/{NEW}/index.html#problems\"")), "the badge links to the run's problems");
    assert!(broken_links(&t.out()).is_empty(), "{:?}", broken_links(&t.out()));
}

#[test]
fn a_baseline_run_is_compared_with_as_well() {
    let t = with_third_run();
    fs::write(t.tmp.path().join("artsite.yaml"), format!("baseline: {OLD}\n")).unwrap();
    let o = artsite(t.tmp.path(), &["build", "--config", "artsite.yaml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = read(&t, &format!("v/{THIRD}/compare/baseline/index.html"));
    let words = words(&page);
    assert!(words.contains(&format!("Compared with {OLD}, the baseline")), "{words}");
    assert!(
        page.contains(&format!("href=\"../../../../v/{THIRD}/compare/index.html\">Previous run</a>")),
        "a tab back"
    );
    let previous = read(&t, &format!("v/{THIRD}/compare/index.html"));
    assert!(
        previous.contains(&format!("href=\"../../../v/{THIRD}/compare/baseline/index.html\">Baseline")),
        "a tab to it"
    );
    assert!(!t.out().join(format!("v/{OLD}/compare/baseline/index.html")).exists(), "the baseline has none");
    assert!(broken_links(&t.out()).is_empty(), "{:?}", broken_links(&t.out()));

    fs::write(t.tmp.path().join("artsite.yaml"), "baseline: nowhere\n").unwrap();
    let o = artsite(t.tmp.path(), &["build", "--config", "artsite.yaml"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("baseline \"nowhere\" is neither a version nor an alias"));
}

#[test]
fn check_gates_ci_and_reports_in_markdown_and_junit() {
    let t = with_third_run();
    scale_last_stage(&t.root().join(THIRD), 0.45);
    // A warning run passes the gate unless asked to be stricter; the gate can judge another run.
    assert_eq!(check(&t, &[]).status.code(), Some(0));
    assert_eq!(check(&t, &["--fail-on", "warn"]).status.code(), Some(1));
    assert_eq!(check(&t, &["--fail-on", "warn", "--run", NEW]).status.code(), Some(0));
    assert_eq!(check(&t, &["--strict"]).status.code(), Some(1), "--strict fails on any warning");
    let o = check(&t, &["--run", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--run nope: no run or alias"));

    let md = stdout(&check(&t, &["--format", "markdown", "--base-url", "https://data.example.org/penguins/"]));
    assert!(md.starts_with(&format!("## ⚠️ WARN · run `{THIRD}`")), "{md}");
    assert!(md.contains("### Warnings\n\n- ⚠️ **Records out of the last stage steady** (warn): fell 5"), "{md}");
    assert!(md.contains(&format!("### Key figures, against the previous run `{NEW}`")), "{md}");
    assert!(md.contains("| Records in | 309 | 309 | ±0 |"), "{md}");
    assert!(md.contains(&format!("[Run summary](https://data.example.org/penguins/v/{THIRD}/index.html)")), "{md}");
    assert!(md.contains(&format!("(https://data.example.org/penguins/v/{THIRD}/index.html#problems)")), "{md}");

    for (args, failure_type) in
        [(vec!["--format", "junit"], None), (vec!["--format", "junit", "--fail-on", "warn"], Some("warn"))]
    {
        let xml = stdout(&check(&t, &args));
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
        assert_eq!(suites.len(), 3, "one suite per run");
        assert_eq!(suites[0].attribute("name"), Some(THIRD), "the judged run first");
        let cases: Vec<_> = root.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(root.attribute("tests"), Some(cases.len().to_string().as_str()));
        assert_eq!(cases.len(), 12, "four built-in checks per run");
        let failures = root.descendants().filter(|n| n.has_tag_name("failure")).count();
        assert_eq!(root.attribute("failures"), Some(failures.to_string().as_str()));
        let drop =
            suites[0].children().find(|c| c.attribute("name") == Some("Records out of the last stage steady")).unwrap();
        let failure = drop.children().find(|c| c.has_tag_name("failure"));
        assert_eq!(failure.and_then(|f| f.attribute("type")), failure_type, "{xml}");
        if failure_type.is_none() {
            assert!(drop.children().any(|c| c.has_tag_name("system-out")), "a warning is told, not failed");
        }
    }

    cut(&t.root().join(THIRD).join("artifact_manifest.json"), 0.5);
    assert_eq!(check(&t, &[]).status.code(), Some(1), "a failing run fails the gate");
    let xml = stdout(&check(&t, &["--format", "junit"]));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let manifest = doc.descendants().find(|n| n.attribute("name") == Some("Manifest readable")).unwrap();
    let failure = manifest.children().find(|c| c.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("fail"));
    assert!(failure.text().unwrap().contains("artifact_manifest.json"), "the finding names the file");
}

#[test]
fn a_field_of_an_unexpected_type_is_a_warning_on_its_page_and_the_rest_is_shown() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.json(
        "v1/etl_metadata/cleaned_data/cleaning_summary.json",
        json!({"total_records": 100, "valid_records": "90", "data_quality_score": 90.0, "issues_found": {"dupes": 3},
               "outliers_removed": 2}),
    );
    let r = t.build();
    assert_eq!(r.counts.errors, 0, "{:#?}", r.problems);
    let schema: Vec<(artsite::diagnostics::Severity, Option<&str>)> =
        r.problems.iter().filter(|d| d.code == "schema").map(|d| (d.severity, d.pointer.as_deref())).collect();
    let warning = artsite::diagnostics::Severity::Warning;
    assert_eq!(schema, [(warning, Some("/valid_records")), (warning, Some("/issues_found"))], "sorted by position");
    // The file's page names it; the numbers that fit are shown, the text number too.
    let page = read_artifact(&t, "v1", "etl_metadata/cleaned_data/cleaning_summary.json");
    let problems =
        page.split("class=\"file-problems\"").nth(1).expect("the file's problems").split("</section>").next().unwrap();
    assert!(problems.contains("<code>/issues_found</code>"), "{problems}");
    let figures = words(&page);
    assert!(figures.contains("Total records100") && figures.contains("Valid records90"), "{figures}");
    assert!(read(&t, "v/v1/a/cleaned-data--cleaning-summary.html").contains("class=\"file-problems\""));
    let summary: Value = serde_json::from_str(&read(&t, "v/v1/summary.json")).unwrap();
    assert_eq!(
        (summary["records_out"].as_f64(), summary["issues"].as_f64(), summary["verdict"].as_str()),
        (Some(90.0), None, Some("pass"))
    );
}
