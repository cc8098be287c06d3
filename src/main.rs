//! `customer-validation`: validate requests from a file or stdin (and, with the `server`
//! feature, serve the API).

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use customer_validation::{validate_square, validate_store, Date, Options, Report};
use serde_json::{json, Value};

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
    Validate(ValidateArgs),
    /// Serve the store API, Square's create call, the validation endpoints and the site.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Manage stores (prints a new store's id and API token, once).
    #[cfg(feature = "server")]
    Stores {
        #[command(subcommand)]
        command: StoresCommand,
    },
    /// Manage loyalty cards.
    #[cfg(feature = "server")]
    Cards {
        #[command(subcommand)]
        command: CardsCommand,
    },
}

#[cfg(feature = "server")]
#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The SQLite database file (created when missing).
    #[arg(long, default_value = "./data/customers.db")]
    db: PathBuf,
    /// Static site served at `/`.
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// WASM package served at `/pkg/`.
    #[arg(long, default_value = "pkg")]
    pkg: PathBuf,
    /// Base URL of wallet links (default: `http://<listen address>`).
    #[arg(long)]
    public_url: Option<String>,
}

#[cfg(feature = "server")]
#[derive(Subcommand)]
enum StoresCommand {
    /// Add a store and print its id and a new API token.
    Add {
        #[arg(long)]
        name: String,
        /// ISO 3166-1 alpha-2 code; also the store's default phone region.
        #[arg(long)]
        country: String,
        #[arg(long, default_value = "./data/customers.db")]
        db: PathBuf,
    },
}

#[cfg(feature = "server")]
#[derive(Subcommand)]
enum CardsCommand {
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
        #[arg(long, default_value = "./data/customers.db")]
        db: PathBuf,
    },
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Which request shape the input holds.
    #[arg(long, value_enum, default_value_t = ShapeArg::Store)]
    shape: ShapeArg,
    /// Region for phone numbers written without `+` and a country code.
    #[arg(long, default_value = "US")]
    default_region: String,
    /// The date "future" is judged against (YYYY-MM-DD); default: today at UTC+14.
    #[arg(long)]
    today: Option<String>,
    /// Input file; stdin when absent or `-`.
    file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShapeArg {
    Store,
    Square,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => match validate(args) {
            Ok(code) => code,
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("customer-validation: {error}");
                ExitCode::from(2)
            }
        },
        #[cfg(feature = "server")]
        command => match server_command(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("customer-validation: {error}");
                ExitCode::from(2)
            }
        },
    }
}

#[cfg(feature = "server")]
fn server_command(command: Command) -> Result<(), String> {
    use customer_validation::server::{self, sqlite};
    let open = |db: &std::path::Path| -> Result<rusqlite::Connection, String> {
        let mut conn = sqlite::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
        sqlite::migrate(&mut conn).map_err(|e| format!("{}: migration failed: {e}", db.display()))?;
        Ok(conn)
    };
    match command {
        Command::Validate(_) => Ok(()),
        Command::Serve(args) => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(io::stderr)
                .with_ansi(io::stderr().is_terminal())
                .init();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            runtime.block_on(server::serve(server::Config {
                listen: args.listen,
                db: args.db,
                www_dir: args.www,
                pkg_dir: args.pkg,
                public_url: args.public_url,
            }))
        }
        Command::Stores { command: StoresCommand::Add { name, country, db } } => {
            let country = country.trim().to_ascii_uppercase();
            Options::default()
                .with_default_region(&country)
                .map_err(|_| format!("`--country`: {country:?} is not an ISO 3166-1 alpha-2 region"))?;
            if name.trim().is_empty() {
                return Err("`--name` must not be blank".into());
            }
            let (id, token) = sqlite::add_store(&open(&db)?, name.trim(), &country)?;
            println!("store: {id}");
            println!("token: {token}");
            Ok(())
        }
        Command::Cards { command: CardsCommand::Add { store, name, stamps_required, initial_stamps, db } } => {
            if name.trim().is_empty() {
                return Err("`--name` must not be blank".into());
            }
            let id = sqlite::add_card(&open(&db)?, store, name.trim(), stamps_required, initial_stamps)?;
            println!("card: {id}");
            Ok(())
        }
    }
}

fn options(args: &ValidateArgs) -> io::Result<Options> {
    let invalid = |e: customer_validation::OptionsError| io::Error::new(io::ErrorKind::InvalidInput, e.to_string());
    let mut options = Options::default().with_default_region(&args.default_region).map_err(invalid)?;
    if let Some(today) = &args.today {
        options = options.with_today(today.parse::<Date>().map_err(invalid)?);
    }
    Ok(options)
}

/// Lines validated together: large enough to keep every core busy, small enough that the
/// first reports appear at once.
const BATCH_LINES: usize = 8192;

/// What the exit code needs to know.
#[derive(Default, Clone, Copy)]
struct Tally {
    invalid: bool,
    unreadable: bool,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.invalid |= other.invalid;
        self.unreadable |= other.unreadable;
    }
}

/// Validates one document (or reports why it is not one) and writes its report line.
fn report_line(parsed: Result<Value, (usize, String)>, shape: ShapeArg, options: &Options, out: &mut Vec<u8>) -> Tally {
    let mut tally = Tally::default();
    let written = match parsed {
        Ok(value) => {
            let report: Report = match shape {
                ShapeArg::Store => validate_store(&value, options),
                ShapeArg::Square => validate_square(&value, options),
            };
            tally.invalid = !report.valid;
            serde_json::to_writer(&mut *out, &report)
        }
        Err((line, error)) => {
            tally.unreadable = true;
            serde_json::to_writer(
                &mut *out,
                &json!({ "valid": false, "line": line, "error": format!("not JSON: {error}") }),
            )
        }
    };
    if written.is_err() {
        // Serializing a report into memory cannot fail; say so rather than lose the line.
        out.extend_from_slice(br#"{"valid":false,"error":"report could not be written"}"#);
        tally.unreadable = true;
    }
    out.push(b'\n');
    tally
}

/// Validates a batch of JSON Lines on every core, then writes the reports in input order.
fn run_batch(batch: &[(usize, String)], shape: ShapeArg, options: &Options, out: &mut impl Write) -> io::Result<Tally> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(batch.len().div_ceil(512)).max(1);
    let chunk_len = batch.len().div_ceil(workers).max(1);
    let work = |chunk: &[(usize, String)]| {
        let mut buffer = Vec::with_capacity(chunk.len() * 512);
        let mut tally = Tally::default();
        for (line_number, line) in chunk {
            let parsed = serde_json::from_str::<Value>(line).map_err(|e| (*line_number, e.to_string()));
            tally.merge(report_line(parsed, shape, options, &mut buffer));
        }
        (buffer, tally)
    };
    let results: Vec<(Vec<u8>, Tally)> = if workers == 1 {
        vec![work(batch)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = batch.chunks(chunk_len).map(|chunk| scope.spawn(move || work(chunk))).collect();
            handles
                .into_iter()
                .map(|h| h.join().map_err(|_| io::Error::other("a validation worker stopped")))
                .collect::<io::Result<Vec<_>>>()
        })?
    };
    let mut tally = Tally::default();
    for (buffer, part) in results {
        out.write_all(&buffer)?;
        tally.merge(part);
    }
    Ok(tally)
}

fn validate(args: ValidateArgs) -> io::Result<ExitCode> {
    let options = options(&args)?;
    let (reader, length): (Box<dyn Read>, Option<u64>) = match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            let length = file.metadata().ok().map(|m| m.len());
            (Box::new(file), length)
        }
        _ => (Box::new(io::stdin().lock()), None),
    };
    let progress = progress_bar(length);
    let reader = BufReader::with_capacity(1 << 16, progress.wrap_read(reader));
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut tally = Tally::default();
    let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH_LINES);
    let mut lines = reader.lines();
    let mut line_number = 0usize;
    let mut first = true;
    while let Some(line) = lines.next() {
        let line = line?;
        line_number += 1;
        if line.trim().is_empty() {
            continue;
        }
        // The first document does not end on its line: the input is one (pretty-printed)
        // document, or several, not JSON Lines. Read the rest as a stream of documents.
        if std::mem::take(&mut first) && matches!(serde_json::from_str::<Value>(&line), Err(e) if e.is_eof()) {
            let mut rest = line;
            for more in lines.by_ref() {
                rest.push('\n');
                rest.push_str(&more?);
            }
            let mut buffer = Vec::new();
            for document in serde_json::Deserializer::from_str(&rest).into_iter::<Value>() {
                let stop = document.is_err();
                let parsed = document.map_err(|e| (line_number + e.line() - 1, e.to_string()));
                tally.merge(report_line(parsed, args.shape, &options, &mut buffer));
                if stop {
                    break;
                }
            }
            out.write_all(&buffer)?;
            break;
        }
        batch.push((line_number, line));
        if batch.len() == BATCH_LINES {
            tally.merge(run_batch(&batch, args.shape, &options, &mut out)?);
            batch.clear();
        }
    }
    tally.merge(run_batch(&batch, args.shape, &options, &mut out)?);
    out.flush()?;
    progress.finish_and_clear();
    Ok(if tally.unreadable {
        ExitCode::from(2)
    } else if tally.invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A bar on stderr for files over 1 MiB, only when a person is watching.
fn progress_bar(length: Option<u64>) -> indicatif::ProgressBar {
    match length {
        Some(len) if len > (1 << 20) && io::stderr().is_terminal() => {
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        }
        _ => indicatif::ProgressBar::hidden(),
    }
}
