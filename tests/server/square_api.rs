//! Square's Customers API beyond the create (issue 17): retrieve, sparse update with
//! versions, delete; every answer in Square's shape.

use super::*;

fn send(d: &Demo, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let bearer = format!("Bearer {}", d.token);
    let mut headers = vec![("Authorization", bearer.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let bytes = body.map(Value::to_string).unwrap_or_default();
    request(d.server.addr, method, path, &headers, bytes.as_bytes()).expect("request")
}

#[test]
fn retrieve_update_and_delete_with_versions() {
    let d = demo("square-life");
    let created = send(
        &d,
        "POST",
        "/v2/customers",
        Some(&json!({ "given_name": "Amelia", "email_address": "amelia@example.com", "nickname": "Mia" })),
    );
    assert_eq!(created.status, 200);
    let id = created.json()["customer"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v2/customers/{id}");

    let read = send(&d, "GET", &path, None);
    assert_eq!((read.status, read.json()["customer"]["version"].clone()), (200, json!(0)));

    let updated = send(&d, "PUT", &path, Some(&json!({ "family_name": " Earhart ", "nickname": null, "version": 0 })));
    assert_eq!(updated.status, 200, "{}", String::from_utf8_lossy(&updated.body));
    let customer = updated.json()["customer"].clone();
    assert_eq!((customer["family_name"].as_str(), customer["version"].as_i64()), (Some("Earhart"), Some(1)));
    assert!(customer.get("nickname").is_none(), "null removes: {customer}");
    assert_eq!(customer["given_name"], "Amelia", "absent is unchanged");

    let stale = send(&d, "PUT", &path, Some(&json!({ "given_name": "Amy", "version": 0 })));
    assert_eq!(stale.status, 409);
    assert_eq!(stale.json()["errors"][0]["code"], "CONFLICT");
    assert_eq!(
        send(&d, "GET", &path, None).json()["customer"]["given_name"],
        "Amelia",
        "a stale update changes nothing"
    );

    let no_names =
        send(&d, "PUT", &path, Some(&json!({ "given_name": null, "family_name": null, "email_address": "" })));
    assert_eq!(no_names.status, 400);
    assert_eq!(
        no_names.json()["errors"][0]["code"],
        "MISSING_REQUIRED_PARAMETER",
        "Square's one-of on the merged customer"
    );
    let unknown = send(&d, "PUT", &path, Some(&json!({ "colour": "blue" })));
    assert_eq!((unknown.status, unknown.json()["errors"][0]["code"].clone()), (400, json!("UNKNOWN_BODY_PARAMETER")));
    let bad_email = send(&d, "PUT", &path, Some(&json!({ "email_address": "amelia@@example.com" })));
    assert_eq!(bad_email.status, 400);

    let wrong_version = send(&d, "DELETE", &format!("{path}?version=0"), None);
    assert_eq!(wrong_version.status, 409);
    let bad_version = send(&d, "DELETE", &format!("{path}?version=x"), None);
    assert_eq!(bad_version.status, 400);
    let deleted = send(&d, "DELETE", &format!("{path}?version=1"), None);
    assert_eq!((deleted.status, deleted.json()), (200, json!({})));
    let gone = send(&d, "GET", &path, None);
    assert_eq!((gone.status, gone.json()["errors"][0]["code"].clone()), (404, json!("NOT_FOUND")));
    assert_eq!(send(&d, "PUT", &path, Some(&json!({ "note": "x" }))).status, 404);
    assert_eq!(send(&d, "DELETE", &path, None).status, 404);

    // Another store's token sees none of it.
    let db = db_of(&d._dir.0);
    let other = admin(&db, &["stores", "add", "--name", "Other", "--country", "US"]);
    let other_token = printed(&other, "token");
    let mine =
        send(&d, "POST", "/v2/customers", Some(&json!({ "given_name": "Bessie" }))).json()["customer"]["id"].clone();
    let theirs = get(d.server.addr, &format!("/v2/customers/{}", mine.as_str().unwrap_or("")), Some(&other_token));
    assert_eq!(theirs.status, 404);
}

/// Twenty updates naming the same version race: exactly one wins, the others are 409 and
/// change nothing; two store API patches racing on one customer both apply.
#[test]
fn racing_updates_lose_no_write() {
    let d = demo("square-race");
    let created = send(&d, "POST", "/v2/customers", Some(&json!({ "given_name": "Amelia" })));
    let id = created.json()["customer"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v2/customers/{id}");
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..20)
            .map(|i| {
                let (d, path) = (&d, &path);
                scope.spawn(move || {
                    send(d, "PUT", path, Some(&json!({ "nickname": format!("n{i}"), "version": 0 }))).status
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().expect("racer")).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
    let stored = send(&d, "GET", &path, None).json()["customer"].clone();
    assert_eq!(stored["version"], 1, "one update, one version");

    let customer = post_json(
        d.server.addr,
        &format!("/api/v1/accounts/{}/customers", d.store),
        Some(&d.token),
        &json!({ "customer": { "first_name": "Race", "email": "race@example.com" } }),
    )
    .json();
    let path = format!("/api/v1/accounts/{}/customers/{}", d.store, customer["id"]);
    std::thread::scope(|scope| {
        let (d, path) = (&d, &path);
        let a =
            scope.spawn(move || send(d, "PATCH", path, Some(&json!({ "customer": { "last_name": "Both" } }))).status);
        let b = scope.spawn(move || {
            send(d, "PATCH", path, Some(&json!({ "customer": { "metadata": { "tier": "gold" } } }))).status
        });
        assert_eq!((a.join().expect("a"), b.join().expect("b")), (200, 200));
    });
    let stored = get(d.server.addr, &path, Some(&d.token)).json();
    assert_eq!(
        (stored["last_name"].as_str(), stored["metadata"]["tier"].as_str()),
        (Some("Both"), Some("gold")),
        "both patches applied"
    );
}

/// ListCustomers pages with cursors, both ways, counts on request, refuses bad parameters
/// in Square's shape, and shows a store its own customers only, deleted ones never.
#[test]
fn list_customers_pages_with_cursors() {
    let d = demo("square-list");
    let ids: Vec<String> = (0..5)
        .map(|i| {
            let created = send(&d, "POST", "/v2/customers", Some(&json!({ "given_name": format!("C{i}") })));
            created.json()["customer"]["id"].as_str().expect("id").to_owned()
        })
        .collect();
    let names = |page: &Value| -> Vec<String> {
        page["customers"]
            .as_array()
            .map_or(vec![], |c| c.iter().map(|c| c["given_name"].as_str().unwrap_or("").to_owned()).collect())
    };
    let first = send(&d, "GET", "/v2/customers?limit=2&count=true", None).json();
    assert_eq!((names(&first), first["count"].clone()), (vec!["C0".to_owned(), "C1".to_owned()], json!(5)));
    let cursor = first["cursor"].as_str().expect("a cursor").to_owned();
    let second = send(&d, "GET", &format!("/v2/customers?limit=2&cursor={cursor}"), None).json();
    assert_eq!(names(&second), ["C2", "C3"]);
    let third =
        send(&d, "GET", &format!("/v2/customers?limit=2&cursor={}", second["cursor"].as_str().expect("cursor")), None)
            .json();
    assert_eq!(names(&third), ["C4"]);
    assert!(third.get("cursor").is_none(), "the last page has no cursor");
    let backwards = send(&d, "GET", "/v2/customers?sort_order=DESC&limit=3", None).json();
    assert_eq!(names(&backwards), ["C4", "C3", "C2"]);

    for bad in ["limit=0", "limit=101", "limit=x", "cursor=forged", "sort_field=NAME", "sort_order=UP", "count=yes"] {
        let resp = send(&d, "GET", &format!("/v2/customers?{bad}"), None);
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["errors"][0]["category"], "INVALID_REQUEST_ERROR", "{bad}");
    }

    assert_eq!(send(&d, "DELETE", &format!("/v2/customers/{}", ids[1]), None).status, 200);
    let all = send(&d, "GET", "/v2/customers", None).json();
    assert_eq!(names(&all), ["C0", "C2", "C3", "C4"], "a deleted customer never comes back");

    let db = db_of(&d._dir.0);
    let other = admin(&db, &["stores", "add", "--name", "Other", "--country", "US"]);
    let theirs =
        get(d.server.addr, &format!("/v2/customers?cursor={cursor}&count=true"), Some(&printed(&other, "token")))
            .json();
    assert_eq!(theirs, json!({ "count": 0 }), "another store's token, even with this store's cursor, sees nothing");
}

/// SearchCustomers: exact email ignoring case, exact phone read in the store's region,
/// fuzzy text, time ranges, creation source, sort and cursor; bad filters are 400s.
#[test]
fn search_customers_by_filters() {
    let d = demo("square-search");
    let people = [
        ("Amelia", "Amelia@Example.com", "+1 212 555 0101", "ref-amelia"),
        ("Bessie", "bessie@example.com", "+1 212 555 0102", "ref-bessie"),
        ("Cleo", "cleo@other.org", "+1 646 555 0103", "REF-CLEO"),
    ];
    for (name, email, phone, reference) in people {
        let body =
            json!({ "given_name": name, "email_address": email, "phone_number": phone, "reference_id": reference });
        assert_eq!(send(&d, "POST", "/v2/customers", Some(&body)).status, 200);
    }
    let search = |body: Value| -> Vec<String> {
        let resp = send(&d, "POST", "/v2/customers/search", Some(&body));
        assert_eq!(resp.status, 200, "{body}: {}", String::from_utf8_lossy(&resp.body));
        resp.json()["customers"]
            .as_array()
            .map_or(vec![], |c| c.iter().map(|c| c["given_name"].as_str().unwrap_or("").to_owned()).collect())
    };
    let filter = |f: Value| json!({ "query": { "filter": f } });
    assert_eq!(search(filter(json!({ "email_address": { "exact": "amelia@example.COM" } }))), ["Amelia"]);
    assert_eq!(search(filter(json!({ "email_address": { "fuzzy": "EXAMPLE" } }))), ["Amelia", "Bessie"]);
    assert_eq!(search(filter(json!({ "phone_number": { "exact": "(212) 555-0102" } }))), ["Bessie"]);
    assert_eq!(search(filter(json!({ "phone_number": { "fuzzy": "646" } }))), ["Cleo"]);
    assert_eq!(
        search(filter(json!({ "reference_id": { "exact": "ref-cleo" } }))),
        Vec::<String>::new(),
        "exact is exact"
    );
    assert_eq!(search(filter(json!({ "reference_id": { "fuzzy": "ref-c" } }))), ["Cleo"]);
    assert_eq!(search(filter(json!({ "created_at": { "start_at": "2000-01-01T00:00:00Z" } }))).len(), 3);
    assert_eq!(search(filter(json!({ "created_at": { "end_at": "2000-01-01T00:00:00+01:00" } }))).len(), 0);
    assert_eq!(search(filter(json!({ "creation_source": { "values": ["THIRD_PARTY"], "rule": "EXCLUDE" } }))).len(), 0);
    let sorted = json!({ "query": { "filter": { "email_address": { "fuzzy": "e" } }, "sort": { "field": "CREATED_AT", "order": "DESC" } } });
    assert_eq!(search(sorted), ["Cleo", "Bessie", "Amelia"]);
    let page = send(&d, "POST", "/v2/customers/search", Some(&json!({ "limit": 2, "count": true }))).json();
    assert_eq!((page["customers"].as_array().map(Vec::len), page["count"].clone()), (Some(2), json!(3)));
    let rest = json!({ "limit": 2, "cursor": page["cursor"] });
    assert_eq!(search(rest), ["Cleo"]);

    for bad in [
        json!({ "limit": 0 }),
        json!({ "cursor": "cv1_zz" }),
        json!({ "query": { "filter": { "email_address": { "exact": "a", "fuzzy": "b" } } } }),
        json!({ "query": { "filter": { "phone_number": { "exact": "12ab" } } } }),
        json!({ "query": { "filter": { "created_at": { "start_at": "yesterday" } } } }),
        json!({ "query": { "filter": { "nickname": { "exact": "x" } } } }),
        json!({ "query": { "sort": { "order": "UP" } } }),
        json!({ "colour": "blue" }),
        json!([1]),
    ] {
        let resp = send(&d, "POST", "/v2/customers/search", Some(&bad));
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["errors"][0]["category"], "INVALID_REQUEST_ERROR", "{bad}");
    }
}

#[test]
fn bulk_operations_answer_each_item() {
    let d = demo("square-bulk");
    let created = send(
        &d,
        "POST",
        "/v2/customers/bulk-create",
        Some(&json!({ "customers": {
            "key-amelia": { "given_name": "Amelia", "email_address": "amelia@example.com", "phone_number": "(212) 555-4240" },
            "key-marie": { "family_name": "Curie", "email_address": "marie@example.com" },
            "key-bad": { "given_name": "Bad", "email_address": "bad@@example.com" },
            "key-own": { "given_name": "Own", "idempotency_key": "x" },
            "key-none": "not an object",
        } })),
    );
    assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
    let answers = created.json()["responses"].clone();
    assert_eq!(answers.as_object().map(|a| a.len()), Some(5), "one answer per item: {answers}");
    assert_eq!(answers["key-amelia"]["customer"]["phone_number"], "+12125554240", "the create rules, normalized");
    assert_eq!(answers["key-marie"]["customer"]["family_name"], "Curie");
    assert_eq!(answers["key-bad"]["errors"][0]["field"], "email_address");
    assert_eq!(answers["key-own"]["errors"][0]["code"], "UNKNOWN_BODY_PARAMETER");
    assert_eq!(answers["key-none"]["errors"][0]["code"], "EXPECTED_OBJECT");
    let amelia = answers["key-amelia"]["customer"]["id"].as_str().expect("id").to_owned();
    let marie = answers["key-marie"]["customer"]["id"].as_str().expect("id").to_owned();

    // The map keys are idempotency keys: the same item again is the same customer.
    let again = send(
        &d,
        "POST",
        "/v2/customers/bulk-create",
        Some(&json!({ "customers": {
            "key-amelia": { "given_name": "Amelia", "email_address": "amelia@example.com", "phone_number": "(212) 555-4240" },
            "key-marie": { "family_name": "Someone else" },
        } })),
    );
    let again = again.json()["responses"].clone();
    assert_eq!(again["key-amelia"]["customer"]["id"].as_str(), Some(amelia.as_str()));
    assert_eq!(again["key-marie"]["errors"][0]["code"], "IDEMPOTENCY_KEY_REUSED", "{again}");

    let updated = send(
        &d,
        "POST",
        "/v2/customers/bulk-update",
        Some(&json!({ "customers": {
            amelia.as_str(): { "note": "updated", "phone_number": null, "version": 0 },
            marie.as_str(): { "given_name": "Marie", "version": 7 },
            "NOSUCHCUSTOMER": { "note": "x" },
        } })),
    );
    let updated = updated.json()["responses"].clone();
    let first = &updated[amelia.as_str()]["customer"];
    assert_eq!((first["note"].as_str(), first["version"].as_i64()), (Some("updated"), Some(1)));
    assert!(first.get("phone_number").is_none(), "null removes: {first}");
    assert_eq!(updated[marie.as_str()]["errors"][0]["code"], "CONFLICT", "a stale version changes nothing");
    assert_eq!(updated["NOSUCHCUSTOMER"]["errors"][0]["code"], "NOT_FOUND");

    let ids = json!({ "customer_ids": [amelia, marie, "NOSUCHCUSTOMER", amelia] });
    let read = send(&d, "POST", "/v2/customers/bulk-retrieve", Some(&ids)).json()["responses"].clone();
    assert_eq!(read.as_object().map(|a| a.len()), Some(3), "each id answered once: {read}");
    assert_eq!(read[marie.as_str()]["customer"]["family_name"], "Curie");
    assert!(read[marie.as_str()]["customer"].get("given_name").is_none(), "the stale update wrote nothing");
    assert_eq!(read["NOSUCHCUSTOMER"]["errors"][0]["code"], "NOT_FOUND");

    let deleted =
        send(&d, "POST", "/v2/customers/bulk-delete", Some(&json!({ "customer_ids": [marie, "NOSUCHCUSTOMER"] })));
    let deleted = deleted.json()["responses"].clone();
    assert_eq!(deleted[marie.as_str()], json!({}));
    assert_eq!(deleted["NOSUCHCUSTOMER"]["errors"][0]["code"], "NOT_FOUND");
    let read = send(&d, "POST", "/v2/customers/bulk-retrieve", Some(&json!({ "customer_ids": [marie] })));
    assert_eq!(read.json()["responses"][marie.as_str()]["errors"][0]["code"], "NOT_FOUND", "deleted stays deleted");

    // The request as a whole: Square's 400s.
    let many: serde_json::Map<String, Value> =
        (0..101).map(|i| (format!("k{i}"), json!({ "given_name": "A" }))).collect();
    let too_many = json!({ "customers": many });
    for (path, body, code) in [
        ("/v2/customers/bulk-create", json!({}), "MISSING_REQUIRED_PARAMETER"),
        ("/v2/customers/bulk-create", json!({ "customers": {} }), "VALUE_EMPTY"),
        ("/v2/customers/bulk-create", too_many, "TOO_MANY_MAP_ENTRIES"),
        ("/v2/customers/bulk-update", json!({ "customers": [] }), "EXPECTED_MAP"),
        ("/v2/customers/bulk-retrieve", json!({ "customer_ids": [] }), "ARRAY_EMPTY"),
        ("/v2/customers/bulk-retrieve", json!({ "customer_ids": [1] }), "INVALID_ARRAY_VALUE"),
        ("/v2/customers/bulk-delete", json!({ "customer_ids": "x" }), "EXPECTED_ARRAY"),
        ("/v2/customers/bulk-delete", json!({ "customer_ids": ["x"], "colour": 1 }), "UNKNOWN_BODY_PARAMETER"),
        ("/v2/customers/bulk-delete", json!([1]), "EXPECTED_OBJECT"),
    ] {
        let answer = send(&d, "POST", path, Some(&body));
        assert_eq!((answer.status, answer.json()["errors"][0]["code"].clone()), (400, json!(code)), "{path} {body}");
    }
    let ids: Vec<String> = (0..101).map(|i| format!("id{i}")).collect();
    let answer = send(&d, "POST", "/v2/customers/bulk-retrieve", Some(&json!({ "customer_ids": ids })));
    assert_eq!(answer.json()["errors"][0]["code"], "ARRAY_LENGTH_TOO_LONG");
    assert_eq!(send(&d, "GET", "/v2/customers/bulk-create", None).status, 405);
}
