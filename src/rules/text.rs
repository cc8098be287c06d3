//! Text in general: the JSON type check, trimming, control characters and lengths that
//! every string field goes through before its own rule.
//!
//! ```
//! use customer_validation::{validate_field, Options, Shape};
//! use serde_json::json;
//! // NBSP and ideographic spaces from a paste are trimmed; a tab inside is not allowed.
//! let options = Options::new("US", "2026-11-23".parse()?)?;
//! assert!(validate_field(Shape::Store, "customer.first_name", &json!("\u{a0}Zoë\u{3000}"), &options).is_empty());
//! let errors = validate_field(Shape::Store, "customer.first_name", &json!("Zo\të"), &options);
//! assert_eq!(errors[0].code.as_str(), "invalid_characters");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::Value;

use crate::report::{params, At, Code, Sink};

/// What a string field held, after the checks every string goes through.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Text<'a> {
    /// Missing, `null`, or empty after trimming.
    Absent,
    /// A non-blank string (trimmed) that passed the general checks.
    Ok(&'a str),
    /// A non-blank string (trimmed) that failed a check; still "given" for presence rules.
    Bad(&'a str),
    /// Not a string at all.
    WrongType,
}

impl<'a> Text<'a> {
    /// The trimmed string, good or bad.
    pub(crate) fn given(self) -> Option<&'a str> {
        match self {
            Text::Ok(s) | Text::Bad(s) => Some(s),
            Text::Absent | Text::WrongType => None,
        }
    }

    /// The trimmed string if it passed every check so far.
    pub(crate) fn ok(self) -> Option<&'a str> {
        match self {
            Text::Ok(s) => Some(s),
            _ => None,
        }
    }

    /// Marks a present string as failed (by a later, field-specific check).
    pub(crate) fn fail(self) -> Text<'a> {
        match self {
            Text::Ok(s) => Text::Bad(s),
            other => other,
        }
    }
}

/// Which control characters a field tolerates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Controls {
    /// None at all (every field but `note`).
    Refused,
    /// `\n`, `\r` and `\t` (Square's `note`).
    LineBreaksAndTabs,
}

/// Reads an optional string field: `expected_string` for another JSON type, trimmed of
/// Unicode white space, `invalid_characters` for a control character, `too_long` past
/// `max` chars (Unicode scalar values, as RULES.md counts).
pub(crate) fn read<'a>(
    value: Option<&'a Value>,
    at: &At<'_>,
    max: Option<usize>,
    controls: Controls,
    sink: &mut Sink,
) -> Text<'a> {
    let raw = match value {
        None | Some(Value::Null) => return Text::Absent,
        Some(Value::String(s)) => s.trim(),
        Some(_) => {
            sink.push_bare(at, Code::ExpectedString);
            return Text::WrongType;
        }
    };
    if raw.is_empty() {
        return Text::Absent;
    }
    let mut text = Text::Ok(raw);
    if raw.chars().any(|c| is_refused_control(c, controls)) {
        sink.push_bare(at, Code::InvalidCharacters);
        text = text.fail();
    }
    if let Some(max) = max {
        if !within_chars(raw, max) {
            sink.push(at, Code::TooLong, params([("max", max.into())]));
            text = text.fail();
        }
    }
    text
}

/// `read` for a field that must be given: `required` when absent.
pub(crate) fn read_required<'a>(
    value: Option<&'a Value>,
    at: &At<'_>,
    max: Option<usize>,
    sink: &mut Sink,
) -> Text<'a> {
    let text = read(value, at, max, Controls::Refused, sink);
    if text == Text::Absent {
        sink.push_bare(at, Code::Required);
    }
    text
}

/// U+0000–U+001F and U+007F–U+009F, as RULES.md defines control characters.
pub(crate) fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn is_refused_control(c: char, controls: Controls) -> bool {
    is_control(c) && !(controls == Controls::LineBreaksAndTabs && matches!(c, '\n' | '\r' | '\t'))
}

/// `s.chars().count() <= max` without counting past `max`.
pub(crate) fn within_chars(s: &str, max: usize) -> bool {
    // Every char is at least one byte, so short byte strings need no count.
    s.len() <= max || s.chars().nth(max).is_none()
}
