//! What the monthly report reads: narrow rows (only the columns the report prints or
//! counts), each table in one query, streamed to the caller row by row so the report never
//! holds a row twice. At a million complaints a month holds a hundred thousand; the wide
//! `complaints::Complaint` (full text, sealed identity) and per-500-id `IN` lists cost
//! seconds and hundreds of megabytes there.
//!
//! A complaint is relevant to `[from, to)` when it was created in the period, changed
//! status in or after it (so its state during the period is not its current one), or was
//! still open at its start.

use futures::TryStreamExt;

use crate::{Conn, Millis, StoreError};

const OPEN: &str = "('submitted', 'incomplete', 'at_kabid', 'at_kadis', 'dispatched', \
                    'answer_at_kadis', 'answer_at_kabid', 'answer_at_admin')";

/// The ids of the relevant complaints ($1 = from, $2 = to). Three index range scans.
fn relevant_ids() -> String {
    format!(
        "SELECT id FROM complaints WHERE created_at >= $1 AND created_at < $2
         UNION ALL SELECT id FROM complaints WHERE created_at < $1 AND status_at >= $1
         UNION ALL SELECT id FROM complaints WHERE created_at < $1 AND status_at < $1 AND status IN {OPEN}"
    )
}

/// Runs `sql` with `$1 = from`, `$2 = to` and hands each row to `each` as it arrives.
async fn stream<T>(
    c: &mut Conn<'_>,
    sql: String,
    from: Millis,
    to: Millis,
    mut each: impl FnMut(T) + Send,
) -> Result<(), StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    on_conn!(c, c => {
        let mut rows = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch(c);
        while let Some(row) = rows.try_next().await? {
            each(row);
        }
    });
    Ok(())
}

/// One complaint as the report sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    /// Row id.
    pub id: i64,
    /// Tracking number.
    pub ticket: String,
    /// `complaint` / `aspiration` / `information`.
    pub kind: String,
    /// Current status.
    pub status: String,
    /// Intake channel.
    pub channel: String,
    /// Category name.
    pub category: Option<String>,
    /// Kecamatan name.
    pub district: Option<String>,
    /// Staff summary.
    pub summary: String,
    /// Created.
    pub created_at: Millis,
    /// Last status change.
    pub status_at: Millis,
    /// Verified.
    pub verified_at: Option<Millis>,
    /// Closed.
    pub closed_at: Option<Millis>,
    /// Rejected.
    pub rejected_at: Option<Millis>,
    /// Withdrawn.
    pub withdrawn_at: Option<Millis>,
}

/// Streams the relevant complaints to `each`, oldest first.
pub async fn complaints(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
    each: impl FnMut(ComplaintRow) + Send,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT c.id, c.ticket, c.kind, c.status, c.channel, k.name AS category,
             d.name AS district, c.summary, c.created_at, c.status_at, c.verified_at,
             c.closed_at, c.rejected_at, c.withdrawn_at
         FROM complaints c LEFT JOIN categories k ON k.id = c.category_id
         LEFT JOIN districts d ON d.code = c.district_code
         WHERE c.id IN ({}) ORDER BY c.id",
        relevant_ids()
    );
    stream(c, sql, from, to, each).await
}

/// One agency assignment as the report sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    /// Row id.
    pub id: i64,
    /// Complaint row id.
    pub complaint_id: i64,
    /// Agency code.
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// `pending` / `answered` / `declined`.
    pub state: String,
    /// The agency's follow-up text.
    pub follow_up: Option<String>,
    /// Dispatched.
    pub created_at: Millis,
    /// Answered (or declined).
    pub answered_at: Option<Millis>,
}

/// Streams the assignments of the relevant complaints, and any still pending since before
/// the period, to `each`, in dispatch order.
pub async fn assignments(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
    each: impl FnMut(AssignmentRow) + Send,
) -> Result<(), StoreError> {
    // Two index lookups joined by UNION (an OR would scan every assignment).
    const COLUMNS: &str =
        "SELECT s.id, s.complaint_id, a.code AS agency_code, a.name AS agency_name,
             s.state, s.follow_up, s.created_at, s.answered_at
         FROM assignments s JOIN agencies a ON a.id = s.agency_id";
    let sql = format!(
        "{COLUMNS} WHERE s.complaint_id IN ({})
         UNION {COLUMNS} WHERE s.state = 'pending' AND s.created_at < $1
         ORDER BY 1",
        relevant_ids()
    );
    stream(c, sql, from, to, each).await
}

/// One deadline step as the report sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    /// Complaint row id (none for steps before a complaint existed).
    pub complaint_id: Option<i64>,
    /// Step name.
    pub step: String,
    /// Who held it.
    pub holder: String,
    /// Started.
    pub started_at: Millis,
    /// Due.
    pub due_at: Millis,
    /// Finished.
    pub done_at: Option<Millis>,
}

/// Streams the deadline steps started in `[from, to)` (the report measures those) to
/// `each`, in order. Every such step's complaint changed status in the period, so it is
/// among [`complaints`].
pub async fn steps(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
    each: impl FnMut(StepRow) + Send,
) -> Result<(), StoreError> {
    let sql = "SELECT complaint_id, step, holder, started_at, due_at, done_at FROM sla_steps
         WHERE started_at >= $1 AND started_at < $2 ORDER BY id";
    stream(c, sql.to_owned(), from, to, each).await
}

/// The status each relevant complaint that changed at or after `to` had just before
/// `to`, from the audit trail: (complaint id, status). Complaints without a status event
/// before then are absent.
pub async fn statuses_at_end(
    c: &mut Conn<'_>,
    to: Millis,
) -> Result<Vec<(i64, String)>, StoreError> {
    // Per complaint, the newest status event before `to`: a backwards walk of the partial
    // covering index `audit_status`, a few entries per complaint.
    // Changed at or after `to`, created before it: all relevant (a status change at or
    // after `to` is also one at or after `from`). `complaints_status_at` covers the filter.
    let sql = "SELECT c.id, (SELECT e.after FROM audit_events e
                       WHERE e.complaint_id = c.id AND e.after IS NOT NULL AND e.at < $1
                       ORDER BY e.seq DESC LIMIT 1)
         FROM complaints c WHERE c.status_at >= $1 AND c.created_at < $1";
    let rows: Vec<(Option<i64>, Option<String>)> = on_conn!(c, c => {
        sqlx::query_as(sql).bind(to).fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, s)| Some((id?, s?)))
        .collect())
}
