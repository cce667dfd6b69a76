//! Matches a manifest's `file_path` to a file inside the version folder.
//!
//! Pipelines write `file_path` absolute from the machine they ran on, relative
//! to their working directory (`artifacts/{version}/...`) or relative to the
//! version folder. We take the longest suffix of the path that names a file in
//! the version folder, so all three land on the same file.

use crate::input::scan::FileEntry;
use crate::util::paths::{join_relative, percent_decode, rooted};
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

/// A link of a report, by path, that leads to no file of the published site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLink {
    /// The link as the report wrote it.
    pub href: String,
    /// Where it leads inside the version folder; `None` when it climbs out
    /// or starts from a root.
    pub target: Option<String>,
    /// The file of the version it most likely meant (resolved the way a
    /// manifest's `file_path` is), when there is one.
    pub meant: Option<String>,
}

/// The `links` of the report `rel` that name no file among `files` (the
/// version's files, each published at the same relative place), and a
/// file each most likely meant. A relative link is dead when it names no
/// file; an absolute one (`/home/…`, `C:\\…`, `file:`) only when it
/// names a file of the run by the machine's path, which the published
/// site does not have: elsewhere it may lead to the host's own pages.
pub fn dead_links(rel: &str, links: &[String], files: &[FileEntry]) -> Vec<DeadLink> {
    if links.is_empty() {
        return Vec::new();
    }
    let resolver = Resolver::new(files);
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    links
        .iter()
        .filter_map(|href| {
            let path = percent_decode(href.split(['?', '#']).next().unwrap_or_default());
            let meant = match resolver.resolve(&path) {
                Resolution::Found { index, .. } if files[index].rel != rel => Some(files[index].rel.clone()),
                _ => None,
            };
            if rooted(href) {
                return meant.map(|m| DeadLink { href: href.clone(), target: None, meant: Some(m) });
            }
            let target = join_relative(dir, href);
            let published = target.as_deref().is_some_and(|t| {
                resolver.by_rel.contains_key(t) || resolver.by_rel.contains_key(format!("{t}/index.html").as_str())
            });
            (!published).then(|| DeadLink { href: href.clone(), target, meant })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::source::Location;

    fn files(rels: &[&str]) -> Vec<FileEntry> {
        rels.iter().map(|r| FileEntry { rel: r.to_string(), at: Location::disk(r), size: 1, modified: 0 }).collect()
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

    #[test]
    fn dead_links_are_the_ones_that_name_no_file_with_what_they_meant() {
        let f = files(&["unified_reports/summary.html", "plots/a b.png", "tables/x.csv", "docs/index.html"]);
        let links: Vec<String> = [
            "../plots/a%20b.png",
            "../tables/x.csv#row-2",
            "../docs/",
            "artifacts/v1/plots/a b.png",
            "../../../etc/passwd",
            "../tables/gone.csv",
            "summary.html?tab=2",
            "/home/alice/artifacts/v1/tables/x.csv",
            "file:///C:/runs/v1/plots/a%20b.png",
            "/about",
        ]
        .map(String::from)
        .to_vec();
        let dead = dead_links("unified_reports/summary.html", &links, &f);
        let got: Vec<(&str, Option<&str>, Option<&str>)> =
            dead.iter().map(|d| (d.href.as_str(), d.target.as_deref(), d.meant.as_deref())).collect();
        assert_eq!(
            got,
            [
                (
                    "artifacts/v1/plots/a b.png",
                    Some("unified_reports/artifacts/v1/plots/a b.png"),
                    Some("plots/a b.png")
                ),
                ("../../../etc/passwd", None, None),
                ("../tables/gone.csv", Some("tables/gone.csv"), None),
                ("/home/alice/artifacts/v1/tables/x.csv", None, Some("tables/x.csv")),
                ("file:///C:/runs/v1/plots/a%20b.png", None, Some("plots/a b.png")),
            ]
        );
    }
}
