//! The delivery worker against a webhook receiver in the test: down then up, failing, and a
//! server killed with links pending.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;

const SECRET: &str = "whsec_test_4f1d";

/// One POST the receiver took.
#[derive(Clone, Debug)]
struct Hook {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
}

impl Hook {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver on `port`: answers each POST with what `answer` says, given the POSTs
/// before it, and keeps them all.
fn receiver(port: u16, answer: impl Fn(&[Hook], &Hook) -> u16 + Send + 'static) -> Arc<Mutex<Vec<Hook>>> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver");
    let hooks = Arc::new(Mutex::new(Vec::new()));
    let kept = hooks.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(mut hook) = read_post(&mut stream) else { continue };
            let mut hooks = kept.lock().unwrap();
            hook.status = answer(&hooks, &hook);
            let reply = format!("HTTP/1.1 {} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", hook.status);
            let _ = stream.write_all(reply.as_bytes());
            hooks.push(hook);
        }
    });
    hooks
}

fn read_post(stream: &mut TcpStream) -> Option<Hook> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let split = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
        if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = bytes[split + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Hook { headers, body, status: 0 })
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn worker_flags(port: u16) -> Vec<String> {
    [
        "--delivery-webhook",
        &format!("http://127.0.0.1:{port}/hooks/card-links"),
        "--delivery-secret",
        SECRET,
        "--delivery-retry-ms",
        "100",
        "--delivery-timeout",
        "1",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Creates `n` customers with an email and a phone and the demo card: 2 links each.
fn create_with_links(server: &Server, n: usize, tag: &str) -> Vec<String> {
    let store = server.banner_value("demo store").expect("store");
    let token = server.banner_value("demo token").expect("token");
    let card: i64 = server.banner_value("demo card").expect("card").parse().expect("card id");
    let mut recipients = Vec::new();
    for i in 0..n {
        let email = format!("{tag}{i}@example.com");
        let phone = format!("+1 212 555 {:04}", 1000 + i);
        let body = json!({ "customer": { "first_name": "D", "email": email, "phone": phone }, "card_id": card, "send_card_links": true });
        let resp = post_json(server.addr, &format!("/api/v1/accounts/{store}/customers"), Some(&token), &body);
        assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
        recipients.push(email);
        recipients.push(format!("+1212555{:04}", 1000 + i));
    }
    recipients
}

/// Waits until `done` holds of the receiver's POSTs, or panics after `limit`.
fn wait_for(hooks: &Mutex<Vec<Hook>>, limit: Duration, what: &str, done: impl Fn(&[Hook]) -> bool) -> Vec<Hook> {
    let deadline = Instant::now() + limit;
    loop {
        let seen = hooks.lock().unwrap().clone();
        if done(&seen) {
            return seen;
        }
        assert!(Instant::now() < deadline, "{what} within {limit:?}; got {} POSTs: {seen:#?}", seen.len());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The ids the receiver took with a 2xx.
fn delivered(hooks: &[Hook]) -> Vec<String> {
    let mut ids: Vec<String> =
        hooks.iter().filter(|h| h.status == 200).filter_map(|h| h.header("delivery-id").map(str::to_owned)).collect();
    ids.sort();
    ids
}

fn metric(addr: SocketAddr, series: &str) -> f64 {
    let text = String::from_utf8_lossy(&get(addr, "/metrics", None).body).into_owned();
    text.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok()).unwrap_or(0.0)
}

/// Checks a POST the way a receiver would: the signature over `<t>.<body>` with the shared
/// secret, a recent `t`, and a card link in the body.
fn assert_signed_card_link(hook: &Hook) -> Value {
    let signature = hook.header("signature").expect("a Signature header");
    let (t, v1) = signature
        .split_once(',')
        .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("t=…,v1=… : {signature}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(&hook.body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v1, expected, "the HMAC-SHA256 of <t>.<body>");
    let t: u64 = t.parse().expect("unix seconds");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    assert!(now.abs_diff(t) < 300, "t is now");
    assert_eq!(hook.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&hook.body).expect("JSON body");
    assert_eq!(body["type"], "card_link");
    assert_eq!(body["id"].to_string(), hook.header("delivery-id").expect("Delivery-Id"));
    assert!(body["card"]["apple_wallet_url"].as_str().is_some_and(|u| u.contains("/passes/")), "{body}");
    body
}

#[test]
fn links_wait_for_a_webhook_that_is_down_and_all_arrive_once_it_is_up() {
    let dir = TempDir::new("delivery-down");
    let port = free_port();
    let flags = worker_flags(port);
    let server = Server::start_with(&dir.0, &flags.iter().map(String::as_str).collect::<Vec<_>>());
    let recipients = create_with_links(&server, 3, "down");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(metric(server.addr, "card_link_outbox_pending"), 6.0, "queued while the receiver is down");
    assert!(metric(server.addr, r#"card_link_deliveries_total{outcome="retried"}"#) >= 6.0);

    let hooks = receiver(port, |_, _| 200);
    let seen = wait_for(&hooks, Duration::from_secs(15), "all 6 links", |h| delivered(h).len() >= 6);
    let mut got: Vec<String> = seen
        .iter()
        .map(|hook| {
            assert!(hook.header("delivery-attempt").and_then(|a| a.parse::<u32>().ok()).is_some_and(|a| a >= 2));
            assert_signed_card_link(hook)["recipient"].as_str().expect("recipient").to_owned()
        })
        .collect();
    got.sort();
    let mut want = recipients;
    want.sort();
    assert_eq!(got, want, "every link, each once");
    wait_for(&hooks, Duration::from_secs(5), "the outbox drained", |_| {
        metric(server.addr, "card_link_outbox_pending") == 0.0
    });
    assert_eq!(metric(server.addr, r#"card_link_deliveries_total{outcome="sent"}"#), 6.0);
}

#[test]
fn a_webhook_answering_500_twice_gets_the_link_on_the_third_attempt() {
    let dir = TempDir::new("delivery-500");
    let port = free_port();
    let hooks = receiver(port, |before, hook| {
        let id = hook.header("delivery-id");
        let earlier = before.iter().filter(|h| h.header("delivery-id") == id).count();
        if earlier < 2 {
            500
        } else {
            200
        }
    });
    let flags = worker_flags(port);
    let server = Server::start_with(&dir.0, &flags.iter().map(String::as_str).collect::<Vec<_>>());
    create_with_links(&server, 1, "retry");
    let seen = wait_for(&hooks, Duration::from_secs(10), "both links delivered", |h| delivered(h).len() >= 2);
    for id in delivered(&seen) {
        let attempts: Vec<(&str, u16)> = seen
            .iter()
            .filter(|h| h.header("delivery-id") == Some(id.as_str()))
            .map(|h| (h.header("delivery-attempt").unwrap_or(""), h.status))
            .collect();
        assert_eq!(attempts, [("1", 500), ("2", 500), ("3", 200)], "link {id}");
    }
}

#[test]
fn links_pending_when_the_server_is_killed_go_out_after_the_restart() {
    let dir = TempDir::new("delivery-kill");
    let port = free_port();
    let flags = worker_flags(port);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let first = Server::start_with(&dir.0, &flags);
    let recipients = create_with_links(&first, 4, "kill");
    std::thread::sleep(Duration::from_millis(300));
    drop(first); // SIGKILL, with every link still queued

    let hooks = receiver(port, |_, _| 200);
    let second = Server::start_with(&dir.0, &flags);
    let seen = wait_for(&hooks, Duration::from_secs(15), "all 8 links after the restart", |h| delivered(h).len() >= 8);
    let ids = delivered(&seen);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "no link twice");
    let mut got: Vec<String> =
        seen.iter().map(|h| assert_signed_card_link(h)["recipient"].as_str().unwrap_or("").to_owned()).collect();
    got.sort();
    let mut want = recipients;
    want.sort();
    assert_eq!(got, want);
    // The receiver has its answer before the worker records it.
    wait_for(&hooks, Duration::from_secs(5), "the outbox drained", |_| {
        metric(second.addr, "card_link_outbox_pending") == 0.0
    });
}

/// Two nodes on one PostgreSQL database drain one outbox: every link is POSTed once
/// (claims are `FOR UPDATE SKIP LOCKED`), none twice. PostgreSQL pass only.
#[test]
fn two_nodes_drain_one_outbox_and_send_each_link_once() {
    if postgres_base().is_none() {
        return;
    }
    let port = free_port();
    let hooks = receiver(port, |_, _| 200);
    let dir = TempDir::new("pg-outbox");
    let flags = worker_flags(port);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let first = Server::start_with(&dir.0, &flags);
    let second = Server::start_with(&dir.0, &flags);
    assert!(second.banner.is_empty());
    let recipients = create_with_links(&first, 40, "pair");
    let seen = wait_for(&hooks, TIMEOUT, "every link delivered", |h| delivered(h).len() >= recipients.len());
    // Longer than a poll of either worker: a second send would have come by now.
    std::thread::sleep(Duration::from_secs(1));
    let seen_after = hooks.lock().unwrap().clone();
    let ids = delivered(&seen_after);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(
        (ids.len(), unique.len(), seen_after.len()),
        (recipients.len(), recipients.len(), seen.len()),
        "a link sent twice"
    );
    let sent = |server: &Server| metric(server.addr, "card_link_deliveries_total{outcome=\"sent\"}");
    eprintln!(
        "two nodes drained {} links once each: {} by one node, {} by the other",
        ids.len(),
        sent(&first),
        sent(&second)
    );
}
