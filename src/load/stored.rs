//! A loaded run as bytes, so that the next build can take it back instead
//! of reading the run's files again when none of them changed (the build
//! cache keeps these, see [`crate::output::cache`]).
//!
//! Everything [`super::load_version`] makes of the files is kept, but what
//! follows from the rest exactly: the files and folder come from the new
//! scan (they are what the cache's key was made of), the kinds of JSON
//! files from their paths, and their typed models are made from their text
//! when first asked for. A run with a JSON file pruned for size (whose model
//! is read from the file, not the kept text) or with previews is not kept.

use crate::diagnostics::{self, Counts, Diagnostic, Severity};
use crate::input::etl::Kind;
use crate::input::infer;
use crate::input::manifest::Shape;
use crate::input::scan::VersionDir;
use crate::model::verdict::Verdict;
use crate::model::{
    Artifact, EdaReport, JsonDoc, ManifestState, Record, Sourced, Stage, StageMetrics, Status, Summary, TimeSource,
    Version,
};
use crate::util::bin::{Reader, Writer};
use crate::util::compact_json::CompactJson;
use crate::util::lenient_json::SyntaxError;
use crate::util::paths::segment;
use std::sync::OnceLock;

/// Names the encoding; a change to what is written changes it too (and
/// artsite's source hash, which the cache's key holds, changes anyway).
const HEADER: &[u8] = b"artsite run model 2\n";

/// The bytes of run `v` read with `problems` (those found in its files: the
/// scan's are made again by the next build); `None` for a run that is not kept.
pub fn encode(v: &Version, problems: &[Diagnostic]) -> Option<Vec<u8>> {
    let keepable = v.json.iter().all(|d| d.cut.is_none()) && v.artifacts.iter().all(|a| a.preview.is_none());
    if !keepable {
        return None;
    }
    let mut w = Writer::new(HEADER);
    w.str(&v.id);
    w.opt(v.time, |w, t| w.u64(t as u64));
    w.u64(match v.time_source {
        TimeSource::VersionId => 0,
        TimeSource::CreatedAt => 1,
        TimeSource::Unknown => 2,
    });
    w.bool(v.time_zoned);
    w.u64(match v.manifest {
        ManifestState::Missing => 0,
        ManifestState::Unreadable => 1,
        ManifestState::Read(Shape::WrappedMap) => 2,
        ManifestState::Read(Shape::BareMap) => 3,
        ManifestState::Read(Shape::WrappedList) => 4,
        ManifestState::Read(Shape::BareList) => 5,
    });
    w.list(&v.artifacts, artifact);
    w.list(&v.json, doc);
    w.list(&v.stages, stage);
    w.list(&v.eda, eda);
    summary(&mut w, &v.summary);
    w.list(problems, diagnostic);
    Some(w.finish())
}

/// The run of `vd` as `bytes` hold it, with the problems found in its scan
/// and files, or `vd` back when they do not hold that run (damaged, cut
/// short, or another's).
pub fn decode(bytes: &[u8], vd: VersionDir) -> Result<(Version, Vec<Diagnostic>), VersionDir> {
    match read(bytes, &vd.id) {
        Some(parts) => Ok(parts.with_scan(vd)),
        None => Err(vd),
    }
}

/// What the bytes hold of a run, before the scan's parts join it.
struct Parts {
    time: Option<i64>,
    time_source: TimeSource,
    time_zoned: bool,
    manifest: ManifestState,
    artifacts: Vec<Artifact>,
    json: Vec<JsonDoc>,
    stages: Vec<Stage>,
    eda: Vec<EdaReport>,
    summary: Summary,
    problems: Vec<Diagnostic>,
}

impl Parts {
    fn with_scan(self, vd: VersionDir) -> (Version, Vec<Diagnostic>) {
        let VersionDir { id, dir, files, problems: mut scanned } = vd;
        scanned.extend(self.problems);
        let version = Version {
            slug: segment(&id),
            id,
            time: self.time,
            time_source: self.time_source,
            time_zoned: self.time_zoned,
            manifest: self.manifest,
            artifacts: self.artifacts,
            json: self.json,
            stages: self.stages,
            eda: self.eda,
            content: Vec::new(),
            files,
            summary: self.summary,
            problems: Counts::default(),
            verdict: Verdict::default(),
            dir,
            raw_url: None,
        };
        (version, scanned)
    }
}

fn read(bytes: &[u8], id: &str) -> Option<Parts> {
    let mut r = Reader::open(bytes, HEADER)?;
    if r.string()? != id {
        return None;
    }
    let time = r.opt(|r| r.u64().map(|t| t as i64))?;
    let time_source = match r.u64()? {
        0 => TimeSource::VersionId,
        1 => TimeSource::CreatedAt,
        2 => TimeSource::Unknown,
        _ => return None,
    };
    let time_zoned = r.bool()?;
    let manifest = match r.u64()? {
        0 => ManifestState::Missing,
        1 => ManifestState::Unreadable,
        2 => ManifestState::Read(Shape::WrappedMap),
        3 => ManifestState::Read(Shape::BareMap),
        4 => ManifestState::Read(Shape::WrappedList),
        5 => ManifestState::Read(Shape::BareList),
        _ => return None,
    };
    let parts = Parts {
        time,
        time_source,
        time_zoned,
        manifest,
        artifacts: r.list(read_artifact)?,
        json: r.list(read_doc)?,
        stages: r.list(read_stage)?,
        eda: r.list(read_eda)?,
        summary: read_summary(&mut r)?,
        problems: r.list(read_diagnostic)?,
    };
    r.done().then_some(parts)
}

fn artifact(w: &mut Writer, a: &Artifact) {
    w.str(&a.slug);
    w.opt_str(a.id.as_deref());
    w.str(&a.artifact_type);
    w.str(&a.stage);
    w.str(&a.name);
    w.opt_str(a.description.as_deref());
    w.opt_str(a.file.as_deref());
    w.opt(a.file_index, Writer::usize);
    w.opt_str(a.declared_path.as_deref());
    w.opt_str(a.created_at.as_deref());
    w.value(&a.metadata);
    w.opt(a.record.as_ref(), |w, r| {
        w.str(&r.pointer);
        w.str(&r.json);
    });
    w.u64(match a.status {
        Status::Listed => 0,
        Status::Unlisted => 1,
        Status::Missing => 2,
    });
    w.opt(a.json, Writer::usize);
}

fn read_artifact(r: &mut Reader) -> Option<Artifact> {
    Some(Artifact {
        slug: r.string()?,
        id: r.opt_string()?,
        artifact_type: r.string()?,
        stage: r.string()?,
        name: r.string()?,
        description: r.opt_string()?,
        file: r.opt_string()?,
        file_index: r.opt(Reader::usize)?,
        declared_path: r.opt_string()?,
        created_at: r.opt_string()?,
        metadata: r.value()?,
        record: r.opt(|r| Some(Record { pointer: r.string()?, json: r.string()?.into_boxed_str() }))?,
        status: match r.u64()? {
            0 => Status::Listed,
            1 => Status::Unlisted,
            2 => Status::Missing,
            _ => return None,
        },
        json: r.opt(Reader::usize)?,
        preview: None,
    })
}

fn doc(w: &mut Writer, d: &JsonDoc) {
    w.str(&d.rel);
    match &d.parsed {
        Ok(doc) => {
            w.bool(true);
            w.str(doc.text());
        }
        Err(e) => {
            w.bool(false);
            w.u64(e.line.into());
            w.u64(e.column.into());
            w.str(&e.message);
        }
    }
    w.opt(d.artifact, |w, ai| w.usize(ai));
}

/// A JSON document, its kind and stage made from its path as
/// [`super::json::read`] makes them; its typed model is made on first use.
fn read_doc(r: &mut Reader) -> Option<JsonDoc> {
    let rel = r.string()?;
    let parsed = if r.bool()? {
        Ok(CompactJson::from_text(r.string()?)?)
    } else {
        Err(SyntaxError { line: r.u32()?, column: r.u32()?, message: r.string()? })
    };
    Some(JsonDoc {
        stage: infer::etl_stage(&rel),
        kind: Kind::detect(&rel),
        artifact: r.opt(Reader::usize)?,
        rel,
        parsed,
        typed: OnceLock::new(),
        cut: None,
    })
}

fn sourced(w: &mut Writer, s: Option<&Sourced>) {
    w.opt(s, |w, s| {
        w.f64(s.value);
        w.usize(s.doc);
        w.str(&s.pointer);
    });
}

fn read_sourced(r: &mut Reader) -> Option<Option<Sourced>> {
    r.opt(|r| Some(Sourced { value: r.f64()?, doc: r.usize()?, pointer: r.string()? }))
}

fn stage(w: &mut Writer, s: &Stage) {
    w.str(&s.name);
    w.str(&s.slug);
    let m = &s.metrics;
    for n in [&m.records_in, &m.records_out, &m.seconds, &m.issues] {
        sourced(w, n.as_ref());
    }
    w.opt(m.repeated.as_ref(), |w, (n, first)| {
        w.f64(*n);
        w.str(first);
    });
    w.list(&s.artifacts, |w, &i| w.usize(i));
    w.list(&s.etl, |w, &i| w.usize(i));
}

fn read_stage(r: &mut Reader) -> Option<Stage> {
    Some(Stage {
        name: r.string()?,
        slug: r.string()?,
        metrics: StageMetrics {
            records_in: read_sourced(r)?,
            records_out: read_sourced(r)?,
            seconds: read_sourced(r)?,
            issues: read_sourced(r)?,
            repeated: r.opt(|r| Some((r.f64()?, r.string()?)))?,
        },
        artifacts: r.list(Reader::usize)?,
        etl: r.list(Reader::usize)?,
    })
}

fn eda(w: &mut Writer, e: &EdaReport) {
    w.str(&e.name);
    w.str(&e.slug);
    w.usize(e.artifact);
    for names in [&e.figures, &e.tables, &e.other] {
        w.list(names, |w, s| w.str(s));
    }
}

fn read_eda(r: &mut Reader) -> Option<EdaReport> {
    Some(EdaReport {
        name: r.string()?,
        slug: r.string()?,
        artifact: r.usize()?,
        figures: r.list(Reader::string)?,
        tables: r.list(Reader::string)?,
        other: r.list(Reader::string)?,
    })
}

fn summary(w: &mut Writer, s: &Summary) {
    for n in [&s.records_in, &s.records_out, &s.quality_score] {
        sourced(w, n.as_ref());
    }
    w.opt(s.issues, Writer::f64);
    for n in [&s.outliers_removed, &s.duplicates_removed, &s.features] {
        sourced(w, n.as_ref());
    }
}

fn read_summary(r: &mut Reader) -> Option<Summary> {
    Some(Summary {
        records_in: read_sourced(r)?,
        records_out: read_sourced(r)?,
        quality_score: read_sourced(r)?,
        issues: r.opt(Reader::f64)?,
        outliers_removed: read_sourced(r)?,
        duplicates_removed: read_sourced(r)?,
        features: read_sourced(r)?,
    })
}

fn diagnostic(w: &mut Writer, d: &Diagnostic) {
    w.str(&d.path);
    w.opt(d.line, |w, n| w.u64(n.into()));
    w.opt(d.column, |w, n| w.u64(n.into()));
    w.u64(match d.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    w.str(d.code);
    w.str(&d.message);
    w.opt_str(d.pointer.as_deref());
    w.u64(d.count.into());
}

fn read_diagnostic(r: &mut Reader) -> Option<Diagnostic> {
    Some(Diagnostic {
        path: r.string()?,
        line: r.opt(Reader::u32)?,
        column: r.opt(Reader::u32)?,
        severity: match r.u64()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            2 => Severity::Info,
            _ => return None,
        },
        code: diagnostics::code(r.string()?).ok()?,
        message: r.string()?,
        pointer: r.opt_string()?,
        count: r.u32()?,
    })
}
