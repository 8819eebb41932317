//! The report's Bahasa Indonesia: month names, number and date formats, and the
//! labels of the contract strings (statuses, steps, channels, kinds).
//!
//! Indonesian writes `1.234` for thousands and `87,5` for decimals. Unknown contract
//! strings are shown as they are rather than dropped, so a new status added by the
//! server still appears in the report.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::input::{Month, Target, Zone};

/// Month names, January first.
const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// Shown where a value has no meaning (a percentage of zero cases).
pub(crate) const NONE: &str = "–";

/// `November`.
pub(crate) fn month_name(month: i8) -> &'static str {
    usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?")
}

/// `November 2026`.
pub(crate) fn period(month: Month) -> String {
    format!("{} {}", month_name(month.month()), month.year())
}

/// `30 November 2026`.
pub(crate) fn date_long(date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// `2026-11-30 14:05 WIB`, the list's date format (sortable, with the zone).
pub(crate) fn date_time(at: Timestamp, zone: Zone) -> String {
    let local = zone.local(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} {}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        zone.abbreviation()
    )
}

/// `12.345`.
pub(crate) fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// A number with `decimals` digits after the comma: `87,5`; non-finite values as `–`.
pub(crate) fn decimal(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return NONE.to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let int_value = int_part.parse::<u64>().unwrap_or(0);
    let negative = value < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&count(int_value));
    if !frac_part.is_empty() {
        out.push(',');
        out.push_str(frac_part);
    }
    out
}

/// `87,5%`, or `–` when there was nothing to measure.
pub(crate) fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_owned(), |v| format!("{}%", decimal(v, 1)))
}

/// A duration given in minutes, in words: `4 mnt`, `2 jam 5 mnt`, `3 hari 4 jam`.
pub(crate) fn duration_minutes(minutes: Option<f64>) -> String {
    let Some(minutes) = minutes.filter(|m| m.is_finite()) else {
        return NONE.to_owned();
    };
    let total = minutes.max(0.0).round() as u64;
    let (days, hours, mins) = (total / 1440, total % 1440 / 60, total % 60);
    if days > 0 {
        if hours > 0 {
            format!("{} hari {hours} jam", count(days))
        } else {
            format!("{} hari", count(days))
        }
    } else if hours > 0 {
        if mins > 0 {
            format!("{hours} jam {mins} mnt")
        } else {
            format!("{hours} jam")
        }
    } else {
        format!("{mins} mnt")
    }
}

/// `5 menit`, `3 hari kerja`.
pub(crate) fn target(target: Target) -> String {
    match target {
        Target::Minutes(m) if m >= 1440 && m % 1440 == 0 => format!("{} hari", m / 1440),
        Target::Minutes(m) if m >= 60 && m % 60 == 0 => format!("{} jam", m / 60),
        Target::Minutes(m) => format!("{m} menit"),
        Target::WorkingDays(d) => format!("{d} hari kerja"),
    }
}

/// The Indonesian label of a status contract string.
pub(crate) fn status(status: &str) -> &str {
    match status {
        "submitted" => "Baru masuk",
        "incomplete" => "Belum lengkap",
        "at_kabid" => "Di Kabid IKP",
        "at_kadis" => "Di Kadis",
        "dispatched" => "Didisposisikan ke OPD",
        "answer_at_kadis" => "Jawaban di Kadis",
        "answer_at_kabid" => "Jawaban di Kabid IKP",
        "answer_at_admin" => "Jawaban di Admin",
        "closed" => "Selesai",
        "rejected" => "Ditolak",
        "withdrawn" => "Dicabut",
        other => other,
    }
}

/// Terminal statuses: nothing more happens to the complaint.
pub(crate) fn is_terminal(status: &str) -> bool {
    matches!(status, "closed" | "rejected" | "withdrawn")
}

/// SOP steps in flow order, with their labels.
pub(crate) const STEPS: [(&str, &str); 6] = [
    ("first_reply", "Balasan otomatis"),
    ("verification", "Verifikasi admin"),
    ("forward", "Penerusan ke Kabid/Kadis"),
    ("opd_answer", "Jawaban OPD"),
    ("answer_return", "Pengembalian jawaban"),
    ("reply", "Jawaban ke pengadu"),
];

/// The Indonesian label of a step contract string.
pub(crate) fn step(step: &str) -> &str {
    STEPS
        .iter()
        .find(|(name, _)| *name == step)
        .map_or(step, |(_, label)| label)
}

/// The Indonesian label of a channel contract string.
pub(crate) fn channel(channel: &str) -> &str {
    match channel {
        "whatsapp" => "WhatsApp",
        "web" => "Situs web",
        "email" => "Surel",
        "telepon" | "phone" => "Telepon",
        "langsung" | "walk_in" => "Datang langsung",
        "lapor" | "sp4n_lapor" => "SP4N-LAPOR!",
        other => other,
    }
}

/// The Indonesian label of a kind contract string.
pub(crate) fn kind(kind: &str) -> &str {
    match kind {
        "aduan" => "Aduan",
        "pertanyaan" => "Pertanyaan",
        other => other,
    }
}

/// The SKM quality grade of PermenPANRB 14/2017 for an index on the 25–100 scale.
pub(crate) fn skm_grade(skm: f64) -> &'static str {
    if skm >= 88.31 {
        "A (Sangat Baik)"
    } else if skm >= 76.61 {
        "B (Baik)"
    } else if skm >= 65.0 {
        "C (Kurang Baik)"
    } else {
        "D (Tidak Baik)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_use_dots_for_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1.000");
        assert_eq!(count(1_234_567), "1.234.567");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal(87.5, 1), "87,5");
        assert_eq!(decimal(1234.56, 2), "1.234,56");
        assert_eq!(decimal(-0.01, 1), "0,0");
        assert_eq!(decimal(-2.5, 1), "-2,5");
        assert_eq!(decimal(f64::NAN, 1), NONE);
        assert_eq!(percent(None), NONE);
        assert_eq!(percent(Some(100.0)), "100,0%");
    }

    #[test]
    fn durations_read_as_minutes_hours_and_days() {
        assert_eq!(duration_minutes(Some(4.4)), "4 mnt");
        assert_eq!(duration_minutes(Some(125.0)), "2 jam 5 mnt");
        assert_eq!(duration_minutes(Some(120.0)), "2 jam");
        assert_eq!(duration_minutes(Some(3.0 * 1440.0 + 240.0)), "3 hari 4 jam");
        assert_eq!(duration_minutes(Some(-5.0)), "0 mnt");
        assert_eq!(duration_minutes(None), NONE);
        assert_eq!(duration_minutes(Some(f64::INFINITY)), NONE);
    }

    #[test]
    fn months_and_dates_are_written_in_indonesian() {
        let month = Month::new(2026, 11).expect("valid");
        assert_eq!(period(month), "November 2026");
        assert_eq!(date_long(month.last_day()), "30 November 2026");
        assert_eq!(month_name(0), "?");
        assert_eq!(month_name(13), "?");
    }

    #[test]
    fn unknown_contract_strings_are_shown_as_they_are() {
        assert_eq!(status("closed"), "Selesai");
        assert_eq!(status("archived"), "archived");
        assert_eq!(step("opd_answer"), "Jawaban OPD");
        assert_eq!(step("escalation"), "escalation");
        assert_eq!(channel("whatsapp"), "WhatsApp");
    }

    #[test]
    fn targets_are_labelled_in_the_largest_whole_unit() {
        assert_eq!(target(Target::Minutes(5)), "5 menit");
        assert_eq!(target(Target::Minutes(120)), "2 jam");
        assert_eq!(target(Target::Minutes(4320)), "3 hari");
        assert_eq!(target(Target::WorkingDays(3)), "3 hari kerja");
    }

    #[test]
    fn skm_grades_follow_the_permenpanrb_bands() {
        assert_eq!(skm_grade(100.0), "A (Sangat Baik)");
        assert_eq!(skm_grade(88.31), "A (Sangat Baik)");
        assert_eq!(skm_grade(80.0), "B (Baik)");
        assert_eq!(skm_grade(70.0), "C (Kurang Baik)");
        assert_eq!(skm_grade(25.0), "D (Tidak Baik)");
    }
}
