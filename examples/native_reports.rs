//! Writes the native library's full report for every row of the shared case table
//! (`tests/cases/*.json` and the update rows of `tests/cases/update/*.json`) to the file named by the first argument (default
//! `target/native-reports.json`). The WASM tests (`make test-wasm`) require the two npm
//! builds to give exactly these reports: verdicts, codes, paths, messages, params, values.
//! The benchmark corpus (`bench/corpus.jsonl`, store requests) is added as file
//! `corpus.jsonl`, so that parity also holds over 2,000 realistic requests, and every
//! address of the email corpus (`tests/data/email-corpus.json`) as file `email-corpus.json`.

use std::process::ExitCode;

use customer_validation::{
    validate_field, validate_square, validate_square_update, validate_store, validate_store_form,
    validate_store_update, Options, Shape,
};
use serde_json::{json, Value};

fn options(row: &Value) -> Result<Options, String> {
    let mut options = Options::default();
    if let Some(region) = row["options"]["default_region"].as_str() {
        options = options.with_default_region(region).map_err(|e| e.to_string())?;
    }
    if let Some(today) = row["options"]["today"].as_str() {
        options = options.with_today(today.parse().map_err(|e: customer_validation::OptionsError| e.to_string())?);
    }
    if let Some(locale) = row["options"]["locale"].as_str() {
        options = options.with_locale(locale).map_err(|e| e.to_string())?;
    }
    if let Some(messages) = row["options"].get("messages") {
        options = options.with_messages(messages).map_err(|e| e.to_string())?;
    }
    Ok(options)
}

fn report(row: &Value) -> Result<Value, String> {
    // A row may test a bad option: JavaScript must then throw a `TypeError`.
    let Ok(options) = options(row) else { return Ok(json!({ "options_error": true })) };
    let current = row.get("current");
    match row["shape"].as_str() {
        Some("store-update") => {
            return serde_json::to_value(validate_store_update(&row["input"], current, &options))
                .map_err(|e| e.to_string())
        }
        Some("square-update") => {
            return serde_json::to_value(validate_square_update(&row["input"], current, &options))
                .map_err(|e| e.to_string())
        }
        _ => {}
    }
    let shape: Shape = row["shape"].as_str().unwrap_or("store").parse()?;
    let input = &row["input"];
    if let Some(field) = row["field"].as_str() {
        let errors = validate_field(shape, field, input, &options);
        return Ok(json!({ "valid": errors.is_empty(), "errors": errors }));
    }
    let report = match (shape, row["encoding"].as_str()) {
        (Shape::Store, Some("form")) => validate_store_form(input.as_str().unwrap_or(""), &options),
        (Shape::Store, _) => validate_store(input, &options),
        (Shape::Square, _) => validate_square(input, &options),
    };
    serde_json::to_value(report).map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "target/native-reports.json".to_owned());
    // CASES_DIR: another table in the same row format (used to try the loader itself).
    let dir =
        std::env::var("CASES_DIR").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases").to_owned());
    let dir = dir.as_str();
    // The update rows live in their own folder (their shapes are `store-update` and
    // `square-update`); they join the parity reports all the same.
    let mut files = Vec::new();
    for folder in [dir.to_owned(), format!("{dir}/update")] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            if folder == dir {
                return Err(format!("{dir}: cannot read"));
            }
            continue;
        };
        files.extend(
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|x| x == "json")),
        );
    }
    files.sort();
    let mut reports = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let rows: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().trim_start_matches('/').to_owned();
        for (index, row) in rows.iter().enumerate() {
            let report = report(row).map_err(|e| format!("{file} row {index}: {e}"))?;
            reports.push(json!({ "file": file, "index": index, "row": row, "report": report }));
        }
    }
    let corpus_path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/corpus.jsonl");
    let corpus = std::fs::read_to_string(corpus_path).map_err(|e| format!("{corpus_path}: {e}"))?;
    for (index, line) in corpus.lines().enumerate() {
        let line: Value = serde_json::from_str(line).map_err(|e| format!("corpus line {}: {e}", index + 1))?;
        let row = json!({ "shape": "store", "options": line["options"], "input": line["request"] });
        let report = report(&row).map_err(|e| format!("corpus line {}: {e}", index + 1))?;
        reports.push(json!({ "file": "corpus.jsonl", "index": index, "row": row, "report": report }));
    }
    // Every email corpus address in a store request (so a valid one's normalized value is
    // compared too): the WASM builds do IDNA through the host's URL parser, natively it is
    // the `idna` crate; verdicts and values must agree.
    let emails_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/email-corpus.json");
    let emails = std::fs::read_to_string(emails_path).map_err(|e| format!("{emails_path}: {e}"))?;
    let emails: Value = serde_json::from_str(&emails).map_err(|e| format!("{emails_path}: {e}"))?;
    let addresses = emails["rows"].as_array().ok_or(format!("{emails_path}: no rows"))?;
    for (index, address) in addresses.iter().enumerate() {
        let input = json!({ "customer": { "first_name": "A", "email": address["address"] } });
        let row = json!({ "shape": "store", "options": {}, "input": input });
        let report = report(&row).map_err(|e| format!("email corpus row {index}: {e}"))?;
        reports.push(json!({ "file": "email-corpus.json", "index": index, "row": row, "report": report }));
    }
    let text = serde_json::to_string(&reports).map_err(|e| e.to_string())?;
    std::fs::write(&out, text).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{} native reports written to {out}", reports.len());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("native_reports: {e}");
            ExitCode::from(2)
        }
    }
}
