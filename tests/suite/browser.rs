//! Search and navigation in a real headless Chromium, over loopback HTTP and
//! from `file://`. `.ci/run` installs Chromium (`apt-get install chromium`).

use crate::util::*;
use artsite::config::Config;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(path.exists(), "these tests drive a real browser: apt-get install chromium (.ci/run does)");
    path
}

/// The DOM of `url` after its scripts ran (virtual time lets async loads finish).
fn dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=8000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A static file server on 127.0.0.1 for one test; stops when dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn serve_one(mut stream: TcpStream, dir: &Path) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = artsite::util::paths::percent_decode(path.trim_start_matches('/'));
    let mut file = dir.join(&rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (status, body, ty) = match (rel.contains(".."), fs::read(&file)) {
        (false, Ok(body)) => {
            let ty = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                _ => "application/octet-stream",
            };
            ("200 OK", body, ty)
        }
        // As static hosts do (GitHub Pages, nginx `error_page`): the site's 404 page.
        _ => match fs::read(dir.join("404.html")) {
            Ok(page) => ("404 Not Found", page, "text/html; charset=utf-8"),
            Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        },
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
}

impl Server {
    fn start(dir: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            // Bounded: at most two minutes and 10,000 requests.
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut served = 0;
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline && served < 10_000 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        serve_one(stream, &dir);
                        served += 1;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, stop, thread: Some(thread) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn example_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    artsite::commands::build::build(&Config { root: examples_root(), out: out.clone(), ..Config::default() }).unwrap();
    (tmp, out)
}

/// (status text, [(link, text of the hit)]) of a search results page.
fn results(dom: &str) -> (String, Vec<(String, String)>) {
    let status_at = dom.find("id=\"search-status\"").expect("search page");
    let status = dom[status_at..].split_once('>').unwrap().1.split('<').next().unwrap().to_string();
    let list_at = dom.find("id=\"search-results\"").unwrap();
    let list = &dom[list_at..list_at + dom[list_at..].find("</ol>").unwrap()];
    let hits = list
        .split("<li class=\"hit\">")
        .skip(1)
        .map(|item| {
            let hit = parse_page(item);
            (hit.links.first().map(|(_, _, h)| h.clone()).unwrap_or_default(), hit.text)
        })
        .collect();
    (status, hits)
}

fn check_search(base: &str) {
    // By name.
    let (status, hits) = results(&dom(&format!("{base}search/index.html?q=cleaning_summary")));
    assert!(status.contains("result"), "{status}");
    assert!(
        hits.iter()
            .any(|(h, t)| h.contains("/a/cleaned-data--cleaning-summary.html") && t.contains("cleaning_summary")),
        "{hits:?}"
    );
    // By a metadata key: tables carry `dtypes` in their manifest metadata.
    let (_, hits) = results(&dom(&format!("{base}search/index.html?q=dtypes")));
    assert!(!hits.is_empty() && hits.iter().all(|(_, t)| t.contains("table")), "{hits:?}");
    // Filtered by version.
    let v = "2024-03-02_09-00-00_ci-runner";
    let (status, hits) = results(&dom(&format!("{base}search/index.html?q=hold&version={v}")));
    assert!(!hits.is_empty(), "{status}");
    assert!(hits.iter().all(|(h, t)| h.contains(&format!("/v/{v}/")) && t.contains(v)), "{hits:?}");
}

/// Typing narrows the results with no button pressed; one artifact in
/// several runs is one result listing its runs; matches are marked and the
/// top bar's box says the query.
#[test]
fn search_follows_typing_and_groups_an_artifacts_runs() {
    chromium();
    let (_tmp, out) = example_site();
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let url = format!("file://{}/search/index.html", out.display());
    let run = Command::new("node")
        .arg(browser_dir.join("search.mjs"))
        .args([url.as_str(), "clean", "cleaning_summary"])
        .current_dir(&browser_dir)
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&run.stdout).lines().last().unwrap_or_default().to_string();
    let seen: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("search.mjs said {line:?}; {}", String::from_utf8_lossy(&run.stderr)));
    let hits = |i: usize| seen[i]["hits"].as_array().unwrap().clone();
    let (broad, narrow) = (hits(0), hits(1));
    assert!(!narrow.is_empty() && narrow.len() < broad.len(), "typing more narrows: {seen}");
    let summary: Vec<&serde_json::Value> = narrow.iter().filter(|h| h["name"] == "cleaning_summary").collect();
    assert_eq!(summary.len(), 1, "one result for the artifact: {seen}");
    let runs_with_it = fs::read_dir(examples_root())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.path().join("etl_metadata/cleaned_data/cleaning_summary.json").is_file() && !e.path().is_symlink()
        })
        .count();
    assert_eq!(summary[0]["runs"], runs_with_it, "it lists every run it is in: {seen}");
    assert_eq!(seen[1]["header"], "cleaning_summary", "the top bar says the query");
    assert!(
        seen[0]["marked"].as_array().unwrap().iter().all(|m| m.as_str().unwrap().eq_ignore_ascii_case("clean")),
        "{seen}"
    );
}

#[test]
fn search_works_over_http() {
    let (_tmp, out) = example_site();
    let server = Server::start(out);
    check_search(&format!("http://127.0.0.1:{}/", server.port));
}

#[test]
fn search_works_from_disk() {
    let (_tmp, out) = example_site();
    check_search(&format!("file://{}/", out.display()));
}

/// The site paths of the links in `html` (a page's DOM after its scripts ran,
/// whose drawn links are absolute) that lead into the site at `base`, with
/// the start tag of each link.
fn site_links(html: &str, base: &str) -> Vec<(String, BTreeMap<String, String>)> {
    parse_page(html)
        .elements
        .into_iter()
        .filter(|(tag, _)| tag == "a")
        .filter_map(|(_, attrs)| Some((attrs.get("href")?.strip_prefix(base)?.to_string(), attrs)))
        .collect()
}

/// The switcher and the links to later runs, drawn by nav.js from the site's
/// navigation files: the same artifact in each nearby run, the run's summary
/// where it has none, and the nearest later run; the pages stay as built.
fn check_navigation(base: &str, out: &Path) {
    let from = "v/2024-03-02_09-00-00_ci-runner/a/cleaning--cleaning-stats.html";
    let html = dom(&format!("{base}{from}"));
    let links = site_links(&html, base);
    let targets: Vec<&str> = links.iter().map(|(p, _)| p.as_str()).collect();
    for v in
        ["2024-03-01_09-00-00_ci-runner", "2024-03-03_09-00-00_laptop-bob", "2024-03-04_09-00-00_ci-runner", "baseline"]
    {
        let expected = format!("v/{v}/a/cleaning--cleaning-stats.html");
        assert!(targets.contains(&expected.as_str()), "no switch to {expected}: {targets:?}");
        assert!(out.join(&expected).is_file());
    }
    let next: Vec<&str> =
        links.iter().filter(|(_, a)| a.get("rel").is_some_and(|r| r == "next")).map(|(p, _)| p.as_str()).collect();
    assert_eq!(next, ["v/2024-03-03_09-00-00_laptop-bob/a/cleaning--cleaning-stats.html"], "{html}");
    let page = parse_page(&html);
    let switcher =
        page.elements.iter().find(|(t, a)| t == "details" && a.get("class").is_some_and(|c| c == "switcher"));
    assert!(switcher.is_some_and(|(_, a)| !a.contains_key("hidden")), "the switcher is shown: {switcher:?}");
    // An artifact a run lacks leads to that run's summary, said as such.
    let html = dom(&format!("{base}v/2024-03-02_09-00-00_ci-runner/a/cleaned-data--sessions.html"));
    assert!(site_links(&html, base).iter().any(|(p, _)| p == "v/baseline/index.html"), "{html}");
    assert!(parse_page(&html).text.contains("(not in this run: summary)"), "{html}");
    // A run's summary leads on to the next run; the newest says it is.
    let html = dom(&format!("{base}v/2024-03-02_09-00-00_ci-runner/index.html"));
    let next: Vec<String> = site_links(&html, base)
        .into_iter()
        .filter(|(_, a)| a.get("rel").is_some_and(|r| r == "next"))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(next, ["v/2024-03-03_09-00-00_laptop-bob/index.html"], "{html}");
    let html = dom(&format!("{base}v/2024-03-04_09-00-00_ci-runner/index.html"));
    assert!(parse_page(&html).text.contains("newest version"), "{html}");
}

#[test]
fn the_version_switcher_and_later_runs_are_drawn_over_http() {
    let (_tmp, out) = example_site();
    let server = Server::start(out.clone());
    check_navigation(&format!("http://127.0.0.1:{}/", server.port), &out);
}

#[test]
fn the_version_switcher_and_later_runs_are_drawn_from_disk() {
    let (_tmp, out) = example_site();
    check_navigation(&format!("file://{}/", out.display()), &out);
}

/// Every page the navigation files name is a page of the site, under the
/// folder of the run they give it to.
#[test]
fn the_navigation_files_name_pages_of_the_site() {
    let (_tmp, out) = example_site();
    let call = |file: &str, prefix: &str| -> serde_json::Value {
        let js = fs::read_to_string(out.join(file)).unwrap();
        let json =
            js.trim_end().strip_prefix(prefix).and_then(|j| j.strip_suffix(");")).unwrap_or_else(|| panic!("{js}"));
        serde_json::from_str(json).unwrap()
    };
    let runs = call("nav/runs.js", "artsiteNav.runs(");
    let runs = runs["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 5);
    let mut named = 0;
    for n in 0..call("nav/runs.js", "artsiteNav.runs(")["shards"].as_u64().unwrap() {
        let keys = call(&format!("nav/k-{n}.js"), &format!("artsiteNav.keys({n}, "));
        for (key, spans) in keys.as_object().unwrap() {
            for span in spans.as_array().unwrap() {
                let (from, to, path) =
                    (span[0].as_u64().unwrap(), span[1].as_u64().unwrap(), span[2].as_str().unwrap());
                assert!(from < to && to as usize <= runs.len(), "{key}: {span}");
                for i in from..to {
                    let page = format!("{}{path}", runs[i as usize][2].as_str().unwrap());
                    assert!(out.join(&page).is_file(), "{key} in run {i}: {page}");
                    named += 1;
                }
            }
        }
    }
    let version_pages = walkdir::WalkDir::new(out.join("v"))
        .into_iter()
        .flatten()
        .filter(|e| {
            e.path().extension().is_some_and(|x| x == "html") && !e.path().to_string_lossy().contains("/files/")
        })
        .count();
    assert_eq!(named, version_pages, "every page of a run is named once");
}

/// A report whose script writes its own DOM and then tries to reach the site.
const LIVE_REPORT: &str = "<!doctype html><html><body><p id=\"proof\">waiting</p><p id=\"leaks\"></p><script>\
    document.getElementById('proof').textContent = 'script ran';\
    var leaks = [];\
    try { leaks.push('parent:' + parent.document.title); } catch (e) {}\
    try { localStorage.setItem('artsite-probe', '1'); leaks.push('storage'); } catch (e) {}\
    document.getElementById('leaks').textContent = leaks.join(',') || 'none';\
    </script></body></html>";

/// What the report did inside the frame of the page at `url` (frame.mjs).
fn frame_run(url: &str) -> serde_json::Value {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "(cd tests/browser && npm ci) first (.ci/run does)"
    );
    let out =
        Command::new("node").arg(browser_dir.join("frame.mjs")).arg(url).current_dir(&browser_dir).output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_string();
    serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("frame.mjs said {line:?}; {}", String::from_utf8_lossy(&out.stderr)))
}

/// A pipeline's HTML report runs its scripts inside the site's frame, from
/// `file://`, over HTTP and under `serve`, with no "blocked script" errors,
/// and cannot read the site's document or storage: on its artifact page and
/// in the full-page viewer.
#[test]
fn report_scripts_run_in_the_frame_and_cannot_reach_the_site() {
    chromium();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("artifacts");
    fs::create_dir_all(root.join("v1/unified_reports")).unwrap();
    fs::write(root.join("v1/unified_reports/live.html"), LIVE_REPORT).unwrap();
    let out = tmp.path().join("site");
    let config = Config { root: root.clone(), out: out.clone(), ..Config::default() };
    artsite::commands::build::build(&config).unwrap();
    let index: serde_json::Value = serde_json::from_slice(&fs::read(out.join("index.json")).unwrap()).unwrap();
    let page = index["versions"][0]["artifacts"][0]["page"].as_str().unwrap().to_string();

    // The artifact page's "Open full page": the viewer, at the site's root.
    let html = fs::read_to_string(out.join(&page)).unwrap();
    let full = parse_page(&html).links.into_iter().map(|(_, _, h)| h).find(|h| h.contains("view.html?")).unwrap();
    let viewer = format!("view.html?{}", full.split_once('?').unwrap().1);

    let http = Server::start(out.clone());
    let options = artsite::serve::Options { port: 0, quiet: true, ..artsite::serve::Options::default() };
    let served = artsite::serve::Server::start(Box::new(move || Ok(config.clone())), None, options).unwrap();
    for url in [
        format!("file://{}", out.join(&page).display()),
        format!("http://127.0.0.1:{}/{page}", http.port),
        format!("{}{page}", served.url()),
        format!("file://{}/{viewer}", out.display()),
        format!("http://127.0.0.1:{}/{viewer}", http.port),
        format!("{}{viewer}", served.url()),
    ] {
        let seen = frame_run(&url);
        assert_eq!(seen["proof"], "script ran", "{url}: {seen}");
        assert_eq!(seen["leaks"], "none", "{url}: the report reached the site: {seen}");
        assert_eq!(seen["blocked"], serde_json::json!([]), "{url}: {seen}");
    }
    served.stop();
    // The viewer frames only the site's own runs.
    for src in ["https://example.org/x.html", "//example.org/x.html", "v/../../x.html", "v/%2e%2e/x.html", "/etc/x"] {
        let page = parse_page(&dom(&format!("http://127.0.0.1:{}/view.html?src={src}", http.port)));
        let frame =
            page.elements.iter().find(|(t, a)| t == "iframe" && a.get("id").is_some_and(|i| i == "viewer-frame"));
        let (_, attrs) = frame.expect("the viewer's frame");
        assert!(!attrs.contains_key("src") && attrs.contains_key("hidden"), "{src}: {attrs:?}");
    }
}

/// A static host serves `404.html` for a missing URL at any depth: with
/// `base_url` its links are absolute, without it a script finds the site's
/// root; its styles are inline either way, and no page asks the host for
/// `/favicon.ico`.
#[test]
fn the_404_page_works_at_any_depth() {
    chromium();
    for with_base in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        fs::create_dir_all(&out).unwrap();
        let http = Server::start(out.clone());
        let origin = format!("http://127.0.0.1:{}/", http.port);
        let base_url = with_base.then(|| origin.clone());
        artsite::commands::build::build(&Config {
            root: examples_root(),
            out: out.clone(),
            base_url,
            ..Config::default()
        })
        .unwrap();
        let dom = dom(&format!("{origin}v/no-such-run/a/deeper/missing.html"));
        assert!(dom.contains("Page not found"), "{with_base}: {dom}");
        let page = parse_page(&dom);
        let brand =
            page.elements.iter().find(|(tag, a)| tag == "a" && a.get("class").is_some_and(|c| c.contains("brand")));
        let home = brand.and_then(|(_, a)| a.get("href")).cloned().unwrap_or_default();
        assert_eq!(home, format!("{origin}index.html"), "with base_url {with_base}: the brand link leads home");
        assert!(dom.contains("<style>") && !dom.contains("rel=\"stylesheet\""), "its styles are inline");
        assert!(page.links.iter().all(|(_, _, h)| !h.ends_with("favicon.ico")), "an icon is declared");
    }
}
