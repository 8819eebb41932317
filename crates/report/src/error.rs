//! The one error type of the report crate.
//!
//! Statistics never fail (empty months and zero denominators are values, not errors);
//! only parsing a period or format and writing a file format can.

/// What can go wrong while preparing or rendering a monthly report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The period is not a `YYYY-MM` month between 1000-01 and 9998-12.
    #[error("periode tidak valid {0:?}: gunakan format YYYY-MM, misalnya 2026-11")]
    InvalidMonth(String),
    /// The requested format is not one of pdf, xlsx or csv.
    #[error("format laporan tidak dikenal {0:?}: pilih pdf, xlsx atau csv")]
    UnknownFormat(String),
    /// An embedded font could not be read (a broken build, never bad input).
    #[error("font bawaan tidak dapat dibaca: {0}")]
    Font(&'static str),
    /// The PDF writer refused the document.
    #[error("gagal membuat PDF: {0}")]
    Pdf(String),
    /// The XLSX writer refused the workbook.
    #[error("gagal membuat XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
