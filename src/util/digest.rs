//! A fixed hash of fields, for what is written to disk and compared in a
//! later build: the bytes hashed and the hash (XXH3, 64 bits) are both fixed
//! here, so neither depends on the Rust release, as `std`'s `Hash` and
//! `DefaultHasher` may.

use xxhash_rust::xxh3::Xxh3;

/// Hashes fields one by one, each with its length in front, so two lists of
/// fields hash alike only when they are alike.
pub(crate) struct Fields(Xxh3);

impl Fields {
    /// An empty hash.
    pub(crate) fn new() -> Fields {
        Fields(Xxh3::new())
    }

    /// Adds a field of bytes.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    /// Adds a field of text.
    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Adds an optional field of text, telling `None` from every text.
    pub(crate) fn maybe(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.number(1).text(s),
            None => self.number(0),
        }
    }

    /// Adds a number.
    pub(crate) fn number(&mut self, n: u128) -> &mut Self {
        self.0.update(&n.to_le_bytes());
        self
    }

    /// Adds a path.
    pub(crate) fn path(&mut self, p: &std::path::Path) -> &mut Self {
        self.bytes(p.as_os_str().as_encoded_bytes())
    }

    /// Adds a value as its JSON text.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> &mut Self {
        self.text(&serde_json::to_string(value).expect("the value serialises"))
    }

    /// The hash of the fields so far.
    pub(crate) fn digest(&self) -> u64 {
        self.0.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_framed_and_the_hash_is_fixed() {
        let digest = |parts: &[&str]| {
            let mut h = Fields::new();
            for p in parts {
                h.text(p);
            }
            h.digest()
        };
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]), "framing keeps fields apart");
        assert_ne!(Fields::new().maybe(None).digest(), Fields::new().maybe(Some("")).digest());
        // XXH3-64 of the framed field "artsite" (its length as 8 little-endian
        // bytes, then its bytes), as Python's `xxhash.xxh3_64` computes it too.
        assert_eq!(format!("{:016x}", digest(&["artsite"])), "146a29c74a6ef975");
    }
}
