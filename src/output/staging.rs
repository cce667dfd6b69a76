//! Writing the site: into a fresh sibling folder, swapped in only on success.
//!
//! The output folder is replaced only when it is empty or carries the marker
//! file artsite writes, so a mistyped `--out` never deletes someone's folder.
//! The swap is one step on Linux (the two folders exchange names), so at
//! every instant the output is the whole old site or the whole new one;
//! elsewhere it is two renames, the old site moved aside first. Callers hold
//! the output's lock ([`crate::output::lock`]), so any staging or old folder
//! of the same output found next to it is a killed build's, and is removed
//! while this build runs.
//!
//! A build with the cache that keeps most of the previous output updates it
//! instead ([`Staging::overlay`]): the staging folder holds only the files
//! that are new or changed, and the commit moves them into the output and
//! removes the files the site no longer has. A failed build leaves the
//! output as it was, as before; a build killed during the commit (which
//! renames only the changed files) leaves a mix of the two sites, marked
//! [`UPDATING`], which no later build trusts: the next one builds the whole
//! site anew and swaps it in.

use anyhow::{Context, Result, bail};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

/// Set when the process is asked to stop: every later write fails, so a
/// build ends at once and its staging folder is removed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes every staging write from now on fail with "interrupted" (for
/// SIGINT and SIGTERM).
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Reading the input failed while it was written into the site (the
/// output is not at fault).
#[derive(Debug)]
pub struct ReadFault(pub std::io::Error);

impl std::fmt::Display for ReadFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ReadFault {}

/// The file that marks a folder as artsite's output (the scan skips such folders).
pub use crate::input::scan::OUTPUT_MARKER as MARKER;

/// The fingerprint in the marker while an update moves its files into the
/// output: a marker with it names no build, so the next build starts afresh.
pub const UPDATING: &str = "updating";

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
    /// Removes the folders killed builds left, while this one runs.
    sweeper: Option<JoinHandle<()>>,
    /// The files put into an overlay, to move into the output (see [`Staging::overlay`]).
    overlay: Option<Mutex<Vec<String>>>,
    /// The folders made so far, so a file's folder is made once, not asked
    /// for again for every file in it.
    made: Mutex<FxHashSet<PathBuf>>,
    /// Whether the file system may still clone files: cleared by the first
    /// clone it refuses, after which files are copied straight away.
    clones: AtomicBool,
}

/// The name prefix of the staging (`tag` = `staging`) or old (`old`)
/// folders of builds into `out`; the process id follows.
fn prefix(out: &Path, tag: &str) -> String {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.artsite-{tag}-")
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    out.with_file_name(format!("{}{}", prefix(out, tag), std::process::id()))
}

/// The staging and old folders that earlier builds into `out` left next to
/// it, this process's own excepted.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefixes = [prefix(out, "staging"), prefix(out, "old")];
    let own = [sibling(out, "staging"), sibling(out, "old")];
    let Ok(entries) = fs::read_dir(parent) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            prefixes.iter().any(|p| name.strip_prefix(p.as_str()).is_some_and(|pid| pid.parse::<u32>().is_ok()))
        })
        .map(|e| out.with_file_name(e.file_name()))
        .filter(|p| !own.contains(p))
        .collect();
    found.sort();
    found
}

/// Removes the [`leftovers`] of killed builds into `out`; one that cannot be
/// removed stays for the next build to try.
pub fn remove_leftovers(out: &Path) {
    for dir in leftovers(out) {
        let _ = fs::remove_dir_all(&dir);
    }
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
        let out_path = out.to_path_buf();
        let sweeper = Some(std::thread::spawn(move || remove_leftovers(&out_path)));
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            sweeper,
            overlay: None,
            made: Mutex::default(),
            clones: AtomicBool::new(true),
        })
    }

    /// A staging folder for an update of the existing output `out`: it holds
    /// only the files written into it, [`Staging::link`] of an output file
    /// to its own place keeps it where it is, and [`Staging::commit`] moves
    /// the files in.
    pub fn overlay(out: &Path) -> Result<Staging> {
        if read_stamp(out).is_none() {
            bail!("output {} holds no site to update", out.display());
        }
        let mut staging = Staging::new(out)?;
        staging.overlay = Some(Mutex::default());
        Ok(staging)
    }

    /// Notes a file put at `rel`, for an overlay to move into the output.
    fn put(&self, rel: &str) {
        if let Some(files) = &self.overlay {
            files.lock().unwrap_or_else(PoisonError::into_inner).push(rel.to_string());
        }
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the folder `path` goes in, unless this build made it already.
    fn make_parent(&self, path: &Path) -> Result<()> {
        let Some(parent) = path.parent() else { return Ok(()) };
        if self.made.lock().unwrap_or_else(PoisonError::into_inner).contains(parent) {
            return Ok(());
        }
        fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        self.made.lock().unwrap_or_else(PoisonError::into_inner).insert(parent.to_path_buf());
        Ok(())
    }

    /// Copies `from` to `to`: a clone of its blocks where the file system
    /// makes them, else the bytes.
    fn copy_file(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        if self.clones.load(Ordering::Relaxed) {
            if reflink_copy::reflink(from, to).is_ok() {
                return Ok(());
            }
            self.clones.store(false, Ordering::Relaxed);
            let _ = fs::remove_file(to);
        }
        fs::copy(from, to).map(drop)
    }

    /// Writes `bytes` at `rel` (a `/`-separated path) inside the staging folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_parts(rel, &[bytes])
    }

    /// Writes `parts`, one after another, as the file at `rel`.
    pub fn write_parts(&self, rel: &str, parts: &[&[u8]]) -> Result<()> {
        let path = self.path_of(rel)?;
        stop_if_interrupted()?;
        self.make_parent(&path)?;
        fs::File::create(&path)
            .and_then(|mut file| parts.iter().try_for_each(|part| std::io::Write::write_all(&mut file, part)))
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.put(rel);
        Ok(())
    }

    /// Writes what `from` reads at `rel`, a buffer at a time. When reading
    /// fails, nothing stays at `rel` and the error is a [`ReadFault`].
    pub fn stream(&self, rel: &str, from: &mut dyn std::io::Read) -> Result<()> {
        let path = self.path_of(rel)?;
        stop_if_interrupted()?;
        self.make_parent(&path)?;
        let mut file = fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut buf = vec![0u8; 256 * 1024];
        let copied = loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(anyhow::Error::new(ReadFault(e))),
            };
            if let Err(e) = std::io::Write::write_all(&mut file, &buf[..n]) {
                break Err(anyhow::Error::new(e).context(format!("cannot write {}", path.display())));
            }
        };
        if copied.is_err() {
            drop(file);
            let _ = fs::remove_file(&path);
        } else {
            self.put(rel);
        }
        copied
    }

    /// Puts the file at `from` at `rel` inside the staging folder: a hard link
    /// when `link` is set and the file system allows it, else a copy (a
    /// copy-on-write clone where the file system has them).
    pub fn copy(&self, rel: &str, from: &Path, link: bool) -> Result<()> {
        let path = self.path_of(rel)?;
        stop_if_interrupted()?;
        self.make_parent(&path)?;
        if !(link && fs::hard_link(from, &path).is_ok()) {
            self.copy_file(from, &path)
                .with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        }
        self.put(rel);
        Ok(())
    }

    /// Hard-links the file `from` (of the previous output) at `rel`; false
    /// when the file system will not link it. In an overlay, the output's
    /// own file at `rel` just stays.
    pub fn link(&self, rel: &str, from: &Path) -> Result<bool> {
        let path = self.path_of(rel)?;
        stop_if_interrupted()?;
        if self.overlay.is_some() && from == self.out.join(rel) {
            return Ok(true);
        }
        self.make_parent(&path)?;
        let linked = fs::hard_link(from, &path).is_ok();
        if linked {
            self.put(rel);
        }
        Ok(linked)
    }

    fn path_of(&self, rel: &str) -> Result<PathBuf> {
        inside(&self.dir, rel)
    }

    /// Marks the staging folder with `stamp` and swaps it in for the output
    /// folder; then removes the old site, and waits for the folders of killed
    /// builds to be gone. An overlay's files are moved into the output
    /// instead, and the output's files in `gone` (paths in the site) removed.
    pub fn commit(mut self, stamp: &Stamp, gone: &[String]) -> Result<()> {
        if let Some(files) = self.overlay.take() {
            let mut files = files.into_inner().unwrap_or_else(PoisonError::into_inner);
            files.sort_unstable();
            files.dedup();
            stop_if_interrupted()?;
            self.update(stamp, &files, gone)?;
            if let Some(sweeper) = self.sweeper.take() {
                let _ = sweeper.join();
            }
            return Ok(());
        }
        let at = self.dir.join(MARKER);
        write_marker(&at, stamp)?;
        stop_if_interrupted()?;
        let old = if self.out.exists() {
            check_replaceable(&self.out)?;
            swap(&self.dir, &self.out)?
        } else {
            fs::rename(&self.dir, &self.out)
                .with_context(|| format!("cannot move the new site into {}", self.out.display()))?;
            None
        };
        if let Some(old) = old {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove the old output {}", old.display()))?;
        }
        if let Some(sweeper) = self.sweeper.take() {
            let _ = sweeper.join();
        }
        Ok(())
    }
}

impl Staging {
    /// An overlay's commit: the output marked as being updated, the files
    /// gone removed (with the folders they leave empty), the overlay's
    /// `files` moved in, then the output marked with `stamp`.
    fn update(&self, stamp: &Stamp, files: &[String], gone: &[String]) -> Result<()> {
        let marker = self.out.join(MARKER);
        let mut updating = read_stamp(&self.out).unwrap_or_default();
        updating.fingerprint = UPDATING.into();
        write_marker(&marker, &updating)?;
        for rel in gone {
            // The record names them: never a path outside the output.
            let path = inside(&self.out, rel)?;
            match fs::remove_file(&path) {
                Ok(()) => remove_empty_parents(&self.out, &path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
            }
        }
        for rel in files {
            let to = self.out.join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::rename(self.dir.join(rel), &to).with_context(|| format!("cannot move {} into place", to.display()))?;
        }
        write_marker(&marker, stamp)
    }
}

/// The path of the site path `rel` inside the folder `top`; an error for a
/// path that would lead out of it.
fn inside(top: &Path, rel: &str) -> Result<PathBuf> {
    let mut path = top.to_path_buf();
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

/// Writes `stamp` into the marker file `at`, replacing it in one rename.
fn write_marker(at: &Path, stamp: &Stamp) -> Result<()> {
    let mut marker = serde_json::to_vec_pretty(stamp).expect("a stamp serialises");
    marker.push(b'\n');
    let temp = at.with_extension(format!("tmp-{}", std::process::id()));
    fs::write(&temp, marker).with_context(|| format!("cannot write {}", temp.display()))?;
    fs::rename(&temp, at).with_context(|| format!("cannot write {}", at.display()))
}

/// Removes the folders above `path` up to `top` that are left empty.
fn remove_empty_parents(top: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != top && d.starts_with(top)) {
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Fails with "interrupted" once [`interrupt`] was called.
pub fn stop_if_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        bail!("interrupted");
    }
    Ok(())
}

/// Puts the folder `new` in place of the existing folder `out`, and returns
/// where the old site now is, to be removed.
#[cfg(target_os = "linux")]
fn swap(new: &Path, out: &Path) -> Result<Option<PathBuf>> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE) {
        // The names are exchanged: the staging folder's name now holds the old site.
        Ok(()) => Ok(Some(new.to_path_buf())),
        // A file system without the exchange (some network and FUSE ones).
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => swap_in_two_steps(new, out),
        Err(e) => {
            Err(std::io::Error::from(e)).with_context(|| format!("cannot swap the new site into {}", out.display()))
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(new: &Path, out: &Path) -> Result<Option<PathBuf>> {
    swap_in_two_steps(new, out)
}

/// The swap without an exchange: the old site moved aside, then the new one
/// moved in. A kill between the two leaves no output, the old site kept
/// aside (the next build removes it).
fn swap_in_two_steps(new: &Path, out: &Path) -> Result<Option<PathBuf>> {
    let old = sibling(out, "old");
    fs::rename(out, &old).with_context(|| format!("cannot move the old output {} aside", out.display()))?;
    fs::rename(new, out).with_context(|| format!("cannot move the new site into {}", out.display()))?;
    Ok(Some(old))
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

    #[test]
    fn an_overlay_moves_its_files_in_removes_the_gone_and_never_leaves_the_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let first = Staging::new(&out).unwrap();
        for rel in ["kept.html", "old/gone.html", "changed.html"] {
            first.write(rel, b"first").unwrap();
        }
        first.commit(&Stamp { pages: 3, ..Stamp::default() }, &[]).unwrap();
        fs::write(tmp.path().join("outside.txt"), "mine").unwrap();

        let update = Staging::overlay(&out).unwrap();
        assert!(update.link("kept.html", &out.join("kept.html")).unwrap());
        update.write("changed.html", b"second").unwrap();
        update.write("new/page.html", b"second").unwrap();
        let escape = update.commit(&Stamp::default(), &["../outside.txt".to_string()]);
        assert!(escape.is_err(), "a gone path outside the output is refused");
        assert!(tmp.path().join("outside.txt").is_file());
        assert_eq!(read_stamp(&out).unwrap().fingerprint, UPDATING, "the refused update is marked");

        let update = Staging::overlay(&out).unwrap();
        update.write("changed.html", b"second").unwrap();
        update.commit(&Stamp { pages: 2, ..Stamp::default() }, &["old/gone.html".to_string()]).unwrap();
        assert_eq!(fs::read(out.join("kept.html")).unwrap(), b"first");
        assert_eq!(fs::read(out.join("changed.html")).unwrap(), b"second");
        assert!(!out.join("old").exists(), "the folder the gone file left empty is removed");
        assert_eq!(read_stamp(&out).unwrap().pages, 2);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2, "no staging folder stays");
    }

    /// With the exchange, a reader never finds the output missing, however
    /// often it is replaced.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_output_is_never_missing_while_it_is_replaced() {
        use std::sync::Arc;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        Staging::new(&out).unwrap().commit(&Stamp::default(), &[]).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (out, done) = (out.clone(), Arc::clone(&done));
            std::thread::spawn(move || {
                let (mut looks, mut missing) = (0u64, 0u64);
                while !done.load(Ordering::SeqCst) {
                    looks += 1;
                    if !out.join(MARKER).is_file() {
                        missing += 1;
                    }
                }
                (looks, missing)
            })
        };
        for n in 0..200 {
            let staging = Staging::new(&out).unwrap();
            staging.write("index.html", format!("{n}").as_bytes()).unwrap();
            staging.commit(&Stamp { pages: n, ..Stamp::default() }, &[]).unwrap();
        }
        done.store(true, Ordering::SeqCst);
        let (looks, missing) = reader.join().unwrap();
        assert!(looks > 200, "the reader looked {looks} times");
        assert_eq!(missing, 0, "the output was missing {missing} of {looks} times");
        assert_eq!(read_stamp(&out).unwrap().pages, 199);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging or old folder stays");
    }
}
