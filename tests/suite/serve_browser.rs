//! Live reload in a real headless Chromium: a served page reloads by itself
//! when a file changes, keeps its scroll position, and shows and hides the
//! error overlay. Chromium is driven by playwright-core from Node
//! (`tests/browser/live.mjs`); `.ci/run` installs both.

use crate::util::*;
use artsite::config::Config;
use artsite::serve::{Options, Server};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const MID: &str = "2024-03-02_09-00-00_ci-runner";
const SUMMARY: &str = "etl_metadata/cleaned_data/cleaning_summary.json";

#[test]
fn a_served_page_reloads_by_itself() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run `(cd tests/browser && npm ci --ignore-scripts)` first (.ci/run does)"
    );
    assert!(Path::new("/usr/bin/chromium").exists(), "apt-get install chromium (.ci/run does)");

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("artifacts");
    copy_tree(&examples_root(), &root);
    // Start from a site without errors, so the overlay is ours: no truncated
    // JSON, and the plot the manifest lists but the example leaves out.
    let truncated = root.join("2024-03-04_09-00-00_ci-runner/etl_metadata/features/digraph/validation_report.json");
    fs::write(truncated, "{\"feature_type\": \"digraph\", \"checks\": []}").unwrap();
    fs::write(root.join(MID).join("plots/eda_session_length_hist.png"), TINY_PNG).unwrap();
    let config = Config { root: root.clone(), ..Config::default() };
    let options = Options { port: 0, quiet: true, ..Options::default() };
    let server = Server::start(Box::new(move || Ok(config.clone())), None, options).unwrap();

    let summary = root.join(MID).join(SUMMARY);
    let good = fs::read_to_string(&summary).unwrap();
    let edited = good.replacen("\"valid_records\": ", "\"valid_records\": 7", 1);
    let value: serde_json::Value = serde_json::from_str(&edited).unwrap();
    let expected = format!("data-value=\"{}\"", value["valid_records"]);
    let broken_rel = "etl_metadata/cleaning/cleaning_stats.json";
    let broken = root.join(MID).join(broken_rel);
    let stats = fs::read_to_string(&broken).unwrap();

    let url = format!("{}v/{MID}/index.html", server.url());
    let run = || {
        let mut node = Command::new("node")
            .arg(browser_dir.join("live.mjs"))
            .args([&url, &expected, &format!("{MID}/{broken_rel}")])
            .current_dir(&browser_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (installed with the machine; .ci/run checks)");
        let (tx, rx) = mpsc::channel();
        let out = node.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut log = Vec::new();
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(120)) {
            log.push(line.clone());
            match line.as_str() {
                "ready edit" => fs::write(&summary, &edited).unwrap(),
                "ready break" => fs::write(&broken, "{\n  \"records_in\": 5,\n  \"x\": \n").unwrap(),
                "ready fix" => fs::write(&broken, &stats).unwrap(),
                _ => {}
            }
        }
        (node.wait().unwrap(), log)
    };
    let (status, log) = run();
    server.stop();
    assert!(status.success(), "the browser run failed:\n{}", log.join("\n"));
    for step in ["ok reload", "ok overlay", "ok fixed"] {
        assert!(log.iter().any(|l| l.starts_with(step)), "no `{step}`:\n{}", log.join("\n"));
    }
}
