//! Scale: a busy month renders completely, and (release build, ignored by default) a
//! month of 100,000 complaints computes and renders all three formats within 3 s.
//!
//! Run the big one with
//! `cargo test --release -p wani-bares-report --test report -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use wani_bares_report::{csv, pdf, stats, xlsx};

use super::fixture::synthetic_month;
use super::pdf::{assert_pdf_structure, pdf_text};
use super::xlsx::Unzipped;

#[test]
fn a_month_of_two_thousand_complaints_is_listed_in_full_in_every_format() {
    let input = synthetic_month(2_000);
    let s = stats::compute(&input);
    assert_eq!(s.totals.received, 2_000);

    let csv = csv::render(&s, &input).expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(csv.lines().count(), 2_001);

    let mut book = Unzipped::new(xlsx::render(&s, &input).expect("xlsx"));
    assert_eq!(book.number(1, "B2"), Some(2_000.0));
    assert!(book.number(11, "A2001").is_some());

    let pdf = pdf::render(&s, &input).expect("pdf");
    assert_pdf_structure(&pdf);
    if let Some(text) = pdf_text(&pdf) {
        for c in input.complaints.iter().step_by(97) {
            assert!(text.contains(&c.ticket), "{} missing", c.ticket);
        }
        assert!(!text.contains("pengaduan pertama dari"));
    }
}

/// Peak resident memory of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[test]
#[ignore = "a release-build benchmark: 100,000 complaints"]
fn a_month_of_a_hundred_thousand_complaints_renders_within_three_seconds() {
    let input = synthetic_month(100_000);
    let before = peak_rss_mib();
    let started = Instant::now();
    let s = stats::compute(&input);
    let computed = started.elapsed();
    let pdf = pdf::render(&s, &input).expect("pdf");
    let pdf_done = started.elapsed();
    let book = xlsx::render(&s, &input).expect("xlsx");
    let xlsx_done = started.elapsed();
    let csv = csv::render(&s, &input).expect("csv");
    let total = started.elapsed();
    let after = peak_rss_mib();
    eprintln!(
        "100k: compute {computed:?}, pdf {:?} ({} KiB), xlsx {:?} ({} KiB), csv {:?} ({} KiB), \
         total {total:?}; peak RSS {before:?} MiB with the input, {after:?} MiB after",
        pdf_done.saturating_sub(computed),
        pdf.len() / 1024,
        xlsx_done.saturating_sub(pdf_done),
        book.len() / 1024,
        total.saturating_sub(xlsx_done),
        csv.len() / 1024,
    );
    assert_eq!(s.totals.received, 100_000);
    assert_pdf_structure(&pdf);
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("pengaduan pertama dari"));
    }
    if !cfg!(debug_assertions) {
        assert!(total < Duration::from_secs(3), "took {total:?}");
    }
}
