//! `artsite build`, as a recipe: read the inputs, skip the build when the
//! output already holds this site, load, then produce the site into a
//! staging folder and swap it in (see [`super::pipeline`]).

use super::pipeline;
use crate::config::Config;
use crate::diagnostics::{Counts, Diagnostic, Severity};
use crate::load;
use crate::output::cache;
use crate::output::fingerprint;
use crate::output::links::LinkCheck;
use crate::output::lock::{self, Wait};
use crate::output::sink::{Disk, Sink};
use crate::output::site_files;
use crate::output::staging::{self, Staging};
use crate::plan::select::Old;
use crate::render::Renderer;
use crate::util::html::{counted, number};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
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
    /// Pages rendered: the others were kept from the previous output, as
    /// the build cache showed their inputs unchanged.
    pub rendered: usize,
    /// Files the previous output held already, kept (linked from it, or
    /// left in place) instead of written again (see [`crate::output::cache`]).
    pub linked: usize,
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
        let kept = self.pages.saturating_sub(self.rendered);
        let kept = if self.up_to_date || kept == 0 {
            String::new()
        } else {
            format!(" ({} rendered, {} kept)", number(self.rendered as f64, 0), number(kept as f64, 0))
        };
        format!(
            "{} {}, {}, {}{kept}; {} ({}, {}) in {:.2}s",
            if self.refused {
                "not published (--strict):"
            } else if self.up_to_date {
                "up to date:"
            } else {
                "built"
            },
            counted(self.versions, "version"),
            counted(self.artifacts, "artifact"),
            counted(self.pages, "page"),
            counted(c.problems(), "problem"),
            counted(c.errors, "error"),
            counted(c.warnings, "warning"),
            self.seconds
        )
    }
}

/// How a build reports on itself while it runs, how strict it is, and
/// where its cache is.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Check every internal link too, and leave the output as it was when
    /// the input or the site has any error or warning.
    pub strict: bool,
    /// Fail at once, instead of waiting, when another build is writing the
    /// same output.
    pub no_wait: bool,
    /// The build cache: `None` for the default, beside the output (see
    /// [`cache::default_dir`]).
    pub cache: Option<std::path::PathBuf>,
    /// Use no build cache: write every file.
    pub no_cache: bool,
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

/// Builds the site into `config.out`. The old output is replaced only when
/// the whole build succeeded (and, when strict, found no problem).
pub fn build(config: &Config) -> Result<Report> {
    build_with(config, Options::default())
}

/// [`build`], with progress reporting.
pub fn build_with(config: &Config, options: Options) -> Result<Report> {
    pipeline::with_requests(config, || build_here(config, options))
}

fn build_here(config: &Config, options: Options) -> Result<Report> {
    let start = Instant::now();
    let mut timings = Timings::default();
    timings.lap("start");
    let wait = if options.no_wait { Wait::No } else { Wait::Yes };
    let _lock = lock::acquire(&config.out, wait, &mut |message| eprintln!("{message}"))?;
    // A run folder removed while the site was built (a pipeline cleaning
    // up) would leave pages of files that are gone: build once more.
    let mut removed = Vec::new();
    for again in [true, false] {
        match attempt(config, &options, &mut timings, again)? {
            Attempt::Done(mut report) => {
                note_removed(&mut report, &removed);
                report.seconds = start.elapsed().as_secs_f64();
                report.timings = timings;
                return Ok(report);
            }
            Attempt::RunsRemoved(ids) => removed.extend(ids),
        }
    }
    unreachable!("the last attempt always ends the build")
}

/// How one attempt at a build ended.
enum Attempt {
    /// Built, refused or up to date.
    Done(Report),
    /// These runs' folders were removed while the site was built; nothing
    /// was written.
    RunsRemoved(Vec<String>),
}

/// One build under the lock. When `may_retry`, a run removed meanwhile
/// abandons the attempt; else its problems are folded into one.
fn attempt(config: &Config, options: &Options, timings: &mut Timings, may_retry: bool) -> Result<Attempt> {
    staging::check_replaceable(&config.out)?;
    let inputs = pipeline::read(config)?;
    staging::stop_if_interrupted()?;
    let prints = fingerprint::prints(config, &inputs.theme, &inputs.scan);
    let fingerprint = prints.whole();
    timings.lap("scan");
    // A strict build of an input with problems must fail, so it runs again.
    let stamp = staging::read_stamp(&config.out)
        .filter(|s| s.fingerprint == fingerprint && !(options.strict && s.errors + s.warnings > 0));
    if let Some(stamp) = stamp {
        // A killed build may have swapped its site in before it ended.
        staging::remove_leftovers(&config.out);
        timings.lap("compare fingerprint");
        return Ok(Attempt::Done(Report {
            versions: stamp.versions,
            artifacts: stamp.artifacts,
            pages: stamp.pages,
            rendered: 0,
            linked: 0,
            problems: Vec::new(),
            counts: Counts { errors: stamp.errors, warnings: stamp.warnings, infos: 0 },
            up_to_date: true,
            refused: false,
            seconds: 0.0,
            timings: Timings::default(),
        }));
    }
    let bucket = inputs.scan.bucket.clone();
    let cache_dir =
        (!options.no_cache).then(|| options.cache.clone().unwrap_or_else(|| cache::default_dir(&config.out)));
    // A run read from disk whose files are as before is taken from the cache.
    let models = cache_dir
        .as_deref()
        .filter(|_| bucket.is_none())
        .map(|dir| cache::Models::new(dir, &prints.global, &prints.runs));
    let read_model = |id: &str| models.as_ref().and_then(|m| m.read(id));
    let keep_model = |id: &str, bytes: Vec<u8>| {
        if let Some(m) = &models {
            m.write(id, &bytes);
        }
    };
    let kept_models = models.is_some().then_some(load::KeptModels { kept: &read_model, keep: &keep_model });
    let mut site = pipeline::load_keeping(inputs.scan, inputs.content_types, config, kept_models.as_ref());
    let renderer = Renderer::new(inputs.theme)?;
    staging::stop_if_interrupted().map_err(|e| e.context(kept(&config.out)))?;
    timings.lap("load");
    let mut previous = cache_dir.as_deref().and_then(|dir| cache::load(dir, staging::read_stamp(&config.out).as_ref()));
    // A strict build checks the links of every page, so it renders them all.
    let mut before =
        previous.as_mut().and_then(|r| r.site.take()).filter(|r| r.global == prints.global && !options.strict);
    // What every page shows is as before: update the output, keeping its
    // unchanged files where they are (see staging::Staging::overlay).
    let staging = if before.is_some() { Staging::overlay(&config.out)? } else { Staging::new(&config.out)? };
    let shared_files: Vec<String> = previous
        .as_ref()
        .map(|r| r.files.keys().filter(|p| site_files::is_shared(p)).cloned().collect())
        .unwrap_or_default();
    let reuse = cache::Reuse::new(&config.out, cache_dir.as_deref().unwrap_or(&config.out), previous);
    let replaced = before.as_ref().map(|r| changed_runs(&prints, r)).unwrap_or_default();
    let full = match before.as_mut() {
        Some(r) if bucket.is_none() => open_changed(&reuse, r, &site, &replaced),
        Some(r) => {
            r.old.versions = reuse.open_all();
            false
        }
        None => {
            reuse.open_all();
            false
        }
    };
    timings.lap("read cache");
    let link = config.raw_files() == crate::config::RawFiles::Hardlink;
    let disk = Disk { staging: &staging, link, reuse: cache_dir.is_some().then_some(&reuse) };
    let links = LinkCheck::new(Some(&disk));
    let sink: &dyn Sink = if options.strict { &links } else { &disk };
    let keep = |rel: &str| reuse.keep(&staging, rel);
    let open = |ids: &[&str]| {
        reuse.open(ids.iter().copied());
    };
    let since = before.as_ref().map(|r| pipeline::Since {
        old: &r.old,
        replaced,
        full,
        warnings: &r.warnings,
        shared_files: &shared_files,
        keep: &keep,
        open: &open,
    });
    let produced =
        pipeline::produce(config, &renderer, &mut site, sink, options.progress, &mut |step| timings.lap(step), since)
            .map_err(|e| e.context(kept(&config.out)))?;
    let pages = produced.pages;
    if let Some(lost) = bucket.as_ref().and_then(|b| b.lost()) {
        // Pages of files that could not be read are no site to publish.
        return Err(anyhow::anyhow!(lost).context(kept(&config.out)));
    }
    let removed = removed_runs(config, &site);
    // What the next build compares with: the site as its pages show it.
    let record = (cache_dir.is_some() && removed.is_empty()).then(|| cache::SiteRecord {
        global: prints.global.clone(),
        runs: prints.runs.iter().cloned().collect(),
        old: Old::of(&site, |_| false),
        warnings: produced.rendered.warnings,
    });
    timings.lap("record pages");
    if !removed.is_empty() {
        if may_retry {
            return Ok(Attempt::RunsRemoved(removed));
        }
        fold_problems_of_removed(&mut site, &removed);
    }
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
    let linked = reuse.linked();
    if !refused {
        staging.commit(&stamp, &reuse.gone())?;
        timings.lap("swap output");
        let (mut written, parts) = reuse.record(&stamp, &site);
        written.site = record;
        if let Some(dir) = &cache_dir
            && let Err(e) = cache::save(dir, &written, &parts)
        {
            // The site is built; the next build just writes every file.
            site.problems.push(Diagnostic::new(
                Severity::Info,
                "cache-unsaved",
                dir.display().to_string(),
                format!("{e:#}"),
            ));
        }
        if let Some(m) = &models {
            m.tidy();
        }
        timings.lap("save cache");
    }
    let problems = std::mem::take(&mut site.problems);
    // Freeing the model and the pages takes a while at 100,000 artifacts,
    // and the build is done: it happens meanwhile (or not at all, as the
    // command exits).
    std::thread::spawn(move || drop((site, pages)));
    Ok(Attempt::Done(Report {
        versions: stamp.versions,
        artifacts: stamp.artifacts,
        pages: stamp.pages,
        rendered: produced.rendered.rendered,
        linked,
        problems,
        counts,
        up_to_date: false,
        refused,
        seconds: 0.0,
        timings: Timings::default(),
    }))
}

/// Opens the runs of the previous build that this one may write into
/// before it knows its pages: those read again or gone, those whose folder
/// in the site moved or is another run's now, and those whose summary page
/// is not as written (see [`cache::Reuse::sealed`]); gives `before` their
/// digests. True when a run read again or gone has none, so that every
/// page is rendered.
fn open_changed(
    reuse: &cache::Reuse,
    before: &mut cache::SiteRecord,
    site: &crate::model::Site,
    replaced: &HashSet<String>,
) -> bool {
    let slug_of: HashMap<&str, &str> = site.versions.iter().map(|v| (v.id.as_str(), v.slug.as_str())).collect();
    let run_at: HashMap<&str, &str> = site.versions.iter().map(|v| (v.slug.as_str(), v.id.as_str())).collect();
    let changed = |id: &str| replaced.contains(id) || !slug_of.contains_key(id);
    let moved = |id: &str, slug: &str| slug_of.get(id) != Some(&slug) || run_at.get(slug) != Some(&id);
    let old = &before.old;
    let opened: Vec<&str> = old
        .ids
        .iter()
        .zip(&old.identity)
        .map(|(id, at)| (id.as_str(), at.slug.as_str()))
        .filter(|&(id, slug)| changed(id) || moved(id, slug) || !reuse.sealed(id))
        .map(|(id, _)| id)
        .collect();
    before.old.versions = reuse.open(opened);
    before.old.ids.iter().filter(|id| changed(id)).any(|id| !before.old.versions.contains_key(id))
}

/// The versions of both the previous build and this one whose files changed.
fn changed_runs(prints: &fingerprint::Prints, before: &cache::SiteRecord) -> HashSet<String> {
    prints
        .runs
        .iter()
        .filter(|(id, print)| before.runs.get(id).is_some_and(|p| p != print))
        .map(|(id, _)| id.clone())
        .collect()
}

/// The runs of `site` whose folder is gone from the root.
fn removed_runs(config: &Config, site: &crate::model::Site) -> Vec<String> {
    if config.bucket().is_some() {
        // An object gone since the listing is a problem of its own file.
        return Vec::new();
    }
    site.versions.iter().filter(|v| !config.root.join(&v.id).is_dir()).map(|v| v.id.clone()).collect()
}

/// The problems of each run in `ids` (files unreadable, unpublished) as
/// one: its folder went while the site was built, twice.
fn fold_problems_of_removed(site: &mut crate::model::Site, ids: &[String]) {
    let of = |d: &Diagnostic, id: &str| d.path == id || d.path.starts_with(&format!("{id}/"));
    site.problems.retain(|d| !ids.iter().any(|id| of(d, id)));
    let folded = ids
        .iter()
        .map(|id| {
            Diagnostic::new(
                Severity::Warning,
                "run-removed",
                id,
                "the run's folder was removed while the site was built, twice; its pages show what was read before it went, and its raw files may be missing",
            )
        })
        .collect();
    load::add_problems(site, folded);
}

/// Notes in `report` the runs whose folder went during a first attempt.
fn note_removed(report: &mut Report, ids: &[String]) {
    for id in ids {
        report.problems.push(Diagnostic::new(
            Severity::Info,
            "run-removed",
            id,
            "the run's folder was removed while the site was built; the site was built again without it",
        ));
        report.counts.infos += 1;
    }
}

/// What a failed build did to the output folder `out`.
fn kept(out: &std::path::Path) -> &'static str {
    if out.exists() { "the previous output is left as it was" } else { "no output was written" }
}
