//! Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten), with one
//! label format per axis, so labels never repeat and never mix `15k` with
//! `5,000`.

use super::html::fixed;

/// The ticks of one axis: the range they span and how they are written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// The lowest tick, at or below the data.
    pub lo: f64,
    /// The highest tick, at or above the data.
    pub hi: f64,
    /// The distance between ticks.
    pub step: f64,
    /// Every tick, lowest first.
    pub values: Vec<f64>,
    /// What each label is divided by (1, 1e3, 1e6 or 1e9) and the suffix
    /// that says so (``, `k`, `M`, `G`).
    scale: (f64, &'static str),
    /// Decimals of every label.
    decimals: usize,
}

impl Ticks {
    /// Ticks at nice numbers over `lo..=hi`, about `target` of them (at
    /// least two). An empty range is widened around its value.
    pub fn nice(lo: f64, hi: f64, target: usize) -> Ticks {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        let (lo, hi) = if hi - lo > f64::EPSILON * hi.abs().max(lo.abs()).max(1e-300) {
            (lo, hi)
        } else if hi == 0.0 {
            (0.0, 1.0)
        } else {
            let pad = hi.abs() * 0.05;
            (lo - pad, hi + pad)
        };
        let step = nice_step((hi - lo) / target.max(2).saturating_sub(1).max(1) as f64);
        let first = (lo / step + 1e-9).floor();
        let last = (hi / step - 1e-9).ceil();
        let values: Vec<f64> = (0..=(last - first) as i64).map(|k| clean((first + k as f64) * step)).collect();
        let top = values.iter().fold(0f64, |m, v| m.max(v.abs()));
        let scale = match top {
            t if t >= 1e9 => (1e9, "G"),
            t if t >= 1e6 => (1e6, "M"),
            t if t >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        let decimals = decimals_of(step / scale.0);
        Ticks { lo: values[0], hi: values[values.len() - 1], step, values, scale, decimals }
    }

    /// The label of tick value `v`: the axis's one format.
    pub fn label(&self, v: f64) -> String {
        format!("{}{}", fixed(v / self.scale.0, self.decimals), self.scale.1)
    }

    /// Where `v` falls between the lowest and highest tick, 0 to 1.
    pub fn position(&self, v: f64) -> f64 {
        if self.hi > self.lo { ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) } else { 0.5 }
    }
}

/// The nice number (1, 2, 2.5 or 5 times a power of ten) at or just above `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 { raw } else { 1.0 };
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = match fraction {
        f if f <= 1.0 + 1e-9 => 1.0,
        f if f <= 2.0 + 1e-9 => 2.0,
        f if f <= 2.5 + 1e-9 => 2.5,
        f if f <= 5.0 + 1e-9 => 5.0,
        _ => 10.0,
    };
    nice * power
}

/// The decimals that write every multiple of `step` exactly (at most 12).
fn decimals_of(step: f64) -> usize {
    (0..12)
        .find(|&d| {
            let scaled = step.abs() * 10f64.powi(d as i32);
            scaled >= 1.0 - 1e-9 && (scaled - scaled.round()).abs() < 1e-6 * scaled
        })
        .unwrap_or(12)
}

/// `v` without the float noise of `k * step` (`0.30000000000000004`), and
/// never negative zero.
fn clean(v: f64) -> f64 {
    let r = format!("{v:.12e}").parse::<f64>().unwrap_or(v);
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lo: f64, hi: f64, target: usize) -> Vec<String> {
        let t = Ticks::nice(lo, hi, target);
        t.values.iter().map(|&v| t.label(v)).collect()
    }

    #[test]
    fn labels_never_repeat_and_share_one_format_over_many_ranges() {
        let ranges = [
            (98.52, 98.53),
            (0.0, 0.02),
            (0.001, 0.0013),
            (5_000.0, 15_000.0),
            (0.0, 1.0),
            (-3.2, 7.9),
            (1e-9, 3e-9),
            (42.0, 42.0),
            (0.0, 0.0),
            (-0.004, 0.0),
            (1.0, 1e12),
            (123_456.0, 123_789.0),
            (99.999, 100.0),
            (-1e7, 2.5e7),
        ];
        for (lo, hi) in ranges {
            for target in [3, 5, 8] {
                let t = Ticks::nice(lo, hi, target);
                let l: Vec<String> = t.values.iter().map(|&v| t.label(v)).collect();
                let mut unique = l.clone();
                unique.dedup();
                assert_eq!(unique, l, "{lo}..{hi} ({target}): {l:?}");
                assert!(t.lo <= lo.min(hi) + 1e-12 && t.hi >= hi.max(lo) - 1e-12, "{lo}..{hi}: {t:?}");
                assert!(l.len() >= 2 && l.len() <= target + 3, "{lo}..{hi} ({target}): {l:?}");
                let suffixes: Vec<&str> =
                    l.iter().map(|s| s.trim_start_matches(|c: char| !c.is_alphabetic())).collect();
                assert!(suffixes.windows(2).all(|w| w[0] == w[1]), "one suffix per axis: {l:?}");
                let decimals: Vec<usize> = l
                    .iter()
                    .map(|s| s.split_once('.').map_or(0, |(_, f)| f.trim_end_matches(char::is_alphabetic).len()))
                    .collect();
                assert!(decimals.windows(2).all(|w| w[0] == w[1]), "one precision per axis: {l:?}");
                let negative_zero = |s: &str| s.starts_with('-') && s.chars().all(|c| !c.is_ascii_digit() || c == '0');
                assert!(!l.iter().any(|s| negative_zero(s)), "no -0: {l:?}");
            }
        }
    }

    #[test]
    fn ticks_sit_on_nice_numbers() {
        assert_eq!(labels(0.0, 97.0, 5), ["0", "25", "50", "75", "100"]);
        assert_eq!(labels(98.52, 98.53, 5), ["98.5200", "98.5225", "98.5250", "98.5275", "98.5300"]);
        assert_eq!(labels(0.0, 0.02, 5), ["0.000", "0.005", "0.010", "0.015", "0.020"]);
        assert_eq!(labels(5_000.0, 15_000.0, 5), ["5.0k", "7.5k", "10.0k", "12.5k", "15.0k"]);
        assert_eq!(labels(-0.004, 0.0, 3), ["-0.004", "-0.002", "0.000"]);
        assert_eq!(labels(0.0, 0.0, 5), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
    }
}
