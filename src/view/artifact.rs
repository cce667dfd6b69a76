//! An artifact's page: its record and metadata, the problems found in its
//! file, an ETL file's key figures (each linked to its field), the file's
//! preview, and the same artifact in the previous and next runs.

use super::common::{
    ArtifactRow, Field, Heading, Link, NumView, PageContext, Scope, artifact_row, exact, field_href, field_text, fields,
};
use super::grid;
use super::jsontree;
use super::nav::crumbs;
use super::problems;
use super::report::{ReportView, report_view};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::input::preview::{Body, Preview};
use crate::model::{Artifact, Version};
use crate::plan;
use crate::util::html;
use serde::Serialize;
use serde_json::Value;

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
    eda_href: Option<String>,
    content_href: Option<String>,
    figures: Vec<FigureView>,
    prev: Option<Link>,
    next: Option<Link>,
}

/// A key figure of an ETL file, linked to its field in the document.
#[derive(Serialize)]
struct FigureView {
    label: &'static str,
    unit: &'static str,
    num: NumView,
}

/// The key figures of JSON document `di` of `v`, when it is a known kind of
/// ETL file.
fn figures(v: &Version, di: usize) -> Vec<FigureView> {
    let Some(typed) = v.json[di].typed() else { return Vec::new() };
    typed
        .figures()
        .into_iter()
        .map(|f| FigureView {
            label: f.label,
            unit: f.unit,
            num: NumView { text: html::number(f.value, 2), value: exact(f.value), href: field_href(v, di, &f.pointer) },
        })
        .collect()
}

/// What the artifact page shows of the file: the loaded preview, plus what
/// only rendering knows (the raw file's href, the JSON tree).
#[derive(Serialize)]
struct PreviewView<'a> {
    #[serde(flatten)]
    preview: &'a Preview,
    /// The raw file, relative to the site root.
    src: String,
    /// Alt text for images: the description, else the name.
    alt: String,
    /// The JSON tree, for `json_tree` previews of documents that parsed.
    tree: Option<String>,
    /// Where the document stopped parsing, for `json_tree` previews that did not.
    json_error: Option<Field>,
    /// The rows shown of a `table` or `parquet` preview, as HTML `<tr>` elements.
    rows_html: Option<String>,
    /// What the page says beside a framed HTML report.
    report: Option<ReportView<'a>>,
}

fn preview_view<'a>(
    config: &Config,
    v: &Version,
    a: &Artifact,
    preview: Option<&'a Preview>,
    page: &str,
) -> Option<PreviewView<'a>> {
    let (preview, file) = (preview?, a.file.as_deref()?);
    let (mut tree, mut json_error) = (None, None);
    if let (Body::JsonTree, Some(di)) = (&preview.body, a.json) {
        match &v.json[di].parsed {
            Ok(doc) => tree = Some(jsontree::render(&doc.value(), config.json_tree_max_nodes, v.json[di].cut.as_ref())),
            Err(e) => {
                json_error =
                    Some(Field { key: format!("line {}, column {}", e.line, e.column), value: e.message.clone() });
            }
        }
    }
    let rows_html = match &preview.body {
        Body::Table(t) => Some(grid::rows_html(&t.columns, &t.rows)),
        #[cfg(feature = "parquet")]
        Body::Parquet(p) => Some(grid::rows_html(&p.columns, &p.sample)),
        _ => None,
    };
    Some(PreviewView {
        preview,
        src: plan::raw(v, file),
        alt: a.description.clone().unwrap_or_else(|| a.name.clone()),
        tree,
        json_error,
        rows_html,
        report: report_view(v, file, preview, page),
    })
}

/// What the page of artifact `ai` of version `vi` shows; its next run only
/// when the theme shows later runs.
fn artifact_view<'a>(s: &Scope, vi: usize, ai: usize, preview: Option<&'a Preview>) -> ArtifactView<'a> {
    let (site, idx, config) = (s.site, s.index, s.config);
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
        preview: preview_view(config, v, a, preview, &plan::artifact(v, ai)),
        figures: a.json.map(|di| figures(v, di)).unwrap_or_default(),
        eda_href: v.eda.iter().position(|e| e.artifact == ai).map(|ei| plan::eda(v, ei)),
        content_href: a
            .json
            .and_then(|di| v.content.iter().position(|&(d, _)| d == di))
            .map(|ci| plan::content(site, v, ci)),
        prev: neighbour(false),
        next: if s.later_runs { neighbour(true) } else { None },
    }
}

/// The page of artifact `ai` of version `vi`, showing `preview` of its file.
pub(crate) fn page(s: &Scope, vi: usize, ai: usize, preview: Option<&Preview>, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    let a = &v.artifacts[ai];
    ctx.insert("artifact", &artifact_view(s, vi, ai, preview));
    // The preview's own findings are shown with the preview; a build adds
    // them to the site's problems only after this page.
    let own: Vec<Diagnostic> = match (preview, a.file.as_deref()) {
        (Some(p), Some(rel)) => crate::load::preview_problems(&v.id, &v.files, rel, p),
        _ => Vec::new(),
    };
    let found = match a.file.as_deref() {
        Some(f) => problems::of_file(s, vi, &format!("{}/{f}", v.id), &own),
        None => problems::of_file(s, vi, "", &own),
    };
    ctx.insert("problems", &found);
    let mut trail = Vec::new();
    if let Some(si) = v.stages.iter().position(|st| st.name == a.stage) {
        trail.push(Link { label: a.stage.clone(), href: plan::stage(v, si) });
    }
    trail.push(Link { label: a.name.clone(), href: plan::artifact(v, ai) });
    Heading { title: a.name.clone(), crumbs: crumbs(s.site, Some(vi), trail) }
}
