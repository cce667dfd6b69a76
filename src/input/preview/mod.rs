//! Build-time previews of artifact files: bounded, and never a failed build.
//!
//! [`preview`] looks at one file, by its extension and then by its first bytes,
//! and returns a [`Preview`]: what the artifact page shows, the notes it shows
//! beside it, and the [`Warning`]s that also go to the problems page. Each
//! reader reads only the bytes it needs and caps what it keeps, so a preview
//! stays small however big or broken the file is.

pub mod compare;
pub mod csv;
pub mod highlight;
pub mod image;
pub mod json;
pub mod markdown;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod sniff;
pub mod table;
pub mod text;

use crate::config::Config;
use serde::Serialize;
use serde_json::Value;
use std::fs::File;
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// The caps every preview keeps to.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewConfig {
    /// Rows shown of a table.
    pub rows: usize,
    /// Characters shown of one table cell.
    pub cell_chars: usize,
    /// JSON files up to this size are drawn as a tree.
    pub json_bytes: u64,
    /// Lines shown of a text file.
    pub text_lines: usize,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        PreviewConfig::from(&Config::default())
    }
}

impl From<&Config> for PreviewConfig {
    fn from(c: &Config) -> Self {
        PreviewConfig {
            rows: c.preview_rows,
            cell_chars: c.preview_cell_chars,
            json_bytes: c.preview_json_bytes,
            text_lines: c.preview_text_lines,
        }
    }
}

/// What an artifact page shows of its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// The preview itself, tagged by `kind`.
    #[serde(flatten)]
    pub body: Body,
    /// Facts worth a line beside the preview (a BOM, a cut), not problems.
    pub notes: Vec<String>,
    /// Problems with the file: shown on the page and on the problems page.
    pub warnings: Vec<Warning>,
}

/// A problem found while previewing a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// A short stable code, e.g. `csv-quoting`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
    /// 1-based line in the file, when known.
    pub line: Option<u32>,
}

impl Warning {
    /// A warning without a line.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Warning { code, message: message.into(), line: None }
    }

    /// The same warning at a 1-based line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        self
    }
}

/// The kinds of preview, serialised with a `kind` tag for the templates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// A CSV or TSV table.
    Table(table::Table),
    /// A parquet file's metadata and first rows.
    #[cfg(feature = "parquet")]
    Parquet(parquet::ParquetPreview),
    /// A JSON file small enough to draw as a tree from its parsed document.
    JsonTree,
    /// The first bytes of a JSON file too big for a tree.
    JsonHead(json::JsonHead),
    /// Lines of a text file or log.
    Text(text::Text),
    /// Markdown rendered to sanitised HTML.
    Markdown(markdown::Markdown),
    /// An image, by reference, with its size.
    Image(image::Image),
    /// A PDF document, embedded.
    Pdf,
    /// An HTML document, linked.
    Html,
    /// Anything else: its type by magic bytes.
    File {
        /// What the first bytes say the file is.
        detected: &'static str,
    },
    /// An empty file.
    Empty,
}

impl Preview {
    /// A preview with no notes or warnings.
    pub fn new(body: Body) -> Self {
        Preview { body, notes: Vec::new(), warnings: Vec::new() }
    }

    /// The same preview with one more warning.
    pub fn warn(mut self, w: Warning) -> Self {
        self.warnings.push(w);
        self
    }
}

/// Previews one file. `rel` is its path in the version (for the extension),
/// `metadata` the manifest's `metadata` of the artifact (compared with what the
/// file holds). Never fails: what cannot be read becomes a warning.
pub fn preview(path: &Path, rel: &str, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
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

fn by_extension(path: &Path, rel: &str, ext: &str, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    match ext {
        "csv" => csv::preview(path, b',', metadata, cfg),
        "tsv" | "tab" => csv::preview(path, b'\t', metadata, cfg),
        "parquet" | "pq" => parquet_preview(path, size, metadata, cfg),
        "json" => json::preview(path, size, cfg),
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => image::preview(path, ext),
        "log" => text::tail(path, cfg),
        "md" | "markdown" => markdown::preview(path, rel),
        "pdf" => pdf(path, size),
        "html" | "htm" => Preview::new(Body::Html),
        _ => match text::Language::of(ext) {
            Some(lang) => text::head(path, lang, cfg),
            None => unknown(path, cfg),
        },
    }
}

#[cfg(feature = "parquet")]
fn parquet_preview(path: &Path, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    parquet::preview(path, size, metadata, cfg)
}

#[cfg(not(feature = "parquet"))]
fn parquet_preview(path: &Path, _size: u64, _metadata: &Value, cfg: &PreviewConfig) -> Preview {
    let mut p = unknown(path, cfg);
    p.notes.push("This build of artsite has no parquet support (cargo feature `parquet`).".into());
    p
}

/// Reads at most `limit` bytes from the start of a file.
pub(crate) fn read_head(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    File::open(path)?.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The warning for a file that cannot be opened or read.
pub(crate) fn unreadable(e: &io::Error) -> Warning {
    Warning::new("file-unreadable", format!("cannot read the file: {e}"))
}

fn unknown(path: &Path, cfg: &PreviewConfig) -> Preview {
    match read_head(path, sniff::HEAD_BYTES) {
        Ok(head) => match sniff::sniff(&head) {
            sniff::Kind::Text => text::head(path, text::Language::Plain, cfg),
            kind => Preview::new(Body::File { detected: kind.label() }),
        },
        Err(e) => Preview::new(Body::File { detected: "unknown" }).warn(unreadable(&e)),
    }
}

fn pdf(path: &Path, size: u64) -> Preview {
    let head = match read_head(path, 8) {
        Ok(h) => h,
        Err(e) => return Preview::new(Body::Pdf).warn(unreadable(&e)),
    };
    if !head.starts_with(b"%PDF-") {
        let kind = sniff::sniff(&head).label();
        return Preview::new(Body::File { detected: kind }).warn(Warning::new(
            "pdf-malformed",
            format!("named .pdf but does not start with %PDF- (looks like {kind})"),
        ));
    }
    let tail = read_tail(path, size, 1024).unwrap_or_default();
    let p = Preview::new(Body::Pdf);
    if tail.windows(5).any(|w| w == b"%%EOF") {
        p
    } else {
        p.warn(Warning::new("pdf-malformed", "no %%EOF marker at the end: the PDF is probably truncated"))
    }
}

/// Reads the last `n` bytes of a file of `size` bytes.
pub(crate) fn read_tail(path: &Path, size: u64, n: u64) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(size.saturating_sub(n)))?;
    let mut buf = Vec::new();
    f.take(n).read_to_end(&mut buf)?;
    Ok(buf)
}

/// `1 row`, `2 rows`: a count and a noun that takes an `s`.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", crate::util::html::number(n as f64, 0)) }
}

/// `s` cut to at most `max` characters, with `…` when cut.
pub fn cap(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (format!("{}…", &s[..i]), true),
        None => (s.to_string(), false),
    }
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
    fn plurals() {
        assert_eq!([plural(1, "row"), plural(0, "row"), plural(1200, "line")], ["1 row", "0 rows", "1,200 lines"]);
    }

    #[test]
    fn caps_at_char_boundaries() {
        assert_eq!(cap("héllo", 2), ("hé…".to_string(), true));
        assert_eq!(cap("hé", 2), ("hé".to_string(), false));
    }

    #[test]
    fn pdf_checks_magic_and_end_marker() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = PreviewConfig::default();
        let ok = write(&dir, "a.pdf", b"%PDF-1.4\n...\n%%EOF\n");
        let p = preview(&ok, "a.pdf", 19, &Value::Null, &cfg);
        assert!(matches!(p.body, Body::Pdf) && p.warnings.is_empty());
        let cut = write(&dir, "b.pdf", b"%PDF-1.4\n1 0 obj");
        let p = preview(&cut, "b.pdf", 16, &Value::Null, &cfg);
        assert_eq!(p.warnings[0].code, "pdf-malformed");
        let fake = write(&dir, "c.pdf", b"PK\x03\x04zip");
        let p = preview(&fake, "c.pdf", 7, &Value::Null, &cfg);
        assert!(matches!(p.body, Body::File { detected: "ZIP archive" }), "{p:?}");
    }

    #[test]
    fn unknown_files_are_sniffed() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = PreviewConfig::default();
        let gz = write(&dir, "data.bin", b"\x1f\x8b\x08\x00rest");
        assert!(matches!(preview(&gz, "data.bin", 8, &Value::Null, &cfg).body, Body::File { detected: "gzip" }));
        let txt = write(&dir, "NOTES", b"plain words\n");
        assert!(matches!(preview(&txt, "NOTES", 12, &Value::Null, &cfg).body, Body::Text(_)));
    }
}
