//! `artsite check` and `artsite build --strict`: output, formats and exit codes.

use crate::util::*;
use artsite::config::Config;
use serde_json::{Value, json};
use std::fs;

/// A version with a problem of each kind a check finds, and a clean one before it.
fn tree_with_known_errors() -> Tree {
    let t = Tree::new();
    small_version(&t, "2024-01-01_00-00-00_clean");
    small_version(&t, "2024-01-02_00-00-00_bad");
    let v = "2024-01-02_00-00-00_bad";
    // A schema warning on line 3, a missing file, a duplicate id.
    t.file(
        &format!("{v}/etl_metadata/cleaned_data/cleaning_summary.json"),
        "{\n  \"total_records\": 100,\n  \"valid_records\": \"ninety\",\n  \"data_quality_score\": 90\n}\n",
    );
    t.json(
        &format!("{v}/artifact_manifest.json"),
        json!({"version_id": v, "artifacts": [
            {"artifact_id": "s", "artifact_type": "etl_metadata", "stage": "cleaned_data", "name": "cleaning_summary",
             "file_path": "etl_metadata/cleaned_data/cleaning_summary.json"},
            {"artifact_id": "s", "artifact_type": "plot", "stage": "eda", "name": "hist", "file_path": "plots/eda_hist.png"},
            {"artifact_id": "m", "artifact_type": "plot", "stage": "eda", "name": "gone", "file_path": "plots/gone.png"},
            {"artifact_id": "n", "stage": "eda", "name": "typeless", "file_path": "plots/eda_hist.png"}
        ]}),
    );
    // Malformed JSON.
    t.file(&format!("{v}/etl_metadata/keypairs/extraction_stats.json"), "{\n  \"input_records\": 10,\n");
    t
}

#[test]
fn check_prints_located_problems_and_exits_1_when_the_newest_run_fails() {
    let t = tree_with_known_errors();
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let v = "2024-01-02_00-00-00_bad";
    let expect = [
        format!(
            "{v}/etl_metadata/cleaned_data/cleaning_summary.json:3:3: warning: does not follow cleaning_summary.schema.json: \"ninety\" is not of type \"integer\" (at /valid_records)"
        ),
        format!("{v}/etl_metadata/keypairs/extraction_stats.json:3:1: error: EOF while parsing a value"),
        format!(
            "{v}/artifact_manifest.json:25:5: warning: does not follow artifact_manifest.schema.json: \"artifact_type\" is a required property (at /artifacts/3)"
        ),
        format!("{v}/artifact_manifest.json:11:5: warning: artifact_id \"s\" is used again"),
        format!(
            "{v}/artifact_manifest.json:23:7: error: file \"plots/gone.png\" listed in the manifest is not in the version folder (at /artifacts/2/file_path)"
        ),
    ];
    for line in &expect {
        assert!(out.lines().any(|l| l.starts_with(line.as_str())), "no line starting {line:?} in\n{out}");
    }
    assert!(!out.contains("2024-01-01_00-00-00_clean/"), "the clean version has no problem:\n{out}");
    assert!(!out.contains("(site)"), "the site's links are all fine:\n{out}");
    let summary = stderr(&o);
    assert!(summary.contains("checked 2 versions") && summary.contains("(2 errors,"), "{summary}");
    assert!(
        summary.contains(&format!("run {v}: fail (1 JSON file does not parse; 1 listed file missing)")),
        "{summary}"
    );
    // The gate judges the newest run: asked about the clean one, it passes.
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts", "--run", "2024-01-01_00-00-00_clean"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!t.out().exists(), "check writes nothing");

    // The problems come sorted: by file, then position.
    let lines: Vec<&str> = out.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| l.split(": ").next().unwrap().split(':').next().unwrap().to_string());
    assert_eq!(
        lines.iter().map(|l| l.split(':').next().unwrap()).collect::<Vec<_>>(),
        sorted.iter().map(|l| l.split(':').next().unwrap()).collect::<Vec<_>>()
    );
}

#[test]
fn check_json_is_the_same_list_as_problems_json() {
    let t = tree_with_known_errors();
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let list: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let list = list.as_array().unwrap();
    let schema = list.iter().find(|d| d["code"] == "schema" && d["pointer"] == "/valid_records").unwrap();
    assert_eq!(schema["severity"], "warning");
    assert_eq!((schema["line"].as_u64(), schema["column"].as_u64()), (Some(3), Some(3)));
    assert_eq!(schema["path"], "2024-01-02_00-00-00_bad/etl_metadata/cleaned_data/cleaning_summary.json");

    // The same list as the built site's problems.json, and the text format.
    let r = t.build();
    let built: Value = serde_json::from_slice(&fs::read(t.out().join("problems.json")).unwrap()).unwrap();
    assert_eq!(built.as_array().unwrap(), list);
    assert_eq!(r.problems.len(), list.len());
    let text = artsite(t.tmp.path(), &["check", "--root", "artifacts"]);
    assert_eq!(stdout(&text).lines().count(), list.len());
    let page = fs::read_to_string(t.out().join("problems/index.html")).unwrap();
    let file = page.split("cleaning_summary.json</a>").nth(1).unwrap().split("</tbody>").next().unwrap();
    assert!(
        file.contains(
            "<span class=\"pos\">3:3</span> does not follow cleaning_summary.schema.json: &quot;ninety&quot;"
        ),
        "the problems page shows the schema warning's position: {file}"
    );
}

/// `check` reads a site as `build` does: with a content type, both report
/// the same problems and count the same pages (the content pages included);
/// with a schema that cannot be read, both fail and name it.
#[test]
fn check_and_build_read_the_same_site() {
    let t = tree_with_known_errors();
    t.json("2024-01-02_00-00-00_bad/models/churn.json", json!({"auc": 0.91, "owner": "ml-team"}));
    let schema = json!({"title": "Model card", "type": "object", "properties": {"auc": {"type": "number"}}});
    fs::write(t.tmp.path().join("card.schema.json"), serde_json::to_vec(&schema).unwrap()).unwrap();
    let yaml = t.tmp.path().join("artsite.yaml");
    let types = "content_types:\n  - name: model_card\n    schema: card.schema.json\n    match: \"models/*.json\"\n";
    fs::write(&yaml, format!("root: artifacts\nout: public\n{types}")).unwrap();

    let config = Config::from_file(&yaml).unwrap();
    let checked = artsite::commands::check::check(&config).unwrap();
    let built = artsite::commands::build::build(&config).unwrap();
    assert!(checked.problems.iter().any(|d| d.code == "json-syntax"), "the tree's own problems are found");
    assert_eq!(serde_json::to_value(&checked.problems).unwrap(), serde_json::to_value(&built.problems).unwrap());
    assert_eq!((checked.pages, checked.versions, checked.artifacts), (built.pages, built.versions, built.artifacts));
    assert!(t.out().join("v/2024-01-02_00-00-00_bad/c/model-card/models/churn/index.html").is_file());

    fs::write(
        &yaml,
        "root: artifacts\nout: public\ncontent_types:\n  - name: x\n    schema: gone.json\n    match: \"*.json\"\n",
    )
    .unwrap();
    let config = Config::from_file(&yaml).unwrap();
    for e in [artsite::commands::check::check(&config).err(), artsite::commands::build::build(&config).err()] {
        let e = format!("{:#}", e.expect("a schema that cannot be read fails"));
        assert!(e.contains("content type `x`: cannot read schema"), "{e}");
    }
    let o = artsite(t.tmp.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn warnings_fail_only_with_strict_and_a_missing_root_exits_2() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.file("v1/tables/extra.csv", "a\n1\n");
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts"]);
    assert_eq!(o.status.code(), Some(0), "a warning alone passes:\n{}", stdout(&o));
    assert!(stdout(&o).contains("v1/tables/extra.csv: warning: file is not listed in the manifest"));
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts", "--strict"]);
    assert_eq!(o.status.code(), Some(1));

    fs::remove_file(t.root().join("v1/tables/extra.csv")).unwrap();
    let o = artsite(t.tmp.path(), &["check", "--root", "artifacts", "--strict", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().all(|d| d["severity"] == "info"), "{list}");

    let o = artsite(t.tmp.path(), &["check", "--root", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nowhere") && stdout(&o).is_empty());
}

#[test]
fn build_strict_fails_and_leaves_the_output_as_it_was() {
    let t = Tree::new();
    small_version(&t, "v1");
    let o = artsite(t.tmp.path(), &["build", "--strict"]);
    assert!(o.status.success(), "a clean tree builds strictly: {}", stderr(&o));
    let before = snapshot(&t.out());

    t.file("v1/tables/extra.csv", "a\n1\n");
    let o = artsite(t.tmp.path(), &["build"]);
    assert!(o.status.success(), "without --strict a warning does not fail");
    let built = snapshot(&t.out());
    assert_ne!(built, before);

    t.file("v1/etl_metadata/keypairs/extraction_stats.json", "{\"input_records\": 1, \"output_records\": \"x\"}");
    let o = artsite(t.tmp.path(), &["build", "--strict", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("extraction_stats.json:1:22: warning: does not follow"), "{err}");
    assert!(err.contains("--strict") && err.contains("left as it was"), "{err}");
    assert!(stdout(&o).starts_with("not published (--strict):"), "{}", stdout(&o));
    assert_eq!(snapshot(&t.out()), built, "nothing replaced");
    let leftovers: Vec<_> = fs::read_dir(t.tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("artsite-"))
        .filter(|e| e.path() != artsite::output::lock::path(&t.out()))
        .filter(|e| e.path() != artsite::output::cache::default_dir(&t.out()))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder is left behind");

    // An up-to-date output whose last build had problems does not pass a strict build.
    fs::remove_file(t.root().join("v1/etl_metadata/keypairs/extraction_stats.json")).unwrap();
    assert!(artsite(t.tmp.path(), &["build"]).status.success());
    let o = artsite(t.tmp.path(), &["build", "--strict"]);
    assert_eq!(o.status.code(), Some(1), "the unlisted file is still a warning: {}", stdout(&o));
    assert!(stderr(&o).contains("extra.csv: warning"), "{}", stderr(&o));
}

#[test]
fn numbers_of_fields_a_file_leaves_out_link_nowhere() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.json("v1/etl_metadata/keypairs/extraction_stats.json", json!({"input_records": 10, "output_records": 9}));
    let outcome = artsite::commands::check::check(&t.config()).unwrap();
    let site: Vec<String> =
        outcome.problems.iter().filter(|d| d.path.starts_with("(site)/")).map(ToString::to_string).collect();
    assert!(site.is_empty(), "{}", site.join("\n"));
}
