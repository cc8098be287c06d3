//! Which rule runs on which field, for each shape, in field order. Request-level rules run
//! last, and only when the whole request is validated.

use serde_json::{Map, Value};

use crate::model::{ExternalReference, SquareCustomerRequest};
use crate::options::Options;
use crate::report::{At, Code, Path, Report, Segment, Sink, Violation};
use crate::rules::birthday::Formats;
use crate::rules::names::*;
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
    validate_store(&crate::parse_store_form(body), options)
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

/// Inserts a normalized string field; absent fields are left out of the value.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), Value::String(value));
    }
}

/// The store request's fields, read in one pass over the object: no key is hashed, and
/// unknown fields cost one failed `match` (Rails ignores them, so do we).
#[derive(Default)]
struct StoreFields<'a> {
    customer: Option<&'a Value>,
    card_id: Option<&'a Value>,
    send_card_links: Option<&'a Value>,
}

#[derive(Default)]
struct CustomerFields<'a> {
    first_name: Option<&'a Value>,
    last_name: Option<&'a Value>,
    email: Option<&'a Value>,
    phone: Option<&'a Value>,
    birthday: Option<&'a Value>,
    metadata: Option<&'a Value>,
    external_references: Option<&'a Value>,
}

fn store(input: &Value, options: &Options, scope: Scope, sink: &mut Sink) -> Value {
    let root = At::Root;
    let Value::Object(object) = input else {
        sink.push_bare(&root, Code::ExpectedObject);
        return Value::Null;
    };
    let mut fields = StoreFields::default();
    for (key, value) in object {
        match key.as_str() {
            "customer" => fields.customer = Some(value),
            "card_id" => fields.card_id = Some(value),
            "send_card_links" => fields.send_card_links = Some(value),
            _ => {}
        }
    }
    let customer_at = root.key("customer");
    let empty = Map::new();
    let customer_object = match fields.customer {
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
        let mut f = CustomerFields::default();
        for (key, value) in c {
            match key.as_str() {
                "first_name" => f.first_name = Some(value),
                "last_name" => f.last_name = Some(value),
                "email" => f.email = Some(value),
                "phone" => f.phone = Some(value),
                "birthday" => f.birthday = Some(value),
                "metadata" => f.metadata = Some(value),
                "external_references" => f.external_references = Some(value),
                _ => {}
            }
        }
        let first_name = text::read_required(f.first_name, &customer_at.key("first_name"), Some(NAME_MAX), sink);
        let last_name = text::read(f.last_name, &customer_at.key("last_name"), Some(NAME_MAX), Controls::Refused, sink);
        let (email_text, email) = email::check(f.email, &customer_at.key("email"), sink);
        let (phone_text, phone) = phone::check(f.phone, &customer_at.key("phone"), options.default_region, sink);
        let (birthday_text, birthday) =
            birthday::check(f.birthday, &customer_at.key("birthday"), Formats::FullDate, options.today, sink);
        let metadata = metadata::check(f.metadata, &customer_at.key("metadata"), sink);
        let references = external_refs::check(f.external_references, &customer_at.key("external_references"), sink);
        // Request-level, so it is reported after every field (docs/CHOICES.md).
        contact = Some((email_text, phone_text));

        let mut customer = Map::with_capacity(7);
        put(&mut customer, "first_name", owned(first_name));
        put(&mut customer, "last_name", owned(last_name));
        put(&mut customer, "email", email.or_else(|| owned(email_text)));
        put(&mut customer, "phone", phone.or_else(|| owned(phone_text)));
        put(&mut customer, "birthday", birthday.or_else(|| owned(birthday_text)));
        if let Some(metadata) = metadata {
            customer.insert("metadata".to_owned(), Value::Object(metadata));
        }
        if let Some(references) = references {
            let references = references.into_iter().map(reference_value).collect();
            customer.insert("external_references".to_owned(), Value::Array(references));
        }
        value.insert("customer".to_owned(), Value::Object(customer));
    }
    if let Some(card_id) = request::card_id(fields.card_id, &root.key("card_id"), sink) {
        value.insert("card_id".to_owned(), card_id.into());
    }
    if let Some(flag) = request::send_card_links(fields.send_card_links, &root.key("send_card_links"), sink) {
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

/// Square's top-level fields, in its order.
const SQUARE_FIELDS: [&str; 12] = [
    "idempotency_key",
    "given_name",
    "family_name",
    "company_name",
    "nickname",
    "email_address",
    "address",
    "phone_number",
    "reference_id",
    "note",
    "birthday",
    "tax_ids",
];

fn square(input: &Value, options: &Options, scope: Scope, sink: &mut Sink) -> Value {
    let root = At::Root;
    let Value::Object(o) = input else {
        sink.push_bare(&root, Code::ExpectedObject);
        return Value::Null;
    };
    let line = |name: &'static str, max: usize, sink: &mut Sink| {
        text::read(o.get(name), &root.key(name), Some(max), Controls::Refused, sink)
    };
    let idempotency_key = line("idempotency_key", IDEMPOTENCY_KEY_MAX, sink);
    let given_name = line("given_name", NAME_MAX, sink);
    let family_name = line("family_name", NAME_MAX, sink);
    let company_name = line("company_name", COMPANY_NAME_MAX, sink);
    let nickname = line("nickname", NICKNAME_MAX, sink);
    let (email_text, email) = email::check(o.get("email_address"), &root.key("email_address"), sink);
    let address = address::check_address(o.get("address"), &root.key("address"), sink);
    let (phone_text, phone) =
        phone::check(o.get("phone_number"), &root.key("phone_number"), options.default_region, sink);
    let reference_id = line("reference_id", REFERENCE_ID_MAX, sink);
    let note = text::read(o.get("note"), &root.key("note"), Some(NOTE_MAX), Controls::LineBreaksAndTabs, sink);
    let (birthday_text, birthday) =
        birthday::check(o.get("birthday"), &root.key("birthday"), Formats::FullDateOrMonthDay, options.today, sink);
    let tax_ids = if address::takes_tax_ids(options.default_region.as_str()) {
        address::check_tax_ids(o.get("tax_ids"), &root.key("tax_ids"), sink)
    } else {
        None
    };
    address::unknown_fields(o, &SQUARE_FIELDS, &root, sink);
    if scope == Scope::Request {
        request::square_one_of([given_name, family_name, company_name, email_text, phone_text], sink);
    }
    let request = SquareCustomerRequest {
        idempotency_key: owned(idempotency_key),
        given_name: owned(given_name),
        family_name: owned(family_name),
        company_name: owned(company_name),
        nickname: owned(nickname),
        email_address: email.or_else(|| owned(email_text)),
        address,
        phone_number: phone.or_else(|| owned(phone_text)),
        reference_id: owned(reference_id),
        note: owned(note),
        birthday: birthday.or_else(|| owned(birthday_text)),
        tax_ids,
    };
    serde_json::to_value(request).unwrap_or(Value::Null)
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
