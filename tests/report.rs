//! Paths, codes, messages and the two server renderings, against RULES.md's lists.

use std::collections::BTreeSet;

use customer_validation::{
    square_code, square_error_body, store_error_body, validate_square, validate_store, Code, Options, Params, Path,
    Report, Segment, Violation,
};
use serde_json::{json, Value};

/// Every code RULES.md names (its field table, the Text, Birthday and Square sections).
const RULES_CODES: [&str; 23] = [
    "required",
    "too_long",
    "invalid_characters",
    "invalid_email",
    "invalid_phone",
    "invalid_date",
    "date_in_future",
    "out_of_range",
    "email_or_phone_required",
    "one_of_required",
    "expected_string",
    "expected_integer",
    "expected_boolean",
    "expected_object",
    "expected_array",
    "too_large",
    "too_deep",
    "invalid_key",
    "too_many",
    "invalid_slug",
    "invalid_value",
    "invalid_country",
    "unknown_field",
];
/// The two the server adds for stored data.
const SERVER_CODES: [&str; 2] = ["taken", "idempotency_key_reused"];

/// RULES.md's Square code map, spelled out code by code.
const SQUARE_MAP: [(&str, &str); 25] = [
    ("too_long", "VALUE_TOO_LONG"),
    ("invalid_email", "INVALID_EMAIL_ADDRESS"),
    ("invalid_phone", "INVALID_PHONE_NUMBER"),
    ("invalid_date", "INVALID_TIME"),
    ("date_in_future", "INVALID_TIME"),
    ("out_of_range", "INVALID_TIME"),
    ("one_of_required", "MISSING_REQUIRED_PARAMETER"),
    ("required", "MISSING_REQUIRED_PARAMETER"),
    ("expected_string", "EXPECTED_STRING"),
    ("expected_integer", "INCORRECT_TYPE"),
    ("expected_boolean", "INCORRECT_TYPE"),
    ("expected_object", "INCORRECT_TYPE"),
    ("expected_array", "INCORRECT_TYPE"),
    ("invalid_country", "INVALID_ENUM_VALUE"),
    ("unknown_field", "UNKNOWN_BODY_PARAMETER"),
    ("idempotency_key_reused", "IDEMPOTENCY_KEY_REUSED"),
    // "anything else → INVALID_VALUE"
    ("invalid_characters", "INVALID_VALUE"),
    ("email_or_phone_required", "INVALID_VALUE"),
    ("too_large", "INVALID_VALUE"),
    ("too_deep", "INVALID_VALUE"),
    ("invalid_key", "INVALID_VALUE"),
    ("too_many", "INVALID_VALUE"),
    ("invalid_slug", "INVALID_VALUE"),
    ("invalid_value", "INVALID_VALUE"),
    ("taken", "INVALID_VALUE"),
];

fn options() -> Options {
    Options::new("US", "2026-11-23".parse().expect("a date")).expect("US is a region")
}

fn code(text: &str) -> Code {
    Code::from_str_opt(text).unwrap_or_else(|| panic!("no code {text:?}"))
}

#[test]
fn the_codes_are_rules_md_list_plus_the_servers_two() {
    let ours: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let expected: BTreeSet<&str> = RULES_CODES.iter().chain(&SERVER_CODES).copied().collect();
    assert_eq!(ours, expected);
    assert_eq!(Code::ALL.len(), expected.len(), "a code is listed twice");
    for c in Code::ALL {
        assert_eq!(Code::from_str_opt(c.as_str()), Some(*c));
        assert_eq!(c.to_string(), c.as_str());
        assert_eq!(serde_json::to_value(c).expect("serializable"), json!(c.as_str()));
    }
    assert_eq!(Code::from_str_opt("TOO_LONG"), None);
    assert!(serde_json::from_value::<Code>(json!("no_such_code")).is_err());
}

#[test]
fn every_code_has_a_message_for_any_params() {
    let param_sets: [Params; 4] = [
        Params::new(),
        json!({"max": 300}).as_object().cloned().unwrap_or_default(),
        json!({"reason": "too_short", "min": 9, "max": 16}).as_object().cloned().unwrap_or_default(),
        json!({"reason": "format", "format": "YYYY-MM-DD", "min": 1900, "part": "local_part"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    ];
    for c in Code::ALL {
        for params in &param_sets {
            for message in [c.message(params), c.api_message(params)] {
                assert!(!message.trim().is_empty(), "{c} has no message for {params:?}");
                assert!(!message.contains('{'), "{c}: unfilled placeholder in {message:?}");
            }
        }
    }
    // Figures reach the sentence.
    let max = json!({"max": 300}).as_object().cloned().unwrap_or_default();
    assert!(Code::TooLong.message(&max).contains("300"));
    assert_eq!(Code::Taken.message(&Params::new()), "This is already used by another customer.");
    // The Store API keeps its Rails-style fragment.
    assert_eq!(Code::Taken.api_message(&Params::new()), "has already been taken");
    assert!(Code::TooLong.api_message(&max).contains("300"));
}

#[test]
fn paths_display_and_parse_back() {
    let root = Path::root();
    let cases: Vec<(Path, &str)> = vec![
        (root.clone(), ""),
        (root.key("customer").key("email"), "customer.email"),
        (
            root.key("customer").key("external_references").index(1).key("source"),
            "customer.external_references[1].source",
        ),
        (root.key("address").key("postal_code"), "address.postal_code"),
        (root.key("a.b"), r#"["a.b"]"#),
        (root.key("customer").key("metadata").key("a.b").key("c"), r#"customer.metadata["a.b"].c"#),
        (root.key("0"), r#"["0"]"#),
        (root.key("m").index(0), "m[0]"),
        (root.key("m").key("0"), r#"m["0"]"#),
        (root.key(""), r#"[""]"#),
        (root.key("with \"quote\" and ]"), r#"["with \"quote\" and ]"]"#),
        (root.key("zoë"), r#"["zoë"]"#),
        (root.key("_x1"), "_x1"),
        (root.index(3).index(4), "[3][4]"),
    ];
    for (path, text) in cases {
        assert_eq!(path.to_string(), text, "{path:?}");
        assert_eq!(Path::parse(text).as_ref(), Some(&path), "parse {text:?}");
        let json = serde_json::to_value(&path).expect("serializable");
        assert_eq!(json, json!(text));
        assert_eq!(serde_json::from_value::<Path>(json).expect("deserializable"), path);
    }
    // Key "0" and index 0 are different segments.
    assert_ne!(Path::parse(r#"["0"]"#), Path::parse("[0]"));
    assert_eq!(Path::parse("[0]").map(|p| p.segments().to_vec()), Some(vec![Segment::Index(0)]));
    for bad in ["a..b", ".a", "a.", "a[", "a[x]", "a[-1]", "a b", "1a", r#"["unterminated]"#, "a]"] {
        assert_eq!(Path::parse(bad), None, "{bad:?} should not parse");
    }
}

#[test]
fn a_report_survives_a_serde_round_trip() {
    let report = validate_store(
        &json!({ "customer": { "first_name": "", "email": "a@b", "metadata": {"a.b": {"": 1}},
                 "external_references": [{"source": "Bad", "external_id": "x"}] }, "card_id": 0 }),
        &options(),
    );
    assert!(!report.valid);
    let text = serde_json::to_string(&report).expect("serializable");
    let back: Report = serde_json::from_str(&text).expect("deserializable");
    assert_eq!(back, report);
    // RULES.md's shape: { valid, errors: [{ path, code, message, params }], value }.
    let value: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value["valid"], json!(false));
    let first = &value["errors"][0];
    let mut keys: Vec<&str> = first.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message", "params", "path"]);
    assert!(value["errors"].as_array().is_some_and(|e| e
        .iter()
        .any(|v| v["path"] == json!(r#"customer.metadata["a.b"]"#) && v["code"] == json!("invalid_key"))));
    assert!(value.get("value").is_some());
}

fn violation(path: &str, code_text: &str) -> Violation {
    Violation::new(Path::parse(path).expect("a path"), code(code_text), Params::new())
}

#[test]
fn store_422_body_keys_are_relative_to_customer() {
    let errors = [
        violation("customer.email", "invalid_email"),
        violation("customer.email", "taken"),
        violation("customer.external_references[1].source", "invalid_slug"),
        violation("card_id", "out_of_range"),
        violation("send_card_links", "invalid_value"),
        violation("", "expected_object"),
    ];
    let body = store_error_body(&errors);
    assert_eq!(body["error"], json!("Validation failed"));
    let fields = body["errors"].as_object().expect("an object of fields");
    let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(keys, ["email", "external_references[1].source", "card_id", "send_card_links", "base"]);
    let fragment = |v: &Violation| v.code.api_message(&v.params);
    assert_eq!(fields["email"], json!([fragment(&errors[0]), "has already been taken"]));
    for (key, violation) in [("card_id", &errors[3]), ("send_card_links", &errors[4]), ("base", &errors[5])] {
        assert_eq!(fields[key], json!([fragment(violation)]));
    }
    // With a locale asked for, the body carries each violation's own message.
    let worded = customer_validation::store_error_body_worded(&errors);
    assert_eq!(worded["errors"]["email"], json!([errors[0].message, errors[1].message]));
    // Report::store_body is the same rendering.
    let report = validate_store(&json!({ "customer": { "first_name": "A", "email": "nope" } }), &options());
    assert_eq!(report.store_body(), store_error_body(&report.errors));
    assert_eq!(report.store_body()["errors"]["email"], json!(["is not a valid email address"]));
    assert_eq!(store_error_body(&[]), json!({ "error": "Validation failed", "errors": {} }));
}

#[test]
fn square_400_body_uses_rules_md_code_map() {
    let map_codes: BTreeSet<&str> = SQUARE_MAP.iter().map(|(c, _)| *c).collect();
    let all: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(map_codes, all, "the table must name every code once");
    for (ours, square) in SQUARE_MAP {
        assert_eq!(square_code(code(ours)), square, "{ours}");
        let v = violation("address.postal_code", ours);
        let body = square_error_body(std::slice::from_ref(&v));
        assert_eq!(
            body,
            json!({ "errors": [ {
                "category": "INVALID_REQUEST_ERROR",
                "code": square,
                "detail": body["errors"][0]["detail"].clone(),
                "field": "address.postal_code",
            } ] })
        );
        let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&v.code.api_message(&v.params)), "{ours}: detail {detail:?} lacks the fragment");
    }
    // one_of_required sits at the root: no `field`.
    let report = validate_square(&json!({ "nickname": "Mia" }), &options());
    let body = report.square_body();
    assert_eq!(body, square_error_body(&report.errors));
    let entry = &body["errors"][0];
    assert_eq!(entry["code"], json!("MISSING_REQUIRED_PARAMETER"));
    assert_eq!(entry["category"], json!("INVALID_REQUEST_ERROR"));
    assert!(entry.get("field").is_none(), "{entry}");
    assert_eq!(square_error_body(&[]), json!({ "errors": [] }));
}

#[test]
fn report_display_lists_each_violation() {
    let report = validate_square(&json!({ "given_name": "A", "colour": "x" }), &options());
    assert_eq!(report.to_string(), format!("colour: {} (unknown_field)", report.errors[0].message));
    let ok = validate_square(&json!({ "given_name": "A" }), &options());
    assert_eq!(ok.to_string(), "valid");
}
