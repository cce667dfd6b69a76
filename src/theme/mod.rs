//! Themes: templates and static files in layers.
//!
//! Lookup order, first match wins: the site's own `templates/` and
//! `static/`, then the chosen theme (a folder `themes/{name}/` next to the
//! config, or a built-in theme of that name), then the built-in default
//! theme, which is compiled into the binary. The chosen theme's templates are
//! also registered as `theme/{name}` and the default theme's as
//! `builtin/{name}`, so a site template can `{% extends "theme/artifact.html" %}`
//! and override a single block.

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The theme API version this artsite renders.
pub const API: u32 = 1;

/// `theme.yaml`: what a theme is and which variables it takes.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The theme's name.
    pub name: String,
    /// One line about it.
    pub description: String,
    /// The theme API version it was written for.
    pub api: u32,
    /// Variables a site can set with `theme_variables`, with their defaults.
    #[serde(default)]
    pub variables: BTreeMap<String, Variable>,
}

/// A theme variable.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Value when the site does not set it.
    pub default: Value,
    /// What it does.
    pub description: String,
}

/// A theme compiled into the binary.
pub struct Builtin {
    /// Its name.
    pub name: &'static str,
    /// Its `theme.yaml`.
    pub manifest: &'static str,
    /// Templates by file name.
    pub templates: &'static [(&'static str, &'static str)],
    /// Static files by path under `static/`.
    pub statics: &'static [(&'static str, &'static [u8])],
}

macro_rules! templates {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/", $dir, "/templates/", $name)))),*]
    };
}

macro_rules! statics {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/", $dir, "/static/", $name)))),*]
    };
}

/// The built-in themes; the first is the default and the base of every other.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "default",
        manifest: include_str!("../../themes/default/theme.yaml"),
        templates: templates!("default": "base.html", "crumbs.html", "credit.html", "macros.html", "home.html", "latest.html", "404.html",
            "problems.html", "version.html", "artifacts.html", "artifact.html", "stage.html",
            "eda.html", "trends.html", "quality.html", "compare.html", "search.html", "content.html", "view.html"),
        statics: statics!("default": "style.css", "search.js", "tables.js", "nav.js", "icon.svg"),
    },
    Builtin {
        name: "compact",
        manifest: include_str!("../../themes/compact/theme.yaml"),
        templates: templates!("compact": "base.html"),
        statics: statics!("compact": "compact.css"),
    },
];

/// A theme ready to render with: every layer merged.
#[derive(Debug, Clone)]
pub struct Theme {
    /// The chosen theme's manifest.
    pub manifest: Manifest,
    /// Templates by registered name, site layer first.
    pub templates: Vec<(String, String)>,
    /// Static files by path under `static/`, after layering.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Values of the theme's variables, the site's over the defaults.
    pub variables: Map<String, Value>,
}

fn parse_manifest(text: &str, origin: &str) -> Result<Manifest> {
    let m: Manifest = serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
    if m.api != API {
        bail!("{origin}: theme API version {} is not supported by this artsite (it renders API {API})", m.api);
    }
    Ok(m)
}

/// Files under `dir`, by `/`-separated path relative to it, sorted.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in WalkDir::new(dir).sort_by_file_name() {
        let e = e.with_context(|| format!("cannot list {}", dir.display()))?;
        if e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.') {
            let rel = e.path().strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
            out.push((rel, e.path().to_path_buf()));
        }
    }
    Ok(out)
}

/// The `.html` templates under `dir` (other files, such as a README, are skipped).
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>> {
    files_under(dir)?
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, path)| {
            Ok((rel, fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?))
        })
        .collect()
}

fn read_statics(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    files_under(dir)?
        .into_iter()
        .map(|(rel, path)| Ok((rel, fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)))
        .collect()
}

/// One layer of templates and statics, from disk or built in.
struct Layer {
    manifest: Manifest,
    templates: Vec<(String, String)>,
    statics: Vec<(String, Vec<u8>)>,
}

fn builtin_layer(b: &Builtin) -> Layer {
    Layer {
        manifest: parse_manifest(b.manifest, &format!("built-in theme {}", b.name)).expect("built-in manifests parse"),
        templates: b.templates.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
        statics: b.statics.iter().map(|(n, s)| (n.to_string(), s.to_vec())).collect(),
    }
}

/// The theme folder a site may keep for `name`.
pub fn site_theme_dir(site_dir: &Path, name: &str) -> PathBuf {
    site_dir.join("themes").join(name)
}

fn chosen_layer(site_dir: &Path, name: &str) -> Result<Layer> {
    let dir = site_theme_dir(site_dir, name);
    if dir.is_dir() {
        let manifest_path = dir.join("theme.yaml");
        let text = fs::read_to_string(&manifest_path).with_context(|| {
            format!("theme {name}: cannot read {} (every theme folder needs one)", manifest_path.display())
        })?;
        return Ok(Layer {
            manifest: parse_manifest(&text, &manifest_path.display().to_string())?,
            templates: read_templates(&dir.join("templates"))?,
            statics: read_statics(&dir.join("static"))?,
        });
    }
    match BUILTINS.iter().find(|b| b.name == name) {
        Some(b) => Ok(builtin_layer(b)),
        None => {
            let known: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
            bail!(
                "unknown theme `{name}`: no folder {} and no built-in theme of that name (built-in: {})",
                dir.display(),
                known.join(", ")
            )
        }
    }
}

impl Theme {
    /// Loads the theme `name` for the site in `site_dir`, with the site's
    /// `templates/` and `static/` on top and `variables` set by the site.
    pub fn load(site_dir: &Path, name: &str, variables: &Map<String, Value>) -> Result<Theme> {
        let base = builtin_layer(&BUILTINS[0]);
        let chosen = chosen_layer(site_dir, name)?;
        let site_templates = read_templates(&site_dir.join("templates"))?;
        let site_statics = read_statics(&site_dir.join("static"))?;

        let mut templates = Vec::new();
        templates.extend(site_templates);
        templates.extend(chosen.templates.iter().map(|(n, t)| (format!("theme/{n}"), t.clone())));
        templates.extend(base.templates.iter().map(|(n, t)| (format!("builtin/{n}"), t.clone())));

        let mut statics = BTreeMap::new();
        for (n, bytes) in base.statics.into_iter().chain(chosen.statics).chain(site_statics) {
            statics.insert(n, bytes);
        }

        let mut values = Map::new();
        for (k, v) in &chosen.manifest.variables {
            values.insert(k.clone(), v.default.clone());
        }
        for (k, v) in variables {
            if !chosen.manifest.variables.contains_key(k) {
                let known: Vec<&String> = chosen.manifest.variables.keys().collect();
                bail!(
                    "theme `{name}` has no variable `{k}` (it has: {})",
                    known.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            values.insert(k.clone(), v.clone());
        }
        Ok(Theme { manifest: chosen.manifest, templates, statics, variables: values })
    }

    /// The built-in default theme with nothing on top (for tests and tools).
    pub fn builtin_default() -> Theme {
        Theme::load(Path::new("/nonexistent-artsite-site"), "default", &Map::new()).expect("the default theme loads")
    }
}

/// Copies theme `name` (a site theme folder or a built-in theme) into `to`,
/// refusing to overwrite anything there.
pub fn eject(site_dir: &Path, name: &str, to: &Path) -> Result<usize> {
    if to.exists() && fs::read_dir(to).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} exists and is not empty; choose another --to or remove it", to.display());
    }
    let builtin = BUILTINS.iter().find(|b| b.name == name);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    match builtin {
        Some(b) => {
            files.push(("theme.yaml".into(), b.manifest.as_bytes().to_vec()));
            // A theme built on the default one gets the default's templates too,
            // so the ejected copy is complete and can be edited in one place.
            let base = &BUILTINS[0];
            let mut templates: BTreeMap<&str, &str> = base.templates.iter().copied().collect();
            templates.extend(b.templates.iter().copied());
            files.extend(templates.into_iter().map(|(n, t)| (format!("templates/{n}"), t.as_bytes().to_vec())));
            files.extend(b.statics.iter().map(|(n, s)| (format!("static/{n}"), s.to_vec())));
        }
        None => {
            let dir = site_theme_dir(site_dir, name);
            if !dir.is_dir() {
                bail!("unknown theme `{name}`: no folder {} and no built-in theme of that name", dir.display());
            }
            for (rel, path) in files_under(&dir)? {
                files.push((rel, fs::read(&path)?));
            }
        }
    }
    for (rel, bytes) in &files {
        let path = to.join(rel);
        fs::create_dir_all(path.parent().expect("a file has a parent"))?;
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files.len())
}

/// Themes available to a site: built-in ones and folders under `themes/`.
pub fn list(site_dir: &Path) -> Vec<(String, String, &'static str)> {
    let mut out: Vec<(String, String, &'static str)> =
        BUILTINS.iter().map(|b| (b.name.to_string(), builtin_layer(b).manifest.description, "built-in")).collect();
    if let Ok(entries) = fs::read_dir(site_dir.join("themes")) {
        let mut dirs: Vec<_> = entries.flatten().filter(|e| e.path().is_dir()).collect();
        dirs.sort_by_key(fs::DirEntry::file_name);
        for e in dirs {
            let name = e.file_name().to_string_lossy().into_owned();
            let description = fs::read_to_string(e.path().join("theme.yaml"))
                .ok()
                .and_then(|t| parse_manifest(&t, &name).ok())
                .map_or_else(|| "(no valid theme.yaml)".to_string(), |m| m.description);
            out.retain(|(n, _, _)| n != &name);
            out.push((name, description, "site folder"));
        }
    }
    out
}
