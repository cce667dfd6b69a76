//! `artsite serve` over real loopback HTTP: pages, live-reload events, the
//! error overlay's events, and requests that must not leave the site.
//! Servers listen on 127.0.0.1 port 0 and stop at the end of each test;
//! every wait is bounded.

use crate::util::*;
use artsite::config::Config;
use artsite::serve::{Options, Server};
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const MID: &str = "2024-03-02_09-00-00_ci-runner";
const SUMMARY: &str = "etl_metadata/cleaned_data/cleaning_summary.json";

struct Site {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    server: Option<Server>,
}

impl Site {
    /// Serves a copy of the example tree, with a config file beside it.
    fn start() -> Site {
        Site::start_with(false)
    }

    fn start_with(poll: bool) -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        copy_tree(&examples_root(), &dir.join("artifacts"));
        fs::write(dir.join("artsite.yaml"), "title: Served\n").unwrap();
        let file = dir.join("artsite.yaml");
        let f = file.clone();
        let options = Options { port: 0, quiet: true, poll, ..Options::default() };
        let server = Server::start(Box::new(move || Ok(Config::from_file(&f)?)), Some(file), options).unwrap();
        Site { _tmp: tmp, dir, server: Some(server) }
    }
    fn addr(&self) -> SocketAddr {
        self.server.as_ref().unwrap().addr()
    }
    fn file(&self, version: &str, rel: &str) -> PathBuf {
        self.dir.join("artifacts").join(version).join(rel)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}

/// A response: status, headers (lowercase names), body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` as is and reads the whole response (the server closes or we time out).
fn exchange(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(raw).unwrap();
    read_reply(&mut s, raw.starts_with(b"HEAD")).expect("a response head")
}

/// Reads one response from `s`: its head, then Content-Length bytes of body
/// (none for HEAD). `None` when no head came before the read timeout.
fn read_reply(s: &mut TcpStream, head_only: bool) -> Option<Reply> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let deadline = Instant::now() + Duration::from_secs(10);
    // Read the head, then Content-Length bytes of body.
    loop {
        assert!(Instant::now() < deadline, "no complete response");
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => break,
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if head_only || len.is_some_and(|l| buf.len() >= end + 4 + l) {
                break;
            }
        }
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Reply { status, headers, body: buf[end + 4..].to_vec() })
}

pub(crate) fn get(addr: SocketAddr, path: &str) -> Reply {
    exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", addr.port()).as_bytes(),
    )
}

/// An open event stream.
pub(crate) struct Events {
    stream: TcpStream,
    buf: String,
}

impl Events {
    pub(crate) fn open(addr: SocketAddr, query: &str) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET /__artsite/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut e = Events { stream, buf: String::new() };
        e.next("hello", Duration::from_secs(10)).expect("a hello event");
        e
    }

    /// The data of the next event named `name`, within `limit`.
    pub(crate) fn next(&mut self, name: &str, limit: Duration) -> Option<serde_json::Value> {
        let deadline = Instant::now() + limit;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf[..end].to_string();
                self.buf.drain(..end + 2);
                let mut event = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = Some(v.to_string());
                    }
                }
                if event.as_deref() == Some(name) {
                    return Some(serde_json::from_str(&data.unwrap_or_default()).unwrap());
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(_) => {}
            }
        }
    }
}

fn edit(path: &std::path::Path, f: impl Fn(&str) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(&text)).unwrap();
}

#[test]
fn pages_are_served_with_the_right_types() {
    let site = Site::start();
    let addr = site.addr();
    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.text().contains("<script src=\"/__artsite/live.js\""), "the live script is injected");
    assert_eq!(home.header("content-length").unwrap().parse::<usize>().unwrap(), home.body.len());
    assert_eq!(get(addr, "/index.html").body, home.body);

    let page = get(addr, &format!("/v/{MID}/"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains(MID));
    let moved = get(addr, &format!("/v/{MID}"));
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some(format!("/v/{MID}/").as_str()));

    let css = get(addr, "/static/style.css");
    assert_eq!((css.status, css.header("content-type")), (200, Some("text/css; charset=utf-8")));
    assert!(!css.text().contains("__artsite"));
    assert_eq!(get(addr, "/index.json").header("content-type"), Some("application/json"));
    assert_eq!(get(addr, "/__artsite/live.js").header("content-type"), Some("text/javascript; charset=utf-8"));

    // Raw files, streamed from the root.
    let v = "2024-03-01_09-00-00_ci-runner";
    let files = &site.dir.join("artifacts").join(v);
    let by_ext = |ext: &str| -> String {
        walkdir::WalkDir::new(files)
            .into_iter()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == ext))
            .map(|e| e.path().strip_prefix(files).unwrap().to_string_lossy().into_owned())
            .unwrap_or_else(|| panic!("no .{ext} in {v}"))
    };
    for (ext, ty) in [("png", "image/png"), ("csv", "text/csv; charset=utf-8"), ("json", "application/json")] {
        let rel = by_ext(ext);
        let r = get(addr, &format!("/v/{v}/files/{rel}"));
        assert_eq!((r.status, r.header("content-type")), (200, Some(ty)), "{rel}");
        assert_eq!(r.body, fs::read(files.join(&rel)).unwrap(), "{rel} served as on disk");
    }
    let parquet = by_ext("parquet");
    let r = get(addr, &format!("/v/{v}/files/{parquet}"));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert!(r.header("content-disposition").unwrap().starts_with("attachment"));
    let report = get(addr, &format!("/v/{v}/files/eda_reports/data_quality/report.html"));
    // Its scripts run, in an origin of their own: never the site's.
    let csp = report.header("content-security-policy").unwrap();
    assert!(csp.starts_with("sandbox ") && csp.contains("allow-scripts"), "{csp}");
    assert!(!csp.contains("allow-same-origin"), "{csp}");
    assert!(!report.text().contains("__artsite"), "raw HTML files are served as they are");

    // 404 with the site's page, HEAD without a body.
    let missing = get(addr, "/nope/index.html");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
    let head = exchange(addr, format!("HEAD / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", addr.port()).as_bytes());
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length").unwrap().parse::<usize>().unwrap(), home.body.len());
    assert!(head.body.is_empty());
}

#[test]
fn pages_load_while_browsers_keep_connections_open() {
    // A browser keeps a connection open after an answer unless told to close it, and
    // opens several at once for a page's styles and scripts. Every request of thirty
    // such bursts must be answered, however many connections the earlier ones left open.
    let site = Site::start();
    let addr = site.addr();
    let mut kept = Vec::new();
    for _ in 0..30 {
        let burst: Vec<_> = (0..6)
            .map(|_| {
                std::thread::spawn(move || {
                    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    write!(s, "GET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
                    let reply = read_reply(&mut s, false).expect("a request was not answered within 5 s");
                    assert_eq!(reply.status, 200);
                    // Closed at once when the server asks, as a browser does.
                    (reply.header("connection") != Some("close")).then_some(s)
                })
            })
            .collect();
        for handle in burst {
            kept.extend(handle.join().unwrap());
        }
    }
    assert!(kept.is_empty(), "{} connections were left open for reuse", kept.len());
}

#[test]
fn a_changed_file_reaches_the_browser() {
    let site = Site::start();
    let addr = site.addr();
    let page = format!("v/{MID}/index.html");
    let before = get(addr, &format!("/{page}")).text();
    let mut events = Events::open(addr, "");
    // Ten more readers, and ten clients that never read a byte: none may hold up the rest.
    let mut readers: Vec<Events> = (0..10).map(|_| Events::open(addr, "")).collect();
    let _silent: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            write!(s, "GET /__artsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            s
        })
        .collect();
    drop(Events::open(addr, ""));

    edit(&site.file(MID, SUMMARY), |t| t.replacen("\"valid_records\": ", "\"valid_records\": 1", 1));
    let reload = events.next("reload", Duration::from_secs(20)).expect("a reload event");
    let paths: Vec<&str> = reload["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(paths.contains(&page.as_str()), "{paths:?}");
    assert!(paths.contains(&"index.html"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.starts_with("v/2024-03-04")), "untouched versions stay: {paths:?}");
    assert!(paths.contains(&format!("v/{MID}/files/{SUMMARY}").as_str()), "the raw file is listed too");
    let after = get(addr, &format!("/{page}")).text();
    assert_ne!(before, after, "the page changed");
    for r in &mut readers {
        assert!(r.next("reload", Duration::from_secs(10)).is_some());
    }

    // A page loaded before the change reconnects and is told to reload; one loaded after is not.
    let build = reload["build"].as_u64().unwrap();
    let instance = after.split("data-instance=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut stale =
        Events::open(addr, &format!("?build={}&instance={instance}&path={}", build - 1, page.replace('/', "%2F")));
    assert!(stale.next("reload", Duration::from_secs(2)).is_some());
    let mut fresh = Events::open(addr, &format!("?build={build}&instance={instance}&path={page}"));
    assert!(fresh.next("reload", Duration::from_millis(500)).is_none());
    let mut other_run = Events::open(addr, &format!("?build={build}&instance=0&path={page}"));
    assert!(other_run.next("reload", Duration::from_secs(2)).is_some());

    // A stylesheet change is a css event, not a reload (here through a new version: the
    // theme's CSS is built in, so the test changes a pipeline CSS file instead).
    fs::create_dir_all(site.file(MID, "unified_reports")).unwrap();
    fs::write(site.file(MID, "unified_reports/extra.css"), "body { color: red }\n").unwrap();
    let css = events.next("css", Duration::from_secs(20)).expect("a css event");
    assert_eq!(css["paths"][0], format!("v/{MID}/files/unified_reports/extra.css"));
}

#[test]
fn polling_sees_changes_too() {
    let site = Site::start_with(true);
    let mut events = Events::open(site.addr(), "");
    // notify's PollWatcher compares modification times in whole seconds: write in a later
    // second than the copy (a known limit of --poll, in the README).
    std::thread::sleep(Duration::from_millis(1100));
    edit(&site.file(MID, SUMMARY), |t| t.replacen("\"valid_records\": ", "\"valid_records\": 2", 1));
    let reload = events.next("reload", Duration::from_secs(20)).expect("a reload event from the polling watcher");
    assert!(reload["paths"].as_array().unwrap().iter().any(|p| p == &format!("v/{MID}/index.html")), "{reload}");
}

#[test]
fn the_overlay_follows_the_errors() {
    let site = Site::start();
    let addr = site.addr();
    let mut events = Events::open(addr, "");
    // The example has two errors from the start (a truncated file, a listed
    // file that is missing); every new stream hears of them.
    let first = events.next("errors", Duration::from_secs(2)).expect("the current errors");
    assert_eq!(first.as_array().unwrap().len(), 2, "{first}");

    let summary = site.file(MID, SUMMARY);
    let good = fs::read_to_string(&summary).unwrap();
    fs::write(&summary, "{\n  \"total_records\": 10,\n  \"valid_records\": \n").unwrap();
    let errors = events.next("errors", Duration::from_secs(20)).expect("an errors event");
    let list = errors.as_array().unwrap();
    let ours = list.iter().find(|e| e["path"] == format!("{MID}/{SUMMARY}")).expect("the broken file is listed");
    assert!(ours["line"].as_u64().is_some() && ours["column"].as_u64().is_some(), "{ours}");
    assert!(!ours["message"].as_str().unwrap().is_empty());

    fs::write(&summary, &good).unwrap();
    let errors = events.next("errors", Duration::from_secs(20)).expect("an errors event after the fix");
    assert_eq!(errors.as_array().unwrap().len(), 2, "back to the example's own errors: {errors}");

    // A config that cannot be read fails the rebuild: the last good pages stay.
    let home = get(addr, "/").text();
    fs::write(site.dir.join("artsite.yaml"), "titel: typo\n").unwrap();
    let errors = events.next("errors", Duration::from_secs(20)).expect("a failed rebuild");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("rebuild failed") && message.contains("titel"), "{message}");
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(strip_build(&get(addr, "/").text()), strip_build(&home));
    fs::write(site.dir.join("artsite.yaml"), "title: Served again\n").unwrap();
    let errors = events.next("errors", Duration::from_secs(30)).expect("errors cleared");
    assert_eq!(errors.as_array().unwrap().len(), 2, "{errors}");
    assert!(get(addr, "/").text().contains("Served again"));
}

fn strip_build(html: &str) -> String {
    html.split("data-build=").next().unwrap().to_string()
}

#[test]
fn requests_never_leave_the_site() {
    let site = Site::start();
    let addr = site.addr();
    let secret = "TOP-SECRET-9f1c";
    fs::write(site.dir.join("secret.txt"), secret).unwrap();
    std::os::unix::fs::symlink(site.dir.join("secret.txt"), site.file(MID, "logs/secret.txt")).unwrap();
    // Let the watcher see the symlink and rebuild.
    std::thread::sleep(Duration::from_millis(600));
    let probes: Vec<Vec<u8>> = [
        "GET /../secret.txt HTTP/1.1",
        "GET /../../../../etc/passwd HTTP/1.1",
        "GET /%2e%2e/secret.txt HTTP/1.1",
        "GET /%2E%2E%2Fsecret.txt HTTP/1.1",
        "GET /v/%2e%2e/%2e%2e/secret.txt HTTP/1.1",
        "GET /v/..%2f..%2f..%2fsecret.txt HTTP/1.1",
        "GET /..\\secret.txt HTTP/1.1",
        "GET /%5c..%5csecret.txt HTTP/1.1",
        "GET //etc/passwd HTTP/1.1",
        "GET /etc/passwd HTTP/1.1",
        "GET http://127.0.0.1/etc/passwd HTTP/1.1",
        "GET /secret.txt%00.html HTTP/1.1",
        "GET /%252e%252e/secret.txt HTTP/1.1",
        "GET /%zz HTTP/1.1",
        "GET /%c0%ae%c0%ae/secret.txt HTTP/1.1",
        &format!("GET /v/{MID}/files/logs/secret.txt HTTP/1.1"),
        &format!("GET /v/{MID}/files/../../../secret.txt HTTP/1.1"),
    ]
    .iter()
    .map(|l| format!("{l}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes())
    .chain([b"GARBAGE\r\n\r\n".to_vec(), b"GET\r\n\r\n".to_vec(), b"\x00\x01\x02\r\n\r\n".to_vec()])
    .collect();
    for probe in probes {
        let r = exchange(addr, &probe);
        assert!(
            matches!(r.status, 400 | 404 | 405 | 505),
            "{} got {}",
            String::from_utf8_lossy(&probe).lines().next().unwrap(),
            r.status
        );
        assert!(!r.text().contains(secret), "{} leaked the secret", String::from_utf8_lossy(&probe));
        assert!(!r.text().contains("root:x:0"), "{} leaked /etc/passwd", String::from_utf8_lossy(&probe));
    }
    // Only this machine's names, only GET and HEAD.
    let r = exchange(addr, b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 403);
    let r = exchange(addr, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 405);
    assert_eq!(get(addr, "/").status, 200, "still serving");
}

#[test]
fn a_taken_port_moves_to_the_next() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    match artsite::serve::bind("127.0.0.1".parse().unwrap(), port) {
        Ok((listener, taken)) => {
            assert_eq!(taken, vec![port]);
            assert_ne!(listener.local_addr().unwrap().port(), port);
        }
        // The next ports may be taken by others on a busy machine: then the error names the range.
        Err(e) => assert!(e.to_string().contains(&port.to_string()), "{e}"),
    }
}

#[test]
fn built_sites_never_carry_the_live_script() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    artsite::commands::build::build(&Config { root: examples_root(), out: out.clone(), ..Config::default() }).unwrap();
    for (path, bytes) in snapshot(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__artsite") && !text.contains("EventSource"), "{path} has live-reload code");
    }
}

/// Reads until the server closes the connection (or 15 s pass): what it sent.
fn until_closed(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    all
}

/// The server refuses what RFC 9112 does not allow, with 400 and a closed
/// connection, at once: extra words on the request line, bare LF line ends,
/// raw UTF-8 in the target, no Host; a head too large gets 431; a head that
/// never ends, or never starts, gets 408 after the head timeout.
#[test]
fn malformed_and_slow_requests_get_an_answer_and_a_closed_connection() {
    let site = Site::start();
    let addr = site.addr();
    // Open first, so the timeouts run while the rest is checked.
    let started = Instant::now();
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    let mut silent = TcpStream::connect(addr).unwrap();

    let cafe = "GET /caf\u{e9}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n", "x".repeat(20_000));
    let cases: [(&[u8], u16); 6] = [
        (b"GET / HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n", 400),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\nX: y\r\n\r\n", 400),
        (cafe.as_bytes(), 400),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
        (big.as_bytes(), 431),
    ];
    for (raw, status) in cases {
        // Ten times each: an answer every time, never a silent close.
        for _ in 0..10 {
            let asked = Instant::now();
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(raw).unwrap();
            let answer = String::from_utf8_lossy(&until_closed(&mut s)).into_owned();
            let first = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
            assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{first:?} got {answer:?}");
            assert!(answer.contains("Connection: close"), "{answer}");
            assert!(asked.elapsed() < Duration::from_secs(2), "{first:?} waited {:?}", asked.elapsed());
        }
    }
    assert_eq!(get(addr, "/").status, 200, "still serving");

    for (name, s) in [("half a head", &mut half), ("nothing", &mut silent)] {
        let answer = String::from_utf8_lossy(&until_closed(s)).into_owned();
        assert!(answer.starts_with("HTTP/1.1 408 "), "{name}: {answer:?}");
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(9) && waited < Duration::from_secs(14), "closed after {waited:?}");
}
