//! One async fn per route. Every failure becomes a response here, in the API's own shape.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, HttpBody as _};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::metrics;
use super::store::{CreateError, CustomerQuery, IdempotencyKey, Lookup, SquareOutcome, Storage, StoreInfo, Valid};
use super::AppState;
use crate::{store_error_body, Code, Date, Options, Params, Path, Report, Violation};

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

pub(crate) fn server_error(what: &str) -> Resp {
    tracing::error!(error = what, "internal error");
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

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

fn too_large() -> Reject {
    Reject(StatusCode::PAYLOAD_TOO_LARGE, format!("request body is larger than {MAX_BODY} bytes"))
}

/// Reads at most [`MAX_BODY`] bytes; the limit stops the read, not a check after it.
async fn read_body(req: Request) -> Result<Bytes, Reject> {
    // A Content-Length past the limit is refused before a byte is read, not after the
    // client has sent (or stalled on) that many.
    if req.body().size_hint().lower() > MAX_BODY as u64 {
        return Err(too_large());
    }
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(Reject(StatusCode::BAD_REQUEST, format!("could not read the request body: {e}"))),
    }
}

/// The request as JSON, from either encoding.
async fn read_input(req: Request, form_allowed: bool) -> Result<Value, Reject> {
    let encoding = content_encoding(&req, form_allowed)?;
    let bytes = read_body(req).await?;
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
                let today = value.parse::<Date>().map_err(|_| {
                    Reject(
                        StatusCode::BAD_REQUEST,
                        format!("option `today`: {value:?} is not a YYYY-MM-DD calendar date"),
                    )
                })?;
                options = options.with_today(today);
            }
            _ => {}
        }
    }
    Ok(options)
}

/// 404 unless the path names the token's store (put in the request by [`super::auth`]):
/// another store's path names nothing this token may see.
fn store_not_found() -> Resp {
    error(StatusCode::NOT_FOUND, "store not found")
}

/// The `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header Field"): a
/// Structured Field string, taken quoted or bare; 1–255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Reject> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = || {
        Reject(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key must be one string of 1 to 255 visible ASCII characters".into(),
        )
    };
    if values.next().is_some() {
        return Err(bad());
    }
    let text = value.to_str().map_err(|_| bad())?.trim();
    let key = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let visible = key.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if key.is_empty() || key.len() > 255 || !visible {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
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
    let input = match read_input(req, matches!(shape, crate::Shape::Store)).await {
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

/// `POST /api/v1/accounts/:account_id/customers`.
pub(crate) async fn create_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    account: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    if store.id != id_param(account) {
        return store_not_found();
    }
    let key = match idempotency_key(req.headers()) {
        Ok(key) => key,
        Err(reject) => return reject.response(),
    };
    let input = match read_input(req, true).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    let valid = match Valid::store(&input, &store.options()) {
        Ok(v) => v,
        Err(report) => {
            counted(&report.errors);
            return json_response(StatusCode::UNPROCESSABLE_ENTITY, &report.store_body());
        }
    };
    let key =
        key.map(|key| IdempotencyKey { key, body_hash: Sha256::digest(canonical(valid.value()).as_bytes()).into() });
    match st.db.create_customer(store.id, valid, key).await {
        Ok(customer) => json_response(StatusCode::CREATED, &customer),
        Err(CreateError::Rejected(violations)) => {
            json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&violations)))
        }
        Err(CreateError::KeyReused) => {
            json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&[key_reused()])))
        }
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}

/// An idempotency key sent again with another body, in either API.
fn key_reused() -> Violation {
    Violation::new(Path::root().key("idempotency_key"), Code::IdempotencyKeyReused, Params::new())
}

/// The form field people leave empty and bots fill: a sign-up that fills it is answered as
/// accepted and stored nowhere.
pub const HONEYPOT: &str = "website";

/// What `/join` answers for every sign-up it takes, new customer or not.
const JOIN_ACCEPTED: &str =
    "Thanks for signing up! If you asked for your card, it is on its way to the email address or phone number you gave.";

/// Fields links to other systems need a token for: the public sign-up refuses them.
const TOKEN_ONLY_FIELDS: [&str; 2] = ["external_references", "metadata"];

/// `POST /join/:account_id`: public sign-up, no token, for stores that opened it. Rate
/// limited per client address and per store. A new customer and an email or phone already
/// taken get the same 202 (and the existing customer their card links again), so the
/// route tells nobody who is a customer.
pub(crate) async fn join<S: Storage>(
    State(st): Shared<S>,
    account: Result<UrlPath<String>, PathRejection>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Resp {
    let not_found = || error(StatusCode::NOT_FOUND, "store not found");
    let store = match st.db.store(id_param(account)).await {
        Ok(Some(store)) if store.public_signup => store,
        Ok(_) => return not_found(),
        Err(e) => return server_error(&e.0),
    };
    let client = super::client::client_address(peer.ip(), req.headers(), &st.trusted_proxies);
    let decision = st.join_limiter.check(client, store.id);
    let mut resp = if decision.allowed {
        join_answer(req, &store, &st).await
    } else {
        let wait = decision.reset.as_secs().max(1);
        error(StatusCode::TOO_MANY_REQUESTS, &format!("too many sign-ups; try again in {wait} seconds"))
    };
    decision.write_headers(resp.headers_mut());
    resp
}

async fn join_answer<S: Storage>(req: Request, store: &StoreInfo, st: &AppState<S>) -> Resp {
    let accepted = || json_response(StatusCode::ACCEPTED, &json!({ "status": "accepted", "message": JOIN_ACCEPTED }));
    let mut input = match read_input(req, true).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    if let Some(fields) = input.as_object_mut() {
        let trap = fields.remove(HONEYPOT);
        if trap.as_ref().and_then(Value::as_str).is_some_and(|v| !v.trim().is_empty()) {
            return accepted();
        }
    }
    let token_only: Vec<Violation> = TOKEN_ONLY_FIELDS
        .iter()
        .filter(|field| input.get("customer").and_then(|c| c.get(**field)).is_some())
        .map(|field| {
            let params = Params::from_iter([("reason".to_owned(), json!("needs_token"))]);
            Violation::new(Path::root().key("customer").key(*field), Code::UnknownField, params)
        })
        .collect();
    let valid = match Valid::store(&input, &store.options()) {
        Ok(valid) if token_only.is_empty() => valid,
        Ok(_) => return json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&token_only))),
        Err(report) => {
            let mut errors = report.errors;
            errors.extend(token_only);
            return json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&errors)));
        }
    };
    match st.db.join(store.id, valid).await {
        Ok(()) => accepted(),
        Err(CreateError::Rejected(violations)) => {
            json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&violations)))
        }
        Err(CreateError::KeyReused) => server_error("a sign-up has no idempotency key"),
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}

/// `GET /api/v1/accounts/:account_id/customers/:id`.
pub(crate) async fn get_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    ids: Result<UrlPath<(String, String)>, PathRejection>,
) -> Resp {
    let (account, id) = match ids {
        Ok(UrlPath((account, id))) => (path_id(&account).unwrap_or(0), path_id(&id)),
        Err(_) => (0, None),
    };
    if store.id != account {
        return store_not_found();
    }
    let Some(id) = id else { return error(StatusCode::NOT_FOUND, "customer not found") };
    match st.db.get_customer(store.id, id).await {
        Ok(Some(customer)) => json_response(StatusCode::OK, &customer),
        Ok(None) => error(StatusCode::NOT_FOUND, "customer not found"),
        Err(e) => server_error(&e.0),
    }
}

/// Searches shorter than this can't use the trigram index.
const SEARCH_MIN_CHARS: usize = 3;
/// `items` per page: the default and the most.
const ITEMS_DEFAULT: u32 = 25;
const ITEMS_MAX: u32 = 100;

/// `?search=&page=&items=` or `?source=&external_id=`, every problem reported at once in
/// the store error body.
fn customer_query(query: Option<&str>) -> Result<CustomerQuery, Vec<Violation>> {
    let (mut search, mut source, mut external_id, mut page, mut items) = (None, None, None, None, None);
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let (text, exact) = (value.trim().to_owned(), value.into_owned());
        match name.as_ref() {
            "search" => search = Some(text),
            "source" => source = Some(text),
            "external_id" => external_id = Some(text),
            "page" => page = Some(exact),
            "items" => items = Some(exact),
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let mut number = |name: &'static str, text: Option<String>, default: u32, max: u32| -> u32 {
        let Some(text) = text.filter(|t| !t.is_empty()) else { return default };
        match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                let params = Params::from_iter([("min".to_owned(), json!(1)), ("max".to_owned(), json!(max))]);
                errors.push(Violation::new(Path::root().key(name), Code::OutOfRange, params));
                default
            }
        }
    };
    let page = number("page", page, 1, u32::MAX / ITEMS_MAX);
    let items = number("items", items, ITEMS_DEFAULT, ITEMS_MAX);
    let lookup = match (source.filter(|s| !s.is_empty()), external_id.filter(|s| !s.is_empty())) {
        (Some(source), Some(external_id)) => Lookup::Reference { source, external_id },
        (Some(_), None) => {
            errors.push(Violation::new(Path::root().key("external_id"), Code::Required, Params::new()));
            Lookup::All
        }
        (None, Some(_)) => {
            errors.push(Violation::new(Path::root().key("source"), Code::Required, Params::new()));
            Lookup::All
        }
        (None, None) => match search.filter(|s| !s.is_empty()) {
            None => Lookup::All,
            Some(text) if is_card_code(&text) => Lookup::CardCode(text.to_ascii_lowercase()),
            Some(text) => {
                // A phone typed any way ("(212) 555-42") is searched by its digits, which
                // the index holds.
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
                let phrase = if phone_like && digits.len() >= SEARCH_MIN_CHARS { digits } else { text };
                if phrase.chars().count() < SEARCH_MIN_CHARS {
                    let params = Params::from_iter([
                        ("reason".to_owned(), json!("too_short")),
                        ("min".to_owned(), json!(SEARCH_MIN_CHARS)),
                    ]);
                    errors.push(Violation::new(Path::root().key("search"), Code::InvalidValue, params));
                }
                Lookup::Search(phrase)
            }
        },
    };
    if errors.is_empty() {
        Ok(CustomerQuery { lookup, page, items })
    } else {
        Err(errors)
    }
}

/// A card code as people copy it: 8 or more characters of a UUID (hex digits and dashes,
/// with at least one of the letters a–f, so not a phone number).
fn is_card_code(text: &str) -> bool {
    text.len() >= 8
        && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && text.chars().any(|c| c.is_ascii_alphabetic())
}

/// `GET /api/v1/accounts/:account_id/customers`: a page of the store's customers, all,
/// searched, or looked up by external reference.
pub(crate) async fn list_customers<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    account: Result<UrlPath<String>, PathRejection>,
    req: Request,
) -> Resp {
    if store.id != id_param(account) {
        return store_not_found();
    }
    let query = match customer_query(req.uri().query()) {
        Ok(query) => query,
        Err(violations) => {
            return json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&violations)))
        }
    };
    match st.db.list_customers(store.id, query).await {
        Ok(page) => json_response(StatusCode::OK, &page),
        Err(e) => server_error(&e.0),
    }
}

/// `PATCH /api/v1/accounts/:account_id/customers/:id`: a partial update, judged by the
/// update rules against the stored customer.
pub(crate) async fn patch_customer<S: Storage>(
    State(st): Shared<S>,
    Extension(store): Extension<StoreInfo>,
    ids: Result<UrlPath<(String, String)>, PathRejection>,
    req: Request,
) -> Resp {
    let (account, id) = match ids {
        Ok(UrlPath((account, id))) => (path_id(&account).unwrap_or(0), path_id(&id)),
        Err(_) => (0, None),
    };
    if store.id != account {
        return store_not_found();
    }
    let Some(id) = id else { return error(StatusCode::NOT_FOUND, "customer not found") };
    let patch = match read_input(req, true).await {
        Ok(v) => v,
        Err(reject) => return reject.response(),
    };
    match st.db.update_customer(store.id, id, patch, store.options()).await {
        Ok(Some(customer)) => json_response(StatusCode::OK, &customer),
        Ok(None) => error(StatusCode::NOT_FOUND, "customer not found"),
        Err(CreateError::Rejected(violations)) => {
            json_response(StatusCode::UNPROCESSABLE_ENTITY, &store_error_body(counted(&violations)))
        }
        Err(CreateError::KeyReused) => server_error("an update has no idempotency key"),
        Err(CreateError::Storage(e)) => server_error(&e),
    }
}

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
pub const OPENAPI: &str = include_str!("openapi.json");

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

/// `GET /api/v1/public/config`.
pub(crate) async fn public_config<S: Storage>(State(st): Shared<S>) -> Resp {
    match st.db.public_config().await {
        Ok(config) => json_response(StatusCode::OK, &config),
        Err(e) => server_error(&e.0),
    }
}
