//! artsite: a static-site generator for data-pipeline artifact reports.
//!
//! Data flows one way, one layer per folder; a layer uses only the layers
//! before it in this list (a test in `tests/suite/architecture.rs` holds the
//! code to it):
//!
//! 1. [`diagnostics`], [`util`]: problems found in input, and small pieces
//!    any layer may use.
//! 2. [`config`]: `artsite.yaml` read and checked.
//! 3. [`input`] (scan the artifacts root, read manifests, ETL files and
//!    previews) and [`theme`] (templates and static files in layers).
//! 4. [`model`]: the site as data, no I/O.
//! 5. [`load`]: scanned folders into the model.
//! 6. [`judge`]: health checks and each run's verdict.
//! 7. [`plan`]: which pages the site has and their URLs.
//! 8. [`view`]: what each page's template receives.
//! 9. [`output`]: where generated files go (disk or memory), and the files
//!    that are not pages (raw copies, search index, sitemap, JSON summaries).
//! 10. [`render`]: views filled into templates, written through a sink.
//! 11. [`commands`]: `build`, `check`, `init`, one pipeline for all of them.
//! 12. [`serve`]: the site in memory, rebuilt as its inputs change.

pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod input;
pub(crate) mod judge;
pub mod load;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
pub mod serve;
pub mod theme;
pub mod util;
pub mod view;
