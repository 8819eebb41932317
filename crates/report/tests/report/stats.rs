//! The statistics of the hand-made November against numbers worked out by hand.
//!
//! Period: 1 November 2026 00:00 WIB to 1 December 2026 00:00 WIB.
//! Received (created in November): 0001–0007 → 7. Verified in November: 0001, 0002,
//! 0003 and the October 0100 (verified 1 Nov 00:05) → 4. Closed in November: 0001,
//! 0003 and the October 0099 → 3 (0006 closed in December does not count). Rejected:
//! 0005. Withdrawn: 0007 (the October 0050 was withdrawn in October). Incomplete at
//! month end: 0004. Open at month end: 0002, 0004, 0006 → 3. Carried over: 0100 → 1.

use wani_bares_report::input::{Month, Zone};
use wani_bares_report::stats::{self, MonthlyStats, Share};

use super::fixture::{NOVEMBER_TICKETS, empty_input, hand_month, november, wib};

fn hand_stats() -> MonthlyStats {
    stats::compute(&hand_month())
}

fn pairs(shares: &[Share]) -> Vec<(&str, u64)> {
    shares.iter().map(|s| (s.label.as_str(), s.count)).collect()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn the_totals_count_events_inside_the_month() {
    let t = hand_stats().totals;
    assert_eq!(t.received, 7);
    assert_eq!(t.verified, 4);
    assert_eq!(t.rejected, 1);
    assert_eq!(t.incomplete, 1);
    assert_eq!(t.withdrawn, 1);
    assert_eq!(t.closed, 3);
    assert_eq!(t.open_at_month_end, 3);
    assert_eq!(t.carried_over_open, 1);
}

#[test]
fn the_period_is_the_calendar_month_in_wib() {
    let s = hand_stats();
    assert_eq!(s.start, wib("2026-11-01 00:00"));
    assert_eq!(s.end, wib("2026-12-01 00:00"));
}

#[test]
fn breakdowns_are_sorted_by_count_then_name() {
    let s = hand_stats();
    assert_eq!(pairs(&s.by_kind), [("Aduan", 6), ("Pertanyaan", 1)]);
    assert_eq!(pairs(&s.by_channel), [("WhatsApp", 6), ("Situs web", 1)]);
    assert_eq!(
        pairs(&s.by_category),
        [
            ("Jalan dan Jembatan", 3),
            ("Tanpa kategori", 2),
            ("Air Bersih", 1),
            ("Kependudukan", 1)
        ]
    );
    assert_eq!(
        pairs(&s.by_agency),
        [
            ("Belum didisposisikan", 3),
            ("Dinas PUPR", 2),
            ("Dinas Kependudukan dan Pencatatan Sipil", 1),
            ("Dinas Perhubungan", 1),
            ("PDAM", 1),
        ]
    );
    assert_eq!(
        pairs(&s.by_kecamatan),
        [
            ("Plaosan", 3),
            ("Tidak diketahui", 2),
            ("Magetan", 1),
            ("Maospati", 1)
        ]
    );
    assert!((s.by_category[0].percent - 300.0 / 7.0).abs() < 1e-9);
    assert_eq!(s.by_channel[0].key, "whatsapp");
    assert_eq!(s.by_category[1].key, "");
}

#[test]
fn the_daily_series_has_one_entry_per_day_in_local_time() {
    let s = hand_stats();
    assert_eq!(s.per_day.len(), 30);
    let busy: Vec<(i8, u64)> = s
        .per_day
        .iter()
        .filter(|d| d.count > 0)
        .map(|d| (d.date.day(), d.count))
        .collect();
    // 0006 at 23:30 WIB on the 30th is 16:30 UTC: still the 30th in WIB.
    assert_eq!(busy, [(3, 2), (10, 1), (15, 1), (20, 1), (25, 1), (30, 1)]);
}

#[test]
fn the_list_holds_the_months_complaints_oldest_first() {
    let input = hand_month();
    let s = stats::compute(&input);
    let tickets: Vec<&str> = s
        .listed_complaints(&input)
        .map(|c| c.ticket.as_str())
        .collect();
    assert_eq!(tickets, NOVEMBER_TICKETS);
}

#[test]
fn step_compliance_counts_overdue_open_steps_as_late() {
    let s = hand_stats();
    let order: Vec<&str> = s.steps.iter().map(|c| c.step.as_str()).collect();
    assert_eq!(
        order,
        [
            "first_reply",
            "verification",
            "forward",
            "opd_answer",
            "answer_return",
            "reply"
        ]
    );
    let verification = &s.steps[1];
    // Done in 4, 10, 3 and 2 minutes; 0006 overdue at 23:35 and not done.
    assert_eq!(
        (
            verification.started,
            verification.done,
            verification.on_time,
            verification.late,
            verification.pending
        ),
        (5, 4, 3, 2, 0)
    );
    assert!(close(verification.on_time_percent, 60.0));
    // Sorted 2, 3, 4, 10: median rank ⌈0.5·4⌉ = 2 → 3; p90 rank ⌈0.9·4⌉ = 4 → 10.
    assert!(close(verification.median_minutes, 3.0));
    assert!(close(verification.p90_minutes, 10.0));
    assert_eq!(verification.target_label.as_deref(), Some("5 menit"));

    let first_reply = &s.steps[0];
    assert!(close(first_reply.on_time_percent, 100.0));
    assert!(close(first_reply.median_minutes, 0.0));

    let forward = &s.steps[2];
    assert_eq!(
        (
            forward.started,
            forward.on_time_percent,
            forward.median_minutes
        ),
        (0, None, None)
    );
    assert_eq!(forward.target_label.as_deref(), Some("10–15 menit"));

    let opd = &s.steps[3];
    assert_eq!((opd.started, opd.done, opd.on_time, opd.late), (2, 1, 1, 1));
    assert!(close(opd.on_time_percent, 50.0));
    assert!(close(opd.median_minutes, 2880.0));

    let answer_return = &s.steps[4];
    assert_eq!((answer_return.started, answer_return.pending), (1, 1));
    assert_eq!(answer_return.on_time_percent, None);
}

#[test]
fn the_agency_table_uses_dispatch_times_and_the_latest_name() {
    let s = hand_stats();
    let rows: Vec<(&str, &str, u64, u64, u64, u64, u64)> = s
        .agencies
        .iter()
        .map(|a| {
            (
                a.code.as_str(),
                a.name.as_str(),
                a.dispatched,
                a.answered,
                a.on_time,
                a.late,
                a.open_over_3_days,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("pupr", "Dinas PUPR", 2, 1, 1, 1, 2),
            (
                "dukcapil",
                "Dinas Kependudukan dan Pencatatan Sipil",
                1,
                1,
                1,
                0,
                0
            ),
            ("dishub", "Dinas Perhubungan", 1, 1, 0, 1, 0),
            ("pdam", "PDAM", 1, 0, 0, 0, 0),
        ]
    );
    let pupr = &s.agencies[0];
    assert!(close(pupr.on_time_percent, 50.0));
    assert!(close(pupr.median_answer_hours, 48.0));
    assert!(close(s.agencies[2].median_answer_hours, 96.0));
    assert_eq!(s.agencies[3].on_time_percent, None);
    assert_eq!(
        s.on_time_by_agency(),
        [
            ("Dinas PUPR", 50.0),
            ("Dinas Kependudukan dan Pencatatan Sipil", 100.0),
            ("Dinas Perhubungan", 0.0)
        ]
    );
}

#[test]
fn satisfaction_is_the_average_rating_mapped_onto_the_skm_scale() {
    let sat = hand_stats().satisfaction;
    assert_eq!(sat.respondents, 3);
    assert_eq!(sat.distribution, [0, 1, 0, 1, 1]);
    assert_eq!(sat.invalid, 1);
    assert_eq!(sat.resolved, 2);
    assert!(close(sat.average, 11.0 / 3.0));
    // 25 + (11/3 − 1) × 18.75 = 25 + 50.
    assert!(close(sat.skm, 75.0));
    assert!(close(sat.resolved_percent, 200.0 / 3.0));
}

#[test]
fn the_report_is_the_same_whenever_it_is_run() {
    let mut later = hand_month();
    later.generated_at = wib("2027-11-20 10:00");
    // By then more has happened to the complaints, but not before November's end.
    for c in &mut later.complaints {
        c.status = "closed".into();
    }
    assert_eq!(stats::compute(&later), hand_stats());
}

#[test]
fn an_empty_month_has_zeros_and_no_undefined_numbers_panic() {
    let s = stats::compute(&empty_input(november()));
    assert!(s.is_empty());
    assert_eq!(s.totals, stats::Totals::default());
    assert!(s.by_category.is_empty() && s.agencies.is_empty() && s.listed.is_empty());
    assert_eq!(s.per_day.len(), 30);
    assert!(
        s.steps
            .iter()
            .all(|c| c.on_time_percent.is_none() && c.median_minutes.is_none())
    );
    assert_eq!(s.satisfaction.average, None);
    assert_eq!(s.satisfaction.skm, None);
}

#[test]
fn a_month_where_everything_is_late_scores_zero_percent() {
    let mut input = hand_month();
    for step in &mut input.steps {
        step.due_at = step.started_at;
        if step.done_at == Some(step.started_at) {
            step.done_at = Some(wib("2026-11-29 00:00"));
        }
    }
    for a in &mut input.assignments {
        a.due_at = a.dispatched_at;
    }
    let s = stats::compute(&input);
    for c in s.steps.iter().filter(|c| c.started > 0) {
        assert_eq!(c.on_time_percent, Some(0.0), "{}", c.step);
    }
    for a in s.agencies.iter().filter(|a| a.dispatched > 0) {
        assert_eq!(a.on_time_percent, Some(0.0), "{}", a.name);
    }
}

#[test]
fn strange_input_gives_numbers_not_panics() {
    let mut input = hand_month();
    // Done before started, blank names, unknown steps and statuses, duplicate tickets.
    input.steps[0].done_at = Some(wib("2026-11-01 00:00"));
    input.steps.push(input.steps[1].clone());
    input.steps[2].step = "  ".into();
    input.steps[3].step = "escalation".into();
    input.complaints[0].category = Some("   ".into());
    input.complaints[1].status_at_month_end = "archived".into();
    input.complaints.push(input.complaints[2].clone());
    input.assignments[0].agency_code = String::new();
    input.assignments[0].agency_name = String::new();
    let s = stats::compute(&input);
    assert!(s.steps.iter().any(|c| c.step == "escalation"));
    assert!(s.steps.iter().all(|c| !c.step.trim().is_empty()));
    assert!(
        s.steps
            .iter()
            .all(|c| c.median_minutes.is_none_or(|m| m >= 0.0))
    );
    assert!(s.agencies.iter().all(|a| !a.name.is_empty()));

    // The last possible month and a month with 29 days.
    let last = stats::compute(&empty_input(Month::new(9998, 12).expect("valid")));
    assert_eq!(last.per_day.len(), 31);
    let feb = stats::compute(&empty_input(Month::new(2028, 2).expect("valid")));
    assert_eq!(feb.per_day.len(), 29);
    assert_eq!(feb.zone, Zone::Wib);
}
