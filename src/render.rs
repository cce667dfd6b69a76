//! Templates: loading the theme into tera and rendering pages with it.
//!
//! The default theme is compiled into the binary, so a site needs no theme
//! folder to build.

use crate::html;
use anyhow::{Context as _, Result};

/// A built-in theme: its templates and static files, compiled in.
pub struct Theme {
    /// Templates by name.
    pub templates: &'static [(&'static str, &'static str)],
    /// Static files by path under `static/`.
    pub statics: &'static [(&'static str, &'static [u8])],
}

/// The default theme, from `themes/default/`.
pub const DEFAULT_THEME: Theme = Theme {
    templates: &[
        ("base.html", include_str!("../themes/default/templates/base.html")),
        ("macros.html", include_str!("../themes/default/templates/macros.html")),
        ("home.html", include_str!("../themes/default/templates/home.html")),
        ("latest.html", include_str!("../themes/default/templates/latest.html")),
        ("404.html", include_str!("../themes/default/templates/404.html")),
        ("problems.html", include_str!("../themes/default/templates/problems.html")),
        ("version.html", include_str!("../themes/default/templates/version.html")),
        ("artifacts.html", include_str!("../themes/default/templates/artifacts.html")),
        ("artifact.html", include_str!("../themes/default/templates/artifact.html")),
        ("stage.html", include_str!("../themes/default/templates/stage.html")),
        ("etl.html", include_str!("../themes/default/templates/etl.html")),
        ("eda.html", include_str!("../themes/default/templates/eda.html")),
        ("trends.html", include_str!("../themes/default/templates/trends.html")),
        ("quality.html", include_str!("../themes/default/templates/quality.html")),
        ("compare.html", include_str!("../themes/default/templates/compare.html")),
        ("search.html", include_str!("../themes/default/templates/search.html")),
    ],
    statics: &[
        ("style.css", include_bytes!("../themes/default/static/style.css")),
        ("search.js", include_bytes!("../themes/default/static/search.js")),
        ("tables.js", include_bytes!("../themes/default/static/tables.js")),
    ],
};

/// Compiles a theme's templates.
pub fn engine(theme: &Theme) -> Result<tera::Tera> {
    let mut tera = tera::Tera::new();
    tera.set_escape_fn(html::escape_to);
    tera.register_filter("slug", |s: &str, _: tera::Kwargs, _: &tera::State| crate::paths::slug(s));
    tera.register_filter("count", |n: u64, _: tera::Kwargs, _: &tera::State| html::number(n as f64, 0));
    tera.register_filter("bytes", |n: u64, _: tera::Kwargs, _: &tera::State| html::bytes(n));
    tera.add_raw_templates(theme.templates.iter().copied()).context("compiling the theme's templates")?;
    Ok(tera)
}

/// Renders one template, with the template's name in the error.
pub fn render(tera: &tera::Tera, template: &str, ctx: &tera::Context) -> Result<String> {
    tera.render(template, ctx).map_err(|e| anyhow::anyhow!("template {template}: {}", error_chain(&e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
