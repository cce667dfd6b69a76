//! Pages to bytes: each page's view filled into the theme's template, in
//! parallel, through a [`Sink`].
//!
//! Uses the views of [`crate::view`], the plan's pages, and the output's sink;
//! [`engine`] holds the template engine itself.

pub(crate) mod engine;
mod globals;

use crate::config::Config;
use crate::config::previews::PreviewConfig;
use crate::diagnostics::Diagnostic;
use crate::input::preview::{self, Preview};
use crate::load;
use crate::model::Site;
use crate::output::sink::Sink;
use crate::plan::select::{self, Selection, problems_digest};
use crate::plan::{Page, PageKind};
use crate::theme::Theme;
use crate::view::{self, Scope, SiteIndex};
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::borrow::{Borrow, Cow};
use std::collections::{HashMap, HashSet};

/// What rendering needs besides the site: the theme and its templates,
/// loaded and compiled once for every page.
pub struct Renderer {
    /// The theme, the site's templates and static files on top.
    pub theme: Theme,
    /// Its templates, compiled.
    pub tera: tera::Tera,
    /// Whether the pages of a version show the number of versions or the
    /// newest one, which every new run changes.
    pub names_run_globals: bool,
    /// Whether the pages of a version show later runs (the version switcher,
    /// the next version, an artifact's next run), which a new run next to
    /// them changes. The bundled themes draw those in the browser instead.
    pub names_later_runs: bool,
}

impl Renderer {
    /// What the theme's version pages show of other runs.
    pub fn shows(&self) -> select::Shows {
        select::Shows { run_globals: self.names_run_globals, later_runs: self.names_later_runs }
    }

    /// Compiles the templates of `theme`.
    pub fn new(theme: Theme) -> Result<Renderer> {
        let tera = engine::engine(&theme)?;
        let names_run_globals = globals::names_run_globals(&theme);
        let names_later_runs = globals::names_later_runs(&theme);
        Ok(Renderer { theme, tera, names_run_globals, names_later_runs })
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
        PageKind::Eda(..) => "eda.html",
        PageKind::Trends => "trends.html",
        PageKind::Quality(_) => "quality.html",
        PageKind::Compare(_) | PageKind::Baseline(_) => "compare.html",
        PageKind::Search => "search.html",
        PageKind::Viewer => "view.html",
        PageKind::Content(..) => "content.html",
    }
}

/// Pages a build may leave as the previous build wrote them: those the
/// selection does not pick, each kept by `keep` (which says false when it
/// could not keep it, and the page is rendered after all), with the
/// problems its preview found then.
pub struct Unchanged<'a> {
    /// The pages whose inputs changed (see [`crate::plan::select`]).
    pub selection: &'a Selection,
    /// The digest of the previous site's problems.
    pub old_problems: u64,
    /// Each artifact page's problems in the previous build, by path.
    pub warnings: &'a HashMap<String, Vec<Diagnostic>>,
    /// Keeps the previous output's file at a path.
    pub keep: &'a (dyn Fn(&str) -> Result<bool> + Sync),
}

/// What rendering the site did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Pages rendered (the others were kept).
    pub rendered: usize,
    /// The problems each artifact page's preview found, by path, for the
    /// pages that found any.
    pub warnings: HashMap<String, Vec<Diagnostic>>,
}

/// Renders every page of `site` into `sink` (see [`render_changed`]).
pub fn render_site(
    renderer: &Renderer,
    config: &Config,
    site: &mut Site,
    pages: &[Page],
    sink: &dyn Sink,
    progress: bool,
) -> Result<Rendered> {
    render_changed(renderer, config, site, pages, sink, progress, None)
}

/// Renders the pages of `site` into `sink`, but those `unchanged` keeps.
/// Artifact pages come first, each previewing its file as it renders and
/// dropping the preview with the page, so previews never all sit in memory;
/// their warnings (a kept page's from the previous build) join the site's
/// problems before the other pages, which count problems, are rendered.
pub fn render_changed(
    renderer: &Renderer,
    config: &Config,
    site: &mut Site,
    pages: &[Page],
    sink: &dyn Sink,
    progress: bool,
    unchanged: Option<&Unchanged>,
) -> Result<Rendered> {
    let mut chosen: Option<HashSet<String>> = unchanged
        .filter(|u| !u.selection.all)
        .map(|u| select::pages(site, u.selection, true).into_iter().map(|p| p.path).collect());
    let (artifacts, rest): (Vec<&Page>, Vec<&Page>) =
        pages.iter().partition(|p| matches!(p.kind, PageKind::Artifact(..)));
    let (first, done) =
        render_or_keep(renderer, config, site, artifacts, sink, progress, unchanged.zip(chosen.as_ref()))?;
    let warnings: HashMap<String, Vec<Diagnostic>> =
        done.iter().filter(|(_, w)| !w.is_empty()).map(|(p, w)| (p.path.clone(), w.clone())).collect();
    load::add_problems(site, done.into_iter().flat_map(|(_, w)| w).collect());
    if let (Some(set), Some(u)) = (&mut chosen, unchanged)
        && !u.selection.shared
        && problems_digest(&site.problems) == u.old_problems
    {
        set.remove(crate::plan::PROBLEMS_PAGE);
    }
    let (second, _) = render_or_keep(renderer, config, site, rest, sink, progress, unchanged.zip(chosen.as_ref()))?;
    Ok(Rendered { rendered: first + second, warnings })
}

/// Pages done, each with the problems its preview found.
type Done<'p> = Vec<(&'p Page, Vec<Diagnostic>)>;

/// Renders `pages`, but those not `chosen` that `unchanged` keeps. Returns
/// how many were rendered, and each page with its preview's problems.
fn render_or_keep<'p>(
    renderer: &Renderer,
    config: &Config,
    site: &Site,
    pages: Vec<&'p Page>,
    sink: &dyn Sink,
    progress: bool,
    unchanged: Option<(&Unchanged, &HashSet<String>)>,
) -> Result<(usize, Done<'p>)> {
    let Some((u, chosen)) = unchanged else {
        let warnings = render_pages(renderer, config, site, &pages, sink, progress)?;
        return Ok((pages.len(), pages.into_iter().zip(warnings).collect()));
    };
    let (mut render, others): (Vec<&Page>, Vec<&Page>) = pages.into_iter().partition(|p| chosen.contains(&p.path));
    let kept: Vec<Result<bool>> = others.par_iter().map(|p| (u.keep)(&p.path)).collect();
    let mut done = Vec::with_capacity(others.len());
    for (page, kept) in others.into_iter().zip(kept) {
        if kept? {
            done.push((page, u.warnings.get(&page.path).cloned().unwrap_or_default()));
        } else {
            render.push(page);
        }
    }
    let warnings = render_pages(renderer, config, site, &render, sink, progress)?;
    let rendered = render.len();
    done.extend(render.into_iter().zip(warnings));
    Ok((rendered, done))
}

/// Renders `pages` of `site` into `sink`, in parallel. Errors name the page.
/// An artifact page whose preview was not made at load makes it (see
/// [`crate::model::Artifact::preview`]); returns the warnings of the previews
/// made here (as problems of their files), page by page.
pub fn render_pages<P: Borrow<Page> + Sync>(
    renderer: &Renderer,
    config: &Config,
    site: &Site,
    pages: &[P],
    sink: &dyn Sink,
    progress: bool,
) -> Result<Vec<Vec<Diagnostic>>> {
    let index = SiteIndex::new(site);
    let info = view::common::site_info(site, config, &renderer.theme);
    let scope = Scope { site, index: &index, info: &info, config, later_runs: renderer.names_later_runs };
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
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        bail!("{} pages failed to render. First: {first}", failed.len());
    }
    Ok(results.into_iter().map(Result::unwrap_or_default).collect())
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
