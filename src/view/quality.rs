//! The data-quality dashboard of one version: score, records funnel, issues
//! and time by stage, removals, missing values and validation errors.

use super::charts::{self, Bar, Colour};
use super::common::{Heading, Link, NumView, PageContext, Scope, num_plain, sourced};
use super::nav::crumbs;
use crate::input::etl::{Num, Typed};
use crate::model::{Sourced, Version};
use crate::plan;
use crate::util::paths::{pointer_id, pointer_push};
use serde::Serialize;
use std::collections::BTreeMap;

/// A chart and the numbers it draws, as a table beside it.
#[derive(Serialize)]
pub(crate) struct ChartView {
    /// The chart (HTML), or `None` when there is nothing to draw.
    pub chart: Option<String>,
    /// One row per bar or point.
    pub rows: Vec<ChartRow>,
}

/// One row of a chart's data table.
#[derive(Serialize)]
pub(crate) struct ChartRow {
    /// Category (stage, column, version).
    pub label: String,
    /// Page of the category, relative to the site root.
    pub href: Option<String>,
    /// The value, linked to its source field.
    pub num: Option<NumView>,
}

/// A group of validation errors with the same column and message.
#[derive(Serialize)]
pub(crate) struct ErrorGroup {
    column: String,
    /// The error's kind (see [`error_kind`]).
    error: String,
    severity: String,
    count: usize,
    /// The first error of the group on the validation-errors page.
    href: Option<String>,
}

/// Validation errors of the version, grouped.
#[derive(Serialize)]
pub(crate) struct ValidationView {
    total: usize,
    href: Option<String>,
    groups: Vec<ErrorGroup>,
    by_column: Vec<ChartRow>,
}

/// Everything the quality page shows.
#[derive(Serialize)]
pub(crate) struct QualityView {
    score: Option<NumView>,
    records_in: Option<NumView>,
    records_out: Option<NumView>,
    outliers: Option<NumView>,
    duplicates: Option<NumView>,
    funnel: ChartView,
    issues: ChartView,
    time: ChartView,
    missing: ChartView,
    validation: Option<ValidationView>,
    outlier_tables: Vec<Link>,
}

/// How a chart is labelled and coloured.
struct ChartSpec {
    title: &'static str,
    /// What the bars measure, with their unit.
    axis: &'static str,
    unit: &'static str,
    colour: Colour,
}

fn stage_chart(
    v: &Version,
    root: &str,
    spec: ChartSpec,
    pick: fn(&crate::model::StageMetrics) -> &Option<Sourced>,
) -> ChartView {
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for (si, s) in v.stages.iter().enumerate() {
        let Some(value) = pick(&s.metrics) else { continue };
        let href = plan::stage(v, si);
        bars.push(Bar { label: s.name.clone(), value: value.value, href: Some(format!("{root}{href}")) });
        rows.push(ChartRow { label: s.name.clone(), href: Some(href), num: Some(sourced(v, value)) });
    }
    ChartView { chart: charts::bar_chart(spec.title, spec.axis, &bars, spec.colour, spec.unit), rows }
}

fn missing_values(v: &Version, root: &str) -> ChartView {
    let found = v.json.iter().enumerate().find_map(|(i, d)| match d.typed() {
        Some(Typed::CleaningStats(s)) => s.missing_data_handled.as_ref().map(|m| (i, m)),
        _ => None,
    });
    let Some((doc, map)) = found else { return ChartView { chart: None, rows: Vec::new() } };
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for (column, Num(n)) in map {
        let s = Sourced { value: *n, doc, pointer: pointer_push("/missing_data_handled", column) };
        let num = sourced(v, &s);
        bars.push(Bar { label: column.clone(), value: *n, href: num.href.as_ref().map(|h| format!("{root}{h}")) });
        rows.push(ChartRow { label: column.clone(), href: None, num: Some(num) });
    }
    let chart = charts::bar_chart(
        "Missing values handled per column",
        "Missing values filled or dropped in cleaning",
        &bars,
        Colour::Warn,
        "",
    );
    ChartView { chart, rows }
}

fn validation(v: &Version) -> Option<ValidationView> {
    let (doc, list) = v.json.iter().enumerate().find_map(|(i, d)| match d.typed() {
        Some(Typed::ValidationErrors(list)) => Some((i, list)),
        _ => None,
    })?;
    let page = plan::doc(v, doc);
    let base = match &v.json[doc].parsed {
        Ok(d) if d.has("/errors") => "/errors",
        _ => "",
    };
    let mut groups: BTreeMap<(String, String), (usize, usize, String)> = BTreeMap::new();
    for (i, e) in list.iter().enumerate() {
        let kind = e.message().map(error_kind).unwrap_or_else(|| "(no message)".into());
        let key = (e.column.clone().unwrap_or_else(|| "(no column)".into()), kind);
        let g = groups.entry(key).or_insert((0, i, e.severity.clone().unwrap_or_default()));
        g.0 += 1;
    }
    let mut by_column: BTreeMap<String, usize> = BTreeMap::new();
    for ((column, _), (count, _, _)) in &groups {
        *by_column.entry(column.clone()).or_default() += count;
    }
    let href_at = |i: usize| page.as_ref().map(|p| format!("{p}#{}", pointer_id(&format!("{base}/{i}"))));
    let mut groups: Vec<ErrorGroup> = groups
        .into_iter()
        .map(|((column, error), (count, first, severity))| ErrorGroup {
            column,
            error,
            severity,
            count,
            href: href_at(first),
        })
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.column, &a.error).cmp(&(&b.column, &b.error))));
    Some(ValidationView {
        total: list.len(),
        href: page,
        groups,
        by_column: by_column
            .into_iter()
            .map(|(label, n)| ChartRow { label, href: None, num: Some(num_plain(n as f64)) })
            .collect(),
    })
}

/// The kind of a validation error: its message with numbers written as `#`
/// and quoted values as `…`, so "value 2115.7 out of range" and "value 9692.1
/// out of range" group together.
pub(crate) fn error_kind(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars.peek().is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                chars.next();
            }
            if out.ends_with('-') {
                out.pop();
            }
            out.push('#');
        } else if c == '\'' || c == '"' {
            for d in chars.by_ref() {
                if d == c {
                    break;
                }
            }
            out.push_str(&format!("{c}…{c}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The quality dashboard of `v`; `root` leads from its page to the site root.
pub(crate) fn view(v: &Version, root: &str) -> QualityView {
    let s = &v.summary;
    let opt = |x: &Option<Sourced>| x.as_ref().map(|x| sourced(v, x));
    let funnel = stage_chart(
        v,
        root,
        ChartSpec {
            title: "Records out of each stage",
            axis: "Records out, in pipeline order",
            unit: "",
            colour: Colour::Brand,
        },
        |m| &m.records_out,
    );
    let issues = stage_chart(
        v,
        root,
        ChartSpec { title: "Issues by stage", axis: "Issues reported", unit: "", colour: Colour::Bad },
        |m| &m.issues,
    );
    let time = stage_chart(
        v,
        root,
        ChartSpec { title: "Processing time by stage", axis: "Seconds", unit: " s", colour: Colour::Accent },
        |m| &m.seconds,
    );
    let outlier_tables = v
        .artifacts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.name.contains("outlier") && a.file.is_some())
        .map(|(ai, a)| Link { label: format!("{} ({})", a.name, a.stage), href: plan::artifact(v, ai) })
        .collect();
    QualityView {
        score: opt(&s.quality_score),
        records_in: opt(&s.records_in),
        records_out: opt(&s.records_out),
        outliers: opt(&s.outliers_removed),
        duplicates: opt(&s.duplicates_removed),
        funnel,
        issues,
        time,
        missing: missing_values(v, root),
        validation: validation(v),
        outlier_tables,
    }
}

/// The data-quality page of version `vi`.
pub(crate) fn page(s: &Scope, vi: usize, root: &str, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    ctx.insert("quality", &view(v, root));
    let trail = vec![Link { label: "Data quality".into(), href: plan::quality(v) }];
    Heading { title: format!("Data quality of {}", v.id), crumbs: crumbs(s.site, Some(vi), trail) }
}

#[cfg(test)]
mod tests {
    use super::error_kind;

    #[test]
    fn error_kinds_drop_values() {
        assert_eq!(error_kind("value 2115.7 out of range [20, 2000] ms"), "value # out of range [#, #] ms");
        assert_eq!(error_kind("unknown key code 'KEY_0x20'"), "unknown key code '…'");
        assert_eq!(error_kind("delta -13 ms"), "delta # ms");
    }
}
