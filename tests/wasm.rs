//! The case table and the benchmark corpus through the library compiled to wasm32, under
//! wasm-bindgen-test: in Node by default, in headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1` (`make test-wasm` runs both). Every report must equal the
//! native library's, which `examples/native_reports.rs` wrote to the file named by
//! `NATIVE_REPORTS` at compile time. The npm package's JS layer is tested in `tests/node/`.
#![cfg(target_arch = "wasm32")]

use customer_validation::{
    validate_field, validate_square, validate_square_update, validate_store, validate_store_form,
    validate_store_update, Options, Shape,
};
use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

const NATIVE_REPORTS: &str = include_str!(env!("NATIVE_REPORTS"));

/// The same call examples/native_reports.rs makes for a row.
fn report(row: &Value) -> Value {
    let mut options = Options::default();
    if let Some(region) = row["options"]["default_region"].as_str() {
        let Ok(with_region) = options.with_default_region(region) else { return json!({ "options_error": true }) };
        options = with_region;
    }
    if let Some(today) = row["options"]["today"].as_str() {
        let Ok(today) = today.parse() else { return json!({ "options_error": true }) };
        options = options.with_today(today);
    }
    if let Some(locale) = row["options"]["locale"].as_str() {
        let Ok(with_locale) = options.clone().with_locale(locale) else { return json!({ "options_error": true }) };
        options = with_locale;
    }
    if let Some(messages) = row["options"].get("messages") {
        let Ok(with_messages) = options.clone().with_messages(messages) else {
            return json!({ "options_error": true });
        };
        options = with_messages;
    }
    let input = &row["input"];
    let current = row.get("current");
    let update = match row["shape"].as_str() {
        Some("store-update") => Some(validate_store_update(input, current, &options)),
        Some("square-update") => Some(validate_square_update(input, current, &options)),
        _ => None,
    };
    if let Some(report) = update {
        return serde_json::to_value(report).expect("reports serialize");
    }
    let shape: Shape = row["shape"].as_str().unwrap_or("store").parse().expect("store or square");
    if let Some(field) = row["field"].as_str() {
        let errors = validate_field(shape, field, input, &options);
        return json!({ "valid": errors.is_empty(), "errors": errors });
    }
    let report = match (shape, row["encoding"].as_str()) {
        (Shape::Store, Some("form")) => validate_store_form(input.as_str().unwrap_or(""), &options),
        (Shape::Store, _) => validate_store(input, &options),
        (Shape::Square, _) => validate_square(input, &options),
    };
    serde_json::to_value(report).expect("reports serialize")
}

/// The browser build has English only: the other locales arrive as the package's
/// `loadLocale` brings them, here from the catalogue's files themselves.
fn add_every_locale() {
    macro_rules! add {
        ($($tag:literal),*) => {
            $(customer_validation::messages::add_locale(include_str!(concat!("../src/messages/locales/", $tag, ".json")))
                .expect($tag);)*
        };
    }
    add!("ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "pt-BR", "sv", "tr", "zh-Hans");
}

#[wasm_bindgen_test]
fn every_report_equals_the_native_one() {
    add_every_locale();
    let entries: Vec<Value> = serde_json::from_str(NATIVE_REPORTS).expect("native reports are JSON");
    assert!(entries.len() >= 2000, "the corpus alone has 2,000 rows");
    let mut mismatches = Vec::new();
    for entry in &entries {
        let got = report(&entry["row"]);
        if got != entry["report"] {
            mismatches.push(format!("{} #{}: wasm {got}\n  native {}", entry["file"], entry["index"], entry["report"]));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
}
