//! Internal notes staff write on a complaint (never sent to the citizen).

use crate::{Conn, Millis, StoreError};

/// Adds a note.
pub async fn insert(
    c: &mut Conn<'_>,
    complaint_id: i64,
    user_id: i64,
    text: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO notes (complaint_id, user_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(complaint_id)
    .bind(user_id)
    .bind(text)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Notes of a complaint with the author's name: (author, text, at).
pub async fn for_complaint(
    c: &mut Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<(String, String, Millis)>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT COALESCE(u.name, 'sistem'), n.text, n.created_at FROM notes n LEFT JOIN users u ON u.id = n.user_id
         WHERE n.complaint_id = $1 ORDER BY n.id",
    )
    .bind(complaint_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}
