//! artsite's test suite: one binary, a module per feature.
//!
//! Tests drive the real binary or the library on real fixture trees (built
//! in a temporary folder by [`util::Tree`], or copied from `tests/fixtures/`)
//! and assert on meaning: links resolve, numbers shown equal the source JSON,
//! the verdict's word is on the page. The browser tests drive a real headless
//! Chromium; `.ci/run` installs it.

mod util;

mod architecture;
mod atomic;
mod browser;
mod bucket;
mod check;
mod cli;
mod concurrent;
mod example_site;
mod fuzz;
mod golden;
mod hostile;
mod incremental;
mod insights;
mod kept_models;
mod previews;
mod resources;
mod schema;
mod serve;
mod serve_browser;
mod serve_incremental;
mod template_context;
mod themes;
mod verdicts;
mod warts;
