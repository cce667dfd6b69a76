//! Which pages the site has and where each goes. Pure: no I/O, no rendering.

use crate::model::{Site, Version};

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The site home: every version, newest first.
    Home,
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
    /// One ETL metadata JSON: (version, JSON doc).
    Etl(usize, usize),
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
    /// The search page.
    Search,
    /// A JSON file of a registered content type: (version, index into its `content`).
    Content(usize, usize),
}

/// A page to render.
#[derive(Debug, Clone)]
pub struct Page {
    /// Output path relative to the site root, e.g. `v/x/index.html`.
    pub path: String,
    /// What it shows.
    pub kind: PageKind,
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

/// Path of a version's artifact index.
pub fn artifacts(v: &Version) -> String {
    format!("v/{}/artifacts/index.html", v.slug)
}

/// Path of an artifact's page.
pub fn artifact(v: &Version, a: usize) -> String {
    format!("v/{}/a/{}/index.html", v.slug, v.artifacts[a].slug)
}

/// Path of a stage's page.
pub fn stage(v: &Version, s: usize) -> String {
    format!("v/{}/stages/{}/index.html", v.slug, v.stages[s].slug)
}

/// Path of an ETL file's page, if it has one.
pub fn etl(v: &Version, d: usize) -> Option<String> {
    v.json[d].page.as_ref().map(|p| format!("v/{}/{p}", v.slug))
}

/// Path of an EDA report's page.
pub fn eda(v: &Version, e: usize) -> String {
    format!("v/{}/eda/{}/index.html", v.slug, v.eda[e].slug)
}

/// Path of a content-type page: (version, index into its `content`).
pub fn content(site: &Site, v: &Version, ci: usize) -> String {
    let (di, ti) = v.content[ci];
    format!("v/{}/{}", v.slug, crate::content::page_path(&site.content_types[ti], &v.json[di].rel))
}

/// Path of a raw file copied into the site.
pub fn file(v: &Version, rel: &str) -> String {
    format!("v/{}/files/{rel}", v.slug)
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<Page> {
    let mut pages = vec![
        Page { path: "index.html".into(), kind: PageKind::Home },
        Page { path: "problems/index.html".into(), kind: PageKind::Problems },
        Page { path: "404.html".into(), kind: PageKind::NotFound },
        Page { path: "search/index.html".into(), kind: PageKind::Search },
    ];
    if !site.versions.is_empty() {
        pages.push(Page { path: "latest/index.html".into(), kind: PageKind::Latest });
        pages.push(Page { path: "trends/index.html".into(), kind: PageKind::Trends });
    }
    for (vi, v) in site.versions.iter().enumerate() {
        pages.push(Page { path: version(v), kind: PageKind::Version(vi) });
        pages.push(Page { path: artifacts(v), kind: PageKind::Artifacts(vi) });
        pages.push(Page { path: quality(v), kind: PageKind::Quality(vi) });
        pages.push(Page { path: compare(v), kind: PageKind::Compare(vi) });
        for ai in 0..v.artifacts.len() {
            pages.push(Page { path: artifact(v, ai), kind: PageKind::Artifact(vi, ai) });
        }
        for si in 0..v.stages.len() {
            pages.push(Page { path: stage(v, si), kind: PageKind::Stage(vi, si) });
        }
        for di in 0..v.json.len() {
            if let Some(path) = etl(v, di) {
                pages.push(Page { path, kind: PageKind::Etl(vi, di) });
            }
        }
        for ei in 0..v.eda.len() {
            pages.push(Page { path: eda(v, ei), kind: PageKind::Eda(vi, ei) });
        }
        for ci in 0..v.content.len() {
            pages.push(Page { path: content(site, v, ci), kind: PageKind::Content(vi, ci) });
        }
    }
    pages
}
