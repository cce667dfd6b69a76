//! Facts about a version's files worth naming before any is read: empty
//! files, files too big for static hosts, folders with more files than pages
//! should list, and paths that differ only in case.

use crate::diagnostics::{Diagnostic, Severity};
use crate::input::scan::FileEntry;
use std::collections::{BTreeMap, HashMap};

/// Files at least this big are named: static hosts refuse them.
const LARGE_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// A folder holding more files than this is named: each file becomes a page.
const CROWDED_FOLDER: usize = 10_000;

/// Names what is worth knowing about the `files` of `version`.
pub(crate) fn check(version: &str, files: &[FileEntry], problems: &mut Vec<Diagnostic>) {
    let path = |rel: &str| format!("{version}/{rel}");
    for f in files.iter().filter(|f| f.size == 0) {
        problems.push(Diagnostic::new(Severity::Warning, "empty-file", path(&f.rel), "file is empty (0 bytes)"));
    }
    for f in files.iter().filter(|f| f.size >= LARGE_FILE_BYTES) {
        problems.push(Diagnostic::new(
            Severity::Info,
            "large-file",
            path(&f.rel),
            format!(
                "file is {}: its preview reads only part of it, but the site publishes all of it (static hosts such as GitHub Pages refuse files over 100 MB)",
                crate::util::html::bytes(f.size)
            ),
        ));
    }
    crowded_folders(version, files, problems);
    case_clashes(version, files, problems);
}

/// Names each folder that holds more than [`CROWDED_FOLDER`] files itself.
fn crowded_folders(version: &str, files: &[FileEntry], problems: &mut Vec<Diagnostic>) {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in files {
        *count.entry(f.rel.rsplit_once('/').map_or("", |(dir, _)| dir)).or_default() += 1;
    }
    for (dir, n) in count.into_iter().filter(|&(_, n)| n > CROWDED_FOLDER) {
        let path = if dir.is_empty() { version.to_string() } else { format!("{version}/{dir}") };
        problems.push(Diagnostic::new(
            Severity::Warning,
            "crowded-folder",
            path,
            format!(
                "folder holds {} files, each an artifact with a page of its own; lists show the first {} of them",
                crate::util::html::number(n as f64, 0),
                crate::util::html::number(crate::config::limits::MAX_ROWS as f64, 0)
            ),
        ));
    }
}

/// Paths that differ only in case are one file on a case-insensitive file
/// system, so one would replace the other where the site is published.
fn case_clashes(version: &str, files: &[FileEntry], problems: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for f in files {
        match seen.entry(f.rel.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(other) => problems.push(Diagnostic::new(
                Severity::Warning,
                "case-clash",
                format!("{version}/{}", f.rel),
                format!(
                    "differs from {} only in case; where the site is published on a case-insensitive file system (macOS, Windows), one replaces the other",
                    other.get()
                ),
            )),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(&f.rel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::source::Location;

    fn files(rels: impl IntoIterator<Item = String>) -> Vec<FileEntry> {
        rels.into_iter().map(|rel| FileEntry { at: Location::disk(&rel), rel, size: 1, modified: 0 }).collect()
    }

    #[test]
    fn crowded_folders_are_named_once() {
        let many = (0..=CROWDED_FOLDER).map(|i| format!("tables/t{i}.csv"));
        let few = (0..10).map(|i| format!("plots/p{i}.png"));
        let mut problems = Vec::new();
        crowded_folders("v1", &files(many.chain(few)), &mut problems);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!((problems[0].path.as_str(), problems[0].code), ("v1/tables", "crowded-folder"));
        assert!(problems[0].message.starts_with("folder holds 10,001 files"), "{}", problems[0].message);
    }

    #[test]
    fn paths_equal_but_for_case_are_named() {
        let mut problems = Vec::new();
        case_clashes(
            "v1",
            &files(["A.csv", "Tables/b.csv", "a.csv", "tables/B.csv", "tables/c.csv"].map(String::from)),
            &mut problems,
        );
        let named: Vec<&str> = problems.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(named, ["v1/a.csv", "v1/tables/B.csv"]);
        assert!(problems[0].message.contains("differs from A.csv only in case"));
    }
}
