//! Artifact previews, built for real: one fixture per format, a malformed file
//! of each format, and big inputs that must still give small pages.

use crate::util::*;
use artsite::config::Config;
use artsite::diagnostics::Severity;
use serde_json::Value;
use std::fs;
use std::io::{BufWriter, Write};

const V: &str = "2024-01-01_00-00-00_a";

/// The output path of the artifact page showing `rel` of version [`V`].
fn page_of(t: &Tree, rel: &str) -> String {
    let index: Value = serde_json::from_slice(&fs::read(t.out().join("index.json")).unwrap()).unwrap();
    let want = format!("/files/{rel}");
    index["versions"][0]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["file"].as_str().is_some_and(|f| f.ends_with(&want)))
        .and_then(|a| a["page"].as_str())
        .unwrap_or_else(|| panic!("no artifact page for {rel}"))
        .to_string()
}

fn page(t: &Tree, rel: &str) -> Page {
    parse_page(&fs::read_to_string(t.out().join(page_of(t, rel))).unwrap())
}

/// The attributes of the first `tag` element on a page whose attributes satisfy `pick`.
fn element<'a>(
    p: &'a Page,
    tag: &str,
    pick: impl Fn(&std::collections::BTreeMap<String, String>) -> bool,
) -> &'a std::collections::BTreeMap<String, String> {
    p.elements.iter().find(|(n, a)| n == tag && pick(a)).map(|(_, a)| a).unwrap_or_else(|| panic!("no <{tag}>"))
}

#[cfg(feature = "parquet")]
fn write_parquet(path: &std::path::Path, rows: i64) {
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;
    let schema = parquet::schema::parser::parse_message_type(
        "message m { REQUIRED INT64 id; OPTIONAL BYTE_ARRAY user (UTF8); }",
    )
    .unwrap();
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(fs::File::create(path).unwrap(), Arc::new(schema), props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    let ids: Vec<i64> = (0..rows).collect();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<Int64Type>().write_batch(&ids, None, None).unwrap();
    col.close().unwrap();
    let users: Vec<ByteArray> = ids.iter().map(|i| ByteArray::from(format!("user-{i}").as_str())).collect();
    let defs = vec![1i16; ids.len()];
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<ByteArrayType>().write_batch(&users, Some(&defs), None).unwrap();
    col.close().unwrap();
    rg.close().unwrap();
    w.close().unwrap();
}

/// One well-formed file of every previewed format.
fn every_format(t: &Tree) {
    let f = |rel: &str, bytes: &[u8]| {
        t.file(&format!("{V}/{rel}"), bytes);
    };
    f("tables/scores.csv", b"\xef\xbb\xbfid,score,note\n1,2.5,\"two\nlines\"\n2,,plain\n");
    f("tables/scores.tsv", b"id\tname\n1\tann\n");
    f("plots/a.png", TINY_PNG);
    f("plots/b.gif", b"GIF89a\x40\x01\xc8\x00\x00\x00\x00;");
    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0xc8, 0x01, 0x40, 0x03];
    jpeg.extend([0u8; 9]);
    jpeg.extend([0xff, 0xd9]);
    f("plots/c.jpg", &jpeg);
    let mut webp = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend([0x3f, 0x01, 0x00, 0xc7, 0x00, 0x00]);
    f("plots/d.webp", &webp);
    f(
        "plots/e.svg",
        br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 200"><script>alert(1)</script></svg>"#,
    );
    let log: String = (1..=500).map(|i| format!("2024-01-01 INFO step {i}\n")).collect();
    f("logs/run.log", format!("{log}2024-01-01 ERROR boom\n").as_bytes());
    f("notes/README.md", b"# Run notes\n\nAll **good**.\n\n<script>alert('x')</script>\n");
    f("data/small.json", br#"{"a": [1, 2, 3]}"#);
    f("data/events.jsonl", b"{\"e\": 1}\n{\"e\": 2}\n");
    f("queries/q.sql", b"SELECT 1;\n");
    f("reports/r.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n");
    f("data/blob.bin", b"\x1f\x8b\x08\x00\x00\x00");
    #[cfg(feature = "parquet")]
    write_parquet(&t.root().join(V).join("tables/users.parquet"), 300);
}

#[test]
fn each_format_gets_its_preview() {
    let t = Tree::new();
    every_format(&t);
    let r = t.build();
    assert!(r.problems.iter().all(|d| d.severity == Severity::Info), "{:#?}", r.problems);

    let csv = page(&t, "tables/scores.csv");
    assert!(csv.html.contains("class=\"data pv\""));
    assert!(csv.text.contains("2 rows × 3 columns"), "{}", csv.text);
    assert!(csv.text.contains("byte order mark") && csv.text.contains("two\nlines"));
    assert!(csv.text.contains("float · 1 empty"), "per-column type and empty count");
    assert!(page(&t, "tables/scores.tsv").text.contains("TSV"));

    for (rel, w, h) in [("plots/a.png", "1", "1"), ("plots/b.gif", "320", "200"), ("plots/c.jpg", "320", "200")]
        .into_iter()
        .chain([("plots/d.webp", "320", "200"), ("plots/e.svg", "320", "200")])
    {
        let p = page(&t, rel);
        let img = element(&p, "img", |a| a.get("src").is_some_and(|s| s.ends_with(rel)));
        assert_eq!((img["width"].as_str(), img["height"].as_str()), (w, h), "{rel}");
        assert!(img.contains_key("alt"), "{rel}");
    }
    let svg = page(&t, "plots/e.svg");
    assert!(!svg.html.contains("<svg") && !svg.html.contains("alert(1)"), "an SVG is never inlined");

    let log = page(&t, "logs/run.log");
    assert!(log.text.contains("the last 200 of 501 lines"), "{}", log.text);
    assert!(log.html.contains("lvl-error") && !log.text.contains("step 301\n") && log.text.contains("step 302"));

    let md = page(&t, "notes/README.md");
    assert!(md.html.contains("<h1>Run notes</h1>") && md.html.contains("<strong>good</strong>"));
    assert!(!md.html.contains("alert('x')") && !md.html.contains("alert(&#39;x&#39;)"), "the script is gone");

    assert!(page(&t, "data/small.json").html.contains("class=\"jt\""), "small JSON is a tree");
    assert!(page(&t, "data/events.jsonl").html.contains("hl-k"), "JSON lines are highlighted");
    assert!(page(&t, "queries/q.sql").text.contains("SELECT 1;"));
    let pdf = page(&t, "reports/r.pdf");
    assert!(element(&pdf, "object", |_| true)["data"].ends_with("files/reports/r.pdf"));
    let blob = page(&t, "data/blob.bin");
    assert!(blob.text.contains("gzip") && blob.html.contains(" download>"), "{}", blob.text);

    #[cfg(feature = "parquet")]
    {
        let pq = page(&t, "tables/users.parquet");
        assert!(pq.text.contains("300 rows × 2 columns"), "{}", pq.text);
        assert!(pq.text.contains("First 100 rows") && pq.text.contains("user-99") && !pq.text.contains("user-100"));
        assert!(pq.text.contains("BYTE_ARRAY") && pq.text.contains("UTF8"));
    }
    assert_links_ok(&t);
}

#[test]
fn malformed_files_warn_on_their_page_and_the_problems_page() {
    let t = Tree::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("tables/quoting.csv", b"a,b\n1,2\n3,\"never closed\n4,5\n".to_vec(), "csv-quoting"),
        ("tables/latin1.csv", b"name\nM\xfcller\n".to_vec(), "csv-encoding"),
        ("tables/ragged.tsv", b"a\tb\n1\n".to_vec(), "csv-ragged"),
        ("plots/cut.png", TINY_PNG[..40].to_vec(), "image-truncated"),
        ("plots/stub.png", b"\x89PNG\r\n\x1a\n".to_vec(), "image-malformed"),
        ("plots/cut.jpg", vec![0xff, 0xd8, 0xff, 0xe0, 0x00], "image-malformed"),
        ("plots/cut.gif", b"GIF89a\x40".to_vec(), "image-malformed"),
        ("plots/cut.webp", b"RIFF\xff\0\0\0WEBPVP8X".to_vec(), "image-truncated"),
        ("plots/not.svg", b"<html></html>".to_vec(), "svg-malformed"),
        ("reports/cut.pdf", b"%PDF-1.4\n1 0 obj".to_vec(), "pdf-malformed"),
        ("logs/bad.log", b"ok\n\xff\xfe broken\n".to_vec(), "text-encoding"),
    ];
    for (rel, bytes, _) in &cases {
        t.file(&format!("{V}/{rel}"), bytes);
    }
    #[cfg(feature = "parquet")]
    {
        t.file(&format!("{V}/tables/fake.parquet"), "a,b\n1,2\n");
        let path = t.root().join(V).join("tables/cut.parquet");
        write_parquet(&path, 50);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    }
    let r = t.build();
    let problems = fs::read_to_string(t.out().join("problems/index.html")).unwrap();
    let mut all = cases.iter().map(|(rel, _, code)| (*rel, *code)).collect::<Vec<_>>();
    if cfg!(feature = "parquet") {
        all.push(("tables/cut.parquet", "parquet-malformed"));
        all.push(("tables/fake.parquet", "parquet-malformed"));
    }
    for (rel, code) in all {
        let path = format!("{V}/{rel}");
        let d = r
            .problems
            .iter()
            .find(|d| d.path == path && d.code == code)
            .unwrap_or_else(|| panic!("no {code} for {rel}: {:#?}", r.problems));
        assert_eq!(d.severity, Severity::Warning);
        assert!(problems.contains(&path), "problems page lacks {path}");
        let p = page(&t, rel);
        let first_words: String = d.message.chars().take(30).collect();
        let shown = artsite::util::html::escape(&first_words);
        assert!(p.html.contains("class=\"alert warn\"") && p.html.contains(&shown), "{rel} page lacks {first_words}");
    }
    // Previews are made while their pages render; their warnings still count
    // on the pages rendered after them.
    let home = parse_page(&fs::read_to_string(t.out().join("index.html")).unwrap()).text;
    let warnings = format!("{} warnings", r.counts.warnings);
    assert!(r.counts.warnings > 1 && home.contains(&warnings), "home does not count {warnings}");
    let summary: Value =
        serde_json::from_slice(&fs::read(t.out().join(format!("v/{V}/summary.json"))).unwrap()).unwrap();
    let in_version =
        r.problems.iter().filter(|d| d.path.starts_with(&format!("{V}/")) && d.severity == Severity::Warning);
    assert_eq!(summary["problems"]["warnings"], in_version.count());
    assert_links_ok(&t);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_disagreeing_with_its_manifest_is_warned() {
    let t = Tree::new();
    write_parquet(&t.root().join(V).join("tables/users.parquet"), 40);
    t.json(
        &format!("{V}/artifact_manifest.json"),
        serde_json::json!([{"artifact_id": "u", "artifact_type": "table", "stage": "features", "name": "users",
            "file_path": "tables/users.parquet",
            "metadata": {"shape": [42, 2], "columns": ["id", "user"], "dtypes": {"id": "int64", "user": "float64"}}}]),
    );
    let r = t.build();
    let msgs: Vec<&str> =
        r.problems.iter().filter(|d| d.code == "manifest-mismatch").map(|d| d.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let p = page(&t, "tables/users.parquet");
    assert!(p.text.contains("Manifest metadata against the file"));
    assert!(p.text.contains("rows is 42, but the file has 40"));
    assert!(p.text.contains("dtype of user is float64, but the file has text"));
}

#[test]
fn caps_come_from_the_config() {
    let t = Tree::new();
    let csv: String = std::iter::once("n\n".to_string()).chain((0..50).map(|i| format!("{i}\n"))).collect();
    t.file(&format!("{V}/tables/n.csv"), csv);
    t.file(&format!("{V}/data/doc.json"), format!("[{}0]", "1, ".repeat(400)));
    let config = Config { preview_rows: 5, preview_json_bytes: 100, preview_text_lines: 3, ..t.config() };
    artsite::commands::build::build(&config).unwrap();
    let p = page(&t, "tables/n.csv");
    assert!(p.text.contains("the first 5 shown") && p.text.contains("50 rows"), "{}", p.text);
    let j = page(&t, "data/doc.json");
    assert!(j.html.contains("class=\"src json\"") && !j.html.contains("class=\"jt\""), "over the cap: no tree");
}

/// Writes `lines` lines from `line(i)` to a file of the tree.
fn write_big(t: &Tree, rel: &str, head: &str, lines: usize, line: impl Fn(usize) -> String) -> u64 {
    let path = t.root().join(V).join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = BufWriter::new(fs::File::create(&path).unwrap());
    w.write_all(head.as_bytes()).unwrap();
    for i in 0..lines {
        w.write_all(line(i).as_bytes()).unwrap();
    }
    w.into_inner().unwrap().sync_all().unwrap();
    fs::metadata(&path).unwrap().len()
}

#[test]
fn big_inputs_give_bounded_pages() {
    const MAX_PAGE: u64 = 3 * 1024 * 1024;
    let t = Tree::new();
    let json_size = write_big(&t, "data/big.json", "[\n", 640_000, |i| {
        format!(
            "  {{\"id\": {i}, \"user\": \"s{:03}\", \"hold_ms\": {}.{:02}, \"ok\": true, \"tags\": [\"a\", \"b\"]}},\n",
            i % 997,
            i % 300,
            i % 100
        )
    });
    assert!(json_size > 50 * 1024 * 1024, "{json_size}");
    write_big(&t, "tables/big.csv", "id,user,hold_ms,ok\n", 1_000_000, |i| {
        format!("{i},s{:03},{}.{:02},{}\n", i % 997, i % 300, i % 100, i % 2 == 0)
    });
    let long_line = "x".repeat(2_000);
    write_big(&t, "logs/big.log", "", 5_000, |i| format!("{i} INFO {long_line}\n"));
    let r = t.build();
    assert!(r.problems.iter().all(|d| d.severity == Severity::Info), "{:#?}", r.problems);
    for rel in ["data/big.json", "tables/big.csv", "logs/big.log"] {
        let size = fs::metadata(t.out().join(page_of(&t, rel))).unwrap().len();
        assert!(size < MAX_PAGE, "{rel}: page is {size} bytes");
    }
    let csv = page(&t, "tables/big.csv");
    assert!(csv.text.contains("1,000,000 rows × 4 columns"), "rows counted while streaming");
    assert!(csv.text.contains("integer") && csv.text.contains("bool"));
    let json = page(&t, "data/big.json");
    assert!(json.text.contains("here are its first 64.0 KiB"), "{}", &json.text[..json.text.len().min(2000)]);
    let log = page(&t, "logs/big.log");
    assert!(log.text.contains("of 5,000 lines"));
}

/// HTML reports are shown in a frame whose scripts run in an origin of
/// their own, with what they load from other hosts named on the page and in
/// `problems.json`; a PDF is embedded with its page count.
#[test]
fn reports_run_sandboxed_and_name_what_they_need_from_the_network() {
    let t = Tree::new();
    t.file(
        &format!("{V}/unified_reports/dashboard.html"),
        "<!doctype html><html><head><script src=\"https://cdn.plot.ly/plotly-2.27.0.min.js\"></script></head>\
         <body><div id=\"chart\"></div><script>Plotly.newPlot('chart', []);</script></body></html>",
    );
    t.file(
        &format!("{V}/unified_reports/inline.html"),
        "<html><body><script>document.body.textContent = 'drawn';</script></body></html>",
    );
    let pdf =
        "%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type /Page >>\n%%EOF\n";
    t.file(&format!("{V}/unified_reports/summary.pdf"), pdf);
    let report = t.build();

    for (rel, remote) in [("unified_reports/dashboard.html", true), ("unified_reports/inline.html", false)] {
        let p = page(&t, rel);
        let frame = element(&p, "iframe", |a| a.get("class").is_some_and(|c| c == "report"));
        let sandbox: Vec<&str> = frame["sandbox"].split(' ').collect();
        assert!(sandbox.contains(&"allow-scripts") && !sandbox.contains(&"allow-same-origin"), "{rel}: {sandbox:?}");
        assert!(frame["src"].ends_with(&format!("files/{rel}")), "{rel}: {}", frame["src"]);
        let text = words(&fs::read_to_string(t.out().join(page_of(&t, rel))).unwrap());
        assert!(
            text.contains("its scripts run, but it cannot read this site"),
            "{rel}: the page says what the frame allows"
        );
        assert_eq!(text.contains("plotly.js from cdn.plot.ly"), remote, "{rel}: {text}");
    }
    let problems: Value = serde_json::from_slice(&fs::read(t.out().join("problems.json")).unwrap()).unwrap();
    let remote: Vec<&Value> =
        problems.as_array().unwrap().iter().filter(|d| d["code"] == "remote-dependency").collect();
    assert_eq!(remote.len(), 1, "{remote:#?}");
    assert_eq!(remote[0]["path"], format!("{V}/unified_reports/dashboard.html"));
    assert!(remote[0]["message"].as_str().unwrap().contains("cdn.plot.ly"));
    assert!(report.problems.iter().any(|d| d.code == "remote-dependency" && d.severity == Severity::Warning));

    let pdf_page = page(&t, "unified_reports/summary.pdf");
    element(&pdf_page, "object", |a| a.get("type").is_some_and(|t| t == "application/pdf"));
    let text = words(&fs::read_to_string(t.out().join(page_of(&t, "unified_reports/summary.pdf"))).unwrap());
    assert!(text.contains("PDF · 2 pages"), "{text}");
}

/// A report copied into the site keeps its bytes, and its links that lead
/// to no file of the published site are listed on its page and in
/// `problems.json`, each with the file it most likely meant: the design's
/// `artifacts/<version>/...` paths and a machine's absolute ones resolve as
/// a manifest's `file_path` does; links that work are not listed.
#[test]
fn dead_links_in_a_copied_report_are_listed_with_what_they_meant() {
    let t = Tree::new();
    t.file(&format!("{V}/plots/hold time.png"), TINY_PNG);
    t.file(&format!("{V}/tables/features.csv"), "a,b\n1,2\n");
    let html = format!(
        "<html><body><h1>Pipeline Execution Summary</h1>\
         <a href=\"artifacts/{V}/plots/hold%20time.png\">plot</a>\
         <a href=\"/builds/penguins/artifacts/{V}/tables/features.csv\">table</a>\
         <a href=\"../tables/features.csv#row-1\">works</a>\
         <a href=\"../tables/gone.csv\">gone</a>\
         <a href=\"/about/\">host page</a> <a href=\"https://example.org/docs\">docs</a>\
         </body></html>"
    );
    t.file(&format!("{V}/unified_reports/pipeline_summary.html"), &html);
    t.build();

    let rel = "unified_reports/pipeline_summary.html";
    let published = fs::read_to_string(t.out().join(format!("v/{V}/files/{rel}"))).unwrap();
    assert_eq!(published, html, "the pipeline's bytes are never rewritten");

    let path = page_of(&t, rel);
    let p = page(&t, rel);
    let list = p.html.split("class=\"alert warn dead-links\"").nth(1).expect("a list of dead links");
    let list = &list[..list.find("</details>").unwrap()];
    let items = words(list);
    assert!(items.contains("3 links in this report lead to no file of this site."), "{items}");
    assert!(
        items.contains(&format!("artifacts/{V}/plots/hold%20time.png: most likely plots/hold time.png")),
        "{items}"
    );
    assert!(
        items.contains(&format!("/builds/penguins/artifacts/{V}/tables/features.csv: most likely tables/features.csv")),
        "{items}"
    );
    assert!(items.contains("../tables/gone.csv: the run has no tables/gone.csv"), "{items}");
    assert!(!items.contains("row-1") && !items.contains("/about/") && !items.contains("example.org"), "{items}");
    // Each file it meant is linked to its page, and the page exists.
    let meant: Vec<String> = parse_page(list).links.into_iter().map(|(_, _, h)| h).collect();
    assert_eq!(meant.len(), 2, "{meant:?}");
    for href in &meant {
        let (target, _) = resolve(&path, href).unwrap();
        assert!(t.out().join(&target).is_file(), "{href} from {path} leads to {target}");
    }

    let problems: Value = serde_json::from_slice(&fs::read(t.out().join("problems.json")).unwrap()).unwrap();
    let dead: Vec<&Value> = problems.as_array().unwrap().iter().filter(|d| d["code"] == "dead-link").collect();
    assert_eq!(dead.len(), 1, "one problem for the report: {dead:#?}");
    assert_eq!(dead[0]["path"], format!("{V}/{rel}"));
    assert_eq!(dead[0]["severity"], "warning");
    let message = dead[0]["message"].as_str().unwrap();
    assert!(message.starts_with("3 links of this report lead to no file of the published site"), "{message}");
    assert!(message.contains("(most likely `plots/hold time.png`)"), "{message}");

    // The page leads to the full-page viewer of the same report.
    let full = p.links.iter().map(|(_, _, h)| h).find(|h| h.contains("view.html?")).expect("an Open full page link");
    let (viewer, _) = resolve(&path, full).unwrap();
    assert!(t.out().join(&viewer).is_file(), "{viewer}");
    assert!(full.contains(&format!("src=v/{V}/files/unified_reports/pipeline_summary.html")), "{full}");
}
