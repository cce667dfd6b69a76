//! Content types a team registers in config, without Rust: a JSON Schema, a
//! glob of files, and optionally a template. Matching JSON files get pages of
//! their own, labelled with the schema's field titles.
//!
//! ```yaml
//! content_types:
//!   - name: model_card
//!     schema: schemas/model_card.schema.json
//!     match: "models/*.json"        # relative to each version folder
//!     template: model_card.html     # optional; the theme's content.html otherwise
//! ```

use crate::model::Site;
use crate::util::paths::{pointer_push, segment, slug};
use anyhow::{Context as _, Result, bail};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// A content type as the config declares it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// Name, used in page paths and labels.
    pub name: String,
    /// JSON Schema file (relative to the config's folder).
    pub schema: std::path::PathBuf,
    /// Glob of the files it covers, relative to a version folder.
    #[serde(rename = "match")]
    pub pattern: String,
    /// Template for its pages (a site or theme template); `content.html` by default.
    pub template: Option<String>,
}

/// One labelled field of a schema.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Field {
    /// JSON pointer of the field.
    pub pointer: String,
    /// The schema's `title`, or the key.
    pub title: String,
    /// The schema's `description`, if any.
    pub description: Option<String>,
}

/// A registered content type, ready to match files.
#[derive(Debug, Clone)]
pub struct ContentType {
    /// Its name.
    pub name: String,
    /// Its path segment.
    pub slug: String,
    /// The schema's title, or the name.
    pub title: String,
    /// The schema's description.
    pub description: Option<String>,
    /// The template of its pages.
    pub template: String,
    /// Labelled fields, in schema order (nested objects included).
    pub fields: Vec<Field>,
    matcher: GlobMatcher,
}

fn collect_fields(schema: &Value, pointer: &str, out: &mut Vec<Field>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return };
    for (key, prop) in props {
        let p = pointer_push(pointer, key);
        out.push(Field {
            pointer: p.clone(),
            title: prop.get("title").and_then(Value::as_str).unwrap_or(key).to_string(),
            description: prop.get("description").and_then(Value::as_str).map(str::to_string),
        });
        collect_fields(prop, &p, out);
    }
}

impl ContentType {
    /// Reads the schema of `declared`, relative to `site_dir`.
    pub fn load(declared: &Declared, site_dir: &Path) -> Result<ContentType> {
        let path = site_dir.join(&declared.schema);
        let what = format!("content type `{}`", declared.name);
        let text = std::fs::read(&path).with_context(|| format!("{what}: cannot read schema {}", path.display()))?;
        let schema: Value = serde_json::from_slice(&text)
            .with_context(|| format!("{what}: schema {} is not valid JSON", path.display()))?;
        if !schema.is_object() {
            bail!("{what}: schema {} is not a JSON object", path.display());
        }
        let matcher = Glob::new(&declared.pattern)
            .with_context(|| format!("{what}: `match` pattern \"{}\" is not a valid glob", declared.pattern))?
            .compile_matcher();
        let mut fields = Vec::new();
        collect_fields(&schema, "", &mut fields);
        Ok(ContentType {
            slug: slug(&declared.name),
            name: declared.name.clone(),
            title: schema.get("title").and_then(Value::as_str).unwrap_or(&declared.name).to_string(),
            description: schema.get("description").and_then(Value::as_str).map(str::to_string),
            template: declared.template.clone().unwrap_or_else(|| "content.html".into()),
            fields,
            matcher,
        })
    }

    /// Whether the file at `rel` (in a version folder) is of this type.
    pub fn matches(&self, rel: &str) -> bool {
        self.matcher.is_match(rel)
    }
}

/// Registers `types` on `site` and finds their files in every version. The
/// first type whose pattern matches a JSON file takes it.
pub fn attach(site: &mut Site, types: Vec<ContentType>) {
    for v in &mut site.versions {
        v.content = v
            .json
            .iter()
            .enumerate()
            .filter_map(|(di, d)| types.iter().position(|t| t.matches(&d.rel)).map(|ti| (di, ti)))
            .collect();
    }
    site.content_types = types;
}

/// The page path of a content file: `c/{type}/{path without .json}/index.html`.
pub fn page_path(t: &ContentType, rel: &str) -> String {
    let inner = rel.strip_suffix(".json").unwrap_or(rel);
    let segs: Vec<String> = inner.split('/').map(segment).collect();
    format!("c/{}/{}/index.html", t.slug, segs.join("/"))
}
