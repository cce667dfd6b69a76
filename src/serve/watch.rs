//! Watching the inputs and turning file events into [`Change`]s.
//!
//! Watched: the artifacts root (recursively), the config file, and the
//! subfolders `templates/`, `static/` and `themes/` of its folder (of the
//! working folder without a config file). Never the output folder, and no
//! other file of the config's folder: logs and outputs written there would
//! otherwise rebuild the site in a loop. Events pass notify's debouncer (one
//! timeout after a path's last event), then [`classify`] bins each path:
//! - under the root, in a version folder → that version (and the path in it);
//! - the root's own entries (a version folder or alias came, went, renamed)
//!   → that name, read again or dropped after the root is listed again;
//! - the config file, or anything under those subfolders → a full rebuild;
//! - dotfiles, editor temporaries (`*~`, `*.swp`, `.#*`, `4913`) and
//!   pipeline partial files (`*.tmp`, `*.part`) → ignored.

use super::incremental::Change;
use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, NoCache, new_debouncer_opt};
use serde::de::IgnoredAny;
use std::marker::PhantomData;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// What is watched, canonical.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    /// The artifacts root; none for a bucket, which is polled instead.
    pub root: Option<PathBuf>,
    /// The config file's folder (or the working folder).
    pub site: PathBuf,
    /// The config file, if any.
    pub config: Option<PathBuf>,
    /// The output folder of `artsite build`, whose events are ignored.
    pub out: PathBuf,
}

/// Whether a file name is an editor's or a pipeline's temporary.
pub(crate) fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload"].iter().any(|ext| name.ends_with(ext))
}

/// Adds what the event at `path` means to `change`.
pub(crate) fn classify(w: &Watched, path: &Path, change: &mut Change) {
    let root = w.root.as_deref();
    if path.starts_with(&w.out) && w.out != w.site && !root.is_some_and(|r| r.starts_with(&w.out)) {
        return;
    }
    if let Some(rel) = root.and_then(|r| path.strip_prefix(r).ok()) {
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if parts.iter().any(|p| p.starts_with('.')) || parts.last().is_some_and(|n| ignored_name(n)) {
            return;
        }
        match parts.split_first() {
            None => change.full = true,
            Some((id, rest)) => {
                change.versions.entry(id.clone()).or_default().insert(rest.join("/"));
            }
        }
        return;
    }
    if w.config.as_deref() == Some(path) {
        change.full = true;
        return;
    }
    if let Ok(rel) = path.strip_prefix(&w.site) {
        let mut parts = rel.components().filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        });
        let in_site_folder = parts.next().is_some_and(|first| SITE_FOLDERS.contains(&first.as_str()));
        let parts: Vec<String> = parts.collect();
        let hidden = parts.iter().any(|p| p.starts_with('.'));
        if in_site_folder && !hidden && !parts.last().is_some_and(|n| ignored_name(n)) {
            change.full = true;
        }
    }
}

/// What one batch of debounced events means.
pub(crate) fn change_of(w: &Watched, events: &[DebouncedEvent]) -> Change {
    let mut change = Change::default();
    for e in events {
        if e.need_rescan() {
            change.full = true;
        }
        // Reads (ours included) are not changes.
        if matches!(e.kind, EventKind::Access(_)) {
            continue;
        }
        for p in &e.paths {
            classify(w, p, &mut change);
        }
    }
    change
}

/// What the rebuild thread is told: file events, or a bucket's change.
pub(crate) enum Batch {
    /// Debounced events of the watched files.
    Events(DebounceEventResult),
    /// What a bucket's listing found changed.
    Polled(Change),
}

/// A file watcher, native or polling, that sends batches of debounced events.
pub(crate) enum Watcher {
    /// inotify, FSEvents or ReadDirectoryChanges.
    Native(Debouncer<notify::RecommendedWatcher, NoCache>),
    /// Polls the tree, for network and container mounts.
    Poll(Debouncer<notify::PollWatcher, NoCache>),
}

/// How often `--poll` looks at the tree.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);

impl Watcher {
    /// Starts a watcher whose batches go to `tx`.
    pub(crate) fn new(poll: bool, debounce: Duration, tx: Sender<Batch>) -> notify::Result<Watcher> {
        let tick = Some(debounce / 4);
        let tx = move |events: DebounceEventResult| {
            let _ = tx.send(Batch::Events(events));
        };
        Ok(if poll {
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
            Watcher::Poll(new_debouncer_opt(debounce, tick, tx, NoCache, config)?)
        } else {
            Watcher::Native(new_debouncer_opt(debounce, tick, tx, NoCache, notify::Config::default())?)
        })
    }

    /// Watches `path`.
    pub(crate) fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    /// Stops watching `path` (errors are ignored: it may be gone).
    pub(crate) fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Watcher::Native(d) => d.unwatch(path),
            Watcher::Poll(d) => d.unwatch(path),
        };
    }
}

/// Subfolders of the site folder that hold templates and static files.
pub(crate) const SITE_FOLDERS: &[&str] = &["templates", "static", "themes"];

/// Watches everything of `w` that exists and is not in `watched` yet;
/// adds what it watched to `watched`.
pub(crate) fn watch_all(watcher: &mut Watcher, w: &Watched, watched: &mut Vec<PathBuf>) {
    let mut add = |path: &Path, mode: RecursiveMode, watched: &mut Vec<PathBuf>| {
        if !watched.iter().any(|p| p == path) && watcher.watch(path, mode).is_ok() {
            watched.push(path.to_path_buf());
        }
    };
    if let Some(root) = &w.root {
        add(root, RecursiveMode::Recursive, watched);
        if w.site.starts_with(root) {
            return;
        }
    }
    let in_root = |dir: &Path| w.root.as_ref().is_some_and(|r| dir.starts_with(r) || r.starts_with(dir));
    add(&w.site, RecursiveMode::NonRecursive, watched);
    for sub in SITE_FOLDERS {
        let dir = w.site.join(sub);
        if dir.is_dir() && !in_root(&dir) {
            add(&dir, RecursiveMode::Recursive, watched);
        }
    }
}

/// JSON files of `change` that do not parse now: a pipeline may still be
/// writing them.
pub(crate) fn unsettled_json(root: &Path, change: &Change) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (id, rels) in &change.versions {
        for rel in rels.iter().filter(|r| r.to_ascii_lowercase().ends_with(".json")) {
            let path = root.join(id).join(rel);
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if !meta.is_file() || meta.len() > crate::load::json::MAX_JSON_BYTES || meta.len() == 0 {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else { continue };
            // Only whether it parses: no tree is built of it.
            if crate::util::lenient_json::prepare(&bytes).read(PhantomData::<IgnoredAny>).is_err() {
                out.push(path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            root: Some("/p/artifacts".into()),
            site: "/p".into(),
            config: Some("/p/artsite.yaml".into()),
            out: "/p/public".into(),
        }
    }

    fn classified(paths: &[&str]) -> Change {
        let mut c = Change::default();
        for p in paths {
            classify(&watched(), Path::new(p), &mut c);
        }
        c
    }

    #[test]
    fn paths_are_binned() {
        let c = classified(&["/p/artifacts/v1/etl_metadata/x.json", "/p/artifacts/v1/plots/a.png", "/p/artifacts/v2"]);
        assert!(!c.full);
        assert_eq!(c.versions["v1"].iter().collect::<Vec<_>>(), ["etl_metadata/x.json", "plots/a.png"]);
        assert_eq!(c.versions["v2"].iter().collect::<Vec<_>>(), [""]);
        assert!(classified(&["/p/artsite.yaml"]).full);
        assert!(classified(&["/p/templates/base.html"]).full);
        assert!(classified(&["/p/themes/dark/static/style.css"]).full);
        assert!(classified(&["/p/templates"]).full, "the folder appears");
        assert!(classified(&["/p/artifacts"]).full, "the root itself");
    }

    #[test]
    fn temporaries_and_the_output_are_ignored() {
        for p in [
            "/p/artifacts/v1/x.json.tmp",
            "/p/artifacts/v1/x.parquet.part",
            "/p/artifacts/v1/.x.json.swp",
            "/p/artifacts/v1/x.json~",
            "/p/artifacts/v1/.#x.json",
            "/p/artifacts/v1/4913",
            "/p/artifacts/.hidden/x.json",
            "/p/artifacts/v1/.git/HEAD",
            "/p/public/index.html",
            "/p/.git/index",
            "/p/artsite.yaml.swp",
            "/p/serve.log",
            "/p/notes/x.md",
            "/p/templates/.base.html.swp",
            "/elsewhere/x",
        ] {
            assert!(classified(&[p]).is_empty(), "{p} was not ignored");
        }
    }
}
