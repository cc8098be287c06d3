//! `stores add` and `cards add`: the admin commands, straight on the database.

use std::path::Path;

use clap::Subcommand;
use customer_validation::server::{postgres, sqlite, Database};
use customer_validation::Options;

#[derive(Subcommand)]
pub enum StoresCommand {
    /// Add a store and print its id and a new API token.
    Add {
        #[arg(long)]
        name: String,
        /// ISO 3166-1 alpha-2 code; also the store's default phone region.
        #[arg(long)]
        country: String,
        /// Opens the anonymous sign-up (`POST /join/:id`, the sign-up page) for this store.
        #[arg(long)]
        public_signup: bool,
        /// A SQLite file or a PostgreSQL URL, as `serve --db` takes it.
        #[arg(long, env = "CV_DB")]
        db: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum CardsCommand {
    /// Add a card to a store and print its id.
    Add {
        #[arg(long)]
        store: i64,
        #[arg(long)]
        name: String,
        #[arg(long)]
        stamps_required: u32,
        #[arg(long, default_value_t = 0)]
        initial_stamps: u32,
        /// A SQLite file or a PostgreSQL URL, as `serve --db` takes it.
        #[arg(long, env = "CV_DB")]
        db: Option<String>,
    },
}

/// Runs one admin statement on PostgreSQL, on a runtime of its own.
fn on_postgres<T, F>(url: &str, f: impl FnOnce(deadpool_postgres::Object) -> F) -> Result<T, String>
where
    F: std::future::Future<Output = Result<T, String>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async { f(postgres::connect(url).await?).await })
}

fn open(db: &Path) -> Result<rusqlite::Connection, String> {
    let mut conn = sqlite::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    sqlite::migrate(&mut conn).map_err(|e| format!("{}: migration failed: {e}", db.display()))?;
    Ok(conn)
}

/// `stores …`.
pub fn stores(command: StoresCommand) -> Result<(), String> {
    let StoresCommand::Add { name, country, public_signup, db } = command;
    let country = country.trim().to_ascii_uppercase();
    Options::default()
        .with_default_region(&country)
        .map_err(|_| format!("`--country`: {country:?} is not an ISO 3166-1 alpha-2 region"))?;
    if name.trim().is_empty() {
        return Err("`--name` must not be blank".into());
    }
    let (id, token) = match super::database(db) {
        Database::Sqlite(path) => sqlite::add_store(&open(&path)?, name.trim(), &country, public_signup)?,
        Database::Postgres(url) => on_postgres(&url, |mut client| async move {
            postgres::add_store(&mut client, name.trim(), &country, public_signup).await
        })?,
    };
    println!("store: {id}");
    println!("token: {token}");
    Ok(())
}

/// `cards …`.
pub fn cards(command: CardsCommand) -> Result<(), String> {
    let CardsCommand::Add { store, name, stamps_required, initial_stamps, db } = command;
    if name.trim().is_empty() {
        return Err("`--name` must not be blank".into());
    }
    let id = match super::database(db) {
        Database::Sqlite(path) => sqlite::add_card(&open(&path)?, store, name.trim(), stamps_required, initial_stamps)?,
        Database::Postgres(url) => on_postgres(&url, |client| async move {
            postgres::add_card(&client, store, name.trim(), stamps_required, initial_stamps).await
        })?,
    };
    println!("card: {id}");
    Ok(())
}
