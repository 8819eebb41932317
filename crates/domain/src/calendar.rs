//! The office calendar: when the Kominfo office and the agencies are at work.
//!
//! An [`OfficeCalendar`] is a time zone, office hours per weekday and a set of holidays.
//! A *working day* is a date whose weekday has office hours and that is not a holiday;
//! *office time* is the span between opening and closing on a working day, in the
//! calendar's time zone. Invariants: every day's hours open strictly before they close
//! ([`OfficeCalendar::set_hours`] refuses anything else); holidays are keyed by date, one
//! name per date.
//!
//! Defaults follow a Magetan government office: Monday–Friday 07:30–16:00 WIB
//! (`Asia/Jakarta`), Saturday and Sunday closed, no holidays. Holidays and *cuti bersama*
//! change every year and are decided by the *SKB 3 Menteri* (joint decree of the Ministers
//! of Religious Affairs, Manpower and PANRB), so they are data the superadmin edits, not
//! code: [`seed_holidays_2026`] only seeds the first year. Its source is the SKB for 2026
//! (Menteri Agama No. 1497/2025, Menteri Ketenagakerjaan No. 2/2025, Menteri PANRB
//! No. 5/2025, announced 19 September 2025): 17 national holidays and 8 *cuti bersama*
//! days. Check it against the published decree before relying on it, and add regional
//! holidays (e.g. Hari Jadi Kabupaten Magetan, if the Regent declares one) by hand.
//!
//! Time zones come from jiff's bundled copy of the IANA database
//! ([`jiff::tz::TimeZoneDatabase::bundled`]), never from the host, so this module does no
//! I/O and gives the same answers on every machine. Indonesia has no daylight saving time;
//! the arithmetic still resolves local times with jiff's "compatible" rule so that any
//! IANA zone works.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime, Time, Weekday, date, time};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};

/// Opening and closing time of one weekday, local time. Opening is strictly before closing.
pub type OfficeHours = (Time, Time);

/// The office calendar (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeCalendar {
    tz: TimeZone,
    /// Indexed by `Weekday::to_monday_zero_offset` (Monday = 0).
    hours: [Option<OfficeHours>; 7],
    holidays: BTreeMap<Date, String>,
}

/// Settings that would break the calendar's invariants, or an unknown time zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Office hours must open before they close.
    #[error("jam buka ({open}) harus sebelum jam tutup ({close})")]
    HoursOrder {
        /// The opening time given.
        open: Time,
        /// The closing time given.
        close: Time,
    },
    /// Not an IANA time zone name (nor WIB, WITA, WIT).
    #[error("zona waktu tidak dikenal: {name:?}")]
    UnknownTimezone {
        /// What was given.
        name: String,
    },
}

/// The default time zone name: Magetan is on WIB.
pub const DEFAULT_TIMEZONE: &str = "Asia/Jakarta";

/// Default opening time on working weekdays.
pub const DEFAULT_OPEN: Time = time(7, 30, 0, 0);
/// Default closing time on working weekdays.
pub const DEFAULT_CLOSE: Time = time(16, 0, 0, 0);

/// Parses a time zone: an IANA name from jiff's bundled database (`Asia/Jakarta`,
/// `Asia/Makassar`, `Asia/Jayapura`, `UTC`, … case-insensitive), or one of Indonesia's
/// abbreviations `WIB`, `WITA`, `WIT`.
pub fn parse_timezone(name: &str) -> Result<TimeZone, CalendarError> {
    let trimmed = name.trim();
    let iana = match trimmed.to_ascii_uppercase().as_str() {
        "WIB" => "Asia/Jakarta",
        "WITA" => "Asia/Makassar",
        "WIT" => "Asia/Jayapura",
        _ => trimmed,
    };
    if iana.is_empty() {
        return Err(CalendarError::UnknownTimezone {
            name: name.to_owned(),
        });
    }
    TimeZoneDatabase::bundled()
        .get(iana)
        .map_err(|_| CalendarError::UnknownTimezone {
            name: name.to_owned(),
        })
}

/// WIB from the bundled database, or a fixed UTC+7 (exact for WIB, which has had no
/// transitions since 1964) should the bundle ever lack it.
fn default_timezone() -> TimeZone {
    parse_timezone(DEFAULT_TIMEZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(7)))
}

fn weekday_index(weekday: Weekday) -> usize {
    // 0..=6 by construction.
    weekday.to_monday_zero_offset().unsigned_abs() as usize
}

impl Default for OfficeCalendar {
    fn default() -> Self {
        OfficeCalendar::new(default_timezone())
    }
}

impl OfficeCalendar {
    /// A calendar in `tz` with the default hours (Mon–Fri 07:30–16:00) and no holidays.
    pub fn new(tz: TimeZone) -> OfficeCalendar {
        let weekday = Some((DEFAULT_OPEN, DEFAULT_CLOSE));
        OfficeCalendar {
            tz,
            hours: [weekday, weekday, weekday, weekday, weekday, None, None],
            holidays: BTreeMap::new(),
        }
    }

    /// The calendar's time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Moves the calendar to another time zone (hours stay in local time).
    pub fn set_tz(&mut self, tz: TimeZone) {
        self.tz = tz;
    }

    /// The office hours of a weekday, `None` when the office is closed that weekday.
    pub fn hours(&self, weekday: Weekday) -> Option<OfficeHours> {
        self.hours[weekday_index(weekday)]
    }

    /// Sets (or with `None`, clears) a weekday's office hours.
    pub fn set_hours(
        &mut self,
        weekday: Weekday,
        hours: Option<OfficeHours>,
    ) -> Result<(), CalendarError> {
        if let Some((open, close)) = hours
            && open >= close
        {
            return Err(CalendarError::HoursOrder { open, close });
        }
        self.hours[weekday_index(weekday)] = hours;
        Ok(())
    }

    /// Builder form of [`OfficeCalendar::set_hours`].
    pub fn with_hours(
        mut self,
        weekday: Weekday,
        hours: Option<OfficeHours>,
    ) -> Result<OfficeCalendar, CalendarError> {
        self.set_hours(weekday, hours)?;
        Ok(self)
    }

    /// Adds a holiday (or renames the one on that date).
    pub fn add_holiday(&mut self, day: Date, name: impl Into<String>) {
        self.holidays.insert(day, name.into());
    }

    /// Builder form of [`OfficeCalendar::add_holiday`] for many holidays at once.
    pub fn with_holidays<N: Into<String>>(
        mut self,
        holidays: impl IntoIterator<Item = (Date, N)>,
    ) -> OfficeCalendar {
        for (day, name) in holidays {
            self.add_holiday(day, name);
        }
        self
    }

    /// Removes a holiday, returning its name.
    pub fn remove_holiday(&mut self, day: Date) -> Option<String> {
        self.holidays.remove(&day)
    }

    /// Every holiday, by date.
    pub fn holidays(&self) -> &BTreeMap<Date, String> {
        &self.holidays
    }

    /// The holiday's name, if `day` is a holiday.
    pub fn holiday_name(&self, day: Date) -> Option<&str> {
        self.holidays.get(&day).map(String::as_str)
    }

    /// Whether the office opens on `day`: its weekday has hours and it is no holiday.
    pub fn is_working_day(&self, day: Date) -> bool {
        self.hours(day.weekday()).is_some() && !self.holidays.contains_key(&day)
    }

    /// Whether the office is open at `at` (opening inclusive, closing exclusive).
    pub fn is_office_time(&self, at: Timestamp) -> bool {
        let local = self.local(at);
        self.is_working_day(local.date())
            && self
                .hours(local.weekday())
                .is_some_and(|(open, close)| open <= local.time() && local.time() < close)
    }

    /// The local civil date and time of an instant in this calendar's zone.
    pub fn local(&self, at: Timestamp) -> DateTime {
        self.tz.to_datetime(at)
    }

    /// Whether any weekday has office hours at all (else no deadline in working time can
    /// ever be reached).
    pub fn has_office_hours(&self) -> bool {
        self.hours.iter().any(Option::is_some)
    }

    /// The first working day strictly after `day`, or `None` when there is none before the
    /// end of jiff's calendar (year 9999) or the office never opens.
    pub fn next_working_day(&self, day: Date) -> Option<Date> {
        if !self.has_office_hours() {
            return None;
        }
        let mut cursor = day;
        loop {
            cursor = cursor.tomorrow().ok()?;
            if self.is_working_day(cursor) {
                return Some(cursor);
            }
        }
    }

    /// Converts a local civil date-time to an instant ("compatible" rule for gaps and
    /// folds); `None` only at the edges of jiff's range.
    pub(crate) fn instant(&self, local: DateTime) -> Option<Timestamp> {
        self.tz.to_ambiguous_timestamp(local).compatible().ok()
    }

    /// The office's opening and closing instants on `day`, if it is a working day.
    pub fn office_window(&self, day: Date) -> Option<(Timestamp, Timestamp)> {
        if !self.is_working_day(day) {
            return None;
        }
        let (open, close) = self.hours(day.weekday())?;
        let open = self.instant(day.to_datetime(open))?;
        let close = self.instant(day.to_datetime(close))?;
        (open < close).then_some((open, close))
    }

    /// The instant when `amount` of office time has passed since `start`: time outside
    /// office hours and on non-working days does not count, so a start outside office
    /// hours begins counting at the next opening. A zero or negative amount gives `start`;
    /// a calendar whose office never opens (or an amount past year 9999) gives
    /// `Timestamp::MAX`.
    pub fn add_office_time(&self, start: Timestamp, amount: SignedDuration) -> Timestamp {
        if amount <= SignedDuration::ZERO {
            return start;
        }
        if !self.has_office_hours() {
            return Timestamp::MAX;
        }
        let mut remaining = amount;
        let mut day = self.local(start).date();
        loop {
            if let Some((open, close)) = self.office_window(day) {
                let from = open.max(start);
                if from < close {
                    let available = from.duration_until(close);
                    if remaining <= available {
                        return from.checked_add(remaining).unwrap_or(Timestamp::MAX);
                    }
                    remaining -= available;
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return Timestamp::MAX,
            }
        }
    }

    /// The office time between `from` and `to` (zero when `to` is not after `from`).
    pub fn office_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        let last = self.local(to).date();
        let mut day = self.local(from).date();
        let mut total = SignedDuration::ZERO;
        while day <= last {
            if let Some((open, close)) = self.office_window(day) {
                let start = open.max(from);
                let end = close.min(to);
                if start < end {
                    total = total.saturating_add(start.duration_until(end));
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        total
    }
}

/// Indonesia's 2026 national holidays (*libur nasional*) and *cuti bersama*, per the SKB
/// 3 Menteri for 2026 (see the module doc), with their Indonesian names. Editable data:
/// the server seeds it once; the superadmin corrects it and adds later years.
pub fn seed_holidays_2026() -> Vec<(Date, &'static str)> {
    vec![
        (date(2026, 1, 1), "Tahun Baru 2026 Masehi"),
        (date(2026, 1, 16), "Isra Mikraj Nabi Muhammad SAW"),
        (date(2026, 2, 16), "Cuti Bersama Tahun Baru Imlek"),
        (date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili"),
        (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi"),
        (date(2026, 3, 19), "Hari Suci Nyepi (Tahun Baru Saka 1948)"),
        (date(2026, 3, 20), "Cuti Bersama Idulfitri 1447 H"),
        (date(2026, 3, 21), "Hari Raya Idulfitri 1447 H"),
        (date(2026, 3, 22), "Hari Raya Idulfitri 1447 H"),
        (date(2026, 3, 23), "Cuti Bersama Idulfitri 1447 H"),
        (date(2026, 3, 24), "Cuti Bersama Idulfitri 1447 H"),
        (date(2026, 4, 3), "Wafat Yesus Kristus"),
        (date(2026, 4, 5), "Kebangkitan Yesus Kristus (Paskah)"),
        (date(2026, 5, 1), "Hari Buruh Internasional"),
        (date(2026, 5, 14), "Kenaikan Yesus Kristus"),
        (date(2026, 5, 15), "Cuti Bersama Kenaikan Yesus Kristus"),
        (date(2026, 5, 27), "Hari Raya Iduladha 1447 H"),
        (date(2026, 5, 28), "Cuti Bersama Iduladha 1447 H"),
        (date(2026, 5, 31), "Hari Raya Waisak 2570 BE"),
        (date(2026, 6, 1), "Hari Lahir Pancasila"),
        (date(2026, 6, 16), "1 Muharam Tahun Baru Islam 1448 H"),
        (
            date(2026, 8, 17),
            "Hari Proklamasi Kemerdekaan Republik Indonesia",
        ),
        (date(2026, 8, 25), "Maulid Nabi Muhammad SAW"),
        (date(2026, 12, 24), "Cuti Bersama Hari Raya Natal"),
        (
            date(2026, 12, 25),
            "Hari Raya Natal (Kelahiran Yesus Kristus)",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wib(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_calendar_is_wib_monday_to_friday_0730_to_1600() {
        let cal = OfficeCalendar::default();
        assert_eq!(cal.tz().iana_name(), Some("Asia/Jakarta"));
        assert_eq!(
            cal.hours(Weekday::Monday),
            Some((time(7, 30, 0, 0), time(16, 0, 0, 0)))
        );
        assert_eq!(cal.hours(Weekday::Saturday), None);
        assert_eq!(cal.hours(Weekday::Sunday), None);
        assert!(cal.is_working_day(date(2026, 12, 4)));
        assert!(!cal.is_working_day(date(2026, 12, 5)));
    }

    #[test]
    fn office_time_includes_opening_and_excludes_closing() {
        let cal = OfficeCalendar::default();
        assert!(!cal.is_office_time(wib("2026-12-04T07:29:59+07:00")));
        assert!(cal.is_office_time(wib("2026-12-04T07:30:00+07:00")));
        assert!(cal.is_office_time(wib("2026-12-04T15:59:59+07:00")));
        assert!(!cal.is_office_time(wib("2026-12-04T16:00:00+07:00")));
        assert!(!cal.is_office_time(wib("2026-12-05T10:00:00+07:00")));
        // 03:00 UTC is 10:00 WIB.
        assert!(cal.is_office_time(wib("2026-12-04T03:00:00Z")));
    }

    #[test]
    fn a_holiday_is_not_a_working_day_nor_office_time() {
        let cal = OfficeCalendar::default().with_holidays([(date(2026, 12, 7), "Libur")]);
        assert!(!cal.is_working_day(date(2026, 12, 7)));
        assert!(!cal.is_office_time(wib("2026-12-07T10:00:00+07:00")));
        assert_eq!(cal.holiday_name(date(2026, 12, 7)), Some("Libur"));
        assert_eq!(
            cal.next_working_day(date(2026, 12, 4)),
            Some(date(2026, 12, 8))
        );
    }

    #[test]
    fn hours_that_close_before_they_open_are_refused() {
        let mut cal = OfficeCalendar::default();
        let err = cal
            .set_hours(
                Weekday::Saturday,
                Some((time(12, 0, 0, 0), time(8, 0, 0, 0))),
            )
            .unwrap_err();
        assert!(matches!(err, CalendarError::HoursOrder { .. }));
        assert!(
            cal.set_hours(
                Weekday::Saturday,
                Some((time(8, 0, 0, 0), time(8, 0, 0, 0)))
            )
            .is_err()
        );
        assert!(
            cal.set_hours(
                Weekday::Saturday,
                Some((time(8, 0, 0, 0), time(12, 0, 0, 0)))
            )
            .is_ok()
        );
        assert!(cal.is_working_day(date(2026, 12, 5)));
    }

    #[test]
    fn a_calendar_that_never_opens_has_no_next_working_day() {
        let mut cal = OfficeCalendar::default();
        for weekday in [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ] {
            cal.set_hours(weekday, None).unwrap();
        }
        assert_eq!(cal.next_working_day(date(2026, 1, 1)), None);
        assert_eq!(
            cal.add_office_time(
                wib("2026-12-04T10:00:00+07:00"),
                SignedDuration::from_mins(5)
            ),
            Timestamp::MAX
        );
    }

    #[test]
    fn indonesian_time_zones_parse_by_iana_name_or_abbreviation() {
        for (name, iana) in [
            ("Asia/Jakarta", "Asia/Jakarta"),
            ("asia/makassar", "Asia/Makassar"),
            ("Asia/Jayapura", "Asia/Jayapura"),
            ("WIB", "Asia/Jakarta"),
            ("wita", "Asia/Makassar"),
            (" WIT ", "Asia/Jayapura"),
        ] {
            assert_eq!(
                parse_timezone(name).unwrap().iana_name(),
                Some(iana),
                "{name}"
            );
        }
        assert!(parse_timezone("UTC").is_ok());
        assert!(matches!(
            parse_timezone("Mars/Olympus"),
            Err(CalendarError::UnknownTimezone { .. })
        ));
        assert!(parse_timezone("").is_err());
    }

    #[test]
    fn the_2026_seed_has_17_national_holidays_and_8_cuti_bersama_days() {
        let seed = seed_holidays_2026();
        let cuti = seed
            .iter()
            .filter(|(_, name)| name.starts_with("Cuti Bersama"))
            .count();
        assert_eq!(cuti, 8);
        assert_eq!(seed.len() - cuti, 17);
        let mut dates: Vec<Date> = seed.iter().map(|(d, _)| *d).collect();
        dates.dedup();
        assert_eq!(dates.len(), seed.len(), "dates are sorted and unique");
        assert!(seed.iter().all(|(d, _)| d.year() == 2026));
    }

    #[test]
    fn the_2026_seed_falls_on_the_weekdays_the_decree_names() {
        // Spot checks against the SKB's own weekday names.
        let seed: BTreeMap<Date, &str> = seed_holidays_2026().into_iter().collect();
        assert_eq!(date(2026, 1, 1).weekday(), Weekday::Thursday);
        assert_eq!(date(2026, 3, 21).weekday(), Weekday::Saturday);
        assert_eq!(date(2026, 8, 17).weekday(), Weekday::Monday);
        assert_eq!(date(2026, 12, 24).weekday(), Weekday::Thursday);
        assert!(seed.contains_key(&date(2026, 3, 23)));
        assert!(seed.contains_key(&date(2026, 3, 24)));
        assert!(!seed.contains_key(&date(2026, 3, 25)));
    }

    #[test]
    fn office_time_between_counts_only_open_hours() {
        let cal = OfficeCalendar::default();
        // Friday 15:00 to Monday 08:30: one hour on Friday, one on Monday.
        assert_eq!(
            cal.office_time_between(
                wib("2026-12-04T15:00:00+07:00"),
                wib("2026-12-07T08:30:00+07:00")
            ),
            SignedDuration::from_hours(2)
        );
        assert_eq!(
            cal.office_time_between(
                wib("2026-12-07T08:30:00+07:00"),
                wib("2026-12-04T15:00:00+07:00")
            ),
            SignedDuration::ZERO
        );
    }
}
