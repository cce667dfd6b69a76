//! Reading the artifacts root: the folder scan, manifests, ETL metadata
//! files and their schemas, content types, and previews of tables, images
//! and reports.
//!
//! Uses [`crate::util`], [`crate::config`] and [`crate::diagnostics`]; knows
//! nothing of the model or of pages. Each reader returns what it found and
//! the problems it saw, never failing the whole read for one bad file.

pub mod content;
pub mod etl;
pub(crate) mod infer;
pub(crate) mod inventory;
pub mod manifest;
pub mod preview;
pub mod resolve;
pub mod scan;
pub mod schema;
pub mod source;
