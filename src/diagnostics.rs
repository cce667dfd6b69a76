//! Problems found while reading the artifacts tree, as data.
//!
//! Every stage of the build pushes [`Diagnostic`]s into one list; the list is
//! sorted and deduplicated once, then shown the same way in the terminal, on the
//! problems page and in `index.json`.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How bad a problem is. Ordered from worst to mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Input that makes a file or the site wrong: JSON that does not parse, a
    /// manifest that cannot be read, a file the manifest lists that is missing.
    Error,
    /// Input that was read, but not as the pipeline design describes it (a
    /// field of an unexpected type, an unlisted file, NaN).
    Warning,
    /// Worth knowing, nothing lost (an alias, a skipped directory symlink).
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// Path of the file, relative to the artifacts root, with `/` separators.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// How bad it is.
    pub severity: Severity,
    /// A short stable code naming the kind of problem, e.g. `json-syntax`.
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// JSON pointer into the file, when the problem is at one value.
    pub pointer: Option<String>,
    /// How many times the file has this problem; the position is the first's.
    #[serde(skip_serializing_if = "is_one")]
    pub count: u32,
}

/// A [`Diagnostic`] as it is read back (from the build cache).
#[derive(Deserialize)]
struct Stored {
    path: String,
    line: Option<u32>,
    column: Option<u32>,
    severity: Severity,
    code: String,
    message: String,
    pointer: Option<String>,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Diagnostic, D::Error> {
        let s = Stored::deserialize(d)?;
        Ok(Diagnostic {
            code: code(s.code).map_err(serde::de::Error::custom)?,
            path: s.path,
            line: s.line,
            column: s.column,
            severity: s.severity,
            message: s.message,
            pointer: s.pointer,
            count: s.count,
        })
    }
}

/// The one static copy of a code read back: codes are a few short names,
/// each kept once for the life of the process.
pub(crate) fn code(text: String) -> Result<&'static str, String> {
    static CODES: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let named = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    if text.is_empty() || text.len() > 40 || !text.bytes().all(named) {
        return Err(format!("{text:?} is no diagnostic code"));
    }
    let mut codes = CODES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&known) = codes.get(text.as_str()) {
        return Ok(known);
    }
    let kept: &'static str = Box::leak(text.into_boxed_str());
    codes.insert(kept);
    Ok(kept)
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Diagnostic {
    /// A diagnostic for `path` with no position.
    pub fn new(severity: Severity, code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            severity,
            code,
            message: message.into(),
            pointer: None,
            count: 1,
        }
    }

    /// The same diagnostic, standing for `n` occurrences in the file.
    pub fn times(mut self, n: u32) -> Self {
        self.count = n;
        self
    }

    /// The same diagnostic at a line and column.
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The same diagnostic at a JSON pointer.
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// `path:line:col`, as editors and CI annotations expect.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.path),
            (Some(l), None) => format!("{}:{l}", self.path),
            _ => self.path.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// One line, whatever the input held: control characters (a newline or
    /// a terminal escape in a file name) and bidirectional overrides are
    /// written as `\u{..}` escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", printable(&self.location()), self.severity, printable(&self.message))?;
        if let Some(p) = &self.pointer {
            write!(f, " (at {})", printable(p))?;
        }
        if self.count > 1 {
            write!(f, " ({} times in this file; the first is here)", self.count)?;
        }
        Ok(())
    }
}

fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with the characters a terminal line must not carry escaped.
fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unprintable) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars().map(|c| if is_unprintable(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect(),
    )
}

/// Sorts diagnostics by file, position and severity, and drops exact repeats.
pub fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
}

/// Counts of each severity in a list.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Number of infos.
    pub infos: usize,
}

impl Counts {
    /// Counts the severities in `diagnostics`.
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        let mut c = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// Errors plus warnings: what a reader would call problems.
    pub fn problems(&self) -> usize {
        self.errors + self.warnings
    }

    /// Whether these problems fail a check: any error, and with `strict`
    /// any warning too.
    pub fn fail(&self, strict: bool) -> bool {
        self.errors > 0 || (strict && self.warnings > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_prints_as_one_safe_line() {
        let d = Diagnostic::new(Severity::Warning, "x", "v/a\nb\u{1b}[31m.csv", "bad \u{202e}txt.exe")
            .at(3, 4)
            .at_pointer("/k\r");
        assert_eq!(d.to_string(), "v/a\\u{a}b\\u{1b}[31m.csv:3:4: warning: bad \\u{202e}txt.exe (at /k\\u{d})");
        let plain = Diagnostic::new(Severity::Error, "x", "v/a.json", "broken");
        assert_eq!(plain.to_string(), "v/a.json: error: broken");
    }
}
