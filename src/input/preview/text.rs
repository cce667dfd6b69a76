//! Text and log previews: the first lines of a text file, or the last lines
//! and the line count of a log, read in one streaming pass with bounded
//! memory (long lines are cut as they are read).

use super::io::unreadable;
use super::kinds::{Body, Line, Preview, Text, Warning};
use crate::config::previews::PreviewConfig;
use crate::input::source::Location;
use crate::util::html::escape;
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader};

/// Bytes kept of one line; the rest of the line is skipped.
pub(crate) const LINE_BYTES: usize = 512;

/// What a text file holds, for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    /// Plain text.
    Plain,
    /// A log: lines with ERROR or WARNING are marked.
    Log,
    /// One JSON document per line.
    Jsonl,
    /// YAML.
    Yaml,
    /// SQL.
    Sql,
    /// Python.
    Python,
    /// TOML.
    Toml,
}

impl Language {
    /// The language of a file extension, for the text formats previewed.
    pub(crate) fn of(ext: &str) -> Option<Language> {
        Some(match ext {
            "txt" | "text" | "out" | "err" | "ini" | "cfg" | "conf" | "sh" | "r" | "rst" => Language::Plain,
            "log" => Language::Log,
            "jsonl" | "ndjson" => Language::Jsonl,
            "yaml" | "yml" => Language::Yaml,
            "sql" => Language::Sql,
            "py" => Language::Python,
            "toml" => Language::Toml,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Language::Plain => "text",
            Language::Log => "log",
            Language::Jsonl => "JSON lines",
            Language::Yaml => "YAML",
            Language::Sql => "SQL",
            Language::Python => "Python",
            Language::Toml => "TOML",
        }
    }
}

/// The first `cfg.text_lines` lines of a file.
pub(crate) fn head(path: &Location, lang: Language, cfg: &PreviewConfig) -> Preview {
    let mut r = match path.open() {
        Ok(f) => BufReader::with_capacity(64 * 1024, f),
        Err(e) => return empty(lang, false).warn(unreadable(&e)),
    };
    read_head(&mut r, lang, cfg.text_lines)
}

/// The last `cfg.text_lines` lines of a log and its line count.
pub(crate) fn tail(path: &Location, cfg: &PreviewConfig) -> Preview {
    let mut r = match path.open() {
        Ok(f) => BufReader::with_capacity(64 * 1024, f),
        Err(e) => return empty(Language::Log, true).warn(unreadable(&e)),
    };
    read_tail(&mut r, cfg.text_lines)
}

fn empty(lang: Language, tail: bool) -> Preview {
    Preview::new(Body::Text(Text { language: lang.label(), lines: Vec::new(), total_lines: None, tail, more: false }))
}

/// Reads one line into `buf`, keeping at most [`LINE_BYTES`]. `None` at the end
/// of the input, else whether the line was cut.
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let (mut any, mut cut) = (false, false);
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(any.then_some(cut));
        }
        any = true;
        let (end, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(p) => (p, true),
            None => (avail.len(), false),
        };
        let room = LINE_BYTES - buf.len();
        buf.extend_from_slice(&avail[..end.min(room)]);
        cut |= end > room;
        r.consume(if done { end + 1 } else { end });
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(cut));
        }
    }
}

/// Bad-UTF-8 lines: how many and the first.
#[derive(Default)]
struct Encoding {
    bad: u64,
    first: u64,
}

impl Encoding {
    fn check(&mut self, n: u64, bytes: &[u8], cut: bool) {
        let ok = match std::str::from_utf8(bytes) {
            Ok(_) => true,
            Err(e) => cut && e.error_len().is_none(),
        };
        if !ok {
            if self.bad == 0 {
                self.first = n;
            }
            self.bad += 1;
        }
    }

    fn warning(&self) -> Option<Warning> {
        (self.bad > 0).then(|| {
            Warning::new(
                "text-encoding",
                format!(
                    "{} not valid UTF-8 (first at line {}); shown with \u{fffd} in place of the bad bytes",
                    crate::util::html::counted(self.bad as usize, "line") + if self.bad == 1 { " is" } else { " are" },
                    self.first
                ),
            )
            .at_line(self.first)
        })
    }
}

fn line(n: u64, bytes: &[u8], cut: bool, lang: Language) -> Line {
    let (mut text, _) = super::json::utf8_prefix(bytes);
    if cut {
        text.push('…');
    }
    let html = if lang == Language::Jsonl { super::highlight::json(&text) } else { escape(&text) };
    let level = (lang == Language::Log).then(|| level(&text)).flatten();
    Line { n, html, level }
}

fn level(text: &str) -> Option<&'static str> {
    if ["ERROR", "CRITICAL", "FATAL", "Traceback"].iter().any(|w| text.contains(w)) {
        Some("error")
    } else if text.contains("WARN") {
        Some("warn")
    } else {
        None
    }
}

fn read_head(r: &mut impl BufRead, lang: Language, max: usize) -> Preview {
    let (mut lines, mut enc, mut buf) = (Vec::new(), Encoding::default(), Vec::new());
    let mut warnings = Vec::new();
    let mut n = 0;
    while lines.len() < max {
        match next_line(r, &mut buf) {
            Ok(Some(cut)) => {
                n += 1;
                enc.check(n, &buf, cut);
                lines.push(line(n, &buf, cut, lang));
            }
            Ok(None) => break,
            Err(e) => {
                warnings.push(unreadable(&e));
                break;
            }
        }
    }
    let more = r.fill_buf().is_ok_and(|b| !b.is_empty());
    warnings.extend(enc.warning());
    let total_lines = (!more).then_some(n);
    let text = Text { language: lang.label(), lines, total_lines, tail: false, more };
    Preview { body: Body::Text(text), notes: Vec::new(), warnings }
}

fn read_tail(r: &mut impl BufRead, max: usize) -> Preview {
    let mut ring: VecDeque<(u64, Vec<u8>, bool)> = VecDeque::with_capacity(max + 1);
    let (mut enc, mut buf, mut n) = (Encoding::default(), Vec::new(), 0u64);
    let mut warnings = Vec::new();
    loop {
        match next_line(r, &mut buf) {
            Ok(Some(cut)) => {
                n += 1;
                enc.check(n, &buf, cut);
                if max == 0 {
                    continue;
                }
                let mut slot =
                    if ring.len() == max { ring.pop_front().map(|s| s.1).unwrap_or_default() } else { Vec::new() };
                slot.clear();
                slot.extend_from_slice(&buf);
                ring.push_back((n, slot, cut));
            }
            Ok(None) => break,
            Err(e) => {
                warnings.push(unreadable(&e));
                break;
            }
        }
    }
    warnings.extend(enc.warning());
    let more = n > ring.len() as u64;
    let lines = ring.iter().map(|(i, b, cut)| line(*i, b, *cut, Language::Log)).collect();
    let text = Text { language: Language::Log.label(), lines, total_lines: Some(n), tail: true, more };
    Preview { body: Body::Text(text), notes: Vec::new(), warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: &Preview) -> &Text {
        match &p.body {
            Body::Text(t) => t,
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn head_shows_the_first_lines() {
        let p = read_head(&mut &b"a\r\nb<\nc\nd"[..], Language::Plain, 2);
        let t = text(&p);
        assert_eq!(t.lines.iter().map(|l| l.html.as_str()).collect::<Vec<_>>(), ["a", "b&lt;"]);
        assert!(t.more && t.total_lines.is_none());
        let p = read_head(&mut &b"a\nb"[..], Language::Plain, 5);
        assert_eq!(text(&p).total_lines, Some(2));
        assert!(!text(&p).more);
    }

    #[test]
    fn tail_shows_the_last_lines_and_counts_all() {
        let log: String = (1..=1000).map(|i| format!("2024-01-01 INFO step {i}\n")).collect();
        let log = log + "2024-01-01 ERROR boom\n2024-01-01 WARNING meh\n";
        let p = read_tail(&mut log.as_bytes(), 3);
        let t = text(&p);
        assert_eq!(t.total_lines, Some(1002));
        assert_eq!(t.lines.iter().map(|l| l.n).collect::<Vec<_>>(), [1000, 1001, 1002]);
        assert_eq!(t.lines.iter().map(|l| l.level).collect::<Vec<_>>(), [None, Some("error"), Some("warn")]);
        assert!(t.tail && t.more);
    }

    #[test]
    fn long_lines_are_cut_and_bad_bytes_warned() {
        let long = "é".repeat(1000);
        let input = format!("{long}\nok\n");
        let p = read_head(&mut input.as_bytes(), Language::Plain, 10);
        let first = &text(&p).lines[0].html;
        assert!(first.ends_with('…') && first.chars().count() == LINE_BYTES / 2 + 1, "{}", first.len());
        assert!(p.warnings.is_empty(), "a character cut by the line cap is not bad UTF-8");
        let p = read_head(&mut &b"ok\nM\xfcller\n"[..], Language::Plain, 10);
        assert_eq!(p.warnings[0].code, "text-encoding");
        assert_eq!(p.warnings[0].line, Some(2));
        assert_eq!(text(&p).lines[1].html, "M\u{fffd}ller");
    }

    #[test]
    fn jsonl_lines_are_highlighted() {
        let p = read_head(&mut &b"{\"a\": 1}\n"[..], Language::Jsonl, 10);
        assert!(text(&p).lines[0].html.contains("hl-k"));
    }
}
