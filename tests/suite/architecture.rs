//! The folders of `src/` are its architecture, and this test keeps them so:
//! a module uses only modules of the layers below its own, and modules of its
//! own folder; no module uses one of a higher layer; and no modules use each
//! other in a circle, directly or through others.
//!
//! The graph is read from the source: every `crate::` path and `super::` path
//! in code (comments and unit tests are left out), and every use of a child
//! module a file declares, is an edge from the file's module to the module the
//! path names.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The layers, lowest first: a layer may use the ones before it.
const LAYERS: [&[&str]; 12] = [
    &["diagnostics", "util"],
    &["config"],
    &["input", "theme"],
    &["model"],
    &["load"],
    &["judge"],
    &["plan"],
    &["view"],
    &["output"],
    &["render"],
    &["commands"],
    &["serve"],
];

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap();
    LAYERS.iter().position(|l| l.contains(&top)).unwrap_or_else(|| panic!("src/{top} is in no layer of this test"))
}

/// Every module of the library (`a::b` for `src/a/b.rs` and `src/a/b/mod.rs`)
/// with the code of its file: comments and unit tests (from `#[cfg(test)]`
/// on, where `super` is the module itself) left out.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = p.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|l| l == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        let text = fs::read_to_string(p).unwrap();
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        out.insert(parts.join("::"), code);
    }
    out
}

/// The longest known module that `path` (segments) starts with.
fn resolve(path: &[&str], known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| known.contains_key(m))
}

/// Every segment path after `prefix` in `code`: `a::b::c` for `crate::a::b::c`;
/// a group (`crate::a::{b, c::d}`) gives one path per item (`a::b`, `a::c::d`).
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find(prefix) {
        let before = code[..at + i].chars().last();
        let rest = &code[at + i + prefix.len()..];
        at += i + prefix.len();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let path: Vec<&str> = rest[..end].split("::").filter(|s| !s.is_empty()).collect();
        match rest[end..].strip_prefix('{') {
            Some(group) => {
                for item in group_items(group) {
                    let head: Vec<&str> =
                        item.split("::").map(str::trim).filter(|s| !s.is_empty() && *s != "self").collect();
                    out.push(path.iter().copied().chain(head).collect());
                }
            }
            None => out.push(path),
        }
    }
    out
}

/// The items of a `{...}` group (its text after the `{`), nested groups cut
/// to the path before them.
fn group_items(group: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => {
                if depth == 0 {
                    items.push(&group[start..i]);
                }
                depth += 1;
            }
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => {
                depth -= 1;
                start = i + 1;
            }
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
        .into_iter()
        .map(|i| i.trim().trim_end_matches("::"))
        .filter(|i| !i.is_empty())
        .map(|i| i.split(" as ").next().unwrap())
        .collect()
}

/// The module graph: module -> the modules it uses.
fn graph(known: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in known {
        let mut uses = BTreeSet::new();
        for path in paths_after(code, "crate::") {
            uses.extend(resolve(&path, known));
        }
        let parent: Vec<&str> = module.split("::").collect();
        let parent = &parent[..parent.len() - 1];
        for path in paths_after(code, "super::") {
            // `super::super::x` climbs once more for each further `super`.
            let ups = path.iter().take_while(|s| **s == "super").count();
            let base = &parent[..parent.len().saturating_sub(ups)];
            let full: Vec<&str> = base.iter().copied().chain(path[ups..].iter().copied()).collect();
            uses.extend(resolve(&full, known));
        }
        // Children the file declares, used by name.
        for line in code.lines() {
            let decl = line.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            if let Some(child) = decl.strip_prefix("mod ").and_then(|c| c.strip_suffix(';'))
                && code.contains(&format!("{child}::"))
            {
                uses.insert(format!("{module}::{child}"));
            }
        }
        uses.remove(module);
        edges.insert(module.clone(), uses);
    }
    edges
}

#[test]
fn no_module_uses_a_higher_layer() {
    let known = modules();
    let mut upward = Vec::new();
    for (from, uses) in graph(&known) {
        for to in uses {
            let (a, b) = (layer(&from), layer(&to));
            let same_folder = from.split("::").next() == to.split("::").next();
            if b > a || (b == a && !same_folder) {
                upward.push(format!("{from} (layer {a}) uses {to} (layer {b})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that do not run down the layers:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_use_each_other_in_a_circle() {
    let known = modules();
    let edges = graph(&known);
    // Tarjan's strongly connected components, iteratively over the sorted graph.
    let names: Vec<&String> = edges.keys().collect();
    let index_of: BTreeMap<&String, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adj: Vec<Vec<usize>> =
        names.iter().map(|n| edges[*n].iter().filter_map(|t| index_of.get(t).copied()).collect()).collect();
    let circles = strongly_connected(&adj)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| c.iter().map(|&i| names[i].as_str()).collect::<Vec<_>>().join(" <-> "))
        .collect::<Vec<_>>();
    assert!(circles.is_empty(), "modules that use each other:\n{}", circles.join("\n"));
}

/// The strongly connected components of a graph given as adjacency lists.
fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, adj: &[Vec<usize>], s: &mut State) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &adj[v] {
            match s.index[w] {
                None => {
                    visit(w, adj, s);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(i) if s.on_stack[w] => s.low[v] = s.low[v].min(i),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = adj.len();
    let mut s = State {
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(v, adj, &mut s);
        }
    }
    s.out
}

#[test]
fn the_checker_sees_a_circle_and_an_upward_import() {
    // A small graph of its own: a -> b -> c -> a is one circle; d stands alone.
    let adj = vec![vec![1], vec![2], vec![0], vec![0]];
    let mut circles: Vec<Vec<usize>> = strongly_connected(&adj).into_iter().filter(|c| c.len() > 1).collect();
    circles[0].sort();
    assert_eq!(circles, [vec![0, 1, 2]]);
    let code = "use crate::view::common::{Link};\nfn f() { crate::model::Site::empty(); super::sibling::g(); }";
    let paths = paths_after(code, "crate::");
    assert_eq!(paths, [vec!["view", "common", "Link"], vec!["model", "Site", "empty"]]);
    let grouped = paths_after("use super::{problems, stage::{self, row}, delta as d};", "super::");
    assert_eq!(grouped, [vec!["problems"], vec!["stage"], vec!["delta"]]);
    assert!(layer("view::common") > layer("model"), "view is above model");
    let known: BTreeMap<String, String> =
        [("view", ""), ("view::etl", "super::super::input::etl::Kind"), ("input::etl", "")]
            .map(|(m, c)| (m.to_string(), c.to_string()))
            .into();
    assert_eq!(graph(&known)["view::etl"], BTreeSet::from(["input::etl".to_string()]), "each `super` climbs once");
}
