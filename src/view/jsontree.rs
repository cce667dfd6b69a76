//! A JSON document as a readable HTML tree, one element id per JSON pointer.
//!
//! Objects and arrays are collapsible `<details>`; every value carries the id
//! [`crate::util::paths::pointer_id`] gives its pointer, so other pages can link to a
//! single field. Output is bounded: past `max_nodes` values the rest is cut.

use crate::util::html::{counted, escape};
use crate::util::lenient_json::non_finite;
use crate::util::paths::{pointer_id, pointer_push};
use crate::util::pruned_json::Cut;
use serde_json::Value;
use std::fmt::Write;

/// Renders `value` as an HTML tree of at most `max_nodes` values. When
/// `value` is a pruned read, `cut` says what the file has beyond it: the tree
/// gives the file's own lengths and counts, as if drawn from the whole file.
pub fn render(value: &Value, max_nodes: usize, cut: Option<&Cut>) -> String {
    let mut r = Renderer { out: String::new(), left: max_nodes, cut: 0, pruned: cut };
    r.out.push_str("<div class=\"jt\">");
    r.node(None, "", value, 0);
    r.cut += cut.map_or(0, |c| c.values);
    if r.cut > 0 {
        let _ = write!(
            r.out,
            "<p class=\"jt-cut\">{} more values not shown; open the raw file for all of it.</p>",
            crate::util::html::number(r.cut as f64, 0)
        );
    }
    r.out.push_str("</div>");
    r.out
}

struct Renderer<'a> {
    out: String,
    left: usize,
    cut: usize,
    pruned: Option<&'a Cut>,
}

fn count(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(count).sum::<usize>(),
        Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        _ => 1,
    }
}

impl Renderer<'_> {
    /// Entries of the container at `pointer` in the file.
    fn length(&self, pointer: &str, kept: usize) -> usize {
        self.pruned.and_then(|c| c.length(pointer)).unwrap_or(kept)
    }

    fn key(&mut self, key: Option<&str>) {
        if let Some(k) = key {
            let _ = write!(self.out, "<span class=\"jk\">{}</span>: ", escape(k));
        }
    }

    fn node(&mut self, key: Option<&str>, pointer: &str, v: &Value, depth: usize) {
        if self.left == 0 {
            self.cut += count(v);
            return;
        }
        self.left -= 1;
        let id = pointer_id(pointer);
        match v {
            Value::Object(m) if self.length(pointer, m.len()) > 0 => {
                let _ = write!(self.out, "<details id=\"{id}\" open><summary>");
                self.key(key);
                let _ = write!(
                    self.out,
                    "<span class=\"jb\">{{</span><span class=\"jn\">{}</span></summary><ul>",
                    counted(self.length(pointer, m.len()), "key")
                );
                for (k, child) in m {
                    if self.left == 0 {
                        self.cut += count(child);
                        continue;
                    }
                    self.out.push_str("<li>");
                    self.node(Some(k), &pointer_push(pointer, k), child, depth + 1);
                    self.out.push_str("</li>");
                }
                self.out.push_str("</ul><span class=\"jb\">}</span></details>");
            }
            Value::Array(a) if self.length(pointer, a.len()) > 0 => {
                let _ = write!(self.out, "<details id=\"{id}\"{}><summary>", if depth < 3 { " open" } else { "" });
                self.key(key);
                let _ = write!(
                    self.out,
                    "<span class=\"jb\">[</span><span class=\"jn\">{}</span></summary><ol start=\"0\">",
                    counted(self.length(pointer, a.len()), "item")
                );
                for (i, child) in a.iter().enumerate() {
                    if self.left == 0 {
                        self.cut += count(child);
                        continue;
                    }
                    self.out.push_str("<li>");
                    self.node(None, &format!("{pointer}/{i}"), child, depth + 1);
                    self.out.push_str("</li>");
                }
                self.out.push_str("</ol><span class=\"jb\">]</span></details>");
            }
            _ => {
                let _ = write!(self.out, "<div id=\"{id}\" class=\"jl\">");
                self.key(key);
                self.scalar(v);
                self.out.push_str("</div>");
            }
        }
    }

    fn scalar(&mut self, v: &Value) {
        if let Some(x) = non_finite(v) {
            let text = if x.is_nan() {
                "NaN"
            } else if x > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            let _ = write!(
                self.out,
                "<span class=\"jv-nonfinite\" title=\"not valid JSON; written by Python\">{text}</span>"
            );
            return;
        }
        let _ = match v {
            Value::Null => write!(self.out, "<span class=\"jv-null\">null</span>"),
            Value::Bool(b) => write!(self.out, "<span class=\"jv-bool\">{b}</span>"),
            Value::Number(n) => write!(self.out, "<span class=\"jv-num\">{n}</span>"),
            Value::String(s) => write!(self.out, "<span class=\"jv-str\">\"{}\"</span>", escape(s)),
            Value::Object(_) => write!(self.out, "<span class=\"jb\">{{}}</span>"),
            Value::Array(_) => write!(self.out, "<span class=\"jb\">[]</span>"),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_value_has_its_pointer_id() {
        let html = render(&json!({"a": {"b c": [1, "<x>"]}, "e": {}}), 100, None);
        for id in ["p", "p/a", "p/a/b~20c", "p/a/b~20c/0", "p/a/b~20c/1", "p/e"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing in {html}");
        }
        assert!(html.contains("&lt;x&gt;"));
        assert!(!html.contains("<x>"));
    }

    #[test]
    fn output_is_bounded() {
        let big = Value::Array((0..1000).map(|i| json!(i)).collect());
        let html = render(&big, 10, None);
        assert!(html.contains("991 more values"), "{html}");
    }
}
