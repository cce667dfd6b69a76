//! Tables: the caps every table preview keeps to, and the type inference of
//! CSV columns.

/// Columns shown of a table; facts are still gathered for all of them.
pub(crate) const MAX_COLUMNS: usize = 100;

/// Characters of cell text kept over all rows of a table: rows stop when it
/// runs out, so a wide table of long cells still gives a small page.
pub(crate) const TEXT_BUDGET: usize = 512 * 1024;

/// The type a column's non-empty values share, widened as values come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Inferred {
    /// No value seen yet.
    #[default]
    Nothing,
    /// Whole numbers.
    Integer,
    /// Numbers.
    Float,
    /// `true` / `false`.
    Bool,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD` followed by a time.
    DateTime,
    /// Anything else.
    Text,
}

impl Inferred {
    /// A name for people.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Inferred::Nothing => "empty",
            Inferred::Integer => "integer",
            Inferred::Float => "float",
            Inferred::Bool => "bool",
            Inferred::Date => "date",
            Inferred::DateTime => "datetime",
            Inferred::Text => "text",
        }
    }

    /// The type of one non-empty field.
    pub(crate) fn of(field: &[u8]) -> Inferred {
        let Ok(s) = std::str::from_utf8(field) else { return Inferred::Text };
        let s = s.trim();
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            Inferred::Integer
        } else if s.bytes().any(|b| b.is_ascii_digit()) && s.parse::<f64>().is_ok() {
            Inferred::Float
        } else if matches!(s.to_ascii_lowercase().as_str(), "true" | "false") {
            Inferred::Bool
        } else if is_date(s) {
            if s.len() == 10 { Inferred::Date } else { Inferred::DateTime }
        } else if matches!(s, "NaN" | "nan" | "inf" | "-inf" | "Infinity" | "-Infinity") {
            Inferred::Float
        } else {
            Inferred::Text
        }
    }

    /// The narrowest type holding both.
    pub(crate) fn join(self, other: Inferred) -> Inferred {
        use Inferred::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Nothing, x) | (x, Nothing) => x,
            (Integer, Float) | (Float, Integer) => Float,
            (Date, DateTime) | (DateTime, Date) => DateTime,
            _ => Text,
        }
    }
}

/// `YYYY-MM-DD`, then nothing or a `T`/space and a time.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b.len() == 10 || ((b[10] == b'T' || b[10] == b' ') && b.len() > 13 && b[13] == b':'))
}

#[cfg(test)]
mod tests {
    use super::Inferred::{self, *};

    #[test]
    fn infers_field_types() {
        let t = |s: &str| Inferred::of(s.as_bytes());
        assert_eq!(t("42"), Integer);
        assert_eq!(t("-7"), Integer);
        assert_eq!(t("3.25"), Float);
        assert_eq!(t("1e-3"), Float);
        assert_eq!(t("NaN"), Float);
        assert_eq!(t("True"), Bool);
        assert_eq!(t("2024-03-01"), Date);
        assert_eq!(t("2024-03-01T09:00:00Z"), DateTime);
        assert_eq!(t("2024-03-01 09:00"), DateTime);
        assert_eq!(t("2024-03-01x"), Text);
        assert_eq!(t("inference"), Text);
        assert_eq!(Inferred::of(b"\xff1"), Text);
    }

    #[test]
    fn joins_widen() {
        assert_eq!(Nothing.join(Integer), Integer);
        assert_eq!(Integer.join(Float), Float);
        assert_eq!(Date.join(DateTime), DateTime);
        assert_eq!(Integer.join(Bool), Text);
        assert_eq!(Text.join(Nothing), Text);
    }
}
