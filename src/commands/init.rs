//! `artsite init`: a new site's config and folders, with comments.

use anyhow::{Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

const CONFIG: &str = r##"# artsite.yaml: settings of this report site. Every key is optional.
# Paths are relative to this file. `artsite build` flags override these.

title: Pipeline reports          # shown in every page header
# description: Nightly runs of the keystroke ETL
root: artifacts                  # one folder per pipeline run
out: public                      # the built site; replaced on every build
# base_url: https://reports.example.org/etl/   # adds sitemap.xml
# footer: Data Platform team

# Look: a built-in theme (default, compact) or a folder themes/NAME/
# (`artsite theme eject NAME` copies one there to edit).
theme: default
# theme_variables:
#   show_sparklines: true
# logo: static-src/logo.svg
# favicon: static-src/favicon.png
# colors:                        # CSS colours for light mode
#   brand: "#7b2cbf"
#   accent: "#0f766e"
# colors_dark:                   # and for dark mode
#   brand: "#c77dff"
# fonts:
#   text: "Inter, system-ui, sans-serif"
# extra:                         # free values for your templates: {{ site.extra.team }}
#   team: Data Platform

# Previews (see README: Previews)
# preview_rows: 100
# preview_json_bytes: 1048576
# raw_files: copy                # or hardlink (no bytes copied; in-place rewrites change the site)
# raw_base_url: https://my-bucket.s3.amazonaws.com/artifacts/   # link raw files there instead (raw_files: link)
"##;

const TEMPLATES_README: &str = r#"Templates here override the theme's templates of the same name.

Override one block instead of copying a whole page, so theme upgrades still
reach you. For example, templates/home.html:

    {% extends "theme/home.html" %}
    {% block content %}<p class="lead">Owned by the Data Platform team.</p>{{ super() }}{% endblock content %}

`theme/NAME` is the chosen theme's template and `builtin/NAME` the built-in
default's. The variables each page gets are listed in docs/templates.md of
artsite's repository.
"#;

const STATIC_README: &str = r#"Files here are published under static/ and replace the theme's files of the
same name (for example static/site.css to add your own rules).
"#;

/// Creates `artsite.yaml`, `templates/` and `static/` in `dir`; refuses to
/// overwrite any file. Returns the files it created.
pub fn scaffold(dir: &Path) -> Result<Vec<PathBuf>> {
    let files = [
        (dir.join("artsite.yaml"), CONFIG),
        (dir.join("templates").join("README.txt"), TEMPLATES_README),
        (dir.join("static").join("README.txt"), STATIC_README),
    ];
    if let Some((existing, _)) = files.iter().find(|(p, _)| p.exists()) {
        bail!("{} already exists; artsite init never overwrites files", existing.display());
    }
    let mut created = Vec::new();
    for (path, text) in files {
        fs::create_dir_all(path.parent().expect("a file has a parent"))?;
        fs::write(&path, text)?;
        created.push(path);
    }
    Ok(created)
}
