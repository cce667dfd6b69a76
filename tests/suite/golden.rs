//! Golden snapshots (insta) of the bundled example's site: `index.json`, the
//! newest run's `summary.json`, and three key pages (the home page, that
//! run's summary page, the problems page). Any change to what the site says
//! shows up here as a diff to review with `cargo insta review`; the
//! generator's version, which changes with every release, is redacted.

use crate::util::*;
use artsite::config::Config;
use std::fs;

/// The newest run of the example.
const NEWEST: &str = "2024-03-04_09-00-00_ci-runner";

/// `text` with the volatile parts replaced by a placeholder.
fn redacted(text: &str) -> String {
    text.replace(&format!("artsite {}", env!("CARGO_PKG_VERSION")), "artsite [version]")
}

#[test]
fn the_example_site_matches_its_snapshots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let config = Config { root: examples_root(), out: out.clone(), ..Config::default() };
    artsite::commands::build::build(&config).unwrap();
    let file = |rel: &str| redacted(&fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")));

    let index = file("index.json");
    assert!(index.contains("\"generator\": \"artsite [version]\""), "the version is redacted");
    insta::assert_snapshot!("index_json", index);
    insta::assert_snapshot!("summary_json", file(&format!("v/{NEWEST}/summary.json")));
    insta::assert_snapshot!("home_page", file("index.html"));
    insta::assert_snapshot!("run_page", file(&format!("v/{NEWEST}/index.html")));
    insta::assert_snapshot!("problems_page", file("problems/index.html"));
}
