//! What changed on disk since the last rebuild, as the watcher reports it.

use std::collections::{BTreeMap, BTreeSet};

/// What changed on disk since the last rebuild.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Read and render everything again: the config, a template or the theme
    /// changed, or file events were lost.
    pub full: bool,
    /// Version folder name → changed paths inside it, `/`-separated (`""`:
    /// the folder itself, so every file).
    pub versions: BTreeMap<String, BTreeSet<String>>,
}

impl Change {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.full && self.versions.is_empty()
    }

    /// Adds `other` to this change.
    pub fn merge(&mut self, other: Change) {
        self.full |= other.full;
        for (id, rels) in other.versions {
            self.versions.entry(id).or_default().extend(rels);
        }
    }

    pub(super) fn touches(&self, id: &str, rel: &str) -> bool {
        self.versions.get(id).is_some_and(|rels| {
            rels.iter()
                .any(|c| c.is_empty() || rel == c || (rel.starts_with(c.as_str()) && rel[c.len()..].starts_with('/')))
        })
    }
}
