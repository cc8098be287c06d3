//! The router: one `match` on (method, path segments).

use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Body;
use hyper::header::{HeaderValue, ACCEPT_ENCODING, ALLOW, CONNECTION, CONTENT_ENCODING, CONTENT_TYPE, HOST, VARY};
use hyper::{Method, Request, Response, StatusCode, Version};
use serde_json::json;

use super::handlers::{self, error, json_response, Handled, Resp};
use super::store::Storage;
use super::AppState;
use crate::Shape;

/// The answer when a request took longer than the request timeout.
pub fn timed_out() -> Resp {
    let mut resp = error(StatusCode::REQUEST_TIMEOUT, "the request took too long");
    resp.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// RFC 9112, 3.2: an HTTP/1.1 request without exactly one `Host` field is a 400.
fn host_is_missing<B>(req: &Request<B>) -> bool {
    req.version() == Version::HTTP_11 && req.headers().get_all(HOST).iter().count() != 1
}

/// Routes one request. `HEAD` is routed as `GET`: hyper sends the answer's headers without
/// its body (RFC 9110, 9.3.2).
/// `peer` is the connection's other end (the client, or the proxy in front of it).
pub async fn route<B, S: Storage>(req: Request<B>, st: Arc<AppState<S>>, peer: SocketAddr) -> Handled
where
    B: Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if host_is_missing(&req) {
        return Ok(error(StatusCode::BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header"));
    }
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(&path).split('/').collect();
    let method = if req.method() == Method::HEAD { Method::GET } else { req.method().clone() };
    match (&method, segments.as_slice()) {
        (&Method::GET, ["healthz"]) => Ok(json_response(StatusCode::OK, &json!({ "status": "ok" }))),
        (&Method::GET, ["readyz"]) => handlers::ready(st).await,
        (&Method::POST, ["api", "v1", "validate", "store"]) => handlers::validate(req, Shape::Store).await,
        (&Method::POST, ["api", "v1", "validate", "square"]) => handlers::validate(req, Shape::Square).await,
        (&Method::POST, ["api", "v1", "accounts", account, "customers"]) => {
            handlers::create_customer(req, account, st).await
        }
        (&Method::GET, ["api", "v1", "accounts", account, "customers", id]) => {
            handlers::get_customer(req, account, id, st).await
        }
        (&Method::POST, ["v2", "customers"]) => handlers::square_create(req, st).await,
        (&Method::POST, ["join", account]) => handlers::join(req, account, st, peer.ip()).await,
        (&Method::GET, ["api", "v1", "public", "config"]) => handlers::public_config(st).await,
        (_, ["healthz" | "readyz"])
        | (_, ["api", "v1", "public", "config"])
        | (_, ["api", "v1", "accounts", _, "customers", _]) => Ok(not_allowed("GET, HEAD")),
        (_, ["api", "v1", "validate", "store" | "square"])
        | (_, ["api", "v1", "accounts", _, "customers"])
        | (_, ["v2", "customers"])
        | (_, ["join", _]) => Ok(not_allowed("POST")),
        (_, ["api", ..]) | (_, ["v2", ..]) => Ok(error(StatusCode::NOT_FOUND, "no such route")),
        (&Method::GET, ["pkg", rest @ ..]) => Ok(static_file(&st.pkg_dir, rest, accepts_gzip(&req)).await),
        (&Method::GET, rest) => Ok(static_file(&st.www_dir, rest, accepts_gzip(&req)).await),
        _ => Ok(error(StatusCode::NOT_FOUND, "no such route")),
    }
}

fn not_allowed(allow: &'static str) -> Resp {
    let mut resp = error(StatusCode::METHOD_NOT_ALLOWED, &format!("method not allowed (use {allow})"));
    resp.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    resp
}

fn content_type(path: &FsPath) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether the client takes `Content-Encoding: gzip`: a `gzip` entry decides, without
/// `q=0`; with none, a `*` entry does (RFC 9110, 12.5.3), so `gzip;q=0, *` refuses gzip.
fn accepts_gzip<B>(req: &Request<B>) -> bool {
    let (mut gzip, mut any) = (None, None);
    for coding in
        req.headers().get_all(ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let taken = !parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.trim_end_matches(['0', '.']).is_empty()));
        if name.eq_ignore_ascii_case("gzip") {
            gzip = Some(taken);
        } else if name == "*" {
            any = Some(taken);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// A regular file inside `root`, refusing every segment that could leave it and every path
/// that resolves outside it (a symbolic link placed in the folder). When `make pkg` left a
/// `.gz` of it (the browser build's bundle and module, compressed with zopfli), a client
/// that takes gzip gets that instead: about a third of the browser build's bytes.
async fn static_file(root: &FsPath, segments: &[&str], gzip: bool) -> Resp {
    let not_found = || error(StatusCode::NOT_FOUND, "no such route");
    let mut path = PathBuf::from(root);
    let mut last = "";
    for segment in segments {
        let Ok(decoded) = percent_decode(segment) else { return not_found() };
        if decoded == ".." || decoded == "." || decoded.contains(['/', '\\', '\0']) || decoded.starts_with('.') {
            return not_found();
        }
        if !decoded.is_empty() {
            path.push(&decoded);
        }
        last = segment;
    }
    if last.is_empty() || tokio::fs::metadata(&path).await.map(|m| m.is_dir()).unwrap_or(false) {
        path.push("index.html");
    }
    let Ok(root) = tokio::fs::canonicalize(root).await else { return not_found() };
    let Some(plain) = inside(&root, &path).await else { return not_found() };
    let mut compressed = path.clone().into_os_string();
    compressed.push(".gz");
    let compressed = inside(&root, FsPath::new(&compressed)).await;
    let has_gz = compressed.is_some();
    let served = match (&compressed, gzip) {
        (Some(gz), true) => tokio::fs::read(gz).await,
        _ => tokio::fs::read(&plain).await,
    };
    match served {
        Ok(bytes) => {
            let mut resp = Response::new(Full::new(Bytes::from(bytes)));
            let headers = resp.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
            if has_gz {
                headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
                if gzip {
                    headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
            }
            resp
        }
        Err(_) => not_found(),
    }
}

/// `path` resolved, if it is a regular file inside `root` (itself already resolved).
async fn inside(root: &FsPath, path: &FsPath) -> Option<PathBuf> {
    let real = tokio::fs::canonicalize(path).await.ok()?;
    let is_file = tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_file());
    (is_file && real.starts_with(root)).then_some(real)
}

fn percent_decode(segment: &str) -> Result<String, ()> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let text = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(text, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}
