//! artsite: a static-site generator for data-pipeline artifact reports.
//!
//! Data flows one way: [`scan`] finds version folders and files, [`load`]
//! reads them into the [`model`], [`plan`] lists the pages, [`render`] fills
//! the theme's templates with each page's [`context`], and [`output`] writes
//! the site atomically. [`build::build`] is the whole recipe. [`serve`] keeps
//! the site in memory instead, rebuilds only what a file change touched, and
//! reloads open pages.

pub mod build;
pub mod charts;
pub mod check;
pub mod checks;
pub mod compare;
pub mod config;
pub mod content;
pub mod context;
pub mod delta;
pub mod diagnostics;
pub mod etl;
pub mod findings;
pub mod fingerprint;
pub mod gate;
pub mod html;
pub mod infer;
pub mod init;
pub mod inventory;
pub mod issues;
pub mod jsontree;
pub mod lenient_json;
pub mod links;
pub mod load;
pub mod locate;
pub mod manifest;
pub mod metrics;
pub mod model;
pub mod names;
pub mod output;
pub mod paths;
pub mod plan;
pub mod preview;
pub mod quality;
pub mod render;
pub mod resolve;
pub mod scan;
pub mod schema;
pub mod search;
pub mod serve;
pub mod sitemap;
pub mod summary_json;
pub mod theme;
pub mod timestamp;
pub mod trends;
