//! One small fixture tree per kind of messy input: each builds, and each
//! problem is reported naming its file.

use crate::util::*;
use artsite::diagnostics::Severity;
use serde_json::json;
use std::fs;

fn problem<'a>(
    r: &'a artsite::commands::build::Report,
    path: &str,
    code: &str,
) -> &'a artsite::diagnostics::Diagnostic {
    r.problems
        .iter()
        .find(|d| d.path == path && d.code == code)
        .unwrap_or_else(|| panic!("no {code} problem for {path}; got {:#?}", r.problems))
}

#[test]
fn python_nan_and_infinity_are_read_shown_and_warned() {
    let t = Tree::new();
    small_version(&t, "2024-01-01_00-00-00_a");
    t.file(
        "2024-01-01_00-00-00_a/etl_metadata/cleaned_data/cleaning_summary.json",
        "{\n  \"total_records\": 10,\n  \"valid_records\": 9,\n  \"data_quality_score\": NaN,\n  \"issues_found\": -Infinity\n}",
    );
    let r = t.build();
    let d = problem(&r, "2024-01-01_00-00-00_a/etl_metadata/cleaned_data/cleaning_summary.json", "non-finite-number");
    assert_eq!((d.line, d.column), (Some(4), Some(25)));
    assert_eq!(d.severity, Severity::Warning);
    let page = read(&t, "v/2024-01-01_00-00-00_a/index.html");
    assert!(page.contains("data-value=\"NaN\""), "the NaN score is shown as NaN");
    let etl = read_artifact(&t, "2024-01-01_00-00-00_a", "etl_metadata/cleaned_data/cleaning_summary.json");
    assert!(etl.contains(">NaN<") && etl.contains(">-Infinity<"));
    assert_links_ok(&t);
}

#[test]
fn missing_and_unlisted_files_become_marked_artifacts() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::remove_file(t.root().join("v1/plots/eda_hist.png")).unwrap();
    t.file("v1/tables/extra_rows.csv", "a,b\n1,2\n");
    let r = t.build();
    let d = problem(&r, "v1/artifact_manifest.json", "missing-file");
    assert_eq!(d.pointer.as_deref(), Some("/artifacts/p/file_path"));
    problem(&r, "v1/tables/extra_rows.csv", "unlisted-file");
    let missing = read(&t, "v/v1/a/eda--hist.html");
    assert!(missing.contains("missing") && missing.contains("not found on disk"));
    let index = read(&t, "v/v1/artifacts/index.html");
    assert!(index.contains("unlisted") && index.contains("extra_rows"));
    assert_links_ok(&t);
}

#[test]
fn file_paths_resolve_from_any_machine_or_working_directory() {
    let t = Tree::new();
    t.file("run1/plots/a.png", TINY_PNG).file("run1/plots/b.png", TINY_PNG).file("run1/tables/c.csv", "x\n1\n");
    t.json(
        "run1/artifact_manifest.json",
        json!([
            record("a", "plot", "eda", "a", "/home/alice/proj/artifacts/run1/plots/a.png"),
            record("b", "plot", "eda", "b", "artifacts/run1/plots/b.png"),
            record("c", "table", "eda", "c", "C:\\old\\tables\\c.csv"),
        ]),
    );
    let r = t.build();
    // An absolute path ending `{version}/{file}` is what the design writes on
    // any machine: no note. One that only a shorter suffix matches gets one.
    let notes: Vec<&str> = r.problems.iter().filter(|d| d.code == "foreign-path").map(|d| d.message.as_str()).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("resolved to tables/c.csv"), "{notes:?}");
    assert!(r.problems.iter().all(|d| d.severity == Severity::Info), "{:#?}", r.problems);
    for name in ["a", "b"] {
        assert!(read(&t, &format!("v/run1/a/eda--{name}.html")).contains(&format!("files/plots/{name}.png")));
    }
    assert_links_ok(&t);
}

#[test]
fn malformed_json_is_an_error_with_position_and_the_rest_builds() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.file("v1/etl_metadata/keypairs/extraction_stats.json", "{\n  \"input_records\": 10,\n  \"output_records\": \n");
    let r = t.build();
    let d = problem(&r, "v1/etl_metadata/keypairs/extraction_stats.json", "json-syntax");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.line, Some(4));
    let page = read_artifact(&t, "v1", "etl_metadata/keypairs/extraction_stats.json");
    assert!(page.contains("does not parse") && page.contains("line 4"));
    assert!(read(&t, "v/v1/index.html").contains("cleaning_summary"));
    let problems = read(&t, "problems/index.html");
    assert!(problems.contains("v1/etl_metadata/keypairs/extraction_stats.json</a>"), "the file is named");
    assert!(problems.contains("<span class=\"pos\">4:"), "with the error's position");
}

#[test]
fn an_unreadable_manifest_falls_back_to_the_files() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.file("v1/artifact_manifest.json", "{\"artifacts\": {\"s\": {\"name\": ");
    let r = t.build();
    problem(&r, "v1/artifact_manifest.json", "json-syntax");
    assert_eq!(r.artifacts, 2, "both files still become artifacts");
    assert!(!r.problems.iter().any(|d| d.code == "unlisted-file"));
}

#[test]
fn a_version_without_manifest_is_built_from_its_files() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::remove_file(t.root().join("v1/artifact_manifest.json")).unwrap();
    t.file("v1/eda_reports/q/report.html", "<h1>q</h1>").file("v1/eda_reports/q/figures/f.png", "png");
    let r = t.build();
    problem(&r, "v1", "no-manifest");
    assert_eq!(r.artifacts, 3, "summary, plot and the EDA report; the figure belongs to the report");
    assert!(read(&t, "v/v1/index.html").contains("data-value=\"90\""), "typed numbers still feed the summary");
    let eda = read(&t, "v/v1/eda/q/index.html");
    // Its scripts run in a sandbox of their own; same origin only by the config's opt-in.
    assert!(
        eda.contains("sandbox=\"allow-scripts ") && !eda.contains("allow-same-origin"),
        "no allow-same-origin by default"
    );
    assert!(eda.contains("files/eda_reports/q/figures/f.png"));
    assert_links_ok(&t);
}

#[test]
fn duplicate_ids_odd_names_and_empty_files() {
    let t = Tree::new();
    t.file("v1/plots/hold time – Überblick.png", "png").file("v1/plots/b.png", "png").file("v1/logs/empty.log", "");
    t.json(
        "v1/artifact_manifest.json",
        json!({"artifacts": [
            {"artifact_id": "dup", "artifact_type": "plot", "stage": "eda", "name": "hold time – Überblick", "file_path": "plots/hold time – Überblick.png"},
            {"artifact_id": "dup", "artifact_type": "plot", "stage": "eda", "name": "b", "file_path": "plots/b.png"},
            {"artifact_id": "e", "artifact_type": "log", "stage": "pipeline", "name": "empty", "file_path": "logs/empty.log"}
        ]}),
    );
    let r = t.build();
    assert_eq!(problem(&r, "v1/artifact_manifest.json", "duplicate-id").pointer.as_deref(), Some("/artifacts/1"));
    problem(&r, "v1/logs/empty.log", "empty-file");
    assert_eq!(r.artifacts, 3);
    let index = read(&t, "v/v1/artifacts/index.html");
    assert!(index.contains("hold time – Überblick"));
    let listing: serde_json::Value = serde_json::from_str(&read(&t, "index.json")).unwrap();
    let odd = listing["versions"][0]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "hold time – Überblick")
        .unwrap();
    let page = read(&t, odd["page"].as_str().unwrap());
    assert!(page.contains("files/plots/hold%20time%20%E2%80%93%20%C3%9Cberblick.png"));
    assert!(t.out().join("v/v1/files/plots/hold time – Überblick.png").is_file());
    assert_links_ok(&t);
}

#[test]
fn all_four_manifest_shapes_give_the_same_artifacts() {
    let rec = |id: &str| record(id, "plot", "eda", id, &format!("plots/{id}.png"));
    let shapes = [
        json!({"version_id": "x", "artifacts": {"a": rec("a"), "b": rec("b")}}),
        json!({"a": rec("a"), "b": rec("b")}),
        json!({"artifacts": [rec("a"), rec("b")]}),
        json!([rec("a"), rec("b")]),
    ];
    let t = Tree::new();
    for (i, m) in shapes.iter().enumerate() {
        let v = format!("2024-01-0{}_00-00-00_h", i + 1);
        t.file(&format!("{v}/plots/a.png"), TINY_PNG).file(&format!("{v}/plots/b.png"), TINY_PNG);
        t.json(&format!("{v}/artifact_manifest.json"), m.clone());
    }
    let r = t.build();
    assert_eq!(r.artifacts, 8);
    assert!(r.problems.iter().all(|d| d.severity == Severity::Info), "{:#?}", r.problems);
    for i in 1..=4 {
        for a in ["a", "b"] {
            assert!(t.out().join(format!("v/2024-01-0{i}_00-00-00_h/a/eda--{a}.html")).is_file());
        }
    }
}

#[test]
fn versions_are_ordered_by_id_time_then_created_at_then_name() {
    let t = Tree::new();
    t.file("2024-05-01_10-00-00_x/plots/eda_a.png", "png");
    t.file("zeta/plots/eda_a.png", "png");
    t.file("alpha/plots/eda_a.png", "png");
    t.file("baseline/plots/eda_a.png", "png");
    t.json(
        "baseline/artifact_manifest.json",
        json!([{"name": "a", "stage": "eda", "file_path": "plots/eda_a.png", "created_at": "2024-04-01T00:00:00+02:00"}]),
    );
    t.build();
    let home = read(&t, "index.html");
    let pos = |id: &str| home.find(&format!(">{id}</a>")).unwrap_or_else(|| panic!("{id} not on home"));
    // Newest first: timed versions by time, then untimed ones by name.
    assert!(pos("2024-05-01_10-00-00_x") < pos("baseline"));
    assert!(pos("baseline") < pos("zeta"));
    assert!(pos("zeta") < pos("alpha"));
    assert!(read(&t, "latest/index.html").contains("v/2024-05-01_10-00-00_x/index.html"));
    let a = read(&t, "v/zeta/a/eda--a.html");
    assert!(a.contains("v/alpha/a/eda--a.html"), "the previous version of the same artifact");
    // The next one is drawn in the browser from the runs in this order.
    let runs = read(&t, "nav/runs.js");
    let order: Vec<usize> = ["alpha", "zeta", "baseline", "2024-05-01_10-00-00_x"]
        .iter()
        .map(|id| runs.find(&format!("[\"{id}\"")).unwrap())
        .collect();
    assert!(order.is_sorted(), "{runs}");
}

#[cfg(unix)]
#[test]
fn aliases_and_symlinks_never_leak_outside_the_root() {
    use std::os::unix::fs::symlink;
    let t = Tree::new();
    small_version(&t, "2024-01-01_00-00-00_a");
    let secret_dir = t.tmp.path().join("secret");
    fs::create_dir(&secret_dir).unwrap();
    fs::write(secret_dir.join("passwords.txt"), "TOP-SECRET-CONTENT").unwrap();
    symlink("2024-01-01_00-00-00_a", t.root().join("current")).unwrap();
    symlink(&secret_dir, t.root().join("outside")).unwrap();
    symlink(secret_dir.join("passwords.txt"), t.root().join("2024-01-01_00-00-00_a/plots/leak.txt")).unwrap();
    symlink(&secret_dir, t.root().join("2024-01-01_00-00-00_a/linked_dir")).unwrap();
    let r = t.build();
    assert_eq!(r.versions, 1, "the alias is not a second version and the outside link is not followed");
    problem(&r, "outside", "symlink-outside-root");
    problem(&r, "2024-01-01_00-00-00_a/plots/leak.txt", "symlink-outside-root");
    problem(&r, "2024-01-01_00-00-00_a/linked_dir", "symlink-outside-root");
    for (path, bytes) in snapshot(&t.out()) {
        assert!(!String::from_utf8_lossy(&bytes).contains("TOP-SECRET"), "{path} leaks the outside file");
        assert!(!path.contains("passwords"), "{path}");
    }
    assert!(read(&t, "index.html").contains("current"));
}

/// The search index finds an artifact by the problems of its file (their
/// codes and words), and carries their counts to the results; a check that
/// failed is found too, leading to its row on the run's page, and so are the
/// problems of a file that is no artifact (a broken manifest).
#[test]
fn search_finds_artifacts_by_their_problems_and_failed_checks() {
    let t = Tree::new();
    t.file("v1/etl_metadata/cleaning/stats.json", "{\"score\": NaN}");
    t.file("v1/etl_metadata/cleaning/fine.json", "{\"score\": 1}");
    t.file("v1/etl_metadata/cleaning/cut.json", "{\"score\": ");
    t.file("v2/artifact_manifest.json", "{\"artifacts\": [");
    t.build();
    let read = |name: &str| fs::read_to_string(t.out().join("search").join(name)).unwrap();
    let shard = read("t-no.js");
    let docs = read("d-0.js");
    let doc_of = |name: &str| {
        let at = docs.find(&format!("[\"{name}\",")).unwrap_or_else(|| panic!("no doc {name}: {docs}"));
        docs[at..at + docs[at..].find("]]").unwrap() + 2].to_string()
    };
    let stats = doc_of("stats");
    assert!(stats.ends_with(",[0,1]]"), "one warning travels with it: {stats}");
    assert!(doc_of("fine").ends_with(",[0,0]]"));
    // Doc ids are base-36 deltas; the code's posting list names exactly the NaN file's doc.
    let docs_list: Vec<&str> = docs.split("[\"").skip(1).map(|d| d.split('"').next().unwrap()).collect();
    let found = |shard: &str, token: &str| -> Vec<&str> {
        let at =
            shard.find(&format!("\"{token}\":\"")).unwrap_or_else(|| panic!("no {token}: {shard}")) + token.len() + 4;
        let mut prev = 0;
        shard[at..at + shard[at..].find('"').unwrap()]
            .split('.')
            .map(|d| {
                prev += usize::from_str_radix(d, 36).unwrap();
                docs_list[prev]
            })
            .collect()
    };
    assert_eq!(found(&shard, "non-finite-number"), ["stats"], "{shard}");

    let check = doc_of("JSON files parse");
    assert!(check.contains("\"v/v1/index.html#check-json\"") && check.ends_with(",[1,0]]"), "{check}");
    let run_page = fs::read_to_string(t.out().join("v/v1/index.html")).unwrap();
    assert!(run_page.contains("id=\"check-json\""), "the check's row is on the run's page");
    let meta = read("meta.js");
    let hits = found(&read("t-pa.js"), "parse");
    assert!(hits.contains(&"JSON files parse"), "{hits:?}");
    assert!(meta.contains("\"check\""), "checks are a type to filter by: {meta}");

    let manifest = doc_of("artifact_manifest.json");
    assert!(manifest.contains("\"v/v2/index.html#problems\"") && manifest.ends_with(",[1,0]]"), "{manifest}");
    assert!(manifest.contains("EOF while parsing"), "the first problem is the result's text: {manifest}");
    assert_eq!(found(&read("t-pr.js"), "problem"), ["artifact_manifest.json"]);
    assert!(found(&read("t-eo.js"), "eof").contains(&"artifact_manifest.json"));
    assert!(meta.contains("\"problem\""), "problems are a type to filter by: {meta}");
    let v2 = fs::read_to_string(t.out().join("v/v2/index.html")).unwrap();
    assert!(v2.contains("id=\"problems\"") && v2.contains("EOF while parsing"), "the result leads to the problem");
}
