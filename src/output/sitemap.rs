//! `sitemap.xml`, written when the site has a base URL.

use crate::plan::{Page, PageKind};
use crate::util::html::escape;

/// The sitemap of `pages` under `base_url`. Pages are listed by their folder
/// URL (`v/x/` for `v/x/index.html`); the 404 page and the report viewer,
/// empty without a report named in its URL, are left out.
pub(crate) fn sitemap(base_url: &str, pages: &[Page]) -> Vec<u8> {
    let base = if base_url.ends_with('/') { base_url.to_string() } else { format!("{base_url}/") };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in pages.iter().filter(|p| !matches!(p.kind, PageKind::NotFound | PageKind::Viewer)) {
        let path = p.path.strip_suffix("index.html").unwrap_or(&p.path);
        out.push_str(&format!(
            "  <url><loc>{}{}</loc></url>\n",
            escape(&base),
            escape(&crate::util::paths::url_path(path))
        ));
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folder_urls_under_the_base() {
        let pages = vec![
            Page { path: "index.html".into(), kind: PageKind::Home },
            Page { path: "404.html".into(), kind: PageKind::NotFound },
            Page { path: "view.html".into(), kind: PageKind::Viewer },
            Page { path: "v/a b/index.html".into(), kind: PageKind::Version(0) },
        ];
        let xml = String::from_utf8(sitemap("https://x.example/r", &pages)).unwrap();
        assert!(xml.contains("<loc>https://x.example/r/</loc>"));
        assert!(xml.contains("<loc>https://x.example/r/v/a%20b/</loc>"));
        assert!(!xml.contains("404") && !xml.contains("view.html"));
    }
}
