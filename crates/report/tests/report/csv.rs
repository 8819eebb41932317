//! The CSV complaint list, parsed back with a small RFC 4180 reader.

use wani_bares_report::{Format, csv, render};

use super::fixture::{NOVEMBER_TICKETS, empty_input, hand_month, november};

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF records).
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record has no line end"
    );
    records
}

#[test]
fn the_csv_lists_every_ticket_of_the_month_under_the_contract_header() {
    let input = hand_month();
    let bytes = render(&input, Format::Csv).expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    let body = text.strip_prefix('\u{FEFF}').expect("starts with a BOM");
    assert!(body.starts_with(
        "nomor_tiket,tanggal,jenis,kategori,opd,kecamatan,ringkasan,tindak_lanjut,status\r\n"
    ));
    let records = parse(body);
    assert_eq!(records[0], csv::HEADER);
    let tickets: Vec<&str> = records[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(tickets, NOVEMBER_TICKETS);
    assert!(records.iter().all(|r| r.len() == 9));

    let second = &records[2];
    assert_eq!(second[1], "2026-11-03 09:00 WIB");
    assert_eq!(second[2], "aduan");
    assert_eq!(second[4], "Dinas PUPR; Dinas Perhubungan");
    assert_eq!(
        second[6],
        "Ringkasan WB-2611-0002: jalan berlubang, \"parah\", mohon segera ditangani"
    );
    assert_eq!(second[8], "Didisposisikan ke OPD");
    // 0006 was closed in December: the list shows its status at the end of November.
    assert_eq!(records[7][8], "Baru masuk");
    assert_eq!(records[4][3], "", "no category is an empty field");
}

#[test]
fn an_empty_month_gives_a_csv_with_the_header_only() {
    let bytes = render(&empty_input(november()), Format::Csv).expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    assert_eq!(parse(text.trim_start_matches('\u{FEFF}')), [csv::HEADER]);
}
