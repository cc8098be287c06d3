//! Runs the benchmark corpus in a loop for profilers (`perf record`, callgrind):
//! `cargo run --release --example profile_corpus -- 20`.

use customer_validation::{validate_store, Options};
use serde_json::Value;

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    let text = std::fs::read_to_string("bench/corpus.jsonl").expect("run from the repository root");
    let corpus: Vec<(Options, Value)> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|row| {
            let options = Options::new(
                row["options"]["default_region"].as_str()?,
                row["options"]["today"].as_str()?.parse().ok()?,
            )
            .ok()?;
            Some((options, row["request"].clone()))
        })
        .collect();
    let started = std::time::Instant::now();
    let mut valid = 0;
    for _ in 0..rounds {
        for (options, request) in &corpus {
            valid += usize::from(validate_store(request, options).valid);
        }
    }
    let n = rounds * corpus.len();
    let elapsed = started.elapsed();
    println!("{n} validations, {valid} valid, {:.0}/s", n as f64 / elapsed.as_secs_f64());
}
