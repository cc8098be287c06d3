//! Square's four bulk operations: 1 to 100 items, each judged and written on its own
//! exactly as its single operation would be, and answered in a map of per-item responses
//! (`{ customer }`, `{}` or `{ errors }`). Only a request that can't be read as a whole is
//! a top-level 400.

use serde_json::Map;

use super::square::{create_answer, field_error, square_change_answer, square_input_up_to};
use super::*;

/// A bulk request carries up to this many items.
const MAX_ITEMS: usize = 100;

/// Room for a hundred customers of ordinary size, where a single request has [`MAX_BODY`].
const MAX_BULK_BODY: usize = 16 * MAX_BODY;

/// The body's `field`, a map of 1 to 100 items keyed by `key` (what each key is).
async fn items_map(req: Request, field: &str, key: &str) -> Result<Map<String, Value>, Resp> {
    let mut body = body_object(req).await?;
    let items = body.remove(field);
    if let Some(unknown) = unknown_key(&body) {
        return Err(unknown);
    }
    match items {
        Some(Value::Object(items)) if items.is_empty() => {
            Err(field_error(field, "VALUE_EMPTY", format!("`{field}` needs at least one {key}.")))
        }
        Some(Value::Object(items)) if items.len() > MAX_ITEMS => Err(field_error(
            field,
            "TOO_MANY_MAP_ENTRIES",
            format!("`{field}` holds {} entries; at most {MAX_ITEMS}.", items.len()),
        )),
        Some(Value::Object(items)) => Ok(items),
        None | Some(Value::Null) => Err(field_error(
            field,
            "MISSING_REQUIRED_PARAMETER",
            format!("`{field}` is required: a map of {key} to customer data."),
        )),
        Some(_) => {
            Err(field_error(field, "EXPECTED_MAP", format!("`{field}` must be a map of {key} to customer data.")))
        }
    }
}

/// The body's `customer_ids`: 1 to 100 strings, each id answered once.
async fn customer_ids(req: Request) -> Result<Vec<String>, Resp> {
    let mut body = body_object(req).await?;
    let ids = body.remove("customer_ids");
    if let Some(unknown) = unknown_key(&body) {
        return Err(unknown);
    }
    let ids = match ids {
        Some(Value::Array(ids)) => ids,
        None | Some(Value::Null) => {
            return Err(field_error(
                "customer_ids",
                "MISSING_REQUIRED_PARAMETER",
                "`customer_ids` is required: a list of customer ids.".into(),
            ))
        }
        Some(_) => {
            return Err(field_error("customer_ids", "EXPECTED_ARRAY", "`customer_ids` must be a list of ids.".into()))
        }
    };
    if ids.is_empty() {
        return Err(field_error("customer_ids", "ARRAY_EMPTY", "`customer_ids` needs at least one id.".into()));
    }
    if ids.len() > MAX_ITEMS {
        return Err(field_error(
            "customer_ids",
            "ARRAY_LENGTH_TOO_LONG",
            format!("`customer_ids` holds {} ids; at most {MAX_ITEMS}.", ids.len()),
        ));
    }
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        match id {
            Value::String(id) if !unique.contains(&id) => unique.push(id),
            Value::String(_) => {}
            _ => {
                return Err(field_error(
                    &format!("customer_ids[{i}]"),
                    "INVALID_ARRAY_VALUE",
                    "Every customer id is a string.".into(),
                ))
            }
        }
    }
    Ok(unique)
}

/// The body as an object.
async fn body_object(req: Request) -> Result<Map<String, Value>, Resp> {
    match square_input_up_to(req, MAX_BULK_BODY).await? {
        Value::Object(body) => Ok(body),
        _ => Err(square_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_ERROR",
            "EXPECTED_OBJECT",
            "The body must be a JSON object.",
        )),
    }
}

/// Whatever is left in the body once the operation's own field is taken is unknown.
fn unknown_key(rest: &Map<String, Value>) -> Option<Resp> {
    let key = rest.keys().next()?;
    Some(field_error(key, "UNKNOWN_BODY_PARAMETER", format!("`{key}` is not a field of this request.")))
}

/// Answers each item with `answer(key, item)`, in a map keyed as the request keyed them;
/// a storage failure is the whole request's 500.
async fn answer_each<T, F, Fut>(items: impl IntoIterator<Item = (String, T)>, answer: F) -> Resp
where
    F: Fn(String, T) -> Fut,
    Fut: std::future::Future<Output = Result<Value, StorageError>>,
{
    let mut answers = Map::new();
    for (key, item) in items {
        match answer(key.clone(), item).await {
            Ok(body) => answers.insert(key, body),
            Err(e) => return square_server_error(&e.0),
        };
    }
    json_response(StatusCode::OK, &json!({ "responses": answers }))
}

/// `POST /v2/customers/bulk-create` (BulkCreateCustomers): `customers` maps each item's
/// idempotency key to its customer data; each item is a create with that key.
pub(crate) async fn bulk_create<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let items = match items_map(req, "customers", "idempotency keys").await {
        Ok(items) => items,
        Err(resp) => return resp,
    };
    let (st, store) = (&st, &store);
    answer_each(items, |key, data| async move {
        Ok(match data {
            Value::Object(mut data) if !data.contains_key("idempotency_key") => {
                data.insert("idempotency_key".into(), Value::String(key));
                create_answer(st, store, &Value::Object(data)).await?.1
            }
            Value::Object(_) => json!({ "errors": [{
                "category": "INVALID_REQUEST_ERROR",
                "code": "UNKNOWN_BODY_PARAMETER",
                "detail": "`idempotency_key` is not part of a bulk item: the item's key in `customers` is its idempotency key.",
                "field": "idempotency_key",
            }] }),
            _ => json!({ "errors": [{
                "category": "INVALID_REQUEST_ERROR",
                "code": "EXPECTED_OBJECT",
                "detail": "Each item of `customers` is an object of customer data.",
            }] }),
        })
    })
    .await
}

/// `POST /v2/customers/bulk-update` (BulkUpdateCustomers): `customers` maps customer ids
/// to sparse updates, each with its own optional `version`.
pub(crate) async fn bulk_update<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let items = match items_map(req, "customers", "customer ids").await {
        Ok(items) => items,
        Err(resp) => return resp,
    };
    let (st, store) = (&st, &store);
    answer_each(items, |id, patch| async move {
        let change = st.db.update_square_customer(store.id, id, patch, store.options()).await?;
        Ok(square_change_answer(change).1)
    })
    .await
}

/// `POST /v2/customers/bulk-retrieve` (BulkRetrieveCustomers): `customer_ids`.
pub(crate) async fn bulk_retrieve<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let ids = match customer_ids(req).await {
        Ok(ids) => ids,
        Err(resp) => return resp,
    };
    let (st, store) = (&st, &store);
    answer_each(ids.into_iter().map(|id| (id, ())), |id, ()| async move {
        Ok(match st.db.get_square_customer(store.id, id).await? {
            Some(body) => body,
            None => square_change_answer(SquareChange::NotFound).1,
        })
    })
    .await
}

/// `POST /v2/customers/bulk-delete` (BulkDeleteCustomers): `customer_ids`; a deleted
/// customer's answer is `{}`.
pub(crate) async fn bulk_delete<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let ids = match customer_ids(req).await {
        Ok(ids) => ids,
        Err(resp) => return resp,
    };
    let (st, store) = (&st, &store);
    answer_each(ids.into_iter().map(|id| (id, ())), |id, ()| async move {
        Ok(square_change_answer(st.db.delete_square_customer(store.id, id, None).await?).1)
    })
    .await
}
