//! Markdown previews: rendered with pulldown-cmark, then sanitised with
//! ammonia, so a note can carry no script, handler or frame into the site.

use super::{Body, Preview, Warning, read_head, unreadable};
use serde::Serialize;
use std::path::Path;

/// Bytes of a Markdown file rendered; the rest is linked.
pub const MAX_BYTES: u64 = 256 * 1024;

/// A rendered Markdown document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Markdown {
    /// Sanitised HTML.
    pub html: String,
    /// Whether only the start of the file was rendered.
    pub cut: bool,
}

/// Previews a Markdown file.
pub fn preview(path: &Path) -> Preview {
    let bytes = match read_head(path, MAX_BYTES + 1) {
        Ok(b) => b,
        Err(e) => {
            return Preview::new(Body::Markdown(Markdown { html: String::new(), cut: false })).warn(unreadable(&e));
        }
    };
    let cut = bytes.len() as u64 > MAX_BYTES;
    let (text, bad) = super::json::utf8_prefix(&bytes[..bytes.len().min(MAX_BYTES as usize)]);
    let mut p = Preview::new(Body::Markdown(Markdown { html: render(&text), cut }));
    if cut {
        p.notes.push(format!("Only the first {} are rendered.", crate::html::bytes(MAX_BYTES)));
    }
    if bad {
        p = p.warn(Warning::new("text-encoding", "the file is not valid UTF-8; bad bytes are shown as \u{fffd}"));
    }
    p
}

/// Markdown to sanitised HTML.
pub fn render(text: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(text, opts));
    ammonia::clean(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_strips_scripts() {
        let html = render(
            "# Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))\n",
        );
        assert!(html.contains("<h1>Notes</h1>") && html.contains("<table>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("alert(1)"), "{html}");
        assert!(!html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }
}
