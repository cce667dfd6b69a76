//! One HTTP/1.x request head, read strictly and within a deadline.
//!
//! `serve` answers one request per connection (every answer closes it), so
//! all it needs of a request is its head: the request line and the header
//! fields. They are held to RFC 9112: lines end in CRLF (a bare LF is an
//! error the moment it arrives, not a wait), the request line is exactly
//! `method SP target SP HTTP/1.x`, the target is visible ASCII (a browser
//! percent-encodes; raw UTF-8 is refused with 400), field names are tokens
//! with no space before the colon, no line folding, and HTTP/1.1 carries one
//! `Host`. A head must be whole within [`HEAD_TIMEOUT`] and [`MAX_HEAD`]
//! bytes, or the connection is answered and closed.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long a client may take to send a whole request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head read.
pub(crate) const MAX_HEAD: usize = 16 * 1024;

/// A request head.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target as sent (`/v/x/?a=1`).
    pub target: String,
    /// Header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The value of the field `name` (any case), when it is there.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why no request head was read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failed {
    /// Not a valid head: answered with this status and reason, then closed.
    Refused(u16, &'static str),
    /// The head did not arrive in time: answered 408, then closed.
    TimedOut,
    /// The client closed or the connection broke: nothing to answer.
    Gone,
}

/// Reads one request head from `stream` within [`HEAD_TIMEOUT`].
pub(crate) fn read(stream: &mut TcpStream) -> Result<Head, Failed> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failed::TimedOut);
        }
        stream.set_read_timeout(Some(left)).map_err(|_| Failed::Gone)?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(if buf.is_empty() { Failed::Gone } else { Failed::Refused(400, "incomplete request") });
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(Failed::TimedOut);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(Failed::Gone),
        };
        let scanned = buf.len();
        buf.extend_from_slice(&chunk[..n]);
        match end_of_head(&buf, scanned) {
            Ok(Some(end)) => return parse(&buf[..end]).map_err(|why| Failed::Refused(400, why)),
            Ok(None) if buf.len() > MAX_HEAD => return Err(Failed::Refused(431, "request head too large")),
            Ok(None) => {}
            Err(why) => return Err(Failed::Refused(400, why)),
        }
    }
}

/// Where the head in `buf` ends (after its empty line), checking the bytes
/// from `from` on: a LF not after a CR is an error at once.
fn end_of_head(buf: &[u8], from: usize) -> Result<Option<usize>, &'static str> {
    // Leading empty lines before the request line are allowed (RFC 9112 §2.2).
    for i in from..buf.len() {
        if buf[i] != b'\n' {
            continue;
        }
        if i == 0 || buf[i - 1] != b'\r' {
            return Err("a line ends in a bare LF; HTTP lines end in CRLF");
        }
        if i >= 3 && &buf[i - 3..=i] == b"\r\n\r\n" && !only_empty_lines(&buf[..i - 1]) {
            return Ok(Some(i + 1));
        }
    }
    Ok(None)
}

fn only_empty_lines(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b'\r' || b == b'\n')
}

/// Parses a whole head (request line, fields, empty line).
pub(crate) fn parse(head: &[u8]) -> Result<Head, &'static str> {
    let text = std::str::from_utf8(head).map_err(|_| "the request head is not ASCII")?;
    let mut lines = text.split("\r\n").skip_while(|l| l.is_empty());
    let line = lines.next().ok_or("no request line")?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the request line must be: method, target, version, one space apart");
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err("the method is not a token");
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the request target must be visible ASCII (percent-encode other characters)");
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err("only HTTP/1.0 and HTTP/1.1 are spoken here");
    }
    let mut headers = Vec::new();
    for field in lines.take_while(|l| !l.is_empty()) {
        if field.starts_with([' ', '\t']) {
            return Err("folded header lines are not accepted");
        }
        let (name, value) = field.split_once(':').ok_or("a header line has no colon")?;
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err("a header name is not a token (or has space before its colon)");
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err("a header value holds a control character");
        }
        headers.push((name.to_string(), value.to_string()));
    }
    let head = Head { method: method.to_string(), target: target.to_string(), headers };
    let hosts = head.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("host")).count();
    if version == "HTTP/1.1" && hosts != 1 {
        return Err("an HTTP/1.1 request carries exactly one Host header");
    }
    Ok(head)
}

/// A character of an RFC 9110 token.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(lines: &str) -> Result<Head, &'static str> {
        parse(lines.as_bytes())
    }

    #[test]
    fn a_plain_request_reads() {
        let h = head("GET /v/x/?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept:  text/html \r\n\r\n").unwrap();
        assert_eq!((h.method.as_str(), h.target.as_str()), ("GET", "/v/x/?a=1"));
        assert_eq!(h.header("host"), Some("127.0.0.1:8000"));
        assert_eq!(h.header("ACCEPT"), Some("text/html"));
        assert!(head("\r\nGET / HTTP/1.0\r\n\r\n").is_ok(), "a leading empty line, and 1.0 needs no Host");
    }

    #[test]
    fn malformed_heads_are_refused() {
        for bad in [
            "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\r\nHost: a\r\n\r\n",
            "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: \u{1}\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n",
        ] {
            assert!(head(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_bare_lf_is_an_error_as_soon_as_it_arrives() {
        assert!(end_of_head(b"GET / HTTP/1.1\n", 0).is_err());
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\nHost: a\r\n", 0), Ok(None));
        assert_eq!(end_of_head(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 0), Ok(Some(27)));
        assert_eq!(end_of_head(b"\r\n\r\nGET", 0), Ok(None), "empty lines before the request line");
    }
}
