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

use crate::config::content::Declared;
use crate::util::paths::{pointer_push, slug};
use anyhow::{Context as _, Result, bail};
use globset::{Glob, GlobMatcher};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

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
