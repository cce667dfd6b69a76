//! Build-time previews of artifact files: bounded, and never a failed build.
//!
//! [`preview`] looks at one file, by its extension and then by its first bytes,
//! and returns a [`Preview`]: what the artifact page shows, the notes it shows
//! beside it, and the [`Warning`]s that also go to the problems page. Each
//! reader reads only the bytes it needs and caps what it keeps, so a preview
//! stays small however big or broken the file is.

pub(crate) mod compare;
pub(crate) mod csv;
pub(crate) mod highlight;
pub(crate) mod html;
pub(crate) mod image;
pub(crate) mod io;
pub(crate) mod json;
pub(crate) mod kinds;
pub mod markdown;
#[cfg(feature = "parquet")]
pub(crate) mod parquet;
pub(crate) mod sniff;
pub(crate) mod table;
pub(crate) mod text;

pub use kinds::{Body, Preview, Warning};

use crate::config::previews::PreviewConfig;
use crate::input::source::Location;
use io::unreadable;
use serde_json::Value;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Previews one file. `rel` is its path in the version (for the extension),
/// `metadata` the manifest's `metadata` of the artifact (compared with what the
/// file holds). Never fails: what cannot be read becomes a warning.
pub fn preview(path: &Location, rel: &str, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    if size == 0 {
        return Preview::new(Body::Empty);
    }
    let ext = crate::input::infer::extension(rel);
    let result = catch_unwind(AssertUnwindSafe(|| by_extension(path, rel, &ext, size, metadata, cfg)));
    result.unwrap_or_else(|_| {
        Preview::new(Body::File { detected: "unknown" })
            .warn(Warning::new("preview-failed", "the file could not be previewed: its reader stopped on bad data"))
    })
}

fn by_extension(path: &Location, rel: &str, ext: &str, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    match ext {
        "csv" => csv::preview(path, size, b',', metadata, cfg),
        "tsv" | "tab" => csv::preview(path, size, b'\t', metadata, cfg),
        "parquet" | "pq" => parquet_preview(path, size, metadata, cfg),
        "json" => json::preview(path, rel, size, cfg),
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => image::preview(path, size, ext),
        "log" => text::tail(path, cfg),
        "md" | "markdown" => markdown::preview(path, rel, &cfg.raw_files),
        "pdf" => pdf(path, size),
        "html" | "htm" => html::preview(path),
        _ => match text::Language::of(ext) {
            Some(lang) => text::head(path, lang, cfg),
            None => unknown(path, cfg),
        },
    }
}

#[cfg(feature = "parquet")]
fn parquet_preview(path: &Location, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    parquet::preview(path, size, metadata, cfg)
}

#[cfg(not(feature = "parquet"))]
fn parquet_preview(path: &Location, _size: u64, _metadata: &Value, cfg: &PreviewConfig) -> Preview {
    let mut p = unknown(path, cfg);
    p.notes.push("This build of artsite has no parquet support (cargo feature `parquet`).".into());
    p
}

fn unknown(path: &Location, cfg: &PreviewConfig) -> Preview {
    match path.read_head(sniff::HEAD_BYTES) {
        Ok(head) => match sniff::sniff(&head) {
            sniff::Kind::Text => text::head(path, text::Language::Plain, cfg),
            kind => Preview::new(Body::File { detected: kind.label() }),
        },
        Err(e) => Preview::new(Body::File { detected: "unknown" }).warn(unreadable(&e)),
    }
}

fn pdf(path: &Location, size: u64) -> Preview {
    let head = match path.read_head(8) {
        Ok(h) => h,
        Err(e) => return Preview::new(Body::Pdf { pages: None }).warn(unreadable(&e)),
    };
    if !head.starts_with(b"%PDF-") {
        let kind = sniff::sniff(&head).label();
        return Preview::new(Body::File { detected: kind }).warn(Warning::new(
            "pdf-malformed",
            format!("named .pdf but does not start with %PDF- (looks like {kind})"),
        ));
    }
    let pages = path.open().ok().and_then(|f| pdf_pages(f.take(PDF_SCAN)));
    let tail = path.read_tail(size, 1024).unwrap_or_default();
    let p = Preview::new(Body::Pdf { pages });
    if tail.windows(5).any(|w| w == b"%%EOF") {
        p
    } else {
        p.warn(Warning::new("pdf-malformed", "no %%EOF marker at the end: the PDF is probably truncated"))
    }
}

/// The most of a PDF read to count its pages.
const PDF_SCAN: u64 = 64 * 1024 * 1024;

/// The pages of a PDF: its `/Type /Page` objects (not `/Pages`), counted in
/// one streaming pass; `None` when there are none to see (a PDF that packs
/// its objects into compressed streams).
fn pdf_pages(mut input: impl Read) -> Option<u32> {
    // Bytes judged after each `/Type`: spaces, `/Page`, one more.
    const AFTER: usize = 16;
    let is_page = |rest: &[u8]| {
        let rest = &rest[rest.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
        rest.starts_with(b"/Page") && rest.get(5).is_some_and(|&c| c != b's')
    };
    let (mut pages, mut buf, mut chunk) = (0u32, Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let judged = buf.len().saturating_sub(AFTER);
        let mut at = 0;
        while let Some(i) = buf[at..judged].windows(5).position(|w| w == b"/Type") {
            at += i + 5;
            pages += u32::from(is_page(&buf[at..]));
        }
        buf.drain(..at.max(judged.saturating_sub(4)));
    }
    let mut at = 0;
    while let Some(i) = buf[at..].windows(5).position(|w| w == b"/Type") {
        at += i + 5;
        pages += u32::from(is_page(&buf[at..]));
    }
    (pages > 0).then_some(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn pdf_checks_magic_and_end_marker() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = PreviewConfig::default();
        let ok = write(&dir, "a.pdf", b"%PDF-1.4\n...\n%%EOF\n");
        let p = preview(&Location::disk(&ok), "a.pdf", 19, &Value::Null, &cfg);
        assert!(matches!(p.body, Body::Pdf { pages: None }) && p.warnings.is_empty());
        let cut = write(&dir, "b.pdf", b"%PDF-1.4\n1 0 obj");
        let p = preview(&Location::disk(&cut), "b.pdf", 16, &Value::Null, &cfg);
        assert_eq!(p.warnings[0].code, "pdf-malformed");
        let fake = write(&dir, "c.pdf", b"PK\x03\x04zip");
        let p = preview(&Location::disk(&fake), "c.pdf", 7, &Value::Null, &cfg);
        assert!(matches!(p.body, Body::File { detected: "ZIP archive" }), "{p:?}");
    }

    #[test]
    fn pdf_pages_are_counted_across_reads() {
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>\n".to_vec();
        pdf.extend_from_slice(b"2 0 obj << /Type /Page /Parent 1 0 R >>\n3 0 obj <</Type/Page/Parent 1 0 R>>\n");
        pdf.extend(std::iter::repeat_n(b' ', 70_000));
        pdf.extend_from_slice(b"4 0 obj << /Type /Page >>\n%%EOF\n");
        // One byte at a time, so every `/Type` falls on a read boundary once.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((&b, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = b;
                self.0 = rest;
                Ok(1)
            }
        }
        assert_eq!(pdf_pages(pdf.as_slice()), Some(3));
        assert_eq!(pdf_pages(Trickle(&pdf)), Some(3));
        assert_eq!(pdf_pages(b"%PDF-1.5 compressed objects only %%EOF".as_slice()), None);
    }

    #[test]
    fn unknown_files_are_sniffed() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = PreviewConfig::default();
        let gz = write(&dir, "data.bin", b"\x1f\x8b\x08\x00rest");
        assert!(matches!(
            preview(&Location::disk(&gz), "data.bin", 8, &Value::Null, &cfg).body,
            Body::File { detected: "gzip" }
        ));
        let txt = write(&dir, "NOTES", b"plain words\n");
        assert!(matches!(preview(&Location::disk(&txt), "NOTES", 12, &Value::Null, &cfg).body, Body::Text(_)));
    }
}
