//! Timestamps as pipelines write them: in version ids and in `created_at`.
//!
//! Only the few shapes pipelines use are read, so a small parser does it
//! without a time-zone database: `YYYY-MM-DD[ T_]HH[:-]MM[:-]SS[.frac][Z|±HH:MM]`
//! and the compact `YYYYMMDD_HHMMSS`. Times without a zone are ordered as if
//! they were UTC, and written without a zone.

/// Seconds since 1970-01-01T00:00:00Z.
pub(crate) type Epoch = i64;

fn digits(s: &[u8], n: usize) -> Option<i64> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn valid(mo: i64, d: i64, h: i64, mi: i64, s: i64) -> bool {
    (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61
}

/// Reads a timestamp at the start of `text`; returns it and the rest of the text.
fn leading(text: &str) -> Option<(Epoch, &str)> {
    let b = text.as_bytes();
    let (y, mo, d, h, mi, s, used) = if b.len() >= 15 && b[8] == b'_' && digits(b, 8).is_some() {
        // 20240115_143000
        (
            digits(b, 4)?,
            digits(&b[4..], 2)?,
            digits(&b[6..], 2)?,
            digits(&b[9..], 2)?,
            digits(&b[11..], 2)?,
            digits(&b[13..], 2)?,
            15,
        )
    } else {
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b'_' | b' ') {
            return None;
        }
        if !matches!(b[13], b':' | b'-') || b[16] != b[13] {
            return None;
        }
        (
            digits(b, 4)?,
            digits(&b[5..], 2)?,
            digits(&b[8..], 2)?,
            digits(&b[11..], 2)?,
            digits(&b[14..], 2)?,
            digits(&b[17..], 2)?,
            19,
        )
    };
    if !valid(mo, d, h, mi, s) {
        return None;
    }
    let epoch = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
    Some((epoch, &text[used..]))
}

/// Parses the timestamp a version id starts with, such as
/// `2024-01-15_14-30-00_macbook-alice`. The rest of the id may be anything.
pub(crate) fn from_version_id(id: &str) -> Option<Epoch> {
    let (t, rest) = leading(id)?;
    match rest.chars().next() {
        None | Some('_' | '-' | '.' | ' ') => Some(t),
        _ => None,
    }
}

/// Parses an ISO 8601 `created_at`, with or without fraction and zone, and
/// says whether it names its zone (`Z`, `+02:00`): without one, the time is
/// the clock of wherever it ran.
pub(crate) fn from_iso(text: &str) -> Option<(Epoch, bool)> {
    let (t, mut rest) = leading(text.trim())?;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let zoned = !rest.is_empty();
    let offset = match rest.as_bytes() {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = digits(&[*h1, *h2], 2)?;
            let m = digits(&[*m1, *m2], 2)?;
            let o = h * 3600 + m * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some((t - offset, zoned))
}

/// Formats an epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format(epoch: Epoch) -> String {
    format!("{} UTC", format_naive(epoch))
}

/// Formats a time read without a zone (a version id's) as `YYYY-MM-DD
/// HH:MM:SS`: it is not labelled UTC, which it may not be.
pub(crate) fn format_naive(epoch: Epoch) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids() {
        let t = from_version_id("2024-01-15_14-30-00_macbook-alice").unwrap();
        assert_eq!(format(t), "2024-01-15 14:30:00 UTC");
        assert_eq!(from_version_id("20240115_143000"), Some(t));
        assert_eq!(from_version_id("2024-01-15T14:30:00"), Some(t));
        assert_eq!(from_version_id("baseline"), None);
        assert_eq!(from_version_id("2024-13-15_14-30-00"), None);
        assert_eq!(from_version_id("2024-01-15_14-30-00x"), None);
    }

    #[test]
    fn iso_with_zones() {
        let (utc, zoned) = from_iso("2024-01-15T14:30:00").unwrap();
        assert!(!zoned, "no zone written");
        assert_eq!(from_iso("2024-01-15T14:30:00Z"), Some((utc, true)));
        assert_eq!(from_iso("2024-01-15T15:30:00.123456+01:00"), Some((utc, true)));
        assert_eq!(from_iso("2024-01-15T13:30:00-0100"), Some((utc, true)));
        assert_eq!(from_iso("yesterday"), None);
        assert_eq!(format_naive(utc), "2024-01-15 14:30:00");
        assert_eq!(format(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format(from_iso("2000-02-29T23:59:59Z").unwrap().0), "2000-02-29 23:59:59 UTC");
    }
}
