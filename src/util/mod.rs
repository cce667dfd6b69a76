//! Small pieces every layer may use: paths and slugs, HTML escaping and
//! number formatting, timestamps, lenient, pruned and compact JSON, JSON-pointer
//! locations, a framed binary encoding.

pub(crate) mod bin;
pub mod compact_json;
pub(crate) mod digest;
pub mod html;
pub mod lenient_json;
pub mod locate;
pub mod paths;
pub(crate) mod progress;
pub mod pruned_json;
pub(crate) mod suggest;
pub mod ticks;
pub(crate) mod timestamp;
