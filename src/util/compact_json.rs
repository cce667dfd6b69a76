//! A parsed JSON document kept as compact text.
//!
//! A parsed tree takes about ten times the memory of its compact text (every
//! value is 80 bytes, every object a hash table), and a build keeps every
//! document of every run until its pages are written. So documents are kept
//! as text: read back whole where a page draws the tree, or one value at a
//! JSON pointer, found by skipping over the text without parsing the rest.

use serde::de::IgnoredAny;
use serde_json::Value;
use std::sync::Arc;

/// The compact JSON text of a parsed document, shared between owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactJson(Arc<str>);

impl CompactJson {
    /// The compact text of `value`.
    pub fn of(value: &Value) -> CompactJson {
        CompactJson(serde_json::to_string(value).expect("a JSON value serialises").into())
    }

    /// Takes `text`, written by [`CompactJson::of`], back; `None` unless it
    /// is valid JSON (checked without building a tree).
    pub fn from_text(text: String) -> Option<CompactJson> {
        serde_json::from_str::<IgnoredAny>(&text).ok()?;
        Some(CompactJson(text.into()))
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The whole document, parsed.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).expect("compact text is written from a JSON value")
    }

    /// The value at `pointer` (RFC 6901, as [`Value::pointer`] reads it), parsed.
    pub fn pointer(&self, pointer: &str) -> Option<Value> {
        Some(serde_json::from_str(self.raw(pointer)?).expect("a value of valid compact text"))
    }

    /// Whether the document has a value at `pointer`.
    pub fn has(&self, pointer: &str) -> bool {
        self.raw(pointer).is_some()
    }

    /// The text of the value at `pointer`.
    fn raw(&self, pointer: &str) -> Option<&str> {
        let text = self.0.as_bytes();
        if pointer.is_empty() {
            return Some(&self.0);
        }
        let (mut start, mut end) = (blank(text, 0), text.len());
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            (start, end) = child(text, start, &token)?;
        }
        self.0.get(start..end)
    }
}

/// The span of the member `token` of the object or array starting at `at`
/// (the text is valid JSON, whitespace allowed where JSON allows it).
fn child(text: &[u8], at: usize, token: &str) -> Option<(usize, usize)> {
    match text[at] {
        b'{' => {
            let mut i = blank(text, at + 1);
            while text[i] != b'}' {
                let key_end = skip(text, i);
                let value_start = blank(text, blank(text, key_end) + 1);
                let value_end = skip(text, value_start);
                if key_is(&text[i..key_end], token) {
                    return Some((value_start, value_end));
                }
                i = next(text, value_end);
            }
            None
        }
        b'[' => {
            // As serde_json reads an index: digits, no sign, no leading zero.
            if token.starts_with('+') || token.starts_with('0') && token.len() > 1 {
                return None;
            }
            let index: usize = token.parse().ok()?;
            let mut i = blank(text, at + 1);
            let mut n = 0;
            while text[i] != b']' {
                let end = skip(text, i);
                if n == index {
                    return Some((i, end));
                }
                n += 1;
                i = next(text, end);
            }
            None
        }
        _ => None,
    }
}

/// The first byte at or after `i` that is not whitespace.
fn blank(text: &[u8], i: usize) -> usize {
    i + text[i..].iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// Where the member after the one ending at `end` starts, or the closing
/// bracket when it was the last.
fn next(text: &[u8], end: usize) -> usize {
    let i = blank(text, end);
    if text[i] == b',' { blank(text, i + 1) } else { i }
}

/// Whether the quoted key `raw` says `token`.
fn key_is(raw: &[u8], token: &str) -> bool {
    let inner = &raw[1..raw.len() - 1];
    if !inner.contains(&b'\\') {
        return inner == token.as_bytes();
    }
    std::str::from_utf8(raw).ok().and_then(|s| serde_json::from_str::<String>(s).ok()).is_some_and(|k| k == token)
}

/// The end of the value starting at `at`.
fn skip(text: &[u8], at: usize) -> usize {
    match text[at] {
        b'"' => string_end(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match text[i] {
                    b'"' => {
                        i = string_end(text, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            at + text[at..].iter().take_while(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()).count()
        }
    }
}

/// The end of the string whose opening quote is at `at`.
fn string_end(text: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    loop {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_pointer_reads_as_the_parsed_tree_reads_it() {
        let doc = json!({
            "a": {"b": [1, 2.5, {"c": "x,]}\"y"}], "": null},
            "a/b": true, "m~n": -3e-7, "esc\u{e9}\"k": [[], {}],
            "list": [[0], [1, [2]]], "s": "[{\\"
        });
        let compact = CompactJson::of(&doc);
        let pretty = CompactJson::from_text(format!(" {} ", serde_json::to_string_pretty(&doc).unwrap())).unwrap();
        let mut pointers = vec![String::new()];
        collect(&doc, String::new(), &mut pointers);
        pointers.extend(
            ["/missing", "/a/b/3", "/a/b/01", "/a/b/+1", "/a/b/x", "/s/0", "/a/b/2/c/d", "/list/1/1/0/0"]
                .map(String::from),
        );
        for p in &pointers {
            assert_eq!(compact.pointer(p).as_ref(), doc.pointer(p), "{p}");
            assert_eq!(compact.has(p), doc.pointer(p).is_some(), "{p}");
            assert_eq!(pretty.pointer(p).as_ref(), doc.pointer(p), "{p} in pretty text");
        }
        assert_eq!(compact.value(), doc);
    }

    fn collect(v: &Value, at: String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, x)| (k.replace('~', "~0").replace('/', "~1"), x)).collect(),
            Value::Array(a) => a.iter().enumerate().map(|(i, x)| (i.to_string(), x)).collect(),
            _ => Vec::new(),
        };
        for (token, x) in children {
            let p = format!("{at}/{token}");
            out.push(p.clone());
            collect(x, p, out);
        }
    }

    #[test]
    fn only_valid_json_is_taken_back() {
        assert_eq!(CompactJson::from_text(r#"{"a":[1,"b c"]}"#.into()).unwrap().value(), json!({"a": [1, "b c"]}));
        assert!(CompactJson::from_text("[1,".into()).is_none());
    }
}
