//! `customer-validation`: validate requests from a file or stdin (and, with the `server`
//! feature, serve the API).

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use customer_validation::{validate_square, validate_store, Date, Options, Report};
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Seconds a request's headers may take, counted from when the connection is ready for
    /// the request.
    #[arg(long, default_value_t = 10)]
    header_read_timeout: u64,
    /// Seconds a connection with no request in flight may stay silent before it is closed.
    #[arg(long, default_value_t = 5)]
    idle_timeout: u64,
    /// Seconds to read a request's body and answer it (408 past it).
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Most bytes of a request line and its headers (431 past it; at least 8192).
    #[arg(long, default_value_t = 16 * 1024, value_parser = clap::value_parser!(u64).range(8192..=1 << 20))]
    max_header_bytes: u64,
    /// Connections open at once; more clients wait until one closes.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    max_connections: u64,
    /// Public sign-ups (`/join`) one client address may make per window.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    join_limit_per_client: u32,
    /// Public sign-ups one store takes per window, from all clients together.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    join_limit_per_store: u32,
    /// The sign-up counters' window, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    join_window: u64,
    /// Card links go to one email address or phone number of a store at most once per this
    /// many seconds, whatever the number of sign-ups naming it.
    #[arg(long, default_value_t = 3600)]
    card_link_window: u64,
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
        /// Opens the anonymous sign-up (`POST /join/:id`, the sign-up page) for this store.
        #[arg(long)]
        public_signup: bool,
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
    use std::time::Duration;
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
                limits: server::Limits {
                    header_read_timeout: Duration::from_secs(args.header_read_timeout),
                    idle_timeout: Duration::from_secs(args.idle_timeout),
                    request_timeout: Duration::from_secs(args.request_timeout),
                    max_header_bytes: usize::try_from(args.max_header_bytes).unwrap_or(usize::MAX),
                    max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
                    join_per_client: args.join_limit_per_client,
                    join_per_store: args.join_limit_per_store,
                    join_window: Duration::from_secs(args.join_window),
                    card_link_window: Duration::from_secs(args.card_link_window),
                },
            }))
        }
        Command::Stores { command: StoresCommand::Add { name, country, public_signup, db } } => {
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

/// The input is cut into blocks of whole lines of about this size: large enough that
/// handing a block to a worker costs nothing next to validating it, small enough that the
/// first reports appear at once and a few blocks in flight hold little memory.
const BLOCK_BYTES: usize = 256 << 10;

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

/// A line with nothing but white space is skipped, not reported. JSON lines start with an
/// ASCII byte, so only a line that starts with something else pays for a UTF-8 decode.
fn is_blank(line: &[u8]) -> bool {
    match line.iter().position(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(i) if line[i].is_ascii() => false,
        Some(i) => std::str::from_utf8(&line[i..]).is_ok_and(|rest| rest.trim().is_empty()),
    }
}

/// A run of whole JSON Lines, numbered from `first_line`.
struct Block {
    sequence: usize,
    first_line: usize,
    bytes: Vec<u8>,
}

/// Every line of a block validated, its reports in input order.
struct Reports {
    sequence: usize,
    bytes: Vec<u8>,
    tally: Tally,
}

fn validate_block(block: Block, shape: ShapeArg, options: &Options) -> Reports {
    let mut bytes = Vec::with_capacity(block.bytes.len() * 2);
    let mut tally = Tally::default();
    let body = block.bytes.strip_suffix(b"\n").unwrap_or(&block.bytes);
    for (offset, line) in body.split(|&b| b == b'\n').enumerate() {
        if is_blank(line) {
            continue;
        }
        let line_number = block.first_line + offset;
        let parsed = serde_json::from_slice::<Value>(line).map_err(|e| (line_number, e.to_string()));
        tally.merge(report_line(parsed, shape, options, &mut bytes));
    }
    Reports { sequence: block.sequence, bytes, tally }
}

/// Appends input to `block` until it holds [`BLOCK_BYTES`], then up to the end of a line.
fn fill_block(reader: &mut impl BufRead, block: &mut Vec<u8>) -> io::Result<()> {
    while block.len() < BLOCK_BYTES {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        let take = available.len().min(BLOCK_BYTES - block.len());
        block.extend_from_slice(&available[..take]);
        reader.consume(take);
    }
    reader.read_until(b'\n', block)?;
    Ok(())
}

/// JSON Lines through a pipeline: this thread reads blocks, one worker per core validates
/// them, and a writer puts the reports back in input order as they come. Reading, validating
/// and writing overlap, so no core waits for the serial ends of the work.
fn run_pipeline(
    reader: &mut impl BufRead,
    first: Vec<u8>,
    first_line: usize,
    shape: ShapeArg,
    options: &Options,
    out: &mut (impl Write + Send),
) -> io::Result<Tally> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Bounded: a slow writer or slow workers stop the reader instead of filling memory.
    let (block_tx, block_rx) = std::sync::mpsc::sync_channel::<Block>(workers * 2);
    // Owned by the workers alone: when the last one stops (the writer failed), the channel
    // closes and the reader's next send fails instead of waiting forever.
    let block_rx = std::sync::Arc::new(std::sync::Mutex::new(block_rx));
    let (reports_tx, reports_rx) = std::sync::mpsc::channel::<Reports>();
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<Tally> {
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0;
            let mut tally = Tally::default();
            for reports in reports_rx {
                waiting.insert(reports.sequence, reports);
                while let Some(reports) = waiting.remove(&next) {
                    out.write_all(&reports.bytes)?;
                    tally.merge(reports.tally);
                    next += 1;
                }
            }
            Ok(tally)
        });
        for _ in 0..workers {
            let (block_rx, reports_tx) = (std::sync::Arc::clone(&block_rx), reports_tx.clone());
            scope.spawn(move || loop {
                // The lock is held only to take the next block, never while validating.
                let block = match block_rx.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => return,
                };
                let Ok(block) = block else { return };
                // The writer has stopped (a closed stdout): nothing more to do.
                if reports_tx.send(validate_block(block, shape, options)).is_err() {
                    return;
                }
            });
        }
        drop((reports_tx, block_rx));
        let read = (|| -> io::Result<()> {
            let (mut bytes, mut first_line, mut sequence) = (first, first_line, 0);
            loop {
                fill_block(reader, &mut bytes)?;
                if bytes.is_empty() {
                    return Ok(());
                }
                let lines = bytes.iter().filter(|&&b| b == b'\n').count();
                let block = Block { sequence, first_line, bytes: std::mem::take(&mut bytes) };
                if block_tx.send(block).is_err() {
                    return Ok(()); // every worker stopped: the writer's error says why
                }
                sequence += 1;
                first_line += lines;
                bytes = Vec::with_capacity(BLOCK_BYTES + 1024);
            }
        })();
        drop(block_tx);
        let written = writer.join().map_err(|_| io::Error::other("the report writer stopped"))?;
        read?;
        written
    })
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
    let mut reader = BufReader::with_capacity(1 << 16, progress.wrap_read(reader));
    // Not `stdout().lock()`: the lock may not move to the writer thread.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout());

    // Blank lines before the first document are skipped.
    let mut first = Vec::new();
    let mut line_number = 0usize;
    loop {
        first.clear();
        if reader.read_until(b'\n', &mut first)? == 0 {
            break;
        }
        line_number += 1;
        if !is_blank(&first) {
            break;
        }
    }
    // The first document does not end on its line: the input is one (pretty-printed)
    // document, or several, not JSON Lines. Read the rest as a stream of documents.
    let documents = !first.is_empty() && matches!(serde_json::from_slice::<Value>(&first), Err(e) if e.is_eof());
    let tally = if documents {
        let mut text = first;
        reader.read_to_end(&mut text)?;
        let mut buffer = Vec::new();
        let mut tally = Tally::default();
        for document in serde_json::Deserializer::from_slice(&text).into_iter::<Value>() {
            let stop = document.is_err();
            let parsed = document.map_err(|e| (line_number + e.line() - 1, e.to_string()));
            tally.merge(report_line(parsed, args.shape, &options, &mut buffer));
            if stop {
                break;
            }
        }
        out.write_all(&buffer)?;
        tally
    } else {
        // `first` holds the first non-blank line (or nothing); it starts the first block.
        let first_line = line_number.max(1);
        run_pipeline(&mut reader, first, first_line, args.shape, &options, &mut out)?
    };
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
