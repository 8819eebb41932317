//! The monthly report as an Excel workbook: one sheet per table, for staff who want
//! to filter, sort or re-chart the numbers.
//!
//! Every sheet has a formatted header row, frozen, with an autofilter. Counts are number
//! cells, percentages are fractions with a `%` format (87.5% is stored as 0.875),
//! durations are numbers in minutes or hours as the header says, and dates are real date
//! cells in local time (Excel has no time zones; headers say `WIB`). Values that do not
//! exist (a percentage of zero cases) are blank cells, not zeros. Native Excel charts
//! sit beside the daily series, the categories and the agency table.
//!
//! The numbers are the same [`MonthlyStats`] the PDF shows; the complaint list here is
//! complete and its texts uncut.

use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use crate::input::{ReportInput, Zone};
use crate::stats::{MonthlyStats, Share};
use crate::{ReportError, wording};

/// The sheet names, in workbook order.
pub const SHEETS: [&str; 11] = [
    "Ringkasan",
    "Per Hari",
    "Per Jenis",
    "Per Saluran",
    "Per Kategori",
    "Per OPD",
    "Per Kecamatan",
    "Kepatuhan Waktu",
    "Kinerja OPD",
    "Kepuasan",
    "Daftar Aduan",
];

/// A cell value.
enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Count(u64),
    /// A percentage 0–100, written as a fraction with a % format; `None` is blank.
    Percent(Option<f64>),
    /// A decimal number with one digit shown; `None` is blank.
    Decimal(Option<f64>),
    /// A local date.
    Date(jiff::civil::Date),
    /// A local date and time.
    DateTime(jiff::civil::DateTime),
}

struct Formats {
    header: Format,
    count: Format,
    percent: Format,
    decimal: Format,
    date: Format,
    date_time: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(0x00DC_E6F2)
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            count: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("#,##0.0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            date_time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// A column: header text, width in characters, whether its text wraps.
struct Col(&'static str, f64, bool);

/// Renders the workbook as XLSX bytes.
pub fn render(stats: &MonthlyStats, input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut properties = DocProperties::new()
        .set_title(format!(
            "Laporan Bulanan Wani Bares – {}",
            wording::period(stats.period)
        ))
        .set_author(input.letterhead.office.as_str())
        .set_company(input.letterhead.government.as_str());
    // A fixed creation time (in UTC, as the file format wants) keeps the file the same
    // for the same input.
    let utc = jiff::tz::Offset::UTC.to_datetime(input.generated_at);
    if let Ok(created) = excel_date_time(utc) {
        properties = properties.set_creation_datetime(&created);
    }
    workbook.set_properties(&properties);

    summary(&mut workbook, &formats, stats)?;
    per_day(&mut workbook, &formats, stats)?;
    share_sheet(&mut workbook, &formats, SHEETS[2], "Jenis", &stats.by_kind)?;
    share_sheet(
        &mut workbook,
        &formats,
        SHEETS[3],
        "Saluran",
        &stats.by_channel,
    )?;
    let categories = share_sheet(
        &mut workbook,
        &formats,
        SHEETS[4],
        "Kategori",
        &stats.by_category,
    )?;
    bar_chart(
        categories,
        SHEETS[4],
        stats.by_category.len().min(15),
        (1, 2),
        "Pengaduan menurut kategori",
        "Jumlah pengaduan",
        false,
        5,
    )?;
    share_sheet(&mut workbook, &formats, SHEETS[5], "OPD", &stats.by_agency)?;
    share_sheet(
        &mut workbook,
        &formats,
        SHEETS[6],
        "Kecamatan",
        &stats.by_kecamatan,
    )?;
    compliance(&mut workbook, &formats, stats)?;
    agencies(&mut workbook, &formats, stats)?;
    satisfaction(&mut workbook, &formats, stats)?;
    complaint_list(&mut workbook, &formats, stats, input)?;
    Ok(workbook.save_to_buffer()?)
}

/// Adds a sheet with a header row; returns it for the data rows.
fn new_sheet<'w>(
    workbook: &'w mut Workbook,
    formats: &Formats,
    name: &str,
    columns: &[Col],
) -> Result<&'w mut Worksheet, XlsxError> {
    // The complaint list can be 100,000 rows: that sheet streams its rows to a
    // temporary file instead of keeping every cell in memory.
    let sheet = if name == SHEETS[10] {
        workbook.add_worksheet_with_constant_memory()?
    } else {
        workbook.add_worksheet()
    };
    sheet.set_name(name)?;
    for (i, Col(title, width, _)) in columns.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(0, col, *title, &formats.header)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

/// Writes data rows under the header and sets the autofilter over them.
fn write_rows<'a>(
    sheet: &mut Worksheet,
    formats: &Formats,
    columns: &[Col],
    rows: impl IntoIterator<Item = Vec<Cell<'a>>>,
) -> Result<u32, XlsxError> {
    let mut row = 0_u32;
    for cells in rows {
        row += 1;
        for (i, cell) in cells.into_iter().enumerate() {
            let col = i as u16;
            let wrap = columns.get(i).is_some_and(|c| c.2);
            write_cell(sheet, formats, row, col, cell, wrap)?;
        }
    }
    let last_col = columns.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, row, last_col)?;
    Ok(row)
}

fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: Cell<'_>,
    wrap: bool,
) -> Result<(), XlsxError> {
    let text = |sheet: &mut Worksheet, s: &str| -> Result<(), XlsxError> {
        let s = excel_text(s);
        if wrap {
            sheet.write_string_with_format(row, col, s, &formats.wrap)?;
        } else {
            sheet.write_string(row, col, s)?;
        }
        Ok(())
    };
    match cell {
        Cell::Text(s) => text(sheet, s)?,
        Cell::Owned(s) => text(sheet, &s)?,
        Cell::Count(n) => {
            sheet.write_number_with_format(row, col, n as f64, &formats.count)?;
        }
        Cell::Percent(Some(p)) if p.is_finite() => {
            sheet.write_number_with_format(row, col, p / 100.0, &formats.percent)?;
        }
        Cell::Decimal(Some(v)) if v.is_finite() => {
            sheet.write_number_with_format(row, col, v, &formats.decimal)?;
        }
        Cell::Percent(_) | Cell::Decimal(_) => {}
        Cell::Date(d) => match excel_date(d) {
            Ok(date) => {
                sheet.write_datetime_with_format(row, col, &date, &formats.date)?;
            }
            Err(_) => text(sheet, &d.to_string())?,
        },
        Cell::DateTime(dt) => match excel_date_time(dt) {
            Ok(date) => {
                sheet.write_datetime_with_format(row, col, &date, &formats.date_time)?;
            }
            Err(_) => text(sheet, &dt.to_string())?,
        },
    }
    Ok(())
}

/// Excel's limit for one cell's text, in characters.
const MAX_CELL_CHARS: usize = 32_767;

/// `s`, cut to what one Excel cell holds (the full text would fail the whole workbook).
fn excel_text(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

/// A local date and time as an Excel date.
fn excel_date_time(dt: jiff::civil::DateTime) -> Result<ExcelDateTime, XlsxError> {
    excel_date(dt.date())?.and_hms(dt.hour() as u16, dt.minute() as u8, f64::from(dt.second()))
}

/// Excel dates start in 1900; earlier ones fall back to text.
fn excel_date(d: jiff::civil::Date) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

#[allow(clippy::too_many_arguments)] // one call per chart reads better than a builder here
fn bar_chart(
    sheet: &mut Worksheet,
    sheet_name: &str,
    rows: usize,
    (category_col, value_col): (u16, u16),
    title: &str,
    axis: &str,
    percent_axis: bool,
    at_col: u16,
) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    let last = rows as u32;
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_categories((sheet_name, 1, category_col, last, category_col))
        .set_values((sheet_name, 1, value_col, last, value_col))
        .set_name(axis);
    chart.title().set_name(title);
    chart.x_axis().set_reverse();
    chart.y_axis().set_name(axis);
    if percent_axis {
        chart.y_axis().set_min(0).set_max(1).set_num_format("0%");
    }
    chart.legend().set_hidden();
    sheet.insert_chart(1, at_col, &chart)?;
    Ok(())
}

fn summary(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
) -> Result<(), XlsxError> {
    let columns = [Col("Uraian", 60.0, false), Col("Jumlah", 12.0, false)];
    let sheet = new_sheet(workbook, formats, SHEETS[0], &columns)?;
    let t = &stats.totals;
    let rows = [
        ("Pengaduan diterima pada periode ini", t.received),
        ("Terverifikasi", t.verified),
        ("Ditolak", t.rejected),
        ("Belum lengkap pada akhir periode", t.incomplete),
        ("Dicabut / gugur", t.withdrawn),
        ("Selesai", t.closed),
        (
            "Masih terbuka pada akhir periode (dari pengaduan periode ini)",
            t.open_at_month_end,
        ),
        (
            "Pengaduan bulan sebelumnya yang masih terbuka",
            t.carried_over_open,
        ),
    ];
    let last = write_rows(
        sheet,
        formats,
        &columns,
        rows.iter()
            .map(|(label, n)| vec![Cell::Text(label), Cell::Count(*n)]),
    )?;
    let note_row = last + 2;
    sheet.write_string(
        note_row,
        0,
        format!("Periode: {}", wording::period(stats.period)),
    )?;
    if stats.is_empty() {
        sheet.write_string(note_row + 1, 0, crate::pdf::NO_COMPLAINTS)?;
    }
    Ok(())
}

fn per_day(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
) -> Result<(), XlsxError> {
    let columns = [
        Col("Tanggal", 12.0, false),
        Col("Jumlah pengaduan", 12.0, false),
    ];
    let sheet = new_sheet(workbook, formats, SHEETS[1], &columns)?;
    let last = write_rows(
        sheet,
        formats,
        &columns,
        stats
            .per_day
            .iter()
            .map(|d| vec![Cell::Date(d.date), Cell::Count(d.count)]),
    )?;
    if last > 0 {
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_categories((SHEETS[1], 1, 0, last, 0))
            .set_values((SHEETS[1], 1, 1, last, 1))
            .set_name("Jumlah pengaduan");
        chart.title().set_name("Jumlah pengaduan per hari");
        chart.x_axis().set_name("Tanggal").set_num_format("d");
        chart.y_axis().set_name("Jumlah");
        chart.legend().set_hidden();
        sheet.insert_chart(1, 3, &chart)?;
    }
    Ok(())
}

fn share_sheet<'w>(
    workbook: &'w mut Workbook,
    formats: &Formats,
    name: &str,
    title: &'static str,
    shares: &[Share],
) -> Result<&'w mut Worksheet, XlsxError> {
    let columns = [
        Col("No", 5.0, false),
        Col(title, 45.0, false),
        Col("Jumlah", 10.0, false),
        Col("Persentase", 12.0, false),
    ];
    let sheet = new_sheet(workbook, formats, name, &columns)?;
    write_rows(
        sheet,
        formats,
        &columns,
        shares.iter().enumerate().map(|(i, s)| {
            vec![
                Cell::Count(i as u64 + 1),
                Cell::Text(&s.label),
                Cell::Count(s.count),
                Cell::Percent(Some(s.percent)),
            ]
        }),
    )?;
    Ok(sheet)
}

fn compliance(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
) -> Result<(), XlsxError> {
    let columns = [
        Col("Tahap", 26.0, false),
        Col("Kode tahap", 14.0, false),
        Col("Target SOP", 16.0, false),
        Col("Dimulai", 10.0, false),
        Col("Selesai", 10.0, false),
        Col("Tepat waktu", 10.0, false),
        Col("Terlambat", 10.0, false),
        Col("Belum jatuh tempo", 12.0, false),
        Col("% Tepat waktu", 12.0, false),
        Col("Median (menit)", 12.0, false),
        Col("Persentil 90 (menit)", 12.0, false),
    ];
    let sheet = new_sheet(workbook, formats, SHEETS[7], &columns)?;
    write_rows(
        sheet,
        formats,
        &columns,
        stats.steps.iter().map(|s| {
            vec![
                Cell::Text(&s.label),
                Cell::Text(&s.step),
                Cell::Text(s.target_label.as_deref().unwrap_or("")),
                Cell::Count(s.started),
                Cell::Count(s.done),
                Cell::Count(s.on_time),
                Cell::Count(s.late),
                Cell::Count(s.pending),
                Cell::Percent(s.on_time_percent),
                Cell::Decimal(s.median_minutes),
                Cell::Decimal(s.p90_minutes),
            ]
        }),
    )?;
    Ok(())
}

fn agencies(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
) -> Result<(), XlsxError> {
    let columns = [
        Col("Kode", 10.0, false),
        Col("OPD", 40.0, false),
        Col("Didisposisi", 11.0, false),
        Col("Dijawab", 10.0, false),
        Col("Tepat waktu", 10.0, false),
        Col("Terlambat", 10.0, false),
        Col("% Tepat waktu", 12.0, false),
        Col("Median waktu jawab (jam)", 14.0, false),
        Col("Terbuka > 3 hari", 12.0, false),
    ];
    let sheet = new_sheet(workbook, formats, SHEETS[8], &columns)?;
    write_rows(
        sheet,
        formats,
        &columns,
        stats.agencies.iter().map(|a| {
            vec![
                Cell::Text(&a.code),
                Cell::Text(&a.name),
                Cell::Count(a.dispatched),
                Cell::Count(a.answered),
                Cell::Count(a.on_time),
                Cell::Count(a.late),
                Cell::Percent(a.on_time_percent),
                Cell::Decimal(a.median_answer_hours),
                Cell::Count(a.open_over_3_days),
            ]
        }),
    )?;
    bar_chart(
        sheet,
        SHEETS[8],
        stats.agencies.len().min(20),
        (1, 6),
        "Ketepatan waktu jawaban per OPD",
        "% dijawab tepat waktu",
        true,
        10,
    )
}

fn satisfaction(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
) -> Result<(), XlsxError> {
    let columns = [Col("Uraian", 50.0, false), Col("Nilai", 16.0, false)];
    let sheet = new_sheet(workbook, formats, SHEETS[9], &columns)?;
    let s = &stats.satisfaction;
    if s.respondents == 0 {
        write_rows(
            sheet,
            formats,
            &columns,
            [
                vec![Cell::Text("Jumlah responden"), Cell::Count(0)],
                vec![
                    Cell::Text("Belum ada data kepuasan pada periode ini."),
                    Cell::Text(""),
                ],
            ],
        )?;
        return Ok(());
    }
    let mut rows = vec![
        vec![Cell::Text("Jumlah responden"), Cell::Count(s.respondents)],
        vec![
            Cell::Text("Rata-rata nilai (1–5)"),
            Cell::Decimal(s.average),
        ],
        vec![Cell::Text("Indeks SKM (25–100)"), Cell::Decimal(s.skm)],
        vec![
            Cell::Text("Mutu pelayanan"),
            Cell::Text(s.skm.map_or("", wording::skm_grade)),
        ],
        vec![
            Cell::Text("Menyatakan masalahnya selesai"),
            Cell::Count(s.resolved),
        ],
        vec![
            Cell::Text("Menyatakan masalahnya selesai (%)"),
            Cell::Percent(s.resolved_percent),
        ],
    ];
    for (i, n) in s.distribution.iter().enumerate().rev() {
        rows.push(vec![
            Cell::Owned(format!("Responden yang memberi nilai {}", i + 1)),
            Cell::Count(*n),
        ]);
    }
    rows.push(vec![
        Cell::Text("Jawaban tidak sah (di luar 1–5)"),
        Cell::Count(s.invalid),
    ]);
    write_rows(sheet, formats, &columns, rows)?;
    // The average and SKM deserve two decimals.
    let two = Format::new().set_num_format("0.00");
    if let (Some(avg), Some(skm)) = (s.average, s.skm) {
        sheet.write_number_with_format(2, 1, avg, &two)?;
        sheet.write_number_with_format(3, 1, skm, &two)?;
    }
    Ok(())
}

fn complaint_list(
    workbook: &mut Workbook,
    formats: &Formats,
    stats: &MonthlyStats,
    input: &ReportInput,
) -> Result<(), XlsxError> {
    let date_header = match stats.zone {
        Zone::Wib => "Tanggal (WIB)",
        Zone::Wita => "Tanggal (WITA)",
        Zone::Wit => "Tanggal (WIT)",
    };
    let columns = [
        Col("No", 7.0, false),
        Col("Nomor Tiket", 16.0, false),
        Col(date_header, 17.0, false),
        Col("Jenis", 11.0, false),
        Col("Kategori", 20.0, false),
        Col("OPD", 28.0, true),
        Col("Kecamatan", 14.0, false),
        Col("Ringkasan", 50.0, true),
        Col("Tindak Lanjut", 45.0, true),
        Col("Status", 18.0, false),
    ];
    let sheet = new_sheet(workbook, formats, SHEETS[10], &columns)?;
    let zone = stats.zone;
    write_rows(
        sheet,
        formats,
        &columns,
        stats.listed_complaints(input).enumerate().map(|(i, c)| {
            vec![
                Cell::Count(i as u64 + 1),
                Cell::Text(&c.ticket),
                Cell::DateTime(zone.local(c.created_at)),
                Cell::Text(wording::kind(c.kind.trim())),
                Cell::Text(c.category.as_deref().unwrap_or("")),
                Cell::Owned(c.agencies.join(", ")),
                Cell::Text(c.kecamatan.as_deref().unwrap_or("")),
                Cell::Text(&c.summary),
                Cell::Text(c.follow_up.as_deref().unwrap_or("")),
                Cell::Text(wording::status(c.status_at_month_end.trim())),
            ]
        }),
    )?;
    Ok(())
}
