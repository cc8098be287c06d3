//! The command line: arguments, and one module per command ([`validate`], and with the
//! `server` feature [`serve`] and [`admin`]).

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "server")]
mod admin;
mod messages;
#[cfg(feature = "server")]
mod serve;
mod validate;

#[derive(Parser)]
#[command(
    name = "customer-validation",
    version,
    about = "Customer validation rules: the same verdict in the browser, in Node and on the server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate one JSON document, or JSON Lines (one request per line), and print one
    /// report per line. Exit 0: all valid; 1: any invalid; 2: unreadable input or a line
    /// that is not JSON.
    Validate(validate::ValidateArgs),
    /// Print the catalogue's message for each `{"code", "params"}` line of stdin, in a
    /// locale; or list the locales.
    Messages(messages::MessagesArgs),
    /// Serve the store API, Square's create call, the validation endpoints and the site.
    #[cfg(feature = "server")]
    Serve(Box<serve::ServeArgs>),
    /// Manage stores (prints a new store's id and API token, once).
    #[cfg(feature = "server")]
    Stores {
        #[command(subcommand)]
        command: admin::StoresCommand,
    },
    /// Manage loyalty cards.
    #[cfg(feature = "server")]
    Cards {
        #[command(subcommand)]
        command: admin::CardsCommand,
    },
}

/// The database `--db` (or `CV_DB`) names, else `DATABASE_URL`, else the SQLite file
/// `./data/customers.db`.
#[cfg(feature = "server")]
fn database(db: Option<String>) -> customer_validation::server::Database {
    let db = db.or_else(|| std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()));
    customer_validation::server::Database::parse(db.as_deref().unwrap_or("./data/customers.db"))
}

/// Parses the arguments and runs the command; the exit code says how it went.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Validate(args) => match validate::run(args) {
            Ok(code) => return code,
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(error) => Err(error.to_string()),
        },
        Command::Messages(args) => messages::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(*args),
        #[cfg(feature = "server")]
        Command::Stores { command } => admin::stores(command),
        #[cfg(feature = "server")]
        Command::Cards { command } => admin::cards(command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("customer-validation: {error}");
            ExitCode::from(2)
        }
    }
}
