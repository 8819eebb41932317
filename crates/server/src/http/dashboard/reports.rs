//! The monthly report to the Bupati in the dashboard: pick a month and a format (PDF,
//! Excel, CSV) to download it now, or download one of the reports generated on the 1st of
//! each month. For everyone but agency users (viewer — the Regent's office —, kadis,
//! kabid, admin, superadmin).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use wani_bares_report::Format;
use wani_bares_report::input::Month;

use super::session::WebStaff;
use super::{Chrome, PageError, fmt_time, page};
use crate::error::AppError;
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/laporan", get(list))
        .route("/laporan/unduh", get(download))
        .route("/laporan/{id}", get(stored))
}

/// A stored report, formatted.
#[derive(Clone, Debug)]
pub struct Row {
    /// Id.
    pub id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// `PDF`, `XLSX`, `CSV`.
    pub format: String,
    /// When.
    pub at: String,
    /// Size, "12 KB".
    pub size: String,
    /// Who.
    pub by: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    month: String,
    rows: Vec<Row>,
}

async fn list(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
) -> Result<Response, PageError> {
    crate::services::reports::may_read(staff.role)?;
    let cal = state.calendar.read().await.clone();
    let local = cal.local(state.clock.now());
    let mut r = state.store.reader().await?;
    let rows = wani_bares_store::reports::list(&mut r.conn(), 60)
        .await?
        .into_iter()
        .map(|x| Row {
            id: x.id,
            month: x.month,
            format: x.format.to_uppercase(),
            at: fmt_time(&cal, x.created_at),
            size: format!("{} KB", (x.size_bytes + 1023) / 1024),
            by: if x.generated_by == "schedule" {
                "otomatis".into()
            } else {
                x.generated_by
            },
        })
        .collect();
    drop(r);
    let chrome = Chrome::build(&state, &staff, "reports", None).await?;
    Ok(page(&ReportsPage {
        chrome,
        month: crate::services::reports::previous_month(&local),
        rows,
    }))
}

async fn download(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    crate::services::reports::may_read(staff.role)?;
    let month = q
        .get("bulan")
        .map(|m| m.trim().to_owned())
        .unwrap_or_default();
    Month::parse(&month)
        .map_err(|_| AppError::Invalid("pilih bulan laporan (misalnya 2026-11)".into()))?;
    let format: Format = q
        .get("format")
        .map_or("pdf", String::as_str)
        .parse()
        .map_err(|_| AppError::Invalid("format laporan: pdf, xlsx atau csv".into()))?;
    let rendered = crate::services::reports::render(&state, &month, format)
        .await
        .map_err(AppError::Internal)?;
    Ok(crate::http::api::download(
        rendered.content_type,
        &rendered.file_name,
        rendered.bytes,
    ))
}

async fn stored(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    crate::services::reports::may_read(staff.role)?;
    let report = crate::services::reports::stored(&state, id).await?;
    Ok(crate::http::api::download(
        report.content_type,
        &report.file_name,
        report.bytes,
    ))
}
