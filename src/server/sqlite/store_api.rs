//! The store API's writes and reads: a customer with its references, card and card links,
//! the public sign-up, idempotency keys, and the customer object.

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde_json::{json, Map, Value};

use super::idempotency::{self, Api, Replay};
use super::now;
use crate::model::StoreRequest;
use crate::server::store::{CreateError, IdempotencyKey};
use crate::{Code, Params, Path, Violation};

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

/// A customers row written, or the email or phone its unique index found taken.
fn unique_contacts(written: rusqlite::Result<usize>) -> Result<(), CreateError> {
    match written {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => {
            let field = if e.to_string().contains("phone") { "phone" } else { "email" };
            Err(CreateError::Rejected(vec![taken(field)]))
        }
        Err(e) => Err(storage(e)),
    }
}

/// Upserts a customer's references. A reference is upserted for the customer that holds
/// it, never moved to another: the conflict updates nothing when the holder differs, and
/// that is reported as taken (by its index in the request).
fn upsert_references<'a>(
    conn: &Connection,
    store_id: i64,
    customer_id: i64,
    references: impl Iterator<Item = (&'a str, &'a str, Option<String>)>,
    at: &str,
) -> Result<(), CreateError> {
    let mut held = Vec::new();
    for (i, (source, external_id, metadata)) in references.enumerate() {
        let written = conn
            .execute(
                "INSERT INTO external_references (store_id, customer_id, source, external_id, metadata, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (store_id, source, external_id)
                 DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
                 WHERE external_references.customer_id = excluded.customer_id",
                params![store_id, customer_id, source, external_id, metadata, at],
            )
            .map_err(storage)?;
        if written == 0 {
            held.push(reference_taken(i));
        }
    }
    if held.is_empty() {
        Ok(())
    } else {
        Err(CreateError::Rejected(held))
    }
}

fn taken(field: &'static str) -> Violation {
    Violation::new(Path::root().key("customer").key(field), Code::Taken, Params::new())
}

fn reference_taken(index: usize) -> Violation {
    Violation::new(
        Path::root().key("customer").key("external_references").index(index).key("external_id"),
        Code::Taken,
        Params::new(),
    )
}

/// Email uniqueness is case-insensitive, the whole address (local parts are case-sensitive
/// by RFC, but no real provider treats them so and customers retype them freely).
fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// The store's card a request names, with its welcome stamps; a card of another store, or
/// none, is a violation on `card_id`.
fn requested_card(conn: &Connection, store_id: i64, request: &StoreRequest) -> Result<Option<Card>, CreateError> {
    let Some(card_id) = request.card_id else { return Ok(None) };
    let card_id = i64::try_from(card_id).unwrap_or(-1);
    let initial: Option<i64> = conn
        .query_row(
            "SELECT initial_stamps FROM cards WHERE id = ?1 AND store_id = ?2",
            params![card_id, store_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(storage)?;
    match initial {
        Some(initial_stamps) => Ok(Some(Card { id: card_id, initial_stamps })),
        None => {
            let params = Params::from_iter([("reason".to_owned(), json!("unknown_card"))]);
            Err(CreateError::Rejected(vec![Violation::new(Path::root().key("card_id"), Code::InvalidValue, params)]))
        }
    }
}

/// A card of the store.
struct Card {
    id: i64,
    initial_stamps: i64,
}

fn storage(e: rusqlite::Error) -> CreateError {
    CreateError::Storage(e.to_string())
}

/// The customers of the store that already hold the request's email or phone, with the
/// channel and recipient each one matched on.
fn holders(conn: &Connection, store_id: i64, request: &StoreRequest) -> rusqlite::Result<Vec<(i64, Channel)>> {
    let c = &request.customer;
    let mut found = Vec::new();
    if let Some(email) = &c.email {
        let id: Option<i64> = conn
            .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND email_key = ?2")?
            .query_row(params![store_id, email_key(email)], |r| r.get(0))
            .optional()?;
        found.extend(id.map(|id| (id, Channel::Email(email.clone()))));
    }
    if let Some(phone) = &c.phone {
        let id: Option<i64> = conn
            .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND phone = ?2")?
            .query_row(params![store_id, phone], |r| r.get(0))
            .optional()?;
        found.extend(id.map(|id| (id, Channel::Sms(phone.clone()))));
    }
    Ok(found)
}

/// Where a card link goes.
#[derive(Clone, Debug)]
enum Channel {
    Email(String),
    Sms(String),
}

impl Channel {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Channel::Email(to) => ("email", to),
            Channel::Sms(to) => ("sms", to),
        }
    }
}

/// Indexes (in the request) of the external references a customer of the store holds
/// already (a create's customer holds none yet).
fn references_held(conn: &Connection, store_id: i64, request: &StoreRequest) -> rusqlite::Result<Vec<usize>> {
    let mut held = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id FROM external_references WHERE store_id = ?1 AND source = ?2 AND external_id = ?3",
    )?;
    for (i, reference) in request.customer.external_references.iter().flatten().enumerate() {
        let holder: Option<i64> =
            stmt.query_row(params![store_id, reference.source, reference.external_id], |r| r.get(0)).optional()?;
        if holder.is_some() {
            held.push(i);
        }
    }
    Ok(held)
}

/// Queues the links of `customer_card_ids` on each channel, except to a recipient this store
/// sent links to within `window`: a flood of sign-ups naming one address sends it one
/// message (with every card's link).
fn queue_card_links(
    conn: &Connection,
    store_id: i64,
    customer_card_ids: &[i64],
    channels: &[Channel],
    window: std::time::Duration,
    at: &str,
) -> rusqlite::Result<()> {
    let since = jiff::SignedDuration::try_from(window)
        .ok()
        .and_then(|w| jiff::Timestamp::now().checked_sub(w).ok())
        .map_or_else(String::new, |t| format!("{t:.3}"));
    for channel in channels {
        let (channel, recipient) = channel.parts();
        let recent: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE recipient = ?1 AND created_at > ?2 AND channel = ?3 AND store_id = ?4)",
            )?
            .query_row(params![recipient, since, channel, store_id], |r| r.get(0))?;
        if recent {
            continue;
        }
        for customer_card_id in customer_card_ids {
            conn.execute(
                "INSERT INTO outbox (customer_card_id, store_id, channel, recipient, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![customer_card_id, store_id, channel, recipient, at],
            )?;
        }
    }
    Ok(())
}

/// The request's email and phone as card-link channels.
fn channels_of(request: &StoreRequest) -> Vec<Channel> {
    let c = &request.customer;
    c.email.iter().map(|e| Channel::Email(e.clone())).chain(c.phone.iter().map(|p| Channel::Sms(p.clone()))).collect()
}

/// Writes a new customer (checks done) with its references, card and card links; returns its id.
fn insert_rows(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    card: Option<Card>,
    card_link_window: std::time::Duration,
) -> Result<i64, CreateError> {
    let c = &request.customer;
    let at = now();
    let metadata = c.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string());
    let inserted = conn.execute(
        "INSERT INTO customers (store_id, first_name, last_name, email, email_key, phone, birthday, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![store_id, c.first_name, c.last_name, c.email, c.email.as_deref().map(email_key), c.phone, c.birthday, metadata, at],
    );
    unique_contacts(inserted)?;
    let customer_id = conn.last_insert_rowid();

    let references = c.external_references.iter().flatten().map(|r| {
        (r.source.as_str(), r.external_id.as_str(), r.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string()))
    });
    upsert_references(conn, store_id, customer_id, references, &at)?;

    if let Some(card) = card {
        let uuid = uuid::Uuid::new_v4().to_string();
        conn.execute(
            "INSERT INTO customer_cards (uuid, customer_id, card_id, status, stamps_count, created_at)
             VALUES (?1, ?2, ?3, 'active', ?4, ?5)",
            params![uuid, customer_id, card.id, card.initial_stamps, at],
        )
        .map_err(storage)?;
        let customer_card_id = conn.last_insert_rowid();
        if request.send_card_links == Some(true) {
            queue_card_links(conn, store_id, &[customer_card_id], &channels_of(request), card_link_window, &at)
                .map_err(storage)?;
        }
    }
    super::search::refresh(conn, customer_id, super::search::Indexed::New).map_err(storage)?;
    Ok(customer_id)
}

/// The store API's create: every taken field, reference and an unknown card reported at once.
fn insert_customer(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    public_url: &str,
    card_link_window: std::time::Duration,
) -> Result<Value, CreateError> {
    // Checked first so that every field is reported at once; the unique indexes below
    // remain the guarantee.
    let mut rejected: Vec<Violation> = holders(conn, store_id, request)
        .map_err(storage)?
        .into_iter()
        .map(|(_, channel)| taken(if matches!(channel, Channel::Email(_)) { "email" } else { "phone" }))
        .collect();
    rejected.extend(references_held(conn, store_id, request).map_err(storage)?.into_iter().map(reference_taken));
    let card = match requested_card(conn, store_id, request) {
        Ok(card) => card,
        Err(CreateError::Rejected(violations)) => {
            rejected.extend(violations);
            None
        }
        Err(e) => return Err(e),
    };
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }
    let customer_id = insert_rows(conn, store_id, request, card, card_link_window)?;
    match load_customer(conn, store_id, customer_id, public_url) {
        Ok(Some(customer)) => Ok(customer),
        Ok(None) => Err(CreateError::Storage("the new customer vanished".into())),
        Err(e) => Err(storage(e)),
    }
}

/// The public sign-up. A new email and phone make a customer; one a customer holds queues
/// that customer's card links to it again (when asked for) and changes nothing else. The
/// caller answers both alike, so the route reveals no membership; and both count the
/// sign-up on the store, so that both end in a commit that writes (and waits for its
/// fsync): a commit that writes nothing skips the fsync and returns sooner, which would tell.
pub(super) fn join_customer(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    card_link_window: std::time::Duration,
) -> Result<(), CreateError> {
    let card = requested_card(conn, store_id, request)?;
    conn.execute("UPDATE stores SET signups = signups + 1 WHERE id = ?1", [store_id]).map_err(storage)?;
    let holders = holders(conn, store_id, request).map_err(storage)?;
    if holders.is_empty() {
        return insert_rows(conn, store_id, request, card, card_link_window).map(|_| ());
    }
    if request.send_card_links != Some(true) {
        return Ok(());
    }
    let at = now();
    for (customer_id, channel) in holders {
        let cards: Vec<i64> = conn
            .prepare_cached("SELECT id FROM customer_cards WHERE customer_id = ?1 ORDER BY id")
            .and_then(|mut stmt| stmt.query_map([customer_id], |r| r.get(0))?.collect())
            .map_err(storage)?;
        queue_card_links(conn, store_id, &cards, std::slice::from_ref(&channel), card_link_window, &at)
            .map_err(storage)?;
    }
    Ok(())
}

/// The store API's create under an optional idempotency key: the first answer to the key
/// again, 422 for the key with another body, else a new customer and the key remembered.
pub(super) fn create_with_key(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    key: Option<&IdempotencyKey>,
    public_url: &str,
    card_link_window: std::time::Duration,
) -> Result<Value, CreateError> {
    if let Some(key) = key {
        match idempotency::replay(conn, store_id, Api::Store, &key.key, &key.body_hash).map_err(storage)? {
            Some(Replay::Same(response)) => {
                return serde_json::from_str(&response).map_err(|e| CreateError::Storage(format!("stored answer: {e}")))
            }
            Some(Replay::OtherBody) => return Err(CreateError::KeyReused),
            None => {}
        }
    }
    let customer = insert_customer(conn, store_id, request, public_url, card_link_window)?;
    if let Some(key) = key {
        idempotency::remember(conn, store_id, Api::Store, &key.key, &key.body_hash, &customer.to_string(), &now())
            .map_err(storage)?;
    }
    Ok(customer)
}

fn parse_json_column(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

pub(super) fn load_customer(
    conn: &Connection,
    store_id: i64,
    id: i64,
    public_url: &str,
) -> rusqlite::Result<Option<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, store_id, first_name, last_name, email, phone, birthday, metadata, created_at, updated_at
         FROM customers WHERE id = ?1 AND store_id = ?2",
    )?;
    let customer = stmt
        .query_row(params![id, store_id], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "account_id": r.get::<_, i64>(1)?,
                "first_name": r.get::<_, Option<String>>(2)?,
                "last_name": r.get::<_, Option<String>>(3)?,
                "email": r.get::<_, Option<String>>(4)?,
                "phone": r.get::<_, Option<String>>(5)?,
                "birthday": r.get::<_, Option<String>>(6)?,
                "metadata": match parse_json_column(r.get(7)?) { Value::Null => Value::Object(Map::new()), m => m },
                "external_references": [],
                "customer_cards": [],
                "created_at": r.get::<_, String>(8)?,
                "updated_at": r.get::<_, String>(9)?,
            }))
        })
        .optional()?;
    let Some(mut customer) = customer else { return Ok(None) };

    let mut stmt = conn.prepare_cached(
        "SELECT source, external_id, metadata FROM external_references WHERE customer_id = ?1 ORDER BY id",
    )?;
    let references = stmt
        .query_map([id], |r| {
            Ok(json!({
                "source": r.get::<_, String>(0)?,
                "external_id": r.get::<_, String>(1)?,
                "metadata": match parse_json_column(r.get(2)?) { Value::Null => Value::Object(Map::new()), m => m },
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    customer["external_references"] = Value::Array(references);

    let mut stmt = conn.prepare_cached(
        "SELECT cc.id, cc.uuid, cc.card_id, c.name, cc.status, cc.stamps_count, c.stamps_required, cc.created_at
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.customer_id = ?1 ORDER BY cc.id",
    )?;
    let cards = stmt
        .query_map([id], |r| {
            let uuid: String = r.get(1)?;
            let stamps: i64 = r.get(5)?;
            let required: i64 = r.get(6)?;
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "uuid": uuid,
                "card_id": r.get::<_, i64>(2)?,
                "card_name": r.get::<_, String>(3)?,
                "status": r.get::<_, String>(4)?,
                "stamps_count": stamps,
                "stamps_remaining": (required - stamps).max(0),
                "apple_wallet_url": format!("{public_url}/passes/{uuid}/apple"),
                "google_wallet_url": format!("{public_url}/passes/{uuid}/google"),
                "created_at": r.get::<_, String>(7)?,
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    customer["customer_cards"] = Value::Array(cards);
    Ok(Some(customer))
}

/// The store API's `PATCH`: the patch is judged against the customer as stored, inside the
/// write (so two patches can't each remove one of the two contacts), then written with the
/// same uniqueness guarantees as a create. `None` when the store has no such customer.
pub(super) fn update_customer(
    conn: &Connection,
    store_id: i64,
    id: i64,
    patch: &Value,
    options: &crate::Options,
    public_url: &str,
) -> Result<Option<Value>, CreateError> {
    let Some(current) = load_customer(conn, store_id, id, public_url).map_err(storage)? else { return Ok(None) };
    let report = crate::validate_store_update(patch, Some(&current), options);
    if !report.valid {
        return Err(CreateError::Rejected(report.errors));
    }
    let changes = report.value["customer"].as_object().cloned().unwrap_or_default();
    let field = |name: &str| -> Option<String> {
        match changes.get(name) {
            Some(value) => value.as_str().map(str::to_owned),
            None => current[name].as_str().map(str::to_owned),
        }
    };
    let (email, phone) = (field("email"), field("phone"));

    // Every taken field at once; the unique indexes remain the guarantee.
    let mut rejected = Vec::new();
    let held_by_other = |sql: &str, value: &str| -> rusqlite::Result<bool> {
        conn.prepare_cached(sql)?.query_row(params![store_id, value, id], |r| r.get(0))
    };
    if let Some(email) = email.as_deref().filter(|_| changes.contains_key("email")) {
        let sql = "SELECT EXISTS (SELECT 1 FROM customers WHERE store_id = ?1 AND email_key = ?2 AND id <> ?3)";
        if held_by_other(sql, &email_key(email)).map_err(storage)? {
            rejected.push(taken("email"));
        }
    }
    if let Some(phone) = phone.as_deref().filter(|_| changes.contains_key("phone")) {
        let sql = "SELECT EXISTS (SELECT 1 FROM customers WHERE store_id = ?1 AND phone = ?2 AND id <> ?3)";
        if held_by_other(sql, phone).map_err(storage)? {
            rejected.push(taken("phone"));
        }
    }
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }

    let mut metadata = current["metadata"].as_object().cloned().unwrap_or_default();
    for (key, value) in changes.get("metadata").and_then(Value::as_object).into_iter().flatten() {
        match value {
            Value::Null => metadata.remove(key),
            other => metadata.insert(key.clone(), other.clone()),
        };
    }
    let at = now();
    let updated = conn.execute(
        "UPDATE customers SET first_name = ?3, last_name = ?4, email = ?5, email_key = ?6, phone = ?7, birthday = ?8,
         metadata = ?9, updated_at = ?10 WHERE id = ?1 AND store_id = ?2",
        params![
            id,
            store_id,
            field("first_name"),
            field("last_name"),
            email,
            email.as_deref().map(email_key),
            phone,
            field("birthday"),
            Value::Object(metadata).to_string(),
            at
        ],
    );
    unique_contacts(updated)?;
    let references = changes.get("external_references").and_then(Value::as_array).into_iter().flatten().map(|r| {
        let text = |key: &str| r.get(key).and_then(Value::as_str).unwrap_or_default();
        (text("source"), text("external_id"), r.get("metadata").filter(|m| m.is_object()).map(Value::to_string))
    });
    upsert_references(conn, store_id, id, references, &at)?;
    super::search::refresh(conn, id, super::search::Indexed::Changed).map_err(storage)?;
    load_customer(conn, store_id, id, public_url).map_err(storage)
}

/// A customer card as its page shows it.
pub(super) fn load_pass(conn: &Connection, uuid: &str) -> rusqlite::Result<Option<Value>> {
    conn.prepare_cached(
        "SELECT c.name, s.name, cu.first_name, cc.stamps_count, c.stamps_required
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id JOIN customers cu ON cu.id = cc.customer_id
         JOIN stores s ON s.id = c.store_id WHERE cc.uuid = ?1",
    )?
    .query_row([uuid], |r| {
        Ok(json!({
            "card_name": r.get::<_, String>(0)?,
            "store_name": r.get::<_, String>(1)?,
            "first_name": r.get::<_, Option<String>>(2)?,
            "stamps_count": r.get::<_, i64>(3)?,
            "stamps_required": r.get::<_, i64>(4)?,
        }))
    })
    .optional()
}
