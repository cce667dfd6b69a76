//! Where a JSON pointer's value sits in a JSON text, as a line and column.
//!
//! Validation errors name a value by its JSON pointer; people and editors want
//! a line. [`locate`] walks the text without building a tree and without
//! recursion, skipping every value the pointer does not lead into, so it costs
//! one pass over the text at most, at any nesting depth. It reads what
//! [`crate::util::lenient_json`] reads (a byte order mark, `NaN` and `Infinity`).

/// The 1-based line and byte column of the value `pointer` names in `text`:
/// the member's key for a value inside an object, the value itself for array
/// items and the root. When the pointer leads nowhere (a key the text does
/// not have, text that does not parse), the position of the deepest value it
/// did reach.
pub fn locate(text: &[u8], pointer: &str) -> (u32, u32) {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut c = Cursor { b: text, i: 0 };
    c.ws();
    let mut at = c.i;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        match c.enter(&token) {
            Some((shown, value)) => {
                at = shown;
                c.i = value;
            }
            None => break,
        }
    }
    position(text, at)
}

/// The 1-based line and byte column of byte `offset` of `text`.
pub fn position(text: &[u8], offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (saturate(line), saturate(before.len() - line_start + 1))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// At the value the cursor is on, finds the child named `token`:
    /// (offset to show, offset of the child's value).
    fn enter(&mut self, token: &str) -> Option<(usize, usize)> {
        match self.peek()? {
            b'{' => self.member_named(token),
            b'[' => self.item(token.parse().ok()?),
            _ => None,
        }
    }

    /// In the object at the cursor, the member named `token`: the last of
    /// that name counts, as it does for the parser. Past the first match, a
    /// text that ends early still has one.
    fn member_named(&mut self, token: &str) -> Option<(usize, usize)> {
        self.i += 1;
        let mut found = None;
        while let Some((key, key_at)) = self.member() {
            if key == token {
                found = Some((key_at, self.i));
            }
            if self.skip_value().is_none() {
                break;
            }
            self.ws();
            if self.peek() != Some(b',') {
                break;
            }
            self.i += 1;
        }
        found
    }

    /// In the array at the cursor, item number `index`.
    fn item(&mut self, index: usize) -> Option<(usize, usize)> {
        self.i += 1;
        for _ in 0..index {
            self.ws();
            if self.peek()? == b']' {
                return None;
            }
            self.skip_value()?;
            self.ws();
            if self.peek()? != b',' {
                return None;
            }
            self.i += 1;
        }
        self.ws();
        (self.peek()? != b']').then_some((self.i, self.i))
    }

    /// Reads the key of the next object member and its colon: (key, offset
    /// of the key). The cursor is left on the member's value.
    fn member(&mut self) -> Option<(String, usize)> {
        self.ws();
        let key_at = self.i;
        let key = self.string()?;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        self.ws();
        Some((key, key_at))
    }

    /// The end of the string that starts at the cursor (just past its
    /// closing quote), without decoding it.
    fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            match self.peek()? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                _ => self.i += 1,
            }
        }
    }

    /// Reads the string at the cursor, escapes decoded.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i;
        self.skip_string()?;
        serde_json::from_slice(self.b.get(start..self.i)?).ok()
    }

    /// Moves past the value at the cursor, nested ones included, counting
    /// brackets instead of recursing.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{\n  \"a\": 1,\n  \"b\": {\"c\": [10, {\"d\": NaN}, \"x\\\"]\"]},\n  \"e/f\": {\"~\": true},\n  \"\\u00e9\": 2\n}";

    #[test]
    fn finds_keys_and_items() {
        let t = DOC.as_bytes();
        assert_eq!(locate(t, ""), (1, 1));
        assert_eq!(locate(t, "/a"), (2, 3));
        assert_eq!(locate(t, "/b"), (3, 3));
        assert_eq!(locate(t, "/b/c"), (3, 9));
        assert_eq!(locate(t, "/b/c/0"), (3, 15));
        assert_eq!(locate(t, "/b/c/1/d"), (3, 20));
        assert_eq!(locate(t, "/b/c/2"), (3, 31));
        assert_eq!(locate(t, "/e~1f/~0"), (4, 11));
        assert_eq!(locate(t, "/é"), (5, 3));
    }

    #[test]
    fn stops_at_the_deepest_value_reached() {
        let t = DOC.as_bytes();
        assert_eq!(locate(t, "/b/missing"), (3, 3));
        assert_eq!(locate(t, "/b/c/9"), (3, 9));
        assert_eq!(locate(t, "/a/deeper"), (2, 3));
        assert_eq!(locate(b"{\"a\": [1, 2", "/a/5"), (1, 2));
        assert_eq!(locate(b"", "/x"), (1, 1));
    }

    #[test]
    fn the_last_duplicate_key_wins_and_a_bom_is_skipped() {
        assert_eq!(locate(b"{\"a\": 1, \"a\": 2}", "/a"), (1, 10));
        assert_eq!(locate(b"\xEF\xBB\xBF[0, 1]", "/1"), (1, 5));
    }

    #[test]
    fn deep_nesting_costs_no_stack() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        let doc = format!("{{\"skip\": {deep}, \"k\": {deep}}}");
        assert_eq!(locate(doc.as_bytes(), "/k"), (1, 400_012));
        assert_eq!(locate(doc.as_bytes(), "/k/0/0/0"), (1, 400_020));
    }
}
