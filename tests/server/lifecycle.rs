//! The store API after the create (issue 17): `PATCH` by the update rules, the list with
//! its pagination, the search and the exact lookup by external reference.

use super::*;

fn patch(addr: SocketAddr, path: &str, token: &str, body: &Value) -> Resp {
    let headers = [("Content-Type", "application/json"), ("Authorization", &format!("Bearer {token}"))];
    request(addr, "PATCH", path, &headers, body.to_string().as_bytes()).expect("PATCH")
}

fn create(d: &Demo, body: &Value) -> Value {
    let resp = post_json(d.server.addr, &format!("/api/v1/accounts/{}/customers", d.store), Some(&d.token), body);
    assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
    resp.json()
}

#[test]
fn patch_applies_the_update_rules_to_the_stored_customer() {
    let d = demo("patch");
    let addr = d.server.addr;
    let amelia = create(
        &d,
        &json!({ "customer": { "first_name": "Amelia", "email": "amelia@example.com", "phone": "+1 212 555 0101" } }),
    );
    create(&d, &json!({ "customer": { "first_name": "Bessie", "email": "bessie@example.com" } }));
    let path = format!("/api/v1/accounts/{}/customers/{}", d.store, amelia["id"]);

    std::thread::sleep(Duration::from_millis(5));
    let edited = patch(
        addr,
        &path,
        &d.token,
        &json!({ "customer": { "last_name": " Earhart ", "metadata": { "tier": "gold" } } }),
    );
    assert_eq!(edited.status, 200, "{}", String::from_utf8_lossy(&edited.body));
    let edited = edited.json();
    assert_eq!((edited["last_name"].as_str(), edited["metadata"]["tier"].as_str()), (Some("Earhart"), Some("gold")));
    assert_eq!(edited["email"], "amelia@example.com", "absent fields are unchanged");
    assert!(edited["updated_at"].as_str() > amelia["updated_at"].as_str(), "updated_at advances");

    let no_email = patch(addr, &path, &d.token, &json!({ "customer": { "email": null } }));
    assert_eq!((no_email.status, no_email.json()["email"].clone()), (200, Value::Null), "null removes it");
    let no_contact = patch(addr, &path, &d.token, &json!({ "customer": { "phone": "" } }));
    assert_eq!(no_contact.status, 422);
    let errors = &no_contact.json()["errors"];
    assert!(errors["email"].is_array() && errors["phone"].is_array(), "{errors}");

    let taken = patch(addr, &path, &d.token, &json!({ "customer": { "email": "BESSIE@example.com" } }));
    assert_eq!(taken.status, 422);
    assert_eq!(taken.json()["errors"]["email"][0], "has already been taken");
    let blank_name = patch(addr, &path, &d.token, &json!({ "customer": { "first_name": "  " } }));
    assert_eq!((blank_name.status, blank_name.json()["errors"]["first_name"][0].clone()), (422, json!("is required")));
    let bad_metadata =
        patch(addr, &path, &d.token, &json!({ "customer": { "metadata": { "big": "x".repeat(17 * 1024) } } }));
    assert_eq!(bad_metadata.status, 422);

    let stored = get(addr, &path, Some(&d.token)).json();
    assert_eq!((stored["last_name"].as_str(), stored["email"].clone()), (Some("Earhart"), Value::Null));
    assert_eq!(stored["phone"], "+12125550101", "the refused patches changed nothing");

    let missing =
        patch(addr, &format!("/api/v1/accounts/{}/customers/999999", d.store), &d.token, &json!({ "customer": {} }));
    assert_eq!(missing.status, 404);
    let db = db_of(&d._dir.0);
    let other = admin(&db, &["stores", "add", "--name", "GB shop", "--country", "GB"]);
    let (gb_store, gb_token) = (printed(&other, "store"), printed(&other, "token"));
    assert_eq!(patch(addr, &path, &gb_token, &json!({ "customer": {} })).status, 404, "another store's token");
    let gb = post_json(
        addr,
        &format!("/api/v1/accounts/{gb_store}/customers"),
        Some(&gb_token),
        &json!({ "customer": { "first_name": "Ada", "email": "ada@example.co.uk" } }),
    )
    .json();
    let gb_path = format!("/api/v1/accounts/{gb_store}/customers/{}", gb["id"]);
    let national = patch(addr, &gb_path, &gb_token, &json!({ "customer": { "phone": "020 7946 0018" } }));
    assert_eq!(
        (national.status, national.json()["phone"].clone()),
        (200, json!("+442079460018")),
        "the store's region"
    );
}

#[test]
fn the_list_pages_searches_and_looks_up_by_reference() {
    let d = demo("list");
    let addr = d.server.addr;
    let base = format!("/api/v1/accounts/{}/customers", d.store);
    for i in 0..30 {
        let mut body =
            json!({ "customer": { "first_name": format!("Name{i:02}"), "email": format!("list{i:02}@example.com") } });
        if i == 7 {
            body["customer"]["external_references"] = json!([{ "source": "pos", "external_id": "EXT-77" }]);
            body["customer"]["phone"] = json!("+1 212 555 0177");
            body["card_id"] = json!(d.card);
        }
        create(&d, &body);
    }
    let list = |query: &str| get(addr, &format!("{base}{query}"), Some(&d.token));
    let first = list("").json();
    assert_eq!(first["pagination"], json!({ "count": 30, "items": 25, "page": 1, "pages": 2 }));
    assert_eq!(first["customers"].as_array().map(Vec::len), Some(25));
    assert_eq!(first["customers"][0]["first_name"], "Name00");
    assert_eq!(list("?page=2").json()["customers"].as_array().map(Vec::len), Some(5));
    assert_eq!(list("?page=3").json()["customers"], json!([]), "past the end: an empty page");
    assert_eq!(list("?items=100").json()["pagination"]["pages"], 1);
    for bad in ["?items=101", "?items=0", "?page=0", "?page=x", "?search=ab", "?source=pos", "?external_id=EXT-77"] {
        assert_eq!(list(bad).status, 422, "{bad}");
    }

    let found = |query: &str| -> Vec<String> {
        let page = list(query);
        assert_eq!(page.status, 200, "{query}: {}", String::from_utf8_lossy(&page.body));
        page.json()["customers"]
            .as_array()
            .expect("customers")
            .iter()
            .map(|c| c["first_name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(found("?search=list07%40"), ["Name07"], "email");
    assert_eq!(found("?search=NAME07"), ["Name07"], "name, any case");
    assert_eq!(found("?search=(212)%20555-0177"), ["Name07"], "a phone as typed");
    assert_eq!(found("?search=EXT-7"), ["Name07"], "an external id");
    assert_eq!(found("?source=pos&external_id=EXT-77"), ["Name07"], "the exact lookup");
    assert_eq!(found("?source=pos&external_id=EXT-7"), Vec::<String>::new(), "exact, not a prefix");
    let code =
        list("?search=list07").json()["customers"][0]["customer_cards"][0]["uuid"].as_str().expect("card").to_owned();
    assert_eq!(found(&format!("?search={code}")), ["Name07"], "a card code");
    assert_eq!(found(&format!("?search={}", code.to_uppercase())), ["Name07"], "in capitals");
    assert_eq!(found("?search=Name1&items=3&page=2").len(), 3, "a search pages too");
    assert_eq!(list("?search=Name1").json()["pagination"]["count"], 10);
    assert_eq!(list("?search=Name0").json()["pagination"]["count"], 10);

    let id = list("?search=list07").json()["customers"][0]["id"].clone();
    let renamed = patch(addr, &format!("{base}/{id}"), &d.token, &json!({ "customer": { "first_name": "Zelda" } }));
    assert_eq!(renamed.status, 200);
    assert_eq!(found("?search=Zelda"), ["Zelda"], "the index follows an update");
    assert_eq!(found("?search=Name07"), Vec::<String>::new());
    assert_eq!(list("?search=Name0").json()["pagination"]["count"], 9, "a remembered count is dropped by a write");

    let db = db_of(&d._dir.0);
    let other = admin(&db, &["stores", "add", "--name", "Other", "--country", "US"]);
    let (other_store, other_token) = (printed(&other, "store"), printed(&other, "token"));
    let theirs = get(addr, &format!("/api/v1/accounts/{other_store}/customers?search=list"), Some(&other_token)).json();
    assert_eq!(theirs["pagination"]["count"], 0, "a store sees its own customers only");
    // A customer of the other store with the same words is found there, and only there.
    let body = json!({ "customer": { "first_name": "Name07", "email": "list07@example.com" } });
    let created = request(
        addr,
        "POST",
        &format!("/api/v1/accounts/{other_store}/customers"),
        &[("Authorization", &format!("Bearer {other_token}")), ("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("request");
    assert_eq!(created.status, 201);
    let theirs =
        get(addr, &format!("/api/v1/accounts/{other_store}/customers?search=list07"), Some(&other_token)).json();
    assert_eq!(theirs["pagination"]["count"], 1);
    assert_eq!(
        list("?search=Name0").json()["pagination"]["count"],
        9,
        "Name00-Name09 but Name07, now Zelda; not the other store's Name07"
    );
}

/// Every update row of the case table through the server: the row's current customer is
/// created, the patch sent, and the answer must be exactly the library's verdict on that
/// stored customer (`validate_store_update` / `validate_square_update` with it as current):
/// the 422 or 400 body, or the change applied.
#[test]
fn update_rows_through_the_server_give_the_librarys_verdict() {
    let d = demo("update-rows");
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/update");
    let mut checked = 0;
    for file in ["store.json", "square.json"] {
        let rows: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("rows")).expect("JSON");
        for (i, row) in rows.iter().enumerate() {
            let name = format!("{file}: {}", row["name"]);
            let region = row["options"]["default_region"].as_str().unwrap_or("US");
            // A store of the row's region for each row, so that no row's customer collides
            // with another's.
            let added = admin(&db, &["stores", "add", "--name", &format!("{file} {i}"), "--country", region]);
            let (store, token) = (printed(&added, "store"), printed(&added, "token"));
            let options = Options::default().with_default_region(region).expect("region");
            let mut current = row.get("current").cloned().unwrap_or_else(
                || json!({ "given_name": "Sq", "first_name": "Amelia", "email": "amelia@example.com" }),
            );
            let object = current.as_object_mut().expect("current is an object");
            object.retain(|_, v| !v.is_null());
            if row["shape"] == "store-update" {
                object.remove("given_name");
                let created = post_json(
                    addr,
                    &format!("/api/v1/accounts/{store}/customers"),
                    Some(&token),
                    &json!({ "customer": current }),
                );
                assert_eq!(created.status, 201, "{name}: {}", String::from_utf8_lossy(&created.body));
                let stored = created.json();
                let expected = customer_validation::validate_store_update(&row["input"], Some(&stored), &options);
                let path = format!("/api/v1/accounts/{store}/customers/{}", stored["id"]);
                let resp = patch(addr, &path, &token, &row["input"]);
                if expected.valid {
                    assert_eq!(resp.status, 200, "{name}: {}", String::from_utf8_lossy(&resp.body));
                    let updated = resp.json();
                    for (field, value) in expected.value["customer"].as_object().into_iter().flatten() {
                        if matches!(field.as_str(), "first_name" | "last_name" | "email" | "phone" | "birthday") {
                            assert_eq!(&updated[field], value, "{name}: {field}");
                        }
                    }
                } else {
                    assert_eq!(resp.status, 422, "{name}");
                    assert_eq!(resp.json(), customer_validation::store_error_body(&expected.errors), "{name}");
                }
            } else {
                if row["input"].get("version").is_some() || !row["input"].is_object() {
                    continue; // versions are the server's (tests/server/square_api.rs)
                }
                object.retain(|k, _| !matches!(k.as_str(), "version" | "first_name" | "email" | "phone"));
                let created = post_json(addr, "/v2/customers", Some(&token), &current);
                assert_eq!(created.status, 200, "{name}: {}", String::from_utf8_lossy(&created.body));
                let stored = created.json()["customer"].clone();
                let expected = customer_validation::validate_square_update(&row["input"], Some(&stored), &options);
                let bearer = format!("Bearer {token}");
                let headers = [("Content-Type", "application/json"), ("Authorization", bearer.as_str())];
                let path = format!("/v2/customers/{}", stored["id"].as_str().expect("id"));
                let resp = request(addr, "PUT", &path, &headers, row["input"].to_string().as_bytes()).expect("PUT");
                if expected.valid {
                    assert_eq!(resp.status, 200, "{name}: {}", String::from_utf8_lossy(&resp.body));
                } else {
                    assert_eq!(resp.status, 400, "{name}");
                    assert_eq!(resp.json(), customer_validation::square_error_body(&expected.errors), "{name}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} rows went through the server");
}

/// The wallet links of a customer card lead to its page: the card, the shop, the first
/// name (escaped) and the stamps; an unknown card is a 404 page.
#[test]
fn wallet_links_lead_to_the_cards_page() {
    let d = demo("passes");
    let addr = d.server.addr;
    let customer = create(
        &d,
        &json!({ "customer": { "first_name": "<b>Zoë</b>", "email": "zoe@example.com" }, "card_id": d.card }),
    );
    let card = &customer["customer_cards"][0];
    let apple = card["apple_wallet_url"].as_str().expect("apple url");
    let page_path = format!("/passes/{}", card["uuid"].as_str().expect("uuid"));
    assert!(apple.ends_with(&format!("{page_path}/apple")), "{apple}");

    for wallet in ["apple", "google"] {
        let link = get(addr, &format!("{page_path}/{wallet}"), None);
        assert_eq!((link.status, link.header("location")), (303, Some(page_path.as_str())), "{wallet}");
    }
    let page = get(addr, &page_path, None);
    assert_eq!((page.status, page.header("content-type")), (200, Some("text/html; charset=utf-8")));
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(html.contains("&lt;b&gt;Zoë&lt;/b&gt;'s card") && !html.contains("<b>Zoë"), "escaped: {html}");
    let stamps = card["stamps_count"].as_i64().expect("stamps");
    let required = stamps + card["stamps_remaining"].as_i64().expect("remaining");
    assert!(html.contains(&format!("<strong>{stamps}</strong> of {required} stamps")), "{html}");
    assert!(html.contains(card["card_name"].as_str().expect("card name")), "{html}");

    for missing in ["/passes/00000000-0000-4000-8000-000000000000", &format!("{page_path}/samsung")] {
        let resp = get(addr, missing, None);
        assert_eq!((resp.status, resp.header("content-type")), (404, Some("text/html; charset=utf-8")), "{missing}");
    }
}
