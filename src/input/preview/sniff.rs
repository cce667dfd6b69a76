//! What a file is, by its first bytes.

/// Bytes read from the start of a file to tell its type.
pub(crate) const HEAD_BYTES: u64 = 1024;

/// A file type told by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `\x89PNG`.
    Png,
    /// `FF D8 FF`.
    Jpeg,
    /// `GIF87a` / `GIF89a`.
    Gif,
    /// `RIFF....WEBP`.
    Webp,
    /// `%PDF-`.
    Pdf,
    /// `PK\x03\x04` (also xlsx, docx, jar).
    Zip,
    /// `1F 8B`.
    Gzip,
    /// `PAR1`.
    Parquet,
    /// UTF-8 without NUL bytes.
    Text,
    /// None of the above.
    Binary,
}

impl Kind {
    /// A name for people.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Png => "PNG image",
            Kind::Jpeg => "JPEG image",
            Kind::Gif => "GIF image",
            Kind::Webp => "WebP image",
            Kind::Pdf => "PDF document",
            Kind::Zip => "ZIP archive",
            Kind::Gzip => "gzip",
            Kind::Parquet => "parquet",
            Kind::Text => "text",
            Kind::Binary => "binary data",
        }
    }
}

/// Tells the type of a file from its first bytes ([`HEAD_BYTES`] are plenty).
pub(crate) fn sniff(head: &[u8]) -> Kind {
    const MAGIC: [(&[u8], Kind); 8] = [
        (b"\x89PNG\r\n\x1a\n", Kind::Png),
        (b"\xff\xd8\xff", Kind::Jpeg),
        (b"GIF87a", Kind::Gif),
        (b"GIF89a", Kind::Gif),
        (b"%PDF-", Kind::Pdf),
        (b"PK\x03\x04", Kind::Zip),
        (b"\x1f\x8b", Kind::Gzip),
        (b"PAR1", Kind::Parquet),
    ];
    if let Some((_, k)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return *k;
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Kind::Webp;
    }
    if is_text(head) { Kind::Text } else { Kind::Binary }
}

/// UTF-8 (a character cut at the end is fine) without NUL bytes.
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_formats_by_magic() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Kind::Png);
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Kind::Jpeg);
        assert_eq!(sniff(b"GIF89a"), Kind::Gif);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Kind::Webp);
        assert_eq!(sniff(b"%PDF-1.7"), Kind::Pdf);
        assert_eq!(sniff(b"PK\x03\x04"), Kind::Zip);
        assert_eq!(sniff(b"\x1f\x8b\x08"), Kind::Gzip);
        assert_eq!(sniff(b"PAR1\x15\x04"), Kind::Parquet);
        assert_eq!(sniff("name,größe\n".as_bytes()), Kind::Text);
        assert_eq!(sniff(&"ü".as_bytes()[..1]), Kind::Text, "a character cut by the head is still text");
        assert_eq!(sniff(b"abc\0def"), Kind::Binary);
        assert_eq!(sniff(b"\xff\xfe\xfa"), Kind::Binary);
    }
}
