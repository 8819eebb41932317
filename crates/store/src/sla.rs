//! Deadline records: per complaint and step, when it started, when it is due (on the SOP
//! clock and on the national clock), when it was done and whether it was met. Reminders
//! and escalations are recorded once per (step record, level): the primary key makes a
//! second job run — or a second instance — a no-op.

use crate::{Conn, Millis, StoreError};

/// A step record.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct StepRecord {
    /// Row id.
    pub id: i64,
    /// The complaint (none for a first reply before registration).
    pub complaint_id: Option<i64>,
    /// The citizen (first reply).
    pub citizen_id: Option<i64>,
    /// Step name (`first_reply`, `verification`, `forward`, `opd_answer`, `answer_return`, `reply`).
    pub step: String,
    /// Who holds it: `admin`, `kabid`, `kadis`, `opd:<CODE>`, `bot`, `citizen`.
    pub holder: String,
    /// Started.
    pub started_at: Millis,
    /// Due (SOP clock).
    pub due_at: Millis,
    /// Due (national clock).
    pub national_due_at: Option<Millis>,
    /// Done.
    pub done_at: Option<Millis>,
    /// `met` or `breached`.
    pub outcome: Option<String>,
}

const SELECT: &str = "SELECT id, complaint_id, citizen_id, step, holder, started_at, due_at, national_due_at, done_at, outcome FROM sla_steps";

/// Starts a step.
pub async fn start(
    c: &mut Conn<'_>,
    complaint_id: Option<i64>,
    citizen_id: Option<i64>,
    step: &str,
    holder: &str,
    started_at: Millis,
    due_at: Millis,
    national_due_at: Option<Millis>,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO sla_steps (complaint_id, citizen_id, step, holder, started_at, due_at, national_due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(complaint_id)
    .bind(citizen_id)
    .bind(step)
    .bind(holder)
    .bind(started_at)
    .bind(due_at)
    .bind(national_due_at)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Finishes the open record(s) of a complaint's step for a holder (`None`: any holder).
pub async fn finish(
    c: &mut Conn<'_>,
    complaint_id: i64,
    step: &str,
    holder: Option<&str>,
    done_at: Millis,
) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE sla_steps SET done_at = $4, outcome = CASE WHEN $4 <= due_at THEN 'met' ELSE 'breached' END
         WHERE complaint_id = $1 AND step = $2 AND ($3 IS NULL OR holder = $3) AND done_at IS NULL",
    )
    .bind(complaint_id)
    .bind(step)
    .bind(holder)
    .bind(done_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Finishes a citizen's open first-reply record.
pub async fn finish_first_reply(
    c: &mut Conn<'_>,
    citizen_id: i64,
    done_at: Millis,
) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE sla_steps SET done_at = $2, outcome = CASE WHEN $2 <= due_at THEN 'met' ELSE 'breached' END
         WHERE citizen_id = $1 AND step = 'first_reply' AND done_at IS NULL",
    )
    .bind(citizen_id)
    .bind(done_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// True when the citizen has an open first-reply record.
pub async fn has_open_first_reply(c: &mut Conn<'_>, citizen_id: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "SELECT id FROM sla_steps WHERE citizen_id = $1 AND step = 'first_reply' AND done_at IS NULL LIMIT 1",
    )
    .bind(citizen_id)
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}

/// Links a citizen's first-reply records without a complaint to a new complaint.
pub async fn link_first_reply(
    c: &mut Conn<'_>,
    citizen_id: i64,
    complaint_id: i64,
    since: Millis,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE sla_steps SET complaint_id = $2 WHERE citizen_id = $1 AND complaint_id IS NULL AND step = 'first_reply' AND started_at >= $3",
    )
    .bind(citizen_id)
    .bind(complaint_id)
    .bind(since)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every record of a complaint.
pub async fn for_complaint(
    c: &mut Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<StepRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE complaint_id = $1 ORDER BY id"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    Ok(rows)
}

/// Open records (any complaint) that started before `started_before`: the reminder job
/// computes which reminder levels are due.
pub async fn open_started_before(
    c: &mut Conn<'_>,
    started_before: Millis,
    limit: i64,
) -> Result<Vec<StepRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE done_at IS NULL AND started_at <= $1 AND complaint_id IS NOT NULL ORDER BY due_at LIMIT $2"
    ));
    let rows =
        on_conn!(c, c => sqlx::query_as(sql).bind(started_before).bind(limit).fetch_all(c).await)?;
    Ok(rows)
}

/// The open record(s) of complaints (the current step), for list badges.
pub async fn open_for(
    c: &mut Conn<'_>,
    complaint_ids: &[i64],
) -> Result<Vec<StepRecord>, StoreError> {
    if complaint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=complaint_ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql =
        format!("{SELECT} WHERE done_at IS NULL AND complaint_id IN ({placeholders}) ORDER BY id");
    let rows = on_conn!(c, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in complaint_ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows)
}

/// Records that a reminder level was sent; false when it already was.
pub async fn record_reminder(
    c: &mut Conn<'_>,
    step_id: i64,
    level: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO sla_reminders (step_id, level, sent_at) VALUES ($1, $2, $3) ON CONFLICT (step_id, level) DO NOTHING",
    )
    .bind(step_id)
    .bind(level)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Levels already sent for a record.
pub async fn reminders_sent(c: &mut Conn<'_>, step_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = on_conn!(c, c => sqlx::query_as("SELECT level FROM sla_reminders WHERE step_id = $1")
        .bind(step_id)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replaces the holidays table content for one date.
pub async fn add_holiday(c: &mut Conn<'_>, date: &str, name: &str) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO holidays (date, name) VALUES ($1, $2) ON CONFLICT (date) DO UPDATE SET name = excluded.name",
    )
    .bind(date)
    .bind(name)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a holiday; false if there was none.
pub async fn remove_holiday(c: &mut Conn<'_>, date: &str) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query("DELETE FROM holidays WHERE date = $1").bind(date).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Every holiday, by date: (YYYY-MM-DD, name).
pub async fn holidays(c: &mut Conn<'_>) -> Result<Vec<(String, String)>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as("SELECT date, name FROM holidays ORDER BY date").fetch_all(c).await)?;
    Ok(rows)
}
