//! The `customer-validation validate` command: exit codes 0/1/2, JSON Lines in and out,
//! a pretty-printed document, and unreadable lines that don't cost the others their report.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_customer-validation"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Written from another thread: the child writes reports while it reads, and a full
    // stdout pipe would otherwise block both ends.
    let mut pipe = child.stdin.take().expect("piped");
    let input = stdin.to_owned();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("the binary ends");
    // A child that stops early (bad options) closes its stdin: that is not a test failure.
    let _ = writer.join();
    output
}

fn reports(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect()
}

const TODAY: [&str; 2] = ["--today", "2026-11-23"];

#[test]
fn all_valid_lines_exit_0() {
    let input = "{\"customer\":{\"first_name\":\"A\",\"email\":\"a@example.com\"}}\n\n{\"customer\":{\"first_name\":\"B\",\"phone\":\"+442071838750\"}}\n";
    let output = run(&["validate", TODAY[0], TODAY[1]], input);
    assert_eq!(output.status.code(), Some(0));
    let reports = reports(&output);
    assert_eq!(reports.len(), 2, "a blank line is skipped, not reported");
    assert_eq!(reports[1]["value"]["customer"]["phone"], "+442071838750");
}

#[test]
fn an_invalid_line_exits_1_and_every_line_gets_its_report() {
    let input = "{\"customer\":{\"first_name\":\"A\",\"email\":\"a@example.com\"}}\n{\"customer\":{}}\n";
    let output = run(&["validate", "--shape", "store", TODAY[0], TODAY[1]], input);
    assert_eq!(output.status.code(), Some(1));
    let reports = reports(&output);
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[1]["valid"], false);
    assert_eq!(reports[1]["errors"][0]["path"], "customer.first_name");
}

#[test]
fn a_line_that_is_not_json_exits_2_and_the_others_still_get_theirs() {
    let input = "{\"customer\":{\"first_name\":\"A\",\"email\":\"a@example.com\"}}\nnot json\n{\"customer\":{}}\n{\"truncated\":\n";
    let output = run(&["validate", TODAY[0], TODAY[1]], input);
    assert_eq!(output.status.code(), Some(2));
    let reports = reports(&output);
    assert_eq!(reports.len(), 4);
    assert_eq!(reports[1]["line"], 2);
    assert!(reports[1]["error"].as_str().unwrap().starts_with("not JSON"));
    assert_eq!(reports[2]["errors"][0]["code"], "required");
    assert_eq!(reports[3]["line"], 4);
}

#[test]
fn a_pretty_printed_document_is_one_request() {
    let input = "{\n  \"given_name\": \"Amelia\",\n  \"birthday\": \"09-21\"\n}\n";
    let output = run(&["validate", "--shape", "square", TODAY[0], TODAY[1]], input);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let reports = reports(&output);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["value"]["birthday"], "0000-09-21");
}

#[test]
fn default_region_reads_national_numbers() {
    let input = "{\"customer\":{\"first_name\":\"S\",\"phone\":\"32 12 34 56\"}}\n";
    assert_eq!(run(&["validate", TODAY[0], TODAY[1]], input).status.code(), Some(1), "not a US number");
    let output = run(&["validate", "--default-region", "DK", TODAY[0], TODAY[1]], input);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(reports(&output)[0]["value"]["customer"]["phone"], "+4532123456");
}

#[test]
fn bad_options_and_missing_files_exit_2_with_a_message() {
    for (args, needle) in [
        (&["validate", "--default-region", "XX"][..], "default_region"),
        (&["validate", "--today", "2026-02-30"][..], "today"),
        (&["validate", "/no/such/file.jsonl"][..], "/no/such/file.jsonl"),
    ] {
        let output = run(args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn many_lines_keep_their_order_across_batches() {
    // Many blocks (3 MB of input), so the workers and the writer's reordering are exercised.
    let mut input = String::new();
    for i in 0..50_000 {
        input.push_str(&format!("{{\"customer\":{{\"first_name\":\"n{i}\",\"email\":\"u{i}@example.com\"}}}}\n"));
    }
    let output = run(&["validate", TODAY[0], TODAY[1]], &input);
    assert_eq!(output.status.code(), Some(0));
    let reports = reports(&output);
    assert_eq!(reports.len(), 50_000);
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(report["value"]["customer"]["first_name"], format!("n{i}"));
    }
}

#[test]
fn the_bundled_sample_file_has_valid_and_invalid_requests() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample-requests.jsonl");
    let output = run(&["validate", TODAY[0], TODAY[1], sample], "");
    assert_eq!(output.status.code(), Some(1));
    let reports = reports(&output);
    assert!(reports.iter().any(|r| r["valid"] == true));
    assert!(reports.iter().any(|r| r["valid"] == false));
}

#[test]
fn crlf_lines_leading_blanks_and_a_line_that_is_not_utf8() {
    // Line 4 holds a byte that is not UTF-8: that line is unreadable, its neighbours are not.
    let mut input = b"\r\n  \n{\"customer\":{\"first_name\":\"A\",\"email\":\"a@example.com\"}}\r\n".to_vec();
    input.extend_from_slice(
        b"{\"customer\":{\"first_name\":\"\xff\"}}\n{\"customer\":{\"first_name\":\"B\",\"phone\":\"+442071838750\"}}",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_customer-validation"))
        .args(["validate", TODAY[0], TODAY[1]])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().expect("piped").write_all(&input).expect("input written");
    let output = child.wait_with_output().expect("the binary ends");
    assert_eq!(output.status.code(), Some(2));
    let reports = reports(&output);
    assert_eq!(reports.len(), 3, "blank lines are skipped; the last line needs no newline");
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[1]["line"], 4, "line numbers count the skipped blank lines");
    assert_eq!(reports[2]["value"]["customer"]["phone"], "+442071838750");
}

#[test]
fn a_reader_that_stops_early_ends_the_run() {
    // `validate big.jsonl | head -1`: once stdout is closed the tool must stop, not wait.
    let dir = std::env::temp_dir().join(format!("cv-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("many.jsonl");
    let line = "{\"customer\":{\"first_name\":\"A\",\"email\":\"a@example.com\"}}\n";
    std::fs::write(&file, line.repeat(200_000)).expect("input written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_customer-validation"))
        .args(["validate", TODAY[0], TODAY[1]])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).expect("a first report");
    assert!(first.starts_with("{\"valid\":true"), "{first}");
    drop(stdout);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the tool kept running after its stdout was closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status.code(), Some(0), "a closed pipe is not an error");
}

#[test]
fn update_shapes_take_patches_and_the_current_customer() {
    let dir = std::env::temp_dir().join(format!("cv-cli-update-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let current = dir.join("current.json");
    std::fs::write(&current, r#"{"first_name":"Amelia","email":"amelia@example.com"}"#).expect("write");
    let current = current.to_str().expect("utf-8 path");
    let patches = "{\"customer\":{\"last_name\":\" Earhart \"}}\n{\"customer\":{\"email\":null}}\n";

    let alone = run(&["validate", "--shape", "store-update"], patches);
    assert_eq!(alone.status.code(), Some(0), "field rules only: both patches are fine");
    let with_current = run(&["validate", "--shape", "store-update", "--current", current], patches);
    assert_eq!(with_current.status.code(), Some(1));
    let judged = reports(&with_current);
    assert_eq!(judged[0]["value"], serde_json::json!({ "customer": { "last_name": "Earhart" } }));
    assert_eq!(judged[1]["errors"][0]["code"], "email_or_phone_required", "the merged customer has no contact");

    let square = run(&["validate", "--shape", "square-update"], "{\"version\":-1}\n");
    assert_eq!(square.status.code(), Some(1));
    assert_eq!(reports(&square)[0]["errors"][0]["code"], "out_of_range");

    let misplaced = run(&["validate", "--current", current], patches);
    assert_eq!(misplaced.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&misplaced.stderr).contains("--shape store-update"));
    let _ = std::fs::remove_dir_all(&dir);
}
