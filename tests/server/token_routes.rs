//! The token routes' gate: per-token rate limits with their headers in both APIs' shapes,
//! the status route that announces them, and Square's error shape on unknown `/v2` paths.

use super::*;

#[test]
fn every_token_has_its_rate_limit_and_the_status_route_says_which() {
    let d = demo_with("token-limits", &["--api-rate-limit", "3", "--api-rate-window", "60"]);
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);

    let status = get(addr, "/api/v1/status", None);
    assert_eq!(status.status, 200);
    let body = status.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["rate_limit"], json!({ "limit": 3, "scope": "token", "window_seconds": 60 }));
    let openapi_url = body["openapi_url"].as_str().expect("openapi_url");
    assert!(openapi_url.ends_with("/openapi.json"), "{openapi_url}");
    assert!(body["versioning"]["supported"].as_array().is_some_and(|v| v.contains(&json!("v1"))));

    let customers = format!("/api/v1/accounts/{}/customers", d.store);
    let remaining: Vec<Option<String>> = (0..3)
        .map(|i| {
            let resp = post_json(addr, &customers, Some(&d.token), &customer(&format!("limit{i}@example.com")));
            assert_eq!(resp.status, 201);
            assert_eq!(resp.header("ratelimit-limit"), Some("3"));
            assert_eq!(resp.header("ratelimit-policy"), Some("3;w=60"));
            resp.header("ratelimit-remaining").map(str::to_owned)
        })
        .collect();
    assert_eq!(remaining, [Some("2".into()), Some("1".into()), Some("0".into())]);

    // The store API and Square's share the token's count; each refuses in its own shape.
    let refused = get(addr, &format!("{customers}/1"), Some(&d.token));
    assert_eq!(refused.status, 429);
    assert!(refused.json()["error"].as_str().is_some_and(|e| e.contains("too many")));
    let retry: u64 = refused.header("retry-after").and_then(|r| r.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&retry));
    let square = post_json(addr, "/v2/customers", Some(&d.token), &json!({ "given_name": "S" }));
    assert_eq!(square.status, 429);
    assert_eq!(square.json()["errors"][0]["category"], "RATE_LIMIT_ERROR");
    assert!(square.header("retry-after").is_some());
    let count = db_number(&db, "SELECT COUNT(*) FROM square_customers");
    assert_eq!(count, 0, "a refused request does nothing");

    // Another token of the same store counts apart; a bad token is 401 and counts nothing.
    let other = admin(&db, &["stores", "add", "--name", "Second", "--country", "US"]);
    let (other_store, other_token) = (printed(&other, "store"), printed(&other, "token"));
    let fresh = post_json(
        addr,
        &format!("/api/v1/accounts/{other_store}/customers"),
        Some(&other_token),
        &customer("second@example.com"),
    );
    assert_eq!((fresh.status, fresh.header("ratelimit-remaining")), (201, Some("2")));
    let bad = post_json(addr, &customers, Some("cv_not_a_token"), &customer("x@example.com"));
    assert_eq!((bad.status, bad.header("ratelimit-limit")), (401, None));
    // The unauthenticated routes are not counted against tokens.
    assert_eq!(get(addr, "/healthz", None).header("ratelimit-limit"), None);
}

#[test]
fn unknown_square_paths_and_methods_answer_in_squares_shape() {
    let d = demo("square-shape");
    let addr = d.server.addr;
    let missing = post_json(addr, "/v2/locations", Some(&d.token), &json!({}));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["errors"][0]["code"], "NOT_FOUND");
    let wrong = request(addr, "DELETE", "/v2/customers", &[("Authorization", &format!("Bearer {}", d.token))], b"")
        .expect("request");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.json()["errors"][0]["code"], "METHOD_NOT_ALLOWED");
    assert!(wrong.header("allow").is_some_and(|a| a.contains("POST")));
    let unauthorized = post_json(addr, "/v2/customers", None, &json!({ "given_name": "S" }));
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.json()["errors"][0]["category"], "AUTHENTICATION_ERROR");
}
