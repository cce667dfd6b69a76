//! CSV and TSV previews: the header and first rows, and facts about every row,
//! read in one streaming pass.
//!
//! The `csv` crate is lenient: it never fails on bad quoting, it reads an
//! unclosed quote to the end of the file. So the quotes are counted on the way
//! in, and an odd count is reported.

use super::compare::{self, Family};
use super::io::unreadable;
use super::kinds::{Body, Column, Preview, Table, Warning};
use super::table::{Inferred, MAX_COLUMNS, TEXT_BUDGET};
use crate::config::previews::PreviewConfig;
use crate::input::source::Location;
use serde_json::Value;
use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

/// Previews a delimited file of `size` bytes when listed: rows a writer
/// appends while it is read are not counted, so a growing file ends the read.
pub(crate) fn preview(path: &Location, size: u64, delimiter: u8, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    match path.open() {
        Ok(f) => read(f.take(size), delimiter, metadata, cfg),
        Err(e) => Preview::new(Body::Table(Table::default())).warn(unreadable(&e)),
    }
}

/// The longest row read: a longer one (a line without end, or a quote never
/// closed in a big file) stops the reading, so memory stays bounded.
pub(crate) const MAX_ROW_BYTES: u64 = 4 * 1024 * 1024;

/// Counts `"` bytes on the way through, and fails a read that takes the
/// current row past [`MAX_ROW_BYTES`].
struct Guard<R> {
    inner: R,
    quotes: u64,
    /// Bytes read so far.
    read: u64,
    /// Where the current row starts, as the CSV reader last reported it.
    row_start: Rc<Cell<u64>>,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.saturating_sub(self.row_start.get()) > MAX_ROW_BYTES {
            return Err(io::Error::other(format!(
                "a row is longer than {}, the most read of one row",
                crate::util::html::bytes(MAX_ROW_BYTES)
            )));
        }
        let n = self.inner.read(buf)?;
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        self.read += n as u64;
        Ok(n)
    }
}

/// A problem seen in some rows: how many, and the first one's line.
#[derive(Default)]
struct Seen {
    count: u64,
    first_line: u64,
}

impl Seen {
    fn add(&mut self, line: u64) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }
}

/// Previews delimited text from any reader.
pub(crate) fn read(input: impl Read, delimiter: u8, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let buffered = skip_byte_order_mark(input, &mut notes, &mut warnings);
    let row_start = Rc::new(Cell::new(0));
    let mut guard = Guard { inner: buffered, quotes: 0, read: 0, row_start: Rc::clone(&row_start) };
    let mut tally = Tally::new();
    warnings.extend(stream(&mut guard, delimiter, &row_start, &mut tally, cfg));
    warnings.extend(tally.problems(guard.quotes));
    notes.extend(tally.notes(cfg));
    let (table, mismatches) = tally.table(delimiter, metadata, &mut notes);
    warnings.extend(mismatches);
    Preview { body: Body::Table(table), notes, warnings }
}

/// Buffers the input and steps over a UTF-8 byte order mark, saying so.
fn skip_byte_order_mark<R: Read>(input: R, notes: &mut Vec<String>, warnings: &mut Vec<Warning>) -> BufReader<R> {
    let mut buffered = BufReader::with_capacity(64 * 1024, input);
    match buffered.fill_buf() {
        Ok(head) if head.starts_with(b"\xef\xbb\xbf") => {
            buffered.consume(3);
            notes.push(
                "The file starts with a UTF-8 byte order mark; it is not part of the first column's name.".into(),
            );
        }
        Ok(_) => {}
        Err(e) => warnings.push(unreadable(&e)),
    }
    buffered
}

/// Reads every record into `tally`; a record the reader cannot read stops the
/// reading and is the warning returned.
fn stream(
    input: &mut impl Read,
    delimiter: u8,
    row_start: &Cell<u64>,
    tally: &mut Tally,
    cfg: &PreviewConfig,
) -> Option<Warning> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let line = e.position().map_or(tally.last_line + 1, csv::Position::line);
                return Some(Warning::new("csv-malformed", format!("reading stopped: {e}")).at_line(line));
            }
        }
        row_start.set(reader.position().byte());
        tally.add(&record, cfg);
    }
}

/// What the streaming pass learns: the header, each column's type and empty
/// count, the rows kept for display, and the rows with problems.
struct Tally {
    header: Option<Vec<String>>,
    types: Vec<Inferred>,
    empty: Vec<u64>,
    rows: Vec<Vec<Option<String>>>,
    total: u64,
    last_line: u64,
    ragged: Seen,
    not_utf8: Seen,
    multiline: Seen,
    cut_cells: bool,
    /// Text the kept rows may still hold.
    budget: usize,
}

impl Tally {
    fn new() -> Self {
        Tally {
            header: None,
            types: Vec::new(),
            empty: Vec::new(),
            rows: Vec::new(),
            total: 0,
            last_line: 0,
            ragged: Seen::default(),
            not_utf8: Seen::default(),
            multiline: Seen::default(),
            cut_cells: false,
            budget: TEXT_BUDGET,
        }
    }

    /// Takes in one record: the first is the header, the rest are rows.
    fn add(&mut self, record: &csv::ByteRecord, cfg: &PreviewConfig) {
        let line = record.position().map_or(0, csv::Position::line);
        self.last_line = line;
        if std::str::from_utf8(record.as_slice()).is_err() {
            self.not_utf8.add(line);
        }
        if record.iter().any(|f| f.contains(&b'\n')) {
            self.multiline.add(line);
        }
        let Some(names) = &self.header else {
            self.header = Some(record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect());
            self.types = vec![Inferred::Nothing; record.len()];
            self.empty = vec![0; record.len()];
            return;
        };
        self.total += 1;
        if record.len() != names.len() {
            self.ragged.add(line);
        }
        self.infer(record);
        self.keep(record, cfg);
    }

    /// Widens the column types and counts empty cells.
    fn infer(&mut self, record: &csv::ByteRecord) {
        if record.len() > self.types.len() {
            self.types.resize(record.len(), Inferred::Nothing);
            self.empty.resize(record.len(), self.total - 1);
        }
        for (i, t) in self.types.iter_mut().enumerate() {
            match record.get(i) {
                None | Some(b"") => self.empty[i] += 1,
                Some(field) if *t != Inferred::Text => *t = t.join(Inferred::of(field)),
                Some(_) => {}
            }
        }
    }

    /// Keeps the row for display while there is room, cutting long cells.
    fn keep(&mut self, record: &csv::ByteRecord, cfg: &PreviewConfig) {
        if self.rows.len() >= cfg.rows || self.budget == 0 {
            return;
        }
        let row: Vec<Option<String>> = record
            .iter()
            .take(MAX_COLUMNS)
            .map(|f| {
                let (text, cut) = super::io::cap(&String::from_utf8_lossy(f), cfg.cell_chars);
                self.cut_cells |= cut;
                Some(text)
            })
            .collect();
        self.budget = self.budget.saturating_sub(row.iter().flatten().map(String::len).sum());
        self.rows.push(row);
    }

    /// The warnings about rows: an unclosed quote (`quotes` is odd), rows of
    /// the wrong width, bytes that are not UTF-8.
    fn problems(&self, quotes: u64) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let width = self.header.as_ref().map_or(0, Vec::len);
        if quotes % 2 == 1 {
            warnings.push(
                Warning::new(
                    "csv-quoting",
                    format!(
                        "a quoted field is never closed (the file has an odd number of `\"`): everything from line {} to the end was read as one row",
                        self.last_line
                    ),
                )
                .at_line(self.last_line),
            );
        }
        if self.ragged.count > 0 {
            warnings.push(
                Warning::new(
                    "csv-ragged",
                    format!(
                        "{} a different number of fields than the header's {width} (first at line {}); missing fields count as empty",
                        has(self.ragged.count),
                        self.ragged.first_line
                    ),
                )
                .at_line(self.ragged.first_line),
            );
        }
        if self.not_utf8.count > 0 {
            warnings.push(
                Warning::new(
                    "csv-encoding",
                    format!(
                        "{} not valid UTF-8 (first at line {}); shown with \u{fffd} in place of the bad bytes",
                        is(self.not_utf8.count),
                        self.not_utf8.first_line
                    ),
                )
                .at_line(self.not_utf8.first_line),
            );
        }
        warnings
    }

    /// The notes about what is shown: multi-line fields, cut cells, rows left
    /// out for their size.
    fn notes(&self, cfg: &PreviewConfig) -> Vec<String> {
        let mut notes = Vec::new();
        if self.multiline.count > 0 {
            notes.push(format!("{} quoted fields that span lines.", has(self.multiline.count)));
        }
        if self.cut_cells {
            notes.push(format!("Cells longer than {} characters are cut (…).", cfg.cell_chars));
        }
        let shown = self.rows.len();
        if self.budget == 0 && (shown as u64) < self.total && shown < cfg.rows {
            notes.push(format!("Only {shown} rows are shown: their cells hold a lot of text."));
        }
        notes
    }

    /// The table shown, and how it disagrees with the manifest's `metadata`.
    fn table(self, delimiter: u8, metadata: &Value, notes: &mut Vec<String>) -> (Table, Vec<Warning>) {
        let names = self.header.unwrap_or_default();
        let columns: Vec<Column> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| Column {
                name: names.get(i).cloned().unwrap_or_else(|| format!("(column {})", i + 1)),
                dtype: t.label().to_string(),
                empty: Some(self.empty[i]),
                numeric: matches!(t, Inferred::Integer | Inferred::Float),
            })
            .collect();
        let facts: Vec<(String, Family)> =
            columns.iter().zip(&self.types).map(|(c, t)| (c.name.clone(), family(*t))).collect();
        let (checks, mismatches) = compare::against(metadata, self.total, &facts);
        let total_columns = columns.len();
        if total_columns > MAX_COLUMNS {
            notes.push(format!("The first {MAX_COLUMNS} of {total_columns} columns are shown."));
        }
        let columns = columns.into_iter().take(MAX_COLUMNS).collect();
        let format = if delimiter == b'\t' { "tsv" } else { "csv" };
        let table = Table { format, columns, total_columns, rows: self.rows, total_rows: self.total, checks };
        (table, mismatches)
    }
}

/// `1 row has`, `2 rows have`.
fn has(n: u64) -> String {
    format!("{} {}", crate::util::html::counted(n as usize, "row"), if n == 1 { "has" } else { "have" })
}

/// `1 row is`, `2 rows are`.
fn is(n: u64) -> String {
    format!("{} {}", crate::util::html::counted(n as usize, "row"), if n == 1 { "is" } else { "are" })
}

fn family(t: Inferred) -> Family {
    match t {
        Inferred::Integer => Family::Integer,
        Inferred::Float => Family::Float,
        Inferred::Bool => Family::Bool,
        Inferred::Date | Inferred::DateTime => Family::Temporal,
        Inferred::Text => Family::Text,
        Inferred::Nothing => Family::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(p: &Preview) -> &Table {
        match &p.body {
            Body::Table(t) => t,
            other => panic!("not a table: {other:?}"),
        }
    }

    fn run(bytes: &[u8]) -> Preview {
        read(bytes, b',', &Value::Null, &PreviewConfig::default())
    }

    fn codes(p: &Preview) -> Vec<&str> {
        p.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn reads_header_rows_types_and_empties() {
        let p = run(b"id,score,ok,day,name\n1,2.5,true,2024-01-01,a\n2,,false,2024-01-02,\n3,4,true,2024-01-03,c\n");
        let t = table(&p);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(t.total_rows, 3);
        let types: Vec<&str> = t.columns.iter().map(|c| c.dtype.as_str()).collect();
        assert_eq!(types, ["integer", "float", "bool", "date", "text"]);
        let empties: Vec<u64> = t.columns.iter().filter_map(|c| c.empty).collect();
        assert_eq!(empties, [0, 1, 0, 0, 1]);
        assert_eq!(t.rows[1][1].as_deref(), Some(""));
    }

    #[test]
    fn keeps_n_rows_but_counts_all() {
        let mut text = String::from("n\n");
        for i in 0..1000 {
            text.push_str(&format!("{i}\n"));
        }
        let cfg = PreviewConfig { rows: 10, ..PreviewConfig::default() };
        let p = read(text.as_bytes(), b',', &Value::Null, &cfg);
        assert_eq!(table(&p).rows.len(), 10);
        assert_eq!(table(&p).total_rows, 1000);
    }

    #[test]
    fn bom_quotes_and_embedded_newlines_are_read() {
        let p = run(b"\xef\xbb\xbfname,note\n\"Smith, J\",\"two\nlines\"\nx,\"say \"\"hi\"\"\"\n");
        let t = table(&p);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(t.columns[0].name, "name", "the BOM is not part of the name");
        assert_eq!(t.rows[0][0].as_deref(), Some("Smith, J"));
        assert_eq!(t.rows[0][1].as_deref(), Some("two\nlines"));
        assert_eq!(t.rows[1][1].as_deref(), Some("say \"hi\""));
        assert_eq!(t.total_rows, 2);
        assert!(p.notes.iter().any(|n| n.contains("byte order mark")));
        assert!(p.notes.iter().any(|n| n.contains("span lines")));
    }

    #[test]
    fn ragged_rows_are_shown_and_warned() {
        let p = run(b"a,b,c\n1,2\n1,2,3,4\n");
        let t = table(&p);
        assert_eq!(codes(&p), ["csv-ragged"]);
        assert_eq!(p.warnings[0].line, Some(2));
        assert_eq!(t.columns.len(), 4);
        assert_eq!(t.columns[3].name, "(column 4)");
        assert_eq!(t.columns[2].empty, Some(1));
        assert_eq!(t.columns[3].empty, Some(1));
    }

    #[test]
    fn invalid_utf8_is_shown_lossy_and_warned() {
        let p = run(b"name\nM\xfcller\nok\n");
        assert_eq!(codes(&p), ["csv-encoding"]);
        assert_eq!(p.warnings[0].line, Some(2));
        assert_eq!(table(&p).rows[0][0].as_deref(), Some("M\u{fffd}ller"));
    }

    #[test]
    fn an_unclosed_quote_is_warned() {
        let p = run(b"a,b\n1,2\n3,\"open\n4,5\n");
        assert_eq!(codes(&p), ["csv-quoting"]);
        assert_eq!(p.warnings[0].line, Some(3));
    }

    #[test]
    fn long_cells_are_cut() {
        let long = "x".repeat(500);
        let p = run(format!("a\n{long}\n").as_bytes());
        assert_eq!(table(&p).rows[0][0].as_ref().unwrap().chars().count(), 201);
        assert!(p.notes.iter().any(|n| n.contains("cut")));
    }

    #[test]
    fn wide_tables_of_long_cells_stay_small() {
        let header: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
        let row = vec!["y".repeat(300); 300].join(",");
        let text = format!("{}\n{}", header.join(","), format!("{row}\n").repeat(100));
        let p = run(text.as_bytes());
        let t = table(&p);
        assert_eq!((t.total_columns, t.columns.len(), t.rows[0].len()), (300, 100, 100));
        assert_eq!(t.total_rows, 100);
        let kept: usize = t.rows.iter().flatten().flatten().map(String::len).sum();
        assert!(kept <= TEXT_BUDGET + 100 * 202, "{kept}");
        assert!(t.rows.len() < 100 && p.notes.iter().any(|n| n.contains("a lot of text")), "{:?}", p.notes);
        assert!(p.notes.iter().any(|n| n.contains("first 100 of 300 columns")));
    }

    #[test]
    fn a_row_without_end_stops_the_reading() {
        let mut long = b"a,b\n1,2\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES as usize + 100_000));
        long.extend_from_slice(b"\n3,4\n");
        let p = run(&long);
        assert_eq!(codes(&p), ["csv-malformed"]);
        assert_eq!(p.warnings[0].line, Some(3));
        assert!(p.warnings[0].message.contains("longer than 4.0 MiB"), "{}", p.warnings[0].message);
        assert_eq!(table(&p).total_rows, 1);

        let mut unclosed = b"a,b\n1,\"2\n".to_vec();
        unclosed.extend(std::iter::repeat_n(b"x,y\n".as_slice(), MAX_ROW_BYTES as usize / 3).flatten());
        let p = run(&unclosed);
        assert!(codes(&p).contains(&"csv-malformed"), "{:?}", p.warnings);
    }

    #[test]
    fn tsv_and_manifest_shape() {
        let m = json!({"shape": [2, 2], "columns": ["a", "b"]});
        let p = read(&b"a\tb\n1\t2\n"[..], b'\t', &m, &PreviewConfig::default());
        let t = table(&p);
        assert_eq!(t.format, "tsv");
        assert_eq!(t.columns.len(), 2);
        assert_eq!(codes(&p), ["manifest-mismatch"], "one row, not two");
    }
}
