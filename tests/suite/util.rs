//! Shared test helpers: fixture trees, builds, and a parsed view of the output.

use artsite::commands::build::{Report, build};
use artsite::config::Config;
use html5gum::{Token, Tokenizer};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// An artifacts tree in a temporary folder.
pub(crate) struct Tree {
    pub tmp: tempfile::TempDir,
}

impl Tree {
    pub(crate) fn new() -> Tree {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("artifacts")).unwrap();
        Tree { tmp }
    }
    pub(crate) fn root(&self) -> PathBuf {
        self.tmp.path().join("artifacts")
    }
    pub(crate) fn out(&self) -> PathBuf {
        self.tmp.path().join("public")
    }
    pub(crate) fn file(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Tree {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }
    pub(crate) fn json(&self, rel: &str, v: serde_json::Value) -> &Tree {
        self.file(rel, serde_json::to_vec_pretty(&v).unwrap())
    }
    pub(crate) fn config(&self) -> Config {
        Config { root: self.root(), out: self.out(), ..Config::default() }
    }
    pub(crate) fn build(&self) -> Report {
        build(&self.config()).unwrap()
    }
}

/// Runs the `artsite` binary in `dir` with `args`.
pub(crate) fn artsite(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_artsite")).current_dir(dir).args(args).output().unwrap()
}

/// What a command printed on stdout.
pub(crate) fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a command printed on stderr.
pub(crate) fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The text of the built file `rel` of `tree`'s output.
pub(crate) fn read(tree: &Tree, rel: &str) -> String {
    fs::read_to_string(tree.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The page of the artifact whose file is `rel` in run `id` of the site at
/// `out` (an ETL file's key figures and tree are there), by `index.json`.
pub(crate) fn artifact_page(out: &Path, id: &str, rel: &str) -> String {
    let index: serde_json::Value = serde_json::from_slice(&fs::read(out.join("index.json")).unwrap()).unwrap();
    let run =
        index["versions"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap_or_else(|| panic!("no run {id}"));
    let file = format!("/files/{rel}");
    let a =
        run["artifacts"].as_array().unwrap().iter().find(|a| a["file"].as_str().is_some_and(|f| f.ends_with(&file)));
    a.unwrap_or_else(|| panic!("no artifact of {id}/{rel}"))["page"].as_str().unwrap().to_string()
}

/// The text of the page of the artifact whose file is `rel` in run `id` of `tree`'s output.
pub(crate) fn read_artifact(tree: &Tree, id: &str, rel: &str) -> String {
    read(tree, &artifact_page(&tree.out(), id, rel))
}

/// The words of a page, one space between each.
pub(crate) fn words(html: &str) -> String {
    parse_page(html).text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fails with the list of broken internal links of `tree`'s output, if any.
pub(crate) fn assert_links_ok(tree: &Tree) {
    let broken = broken_links(&tree.out());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// A manifest record with every field of the design's `Artifact.to_dict()`.
pub(crate) fn record(id: &str, artifact_type: &str, stage: &str, name: &str, file_path: &str) -> serde_json::Value {
    serde_json::json!({
        "artifact_id": id, "artifact_type": artifact_type, "stage": stage, "name": name,
        "description": "", "file_path": file_path, "created_at": "2024-01-15T14:30:00", "metadata": {}
    })
}

/// A valid 1×1 grey PNG (signature, IHDR, IDAT, IEND).
pub(crate) const TINY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0aIDAT\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00IEND\xae\x42\x60\x82";

/// A version with a manifest listing `cleaning_summary.json` and a plot.
pub(crate) fn small_version(tree: &Tree, id: &str) {
    tree.json(
        &format!("{id}/etl_metadata/cleaned_data/cleaning_summary.json"),
        serde_json::json!({"total_records": 100, "valid_records": 90, "data_quality_score": 90.0, "issues_found": 3, "outliers_removed": 2}),
    );
    tree.file(&format!("{id}/plots/eda_hist.png"), TINY_PNG);
    tree.json(
        &format!("{id}/artifact_manifest.json"),
        serde_json::json!({"version_id": id, "artifacts": {
            "s": {"artifact_id": "s", "artifact_type": "etl_metadata", "stage": "cleaned_data", "name": "cleaning_summary",
                  "description": "Summary of data cleaning process", "created_at": "2024-01-15T14:31:00",
                  "file_path": format!("artifacts/{id}/etl_metadata/cleaned_data/cleaning_summary.json"), "metadata": {}},
            "p": {"artifact_id": "p", "artifact_type": "plot", "stage": "eda", "name": "hist",
                  "description": "", "created_at": "2024-01-15T14:32:00",
                  "file_path": format!("artifacts/{id}/plots/eda_hist.png"), "metadata": {}}
        }}),
    );
}

/// One page of the output, tokenised.
pub(crate) struct Page {
    pub ids: HashSet<String>,
    /// (tag, attribute, value) of every href/src.
    pub links: Vec<(String, String, String)>,
    /// Every start tag: (tag, attributes).
    pub elements: Vec<(String, BTreeMap<String, String>)>,
    pub text: String,
    pub html: String,
}

pub(crate) fn parse_page(html: &str) -> Page {
    let mut ids = HashSet::new();
    let mut links = Vec::new();
    let mut elements = Vec::new();
    let mut text = String::new();
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                let mut attrs = BTreeMap::new();
                for (k, v) in &tag.attributes {
                    let k = String::from_utf8_lossy(k).into_owned();
                    let v = String::from_utf8_lossy(&v.value).into_owned();
                    if k == "id" {
                        ids.insert(v.clone());
                    } else if k == "href" || k == "src" {
                        links.push((name.clone(), k.clone(), v.clone()));
                    }
                    attrs.insert(k, v);
                }
                elements.push((name, attrs));
            }
            Token::String(s) => text.push_str(&String::from_utf8_lossy(&s.value)),
            _ => {}
        }
    }
    Page { ids, links, elements, text, html: html.to_string() }
}

/// Every HTML page under `out`, by path relative to it.
pub(crate) fn pages(out: &Path) -> BTreeMap<String, Page> {
    let mut map = BTreeMap::new();
    for e in walkdir::WalkDir::new(out).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "html") && !p.to_string_lossy().contains("/files/") {
            let rel = p.strip_prefix(out).unwrap().to_string_lossy().into_owned();
            map.insert(rel, parse_page(&fs::read_to_string(p).unwrap()));
        }
    }
    map
}

/// Resolves `href` from the page at `from` (relative to `out`) to a path
/// relative to `out` and a fragment. None for external links.
pub(crate) fn resolve(from: &str, href: &str) -> Option<(String, String)> {
    if href.contains("://")
        || href.starts_with("mailto:")
        || href.starts_with("data:")
        || href.starts_with("javascript:")
    {
        return None;
    }
    let (path, frag) = href.split_once('#').unwrap_or((href, ""));
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    if path.is_empty() {
        return Some((from.to_string(), frag.to_string()));
    }
    let mut parts: Vec<String> = from.split('/').map(str::to_string).collect();
    parts.pop();
    for seg in artsite::util::paths::percent_decode(path).split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s.to_string()),
        }
    }
    Some((parts.join("/"), frag.to_string()))
}

/// Every internal link or fragment of the site that does not resolve.
pub(crate) fn broken_links(out: &Path) -> Vec<String> {
    let pages = pages(out);
    let mut broken = Vec::new();
    for (rel, page) in &pages {
        for (tag, attr, href) in &page.links {
            let Some((target, frag)) = resolve(rel, href) else {
                broken.push(format!("{rel}: external {tag} {attr}={href}"));
                continue;
            };
            if !out.join(&target).is_file() {
                broken.push(format!("{rel}: {href} -> {target} does not exist"));
                continue;
            }
            if !frag.is_empty() && target.ends_with(".html") {
                let ok = pages.get(&target).is_some_and(|p| p.ids.contains(&frag));
                if !ok {
                    broken.push(format!("{rel}: {href} -> no id {frag} in {target}"));
                }
            }
        }
    }
    broken
}

/// Every file under `dir` with its bytes, by relative path.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect()
}

pub(crate) fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/artifacts")
}

/// Copies the tree at `from` to `to`, keeping symlinks as symlinks.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).sort_by_file_name() {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.path_is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), &target).unwrap();
        } else if e.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every file a clean `artsite build` of `config` writes, by path, without the marker.
pub(crate) fn clean_build(config: &Config) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build(&Config { out: out.clone(), ..config.clone() }).unwrap();
    let mut files = snapshot(&out);
    files.remove(artsite::output::staging::MARKER);
    files
}

/// Every file `serve` holds, by path: generated ones from memory, raw ones read from disk.
pub(crate) fn served_files(snapshot: &artsite::serve::store::Snapshot) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> =
        snapshot.files.iter().map(|(p, b)| (p.clone(), b.as_ref().clone())).collect();
    for (p, from) in snapshot.raw.iter() {
        files.insert(p.clone(), fs::read(from.on_disk().expect("a file on disk")).unwrap());
    }
    files
}

/// The paths where two sites differ, for assertion messages.
pub(crate) fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    for (p, x) in a {
        match b.get(p) {
            None => out.push(format!("only in the first: {p}")),
            Some(y) if x != y => out.push(format!("differs: {p}")),
            _ => {}
        }
    }
    out.extend(b.keys().filter(|p| !a.contains_key(*p)).map(|p| format!("only in the second: {p}")));
    out
}
