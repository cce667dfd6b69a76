//! The HTTP side of `serve`: maps a request to a file of the current
//! snapshot, and nothing else.
//!
//! A URL never becomes a file-system path: it is decoded once, checked, and
//! looked up in the snapshot's maps. Generated files come from memory; raw
//! files from the path the scan recorded, checked again to be inside the
//! root when served (a symlink swapped since the scan cannot lead out).
//! Requests whose `Host` is not this machine are refused, so a web page
//! cannot reach the site through DNS rebinding.

use super::live;
use super::request::{self, Failed, Head};
use super::store::Snapshot;
use crate::input::source::{Location, Reader};
use crate::plan;
use crate::util::paths::percent_decode_strict;
use crate::view::common::report_sandbox;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// How long an answer may wait on a client that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// A request being answered: its head, and the connection to answer on.
pub(crate) struct Request {
    head: Head,
    stream: TcpStream,
}

/// Answers the one request of a new connection, then closes it. A head
/// that is malformed, too large or too slow gets its status (400, 431, 408)
/// and the connection closed.
pub(crate) fn answer(state: &Arc<State>, mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    match request::read(&mut stream) {
        Ok(head) => handle(state, Request { head, stream }),
        Err(Failed::Refused(status, why)) => send_on(stream, false, Reply::text(status, why)),
        Err(Failed::TimedOut) => send_on(stream, false, Reply::text(408, "the request head did not arrive in time")),
        Err(Failed::Gone) => {}
    }
}

/// What request handlers share with the rebuild thread.
pub(crate) struct State {
    /// The site being served.
    pub snapshot: RwLock<Arc<Snapshot>>,
    /// The overlay's list: errors of the last build, as JSON.
    pub errors: RwLock<serde_json::Value>,
    /// Open event streams.
    pub hub: live::Hub,
    /// Names this server differs from other runs by, so a page from an
    /// earlier run reloads when it reconnects.
    pub instance: String,
    /// Host names requests may carry (without port); empty: any.
    pub hosts: Vec<String>,
}

impl State {
    /// The current snapshot.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Why a request target was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a path this server could ever serve: 400.
    BadRequest(&'static str),
}

/// The site path a request target names: `/v/x/` → `v/x/index.html`.
/// Refuses anything that could step out of the site or that is not a
/// plain path: `..` and `.` segments (also percent-encoded), backslashes,
/// NUL, empty segments, targets that do not start with `/`, bad escapes and
/// bytes that are not UTF-8.
pub(crate) fn site_path(target: &str) -> Result<String, Refused> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else { return Err(Refused::BadRequest("the target must start with /")) };
    let decoded = percent_decode_strict(rest).ok_or(Refused::BadRequest("bad percent-encoding"))?;
    if decoded.contains(['\\', '\0']) {
        return Err(Refused::BadRequest("backslash or NUL in the path"));
    }
    if decoded.is_empty() {
        return Ok("index.html".into());
    }
    let (body, dir) = match decoded.strip_suffix('/') {
        Some(body) => (body, true),
        None => (decoded.as_str(), false),
    };
    for segment in body.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(Refused::BadRequest("empty, . or .. segment in the path"));
        }
    }
    Ok(if dir { format!("{body}/index.html") } else { body.to_string() })
}

/// The `Content-Type` of a path, and whether it should be downloaded rather than shown.
pub(crate) fn content_type(path: &str) -> (&'static str, bool) {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => ("text/html; charset=utf-8", false),
        "css" => ("text/css; charset=utf-8", false),
        "js" | "mjs" => ("text/javascript; charset=utf-8", false),
        "json" => ("application/json", false),
        "svg" => ("image/svg+xml", false),
        "png" => ("image/png", false),
        "jpg" | "jpeg" => ("image/jpeg", false),
        "gif" => ("image/gif", false),
        "webp" => ("image/webp", false),
        "ico" => ("image/x-icon", false),
        "csv" => ("text/csv; charset=utf-8", false),
        "tsv" => ("text/tab-separated-values; charset=utf-8", false),
        "txt" | "log" | "md" | "yaml" | "yml" | "toml" | "sql" | "py" | "jsonl" => ("text/plain; charset=utf-8", false),
        "xml" => ("application/xml", false),
        "pdf" => ("application/pdf", false),
        _ => ("application/octet-stream", true),
    }
}

/// What a response carries.
enum Body {
    /// Bytes from memory.
    Bytes(Vec<u8>),
    /// A file (on disk or in a bucket) of this many bytes.
    File(Reader, u64),
}

/// A response: status, headers besides the ones every response has, body.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Body) -> Reply {
        Reply { status, headers: vec![("Content-Type", content_type.to_string())], body }
    }

    fn text(status: u16, message: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", Body::Bytes(format!("{message}\n").into_bytes()))
    }

    fn with(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    }
}

/// Sends `reply` to `rq` and closes the connection: one answer per
/// connection keeps every worker free for the next (a browser's idle
/// connections hold nothing), and needs no request framing beyond the head.
fn send(rq: Request, reply: Reply) {
    let head_only = rq.head.method == "HEAD";
    send_on(rq.stream, head_only, reply);
}

/// Writes `reply` (its head only when `head_only`) on `stream`, then closes
/// it gently: what the client still sends is read and dropped for a moment,
/// so the answer is not lost to a reset.
fn send_on(mut out: TcpStream, head_only: bool, reply: Reply) {
    let Reply { status, headers, body } = reply;
    let length = match &body {
        Body::Bytes(b) => b.len() as u64,
        Body::File(_, len) => *len,
    };
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    let common =
        [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")];
    for (name, value) in common.into_iter().chain(headers.iter().map(|(n, v)| (*n, v.as_str()))) {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {length}\r\nConnection: close\r\n\r\n"));
    let written = out.write_all(head.as_bytes()).and_then(|()| match body {
        _ if head_only => Ok(()),
        Body::Bytes(bytes) => out.write_all(&bytes),
        Body::File(file, len) => std::io::copy(&mut file.take(len), &mut out).map(|_| ()),
    });
    // A client that went away needs no answer.
    if written.and_then(|()| out.flush()).is_ok() {
        linger(out);
    }
}

/// Closes our side, then reads what the client still sends (at most 64 KiB
/// for 200 ms) before the socket is dropped.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 4096];
    let mut left: usize = 64 * 1024;
    while left > 0 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Answers one request. Event streams move to a thread of their own.
fn handle(state: &Arc<State>, rq: Request) {
    let get = rq.head.method == "GET";
    if !get && rq.head.method != "HEAD" {
        send(rq, Reply::text(405, "only GET and HEAD").with("Allow", "GET, HEAD"));
        return;
    }
    if !state.hosts.is_empty()
        && let Some(host) = rq.head.header("Host")
        && !host_allowed(host, &state.hosts)
    {
        send(rq, Reply::text(403, "this server answers only requests to this machine"));
        return;
    }
    let target = rq.head.target.clone();
    let path = match site_path(&target) {
        Ok(p) => p,
        Err(Refused::BadRequest(why)) => {
            send(rq, Reply::text(400, why));
            return;
        }
    };
    let snapshot = state.snapshot();
    if path.starts_with("__artsite/") {
        match format!("/{path}") {
            p if p == live::EVENTS_PATH && get => events(state, &snapshot, &target, rq),
            p if p == live::SCRIPT_PATH => {
                let script = Body::Bytes(live::SCRIPT.as_bytes().to_vec());
                send(rq, Reply::new(200, "text/javascript; charset=utf-8", script));
            }
            _ => not_found(state, &snapshot, rq),
        }
        return;
    }
    if let Some(bytes) = snapshot.files.get(&path) {
        let (ty, _) = content_type(&path);
        let body =
            if path.ends_with(".html") { live::inject(bytes, snapshot.build, &state.instance) } else { bytes.to_vec() };
        send(rq, Reply::new(200, ty, Body::Bytes(body)));
        return;
    }
    if let Some(from) = snapshot.raw.get(&path) {
        raw(&snapshot, &path, from, rq);
        return;
    }
    // A folder named without its trailing slash: relative links need the slash.
    if !path.ends_with("index.html") && snapshot.files.get(&format!("{path}/index.html")).is_some() {
        let location = format!("{}/", target.split(['?', '#']).next().unwrap_or(""));
        send(rq, Reply::text(301, "moved").with("Location", &location));
        return;
    }
    not_found(state, &snapshot, rq);
}

fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = if host.starts_with('[') {
        host.split_once(']').map_or(host, |(h, _)| &h[1..])
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// A raw file, streamed from its place in the artifacts root.
fn raw(snapshot: &Snapshot, path: &str, from: &Location, rq: Request) {
    let opened = match from {
        Location::Disk(p) => {
            let inside = std::fs::canonicalize(p).is_ok_and(|real| real.starts_with(&snapshot.root) && real.is_file());
            let file = if inside { File::open(p).ok() } else { None };
            file.and_then(|f| f.metadata().ok().map(|m| (Reader::File(f), m.len())))
        }
        Location::Object(o) => Some((Reader::Object(o.reader()), o.size)),
    };
    let Some((file, len)) = opened else {
        send(rq, Reply::text(404, "this file is gone from the artifacts root"));
        return;
    };
    let (ty, download) = content_type(path);
    let mut r = Reply::new(200, ty, Body::File(file, len));
    if download {
        let name = path.rsplit('/').next().unwrap_or("download").replace(['"', '\\'], "_");
        let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
        r = r.with("Content-Disposition", &format!("attachment; filename=\"{ascii}\""));
    }
    if ty.starts_with("text/html") {
        // A pipeline's HTML runs its scripts in an origin of its own, in the
        // site's frames and opened directly alike: it cannot read this site.
        r = r.with("Content-Security-Policy", &format!("sandbox {}", report_sandbox(false)));
    } else if ty.starts_with("image/svg") {
        // An SVG needs no script.
        r = r.with("Content-Security-Policy", "sandbox");
    }
    send(rq, r);
}

fn not_found(state: &State, snapshot: &Snapshot, rq: Request) {
    let r = match snapshot.files.get(plan::NOT_FOUND_PAGE) {
        Some(page) => Reply::new(
            404,
            "text/html; charset=utf-8",
            Body::Bytes(live::inject(page, snapshot.build, &state.instance)),
        ),
        None => Reply::text(404, "not found"),
    };
    send(rq, r);
}

/// Opens an event stream. A page that missed a change while it was away
/// (it loaded an older build, or a page of an earlier run of the server)
/// is told to reload at once.
fn events(state: &Arc<State>, snapshot: &Snapshot, target: &str, rq: Request) {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let param = |name: &str| {
        query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    };
    let mut first = vec![live::event("hello", &serde_json::json!({"build": snapshot.build}))];
    let errors = state.errors.read().unwrap_or_else(PoisonError::into_inner).clone();
    if errors.as_array().is_some_and(|e| !e.is_empty()) {
        first.push(live::event("errors", &errors));
    }
    let since: Option<u64> = param("build").and_then(|b| b.parse().ok());
    let page = param("path").and_then(|p| percent_decode_strict(&p));
    let stale = match (param("instance"), since, &page) {
        (Some(i), _, _) if i != state.instance => true,
        (_, Some(since), Some(page)) => snapshot.changed_at.get(page).is_some_and(|&at| at > since),
        _ => false,
    };
    if stale {
        first.push(live::event("reload", &serde_json::json!({"build": snapshot.build, "all": true, "paths": []})));
    }
    let rx = state.hub.subscribe();
    let out: Box<dyn Write + Send> = Box::new(rq.stream);
    std::thread::Builder::new()
        .name("artsite-events".into())
        .spawn(move || live::stream(out, rx, first))
        .map(|_| ())
        .unwrap_or_else(|e| eprintln!("artsite serve: cannot start an event stream: {e}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        assert_eq!(site_path("/").unwrap(), "index.html");
        assert_eq!(site_path("/v/x/").unwrap(), "v/x/index.html");
        assert_eq!(site_path("/v/a%20b/x.png?x=1#y").unwrap(), "v/a b/x.png");
        for bad in [
            "/../etc/passwd",
            "/v/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fetc",
            "/v/..%2f..%2fx",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/a%00b",
            "//etc/passwd",
            "etc/passwd",
            "http://x/y",
            "/a/./b",
            "/%zz",
            "/%ff%fe",
        ] {
            assert!(site_path(bad).is_err(), "{bad} was accepted as {:?}", site_path(bad));
        }
        // Decoded once only: a double-encoded dot stays a literal name.
        assert_eq!(site_path("/%252e%252e/x").unwrap(), "%2e%2e/x");
    }

    #[test]
    fn types_and_downloads() {
        assert_eq!(content_type("a/b.HTML").0, "text/html; charset=utf-8");
        assert_eq!(content_type("x.parquet"), ("application/octet-stream", true));
        assert_eq!(content_type("noext"), ("application/octet-stream", true));
        assert_eq!(content_type("x.jpeg").0, "image/jpeg");
        assert!(host_allowed("127.0.0.1:1111", &["127.0.0.1".into()]));
        assert!(host_allowed("[::1]:80", &["::1".into()]));
        assert!(host_allowed("LOCALHOST", &["localhost".into()]));
        assert!(!host_allowed("evil.example:1111", &["127.0.0.1".into(), "localhost".into()]));
    }
}
