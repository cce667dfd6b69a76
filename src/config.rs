//! `artsite.yaml`: the site's settings, every key with a default.
//!
//! Unknown keys are errors that name the key and suggest the closest known
//! one. Command-line flags override the file.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The config file looked for when `--config` is not given.
pub const DEFAULT_FILE: &str = "artsite.yaml";

/// Site settings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Artifacts root: the folder holding one folder per pipeline run.
    pub root: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Public URL the site is served from, for absolute links (optional).
    pub base_url: Option<String>,
    /// Site title, shown in every page header.
    pub title: String,
    /// One line under the title on the home page.
    pub description: Option<String>,
    /// Footer text.
    pub footer: Option<String>,
    /// At most this many JSON values are drawn in one JSON tree.
    pub json_tree_max_nodes: usize,
    /// Rows shown in a table preview (CSV, TSV, parquet).
    pub preview_rows: usize,
    /// Characters shown of one table cell; longer cells are cut.
    pub preview_cell_chars: usize,
    /// JSON files up to this many bytes are shown as a tree; larger ones as
    /// their first bytes, highlighted, with a link to the raw file.
    pub preview_json_bytes: u64,
    /// Lines shown of a text file: the first ones, or the last ones of a log.
    pub preview_text_lines: usize,
    /// How raw files get into the site: `hardlink` (fast, falls back to a
    /// copy across file systems) or `copy`.
    pub raw_files: RawFiles,
}

/// How raw files get into the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawFiles {
    /// Hard-link each file, copying where linking fails.
    Hardlink,
    /// Copy each file.
    Copy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            root: PathBuf::from("artifacts"),
            out: PathBuf::from("public"),
            base_url: None,
            title: "Pipeline reports".into(),
            description: None,
            footer: None,
            json_tree_max_nodes: 5000,
            preview_rows: 100,
            preview_cell_chars: 200,
            preview_json_bytes: 1024 * 1024,
            preview_text_lines: 200,
            raw_files: RawFiles::Hardlink,
        }
    }
}

const KEYS: &[&str] = &[
    "root",
    "out",
    "base_url",
    "title",
    "description",
    "footer",
    "json_tree_max_nodes",
    "preview_rows",
    "preview_cell_chars",
    "preview_json_bytes",
    "preview_text_lines",
    "raw_files",
];

/// Why a config file could not be used.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "config {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads a config file. Paths in it are relative to the file's folder.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut config = Config::from_yaml(&text).map_err(err)?;
        let base = path.parent().unwrap_or(Path::new(""));
        if config.root.is_relative() {
            config.root = base.join(&config.root);
        }
        if config.out.is_relative() {
            config.out = base.join(&config.out);
        }
        Ok(config)
    }

    /// Parses config text; an empty document gives the defaults.
    pub fn from_yaml(text: &str) -> Result<Config, String> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_saphyr::from_str(text).map_err(|e| with_suggestion(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("`title` is empty; expected the site's name".into());
        }
        if let Some(url) = &self.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("`base_url` \"{url}\" is not an http(s) URL"));
        }
        if self.preview_cell_chars == 0 {
            return Err("`preview_cell_chars` is 0; expected at least 1".into());
        }
        Ok(())
    }
}

/// Adds "did you mean" to serde's unknown-field message.
fn with_suggestion(message: String) -> String {
    let Some(start) = message.find("unknown field `") else { return message };
    let rest = &message[start + "unknown field `".len()..];
    let Some(end) = rest.find('`') else { return message };
    let unknown = &rest[..end];
    let best = KEYS.iter().map(|k| (strsim::damerau_levenshtein(unknown, k), *k)).min().filter(|(d, _)| *d <= 3);
    match best {
        Some((_, k)) => format!("{message}\n  did you mean `{k}`?"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Config::from_yaml("").unwrap(), Config::default());
        let c = Config::from_yaml("title: Keystroke pipeline\nbase_url: https://x.example/\n").unwrap();
        assert_eq!(c.title, "Keystroke pipeline");
    }

    #[test]
    fn unknown_keys_suggest_the_closest() {
        let e = Config::from_yaml("titel: x\n").unwrap_err();
        assert!(e.contains("titel") && e.contains("did you mean `title`"), "{e}");
        let e = Config::from_yaml("preview_row: 5\n").unwrap_err();
        assert!(e.contains("did you mean `preview_rows`"), "{e}");
        let e = Config::from_yaml("base_url: ftp://x\n").unwrap_err();
        assert!(e.contains("base_url"), "{e}");
    }
}
