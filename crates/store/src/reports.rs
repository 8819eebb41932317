//! Generated monthly reports: the files live (sealed) in the media store; this table lists
//! them for the dashboard.

use crate::{Conn, Millis, StoreError};

/// A stored report.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct StoredReport {
    /// Row id.
    pub id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// `pdf`, `xlsx`, `csv`.
    pub format: String,
    /// Generated.
    pub created_at: Millis,
    /// Media store key.
    pub storage_key: String,
    /// Size.
    pub size_bytes: i64,
    /// `schedule` or `user:<name>`.
    pub generated_by: String,
}

/// Records a generated report.
pub async fn insert(
    c: &mut Conn<'_>,
    month: &str,
    format: &str,
    storage_key: &str,
    size: i64,
    generated_by: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO reports (month, format, created_at, storage_key, size_bytes, generated_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(month)
    .bind(format)
    .bind(now)
    .bind(storage_key)
    .bind(size)
    .bind(generated_by)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Reports, newest first.
pub async fn list(c: &mut Conn<'_>, limit: i64) -> Result<Vec<StoredReport>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, month, format, created_at, storage_key, size_bytes, generated_by FROM reports ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// One report.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<StoredReport>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT id, month, format, created_at, storage_key, size_bytes, generated_by FROM reports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// True when a scheduled report exists for the month and format.
pub async fn exists_scheduled(
    c: &mut Conn<'_>,
    month: &str,
    format: &str,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "SELECT id FROM reports WHERE month = $1 AND format = $2 AND generated_by = 'schedule' LIMIT 1",
    )
    .bind(month)
    .bind(format)
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}
