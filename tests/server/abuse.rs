//! The public sign-up as an attacker tries it (issue 18), and what one connection may cost.
//! Every probe goes to the server on 127.0.0.1 (a few clients bind 127.0.0.2 to be a second
//! address); every loop is bounded.

use std::net::{IpAddr, SocketAddr};

use super::*;

fn join_path(store: i64) -> String {
    format!("/join/{store}")
}

fn customers_path(store: i64) -> String {
    format!("/api/v1/accounts/{store}/customers")
}

/// Rows of the outbox for one recipient.
/// `text` as an SQL string literal (the tests' own addresses; quotes doubled all the same).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn outbox_rows(db: &str, recipient: &str) -> i64 {
    db_number(db, &format!("SELECT COUNT(*) FROM outbox WHERE recipient = {}", literal(recipient)))
}

fn count_customers(db: &str, email: &str) -> i64 {
    db_number(db, &format!("SELECT COUNT(*) FROM customers WHERE email = {}", literal(email)))
}

/// One request from a client bound to `from` (another loopback address).
fn post_from(from: IpAddr, addr: SocketAddr, path: &str, body: &Value) -> Resp {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket.bind(&SocketAddr::new(from, 0).into()).expect("bind a loopback address");
    socket.connect_timeout(&addr.into(), TIMEOUT).expect("connect");
    let json = [("Content-Type", "application/json")];
    raw_on(socket.into(), &request_bytes(addr, "POST", path, &json, body.to_string().as_bytes())).expect("request")
}

/// Reproduction 1: a victim's external reference can't be taken: not anonymously (the sign-up takes no
/// references or metadata at all), and not with a token either (422 on the reference).
#[test]
fn another_customers_reference_cannot_be_taken() {
    let d = demo("hijack");
    let addr = d.server.addr;
    let victim = post_json(
        addr,
        &customers_path(d.store),
        Some(&d.token),
        &json!({ "customer": { "first_name": "Victim", "email": "victim@example.com",
            "external_references": [{ "source": "square", "external_id": "SQ-VICTIM" }] } }),
    );
    assert_eq!(victim.status, 201);
    let victim_id = victim.json()["id"].as_i64().expect("id");

    let anonymous = post_json(
        addr,
        &join_path(d.store),
        None,
        &json!({ "customer": { "first_name": "Attacker", "email": "attacker@example.com",
            "external_references": [{ "source": "square", "external_id": "SQ-VICTIM", "metadata": { "x": "y" } }] } }),
    );
    assert_eq!(anonymous.status, 422, "{}", String::from_utf8_lossy(&anonymous.body));
    assert_eq!(anonymous.json()["errors"]["external_references"], json!(["is not a field of this request"]));
    let metadata = post_json(
        addr,
        &join_path(d.store),
        None,
        &json!({ "customer": { "first_name": "A", "email": "meta@example.com", "metadata": { "vip": true } } }),
    );
    assert_eq!(metadata.status, 422);
    assert_eq!(metadata.json()["errors"]["metadata"], json!(["is not a field of this request"]));

    let with_token = post_json(
        addr,
        &customers_path(d.store),
        Some(&d.token),
        &json!({ "customer": { "first_name": "Attacker", "email": "attacker@example.com",
            "external_references": [{ "source": "shop", "external_id": "1" }, { "source": "square", "external_id": "SQ-VICTIM" }] } }),
    );
    assert_eq!(with_token.status, 422);
    assert_eq!(
        with_token.json()["errors"],
        json!({ "external_references[1].external_id": ["has already been taken"] })
    );

    let after = get(addr, &format!("{}/{victim_id}", customers_path(d.store)), Some(&d.token)).json();
    assert_eq!(after["external_references"][0]["external_id"], "SQ-VICTIM", "the victim keeps the reference");
    let db = db_of(&d._dir.0);
    assert_eq!(count_customers(&db, "attacker@example.com"), 0, "no attacker was stored");
}

/// Reproduction 2: the sign-up is a store's choice, rate limited per client address and per store, with
/// the `RateLimit-*` fields on every answer and `Retry-After` on a 429.
#[test]
fn the_signup_is_opt_in_and_rate_limited() {
    let d = demo_with("ratelimit", &["--join-limit-per-client", "5", "--join-limit-per-store", "8"]);
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let closed = admin(&db, &["stores", "add", "--name", "Closed", "--country", "US"]);
    let closed: i64 = printed(&closed, "store").parse().expect("id");
    let resp = post_json(addr, &join_path(closed), None, &customer("closed@example.com"));
    assert_eq!(resp.status, 404, "a store without --public-signup has no sign-up");
    let open = admin(&db, &["stores", "add", "--name", "Open", "--country", "US", "--public-signup"]);
    let open: i64 = printed(&open, "store").parse().expect("id");
    let first_address: IpAddr = "127.0.0.1".parse().expect("address");
    let second_address: IpAddr = "127.0.0.2".parse().expect("address");
    let third_address: IpAddr = "127.0.0.3".parse().expect("address");
    assert_eq!(post_from(third_address, addr, &join_path(open), &customer("open@example.com")).status, 202);
    let mut remaining = Vec::new();
    for i in 0..5 {
        let resp = post_from(first_address, addr, &join_path(d.store), &customer(&format!("a{i}@example.com")));
        assert_eq!(resp.status, 202, "sign-up {i}");
        assert_eq!(resp.header("ratelimit-limit"), Some("5"));
        assert_eq!(resp.header("ratelimit-policy"), Some("5;w=60"));
        assert!(resp
            .header("ratelimit-reset")
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|r| (1..=60).contains(&r)));
        remaining.push(resp.header("ratelimit-remaining").unwrap_or("").to_owned());
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    let refused = post_from(first_address, addr, &join_path(d.store), &customer("a5@example.com"));
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").and_then(|r| r.parse::<u64>().ok()).is_some_and(|r| (1..=60).contains(&r)));
    assert!(refused.json()["error"].as_str().is_some_and(|e| e.contains("too many")));
    assert_eq!(count_customers(&db, "a5@example.com"), 0, "a refused sign-up is not stored");

    // Another address has its own 5, but the store takes 8 a window from everyone.
    let statuses: Vec<u16> = (0..4)
        .map(|i| post_from(second_address, addr, &join_path(d.store), &customer(&format!("b{i}@example.com"))).status)
        .collect();
    assert_eq!(statuses, [202, 202, 202, 429]);
    // Another store counts apart.
    assert_eq!(post_from(second_address, addr, &join_path(open), &customer("b9@example.com")).status, 202);
}

/// Reproductions 2 and 3: a flood naming one address sends it one card link a window, and a taken email
/// answers exactly like a new one; the existing customer gets its links again only once the
/// window has passed. The token API keeps its `has already been taken`.
#[test]
fn a_taken_email_answers_like_a_new_one_and_links_go_once_a_window() {
    let d = demo_with("oracle", &["--join-limit-per-client", "100", "--card-link-window", "2"]);
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let with_card = |email: &str| json!({ "customer": { "first_name": "Jo", "email": email, "phone": "+1 212 555 0188" }, "card_id": d.card, "send_card_links": true });
    let new = post_json(addr, &join_path(d.store), None, &with_card("member@example.com"));
    assert_eq!(new.status, 202);
    let mut answers = Vec::new();
    for _ in 0..10 {
        let again = post_json(addr, &join_path(d.store), None, &with_card("MEMBER@example.com"));
        answers.push((again.status, again.body.clone(), again.header("content-type").map(str::to_owned)));
    }
    for answer in &answers {
        assert_eq!(answer, &(new.status, new.body.clone(), new.header("content-type").map(str::to_owned)));
    }
    assert_eq!(count_customers(&db, "member@example.com"), 1);
    assert_eq!(outbox_rows(&db, "member@example.com"), 1, "eleven sign-ups, one email");
    assert_eq!(outbox_rows(&db, "+12125550188"), 1, "and one text");

    std::thread::sleep(Duration::from_millis(2100));
    let later = post_json(addr, &join_path(d.store), None, &with_card("member@example.com"));
    assert_eq!((later.status, later.body.clone()), (new.status, new.body.clone()));
    assert_eq!(outbox_rows(&db, "member@example.com"), 2, "after the window the member gets the links again");

    let api = post_json(addr, &customers_path(d.store), Some(&d.token), &customer("member@example.com"));
    assert_eq!(api.status, 422);
    assert_eq!(api.json()["errors"]["email"], json!(["has already been taken"]));
}

/// The form's honeypot: a sign-up that fills it is answered as accepted and stores nothing.
#[test]
fn a_filled_honeypot_stores_nothing() {
    let d = demo("honeypot");
    let db = db_of(&d._dir.0);
    let mut bot = customer("bot@example.com");
    bot["website"] = json!("http://spam.example");
    let resp = post_json(d.server.addr, &join_path(d.store), None, &bot);
    let person = post_json(d.server.addr, &join_path(d.store), None, &customer("person@example.com"));
    assert_eq!((resp.status, resp.body), (person.status, person.body));
    assert_eq!(count_customers(&db, "bot@example.com"), 0);
    assert_eq!(count_customers(&db, "person@example.com"), 1);
}

/// A store's country is its phone region on every route (RULES.md, "Regions").
#[test]
fn every_route_reads_phones_in_the_stores_country() {
    let d = demo("regions");
    let db = db_of(&d._dir.0);
    let gb = admin(&db, &["stores", "add", "--name", "London", "--country", "GB", "--public-signup"]);
    let gb_store: i64 = printed(&gb, "store").parse().expect("id");
    let gb_token = printed(&gb, "token");
    let national = json!({ "customer": { "first_name": "Ada", "phone": "020 7946 0018" } });
    let created = post_json(d.server.addr, &customers_path(gb_store), Some(&gb_token), &national);
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.json()["phone"], "+442079460018");
    let us = post_json(d.server.addr, &customers_path(d.store), Some(&d.token), &national);
    assert_eq!(us.status, 422, "a US store reads it as a US number");
    assert!(us.json()["errors"]["phone"].is_array());
    let joined = post_json(
        d.server.addr,
        &join_path(gb_store),
        None,
        &json!({ "customer": { "first_name": "B", "phone": "020 7946 0019" } }),
    );
    assert_eq!(joined.status, 202);
    let stored = db_number(&db, "SELECT COUNT(*) FROM customers WHERE phone = '+442079460019'");
    assert_eq!(stored, 1);
    let square = post_json(
        d.server.addr,
        "/v2/customers",
        Some(&gb_token),
        &json!({ "given_name": "Ada", "phone_number": "020 7946 0018" }),
    );
    assert_eq!(square.status, 200, "{}", String::from_utf8_lossy(&square.body));
    assert_eq!(square.json()["customer"]["phone_number"], "+442079460018");
}

/// The store API's `Idempotency-Key`: a retry gets the first answer, another body 422.
#[test]
fn store_creates_take_an_idempotency_key() {
    let d = demo("idempotency");
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let auth = format!("Bearer {}", d.token);
    let send = |key: &str, body: &Value| {
        let headers =
            [("Content-Type", "application/json"), ("Authorization", auth.as_str()), ("Idempotency-Key", key)];
        request(addr, "POST", &customers_path(d.store), &headers, body.to_string().as_bytes()).expect("request")
    };
    let body = customer("retry@example.com");
    let first = send("\"key-1\"", &body);
    assert_eq!(first.status, 201);
    // The same body written differently is the same request.
    let respaced = serde_json::from_str::<Value>(&format!("{{ \"customer\" : {} }}", body["customer"])).expect("json");
    let again = send("key-1", &respaced);
    assert_eq!(again.status, 201, "{}", String::from_utf8_lossy(&again.body));
    assert_eq!(again.json(), first.json(), "the first answer again");
    assert_eq!(count_customers(&db, "retry@example.com"), 1);
    let other = send("key-1", &customer("other@example.com"));
    assert_eq!(other.status, 422);
    assert_eq!(other.json()["errors"]["idempotency_key"], json!(["was already used with a different request"]));
    assert_eq!(count_customers(&db, "other@example.com"), 0);
    for bad in ["", "\"unterminated", "sp ace", &"k".repeat(256)] {
        assert_eq!(send(bad, &customer("bad@example.com")).status, 400, "key {bad:?}");
    }
    // Without a key a retry is what it always was.
    assert_eq!(post_json(addr, &customers_path(d.store), Some(&d.token), &customer("retry@example.com")).status, 422);
}

/// Smaller holes: undecodable form bytes, a missing Host, HEAD, and symbolic links.
#[test]
fn protocol_corners() {
    let dir = TempDir::new("corners");
    std::fs::create_dir_all(dir.0.join("www")).expect("www");
    std::fs::create_dir_all(dir.0.join("pkg")).expect("pkg");
    std::fs::write(dir.0.join("www/index.html"), "<h1>hi</h1>").expect("write");
    std::fs::write(dir.0.join("outside.txt"), "secret").expect("write");
    std::os::unix::fs::symlink(dir.0.join("outside.txt"), dir.0.join("www/link.txt")).expect("symlink");
    std::os::unix::fs::symlink(dir.0.join("www/index.html"), dir.0.join("www/inner.html")).expect("symlink");
    let server = Server::start(&dir.0);
    let addr = server.addr;
    let store = server.banner_value("demo store").expect("store");

    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let resp = request(
        addr,
        "POST",
        &format!("/join/{store}"),
        &form,
        b"customer[first_name]=%FF%FE&customer[email]=f@example.com",
    )
    .expect("request");
    assert_eq!(resp.status, 400, "{}", String::from_utf8_lossy(&resp.body));
    let resp = request(
        addr,
        "POST",
        "/api/v1/validate/store",
        &form,
        b"customer[first_name]=Jos%C3%A9&customer[email]=j@example.com&note=100%",
    )
    .expect("request");
    assert_eq!(resp.status, 200, "UTF-8 escapes and a bare % are fine");

    let no_host = raw(addr, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n").expect("request");
    assert_eq!(no_host.status, 400);
    let two_hosts =
        raw(addr, b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n").expect("request");
    assert_eq!(two_hosts.status, 400);
    let http10 = raw(addr, b"GET /healthz HTTP/1.0\r\n\r\n").expect("request");
    assert_eq!(http10.status, 200, "HTTP/1.0 has no Host requirement");

    let get_health = get(addr, "/healthz", None);
    let head = request(addr, "HEAD", "/healthz", &[], b"").expect("HEAD");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some(get_health.body.len().to_string().as_str()));
    assert_eq!(head.header("content-type"), Some("application/json"));

    assert_eq!(get(addr, "/link.txt", None).status, 404, "a link out of the folder is not followed");
    let inner = get(addr, "/inner.html", None);
    assert_eq!((inner.status, inner.body.as_slice()), (200, b"<h1>hi</h1>".as_slice()), "a link inside it is");
}

/// The server's resident memory, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Whether the server closed `stream` (EOF or reset), after what it may still have sent.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(Duration::from_millis(20))).expect("timeout");
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Reproduction 4: 1,000 connections at once: half send 256 KiB of headers that never end, half send a
/// header byte at a time. Memory stays bounded, normal requests are answered, the slow ones
/// are closed by the header timeout and silent ones by the idle timeout, and a slow client
/// does not hold a shutdown.
#[test]
fn slow_and_oversized_connections_are_bounded() {
    let dir = TempDir::new("slowloris");
    let mut server = Server::start_with(&dir.0, &["--header-read-timeout", "2", "--idle-timeout", "1"]);
    let addr = server.addr;
    let pid = server.child.id();
    let baseline = rss_kib(pid);

    let big_header = {
        let mut h = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fill: ".to_vec();
        h.resize(256 * 1024, b'a');
        h
    };
    let big_header = Arc::new(big_header);
    let openers: Vec<_> = (0..8)
        .map(|t| {
            let big_header = big_header.clone();
            std::thread::spawn(move || {
                let mut streams = Vec::new();
                for i in 0..125 {
                    let Ok(mut stream) = TcpStream::connect_timeout(&addr, TIMEOUT) else { continue };
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                    if (t + i) % 2 == 0 {
                        // The server stops reading past its header cap: a failed write is the point.
                        let _ = stream.write_all(&big_header);
                    } else {
                        let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
                    }
                    streams.push(stream);
                }
                streams
            })
        })
        .collect();
    let mut streams: Vec<TcpStream> = openers.into_iter().flat_map(|t| t.join().expect("opener")).collect();
    assert!(streams.len() >= 990, "only {} connections opened", streams.len());

    let during = rss_kib(pid);
    let health = get(addr, "/healthz", None);
    assert_eq!(health.status, 200, "a normal request is answered among them");
    eprintln!("slow connections: RSS {baseline} KiB before, {during} KiB with {} open", streams.len());
    assert!(during < 150 * 1024, "RSS {during} KiB with 1,000 slow connections");

    // A byte every 250 ms keeps a connection active, but its headers never end.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        for stream in &mut streams {
            let _ = stream.write_all(b"a");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let open = streams.iter_mut().map(closed_by_server).filter(|closed| !closed).count();
    assert_eq!(open, 0, "{open} connections outlived the header timeout");
    drop(streams);

    // A connection that sends nothing, and one idle after its answer, close after 1 s.
    let mut silent = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    let mut kept = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).expect("write");
    std::thread::sleep(Duration::from_millis(1800));
    assert!(closed_by_server(&mut silent), "a silent connection is closed");
    assert!(closed_by_server(&mut kept), "an idle keep-alive connection is closed");

    // A slow client does not hold a shutdown: SIGTERM ends the server well before the drain.
    let mut slow = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").expect("write");
    let term = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(term.success());
    let stopping = Instant::now();
    let mut exited = None;
    while stopping.elapsed() < TIMEOUT {
        let _ = slow.write_all(b"a");
        if let Some(status) = server.child.try_wait().expect("wait") {
            exited = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let took = stopping.elapsed();
    assert!(exited.is_some_and(|s| s.success()), "the server exits cleanly on SIGTERM");
    assert!(took < Duration::from_secs(4), "shutdown took {took:?} with a slow client");
}

/// Behind a proxy the operator names, the per-address limit counts the address the proxy
/// appended to `X-Forwarded-For`; from anyone else the header is ignored, so a client can't
/// dodge the limit by writing its own.
#[test]
fn a_trusted_proxy_names_the_client_and_no_one_else_can() {
    let limit = ["--join-limit-per-client", "1"];
    let send = |addr: SocketAddr, store: &str, xff: &str, email: &str| {
        let headers = [("Content-Type", "application/json"), ("X-Forwarded-For", xff)];
        request(addr, "POST", &format!("/join/{store}"), &headers, customer(email).to_string().as_bytes())
            .expect("request")
    };

    let behind = demo_with("proxied", &[&limit[..], &["--trusted-proxy", "127.0.0.0/8,10.0.0.1"]].concat());
    let store = behind.store.to_string();
    let statuses: Vec<u16> = [
        ("203.0.113.1", "p1@example.com"),
        ("203.0.113.2", "p2@example.com"),
        ("198.51.100.9, 203.0.113.1, 10.0.0.1", "p3@example.com"),
    ]
    .iter()
    .map(|(xff, email)| send(behind.server.addr, &store, xff, email).status)
    .collect();
    assert_eq!(statuses, [202, 202, 429], "two clients behind the proxy, then the first one again");

    let direct = demo_with("direct", &limit);
    let store = direct.store.to_string();
    assert_eq!(send(direct.server.addr, &store, "203.0.113.1", "d1@example.com").status, 202);
    assert_eq!(send(direct.server.addr, &store, "203.0.113.2", "d2@example.com").status, 429, "the header is ignored");
}
