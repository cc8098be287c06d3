//! [`Storage`] on one SQLite file: WAL, `synchronous=FULL`, one writer thread that commits
//! queued writes together (group commit), and a few read connections.
//!
//! Why a writer thread: SQLite takes one writer at a time anyway, and every commit costs an
//! fsync. The thread takes every job waiting in its queue, runs each inside its own
//! SAVEPOINT (so a rejected create leaves no trace), commits once, and only then answers
//! every job: a 201 is never sent before its rows are on disk.

use std::path::Path as FsPath;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use super::store::{CreateError, IdempotencyKey, SquareOutcome, Storage, StorageError, StoreInfo, Valid};
use crate::model::{SquareCustomerRequest, StoreRequest};
use crate::{Code, Params, Path, Violation};

/// The most jobs one commit covers; bounds the latency a single fsync adds.
const MAX_BATCH: usize = 512;
const READERS: usize = 4;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    stamps_required INTEGER NOT NULL CHECK (stamps_required > 0),
    initial_stamps INTEGER NOT NULL DEFAULT 0 CHECK (initial_stamps >= 0),
    created_at TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    email_key TEXT,
    phone TEXT,
    birthday TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers(store_id, email_key);
CREATE UNIQUE INDEX customers_phone ON customers(store_id, phone);
CREATE TABLE external_references (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    metadata TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (store_id, source, external_id)
);
CREATE INDEX external_references_customer ON external_references(customer_id);
CREATE TABLE customer_cards (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    card_id INTEGER NOT NULL REFERENCES cards(id),
    status TEXT NOT NULL,
    stamps_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (customer_id, card_id)
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    customer_card_id INTEGER NOT NULL REFERENCES customer_cards(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE TABLE square_customers (
    id TEXT PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE idempotency_keys (
    store_id INTEGER NOT NULL REFERENCES stores(id),
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, key)
);
"#,
    r#"
ALTER TABLE stores ADD COLUMN public_signup INTEGER NOT NULL DEFAULT 0 CHECK (public_signup IN (0, 1));
-- Every store had a public sign-up before it was a choice; only the demo store keeps it.
UPDATE stores SET public_signup = 1 WHERE name = 'Demo store' AND id = (SELECT MIN(id) FROM stores);
CREATE TABLE store_idempotency_keys (
    store_id INTEGER NOT NULL REFERENCES stores(id),
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, key)
);
ALTER TABLE outbox ADD COLUMN store_id INTEGER REFERENCES stores(id);
UPDATE outbox SET store_id = (
    SELECT c.store_id FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.id = outbox.customer_card_id
);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
"#,
];

type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A write: runs inside a savepoint, says whether to keep its changes, and how to answer
/// once the commit is known.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

/// SQLite behind [`Storage`].
#[derive(Clone)]
pub struct Sqlite {
    writer: mpsc::Sender<Job>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
    /// Base of the wallet links in every customer card.
    public_url: Arc<str>,
    /// Card links go to one recipient of a store at most once per this long.
    card_link_window: std::time::Duration,
}

/// Opens a connection with the settings every connection needs.
pub fn open(path: &FsPath) -> rusqlite::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL + FULL: a commit is fsynced before it returns, so an acknowledged write survives
    // SIGKILL and power loss alike.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Applies the migrations not yet applied (tracked in `user_version`).
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(done).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Now, RFC 3339 in UTC with milliseconds.
pub fn now() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}

/// A new API token (shown once) and its stored hash.
pub fn new_token() -> Result<(String, [u8; 32]), String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    let token = format!("cv_{}", hex(&bytes));
    let hash = hash_token(&token);
    Ok((token, hash))
}

fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds a store and a token for it; returns (store id, token). `public_signup` opens
/// `/join/:id` to anonymous sign-ups.
pub fn add_store(conn: &Connection, name: &str, country: &str, public_signup: bool) -> Result<(i64, String), String> {
    let (token, hash) = new_token()?;
    let at = now();
    let tx = conn.unchecked_transaction().map_err(|e| e.to_string())?;
    tx.execute(
        "INSERT INTO stores (name, country, public_signup, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, country, public_signup, at],
    )
    .map_err(|e| e.to_string())?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO api_tokens (store_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
        params![id, &hash[..], at],
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok((id, token))
}

/// Adds a card to a store; returns its id.
pub fn add_card(conn: &Connection, store: i64, name: &str, required: u32, initial: u32) -> Result<i64, String> {
    let exists: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM stores WHERE id = ?1)", [store], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if !exists {
        return Err(format!("no store with id {store}"));
    }
    if required == 0 {
        return Err("`--stamps-required` must be at least 1".into());
    }
    conn.execute(
        "INSERT INTO cards (store_id, name, stamps_required, initial_stamps, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![store, name, required, initial, now()],
    )
    .map_err(|e| e.to_string())?;
    Ok(conn.last_insert_rowid())
}

/// What `serve` prints on an empty database.
pub struct Demo {
    /// The demo store's id.
    pub store_id: i64,
    /// The demo card's id.
    pub card_id: i64,
    /// The demo store's API token.
    pub token: String,
}

/// Creates the demo store, card and token when the database has no store yet.
pub fn seed_demo(conn: &Connection) -> Result<Option<Demo>, String> {
    let stores: i64 = conn.query_row("SELECT COUNT(*) FROM stores", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if stores > 0 {
        return Ok(None);
    }
    let (store_id, token) = add_store(conn, "Demo store", "US", true)?;
    let card_id = add_card(conn, store_id, "Demo card", 10, 1)?;
    Ok(Some(Demo { store_id, card_id, token }))
}

fn db_err(e: rusqlite::Error) -> StorageError {
    StorageError(e.to_string())
}

impl Sqlite {
    /// Opens (and migrates) the database and starts the writer thread.
    pub fn open(path: &FsPath, public_url: &str, card_link_window: std::time::Duration) -> Result<Sqlite, String> {
        let mut conn = open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        migrate(&mut conn).map_err(|e| format!("{}: migration failed: {e}", path.display()))?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(Mutex::new(open(path).map_err(|e| format!("{}: {e}", path.display()))?));
        }
        let (writer, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(conn, jobs))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        Ok(Sqlite {
            writer,
            readers: Arc::new(readers),
            next_reader: Arc::new(AtomicUsize::new(0)),
            public_url: public_url.trim_end_matches('/').into(),
            card_link_window,
        })
    }

    /// Runs `f` in the writer's transaction; resolves after the commit.
    async fn write<R, E, F>(&self, f: F) -> Result<Result<R, E>, StorageError>
    where
        R: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, E> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let keep = result.is_ok();
            let deliver: Deliver = Box::new(move |commit| {
                let _ = tx.send(commit.map(|()| result));
            });
            (keep, deliver)
        });
        self.writer.send(job).map_err(|_| StorageError("the writer thread stopped".into()))?;
        match rx.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(e)) => Err(StorageError(format!("commit failed: {e}"))),
            Err(_) => Err(StorageError("the writer thread stopped".into())),
        }
    }

    /// Runs `f` on a read connection off the async threads.
    async fn read<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let readers = self.readers.clone();
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            let conn = readers[i].lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(db_err)
        })
        .await
        .map_err(|e| StorageError(format!("read task failed: {e}")))?
    }
}

fn write_loop(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut delivers = Vec::with_capacity(batch.len());
        let outcome = (|| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            for job in batch.drain(..) {
                tx.execute_batch("SAVEPOINT job")?;
                let (keep, deliver) = job(&tx);
                delivers.push(deliver);
                if keep {
                    tx.execute_batch("RELEASE job")?;
                } else {
                    tx.execute_batch("ROLLBACK TO job; RELEASE job")?;
                }
            }
            tx.commit()
        })();
        let outcome = outcome.map_err(|e| {
            tracing::error!(error = %e, "write batch failed");
            e.to_string()
        });
        for deliver in delivers {
            deliver(outcome.clone());
        }
        // Jobs of a batch that failed before they ran are dropped: their callers see the
        // writer's channel close and answer 500.
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

fn taken(field: &'static str) -> Violation {
    Violation::new(Path::root().key("customer").key(field), Code::Taken, Params::new())
}

fn reference_taken(index: usize) -> Violation {
    Violation::new(
        Path::root().key("customer").key("external_references").index(index).key("external_id"),
        Code::Taken,
        Params::new(),
    )
}

/// Email uniqueness is case-insensitive, the whole address (local parts are case-sensitive
/// by RFC, but no real provider treats them so and customers retype them freely).
fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// The store's card a request names, with its welcome stamps; a card of another store, or
/// none, is a violation on `card_id`.
fn requested_card(conn: &Connection, store_id: i64, request: &StoreRequest) -> Result<Option<Card>, CreateError> {
    let Some(card_id) = request.card_id else { return Ok(None) };
    let card_id = i64::try_from(card_id).unwrap_or(-1);
    let initial: Option<i64> = conn
        .query_row(
            "SELECT initial_stamps FROM cards WHERE id = ?1 AND store_id = ?2",
            params![card_id, store_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(storage)?;
    match initial {
        Some(initial_stamps) => Ok(Some(Card { id: card_id, initial_stamps })),
        None => {
            let params = Params::from_iter([("reason".to_owned(), json!("unknown_card"))]);
            Err(CreateError::Rejected(vec![Violation {
                path: Path::root().key("card_id"),
                code: Code::InvalidValue,
                message: "is not a card of this store".into(),
                params,
            }]))
        }
    }
}

/// A card of the store.
struct Card {
    id: i64,
    initial_stamps: i64,
}

fn storage(e: rusqlite::Error) -> CreateError {
    CreateError::Storage(e.to_string())
}

/// The customers of the store that already hold the request's email or phone, with the
/// channel and recipient each one matched on.
fn holders(conn: &Connection, store_id: i64, request: &StoreRequest) -> rusqlite::Result<Vec<(i64, Channel)>> {
    let c = &request.customer;
    let mut found = Vec::new();
    if let Some(email) = &c.email {
        let id: Option<i64> = conn
            .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND email_key = ?2")?
            .query_row(params![store_id, email_key(email)], |r| r.get(0))
            .optional()?;
        found.extend(id.map(|id| (id, Channel::Email(email.clone()))));
    }
    if let Some(phone) = &c.phone {
        let id: Option<i64> = conn
            .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND phone = ?2")?
            .query_row(params![store_id, phone], |r| r.get(0))
            .optional()?;
        found.extend(id.map(|id| (id, Channel::Sms(phone.clone()))));
    }
    Ok(found)
}

/// Where a card link goes.
#[derive(Clone, Debug)]
enum Channel {
    Email(String),
    Sms(String),
}

impl Channel {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Channel::Email(to) => ("email", to),
            Channel::Sms(to) => ("sms", to),
        }
    }
}

/// Indexes (in the request) of the external references another customer of the store holds.
fn references_held_elsewhere(
    conn: &Connection,
    store_id: i64,
    customer_id: Option<i64>,
    request: &StoreRequest,
) -> rusqlite::Result<Vec<usize>> {
    let mut held = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id FROM external_references WHERE store_id = ?1 AND source = ?2 AND external_id = ?3",
    )?;
    for (i, reference) in request.customer.external_references.iter().flatten().enumerate() {
        let holder: Option<i64> =
            stmt.query_row(params![store_id, reference.source, reference.external_id], |r| r.get(0)).optional()?;
        if holder.is_some_and(|holder| Some(holder) != customer_id) {
            held.push(i);
        }
    }
    Ok(held)
}

/// Queues one card link per channel, except to a recipient this store sent one to within
/// `window`: a flood of sign-ups naming one address sends it one message.
fn queue_card_links(
    conn: &Connection,
    store_id: i64,
    customer_card_id: i64,
    channels: &[Channel],
    window: std::time::Duration,
    at: &str,
) -> rusqlite::Result<()> {
    let since = jiff::SignedDuration::try_from(window)
        .ok()
        .and_then(|w| jiff::Timestamp::now().checked_sub(w).ok())
        .map_or_else(String::new, |t| format!("{t:.3}"));
    for channel in channels {
        let (channel, recipient) = channel.parts();
        let recent: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE recipient = ?1 AND created_at > ?2 AND channel = ?3 AND store_id = ?4)",
            )?
            .query_row(params![recipient, since, channel, store_id], |r| r.get(0))?;
        if !recent {
            conn.execute(
                "INSERT INTO outbox (customer_card_id, store_id, channel, recipient, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![customer_card_id, store_id, channel, recipient, at],
            )?;
        }
    }
    Ok(())
}

/// The request's email and phone as card-link channels.
fn channels_of(request: &StoreRequest) -> Vec<Channel> {
    let c = &request.customer;
    c.email.iter().map(|e| Channel::Email(e.clone())).chain(c.phone.iter().map(|p| Channel::Sms(p.clone()))).collect()
}

/// Writes a new customer (checks done) with its references, card and card links; returns its id.
fn insert_rows(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    card: Option<Card>,
    card_link_window: std::time::Duration,
) -> Result<i64, CreateError> {
    let c = &request.customer;
    let at = now();
    let metadata = c.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string());
    let inserted = conn.execute(
        "INSERT INTO customers (store_id, first_name, last_name, email, email_key, phone, birthday, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![store_id, c.first_name, c.last_name, c.email, c.email.as_deref().map(email_key), c.phone, c.birthday, metadata, at],
    );
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            let field = if e.to_string().contains("phone") { "phone" } else { "email" };
            return Err(CreateError::Rejected(vec![taken(field)]));
        }
        Err(e) => return Err(storage(e)),
    }
    let customer_id = conn.last_insert_rowid();

    // A reference is upserted for the customer that holds it, never moved to another: the
    // conflict updates nothing when the holder differs, and that is reported as taken.
    let mut held = Vec::new();
    for (i, reference) in c.external_references.iter().flatten().enumerate() {
        let metadata = reference.metadata.as_ref().map(|m| Value::Object(m.clone()).to_string());
        let written = conn
            .execute(
                "INSERT INTO external_references (store_id, customer_id, source, external_id, metadata, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (store_id, source, external_id)
                 DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
                 WHERE external_references.customer_id = excluded.customer_id",
                params![store_id, customer_id, reference.source, reference.external_id, metadata, at],
            )
            .map_err(storage)?;
        if written == 0 {
            held.push(reference_taken(i));
        }
    }
    if !held.is_empty() {
        return Err(CreateError::Rejected(held));
    }

    if let Some(card) = card {
        let uuid = uuid::Uuid::new_v4().to_string();
        conn.execute(
            "INSERT INTO customer_cards (uuid, customer_id, card_id, status, stamps_count, created_at)
             VALUES (?1, ?2, ?3, 'active', ?4, ?5)",
            params![uuid, customer_id, card.id, card.initial_stamps, at],
        )
        .map_err(storage)?;
        let customer_card_id = conn.last_insert_rowid();
        if request.send_card_links == Some(true) {
            queue_card_links(conn, store_id, customer_card_id, &channels_of(request), card_link_window, &at)
                .map_err(storage)?;
        }
    }
    Ok(customer_id)
}

/// The store API's create: every taken field, reference and an unknown card reported at once.
fn insert_customer(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    public_url: &str,
    card_link_window: std::time::Duration,
) -> Result<Value, CreateError> {
    // Checked first so that every field is reported at once; the unique indexes below
    // remain the guarantee.
    let mut rejected: Vec<Violation> = holders(conn, store_id, request)
        .map_err(storage)?
        .into_iter()
        .map(|(_, channel)| taken(if matches!(channel, Channel::Email(_)) { "email" } else { "phone" }))
        .collect();
    rejected.extend(
        references_held_elsewhere(conn, store_id, None, request).map_err(storage)?.into_iter().map(reference_taken),
    );
    let card = match requested_card(conn, store_id, request) {
        Ok(card) => card,
        Err(CreateError::Rejected(violations)) => {
            rejected.extend(violations);
            None
        }
        Err(e) => return Err(e),
    };
    if !rejected.is_empty() {
        return Err(CreateError::Rejected(rejected));
    }
    let customer_id = insert_rows(conn, store_id, request, card, card_link_window)?;
    match load_customer(conn, store_id, customer_id, public_url) {
        Ok(Some(customer)) => Ok(customer),
        Ok(None) => Err(CreateError::Storage("the new customer vanished".into())),
        Err(e) => Err(storage(e)),
    }
}

/// The public sign-up. A new email and phone make a customer; one a customer holds queues
/// that customer's card links to it again (when asked for) and changes nothing else. The
/// caller answers both alike, so the route reveals no membership.
fn join_customer(
    conn: &Connection,
    store_id: i64,
    request: &StoreRequest,
    card_link_window: std::time::Duration,
) -> Result<(), CreateError> {
    let card = requested_card(conn, store_id, request)?;
    let holders = holders(conn, store_id, request).map_err(storage)?;
    if holders.is_empty() {
        return insert_rows(conn, store_id, request, card, card_link_window).map(|_| ());
    }
    if request.send_card_links != Some(true) {
        return Ok(());
    }
    let at = now();
    for (customer_id, channel) in holders {
        let cards: Vec<i64> = conn
            .prepare_cached("SELECT id FROM customer_cards WHERE customer_id = ?1 ORDER BY id")
            .and_then(|mut stmt| stmt.query_map([customer_id], |r| r.get(0))?.collect())
            .map_err(storage)?;
        for customer_card_id in cards {
            queue_card_links(conn, store_id, customer_card_id, std::slice::from_ref(&channel), card_link_window, &at)
                .map_err(storage)?;
        }
    }
    Ok(())
}

/// The first answer to an idempotency key: `Some(Ok)` to send again, `Some(Err)` when the
/// key came with another body, `None` when the key is new.
fn replay(
    conn: &Connection,
    store_id: i64,
    key: &IdempotencyKey,
) -> Result<Option<Result<Value, CreateError>>, CreateError> {
    let stored: Option<(Vec<u8>, String)> = conn
        .prepare_cached("SELECT request_hash, response FROM store_idempotency_keys WHERE store_id = ?1 AND key = ?2")
        .and_then(|mut stmt| stmt.query_row(params![store_id, key.key], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(storage)?;
    Ok(stored.map(|(hash, response)| {
        if bool::from(hash.as_slice().ct_eq(&key.body_hash[..])) {
            serde_json::from_str(&response).map_err(|e| CreateError::Storage(format!("stored answer: {e}")))
        } else {
            Err(CreateError::KeyReused)
        }
    }))
}

fn load_store(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoreInfo>> {
    conn.prepare_cached("SELECT id, country, public_signup FROM stores WHERE id = ?1")?
        .query_row([id], |r| Ok(StoreInfo { id: r.get(0)?, country: r.get(1)?, public_signup: r.get(2)? }))
        .optional()
}

fn parse_json_column(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

fn load_customer(conn: &Connection, store_id: i64, id: i64, public_url: &str) -> rusqlite::Result<Option<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, store_id, first_name, last_name, email, phone, birthday, metadata, created_at, updated_at
         FROM customers WHERE id = ?1 AND store_id = ?2",
    )?;
    let customer = stmt
        .query_row(params![id, store_id], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "account_id": r.get::<_, i64>(1)?,
                "first_name": r.get::<_, Option<String>>(2)?,
                "last_name": r.get::<_, Option<String>>(3)?,
                "email": r.get::<_, Option<String>>(4)?,
                "phone": r.get::<_, Option<String>>(5)?,
                "birthday": r.get::<_, Option<String>>(6)?,
                "metadata": match parse_json_column(r.get(7)?) { Value::Null => Value::Object(Map::new()), m => m },
                "external_references": [],
                "customer_cards": [],
                "created_at": r.get::<_, String>(8)?,
                "updated_at": r.get::<_, String>(9)?,
            }))
        })
        .optional()?;
    let Some(mut customer) = customer else { return Ok(None) };

    let mut stmt = conn.prepare_cached(
        "SELECT source, external_id, metadata FROM external_references WHERE customer_id = ?1 ORDER BY id",
    )?;
    let references = stmt
        .query_map([id], |r| {
            Ok(json!({
                "source": r.get::<_, String>(0)?,
                "external_id": r.get::<_, String>(1)?,
                "metadata": match parse_json_column(r.get(2)?) { Value::Null => Value::Object(Map::new()), m => m },
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    customer["external_references"] = Value::Array(references);

    let mut stmt = conn.prepare_cached(
        "SELECT cc.id, cc.uuid, cc.card_id, c.name, cc.status, cc.stamps_count, c.stamps_required, cc.created_at
         FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.customer_id = ?1 ORDER BY cc.id",
    )?;
    let cards = stmt
        .query_map([id], |r| {
            let uuid: String = r.get(1)?;
            let stamps: i64 = r.get(5)?;
            let required: i64 = r.get(6)?;
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "uuid": uuid,
                "card_id": r.get::<_, i64>(2)?,
                "card_name": r.get::<_, String>(3)?,
                "status": r.get::<_, String>(4)?,
                "stamps_count": stamps,
                "stamps_remaining": (required - stamps).max(0),
                "apple_wallet_url": format!("{public_url}/passes/{uuid}/apple"),
                "google_wallet_url": format!("{public_url}/passes/{uuid}/google"),
                "created_at": r.get::<_, String>(7)?,
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    customer["customer_cards"] = Value::Array(cards);
    Ok(Some(customer))
}

/// Square ids are 26 upper-case letters and digits.
fn square_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";
    let mut bytes = [0u8; 26];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: a v4 UUID (itself random) spread over the 26 places.
        let uuid = uuid::Uuid::new_v4().into_bytes();
        bytes.iter_mut().enumerate().for_each(|(i, b)| *b = uuid[i % 16].rotate_left(i as u32));
    }
    // 32 symbols divide 256, so every symbol is equally likely.
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

fn insert_square(
    conn: &Connection,
    store_id: i64,
    request: &Valid<SquareCustomerRequest>,
    body_hash: [u8; 32],
) -> rusqlite::Result<SquareOutcome> {
    let key = request.get().idempotency_key.as_deref();
    if let Some(key) = key {
        let stored: Option<(Vec<u8>, String)> = conn
            .query_row(
                "SELECT request_hash, response FROM idempotency_keys WHERE store_id = ?1 AND key = ?2",
                params![store_id, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((hash, response)) = stored {
            if bool::from(hash.as_slice().ct_eq(&body_hash[..])) {
                return Ok(SquareOutcome::Customer(serde_json::from_str(&response).unwrap_or(Value::Null)));
            }
            return Ok(SquareOutcome::KeyReused);
        }
    }
    let at = now();
    let id = square_id();
    let mut customer = Map::new();
    customer.insert("id".into(), json!(id));
    customer.insert("created_at".into(), json!(at));
    customer.insert("updated_at".into(), json!(at));
    if let Value::Object(fields) = request.value() {
        for (name, value) in fields {
            if name != "idempotency_key" {
                customer.insert(name.clone(), value.clone());
            }
        }
    }
    customer.insert("preferences".into(), json!({ "email_unsubscribed": false }));
    customer.insert("creation_source".into(), json!("THIRD_PARTY"));
    customer.insert("version".into(), json!(0));
    let response = json!({ "customer": customer });
    conn.execute(
        "INSERT INTO square_customers (id, store_id, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, store_id, Value::Object(customer).to_string(), at],
    )?;
    if let Some(key) = key {
        conn.execute(
            "INSERT INTO idempotency_keys (store_id, key, request_hash, response, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![store_id, key, &body_hash[..], response.to_string(), at],
        )?;
    }
    Ok(SquareOutcome::Customer(response))
}

impl Storage for Sqlite {
    async fn authenticate(&self, token: &str) -> Result<Option<StoreInfo>, StorageError> {
        let hash = hash_token(token);
        self.read(move |conn| {
            let found: Option<(i64, Vec<u8>)> = conn
                .prepare_cached("SELECT store_id, token_hash FROM api_tokens WHERE token_hash = ?1")?
                .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            // The lookup is by hash, so timing reveals nothing of the token itself; the
            // comparison is constant-time all the same.
            match found.filter(|(_, stored)| bool::from(stored.as_slice().ct_eq(&hash[..]))) {
                Some((id, _)) => load_store(conn, id),
                None => Ok(None),
            }
        })
        .await
    }

    async fn store(&self, store_id: i64) -> Result<Option<StoreInfo>, StorageError> {
        self.read(move |conn| load_store(conn, store_id)).await
    }

    async fn create_customer(
        &self,
        store_id: i64,
        request: Valid<StoreRequest>,
        key: Option<IdempotencyKey>,
    ) -> Result<Value, CreateError> {
        let public_url = self.public_url.clone();
        let window = self.card_link_window;
        let created = self
            .write(move |conn| {
                if let Some(key) = &key {
                    if let Some(answer) = replay(conn, store_id, key)? {
                        return answer;
                    }
                }
                let customer = insert_customer(conn, store_id, request.get(), &public_url, window)?;
                if let Some(key) = &key {
                    conn.execute(
                        "INSERT INTO store_idempotency_keys (store_id, key, request_hash, response, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![store_id, key.key, &key.body_hash[..], customer.to_string(), now()],
                    )
                    .map_err(storage)?;
                }
                Ok(customer)
            })
            .await;
        match created {
            Ok(result) => result,
            Err(e) => Err(CreateError::Storage(e.0)),
        }
    }

    async fn join(&self, store_id: i64, request: Valid<StoreRequest>) -> Result<(), CreateError> {
        let window = self.card_link_window;
        match self.write(move |conn| join_customer(conn, store_id, request.get(), window)).await {
            Ok(result) => result,
            Err(e) => Err(CreateError::Storage(e.0)),
        }
    }

    async fn get_customer(&self, store_id: i64, id: i64) -> Result<Option<Value>, StorageError> {
        let public_url = self.public_url.clone();
        self.read(move |conn| load_customer(conn, store_id, id, &public_url)).await
    }

    async fn create_square_customer(
        &self,
        store_id: i64,
        request: Valid<SquareCustomerRequest>,
        body_hash: [u8; 32],
    ) -> Result<SquareOutcome, StorageError> {
        self.write(move |conn| insert_square(conn, store_id, &request, body_hash)).await?.map_err(db_err)
    }

    async fn public_config(&self) -> Result<Value, StorageError> {
        self.read(|conn| {
            let store: Option<(i64, String, String)> = conn
                .query_row("SELECT id, name, country FROM stores WHERE public_signup = 1 ORDER BY id LIMIT 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((id, name, country)) = store else { return Ok(json!({ "store": null, "cards": [] })) };
            let cards = conn
                .prepare_cached(
                    "SELECT id, name, stamps_required, initial_stamps FROM cards WHERE store_id = ?1 ORDER BY id",
                )?
                .query_map([id], |r| {
                    Ok(json!({
                        "id": r.get::<_, i64>(0)?,
                        "name": r.get::<_, String>(1)?,
                        "stamps_required": r.get::<_, i64>(2)?,
                        "initial_stamps": r.get::<_, i64>(3)?,
                    }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(json!({ "store": { "id": id, "name": name, "country": country, "default_region": country }, "cards": cards }))
        })
        .await
    }
}
