//! The shared case table (`tests/cases/*.json`) run natively. The same rows drive the WASM
//! and server tests, so a row is data: which call, which options, which input, and the
//! verdict RULES.md gives.

use std::fmt::Write as _;
use std::path::PathBuf;

use customer_validation::{
    validate_field, validate_square, validate_store, validate_store_form, Options, Report, Shape, Violation,
};
use serde::Deserialize;
use serde_json::Value;

/// The issue asks for at least 300 cases; fewer means a file went missing or stopped parsing.
const MIN_ROWS: usize = 300;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) shape: String,
    #[serde(default)]
    pub(crate) options: RowOptions,
    pub(crate) input: Value,
    #[serde(default)]
    pub(crate) encoding: Option<String>,
    #[serde(default)]
    pub(crate) field: Option<String>,
    pub(crate) expect: Expect,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RowOptions {
    pub(crate) default_region: Option<String>,
    pub(crate) today: Option<String>,
    /// The messages' locale (RULES.md, "Messages and locales").
    pub(crate) locale: Option<String>,
    /// The caller's own templates.
    pub(crate) messages: Option<Value>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    pub(crate) valid: bool,
    pub(crate) errors: Vec<ExpectedError>,
    #[serde(default)]
    pub(crate) value: Option<Value>,
}

#[derive(Deserialize, Debug, PartialEq, Eq, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectedError {
    pub(crate) path: String,
    pub(crate) code: String,
    /// When given, the exact message (the locale rows pin their wording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
}

/// Every row of every file, with the file it came from, in file-name order.
pub(crate) fn load_rows() -> Vec<(String, Row)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let file_rows: Vec<Row> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not a row array: {e}", file.display()));
        let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        rows.extend(file_rows.into_iter().map(|row| (file_name.clone(), row)));
    }
    rows
}

pub(crate) fn options(row: &Row) -> Options {
    let today = row.options.today.as_deref().unwrap_or("2026-11-23");
    let today = today.parse().unwrap_or_else(|e| panic!("{}: bad options.today: {e:?}", row.name));
    let mut options = Options::new(row.options.default_region.as_deref().unwrap_or("US"), today)
        .unwrap_or_else(|e| panic!("{}: bad options: {e}", row.name));
    if let Some(locale) = &row.options.locale {
        options = options.with_locale(locale).unwrap_or_else(|e| panic!("{}: bad locale: {e}", row.name));
    }
    if let Some(messages) = &row.options.messages {
        options = options.with_messages(messages).unwrap_or_else(|e| panic!("{}: bad messages: {e}", row.name));
    }
    options
}

/// What running a row gives: the violations, and the report when it was a whole request.
pub(crate) fn run(row: &Row) -> (Vec<Violation>, Option<Report>) {
    let options = options(row);
    let shape: Shape = row.shape.parse().unwrap_or_else(|e| panic!("{}: {e}", row.name));
    if let Some(path) = &row.field {
        return (validate_field(shape, path, &row.input, &options), None);
    }
    let report = match (row.encoding.as_deref(), shape) {
        (Some("form"), Shape::Store) => {
            let body = row.input.as_str().unwrap_or_else(|| panic!("{}: a form row's input is a string", row.name));
            validate_store_form(body, &options)
        }
        (Some(other), _) => panic!("{}: unknown encoding {other:?} for shape {}", row.name, row.shape),
        (None, Shape::Store) => validate_store(&row.input, &options),
        (None, Shape::Square) => validate_square(&row.input, &options),
    };
    (report.errors.clone(), Some(report))
}

/// Every string the row submitted (for form rows, the decoded values), to check that no
/// violation's params repeat a customer's data.
fn submitted_strings(row: &Row) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.trim().to_owned()),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match (&row.encoding, &row.input) {
        (Some(_), Value::String(body)) => walk(&customer_validation::parse_store_form(body), &mut out),
        (_, input) => walk(input, &mut out),
    }
    // Short strings ("1", "us") collide with figures by chance; they identify no one.
    out.retain(|s| s.chars().count() >= 4);
    out
}

fn param_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| param_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| param_strings(v, out)),
        _ => {}
    }
}

/// Problems of one row, empty when it passes.
fn check(row: &Row) -> Vec<String> {
    let mut problems = Vec::new();
    let (errors, report) = run(row);
    // A message is compared only where the row gives one.
    let got: Vec<ExpectedError> = errors
        .iter()
        .zip(row.expect.errors.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(v, expected)| ExpectedError {
            path: v.path.to_string(),
            code: v.code.as_str().to_owned(),
            message: expected.and_then(|e| e.message.as_ref()).map(|_| v.message.clone()),
        })
        .collect();
    if got != row.expect.errors {
        let mut diff = String::from("errors differ:\n");
        for e in &row.expect.errors {
            let mark = if got.contains(e) { ' ' } else { '-' };
            let _ = writeln!(diff, "  {mark} {:?} {}", e.path, e.code);
        }
        for e in &got {
            if !row.expect.errors.contains(e) {
                let _ = writeln!(diff, "  + {:?} {}", e.path, e.code);
            }
        }
        let _ = write!(diff, "  expected order: {:?}\n  got order:      {:?}", row.expect.errors, got);
        problems.push(diff);
    }
    let valid = report.as_ref().map_or(errors.is_empty(), |r| r.valid);
    if valid != row.expect.valid {
        problems.push(format!("valid: expected {}, got {valid}", row.expect.valid));
    }
    if let Some(report) = &report {
        if report.valid != report.errors.is_empty() {
            problems.push("report.valid disagrees with its error list".into());
        }
    }
    match (&row.expect.value, &report) {
        (Some(_), None) => problems.push("a field row cannot expect a value".into()),
        (Some(expected), Some(report)) if *expected != report.value => problems.push(format!(
            "value differs:\n  expected {}\n  got      {}",
            short(&expected.to_string()),
            short(&report.value.to_string())
        )),
        _ => {}
    }
    let submitted = submitted_strings(row);
    for violation in &errors {
        if violation.message.trim().is_empty() {
            problems.push(format!("{}: empty message", violation.path));
        }
        let mut params = Vec::new();
        param_strings(&Value::Object(violation.params.clone()), &mut params);
        for param in &params {
            if let Some(leak) = submitted.iter().find(|s| param.contains(s.as_str())) {
                problems.push(format!("{}: params repeat the input {:?}", violation.path, short(leak)));
            }
        }
    }
    problems
}

/// Long rows (16 KiB metadata) would drown the diff.
fn short(text: &str) -> String {
    if text.chars().count() <= 400 {
        return text.to_owned();
    }
    let head: String = text.chars().take(400).collect();
    format!("{head}… ({} chars)", text.chars().count())
}

#[test]
fn every_row_of_the_case_table() {
    let rows = load_rows();
    assert!(rows.len() >= MIN_ROWS, "only {} rows loaded from tests/cases (at least {MIN_ROWS} expected)", rows.len());
    let mut failures = Vec::new();
    for (file, row) in &rows {
        let problems = check(row);
        if !problems.is_empty() {
            failures.push(format!("{file}: {}\n  {}", row.name, problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n\n{}", failures.len(), rows.len(), failures.join("\n\n"));
}

#[test]
fn row_names_are_unique_and_rows_well_formed() {
    let rows = load_rows();
    let mut seen = std::collections::HashSet::new();
    for (file, row) in &rows {
        assert!(seen.insert(row.name.clone()), "{file}: duplicate row name {:?}", row.name);
        assert_eq!(row.expect.valid, row.expect.errors.is_empty(), "{file}: {}: valid must mean no errors", row.name);
        assert!(
            row.options.today.is_some(),
            "{file}: {}: set options.today so the row never depends on the clock",
            row.name
        );
        if row.field.is_some() {
            assert!(
                row.expect.value.is_none() && row.encoding.is_none(),
                "{file}: {}: a field row has no value",
                row.name
            );
        }
        if row.encoding.is_some() {
            assert_eq!(row.encoding.as_deref(), Some("form"), "{file}: {}", row.name);
            assert!(row.input.is_string() && row.shape == "store", "{file}: {}: form rows are store strings", row.name);
        }
    }
}

/// Every valid row's value is itself a valid request that normalizes to itself.
#[test]
fn normalized_values_of_valid_rows_are_fixed_points() {
    for (file, row) in load_rows() {
        let (_, Some(report)) = run(&row) else { continue };
        if !report.valid {
            continue;
        }
        let options = options(&row);
        let again = match row.shape.as_str() {
            "square" => validate_square(&report.value, &options),
            _ => validate_store(&report.value, &options),
        };
        assert!(again.valid, "{file}: {}: the normalized value is refused: {again}", row.name);
        assert_eq!(again.value, report.value, "{file}: {}: normalizing twice changed the value", row.name);
    }
}

/// The table reaches every code a request can produce (the server's two need stored data).
#[test]
fn the_table_covers_every_code() {
    let rows = load_rows();
    let used: std::collections::HashSet<&str> =
        rows.iter().flat_map(|(_, row)| row.expect.errors.iter().map(|e| e.code.as_str())).collect();
    let server_only = [customer_validation::Code::Taken, customer_validation::Code::IdempotencyKeyReused];
    for code in customer_validation::Code::ALL.iter().filter(|c| !server_only.contains(c)) {
        assert!(used.contains(code.as_str()), "no row of tests/cases expects {code}");
    }
    for encoding in [None, Some("form")] {
        assert!(rows.iter().any(|(_, r)| r.encoding.as_deref() == encoding), "no row with encoding {encoding:?}");
    }
    assert!(rows.iter().any(|(_, r)| r.field.is_some()), "no validate_field row");
}

/// The checker itself fails when a row is wrong: a changed code, a dropped violation, a
/// changed value and a flipped verdict are each caught.
#[test]
fn a_wrong_row_is_caught() {
    let rows = load_rows();
    let (_, with_errors) = rows.iter().find(|(_, r)| !r.expect.errors.is_empty()).expect("an invalid row");
    let (_, with_value) = rows.iter().find(|(_, r)| r.expect.value.is_some()).expect("a row with a value");
    type Mutation = fn(&mut Expect);
    let mutants: [(&Row, Mutation); 4] = [
        (with_errors, |e| e.errors[0].code = "invalid_value_x".into()),
        (with_errors, |e| {
            e.errors.pop();
        }),
        (with_value, |e| e.value = Some(serde_json::json!({ "customer": {} }))),
        (with_value, |e| e.valid = !e.valid),
    ];
    for (row, mutate) in mutants {
        let text = serde_json::to_string(&serde_json::json!({
            "name": row.name, "shape": row.shape, "input": row.input, "encoding": row.encoding, "field": row.field,
            "options": { "default_region": row.options.default_region, "today": row.options.today },
            "expect": { "valid": row.expect.valid, "errors": row.expect.errors.iter()
                .map(|e| serde_json::json!({ "path": e.path, "code": e.code })).collect::<Vec<_>>(), "value": row.expect.value },
        }))
        .expect("serializable");
        let mut mutant: Row = serde_json::from_str(&text).expect("a row");
        assert!(check(&mutant).is_empty(), "{}: the unmutated copy must pass", row.name);
        mutate(&mut mutant.expect);
        assert!(!check(&mutant).is_empty(), "{}: a mutated expectation went unnoticed", row.name);
    }
}
