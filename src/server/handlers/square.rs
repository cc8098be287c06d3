//! Square's Customers API: its routes and its error shape.

use super::*;

/// `POST /v2/customers`, Square's shape and errors.
pub(crate) async fn square_create<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    req: Request,
) -> Resp {
    let input = match read_input(req, false).await {
        Ok(v) => v,
        Err(Reject(status, detail)) => {
            // Square speaks its own error shape, also for unreadable bodies.
            let code = match status {
                StatusCode::PAYLOAD_TOO_LARGE => "REQUEST_ENTITY_TOO_LARGE",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
                _ => "BAD_REQUEST",
            };
            return square_error(status, "INVALID_REQUEST_ERROR", code, &detail);
        }
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
