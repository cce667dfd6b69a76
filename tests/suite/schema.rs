//! content-schema/ and the Rust models agree, and the example files follow the schemas.

use artsite::input::etl::{self, Kind};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde_json::{Value, json};
use std::fs;
use std::path::Path;

fn schema(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-schema").join(file);
    serde_json::from_slice(&fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A deserializer that records the field names a derived struct asks for.
struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("captured"))
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

fn fields_of<T: DeserializeOwned>() -> Vec<&'static str> {
    let mut out = None;
    let _ = T::deserialize(FieldNames(&mut out));
    let mut f = out.expect("a derived struct").to_vec();
    f.sort();
    f
}

/// A value of each property's (first) schema type.
fn sample(properties: &serde_json::Map<String, Value>) -> Value {
    let mut obj = serde_json::Map::new();
    for (k, p) in properties {
        let ty = match &p["type"] {
            Value::String(t) => t.clone(),
            Value::Array(ts) => ts[0].as_str().unwrap().to_string(),
            _ => "object".into(),
        };
        let v = match ty.as_str() {
            "integer" => json!(7),
            "number" => json!(1.5),
            "string" => json!("x"),
            "boolean" => json!(true),
            "array" => json!([]),
            "null" => Value::Null,
            _ => json!({}),
        };
        obj.insert(k.clone(), v);
    }
    Value::Object(obj)
}

/// The struct's fields are exactly the schema's properties, and a value of the
/// schema's types deserialises into the struct.
fn agree<T: DeserializeOwned>(what: &str, node: &Value) {
    let props = node["properties"].as_object().unwrap_or_else(|| panic!("{what}: no properties"));
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(fields_of::<T>(), keys, "{what}: model fields and schema properties differ");
    for (k, p) in props {
        assert!(p["title"].is_string() && p["description"].is_string(), "{what}.{k}: title and description");
    }
    if let Err(e) = serde_json::from_value::<T>(sample(props)) {
        panic!("{what}: a value of the schema's types does not fit the model: {e}");
    }
}

#[test]
fn models_and_schemas_agree() {
    agree::<etl::CleaningSummary>("cleaning_summary", &schema("cleaning_summary.schema.json"));
    agree::<etl::CleaningReport>("cleaning_report", &schema("cleaning_report.schema.json"));
    agree::<etl::CleaningStats>("cleaning_stats", &schema("cleaning_stats.schema.json"));
    let ve = schema("validation_errors.schema.json");
    agree::<etl::ValidationError>("validation_errors[]", &ve["items"]);
    assert_eq!(ve["items"], ve["properties"]["errors"]["items"], "a wrapped list has the same entries");
    let dm = schema("download_manifest.schema.json");
    agree::<etl::DownloadManifest>("download_manifest", &dm);
    agree::<etl::DownloadedFile>("download_manifest.files[]", &dm["properties"]["files"]["items"]);
    let dl = schema("download_log.schema.json");
    agree::<etl::DownloadLog>("download_log", &dl);
    agree::<etl::DownloadAttempt>("download_log.attempts[]", &dl["properties"]["attempts"]["items"]);
    agree::<etl::ExtractionStats>("extraction_stats", &schema("extraction_stats.schema.json"));
    let pl = schema("processing_log.schema.json");
    agree::<etl::ProcessingLog>("processing_log", &pl);
    agree::<etl::LogEvent>("processing_log.events[]", &pl["properties"]["events"]["items"]);
    agree::<etl::FeatureSummary>("feature_summary", &schema("feature_summary.schema.json"));
    let vr = schema("validation_report.schema.json");
    agree::<etl::ValidationReport>("validation_report", &vr);
    agree::<etl::ValidationCheck>("validation_report.checks[]", &vr["properties"]["checks"]["items"]);
    agree::<etl::RegistryEntry>("feature_registry{}", &schema("feature_registry.schema.json")["$defs"]["entry"]);
}

#[test]
fn every_schema_is_documented_and_every_kind_has_one() {
    for kind in Kind::ALL {
        let s = schema(kind.schema_file());
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema", "{kind:?}");
        assert!(s["title"].is_string() && s["description"].is_string(), "{kind:?}");
        jsonschema::draft202012::new(&s).unwrap_or_else(|e| panic!("{kind:?}: invalid schema: {e}"));
    }
    let m = schema("artifact_manifest.schema.json");
    jsonschema::draft202012::new(&m).unwrap();
}

/// Non-finite numbers are numbers to a pipeline; JSON Schema cannot say so,
/// so for validation they stand in as 0.
fn finite(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(finite).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, finite(v))).collect()),
        v if artsite::util::lenient_json::non_finite(&v).is_some() => json!(0),
        v => v,
    }
}

#[test]
fn every_example_file_follows_its_schema() {
    let manifest = jsonschema::draft202012::new(&schema("artifact_manifest.schema.json")).unwrap();
    let root = crate::util::examples_root();
    let mut checked = 0;
    for e in walkdir::WalkDir::new(&root).into_iter().flatten() {
        let path = e.path();
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let Some((_, in_version)) = rel.split_once('/') else { continue };
        let validator = if in_version == "artifact_manifest.json" {
            &manifest
        } else if let Some(kind) = Kind::detect(in_version) {
            &jsonschema::draft202012::new(&schema(kind.schema_file())).unwrap()
        } else {
            continue;
        };
        let Ok(parsed) = artsite::util::lenient_json::parse(&fs::read(path).unwrap()) else {
            assert!(rel.ends_with("digraph/validation_report.json"), "{rel} does not parse");
            continue;
        };
        let value = finite(parsed.value);
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{rel}:\n{}", errors.join("\n"));
        if let Some(kind) = Kind::detect(in_version) {
            etl::read(kind, &value).unwrap_or_else(|| panic!("{rel}: not the JSON type of its kind"));
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} files checked");
}
