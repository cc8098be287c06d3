//! The PostgreSQL schema: the same tables, columns and unique indexes as SQLite's
//! migrations end in (`src/server/sqlite/schema.rs`; a test holds the two to the same
//! columns), written as PostgreSQL's own migrations, applied under an advisory lock so
//! that nodes starting together migrate once.
//!
//! Timestamps are RFC 3339 text in `COLLATE "C"` columns, as SQLite stores them: the API
//! answers the very strings written, and byte order is time order whatever the database's
//! default collation.

use tokio_postgres::Client;

/// Each migration, in order; `schema_migrations` records how many ran.
pub(crate) const MIGRATIONS: &[&str] = &[r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE stores (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    country text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    public_signup boolean NOT NULL DEFAULT false,
    signups bigint NOT NULL DEFAULT 0
);
CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    store_id bigint NOT NULL REFERENCES stores(id),
    token_hash bytea NOT NULL UNIQUE,
    created_at text COLLATE "C" NOT NULL
);
CREATE TABLE cards (
    id bigserial PRIMARY KEY,
    store_id bigint NOT NULL REFERENCES stores(id),
    name text NOT NULL,
    stamps_required bigint NOT NULL CHECK (stamps_required > 0),
    initial_stamps bigint NOT NULL DEFAULT 0 CHECK (initial_stamps >= 0),
    created_at text COLLATE "C" NOT NULL
);
CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    store_id bigint NOT NULL REFERENCES stores(id),
    first_name text,
    last_name text,
    email text,
    email_key text,
    phone text,
    birthday text,
    metadata text,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    -- What a search finds a customer by (names, email, phone digits, external ids),
    -- in a trigram index: SQLite's `customer_search`.
    search_terms text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX customers_email ON customers(store_id, email_key);
CREATE UNIQUE INDEX customers_phone ON customers(store_id, phone);
CREATE INDEX customers_store ON customers(store_id, id);
CREATE INDEX customers_search ON customers USING gin (search_terms gin_trgm_ops);
CREATE TABLE external_references (
    id bigserial PRIMARY KEY,
    store_id bigint NOT NULL REFERENCES stores(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    source text NOT NULL,
    external_id text NOT NULL,
    metadata text,
    updated_at text COLLATE "C" NOT NULL,
    CONSTRAINT external_references_reference UNIQUE (store_id, source, external_id)
);
CREATE INDEX external_references_customer ON external_references(customer_id);
CREATE TABLE customer_cards (
    id bigserial PRIMARY KEY,
    uuid text COLLATE "C" NOT NULL UNIQUE,
    customer_id bigint NOT NULL REFERENCES customers(id),
    card_id bigint NOT NULL REFERENCES cards(id),
    status text NOT NULL,
    stamps_count bigint NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    UNIQUE (customer_id, card_id)
);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    customer_card_id bigint NOT NULL REFERENCES customer_cards(id),
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    delivered_at text COLLATE "C",
    store_id bigint REFERENCES stores(id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts bigint NOT NULL DEFAULT 0,
    next_attempt_at text COLLATE "C",
    claimed_until text COLLATE "C",
    last_error text
);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
CREATE INDEX outbox_pending ON outbox(id) WHERE status = 'pending';
CREATE TABLE square_customers (
    id text PRIMARY KEY,
    store_id bigint NOT NULL REFERENCES stores(id),
    body text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    -- Insertion order, which ListCustomers pages by (SQLite's rowid).
    position bigserial NOT NULL UNIQUE
);
CREATE INDEX square_customers_store ON square_customers(store_id, position);
CREATE TABLE idempotency_keys (
    store_id bigint NOT NULL REFERENCES stores(id),
    api text NOT NULL CHECK (api IN ('square', 'store')),
    key text NOT NULL,
    request_hash bytea NOT NULL,
    response text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (store_id, api, key)
);
"#];

/// Any fixed number: the advisory lock every node takes to migrate.
const MIGRATION_LOCK: i64 = 0x6376_6d69_6772;

/// Applies the migrations not yet applied, each in its own transaction.
pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await?;
    let result = async {
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)",
            )
            .await?;
        let done: i32 =
            client.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?.get(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(done).unwrap_or(0)) {
            let tx = client.transaction().await?;
            tx.batch_execute(sql).await?;
            let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[&version, &crate::server::records::now()],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
    .await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await;
    result.and(unlocked.map(drop))
}
