//! The storage boundary: what the handlers need from a database, nothing more, so that a
//! Postgres implementation can sit beside [`super::sqlite::Sqlite`] without touching them.

use std::future::Future;

use serde_json::Value;

use crate::model::{SquareCustomerRequest, StoreRequest};
use crate::{validate_square, validate_store, Options, Report, Violation};

/// A request that passed validation. The field is private and the only constructors run the
/// rules, so storage can never be handed an unchecked request (garde's `Valid<T>`).
#[derive(Debug, Clone)]
pub struct Valid<T> {
    inner: T,
    /// The normalized request as JSON (what idempotency and responses are built from).
    value: Value,
}

impl<T> Valid<T> {
    /// The validated, normalized request.
    pub fn get(&self) -> &T {
        &self.inner
    }

    /// The normalized request as the report returned it.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

fn into_valid<T: serde::de::DeserializeOwned>(report: Report) -> Result<Valid<T>, Report> {
    if !report.valid {
        return Err(report);
    }
    match serde_json::from_value::<T>(report.value.clone()) {
        Ok(inner) => Ok(Valid { inner, value: report.value }),
        // A valid report whose value does not fit the model is a bug in the rules; answer it
        // as a violation rather than a panic.
        Err(e) => {
            let params = crate::Params::from_iter([("reason".to_owned(), Value::String(e.to_string()))]);
            let errors = vec![Violation::new(crate::Path::root(), crate::Code::InvalidValue, params)];
            Err(Report::new(errors, report.value))
        }
    }
}

impl Valid<StoreRequest> {
    /// Runs the store rules on a JSON request.
    pub fn store(input: &Value, options: &Options) -> Result<Valid<StoreRequest>, Report> {
        into_valid(validate_store(input, options))
    }
}

impl Valid<SquareCustomerRequest> {
    /// Runs Square's rules on a JSON request.
    pub fn square(input: &Value, options: &Options) -> Result<Valid<SquareCustomerRequest>, Report> {
        into_valid(validate_square(input, options))
    }
}

/// A store as the routes need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    /// Its id (`account_id` in paths).
    pub id: i64,
    /// ISO 3166-1 alpha-2: the default region of every phone number the server reads for it.
    pub country: String,
    /// Whether `/join/:id` takes anonymous sign-ups for it.
    pub public_signup: bool,
}

impl StoreInfo {
    /// The options every validation for this store runs with: its country as the phone
    /// region (RULES.md, "Regions"), today as the date.
    pub fn options(&self) -> Options {
        // A country the rules do not know can only come from a database written by hand;
        // its numbers are then read as the library's default region's.
        Options::default().with_default_region(&self.country).unwrap_or_default()
    }
}

/// An `Idempotency-Key` sent with a store API create, and the hash of the normalized body.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The key as the client sent it.
    pub key: String,
    /// Identifies the request body.
    pub body_hash: [u8; 32],
}

/// Why a store create did not happen.
#[derive(Debug)]
pub enum CreateError {
    /// Rules the database decides (email, phone or an external reference taken, a card of
    /// another store): 422.
    Rejected(Vec<Violation>),
    /// The idempotency key was used before with another body: 422.
    KeyReused,
    /// Anything else: 500.
    Storage(String),
}

/// What a Square create returned.
#[derive(Debug)]
pub enum SquareOutcome {
    /// The stored response: the new customer, or the first response to this key.
    Customer(Value),
    /// The key was used before with another body.
    KeyReused,
}

/// One condition of Square's SearchCustomers, as SQL reads it from the stored customer.
/// `field` is always one of Square's field names, written by the handler, never the
/// client's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SquareFilter {
    /// The field equals the text.
    Exact {
        /// `email_address`, `phone_number` or `reference_id`.
        field: &'static str,
        /// The value (a phone in E.164).
        text: String,
        /// True for `email_address`.
        ignore_case: bool,
    },
    /// The field holds the text, ignoring case.
    Fuzzy {
        /// `email_address`, `phone_number` (digits) or `reference_id`.
        field: &'static str,
        /// What it must hold.
        text: String,
    },
    /// A timestamp within the bounds, both RFC 3339 in UTC with milliseconds.
    Range {
        /// `created_at` or `updated_at`.
        field: &'static str,
        /// The earliest, if any.
        start: Option<String>,
        /// The latest, if any.
        end: Option<String>,
    },
    /// `creation_source` is (or, with `include` false, is not) one of `values`.
    Source {
        /// Square's creation sources.
        values: Vec<String>,
        /// `INCLUDE` (true) or `EXCLUDE`.
        include: bool,
    },
}

/// A page of Square's ListCustomers or SearchCustomers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SquareListQuery {
    /// Every condition must hold (SearchCustomers); none for ListCustomers.
    pub filters: Vec<SquareFilter>,
    /// The position the cursor names, if one was given.
    pub after: Option<i64>,
    /// 1 to 100.
    pub limit: u32,
    /// `sort_order=DESC`.
    pub descending: bool,
    /// `count=true`: the answer carries the store's total.
    pub count: bool,
}

/// Square cursors are this prefix and a position in hex: opaque to clients, and useless
/// against another store, since every page is read within the token's store.
const CURSOR_PREFIX: &str = "cv1_";

/// The cursor of the page after `position`.
pub fn square_cursor(position: i64) -> String {
    format!("{CURSOR_PREFIX}{position:x}")
}

/// The position a cursor names, if it is one this API gave out.
pub fn square_cursor_position(cursor: &str) -> Option<i64> {
    let hex = cursor.strip_prefix(CURSOR_PREFIX)?;
    i64::from_str_radix(hex, 16).ok().filter(|p| *p > 0)
}

/// What an update or delete of a Square customer came to.
#[derive(Debug)]
pub enum SquareChange {
    /// Done: the answer's body.
    Customer(Value),
    /// The store has no customer with this id.
    NotFound,
    /// The request named another version than the stored one; nothing changed.
    VersionMismatch {
        /// The stored version.
        current: i64,
    },
    /// The patch broke the update rules.
    Rejected(Vec<Violation>),
}

/// A database failure, described for the log.
#[derive(Debug)]
pub struct StorageError(pub String);

impl StorageError {
    /// What a backend's message starts with when the database could not be reached (not
    /// when it refused a statement): the request is answered 503 with `Retry-After`.
    pub const UNAVAILABLE: &'static str = "database unavailable: ";
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which customers `GET …/customers` lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Every customer of the store.
    All,
    /// Those whose names, email, phone or external ids hold this text.
    Search(String),
    /// Those holding a card whose code (UUID) starts with this.
    CardCode(String),
    /// The one holding this external reference, if any.
    Reference {
        /// The other system.
        source: String,
        /// The customer's id there.
        external_id: String,
    },
}

/// A page of a store's customers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Which customers.
    pub lookup: Lookup,
    /// From 1.
    pub page: u32,
    /// Per page, 1 to 100.
    pub items: u32,
}

/// A card link claimed by the delivery worker.
#[derive(Debug)]
pub struct Claimed {
    /// The outbox row, also the delivery's id for the receiver.
    pub id: i64,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// What the webhook is sent.
    pub payload: Value,
}

/// How a delivery attempt ended.
#[derive(Debug)]
pub enum Attempt {
    /// Delivered (or, without a webhook, logged).
    Sent,
    /// Not delivered; try again later.
    Retry {
        /// When, RFC 3339.
        at: String,
        /// Why this attempt failed.
        error: String,
    },
    /// Out of attempts.
    Failed {
        /// Why the last attempt failed.
        error: String,
    },
}

/// Everything the handlers ask of a database.
pub trait Storage: Send + Sync + 'static {
    /// The store whose API token this is, if any (compared in constant time).
    fn authenticate(&self, token: &str) -> impl Future<Output = Result<Option<StoreInfo>, StorageError>> + Send;
    /// A store by id.
    fn store(&self, store_id: i64) -> impl Future<Output = Result<Option<StoreInfo>, StorageError>> + Send;
    /// Creates a customer with its references, card and outbox rows in one transaction and
    /// returns the Store API's customer object. With a key, the first answer to that key
    /// and body is returned again instead, and another body is [`CreateError::KeyReused`].
    fn create_customer(
        &self,
        store_id: i64,
        request: Valid<StoreRequest>,
        key: Option<IdempotencyKey>,
    ) -> impl Future<Output = Result<Value, CreateError>> + Send;
    /// A public sign-up: creates the customer, or, when the email or phone belongs to a
    /// customer already, queues that customer's card links to it again. Both take one
    /// commit, and the caller can't tell them apart. Only a card of another store is an
    /// error.
    fn join(&self, store_id: i64, request: Valid<StoreRequest>)
        -> impl Future<Output = Result<(), CreateError>> + Send;
    /// Applies a store API patch (judged in the write against the stored customer, with
    /// `options`); the updated customer, or `None` when the store has no such customer.
    fn update_customer(
        &self,
        store_id: i64,
        id: i64,
        patch: Value,
        options: Options,
    ) -> impl Future<Output = Result<Option<Value>, CreateError>> + Send;
    /// A page of the store's customers with its pagination object.
    fn list_customers(
        &self,
        store_id: i64,
        query: CustomerQuery,
    ) -> impl Future<Output = Result<Value, StorageError>> + Send;
    /// The Store API's customer object.
    fn get_customer(&self, store_id: i64, id: i64) -> impl Future<Output = Result<Option<Value>, StorageError>> + Send;
    /// Creates a Square customer, honouring `idempotency_key` (`body_hash` identifies the body).
    fn create_square_customer(
        &self,
        store_id: i64,
        request: Valid<SquareCustomerRequest>,
        body_hash: [u8; 32],
    ) -> impl Future<Output = Result<SquareOutcome, StorageError>> + Send;
    /// Square's ListCustomers answer: `{ customers?, cursor?, count? }`.
    fn list_square_customers(
        &self,
        store_id: i64,
        query: SquareListQuery,
    ) -> impl Future<Output = Result<Value, StorageError>> + Send;
    /// A Square customer of the store (`{ "customer": … }`).
    fn get_square_customer(
        &self,
        store_id: i64,
        id: String,
    ) -> impl Future<Output = Result<Option<Value>, StorageError>> + Send;
    /// Square's UpdateCustomer, judged in the write against the stored customer.
    fn update_square_customer(
        &self,
        store_id: i64,
        id: String,
        patch: Value,
        options: Options,
    ) -> impl Future<Output = Result<SquareChange, StorageError>> + Send;
    /// Square's DeleteCustomer, of `version` when given.
    fn delete_square_customer(
        &self,
        store_id: i64,
        id: String,
        version: Option<i64>,
    ) -> impl Future<Output = Result<SquareChange, StorageError>> + Send;
    /// Whether the database answers a read and takes a (empty) commit: `/readyz`.
    fn ready(&self) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// Card links queued and not yet delivered (`/metrics`).
    fn outbox_pending(&self) -> impl Future<Output = Result<i64, StorageError>> + Send;
    /// Claims up to `limit` due card links for `lease`: no other claim takes them until it
    /// ends, and a link whose attempt never finished is claimed again after it.
    fn claim_deliveries(
        &self,
        lease: std::time::Duration,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Claimed>, StorageError>> + Send;
    /// Records how a claimed delivery's attempt ended.
    fn finish_delivery(&self, id: i64, attempt: Attempt) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// A customer card by its code (uuid), as its page shows it: `{ card_name, store_name,
    /// first_name, stamps_count, stamps_required }`.
    fn pass(&self, uuid: String) -> impl Future<Output = Result<Option<Value>, StorageError>> + Send;
    /// The demo store and its cards, for the sign-up page.
    fn public_config(&self) -> impl Future<Output = Result<Value, StorageError>> + Send;
}
