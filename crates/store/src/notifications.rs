//! Dashboard notifications: "something landed in your queue", SLA reminders and
//! escalations, alerts. Addressed to a role, an agency or a user; `dedupe_key` makes a
//! notification that a job might emit twice appear once.

use crate::{Conn, Millis, StoreError};

/// A new notification.
#[derive(Clone, Debug)]
pub struct NewNotification<'a> {
    /// Audience: a role.
    pub role: Option<&'a str>,
    /// Audience: an agency.
    pub agency_id: Option<i64>,
    /// Audience: one user.
    pub user_id: Option<i64>,
    /// The complaint concerned.
    pub complaint_id: Option<i64>,
    /// `queue`, `reminder`, `escalation`, `alert`.
    pub kind: &'a str,
    /// Text shown.
    pub text: &'a str,
    /// Idempotency key.
    pub dedupe_key: Option<&'a str>,
    /// When.
    pub now: Millis,
}

/// Adds a notification; `None` when its dedupe key was already used.
pub async fn insert(c: &mut Conn<'_>, n: &NewNotification<'_>) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO notifications (created_at, role, agency_id, user_id, complaint_id, kind, text, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(n.now)
    .bind(n.role)
    .bind(n.agency_id)
    .bind(n.user_id)
    .bind(n.complaint_id)
    .bind(n.kind)
    .bind(n.text)
    .bind(n.dedupe_key)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0))
}

/// A notification with the complaint's tracking number.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Notification {
    /// Row id.
    pub id: i64,
    /// When.
    pub created_at: Millis,
    /// Kind.
    pub kind: String,
    /// Text.
    pub text: String,
    /// Complaint id.
    pub complaint_id: Option<i64>,
    /// Tracking number.
    pub ticket: Option<String>,
}

/// Notifications for a user (by id, role, or agency), newer than `after_id`, newest first.
pub async fn for_user(
    c: &mut Conn<'_>,
    user_id: i64,
    role: &str,
    agency_id: Option<i64>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT n.id, n.created_at, n.kind, n.text, n.complaint_id, c.ticket FROM notifications n
         LEFT JOIN complaints c ON c.id = n.complaint_id
         WHERE n.id > $4 AND (n.user_id = $1 OR (n.user_id IS NULL AND n.role = $2 AND ($3 IS NULL OR n.agency_id IS NULL OR n.agency_id = $3))
               OR (n.user_id IS NULL AND n.role IS NULL AND n.agency_id = $3))
         ORDER BY n.id DESC LIMIT $5",
    )
    .bind(user_id)
    .bind(role)
    .bind(agency_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Number of notifications with the given dedupe-key prefix (tests and diagnostics).
pub async fn count_with_key_prefix(c: &mut Conn<'_>, prefix: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE dedupe_key LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(c)
        .await)?;
    Ok(n)
}

/// Raises an alert (one open alert per kind); returns true if it is new. Safe when two
/// workers raise the same alert at once (an upsert on the partial unique index).
pub async fn raise_alert(
    c: &mut Conn<'_>,
    kind: &str,
    message: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let inserted = on_conn!(c, c => sqlx::query(
        "INSERT INTO alerts (kind, message, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind) WHERE resolved_at IS NULL DO NOTHING",
    )
    .bind(kind)
    .bind(message)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 0 {
        on_conn!(c, c => sqlx::query("UPDATE alerts SET message = $2 WHERE kind = $1 AND resolved_at IS NULL")
            .bind(kind)
            .bind(message)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(inserted == 1)
}

/// Resolves the open alert of a kind.
pub async fn resolve_alert(c: &mut Conn<'_>, kind: &str, now: Millis) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query("UPDATE alerts SET resolved_at = $2 WHERE kind = $1 AND resolved_at IS NULL")
        .bind(kind)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// An open alert.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Alert {
    /// Row id.
    pub id: i64,
    /// Kind (`token_expired`, `template_config`).
    pub kind: String,
    /// Message.
    pub message: String,
    /// Raised.
    pub created_at: Millis,
}

/// Open alerts.
pub async fn open_alerts(c: &mut Conn<'_>) -> Result<Vec<Alert>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, kind, message, created_at FROM alerts WHERE resolved_at IS NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}
