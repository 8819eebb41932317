//! Black-box tests of the report crate: hand-computed statistics, and the PDF, XLSX and
//! CSV checked the way a reader would (text extracted by `pdftotext`, the workbook
//! unzipped, the CSV parsed back).

mod csv;
mod fixture;
mod pdf;
mod properties;
mod scale;
mod stats;
mod xlsx;
