//! Which rule runs on which field, for each shape, in field order. Request-level rules run
//! last, and only when the whole request is validated.

use serde_json::{Map, Value};

use crate::model::fields::{self, Field, Rule};
use crate::model::ExternalReference;
use crate::options::Options;
use crate::report::{At, Code, Path, Report, Segment, Sink, Violation};
use crate::rules::text::{self, Controls, Text};
use crate::rules::{address, birthday, email, external_refs, metadata, phone, request};

/// Which request shape a call validates.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Shape {
    /// The store API's create-customer request.
    Store,
    /// Square's `CreateCustomer` request.
    Square,
}

impl std::str::FromStr for Shape {
    type Err = String;

    fn from_str(s: &str) -> Result<Shape, String> {
        match s {
            "store" => Ok(Shape::Store),
            "square" => Ok(Shape::Square),
            other => Err(format!("unknown shape {other:?} (expected \"store\" or \"square\")")),
        }
    }
}

/// Whether the request-level rules run (not for a single field).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Request,
    FieldsOnly,
}

/// Validates a store API create-customer request.
///
/// ```
/// use customer_validation::{validate_store, Options};
/// use serde_json::json;
/// let options = Options::new("US", "2026-11-23".parse()?)?;
/// let report = validate_store(&json!({ "customer": { "first_name": " Amelia ", "phone": "(212) 555-4240" } }), &options);
/// assert!(report.valid);
/// assert_eq!(report.value["customer"]["phone"], "+12125554240");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_store(input: &Value, options: &Options) -> Report {
    let mut sink = Sink::default();
    let value = store(input, options, Scope::Request, &mut sink);
    options.word(&mut sink.errors);
    Report::new(sink.errors, value)
}

/// Validates a Square `CreateCustomer` request.
///
/// ```
/// use customer_validation::{validate_square, Options};
/// use serde_json::json;
/// let options = Options::new("US", "2026-11-23".parse()?)?;
/// let report = validate_square(&json!({ "given_name": "Amelia", "birthday": "09-21" }), &options);
/// assert_eq!(report.value["birthday"], "0000-09-21");
/// let report = validate_square(&json!({ "nickname": "Mia", "colour": "blue" }), &options);
/// let codes: Vec<_> = report.errors.iter().map(|e| e.code.as_str()).collect();
/// assert_eq!(codes, ["unknown_field", "one_of_required"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_square(input: &Value, options: &Options) -> Report {
    let mut sink = Sink::default();
    let value = square(input, options, Scope::Request, &mut sink);
    options.word(&mut sink.errors);
    Report::new(sink.errors, value)
}

/// The store request's field rules alone (for patches: [`crate::update`]).
pub(crate) fn store_fields_only(input: &Value, options: &Options, sink: &mut Sink) -> Value {
    store(input, options, Scope::FieldsOnly, sink)
}

/// Square's field rules alone, unknown fields included (for patches: [`crate::update`]).
pub(crate) fn square_fields_only(input: &Value, options: &Options, sink: &mut Sink) -> Value {
    square(input, options, Scope::FieldsOnly, sink)
}

/// Validates a form-encoded store request (Rails style), as [`crate::parse_store_form`]
/// reads it.
pub fn validate_store_form(body: &str, options: &Options) -> Report {
    validate_store(&crate::model::parse_store_form(body), options)
}

/// Validates one field as the user types: the violations at `path` (e.g.
/// `customer.email`, `address.country`) or below it. Request-level rules need the whole
/// request and do not run.
///
/// ```
/// use customer_validation::{validate_field, Options, Shape};
/// use serde_json::json;
/// let options = Options::new("US", "2026-11-23".parse()?)?;
/// let errors = validate_field(Shape::Square, "given_name", &json!("x".repeat(301)), &options);
/// assert_eq!(errors[0].code.as_str(), "too_long");
/// assert_eq!(errors[0].params["max"], 300);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_field(shape: Shape, path: &str, value: &Value, options: &Options) -> Vec<Violation> {
    let Some(target) = Path::parse(path).filter(|p| !p.segments().is_empty()) else {
        let params = crate::report::params([("path", path.into())]);
        return vec![Violation::new(Path::root(), Code::UnknownField, params)];
    };
    // The field is placed into an otherwise empty request, which then runs through the
    // very same code as a whole request: one implementation, one verdict.
    let request = place(target.segments(), value.clone());
    let mut sink = Sink::default();
    match shape {
        Shape::Store => drop(store(&request, options, Scope::FieldsOnly, &mut sink)),
        Shape::Square => drop(square(&request, options, Scope::FieldsOnly, &mut sink)),
    }
    sink.errors.retain(|v| v.path.segments().starts_with(target.segments()));
    options.word(&mut sink.errors);
    sink.errors
}

/// The smallest JSON document holding `value` at `segments` (arrays padded with `{}`).
fn place(segments: &[Segment], value: Value) -> Value {
    match segments.split_first() {
        None => value,
        Some((Segment::Key(key), rest)) => {
            let mut object = Map::new();
            object.insert(key.to_string(), place(rest, value));
            Value::Object(object)
        }
        Some((Segment::Index(i), rest)) => {
            // Beyond the array limit an index cannot name a valid item anyway.
            let i = (*i).min(external_refs::MAX_ITEMS);
            let mut items = vec![Value::Object(Map::new()); i];
            items.push(place(rest, value));
            Value::Array(items)
        }
    }
}

fn owned(text: Text<'_>) -> Option<String> {
    text.given().map(str::to_owned)
}

/// What a field's rule made of it: the normalized value (absent when the field is), and
/// the text as given, which the request-level rules read.
struct Checked<'a> {
    value: Option<Value>,
    text: Text<'a>,
}

impl<'a> Checked<'a> {
    fn text((text, normalized): (Text<'a>, Option<String>)) -> Checked<'a> {
        Checked { value: normalized.or_else(|| owned(text)).map(Value::String), text }
    }

    fn line(text: Text<'a>) -> Checked<'a> {
        Checked { value: owned(text).map(Value::String), text }
    }

    fn other(value: Option<Value>) -> Checked<'a> {
        Checked { value, text: Text::Absent }
    }
}

/// A typed part of the model as JSON (its structs always serialize).
fn to_value<T: serde::Serialize>(value: Option<T>) -> Option<Value> {
    value.and_then(|v| serde_json::to_value(v).ok())
}

/// Runs the field's rule on what was given for it.
fn check_field<'a>(
    field: &Field,
    given: Option<&'a Value>,
    at: &At<'_>,
    options: &Options,
    sink: &mut Sink,
) -> Checked<'a> {
    match field.rule {
        Rule::RequiredLine => Checked::line(text::read_required(given, at, field.max, sink)),
        Rule::Line => Checked::line(text::read(given, at, field.max, Controls::Refused, sink)),
        Rule::MultiLine => Checked::line(text::read(given, at, field.max, Controls::LineBreaksAndTabs, sink)),
        Rule::Email => Checked::text(email::check(given, at, sink)),
        Rule::Phone => Checked::text(phone::check(given, at, options.default_region(), sink)),
        Rule::Birthday(formats) => Checked::text(birthday::check(given, at, formats, options.today, sink)),
        Rule::Metadata => Checked::other(metadata::check(given, at, sink).map(Value::Object)),
        Rule::ExternalReferences => Checked::other(
            external_refs::check(given, at, sink)
                .map(|references| Value::Array(references.into_iter().map(reference_value).collect())),
        ),
        Rule::Address => Checked::other(to_value(address::check_address(given, at, sink))),
        Rule::TaxIds if address::takes_tax_ids(options.default_region()) => {
            Checked::other(to_value(address::check_tax_ids(given, at, sink)))
        }
        // Square ignores them for sellers elsewhere: not judged, not kept.
        Rule::TaxIds => Checked::other(None),
    }
}

/// Runs every field of `fields` on `object` in the table's order, which is the order of
/// the errors and of the normalized object. Returns that object and each field's text.
fn check_fields<'a, const N: usize>(
    fields: &[Field; N],
    object: &'a Map<String, Value>,
    at: &At<'_>,
    options: &Options,
    sink: &mut Sink,
) -> (Map<String, Value>, [Text<'a>; N]) {
    // One pass over the object, no key hashed; unknown keys are the caller's to judge.
    let mut given: [Option<&Value>; N] = [None; N];
    for (key, value) in object {
        if let Some(i) = fields::position(fields, key) {
            given[i] = Some(value);
        }
    }
    let mut texts = [Text::Absent; N];
    let mut normalized = Map::with_capacity(N);
    for (i, field) in fields.iter().enumerate() {
        let checked = check_field(field, given[i], &at.key(field.name), options, sink);
        texts[i] = checked.text;
        if let Some(value) = checked.value {
            normalized.insert(field.name.to_owned(), value);
        }
    }
    (normalized, texts)
}

/// The text `name` was given in a [`check_fields`] result.
fn text_of<'a>(fields: &[Field], texts: &[Text<'a>], name: &str) -> Text<'a> {
    fields::position(fields, name).map_or(Text::Absent, |i| texts[i])
}

fn store(input: &Value, options: &Options, scope: Scope, sink: &mut Sink) -> Value {
    let root = At::Root;
    let Value::Object(object) = input else {
        sink.push_bare(&root, Code::ExpectedObject);
        return Value::Null;
    };
    // The request's own fields; Rails ignores unknown ones, and so do we.
    let (mut customer, mut card_id, mut send_card_links) = (None, None, None);
    for (key, value) in object {
        match key.as_str() {
            "customer" => customer = Some(value),
            "card_id" => card_id = Some(value),
            "send_card_links" => send_card_links = Some(value),
            _ => {}
        }
    }
    let customer_at = root.key("customer");
    let empty = Map::new();
    let customer_object = match customer {
        None | Some(Value::Null) => Some(&empty),
        Some(Value::Object(c)) => Some(c),
        Some(_) => {
            sink.push_bare(&customer_at, Code::ExpectedObject);
            None
        }
    };
    let mut value = Map::with_capacity(3);
    let mut contact = None;
    if let Some(c) = customer_object {
        let (customer, texts) = check_fields(&fields::STORE_CUSTOMER, c, &customer_at, options, sink);
        // Request-level, so it is reported after every field (docs/CHOICES.md).
        let text = |name| text_of(&fields::STORE_CUSTOMER, &texts, name);
        contact = Some((text("email"), text("phone")));
        value.insert("customer".to_owned(), Value::Object(customer));
    }
    if let Some(card_id) = request::card_id(card_id, &root.key("card_id"), sink) {
        value.insert("card_id".to_owned(), card_id.into());
    }
    if let Some(flag) = request::send_card_links(send_card_links, &root.key("send_card_links"), sink) {
        value.insert("send_card_links".to_owned(), flag.into());
    }
    if let (Scope::Request, Some((email_text, phone_text))) = (scope, contact) {
        request::email_or_phone(email_text, phone_text, &customer_at, sink);
    }
    Value::Object(value)
}

/// The same object `serde_json::to_value` would make of an [`ExternalReference`], with the
/// strings moved rather than copied.
fn reference_value(reference: ExternalReference) -> Value {
    let mut map = Map::with_capacity(3);
    map.insert("source".to_owned(), Value::String(reference.source));
    map.insert("external_id".to_owned(), Value::String(reference.external_id));
    if let Some(metadata) = reference.metadata {
        map.insert("metadata".to_owned(), Value::Object(metadata));
    }
    Value::Object(map)
}

/// Square's field names, for the unknown-field rule.
const SQUARE_NAMES: [&str; fields::SQUARE.len()] = {
    let mut names = [""; fields::SQUARE.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = fields::SQUARE[i].name;
        i += 1;
    }
    names
};

fn square(input: &Value, options: &Options, scope: Scope, sink: &mut Sink) -> Value {
    let root = At::Root;
    let Value::Object(o) = input else {
        sink.push_bare(&root, Code::ExpectedObject);
        return Value::Null;
    };
    let (value, texts) = check_fields(&fields::SQUARE, o, &root, options, sink);
    address::unknown_fields(o, &SQUARE_NAMES, &root, sink);
    if scope == Scope::Request {
        let given = request::SQUARE_ONE_OF.map(|name| text_of(&fields::SQUARE, &texts, name));
        request::square_one_of(given, sink);
    }
    Value::Object(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StoreRequest;
    use serde_json::json;

    /// The store value is built by hand for speed; it must stay exactly what the typed
    /// model serializes to, or consumers deserializing `value` would drift.
    #[test]
    fn store_value_matches_the_typed_model() {
        let options = Options::new("US", "2026-11-23".parse().unwrap()).unwrap();
        let input = json!({ "send_card_links": "1", "card_id": "12", "customer": {
            "metadata": { "b": 1, "a": [1, { "x": null }] }, "phone": "(212) 555-4240", "first_name": " Zoë ",
            "external_references": [{ "external_id": "A", "source": "square", "metadata": {} }, { "source": "square", "external_id": "B" }],
            "birthday": "1998-09-21", "email": "A@EXAMPLE.com", "last_name": "Earhart" } });
        let report = validate_store(&input, &options);
        assert!(report.valid, "{report}");
        let typed: StoreRequest = serde_json::from_value(report.value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), report.value);
        assert_eq!(serde_json::to_string(&typed).unwrap(), report.value.to_string(), "same key order");
    }
}
