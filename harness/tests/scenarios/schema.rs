//! The JSON report matches its documented schema, docs/report.schema.json: every field the
//! report writes is documented there, with its type, and every documented field is written.

use super::run::play;
use rstest::rstest;
use serde_json::Value;

const SCHEMA: &str = include_str!("../../../docs/report.schema.json");

/// Checks `value` against `schema`, for the keywords the documented schema uses: `$ref` (to
/// `#/$defs/`), `type`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
/// `minimum`, `maximum`. Every violation goes into `errors` with its JSON path.
fn validate(schema: &Value, root: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("local $ref");
        return validate(&root["$defs"][name], root, value, path, errors);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            other => panic!("schema type {other} at {path}"),
        };
        let fits = |kind: &str| match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "integer" => value.is_u64() || value.is_i64(),
            "number" => value.is_number(),
            other => panic!("schema type {other} at {path}"),
        };
        if !types.iter().any(|kind| fits(kind)) {
            errors.push(format!("{path}: {value} is not of type {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {allowed:?}"));
    }
    if let (Some(number), Some(minimum)) = (value.as_f64(), schema.get("minimum"))
        && number < minimum.as_f64().expect("numeric minimum")
    {
        errors.push(format!("{path}: {number} is below {minimum}"));
    }
    if let (Some(number), Some(maximum)) = (value.as_f64(), schema.get("maximum"))
        && number > maximum.as_f64().expect("numeric maximum")
    {
        errors.push(format!("{path}: {number} is above {maximum}"));
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let required = required.as_str().expect("required names");
            if !object.contains_key(required) {
                errors.push(format!("{path}: the documented field `{required}` is missing"));
            }
        }
        for (key, field) in object {
            let field_path = format!("{path}.{key}");
            match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
                (Some(property), _) => validate(property, root, field, &field_path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{field_path}: not documented in the schema"));
                }
                (None, Some(other)) => validate(other, root, field, &field_path, errors),
                (None, None) => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            validate(items, root, item, &format!("{path}[{index}]"), errors);
        }
    }
}

fn violations(report: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("docs/report.schema.json is JSON");
    let mut errors = Vec::new();
    validate(&schema, &schema, report, "$", &mut errors);
    errors
}

#[rstest]
#[case::article_restart("article-restart.toml")]
#[case::hung_replica("hung-replica.toml")]
#[case::stale_dns("stale-dns.toml")]
fn the_json_report_matches_its_documented_schema(#[case] file: &str) {
    let report: Value = serde_json::from_str(&play(file).to_json()).expect("the report is JSON");
    let errors = violations(&report);
    assert!(
        errors.is_empty(),
        "the JSON report of fixtures/{file} must match docs/report.schema.json:\n{}\nrerun: cargo test --test harness schema",
        errors.join("\n")
    );
}

#[test]
fn an_undocumented_or_missing_field_breaks_the_schema() {
    let mut report: Value =
        serde_json::from_str(&jostle_harness::report::RunReport::default().to_json())
            .expect("JSON");
    assert_eq!(violations(&report), Vec::<String>::new(), "the default report must match");
    report["calls"]["retried"] = Value::from(1);
    report.as_object_mut().expect("object").remove("seed");
    report["timeline"]["bucket_ms"] = Value::from(-1);
    let errors = violations(&report);
    assert_eq!(
        errors,
        [
            "$: the documented field `seed` is missing",
            "$.calls.retried: not documented in the schema",
            "$.timeline.bucket_ms: -1 is below 1",
        ],
        "the validator must catch each kind of drift"
    );
}
