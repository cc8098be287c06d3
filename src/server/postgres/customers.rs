//! The store API's customers on PostgreSQL: the create with its references, card, card
//! links and idempotency key, the public sign-up, the update, the customer object, the
//! list and its search, and a card's page.

use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tokio_postgres::error::SqlState;

use super::{all, create_err, one, run, unique_violation};
use crate::model::StoreRequest;
use crate::server::records::{
    channels_of, customer_page, email_key, now, pass_json, reference_json, reference_taken, references_of,
    references_of_patch, since, taken, unknown_card, Api, CardRow, Channel, CustomerRow, PatchedCustomer, Replay,
};
use crate::server::store::{CreateError, CustomerQuery, IdempotencyKey, Lookup};
use crate::Violation;

type Result<T> = std::result::Result<T, CreateError>;
type DbResult<T> = std::result::Result<T, tokio_postgres::Error>;

/// Claims an idempotency key for this transaction, or says how it was used. The row is
/// written first with an empty answer: a concurrent request with the key (on any node)
/// waits on it until this transaction ends, then sees the answer (or, after a rollback,
/// claims the key itself).
pub(super) async fn claim_key(
    tx: &Transaction<'_>,
    store_id: i64,
    api: Api,
    key: &str,
    body_hash: &[u8; 32],
) -> DbResult<Option<Replay>> {
    let api = api.as_str();
    let claimed = run(
        tx,
        "INSERT INTO idempotency_keys (store_id, api, key, request_hash, response, created_at)
         VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT DO NOTHING",
        &[&store_id, &api, &key, &&body_hash[..], &now()],
    )
    .await?;
    if claimed == 1 {
        return Ok(None);
    }
    let row = one(
        tx,
        "SELECT request_hash, response FROM idempotency_keys WHERE store_id = $1 AND api = $2 AND key = $3",
        &[&store_id, &api, &key],
    )
    .await?;
    Ok(row.map(|r| Replay::of(r.get(0), body_hash, r.get(1))))
}

/// Stores the answer to a key this transaction claimed.
pub(super) async fn remember(tx: &Transaction<'_>, store_id: i64, api: Api, key: &str, response: &str) -> DbResult<()> {
    let api = api.as_str();
    run(
        tx,
        "UPDATE idempotency_keys SET response = $4 WHERE store_id = $1 AND api = $2 AND key = $3",
        &[&store_id, &api, &key, &response],
    )
    .await
    .map(drop)
}

/// The store API's create under an optional idempotency key.
pub(super) async fn create_with_key(
    tx: &Transaction<'_>,
    store_id: i64,
    request: &StoreRequest,
    key: Option<&IdempotencyKey>,
    public_url: &str,
    window: std::time::Duration,
) -> Result<Value> {
    if let Some(key) = key {
        if let Some(replay) = claim_key(tx, store_id, Api::Store, &key.key, &key.body_hash).await.map_err(create_err)? {
            return replay.store();
        }
    }
    let customer = insert_customer(tx, store_id, request, public_url, window).await?;
    if let Some(key) = key {
        remember(tx, store_id, Api::Store, &key.key, &customer.to_string()).await.map_err(create_err)?;
    }
    Ok(customer)
}

/// What a create or sign-up checks before it writes, read in one round trip: the
/// customers of the store holding the request's email and phone (with the channel each
/// matched), and whether the card the request names is another store's (or none).
struct Prechecks {
    holders: Vec<(i64, Channel)>,
    unknown_card: Option<Violation>,
}

async fn prechecks(tx: &Transaction<'_>, store_id: i64, request: &StoreRequest) -> DbResult<Prechecks> {
    let c = &request.customer;
    let card_id = request.card_id.map(|id| i64::try_from(id).unwrap_or(-1));
    let row = one(
        tx,
        "SELECT e.id, p.id, c.id FROM (SELECT 1) AS one
         LEFT JOIN customers e ON e.store_id = $1 AND e.email_key = $2
         LEFT JOIN customers p ON p.store_id = $1 AND p.phone = $3
         LEFT JOIN cards c ON c.id = $4 AND c.store_id = $1",
        &[&store_id, &c.email.as_deref().map(email_key), &c.phone, &card_id],
    )
    .await?;
    let Some(row) = row else { return Ok(Prechecks { holders: Vec::new(), unknown_card: None }) };
    let mut holders = Vec::new();
    for (column, channel) in
        channels_of(request).into_iter().map(|ch| (if matches!(ch, Channel::Email(_)) { 0 } else { 1 }, ch))
    {
        if let Some(id) = row.get::<_, Option<i64>>(column) {
            holders.push((id, channel));
        }
    }
    let unknown_card = (card_id.is_some() && row.get::<_, Option<i64>>(2).is_none()).then(unknown_card);
    Ok(Prechecks { holders, unknown_card })
}

/// A statement that wrote a customers row, or the email or phone index found taken.
fn unique_contacts(written: DbResult<u64>) -> Result<()> {
    match written {
        Ok(_) => Ok(()),
        Err(e) => match unique_violation(&e) {
            Some("customers_phone") => Err(CreateError::Rejected(vec![taken("phone")])),
            Some("customers_email") => Err(CreateError::Rejected(vec![taken("email")])),
            _ => Err(create_err(e)),
        },
    }
}

/// Upserts a customer's references; one another customer holds is reported taken.
async fn upsert_references(
    tx: &Transaction<'_>,
    store_id: i64,
    customer_id: i64,
    references: &[(String, String, Option<String>)],
    at: &str,
) -> Result<()> {
    let mut held = Vec::new();
    for (i, (source, external_id, metadata)) in references.iter().enumerate() {
        let written = run(
            tx,
            "INSERT INTO external_references (store_id, customer_id, source, external_id, metadata, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT ON CONSTRAINT external_references_reference
             DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
             WHERE external_references.customer_id = excluded.customer_id",
            &[&store_id, &customer_id, source, external_id, metadata, &at],
        )
        .await
        .map_err(create_err)?;
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

/// Queues card links on each channel, except to a recipient the store sent links to
/// within `window`.
async fn queue_card_links(
    tx: &Transaction<'_>,
    store_id: i64,
    customer_card_ids: &[i64],
    channels: &[Channel],
    window: std::time::Duration,
    at: &str,
) -> DbResult<()> {
    let since = since(window);
    for channel in channels {
        let (channel, recipient) = channel.parts();
        // One statement: the links, unless the recipient had some within the window.
        run(
            tx,
            "INSERT INTO outbox (customer_card_id, store_id, channel, recipient, created_at)
             SELECT id, $2, $3, $4, $5 FROM unnest($1::bigint[]) AS id
             WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE recipient = $4 AND created_at > $6 AND channel = $3 AND store_id = $2)
             ORDER BY id",
            &[&customer_card_ids, &store_id, &channel, &recipient, &at, &since],
        )
        .await?;
    }
    Ok(())
}

/// Recomputes a customer's searchable words (names, email, phone digits, external ids).
async fn refresh_search(tx: &Transaction<'_>, customer_id: i64) -> DbResult<()> {
    run(
        tx,
        "UPDATE customers SET search_terms = concat_ws(' ', first_name, last_name, email, replace(phone, '+', ''),
             (SELECT string_agg(external_id, ' ' ORDER BY id) FROM external_references WHERE customer_id = $1))
         WHERE id = $1",
        &[&customer_id],
    )
    .await
    .map(drop)
}

/// A new customer's searchable words, as `refresh_search` computes them from its rows.
fn search_terms(request: &StoreRequest) -> String {
    let c = &request.customer;
    let phone = c.phone.as_ref().map(|p| p.replace('+', ""));
    let references = c.external_references.iter().flatten().map(|r| r.external_id.as_str());
    [c.first_name.as_deref(), c.last_name.as_deref(), c.email.as_deref(), phone.as_deref()]
        .into_iter()
        .flatten()
        .chain(references)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Inserts the customer and its card (when the request names one) in one statement, and
/// returns their rows as the customer object shows them. A card of another store (or none)
/// leaves `card_id` NULL, which its NOT NULL refuses: the statement fails and writes nothing.
async fn insert_with_card<C: GenericClient>(
    c: &C,
    store_id: i64,
    request: &StoreRequest,
) -> DbResult<(CustomerRow, Option<CardRow>)> {
    let customer = &request.customer;
    let at = now();
    let metadata = customer.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string());
    let card_id = request.card_id.map(|id| i64::try_from(id).unwrap_or(-1));
    let uuid = card_id.map(|_| uuid::Uuid::new_v4().to_string());
    let statement = c
        .prepare_cached(
            "WITH customer AS (
                 INSERT INTO customers (store_id, first_name, last_name, email, email_key, phone, birthday, metadata,
                     created_at, updated_at, search_terms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id
             ), card AS (
                 INSERT INTO customer_cards (uuid, customer_id, card_id, status, stamps_count, created_at)
                 SELECT $11, customer.id, (SELECT id FROM cards WHERE id = $12 AND store_id = $1), 'active',
                     coalesce((SELECT initial_stamps FROM cards WHERE id = $12 AND store_id = $1), 0), $9
                 FROM customer WHERE $12::bigint IS NOT NULL
                 RETURNING id, card_id, stamps_count
             )
             SELECT customer.id, card.id, card.stamps_count, k.name, k.stamps_required
             FROM customer LEFT JOIN card ON true LEFT JOIN cards k ON k.id = card.card_id",
        )
        .await?;
    let row = c
        .query_one(
            &statement,
            &[
                &store_id,
                &customer.first_name,
                &customer.last_name,
                &customer.email,
                &customer.email.as_deref().map(email_key),
                &customer.phone,
                &customer.birthday,
                &metadata,
                &at,
                &search_terms(request),
                &uuid,
                &card_id,
            ],
        )
        .await?;
    let card = match (card_id, uuid, row.get::<_, Option<i64>>(1)) {
        (Some(card_id), Some(uuid), Some(id)) => Some(CardRow {
            id,
            uuid,
            card_id,
            card_name: row.get(3),
            status: "active".into(),
            stamps_count: row.get(2),
            stamps_required: row.get(4),
            created_at: at.clone(),
        }),
        _ => None,
    };
    let customer = CustomerRow {
        id: row.get(0),
        store_id,
        first_name: customer.first_name.clone(),
        last_name: customer.last_name.clone(),
        email: customer.email.clone(),
        phone: customer.phone.clone(),
        birthday: customer.birthday.clone(),
        metadata,
        created_at: at.clone(),
        updated_at: at,
    };
    Ok((customer, card))
}

/// Writes a new customer (checks done) with its references, card and card links, and
/// returns the store API's customer object, built from what was written rather than read
/// back (each statement saved is a round trip of every create).
async fn insert_rows(
    tx: &Transaction<'_>,
    store_id: i64,
    request: &StoreRequest,
    window: std::time::Duration,
    public_url: &str,
) -> Result<Value> {
    let (customer, card) = match insert_with_card(tx, store_id, request).await {
        Ok(rows) => rows,
        Err(e) => return unique_contacts(Err(e)).map(|()| Value::Null),
    };
    let references = references_of(request);
    upsert_references(tx, store_id, customer.id, &references, &customer.created_at).await?;
    if let (Some(card), Some(true)) = (&card, request.send_card_links) {
        queue_card_links(tx, store_id, &[card.id], &channels_of(request), window, &customer.created_at)
            .await
            .map_err(create_err)?;
    }
    let references =
        references.into_iter().map(|(source, id, metadata)| reference_json(source, id, metadata)).collect();
    Ok(customer.into_json(references, card.into_iter().map(|card| card.into_json(public_url)).collect()))
}

/// The common create (no idempotency key, no external reference, no card links) as one
/// statement, committed on its own: one round trip instead of a transaction's four. `None`
/// when it did not apply or wrote nothing (a taken email or phone, an unknown card: the
/// statement failed as a whole), for the transaction's path to answer with every reason.
pub(super) async fn create_at_once(
    client: &deadpool_postgres::Object,
    store_id: i64,
    request: &StoreRequest,
    public_url: &str,
) -> std::result::Result<Option<Value>, CreateError> {
    let c = &request.customer;
    if c.external_references.as_ref().is_some_and(|r| !r.is_empty()) || request.send_card_links == Some(true) {
        return Ok(None);
    }
    match insert_with_card(client, store_id, request).await {
        Ok((customer, card)) => {
            Ok(Some(customer.into_json(Vec::new(), card.into_iter().map(|card| card.into_json(public_url)).collect())))
        }
        Err(e)
            if e.as_db_error()
                .is_some_and(|d| [SqlState::UNIQUE_VIOLATION, SqlState::NOT_NULL_VIOLATION].contains(d.code())) =>
        {
            Ok(None)
        }
        Err(e) => Err(create_err(e)),
    }
}

/// The store API's create: every taken field, reference and an unknown card at once; the
/// unique indexes remain the guarantee (a create racing this one on another node).
async fn insert_customer(
    tx: &Transaction<'_>,
    store_id: i64,
    request: &StoreRequest,
    public_url: &str,
    window: std::time::Duration,
) -> Result<Value> {
    let checked = prechecks(tx, store_id, request).await.map_err(create_err)?;
    let mut rejected: Vec<Violation> = checked.holders.iter().map(|(_, channel)| taken(channel.field())).collect();
    for (i, reference) in request.customer.external_references.iter().flatten().enumerate() {
        let held = one(
            tx,
            "SELECT 1 FROM external_references WHERE store_id = $1 AND source = $2 AND external_id = $3",
            &[&store_id, &reference.source, &reference.external_id],
        )
        .await
        .map_err(create_err)?;
        if held.is_some() {
            rejected.push(reference_taken(i));
        }
    }
    rejected.extend(checked.unknown_card);
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }
    insert_rows(tx, store_id, request, window, public_url).await
}

/// The public sign-up (see the SQLite backend's `join_customer`): counting it on the store
/// row also orders the sign-ups of one store across nodes.
pub(super) async fn join(
    tx: &Transaction<'_>,
    store_id: i64,
    request: &StoreRequest,
    window: std::time::Duration,
) -> Result<()> {
    run(tx, "UPDATE stores SET signups = signups + 1 WHERE id = $1", &[&store_id]).await.map_err(create_err)?;
    let Prechecks { holders, unknown_card } = prechecks(tx, store_id, request).await.map_err(create_err)?;
    if let Some(violation) = unknown_card {
        return Err(CreateError::Rejected(vec![violation]));
    }
    if holders.is_empty() {
        return insert_rows(tx, store_id, request, window, "").await.map(drop);
    }
    if request.send_card_links != Some(true) {
        return Ok(());
    }
    let at = now();
    for (customer_id, channel) in holders {
        let cards: Vec<i64> =
            all(tx, "SELECT id FROM customer_cards WHERE customer_id = $1 ORDER BY id", &[&customer_id])
                .await
                .map_err(create_err)?
                .iter()
                .map(|r| r.get(0))
                .collect();
        queue_card_links(tx, store_id, &cards, std::slice::from_ref(&channel), window, &at)
            .await
            .map_err(create_err)?;
    }
    Ok(())
}

/// The store API's `PATCH`, judged against the customer as stored, which it locks.
pub(super) async fn update(
    tx: &Transaction<'_>,
    store_id: i64,
    id: i64,
    patch: &Value,
    options: &crate::Options,
    public_url: &str,
) -> Result<Option<Value>> {
    let Some(current) = load(tx, store_id, id, public_url, true).await.map_err(create_err)? else { return Ok(None) };
    let report = crate::validate_store_update(patch, Some(&current), options);
    if !report.valid {
        return Err(CreateError::Rejected(report.errors));
    }
    let p = PatchedCustomer::new(&current, &report.value);
    let mut rejected = Vec::new();
    if let Some(email) = p.new_email() {
        let sql = "SELECT 1 FROM customers WHERE store_id = $1 AND email_key = $2 AND id <> $3";
        if one(tx, sql, &[&store_id, &email_key(email), &id]).await.map_err(create_err)?.is_some() {
            rejected.push(taken("email"));
        }
    }
    if let Some(phone) = p.new_phone() {
        let sql = "SELECT 1 FROM customers WHERE store_id = $1 AND phone = $2 AND id <> $3";
        if one(tx, sql, &[&store_id, &phone, &id]).await.map_err(create_err)?.is_some() {
            rejected.push(taken("phone"));
        }
    }
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }
    let at = now();
    let updated = run(
        tx,
        "UPDATE customers SET first_name = $3, last_name = $4, email = $5, email_key = $6, phone = $7, birthday = $8,
         metadata = $9, updated_at = $10 WHERE id = $1 AND store_id = $2",
        &[
            &id,
            &store_id,
            &p.first_name,
            &p.last_name,
            &p.email,
            &p.email.as_deref().map(email_key),
            &p.phone,
            &p.birthday,
            &p.metadata,
            &at,
        ],
    )
    .await;
    unique_contacts(updated)?;
    upsert_references(tx, store_id, id, &references_of_patch(&p.changes), &at).await?;
    refresh_search(tx, id).await.map_err(create_err)?;
    load(tx, store_id, id, public_url, false).await.map_err(create_err)
}

/// The store API's customer object; `lock` holds its row until the transaction ends.
pub(super) async fn load<C: GenericClient>(
    c: &C,
    store_id: i64,
    id: i64,
    public_url: &str,
    lock: bool,
) -> DbResult<Option<Value>> {
    const SELECT: &str = "SELECT id, store_id, first_name, last_name, email, phone, birthday, metadata, created_at,
         updated_at FROM customers WHERE id = $1 AND store_id = $2";
    let sql = if lock { std::borrow::Cow::Owned(format!("{SELECT} FOR UPDATE")) } else { SELECT.into() };
    let row = one(c, &sql, &[&id, &store_id]).await?;
    let Some(r) = row else { return Ok(None) };
    let row = CustomerRow {
        id: r.get(0),
        store_id: r.get(1),
        first_name: r.get(2),
        last_name: r.get(3),
        email: r.get(4),
        phone: r.get(5),
        birthday: r.get(6),
        metadata: r.get(7),
        created_at: r.get(8),
        updated_at: r.get(9),
    };
    let references = all(
        c,
        "SELECT source, external_id, metadata FROM external_references WHERE customer_id = $1 ORDER BY id",
        &[&id],
    )
    .await?
    .into_iter()
    .map(|r| reference_json(r.get(0), r.get(1), r.get(2)))
    .collect();
    let cards = all(
        c,
        "SELECT cc.id, cc.uuid, cc.card_id, c.name, cc.status, cc.stamps_count, c.stamps_required, cc.created_at
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.customer_id = $1 ORDER BY cc.id",
        &[&id],
    )
    .await?
    .into_iter()
    .map(|r| {
        let card = CardRow {
            id: r.get(0),
            uuid: r.get(1),
            card_id: r.get(2),
            card_name: r.get(3),
            status: r.get(4),
            stamps_count: r.get(5),
            stamps_required: r.get(6),
            created_at: r.get(7),
        };
        card.into_json(public_url)
    })
    .collect();
    Ok(Some(row.into_json(references, cards)))
}

/// `text` as a LIKE pattern that matches it literally.
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// One page of the store's customers. A search is a case-insensitive substring of the
/// customer's words, through their trigram index (SQLite's FTS5 trigram phrase).
pub(super) async fn list<C: GenericClient>(
    c: &C,
    store_id: i64,
    query: &CustomerQuery,
    public_url: &str,
) -> DbResult<Value> {
    let items = i64::from(query.items);
    let offset = (i64::from(query.page) - 1) * items;
    let count_of = |rows: Vec<tokio_postgres::Row>| rows.first().map_or(0, |r| r.get::<_, i64>(0));
    let ids_of = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<i64>>();
    let (count, ids) = match &query.lookup {
        Lookup::All => (
            count_of(all(c, "SELECT count(*) FROM customers WHERE store_id = $1", &[&store_id]).await?),
            ids_of(
                all(
                    c,
                    "SELECT id FROM customers WHERE store_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
                    &[&store_id, &items, &offset],
                )
                .await?,
            ),
        ),
        Lookup::Search(phrase) => {
            let pattern = format!("%{}%", like_literal(phrase));
            (
                count_of(
                    all(c, "SELECT count(*) FROM customers WHERE store_id = $1 AND search_terms ILIKE $2", &[&store_id, &pattern])
                        .await?,
                ),
                ids_of(
                    all(
                        c,
                        "SELECT id FROM customers WHERE store_id = $1 AND search_terms ILIKE $2 ORDER BY id LIMIT $3 OFFSET $4",
                        &[&store_id, &pattern, &items, &offset],
                    )
                    .await?,
                ),
            )
        }
        Lookup::CardCode(prefix) => {
            let pattern = format!("{}%", like_literal(prefix));
            let from = "FROM customer_cards cc JOIN customers c ON c.id = cc.customer_id WHERE cc.uuid LIKE $1 AND c.store_id = $2";
            (
                count_of(
                    all(c, &format!("SELECT count(DISTINCT cc.customer_id) {from}"), &[&pattern, &store_id]).await?,
                ),
                ids_of(
                    all(
                        c,
                        &format!("SELECT DISTINCT cc.customer_id {from} ORDER BY cc.customer_id LIMIT $3 OFFSET $4"),
                        &[&pattern, &store_id, &items, &offset],
                    )
                    .await?,
                ),
            )
        }
        Lookup::Reference { source, external_id } => {
            let row = one(
                c,
                "SELECT customer_id FROM external_references WHERE store_id = $1 AND source = $2 AND external_id = $3",
                &[&store_id, source, external_id],
            )
            .await?;
            let id: Option<i64> = row.map(|r| r.get(0));
            (i64::from(id.is_some()), id.into_iter().filter(|_| offset == 0).collect())
        }
    };
    let mut customers = Vec::with_capacity(ids.len());
    for id in ids {
        customers.extend(load(c, store_id, id, public_url, false).await?);
    }
    Ok(customer_page(customers, count, query.items, query.page))
}

/// A customer card as its page shows it.
pub(super) async fn load_pass<C: GenericClient>(c: &C, uuid: &str) -> DbResult<Option<Value>> {
    let row = one(
        c,
        "SELECT c.name, s.name, cu.first_name, cc.stamps_count, c.stamps_required
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id JOIN customers cu ON cu.id = cc.customer_id
         JOIN stores s ON s.id = c.store_id WHERE cc.uuid = $1",
        &[&uuid],
    )
    .await?;
    Ok(row.map(|r| pass_json(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
}
