//! An ETL metadata file's page: its key figures, each linked to its field,
//! the problems found in it, and the document as a tree.

use super::common::{Field, Heading, Link, NumView, PageContext, Scope, exact, field_href};
use super::jsontree;
use super::nav::crumbs;
use super::problems;
use crate::config::Config;
use crate::model::Site;
use crate::plan;
use crate::util::html;
use serde::Serialize;

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

fn etl_view(site: &Site, config: &Config, vi: usize, di: usize) -> EtlView {
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
        Ok(value) => (Some(jsontree::render(value, config.json_tree_max_nodes, d.cut.as_ref())), None),
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
        file_href: plan::raw(v, &d.rel),
        size,
    }
}

/// The page of JSON doc `di` of version `vi`.
pub(crate) fn page(s: &Scope, vi: usize, di: usize, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    ctx.insert("etl", &etl_view(s.site, s.config, vi, di));
    let d = &v.json[di];
    ctx.insert("problems", &problems::of_file(s, vi, &format!("{}/{}", v.id, d.rel), &[]));
    let mut trail = Vec::new();
    if let Some(si) = d.stage.as_ref().and_then(|name| v.stages.iter().position(|st| &st.name == name)) {
        trail.push(Link { label: v.stages[si].name.clone(), href: plan::stage(v, si) });
    }
    let label = d.rel.rsplit('/').next().unwrap_or(&d.rel).to_string();
    trail.push(Link { label: label.clone(), href: plan::etl(v, di).unwrap_or_default() });
    Heading { title: label, crumbs: crumbs(s.site, Some(vi), trail) }
}
