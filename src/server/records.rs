//! What both database backends write and answer alike, with no SQL in it: the keys the
//! unique indexes compare, the violations a taken value becomes, the Square customer's
//! object and its changes, and the JSON of customers, cards and card-link deliveries.
//! [`super::sqlite`] and [`super::postgres`] differ only in how they read and write rows.

use serde_json::{json, Map, Value};

use crate::model::{SquareCustomerRequest, StoreRequest};
use crate::server::store::Valid;
use crate::{Code, Params, Path, Violation};

/// Now, RFC 3339 in UTC with milliseconds: every timestamp either backend stores, so that
/// text order is time order in both.
pub fn now() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}

/// Now minus `window`, in [`now`]'s format ("" when out of range: every stored time is later).
pub fn since(window: std::time::Duration) -> String {
    jiff::SignedDuration::try_from(window)
        .ok()
        .and_then(|w| jiff::Timestamp::now().checked_sub(w).ok())
        .map_or_else(String::new, |t| format!("{t:.3}"))
}

/// Email uniqueness is case-insensitive, the whole address (local parts are case-sensitive
/// by RFC, but no real provider treats them so and customers retype them freely).
pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// `customer.<field>` is held by another customer of the store.
pub fn taken(field: &'static str) -> Violation {
    Violation::new(Path::root().key("customer").key(field), Code::Taken, Params::new())
}

/// The request's `index`th external reference is held by another customer of the store.
pub fn reference_taken(index: usize) -> Violation {
    Violation::new(
        Path::root().key("customer").key("external_references").index(index).key("external_id"),
        Code::Taken,
        Params::new(),
    )
}

/// `card_id` names no card of the store.
pub fn unknown_card() -> Violation {
    let params = Params::from_iter([("reason".to_owned(), json!("unknown_card"))]);
    Violation::new(Path::root().key("card_id"), Code::InvalidValue, params)
}

/// Where a card link goes.
#[derive(Clone, Debug)]
pub enum Channel {
    /// An email address.
    Email(String),
    /// A phone number, E.164.
    Sms(String),
}

impl Channel {
    /// The outbox's `channel` and `recipient`.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Channel::Email(to) => ("email", to),
            Channel::Sms(to) => ("sms", to),
        }
    }

    /// The customer field a taken recipient is reported on.
    pub fn field(&self) -> &'static str {
        match self {
            Channel::Email(_) => "email",
            Channel::Sms(_) => "phone",
        }
    }
}

/// The request's email and phone as card-link channels.
pub fn channels_of(request: &StoreRequest) -> Vec<Channel> {
    let c = &request.customer;
    c.email.iter().map(|e| Channel::Email(e.clone())).chain(c.phone.iter().map(|p| Channel::Sms(p.clone()))).collect()
}

/// The request's external references as rows: source, external id, metadata as JSON text.
pub fn references_of(request: &StoreRequest) -> Vec<(String, String, Option<String>)> {
    request
        .customer
        .external_references
        .iter()
        .flatten()
        .map(|r| {
            (r.source.clone(), r.external_id.clone(), r.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string()))
        })
        .collect()
}

/// The external references of a validated patch as rows (see [`references_of`]).
pub fn references_of_patch(changes: &Map<String, Value>) -> Vec<(String, String, Option<String>)> {
    changes
        .get("external_references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let text = |key: &str| r.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
            (text("source"), text("external_id"), r.get("metadata").filter(|m| m.is_object()).map(Value::to_string))
        })
        .collect()
}

/// A store API patch applied to the stored customer object: the columns to write.
pub struct PatchedCustomer {
    /// The patch's value (validated), by field.
    pub changes: Map<String, Value>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email, as given.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: Option<String>,
    /// The merged metadata, as JSON text.
    pub metadata: String,
}

impl PatchedCustomer {
    /// Applies the validated patch value (`report.value`) to `current` (the customer object):
    /// a field the patch leaves out keeps its value; metadata keys set to `null` are removed.
    pub fn new(current: &Value, patch_value: &Value) -> PatchedCustomer {
        let changes = patch_value["customer"].as_object().cloned().unwrap_or_default();
        let field = |name: &str| -> Option<String> {
            match changes.get(name) {
                Some(value) => value.as_str().map(str::to_owned),
                None => current[name].as_str().map(str::to_owned),
            }
        };
        let mut metadata = current["metadata"].as_object().cloned().unwrap_or_default();
        for (key, value) in changes.get("metadata").and_then(Value::as_object).into_iter().flatten() {
            match value {
                Value::Null => metadata.remove(key),
                other => metadata.insert(key.clone(), other.clone()),
            };
        }
        PatchedCustomer {
            first_name: field("first_name"),
            last_name: field("last_name"),
            email: field("email"),
            phone: field("phone"),
            birthday: field("birthday"),
            metadata: Value::Object(metadata).to_string(),
            changes,
        }
    }

    /// The email, if the patch changes it (only then can it be taken).
    pub fn new_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.changes.contains_key("email"))
    }

    /// The phone, if the patch changes it.
    pub fn new_phone(&self) -> Option<&str> {
        self.phone.as_deref().filter(|_| self.changes.contains_key("phone"))
    }
}

/// A JSON column's text as a value; absent or unreadable metadata is `{}`.
pub fn metadata_value(text: Option<String>) -> Value {
    match text.and_then(|t| serde_json::from_str(&t).ok()) {
        Some(Value::Object(map)) => Value::Object(map),
        _ => Value::Object(Map::new()),
    }
}

/// A customers row, as the store API's customer object (references and cards empty).
pub struct CustomerRow {
    /// Its id.
    pub id: i64,
    /// Its store.
    pub store_id: i64,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email, as given.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: Option<String>,
    /// JSON text.
    pub metadata: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl CustomerRow {
    /// The store API's customer object, with `external_references` and `customer_cards`.
    pub fn into_json(self, references: Vec<Value>, cards: Vec<Value>) -> Value {
        json!({
            "id": self.id,
            "account_id": self.store_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "birthday": self.birthday,
            "metadata": metadata_value(self.metadata),
            "external_references": references,
            "customer_cards": cards,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// An external reference of the customer object.
pub fn reference_json(source: String, external_id: String, metadata: Option<String>) -> Value {
    json!({ "source": source, "external_id": external_id, "metadata": metadata_value(metadata) })
}

/// A customer card of the customer object.
pub struct CardRow {
    /// The customer card's id.
    pub id: i64,
    /// Its code.
    pub uuid: String,
    /// The store's card.
    pub card_id: i64,
    /// The card's name.
    pub card_name: String,
    /// `active`.
    pub status: String,
    /// Stamps so far.
    pub stamps_count: i64,
    /// Stamps the card needs.
    pub stamps_required: i64,
    /// RFC 3339.
    pub created_at: String,
}

impl CardRow {
    /// The card's object, with its wallet links under `public_url`.
    pub fn into_json(self, public_url: &str) -> Value {
        let (apple, google) = wallet_urls(public_url, &self.uuid);
        json!({
            "id": self.id,
            "uuid": self.uuid,
            "card_id": self.card_id,
            "card_name": self.card_name,
            "status": self.status,
            "stamps_count": self.stamps_count,
            "stamps_remaining": (self.stamps_required - self.stamps_count).max(0),
            "apple_wallet_url": apple,
            "google_wallet_url": google,
            "created_at": self.created_at,
        })
    }
}

/// A customer card's Apple and Google wallet links.
fn wallet_urls(public_url: &str, uuid: &str) -> (String, String) {
    (format!("{public_url}/passes/{uuid}/apple"), format!("{public_url}/passes/{uuid}/google"))
}

/// A claimed outbox row, as the webhook is sent it.
pub struct DeliveryRow {
    /// The outbox row.
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
    /// The store, if known.
    pub store_id: Option<i64>,
    /// The customer.
    pub customer_id: i64,
    /// `email` or `sms`.
    pub channel: String,
    /// The address or number.
    pub recipient: String,
    /// The store's card.
    pub card_id: i64,
    /// Its name.
    pub card_name: String,
    /// The customer card's code.
    pub uuid: String,
}

impl DeliveryRow {
    /// The webhook's body.
    pub fn into_json(self, public_url: &str) -> Value {
        let (apple, google) = wallet_urls(public_url, &self.uuid);
        json!({
            "id": self.id,
            "type": "card_link",
            "created_at": self.created_at,
            "store_id": self.store_id,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "recipient": self.recipient,
            "card": {
                "id": self.card_id,
                "name": self.card_name,
                "uuid": self.uuid,
                "apple_wallet_url": apple,
                "google_wallet_url": google,
            },
        })
    }
}

/// A customer card as its page shows it.
pub fn pass_json(
    card_name: String,
    store_name: String,
    first_name: Option<String>,
    stamps: i64,
    required: i64,
) -> Value {
    json!({
        "card_name": card_name,
        "store_name": store_name,
        "first_name": first_name,
        "stamps_count": stamps,
        "stamps_required": required,
    })
}

/// The sign-up page's store and cards.
pub fn public_config_json(store: Option<(i64, String, String)>, cards: Vec<Value>) -> Value {
    match store {
        None => json!({ "store": null, "cards": [] }),
        Some((id, name, country)) => json!({
            "store": { "id": id, "name": name, "country": country, "default_region": country },
            "cards": cards,
        }),
    }
}

/// A card of the sign-up page.
pub fn public_card_json(id: i64, name: String, stamps_required: i64, initial_stamps: i64) -> Value {
    json!({ "id": id, "name": name, "stamps_required": stamps_required, "initial_stamps": initial_stamps })
}

/// Whose key space an idempotency key belongs to: each key is scoped to its store and API.
#[derive(Clone, Copy, Debug)]
pub enum Api {
    /// Square's `idempotency_key`.
    Square,
    /// The store API's `Idempotency-Key` header.
    Store,
}

impl Api {
    /// As the `api` column holds it.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Square => "square",
            Api::Store => "store",
        }
    }
}

/// What a key already used says.
pub enum Replay {
    /// The same body: the first answer, as stored.
    Same(String),
    /// Another body.
    OtherBody,
}

impl Replay {
    /// The stored key's verdict on a request: its body hash compared in constant time.
    pub fn of(stored_hash: &[u8], body_hash: &[u8; 32], response: String) -> Replay {
        if bool::from(subtle::ConstantTimeEq::ct_eq(stored_hash, &body_hash[..])) {
            Replay::Same(response)
        } else {
            Replay::OtherBody
        }
    }

    /// Square's create's answer.
    pub fn square(self) -> crate::server::store::SquareOutcome {
        use crate::server::store::SquareOutcome;
        match self {
            Replay::Same(response) => SquareOutcome::Customer(serde_json::from_str(&response).unwrap_or(Value::Null)),
            Replay::OtherBody => SquareOutcome::KeyReused,
        }
    }

    /// The store API's create's answer.
    pub fn store(self) -> Result<Value, crate::server::store::CreateError> {
        use crate::server::store::CreateError;
        match self {
            Replay::Same(response) => {
                serde_json::from_str(&response).map_err(|e| CreateError::Storage(format!("stored answer: {e}")))
            }
            Replay::OtherBody => Err(CreateError::KeyReused),
        }
    }
}

/// A new API token (shown once) and its stored hash.
pub fn new_token() -> Result<(String, [u8; 32]), String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    let token = format!("cv_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let hash = hash_token(&token);
    Ok((token, hash))
}

/// What a token is stored and looked up as.
pub fn hash_token(token: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// Square ids are 26 upper-case letters and digits.
pub fn square_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";
    let mut bytes = [0u8; 26];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: a v4 UUID (itself random) spread over the 26 places.
        let uuid = uuid::Uuid::new_v4().into_bytes();
        bytes.iter_mut().enumerate().for_each(|(i, b)| *b = uuid[i % 16].rotate_left(i as u32));
    }
    // 32 symbols divide 256, so every symbol is equally likely.
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

/// A new Square customer's object: the request's fields (not its idempotency key), the id,
/// the times, and what Square sets itself.
pub fn new_square_customer(request: &Valid<SquareCustomerRequest>, id: &str, at: &str) -> Map<String, Value> {
    let mut customer = Map::new();
    customer.insert("id".into(), json!(id));
    customer.insert("created_at".into(), json!(at));
    customer.insert("updated_at".into(), json!(at));
    if let Value::Object(fields) = request.value() {
        for (name, value) in fields {
            if name != "idempotency_key" {
                customer.insert(name.clone(), value.clone());
            }
        }
    }
    customer.insert("preferences".into(), json!({ "email_unsubscribed": false }));
    customer.insert("creation_source".into(), json!("THIRD_PARTY"));
    customer.insert("version".into(), json!(0));
    customer
}

/// A stored Square customer's version.
pub fn square_version(customer: &Map<String, Value>) -> i64 {
    customer.get("version").and_then(Value::as_i64).unwrap_or(0)
}

/// What an UpdateCustomer does to a stored Square customer.
pub enum SquarePatch {
    /// The patch breaks the update rules.
    Rejected(Vec<Violation>),
    /// The patch names another version than the stored one.
    VersionMismatch(i64),
    /// The customer as it is to be stored.
    Apply(Map<String, Value>),
}

/// Judges a Square patch against the stored customer: a `version` other than the stored
/// one changes nothing; else present fields are set, `null` ones removed, and the version
/// goes up by one.
pub fn patch_square(mut customer: Map<String, Value>, patch: &Value, options: &crate::Options) -> SquarePatch {
    let report = crate::validate_square_update(patch, Some(&Value::Object(customer.clone())), options);
    if !report.valid {
        return SquarePatch::Rejected(report.errors);
    }
    let current = square_version(&customer);
    let Value::Object(changes) = report.value else { return SquarePatch::Rejected(Vec::new()) };
    if changes.get("version").and_then(Value::as_i64).is_some_and(|asked| asked != current) {
        return SquarePatch::VersionMismatch(current);
    }
    for (field, value) in changes {
        match (field.as_str(), value) {
            ("version", _) => {}
            (_, Value::Null) => {
                customer.remove(&field);
            }
            (_, value) => {
                customer.insert(field, value);
            }
        }
    }
    customer.insert("version".into(), json!(current + 1));
    customer.insert("updated_at".into(), json!(now()));
    SquarePatch::Apply(customer)
}

/// A stored Square body as its object, if it is one.
pub fn square_object(body: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Square's ListCustomers answer from a page read one row past `limit`: the customers, the
/// cursor of the next page when there is one, and the count when asked.
pub fn square_page(mut rows: Vec<(i64, String)>, limit: u32, count: Option<i64>) -> Value {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let mut answer = Map::new();
    if !rows.is_empty() {
        let customers: Vec<Value> = rows.iter().filter_map(|(_, body)| serde_json::from_str(body).ok()).collect();
        answer.insert("customers".into(), Value::Array(customers));
    }
    if let (true, Some((last, _))) = (more, rows.last()) {
        answer.insert("cursor".into(), json!(super::store::square_cursor(*last)));
    }
    if let Some(count) = count {
        answer.insert("count".into(), json!(count));
    }
    Value::Object(answer)
}

/// The store API's customer list: `{ customers, pagination: { count, items, page, pages } }`.
pub fn customer_page(customers: Vec<Value>, count: i64, items: u32, page: u32) -> Value {
    let items = i64::from(items);
    json!({
        "customers": customers,
        "pagination": { "count": count, "items": items, "page": page, "pages": (count + items - 1) / items },
    })
}
