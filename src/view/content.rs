//! The page of a JSON file of a registered content type: each field
//! labelled by its schema, and the document as a tree.

use super::common::{Heading, Link, PageContext, Scope, field_text};
use super::jsontree;
use super::nav::crumbs;
use crate::config::Config;
use crate::model::Site;
use crate::plan;
use crate::util::paths::pointer_id;
use serde::Serialize;

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

fn content_view(site: &Site, config: &Config, vi: usize, ci: usize) -> ContentView {
    let v = &site.versions[vi];
    let (di, ti) = v.content[ci];
    let (d, t) = (&v.json[di], &site.content_types[ti]);
    let (fields, tree, error) = match d.parsed.as_ref().map(|doc| doc.value()) {
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
            (fields, Some(jsontree::render(&doc, config.json_tree_max_nodes, d.cut.as_ref())), None)
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
        file_href: plan::raw(v, &d.rel),
        artifact_href: v
            .artifacts
            .iter()
            .position(|a| a.file.as_deref() == Some(d.rel.as_str()))
            .map(|ai| plan::artifact(v, ai)),
    }
}

/// The page of content file `ci` of version `vi`.
pub(crate) fn page(s: &Scope, vi: usize, ci: usize, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    let view = content_view(s.site, s.config, vi, ci);
    let trail = vec![Link { label: v.json[v.content[ci].0].rel.clone(), href: plan::content(s.site, v, ci) }];
    let title = format!("{}: {}", view.type_title, view.rel);
    ctx.insert("content", &view);
    Heading { title, crumbs: crumbs(s.site, Some(vi), trail) }
}
