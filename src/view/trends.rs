//! Metrics across all versions, in time order: the trends page and the home
//! page's sparklines.

use super::charts::{self, Colour, LineChart, Scale, Series};
use super::common::{Heading, Link, NumView, PageContext, Scope, num_plain, sourced};
use super::delta::{self, Better};
use super::nav::crumbs;
use crate::model::{Site, Sourced, Version};
use crate::plan;
use crate::util::timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// One metric of a version, as trends read it.
type Metric = fn(&Version) -> Option<Cell>;

/// A named metric that may capture state (a stage name, say).
type NamedMetric<'a> = (String, Box<dyn Fn(&Version) -> Option<Cell> + 'a>);

/// A value of one version: plain or traced to its source field.
pub(crate) enum Cell {
    /// Traced to a JSON field.
    Sourced(Sourced),
    /// Computed (a sum over stages, say).
    Plain(f64),
}

impl Cell {
    fn value(&self) -> f64 {
        match self {
            Cell::Sourced(s) => s.value,
            Cell::Plain(v) => *v,
        }
    }
    fn view(&self, v: &Version) -> NumView {
        match self {
            Cell::Sourced(s) => sourced(v, s),
            Cell::Plain(x) => num_plain(*x),
        }
    }
}

fn quality(v: &Version) -> Option<Cell> {
    v.summary.quality_score.clone().map(Cell::Sourced)
}
fn records_in(v: &Version) -> Option<Cell> {
    v.summary.records_in.clone().map(Cell::Sourced)
}
fn records_out(v: &Version) -> Option<Cell> {
    v.summary.records_out.clone().map(Cell::Sourced)
}
fn issues(v: &Version) -> Option<Cell> {
    v.summary.issues.map(Cell::Plain)
}
fn outliers(v: &Version) -> Option<Cell> {
    v.summary.outliers_removed.clone().map(Cell::Sourced)
}
fn features(v: &Version) -> Option<Cell> {
    v.summary.features.clone().map(Cell::Sourced)
}

/// One chart of the trends page with its data table.
#[derive(Serialize)]
pub(crate) struct TrendChart {
    /// Anchor id.
    id: String,
    /// Heading.
    title: String,
    /// Unit of the values.
    unit: &'static str,
    /// The chart (HTML), or `None` when no version has data.
    chart: Option<String>,
    /// Series names with their legend colour class.
    series: Vec<(String, &'static str)>,
    /// One row per version, newest first.
    rows: Vec<TrendRow>,
}

/// One version's values in a trend table.
#[derive(Serialize)]
pub(crate) struct TrendRow {
    version: Link,
    cells: Vec<Option<NumView>>,
}

/// Short x-axis labels that tell runs apart: the date, with the time of
/// day when runs share a date; the id when a run's time is unknown.
fn x_labels(versions: &[Version]) -> Vec<String> {
    let days: Vec<Option<String>> =
        versions.iter().map(|v| v.time.map(|t| timestamp::format(t)[..10].to_string())).collect();
    let mut seen = std::collections::HashSet::new();
    let shared = days.iter().flatten().any(|d| !seen.insert(d));
    versions
        .iter()
        .map(|v| match v.time {
            Some(t) if shared => timestamp::format(t)[5..16].to_string(),
            Some(t) => timestamp::format(t)[..10].to_string(),
            None => v.id.chars().take(12).collect(),
        })
        .collect()
}

/// What a trend chart's value axis measures and how it is ranged.
struct Axis {
    title: &'static str,
    scale: Scale,
}

/// Counts and durations: from zero.
const fn from_zero(title: &'static str) -> Axis {
    Axis { title, scale: Scale::FromZero }
}

fn chart(
    site: &Site,
    root: &str,
    (id, title, unit): (&str, &str, &'static str),
    axis: Axis,
    metrics: &[(String, Metric)],
) -> TrendChart {
    chart_with(
        site,
        root,
        (id, title, unit),
        axis,
        metrics.iter().map(|(n, m)| (n.clone(), Box::new(*m) as Box<dyn Fn(&Version) -> Option<Cell>>)).collect(),
    )
}

fn chart_with(
    site: &Site,
    root: &str,
    (id, title, unit): (&str, &str, &'static str),
    axis: Axis,
    metrics: Vec<NamedMetric>,
) -> TrendChart {
    let versions = recent(site);
    let labels = x_labels(versions);
    let names: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
    let links: Vec<String> = versions.iter().map(|v| format!("{root}{}", plan::version(v))).collect();
    let cells: Vec<Vec<Option<Cell>>> = versions.iter().map(|v| metrics.iter().map(|(_, m)| m(v)).collect()).collect();
    let series: Vec<Series> = metrics
        .iter()
        .enumerate()
        .map(|(k, (name, _))| Series {
            name: name.clone(),
            colour: Colour::SERIES[k % Colour::SERIES.len()],
            values: cells.iter().map(|row| row[k].as_ref().map(Cell::value)).collect(),
        })
        .collect();
    let desc = format!("Line chart of {} over {} runs, oldest to newest", title.to_lowercase(), versions.len());
    let chart = charts::line_chart(&LineChart {
        id,
        title,
        desc: &desc,
        y_title: axis.title,
        x_title: "Run, oldest to newest",
        x_labels: &labels,
        x_names: &names,
        links: &links,
        series: &series,
        unit,
        scale: axis.scale,
    });
    let rows = versions
        .iter()
        .zip(&cells)
        .rev()
        .map(|(v, row)| TrendRow {
            version: Link { label: v.id.clone(), href: plan::version(v) },
            cells: row.iter().map(|c| c.as_ref().map(|c| c.view(v))).collect(),
        })
        .collect();
    TrendChart {
        id: id.to_string(),
        title: title.to_string(),
        unit,
        chart,
        series: series.iter().map(|s| (s.name.clone(), s.colour.class())).collect(),
        rows,
    }
}

/// Stage names that report a time, most common first (at most eight).
fn timed_stages(site: &Site) -> Vec<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for v in recent(site) {
        for s in &v.stages {
            if s.metrics.seconds.is_some() {
                *count.entry(&s.name).or_default() += 1;
            }
        }
    }
    let mut names: Vec<(&str, usize)> = count.into_iter().collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut top: Vec<String> = names.into_iter().take(Colour::SERIES.len()).map(|(n, _)| n.to_string()).collect();
    top.sort_by_key(|n| (crate::input::infer::stage_rank(n), n.clone()));
    top
}

/// The trends page and the home page's sparklines show at most this many
/// runs, the newest, so neither grows with the number of runs; every run's
/// numbers stay in its `summary.json`.
pub(crate) const MAX_RUNS: usize = 100;

/// The runs the trends show: the newest [`MAX_RUNS`].
fn recent(site: &Site) -> &[Version] {
    &site.versions[site.versions.len().saturating_sub(MAX_RUNS)..]
}

/// How many runs the trends page shows, of how many.
#[derive(Serialize)]
pub(crate) struct Runs {
    shown: usize,
    total: usize,
}

impl Runs {
    /// The runs of `site` the trends show.
    pub(crate) fn of(site: &Site) -> Runs {
        Runs { shown: recent(site).len(), total: site.versions.len() }
    }
}

/// Every chart of the trends page.
pub(crate) fn view(site: &Site, root: &str) -> Vec<TrendChart> {
    let stage_time: Vec<NamedMetric> = timed_stages(site)
        .into_iter()
        .map(|name| {
            let key = name.clone();
            let seconds = move |v: &Version| {
                v.stages.iter().find(|s| s.name == key).and_then(|s| s.metrics.seconds.clone()).map(Cell::Sourced)
            };
            (name, Box::new(seconds) as _)
        })
        .collect();
    // A score moves within 0 to 100; a wobble of a tenth of a point is not
    // drawn across the whole height.
    let percent = Axis { title: "Quality score (%)", scale: Scale::Span { min: 10.0, bounds: (0.0, 100.0) } };
    vec![
        chart(site, root, ("quality", "Quality score", "%"), percent, &[("Quality score".into(), quality)]),
        chart(
            site,
            root,
            ("records", "Records", ""),
            from_zero("Records"),
            &[("Total records".into(), records_in), ("Valid records".into(), records_out)],
        ),
        chart(site, root, ("issues", "Issues", ""), from_zero("Issues"), &[("Issues".into(), issues)]),
        chart(
            site,
            root,
            ("outliers", "Outliers removed", ""),
            from_zero("Outliers removed"),
            &[("Outliers removed".into(), outliers)],
        ),
        chart_with(site, root, ("time", "Processing time per stage", " s"), from_zero("Seconds"), stage_time),
        chart(site, root, ("features", "Features", ""), from_zero("Features"), &[("Features".into(), features)]),
    ]
}

/// A metric on the home page: sparkline, latest value and change.
#[derive(Serialize)]
pub(crate) struct Spark {
    name: &'static str,
    svg: Option<String>,
    latest: Option<NumView>,
    delta: Option<String>,
    /// `good`, `bad` or `same`, for colouring the change.
    tone: &'static str,
    href: String,
}

/// Sparklines of the headline metrics for the home page.
pub(crate) fn sparks(site: &Site) -> Vec<Spark> {
    let list: [(&'static str, Metric, bool, &'static str); 5] = [
        ("Quality score", quality, true, "quality"),
        ("Valid records", records_out, true, "records"),
        ("Issues", issues, false, "issues"),
        ("Outliers removed", outliers, false, "outliers"),
        ("Features", features, true, "features"),
    ];
    list.iter()
        .map(|(name, metric, up_is_good, anchor)| {
            let runs = recent(site);
            let cells: Vec<Option<Cell>> = runs.iter().map(metric).collect();
            let values: Vec<Option<f64>> = cells.iter().map(|c| c.as_ref().map(Cell::value)).collect();
            let n = runs.len();
            let latest = n.checked_sub(1).and_then(|i| cells[i].as_ref().map(|c| c.view(&runs[i])));
            let previous = n.checked_sub(2).and_then(|i| values[i]);
            let better = if *up_is_good { Better::Up } else { Better::Down };
            let change = delta::between(previous, n.checked_sub(1).and_then(|i| values[i]), better);
            let (delta, tone) = match change {
                Some(c) => (Some(c.abs), c.tone),
                None => (None, "same"),
            };
            Spark {
                name,
                svg: charts::sparkline(&format!("spark-{anchor}"), name, &values, Colour::Brand),
                latest,
                delta,
                tone,
                href: format!("trends/index.html#{anchor}"),
            }
        })
        .collect()
}

/// The trends page: every chart, over the newest runs.
pub(crate) fn page(s: &Scope, root: &str, ctx: &mut PageContext) -> Heading {
    ctx.insert("charts", &view(s.site, root));
    ctx.insert("runs", &Runs::of(s.site));
    let trail = vec![Link { label: "Trends".into(), href: plan::TRENDS_PAGE.into() }];
    Heading { title: "Trends".into(), crumbs: crumbs(s.site, None, trail) }
}
