//! Pages to bytes: each page's view filled into the theme's template, in
//! parallel, through a [`Sink`].
//!
//! Uses the views of [`crate::view`], the plan's pages, and the output's sink;
//! [`engine`] holds the template engine itself.

pub(crate) mod engine;

use crate::config::Config;
use crate::config::previews::PreviewConfig;
use crate::diagnostics::Diagnostic;
use crate::input::preview::{self, Preview};
use crate::load;
use crate::model::Site;
use crate::output::sink::Sink;
use crate::plan::{Page, PageKind};
use crate::theme::Theme;
use crate::view::{self, Scope, SiteIndex};
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::borrow::{Borrow, Cow};

/// What rendering needs besides the site: the theme and its templates,
/// loaded and compiled once for every page.
pub struct Renderer {
    /// The theme, the site's templates and static files on top.
    pub theme: Theme,
    /// Its templates, compiled.
    pub tera: tera::Tera,
}

impl Renderer {
    /// Compiles the templates of `theme`.
    pub fn new(theme: Theme) -> Result<Renderer> {
        let tera = engine::engine(&theme)?;
        Ok(Renderer { theme, tera })
    }
}

/// The template that renders pages of `kind` (content types may name their own).
pub fn template_of(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Home | PageKind::Runs(_) => "home.html",
        PageKind::Latest => "latest.html",
        PageKind::Problems => "problems.html",
        PageKind::NotFound => "404.html",
        PageKind::Version(_) => "version.html",
        PageKind::Artifacts(_) => "artifacts.html",
        PageKind::Artifact(..) => "artifact.html",
        PageKind::Stage(..) => "stage.html",
        PageKind::Etl(..) => "etl.html",
        PageKind::Eda(..) => "eda.html",
        PageKind::Trends => "trends.html",
        PageKind::Quality(_) => "quality.html",
        PageKind::Compare(_) | PageKind::Baseline(_) => "compare.html",
        PageKind::Search => "search.html",
        PageKind::Viewer => "view.html",
        PageKind::Content(..) => "content.html",
    }
}

/// Renders every page of `site` into `sink`. Artifact pages come first, each
/// previewing its file as it renders and dropping the preview with the page,
/// so previews never all sit in memory; their warnings join the site's
/// problems before the other pages, which count problems, are rendered.
pub fn render_site(
    renderer: &Renderer,
    config: &Config,
    site: &mut Site,
    pages: &[Page],
    sink: &dyn Sink,
    progress: bool,
) -> Result<()> {
    let (artifacts, rest): (Vec<&Page>, Vec<&Page>) =
        pages.iter().partition(|p| matches!(p.kind, PageKind::Artifact(..)));
    let warnings = render_pages(renderer, config, site, &artifacts, sink, progress)?;
    load::add_problems(site, warnings);
    render_pages(renderer, config, site, &rest, sink, progress)?;
    Ok(())
}

/// Renders `pages` of `site` into `sink`, in parallel. Errors name the page.
/// An artifact page whose preview was not made at load makes it (see
/// [`crate::model::Artifact::preview`]); the warnings of the previews made
/// here are returned, as problems of their files.
pub fn render_pages<P: Borrow<Page> + Sync>(
    renderer: &Renderer,
    config: &Config,
    site: &Site,
    pages: &[P],
    sink: &dyn Sink,
    progress: bool,
) -> Result<Vec<Diagnostic>> {
    let index = SiteIndex::new(site);
    let info = view::common::site_info(site, config, &renderer.theme);
    let scope = Scope { site, index: &index, info: &info, config };
    let previews = crate::plan::previews(config);
    let bar = crate::util::progress::bar(progress, pages.len(), "pages");
    let results: Vec<Result<Vec<Diagnostic>, String>> = pages
        .par_iter()
        .map(|page| {
            let page = page.borrow();
            let (preview, warnings) = page_preview(site, page.kind, &previews);
            let ctx = view::page_context(&scope, page.kind, &page.path, preview.as_deref());
            let template = match page.kind {
                PageKind::Content(vi, ci) => site.content_types[site.versions[vi].content[ci].1].template.as_str(),
                kind => template_of(kind),
            };
            let result = engine::render(&renderer.tera, template, &ctx.tera)
                .and_then(|html| sink.write(&page.path, html.as_bytes()));
            bar.inc(1);
            result.map(|()| warnings).map_err(|e| format!("{}: {e:#}", page.path))
        })
        .collect();
    bar.finish_and_clear();
    let (done, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if let Some(Err(first)) = failed.first() {
        bail!("{} pages failed to render. First: {first}", failed.len());
    }
    Ok(done.into_iter().flat_map(Result::unwrap_or_default).collect())
}

/// The preview a page of `kind` shows, with the problems its page adds:
/// an artifact's page its file's, an EDA report's page its report's (whose
/// problems its artifact's page adds).
pub fn page_preview<'a>(
    site: &'a Site,
    kind: PageKind,
    previews: &PreviewConfig,
) -> (Option<Cow<'a, Preview>>, Vec<Diagnostic>) {
    match kind {
        PageKind::Artifact(vi, ai) => artifact_preview(site, vi, ai, previews),
        PageKind::Eda(vi, ei) => {
            (artifact_preview(site, vi, site.versions[vi].eda[ei].artifact, previews).0, Vec::new())
        }
        _ => (None, Vec::new()),
    }
}

/// The preview the page of artifact `ai` of version `vi` shows: the one made
/// at load, else one made now, with its warnings as problems of the file.
pub fn artifact_preview<'a>(
    site: &'a Site,
    vi: usize,
    ai: usize,
    previews: &PreviewConfig,
) -> (Option<Cow<'a, Preview>>, Vec<Diagnostic>) {
    let v = &site.versions[vi];
    let a = &v.artifacts[ai];
    if let Some(kept) = &a.preview {
        return (Some(Cow::Borrowed(kept)), Vec::new());
    }
    let (Some(fi), Some(rel)) = (a.file_index, a.file.as_deref()) else { return (None, Vec::new()) };
    let f = &v.files[fi];
    let made = preview::preview(&f.at, &f.rel, f.size, &a.metadata, &previews.for_run(&v.id));
    let warnings = load::preview_problems(&v.id, &v.files, rel, &made);
    (Some(Cow::Owned(made)), warnings)
}
