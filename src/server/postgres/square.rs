//! Square's customers on PostgreSQL: the create under its idempotency key, retrieve,
//! update and delete under Square's versions (the row locked while it is judged), and
//! ListCustomers/SearchCustomers over the stored JSON.

use deadpool_postgres::{GenericClient, Transaction};
use serde_json::{json, Map, Value};
use tokio_postgres::types::ToSql;

use super::customers::{claim_key, remember};
use super::{all, one, run};
use crate::model::SquareCustomerRequest;
use crate::server::records::{
    new_square_customer, now, patch_square, square_id, square_object, square_page, square_version, Api, SquarePatch,
};
use crate::server::store::{SquareChange, SquareFilter, SquareListQuery, SquareOutcome, Valid};

type DbResult<T> = std::result::Result<T, tokio_postgres::Error>;

pub(super) async fn insert(
    tx: &Transaction<'_>,
    store_id: i64,
    request: &Valid<SquareCustomerRequest>,
    body_hash: [u8; 32],
) -> DbResult<SquareOutcome> {
    let key = request.get().idempotency_key.as_deref();
    if let Some(key) = key {
        if let Some(replay) = claim_key(tx, store_id, Api::Square, key, &body_hash).await? {
            return Ok(replay.square());
        }
    }
    let at = now();
    let id = square_id();
    let customer = new_square_customer(request, &id, &at);
    let response = json!({ "customer": customer });
    run(
        tx,
        "INSERT INTO square_customers (id, store_id, body, created_at) VALUES ($1, $2, $3, $4)",
        &[&id, &store_id, &Value::Object(customer).to_string(), &at],
    )
    .await?;
    if let Some(key) = key {
        remember(tx, store_id, Api::Square, key, &response.to_string()).await?;
    }
    Ok(SquareOutcome::Customer(response))
}

/// A stored Square customer's object; `lock` holds its row until the transaction ends.
pub(super) async fn load<C: GenericClient>(
    c: &C,
    store_id: i64,
    id: &str,
    lock: bool,
) -> DbResult<Option<Map<String, Value>>> {
    const SELECT: &str = "SELECT body FROM square_customers WHERE id = $1 AND store_id = $2";
    let sql = if lock { std::borrow::Cow::Owned(format!("{SELECT} FOR UPDATE")) } else { SELECT.into() };
    let row = one(c, &sql, &[&id, &store_id]).await?;
    Ok(row.and_then(|r| square_object(r.get(0))))
}

pub(super) async fn update(
    tx: &Transaction<'_>,
    store_id: i64,
    id: &str,
    patch: &Value,
    options: &crate::Options,
) -> DbResult<SquareChange> {
    let Some(customer) = load(tx, store_id, id, true).await? else { return Ok(SquareChange::NotFound) };
    let customer = match patch_square(customer, patch, options) {
        SquarePatch::Rejected(errors) => return Ok(SquareChange::Rejected(errors)),
        SquarePatch::VersionMismatch(current) => return Ok(SquareChange::VersionMismatch { current }),
        SquarePatch::Apply(customer) => customer,
    };
    run(
        tx,
        "UPDATE square_customers SET body = $3 WHERE id = $1 AND store_id = $2",
        &[&id, &store_id, &Value::Object(customer.clone()).to_string()],
    )
    .await?;
    Ok(SquareChange::Customer(json!({ "customer": customer })))
}

pub(super) async fn delete(
    tx: &Transaction<'_>,
    store_id: i64,
    id: &str,
    version: Option<i64>,
) -> DbResult<SquareChange> {
    let Some(customer) = load(tx, store_id, id, true).await? else { return Ok(SquareChange::NotFound) };
    let current = square_version(&customer);
    if version.is_some_and(|asked| asked != current) {
        return Ok(SquareChange::VersionMismatch { current });
    }
    run(tx, "DELETE FROM square_customers WHERE id = $1 AND store_id = $2", &[&id, &store_id]).await?;
    Ok(SquareChange::Customer(json!({})))
}

/// ListCustomers and SearchCustomers: a page of the store's customers meeting every
/// filter, in insertion order, after the cursor's position.
pub(super) async fn list<C: GenericClient>(c: &C, store_id: i64, query: &SquareListQuery) -> DbResult<Value> {
    let mut conditions = String::new();
    let mut values: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(store_id)];
    for filter in &query.filters {
        let mut bind = |value: String| {
            values.push(Box::new(value));
            format!("${}", values.len())
        };
        // Field names come from the handler, never the client; values are parameters.
        let field = |name: &str| format!("((body::jsonb) ->> '{name}')");
        let condition = match filter {
            SquareFilter::Exact { field: name, text, ignore_case: true } => {
                format!("lower({}) = lower({})", field(name), bind(text.clone()))
            }
            SquareFilter::Exact { field: name, text, ignore_case: false } => {
                format!("{} = {}", field(name), bind(text.clone()))
            }
            SquareFilter::Fuzzy { field: name, text } => {
                format!("strpos(lower({}), lower({})) > 0", field(name), bind(text.clone()))
            }
            SquareFilter::Range { field: name, start, end } => {
                let mut parts = vec!["true".to_owned()];
                if let Some(start) = start {
                    parts.push(format!("{} COLLATE \"C\" >= {}", field(name), bind(start.clone())));
                }
                if let Some(end) = end {
                    parts.push(format!("{} COLLATE \"C\" <= {}", field(name), bind(end.clone())));
                }
                parts.join(" AND ")
            }
            SquareFilter::Source { values: sources, include } => {
                let list: Vec<String> = sources.iter().map(|v| bind(v.clone())).collect();
                let not = if *include { "" } else { "NOT " };
                format!("coalesce({}, '') {not}IN ({})", field("creation_source"), list.join(", "))
            }
        };
        conditions.push_str(" AND ");
        conditions.push_str(&condition);
    }
    fn params(values: &[Box<dyn ToSql + Sync + Send>]) -> Vec<&(dyn ToSql + Sync)> {
        values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect()
    }
    let count = if query.count {
        let sql = format!("SELECT count(*) FROM square_customers WHERE store_id = $1{conditions}");
        Some(all(c, &sql, &params(&values)).await?.first().map_or(0, |r| r.get::<_, i64>(0)))
    } else {
        None
    };
    let start = query.after.unwrap_or(if query.descending { i64::MAX } else { 0 });
    let (compare, order) = if query.descending { ("<", "DESC") } else { (">", "ASC") };
    values.push(Box::new(start));
    let position = values.len();
    values.push(Box::new(i64::from(query.limit) + 1));
    let sql = format!(
        "SELECT position, body FROM square_customers WHERE store_id = $1{conditions} AND position {compare} ${position}
         ORDER BY position {order} LIMIT ${}",
        position + 1
    );
    let rows = all(c, &sql, &params(&values)).await?.into_iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(square_page(rows, query.limit, count))
}
