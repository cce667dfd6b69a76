//! Polling a bucket root: `serve` lists the whole prefix every
//! `bucket_poll_seconds` and turns what differs from the last listing into
//! a [`Change`], as the file watcher turns events into one for a folder.
//!
//! An object counts as changed when its size or entity tag differ. Keys
//! are binned like watched paths: the first segment is the run, the rest
//! the path in it; hidden segments, editors' and pipelines' temporaries and
//! objects at the top of the prefix are ignored. A listing that fails is
//! reported once; the first one to succeed after it rebuilds everything
//! (the runs read meanwhile may hold errors of the outage).

use super::incremental::Change;
use super::watch::ignored_name;
use crate::input::source::bucket::{Bucket, Listed};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Every object of a listing: key below the prefix → (size, entity tag).
pub(crate) type Objects = BTreeMap<String, (u64, Option<String>)>;

/// The objects of `listed`.
pub(crate) fn objects(listed: Vec<Listed>) -> Objects {
    listed.into_iter().map(|l| (l.rel, (l.size, l.etag))).collect()
}

/// What differs between two listings, binned by run.
pub(crate) fn change_between(old: &Objects, new: &Objects) -> Change {
    let mut change = Change::default();
    let gone = old.keys().filter(|k| !new.contains_key(*k));
    let came_or_changed = new.iter().filter(|(k, v)| old.get(*k) != Some(v)).map(|(k, _)| k);
    for key in gone.chain(came_or_changed) {
        let Some((run, rel)) = key.split_once('/') else { continue };
        let hidden = key.split('/').any(|s| s.starts_with('.'));
        if hidden || key.rsplit('/').next().is_some_and(ignored_name) {
            continue;
        }
        change.versions.entry(run.to_string()).or_default().insert(rel.to_string());
    }
    change
}

/// Lists `bucket` every `interval` until `stop`, sending each non-empty
/// change to `send`; `last` is the listing the site was built from.
pub(crate) fn run(
    bucket: &Bucket,
    mut last: Objects,
    interval: Duration,
    stop: &AtomicBool,
    quiet: bool,
    send: impl Fn(Change) -> bool,
) {
    let mut failing = false;
    while sleep(interval, stop) {
        let listed = match bucket.list_all() {
            Ok(listed) => objects(listed),
            Err(e) => {
                if !failing && !quiet {
                    eprintln!("artsite serve: {e}; still serving the last good build, listing again in {interval:?}");
                }
                failing = true;
                continue;
            }
        };
        let mut change = change_between(&last, &listed);
        change.full |= std::mem::take(&mut failing);
        last = listed;
        if !change.is_empty() && !send(change) {
            return;
        }
    }
}

/// Sleeps `interval`, waking early when `stop` is set; whether to go on.
fn sleep(interval: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + interval;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
    }
    !stop.load(Ordering::Relaxed)
}

/// Starts polling `bucket` on a thread of its own.
pub(crate) fn spawn(
    bucket: Arc<Bucket>,
    last: Objects,
    interval: Duration,
    stop: Arc<AtomicBool>,
    quiet: bool,
    send: impl Fn(Change) -> bool + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("artsite-poll".into())
        .spawn(move || run(&bucket, last, interval, &stop, quiet, send))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(entries: &[(&str, u64, &str)]) -> Objects {
        entries.iter().map(|(k, size, tag)| (k.to_string(), (*size, Some(tag.to_string())))).collect()
    }

    #[test]
    fn new_changed_and_gone_objects_are_binned_by_run() {
        let old = listing(&[("v1/a.json", 10, "x"), ("v1/b.csv", 5, "y"), ("v2/c.png", 7, "z")]);
        let new = listing(&[
            ("v1/a.json", 10, "x2"),
            ("v2/c.png", 7, "z"),
            ("v3/artifact_manifest.json", 3, "m"),
            ("v3/plots/p.png", 9, "p"),
        ]);
        let c = change_between(&old, &new);
        assert!(!c.full);
        assert_eq!(c.versions.keys().collect::<Vec<_>>(), ["v1", "v3"]);
        assert_eq!(c.versions["v1"].iter().collect::<Vec<_>>(), ["a.json", "b.csv"], "changed tag and gone");
        assert_eq!(c.versions["v3"].iter().collect::<Vec<_>>(), ["artifact_manifest.json", "plots/p.png"]);
        assert!(change_between(&new, &new).is_empty());
    }

    #[test]
    fn a_changed_size_counts_even_with_the_same_tag() {
        let c = change_between(&listing(&[("v1/a.csv", 1, "t")]), &listing(&[("v1/a.csv", 2, "t")]));
        assert_eq!(c.versions["v1"].iter().collect::<Vec<_>>(), ["a.csv"]);
    }

    #[test]
    fn temporaries_hidden_keys_and_top_level_objects_are_ignored() {
        let new = listing(&[
            ("README.md", 1, "r"),
            ("v1/x.parquet.part", 1, "p"),
            ("v1/.cache/x", 1, "c"),
            (".trash/v1/a.json", 1, "t"),
            ("v1/a.json.tmp", 1, "t"),
        ]);
        assert!(change_between(&Objects::new(), &new).is_empty());
    }
}
