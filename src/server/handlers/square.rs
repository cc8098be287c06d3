//! Square's Customers API: its routes and its error shape.

use super::*;

/// The JSON body, or why not in Square's error shape.
async fn square_input(req: Request) -> Result<Value, Resp> {
    read_input(req, false).await.map_err(|Reject(status, detail)| {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "REQUEST_ENTITY_TOO_LARGE",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
            _ => "BAD_REQUEST",
        };
        square_error(status, "INVALID_REQUEST_ERROR", code, &detail)
    })
}

fn customer_not_found() -> Resp {
    square_error(StatusCode::NOT_FOUND, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Customer not found.")
}

/// An update's or delete's outcome, as Square answers it.
fn square_change(change: Result<SquareChange, StorageError>) -> Resp {
    match change {
        Ok(SquareChange::Customer(body)) => json_response(StatusCode::OK, &body),
        Ok(SquareChange::NotFound) => customer_not_found(),
        Ok(SquareChange::VersionMismatch { current }) => json_response(
            StatusCode::CONFLICT,
            &json!({ "errors": [{
                "category": "INVALID_REQUEST_ERROR",
                "code": "CONFLICT",
                "detail": format!("The customer is at version {current}; read it again and retry."),
                "field": "version",
            }] }),
        ),
        Ok(SquareChange::Rejected(violations)) => {
            json_response(StatusCode::BAD_REQUEST, &crate::square_error_body(counted(&violations)))
        }
        Err(e) => server_error(&e.0),
    }
}

/// Square's 400 for a bad query parameter.
fn bad_parameter(field: &'static str, detail: String) -> Resp {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "errors": [{ "category": "INVALID_REQUEST_ERROR", "code": "INVALID_VALUE", "detail": detail, "field": field }] }),
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
    let mut query = SquareListQuery { after: None, limit: 100, descending: false, count: false };
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
        Err(e) => server_error(&e.0),
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
        Err(e) => server_error(&e.0),
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
    let valid = match Valid::square(&input, &store.options()) {
        Ok(v) => v,
        Err(report) => {
            counted(&report.errors);
            return json_response(StatusCode::BAD_REQUEST, &report.square_body());
        }
    };
    // The body is identified by its normalized form, so re-sent JSON that differs only in
    // spacing or key order is the same request.
    let body_hash: [u8; 32] = Sha256::digest(canonical(valid.value()).as_bytes()).into();
    match st.db.create_square_customer(store.id, valid, body_hash).await {
        Ok(SquareOutcome::Customer(body)) => json_response(StatusCode::OK, &body),
        Ok(SquareOutcome::KeyReused) => {
            json_response(StatusCode::BAD_REQUEST, &crate::square_error_body(counted(&[key_reused()])))
        }
        Err(e) => server_error(&e.0),
    }
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
