//! Updates: the same rules on a partial customer (RULES.md, "Updates").
//!
//! A patch runs through the very same field rules as a create request, fields only; what
//! differs is what absence means (unchanged), what `null` or blank means (removed, where
//! the field may be removed) and which rules need the customer as it will be (the
//! request-level rules, the merged metadata's limits, the upserted references' count),
//! which run only when the current customer is given.

use serde_json::{Map, Value};

use crate::model::fields::STORE_CUSTOMER;
use crate::options::Options;
use crate::report::{params, At, Code, Report, Sink, Violation};
use crate::rules::text::Text;
use crate::rules::{external_refs, metadata, request};
use crate::validate::{square_fields_only, store_fields_only};

/// Validates a store API patch (`PATCH …/customers/:id`, body `{ "customer": { … } }`).
///
/// A present field is checked by its create rule; an absent one is unchanged. `first_name`
/// can't be removed (blank is `required`); `last_name`, `email`, `phone` and `birthday`
/// blank or `null` are removed, and come back as `null` in the normalized value. Metadata
/// is shallow-merged (a key set to `null` is removed) and references are upserted by
/// `(source, external_id)`. With `current` (the stored customer, as the API returns it),
/// the email-or-phone rule, the merged metadata's limits and the 50-reference limit run
/// on the customer as it will be; without it, field rules only. `card_id` and
/// `send_card_links` are not part of an update and are ignored.
///
/// ```
/// use customer_validation::{validate_store_update, Options};
/// use serde_json::json;
/// let options = Options::new("US", "2026-11-23".parse()?)?;
/// let current = json!({ "first_name": "Amelia", "email": "amelia@example.com", "phone": null });
/// let report = validate_store_update(&json!({ "customer": { "phone": "(212) 555-4240" } }), Some(&current), &options);
/// assert_eq!(report.value, json!({ "customer": { "phone": "+12125554240" } }));
/// let report = validate_store_update(&json!({ "customer": { "email": null } }), Some(&current), &options);
/// let codes: Vec<_> = report.errors.iter().map(|e| e.code.as_str()).collect();
/// assert_eq!(codes, ["email_or_phone_required", "email_or_phone_required"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_store_update(patch: &Value, current: Option<&Value>, options: &Options) -> Report {
    worded(store_update(patch, current, options), options)
}

fn store_update(patch: &Value, current: Option<&Value>, options: &Options) -> Report {
    let mut sink = Sink::default();
    let customer_at = At::Root.key("customer");
    let Value::Object(root) = patch else {
        sink.push_bare(&At::Root, Code::ExpectedObject);
        return Report::new(sink.errors, Value::Null);
    };
    let fields = match root.get("customer") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(fields)) => fields.clone(),
        Some(_) => {
            sink.push_bare(&customer_at, Code::ExpectedObject);
            return Report::new(sink.errors, Value::Null);
        }
    };
    let only_customer = Value::Object(Map::from_iter([("customer".to_owned(), Value::Object(fields.clone()))]));
    let value = store_fields_only(&only_customer, options, &mut sink);
    if !fields.contains_key("first_name") {
        // Absent means unchanged, not missing.
        let first_name = customer_at.key("first_name").to_path();
        sink.errors.retain(|v| !(v.path == first_name && v.code == Code::Required));
    }
    let mut normalized = match value {
        Value::Object(mut value) => match value.remove("customer") {
            Some(Value::Object(customer)) => customer,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    for field in STORE_CUSTOMER.iter().filter(|f| f.removable()).map(|f| f.name) {
        if fields.contains_key(field) && !normalized.contains_key(field) && is_blank(fields.get(field)) {
            normalized.insert(field.to_owned(), Value::Null);
        }
    }
    if let Some(current) = current {
        let current = current.get("customer").filter(|c| c.is_object()).unwrap_or(current);
        let merged = |field: &str| match normalized.get(field) {
            Some(value) => value.clone(),
            None => current.get(field).cloned().unwrap_or(Value::Null),
        };
        let (email, phone) = (merged("email"), merged("phone"));
        request::email_or_phone(present(&email), present(&phone), &customer_at, &mut sink);
        if let Some(Value::Object(patch_metadata)) = fields.get("metadata") {
            let mut merged = current.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            for (key, value) in patch_metadata {
                match value {
                    Value::Null => merged.remove(key),
                    other => merged.insert(key.clone(), other.clone()),
                };
            }
            let at = customer_at.key("metadata");
            let mut limits = Sink::default();
            metadata::check(Some(&Value::Object(merged)), &at, &mut limits);
            add_missing(&mut sink, limits.errors, &[Code::TooLarge, Code::TooDeep]);
        }
        if let Some(Value::Array(added)) = normalized.get("external_references") {
            let existing = current.get("external_references").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            let key = |r: &Value| (r.get("source").cloned(), r.get("external_id").cloned());
            let new = added.iter().filter(|a| !existing.iter().any(|e| key(e) == key(a))).count();
            if existing.len() + new > external_refs::MAX_ITEMS {
                let at = customer_at.key("external_references");
                let mut count = Sink::default();
                count.push(&at, Code::TooMany, params([("max", external_refs::MAX_ITEMS.into())]));
                add_missing(&mut sink, count.errors, &[Code::TooMany]);
            }
        }
    }
    let value = Value::Object(Map::from_iter([("customer".to_owned(), Value::Object(normalized))]));
    Report::new(sink.errors, value)
}

/// Validates a Square `UpdateCustomer` body (`PUT /v2/customers/{id}`, sparse).
///
/// A present field is checked by its create rule; `null` (or blank) removes it and comes
/// back as `null` in the normalized value; `address` is replaced as a whole; `version`
/// (integer ≥ 0) is optional; unknown fields are `unknown_field` as on create. With
/// `current` (the stored Square customer), the one-of rule runs on the customer as it will
/// be.
///
/// ```
/// use customer_validation::{validate_square_update, Options};
/// use serde_json::json;
/// let options = Options::new("US", "2026-11-23".parse()?)?;
/// let current = json!({ "given_name": "Amelia", "email_address": "amelia@example.com" });
/// let report = validate_square_update(&json!({ "given_name": null, "version": 2 }), Some(&current), &options);
/// assert!(report.valid, "{:?}", report.errors);
/// assert_eq!(report.value, json!({ "given_name": null, "version": 2 }));
/// let report = validate_square_update(&json!({ "given_name": null, "email_address": " " }), Some(&current), &options);
/// assert_eq!(report.errors[0].code.as_str(), "one_of_required");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_square_update(patch: &Value, current: Option<&Value>, options: &Options) -> Report {
    worded(square_update(patch, current, options), options)
}

fn square_update(patch: &Value, current: Option<&Value>, options: &Options) -> Report {
    let mut sink = Sink::default();
    let Value::Object(fields) = patch else {
        sink.push_bare(&At::Root, Code::ExpectedObject);
        return Report::new(sink.errors, Value::Null);
    };
    let mut without_version = fields.clone();
    let version = without_version.remove("version");
    let value = square_fields_only(&Value::Object(without_version), options, &mut sink);
    let mut normalized = match value {
        Value::Object(value) => value,
        _ => Map::new(),
    };
    for (field, given) in fields {
        if field != "version" && !normalized.contains_key(field) && is_blank(Some(given)) {
            normalized.insert(field.clone(), Value::Null);
        }
    }
    match version {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            normalized.insert("version".to_owned(), Value::Number(n));
        }
        Some(Value::Number(n)) if n.as_i64().is_some() => {
            sink.push(&At::Root.key("version"), Code::OutOfRange, params([("min", 0.into())]));
        }
        Some(_) => sink.push_bare(&At::Root.key("version"), Code::ExpectedInteger),
    }
    if let Some(current) = current {
        let current = current.get("customer").filter(|c| c.is_object()).unwrap_or(current);
        let merged: Vec<Value> = request::SQUARE_ONE_OF
            .iter()
            .map(|field| match normalized.get(*field) {
                Some(value) => value.clone(),
                None => current.get(*field).cloned().unwrap_or(Value::Null),
            })
            .collect();
        let given = [0, 1, 2, 3, 4].map(|i| present(&merged[i]));
        request::square_one_of(given, &mut sink);
    }
    Report::new(sink.errors, Value::Object(normalized))
}

/// Whether a patch value removes its field: `null`, or a string blank after trimming.
fn is_blank(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// A merged field as the presence rules read it.
fn present(value: &Value) -> Text<'_> {
    match value.as_str().map(str::trim) {
        Some(s) if !s.is_empty() => Text::Ok(s),
        _ => Text::Absent,
    }
}

/// Adds the violations of `codes` that the field rules did not already report.
fn add_missing(sink: &mut Sink, found: Vec<Violation>, codes: &[Code]) {
    for violation in found {
        let known = sink.errors.iter().any(|v| v.path == violation.path && v.code == violation.code);
        if codes.contains(&violation.code) && !known {
            sink.errors.push(violation);
        }
    }
}

/// The report with its messages in the options' wording.
fn worded(mut report: Report, options: &Options) -> Report {
    options.word(&mut report.errors);
    report
}
