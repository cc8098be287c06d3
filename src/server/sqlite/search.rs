//! Listing and searching a store's customers (`GET …/customers`): pages by id, a search
//! through the trigram index `customer_search`, a card code through the cards' unique
//! index, and the exact `(source, external_id)` lookup through the references' one.
//!
//! The trigram index is written in every create, so it holds only what a person types to
//! find someone: names, email, phone digits, external ids. Card codes (UUIDs, 36
//! characters) would double its size and its write cost; they are looked up by prefix in
//! the B-tree index they already have.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::store_api::load_customer;
use crate::server::store::{CustomerQuery, Lookup};

/// Whether the customer was just created (nothing indexed yet) or changed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Indexed {
    New,
    Changed,
}

/// Computes a customer's searchable words after a write that touched them.
pub(super) fn refresh(conn: &Connection, customer_id: i64, indexed: Indexed) -> rusqlite::Result<()> {
    if indexed == Indexed::Changed {
        conn.prepare_cached("DELETE FROM customer_search WHERE rowid = ?1")?.execute([customer_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO customer_search (rowid, terms)
         SELECT id, concat_ws(' ', first_name, last_name, email, replace(phone, '+', ''),
             (SELECT group_concat(external_id, ' ') FROM external_references WHERE customer_id = customers.id))
         FROM customers WHERE id = ?1",
    )?
    .execute([customer_id])?;
    Ok(())
}

/// One page of the store's customers: `{ customers, pagination: { count, items, page, pages } }`.
pub(super) fn list(
    conn: &Connection,
    store_id: i64,
    query: &CustomerQuery,
    public_url: &str,
) -> rusqlite::Result<Value> {
    let items = i64::from(query.items);
    let offset = (i64::from(query.page) - 1) * items;
    let (count, ids): (i64, Vec<i64>) = match &query.lookup {
        Lookup::All => {
            let count = conn
                .prepare_cached("SELECT count(*) FROM customers WHERE store_id = ?1")?
                .query_row([store_id], |r| r.get(0))?;
            let ids = conn
                .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3")?
                .query_map(params![store_id, items, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (count, ids)
        }
        Lookup::Search(phrase) => {
            // One FTS5 phrase: the words as typed, quotes doubled. CROSS JOIN keeps the
            // index first: the planner may otherwise walk every customer of the store and
            // ask the index about each. Ordering by the index's rowid (the customer's id)
            // is an order it returns by itself, so a page needs no sort.
            let fts = format!("\"{}\"", phrase.replace('"', "\"\""));
            let count = conn
                .prepare_cached(
                    "SELECT count(*) FROM customer_search CROSS JOIN customers c ON c.id = customer_search.rowid
                     WHERE customer_search MATCH ?1 AND c.store_id = ?2",
                )?
                .query_row(params![fts, store_id], |r| r.get(0))?;
            let ids = conn
                .prepare_cached(
                    "SELECT c.id FROM customer_search CROSS JOIN customers c ON c.id = customer_search.rowid
                     WHERE customer_search MATCH ?1 AND c.store_id = ?2
                     ORDER BY customer_search.rowid LIMIT ?3 OFFSET ?4",
                )?
                .query_map(params![fts, store_id, items, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (count, ids)
        }
        Lookup::CardCode(prefix) => {
            // The codes starting with `prefix`: the range [prefix, prefix + U+FFFF).
            let end = format!("{prefix}\u{ffff}");
            let count = conn
                .prepare_cached(
                    "SELECT count(DISTINCT cc.customer_id) FROM customer_cards cc JOIN customers c ON c.id = cc.customer_id
                     WHERE cc.uuid >= ?1 AND cc.uuid < ?2 AND c.store_id = ?3",
                )?
                .query_row(params![prefix, end, store_id], |r| r.get(0))?;
            let ids = conn
                .prepare_cached(
                    "SELECT DISTINCT cc.customer_id FROM customer_cards cc JOIN customers c ON c.id = cc.customer_id
                     WHERE cc.uuid >= ?1 AND cc.uuid < ?2 AND c.store_id = ?3 ORDER BY cc.customer_id LIMIT ?4 OFFSET ?5",
                )?
                .query_map(params![prefix, end, store_id, items, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (count, ids)
        }
        Lookup::Reference { source, external_id } => {
            let id: Option<i64> = conn
                .prepare_cached(
                    "SELECT customer_id FROM external_references WHERE store_id = ?1 AND source = ?2 AND external_id = ?3",
                )?
                .query_row(params![store_id, source, external_id], |r| r.get(0))
                .optional()?;
            let ids = id.into_iter().filter(|_| offset == 0).collect();
            (i64::from(id.is_some()), ids)
        }
    };
    let mut customers = Vec::with_capacity(ids.len());
    for id in ids {
        customers.extend(load_customer(conn, store_id, id, public_url)?);
    }
    let pages = (count + items - 1) / items;
    Ok(json!({
        "customers": customers,
        "pagination": { "count": count, "items": items, "page": query.page, "pages": pages },
    }))
}
