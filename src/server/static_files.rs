//! The static site and the package: tower-http's `ServeDir` (ranges, `HEAD`,
//! `Last-Modified`, the `.br`/`.gz` files `make pkg` writes, chosen by `Accept-Encoding`)
//! behind a guard that adds what `ServeDir` leaves out:
//! - no file outside the folder: `ServeDir` refuses `..` but follows a symbolic link placed
//!   in the folder wherever it points, so the guard resolves the path first;
//! - no hidden files (`.git`, `.env`);
//! - an `ETag` and `If-None-Match` (304), `Cache-Control: no-cache` (the package's names
//!   carry no hash, so a browser revalidates, and a 304 costs no body), `Vary` where a
//!   compressed copy exists, and `charset=utf-8` on text.

use std::convert::Infallible;
use std::path::{Component, Path as FsPath, PathBuf};
use std::time::UNIX_EPOCH;

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::util::{BoxCloneSyncService, ServiceExt as _};
use tower::Service;
use tower_http::services::ServeDir;

use super::handlers::error;

/// The JSON 404 every unknown path gets, file or route.
pub(crate) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such route").into_response()
}

/// Serves the files under `root` (see the module's comment).
pub fn service(root: PathBuf) -> BoxCloneSyncService<Request, Response, Infallible> {
    let files = ServeDir::new(&root)
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        .fallback(tower::service_fn(|_req: Request| async { Ok::<_, Infallible>(not_found()) }));
    BoxCloneSyncService::new(tower::service_fn(move |req: Request| {
        let files = files.clone();
        let root = root.clone();
        async move { Ok(guarded(req, &root, files).await) }
    }))
}

/// Serves one file of `root` (a path such as `/admin.html`) at another route, so that a
/// page has a clean address.
pub fn page(root: PathBuf, file: &'static str) -> BoxCloneSyncService<Request, Response, Infallible> {
    let files = service(root);
    BoxCloneSyncService::new(tower::service_fn(move |mut req: Request| {
        let files = files.clone();
        *req.uri_mut() = axum::http::Uri::from_static(file);
        files.oneshot(req)
    }))
}

async fn guarded<F>(req: Request, root: &FsPath, files: F) -> Response
where
    F: Service<Request, Error = Infallible> + Send,
    F::Response: IntoResponse,
    F::Future: Send,
{
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return not_found();
    }
    let Some(file) = resolve(root, req.uri().path()).await else { return not_found() };
    let Ok(meta) = tokio::fs::metadata(&file).await else { return not_found() };
    let etag = entity_tag(&meta);
    if let Some(etag) = &etag {
        let matches = req
            .headers()
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == "*" || tag.trim().trim_start_matches("W/") == etag.trim_start_matches("W/"));
        if matches {
            let mut resp = StatusCode::NOT_MODIFIED.into_response();
            resp.headers_mut().insert(ETAG, HeaderValue::from_str(etag).expect("hex and quotes"));
            resp.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            return resp;
        }
    }
    let compressed = has_compressed_copy(&file).await;
    let Ok(resp) = files.oneshot(req).await;
    let mut resp = resp.into_response();
    if !resp.status().is_success() {
        return resp;
    }
    let headers = resp.headers_mut();
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        headers.insert(ETAG, etag);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if compressed {
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    let text = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(with_charset);
    if let Some(text) = text {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(text));
    }
    resp
}

/// The file a request path names, resolved, if it is a regular file inside `root` and no
/// segment is hidden; a folder means its `index.html`.
async fn resolve(root: &FsPath, path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let mut file = root.to_path_buf();
    for component in FsPath::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(name) if !name.to_string_lossy().starts_with('.') => file.push(name),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if decoded.ends_with('/') || tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        file.push("index.html");
    }
    let root = tokio::fs::canonicalize(root).await.ok()?;
    let real = tokio::fs::canonicalize(&file).await.ok()?;
    let is_file = tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_file());
    (is_file && real.starts_with(&root)).then_some(real)
}

/// A weak validator from the file's length and modification time: it changes whenever
/// `make pkg` rewrites the file, and needs no read of its bytes.
fn entity_tag(meta: &std::fs::Metadata) -> Option<String> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!("W/\"{:x}-{:x}\"", meta.len(), modified.as_nanos()))
}

async fn has_compressed_copy(file: &FsPath) -> bool {
    for suffix in [".br", ".gz"] {
        let mut copy = file.as_os_str().to_owned();
        copy.push(suffix);
        if tokio::fs::metadata(&copy).await.is_ok_and(|m| m.is_file()) {
            return true;
        }
    }
    false
}

/// `mime_guess` names text types without a charset; every text file here is UTF-8.
fn with_charset(content_type: &str) -> Option<&'static str> {
    Some(match content_type {
        "text/html" => "text/html; charset=utf-8",
        "text/javascript" | "application/javascript" => "text/javascript; charset=utf-8",
        "text/css" => "text/css; charset=utf-8",
        "text/plain" => "text/plain; charset=utf-8",
        "text/markdown" => "text/markdown; charset=utf-8",
        "image/svg+xml" => "image/svg+xml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_types_get_a_charset_and_others_are_left() {
        assert_eq!(super::with_charset("text/html"), Some("text/html; charset=utf-8"));
        assert_eq!(super::with_charset("application/javascript"), Some("text/javascript; charset=utf-8"));
        assert_eq!(super::with_charset("application/wasm"), None);
    }
}
