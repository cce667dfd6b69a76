//! A fingerprint of everything a build reads, to skip builds that would
//! produce the same site.
//!
//! It covers artsite's version, the theme, the config (with content-type
//! schemas), and every file of
//! every version by path, size and modification time (as make and cargo do).
//! An output whose marker holds the same fingerprint is up to date.

use crate::config::Config;
use crate::scan::Scan;
use crate::theme::Theme;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The fingerprint of a build of `scan` with `config` and `theme`, as hex.
pub fn of(config: &Config, theme: &Theme, scan: &Scan) -> String {
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    theme.templates.hash(&mut h);
    theme.statics.hash(&mut h);
    serde_json::to_string(&theme.variables).expect("variables serialise").hash(&mut h);
    // Where the site goes does not change what it holds.
    let content = Config { out: Default::default(), ..config.clone() };
    serde_json::to_string(&content).expect("config serialises").hash(&mut h);
    for declared in &config.content_types {
        std::fs::read(config.site_dir.join(&declared.schema)).ok().hash(&mut h);
    }
    scan.root.hash(&mut h);
    for a in &scan.aliases {
        (&a.name, &a.target).hash(&mut h);
    }
    for v in &scan.versions {
        v.id.hash(&mut h);
        v.files.len().hash(&mut h);
        for f in &v.files {
            (&f.rel, &f.path, f.size, f.modified).hash(&mut h);
        }
    }
    for p in &scan.problems {
        p.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}
