//! Reading the artifacts root.

pub mod content;
pub mod etl;
pub mod infer;
pub mod inventory;
pub mod manifest;
pub mod preview;
pub mod resolve;
pub mod scan;
pub mod schema;
