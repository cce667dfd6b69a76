//! `serve`'s incremental rebuilds give the same site as a clean build, byte
//! for byte, after every kind of edit.

use crate::util::*;
use artsite::config::Config;
use artsite::serve::incremental::{Change, Engine};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const MID: &str = "2024-03-02_09-00-00_ci-runner";
const SUMMARY: &str = "etl_metadata/cleaned_data/cleaning_summary.json";

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Fixture {
    /// A copy of the example tree with an `artsite.yaml` beside it.
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        copy_tree(&examples_root(), &dir.join("artifacts"));
        fs::write(dir.join("artsite.yaml"), "title: Incremental\n").unwrap();
        Fixture { _tmp: tmp, dir }
    }
    fn root(&self) -> PathBuf {
        self.dir.join("artifacts")
    }
    fn config_file(&self) -> PathBuf {
        self.dir.join("artsite.yaml")
    }
    fn config(&self) -> Config {
        Config::from_file(&self.config_file()).unwrap()
    }
    fn engine(&self) -> Engine {
        let file = self.config_file();
        Engine::new(Box::new(move || Ok(Config::from_file(&file)?))).unwrap()
    }
    fn path(&self, version: &str, rel: &str) -> PathBuf {
        self.root().join(version).join(rel)
    }
}

fn change(version: &str, rels: &[&str]) -> Change {
    let mut c = Change::default();
    c.versions.insert(version.to_string(), rels.iter().map(ToString::to_string).collect::<BTreeSet<_>>());
    c
}

/// Applies `change`, then checks the served site against a clean build.
fn step(f: &Fixture, engine: &mut Engine, what: &str, change: Change) -> artsite::serve::incremental::Outcome {
    let outcome = engine.rebuild(&change).unwrap_or_else(|e| panic!("{what}: {e:#}"));
    eprintln!("{what}: {} pages rendered, {} changed, {:?}", outcome.rendered, outcome.changed.len(), outcome);
    let served = served_files(engine.snapshot());
    let clean = clean_build(&f.config());
    let diff = differences(&served, &clean);
    assert!(diff.is_empty(), "{what}: the incremental site differs from a clean build:\n{}", diff.join("\n"));
    outcome
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn incremental_rebuilds_equal_a_clean_build() {
    let f = Fixture::new();
    let mut engine = f.engine();
    let first = served_files(engine.snapshot());
    assert_eq!(differences(&first, &clean_build(&f.config())), Vec::<String>::new());

    // Edit a number in an ETL file: only that version's pages and the site pages change.
    let summary = f.path(MID, SUMMARY);
    let text = fs::read_to_string(&summary).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let valid = v["valid_records"].as_i64().unwrap();
    edit(&summary, &format!("\"valid_records\": {valid}"), &format!("\"valid_records\": {}", valid - 7));
    let o = step(&f, &mut engine, "edit a JSON value", change(MID, &[SUMMARY]));
    assert!(!o.full && o.read == 1, "{o:?}");
    assert!(o.changed.contains(&format!("v/{MID}/index.html")), "{:?}", o.changed);
    assert!(o.changed.iter().all(|p| !p.starts_with("v/2024-03-04")), "other versions untouched: {:?}", o.changed);

    // Break it, then fix it.
    fs::write(&summary, "{\"total_records\": 10,").unwrap();
    step(&f, &mut engine, "break a JSON file", change(MID, &[SUMMARY]));
    fs::write(&summary, &text).unwrap();
    step(&f, &mut engine, "fix a JSON file", change(MID, &[SUMMARY]));

    // Break a file of a passing run: its verdict flips to fail, which its own
    // pages and the runs' navigation (the switchers, drawn from it) show; the
    // next run's artifact pages do not. Then fix it again.
    let (first_run, stats) = ("2024-03-01_09-00-00_ci-runner", "etl_metadata/cleaning/cleaning_stats.json");
    let good = fs::read_to_string(f.path(first_run, stats)).unwrap();
    fs::write(f.path(first_run, stats), "{\"total_records\": ").unwrap();
    let o = step(&f, &mut engine, "a run's verdict flips", change(first_run, &[stats]));
    assert!(o.changed.contains(&"nav/runs.js".to_string()), "the switchers' verdicts: {:?}", o.changed);
    assert!(o.changed.contains(&format!("v/{first_run}/index.html")), "{:?}", o.changed);
    let neighbour = format!("v/{MID}/a/");
    assert!(!o.changed.iter().any(|p| p.starts_with(&neighbour)), "{MID}'s artifact pages: {:?}", o.changed);
    fs::write(f.path(first_run, stats), good).unwrap();
    step(&f, &mut engine, "and flips back", change(first_run, &[stats]));

    // Edit the manifest: a description and a new unlisted file change the structure.
    edit(&f.path(MID, "artifact_manifest.json"), "\"description\": \"", "\"description\": \"Edited. ");
    step(&f, &mut engine, "edit the manifest", change(MID, &["artifact_manifest.json"]));
    fs::write(f.path(MID, "logs/extra_run.log"), "INFO start\nERROR boom\n").unwrap();
    step(&f, &mut engine, "add an unlisted file", change(MID, &["logs/extra_run.log"]));

    // Add versions: newest, and one between two others.
    let newest = "2024-03-05_09-00-00_ci-runner";
    copy_tree(&f.root().join("2024-03-04_09-00-00_ci-runner"), &f.root().join(newest));
    let o = step(&f, &mut engine, "add the newest version", change(newest, &[""]));
    assert!(!o.full, "{o:?}");
    let between = "2024-03-02_21-00-00_laptop-bob";
    copy_tree(&f.root().join("2024-03-03_09-00-00_laptop-bob"), &f.root().join(between));
    step(&f, &mut engine, "add a version in the middle", change(between, &[""]));

    // Rename a file, then delete one.
    let plots: Vec<_> = fs::read_dir(f.path(MID, "plots")).unwrap().flatten().collect();
    let plot = plots[0].file_name().to_string_lossy().into_owned();
    fs::rename(f.path(MID, &format!("plots/{plot}")), f.path(MID, "plots/renamed.png")).unwrap();
    step(&f, &mut engine, "rename a file", change(MID, &[&format!("plots/{plot}"), "plots/renamed.png"]));
    fs::remove_file(f.path(MID, "logs/extra_run.log")).unwrap();
    step(&f, &mut engine, "delete a file", change(MID, &["logs/extra_run.log"]));

    // Delete a version, rename another.
    fs::remove_dir_all(f.root().join(between)).unwrap();
    step(&f, &mut engine, "delete a version", change(between, &[""]));
    fs::rename(f.root().join("baseline"), f.root().join("baseline-renamed")).unwrap();
    let mut c = change("baseline", &[""]);
    c.merge(change("baseline-renamed", &[""]));
    step(&f, &mut engine, "rename a version", c);

    // Move the alias.
    fs::remove_file(f.root().join("current")).unwrap();
    std::os::unix::fs::symlink(newest, f.root().join("current")).unwrap();
    step(&f, &mut engine, "move the alias", change("current", &[""]));

    // A config change (as a template or theme change) renders everything again.
    fs::write(f.config_file(), "title: Incremental, renamed\nfooter: Data team\n").unwrap();
    let o = step(&f, &mut engine, "change the config", Change { full: true, ..Change::default() });
    assert!(o.full);
    assert!(o.changed.contains(&"index.html".to_string()));

    // Nothing changed: nothing to send.
    let o = step(&f, &mut engine, "touch nothing", change(MID, &[SUMMARY]));
    assert!(o.changed.iter().all(|p| p.contains("/files/")), "only the raw file is reported: {:?}", o.changed);
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_site() {
    let f = Fixture::new();
    let mut engine = f.engine();
    let before = served_files(engine.snapshot());
    let build = engine.snapshot().build;
    fs::write(f.config_file(), "titel: typo\n").unwrap();
    let err = engine.rebuild(&Change { full: true, ..Change::default() }).unwrap_err();
    assert!(format!("{err:#}").contains("titel"), "{err:#}");
    assert_eq!(engine.snapshot().build, build);
    assert_eq!(served_files(engine.snapshot()), before);
    // The root vanishes, then comes back.
    fs::write(f.config_file(), "title: Incremental\n").unwrap();
    fs::rename(f.root(), f.dir.join("elsewhere")).unwrap();
    assert!(engine.rebuild(&change(MID, &[SUMMARY])).is_err());
    fs::rename(f.dir.join("elsewhere"), f.root()).unwrap();
    step(&f, &mut engine, "root back", Change { full: true, ..Change::default() });
}
