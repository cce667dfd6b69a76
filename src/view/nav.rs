//! How pages lead to each other: versions as other pages refer to them,
//! breadcrumbs, and the version switcher (the same page in nearby runs).

use super::common::{Link, PageContext, Scope};
use super::index::SiteIndex;
use crate::model::verdict::Status as Health;
use crate::model::{Site, TimeSource};
use crate::plan::{self, PageKind, SWITCHER_SPAN};
use crate::util::timestamp;
use serde::Serialize;

/// A version as other pages refer to it.
#[derive(Serialize, Clone)]
pub(crate) struct VersionRef {
    /// Folder name.
    pub id: String,
    /// Summary page.
    pub href: String,
    /// When it ran, if known: in UTC when its source names a zone, else as
    /// written, with no zone.
    pub time: Option<String>,
    /// Where the time came from.
    pub time_source: TimeSource,
    /// Aliases that point at it.
    pub aliases: Vec<String>,
    /// Its data-quality page.
    pub quality_href: String,
    /// Its comparison with the previous version.
    pub compare_href: String,
    /// Its artifact index.
    pub artifacts_href: String,
    /// Its verdict: `pass`, `warn` or `fail`.
    pub verdict: Health,
}

/// How pages refer to version `vi`.
pub(crate) fn version_ref(site: &Site, idx: &SiteIndex, vi: usize) -> VersionRef {
    let v = &site.versions[vi];
    VersionRef {
        id: v.id.clone(),
        href: plan::version(v),
        time: v.time.map(if v.time_zoned { timestamp::format } else { timestamp::format_naive }),
        time_source: v.time_source,
        aliases: idx.aliases.get(&vi).cloned().unwrap_or_default(),
        quality_href: plan::quality(v),
        compare_href: plan::compare(v),
        artifacts_href: plan::artifacts(v),
        verdict: v.verdict.status,
    }
}

/// [`version_ref`] as a template value, made for every version on first use.
fn version_value(site: &Site, idx: &SiteIndex, vi: usize) -> tera::Value {
    let refs = idx.refs.get_or_init(|| {
        (0..site.versions.len()).map(|vi| tera::Value::from_serializable(&version_ref(site, idx, vi))).collect()
    });
    refs[vi].clone()
}

/// A breadcrumb trail ending at the current page.
pub(crate) fn crumbs(site: &Site, vi: Option<usize>, more: Vec<Link>) -> Vec<Link> {
    let mut c = vec![Link { label: "Home".into(), href: "index.html".into() }];
    if let Some(vi) = vi {
        let v = &site.versions[vi];
        c.push(Link { label: v.id.clone(), href: plan::version(v) });
    }
    c.extend(more);
    c
}

/// What every page of version `vi` gets: the version, the previous one, the
/// page's [`plan::nav_key`] and, when the theme shows later runs, the next
/// version and the switcher.
pub(crate) fn insert_version(ctx: &mut PageContext, s: &Scope, vi: usize, kind: PageKind) {
    let (site, idx) = (s.site, s.index);
    ctx.insert_value("version", version_value(site, idx, vi));
    ctx.insert("prev_version", &vi.checked_sub(1).map(|p| version_value(site, idx, p)));
    ctx.insert("nav_key", &plan::nav_key(site, kind));
    if s.later_runs {
        ctx.insert("next_version", &(vi + 1 < site.versions.len()).then(|| version_value(site, idx, vi + 1)));
        ctx.insert("switcher", &switcher(site, idx, vi, kind));
    }
}

/// A link of the version switcher.
#[derive(Serialize)]
pub(crate) struct SwitchLink {
    /// Version id.
    label: String,
    /// The same page in that version, or its summary.
    href: String,
    /// Whether `href` is the same page (not the summary as a fallback).
    same: bool,
    /// Whether this is the current version.
    current: bool,
    /// That version's verdict.
    verdict: Health,
}

/// The same page in nearby versions: the same artifact, stage, report or
/// content file when that version has it, else that version's summary.
fn switcher(site: &Site, idx: &SiteIndex, vi: usize, kind: PageKind) -> Vec<SwitchLink> {
    let v = &site.versions[vi];
    let lo = vi.saturating_sub(SWITCHER_SPAN);
    let hi = (vi + SWITCHER_SPAN + 1).min(site.versions.len());
    (lo..hi)
        .rev()
        .map(|wi| {
            let w = &site.versions[wi];
            let same: Option<String> = match kind {
                PageKind::Version(_) => Some(plan::version(w)),
                PageKind::Artifacts(_) => Some(plan::artifacts(w)),
                PageKind::Quality(_) => Some(plan::quality(w)),
                PageKind::Compare(_) => Some(plan::compare(w)),
                PageKind::Baseline(_) => (Some(wi) != idx.baseline).then(|| plan::baseline(w)),
                PageKind::Artifact(_, ai) => {
                    let a = &v.artifacts[ai];
                    let key = (wi, a.stage.as_str(), a.name.as_str());
                    idx.artifact_at.get(&key).map(|&wa| plan::artifact(w, wa))
                }
                PageKind::Stage(_, si) => {
                    idx.stage_at.get(&(wi, v.stages[si].name.as_str())).map(|&ws| plan::stage(w, ws))
                }
                PageKind::Eda(_, ei) => idx.eda_at.get(&(wi, v.eda[ei].name.as_str())).map(|&we| plan::eda(w, we)),
                PageKind::Content(_, ci) => idx
                    .json_at
                    .get(&(wi, v.json[v.content[ci].0].rel.as_str()))
                    .and_then(|&wd| w.content.iter().position(|&(d, _)| d == wd))
                    .map(|wc| plan::content(site, w, wc)),
                _ => None,
            };
            SwitchLink {
                label: w.id.clone(),
                same: same.is_some(),
                href: same.unwrap_or_else(|| plan::version(w)),
                current: wi == vi,
                verdict: w.verdict.status,
            }
        })
        .collect()
}
