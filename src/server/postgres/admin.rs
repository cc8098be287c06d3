//! Stores, tokens and cards (the admin commands, the token gate, the sign-up page) and the
//! card-link outbox as the delivery worker drains it.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::{all, one, run};
use crate::server::records::{hash_token, new_token, now, public_card_json, public_config_json, DeliveryRow};
use crate::server::sqlite::Demo;
use crate::server::store::{Attempt, Claimed, StoreInfo};

type Result<T> = std::result::Result<T, tokio_postgres::Error>;

/// The store whose token this is (looked up by hash, compared in constant time).
pub(super) async fn authenticate<C: GenericClient>(c: &C, token: &str) -> Result<Option<StoreInfo>> {
    let hash = hash_token(token);
    let found = one(c, "SELECT store_id, token_hash FROM api_tokens WHERE token_hash = $1", &[&&hash[..]]).await?;
    match found {
        Some(row) if bool::from(row.get::<_, &[u8]>(1).ct_eq(&hash[..])) => load_store(c, row.get(0)).await,
        _ => Ok(None),
    }
}

pub(super) async fn load_store<C: GenericClient>(c: &C, id: i64) -> Result<Option<StoreInfo>> {
    let row = one(c, "SELECT id, country, public_signup FROM stores WHERE id = $1", &[&id]).await?;
    Ok(row.map(|r| StoreInfo { id: r.get(0), country: r.get(1), public_signup: r.get(2) }))
}

/// Adds a store and a token for it, in one transaction; returns (store id, token).
pub async fn add_store(
    client: &mut deadpool_postgres::Object,
    name: &str,
    country: &str,
    public_signup: bool,
) -> std::result::Result<(i64, String), String> {
    let (token, hash) = new_token()?;
    let at = now();
    let fail = |e: tokio_postgres::Error| super::describe(&e);
    let tx = client.transaction().await.map_err(fail)?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO stores (name, country, public_signup, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&name, &country, &public_signup, &at],
        )
        .await
        .map_err(fail)?
        .get(0);
    tx.execute(
        "INSERT INTO api_tokens (store_id, token_hash, created_at) VALUES ($1, $2, $3)",
        &[&id, &&hash[..], &at],
    )
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok((id, token))
}

/// Adds a card to a store; returns its id.
pub async fn add_card(
    client: &deadpool_postgres::Object,
    store: i64,
    name: &str,
    required: u32,
    initial: u32,
) -> std::result::Result<i64, String> {
    let fail = |e: tokio_postgres::Error| super::describe(&e);
    if load_store(client, store).await.map_err(fail)?.is_none() {
        return Err(format!("no store with id {store}"));
    }
    if required == 0 {
        return Err("`--stamps-required` must be at least 1".into());
    }
    let row = client
        .query_one(
            "INSERT INTO cards (store_id, name, stamps_required, initial_stamps, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&store, &name, &i64::from(required), &i64::from(initial), &now()],
        )
        .await
        .map_err(fail)?;
    Ok(row.get(0))
}

/// Creates the demo store, card and token when the database has no store yet. Nodes
/// starting together on an empty database take turns (an advisory lock), so one seeds.
pub(super) async fn seed_demo(client: &mut deadpool_postgres::Object) -> std::result::Result<Option<Demo>, String> {
    const SEED_LOCK: i64 = 0x6376_7365_6564;
    let fail = |e: tokio_postgres::Error| super::describe(&e);
    client.execute("SELECT pg_advisory_lock($1)", &[&SEED_LOCK]).await.map_err(fail)?;
    let seeded = async {
        let stores: i64 = client.query_one("SELECT count(*) FROM stores", &[]).await.map_err(fail)?.get(0);
        if stores > 0 {
            return Ok(None);
        }
        let (store_id, token) = add_store(client, "Demo store", "US", true).await?;
        let card_id = add_card(client, store_id, "Demo card", 10, 1).await?;
        Ok(Some(Demo { store_id, card_id, token }))
    }
    .await;
    client.execute("SELECT pg_advisory_unlock($1)", &[&SEED_LOCK]).await.map_err(fail)?;
    seeded
}

/// The first store with a public sign-up and its cards.
pub(super) async fn public_config<C: GenericClient>(c: &C) -> Result<Value> {
    let store = one(c, "SELECT id, name, country FROM stores WHERE public_signup ORDER BY id LIMIT 1", &[]).await?;
    let Some(store) = store else { return Ok(public_config_json(None, Vec::new())) };
    let id: i64 = store.get(0);
    let cards =
        all(c, "SELECT id, name, stamps_required, initial_stamps FROM cards WHERE store_id = $1 ORDER BY id", &[&id])
            .await?
            .into_iter()
            .map(|r| public_card_json(r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
    Ok(public_config_json(Some((id, store.get(1), store.get(2))), cards))
}

/// Claims up to `limit` due links until `lease_until`, counting the attempt. Rows another
/// node is claiming right now are skipped, not waited for.
pub(super) async fn claim<C: GenericClient>(
    c: &C,
    at: &str,
    lease_until: &str,
    limit: usize,
    public_url: &str,
) -> Result<Vec<Claimed>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = all(
        c,
        "WITH due AS (
             SELECT id FROM outbox WHERE status = 'pending'
             AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
             AND (claimed_until IS NULL OR claimed_until <= $2)
             ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
         ), claimed AS (
             UPDATE outbox o SET claimed_until = $1, attempts = o.attempts + 1 FROM due WHERE o.id = due.id
             RETURNING o.id, o.attempts, o.channel, o.recipient, o.created_at, o.store_id, o.customer_card_id
         )
         SELECT claimed.id, claimed.attempts, claimed.channel, claimed.recipient, claimed.created_at, claimed.store_id,
                cc.customer_id, cc.uuid, c.id, c.name
         FROM claimed JOIN customer_cards cc ON cc.id = claimed.customer_card_id JOIN cards c ON c.id = cc.card_id
         ORDER BY claimed.id",
        &[&lease_until, &at, &limit],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let row = DeliveryRow {
                id: r.get(0),
                created_at: r.get(4),
                store_id: r.get(5),
                customer_id: r.get(6),
                channel: r.get(2),
                recipient: r.get(3),
                card_id: r.get(8),
                card_name: r.get(9),
                uuid: r.get(7),
            };
            Claimed { id: row.id, attempt: r.get(1), payload: row.into_json(public_url) }
        })
        .collect())
}

/// Records how an attempt ended and releases the claim.
pub(super) async fn finish<C: GenericClient>(c: &C, id: i64, attempt: &Attempt) -> Result<()> {
    let at = now();
    match attempt {
        Attempt::Sent => {
            run(
                c,
                "UPDATE outbox SET status = 'sent', delivered_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
                &[&id, &at],
            )
            .await
        }
        Attempt::Retry { at: next, error } => {
            run(
                c,
                "UPDATE outbox SET next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1",
                &[&id, next, error],
            )
            .await
        }
        Attempt::Failed { error } => {
            run(c, "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $2 WHERE id = $1", &[&id, error])
                .await
        }
    }
    .map(drop)
}
