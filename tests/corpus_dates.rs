//! The dates corpus (`data/dates-corpus.json`, copied from `../shared/corpora/dates/`: JSON
//! Schema, wpt, validator.js, OpenJDK `MonthDay` and Square's own examples) against the
//! birthday rule, in both shapes.
//!
//! The reference is the corpus's computed columns: `rfc3339_full_date` (a real calendar
//! date spelled `YYYY-MM-DD` in ASCII digits) for the store shape, and also `MM-DD` for the
//! Square shape. `today` is 9999-12-31 so that only the calendar is judged; RULES.md's 1900
//! floor is applied on top. Every disagreement must fall in a named, deliberate difference.
//! Year `0000` (RULES.md's "year unknown") is no difference: RFC 3339's proleptic calendar
//! also has a year 0, a leap year, so `0000-02-29` is valid to both (the corpus has no such
//! row; `corpus_dates_boundaries` covers it, with the `MM-DD` spelling).

use std::collections::BTreeMap;

use customer_validation::{validate_field, validate_square, validate_store, Options, Shape, Violation};
use serde::Deserialize;
use serde_json::{json, Value};

const CORPUS: &str = include_str!("data/dates-corpus.json");

#[derive(Deserialize)]
struct Corpus {
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    value: String,
    rfc3339_full_date: bool,
    iso_month_day: bool,
    square_shape: String,
    sources: Vec<String>,
}

fn corpus() -> Vec<Row> {
    serde_json::from_str::<Corpus>(CORPUS).expect("tests/data/dates-corpus.json parses").rows
}

fn options(today: &str) -> Options {
    Options::new("US", today.parse().expect("a date")).expect("US")
}

fn field(shape: Shape) -> &'static str {
    match shape {
        Shape::Store => "customer.birthday",
        Shape::Square => "birthday",
    }
}

/// Our verdict: `Ok(true)` valid, `Ok(false)` absent (blank), `Err(code)` refused.
fn ours(shape: Shape, value: &str, options: &Options) -> Result<bool, &'static str> {
    let errors = validate_field(shape, field(shape), &json!(value), options);
    match errors.as_slice() {
        [] if value.trim().is_empty() => Ok(false),
        [] => Ok(true),
        [one] => Err(one.code.as_str()),
        more => panic!("{value:?}: one violation expected, got {more:?}"),
    }
}

/// An independent calendar for values the corpus does not hold (a trimmed value, an
/// `MM-DD`): proleptic Gregorian, ASCII digits, year 0000 a leap year as in RFC 3339.
fn oracle_full_date(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()].iter().all(u8::is_ascii_digit).then(|| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]
}

/// The reference verdict on `value`: the corpus row when the corpus holds the value, the
/// oracle otherwise. `MM-DD` (Square) is read as `0000-MM-DD`, a leap year.
fn reference(shape: Shape, value: &str, by_value: &BTreeMap<&str, &Row>) -> bool {
    let full_date = by_value.get(value).map_or_else(|| oracle_full_date(value), |r| r.rfc3339_full_date);
    let month_day = || {
        let shape = by_value.get(value).map_or_else(|| month_day_shape(value), |r| r.square_shape == "MM-DD");
        shape && oracle_full_date(&format!("0000-{value}"))
    };
    full_date || (shape == Shape::Square && month_day())
}

fn month_day_shape(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 5 && b[2] == b'-' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
}

fn known_year(value: &str) -> Option<u32> {
    let b = value.as_bytes();
    (b.len() == 10 && b[..4].iter().all(u8::is_ascii_digit))
        .then(|| b[..4].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
        .filter(|y| *y != 0)
}

/// A deliberate difference between RULES.md and the reference, each a precise predicate on
/// the value, the two verdicts and our code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Difference {
    /// RULES.md: "a known year is 1900 or later" (`out_of_range`), though the calendar has
    /// earlier dates (`0001-01-01`, `1582-10-10`, `0400-02-29`).
    Before1900,
    /// RULES.md: a string empty after trimming counts as absent: no birthday, no violation.
    BlankIsAbsent,
    /// RULES.md trims Unicode white space first: ` 2024-01-15` is `2024-01-15`.
    WhiteSpaceTrimmed,
}

fn explain(
    shape: Shape,
    value: &str,
    expected: bool,
    got: Result<bool, &str>,
    by_value: &BTreeMap<&str, &Row>,
) -> Option<Difference> {
    match got {
        Err("out_of_range") if expected && known_year(value).is_some_and(|y| y < 1900) => Some(Difference::Before1900),
        Ok(false) if !expected && value.trim().is_empty() => Some(Difference::BlankIsAbsent),
        _ if value.trim() != value && !value.trim().is_empty() => {
            let trimmed = value.trim();
            let trimmed_expected = reference(shape, trimmed, by_value) && known_year(trimmed).is_none_or(|y| y >= 1900);
            (got.is_ok() == trimmed_expected && got == ours(shape, trimmed, &options("9999-12-31")))
                .then_some(Difference::WhiteSpaceTrimmed)
        }
        _ => None,
    }
}

fn run(shape: Shape) -> BTreeMap<Difference, Vec<String>> {
    let rows = corpus();
    let by_value: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.value.as_str(), r)).collect();
    let calendar_only = options("9999-12-31");
    let mut differences: BTreeMap<Difference, Vec<String>> = BTreeMap::new();
    let (mut agree, mut unexplained) = (0, Vec::new());
    let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        let expected = reference(shape, &row.value, &by_value);
        let got = ours(shape, &row.value, &calendar_only);
        if let Err(code) = got {
            *codes.entry(code).or_default() += 1;
            // A refused value is refused for its spelling or calendar (or a control
            // character), never for being in the future: today is 9999-12-31.
            assert!(matches!(code, "invalid_date" | "out_of_range" | "invalid_characters"), "{:?}: {code}", row.value);
        }
        if got == Ok(true) && row.value.trim() == row.value {
            assert!(row.square_shape != "none", "{:?} accepted but the corpus sees no birthday shape", row.value);
        }
        if (got == Ok(true) && expected) || (got.is_err() && !expected) {
            agree += 1;
            continue;
        }
        match explain(shape, &row.value, expected, got, &by_value) {
            Some(d) => differences.entry(d).or_default().push(row.value.clone()),
            None => unexplained.push(format!(
                "{:?} (from {}): reference {expected}, ours {got:?}",
                row.value,
                row.sources.join(", ")
            )),
        }
    }
    println!(
        "dates corpus, {shape:?} shape: {agree}/{} agree with the reference; deliberate differences: {}; our codes: {codes:?}",
        rows.len(),
        differences.iter().map(|(d, v)| format!("{d:?} {} {v:?}", v.len())).collect::<Vec<_>>().join(", ")
    );
    assert!(unexplained.is_empty(), "{} unexplained disagreements:\n{}", unexplained.len(), unexplained.join("\n"));
    differences
}

#[test]
fn corpus_dates_store_shape_is_the_rfc3339_full_date_from_1900() {
    let differences = run(Shape::Store);
    // The 1900 floor is exercised by the corpus itself (0001-01-01, 1582-10-10, 0400-02-29).
    assert!(differences.get(&Difference::Before1900).is_some_and(|v| v.len() >= 3), "{differences:?}");
}

#[test]
fn corpus_dates_square_shape_also_takes_month_day() {
    let differences = run(Shape::Square);
    assert!(differences.contains_key(&Difference::Before1900));
}

/// OpenJDK's `--MM-DD` rows, with the `--` removed, are Square's `MM-DD`: the corpus's
/// `iso_month_day` verdict (29 February allowed) must be ours in the Square shape, and the
/// store shape refuses every one of them (it takes `YYYY-MM-DD` only).
#[test]
fn corpus_dates_month_day_rows_without_dashes() {
    let calendar_only = options("9999-12-31");
    let mut checked = 0;
    for row in corpus().iter().filter(|r| r.value.starts_with("--")) {
        let month_day = &row.value[2..];
        let got = ours(Shape::Square, month_day, &calendar_only);
        assert_eq!(got == Ok(true), row.iso_month_day, "{month_day:?} (from {:?}): {got:?}", row.value);
        if row.iso_month_day {
            let report = validate_square(&json!({ "given_name": "Ada", "birthday": month_day }), &calendar_only);
            assert_eq!(report.value["birthday"], format!("0000-{month_day}"));
            checked += 1;
        }
        assert_eq!(ours(Shape::Store, month_day, &calendar_only), Err("invalid_date"), "{month_day:?}");
        // Our Square shape never takes the ISO `--MM-DD` spelling itself.
        assert_eq!(ours(Shape::Square, &row.value, &calendar_only), Err("invalid_date"), "{:?}", row.value);
    }
    println!("dates corpus: {checked} --MM-DD rows read as MM-DD");
    assert!(checked >= 24);
}

fn code_of(errors: &[Violation]) -> Option<&'static str> {
    match errors {
        [] => None,
        [one] => Some(one.code.as_str()),
        more => panic!("one violation expected, got {more:?}"),
    }
}

/// `(shape, today, value, expected code or None, normalized value when valid)`.
type Case = (Shape, &'static str, &'static str, Option<&'static str>, Option<&'static str>);

#[test]
fn corpus_dates_boundaries() {
    use Shape::{Square, Store};
    let cases: &[Case] = &[
        // 29 February: leap years, century years, the unknown year.
        (Store, "2026-11-23", "2024-02-29", None, Some("2024-02-29")),
        (Store, "2026-11-23", "2023-02-29", Some("invalid_date"), None),
        (Store, "2026-11-23", "2000-02-29", None, Some("2000-02-29")),
        (Store, "2026-11-23", "1900-02-29", Some("invalid_date"), None),
        (Store, "2026-11-23", "2100-02-29", Some("invalid_date"), None),
        (Store, "2026-11-23", "0000-02-29", None, Some("0000-02-29")),
        (Square, "2026-11-23", "0000-02-29", None, Some("0000-02-29")),
        (Square, "2026-11-23", "02-29", None, Some("0000-02-29")),
        (Square, "2026-11-23", "02-30", Some("invalid_date"), None),
        (Store, "2026-11-23", "02-29", Some("invalid_date"), None),
        (Store, "2026-11-23", "0000-02-30", Some("invalid_date"), None),
        (Store, "2026-11-23", "0000-13-01", Some("invalid_date"), None),
        // Born today is fine; tomorrow is the future, across month and year ends too.
        (Store, "2026-11-23", "2026-11-23", None, Some("2026-11-23")),
        (Store, "2026-11-23", "2026-11-24", Some("date_in_future"), None),
        (Square, "2026-11-23", "2026-11-24", Some("date_in_future"), None),
        (Store, "2026-12-31", "2026-12-31", None, Some("2026-12-31")),
        (Store, "2026-12-31", "2027-01-01", Some("date_in_future"), None),
        (Store, "2026-11-30", "2026-12-01", Some("date_in_future"), None),
        (Store, "2024-02-28", "2024-02-29", Some("date_in_future"), None),
        (Store, "2024-02-29", "2024-02-29", None, Some("2024-02-29")),
        // An unknown year is never in the future, whatever today is.
        (Store, "2026-01-01", "0000-12-31", None, Some("0000-12-31")),
        (Square, "2026-01-01", "12-31", None, Some("0000-12-31")),
        // The 1900 floor.
        (Store, "2026-11-23", "1899-12-31", Some("out_of_range"), None),
        (Store, "2026-11-23", "1900-01-01", None, Some("1900-01-01")),
        (Square, "2026-11-23", "1899-12-31", Some("out_of_range"), None),
        (Store, "2026-11-23", "0001-01-01", Some("out_of_range"), None),
        // A calendar mistake before 1900 is a calendar mistake.
        (Store, "2026-11-23", "1899-02-29", Some("invalid_date"), None),
        // Spelling: ASCII digits only, exact widths, trimmed.
        (Store, "2026-11-23", "\u{a0}1998-09-21\u{3000}", None, Some("1998-09-21")),
        (Store, "2026-11-23", "1998-09-2\u{661}", Some("invalid_date"), None),
        (Store, "2026-11-23", "1998-9-21", Some("invalid_date"), None),
        (Store, "2026-11-23", "1998/09/21", Some("invalid_date"), None),
        (Square, "2026-11-23", "9-21", Some("invalid_date"), None),
        (Square, "2026-11-23", "09/21", Some("invalid_date"), None),
        (Store, "2026-11-23", "1998-09-21T00:00:00Z", Some("invalid_date"), None),
        (Store, "9999-12-31", "9999-12-31", None, Some("9999-12-31")),
    ];
    for &(shape, today, value, code, normalized) in cases {
        let options = options(today);
        let errors = validate_field(shape, field(shape), &json!(value), &options);
        assert_eq!(code_of(&errors), code, "{shape:?} {value:?} today {today}: {errors:?}");
        let report = match shape {
            Store => validate_store(
                &json!({ "customer": { "first_name": "Ada", "email": "a@example.com", "birthday": value } }),
                &options,
            ),
            Square => validate_square(&json!({ "given_name": "Ada", "birthday": value }), &options),
        };
        assert_eq!(report.valid, code.is_none(), "{shape:?} {value:?}: {:?}", report.errors);
        let birthday = match shape {
            Store => &report.value["customer"]["birthday"],
            Square => &report.value["birthday"],
        };
        if let Some(normalized) = normalized {
            assert_eq!(birthday, &Value::String(normalized.to_owned()), "{shape:?} {value:?}");
        }
    }
}
