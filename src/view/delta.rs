//! A change between two runs' values, as pages show it: the difference and
//! the percentage, its direction, and whether that direction is good news.

use crate::util::html;
use serde::Serialize;

/// Which way a metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// A rise is good news (valid records, the quality score).
    Up,
    /// A fall is good news (issues, time).
    Down,
    /// Neither is (records in, a field of a file).
    Neither,
}

/// A change, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The difference with its sign: `+1,234`, `-0.5`, `±0`.
    pub abs: String,
    /// The difference as a percentage of the old value, with its sign;
    /// none when the old value is 0.
    pub pct: Option<String>,
    /// `up`, `down` or `same`.
    pub dir: &'static str,
    /// `good`, `bad`, `neutral` (a direction that is neither) or `same`.
    pub tone: &'static str,
}

/// The change from `old` to `new`; none when either is not a finite number.
pub fn change(old: f64, new: f64, better: Better) -> Option<Change> {
    if !old.is_finite() || !new.is_finite() {
        return None;
    }
    let d = new - old;
    let dir = if d > 0.0 {
        "up"
    } else if d < 0.0 {
        "down"
    } else {
        "same"
    };
    let tone = match (dir, better) {
        ("same", _) => "same",
        (_, Better::Neither) => "neutral",
        ("up", Better::Up) | ("down", Better::Down) => "good",
        _ => "bad",
    };
    let pct = (old != 0.0).then(|| format!("{}%", signed((d / old.abs() * 1000.0).round() / 10.0)));
    Some(Change { abs: signed(d), pct, dir, tone })
}

/// [`change`] of two optional values.
pub fn between(old: Option<f64>, new: Option<f64>, better: Better) -> Option<Change> {
    change(old?, new?, better)
}

/// A difference with its sign: `+1,234`, `-0.5`, `±0` (never `-0`).
pub fn signed(d: f64) -> String {
    if d == 0.0 {
        "±0".into()
    } else if d > 0.0 {
        format!("+{}", html::number(d, 2))
    } else {
        html::number(d, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_have_a_sign_a_percentage_and_a_tone() {
        let c = change(200.0, 150.0, Better::Up).unwrap();
        assert_eq!((c.abs.as_str(), c.pct.as_deref(), c.dir, c.tone), ("-50", Some("-25%"), "down", "bad"));
        let c = change(4.0, 6.0, Better::Down).unwrap();
        assert_eq!((c.abs.as_str(), c.pct.as_deref(), c.tone), ("+2", Some("+50%"), "bad"));
        let c = change(0.0, 3.0, Better::Neither).unwrap();
        assert_eq!((c.pct, c.tone), (None, "neutral"));
        let c = change(7.0, 7.0, Better::Up).unwrap();
        assert_eq!((c.abs.as_str(), c.pct.as_deref(), c.tone), ("±0", Some("±0%"), "same"));
        assert_eq!(change(f64::NAN, 1.0, Better::Up), None);
        assert_eq!(signed(-0.0), "±0");
    }
}
