//! [`Storage`] on one SQLite file: WAL, `synchronous=FULL`, one writer thread that commits
//! queued writes together (group commit), and a few read connections.
//!
//! Why a writer thread: SQLite takes one writer at a time anyway, and every commit costs an
//! fsync. The thread takes every job waiting in its queue, runs each inside its own
//! SAVEPOINT (so a rejected create leaves no trace), commits once, and only then answers
//! every job: a 201 is never sent before its rows are on disk.
//!
//! [`schema`] holds the migrations, [`admin`] stores, tokens and cards, [`store_api`] the
//! store API's customers, [`square`] Square's, [`idempotency`] both APIs' keys and
//! [`outbox`] the card links' deliveries, [`search`] the customer list and its index.

mod admin;
mod idempotency;
mod outbox;
mod schema;
mod search;
mod square;
mod store_api;

use std::path::Path as FsPath;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

pub use crate::server::records::new_token;
pub use admin::{add_card, add_store, seed_demo, Demo};
pub use schema::{migrate, open};

use super::store::{
    Attempt, Claimed, CreateError, CustomerQuery, IdempotencyKey, SquareChange, SquareListQuery, SquareOutcome,
    Storage, StorageError, StoreInfo, Valid,
};
use crate::model::{SquareCustomerRequest, StoreRequest};

/// The most jobs one commit covers; bounds the latency a single fsync adds.
const MAX_BATCH: usize = 512;
const READERS: usize = 4;

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
    /// Counts of recent searches, until customers change.
    search_counts: Arc<search::SearchCounts>,
}

pub use crate::server::records::now;

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
            search_counts: Arc::default(),
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

impl Storage for Sqlite {
    async fn authenticate(&self, token: &str) -> Result<Option<StoreInfo>, StorageError> {
        let hash = admin::hash_token(token);
        self.read(move |conn| {
            let found: Option<(i64, Vec<u8>)> = conn
                .prepare_cached("SELECT store_id, token_hash FROM api_tokens WHERE token_hash = ?1")?
                .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            // The lookup is by hash, so timing reveals nothing of the token itself; the
            // comparison is constant-time all the same.
            match found.filter(|(_, stored)| bool::from(stored.as_slice().ct_eq(&hash[..]))) {
                Some((id, _)) => admin::load_store(conn, id),
                None => Ok(None),
            }
        })
        .await
    }

    async fn store(&self, store_id: i64) -> Result<Option<StoreInfo>, StorageError> {
        self.read(move |conn| admin::load_store(conn, store_id)).await
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
                store_api::create_with_key(conn, store_id, request.get(), key.as_ref(), &public_url, window)
            })
            .await;
        self.search_counts.customers_changed();
        match created {
            Ok(result) => result,
            Err(e) => Err(CreateError::Storage(e.0)),
        }
    }

    async fn join(&self, store_id: i64, request: Valid<StoreRequest>) -> Result<(), CreateError> {
        let window = self.card_link_window;
        let joined = self.write(move |conn| store_api::join_customer(conn, store_id, request.get(), window)).await;
        self.search_counts.customers_changed();
        match joined {
            Ok(result) => result,
            Err(e) => Err(CreateError::Storage(e.0)),
        }
    }

    async fn update_customer(
        &self,
        store_id: i64,
        id: i64,
        patch: Value,
        options: crate::Options,
    ) -> Result<Option<Value>, CreateError> {
        let public_url = self.public_url.clone();
        let updated =
            self.write(move |conn| store_api::update_customer(conn, store_id, id, &patch, &options, &public_url)).await;
        self.search_counts.customers_changed();
        match updated {
            Ok(result) => result,
            Err(e) => Err(CreateError::Storage(e.0)),
        }
    }

    async fn list_customers(&self, store_id: i64, query: CustomerQuery) -> Result<Value, StorageError> {
        let public_url = self.public_url.clone();
        let counts = self.search_counts.clone();
        self.read(move |conn| search::list(conn, store_id, &query, &public_url, &counts)).await
    }

    async fn get_customer(&self, store_id: i64, id: i64) -> Result<Option<Value>, StorageError> {
        let public_url = self.public_url.clone();
        self.read(move |conn| store_api::load_customer(conn, store_id, id, &public_url)).await
    }

    async fn create_square_customer(
        &self,
        store_id: i64,
        request: Valid<SquareCustomerRequest>,
        body_hash: [u8; 32],
    ) -> Result<SquareOutcome, StorageError> {
        self.write(move |conn| square::insert_square(conn, store_id, &request, body_hash)).await?.map_err(db_err)
    }

    async fn list_square_customers(&self, store_id: i64, query: SquareListQuery) -> Result<Value, StorageError> {
        self.read(move |conn| square::list_square(conn, store_id, &query)).await
    }

    async fn get_square_customer(&self, store_id: i64, id: String) -> Result<Option<Value>, StorageError> {
        self.read(move |conn| square::load_square(conn, store_id, &id))
            .await
            .map(|found| found.map(|customer| serde_json::json!({ "customer": customer })))
    }

    async fn update_square_customer(
        &self,
        store_id: i64,
        id: String,
        patch: Value,
        options: crate::Options,
    ) -> Result<SquareChange, StorageError> {
        self.write(move |conn| square::update_square(conn, store_id, &id, &patch, &options)).await?.map_err(db_err)
    }

    async fn delete_square_customer(
        &self,
        store_id: i64,
        id: String,
        version: Option<i64>,
    ) -> Result<SquareChange, StorageError> {
        self.write(move |conn| square::delete_square(conn, store_id, &id, version)).await?.map_err(db_err)
    }

    async fn ready(&self) -> Result<(), StorageError> {
        self.read(|conn| conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))).await?;
        self.write(|_| Ok::<(), ()>(())).await?.map_err(|()| StorageError("the empty write failed".into()))
    }

    async fn outbox_pending(&self) -> Result<i64, StorageError> {
        self.read(|conn| conn.query_row("SELECT count(*) FROM outbox WHERE status = 'pending'", [], |r| r.get(0))).await
    }

    async fn claim_deliveries(&self, lease: std::time::Duration, limit: usize) -> Result<Vec<Claimed>, StorageError> {
        let public_url = self.public_url.clone();
        let lease = jiff::SignedDuration::try_from(lease).map_err(|e| StorageError(e.to_string()))?;
        self.write(move |conn| {
            let at = jiff::Timestamp::now();
            let until = at.checked_add(lease).unwrap_or(at);
            outbox::claim(conn, &format!("{at:.3}"), &format!("{until:.3}"), limit, &public_url)
        })
        .await?
        .map_err(db_err)
    }

    async fn finish_delivery(&self, id: i64, attempt: Attempt) -> Result<(), StorageError> {
        self.write(move |conn| outbox::finish(conn, id, &attempt)).await?.map_err(db_err)
    }

    async fn pass(&self, uuid: String) -> Result<Option<Value>, StorageError> {
        self.read(move |conn| store_api::load_pass(conn, &uuid)).await
    }

    async fn public_config(&self) -> Result<Value, StorageError> {
        self.read(admin::public_config).await
    }
}
