//! Every migration of both backends, in one place. SQLite's list is the history of the
//! file format; PostgreSQL's starts at the schema SQLite's ends in: the same tables,
//! columns and unique indexes (a test of `tests/server/nodes.rs` compares the two
//! migrated databases column by column). A change to the schema is a new entry in both
//! lists.
//!
//! PostgreSQL keeps timestamps as SQLite does, RFC 3339 text, in `COLLATE "C"` columns:
//! the API answers the very strings written, and byte order is time order whatever the
//! database's default collation. A customer's search words are a column in a trigram
//! (`pg_trgm`) index there, an FTS5 trigram table in SQLite.

/// SQLite's, in order (`user_version` counts those applied).
pub(crate) const SQLITE: &[&str] = &[
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
-- Every sign-up the public route takes, new customer or not: the write that makes both
-- cases cost one durable commit alike.
ALTER TABLE stores ADD COLUMN signups INTEGER NOT NULL DEFAULT 0;
-- Every store had a public sign-up before it was a choice; only the demo store keeps it.
UPDATE stores SET public_signup = 1 WHERE name = 'Demo store' AND id = (SELECT MIN(id) FROM stores);
-- Keys of the store API beside Square's: the key space is (store, API, key).
CREATE TABLE idempotency_keys_by_api (
    store_id INTEGER NOT NULL REFERENCES stores(id),
    api TEXT NOT NULL CHECK (api IN ('square', 'store')),
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, api, key)
);
INSERT INTO idempotency_keys_by_api (store_id, api, key, request_hash, response, created_at)
    SELECT store_id, 'square', key, request_hash, response, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_api RENAME TO idempotency_keys;
ALTER TABLE outbox ADD COLUMN store_id INTEGER REFERENCES stores(id);
UPDATE outbox SET store_id = (
    SELECT c.store_id FROM customer_cards cc JOIN cards c ON c.id = cc.card_id WHERE cc.id = outbox.customer_card_id
);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
"#,
    // 3: the delivery worker's state. A row is claimed for a lease (`claimed_until`); a
    // worker that dies mid-send leaves it to be claimed again once the lease ends.
    r#"
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
UPDATE outbox SET status = 'sent' WHERE delivered_at IS NOT NULL;
CREATE INDEX outbox_pending ON outbox(id) WHERE status = 'pending';
"#,
    // 4: listing and searching a store's customers. `customer_search` holds each customer's
    // searchable words (names, email, phone digits, external ids) in a trigram index, so a
    // search for any part of them is an index lookup.
    r#"
CREATE INDEX customers_store ON customers(store_id, id);
CREATE VIRTUAL TABLE customer_search USING fts5(terms, tokenize = 'trigram');
INSERT INTO customer_search (rowid, terms) SELECT id, concat_ws(' ', first_name, last_name, email, replace(phone, '+', ''),
    (SELECT group_concat(external_id, ' ') FROM external_references WHERE customer_id = customers.id))
    FROM customers;
"#,
    // 5: Square's ListCustomers pages a store's customers in insertion order.
    r#"
CREATE INDEX square_customers_store ON square_customers(store_id);
"#,
    // 6: each customer's searchable words start with their store's marker (see
    // `search::STORE_MARKER_SQL`, which this expression must equal), so that a search is
    // answered by the index alone.
    r#"
DELETE FROM customer_search;
INSERT INTO customer_search (rowid, terms) SELECT id, concat_ws(' ',
    char(1) || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(CAST(store_id AS TEXT),
        '0', char(16)), '1', char(17)), '2', char(18)), '3', char(19)), '4', char(20)),
        '5', char(21)), '6', char(22)), '7', char(23)), '8', char(24)), '9', char(25)) || char(1),
    first_name, last_name, email, replace(phone, '+', ''),
    (SELECT group_concat(external_id, ' ') FROM external_references WHERE customer_id = customers.id))
    FROM customers;
"#,
];

/// PostgreSQL's, in order (`schema_migrations` records those applied).
pub(crate) const POSTGRES: &[&str] = &[r#"
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
