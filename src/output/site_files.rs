//! The site's files besides its pages: theme statics, the site's CSS tokens,
//! logo and favicon, `index.json`, `problems.json`, each version's
//! `summary.json`, the search index, the runs' navigation data and, with a
//! base URL, the sitemap.

use super::sink::Sink;
use super::{nav, search, sitemap, summary_json};
use crate::config::Config;
use crate::model::{Site, Version};
use crate::plan::{self, Page};
use crate::theme::Theme;
use anyhow::{Context as _, Result};

/// Writes every site file: the shared ones and each version's.
pub fn write_all(config: &Config, theme: &Theme, site: &Site, pages: &[Page], sink: &dyn Sink) -> Result<()> {
    write_shared(config, theme, site, pages, sink)?;
    for v in &site.versions {
        write_version(v, sink)?;
    }
    Ok(())
}

/// The files that depend on every version: theme statics, the site's CSS
/// tokens, logo and favicon, `index.json`, `problems.json`, the search index,
/// the runs' navigation data and the sitemap.
pub fn write_shared(config: &Config, theme: &Theme, site: &Site, pages: &[Page], sink: &dyn Sink) -> Result<()> {
    for (name, bytes) in &theme.statics {
        sink.write(&format!("{}{name}", plan::STATIC_DIR), bytes)?;
    }
    if !theme.statics.contains_key("site.css") {
        sink.write(&format!("{}site.css", plan::STATIC_DIR), config.tokens_css().as_bytes())?;
    }
    for (file, name) in [(&config.logo, "logo"), (&config.favicon, "favicon")] {
        if let Some(path) = file {
            let bytes = std::fs::read(path).with_context(|| format!("{name} {}: cannot read", path.display()))?;
            sink.write(&plan::brand_file(name, path), &bytes)?;
        }
    }
    // The two largest, side by side.
    let (index, search) = rayon::join(
        || {
            let parts = summary_json::site_index(site);
            sink.write_parts(plan::SITE_INDEX, &parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
        },
        || search::index(site).into_iter().try_for_each(|(path, bytes)| sink.write(&path, &bytes)),
    );
    index?;
    search?;
    sink.write(plan::PROBLEMS_JSON, &summary_json::problems(&site.problems))?;
    for (path, bytes) in nav::files(site) {
        sink.write(&path, &bytes)?;
    }
    if let Some(base) = &config.base_url {
        sink.write(plan::SITEMAP, &sitemap::sitemap(base, pages))?;
    }
    Ok(())
}

/// Whether `path` is one of the files [`write_shared`] writes.
pub fn is_shared(path: &str) -> bool {
    path.starts_with(plan::STATIC_DIR)
        || (path.starts_with("search/") || path.starts_with("nav/")) && path.ends_with(".js")
        || matches!(path, plan::SITE_INDEX | plan::PROBLEMS_JSON | plan::SITEMAP)
}

/// The files of one version besides its pages: its `summary.json`.
pub fn write_version(v: &Version, sink: &dyn Sink) -> Result<()> {
    sink.write(&plan::summary_json(v), &summary_json::version_summary(v))
}
