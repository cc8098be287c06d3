//! `stores add` and `cards add`: the admin commands, straight on the database.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use customer_validation::server::sqlite;
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
        #[arg(long, env = "CV_DB", default_value = "./data/customers.db")]
        db: PathBuf,
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
        #[arg(long, env = "CV_DB", default_value = "./data/customers.db")]
        db: PathBuf,
    },
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
    let (id, token) = sqlite::add_store(&open(&db)?, name.trim(), &country, public_signup)?;
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
    let id = sqlite::add_card(&open(&db)?, store, name.trim(), stamps_required, initial_stamps)?;
    println!("card: {id}");
    Ok(())
}
