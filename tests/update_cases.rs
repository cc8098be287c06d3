//! The update rows of the shared case table (`tests/cases/update/*.json`), run natively:
//! a patch, the current customer when the row gives one, and the expected report. The same
//! rows run through both npm builds in Node and the browser build in Chromium
//! (`examples/native_reports.rs` adds them to the parity reports).

use std::path::PathBuf;

use customer_validation::{validate_square_update, validate_store_update, Options};
use serde_json::Value;

fn rows() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/update");
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/cases/update") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("read");
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
            for row in serde_json::from_str::<Vec<Value>>(&text).unwrap_or_else(|e| panic!("{file}: {e}")) {
                rows.push((file.clone(), row));
            }
        }
    }
    rows
}

#[test]
fn every_update_row_gives_its_expected_report() {
    let rows = rows();
    assert!(rows.len() >= 25, "only {} update rows", rows.len());
    for (file, row) in rows {
        let name = format!("{file}: {}", row["name"].as_str().unwrap_or("?"));
        let options = Options::new(
            row["options"]["default_region"].as_str().unwrap_or("US"),
            row["options"]["today"].as_str().unwrap_or("2026-11-23").parse().expect("today"),
        )
        .expect("options");
        let current = row.get("current");
        let report = match row["shape"].as_str() {
            Some("store-update") => validate_store_update(&row["input"], current, &options),
            Some("square-update") => validate_square_update(&row["input"], current, &options),
            other => panic!("{name}: shape {other:?}"),
        };
        let got: Vec<(String, &str)> = report.errors.iter().map(|v| (v.path.to_string(), v.code.as_str())).collect();
        let want: Vec<(String, &str)> = row["expect"]["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["path"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(got, want, "{name}");
        assert_eq!(report.valid, row["expect"]["valid"].as_bool().expect("valid"), "{name}");
        if let Some(value) = row["expect"].get("value") {
            assert_eq!(&report.value, value, "{name}");
        }
    }
}
