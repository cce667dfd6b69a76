//! Markdown previews: rendered with pulldown-cmark, then sanitised with
//! ammonia, so a note can carry no script, handler or frame into the site.
//!
//! Relative links and images are rewritten to the raw files they name in the
//! same version; ones that would leave the version, fragment-only links
//! (ammonia drops ids) and images from the network are dropped.

use super::io::unreadable;
use super::kinds::{Body, Markdown, Preview, Warning};
use crate::input::source::Location;
use crate::util::paths::{join_relative, url_path};
use std::borrow::Cow;

/// Bytes of a Markdown file rendered; the rest is linked.
pub const MAX_BYTES: u64 = 256 * 1024;

/// Previews the Markdown file at `path`, which is `rel` in its version.
pub fn preview(path: &Location, rel: &str, raw_files: &str) -> Preview {
    let bytes = match path.read_head(MAX_BYTES + 1) {
        Ok(b) => b,
        Err(e) => {
            return Preview::new(Body::Markdown(Markdown { html: String::new(), cut: false })).warn(unreadable(&e));
        }
    };
    let cut = bytes.len() as u64 > MAX_BYTES;
    let (text, bad) = super::json::utf8_prefix(&bytes[..bytes.len().min(MAX_BYTES as usize)]);
    let mut p = Preview::new(Body::Markdown(Markdown { html: render(&text, rel, raw_files), cut }));
    if cut {
        p.notes.push(format!("Only the first {} are rendered.", crate::util::html::bytes(MAX_BYTES)));
    }
    if bad {
        p = p.warn(Warning::new("text-encoding", "the file is not valid UTF-8; bad bytes are shown as \u{fffd}"));
    }
    p
}

/// Markdown to sanitised HTML, for the page of the artifact whose file is
/// `rel` in its version; `raw_files` leads from that page to the version's
/// raw files, which relative links of the Markdown name.
pub fn render(text: &str, rel: &str, raw_files: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(text, opts));
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    ammonia::Builder::default()
        .url_relative(ammonia::UrlRelative::Custom(Box::new(RawFiles { dir, raw_files: raw_files.to_string() })))
        .attribute_filter(|element, attribute, value| {
            let remote = value.contains(':') || value.starts_with("//");
            if element == "img" && attribute == "src" && remote { None } else { Some(value.into()) }
        })
        .clean(&raw)
        .to_string()
}

/// Rewrites relative URLs of a Markdown file in folder `dir` of its version
/// to its raw files, by way of `raw_files`.
struct RawFiles {
    dir: String,
    raw_files: String,
}

impl<'a> ammonia::UrlRelativeEvaluate<'a> for RawFiles {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        raw_file_url(&self.dir, url).map(|path| Cow::Owned(format!("{}{path}", self.raw_files)))
    }
}

/// A relative URL of a Markdown file in folder `dir` as the path of the raw
/// file it names in the version (with its query and fragment); `None` to drop it.
fn raw_file_url(dir: &str, url: &str) -> Option<String> {
    if url.starts_with(['/', '\\', '#']) {
        return None;
    }
    let end = url.find(['?', '#']).unwrap_or(url.len());
    join_relative(dir, url).map(|path| format!("{}{}", url_path(&path), &url[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_strips_scripts() {
        let html = render(
            "# Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))\n",
            "notes/a.md",
            "../files/",
        );
        assert!(html.contains("<h1>Notes</h1>") && html.contains("<table>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("alert(1)"), "{html}");
        assert!(!html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }

    #[test]
    fn relative_urls_lead_to_raw_files_of_the_version() {
        let html = render(
            "[a](../plots/a%20b.png?x=1#top) ![i](img.png) [t](#top) [up](../../x) [r](/etc/passwd) ![w](https://tracker.example/p.gif) [w](https://example.org/)",
            "notes/a.md",
            "../files/",
        );
        assert!(html.contains("href=\"../files/plots/a%20b.png?x=1#top\""), "{html}");
        assert!(html.contains("src=\"../files/notes/img.png\""), "{html}");
        assert!(!html.contains("#top\">t") && !html.contains("passwd") && !html.contains("tracker"), "{html}");
        assert!(!html.contains("../x"), "{html}");
        assert!(html.contains("href=\"https://example.org/\""), "{html}");
    }
}
