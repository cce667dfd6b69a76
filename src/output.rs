//! Writing the site: into a fresh sibling folder, swapped in only on success.
//!
//! The output folder is replaced only when it is empty or carries the marker
//! file artsite writes, so a mistyped `--out` never deletes someone's folder.

use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// The file that marks a folder as artsite's output.
pub const MARKER: &str = ".artsite-output";

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

    /// Copies the file at `from` to `rel` inside the staging folder.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::copy(from, &path).with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        Ok(())
    }

    fn path_of(&self, rel: &str) -> Result<PathBuf> {
        let mut path = self.dir.clone();
        for part in rel.split('/') {
            if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                bail!("refusing to write outside the output: {rel}");
            }
            path.push(part);
        }
        Ok(path)
    }

    /// Marks the staging folder and swaps it in for the output folder.
    pub fn commit(self) -> Result<()> {
        fs::write(self.dir.join(MARKER), b"This folder is written by artsite build; it is replaced on every build.\n")?;
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
