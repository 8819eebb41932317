//! What the server hands the report: plain rows read from its database.
//!
//! No database and no domain types here, so the report crate builds on its own; the
//! statuses, steps, channels and categories are the contract strings the server stores
//! (`closed`, `opd_answer`, `whatsapp`, …). Identity data never enters: a complaint's
//! `summary` is already redacted by the server.
//!
//! Which rows to pass for a period (the statistics count by event time, so older rows
//! matter too):
//! - `complaints`: every complaint created in the period, plus older ones with a
//!   verification, closing, rejection or withdrawal inside it and older ones still open
//!   at the start of the period (for the carried-over count);
//! - `steps`: the workflow steps started in the period;
//! - `assignments`: dispatches to agencies made in the period, plus older ones still
//!   unanswered at the start of the period (for "open for more than 3 days");
//! - `ratings`: survey answers given in the period.
//!
//! Rows outside the period are harmless: [`crate::stats::compute`] filters by time.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use serde::{Deserialize, Serialize};

use crate::ReportError;

/// A calendar month, the period of one report. Always valid: years 1000–9998.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// A month from its year and number (1–12).
    pub fn new(year: i16, month: i8) -> Result<Self, ReportError> {
        if (1000..=9998).contains(&year) && (1..=12).contains(&month) {
            Ok(Self { year, month })
        } else {
            Err(ReportError::InvalidMonth(format!("{year:04}-{month:02}")))
        }
    }

    /// Parses the `YYYY-MM` of `--month 2026-11`.
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        let invalid = || ReportError::InvalidMonth(text.to_owned());
        let trimmed = text.trim();
        let (year, month) = trimmed.split_once('-').ok_or_else(invalid)?;
        if year.len() != 4
            || month.len() != 2
            || !year
                .bytes()
                .chain(month.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let year = year.parse::<i16>().map_err(|_| invalid())?;
        let month = month.parse::<i8>().map_err(|_| invalid())?;
        Self::new(year, month).map_err(|_| invalid())
    }

    /// The year, e.g. 2026.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month number, 1 (January) to 12 (December).
    pub fn month(self) -> i8 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        // Valid by construction: year 1000–9998, month 1–12, day 1.
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    /// The number of days, 28 to 31.
    pub fn days(self) -> i8 {
        self.first_day().days_in_month()
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The first instant of the month in `zone` (inclusive start of the period).
    pub fn start(self, zone: Zone) -> Timestamp {
        midnight(self.first_day(), zone)
    }

    /// The first instant of the next month in `zone` (exclusive end of the period):
    /// "at month end" in the report means just before this instant.
    pub fn end(self, zone: Zone) -> Timestamp {
        midnight(self.next().first_day(), zone)
    }
}

fn midnight(date: Date, zone: Zone) -> Timestamp {
    // Cannot fail for years 1000–9999 at a whole-hour offset; MAX keeps it panic-free.
    zone.offset()
        .to_timestamp(DateTime::from(date))
        .unwrap_or(Timestamp::MAX)
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Month {
    type Error = ReportError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Month> for String {
    fn from(value: Month) -> Self {
        value.to_string()
    }
}

/// Indonesia's time zones. None has daylight saving time, so a fixed offset is exact.
/// Magetan is in WIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7 (Java, Sumatra; Asia/Jakarta).
    #[default]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8.
    Wita,
    /// Waktu Indonesia Timur, UTC+9.
    Wit,
}

impl Zone {
    /// The fixed UTC offset.
    pub fn offset(self) -> Offset {
        match self {
            Self::Wib => Offset::constant(7),
            Self::Wita => Offset::constant(8),
            Self::Wit => Offset::constant(9),
        }
    }

    /// The abbreviation printed after times, e.g. `WIB`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }

    /// The local wall-clock time of an instant.
    pub fn local(self, at: Timestamp) -> DateTime {
        self.offset().to_datetime(at)
    }
}

/// The kop surat (letterhead), from the superadmin's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letterhead {
    /// First line, e.g. `PEMERINTAH KABUPATEN MAGETAN`.
    pub government: String,
    /// Second, larger line, e.g. `DINAS KOMUNIKASI DAN INFORMATIKA`.
    pub office: String,
    /// Street address, e.g. `Jl. Tripandita No. 17, Magetan 63319`.
    pub address: String,
    /// Further small lines: telephone, e-mail, website. Empty lines are skipped.
    pub contact_lines: Vec<String>,
    /// The city written before the signing date, e.g. `Magetan`.
    pub city: String,
}

/// Who signs the report: the head of the office (Kadis), from settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// e.g. `Kepala Dinas Komunikasi dan Informatika`.
    pub title: String,
    /// Full name with degrees, printed bold and underlined.
    pub name: String,
    /// Pangkat/golongan, e.g. `Pembina Tingkat I (IV/b)`. May be empty.
    pub rank: String,
    /// The 18-digit civil-servant number, printed as given after `NIP.`.
    pub nip: String,
}

/// The SOP target of one workflow step, shown next to its measured times.
///
/// Whether a step was on time is decided by its own `due_at` (which the server
/// computes with the working calendar); the target here is for display and for
/// comparing the median and 90th percentile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    /// The step's contract name, e.g. `verification`.
    pub step: String,
    /// The time limit.
    pub target: Target,
    /// Overrides the generated label (`5 menit`, `3 hari kerja`), e.g. `15 menit – 3 hari`.
    pub label: Option<String>,
}

/// A step's time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Elapsed minutes, e.g. 5 for the automatic first reply.
    Minutes(u32),
    /// Working days of the office calendar, e.g. 3 for an agency's answer.
    WorkingDays(u32),
}

/// One complaint (or question), as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRow {
    /// The tracking number (nomor tiket), e.g. `WB-2611-0042`.
    pub ticket: String,
    /// `aduan` (complaint) or `pertanyaan` (question).
    pub kind: String,
    /// When the citizen's first message arrived.
    pub created_at: Timestamp,
    /// Where it came in: `whatsapp`, `web`, `email`, `telepon`, `langsung`, `lapor`.
    pub channel: String,
    /// The category name chosen by the admin, if any.
    pub category: Option<String>,
    /// The district (kecamatan) it concerns, if known.
    pub kecamatan: Option<String>,
    /// The agencies (OPD) it was dispatched to, by name.
    pub agencies: Vec<String>,
    /// A short summary, already redacted of identity data.
    pub summary: String,
    /// The follow-up (tindak lanjut) given by the agency, if any.
    pub follow_up: Option<String>,
    /// The current status (contract string: `submitted`, `incomplete`, `at_kabid`,
    /// `at_kadis`, `dispatched`, `answer_at_kadis`, `answer_at_kabid`, `answer_at_admin`,
    /// `closed`, `rejected`, `withdrawn`).
    pub status: String,
    /// The status as of the end of the period, from the audit history. The report shows
    /// this one, so it does not change when it is run again later.
    pub status_at_month_end: String,
    /// When the admin found it complete and registered it.
    pub verified_at: Option<Timestamp>,
    /// When the answer was sent to the citizen and the case closed.
    pub closed_at: Option<Timestamp>,
    /// When it was rejected (not a complaint, not our authority, …).
    pub rejected_at: Option<Timestamp>,
    /// When it counted as withdrawn (e.g. left incomplete past the deadline).
    pub withdrawn_at: Option<Timestamp>,
}

/// One timed step of the SOP flow for one complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    /// The complaint's tracking number.
    pub ticket: String,
    /// `first_reply`, `verification`, `forward`, `opd_answer`, `answer_return` or `reply`.
    pub step: String,
    /// Who had to act: `admin`, `kabid`, `kadis` or an agency name.
    pub holder: String,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When the step was due.
    pub due_at: Timestamp,
    /// When it was done, if it was.
    pub done_at: Option<Timestamp>,
}

/// One dispatch of a complaint to one agency (OPD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    /// The complaint's tracking number.
    pub ticket: String,
    /// The agency's stable code; the agency table groups by it.
    pub agency_code: String,
    /// The agency's display name.
    pub agency_name: String,
    /// When the Kadis dispatched it.
    pub dispatched_at: Timestamp,
    /// When the agency answered, if it did.
    pub answered_at: Option<Timestamp>,
    /// When the answer was due.
    pub due_at: Timestamp,
}

/// One answer to the satisfaction survey sent after closing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRow {
    /// The complaint's tracking number.
    pub ticket: String,
    /// The agencies that handled the complaint.
    pub agency_names: Vec<String>,
    /// 1 (very dissatisfied) to 5 (very satisfied); other values are counted as invalid.
    pub rating: u8,
    /// Whether the citizen said the problem was solved.
    pub resolved: bool,
    /// When the answer arrived.
    pub created_at: Timestamp,
}

/// Everything one monthly report is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    /// The reported month.
    pub period: Month,
    /// The time zone of dates, days and the month's bounds (WIB for Magetan).
    pub zone: Zone,
    /// When the report was made: only the signing date and the PDF metadata use it.
    pub generated_at: Timestamp,
    /// The kop surat.
    pub letterhead: Letterhead,
    /// Who signs.
    pub signatory: Signatory,
    /// Who it is addressed to, e.g. `Bupati Magetan`.
    pub recipient: String,
    /// See the module docs for which rows to include.
    pub complaints: Vec<ComplaintRow>,
    /// Timed SOP steps.
    pub steps: Vec<StepRow>,
    /// Dispatches to agencies.
    pub assignments: Vec<AssignmentRow>,
    /// Survey answers.
    pub ratings: Vec<RatingRow>,
    /// SOP targets per step, for display.
    pub sla_targets: Vec<SlaTarget>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_parses_from_year_dash_month() {
        let month = Month::parse("2026-11").expect("valid");
        assert_eq!((month.year(), month.month()), (2026, 11));
        assert_eq!(month.to_string(), "2026-11");
        assert_eq!(month.days(), 30);
    }

    #[test]
    fn malformed_months_are_errors_not_panics() {
        for text in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "26-11",
            "2026-1",
            "2026/11",
            "+202-11",
            "９９９９-11",
            "0999-12",
            "9999-12",
            "2026-11-01",
        ] {
            assert!(Month::parse(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn the_period_runs_from_local_midnight_to_local_midnight() {
        let month = Month::new(2026, 12).expect("valid");
        assert_eq!(month.start(Zone::Wib).to_string(), "2026-11-30T17:00:00Z");
        assert_eq!(month.end(Zone::Wib).to_string(), "2026-12-31T17:00:00Z");
        assert_eq!(month.next(), Month::new(2027, 1).expect("valid"));
    }

    #[test]
    fn a_month_converts_to_and_from_its_string_form() {
        let month = Month::new(2026, 2).expect("valid");
        assert_eq!(String::from(month), "2026-02");
        assert_eq!(Month::try_from("2026-02".to_owned()).ok(), Some(month));
        assert!(Month::try_from("2026-02x".to_owned()).is_err());
    }
}
