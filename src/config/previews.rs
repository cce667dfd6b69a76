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
    /// `raw_base_url`, when pages link raw files there (`raw_files: link`):
    /// Markdown then links each run's files under it.
    pub raw_base_url: Option<String>,
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
            raw_base_url: config.raw_base_url.clone().filter(|_| config.raw_files() == super::RawFiles::Link),
        }
    }

    /// The caps for the files of run `id`: Markdown links its raw files at
    /// their URL when the site links them.
    pub fn for_run(&self, id: &str) -> std::borrow::Cow<'_, PreviewConfig> {
        match &self.raw_base_url {
            Some(base) => {
                std::borrow::Cow::Owned(PreviewConfig { raw_files: super::run_url(base, id), ..self.clone() })
            }
            None => std::borrow::Cow::Borrowed(self),
        }
    }
}

impl Default for PreviewConfig {
    /// The default caps, with links to raw files relative to the artifact's folder.
    fn default() -> Self {
        PreviewConfig::new(&Config::default(), "")
    }
}
