//! Inputs built to exhaust memory, stack or time: each build finishes, and
//! each is named as a problem. (Peak memory of each, measured on a release
//! build, is in the README's "Hostile input" section.)

use crate::util::*;
use artsite::diagnostics::{Diagnostic, Severity};
use std::fs;

fn find<'a>(problems: &'a [Diagnostic], path: &str, code: &str) -> &'a Diagnostic {
    problems
        .iter()
        .find(|d| d.path == path && d.code == code)
        .unwrap_or_else(|| panic!("no {code} problem for {path}; got {problems:#?}"))
}

/// The page of the artifact named `name` in version `v`, from `index.json`.
fn page_of(t: &Tree, v: &str, name: &str) -> String {
    let index: serde_json::Value = serde_json::from_slice(&fs::read(t.out().join("index.json")).unwrap()).unwrap();
    let version = index["versions"].as_array().unwrap().iter().find(|x| x["id"] == v).unwrap();
    let artifact = version["artifacts"].as_array().unwrap().iter().find(|a| a["name"] == name);
    let page = artifact.unwrap_or_else(|| panic!("no artifact {name} in {v}"))["page"].as_str().unwrap();
    fs::read_to_string(t.out().join(page)).unwrap()
}

/// A file of `size` bytes that takes no room on disk.
fn sparse(t: &Tree, rel: &str, size: u64) {
    t.file(rel, "");
    fs::OpenOptions::new().write(true).open(t.root().join(rel)).unwrap().set_len(size).unwrap();
}

const GB2: u64 = 2 * 1024 * 1024 * 1024;

#[test]
fn two_gigabyte_and_500_megabyte_files_are_read_in_part() {
    let t = Tree::new();
    small_version(&t, "v1");
    sparse(&t, "v1/tables/huge.csv", GB2);
    sparse(&t, "v1/data/huge.bin", GB2);
    sparse(&t, "v1/data/huge.json", GB2);
    sparse(&t, "v1/etl_metadata/cleaning/cleaning_stats.json", GB2);
    sparse(&t, "v2/artifact_manifest.json", 500 * 1024 * 1024);
    sparse(&t, "v2/etl_metadata/keypairs/extraction_stats.json", 500 * 1024 * 1024);
    t.file("v2/plots/ok.txt", "fine\n");
    let r = t.build();
    let p = &r.problems;
    assert!(find(p, "v1/tables/huge.csv", "csv-malformed").message.contains("longer than 4.0 MiB"));
    assert!(find(p, "v1/etl_metadata/cleaning/cleaning_stats.json", "json-unread").message.contains("over the"));
    assert!(find(p, "v2/artifact_manifest.json", "json-unread").message.contains("524288000 bytes"));
    find(p, "v2/etl_metadata/keypairs/extraction_stats.json", "json-unread");
    assert_eq!(find(p, "v1/data/huge.bin", "large-file").severity, Severity::Info);
    assert!(find(p, "v1/data/huge.json", "large-file").message.contains("2.0 GiB"));
    let v2 = fs::read_to_string(t.out().join("v/v2/index.html")).unwrap();
    assert!(v2.contains("manifest unreadable"), "a manifest too big to read is not a missing one");
    assert!(page_of(&t, "v2", "ok").contains("fine"), "the rest of the version builds");
    for page in fs::read_dir(t.out().join("v/v1/a")).unwrap().flatten() {
        let len = fs::metadata(page.path()).unwrap().len();
        assert!(len < 1_000_000, "{:?} is {len} bytes", page.file_name());
    }
}

#[test]
fn json_nested_10000_deep_is_an_error_and_127_deep_builds() {
    let t = Tree::new();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    t.file("v1/artifact_manifest.json", format!("{{\"artifacts\": {deep}}}"));
    t.file("v1/etl_metadata/cleaning/cleaning_stats.json", &deep);
    t.file("v1/data/deep.json", &deep);
    // As deep as the parser goes, in two versions, with a NaN at the bottom:
    // drawn as a tree, compared field by field, validated and located.
    let nested = |leaf: &str| format!("{}{leaf}{}", "{\"a\": ".repeat(125), "}".repeat(125));
    for (v, leaf) in [("v2", "NaN"), ("v3", "1")] {
        t.file(&format!("{v}/data/deep.json"), nested(leaf));
        t.file(
            &format!("{v}/etl_metadata/keypairs/extraction_stats.json"),
            format!("{{\"input_records\": 1, \"output_records\": 1, \"x\": {}}}", nested(leaf)),
        );
    }
    let r = t.build();
    for path in ["v1/artifact_manifest.json", "v1/etl_metadata/cleaning/cleaning_stats.json", "v1/data/deep.json"] {
        let d = find(&r.problems, path, "json-syntax");
        assert!(d.message.contains("nested more than 127 levels"), "{d}");
        assert_eq!(d.line, Some(1));
    }
    let tree = page_of(&t, "v3", "deep");
    assert!(tree.contains(&format!("id=\"p{}\"", "/a".repeat(125))), "the deepest value has its id");
    let compare = fs::read_to_string(t.out().join("v/v3/compare/index.html")).unwrap();
    assert!(compare.contains(&"/a".repeat(125)), "the deep field is compared");
    assert!(
        !r.problems.iter().any(|d| d.path.starts_with("v3/") && d.severity == Severity::Error),
        "{:#?}",
        r.problems
    );
}

#[test]
fn a_csv_with_a_100_megabyte_line_is_cut_off() {
    let t = Tree::new();
    let mut csv = b"a,b\n1,2\n".to_vec();
    csv.resize(csv.len() + 100 * 1024 * 1024, b'x');
    csv.extend_from_slice(b"\n3,4\n");
    t.file("v1/tables/wide.csv", &csv);
    drop(csv);
    let mut commas = vec![b','; 100 * 1024 * 1024];
    commas.extend_from_slice(b"\n1\n");
    t.file("v1/tables/commas.csv", &commas);
    drop(commas);
    let r = t.build();
    let d = find(&r.problems, "v1/tables/wide.csv", "csv-malformed");
    assert_eq!(d.line, Some(3));
    assert!(d.message.contains("a row is longer than 4.0 MiB"), "{d}");
    find(&r.problems, "v1/tables/commas.csv", "csv-malformed");
    assert!(page_of(&t, "v1", "wide").contains("<strong>1</strong> rows"), "the row before the long line is shown");
}

#[test]
fn thousands_of_files_in_one_folder_give_bounded_pages_and_problems() {
    let t = Tree::new();
    small_version(&t, "v1");
    let dir = t.root().join("v1/tables");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..2_500 {
        fs::write(dir.join(format!("part-{i:05}.txt")), "x\n").unwrap();
    }
    let r = t.build();
    let unlisted: Vec<&Diagnostic> = r.problems.iter().filter(|d| d.code == "unlisted-file").collect();
    assert_eq!(unlisted.len(), 101, "100 named, the rest counted");
    assert!(find(&r.problems, "v1/artifact_manifest.json", "unlisted-file").message.starts_with("2,400 more files"));
    assert_eq!(r.artifacts, 2_502);
    let stage = fs::read_dir(t.out().join("v/v1/stages"))
        .unwrap()
        .flatten()
        .map(|e| format!("v/v1/stages/{}/index.html", e.file_name().to_string_lossy()))
        .find(|p| fs::read_to_string(t.out().join(p)).unwrap().contains("part-00000"))
        .expect("a stage lists the files");
    // The artifact index is one table of every artifact; the others list the 2,500 files' group.
    for (page, more) in [("v/v1/index.html", 1_500), ("v/v1/artifacts/index.html", 1_502), (&stage, 1_500)] {
        let html = fs::read_to_string(t.out().join(page)).unwrap();
        assert!(
            html.contains(&format!("{} more not listed here", artsite::util::html::number(f64::from(more), 0))),
            "{page}"
        );
        let to_root = "../".repeat(page.matches('/').count());
        assert!(html.contains(&format!(r#"<a href="{to_root}search/index.html">search</a> finds them"#)), "{page}");
        assert!(html.len() < 2_000_000, "{page} is {} bytes", html.len());
    }
    assert!(page_of(&t, "v1", "part-02499").contains("part-02499"), "every file still has its page");
}

#[test]
fn thousands_of_problems_in_a_run_give_a_bounded_problems_page() {
    let t = Tree::new();
    small_version(&t, "v1");
    for i in 0..2_100 {
        t.file(&format!("v1/etl_metadata/parts/part_{i:04}.json"), "{\"a\": ");
    }
    let r = t.build();
    let broken = r.problems.iter().filter(|d| d.code == "json-syntax").count();
    assert_eq!(broken, 2_100, "every broken file is a problem");
    let html = fs::read_to_string(t.out().join("problems/index.html")).unwrap();
    let rows = html.matches("<tr class=\"sev-").count();
    assert!(rows <= 2_000, "{rows} rows");
    let hidden = html.split(" more rows are not listed here").next().unwrap().rsplit('>').next().unwrap();
    assert_eq!(hidden.parse::<usize>().unwrap() + rows, r.problems.len(), "shown and hidden rows are every problem");
    assert!(html.contains(r#"every problem is in <a href="../problems.json">problems.json</a>"#));
    let all: serde_json::Value = serde_json::from_slice(&fs::read(t.out().join("problems.json")).unwrap()).unwrap();
    assert_eq!(all.as_array().unwrap().len(), r.problems.len());
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_named_and_skipped() {
    use std::os::unix::fs::symlink;
    let t = Tree::new();
    small_version(&t, "v1");
    let v1 = t.root().join("v1");
    symlink("b", v1.join("a")).unwrap();
    symlink("a", v1.join("b")).unwrap();
    symlink("self", v1.join("self")).unwrap();
    symlink("..", v1.join("plots/up")).unwrap();
    symlink(".", v1.join("plots/here")).unwrap();
    symlink("loop", t.root().join("loop")).unwrap();
    let r = t.build();
    for path in ["v1/a", "v1/b", "v1/self", "loop"] {
        assert!(find(&r.problems, path, "broken-symlink").message.contains("symbolic links"), "{path}");
    }
    for path in ["v1/plots/up", "v1/plots/here"] {
        find(&r.problems, path, "symlink-dir");
    }
    assert_eq!((r.versions, r.artifacts), (1, 2));
}

/// Peak resident memory of `artsite` run in `dir` with `args`, in bytes
/// (`/usr/bin/time`, which `.ci/run` installs).
fn peak_memory(dir: &std::path::Path, args: &[&str]) -> u64 {
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(env!("CARGO_BIN_EXE_artsite"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("this test measures with /usr/bin/time: apt-get install time (.ci/run does)");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let kb = err.lines().rev().find_map(|l| l.strip_prefix("peak ")).unwrap_or_else(|| panic!("{err}"));
    kb.trim().parse::<u64>().unwrap() * 1024
}

/// The worst shape for a tree of values: millions of one-key objects. A
/// 60 MB ETL file builds in under 4 times its size; its page shows the typed
/// figures of the whole file and the tree's true counts.
#[test]
fn a_60_megabyte_json_builds_in_under_four_times_its_size() {
    use std::io::Write;
    let t = Tree::new();
    small_version(&t, "v1");
    let rel = "v1/etl_metadata/cleaning/cleaning_report.json";
    t.file(rel, "");
    let n: usize = 6_700_000;
    let mut w = std::io::BufWriter::new(fs::File::create(t.root().join(rel)).unwrap());
    w.write_all(b"{\"steps\": [\"drop_duplicates\"], \"records_in\": 48345, \"records_out\": 45805, \"dropped\": [")
        .unwrap();
    for i in 0..n {
        write!(w, "{}{{\"k\":{}}}", if i == 0 { "" } else { ", " }, i % 10).unwrap();
    }
    w.write_all(b"]}").unwrap();
    w.into_inner().unwrap().sync_all().unwrap();
    let size = fs::metadata(t.root().join(rel)).unwrap().len();
    assert!(size > 60_000_000, "{size}");

    let peak = peak_memory(t.tmp.path(), &["build", "-q", "--root", "artifacts", "--out", "public"]);
    assert!(peak < 4 * size, "peak {peak} bytes for a {size}-byte file ({:.1}x)", peak as f64 / size as f64);

    let page = read_artifact(&t, "v1", "etl_metadata/cleaning/cleaning_report.json");
    assert!(page.contains("48,345") && page.contains("45,805"), "the typed figures are shown");
    assert!(page.contains("6,700,000 items"), "the list's own length is shown");
    // Values: the root, steps and its entry, two numbers, the list, and n objects of one value each.
    assert_eq!(1 + 2 + 2 + 1 + 2 * n - 5000, 13_395_006);
    assert!(page.contains("13,395,006 more values not shown"), "the tree says how much it left out");
    assert!(page.len() < 2_000_000, "the page is bounded: {} bytes", page.len());
}
