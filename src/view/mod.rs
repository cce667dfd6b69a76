//! What each page template receives: one module per page kind builds its
//! view from the site, and [`page_context`] picks the module for a page.
//!
//! Views read the judged model and the plan's URLs; they do no I/O but the
//! compare page's byte comparison of files. Shared pieces: [`common`] (links,
//! number views, the scope), [`index`] (lookups across the site), [`nav`]
//! (version references, breadcrumbs, the version switcher), [`summary`],
//! [`delta`] (changes on the previous run), [`findings`] (problems as rows),
//! [`charts`], [`jsontree`], [`grid`] (a table preview's rows) and
//! [`report`] (what a framed report needs said).

pub(crate) mod artifact;
pub(crate) mod artifacts;
pub(crate) mod charts;
pub mod common;
pub(crate) mod compare;
pub(crate) mod content;
pub mod delta;
pub(crate) mod eda;
pub(crate) mod findings;
pub(crate) mod grid;
pub(crate) mod home;
pub(crate) mod index;
pub mod jsontree;
pub(crate) mod nav;
pub(crate) mod problems;
pub(crate) mod quality;
pub(crate) mod report;
pub(crate) mod stage;
pub(crate) mod summary;
pub(crate) mod trends;
pub(crate) mod version;

pub use common::{PageContext, Scope};
pub use index::SiteIndex;

use crate::input::preview::Preview;
use crate::plan::{self, PageKind};
use common::Heading;
use nav::crumbs;

/// Everything a page's template receives. `preview` is what an artifact's
/// or EDA report's page shows of its file (see
/// [`crate::model::Artifact::preview`]).
pub fn page_context(s: &Scope, kind: PageKind, path: &str, preview: Option<&Preview>) -> PageContext {
    let mut root = crate::util::paths::root_prefix(path);
    let mut ctx = PageContext::default();
    if kind == PageKind::NotFound {
        // A host serves it at any depth: absolute links when the site knows
        // its URL, and its styles inline either way.
        if let Some(base) = &s.info.base_url {
            root.clone_from(base);
        }
        ctx.insert("inline_css", &s.info.inline_css);
    }
    ctx.insert("root", &root);
    ctx.insert_value("urls", s.info.shared.urls.clone());
    ctx.insert_value("site", s.info.shared.site.clone());
    ctx.insert_value("theme", s.info.shared.theme.clone());
    if let Some(vi) = kind.version() {
        nav::insert_version(&mut ctx, s, vi, kind);
    }
    let heading = match kind {
        PageKind::Home => home::page(s, 1, &mut ctx),
        PageKind::Runs(n) => home::page(s, n, &mut ctx),
        PageKind::Latest => Heading { title: "Latest version".into(), crumbs: crumbs(s.site, None, vec![]) },
        PageKind::NotFound => Heading { title: "Page not found".into(), crumbs: crumbs(s.site, None, vec![]) },
        PageKind::Search => {
            let trail = vec![common::Link { label: "Search".into(), href: plan::SEARCH_PAGE.into() }];
            Heading { title: "Search".into(), crumbs: crumbs(s.site, None, trail) }
        }
        PageKind::Viewer => Heading { title: "Report".into(), crumbs: crumbs(s.site, None, vec![]) },
        PageKind::Problems => problems::page(s, &mut ctx),
        PageKind::Trends => trends::page(s, &root, &mut ctx),
        PageKind::Version(vi) => version::page(s, vi, &mut ctx),
        PageKind::Artifacts(vi) => artifacts::page(s, vi, &mut ctx),
        PageKind::Artifact(vi, ai) => artifact::page(s, vi, ai, preview, &mut ctx),
        PageKind::Stage(vi, si) => stage::page(s, vi, si, &mut ctx),
        PageKind::Eda(vi, ei) => eda::page(s, vi, ei, preview, &mut ctx),
        PageKind::Quality(vi) => quality::page(s, vi, &root, &mut ctx),
        PageKind::Compare(vi) => compare::previous(s, vi, &mut ctx),
        PageKind::Baseline(vi) => compare::baseline(s, vi, &mut ctx),
        PageKind::Content(vi, ci) => content::page(s, vi, ci, &mut ctx),
    };
    ctx.insert("title", &heading.title);
    ctx.insert("crumbs", &heading.crumbs);
    ctx
}
