//! Small pieces every layer may use: paths and slugs, HTML escaping and
//! number formatting, timestamps, lenient JSON, JSON-pointer locations.

pub mod html;
pub mod lenient_json;
pub mod locate;
pub mod paths;
pub mod progress;
pub mod suggest;
pub mod timestamp;
