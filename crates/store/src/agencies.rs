//! Agencies (OPD, including the 18 kecamatan offices), districts (kecamatan as a place)
//! and complaint categories: the reference data a superadmin edits.

use crate::{Conn, Millis, StoreError};

/// An agency that complaints can be dispatched to.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Agency {
    /// Row id.
    pub id: i64,
    /// Short unique code, e.g. `DPUPR`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// `opd` or `kecamatan`.
    pub kind: String,
    /// Inactive agencies are kept for history but not offered for dispatch.
    pub active: bool,
}

/// Lists agencies, active first by name.
pub async fn list(c: &mut Conn<'_>, active_only: bool) -> Result<Vec<Agency>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, code, name, kind, active FROM agencies
         WHERE active OR NOT $1 ORDER BY kind DESC, name",
    )
    .bind(active_only)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Finds an agency by code.
pub async fn by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<Agency>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT id, code, name, kind, active FROM agencies WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Finds an agency by id.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Agency>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT id, code, name, kind, active FROM agencies WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Adds an agency; a duplicate code is [`StoreError::Conflict`].
pub async fn insert(
    c: &mut Conn<'_>,
    code: &str,
    name: &str,
    kind: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO agencies (code, name, kind, active, created_at) VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(kind)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Renames or (de)activates an agency.
pub async fn update(c: &mut Conn<'_>, id: i64, name: &str, active: bool) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query("UPDATE agencies SET name = $2, active = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(active)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A kecamatan as a place (where the problem is), with its Kemendagri code.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct District {
    /// Kemendagri code, e.g. `35.20.07`.
    pub code: String,
    /// Name, e.g. `Plaosan`.
    pub name: String,
}

/// Lists districts by name.
pub async fn districts(c: &mut Conn<'_>) -> Result<Vec<District>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as("SELECT code, name FROM districts ORDER BY name")
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Adds a district if its code is new.
pub async fn insert_district(c: &mut Conn<'_>, code: &str, name: &str) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("INSERT INTO districts (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING")
        .bind(code)
        .bind(name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A complaint category.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Category {
    /// Row id.
    pub id: i64,
    /// Stable code, e.g. `jalan`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Inactive categories stay on old complaints but are not offered.
    pub active: bool,
}

/// Lists categories by name.
pub async fn categories(c: &mut Conn<'_>, active_only: bool) -> Result<Vec<Category>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, code, name, active FROM categories WHERE active OR NOT $1 ORDER BY name",
    )
    .bind(active_only)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Adds a category; a duplicate code is [`StoreError::Conflict`].
pub async fn insert_category(c: &mut Conn<'_>, code: &str, name: &str) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO categories (code, name, active) VALUES ($1, $2, TRUE) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Renames or (de)activates a category.
pub async fn update_category(
    c: &mut Conn<'_>,
    id: i64,
    name: &str,
    active: bool,
) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query("UPDATE categories SET name = $2, active = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(active)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
