//! Writing the site: into a fresh sibling folder, swapped in only on success.
//!
//! The output folder is replaced only when it is empty or carries the marker
//! file artsite writes, so a mistyped `--out` never deletes someone's folder.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The file that marks a folder as artsite's output.
pub const MARKER: &str = ".artsite-output";

/// What the marker file records about the build that wrote the output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The generator that wrote it.
    pub generator: String,
    /// Fingerprint of the inputs (see [`crate::output::fingerprint`]).
    pub fingerprint: String,
    /// Versions built.
    pub versions: usize,
    /// Artifacts built.
    pub artifacts: usize,
    /// Pages written.
    pub pages: usize,
    /// Errors found in the input.
    pub errors: usize,
    /// Warnings found in the input.
    pub warnings: usize,
}

/// The stamp of the build that wrote `out`, if it is artsite's and readable.
pub fn read_stamp(out: &Path) -> Option<Stamp> {
    serde_json::from_slice(&fs::read(out.join(MARKER)).ok()?).ok()
}

/// A staging folder next to the output, swapped in by [`Staging::commit`].
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.artsite-{tag}-{}", std::process::id()))
}

/// Checks that `out` may be replaced: it does not exist, is an empty folder,
/// or holds the marker.
pub fn check_replaceable(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        bail!("output {} exists and is not a folder; refusing to replace it", out.display());
    }
    if out.join(MARKER).is_file() {
        return Ok(());
    }
    let empty = fs::read_dir(out).with_context(|| format!("cannot list output {}", out.display()))?.next().is_none();
    if !empty {
        bail!(
            "output {} exists, is not empty, and was not written by artsite (no {MARKER} file); refusing to replace it. Choose another --out or remove the folder yourself",
            out.display()
        );
    }
    Ok(())
}

impl Staging {
    /// Creates a fresh staging folder for `out`.
    pub fn new(out: &Path) -> Result<Staging> {
        check_replaceable(out)?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let dir = sibling(out, "staging");
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { out: out.to_path_buf(), dir })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a `/`-separated path) inside the staging folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Puts the file at `from` at `rel` inside the staging folder: a hard link
    /// when `link` is set and the file system allows it, else a copy.
    pub fn copy(&self, rel: &str, from: &Path, link: bool) -> Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        if link && fs::hard_link(from, &path).is_ok() {
            return Ok(());
        }
        fs::copy(from, &path).with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        Ok(())
    }

    fn path_of(&self, rel: &str) -> Result<PathBuf> {
        let mut path = self.dir.clone();
        for part in rel.split('/') {
            // Exactly one plain name: no `..`, root, drive prefix or separator
            // of this platform (a `\\` is a separator on Windows only).
            let mut components = Path::new(part).components();
            match (components.next(), components.next()) {
                (Some(Component::Normal(name)), None) if name == part => path.push(part),
                _ => bail!("refusing to write outside the output: {rel}"),
            }
        }
        Ok(path)
    }

    /// Marks the staging folder with `stamp` and swaps it in for the output folder.
    pub fn commit(self, stamp: &Stamp) -> Result<()> {
        let mut marker = serde_json::to_vec_pretty(stamp).expect("a stamp serialises");
        marker.push(b'\n');
        fs::write(self.dir.join(MARKER), marker)?;
        let old = sibling(&self.out, "old");
        if self.out.exists() {
            check_replaceable(&self.out)?;
            fs::rename(&self.out, &old)
                .with_context(|| format!("cannot move the old output {} aside", self.out.display()))?;
        }
        fs::rename(&self.dir, &self.out)
            .with_context(|| format!("cannot move the new site into {}", self.out.display()))?;
        if old.exists() {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove the old output {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_stay_inside_the_staging_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::new(&tmp.path().join("out")).unwrap();
        for bad in ["../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "a/.", "a/"] {
            assert!(staging.write(bad, b"x").is_err(), "{bad:?} was accepted");
        }
        staging.write("a/b.txt", b"x").unwrap();
        assert!(staging.dir().join("a/b.txt").is_file());
        #[cfg(unix)]
        {
            staging.write("odd\\name..txt", b"x").unwrap();
            assert!(staging.dir().join("odd\\name..txt").is_file());
        }
    }
}
