//! One build at a time per output folder.
//!
//! A build holds an exclusive lock on a small file next to its output,
//! `.{name}.artsite-lock`, from before it looks at the output until the new
//! site is in place. The lock is the operating system's (`flock` on Unix,
//! `LockFileEx` on Windows), so it ends with the process however the process
//! ends: a killed build never leaves a stale lock. The file itself stays, as
//! cargo's lock files do: removing it would let two builds lock two files.
//! It holds the process id of the build that last took it, to name it.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// An output folder, locked for this process until dropped.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

/// What to do when another build holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Wait for it to finish.
    Yes,
    /// Fail at once.
    No,
}

/// The lock file of output folder `out`.
pub fn path(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.artsite-lock"))
}

/// Locks `out` (creating its parent folder when needed). When another
/// process holds the lock, waits for it (saying so through `waiting`) or,
/// with [`Wait::No`], fails naming that process.
pub fn acquire(out: &Path, wait: Wait, waiting: &mut dyn FnMut(&str)) -> Result<OutputLock> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let at = path(out);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&at)
        .with_context(|| format!("cannot open the lock file {}", at.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let other = holder(&mut file);
            let message = format!("another build ({other}) is writing {}", out.display());
            if wait == Wait::No {
                bail!("{message}; not waiting for it (--no-wait)");
            }
            waiting(&format!("{message}; waiting for it to finish"));
            file.lock().with_context(|| format!("cannot lock {}", at.display()))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", at.display()));
        }
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| write!(file, "{}", std::process::id()))
        .with_context(|| format!("cannot write the lock file {}", at.display()))?;
    Ok(OutputLock { _file: file })
}

/// Who holds the lock, as the file names it.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.take(32).read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!("process {pid}"),
        Err(_) => "a process that has not yet written its id".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_or_fails_naming_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site/public");
        let first = acquire(&out, Wait::No, &mut |_| panic!("nothing holds it yet")).unwrap();
        assert_eq!(std::fs::read_to_string(path(&out)).unwrap(), std::process::id().to_string());
        // A lock is per open file, so a second open in this process contends too.
        let e = acquire(&out, Wait::No, &mut |_| {}).unwrap_err().to_string();
        assert!(e.contains(&format!("another build (process {})", std::process::id())), "{e}");
        assert!(e.contains("--no-wait"), "{e}");

        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let mut said = String::new();
            let lock = acquire(&out, Wait::Yes, &mut |m| {
                said = m.to_string();
                tx.send(()).unwrap();
            });
            (lock.is_ok(), said)
        });
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the second build says it waits");
        drop(first);
        let (locked, said) = waiter.join().unwrap();
        assert!(locked && said.contains("waiting for it to finish"), "{said}");
    }
}
