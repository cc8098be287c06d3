//! Square's customers: the create with its ids and idempotency keys, retrieve, update and
//! delete with Square's versions.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use super::idempotency::{self, Api, Replay};
use super::now;
use crate::model::SquareCustomerRequest;
use crate::server::store::{square_cursor, SquareChange, SquareFilter, SquareListQuery, SquareOutcome, Valid};

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

/// A stored Square customer's object, if the store has one with this id.
pub(super) fn load_square(conn: &Connection, store_id: i64, id: &str) -> rusqlite::Result<Option<Map<String, Value>>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM square_customers WHERE id = ?1 AND store_id = ?2")?
        .query_row(params![id, store_id], |r| r.get(0))
        .optional()?;
    Ok(body.and_then(|b| serde_json::from_str::<Value>(&b).ok()).and_then(|v| match v {
        Value::Object(map) => Some(map),
        _ => None,
    }))
}

fn version_of(customer: &Map<String, Value>) -> i64 {
    customer.get("version").and_then(Value::as_i64).unwrap_or(0)
}

/// Square's UpdateCustomer, judged inside the write against the stored customer: a
/// `version` other than the stored one changes nothing; else present fields are set,
/// `null` ones removed, and the version goes up by one.
pub(super) fn update_square(
    conn: &Connection,
    store_id: i64,
    id: &str,
    patch: &Value,
    options: &crate::Options,
) -> rusqlite::Result<SquareChange> {
    let Some(mut customer) = load_square(conn, store_id, id)? else { return Ok(SquareChange::NotFound) };
    let report = crate::validate_square_update(patch, Some(&Value::Object(customer.clone())), options);
    if !report.valid {
        return Ok(SquareChange::Rejected(report.errors));
    }
    let current = version_of(&customer);
    let Value::Object(changes) = report.value else { return Ok(SquareChange::Rejected(Vec::new())) };
    if let Some(asked) = changes.get("version").and_then(Value::as_i64) {
        if asked != current {
            return Ok(SquareChange::VersionMismatch { current });
        }
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
    conn.execute(
        "UPDATE square_customers SET body = ?3 WHERE id = ?1 AND store_id = ?2",
        params![id, store_id, Value::Object(customer.clone()).to_string()],
    )?;
    Ok(SquareChange::Customer(json!({ "customer": customer })))
}

/// Square's DeleteCustomer: with a `version`, only that version is deleted.
pub(super) fn delete_square(
    conn: &Connection,
    store_id: i64,
    id: &str,
    version: Option<i64>,
) -> rusqlite::Result<SquareChange> {
    let Some(customer) = load_square(conn, store_id, id)? else { return Ok(SquareChange::NotFound) };
    let current = version_of(&customer);
    if version.is_some_and(|asked| asked != current) {
        return Ok(SquareChange::VersionMismatch { current });
    }
    conn.execute("DELETE FROM square_customers WHERE id = ?1 AND store_id = ?2", params![id, store_id])?;
    Ok(SquareChange::Customer(json!({})))
}

/// Square's ListCustomers and SearchCustomers: a page of the store's customers that meet
/// every filter, in insertion order (which is also creation order), after the cursor's
/// position, with the cursor of the next page. The filters read the stored JSON within
/// the store's rows (its index), not through an index of their own.
pub(super) fn list_square(conn: &Connection, store_id: i64, query: &SquareListQuery) -> rusqlite::Result<Value> {
    let limit = i64::from(query.limit);
    // The filters become SQL over the stored JSON, every value a parameter.
    let mut conditions = String::new();
    let mut values: Vec<rusqlite::types::Value> = vec![store_id.into()];
    for filter in &query.filters {
        let mut bind = |value: String| {
            values.push(value.into());
            format!("?{}", values.len())
        };
        let condition = match filter {
            SquareFilter::Exact { field, text, ignore_case: true } => {
                format!("lower(json_extract(body, '$.{field}')) = lower({})", bind(text.clone()))
            }
            SquareFilter::Exact { field, text, ignore_case: false } => {
                format!("json_extract(body, '$.{field}') = {}", bind(text.clone()))
            }
            SquareFilter::Fuzzy { field, text } => {
                format!("instr(lower(json_extract(body, '$.{field}')), lower({})) > 0", bind(text.clone()))
            }
            SquareFilter::Range { field, start, end } => {
                let mut parts = Vec::new();
                if let Some(start) = start {
                    parts.push(format!("json_extract(body, '$.{field}') >= {}", bind(start.clone())));
                }
                if let Some(end) = end {
                    parts.push(format!("json_extract(body, '$.{field}') <= {}", bind(end.clone())));
                }
                if parts.is_empty() {
                    "1".to_owned()
                } else {
                    parts.join(" AND ")
                }
            }
            SquareFilter::Source { values: sources, include } => {
                let list: Vec<String> = sources.iter().map(|v| bind(v.clone())).collect();
                let not = if *include { "" } else { "NOT " };
                format!("coalesce(json_extract(body, '$.creation_source'), '') {not}IN ({})", list.join(", "))
            }
        };
        conditions.push_str(" AND ");
        conditions.push_str(&condition);
    }
    let count = if query.count {
        let sql = format!("SELECT count(*) FROM square_customers WHERE store_id = ?1{conditions}");
        Some(conn.prepare(&sql)?.query_row(rusqlite::params_from_iter(values.iter()), |r| r.get::<_, i64>(0))?)
    } else {
        None
    };
    let start = query.after.unwrap_or(if query.descending { i64::MAX } else { 0 });
    let (compare, order) = if query.descending { ("<", "DESC") } else { (">", "ASC") };
    values.push(start.into());
    let position = values.len();
    values.push((limit + 1).into());
    let sql = format!(
        "SELECT rowid, body FROM square_customers WHERE store_id = ?1{conditions} AND rowid {compare} ?{position}
         ORDER BY rowid {order} LIMIT ?{}",
        position + 1
    );
    let mut rows: Vec<(i64, String)> = conn
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(values.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut answer = Map::new();
    if !rows.is_empty() {
        let customers: Vec<Value> = rows.iter().filter_map(|(_, body)| serde_json::from_str(body).ok()).collect();
        answer.insert("customers".into(), Value::Array(customers));
    }
    if let (true, Some((last, _))) = (more, rows.last()) {
        answer.insert("cursor".into(), json!(square_cursor(*last)));
    }
    if let Some(count) = count {
        answer.insert("count".into(), json!(count));
    }
    Ok(Value::Object(answer))
}
