//! `messages`: the catalogue's wording of codes, for scripts and for the parity test that
//! holds the CLI, Node, the browser and the server to one text per code and locale.

use std::io::{self, BufRead, Write};

use customer_validation::{Options, Params};
use serde_json::{json, Value};

#[derive(clap::Args)]
pub struct MessagesArgs {
    /// The language (BCP 47, e.g. `de`, `pt-BR`); default English.
    #[arg(long)]
    locale: Option<String>,
    /// List the catalogue's locales instead, one a line.
    #[arg(long, conflicts_with = "locale")]
    list: bool,
}

/// Reads JSON Lines `{"code": "too_long", "params": {"max": 300}}` from stdin and prints
/// `{"message": "…"}` for each, in order.
pub fn run(args: MessagesArgs) -> Result<(), String> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let write = |out: &mut io::BufWriter<_>, line: Value| writeln!(out, "{line}").map_err(|e| e.to_string());
    if args.list {
        for tag in customer_validation::messages::locales() {
            writeln!(out, "{tag}").map_err(|e| e.to_string())?;
        }
        return out.flush().map_err(|e| e.to_string());
    }
    let mut options = Options::default();
    if let Some(locale) = &args.locale {
        options = options.with_locale(locale).map_err(|e| e.to_string())?;
    }
    for (number, line) in io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let request: Value = serde_json::from_str(&line).map_err(|e| format!("line {}: not JSON: {e}", number + 1))?;
        let code = request["code"].as_str().unwrap_or("");
        if !customer_validation::messages::is_message(code) {
            return Err(format!("line {}: {code:?} is not a code of the catalogue", number + 1));
        }
        let params: Params = request["params"].as_object().cloned().unwrap_or_default();
        write(&mut out, json!({ "message": options.message(code, &params) }))?;
    }
    out.flush().map_err(|e| e.to_string())
}
