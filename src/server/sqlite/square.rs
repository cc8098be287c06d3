//! Square's create: its ids, its stored customer and its idempotency keys.

use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use super::idempotency::{self, Api, Replay};
use super::now;
use crate::model::SquareCustomerRequest;
use crate::server::store::{SquareOutcome, Valid};

/// Square ids are 26 upper-case letters and digits.
fn square_id() -> String {
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

pub(super) fn insert_square(
    conn: &Connection,
    store_id: i64,
    request: &Valid<SquareCustomerRequest>,
    body_hash: [u8; 32],
) -> rusqlite::Result<SquareOutcome> {
    let key = request.get().idempotency_key.as_deref();
    if let Some(key) = key {
        match idempotency::replay(conn, store_id, Api::Square, key, &body_hash)? {
            Some(Replay::Same(response)) => {
                return Ok(SquareOutcome::Customer(serde_json::from_str(&response).unwrap_or(Value::Null)))
            }
            Some(Replay::OtherBody) => return Ok(SquareOutcome::KeyReused),
            None => {}
        }
    }
    let at = now();
    let id = square_id();
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
    let response = json!({ "customer": customer });
    conn.execute(
        "INSERT INTO square_customers (id, store_id, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, store_id, Value::Object(customer).to_string(), at],
    )?;
    if let Some(key) = key {
        idempotency::remember(conn, store_id, Api::Square, key, &body_hash, &response.to_string(), &at)?;
    }
    Ok(SquareOutcome::Customer(response))
}
