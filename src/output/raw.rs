//! Publishing the pipeline's own files into the site, under `v/{version}/files/`.

use super::sink::Sink;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Site;
use crate::plan;
use anyhow::Result;
use rayon::prelude::*;
use std::path::Path;

/// Publishes every raw file of `site` into `sink`. A file that cannot be read
/// any more (deleted since the scan by a pipeline still writing, say) is a
/// problem of that file, returned; a file that cannot be written fails.
pub fn publish(site: &Site, sink: &dyn Sink, progress: bool) -> Result<Vec<Diagnostic>> {
    let files: Vec<(String, String, &Path)> = site
        .versions
        .iter()
        .flat_map(|v| v.files.iter().map(move |f| (plan::file(v, &f.rel), format!("{}/{}", v.id, f.rel), &*f.path)))
        .collect();
    let bar = crate::util::progress::bar(progress, files.len(), "raw files");
    let problems: Vec<Option<Diagnostic>> = files
        .par_iter()
        .map(|(rel, shown, from)| {
            bar.inc(1);
            match sink.raw(rel, from) {
                Ok(()) => Ok(None),
                Err(e) if changed_under_us(&e, from) => Ok(Some(Diagnostic::new(
                    Severity::Warning,
                    "unpublished",
                    shown,
                    format!("file could not be published; it changed while the site was built ({e:#})"),
                ))),
                Err(e) => Err(e),
            }
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    Ok(problems.into_iter().flatten().collect())
}

/// Whether publishing `from` failed because the file changed since the scan:
/// it is gone (perhaps back by now) or cannot be read any more.
fn changed_under_us(e: &anyhow::Error, from: &Path) -> bool {
    let gone = e
        .chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::NotFound);
    gone || std::fs::File::open(from).is_err()
}
