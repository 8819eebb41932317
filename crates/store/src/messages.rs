//! The WhatsApp transcript, both directions. Inbound messages are keyed by Meta's message
//! id (`wamid…`), which makes processing exactly-once: a second insert of the same id is a
//! no-op and the caller skips the message. Bodies are sealed. Outbound messages get their
//! `wamid` once the outbox has sent them; delivery statuses only move forward
//! (`delivery_rank`), and each (message id, status) pair is recorded once.

use crate::{Conn, Millis, StoreError};

/// A new inbound message.
#[derive(Clone, Debug)]
pub struct NewInbound<'a> {
    /// The citizen.
    pub citizen_id: i64,
    /// Meta's message id.
    pub wa_message_id: &'a str,
    /// The inbox row it came from.
    pub inbox_id: Option<i64>,
    /// Message type (`text`, `image`, …).
    pub kind: &'a str,
    /// Content JSON (sealed here).
    pub body_json: &'a str,
    /// Meta's timestamp.
    pub created_at: Millis,
    /// The complaint it belongs to, when known.
    pub complaint_id: Option<i64>,
}

/// Inserts an inbound message; `None` when its id was already stored (a duplicate).
pub async fn insert_inbound(
    c: &mut Conn<'_>,
    m: &NewInbound<'_>,
) -> Result<Option<i64>, StoreError> {
    let sealed = c.vault().seal_str(m.body_json);
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO messages (citizen_id, complaint_id, direction, wa_message_id, inbox_id, kind, body_enc, created_at)
         VALUES ($1, $2, 'in', $3, $4, $5, $6, $7)
         ON CONFLICT (wa_message_id) DO NOTHING RETURNING id",
    )
    .bind(m.citizen_id)
    .bind(m.complaint_id)
    .bind(m.wa_message_id)
    .bind(m.inbox_id)
    .bind(m.kind)
    .bind(sealed)
    .bind(m.created_at)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0))
}

/// A new outbound message (the transcript side of an outbox row).
#[derive(Clone, Debug)]
pub struct NewOutbound<'a> {
    /// Recipient citizen.
    pub citizen_id: Option<i64>,
    /// Recipient official.
    pub user_id: Option<i64>,
    /// Related complaint.
    pub complaint_id: Option<i64>,
    /// `text`, `interactive`, `template`.
    pub kind: &'a str,
    /// Content JSON (sealed here).
    pub body_json: &'a str,
    /// When it was queued.
    pub created_at: Millis,
}

/// Inserts an outbound message with delivery `queued`.
pub async fn insert_outbound(c: &mut Conn<'_>, m: &NewOutbound<'_>) -> Result<i64, StoreError> {
    let sealed = c.vault().seal_str(m.body_json);
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO messages (citizen_id, user_id, complaint_id, direction, kind, body_enc, created_at, delivery, delivery_rank)
         VALUES ($1, $2, $3, 'out', $4, $5, $6, 'queued', 0) RETURNING id",
    )
    .bind(m.citizen_id)
    .bind(m.user_id)
    .bind(m.complaint_id)
    .bind(m.kind)
    .bind(sealed)
    .bind(m.created_at)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Links an outbound message to its outbox row.
pub async fn set_outbox(c: &mut Conn<'_>, id: i64, outbox_id: i64) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE messages SET outbox_id = $2 WHERE id = $1")
        .bind(id)
        .bind(outbox_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records Meta's id for a sent message and marks it `sent` (unless a status already moved
/// it further).
pub async fn mark_sent(
    c: &mut Conn<'_>,
    id: i64,
    wa_message_id: &str,
    kind: &str,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE messages SET wa_message_id = $2, kind = $3,
             delivery = CASE WHEN delivery_rank < 1 THEN 'sent' ELSE delivery END,
             delivery_rank = CASE WHEN delivery_rank < 1 THEN 1 ELSE delivery_rank END
         WHERE id = $1",
    )
    .bind(id)
    .bind(wa_message_id)
    .bind(kind)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks an outbound message's delivery without a Meta id (failed, unknown, dead).
pub async fn set_delivery(
    c: &mut Conn<'_>,
    id: i64,
    delivery: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE messages SET delivery = $2, delivery_error = $3 WHERE id = $1")
        .bind(id)
        .bind(delivery)
        .bind(error)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A status webhook for one of our messages.
#[derive(Clone, Debug)]
pub struct StatusUpdate<'a> {
    /// Meta's message id.
    pub wa_message_id: &'a str,
    /// `sent`, `delivered`, `read`, `failed`, …
    pub status: &'a str,
    /// Order of the status (higher wins); see the whatsapp crate's `DeliveryStatus::rank`.
    pub rank: i64,
    /// Meta's timestamp.
    pub at: Millis,
    /// Error code for `failed`.
    pub error_code: Option<i64>,
    /// Error title for `failed`.
    pub error_title: Option<&'a str>,
}

/// Applies a status: recorded once per (id, status); the message's delivery state only
/// moves to a higher rank. Returns false when this (id, status) was already recorded.
pub async fn apply_status(c: &mut Conn<'_>, s: &StatusUpdate<'_>) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO wa_statuses (wa_message_id, status, at, error_code, error_title)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wa_message_id, status) DO NOTHING",
    )
    .bind(s.wa_message_id)
    .bind(s.status)
    .bind(s.at)
    .bind(s.error_code)
    .bind(s.error_title)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Ok(false);
    }
    let error = s.error_code.map(|code| match s.error_title {
        Some(t) => format!("{code}: {t}"),
        None => code.to_string(),
    });
    on_conn!(c, c => sqlx::query(
        "UPDATE messages SET delivery = $2, delivery_rank = $3,
             delivery_error = COALESCE($4, delivery_error)
         WHERE wa_message_id = $1 AND delivery_rank < $3",
    )
    .bind(s.wa_message_id)
    .bind(s.status)
    .bind(s.rank)
    .bind(error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

/// A transcript line, opened.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Message {
    /// Row id.
    pub id: i64,
    /// `in` or `out`.
    pub direction: String,
    /// Message type.
    pub kind: String,
    /// Content JSON.
    pub body_json: String,
    /// Time.
    pub created_at: Millis,
    /// Delivery state of outbound messages.
    pub delivery: Option<String>,
    /// Delivery error.
    pub delivery_error: Option<String>,
    /// Related complaint.
    pub complaint_id: Option<i64>,
    /// Meta's id.
    pub wa_message_id: Option<String>,
    /// Recipient official of an outbound notification.
    pub user_id: Option<i64>,
    /// The citizen.
    pub citizen_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    direction: String,
    kind: String,
    body_enc: Option<Vec<u8>>,
    created_at: i64,
    delivery: Option<String>,
    delivery_error: Option<String>,
    complaint_id: Option<i64>,
    wa_message_id: Option<String>,
    user_id: Option<i64>,
    citizen_id: Option<i64>,
}

const SELECT: &str = "SELECT id, direction, kind, body_enc, created_at, delivery, delivery_error,
    complaint_id, wa_message_id, user_id, citizen_id FROM messages";

fn open(c: &Conn<'_>, r: Row) -> Result<Message, StoreError> {
    let body_json = match r.body_enc {
        Some(sealed) => c.vault().open_str(&sealed)?,
        None => "null".to_owned(),
    };
    Ok(Message {
        id: r.id,
        direction: r.direction,
        kind: r.kind,
        body_json,
        created_at: r.created_at,
        delivery: r.delivery,
        delivery_error: r.delivery_error,
        complaint_id: r.complaint_id,
        wa_message_id: r.wa_message_id,
        user_id: r.user_id,
        citizen_id: r.citizen_id,
    })
}

/// The transcript of a complaint, oldest first.
pub async fn for_complaint(
    c: &mut Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<Message>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE complaint_id = $1 ORDER BY id"));
    let rows: Vec<Row> =
        on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// A citizen's conversation (with or without a complaint), newest `limit` lines, oldest
/// first; `after_id` returns only newer lines (live updates).
pub async fn for_citizen(
    c: &mut Conn<'_>,
    citizen_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({SELECT} WHERE citizen_id = $1 AND id > $2 ORDER BY id DESC LIMIT $3) t ORDER BY id"
    ));
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(sql).bind(citizen_id).bind(after_id).bind(limit).fetch_all(c).await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Outbound notifications sent to officials, newest first (the demo shows them).
pub async fn to_officials(
    c: &mut Conn<'_>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE user_id IS NOT NULL AND id > $1 ORDER BY id DESC LIMIT $2"
    ));
    let rows: Vec<Row> =
        on_conn!(c, c => sqlx::query_as(sql).bind(after_id).bind(limit).fetch_all(c).await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Attaches a citizen's messages without a complaint (the intake conversation) from
/// `since` onwards to a complaint.
pub async fn attach_conversation(
    c: &mut Conn<'_>,
    citizen_id: i64,
    since: Millis,
    complaint_id: i64,
) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE messages SET complaint_id = $3 WHERE citizen_id = $1 AND complaint_id IS NULL AND created_at >= $2",
    )
    .bind(citizen_id)
    .bind(since)
    .bind(complaint_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Links one message to a complaint.
pub async fn set_complaint(c: &mut Conn<'_>, id: i64, complaint_id: i64) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE messages SET complaint_id = $2 WHERE id = $1")
        .bind(id)
        .bind(complaint_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// True when a message with this Meta id is stored.
pub async fn exists(c: &mut Conn<'_>, wa_message_id: &str) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as("SELECT id FROM messages WHERE wa_message_id = $1")
        .bind(wa_message_id)
        .fetch_optional(c)
        .await)?;
    Ok(row.is_some())
}

/// Number of inbound messages stored (benchmarks, diagnostics).
pub async fn count_inbound(c: &mut Conn<'_>) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as("SELECT COUNT(*) FROM messages WHERE direction = 'in'")
        .fetch_one(c)
        .await)?;
    Ok(n)
}

/// Replaces the bodies of every message to or from a citizen with an erased marker.
pub async fn erase_for_citizen(c: &mut Conn<'_>, citizen_id: i64) -> Result<u64, StoreError> {
    let sealed = c.vault().seal_str(r#"{"type":"erased"}"#);
    let n = on_conn!(c, c => sqlx::query("UPDATE messages SET body_enc = $2 WHERE citizen_id = $1")
        .bind(citizen_id)
        .bind(sealed)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
}
