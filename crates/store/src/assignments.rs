//! Assignments (disposisi): one row per agency a complaint was dispatched to. States:
//! `pending` → `answered` (answer + follow-up) or `declined` ("bukan kewenangan").
//! At most one pending assignment per (complaint, agency) — a unique partial index.

use std::collections::HashMap;

use crate::{Conn, Millis, StoreError};

/// An assignment with its agency.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Assignment {
    /// Row id.
    pub id: i64,
    /// The complaint.
    pub complaint_id: i64,
    /// The agency.
    pub agency_id: i64,
    /// Agency code.
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// `pending`, `answered` or `declined`.
    pub state: String,
    /// The round (the complaint's reopen count when dispatched).
    pub round: i64,
    /// Kadis's note (disposisi).
    pub note: Option<String>,
    /// The agency's answer.
    pub answer: Option<String>,
    /// The follow-up (tindak lanjut).
    pub follow_up: Option<String>,
    /// Why it was declined.
    pub decline_reason: Option<String>,
    /// Dispatched.
    pub created_at: Millis,
    /// Answered or declined.
    pub answered_at: Option<Millis>,
    /// Who dispatched.
    pub dispatched_by: Option<i64>,
    /// Who answered.
    pub answered_by: Option<i64>,
}

const SELECT: &str =
    "SELECT s.id, s.complaint_id, s.agency_id, a.code AS agency_code, a.name AS agency_name,
    s.state, s.round, s.note, s.answer, s.follow_up, s.decline_reason, s.created_at, s.answered_at,
    s.dispatched_by, s.answered_by
    FROM assignments s JOIN agencies a ON a.id = s.agency_id";

/// Creates a pending assignment; a second pending one for the same agency is a conflict.
pub async fn insert(
    c: &mut Conn<'_>,
    complaint_id: i64,
    round: i64,
    agency_id: i64,
    note: Option<&str>,
    dispatched_by: Option<i64>,
    now: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO assignments (complaint_id, round, agency_id, state, note, dispatched_by, created_at)
         VALUES ($1, $6, $2, 'pending', $3, $4, $5) RETURNING id",
    )
    .bind(complaint_id)
    .bind(agency_id)
    .bind(note)
    .bind(dispatched_by)
    .bind(now)
    .bind(round)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// The assignments of a complaint, in dispatch order.
pub async fn for_complaint(
    c: &mut Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<Assignment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.complaint_id = $1 ORDER BY s.id"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    Ok(rows)
}

/// Records the answer of a pending assignment; false if it was not pending.
pub async fn answer(
    c: &mut Conn<'_>,
    id: i64,
    answer: &str,
    follow_up: &str,
    by: Option<i64>,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE assignments SET state = 'answered', answer = $2, follow_up = $3, answered_by = $4, answered_at = $5
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(answer)
    .bind(follow_up)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Declines a pending assignment; false if it was not pending.
pub async fn decline(
    c: &mut Conn<'_>,
    id: i64,
    reason: &str,
    by: Option<i64>,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE assignments SET state = 'declined', decline_reason = $2, answered_by = $3, answered_at = $4
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Agency codes per complaint for a page of complaints.
pub async fn codes_for(
    c: &mut Conn<'_>,
    complaint_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if complaint_ids.is_empty() {
        return Ok(out);
    }
    let placeholders = (1..=complaint_ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT s.complaint_id, a.code FROM assignments s JOIN agencies a ON a.id = s.agency_id
         WHERE s.complaint_id IN ({placeholders}) AND s.state <> 'declined' ORDER BY s.complaint_id, s.id"
    );
    let rows: Vec<(i64, String)> = on_conn!(c, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in complaint_ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    for (id, code) in rows {
        let codes = out.entry(id).or_default();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(out)
}

/// Assignments dispatched in `[from, to)` (report input).
pub async fn dispatched_between(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
) -> Result<Vec<Assignment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE s.created_at >= $1 AND s.created_at < $2 ORDER BY s.id"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(from).bind(to).fetch_all(c).await)?;
    Ok(rows)
}

/// (complaint id, agency name) of every answered assignment of the given complaints: who
/// a rating is about.
pub async fn answered_agencies(
    c: &mut Conn<'_>,
    complaint_ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if complaint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.complaint_id, a.name FROM assignments s JOIN agencies a ON a.id = s.agency_id
         WHERE s.state = 'answered' AND s.complaint_id IN ({}) ORDER BY s.id",
        crate::id_list(c.backend(), 1)
    );
    let list = crate::id_list_param(complaint_ids);
    let rows =
        on_conn!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(list).fetch_all(c).await)?;
    Ok(rows)
}
