//! One async fn per route, in the API's own shape for every failure: here the validate,
//! health, metrics and document routes and what every route shares (reading bodies,
//! errors); [`store_api`] the store API's customers, [`join`] the public sign-up,
//! [`square`] Square's Customers API and [`passes`] the card pages.

mod join;
mod passes;
mod square;
mod square_bulk;
mod store_api;

pub(crate) use join::join;
pub use join::HONEYPOT;
pub(crate) use passes::{pass, wallet};
pub(crate) use square::{
    square_create, square_delete, square_list, square_not_allowed, square_not_found, square_retrieve, square_search,
    square_update,
};
pub(crate) use square_bulk::{bulk_create, bulk_delete, bulk_retrieve, bulk_update};
pub(crate) use store_api::{create_customer, get_customer, list_customers, patch_customer};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, HttpBody as _};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::language::Asked;
use super::metrics;
use super::store::{
    CreateError, CustomerQuery, IdempotencyKey, Lookup, SquareChange, SquareFilter, SquareListQuery, SquareOutcome,
    Storage, StorageError, StoreInfo, Valid,
};
use super::AppState;
use crate::{store_error_body, store_error_body_worded, Code, Date, Options, Params, Path, Report, Violation};

/// Bodies larger than this are refused with 413, while reading.
pub const MAX_BODY: usize = 64 * 1024;

pub(crate) type Resp = Response;
type Shared<S> = State<Arc<AppState<S>>>;

fn with_json(status: StatusCode, body: Bytes) -> Resp {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Resp {
    with_json(status, Bytes::from(body.to_string()))
}

/// `{ "error": "..." }` with a status.
pub(crate) fn error(status: StatusCode, message: &str) -> Resp {
    json_response(status, &json!({ "error": message }))
}

/// Square's error body for failures that are not validation.
pub(crate) fn square_error(status: StatusCode, category: &str, code: &str, detail: &str) -> Resp {
    json_response(status, &json!({ "errors": [ { "category": category, "code": code, "detail": detail } ] }))
}

/// A storage failure: 503 with `Retry-After` while the database can't be reached (the
/// request may be retried as it is), else 500.
pub(crate) fn server_error(what: &str) -> Resp {
    failure(what, error)
}

/// [`server_error`] in Square's error shape (category `API_ERROR`, Square's codes).
pub(crate) fn square_server_error(what: &str) -> Resp {
    failure(what, |status, detail| {
        let code =
            if status == StatusCode::SERVICE_UNAVAILABLE { "SERVICE_UNAVAILABLE" } else { "INTERNAL_SERVER_ERROR" };
        square_error(status, "API_ERROR", code, detail)
    })
}

fn failure(what: &str, shape: impl Fn(StatusCode, &str) -> Resp) -> Resp {
    if what.starts_with(StorageError::UNAVAILABLE) {
        tracing::warn!(error = what, "database unavailable");
        let mut resp = shape(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable; retry shortly");
        resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        return resp;
    }
    tracing::error!(error = what, "internal error");
    shape(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// What a 503 for an unreachable database asks clients to wait, in seconds.
const RETRY_AFTER_SECONDS: &str = "1";

/// A request refused before validation: its status and the reason.
pub(crate) struct Reject(StatusCode, String);

impl Reject {
    fn response(self) -> Resp {
        error(self.0, &self.1)
    }
}

/// How the body was encoded.
enum Encoding {
    Json,
    Form,
}

/// Why a body could not be read, as the response to send.
fn content_encoding(req: &Request, form_allowed: bool) -> Result<Encoding, Reject> {
    let ct = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/json" => Ok(Encoding::Json),
        "application/x-www-form-urlencoded" if form_allowed => Ok(Encoding::Form),
        _ => {
            let accepted =
                if form_allowed { "application/json or application/x-www-form-urlencoded" } else { "application/json" };
            let shown = if ct.is_empty() {
                "none".to_owned()
            } else {
                format!("`{}`", ct.chars().take(100).collect::<String>())
            };
            Err(Reject(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("Content-Type must be {accepted} (got {shown})")))
        }
    }
}

fn too_large(max: usize) -> Reject {
    Reject(StatusCode::PAYLOAD_TOO_LARGE, format!("request body is larger than {max} bytes"))
}

/// Reads at most `max` bytes; the limit stops the read, not a check after it.
async fn read_body(req: Request, max: usize) -> Result<Bytes, Reject> {
    // A Content-Length past the limit is refused before a byte is read, not after the
    // client has sent (or stalled on) that many.
    if req.body().size_hint().lower() > max as u64 {
        return Err(too_large(max));
    }
    match Limited::new(req.into_body(), max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large(max)),
        Err(e) => Err(Reject(StatusCode::BAD_REQUEST, format!("could not read the request body: {e}"))),
    }
}

/// The request as JSON, from either encoding, at most `max` bytes.
async fn read_input(req: Request, form_allowed: bool, max: usize) -> Result<Value, Reject> {
    let encoding = content_encoding(&req, form_allowed)?;
    let bytes = read_body(req, max).await?;
    let value = match encoding {
        Encoding::Json => serde_json::from_slice::<Value>(&bytes)
            .map_err(|e| Reject(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}")))?,
        Encoding::Form => {
            let text = std::str::from_utf8(&bytes)
                .ok()
                .filter(|text| form_decodes_to_utf8(text))
                .ok_or_else(|| Reject(StatusCode::BAD_REQUEST, "form body is not UTF-8".into()))?;
            crate::parse_store_form(text)
        }
    };
    Ok(value)
}

/// Whether every name and value of a form body is UTF-8 once its `%XX` escapes are
/// decoded (a `%` not followed by two hex digits stays as it is, as form parsers read it).
fn form_decodes_to_utf8(text: &str) -> bool {
    text.split(['&', '=']).all(|part| percent_encoding::percent_decode_str(part).decode_utf8().is_ok())
}

/// `?default_region=GB&today=YYYY-MM-DD`, both optional.
fn options_from_query(query: Option<&str>) -> Result<Options, Reject> {
    let mut options = Options::default();
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "default_region" => {
                options =
                    options.with_default_region(&value).map_err(|e| Reject(StatusCode::BAD_REQUEST, e.to_string()))?;
            }
            "today" => {
                let today = value.parse::<Date>().map_err(|e| Reject(StatusCode::BAD_REQUEST, e.to_string()))?;
                options = options.with_today(today);
            }
            _ => {}
        }
    }
    Ok(options)
}

/// A path id: a positive integer, else the resource does not exist.
pub(crate) fn path_id(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

/// A path's id parameter: a positive integer, else 0, which names nothing.
fn id_param(path: Result<UrlPath<String>, PathRejection>) -> i64 {
    path.ok().and_then(|UrlPath(text)| path_id(&text)).unwrap_or(0)
}

/// The Store API's 422: its English fragments, or the sentences of the locale the request
/// asked for (violations are built in English; they are worded here).
fn store_422(asked: &Asked, violations: &[Violation]) -> Resp {
    counted(violations);
    let body = match &asked.0 {
        None => store_error_body(violations),
        Some(_) => {
            let mut sentences = violations.to_vec();
            worded(Options::default(), asked).word(&mut sentences);
            store_error_body_worded(&sentences)
        }
    };
    json_response(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

/// The options a request's messages are worded with: the locale it asked for, if any.
fn worded(options: Options, asked: &Asked) -> Options {
    match &asked.0 {
        // `Asked` holds only canonical tags, which `with_locale` takes.
        Some(tag) => options.clone().with_locale(tag).unwrap_or(options),
        None => options,
    }
}

/// The violations a 4xx reports, counted on `/metrics`.
fn counted(violations: &[Violation]) -> &[Violation] {
    metrics::validation_failures(violations.iter().map(|v| &v.code));
    violations
}

/// `GET /healthz`: the process answers.
pub(crate) async fn health() -> Resp {
    with_json(StatusCode::OK, Bytes::from_static(br#"{"status":"ok"}"#))
}

/// `POST /api/v1/validate/{store,square}`: the library's report, as is.
pub(crate) async fn validate(req: Request, shape: crate::Shape) -> Resp {
    let options = match options_from_query(req.uri().query()) {
        Ok(o) => o,
        Err(reject) => return reject.response(),
    };
    let asked = req.extensions().get::<Asked>().cloned().unwrap_or_default();
    let options = worded(options, &asked);
    let input = match read_input(req, matches!(shape, crate::Shape::Store), MAX_BODY).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    let report: Report = match shape {
        crate::Shape::Store => crate::validate_store(&input, &options),
        crate::Shape::Square => crate::validate_square(&input, &options),
    };
    counted(&report.errors);
    match serde_json::to_vec(&report) {
        Ok(body) => with_json(StatusCode::OK, Bytes::from(body)),
        Err(e) => server_error(&e.to_string()),
    }
}

/// An idempotency key sent again with another body, in either API.
fn key_reused() -> Violation {
    Violation::new(Path::root().key("idempotency_key"), Code::IdempotencyKeyReused, Params::new())
}

/// JSON with object keys sorted.
fn canonical(value: &Value) -> String {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sort(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

/// `GET /readyz`: 200 while the database reads and commits, else 503 (a load balancer
/// takes the node out); `/healthz` only says the process answers.
pub(crate) async fn ready<S: Storage>(State(st): Shared<S>) -> Resp {
    match st.db.ready().await {
        Ok(()) => json_response(StatusCode::OK, &json!({ "status": "ready" })),
        Err(e) => {
            tracing::error!(error = %e, "not ready");
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "unavailable", "error": "the database does not answer" }),
            )
        }
    }
}

/// `GET /metrics`: Prometheus's text format.
pub(crate) async fn metrics<S: Storage>(State(st): Shared<S>) -> Resp {
    let pending = match st.db.outbox_pending().await {
        Ok(n) => n,
        Err(e) => return server_error(&e.0),
    };
    let mut resp = Response::new(Body::from(metrics::render(pending)));
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    resp
}

/// The OpenAPI 3.1 description of every route, written once; `tests/server/openapi.rs`
/// holds it to the routes and `make test-api` fuzzes the server against it.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /openapi.json`.
pub(crate) async fn openapi() -> Resp {
    with_json(StatusCode::OK, Bytes::from_static(OPENAPI.as_bytes()))
}

/// `GET /api/v1/status` (no token): what a client needs before its first call.
pub(crate) async fn status<S: Storage>(State(st): Shared<S>) -> Resp {
    let quota = st.api_limiter.quota();
    let base = st.public_url.as_str();
    json_response(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "api_version": "v1",
            "authentication": "bearer",
            "rate_limit": { "limit": quota.limit, "scope": "token", "window_seconds": quota.window.as_secs() },
            "versioning": {
                "current": "v1",
                "supported": ["v1"],
                "deprecated": [],
                "policy_url": format!("{base}/openapi.json"),
                "signalling": "path",
            },
            "documentation_url": format!("{base}/openapi.json"),
            "developer_portal_url": format!("{base}/"),
            "openapi_url": format!("{base}/openapi.json"),
        }),
    )
}

/// `GET /api/v1/public/config`.
pub(crate) async fn public_config<S: Storage>(State(st): Shared<S>) -> Resp {
    match st.db.public_config().await {
        Ok(config) => json_response(StatusCode::OK, &config),
        Err(e) => server_error(&e.0),
    }
}
