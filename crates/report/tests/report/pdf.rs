//! The PDF: its structure always, its text through poppler's `pdftotext` where it is
//! installed (`apt-get install poppler-utils`; CI installs it, and there the text checks
//! always run).

use std::process::Command;

use wani_bares_report::{Format, pdf, render, stats};

use super::fixture::{NOVEMBER_TICKETS, empty_input, hand_month, november};

/// The text of `pdf` by `pdftotext`, or `None` when poppler is not installed.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("laporan.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("utf-8 text"))
}

/// What any PDF we make must look like inside.
pub fn assert_pdf_structure(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1."), "not a PDF header");
    let tail = &pdf[pdf.len().saturating_sub(64)..];
    assert!(tail.windows(5).any(|w| w == b"%%EOF"), "no %%EOF trailer");
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/FontFile2"), "the TrueType font is not embedded");
    assert!(has(b"/ToUnicode"), "the text cannot be extracted");
    assert!(has(b"LiberationSans"), "not our font");
}

fn no_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_pdf_names_the_bupati_magetan_and_every_ticket_of_the_month() {
    let input = hand_month();
    let pdf = render(&input, Format::Pdf).expect("pdf");
    assert_pdf_structure(&pdf);
    let Some(text) = pdf_text(&pdf) else {
        eprintln!("pdftotext not installed: checked the PDF structure only");
        return;
    };
    for needle in [
        "Bupati",
        "Magetan",
        "PEMERINTAH KABUPATEN MAGETAN",
        "DINAS KOMUNIKASI DAN INFORMATIKA",
        pdf::TITLE,
        "Periode: November 2026",
        "NIP. 19700101 199503 1 001",
        "Drs. Contoh Pejabat, M.Si.",
        "Halaman 1 dari",
        "Jumlah pengaduan per hari",
        "Ketepatan waktu jawaban per OPD",
        "75,00",
        "C (Kurang Baik)",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the PDF text:\n{text}"
        );
    }
    for ticket in NOVEMBER_TICKETS {
        assert!(text.contains(ticket), "{ticket} missing from the PDF text");
    }
    assert!(
        !text.contains("WB-2612-0001"),
        "a December complaint is listed"
    );
    assert!(!text.contains(pdf::NO_COMPLAINTS));
}

#[test]
fn an_empty_month_gives_a_valid_pdf_that_says_there_were_no_complaints() {
    let input = empty_input(november());
    let pdf = pdf::render(&stats::compute(&input), &input).expect("pdf");
    assert_pdf_structure(&pdf);
    let Some(text) = pdf_text(&pdf) else {
        return;
    };
    assert!(no_whitespace(&text).contains(&no_whitespace(pdf::NO_COMPLAINTS)));
    assert!(text.contains("Belum ada data kepuasan"));
    assert!(text.contains("Bupati Magetan"));
    assert!(text.contains("Tidak ada data untuk grafik ini."));
}

#[test]
fn every_page_is_numbered_out_of_the_total() {
    let input = hand_month();
    let pdf = render(&input, Format::Pdf).expect("pdf");
    let Some(text) = pdf_text(&pdf) else {
        return;
    };
    let pages = text.matches('\u{c}').count().max(1);
    for page in 1..=pages {
        assert!(
            text.contains(&format!("Halaman {page} dari {pages}")),
            "page {page} of {pages}"
        );
    }
}

#[test]
fn hostile_text_still_renders() {
    let mut input = hand_month();
    let c = &mut input.complaints[0];
    c.summary = "🌊 banjir\u{0}\u{7}\r\n\t«»\u{202e}العربية ".repeat(500);
    c.follow_up = Some("x".repeat(20_000));
    c.ticket = "WB-\u{FEFF}2611-9999".into();
    c.agencies = vec![String::new(); 3];
    input.letterhead.address = String::new();
    input.signatory.name = "N".repeat(300);
    let pdf = render(&input, Format::Pdf).expect("pdf");
    assert_pdf_structure(&pdf);
}

#[test]
fn the_same_input_gives_the_same_pdf() {
    let input = hand_month();
    assert_eq!(
        render(&input, Format::Pdf).expect("pdf"),
        render(&input, Format::Pdf).expect("pdf")
    );
}
