//! Settings: editable key/value configuration kept in the database (letterhead, bot texts
//! overrides, step targets, WhatsApp template names…). Keys are dotted names such as
//! `report.signatory_name` or `text.intake_greeting`; values are strings (JSON where
//! structured).

use crate::{Conn, Millis, StoreError};

/// Reads one setting.
pub async fn get(c: &mut Conn<'_>, key: &str) -> Result<Option<String>, StoreError> {
    let value: Option<(String,)> = on_conn!(c, c => sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(c)
        .await)?;
    Ok(value.map(|v| v.0))
}

/// Writes one setting (insert or replace).
pub async fn set(c: &mut Conn<'_>, key: &str, value: &str, now: Millis) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes a setting only if it is absent; returns whether it was written.
pub async fn set_default(
    c: &mut Conn<'_>,
    key: &str,
    value: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Deletes a setting (back to the built-in default).
pub async fn delete(c: &mut Conn<'_>, key: &str) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every setting whose key starts with `prefix`, sorted by key.
pub async fn with_prefix(
    c: &mut Conn<'_>,
    prefix: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let pattern = format!("{}%", prefix.replace('%', "\\%").replace('_', "\\_"));
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT key, value FROM settings WHERE key LIKE $1 ESCAPE '\\' ORDER BY key",
    )
    .bind(pattern)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}
