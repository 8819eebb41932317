//! Properties over arbitrary input: no input makes the statistics or a renderer panic,
//! and the statistics keep their invariants.

use jiff::Timestamp;
use proptest::prelude::*;
use wani_bares_report::input::{AssignmentRow, ComplaintRow, RatingRow, ReportInput, StepRow};
use wani_bares_report::{Format, render, stats};

use super::fixture::{empty_input, november, wib};

/// Mostly around November 2026, sometimes anywhere jiff can represent.
fn timestamp() -> impl Strategy<Value = Timestamp> {
    let start = wib("2026-10-01 00:00").as_second();
    let end = wib("2027-01-01 00:00").as_second();
    prop_oneof![
        8 => (start..end).prop_map(|s| Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)),
        1 => Just(Timestamp::MIN),
        1 => Just(Timestamp::MAX),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z ]{0,12}",
        any::<String>(),
        "(closed|rejected|withdrawn|incomplete|dispatched|verification|opd_answer|whatsapp)",
    ]
}

fn complaint() -> impl Strategy<Value = ComplaintRow> {
    (
        (
            text(),
            text(),
            timestamp(),
            text(),
            proptest::option::of(text()),
        ),
        (
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
            text(),
            proptest::option::of(text()),
        ),
        (
            text(),
            text(),
            proptest::option::of(timestamp()),
            proptest::option::of(timestamp()),
        ),
        (
            proptest::option::of(timestamp()),
            proptest::option::of(timestamp()),
        ),
    )
        .prop_map(
            |(
                (ticket, kind, created_at, channel, category),
                (kecamatan, agencies, summary, follow_up),
                (status, status_at_month_end, verified_at, closed_at),
                (rejected_at, withdrawn_at),
            )| {
                ComplaintRow {
                    ticket,
                    kind,
                    created_at,
                    channel,
                    category,
                    kecamatan,
                    agencies,
                    summary,
                    follow_up,
                    status,
                    status_at_month_end,
                    verified_at,
                    closed_at,
                    rejected_at,
                    withdrawn_at,
                }
            },
        )
}

fn step() -> impl Strategy<Value = StepRow> {
    (
        text(),
        text(),
        timestamp(),
        timestamp(),
        proptest::option::of(timestamp()),
    )
        .prop_map(|(ticket, step, started_at, due_at, done_at)| StepRow {
            ticket,
            step,
            holder: "admin".into(),
            started_at,
            due_at,
            done_at,
        })
}

fn assignment() -> impl Strategy<Value = AssignmentRow> {
    (
        text(),
        text(),
        timestamp(),
        timestamp(),
        proptest::option::of(timestamp()),
    )
        .prop_map(
            |(agency_code, agency_name, dispatched_at, due_at, answered_at)| AssignmentRow {
                ticket: "WB".into(),
                agency_code,
                agency_name,
                dispatched_at,
                answered_at,
                due_at,
            },
        )
}

fn rating() -> impl Strategy<Value = RatingRow> {
    (any::<u8>(), any::<bool>(), timestamp()).prop_map(|(rating, resolved, created_at)| RatingRow {
        ticket: "WB".into(),
        agency_names: Vec::new(),
        rating,
        resolved,
        created_at,
    })
}

fn month_input() -> impl Strategy<Value = ReportInput> {
    (
        proptest::collection::vec(complaint(), 0..12),
        proptest::collection::vec(step(), 0..12),
        proptest::collection::vec(assignment(), 0..8),
        proptest::collection::vec(rating(), 0..8),
        timestamp(),
    )
        .prop_map(|(complaints, steps, assignments, ratings, generated_at)| {
            let mut input = empty_input(november());
            input.complaints = complaints;
            input.steps = steps;
            input.assignments = assignments;
            input.ratings = ratings;
            input.generated_at = generated_at;
            input
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_input_makes_a_renderer_panic(input in month_input()) {
        for format in [Format::Pdf, Format::Xlsx, Format::Csv] {
            prop_assert!(render(&input, format).is_ok(), "{format} failed");
        }
    }

    #[test]
    fn the_statistics_keep_their_invariants(input in month_input()) {
        let s = stats::compute(&input);
        let t = s.totals;
        prop_assert!(t.open_at_month_end <= t.received);
        prop_assert!(t.incomplete <= t.open_at_month_end);
        prop_assert_eq!(s.per_day.iter().map(|d| d.count).sum::<u64>(), t.received);
        prop_assert_eq!(s.listed.len() as u64, t.received);
        for c in &s.steps {
            prop_assert_eq!(c.started, c.on_time + c.late + c.pending);
            prop_assert!(c.done <= c.started);
            prop_assert!(c.on_time_percent.is_none_or(|p| (0.0..=100.0).contains(&p)));
            prop_assert!(c.median_minutes <= c.p90_minutes);
        }
        for a in &s.agencies {
            prop_assert!(a.answered <= a.dispatched);
            prop_assert!(a.on_time + a.late <= a.dispatched);
        }
        let sat = &s.satisfaction;
        prop_assert!(sat.skm.is_none_or(|k| (25.0..=100.0).contains(&k)));
        for share in s.by_category.iter().chain(&s.by_kecamatan) {
            prop_assert!((0.0..=100.0).contains(&share.percent));
        }
    }
}
