//! The one error report: a flat list of violations, each with a path, a code, an English
//! message and its figures, plus the two server renderings of the same list.
//!
//! Flat on purpose: nested error trees force every caller to write a flattener, and a list
//! in rule order is deterministic (see `../shared/STYLE.md`).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// One step of a [`Path`]: an object key or an array index.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key, such as `customer` or `email`.
    Key(Cow<'static, str>),
    /// An array index, such as the `1` of `external_references[1]`.
    Index(usize),
}

impl fmt::Debug for Segment {
    // Shows the kind, so that key "0" and index 0 never look the same in a failing test.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(k) => write!(f, "Key({k:?})"),
            Segment::Index(i) => write!(f, "Index({i})"),
        }
    }
}

/// Where a violation is, from the request root: `customer.external_references[1].source`.
///
/// One type, two renderings: the dotted string of the report's JSON, and the key array
/// ([`Path::segments`]) that Standard Schema consumers want.
#[derive(Clone, Default, PartialEq, Eq, Hash, Debug)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The request root (renders as the empty string).
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// This path with one more key.
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        Path(segments)
    }

    /// This path with one more array index.
    pub fn index(&self, index: usize) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Path(segments)
    }

    /// The segments from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Parses the dotted form back (`a.b[2]["odd.key"]`); `None` if it is malformed.
    pub fn parse(text: &str) -> Option<Path> {
        let mut segments = Vec::new();
        let mut rest = text;
        let mut first = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                if let Some(after_quote) = after.strip_prefix('"') {
                    // A quoted key is a JSON string literal followed by `]`.
                    let end = find_closing_quote(after_quote)?;
                    let literal = &after[..end + 2];
                    // Read as a `Value`, not a `String`: a typed read pulls serde's "invalid
                    // type" errors, and with them float printing, into the WASM builds (11 KB gz).
                    let Ok(Value::String(key)) = serde_json::from_str::<Value>(literal) else { return None };
                    segments.push(Segment::Key(Cow::Owned(key)));
                    rest = after[end + 2..].strip_prefix(']')?;
                } else {
                    let close = after.find(']')?;
                    let digits = &after[..close];
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    segments.push(Segment::Index(digits.parse().ok()?));
                    rest = &after[close + 1..];
                }
            } else {
                if !first {
                    rest = rest.strip_prefix('.')?;
                }
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let key = &rest[..end];
                if !is_identifier(key) {
                    return None;
                }
                segments.push(Segment::Key(Cow::Owned(key.to_owned())));
                rest = &rest[end..];
            }
            first = false;
        }
        Some(Path(segments))
    }
}

/// Index of the closing `"` of a JSON string body (escapes skipped).
fn find_closing_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn is_identifier(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if is_identifier(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", serde_json::to_string(k.as_ref()).map_err(|_| fmt::Error)?)?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Path, D::Error> {
        let text = String::deserialize(d)?;
        Path::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("bad path {text:?}")))
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal, $doc:literal;)*) => {
        /// Every violation code of RULES.md, and the two the server adds for stored data.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it appears in reports (`too_long`, `invalid_email`, …).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The code named `text`, if there is one.
            pub fn from_str_opt(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$variant),)* _ => None }
            }
        }

        /// The npm package's `Code` type, made from the same list (src/wasm.rs).
        // Read by wasm-bindgen's custom section, a use rustc does not see.
        #[cfg(feature = "wasm")]
        #[allow(dead_code)]
        pub(crate) const CODE_TYPESCRIPT: &str =
            concat!("/** Every violation code. */\nexport type Code =", $("\n  | \"", $text, "\"",)* ";");
    };
}

codes! {
    Required => "required", "A required field is missing or blank.";
    TooLong => "too_long", "Longer than `params.max` characters.";
    InvalidCharacters => "invalid_characters", "Holds a control character.";
    InvalidEmail => "invalid_email", "Not a deliverable email address (`params.reason` says why).";
    InvalidPhone => "invalid_phone", "Not a valid phone number (`params.reason` says why).";
    InvalidDate => "invalid_date", "Not a date of the accepted format, or not a real calendar date.";
    DateInFuture => "date_in_future", "A date after today (judged at UTC+14).";
    OutOfRange => "out_of_range", "A number or year outside its range (`params.min`, `params.max`).";
    EmailOrPhoneRequired => "email_or_phone_required", "Store API: neither email nor phone was given.";
    OneOfRequired => "one_of_required", "Square: none of the naming or contact fields was given.";
    ExpectedString => "expected_string", "The JSON value is not a string.";
    ExpectedInteger => "expected_integer", "The JSON value is not an integer.";
    ExpectedBoolean => "expected_boolean", "The JSON value is not a boolean.";
    ExpectedObject => "expected_object", "The JSON value is not an object.";
    ExpectedArray => "expected_array", "The JSON value is not an array.";
    TooLarge => "too_large", "Serialized metadata over `params.max` bytes.";
    TooDeep => "too_deep", "Metadata nested deeper than `params.max` levels.";
    InvalidKey => "invalid_key", "A metadata key that is blank or too long.";
    TooMany => "too_many", "More than `params.max` items.";
    InvalidSlug => "invalid_slug", "Not a lowercase slug such as `my_pos`.";
    InvalidValue => "invalid_value", "A value outside the accepted set.";
    InvalidCountry => "invalid_country", "Not an ISO 3166-1 alpha-2 code Square accepts.";
    UnknownField => "unknown_field", "Square: a field the request does not have.";
    Taken => "taken", "Server: already used by another customer of the store.";
    IdempotencyKeyReused => "idempotency_key_reused", "Server: the key was used with another body.";
}

impl Code {
    /// The English sentence a form shows under the field, from the message catalogue
    /// (`src/messages/locales/en.json`); other locales: [`crate::Options::with_locale`].
    pub fn message(self, params: &Params) -> String {
        crate::messages::english_code_message(self, params)
    }

    /// The Store API's English fragment (`is not a valid email address`), which its 422
    /// body carries when the request names no locale, and Square's `detail` always.
    pub fn api_message(self, params: &Params) -> String {
        crate::messages::api_fragment(self.as_str(), params)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        Code::from_str_opt(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown code {text:?}")))
    }
}

/// The figures of a violation (`{"max": 300}`), in insertion order. Never the submitted
/// value: reports end up in logs, and a customer's data must not.
pub type Params = Map<String, Value>;

/// One broken rule.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Violation {
    /// Where, from the request root.
    pub path: Path,
    /// What, as a stable code.
    pub code: Code,
    /// The sentence for the person at the form: English, or the options' locale.
    pub message: String,
    /// The figures the message uses.
    pub params: Params,
}

impl Violation {
    /// A violation whose message is the code's own wording for `params`.
    pub fn new(path: Path, code: Code, params: Params) -> Violation {
        Violation { message: code.message(&params), path, code, params }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.code)
    }
}

/// The verdict on one request: every violation at once, and the normalized request.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Report {
    /// `true` exactly when `errors` is empty.
    pub valid: bool,
    /// Every violation, in field order.
    pub errors: Vec<Violation>,
    /// The request as it will be stored: trimmed, E.164 phones, lower-cased email domains,
    /// unknown store fields dropped.
    pub value: Value,
}

impl Report {
    /// Builds a report from violations and the normalized value.
    pub fn new(errors: Vec<Violation>, value: Value) -> Report {
        Report { valid: errors.is_empty(), errors, value }
    }

    /// The Store API's 422 body: `{ "error": "Validation failed", "errors": { "email": [...] } }`,
    /// keys relative to `customer` (plus `card_id` and `send_card_links`).
    pub fn store_body(&self) -> Value {
        store_error_body(&self.errors)
    }

    /// Square's 400 body: `{ "errors": [ { category, code, detail, field } ] }`.
    pub fn square_body(&self) -> Value {
        square_error_body(&self.errors)
    }
}

/// The Store API's 422 body for any list of violations (the server adds `taken` ones),
/// with its English fragments, as the API it mirrors answers.
pub fn store_error_body(errors: &[Violation]) -> Value {
    store_body_with(errors, |v| v.code.api_message(&v.params))
}

/// The Store API's 422 body with each violation's own `message` (a request that named a
/// locale gets its sentences).
pub fn store_error_body_worded(errors: &[Violation]) -> Value {
    store_body_with(errors, |v| v.message.clone())
}

fn store_body_with(errors: &[Violation], message: impl Fn(&Violation) -> String) -> Value {
    let mut by_field = Map::new();
    for violation in errors {
        let segments = violation.path.segments();
        let relative = match segments.first() {
            Some(Segment::Key(k)) if k == "customer" => Path(segments[1..].to_vec()),
            _ => violation.path.clone(),
        };
        let key = match relative.to_string() {
            k if k.is_empty() => "base".to_owned(),
            k => k,
        };
        let messages = by_field.entry(key).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = messages {
            list.push(Value::String(message(violation)));
        }
    }
    json!({ "error": "Validation failed", "errors": by_field })
}

/// Square's 400 body for any list of violations.
pub fn square_error_body(errors: &[Violation]) -> Value {
    let entries: Vec<Value> = errors
        .iter()
        .map(|v| {
            let field = v.path.to_string();
            let mut entry = json!({
                "category": "INVALID_REQUEST_ERROR",
                "code": square_code(v.code),
                "detail": if field.is_empty() { v.code.api_message(&v.params) } else { format!("`{field}` {}", v.code.api_message(&v.params)) },
            });
            if !field.is_empty() {
                entry["field"] = Value::String(field);
            }
            entry
        })
        .collect();
    json!({ "errors": entries })
}

/// RULES.md's map from our codes to Square's error codes.
pub fn square_code(code: Code) -> &'static str {
    match code {
        Code::TooLong => "VALUE_TOO_LONG",
        Code::InvalidEmail => "INVALID_EMAIL_ADDRESS",
        Code::InvalidPhone => "INVALID_PHONE_NUMBER",
        Code::InvalidDate | Code::DateInFuture | Code::OutOfRange => "INVALID_TIME",
        Code::OneOfRequired | Code::Required => "MISSING_REQUIRED_PARAMETER",
        Code::ExpectedString => "EXPECTED_STRING",
        Code::ExpectedInteger | Code::ExpectedBoolean | Code::ExpectedObject | Code::ExpectedArray => "INCORRECT_TYPE",
        Code::InvalidCountry => "INVALID_ENUM_VALUE",
        Code::UnknownField => "UNKNOWN_BODY_PARAMETER",
        Code::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
        _ => "INVALID_VALUE",
    }
}

impl fmt::Display for Report {
    /// One `path: message (code)` line per violation, or `valid`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.valid {
            return f.write_str("valid");
        }
        for (i, violation) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

/// Where the rules are while they walk a request: a chain of borrowed segments on the
/// stack. A [`Path`] is built from it only when a violation is pushed, so a valid request
/// allocates no paths at all (most requests are valid).
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> At<'a> {
        At::Key(self, key)
    }

    pub(crate) fn index(&'a self, index: usize) -> At<'a> {
        At::Index(self, index)
    }

    pub(crate) fn to_path(self) -> Path {
        let mut segments = Vec::new();
        let mut node = &self;
        loop {
            match node {
                At::Root => break,
                At::Key(parent, key) => {
                    segments.push(Segment::Key(Cow::Owned((*key).to_owned())));
                    node = parent;
                }
                At::Index(parent, index) => {
                    segments.push(Segment::Index(*index));
                    node = parent;
                }
            }
        }
        segments.reverse();
        Path(segments)
    }
}

/// Collects violations while the rules run; each rule pushes, none stops the others.
#[derive(Default, Debug)]
pub(crate) struct Sink {
    pub(crate) errors: Vec<Violation>,
}

impl Sink {
    pub(crate) fn push(&mut self, at: &At<'_>, code: Code, params: Params) {
        self.errors.push(Violation::new(at.to_path(), code, params));
    }

    pub(crate) fn push_bare(&mut self, at: &At<'_>, code: Code) {
        self.push(at, code, Params::new());
    }
}

/// Builds [`Params`] from `(name, value)` pairs.
pub(crate) fn params<const N: usize>(pairs: [(&str, Value); N]) -> Params {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
