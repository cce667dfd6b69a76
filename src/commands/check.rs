//! `artsite check`: every problem a build would find, every broken link of
//! the site it would build, and every run's verdict, without writing
//! anything. [`crate::commands::gate`] turns the outcome into an exit code and reports.
//!
//! The artifacts root is loaded as a build loads it (schemas, the manifest
//! against the files on disk, each preview's findings); then every page is
//! rendered into a [`LinkCheck`] that keeps only ids and links, and the links
//! are resolved against the pages and the raw files the site would publish.

use super::pipeline;
use crate::config::Config;
use crate::diagnostics::{Counts, Diagnostic};
use crate::load;
use crate::model::Site;
use crate::output::links::LinkCheck;
use crate::output::summary_json;
use crate::render::Renderer;
use crate::util::html::counted;
use anyhow::Result;

/// What a check found.
#[derive(Debug)]
pub struct Outcome {
    /// Versions read.
    pub versions: usize,
    /// Artifacts, over all versions.
    pub artifacts: usize,
    /// Pages the site would have.
    pub pages: usize,
    /// Every problem, sorted and deduplicated: the list a build would show,
    /// plus the site's link problems.
    pub problems: Vec<Diagnostic>,
    /// Severities of `problems`.
    pub counts: Counts,
    /// The site as checked: every run with its verdict.
    pub site: Site,
}

impl Outcome {
    /// The one-line summary printed after the problems.
    pub fn line(&self) -> String {
        let c = &self.counts;
        format!(
            "checked {}, {}, {}: {} ({}, {}, {})",
            counted(self.versions, "version"),
            counted(self.artifacts, "artifact"),
            counted(self.pages, "page"),
            counted(c.problems(), "problem"),
            counted(c.errors, "error"),
            counted(c.warnings, "warning"),
            counted(c.infos, "info")
        )
    }

    /// The verdict of run `vi` in one line: `run X: fail (1 JSON file does not parse)`.
    pub fn verdict_line(&self, vi: usize) -> String {
        let v = &self.site.versions[vi];
        let flagged: Vec<&str> = v.verdict.flagged().map(|r| r.summary.as_str()).collect();
        let why = if flagged.is_empty() { String::new() } else { format!(" ({})", flagged.join("; ")) };
        format!("run {}: {}{why}", v.id, v.verdict.status.word())
    }

    /// The problems, one `path:line:col: severity: message (at pointer)`
    /// line each.
    pub fn text(&self) -> String {
        self.problems.iter().map(|d| format!("{d}\n")).collect()
    }

    /// The problems as a JSON list, as `problems.json` has them.
    pub fn json(&self) -> Vec<u8> {
        summary_json::problems(&self.problems)
    }
}

/// Checks the artifacts root of `config`: the same steps as a build (see
/// [`super::pipeline`]), into a link checker instead of a folder. Fails only
/// when the root cannot be read at all; problems in it are the outcome.
pub fn check(config: &Config) -> Result<Outcome> {
    pipeline::with_requests(config, || check_here(config))
}

fn check_here(config: &Config) -> Result<Outcome> {
    let inputs = pipeline::read(config)?;
    let bucket = inputs.scan.bucket.clone();
    let mut site = pipeline::load(inputs.scan, inputs.content_types, config);
    let renderer = Renderer::new(inputs.theme)?;
    let links = LinkCheck::new(None);
    let pages = pipeline::produce(config, &renderer, &mut site, &links, false, &mut |_| {}, None)?.pages;
    if let Some(lost) = bucket.as_ref().and_then(|b| b.lost()) {
        anyhow::bail!(lost);
    }
    load::add_problems(&mut site, links.problems());
    Ok(Outcome {
        versions: site.versions.len(),
        artifacts: site.versions.iter().map(|v| v.artifacts.len()).sum(),
        pages: pages.len(),
        counts: Counts::of(&site.problems),
        problems: site.problems.clone(),
        site,
    })
}
