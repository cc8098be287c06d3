//! [`Storage`] on PostgreSQL (`--db postgres://…`): what several server nodes share.
//!
//! Each write is one transaction on a pooled connection, committed with
//! `synchronous_commit = on` (set on every connection, whatever the server's default), so a
//! 201 is never sent before its rows are durable. What SQLite gets from its single writer,
//! PostgreSQL gets from its locks and unique indexes:
//! - email, phone and `(source, external_id)` are unique per store by index; a create that
//!   loses a race to another node's reports the field as taken, like any other taken value;
//! - an idempotency key is claimed by inserting its row first: a second request with the
//!   key, on any node, waits on that row until the first commits, then replays its answer;
//! - an update reads its customer `FOR UPDATE`, so of two updates naming one version, one
//!   wins and the other sees the new version;
//! - a public sign-up counts itself on its store's row, which orders sign-ups per store;
//! - the delivery worker claims due links `FOR UPDATE SKIP LOCKED`, so several nodes drain
//!   one outbox and never claim one link twice within its lease.
//!
//! A connection that fails (the database stopped, restarting, unreachable) makes the
//! request's answer a 503 with `Retry-After` (its message starts with
//! [`StorageError::UNAVAILABLE`]); the pool drops the broken connection and opens new ones
//! once the database answers again.
//!
//! [`schema`] holds the migrations, [`customers`] the store API's customers and their
//! search, [`square`] Square's, [`admin`] stores, cards, tokens and the outbox.

mod admin;
mod customers;
mod schema;
mod square;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use serde_json::Value;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

pub use admin::{add_card, add_store};

use super::store::{
    Attempt, Claimed, CreateError, CustomerQuery, IdempotencyKey, SquareChange, SquareListQuery, SquareOutcome,
    Storage, StorageError, StoreInfo, Valid,
};
use crate::model::{SquareCustomerRequest, StoreRequest};

/// Connections per node. PostgreSQL's default `max_connections` (100) takes a few nodes.
const POOL_SIZE: usize = 16;
/// How long a request waits for a connection, or to open one, before it is answered 503.
const CONNECT_WAIT: Duration = Duration::from_secs(3);

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// PostgreSQL behind [`Storage`].
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// Base of the wallet links in every customer card.
    public_url: Arc<str>,
    /// Card links go to one recipient of a store at most once per this long.
    card_link_window: Duration,
}

/// The pool on `url`, every connection with durable commits.
fn pool(url: &str) -> Result<Pool, String> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| format!("--db: not a PostgreSQL URL: {e}"))?;
    config.options("-c synchronous_commit=on");
    config.connect_timeout(CONNECT_WAIT);
    config.application_name("customer-validation");
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(CONNECT_WAIT))
        .create_timeout(Some(CONNECT_WAIT))
        .recycle_timeout(Some(CONNECT_WAIT))
        .build()
        .map_err(|e| format!("--db: {e}"))
}

/// A connection of `pool` after the migrations ran on it: what every start does first.
async fn migrated(pool: &Pool, url: &str) -> Result<Object, String> {
    let mut client = pool.get().await.map_err(|e| format!("{}: {e}", redacted(url)))?;
    schema::migrate(&mut client).await.map_err(|e| format!("{}: migration failed: {}", redacted(url), describe(&e)))?;
    Ok(client)
}

/// Connects to `url` and applies the migrations: what the admin commands do first.
pub async fn connect(url: &str) -> Result<Object, String> {
    migrated(&pool(url)?, url).await
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A driver error for the log; failures of the connection itself are marked unavailable.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) if !is_unavailable_state(db.code()) => format!("{}: {}", db.code().code(), db.message()),
        Some(db) => format!("{}{}: {}", StorageError::UNAVAILABLE, db.code().code(), db.message()),
        None => format!("{}{e}", StorageError::UNAVAILABLE),
    }
}

/// Connection exceptions (class 08) and a server shutting down or starting up.
fn is_unavailable_state(code: &SqlState) -> bool {
    code.code().starts_with("08")
        || [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW].contains(code)
}

fn db_err(e: tokio_postgres::Error) -> StorageError {
    StorageError(describe(&e))
}

fn create_err(e: tokio_postgres::Error) -> CreateError {
    CreateError::Storage(describe(&e))
}

/// The unique index a statement broke, if that is why it failed.
fn unique_violation(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().filter(|d| *d.code() == SqlState::UNIQUE_VIOLATION).and_then(|d| d.constraint())
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// One row or none, through the connection's statement cache.
async fn one<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<Option<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

/// Every row, through the statement cache.
async fn all<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

/// Rows changed, through the statement cache.
async fn run<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

impl Postgres {
    /// Connects, applies the migrations, seeds the demo store on an empty database (what
    /// was seeded, if anything, is returned) and keeps the pool.
    pub async fn open(
        url: &str,
        public_url: &str,
        card_link_window: Duration,
    ) -> Result<(Postgres, Option<super::sqlite::Demo>), String> {
        let pool = pool(url)?;
        let demo = admin::seed_demo(&mut migrated(&pool, url).await?).await?;
        Ok((Postgres { pool, public_url: public_url.trim_end_matches('/').into(), card_link_window }, demo))
    }

    async fn client(&self) -> Result<Object, StorageError> {
        self.pool.get().await.map_err(|e| StorageError(format!("{}{e}", StorageError::UNAVAILABLE)))
    }
}

/// Runs `$body` in a transaction on a pooled connection and commits when it returns `Ok`;
/// `$err` turns a driver error into the method's error type.
macro_rules! in_transaction {
    ($self:ident, $err:expr, |$tx:ident| $body:expr) => {{
        let mut client = $self.client().await.map_err(|e| $err(e))?;
        let $tx = client.transaction().await.map_err(|e| $err(db_err(e)))?;
        let result = $body;
        match result {
            Ok(value) => {
                $tx.commit().await.map_err(|e| $err(db_err(e)))?;
                Ok(value)
            }
            Err(e) => Err(e),
        }
    }};
}

fn from_storage(e: StorageError) -> CreateError {
    CreateError::Storage(e.0)
}

impl Storage for Postgres {
    async fn authenticate(&self, token: &str) -> Result<Option<StoreInfo>, StorageError> {
        let client = self.client().await?;
        admin::authenticate(&client, token).await.map_err(db_err)
    }

    async fn store(&self, store_id: i64) -> Result<Option<StoreInfo>, StorageError> {
        let client = self.client().await?;
        admin::load_store(&client, store_id).await.map_err(db_err)
    }

    async fn create_customer(
        &self,
        store_id: i64,
        request: Valid<StoreRequest>,
        key: Option<IdempotencyKey>,
    ) -> Result<Value, CreateError> {
        let (url, window) = (&*self.public_url, self.card_link_window);
        if key.is_none() {
            // Its connection goes back to the pool before the transaction takes one.
            let client = self.client().await.map_err(from_storage)?;
            if let Some(customer) = customers::create_at_once(&client, store_id, request.get(), url).await? {
                return Ok(customer);
            }
        }
        in_transaction!(self, from_storage, |tx| {
            customers::create_with_key(&tx, store_id, request.get(), key.as_ref(), url, window).await
        })
    }

    async fn join(&self, store_id: i64, request: Valid<StoreRequest>) -> Result<(), CreateError> {
        let window = self.card_link_window;
        in_transaction!(self, from_storage, |tx| customers::join(&tx, store_id, request.get(), window).await)
    }

    async fn update_customer(
        &self,
        store_id: i64,
        id: i64,
        patch: Value,
        options: crate::Options,
    ) -> Result<Option<Value>, CreateError> {
        let url = &*self.public_url;
        in_transaction!(self, from_storage, |tx| customers::update(&tx, store_id, id, &patch, &options, url).await)
    }

    async fn list_customers(&self, store_id: i64, query: CustomerQuery) -> Result<Value, StorageError> {
        let client = self.client().await?;
        customers::list(&client, store_id, &query, &self.public_url).await.map_err(db_err)
    }

    async fn get_customer(&self, store_id: i64, id: i64) -> Result<Option<Value>, StorageError> {
        let client = self.client().await?;
        customers::load(&client, store_id, id, &self.public_url, false).await.map_err(db_err)
    }

    async fn create_square_customer(
        &self,
        store_id: i64,
        request: Valid<SquareCustomerRequest>,
        body_hash: [u8; 32],
    ) -> Result<SquareOutcome, StorageError> {
        in_transaction!(self, std::convert::identity, |tx| square::insert(&tx, store_id, &request, body_hash)
            .await
            .map_err(db_err))
    }

    async fn list_square_customers(&self, store_id: i64, query: SquareListQuery) -> Result<Value, StorageError> {
        let client = self.client().await?;
        square::list(&client, store_id, &query).await.map_err(db_err)
    }

    async fn get_square_customer(&self, store_id: i64, id: String) -> Result<Option<Value>, StorageError> {
        let client = self.client().await?;
        let found = square::load(&client, store_id, &id, false).await.map_err(db_err)?;
        Ok(found.map(|customer| serde_json::json!({ "customer": customer })))
    }

    async fn update_square_customer(
        &self,
        store_id: i64,
        id: String,
        patch: Value,
        options: crate::Options,
    ) -> Result<SquareChange, StorageError> {
        in_transaction!(self, std::convert::identity, |tx| square::update(&tx, store_id, &id, &patch, &options)
            .await
            .map_err(db_err))
    }

    async fn delete_square_customer(
        &self,
        store_id: i64,
        id: String,
        version: Option<i64>,
    ) -> Result<SquareChange, StorageError> {
        in_transaction!(self, std::convert::identity, |tx| square::delete(&tx, store_id, &id, version)
            .await
            .map_err(db_err))
    }

    async fn ready(&self) -> Result<(), StorageError> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map(drop).map_err(db_err)
    }

    async fn outbox_pending(&self) -> Result<i64, StorageError> {
        let client = self.client().await?;
        let row = one(&client, "SELECT count(*) FROM outbox WHERE status = 'pending'", &[]).await.map_err(db_err)?;
        Ok(row.map_or(0, |r| r.get(0)))
    }

    async fn claim_deliveries(&self, lease: Duration, limit: usize) -> Result<Vec<Claimed>, StorageError> {
        let lease = jiff::SignedDuration::try_from(lease).map_err(|e| StorageError(e.to_string()))?;
        let at = jiff::Timestamp::now();
        let until = at.checked_add(lease).unwrap_or(at);
        let (at, until) = (format!("{at:.3}"), format!("{until:.3}"));
        let url = &*self.public_url;
        in_transaction!(self, std::convert::identity, |tx| admin::claim(&tx, &at, &until, limit, url)
            .await
            .map_err(db_err))
    }

    async fn finish_delivery(&self, id: i64, attempt: Attempt) -> Result<(), StorageError> {
        let client = self.client().await?;
        admin::finish(&client, id, &attempt).await.map_err(db_err)
    }

    async fn pass(&self, uuid: String) -> Result<Option<Value>, StorageError> {
        let client = self.client().await?;
        customers::load_pass(&client, &uuid).await.map_err(db_err)
    }

    async fn public_config(&self) -> Result<Value, StorageError> {
        let client = self.client().await?;
        admin::public_config(&client).await.map_err(db_err)
    }
}
