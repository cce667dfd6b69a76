//! Where generated files go.

pub mod fingerprint;
pub mod links;
pub mod raw;
pub mod search;
pub mod sink;
pub mod site_files;
pub mod sitemap;
pub mod staging;
pub mod summary_json;
