//! Names the source artsite is built from: a hash of `src/`, `themes/`,
//! `Cargo.toml` and `Cargo.lock`, so a site built by an older binary of the
//! same version is not taken for up to date (see `output::fingerprint`).

use std::path::Path;

fn main() {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for top in ["src", "themes", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={top}");
        add(Path::new(top), &mut hash);
    }
    println!("cargo:rustc-env=ARTSITE_SOURCE_HASH={hash:016x}");
}

/// Folds the path and bytes of every file under `path`, in name order, into
/// `hash` (FNV-1a).
fn add(path: &Path, hash: &mut u64) {
    let mut fold = |bytes: &[u8]| {
        for &b in bytes {
            *hash = (*hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            add(&entry, hash);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        fold(path.to_string_lossy().as_bytes());
        fold(&bytes);
    }
}
