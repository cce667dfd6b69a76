//! Where generated files go.

pub mod fingerprint;
pub mod links;
pub mod search;
pub mod sitemap;
pub mod staging;
pub mod summary_json;
