//! `artsite build`, as a recipe: scan, load, plan, render, write.

use crate::config::Config;
use crate::diagnostics::{Counts, Diagnostic, Severity};
use crate::input::preview::{self, Preview, PreviewConfig};
use crate::input::scan;
use crate::judge;
use crate::load;
use crate::model::Site;
use crate::output::fingerprint;
use crate::output::links::LinkCheck;
use crate::output::search;
use crate::output::sitemap;
use crate::output::staging::{self, Staging};
use crate::output::summary_json;
use crate::plan::{self, Page, PageKind};
use crate::render::engine;
use crate::theme::Theme;
use crate::view::{self, SiteIndex};
use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;
use std::borrow::{Borrow, Cow};
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
    /// Every problem found in the input (empty when the site was up to date).
    pub problems: Vec<Diagnostic>,
    /// Errors and warnings found in the input.
    pub counts: Counts,
    /// The output was already up to date: nothing was read or written.
    pub up_to_date: bool,
    /// A strict build found problems: the output was left as it was.
    pub refused: bool,
    /// Wall time of the build.
    pub seconds: f64,
    /// Wall time of each step.
    pub timings: Timings,
}

impl Report {
    /// The one-line summary printed after a build.
    pub fn line(&self) -> String {
        let c = &self.counts;
        format!(
            "{} {} versions, {} artifacts, {} pages; {} problems ({} errors, {} warnings) in {:.2}s",
            if self.refused {
                "not published (--strict):"
            } else if self.up_to_date {
                "up to date:"
            } else {
                "built"
            },
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
        PageKind::Content(..) => "content.html",
    }
}

/// How a build reports on itself while it runs, and how strict it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Check every internal link too, and leave the output as it was when
    /// the input or the site has any error or warning.
    pub strict: bool,
}

/// Wall time per build step, in order.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    steps: Vec<(&'static str, f64)>,
    lap: Option<Instant>,
}

impl Timings {
    fn lap(&mut self, step: &'static str) {
        let now = Instant::now();
        if let Some(start) = self.lap {
            self.steps.push((step, (now - start).as_secs_f64()));
        }
        self.lap = Some(now);
    }

    /// Each step with its seconds.
    pub fn steps(&self) -> &[(&'static str, f64)] {
        &self.steps
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (step, secs) in &self.steps {
            writeln!(f, "{step:>18}  {:>8.1} ms", secs * 1000.0)?;
        }
        Ok(())
    }
}

fn progress_bar(options: Options, len: usize, what: &'static str) -> indicatif::ProgressBar {
    if !options.progress {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    let style = indicatif::ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({eta})")
        .expect("a valid progress template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what);
    bar
}

/// Where generated files go: a staging folder on disk, or memory for `serve`.
pub trait Sink: Sync {
    /// Stores a generated file at `path` (relative to the site root).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;
    /// Publishes the input file `from` at `path`.
    fn raw(&self, path: &str, from: &std::path::Path) -> Result<()>;
}

/// A scanned root, ready to load: fails when the root has no version folders.
pub fn scan_root(config: &Config) -> Result<scan::Scan> {
    let scanned = scan::scan(&config.root)?;
    if scanned.versions.is_empty() {
        return Err(no_versions(config));
    }
    Ok(scanned)
}

/// The error for a root without version folders.
pub fn no_versions(config: &Config) -> anyhow::Error {
    anyhow::anyhow!(
        "artifacts root {} has no version folders (expected one folder per pipeline run, such as {}/2024-01-15_14-30-00_host/)",
        config.root.display(),
        config.root.display()
    )
}

/// The configured theme with the site's templates and static files on top.
pub fn theme(config: &Config) -> Result<Theme> {
    Theme::load(&config.site_dir, &config.theme, &config.theme_variables)
}

/// The content types the config registers, with their schemas read.
pub fn content_types(config: &Config) -> Result<Vec<crate::input::content::ContentType>> {
    config.content_types.iter().map(|d| crate::input::content::ContentType::load(d, &config.site_dir)).collect()
}

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

    /// The configured theme, compiled.
    pub fn of(config: &Config) -> Result<Renderer> {
        Renderer::new(theme(config)?)
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
    options: Options,
) -> Result<()> {
    let (artifacts, rest): (Vec<&Page>, Vec<&Page>) =
        pages.iter().partition(|p| matches!(p.kind, PageKind::Artifact(..)));
    let warnings = render_pages(renderer, config, site, &artifacts, sink, options)?;
    load::add_problems(site, warnings);
    render_pages(renderer, config, site, &rest, sink, options)?;
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
    options: Options,
) -> Result<Vec<Diagnostic>> {
    let index = SiteIndex::new(site);
    let info = view::site_info(site, config, &renderer.theme);
    let previews = PreviewConfig::from(config);
    let bar = progress_bar(options, pages.len(), "pages");
    let results: Vec<Result<Vec<Diagnostic>, String>> = pages
        .par_iter()
        .map(|page| {
            let page = page.borrow();
            let (preview, warnings) = match page.kind {
                PageKind::Artifact(vi, ai) => artifact_preview(site, vi, ai, &previews),
                _ => (None, Vec::new()),
            };
            let ctx = view::page_context(site, &index, &info, config, page.kind, &page.path, preview.as_deref());
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
    let made = preview::preview(&f.path, &f.rel, f.size, &a.metadata, previews);
    let warnings = load::preview_problems(&v.id, rel, &made).collect();
    (Some(Cow::Owned(made)), warnings)
}

/// Resolves the config's baseline among the site's versions.
pub fn attach_baseline(site: &mut Site, config: &Config) {
    let (baseline, problem) = judge::resolve_baseline(site, config.baseline.as_deref());
    site.baseline = baseline;
    load::add_problems(site, problem.into_iter().collect());
}

/// Gives every run its verdict. When a rule counts a run's problems, every
/// file is previewed first, so that the file readers' findings count too.
pub fn judge(site: &mut Site, config: &Config) {
    if judge::needs_file_problems(&config.checks) {
        let previews = PreviewConfig::from(config);
        let found: Vec<Diagnostic> = site
            .versions
            .par_iter()
            .enumerate()
            .flat_map_iter(|(vi, v)| (0..v.artifacts.len()).map(move |ai| (vi, ai)))
            .flat_map_iter(|(vi, ai)| artifact_preview(site, vi, ai, &previews).1)
            .collect();
        load::add_problems(site, found);
    }
    judge::judge_site(site, &config.checks);
}

/// Publishes every raw file of `site` into `sink`. A file that cannot be read
/// any more (deleted since the scan by a pipeline still writing, say) is a
/// problem of that file, returned; a file that cannot be written fails.
pub fn publish_raw_files(site: &Site, sink: &dyn Sink, options: Options) -> Result<Vec<Diagnostic>> {
    let files: Vec<(String, String, &std::path::Path)> = site
        .versions
        .iter()
        .flat_map(|v| v.files.iter().map(move |f| (plan::file(v, &f.rel), format!("{}/{}", v.id, f.rel), &*f.path)))
        .collect();
    let bar = progress_bar(options, files.len(), "raw files");
    let problems: Vec<Option<Diagnostic>> = files
        .par_iter()
        .map(|(rel, shown, from)| {
            bar.inc(1);
            match sink.raw(rel, from) {
                Ok(()) => Ok(None),
                Err(e) if changed_under_us(&e, from) => Ok(Some(Diagnostic::new(
                    Severity::Warning,
                    "unpublished",
                    shown,
                    format!("file could not be published; it changed while the site was built ({e:#})"),
                ))),
                Err(e) => Err(e),
            }
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    Ok(problems.into_iter().flatten().collect())
}

/// Whether publishing `from` failed because the file changed since the scan:
/// it is gone (perhaps back by now) or cannot be read any more.
fn changed_under_us(e: &anyhow::Error, from: &std::path::Path) -> bool {
    let gone = e
        .chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::NotFound);
    gone || std::fs::File::open(from).is_err()
}

/// Writes the site-wide files: theme statics, `index.json`, `problems.json`,
/// the per-version summaries, the search index and, with a base URL, the sitemap.
pub fn write_site_files(config: &Config, theme: &Theme, site: &Site, pages: &[Page], sink: &dyn Sink) -> Result<()> {
    write_shared_files(config, theme, site, pages, sink)?;
    for v in &site.versions {
        write_version_files(v, sink)?;
    }
    Ok(())
}

/// The files that depend on every version: theme statics, the site's CSS
/// tokens, logo and favicon, `index.json`, `problems.json`, the search index
/// and the sitemap.
pub fn write_shared_files(config: &Config, theme: &Theme, site: &Site, pages: &[Page], sink: &dyn Sink) -> Result<()> {
    for (name, bytes) in &theme.statics {
        sink.write(&format!("static/{name}"), bytes)?;
    }
    if !theme.statics.contains_key("site.css") {
        sink.write("static/site.css", config.tokens_css().as_bytes())?;
    }
    for (file, name) in [(&config.logo, "logo"), (&config.favicon, "favicon")] {
        if let Some(path) = file {
            let bytes = std::fs::read(path).with_context(|| format!("{name} {}: cannot read", path.display()))?;
            sink.write(&view::brand_file(name, path), &bytes)?;
        }
    }
    sink.write("index.json", &summary_json::site_index(site))?;
    sink.write("problems.json", &summary_json::problems(&site.problems))?;
    if let Some(base) = &config.base_url {
        sink.write("sitemap.xml", &sitemap::sitemap(base, pages))?;
    }
    for (path, bytes) in search::index(site) {
        sink.write(&path, &bytes)?;
    }
    Ok(())
}

/// The files of one version besides its pages: `v/{version}/summary.json`.
pub fn write_version_files(v: &crate::model::Version, sink: &dyn Sink) -> Result<()> {
    sink.write(&format!("v/{}/summary.json", v.slug), &summary_json::version_summary(v))
}

/// A staging folder as a sink.
struct Disk<'a> {
    staging: &'a Staging,
    link: bool,
}

impl Sink for Disk<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.staging.write(path, bytes)
    }
    fn raw(&self, path: &str, from: &std::path::Path) -> Result<()> {
        self.staging.copy(path, from, self.link)
    }
}

/// Builds the site into `config.out`. The old output is replaced only when
/// the whole build succeeded (and, when strict, found no problem).
pub fn build(config: &Config) -> Result<Report> {
    build_with(config, Options::default())
}

/// [`build`], with progress reporting.
pub fn build_with(config: &Config, options: Options) -> Result<Report> {
    let start = Instant::now();
    let mut timings = Timings::default();
    timings.lap("start");
    staging::check_replaceable(&config.out)?;
    let theme = theme(config)?;
    let content_types = content_types(config)?;
    let scanned = scan_root(config)?;
    let fingerprint = fingerprint::of(config, &theme, &scanned);
    timings.lap("scan");
    // A strict build of an input with problems must fail, so it runs again.
    let stamp = staging::read_stamp(&config.out)
        .filter(|s| s.fingerprint == fingerprint && !(options.strict && s.errors + s.warnings > 0));
    if let Some(stamp) = stamp {
        timings.lap("compare fingerprint");
        return Ok(Report {
            versions: stamp.versions,
            artifacts: stamp.artifacts,
            pages: stamp.pages,
            problems: Vec::new(),
            counts: Counts { errors: stamp.errors, warnings: stamp.warnings, infos: 0 },
            up_to_date: true,
            refused: false,
            seconds: start.elapsed().as_secs_f64(),
            timings,
        });
    }
    let mut site = load::load(scanned, &PreviewConfig::from(config));
    crate::input::content::attach(&mut site, content_types);
    attach_baseline(&mut site, config);
    timings.lap("load");
    let pages: Vec<Page> = plan::plan(&site);
    let staging = Staging::new(&config.out)?;
    let disk = Disk { staging: &staging, link: config.raw_files == crate::config::RawFiles::Hardlink };
    let links = LinkCheck::new(Some(&disk));
    let sink: &dyn Sink = if options.strict { &links } else { &disk };
    timings.lap("plan");
    let unpublished = publish_raw_files(&site, sink, options)?;
    load::add_problems(&mut site, unpublished);
    timings.lap("copy raw files");
    judge(&mut site, config);
    timings.lap("judge runs");
    let renderer = Renderer::new(theme)?;
    render_site(&renderer, config, &mut site, &pages, sink, options)
        .map_err(|e| e.context("the previous output is left as it was"))?;
    timings.lap("render pages");
    write_site_files(config, &renderer.theme, &site, &pages, sink)?;
    timings.lap("site files");
    if options.strict {
        load::add_problems(&mut site, links.problems());
        timings.lap("check links");
    }
    let counts = Counts::of(&site.problems);
    let refused = options.strict && counts.fail(true);
    let stamp = staging::Stamp {
        generator: concat!("artsite ", env!("CARGO_PKG_VERSION")).into(),
        fingerprint,
        versions: site.versions.len(),
        artifacts: site.versions.iter().map(|v| v.artifacts.len()).sum(),
        pages: pages.len(),
        errors: counts.errors,
        warnings: counts.warnings,
    };
    if !refused {
        staging.commit(&stamp)?;
        timings.lap("swap output");
    }

    Ok(Report {
        versions: stamp.versions,
        artifacts: stamp.artifacts,
        pages: stamp.pages,
        problems: site.problems,
        counts,
        up_to_date: false,
        refused,
        seconds: start.elapsed().as_secs_f64(),
        timings,
    })
}
