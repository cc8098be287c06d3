//! The server end to end: the real binary on an ephemeral port against a temporary
//! database, spoken to over plain HTTP/1.1 on 127.0.0.1 (a tiny client below, so that the
//! tests see exactly the bytes a client would).
//!
//! Run: `cargo test --features server --test server`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use customer_validation::{validate_square, validate_store, validate_store_form, Date, Options};
use serde_json::{json, Value};

/// The binary under test: this build's, or the one `CV_SERVER_BIN` names (to run these tests
/// against another build, e.g. an older commit's, and see which of them it fails).
fn bin() -> PathBuf {
    std::env::var_os("CV_SERVER_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_customer-validation")), PathBuf::from)
}
/// Every wait in this file is bounded by this.
const TIMEOUT: Duration = Duration::from_secs(20);

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cv-server-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        if let Some(base) = postgres_base() {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name(&self.0));
            let _ = postgres::Client::connect(&base, postgres::NoTls).and_then(|mut c| c.batch_execute(&drop));
        }
    }
}

/// The PostgreSQL server the suite runs against instead of SQLite files, when set (`make
/// test-server` runs the suite once without it and once with a throwaway cluster's URL):
/// each test directory then gets a database of its own on it.
fn postgres_base() -> Option<String> {
    std::env::var("CV_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

/// A test directory's database name on [`postgres_base`].
fn database_name(dir: &Path) -> String {
    let name: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    // PostgreSQL names hold 63 bytes; the directory's counter, at the end, keeps them apart.
    format!("cv_{}", &name[name.len().saturating_sub(59)..])
}

/// The `--db` of a test directory: its SQLite file, or its own PostgreSQL database (made
/// on first use).
fn db_of(dir: &Path) -> String {
    let Some(base) = postgres_base() else { return dir.join("customers.db").to_string_lossy().into_owned() };
    static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let name = database_name(dir);
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if !made.contains(&name) {
        let mut client = postgres::Client::connect(&base, postgres::NoTls).expect("connect to CV_TEST_POSTGRES");
        client.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the test database");
        made.push(name.clone());
    }
    let (server, _) = base.rsplit_once('/').expect("CV_TEST_POSTGRES ends in /<database>");
    format!("{server}/{name}")
}

/// One number a query of the test's database returns (SQL both backends read alike).
fn db_number(db: &str, sql: &str) -> i64 {
    db_rows(db, sql).first().and_then(|row| row.first()).and_then(|v| v.parse().ok()).expect("a number")
}

/// The rows a query of the test's database returns, every column as text.
fn db_rows(db: &str, sql: &str) -> Vec<Vec<String>> {
    if db.starts_with("postgres://") {
        let mut client = postgres::Client::connect(db, postgres::NoTls).expect("connect to the test database");
        // The simple protocol answers every column as text, as SQLite's side does below.
        client
            .simple_query(sql)
            .expect("query")
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => {
                    Some((0..row.len()).map(|i| row.get(i).unwrap_or_default().to_owned()).collect())
                }
                _ => None,
            })
            .collect()
    } else {
        let conn = rusqlite::Connection::open(db).expect("open the test database");
        let mut stmt = conn.prepare(sql).expect("prepare");
        let columns = stmt.column_count();
        stmt.query_map([], |r| {
            (0..columns)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                })
                .collect()
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    }
}

/// A running `customer-validation serve`.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// Lines printed before "listening on" (the demo store, card and token).
    banner: Vec<String>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// A server with more flags of `serve`.
    fn start_with(dir: &Path, flags: &[&str]) -> Server {
        Server::start_env(dir, flags, &[])
    }

    /// A server with more flags of `serve` and environment variables.
    fn start_env(dir: &Path, flags: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_on(dir, &db_of(dir), flags, env)
    }

    /// A server on the database `db` (a file or URL).
    fn start_on(dir: &Path, db: &str, flags: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
            .arg("--www")
            .arg(dir.join("www"))
            .arg("--pkg")
            .arg(dir.join("pkg"))
            .args(flags)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log_to(dir, env))
            .spawn()
            .expect("spawn the server binary");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + TIMEOUT;
        let mut banner = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server did not print its address within {TIMEOUT:?}; got {banner:?}")
            };
            if let Some(addr) = line.strip_prefix("listening on http://") {
                return Server { child, addr: addr.parse().expect("address"), banner };
            }
            banner.push(line);
        }
    }

    fn banner_value(&self, key: &str) -> Option<String> {
        self.banner.iter().find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_owned))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A started server with its demo store.
struct Demo {
    // Fields drop in this order: the server stops before its directory and database go.
    server: Server,
    _dir: TempDir,
    store: i64,
    card: i64,
    token: String,
}

fn demo(name: &str) -> Demo {
    demo_with(name, &[])
}

fn demo_with(name: &str, flags: &[&str]) -> Demo {
    let dir = TempDir::new(name);
    let server = Server::start_with(&dir.0, flags);
    let store = server.banner_value("demo store").expect("demo store line").parse().expect("store id");
    let card = server.banner_value("demo card").expect("demo card line").parse().expect("card id");
    let token = server.banner_value("demo token").expect("demo token line");
    Demo { server, _dir: dir, store, card, token }
}

fn admin(db: &str, args: &[&str]) -> Vec<(String, String)> {
    let out = Command::new(bin()).args(args).arg("--db").arg(db).output().expect("admin command");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// The value an admin command printed on its `key: value` line.
fn printed(lines: &[(String, String)], key: &str) -> String {
    lines.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no {key:?} line in {lines:?}")).1.clone()
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("status {}: body is not JSON ({e}): {}", self.status, String::from_utf8_lossy(&self.body))
        })
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`); raw `head` lines allowed.
fn raw(addr: SocketAddr, request: &[u8]) -> std::io::Result<Resp> {
    raw_on(TcpStream::connect_timeout(&addr, TIMEOUT)?, request)
}

/// [`raw`] on a connection the caller opened (from another local address, say).
fn raw_on(mut stream: TcpStream, request: &[u8]) -> std::io::Result<Resp> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    // The server may answer (413) before the whole body is sent; a failed write is fine as
    // long as the answer arrives.
    let _ = stream.write_all(request);
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no header end in {:?}", String::from_utf8_lossy(&bytes))))?;
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let headers =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))).collect();
    Ok(Resp { status, headers, body: bytes[split + 4..].to_vec() })
}

/// The bytes of a `Connection: close` request.
fn request_bytes(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<Resp> {
    raw(addr, &request_bytes(addr, method, path, headers, body))
}

fn post_json(addr: SocketAddr, path: &str, token: Option<&str>, body: &Value) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    request(addr, "POST", path, &headers, body.to_string().as_bytes()).expect("request")
}

fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    request(addr, "GET", path, &headers, b"").expect("request")
}

fn customer(email: &str) -> Value {
    json!({ "customer": { "first_name": "Amelia", "email": email } })
}

#[test]
fn statuses_of_the_store_api_and_bad_requests() {
    let d = demo("statuses");
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let other = admin(&db, &["stores", "add", "--name", "Other", "--country", "GB"]);
    let other_token = &printed(&other, "token");
    let path = format!("/api/v1/accounts/{}/customers", d.store);
    let big = format!("{{\"customer\":{{\"first_name\":\"{}\"}}}}", "x".repeat(70 * 1024));

    // (name, method, path, headers, body, status, a substring of the body)
    let bearer = format!("Bearer {}", d.token);
    let other_bearer = format!("Bearer {other_token}");
    let good = customer("ok@example.com").to_string();
    let json_ct = ("Content-Type", "application/json");
    type Row<'a> = (&'a str, &'a str, String, Vec<(&'a str, &'a str)>, String, u16, &'a str);
    let rows: Vec<Row> = vec![
        ("no token", "POST", path.clone(), vec![json_ct], good.clone(), 401, "token"),
        (
            "bad token",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", "Bearer nope")],
            good.clone(),
            401,
            "token",
        ),
        (
            "other store's token",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &other_bearer)],
            good.clone(),
            404,
            "store",
        ),
        (
            "unknown store",
            "POST",
            "/api/v1/accounts/999/customers".into(),
            vec![json_ct, ("Authorization", &bearer)],
            good.clone(),
            404,
            "store",
        ),
        (
            "malformed store id",
            "POST",
            "/api/v1/accounts/x1/customers".into(),
            vec![json_ct, ("Authorization", &bearer)],
            good.clone(),
            404,
            "store",
        ),
        (
            "invalid customer",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &bearer)],
            customer("not-an-email").to_string(),
            422,
            "is not a valid email address",
        ),
        (
            "malformed JSON",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &bearer)],
            "{\"customer\":".into(),
            400,
            "malformed JSON",
        ),
        (
            "text/plain",
            "POST",
            path.clone(),
            vec![("Content-Type", "text/plain"), ("Authorization", &bearer)],
            good.clone(),
            415,
            "Content-Type",
        ),
        ("no content type", "POST", "/api/v1/validate/store".into(), vec![], good.clone(), 415, "Content-Type"),
        (
            "form to square validate",
            "POST",
            "/api/v1/validate/square".into(),
            vec![("Content-Type", "application/x-www-form-urlencoded")],
            "given_name=A".into(),
            415,
            "Content-Type",
        ),
        (
            "body over 64 KiB",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &bearer)],
            big.clone(),
            413,
            "larger than",
        ),
        ("wrong method", "PATCH", "/v2/customers".into(), vec![], String::new(), 405, "method"),
        ("wrong method on healthz", "DELETE", "/healthz".into(), vec![], String::new(), 405, "method"),
        ("unknown api path", "GET", "/api/v1/nothing".into(), vec![], String::new(), 404, "no such route"),
        ("unknown path", "GET", "/nothing-here".into(), vec![], String::new(), 404, "no such route"),
        (
            "bad default_region",
            "POST",
            "/api/v1/validate/store?default_region=XX".into(),
            vec![json_ct],
            good.clone(),
            400,
            "default_region",
        ),
        (
            "bad today",
            "POST",
            "/api/v1/validate/store?today=2026-02-30".into(),
            vec![json_ct],
            good.clone(),
            400,
            "today",
        ),
        ("healthz", "GET", "/healthz".into(), vec![], String::new(), 200, "ok"),
        (
            "created",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &bearer)],
            good.clone(),
            201,
            "ok@example.com",
        ),
        (
            "taken, case-insensitive",
            "POST",
            path.clone(),
            vec![json_ct, ("Authorization", &bearer)],
            customer("OK@Example.com").to_string(),
            422,
            "has already been taken",
        ),
        (
            "unknown customer",
            "GET",
            format!("{path}/12345"),
            vec![("Authorization", &bearer)],
            String::new(),
            404,
            "customer",
        ),
        (
            "square without token",
            "POST",
            "/v2/customers".into(),
            vec![json_ct],
            "{}".into(),
            401,
            "AUTHENTICATION_ERROR",
        ),
        (
            "square invalid",
            "POST",
            "/v2/customers".into(),
            vec![json_ct, ("Authorization", &bearer)],
            "{\"email_address\":\"x\"}".into(),
            400,
            "INVALID_EMAIL_ADDRESS",
        ),
        (
            "square malformed",
            "POST",
            "/v2/customers".into(),
            vec![json_ct, ("Authorization", &bearer)],
            "{".into(),
            400,
            "INVALID_REQUEST_ERROR",
        ),
        ("join unknown store", "POST", "/join/999".into(), vec![json_ct], good.clone(), 404, "store"),
        (
            "join",
            "POST",
            format!("/join/{}", d.store),
            vec![json_ct],
            customer("join@example.com").to_string(),
            202,
            "accepted",
        ),
    ];
    for (name, method, path, headers, body, status, needle) in rows {
        let resp = request(addr, method, &path, &headers, body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = String::from_utf8_lossy(&resp.body);
        assert_eq!(resp.status, status, "{name}: {text}");
        assert!(text.contains(needle), "{name}: {needle:?} not in {text}");
        assert_eq!(resp.header("content-type"), Some("application/json"), "{name}");
        resp.json();
    }

    // 413 is decided while reading: a chunked body has no length to check up front.
    let mut chunked = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nAuthorization: {bearer}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..80 {
        chunked.extend_from_slice(format!("400\r\n{}\r\n", " ".repeat(1024)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(raw(addr, &chunked).expect("chunked").status, 413);

    // The 201 body is the customer GET returns.
    let created = post_json(addr, &path, Some(&d.token), &customer("again@example.com"));
    assert_eq!(created.status, 201);
    let created = created.json();
    let fetched = get(addr, &format!("{path}/{}", created["id"]), Some(&d.token));
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json(), created);
    // Another store cannot read it.
    let other_path = format!("/api/v1/accounts/{}/customers/{}", printed(&other, "store"), created["id"]);
    assert_eq!(get(addr, &other_path, Some(other_token)).status, 404);

    // Form-encoded, Rails style.
    let form = "customer[first_name]=Form&customer[phone]=%2B1+212+555+4240&card_id=".to_owned() + &d.card.to_string();
    let resp = request(
        addr,
        "POST",
        &path,
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", &bearer)],
        form.as_bytes(),
    )
    .expect("form");
    assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
    assert_eq!(resp.json()["phone"], "+12125554240");
    // The same phone typed another way is the same number.
    let resp = post_json(
        addr,
        &path,
        Some(&d.token),
        &json!({ "customer": { "first_name": "B", "phone": "(212) 555-4240" } }),
    );
    assert_eq!(resp.status, 422);
    assert_eq!(resp.json()["errors"]["phone"][0], "has already been taken");

    let config = get(addr, "/api/v1/public/config", None).json();
    assert_eq!(config["store"]["id"], d.store);
    assert_eq!(config["cards"][0]["id"], d.card);
}

#[test]
fn cards_welcome_stamps_outbox_and_references() {
    let d = demo("cards");
    let addr = d.server.addr;
    let db = db_of(&d._dir.0);
    let path = format!("/api/v1/accounts/{}/customers", d.store);
    let other = admin(&db, &["stores", "add", "--name", "Other", "--country", "GB"]);
    let other_store = printed(&other, "store");
    let foreign_card = admin(&db, &["cards", "add", "--store", &other_store, "--name", "F", "--stamps-required", "5"]);
    let foreign_card: i64 = foreign_card[0].1.parse().expect("card id");
    let generous = admin(
        &db,
        &[
            "cards",
            "add",
            "--store",
            &d.store.to_string(),
            "--name",
            "G",
            "--stamps-required",
            "8",
            "--initial-stamps",
            "3",
        ],
    );
    let generous: i64 = generous[0].1.parse().expect("card id");

    // (card, send_card_links, phone?, expected stamps, expected remaining, expected outbox rows)
    let rows = [(d.card, true, true, 1, 9, 2), (generous, true, false, 3, 5, 1), (generous, false, true, 3, 5, 0)];
    for (i, (card, send, phone, stamps, remaining, outbox)) in rows.into_iter().enumerate() {
        let mut body = json!({ "customer": { "first_name": "C", "email": format!("c{i}@example.com") }, "card_id": card, "send_card_links": send });
        if phone {
            body["customer"]["phone"] = json!(format!("+1 212 555 42{:02}", 10 + i));
        }
        let resp = post_json(addr, &path, Some(&d.token), &body);
        assert_eq!(resp.status, 201, "row {i}: {}", String::from_utf8_lossy(&resp.body));
        let c = resp.json();
        let cc = &c["customer_cards"][0];
        assert_eq!(
            (cc["card_id"].as_i64(), cc["stamps_count"].as_i64(), cc["stamps_remaining"].as_i64()),
            (Some(card), Some(stamps), Some(remaining)),
            "row {i}"
        );
        for key in ["apple_wallet_url", "google_wallet_url"] {
            assert!(
                cc[key]
                    .as_str()
                    .is_some_and(|u| u.starts_with("http") && u.contains(cc["uuid"].as_str().unwrap_or("?"))),
                "row {i} {key}"
            );
        }
        let n = db_number(
            &db,
            &format!("SELECT COUNT(*) FROM outbox o JOIN customer_cards cc ON cc.id = o.customer_card_id WHERE cc.customer_id = {}", c["id"]),
        );
        assert_eq!(n, outbox, "row {i}: outbox rows");
    }

    let resp = post_json(
        addr,
        &path,
        Some(&d.token),
        &json!({ "customer": { "first_name": "C", "email": "f@example.com" }, "card_id": foreign_card }),
    );
    assert_eq!(resp.status, 422);
    assert!(resp.json()["errors"]["card_id"].is_array());
    let resp = post_json(
        addr,
        &path,
        Some(&d.token),
        &json!({ "customer": { "first_name": "C", "email": "g@example.com" }, "card_id": 987654 }),
    );
    assert_eq!(resp.status, 422);
    assert!(resp.json()["errors"]["card_id"].is_array());

    // A reference is one row, held by the customer that took it first: another customer's
    // create naming it is 422 on that reference, and nothing of that create is stored.
    let reference = json!([{ "source": "square", "external_id": "JDKY", "metadata": { "n": 1 } }]);
    let first = post_json(
        addr,
        &path,
        Some(&d.token),
        &json!({ "customer": { "first_name": "R", "email": "r1@example.com", "external_references": reference } }),
    );
    assert_eq!(first.status, 201);
    let reference = json!([{ "source": "square", "external_id": "JDKY", "metadata": { "n": 2 } }]);
    let second = post_json(
        addr,
        &path,
        Some(&d.token),
        &json!({ "customer": { "first_name": "R", "email": "r2@example.com", "external_references": reference } }),
    );
    assert_eq!(second.status, 422);
    assert_eq!(second.json()["errors"]["external_references[0].external_id"], json!(["has already been taken"]));
    let first = first.json();
    assert_eq!(first["external_references"][0]["metadata"]["n"], 1);
    let rows = db_rows(
        &db,
        "SELECT customer_id, metadata FROM external_references WHERE source = 'square' AND external_id = 'JDKY'",
    );
    assert_eq!(rows, vec![vec![first["id"].to_string(), r#"{"n":1}"#.to_owned()]]);
    let stored = db_number(&db, "SELECT COUNT(*) FROM customers WHERE email = 'r2@example.com'");
    assert_eq!(stored, 0, "the refused create left nothing");
}

#[test]
fn fifty_concurrent_creates_with_one_email() {
    let d = demo("race");
    let addr = d.server.addr;
    let path = Arc::new(format!("/api/v1/accounts/{}/customers", d.store));
    let token = Arc::new(d.token.clone());
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let barrier = Arc::new(std::sync::Barrier::new(50));
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let (path, token, statuses, barrier) = (path.clone(), token.clone(), statuses.clone(), barrier.clone());
            std::thread::spawn(move || {
                // Each spells the address differently: uniqueness ignores case.
                let email = if i % 2 == 0 { "Race@Example.com" } else { "race@example.com" };
                barrier.wait();
                let resp = post_json(addr, &path, Some(&token), &customer(email));
                if resp.status == 422 {
                    assert_eq!(resp.json()["errors"]["email"][0], "has already been taken");
                }
                statuses.lock().expect("lock").push(resp.status);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let statuses = statuses.lock().expect("lock");
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 49, "{statuses:?}");
    let n = db_number(&db_of(&d._dir.0), "SELECT COUNT(*) FROM customers WHERE email_key = 'race@example.com'");
    assert_eq!(n, 1);
}

#[test]
fn square_create_and_idempotency() {
    let d = demo("square");
    let addr = d.server.addr;
    let body = json!({ "idempotency_key": "k-1", "given_name": " Amelia ", "email_address": "amelia@EXAMPLE.com", "birthday": "09-21" });
    let first = post_json(addr, "/v2/customers", Some(&d.token), &body);
    assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
    let first = first.json();
    let c = &first["customer"];
    assert_eq!(
        (c["given_name"].as_str(), c["email_address"].as_str(), c["birthday"].as_str()),
        (Some("Amelia"), Some("amelia@example.com"), Some("0000-09-21"))
    );
    assert_eq!((c["creation_source"].as_str(), c["version"].as_i64()), (Some("THIRD_PARTY"), Some(0)));
    assert!(
        c["id"].as_str().is_some_and(|id| !id.is_empty())
            && c["created_at"].is_string()
            && c.get("idempotency_key").is_none()
    );

    // Same body (re-spaced, keys reordered): the first response, not a second customer.
    let again = request(addr, "POST", "/v2/customers", &[("Content-Type", "application/json"), ("Authorization", &format!("Bearer {}", d.token))],
        br#"{ "email_address": "amelia@EXAMPLE.com", "birthday": "09-21", "given_name": " Amelia ", "idempotency_key": "k-1" }"#).expect("again");
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), first);

    let mut other = body.clone();
    other["given_name"] = json!("Bea");
    let reused = post_json(addr, "/v2/customers", Some(&d.token), &other);
    assert_eq!(reused.status, 400);
    let e = &reused.json()["errors"][0];
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str(), e["category"].as_str()),
        (Some("IDEMPOTENCY_KEY_REUSED"), Some("idempotency_key"), Some("INVALID_REQUEST_ERROR"))
    );

    // Without a key, duplicates are allowed (Square).
    let mut plain = body.clone();
    plain.as_object_mut().expect("object").remove("idempotency_key");
    let a = post_json(addr, "/v2/customers", Some(&d.token), &plain).json();
    let b = post_json(addr, "/v2/customers", Some(&d.token), &plain).json();
    assert_ne!(a["customer"]["id"], b["customer"]["id"]);

    let unknown = post_json(addr, "/v2/customers", Some(&d.token), &json!({ "given_name": "A", "favourite": 1 }));
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["errors"][0]["code"], "UNKNOWN_BODY_PARAMETER");
    let unauthorized = post_json(addr, "/v2/customers", Some("nope"), &plain);
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.json()["errors"][0]["category"], "AUTHENTICATION_ERROR");
}

/// A few rows of our own, so that the test means something before the shared table grows.
fn own_cases() -> Value {
    json!([
        { "name": "valid store", "shape": "store", "options": { "default_region": "GB", "today": "2026-11-23" },
          "input": { "customer": { "first_name": "Ada", "phone": "020 7946 0018", "birthday": "1990-01-31" } } },
        { "name": "many errors", "shape": "store", "options": { "today": "2026-11-23" },
          "input": { "customer": { "first_name": 3, "email": "a@b", "birthday": "2027-01-01", "external_references": [{ "source": "Bad Slug" }] }, "card_id": -1 } },
        { "name": "square future birthday", "shape": "square", "options": { "default_region": "US", "today": "2026-11-23" },
          "input": { "given_name": "A", "birthday": "2026-11-25", "address": { "country": "XX" } } },
        { "name": "form", "shape": "store", "encoding": "form", "options": { "today": "2026-11-23" },
          "input": "customer[first_name]=A&customer[email]=a%40example.com&send_card_links=yes" }
    ])
}

#[test]
fn validate_endpoints_return_the_library_report_for_every_case() {
    let d = demo("cases");
    let addr = d.server.addr;
    let mut rows: Vec<(String, Value)> =
        own_cases().as_array().cloned().unwrap_or_default().into_iter().map(|r| ("own".to_owned(), r)).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let text = std::fs::read_to_string(file).expect("case file");
        let table: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for row in table.as_array().cloned().unwrap_or_default() {
            rows.push((file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), row));
        }
    }
    let mut checked = 0;
    // Each row is also worded in one of the catalogue's locales, in turn (its own, if it
    // names one), so the server's messages are held to the native ones in every locale.
    let locales = customer_validation::messages::locales();
    let rows = rows.iter().filter(|(_, r)| r.get("field").is_none() && r["options"].get("messages").is_none());
    for (i, (file, row)) in rows.enumerate() {
        let name = format!("{file}: {}", row["name"]);
        let shape = row["shape"].as_str().expect("shape");
        let region = row["options"]["default_region"].as_str().unwrap_or("US");
        let locale = row["options"]["locale"].as_str().unwrap_or(&locales[i % locales.len()]);
        let mut options =
            Options::default().with_default_region(region).expect("region").with_locale(locale).expect("locale");
        let mut query = format!("default_region={region}&locale={locale}");
        if let Some(today) = row["options"]["today"].as_str() {
            options = options.with_today(today.parse::<Date>().expect("today"));
            query.push_str(&format!("&today={today}"));
        }
        let (expected, resp) = if row["encoding"] == "form" {
            let body = row["input"].as_str().expect("form input");
            let expected = validate_store_form(body, &options);
            let resp = request(
                addr,
                "POST",
                &format!("/api/v1/validate/store?{query}"),
                &[("Content-Type", "application/x-www-form-urlencoded")],
                body.as_bytes(),
            );
            (expected, resp)
        } else {
            let expected = if shape == "square" {
                validate_square(&row["input"], &options)
            } else {
                validate_store(&row["input"], &options)
            };
            let resp = request(
                addr,
                "POST",
                &format!("/api/v1/validate/{shape}?{query}"),
                &[("Content-Type", "application/json")],
                row["input"].to_string().as_bytes(),
            );
            (expected, resp)
        };
        let resp = resp.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(resp.status, 200, "{name}");
        assert_eq!(resp.json(), serde_json::to_value(&expected).expect("report"), "{name} ({locale})");
        assert_eq!(
            resp.header("content-language"),
            Some(customer_validation::messages::resolve_locale(locale).as_str())
        );
        checked += 1;
    }
    assert!(checked >= own_cases().as_array().map_or(0, Vec::len), "checked {checked}");
    eprintln!("validate endpoints: {checked} rows");
}

#[test]
fn static_files_with_types_and_no_traversal() {
    let dir = TempDir::new("static");
    std::fs::create_dir_all(dir.0.join("www")).expect("www");
    std::fs::create_dir_all(dir.0.join("pkg")).expect("pkg");
    std::fs::write(dir.0.join("www/index.html"), "<h1>hi</h1>").expect("write");
    std::fs::write(dir.0.join("pkg/core_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(dir.0.join("pkg/core.js"), "export {}").expect("write");
    std::fs::write(dir.0.join("secret.txt"), "secret").expect("write");
    let server = Server::start(&dir.0);
    let rows = [
        ("/", 200, Some("text/html; charset=utf-8"), Some("<h1>hi</h1>")),
        ("/index.html", 200, Some("text/html; charset=utf-8"), Some("<h1>hi</h1>")),
        ("/pkg/core_bg.wasm", 200, Some("application/wasm"), None),
        ("/pkg/core.js", 200, Some("text/javascript; charset=utf-8"), Some("export {}")),
        ("/pkg/missing.js", 404, Some("application/json"), None),
        ("/../secret.txt", 404, Some("application/json"), None),
        ("/pkg/../secret.txt", 404, Some("application/json"), None),
        ("/pkg/..%2fsecret.txt", 404, Some("application/json"), None),
        ("/%2e%2e/secret.txt", 404, Some("application/json"), None),
        ("/pkg/%2e%2e/%2e%2e/secret.txt", 404, Some("application/json"), None),
    ];
    for (path, status, ct, body) in rows {
        let resp = get(server.addr, path, None);
        assert_eq!(resp.status, status, "{path}");
        assert_eq!(resp.header("content-type"), ct, "{path}");
        assert!(!String::from_utf8_lossy(&resp.body).contains("secret"), "{path}");
        if let Some(body) = body {
            assert_eq!(String::from_utf8_lossy(&resp.body), body, "{path}");
        }
    }
}

/// `make pkg` leaves zopfli `.gz` and brotli `.br` copies of the browser build; a client gets
/// the one it takes (brotli first), as is, with its `Content-Encoding`, and every other
/// client the file. Every file has a validator, so a browser's revalidation costs no body.
#[test]
fn precompressed_files_and_revalidation() {
    let dir = TempDir::new("gzip");
    std::fs::create_dir_all(dir.0.join("www")).expect("www");
    std::fs::create_dir_all(dir.0.join("pkg/web")).expect("pkg");
    std::fs::write(dir.0.join("pkg/web/app_bg.wasm"), b"\0asm\x01\0\0\0 the module").expect("write");
    std::fs::write(dir.0.join("pkg/web/app_bg.wasm.gz"), b"\x1f\x8b stands for the module").expect("write");
    std::fs::write(dir.0.join("pkg/web/app_bg.wasm.br"), b"brotli bytes").expect("write");
    std::fs::write(dir.0.join("pkg/plain.js"), "export {}").expect("write");
    let server = Server::start(&dir.0);
    let (gz, br, plain): (&[u8], &[u8], &[u8]) =
        (b"\x1f\x8b stands for the module", b"brotli bytes", b"\0asm\x01\0\0\0 the module");
    let rows: [(&str, &str, Option<&str>, &[u8]); 11] = [
        ("/pkg/web/app_bg.wasm", "gzip, deflate, br", Some("br"), br),
        ("/pkg/web/app_bg.wasm", "br;q=1.0, GZIP;q=0.5", Some("br"), br),
        ("/pkg/web/app_bg.wasm", "gzip", Some("gzip"), gz),
        ("/pkg/web/app_bg.wasm", "br;q=0, gzip", Some("gzip"), gz),
        ("/pkg/web/app_bg.wasm", "br, *;q=0", Some("br"), br),
        // `*` allows any coding, identity included (RFC 9110, 12.5.3): the file as it is.
        ("/pkg/web/app_bg.wasm", "*", None, plain),
        ("/pkg/web/app_bg.wasm", "gzip;q=0", None, plain),
        ("/pkg/web/app_bg.wasm", "gzip;q=0, *", None, plain),
        ("/pkg/web/app_bg.wasm", "deflate", None, plain),
        ("/pkg/web/app_bg.wasm", "", None, plain),
        ("/pkg/plain.js", "gzip, br", None, b"export {}"),
    ];
    for (path, accept, encoding, body) in rows {
        let headers: Vec<(&str, &str)> = if accept.is_empty() { vec![] } else { vec![("Accept-Encoding", accept)] };
        let resp = request(server.addr, "GET", path, &headers, b"").expect("request");
        assert_eq!(resp.status, 200, "{path} {accept:?}");
        assert_eq!(resp.header("content-encoding"), encoding, "{path} {accept:?}");
        assert_eq!(resp.body, body, "{path} {accept:?}");
        let content_type = if path.ends_with(".wasm") { "application/wasm" } else { "text/javascript; charset=utf-8" };
        assert_eq!(resp.header("content-type"), Some(content_type), "{path} {accept:?}");
        // Caches must keep the forms apart.
        assert_eq!(resp.header("vary"), path.ends_with(".wasm").then_some("accept-encoding"), "{path} {accept:?}");
        assert_eq!(resp.header("cache-control"), Some("no-cache"), "{path}");
    }
    let head = request(server.addr, "HEAD", "/pkg/web/app_bg.wasm", &[("Accept-Encoding", "gzip")], b"").expect("HEAD");
    assert_eq!(head.header("content-length"), Some(gz.len().to_string().as_str()), "the length of the .gz");
    assert_eq!(head.header("content-encoding"), Some("gzip"));

    let first = get(server.addr, "/pkg/plain.js", None);
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = request(server.addr, "GET", "/pkg/plain.js", &[("If-None-Match", &etag)], b"").expect("request");
    assert_eq!((again.status, again.body.len()), (304, 0), "unchanged: 304, no body");
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.0.join("pkg/plain.js"), "export const changed = 1;").expect("rewrite");
    let changed = request(server.addr, "GET", "/pkg/plain.js", &[("If-None-Match", &etag)], b"").expect("request");
    assert_eq!(changed.status, 200, "a rewritten file is sent again");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert_eq!(changed.body, b"export const changed = 1;");
}

/// Customers missing their card, their reference or either of their two card links.
const HALF_WRITTEN: &str = "SELECT COUNT(*) FROM customers c WHERE
       (SELECT COUNT(*) FROM customer_cards WHERE customer_id = c.id) != 1
    OR (SELECT COUNT(*) FROM external_references WHERE customer_id = c.id) != 1
    OR (SELECT COUNT(*) FROM outbox o JOIN customer_cards cc ON cc.id = o.customer_card_id WHERE cc.customer_id = c.id) != 2";

#[test]
fn acknowledged_creates_survive_sigkill() {
    let dir = TempDir::new("durability");
    let server = Server::start(&dir.0);
    let store = server.banner_value("demo store").expect("store");
    let card = server.banner_value("demo card").expect("card");
    let token = server.banner_value("demo token").expect("token");
    let addr = server.addr;
    let acked = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (acked, stop, token, store, card) = (acked.clone(), stop.clone(), token.clone(), store.clone(), card.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + TIMEOUT;
                for i in 0..10_000 {
                    if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                        break;
                    }
                    let email = format!("w{w}-{i}@example.com");
                    let body = json!({ "customer": { "first_name": "D", "email": email, "phone": format!("+1 212 555 {:04}", w * 1000 + i % 1000),
                        "external_references": [{ "source": "pos", "external_id": email }] }, "card_id": card.parse::<i64>().unwrap_or(0), "send_card_links": true });
                    let auth = format!("Bearer {token}");
                    let headers = [("Content-Type", "application/json"), ("Authorization", auth.as_str())];
                    let path = format!("/api/v1/accounts/{store}/customers");
                    // After the kill, requests fail: that ends this worker.
                    let Ok(resp) = request(addr, "POST", &path, &headers, body.to_string().as_bytes()) else { break };
                    if resp.status == 201 {
                        acked.lock().expect("lock").push((resp.json()["id"].as_i64().unwrap_or(0), email));
                    } else if resp.status != 422 {
                        break;
                    }
                }
            })
        })
        .collect();
    // Kill once writes are flowing.
    let deadline = Instant::now() + TIMEOUT;
    while acked.lock().expect("lock").len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut server = server;
    server.child.kill().expect("SIGKILL");
    let _ = server.child.wait();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 200, "only {} creates acknowledged before the kill", acked.len());

    let restarted = Server::start(&dir.0);
    assert!(restarted.banner.is_empty(), "no new demo store on restart: {:?}", restarted.banner);
    for (id, email) in &acked {
        let resp = get(restarted.addr, &format!("/api/v1/accounts/{store}/customers/{id}"), Some(&token));
        assert_eq!(resp.status, 200, "customer {id} acknowledged but lost");
        assert_eq!(resp.json()["email"].as_str(), Some(email.as_str()));
    }
    // No half-written customer: each one has its card, its reference and two deliveries.
    let db = db_of(&dir.0);
    if postgres_base().is_none() {
        assert_eq!(db_rows(&db, "PRAGMA integrity_check"), vec![vec!["ok".to_owned()]]);
    }
    assert_eq!(db_number(&db, HALF_WRITTEN), 0);
    let total = db_number(&db, "SELECT COUNT(*) FROM customers");
    assert!(total as usize >= acked.len());
    eprintln!("durability: {} acknowledged, {total} stored after SIGKILL", acked.len());
}

/// Every setting of `serve` is a flag and an environment variable alike, and `--help` says
/// both; `/readyz` answers while the database does, `/healthz` whatever it does.
#[test]
fn settings_from_the_environment_and_readiness() {
    let help = Command::new(bin()).args(["serve", "--help"]).output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    for (flag, env) in [
        ("--listen", "CV_LISTEN"),
        ("--db", "CV_DB"),
        ("--log-format", "CV_LOG_FORMAT"),
        ("--join-limit-per-client", "CV_JOIN_LIMIT_PER_CLIENT"),
    ] {
        assert!(help.contains(flag) && help.contains(&format!("[env: {env}=")), "{flag} / {env} in --help:\n{help}");
    }

    // Timeouts and windows out of range are refused before anything starts.
    for (flag, value) in [("--idle-timeout", "0"), ("--header-read-timeout", "86401"), ("--join-window", "0")] {
        let out = Command::new(bin()).args(["serve", flag, value]).output().expect("serve");
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(flag), "{flag} {value}");
    }

    let dir = TempDir::new("environment");
    let server = Server::start_env(&dir.0, &[], &[("CV_JOIN_LIMIT_PER_CLIENT", "1"), ("CV_LOG_FORMAT", "json")]);
    let store = server.banner_value("demo store").expect("store");
    let body = json!({ "customer": { "first_name": "E", "email": "e1@example.com" } });
    assert_eq!(post_json(server.addr, &format!("/join/{store}"), None, &body).status, 202);
    let second = post_json(server.addr, &format!("/join/{store}"), None, &body);
    assert_eq!(second.status, 429, "the limit came from CV_JOIN_LIMIT_PER_CLIENT");
    assert_eq!(second.header("ratelimit-limit"), Some("1"));

    let ready = get(server.addr, "/readyz", None);
    assert_eq!((ready.status, ready.json()), (200, json!({ "status": "ready" })));
    let head = request(server.addr, "HEAD", "/readyz", &[], b"").expect("HEAD");
    assert_eq!((head.status, head.body.len()), (200, 0));
    let wrong = request(server.addr, "POST", "/readyz", &[], b"").expect("POST");
    assert_eq!(wrong.status, 405);
}

/// Where the server's log goes: a test that sets `RUST_LOG` reads it from `server.log` in
/// its folder; every other server's warnings reach the test's own output.
fn log_to(dir: &Path, env: &[(&str, &str)]) -> Stdio {
    if env.iter().any(|(name, _)| *name == "RUST_LOG") {
        Stdio::from(std::fs::File::create(dir.join("server.log")).expect("log file"))
    } else {
        Stdio::inherit()
    }
}

/// Issue 21's frame: request ids, request logs, metrics, CORS.
#[path = "server/frame.rs"]
mod frame;

/// The store API after the create: PATCH, list, search (issue 17).
#[path = "server/lifecycle.rs"]
mod lifecycle;

/// Square's Customers API beyond the create (issue 17).
#[path = "server/square_api.rs"]
mod square_api;

/// The token routes' gate: rate limits per token, the status route (issues 17, 21).
#[path = "server/token_routes.rs"]
mod token_routes;

/// The OpenAPI document against the routes (issue 21).
#[path = "server/openapi.rs"]
mod openapi;

/// Card links delivered to a webhook (issue 21).
#[path = "server/delivery.rs"]
mod delivery;

/// Issue 18's reproductions: the public sign-up under abuse, and the connection limits.
#[path = "server/abuse.rs"]
mod abuse;

/// Messages in the language a request asks for (issue 19).
#[path = "server/language.rs"]
mod language;

/// Several nodes on PostgreSQL, and its outage (issue 22).
#[path = "server/nodes.rs"]
mod nodes;
