//! The card-link outbox as the delivery worker sees it: claim what is due, then record
//! how each attempt ended.

use super::now;
use crate::server::records::DeliveryRow;
use crate::server::store::{Attempt, Claimed};
use rusqlite::{params, Connection};

/// Claims up to `limit` due rows until `lease_until`, counting the attempt, and returns
/// them with what the webhook is sent.
pub fn claim(
    conn: &Connection,
    at: &str,
    lease_until: &str,
    limit: usize,
    public_url: &str,
) -> rusqlite::Result<Vec<Claimed>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "UPDATE outbox SET claimed_until = ?1, attempts = attempts + 1
             WHERE id IN (SELECT id FROM outbox WHERE status = 'pending'
                          AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)
                          AND (claimed_until IS NULL OR claimed_until <= ?2)
                          ORDER BY id LIMIT ?3)
             RETURNING id",
        )?
        .query_map(params![lease_until, at, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.attempts, o.channel, o.recipient, o.created_at, o.store_id, cc.customer_id, cc.uuid, c.id, c.name
         FROM outbox o JOIN customer_cards cc ON cc.id = o.customer_card_id JOIN cards c ON c.id = cc.card_id
         WHERE o.id = ?1",
    )?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        claimed.push(stmt.query_row([id], |r| {
            let row = DeliveryRow {
                id: r.get(0)?,
                created_at: r.get(4)?,
                store_id: r.get(5)?,
                customer_id: r.get(6)?,
                channel: r.get(2)?,
                recipient: r.get(3)?,
                card_id: r.get(8)?,
                card_name: r.get(9)?,
                uuid: r.get(7)?,
            };
            Ok(Claimed { id: row.id, attempt: r.get(1)?, payload: row.into_json(public_url) })
        })?);
    }
    Ok(claimed)
}

/// Records how an attempt ended and releases the claim.
pub fn finish(conn: &Connection, id: i64, attempt: &Attempt) -> rusqlite::Result<()> {
    let at = now();
    match attempt {
        Attempt::Sent => conn.execute(
            "UPDATE outbox SET status = 'sent', delivered_at = ?2, claimed_until = NULL, last_error = NULL WHERE id = ?1",
            params![id, at],
        ),
        Attempt::Retry { at: next, error } => conn.execute(
            "UPDATE outbox SET next_attempt_at = ?2, claimed_until = NULL, last_error = ?3 WHERE id = ?1",
            params![id, next, error],
        ),
        Attempt::Failed { error } => conn.execute(
            "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ?2 WHERE id = ?1",
            params![id, error],
        ),
    }
    .map(drop)
}
