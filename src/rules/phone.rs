//! Phone numbers: our character rule, then Google's libphonenumber rules (through
//! `rlibphonenumber`), then Square's 9–16 digit rule on the E.164 form.
//!
//! This is the only file that calls the phone engine, so an upgrade or a change of engine
//! touches nothing else.
//!
//! ```
//! use customer_validation::{validate_field, Options, Shape};
//! use serde_json::json;
//! let dk = Options::new("DK", "2026-11-23".parse()?)?;
//! // Ten digits in E.164 (+4532123456): accepted with default region DK.
//! assert!(validate_field(Shape::Store, "customer.phone", &json!("32 12 34 56"), &dk).is_empty());
//! // Letters are refused before the engine sees them.
//! let errors = validate_field(Shape::Store, "customer.phone", &json!("1-800-FLOWERS"), &dk);
//! assert_eq!(errors[0].code.as_str(), "invalid_phone");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL};
use serde_json::Value;

use crate::report::{params, At, Code, Sink};
use crate::rules::text::{self, is_control, Controls, Text};

/// Square's bounds on the digits of the E.164 form, country code included.
pub(crate) const MIN_DIGITS: usize = 9;
/// See [`MIN_DIGITS`].
pub(crate) const MAX_DIGITS: usize = 16;

/// The engine gives up past 250 characters; refusing earlier keeps its work bounded.
const MAX_INPUT_CHARS: usize = 64;

/// A region the phone engine has metadata for, e.g. `US`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Region {
    engine: rlibphonenumber::Region,
    code: [u8; 2],
}

impl Region {
    pub(crate) const US: Region = Region { engine: rlibphonenumber::Region::US, code: *b"US" };

    /// `"GB"` or `"gb"` → `Some(GB)`; a code without phone metadata → `None`.
    pub(crate) fn parse(text: &str) -> Option<Region> {
        let code: [u8; 2] = text.as_bytes().try_into().ok()?;
        if !code.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = code.map(|b| b.to_ascii_uppercase());
        let engine = rlibphonenumber::Region::from_code(std::str::from_utf8(&code).ok()?).ok()?;
        PHONE_NUMBER_UTIL.get_country_code_for_region(engine)?;
        Some(Region { engine, code })
    }

    pub(crate) fn as_str(&self) -> &str {
        // Both bytes are ASCII letters, checked in `parse`.
        std::str::from_utf8(&self.code).unwrap_or("US")
    }
}

/// Why a phone number was refused; `as_str` is the `reason` param of `invalid_phone`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PhoneError {
    /// A character other than digits, one leading `+`, spaces, `-`, `.`, `(`, `)`.
    Characters,
    /// The engine could not read a number from it.
    Unparseable,
    /// Read, but not a valid number of its region (libphonenumber's `is_valid_number`).
    Invalid,
    /// Valid, but fewer than 9 digits in E.164 (Niue, Saint Helena, …): Square refuses those.
    TooShort,
    /// More than 16 digits in E.164.
    TooLong,
}

impl PhoneError {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PhoneError::Characters => "characters",
            PhoneError::Unparseable => "unparseable",
            PhoneError::Invalid => "invalid",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
        }
    }
}

/// The E.164 form of `input` (already trimmed), or why not.
pub(crate) fn parse(input: &str, default_region: Region) -> Result<String, PhoneError> {
    // Our rule runs first: the engine panics on some inputs it refuses
    // (`;phone-context=+1;tel:`, see DEPENDENCIES.md), and it would accept letters.
    let mut other_spaces = false;
    for (i, c) in input.chars().enumerate() {
        match c {
            '0'..='9' | '-' | '.' | '(' | ')' | ' ' => {}
            '+' if i == 0 => {}
            // Any Unicode space (NBSP, thin space from a paste) reads as a space; the engine
            // itself knows only some of them.
            c if c.is_whitespace() && !is_control(c) => other_spaces = true,
            _ => return Err(PhoneError::Characters),
        }
        if i >= MAX_INPUT_CHARS {
            return Err(PhoneError::TooLong);
        }
    }
    // Most numbers are typed with ASCII spaces only: those reach the engine as they are.
    let engine_input: Cow<'_, str> = if other_spaces {
        Cow::Owned(input.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect())
    } else {
        Cow::Borrowed(input)
    };
    // A `+` number is read with its own country code, never through the default region.
    let region = if engine_input.starts_with('+') { None } else { Some(default_region.engine) };
    let number = PHONE_NUMBER_UTIL.parse(&engine_input, region).map_err(|_| PhoneError::Unparseable)?;
    if !PHONE_NUMBER_UTIL.is_valid_number(&number) {
        return Err(PhoneError::Invalid);
    }
    let e164 = PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::E164);
    let digits = e164.len() - 1;
    if digits < MIN_DIGITS {
        return Err(PhoneError::TooShort);
    }
    if digits > MAX_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok(e164.into_owned())
}

/// Checks an optional phone field; returns what was given and, when valid, its E.164 form.
pub(crate) fn check<'a>(
    value: Option<&'a Value>,
    at: &At<'_>,
    region: Region,
    sink: &mut Sink,
) -> (Text<'a>, Option<String>) {
    let given = text::read(value, at, None, Controls::Refused, sink);
    let Some(input) = given.ok() else { return (given, None) };
    match parse(input, region) {
        Ok(e164) => (given, Some(e164)),
        Err(reason) => {
            sink.push(
                at,
                Code::InvalidPhone,
                params([("reason", reason.as_str().into()), ("min", MIN_DIGITS.into()), ("max", MAX_DIGITS.into())]),
            );
            (given.fail(), None)
        }
    }
}
