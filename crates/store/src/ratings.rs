//! Satisfaction ratings: one per complaint per closing (a reopened and re-closed complaint
//! can be rated again). `rating` 1–5, `resolved` the citizen's answer to "was it solved".

use crate::{Conn, Millis, StoreError};

/// A rating row.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Rating {
    /// Row id.
    pub id: i64,
    /// The complaint.
    pub complaint_id: i64,
    /// Which closing it rates.
    pub closing_no: i64,
    /// 1–5.
    pub rating: Option<i64>,
    /// Solved?
    pub resolved: Option<bool>,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub created_at: Millis,
}

/// Stores the rating for a closing; false if that closing was already rated.
pub async fn insert(
    c: &mut Conn<'_>,
    complaint_id: i64,
    closing_no: i64,
    rating: Option<i64>,
    resolved: Option<bool>,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO ratings (complaint_id, closing_no, rating, resolved, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (complaint_id, closing_no) DO NOTHING",
    )
    .bind(complaint_id)
    .bind(closing_no)
    .bind(rating)
    .bind(resolved)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Fills in what is missing on an existing rating (the score after "resolved", a comment).
pub async fn update(
    c: &mut Conn<'_>,
    complaint_id: i64,
    closing_no: i64,
    rating: Option<i64>,
    resolved: Option<bool>,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE ratings SET rating = COALESCE(rating, $3), resolved = COALESCE(resolved, $4), comment = COALESCE($5, comment)
         WHERE complaint_id = $1 AND closing_no = $2",
    )
    .bind(complaint_id)
    .bind(closing_no)
    .bind(rating)
    .bind(resolved)
    .bind(comment)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The rating of one closing.
pub async fn get(
    c: &mut Conn<'_>,
    complaint_id: i64,
    closing_no: i64,
) -> Result<Option<Rating>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT id, complaint_id, closing_no, rating, resolved, comment, created_at FROM ratings WHERE complaint_id = $1 AND closing_no = $2",
    )
    .bind(complaint_id)
    .bind(closing_no)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Every rating of a complaint.
pub async fn for_complaint(c: &mut Conn<'_>, complaint_id: i64) -> Result<Vec<Rating>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, complaint_id, closing_no, rating, resolved, comment, created_at FROM ratings WHERE complaint_id = $1 ORDER BY closing_no",
    )
    .bind(complaint_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Ratings given in `[from, to)`.
pub async fn between(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
) -> Result<Vec<Rating>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, complaint_id, closing_no, rating, resolved, comment, created_at FROM ratings WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}
