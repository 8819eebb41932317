//! Canned replies: short texts admins keep for the messages they write again and again
//! (asking for a KTP photo, a polite rejection, the usual closing). Plain texts, no
//! placeholders; an admin edits them before sending.

use crate::{Conn, Millis, StoreError};

/// A saved reply.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CannedReply {
    /// Row id.
    pub id: i64,
    /// Short title shown in the picker.
    pub title: String,
    /// The text inserted.
    pub body: String,
    /// When created.
    pub created_at: Millis,
}

/// Every canned reply, by title.
pub async fn list(c: &mut Conn<'_>) -> Result<Vec<CannedReply>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, title, body, created_at FROM canned_replies ORDER BY title, id",
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// One canned reply.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<CannedReply>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT id, title, body, created_at FROM canned_replies WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Adds a canned reply; returns its id.
pub async fn insert(
    c: &mut Conn<'_>,
    title: &str,
    body: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO canned_replies (title, body, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(title)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Changes a canned reply.
pub async fn update(c: &mut Conn<'_>, id: i64, title: &str, body: &str) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query("UPDATE canned_replies SET title = $2, body = $3 WHERE id = $1")
        .bind(id)
        .bind(title)
        .bind(body)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a canned reply.
pub async fn delete(c: &mut Conn<'_>, id: i64) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query("DELETE FROM canned_replies WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
