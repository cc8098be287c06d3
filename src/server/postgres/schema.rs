//! Applies PostgreSQL's migrations ([`crate::server::migrations::POSTGRES`]) under an
//! advisory lock, so that nodes starting together migrate once; `schema_migrations`
//! records how many ran.

use tokio_postgres::Client;

use crate::server::migrations::POSTGRES as MIGRATIONS;

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
        let done: i32 = client.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?.get(0);
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
