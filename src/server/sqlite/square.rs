//! Square's customers: the create with its ids and idempotency keys, retrieve, update and
//! delete with Square's versions.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use super::idempotency::{self, Api};
use super::now;
use crate::model::SquareCustomerRequest;
use crate::server::records::{
    new_square_customer, patch_square, square_id, square_object, square_page, square_version, SquarePatch,
};
use crate::server::store::{SquareChange, SquareFilter, SquareListQuery, SquareOutcome, Valid};

pub(super) fn insert_square(
    conn: &Connection,
    store_id: i64,
    request: &Valid<SquareCustomerRequest>,
    body_hash: [u8; 32],
) -> rusqlite::Result<SquareOutcome> {
    let key = request.get().idempotency_key.as_deref();
    if let Some(key) = key {
        if let Some(replay) = idempotency::replay(conn, store_id, Api::Square, key, &body_hash)? {
            return Ok(replay.square());
        }
    }
    let at = now();
    let id = square_id();
    let customer = new_square_customer(request, &id, &at);
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
    Ok(body.as_deref().and_then(square_object))
}

/// Square's UpdateCustomer, judged inside the write against the stored customer
/// ([`patch_square`]).
pub(super) fn update_square(
    conn: &Connection,
    store_id: i64,
    id: &str,
    patch: &Value,
    options: &crate::Options,
) -> rusqlite::Result<SquareChange> {
    let Some(customer) = load_square(conn, store_id, id)? else { return Ok(SquareChange::NotFound) };
    let customer = match patch_square(customer, patch, options) {
        SquarePatch::Rejected(errors) => return Ok(SquareChange::Rejected(errors)),
        SquarePatch::VersionMismatch(current) => return Ok(SquareChange::VersionMismatch { current }),
        SquarePatch::Apply(customer) => customer,
    };
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
    let current = square_version(&customer);
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
    let rows: Vec<(i64, String)> = conn
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(values.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(square_page(rows, query.limit, count))
}
