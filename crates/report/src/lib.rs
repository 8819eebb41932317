//! The monthly report of Wani Bares to the Bupati (Regent) of Magetan.
//!
//! The server reads one month of complaints, workflow steps, dispatches and survey
//! answers from its database into an [`input::ReportInput`]; [`stats::compute`] turns
//! it into every number of the report ([`stats::MonthlyStats`]), and the three renderers
//! ([`pdf::render`], [`xlsx::render`], [`csv::render`]) only lay those numbers out.
//! Nothing here reads the wall clock or a database: the same input gives the same
//! report, whether it runs on the first day of the next month or a year later.
//!
//! All text the reader sees is in Bahasa Indonesia.

pub mod csv;
pub mod input;
pub mod pdf;
pub mod stats;
pub mod xlsx;

mod error;
mod wording;

pub use error::ReportError;

use std::fmt;
use std::str::FromStr;

/// The file formats a monthly report can be rendered to (`--format pdf|xlsx|csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The signed letter to the Bupati, A4 portrait, with tables and charts.
    Pdf,
    /// A workbook with a sheet per table and native Excel charts.
    Xlsx,
    /// The month's complaint list only.
    Csv,
}

impl Format {
    /// The file extension, also the name used on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    /// The MIME type for a download from the dashboard.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// A download file name such as `laporan-wani-bares-2026-11.pdf`.
    pub fn file_name(self, period: input::Month) -> String {
        format!("laporan-wani-bares-{period}.{}", self.extension())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Self::Pdf),
            "xlsx" => Ok(Self::Xlsx),
            "csv" => Ok(Self::Csv),
            _ => Err(ReportError::UnknownFormat(s.to_owned())),
        }
    }
}

/// Computes the statistics once and renders the report in `format`.
///
/// This is what `wani-bares report monthly` and the dashboard download call; a caller
/// that needs several formats should call [`stats::compute`] once and the renderers.
pub fn render(input: &input::ReportInput, format: Format) -> Result<Vec<u8>, ReportError> {
    let stats = stats::compute(input);
    match format {
        Format::Pdf => pdf::render(&stats, input),
        Format::Xlsx => xlsx::render(&stats, input),
        Format::Csv => csv::render(&stats, input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_command_line_names() {
        assert_eq!("pdf".parse::<Format>().ok(), Some(Format::Pdf));
        assert_eq!(" XLSX ".parse::<Format>().ok(), Some(Format::Xlsx));
        assert_eq!("csv".parse::<Format>().ok(), Some(Format::Csv));
        assert!(matches!(
            "docx".parse::<Format>(),
            Err(ReportError::UnknownFormat(_))
        ));
    }

    #[test]
    fn a_download_is_named_after_the_period() {
        let month = input::Month::new(2026, 11).expect("valid month");
        assert_eq!(
            Format::Xlsx.file_name(month),
            "laporan-wani-bares-2026-11.xlsx"
        );
    }
}
