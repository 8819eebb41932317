//! The monthly report as a PDF letter to the Bupati: A4 portrait, kop surat, tables,
//! three vector bar charts, the complaint list and the Kadis's signature block.
//!
//! Written with `krilla` (fonts embedded and subset, text extractable by `pdftotext`);
//! why that library and what it costs to build is in `docs/report-pdf.md`. The page
//! layout is ours (the private `layout` module): a display list first, then the PDF,
//! so every page can say "Halaman X dari Y".
//!
//! The complaint list shows at most [`LIST_LIMIT`] complaints, oldest first; a longer
//! month says how many are shown and that the full list is in the XLSX/CSV attachment
//! (a 100,000-complaint month would otherwise be some 5,000 pages that nobody reads).
//! Cells are cut after a few lines; the full texts are in the XLSX/CSV too.

mod chart;
mod font;
mod layout;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use self::chart::{Bar, Scale};
use self::font::Fonts;
use self::layout::{
    Align, BODY_BOTTOM, CONTENT_WIDTH, Column, Flow, GREY, MARGIN_X, Op, PAGE_HEIGHT, PAGE_WIDTH,
    RULE, Rgb, Row, Style, Table,
};
use crate::input::ReportInput;
use crate::stats::{MonthlyStats, Share};
use crate::{ReportError, wording};

/// The most complaints the PDF lists; the XLSX and CSV always list them all.
pub const LIST_LIMIT: usize = 2_000;

/// The title line of the report.
pub const TITLE: &str = "LAPORAN BULANAN PENGADUAN MASYARAKAT WANI BARES";

/// Shown instead of the tables when nothing was received.
pub const NO_COMPLAINTS: &str = "Tidak ada pengaduan pada periode ini.";

/// Renders the report as PDF bytes.
pub fn render(stats: &MonthlyStats, input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let mut flow = Flow::new(&fonts);
    letterhead(&mut flow, input);
    opening(&mut flow, stats, input);
    summary(&mut flow, stats);
    breakdowns(&mut flow, stats);
    compliance(&mut flow, stats);
    agencies(&mut flow, stats);
    satisfaction(&mut flow, stats);
    charts(&mut flow, stats);
    complaint_list(&mut flow, stats, input);
    signature(&mut flow, input);
    let mut pages = flow.finish();
    footers(&fonts, &mut pages, stats);
    write_pdf(&fonts, &pages, stats, input)
}

/// Categories in the chart; the rest are one "Lainnya" bar.
const CHART_CATEGORIES: usize = 10;

/// Height of the signature block, kept on one page.
const SIGNATURE_HEIGHT: f32 = 150.0;

const BODY: Style = Style::regular(9.5);
const SMALL: Style = Style::grey(7.5);

fn letterhead(flow: &mut Flow<'_>, input: &ReportInput) {
    let head = &input.letterhead;
    flow.paragraph(
        &head.government.to_uppercase(),
        Style::bold(13.0),
        Align::Center,
    );
    flow.paragraph(
        &head.office.to_uppercase(),
        Style::bold(15.0),
        Align::Center,
    );
    flow.paragraph(&head.address, Style::regular(8.5), Align::Center);
    for contact in head.contact_lines.iter().filter(|l| !l.trim().is_empty()) {
        flow.paragraph(contact, Style::regular(8.5), Align::Center);
    }
    flow.y += 3.0;
    let y = flow.y;
    flow.push(Op::Line {
        x1: MARGIN_X,
        y1: y,
        x2: MARGIN_X + CONTENT_WIDTH,
        y2: y,
        width: 2.2,
        color: layout::BLACK,
    });
    flow.push(Op::Line {
        x1: MARGIN_X,
        y1: y + 2.6,
        x2: MARGIN_X + CONTENT_WIDTH,
        y2: y + 2.6,
        width: 0.6,
        color: layout::BLACK,
    });
    flow.y = y + 14.0;
}

fn opening(flow: &mut Flow<'_>, stats: &MonthlyStats, input: &ReportInput) {
    flow.paragraph("Kepada Yth.", BODY, Align::Left);
    flow.paragraph(&input.recipient, Style::bold(9.5), Align::Left);
    flow.paragraph(&format!("di {}", input.letterhead.city), BODY, Align::Left);
    flow.space(12.0);
    flow.paragraph(TITLE, Style::bold(12.0), Align::Center);
    flow.paragraph(
        &format!("Periode: {}", wording::period(stats.period)),
        Style::bold(10.0),
        Align::Center,
    );
    flow.space(10.0);
    let first = wording::date_long(stats.period.first_day());
    let last = wording::date_long(stats.period.last_day());
    flow.paragraph(
        &format!(
            "Bersama ini kami sampaikan laporan bulanan pengelolaan pengaduan masyarakat melalui \
             layanan Wani Bares Kabupaten {} untuk periode {first} sampai dengan {last} \
             (waktu {}). Angka dihitung dari waktu kejadian yang tercatat sampai dengan akhir \
             periode, sehingga laporan ini tetap sama kapan pun dibuat ulang.",
            input.letterhead.city,
            stats.zone.abbreviation()
        ),
        BODY,
        Align::Left,
    );
    if stats.is_empty() {
        flow.space(6.0);
        flow.paragraph(NO_COMPLAINTS, Style::bold(10.0), Align::Left);
    }
}

fn summary(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    let t = &stats.totals;
    flow.heading("A. Ringkasan", 120.0);
    let rows = [
        ("Pengaduan diterima pada periode ini", t.received),
        ("Terverifikasi (lengkap dan teregistrasi)", t.verified),
        ("Ditolak", t.rejected),
        ("Belum lengkap pada akhir periode", t.incomplete),
        ("Dicabut / gugur", t.withdrawn),
        ("Selesai (jawaban dan tindak lanjut dikirim)", t.closed),
        (
            "Masih terbuka pada akhir periode (dari pengaduan periode ini)",
            t.open_at_month_end,
        ),
        (
            "Pengaduan bulan sebelumnya yang masih terbuka",
            t.carried_over_open,
        ),
    ];
    let table = Table {
        columns: vec![
            Column::new("Uraian", 5.0, Align::Left),
            Column::new("Jumlah", 1.2, Align::Right),
        ],
        size: 9.0,
        max_lines: 3,
        striped: false,
    };
    flow.table(
        &table,
        rows.iter()
            .map(|(label, n)| Row::new(vec![(*label).to_owned(), wording::count(*n)])),
    );
    flow.space(3.0);
    flow.paragraph(
        "Terverifikasi, ditolak, dicabut dan selesai dihitung menurut tanggal kejadiannya di \
         dalam periode, termasuk pengaduan yang masuk pada bulan sebelumnya. Pengaduan yang \
         belum lengkap termasuk yang masih terbuka.",
        SMALL,
        Align::Left,
    );
}

fn share_table(flow: &mut Flow<'_>, heading: &str, title: &str, shares: &[Share]) {
    flow.heading(heading, 50.0);
    if shares.is_empty() {
        flow.paragraph(NO_COMPLAINTS, BODY, Align::Left);
        return;
    }
    let table = Table {
        columns: vec![
            Column::new("No", 0.5, Align::Right),
            Column::new(title, 5.0, Align::Left),
            Column::new("Jumlah", 1.2, Align::Right),
            Column::new("Persentase", 1.2, Align::Right),
        ],
        size: 8.5,
        max_lines: 3,
        striped: true,
    };
    flow.table(
        &table,
        shares.iter().enumerate().map(|(i, s)| {
            Row::new(vec![
                (i + 1).to_string(),
                s.label.clone(),
                wording::count(s.count),
                wording::percent(Some(s.percent)),
            ])
        }),
    );
}

fn breakdowns(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    share_table(flow, "B. Pengaduan menurut Jenis", "Jenis", &stats.by_kind);
    share_table(
        flow,
        "C. Pengaduan menurut Saluran",
        "Saluran",
        &stats.by_channel,
    );
    share_table(
        flow,
        "D. Pengaduan menurut Kategori",
        "Kategori",
        &stats.by_category,
    );
    share_table(
        flow,
        "E. Pengaduan menurut OPD Tujuan",
        "OPD",
        &stats.by_agency,
    );
    if !stats.by_agency.is_empty() {
        flow.space(2.0);
        flow.paragraph(
            "Satu pengaduan dapat diteruskan ke lebih dari satu OPD, sehingga jumlah persentase \
             dapat melebihi 100%.",
            SMALL,
            Align::Left,
        );
    }
    share_table(
        flow,
        "F. Pengaduan menurut Kecamatan",
        "Kecamatan",
        &stats.by_kecamatan,
    );
}

fn compliance(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    flow.heading("G. Kepatuhan Waktu per Tahap SOP", 80.0);
    let table = Table {
        columns: vec![
            Column::new("Tahap", 2.6, Align::Left),
            Column::new("Target SOP", 1.5, Align::Left),
            Column::new("Dimulai", 1.0, Align::Right),
            Column::new("Selesai", 1.0, Align::Right),
            Column::new("Tepat waktu", 1.0, Align::Right),
            Column::new("Terlambat", 1.1, Align::Right),
            Column::new("Belum jatuh tempo", 1.1, Align::Right),
            Column::new("% Tepat waktu", 1.1, Align::Right),
            Column::new("Median", 1.3, Align::Right),
            Column::new("Persentil 90", 1.3, Align::Right),
        ],
        size: 7.5,
        max_lines: 3,
        striped: true,
    };
    flow.table(
        &table,
        stats.steps.iter().map(|s| {
            Row::new(vec![
                s.label.clone(),
                s.target_label
                    .clone()
                    .unwrap_or_else(|| wording::NONE.to_owned()),
                wording::count(s.started),
                wording::count(s.done),
                wording::count(s.on_time),
                wording::count(s.late),
                wording::count(s.pending),
                wording::percent(s.on_time_percent),
                wording::duration_minutes(s.median_minutes),
                wording::duration_minutes(s.p90_minutes),
            ])
        }),
    );
    flow.space(3.0);
    flow.paragraph(
        "Dihitung dari tahap yang dimulai pada periode ini. Tepat waktu: selesai sebelum batas \
         waktunya. Terlambat: selesai setelah batas waktu, atau belum selesai padahal batas \
         waktunya sudah lewat pada akhir periode. Persentase = tepat waktu ÷ (tepat waktu + \
         terlambat). Median dan persentil ke-90 waktu penyelesaian memakai metode peringkat \
         terdekat (nearest rank).",
        SMALL,
        Align::Left,
    );
}

fn hours(value: Option<f64>) -> String {
    value.map_or_else(
        || wording::NONE.to_owned(),
        |h| format!("{} jam", wording::decimal(h, 1)),
    )
}

fn agencies(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    flow.heading("H. Kinerja OPD", 60.0);
    if stats.agencies.is_empty() {
        flow.paragraph(
            "Tidak ada disposisi ke OPD pada periode ini.",
            BODY,
            Align::Left,
        );
        return;
    }
    let table = Table {
        columns: vec![
            Column::new("No", 0.5, Align::Right),
            Column::new("OPD", 4.0, Align::Left),
            Column::new("Didisposisi", 1.2, Align::Right),
            Column::new("Dijawab", 1.1, Align::Right),
            Column::new("% Tepat waktu", 1.2, Align::Right),
            Column::new("Median waktu jawab", 1.4, Align::Right),
            Column::new("Terbuka > 3 hari", 1.2, Align::Right),
        ],
        size: 8.0,
        max_lines: 3,
        striped: true,
    };
    flow.table(
        &table,
        stats.agencies.iter().enumerate().map(|(i, a)| {
            Row::new(vec![
                (i + 1).to_string(),
                a.name.clone(),
                wording::count(a.dispatched),
                wording::count(a.answered),
                wording::percent(a.on_time_percent),
                hours(a.median_answer_hours),
                wording::count(a.open_over_3_days),
            ])
        }),
    );
    flow.space(3.0);
    flow.paragraph(
        "Didisposisi dan dijawab: disposisi pada periode ini. Terbuka > 3 hari: semua disposisi \
         yang belum dijawab pada akhir periode dan sudah lebih dari 3 hari (72 jam) sejak \
         didisposisikan, termasuk dari bulan sebelumnya.",
        SMALL,
        Align::Left,
    );
}

fn satisfaction(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    let s = &stats.satisfaction;
    flow.heading("I. Kepuasan Masyarakat", 60.0);
    let (Some(average), Some(skm)) = (s.average, s.skm) else {
        flow.paragraph(
            "Belum ada data kepuasan pada periode ini.",
            BODY,
            Align::Left,
        );
        return;
    };
    let table = Table {
        columns: vec![
            Column::new("Uraian", 4.0, Align::Left),
            Column::new("Nilai", 2.0, Align::Right),
        ],
        size: 9.0,
        max_lines: 2,
        striped: false,
    };
    let mut rows = vec![
        Row::new(vec![
            "Jumlah responden".into(),
            wording::count(s.respondents),
        ]),
        Row::new(vec![
            "Rata-rata nilai (skala 1–5)".into(),
            wording::decimal(average, 2),
        ]),
        Row::bold(vec![
            "Indeks Kepuasan Masyarakat / SKM (skala 25–100)".into(),
            wording::decimal(skm, 2),
        ]),
        Row::new(vec![
            "Mutu pelayanan".into(),
            wording::skm_grade(skm).into(),
        ]),
        Row::new(vec![
            "Menyatakan masalahnya selesai".into(),
            format!(
                "{} ({})",
                wording::count(s.resolved),
                wording::percent(s.resolved_percent)
            ),
        ]),
    ];
    for (i, n) in s.distribution.iter().enumerate().rev() {
        rows.push(Row::new(vec![
            format!("Responden yang memberi nilai {}", i + 1),
            wording::count(*n),
        ]));
    }
    flow.table(&table, rows);
    flow.space(3.0);
    flow.paragraph(
        "SKM = 25 + (rata-rata nilai − 1) × 18,75, yaitu nilai 1–5 dipetakan ke skala 25–100. \
         Mutu pelayanan menurut PermenPANRB 14/2017: A 88,31–100; \
         B 76,61–88,30; C 65,00–76,60; D 25,00–64,99.",
        SMALL,
        Align::Left,
    );
}

fn charts(flow: &mut Flow<'_>, stats: &MonthlyStats) {
    flow.heading("J. Grafik", 200.0);
    let per_day: Vec<Bar> = stats
        .per_day
        .iter()
        .map(|d| Bar {
            label: d.date.day().to_string(),
            value: d.count as f64,
        })
        .collect();
    chart::columns(
        flow,
        "Jumlah pengaduan per hari",
        &per_day,
        &format!("Tanggal ({})", wording::period(stats.period)),
        "Jumlah pengaduan",
    );
    flow.space(10.0);

    let mut categories: Vec<Bar> = stats
        .by_category
        .iter()
        .take(CHART_CATEGORIES)
        .map(|s| Bar {
            label: s.label.clone(),
            value: s.count as f64,
        })
        .collect();
    let rest: u64 = stats
        .by_category
        .iter()
        .skip(CHART_CATEGORIES)
        .map(|s| s.count)
        .sum();
    if rest > 0 {
        categories.push(Bar {
            label: "Lainnya".into(),
            value: rest as f64,
        });
    }
    chart::rows(
        flow,
        "Pengaduan menurut kategori",
        &categories,
        "Jumlah pengaduan",
        Scale::Count,
    );
    flow.space(10.0);

    let on_time: Vec<Bar> = stats
        .on_time_by_agency()
        .into_iter()
        .take(15)
        .map(|(name, p)| Bar {
            label: name.to_owned(),
            value: p,
        })
        .collect();
    chart::rows(
        flow,
        "Ketepatan waktu jawaban per OPD",
        &on_time,
        "% dijawab tepat waktu",
        Scale::Percent,
    );
}

fn complaint_list(flow: &mut Flow<'_>, stats: &MonthlyStats, input: &ReportInput) {
    flow.heading("K. Daftar Pengaduan", 60.0);
    let total = stats.listed.len();
    if total == 0 {
        flow.paragraph(NO_COMPLAINTS, BODY, Align::Left);
        return;
    }
    if total > LIST_LIMIT {
        flow.paragraph(
            &format!(
                "Daftar berikut memuat {} pengaduan pertama dari {} pengaduan pada periode ini. \
                 Daftar lengkap terdapat pada lampiran berkas XLSX/CSV.",
                wording::count(LIST_LIMIT as u64),
                wording::count(total as u64)
            ),
            SMALL,
            Align::Left,
        );
        flow.space(3.0);
    }
    let table = Table {
        columns: vec![
            Column::new("No", 0.45, Align::Right),
            Column::new("Nomor Tiket", 1.35, Align::Left),
            Column::new("Tanggal", 1.0, Align::Left),
            Column::new("Kategori", 1.25, Align::Left),
            Column::new("OPD", 1.3, Align::Left),
            Column::new("Ringkasan", 2.15, Align::Left),
            Column::new("Tindak Lanjut", 1.75, Align::Left),
            Column::new("Status", 1.1, Align::Left),
        ],
        size: 7.0,
        max_lines: 8,
        striped: true,
    };
    let zone = stats.zone;
    flow.table(
        &table,
        stats
            .listed_complaints(input)
            .take(LIST_LIMIT)
            .enumerate()
            .map(|(i, c)| {
                Row::new(vec![
                    (i + 1).to_string(),
                    c.ticket.clone(),
                    wording::date_time(c.created_at, zone),
                    c.category
                        .clone()
                        .unwrap_or_else(|| wording::NONE.to_owned()),
                    if c.agencies.is_empty() {
                        wording::NONE.to_owned()
                    } else {
                        c.agencies.join(", ")
                    },
                    c.summary.clone(),
                    c.follow_up
                        .clone()
                        .unwrap_or_else(|| wording::NONE.to_owned()),
                    wording::status(c.status_at_month_end.trim()).to_owned(),
                ])
            }),
    );
    flow.space(3.0);
    flow.paragraph(
        "Status adalah status pada akhir periode. Teks yang panjang dipotong; teks lengkap \
         terdapat pada lampiran XLSX/CSV.",
        SMALL,
        Align::Left,
    );
}

fn signature(flow: &mut Flow<'_>, input: &ReportInput) {
    flow.space(10.0);
    // The closing sentence stays on the page of the signature.
    flow.ensure(SIGNATURE_HEIGHT + 40.0);
    flow.paragraph(
        "Demikian laporan ini kami sampaikan. Atas perhatian dan arahannya, kami ucapkan \
         terima kasih.",
        BODY,
        Align::Left,
    );
    let signer = &input.signatory;
    let date = input.zone.local(input.generated_at).date();
    let x = MARGIN_X + CONTENT_WIDTH * 0.5;
    let width = CONTENT_WIDTH * 0.5;
    flow.space(14.0);
    flow.ensure(SIGNATURE_HEIGHT);
    flow.paragraph_in(
        x,
        width,
        &format!("{}, {}", input.letterhead.city, wording::date_long(date)),
        BODY,
        Align::Center,
    );
    flow.paragraph_in(x, width, &signer.title, Style::bold(9.5), Align::Center);
    flow.paragraph_in(
        x,
        width,
        &format!("Kabupaten {}", input.letterhead.city),
        Style::bold(9.5),
        Align::Center,
    );
    flow.space(56.0);
    let name_style = Style::bold(10.0);
    let name = flow.fonts.clean(&signer.name);
    let name_width = flow.width(&name, name_style).min(width);
    flow.paragraph_in(x, width, &signer.name, name_style, Align::Center);
    let underline_y = flow.y - 1.5;
    flow.push(Op::Line {
        x1: x + (width - name_width) / 2.0,
        y1: underline_y,
        x2: x + f32::midpoint(width, name_width),
        y2: underline_y,
        width: 0.7,
        color: layout::BLACK,
    });
    if !signer.rank.trim().is_empty() {
        flow.paragraph_in(x, width, &signer.rank, BODY, Align::Center);
    }
    flow.paragraph_in(
        x,
        width,
        &format!("NIP. {}", signer.nip),
        BODY,
        Align::Center,
    );
}

fn footers(fonts: &Fonts, pages: &mut [Vec<Op>], stats: &MonthlyStats) {
    let total = pages.len();
    let style = Style::grey(7.5);
    let face = fonts.face(false);
    let left = fonts.clean(&format!(
        "Laporan Bulanan Wani Bares – {}",
        wording::period(stats.period)
    ));
    let y = BODY_BOTTOM + 16.0;
    let baseline = y + face.ascent * style.size;
    for (i, page) in pages.iter_mut().enumerate() {
        page.push(Op::Line {
            x1: MARGIN_X,
            y1: y - 4.0,
            x2: MARGIN_X + CONTENT_WIDTH,
            y2: y - 4.0,
            width: 0.4,
            color: RULE,
        });
        page.push(Op::Text {
            x: MARGIN_X,
            y: baseline,
            size: style.size,
            bold: false,
            color: GREY,
            text: left.clone(),
        });
        let right = format!("Halaman {} dari {}", i + 1, total);
        let w = face.width(&right, style.size);
        page.push(Op::Text {
            x: MARGIN_X + CONTENT_WIDTH - w,
            y: baseline,
            size: style.size,
            bold: false,
            color: GREY,
            text: right,
        });
    }
}

fn paint(color: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(color.0, color.1, color.2).into()
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        } => {
            let face = fonts.face(*bold);
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: paint(*color),
                opacity: NormalizedF32::ONE,
                rule: krilla::paint::FillRule::NonZero,
            }));
            let glyphs = face.glyphs(text);
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                face.font.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(rect);
            let Some(path) = builder.finish() else {
                return;
            };
            surface.set_fill(fill.map(|c| Fill {
                paint: paint(c),
                opacity: NormalizedF32::ONE,
                rule: krilla::paint::FillRule::NonZero,
            }));
            surface.set_stroke(stroke.map(|(c, width)| Stroke {
                paint: paint(c),
                width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } => {
            let mut builder = PathBuilder::new();
            builder.move_to(*x1, *y1);
            builder.line_to(*x2, *y2);
            let Some(path) = builder.finish() else {
                return;
            };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: paint(*color),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
    }
}

fn write_pdf(
    fonts: &Fonts,
    pages: &[Vec<Op>],
    stats: &MonthlyStats,
    input: &ReportInput,
) -> Result<Vec<u8>, ReportError> {
    let mut document = Document::new();
    let created = input.zone.local(input.generated_at);
    let offset_hours = (input.zone.offset().seconds() / 3600) as i8;
    document.set_metadata(
        Metadata::new()
            .title(format!("{TITLE} – {}", wording::period(stats.period)))
            .authors(vec![input.letterhead.office.clone()])
            .creator("Wani Bares".to_owned())
            .language("id-ID".to_owned())
            .creation_date(
                PdfDateTime::new(created.year().max(0) as u16)
                    .month(created.month() as u8)
                    .day(created.day() as u8)
                    .hour(created.hour() as u8)
                    .minute(created.minute() as u8)
                    .second(created.second() as u8)
                    .utc_offset_hour(offset_hours),
            ),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ReportError::Pdf("ukuran halaman tidak valid".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}
