//! `/openapi.json` against the routes: every documented operation is routed, and every
//! path answers 405 to the methods the document does not list for it.

use super::*;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

#[test]
fn the_document_lists_every_operation_the_router_answers() {
    let d = demo("openapi");
    let addr = d.server.addr;
    let doc = get(addr, "/openapi.json", None);
    assert_eq!((doc.status, doc.header("content-type")), (200, Some("application/json")));
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 10, "{paths:?}");
    let bearer = format!("Bearer {}", d.token);
    for (template, operations) in paths {
        let path = template.replace("{account_id}", &d.store.to_string()).replace("{id}", "1");
        let documented: Vec<String> =
            operations.as_object().expect("operations").keys().map(|m| m.to_uppercase()).collect();
        for method in METHODS {
            let resp = request(
                addr,
                method,
                &path,
                &[("Authorization", &bearer), ("Content-Type", "application/json")],
                b"{}",
            )
            .expect("request");
            let body = String::from_utf8_lossy(&resp.body).into_owned();
            if documented.iter().any(|m| m == method) {
                assert_ne!(resp.status, 405, "{method} {template} is documented: {body}");
                assert!(!body.contains("no such route"), "{method} {template} is documented: {body}");
                let statuses = operations[method.to_lowercase()]["responses"].as_object().expect("responses");
                // `{}` is not a valid body anywhere; the answer must still be a documented one.
                assert!(
                    statuses.contains_key(&resp.status.to_string()),
                    "{method} {template} answered {}: {body}",
                    resp.status
                );
            } else {
                assert_eq!(resp.status, 405, "{method} {template} is not documented: {body}");
                let allow = resp.header("allow").unwrap_or("").to_uppercase();
                for m in &documented {
                    assert!(allow.contains(m.as_str()), "{template}: Allow {allow:?} lacks {m}");
                }
            }
        }
    }
}
