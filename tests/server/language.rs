//! Issue 19: the server words its answers in the language the request asks for
//! (`?locale=`, else `Accept-Language` with q-values), says which in `Content-Language`,
//! and keeps the Store API's English fragments when no language is asked for.

use super::*;

fn with_language(addr: SocketAddr, path: &str, token: Option<&str>, language: &str, body: &Value) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json"), ("Accept-Language", language)];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    request(addr, "POST", path, &headers, body.to_string().as_bytes()).expect("request")
}

#[test]
fn store_api_answers_in_the_asked_language_and_says_which() {
    let d = demo("language");
    let addr = d.server.addr;
    let path = format!("/api/v1/accounts/{}/customers", d.store);
    let bad = json!({ "customer": { "first_name": "", "email": "amelia@" } });

    // No language asked: the Store API's Rails-style English fragments, as before.
    let plain = post_json(addr, &path, Some(&d.token), &bad);
    assert_eq!(plain.status, 422);
    assert_eq!(plain.header("content-language"), Some("en"));
    assert_eq!(plain.json()["errors"]["first_name"], json!(["is required"]));
    assert_eq!(plain.json()["errors"]["email"], json!(["is not a valid email address"]));

    // Accept-Language with q-values: Korean is not in the catalogue, German is next.
    let german = with_language(addr, &path, Some(&d.token), "ko, de-AT;q=0.8, en;q=0.5", &bad);
    assert_eq!(german.status, 422);
    assert_eq!(german.header("content-language"), Some("de"));
    assert_eq!(german.json()["errors"]["first_name"], json!(["Bitte füllen Sie dieses Feld aus."]));
    assert_eq!(german.json()["errors"]["email"], json!(["Geben Sie eine E-Mail-Adresse wie name@example.com ein."]));

    // ?locale= wins over the header; a taken email (the database's verdict) is worded too.
    let first = post_json(addr, &path, Some(&d.token), &customer("taken@example.com"));
    assert_eq!(first.status, 201);
    let taken = with_language(addr, &format!("{path}?locale=fr"), Some(&d.token), "de", &customer("taken@example.com"));
    assert_eq!(taken.status, 422);
    assert_eq!(taken.header("content-language"), Some("fr"));
    assert_eq!(taken.json()["errors"]["email"], json!(["Ceci est déjà utilisé par un autre client."]));

    // An unknown card, in Arabic; the validate route in Polish, with its plural.
    let card = with_language(
        addr,
        &format!("{path}?locale=ar"),
        Some(&d.token),
        "",
        &json!({ "customer": { "first_name": "Ada", "email": "ada@example.com" }, "card_id": 999_999 }),
    );
    assert_eq!(card.status, 422);
    assert_eq!(card.json()["errors"]["card_id"], json!(["اختر إحدى بطاقات هذا المتجر."]));
    let polish = with_language(addr, "/api/v1/validate/square", None, "pl", &json!({ "given_name": "x".repeat(301) }));
    assert_eq!(polish.header("content-language"), Some("pl"));
    assert_eq!(polish.json()["errors"][0]["message"], "Wpisz najwyżej 300 znaków.");

    // A malformed ?locale= is the caller's mistake, said plainly.
    let wrong = post_json(addr, &format!("{path}?locale=%20%20"), Some(&d.token), &bad);
    assert_eq!(wrong.status, 400);
    assert!(wrong.json()["error"].as_str().unwrap_or("").contains("BCP 47"), "{:?}", wrong.json());
}

#[test]
fn the_public_sign_up_answers_in_the_asked_language() {
    let d = demo("language-join");
    let addr = d.server.addr;
    let path = format!("/join/{}", d.store);
    let accepted = with_language(addr, &path, None, "ja", &customer("hana@example.com"));
    assert_eq!(accepted.status, 202);
    assert_eq!(accepted.header("content-language"), Some("ja"));
    assert!(accepted.json()["message"].as_str().unwrap_or("").starts_with("ご登録ありがとうございます"));
    let refused = with_language(addr, &path, None, "ar", &json!({ "customer": { "first_name": "Hana" } }));
    assert_eq!(refused.status, 422);
    assert_eq!(refused.header("content-language"), Some("ar"));
    let errors = &refused.json()["errors"];
    assert_eq!(errors["email"], errors["phone"]);
    assert_eq!(errors["email"][0], "أدخل عنوان بريد إلكتروني أو رقم هاتف حتى نتمكن من التواصل معك.");
    // Without a language, the English sentence of old.
    let plain = post_json(addr, &path, None, &customer("ken@example.com"));
    assert!(plain.json()["message"].as_str().unwrap_or("").starts_with("Thanks for signing up!"));
}
