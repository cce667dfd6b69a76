//! Previews made while reading (for `serve`, which keeps them between
//! rebuilds), and the warnings of any preview as problems of its file.

use super::reuse::{Reuse, stamp};
use crate::config::previews::PreviewConfig;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::preview::{self, Preview};
use crate::input::scan::FileEntry;
use crate::model::Artifact;
use rayon::prelude::*;

/// Previews every artifact's file, in parallel; their warnings become
/// diagnostics of the file.
pub(crate) fn add_previews(
    version: &str,
    files: &[FileEntry],
    artifacts: &mut [Artifact],
    cfg: &PreviewConfig,
    problems: &mut Vec<Diagnostic>,
    reuse: &Reuse,
    changed: &(dyn Fn(&str) -> bool + Sync),
) {
    artifacts.par_iter_mut().for_each(|a| {
        a.preview = a.file_index.map(|i| {
            let f = &files[i];
            match reuse.previews.get(&f.rel) {
                Some((st, metadata, p)) if *st == stamp(f) && *metadata == a.metadata && !changed(&f.rel) => p.clone(),
                _ => preview::preview(&f.path, &f.rel, f.size, &a.metadata, cfg),
            }
        });
    });
    for a in artifacts.iter() {
        if let (Some(p), Some(rel)) = (&a.preview, &a.file) {
            problems.extend(preview_problems(version, rel, p));
        }
    }
}

/// The warnings of the preview of `rel` in `version`, as problems of the file.
pub fn preview_problems<'a>(
    version: &'a str,
    rel: &'a str,
    preview: &'a Preview,
) -> impl Iterator<Item = Diagnostic> + 'a {
    preview.warnings.iter().map(move |w| {
        let mut d = Diagnostic::new(Severity::Warning, w.code, format!("{version}/{rel}"), w.message.clone());
        d.line = w.line;
        d
    })
}
