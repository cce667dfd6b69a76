//! The search index: small JavaScript files the search page loads on demand.
//!
//! Loading the index as scripts (not `fetch`) keeps search working from
//! `file://`. The index is sharded so a first search stays small on big sites:
//! - `search/meta.js`: versions (id, page, index, first and end doc, verdict),
//!   stages, types, and which shards exist;
//! - `search/t-{xy}.js`: for every token starting with `xy`, the ids of the
//!   artifacts it occurs in (delta-encoded, base 36);
//! - `search/d-{n}.js`: artifacts `n*500 .. n*500+499` (name, stage, type,
//!   version, page, description, and the errors and warnings found in its
//!   file), newest version first.
//!
//! An artifact is found by the words of its name, stage, type, description,
//! run, file path and metadata keys, and by the codes and messages of the
//! problems found in its file (the first [`PROBLEMS_INDEXED`] of them). A
//! check that failed or warned is a doc of its run too (type `check`,
//! leading to the check's row on the run's page), found by its name,
//! status and message.
//!
//! A query loads the meta file, one token shard per query word, and the doc
//! shards of the hits it shows.

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Site;
use crate::model::verdict::Status;
use crate::plan;
use crate::util::html::script;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Artifacts per doc shard.
pub(crate) const DOCS_PER_SHARD: usize = 500;
const MAX_DESCRIPTION: usize = 120;
/// The problems of one file whose words are indexed.
pub(crate) const PROBLEMS_INDEXED: usize = 5;

/// One artifact in a doc shard: an array in the script.
type Doc<'a> = (&'a str, usize, usize, usize, String, String, [usize; 2]);

/// Lowercase words of at least two characters, split at anything that is not
/// a letter or digit; borrowed from `text` where it is lowercase ASCII.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(|w| {
        if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            Cow::Borrowed(w)
        } else {
            Cow::Owned(w.to_lowercase())
        }
    })
}

/// The shard a token lives in: its first two characters.
pub(crate) fn shard_of(token: &str) -> String {
    token.chars().take(2).map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Assigns each distinct string a small number, in order of first use.
#[derive(Default)]
struct Interner {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Interner {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// Docs and their posting lists: one run's, gathered on its own (runs in
/// parallel; stage and type numbers and doc ids count from 0 in the run), or
/// the whole index's, made by appending each run's in turn.
#[derive(Default)]
struct Gather<'a> {
    stages: Interner,
    types: Interner,
    docs: Vec<Doc<'a>>,
    postings: FxHashMap<String, Vec<usize>>,
}

impl<'a> Gather<'a> {
    /// Adds a doc found by `words`.
    fn add(&mut self, doc: Doc<'a>, mut words: Vec<Cow<'a, str>>) {
        let id = self.docs.len();
        self.docs.push(doc);
        words.sort_unstable();
        words.dedup();
        for w in words {
            match self.postings.get_mut(w.as_ref()) {
                Some(ids) => ids.push(id),
                None => {
                    self.postings.insert(w.into_owned(), vec![id]);
                }
            }
        }
    }

    /// Appends the docs of `run`, its numbers moved on to follow these.
    fn append(&mut self, run: Gather<'a>) {
        let first = self.docs.len();
        let stages: Vec<usize> = run.stages.list.iter().map(|s| self.stages.id(s)).collect();
        let types: Vec<usize> = run.types.list.iter().map(|t| self.types.id(t)).collect();
        self.docs.extend(run.docs.into_iter().map(|(name, si, ti, vi, page, description, counts)| {
            (name, stages[si], types[ti], vi, page, description, counts)
        }));
        for (token, ids) in run.postings {
            self.postings.entry(token).or_default().extend(ids.into_iter().map(|id| first + id));
        }
    }
}

/// `text` cut to [`MAX_DESCRIPTION`] characters, ending in `…` when cut.
fn short(text: &str) -> String {
    crate::input::preview::io::cap(text, MAX_DESCRIPTION - 1).0
}

/// `[errors, warnings]` among `found`.
fn counts(found: &[&Diagnostic]) -> [usize; 2] {
    let errors = found.iter().filter(|d| d.severity == Severity::Error).count();
    [errors, found.len() - errors]
}

/// The codes and words of the first [`PROBLEMS_INDEXED`] of `found`.
fn problem_words<'a>(found: &[&'a Diagnostic]) -> Vec<Cow<'a, str>> {
    let mut words = Vec::new();
    for d in found.iter().take(PROBLEMS_INDEXED) {
        words.push(Cow::Borrowed(d.code));
        words.extend(tokens(d.code).chain(tokens(&d.message)));
    }
    words
}

/// The artifacts of run `vi`, each found by its own words and its file's problems.
fn artifact_docs<'a>(g: &mut Gather<'a>, site: &'a Site, vi: usize, by_path: &ProblemsByPath<'a>) {
    let v = &site.versions[vi];
    for (ai, a) in v.artifacts.iter().enumerate() {
        let full = a.description.as_deref().unwrap_or("");
        let description = short(full);
        let (si, ti) = (g.stages.id(&a.stage), g.types.id(&a.artifact_type));
        let mut words: Vec<Cow<str>> = tokens(&a.name)
            .chain(tokens(&a.stage))
            .chain(tokens(&a.artifact_type))
            .chain(tokens(&v.id))
            .chain(tokens(a.file.as_deref().unwrap_or("")))
            .collect();
        // The words of the description as the search shows it: cut, when it is.
        match description == full {
            true => words.extend(tokens(full)),
            false => words.extend(tokens(&description).map(|w| Cow::Owned(w.into_owned()))),
        }
        if let Value::Object(m) = &a.metadata {
            words.extend(m.keys().flat_map(|k| tokens(k).chain(std::iter::once(Cow::Owned(k.to_lowercase())))));
        }
        let path = a.file.as_deref().map(|f| format!("{}/{f}", v.id));
        let found = path.and_then(|p| by_path.get(p.as_str())).cloned().unwrap_or_default();
        words.extend(problem_words(&found));
        g.add((&a.name, si, ti, vi, plan::artifact(v, ai), description, counts(&found)), words);
    }
}

/// The problems of run `vi` in files that are no artifact of it (its
/// manifest, the run's folder): one doc per file, of type `problem`, leading
/// to the run's problems.
fn problem_docs<'a>(g: &mut Gather<'a>, site: &'a Site, vi: usize, by_path: &ProblemsByPath<'a>) {
    let v = &site.versions[vi];
    let artifact_files: HashSet<String> =
        v.artifacts.iter().filter_map(|a| a.file.as_deref()).map(|f| format!("{}/{f}", v.id)).collect();
    let mut paths: Vec<&str> =
        by_path.keys().copied().filter(|p| !artifact_files.contains(*p) && v.owns_path(p)).collect();
    paths.sort_unstable();
    for path in paths {
        let found = &by_path[path];
        let rel = path.strip_prefix(v.id.as_str()).map(|r| r.trim_start_matches('/')).unwrap_or(path);
        let name = if rel.is_empty() { "run folder" } else { rel };
        let page = format!("{}#problems", plan::version(v));
        let message = short(&found[0].message);
        let words: Vec<Cow<str>> =
            tokens(rel).chain(tokens(&v.id)).chain([Cow::Borrowed("problem")]).chain(problem_words(found)).collect();
        let (si, ti) = (g.stages.id("run"), g.types.id("problem"));
        g.add((name, si, ti, vi, page, message, counts(found)), words);
    }
}

/// The checks of run `vi` that failed or warned, found by their name, status and message.
fn check_docs<'a>(g: &mut Gather<'a>, site: &'a Site, vi: usize) {
    let v = &site.versions[vi];
    for r in v.verdict.results.iter().filter(|r| matches!(r.status, Status::Warn | Status::Fail)) {
        let words: Vec<Cow<str>> = tokens(&r.name)
            .chain(tokens(&r.message))
            .chain(tokens(&r.summary))
            .chain(tokens(&r.id))
            .chain(tokens(&v.id))
            .chain([Cow::Borrowed("check"), Cow::Borrowed(r.status.word())])
            .collect();
        let message = short(&r.message);
        let counts = if r.status == Status::Fail { [1, 0] } else { [0, 1] };
        let page = format!("{}#check-{}", plan::version(v), r.id);
        let (si, ti) = (g.stages.id("run"), g.types.id("check"));
        g.add((&r.name, si, ti, vi, page, message, counts), words);
    }
}

/// The errors and warnings of the site by the path of their file.
type ProblemsByPath<'a> = HashMap<&'a str, Vec<&'a Diagnostic>>;

/// Every file of the index, as (path relative to the site root, bytes).
pub(crate) fn index(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut by_path = site.problems_by_path();
    for found in by_path.values_mut() {
        found.retain(|d| d.severity != Severity::Info);
    }
    by_path.retain(|_, found| !found.is_empty());
    let runs: Vec<Gather> = (0..site.versions.len())
        .into_par_iter()
        .rev()
        .map(|vi| {
            let mut g = Gather::default();
            artifact_docs(&mut g, site, vi, &by_path);
            problem_docs(&mut g, site, vi, &by_path);
            check_docs(&mut g, site, vi);
            g
        })
        .collect();
    let mut merged = Gather::default();
    let mut versions: Vec<Value> = Vec::new();
    for (run, (vi, v)) in runs.into_iter().zip(site.versions.iter().enumerate().rev()) {
        let first = merged.docs.len();
        merged.append(run);
        versions.push(json!([v.id, plan::version(v), vi, first, merged.docs.len(), v.verdict.status]));
    }
    let Gather { stages, types, docs, postings } = merged;
    let mut postings: Vec<(String, Vec<usize>)> = postings.into_iter().collect();
    postings.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut shards: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for (token, ids) in postings {
        let mut prev = 0;
        let encoded: Vec<String> = ids
            .iter()
            .map(|&id| {
                let d = base36(id - prev);
                prev = id;
                d
            })
            .collect();
        shards.entry(shard_of(&token)).or_default().insert(token, Value::String(encoded.join(".")));
    }
    let mut files = Vec::new();
    let meta = json!({
        "versions": versions,
        "stages": stages.list,
        "types": types.list,
        "docs": docs.len(),
        "per_shard": DOCS_PER_SHARD,
        "shards": shards.keys().collect::<Vec<_>>(),
    });
    files.push(("search/meta.js".to_string(), script("artsiteSearch.meta", "", &meta)));
    for (name, map) in shards {
        files.push((
            format!("search/t-{name}.js"),
            script("artsiteSearch.tokens", &format!("{name:?}, "), &Value::Object(map)),
        ));
    }
    for (n, chunk) in docs.chunks(DOCS_PER_SHARD).enumerate() {
        files.push((format!("search/d-{n}.js"), script("artsiteSearch.docs", &format!("{n}, "), chunk)));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_shards() {
        let t: Vec<Cow<str>> = tokens("cleaning_summary of Hold-Time 2024 ÜBER").collect();
        assert_eq!(t, ["cleaning", "summary", "of", "hold", "time", "2024", "über"]);
        assert!(matches!(t[0], Cow::Borrowed(_)) && matches!(t[3], Cow::Owned(_)));
        assert_eq!(shard_of("cleaning"), "cl");
        assert_eq!(shard_of("überblick"), "_b");
        assert_eq!(base36(0), "0");
        assert_eq!(base36(71), "1z");
    }
}
