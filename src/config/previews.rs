//! The caps every preview keeps to, from the config's `preview_*` keys.

use super::Config;

/// The caps every preview keeps to, and how its links reach the raw files.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewConfig {
    /// Rows shown of a table.
    pub rows: usize,
    /// Characters shown of one table cell.
    pub cell_chars: usize,
    /// JSON files up to this size are drawn as a tree.
    pub json_bytes: u64,
    /// Values drawn of a JSON tree; a file over `json_bytes` is read only
    /// this far.
    pub json_tree_nodes: usize,
    /// Lines shown of a text file.
    pub text_lines: usize,
    /// The way from an artifact's page to its version's raw files, for the
    /// links of rendered Markdown (the URL scheme is the plan's to say).
    pub raw_files: String,
}

impl PreviewConfig {
    /// The caps of `config`, with links to raw files by way of `raw_files`.
    pub fn new(config: &Config, raw_files: &str) -> Self {
        PreviewConfig {
            rows: config.preview_rows,
            cell_chars: config.preview_cell_chars,
            json_bytes: config.preview_json_bytes,
            json_tree_nodes: config.json_tree_max_nodes,
            text_lines: config.preview_text_lines,
            raw_files: raw_files.to_string(),
        }
    }
}

impl Default for PreviewConfig {
    /// The default caps, with links to raw files relative to the artifact's folder.
    fn default() -> Self {
        PreviewConfig::new(&Config::default(), "")
    }
}
