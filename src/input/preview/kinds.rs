//! What a preview holds: one type per kind of file, filled by the readers
//! beside this module and shown by the artifact page.

use serde::Serialize;

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
    Table(Table),
    /// A parquet file's metadata and first rows.
    #[cfg(feature = "parquet")]
    Parquet(ParquetPreview),
    /// A JSON file small enough to draw as a tree from its parsed document.
    JsonTree,
    /// The first bytes of a JSON file too big for a tree.
    JsonHead(JsonHead),
    /// Lines of a text file or log.
    Text(Text),
    /// Markdown rendered to sanitised HTML.
    Markdown(Markdown),
    /// An image, by reference, with its size.
    Image(Image),
    /// A PDF document, embedded.
    Pdf {
        /// Its pages, when the file says plainly (page objects not packed
        /// into compressed object streams).
        pages: Option<u32>,
    },
    /// An HTML report, shown in a sandboxed frame.
    Html(HtmlReport),
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

/// The start of a JSON file too big for a tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonHead {
    /// The first bytes, highlighted ([`super::highlight::json`]).
    pub html: String,
    /// How many bytes are shown.
    pub shown_bytes: u64,
    /// The file's size.
    pub total_bytes: u64,
}

/// Lines of a text file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Text {
    /// What the text is, for people.
    pub language: &'static str,
    /// The lines shown.
    pub lines: Vec<Line>,
    /// Lines in the whole file, when it was read to the end.
    pub total_lines: Option<u64>,
    /// Whether these are the last lines rather than the first.
    pub tail: bool,
    /// Whether the file has lines not shown.
    pub more: bool,
}

/// One line shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// 1-based line number.
    pub n: u64,
    /// The line as escaped (and maybe highlighted) HTML.
    pub html: String,
    /// `error` or `warn` for log lines of that level.
    pub level: Option<&'static str>,
}

/// A rendered Markdown document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Markdown {
    /// Sanitised HTML.
    pub html: String,
    /// Whether only the start of the file was rendered.
    pub cut: bool,
}

/// An image's format and size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Image {
    /// `PNG`, `JPEG`, `GIF`, `WebP` or `SVG`.
    pub format: &'static str,
    /// Width in pixels, when the header says.
    pub width: Option<u32>,
    /// Height in pixels, when the header says.
    pub height: Option<u32>,
}

#[cfg(feature = "parquet")]
/// What a parquet file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParquetPreview {
    /// Rows, from the footer.
    pub rows: u64,
    /// Row groups.
    pub row_groups: usize,
    /// Codecs its column chunks use, e.g. `snappy`.
    pub compression: Vec<String>,
    /// The writer, e.g. `parquet-cpp-arrow version 15.0.0`.
    pub created_by: Option<String>,
    /// Top-level fields shown (at most [`super::table::MAX_COLUMNS`]).
    pub schema: Vec<SchemaField>,
    /// Top-level fields in the file.
    pub total_columns: usize,
    /// The same fields as table columns, with null counts from the footer's
    /// statistics.
    pub columns: Vec<Column>,
    /// The first rows, one cell per top-level field; `None` is null.
    pub sample: Vec<Vec<Option<String>>>,
    /// Manifest `metadata` set against the file.
    pub checks: Vec<Check>,
}

#[cfg(feature = "parquet")]
/// A top-level field of the schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaField {
    /// Its name.
    pub name: String,
    /// The physical type, or `group` for nested fields.
    pub physical: String,
    /// The logical (or legacy converted) type, if any.
    pub logical: Option<String>,
    /// `required`, `optional` or `repeated`.
    pub repetition: &'static str,
    /// Whether it may hold nulls.
    pub nullable: bool,
}

/// The first rows of a table and facts about all of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Table {
    /// `csv` or `tsv`.
    pub format: &'static str,
    /// One per column shown (at most [`super::table::MAX_COLUMNS`]), in order.
    pub columns: Vec<Column>,
    /// Columns in the file.
    pub total_columns: usize,
    /// The first rows; `None` is a null (parquet), `""` an empty field.
    pub rows: Vec<Vec<Option<String>>>,
    /// Data rows in the whole file (the header not counted).
    pub total_rows: u64,
    /// Manifest `metadata` set against the file.
    pub checks: Vec<Check>,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Its header.
    pub name: String,
    /// The type its values have: [`super::table::Inferred::label`] for CSV, the logical or
    /// physical type for parquet.
    pub dtype: String,
    /// Empty fields (CSV, missing fields of short rows included) or nulls
    /// (parquet) in the whole file, when known.
    pub empty: Option<u64>,
    /// Whether its values are numbers (shown right-aligned).
    pub numeric: bool,
}

/// One fact the manifest states, beside what the file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What is compared: `rows`, `columns`, `column names`, `dtype of x`.
    pub what: String,
    /// What the manifest says.
    pub manifest: String,
    /// What the file holds.
    pub file: String,
    /// Whether they agree.
    pub ok: bool,
}

/// What an HTML report needs from elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HtmlReport {
    /// Other hosts it loads from, in order of first use.
    pub remote: Vec<Remote>,
    /// Whether it loads scripts from another host: offline, what they draw
    /// stays blank.
    pub blank_offline: bool,
    /// Its links and references to files by path (`../plots/a.png`,
    /// `/home/alice/artifacts/v1/plots/a.png`), as written.
    #[serde(skip)]
    pub links: Vec<String>,
}

/// One host an HTML report loads from, and what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remote {
    /// `script`, `style`, `font`, `frame` or `image`.
    pub kind: &'static str,
    /// The host, e.g. `cdn.plot.ly`.
    pub host: String,
    /// The files it serves the report, by name (`plotly.js`).
    pub files: Vec<String>,
}
