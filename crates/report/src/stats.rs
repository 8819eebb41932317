//! Every number of the monthly report, computed in one place from event times.
//!
//! The period is the calendar month in the input's zone (WIB for Magetan): from local
//! midnight on the 1st (inclusive) to local midnight on the 1st of the next month
//! (exclusive), called *month end* below. Only event timestamps and the status *at
//! month end* are used, never the current status or the wall clock, so a report for
//! November is the same whether it runs on 1 December or a year later.
//!
//! Definitions (all counts are of input rows):
//! - **received**: complaints created in the period. The breakdowns (kind, channel,
//!   category, agency, kecamatan), the daily series and the complaint list are of these.
//!   A complaint sent to two agencies counts once for each in the agency breakdown, so
//!   those percentages can add up to more than 100.
//! - **verified**, **closed**, **rejected**, **withdrawn**: complaints whose
//!   `verified_at`, `closed_at`, `rejected_at`, `withdrawn_at` falls in the period,
//!   whenever they were created.
//! - **incomplete**: received complaints whose status at month end is `incomplete`.
//! - **open at month end**: received complaints not finished at month end, i.e. whose
//!   status at month end is not `closed`, `rejected` or `withdrawn` and that have no
//!   closing, rejection or withdrawal time before month end. Incomplete ones are open.
//! - **carried over**: complaints created before the period and open at month end.
//! - **step compliance**, per SOP step, of the steps *started* in the period: *done*
//!   if `done_at` is before month end; *on time* if done by `due_at`; *late* if done
//!   after `due_at`, or not done and `due_at` is before month end; *pending* if not done
//!   and not yet due at month end (left out of the percentage, which is
//!   on time ÷ (on time + late)). Median and 90th percentile are of the done steps'
//!   `done_at − started_at`.
//! - **agency table**, per agency code, of the dispatches made in the period:
//!   *answered* before month end, on time and late as for steps, median answer time in
//!   hours; *open > 3 days* counts every dispatch in the input (older ones too) still
//!   unanswered at month end and dispatched more than 72 hours (calendar time) before it.
//! - **satisfaction**: survey answers given in the period with a rating of 1–5;
//!   SKM maps the average onto the 25–100 scale of PermenPANRB 14/2017 linearly,
//!   SKM = 25 + (average − 1) × 18.75, so 1 → 25 and 5 → 100. (That regulation's
//!   "average × 25" assumes answers scored 1–4; applied to our 1–5 stars it would
//!   reach 125 and grade a 3.6-star month "A, Sangat Baik".)
//! - **percentiles** use the nearest-rank method: the p-th percentile of n sorted values
//!   is the value at rank ⌈p/100 × n⌉ (1-based). It is always an observed value; the
//!   median of an even count is the lower of the two middle values.
//!
//! No input makes this panic: zero denominators give `None`, negative durations
//! (clock skew in the data) count as zero, and out-of-range ratings are counted apart.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::input::{ComplaintRow, Month, ReportInput, Target, Zone};
use crate::wording;

/// Label of complaints without a category.
pub(crate) const NO_CATEGORY: &str = "Tanpa kategori";
/// Label of complaints not (yet) dispatched to an agency.
pub(crate) const NO_AGENCY: &str = "Belum didisposisikan";
/// Name of an agency whose dispatch row has neither name nor code.
pub(crate) const UNKNOWN_AGENCY: &str = "OPD tidak dikenal";
/// Label of complaints without a known kecamatan.
pub(crate) const NO_KECAMATAN: &str = "Tidak diketahui";

/// Seconds in 3 days, the "open too long" threshold of the agency table.
const THREE_DAYS: i64 = 3 * 24 * 3600;

/// All the numbers of one monthly report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyStats {
    /// The reported month.
    pub period: Month,
    /// The zone of the period's bounds and of the daily series.
    pub zone: Zone,
    /// First instant of the period.
    pub start: Timestamp,
    /// First instant after the period ("month end").
    pub end: Timestamp,
    /// The headline counts.
    pub totals: Totals,
    /// Received complaints by kind (aduan / pertanyaan).
    pub by_kind: Vec<Share>,
    /// Received complaints by channel.
    pub by_channel: Vec<Share>,
    /// Received complaints by category.
    pub by_category: Vec<Share>,
    /// Received complaints by agency they were dispatched to.
    pub by_agency: Vec<Share>,
    /// Received complaints by kecamatan.
    pub by_kecamatan: Vec<Share>,
    /// Deadline compliance per SOP step, in SOP order, unknown steps last.
    pub steps: Vec<StepCompliance>,
    /// The agency table, most dispatches first.
    pub agencies: Vec<AgencyPerformance>,
    /// The satisfaction survey.
    pub satisfaction: Satisfaction,
    /// Received complaints per local day, one entry per day of the month.
    pub per_day: Vec<DayCount>,
    /// The month's complaints as indices into `input.complaints`, oldest first
    /// (ties by tracking number). Use [`MonthlyStats::listed_complaints`].
    pub listed: Vec<usize>,
}

/// The headline counts; see the module docs for each definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Created in the period.
    pub received: u64,
    /// Verified in the period.
    pub verified: u64,
    /// Rejected in the period.
    pub rejected: u64,
    /// Received and still incomplete at month end.
    pub incomplete: u64,
    /// Withdrawn in the period.
    pub withdrawn: u64,
    /// Closed in the period.
    pub closed: u64,
    /// Received and not finished at month end.
    pub open_at_month_end: u64,
    /// Created before the period and not finished at month end.
    pub carried_over_open: u64,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The grouping value as stored (contract string or name); empty for "none".
    pub key: String,
    /// What the report shows.
    pub label: String,
    /// Number of received complaints.
    pub count: u64,
    /// Share of received complaints, 0–100 (0 when nothing was received).
    pub percent: f64,
}

/// Deadline compliance of one SOP step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepCompliance {
    /// The step's contract name.
    pub step: String,
    /// Its Indonesian label.
    pub label: String,
    /// The SOP target, when the settings give one.
    pub target: Option<Target>,
    /// The target as shown, e.g. `5 menit`.
    pub target_label: Option<String>,
    /// Steps started in the period.
    pub started: u64,
    /// Of those, done before month end.
    pub done: u64,
    /// Done by their due time.
    pub on_time: u64,
    /// Done after their due time, or overdue and not done at month end.
    pub late: u64,
    /// Not done and not yet due at month end.
    pub pending: u64,
    /// on time ÷ (on time + late) × 100.
    pub on_time_percent: Option<f64>,
    /// Median time to done, minutes (nearest rank).
    pub median_minutes: Option<f64>,
    /// 90th percentile time to done, minutes (nearest rank).
    pub p90_minutes: Option<f64>,
}

/// One row of the agency (OPD) table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyPerformance {
    /// The agency's code.
    pub code: String,
    /// Its display name.
    pub name: String,
    /// Dispatches made to it in the period.
    pub dispatched: u64,
    /// Of those, answered before month end.
    pub answered: u64,
    /// Answered by the due time.
    pub on_time: u64,
    /// Answered late, or overdue and unanswered at month end.
    pub late: u64,
    /// on time ÷ (on time + late) × 100.
    pub on_time_percent: Option<f64>,
    /// Median answer time in hours (nearest rank).
    pub median_answer_hours: Option<f64>,
    /// Unanswered at month end and dispatched more than 3 days before it (any month).
    pub open_over_3_days: u64,
}

/// The satisfaction survey of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    /// Answers with a valid rating (1–5).
    pub respondents: u64,
    /// Average rating, 1–5.
    pub average: Option<f64>,
    /// SKM index on the 25–100 scale: 25 + (average − 1) × 18.75.
    pub skm: Option<f64>,
    /// Number of answers per rating, index 0 is rating 1.
    pub distribution: [u64; 5],
    /// Respondents who said their problem was solved.
    pub resolved: u64,
    /// resolved ÷ respondents × 100.
    pub resolved_percent: Option<f64>,
    /// Answers in the period with a rating outside 1–5 (left out of everything else).
    pub invalid: u64,
}

/// Complaints received on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// The day.
    pub date: Date,
    /// Complaints created on it.
    pub count: u64,
}

impl MonthlyStats {
    /// The month's complaints, oldest first.
    pub fn listed_complaints<'a>(
        &'a self,
        input: &'a ReportInput,
    ) -> impl Iterator<Item = &'a ComplaintRow> + 'a {
        self.listed.iter().filter_map(|&i| input.complaints.get(i))
    }

    /// Agencies with a measurable on-time rate, in table order, for the chart.
    pub fn on_time_by_agency(&self) -> Vec<(&str, f64)> {
        self.agencies
            .iter()
            .filter_map(|a| a.on_time_percent.map(|p| (a.name.as_str(), p)))
            .collect()
    }

    /// Whether nothing at all was received in the period.
    pub fn is_empty(&self) -> bool {
        self.totals.received == 0
    }
}

/// Computes every number of the report for `input.period`.
pub fn compute(input: &ReportInput) -> MonthlyStats {
    let zone = input.zone;
    let start = input.period.start(zone);
    let end = input.period.end(zone);
    let in_period = |t: Timestamp| start <= t && t < end;
    let in_period_opt = |t: Option<Timestamp>| t.is_some_and(in_period);

    let mut totals = Totals::default();
    let mut listed = Vec::new();
    for (i, c) in input.complaints.iter().enumerate() {
        let open_at_end = !finished_by(c, end);
        if in_period(c.created_at) {
            listed.push(i);
            totals.received += 1;
            if c.status_at_month_end == "incomplete" && open_at_end {
                totals.incomplete += 1;
            }
            if open_at_end {
                totals.open_at_month_end += 1;
            }
        } else if c.created_at < start && open_at_end {
            totals.carried_over_open += 1;
        }
        totals.verified += u64::from(in_period_opt(c.verified_at));
        totals.closed += u64::from(in_period_opt(c.closed_at));
        totals.rejected += u64::from(in_period_opt(c.rejected_at));
        totals.withdrawn += u64::from(in_period_opt(c.withdrawn_at));
    }
    listed.sort_by(|&a, &b| {
        let (a, b) = (&input.complaints[a], &input.complaints[b]);
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.ticket.cmp(&b.ticket))
    });
    let received: Vec<&ComplaintRow> = listed.iter().map(|&i| &input.complaints[i]).collect();

    MonthlyStats {
        period: input.period,
        zone,
        start,
        end,
        totals,
        by_kind: breakdown(&received, |c| {
            vec![(c.kind.trim(), Some(wording::kind(c.kind.trim())))]
        }),
        by_channel: breakdown(&received, |c| {
            vec![(c.channel.trim(), Some(wording::channel(c.channel.trim())))]
        }),
        by_category: breakdown(&received, |c| {
            vec![named(c.category.as_deref(), NO_CATEGORY)]
        }),
        by_agency: breakdown(&received, agencies_of),
        by_kecamatan: breakdown(&received, |c| {
            vec![named(c.kecamatan.as_deref(), NO_KECAMATAN)]
        }),
        steps: step_compliance(input, start, end),
        agencies: agency_performance(input, start, end),
        satisfaction: satisfaction(input, start, end),
        per_day: per_day(input.period, zone, &received),
        listed,
    }
}

/// Whether a complaint was closed, rejected or withdrawn before `end`.
fn finished_by(c: &ComplaintRow, end: Timestamp) -> bool {
    wording::is_terminal(c.status_at_month_end.trim())
        || [c.closed_at, c.rejected_at, c.withdrawn_at]
            .into_iter()
            .flatten()
            .any(|t| t < end)
}

/// A trimmed name, or the "none" label (with an empty key) when missing or blank.
fn named<'a>(name: Option<&'a str>, none: &'static str) -> (&'a str, Option<&'static str>) {
    match name.map(str::trim) {
        Some(n) if !n.is_empty() => (n, None),
        _ => ("", Some(none)),
    }
}

fn agencies_of(c: &ComplaintRow) -> Vec<(&str, Option<&str>)> {
    let mut names: Vec<&str> = c
        .agencies
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        vec![("", Some(NO_AGENCY))]
    } else {
        names.into_iter().map(|n| (n, None)).collect()
    }
}

/// The SKM index (25–100) of an average 1–5 rating; see the module docs.
pub(crate) fn skm_index(average: f64) -> f64 {
    25.0 + (average - 1.0) * 75.0 / 4.0
}

/// Counts received complaints per key (a complaint may have several keys), sorted by
/// count descending, then label. The optional second element overrides the label.
fn breakdown<'a, F>(received: &[&'a ComplaintRow], keys: F) -> Vec<Share>
where
    F: Fn(&'a ComplaintRow) -> Vec<(&'a str, Option<&'a str>)>,
{
    let mut counts: HashMap<&str, (Option<&str>, u64)> = HashMap::new();
    for c in received {
        for (key, label) in keys(c) {
            let entry = counts.entry(key).or_insert((label, 0));
            entry.1 += 1;
        }
    }
    let total = received.len() as u64;
    let mut shares: Vec<Share> = counts
        .into_iter()
        .map(|(key, (label, count))| Share {
            key: key.to_owned(),
            label: label.unwrap_or(key).to_owned(),
            count,
            percent: ratio(count, total).unwrap_or(0.0),
        })
        .collect();
    shares.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.key.cmp(&b.key))
    });
    shares
}

/// part ÷ whole × 100, or `None` for an empty whole.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The nearest-rank percentile of ascending `sorted` values (see the module docs).
pub(crate) fn nearest_rank(sorted: &[i64], percentile: u8) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (usize::from(percentile.min(100)) * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Seconds from `from` to `to`, never negative.
fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).max(0)
}

/// On-time bookkeeping shared by steps and dispatches.
#[derive(Default)]
struct Clock {
    started: u64,
    done: u64,
    on_time: u64,
    late: u64,
    pending: u64,
    durations: Vec<i64>,
}

impl Clock {
    fn record(
        &mut self,
        started: Timestamp,
        due: Timestamp,
        done: Option<Timestamp>,
        end: Timestamp,
    ) {
        self.started += 1;
        match done.filter(|&d| d < end) {
            Some(done) => {
                self.done += 1;
                if done <= due {
                    self.on_time += 1;
                } else {
                    self.late += 1;
                }
                self.durations.push(seconds_between(started, done));
            }
            None if due < end => self.late += 1,
            None => self.pending += 1,
        }
    }

    fn on_time_percent(&self) -> Option<f64> {
        ratio(self.on_time, self.on_time + self.late)
    }

    /// Sorts the durations and returns the given nearest-rank percentile in seconds.
    fn percentile(&mut self, p: u8) -> Option<i64> {
        self.durations.sort_unstable();
        nearest_rank(&self.durations, p)
    }
}

fn step_compliance(input: &ReportInput, start: Timestamp, end: Timestamp) -> Vec<StepCompliance> {
    let mut clocks: HashMap<&str, Clock> = HashMap::new();
    for (name, _) in wording::STEPS {
        clocks.entry(name).or_default();
    }
    for target in &input.sla_targets {
        clocks.entry(target.step.trim()).or_default();
    }
    for s in &input.steps {
        if start <= s.started_at && s.started_at < end {
            clocks
                .entry(s.step.trim())
                .or_default()
                .record(s.started_at, s.due_at, s.done_at, end);
        }
    }
    let order = |step: &str| {
        wording::STEPS
            .iter()
            .position(|(name, _)| *name == step)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<StepCompliance> = clocks
        .into_iter()
        .filter(|(step, _)| !step.is_empty())
        .map(|(step, mut clock)| {
            let target = input.sla_targets.iter().find(|t| t.step.trim() == step);
            let median = clock.percentile(50);
            let p90 = clock.percentile(90);
            StepCompliance {
                step: step.to_owned(),
                label: wording::step(step).to_owned(),
                target: target.map(|t| t.target),
                target_label: target.map(|t| match &t.label {
                    Some(label) if !label.trim().is_empty() => label.trim().to_owned(),
                    _ => wording::target(t.target),
                }),
                started: clock.started,
                done: clock.done,
                on_time: clock.on_time,
                late: clock.late,
                pending: clock.pending,
                on_time_percent: clock.on_time_percent(),
                median_minutes: median.map(|s| s as f64 / 60.0),
                p90_minutes: p90.map(|s| s as f64 / 60.0),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        order(&a.step)
            .cmp(&order(&b.step))
            .then_with(|| a.step.cmp(&b.step))
    });
    rows
}

fn agency_performance(
    input: &ReportInput,
    start: Timestamp,
    end: Timestamp,
) -> Vec<AgencyPerformance> {
    struct Agency<'a> {
        name: &'a str,
        named_at: Option<Timestamp>,
        clock: Clock,
        open_over_3_days: u64,
    }
    let mut agencies: HashMap<&str, Agency> = HashMap::new();
    for a in &input.assignments {
        if a.dispatched_at >= end {
            continue;
        }
        let code = a.agency_code.trim();
        let entry = agencies.entry(code).or_insert(Agency {
            name: a.agency_name.trim(),
            named_at: None,
            clock: Clock::default(),
            open_over_3_days: 0,
        });
        // The latest dispatch names the agency (names can be edited by the superadmin).
        let newer = entry.named_at.is_none_or(|t| {
            a.dispatched_at > t || (a.dispatched_at == t && a.agency_name.trim() > entry.name)
        });
        if newer && !a.agency_name.trim().is_empty() {
            entry.name = a.agency_name.trim();
            entry.named_at = Some(a.dispatched_at);
        }
        if a.dispatched_at >= start {
            entry
                .clock
                .record(a.dispatched_at, a.due_at, a.answered_at, end);
        }
        let unanswered = a.answered_at.is_none_or(|t| t >= end);
        if unanswered && seconds_between(a.dispatched_at, end) > THREE_DAYS {
            entry.open_over_3_days += 1;
        }
    }
    let mut rows: Vec<AgencyPerformance> = agencies
        .into_iter()
        .filter(|(_, a)| a.clock.started > 0 || a.open_over_3_days > 0)
        .map(|(code, mut a)| {
            let median = a.clock.percentile(50);
            AgencyPerformance {
                code: code.to_owned(),
                name: [a.name, code]
                    .into_iter()
                    .find(|n| !n.is_empty())
                    .unwrap_or(UNKNOWN_AGENCY)
                    .to_owned(),
                dispatched: a.clock.started,
                answered: a.clock.done,
                on_time: a.clock.on_time,
                late: a.clock.late,
                on_time_percent: a.clock.on_time_percent(),
                median_answer_hours: median.map(|s| s as f64 / 3600.0),
                open_over_3_days: a.open_over_3_days,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.dispatched
            .cmp(&a.dispatched)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.code.cmp(&b.code))
    });
    rows
}

fn satisfaction(input: &ReportInput, start: Timestamp, end: Timestamp) -> Satisfaction {
    let mut distribution = [0_u64; 5];
    let (mut invalid, mut resolved, mut sum) = (0_u64, 0_u64, 0_u64);
    for r in &input.ratings {
        if r.created_at < start || r.created_at >= end {
            continue;
        }
        match r.rating {
            1..=5 => {
                distribution[usize::from(r.rating - 1)] += 1;
                sum += u64::from(r.rating);
                resolved += u64::from(r.resolved);
            }
            _ => invalid += 1,
        }
    }
    let respondents: u64 = distribution.iter().sum();
    let average = (respondents > 0).then(|| sum as f64 / respondents as f64);
    Satisfaction {
        respondents,
        average,
        skm: average.map(skm_index),
        distribution,
        resolved,
        resolved_percent: ratio(resolved, respondents),
        invalid,
    }
}

fn per_day(period: Month, zone: Zone, received: &[&ComplaintRow]) -> Vec<DayCount> {
    let first = period.first_day();
    let mut days: Vec<DayCount> = (0..period.days())
        .filter_map(|d| first.checked_add(jiff::Span::new().days(d)).ok())
        .map(|date| DayCount { date, count: 0 })
        .collect();
    for c in received {
        let day = usize::try_from(zone.local(c.created_at).day() - 1).unwrap_or(usize::MAX);
        if let Some(entry) = days.get_mut(day) {
            entry.count += 1;
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_observed_values() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(nearest_rank(&v, 50), Some(50));
        assert_eq!(nearest_rank(&v, 90), Some(90));
        assert_eq!(nearest_rank(&v, 91), Some(100));
        assert_eq!(nearest_rank(&v, 0), Some(10));
        assert_eq!(nearest_rank(&v, 100), Some(100));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2], 50), Some(1));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[3, 4], 255), Some(4));
    }

    #[test]
    fn the_skm_index_spans_25_to_100() {
        assert!((skm_index(1.0) - 25.0).abs() < 1e-12);
        assert!((skm_index(3.0) - 62.5).abs() < 1e-12);
        assert!((skm_index(5.0) - 100.0).abs() < 1e-12);
    }

    #[test]
    fn a_ratio_of_nothing_is_none() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(1, 4), Some(25.0));
    }
}
