//! HTML escaping and number formatting shared by templates and Rust-built HTML.

use std::io::{self, Write};

/// Escapes text for HTML content and quoted attributes. Control characters,
/// which HTML forbids, are shown as `\u{..}` escapes instead.
pub fn escape_to(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let bytes = input.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        // Most text is ASCII that needs nothing: one table lookup per byte.
        if b < 0x80 && !ASCII_NEEDS[b as usize] {
            i += 1;
            continue;
        }
        let c = input[i..].chars().next().expect("a char starts at every lead byte");
        let rep: Option<&str> = match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '"' => Some("&quot;"),
            '\'' => Some("&#39;"),
            c if is_forbidden(c) => None,
            c => {
                i += c.len_utf8();
                continue;
            }
        };
        out.write_all(&bytes[start..i])?;
        match rep {
            Some(r) => out.write_all(r.as_bytes())?,
            None => write!(out, "\\u{{{:x}}}", c as u32)?,
        }
        i += c.len_utf8();
        start = i;
    }
    out.write_all(&bytes[start..])
}

/// `call(args…, value);` as the bytes of a script, for data the site's
/// scripts load with `<script>` tags (which work from `file://` too). The
/// value is [embeddable](embeddable_json) JSON, a valid JavaScript literal
/// in any engine, whatever its strings hold.
pub fn script(call: &str, args: &str, value: &(impl serde::Serialize + ?Sized)) -> Vec<u8> {
    let json = embeddable_json(serde_json::to_string(value).expect("JSON serialises"));
    format!("{call}({args}{json});\n").into_bytes()
}

/// The ASCII bytes [`escape_to`] replaces: markup and forbidden controls.
const ASCII_NEEDS: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = matches!(b as u8, b'&' | b'<' | b'>' | b'"' | b'\'' | 0x7f)
            || (b < 0x20 && !matches!(b as u8, b'\n' | b'\t' | b'\r'));
        b += 1;
    }
    t
};

fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c as u32, 0xFDD0..=0xFDEF)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// [`escape_to`] into a new string.
pub fn escape(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    escape_to(input, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

/// JSON text made safe to embed anywhere, a `<script>` element included:
/// `<` (which could open `</script>` or `<!--`), U+2028 and U+2029 (line
/// terminators to older JavaScript) occur only inside JSON strings, and are
/// written there as `\u` escapes. The JSON means the same.
/// Takes the text by value and gives it back untouched when it has none of
/// them, so a site index of tens of megabytes is not copied.
pub fn embeddable_json(json: String) -> String {
    if !json.contains(['<', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The name of a number that is not finite, as pipelines write it in JSON
/// (`NaN`, `Infinity`, `-Infinity`); `None` for finite numbers. Every page,
/// preview and JSON file names these numbers this way.
pub fn non_finite_name(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v.is_infinite() {
        Some(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

/// A number for people: NaN and infinities by name, whole numbers with
/// thousands separators, others with up to `decimals` decimals.
pub fn number(v: f64, decimals: usize) -> String {
    if let Some(name) = non_finite_name(v) {
        return name.into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return group(&format!("{}", v.abs() as u64), v < 0.0, "");
    }
    let text = format!("{:.*}", decimals, v.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let (int, frac) = text.split_once('.').map_or((text, ""), |(i, f)| (i, f));
    let frac = if frac.is_empty() { String::new() } else { format!(".{frac}") };
    group(int, v < 0.0 && !all_zero(text), &frac)
}

/// A number with exactly `decimals` decimals and thousands separators, for
/// labels that line up (`0.50`, `1.00`, `1,250.00`); never `-0`.
pub fn fixed(v: f64, decimals: usize) -> String {
    if let Some(name) = non_finite_name(v) {
        return name.into();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), String::new()), |(i, f)| (i, format!(".{f}")));
    group(int, v < 0.0 && !all_zero(&text), &frac)
}

/// Whether a written number is zero (`0`, `0.00`): it takes no sign.
fn all_zero(text: &str) -> bool {
    text.bytes().all(|b| b == b'0' || b == b'.')
}

fn group(int: &str, negative: bool, frac: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3 + frac.len() + 1);
    if negative {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out.push_str(frac);
    out
}

/// A count and its noun, plural unless the count is one: `1 error`,
/// `1,234 warnings`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", number(n as f64, 0)) }
}

/// A byte count for people: `512 B`, `1.5 KiB`, `3.2 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_keep_hostile_strings_inside_their_literals() {
        let v = serde_json::json!(["</script><script>alert(1)</script>", "a\u{2028}b\u{2029}c", "\"quoted\" \\"]);
        let js = String::from_utf8(script("f", "1, ", &v)).unwrap();
        assert_eq!(
            js,
            "f(1, [\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\",\"a\\u2028b\\u2029c\",\"\\\"quoted\\\" \\\\\"]);\n"
        );
        let back: serde_json::Value = serde_json::from_str(&js[5..js.len() - 3]).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("a\u{0}b\u{7f}"), "a\\u{0}b\\u{7f}");
        assert_eq!(escape("Überblick – ok\n"), "Überblick – ok\n");
        assert_eq!(escape("é\u{85}x\u{fdd0}\u{fffe}\t€"), "é\\u{85}x\\u{fdd0}\\u{fffe}\t€");
    }

    #[test]
    fn json_cannot_close_a_script() {
        let json = serde_json::to_string(&["</script><!--", "a\u{2028}b\u{2029}"]).unwrap();
        let safe = embeddable_json(json);
        assert_eq!(safe, r#"["\u003c/script>\u003c!--","a\u2028b\u2029"]"#);
        assert_eq!(serde_json::from_str::<Vec<String>>(&safe).unwrap(), ["</script><!--", "a\u{2028}b\u{2029}"]);
        assert_eq!(embeddable_json("[\"plain\"]".into()), "[\"plain\"]");
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(number(48213.0, 2), "48,213");
        assert_eq!(number(-1234567.0, 2), "-1,234,567");
        assert_eq!(number(94.615384, 2), "94.62");
        assert_eq!(number(2.5, 2), "2.5");
        assert_eq!(number(f64::NAN, 2), "NaN");
        assert_eq!(number(f64::NEG_INFINITY, 2), "-Infinity");
        assert_eq!(number(-0.001, 2), "0", "no -0");
        assert_eq!(number(-0.0, 2), "0");
        assert_eq!(bytes(1536), "1.5 KiB");
    }

    #[test]
    fn counts_take_their_plural_and_separators() {
        assert_eq!([counted(1, "row"), counted(0, "row"), counted(1200, "line")], ["1 row", "0 rows", "1,200 lines"]);
    }

    #[test]
    fn fixed_numbers_keep_their_decimals_and_never_read_minus_zero() {
        assert_eq!(fixed(0.5, 2), "0.50");
        assert_eq!(fixed(1250.0, 1), "1,250.0");
        assert_eq!(fixed(-0.0004, 3), "0.000");
        assert_eq!(fixed(-2.6, 0), "-3");
        assert_eq!(fixed(-1_234_567.891, 2), "-1,234,567.89");
        assert_eq!(fixed(f64::INFINITY, 2), "Infinity");
    }
}
