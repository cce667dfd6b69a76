//! The data each page template receives.
//!
//! Every href here is relative to the site root; templates put `root` (the
//! `../` prefix of the page) in front, so the site works from any base path
//! and from disk. Numbers that come from a JSON field carry a link to that
//! field on its ETL page.

pub mod charts;
pub mod compare;
pub mod delta;
pub mod findings;
pub mod jsontree;
pub mod quality;
pub mod trends;

use self::delta::{Better, Change};
use crate::diagnostics::{Counts, Diagnostic};
use crate::judge::Status as Health;
use crate::model::*;
use crate::plan::{self, PageKind};
use crate::util::html;
use crate::util::lenient_json::non_finite;
use crate::util::paths::{pointer_id, url_path};
use crate::util::timestamp;
use crate::view::findings::Paths;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Lists of artifacts on a page show at most this many rows; the rest are
/// counted, and the search page finds them. This keeps every page, and the
/// memory to render it, bounded however many files a version holds.
pub const MAX_ROWS: usize = 1000;

/// Site-wide facts computed once before rendering. Keys borrow from the
/// site, so building the index allocates little even at 10,000 artifacts.
pub struct SiteIndex<'a> {
    site: &'a Site,
    /// (stage, name) → [(version index, artifact index)], oldest first.
    history: HashMap<(&'a str, &'a str), Vec<(usize, usize)>>,
    /// `version/rel` → page path of the artifact showing that file; built on
    /// first use (only the problems page needs it).
    file_pages: OnceLock<HashMap<String, String>>,
    /// version index → names of the aliases pointing at it.
    aliases: HashMap<usize, Vec<String>>,
    /// (version, stage, name) → artifact index.
    artifact_at: HashMap<(usize, &'a str, &'a str), usize>,
    /// (version, stage name) → stage index.
    stage_at: HashMap<(usize, &'a str), usize>,
    /// (version, path of a JSON file) → JSON doc index.
    json_at: HashMap<(usize, &'a str), usize>,
    /// (version, report name) → EDA report index.
    eda_at: HashMap<(usize, &'a str), usize>,
    /// The baseline version, when the config names one that exists.
    pub baseline: Option<usize>,
}

impl<'a> SiteIndex<'a> {
    /// Builds the index for `site`.
    pub fn new(site: &'a Site) -> Self {
        let mut history: HashMap<(&str, &str), Vec<(usize, usize)>> = HashMap::new();
        let (mut artifact_at, mut stage_at, mut json_at, mut eda_at) =
            (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
        for (vi, v) in site.versions.iter().enumerate() {
            for (si, s) in v.stages.iter().enumerate() {
                stage_at.insert((vi, s.name.as_str()), si);
            }
            for (di, d) in v.json.iter().enumerate() {
                json_at.insert((vi, d.rel.as_str()), di);
            }
            for (ei, e) in v.eda.iter().enumerate() {
                eda_at.insert((vi, e.name.as_str()), ei);
            }
            for (ai, a) in v.artifacts.iter().enumerate() {
                artifact_at.entry((vi, a.stage.as_str(), a.name.as_str())).or_insert(ai);
                history.entry((a.stage.as_str(), a.name.as_str())).or_default().push((vi, ai));
            }
        }
        let mut aliases: HashMap<usize, Vec<String>> = HashMap::new();
        for a in &site.aliases {
            if let Some(vi) = site.versions.iter().position(|v| v.id == a.target) {
                aliases.entry(vi).or_default().push(a.name.clone());
            }
        }
        let baseline = site.baseline;
        SiteIndex {
            site,
            history,
            file_pages: OnceLock::new(),
            aliases,
            artifact_at,
            stage_at,
            json_at,
            eda_at,
            baseline,
        }
    }

    fn file_pages(&self) -> &HashMap<String, String> {
        self.file_pages.get_or_init(|| {
            let mut file_pages = HashMap::new();
            for v in &self.site.versions {
                for (ai, a) in v.artifacts.iter().enumerate() {
                    if let Some(f) = &a.file {
                        file_pages.insert(format!("{}/{f}", v.id), plan::artifact(v, ai));
                    }
                }
                for (di, d) in v.json.iter().enumerate() {
                    if let Some(p) = plan::etl(v, di) {
                        file_pages.insert(format!("{}/{}", v.id, d.rel), p);
                    }
                }
                file_pages.insert(v.id.clone(), plan::version(v));
            }
            file_pages
        })
    }
}

/// A link.
#[derive(Serialize, Clone)]
pub struct Link {
    /// Text to show.
    pub label: String,
    /// Target, relative to the site root.
    pub href: String,
}

/// A number ready to show.
#[derive(Serialize, Clone)]
pub struct NumView {
    /// Formatted for people (`48,213`, `94.62`, `NaN`).
    pub text: String,
    /// The exact value, for `data-value`.
    pub value: String,
    /// The JSON field it came from, relative to the site root.
    pub href: Option<String>,
}

/// A number without a source link.
pub fn num_plain(v: f64) -> NumView {
    NumView { text: html::number(v, 2), value: exact(v), href: None }
}

/// The exact value of a number, as `data-value` carries it.
pub fn exact(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        format!("{v}")
    }
}

/// A number linked to the JSON field it came from.
pub fn sourced(v: &Version, s: &Sourced) -> NumView {
    NumView { text: html::number(s.value, 2), value: exact(s.value), href: field_href(v, s.doc, &s.pointer) }
}

/// The link to the field at `pointer` on the page of JSON doc `doc`, when the
/// page exists and the document has the field (a count of a list the file
/// leaves out has nothing to link to).
fn field_href(v: &Version, doc: usize, pointer: &str) -> Option<String> {
    let page = plan::etl(v, doc)?;
    v.json[doc].parsed.as_ref().ok()?.pointer(pointer)?;
    Some(format!("{page}#{}", pointer_id(pointer)))
}

/// A version as other pages refer to it.
#[derive(Serialize, Clone)]
pub struct VersionRef {
    /// Folder name.
    pub id: String,
    /// Summary page.
    pub href: String,
    /// When it ran, if known.
    pub time: Option<String>,
    /// Where the time came from.
    pub time_source: TimeSource,
    /// Aliases that point at it.
    pub aliases: Vec<String>,
    /// Its data-quality page.
    pub quality_href: String,
    /// Its comparison with the previous version.
    pub compare_href: String,
    /// Its artifact index.
    pub artifacts_href: String,
    /// Its verdict: `pass`, `warn` or `fail`.
    pub verdict: Health,
}

/// How pages refer to version `vi`.
pub fn version_ref(site: &Site, idx: &SiteIndex, vi: usize) -> VersionRef {
    let v = &site.versions[vi];
    VersionRef {
        id: v.id.clone(),
        href: plan::version(v),
        time: v.time.map(timestamp::format),
        time_source: v.time_source,
        aliases: idx.aliases.get(&vi).cloned().unwrap_or_default(),
        quality_href: plan::quality(v),
        compare_href: plan::compare(v),
        artifacts_href: plan::artifacts(v),
        verdict: v.verdict.status,
    }
}

/// Headline numbers of a version, each with its change on the previous run.
#[derive(Serialize)]
pub struct SummaryView {
    records_in: Option<NumView>,
    records_out: Option<NumView>,
    quality: Option<NumView>,
    issues: Option<NumView>,
    /// Changes on the previous run, by the same names.
    changes: SummaryChanges,
}

/// The changes of a version's headline numbers on the previous run.
#[derive(Serialize, Default)]
pub struct SummaryChanges {
    records_in: Option<Change>,
    records_out: Option<Change>,
    quality: Option<Change>,
    issues: Option<Change>,
}

fn summary_view(site: &Site, vi: usize) -> SummaryView {
    let v = &site.versions[vi];
    let s = &v.summary;
    let value = |x: &Option<Sourced>| x.as_ref().map(|x| x.value);
    let changes = match vi.checked_sub(1).map(|p| &site.versions[p].summary) {
        Some(p) => SummaryChanges {
            records_in: delta::between(value(&p.records_in), value(&s.records_in), Better::Neither),
            records_out: delta::between(value(&p.records_out), value(&s.records_out), Better::Up),
            quality: delta::between(value(&p.quality_score), value(&s.quality_score), Better::Up),
            issues: delta::between(p.issues, s.issues, Better::Down),
        },
        None => SummaryChanges::default(),
    };
    SummaryView {
        records_in: s.records_in.as_ref().map(|x| sourced(v, x)),
        records_out: s.records_out.as_ref().map(|x| sourced(v, x)),
        quality: s.quality_score.as_ref().map(|x| sourced(v, x)),
        issues: s.issues.map(num_plain),
        changes,
    }
}

/// A row of the home page's version table.
#[derive(Serialize)]
pub struct VersionRow {
    r: VersionRef,
    summary: SummaryView,
    artifacts: usize,
    /// Problems in its files, by severity.
    counts: Counts,
    manifest: &'static str,
    /// The checks that failed or warned, by name.
    flagged: Vec<String>,
}

fn manifest_label(m: ManifestState) -> &'static str {
    match m {
        ManifestState::Read(_) => "manifest",
        ManifestState::Missing => "no manifest",
        ManifestState::Unreadable => "manifest unreadable",
    }
}

/// An artifact as lists show it.
#[derive(Serialize, Clone)]
pub struct ArtifactRow {
    name: String,
    href: String,
    stage: String,
    artifact_type: String,
    status: Status,
    size: Option<String>,
    description: Option<String>,
    file_href: Option<String>,
}

/// An artifact as lists show it.
pub fn artifact_row(v: &Version, ai: usize) -> ArtifactRow {
    let a = &v.artifacts[ai];
    ArtifactRow {
        name: a.name.clone(),
        href: plan::artifact(v, ai),
        stage: a.stage.clone(),
        artifact_type: a.artifact_type.clone(),
        status: a.status,
        size: a.file_index.map(|i| html::bytes(v.files[i].size)),
        description: a.description.clone(),
        file_href: a.file.as_deref().map(|f| url_path(&plan::file(v, f))),
    }
}

/// A stage row of a version summary.
#[derive(Serialize)]
pub struct StageRow {
    name: String,
    href: String,
    records_in: Option<NumView>,
    records_out: Option<NumView>,
    drop_pct: Option<String>,
    seconds: Option<NumView>,
    issues: Option<NumView>,
    /// Of the issues, how many an earlier stage reported too, and which.
    repeated: Option<(String, String)>,
    /// Changes on the same stage of the previous run, by the same names
    /// (`drop_pct` in percentage points).
    changes: StageChanges,
    /// The first [`MAX_ROWS`] artifacts.
    artifacts: Vec<ArtifactRow>,
    /// All artifacts of the stage.
    artifact_total: usize,
    /// Artifacts not listed.
    more: usize,
    etl: Vec<Link>,
}

/// The changes of a stage's numbers on the previous run.
#[derive(Serialize, Default)]
pub struct StageChanges {
    records_in: Option<Change>,
    records_out: Option<Change>,
    drop_pct: Option<Change>,
    seconds: Option<Change>,
    issues: Option<Change>,
}

/// The percentage of its records a stage dropped.
fn drop_of(m: &crate::model::StageMetrics) -> Option<f64> {
    match (&m.records_in, &m.records_out) {
        (Some(i), Some(o)) if i.value > 0.0 && i.value.is_finite() && o.value.is_finite() => {
            Some((i.value - o.value) / i.value * 100.0)
        }
        _ => None,
    }
}

fn stage_changes(m: &crate::model::StageMetrics, p: &crate::model::StageMetrics) -> StageChanges {
    let value = |x: &Option<Sourced>| x.as_ref().map(|x| x.value);
    let points = match (drop_of(p), drop_of(m)) {
        (Some(a), Some(b)) => delta::change(a, b, Better::Down).map(|c| Change {
            abs: format!("{} pt", delta::signed(((b - a) * 10.0).round() / 10.0)),
            pct: None,
            ..c
        }),
        _ => None,
    };
    StageChanges {
        records_in: delta::between(value(&p.records_in), value(&m.records_in), Better::Neither),
        records_out: delta::between(value(&p.records_out), value(&m.records_out), Better::Up),
        drop_pct: points,
        seconds: delta::between(value(&p.seconds), value(&m.seconds), Better::Down),
        issues: delta::between(value(&p.issues), value(&m.issues), Better::Down),
    }
}

fn stage_row(v: &Version, prev: Option<&Version>, si: usize) -> StageRow {
    let s = &v.stages[si];
    let m = &s.metrics;
    let drop_pct = drop_of(m).map(|d| format!("{d:.1}%"));
    let before = prev.and_then(|p| p.stages.iter().find(|st| st.name == s.name));
    StageRow {
        name: s.name.clone(),
        href: plan::stage(v, si),
        records_in: m.records_in.as_ref().map(|x| sourced(v, x)),
        records_out: m.records_out.as_ref().map(|x| sourced(v, x)),
        drop_pct,
        seconds: m.seconds.as_ref().map(|x| sourced(v, x)),
        issues: m.issues.as_ref().map(|x| sourced(v, x)),
        repeated: m.repeated.as_ref().map(|(n, from)| (html::number(*n, 0), from.clone())),
        changes: before.map(|b| stage_changes(m, &b.metrics)).unwrap_or_default(),
        artifacts: s.artifacts.iter().take(MAX_ROWS).map(|&ai| artifact_row(v, ai)).collect(),
        artifact_total: s.artifacts.len(),
        more: s.artifacts.len().saturating_sub(MAX_ROWS),
        etl: s.etl.iter().filter_map(|&di| etl_link(v, di)).collect(),
    }
}

fn etl_link(v: &Version, di: usize) -> Option<Link> {
    plan::etl(v, di).map(|href| Link { label: v.json[di].rel.trim_start_matches("etl_metadata/").to_string(), href })
}

/// A breadcrumb trail ending at the current page.
fn crumbs(site: &Site, vi: Option<usize>, more: Vec<Link>) -> Vec<Link> {
    let mut c = vec![Link { label: "Home".into(), href: "index.html".into() }];
    if let Some(vi) = vi {
        let v = &site.versions[vi];
        c.push(Link { label: v.id.clone(), href: plan::version(v) });
    }
    c.extend(more);
    c
}

/// Where a logo or favicon is published: `static/{name}.{extension}`.
pub fn brand_file(name: &str, source: &std::path::Path) -> String {
    match source.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("static/{name}.{}", ext.to_ascii_lowercase()),
        None => format!("static/{name}"),
    }
}

/// Where a page of the list of runs is among the others.
#[derive(Serialize)]
struct Pager {
    /// This page's number, from 1 (the home page).
    current: usize,
    /// How many pages list runs.
    count: usize,
    /// The page of newer runs, if any.
    newer: Option<String>,
    /// The page of older runs, if any.
    older: Option<String>,
}

/// Site-wide values every page gets as `site`.
#[derive(Serialize)]
pub struct SiteInfo {
    title: String,
    description: Option<String>,
    footer: Option<String>,
    version_count: usize,
    latest: Option<String>,
    logo: Option<String>,
    favicon: Option<String>,
    extra: serde_json::Map<String, Value>,
    eda_allow_same_origin: bool,
    /// The theme's variables, given to templates as `theme`, not `site.theme`.
    #[serde(skip)]
    theme: serde_json::Map<String, Value>,
}

/// Builds the `site` value.
pub fn site_info(site: &Site, config: &crate::config::Config, theme: &crate::theme::Theme) -> SiteInfo {
    SiteInfo {
        title: config.title.clone(),
        description: config.description.clone(),
        footer: config.footer.clone(),
        version_count: site.versions.len(),
        latest: site.versions.last().map(plan::version),
        logo: config.logo.as_deref().map(|p| brand_file("logo", p)),
        favicon: config.favicon.as_deref().map(|p| brand_file("favicon", p)),
        extra: config.extra.clone(),
        eda_allow_same_origin: config.eda_allow_same_origin,
        theme: theme.variables.clone(),
    }
}

/// A rendered value of a record or metadata field.
#[derive(Serialize)]
pub struct Field {
    key: String,
    value: String,
}

fn field_text(v: &Value) -> String {
    if let Some(x) = non_finite(v) {
        return exact(x);
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => {
            let mut s = serde_json::to_string(other).unwrap_or_default().replace("\"\\u0000", "\"");
            if s.len() > 600 {
                let cut = (0..=600).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                s.truncate(cut);
                s.push_str(" …");
            }
            s
        }
    }
}

fn fields(map: &serde_json::Map<String, Value>) -> Vec<Field> {
    map.iter().map(|(k, v)| Field { key: k.clone(), value: field_text(v) }).collect()
}

/// A page's template context, and the names of its top-level variables (for
/// the documentation test in `tests/suite/template_context.rs`).
#[derive(Default)]
pub struct PageContext {
    /// The context tera renders with.
    pub tera: tera::Context,
    keys: Vec<&'static str>,
}

impl PageContext {
    /// Sets a top-level variable.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.tera.insert(key, value);
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }

    /// The top-level variable names, in the order they were set.
    pub fn keys(&self) -> &[&'static str] {
        &self.keys
    }
}

/// Everything a page's template receives. `preview` is what an artifact
/// page shows of its file (see [`crate::model::Artifact::preview`]).
pub fn page_context(
    site: &Site,
    idx: &SiteIndex,
    info: &SiteInfo,
    config: &crate::config::Config,
    kind: PageKind,
    path: &str,
    preview: Option<&crate::input::preview::Preview>,
) -> PageContext {
    let mut ctx = PageContext::default();
    ctx.insert("root", &crate::util::paths::root_prefix(path));
    ctx.insert("site", info);
    ctx.insert("theme", &info.theme);
    let (title, trail) = match kind {
        PageKind::Home | PageKind::Runs(_) => {
            let page = if let PageKind::Runs(n) = kind { n } else { 1 };
            let count = plan::run_pages(site.versions.len());
            let rows: Vec<VersionRow> = (0..site.versions.len())
                .rev()
                .skip((page - 1) * plan::RUNS_PER_PAGE)
                .take(plan::RUNS_PER_PAGE)
                .map(|vi| {
                    let v = &site.versions[vi];
                    VersionRow {
                        r: version_ref(site, idx, vi),
                        summary: summary_view(site, vi),
                        artifacts: v.artifacts.len(),
                        counts: v.problems,
                        manifest: manifest_label(v.manifest),
                        flagged: v.verdict.flagged().map(|c| c.summary.clone()).collect(),
                    }
                })
                .collect();
            ctx.insert("versions", &rows);
            ctx.insert(
                "pager",
                &Pager {
                    current: page,
                    count,
                    newer: (page > 1).then(|| plan::runs(page - 1)),
                    older: (page < count).then(|| plan::runs(page + 1)),
                },
            );
            ctx.insert("counts", &Counts::of(&site.problems));
            let sparks = if page == 1 { crate::view::trends::sparks(site) } else { Vec::new() };
            ctx.insert("sparks", &sparks);
            let home = Link { label: "Home".into(), href: "index.html".into() };
            match page {
                1 => (config.title.clone(), vec![home]),
                n => (format!("Runs, page {n}"), vec![home, Link { label: format!("Page {n}"), href: plan::runs(n) }]),
            }
        }
        PageKind::Latest => ("Latest version".into(), crumbs(site, None, vec![])),
        PageKind::Trends => {
            ctx.insert("charts", &crate::view::trends::view(site, &crate::util::paths::root_prefix(path)));
            ctx.insert("runs", &crate::view::trends::Runs::of(site));
            (
                "Trends".into(),
                crumbs(site, None, vec![Link { label: "Trends".into(), href: "trends/index.html".into() }]),
            )
        }
        PageKind::Quality(vi) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            ctx.insert("quality", &crate::view::quality::view(v, &crate::util::paths::root_prefix(path)));
            let trail = vec![Link { label: "Data quality".into(), href: plan::quality(v) }];
            (format!("Data quality of {}", v.id), crumbs(site, Some(vi), trail))
        }
        PageKind::Compare(vi) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let compare = vi.checked_sub(1).map(|pi| crate::view::compare::view(&site.versions[pi], v));
            ctx.insert("compare", &compare);
            ctx.insert("against", "previous");
            ctx.insert("baseline", &baseline_link(site, idx, vi));
            let trail = vec![Link { label: "Compare".into(), href: plan::compare(v) }];
            (format!("{} compared with the previous run", v.id), crumbs(site, Some(vi), trail))
        }
        PageKind::Baseline(vi) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let bi = idx.baseline.expect("baseline pages exist only with a baseline");
            ctx.insert("compare", &Some(crate::view::compare::view(&site.versions[bi], v)));
            ctx.insert("against", "baseline");
            ctx.insert("baseline", &baseline_link(site, idx, vi));
            let trail = vec![
                Link { label: "Compare".into(), href: plan::compare(v) },
                Link { label: "Baseline".into(), href: plan::baseline(v) },
            ];
            (format!("{} compared with the baseline {}", v.id, site.versions[bi].id), crumbs(site, Some(vi), trail))
        }
        PageKind::NotFound => ("Page not found".into(), crumbs(site, None, vec![])),
        PageKind::Content(vi, ci) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let view = content_view(site, config, vi, ci);
            let trail = vec![Link { label: v.json[v.content[ci].0].rel.clone(), href: plan::content(site, v, ci) }];
            let title = format!("{}: {}", view.type_title, view.rel);
            ctx.insert("content", &view);
            (title, crumbs(site, Some(vi), trail))
        }
        PageKind::Search => (
            "Search".into(),
            crumbs(site, None, vec![Link { label: "Search".into(), href: "search/index.html".into() }]),
        ),
        PageKind::Problems => {
            // Worst run first within bounds: the full list is in problems.json.
            let page_of = |path: &str| problem_href(idx, path);
            let mut runs = Vec::new();
            let mut room = MAX_PROBLEM_ROWS;
            for (vi, v) in site.versions.iter().enumerate().rev() {
                let mine: Vec<&Diagnostic> =
                    site.problems.iter().filter(|d| crate::judge::belongs_to(d, &v.id)).collect();
                if mine.is_empty() {
                    continue;
                }
                let found = crate::view::findings::group(Some(&v.id), &mine, room, Paths::Root, &page_of);
                room = room.saturating_sub(found.files.iter().map(|f| f.rows.len()).sum());
                let anchor = format!("run-{}", v.slug);
                runs.push(RunProblems { r: Some(version_ref(site, idx, vi)), anchor, found });
            }
            let outside: Vec<&Diagnostic> = site
                .problems
                .iter()
                .filter(|d| !site.versions.iter().any(|v| crate::judge::belongs_to(d, &v.id)))
                .collect();
            if !outside.is_empty() {
                let found = crate::view::findings::group(None, &outside, room, Paths::Root, &page_of);
                runs.push(RunProblems { r: None, anchor: "site".into(), found });
            }
            ctx.insert("runs", &runs);
            ctx.insert("counts", &Counts::of(&site.problems));
            (
                "Problems".into(),
                crumbs(site, None, vec![Link { label: "Problems".into(), href: "problems/index.html".into() }]),
            )
        }
        PageKind::Version(vi) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let prev = vi.checked_sub(1).map(|p| &site.versions[p]);
            ctx.insert("summary", &summary_view(site, vi));
            ctx.insert("stages", &(0..v.stages.len()).map(|si| stage_row(v, prev, si)).collect::<Vec<_>>());
            ctx.insert("checks", &v.verdict.results.iter().map(|r| check_view(site, vi, r)).collect::<Vec<_>>());
            let mine: Vec<&Diagnostic> = site.problems.iter().filter(|d| crate::judge::belongs_to(d, &v.id)).collect();
            let page_of = |path: &str| problem_href(idx, path);
            let found = crate::view::findings::group(Some(&v.id), &mine, MAX_PROBLEM_ROWS, Paths::Run, &page_of);
            ctx.insert("problems", &found);
            let eda: Vec<Link> =
                (0..v.eda.len()).map(|ei| Link { label: v.eda[ei].name.clone(), href: plan::eda(v, ei) }).collect();
            ctx.insert("eda", &eda);
            let unified: Vec<ArtifactRow> = (0..v.artifacts.len())
                .filter(|&ai| v.artifacts[ai].file.as_deref().is_some_and(|f| f.starts_with("unified_reports/")))
                .map(|ai| artifact_row(v, ai))
                .collect();
            ctx.insert("unified", &unified);
            ctx.insert("artifact_count", &v.artifacts.len());
            ctx.insert("counts", &v.problems);
            ctx.insert("manifest", manifest_label(v.manifest));
            ctx.insert("artifacts_href", &plan::artifacts(v));
            ctx.insert("quality_href", &plan::quality(v));
            ctx.insert("compare_href", &plan::compare(v));
            (v.id.clone(), crumbs(site, Some(vi), vec![]))
        }
        PageKind::Artifacts(vi) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let mut groups: Vec<Group> = Vec::new();
            let mut order: Vec<usize> = (0..v.artifacts.len()).collect();
            order.sort_by(|&a, &b| v.artifacts[a].artifact_type.cmp(&v.artifacts[b].artifact_type).then(a.cmp(&b)));
            for ai in order {
                let kind = &v.artifacts[ai].artifact_type;
                let group = match groups.last_mut() {
                    Some(g) if g.name == *kind => g,
                    _ => {
                        groups.push(Group { name: kind.clone(), rows: Vec::new(), total: 0, more: 0 });
                        groups.last_mut().expect("just pushed")
                    }
                };
                group.total += 1;
                if group.rows.len() < MAX_ROWS {
                    group.rows.push(artifact_row(v, ai));
                } else {
                    group.more += 1;
                }
            }
            ctx.insert("groups", &groups);
            let trail = vec![Link { label: "Artifacts".into(), href: plan::artifacts(v) }];
            (format!("Artifacts of {}", v.id), crumbs(site, Some(vi), trail))
        }
        PageKind::Artifact(vi, ai) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let a = &v.artifacts[ai];
            ctx.insert("artifact", &artifact_view(site, idx, config, vi, ai, preview));
            // The preview's own findings are shown with the preview; a build
            // adds them to the site's problems only after this page.
            let own: Vec<Diagnostic> = match (preview, a.file.as_deref()) {
                (Some(p), Some(rel)) => crate::load::preview_problems(&v.id, rel, p).collect(),
                _ => Vec::new(),
            };
            let path = a.file.as_deref().map(|f| format!("{}/{f}", v.id));
            let mine: Vec<&Diagnostic> = match &path {
                Some(path) => site.problems.iter().filter(|d| &d.path == path && !own.contains(d)).collect(),
                None => Vec::new(),
            };
            ctx.insert(
                "problems",
                &crate::view::findings::group(Some(&v.id), &mine, MAX_PROBLEM_ROWS, Paths::Run, &|_| None),
            );
            let stage_idx = v.stages.iter().position(|s| s.name == a.stage);
            let mut trail = Vec::new();
            if let Some(si) = stage_idx {
                trail.push(Link { label: a.stage.clone(), href: plan::stage(v, si) });
            }
            trail.push(Link { label: a.name.clone(), href: plan::artifact(v, ai) });
            (a.name.clone(), crumbs(site, Some(vi), trail))
        }
        PageKind::Stage(vi, si) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            ctx.insert("stage", &stage_row(v, vi.checked_sub(1).map(|p| &site.versions[p]), si));
            let name = v.stages[si].name.clone();
            let trail = vec![Link { label: name.clone(), href: plan::stage(v, si) }];
            (format!("Stage {name}"), crumbs(site, Some(vi), trail))
        }
        PageKind::Etl(vi, di) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            ctx.insert("etl", &etl_view(site, config, vi, di));
            let d = &v.json[di];
            let path = format!("{}/{}", v.id, d.rel);
            let mine: Vec<&Diagnostic> = site.problems.iter().filter(|p| p.path == path).collect();
            ctx.insert(
                "problems",
                &crate::view::findings::group(Some(&v.id), &mine, MAX_PROBLEM_ROWS, Paths::Run, &|_| None),
            );
            let mut trail = Vec::new();
            if let Some(si) = d.stage.as_ref().and_then(|s| v.stages.iter().position(|st| &st.name == s)) {
                trail.push(Link { label: v.stages[si].name.clone(), href: plan::stage(v, si) });
            }
            let label = d.rel.rsplit('/').next().unwrap_or(&d.rel).to_string();
            trail.push(Link { label: label.clone(), href: plan::etl(v, di).unwrap_or_default() });
            (label, crumbs(site, Some(vi), trail))
        }
        PageKind::Eda(vi, ei) => {
            insert_version(&mut ctx, site, idx, vi, kind);
            let v = &site.versions[vi];
            let e = &v.eda[ei];
            let a = &v.artifacts[e.artifact];
            let files = |list: &[String]| -> Vec<Link> {
                list.iter()
                    .map(|f| Link {
                        label: f.rsplit('/').next().unwrap_or(f).to_string(),
                        href: url_path(&plan::file(v, f)),
                    })
                    .collect()
            };
            ctx.insert(
                "eda",
                &EdaView {
                    name: e.name.clone(),
                    report_href: a.file.as_deref().map(|f| url_path(&plan::file(v, f))).unwrap_or_default(),
                    artifact_href: plan::artifact(v, e.artifact),
                    description: a.description.clone(),
                    figures: files(&e.figures),
                    tables: files(&e.tables),
                    other: files(&e.other),
                },
            );
            let trail = vec![Link { label: format!("EDA: {}", e.name), href: plan::eda(v, ei) }];
            (format!("EDA report {}", e.name), crumbs(site, Some(vi), trail))
        }
    };
    ctx.insert("title", &title);
    ctx.insert("crumbs", &trail);
    ctx
}

#[derive(Serialize)]
struct Group {
    name: String,
    /// The first [`MAX_ROWS`] of the group.
    rows: Vec<ArtifactRow>,
    total: usize,
    more: usize,
}

#[derive(Serialize)]
struct EdaView {
    name: String,
    report_href: String,
    artifact_href: String,
    description: Option<String>,
    figures: Vec<Link>,
    tables: Vec<Link>,
    other: Vec<Link>,
}

fn insert_version(ctx: &mut PageContext, site: &Site, idx: &SiteIndex, vi: usize, kind: PageKind) {
    ctx.insert("version", &version_ref(site, idx, vi));
    ctx.insert("prev_version", &vi.checked_sub(1).map(|p| version_ref(site, idx, p)));
    ctx.insert("next_version", &(vi + 1 < site.versions.len()).then(|| version_ref(site, idx, vi + 1)));
    ctx.insert("switcher", &switcher(site, idx, vi, kind));
}

/// How many versions before and after the current one the switcher lists.
const SWITCHER_SPAN: usize = 5;

/// A link of the version switcher.
#[derive(Serialize)]
pub struct SwitchLink {
    /// Version id.
    label: String,
    /// The same page in that version, or its summary.
    href: String,
    /// Whether `href` is the same page (not the summary as a fallback).
    same: bool,
    /// Whether this is the current version.
    current: bool,
    /// That version's verdict.
    verdict: Health,
}

/// The same page in nearby versions: the same artifact, stage, ETL file or
/// report when that version has it, else that version's summary.
fn switcher(site: &Site, idx: &SiteIndex, vi: usize, kind: PageKind) -> Vec<SwitchLink> {
    let v = &site.versions[vi];
    let lo = vi.saturating_sub(SWITCHER_SPAN);
    let hi = (vi + SWITCHER_SPAN + 1).min(site.versions.len());
    (lo..hi)
        .rev()
        .map(|wi| {
            let w = &site.versions[wi];
            let same: Option<String> = match kind {
                PageKind::Version(_) => Some(plan::version(w)),
                PageKind::Artifacts(_) => Some(plan::artifacts(w)),
                PageKind::Quality(_) => Some(plan::quality(w)),
                PageKind::Compare(_) => Some(plan::compare(w)),
                PageKind::Baseline(_) => (Some(wi) != idx.baseline).then(|| plan::baseline(w)),
                PageKind::Artifact(_, ai) => {
                    let a = &v.artifacts[ai];
                    let key = (wi, a.stage.as_str(), a.name.as_str());
                    idx.artifact_at.get(&key).map(|&wa| plan::artifact(w, wa))
                }
                PageKind::Stage(_, si) => {
                    idx.stage_at.get(&(wi, v.stages[si].name.as_str())).map(|&ws| plan::stage(w, ws))
                }
                PageKind::Etl(_, di) => {
                    idx.json_at.get(&(wi, v.json[di].rel.as_str())).and_then(|&wd| plan::etl(w, wd))
                }
                PageKind::Eda(_, ei) => idx.eda_at.get(&(wi, v.eda[ei].name.as_str())).map(|&we| plan::eda(w, we)),
                PageKind::Content(_, ci) => idx
                    .json_at
                    .get(&(wi, v.json[v.content[ci].0].rel.as_str()))
                    .and_then(|&wd| w.content.iter().position(|&(d, _)| d == wd))
                    .map(|wc| plan::content(site, w, wc)),
                _ => None,
            };
            SwitchLink {
                label: w.id.clone(),
                same: same.is_some(),
                href: same.unwrap_or_else(|| plan::version(w)),
                current: wi == vi,
                verdict: w.verdict.status,
            }
        })
        .collect()
}

/// The problems page lists at most this many rows (errors first).
pub const MAX_PROBLEM_ROWS: usize = 2000;

/// The problems of one run (or of the site, without `r`) on the problems page.
#[derive(Serialize)]
struct RunProblems {
    r: Option<VersionRef>,
    /// Its section's id on the problems page: `run-{slug}`, or `site`.
    anchor: String,
    found: crate::view::findings::RunFindings,
}

/// The page that shows the file at `path` (relative to the artifacts root):
/// its artifact or ETL page, else its version's summary.
fn problem_href(idx: &SiteIndex, path: &str) -> Option<String> {
    let file_pages = idx.file_pages();
    file_pages.get(path).cloned().or_else(|| file_pages.get(path.split('/').next().unwrap_or("")).cloned())
}

/// A check as the version page lists it.
#[derive(Serialize)]
struct CheckView {
    id: String,
    name: String,
    status: Health,
    value: Option<NumView>,
    value_text: Option<String>,
    expected: String,
    previous: Option<String>,
    message: String,
    /// Where the value came from: the JSON field, or the run's problems.
    href: Option<String>,
}

fn check_view(site: &Site, vi: usize, r: &crate::judge::CheckResult) -> CheckView {
    let v = &site.versions[vi];
    let href = match &r.source {
        crate::judge::Source::Field(s) => field_href(v, s.doc, &s.pointer),
        crate::judge::Source::Problems => Some(format!("{}#problems", plan::version(v))),
        crate::judge::Source::Computed => None,
    };
    let value = r.value.map(|x| NumView {
        text: html::number(x, 2),
        value: exact(x),
        href: match &r.source {
            crate::judge::Source::Field(_) => href.clone(),
            _ => None,
        },
    });
    CheckView {
        id: r.id.clone(),
        name: r.name.clone(),
        status: r.status,
        value,
        value_text: r.value_text.clone(),
        expected: r.expected.clone(),
        previous: r.previous.map(|p| html::number(p, 2)),
        message: r.message.clone(),
        href,
    }
}

/// The link to the baseline comparison of version `vi`, when there is one.
fn baseline_link(site: &Site, idx: &SiteIndex, vi: usize) -> Option<Link> {
    let bi = idx.baseline?;
    (bi != vi).then(|| Link { label: site.versions[bi].id.clone(), href: plan::baseline(&site.versions[vi]) })
}

#[derive(Serialize)]
struct ArtifactView<'a> {
    row: ArtifactRow,
    id: Option<String>,
    file: Option<String>,
    declared_path: Option<String>,
    created_at: Option<String>,
    record_pointer: Option<String>,
    record: Vec<Field>,
    metadata: Vec<Field>,
    metadata_scalar: Option<String>,
    preview: Option<PreviewView<'a>>,
    etl_href: Option<String>,
    eda_href: Option<String>,
    content_href: Option<String>,
    prev: Option<Link>,
    next: Option<Link>,
}

/// What the artifact page shows of the file: the loaded preview, plus what
/// only rendering knows (the raw file's href, the JSON tree).
#[derive(Serialize)]
struct PreviewView<'a> {
    #[serde(flatten)]
    preview: &'a crate::input::preview::Preview,
    /// The raw file, relative to the site root.
    src: String,
    /// Alt text for images: the description, else the name.
    alt: String,
    /// The JSON tree, for `json_tree` previews of documents that parsed.
    tree: Option<String>,
    /// Where the document stopped parsing, for `json_tree` previews that did not.
    json_error: Option<Field>,
}

fn preview_view<'a>(
    config: &crate::config::Config,
    v: &Version,
    a: &Artifact,
    preview: Option<&'a crate::input::preview::Preview>,
) -> Option<PreviewView<'a>> {
    let (preview, file) = (preview?, a.file.as_deref()?);
    let (mut tree, mut json_error) = (None, None);
    if let (crate::input::preview::Body::JsonTree, Some(di)) = (&preview.body, a.json) {
        match &v.json[di].parsed {
            Ok(value) => tree = Some(jsontree::render(value, config.json_tree_max_nodes)),
            Err(e) => {
                json_error =
                    Some(Field { key: format!("line {}, column {}", e.line, e.column), value: e.message.clone() })
            }
        }
    }
    Some(PreviewView {
        preview,
        src: url_path(&plan::file(v, file)),
        alt: a.description.clone().unwrap_or_else(|| a.name.clone()),
        tree,
        json_error,
    })
}

fn artifact_view<'a>(
    site: &'a Site,
    idx: &SiteIndex,
    config: &crate::config::Config,
    vi: usize,
    ai: usize,
    preview: Option<&'a crate::input::preview::Preview>,
) -> ArtifactView<'a> {
    let v = &site.versions[vi];
    let a = &v.artifacts[ai];
    let history = idx.history.get(&(a.stage.as_str(), a.name.as_str()));
    let neighbour = |forward: bool| -> Option<Link> {
        let list = history?;
        let pos = list.iter().position(|&(hv, ha)| hv == vi && ha == ai)?;
        let other = if forward {
            list[pos + 1..].iter().find(|&&(hv, _)| hv != vi)
        } else {
            list[..pos].iter().rev().find(|&&(hv, _)| hv != vi)
        }?;
        let ov = &site.versions[other.0];
        Some(Link { label: ov.id.clone(), href: plan::artifact(ov, other.1) })
    };
    let (metadata, metadata_scalar) = match &a.metadata {
        Value::Object(m) => (fields(m), None),
        Value::Null => (Vec::new(), None),
        other => (Vec::new(), Some(field_text(other))),
    };
    ArtifactView {
        row: artifact_row(v, ai),
        id: a.id.clone(),
        file: a.file.clone(),
        declared_path: a.declared_path.clone(),
        created_at: a.created_at.clone(),
        record_pointer: a.record.as_ref().map(|r| r.pointer.clone()),
        record: a.record.as_ref().map(|r| fields(&r.fields())).unwrap_or_default(),
        metadata,
        metadata_scalar,
        preview: preview_view(config, v, a, preview),
        etl_href: a.json.and_then(|di| plan::etl(v, di)),
        eda_href: v.eda.iter().position(|e| e.artifact == ai).map(|ei| plan::eda(v, ei)),
        content_href: a
            .json
            .and_then(|di| v.content.iter().position(|&(d, _)| d == di))
            .map(|ci| plan::content(site, v, ci)),
        prev: neighbour(false),
        next: neighbour(true),
    }
}

/// A field of a content-type file, labelled by its schema.
#[derive(Serialize)]
struct ContentField {
    title: String,
    description: Option<String>,
    /// The value as text, or null when the file lacks the field.
    value: Option<String>,
    /// Fragment id of the value in the document tree.
    id: String,
}

#[derive(Serialize)]
struct ContentView {
    type_name: String,
    type_title: String,
    type_description: Option<String>,
    rel: String,
    fields: Vec<ContentField>,
    tree: Option<String>,
    error: Option<String>,
    file_href: String,
    artifact_href: Option<String>,
}

fn content_view(site: &Site, config: &crate::config::Config, vi: usize, ci: usize) -> ContentView {
    let v = &site.versions[vi];
    let (di, ti) = v.content[ci];
    let (d, t) = (&v.json[di], &site.content_types[ti]);
    let (fields, tree, error) = match &d.parsed {
        Ok(doc) => {
            let fields = t
                .fields
                .iter()
                .map(|f| ContentField {
                    title: f.title.clone(),
                    description: f.description.clone(),
                    value: doc.pointer(&f.pointer).filter(|x| !x.is_object()).map(field_text),
                    id: pointer_id(&f.pointer),
                })
                .collect();
            (fields, Some(jsontree::render(doc, config.json_tree_max_nodes)), None)
        }
        Err(e) => (Vec::new(), None, Some(format!("line {}, column {}: {}", e.line, e.column, e.message))),
    };
    ContentView {
        type_name: t.name.clone(),
        type_title: t.title.clone(),
        type_description: t.description.clone(),
        rel: d.rel.clone(),
        fields,
        tree,
        error,
        file_href: url_path(&plan::file(v, &d.rel)),
        artifact_href: v
            .artifacts
            .iter()
            .position(|a| a.file.as_deref() == Some(d.rel.as_str()))
            .map(|ai| plan::artifact(v, ai)),
    }
}

#[derive(Serialize)]
struct FigureView {
    label: &'static str,
    unit: &'static str,
    num: NumView,
}

#[derive(Serialize)]
struct EtlView {
    rel: String,
    kind: Option<&'static str>,
    figures: Vec<FigureView>,
    tree: Option<String>,
    error: Option<Field>,
    artifact_href: Option<String>,
    file_href: String,
    size: String,
}

fn etl_view(site: &Site, config: &crate::config::Config, vi: usize, di: usize) -> EtlView {
    let v = &site.versions[vi];
    let d = &v.json[di];
    let figures = d
        .typed
        .as_ref()
        .map(|t| {
            t.figures()
                .into_iter()
                .map(|f| FigureView {
                    label: f.label,
                    unit: f.unit,
                    num: NumView {
                        text: html::number(f.value, 2),
                        value: exact(f.value),
                        href: field_href(v, di, &f.pointer),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let (tree, error) = match &d.parsed {
        Ok(value) => (Some(jsontree::render(value, config.json_tree_max_nodes)), None),
        Err(e) => {
            (None, Some(Field { key: format!("line {}, column {}", e.line, e.column), value: e.message.clone() }))
        }
    };
    let size = v.files.iter().find(|f| f.rel == d.rel).map(|f| html::bytes(f.size)).unwrap_or_default();
    EtlView {
        rel: d.rel.clone(),
        kind: d.kind.map(|k| k.label()),
        figures,
        tree,
        error,
        artifact_href: v
            .artifacts
            .iter()
            .position(|a| a.file.as_deref() == Some(d.rel.as_str()))
            .map(|ai| plan::artifact(v, ai)),
        file_href: url_path(&plan::file(v, &d.rel)),
        size,
    }
}
