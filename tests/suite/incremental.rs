//! Rebuilds: skipped when nothing changed, complete when anything did.

use crate::util::*;
use artsite::commands::build::build;
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
    let r = build(&config).unwrap();
    assert!(!r.up_to_date);
    assert!(fs::read_to_string(t.out().join("index.html")).unwrap().contains("Renamed"));

    // A marker from another build (or an older artsite) means a rebuild.
    let marker = t.out().join(".artsite-output");
    let text = fs::read_to_string(&marker).unwrap();
    let fp = serde_json::from_str::<serde_json::Value>(&text).unwrap()["fingerprint"].as_str().unwrap().to_string();
    fs::write(&marker, text.replace(&fp, "0000000000000000")).unwrap();
    assert!(!build(&config).unwrap().up_to_date);
}

/// The inode of the built file `rel` of `out`: the same one after a build
/// means the file was linked from the previous output, not written.
fn inode(out: &std::path::Path, rel: &str) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&fs::metadata(out.join(rel)).unwrap())
}

fn site_of(out: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(out);
    files.remove(artsite::output::staging::MARKER);
    files
}

const FIRST: &str = "2024-03-01_09-00-00_ci-runner";
const MIDDLE: &str = "2024-03-02_09-00-00_ci-runner";
const LAST: &str = "2024-03-04_09-00-00_ci-runner";

/// A change to make to the tree.
type Step<'a> = Box<dyn Fn() + 'a>;

/// How many pages a change renders again, at most: a share of all of them,
/// or every one.
enum Renders {
    AtMost(f64),
    All,
}

/// With the build cache, every kind of change builds exactly a clean
/// build's site, rendering only the pages whose inputs changed and writing
/// only the files whose bytes differ: the others are the previous output's
/// files, linked (their inodes stay).
#[test]
fn builds_with_the_cache_equal_clean_builds_after_every_kind_of_change() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("artifacts");
    copy_tree(&examples_root(), &root);
    let out = tmp.path().join("public");
    let site_dir = tmp.path().join("site");
    let config = artsite::config::Config {
        root: root.clone(),
        out: out.clone(),
        site_dir: site_dir.clone(),
        ..Default::default()
    };
    let first = build(&config).unwrap();
    assert_eq!(first.linked, 0, "nothing to reuse yet");
    assert_eq!(first.rendered, first.pages, "everything rendered the first time");
    let raw = inode(&out, &format!("v/{FIRST}/files/artifact_manifest.json"));

    let new_run = "2024-03-05_09-00-00_ci-runner";
    let steps: Vec<(&str, Renders, Step)> = vec![
        // A run's pages show earlier runs only: a new one renders its own and the site's.
        ("a new run", Renders::AtMost(0.3), Box::new(|| copy_tree(&root.join(LAST), &root.join(new_run)))),
        (
            "a changed ETL file",
            Renders::AtMost(0.5),
            Box::new(|| {
                let p = root.join(MIDDLE).join("etl_metadata/cleaned_data/cleaning_summary.json");
                let text = fs::read_to_string(&p).unwrap().replacen("\"records_out\"", "\"records_out_was\"", 1);
                fs::write(p, text).unwrap();
            }),
        ),
        (
            "a table rewritten in an old run",
            Renders::AtMost(0.5),
            Box::new(|| {
                let p = root.join(FIRST).join("tables/cleaned_data_summary.csv");
                let text = fs::read_to_string(&p).unwrap();
                let mut lines: Vec<&str> = text.lines().collect();
                lines.truncate(lines.len() - 1);
                fs::write(p, lines.join("\n") + "\n").unwrap();
            }),
        ),
        ("a deleted run", Renders::AtMost(0.3), Box::new(|| fs::remove_dir_all(root.join(new_run)).unwrap())),
        (
            "a renamed alias",
            Renders::All,
            Box::new(|| {
                fs::remove_file(root.join("current")).unwrap();
                std::os::unix::fs::symlink(FIRST, root.join("latest")).unwrap();
            }),
        ),
        (
            "a theme change",
            Renders::All,
            Box::new(|| {
                fs::create_dir_all(site_dir.join("templates")).unwrap();
                let page = "{% extends \"theme/version.html\" %}\n{% block content %}<p>Team view</p>{{ super() }}{% endblock content %}\n";
                fs::write(site_dir.join("templates/version.html"), page).unwrap();
            }),
        ),
    ];
    for (what, renders, change) in steps {
        change();
        let report = build(&config).unwrap();
        assert!(!report.up_to_date, "{what}");
        assert_eq!(differences(&site_of(&out), &clean_build(&config)), Vec::<String>::new(), "{what}");
        assert!(report.linked > 0, "{what}: unchanged files are linked");
        match renders {
            Renders::AtMost(share) => assert!(
                (report.rendered as f64) <= share * report.pages as f64 && report.rendered > 0,
                "{what}: {} of {} pages rendered",
                report.rendered,
                report.pages
            ),
            Renders::All => assert_eq!(report.rendered, report.pages, "{what}"),
        }
    }
    assert_eq!(
        inode(&out, &format!("v/{FIRST}/files/artifact_manifest.json")),
        raw,
        "a raw file is never copied again"
    );
    let home = inode(&out, "index.html");
    let retitled = artsite::config::Config { title: "Retitled".into(), ..config.clone() };
    let report = build(&retitled).unwrap();
    assert_eq!(differences(&site_of(&out), &clean_build(&retitled)), Vec::<String>::new(), "a config change");
    assert_eq!(report.rendered, report.pages, "a config change renders everything");
    assert_ne!(inode(&out, "index.html"), home, "a changed page is written anew");
    assert!(report.linked > 0, "raw files and pages without the title are kept");
}

/// Runs of one a day from 2024-01-01, `n` of them, each a [`small_version`]; their ids.
fn daily_runs(t: &Tree, n: u32) -> Vec<String> {
    let ids: Vec<String> = (1..=n).map(|n| format!("2024-01-{n:02}_09-00-00_ci")).collect();
    for id in &ids {
        small_version(t, id);
    }
    ids
}

/// A new run renders its own pages and the site-level ones: the pages of
/// every older run are the same files as before, linked, not written (the
/// switcher and the links to later runs are drawn in the browser).
#[test]
fn a_new_run_leaves_the_pages_of_older_runs_alone() {
    let t = Tree::new();
    let ids = daily_runs(&t, 14);
    t.build();
    let old_pages: Vec<String> = snapshot(&t.out())
        .into_keys()
        .filter(|p| ids.iter().any(|id| p.starts_with(&format!("v/{id}/"))) && p.ends_with(".html"))
        .collect();
    assert!(old_pages.len() > 14 * 3, "{old_pages:?}");
    let before: Vec<u64> = old_pages.iter().map(|p| inode(&t.out(), p)).collect();
    small_version(&t, "2024-01-15_09-00-00_ci");
    let report = t.build();
    let after: Vec<u64> = old_pages.iter().map(|p| inode(&t.out(), p)).collect();
    assert_eq!(after, before, "the older runs' pages are the same files");
    let own = snapshot(&t.out()).into_keys().filter(|p| p.starts_with("v/2024-01-15_09-00-00_ci/")).count();
    assert!(
        report.rendered <= own + 10,
        "the new run's pages and the site's: {} of {} rendered, the run has {own} files",
        report.rendered,
        report.pages
    );
    assert!(report.linked * 2 > report.pages, "{} of {} files linked", report.linked, report.pages);
    assert!(t.out().join("v/2024-01-15_09-00-00_ci/index.html").is_file());
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// A theme that shows later runs on a run's pages (the version switcher, as
/// templates) has the pages of the runs within a new or deleted run's
/// switcher rendered again, and those beyond it kept; each build equals a
/// clean one.
#[test]
fn a_theme_showing_later_runs_renders_the_runs_around_a_change() {
    let t = Tree::new();
    let ids = daily_runs(&t, 12);
    let site_dir = t.tmp.path().join("site");
    fs::create_dir_all(site_dir.join("templates")).unwrap();
    let crumbs = "<ul class=\"runs\">{% if switcher is defined %}{% for s in switcher %}<li><a href=\"{{ root }}{{ s.href }}\">{{ s.label }}</a></li>{% endfor %}{% endif %}{% if next_version %}<li>{{ next_version.id }}</li>{% endif %}</ul>";
    fs::write(site_dir.join("templates/crumbs.html"), crumbs).unwrap();
    let config = artsite::config::Config { site_dir, ..t.config() };
    build(&config).unwrap();
    let page_of = |id: &str| format!("v/{id}/index.html");
    let kept = inode(&t.out(), &page_of(&ids[0]));
    let near = inode(&t.out(), &page_of(&ids[8]));
    small_version(&t, "2024-01-13_09-00-00_ci");
    build(&config).unwrap();
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&config)), Vec::<String>::new(), "a new run");
    assert_eq!(inode(&t.out(), &page_of(&ids[0])), kept, "beyond the new run's switcher");
    assert_ne!(inode(&t.out(), &page_of(&ids[8])), near, "its switcher lists the new run");
    let html = fs::read_to_string(t.out().join(page_of(&ids[8]))).unwrap();
    assert!(html.contains("2024-01-13_09-00-00_ci"), "{html}");
    fs::remove_dir_all(t.root().join(&ids[5])).unwrap();
    build(&config).unwrap();
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&config)), Vec::<String>::new(), "a deleted run");
}

/// An output file edited since the last build is written again, and a
/// record of another build (or another artsite) is not used at all.
#[test]
fn edited_outputs_and_foreign_records_are_not_trusted() {
    let t = Tree::new();
    small_version(&t, "v1");
    small_version(&t, "v2");
    t.build();
    let page = t.out().join("v/v1/index.html");
    let clean = fs::read(&page).unwrap();
    let mut edited = clean.clone();
    edited.extend_from_slice(b"<!-- edited by hand -->");
    fs::write(&page, &edited).unwrap();
    t.file("v2/notes/new.txt", "a change elsewhere\n");
    let report = t.build();
    assert!(report.linked > 0);
    assert_eq!(fs::read(&page).unwrap(), clean, "the edited page is built again");

    let record = artsite::output::cache::default_dir(&t.out()).join("output.json");
    let text = fs::read_to_string(&record).unwrap();
    fs::write(&record, text.replacen("artsite ", "artsite 0.0.0-other+", 1)).unwrap();
    t.file("v2/notes/new.txt", "another change\n");
    assert_eq!(t.build().linked, 0, "a record of another artsite");
    fs::write(&record, "{ not json").unwrap();
    t.file("v2/notes/new.txt", "a third change\n");
    let report = t.build();
    assert_eq!(report.linked, 0, "a record that does not parse");
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// `--no-cache` writes every file and keeps no cache.
#[test]
fn no_cache_writes_everything() {
    let t = Tree::new();
    small_version(&t, "v1");
    let args = ["build", "--root", "artifacts", "--out", "public", "--no-cache"];
    assert!(artsite(t.tmp.path(), &args).status.success());
    let page = inode(&t.out(), "v/v1/index.html");
    t.file("v1/notes/new.txt", "a change\n");
    assert!(artsite(t.tmp.path(), &args).status.success());
    assert_ne!(inode(&t.out(), "v/v1/index.html"), page, "written anew");
    assert!(!artsite::output::cache::default_dir(&t.out()).exists());
}

/// An artifact page kept from the previous output is not previewed again,
/// and the problems its preview found then are the site's problems still.
#[test]
fn kept_pages_keep_the_problems_their_previews_found() {
    let t = Tree::new();
    let ids = daily_runs(&t, 12);
    t.file(&format!("{}/tables/ragged.csv", ids[0]), "a,b\n1,2,3\n4,5\n");
    let first = t.build();
    let ragged = |r: &artsite::commands::build::Report| {
        r.problems.iter().filter(|d| d.path.ends_with("tables/ragged.csv") && d.code == "csv-ragged").count()
    };
    assert_eq!(ragged(&first), 1, "{:?}", first.problems);
    small_version(&t, "2024-01-13_09-00-00_ci");
    let report = t.build();
    assert!(report.rendered * 2 < report.pages, "{} of {} rendered", report.rendered, report.pages);
    assert_eq!(ragged(&report), 1, "the kept page's problem is still found");
    assert_eq!(report.counts.warnings, first.counts.warnings);
    assert!(read(&t, "problems.json").contains("ragged.csv"));
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// A theme that shows the newest run on the pages of every run has every
/// page rendered again for a new run; the bundled themes do not.
#[test]
fn a_theme_showing_the_newest_run_everywhere_renders_every_page_for_a_new_run() {
    let t = Tree::new();
    let ids = daily_runs(&t, 9);
    let site_dir = t.tmp.path().join("site");
    fs::create_dir_all(site_dir.join("templates")).unwrap();
    let page = "{% extends \"theme/artifact.html\" %}\n{% block content %}<p class=\"newest\">{{ site.latest }}</p>{{ super() }}{% endblock content %}\n";
    fs::write(site_dir.join("templates/artifact.html"), page).unwrap();
    let config = artsite::config::Config { site_dir, ..t.config() };
    build(&config).unwrap();
    let newest = "2024-01-10_09-00-00_ci";
    small_version(&t, newest);
    let report = build(&config).unwrap();
    assert_eq!(report.rendered, report.pages, "every page shows the newest run");
    let oldest = fs::read_dir(t.out().join(format!("v/{}/a", ids[0]))).unwrap().next().unwrap().unwrap().path();
    let html = fs::read_to_string(oldest).unwrap();
    assert!(html.contains(&format!("<p class=\"newest\">v/{newest}/index.html</p>")), "{html}");
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&config)), Vec::<String>::new());
}

/// The run that opens a second page of runs renders the site pages and its
/// neighbours, not every run; the one whose removal closes it again leaves
/// no page of runs behind.
#[test]
fn a_new_page_of_runs_is_rendered_and_a_gone_one_removed() {
    let t = Tree::new();
    let id = |n: usize| format!("2024-01-01_{:02}-{:02}-00_ci", n / 60, n % 60);
    for n in 0..artsite::plan::RUNS_PER_PAGE {
        small_version(&t, &id(n));
    }
    t.build();
    let extra = id(artsite::plan::RUNS_PER_PAGE);
    small_version(&t, &extra);
    let report = t.build();
    assert!(report.rendered * 4 < report.pages, "{} of {} rendered", report.rendered, report.pages);
    assert!(t.out().join("runs/2/index.html").is_file());
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
    fs::remove_dir_all(t.root().join(&extra)).unwrap();
    t.build();
    assert!(!t.out().join("runs/2").exists());
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// An update killed while it moved its files into the output leaves a mix
/// of two sites, its marker saying so: the next build trusts neither the
/// output nor the cache, and builds the whole site anew.
#[test]
fn an_update_killed_while_moving_its_files_in_is_repaired_by_the_next_build() {
    let t = Tree::new();
    let ids = daily_runs(&t, 8);
    t.build();
    small_version(&t, "2024-01-09_09-00-00_ci");
    // What a kill during the moves leaves: the marker of the update, some
    // pages new and some old.
    let marker = t.out().join(artsite::output::staging::MARKER);
    let mut stamp: serde_json::Value = serde_json::from_str(&fs::read_to_string(&marker).unwrap()).unwrap();
    stamp["fingerprint"] = artsite::output::staging::UPDATING.into();
    fs::write(&marker, stamp.to_string()).unwrap();
    fs::write(t.out().join(format!("v/{}/index.html", ids[7])), "<p>half moved</p>").unwrap();
    let report = t.build();
    assert!(!report.up_to_date);
    assert_eq!((report.rendered, report.linked), (report.pages, 0), "everything built anew");
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// A change that leaves what the site-level files show alone keeps them
/// from the previous output; one edited by hand since is written again.
#[test]
fn site_files_are_kept_unless_edited_by_hand() {
    let t = Tree::new();
    small_version(&t, "v1");
    small_version(&t, "v2");
    t.build();
    let problems = inode(&t.out(), "problems.json");
    let index = t.out().join("index.json");
    let clean = fs::read(&index).unwrap();
    fs::write(&index, b"{}").unwrap();
    t.json(
        "v1/etl_metadata/cleaned_data/cleaning_summary.json",
        serde_json::json!({"total_records": 100, "valid_records": 91, "data_quality_score": 91.0, "issues_found": 3, "outliers_removed": 2}),
    );
    let report = t.build();
    assert!(report.rendered < report.pages, "{} of {} rendered", report.rendered, report.pages);
    assert_eq!(inode(&t.out(), "problems.json"), problems, "kept where it was");
    assert_eq!(fs::read(&index).unwrap(), clean, "the edited index is written again");
    assert!(read(&t, "v/v1/summary.json").contains("91"), "the changed run's summary is written");
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}

/// The build cache's parts of the record (one per run, in `runs/`).
fn parts(t: &Tree) -> Vec<std::path::PathBuf> {
    let dir = artsite::output::cache::default_dir(&t.out()).join("runs");
    let mut parts: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    parts.sort();
    parts
}

/// The part of the build cache's record that holds run `id`'s files.
fn part_of(t: &Tree, id: &str) -> std::path::PathBuf {
    let dir = artsite::output::cache::default_dir(&t.out());
    let record: serde_json::Value = serde_json::from_slice(&fs::read(dir.join("output.json")).unwrap()).unwrap();
    dir.join("runs").join(record["runs"][id]["part"].as_str().unwrap())
}

/// A run a build leaves alone is kept whole, unread and unchecked but for
/// its summary page: a run whose folder in the output was removed by hand
/// is written again, one whose part of the cache is damaged has its files
/// found in the output instead, and the cache keeps one part per run.
#[test]
fn runs_kept_whole_are_repaired_when_their_output_or_record_is_damaged() {
    let t = Tree::new();
    let mut ids = daily_runs(&t, 14);
    t.build();
    assert_eq!(parts(&t).len(), 14, "one part per run");
    let clean = || assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
    let add = |ids: &mut Vec<String>| {
        ids.push(format!("2024-01-{:02}_09-00-00_ci", ids.len() + 1));
        small_version(&t, ids.last().unwrap());
    };

    fs::remove_dir_all(t.out().join(format!("v/{}", ids[0]))).unwrap();
    add(&mut ids);
    let report = t.build();
    assert!(report.rendered * 2 < report.pages, "{} of {} rendered", report.rendered, report.pages);
    assert!(t.out().join(format!("v/{}/index.html", ids[0])).is_file(), "the removed run is back");
    clean();
    assert_eq!(parts(&t).len(), 15, "the parts of runs rewritten replace their old ones");

    // A neighbour of the next new run, whose pages it renders again.
    fs::write(part_of(&t, &ids[13]), "{ damaged").unwrap();
    add(&mut ids);
    let report = t.build();
    assert!(report.rendered * 2 < report.pages, "{} of {} rendered", report.rendered, report.pages);
    clean();

    // A run read again: every page is rendered, as its digest is lost, and
    // the file it no longer has is removed from the output all the same.
    t.file(&format!("{}/notes/extra.txt", ids[15]), "soon gone\n");
    t.build();
    let extra = t.out().join(format!("v/{}/files/notes/extra.txt", ids[15]));
    assert!(extra.is_file());
    fs::write(part_of(&t, &ids[15]), "{ damaged").unwrap();
    fs::remove_file(t.root().join(format!("{}/notes/extra.txt", ids[15]))).unwrap();
    let report = t.build();
    assert_eq!(report.rendered, report.pages);
    assert!(!extra.exists(), "the gone file is removed");
    clean();

    fs::remove_file(&parts(&t)[0]).unwrap();
    add(&mut ids);
    let report = t.build();
    assert_eq!((report.rendered, report.linked), (report.pages, 0), "a record missing a part is not used");
    clean();
}

/// A new run whose id makes the same path segment as an older run's takes
/// that run's folder in the site (the older one moves to `-2`): both are
/// written where they now belong, with none of the older run's files left
/// in the new one's folder.
#[test]
fn a_new_run_taking_an_older_runs_folder_moves_it() {
    let t = Tree::new();
    small_version(&t, "run@a");
    small_version(&t, "zz");
    t.build();
    assert!(t.out().join("v/run-a/index.html").is_file(), "the older run's folder");
    small_version(&t, "run a");
    t.file("run a/notes/only-here.txt", "the new run's\n");
    let report = t.build();
    assert!(report.rendered > 0);
    assert!(t.out().join("v/run-a/files/notes/only-here.txt").is_file());
    assert!(t.out().join("v/run-a-2/index.html").is_file(), "the older run moved");
    assert_eq!(differences(&site_of(&t.out()), &clean_build(&t.config())), Vec::<String>::new());
}
