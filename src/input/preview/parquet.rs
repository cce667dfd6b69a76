//! Parquet previews: the footer's schema, row count, row groups and
//! compression, and the first rows.
//!
//! The footer is read first (it says where everything is); then the pages of
//! the first rows, column by column for a flat table (each value converted as
//! the record API converts it), through the record API's rows when a column
//! shown is nested or repeated, or when a column cannot be read (its rows
//! say how far they got). The manifest's `metadata.shape`, `columns` and
//! `dtypes` are checked against the file.

use super::compare::{self, Family};
use super::io::unreadable;
use super::kinds::{Body, Column, ParquetPreview, Preview, SchemaField, Warning};
use super::sniff;
use super::table::{MAX_COLUMNS, TEXT_BUDGET};
use crate::config::previews::PreviewConfig;
use crate::input::source::Location;
use crate::input::source::Reader;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type;
use serde_json::Value;

fn malformed(message: impl Into<String>) -> Warning {
    Warning::new("parquet-malformed", message)
}

/// Previews a parquet file of `size` bytes: a small one read whole, a large
/// one by its footer and the pages of its first rows.
pub(crate) fn preview(path: &Location, size: u64, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    let file_body = || Preview::new(Body::File { detected: "parquet" });
    let ends = if size <= WHOLE_BYTES {
        path.read_all(size).map(|all| {
            let (head, tail) = (all[..all.len().min(4)].to_vec(), all[all.len().saturating_sub(4)..].to_vec());
            (head, Some(tail), Some(bytes::Bytes::from(all)))
        })
    } else {
        path.read_head(4).map(|head| (head, path.read_tail(size, 4).ok(), None))
    };
    let (head, tail, whole) = match ends {
        Ok(ends) => ends,
        Err(e) => return file_body().warn(unreadable(&e)),
    };
    if head != b"PAR1" {
        let kind = sniff::sniff(&head).label();
        return Preview::new(Body::File { detected: kind })
            .warn(malformed(format!("does not start with PAR1: this is not a parquet file (it looks like {kind})")));
    }
    if size < 12 || tail.as_deref() != Some(b"PAR1") {
        return file_body().warn(malformed("does not end with PAR1: the file is truncated, so its footer is lost"));
    }
    match whole {
        Some(bytes) => from_footer(bytes, metadata, cfg),
        None => from_footer(Chunks { at: path.clone(), size }, metadata, cfg),
    }
}

/// The preview of a parquet file that starts and ends with `PAR1`.
fn from_footer<R: ChunkReader + 'static>(file: R, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    match SerializedFileReader::new(file) {
        Ok(reader) => read(&reader, metadata, cfg),
        Err(e) => {
            Preview::new(Body::File { detected: "parquet" }).warn(malformed(format!("cannot read the footer: {e}")))
        }
    }
}

/// Bytes first fetched where a page header is read: most headers are a few
/// dozen bytes; one with long statistics is read on in growing ranges.
const PAGE_HEADER_RANGE: u64 = 4 * 1024;

/// Files up to this size are read whole, in one read: their footer and
/// pages would otherwise cost a request each.
const WHOLE_BYTES: u64 = 1024 * 1024;

/// A parquet file read through its location: each part the reader asks for
/// is one read (one range request, in a bucket), so a preview reads the
/// footer and the pages of its first rows, never the whole file.
struct Chunks {
    at: Location,
    size: u64,
}

impl Length for Chunks {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for Chunks {
    type T = Reader;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Reader> {
        // The reader reads a page's header here, then asks for the page by
        // its length: the first range need hold only the header.
        Ok(self.at.open_at(start, PAGE_HEADER_RANGE)?)
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let bytes = self.at.read_range(start, length as u64)?;
        if bytes.len() < length {
            return Err(ParquetError::EOF(format!(
                "wanted {length} bytes at {start}, the file has {} there",
                bytes.len()
            )));
        }
        Ok(bytes.into())
    }
}

fn read<R: ChunkReader + 'static>(reader: &SerializedFileReader<R>, metadata: &Value, cfg: &PreviewConfig) -> Preview {
    let meta = reader.metadata();
    let fm = meta.file_metadata();
    let mut warnings = Vec::new();
    let rows = u64::try_from(fm.num_rows()).unwrap_or(0);
    let group_rows: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
    if group_rows != fm.num_rows() {
        warnings
            .push(malformed(format!("the footer says {} rows but its row groups hold {group_rows}", fm.num_rows())));
    }
    let root = fm.schema_descr().root_schema();
    let all_fields = root.get_fields();
    let fields = &all_fields[..all_fields.len().min(MAX_COLUMNS)];
    let mut notes = Vec::new();
    if all_fields.len() > MAX_COLUMNS {
        notes.push(format!("The first {MAX_COLUMNS} of {} columns are shown.", all_fields.len()));
    }
    let schema: Vec<SchemaField> = fields.iter().map(|f| schema_field(f)).collect();
    let columns = schema
        .iter()
        .zip(fields)
        .enumerate()
        .map(|(i, (f, t))| Column {
            name: f.name.clone(),
            dtype: f.logical.clone().unwrap_or_else(|| f.physical.to_ascii_lowercase()),
            empty: nulls(meta, i),
            numeric: matches!(family(t), Family::Integer | Family::Float),
        })
        .collect();
    let projection = (all_fields.len() > MAX_COLUMNS)
        .then(|| Type::group_type_builder(root.name()).with_fields(fields.to_vec()).build().ok())
        .flatten();
    let sample = match flat_columns(meta, fields.len()) {
        Some(leaves) => columns_first(reader, &leaves, cfg).ok(),
        None => None,
    };
    let sample = match sample {
        Some(cells) => within_budget(cells, &mut notes),
        None => first_rows(reader, projection, cfg, &mut notes, &mut warnings),
    };
    let facts: Vec<(String, Family)> = all_fields.iter().map(|f| (f.name().to_string(), family(f))).collect();
    let (checks, mismatches) = compare::against(metadata, rows, &facts);
    warnings.extend(mismatches);
    let body = ParquetPreview {
        rows,
        row_groups: meta.num_row_groups(),
        compression: codecs(meta),
        created_by: fm.created_by().map(str::to_string),
        schema,
        total_columns: all_fields.len(),
        columns,
        sample,
        checks,
    };
    Preview { body: Body::Parquet(body), notes, warnings }
}

/// The compression codecs the column chunks use, each once, in order seen.
fn codecs(meta: &parquet::file::metadata::ParquetMetaData) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for col in meta.row_groups().iter().flat_map(|g| g.columns()) {
        let name = codec(&format!("{:?}", col.compression()));
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The leaf columns of the first `shown` top-level fields, when each is a
/// plain column (neither a group nor repeated): the table is flat.
fn flat_columns(meta: &parquet::file::metadata::ParquetMetaData, shown: usize) -> Option<Vec<usize>> {
    let descr = meta.file_metadata().schema_descr();
    let fields = descr.root_schema().get_fields();
    let mut leaves = Vec::with_capacity(shown);
    for (i, field) in fields.iter().take(shown).enumerate() {
        let info = field.get_basic_info();
        if !field.is_primitive() || (info.has_repetition() && info.repetition() == Repetition::REPEATED) {
            return None;
        }
        leaves.push((0..descr.num_columns()).find(|&l| descr.get_column_root_idx(l) == i)?);
    }
    Some(leaves)
}

/// The cells of the first rows the preview shows, read column by column
/// from the row groups that hold them; each value is converted to a field as
/// the record API converts it, so the cells are the rows' own.
fn columns_first<R: ChunkReader + 'static>(
    reader: &SerializedFileReader<R>,
    leaves: &[usize],
    cfg: &PreviewConfig,
) -> parquet::errors::Result<Vec<Vec<Option<String>>>> {
    use parquet::column::reader::ColumnReader as C;
    let descr = reader.metadata().file_metadata().schema_descr_ptr();
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); leaves.len()];
    let mut got = 0;
    for g in 0..reader.num_row_groups() {
        let want = (cfg.rows - got).min(usize::try_from(reader.metadata().row_group(g).num_rows()).unwrap_or(0));
        if want == 0 {
            break;
        }
        let group = reader.get_row_group(g)?;
        for (column, &leaf) in columns.iter_mut().zip(leaves) {
            let d = descr.column(leaf);
            let max = cfg.cell_chars;
            let cells = match group.get_column_reader(leaf)? {
                C::BoolColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_bool(d, v)), max),
                C::Int32ColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_int32(d, v)), max),
                C::Int64ColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_int64(d, v)), max),
                C::Int96ColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_int96(d, v)), max),
                C::FloatColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_float(d, v)), max),
                C::DoubleColumnReader(r) => leaf_cells(r, want, &d, |d, v| Ok(Field::convert_double(d, v)), max),
                C::ByteArrayColumnReader(r) => leaf_cells(r, want, &d, Field::convert_byte_array, max),
                C::FixedLenByteArrayColumnReader(r) => {
                    leaf_cells(r, want, &d, |d, v| Field::convert_byte_array(d, v.into()), max)
                }
            }?;
            column.extend(cells);
        }
        got += want;
    }
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    Ok((0..got).map(|_| columns.iter_mut().map(|c| c.next().flatten()).collect()).collect())
}

/// The first `rows` cells of one plain column: `None` where the value is null.
fn leaf_cells<T: parquet::data_type::DataType>(
    mut reader: parquet::column::reader::ColumnReaderImpl<T>,
    rows: usize,
    descr: &parquet::schema::types::ColumnDescPtr,
    convert: impl Fn(&parquet::schema::types::ColumnDescPtr, T::T) -> parquet::errors::Result<Field>,
    max: usize,
) -> parquet::errors::Result<Vec<Option<String>>> {
    let nullable = descr.max_def_level() > 0;
    let (mut levels, mut values) = (Vec::new(), Vec::new());
    let mut read = 0;
    while read < rows {
        let (records, _, _) = reader.read_records(rows - read, nullable.then_some(&mut levels), None, &mut values)?;
        if records == 0 {
            return Err(ParquetError::EOF(format!("a column holds {read} of its row group's {rows} rows")));
        }
        read += records;
    }
    let mut values = values.into_iter();
    let mut next = |present: bool| -> parquet::errors::Result<Option<String>> {
        if !present {
            return Ok(None);
        }
        let value = values.next().ok_or_else(|| ParquetError::EOF("a column has fewer values than rows".into()))?;
        Ok(cell(&convert(descr, value)?, max))
    };
    if nullable {
        levels.iter().map(|&l| next(l == descr.max_def_level())).collect()
    } else {
        (0..rows).map(|_| next(true)).collect()
    }
}

/// `rows` as far as their text allows: once the cells shown hold
/// [`TEXT_BUDGET`] bytes, the rows after are left out and a note says so.
fn within_budget(rows: Vec<Vec<Option<String>>>, notes: &mut Vec<String>) -> Vec<Vec<Option<String>>> {
    let mut budget = TEXT_BUDGET;
    let mut sample = Vec::with_capacity(rows.len());
    for cells in rows {
        if budget == 0 {
            notes.push(format!("Only {} rows are shown: their cells hold a lot of text.", sample.len()));
            break;
        }
        budget = budget.saturating_sub(cells.iter().flatten().map(String::len).sum());
        sample.push(cells);
    }
    sample
}

/// The first rows, as many as the preview shows and their text allows, of
/// the columns `projection` keeps (all when `None`), through the record API.
fn first_rows<R: ChunkReader + 'static>(
    reader: &SerializedFileReader<R>,
    projection: Option<Type>,
    cfg: &PreviewConfig,
    notes: &mut Vec<String>,
    warnings: &mut Vec<Warning>,
) -> Vec<Vec<Option<String>>> {
    let mut sample: Vec<Vec<Option<String>>> = Vec::new();
    // Values are read in batches of the rows shown, not the reader's 1,024:
    // a batch past the first pages would fetch pages no row shown is in.
    let iter = match reader.get_row_iter(projection) {
        Ok(iter) => iter.with_batch_size(cfg.rows.max(1)),
        Err(e) => {
            warnings.push(malformed(format!("the rows cannot be read: {e}")));
            return sample;
        }
    };
    let mut budget = TEXT_BUDGET;
    for row in iter.take(cfg.rows) {
        if budget == 0 {
            notes.push(format!("Only {} rows are shown: their cells hold a lot of text.", sample.len()));
            break;
        }
        match row {
            Ok(row) => {
                let cells: Vec<Option<String>> =
                    row.get_column_iter().map(|(_, field)| cell(field, cfg.cell_chars)).collect();
                budget = budget.saturating_sub(cells.iter().flatten().map(String::len).sum());
                sample.push(cells);
            }
            Err(e) => {
                warnings.push(malformed(format!("rows after the first {} cannot be read: {e}", sample.len())));
                break;
            }
        }
    }
    sample
}

/// Nulls of top-level field `field` by the footer's statistics: `None` for
/// nested fields and when a column chunk has no count.
fn nulls(meta: &parquet::file::metadata::ParquetMetaData, field: usize) -> Option<u64> {
    let descr = meta.file_metadata().schema_descr();
    let leaves: Vec<usize> = (0..descr.num_columns()).filter(|&l| descr.get_column_root_idx(l) == field).collect();
    let [leaf] = leaves.as_slice() else { return None };
    meta.row_groups().iter().map(|g| g.column(*leaf).statistics().and_then(|s| s.null_count_opt())).sum()
}

/// `ZSTD(ZstdLevel(1))` → `zstd`, `UNCOMPRESSED` → `none`.
fn codec(debug: &str) -> String {
    let name = debug.split('(').next().unwrap_or(debug).to_ascii_lowercase();
    if name == "uncompressed" { "none".into() } else { name }
}

fn schema_field(t: &Type) -> SchemaField {
    let info = t.get_basic_info();
    let repetition = if info.has_repetition() { info.repetition() } else { Repetition::REQUIRED };
    let physical = if t.is_primitive() { format!("{}", t.get_physical_type()) } else { "group".into() };
    let logical = match info.logical_type_ref() {
        Some(l) => Some(logical_name(l)),
        None if info.converted_type() != ConvertedType::NONE => Some(info.converted_type().to_string()),
        None => None,
    };
    SchemaField {
        name: t.name().to_string(),
        physical,
        logical,
        repetition: match repetition {
            Repetition::REQUIRED => "required",
            Repetition::OPTIONAL => "optional",
            _ => "repeated",
        },
        nullable: repetition == Repetition::OPTIONAL,
    }
}

fn unit(u: &TimeUnit) -> &'static str {
    match u {
        TimeUnit::MILLIS => "ms",
        TimeUnit::MICROS => "us",
        TimeUnit::NANOS => "ns",
    }
}

fn logical_name(l: &LogicalType) -> String {
    match l {
        LogicalType::String => "string".into(),
        LogicalType::Integer(i) => format!("{}int{}", if i.is_signed { "" } else { "u" }, i.bit_width),
        LogicalType::Decimal(d) => format!("decimal({}, {})", d.precision, d.scale),
        LogicalType::Timestamp(t) => {
            format!("timestamp[{}{}]", unit(&t.unit), if t.is_adjusted_to_u_t_c { ", UTC" } else { "" })
        }
        LogicalType::Time(t) => format!("time[{}]", unit(&t.unit)),
        LogicalType::Date => "date".into(),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

fn family(t: &Type) -> Family {
    if !t.is_primitive() {
        return Family::Any;
    }
    let info = t.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::String | LogicalType::Enum | LogicalType::Json) => return Family::Text,
        Some(LogicalType::Integer(_)) => return Family::Integer,
        Some(LogicalType::Decimal(_)) => return Family::Float,
        Some(LogicalType::Date | LogicalType::Time(_) | LogicalType::Timestamp(_)) => return Family::Temporal,
        Some(_) => return Family::Any,
        None => {}
    }
    match info.converted_type() {
        ConvertedType::UTF8 | ConvertedType::ENUM => return Family::Text,
        ConvertedType::DATE
        | ConvertedType::TIMESTAMP_MILLIS
        | ConvertedType::TIMESTAMP_MICROS
        | ConvertedType::TIME_MILLIS
        | ConvertedType::TIME_MICROS => return Family::Temporal,
        _ => {}
    }
    match t.get_physical_type() {
        Physical::BOOLEAN => Family::Bool,
        Physical::INT32 | Physical::INT64 => Family::Integer,
        Physical::INT96 => Family::Temporal,
        Physical::FLOAT | Physical::DOUBLE => Family::Float,
        _ => Family::Any,
    }
}

fn cell(field: &Field, max: usize) -> Option<String> {
    let text = match field {
        Field::Null => return None,
        Field::Str(s) => super::io::cap(s, max).0,
        Field::Bytes(b) => super::io::cap(&String::from_utf8_lossy(b.data()), max).0,
        Field::Double(v) => float(*v),
        Field::Float(v) => float(f64::from(*v)),
        Field::TimestampMillis(ms) => timestamp(ms.div_euclid(1000), ms.rem_euclid(1000), 3),
        Field::TimestampMicros(us) => timestamp(us.div_euclid(1_000_000), us.rem_euclid(1_000_000), 6),
        other => super::io::cap(&other.to_string(), max).0,
    };
    Some(text)
}

/// A float as Rust writes it (`0`, `2.5`), in exponent form when very big or
/// small, and NaN and the infinities by name.
fn float(v: f64) -> String {
    if let Some(name) = crate::util::html::non_finite_name(v) {
        name.into()
    } else if v != 0.0 && !(1e-6..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// `YYYY-MM-DD HH:MM:SS`, with the fraction only when it is not zero. The zone
/// is the schema's business (`timestamp[us, UTC]`).
fn timestamp(secs: i64, frac: i64, digits: usize) -> String {
    let mut s = crate::util::timestamp::format(secs);
    s.truncate(s.len() - " UTC".len());
    if frac != 0 {
        s.push_str(format!(".{frac:0digits$}").trim_end_matches('0'));
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use serde_json::json;
    use std::sync::Arc;

    /// Writes `n` rows of (id int64, name string with a null every 3rd, score double),
    /// in row groups of `group` rows.
    pub(crate) fn write_sample(path: &std::path::Path, n: i64, group: i64) {
        let schema = parse_message_type(
            "message schema { REQUIRED INT64 id; OPTIONAL BYTE_ARRAY name (UTF8); REQUIRED DOUBLE score; }",
        )
        .unwrap();
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let mut w =
            SerializedFileWriter::new(std::fs::File::create(path).unwrap(), Arc::new(schema), Arc::new(props)).unwrap();
        for start in (0..n).step_by(group as usize) {
            let ids: Vec<i64> = (start..(start + group).min(n)).collect();
            let mut rg = w.next_row_group().unwrap();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<Int64Type>().write_batch(&ids, None, None).unwrap();
            col.close().unwrap();
            let defs: Vec<i16> = ids.iter().map(|i| i16::from(i % 3 != 0)).collect();
            let names: Vec<ByteArray> =
                ids.iter().filter(|i| *i % 3 != 0).map(|i| ByteArray::from(format!("user {i}").as_str())).collect();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<ByteArrayType>().write_batch(&names, Some(&defs), None).unwrap();
            col.close().unwrap();
            let scores: Vec<f64> = ids.iter().map(|i| *i as f64 / 2.0).collect();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<DoubleType>().write_batch(&scores, None, None).unwrap();
            col.close().unwrap();
            rg.close().unwrap();
        }
        w.close().unwrap();
    }

    fn body(p: &Preview) -> &ParquetPreview {
        match &p.body {
            Body::Parquet(b) => b,
            other => panic!("not parquet: {other:?}"),
        }
    }

    /// The parquet files of `tests/fixtures/parquet_types` (written by pyarrow)
    /// and of the example.
    fn real_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> =
            std::fs::read_dir(root.join("tests/fixtures/parquet_types")).unwrap().flatten().map(|e| e.path()).collect();
        files.push(root.join("examples/artifacts/2024-03-02_09-00-00_ci-runner/tables/cleaned_data_sessions.parquet"));
        files.push(root.join("examples/artifacts/2024-03-02_09-00-00_ci-runner/tables/features_hold_time.parquet"));
        files.retain(|f| f.extension().is_some_and(|x| x == "parquet"));
        files.sort();
        files
    }

    #[test]
    fn columns_give_the_cells_rows_give() {
        let mut flat = 0;
        for path in real_files() {
            let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
            let fields = reader.metadata().file_metadata().schema_descr().root_schema().get_fields().len();
            for rows in [1, 39, 40, 41, 100, 500] {
                let cfg = PreviewConfig { rows, cell_chars: 30, ..PreviewConfig::default() };
                let (mut notes, mut warnings) = (Vec::new(), Vec::new());
                let by_rows = first_rows(&reader, None, &cfg, &mut notes, &mut warnings);
                assert!(warnings.is_empty(), "{}: {warnings:?}", path.display());
                let Some(leaves) = flat_columns(reader.metadata(), fields.min(MAX_COLUMNS)) else {
                    assert!(path.ends_with("nested.parquet"), "{} is flat", path.display());
                    continue;
                };
                flat += 1;
                let by_columns = within_budget(columns_first(&reader, &leaves, &cfg).unwrap(), &mut Vec::new());
                assert_eq!(by_columns, by_rows, "{} with {rows} rows", path.display());
            }
        }
        assert!(flat >= 5 * 6, "the flat files were compared");
    }

    #[test]
    fn reads_schema_counts_and_first_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_sample(&path, 250, 100);
        let size = std::fs::metadata(&path).unwrap().len();
        let m = json!({"shape": [250, 3], "columns": ["id", "name", "score"], "dtypes": {"id": "int64", "name": "object", "score": "float64"}});
        let cfg = PreviewConfig { rows: 5, ..PreviewConfig::default() };
        let p = preview(&Location::disk(&path), size, &m, &cfg);
        let b = body(&p);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!((b.rows, b.row_groups), (250, 3));
        assert_eq!(b.compression, ["snappy"]);
        let s: Vec<(&str, &str, Option<&str>, bool)> =
            b.schema.iter().map(|f| (f.name.as_str(), f.physical.as_str(), f.logical.as_deref(), f.nullable)).collect();
        assert_eq!(
            s,
            [
                ("id", "INT64", None, false),
                ("name", "BYTE_ARRAY", Some("UTF8"), true),
                ("score", "DOUBLE", None, false)
            ]
        );
        let nulls: Vec<Option<u64>> = b.columns.iter().map(|c| c.empty).collect();
        assert_eq!(nulls, [Some(0), Some(84), Some(0)], "a third of 250 names are null");
        assert_eq!(b.columns[1].dtype, "UTF8");
        assert_eq!(b.sample.len(), 5);
        assert_eq!(b.sample[0], [Some("0".into()), None, Some("0".into())]);
        assert_eq!(b.sample[3][2].as_deref(), Some("1.5"));
        assert_eq!(b.sample[1][1].as_deref(), Some("user 1"));
        assert!(b.checks.iter().all(|c| c.ok) && b.checks.len() == 6);
    }

    #[test]
    fn manifest_disagreements_are_warned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_sample(&path, 10, 10);
        let size = std::fs::metadata(&path).unwrap().len();
        let m = json!({"shape": [12, 3], "dtypes": {"id": "float64", "score": "float64"}});
        let p = preview(&Location::disk(&path), size, &m, &PreviewConfig::default());
        let msgs: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("rows is 12, but the file has 10"));
        assert!(msgs[1].contains("dtype of id is float64, but the file has integer"));
    }

    #[test]
    fn truncated_and_fake_files_are_warned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_sample(&path, 10, 10);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let p = preview(&Location::disk(&path), bytes.len() as u64 / 2, &Value::Null, &PreviewConfig::default());
        assert!(matches!(p.body, Body::File { detected: "parquet" }));
        assert!(p.warnings[0].message.contains("truncated"), "{:?}", p.warnings);
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let p = preview(&Location::disk(&path), 8, &Value::Null, &PreviewConfig::default());
        assert!(p.warnings[0].message.contains("not a parquet file (it looks like text)"), "{:?}", p.warnings);
        let mut broken = bytes.clone();
        let footer_len = broken.len() - 8;
        broken[footer_len..footer_len + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&path, &broken).unwrap();
        let p = preview(&Location::disk(&path), broken.len() as u64, &Value::Null, &PreviewConfig::default());
        assert_eq!(p.warnings[0].code, "parquet-malformed");
        assert!(p.warnings[0].message.contains("cannot read the footer"), "{:?}", p.warnings);
    }

    #[test]
    fn wide_files_show_the_first_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.parquet");
        let fields: String = (0..120).map(|i| format!("REQUIRED INT64 c{i}; ")).collect();
        let schema = parse_message_type(&format!("message m {{ {fields}}}")).unwrap();
        let props = Arc::new(WriterProperties::builder().build());
        let mut w = SerializedFileWriter::new(std::fs::File::create(&path).unwrap(), Arc::new(schema), props).unwrap();
        let mut rg = w.next_row_group().unwrap();
        while let Some(mut col) = rg.next_column().unwrap() {
            col.typed::<Int64Type>().write_batch(&[1, 2, 3], None, None).unwrap();
            col.close().unwrap();
        }
        rg.close().unwrap();
        w.close().unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        let p = preview(&Location::disk(&path), size, &json!({"shape": [3, 120]}), &PreviewConfig::default());
        let b = body(&p);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!((b.total_columns, b.schema.len(), b.columns.len()), (120, 100, 100));
        assert_eq!((b.sample.len(), b.sample[0].len()), (3, 100));
        assert!(p.notes[0].contains("first 100 of 120 columns"));
    }

    #[test]
    fn timestamps_without_noise() {
        assert_eq!(timestamp(1_707_557_095, 0, 6), "2024-02-10 09:24:55");
        assert_eq!(timestamp(1_707_557_095, 250_000, 6), "2024-02-10 09:24:55.25");
        assert_eq!(cell(&Field::TimestampMillis(-1), 50).as_deref(), Some("1969-12-31 23:59:59.999"));
    }

    #[test]
    fn floats_read_plainly() {
        assert_eq!([float(0.0), float(-2.5), float(1e-9), float(3e20)], ["0", "-2.5", "1e-9", "3e20"]);
        assert_eq!([float(f64::NAN), float(f64::NEG_INFINITY)], ["NaN", "-Infinity"]);
    }

    #[test]
    fn codec_names() {
        assert_eq!(codec("ZSTD(ZstdLevel(1))"), "zstd");
        assert_eq!(codec("UNCOMPRESSED"), "none");
    }
}
