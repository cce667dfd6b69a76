//! `artsite.yaml`: the site's settings, every key with a default.
//!
//! Unknown keys are errors that name the key and suggest the closest known
//! one. Command-line flags override the file.

pub(crate) mod checks;
pub mod content;
pub(crate) mod limits;
pub(crate) mod previews;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The config file looked for when `--config` is not given.
pub const DEFAULT_FILE: &str = "artsite.yaml";

/// Site settings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Artifacts root: the folder holding one folder per pipeline run, or a
    /// bucket URL (`s3://bucket/prefix/`, `gs://`, `az://`).
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
    /// How raw files get into the site: `copy`, `hardlink` (falls back to a
    /// copy across file systems) or `link` (not published: pages link to
    /// them at `raw_base_url`). Unset: `link` when `raw_base_url` is set,
    /// else `copy`; see [`Config::raw_files`].
    pub raw_files: Option<RawFiles>,
    /// The public URL of the artifacts root (a bucket's or a CDN's), under
    /// which each run's files are `{run}/{path}`; pages link raw files
    /// there when `raw_files` is `link`.
    pub raw_base_url: Option<String>,
    /// Theme: a built-in one (`default`, `compact`) or a folder `themes/{name}/`.
    pub theme: String,
    /// Values for the theme's variables (see its `theme.yaml`).
    pub theme_variables: Map<String, Value>,
    /// Logo image shown next to the title (copied into the site).
    pub logo: Option<PathBuf>,
    /// Favicon (copied into the site).
    pub favicon: Option<PathBuf>,
    /// Free values passed to every template as `site.extra`.
    pub extra: Map<String, Value>,
    /// Colours for light mode, as CSS colours.
    pub colors: Colors,
    /// Colours for dark mode, as CSS colours.
    pub colors_dark: Colors,
    /// Font stacks.
    pub fonts: Fonts,
    /// Let EDA reports in their sandboxed frame load their own figures from
    /// `file://` (`sandbox="allow-same-origin"`; scripts stay blocked). Off by default.
    pub eda_allow_same_origin: bool,
    /// Content types of the team's own JSON files (see [`content`]).
    pub content_types: Vec<content::Declared>,
    /// Health checks: the built-in ones and the site's own rules, which give
    /// each run its verdict.
    pub checks: checks::Checks,
    /// A run every other run is also compared with: a version id or an
    /// alias such as `current`.
    pub baseline: Option<String>,
    /// How often `artsite serve` lists a bucket root for new runs and
    /// changed objects, in seconds.
    pub bucket_poll_seconds: f64,
    /// The folder of the config file: site `templates/`, `static/` and
    /// `themes/` are looked up here. Not a key of the file.
    #[serde(skip)]
    pub site_dir: PathBuf,
}

/// Colour tokens; each becomes a CSS custom property of the same name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    /// `--brand`: links, headline numbers, the first chart series.
    pub brand: Option<String>,
    /// `--accent`: focus rings, the second chart series.
    pub accent: Option<String>,
    /// `--good`: passing checks, improvements.
    pub good: Option<String>,
    /// `--warn`: warnings.
    pub warn: Option<String>,
    /// `--bad`: errors, regressions.
    pub bad: Option<String>,
    /// `--bg`: page background.
    pub background: Option<String>,
    /// `--text`: body text.
    pub text: Option<String>,
}

/// Font tokens.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    /// `--font`: the text font stack.
    pub text: Option<String>,
    /// `--mono`: the code font stack.
    pub mono: Option<String>,
}

impl Colors {
    fn pairs(&self) -> [(&'static str, &Option<String>); 7] {
        [
            ("brand", &self.brand),
            ("accent", &self.accent),
            ("good", &self.good),
            ("warn", &self.warn),
            ("bad", &self.bad),
            ("bg", &self.background),
            ("text", &self.text),
        ]
    }
}

/// A token value may not end a CSS declaration or block.
fn css_safe(value: &str) -> bool {
    !value.chars().any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\') || c.is_control())
}

impl Config {
    /// How raw files get into the site: as set, else `link` when
    /// `raw_base_url` is set, else `copy`.
    pub fn raw_files(&self) -> RawFiles {
        match (self.raw_files, &self.raw_base_url) {
            (Some(mode), _) => mode,
            (None, Some(_)) => RawFiles::Link,
            (None, None) => RawFiles::Copy,
        }
    }

    /// The URL of run `id`'s folder at `raw_base_url`, ending in `/`, when
    /// the site links raw files there.
    pub fn raw_url(&self, id: &str) -> Option<String> {
        let base = self.raw_base_url.as_deref().filter(|_| self.raw_files() == RawFiles::Link)?;
        Some(run_url(base, id))
    }

    /// The bucket URL the root names, when it is in object storage.
    pub fn bucket(&self) -> Option<&str> {
        self.root.to_str().filter(|r| crate::util::paths::is_bucket_url(r))
    }

    /// The site's CSS custom properties from `colors`, `colors_dark` and `fonts`.
    pub fn tokens_css(&self) -> String {
        let mut out = String::from("/* Generated by artsite from artsite.yaml: colors, colors_dark, fonts. */\n");
        let mut light: Vec<String> =
            self.colors.pairs().iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("--{k}: {v};"))).collect();
        light.extend(self.fonts.text.as_ref().map(|v| format!("--font: {v};")));
        light.extend(self.fonts.mono.as_ref().map(|v| format!("--mono: {v};")));
        if !light.is_empty() {
            out.push_str(&format!(":root {{ {} }}\n", light.join(" ")));
        }
        let dark: Vec<String> =
            self.colors_dark.pairs().iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("--{k}: {v};"))).collect();
        if !dark.is_empty() {
            out.push_str(&format!("@media (prefers-color-scheme: dark) {{ :root {{ {} }} }}\n", dark.join(" ")));
        }
        out
    }
}

/// The URL of run `id`'s folder under `base`, the artifacts root's public
/// URL, ending in `/`.
pub(crate) fn run_url(base: &str, id: &str) -> String {
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{}/", crate::util::paths::url_path(id))
}

/// How raw files get into the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawFiles {
    /// Copy each file: a copy-on-write clone where the file system has them
    /// (Btrfs, XFS, APFS, ReFS), a plain copy elsewhere. The site is a
    /// snapshot: a pipeline rewriting a file in place does not change it.
    Copy,
    /// Hard-link each file, copying where linking fails: no bytes copied, but
    /// the published file is the pipeline's own, so an in-place rewrite
    /// changes the site without a build.
    Hardlink,
    /// Publish no raw file: pages link each one at `raw_base_url`, where the
    /// artifacts root is served already (a bucket with public reads, a CDN).
    Link,
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
            raw_files: None,
            raw_base_url: None,
            theme: "default".into(),
            theme_variables: Map::new(),
            logo: None,
            favicon: None,
            extra: Map::new(),
            colors: Colors::default(),
            colors_dark: Colors::default(),
            fonts: Fonts::default(),
            content_types: Vec::new(),
            checks: checks::Checks::default(),
            baseline: None,
            bucket_poll_seconds: 10.0,
            eda_allow_same_origin: false,
            site_dir: PathBuf::from("."),
        }
    }
}

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
        config.site_dir = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base.to_path_buf() };
        for file in [&mut config.logo, &mut config.favicon].into_iter().flatten() {
            if file.is_relative() {
                *file = base.join(&*file);
            }
        }
        if config.root.is_relative() && config.bucket().is_none() {
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
        for (k, v) in self
            .colors
            .pairs()
            .into_iter()
            .chain(self.colors_dark.pairs())
            .chain([("font", &self.fonts.text), ("mono", &self.fonts.mono)])
        {
            if let Some(v) = v
                && !css_safe(v)
            {
                return Err(format!("`{k}` value \"{v}\" is not a CSS value (it may not contain ; {{ }} < > or \\)"));
            }
        }
        if let Some(url) = &self.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("`base_url` \"{url}\" is not an http(s) URL"));
        }
        if let Some(url) = &self.raw_base_url
            && (!(url.starts_with("http://") || url.starts_with("https://")) || url.contains(['?', '#']))
        {
            return Err(format!(
                "`raw_base_url` \"{url}\" is not an http(s) URL of a folder (expected the artifacts root's public URL, such as https://my-bucket.s3.amazonaws.com/artifacts/)"
            ));
        }
        if self.raw_files == Some(RawFiles::Link) && self.raw_base_url.is_none() {
            return Err("`raw_files: link` needs `raw_base_url`: the public URL the artifacts root is served from, under which pages link each run's files".into());
        }
        if self.preview_cell_chars == 0 {
            return Err("`preview_cell_chars` is 0; expected at least 1".into());
        }
        if let Some(problem) = self.checks.rules.iter().find_map(checks::Rule::problem) {
            return Err(format!("checks: {problem}"));
        }
        if !(self.bucket_poll_seconds >= 0.1 && self.bucket_poll_seconds <= 86_400.0) {
            return Err(format!(
                "`bucket_poll_seconds` is {}; expected seconds between 0.1 and 86400",
                self.bucket_poll_seconds
            ));
        }
        if self.baseline.as_deref().is_some_and(|b| b.trim().is_empty()) {
            return Err("`baseline` is empty; expected a version id or an alias".into());
        }
        Ok(())
    }
}

/// Adds "did you mean" to serde's unknown-field message, from the names
/// the message itself says were expected (serde lists the struct's fields).
fn with_suggestion(message: String) -> String {
    let Some(start) = message.find("unknown field `") else { return message };
    let rest = &message[start + "unknown field `".len()..];
    let Some(end) = rest.find('`') else { return message };
    let unknown = &rest[..end];
    let expected: Vec<&str> = rest[end..]
        .split_once("expected one of ")
        .map(|(_, list)| {
            let list = list.lines().next().unwrap_or_default();
            list.split(',').map(|k| k.trim().trim_matches('`')).filter(|k| !k.is_empty()).collect()
        })
        .unwrap_or_default();
    match crate::util::suggest::closest(unknown, &expected) {
        Some(k) => format!("{message}\n  did you mean `{k}`?"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::checks::Level;
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Config::from_yaml("").unwrap(), Config::default());
        let c = Config::from_yaml("title: Keystroke pipeline\nbase_url: https://x.example/\n").unwrap();
        assert_eq!(c.title, "Keystroke pipeline");
    }

    #[test]
    fn raw_files_link_under_raw_base_url_by_default_and_link_needs_one() {
        assert_eq!(Config::default().raw_files(), RawFiles::Copy);
        let linked = Config::from_yaml("raw_base_url: https://cdn.example.org/runs\n").unwrap();
        assert_eq!(linked.raw_files(), RawFiles::Link, "a base URL alone links");
        assert_eq!(linked.raw_url("2024-01-02 run#1").unwrap(), "https://cdn.example.org/runs/2024-01-02%20run%231/");
        let copied = Config::from_yaml("raw_base_url: https://cdn.example.org/runs/\nraw_files: copy\n").unwrap();
        assert_eq!((copied.raw_files(), copied.raw_url("v1")), (RawFiles::Copy, None), "an explicit copy wins");
        let e = Config::from_yaml("raw_files: link\n").unwrap_err();
        assert!(e.contains("`raw_files: link` needs `raw_base_url`"), "{e}");
        for bad in ["s3://bucket/runs/", "https://cdn.example.org/runs/?sig=1"] {
            let e = Config::from_yaml(&format!("raw_base_url: {bad}\n")).unwrap_err();
            assert!(e.contains("`raw_base_url`") && e.contains("not an http(s) URL of a folder"), "{e}");
        }
        let e = Config::from_yaml("bucket_poll_seconds: 0\n").unwrap_err();
        assert!(e.contains("`bucket_poll_seconds` is 0"), "{e}");
    }

    #[test]
    fn unknown_keys_suggest_the_closest() {
        let e = Config::from_yaml("titel: x\n").unwrap_err();
        assert!(e.contains("titel") && e.contains("did you mean `title`"), "{e}");
        let e = Config::from_yaml("preview_row: 5\n").unwrap_err();
        assert!(e.contains("did you mean `preview_rows`"), "{e}");
        let e = Config::from_yaml("base_url: ftp://x\n").unwrap_err();
        assert!(e.contains("base_url"), "{e}");
        let e = Config::from_yaml("colors:\n  brnad: red\n").unwrap_err();
        assert!(e.contains("did you mean `brand`"), "{e}");
        let e = Config::from_yaml("checks:\n  defaults:\n    record_drop: off\n").unwrap_err();
        assert!(e.contains("did you mean `records_drop`"), "{e}");
    }

    #[test]
    fn checks_read_with_defaults_and_bad_rules_are_errors() {
        let c = Config::from_yaml("checks:\n  defaults:\n    records_drop: off\n").unwrap();
        assert_eq!(c.checks.defaults.records_drop, Level::Off);
        assert_eq!(c.checks.defaults.manifest, Level::Fail);
        let c = Config::from_yaml("checks:\n  rules:\n    - {name: q, metric: quality_score, min: 90}\n").unwrap();
        assert_eq!((c.checks.rules[0].min, c.checks.rules[0].severity), (Some(90.0), Level::Fail));
        for (yaml, says) in [
            ("- {name: q, metric: quality_scor, min: 1}", "did you mean `quality_score`"),
            ("- {name: q, stage: cleaning, metric: quality_score, min: 1}", "unknown stage metric"),
            ("- {name: q, metric: issues}", "has no bound"),
            ("- {name: q, file: \"a/*.json\", min: 1}", "go together"),
            ("- {name: q, file: \"a/*.json\", pointer: x, min: 1}", "not a JSON pointer"),
            ("- {name: q, metric: issues, file: a.json, pointer: /x, max: 1}", "one source"),
            ("- {name: q, metric: issues, max: 1, severity: off}", "fail or warn"),
            ("- {name: \"\", metric: issues, max: 1}", "empty `name`"),
            ("- {name: q, metric: issues, maxx: 1}", "did you mean `max`"),
        ] {
            let e = Config::from_yaml(&format!("checks:\n  rules:\n    {yaml}\n")).unwrap_err();
            assert!(e.contains(says), "{yaml}: {e}");
        }
    }
}
