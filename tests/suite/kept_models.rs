//! Runs' models kept in the build cache: a run read back from its model is
//! the run read from its files, for every kind of input; a damaged model
//! is read as none; a build from kept models equals a clean build.

use crate::util::*;
use artsite::commands::build::{Options, build_with};
use artsite::input::scan;
use artsite::load::{self, KeptModels};
use artsite::plan;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A run with every kind of trouble the loader records: a JSON syntax
/// error, non-finite numbers, a field of the wrong type, a listed file that
/// is missing, an unlisted one, a manifest naming another version.
fn troubled(t: &Tree, id: &str) {
    small_version(t, id);
    t.file(&format!("{id}/etl_metadata/cleaned_data/cleaning_report.json"), "{\"steps\": [1, 2,\n  oops]}");
    t.file(&format!("{id}/etl_metadata/features/f/feature_summary.json"), "{\"feature_type\": NaN, \"n\": Infinity}");
    t.file(
        &format!("{id}/etl_metadata/raw/download_manifest.json"),
        "{\"files\": \"not a list\", \"total_records\": -3}",
    );
    t.file(&format!("{id}/tables/unlisted.csv"), "a,b\n1,2\n");
    t.json(
        &format!("{id}/artifact_manifest.json"),
        serde_json::json!({"version_id": "another", "artifacts": {
            "gone": record("gone", "table", "cleaned_data", "gone", &format!("artifacts/{id}/tables/gone.parquet")),
            "s": record("s", "etl_metadata", "cleaned_data", "cleaning_summary", &format!("artifacts/{id}/etl_metadata/cleaned_data/cleaning_summary.json")),
            "big": {"artifact_id": "big", "artifact_type": "plot", "stage": "eda", "name": "hist", "file_path": format!("artifacts/{id}/plots/eda_hist.png"),
                    "metadata": {"n": 18446744073709551615u64, "neg": -7, "x": 0.1, "nested": [{"a": null}, true]}}
        }}),
    );
}

/// Loads `root` twice through an in-memory store: the first load keeps
/// every run's model, the second reads each back. Returns both sites'
/// versions and problems as debug text, and how many runs the second load
/// read from their files.
fn load_twice(root: &Path) -> (String, String, usize) {
    let previews = plan::previews(&artsite::config::Config::default());
    let store: Mutex<HashMap<String, Vec<u8>>> = Mutex::new(HashMap::new());
    let from_files = AtomicUsize::new(0);
    let kept = |id: &str| store.lock().unwrap().get(id).cloned();
    let keep = |id: &str, bytes: Vec<u8>| {
        from_files.fetch_add(1, Ordering::SeqCst);
        store.lock().unwrap().insert(id.to_string(), bytes);
    };
    let models = KeptModels { kept: &kept, keep: &keep };
    let first = load::load_keeping(scan::scan(root).unwrap(), &previews, Some(&models));
    let stored = from_files.swap(0, Ordering::SeqCst);
    assert_eq!(stored, first.versions.len(), "every run of {} keeps its model", root.display());
    let second = load::load_keeping(scan::scan(root).unwrap(), &previews, Some(&models));
    let plain = load::load(scan::scan(root).unwrap(), &previews);
    // A run read back makes its files' typed models on first use: ask for
    // every one, so both sides show them.
    let text = |site: &artsite::model::Site| {
        site.versions.iter().flat_map(|v| &v.json).for_each(|d| _ = d.typed());
        format!("{:#?}\n{:#?}", site.versions, site.problems)
    };
    assert_eq!(text(&first), text(&plain), "keeping models changes nothing of the load");
    (text(&first), text(&second), from_files.load(Ordering::SeqCst))
}

#[test]
fn a_run_read_back_from_its_model_is_the_run_read_from_its_files() {
    let t = Tree::new();
    troubled(&t, "2024-01-01_00-00-00_a");
    small_version(&t, "b");
    t.file("c/notes.txt", "no manifest here\n");
    let roots =
        [examples_root(), Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_tools/artifacts"), t.root()];
    for root in roots {
        let (from_files, from_models, read_again) = load_twice(&root);
        assert_eq!(read_again, 0, "every run of {} came from its model", root.display());
        assert!(from_files.contains("json-syntax") || root != t.root(), "the troubled run's problems are there");
        assert_eq!(from_files, from_models, "runs of {} read back as they were read", root.display());
    }
}

#[test]
fn a_damaged_model_is_read_as_none() {
    let t = Tree::new();
    troubled(&t, "a");
    let vd = || scan::scan(&t.root()).unwrap().versions.remove(0);
    let previews = plan::previews(&artsite::config::Config::default());
    let bytes = Mutex::new(None);
    let keep = |_: &str, b: Vec<u8>| *bytes.lock().unwrap() = Some(b);
    load::load_keeping(scan::scan(&t.root()).unwrap(), &previews, Some(&KeptModels { kept: &|_| None, keep: &keep }));
    let bytes = bytes.into_inner().unwrap().expect("the run keeps its model");
    assert!(load::stored::decode(&bytes, vd()).is_ok());
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    for damaged in [&bytes[..bytes.len() - 1], &bytes[..10], &flipped[..], b""] {
        let back = load::stored::decode(damaged, vd()).expect_err("damage is seen");
        assert_eq!(back.id, "a", "the run's folder is given back to be read");
    }
    let mut other = vd();
    other.id = "b".into();
    assert!(load::stored::decode(&bytes, other).is_err(), "a model is of one run only");
}

/// The site built into `out`, without the marker.
fn site(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(out);
    files.remove(artsite::output::staging::MARKER);
    files
}

fn models(cache: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(cache.join("models")).unwrap().map(|e| e.unwrap().path()).collect();
    found.sort();
    found
}

#[test]
fn builds_from_kept_models_equal_clean_builds_and_damaged_ones_are_read_again() {
    let t = Tree::new();
    for id in ["2024-01-01_00-00-00_a", "2024-01-02_00-00-00_b", "2024-01-03_00-00-00_c"] {
        troubled(&t, id);
    }
    let cache = t.tmp.path().join("cache");
    let options = || Options { cache: Some(cache.clone()), ..Options::default() };
    build_with(&t.config(), options()).unwrap();
    let first = models(&cache);
    assert_eq!(first.len(), 3, "one model per run");

    // One run changes: its model is replaced, the others are read back.
    t.file("2024-01-02_00-00-00_b/tables/unlisted.csv", "a,b\n1,2\n3,4\n");
    build_with(&t.config(), options()).unwrap();
    let second = models(&cache);
    assert_eq!(second.len(), 3, "the changed run's old model is removed");
    assert_eq!(first.iter().filter(|m| second.contains(m)).count(), 2, "the unchanged runs keep theirs");
    assert_eq!(differences(&site(&t.out()), &clean_build(&t.config())), Vec::<String>::new());

    // Every model damaged, and a run changed: the damaged ones are read
    // from their files, and the site is still the clean build's.
    for m in &second {
        let mut bytes = fs::read(m).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0xff;
        fs::write(m, bytes).unwrap();
    }
    fs::write(cache.join("models").join("stray.tmp"), "half written").unwrap();
    t.file("2024-01-03_00-00-00_c/notes.txt", "changed\n");
    build_with(&t.config(), options()).unwrap();
    assert_eq!(differences(&site(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
    assert_eq!(models(&cache).len(), 3, "the stray file is removed");
}
