//! artsite: a static-site generator for data-pipeline artifact reports.

pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod input;
pub mod judge;
pub mod load;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
pub mod serve;
pub mod theme;
pub mod util;
pub mod view;
