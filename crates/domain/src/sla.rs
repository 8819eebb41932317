//! Service levels: how long each step of the SOP may take, and when it is due.
//!
//! A complaint moves through [`Step`]s, each held by a [`Holder`] (the bot, the admin,
//! Kabid, Kadis, an agency). The lifecycle tells the server when a step starts and
//! finishes (`lifecycle::Effect::StepStarted` / `StepFinished`); for each the server
//! records the start, the due instant ([`due`]), the finish, the [`Outcome`] and the time
//! taken, sends reminders at 50 %, 80 % and 100 % of the step's time
//! ([`reminder_points`], [`due_reminders`]) and escalates a breach ([`escalation`]).
//!
//! Two layers of targets run side by side ([`Layer`]):
//! - [`Layer::Sop`], Magetan's own SOP (column WAKTU): first reply 5 minutes around the
//!   clock (the bot answers 24/7), verification 5 office minutes, forwarding 15 office
//!   minutes at Kabid and again at Kadis, the agency's answer 3 working days, the answer's
//!   return 15 office minutes at Kadis and at Kabid, the reply to the citizen 10 office
//!   minutes.
//! - [`Layer::National`], the national complaint-handling frame (Perpres 76/2013,
//!   PermenPANRB on SP4N-LAPOR!): verification within 3 working days, the agency's
//!   follow-up within 5 working days. A question (*Pertanyaan*, [`RequestKind::Question`])
//!   instead runs on the public-information clock of UU 14/2008 art. 22: an answer within
//!   10 working days, extendable once by at most 7 working days with written notice; the
//!   extended deadline is `due(original_due, &targets.question_extension, cal)`.
//!
//! A [`Target`] is an amount, a [`Unit`] and a [`Clock`]:
//! - minutes on the [`Clock::Calendar`] count every minute;
//! - minutes on the [`Clock::Office`] count only office time on working days (a start
//!   outside office hours begins counting at the next opening);
//! - working days (either clock) land on the N-th working day after the start's local
//!   date, at the start's local time of day: whole days, so a start on Friday 15:00, after
//!   that day's work is nearly done, still counts Friday as day zero.
//!
//! Invariants (property-tested): a deadline is never before its start; adding a holiday or
//! raising the amount never makes a deadline earlier; reminder points are ordered
//! start ≤ 50 % ≤ 80 % ≤ due. Nothing here panics: instants past jiff's range saturate
//! to `Timestamp::MAX`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::OfficeCalendar;
use crate::role::{OpdCode, OpdCodeError};

/// A timed step of the SOP. The snake_case names are a contract (stored, and used in
/// reports and settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// SOP 1: the bot's first answer to a new conversation.
    FirstReply,
    /// SOP 2: the admin registers and verifies the complaint.
    Verification,
    /// SOP 3: Kabid forwards to Kadis; Kadis dispatches to the agencies.
    Forward,
    /// SOP 4: one agency answers (one step per assignment).
    OpdAnswer,
    /// SOP 5: Kadis passes the answer to Kabid; Kabid passes it to the admin.
    AnswerReturn,
    /// SOP 6: the admin sends the answer to the citizen.
    Reply,
}

/// The input was not one of the step names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("langkah SLA tidak dikenal: {input:?}")]
pub struct ParseStepError {
    /// What was given.
    pub input: String,
}

impl Step {
    /// Every step in SOP order.
    pub const ALL: [Step; 6] = [
        Step::FirstReply,
        Step::Verification,
        Step::Forward,
        Step::OpdAnswer,
        Step::AnswerReturn,
        Step::Reply,
    ];

    /// The contract name (`"opd_answer"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::FirstReply => "first_reply",
            Step::Verification => "verification",
            Step::Forward => "forward",
            Step::OpdAnswer => "opd_answer",
            Step::AnswerReturn => "answer_return",
            Step::Reply => "reply",
        }
    }

    /// Parses a contract name exactly.
    pub fn parse(input: &str) -> Result<Step, ParseStepError> {
        Step::ALL
            .into_iter()
            .find(|step| step.as_str() == input)
            .ok_or_else(|| ParseStepError {
                input: input.to_owned(),
            })
    }

    /// The step's name for staff, in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            Step::FirstReply => "Balasan otomatis",
            Step::Verification => "Verifikasi aduan",
            Step::Forward => "Penerusan aduan",
            Step::OpdAnswer => "Jawaban perangkat daerah",
            Step::AnswerReturn => "Penerusan jawaban",
            Step::Reply => "Balasan kepada pengadu",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = ParseStepError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::parse(s)
    }
}

/// Which set of targets a deadline belongs to (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Magetan's SOP (minutes to days).
    Sop,
    /// The national frame (working days).
    National,
}

/// A complaint (*Pengaduan*) or a question (*Pertanyaan*); questions answer to the
/// public-information clock on the national layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// *Pengaduan*.
    #[default]
    Complaint,
    /// *Pertanyaan* (request for information, UU 14/2008).
    Question,
}

/// Which time counts towards a target measured in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Every minute counts (the bot works around the clock).
    Calendar,
    /// Only office time on working days counts.
    Office,
}

/// The unit of a target's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Minutes, on the target's clock.
    Minutes,
    /// Whole working days of the office calendar (the clock does not change them).
    WorkingDays,
}

/// How long a step may take. Deserializing refuses amounts beyond one year
/// ([`Target::MAX_MINUTES`], [`Target::MAX_WORKING_DAYS`]) so stored overrides stay sane;
/// [`due`] still handles any value built in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TargetRepr")]
pub struct Target {
    /// How many units.
    pub amount: u32,
    /// Minutes or working days.
    pub unit: Unit,
    /// Which minutes count (ignored for working days).
    pub clock: Clock,
}

#[derive(Deserialize)]
struct TargetRepr {
    amount: u32,
    unit: Unit,
    clock: Clock,
}

/// A stored target beyond the allowed range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target SLA terlalu besar: {amount} (maksimum {max})")]
pub struct TargetError {
    /// The amount given.
    pub amount: u32,
    /// The maximum for its unit.
    pub max: u32,
}

impl TryFrom<TargetRepr> for Target {
    type Error = TargetError;

    fn try_from(repr: TargetRepr) -> Result<Self, Self::Error> {
        let max = match repr.unit {
            Unit::Minutes => Target::MAX_MINUTES,
            Unit::WorkingDays => Target::MAX_WORKING_DAYS,
        };
        if repr.amount > max {
            return Err(TargetError {
                amount: repr.amount,
                max,
            });
        }
        Ok(Target {
            amount: repr.amount,
            unit: repr.unit,
            clock: repr.clock,
        })
    }
}

impl Target {
    /// Largest amount in minutes a stored target may have (366 days).
    pub const MAX_MINUTES: u32 = 366 * 24 * 60;
    /// Largest amount in working days a stored target may have.
    pub const MAX_WORKING_DAYS: u32 = 366;

    /// `amount` minutes on `clock`.
    pub const fn minutes(amount: u32, clock: Clock) -> Target {
        Target {
            amount,
            unit: Unit::Minutes,
            clock,
        }
    }

    /// `amount` working days.
    pub const fn working_days(amount: u32) -> Target {
        Target {
            amount,
            unit: Unit::WorkingDays,
            clock: Clock::Office,
        }
    }
}

/// Every target the server uses, as stored in settings (JSON). A step missing from a
/// layer's map has no target on that layer; a field missing from stored JSON takes its
/// default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaTargets {
    /// The SOP layer, per step.
    pub sop: BTreeMap<Step, Target>,
    /// The national layer for complaints, per step.
    pub national: BTreeMap<Step, Target>,
    /// The national answer target for a question (UU 14/2008 art. 22(7)): replaces
    /// `national[opd_answer]` when the request is a question.
    pub question_answer: Target,
    /// The one extension a question's answer may get (art. 22(8)), counted from the
    /// original deadline.
    pub question_extension: Target,
}

impl Default for SlaTargets {
    fn default() -> Self {
        SlaTargets::defaults()
    }
}

impl SlaTargets {
    /// The SOP's targets and the national frame's (see the module doc).
    pub fn defaults() -> SlaTargets {
        let sop = BTreeMap::from([
            (Step::FirstReply, Target::minutes(5, Clock::Calendar)),
            (Step::Verification, Target::minutes(5, Clock::Office)),
            (Step::Forward, Target::minutes(15, Clock::Office)),
            (Step::OpdAnswer, Target::working_days(3)),
            (Step::AnswerReturn, Target::minutes(15, Clock::Office)),
            (Step::Reply, Target::minutes(10, Clock::Office)),
        ]);
        let national = BTreeMap::from([
            (Step::Verification, Target::working_days(3)),
            (Step::OpdAnswer, Target::working_days(5)),
        ]);
        SlaTargets {
            sop,
            national,
            question_answer: Target::working_days(10),
            question_extension: Target::working_days(7),
        }
    }

    /// The target of `step` on `layer` for a request of `kind`, if there is one.
    pub fn target(&self, step: Step, layer: Layer, kind: RequestKind) -> Option<Target> {
        match (layer, kind, step) {
            (Layer::Sop, _, _) => self.sop.get(&step).copied(),
            (Layer::National, RequestKind::Question, Step::OpdAnswer) => Some(self.question_answer),
            (Layer::National, _, _) => self.national.get(&step).copied(),
        }
    }
}

/// The SOP's and the national frame's default targets (same as [`SlaTargets::defaults`]).
pub fn defaults() -> SlaTargets {
    SlaTargets::defaults()
}

/// When a step started at `start` with `target` is due (see the module doc for the three
/// ways of counting). Never before `start`; `Timestamp::MAX` when the calendar never opens
/// or the deadline falls past jiff's range.
pub fn due(start: Timestamp, target: &Target, cal: &OfficeCalendar) -> Timestamp {
    if target.amount == 0 {
        return start;
    }
    let minutes = SignedDuration::from_mins(i64::from(target.amount));
    match (target.unit, target.clock) {
        (Unit::Minutes, Clock::Calendar) => start.checked_add(minutes).unwrap_or(Timestamp::MAX),
        (Unit::Minutes, Clock::Office) => cal.add_office_time(start, minutes),
        (Unit::WorkingDays, _) => working_days_after(start, target.amount, cal),
    }
}

/// The N-th working day after `start`'s local date, at `start`'s local time of day.
fn working_days_after(start: Timestamp, days: u32, cal: &OfficeCalendar) -> Timestamp {
    let local = cal.local(start);
    let mut day = local.date();
    for _ in 0..days {
        match cal.next_working_day(day) {
            Some(next) => day = next,
            None => return Timestamp::MAX,
        }
    }
    cal.instant(day.to_datetime(local.time()))
        .map_or(Timestamp::MAX, |at| at.max(start))
}

/// Whether a step finished in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done at or before the deadline.
    Met,
    /// Done after the deadline.
    Breached,
}

impl Outcome {
    /// The contract string (`"met"`, `"breached"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Breached => "breached",
        }
    }

    /// For staff and the monthly report, in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            Outcome::Met => "Tepat waktu",
            Outcome::Breached => "Melewati batas waktu",
        }
    }
}

/// Met when `done` is at or before `due`.
pub fn outcome(due: Timestamp, done: Timestamp) -> Outcome {
    if done <= due {
        Outcome::Met
    } else {
        Outcome::Breached
    }
}

/// The office time between two instants (zero when `to` is not after `from`): how long a
/// step took in the office's own terms.
pub fn office_duration_between(
    from: Timestamp,
    to: Timestamp,
    cal: &OfficeCalendar,
) -> SignedDuration {
    cal.office_time_between(from, to)
}

/// A reminder level: how much of a step's time has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 50 % of the step's time.
    Half,
    /// 80 %.
    FourFifths,
    /// 100 %: the step is due now.
    Due,
}

impl Level {
    /// Every level, in order.
    pub const ALL: [Level; 3] = [Level::Half, Level::FourFifths, Level::Due];

    /// The contract string (`"half"`, `"four_fifths"`, `"due"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Half => "half",
            Level::FourFifths => "four_fifths",
            Level::Due => "due",
        }
    }

    /// For the reminder message, in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            Level::Half => "50% waktu telah berlalu",
            Level::FourFifths => "80% waktu telah berlalu",
            Level::Due => "Batas waktu tercapai",
        }
    }

    fn index(self) -> usize {
        match self {
            Level::Half => 0,
            Level::FourFifths => 1,
            Level::Due => 2,
        }
    }
}

/// The instants at 50 %, 80 % and 100 % of a step's time, in the step's own clock:
/// - minutes on the calendar clock: fractions of the calendar time from `start` to `due`;
/// - office minutes and working days: fractions of the *office time* between `start` and
///   `due`, so reminders reach officials while they are at work (for a working-day step,
///   the working-day span is measured by its office hours); when there is no office time
///   in between, fractions of calendar time.
///
/// Always `start ≤ half ≤ four_fifths ≤ due` when `due ≥ start`; when `due < start` all
/// three are `due` (everything is overdue).
pub fn reminder_points(
    start: Timestamp,
    due: Timestamp,
    target: &Target,
    cal: &OfficeCalendar,
) -> [Timestamp; 3] {
    if due <= start {
        return [due; 3];
    }
    let calendar_clock = target.unit == Unit::Minutes && target.clock == Clock::Calendar;
    let office = if calendar_clock {
        SignedDuration::ZERO
    } else {
        cal.office_time_between(start, due)
    };
    let point = |num: i128, den: i128| {
        if office.is_zero() {
            calendar_fraction(start, due, num, den)
        } else {
            let part = SignedDuration::try_from_nanos_i128(office.as_nanos() * num / den)
                .unwrap_or(office);
            cal.add_office_time(start, part).clamp(start, due)
        }
    };
    [point(1, 2), point(4, 5), due]
}

/// `start + (due - start) * num / den`, for `start ≤ due` and `num ≤ den`.
fn calendar_fraction(start: Timestamp, due: Timestamp, num: i128, den: i128) -> Timestamp {
    let span = due.as_nanosecond() - start.as_nanosecond();
    Timestamp::from_nanosecond(start.as_nanosecond() + span * num / den)
        .map_or(due, |at| at.clamp(start, due))
}

/// Which reminder to send now, given the three points of [`reminder_points`] and the levels
/// already sent for this step: at most one, the most advanced level reached, and none if
/// that level or a later one was already sent (so a job that ran late never sends a stale
/// 50 % reminder after the 80 % one).
pub fn due_reminders(points: [Timestamp; 3], now: Timestamp, already_sent: &[Level]) -> Vec<Level> {
    let reached = Level::ALL
        .into_iter()
        .rev()
        .find(|level| points[level.index()] <= now);
    match reached {
        Some(level) if !already_sent.iter().any(|sent| *sent >= level) => vec![level],
        _ => Vec::new(),
    }
}

/// Who holds a step: whose queue it sits in, and whose clock runs.
///
/// Stored and serialized as a string: `admin`, `kabid`, `kadis`, `opd:PUPR`, `citizen`,
/// `bot`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Holder {
    /// The operator.
    Admin,
    /// Kabid IKP.
    Kabid,
    /// Kadis Kominfo.
    Kadis,
    /// One agency.
    Opd(OpdCode),
    /// The citizen (an incomplete complaint waits for them).
    Citizen,
    /// The WhatsApp bot (first reply).
    Bot,
}

/// The input was not a holder string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHolderError {
    /// Not one of the names.
    #[error("pemegang tidak dikenal: {input:?}")]
    Unknown {
        /// What was given.
        input: String,
    },
    /// `opd:` followed by an invalid agency code.
    #[error(transparent)]
    Opd(#[from] OpdCodeError),
}

impl Holder {
    /// Parses the stored form (`admin`, `opd:PUPR`, …).
    pub fn parse(input: &str) -> Result<Holder, ParseHolderError> {
        match input {
            "admin" => Ok(Holder::Admin),
            "kabid" => Ok(Holder::Kabid),
            "kadis" => Ok(Holder::Kadis),
            "citizen" => Ok(Holder::Citizen),
            "bot" => Ok(Holder::Bot),
            _ => match input.strip_prefix("opd:") {
                Some(code) => Ok(Holder::Opd(OpdCode::parse(code)?)),
                None => Err(ParseHolderError::Unknown {
                    input: input.to_owned(),
                }),
            },
        }
    }

    /// For staff, in Bahasa Indonesia (an agency shows its code; the server knows names).
    pub fn label_id(&self) -> String {
        match self {
            Holder::Admin => "Administrator".to_owned(),
            Holder::Kabid => "Kepala Bidang IKP".to_owned(),
            Holder::Kadis => "Kepala Dinas Kominfo".to_owned(),
            Holder::Opd(code) => format!("Perangkat Daerah {code}"),
            Holder::Citizen => "Pengadu".to_owned(),
            Holder::Bot => "Sistem (bot)".to_owned(),
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::Admin => f.write_str("admin"),
            Holder::Kabid => f.write_str("kabid"),
            Holder::Kadis => f.write_str("kadis"),
            Holder::Opd(code) => write!(f, "opd:{code}"),
            Holder::Citizen => f.write_str("citizen"),
            Holder::Bot => f.write_str("bot"),
        }
    }
}

impl FromStr for Holder {
    type Err = ParseHolderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Holder::parse(s)
    }
}

impl TryFrom<String> for Holder {
    type Error = ParseHolderError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Holder::parse(&value)
    }
}

impl From<Holder> for String {
    fn from(holder: Holder) -> String {
        holder.to_string()
    }
}

/// Whom to alert when `holder` breaches `step`: the bot's silence goes to the admin; the
/// admin escalates to Kabid, Kabid to Kadis, an agency to Kadis (who dispatched it and
/// answers to the Regent for the line). Kadis and the citizen have no one above them here
/// (Kadis's breaches go to the Regent in the monthly report).
pub fn escalation(step: Step, holder: &Holder) -> Option<Holder> {
    match (step, holder) {
        (Step::FirstReply, _) | (_, Holder::Bot) => Some(Holder::Admin),
        (_, Holder::Admin) => Some(Holder::Kabid),
        (_, Holder::Kabid | Holder::Opd(_)) => Some(Holder::Kadis),
        (_, Holder::Kadis | Holder::Citizen) => None,
    }
}

/// The dashboard's traffic light for an open step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// Less than 80 % of the time has passed.
    OnTime,
    /// 80 % or more has passed, the deadline has not.
    DueSoon,
    /// Past the deadline.
    Late,
}

impl Badge {
    /// The contract string (`"on_time"`, `"due_soon"`, `"late"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Badge::OnTime => "on_time",
            Badge::DueSoon => "due_soon",
            Badge::Late => "late",
        }
    }

    /// The label staff see.
    pub fn label_id(self) -> &'static str {
        match self {
            Badge::OnTime => "Tepat waktu",
            Badge::DueSoon => "Segera jatuh tempo",
            Badge::Late => "Terlambat",
        }
    }
}

/// The badge at `now` for a step from `start` to `due`, measuring 80 % in calendar time.
/// For office-clock steps prefer [`badge_from_points`] with [`reminder_points`], so the
/// badge turns when the 80 % reminder goes out.
pub fn badge(now: Timestamp, start: Timestamp, due: Timestamp) -> Badge {
    let four_fifths = if due <= start {
        due
    } else {
        calendar_fraction(start, due, 4, 5)
    };
    badge_at(now, four_fifths, due)
}

/// The badge at `now` given the step's [`reminder_points`].
pub fn badge_from_points(now: Timestamp, points: [Timestamp; 3]) -> Badge {
    badge_at(now, points[1], points[2])
}

fn badge_at(now: Timestamp, four_fifths: Timestamp, due: Timestamp) -> Badge {
    if now > due {
        Badge::Late
    } else if now >= four_fifths {
        Badge::DueSoon
    } else {
        Badge::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Date, date};
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn cal() -> OfficeCalendar {
        OfficeCalendar::default()
    }

    const OPD_ANSWER: Target = Target::working_days(3);

    #[test]
    fn an_opd_answer_started_friday_afternoon_is_due_wednesday_at_the_same_time() {
        assert_eq!(
            due(ts("2026-12-04T15:00:00+07:00"), &OPD_ANSWER, &cal()),
            ts("2026-12-09T15:00:00+07:00")
        );
    }

    #[test]
    fn a_holiday_on_monday_pushes_the_opd_answer_to_thursday() {
        let cal = cal().with_holidays([(date(2026, 12, 7), "Libur")]);
        assert_eq!(
            due(ts("2026-12-04T15:00:00+07:00"), &OPD_ANSWER, &cal),
            ts("2026-12-10T15:00:00+07:00")
        );
    }

    #[test]
    fn office_minutes_table() {
        let holiday_monday = cal().with_holidays([(date(2026, 12, 7), "Libur")]);
        let cases: [(&str, u32, &OfficeCalendar, &str); 8] = [
            // Inside office hours: plain addition.
            (
                "2026-12-03T10:00:00+07:00",
                5,
                &cal(),
                "2026-12-03T10:05:00+07:00",
            ),
            // Saturday: counting starts Monday at opening.
            (
                "2026-12-05T10:00:00+07:00",
                5,
                &cal(),
                "2026-12-07T07:35:00+07:00",
            ),
            // Thursday 15:58: two minutes today, three on Friday morning.
            (
                "2026-12-03T15:58:00+07:00",
                5,
                &cal(),
                "2026-12-04T07:33:00+07:00",
            ),
            // Friday 15:58: the next working day is Monday.
            (
                "2026-12-04T15:58:00+07:00",
                5,
                &cal(),
                "2026-12-07T07:33:00+07:00",
            ),
            // Friday 15:58 with Monday a holiday: Tuesday.
            (
                "2026-12-04T15:58:00+07:00",
                5,
                &holiday_monday,
                "2026-12-08T07:33:00+07:00",
            ),
            // Before opening: counting starts at 07:30.
            (
                "2026-12-03T06:00:00+07:00",
                15,
                &cal(),
                "2026-12-03T07:45:00+07:00",
            ),
            // Exactly at closing: nothing left today.
            (
                "2026-12-03T16:00:00+07:00",
                10,
                &cal(),
                "2026-12-04T07:40:00+07:00",
            ),
            // Ending exactly at closing time stays on the same day.
            (
                "2026-12-03T15:45:00+07:00",
                15,
                &cal(),
                "2026-12-03T16:00:00+07:00",
            ),
        ];
        for (start, minutes, cal, expected) in cases {
            assert_eq!(
                due(ts(start), &Target::minutes(minutes, Clock::Office), cal),
                ts(expected),
                "{start} + {minutes} office minutes"
            );
        }
    }

    #[test]
    fn calendar_minutes_count_nights_and_weekends() {
        assert_eq!(
            due(
                ts("2026-12-05T23:58:00+07:00"),
                &Target::minutes(5, Clock::Calendar),
                &cal()
            ),
            ts("2026-12-06T00:03:00+07:00")
        );
    }

    #[test]
    fn working_days_from_a_weekend_start_count_from_monday() {
        assert_eq!(
            due(
                ts("2026-12-05T10:00:00+07:00"),
                &Target::working_days(1),
                &cal()
            ),
            ts("2026-12-07T10:00:00+07:00")
        );
    }

    #[test]
    fn the_idulfitri_2026_break_is_skipped_by_working_days() {
        let cal = cal().with_holidays(crate::calendar::seed_holidays_2026());
        // Thursday 19 March (Nyepi) … Tuesday 24 March are all off; Wednesday 18 is cuti
        // bersama too. From Tuesday 17 March, the first working day is Wednesday 25.
        assert_eq!(
            due(
                ts("2026-03-17T09:00:00+07:00"),
                &Target::working_days(1),
                &cal
            ),
            ts("2026-03-25T09:00:00+07:00")
        );
    }

    #[test]
    fn a_zero_target_is_due_at_once() {
        let start = ts("2026-12-05T10:00:00+07:00");
        for target in [
            Target::minutes(0, Clock::Office),
            Target::minutes(0, Clock::Calendar),
            Target::working_days(0),
        ] {
            assert_eq!(due(start, &target, &cal()), start);
        }
    }

    #[test]
    fn the_defaults_are_the_sops_and_the_national_frames() {
        let t = defaults();
        let sop = |step| t.target(step, Layer::Sop, RequestKind::Complaint);
        assert_eq!(
            sop(Step::FirstReply),
            Some(Target::minutes(5, Clock::Calendar))
        );
        assert_eq!(
            sop(Step::Verification),
            Some(Target::minutes(5, Clock::Office))
        );
        assert_eq!(sop(Step::Forward), Some(Target::minutes(15, Clock::Office)));
        assert_eq!(sop(Step::OpdAnswer), Some(Target::working_days(3)));
        assert_eq!(
            sop(Step::AnswerReturn),
            Some(Target::minutes(15, Clock::Office))
        );
        assert_eq!(sop(Step::Reply), Some(Target::minutes(10, Clock::Office)));
        let national = |step, kind| t.target(step, Layer::National, kind);
        assert_eq!(
            national(Step::Verification, RequestKind::Complaint),
            Some(Target::working_days(3))
        );
        assert_eq!(
            national(Step::OpdAnswer, RequestKind::Complaint),
            Some(Target::working_days(5))
        );
        assert_eq!(
            national(Step::OpdAnswer, RequestKind::Question),
            Some(Target::working_days(10))
        );
        assert_eq!(t.question_extension, Target::working_days(7));
        assert_eq!(national(Step::Reply, RequestKind::Complaint), None);
    }

    #[test]
    fn targets_round_trip_through_json_and_refuse_absurd_amounts() {
        let t = defaults();
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"opd_answer\":{\"amount\":3,\"unit\":\"working_days\""));
        assert_eq!(serde_json::from_str::<SlaTargets>(&json).unwrap(), t);
        // A partial override keeps the other fields' defaults.
        let partial: SlaTargets = serde_json::from_str(
            r#"{"sop":{"reply":{"amount":20,"unit":"minutes","clock":"office"}}}"#,
        )
        .unwrap();
        assert_eq!(partial.sop.len(), 1);
        assert_eq!(partial.national, t.national);
        assert!(
            serde_json::from_str::<Target>(
                r#"{"amount":400,"unit":"working_days","clock":"office"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn step_names_are_the_contract() {
        let names: Vec<&str> = Step::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "first_reply",
                "verification",
                "forward",
                "opd_answer",
                "answer_return",
                "reply"
            ]
        );
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Ok(step));
            assert_eq!(
                serde_json::to_string(&step).unwrap(),
                format!("\"{}\"", step.as_str())
            );
        }
        assert!(Step::parse("answer").is_err());
    }

    #[test]
    fn outcome_is_met_up_to_and_including_the_deadline() {
        let due = ts("2026-12-04T10:00:00+07:00");
        assert_eq!(outcome(due, due), Outcome::Met);
        assert_eq!(
            outcome(due, ts("2026-12-04T10:00:01+07:00")),
            Outcome::Breached
        );
    }

    #[test]
    fn reminders_of_an_office_step_fall_in_office_time() {
        let start = ts("2026-12-04T15:55:00+07:00");
        let target = Target::minutes(10, Clock::Office);
        let due_at = due(start, &target, &cal());
        assert_eq!(due_at, ts("2026-12-07T07:35:00+07:00"));
        assert_eq!(
            reminder_points(start, due_at, &target, &cal()),
            [
                ts("2026-12-04T16:00:00+07:00"),
                ts("2026-12-07T07:33:00+07:00"),
                due_at
            ]
        );
    }

    #[test]
    fn reminders_of_a_working_day_step_are_fractions_of_its_office_time() {
        // Friday 15:00 → Wednesday 15:00: 1 h + 8.5 h + 8.5 h + 7.5 h = 25.5 office hours.
        let start = ts("2026-12-04T15:00:00+07:00");
        let due_at = due(start, &OPD_ANSWER, &cal());
        let [half, four_fifths, end] = reminder_points(start, due_at, &OPD_ANSWER, &cal());
        // 12.75 h: Friday 1 h, Monday 8.5 h, Tuesday 3.25 h → Tuesday 10:45.
        assert_eq!(half, ts("2026-12-08T10:45:00+07:00"));
        // 20.4 h: … Wednesday 2.4 h → Wednesday 09:54.
        assert_eq!(four_fifths, ts("2026-12-09T09:54:00+07:00"));
        assert_eq!(end, due_at);
    }

    #[test]
    fn reminders_of_a_calendar_step_are_plain_fractions() {
        let start = ts("2026-12-05T22:00:00+07:00");
        let target = Target::minutes(10, Clock::Calendar);
        let due_at = due(start, &target, &cal());
        assert_eq!(
            reminder_points(start, due_at, &target, &cal()),
            [
                ts("2026-12-05T22:05:00+07:00"),
                ts("2026-12-05T22:08:00+07:00"),
                ts("2026-12-05T22:10:00+07:00")
            ]
        );
    }

    #[test]
    fn only_the_most_advanced_unsent_reminder_is_due() {
        let points = [
            ts("2026-12-04T10:00:00Z"),
            ts("2026-12-04T11:00:00Z"),
            ts("2026-12-04T12:00:00Z"),
        ];
        let at = |s| ts(s);
        assert!(due_reminders(points, at("2026-12-04T09:59:59Z"), &[]).is_empty());
        assert_eq!(
            due_reminders(points, at("2026-12-04T10:00:00Z"), &[]),
            [Level::Half]
        );
        assert!(due_reminders(points, at("2026-12-04T10:30:00Z"), &[Level::Half]).is_empty());
        assert_eq!(
            due_reminders(points, at("2026-12-04T11:30:00Z"), &[]),
            [Level::FourFifths]
        );
        assert_eq!(
            due_reminders(points, at("2026-12-04T12:00:00Z"), &[Level::Half]),
            [Level::Due]
        );
        assert!(due_reminders(points, at("2026-12-05T00:00:00Z"), &[Level::Due]).is_empty());
    }

    #[test]
    fn breaches_escalate_up_the_sop_chain() {
        let pupr = Holder::Opd(OpdCode::parse("PUPR").unwrap());
        assert_eq!(escalation(Step::OpdAnswer, &pupr), Some(Holder::Kadis));
        assert_eq!(
            escalation(Step::Verification, &Holder::Admin),
            Some(Holder::Kabid)
        );
        assert_eq!(escalation(Step::Reply, &Holder::Admin), Some(Holder::Kabid));
        assert_eq!(
            escalation(Step::Forward, &Holder::Kabid),
            Some(Holder::Kadis)
        );
        assert_eq!(escalation(Step::AnswerReturn, &Holder::Kadis), None);
        assert_eq!(
            escalation(Step::FirstReply, &Holder::Bot),
            Some(Holder::Admin)
        );
        assert_eq!(escalation(Step::Verification, &Holder::Citizen), None);
    }

    #[test]
    fn badges_turn_due_soon_at_80_percent_and_late_after_the_deadline() {
        let start = ts("2026-12-04T10:00:00Z");
        let due_at = ts("2026-12-04T10:10:00Z");
        assert_eq!(
            badge(ts("2026-12-04T10:07:59Z"), start, due_at),
            Badge::OnTime
        );
        assert_eq!(
            badge(ts("2026-12-04T10:08:00Z"), start, due_at),
            Badge::DueSoon
        );
        assert_eq!(badge(due_at, start, due_at), Badge::DueSoon);
        assert_eq!(
            badge(ts("2026-12-04T10:10:01Z"), start, due_at),
            Badge::Late
        );
        assert_eq!(Badge::DueSoon.label_id(), "Segera jatuh tempo");
        assert_eq!(Badge::OnTime.label_id(), "Tepat waktu");
        assert_eq!(Badge::Late.label_id(), "Terlambat");
    }

    #[test]
    fn holders_are_stored_as_short_strings() {
        let pupr = Holder::Opd(OpdCode::parse("PUPR").unwrap());
        assert_eq!(pupr.to_string(), "opd:PUPR");
        assert_eq!(Holder::parse("opd:pupr"), Ok(pupr.clone()));
        assert_eq!(serde_json::to_string(&pupr).unwrap(), "\"opd:PUPR\"");
        for holder in [
            Holder::Admin,
            Holder::Kabid,
            Holder::Kadis,
            Holder::Citizen,
            Holder::Bot,
        ] {
            assert_eq!(Holder::parse(&holder.to_string()), Ok(holder));
        }
        assert!(Holder::parse("opd:").is_err());
        assert!(Holder::parse("bupati").is_err());
    }

    // ---- properties ----

    fn arb_start() -> impl Strategy<Value = Timestamp> {
        // 2025-01-01 … 2028-12-31, to the second.
        (1_735_664_400_i64..1_861_894_800).prop_map(|s| Timestamp::from_second(s).unwrap())
    }

    fn arb_target() -> impl Strategy<Value = Target> {
        prop_oneof![
            (0_u32..3_000).prop_map(|m| Target::minutes(m, Clock::Office)),
            (0_u32..3_000).prop_map(|m| Target::minutes(m, Clock::Calendar)),
            (0_u32..40).prop_map(Target::working_days),
        ]
    }

    fn arb_date() -> impl Strategy<Value = Date> {
        (0_i32..1_460).prop_map(|offset| {
            date(2025, 1, 1)
                .checked_add(jiff::Span::new().days(offset))
                .unwrap()
        })
    }

    fn arb_calendar() -> impl Strategy<Value = OfficeCalendar> {
        (
            proptest::collection::vec(arb_date(), 0..40),
            prop_oneof![
                Just("Asia/Jakarta"),
                Just("Asia/Jayapura"),
                Just("UTC"),
                Just("Europe/Berlin")
            ],
            any::<bool>(),
        )
            .prop_map(|(holidays, tz, saturday)| {
                let mut cal = OfficeCalendar::new(crate::calendar::parse_timezone(tz).unwrap())
                    .with_holidays(holidays.into_iter().map(|d| (d, "Libur")));
                if saturday {
                    cal.set_hours(
                        jiff::civil::Weekday::Saturday,
                        Some((
                            jiff::civil::time(8, 0, 0, 0),
                            jiff::civil::time(12, 0, 0, 0),
                        )),
                    )
                    .unwrap();
                }
                cal
            })
    }

    proptest! {
        #[test]
        fn a_deadline_is_never_before_its_start(start in arb_start(), target in arb_target(), cal in arb_calendar()) {
            prop_assert!(due(start, &target, &cal) >= start);
        }

        #[test]
        fn adding_a_holiday_never_makes_a_deadline_earlier(
            start in arb_start(), target in arb_target(), cal in arb_calendar(), holiday in arb_date()
        ) {
            let before = due(start, &target, &cal);
            let after = due(start, &target, &cal.clone().with_holidays([(holiday, "Libur baru")]));
            prop_assert!(after >= before, "{before} → {after}");
        }

        #[test]
        fn more_amount_never_gives_an_earlier_deadline(
            start in arb_start(), target in arb_target(), extra in 0_u32..500, cal in arb_calendar()
        ) {
            let more = Target { amount: target.amount + extra, ..target };
            prop_assert!(due(start, &more, &cal) >= due(start, &target, &cal));
        }

        #[test]
        fn reminder_points_are_ordered_from_start_to_due(
            start in arb_start(), target in arb_target(), cal in arb_calendar()
        ) {
            let due_at = due(start, &target, &cal);
            let [half, four_fifths, end] = reminder_points(start, due_at, &target, &cal);
            prop_assert!(start <= half && half <= four_fifths && four_fifths <= end && end == due_at);
        }

        #[test]
        fn office_minutes_take_exactly_that_much_office_time(
            start in arb_start(), minutes in 1_u32..3_000, cal in arb_calendar()
        ) {
            let due_at = due(start, &Target::minutes(minutes, Clock::Office), &cal);
            prop_assert_eq!(
                office_duration_between(start, due_at, &cal),
                SignedDuration::from_mins(i64::from(minutes))
            );
        }
    }
}
