//! Quality dashboards, trends and comparisons: numbers drawn equal numbers
//! read, deltas are right, and missing data reads as "no data".

use crate::util::*;
use artsite::config::Config;
use serde_json::json;
use std::fs;

/// The chart `chart_id` of a page: from its image to its x-axis title.
fn chart_html<'a>(html: &'a str, chart_id: &str) -> &'a str {
    let start = html.find(&format!("aria-labelledby=\"{chart_id}-t")).unwrap_or_else(|| panic!("no chart {chart_id}"));
    &html[start..start + html[start..].find("class=\"axis-title x\"").unwrap()]
}

/// The label of every point link of chart `chart_id`, in document order.
fn point_titles(html: &str, chart_id: &str) -> Vec<String> {
    parse_page(chart_html(html, chart_id))
        .elements
        .into_iter()
        .filter(|(tag, a)| tag == "a" && a.get("class").is_some_and(|c| c.starts_with("pt ")))
        .map(|(_, a)| a["aria-label"].clone())
        .collect()
}

#[test]
fn trend_points_show_the_numbers_of_the_source_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let config = Config { root: examples_root(), out: out.clone(), ..Config::default() };
    artsite::commands::build::build(&config).unwrap();
    let html = fs::read_to_string(out.join("trends/index.html")).unwrap();
    let titles = point_titles(&html, "quality");
    let mut checked = 0;
    for e in fs::read_dir(examples_root()).unwrap().flatten() {
        if !e.file_type().unwrap().is_dir() {
            continue;
        }
        let id = e.file_name().to_string_lossy().into_owned();
        let Ok(bytes) = fs::read(e.path().join("etl_metadata/cleaned_data/cleaning_summary.json")) else { continue };
        let doc = artsite::util::lenient_json::parse(&bytes).unwrap().value;
        let score = artsite::util::lenient_json::as_f64(&doc["data_quality_score"]).unwrap();
        let expected = format!("{id}: Quality score {}%", artsite::util::html::number(score, 2));
        assert!(titles.contains(&expected), "{expected} not among {titles:?}");
        checked += 1;
    }
    assert_eq!(checked, titles.len(), "one point per version with a score");
}

fn stage_files(t: &Tree, v: &str, rin: f64, rout: f64, secs: f64, score: Option<f64>) {
    t.json(
        &format!("{v}/etl_metadata/cleaning/cleaning_report.json"),
        json!({"steps": ["dedupe"], "records_in": rin, "records_out": rout}),
    );
    t.json(
        &format!("{v}/etl_metadata/cleaning/cleaning_stats.json"),
        json!({"total_records": rin, "valid_records": rout, "processing_time": secs}),
    );
    if let Some(s) = score {
        t.json(
            &format!("{v}/etl_metadata/cleaned_data/cleaning_summary.json"),
            json!({"total_records": rin, "valid_records": rout, "data_quality_score": s, "issues_found": 1, "outliers_removed": 2}),
        );
    }
}

#[test]
fn compare_shows_known_deltas_and_changes() {
    let t = Tree::new();
    let (a, b) = ("2024-01-01_00-00-00_a", "2024-01-02_00-00-00_b");
    stage_files(&t, a, 100.0, 90.0, 10.0, Some(90.0));
    stage_files(&t, b, 120.0, 100.0, 5.0, Some(83.3));
    t.file(&format!("{a}/plots/eda_same.png"), "same").file(&format!("{b}/plots/eda_same.png"), "same");
    t.file(&format!("{a}/plots/eda_touched.png"), "aaa").file(&format!("{b}/plots/eda_touched.png"), "aab");
    t.file(&format!("{a}/tables/eda_grown.csv"), "x\n1\n").file(&format!("{b}/tables/eda_grown.csv"), "x\n1\n2\n");
    t.file(&format!("{a}/tables/eda_gone.csv"), "x\n");
    t.file(&format!("{b}/tables/eda_new.csv"), "x\n");
    t.json(
        &format!("{a}/etl_metadata/features/feature_registry.json"),
        json!({"hold": {"records": 5, "features": ["m"]}, "old": {"records": 1}}),
    );
    t.json(
        &format!("{b}/etl_metadata/features/feature_registry.json"),
        json!({"hold": {"records": 6, "features": ["m"]}, "new": {"records": 1}}),
    );
    t.build();
    let page = parse_page(&read(&t, &format!("v/{b}/compare/index.html")));
    let text = page.text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "100 → 120 ▲ +20 (+20%)",
        "90 → 100 ▲ +10 (+11.1%)",
        "10 → 5 ▼ -5 (-50%)",
        "90 → 83.3% ▼ -6.7 (-7.4%)",
        "1 added, 1 removed, 0 appeared or went missing, 6 with new content, 1 unchanged",
        "6 artifacts with new content",
        "touchededasame size, different content",
        "same size, different content",
        "size 4 B → 6 B",
        "gone (eda)",
        "added new",
        "removed old",
        "changed hold: 5 records, 1 features → 6 records, 1 features",
    ] {
        assert!(text.contains(expected), "compare page lacks {expected:?}:\n{text}");
    }
    let html = &page.html;
    let report = artifact_page(&t.out(), a, "etl_metadata/cleaning/cleaning_report.json");
    assert!(html.contains(&format!("{report}#p/records_in")), "old value links its field");
    assert!(html.contains("<code>/records_in</code>"), "changed ETL field listed");
    // Changes are coloured by whether they are good news: fewer valid records
    // or a lower score is bad, less time is good, records in are neither.
    let tone_of = |abs: &str| {
        let at = html.find(&format!("</span> {abs}")).unwrap_or_else(|| panic!("no change {abs}"));
        let start = html[..at].rfind("<span class=\"chg ").unwrap();
        html[start + 17..].split('"').next().unwrap().to_string()
    };
    assert_eq!(tone_of("-6.7 (-7.4%)"), "bad");
    assert_eq!(tone_of("+10 (+11.1%)"), "good");
    assert_eq!(tone_of("-5 (-50%)"), "good");
    assert_eq!(tone_of("+20 (+20%)"), "neutral");
    assert!(read(&t, &format!("v/{a}/compare/index.html")).contains("oldest run"));
    assert!(broken_links(&t.out()).is_empty());
}

#[test]
fn missing_data_reads_as_no_data_never_zero() {
    let t = Tree::new();
    let (a, b, c) = ("2024-01-01_00-00-00_a", "2024-01-02_00-00-00_b", "2024-01-03_00-00-00_c");
    stage_files(&t, a, 100.0, 90.0, 10.0, Some(90.0));
    t.file(&format!("{b}/plots/eda_only.png"), "png");
    stage_files(&t, c, 100.0, 95.0, 9.0, None);
    t.file(
        &format!("{c}/etl_metadata/cleaned_data/cleaning_summary.json"),
        "{\"total_records\": 100, \"valid_records\": 95, \"data_quality_score\": NaN}",
    );
    t.build();
    let quality_b = parse_page(&read(&t, &format!("v/{b}/quality/index.html"))).text;
    assert!(quality_b.contains("no data"), "a run without cleaning files has no score");
    assert!(!quality_b.contains("Quality score0"));
    let trends = read(&t, "trends/index.html");
    let titles = point_titles(&trends, "quality");
    assert_eq!(titles, vec![format!("{a}: Quality score 90%")], "NaN and absent scores draw no point");
    assert!(trends.contains("data-value=\"NaN\""), "the NaN score is in the data table as NaN");
    let compare_b = parse_page(&read(&t, &format!("v/{b}/compare/index.html"))).text;
    assert!(compare_b.contains("cleaning") && compare_b.contains("none"), "a stage absent in one run shows none");
    assert!(broken_links(&t.out()).is_empty());
}

#[test]
fn a_single_version_site_renders_every_page() {
    let t = Tree::new();
    stage_files(&t, "only", 10.0, 9.0, 1.0, Some(90.0));
    t.build();
    assert!(read(&t, "v/only/compare/index.html").contains("oldest run"));
    let trends = read(&t, "trends/index.html");
    assert_eq!(point_titles(&trends, "quality"), vec!["only: Quality score 90%".to_string()]);
    let home = read(&t, "index.html");
    assert!(home.contains("no change to show"));
    assert!(broken_links(&t.out()).is_empty());
}

#[test]
fn trends_and_run_lists_stay_readable_and_bounded_with_many_versions() {
    let t = Tree::new();
    let ids: Vec<String> = (0..150).map(|i| format!("2024-{:02}-{:02}_00-00-00_h", 1 + i / 28, 1 + i % 28)).collect();
    for (i, v) in ids.iter().enumerate() {
        stage_files(&t, v, 1000.0 + i as f64, 900.0 + (i % 7) as f64, 5.0, Some(90.0 + (i % 5) as f64));
    }
    let r = t.build();
    assert_eq!(r.versions, 150);

    // The home page lists the newest 100 runs; the next page the 50 older ones.
    let home = read(&t, "index.html");
    let older = read(&t, "runs/2/index.html");
    let listed = |html: &str, v: &str| html.contains(&format!("v/{v}/index.html\">{v}</a>"));
    for (i, v) in ids.iter().enumerate() {
        assert_eq!(listed(&home, v), i >= 50, "{v} on the home page");
        assert_eq!(listed(&older, v), i < 50, "{v} on page 2");
    }
    assert!(home.contains("href=\"runs/2/index.html\" rel=\"next\">Older runs"));
    assert!(older.contains("href=\"../../index.html\" rel=\"prev\">Newer runs"));
    assert!(home.contains("150 pipeline runs") && older.contains("150 pipeline runs"));
    assert!(!t.out().join("runs/3").exists());

    // The trends show the newest 100 runs, and say so.
    let trends = read(&t, "trends/index.html");
    let titles = point_titles(&trends, "quality");
    assert_eq!(titles.len(), 100);
    assert!(titles[0].starts_with(&format!("{}:", ids[50])), "{}", titles[0]);
    assert!(trends.contains("The newest 100 of 150 runs"));
    let chart = parse_page(chart_html(&trends, "quality"));
    let axis_labels = chart
        .elements
        .iter()
        .filter(|(t, a)| t == "span" && a.get("class").is_some_and(|c| c.starts_with("xl")))
        .count();
    assert!((2..=10).contains(&axis_labels), "x labels are thinned: {axis_labels}");
    assert!(trends.len() < 1_500_000, "trends page is {} bytes", trends.len());
    assert!(broken_links(&t.out()).is_empty(), "{:?}", broken_links(&t.out()));
}
