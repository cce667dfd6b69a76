//! Whether a theme shows, on the pages of a version, what every new run
//! changes: the number of versions (`site.version_count`) or the newest one
//! (`site.latest`); and whether it shows later runs there (the `switcher`,
//! `next_version`, an artifact's `next`), which a new run next to a version
//! changes. The pages of versions a change did not touch are only left as
//! they are when it does not (see [`crate::plan::select`]).
//!
//! Read from the templates' text, erring towards yes: `site` passed on
//! whole, the whole context (`__tera_context`), or a template the version
//! pages reach that cannot be told apart from one that names them, all count.

use crate::theme::Theme;
use std::collections::{HashMap, HashSet};

/// Templates only site-level pages render, which every build renders again.
const SITE_PAGE_TEMPLATES: [&str; 7] =
    ["home.html", "latest.html", "problems.html", "404.html", "trends.html", "search.html", "view.html"];

/// The fields of `site` that change with the set of versions.
const RUN_GLOBALS: [&str; 2] = ["version_count", "latest"];

/// The variables of the version pages that show later runs.
const LATER_RUNS: [&str; 2] = ["switcher", "next_version"];

/// Whether a template the pages of a version may render (every template but
/// the site pages', and all they extend, include or import) names a run global.
pub(crate) fn names_run_globals(theme: &Theme) -> bool {
    version_pages_name(theme, names_globals)
}

/// Whether a template the pages of a version may render names what shows
/// later runs: [`LATER_RUNS`], a field `next` (an artifact's next run), or
/// the whole context.
pub(crate) fn names_later_runs(theme: &Theme) -> bool {
    version_pages_name(theme, names_later)
}

/// Whether a template the pages of a version may render says what `names`
/// finds in a template's text.
fn version_pages_name(theme: &Theme, names: fn(&str) -> bool) -> bool {
    let mut uses: HashMap<&str, (bool, Vec<&str>)> = HashMap::new();
    for (name, text) in &theme.templates {
        let entry = uses.entry(layerless(name)).or_default();
        entry.0 |= names(text);
        entry.1.extend(references(text).into_iter().map(layerless));
    }
    let mut pending: Vec<&str> = uses.keys().copied().filter(|n| !SITE_PAGE_TEMPLATES.contains(n)).collect();
    let mut seen: HashSet<&str> = pending.iter().copied().collect();
    while let Some(name) = pending.pop() {
        let Some((names, refs)) = uses.get(name) else { continue };
        if *names {
            return true;
        }
        pending.extend(refs.iter().copied().filter(|r| seen.insert(r)));
    }
    false
}

/// A template's name without the layer prefix tera falls back through.
fn layerless(name: &str) -> &str {
    name.strip_prefix("theme/").or_else(|| name.strip_prefix("builtin/")).unwrap_or(name)
}

/// The code of each tag of `text`: what `{{ }}` and `{% %}` hold, comments
/// left out.
fn tags(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find('{')?;
            let close = match rest.as_bytes().get(at + 1) {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                Some(b'#') => "#}",
                _ => {
                    rest = &rest[at + 1..];
                    continue;
                }
            };
            let body = &rest[at + 2..];
            let end = body.find(close).unwrap_or(body.len());
            rest = &body[(end + 2).min(body.len())..];
            if close != "#}" {
                return Some(&body[..end]);
            }
        }
    })
}

/// Whether the code of `text`'s tags names a run global, `site` whole, or
/// the whole context.
fn names_globals(text: &str) -> bool {
    tags(text).any(|code| {
        code.contains("__tera_context") || site_fields(code).any(|f| f.is_none_or(|f| RUN_GLOBALS.contains(&f)))
    })
}

/// Whether the code of `text`'s tags names a variable of [`LATER_RUNS`], a
/// field `next`, or the whole context.
fn names_later(text: &str) -> bool {
    tags(text).any(|code| {
        code.contains("__tera_context")
            || LATER_RUNS.iter().any(|name| uses(code, name, |before| before != Some('.')))
            || uses(code, "next", |before| matches!(before, Some('.' | '"' | '\'')))
    })
}

/// Whether `code` holds `name` as a whole identifier whose preceding
/// character passes `before`.
fn uses(code: &str, name: &str, before: impl Fn(Option<char>) -> bool) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| {
        let prev = code[..at].chars().next_back();
        !prev.is_some_and(ident) && before(prev) && !code[at + name.len()..].chars().next().is_some_and(ident)
    })
}

/// Each use of the variable `site` in `code`: the field it reads, or `None`
/// when it is used whole.
fn site_fields(code: &str) -> impl Iterator<Item = Option<&str>> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices("site").filter_map(move |(at, _)| {
        let before = code[..at].chars().next_back();
        let after = &code[at + 4..];
        if before.is_some_and(|c| ident(c) || c == '.') || after.chars().next().is_some_and(ident) {
            return None;
        }
        let field = after.strip_prefix('.').map(|f| &f[..f.find(|c: char| !ident(c)).unwrap_or(f.len())]);
        Some(field.filter(|f| !f.is_empty()))
    })
}

/// The templates `text` extends, includes or imports: every quoted name in
/// those tags.
fn references(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for code in tags(text) {
        let code = code.trim_start_matches(['-', ' ', '\t', '\n', '\r']);
        if !["extends", "include", "import"].iter().any(|k| code.starts_with(k)) {
            continue;
        }
        let mut parts = code.split(['"', '\'']);
        parts.next();
        names.extend(parts.step_by(2));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(templates: &[(&str, &str)]) -> Theme {
        let mut theme =
            Theme::load(std::path::Path::new("."), "default", &Default::default()).expect("the default theme");
        theme.templates = templates.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        theme
    }

    #[test]
    fn the_bundled_themes_name_no_run_global_and_no_later_run_on_version_pages() {
        for name in ["default", "compact"] {
            let theme = Theme::load(std::path::Path::new("."), name, &Default::default()).expect("a bundled theme");
            assert!(!names_run_globals(&theme), "{name}");
            assert!(!names_later_runs(&theme), "{name}: the switcher and next links are drawn by nav.js");
        }
    }

    #[test]
    fn later_runs_count_where_version_pages_reach_them() {
        let uses = |t: &str| names_later_runs(&theme(&[("artifact.html", t)]));
        assert!(uses("{% for s in switcher %}{{ s.label }}{% endfor %}"));
        assert!(uses("{% if next_version %}{{ next_version.id }}{% endif %}"));
        assert!(uses("{{ artifact.next.href }}"));
        assert!(uses("{% set a = artifact %}{{ a.next.label }}"));
        assert!(uses("{{ artifact[\"next\"] }}"));
        assert!(uses("{{ __tera_context }}"));
        assert!(!uses("{{ prev_version.id }} {{ my_switcher }} {{ a.next_step }} the next run {# switcher #}"));
        assert!(!names_later_runs(&theme(&[("home.html", "{{ switcher }}"), ("artifact.html", "x")])));
    }

    #[test]
    fn a_run_global_counts_where_version_pages_reach_it() {
        let base = "<nav>{% block nav %}{% endblock %}</nav>";
        let uses = |t: &str| names_run_globals(&theme(&[("base.html", base), ("artifact.html", t)]));
        assert!(uses("{{ site.latest }}"));
        assert!(uses("{% if site.version_count > 1 %}x{% endif %}"));
        assert!(uses("{{ site | json_encode }}"));
        assert!(uses("{% set s = site %}{{ s.title }}"));
        assert!(uses("{{ __tera_context }}"));
        assert!(!uses("{{ site.title }} {{ my_site.latest }} {{ page.site }} the site's latest run"));
        assert!(!uses("{# site.latest #}{{ site.base_url }}"));
        // Through a template it extends, includes or imports, by any layer's name.
        let nav = [("theme/nav.html", "{{ site.latest }}"), ("artifact.html", "{% include \"nav.html\" %}")];
        assert!(names_run_globals(&theme(&nav)));
        // Only site pages, which every build renders, show it.
        assert!(!names_run_globals(&theme(&[("home.html", "{{ site.version_count }}"), ("artifact.html", "x")])));
        let via_home = [("home.html", "{{ site.latest }}"), ("artifact.html", "{% include 'home.html' %}")];
        assert!(names_run_globals(&theme(&via_home)));
    }
}
