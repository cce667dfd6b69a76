//! What a page that frames a pipeline's HTML report says beside the frame:
//! the hosts it loads from, its dead links (each with the file it most
//! likely meant), and the way to the full-page viewer.

use super::common::Link;
use crate::input::preview::kinds::Remote;
use crate::input::preview::{Body, Preview};
use crate::load::report_dead_links;
use crate::model::Version;
use crate::plan;
use serde::Serialize;

/// The report view of one HTML file.
#[derive(Serialize)]
pub(crate) struct ReportView<'a> {
    /// The raw file, relative to the site root.
    src: String,
    /// The hosts it loads from.
    remote: &'a [Remote],
    /// Whether what its scripts draw is blank offline.
    blank_offline: bool,
    /// Its links by path that lead to no file of the site.
    dead: Vec<DeadLinkView>,
    /// The full-page viewer showing it.
    full_page: String,
}

#[derive(Serialize)]
struct DeadLinkView {
    href: String,
    target: Option<String>,
    meant: Option<Link>,
}

/// The report view of file `rel` of `v`, shown on the page at `from`, when
/// its preview is an HTML report's.
pub(crate) fn report_view<'a>(v: &Version, rel: &str, preview: &'a Preview, from: &str) -> Option<ReportView<'a>> {
    let Body::Html(report) = &preview.body else { return None };
    let src = plan::raw(v, rel);
    let dead = report_dead_links(&v.files, rel, preview)
        .into_iter()
        .map(|d| DeadLinkView { meant: d.meant.as_deref().map(|m| meant_link(v, m)), href: d.href, target: d.target })
        .collect();
    Some(ReportView {
        // A report at its own URL opens there, on the store's origin, not framed by this one.
        full_page: match v.raw_url {
            Some(_) => plan::raw(v, rel),
            None => plan::viewer(&plan::file(v, rel), from),
        },
        src,
        remote: &report.remote,
        blank_offline: report.blank_offline,
        dead,
    })
}

/// The page of the artifact that holds file `rel`, else the raw file.
fn meant_link(v: &Version, rel: &str) -> Link {
    let href = match v.artifacts.iter().position(|a| a.file.as_deref() == Some(rel)) {
        Some(ai) => plan::artifact(v, ai),
        None => plan::raw(v, rel),
    };
    Link { label: rel.to_string(), href }
}
