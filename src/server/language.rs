//! Which language the answer is worded in (RULES.md, "Messages and locales"): `?locale=`,
//! else `Accept-Language` with its q-values, else none, which keeps the Store API's
//! English fragments. Every answer of the routes that word messages says the locale
//! chosen in `Content-Language`.

use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::handlers::error;
use crate::messages::{canonical, has_locale, resolve_locale};
use crate::OptionsError;

/// The locale a request asked for, canonical (`pt-BR`), or `None`.
#[derive(Clone, Debug, Default)]
pub struct Asked(pub Option<String>);

/// The locale of `?locale=`, else the best of `Accept-Language`; a malformed `?locale=`
/// is the caller's mistake, said in the error.
pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Result<Asked, OptionsError> {
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if name == "locale" {
            return canonical(&value)
                .map(|tag| Asked(Some(tag)))
                .ok_or_else(|| OptionsError::Locale(value.into_owned()));
        }
    }
    let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else { return Ok(Asked(None)) };
    Ok(Asked(accept_language(header)))
}

/// The first tag by q-value (ties in the header's order) that the catalogue has or that is
/// English; English if the header names only languages the catalogue lacks.
pub fn accept_language(header: &str) -> Option<String> {
    let mut ranges: Vec<(String, f32)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").map(str::trim))
                .next()
                .map_or(Some(1.0), |q| q.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)))?;
            (tag != "*" && q > 0.0).then(|| Some((canonical(tag)?, q))).flatten()
        })
        .collect();
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
    let english = |tag: &str| tag == "en" || tag.starts_with("en-");
    let best = ranges.iter().find(|(tag, _)| has_locale(tag) || english(tag));
    Some(best.map_or_else(|| "en".to_owned(), |(tag, _)| tag.clone()))
}

/// The layer: negotiates, hands the handler an [`Asked`], and writes `Content-Language`.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let asked = match negotiate(req.uri().query(), req.headers()) {
        Ok(asked) => asked,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let chosen = asked.0.as_deref().map_or_else(|| "en".to_owned(), resolve_locale);
    req.extensions_mut().insert(asked);
    let mut resp = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&chosen) {
        resp.headers_mut().insert(CONTENT_LANGUAGE, value);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_values_order_the_languages() {
        assert_eq!(accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7").as_deref(), Some("fr-CH"));
        assert_eq!(accept_language("ko, de;q=0.5, en;q=0.4").as_deref(), Some("de"));
        assert_eq!(accept_language("en;q=0.2, pl;q=0.9").as_deref(), Some("pl"));
        assert_eq!(accept_language("ko, ja;q=0").as_deref(), Some("en"));
        assert_eq!(accept_language("*"), None);
        assert_eq!(accept_language("de;q=2, !!"), None);
    }

    #[test]
    fn the_query_wins_and_a_bad_one_is_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("de"));
        assert_eq!(negotiate(Some("locale=ar"), &headers).unwrap().0.as_deref(), Some("ar"));
        assert_eq!(negotiate(None, &headers).unwrap().0.as_deref(), Some("de"));
        assert!(negotiate(Some("locale=%20"), &headers).is_err());
        assert_eq!(negotiate(None, &HeaderMap::new()).unwrap().0, None);
    }
}
