//! Square's Customers API: its routes and its error shape.

use super::*;

/// The JSON body, or why not in Square's error shape.
pub(super) async fn square_input(req: Request) -> Result<Value, Resp> {
    square_input_up_to(req, MAX_BODY).await
}

/// [`square_input`] with another size limit (the bulk operations carry up to 100 customers).
pub(super) async fn square_input_up_to(req: Request, max: usize) -> Result<Value, Resp> {
    read_input(req, false, max).await.map_err(|Reject(status, detail)| {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "REQUEST_ENTITY_TOO_LARGE",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
            _ => "BAD_REQUEST",
        };
        square_error(status, "INVALID_REQUEST_ERROR", code, &detail)
    })
}

pub(super) fn customer_not_found() -> Resp {
    let (status, body) = square_change_answer(SquareChange::NotFound);
    json_response(status, &body)
}

/// An update's or delete's outcome as Square answers it: the status and the body (also
/// one item's answer in a bulk operation).
pub(super) fn square_change_answer(change: SquareChange) -> (StatusCode, Value) {
    match change {
        SquareChange::Customer(body) => (StatusCode::OK, body),
        SquareChange::NotFound => (
            StatusCode::NOT_FOUND,
            json!({ "errors": [{ "category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND", "detail": "Customer not found." }] }),
        ),
        SquareChange::VersionMismatch { current } => (
            StatusCode::CONFLICT,
            json!({ "errors": [{
                "category": "INVALID_REQUEST_ERROR",
                "code": "CONFLICT",
                "detail": format!("The customer is at version {current}; read it again and retry."),
                "field": "version",
            }] }),
        ),
        SquareChange::Rejected(violations) => (StatusCode::BAD_REQUEST, crate::square_error_body(counted(&violations))),
    }
}

fn square_change(change: Result<SquareChange, StorageError>) -> Resp {
    match change {
        Ok(change) => {
            let (status, body) = square_change_answer(change);
            json_response(status, &body)
        }
        Err(e) => square_server_error(&e.0),
    }
}

/// Square's 400 for a bad query parameter.
pub(super) fn bad_parameter(field: &str, detail: String) -> Resp {
    field_error(field, "INVALID_VALUE", detail)
}

/// Square's 400 naming the field (or parameter) at fault and its error code.
pub(super) fn field_error(field: &str, code: &str, detail: String) -> Resp {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "errors": [{ "category": "INVALID_REQUEST_ERROR", "code": code, "detail": detail, "field": field }] }),
    )
}

/// `GET /v2/customers` (ListCustomers): `cursor`, `limit` 1–100 (100 by default),
/// `sort_field` `DEFAULT` or `CREATED_AT` (the same order here: customers are kept in the
/// order they were created), `sort_order` `ASC` or `DESC`, `count`.
pub(crate) async fn square_list<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let mut query = SquareListQuery { filters: Vec::new(), after: None, limit: 100, descending: false, count: false };
    for (name, value) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "cursor" => match crate::server::store::square_cursor_position(&value) {
                Some(position) => query.after = Some(position),
                None => return bad_parameter("cursor", "The cursor is not one this API gave out.".into()),
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=100).contains(&limit) => query.limit = limit,
                _ => {
                    return bad_parameter("limit", format!("`limit` must be an integer from 1 to 100, got {value:?}."))
                }
            },
            "sort_field" if !matches!(value.as_ref(), "DEFAULT" | "CREATED_AT") => {
                return bad_parameter("sort_field", "`sort_field` must be DEFAULT or CREATED_AT.".into());
            }
            "sort_order" => match value.as_ref() {
                "ASC" => query.descending = false,
                "DESC" => query.descending = true,
                _ => return bad_parameter("sort_order", "`sort_order` must be ASC or DESC.".into()),
            },
            "count" => match value.as_ref() {
                "true" => query.count = true,
                "false" => query.count = false,
                _ => return bad_parameter("count", "`count` must be true or false.".into()),
            },
            _ => {}
        }
    }
    match st.db.list_square_customers(store.id, query).await {
        Ok(page) => json_response(StatusCode::OK, &page),
        Err(e) => square_server_error(&e.0),
    }
}

/// `POST /v2/customers/search` (SearchCustomers): `query.filter` (`email_address`,
/// `phone_number`, `reference_id` each `exact` or `fuzzy`; `created_at`, `updated_at`
/// ranges; `creation_source`), `query.sort`, `limit`, `cursor`, `count`. An exact email
/// ignores case; an exact phone is read in the store's region and compared in E.164.
pub(crate) async fn square_search<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let body = match square_input(req).await {
        Ok(Value::Object(body)) => body,
        Ok(_) => return bad_parameter("", "The body must be a JSON object.".into()),
        Err(resp) => return resp,
    };
    match search_query(&body, &store) {
        Ok(query) => match st.db.list_square_customers(store.id, query).await {
            Ok(page) => json_response(StatusCode::OK, &page),
            Err(e) => square_server_error(&e.0),
        },
        Err(resp) => *resp,
    }
}

/// The SearchCustomers body as a query, or the 400 naming the first bad part.
fn search_query(body: &serde_json::Map<String, Value>, store: &StoreInfo) -> Result<SquareListQuery, Box<Resp>> {
    let bad = |field: &str, detail: &str| Box::new(bad_parameter(field, detail.to_owned()));
    let mut query = SquareListQuery { filters: Vec::new(), after: None, limit: 100, descending: false, count: false };
    for (key, value) in body {
        match (key.as_str(), value) {
            ("limit" | "cursor" | "count" | "query", Value::Null) => {}
            ("limit", Value::Number(n)) if n.as_u64().is_some_and(|n| (1..=100).contains(&n)) => {
                query.limit = u32::try_from(n.as_u64().unwrap_or(100)).unwrap_or(100);
            }
            ("limit", _) => return Err(bad("limit", "`limit` must be an integer from 1 to 100.")),
            ("cursor", Value::String(c)) => match crate::server::store::square_cursor_position(c) {
                Some(position) => query.after = Some(position),
                None => return Err(bad("cursor", "The cursor is not one this API gave out.")),
            },
            ("cursor", _) => return Err(bad("cursor", "The cursor is not one this API gave out.")),
            ("count", Value::Bool(count)) => query.count = *count,
            ("count", _) => return Err(bad("count", "`count` must be true or false.")),
            ("query", Value::Object(q)) => {
                for (part, value) in q {
                    match (part.as_str(), value) {
                        ("filter" | "sort", Value::Null) => {}
                        ("filter", Value::Object(filter)) => {
                            for (name, condition) in filter {
                                if let Some(filter) = search_filter(name, condition, store)? {
                                    query.filters.push(filter);
                                }
                            }
                        }
                        ("sort", Value::Object(sort)) => {
                            match sort.get("field").and_then(Value::as_str) {
                                None | Some("DEFAULT" | "CREATED_AT") => {}
                                Some(_) => {
                                    return Err(bad("query.sort.field", "`field` must be DEFAULT or CREATED_AT."))
                                }
                            }
                            match sort.get("order").and_then(Value::as_str) {
                                None | Some("ASC") => query.descending = false,
                                Some("DESC") => query.descending = true,
                                Some(_) => return Err(bad("query.sort.order", "`order` must be ASC or DESC.")),
                            }
                        }
                        (other, _) => {
                            return Err(bad(&format!("query.{other}"), "`query` takes `filter` and `sort` objects."))
                        }
                    }
                }
            }
            (other, _) => {
                return Err(bad(other, "The body takes `query`, `limit`, `cursor` and `count`."));
            }
        }
    }
    Ok(query)
}

/// One filter of `query.filter` (`None` for a known one set to `null`).
fn search_filter(name: &str, condition: &Value, store: &StoreInfo) -> Result<Option<SquareFilter>, Box<Resp>> {
    const FILTERS: [&str; 6] =
        ["email_address", "phone_number", "reference_id", "created_at", "updated_at", "creation_source"];
    if condition.is_null() && FILTERS.contains(&name) {
        return Ok(None);
    }
    filter_of(name, condition, store).map(Some)
}

fn filter_of(name: &str, condition: &Value, store: &StoreInfo) -> Result<SquareFilter, Box<Resp>> {
    let path = format!("query.filter.{name}");
    let bad = |detail: &str| Box::new(bad_parameter(&path, detail.to_owned()));
    let text_filter = |field: &'static str| -> Result<SquareFilter, Box<Resp>> {
        let object = condition.as_object().ok_or_else(|| bad("takes { exact } or { fuzzy }."))?;
        match (object.get("exact").and_then(Value::as_str), object.get("fuzzy").and_then(Value::as_str), object.len()) {
            (Some(text), None, 1) if field == "phone_number" => {
                // Read as the store's forms read it, and compared in E.164.
                let report = crate::validate_square(&json!({ "phone_number": text }), &store.options());
                match report.value["phone_number"].as_str().filter(|_| report.valid) {
                    Some(e164) => Ok(SquareFilter::Exact { field, text: e164.to_owned(), ignore_case: false }),
                    None => Err(bad("`exact` is not a phone number this store reads.")),
                }
            }
            (Some(text), None, 1) => {
                Ok(SquareFilter::Exact { field, text: text.trim().to_owned(), ignore_case: field == "email_address" })
            }
            (None, Some(text), 1) if !text.trim().is_empty() => {
                let text = if field == "phone_number" {
                    text.chars().filter(char::is_ascii_digit).collect()
                } else {
                    text.trim().to_owned()
                };
                Ok(SquareFilter::Fuzzy { field, text })
            }
            _ => Err(bad("takes one of { exact } or { fuzzy }, a non-blank string.")),
        }
    };
    let range = |field: &'static str| -> Result<SquareFilter, Box<Resp>> {
        let object = condition.as_object().ok_or_else(|| bad("takes { start_at, end_at }."))?;
        let bound = |key: &str| -> Result<Option<String>, Box<Resp>> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => text
                    .parse::<jiff::Timestamp>()
                    .map(|t| Some(format!("{t:.3}")))
                    .map_err(|_| bad("`start_at` and `end_at` are RFC 3339 timestamps.")),
                Some(_) => Err(bad("`start_at` and `end_at` are RFC 3339 timestamps.")),
            }
        };
        Ok(SquareFilter::Range { field, start: bound("start_at")?, end: bound("end_at")? })
    };
    match name {
        "email_address" => text_filter("email_address"),
        "phone_number" => text_filter("phone_number"),
        "reference_id" => text_filter("reference_id"),
        "created_at" => range("created_at"),
        "updated_at" => range("updated_at"),
        "creation_source" => {
            let values: Option<Vec<String>> = condition
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).map(str::to_owned).collect());
            let include = match condition.get("rule").and_then(Value::as_str) {
                None | Some("INCLUDE") => true,
                Some("EXCLUDE") => false,
                Some(_) => return Err(bad("`rule` must be INCLUDE or EXCLUDE.")),
            };
            match values.filter(|v| !v.is_empty()) {
                Some(values) => Ok(SquareFilter::Source { values, include }),
                None => Err(bad("takes { values: [...], rule? }.")),
            }
        }
        _ => Err(bad("is not a filter of SearchCustomers.")),
    }
}

/// `GET /v2/customers/{id}` (RetrieveCustomer).
pub(crate) async fn square_retrieve<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    id: Result<UrlPath<String>, PathRejection>,
) -> Resp {
    let Ok(UrlPath(id)) = id else { return customer_not_found() };
    match st.db.get_square_customer(store.id, id).await {
        Ok(Some(body)) => json_response(StatusCode::OK, &body),
        Ok(None) => customer_not_found(),
        Err(e) => square_server_error(&e.0),
    }
}

/// `PUT /v2/customers/{id}` (UpdateCustomer, sparse).
pub(crate) async fn square_update<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    id: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    let Ok(UrlPath(id)) = id else { return customer_not_found() };
    let patch = match square_input(req).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    square_change(st.db.update_square_customer(store.id, id, patch, store.options()).await)
}

/// `DELETE /v2/customers/{id}?version=` (DeleteCustomer).
pub(crate) async fn square_delete<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    id: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    let Ok(UrlPath(id)) = id else { return customer_not_found() };
    let mut version = None;
    for (name, value) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        if name == "version" {
            match value.parse::<i64>() {
                Ok(v) if v >= 0 => version = Some(v),
                _ => {
                    let violation = Violation::new(Path::root().key("version"), Code::ExpectedInteger, Params::new());
                    return json_response(StatusCode::BAD_REQUEST, &crate::square_error_body(counted(&[violation])));
                }
            }
        }
    }
    square_change(st.db.delete_square_customer(store.id, id, version).await)
}

/// `POST /v2/customers`, Square's shape and errors.
pub(crate) async fn square_create<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let input = match square_input(req).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match create_answer(&st, &store, &input).await {
        Ok((status, body)) => json_response(status, &body),
        Err(e) => square_server_error(&e.0),
    }
}

/// One create, as Square answers it: the status and the body (also one item's answer in
/// BulkCreateCustomers).
pub(super) async fn create_answer<S: Storage>(
    st: &AppState<S>,
    store: &StoreInfo,
    input: &Value,
) -> Result<(StatusCode, Value), StorageError> {
    let valid = match Valid::square(input, &store.options()) {
        Ok(v) => v,
        Err(report) => {
            counted(&report.errors);
            return Ok((StatusCode::BAD_REQUEST, report.square_body()));
        }
    };
    // The body is identified by its normalized form, so re-sent JSON that differs only in
    // spacing or key order is the same request.
    let body_hash: [u8; 32] = Sha256::digest(canonical(valid.value()).as_bytes()).into();
    Ok(match st.db.create_square_customer(store.id, valid, body_hash).await? {
        SquareOutcome::Customer(body) => (StatusCode::OK, body),
        SquareOutcome::KeyReused => (StatusCode::BAD_REQUEST, crate::square_error_body(counted(&[key_reused()]))),
    })
}

/// An unknown `/v2` path, in Square's shape.
pub(crate) async fn square_not_found() -> Resp {
    square_error(StatusCode::NOT_FOUND, "INVALID_REQUEST_ERROR", "NOT_FOUND", "No such endpoint.")
}

/// A `/v2` path with another method, in Square's shape (axum adds `Allow`).
pub(crate) async fn square_not_allowed() -> Resp {
    square_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST_ERROR",
        "METHOD_NOT_ALLOWED",
        "This method is not allowed for this endpoint (see the Allow header).",
    )
}
