//! Stores, tokens and cards: what the admin commands write, and the store a token names.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::now;
pub(super) use crate::server::records::hash_token;
use crate::server::records::{new_token, public_card_json, public_config_json};
use crate::server::store::StoreInfo;

/// Adds a store and a token for it; returns (store id, token). `public_signup` opens
/// `/join/:id` to anonymous sign-ups.
pub fn add_store(conn: &Connection, name: &str, country: &str, public_signup: bool) -> Result<(i64, String), String> {
    let (token, hash) = new_token()?;
    let at = now();
    let tx = conn.unchecked_transaction().map_err(|e| e.to_string())?;
    tx.execute(
        "INSERT INTO stores (name, country, public_signup, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, country, public_signup, at],
    )
    .map_err(|e| e.to_string())?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO api_tokens (store_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
        params![id, &hash[..], at],
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok((id, token))
}

/// Adds a card to a store; returns its id.
pub fn add_card(conn: &Connection, store: i64, name: &str, required: u32, initial: u32) -> Result<i64, String> {
    let exists: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM stores WHERE id = ?1)", [store], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if !exists {
        return Err(format!("no store with id {store}"));
    }
    if required == 0 {
        return Err("`--stamps-required` must be at least 1".into());
    }
    conn.execute(
        "INSERT INTO cards (store_id, name, stamps_required, initial_stamps, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![store, name, required, initial, now()],
    )
    .map_err(|e| e.to_string())?;
    Ok(conn.last_insert_rowid())
}

/// What `serve` prints on an empty database.
pub struct Demo {
    /// The demo store's id.
    pub store_id: i64,
    /// The demo card's id.
    pub card_id: i64,
    /// The demo store's API token.
    pub token: String,
}

/// Creates the demo store, card and token when the database has no store yet.
pub fn seed_demo(conn: &Connection) -> Result<Option<Demo>, String> {
    let stores: i64 = conn.query_row("SELECT COUNT(*) FROM stores", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if stores > 0 {
        return Ok(None);
    }
    let (store_id, token) = add_store(conn, "Demo store", "US", true)?;
    let card_id = add_card(conn, store_id, "Demo card", 10, 1)?;
    Ok(Some(Demo { store_id, card_id, token }))
}

pub(super) fn load_store(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoreInfo>> {
    conn.prepare_cached("SELECT id, country, public_signup FROM stores WHERE id = ?1")?
        .query_row([id], |r| Ok(StoreInfo { id: r.get(0)?, country: r.get(1)?, public_signup: r.get(2)? }))
        .optional()
}

/// The first store with a public sign-up and its cards, for the sign-up page.
pub(super) fn public_config(conn: &Connection) -> rusqlite::Result<Value> {
    let store: Option<(i64, String, String)> = conn
        .query_row("SELECT id, name, country FROM stores WHERE public_signup = 1 ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((id, _, _)) = store else { return Ok(public_config_json(None, Vec::new())) };
    let cards = conn
        .prepare_cached("SELECT id, name, stamps_required, initial_stamps FROM cards WHERE store_id = ?1 ORDER BY id")?
        .query_map([id], |r| Ok(public_card_json(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(public_config_json(store, cards))
}
