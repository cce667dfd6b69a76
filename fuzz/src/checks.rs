//! What must hold for any input, checked by the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` and by the stable-Rust harness in `tests/suite/fuzz.rs`
//! (which includes this file). Each check panics when its property fails.

use artsite::diagnostics::Diagnostic;
use artsite::input::etl::Kind;
use artsite::input::manifest;
use artsite::input::resolve::{Resolution, Resolver};
use artsite::input::scan::FileEntry;
use artsite::input::schema;
use artsite::input::source::Location;
use artsite::util::html;
use artsite::util::lenient_json::{self, MAX_DEPTH};
use artsite::util::locate::locate;
use artsite::util::paths::{pointer_push, segment, slug, url_path};
use artsite::util::pruned_json::Pruned;
use artsite::view::jsontree;
use serde_json::Value;

/// Pointers tried per document, to keep one run quick.
const MAX_POINTERS: usize = 200;

/// The lenient JSON reader: it never panics; positions are 1-based; a
/// document without NaN/Infinity reads as serde_json reads it; the parsed
/// value can be located, validated, drawn and embedded.
pub fn lenient_json(data: &[u8]) {
    match lenient_json::parse(data) {
        Err(e) => assert!(e.line >= 1 && e.column >= 1, "syntax error at {}:{}", e.line, e.column),
        Ok(parsed) => {
            for &(line, column, token) in &parsed.non_finite {
                assert!(line >= 1 && column >= 1, "{token} at {line}:{column}");
            }
            if parsed.non_finite.is_empty() {
                let plain = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
                let strict: Value =
                    serde_json::from_slice(plain).expect("lenient parse accepted what serde_json rejects");
                assert_eq!(strict, parsed.value);
            }
            assert!(depth(&parsed.value) <= MAX_DEPTH, "deeper than MAX_DEPTH");
            let lines = data.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            for pointer in pointers(&parsed.value) {
                let (line, column) = locate(data, &pointer);
                assert!(line >= 1 && line <= lines && column >= 1, "{pointer} located at {line}:{column}");
            }
            let mut rels = vec![manifest::FILE_NAME.to_string(), "etl_metadata/download/manifest.json".to_string()];
            rels.extend(
                Kind::ALL.iter().map(|k| format!("etl_metadata/download/{}", k.schema_file().replace(".schema", ""))),
            );
            let checked =
                schema::Checked { value: &parsed.value, non_finite: !parsed.non_finite.is_empty(), cut: None };
            for rel in rels {
                for d in schema::validate(&rel, &checked, data, "v/x.json") {
                    one_line(&d);
                }
            }
            let tree = jsontree::render(&parsed.value, 500, None);
            // A pruned read draws the same tree as the whole document.
            for budget in [1, 7, 500] {
                let (pruned, cut) = lenient_json::prepare(data).read(Pruned { budget }).expect("it parsed whole");
                assert_eq!(
                    jsontree::render(&pruned, budget, Some(&cut)),
                    jsontree::render(&parsed.value, budget, None)
                );
            }
            assert!(!tree.contains("<script") && !tree.contains("<img"), "markup from a JSON string in the tree");
            let json = serde_json::to_string(&parsed.value).expect("a value serialises");
            let embeddable = html::embeddable_json(json);
            assert!(!embeddable.contains(['<', '\u{2028}', '\u{2029}']));
            assert_eq!(serde_json::from_str::<Value>(&embeddable).expect("embeddable JSON parses"), parsed.value);
        }
    }
}

/// Manifest loading: any document reads without panicking, every record's
/// pointer can be located, every `file_path` resolves inside the version or
/// not at all, and names make safe slugs and URLs.
pub fn manifest(data: &[u8]) {
    let Ok(parsed) = lenient_json::parse(data) else { return };
    let (m, problems) = manifest::read(parsed.value, "v1/artifact_manifest.json");
    problems.iter().for_each(one_line);
    let files: Vec<FileEntry> = ["plots/a.png", "a.png", "tables/x y.csv", "etc/passwd", "passwd"]
        .iter()
        .map(|r| FileEntry { rel: r.to_string(), at: Location::disk(r), size: 1, modified: 0 })
        .collect();
    let resolver = Resolver::new(&files);
    for r in &m.records {
        let (line, column) = locate(data, &r.pointer);
        assert!(line >= 1 && column >= 1);
        if let Some(path) = &r.file_path
            && let Resolution::Found { index, .. } = resolver.resolve(path)
        {
            let rel = &files[index].rel;
            let normal = path.replace('\\', "/");
            let parts: Vec<&str> = normal.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            let wanted: Vec<&str> = rel.split('/').collect();
            assert!(parts.ends_with(&wanted), "{path:?} resolved to {rel}, which it does not end with");
        }
        for name in [&r.name, &r.stage, &r.artifact_id, &r.file_path].into_iter().flatten() {
            let s = slug(name);
            assert!(!s.is_empty() && s.len() <= 89, "slug {s:?} of {name:?}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "slug {s:?}");
            let seg = segment(name);
            assert!(seg.len() <= 89 && seg != "." && seg != ".." && !seg.contains('/'), "segment {seg:?}");
            let url = url_path(name);
            assert!(url.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~%".contains(&b)), "url {url:?}");
        }
    }
}

/// Markdown previews: whatever the text, the HTML has no script, frame,
/// handler or script URL, and loads nothing from the network.
pub fn markdown(data: &[u8]) {
    use html5gum::{Token, Tokenizer};
    let text = String::from_utf8_lossy(data);
    let out =
        artsite::input::preview::markdown::render(&text, "notes/readme.md", artsite::plan::ARTIFACT_PAGE_TO_FILES);
    for token in Tokenizer::new(out.as_str()).flatten() {
        let Token::StartTag(tag) = token else { continue };
        let name = String::from_utf8_lossy(&tag.name).to_lowercase();
        assert!(
            !["script", "iframe", "frame", "object", "embed", "style", "base", "form", "meta", "link"]
                .contains(&name.as_str()),
            "<{name}> in {out}"
        );
        for (key, value) in &tag.attributes {
            let key = String::from_utf8_lossy(key).to_lowercase();
            let value = String::from_utf8_lossy(&value.value).trim().to_lowercase();
            assert!(!key.starts_with("on") && key != "style" && key != "srcset", "{key}= in {out}");
            if key == "href" || key == "src" {
                let scheme = value.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
                assert!(!matches!(scheme, Some("javascript" | "vbscript" | "data")), "{key}={value} in {out}");
            }
            if key == "src" {
                assert!(
                    value.starts_with(artsite::plan::ARTIFACT_PAGE_TO_FILES),
                    "src={value} loads from outside the version in {out}"
                );
            }
        }
    }
}

fn one_line(d: &Diagnostic) {
    let line = d.to_string();
    assert!(!line.contains(['\n', '\r', '\u{1b}']), "{line:?}");
    assert!(d.line.is_none_or(|l| l >= 1) && d.column.is_none_or(|c| c >= 1), "{line}");
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Up to [`MAX_POINTERS`] pointers of `v`, breadth first.
fn pointers(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([(String::new(), v)]);
    while let Some((pointer, v)) = queue.pop_front() {
        if out.len() == MAX_POINTERS {
            break;
        }
        match v {
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| queue.push_back((format!("{pointer}/{i}"), x))),
            Value::Object(m) => m.iter().for_each(|(k, x)| queue.push_back((pointer_push(&pointer, k), x))),
            _ => {}
        }
        out.push(pointer);
    }
    out
}
