//! The routes (axum) and the layers around them (tower-http): every path is written once,
//! here.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::auth;
use super::handlers::{self, error};
use super::language;
use super::metrics;
use super::static_files;
use super::store::Storage;
use super::AppState;
use crate::Shape;

/// Browsers may cache a preflight answer this long.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The request id's header: taken from the client (or the proxy in front) when present,
/// else a new UUID; sent back on the answer and written on the request's log line.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The answer when a request took longer than the request timeout.
pub fn timed_out() -> Response {
    let mut resp = error(StatusCode::REQUEST_TIMEOUT, "the request took too long");
    resp.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// RFC 9112, 3.2: an HTTP/1.1 request without exactly one `Host` field is a 400.
pub fn host_is_missing<B>(req: &Request<B>) -> bool {
    req.version() == axum::http::Version::HTTP_11 && req.headers().get_all(axum::http::header::HOST).iter().count() != 1
}

/// Every route, with its layers. `GET` routes answer `HEAD` too (headers only).
pub fn router<S: Storage>(st: Arc<AppState<S>>) -> Router {
    // Stateless and storing nothing: any page may call them, without credentials.
    let validate = Router::new()
        .route("/api/v1/validate/store", post(|req| handlers::validate(req, Shape::Store)))
        .route("/api/v1/validate/square", post(|req| handlers::validate(req, Shape::Square)))
        .method_not_allowed_fallback(not_allowed)
        .route_layer(axum::middleware::from_fn(language::layer))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::POST])
                .allow_headers([CONTENT_TYPE])
                .max_age(PREFLIGHT_MAX_AGE),
        );
    // The token routes: the gate (token, store, rate limit) runs only on a matched route,
    // so a 405 or a CORS preflight needs no token.
    let store_api = Router::new()
        .route(
            "/api/v1/accounts/{account}/customers",
            get(handlers::list_customers::<S>).post(handlers::create_customer::<S>),
        )
        .route(
            "/api/v1/accounts/{account}/customers/{id}",
            get(handlers::get_customer::<S>).patch(handlers::patch_customer::<S>),
        )
        .route_layer(axum::middleware::from_fn_with_state(st.clone(), auth::store_api::<S>))
        .route_layer(axum::middleware::from_fn(language::layer))
        .method_not_allowed_fallback(not_allowed);
    // Square's routes answer Square's error shape, 404 and 405 included.
    let square = Router::new()
        .route("/v2/customers", get(handlers::square_list::<S>).post(handlers::square_create::<S>))
        .route("/v2/customers/search", post(handlers::square_search::<S>))
        .route("/v2/customers/bulk-create", post(handlers::bulk_create::<S>))
        .route("/v2/customers/bulk-retrieve", post(handlers::bulk_retrieve::<S>))
        .route("/v2/customers/bulk-update", post(handlers::bulk_update::<S>))
        .route("/v2/customers/bulk-delete", post(handlers::bulk_delete::<S>))
        .route(
            "/v2/customers/{id}",
            get(handlers::square_retrieve::<S>).put(handlers::square_update::<S>).delete(handlers::square_delete::<S>),
        )
        .route_layer(axum::middleware::from_fn_with_state(st.clone(), auth::square_api::<S>))
        .route("/v2/{*rest}", any(handlers::square_not_found))
        .method_not_allowed_fallback(handlers::square_not_allowed);
    let mut token = store_api.merge(square);
    // The token routes answer other origins only when the operator names them.
    if !st.cors_origins.is_empty() {
        token = token.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(st.cors_origins.iter().cloned()))
                .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
                .allow_headers([AUTHORIZATION, CONTENT_TYPE, HeaderName::from_static("idempotency-key")])
                .expose_headers([
                    REQUEST_ID,
                    RETRY_AFTER,
                    HeaderName::from_static("ratelimit-limit"),
                    HeaderName::from_static("ratelimit-remaining"),
                    HeaderName::from_static("ratelimit-reset"),
                    HeaderName::from_static("ratelimit-policy"),
                ])
                .max_age(PREFLIGHT_MAX_AGE),
        );
    }
    let api = Router::new()
        .route("/healthz", get(handlers::health))
        .route("/readyz", get(handlers::ready::<S>))
        .route("/metrics", get(handlers::metrics::<S>))
        .route("/openapi.json", get(handlers::openapi))
        .route("/api/v1/public/config", get(handlers::public_config::<S>))
        .route("/api/v1/status", get(handlers::status::<S>))
        .route("/join/{account}", post(handlers::join::<S>).layer(axum::middleware::from_fn(language::layer)))
        .route("/passes/{uuid}", get(handlers::pass::<S>))
        .route("/passes/{uuid}/{wallet}", get(handlers::wallet))
        .route_service("/admin", static_files::page(st.www_dir.clone(), "/admin.html"))
        .route("/api/{*rest}", any(|| async { static_files::not_found() }))
        // Before the merges: it replaces each route's fallback, the CORS layers' included.
        .method_not_allowed_fallback(not_allowed)
        .merge(validate)
        .merge(token);
    let www = static_files::service(st.www_dir.clone());
    let pkg = static_files::service(st.pkg_dir.clone());
    api.with_state(st).nest_service("/pkg", pkg).fallback_service(www).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request<_>| {
                        let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                        tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
                    })
                    .on_request(())
                    .on_response(
                        DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros),
                    )
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(axum::middleware::from_fn(metrics::track)),
    )
}

/// 405 in the API's shape; axum adds the `Allow` header of the path's routes.
async fn not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed for this route (see the Allow header)").into_response()
}
