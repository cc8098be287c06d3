//! Birthdays: `YYYY-MM-DD` (both shapes) or `MM-DD` (Square), a real calendar date,
//! year 1900 or later, not in the future. Year `0000` means "year unknown".
//!
//! ```
//! use customer_validation::{validate_field, Options, Shape};
//! use serde_json::json;
//! let options = Options::new("US", "2026-11-23".parse()?)?;
//! assert!(validate_field(Shape::Square, "birthday", &json!("09-21"), &options).is_empty());
//! let errors = validate_field(Shape::Store, "customer.birthday", &json!("2023-02-29"), &options);
//! assert_eq!(errors[0].code.as_str(), "invalid_date");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::Value;

use crate::options::Date;
use crate::report::{params, At, Code, Sink};
use crate::rules::text::{self, Controls, Text};

/// The first year a known birth year may have.
pub(crate) const MIN_YEAR: u16 = 1900;

/// Which spellings a shape accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Formats {
    /// Store API: `YYYY-MM-DD` only.
    FullDate,
    /// Square: `YYYY-MM-DD` or `MM-DD`.
    FullDateOrMonthDay,
}

impl Formats {
    fn describe(self) -> &'static str {
        match self {
            Formats::FullDate => "YYYY-MM-DD",
            Formats::FullDateOrMonthDay => "YYYY-MM-DD or MM-DD",
        }
    }
}

/// Why a birthday was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BirthdayError {
    /// Not spelled as the shape asks (`1998-9-21`, `21/09/1998`, non-ASCII digits).
    Format,
    /// Spelled right, but no such day (`2023-02-29`, `1998-13-01`).
    Calendar,
    /// A known year before 1900.
    BeforeMinYear,
    /// After `today`.
    InFuture,
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

/// The date a birthday spells, or `None` when the spelling itself is wrong. Bytes, not
/// chars: a multi-byte character is never an ASCII digit or `-`, so it fails here.
fn read_format(input: &str, formats: Formats) -> Option<(u16, u8, u8)> {
    let b = input.as_bytes();
    match (b.len(), formats) {
        (10, _) if b[4] == b'-' && b[7] == b'-' => {
            let year = u16::from(two_digits(&b[0..2])?) * 100 + u16::from(two_digits(&b[2..4])?);
            Some((year, two_digits(&b[5..7])?, two_digits(&b[8..10])?))
        }
        (5, Formats::FullDateOrMonthDay) if b[2] == b'-' => Some((0, two_digits(&b[0..2])?, two_digits(&b[3..5])?)),
        _ => None,
    }
}

/// The date `input` (already trimmed) names, year 0 for an unknown year, or why not.
pub(crate) fn parse(input: &str, formats: Formats, today: Date) -> Result<Date, BirthdayError> {
    let (year, month, day) = read_format(input, formats).ok_or(BirthdayError::Format)?;
    let date = Date::new(year, month, day).ok_or(BirthdayError::Calendar)?;
    if date.year == 0 {
        // An unknown year is never before 1900 nor in the future.
        return Ok(date);
    }
    if date.year < MIN_YEAR {
        return Err(BirthdayError::BeforeMinYear);
    }
    if date > today {
        return Err(BirthdayError::InFuture);
    }
    Ok(date)
}

/// Checks an optional birthday; returns what was given and, when valid, `YYYY-MM-DD`
/// (`0000-MM-DD` for an unknown year).
pub(crate) fn check<'a>(
    value: Option<&'a Value>,
    at: &At<'_>,
    formats: Formats,
    today: Date,
    sink: &mut Sink,
) -> (Text<'a>, Option<String>) {
    let given = text::read(value, at, None, Controls::Refused, sink);
    let Some(input) = given.ok() else { return (given, None) };
    match parse(input, formats, today) {
        // A valid input is already `YYYY-MM-DD` or `MM-DD`: no formatting needed.
        Ok(_) if input.len() == 10 => (given, Some(input.to_owned())),
        Ok(_) => {
            let mut normalized = String::with_capacity(10);
            normalized.push_str("0000-");
            normalized.push_str(input);
            (given, Some(normalized))
        }
        Err(reason) => {
            let format = || ("format", formats.describe().into());
            let (code, params) = match reason {
                BirthdayError::Format => (Code::InvalidDate, params([("reason", "format".into()), format()])),
                BirthdayError::Calendar => (Code::InvalidDate, params([("reason", "calendar".into()), format()])),
                BirthdayError::BeforeMinYear => (Code::OutOfRange, params([("min", MIN_YEAR.into())])),
                BirthdayError::InFuture => (Code::DateInFuture, params([("today", today.to_string().into())])),
            };
            sink.push(at, code, params);
            (given.fail(), None)
        }
    }
}
