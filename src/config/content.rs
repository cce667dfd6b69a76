//! The `content_types:` section of the config: a team's own kinds of JSON
//! file, each a schema, a glob and optionally a template (see
//! [`crate::input::content`]).

use serde::{Deserialize, Serialize};

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
