//! The files the browser draws each page's version switcher and its links
//! to later runs from (`static/nav.js` of the bundled themes): the runs in
//! order with their verdicts ([`plan::NAV_RUNS`]), and which page each run
//! has for each [`plan::nav_key`], in shards by the key's hash
//! ([`plan::nav_shard`]).
//!
//! A run's pages then say nothing of later runs, so a new run, or a changed
//! verdict, rewrites these few files instead of the pages of the runs
//! before it.

use crate::model::Site;
use crate::model::verdict::Status;
use crate::plan;
use crate::util::html::script;
use serde::Serialize;
use std::collections::BTreeMap;

/// Keys per shard the shard count aims at: a page loads one shard.
const KEYS_PER_SHARD: usize = 256;

/// At most this many shards, however many keys.
const MAX_SHARDS: usize = 256;

/// The runs, oldest first, and how the keys are sharded.
#[derive(Serialize)]
struct Runs<'a> {
    /// How many shards the keys are in (see [`shard_of`]).
    shards: usize,
    /// Each run's id, verdict and folder.
    runs: Vec<(&'a str, Status, String)>,
}

/// The runs that have the page of one key: `(from, to, path)` for the runs
/// `from..to` (by place, oldest first), each with that page at `path` in
/// its folder.
type Spans = Vec<(usize, usize, String)>;

/// The navigation files of `site`: paths and bytes.
pub(crate) fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let keys = spans(site);
    let shards = shard_count(keys.len());
    let runs = Runs {
        shards,
        runs: site.versions.iter().map(|v| (v.id.as_str(), v.verdict.status, plan::version_dir(v))).collect(),
    };
    let mut by_shard: Vec<BTreeMap<&str, &Spans>> = vec![BTreeMap::new(); shards];
    for (key, spans) in &keys {
        by_shard[shard_of(key, shards)].insert(key, spans);
    }
    let mut files = vec![(plan::NAV_RUNS.to_string(), script("artsiteNav.runs", "", &runs))];
    files.extend(
        by_shard
            .iter()
            .enumerate()
            .map(|(n, keys)| (plan::nav_shard(n), script("artsiteNav.keys", &format!("{n}, "), keys))),
    );
    files
}

/// Every key's runs, each run's first page of that key.
fn spans(site: &Site) -> BTreeMap<String, Spans> {
    let mut keys: BTreeMap<String, Spans> = BTreeMap::new();
    for (vi, v) in site.versions.iter().enumerate() {
        let dir = plan::version_dir(v);
        for page in plan::version_pages(site, vi) {
            let Some(key) = plan::nav_key(site, page.kind) else { continue };
            let path = page.path.strip_prefix(&dir).unwrap_or(&page.path);
            let spans = keys.entry(key).or_default();
            match spans.last_mut() {
                Some(last) if last.1 == vi + 1 => {}
                Some(last) if last.1 == vi && last.2 == path => last.1 = vi + 1,
                _ => spans.push((vi, vi + 1, path.to_string())),
            }
        }
    }
    keys
}

/// How many shards `keys` keys are put in: a power of two.
fn shard_count(keys: usize) -> usize {
    keys.div_ceil(KEYS_PER_SHARD).next_power_of_two().min(MAX_SHARDS)
}

/// The shard of `key`: its 32-bit FNV-1a hash over its UTF-8 bytes, modulo
/// the shard count (`static/nav.js` computes the same).
pub(crate) fn shard_of(key: &str, shards: usize) -> usize {
    let hash = key.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash as usize % shards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_by_fnv1a() {
        // FNV-1a's published values for "" and "a".
        assert_eq!(shard_of("", usize::MAX), 0x811c_9dc5);
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("a", 4), 0xe40c_292c % 4);
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(256), 1);
        assert_eq!(shard_count(257), 2);
        assert_eq!(shard_count(1000), 4);
        assert_eq!(shard_count(1_000_000), MAX_SHARDS);
    }
}
