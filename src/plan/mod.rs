//! Which pages the site has and where each goes: every URL of the site is
//! spelled here, once.
//!
//! Reads the judged model and the config; pure, no I/O and no rendering.
//! Views, output and templates take their URLs from here.

pub mod select;

use crate::model::{Site, Version};
use crate::util::paths::pointer_push;

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// The site home: the newest [`RUNS_PER_PAGE`] versions, newest first.
    Home,
    /// Older versions, [`RUNS_PER_PAGE`] a page: page 2, 3, …
    Runs(usize),
    /// `/latest/`: leads to the newest version.
    Latest,
    /// Every problem found while reading.
    Problems,
    /// A version's summary.
    Version(usize),
    /// A version's artifact index.
    Artifacts(usize),
    /// One artifact: (version, artifact).
    Artifact(usize, usize),
    /// One stage: (version, stage).
    Stage(usize, usize),
    /// One EDA report: (version, report).
    Eda(usize, usize),
    /// The 404 page.
    NotFound,
    /// Metrics across versions.
    Trends,
    /// A version's data-quality dashboard.
    Quality(usize),
    /// A version compared with the previous one.
    Compare(usize),
    /// A version compared with the configured baseline.
    Baseline(usize),
    /// The search page.
    Search,
    /// The full-page viewer of a pipeline's HTML report, named in its URL's
    /// query (see [`viewer`]).
    Viewer,
    /// A JSON file of a registered content type: (version, index into its `content`).
    Content(usize, usize),
}

impl PageKind {
    /// The version a page belongs to, for the pages of a version.
    pub fn version(self) -> Option<usize> {
        match self {
            PageKind::Version(vi)
            | PageKind::Artifacts(vi)
            | PageKind::Quality(vi)
            | PageKind::Compare(vi)
            | PageKind::Baseline(vi)
            | PageKind::Artifact(vi, _)
            | PageKind::Stage(vi, _)
            | PageKind::Eda(vi, _)
            | PageKind::Content(vi, _) => Some(vi),
            _ => None,
        }
    }
}

/// How many versions before and after a page's own its version switcher lists.
pub const SWITCHER_SPAN: usize = 5;

/// The list of runs the browser draws the version switcher and the links to
/// later runs from (see [`crate::output::nav`]).
pub const NAV_RUNS: &str = "nav/runs.js";

/// Shard `n` of the pages each run has, by [`nav_key`].
pub fn nav_shard(n: usize) -> String {
    format!("nav/k-{n}.js")
}

/// What a page of a version is across runs: the page of the same key in
/// another run is the same page there (the same artifact by stage and name,
/// stage, report or content file), which the version switcher leads to.
/// `None` for pages outside a version.
pub fn nav_key(site: &Site, kind: PageKind) -> Option<String> {
    // Names joined by `/`, each escaped as in a JSON pointer, so no two
    // lists of names make the same key.
    let join = |kind: &str, names: &[&str]| names.iter().fold(kind.to_string(), |key, n| pointer_push(&key, n));
    let v = |vi: usize| &site.versions[vi];
    Some(match kind {
        PageKind::Version(_) => "summary".into(),
        PageKind::Artifacts(_) => "artifacts".into(),
        PageKind::Quality(_) => "quality".into(),
        PageKind::Compare(_) => "compare".into(),
        PageKind::Baseline(_) => "baseline".into(),
        PageKind::Artifact(vi, ai) => join("a", &[&v(vi).artifacts[ai].stage, &v(vi).artifacts[ai].name]),
        PageKind::Stage(vi, si) => join("s", &[&v(vi).stages[si].name]),
        PageKind::Eda(vi, ei) => join("r", &[&v(vi).eda[ei].name]),
        PageKind::Content(vi, ci) => join("c", &[&v(vi).json[v(vi).content[ci].0].rel]),
        _ => return None,
    })
}

/// The folder of a version's pages, ending in `/`.
pub fn version_dir(v: &Version) -> String {
    format!("v/{}/", v.slug)
}

/// The home page: the list of runs, newest first.
pub const HOME_PAGE: &str = "index.html";

/// The page that sends the browser on to the newest run.
pub const LATEST_PAGE: &str = "latest/index.html";

/// The page a server shows for a path the site does not have.
pub const NOT_FOUND_PAGE: &str = "404.html";

/// The folder of the theme's static files, the brand files and `site.css`.
pub const STATIC_DIR: &str = "static/";

/// The problems page.
pub const PROBLEMS_PAGE: &str = "problems/index.html";

/// The trends page.
pub const TRENDS_PAGE: &str = "trends/index.html";

/// The search page.
pub const SEARCH_PAGE: &str = "search/index.html";

/// The full-page report viewer.
pub const VIEWER_PAGE: &str = "view.html";

/// The viewer showing the report at `src` (a raw file's path from the site
/// root), with a way back to the page at `from`: both in its query, so a
/// static host serves the one page for every report.
pub fn viewer(src: &str, from: &str) -> String {
    let part = |s: &str| crate::util::paths::url_path(s).replace('%', "%25");
    format!("{VIEWER_PAGE}?src={}&from={}", part(src), part(from))
}

/// A page to render.
#[derive(Debug, Clone)]
pub struct Page {
    /// Output path relative to the site root, e.g. `v/x/index.html`.
    pub path: String,
    /// What it shows.
    pub kind: PageKind,
}

/// The home page and each page of older runs list at most this many
/// versions, so none grows with the number of runs.
pub const RUNS_PER_PAGE: usize = 100;

/// How many pages list `versions` runs: the home page and the older ones.
pub fn run_pages(versions: usize) -> usize {
    versions.div_ceil(RUNS_PER_PAGE).max(1)
}

/// Path of page `n` (from 1) of the list of runs: the home page first.
pub fn runs(n: usize) -> String {
    if n <= 1 { HOME_PAGE.into() } else { format!("runs/{n}/index.html") }
}

/// The folders at the top of the site. In a URL of the site, the root is
/// just above the first of them; the 404 page, served at any depth, finds
/// its way home by them.
pub const TOP_FOLDERS: [&str; 8] = ["v", "runs", "latest", "problems", "trends", "search", "static", "nav"];

/// The site index for other tools.
pub const SITE_INDEX: &str = "index.json";

/// Every problem, as a JSON list.
pub const PROBLEMS_JSON: &str = "problems.json";

/// The sitemap, written when the site knows its base URL.
pub const SITEMAP: &str = "sitemap.xml";

/// Whether the raw file `rel` is content a browser runs when it is opened
/// (HTML, SVG, XML with scripts): its links make the browser download it,
/// so the pipeline's script never runs in the site's origin. The embedded
/// views (sandboxed frames, `<img>`) are inert.
pub fn runs_script(rel: &str) -> bool {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "html" | "htm" | "xhtml" | "shtml" | "svg" | "svgz" | "xml" | "xsl" | "mht" | "mhtml")
}

/// Path of a version's `summary.json`.
pub fn summary_json(v: &Version) -> String {
    format!("v/{}/summary.json", v.slug)
}

/// Where a logo or favicon is published: `static/{name}.{extension}`.
pub fn brand_file(name: &str, source: &std::path::Path) -> String {
    match source.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{STATIC_DIR}{name}.{}", ext.to_ascii_lowercase()),
        None => format!("{STATIC_DIR}{name}"),
    }
}

/// Path of a version's summary page.
pub fn version(v: &Version) -> String {
    format!("v/{}/index.html", v.slug)
}

/// Path of a version's data-quality dashboard.
pub fn quality(v: &Version) -> String {
    format!("v/{}/quality/index.html", v.slug)
}

/// Path of a version's comparison with the previous version.
pub fn compare(v: &Version) -> String {
    format!("v/{}/compare/index.html", v.slug)
}

/// Path of a version's comparison with the baseline.
pub fn baseline(v: &Version) -> String {
    format!("v/{}/compare/baseline/index.html", v.slug)
}

/// Path of a version's artifact index.
pub fn artifacts(v: &Version) -> String {
    format!("v/{}/artifacts/index.html", v.slug)
}

/// The way from an artifact's page to its version's raw files.
pub const ARTIFACT_PAGE_TO_FILES: &str = "../files/";

/// The preview caps of `config`, with Markdown linking to raw files from
/// the artifact pages previews are shown on.
pub fn previews(config: &crate::config::Config) -> crate::config::previews::PreviewConfig {
    crate::config::previews::PreviewConfig::new(config, ARTIFACT_PAGE_TO_FILES)
}

/// Path of an artifact's page. A file of its own rather than a folder with an
/// `index.html`: artifacts are most of a site's pages, and a folder each
/// doubled the inodes a build creates, the cost that bounds a big build.
pub fn artifact(v: &Version, a: usize) -> String {
    format!("v/{}/a/{}.html", v.slug, v.artifacts[a].slug)
}

/// Path of a stage's page.
pub fn stage(v: &Version, s: usize) -> String {
    format!("v/{}/stages/{}/index.html", v.slug, v.stages[s].slug)
}

/// Path of the page that shows JSON document `d`: the page of the artifact
/// whose file it is (an ETL file's key figures and tree are on its
/// artifact's page), when it is one's.
pub fn doc(v: &Version, d: usize) -> Option<String> {
    v.json[d].artifact.map(|ai| artifact(v, ai))
}

/// Path of an EDA report's page.
pub fn eda(v: &Version, e: usize) -> String {
    format!("v/{}/eda/{}/index.html", v.slug, v.eda[e].slug)
}

/// Path of a content-type page: (version, index into its `content`).
pub fn content(site: &Site, v: &Version, ci: usize) -> String {
    let (di, ti) = v.content[ci];
    let inner = v.json[di].rel.strip_suffix(".json").unwrap_or(&v.json[di].rel);
    let segs: Vec<String> = inner.split('/').map(crate::util::paths::segment).collect();
    format!("v/{}/c/{}/{}/index.html", v.slug, site.content_types[ti].slug, segs.join("/"))
}

/// Path of a raw file copied into the site.
pub fn file(v: &Version, rel: &str) -> String {
    format!("v/{}/files/{rel}", v.slug)
}

/// The link to raw file `rel` of `v`: its path in the site, URL-encoded,
/// or its absolute URL where the site links raw files (`raw_files: link`).
pub fn raw(v: &Version, rel: &str) -> String {
    match &v.raw_url {
        Some(base) => format!("{base}{}", crate::util::paths::url_path(rel)),
        None => crate::util::paths::url_path(&file(v, rel)),
    }
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Page> {
    let mut pages = site_pages(site);
    for vi in 0..site.versions.len() {
        pages.extend(version_pages(site, vi));
    }
    pages
}

/// The pages that are not a version's, in a stable order.
pub fn site_pages(site: &Site) -> Vec<Page> {
    let mut kinds = vec![PageKind::Home, PageKind::Problems, PageKind::NotFound, PageKind::Search, PageKind::Viewer];
    kinds.extend((2..=run_pages(site.versions.len())).map(PageKind::Runs));
    if !site.versions.is_empty() {
        kinds.extend([PageKind::Latest, PageKind::Trends]);
    }
    kinds.into_iter().filter_map(|kind| page(site, kind)).collect()
}

/// Every page of version `vi`, in a stable order.
pub fn version_pages(site: &Site, vi: usize) -> Vec<Page> {
    let v = &site.versions[vi];
    let mut kinds = vec![
        PageKind::Version(vi),
        PageKind::Artifacts(vi),
        PageKind::Quality(vi),
        PageKind::Compare(vi),
        PageKind::Baseline(vi),
    ];
    kinds.extend((0..v.artifacts.len()).map(|ai| PageKind::Artifact(vi, ai)));
    kinds.extend((0..v.stages.len()).map(|si| PageKind::Stage(vi, si)));
    kinds.extend((0..v.eda.len()).map(|ei| PageKind::Eda(vi, ei)));
    kinds.extend((0..v.content.len()).map(|ci| PageKind::Content(vi, ci)));
    kinds.into_iter().filter_map(|kind| page(site, kind)).collect()
}

/// The page of `kind`, when the site has one.
pub fn page(site: &Site, kind: PageKind) -> Option<Page> {
    let v = |vi: usize| &site.versions[vi];
    let path = match kind {
        PageKind::Home => HOME_PAGE.into(),
        PageKind::Runs(n) => runs(n),
        PageKind::Latest => LATEST_PAGE.into(),
        PageKind::Problems => PROBLEMS_PAGE.into(),
        PageKind::NotFound => NOT_FOUND_PAGE.into(),
        PageKind::Search => SEARCH_PAGE.into(),
        PageKind::Viewer => VIEWER_PAGE.into(),
        PageKind::Trends => TRENDS_PAGE.into(),
        PageKind::Version(vi) => version(v(vi)),
        PageKind::Artifacts(vi) => artifacts(v(vi)),
        PageKind::Quality(vi) => quality(v(vi)),
        PageKind::Compare(vi) => compare(v(vi)),
        PageKind::Baseline(vi) if site.baseline.is_some_and(|b| b != vi) => baseline(v(vi)),
        PageKind::Baseline(_) => return None,
        PageKind::Artifact(vi, ai) => artifact(v(vi), ai),
        PageKind::Stage(vi, si) => stage(v(vi), si),
        PageKind::Eda(vi, ei) => eda(v(vi), ei),
        PageKind::Content(vi, ci) => content(site, v(vi), ci),
    };
    Some(Page { path, kind })
}
