//! HTML reports: what each loads from other hosts.
//!
//! A report a pipeline writes (ydata-profiling, sweetviz, a plotly
//! dashboard) may pull its scripts, styles, fonts or images from a CDN:
//! opened offline, the promise of this site, it is then blank or unstyled.
//! The file is tokenised as a stream (never held whole) and every URL of
//! another host in `script`, `link`, `img`, `iframe` and the like is named,
//! one warning per host. Its relative links and references are kept too:
//! whether they lead to a file of the published site depends on the run's
//! other files, so [`crate::input::resolve::dead_links`] judges them later.

use super::io::unreadable;
use super::kinds::{Body, HtmlReport, Preview, Remote, Warning};
use crate::input::source::Location;
use crate::util::paths::rooted;
use html5gum::{DefaultEmitter, IoReader, Token, Tokenizer};
use std::io::{BufReader, Read};

/// The most of a report read for its references.
const MAX_READ: u64 = 64 * 1024 * 1024;

/// Previews an HTML report: the hosts it loads from.
pub(crate) fn preview(path: &Location) -> Preview {
    let file = match path.open() {
        Ok(f) => f,
        Err(e) => return Preview::new(Body::Html(HtmlReport::default())).warn(unreadable(&e)),
    };
    let Found { remote, links } = references(BufReader::new(file).take(MAX_READ));
    let report = HtmlReport { blank_offline: remote.iter().any(|r| r.kind == "script"), remote, links };
    let warnings: Vec<Warning> = report.remote.iter().map(warning).collect();
    let mut p = Preview::new(Body::Html(report));
    for w in warnings {
        p = p.warn(w);
    }
    p
}

/// The most relative links of one report kept for checking.
const MAX_LINKS: usize = 1000;

/// What a document refers to.
#[derive(Default)]
struct Found {
    /// What each host it loads from serves it, in order of first use.
    remote: Vec<Remote>,
    /// Its relative links and references, each once, in order; none when
    /// a `<base>` element moves where they lead.
    links: Vec<String>,
}

/// The hosts a document loads from and its relative links.
fn references(input: impl Read) -> Found {
    let mut found = Found::default();
    let mut based = false;
    // Script and style bodies are text, not tags.
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    for token in Tokenizer::new_with_emitter(IoReader::new(input), emitter).flatten() {
        let Token::StartTag(tag) = token else { continue };
        let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
        let attr = |n: &str| tag.attributes.get(n.as_bytes()).map(|v| String::from_utf8_lossy(&v.value).into_owned());
        based |= name == "base" && attr("href").is_some();
        let link = match name.as_str() {
            "a" | "area" | "link" => attr("href"),
            "script" | "img" | "source" | "video" | "audio" | "iframe" | "frame" | "embed" | "track" => attr("src"),
            "object" => attr("data"),
            _ => None,
        };
        if let Some(url) = link.as_deref().filter(|u| local(u))
            && found.links.len() < MAX_LINKS
            && !found.links.iter().any(|l| l == url.trim())
        {
            found.links.push(url.trim().to_string());
        }
        let (kind, url) = match name.as_str() {
            "script" => ("script", attr("src")),
            "link" => {
                let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                let kind = if rel.contains("stylesheet") {
                    "style"
                } else if attr("as").is_some_and(|a| a.eq_ignore_ascii_case("font")) {
                    "font"
                } else if rel.contains("icon") {
                    "image"
                } else {
                    continue;
                };
                (kind, attr("href"))
            }
            "img" | "source" | "video" | "audio" | "input" => ("image", attr("src")),
            "iframe" | "frame" | "embed" => ("frame", attr("src")),
            "object" => ("frame", attr("data")),
            _ => continue,
        };
        let Some((host, file)) = url.as_deref().and_then(remote) else { continue };
        match found.remote.iter_mut().find(|r| r.host == host && r.kind == kind) {
            Some(r) if !r.files.contains(&file) => r.files.push(file),
            Some(_) => {}
            None => found.remote.push(Remote { kind, host, files: vec![file] }),
        }
    }
    if based {
        found.links.clear();
    }
    found
}

/// Whether `url` names a file by a path: relative (`../plots/a.png`), from
/// the root (`/home/alice/artifacts/v1/plots/a.png`), a drive (`C:\\runs`) or
/// a `file:` URL. Not empty, not only a fragment or query, not another
/// scheme (`https:`, `data:`, `javascript:`), not a host (`//cdn`), and not a
/// template's placeholder (`{{ x }}`, `${x}`) a script fills in.
fn local(url: &str) -> bool {
    let url = url.trim();
    let scheme = url.split_once(':').is_some_and(|(s, _)| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let by_path = if url.starts_with("//") { false } else { !scheme || rooted(url) };
    by_path && !(url.is_empty() || url.starts_with(['#', '?']) || url.contains("{{") || url.contains("${"))
}

/// The host and the named file of a URL that leaves the document's own
/// folder for another host (`https:`, `http:`, `//`), else `None`.
fn remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = ["https://", "http://", "//"].iter().find_map(|p| lower.starts_with(p).then(|| &url[p.len()..]))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let path = rest[end..].split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(&host);
    Some((host.clone(), library(file)))
}

/// A readable name for a file a report loads: `plotly-2.27.0.min.js` is
/// `plotly.js`, `bootstrap.min.css` is `bootstrap.css`.
fn library(file: &str) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let stem = stem.strip_suffix(".min").unwrap_or(stem);
    // A version after the name: `-2.27.0`, `@5.3.0`, `.v3`.
    let cut = stem
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '-' | '@' | '_' | '.')
                && stem[i + 1..].trim_start_matches('v').starts_with(|d: char| d.is_ascii_digit())
        })
        .map_or(stem.len(), |(i, _)| i);
    let name = if cut == 0 { stem } else { &stem[..cut] };
    if ext.is_empty() || !ext.chars().all(|c| c.is_ascii_alphanumeric()) {
        name.to_string()
    } else {
        format!("{name}.{}", ext.to_ascii_lowercase())
    }
}

/// The warning for one host: what it serves, and what the report is
/// without a network.
fn warning(r: &Remote) -> Warning {
    let files = r.files.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    let more = if r.files.len() > 3 {
        format!(" and {} more", crate::util::html::number((r.files.len() - 3) as f64, 0))
    } else {
        String::new()
    };
    let effect = match r.kind {
        "script" => "its scripts do not run without a network, so what they draw is blank offline",
        "style" => "it is unstyled without a network",
        "font" => "its fonts fall back without a network",
        "frame" => "its embedded frames are empty without a network",
        _ => "its images are missing without a network",
    };
    Warning::new("remote-dependency", format!("loads {files}{more} from {}: {effect}", r.host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_scripts_styles_and_images_are_named_by_host() {
        let html = r#"<!doctype html><html><head>
            <script src="https://cdn.plot.ly/plotly-2.27.0.min.js"></script>
            <script src="plots/local.js"></script><script>document.title = "inline";</script>
            <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.0/dist/css/bootstrap.min.css">
            <LINK REL="preload" as="font" href="//fonts.gstatic.com/s/roboto.woff2">
            <link rel="canonical" href="https://example.com/">
            </head><body><img src="https://cdn.plot.ly/logo.png?x=1"><img src="figures/a.png">
            <a href="https://docs.example.org/">not loaded</a></body></html>"#;
        let found = references(html.as_bytes()).remote;
        let got: Vec<(&str, &str, Vec<&str>)> =
            found.iter().map(|r| (r.kind, r.host.as_str(), r.files.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            got,
            [
                ("script", "cdn.plot.ly", vec!["plotly.js"]),
                ("style", "cdn.jsdelivr.net", vec!["bootstrap.css"]),
                ("font", "fonts.gstatic.com", vec!["roboto.woff2"]),
                ("image", "cdn.plot.ly", vec!["logo.png"]),
            ]
        );
        assert_eq!(
            warning(&found[0]).message,
            "loads plotly.js from cdn.plot.ly: its scripts do not run without a network, so what they draw is blank offline"
        );
    }

    #[test]
    fn a_self_contained_report_loads_nothing() {
        let html = "<html><script>var x = '<script src=https://cdn.example/a.js>';</script><img src=data:image/png;base64,AAAA></html>";
        assert!(references(html.as_bytes()).remote.is_empty());
    }

    #[test]
    fn links_by_path_are_kept_once_and_others_are_not() {
        let html = r##"<a href="artifacts/v1/plots/a.png">a</a> <a href=" ../tables/t.csv ">t</a>
            <img src="artifacts/v1/plots/a.png"><script src="js/app.js"></script>
            <a href="#top"></a><a href="?q=1"></a><a href="/home/a/v1/t.csv"></a><a href="mailto:a@b.c"></a>
            <a href="data:text/plain,x"></a><a href="javascript:void(0)"></a><a href="https://x.org/y"></a>
            <a href="//cdn.example/a.js"></a><a href="{{ url }}"></a><a href="${u}"></a><a href="C:/x"></a>
            <a href="file:///tmp/v1/a.png"></a><a>no href</a>"##;
        assert_eq!(
            references(html.as_bytes()).links,
            [
                "artifacts/v1/plots/a.png",
                "../tables/t.csv",
                "js/app.js",
                "/home/a/v1/t.csv",
                "C:/x",
                "file:///tmp/v1/a.png"
            ]
        );
    }

    #[test]
    fn a_base_element_leaves_relative_links_unjudged() {
        let html = r#"<base href="https://example.org/r/"><a href="plots/a.png">a</a>"#;
        assert!(references(html.as_bytes()).links.is_empty());
    }

    #[test]
    fn library_names_lose_versions_and_min() {
        assert_eq!(library("plotly-2.27.0.min.js"), "plotly.js");
        assert_eq!(library("jquery-3.7.1.min.js"), "jquery.js");
        assert_eq!(library("d3.v7.min.js"), "d3.js");
        assert_eq!(library("bootstrap.bundle.min.js"), "bootstrap.bundle.js");
        assert_eq!(library("css2"), "css2");
    }
}
