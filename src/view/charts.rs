//! Charts drawn at build time with plotters, as inline SVG.
//!
//! plotters draws axes, grid, labels and lines; we then add what it cannot:
//! an accessible `<title>`/`<desc>`, and a link with a hover title on every
//! data point. Colours are drawn as fixed palette values that the theme's CSS
//! maps to its custom properties (`.chart [stroke="#1F5FAE"] { stroke:
//! var(--brand) }`), so charts follow light and dark mode and a team's colours.
//! plotters runs without its font features: no system font library is linked.

use crate::util::html::{escape, number};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::fmt::Write;

/// The chart palette. Each colour is a placeholder the theme re-colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Colour {
    /// `--brand`
    Brand,
    /// `--accent`
    Accent,
    /// `--warn`
    Warn,
    /// `--bad`
    Bad,
    /// `--good`
    Good,
    /// `--series-6`
    Series6,
    /// `--series-7`
    Series7,
    /// `--series-8`
    Series8,
}

impl Colour {
    /// Colours for series, in order.
    pub(crate) const SERIES: [Colour; 8] = [
        Colour::Brand,
        Colour::Accent,
        Colour::Warn,
        Colour::Series6,
        Colour::Bad,
        Colour::Series7,
        Colour::Good,
        Colour::Series8,
    ];

    fn rgb(self) -> RGBColor {
        match self {
            Colour::Brand => RGBColor(0x1F, 0x5F, 0xAE),
            Colour::Accent => RGBColor(0x0F, 0x76, 0x6E),
            Colour::Warn => RGBColor(0xA1, 0x5C, 0x00),
            Colour::Bad => RGBColor(0xB4, 0x23, 0x18),
            Colour::Good => RGBColor(0x15, 0x80, 0x3D),
            Colour::Series6 => RGBColor(0x7C, 0x3A, 0xED),
            Colour::Series7 => RGBColor(0xBE, 0x18, 0x5D),
            Colour::Series8 => RGBColor(0x08, 0x91, 0xB2),
        }
    }

    fn hex(self) -> String {
        let RGBColor(r, g, b) = self.rgb();
        format!("#{r:02X}{g:02X}{b:02X}")
    }

    /// The CSS class name of the colour, for legends drawn in HTML.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Colour::Brand => "c-brand",
            Colour::Accent => "c-accent",
            Colour::Warn => "c-warn",
            Colour::Bad => "c-bad",
            Colour::Good => "c-good",
            Colour::Series6 => "c-s6",
            Colour::Series7 => "c-s7",
            Colour::Series8 => "c-s8",
        }
    }
}

/// Axis text and lines; mapped to `--muted`.
const MUTED: RGBColor = RGBColor(0x5A, 0x64, 0x78);
/// Grid lines; mapped to `--border`.
const GRID: RGBColor = RGBColor(0xDD, 0xE1, 0xE8);

/// One line of a line chart: a value (or a gap) per x position.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Legend name.
    pub name: String,
    /// Colour.
    pub colour: Colour,
    /// One value per x position; `None` and NaN leave a gap.
    pub values: Vec<Option<f64>>,
}

/// A line chart over ordered positions (versions).
pub(crate) struct LineChart<'a> {
    /// Unique id within the page, for `aria-labelledby`.
    pub id: &'a str,
    /// Short title.
    pub title: &'a str,
    /// What the chart shows, for screen readers.
    pub desc: &'a str,
    /// Short label of each x position.
    pub x_labels: &'a [String],
    /// Full name of each x position, for hover titles.
    pub x_names: &'a [String],
    /// Link of each x position (already relative to the page).
    pub links: &'a [String],
    /// The lines.
    pub series: &'a [Series],
    /// Unit shown after values in hover titles.
    pub unit: &'a str,
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Category label.
    pub label: String,
    /// Height; NaN bars are left out.
    pub value: f64,
    /// Link of the bar (already relative to the page), if any.
    pub href: Option<String>,
}

fn finite(v: &Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn y_range(values: impl Iterator<Item = f64>, from_zero: bool) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return None;
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.05 };
        return Some((lo - pad, hi + pad));
    }
    let pad = (hi - lo) * 0.08;
    Some((if from_zero && lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad))
}

fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}G", number(v / 1e9, 1))
    } else if a >= 1e6 {
        format!("{}M", number(v / 1e6, 1))
    } else if a >= 1e4 {
        format!("{}k", number(v / 1e3, 1))
    } else {
        number(v, 2)
    }
}

/// A category label that fits `max` characters: the last path segment of
/// names like `features/hold_time`, cut with an ellipsis.
fn short_label(label: &str, max: usize) -> String {
    let tail = label.rsplit('/').next().unwrap_or(label);
    let max = max.max(4);
    if tail.chars().count() <= max {
        tail.to_string()
    } else {
        format!("{}…", tail.chars().take(max - 1).collect::<String>())
    }
}

/// The label of the category at `x`, or nothing between categories (plotters
/// asks for labels at positions of its own choosing).
fn label_at(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

/// Replaces plotters' `<svg …>` opening tag with ours and adds the overlay.
fn finish(svg: String, id: &str, title: &str, desc: &str, w: u32, h: u32, overlay: &str) -> String {
    let body_start = svg.find('>').map_or(0, |i| i + 1);
    let body_end = svg.rfind("</svg>").unwrap_or(svg.len());
    let mut out = String::with_capacity(svg.len() + overlay.len() + 400);
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
    out.push_str(svg[body_start..body_end].trim());
    out.push_str(overlay);
    out.push_str("</svg>");
    out
}

/// A chart with one slot across per label and `lo..hi` up, its axes, labels
/// and grid drawn as every chart here has them. `x_ticks` bounds the labels shown.
fn axes<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    (lo, hi): (f64, f64),
    labels: &[String],
    x_ticks: usize,
) -> Option<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let n = labels.len();
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
        .ok()?;
    let x_fmt = |x: &f64| label_at(labels, *x);
    let y_fmt = |y: &f64| tick_label(*y);
    chart
        .configure_mesh()
        .x_labels(x_ticks)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(("sans-serif", 13).into_font().color(&MUTED))
        .draw()
        .ok()?;
    Some(chart)
}

/// Draws a line chart; `None` when no series has a finite value.
pub(crate) fn line_chart(c: &LineChart) -> Option<String> {
    let (w, h) = (900u32, 280u32);
    let n = c.x_labels.len();
    let (lo, hi) = y_range(c.series.iter().flat_map(|s| s.values.iter().filter_map(finite)), false)?;
    let mut svg = String::new();
    let mut overlay = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let mut chart = axes(&root, (lo, hi), c.x_labels, n.clamp(1, 8))?;
        let dot = if n > 120 { 2 } else { 4 };
        for s in c.series {
            let style = ShapeStyle::from(&s.colour.rgb()).stroke_width(2);
            // One polyline per run of consecutive values; gaps stay gaps.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for (i, v) in s.values.iter().enumerate() {
                match finite(v) {
                    Some(y) => run.push((i as f64, y)),
                    None if !run.is_empty() => {
                        chart.draw_series(LineSeries::new(std::mem::take(&mut run), style)).ok()?;
                    }
                    None => {}
                }
            }
            if !run.is_empty() {
                chart.draw_series(LineSeries::new(run, style)).ok()?;
            }
            let spec = chart.as_coord_spec();
            for (i, v) in s.values.iter().enumerate() {
                let Some(y) = finite(v) else { continue };
                let (px, py) = spec.translate(&(i as f64, y));
                let label = format!("{}: {} {}{}", c.x_names[i], s.name, number(y, 2), c.unit);
                let _ = write!(
                    overlay,
                    "<a href=\"{}\" tabindex=\"-1\" aria-label=\"{}\"><title>{}</title><circle cx=\"{px}\" cy=\"{py}\" r=\"{dot}\" fill=\"{}\" class=\"pt\"/></a>",
                    escape(&c.links[i]),
                    escape(&label),
                    escape(&label),
                    s.colour.hex()
                );
            }
        }
        root.present().ok()?;
    }
    Some(finish(svg, c.id, c.title, c.desc, w, h, &overlay))
}

/// Draws a vertical bar chart; `None` when no bar has a finite value.
pub(crate) fn bar_chart(id: &str, title: &str, desc: &str, bars: &[Bar], colour: Colour, unit: &str) -> Option<String> {
    let bars: Vec<&Bar> = bars.iter().filter(|b| b.value.is_finite()).collect();
    let n = bars.len();
    let (lo, hi) = y_range(bars.iter().map(|b| b.value), true)?;
    let (w, h) = (540u32, 300u32);
    let mut svg = String::new();
    let mut overlay = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let labels: Vec<String> = bars.iter().map(|b| short_label(&b.label, (w as usize / n.max(1)) / 8)).collect();
        let mut chart = axes(&root, (lo, hi), &labels, n.clamp(1, 12) * 2 + 1)?;
        let fill = colour.rgb().filled();
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, 0f64.max(lo)), (x + 0.35, b.value)], fill)
            }))
            .ok()?;
        let spec = chart.as_coord_spec();
        for (i, b) in bars.iter().enumerate() {
            let (x0, y0) = spec.translate(&(i as f64 - 0.35, b.value));
            let (x1, y1) = spec.translate(&(i as f64 + 0.35, 0f64.max(lo)));
            let label = format!("{}: {}{}", b.label, number(b.value, 2), unit);
            let rect = format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"hit\" fill=\"transparent\"><title>{}</title></rect>",
                x0.min(x1),
                y0.min(y1),
                (x1 - x0).abs().max(1),
                (y1 - y0).abs().max(1),
                escape(&label)
            );
            match &b.href {
                Some(href) => {
                    let _ = write!(
                        overlay,
                        "<a href=\"{}\" tabindex=\"-1\" aria-label=\"{}\">{rect}</a>",
                        escape(href),
                        escape(&label)
                    );
                }
                None => overlay.push_str(&rect),
            }
        }
        root.present().ok()?;
    }
    Some(finish(svg, id, title, desc, w, h, &overlay))
}

/// A small line without axes, for tables and cards; `None` without data.
pub(crate) fn sparkline(id: &str, title: &str, values: &[Option<f64>], colour: Colour) -> Option<String> {
    let (lo, hi) = y_range(values.iter().filter_map(finite), false)?;
    let (w, h) = (120u32, 32u32);
    let n = values.len();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root).margin(3).build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi).ok()?;
        let style = ShapeStyle::from(&colour.rgb()).stroke_width(2);
        let points: Vec<(f64, f64)> =
            values.iter().enumerate().filter_map(|(i, v)| finite(v).map(|y| (i as f64, y))).collect();
        let last = *points.last()?;
        chart.draw_series(LineSeries::new(points, style)).ok()?;
        chart.draw_series(std::iter::once(Circle::new(last, 3, colour.rgb().filled()))).ok()?;
        root.present().ok()?;
    }
    let desc = format!(
        "{} values, last {}",
        values.iter().filter(|v| finite(v).is_some()).count(),
        number(values.iter().rev().find_map(finite)?, 2)
    );
    Some(finish(svg, id, title, &desc, w, h, "").replacen("class=\"chart\"", "class=\"chart spark\"", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("v{i}")).collect()
    }

    #[test]
    fn line_chart_links_every_point_and_skips_gaps() {
        let (labels, links) = (names(4), names(4));
        let series = [Series {
            name: "score".into(),
            colour: Colour::Brand,
            values: vec![Some(90.0), None, Some(f64::NAN), Some(95.5)],
        }];
        let svg = line_chart(&LineChart {
            id: "q",
            title: "Quality",
            desc: "Quality over runs",
            x_labels: &labels,
            x_names: &labels,
            links: &links,
            series: &series,
            unit: "%",
        })
        .unwrap();
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<title>v3: score 95.5%</title>") && svg.contains("href=\"v0\""));
        assert!(svg.contains("<title id=\"q-t\">Quality</title>"));
        assert!(svg.contains("#1F5FAE"), "drawn in the palette colour the theme maps");
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn charts_handle_one_point_and_no_data() {
        let (labels, links) = (names(1), names(1));
        let one = [Series { name: "x".into(), colour: Colour::Accent, values: vec![Some(3.0)] }];
        let c = LineChart {
            id: "a",
            title: "t",
            desc: "d",
            x_labels: &labels,
            x_names: &labels,
            links: &links,
            series: &one,
            unit: "",
        };
        assert!(line_chart(&c).is_some());
        let none = [Series { name: "x".into(), colour: Colour::Accent, values: vec![None] }];
        assert!(line_chart(&LineChart { series: &none, ..c }).is_none());
        assert!(bar_chart("b", "t", "d", &[], Colour::Brand, "").is_none());
        assert!(sparkline("s", "t", &[None, Some(f64::NAN)], Colour::Brand).is_none());
    }

    #[test]
    fn bar_chart_titles_each_bar() {
        let bars = vec![
            Bar { label: "download".into(), value: 10.0, href: Some("x.html".into()) },
            Bar { label: "cleaning".into(), value: 4.5, href: None },
        ];
        let svg = bar_chart("t", "Time", "Seconds per stage", &bars, Colour::Brand, " s").unwrap();
        assert!(svg.contains("<title>download: 10 s</title>") && svg.contains("<title>cleaning: 4.5 s</title>"));
        assert!(svg.contains("href=\"x.html\""));
    }
}
