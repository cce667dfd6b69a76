//! Theme layers: block and static overrides, ejected themes, branding by
//! config, template errors, and both built-in themes.

use crate::util::*;
use artsite::config::Config;
use std::fs;
use std::path::{Path, PathBuf};

fn build(
    site_dir: &Path,
    out: &Path,
    adjust: impl FnOnce(&mut Config),
) -> anyhow::Result<artsite::commands::build::Report> {
    let mut config =
        Config { root: examples_root(), out: out.to_path_buf(), site_dir: site_dir.to_path_buf(), ..Config::default() };
    adjust(&mut config);
    artsite::commands::build::build(&config)
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    fs::create_dir(&dir).unwrap();
    (tmp, dir)
}

const FOOTER: &str = "Built with artsite from the pipeline's artifact folders.";

#[test]
fn a_block_and_a_static_override_change_exactly_that() {
    let (tmp, dir) = site();
    build(&dir, &tmp.path().join("plain"), |_| {}).unwrap();
    fs::create_dir_all(dir.join("templates")).unwrap();
    fs::write(
        dir.join("templates/base.html"),
        "{% extends \"theme/base.html\" %}{% block footer %}Owned by the Data Platform team.{% endblock footer %}",
    )
    .unwrap();
    fs::create_dir_all(dir.join("static")).unwrap();
    fs::write(dir.join("static/tables.js"), "// our own table behaviour\n").unwrap();
    build(&dir, &tmp.path().join("custom"), |_| {}).unwrap();

    let plain = snapshot(&tmp.path().join("plain"));
    let custom = snapshot(&tmp.path().join("custom"));
    assert_eq!(plain.keys().collect::<Vec<_>>(), custom.keys().collect::<Vec<_>>());
    let mut pages = 0;
    for (path, bytes) in &plain {
        let theirs = &custom[path];
        if path == "static/tables.js" {
            assert_eq!(theirs, b"// our own table behaviour\n");
        } else if path.ends_with(".html") && !path.contains("/files/") && path != "view.html" {
            // Every page but the report viewer, which is all frame, has the footer.
            let expected = String::from_utf8_lossy(bytes).replace(FOOTER, "Owned by the Data Platform team.");
            assert!(expected != String::from_utf8_lossy(bytes), "{path} has the theme footer");
            assert_eq!(String::from_utf8_lossy(theirs), expected, "{path}: only the footer block differs");
            pages += 1;
        } else if path != ".artsite-output" {
            assert!(bytes == theirs, "{path} differs");
        }
    }
    assert!(pages > 200);
}

#[test]
fn an_ejected_theme_builds_the_same_site() {
    for theme in ["default", "compact"] {
        let (tmp, dir) = site();
        build(&dir, &tmp.path().join("builtin"), |c| c.theme = theme.into()).unwrap();
        let n = artsite::theme::eject(&dir, theme, &artsite::theme::site_theme_dir(&dir, theme)).unwrap();
        assert!(n > 10, "{theme}: {n} files ejected");
        build(&dir, &tmp.path().join("ejected"), |c| c.theme = theme.into()).unwrap();
        let (a, b) = (snapshot(&tmp.path().join("builtin")), snapshot(&tmp.path().join("ejected")));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{theme}");
        for (path, bytes) in &a {
            assert!(path == ".artsite-output" || bytes == &b[path], "{theme}: {path} differs after ejecting");
        }
        let again = artsite::theme::eject(&dir, theme, &artsite::theme::site_theme_dir(&dir, theme));
        assert!(again.unwrap_err().to_string().contains("not empty"), "eject never overwrites");
    }
}

#[test]
fn both_built_in_themes_build_the_example_without_broken_links() {
    for theme in ["default", "compact"] {
        let (tmp, dir) = site();
        let out = tmp.path().join("out");
        build(&dir, &out, |c| c.theme = theme.into()).unwrap();
        let broken = broken_links(&out);
        assert!(broken.is_empty(), "{theme}: {}", broken.join("\n"));
        let home = fs::read_to_string(out.join("index.html")).unwrap();
        assert_eq!(home.contains("static/compact.css"), theme == "compact");
    }
}

#[test]
fn branding_by_config_alone() {
    let (tmp, dir) = site();
    fs::write(dir.join("logo.png"), TINY_PNG).unwrap();
    let out = tmp.path().join("out");
    build(&dir, &out, |c| {
        c.title = "Keystroke QA".into();
        c.logo = Some(dir.join("logo.png"));
        c.colors.brand = Some("#7b2cbf".into());
        c.colors_dark.brand = Some("#c77dff".into());
        c.fonts.text = Some("Inter, system-ui, sans-serif".into());
        c.extra.insert("team".into(), "Data Platform".into());
    })
    .unwrap();
    let css = fs::read_to_string(out.join("static/site.css")).unwrap();
    assert!(css.contains("--brand: #7b2cbf;") && css.contains("--font: Inter, system-ui, sans-serif;"));
    assert!(css.contains("@media (prefers-color-scheme: dark) { :root { --brand: #c77dff; } }"));
    assert_eq!(fs::read(out.join("static/logo.png")).unwrap(), TINY_PNG);
    let page = fs::read_to_string(out.join("v/baseline/index.html")).unwrap();
    assert!(page.contains("<img src=\"../../static/logo.png\"") && page.contains("Keystroke QA"));
    assert!(page.contains("static/site.css"));

    let e = Config::from_yaml("colors:\n  brand: \"red; }\"\n").unwrap_err();
    assert!(e.contains("brand") && e.contains("not a CSS value"), "{e}");
    let e = Config::from_yaml("colors:\n  brnad: red\n").unwrap_err();
    assert!(e.contains("brnad"), "{e}");
}

#[test]
fn a_template_typo_names_the_template_line_and_nearest_variable() {
    let (tmp, dir) = site();
    fs::create_dir_all(dir.join("templates")).unwrap();
    fs::write(
        dir.join("templates/version.html"),
        "{% extends \"theme/version.html\" %}\n{% block content %}\n<p>{{ verison.id }}</p>\n{% endblock content %}\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let e = format!("{:#}", build(&dir, &out, |_| {}).unwrap_err());
    assert!(e.contains("version.html"), "{e}");
    assert!(e.contains("version.html:3:"), "names the line: {e}");
    assert!(e.contains("`verison` is not defined") && e.contains("did you mean `version`?"), "{e}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn unknown_themes_and_variables_are_clear_errors() {
    let (tmp, dir) = site();
    let e = build(&dir, &tmp.path().join("o"), |c| c.theme = "fancy".into()).unwrap_err().to_string();
    assert!(e.contains("unknown theme `fancy`") && e.contains("default, compact"), "{e}");
    let e = build(&dir, &tmp.path().join("o"), |c| {
        c.theme_variables.insert("show_sparkline".into(), true.into());
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("no variable `show_sparkline`") && e.contains("show_sparklines"), "{e}");
}

#[test]
fn a_custom_content_type_renders_with_its_schema_titles() {
    let t = Tree::new();
    small_version(&t, "v1");
    t.json("v1/models/churn.json", serde_json::json!({"auc": 0.91, "owner": "ml-team", "training": {"rows": 120000}}));
    let dir = t.tmp.path().to_path_buf();
    fs::write(
        dir.join("model_card.schema.json"),
        serde_json::to_vec(&serde_json::json!({
            "title": "Model card",
            "description": "What a trained model is and how well it does.",
            "type": "object",
            "properties": {
                "auc": {"title": "Area under the ROC curve", "description": "0 to 1, higher is better", "type": "number"},
                "owner": {"title": "Owning team", "type": "string"},
                "training": {"title": "Training data", "type": "object",
                             "properties": {"rows": {"title": "Training rows", "type": "integer"}}},
                "license": {"title": "Licence", "type": "string"}
            }
        }))
        .unwrap(),
    )
    .unwrap();
    fs::write(
        dir.join("artsite.yaml"),
        "content_types:\n  - name: model_card\n    schema: model_card.schema.json\n    match: \"models/*.json\"\n",
    )
    .unwrap();
    let config = Config::from_file(&dir.join("artsite.yaml")).unwrap();
    artsite::commands::build::build(&config).unwrap();
    let page = fs::read_to_string(t.out().join("v/v1/c/model-card/models/churn/index.html")).unwrap();
    let text = parse_page(&page).text;
    for expected in
        ["Model card", "Area under the ROC curve", "0.91", "Owning team", "ml-team", "Training rows", "120000"]
    {
        assert!(text.contains(expected), "{expected} missing");
    }
    assert!(text.contains("Licence") && text.contains("not in this file"), "absent fields say so");
    let artifact = fs::read_to_string(t.out().join("v/v1/a/other--churn.html")).unwrap();
    assert!(artifact.contains("c/model-card/models/churn/index.html"), "the artifact page links the labelled view");
    assert!(broken_links(&t.out()).is_empty());

    fs::write(
        dir.join("artsite.yaml"),
        "content_types:\n  - name: x\n    schema: missing.json\n    match: \"*.json\"\n",
    )
    .unwrap();
    let e = artsite::commands::build::build(&Config::from_file(&dir.join("artsite.yaml")).unwrap()).unwrap_err();
    assert!(format!("{e:#}").contains("content type `x`: cannot read schema"), "{e:#}");
}
