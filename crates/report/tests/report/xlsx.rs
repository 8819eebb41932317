//! The workbook, unzipped: its sheets, and totals that are the statistics' numbers.

use std::io::{Cursor, Read};

use wani_bares_report::{stats, xlsx};

use super::fixture::{NOVEMBER_TICKETS, empty_input, hand_month, november};

pub struct Unzipped(zip::ZipArchive<Cursor<Vec<u8>>>);

impl Unzipped {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive"))
    }

    pub fn file(&mut self, name: &str) -> String {
        let mut text = String::new();
        self.0
            .by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut text)
            .expect("utf-8 xml");
        text
    }

    pub fn has(&mut self, name: &str) -> bool {
        self.0.by_name(name).is_ok()
    }

    /// Sheet names in workbook order.
    pub fn sheet_names(&mut self) -> Vec<String> {
        let workbook = self.file("xl/workbook.xml");
        workbook
            .split("<sheet ")
            .skip(1)
            .filter_map(|s| {
                s.split("name=\"")
                    .nth(1)?
                    .split('"')
                    .next()
                    .map(str::to_owned)
            })
            .collect()
    }

    /// The number in cell `cell` (e.g. `B2`) of the `index`th sheet (1-based).
    pub fn number(&mut self, index: usize, cell: &str) -> Option<f64> {
        let sheet = self.file(&format!("xl/worksheets/sheet{index}.xml"));
        let start = sheet.find(&format!("<c r=\"{cell}\""))?;
        let rest = &sheet[start..];
        let end = rest.find("</c>")?;
        let v = rest[..end].split("<v>").nth(1)?.split("</v>").next()?;
        if rest[..end].contains("t=\"s\"") {
            return None;
        }
        v.parse().ok()
    }
}

#[test]
fn the_workbook_has_a_sheet_per_table_and_totals_that_match_the_statistics() {
    let input = hand_month();
    let s = stats::compute(&input);
    let mut book = Unzipped::new(xlsx::render(&s, &input).expect("xlsx"));
    assert_eq!(book.sheet_names(), xlsx::SHEETS);

    let t = s.totals;
    let expected = [
        t.received,
        t.verified,
        t.rejected,
        t.incomplete,
        t.withdrawn,
        t.closed,
        t.open_at_month_end,
        t.carried_over_open,
    ];
    for (i, value) in expected.iter().enumerate() {
        let cell = format!("B{}", i + 2);
        assert_eq!(
            book.number(1, &cell),
            Some(*value as f64),
            "Ringkasan!{cell}"
        );
    }
    assert_eq!(book.number(1, "B2"), Some(7.0));

    // Per Hari: one date cell and count per day, adding up to the received total.
    let per_day: f64 = (2..=31)
        .filter_map(|r| book.number(2, &format!("B{r}")))
        .sum();
    assert!((per_day - 7.0).abs() < 1e-9);
    assert!(
        book.number(2, "A2").is_some(),
        "the date is a real date cell"
    );

    // Per Kategori: counts and fractions for the % format.
    assert_eq!(book.number(5, "C2"), Some(3.0));
    let fraction = book.number(5, "D2").expect("percentage");
    assert!((fraction - 3.0 / 7.0).abs() < 1e-9);

    // Kinerja OPD: PUPR first with 2 dispatches, 50% on time, median 48 hours.
    assert_eq!(book.number(9, "C2"), Some(2.0));
    assert_eq!(book.number(9, "G2"), Some(0.5));
    assert_eq!(book.number(9, "H2"), Some(48.0));
    assert_eq!(book.number(9, "G5"), None, "no percentage of nothing");

    // Kepuasan: 3 respondents, SKM 75.
    assert_eq!(book.number(10, "B2"), Some(3.0));
    let skm = book.number(10, "B4").expect("skm");
    assert!((skm - 75.0).abs() < 1e-9);

    // Daftar Aduan: every ticket, and real date cells.
    // The list sheet streams its rows, so its strings are inline, not shared.
    let list = book.file("xl/worksheets/sheet11.xml");
    for ticket in NOVEMBER_TICKETS {
        assert!(list.contains(ticket), "{ticket}");
    }
    assert!(!list.contains("WB-2612-0001"));
    assert!(
        book.number(11, "C2").is_some_and(|d| d > 46_000.0),
        "a date serial"
    );
    assert!(book.number(11, "A8").is_some() && book.number(11, "A9").is_none());

    assert!(list.contains("<autoFilter ref=\"A1:J8\""));
    assert!(list.contains("state=\"frozen\""));
    assert!(book.has("xl/charts/chart1.xml") && book.has("xl/charts/chart3.xml"));
}

#[test]
fn an_empty_month_gives_a_valid_workbook_with_zero_totals() {
    let input = empty_input(november());
    let mut book = Unzipped::new(xlsx::render(&stats::compute(&input), &input).expect("xlsx"));
    assert_eq!(book.sheet_names().len(), xlsx::SHEETS.len());
    assert_eq!(book.number(1, "B2"), Some(0.0));
    assert!(
        book.file("xl/sharedStrings.xml")
            .contains("Belum ada data kepuasan")
    );
    assert!(
        book.has("xl/charts/chart1.xml"),
        "the daily chart is always there"
    );
}
