//! proptest: no panic on any input; a valid normalized value stays valid and unchanged; a
//! bad field added to a request never hides the violations the request already had.

use std::sync::atomic::{AtomicUsize, Ordering};

use customer_validation::{
    validate_field, validate_square, validate_store, validate_store_form, Options, Report, Shape, Violation,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const REGIONS: [&str; 8] = ["US", "GB", "DE", "FR", "JP", "DK", "BR", "IN"];

fn options(region: &str) -> Options {
    Options::new(region, "2026-11-23".parse().expect("a date")).expect("a known region")
}

/// Field names of both shapes, so arbitrary documents reach the rules, not only the type checks.
const KEYS: [&str; 30] = [
    "customer",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birthday",
    "metadata",
    "external_references",
    "source",
    "external_id",
    "card_id",
    "send_card_links",
    "idempotency_key",
    "given_name",
    "family_name",
    "company_name",
    "nickname",
    "email_address",
    "address",
    "phone_number",
    "reference_id",
    "note",
    "tax_ids",
    "eu_vat",
    "country",
    "postal_code",
    "address_line_1",
    "locality",
    "first_name ",
    "",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(KEYS.to_vec()).prop_map(str::to_owned), 1 => "\\PC{0,6}"]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        "[ \\t\\n\\u{a0}\\u{3000}\\u{0}\\u{85}]{0,3}[a-zA-Z0-9@.+()\\- ]{0,20}".prop_map(Value::String),
        proptest::sample::select(vec![
            "amelia@example.com",
            "+1 212 555 4240",
            "1998-09-21",
            "09-21",
            "0000-02-29",
            "square",
            "US",
            "12",
            "1",
            "true",
            ";phone-context=+1;tel:",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ]
}

/// Any JSON value, nested up to 6 levels, at most ~64 nodes.
fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn no_panic_on_any_json(value in any_json(), region in proptest::sample::select(REGIONS.to_vec())) {
        let options = options(region);
        for report in [
            validate_store(&value, &options),
            validate_store(&json!({ "customer": value.clone() }), &options),
            validate_square(&value, &options),
        ] {
            check_report(&report);
        }
    }

    #[test]
    fn no_panic_on_any_field(value in any_json(), path in "[a-z_.\\[\\]0-9\"]{0,40}") {
        let options = options("US");
        for shape in [Shape::Store, Shape::Square] {
            for v in validate_field(shape, &path, &value, &options) {
                prop_assert!(!v.message.is_empty());
            }
        }
    }

    #[test]
    fn no_panic_on_any_form_string(body in "\\PC{0,200}") {
        check_report(&validate_store_form(&body, &options("US")));
    }

    #[test]
    fn no_panic_on_any_rails_like_form(
        pairs in proptest::collection::vec(
            ("(customer|card_id|send_card_links|x)(\\[(first_name|email|phone|metadata|external_references|source|external_id|birthday|)?\\]){0,4}\\[?",
             "[a-zA-Z0-9%+&=@.\\-\\[\\] ]{0,16}"),
            0..12)
    ) {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        check_report(&validate_store_form(&body.join("&"), &options("US")));
    }

    #[test]
    fn no_panic_on_any_phone_like_string(
        prefix in proptest::sample::select(vec!["", "+", "tel:", "tel:+", ";phone-context=", "++", "00", "+1 "]),
        body in "[0-9+;=:a-zA-Z() .\\-]{0,40}",
        suffix in proptest::sample::select(vec!["", ";phone-context=+1;tel:", ";ext=1", " x12", ";tel:", "#"]),
        region in proptest::sample::select(REGIONS.to_vec()),
    ) {
        let options = options(region);
        let phone = format!("{prefix}{body}{suffix}");
        let errors = validate_field(Shape::Store, "customer.phone", &json!(phone), &options);
        prop_assert!(errors.iter().all(|v| v.path.to_string() == "customer.phone"));
        let report = validate_square(&json!({ "phone_number": phone }), &options);
        check_report(&report);
        if report.valid {
            // A valid number normalizes to E.164: `+` then 9 to 16 ASCII digits.
            let e164 = report.value["phone_number"].as_str().unwrap_or_default();
            prop_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()), "{e164}");
            prop_assert!((9..=16).contains(&(e164.len() - 1)), "{e164}");
        }
    }
}

/// What holds for every report: `valid` matches the list, every message is a sentence.
fn check_report(report: &Report) {
    assert_eq!(report.valid, report.errors.is_empty());
    for v in &report.errors {
        assert!(!v.message.trim().is_empty(), "{v:?}");
    }
}

// ---------------------------------------------------------------- mostly valid requests

fn padded(s: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (proptest::sample::select(vec!["", " ", "\u{a0}", "\u{3000}", "\t"]), s)
        .prop_map(|(pad, s)| format!("{pad}{s}{pad}"))
}

fn name() -> impl Strategy<Value = String> {
    padded(prop_oneof![4 => "[A-Z][a-zë]{0,12}( [A-Z][a-z]{1,8})?", 1 => "[😀漢é]{1,5}"])
}

fn email() -> impl Strategy<Value = String> {
    padded(
        (
            "[a-z0-9]{1,8}([._+][a-z0-9]{1,5})?",
            "[a-zA-Z]{1,10}",
            proptest::sample::select(vec!["com", "org", "CO.UK", "de"]),
        )
            .prop_map(|(l, d, t)| format!("{l}@{d}.{t}")),
    )
}

fn phone() -> impl Strategy<Value = String> {
    padded(
        proptest::sample::select(vec![
            "+1 212 555 4240",
            "(201) 555-0123",
            "201.555.0123",
            "+44 7400 123456",
            "+49 30 123456",
            "+33 6 12 34 56 78",
            "+81 90-1234-5678",
            "+45 32 12 34 56",
            "+55 11 96123-4567",
            "+91 81234 56789",
            "+683 7012",
            "1-800-FLOWERS",
        ])
        .prop_map(str::to_owned),
    )
}

fn birthday(square: bool) -> impl Strategy<Value = String> {
    (prop_oneof![4 => 1900u16..=2026, 1 => Just(0u16)], 1u8..=12, 1u8..=28, any::<bool>()).prop_map(
        move |(y, m, d, short)| {
            if square && short {
                format!("{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            }
        },
    )
}

fn metadata() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map("[a-z_]{1,10}", prop_oneof![leaf(), Just(json!({"n": {"m": [1, 2]}}))], 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn references() -> impl Strategy<Value = Value> {
    proptest::collection::vec(
        (
            padded(proptest::sample::select(vec!["square", "my_pos", "my-pos", "shopify"]).prop_map(str::to_owned)),
            padded("[A-Z0-9]{1,3}".prop_map(|s| s)),
            proptest::option::of(metadata()),
        ),
        0..6,
    )
    .prop_map(|items| {
        Value::Array(
            items
                .into_iter()
                .map(|(s, e, m)| {
                    let mut o = Map::new();
                    o.insert("source".into(), s.into());
                    o.insert("external_id".into(), e.into());
                    if let Some(m) = m {
                        o.insert("metadata".into(), m);
                    }
                    Value::Object(o)
                })
                .collect(),
        )
    })
}

fn insert_some(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

fn store_request() -> impl Strategy<Value = Value> {
    (
        (name(), proptest::option::of(name()), proptest::option::of(email()), proptest::option::of(phone())),
        (proptest::option::of(birthday(false)), proptest::option::of(metadata()), proptest::option::of(references())),
        proptest::option::of(prop_oneof![
            (1u64..=(1 << 53) - 1).prop_map(Value::from),
            "[1-9][0-9]{0,6}".prop_map(Value::from)
        ]),
        proptest::option::of(proptest::sample::select(vec![
            json!(true),
            json!(false),
            json!(1),
            json!(0),
            json!("1"),
            json!("0"),
        ])),
    )
        .prop_map(|((first, last, email, phone), (birthday, metadata, references), card_id, links)| {
            let mut c = Map::new();
            c.insert("first_name".into(), first.into());
            insert_some(&mut c, "last_name", last.map(Value::from));
            insert_some(&mut c, "email", email.map(Value::from));
            insert_some(&mut c, "phone", phone.map(Value::from));
            insert_some(&mut c, "birthday", birthday.map(Value::from));
            insert_some(&mut c, "metadata", metadata);
            insert_some(&mut c, "external_references", references);
            let mut o = Map::new();
            o.insert("customer".into(), Value::Object(c));
            insert_some(&mut o, "card_id", card_id);
            insert_some(&mut o, "send_card_links", links);
            Value::Object(o)
        })
}

fn square_request() -> impl Strategy<Value = Value> {
    (
        (
            proptest::option::of(name()),
            proptest::option::of(name()),
            proptest::option::of(email()),
            proptest::option::of(phone()),
        ),
        (
            proptest::option::of(birthday(true)),
            proptest::option::of(padded("[a-zA-Z0-9]{1,20}".prop_map(|s| s))),
            proptest::option::of("[a-z .\\n\\t]{1,40}"),
            proptest::option::of("[A-Z]{2}[0-9]{8,10}"),
        ),
        proptest::option::of((
            proptest::sample::select(vec!["US", "GB", "ZZ", "DE", " fr "]),
            "[0-9]{4,6}",
            "[A-Za-z0-9 ]{1,30}",
        )),
    )
        .prop_map(|((given, family, email, phone), (birthday, idem, note, vat), address)| {
            let mut o = Map::new();
            insert_some(&mut o, "idempotency_key", idem.map(Value::from));
            insert_some(&mut o, "given_name", given.map(Value::from));
            insert_some(&mut o, "family_name", family.map(Value::from));
            insert_some(&mut o, "email_address", email.map(Value::from));
            if let Some((country, postal, line)) = address {
                o.insert(
                    "address".into(),
                    json!({ "address_line_1": line, "postal_code": postal, "country": country }),
                );
            }
            insert_some(&mut o, "phone_number", phone.map(Value::from));
            insert_some(&mut o, "note", note.map(Value::from));
            insert_some(&mut o, "birthday", birthday.map(Value::from));
            insert_some(&mut o, "tax_ids", vat.map(|v| json!({ "eu_vat": v })));
            Value::Object(o)
        })
}

/// Runs `cases` requests through `validate`; asserts that a valid report's value is a
/// fixed point, and that at least `min_valid_percent` of the requests were valid (so the
/// fixed-point property is not vacuous).
fn normalized_values_are_fixed_points(
    strategy: impl Strategy<Value = Value>,
    validate: fn(&Value, &Options) -> Report,
    min_valid_percent: usize,
) {
    const CASES: u32 = 400;
    let valid = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config { cases: CASES, ..Config::default() });
    let result = runner.run(&(strategy, proptest::sample::select(REGIONS.to_vec())), |(request, region)| {
        let options = options(region);
        let report = validate(&request, &options);
        if report.valid {
            valid.fetch_add(1, Ordering::Relaxed);
            let again = validate(&report.value, &options);
            prop_assert!(again.valid, "normalized value refused: {again}\nvalue: {}", report.value);
            prop_assert_eq!(&again.value, &report.value);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let valid = valid.load(Ordering::Relaxed);
    eprintln!("{valid} of {CASES} generated requests were valid");
    assert!(
        valid * 100 >= min_valid_percent * CASES as usize,
        "only {valid} of {CASES} generated requests were valid; the generator no longer exercises the property"
    );
}

#[test]
fn store_normalized_value_is_a_fixed_point() {
    normalized_values_are_fixed_points(store_request(), validate_store, 40);
}

#[test]
fn square_normalized_value_is_a_fixed_point() {
    normalized_values_are_fixed_points(square_request(), validate_square, 40);
}

// ---------------------------------------------------------------- bad fields hide nothing

fn pairs(errors: &[Violation]) -> Vec<(String, &'static str)> {
    errors.iter().map(|v| (v.path.to_string(), v.code.as_str())).collect()
}

/// Bad values for fields no presence rule looks at, with the path they are reported on.
fn store_bad_field() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        Just(("card_id", json!("abc"))),
        Just(("card_id", json!(0))),
        Just(("send_card_links", json!("yes"))),
        Just(("customer.last_name", json!(42))),
        Just(("customer.last_name", json!("x".repeat(301)))),
        Just(("customer.birthday", json!("2023-02-29"))),
        Just(("customer.metadata", json!([1]))),
        Just(("customer.external_references", json!([{ "source": "Bad" }]))),
    ]
}

fn set(request: &mut Value, path: &str, value: Value) {
    match path.split_once('.') {
        Some((customer, field)) => {
            if let Some(c) = request.get_mut(customer).and_then(Value::as_object_mut) {
                c.insert(field.to_owned(), value);
            }
        }
        None => {
            if let Some(o) = request.as_object_mut() {
                o.insert(path.to_owned(), value);
            }
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn a_bad_store_field_hides_no_other_violation(
        request in prop_oneof![store_request(), any_json().prop_map(|c| json!({ "customer": c }))],
        (path, bad) in store_bad_field(),
    ) {
        let options = options("US");
        let before = validate_store(&request, &options);
        let mut worse = request.clone();
        set(&mut worse, path, bad);
        let after = validate_store(&worse, &options);
        // Only the replaced field's own violations may go; every other one stays, in order.
        let kept: Vec<_> = pairs(&before.errors).into_iter().filter(|(p, _)| !p.starts_with(path)).collect();
        let now: Vec<_> = pairs(&after.errors).into_iter().filter(|(p, _)| !p.starts_with(path)).collect();
        prop_assert_eq!(kept, now);
        if request.get("customer").is_some_and(Value::is_object) || !path.starts_with("customer") {
            prop_assert!(!after.valid);
            prop_assert!(after.errors.iter().any(|v| v.path.to_string().starts_with(path)), "{after}");
        }
    }

    #[test]
    fn an_unknown_square_field_hides_no_other_violation(request in square_request(), name in "[a-z]{1,8}_x") {
        let options = options("US");
        let before = validate_square(&request, &options);
        let mut worse = request.clone();
        if let Some(o) = worse.as_object_mut() {
            o.insert(name.clone(), json!(1));
        }
        let after = validate_square(&worse, &options);
        let mut expected = pairs(&before.errors);
        let at = expected.iter().position(|(_, c)| *c == "one_of_required").unwrap_or(expected.len());
        expected.insert(at, (name, "unknown_field"));
        prop_assert_eq!(pairs(&after.errors), expected);
    }
}
