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

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

/// The date a birthday spells, or `None` when the spelling itself is wrong.
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
    let format = formats.describe();
    let Some((year, month, day)) = read_format(input, formats) else {
        sink.push(at, Code::InvalidDate, params([("reason", "format".into()), ("format", format.into())]));
        return (given.fail(), None);
    };
    let Some(date) = Date::new(year, month, day) else {
        sink.push(at, Code::InvalidDate, params([("reason", "calendar".into()), ("format", format.into())]));
        return (given.fail(), None);
    };
    if date.year != 0 && date.year < MIN_YEAR {
        sink.push(at, Code::OutOfRange, params([("min", MIN_YEAR.into())]));
        return (given.fail(), None);
    }
    if date.year != 0 && date > today {
        sink.push(at, Code::DateInFuture, params([("today", today.to_string().into())]));
        return (given.fail(), None);
    }
    (given, Some(date.to_string()))
}
