//! Lookups across the whole site, built once before rendering: the runs of
//! each artifact, aliases, and where each stage, file and report is in every
//! version.

use crate::model::Site;
use crate::plan;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// Site-wide facts computed once before rendering. Keys borrow from the
/// site, so building the index allocates little even at 10,000 artifacts.
pub struct SiteIndex<'a> {
    site: &'a Site,
    /// (stage, name) → [(version index, artifact index)], oldest first.
    pub(crate) history: HashMap<(&'a str, &'a str), Vec<(usize, usize)>>,
    /// `version/rel` → page path of the artifact showing that file; built on
    /// first use (only the problems page needs it).
    file_pages: OnceLock<HashMap<String, String>>,
    /// version index → names of the aliases pointing at it.
    pub(crate) aliases: HashMap<usize, Vec<String>>,
    /// (version, stage, name) → artifact index.
    pub(crate) artifact_at: HashMap<(usize, &'a str, &'a str), usize>,
    /// (version, stage name) → stage index.
    pub(crate) stage_at: HashMap<(usize, &'a str), usize>,
    /// (version, path of a JSON file) → JSON doc index.
    pub(crate) json_at: HashMap<(usize, &'a str), usize>,
    /// (version, report name) → EDA report index.
    pub(crate) eda_at: HashMap<(usize, &'a str), usize>,
    /// The baseline version, when the config names one that exists.
    pub baseline: Option<usize>,
    /// How pages refer to each version, as template values; made on first
    /// use (see [`super::nav`]) and shared by every page.
    pub(crate) refs: OnceLock<Vec<tera::Value>>,
}

impl<'a> SiteIndex<'a> {
    /// Builds the index for `site`.
    pub fn new(site: &'a Site) -> Self {
        let mut history: HashMap<(&str, &str), Vec<(usize, usize)>> = HashMap::default();
        let (mut artifact_at, mut stage_at, mut json_at, mut eda_at) =
            (HashMap::default(), HashMap::default(), HashMap::default(), HashMap::default());
        for (vi, v) in site.versions.iter().enumerate() {
            for (si, s) in v.stages.iter().enumerate() {
                stage_at.insert((vi, s.name.as_str()), si);
            }
            for (di, d) in v.json.iter().enumerate() {
                json_at.insert((vi, d.rel.as_str()), di);
            }
            for (ei, e) in v.eda.iter().enumerate() {
                eda_at.insert((vi, e.name.as_str()), ei);
            }
            for (ai, a) in v.artifacts.iter().enumerate() {
                artifact_at.entry((vi, a.stage.as_str(), a.name.as_str())).or_insert(ai);
                history.entry((a.stage.as_str(), a.name.as_str())).or_default().push((vi, ai));
            }
        }
        let mut aliases: HashMap<usize, Vec<String>> = HashMap::default();
        for a in &site.aliases {
            if let Some(vi) = site.versions.iter().position(|v| v.id == a.target) {
                aliases.entry(vi).or_default().push(a.name.clone());
            }
        }
        let baseline = site.baseline;
        SiteIndex {
            site,
            history,
            file_pages: OnceLock::new(),
            aliases,
            artifact_at,
            stage_at,
            json_at,
            eda_at,
            baseline,
            refs: OnceLock::new(),
        }
    }

    pub(crate) fn file_pages(&self) -> &HashMap<String, String> {
        self.file_pages.get_or_init(|| {
            let mut file_pages = HashMap::default();
            for v in &self.site.versions {
                for (ai, a) in v.artifacts.iter().enumerate() {
                    if let Some(f) = &a.file {
                        file_pages.insert(format!("{}/{f}", v.id), plan::artifact(v, ai));
                    }
                }
                file_pages.insert(v.id.clone(), plan::version(v));
            }
            file_pages
        })
    }
}
