//! A pipeline still writing a version while the site is built: files that
//! vanish, shrink or grow between the scan and the read are named, and the
//! rest of the site is right.

use crate::util::*;
use artsite::commands::pipeline;
use artsite::diagnostics::Severity;
use artsite::input::scan;
use artsite::load;
use artsite::output::links::LinkCheck;
use artsite::plan;
use artsite::render::Renderer;
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn files_changed_between_scan_and_read_are_named() {
    let t = Tree::new();
    small_version(&t, "v1");
    small_version(&t, "v2");
    t.file("v2/tables/gone.csv", "a\n1\n");
    t.file("v2/logs/run.log", "start\n");
    let scanned = scan::scan(&t.root()).unwrap();

    // The pipeline goes on writing: a file vanishes, the summary is half
    // rewritten, the manifest grows past its listed size, a log grows.
    fs::remove_file(t.root().join("v2/tables/gone.csv")).unwrap();
    t.file("v2/etl_metadata/cleaned_data/cleaning_summary.json", "{\"total_records\": 100, \"valid_rec");
    let manifest = t.root().join("v2/artifact_manifest.json");
    fs::OpenOptions::new().write(true).open(&manifest).unwrap().set_len(65 * 1024 * 1024).unwrap();
    fs::write(t.root().join("v2/logs/run.log"), "start\nstep 1\nstep 2\n").unwrap();

    let mut site = load::load(scanned, &plan::previews(&artsite::config::Config::default()));
    let check = LinkCheck::new(None);
    let unpublished = artsite::output::raw::publish(&site, &check, false, &|_| true, &|_| Ok(false)).unwrap();
    load::add_problems(&mut site, unpublished);
    let config = t.config();
    let pages = plan::plan(&site);
    let renderer = Renderer::new(pipeline::read(&config).unwrap().theme).unwrap();
    artsite::render::render_site(&renderer, &config, &mut site, &pages, &check, false).unwrap();
    artsite::output::site_files::write_all(&config, &renderer.theme, &site, &pages, &check).unwrap();

    let named = |path: &str, code: &str| {
        site.problems
            .iter()
            .find(|d| d.path == path && d.code == code)
            .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", site.problems))
            .clone()
    };
    assert_eq!(named("v2/tables/gone.csv", "unpublished").severity, Severity::Warning);
    named("v2/tables/gone.csv", "file-unreadable");
    let half = named("v2/etl_metadata/cleaned_data/cleaning_summary.json", "json-syntax");
    assert!(half.message.contains("truncated"), "{half}");
    // A file is read up to the size it had when listed: the grown manifest reads as it was.
    assert!(!site.problems.iter().any(|d| d.path == "v2/artifact_manifest.json"), "{:#?}", site.problems);
    assert!(!site.versions.iter().find(|v| v.id == "v2").unwrap().artifacts.is_empty());
    assert!(!site.problems.iter().any(|d| d.path.starts_with("v1/")), "the other version is untouched");
    let v1 = site.versions.iter().find(|v| v.id == "v1").unwrap();
    assert_eq!(v1.summary.records_in.as_ref().map(|s| s.value), Some(100.0));

    // The only link problem is the raw file that could not be published.
    let links = check.problems();
    assert!(links.iter().all(|d| d.severity == Severity::Warning && d.message.contains("gone.csv")), "{links:#?}");
}

#[test]
fn builds_finish_while_a_writer_churns_the_version() {
    let t = Tree::new();
    small_version(&t, "2024-01-01_00-00-00_done");
    small_version(&t, "2024-01-02_00-00-00_running");
    let dir = t.root().join("2024-01-02_00-00-00_running");
    let stop = AtomicBool::new(false);
    /// Stops the writer even when an assertion fails, so the scope can end.
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let part = dir.join(format!("tables/part-{}.csv", i % 7));
                let _ = fs::create_dir_all(dir.join("tables"));
                let _ = fs::write(&part, "a,b\n".repeat((i % 50) as usize));
                let _ = fs::write(
                    dir.join("artifact_manifest.json"),
                    &b"{\"artifacts\": [{\"name\": \"x\", "[..(i % 30) as usize],
                );
                let _ = fs::write(dir.join("logs/run.log"), format!("line {i}\n").repeat((i % 100) as usize));
                if i.is_multiple_of(5) {
                    let _ = fs::remove_dir_all(dir.join("tables"));
                }
                if i.is_multiple_of(3) {
                    let _ = fs::remove_file(dir.join("plots/eda_hist.png"));
                } else {
                    let _ = fs::write(dir.join("plots/eda_hist.png"), TINY_PNG);
                }
            }
        });
        let _stop = Stop(&stop);
        for _ in 0..20 {
            let r = artsite::commands::build::build(&t.config())
                .unwrap_or_else(|e| panic!("a build beside a writer finishes: {e:#}"));
            assert_eq!(r.versions, 2);
            let done = fs::read_to_string(t.out().join("v/2024-01-01_00-00-00_done/index.html")).unwrap();
            assert!(done.contains("data-value=\"90\""), "the finished version is right");
        }
    });
}
