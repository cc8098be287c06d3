//! Throughput over a realistic mixed corpus (`bench/corpus.jsonl`, about 80% valid) and the
//! cold first call. Figures go to the README's performance section.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use customer_validation::{validate_store, Options};
use serde_json::Value;

fn corpus() -> Vec<(Options, Value)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/corpus.jsonl"))
        .expect("bench/corpus.jsonl is committed");
    text.lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).expect("corpus lines are JSON");
            let options = Options::new(
                row["options"]["default_region"].as_str().unwrap_or("US"),
                row["options"]["today"].as_str().unwrap_or("2026-11-23").parse().expect("a date"),
            )
            .expect("known region");
            (options, row["request"].clone())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    // The cold first call: phone metadata and regexes are built lazily on first use.
    let started = Instant::now();
    let first = corpus();
    let report = validate_store(&first[1].1, &first[1].0);
    eprintln!("cold first call (corpus load + first validation): {:?}, valid={}", started.elapsed(), report.valid);

    let corpus = first;
    let valid = corpus.iter().filter(|(o, v)| validate_store(v, o).valid).count();
    eprintln!(
        "corpus: {} requests, {} valid ({:.0}%)",
        corpus.len(),
        valid,
        100.0 * valid as f64 / corpus.len() as f64
    );

    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("validate_store, mixed corpus", |b| {
        b.iter(|| {
            for (options, request) in &corpus {
                black_box(validate_store(black_box(request), options));
            }
        })
    });
    let lines: Vec<String> = corpus.iter().map(|(_, v)| v.to_string()).collect();
    group.bench_function("parse JSON text + validate_store + serialize report", |b| {
        b.iter(|| {
            for ((options, _), line) in corpus.iter().zip(&lines) {
                let value: Value = serde_json::from_str(line).expect("JSON");
                black_box(serde_json::to_string(&validate_store(&value, options)).expect("serializable"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
