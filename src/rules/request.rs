//! Request-level rules: the ones that need the whole request (email-or-phone, Square's
//! one-of, unknown fields) and the store API's request fields beside the customer
//! (`card_id`, `send_card_links`).
//!
//! The presence rules run even when the fields they look at failed their own rules: a
//! customer who typed a bad email and no phone learns both things at once (zod and valibot
//! skip refinements once a field fails; we don't).

use serde_json::Value;

use crate::report::{params, At, Code, Sink};
use crate::rules::text::Text;

/// JavaScript's `Number.MAX_SAFE_INTEGER`: the largest id both ends read exactly.
pub(crate) const MAX_CARD_ID: u64 = (1 << 53) - 1;

/// Store API: at least one of email and phone, reported on both fields.
pub(crate) fn email_or_phone(email: Text<'_>, phone: Text<'_>, customer_at: &At<'_>, sink: &mut Sink) {
    if email.given().is_none() && phone.given().is_none() {
        sink.push_bare(&customer_at.key("email"), Code::EmailOrPhoneRequired);
        sink.push_bare(&customer_at.key("phone"), Code::EmailOrPhoneRequired);
    }
}

/// The fields Square's one-of rule looks at, in its order.
pub(crate) const SQUARE_ONE_OF: [&str; 5] =
    ["given_name", "family_name", "company_name", "email_address", "phone_number"];

/// Square: at least one of [`SQUARE_ONE_OF`], reported once at the request root.
pub(crate) fn square_one_of(given: [Text<'_>; 5], sink: &mut Sink) {
    if given.iter().all(|t| t.given().is_none()) {
        sink.push(&At::Root, Code::OneOfRequired, params([("fields", SQUARE_ONE_OF.to_vec().into())]));
    }
}

/// `card_id`: a positive integer ≤ 2^53−1, or a string of ASCII digits (form input).
pub(crate) fn card_id(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<u64> {
    let out_of_range =
        |sink: &mut Sink| sink.push(at, Code::OutOfRange, params([("min", 1.into()), ("max", MAX_CARD_ID.into())]));
    let id = match value? {
        Value::Null => return None,
        Value::Number(n) => {
            if let Some(id) = n.as_u64() {
                id
            } else if n.as_i64().is_some() {
                out_of_range(sink);
                return None;
            } else {
                // JavaScript numbers arrive as floats: 12.0 is the integer 12.
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f >= 1.0 && f <= MAX_CARD_ID as f64 => f as u64,
                    Some(f) if f.fract() == 0.0 && f.is_finite() => {
                        out_of_range(sink);
                        return None;
                    }
                    _ => {
                        sink.push_bare(at, Code::ExpectedInteger);
                        return None;
                    }
                }
            }
        }
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                sink.push_bare(at, Code::ExpectedInteger);
                return None;
            }
            // More than 16 digits is beyond 2^53 whatever they are; parse would overflow at 20.
            match s.trim_start_matches('0').len() {
                0..=16 => s.parse().unwrap_or(u64::MAX),
                _ => u64::MAX,
            }
        }
        _ => {
            sink.push_bare(at, Code::ExpectedInteger);
            return None;
        }
    };
    if id == 0 || id > MAX_CARD_ID {
        out_of_range(sink);
        return None;
    }
    Some(id)
}

/// `send_card_links`: `true`, `false`, `1`, `0`, or those as strings (form input).
pub(crate) fn send_card_links(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<bool> {
    let flag = match value? {
        Value::Null => return None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        Value::String(s) => match s.trim() {
            "" => return None,
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        // Another JSON type is a type mistake, as for every other field (RULES.md, Text).
        Value::Array(_) | Value::Object(_) => {
            sink.push_bare(at, Code::ExpectedBoolean);
            return None;
        }
        Value::Number(_) => None,
    };
    if flag.is_none() {
        sink.push(at, Code::InvalidValue, params([("allowed", serde_json::json!([true, false, 1, 0]))]));
    }
    flag
}
