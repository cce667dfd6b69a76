//! Page names: the URL segment of each version, artifact, stage and EDA
//! report.
//!
//! Names come from the input, so they are made URL-safe ([`segment`],
//! [`slug`]) and then unique ignoring case ([`Unique`]), so that a site built
//! on Linux keeps every page on a case-insensitive file system. Each clash is
//! resolved the same way on every build (`-2`, `-3`, in a stable order) and
//! reported.

use crate::diagnostics::{Diagnostic, Severity};
use crate::input::manifest;
use crate::model::{Artifact, EdaReport, Stage, Version};
use crate::util::paths::{Unique, segment, slug};

/// Gives each version, in order, its folder under `v/`.
pub(crate) fn version_slugs(versions: &mut [Version], problems: &mut Vec<Diagnostic>) {
    let mut names = Unique::default();
    for v in versions.iter_mut() {
        let base = segment(&v.id);
        let candidate = names.claim(&base);
        if candidate != base {
            problems.push(Diagnostic::new(
                Severity::Warning,
                "slug-collision",
                &v.id,
                format!("version folder name collides with another after making it URL-safe; its pages are under v/{candidate}/"),
            ));
        }
        v.slug = candidate;
    }
}

/// Gives each artifact, in order, its page name `{stage}--{name}`.
pub(crate) fn artifact_slugs(version: &str, artifacts: &mut [Artifact], problems: &mut Vec<Diagnostic>) {
    let mut names = Unique::default();
    for a in artifacts.iter_mut() {
        let base = if a.stage.is_empty() { slug(&a.name) } else { format!("{}--{}", slug(&a.stage), slug(&a.name)) };
        let candidate = names.claim(&base);
        if candidate != base {
            let message = format!(
                "artifact \"{}\" of stage \"{}\" shares its page name with another; its page is a/{candidate}.html",
                a.name, a.stage
            );
            let d = match (&a.file, &a.record) {
                (Some(file), _) => {
                    Diagnostic::new(Severity::Info, "slug-collision", format!("{version}/{file}"), message)
                }
                (None, Some(crate::model::Record { pointer, .. })) => Diagnostic::new(
                    Severity::Info,
                    "slug-collision",
                    format!("{version}/{}", manifest::FILE_NAME),
                    message,
                )
                .at_pointer(pointer),
                (None, None) => Diagnostic::new(Severity::Info, "slug-collision", version, message),
            };
            problems.push(d);
        }
        a.slug = candidate;
    }
}

/// Gives each stage, in pipeline order, its page name.
pub(crate) fn stage_slugs(version: &str, stages: &mut [Stage], problems: &mut Vec<Diagnostic>) {
    let mut names = Unique::default();
    for s in stages {
        let base = slug(&s.name);
        s.slug = names.claim(&base);
        if s.slug != base {
            problems.push(Diagnostic::new(
                Severity::Info,
                "slug-collision",
                version,
                format!("stage \"{}\" shares its page name with another stage; its page is stages/{}/", s.name, s.slug),
            ));
        }
    }
}

/// Gives each EDA report, in order, its page name.
pub(crate) fn eda_slugs(version: &str, reports: &mut [EdaReport], problems: &mut Vec<Diagnostic>) {
    let mut names = Unique::default();
    for e in reports {
        let base = segment(&e.name);
        e.slug = names.claim(&base);
        if e.slug != base {
            problems.push(Diagnostic::new(
                Severity::Info,
                "slug-collision",
                format!("{version}/eda_reports/{}/report.html", e.name),
                format!(
                    "another EDA report has the same page name once made URL-safe; this one's page is eda/{}/",
                    e.slug
                ),
            ));
        }
    }
}
