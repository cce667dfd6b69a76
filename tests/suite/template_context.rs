//! docs/templates.md agrees with the contexts pages really get.

use artsite::commands::pipeline;
use artsite::config::Config;
use artsite::render::template_of;
use artsite::theme::Theme;
use artsite::view::{self, SiteIndex};
use std::collections::{BTreeMap, BTreeSet};

const VERSION_PAGES: [&str; 8] = [
    "content.html",
    "version.html",
    "artifacts.html",
    "artifact.html",
    "stage.html",
    "eda.html",
    "quality.html",
    "compare.html",
];

/// Documented paths per section title.
fn documented() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/templates.md")).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.to_string();
            out.entry(section.clone()).or_default();
        } else if let Some(row) = line.strip_prefix("| `") {
            let path = row.split('`').next().unwrap().to_string();
            out.get_mut(&section).expect("rows belong to a section").push(path);
        }
    }
    out
}

/// The paths documented for `template`.
fn paths_for(docs: &BTreeMap<String, Vec<String>>, template: &str) -> Vec<String> {
    let mut paths = docs["Every page"].clone();
    if VERSION_PAGES.contains(&template) {
        paths.extend(docs["Version pages"].clone());
    }
    for (title, p) in docs {
        if title.split(", ").any(|t| t.trim_matches('`') == template) {
            paths.extend(p.clone());
        }
    }
    paths
}

fn top(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap()
}

#[test]
fn every_page_gets_exactly_the_documented_variables() {
    // A content type, so content.html has a page too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("summary.schema.json"),
        include_str!("../../content-schema/cleaning_summary.schema.json"),
    )
    .unwrap();
    let declared = artsite::config::content::Declared {
        name: "summary".into(),
        schema: "summary.schema.json".into(),
        pattern: "etl_metadata/**/cleaning_summary.json".into(),
        template: None,
    };
    let config = Config { root: crate::util::examples_root(), ..Config::default() };
    let theme = Theme::builtin_default();
    let inputs = pipeline::read(&config).unwrap();
    let content_types = vec![artsite::input::content::ContentType::load(&declared, dir.path()).unwrap()];
    let mut site = pipeline::load(inputs.scan, content_types, &config);
    pipeline::judge(&mut site, &config);
    let index = SiteIndex::new(&site);
    let info = view::common::site_info(&site, &config, &theme);
    // A theme that shows later runs gets every documented variable.
    let scope = view::Scope { site: &site, index: &index, info: &info, config: &config, later_runs: true };
    let docs = documented();
    // The last page of each template: the newest version has the fullest data.
    let mut sample = BTreeMap::new();
    for page in artsite::plan::plan(&site) {
        sample.insert(template_of(page.kind), page);
    }
    assert_eq!(sample.len(), 15, "one sample of each page template");
    for (template, page) in sample {
        let preview = artsite::render::page_preview(&site, page.kind, &artsite::plan::previews(&config)).0;
        let ctx = view::page_context(&scope, page.kind, &page.path, preview.as_deref());
        let paths = paths_for(&docs, template);
        let documented_top: BTreeSet<&str> = paths.iter().map(|p| top(p)).collect();
        let actual: BTreeSet<&str> = ctx.keys().iter().copied().collect();
        assert_eq!(
            actual, documented_top,
            "{template} ({}): context variables and docs/templates.md differ",
            page.path
        );
        for path in &paths {
            // A list is checked as a whole; a field of its items on its first item.
            let expr = path.strip_suffix("[]").unwrap_or(path).replace("[]", "[0]");
            let probe = format!("{{% if {expr} is defined %}}yes{{% endif %}}");
            let rendered = tera::Tera::one_off(&probe, &ctx.tera, false).unwrap_or_else(|e| format!("error: {e}"));
            assert_eq!(rendered, "yes", "{template}: `{path}` is documented but not in the context of {}", page.path);
        }
    }
}
