//! Hostile input: names, strings and paths written to break out of the page
//! or the output folder. Content stays text, links stay inside the site, and
//! nothing is read from outside the root or written outside `--out`. Files
//! that are no files (a named pipe) are named and skipped, never read.

use crate::util::*;
use artsite::diagnostics::Severity;
use serde_json::json;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SCRIPT: &str = "<script>alert(1)</script>";
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-ROOT";

/// Strings a pipeline could carry from its data into names and metadata.
fn hostile_strings() -> Vec<String> {
    vec![
        SCRIPT.to_string(),
        "\"><img src=x onerror=alert(2)>".to_string(),
        "'><svg onload=alert(3)>".to_string(),
        "javascript:alert(4)".to_string(),
        "ctl\u{0}\u{7}\u{1b}[31m\u{202e}txt".to_string(),
        "line\u{2028}sep\u{2029}</script><!--".to_string(),
    ]
}

/// A tree where every name, string and path is hostile. Returns the tree
/// and the secret file outside its root.
fn hostile_tree() -> (Tree, std::path::PathBuf) {
    let t = Tree::new();
    let secret = t.tmp.path().join("secret.txt");
    fs::write(&secret, SECRET).unwrap();
    let versions = [
        "2024-01-01_00-00-00_<script>alert(1)<",
        "\"quote'd",
        "javascript:alert(5)",
        "ctl\u{1}\u{1b}[31m",
        "Run",
        "run",
        "a b",
        "a-b",
        &"L".repeat(250),
    ];
    for v in versions {
        for (i, s) in hostile_strings().iter().enumerate() {
            let name: String = s.chars().filter(|c| *c != '/' && *c != '\0').collect();
            t.file(&format!("{v}/plots/{name}.png"), TINY_PNG);
            t.file(&format!("{v}/tables/t{i}.csv"), format!("\"{s}\",b\n\"{s}\",\"{SCRIPT}\"\n"));
            t.file(&format!("{v}/logs/l{i}.log"), format!("ERROR {s}\n"));
            t.file(&format!("{v}/notes/n{i}.txt"), format!("{s}\n"));
        }
        t.file(&format!("{v}/tables/A.csv"), "a\n1\n").file(&format!("{v}/tables/a.csv"), "a\n2\n");
        t.file(
            &format!("{v}/notes/readme.md"),
            format!(
                "# Notes\n\n{SCRIPT}\n\n[x](javascript:alert(6)) [y](../plots/missing.png) [z](#top) [w](../../../secret.txt)\n\n<img src=x onerror=alert(7)> <iframe src=\"https://evil.example\"></iframe>\n"
            ),
        );
        t.file(
            &format!("{v}/eda_reports/\"><img src=x onerror=alert(8)>/report.html"),
            format!("<html>{SCRIPT}</html>"),
        );
        t.file(&format!("{v}/eda_reports/\"><img src=x onerror=alert(8)>/figures/f.png"), TINY_PNG);
        t.file(
            &format!("{v}/plots/drawing.svg"),
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\">{SCRIPT}</svg>"),
        );
        let strings = hostile_strings();
        let mut blob = serde_json::Map::new();
        for s in &strings {
            blob.insert(s.clone(), json!([s, {s.as_str(): s}]));
        }
        t.json(&format!("{v}/data/blob.json"), serde_json::Value::Object(blob));
        t.json(
            &format!("{v}/etl_metadata/cleaning/cleaning_summary.json"),
            json!({"total_records": SCRIPT, SCRIPT: 1}),
        );
        t.json(&format!("{v}/etl_metadata/a b/x.json"), json!({}));
        t.json(&format!("{v}/etl_metadata/a-b/x.json"), json!({}));
        t.json(&format!("{v}/etl_metadata/cleaning/Report.json"), json!({}));
        t.json(&format!("{v}/etl_metadata/cleaning/report.json"), json!({}));
        let record = |i: usize, s: &str, file_path: &str| {
            json!({
                "artifact_id": format!("{s}{i}"), "artifact_type": s, "stage": s, "name": s,
                "description": format!("{s} javascript:alert(9)"), "file_path": file_path,
                "created_at": s, "metadata": {s: s, "href": "javascript:alert(10)", "rows": s}
            })
        };
        let mut records = Vec::new();
        for (i, s) in strings.iter().enumerate() {
            records.push(record(i, s, &format!("notes/n{i}.txt")));
        }
        let secret_path = secret.to_string_lossy().into_owned();
        for (i, path) in
            ["../../secret.txt", "../../../../../../etc/passwd", "/etc/passwd", &secret_path, "javascript:alert(11)"]
                .into_iter()
                .enumerate()
        {
            records.push(record(100 + i, SCRIPT, path));
        }
        records.push(record(200, "Stage", "tables/A.csv"));
        records.push(record(201, "stage", "tables/a.csv"));
        t.json(&format!("{v}/artifact_manifest.json"), json!({"version_id": SCRIPT, "artifacts": records}));
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            let dir = t.root().join(v);
            symlink(&secret, dir.join("leak.txt")).unwrap();
            symlink("/etc", dir.join("etc")).unwrap();
            symlink("loop", dir.join("loop")).unwrap();
            symlink("..", dir.join("plots/up")).unwrap();
        }
    }
    (t, secret)
}

/// Every file under `dir` except the raw files, which are the pipeline's own bytes.
fn generated(dir: &Path) -> BTreeMap<String, String> {
    snapshot(dir)
        .into_iter()
        .filter(|(path, _)| !(path.starts_with("v/") && path.split('/').nth(2) == Some("files")))
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect()
}

#[test]
fn hostile_content_stays_text_and_hostile_paths_stay_inside() {
    let (t, secret) = hostile_tree();
    let outside_before: Vec<String> = snapshot(t.tmp.path()).into_keys().collect();
    let report = t.build();
    assert!(report.versions >= 9, "{}", report.line());

    // Nothing written outside --out: every new file is under public/, but the
    // output's lock file beside it.
    let outside_after: Vec<String> = snapshot(t.tmp.path())
        .into_keys()
        .filter(|p| !p.starts_with("public/") && p != ".public.artsite-lock")
        .filter(|p| !p.starts_with(".public.artsite-cache/"))
        .collect();
    assert_eq!(outside_after, outside_before, "files appeared outside the output");

    let files = generated(&t.out());
    assert!(files.len() > 100, "{} files", files.len());
    for (path, text) in files.iter().filter(|(p, _)| !p.starts_with("static/")) {
        // The only script elements are the theme's own, loaded by src.
        for (at, _) in text.match_indices("<script") {
            let tag = &text[at..text[at..].find('>').map_or(text.len(), |e| at + e + 1)];
            let theme = tag.ends_with("static/search.js\" defer>")
                || tag.ends_with("static/tables.js\" defer>")
                || tag.ends_with("static/nav.js\" defer>")
                // The 404 page's own, from the theme, which finds the site's
                // root, and the report viewer's, which reads its query.
                || (matches!(path.as_str(), "404.html" | "view.html") && tag == "<script>");
            assert!(theme && path.ends_with(".html"), "{path}: content script {tag}");
        }
        for bad in ["<img src=x", "<svg onload", "<iframe src=\"https", "<!--"] {
            assert!(!text.contains(bad), "{path} contains {bad}");
        }
        assert!(!text.contains(SECRET), "{path} leaks the file outside the root");
        assert!(!text.contains("root:x:0:0"), "{path} leaks /etc/passwd");
        if path.ends_with(".js") || path.ends_with(".json") {
            assert!(!text.contains(['\u{2028}', '\u{2029}']), "{path}: raw line separators in a script");
        }
    }

    // No script URL and nothing absolute in any href, src, action or data.
    let mut frames = 0;
    for (path, page) in pages(&t.out()) {
        for (_, attrs) in &page.elements {
            for attr in ["href", "src", "action", "data"] {
                let Some(url) = attrs.get(attr) else { continue };
                let lower = url.trim().to_ascii_lowercase();
                assert!(
                    !lower.starts_with("javascript:") && !lower.starts_with("data:") && !lower.starts_with("vbscript:"),
                    "{path}: {attr}={url}"
                );
                assert!(!url.starts_with('/') && !url.contains("secret"), "{path}: {attr}={url}");
            }
        }
        for (name, attrs) in &page.elements {
            assert!(!attrs.keys().any(|a| a.starts_with("on")), "{path}: <{name} {attrs:?}>");
            if name == "iframe" {
                frames += 1;
                // Scripts run, in an origin of their own: never the site's.
                let sandbox = attrs.get("sandbox").unwrap_or_else(|| panic!("{path}: unsandboxed frame"));
                assert!(!sandbox.contains("allow-same-origin"), "{path}: sandbox=\"{sandbox}\"");
            }
        }
    }
    assert!(frames >= 9, "every version's EDA report is framed");
    for page in fs::read_dir(t.out().join("v")).unwrap().flatten() {
        let name = page.file_name().to_string_lossy().into_owned();
        assert!(
            name.len() <= 100 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "version folder {name:?}"
        );
    }
    assert!(!t.out().join("v/run").exists() || !t.out().join("v/Run").exists(), "Run and run share a folder");

    // The secret is nowhere in the output, not even as a raw file.
    for (path, bytes) in snapshot(&t.out()) {
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "{path} leaks {}", secret.display());
    }
    let codes = |code: &str| report.problems.iter().filter(|d| d.code == code).count();
    assert!(codes("symlink-outside-root") >= 18 && codes("broken-symlink") >= 9, "{:#?}", report.problems);
    assert!(codes("case-clash") >= 9 && codes("missing-file") >= 45, "{:#?}", report.problems);
    assert!(codes("slug-collision") > 0);
}

#[test]
fn the_hostile_site_has_no_broken_or_script_links() {
    let (t, _) = hostile_tree();
    let outcome = artsite::commands::check::check(&t.config()).unwrap();
    let site: Vec<String> = outcome
        .problems
        .iter()
        .filter(|d| d.path.starts_with(artsite::output::links::SITE_PREFIX) && d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(site.is_empty(), "{}", site.join("\n"));
    // The one link a note makes to a file the version lacks is named.
    assert!(
        outcome.problems.iter().any(|d| d.code == "broken-link" && d.message.contains("plots/missing.png")),
        "{:#?}",
        outcome.problems
    );
    // Every line printed for the terminal is one line, with no escape sequence.
    for line in outcome.text().lines() {
        assert!(!line.contains(['\u{1b}', '\u{0}', '\u{202e}', '\r']), "{line:?}");
    }
    assert_eq!(outcome.text().lines().count(), outcome.problems.len());
    assert!(!t.out().exists(), "check writes nothing");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_a_run_is_named_and_skipped() {
    let t = Tree::new();
    small_version(&t, "v1");
    let pipe = t.root().join("v1/tables/feed.csv");
    fs::create_dir_all(pipe.parent().unwrap()).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    let r = t.build();
    let d = r.problems.iter().find(|d| d.path == "v1/tables/feed.csv").expect("the pipe is named");
    assert_eq!(d.code, "special-file");
    assert!(d.message.starts_with("a named pipe (FIFO), not a regular file; skipped"), "{d}");
    assert_eq!(r.artifacts, 2, "the pipe is no artifact");
}

/// Raw HTML and SVG carry the pipeline's script: every link to one makes the
/// browser download it, so it never runs as the site's own page.
#[test]
fn links_to_raw_html_and_svg_download_them() {
    let (t, _) = hostile_tree();
    t.build();
    let mut active = 0;
    for (page, p) in pages(&t.out()) {
        for (tag, attrs) in &p.elements {
            let Some(href) = attrs.get("href").filter(|_| tag == "a") else { continue };
            let file = href.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
            if file.contains("/files/") && (file.ends_with(".html") || file.ends_with(".svg")) {
                active += 1;
                assert!(attrs.contains_key("download"), "{page}: <a href=\"{href}\"> opens active content");
            }
        }
    }
    assert!(active >= 4, "the tree's report and drawing are linked ({active} links)");
}

/// A file with mode 000 is named as one that may not be read, never as one
/// that changed while the site was built. As root every file is readable,
/// so then the build runs as `nobody` (`setpriv`).
#[cfg(unix)]
#[test]
fn a_file_that_may_not_be_read_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    small_version(&t, "v1");
    t.file("v1/tables/secret.csv", "a\n1\n");
    let open = |p: &Path, mode: u32| fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    open(t.tmp.path(), 0o777);
    for entry in walkdir(&t.root()) {
        open(&entry, if entry.is_dir() { 0o755 } else { 0o644 });
    }
    open(&t.root().join("v1/tables/secret.csv"), 0o000);
    let as_root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if as_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_artsite")]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_artsite"))
    };
    let out = cmd.args(["build", "--root", "artifacts", "--out", "public"]).current_dir(t.tmp.path()).output().unwrap();
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("v1/tables/secret.csv: warning: cannot read the file: Permission denied"), "{said}");
    assert!(said.contains("it may not be read (permission denied)"), "{said}");
    assert!(!said.contains("changed while"), "{said}");
}

/// Every path under `dir`, folders included.
fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.extend(walkdir(&path));
        } else {
            all.push(path);
        }
    }
    all
}
