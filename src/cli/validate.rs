//! `validate`: one JSON document or JSON Lines in, one report a line out, through a
//! pipeline of reader, workers and an ordered writer.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use customer_validation::{
    validate_square, validate_square_update, validate_store, validate_store_update, Date, Options, Report,
};
use serde_json::{json, Value};

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Which request shape the input holds: a create request, or an update's patch.
    #[arg(long, value_enum, default_value_t = ShapeArg::Store)]
    shape: ShapeArg,
    /// With an update shape: a JSON file holding the current customer, so that the rules
    /// that need the customer as it will be (email or phone; Square's one-of; the merged
    /// metadata and references) run too. Without it, an update gets field rules only.
    #[arg(long)]
    current: Option<PathBuf>,
    /// Region for phone numbers written without `+` and a country code.
    #[arg(long, default_value = "US")]
    default_region: String,
    /// The date "future" is judged against (YYYY-MM-DD); default: today at UTC+14.
    #[arg(long)]
    today: Option<String>,
    /// The language of the messages (BCP 47, e.g. `de`, `pt-BR`); default English.
    #[arg(long)]
    locale: Option<String>,
    /// Input file; stdin when absent or `-`.
    file: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    /// The store API's create request.
    Store,
    /// Square's CreateCustomer request.
    Square,
    /// The store API's update (`PATCH`) body.
    StoreUpdate,
    /// Square's UpdateCustomer body.
    SquareUpdate,
}

/// How each document is judged: its shape, and for an update the current customer.
#[derive(Clone, Copy)]
struct Judge<'a> {
    shape: ShapeArg,
    current: Option<&'a Value>,
}

impl Judge<'_> {
    fn report(self, value: &Value, options: &Options) -> Report {
        match self.shape {
            ShapeArg::Store => validate_store(value, options),
            ShapeArg::Square => validate_square(value, options),
            ShapeArg::StoreUpdate => validate_store_update(value, self.current, options),
            ShapeArg::SquareUpdate => validate_square_update(value, self.current, options),
        }
    }
}

/// The `--current` customer, read once.
fn current(args: &ValidateArgs) -> io::Result<Option<Value>> {
    let Some(path) = &args.current else { return Ok(None) };
    if !matches!(args.shape, ShapeArg::StoreUpdate | ShapeArg::SquareUpdate) {
        let message = "--current goes with --shape store-update or square-update";
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    let text = std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: not JSON: {e}", path.display())))
}

fn options(args: &ValidateArgs) -> io::Result<Options> {
    let invalid = |e: customer_validation::OptionsError| io::Error::new(io::ErrorKind::InvalidInput, e.to_string());
    let mut options = Options::default().with_default_region(&args.default_region).map_err(invalid)?;
    if let Some(today) = &args.today {
        options = options.with_today(today.parse::<Date>().map_err(invalid)?);
    }
    if let Some(locale) = &args.locale {
        options = options.with_locale(locale).map_err(invalid)?;
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
fn report_line(
    parsed: Result<Value, (usize, String)>,
    judge: Judge<'_>,
    options: &Options,
    out: &mut Vec<u8>,
) -> Tally {
    let mut tally = Tally::default();
    let written = match parsed {
        Ok(value) => {
            let report = judge.report(&value, options);
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

fn validate_block(block: Block, judge: Judge<'_>, options: &Options) -> Reports {
    let mut bytes = Vec::with_capacity(block.bytes.len() * 2);
    let mut tally = Tally::default();
    let body = block.bytes.strip_suffix(b"\n").unwrap_or(&block.bytes);
    for (offset, line) in body.split(|&b| b == b'\n').enumerate() {
        if is_blank(line) {
            continue;
        }
        let line_number = block.first_line + offset;
        let parsed = serde_json::from_slice::<Value>(line).map_err(|e| (line_number, e.to_string()));
        tally.merge(report_line(parsed, judge, options, &mut bytes));
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
    judge: Judge<'_>,
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
                if reports_tx.send(validate_block(block, judge, options)).is_err() {
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

/// Runs `validate`; the exit code says whether every document was valid.
pub fn run(args: ValidateArgs) -> io::Result<ExitCode> {
    let options = options(&args)?;
    let current = current(&args)?;
    let judge = Judge { shape: args.shape, current: current.as_ref() };
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
            tally.merge(report_line(parsed, judge, &options, &mut buffer));
            if stop {
                break;
            }
        }
        out.write_all(&buffer)?;
        tally
    } else {
        // `first` holds the first non-blank line (or nothing); it starts the first block.
        let first_line = line_number.max(1);
        run_pipeline(&mut reader, first, first_line, judge, &options, &mut out)?
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
