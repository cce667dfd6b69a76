//! `artsite build`, as a recipe: scan, load, plan, render, write.

use crate::config::Config;
use crate::context::{self, SiteIndex};
use crate::diagnostics::{Counts, Diagnostic};
use crate::model::Site;
use crate::output::Staging;
use crate::plan::{self, Page, PageKind};
use crate::preview::PreviewConfig;
use crate::render::{self, DEFAULT_THEME};
use crate::{load, scan, summary_json};
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::time::Instant;

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Versions read.
    pub versions: usize,
    /// Artifacts, over all versions.
    pub artifacts: usize,
    /// Pages written.
    pub pages: usize,
    /// Every problem found in the input.
    pub problems: Vec<Diagnostic>,
    /// Wall time of the build.
    pub seconds: f64,
}

impl Report {
    /// The one-line summary printed after a build.
    pub fn line(&self) -> String {
        let c = Counts::of(&self.problems);
        format!(
            "built {} versions, {} artifacts, {} pages; {} problems ({} errors, {} warnings) in {:.2}s",
            self.versions,
            self.artifacts,
            self.pages,
            c.problems(),
            c.errors,
            c.warnings,
            self.seconds
        )
    }
}

/// Reads the artifacts root into the site model.
pub fn read_site(config: &Config) -> Result<Site> {
    let scanned = scan::scan(&config.root)?;
    if scanned.versions.is_empty() {
        bail!(
            "artifacts root {} has no version folders (expected one folder per pipeline run, such as {}/2024-01-15_14-30-00_host/)",
            config.root.display(),
            config.root.display()
        );
    }
    Ok(load::load(scanned, &PreviewConfig::from(config)))
}

fn template_of(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Home => "home.html",
        PageKind::Latest => "latest.html",
        PageKind::Problems => "problems.html",
        PageKind::NotFound => "404.html",
        PageKind::Version(_) => "version.html",
        PageKind::Artifacts(_) => "artifacts.html",
        PageKind::Artifact(..) => "artifact.html",
        PageKind::Stage(..) => "stage.html",
        PageKind::Etl(..) => "etl.html",
        PageKind::Eda(..) => "eda.html",
    }
}

/// Builds the site into `config.out`. The old output is replaced only when
/// the whole build succeeded.
pub fn build(config: &Config) -> Result<Report> {
    let start = Instant::now();
    crate::output::check_replaceable(&config.out)?;
    let site = read_site(config)?;
    let pages: Vec<Page> = plan::plan(&site);
    let tera = render::engine(&DEFAULT_THEME)?;
    let index = SiteIndex::new(&site);
    let info = context::site_info(&site, config);
    let staging = Staging::new(&config.out)?;

    let errors: Vec<String> = pages
        .par_iter()
        .filter_map(|page| {
            let ctx = context::page_context(&site, &index, &info, config, page.kind, &page.path);
            let result = render::render(&tera, template_of(page.kind), &ctx)
                .and_then(|html| staging.write(&page.path, html.as_bytes()));
            result.err().map(|e| format!("{}: {e:#}", page.path))
        })
        .collect();
    if let Some(first) = errors.first() {
        bail!("{} pages failed to render; the previous output is left as it was. First: {first}", errors.len());
    }

    let copies: Vec<(String, &std::path::Path)> = site
        .versions
        .iter()
        .flat_map(|v| v.files.iter().map(move |f| (plan::file(v, &f.rel), f.path.as_path())))
        .collect();
    copies.par_iter().try_for_each(|(rel, from)| staging.copy(rel, from))?;

    for (name, bytes) in DEFAULT_THEME.statics {
        staging.write(&format!("static/{name}"), bytes)?;
    }
    staging.write("index.json", &summary_json::site_index(&site))?;
    for v in &site.versions {
        staging.write(&format!("v/{}/summary.json", v.slug), &summary_json::version_summary(v))?;
    }
    staging.commit()?;

    Ok(Report {
        versions: site.versions.len(),
        artifacts: site.versions.iter().map(|v| v.artifacts.len()).sum(),
        pages: pages.len(),
        problems: site.problems,
        seconds: start.elapsed().as_secs_f64(),
    })
}
