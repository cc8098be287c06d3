//! Several nodes on one PostgreSQL database, and the database going away. These run in
//! `make test-server`'s PostgreSQL pass (`CV_TEST_POSTGRES` set) and are skipped on SQLite,
//! whose file one node owns.

use super::*;

/// Flags of every node here: no rate limit in the way of the load.
const UNLIMITED: &[&str] = &["--api-rate-limit", "1000000"];

/// Two nodes on one fresh database (the first seeds the demo store), or none on SQLite.
fn two_nodes(name: &str) -> Option<(Demo, Server)> {
    postgres_base()?;
    let first = demo_with(name, UNLIMITED);
    let second = Server::start_with(&first._dir.0, UNLIMITED);
    assert!(second.banner.is_empty(), "the second node seeds nothing: {:?}", second.banner);
    Some((first, second))
}

fn post(addr: SocketAddr, path: &str, token: &str, body: &Value, extra: &[(&str, &str)]) -> std::io::Result<Resp> {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("Content-Type", "application/json"), ("Authorization", auth.as_str())];
    headers.extend_from_slice(extra);
    request(addr, "POST", path, &headers, body.to_string().as_bytes())
}

/// Customers whose search words (written by Rust with a create) differ from what SQL
/// computes from their rows (after an update).
const STALE_SEARCH_WORDS: &str = "SELECT COUNT(*) FROM customers c WHERE search_terms <> concat_ws(' ', first_name, last_name,
    email, replace(phone, '+', ''), (SELECT string_agg(external_id, ' ' ORDER BY id) FROM external_references WHERE customer_id = c.id))";

/// Runs `n` requests at once, the `i`th to `nodes[i % 2]`; their statuses and bodies.
fn race(nodes: [SocketAddr; 2], n: usize, send: impl Fn(SocketAddr, usize) -> Resp + Sync) -> Vec<(u16, Value)> {
    let barrier = std::sync::Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, send) = (&barrier, &send);
                s.spawn(move || {
                    barrier.wait();
                    let resp = send(nodes[i % 2], i);
                    (resp.status, serde_json::from_slice(&resp.body).unwrap_or(Value::Null))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a racing client")).collect()
    })
}

#[test]
fn fifty_racing_creates_with_one_email_over_two_nodes_make_one_customer() {
    let Some((d, other)) = two_nodes("pg-race") else { return };
    let path = format!("/api/v1/accounts/{}/customers", d.store);
    let body = json!({ "customer": { "first_name": "R", "email": "Race@Example.com" } });
    let answers = race([d.server.addr, other.addr], 50, |addr, i| {
        // Half of them spell the address in other case: uniqueness ignores it.
        let mut body = body.clone();
        if i % 4 < 2 {
            body["customer"]["email"] = json!("race@example.COM");
        }
        post(addr, &path, &d.token, &body, &[]).expect("request")
    });
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    let taken = answers.iter().filter(|(status, body)| *status == 422 && body["errors"]["email"].is_array()).count();
    assert_eq!((created, taken), (1, 49), "{answers:?}");
    let db = db_of(&d._dir.0);
    assert_eq!(db_number(&db, "SELECT COUNT(*) FROM customers WHERE email_key = 'race@example.com'"), 1);
    assert_eq!(db_number(&db, STALE_SEARCH_WORDS), 0);
    eprintln!("two nodes: 50 racing creates with one email gave {created} 201 and {taken} 422");
}

#[test]
fn one_idempotency_key_on_two_nodes_makes_one_customer() {
    let Some((d, other)) = two_nodes("pg-key") else { return };
    let path = format!("/api/v1/accounts/{}/customers", d.store);
    let body = json!({ "customer": { "first_name": "K", "email": "key@example.com" }, "card_id": d.card });
    let answers = race([d.server.addr, other.addr], 20, |addr, _| {
        post(addr, &path, &d.token, &body, &[("Idempotency-Key", "order-42")]).expect("request")
    });
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the one customer: {ids:?}");
    let db = db_of(&d._dir.0);
    assert_eq!(db_number(&db, "SELECT COUNT(*) FROM customers WHERE email = 'key@example.com'"), 1);
    assert_eq!(db_number(&db, "SELECT COUNT(*) FROM customer_cards"), 1);

    // Square's key space alike.
    let square = json!({ "idempotency_key": "sq-7", "given_name": "Sq", "email_address": "sq@example.com" });
    let answers = race([d.server.addr, other.addr], 20, |addr, _| {
        post(addr, "/v2/customers", &d.token, &square, &[]).expect("request")
    });
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body["customer"]["id"].to_string())
        .collect();
    assert_eq!((ids.len(), answers.iter().all(|(status, _)| *status == 200)), (1, true), "{answers:?}");
    assert_eq!(db_number(&db, "SELECT COUNT(*) FROM square_customers"), 1);
}

#[test]
fn racing_square_updates_of_one_version_over_two_nodes_one_wins() {
    let Some((d, other)) = two_nodes("pg-versions") else { return };
    let created = post(
        d.server.addr,
        "/v2/customers",
        &d.token,
        &json!({ "given_name": "V", "email_address": "v@example.com" }),
        &[],
    )
    .expect("create");
    assert_eq!(created.status, 200);
    let id = created.json()["customer"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v2/customers/{id}");
    let answers = race([d.server.addr, other.addr], 20, |addr, i| {
        let auth = format!("Bearer {}", d.token);
        let body = json!({ "given_name": format!("Writer{i}"), "version": 0 });
        let headers = [("Content-Type", "application/json"), ("Authorization", auth.as_str())];
        request(addr, "PUT", &path, &headers, body.to_string().as_bytes()).expect("request")
    });
    let won: Vec<&Value> = answers.iter().filter(|(status, _)| *status == 200).map(|(_, body)| body).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| matches!(status, 200 | 400 | 409)), "{answers:?}");
    let stored = get(other.addr, &path, Some(&d.token)).json();
    assert_eq!(stored["customer"]["version"], 1);
    assert_eq!(stored["customer"]["given_name"], won[0]["customer"]["given_name"]);
}

#[test]
fn a_node_killed_mid_load_loses_no_acknowledged_create_and_the_other_answers() {
    let Some((d, other)) = two_nodes("pg-kill") else { return };
    let (store, card, token) = (d.store, d.card, d.token.clone());
    let (first, second) = (d.server.addr, other.addr);
    let acked = Arc::new(Mutex::new(Vec::<(i64, String, bool)>::new()));
    let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let after_kill = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (acked, killed, after_kill, token) = (acked.clone(), killed.clone(), after_kill.clone(), token.clone());
            std::thread::spawn(move || {
                let addr = if w % 2 == 0 { first } else { second };
                let deadline = Instant::now() + TIMEOUT;
                for i in 0..100_000 {
                    // Each client runs until the kill, then a while longer on the node left.
                    if Instant::now() > deadline || after_kill.load(Ordering::Relaxed) >= 400 {
                        break;
                    }
                    let email = format!("k{w}-{i}@example.com");
                    let body = json!({ "customer": { "first_name": "K", "email": email, "phone": format!("+1 212 555 {:04}", w * 1000 + i % 1000),
                        "external_references": [{ "source": "pos", "external_id": email }] }, "card_id": card, "send_card_links": true });
                    let was_killed = killed.load(Ordering::SeqCst);
                    match post(addr, &format!("/api/v1/accounts/{store}/customers"), &token, &body, &[]) {
                        Ok(resp) if resp.status == 201 => {
                            acked.lock().expect("lock").push((resp.json()["id"].as_i64().unwrap_or(0), email, addr == first));
                            if was_killed && addr == second {
                                after_kill.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(resp) if resp.status == 422 => {}
                        Ok(resp) => panic!("node {addr}: {} {}", resp.status, String::from_utf8_lossy(&resp.body)),
                        // The killed node's clients stop at their first refused request.
                        Err(_) if addr == first && killed.load(Ordering::SeqCst) => break,
                        Err(e) => panic!("node {addr}: {e}"),
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + TIMEOUT;
    while acked.lock().expect("lock").iter().filter(|(_, _, on_first)| *on_first).count() < 200
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut d = d;
    killed.store(true, Ordering::SeqCst);
    d.server.child.kill().expect("SIGKILL the first node");
    let _ = d.server.child.wait();
    for w in workers {
        w.join().expect("a client");
    }
    let acked = acked.lock().expect("lock").clone();
    let on_first = acked.iter().filter(|(_, _, on_first)| *on_first).count();
    let answered_after = after_kill.load(Ordering::Relaxed);
    assert!(on_first >= 200, "only {on_first} creates acknowledged by the first node before the kill");
    assert!(answered_after >= 400, "the second node answered {answered_after} creates after the kill");
    for (id, email, _) in &acked {
        let resp = get(second, &format!("/api/v1/accounts/{store}/customers/{id}"), Some(&token));
        assert_eq!(resp.status, 200, "customer {id} acknowledged but lost");
        assert_eq!(resp.json()["email"].as_str(), Some(email.as_str()));
    }
    let db = db_of(&d._dir.0);
    assert_eq!(db_number(&db, HALF_WRITTEN), 0, "a customer half written");
    assert_eq!(db_number(&db, STALE_SEARCH_WORDS), 0, "search words as the rows say");
    eprintln!(
        "two nodes, SIGKILL: {} creates acknowledged ({on_first} by the killed node), all present; {answered_after} answered by the other after the kill",
        acked.len()
    );
}

/// A cluster of the test's own (it is stopped and started again), from mk/postgres.sh.
struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    fn script(&self, command: &str) -> String {
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("mk/postgres.sh"))
            .arg(command)
            .arg(&self.dir)
            .output()
            .expect("mk/postgres.sh");
        assert!(out.status.success(), "mk/postgres.sh {command}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("mk/postgres.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

#[test]
fn the_database_stopped_then_started_gives_503_meanwhile_and_recovers_without_a_restart() {
    if postgres_base().is_none() {
        return;
    }
    let cluster = Cluster { dir: std::env::temp_dir().join(format!("cv-outage-{}", std::process::id())) };
    let url = cluster.script("start");
    let dir = TempDir::new("pg-outage");
    // Its log (the outage's warnings) goes to a file.
    let server = Server::start_on(&dir.0, &url, UNLIMITED, &[("RUST_LOG", "warn")]);
    let token = server.banner_value("demo token").expect("token");
    let path = format!("/api/v1/accounts/{}/customers", server.banner_value("demo store").expect("store"));
    let create =
        |n: usize| post(server.addr, &path, &token, &customer(&format!("o{n}@example.com")), &[]).expect("request");
    let before = create(0);
    assert_eq!(before.status, 201);

    cluster.script("pause");
    for n in 1..=3 {
        let resp = create(n);
        assert_eq!(resp.status, 503, "{}", String::from_utf8_lossy(&resp.body));
        assert_eq!(resp.header("retry-after"), Some("1"));
        assert!(resp.json()["error"].is_string());
        assert_eq!(get(server.addr, "/readyz", None).status, 503);
        // Square's routes answer in Square's shape.
        let square = get(server.addr, "/v2/customers", Some(&token));
        assert_eq!((square.status, square.header("retry-after")), (503, Some("1")));
        assert_eq!(square.json()["errors"][0]["code"], "SERVICE_UNAVAILABLE");
    }

    cluster.script("resume");
    let deadline = Instant::now() + TIMEOUT;
    let mut n = 10;
    let recovered = loop {
        let resp = create(n);
        if resp.status == 201 || Instant::now() > deadline {
            break resp;
        }
        assert_eq!(resp.status, 503, "{}", String::from_utf8_lossy(&resp.body));
        n += 1;
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(recovered.status, 201, "no recovery within {TIMEOUT:?}");
    let mut server = server;
    assert!(server.child.try_wait().expect("the server process").is_none(), "the same process recovered");
    let id = before.json()["id"].as_i64().expect("id");
    let kept = get(server.addr, &format!("{path}/{id}"), Some(&token));
    assert_eq!((kept.status, kept.json()["email"].clone()), (200, json!("o0@example.com")));
    assert_eq!(get(server.addr, "/readyz", None).status, 200);
}

/// Both backends' migrations end in the same columns, but for what each indexes its own
/// way: PostgreSQL's search words and Square's insertion order are columns; SQLite keeps
/// the words in an FTS5 table and the order in its rowid.
#[test]
fn both_backends_migrate_to_the_same_columns() {
    if postgres_base().is_none() {
        return;
    }
    let dir = TempDir::new("pg-schema");
    let sqlite = dir.0.join("schema.db").to_string_lossy().into_owned();
    let postgres = db_of(&dir.0);
    for db in [&sqlite, &postgres] {
        admin(db, &["stores", "add", "--name", "Schema", "--country", "FR"]);
    }
    let columns = |db: &str, sql: &str| -> std::collections::BTreeSet<String> {
        db_rows(db, sql).into_iter().map(|row| row.join(".")).collect()
    };
    let in_sqlite = columns(
        &sqlite,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'customer_search%'",
    );
    let in_postgres = columns(
        &postgres,
        "SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
    );
    let only_postgres: Vec<&String> = in_postgres.difference(&in_sqlite).collect();
    let only_sqlite: Vec<&String> = in_sqlite.difference(&in_postgres).collect();
    assert_eq!(only_postgres, ["customers.search_terms", "square_customers.position"]);
    assert!(only_sqlite.is_empty(), "{only_sqlite:?}");
    assert!(in_sqlite.len() > 50, "{in_sqlite:?}");
}

/// `DATABASE_URL` names the database when neither `--db` nor `CV_DB` does, for the admin
/// commands and `serve` alike; a URL that names no reachable server is a clear error.
#[test]
fn database_url_names_the_database_for_admin_commands_and_serve() {
    if postgres_base().is_none() {
        return;
    }
    let dir = TempDir::new("pg-env");
    let url = db_of(&dir.0);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(bin()).args(args).env_remove("CV_DB").envs(env.iter().copied()).output().expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["stores", "add", "--name", "Env", "--country", "DE"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, Some(0), "{err}");
    let store = out.lines().find_map(|l| l.strip_prefix("store: ")).expect("store line").to_owned();
    let (code, _, err) =
        run(&["cards", "add", "--store", &store, "--name", "C", "--stamps-required", "3"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(db_number(&url, "SELECT COUNT(*) FROM stores WHERE name = 'Env' AND country = 'DE'"), 1);
    assert_eq!(db_number(&url, "SELECT COUNT(*) FROM cards WHERE name = 'C'"), 1);

    let server = Server::start_env(&dir.0, &[], &[]);
    assert!(server.banner.is_empty(), "a store exists: no demo store");
    drop(server);

    // Nothing listens on port 1: the command says so and fails.
    let (code, _, err) =
        run(&["stores", "add", "--name", "X", "--country", "DE", "--db", "postgres://cv@127.0.0.1:1/none"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("postgres://cv@127.0.0.1:1/none"), "{err}");
    let (code, _, err) =
        run(&["stores", "add", "--name", "X", "--country", "DE", "--db", "postgres://cv:secret@127.0.0.1:1/none"], &[]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("secret"), "the password stays out of messages: {err}");
}
