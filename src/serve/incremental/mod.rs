//! Incremental rebuilds: the site stays loaded; a change re-reads only the
//! versions it touched and re-renders only the pages whose inputs changed.
//!
//! A rebuild runs in four steps, one module each:
//! 1. [`read`]: read what changed and put the new site together;
//! 2. [`select`]: compare the old and new site to find the pages whose
//!    inputs changed;
//! 3. and 4. [`publish`]: render them into memory, with the site-level files
//!    when their inputs changed, and publish a new [`Snapshot`], noting which
//!    paths' bytes changed.
//!
//! A config, template or theme change re-reads and re-renders everything
//! (`full`), the same way `build` reads a site (see
//! [`crate::commands::pipeline`]). The result always equals a clean build
//! byte for byte; the tests check that after scripted edits.

mod change;
mod publish;
mod read;

pub use change::Change;

use super::store::Snapshot;
use crate::commands::pipeline::{self, Inputs};
use crate::config::Config;
use crate::input::content::ContentType;
use crate::input::scan::Scan;
use crate::input::source::bucket::Bucket;
use crate::model::Site;
use crate::plan::select;
use crate::render::Renderer;
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Number of the build, from 1.
    pub build: u64,
    /// Site paths whose bytes changed, appeared or went away, sorted.
    pub changed: Vec<String>,
    /// Pages rendered.
    pub rendered: usize,
    /// Versions read from disk.
    pub read: usize,
    /// Whether everything was read and rendered again.
    pub full: bool,
    /// Wall time of the rebuild.
    pub seconds: f64,
    /// Wall time of each step, in order.
    pub steps: Vec<(&'static str, f64)>,
}

/// Reads the config again for a full rebuild (the file may have changed).
pub type ConfigSource = Box<dyn Fn() -> Result<Config> + Send>;

/// The loaded site, its rendered files, and what it takes to update them.
pub struct Engine {
    source: ConfigSource,
    config: Config,
    renderer: Renderer,
    site: Site,
    states: HashMap<String, read::VersionState>,
    snapshot: Snapshot,
    /// Paths of the site-level files last written.
    shared: HashSet<String>,
    /// A file some version reaches through a symlink → (version, path in it).
    linked: HashMap<PathBuf, Vec<(String, String)>>,
    /// The bucket the root is in, if it is one, as the last full read connected to it.
    bucket: Option<Arc<Bucket>>,
}

/// A full rebuild's fresh start: the config read again, its theme compiled
/// and the site's inputs read, as every command reads them.
struct Fresh {
    config: Config,
    /// The theme, compiled; taken by the engine when it starts.
    renderer: Option<Renderer>,
    content_types: Vec<ContentType>,
    scan: Scan,
}

impl Fresh {
    fn read(source: &ConfigSource) -> Result<Fresh> {
        let config = source()?;
        let Inputs { theme, content_types, scan } = pipeline::read(&config)?;
        Ok(Fresh { renderer: Some(Renderer::new(theme)?), config, content_types, scan })
    }
}

/// Wall time per step, as the rebuild goes.
struct Steps {
    start: Instant,
    lap: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Steps {
    fn start() -> Steps {
        let now = Instant::now();
        Steps { start: now, lap: now, done: Vec::new() }
    }

    fn lap(&mut self, name: &'static str) {
        self.done.push((name, self.lap.elapsed().as_secs_f64()));
        self.lap = Instant::now();
    }
}

impl Engine {
    /// Reads the config from `source` and builds the whole site into memory.
    pub fn new(source: ConfigSource) -> Result<Engine> {
        let mut fresh = Fresh::read(&source)?;
        let renderer = fresh.renderer.take().expect("a fresh start has its renderer");
        let mut engine = Engine {
            source,
            config: fresh.config.clone(),
            renderer,
            site: Site::empty(),
            states: HashMap::new(),
            snapshot: Snapshot::default(),
            shared: HashSet::new(),
            linked: HashMap::new(),
            bucket: None,
        };
        engine.apply(&Change { full: true, ..Change::default() }, Some(fresh))?;
        Ok(engine)
    }

    /// The current snapshot, to publish.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The loaded site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The config of the last good build.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Versions that reach `path` through a symlink, with the link's path in each.
    pub fn linked_from(&self, path: &std::path::Path) -> &[(String, String)] {
        self.linked.get(path).map(Vec::as_slice).unwrap_or_default()
    }

    /// Applies `change`. On error the previous site and snapshot stay as
    /// they were. A bucket that stopped answering is connected to again, in
    /// a full rebuild.
    pub fn rebuild(&mut self, change: &Change) -> Result<Outcome> {
        let reconnect = self.bucket.as_ref().is_some_and(|b| b.lost().is_some());
        let fresh = if change.full || reconnect { Some(Fresh::read(&self.source)?) } else { None };
        self.apply(change, fresh)
    }

    /// The rebuild's recipe, with the fresh start of a full one.
    fn apply(&mut self, change: &Change, mut fresh: Option<Fresh>) -> Result<Outcome> {
        let mut steps = Steps::start();
        let config = fresh.as_ref().map_or_else(|| self.config.clone(), |f| f.config.clone());
        let content_types = match &mut fresh {
            Some(f) => std::mem::take(&mut f.content_types),
            None => pipeline::content_types(&config)?,
        };
        if fresh.is_some() && config != self.config {
            // Previews depend on the config.
            self.states.clear();
        }
        let known: HashSet<String> = self.site.versions.iter().map(|v| v.id.clone()).collect();
        let bucket = fresh.as_ref().map_or_else(|| self.bucket.clone(), |f| f.scan.bucket.clone());
        let scan = fresh.as_mut().map(|f| &mut f.scan);
        let read = read::read(&config, change, scan, bucket.as_ref(), &known, &self.states, &self.snapshot.root)?;
        if let Some(lost) = bucket.as_ref().and_then(|b| b.lost()) {
            anyhow::bail!(lost);
        }
        let (full, root, read_count) = (read.full, read.root.clone(), read.versions.len());
        steps.lap("read");

        let mut states = std::mem::take(&mut self.states);
        let old_site = std::mem::replace(&mut self.site, Site::empty());
        let (mut site, old, replaced) = read::assemble(old_site, read, &mut states);
        pipeline::attach(&mut site, content_types, &config);
        pipeline::judge(&mut site, &config);
        steps.lap("assemble");

        let renderer = fresh.as_ref().and_then(|f| f.renderer.as_ref()).unwrap_or(&self.renderer);
        let mut sel = select::select(&old, &site, &replaced, full, renderer.shows());
        // Changed problems put the site-level files out of date.
        sel.shared |= select::problems_digest(&site.problems) != old.problems;
        steps.lap("select");
        let pages = select::pages(&site, &sel, false);
        steps.lap("plan");
        let rendered = publish::render(renderer, &config, &site, &sel, &old, &replaced, &pages)?;
        steps.lap("render");

        let rendered_pages = rendered.pages;
        let (mut next, changed) = publish::merge(&self.snapshot, &site, &sel, change, rendered, &mut self.shared);
        next.root = root;
        self.linked = publish::linked(&site);
        steps.lap("publish");
        self.site = site;
        self.states = states;
        self.snapshot = next;
        if let Some(renderer) = fresh.and_then(|f| f.renderer) {
            self.renderer = renderer;
        }
        self.config = config;
        self.bucket = bucket;
        Ok(Outcome {
            build: self.snapshot.build,
            changed,
            rendered: rendered_pages,
            read: read_count,
            full: sel.all,
            seconds: steps.start.elapsed().as_secs_f64(),
            steps: steps.done,
        })
    }
}
