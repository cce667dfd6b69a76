//! The one way in: the steps every command takes to get from a config to a
//! site, in order. `build` and `check` run all of them (into a different
//! sink); `serve` reads and judges the same way and keeps the site in memory.
//!
//! 1. [`read`]: the theme, the content types and the scanned root;
//! 2. [`load()`]: every version read into the model, content types and the
//!    baseline attached;
//! 3. [`produce`]: plan the pages, publish the raw files, [`judge()`] every
//!    run, render the pages (those whose inputs changed, when the build
//!    cache says what the previous build made them from) and write the site
//!    files.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::input::content::ContentType;
use crate::input::scan::{self, Scan};
use crate::judge;
use crate::load;
use crate::model::Site;
use crate::output::{raw, sink::Sink, site_files};
use crate::plan::select::{self, Old};
use crate::plan::{self, Page};
use crate::render::{self, Renderer, Unchanged};
use crate::theme::Theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A site's inputs, read: everything but the versions' contents.
pub struct Inputs {
    /// The configured theme, the site's templates and static files on top.
    pub theme: Theme,
    /// The content types the config registers, their schemas read.
    pub content_types: Vec<ContentType>,
    /// The artifacts root, scanned.
    pub scan: Scan,
}

/// Requests to a bucket in flight at once, at most: a build from a bucket
/// waits on the network more than on the processor, so it works with this
/// many threads rather than one per core.
pub const BUCKET_REQUESTS: usize = 16;

/// Runs `work`, with [`BUCKET_REQUESTS`] threads when the root is a bucket.
pub fn with_requests<T: Send>(config: &Config, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if config.bucket().is_none() {
        return work();
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(BUCKET_REQUESTS).build()?;
    pool.install(work)
}

/// Reads the theme, the content types and the root of `config`. Fails on a
/// theme, template or schema that cannot be read, or a root without versions.
pub fn read(config: &Config) -> Result<Inputs> {
    let theme = Theme::load(&config.site_dir, &config.theme, &config.theme_variables)?;
    let content_types = content_types(config)?;
    let scan = match config.bucket() {
        Some(url) => scan::scan_bucket(url)?,
        None => scan::scan(&config.root)?,
    };
    if scan.versions.is_empty() {
        return Err(no_versions(config));
    }
    Ok(Inputs { theme, content_types, scan })
}

/// The content types the config registers, with their schemas read.
pub fn content_types(config: &Config) -> Result<Vec<ContentType>> {
    config.content_types.iter().map(|d| ContentType::load(d, &config.site_dir)).collect()
}

/// The error for a root without version folders.
pub fn no_versions(config: &Config) -> anyhow::Error {
    anyhow::anyhow!(
        "artifacts root {} has no version folders (expected one folder per pipeline run, such as {}/2024-01-15_14-30-00_host/)",
        config.root.display(),
        config.root.display()
    )
}

/// Loads every scanned version and attaches the content types and baseline.
pub fn load(scan: Scan, content_types: Vec<ContentType>, config: &Config) -> Site {
    load_keeping(scan, content_types, config, None)
}

/// [`load()`], taking the runs `models` kept instead of reading their files
/// (see [`load::load_keeping`]).
pub fn load_keeping(
    scan: Scan,
    content_types: Vec<ContentType>,
    config: &Config,
    models: Option<&load::KeptModels>,
) -> Site {
    let mut site = load::load_keeping(scan, &plan::previews(config), models);
    attach(&mut site, content_types, config);
    site
}

/// Attaches to a loaded site what the config adds to it: the content types
/// (which JSON files are of which type) and the baseline run.
pub fn attach(site: &mut Site, content_types: Vec<ContentType>, config: &Config) {
    load::content::attach(site, content_types);
    for v in &mut site.versions {
        v.raw_url = config.raw_url(&v.id);
    }
    let (baseline, problem) = judge::resolve_baseline(site, config.baseline.as_deref());
    site.baseline = baseline;
    load::add_problems(site, problem.into_iter().collect());
}

/// Gives every run its verdict. When a rule counts a run's problems, every
/// file is previewed first, so that the file readers' findings count too.
pub fn judge(site: &mut Site, config: &Config) {
    if judge::needs_file_problems(&config.checks) {
        let previews = plan::previews(config);
        let found: Vec<Diagnostic> = site
            .versions
            .par_iter()
            .enumerate()
            .flat_map_iter(|(vi, v)| (0..v.artifacts.len()).map(move |ai| (vi, ai)))
            .flat_map_iter(|(vi, ai)| render::artifact_preview(site, vi, ai, &previews).1)
            .collect();
        load::add_problems(site, found);
    }
    judge::judge_site(site, &config.checks);
}

/// What a build may keep of the previous one (see [`crate::output::cache`]).
pub struct Since<'a> {
    /// What the previous build's site knew.
    pub old: &'a Old,
    /// The versions of both builds whose files changed.
    pub replaced: HashSet<String>,
    /// Render every page: `old` lacks what some version read again or gone
    /// was made of.
    pub full: bool,
    /// Each artifact page's problems in the previous build, by path.
    pub warnings: &'a HashMap<String, Vec<Diagnostic>>,
    /// The site-level files of the previous output (see [`site_files::is_shared`]).
    pub shared_files: &'a [String],
    /// Keeps the previous output's file at a path, as it is; false when it cannot.
    pub keep: &'a (dyn Fn(&str) -> Result<bool> + Sync),
    /// Readies the previous output's files of the versions of these ids to
    /// be kept or written one by one; the build keeps the others whole.
    pub open: &'a (dyn Fn(&[&str]) + Sync),
}

/// What [`produce`] made.
pub struct Produced {
    /// Every page of the site.
    pub pages: Vec<Page>,
    /// What rendering did: the pages rendered, and the previews' problems.
    pub rendered: render::Rendered,
}

/// The site files after the change `since` the previous build: the
/// site-level ones written when what they show changed, else kept; each
/// version's when its pages were rendered whole, it was read again or its
/// verdict changed, else kept. A file that cannot be kept is written.
fn changed_site_files(
    config: &Config,
    renderer: &Renderer,
    site: &Site,
    pages: &[Page],
    sink: &dyn Sink,
    since: &Since,
    selection: &select::Selection,
) -> Result<()> {
    let mut shared = selection.shared || select::problems_digest(&site.problems) != since.old.problems;
    for path in since.shared_files {
        if shared {
            break;
        }
        shared = !(since.keep)(path)?;
    }
    if shared {
        site_files::write_shared(config, &renderer.theme, site, pages, sink)?;
    }
    for (vi, v) in site.versions.iter().enumerate() {
        let again = selection.whole.contains(&vi) || selection.judged.contains(&vi) || since.replaced.contains(&v.id);
        if again || !(since.keep)(&plan::summary_json(v))? {
            site_files::write_version(v, sink)?;
        }
    }
    Ok(())
}

/// The steps after loading, into `sink`: plan every page, publish the raw
/// files, judge every run, render the pages (all of them, or with `since`
/// those whose inputs changed, keeping the others) and write the site
/// files. Each finished step is passed to `lap` (for timings).
pub fn produce(
    config: &Config,
    renderer: &Renderer,
    site: &mut Site,
    sink: &dyn Sink,
    progress: bool,
    lap: &mut dyn FnMut(&'static str),
    since: Option<Since>,
) -> Result<Produced> {
    let pages = plan::plan(site);
    lap("plan");
    // A run whose files are all as before (on disk, where times tell) keeps
    // its published files as they are, once the build knows which runs it
    // writes into (see Since::open).
    let unchanged: HashSet<&str> = match &since {
        Some(s) if config.bucket().is_none() => {
            s.old.ids.iter().map(String::as_str).filter(|id| !s.replaced.contains(*id)).collect()
        }
        _ => HashSet::new(),
    };
    let unpublished = raw::publish(site, sink, progress, &|v| !unchanged.contains(v.id.as_str()), &|_| Ok(false))?;
    load::add_problems(site, unpublished);
    lap("copy raw files");
    judge(site, config);
    lap("judge runs");
    let selection = since.as_ref().map(|s| select::select(s.old, site, &s.replaced, s.full, renderer.shows()));
    if let (Some(s), Some(selection)) = (&since, &selection) {
        let touched: Vec<&str> =
            select::touched(site, selection).into_iter().map(|vi| site.versions[vi].id.as_str()).collect();
        (s.open)(&touched);
        let kept = raw::publish(site, sink, progress, &|v| unchanged.contains(v.id.as_str()), s.keep)?;
        load::add_problems(site, kept);
        lap("keep raw files");
    }
    let unchanged = since.as_ref().zip(selection.as_ref()).map(|(s, selection)| Unchanged {
        selection,
        old_problems: s.old.problems,
        warnings: s.warnings,
        keep: s.keep,
    });
    let rendered = render::render_changed(renderer, config, site, &pages, sink, progress, unchanged.as_ref())?;
    lap("render pages");
    match (&since, &selection) {
        (Some(since), Some(selection)) if !selection.all => {
            changed_site_files(config, renderer, site, &pages, sink, since, selection)?;
        }
        _ => site_files::write_all(config, &renderer.theme, site, &pages, sink)?,
    }
    lap("site files");
    Ok(Produced { pages, rendered })
}
