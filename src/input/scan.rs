//! Finds the version folders under the artifacts root and the files in each.
//!
//! Nothing is read here but directory entries, file sizes and times. Symlinks are
//! resolved and kept only when their target stays inside the root; a symlink at
//! the top level that names another version folder becomes an alias. A
//! folder holding [`OUTPUT_MARKER`] is a site artsite wrote (the output
//! folder, put inside the root): it is never read as input, and said so once.

use super::source::Location;
use super::source::bucket::{Bucket, Listed};
use crate::diagnostics::{Diagnostic, Severity};
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// The file that marks a folder as a site artsite wrote.
pub const OUTPUT_MARKER: &str = ".artsite-output";

/// Whether `dir` is a site artsite wrote, and so no input.
fn is_output(dir: &Path) -> bool {
    dir.join(OUTPUT_MARKER).is_file()
}

/// The note that the site at `shown` is left out.
fn output_note(shown: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Info,
        "output-in-root",
        shown,
        format!("a site artsite wrote (it holds {OUTPUT_MARKER}), such as the output folder; never read as input"),
    )
}

/// What kind of special file (neither file, folder nor symlink) `kind` is.
#[cfg_attr(not(unix), expect(unused_variables, reason = "only Unix names the kinds"))]
fn special_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device node";
        }
    }
    "a special file"
}

/// What the scan found.
#[derive(Debug)]
pub struct Scan {
    /// The artifacts root, canonicalised.
    pub root: PathBuf,
    /// Version folders, sorted by name.
    pub versions: Vec<VersionDir>,
    /// Top-level symlinks naming a version folder, such as `current`.
    pub aliases: Vec<Alias>,
    /// Problems met at the top level (each version holds its own).
    pub problems: Vec<Diagnostic>,
    /// The bucket the root is in, when it is one.
    pub bucket: Option<Arc<Bucket>>,
}

/// One version folder and its files.
#[derive(Debug)]
pub struct VersionDir {
    /// The folder name: the version id.
    pub id: String,
    /// Its path on disk.
    pub dir: PathBuf,
    /// Every regular file inside, sorted by relative path.
    pub files: Vec<FileEntry>,
    /// Problems met while walking it (unreadable entries, symlinks that
    /// leave the root).
    pub problems: Vec<Diagnostic>,
}

/// A file inside a version folder.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Path relative to the version folder, `/`-separated.
    pub rel: String,
    /// Where to read it (the symlink's target when it was a symlink).
    pub at: Location,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time, in nanoseconds since the epoch (0 if unknown).
    pub modified: u128,
}

fn modified(meta: &fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

/// A top-level symlink to a version folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alias {
    /// The symlink's name, e.g. `current`.
    pub name: String,
    /// The version id it points at.
    pub target: String,
}

/// Why the root could not be scanned at all.
#[derive(Debug)]
pub enum ScanError {
    /// The root does not exist or is not a directory.
    NotADirectory(PathBuf),
    /// The root could not be listed.
    Unreadable(PathBuf, std::io::Error),
    /// The bucket could not be reached or listed (the message names it).
    Bucket(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::NotADirectory(p) => write!(
                f,
                "artifacts root {} does not exist or is not a directory (expected a folder holding one folder per pipeline run; set it with --root)",
                p.display()
            ),
            ScanError::Unreadable(p, e) => write!(f, "cannot list artifacts root {}: {e}", p.display()),
            ScanError::Bucket(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ScanError {}

fn rel_display(root: &Path, path: &Path) -> String {
    // The walk joins names onto the root, so the path is the root's bytes, a
    // slash and clean names: take them as they are, without parsing either.
    let (p, r) = (path.as_os_str().as_encoded_bytes(), root.as_os_str().as_encoded_bytes());
    if let Some(rest) = p.strip_prefix(r).and_then(|rest| rest.strip_prefix(b"/"))
        && let Ok(rel) = std::str::from_utf8(rest)
        && rel.split('/').all(|name| !name.is_empty() && name != "." && !name.contains('\\'))
    {
        return rel.to_string();
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// The top level of a root: its version folders (not yet walked), aliases
/// and the problems met there.
#[derive(Debug)]
pub struct Top {
    /// The artifacts root, canonicalised.
    pub root: PathBuf,
    /// (version id, folder), sorted by name.
    pub dirs: Vec<(String, PathBuf)>,
    /// Top-level symlinks naming a version folder.
    pub aliases: Vec<Alias>,
    /// Problems met at the top level.
    pub problems: Vec<Diagnostic>,
}

/// Lists the top level of `root`: one entry per version folder, aliases for
/// symlinks to them. Reads no version folder.
pub fn scan_top(root: &Path) -> Result<Top, ScanError> {
    if !root.is_dir() {
        return Err(ScanError::NotADirectory(root.to_path_buf()));
    }
    let canonical = fs::canonicalize(root).map_err(|e| ScanError::Unreadable(root.to_path_buf(), e))?;
    let mut entries: Vec<_> = fs::read_dir(&canonical)
        .map_err(|e| ScanError::Unreadable(root.to_path_buf(), e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);

    let mut problems = Vec::new();
    let mut dirs = Vec::new();
    let mut aliases = Vec::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && is_output(&entry.path()) {
            problems.push(output_note(&name));
        } else if kind.is_dir() {
            dirs.push((name, entry.path()));
        } else if kind.is_symlink() {
            match top_level_symlink(&canonical, &entry.path()) {
                Ok(target) => aliases.push(Alias { name, target }),
                Err(problem) => problems.push(problem),
            }
        }
    }
    Ok(Top { root: canonical, dirs, aliases, problems })
}

/// Scans `root`: one [`VersionDir`] per folder, aliases for symlinks to them.
pub fn scan(root: &Path) -> Result<Scan, ScanError> {
    let Top { root, dirs, aliases, problems } = scan_top(root)?;
    let versions = dirs.into_par_iter().map(|(id, dir)| scan_version(&root, id, dir)).collect();
    Ok(Scan { root, versions, aliases, problems, bucket: None })
}

fn top_level_symlink(root: &Path, link: &Path) -> Result<String, Diagnostic> {
    let rel = rel_display(root, link);
    let target = fs::canonicalize(link).map_err(|e| {
        Diagnostic::new(Severity::Warning, "broken-symlink", &rel, format!("symlink cannot be resolved ({e}); skipped"))
    })?;
    if !target.starts_with(root) {
        return Err(Diagnostic::new(
            Severity::Warning,
            "symlink-outside-root",
            &rel,
            "symlink leads outside the artifacts root; not followed",
        ));
    }
    if target.parent() == Some(root) && target.is_dir() {
        return Ok(target.file_name().unwrap_or_default().to_string_lossy().into_owned());
    }
    Err(Diagnostic::new(
        Severity::Info,
        "symlink-not-version",
        &rel,
        "symlink does not name a version folder of the root; skipped",
    ))
}

/// Scans the bucket at `url` as [`scan`] scans a folder: one listing of
/// its top, then one of each run's folder. Keys whose segments start with
/// `.` are skipped as dot-files are on disk, and so are folders holding
/// [`OUTPUT_MARKER`]; a bucket has no symlinks, so no aliases. A run folder
/// that cannot be listed is a problem of that run.
pub fn scan_bucket(url: &str) -> Result<Scan, ScanError> {
    let bucket = Bucket::connect(url).map_err(ScanError::Bucket)?;
    let Top { root, dirs, aliases, problems } = bucket_top(&bucket)?;
    let versions = dirs.into_par_iter().map(|(id, _)| scan_bucket_version(&bucket, id)).collect();
    Ok(Scan { root, versions, aliases, problems, bucket: Some(bucket) })
}

/// Lists the top level of a bucket as [`scan_top`] lists a folder's: one
/// entry per run folder, none of them listed yet.
pub fn bucket_top(bucket: &Bucket) -> Result<Top, ScanError> {
    let folders = bucket.folders().map_err(ScanError::Bucket)?;
    let dirs = folders
        .into_iter()
        .filter(|f| !f.starts_with('.'))
        .map(|id| {
            let dir = PathBuf::from(format!("{}/{id}", bucket.url()));
            (id, dir)
        })
        .collect();
    Ok(Top { root: PathBuf::from(bucket.url()), dirs, aliases: Vec::new(), problems: Vec::new() })
}

/// Lists one run folder of a bucket as [`scan_version`] walks one on disk.
pub fn scan_bucket_version(bucket: &Arc<Bucket>, id: String) -> VersionDir {
    let dir = PathBuf::from(format!("{}/{id}", bucket.url()));
    let listed = match bucket.list(&id) {
        Ok(listed) => listed,
        Err(message) => {
            let problem = Diagnostic::new(Severity::Error, "unreadable", &id, message);
            return VersionDir { id, dir, files: Vec::new(), problems: vec![problem] };
        }
    };
    let in_run = |l: &Listed| l.rel.strip_prefix(&id).and_then(|r| r.strip_prefix('/')).map(str::to_string);
    let rels: Vec<(String, &Listed)> = listed.iter().filter_map(|l| Some((in_run(l)?, l))).collect();
    let outputs: Vec<&str> =
        rels.iter().filter_map(|(rel, _)| rel.strip_suffix(OUTPUT_MARKER)?.strip_suffix('/')).collect();
    let under = |rel: &str, dir: &str| rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    let mut files = Vec::new();
    let mut problems: Vec<Diagnostic> = outputs.iter().map(|o| output_note(&format!("{id}/{o}"))).collect();
    for (i, (rel, l)) in rels.iter().enumerate() {
        if let Some(why) = unsafe_key(rel) {
            let message = format!("object key cannot be a file's path in the site ({why}); skipped");
            problems.push(Diagnostic::new(Severity::Warning, "unsafe-key", format!("{id}/{rel}"), message));
            continue;
        }
        let hidden = rel.split('/').any(|s| s.starts_with('.'));
        // A folder marker (`plots/`, an empty object named like a folder).
        let folder = rels.get(i + 1).is_some_and(|(next, _)| under(next, rel));
        if hidden || folder || outputs.iter().any(|o| under(rel, o)) {
            continue;
        }
        let at = Location::Object(bucket.object(l));
        files.push(FileEntry { rel: rel.clone(), at, size: l.size, modified: l.modified });
    }
    VersionDir { id, dir, files, problems }
}

/// Why an object's key below its run cannot name a file of the site, whose
/// path it becomes: an empty, `.` or `..` segment (the store's client
/// refuses these already), a `\` or control character, which some file
/// systems read as a separator or cannot hold, or U+FFFD, which a listing
/// sends for a character its XML cannot carry (the object is then not
/// found by the key listed).
fn unsafe_key(rel: &str) -> Option<&'static str> {
    if rel.split('/').any(|s| matches!(s, "" | "." | "..")) {
        return Some("an empty, `.` or `..` segment");
    }
    if rel.contains('\\') {
        return Some("a `\\`, a folder separator on Windows");
    }
    if rel.contains('\u{fffd}') {
        return Some("a character the listing could not carry, sent as U+FFFD");
    }
    rel.chars().any(char::is_control).then_some("a control character")
}

/// Walks one version folder under the canonical `root`: its files, and the
/// problems met (unreadable entries, symlinks that leave the root).
pub fn scan_version(root: &Path, id: String, dir: PathBuf) -> VersionDir {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut outputs = Vec::new();
    let walker =
        WalkDir::new(&dir).min_depth(1).follow_links(false).sort_by_file_name().into_iter().filter_entry(|e| {
            if e.file_name().to_string_lossy().starts_with('.') {
                return false;
            }
            let output = e.file_type().is_dir() && is_output(e.path());
            if output {
                outputs.push(rel_display(root, e.path()));
            }
            !output
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| rel_display(root, p)).unwrap_or_else(|| id.clone());
                problems.push(Diagnostic::new(Severity::Warning, "unreadable", path, format!("cannot read: {e}")));
                continue;
            }
        };
        let rel = rel_display(&dir, entry.path());
        let shown = || rel_display(root, entry.path());
        let kind = entry.file_type();
        if kind.is_file() {
            let (size, modified) = entry.metadata().map(|m| (m.len(), modified(&m))).unwrap_or((0, 0));
            files.push(FileEntry { rel, at: Location::Disk(entry.into_path()), size, modified });
        } else if kind.is_symlink() {
            match fs::canonicalize(entry.path()) {
                Err(e) => problems.push(Diagnostic::new(
                    Severity::Warning,
                    "broken-symlink",
                    shown(),
                    format!("symlink cannot be resolved ({e}); skipped"),
                )),
                Ok(target) if !target.starts_with(root) => problems.push(Diagnostic::new(
                    Severity::Warning,
                    "symlink-outside-root",
                    shown(),
                    "symlink leads outside the artifacts root; not followed",
                )),
                Ok(target) if target.is_file() => {
                    let (size, modified) = fs::metadata(&target).map(|m| (m.len(), modified(&m))).unwrap_or((0, 0));
                    files.push(FileEntry { rel, at: Location::Disk(target), size, modified });
                }
                Ok(_) => problems.push(Diagnostic::new(
                    Severity::Info,
                    "symlink-dir",
                    shown(),
                    "directory symlink inside a version is not followed",
                )),
            }
        } else if !kind.is_dir() {
            let what = special_kind(&kind);
            problems.push(Diagnostic::new(
                Severity::Warning,
                "special-file",
                shown(),
                format!("{what}, not a regular file; skipped (its content is not a file to publish)"),
            ));
        }
    }
    problems.extend(outputs.iter().map(|shown| output_note(shown)));
    VersionDir { id, dir, files, problems }
}

#[cfg(test)]
mod tests {
    use super::{rel_display, unsafe_key};
    use std::path::Path;

    #[test]
    fn paths_under_the_root_are_shown_from_it() {
        let root = Path::new("/data/artifacts");
        for (path, shown) in [
            ("/data/artifacts/v1/plots/a.png", "v1/plots/a.png"),
            ("/data/artifacts//v1/./a.png", "v1/./a.png"),
            ("/data/artifacts/v1", "v1"),
            ("/data/artifactsv1/a.png", "/data/artifactsv1/a.png"),
            ("/elsewhere/a.png", "/elsewhere/a.png"),
        ] {
            assert_eq!(rel_display(root, Path::new(path)), shown, "{path}");
        }
    }

    #[test]
    fn keys_that_cannot_be_paths_are_told() {
        for ok in ["plots/a.png", "tables/x y.csv", "logs/09:00:00.log", "a..b/c"] {
            assert_eq!(unsafe_key(ok), None, "{ok}");
        }
        for bad in ["../x", "a/./b", "a//b", "a/", "a\\..\\b.txt", "bad\u{1}name.txt", "bad\u{fffd}name.txt"] {
            assert!(unsafe_key(bad).is_some(), "{bad}");
        }
    }
}
