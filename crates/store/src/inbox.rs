//! The webhook inbox: every signed webhook body, sealed, written durably before Meta gets
//! its 200, then processed by a job. A body is identified by the SHA-256 of its raw bytes,
//! so Meta's retries of the same POST are stored once. States: `pending` → `done`, or
//! `poison` (the body does not parse: kept for staff to inspect; it is never retried
//! automatically, staff can requeue it).

use crate::{Conn, Millis, StoreError};

/// One body to store.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    /// Hex SHA-256 of the raw body.
    pub sha256: &'a str,
    /// The raw body (sealed before it is written).
    pub body: &'a [u8],
    /// When it arrived.
    pub received_at: Millis,
}

/// Stores a batch of bodies in the current transaction; duplicates are skipped. Returns
/// how many were new.
pub async fn insert_batch(c: &mut Conn<'_>, events: &[NewEvent<'_>]) -> Result<u64, StoreError> {
    let mut inserted = 0;
    for ev in events {
        let sealed = c.vault().seal(ev.body);
        let done = on_conn!(c, c => sqlx::query(
            "INSERT INTO inbox (received_at, body_sha256, body_enc, state, attempts)
             VALUES ($1, $2, $3, 'pending', 0) ON CONFLICT (body_sha256) DO NOTHING",
        )
        .bind(ev.received_at)
        .bind(ev.sha256)
        .bind(sealed)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        inserted += done;
    }
    Ok(inserted)
}

/// A stored body, opened.
#[derive(Clone, Debug)]
pub struct Event {
    /// Row id.
    pub id: i64,
    /// When it arrived.
    pub received_at: Millis,
    /// The raw body.
    pub body: Vec<u8>,
    /// `pending`, `done` or `poison`.
    pub state: String,
    /// Why it is poison.
    pub error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    received_at: i64,
    body_enc: Vec<u8>,
    state: String,
    error: Option<String>,
}

fn open(c: &Conn<'_>, row: Row) -> Result<Event, StoreError> {
    Ok(Event {
        id: row.id,
        received_at: row.received_at,
        body: c.vault().open(&row.body_enc)?,
        state: row.state,
        error: row.error,
    })
}

/// Claims the oldest pending bodies inside the current write transaction. On PostgreSQL
/// the rows stay locked (`FOR UPDATE SKIP LOCKED`) until commit, so two instances never
/// process the same body; on SQLite the write transaction is already exclusive.
pub async fn claim_pending(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<Row> = match c.backend() {
        crate::Backend::Sqlite => on_conn!(c, c => sqlx::query_as(
            "SELECT id, received_at, body_enc, state, error FROM inbox WHERE state = 'pending' ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(c)
        .await)?,
        crate::Backend::Postgres => on_conn!(c, c => sqlx::query_as(
            "SELECT id, received_at, body_enc, state, error FROM inbox WHERE state = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(limit)
        .fetch_all(c)
        .await)?,
    };
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// The oldest pending bodies, without locking (the SQLite path: one process owns its
/// inbox file).
pub async fn pending(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(
        "SELECT id, received_at, body_enc, state, error FROM inbox WHERE state = 'pending' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Marks a body processed.
pub async fn mark_done(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE inbox SET state = 'done', processed_at = $2, attempts = attempts + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a body as poison with the reason, for staff to see.
pub async fn mark_poison(
    c: &mut Conn<'_>,
    id: i64,
    error: &str,
    now: Millis,
) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query(
        "UPDATE inbox SET state = 'poison', error = $2, processed_at = $3, attempts = attempts + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts a poison body back in the queue (after a fix).
pub async fn requeue(c: &mut Conn<'_>, id: i64) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE inbox SET state = 'pending', error = NULL WHERE id = $1 AND state = 'poison'",
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Poison bodies, newest first.
pub async fn poison(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(
        "SELECT id, received_at, body_enc, state, error FROM inbox WHERE state = 'poison' ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Count of bodies per state: (pending, done, poison).
pub async fn counts(c: &mut Conn<'_>) -> Result<(i64, i64, i64), StoreError> {
    let rows: Vec<(String, i64)> = on_conn!(c, c => sqlx::query_as(
        "SELECT state, COUNT(*) FROM inbox GROUP BY state",
    )
    .fetch_all(c)
    .await)?;
    let get = |s: &str| rows.iter().find(|r| r.0 == s).map_or(0, |r| r.1);
    Ok((get("pending"), get("done"), get("poison")))
}

/// Pending count only (cheap, uses the partial index).
pub async fn pending_count(c: &mut Conn<'_>) -> Result<i64, StoreError> {
    let (n,): (i64,) = on_conn!(c, c => sqlx::query_as("SELECT COUNT(*) FROM inbox WHERE state = 'pending'")
        .fetch_one(c)
        .await)?;
    Ok(n)
}

/// Records a failed processing attempt; after `max_attempts` the body becomes poison.
/// Returns true when it did.
pub async fn record_failure(
    c: &mut Conn<'_>,
    id: i64,
    error: &str,
    max_attempts: i64,
    now: Millis,
) -> Result<bool, StoreError> {
    let (attempts,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "UPDATE inbox SET attempts = attempts + 1, error = $2,
             state = CASE WHEN attempts + 1 >= $3 THEN 'poison' ELSE state END,
             processed_at = CASE WHEN attempts + 1 >= $3 THEN $4 ELSE processed_at END
         WHERE id = $1 RETURNING attempts",
    )
    .bind(id)
    .bind(error)
    .bind(max_attempts)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(attempts >= max_attempts)
}

/// Processed bodies after `after_id`, in order (erasure scans them).
pub async fn done_after(
    c: &mut Conn<'_>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(
        "SELECT id, received_at, body_enc, state, error FROM inbox WHERE id > $1 AND state IN ('done', 'poison') ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(|r| open(c, r)).collect()
}

/// Replaces a stored body (erasure of the person it came from).
pub async fn replace_body(c: &mut Conn<'_>, id: i64, body: &[u8]) -> Result<(), StoreError> {
    let sealed = c.vault().seal(body);
    on_conn!(c, c => sqlx::query("UPDATE inbox SET body_enc = $2 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
