//! Queries the staff dashboard needs beyond the other modules: queue counts that stay
//! cheap at a million complaints (they read the `assignments_agency` index, never scan
//! the complaints table) and the visibility check the live feed runs per event.

use crate::{Conn, StoreError};

/// Complaints with a pending assignment for `agency_id` (an agency's "Disposisi" queue).
pub async fn pending_for_agency_count(c: &mut Conn<'_>, agency_id: i64) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "SELECT COUNT(DISTINCT complaint_id) FROM assignments WHERE agency_id = $1 AND state = 'pending'",
    )
    .bind(agency_id)
    .fetch_one(c)
    .await)?;
    Ok(n)
}

/// True when the complaint was ever dispatched to `agency_id` (what an agency may see).
pub async fn assigned_to(
    c: &mut Conn<'_>,
    complaint_id: i64,
    agency_id: i64,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "SELECT complaint_id FROM assignments WHERE complaint_id = $1 AND agency_id = $2 LIMIT 1",
    )
    .bind(complaint_id)
    .bind(agency_id)
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}

/// The tracking number of a complaint id.
pub async fn ticket_of(c: &mut Conn<'_>, complaint_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = on_conn!(c, c => sqlx::query_as("SELECT ticket FROM complaints WHERE id = $1")
        .bind(complaint_id)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(|r| r.0))
}

/// Tracking numbers of several complaints at once: (id, ticket).
pub async fn tickets_of(
    c: &mut Conn<'_>,
    complaint_ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if complaint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=complaint_ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT id, ticket FROM complaints WHERE id IN ({placeholders})");
    let rows = on_conn!(c, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in complaint_ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows)
}

/// Outbox rows in one state (reads the `outbox_state` index; the outbox's sent rows are
/// never counted).
pub async fn outbox_count_in_state(c: &mut Conn<'_>, state: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE state = $1")
        .bind(state)
        .fetch_one(c)
        .await)?;
    Ok(n)
}
