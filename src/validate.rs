//! Which rule runs on which field, for each shape, in field order. Request-level rules run
//! last, and only when the whole request is validated.

use serde_json::{Map, Value};

use crate::model::{SquareCustomerRequest, StoreCustomer, StoreRequest};
use crate::options::Options;
use crate::report::{Code, Path, Report, Segment, Sink, Violation};
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

fn store(input: &Value, options: &Options, scope: Scope, sink: &mut Sink) -> Value {
    let root = Path::root();
    let Value::Object(object) = input else {
        sink.push_bare(&root, Code::ExpectedObject);
        return Value::Null;
    };
    let customer_at = root.key("customer");
    let empty = Map::new();
    let customer_object = match object.get("customer") {
        None | Some(Value::Null) => Some(&empty),
        Some(Value::Object(c)) => Some(c),
        Some(_) => {
            sink.push_bare(&customer_at, Code::ExpectedObject);
            None
        }
    };
    let mut customer = StoreCustomer::default();
    if let Some(c) = customer_object {
        let first_name = text::read_required(c.get("first_name"), &customer_at.key("first_name"), Some(NAME_MAX), sink);
        let last_name =
            text::read(c.get("last_name"), &customer_at.key("last_name"), Some(NAME_MAX), Controls::Refused, sink);
        let (email_text, email) = email::check(c.get("email"), &customer_at.key("email"), sink);
        let (phone_text, phone) = phone::check(c.get("phone"), &customer_at.key("phone"), options.default_region, sink);
        let (birthday_text, birthday) =
            birthday::check(c.get("birthday"), &customer_at.key("birthday"), Formats::FullDate, options.today, sink);
        customer = StoreCustomer {
            first_name: owned(first_name),
            last_name: owned(last_name),
            email: email.or_else(|| owned(email_text)),
            phone: phone.or_else(|| owned(phone_text)),
            birthday: birthday.or_else(|| owned(birthday_text)),
            metadata: metadata::check(c.get("metadata"), &customer_at.key("metadata"), sink),
            external_references: external_refs::check(
                c.get("external_references"),
                &customer_at.key("external_references"),
                sink,
            ),
        };
        if scope == Scope::Request {
            request::email_or_phone(email_text, phone_text, &customer_at, sink);
        }
    }
    let request = StoreRequest {
        customer,
        card_id: request::card_id(object.get("card_id"), &root.key("card_id"), sink),
        send_card_links: request::send_card_links(object.get("send_card_links"), &root.key("send_card_links"), sink),
    };
    serde_json::to_value(request).unwrap_or(Value::Null)
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
    let root = Path::root();
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
    let tax_ids = address::check_tax_ids(o.get("tax_ids"), &root.key("tax_ids"), sink);
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
