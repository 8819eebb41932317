//! A small run of each benchmark so the tool does not rot: it must finish, print its JSON
//! line with the contract fields, and lose nothing. The figures themselves are not judged
//! here (speed is measured in BENCHMARKS.md, not in tests).

use std::process::Command;

use serde_json::Value;

fn run(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_wani-bares-bench"))
        .args(args)
        .output()
        .expect("the bench runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a JSON line");
    serde_json::from_str(last).expect("the last line is JSON")
}

#[test]
fn a_small_ingest_run_loses_nothing_and_prints_every_field() {
    let v = run(&["ingest", "--messages", "300", "--concurrency", "16"]);
    for field in [
        "acked_per_s",
        "ack_p50_ms",
        "ack_p99_ms",
        "ack_max_ms",
        "first_reply_p50_ms",
        "first_reply_p99_ms",
        "lost",
        "baseline_inserts_per_s",
        "baseline_batched_rows_per_s",
        "baseline_null_http_per_s",
    ] {
        assert!(v[field].is_number(), "{field} missing: {v}");
    }
    assert_eq!(v["lost"], 0, "{v}");
    assert_eq!(v["acked"], 300, "{v}");
}

#[test]
fn a_small_scale_run_prints_every_field() {
    let v = run(&["scale", "--complaints", "400", "--requests", "10"]);
    for field in [
        "list_p95_ms",
        "filter_p95_ms",
        "search_p95_ms",
        "detail_p95_ms",
        "report_s",
        "rss_mb",
    ] {
        assert!(v[field].is_number(), "{field} missing: {v}");
    }
    assert!(v["rss_mb"].as_f64().unwrap_or(0.0) > 1.0, "{v}");
}
