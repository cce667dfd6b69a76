//! JSON text as HTML with a CSS class per token, so the theme owns the colours.
//!
//! A lexer, not a parser: it highlights any prefix of a document, a cut-off
//! one included, and never fails. Classes: `hl-k` keys, `hl-s` strings,
//! `hl-n` numbers, `hl-b` true/false/null/NaN/Infinity, `hl-p` punctuation.

use crate::util::html::escape;

/// Highlights JSON (or JSON-like) text; the result is escaped HTML.
pub(crate) fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let class = match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                let after = text[i..].trim_start();
                if after.starts_with(':') { "hl-k" } else { "hl-s" }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                if text[i..].starts_with("Infinity") {
                    i += "Infinity".len();
                    "hl-b"
                } else {
                    "hl-n"
                }
            }
            b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                i += 1;
                "hl-p"
            }
            c if c.is_ascii_alphabetic() => {
                while i < b.len() && b[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                "hl-b"
            }
            _ => {
                while i < b.len()
                    && !matches!(b[i], b'"' | b'-' | b'0'..=b'9' | b'{' | b'}' | b'[' | b']' | b',' | b':')
                    && !b[i].is_ascii_alphabetic()
                {
                    i += 1;
                }
                out.push_str(&escape(&text[start..i]));
                continue;
            }
        };
        // A backslash at the very end can step past a char boundary: back up.
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        out.push_str("<span class=\"");
        out.push_str(class);
        out.push_str("\">");
        out.push_str(&escape(&text[start..i]));
        out.push_str("</span>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_each_token() {
        let h = json(r#"{"a": [1, -2.5e3, "x<y"], "b": null, "c": NaN}"#);
        assert!(h.contains(r#"<span class="hl-k">&quot;a&quot;</span>"#), "{h}");
        assert!(h.contains(r#"<span class="hl-n">-2.5e3</span>"#), "{h}");
        assert!(h.contains(r#"<span class="hl-s">&quot;x&lt;y&quot;</span>"#), "{h}");
        assert!(h.contains(r#"<span class="hl-b">null</span>"#), "{h}");
        assert!(h.contains(r#"<span class="hl-b">NaN</span>"#), "{h}");
        assert!(h.contains(r#"<span class="hl-p">{</span>"#), "{h}");
    }

    #[test]
    fn a_cut_document_still_highlights() {
        assert_eq!(json(r#""ab\"#), r#"<span class="hl-s">&quot;ab\</span>"#);
        assert_eq!(json("\"é\\"), "<span class=\"hl-s\">&quot;é\\</span>");
        assert!(json("-Infinity").contains(r#"<span class="hl-b">-Infinity</span>"#));
        assert_eq!(json("  \n"), "  \n");
    }
}
