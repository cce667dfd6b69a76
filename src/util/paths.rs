//! Names turned into safe, stable output paths, URLs and fragment ids.
//!
//! Everything here is pure: the same input always gives the same path, on every
//! machine, so permalinks survive rebuilds.

/// FNV-1a, 32 bits: a tiny, stable hash to keep lossy slugs unique.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

const MAX_SEGMENT: usize = 80;

/// A lowercase ASCII slug (`a-z`, `0-9`, `-`) for a free-form name.
///
/// Names that lose information on the way (non-ASCII letters, an empty result,
/// a cut at 80 characters) get a short hash of the original appended, so two
/// different names do not share a slug by accident.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut lossy = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else {
            if !c.is_ascii() {
                lossy = true;
            }
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > MAX_SEGMENT {
        out.truncate(MAX_SEGMENT);
        lossy = true;
    }
    if out.is_empty() || lossy {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&format!("{:08x}", fnv1a(name)));
    }
    out
}

/// A path segment that keeps a readable name as it is when it is already safe
/// (`A-Z a-z 0-9 . _ -`, not `.` or `..`, at most 80 bytes), and otherwise
/// falls back to [`slug`]. Used for version folders and ETL file paths.
pub fn segment(name: &str) -> String {
    let safe = !name.is_empty()
        && name.len() <= MAX_SEGMENT
        && name != "."
        && name != ".."
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if safe { name.to_string() } else { slug(name) }
}

/// Hands out distinct names: a name as it is while it is free, else the
/// first free `name-2`, `name-3`…. Names are compared ignoring case, as
/// case-insensitive file systems (macOS, Windows) compare them, so that a
/// site built on Linux keeps every page when copied there.
#[derive(Debug, Default)]
pub struct Unique {
    taken: std::collections::HashSet<String>,
}

impl Unique {
    /// A name for `base` that no earlier claim has; claims it.
    pub fn claim(&mut self, base: &str) -> String {
        let mut candidate = base.to_string();
        let mut n = 2;
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

/// Percent-encodes a `/`-separated relative path for use in an `href` or `src`.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a link by path starts from a root rather than from its page's
/// folder: `/`, `\`, a drive (`C:`) or a `file:` URL.
pub fn rooted(href: &str) -> bool {
    href.starts_with(['/', '\\'])
        || href.split_once(':').is_some_and(|(s, _)| s.len() == 1 || s.eq_ignore_ascii_case("file"))
}

/// The path inside a version folder that the relative URL `url`, written
/// in a file of folder `dir`, names: percent-decoded, without its query or
/// fragment. `None` when it climbs out of the version folder or names the
/// folder itself.
pub fn join_relative(dir: &str, url: &str) -> Option<String> {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let mut parts: Vec<String> = dir.split('/').filter(|p| !p.is_empty()).map(str::to_string).collect();
    for seg in percent_decode(&url[..end]).split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s.to_string()),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Decodes `%XX` escapes; malformed ones and bytes that do not make UTF-8
/// are kept as they are (the latter as U+FFFD).
pub fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&unescape(s).0).into_owned()
}

/// Decodes `%XX` escapes strictly: `None` when one is malformed or the
/// bytes do not make UTF-8.
pub fn percent_decode_strict(s: &str) -> Option<String> {
    let (bytes, clean) = unescape(s);
    clean.then(|| String::from_utf8(bytes).ok()).flatten()
}

/// The bytes `s` stands for, malformed escapes kept as they are, and whether
/// every escape was well formed.
fn unescape(s: &str) -> (Vec<u8>, bool) {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut clean = true;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match b.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                Some(&[hi, lo]) => {
                    out.push(hex(hi) << 4 | hex(lo));
                    i += 3;
                    continue;
                }
                _ => clean = false,
            }
        }
        out.push(b[i]);
        i += 1;
    }
    (out, clean)
}

/// The value of an ASCII hex digit.
fn hex(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        _ => (digit | 0x20) - b'a' + 10,
    }
}

/// The fragment id for a JSON pointer: `p` followed by the pointer, with bytes
/// outside `A-Z a-z 0-9 / _ . -` written as `~XX`. Valid as an HTML id and as
/// a URL fragment without further escaping.
pub fn pointer_id(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + 1);
    out.push('p');
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'.' | b'-') {
            out.push(b as char);
        } else {
            out.push_str(&format!("~{b:02X}"));
        }
    }
    out
}

/// Appends one key or index to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The `../` prefix that leads from a page at `page_path` (e.g.
/// `v/x/index.html`) back to the site root.
pub fn root_prefix(page_path: &str) -> String {
    "../".repeat(page_path.matches('/').count())
}

/// Whether `href` is an absolute web URL (`http://`, `https://`) rather
/// than a path.
pub fn is_web_url(href: &str) -> bool {
    let lower = |n: usize| href.get(..n).map(str::to_ascii_lowercase);
    lower(7).as_deref() == Some("http://") || lower(8).as_deref() == Some("https://")
}

/// The URL schemes of the object stores an artifacts root may be in.
pub const BUCKET_SCHEMES: [&str; 7] = ["s3", "s3a", "gs", "az", "azure", "abfs", "abfss"];

/// Whether `root` names a bucket (`s3://bucket/prefix/`, `gs://`, `az://`)
/// rather than a folder.
pub fn is_bucket_url(root: &str) -> bool {
    BUCKET_SCHEMES.iter().any(|s| root.strip_prefix(s).is_some_and(|rest| rest.starts_with("://")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_are_told_from_site_paths() {
        assert!(is_web_url("https://cdn.example.org/runs/v1/a.csv"));
        assert!(is_web_url("HTTP://h/x"));
        assert!(!is_web_url("v/https/files/a.csv"));
        assert!(!is_web_url("http:/x"));
    }

    #[test]
    fn bucket_urls_are_told_from_folders() {
        assert!(is_bucket_url("s3://bucket/artifacts/"));
        assert!(is_bucket_url("gs://b"));
        assert!(is_bucket_url("az://container/p"));
        assert!(!is_bucket_url("artifacts"));
        assert!(!is_bucket_url("s3:/bucket"));
        assert!(!is_bucket_url("./s3://x"));
    }

    #[test]
    fn slugs_are_stable_and_distinct() {
        assert_eq!(slug("Cleaning Summary"), "cleaning-summary");
        assert_eq!(slug("features/hold_time"), "features-hold-time");
        assert_ne!(slug("hold time – Überblick"), slug("hold time – Uberblick"));
        assert!(slug("<script>").starts_with("script"));
        assert_eq!(slug(""), format!("{:08x}", fnv1a("")));
        assert!(slug(&"a".repeat(500)).len() <= MAX_SEGMENT + 9);
    }

    #[test]
    fn segments_keep_safe_names() {
        assert_eq!(segment("2024-03-01_09-00-00_ci-runner"), "2024-03-01_09-00-00_ci-runner");
        assert_eq!(segment(".."), slug(".."));
        assert_eq!(segment("a b"), slug("a b"));
    }

    #[test]
    fn unique_names_ignore_case() {
        let mut u = Unique::default();
        let got: Vec<String> = ["a", "A", "a-2", "b", "a"].iter().map(|n| u.claim(n)).collect();
        assert_eq!(got, ["a", "A-2", "a-2-2", "b", "a-3"]);
    }

    #[test]
    fn urls_and_ids_are_escaped() {
        assert_eq!(url_path("plots/a b?.png"), "plots/a%20b%3F.png");
        assert_eq!(percent_decode("plots/a%20b%3F.png%"), "plots/a b?.png%");
        assert_eq!(percent_decode("%zz%E2%80%93"), "%zz–");
        assert_eq!(percent_decode_strict("a%20b%E2%80%93").as_deref(), Some("a b–"));
        assert_eq!(percent_decode_strict("a%2"), None);
        assert_eq!(percent_decode_strict("%zz"), None);
        assert_eq!(percent_decode_strict("%FF"), None);
        assert_eq!(percent_decode_strict("%+1"), None);
        assert_eq!(percent_decode("%+1%4a%4A"), "%+1JJ");
        assert_eq!(pointer_id("/a b/0"), "p/a~20b/0");
        assert_eq!(pointer_push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(root_prefix("v/x/index.html"), "../../");
        assert_eq!(root_prefix("index.html"), "");
    }
}
