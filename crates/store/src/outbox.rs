//! The outbox: every message to a citizen or an official is a row written in the same
//! transaction as the state change that caused it; a worker sends it.
//!
//! States: `pending` (due at `next_attempt_at`) → `sending` (claimed under a lease) →
//! `sent`; or back to `pending` with a later `next_attempt_at` (transient error, throttling);
//! or `dead` (permanent error, shown to staff, can be retried); or `unknown` (the request may
//! have reached Meta but no answer came: not resent blindly, reconciled by status webhooks
//! or retried by staff). A `sending` row whose lease expired belongs to a process that died
//! mid-send: it goes back to `pending` (the documented in-flight window: such a message may
//! reach the citizen twice). `dedupe_key` makes an enqueue idempotent.

use crate::{Conn, Millis, StoreError};

/// A new outbox row.
#[derive(Clone, Debug)]
pub struct NewOutbox<'a> {
    /// Idempotency key (e.g. `first_reply:<wamid>`); a second enqueue with it is skipped.
    pub dedupe_key: Option<&'a str>,
    /// Recipient citizen.
    pub citizen_id: Option<i64>,
    /// Recipient official.
    pub user_id: Option<i64>,
    /// Related complaint.
    pub complaint_id: Option<i64>,
    /// The transcript row.
    pub message_id: Option<i64>,
    /// Phone (digits) to send to.
    pub to_phone: Option<&'a str>,
    /// BSUID to send to when there is no phone.
    pub to_bsuid: Option<&'a str>,
    /// `text`, `interactive`, `template`, `mark_read`.
    pub kind: &'a str,
    /// What to send, JSON (sealed here).
    pub payload_json: &'a str,
    /// When to send (usually now).
    pub not_before: Millis,
    /// When it was queued.
    pub now: Millis,
}

/// Queues a message; `None` when the dedupe key was already used.
pub async fn enqueue(c: &mut Conn<'_>, m: &NewOutbox<'_>) -> Result<Option<i64>, StoreError> {
    let sealed = c.vault().seal_str(m.payload_json);
    let row: Option<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO outbox (created_at, dedupe_key, citizen_id, user_id, complaint_id, message_id,
             to_phone, to_bsuid, kind, payload_enc, state, attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(m.now)
    .bind(m.dedupe_key)
    .bind(m.citizen_id)
    .bind(m.user_id)
    .bind(m.complaint_id)
    .bind(m.message_id)
    .bind(m.to_phone)
    .bind(m.to_bsuid)
    .bind(m.kind)
    .bind(sealed)
    .bind(m.not_before)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0))
}

/// An outbox row, payload opened.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Item {
    /// Row id.
    pub id: i64,
    /// When queued.
    pub created_at: Millis,
    /// Recipient citizen.
    pub citizen_id: Option<i64>,
    /// Recipient official.
    pub user_id: Option<i64>,
    /// Related complaint.
    pub complaint_id: Option<i64>,
    /// Transcript row.
    pub message_id: Option<i64>,
    /// Phone.
    pub to_phone: Option<String>,
    /// BSUID.
    pub to_bsuid: Option<String>,
    /// Kind.
    pub kind: String,
    /// Payload JSON.
    pub payload_json: String,
    /// State.
    pub state: String,
    /// Attempts so far (including the current claim).
    pub attempts: i64,
    /// Next attempt time.
    pub next_attempt_at: Millis,
    /// Last error text.
    pub last_error: Option<String>,
    /// Last Graph API error code.
    pub last_error_code: Option<i64>,
    /// Meta's id once sent.
    pub wa_message_id: Option<String>,
    /// When sent.
    pub sent_at: Option<Millis>,
    /// True when a template was sent instead of the free-form message.
    pub used_template: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    citizen_id: Option<i64>,
    user_id: Option<i64>,
    complaint_id: Option<i64>,
    message_id: Option<i64>,
    to_phone: Option<String>,
    to_bsuid: Option<String>,
    kind: String,
    payload_enc: Vec<u8>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    last_error_code: Option<i64>,
    wa_message_id: Option<String>,
    sent_at: Option<i64>,
    used_template: bool,
}

const COLUMNS: &str =
    "id, created_at, citizen_id, user_id, complaint_id, message_id, to_phone, to_bsuid,
    kind, payload_enc, state, attempts, next_attempt_at, last_error, last_error_code, wa_message_id,
    sent_at, used_template";

fn open(c: &Conn<'_>, r: Row) -> Result<Item, StoreError> {
    Ok(Item {
        id: r.id,
        created_at: r.created_at,
        citizen_id: r.citizen_id,
        user_id: r.user_id,
        complaint_id: r.complaint_id,
        message_id: r.message_id,
        to_phone: r.to_phone,
        to_bsuid: r.to_bsuid,
        kind: r.kind,
        payload_json: c.vault().open_str(&r.payload_enc)?,
        state: r.state,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        last_error_code: r.last_error_code,
        wa_message_id: r.wa_message_id,
        sent_at: r.sent_at,
        used_template: r.used_template,
    })
}

/// Claims up to `limit` due rows (oldest first) under a lease until `lease_until`.
pub async fn claim_due(
    c: &mut Conn<'_>,
    now: Millis,
    lease_until: Millis,
    limit: i64,
) -> Result<Vec<Item>, StoreError> {
    let lock = match c.backend() {
        crate::Backend::Sqlite => "",
        crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET state = 'sending', lease_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
                      ORDER BY next_attempt_at, id LIMIT $3 {lock})
         RETURNING {COLUMNS}"
    ));
    let mut rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(sql).bind(now).bind(lease_until).bind(limit).fetch_all(c).await)?;
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Earliest `next_attempt_at` among pending rows (for the worker's sleep).
pub async fn next_due(c: &mut Conn<'_>) -> Result<Option<Millis>, StoreError> {
    let (t,): (Option<i64>,) = on_conn!(c, c => sqlx::query_as(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'",
    )
    .fetch_one(c)
    .await)?;
    Ok(t)
}

/// Marks a row sent.
pub async fn mark_sent(
    c: &mut Conn<'_>,
    id: i64,
    wa_message_id: &str,
    used_template: bool,
    now: Millis,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'sent', wa_message_id = $2, used_template = $3, sent_at = $4,
             lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(wa_message_id)
    .bind(used_template)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts a row back to `pending` for a later attempt, keeping the error.
pub async fn retry_later(
    c: &mut Conn<'_>,
    id: i64,
    next_attempt_at: Millis,
    error: &str,
    code: Option<i64>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $2, last_error = $3, last_error_code = $4,
             lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .bind(code)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts a claimed row back to `pending` without counting the attempt (pacing deferral).
pub async fn defer(c: &mut Conn<'_>, id: i64, next_attempt_at: Millis) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $2, attempts = attempts - 1, lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends a row in `dead` or `unknown` with the error, for staff.
pub async fn finish_failed(
    c: &mut Conn<'_>,
    id: i64,
    state: &str,
    error: &str,
    code: Option<i64>,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = $2, last_error = $3, last_error_code = $4, lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(error)
    .bind(code)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the payload (e.g. with the template fallback) and keeps the row pending.
pub async fn replace_payload(
    c: &mut Conn<'_>,
    id: i64,
    kind: &str,
    payload_json: &str,
    next_attempt_at: Millis,
) -> Result<(), StoreError> {
    let sealed = c.vault().seal_str(payload_json);
    on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET kind = $2, payload_enc = $3, state = 'pending', next_attempt_at = $4,
             lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(kind)
    .bind(sealed)
    .bind(next_attempt_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Staff retry of a `dead`, `unknown` or held row: back to `pending` now.
pub async fn requeue(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $2, lease_until = NULL
         WHERE id = $1 AND state IN ('dead', 'unknown', 'held')",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Requeues every `held` row (after the access token was fixed).
pub async fn release_held(c: &mut Conn<'_>, now: Millis) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $1 WHERE state = 'held'",
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Leases that expired: their process died mid-send. They go back to `pending`.
pub async fn recover_expired_leases(c: &mut Conn<'_>, now: Millis) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'pending', lease_until = NULL, last_error = 'lease expired (process stopped while sending)'
         WHERE state = 'sending' AND lease_until < $1",
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Finds the row that sent a Meta message id.
pub async fn by_wa_message_id(
    c: &mut Conn<'_>,
    wa_message_id: &str,
) -> Result<Option<Item>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE wa_message_id = $1"
    ));
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(sql).bind(wa_message_id).fetch_optional(c).await)?;
    row.map(|r| open(c, r)).transpose()
}

/// One row.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Item>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"));
    let row: Option<Row> = on_conn!(c, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    row.map(|r| open(c, r)).transpose()
}

/// Rows in the given states, newest first (the staff's outbox page).
pub async fn in_states(
    c: &mut Conn<'_>,
    states: &[&str],
    limit: i64,
) -> Result<Vec<Item>, StoreError> {
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE state IN ({list}) ORDER BY id DESC LIMIT $1"
    ));
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(sql).bind(limit).fetch_all(c).await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Row counts per state.
pub async fn counts(c: &mut Conn<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = on_conn!(c, c => sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Pending rows only (queue depth).
pub async fn pending_count(c: &mut Conn<'_>) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        .fetch_one(c)
        .await)?;
    Ok(n)
}

/// Marks every pending row queued before `before` as `discarded` (never sent): the demo's
/// generated history must not be delivered when the server starts.
pub async fn discard_pending_before(c: &mut Conn<'_>, before: Millis) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET state = 'discarded', last_error = 'sample data: not sent' WHERE state = 'pending' AND created_at < $1",
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Replaces the payloads of every outbox row to a citizen (erasure); pending rows are
/// dropped from the queue.
pub async fn erase_for_citizen(c: &mut Conn<'_>, citizen_id: i64) -> Result<u64, StoreError> {
    let sealed = c.vault().seal_str(r#"{"wire":null}"#);
    let n = on_conn!(c, c => sqlx::query(
        "UPDATE outbox SET payload_enc = $2, to_phone = NULL, to_bsuid = NULL,
             state = CASE WHEN state IN ('pending', 'held') THEN 'discarded' ELSE state END
         WHERE citizen_id = $1",
    )
    .bind(citizen_id)
    .bind(sealed)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n)
}
