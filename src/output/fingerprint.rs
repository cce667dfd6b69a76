//! A fingerprint of everything a build reads, to skip builds that would
//! produce the same site.
//!
//! It covers artsite's version, the theme, the config (with content-type
//! schemas), and every file of every version by path, size and modification
//! time (as make and cargo do). An output whose marker holds the same
//! fingerprint is up to date. It is made of a part every page depends on and
//! one per version, so the build cache can tell which versions changed.

use crate::config::Config;
use crate::input::scan::{Scan, VersionDir};
use crate::theme::Theme;
use crate::util::digest::Fields;

/// The fingerprint of a build, in parts: what every page depends on, and
/// each version's files.
pub(crate) struct Prints {
    /// artsite, the theme, the config and its schemas, the root, its
    /// aliases and the problems at its top.
    pub(crate) global: String,
    /// Each version's id and the fingerprint of its files, in scan order.
    pub(crate) runs: Vec<(String, String)>,
}

impl Prints {
    /// The fingerprint of the whole build, as hex.
    pub(crate) fn whole(&self) -> String {
        let mut h = Fields::new();
        h.text(&self.global).number(self.runs.len() as u128);
        for (id, print) in &self.runs {
            h.text(id).text(print);
        }
        format!("{:016x}", h.digest())
    }
}

/// The fingerprint of a build of `scan` with `config` and `theme`, in parts.
pub(crate) fn prints(config: &Config, theme: &Theme, scan: &Scan) -> Prints {
    Prints { global: global(config, theme, scan), runs: scan.versions.iter().map(|v| (v.id.clone(), run(v))).collect() }
}

fn global(config: &Config, theme: &Theme, scan: &Scan) -> String {
    let mut h = Fields::new();
    h.text(env!("CARGO_PKG_VERSION"));
    // An artsite of the same version built from other source renders anew.
    h.text(env!("ARTSITE_SOURCE_HASH"));
    h.number(theme.templates.len() as u128);
    for (name, text) in &theme.templates {
        h.text(name).text(text);
    }
    h.number(theme.statics.len() as u128);
    for (name, bytes) in &theme.statics {
        h.text(name).bytes(bytes);
    }
    h.json(&theme.variables);
    // Where the site goes does not change what it holds.
    h.json(&Config { out: Default::default(), ..config.clone() });
    for declared in &config.content_types {
        match std::fs::read(config.site_dir.join(&declared.schema)) {
            Ok(bytes) => h.number(1).bytes(&bytes),
            Err(_) => h.number(0),
        };
    }
    h.path(&scan.root);
    h.number(scan.aliases.len() as u128);
    for a in &scan.aliases {
        h.text(&a.name).text(&a.target);
    }
    h.number(scan.problems.len() as u128);
    for p in &scan.problems {
        h.json(p);
    }
    format!("{:016x}", h.digest())
}

fn run(v: &VersionDir) -> String {
    let mut h = Fields::new();
    h.text(&v.id).number(v.files.len() as u128);
    for f in &v.files {
        h.text(&f.rel).text(&f.at.identity()).number(u128::from(f.size)).number(f.modified);
    }
    h.number(v.problems.len() as u128);
    for p in &v.problems {
        h.json(p);
    }
    format!("{:016x}", h.digest())
}
