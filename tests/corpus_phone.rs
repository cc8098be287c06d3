//! Every example number of Google's libphonenumber 9.0.33 in six input forms
//! (`data/phone-libphonenumber-9.0.33.tsv`, copied from `../shared/corpora/phone/`), run
//! through the public API and compared with the reference: PyPI `phonenumbers` 9.0.33's
//! `is_valid_number` and E.164, with RULES.md's character rule and 9–16 digit rule on top.
//! Bar: 100% agreement on validity and on E.164.

use customer_validation::{validate_field, validate_store, Options, Shape};
use serde_json::{json, Value};

const CORPUS: &str = include_str!("data/phone-libphonenumber-9.0.33.tsv");

/// Rows the corpus reads with no default region (`ZZ`: libphonenumber's "unknown region",
/// used for the non-geographic `001` numbers). Our options always carry a real region; a
/// number written with `+` never uses it (RULES.md), so these rows run with `US`.
const NO_REGION: &str = "ZZ";
const REGION_FOR_NO_REGION: &str = "US";

/// Inputs libphonenumber accepts but our character rule refuses on purpose, each with its
/// reason. The 9.0.33 example corpus writes every number with digits, `+`, spaces, `-`,
/// `.`, `(` and `)` only, so none of its rows is refused: the list is empty, and the test
/// fails if a refusal shows up that is not named here.
const DELIBERATE_CHARACTER_REFUSALS: &[(&str, &str)] = &[];

struct Row<'a> {
    region: &'a str,
    variant: &'a str,
    input: &'a str,
    default_region: &'a str,
    pn_valid: bool,
    pn_e164: &'a str,
}

fn rows() -> Vec<Row<'static>> {
    let mut lines = CORPUS.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("a header line").split('\t').collect();
    assert_eq!(header, ["region", "variant", "input", "default_region", "pn_valid", "pn_e164"]);
    lines
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "row {line:?}");
            let pn_valid = match f[4] {
                "true" => true,
                "false" => false,
                other => panic!("pn_valid {other:?} in {line:?}"),
            };
            Row { region: f[0], variant: f[1], input: f[2], default_region: f[3], pn_valid, pn_e164: f[5] }
        })
        .collect()
}

/// RULES.md's character rule, written out independently of the crate: digits, one leading
/// `+`, spaces, `-`, `.`, `(`, `)`.
fn characters_allowed(input: &str) -> bool {
    input.char_indices().all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0))
}

/// The verdict RULES.md asks for: `Some(e164)` when valid.
fn reference(row: &Row<'_>) -> Option<String> {
    let digits = row.pn_e164.len().saturating_sub(1);
    (row.pn_valid && characters_allowed(row.input.trim()) && (9..=16).contains(&digits)).then(|| row.pn_e164.to_owned())
}

fn options_for(row: &Row<'_>) -> Options {
    let today = "2026-11-23".parse().expect("a date");
    let region = if row.default_region == NO_REGION {
        assert!(row.input.starts_with('+'), "a ZZ row without `+` needs a region: {:?}", row.input);
        REGION_FOR_NO_REGION
    } else {
        row.default_region
    };
    Options::new(region, today).unwrap_or_else(|e| panic!("{} {}: {e}", row.region, row.variant))
}

/// Our verdict through both entry points, which must agree: `Some(e164)` when valid.
fn ours(row: &Row<'_>, options: &Options) -> Option<String> {
    let field = validate_field(Shape::Store, "customer.phone", &json!(row.input), options);
    let report = validate_store(&json!({ "customer": { "first_name": "Ada", "phone": row.input } }), options);
    assert_eq!(field.is_empty(), report.valid, "validate_field and validate_store differ on {:?}", row.input);
    for violation in &field {
        assert_eq!(violation.code.as_str(), "invalid_phone", "{:?}: {violation}", row.input);
        assert_eq!(violation.path.to_string(), "customer.phone");
    }
    let value = &report.value["customer"]["phone"];
    if report.valid {
        Some(value.as_str().unwrap_or_else(|| panic!("no E.164 for {:?}: {value}", row.input)).to_owned())
    } else {
        None
    }
}

#[test]
fn corpus_phone_agrees_with_libphonenumber_on_every_row() {
    let rows = rows();
    assert_eq!(rows.len(), 6840);
    let (mut valid_agree, mut e164_agree, mut reference_valid) = (0, 0, 0);
    let (mut too_short, mut too_long, mut refused_characters) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for row in &rows {
        let options = options_for(row);
        let expected = reference(row);
        let got = ours(row, &options);
        if row.pn_valid && !characters_allowed(row.input.trim()) {
            refused_characters += 1;
            assert!(
                DELIBERATE_CHARACTER_REFUSALS.iter().any(|(input, _)| *input == row.input),
                "{:?}: libphonenumber accepts it, our character rule refuses it, and no reason is listed",
                row.input
            );
        }
        if row.pn_valid && expected.is_none() && characters_allowed(row.input.trim()) {
            if row.pn_e164.len() - 1 < 9 {
                too_short += 1;
            } else {
                too_long += 1;
            }
        }
        reference_valid += usize::from(expected.is_some());
        if expected.is_some() == got.is_some() {
            valid_agree += 1;
        }
        if expected == got {
            e164_agree += 1;
        } else {
            disagreements.push(format!(
                "{} {} {:?} (default {}): expected {expected:?}, got {got:?}",
                row.region, row.variant, row.input, row.default_region
            ));
        }
    }
    println!(
        "phone corpus: validity agrees on {valid_agree}/{n}, E.164 (or both invalid) on {e164_agree}/{n}; \
         {reference_valid} valid by the reference; refused on top of libphonenumber: {too_short} under 9 digits, \
         {too_long} over 16 digits, {refused_characters} by the character rule",
        n = rows.len()
    );
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    for (input, reason) in DELIBERATE_CHARACTER_REFUSALS {
        assert!(rows.iter().any(|r| r.input == *input), "listed refusal {input:?} ({reason}) is not in the corpus");
    }
}

#[test]
fn corpus_phone_too_short_numbers_name_the_digit_rule() {
    // Numbers valid to libphonenumber with fewer than 9 digits in E.164 (Niue's `+683 7012`,
    // Saint Helena's, …): Square refuses them, and the violation says why.
    let rows = rows();
    let short: Vec<&Row<'_>> = rows.iter().filter(|r| r.pn_valid && r.pn_e164.len() - 1 < 9).collect();
    assert!(short.len() >= 10, "{}", short.len());
    for row in short {
        let errors = validate_field(Shape::Store, "customer.phone", &json!(row.input), &options_for(row));
        assert_eq!(errors.len(), 1, "{} {:?}", row.region, row.input);
        assert_eq!(errors[0].params.get("reason"), Some(&json!("too_short")), "{:?}", row.input);
        assert_eq!(errors[0].params.get("min"), Some(&json!(9)));
        assert!(errors[0].message.contains('9'), "the message names the rule: {}", errors[0].message);
    }
}

/// The engine panics ("begin > end when slicing") on `;phone-context=` followed by `tel:`
/// (DEPENDENCIES.md). Our character rule must refuse such input before the engine sees it.
#[test]
fn corpus_phone_regression_7_phone_context_never_reaches_the_engine() {
    let inputs = [
        ";phone-context=+1;tel:",
        "tel:+1;phone-context=+1;tel:",
        "1;phone-context=+1;tel:",
        "+1;phone-context=tel:",
        "2125554240;phone-context=+1;tel:",
        "+1 212 555 4240;phone-context=+1;tel:+1",
        ";phone-context=;tel:",
        ";phone-context=tel:;",
        "tel:;phone-context=",
        "  ;phone-context=+1;tel:  ",
        "+1;phone-context=+1;tel:;phone-context=+1;tel:",
        "tel:+1-212-555-4240;ext=1",
        "+1 212 555 4240 ext. 12",
        "+1 212 555 4240#12",
        "1-800-FLOWERS",
        "%2B12125554240",
        "++12125554240",
        "1+2125554240",
        "\u{ff0b}12125554240",
        "+\u{661}\u{662}\u{661}\u{662}5554240",
    ];
    for region in ["US", "GB", "DE", "JP"] {
        let options = Options::new(region, "2026-11-23".parse().expect("a date")).expect("a region");
        for input in inputs {
            let errors = validate_field(Shape::Store, "customer.phone", &json!(input), &options);
            assert_eq!(errors.len(), 1, "{input:?} with {region}: {errors:?}");
            assert_eq!(errors[0].code.as_str(), "invalid_phone", "{input:?}");
            assert_eq!(errors[0].params.get("reason"), Some(&json!("characters")), "{input:?}");
            let square = validate_field(Shape::Square, "phone_number", &json!(input), &options);
            assert_eq!(square.len(), 1, "{input:?}");
            let report = validate_store(&json!({ "customer": { "first_name": "Ada", "phone": input } }), &options);
            assert!(!report.valid);
            assert_eq!(report.value["customer"].get("phone"), Some(&Value::String(input.trim().to_owned())));
        }
    }
}

#[test]
fn corpus_phone_same_number_typed_differently_gives_one_e164() {
    let us = Options::new("US", "2026-11-23".parse().expect("a date")).expect("US");
    let spellings = [
        "+1 212 555 4240",
        "(212) 555-4240",
        "212.555.4240",
        "1 212 555 4240",
        "+12125554240",
        "\u{a0}212\u{a0}555\u{2009}4240\u{3000}",
        "212\u{202f}555 4240",
    ];
    for input in spellings {
        let report = validate_store(&json!({ "customer": { "first_name": "Ada", "phone": input } }), &us);
        assert!(report.valid, "{input:?}: {:?}", report.errors);
        assert_eq!(report.value["customer"]["phone"], "+12125554240", "{input:?}");
    }
    // RULES.md's Danish example: 8 national digits, 10 in E.164.
    let dk = us.with_default_region("DK").expect("DK");
    let report = validate_store(&json!({ "customer": { "first_name": "Ada", "phone": "32 12 34 56" } }), &dk);
    assert!(report.valid, "{:?}", report.errors);
    assert_eq!(report.value["customer"]["phone"], "+4532123456");
}

/// Everything our character rule lets through reaches the engine, so the engine must not
/// panic on any of it: a deterministic sweep of short strings over exactly that alphabet,
/// in regions with and without national prefixes.
#[test]
fn corpus_phone_engine_survives_every_allowed_character() {
    const ALPHABET: [char; 17] =
        ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '+', '-', '.', '(', ')', '\u{a0}'];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let regions = ["US", "GB", "DE", "RU", "BR", "IN", "NU", "AR"];
    let options: Vec<Options> =
        regions.iter().map(|r| Options::new(r, "2026-11-23".parse().expect("a date")).expect("a region")).collect();
    let mut valid = 0;
    for n in 0..20_000 {
        let len = next() % 24;
        let input: String = (0..len).map(|_| ALPHABET[next() % ALPHABET.len()]).collect();
        let errors = validate_field(Shape::Store, "customer.phone", &json!(input), &options[n % options.len()]);
        assert!(errors.len() <= 1, "{input:?}: {errors:?}");
        valid += usize::from(errors.is_empty() && !input.trim().is_empty());
    }
    println!("phone sweep: 20000 strings over the allowed alphabet, {valid} valid numbers, no panic");
}

/// Square's 9–16 digit bounds on numbers libphonenumber accepts. Verdicts of PyPI
/// `phonenumbers` 9.0.33 (the reference), computed for this table: all but the last are
/// valid numbers to it; the last has too many digits for any US number.
#[test]
fn corpus_phone_digit_bounds() {
    let options = Options::new("US", "2026-11-23".parse().expect("a date")).expect("US");
    let cases: [(&str, Result<&str, &str>); 6] = [
        ("+298 201234", Ok("+298201234")),                // Faroe Islands, 9 digits
        ("+683 7012", Err("too_short")),                  // Niue, 7 digits
        ("+298 20123", Err("invalid")),                   // 8 digits, not a number of FO
        ("+49 800 12345678901", Ok("+4980012345678901")), // German freephone, 16 digits
        ("+49 800 123456789012", Err("too_long")),        // still valid to libphonenumber, 17 digits
        ("+1 2015550123456789", Err("invalid")),          // 17 digits, not a US number
    ];
    for (input, expected) in cases {
        let report = validate_store(&json!({ "customer": { "first_name": "Ada", "phone": input } }), &options);
        match expected {
            Ok(e164) => {
                assert!(report.valid, "{input:?}: {:?}", report.errors);
                assert_eq!(report.value["customer"]["phone"], e164, "{input:?}");
            }
            Err(reason) => {
                assert_eq!(report.errors.len(), 1, "{input:?}: {:?}", report.errors);
                assert_eq!(report.errors[0].code.as_str(), "invalid_phone");
                assert_eq!(report.errors[0].params.get("reason"), Some(&json!(reason)), "{input:?}");
            }
        }
    }
}
