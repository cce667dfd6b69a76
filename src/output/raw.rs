//! Publishing the pipeline's own files into the site, under `v/{version}/files/`.

use super::sink::Sink;
use super::staging::ReadFault;
use crate::diagnostics::{Diagnostic, Severity};
use crate::input::scan::FileEntry;
use crate::input::source::Location;
use crate::model::{Site, Version};
use crate::plan;
use anyhow::Result;
use rayon::prelude::*;

/// Publishes the raw files of the runs of `site` that `runs` picks into
/// `sink`, but those of runs whose pages link their files where they are
/// (`raw_files: link`). A file that cannot be read any more (deleted since
/// the scan by a pipeline still writing, say) is a problem of that file,
/// returned; a file that cannot be written fails. Files `kept` says it kept
/// (at their path in the site) are not published again.
pub fn publish(
    site: &Site,
    sink: &dyn Sink,
    progress: bool,
    runs: &(dyn Fn(&Version) -> bool + Sync),
    kept: &(dyn Fn(&str) -> Result<bool> + Sync),
) -> Result<Vec<Diagnostic>> {
    let files: Vec<(&Version, String, &FileEntry)> = site
        .versions
        .iter()
        .filter(|v| v.raw_url.is_none() && runs(v))
        .flat_map(|v| v.files.iter().map(move |f| (v, plan::file(v, &f.rel), f)))
        .collect();
    let bar = crate::util::progress::bar(progress, files.len(), "raw files");
    let problems: Vec<Option<Diagnostic>> = files
        .par_iter()
        .map(|(v, rel, f)| {
            bar.inc(1);
            if kept(rel)? {
                return Ok(None);
            }
            match sink.raw(rel, &f.at) {
                Ok(()) => Ok(None),
                Err(e) => match unpublished(&e, &f.at) {
                    Some(why) => Ok(Some(Diagnostic::new(
                        Severity::Warning,
                        "unpublished",
                        format!("{}/{}", v.id, f.rel),
                        format!("file could not be published: {why} ({e:#})"),
                    ))),
                    None => Err(e),
                },
            }
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    Ok(problems.into_iter().flatten().collect())
}

/// Why publishing `from` failed, when the fault is the input file's rather
/// than the output's: it was removed since the scan, it may not be read, or
/// it cannot be opened any more. `None` for a fault of the output (a full
/// disk, say), which fails the build.
fn unpublished(e: &anyhow::Error, from: &Location) -> Option<&'static str> {
    let kinds: Vec<std::io::ErrorKind> = e
        .chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>().or_else(|| c.downcast_ref::<ReadFault>().map(|f| &f.0)))
        .map(std::io::Error::kind)
        .collect();
    let Location::Disk(path) = from else {
        return match kinds.contains(&std::io::ErrorKind::NotFound) {
            true => Some("it was removed while the site was built"),
            false => e.chain().any(|c| c.is::<ReadFault>()).then_some("it cannot be read from the bucket"),
        };
    };
    let opened = std::fs::File::open(path).err().map(|e| e.kind());
    match opened {
        _ if kinds.contains(&std::io::ErrorKind::NotFound) => Some("it was removed while the site was built"),
        // The copy found no regular file there, though the scan did: it was
        // removed (and perhaps written again) meanwhile.
        _ if kinds.contains(&std::io::ErrorKind::InvalidInput) => Some("it was removed while the site was built"),
        Some(std::io::ErrorKind::NotFound) => Some("it was removed while the site was built"),
        Some(std::io::ErrorKind::PermissionDenied) => Some("it may not be read (permission denied)"),
        Some(_) => Some("it cannot be opened any more"),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_of_the_input_file_is_named_and_one_of_the_output_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let there = tmp.path().join("there.csv");
        std::fs::write(&there, "a\n").unwrap();
        let gone = tmp.path().join("gone.csv");
        let error = |kind| anyhow::Error::new(std::io::Error::from(kind)).context("cannot copy");
        let why = unpublished(&error(std::io::ErrorKind::NotFound), &Location::disk(&gone));
        assert_eq!(why, Some("it was removed while the site was built"));
        assert_eq!(
            unpublished(&error(std::io::ErrorKind::InvalidInput), &Location::disk(&there)),
            Some("it was removed while the site was built"),
            "gone when copied, back when asked"
        );
        assert_eq!(
            unpublished(&error(std::io::ErrorKind::StorageFull), &Location::disk(&there)),
            None,
            "a full disk fails the build"
        );
    }
}
