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
    let check = |value: &Value| -> Report {
        match args.shape {
            ShapeArg::Store => validate_store(value, &options),
            ShapeArg::Square => validate_square(value, &options),
        }
    };

    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut any_invalid, mut any_unreadable) = (false, false);
    let mut emit = |out: &mut dyn Write, parsed: Result<Value, (usize, String)>| -> io::Result<()> {
        let report = match parsed {
            Ok(value) => {
                let report = check(&value);
                any_invalid |= !report.valid;
                serde_json::to_value(&report).unwrap_or(Value::Null)
            }
            Err((line, error)) => {
                any_unreadable = true;
                json!({ "valid": false, "line": line, "error": format!("not JSON: {error}") })
            }
        };
        serde_json::to_writer(&mut *out, &report)?;
        out.write_all(b"\n")
    };
    let mut lines = reader.lines();
    let mut line_number = 0usize;
    while let Some(line) = lines.next() {
        let line = line?;
        line_number += 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(value) => emit(&mut out, Ok(value))?,
            // The first document does not end on its line: the input is one (pretty-printed)
            // document, or several, not JSON Lines. Read the rest as a stream of documents.
            Err(e) if e.is_eof() => {
                let mut rest = line;
                for more in lines.by_ref() {
                    rest.push('\n');
                    rest.push_str(&more?);
                }
                let first_line = line_number;
                for document in serde_json::Deserializer::from_str(&rest).into_iter::<Value>() {
                    match document {
                        Ok(value) => emit(&mut out, Ok(value))?,
                        Err(e) => {
                            emit(&mut out, Err((first_line + e.line() - 1, e.to_string())))?;
                            break;
                        }
                    }
                }
                break;
            }
            Err(e) => emit(&mut out, Err((line_number, e.to_string())))?,
        }
    }
    out.flush()?;
    progress.finish_and_clear();
    Ok(if any_unreadable {
        ExitCode::from(2)
    } else if any_invalid {
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
