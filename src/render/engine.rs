//! Templates: loading the theme into tera and rendering pages with it.
//!
//! Themes come in layers (see [`crate::theme`]); the built-in default theme
//! is compiled into the binary, so a site needs no theme folder to build.

use crate::theme::Theme;
use crate::util::html;
use anyhow::Result;

/// Compiles a theme's templates, with its layers as fallback prefixes.
pub(crate) fn engine(theme: &Theme) -> Result<tera::Tera> {
    let mut tera = tera::Tera::new();
    tera.set_escape_fn(html::escape_to);
    tera.set_fallback_prefixes(["theme/", "builtin/"]).expect("no templates added yet");
    tera.register_filter("slug", |s: &str, _: tera::Kwargs, _: &tera::State| crate::util::paths::slug(s));
    tera.register_filter("count", |n: u64, _: tera::Kwargs, _: &tera::State| html::number(n as f64, 0));
    tera.register_filter("bytes", |n: u64, _: tera::Kwargs, _: &tera::State| html::bytes(n));
    tera.register_filter("link", |href: &str, _: tera::Kwargs, state: &tera::State| link(href, state));
    tera.add_raw_templates(theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| anyhow::anyhow!("compiling the theme's templates: {}", error_chain(&e)))?;
    Ok(tera)
}

/// A link from the page being rendered: a site path (`v/x/files/a.csv`)
/// led to from the page's `root`, an absolute URL (a raw file at
/// `raw_base_url`) as it is.
fn link(href: &str, state: &tera::State) -> String {
    if crate::util::paths::is_web_url(href) {
        return href.to_string();
    }
    let root: String = state.get("root").ok().flatten().unwrap_or_default();
    format!("{root}{href}")
}

/// Renders one template, with the template's name in the error.
pub(crate) fn render(tera: &tera::Tera, template: &str, ctx: &tera::Context) -> Result<String> {
    tera.render(template, ctx)
        .map_err(|e| anyhow::anyhow!("template {template}: {}", with_suggestion(&error_chain(&e))))
}

/// Adds "did you mean" to tera's message about an undefined variable, using
/// the list of available variables tera gives with it.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.split("Variable `").nth(1) else { return message.to_string() };
    let Some((name, after)) = rest.split_once("` is not defined.") else { return message.to_string() };
    let Some(list) = after.split("Available variables: ").nth(1) else { return message.to_string() };
    let known: Vec<&str> =
        list.lines().next().unwrap_or("").split(", ").map(str::trim).filter(|v| !v.is_empty()).collect();
    match crate::util::suggest::closest(name, &known) {
        Some(v) => format!("{message}\n  did you mean `{v}`?"),
        None => message.to_string(),
    }
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
