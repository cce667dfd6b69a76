//! A JSON document read only as far as a page shows it.
//!
//! A tree page draws at most a budget of values, in document order. For a
//! big file, [`Pruned`] reads the document straight from its bytes and keeps
//! just those values: past the budget it counts what it skips instead of
//! building it, so memory follows what is shown, not the file's size. What
//! was cut is kept in a [`Cut`]: how many values, and the real length of each
//! list and object that lost entries.

use super::paths::pointer_push;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::fmt;

/// What a pruned read left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cut {
    /// Values not kept (a list or object counts as one, plus its contents).
    pub values: usize,
    /// Entries in the file of each list or object (by JSON pointer) that
    /// kept fewer.
    pub lengths: HashMap<String, usize>,
}

impl Cut {
    /// The number of entries the container at `pointer` has in the file,
    /// when the read kept fewer.
    pub fn length(&self, pointer: &str) -> Option<usize> {
        self.lengths.get(pointer).copied()
    }
}

/// Reads a document keeping its first `budget` values in document order,
/// the root always (a seed for [`super::lenient_json::Prepared::read`]).
pub struct Pruned {
    /// Values still to keep.
    pub budget: usize,
}

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = (Value, Cut);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(Value, Cut), D::Error> {
        // The root is always kept, so a tree has something to stand on.
        let mut state = State { left: self.budget.max(1), cut: Cut::default() };
        let value = Node { state: &mut state, pointer: String::new() }.deserialize(d)?;
        Ok((value.unwrap_or(Value::Null), state.cut))
    }
}

struct State {
    left: usize,
    cut: Cut,
}

/// One value at `pointer`: kept while the budget lasts (`Some`), else counted.
struct Node<'s> {
    state: &'s mut State,
    pointer: String,
}

impl Node<'_> {
    fn leaf<E>(self, v: Value) -> Result<Option<Value>, E> {
        Ok(if self.state.take() { Some(v) } else { None })
    }
}

impl State {
    /// Takes one value from the budget; false (and counted as cut) when it is spent.
    fn take(&mut self) -> bool {
        if self.left == 0 {
            self.cut.values += 1;
            return false;
        }
        self.left -= 1;
        true
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<Value>, E> {
        self.leaf(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<Value>, E> {
        self.leaf(Value::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<Value>, E> {
        self.leaf(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Option<Value>, E> {
        self.leaf(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<Value>, E> {
        self.leaf(Value::String(s.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        self.leaf(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        if !self.state.take() {
            while let Some(n) = seq.next_element_seed(Count)? {
                self.state.cut.values += n;
            }
            return Ok(None);
        }
        let (mut items, mut n) = (Vec::new(), 0);
        loop {
            let child = Node { state: &mut *self.state, pointer: format!("{}/{n}", self.pointer) };
            let Some(kept) = seq.next_element_seed(child)? else { break };
            items.extend(kept);
            n += 1;
        }
        if items.len() < n {
            self.state.cut.lengths.insert(self.pointer, n);
        }
        Ok(Some(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        if !self.state.take() {
            while map.next_key::<IgnoredAny>()?.is_some() {
                self.state.cut.values += map.next_value_seed(Count)?;
            }
            return Ok(None);
        }
        let (mut object, mut n, mut partial) = (Map::new(), 0, false);
        while let Some(key) = map.next_key::<String>()? {
            let child = Node { state: &mut *self.state, pointer: pointer_push(&self.pointer, &key) };
            match map.next_value_seed(child)? {
                Some(v) => {
                    object.insert(key, v);
                }
                None => partial = true,
            }
            n += 1;
        }
        if partial {
            self.state.cut.lengths.insert(self.pointer, n);
        }
        Ok(Some(Value::Object(object)))
    }
}

/// Skips one value, counting it and everything inside it.
struct Count;

impl<'de> DeserializeSeed<'de> for Count {
    type Value = usize;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        Ok(1)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut n = 1;
        while let Some(inner) = seq.next_element_seed(Count)? {
            n += inner;
        }
        Ok(n)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut n = 1;
        while map.next_key::<IgnoredAny>()?.is_some() {
            n += map.next_value_seed(Count)?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::lenient_json::prepare;
    use serde_json::json;

    fn pruned(text: &str, budget: usize) -> (Value, Cut) {
        prepare(text.as_bytes()).read(Pruned { budget }).unwrap()
    }

    #[test]
    fn a_document_within_the_budget_is_read_whole() {
        let text = r#"{"a": [1, 2.5, "x", null, true], "b": {"c": {}}}"#;
        let (value, cut) = pruned(text, 100);
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(cut, Cut::default());
    }

    #[test]
    fn past_the_budget_values_are_counted_and_lengths_kept() {
        // 1 root + "a" list + 3 numbers + "b" object + "c" + 2 in "c".
        let (value, cut) = pruned(r#"{"a": [1, 2, 3], "b": {"c": [4, 5]}, "d": 6}"#, 4);
        assert_eq!(value, json!({"a": [1, 2]}));
        assert_eq!(cut.values, 1 + 4 + 1);
        assert_eq!(cut.length("/a"), Some(3));
        assert_eq!(cut.length(""), Some(3));
        assert_eq!(cut.length("/b"), None, "the whole of b is cut, so it is not in the value");
    }

    #[test]
    fn non_finite_tokens_stay_markers_and_keys_are_escaped_pointers() {
        let (value, cut) = pruned(r#"{"a/b": [NaN, 1, 2]}"#, 3);
        assert!(crate::util::lenient_json::non_finite(&value["a/b"][0]).unwrap().is_nan());
        assert_eq!(cut.length("/a~1b"), Some(3));
    }
}
