//! Rebuilds: skipped when nothing changed, complete when anything did.

use crate::util::*;
use std::fs;
use std::time::{Duration, SystemTime};

fn mtime(path: &std::path::Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_rebuild_with_nothing_changed_writes_nothing() {
    let t = Tree::new();
    small_version(&t, "v1");
    let first = t.build();
    assert!(!first.up_to_date);
    let before = snapshot(&t.out());
    let stamp = mtime(&t.out().join("index.html"));
    std::thread::sleep(Duration::from_millis(20));
    let second = t.build();
    assert!(second.up_to_date, "nothing changed");
    assert_eq!((second.versions, second.artifacts, second.pages), (first.versions, first.artifacts, first.pages));
    assert_eq!(second.counts.warnings, first.counts.warnings);
    assert_eq!(mtime(&t.out().join("index.html")), stamp, "no file rewritten");
    assert_eq!(snapshot(&t.out()), before);
}

#[test]
fn any_change_to_inputs_or_config_rebuilds() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.build();

    // A changed file.
    std::thread::sleep(Duration::from_millis(20));
    t.json(
        "v1/etl_metadata/cleaned_data/cleaning_summary.json",
        serde_json::json!({"total_records": 100, "valid_records": 77, "data_quality_score": 77.0}),
    );
    let r = t.build();
    assert!(!r.up_to_date);
    assert!(fs::read_to_string(t.out().join("v/v1/index.html")).unwrap().contains("data-value=\"77\""));

    // A new version.
    small_version(&t, "v2");
    assert!(!t.build().up_to_date);
    assert!(t.out().join("v/v2/index.html").is_file());

    // A different config.
    let config = artsite::config::Config { title: "Renamed".into(), ..t.config() };
    let r = artsite::commands::build::build(&config).unwrap();
    assert!(!r.up_to_date);
    assert!(fs::read_to_string(t.out().join("index.html")).unwrap().contains("Renamed"));

    // A marker from another build (or an older artsite) means a rebuild.
    let marker = t.out().join(".artsite-output");
    let text = fs::read_to_string(&marker).unwrap();
    let fp = serde_json::from_str::<serde_json::Value>(&text).unwrap()["fingerprint"].as_str().unwrap().to_string();
    fs::write(&marker, text.replace(&fp, "0000000000000000")).unwrap();
    assert!(!artsite::commands::build::build(&config).unwrap().up_to_date);
}
