//! Attachments: media a citizen sent (the KTP photo, evidence photos, documents, voice
//! notes, videos) and shared locations. Media are downloaded by a job after the message is
//! processed: `pending` → `stored` (sealed in the media store) or back to `pending` with a
//! later attempt, finally `failed` (visible to staff, retryable). KTP photos are `purged`
//! some months after the complaint closes.

use crate::{Conn, Millis, StoreError};

/// A new attachment.
#[derive(Clone, Debug)]
pub struct NewAttachment<'a> {
    /// The citizen.
    pub citizen_id: i64,
    /// The complaint, when known.
    pub complaint_id: Option<i64>,
    /// The message it came in.
    pub message_id: Option<i64>,
    /// `ktp` or `evidence`.
    pub role: &'a str,
    /// `image`, `document`, `audio`, `video`, `sticker`, `location`.
    pub kind: &'a str,
    /// Meta's media id (none for locations).
    pub wa_media_id: Option<&'a str>,
    /// MIME type.
    pub mime_type: Option<&'a str>,
    /// Meta's SHA-256 of the file.
    pub sha256: Option<&'a str>,
    /// File name the citizen sent (display only, never a path).
    pub filename: Option<&'a str>,
    /// Caption.
    pub caption: Option<&'a str>,
    /// JSON metadata (location coordinates…).
    pub meta: Option<&'a str>,
    /// Created.
    pub now: Millis,
}

/// Inserts an attachment; media start `pending`, locations `stored`.
pub async fn insert(c: &mut Conn<'_>, a: &NewAttachment<'_>) -> Result<i64, StoreError> {
    let state = if a.wa_media_id.is_some() {
        "pending"
    } else {
        "stored"
    };
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO attachments (citizen_id, complaint_id, message_id, role, kind, wa_media_id, mime_type,
             sha256, filename, caption, meta, state, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $13) RETURNING id",
    )
    .bind(a.citizen_id)
    .bind(a.complaint_id)
    .bind(a.message_id)
    .bind(a.role)
    .bind(a.kind)
    .bind(a.wa_media_id)
    .bind(a.mime_type)
    .bind(a.sha256)
    .bind(a.filename)
    .bind(a.caption)
    .bind(a.meta)
    .bind(state)
    .bind(a.now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// An attachment row.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Attachment {
    /// Row id.
    pub id: i64,
    /// The citizen.
    pub citizen_id: i64,
    /// The complaint.
    pub complaint_id: Option<i64>,
    /// The message.
    pub message_id: Option<i64>,
    /// `ktp` or `evidence`.
    pub role: String,
    /// Kind.
    pub kind: String,
    /// Meta's media id.
    pub wa_media_id: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// Expected SHA-256.
    pub sha256: Option<String>,
    /// Original file name.
    pub filename: Option<String>,
    /// Caption.
    pub caption: Option<String>,
    /// JSON metadata.
    pub meta: Option<String>,
    /// Size once stored.
    pub size_bytes: Option<i64>,
    /// Media store key once stored.
    pub storage_key: Option<String>,
    /// `pending`, `stored`, `failed`, `purged`.
    pub state: String,
    /// Download attempts.
    pub attempts: i64,
    /// Next attempt.
    pub next_attempt_at: Option<Millis>,
    /// Last error.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: Millis,
}

const SELECT: &str =
    "SELECT id, citizen_id, complaint_id, message_id, role, kind, wa_media_id, mime_type,
    sha256, filename, caption, meta, size_bytes, storage_key, state, attempts, next_attempt_at,
    last_error, created_at FROM attachments";

/// One attachment.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Attachment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    let row = on_conn!(c, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row)
}

/// The attachments of a complaint.
pub async fn for_complaint(
    c: &mut Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<Attachment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE complaint_id = $1 ORDER BY id"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    Ok(rows)
}

/// The attachments of a message.
pub async fn for_message(c: &mut Conn<'_>, message_id: i64) -> Result<Vec<Attachment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE message_id = $1 ORDER BY id"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(message_id).fetch_all(c).await)?;
    Ok(rows)
}

/// Links attachments to a complaint (at registration).
pub async fn set_complaint(
    c: &mut Conn<'_>,
    ids: &[i64],
    complaint_id: i64,
) -> Result<(), StoreError> {
    for id in ids {
        on_conn!(c, c => sqlx::query("UPDATE attachments SET complaint_id = $2 WHERE id = $1")
            .bind(*id)
            .bind(complaint_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Changes an attachment's role (`ktp` / `evidence`).
pub async fn set_role(c: &mut Conn<'_>, id: i64, role: &str) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE attachments SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pending downloads due at `now`.
pub async fn due_downloads(
    c: &mut Conn<'_>,
    now: Millis,
    limit: i64,
) -> Result<Vec<Attachment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(now).bind(limit).fetch_all(c).await)?;
    Ok(rows)
}

/// Records a stored file.
pub async fn mark_stored(
    c: &mut Conn<'_>,
    id: i64,
    storage_key: &str,
    size: i64,
    mime_type: Option<&str>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE attachments SET state = 'stored', storage_key = $2, size_bytes = $3,
             mime_type = COALESCE($4, mime_type), attempts = attempts + 1, last_error = NULL WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(storage_key)
    .bind(size)
    .bind(mime_type)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed download: retried at `next_attempt_at`, or `failed` for good when
/// `None`.
pub async fn mark_attempt_failed(
    c: &mut Conn<'_>,
    id: i64,
    error: &str,
    next_attempt_at: Option<Millis>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE attachments SET attempts = attempts + 1, last_error = $2,
             state = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END,
             next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(next_attempt_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Staff retry of a failed download.
pub async fn retry(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE attachments SET state = 'pending', next_attempt_at = $2 WHERE id = $1 AND state = 'failed'",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Failed downloads, newest first.
pub async fn failed(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Attachment>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE state = 'failed' ORDER BY id DESC LIMIT $1"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(limit).fetch_all(c).await)?;
    Ok(rows)
}

/// KTP photos of complaints closed (or rejected/withdrawn) before `before` that are still
/// stored: (attachment id, storage key).
pub async fn ktp_to_purge(
    c: &mut Conn<'_>,
    before: Millis,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT t.id, t.storage_key FROM attachments t JOIN complaints c ON c.id = t.complaint_id
         WHERE t.role = 'ktp' AND t.state = 'stored' AND t.storage_key IS NOT NULL
           AND c.status IN ('closed', 'rejected', 'withdrawn')
           AND COALESCE(c.closed_at, c.rejected_at, c.withdrawn_at, c.status_at) < $1
         ORDER BY t.id LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Marks an attachment purged (its file deleted).
pub async fn mark_purged(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE attachments SET state = 'purged', storage_key = NULL, purged_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every stored attachment of a citizen: (id, storage key).
pub async fn stored_for_citizen(
    c: &mut Conn<'_>,
    citizen_id: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as(
        "SELECT id, storage_key FROM attachments WHERE citizen_id = $1 AND storage_key IS NOT NULL ORDER BY id",
    )
    .bind(citizen_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Every storage key (key rotation re-seals them).
pub async fn all_storage_keys(c: &mut Conn<'_>) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = on_conn!(c, c => sqlx::query_as(
        "SELECT storage_key FROM attachments WHERE storage_key IS NOT NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
