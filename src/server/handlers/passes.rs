//! `GET /passes/:uuid`: the page the wallet links in every customer card lead to. A real
//! Apple or Google pass needs signing keys the shop supplies; until then this page is the
//! card: its name, the shop, the customer's first name and the stamps.

use axum::http::header::{CACHE_CONTROL, LOCATION};

use super::*;

/// What a path segment keeps as it is (RFC 3986 unreserved); the rest is percent-encoded.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The most stamps drawn one by one; past it the page gives the figures only.
const MAX_DRAWN: i64 = 50;

fn html(status: StatusCode, body: String) -> Resp {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The stamps change; the page is read fresh each time.
    resp.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Text for HTML: every character that could open markup, escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f1ea}}\
         main{{background:#fff;border-radius:16px;padding:2rem;max-width:22rem;box-shadow:0 4px 24px #0002}}h1{{margin:0}}\
         .stamps{{font-size:1.6rem;letter-spacing:.2rem;word-wrap:break-word}}.note{{color:#666;font-size:.85rem}}</style>\n<main>\n{main}\n</main>\n"
    )
}

fn not_found_page() -> Resp {
    html(
        StatusCode::NOT_FOUND,
        page("Card not found", "<h1>Card not found</h1>\n<p>This link does not lead to a card.</p>"),
    )
}

/// `GET /passes/:uuid`.
pub(crate) async fn pass<S: Storage>(State(st): Shared<S>, uuid: Result<UrlPath<String>, PathRejection>) -> Resp {
    let Ok(UrlPath(uuid)) = uuid else { return not_found_page() };
    let card = match st.db.pass(uuid).await {
        Ok(Some(card)) => card,
        Ok(None) => return not_found_page(),
        Err(e) => return server_error(&e.0),
    };
    let text = |key: &str| escape(card[key].as_str().unwrap_or(""));
    let (stamps, required) =
        (card["stamps_count"].as_i64().unwrap_or(0), card["stamps_required"].as_i64().unwrap_or(0));
    let left = (required - stamps).max(0);
    let drawn = if required <= MAX_DRAWN {
        format!(
            "<p class=\"stamps\" aria-hidden=\"true\">{}{}</p>\n",
            "●".repeat(usize::try_from(stamps.min(required)).unwrap_or(0)),
            "○".repeat(usize::try_from(left).unwrap_or(0))
        )
    } else {
        String::new()
    };
    let holder = match card["first_name"].as_str() {
        Some(name) if !name.is_empty() => format!("<p>{}'s card</p>\n", escape(name)),
        _ => String::new(),
    };
    let main = format!(
        "<h1>{card_name}</h1>\n<p>{store}</p>\n{holder}{drawn}<p><strong>{stamps}</strong> of {required} stamps; {left} to go.</p>\n\
         <p class=\"note\">Apple Wallet and Google Wallet passes need the shop's signing keys; until it adds them, this page is your card.</p>",
        card_name = text("card_name"),
        store = text("store_name"),
    );
    html(StatusCode::OK, page(&format!("{} · {}", text("card_name"), text("store_name")), &main))
}

/// `GET /passes/:uuid/:wallet`: the wallet links lead to the card's page (no signed pass
/// without the shop's keys).
pub(crate) async fn wallet(ids: Result<UrlPath<(String, String)>, PathRejection>) -> Resp {
    match ids {
        Ok(UrlPath((uuid, wallet))) if matches!(wallet.as_str(), "apple" | "google") => {
            let location = format!("/passes/{}", percent_encoding::utf8_percent_encode(&uuid, SEGMENT));
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::SEE_OTHER;
            if let Ok(location) = HeaderValue::from_str(&location) {
                resp.headers_mut().insert(LOCATION, location);
            }
            resp
        }
        _ => not_found_page(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(super::escape("<b>\"Zoë\" & 'co'</b>"), "&lt;b&gt;&quot;Zoë&quot; &amp; &#39;co&#39;&lt;/b&gt;");
    }
}
