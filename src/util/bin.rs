//! A small binary encoding, for what a build keeps between builds and reads
//! back many times faster than it parsed the JSON it came from: numbers as
//! LEB128 varints, floats as their eight bytes, texts with their length in
//! front, JSON values as a tag and their parts. The encoding is framed by a
//! header and closed by an XXH3 digest of everything before it, so a file
//! cut short or damaged reads as nothing rather than as something else.

use serde_json::{Map, Number, Value};
use xxhash_rust::xxh3::xxh3_64;

/// How deep a JSON value read back may nest; a parsed file nests at most 128.
const MAX_DEPTH: u32 = 256;

/// Writes values one after another.
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    /// A writer whose output starts with `header`.
    pub(crate) fn new(header: &[u8]) -> Writer {
        Writer(header.to_vec())
    }

    /// The bytes written, closed by their digest.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let digest = xxh3_64(&self.0);
        self.0.extend_from_slice(&digest.to_le_bytes());
        self.0
    }

    /// An unsigned number.
    pub(crate) fn u64(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    /// An index or length.
    pub(crate) fn usize(&mut self, n: usize) {
        self.u64(n as u64);
    }

    /// A float, exactly (NaN included).
    pub(crate) fn f64(&mut self, x: f64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    /// A flag.
    pub(crate) fn bool(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    /// A text.
    pub(crate) fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    /// An optional value, written by `put` when present.
    pub(crate) fn opt<T>(&mut self, value: Option<T>, put: impl FnOnce(&mut Writer, T)) {
        self.bool(value.is_some());
        if let Some(v) = value {
            put(self, v);
        }
    }

    /// An optional text.
    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        self.opt(s, Writer::str);
    }

    /// A list, each item written by `put`.
    pub(crate) fn list<T>(&mut self, items: &[T], mut put: impl FnMut(&mut Writer, &T)) {
        self.usize(items.len());
        for item in items {
            put(self, item);
        }
    }

    /// A JSON value, with its numbers' kinds (unsigned, signed, float) and
    /// its objects' key order.
    pub(crate) fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.0.push(0),
            Value::Bool(b) => self.0.push(1 + u8::from(*b)),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    self.0.push(3);
                    self.u64(u);
                } else if let Some(i) = n.as_i64() {
                    self.0.push(4);
                    self.0.extend_from_slice(&i.to_le_bytes());
                } else {
                    self.0.push(5);
                    self.f64(n.as_f64().unwrap_or(f64::NAN));
                }
            }
            Value::String(s) => {
                self.0.push(6);
                self.str(s);
            }
            Value::Array(items) => {
                self.0.push(7);
                self.list(items, Writer::value);
            }
            Value::Object(map) => {
                self.0.push(8);
                self.usize(map.len());
                for (k, v) in map {
                    self.str(k);
                    self.value(v);
                }
            }
        }
    }
}

/// Reads back what a [`Writer`] wrote, in the same order; every read is
/// `None` once the bytes run out or do not fit.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` when they start with `header` and end with the
    /// digest of the rest, else `None`.
    pub(crate) fn open(bytes: &'a [u8], header: &[u8]) -> Option<Reader<'a>> {
        let (body, digest) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if !body.starts_with(header) || xxh3_64(body).to_le_bytes() != digest {
            return None;
        }
        Some(Reader { bytes: body, at: header.len() })
    }

    /// Whether every byte was read.
    pub(crate) fn done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let part = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(part)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    /// An unsigned number.
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// An index or length.
    pub(crate) fn usize(&mut self) -> Option<usize> {
        self.u64().and_then(|n| usize::try_from(n).ok())
    }

    /// A number that fits 32 bits.
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.u64().and_then(|n| u32::try_from(n).ok())
    }

    /// A float.
    pub(crate) fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A flag.
    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// A text.
    pub(crate) fn string(&mut self) -> Option<String> {
        let n = self.usize()?;
        std::str::from_utf8(self.take(n)?).ok().map(str::to_owned)
    }

    /// An optional value, read by `get` when present.
    pub(crate) fn opt<T>(&mut self, get: impl FnOnce(&mut Reader<'a>) -> Option<T>) -> Option<Option<T>> {
        if self.bool()? { get(self).map(Some) } else { Some(None) }
    }

    /// An optional text.
    pub(crate) fn opt_string(&mut self) -> Option<Option<String>> {
        self.opt(Reader::string)
    }

    /// A list, each item read by `get`.
    pub(crate) fn list<T>(&mut self, mut get: impl FnMut(&mut Reader<'a>) -> Option<T>) -> Option<Vec<T>> {
        let n = self.usize()?;
        // Every item takes a byte at least: a length past the end is damage.
        if n > self.bytes.len() - self.at {
            return None;
        }
        (0..n).map(|_| get(self)).collect()
    }

    /// A JSON value.
    pub(crate) fn value(&mut self) -> Option<Value> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Number(self.u64()?.into()),
            4 => Value::Number(i64::from_le_bytes(self.take(8)?.try_into().ok()?).into()),
            5 => Value::Number(Number::from_f64(self.f64()?)?),
            6 => Value::String(self.string()?),
            7 => Value::Array(self.list(|r| r.value_at(depth + 1))?),
            8 => {
                let n = self.usize()?;
                if n > self.bytes.len() - self.at {
                    return None;
                }
                let mut map = Map::with_capacity(n);
                for _ in 0..n {
                    let k = self.string()?;
                    map.insert(k, self.value_at(depth + 1)?);
                }
                Value::Object(map)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = b"test\n";

    fn written(put: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut w = Writer::new(HEADER);
        put(&mut w);
        w.finish()
    }

    #[test]
    fn values_read_back_as_written() {
        let value: Value = serde_json::from_str(
            r#"{"z": 1, "a": [true, false, null, -3, 18446744073709551615, 0.1, -2.5e300, "é\n"], "m": {}}"#,
        )
        .unwrap();
        let bytes = written(|w| {
            w.value(&value);
            w.u64(u64::MAX);
            w.f64(f64::NAN);
            w.opt_str(None);
            w.opt_str(Some("x"));
        });
        let mut r = Reader::open(&bytes, HEADER).unwrap();
        let back = r.value().unwrap();
        assert_eq!(back, value);
        assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&value).unwrap());
        assert_eq!(r.u64(), Some(u64::MAX));
        assert!(r.f64().unwrap().is_nan());
        assert_eq!(r.opt_string(), Some(None));
        assert_eq!(r.opt_string(), Some(Some("x".into())));
        assert!(r.done());
    }

    #[test]
    fn damaged_or_cut_bytes_read_as_nothing() {
        let bytes = written(|w| w.str("some text"));
        assert!(Reader::open(&bytes, HEADER).is_some());
        assert!(Reader::open(&bytes, b"other\n").is_none());
        assert!(Reader::open(&bytes[..bytes.len() - 1], HEADER).is_none());
        let mut flipped = bytes.clone();
        flipped[HEADER.len() + 2] ^= 1;
        assert!(Reader::open(&flipped, HEADER).is_none());
        assert!(Reader::open(&[], HEADER).is_none());
        let mut r = Reader::open(&bytes, HEADER).unwrap();
        assert_eq!(r.string().as_deref(), Some("some text"));
        assert_eq!(r.u64(), None, "nothing is left to read");
    }
}
