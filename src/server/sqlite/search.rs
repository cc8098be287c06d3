//! Listing and searching a store's customers (`GET …/customers`): pages by id, a search
//! through the trigram index `customer_search`, a card code through the cards' unique
//! index, and the exact `(source, external_id)` lookup through the references' one.
//!
//! The trigram index is written in every create, so it holds only what a person types to
//! find someone: names, email, phone digits, external ids. Card codes (UUIDs, 36
//! characters) would double its size and its write cost; they are looked up by prefix in
//! the B-tree index they already have.
//!
//! Each customer's words start with a marker of their store: the store id, its digits
//! written as control characters, between two U+0001. A search asks the index for the
//! marker AND the phrase, so it never reads a customer row to learn its store (that
//! lookup was most of the time of a search matching every customer). No customer's words
//! hold a control character (the rules refuse them in every indexed field), and a marker
//! holds U+0001 only at its ends, so one store's marker is never found inside another's
//! or in anyone's words.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

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
    conn.prepare_cached(&format!(
        "INSERT INTO customer_search (rowid, terms)
         SELECT id, concat_ws(' ', {STORE_MARKER_SQL}, first_name, last_name, email, replace(phone, '+', ''),
             (SELECT group_concat(external_id, ' ') FROM external_references WHERE customer_id = customers.id))
         FROM customers WHERE id = ?1"
    ))?
    .execute([customer_id])?;
    Ok(())
}

/// A store's marker in SQL, from the `store_id` column (migration 6 holds the same).
pub(super) const STORE_MARKER_SQL: &str =
    "char(1) || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(CAST(store_id AS TEXT),
        '0', char(16)), '1', char(17)), '2', char(18)), '3', char(19)), '4', char(20)),
        '5', char(21)), '6', char(22)), '7', char(23)), '8', char(24)), '9', char(25)) || char(1)";

/// [`STORE_MARKER_SQL`] in Rust: U+0001, each decimal digit `d` as U+0010 + `d`, U+0001.
fn store_marker(store_id: i64) -> String {
    let digits = store_id.to_string().bytes().map(|d| char::from(0x10 + (d - b'0'))).collect::<String>();
    format!("\u{1}{digits}\u{1}")
}

/// Search counts, kept until the next write to any customer. Paging through one search asks
/// for the same count on every page, and counting every match of a broad search is most of
/// its time. Only this process writes customers (one writer thread), so a counter it bumps
/// after each such commit says whether a remembered count still holds.
#[derive(Default)]
pub(super) struct SearchCounts {
    generation: AtomicU64,
    counts: Mutex<HashMap<(i64, String), (u64, i64)>>,
}

/// Remembered searches at most; past it the memory starts over.
const MAX_COUNTS: usize = 1024;

impl SearchCounts {
    /// After a commit that created or changed customers.
    pub(super) fn customers_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The count of `fts` in the store, remembered or counted now. The generation is read
    /// before the count, so a write that commits meanwhile makes the count a stale one's
    /// only under the old generation, which no later read asks for.
    fn count(&self, conn: &Connection, store_id: i64, fts: &str) -> rusqlite::Result<i64> {
        let generation = self.generation.load(Ordering::SeqCst);
        let key = (store_id, fts.to_owned());
        if let Some((at, count)) = self.counts.lock().ok().and_then(|c| c.get(&key).copied()) {
            if at == generation {
                return Ok(count);
            }
        }
        let count = conn
            .prepare_cached("SELECT count(*) FROM customer_search WHERE customer_search MATCH ?1")?
            .query_row(params![fts], |r| r.get(0))?;
        if let Ok(mut counts) = self.counts.lock() {
            if counts.len() >= MAX_COUNTS {
                counts.clear();
            }
            counts.insert(key, (generation, count));
        }
        Ok(count)
    }
}

/// One page of the store's customers: `{ customers, pagination: { count, items, page, pages } }`.
pub(super) fn list(
    conn: &Connection,
    store_id: i64,
    query: &CustomerQuery,
    public_url: &str,
    counts: &SearchCounts,
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
            // The store's marker and one FTS5 phrase (the words as typed, quotes doubled):
            // the index answers both the count and the page, in its own rowid order (the
            // customer's id), so a page needs no sort.
            let fts = format!("\"{}\" AND \"{}\"", store_marker(store_id), phrase.replace('"', "\"\""));
            let count = counts.count(conn, store_id, &fts)?;
            let ids = conn
                .prepare_cached(
                    "SELECT rowid FROM customer_search WHERE customer_search MATCH ?1 ORDER BY rowid LIMIT ?2 OFFSET ?3",
                )?
                .query_map(params![fts, items, offset], |r| r.get(0))?
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
    Ok(crate::server::records::customer_page(customers, count, query.items, query.page))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marker is written by SQL (migration 6, every create) and asked for by Rust.
    #[test]
    fn the_markers_of_sql_and_rust_agree() {
        let conn = Connection::open_in_memory().expect("an in-memory database");
        assert!(crate::server::migrations::SQLITE[5].contains(&STORE_MARKER_SQL["char(1) || ".len()..]));
        for store_id in [1_i64, 9, 10, 42, 1234567890, i64::MAX] {
            let sql: String = conn
                .query_row(&format!("SELECT {STORE_MARKER_SQL} FROM (SELECT ?1 AS store_id)"), [store_id], |r| r.get(0))
                .expect("the expression");
            assert_eq!(sql, store_marker(store_id), "store {store_id}");
            assert!(sql[1..sql.len() - 1].chars().all(|c| ('\u{10}'..='\u{19}').contains(&c)));
        }
    }
}
