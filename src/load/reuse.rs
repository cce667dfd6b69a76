//! What one read of a version lends the next (for `serve`): the parsed JSON
//! and the previews of its files, each with the file's stamp when it was read.

use crate::diagnostics::Diagnostic;
use crate::input::etl::Typed;
use crate::input::preview::Preview;
use crate::input::scan::FileEntry;
use crate::util::compact_json::CompactJson;
use crate::util::lenient_json::SyntaxError;
use crate::util::pruned_json::Cut;
use std::collections::HashMap;
use std::sync::Arc;

/// Where, how big and how new a file was when it was read.
pub(crate) type Stamp = (String, u64, u128);

pub(crate) fn stamp(f: &FileEntry) -> Stamp {
    (f.at.identity(), f.size, f.modified)
}

/// What one read of a version lends the next: the parsed JSON and the
/// previews of its files, each with the file's stamp when it was read.
#[derive(Default)]
pub struct Reuse {
    pub(crate) json: HashMap<String, (Stamp, JsonRead)>,
    pub(crate) previews: HashMap<String, (Stamp, serde_json::Value, Preview)>,
}

/// A parsed document, shareable between the model and the next read (kept
/// as compact text; the manifest, read once, as a tree).
#[derive(Clone)]
pub(crate) struct Shared<T = CompactJson> {
    pub(crate) value: T,
    /// What a pruned read left out of `value`, for a file over the tree cap.
    pub(crate) cut: Option<Cut>,
    /// The typed model, read from the file itself (never from a pruned value).
    pub(crate) typed: Option<Arc<Typed>>,
    pub(crate) non_finite: Vec<(u32, u32, &'static str)>,
}

/// A JSON file read: `Err` when it could not be read at all, else the parse
/// result and the file's schema problems.
pub(crate) type JsonRead<T = CompactJson> = Result<(Result<Shared<T>, SyntaxError>, Vec<Diagnostic>), String>;
