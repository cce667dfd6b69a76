//! Charts drawn at build time as HTML around a small SVG.
//!
//! Text is HTML, so it keeps the page's type size at any width (an SVG
//! scaled to a phone shrinks its text with it). A line chart's lines and grid
//! are an SVG stretched to its box (strokes keep their width); its points are
//! links beside that image, never inside it, each focusable with its value
//! shown on focus and hover. Bar charts are HTML bars with their values
//! written beside them, laid out horizontally so long category names are
//! never cut. Colours are classes the theme maps to its custom properties,
//! so charts follow light and dark mode and a team's colours.

use crate::util::html::{escape, number};
use crate::util::ticks::Ticks;
use std::fmt::Write;

/// The chart palette: classes the theme colours.
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
    /// The categorical series colours `--s1` to `--s8` (a colour-blind-safe
    /// palette, lighter in dark mode).
    Series(u8),
}

impl Colour {
    /// Colours for series, in order.
    pub(crate) const SERIES: [Colour; 8] = [
        Colour::Series(1),
        Colour::Series(2),
        Colour::Series(3),
        Colour::Series(4),
        Colour::Series(5),
        Colour::Series(6),
        Colour::Series(7),
        Colour::Series(8),
    ];

    /// The CSS class of the colour, for chart marks and legends.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Colour::Brand => "c-brand",
            Colour::Accent => "c-accent",
            Colour::Warn => "c-warn",
            Colour::Bad => "c-bad",
            Colour::Series(n) => ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"][usize::from(n.clamp(1, 8)) - 1],
        }
    }
}

/// How a chart's value axis is ranged, so noise never looks like drama.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    /// Counts and durations: the axis starts at zero.
    FromZero,
    /// Scores and rates: at least `min` wide, kept inside `bounds`
    /// (0 to 100 for a percentage).
    Span {
        /// The narrowest range shown.
        min: f64,
        /// The values the quantity can take.
        bounds: (f64, f64),
    },
}

impl Scale {
    /// The range to draw for values from `lo` to `hi`.
    fn range(self, lo: f64, hi: f64) -> (f64, f64) {
        match self {
            Scale::FromZero => (lo.min(0.0), hi.max(0.0)),
            Scale::Span { min, bounds: (floor, ceiling) } => {
                if hi - lo >= min {
                    return (lo, hi);
                }
                let middle = (lo + hi) / 2.0;
                let (mut a, mut b) = (middle - min / 2.0, middle + min / 2.0);
                if a < floor {
                    (a, b) = (floor, floor + min);
                }
                if b > ceiling {
                    (a, b) = ((ceiling - min).max(floor), ceiling);
                }
                (a, b)
            }
        }
    }
}

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

/// A line chart over ordered positions (runs).
pub(crate) struct LineChart<'a> {
    /// Unique id within the page, for `aria-labelledby`.
    pub id: &'a str,
    /// Short title.
    pub title: &'a str,
    /// What the chart shows, for screen readers.
    pub desc: &'a str,
    /// What the value axis measures, with its unit (`Seconds`).
    pub y_title: &'a str,
    /// What the positions are (`Run, oldest to newest`).
    pub x_title: &'a str,
    /// Short label of each x position.
    pub x_labels: &'a [String],
    /// Full name of each x position, for the points' labels.
    pub x_names: &'a [String],
    /// Link of each x position (already relative to the page).
    pub links: &'a [String],
    /// The lines.
    pub series: &'a [Series],
    /// Unit written after values in the points' labels.
    pub unit: &'a str,
    /// How the value axis is ranged.
    pub scale: Scale,
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Category label.
    pub label: String,
    /// Length; NaN bars are left out.
    pub value: f64,
    /// Link of the bar's category (already relative to the page), if any.
    pub href: Option<String>,
}

/// The most x labels a line chart writes; on a phone every other one shows.
const X_LABELS: usize = 8;

/// A chart with more points than this leaves them out of the tab order:
/// its data table is the way through by keyboard.
const FOCUSABLE_POINTS: usize = 40;

fn finite(v: &Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// The lowest and highest finite value, when there is one.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A percentage with two decimals at most, for style attributes.
fn pct(f: f64) -> String {
    let text = format!("{:.2}", f * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// Which positions get an x label: at most [`X_LABELS`], evenly spread,
/// always the first and the last; `true` marks the ones a phone hides (it
/// keeps the first, the middle one and the last).
fn x_label_positions(n: usize) -> Vec<(usize, bool)> {
    let at: Vec<usize> = if n <= X_LABELS {
        (0..n).collect()
    } else {
        let slots = X_LABELS - 1;
        (0..=slots).map(|k| k * (n - 1) / slots).collect()
    };
    let middle = at.len() / 2;
    at.iter().enumerate().map(|(k, &i)| (i, !(k == 0 || k == middle || k + 1 == at.len()))).collect()
}

/// Draws a line chart; `None` when no series has a finite value.
pub(crate) fn line_chart(c: &LineChart) -> Option<String> {
    let n = c.x_labels.len();
    let (lo, hi) = extent(c.series.iter().flat_map(|s| s.values.iter().filter_map(finite)))?;
    let (lo, hi) = c.scale.range(lo, hi);
    let ticks = Ticks::nice(lo, hi, 5);
    let x = |i: usize| (i as f64 + 0.5) / n as f64;
    let y = |v: f64| 1.0 - ticks.position(v);
    let points = c.series.iter().map(|s| s.values.iter().filter_map(finite).count()).sum::<usize>();
    let focus = if points > FOCUSABLE_POINTS { " tabindex=\"-1\"" } else { "" };

    let mut out = String::new();
    let _ = write!(out, "<div class=\"lc\"><p class=\"axis-title\">{}</p><div class=\"lc-area\">", escape(c.y_title));
    out.push_str("<div class=\"lc-y\" aria-hidden=\"true\">");
    for &t in &ticks.values {
        let _ = write!(out, "<span style=\"bottom:{}\">{}</span>", pct(ticks.position(t)), ticks.label(t));
    }
    let range = format!("; the value axis runs from {} to {}", ticks.label(ticks.lo), ticks.label(ticks.hi));
    let _ = write!(
        out,
        "</div><div class=\"lc-plot\"><svg class=\"lc-svg\" viewBox=\"0 0 1000 1000\" preserveAspectRatio=\"none\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" focusable=\"false\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}{}</desc>",
        escape(c.title),
        escape(c.desc),
        escape(&range),
        id = escape(c.id),
    );
    for &t in &ticks.values {
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"0\" x2=\"1000\" y1=\"{0:.1}\" y2=\"{0:.1}\" vector-effect=\"non-scaling-stroke\"/>",
            y(t) * 1000.0
        );
    }
    for s in c.series {
        // One line per run of consecutive values; gaps stay gaps.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, out: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    out,
                    "<polyline class=\"ln {}\" points=\"{}\" vector-effect=\"non-scaling-stroke\"/>",
                    s.colour.class(),
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in s.values.iter().enumerate() {
            match finite(v) {
                Some(v) => run.push(format!("{:.1},{:.1}", x(i) * 1000.0, y(v) * 1000.0)),
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
    }
    out.push_str("</svg>");
    for s in c.series {
        for (i, v) in s.values.iter().enumerate() {
            let Some(v) = finite(v) else { continue };
            let label = format!("{}: {} {}{}", c.x_names[i], s.name, number(v, 2), c.unit);
            let side = if x(i) > 0.5 { " end" } else { "" };
            let _ = write!(
                out,
                "<a class=\"pt {}{side}\" href=\"{}\" style=\"left:{};top:{}\" aria-label=\"{label}\" data-label=\"{label}\"{focus}></a>",
                s.colour.class(),
                escape(&c.links[i]),
                pct(x(i)),
                pct(y(v)),
                label = escape(&label),
            );
        }
    }
    out.push_str("</div><div class=\"lc-x\" aria-hidden=\"true\">");
    for (i, minor) in x_label_positions(n) {
        // A label near an edge is anchored at its point, not centred on it.
        let edge = match x(i) {
            p if p < 0.08 => " first",
            p if p > 0.92 => " last",
            _ => "",
        };
        let minor = if minor { " minor" } else { "" };
        let _ = write!(
            out,
            "<span class=\"xl{edge}{minor}\" style=\"left:{}\">{}</span>",
            pct(x(i)),
            escape(&c.x_labels[i])
        );
    }
    let _ = write!(out, "</div></div><p class=\"axis-title x\">{}</p></div>", escape(c.x_title));
    Some(out)
}

/// Draws a horizontal bar chart from zero, each bar's value written beside
/// it and its category linked where it has a page; `None` when no bar has a
/// finite value.
pub(crate) fn bar_chart(title: &str, axis: &str, bars: &[Bar], colour: Colour, unit: &str) -> Option<String> {
    let bars: Vec<&Bar> = bars.iter().filter(|b| b.value.is_finite()).collect();
    let (_, hi) = extent(bars.iter().map(|b| b.value))?;
    let top = hi.max(0.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"bc\"><p class=\"axis-title\">{}</p><ul class=\"bars\" aria-label=\"{}\">",
        escape(axis),
        escape(title)
    );
    for b in bars {
        let label = match &b.href {
            Some(href) => format!("<a href=\"{}\">{}</a>", escape(href), escape(&b.label)),
            None => escape(&b.label),
        };
        // A bar above zero stays visible however short; zero draws none.
        let width = match b.value {
            v if v > 0.0 && top > 0.0 => format!("max(2px,{})", pct((v / top).min(1.0))),
            _ => "0".to_string(),
        };
        let _ = write!(
            out,
            "<li><span class=\"bar-label\">{label}</span><span class=\"bar-track\" aria-hidden=\"true\"><span class=\"bar {}\" style=\"width:{width}\"></span></span><span class=\"bar-value\">{}{}</span></li>",
            colour.class(),
            number(b.value, 2),
            escape(unit)
        );
    }
    out.push_str("</ul></div>");
    Some(out)
}

/// A small line without axes, for cards; `None` without data.
pub(crate) fn sparkline(id: &str, title: &str, values: &[Option<f64>], colour: Colour) -> Option<String> {
    let (lo, hi) = extent(values.iter().filter_map(finite))?;
    let (w, h, pad) = (120.0, 32.0, 4.0);
    let n = values.len();
    let x = |i: usize| if n > 1 { pad + i as f64 * (w - 2.0 * pad) / (n - 1) as f64 } else { w / 2.0 };
    let y = |v: f64| if hi > lo { h - pad - (v - lo) / (hi - lo) * (h - 2.0 * pad) } else { h / 2.0 };
    let points: Vec<(f64, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| finite(v).map(|v| (x(i), y(v)))).collect();
    let (lx, ly) = *points.last()?;
    let line: Vec<String> = points.iter().map(|(px, py)| format!("{px:.1},{py:.1}")).collect();
    let last = number(values.iter().rev().find_map(finite)?, 2);
    Some(format!(
        "<svg class=\"spark {cls}\" viewBox=\"0 0 120 32\" width=\"120\" height=\"32\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{} values, last {last}</desc><polyline class=\"ln\" points=\"{}\"/><circle class=\"dot\" cx=\"{lx:.1}\" cy=\"{ly:.1}\" r=\"3\"/></svg>",
        escape(title),
        points.len(),
        line.join(" "),
        cls = colour.class(),
        id = escape(id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("v{i}")).collect()
    }

    fn chart<'a>(labels: &'a [String], series: &'a [Series], scale: Scale) -> LineChart<'a> {
        LineChart {
            id: "q",
            title: "Quality",
            desc: "Quality over runs",
            y_title: "Quality score (%)",
            x_title: "Run",
            x_labels: labels,
            x_names: labels,
            links: labels,
            series,
            unit: "%",
            scale,
        }
    }

    #[test]
    fn line_chart_links_every_point_outside_the_image_and_skips_gaps() {
        let labels = names(4);
        let series = [Series {
            name: "score".into(),
            colour: Colour::Series(1),
            values: vec![Some(90.0), None, Some(f64::NAN), Some(95.5)],
        }];
        let html = line_chart(&chart(&labels, &series, Scale::FromZero)).unwrap();
        assert_eq!(html.matches("<a class=\"pt").count(), 2);
        assert!(html.contains("aria-label=\"v3: score 95.5%\"") && html.contains("href=\"v0\""));
        assert!(html.contains("<title id=\"q-t\">Quality</title>"));
        let image = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
        assert!(!image.contains("<a"), "no link inside the image");
        assert!(!html.contains("<polyline"), "two points with a gap between make no line");
        assert!(html.contains("Quality score (%)"));
    }

    #[test]
    fn the_value_axis_starts_at_zero_for_counts_and_keeps_a_span_for_scores() {
        let labels = names(3);
        let counts =
            [Series { name: "n".into(), colour: Colour::Series(1), values: vec![Some(950.0), Some(990.0), None] }];
        let html = line_chart(&chart(&labels, &counts, Scale::FromZero)).unwrap();
        assert!(html.contains("from 0 to 1,000"), "{html}");
        let scores = [Series {
            name: "s".into(),
            colour: Colour::Series(1),
            values: vec![Some(98.52), Some(98.53), Some(98.52)],
        }];
        let percent = Scale::Span { min: 10.0, bounds: (0.0, 100.0) };
        let html = line_chart(&chart(&labels, &scores, percent)).unwrap();
        assert!(html.contains("from 90.0 to 100.0"), "a 0.01-point wobble does not fill the height: {html}");
        assert_eq!(Scale::Span { min: 10.0, bounds: (0.0, 100.0) }.range(1.0, 2.0), (0.0, 10.0));
    }

    #[test]
    fn many_runs_get_few_x_labels_with_the_first_and_last() {
        let at = x_label_positions(100);
        assert_eq!(at.len(), X_LABELS);
        assert_eq!((at[0].0, at[at.len() - 1].0), (0, 99));
        assert_eq!(at.iter().filter(|(_, minor)| !minor).count(), 3, "a phone keeps three: {at:?}");
        assert!(!at[0].1 && !at[at.len() - 1].1, "a phone keeps the ends");
        assert_eq!(x_label_positions(2), [(0, false), (1, false)]);
    }

    #[test]
    fn charts_handle_one_point_and_no_data() {
        let labels = names(1);
        let one = [Series { name: "x".into(), colour: Colour::Accent, values: vec![Some(3.0)] }];
        assert!(line_chart(&chart(&labels, &one, Scale::FromZero)).is_some());
        let none = [Series { name: "x".into(), colour: Colour::Accent, values: vec![None] }];
        assert!(line_chart(&chart(&labels, &none, Scale::FromZero)).is_none());
        assert!(bar_chart("t", "Seconds", &[], Colour::Brand, "").is_none());
        assert!(sparkline("s", "t", &[None, Some(f64::NAN)], Colour::Brand).is_none());
    }

    #[test]
    fn bars_write_their_values_and_link_their_categories() {
        let bars = vec![
            Bar { label: "größe_der_daten_nach_bereinigung".into(), value: 10.0, href: Some("x.html".into()) },
            Bar { label: "cleaning".into(), value: 4.5, href: None },
        ];
        let html = bar_chart("Time", "Seconds", &bars, Colour::Brand, " s").unwrap();
        assert!(html.contains("<a href=\"x.html\">größe_der_daten_nach_bereinigung</a>"), "never cut: {html}");
        assert!(html.contains(">10 s<") && html.contains(">4.5 s<"));
        assert!(html.contains("width:max(2px,100%)") && html.contains("width:max(2px,45%)"));
    }
}
