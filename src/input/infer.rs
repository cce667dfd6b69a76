//! What a file is, guessed from where it lies and how it is named.
//!
//! Used for files the manifest does not list, and for versions without one.

/// The artifact type of a file, from its folder and extension.
pub(crate) fn artifact_type(rel: &str) -> &'static str {
    let ext = extension(rel);
    let top = rel.split('/').next().unwrap_or("");
    let file = rel.rsplit('/').next().unwrap_or(rel);
    if ext == "log" || file.ends_with("_log.json") || top == "logs" {
        return "log";
    }
    match top {
        "etl_metadata" => "etl_metadata",
        "eda_reports" => "eda_report",
        "plots" => "plot",
        "tables" => "table",
        "unified_reports" => "summary",
        _ => match ext.as_str() {
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => "plot",
            "parquet" | "csv" | "tsv" => "table",
            "html" | "htm" | "pdf" => "summary",
            _ => "other",
        },
    }
}

/// The lowercase extension of a path, or an empty string.
pub(crate) fn extension(rel: &str) -> String {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The stage folder of a file under `etl_metadata/`: the folders between
/// `etl_metadata/` and the file, e.g. `features/hold_time`.
pub(crate) fn etl_stage(rel: &str) -> Option<String> {
    let rest = rel.strip_prefix("etl_metadata/")?;
    Some(match rest.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => "etl".to_string(),
    })
}

/// Stage and name of an unlisted file. `known` are the stage names the version
/// already uses; a file named `{stage}_{name}.ext` takes the longest known or
/// standard stage its stem starts with. Other files keep their whole stem as
/// the name, in stage `other` (or `pipeline` at the top level and in `logs/`).
pub(crate) fn stage_and_name(rel: &str, known: &[String]) -> (String, String) {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = match file.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => file,
    };
    if let Some(stage) = etl_stage(rel) {
        return (stage, stem.to_string());
    }
    let parts: Vec<&str> = rel.split('/').collect();
    if parts[0] == "eda_reports" && parts.len() >= 3 {
        return ("eda".to_string(), parts[1].to_string());
    }
    let prefixed = known
        .iter()
        .map(String::as_str)
        .chain(STANDARD_STAGES)
        .filter(|s| {
            !s.is_empty() && stem.len() > s.len() + 1 && stem.starts_with(*s) && stem.as_bytes()[s.len()] == b'_'
        })
        .max_by_key(|s| s.len());
    if let Some(stage) = prefixed {
        return (stage.to_string(), stem[stage.len() + 1..].to_string());
    }
    let stage = match parts[0] {
        "unified_reports" | "logs" => "pipeline",
        _ if parts.len() == 1 => "pipeline",
        _ => "other",
    };
    (stage.to_string(), stem.to_string())
}

/// Stage names of the reference pipeline, recognised as file-name prefixes
/// (`plots/{stage}_{name}.png`) even when no other file names them.
const STANDARD_STAGES: [&str; 7] = ["download", "cleaning", "cleaned_data", "keypairs", "features", "eda", "pipeline"];

/// Rank of a stage in pipeline order: download, cleaning, key pairs, features,
/// EDA, then the rest.
pub(crate) fn stage_rank(stage: &str) -> u8 {
    let head = stage.split('/').next().unwrap_or(stage);
    match head {
        "download" => 0,
        "cleaning" | "cleaned_data" | "clean" => 1,
        "keypairs" => 2,
        "features" if stage == "features" => 3,
        "features" => 4,
        "eda" => 5,
        "pipeline" => 7,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_folders_and_extensions() {
        assert_eq!(artifact_type("etl_metadata/cleaning/x.json"), "etl_metadata");
        assert_eq!(artifact_type("etl_metadata/download/download_log.json"), "log");
        assert_eq!(artifact_type("plots/a.png"), "plot");
        assert_eq!(artifact_type("misc/a.parquet"), "table");
        assert_eq!(artifact_type("eda_reports/q/report.html"), "eda_report");
        assert_eq!(artifact_type("README"), "other");
    }

    #[test]
    fn stage_and_name_of_unlisted_files() {
        let known = vec!["cleaned_data".to_string(), "eda".to_string()];
        assert_eq!(stage_and_name("tables/cleaned_data_extra.csv", &known), ("cleaned_data".into(), "extra".into()));
        assert_eq!(stage_and_name("plots/eda_hold_hist.png", &known), ("eda".into(), "hold_hist".into()));
        assert_eq!(stage_and_name("etl_metadata/features/ft/x.json", &known), ("features/ft".into(), "x".into()));
        assert_eq!(stage_and_name("logs/pipeline.log", &known), ("pipeline".into(), "pipeline".into()));
        assert_eq!(stage_and_name("tables/raw_sessions.parquet", &known), ("other".into(), "raw_sessions".into()));
        assert_eq!(stage_and_name("plots/keypairs_rate.png", &[]), ("keypairs".into(), "rate".into()));
    }
}
