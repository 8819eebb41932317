//! Use cases: each applies a domain decision to the store in one transaction.

pub mod admin;
pub mod auth;
pub mod complaints;
pub mod passwords;
pub mod privacy;
pub mod reports;
pub mod satisfaction;
pub mod users;
pub mod workflow;

/// The office-local month `YYYY-MM` as unix-ms bounds `[start, end)`.
pub fn month_range(
    cal: &wani_bares_domain::calendar::OfficeCalendar,
    month: &str,
) -> Result<(i64, i64), String> {
    let (y, m) = month
        .trim()
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i16>().ok()?, m.parse::<i8>().ok()?)))
        .filter(|(y, m)| (2000..=2999).contains(y) && (1..=12).contains(m))
        .ok_or_else(|| format!("{month:?} is not a month like 2026-11"))?;
    let start = jiff::civil::date(y, m, 1);
    let next = if m == 12 {
        jiff::civil::date(y + 1, 1, 1)
    } else {
        jiff::civil::date(y, m + 1, 1)
    };
    let at = |d: jiff::civil::Date| local_midnight(cal, d);
    Ok((at(start)?, at(next)?))
}

/// A date (`YYYY-MM-DD`, office-local midnight) or an RFC 3339 instant, as unix ms.
pub fn parse_instant(
    cal: &wani_bares_domain::calendar::OfficeCalendar,
    text: &str,
) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let date: jiff::civil::Date = t
        .parse()
        .map_err(|_| format!("{t:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))?;
    local_midnight(cal, date)
}

/// The office-local midnight starting `date`, as unix ms.
pub fn local_midnight(
    cal: &wani_bares_domain::calendar::OfficeCalendar,
    date: jiff::civil::Date,
) -> Result<i64, String> {
    cal.tz()
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map(jiff::Timestamp::as_millisecond)
        .map_err(|e| e.to_string())
}
