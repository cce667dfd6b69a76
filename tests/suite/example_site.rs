//! The bundled example, built for real: every page exists, every link
//! resolves, every traced number equals its source field, and builds repeat.

use crate::util::*;
use artsite::config::Config;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn build_example(out: &Path) -> artsite::commands::build::Report {
    let config = Config { root: examples_root(), out: out.to_path_buf(), ..Config::default() };
    artsite::commands::build::build(&config).unwrap()
}

fn version_dirs() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(examples_root())
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_artifact_has_a_page_and_every_etl_json_is_drawn_on_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let report = build_example(&out);
    assert_eq!(report.versions, version_dirs().len(), "the `current` alias is not a version");

    let text = fs::read_to_string(out.join("index.json")).unwrap();
    let index: Value = serde_json::from_str(&text).unwrap();
    // Made in parts, one per run: joined, they are the one pretty document.
    assert_eq!(text, format!("{}\n", serde_json::to_string_pretty(&index).unwrap()));
    let mut artifacts = 0;
    for v in index["versions"].as_array().unwrap() {
        assert!(out.join(v["page"].as_str().unwrap()).is_file());
        assert!(out.join(v["summary"].as_str().unwrap()).is_file());
        for a in v["artifacts"].as_array().unwrap() {
            artifacts += 1;
            assert!(out.join(a["page"].as_str().unwrap()).is_file(), "{a}");
            if let Some(f) = a["file"].as_str() {
                assert!(out.join(f).is_file(), "raw file {f} not copied");
            }
        }
    }
    assert_eq!(artifacts, report.artifacts);

    // Every ETL file is an artifact, whose page draws the document as a tree.
    for id in version_dirs() {
        let run = examples_root().join(&id);
        let v = index["versions"].as_array().unwrap().iter().find(|v| v["id"] == id.as_str()).unwrap();
        for e in walkdir::WalkDir::new(run.join("etl_metadata")).into_iter().flatten() {
            if e.path().extension().is_none_or(|x| x != "json") || fs::metadata(e.path()).unwrap().len() == 0 {
                continue;
            }
            let rel = e.path().strip_prefix(&run).unwrap().to_string_lossy().into_owned();
            let file = format!("/files/{rel}");
            let a = v["artifacts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["file"].as_str().is_some_and(|f| f.ends_with(&file)));
            let a = a.unwrap_or_else(|| panic!("no artifact for {id}/{rel}"));
            let html = fs::read_to_string(out.join(a["page"].as_str().unwrap())).unwrap();
            assert!(html.contains("<div class=\"jt\">") || html.contains("does not parse"), "{id}/{rel}: no tree");
        }
    }
}

/// With `ARTSITE_CHECK_SITE=DIR` it checks that already built site instead:
/// the link gate of `gates/run-all.sh`.
#[test]
fn no_internal_link_or_fragment_is_broken() {
    let tmp = tempfile::tempdir().unwrap();
    let out = match std::env::var_os("ARTSITE_CHECK_SITE") {
        Some(dir) => dir.into(),
        None => {
            let out = tmp.path().join("site");
            build_example(&out);
            out
        }
    };
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}

fn pointer_of(fragment: &str) -> String {
    let p = fragment.strip_prefix('p').expect("fragment ids start with p");
    let mut out = Vec::new();
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'~' {
            out.push(u8::from_str_radix(&p[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn as_number(v: &Value) -> f64 {
    artsite::util::lenient_json::as_f64(v).unwrap_or_else(|| panic!("not a number: {v}"))
}

fn leaves(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.iter().map(leaves).sum(),
        Value::Object(m) => m.values().map(leaves).sum(),
        _ => 1,
    }
}

/// Every number that links to a JSON field shows that field's value; counts
/// that link to a list or map never exceed the values inside it.
#[test]
fn every_traced_number_equals_its_source_field() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out);
    let pages = pages(&out);
    let mut checked = 0;
    for (rel, page) in &pages {
        for (tag, attrs) in &page.elements {
            if tag != "a" || attrs.get("class").map(String::as_str) != Some("num") {
                continue;
            }
            let (target, frag) = resolve(rel, &attrs["href"]).unwrap();
            let source = &pages[&target];
            let raw_href = source
                .links
                .iter()
                .find(|(_, _, h)| h.contains("/files/etl_metadata/"))
                .map(|(_, _, h)| h.clone())
                .expect("the page a number links to links its raw file");
            let (raw, _) = resolve(&target, &raw_href).unwrap();
            let doc = artsite::util::lenient_json::parse(&fs::read(out.join(&raw)).unwrap()).unwrap().value;
            let pointer = pointer_of(&frag);
            let field = doc.pointer(&pointer).unwrap_or_else(|| panic!("{rel}: {pointer} not in {raw}"));
            let shown: f64 = attrs["data-value"].parse().unwrap();
            match field {
                // A count of entries (all of them, or those that failed a check).
                Value::Array(_) | Value::Object(_) => {
                    let len = leaves(field);
                    assert!(
                        shown.fract() == 0.0 && shown <= len as f64,
                        "{rel}: count {shown} of {pointer} in {raw} ({len} values)"
                    );
                }
                other => {
                    let expected = as_number(other);
                    if expected.is_nan() {
                        assert!(shown.is_nan(), "{rel}: {pointer} of {raw} is NaN, page shows {shown}");
                    } else {
                        assert_eq!(shown, expected, "{rel}: {pointer} of {raw}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} traced numbers found");
}

#[test]
fn version_summaries_show_the_cleaning_summary_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out);
    let mut seen = 0;
    for id in version_dirs() {
        let src = examples_root().join(&id).join("etl_metadata/cleaned_data/cleaning_summary.json");
        let Ok(bytes) = fs::read(&src) else { continue };
        let doc = artsite::util::lenient_json::parse(&bytes).unwrap().value;
        let page = parse_page(&fs::read_to_string(out.join(format!("v/{id}/index.html"))).unwrap());
        let values: Vec<(&str, &str)> = page
            .elements
            .iter()
            .filter(|(_, a)| a.get("class").map(String::as_str) == Some("num") && a.contains_key("href"))
            .map(|(_, a)| (a["href"].as_str(), a["data-value"].as_str()))
            .collect();
        let score = as_number(&doc["data_quality_score"]);
        let shown = values
            .iter()
            .find(|(h, _)| h.ends_with("a/cleaned-data--cleaning-summary.html#p/data_quality_score"))
            .unwrap_or_else(|| panic!("{id}: quality score not linked"));
        assert_eq!(shown.1.parse::<f64>().unwrap(), score, "{id}");
        let valid = as_number(&doc["valid_records"]);
        let text = &page.text;
        assert!(text.contains(&artsite::util::html::number(valid, 2)), "{id}: valid records {valid} not shown");
        seen += 1;
    }
    assert!(seen >= 3);
}

#[test]
fn each_wart_is_on_the_problems_page_and_the_build_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let report = build_example(&out);
    let problems = parse_page(&fs::read_to_string(out.join("problems/index.html")).unwrap()).text;
    for (file, what) in [
        ("2024-03-02_09-00-00_ci-runner/etl_metadata/keypairs/extraction_stats.json", "NaN"),
        ("2024-03-02_09-00-00_ci-runner/artifact_manifest.json", "eda_session_length_hist.png"),
        ("2024-03-02_09-00-00_ci-runner/tables/cleaned_data_extra_sample.csv", "not listed"),
        ("2024-03-04_09-00-00_ci-runner/etl_metadata/features/digraph/validation_report.json", "truncated"),
        ("2024-03-03_09-00-00_laptop-bob", "no artifact_manifest.json"),
        ("2024-03-04_09-00-00_ci-runner/artifact_manifest.json", "used again"),
        ("2024-03-04_09-00-00_ci-runner/logs/empty.log", "empty"),
    ] {
        let hit = report.problems.iter().any(|d| d.path == file && d.to_string().contains(what));
        assert!(hit, "no problem for {file} mentioning {what}");
        assert!(problems.contains(file), "problems page does not name {file}");
    }
    assert!(!out.join("v/current").exists(), "an alias is not a second version");
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("current"), "the alias is shown on the home page");
}

#[test]
fn two_builds_give_byte_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    build_example(&tmp.path().join("a"));
    build_example(&tmp.path().join("b"));
    let a = snapshot(&tmp.path().join("a"));
    let b = snapshot(&tmp.path().join("b"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

/// Every file of the site sits in one of its top folders or at its root,
/// which is how the 404 page finds its way home from any URL.
#[test]
fn every_file_is_in_a_top_folder_or_at_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out);
    for path in snapshot(&out).keys() {
        let first = path.split('/').next().unwrap();
        assert!(
            !path.contains('/') || artsite::plan::TOP_FOLDERS.contains(&first),
            "{path} is in no folder of plan::TOP_FOLDERS"
        );
    }
}

/// A run's artifact index is one table of every artifact, and each row's
/// health agrees with the site: missing and unlisted as the index says, and
/// "problems" exactly for the files `problems.json` names with an error or
/// a warning.
#[test]
fn the_artifact_index_shows_each_artifacts_health() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out);
    let index: Value = serde_json::from_slice(&fs::read(out.join("index.json")).unwrap()).unwrap();
    let problems: Value = serde_json::from_slice(&fs::read(out.join("problems.json")).unwrap()).unwrap();
    let mut checked = 0;
    for v in index["versions"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let dir = Path::new(v["page"].as_str().unwrap()).parent().unwrap().to_path_buf();
        let page = parse_page(&fs::read_to_string(out.join(dir.join("artifacts/index.html"))).unwrap());
        let rows: Vec<&std::collections::BTreeMap<String, String>> =
            page.elements.iter().filter(|(t, a)| t == "tr" && a.contains_key("data-health")).map(|(_, a)| a).collect();
        let artifacts = v["artifacts"].as_array().unwrap();
        assert_eq!(rows.len(), artifacts.len(), "{id}: one row per artifact");
        for (row, a) in rows.iter().zip(sorted(artifacts)) {
            let health: Vec<&str> = row["data-health"].split(' ').collect();
            let status = a["status"].as_str().unwrap();
            assert_eq!(health.contains(&"missing"), status == "missing", "{id}: {a}");
            assert_eq!(health.contains(&"unlisted"), status == "unlisted", "{id}: {a}");
            let file = a["file"].as_str().and_then(|f| f.split_once("/files/")).map(|(_, rel)| format!("{id}/{rel}"));
            let named = problems.as_array().unwrap().iter().any(|d| {
                Some(d["path"].as_str().unwrap()) == file.as_deref()
                    && matches!(d["severity"].as_str(), Some("error" | "warning"))
            });
            assert_eq!(health.contains(&"problems"), named, "{id}: {a} {health:?}");
            checked += usize::from(named);
        }
    }
    assert!(checked > 0, "some file of the example has problems");
}

/// The artifacts of a run in the index's order: by type, stage and name.
fn sorted(artifacts: &[Value]) -> Vec<&Value> {
    let mut list: Vec<&Value> = artifacts.iter().collect();
    let key = |a: &Value| ["artifact_type", "stage", "name"].map(|k| a[k].as_str().unwrap_or_default().to_string());
    list.sort_by_key(|a| key(a));
    list
}

/// With `raw_base_url`, pages link each raw file at its URL there and the
/// site publishes none: every such link names a file of its run, every
/// other link still resolves, and `index.json` names the same URLs.
#[test]
fn raw_files_are_linked_at_raw_base_url_and_not_published() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let base = "https://cdn.example.org/runs/";
    let config = Config {
        root: examples_root(),
        out: out.clone(),
        raw_base_url: Some(base.trim_end_matches('/').into()),
        ..Config::default()
    };
    artsite::commands::build::build(&config).unwrap();
    for v in version_dirs() {
        assert!(out.join("v").join(&v).is_dir(), "{v}");
        assert!(!out.join("v").join(&v).join("files").exists(), "{v}: no raw file is published");
    }
    let mut linked = std::collections::BTreeSet::new();
    for (rel, page) in pages(&out) {
        let data = page.elements.iter().filter_map(|(_, attrs)| attrs.get("data"));
        for href in page.links.iter().map(|(_, _, href)| href).chain(data) {
            if let Some(file) = href.strip_prefix(base) {
                let on_disk = examples_root().join(artsite::util::paths::percent_decode(file));
                assert!(on_disk.is_file(), "{rel}: {href} names no file of its run");
                linked.insert(file.to_string());
            }
        }
    }
    assert!(linked.len() > 100, "{} raw files linked", linked.len());
    let broken: Vec<String> = broken_links(&out).into_iter().filter(|b| !b.contains(base)).collect();
    assert_eq!(broken, Vec::<String>::new());
    let index: Value = serde_json::from_slice(&fs::read(out.join("index.json")).unwrap()).unwrap();
    for v in index["versions"].as_array().unwrap() {
        for file in v["artifacts"].as_array().unwrap().iter().filter_map(|a| a["file"].as_str()) {
            let rest = file.strip_prefix(base).unwrap_or_else(|| panic!("{file} is not under {base}"));
            assert!(linked.contains(rest), "{file} is linked from a page too");
        }
    }
}
