//! Matches a manifest's `file_path` to a file inside the version folder.
//!
//! Pipelines write `file_path` absolute from the machine they ran on, relative
//! to their working directory (`artifacts/{version}/...`) or relative to the
//! version folder. We take the longest suffix of the path that names a file in
//! the version folder, so all three land on the same file.

use crate::input::scan::FileEntry;
use std::collections::HashMap;

/// Where a `file_path` led.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// To this file (index into the version's files). `foreign` is true when
    /// the path was absolute.
    Found {
        /// Index of the file.
        index: usize,
        /// The path was absolute, from this or another machine.
        foreign: bool,
    },
    /// To no file of the version.
    NotFound,
}

/// Resolves paths against one version's files.
pub struct Resolver<'a> {
    by_rel: HashMap<&'a str, usize>,
}

impl<'a> Resolver<'a> {
    /// Indexes `files` by relative path.
    pub fn new(files: &'a [FileEntry]) -> Self {
        Resolver { by_rel: files.iter().enumerate().map(|(i, f)| (f.rel.as_str(), i)).collect() }
    }

    /// Resolves `file_path` by its longest suffix that names a file.
    pub fn resolve(&self, file_path: &str) -> Resolution {
        let normal = file_path.replace('\\', "/");
        let foreign = normal.starts_with('/') || normal.as_bytes().get(1) == Some(&b':');
        let parts: Vec<&str> = normal.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if parts.contains(&"..") {
            // Only the part after the last `..` can name a file inside the folder.
            let after = parts.iter().rposition(|p| *p == "..").map_or(0, |i| i + 1);
            return self.longest_suffix(&parts[after..], foreign);
        }
        self.longest_suffix(&parts, foreign)
    }

    fn longest_suffix(&self, parts: &[&str], foreign: bool) -> Resolution {
        for start in 0..parts.len() {
            let candidate = parts[start..].join("/");
            if let Some(&index) = self.by_rel.get(candidate.as_str()) {
                return Resolution::Found { index, foreign };
            }
        }
        Resolution::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn files(rels: &[&str]) -> Vec<FileEntry> {
        rels.iter().map(|r| FileEntry { rel: r.to_string(), path: PathBuf::from(r), size: 1, modified: 0 }).collect()
    }

    #[test]
    fn resolves_the_three_forms_by_longest_suffix() {
        let f = files(&["plots/a.png", "a.png", "tables/x.csv"]);
        let r = Resolver::new(&f);
        assert_eq!(r.resolve("artifacts/v1/plots/a.png"), Resolution::Found { index: 0, foreign: false });
        assert_eq!(r.resolve("/home/alice/artifacts/v1/plots/a.png"), Resolution::Found { index: 0, foreign: true });
        assert_eq!(r.resolve("plots/a.png"), Resolution::Found { index: 0, foreign: false });
        assert_eq!(r.resolve("C:\\runs\\v1\\tables\\x.csv"), Resolution::Found { index: 2, foreign: true });
        assert_eq!(r.resolve("a.png"), Resolution::Found { index: 1, foreign: false });
        assert_eq!(r.resolve("plots/missing.png"), Resolution::NotFound);
        assert_eq!(r.resolve("../../etc/passwd"), Resolution::NotFound);
    }
}
