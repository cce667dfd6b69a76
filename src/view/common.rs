//! What every view shares: links and number views, the scope a page is
//! built in, its template context, artifact rows and the `site` values.
//!
//! Every href is relative to the site root; templates put `root` (the `../`
//! prefix of the page) in front, so the site works from any base path and
//! from disk. Numbers that come from a JSON field carry a link to that field
//! on the page of the artifact whose file it is.

use super::index::SiteIndex;
use crate::config::Config;
use crate::model::{ManifestState, Site, Sourced, Status, Version};
use crate::plan;
use crate::theme::Theme;
use crate::util::html;
use crate::util::lenient_json::non_finite;
use crate::util::paths::pointer_id;
use serde::Serialize;
use serde_json::Value;

/// What every page's view reads: the site, its index, the `site` values and
/// the config.
pub struct Scope<'a> {
    /// The loaded, judged site.
    pub site: &'a Site,
    /// Lookups across it.
    pub index: &'a SiteIndex<'a>,
    /// The `site` values every page gets.
    pub info: &'a SiteInfo,
    /// The config.
    pub config: &'a Config,
    /// Whether the pages of a version show later runs: the theme names the
    /// `switcher`, `next_version` or an artifact's `next` (see
    /// [`crate::render::Renderer::names_later_runs`]); else they are left out.
    pub later_runs: bool,
}

/// A page's title and breadcrumb trail.
pub struct Heading {
    /// The title.
    pub title: String,
    /// Breadcrumbs, from the home page to this one.
    pub crumbs: Vec<Link>,
}

/// A link.
#[derive(Serialize, Clone)]
pub struct Link {
    /// Text to show.
    pub label: String,
    /// Target, relative to the site root.
    pub href: String,
}

/// A number ready to show.
#[derive(Serialize, Clone)]
pub struct NumView {
    /// Formatted for people (`48,213`, `94.62`, `NaN`).
    pub text: String,
    /// The exact value, for `data-value`.
    pub value: String,
    /// The JSON field it came from, relative to the site root.
    pub href: Option<String>,
}

/// A number without a source link.
pub fn num_plain(v: f64) -> NumView {
    NumView { text: html::number(v, 2), value: exact(v), href: None }
}

/// The exact value of a number, as `data-value` carries it.
pub fn exact(v: f64) -> String {
    html::non_finite_name(v).map_or_else(|| format!("{v}"), str::to_string)
}

/// A number linked to the JSON field it came from.
pub fn sourced(v: &Version, s: &Sourced) -> NumView {
    NumView { text: html::number(s.value, 2), value: exact(s.value), href: field_href(v, s.doc, &s.pointer) }
}

/// The link to the field at `pointer` on the page of JSON doc `doc`, when the
/// page exists and the document has the field (a count of a list the file
/// leaves out has nothing to link to).
pub(crate) fn field_href(v: &Version, doc: usize, pointer: &str) -> Option<String> {
    let page = plan::doc(v, doc)?;
    v.json[doc].parsed.as_ref().ok()?.has(pointer).then(|| format!("{page}#{}", pointer_id(pointer)))
}

/// Site-wide values every page gets as `site`.
#[derive(Serialize)]
pub struct SiteInfo {
    title: String,
    description: Option<String>,
    footer: Option<String>,
    version_count: usize,
    latest: Option<String>,
    logo: Option<String>,
    favicon: Option<String>,
    extra: serde_json::Map<String, Value>,
    eda_allow_same_origin: bool,
    /// The `sandbox` attribute of every frame that shows a pipeline's HTML.
    report_sandbox: String,
    /// The public URL of the site, ending in `/`, when the config gives one.
    pub(crate) base_url: Option<String>,
    /// Every stylesheet of the theme in one, for the page a host serves at
    /// any depth (`404.html`), which cannot rely on relative links.
    #[serde(skip)]
    pub(crate) inline_css: String,
    /// The theme's variables, given to templates as `theme`, not `site.theme`.
    #[serde(skip)]
    pub(crate) theme: serde_json::Map<String, Value>,
    /// What every page gets as `site`, `urls` and `theme`, made into template
    /// values once and shared by every page.
    #[serde(skip)]
    pub(crate) shared: Shared,
}

/// Template values that are the same on every page.
pub(crate) struct Shared {
    pub(crate) site: tera::Value,
    pub(crate) urls: tera::Value,
    pub(crate) theme: tera::Value,
}

/// The site-wide pages and files every page may link to, relative to the
/// site root like every href: given to templates as `urls`.
#[derive(Serialize)]
pub struct SiteUrls {
    home: &'static str,
    latest: &'static str,
    trends: &'static str,
    problems: &'static str,
    problems_json: &'static str,
    search: &'static str,
    /// The folder of static files, ending in `/`.
    #[serde(rename = "static")]
    static_dir: &'static str,
    /// The folders at the top of the site (see [`plan::TOP_FOLDERS`]).
    top_folders: &'static [&'static str],
}

/// The `urls` value, from the plan.
pub const SITE_URLS: SiteUrls = SiteUrls {
    home: plan::HOME_PAGE,
    latest: plan::LATEST_PAGE,
    trends: plan::TRENDS_PAGE,
    problems: plan::PROBLEMS_PAGE,
    problems_json: plan::PROBLEMS_JSON,
    search: plan::SEARCH_PAGE,
    static_dir: plan::STATIC_DIR,
    top_folders: &plan::TOP_FOLDERS,
};

/// The sandbox of a frame showing a pipeline's HTML report: its scripts
/// run, its links may open new tabs and its downloads work, but it has an
/// origin of its own, so it cannot read the site, its storage or other
/// reports; unless `same_origin` (the config's opt-in) gives it the site's.
pub fn report_sandbox(same_origin: bool) -> String {
    let mut sandbox = String::from("allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads");
    if same_origin {
        sandbox.push_str(" allow-same-origin");
    }
    sandbox
}

/// The theme's stylesheets as one: `style.css`, the theme's own sheets, then
/// `site.css` (the theme's, or the config's colours and fonts), in the order
/// the page's `<link>`s load them.
fn inline_css(config: &Config, theme: &Theme) -> String {
    let sheet = |name: &str| theme.statics.get(name).map(|b| String::from_utf8_lossy(b).into_owned());
    let mut css = sheet("style.css").unwrap_or_default();
    for (name, bytes) in &theme.statics {
        if name.ends_with(".css") && name != "style.css" && name != "site.css" && !name.contains('/') {
            css.push('\n');
            css.push_str(&String::from_utf8_lossy(bytes));
        }
    }
    css.push('\n');
    css.push_str(&sheet("site.css").unwrap_or_else(|| config.tokens_css()));
    // Never ends the `<style>` element it is put in.
    css.replace("</", "<\\/")
}

/// Builds the `site` value.
pub fn site_info(site: &Site, config: &Config, theme: &Theme) -> SiteInfo {
    let mut info = SiteInfo {
        title: config.title.clone(),
        description: config.description.clone(),
        footer: config.footer.clone(),
        version_count: site.versions.len(),
        latest: site.versions.last().map(plan::version),
        logo: config.logo.as_deref().map(|p| plan::brand_file("logo", p)),
        favicon: config.favicon.as_deref().map(|p| plan::brand_file("favicon", p)),
        extra: config.extra.clone(),
        eda_allow_same_origin: config.eda_allow_same_origin,
        report_sandbox: report_sandbox(config.eda_allow_same_origin),
        base_url: config.base_url.as_deref().map(|u| format!("{}/", u.trim_end_matches('/'))),
        inline_css: inline_css(config, theme),
        theme: theme.variables.clone(),
        shared: Shared { site: tera::Value::none(), urls: tera::Value::none(), theme: tera::Value::none() },
    };
    info.shared = Shared {
        site: tera::Value::from_serializable(&info),
        urls: tera::Value::from_serializable(&SITE_URLS),
        theme: tera::Value::from_serializable(&info.theme),
    };
    info
}

/// A rendered value of a record or metadata field.
#[derive(Serialize)]
pub struct Field {
    /// The field's name (or where, for a parse error).
    pub key: String,
    /// Its value as text.
    pub value: String,
}

pub(crate) fn field_text(v: &Value) -> String {
    if let Some(x) = non_finite(v) {
        return exact(x);
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => {
            let mut s = serde_json::to_string(other).unwrap_or_default().replace("\"\\u0000", "\"");
            if s.len() > 600 {
                let cut = (0..=600).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                s.truncate(cut);
                s.push_str(" …");
            }
            s
        }
    }
}

pub(crate) fn fields(map: &serde_json::Map<String, Value>) -> Vec<Field> {
    map.iter().map(|(k, v)| Field { key: k.clone(), value: field_text(v) }).collect()
}

/// A page's template context, and the names of its top-level variables (for
/// the documentation test in `tests/suite/template_context.rs`).
#[derive(Default)]
pub struct PageContext {
    /// The context tera renders with.
    pub tera: tera::Context,
    keys: Vec<&'static str>,
}

impl PageContext {
    /// Sets a top-level variable.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.insert_value(key, tera::Value::from_serializable(value));
    }

    /// Sets a top-level variable to a template value made before.
    pub(crate) fn insert_value(&mut self, key: &'static str, value: tera::Value) {
        self.tera.insert_value(key, value);
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }

    /// The top-level variable names, in the order they were set.
    pub fn keys(&self) -> &[&'static str] {
        &self.keys
    }
}

/// An artifact as lists show it.
#[derive(Serialize, Clone)]
pub struct ArtifactRow {
    name: String,
    href: String,
    stage: String,
    artifact_type: String,
    status: Status,
    size: Option<String>,
    description: Option<String>,
    file_href: Option<String>,
    /// Whether the raw file's link downloads it (see [`plan::runs_script`]).
    file_download: bool,
}

/// An artifact as lists show it.
pub fn artifact_row(v: &Version, ai: usize) -> ArtifactRow {
    let a = &v.artifacts[ai];
    ArtifactRow {
        name: a.name.clone(),
        href: plan::artifact(v, ai),
        stage: a.stage.clone(),
        artifact_type: a.artifact_type.clone(),
        status: a.status,
        size: a.file_index.map(|i| html::bytes(v.files[i].size)),
        description: a.description.clone(),
        file_href: a.file.as_deref().map(|f| plan::raw(v, f)),
        file_download: a.file.as_deref().is_some_and(plan::runs_script),
    }
}

/// A link to a raw file of a version.
#[derive(Serialize, Clone)]
pub struct FileLink {
    label: String,
    href: String,
    /// Whether the link downloads the file (see [`plan::runs_script`]).
    download: bool,
}

/// The link to raw file `rel` of `v`, labelled with its name.
pub fn file_link(v: &Version, rel: &str) -> FileLink {
    FileLink {
        label: rel.rsplit('/').next().unwrap_or(rel).to_string(),
        href: plan::raw(v, rel),
        download: plan::runs_script(rel),
    }
}

pub(crate) fn manifest_label(m: ManifestState) -> &'static str {
    match m {
        ManifestState::Read(_) => "manifest",
        ManifestState::Missing => "no manifest",
        ManifestState::Unreadable => "manifest unreadable",
    }
}
