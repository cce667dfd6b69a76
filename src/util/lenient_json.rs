//! A JSON reader that also takes what Python's `json` module writes.
//!
//! Python writes `NaN`, `Infinity` and `-Infinity` as bare tokens, which JSON
//! forbids. We find them outside strings, rewrite each to a marker string that
//! [`non_finite`] recognises, and hand the result to `serde_json`. Files without
//! such tokens take the fast path straight into `serde_json`.

use serde::de::DeserializeSeed;
use serde_json::Value;
use std::borrow::Cow;
use std::marker::PhantomData;

const MARK_NAN: &str = "\u{0}NaN";
const MARK_INF: &str = "\u{0}Infinity";
const MARK_NEG_INF: &str = "\u{0}-Infinity";

/// How deep a parsed document nests at most (serde_json's recursion limit
/// stops at the 128th level). Code that walks a parsed document recursively
/// can rely on it.
pub const MAX_DEPTH: usize = 127;

/// A parsed JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document, with non-finite numbers as marker strings (see [`non_finite`]).
    pub value: Value,
    /// Where each non-finite token was found: (line, column, token).
    pub non_finite: Vec<(u32, u32, &'static str)>,
}

/// A document that could not be read, with the position serde_json reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong.
    pub message: String,
}

/// Parses `bytes` as JSON, accepting a UTF-8 byte order mark and Python's
/// non-finite number tokens.
pub fn parse(bytes: &[u8]) -> Result<Parsed, SyntaxError> {
    let prepared = prepare(bytes);
    let value = prepared.read(PhantomData::<Value>)?;
    Ok(Parsed { value, non_finite: prepared.non_finite })
}

/// A document ready to be read, once or more (a tree, a typed model):
/// without its byte order mark, non-finite tokens rewritten to markers.
pub struct Prepared<'a> {
    bytes: Cow<'a, [u8]>,
    /// Where each non-finite token was found: (line, column, token).
    pub non_finite: Vec<(u32, u32, &'static str)>,
}

/// Prepares `bytes` for reading; copies them only when they hold non-finite
/// tokens.
pub fn prepare(bytes: &[u8]) -> Prepared<'_> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let found = find_non_finite(bytes);
    let non_finite = found.iter().map(|t| (t.line, t.column, t.token)).collect();
    let bytes = if found.is_empty() { Cow::Borrowed(bytes) } else { Cow::Owned(rewrite(bytes, &found)) };
    Prepared { bytes, non_finite }
}

impl Prepared<'_> {
    /// Reads the document with `seed` (a `PhantomData<T>` reads a `T`); the
    /// whole input must be one JSON value.
    pub fn read<'s, S: DeserializeSeed<'s>>(&'s self, seed: S) -> Result<S::Value, SyntaxError> {
        let mut de = serde_json::Deserializer::from_slice(&self.bytes);
        let value = seed.deserialize(&mut de).map_err(|e| syntax_error(&e))?;
        de.end().map_err(|e| syntax_error(&e))?;
        Ok(value)
    }
}

fn syntax_error(e: &serde_json::Error) -> SyntaxError {
    // serde_json says column 0 for an error just after a newline.
    SyntaxError { line: e.line() as u32, column: e.column().max(1) as u32, message: describe(e) }
}

fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line L column C"; we report the position separately.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if text == "recursion limit exceeded" {
        return format!("nested more than {MAX_DEPTH} levels deep; not read (serde_json's limit)");
    }
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("{text}: the file ends before the JSON value is complete (truncated?)")
        }
        serde_json::error::Category::Io => text,
        _ => format!("{text}: expected valid JSON"),
    }
}

/// The value of a marker string written for a non-finite number, if `v` is one.
pub fn non_finite(v: &Value) -> Option<f64> {
    match v.as_str()? {
        MARK_NAN => Some(f64::NAN),
        MARK_INF => Some(f64::INFINITY),
        MARK_NEG_INF => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Reads a JSON value as a number, including marker strings for non-finite ones.
pub fn as_f64(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| non_finite(v))
}

struct Token {
    offset: usize,
    len: usize,
    token: &'static str,
    line: u32,
    column: u32,
}

fn find_non_finite(bytes: &[u8]) -> Vec<Token> {
    let mut found = Vec::new();
    let (mut line, mut line_start) = (1u32, 0usize);
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'\n' => {
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'\n' => {
                    line += 1;
                    line_start = i + 1;
                }
                b'N' | b'I' | b'-' => {
                    let rest = &bytes[i..];
                    let hit = [("NaN", MARK_NAN), ("Infinity", MARK_INF), ("-Infinity", MARK_NEG_INF)]
                        .into_iter()
                        .find(|(t, _)| rest.starts_with(t.as_bytes()));
                    if let Some((t, _)) = hit {
                        found.push(Token {
                            offset: i,
                            len: t.len(),
                            token: t,
                            line,
                            column: (i - line_start + 1) as u32,
                        });
                        i += t.len();
                        continue;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    found
}

fn rewrite(bytes: &[u8], found: &[Token]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + found.len() * 16);
    let mut at = 0;
    for t in found {
        out.extend_from_slice(&bytes[at..t.offset]);
        let mark = match t.token {
            "NaN" => "\"\\u0000NaN\"",
            "Infinity" => "\"\\u0000Infinity\"",
            _ => "\"\\u0000-Infinity\"",
        };
        out.extend_from_slice(mark.as_bytes());
        at = t.offset + t.len;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_python_non_finite_tokens_outside_strings() {
        let p = parse(b"{\"a\": NaN, \"b\": [Infinity, -Infinity], \"c\": \"NaN\"}").unwrap();
        assert!(as_f64(&p.value["a"]).unwrap().is_nan());
        assert_eq!(as_f64(&p.value["b"][0]), Some(f64::INFINITY));
        assert_eq!(as_f64(&p.value["b"][1]), Some(f64::NEG_INFINITY));
        assert_eq!(p.value["c"], Value::String("NaN".into()));
        assert_eq!(p.non_finite, vec![(1, 7, "NaN"), (1, 18, "Infinity"), (1, 28, "-Infinity")]);
    }

    #[test]
    fn reports_position_of_syntax_errors() {
        let e = parse(b"{\n  \"a\": 1,\n  \"b\": }").unwrap_err();
        assert_eq!((e.line, e.column), (3, 8));
        let e = parse(b"{\"a\": [1, 2").unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(deep.as_bytes()).unwrap_err();
        assert!(e.message.contains("nested more than 127 levels"), "{}", e.message);
        assert_eq!((e.line, e.column), (1, 128));
    }

    #[test]
    fn skips_a_byte_order_mark_and_escaped_quotes() {
        let p = parse(b"\xEF\xBB\xBF{\"a\\\"NaN\": 1}").unwrap();
        assert_eq!(p.value["a\"NaN"], 1);
        assert!(p.non_finite.is_empty());
    }
}
