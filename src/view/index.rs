//! Lookups across the whole site, built once before rendering: the runs of
//! each artifact, aliases, and where each stage, file and report is in every
//! version.

use crate::model::Site;
use crate::plan;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// (version id, file path) → (version index, artifact index).
type FileAt<'a> = HashMap<(&'a str, &'a str), (usize, Option<usize>)>;

/// Site-wide facts computed once before rendering. Keys borrow from the
/// site, so building the index allocates little even at 10,000 artifacts.
pub struct SiteIndex<'a> {
    site: &'a Site,
    /// (stage, name) → [(version index, artifact index)], oldest first.
    pub(crate) history: HashMap<(&'a str, &'a str), Vec<(usize, usize)>>,
    /// (version id, file path in it) → (version index, index of the artifact
    /// showing that file), and (version id, "") → (version index, `None`);
    /// built on first use (only lists of problems need it).
    file_at: OnceLock<FileAt<'a>>,
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
            file_at: OnceLock::new(),
            aliases,
            artifact_at,
            stage_at,
            json_at,
            eda_at,
            baseline,
            refs: OnceLock::new(),
        }
    }

    /// The page that shows the file at `path` (`{version id}/{file}`): the
    /// page of the artifact whose file it is, else its version's page.
    pub(crate) fn file_page(&self, path: &str) -> Option<String> {
        let file_at = self.file_at.get_or_init(|| {
            let mut file_at = HashMap::default();
            for (vi, v) in self.site.versions.iter().enumerate() {
                for (ai, a) in v.artifacts.iter().enumerate() {
                    if let Some(f) = &a.file {
                        file_at.insert((v.id.as_str(), f.as_str()), (vi, Some(ai)));
                    }
                }
                file_at.insert((v.id.as_str(), ""), (vi, None));
            }
            file_at
        });
        let (id, rel) = path.split_once('/').unwrap_or((path, ""));
        let found = file_at.get(&(id, rel)).or_else(|| file_at.get(&(id, "")));
        found.map(|&(vi, ai)| {
            let v = &self.site.versions[vi];
            ai.map_or_else(|| plan::version(v), |ai| plan::artifact(v, ai))
        })
    }
}
