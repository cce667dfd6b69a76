//! The `artsite` binary: flags, config, errors, exit codes and output safety.

use crate::util::*;
use std::fs;
use std::process::{Command, Output};

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn builds_the_example_and_prints_a_one_line_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let root = examples_root();
    let o = artsite(tmp.path(), &["build", "--root", root.to_str().unwrap(), "--out", "site"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let line = out.lines().last().unwrap();
    assert!(line.starts_with("built 5 versions, ") && line.contains(" pages; ") && line.contains("problems"), "{line}");
    assert!(err.contains("error: EOF while parsing"), "problems go to stderr as path:line:col lines: {err}");
    assert!(tmp.path().join("site/index.html").is_file());
    assert!(tmp.path().join("site/.artsite-output").is_file());

    let o = artsite(tmp.path(), &["build", "--root", root.to_str().unwrap(), "--out", "site", "--quiet"]);
    assert!(o.status.success());
    assert_eq!(text(&o), (String::new(), String::new()));
}

#[test]
fn a_missing_or_empty_root_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = artsite(tmp.path(), &["build", "--root", "no/such/dir"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("no/such/dir") && err.contains("does not exist"), "{err}");

    fs::create_dir(tmp.path().join("empty")).unwrap();
    let o = artsite(tmp.path(), &["build", "--root", "empty"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("empty") && err.contains("no version folders"), "{err}");
    assert!(!tmp.path().join("public").exists(), "nothing is written");
}

#[test]
fn the_config_file_is_read_by_default_and_flags_override_it() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::write(
        t.tmp.path().join("artsite.yaml"),
        "# site settings\ntitle: Keystroke QA\nroot: artifacts\nout: from-config\n",
    )
    .unwrap();
    let o = artsite(t.tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let home = fs::read_to_string(t.tmp.path().join("from-config/index.html")).unwrap();
    assert!(home.contains("<title>Keystroke QA</title>"));

    let o = artsite(t.tmp.path(), &["build", "--out", "from-flag"]);
    assert!(o.status.success());
    assert!(t.tmp.path().join("from-flag/index.html").is_file());
}

#[test]
fn a_bad_config_is_an_error_naming_the_file_and_the_key() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::write(t.tmp.path().join("site.yaml"), "titel: Oops\n").unwrap();
    let o = artsite(t.tmp.path(), &["build", "--config", "site.yaml"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("site.yaml") && err.contains("titel") && err.contains("did you mean `title`"), "{err}");

    fs::write(t.tmp.path().join("broken.yaml"), "title: [unclosed\n").unwrap();
    let o = artsite(t.tmp.path(), &["build", "--config", "broken.yaml"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("broken.yaml"), "{err}");

    let o = artsite(t.tmp.path(), &["build", "--config", "absent.yaml"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("absent.yaml") && err.contains("cannot read"), "{err}");
}

#[test]
fn a_folder_artsite_did_not_write_is_never_replaced() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::create_dir(t.out()).unwrap();
    fs::write(t.out().join("thesis.tex"), "precious").unwrap();
    let o = artsite(t.tmp.path(), &["build", "--root", "artifacts", "--out", "public"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("public") && err.contains("not written by artsite"), "{err}");
    assert_eq!(fs::read_to_string(t.out().join("thesis.tex")).unwrap(), "precious");
    assert_eq!(fs::read_dir(t.out()).unwrap().count(), 1, "nothing added");
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let t = Tree::new();
    small_version(&t, "v1");
    let o = artsite(t.tmp.path(), &["build"]);
    assert!(o.status.success());
    let before = snapshot(&t.out());

    // Same output, a root that cannot be built.
    fs::create_dir(t.tmp.path().join("nothing")).unwrap();
    let o = artsite(t.tmp.path(), &["build", "--root", "nothing"]);
    assert!(!o.status.success());
    assert_eq!(snapshot(&t.out()), before);

    // A successful rebuild replaces it and leaves no staging folders behind.
    t.file("v2/plots/eda_x.png", "png");
    let o = artsite(t.tmp.path(), &["build"]);
    assert!(o.status.success());
    assert!(t.out().join("v/v2/index.html").is_file());
    let mut leftovers: Vec<_> = fs::read_dir(t.tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("artsite-"))
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, [".public.artsite-cache", ".public.artsite-lock"], "only the lock file and the cache stay");
}

/// Charts are drawn without a system font library.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_links_no_font_library() {
    let o = Command::new("ldd").arg(env!("CARGO_BIN_EXE_artsite")).output().expect("ldd is on Linux machines");
    let libs = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && libs.contains("libc"), "{libs}");
    assert!(!libs.contains("fontconfig") && !libs.contains("freetype"), "{libs}");
}

#[test]
fn a_base_url_adds_a_sitemap() {
    let t = Tree::new();
    small_version(&t, "v1");
    let o = artsite(t.tmp.path(), &["build", "--base-url", "https://reports.example.org/etl/"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let xml = fs::read_to_string(t.out().join("sitemap.xml")).unwrap();
    assert!(xml.contains("<loc>https://reports.example.org/etl/v/v1/</loc>"), "{xml}");
    let o = artsite(t.tmp.path(), &["build", "--out", "plain"]);
    assert!(o.status.success());
    assert!(!t.tmp.path().join("plain/sitemap.xml").exists(), "no base URL, no sitemap");
}
