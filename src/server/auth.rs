//! The token routes' gate, as middleware: the bearer token names the store, the token's
//! rate limit is counted, and the handler finds the store in the request's extensions.
//! Every answer past the gate carries the token's `RateLimit-*` fields; a refused one is
//! 429 with `Retry-After`. The store API and Square's API each answer in their own shape.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::handlers::{error, server_error, square_error, square_server_error};
use super::store::Storage;
use super::AppState;

/// Which API's error shape the gate answers in.
#[derive(Clone, Copy)]
enum Api {
    Store,
    Square,
}

/// The store API's gate.
pub async fn store_api<S: Storage>(State(st): State<Arc<AppState<S>>>, req: Request, next: Next) -> Response {
    gate(Api::Store, &st, req, next).await
}

/// Square's gate.
pub async fn square_api<S: Storage>(State(st): State<Arc<AppState<S>>>, req: Request, next: Next) -> Response {
    gate(Api::Square, &st, req, next).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn gate<S: Storage>(api: Api, st: &AppState<S>, mut req: Request, next: Next) -> Response {
    let unauthorized = |detail: &str| match api {
        Api::Store => error(StatusCode::UNAUTHORIZED, detail),
        Api::Square => square_error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_ERROR",
            "UNAUTHORIZED",
            "This request could not be authorized.",
        ),
    };
    let Some(token) = bearer(req.headers()).map(str::to_owned) else {
        return unauthorized("missing API token (Authorization: Bearer <token>)");
    };
    let store = match st.db.authenticate(&token).await {
        Ok(Some(store)) => store,
        Ok(None) => return unauthorized("invalid API token"),
        Err(e) if matches!(api, Api::Square) => return square_server_error(&e.0),
        Err(e) => return server_error(&e.0),
    };
    let decision = st.api_limiter.check(&token);
    let mut resp = if decision.allowed {
        req.extensions_mut().insert(store);
        next.run(req).await
    } else {
        let wait = decision.reset.as_secs().max(1);
        let detail = format!("too many requests for this API token; try again in {wait} seconds");
        match api {
            Api::Store => error(StatusCode::TOO_MANY_REQUESTS, &detail),
            Api::Square => square_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_ERROR", "RATE_LIMITED", &detail),
        }
    };
    decision.write_headers(resp.headers_mut());
    resp
}
