//! The month's complaint list as CSV, for spreadsheets and other tools.
//!
//! Format (RFC 4180): UTF-8 with a byte-order mark, because Excel otherwise reads UTF-8
//! as the local code page and garbles Indonesian names; comma separators; CRLF line
//! ends; a field is quoted when it holds a comma, quote, CR or LF, with quotes doubled.
//! Columns:
//! `nomor_tiket,tanggal,jenis,kategori,opd,kecamatan,ringkasan,tindak_lanjut,status`.
//! `tanggal` is local time as `YYYY-MM-DD HH:MM WIB`; `opd` joins several agencies with
//! `; `; `status` is the Indonesian label of the status at month end; empty values are
//! empty fields. Every complaint of the month is listed, oldest first.
//!
//! A field that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a
//! spreadsheet does not run a citizen's text as a formula (CSV injection); the XLSX
//! writes strings as strings and needs no such guard.

use crate::input::ReportInput;
use crate::stats::MonthlyStats;
use crate::{ReportError, wording};

/// The header line.
pub const HEADER: [&str; 9] = [
    "nomor_tiket",
    "tanggal",
    "jenis",
    "kategori",
    "opd",
    "kecamatan",
    "ringkasan",
    "tindak_lanjut",
    "status",
];

const BOM: &str = "\u{FEFF}";

/// Renders the complaint list as CSV bytes (never fails; the `Result` matches the
/// other renderers).
pub fn render(stats: &MonthlyStats, input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    let mut out = String::with_capacity(64 + stats.listed.len() * 256);
    out.push_str(BOM);
    write_record(&mut out, HEADER);
    for c in stats.listed_complaints(input) {
        let date = wording::date_time(c.created_at, stats.zone);
        let agencies = c.agencies.join("; ");
        write_record(
            &mut out,
            [
                c.ticket.as_str(),
                date.as_str(),
                c.kind.as_str(),
                c.category.as_deref().unwrap_or(""),
                agencies.as_str(),
                c.kecamatan.as_deref().unwrap_or(""),
                c.summary.as_str(),
                c.follow_up.as_deref().unwrap_or(""),
                wording::status(c.status_at_month_end.trim()),
            ],
        );
    }
    Ok(out.into_bytes())
}

fn write_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field);
    }
    out.push_str("\r\n");
}

fn write_field(out: &mut String, field: &str) {
    let guard = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = guard || field.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    for ch in field.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> String {
        let mut out = String::new();
        write_field(&mut out, text);
        out
    }

    #[test]
    fn plain_fields_are_written_as_they_are() {
        assert_eq!(field("WB-2611-0001"), "WB-2611-0001");
        assert_eq!(field(""), "");
        assert_eq!(field("Jl. Raya Maospati"), "Jl. Raya Maospati");
    }

    #[test]
    fn fields_with_separators_or_quotes_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("kata \"rusak\""), "\"kata \"\"rusak\"\"\"");
        assert_eq!(field("baris\nbaru"), "\"baris\nbaru\"");
    }

    #[test]
    fn fields_that_look_like_formulas_are_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-5"), "\"'-5\"");
        assert_eq!(field("@user"), "\"'@user\"");
    }
}
