//! Where generated files go, and the files that are not pages.
//!
//! A [`sink::Sink`] takes each file ([`sink::Disk`] for `build`, memory for
//! `serve`); [`staging`] builds into a fresh folder and swaps it in only when
//! the build succeeds. The rest write the site's non-page files from the
//! model, the plan and the views: raw copies of inputs ([`raw`]), shared and
//! per-version files ([`site_files`]), the search index, the runs' navigation
//! data ([`nav`]), the sitemap, JSON
//! summaries, and the link check over what was written ([`links`]). Nothing
//! here renders templates.

pub mod cache;
pub(crate) mod fingerprint;
pub mod links;
pub mod lock;
pub(crate) mod nav;
pub mod raw;
pub(crate) mod search;
pub(crate) mod sink;
pub mod site_files;
pub(crate) mod sitemap;
pub mod staging;
pub(crate) mod summary_json;
