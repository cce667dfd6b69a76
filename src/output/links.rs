//! Every internal link of a rendered site, resolved without writing it.
//!
//! [`LinkCheck`] is a [`Sink`] that hands each file on to another sink (or to
//! none, for `artsite check`) and reads every HTML page as it goes by: the
//! ids it defines and the URLs in its `href`, `src`, `action`, `data` and
//! `poster` attributes. Pages are not kept. [`LinkCheck::problems`] then
//! resolves each URL against the files the site holds, fragments included.
//!
//! Paths written twice, or equal but for case, are errors too (raw files
//! that clash are reported on the input, see [`crate::load`]).
//!
//! A URL with a script scheme (`javascript:`, `vbscript:`, `data:`), a
//! root-absolute path or one that climbs out of the site is an error
//! wherever it points, as is a link to a file the site does not have. A
//! link to a raw file that could not be published is a warning: the input
//! changed, not the site.

use crate::diagnostics::{Diagnostic, Severity};
use crate::input::source::Location;
use crate::output::sink::Sink;
use crate::util::locate::position;
use crate::util::paths::percent_decode;
use anyhow::Result;
use html5gum::{DefaultEmitter, Token, Tokenizer};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, PoisonError};

/// Attributes that hold a URL.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "data", "poster"];

/// Where diagnostics about the site's own pages point: `(site)/{page}`.
pub const SITE_PREFIX: &str = "(site)/";

/// A [`Sink`] that records the site's files, ids and links on their way to
/// `inner`.
pub struct LinkCheck<'a> {
    inner: Option<&'a dyn Sink>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every path written.
    files: HashSet<String>,
    /// Every path written, by its lowercase form (to catch case clashes).
    lowercase: HashMap<String, String>,
    /// Paths written twice, and paths equal but for case.
    clashes: Vec<Diagnostic>,
    /// Hashes of the ids of each page rendered.
    ids: HashMap<String, HashSet<u64>>,
    /// Each distinct link target: where it was first seen and how often.
    wanted: HashMap<Target, Seen>,
    /// URLs that are wrong wherever they point.
    bad: BTreeMap<(String, String), Seen>,
}

/// A resolved link: a path in the site and a fragment (maybe empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Target {
    path: String,
    fragment: String,
}

/// The first place (in page order) a URL appeared, and how many times.
#[derive(Debug, Clone)]
struct Seen {
    at: (String, u32, u32),
    url: String,
    count: usize,
}

impl Seen {
    fn add(&mut self, at: (String, u32, u32), url: &str) {
        self.count += 1;
        if at < self.at {
            self.at = at;
            self.url = url.to_string();
        }
    }
}

/// One page, read: its id hashes and its links with their positions.
struct PageLinks {
    ids: HashSet<u64>,
    links: Vec<(String, u32, u32)>,
}

fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn read_page(html: &str) -> PageLinks {
    let mut page = PageLinks { ids: HashSet::new(), links: Vec::new() };
    let tokens = Tokenizer::new_with_emitter(html, DefaultEmitter::<usize>::new_with_span());
    for token in tokens.flatten() {
        let Token::StartTag(tag) = token else { continue };
        for (name, value) in &tag.attributes {
            let value = String::from_utf8_lossy(&value.value);
            if **name == *b"id" {
                page.ids.insert(id_hash(&value));
            } else if URL_ATTRIBUTES.iter().any(|a| **name == *a.as_bytes()) {
                let (line, column) = position(html.as_bytes(), tag.span.start);
                page.links.push((value.into_owned(), line, column));
            }
        }
    }
    page
}

/// What a URL in a page at `from` is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// Leaves the site (`https:`, `mailto:`, `//host`): not checked.
    External,
    /// Wrong wherever it points, and why.
    Bad(&'static str),
    /// A file of the site.
    Internal(Target),
}

fn classify(from: &str, url: &str) -> Kind {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    if let Some(colon) = url.find(':')
        && !url[..colon].contains(['/', '?', '#'])
    {
        let scheme = url[..colon].to_ascii_lowercase();
        return match scheme.as_str() {
            "javascript" | "vbscript" | "data" => Kind::Bad("a script URL"),
            _ => Kind::External,
        };
    }
    if url.starts_with("//") {
        return Kind::External;
    }
    if url.starts_with('/') || url.starts_with('\\') {
        return Kind::Bad("a root-absolute URL, which breaks under a base path and from file://");
    }
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    if path.is_empty() {
        return Kind::Internal(Target { path: from.to_string(), fragment: percent_decode(fragment) });
    }
    let mut parts: Vec<String> = from.split('/').map(str::to_string).collect();
    parts.pop();
    for seg in percent_decode(path).split('/') {
        match seg {
            ".." => {
                if parts.pop().is_none() {
                    return Kind::Bad("a URL that climbs out of the site");
                }
            }
            "." | "" => {}
            s => parts.push(s.to_string()),
        }
    }
    Kind::Internal(Target { path: parts.join("/"), fragment: percent_decode(fragment) })
}

/// Whether `path` is a raw file of a version: `v/{version}/files/…`.
fn is_raw_file(path: &str) -> bool {
    let mut parts = path.splitn(4, '/');
    parts.next() == Some("v") && parts.next().is_some() && parts.next() == Some("files")
}

impl<'a> LinkCheck<'a> {
    /// A link check that passes every file on to `inner`; with `None`, raw
    /// files are only checked to be readable and nothing is written.
    pub fn new(inner: Option<&'a dyn Sink>) -> Self {
        LinkCheck { inner, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, path: &str) {
        let mut state = self.state();
        let message = if !state.files.insert(path.to_string()) {
            format!("{path} is written twice; the second copy wins")
        } else {
            match state.lowercase.entry(path.to_lowercase()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(path.to_string());
                    return;
                }
                // Raw files that clash are reported on the input.
                std::collections::hash_map::Entry::Occupied(_) if is_raw_file(path) => return,
                std::collections::hash_map::Entry::Occupied(other) => format!(
                    "{path} and {} differ only in case; on a case-insensitive file system one replaces the other",
                    other.get()
                ),
            }
        };
        let d = Diagnostic::new(Severity::Error, "path-clash", format!("{SITE_PREFIX}{path}"), message);
        state.clashes.push(d);
    }

    /// The problems found: clashing paths, bad URLs, and links to a file
    /// or fragment the site does not have. Each target is named once, at the
    /// first page (in path order) that links to it.
    pub fn problems(&self) -> Vec<Diagnostic> {
        let state = self.state();
        let mut out = state.clashes.clone();
        let times = |n: usize| {
            if n > 1 { format!(" ({} like it)", crate::util::html::counted(n, "link")) } else { String::new() }
        };
        for ((_, why), seen) in &state.bad {
            out.push(located(
                seen,
                Severity::Error,
                "bad-link",
                format!("links to {}: {why}{}", seen.url, times(seen.count)),
            ));
        }
        for (target, seen) in &state.wanted {
            if !state.files.contains(&target.path) {
                let message = match state.lowercase.get(&target.path.to_lowercase()) {
                    Some(found) => format!(
                        "links to {} but the site has {found}: only a case-insensitive file system finds it",
                        target.path
                    ),
                    None if is_raw_file(&target.path) => format!(
                        "links to {} ({}), a file the version does not have or that could not be published{}",
                        seen.url,
                        target.path,
                        times(seen.count)
                    ),
                    None => format!(
                        "links to {} ({}), a file the site does not have{}",
                        seen.url,
                        target.path,
                        times(seen.count)
                    ),
                };
                let severity = if is_raw_file(&target.path) { Severity::Warning } else { Severity::Error };
                out.push(located(seen, severity, "broken-link", message));
                continue;
            }
            // Fragments are checked on the pages the site renders, not in raw files.
            let Some(ids) = state.ids.get(&target.path) else { continue };
            if !target.fragment.is_empty() && !ids.contains(&id_hash(&target.fragment)) {
                let message = format!(
                    "links to {}, but {} has no element with id \"{}\"{}",
                    seen.url,
                    target.path,
                    target.fragment,
                    times(seen.count)
                );
                out.push(located(seen, Severity::Error, "broken-link", message));
            }
        }
        out
    }
}

fn located(seen: &Seen, severity: Severity, code: &'static str, message: String) -> Diagnostic {
    let (page, line, column) = &seen.at;
    Diagnostic::new(severity, code, format!("{SITE_PREFIX}{page}"), message).at(*line, *column)
}

impl Sink for LinkCheck<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        if let Some(inner) = self.inner {
            inner.write(path, bytes)?;
        }
        self.record(path);
        if !path.ends_with(".html") {
            return Ok(());
        }
        let page = read_page(&String::from_utf8_lossy(bytes));
        let mut state = self.state();
        state.ids.insert(path.to_string(), page.ids);
        for (url, line, column) in page.links {
            let at = (path.to_string(), line, column);
            match classify(path, &url) {
                Kind::External => {}
                Kind::Bad(why) => {
                    let key = (url.clone(), why.to_string());
                    state
                        .bad
                        .entry(key)
                        .or_insert_with(|| Seen { at: at.clone(), url: url.clone(), count: 0 })
                        .add(at, &url);
                }
                Kind::Internal(target) => {
                    state
                        .wanted
                        .entry(target)
                        .or_insert_with(|| Seen { at: at.clone(), url: url.clone(), count: 0 })
                        .add(at, &url);
                }
            }
        }
        Ok(())
    }

    fn raw(&self, path: &str, from: &Location) -> Result<()> {
        match (self.inner, from) {
            (Some(inner), _) => inner.raw(path, from)?,
            (None, Location::Disk(p)) => {
                std::fs::File::open(p)?;
            }
            // Listed a moment ago: a check asks the bucket nothing more.
            (None, Location::Object(_)) => {}
        }
        self.record(path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str, fragment: &str) -> Kind {
        Kind::Internal(Target { path: path.into(), fragment: fragment.into() })
    }

    #[test]
    fn classifies_urls() {
        let from = "v/x/a/y/index.html";
        assert_eq!(classify(from, "../../index.html"), target("v/x/index.html", ""));
        assert_eq!(classify(from, "../../files/a%20b.png"), target("v/x/files/a b.png", ""));
        assert_eq!(classify(from, "#p/a~20b"), target(from, "p/a~20b"));
        assert_eq!(classify(from, "../../../../search/index.html?q=x"), target("search/index.html", ""));
        assert_eq!(classify(from, "https://example.org/"), Kind::External);
        assert_eq!(classify(from, "mailto:a@b"), Kind::External);
        assert_eq!(classify(from, "//cdn.example/x.js"), Kind::External);
        for bad in [" JavaScript:alert(1)", "\tjavascript:x", "data:text/html,x", "vbscript:x"] {
            assert_eq!(classify(from, bad), Kind::Bad("a script URL"), "{bad}");
        }
        assert!(matches!(classify(from, "/etc/passwd"), Kind::Bad(_)));
        assert!(matches!(classify(from, "../../../../../x"), Kind::Bad(_)));
        assert_eq!(classify(from, "a:b/../c"), Kind::External, "a colon before any slash is a scheme");
        assert_eq!(classify(from, "./x:y"), target("v/x/a/y/x:y", ""));
    }

    #[test]
    fn finds_broken_links_fragments_and_clashes() {
        let check = LinkCheck::new(None);
        let page = "<a href=\"b.html#there\">b</a>\n<a href=\"b.html#nowhere\">b</a> <img src=\"gone.png\">\n<a href=\"v/x/files/gone.csv\">raw</a><a href=\"javascript:alert(1)\">x</a>";
        check.write("a.html", page.as_bytes()).unwrap();
        check.write("b.html", b"").unwrap();
        check.write("b.html", b"<p id=\"there\">").unwrap();
        check.write("B.html", b"").unwrap();
        check.raw("v/x/files/A.csv", &Location::disk("/")).unwrap();
        check.raw("v/x/files/a.csv", &Location::disk("/")).unwrap();
        let mut problems = check.problems();
        problems.sort();
        let seen: Vec<(&str, &str, Option<u32>, Severity)> =
            problems.iter().map(|d| (d.code, d.path.as_str(), d.line, d.severity)).collect();
        assert_eq!(
            seen,
            [
                ("path-clash", "(site)/B.html", None, Severity::Error),
                ("broken-link", "(site)/a.html", Some(2), Severity::Error),
                ("broken-link", "(site)/a.html", Some(2), Severity::Error),
                ("broken-link", "(site)/a.html", Some(3), Severity::Warning),
                ("bad-link", "(site)/a.html", Some(3), Severity::Error),
                ("path-clash", "(site)/b.html", None, Severity::Error),
            ],
            "{problems:#?}"
        );
    }
}
