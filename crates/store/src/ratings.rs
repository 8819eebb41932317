//! Satisfaction: one row per complaint per closing (a reopened and re-closed complaint is
//! asked again). Stages: `asked` (the question went out) → `rated` (1–5, resolved) →
//! `commented`; or `unresolved` (the citizen said "belum selesai" in time: the complaint
//! was reopened); `unresolved_late` (said so after the period: their next complaint links
//! to this one); `expired` (no answer in the period: "selesai tanpa tanggapan", never
//! counted as satisfied).

use crate::{Conn, Millis, StoreError};

/// A rating row with its complaint's ticket.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Rating {
    /// Row id.
    pub id: i64,
    /// The complaint.
    pub complaint_id: i64,
    /// Its tracking number.
    pub ticket: String,
    /// Which closing it rates.
    pub closing_no: i64,
    /// Stage.
    pub stage: String,
    /// 1–5.
    pub rating: Option<i64>,
    /// Solved?
    pub resolved: Option<bool>,
    /// Comment.
    pub comment: Option<String>,
    /// When the question went out.
    pub asked_at: Millis,
    /// When the citizen answered.
    pub answered_at: Option<Millis>,
}

const SELECT: &str =
    "SELECT r.id, r.complaint_id, c.ticket, r.closing_no, r.stage, r.rating, r.resolved,
    r.comment, r.asked_at, r.answered_at FROM ratings r JOIN complaints c ON c.id = r.complaint_id";

/// Records that the question for this closing went out; false if it already had.
pub async fn ask(
    c: &mut Conn<'_>,
    complaint_id: i64,
    closing_no: i64,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO ratings (complaint_id, closing_no, stage, asked_at) VALUES ($1, $2, 'asked', $3)
         ON CONFLICT (complaint_id, closing_no) DO NOTHING",
    )
    .bind(complaint_id)
    .bind(closing_no)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// The citizen's most recent rating row in one of `stages`.
pub async fn latest_for_citizen(
    c: &mut Conn<'_>,
    citizen_id: i64,
    stages: &[&str],
) -> Result<Option<Rating>, StoreError> {
    let placeholders = (0..stages.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "{SELECT} WHERE c.citizen_id = $1 AND r.stage IN ({placeholders}) ORDER BY r.id DESC LIMIT 1"
    );
    let row = on_conn!(c, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(citizen_id);
        for s in stages {
            q = q.bind(*s);
        }
        q.fetch_optional(c).await
    })?;
    Ok(row)
}

/// Moves a row from `from` to `to`, setting what is given; false when it was no longer in
/// `from` (answered twice).
pub async fn answer(
    c: &mut Conn<'_>,
    id: i64,
    from: &str,
    to: &str,
    rating: Option<i64>,
    resolved: Option<bool>,
    comment: Option<&str>,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE ratings SET stage = $3, rating = COALESCE($4, rating), resolved = COALESCE($5, resolved),
             comment = COALESCE($6, comment), answered_at = COALESCE(answered_at, $7)
         WHERE id = $1 AND stage = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(rating)
    .bind(resolved)
    .bind(comment)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Rows still `asked` since before `before`: they expire.
pub async fn expire_asked(c: &mut Conn<'_>, before: Millis) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query("UPDATE ratings SET stage = 'expired' WHERE stage = 'asked' AND asked_at < $1")
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Every rating row of a complaint.
pub async fn for_complaint(c: &mut Conn<'_>, complaint_id: i64) -> Result<Vec<Rating>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.complaint_id = $1 ORDER BY r.closing_no"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    Ok(rows)
}

/// Rating rows answered (or expired) with `asked_at` in `[from, to)`.
pub async fn asked_between(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
) -> Result<Vec<Rating>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.asked_at >= $1 AND r.asked_at < $2 ORDER BY r.id"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(from).bind(to).fetch_all(c).await)?;
    Ok(rows)
}

/// Ratings given (stage rated or commented) with `answered_at` in `[from, to)`, with the
/// codes of the agencies that answered the complaint: (rating, agency codes).
pub async fn given_between(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
) -> Result<Vec<Rating>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.rating IS NOT NULL AND r.answered_at >= $1 AND r.answered_at < $2 ORDER BY r.id"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(from).bind(to).fetch_all(c).await)?;
    Ok(rows)
}

/// Comments, newest first.
pub async fn comments(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Rating>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.comment IS NOT NULL ORDER BY r.answered_at DESC LIMIT $1"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(limit).fetch_all(c).await)?;
    Ok(rows)
}
