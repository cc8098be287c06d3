//! The store API's writes and reads: a customer with its references, card and card links,
//! the public sign-up, idempotency keys, and the customer object.

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde_json::Value;

use super::idempotency::{self, Api};
use super::now;
use crate::model::StoreRequest;
use crate::server::records::{
    channels_of, email_key, pass_json, reference_json, reference_taken, references_of, references_of_patch, since,
    taken, unknown_card, CardRow, Channel, CustomerRow, PatchedCustomer,
};
use crate::server::store::{CreateError, IdempotencyKey};
use crate::Violation;

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
fn upsert_references(
    conn: &Connection,
    store_id: i64,
    customer_id: i64,
    references: &[(String, String, Option<String>)],
    at: &str,
) -> Result<(), CreateError> {
    let mut held = Vec::new();
    for (i, (source, external_id, metadata)) in references.iter().enumerate() {
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
        None => Err(CreateError::Rejected(vec![unknown_card()])),
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
    let since = since(window);
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

    upsert_references(conn, store_id, customer_id, &references_of(request), &at)?;

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
        .map(|(_, channel)| taken(channel.field()))
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
        if let Some(replay) =
            idempotency::replay(conn, store_id, Api::Store, &key.key, &key.body_hash).map_err(storage)?
        {
            return replay.store();
        }
    }
    let customer = insert_customer(conn, store_id, request, public_url, card_link_window)?;
    if let Some(key) = key {
        idempotency::remember(conn, store_id, Api::Store, &key.key, &key.body_hash, &customer.to_string(), &now())
            .map_err(storage)?;
    }
    Ok(customer)
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
    let row = stmt
        .query_row(params![id, store_id], |r| {
            Ok(CustomerRow {
                id: r.get(0)?,
                store_id: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                email: r.get(4)?,
                phone: r.get(5)?,
                birthday: r.get(6)?,
                metadata: r.get(7)?,
                created_at: r.get(8)?,
                updated_at: r.get(9)?,
            })
        })
        .optional()?;
    let Some(row) = row else { return Ok(None) };

    let mut stmt = conn.prepare_cached(
        "SELECT source, external_id, metadata FROM external_references WHERE customer_id = ?1 ORDER BY id",
    )?;
    let references = stmt
        .query_map([id], |r| Ok(reference_json(r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut stmt = conn.prepare_cached(
        "SELECT cc.id, cc.uuid, cc.card_id, c.name, cc.status, cc.stamps_count, c.stamps_required, cc.created_at
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.customer_id = ?1 ORDER BY cc.id",
    )?;
    let cards = stmt
        .query_map([id], |r| {
            let card = CardRow {
                id: r.get(0)?,
                uuid: r.get(1)?,
                card_id: r.get(2)?,
                card_name: r.get(3)?,
                status: r.get(4)?,
                stamps_count: r.get(5)?,
                stamps_required: r.get(6)?,
                created_at: r.get(7)?,
            };
            Ok(card.into_json(public_url))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(row.into_json(references, cards)))
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
    let patched = PatchedCustomer::new(&current, &report.value);

    // Every taken field at once; the unique indexes remain the guarantee.
    let mut rejected = Vec::new();
    let held_by_other = |sql: &str, value: &str| -> rusqlite::Result<bool> {
        conn.prepare_cached(sql)?.query_row(params![store_id, value, id], |r| r.get(0))
    };
    if let Some(email) = patched.new_email() {
        let sql = "SELECT EXISTS (SELECT 1 FROM customers WHERE store_id = ?1 AND email_key = ?2 AND id <> ?3)";
        if held_by_other(sql, &email_key(email)).map_err(storage)? {
            rejected.push(taken("email"));
        }
    }
    if let Some(phone) = patched.new_phone() {
        let sql = "SELECT EXISTS (SELECT 1 FROM customers WHERE store_id = ?1 AND phone = ?2 AND id <> ?3)";
        if held_by_other(sql, phone).map_err(storage)? {
            rejected.push(taken("phone"));
        }
    }
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }

    let at = now();
    let p = &patched;
    let updated = conn.execute(
        "UPDATE customers SET first_name = ?3, last_name = ?4, email = ?5, email_key = ?6, phone = ?7, birthday = ?8,
         metadata = ?9, updated_at = ?10 WHERE id = ?1 AND store_id = ?2",
        params![
            id,
            store_id,
            p.first_name,
            p.last_name,
            p.email,
            p.email.as_deref().map(email_key),
            p.phone,
            p.birthday,
            p.metadata,
            at
        ],
    );
    unique_contacts(updated)?;
    upsert_references(conn, store_id, id, &references_of_patch(&p.changes), &at)?;
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
    .query_row([uuid], |r| Ok(pass_json(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    .optional()
}
