//! Idempotency keys of both APIs (Square's `idempotency_key`, the store API's
//! `Idempotency-Key` header): one table, each key scoped to its store and its API, the
//! body compared by its hash in constant time.

use rusqlite::{params, Connection, OptionalExtension};

pub(super) use crate::server::records::{Api, Replay};

/// The key's first use, if it has one.
pub(super) fn replay(
    conn: &Connection,
    store_id: i64,
    api: Api,
    key: &str,
    body_hash: &[u8; 32],
) -> rusqlite::Result<Option<Replay>> {
    let stored: Option<(Vec<u8>, String)> = conn
        .prepare_cached(
            "SELECT request_hash, response FROM idempotency_keys WHERE store_id = ?1 AND api = ?2 AND key = ?3",
        )?
        .query_row(params![store_id, api.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(stored.map(|(hash, response)| Replay::of(&hash, body_hash, response)))
}

/// Remembers the answer to a key's first use, in the transaction that made it.
pub(super) fn remember(
    conn: &Connection,
    store_id: i64,
    api: Api,
    key: &str,
    body_hash: &[u8; 32],
    response: &str,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO idempotency_keys (store_id, api, key, request_hash, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![store_id, api.as_str(), key, &body_hash[..], response, at],
    )?;
    Ok(())
}
