//! JSON previews: a tree for files up to the cap and for ETL metadata, the
//! highlighted first bytes of other bigger ones.
//!
//! The tree itself is drawn from the document [`crate::load`] parsed once; a file
//! over the cap is not parsed at all (unless it is ETL metadata, whose page
//! shows its key figures linked into the tree), so a 50 MB JSON costs one
//! short read here.

use super::io::unreadable;
use super::kinds::{Body, JsonHead, Preview, Warning};
use crate::config::previews::PreviewConfig;
use crate::input::source::Location;

/// Bytes shown of a JSON file over the cap.
pub(crate) const HEAD_BYTES: u64 = 64 * 1024;

/// Previews the JSON file `rel` of `size` bytes.
pub(crate) fn preview(path: &Location, rel: &str, size: u64, cfg: &PreviewConfig) -> Preview {
    if size <= cfg.json_bytes || crate::input::infer::etl_stage(rel).is_some() {
        return Preview::new(Body::JsonTree);
    }
    let head = match path.read_head(HEAD_BYTES) {
        Ok(h) => h,
        Err(e) => return Preview::new(Body::File { detected: "JSON" }).warn(unreadable(&e)),
    };
    let (text, bad) = utf8_prefix(&head);
    let mut p = Preview::new(Body::JsonHead(JsonHead {
        html: super::highlight::json(&text),
        shown_bytes: head.len() as u64,
        total_bytes: size,
    }));
    p.notes.push(format!(
        "The file is {}, over the {} shown as a tree: here are its first {}.",
        crate::util::html::bytes(size),
        crate::util::html::bytes(cfg.json_bytes),
        crate::util::html::bytes(head.len() as u64)
    ));
    if bad {
        p = p.warn(Warning::new("json-encoding", "the file is not valid UTF-8; bad bytes are shown as \u{fffd}"));
    }
    p
}

/// The bytes as text, dropping a character cut at the end; `true` when other
/// bytes were not UTF-8 (they are replaced).
pub(crate) fn utf8_prefix(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(e) if e.error_len().is_none() => (String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_and_etl_metadata_are_trees_big_ones_heads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let doc = format!("[{}1]", "1, ".repeat(100_000));
        std::fs::write(&path, &doc).unwrap();
        let cfg = PreviewConfig::default();
        let at = Location::disk(&path);
        assert!(matches!(preview(&at, "tables/a.json", doc.len() as u64, &cfg).body, Body::JsonTree));
        let small = PreviewConfig { json_bytes: 1000, ..cfg };
        // ETL metadata is parsed whatever its size: its page draws the tree its figures link into.
        assert!(matches!(preview(&at, "etl_metadata/a/a.json", doc.len() as u64, &small).body, Body::JsonTree));
        let p = preview(&at, "tables/a.json", doc.len() as u64, &small);
        let Body::JsonHead(h) = &p.body else { panic!("{p:?}") };
        assert_eq!(h.shown_bytes, HEAD_BYTES);
        assert!(h.html.starts_with("<span class=\"hl-p\">[</span>"));
        assert!(p.notes[0].contains("first 64.0 KiB"), "{:?}", p.notes);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn utf8_prefix_drops_a_cut_character() {
        assert_eq!(utf8_prefix("aé".as_bytes()), ("aé".into(), false));
        assert_eq!(utf8_prefix(&"aé".as_bytes()[..2]), ("a".into(), false));
        assert_eq!(utf8_prefix(b"a\xffb"), ("a\u{fffd}b".into(), true));
    }
}
