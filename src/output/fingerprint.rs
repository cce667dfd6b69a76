//! A fingerprint of everything a build reads, to skip builds that would
//! produce the same site.
//!
//! It covers artsite's version, the theme, the config (with content-type
//! schemas), and every file of every version by path, size and modification
//! time (as make and cargo do). An output whose marker holds the same
//! fingerprint is up to date. The marker is written to disk, so the bytes
//! hashed and the hash (XXH3, 64 bits) are both fixed here: neither depends
//! on the Rust release, as `std`'s `Hash` and `DefaultHasher` may.

use crate::config::Config;
use crate::input::scan::Scan;
use crate::theme::Theme;
use xxhash_rust::xxh3::Xxh3;

/// Hashes fields one by one, each with its length in front, so two lists of
/// fields hash alike only when they are alike.
struct Fields(Xxh3);

impl Fields {
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    fn number(&mut self, n: u128) -> &mut Self {
        self.0.update(&n.to_le_bytes());
        self
    }

    fn path(&mut self, p: &std::path::Path) -> &mut Self {
        self.bytes(p.as_os_str().as_encoded_bytes())
    }
}

/// The fingerprint of a build of `scan` with `config` and `theme`, as hex.
pub(crate) fn of(config: &Config, theme: &Theme, scan: &Scan) -> String {
    let mut h = Fields(Xxh3::new());
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
    h.text(&serde_json::to_string(&theme.variables).expect("variables serialise"));
    // Where the site goes does not change what it holds.
    let content = Config { out: Default::default(), ..config.clone() };
    h.text(&serde_json::to_string(&content).expect("config serialises"));
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
    h.number(scan.versions.len() as u128);
    for v in &scan.versions {
        h.text(&v.id).number(v.files.len() as u128);
        for f in &v.files {
            h.text(&f.rel).text(&f.at.identity()).number(u128::from(f.size)).number(f.modified);
        }
        h.number(v.problems.len() as u128);
        for p in &v.problems {
            h.text(&serde_json::to_string(p).expect("diagnostics serialise"));
        }
    }
    h.number(scan.problems.len() as u128);
    for p in &scan.problems {
        h.text(&serde_json::to_string(p).expect("diagnostics serialise"));
    }
    format!("{:016x}", h.0.digest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_framed_and_the_hash_is_fixed() {
        let digest = |parts: &[&str]| {
            let mut h = Fields(Xxh3::new());
            for p in parts {
                h.text(p);
            }
            h.0.digest()
        };
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]), "framing keeps fields apart");
        // XXH3-64 of the framed field "artsite" (its length as 8 little-endian
        // bytes, then its bytes), as Python's `xxhash.xxh3_64` computes it too.
        assert_eq!(format!("{:016x}", digest(&["artsite"])), "146a29c74a6ef975");
    }
}
