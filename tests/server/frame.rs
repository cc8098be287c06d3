//! The server's frame (issue 21): request ids, one log line per request, `/metrics`, CORS.

use super::*;

/// A request id is made when the client sends none and kept when it does; the request's
/// log line (JSON when asked) carries it with the status; `/metrics` counts requests by
/// route and status, times them, and counts validation failures by code.
#[test]
fn request_ids_logs_and_metrics() {
    let dir = TempDir::new("frame");
    let server = Server::start_env(&dir.0, &[], &[("RUST_LOG", "info"), ("CV_LOG_FORMAT", "json")]);
    let addr = server.addr;

    let made = get(addr, "/healthz", None);
    let id = made.header("x-request-id").expect("a request id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(id.matches('-').count(), 4, "a UUID: {id}");
    let kept = request(addr, "GET", "/healthz", &[("X-Request-Id", "checkout-7f3a")], b"").expect("request");
    assert_eq!(kept.header("x-request-id"), Some("checkout-7f3a"));

    let bad = json!({ "customer": { "first_name": "Ann", "email": "ann@@example" } });
    for _ in 0..3 {
        let report = post_json(addr, "/api/v1/validate/store", None, &bad).json();
        assert_eq!(report["errors"][0]["code"], "invalid_email");
    }
    assert_eq!(get(addr, "/no-such-file", None).status, 404);

    let metrics = get(addr, "/metrics", None);
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").is_some_and(|ct| ct.starts_with("text/plain")));
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    let value =
        |series: &str| -> Option<f64> { text.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok()) };
    assert_eq!(value(r#"http_requests_total{route="/healthz",method="GET",status="200"}"#), Some(2.0), "{text}");
    assert_eq!(
        value(r#"http_requests_total{route="/api/v1/validate/store",method="POST",status="200"}"#),
        Some(3.0),
        "{text}"
    );
    assert_eq!(value(r#"http_requests_total{route="static",method="GET",status="404"}"#), Some(1.0), "{text}");
    assert_eq!(value(r#"validation_failures_total{code="invalid_email"}"#), Some(3.0), "{text}");
    assert_eq!(value(r#"http_request_duration_seconds_count{route="/api/v1/validate/store"}"#), Some(3.0), "{text}");
    assert!(text.contains(r#"http_request_duration_seconds_bucket{le="0.00005",route="/healthz"}"#), "{text}");
    assert_eq!(value("card_link_outbox_pending"), Some(0.0), "{text}");

    drop(server);
    let log = std::fs::read_to_string(dir.0.join("server.log")).expect("log");
    let lines: Vec<Value> = log.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let ours: Vec<&Value> = lines.iter().filter(|line| line["span"]["id"] == "checkout-7f3a").collect();
    assert_eq!(ours.len(), 1, "one line for the request:\n{log}");
    assert_eq!(ours[0]["span"]["path"], "/healthz");
    assert_eq!(ours[0]["fields"]["status"], 200);
    assert!(ours[0]["fields"]["latency"].is_string(), "{}", ours[0]);
    let validations = lines.iter().filter(|line| line["span"]["path"] == "/api/v1/validate/store").count();
    assert_eq!(validations, 3, "one line a request:\n{log}");
}

/// The stateless validate routes answer any page; the token routes only the origins the
/// operator names, and no others.
#[test]
fn cors_for_every_page_on_validate_and_named_origins_on_token_routes() {
    let preflight = |addr, path: &str, origin: &str, headers: &str| {
        request(
            addr,
            "OPTIONS",
            path,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", headers),
            ],
            b"",
        )
        .expect("preflight")
    };
    let closed = demo("cors-default");
    let addr = closed.server.addr;
    let pre = preflight(addr, "/api/v1/validate/store", "https://any.example", "content-type");
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(pre.header("access-control-allow-methods").is_some_and(|m| m.contains("POST")));
    let body = json!({ "customer": { "first_name": "Ann", "email": "ann@example.com" } });
    let answer = request(
        addr,
        "POST",
        "/api/v1/validate/store",
        &[("Origin", "https://any.example"), ("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("post");
    assert_eq!((answer.status, answer.header("access-control-allow-origin")), (200, Some("*")));
    assert_eq!(answer.header("access-control-allow-credentials"), None, "never with credentials");
    let customers = format!("/api/v1/accounts/{}/customers", closed.store);
    let pre = preflight(addr, &customers, "https://shop.example", "authorization, content-type");
    assert_eq!(pre.header("access-control-allow-origin"), None, "no origin named: no page may call it");

    let open = demo_with("cors-named", &["--cors-origin", "https://shop.example,http://localhost:3000"]);
    let addr = open.server.addr;
    let customers = format!("/api/v1/accounts/{}/customers", open.store);
    let pre = preflight(addr, &customers, "https://shop.example", "authorization, content-type, idempotency-key");
    assert_eq!(pre.header("access-control-allow-origin"), Some("https://shop.example"));
    let allowed = pre.header("access-control-allow-headers").unwrap_or("").to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("idempotency-key"), "{allowed}");
    let pre = preflight(addr, &customers, "https://evil.example", "authorization");
    assert_eq!(pre.header("access-control-allow-origin"), None);
    let created = request(
        addr,
        "POST",
        &customers,
        &[
            ("Origin", "http://localhost:3000"),
            ("Content-Type", "application/json"),
            ("Authorization", &format!("Bearer {}", open.token)),
        ],
        customer("cors@example.com").to_string().as_bytes(),
    )
    .expect("create");
    assert_eq!(created.status, 201);
    assert_eq!(created.header("access-control-allow-origin"), Some("http://localhost:3000"));

    let out = Command::new(bin()).args(["serve", "--cors-origin", "shop.example/path"]).output().expect("serve");
    assert_eq!(out.status.code(), Some(2), "a value that is not an origin is refused");
}

/// A body trickled a byte at a time is cut at the request timeout (408, connection closed),
/// a `Content-Length` too large is refused before a byte of it is read, and normal requests
/// are answered meanwhile.
#[test]
fn slow_and_huge_bodies_end_within_the_timeout() {
    let dir = TempDir::new("slow-body");
    let server = Server::start_with(&dir.0, &["--request-timeout", "1"]);
    let addr = server.addr;

    let trickle = std::thread::spawn(move || {
        let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let head = format!(
            "POST /api/v1/validate/store HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).expect("head");
        let started = Instant::now();
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        stream.set_nonblocking(true).expect("nonblocking");
        while started.elapsed() < Duration::from_secs(5) {
            if stream.write_all(b" ").is_err() {
                break;
            }
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
    });

    let huge = raw(
        addr,
        format!(
            "POST /api/v1/validate/store HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n{{"
        )
        .as_bytes(),
    )
    .expect("huge");
    assert_eq!(huge.status, 413, "refused on its Content-Length");
    for _ in 0..5 {
        assert_eq!(get(addr, "/healthz", None).status, 200, "answered while a body trickles");
    }

    let (took, answer) = trickle.join().expect("trickle");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(took < Duration::from_secs(3), "cut after {took:?}");
}
